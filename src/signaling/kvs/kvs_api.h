/*
 * signaling/kvs/kvs_api — pure codecs for the KVS signaling control-plane calls.
 *
 * Follows /work/shared/specs/kvs-signaling.md §1.1–§1.5 and §1.8: request bodies (compact
 * JSON) and URL paths for DescribeSignalingChannel, CreateSignalingChannel,
 * GetSignalingChannelEndpoint, GetIceServerConfig and DeleteSignalingChannel; parsers for
 * their 200 responses; a mapper from an error response (HTTP status, x-amzn-ErrorType, body)
 * to a WEBRTC_STATUS and a message the user can act on; and a retry/back-off policy.
 * Nothing here does I/O: callers hand in buffers (the HTTP client's response fields).
 *
 * Every parser bounds its input (ERTC_KVS_MAX_RESPONSE_LEN) and every copied field (the
 * limits below). Malformed JSON, a missing required field or a field over its limit gives
 * WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE; outputs are then cleared, never half-filled.
 */
#ifndef ERTC_SIGNALING_KVS_API_H
#define ERTC_SIGNALING_KVS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "util/strbuf.h"
#include "webrtc_status.h"

/* Field limits from the service model (spec §1.2–§1.5). */
#define ERTC_KVS_MAX_CHANNEL_NAME_LEN 256
#define ERTC_KVS_MAX_CLIENT_ID_LEN    256
#define ERTC_KVS_MAX_ARN_LEN          1024
#define ERTC_KVS_MAX_VERSION_LEN      64
#define ERTC_KVS_MAX_ENDPOINT_LEN     512 /* the C SDK's limit for WSS/HTTPS endpoints */
/* A control-plane response larger than this is refused (real ones are below 2 KiB). */
#define ERTC_KVS_MAX_RESPONSE_LEN (16 * 1024)
/* Error type names ("ResourceNotFoundException") and messages kept from error bodies. */
#define ERTC_KVS_MAX_ERROR_TYPE_LEN 64
#define ERTC_KVS_MAX_ERROR_TEXT_LEN 512 /* the whole "KVS <Api>: <status> <Type>: <msg>" */

/* CreateSignalingChannel's SingleMasterConfiguration.MessageTtlSeconds (spec §1.3). */
#define ERTC_KVS_DEFAULT_MESSAGE_TTL_S 60
#define ERTC_KVS_MIN_MESSAGE_TTL_S     5
#define ERTC_KVS_MAX_MESSAGE_TTL_S     120

/* GetIceServerConfig Ttl bounds from the model (the service sends 300). */
#define ERTC_KVS_MIN_ICE_TTL_S 30
#define ERTC_KVS_MAX_ICE_TTL_S 86400

/* Back-off (spec Appendix A): 100 ms × 2^attempt, capped at 10 s, full jitter. */
#define ERTC_KVS_BACKOFF_BASE_MS    100u
#define ERTC_KVS_BACKOFF_CAP_MS     10000u
#define ERTC_KVS_RETRY_MAX_ATTEMPTS 5u /* retries after the first try */

/*
 * Two KVS-specific statuses in the signaling range (128-255), kept high so they stay clear
 * of the shared codes in webrtc_status.h:
 *  - CHANNEL_IN_USE: ResourceInUseException — CreateSignalingChannel found the channel
 *    already exists (a racing device created it): go back to DescribeSignalingChannel.
 *  - CHANNEL_BEING_DELETED: Describe reported ChannelStatus DELETING (or a status this code
 *    does not know, as the C SDK does): the channel cannot be used; wait and re-create.
 */
#define ERTC_KVS_STATUS_CHANNEL_IN_USE WEBRTC_STATUS_SIGNALING_CHANNEL_IN_USE
#define ERTC_KVS_STATUS_CHANNEL_BEING_DELETED WEBRTC_STATUS_SIGNALING_CHANNEL_BEING_DELETED

typedef enum {
    ERTC_KVS_API_DESCRIBE_CHANNEL,
    ERTC_KVS_API_CREATE_CHANNEL,
    ERTC_KVS_API_GET_ENDPOINT,
    ERTC_KVS_API_GET_ICE_CONFIG,
    ERTC_KVS_API_DELETE_CHANNEL,
    ERTC_KVS_API_COUNT,
} ertc_kvs_api_t;

typedef enum { ERTC_KVS_ROLE_MASTER, ERTC_KVS_ROLE_VIEWER } ertc_kvs_role_t;

typedef enum {
    ERTC_KVS_CHANNEL_CREATING,
    ERTC_KVS_CHANNEL_ACTIVE,
    ERTC_KVS_CHANNEL_UPDATING,
    ERTC_KVS_CHANNEL_DELETING,
} ertc_kvs_channel_status_t;

typedef enum {
    ERTC_KVS_CHANNEL_TYPE_UNKNOWN,
    ERTC_KVS_CHANNEL_SINGLE_MASTER,
    ERTC_KVS_CHANNEL_FULL_MESH,
} ertc_kvs_channel_type_t;

/* "DescribeSignalingChannel", ...; "Unknown" for an out-of-range value. */
const char *ertc_kvs_api_name(ertc_kvs_api_t api);
/* The URL path: "/describeSignalingChannel", ..., "/v1/get-ice-server-config" (that one is
 * on the channel's HTTPS endpoint, the others on the control plane); NULL if out of range. */
const char *ertc_kvs_api_path(ertc_kvs_api_t api);
/* "MASTER" / "VIEWER". */
const char *ertc_kvs_role_name(ertc_kvs_role_t role);

/* ---- request bodies (compact JSON appended to out) ---------------------------------------- */
/*
 * Channel names and client ids must match [a-zA-Z0-9_.-]{1,256}, ARNs be 1..1024 printable
 * ASCII characters; otherwise INVALID_ARG (NULL_ARG for NULL) and out is not written.
 * Output failures are the strbuf's (BUFFER_TOO_SMALL, LIMIT_EXCEEDED, NOT_ENOUGH_MEMORY).
 */

/* {"ChannelName":"<name>"} or, with name NULL, {"ChannelARN":"<arn>"}: give exactly one. */
WEBRTC_STATUS ertc_kvs_build_describe(const char *channel_name, const char *channel_arn,
                                      ertc_strbuf_t *out);
/* {"ChannelName":"<name>","ChannelType":"SINGLE_MASTER",
 *  "SingleMasterConfiguration":{"MessageTtlSeconds":<ttl>}}; ttl 0 = the default 60 s,
 *  otherwise 5..120. */
WEBRTC_STATUS ertc_kvs_build_create(const char *channel_name, uint32_t message_ttl_s,
                                    ertc_strbuf_t *out);
/* {"ChannelARN":"<arn>","SingleMasterChannelEndpointConfiguration":
 *  {"Protocols":["WSS","HTTPS"],"Role":"MASTER"|"VIEWER"}} */
WEBRTC_STATUS ertc_kvs_build_get_endpoint(const char *channel_arn, ertc_kvs_role_t role,
                                          ertc_strbuf_t *out);
/* {"ChannelARN":"<arn>","ClientId":"<id>","Service":"TURN"} */
WEBRTC_STATUS ertc_kvs_build_get_ice_config(const char *channel_arn, const char *client_id,
                                            ertc_strbuf_t *out);
/* {"ChannelARN":"<arn>","CurrentVersion":"<version>"}; version NULL omits it. */
WEBRTC_STATUS ertc_kvs_build_delete(const char *channel_arn, const char *current_version,
                                    ertc_strbuf_t *out);

/* ---- response parsers --------------------------------------------------------------------- */

typedef struct {
    char arn[ERTC_KVS_MAX_ARN_LEN + 1];
    char name[ERTC_KVS_MAX_CHANNEL_NAME_LEN + 1];
    char version[ERTC_KVS_MAX_VERSION_LEN + 1];
    ertc_kvs_channel_status_t status;
    ertc_kvs_channel_type_t type;
    uint32_t message_ttl_s; /* 0 when SingleMasterConfiguration is absent */
    int64_t creation_time;  /* Unix seconds; 0 when absent */
} ertc_kvs_channel_info_t;

/*
 * DescribeSignalingChannel → ChannelInfo. ChannelARN and ChannelStatus are required.
 * A DELETING (or unknown) status gives ERTC_KVS_STATUS_CHANNEL_BEING_DELETED with *out filled,
 * so the caller can log the ARN.
 */
WEBRTC_STATUS ertc_kvs_parse_describe(const char *buf, size_t len, ertc_kvs_channel_info_t *out);

/* CreateSignalingChannel → ChannelARN (copied NUL-terminated; BUFFER_TOO_SMALL if it does not
 * fit arn_size). */
WEBRTC_STATUS ertc_kvs_parse_create(const char *buf, size_t len, char *arn, size_t arn_size);

typedef struct {
    char wss[ERTC_KVS_MAX_ENDPOINT_LEN + 1];   /* "wss://host" */
    char https[ERTC_KVS_MAX_ENDPOINT_LEN + 1]; /* "https://host" */
} ertc_kvs_endpoints_t;

/* GetSignalingChannelEndpoint → the WSS and HTTPS endpoints (Protocol matched
 * case-insensitively, first of each wins, others such as WEBRTC ignored). Both required. */
WEBRTC_STATUS ertc_kvs_parse_get_endpoint(const char *buf, size_t len, ertc_kvs_endpoints_t *out);

typedef struct {
    uint32_t count; /* entries used in servers[] */
    app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t min_ttl_s; /* smallest Ttl over all IceServerList entries; 0 if the list is empty */
    uint32_t dropped;   /* URIs not kept: the table was full, or a URI was too long */
} ertc_kvs_ice_config_t;

/*
 * GetIceServerConfig → IceServerList flattened: one app_webrtc_ice_server_t per URI (with its
 * entry's Username/Password), at most APP_WEBRTC_MAX_ICE_SERVERS_COUNT, in response order.
 * Every entry needs Uris (array of strings), Username, Password (each ≤ 256) and an integer
 * Ttl in 30..86400. A URI longer than APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN is skipped and
 * counted in dropped. The password is a secret: it is never logged here.
 */
WEBRTC_STATUS ertc_kvs_parse_ice_config(const char *buf, size_t len, ertc_kvs_ice_config_t *out);

/* ---- errors ------------------------------------------------------------------------------ */

/*
 * Maps a failed call to a status and writes "KVS <Api>: <http> <ErrorType>: <message>" into
 * msg[0..msg_size) (NUL-terminated, cut to fit). The error type comes from the
 * x-amzn-ErrorType header value (may be NULL; a ":…" suffix and a "namespace#" prefix are
 * dropped), else from the body's "__type"; the message from the body's "message"/"Message".
 * The body may be anything (or NULL); only printable ASCII of the message is copied, and an
 * InvalidSignatureException message is cut before its canonical request, which can carry
 * the session token. Table (first match wins):
 *   http 2xx                                         → SUCCESS
 *   DeleteSignalingChannel + 404                     → SUCCESS (already gone, spec §1.8)
 *   AccessDenied, NotAuthorized, UnrecognizedClient, InvalidSignature, IncompleteSignature,
 *   ExpiredToken, MissingAuthenticationToken, SessionExpired, InvalidClientTokenId
 *                                                    → SIGNALING_AUTH_FAILED
 *   ResourceNotFound                                 → SIGNALING_CHANNEL_NOT_FOUND
 *   ClientLimitExceeded, Throttling, TooManyRequests → SIGNALING_RATE_LIMITED
 *   ResourceInUse                                    → ERTC_KVS_STATUS_CHANNEL_IN_USE
 *   (no known type) http 0 (no response)             → SIGNALING_TIMEOUT
 *   (no known type) http 401/403                     → SIGNALING_AUTH_FAILED
 *   (no known type) http 404                         → SIGNALING_CHANNEL_NOT_FOUND
 *   (no known type) http 429                         → SIGNALING_RATE_LIMITED
 *   http 5xx                                         → RETRY_LATER
 *   anything else                                    → SIGNALING_INVALID_MESSAGE
 * Names match with or without the "Exception" suffix. msg may be NULL.
 */
WEBRTC_STATUS ertc_kvs_map_error(ertc_kvs_api_t api, int http_status, const char *error_type,
                                 const char *body, size_t body_len, char *msg, size_t msg_size);

/* ---- retry policy ------------------------------------------------------------------------ */

/* True for the statuses worth retrying the same call for: RETRY_LATER (5xx),
 * SIGNALING_RATE_LIMITED, SIGNALING_TIMEOUT, TIMEOUT, NETWORK_ERROR. */
bool ertc_kvs_status_is_retryable(WEBRTC_STATUS status);
/* Full-jitter delay before retry number `attempt` (0 = first retry):
 * random % (min(CAP, BASE << attempt) + 1) milliseconds. */
uint32_t ertc_kvs_backoff_delay_ms(uint32_t attempt, uint32_t random);
/* True (and *delay_ms set) when status is retryable and attempt < ERTC_KVS_RETRY_MAX_ATTEMPTS. */
bool ertc_kvs_retry_decide(WEBRTC_STATUS status, uint32_t attempt, uint32_t random,
                           uint32_t *delay_ms);

#endif
