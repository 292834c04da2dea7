/*
 * signald/ws_conn — the server side of a WebSocket (RFC 6455) on an accepted connection,
 * for the protocol modules (the Collider today).
 *
 * A route accepts an upgrade with sd_ws_accept_upgrade; once the 101 is written the
 * connection decodes frames (net/ws_frame, server role: client frames must be masked),
 * answers pings, answers a close frame with a close frame, and hands each complete data
 * message to the module's handler. Our frames are unmasked, as a server's must be (§5.1).
 *
 * on_close runs exactly once per accepted WebSocket, whoever ends it (the peer, an error,
 * sd_ws_close, server shutdown); the sd_conn_t stays valid until the callback returns and
 * must not be used afterwards.
 */
#ifndef SIGNALD_WS_CONN_H
#define SIGNALD_WS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_route.h"
#include "webrtc_status.h"

struct sd_ws_handler {
    void (*on_open)(sd_conn_t *ws, void *arg);
    /* A complete text or binary message (text is valid UTF-8; data is not NUL-terminated). */
    void (*on_message)(sd_conn_t *ws, const char *data, size_t len, void *arg);
    void (*on_close)(sd_conn_t *ws, void *arg);
};

/* Checks a WebSocket upgrade request (RFC 6455 §4.2.1), and the Origin header when
 * require_origin (the Collider answers 403 without one, specs/apprtc.md §2.1). Returns true with
 * resp prepared for the 101, or false with resp set to the refusal (400, 403, 405 or 426, with the
 * reason in the body). */
bool sd_ws_accept_upgrade(const sd_http_request_t *req, sd_http_response_t *resp,
                          bool require_origin, const sd_ws_handler_t *handler, void *arg);

/* Sends one text frame. CLOSED when the WebSocket is no longer open, QUEUE_FULL when the
 * peer does not read (the output buffer is full; the caller decides what to drop). */
WEBRTC_STATUS sd_ws_send_text(sd_conn_t *ws, const char *data, size_t len);

/* Sends a close frame with code and reason (may be NULL), stops delivering messages, calls
 * on_close, and closes the socket once the peer answers or SD_CLOSE_LINGER_MS passes. */
void sd_ws_close(sd_conn_t *ws, uint16_t code, const char *reason);

bool sd_ws_is_open(const sd_conn_t *ws);

/* One pointer a module may attach to a WebSocket (the Collider's client record). */
void sd_ws_set_user(sd_conn_t *ws, void *user);
void *sd_ws_user(const sd_conn_t *ws);

/* "ip:port" of the peer, and a number unique to the connection, for logs. */
const char *sd_conn_peer(const sd_conn_t *c);
uint64_t sd_conn_id(const sd_conn_t *c);

#endif
