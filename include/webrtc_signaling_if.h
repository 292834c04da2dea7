/*
 * webrtc_signaling_if.h — the pluggable signaling interface.
 *
 * A signaling backend (KVS, AppRTC, bridge, or your own) is a table of functions,
 * webrtc_signaling_client_if_t, whose members are those of the seed (CUSTOM_SIGNALING.md)
 * plus set_ice_update_callback ("progressive ICE": tell the application that new ICE
 * servers, such as TURN, became available). Members a backend does not support may be NULL;
 * app_webrtc checks each before calling it. docs/custom-signaling.md gives each member's
 * contract: which thread calls it, who owns what, and what it returns.
 *
 * In short: app_webrtc calls every member from its own event-loop thread. A backend may call
 * the callbacks from any thread, at any time between set_callbacks and the return of free;
 * app_webrtc copies what it needs and continues on its loop. Messages passed to and from
 * callbacks are borrowed for the duration of the call.
 */
#ifndef WEBRTC_SIGNALING_IF_H
#define WEBRTC_SIGNALING_IF_H

#include <stdbool.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Callback types, as the seed spells them inside set_callbacks. */
typedef WEBRTC_STATUS (*webrtc_signaling_on_msg_received_t)(uint64_t custom_data,
                                                            esp_webrtc_signaling_message_t *msg);
typedef WEBRTC_STATUS (*webrtc_signaling_on_state_changed_t)(uint64_t custom_data,
                                                             webrtc_signaling_client_state_t state);
/* msg is a readable reason ("KVS GetSignalingChannelEndpoint: 403 AccessDeniedException: ..."),
 * msg_len its length without the terminator. */
typedef WEBRTC_STATUS (*webrtc_signaling_on_error_t)(uint64_t custom_data, WEBRTC_STATUS status,
                                                     char *msg, uint32_t msg_len);
typedef WEBRTC_STATUS (*webrtc_signaling_on_ice_servers_updated_t)(uint64_t custom_data,
                                                                   uint32_t new_count);

typedef struct {
    /* Allocate the client from its backend-specific configuration. Must not connect. The
     * configuration is the caller's and stays valid until free. */
    WEBRTC_STATUS (*init)(void *signaling_cfg, void **ppSignalingClient);

    /* Start connecting; the outcome is reported through on_state_changed (CONNECTING, then
     * CONNECTED or FAILED). May return before the connection is up. */
    WEBRTC_STATUS (*connect)(void *pSignalingClient);

    /* Tear the connection down, keep the client (connect may be called again). */
    WEBRTC_STATUS (*disconnect)(void *pSignalingClient);

    /* Send an OFFER, ANSWER, ICE_CANDIDATE (or custom) message to msg->peer_client_id. The
     * message is borrowed. RETRY_LATER: not sent now, the caller may try again. */
    WEBRTC_STATUS (*send_message)(void *pSignalingClient, esp_webrtc_signaling_message_t *pMessage);

    /* Release everything. No callback runs after free returns. */
    WEBRTC_STATUS (*free)(void *pSignalingClient);

    /* Register the callbacks; customData is passed back unchanged. */
    WEBRTC_STATUS (*set_callbacks)
    (void *pSignalingClient, uint64_t customData,
     WEBRTC_STATUS (*on_msg_received)(uint64_t, esp_webrtc_signaling_message_t *),
     WEBRTC_STATUS (*on_state_changed)(uint64_t, webrtc_signaling_client_state_t),
     WEBRTC_STATUS (*on_error)(uint64_t, WEBRTC_STATUS, char *, uint32_t));

    /* Called before connect. */
    WEBRTC_STATUS (*set_role_type)
    (void *pSignalingClient, webrtc_signaling_channel_role_type_t role_type);

    /* Fill an array of app_webrtc_ice_server_t (at most APP_WEBRTC_MAX_ICE_SERVERS_COUNT
     * entries) and its count. This is the iceServers array, not a whole configuration. */
    WEBRTC_STATUS (*get_ice_servers)
    (void *pSignalingClient, uint32_t *pIceConfigCount, void *pIceServersArray);

    /* Index-based pull for split mode: index 0 is STUN, 1.. are TURN URIs. *data is one
     * app_webrtc_ice_server_t allocated by the backend and freed by the caller (free()).
     * have_more with *len == 0 means "a refresh is running, ask again". */
    WEBRTC_STATUS (*get_ice_server_by_idx)
    (void *pSignalingClient, int index, bool useTurn, uint8_t **data, int *len, bool *have_more);

    /* Immediate check, never blocks. */
    WEBRTC_STATUS (*is_ice_refresh_needed)(void *pSignalingClient, bool *refreshNeeded);

    /* Start a refresh of the ICE configuration in the background; the result is announced
     * through the ICE update callback. */
    WEBRTC_STATUS (*refresh_ice_configuration)(void *pSignalingClient);

    /* Register the progressive-ICE callback: called when a new set of ICE servers is ready. */
    WEBRTC_STATUS (*set_ice_update_callback)
    (void *pSignalingClient, uint64_t customData,
     WEBRTC_STATUS (*on_ice_servers_updated)(uint64_t, uint32_t));
} webrtc_signaling_client_if_t;

#ifdef __cplusplus
}
#endif

#endif
