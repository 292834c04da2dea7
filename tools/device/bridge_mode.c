/*
 * device/bridge_mode — split-mode roles of edgertc-device (bridge_mode.h).
 */
#include "bridge_mode.h"

#include <string.h>

#include "bridge_signaling.h"
#include "signaling_bridge_adapter.h"

bool dev_bridge_mode_parse(const char *v, char *err, size_t errlen)
{
    if (strcmp(v, "normal") == 0 || strcmp(v, "signaling-only") == 0 ||
        strcmp(v, "streaming-only") == 0) {
        return true;
    }
    snprintf(err, errlen, "--mode \"%.80s\": expected normal, signaling-only or streaming-only",
             v);
    return false;
}

static bool is_mode(const dev_options_t *o, const char *m)
{
    return o->mode != NULL && strcmp(o->mode, m) == 0;
}

bool dev_bridge_mode_streaming(const dev_options_t *o)
{
    return is_mode(o, "streaming-only");
}

int dev_bridge_mode_check(dev_options_t *o, char *err, size_t errlen)
{
    bool split = is_mode(o, "signaling-only") || is_mode(o, "streaming-only");
    if (!split) {
        if (o->bridge != NULL) {
            snprintf(err, errlen, "--bridge needs --mode signaling-only or streaming-only");
            return DEV_EXIT_USAGE;
        }
        return DEV_EXIT_OK;
    }
    if (o->bridge == NULL) {
        snprintf(err, errlen, "--mode %s needs --bridge unix:PATH, tcp:HOST:PORT or "
                              "serial:DEVICE", o->mode);
        return DEV_EXIT_USAGE;
    }
    if (strncmp(o->bridge, "unix:", 5) != 0 && strncmp(o->bridge, "tcp:", 4) != 0 &&
        strncmp(o->bridge, "serial:", 7) != 0) {
        snprintf(err, errlen, "--bridge \"%.80s\": expected unix:PATH, tcp:HOST:PORT or "
                              "serial:DEVICE", o->bridge);
        return DEV_EXIT_USAGE;
    }
    if (is_mode(o, "streaming-only")) {
        o->signaling = DEV_SIGNALING_BRIDGE; /* the signaling device is the server */
    } else if (o->signaling == DEV_SIGNALING_BRIDGE) {
        snprintf(err, errlen, "--mode signaling-only needs a real backend (--signaling apprtc, kvs or a registered one)");
        return DEV_EXIT_USAGE;
    }
    return DEV_EXIT_OK;
}

WEBRTC_STATUS dev_bridge_mode_apply(const dev_options_t *o, app_webrtc_config_t *cfg)
{
    static bridge_signaling_config_t bridge_cfg = {.client_id = "streaming_client", .log_level = 3};
    if (is_mode(o, "signaling-only")) {
        WEBRTC_STATUS st = webrtc_bridge_configure(o->bridge, true);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        cfg->peer_connection_if = bridge_peer_connection_if_get();
        cfg->signaling_only = true;
        cfg->video_capture = NULL;
        cfg->audio_capture = NULL;
        cfg->video_player = NULL;
        cfg->audio_player = NULL;
        cfg->receive_media = false;
        cfg->implementation_config = NULL;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (is_mode(o, "streaming-only")) {
        WEBRTC_STATUS st = webrtc_bridge_configure(o->bridge, false);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        bridge_cfg.log_level = o->log_level;
        cfg->signaling_client_if = bridge_signaling_client_if_get();
        cfg->signaling_cfg = &bridge_cfg;
        cfg->useTurn = true; /* TURN comes from the signaling device by index */
        webrtc_bridge_start();
    }
    return WEBRTC_STATUS_SUCCESS;
}

void dev_bridge_mode_print_help(FILE *f)
{
    fputs("\n"
          "Split mode (docs/bridge.md):\n"
          "  --mode MODE         normal (default), signaling-only (the signaling backend plus a\n"
          "                      bridge to a streaming device; no media) or streaming-only\n"
          "                      (signaling comes over the bridge; media as usual).\n"
          "  --bridge EP         the link between the two: unix:PATH, tcp:HOST:PORT or\n"
          "                      serial:DEVICE. The signaling-only side listens on sockets.\n",
          f);
}
