/*
 * Split mode, signaling device side (ESP port spec §1.11, §2.7): the signaling bridge adapter
 * and the bridge peer-connection interface.
 *
 * The signaling device runs app_webrtc in signaling-only mode with a real signaling backend
 * and bridge_peer_connection_if_get() as its peer connection (create_session is NULL). Every
 * inbound OFFER, ICE_CANDIDATE, ANSWER or TRIGGER_OFFER is forwarded over the bridge link
 * (bridge_signaling.h's webrtc_bridge); while the streaming device is absent or asleep the
 * messages are queued (SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN, the newest dropped when full) and
 * flushed in order when it answers READY. Answers and candidates from the streaming device go
 * to the backend, and its ICE_REQUESTs are answered from the backend's ICE configuration
 * (app_webrtc_get_server_by_idx).
 */
#ifndef SIGNALING_BRIDGE_ADAPTER_H
#define SIGNALING_BRIDGE_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "webrtc_peer_connection_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN 24 /* the ESP port's limit */

typedef struct {
    void *user_ctx;
    bool auto_register_callbacks;
} signaling_bridge_adapter_config_t;

typedef struct {
    void *bridge_ctx; /* optional, unused */
} bridge_peer_connection_config_t;

WEBRTC_STATUS signaling_bridge_adapter_init(const signaling_bridge_adapter_config_t *config);
WEBRTC_STATUS signaling_bridge_adapter_start(void);
/* 0 sent or queued, -1 refused (a type the bridge does not carry, not initialized). */
int signaling_bridge_adapter_send_message(webrtc_message_t *msg);
/* The ICE-server-by-index query: app_webrtc_get_server_by_idx(index, true, ...). */
int signaling_bridge_adapter_rpc_handler(int index, uint8_t **data, int *len, bool *have_more);
WEBRTC_STATUS signaling_bridge_adapter_register_callbacks(
    uint64_t custom_data, WEBRTC_STATUS (*on_message_received)(uint64_t, webrtc_message_t *));
/* Forces the queue into WAITING_FOR_WAKEUP: later messages queue until READY. */
void signaling_bridge_adapter_trigger_wakeup(void);
void signaling_bridge_adapter_deinit(void);

/* edgertc addition: counters for tests and diagnostics. */
typedef struct {
    uint32_t queued;      /* messages currently queued */
    uint32_t dropped;     /* messages dropped because the queue was full */
    uint32_t forwarded;   /* messages sent to the streaming device */
    uint32_t ice_queries; /* ICE_REQUESTs answered */
    bool streaming_ready; /* READY seen since the last wakeup/link loss */
} signaling_bridge_adapter_stats_t;
void signaling_bridge_adapter_get_stats(signaling_bridge_adapter_stats_t *stats);

webrtc_peer_connection_if_t *bridge_peer_connection_if_get(void);

#ifdef __cplusplus
}
#endif

#endif /* SIGNALING_BRIDGE_ADAPTER_H */
