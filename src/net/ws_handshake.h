/*
 * net/ws_handshake — the WebSocket opening handshake (RFC 6455 §4, §1.3), both sides.
 *
 * The client builds its upgrade request and checks the server's answer (§4.1); the server
 * (edgertc-signald) checks a client's request and builds its answer (§4.2). All of it is
 * pure string work over caller buffers. HTTP parsing is not done here: header values come
 * through a small lookup callback, so any parser (net/http_parser, or a test's table) can
 * supply them. Every check that fails writes a specific, actionable message into err.
 *
 * Strictness, following the MUSTs of §4.1 and §4.2.1:
 *  - client side: the status must be 101; Upgrade must equal "websocket" (any case);
 *    Connection must list the token "upgrade" (any case); Sec-WebSocket-Accept must be the
 *    one for our key; a Sec-WebSocket-Extensions answer fails (we never offer extensions);
 *    Sec-WebSocket-Protocol must be exactly the subprotocol we asked for, and absent when we
 *    asked for none (like browsers, we also fail when we asked and the server chose none).
 *  - server side: the method must be GET; Host must be present; Upgrade must list
 *    "websocket" and Connection "upgrade" (any case); Sec-WebSocket-Version must be 13 (any
 *    other version is answered 426 with "Sec-WebSocket-Version: 13", §4.4);
 *    Sec-WebSocket-Key must be base64 of exactly 16 bytes.
 */
#ifndef ERTC_NET_WS_HANDSHAKE_H
#define ERTC_NET_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "webrtc_status.h"

#define ERTC_WS_KEY_LEN      24 /* base64 of the 16-byte nonce (§4.1) */
#define ERTC_WS_KEY_SIZE     (ERTC_WS_KEY_LEN + 1)
#define ERTC_WS_KEY_BYTES    16
#define ERTC_WS_ACCEPT_LEN   28 /* base64 of a 20-byte SHA-1 digest (§4.2.2) */
#define ERTC_WS_ACCEPT_SIZE  (ERTC_WS_ACCEPT_LEN + 1)
#define ERTC_WS_VERSION      "13"
#define ERTC_WS_GUID         "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" /* §1.3 */
#define ERTC_WS_MAX_KEY_TEXT 64 /* longest key text ertc_ws_accept_for_key hashes */
/* A buffer that holds any request or response error message of this module. */
#define ERTC_WS_HANDSHAKE_ERROR_SIZE 160

/*
 * Returns the value of the header field `name` (compared case-insensitively), or NULL when
 * the message has none. When a field occurs several times, return the values joined with
 * ", " (RFC 7230 §3.2.2). Leading and trailing spaces and tabs in a value are ignored.
 */
typedef const char *(*ertc_ws_get_header_fn)(void *ctx, const char *name);

typedef struct {
    const char *name;
    const char *value;
} ertc_ws_header_t;

typedef struct {
    const char *host;        /* Host header: "host" or "host:port" ("[v6]:port") */
    const char *path;        /* request target: path and query, starting with '/' */
    const char *origin;      /* Origin header; optional (our AppRTC server requires it) */
    const char *subprotocol; /* Sec-WebSocket-Protocol to ask for; optional, one token */
    /* Further headers (Authorization, User-Agent, Cookie ...). The handshake's own headers
     * (Host, Upgrade, Connection, Origin, Sec-WebSocket-*) are refused here. */
    const ertc_ws_header_t *headers;
    size_t header_count;
    const char *key; /* Sec-WebSocket-Key from ertc_ws_make_key */
} ertc_ws_client_request_t;

/* What the server learns from a valid (or refused) client request. Pointers are the values
 * get_header returned. */
typedef struct {
    const char *origin;       /* Origin header, NULL when absent: the server may require it */
    const char *subprotocols; /* Sec-WebSocket-Protocol list offered, NULL when absent */
    int reject_status;        /* on failure, the HTTP status to answer: 400, 405 or 426 */
} ertc_ws_request_info_t;

/* ---- client side ----------------------------------------------------------------------- */

/* A fresh Sec-WebSocket-Key: 16 random bytes (ertc_random_bytes), base64-encoded. */
WEBRTC_STATUS ertc_ws_make_key(char out[ERTC_WS_KEY_SIZE]);

/* The Sec-WebSocket-Accept for a key: base64(SHA-1(key + ERTC_WS_GUID)) (§4.2.2).
 * INVALID_ARG for an empty key or one longer than ERTC_WS_MAX_KEY_TEXT. */
WEBRTC_STATUS ertc_ws_accept_for_key(const char *key, char out[ERTC_WS_ACCEPT_SIZE]);

/*
 * Writes the upgrade request (request line, headers, blank line) into out[0..size),
 * NUL-terminated, and sets *len to its length. INVALID_ARG when a field would break the
 * request (CR, LF or other control characters, a path not starting with '/', a header name
 * or subprotocol that is not an HTTP token, a key that is not base64 of 16 bytes, a header
 * the handshake sets itself); BUFFER_TOO_SMALL when it does not fit.
 */
WEBRTC_STATUS ertc_ws_build_client_request(char *out, size_t size, size_t *len,
                                           const ertc_ws_client_request_t *req);

/*
 * Checks the server's answer to our request (§4.1, last part): status is the HTTP status
 * code, key the key we sent, subprotocol the one we asked for (NULL for none). Returns
 * SUCCESS, or MALFORMED with the reason in err (optional; ERTC_WS_HANDSHAKE_ERROR_SIZE
 * holds any message). A non-101 status is MALFORMED too; the caller has the status to tell
 * a refusal (401, 403) from a broken server.
 */
WEBRTC_STATUS ertc_ws_check_server_response(int status, ertc_ws_get_header_fn get_header, void *ctx,
                                            const char *key, const char *subprotocol, char *err,
                                            size_t errlen);

/* ---- server side ----------------------------------------------------------------------- */

/*
 * Checks a client's upgrade request (§4.2.1) and, when it is valid, writes the
 * Sec-WebSocket-Accept to answer into accept_out (at least ERTC_WS_ACCEPT_SIZE bytes).
 * info (optional) receives Origin and the offered subprotocols and, on failure, the HTTP
 * status to answer (ertc_ws_build_reject_response). Returns MALFORMED with the reason in
 * err when the request is not a valid WebSocket upgrade.
 */
WEBRTC_STATUS ertc_ws_check_client_request(const char *method, ertc_ws_get_header_fn get_header,
                                           void *ctx, char *accept_out, size_t accept_size,
                                           ertc_ws_request_info_t *info, char *err, size_t errlen);

/* Writes "101 Switching Protocols" with the accept value and the chosen subprotocol (NULL
 * for none; it must be one the client offered). NUL-terminated, *len without the NUL. */
WEBRTC_STATUS ertc_ws_build_server_response(char *out, size_t size, size_t *len, const char *accept,
                                            const char *subprotocol);

/*
 * Writes an error answer with an empty body and "Connection: close" for status 400, 403,
 * 404, 405 (with "Allow: GET"), 426 (with "Upgrade: websocket" and
 * "Sec-WebSocket-Version: 13", §4.4), 429, 500 or 503; INVALID_ARG for other statuses.
 */
WEBRTC_STATUS ertc_ws_build_reject_response(char *out, size_t size, size_t *len, int status);

/* True when the comma-separated header value lists token, compared case-insensitively
 * ("keep-alive, Upgrade" lists "upgrade"). */
bool ertc_ws_header_has_token(const char *value, const char *token);

/* True when a client's Sec-WebSocket-Protocol list offers name (compared exactly). */
bool ertc_ws_offers_subprotocol(const char *offered, const char *name);

#endif
