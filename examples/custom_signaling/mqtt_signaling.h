/*
 * mqtt_signaling.h — an example signaling backend over MQTT (libmosquitto), written against
 * the public interface only (webrtc_signaling_if.h). docs/custom-signaling.md walks through it.
 *
 * Topics, with prefix "edgertc" by default:
 *     <prefix>/<room>/<client-id>/in      messages to one client (QoS 1)
 *     <prefix>/<room>/presence/<id>       retained presence record; the last will clears it
 * A VIEWER that sees a master's presence gets a TRIGGER_OFFER for it (so app_webrtc makes the
 * offer); anyone who sees a peer's presence cleared gets a BYE from it. libmosquitto's own
 * thread runs the connection and reconnects by itself (1 s, doubling to 30 s).
 */
#ifndef MQTT_SIGNALING_H
#define MQTT_SIGNALING_H

#include <stdint.h>

#include "webrtc_signaling_if.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *host;         /* broker host or address; required */
    uint16_t port;            /* 0 = 1883 */
    const char *room;         /* required; [A-Za-z0-9_.-]{1,64} */
    const char *client_id;    /* required; same alphabet; unique in the room */
    const char *topic_prefix; /* NULL = "edgertc" */
    const char *username;     /* optional broker login */
    const char *password;     /* optional; never logged */
    uint16_t keepalive_s;     /* 0 = 30 */
    /* ICE servers handed to app_webrtc (a broker has none to give). */
    uint32_t ice_server_count;
    app_webrtc_ice_server_t ice_servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
} mqtt_signaling_config_t;

webrtc_signaling_client_if_t *mqtt_signaling_client_if_get(void);

#ifdef __cplusplus
}
#endif

#endif
