/*
 * net/http_client — HTTP/1.1 requests over net/conn (http:// and https://).
 *
 * One request at a time per client; the connection is kept alive between requests to the same
 * origin (scheme, host, port), so a series of control-plane calls costs one TCP and TLS
 * handshake. A reused connection that the server had already closed is retried once on a
 * fresh one, when not a byte of the response had come. The response gives the status, the
 * headers, the body (bounded by max_body) and the server's Date (for SigV4 clock-skew
 * correction). Statuses 4xx/5xx are responses, not errors; errors are transport problems,
 * each with a readable message in the response's error text.
 *
 * ertc_http_sync_* is the blocking form for the work queue: it runs a private event loop
 * on the calling thread, so it must not be called on an app's loop thread.
 */
#ifndef ERTC_NET_HTTP_CLIENT_H
#define ERTC_NET_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http_request.h"
#include "net/tls.h"
#include "port/loop.h"
#include "webrtc_status.h"

#define ERTC_HTTP_DEFAULT_TIMEOUT_MS 15000
#define ERTC_HTTP_ERROR_LEN 384

typedef struct {
    const char *method; /* NULL = "GET" */
    const char *url;    /* http://... or https://... */
    const ertc_http_header_t *headers;
    size_t header_count;
    const void *body;
    size_t body_len;
    uint32_t timeout_ms; /* the whole exchange, connecting included; 0 = default */
    uint64_t max_body;   /* 0 = ERTC_HTTP_DEFAULT_MAX_BODY_BYTES */
} ertc_http_request_t;

typedef struct {
    int status;      /* HTTP status; 0 when no response came */
    char reason[64];
    char *body;      /* NUL-terminated (the terminator is not counted), never NULL after a response */
    size_t body_len;
    int64_t server_date; /* the Date header in Unix seconds; 0 when absent or unreadable */
    bool reused_connection;
    char error[ERTC_HTTP_ERROR_LEN]; /* why the request failed ("" on success) */
    /* private: header fields as name\0value\0 pairs */
    char *headers;
    size_t headers_len;
} ertc_http_response_t;

/* The first header named `name` (case-insensitive), or NULL. */
const char *ertc_http_response_header(const ertc_http_response_t *r, const char *name);
void ertc_http_response_free(ertc_http_response_t *r);

typedef struct ertc_http_client ertc_http_client_t;
/* resp belongs to the client and is valid during the call; keep it by copying the struct and
 * zeroing the original (ertc_http_response_take). */
typedef void (*ertc_http_done_cb)(ertc_http_client_t *client, WEBRTC_STATUS status,
                                  ertc_http_response_t *resp, void *arg);

/* tls: used for https:// (NULL = https is refused with INVALID_ARG). */
WEBRTC_STATUS ertc_http_client_create(ertc_loop_t *loop, ertc_tls_config_t *tls,
                                      ertc_http_client_t **out);
/* INVALID_OPERATION while a request is in flight; INVALID_ARG for a bad URL or header. */
WEBRTC_STATUS ertc_http_client_send(ertc_http_client_t *c, const ertc_http_request_t *req,
                                    ertc_http_done_cb cb, void *arg);
/* Cancels a request in flight (no callback) and closes the connection. */
void ertc_http_client_free(ertc_http_client_t *c);
/* Moves a response out of the callback's hands into *dst. */
void ertc_http_response_take(ertc_http_response_t *dst, ertc_http_response_t *src);

typedef struct ertc_http_sync ertc_http_sync_t;
WEBRTC_STATUS ertc_http_sync_create(ertc_tls_config_t *tls, ertc_http_sync_t **out);
/* Blocks until the response or an error; *resp must be freed with ertc_http_response_free. */
WEBRTC_STATUS ertc_http_sync_request(ertc_http_sync_t *s, const ertc_http_request_t *req,
                                     ertc_http_response_t *resp);
void ertc_http_sync_free(ertc_http_sync_t *s);

#endif
