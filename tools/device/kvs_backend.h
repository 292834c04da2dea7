/*
 * device/kvs_backend — edgertc-device's --signaling kvs: the command line turned into the KVS
 * backend's configuration (include/kvs_signaling.h, docs/kvs.md).
 *
 * Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the
 * backend reads them itself, so they are never copied here nor printed. This file only checks
 * they are there, so that a missing key is a usage error (exit 2) before anything starts.
 */
#ifndef ERTC_DEVICE_KVS_BACKEND_H
#define ERTC_DEVICE_KVS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "kvs_signaling.h"
#include "options.h"

typedef struct {
    webrtc_signaling_client_if_t *client_if; /* kvs_signaling_client_if_get() */
    kvs_signaling_config_t cfg;              /* points into the options and the environment */
    char what[300]; /* "channel NAME in REGION at URL" for the status lines */
} dev_kvs_backend_t;

/* Whether this build has the KVS backend (CMake ERTC_WITH_KVS). */
bool dev_kvs_backend_available(void);

/* Fills *b from the options. Returns false with the reason in err (a usage error). */
bool dev_kvs_backend_init(const dev_options_t *o, dev_kvs_backend_t *b, char *err, size_t errlen);

#endif
