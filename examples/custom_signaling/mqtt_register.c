/*
 * mqtt_register.c — makes the MQTT backend selectable by name: "--signaling mqtt" in
 * edgertc-device-mqtt (tools/device + this example). A constructor registers it before main;
 * the parser turns the device's settings and --signaling-opt key=value into a
 * mqtt_signaling_config_t:
 *
 *     host=ADDR        broker (default 127.0.0.1)
 *     port=N           broker port (default 1883)
 *     client-id=ID     our id in the room (default master-<pid> / viewer-<pid>)
 *     prefix=P         topic prefix (default edgertc)
 *     username=U       broker login; the password comes from EDGERTC_MQTT_PASSWORD only,
 *                      so it never shows in a process list
 *     keepalive=S      MQTT keep-alive in seconds (default 30)
 *     ice=URL          a STUN server the backend hands out (repeatable); the device's own
 *                      --stun/--turn go to app_webrtc directly, so they are not copied here
 * The room is the device's --room.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edgertc_signaling_registry.h"
#include "mqtt_message.h"
#include "mqtt_signaling.h"

typedef struct {
    mqtt_signaling_config_t cfg; /* first: the pointer handed to app_webrtc */
    char host[256];
    char room[MQTT_SIG_MAX_ID_LEN + 1];
    char client_id[MQTT_SIG_MAX_ID_LEN + 1];
    char prefix[64];
    char username[128];
} mqtt_device_config_t;

static bool parse_port(const char *v, uint32_t max, uint32_t *out)
{
    char *end = NULL;
    unsigned long n = strtoul(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n == 0 || n > max) {
        return false;
    }
    *out = (uint32_t)n;
    return true;
}

static WEBRTC_STATUS mqtt_parse_config(const edgertc_signaling_params_t *p, void **out, char *err,
                                       size_t errlen)
{
    mqtt_device_config_t *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    snprintf(d->host, sizeof(d->host), "127.0.0.1");
    snprintf(d->prefix, sizeof(d->prefix), "edgertc");
    snprintf(d->client_id, sizeof(d->client_id), "%s-%ld",
             p->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER ? "viewer" : "master",
             (long)getpid());
    uint32_t port = 1883, keepalive = 30;
    for (size_t i = 0; i < p->option_count; i++) {
        const char *o = p->options[i];
        const char *eq = strchr(o, '=');
        const char *v = eq ? eq + 1 : "";
        size_t klen = eq ? (size_t)(eq - o) : strlen(o);
        bool ok = eq != NULL && strlen(v) < 128;
        if (ok && klen == 4 && strncmp(o, "host", 4) == 0) {
            snprintf(d->host, sizeof(d->host), "%s", v);
            ok = v[0] != '\0';
        } else if (ok && klen == 4 && strncmp(o, "port", 4) == 0) {
            ok = parse_port(v, 65535, &port);
        } else if (ok && klen == 9 && strncmp(o, "client-id", 9) == 0) {
            ok = mqtt_sig_valid_id(v);
            snprintf(d->client_id, sizeof(d->client_id), "%.64s", ok ? v : "");
        } else if (ok && klen == 6 && strncmp(o, "prefix", 6) == 0) {
            ok = v[0] != '\0' && strlen(v) < sizeof(d->prefix) && strpbrk(v, "+#") == NULL;
            snprintf(d->prefix, sizeof(d->prefix), "%.63s", v);
        } else if (ok && klen == 8 && strncmp(o, "username", 8) == 0) {
            snprintf(d->username, sizeof(d->username), "%s", v);
        } else if (ok && klen == 9 && strncmp(o, "keepalive", 9) == 0) {
            ok = parse_port(v, 3600, &keepalive);
        } else if (ok && klen == 3 && strncmp(o, "ice", 3) == 0) {
            uint32_t n = d->cfg.ice_server_count;
            ok = strncmp(v, "stun:", 5) == 0 && strlen(v) <= APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN &&
                 n < APP_WEBRTC_MAX_ICE_SERVERS_COUNT;
            if (ok) {
                snprintf(d->cfg.ice_servers[n].urls, sizeof(d->cfg.ice_servers[n].urls), "%.127s",
                         v);
                d->cfg.ice_server_count = n + 1;
            }
        } else {
            snprintf(err, errlen,
                     "--signaling-opt \"%.*s\": expected host=, port=, client-id=, prefix=, "
                     "username=, keepalive= or ice= (the password: EDGERTC_MQTT_PASSWORD)",
                     (int)(klen > 40 ? 40 : klen), o);
            free(d);
            return WEBRTC_STATUS_INVALID_ARG;
        }
        if (!ok) {
            snprintf(err, errlen, "--signaling-opt %.*s: bad value", (int)(klen > 40 ? 40 : klen),
                     o);
            free(d);
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    if (!mqtt_sig_valid_id(p->room)) {
        snprintf(err, errlen, "--signaling mqtt needs --room NAME (1-64 of [A-Za-z0-9_.-])");
        free(d);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    snprintf(d->room, sizeof(d->room), "%.64s", p->room);
    d->cfg.host = d->host;
    d->cfg.port = (uint16_t)port;
    d->cfg.room = d->room;
    d->cfg.client_id = d->client_id;
    d->cfg.topic_prefix = d->prefix;
    d->cfg.username = d->username[0] ? d->username : NULL;
    d->cfg.password = getenv("EDGERTC_MQTT_PASSWORD");
    d->cfg.keepalive_s = (uint16_t)keepalive;
    *out = d;
    return WEBRTC_STATUS_SUCCESS;
}

static void mqtt_free_config(void *cfg)
{
    mqtt_device_config_t *d = cfg;
    if (d != NULL) {
        memset(d->cfg.ice_servers, 0, sizeof(d->cfg.ice_servers)); /* TURN credentials */
        free(d);
    }
}

__attribute__((constructor)) static void mqtt_register(void)
{
    (void)edgertc_signaling_register("mqtt", mqtt_signaling_client_if_get, mqtt_parse_config,
                                     mqtt_free_config);
}
