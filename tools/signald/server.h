/*
 * signald/server — listening sockets and the connections they accept.
 *
 * One server runs on one event loop and owns every connection. Each listener has its own
 * address and its own route table (http_route.h), so another protocol (a KVS emulator)
 * can be served on a second port from the same process without touching this file.
 * Connections are bounded by SD_MAX_CONNECTIONS over all listeners: one more is answered
 * "503 Service Unavailable" with a reason and closed at once.
 */
#ifndef SIGNALD_SERVER_H
#define SIGNALD_SERVER_H

#include <stddef.h>

#include "http_route.h"
#include "net/tls.h"
#include "port/loop.h"
#include "port/socket.h"
#include "webrtc_status.h"

typedef struct sd_server sd_server_t;
typedef struct sd_listener sd_listener_t;

#define SD_LISTENER_MAX_ROUTES 8
#define SD_LISTEN_BACKLOG      128

sd_server_t *sd_server_create(ertc_loop_t *loop);

/* Listens on addr (port 0 picks a free one) and serves requests with routes, tried in
 * order (the table is copied). name is for logs. On failure writes the reason to err. */
WEBRTC_STATUS sd_server_listen(sd_server_t *s, const char *name, const ertc_addr_t *addr,
                               const sd_route_t *routes, size_t n_routes, sd_listener_t **out,
                               char *err, size_t errlen);

/* Like sd_server_listen, and with tls (not NULL) every connection is TLS first (the listener
 * takes a reference to the configuration). */
WEBRTC_STATUS sd_server_listen_tls(sd_server_t *s, const char *name, const ertc_addr_t *addr,
                                   ertc_tls_config_t *tls, const sd_route_t *routes,
                                   size_t n_routes, sd_listener_t **out, char *err, size_t errlen);

/* Closes a connection at once, without a WebSocket close frame or an HTTP answer: what a
 * network failure looks like to the peer (the KVS emulator's /_test/drop). A WebSocket
 * handler's on_close runs. */
void sd_conn_drop(sd_conn_t *c);

/* The address actually bound (with the real port). */
const ertc_addr_t *sd_listener_address(const sd_listener_t *l);
/* That address as a URL authority: "127.0.0.1:8080" or "[::1]:8080". */
const char *sd_listener_authority(const sd_listener_t *l);

size_t sd_server_connection_count(const sd_server_t *s);

/* Closes every connection (WebSocket handlers get on_close) and every listener, and frees
 * the server. Call it on the loop thread, outside loop callbacks (after ertc_loop_run). */
void sd_server_destroy(sd_server_t *s);

#endif
