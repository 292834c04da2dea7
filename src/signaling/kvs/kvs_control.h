/*
 * signaling/kvs/kvs_control — the KVS control plane as blocking calls for the work queue
 * (specs/kvs-signaling.md §1): DescribeSignalingChannel → CreateSignalingChannel when the
 * channel is missing → DescribeSignalingChannel until ACTIVE → GetSignalingChannelEndpoint
 * (WSS and HTTPS for the role), GetIceServerConfig on the HTTPS endpoint, and the presigned
 * WebSocket URL. Every call is SigV4-signed, retried with backoff on the retryable errors
 * (kvs_api.h) within one deadline, and corrected for the device's clock skew from the
 * server's Date header. The channel-info cache (kvs_cache.h, through the storage interface)
 * lets resolve skip Describe and GetEndpoint for 10 h.
 *
 * Functions run on one thread at a time (the client's work queue); none touches an event
 * loop. Errors carry "KVS <Api>: <http> <ErrorType>: <message>" in err.
 */
#ifndef ERTC_SIGNALING_KVS_CONTROL_H
#define ERTC_SIGNALING_KVS_CONTROL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvs_signaling.h"
#include "net/http_client.h"
#include "net/tls.h"
#include "signaling/kvs/kvs_api.h"
#include "signaling/kvs/kvs_cache.h"
#include "signaling/kvs/kvs_credentials.h"

#define ERTC_KVS_SERVICE             "kinesisvideo"
#define ERTC_KVS_CALL_TIMEOUT_MS     5000 /* one HTTPS call (the C SDK: 2 s connect + 5 s) */
#define ERTC_KVS_DEFAULT_DEADLINE_MS 15000

typedef struct {
    char arn[ERTC_KVS_MAX_ARN_LEN + 1];
    ertc_kvs_endpoints_t endpoints;
    bool from_cache;
} ertc_kvs_channel_t;

typedef struct {
    /* set by the owner before use */
    char control_url[ERTC_KVS_MAX_ENDPOINT_LEN + 1];
    char region[ERTC_KVS_CACHE_MAX_REGION_LEN + 1];
    char channel[ERTC_KVS_MAX_CHANNEL_NAME_LEN + 1];
    char client_id[ERTC_KVS_MAX_CLIENT_ID_LEN + 1];
    ertc_kvs_role_t role;
    uint32_t message_ttl_s;
    uint32_t deadline_ms;             /* whole resolve; 0 = ERTC_KVS_DEFAULT_DEADLINE_MS */
    ertc_tls_config_t *tls;           /* for https (NULL: only http to loopback works) */
    kvs_signaling_storage_t *storage; /* the cache; NULL = none */
    const atomic_bool *cancel;        /* optional: stop retrying when it becomes true */
    /* state */
    ertc_http_sync_t *http;
    atomic_llong clock_offset_s; /* read by any thread (ertc_kvs_control_now) */
    atomic_uint control_calls;   /* Describe, Create, GetEndpoint, Delete */
    atomic_uint ice_calls;
    atomic_uint cache_hits;
} ertc_kvs_control_t;

/* "https://kinesisvideo.<region>.amazonaws.com" (".com.cn" for "cn-" regions). */
WEBRTC_STATUS ertc_kvs_default_control_url(const char *region, char *out, size_t out_size);
/* True for a URL of the wanted kind: https/wss anywhere, http/ws only to a loopback address
 * (127.0.0.0/8, ::1, "localhost"). */
bool ertc_kvs_url_allowed(const char *url, bool websocket);
/* Local Unix time corrected by the measured skew. */
int64_t ertc_kvs_control_now(const ertc_kvs_control_t *ctl);

/* Fills ch: from the cache when use_cache and a fresh entry exists, else from the service
 * (and then stored in the cache). */
WEBRTC_STATUS ertc_kvs_control_resolve(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       bool use_cache, ertc_kvs_channel_t *ch, char *err,
                                       size_t err_size);
/* GetIceServerConfig; a 404 also drops the cache entry (the channel was re-created). */
WEBRTC_STATUS ertc_kvs_control_get_ice(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       const ertc_kvs_channel_t *ch, ertc_kvs_ice_config_t *out,
                                       char *err, size_t err_size);
/* DeleteSignalingChannel (404 counts as done) and the cache entry. */
WEBRTC_STATUS ertc_kvs_control_delete(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                      const char *arn, char *err, size_t err_size);
/* The presigned ConnectAsMaster/ConnectAsViewer URL (ertc_malloc'd). */
WEBRTC_STATUS ertc_kvs_control_presign(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       const ertc_kvs_channel_t *ch, char **url, char *err,
                                       size_t err_size);
/* Removes this channel's cache entry. */
void ertc_kvs_control_forget(ertc_kvs_control_t *ctl);
void ertc_kvs_control_close(ertc_kvs_control_t *ctl); /* frees the HTTP connection */

#endif
