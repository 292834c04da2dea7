/*
 * device/bridge_mode — edgertc-device's split-mode roles (docs/bridge.md):
 *   --mode signaling-only --bridge EP   app_webrtc with the signaling backend (AppRTC) and the
 *                                       bridge peer connection: no media, offers and
 *                                       candidates are relayed to the streaming device; this
 *                                       side listens on unix:/tcp: endpoints;
 *   --mode streaming-only --bridge EP   app_webrtc with the bridge signaling client and
 *                                       edgertc's peer connection and media; connects.
 * EP is unix:PATH, tcp:HOST:PORT or serial:DEVICE.
 */
#ifndef ERTC_DEVICE_BRIDGE_MODE_H
#define ERTC_DEVICE_BRIDGE_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app_webrtc.h"
#include "options.h"

/* Validates --mode's value. */
bool dev_bridge_mode_parse(const char *v, char *err, size_t errlen);
/* Cross-flag checks (run first in check_combination); streaming-only selects the bridge
 * signaling. Returns DEV_EXIT_OK or DEV_EXIT_USAGE with err set. */
int dev_bridge_mode_check(dev_options_t *o, char *err, size_t errlen);
/* True in streaming-only mode (the bridge "signaling backend" is available then). */
bool dev_bridge_mode_streaming(const dev_options_t *o);
/* Adjusts app_webrtc's configuration for the mode and starts the link (no-op without
 * --mode). */
WEBRTC_STATUS dev_bridge_mode_apply(const dev_options_t *o, app_webrtc_config_t *cfg);
void dev_bridge_mode_print_help(FILE *f);

#endif /* ERTC_DEVICE_BRIDGE_MODE_H */
