/*
 * signald/kvs_sigv4_verify — checking AWS SigV4 signatures on the KVS emulator's requests:
 * the Authorization header of the control-plane POSTs and the presigned query of the
 * WebSocket connect (specs/kvs-signaling.md §2).
 *
 * Verification is signing again: the canonical request is rebuilt from the request as
 * received (method, path, query, exactly the headers SignedHeaders lists, the body) with
 * the signer's public steps (src/signaling/kvs/sigv4.h), signed with the configured secret
 * and compared in constant time. Whatever header set a client chose to sign (the C SDK's
 * host;user-agent;x-amz-date or AWS SDK v3's eight) verifies, as long as host and
 * x-amz-date are among them.
 *
 * A refusal comes with the real service's error type (x-amzn-ErrorType) and message, so
 * clients that read the text ("Signature expired", the C SDK's clock-skew retry) react as
 * they do against AWS. Secrets and signatures are never written into messages or logs.
 */
#ifndef SIGNALD_KVS_SIGV4_VERIFY_H
#define SIGNALD_KVS_SIGV4_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "signaling/kvs/sigv4.h"
#include "webrtc_status.h"

/* AWS accepts request times this far from its clock either way. */
#define KVS_AUTH_SKEW_S             300
#define KVS_AUTH_MAX_AKID           128
#define KVS_AUTH_MAX_SIGNED_HEADERS 1024
#define KVS_AUTH_WHY_SIZE           256

typedef enum {
    KVS_AUTH_OK,
    KVS_AUTH_MISSING,       /* MissingAuthenticationTokenException */
    KVS_AUTH_INCOMPLETE,    /* IncompleteSignatureException: a part missing or malformed */
    KVS_AUTH_UNKNOWN_KEY,   /* UnrecognizedClientException: not our access key id */
    KVS_AUTH_BAD_SIGNATURE, /* InvalidSignatureException: mismatch, wrong scope */
    KVS_AUTH_EXPIRED,       /* InvalidSignatureException: "Signature expired: ..." */
    KVS_AUTH_NOT_YET,       /* InvalidSignatureException: "Signature not yet current: ..." */
} kvs_auth_result_t;

typedef struct {
    const char *access_key_id;
    const char *secret_access_key;
    const char *region;
    const char *service; /* "kinesisvideo" */
    int64_t now_s;       /* the server's Unix time */
} kvs_auth_keys_t;

/* A request header by name (any case), NULL when absent. */
typedef const char *(*kvs_auth_header_fn)(void *ctx, const char *name);

typedef struct {
    const char *method;
    const char *path;  /* as on the request line, without the query */
    const char *query; /* after '?', "" without one */
    kvs_auth_header_fn header;
    void *header_ctx;
    const uint8_t *body;
    size_t body_len;
} kvs_auth_request_t;

/* The parts of "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=hex", pointing into copies held here. */
typedef struct {
    char access_key_id[KVS_AUTH_MAX_AKID];
    char date8[9];
    char region[ERTC_SIGV4_MAX_SCOPE_PART];
    char service[ERTC_SIGV4_MAX_SCOPE_PART];
    char signed_headers[KVS_AUTH_MAX_SIGNED_HEADERS];
    char signature[ERTC_SIGV4_HEX_SHA256_SIZE];
} kvs_auth_parts_t;

/* Parses an Authorization header value. MALFORMED (with why) when a part is missing or bad. */
WEBRTC_STATUS kvs_auth_parse_header(const char *value, kvs_auth_parts_t *out, char *why,
                                    size_t whylen);

/* Parses "AKID/DATE/REGION/SERVICE/aws4_request" (already %-decoded) into out. */
WEBRTC_STATUS kvs_auth_parse_credential(const char *cred, kvs_auth_parts_t *out);

/* Copies the %-decoded value of query parameter name (exact, case-sensitive) into out.
 * NOT_FOUND, MALFORMED (bad escape or a NUL), BUFFER_TOO_SMALL. */
WEBRTC_STATUS kvs_query_get(const char *query, const char *name, char *out, size_t size);

/* Verifies a request signed in the Authorization header. why gets the service's message. */
kvs_auth_result_t kvs_auth_verify_header(const kvs_auth_keys_t *keys, const kvs_auth_request_t *req,
                                         char *why, size_t whylen);

/* Verifies a presigned GET (X-Amz-* query parameters, X-Amz-Signature anywhere). */
kvs_auth_result_t kvs_auth_verify_presigned(const kvs_auth_keys_t *keys,
                                            const kvs_auth_request_t *req, char *why,
                                            size_t whylen);

/* The x-amzn-ErrorType of a refusal ("InvalidSignatureException"); all are HTTP 403. */
const char *kvs_auth_error_type(kvs_auth_result_t r);

#endif
