/*
 * Split mode, streaming device side (ESP port spec §1.10, §1.12, §2.7): the bridge
 * signaling client, and the webrtc_bridge link it talks over.
 *
 * The streaming device runs app_webrtc with bridge_signaling_client_if_get() as its signaling
 * client: offers and candidates arrive from the signaling device over the bridge link, answers
 * and candidates go back the same way, and ICE servers come from the signaling device's
 * backend one index at a time (ICE_REQUEST / ICE_SERVER_RESPONSE), STUN first, TURN through
 * the ICE update callback. docs/bridge.md describes the link and the wire format.
 */
#ifndef BRIDGE_SIGNALING_H
#define BRIDGE_SIGNALING_H

#include <stdbool.h>
#include <stdint.h>

#include "webrtc_signaling_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char *client_id;    /* informational (the peer id in READY) */
    uint32_t log_level; /* informational */
} bridge_signaling_config_t;

/* The bridge signaling client. get_ice_server_by_idx and is_ice_refresh_needed are NULL. */
webrtc_signaling_client_if_t *bridge_signaling_client_if_get(void);
webrtc_signaling_client_if_t *getBridgeSignalingClientInterface(void); /* Gen-2/3 name */

/* ---- webrtc_bridge: the process-wide link to the other device ---------------------------- */

typedef void (*webrtc_bridge_msg_cb_t)(const void *data, int len);

/*
 * edgertc addition: where the link goes, before webrtc_bridge_start. endpoint is
 * "unix:PATH", "tcp:HOST:PORT" or "serial:DEVICE"; listen makes this side accept connections
 * (the signaling device) instead of connecting (the streaming device). Without a call, the
 * environment variable ERTC_BRIDGE (and ERTC_BRIDGE_LISTEN=1) is used.
 */
WEBRTC_STATUS webrtc_bridge_configure(const char *endpoint, bool listen);
/* Starts the link (idempotent). */
void webrtc_bridge_start(void);
/* Sends one serialized message. TAKES OWNERSHIP of data (freed with free()). */
void webrtc_bridge_send_message(const char *data, int len);
/* The single handler of incoming messages; the last registration wins. */
void webrtc_bridge_register_handler(webrtc_bridge_msg_cb_t handler);
/* edgertc addition: called when the link comes up (true) or goes down (false). */
void webrtc_bridge_register_state_handler(void (*handler)(bool up));
/* edgertc addition: whether the link is connected now. */
bool webrtc_bridge_is_up(void);
/* edgertc addition: stops the link (tests, shutdown). */
void webrtc_bridge_stop(void);
/* edgertc addition: drops the current connection; the link reconnects (tests). */
void webrtc_bridge_drop(void);

#ifdef __cplusplus
}
#endif

#endif /* BRIDGE_SIGNALING_H */
