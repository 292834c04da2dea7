/*
 * signaling/kvs/kvs_credentials — the AWS credential record KVS signs with, and pure parsers
 * for where it comes from: the AWS IoT credentials provider response (spec §4), the
 * credential file ("CREDENTIALS <akid> <secret>" or
 * "CREDENTIALS <akid> <expiration> <secret> <token>") and environment-variable values.
 *
 * The record holds secrets: ertc_kvs_credentials_clear()/free() overwrite them, and
 * ertc_kvs_credentials_describe() is the only way they reach a log — as "AKIA**** expiring in
 * 3540 s", the key id redacted, the secret and the token never.
 *
 * Parse failures give MALFORMED (LIMIT_EXCEEDED for a field or input over its limit) and
 * leave the output cleared.
 */
#ifndef ERTC_SIGNALING_KVS_CREDENTIALS_H
#define ERTC_SIGNALING_KVS_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_KVS_MAX_ACCESS_KEY_ID_LEN 128 /* IAM: 16..128 */
#define ERTC_KVS_MAX_SECRET_KEY_LEN    128
/* STS/IoT session tokens are about 1 KiB today; AWS advises allowing for growth. */
#define ERTC_KVS_MAX_SESSION_TOKEN_LEN 4096
/* Whole inputs: an IoT response or a credential file larger than this is refused. */
#define ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN 8192
/* Expiration of credentials that never expire (static keys). */
#define ERTC_KVS_CREDENTIALS_NO_EXPIRY INT64_MAX
/* Refresh margin the C SDK uses for IoT credentials: 5 s + 30 s + 3 s (spec §4). */
#define ERTC_KVS_CREDENTIALS_REFRESH_GRACE_S 38

typedef struct {
    char access_key_id[ERTC_KVS_MAX_ACCESS_KEY_ID_LEN + 1];
    char secret_access_key[ERTC_KVS_MAX_SECRET_KEY_LEN + 1];
    char session_token[ERTC_KVS_MAX_SESSION_TOKEN_LEN + 1]; /* "" when none */
    int64_t expiration; /* Unix seconds, or ERTC_KVS_CREDENTIALS_NO_EXPIRY */
} ertc_kvs_credentials_t;

/* A zeroed record on the heap (ertc_calloc), or NULL. */
ertc_kvs_credentials_t *ertc_kvs_credentials_new(void);
/* Overwrites every byte (so the compiler cannot drop it) and frees; NULL is fine. */
void ertc_kvs_credentials_free(ertc_kvs_credentials_t *creds);
/* Overwrites every byte of a record the caller owns. */
void ertc_kvs_credentials_clear(ertc_kvs_credentials_t *creds);
/* Overwrites n bytes at p in a way the compiler keeps. */
void ertc_kvs_secure_zero(void *p, size_t n);

/*
 * "YYYY-MM-DDTHH:MM:SSZ" (ISO-8601 / RFC 3339 UTC; optional fractional seconds, which are
 * dropped; "+00:00" accepted for "Z") → Unix seconds. Years 1970..9999. MALFORMED otherwise.
 */
WEBRTC_STATUS ertc_kvs_parse_iso8601(const char *s, size_t len, int64_t *out);

/* {"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}: all four
 * required (the provider always issues temporary credentials). */
WEBRTC_STATUS ertc_kvs_credentials_parse_iot(const char *buf, size_t len,
                                             ertc_kvs_credentials_t *out);

/*
 * The credential file: whitespace-separated tokens, the first "CREDENTIALS", then either
 * <akid> <secret> (no expiry) or <akid> <expiration> <secret> <token>. The spec is silent on
 * the expiration format; this accepts the ISO-8601 UTC stamp the IoT provider uses
 * (2026-11-22T12:00:00Z), or plain Unix seconds.
 */
WEBRTC_STATUS ertc_kvs_credentials_parse_file(const char *buf, size_t len,
                                              ertc_kvs_credentials_t *out);

/*
 * Values of AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (NULL or "" = none)
 * and an optional expiration (NULL or "" = never; ISO-8601 UTC otherwise). This function
 * does not read the environment; the caller passes getenv() results.
 */
WEBRTC_STATUS ertc_kvs_credentials_from_env(const char *access_key_id, const char *secret,
                                            const char *session_token, const char *expiration,
                                            ertc_kvs_credentials_t *out);

/* now + grace_s >= expiration (saturating); never for NO_EXPIRY. */
bool ertc_kvs_credentials_refresh_needed(const ertc_kvs_credentials_t *creds, int64_t now,
                                         int64_t grace_s);

/* "AKIA**** expiring in 3540 s", "AKIA**** expired 20 s ago", "AKIA**** (no expiry)",
 * followed by " with session token" when there is one; returns buf. */
const char *ertc_kvs_credentials_describe(const ertc_kvs_credentials_t *creds, int64_t now,
                                          char *buf, size_t size);

#endif
