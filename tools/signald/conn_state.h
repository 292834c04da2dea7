/*
 * signald/conn_state — one accepted TCP connection and its state machine, shared by the
 * listener (server.c), the HTTP side (http_conn.c) and the WebSocket side (ws_conn.c).
 * Protocol modules never include this: they see sd_conn_t through ws_conn.h.
 *
 *   HTTP ──(101 written)──> WEBSOCKET
 *    │                         │
 *    └──(last answer queued)───┴──(close frame queued)──> LINGER ──> CLOSED
 *
 * Every state may go straight to CLOSED when the socket fails or the server shuts down.
 * LINGER keeps reading (and discarding) so that unread input does not make the kernel
 * reset the connection before the peer has read our last bytes: it ends when the output is
 * flushed and, if linger_for_peer, the peer has closed (or sent its close frame), or after
 * SD_CLOSE_LINGER_MS. A CLOSED connection is only unlinked; the server frees it from a
 * zero-delay timer, so no callback on the stack ever sees it freed.
 */
#ifndef SIGNALD_CONN_STATE_H
#define SIGNALD_CONN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "http_route.h"
#include "net/conn.h"
#include "net/http_parser.h"
#include "net/ws_frame.h"
#include "port/loop.h"
#include "util/strbuf.h"
#include "ws_conn.h"

typedef struct sd_server sd_server_t;
typedef struct sd_listener sd_listener_t;

typedef enum {
    SD_CONN_HTTP,      /* reading requests, answering them in order */
    SD_CONN_WEBSOCKET, /* upgraded: frames both ways */
    SD_CONN_LINGER,    /* last bytes queued: flush, wait for the peer, then close */
    SD_CONN_CLOSED,    /* socket released; waiting to be freed */
} sd_conn_state_t;

struct sd_conn {
    sd_server_t *server;
    sd_listener_t *listener;
    ertc_conn_t *conn;
    sd_conn_state_t state;
    uint64_t id;
    char peer[ERTC_ADDR_STRLEN];
    sd_conn_t *prev;
    sd_conn_t *next;
    ertc_timer_t timer; /* HTTP: request timeout; LINGER: the linger limit */

    /* HTTP */
    ertc_http_parser_t parser;
    bool parser_ready;
    bool continue_sent;   /* "100 Continue" answered for this request */
    size_t request_bytes; /* bytes of the current request seen so far */
    ertc_strbuf_t body;

    /* WebSocket */
    ertc_ws_decoder_t decoder;
    bool decoder_ready;
    const sd_ws_handler_t *ws_handler;
    void *ws_arg;
    void *ws_user;
    bool ws_notified; /* on_close has run */

    /* LINGER */
    bool linger_for_peer;  /* wait for the peer's close (frame or EOF) */
    bool linger_websocket; /* decode input looking for the close frame */
};

/* server.c */
/* Releases the socket now (no more callbacks), tells a WebSocket handler, and schedules
 * the free. Safe from any callback. */
void sd_conn_release(sd_conn_t *c, const char *why);
/* Enters LINGER (see above). */
void sd_conn_linger(sd_conn_t *c, bool wait_for_peer, bool websocket);
ertc_loop_t *sd_conn_loop(const sd_conn_t *c);
const sd_route_t *sd_listener_routes(const sd_listener_t *l, size_t *n);

/* http_conn.c */
WEBRTC_STATUS sd_http_conn_start(sd_conn_t *c);
void sd_http_conn_on_data(sd_conn_t *c, const uint8_t *data, size_t len);
void sd_http_conn_on_timeout(sd_conn_t *c);
void sd_http_conn_free(sd_conn_t *c);

/* ws_conn.c */
/* Switches to WEBSOCKET after the 101 was queued; data is what followed the request. */
void sd_ws_conn_start(sd_conn_t *c, const sd_ws_handler_t *h, void *arg, const uint8_t *data,
                      size_t len);
void sd_ws_conn_on_data(sd_conn_t *c, const uint8_t *data, size_t len);
/* Runs on_close once, if the connection was a WebSocket. */
void sd_ws_conn_notify_closed(sd_conn_t *c);
void sd_ws_conn_free(sd_conn_t *c);

#endif
