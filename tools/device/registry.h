/*
 * device/registry — "--signaling NAME" for backends registered through
 * edgertc_signaling_registry.h (a variant such as edgertc-device-mqtt links them in).
 */
#ifndef ERTC_DEVICE_REGISTRY_H
#define ERTC_DEVICE_REGISTRY_H

#include <stddef.h>

#include "app_webrtc.h"
#include "options.h"

typedef struct {
    const void *backend; /* edgertc_signaling_backend_t */
    webrtc_signaling_client_if_t *sig_if;
    void *sig_cfg;
} dev_registry_sel_t;

/* True when name is a registered backend (for the option parser). */
bool dev_registry_has(const char *name);
/* "mqtt, foo" (or "none") into buf, for error messages and --help. */
const char *dev_registry_names(char *buf, size_t len);

/* Builds the backend's configuration from the options. Returns DEV_EXIT_OK or an exit
 * status with the reason in err. */
int dev_registry_open(const dev_options_t *o, const app_webrtc_ice_server_t *ice, uint32_t n_ice,
                      dev_registry_sel_t *sel, char *err, size_t errlen);
void dev_registry_close(dev_registry_sel_t *sel);

#endif
