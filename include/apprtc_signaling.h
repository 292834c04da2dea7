/*
 * apprtc_signaling.h — the AppRTC signaling backend: rooms on an AppRTC-compatible server
 * (edgertc-signald, or the reference AppRTC room server with its Collider).
 *
 *     apprtc_signaling_config_t cfg = {.serverUrl = "http://127.0.0.1:8080", .roomId = "demo"};
 *     app_cfg.signaling_client_if = apprtc_signaling_client_if_get();
 *     app_cfg.signaling_cfg = &cfg;
 *
 * Who offers: AppRTC has no roles, only "initiator" (first in the room). edgertc maps the
 * app's role onto it so that a camera works with a browser whatever the join order:
 *   - MASTER (camera): never offers by itself; it answers the offer the other side makes.
 *   - VIEWER: makes the offer (app_webrtc receives a TRIGGER_OFFER message for the remote
 *     peer as soon as the room is joined), unless an offer is already waiting for it.
 * Messages go as the reference clients send them: the initiator POSTs to /message (the server
 * stores them until the second client joins), the other side sends over the WebSocket.
 * docs/apprtc.md tells the whole flow.
 */
#ifndef APPRTC_SIGNALING_H
#define APPRTC_SIGNALING_H

#include <stdbool.h>
#include <stdint.h>

#include "webrtc_signaling_if.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The seed's default server; edgertc's demo and tests always set their own. */
#define APPRTC_DEFAULT_SERVER_URL "https://webrtc.espressif.com"
#define APPRTC_MAX_ROOM_ID_LEN 64
#define APPRTC_GENERATED_ROOM_ID_LEN 10

typedef struct {
    char *serverUrl;            /* "http[s]://host[:port]"; NULL = APPRTC_DEFAULT_SERVER_URL */
    char *roomId;               /* NULL = a new random room of 10 characters [0-9a-zA-Z] */
    bool autoConnect;           /* kept for the seed; app_webrtc always connects */
    uint32_t connectionTimeout; /* ms for join, WebSocket and register; 0 = 10000 */
    uint32_t logLevel;          /* 0 = leave the log level alone */
    /* edgertc additions */
    char *caCertPath; /* CA file or folder for https/wss; NULL = the system bundle */
} apprtc_signaling_config_t;

webrtc_signaling_client_if_t *apprtc_signaling_client_if_get(void);

/* The room a client joined (or will join), for showing the viewer URL; NULL before init. */
const char *apprtc_signaling_get_room_id(void *pSignalingClient);

#ifdef __cplusplus
}
#endif

#endif
