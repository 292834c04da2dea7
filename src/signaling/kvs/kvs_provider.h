/*
 * signaling/kvs/kvs_provider — where the KVS client's AWS credentials come from (spec §4):
 *
 *  - static: awsAccessKey/awsSecretKey/awsSessionToken of the configuration, or the
 *    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN environment variables
 *    (read once, at create);
 *  - file: the credential file (kvs_credentials.h), read again when its credentials are
 *    about to expire, so another process can rotate them;
 *  - IoT: GET https://<endpoint>/role-aliases/<alias>/credentials over mutual TLS with the
 *    device certificate, header x-amzn-iot-thingname; fetched again before expiry (1-20 %
 *    jitter and a 38 s margin, kvs_policy.h).
 *
 * ertc_kvs_provider_get blocks (IoT: an HTTPS call): call it from the work queue, never from
 * an event loop. A provider is used by one thread at a time. Secrets stay in the provider's
 * heap record, wiped when replaced or freed; errors name the source, never a secret.
 */
#ifndef ERTC_SIGNALING_KVS_PROVIDER_H
#define ERTC_SIGNALING_KVS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "kvs_signaling.h"
#include "signaling/kvs/kvs_credentials.h"
#include "webrtc_status.h"

#define ERTC_KVS_PROVIDER_ERROR_LEN 384
#define ERTC_KVS_IOT_TIMEOUT_MS     5000
#define ERTC_KVS_IOT_MAX_URL_LEN    1024

typedef enum {
    ERTC_KVS_PROVIDER_STATIC,
    ERTC_KVS_PROVIDER_ENV,
    ERTC_KVS_PROVIDER_FILE,
    ERTC_KVS_PROVIDER_IOT,
} ertc_kvs_provider_kind_t;

typedef struct ertc_kvs_provider ertc_kvs_provider_t;

/* Chooses the source from cfg (first match: IoT, file, static keys, environment) and checks
 * what it can without I/O over the network (IoT: certificate and key are loaded now). */
WEBRTC_STATUS ertc_kvs_provider_create(const kvs_signaling_config_t *cfg, ertc_kvs_provider_t **out,
                                       char *err, size_t err_size);
void ertc_kvs_provider_free(ertc_kvs_provider_t *p);
ertc_kvs_provider_kind_t ertc_kvs_provider_kind(const ertc_kvs_provider_t *p);
const char *ertc_kvs_provider_kind_name(ertc_kvs_provider_kind_t kind);

/*
 * Current credentials at `now` (Unix s), fetching or re-reading them when the refresh time
 * has come (or force is set). *creds points into the provider and stays valid until the next
 * call. On failure err says why ("IoT credentials from https://...: HTTP 403 ...") and the
 * status is SIGNALING_AUTH_FAILED (refused), IO_ERROR (file) or NETWORK_ERROR/TIMEOUT.
 */
WEBRTC_STATUS ertc_kvs_provider_get(ertc_kvs_provider_t *p, int64_t now, bool force,
                                    const ertc_kvs_credentials_t **creds, char *err,
                                    size_t err_size);
/* When the held credentials are to be refreshed (Unix s); INT64_MAX for never. */
int64_t ertc_kvs_provider_refresh_at(const ertc_kvs_provider_t *p);
/* How many times credentials were fetched or read (IoT calls, file reads). */
uint32_t ertc_kvs_provider_fetches(const ertc_kvs_provider_t *p);

/* The IoT URL: "https://" + endpoint (unless it has a scheme) +
 * "/role-aliases/<alias>/credentials". The alias is percent-encoded. INVALID_ARG for an empty or
 * non-https endpoint. */
WEBRTC_STATUS ertc_kvs_iot_url(const char *endpoint, const char *role_alias, char *out,
                               size_t out_size);

#endif
