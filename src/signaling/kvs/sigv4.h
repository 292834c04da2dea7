/*
 * signaling/kvs/sigv4 — AWS Signature Version 4 (HMAC-SHA256) for KVS signaling: signed
 * JSON POSTs (Authorization header) and presigned wss:// URLs (query parameters).
 *
 * Follows the AWS General Reference "Signature Version 4 signing process" and the AWS SigV4
 * test suite (vectors/sigv4, see its README for the known quirks); the KVS specifics are in
 * specs/kvs-signaling.md §2. Everything here is a pure function over caller buffers: no I/O,
 * no clock (the caller passes the X-Amz-Date), and each input is bounded by a named limit.
 * Outputs go into ertc_strbuf_t builders, so a result that does not fit is refused, never
 * cut short.
 *
 * Canonical request rules implemented (non-S3 services):
 *  - path: dot segments removed (RFC 3986 §5.2.4), empty segments collapsed, then every
 *    byte outside A-Z a-z 0-9 - . _ ~ and '/' encoded once as %XX (upper-case hex). The path
 *    is taken as given: a '%' in it is encoded again (%25), as AWS does for non-S3 services.
 *  - query: split on '&', a parameter without '=' has an empty value; names and values are
 *    %-decoded where a valid %XX escape appears and then encoded as above (so "a b", "a%20b"
 *    and raw UTF-8 all canonicalise the same way), then sorted by name, then value.
 *  - headers: names lower-cased; values trimmed, runs of spaces/tabs collapsed to one
 *    space; headers of the same name joined with ',' in request order; sorted by name. Every
 *    header given is signed: pass only the headers to sign.
 *
 * Secrets: the secret key, the session token and signatures are never logged; the access
 * key id is logged only through ertc_log_redact ("AKID****").
 */
#ifndef ERTC_SIGNALING_KVS_SIGV4_H
#define ERTC_SIGNALING_KVS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "webrtc_status.h"

/* Limits on what the signer accepts; larger input gives LIMIT_EXCEEDED. */
#define ERTC_SIGV4_MAX_HEADERS           32     /* headers in one request, incl. the added ones */
#define ERTC_SIGV4_MAX_HEADER_NAME       64     /* bytes in a header name */
#define ERTC_SIGV4_MAX_HEADER_VALUE      4096   /* bytes in a header value (STS tokens ~1-2 KiB) */
#define ERTC_SIGV4_MAX_PATH              2048   /* bytes in the request path */
#define ERTC_SIGV4_MAX_QUERY             8192   /* bytes in the raw query string */
#define ERTC_SIGV4_MAX_QUERY_PARAMS      64     /* parameters in the query string */
#define ERTC_SIGV4_MAX_CANONICAL_REQUEST 32768  /* bytes in a canonical request */
#define ERTC_SIGV4_MAX_SECRET            128    /* bytes in a secret access key */
#define ERTC_SIGV4_MAX_SCOPE_PART        64     /* bytes in a region or service name */
#define ERTC_SIGV4_MAX_EXPIRES           604800 /* longest presigned URL lifetime (7 days) */

#define ERTC_SIGV4_ALGORITHM       "AWS4-HMAC-SHA256"
#define ERTC_SIGV4_AMZ_DATE_SIZE   17 /* "YYYYMMDDTHHMMSSZ" and a NUL */
#define ERTC_SIGV4_HEX_SHA256_SIZE 65 /* 64 lower-case hex digits and a NUL */
#define ERTC_SIGV4_KEY_LEN         32 /* a derived signing key (HMAC-SHA256 output) */
/* Hex SHA-256 of the empty payload: the payload hash of a GET and of a presigned URL. */
#define ERTC_SIGV4_EMPTY_PAYLOAD_SHA256                                                            \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/*
 * Device clocks without NTP drift; KVS answers 403 "Signature expired" beyond AWS's 5-minute
 * window, so a server Date further away than this is applied as an offset
 * (specs/kvs-signaling.md §1.6, "clock-skew correction threshold").
 */
#define ERTC_SIGV4_CLOCK_SKEW_THRESHOLD_S 300

/* ertc_sigv4_sign_headers flags */
#define ERTC_SIGV4_SIGN_TOKEN 0x1u /* X-Amz-Security-Token is a signed header (AWS SDK style) */

typedef struct {
    const char *name; /* any case; compared case-insensitively */
    size_t name_len;
    const char *value; /* raw value; trimmed and space-collapsed by the signer */
    size_t value_len;
} ertc_sigv4_header_t;

typedef struct {
    const char *method; /* "GET", "POST", ... (NUL-terminated) */
    const char *path;   /* the path as on the request line; NULL or empty means "/" */
    size_t path_len;
    const char *query; /* after '?'; NULL without a query */
    size_t query_len;
    const ertc_sigv4_header_t *headers; /* the headers to sign */
    size_t header_count;
    const uint8_t *payload; /* hashed unless payload_hash is given */
    size_t payload_len;
    const char *payload_hash; /* optional precomputed hex hash (or "UNSIGNED-PAYLOAD") */
    bool keep_path;           /* true only for S3: no dot-segment removal or slash collapsing */
} ertc_sigv4_request_t;

typedef struct {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or "" for long-term credentials */
    const char *region;        /* "us-east-1" */
    const char *service;       /* "kinesisvideo" */
    const char *amz_date;      /* signing time, "YYYYMMDDTHHMMSSZ" (ertc_sigv4_format_amz_date) */
} ertc_sigv4_params_t;

/*
 * Optional copies of the intermediate texts, for the edgertc-sigv4 tool and for tests. Set
 * the builders wanted (initialised by the caller), leave the others NULL.
 */
typedef struct {
    ertc_strbuf_t *canonical_request;
    ertc_strbuf_t *string_to_sign;
    ertc_strbuf_t *signed_headers;
} ertc_sigv4_debug_t;

typedef struct {
    const char *name; /* raw (unencoded) name, e.g. "X-Amz-ChannelARN" */
    const char *value;
} ertc_sigv4_query_param_t;

/* ---- steps (exposed for tests and the tool) ---------------------------------------------- */

/*
 * Appends the canonical request for req to creq and, when signed_headers is not NULL, the
 * signed-headers list ("host;x-amz-date") to it. INVALID_ARG for a header name that is not
 * an HTTP token or a value holding CR/LF; LIMIT_EXCEEDED beyond the limits above.
 */
WEBRTC_STATUS ertc_sigv4_build_canonical_request(const ertc_sigv4_request_t *req,
                                                 ertc_strbuf_t *creq,
                                                 ertc_strbuf_t *signed_headers);

/* Appends the canonical (sorted, encoded) form of query[0..len) to out. */
WEBRTC_STATUS ertc_sigv4_build_canonical_query(const char *query, size_t len, ertc_strbuf_t *out);

/* Appends "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(creq)>" to sts. */
WEBRTC_STATUS ertc_sigv4_build_string_to_sign(const char *amz_date, const char *region,
                                              const char *service, const char *creq,
                                              size_t creq_len, ertc_strbuf_t *sts);

/* The HMAC chain "AWS4"+secret → date (YYYYMMDD) → region → service → "aws4_request". */
WEBRTC_STATUS ertc_sigv4_derive_signing_key(const char *secret_access_key, const char *date8,
                                            const char *region, const char *service,
                                            uint8_t key[ERTC_SIGV4_KEY_LEN]);

/* Lower-case hex HMAC-SHA256(key, sts). */
void ertc_sigv4_compute_signature(const uint8_t key[ERTC_SIGV4_KEY_LEN], const char *sts,
                                  size_t sts_len, char hex[ERTC_SIGV4_HEX_SHA256_SIZE]);

/* Lower-case hex SHA-256 of data[0..len). */
void ertc_sigv4_sha256_hex(const void *data, size_t len, char hex[ERTC_SIGV4_HEX_SHA256_SIZE]);

/* Appends "AWS4-HMAC-SHA256 Credential=<akid>/<scope>, SignedHeaders=<list>, Signature=<hex>". */
WEBRTC_STATUS ertc_sigv4_format_authorization(const char *access_key_id, const char *amz_date,
                                              const char *region, const char *service,
                                              const char *signed_headers, const char *signature,
                                              ertc_strbuf_t *out);

/* ---- entry points ------------------------------------------------------------------------ */

/*
 * Signs a request with the Authorization header and appends its value to authorization.
 *
 * The signer adds "X-Amz-Date: <params->amz_date>" to the signed headers unless req already
 * has an X-Amz-Date header (whose value must then equal params->amz_date). With a session
 * token and ERTC_SIGV4_SIGN_TOKEN it also adds "X-Amz-Security-Token: <token>" (unless
 * present); without the flag the token is not signed (the KVS C SDK's choice; the test
 * suite's post-sts-header-after). Either way the caller sends X-Amz-Date and, with a token,
 * X-Amz-Security-Token with exactly these values.
 */
WEBRTC_STATUS ertc_sigv4_sign_headers(const ertc_sigv4_params_t *params,
                                      const ertc_sigv4_request_t *req, unsigned flags,
                                      ertc_strbuf_t *authorization, ertc_sigv4_debug_t *debug);

/*
 * Presigns a GET of url (e.g. the KVS "wss://m-1234.kinesisvideo.us-east-1.amazonaws.com")
 * for expires_s seconds (1..ERTC_SIGV4_MAX_EXPIRES) and appends the resulting URL to out:
 * "<scheme>://<host>[:port]<path>?<canonical query>&X-Amz-Signature=<hex>".
 *
 * The canonical query holds url's own query parameters, extra[] (e.g. X-Amz-ChannelARN,
 * X-Amz-ClientId for a viewer), X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders=host and, with a session token, X-Amz-Security-Token (signed: KVS
 * requires it inside the canonical query). The only signed header is host; the payload hash
 * is that of the empty string.
 */
WEBRTC_STATUS ertc_sigv4_presign_url(const ertc_sigv4_params_t *params, const char *url,
                                     size_t url_len, const ertc_sigv4_query_param_t *extra,
                                     size_t extra_count, uint32_t expires_s, ertc_strbuf_t *out,
                                     ertc_sigv4_debug_t *debug);

/* ---- time -------------------------------------------------------------------------------- */

/* Formats Unix time (UTC) as "YYYYMMDDTHHMMSSZ"; INVALID_ARG outside years 1970-9999. */
WEBRTC_STATUS ertc_sigv4_format_amz_date(int64_t unix_seconds, char out[ERTC_SIGV4_AMZ_DATE_SIZE]);

/* True when s is a well-formed "YYYYMMDDTHHMMSSZ" (digits in range, NUL-terminated). */
bool ertc_sigv4_amz_date_valid(const char *s);

/*
 * The offset (seconds) to add to the local clock when signing: server_unix − local_unix when
 * they differ by more than threshold_s, else 0. server_unix <= 0 (no Date header) gives 0.
 * Use the server Date of the latest HTTPS response (http_client's response.server_date).
 */
int64_t ertc_sigv4_clock_skew_offset(int64_t server_unix, int64_t local_unix, int64_t threshold_s);

#endif
