/*
 * signald/http_route — what a protocol module sees of HTTP: the request, the response it
 * fills in, and the route function every module implements.
 *
 * A listener (server.h) has an ordered table of routes; for each complete request the
 * connection (http_conn.c) calls them in order until one answers SD_ROUTE_DONE, and
 * answers 404 itself when none does. The AppRTC room server (room_server.c), the Collider
 * (collider_routes.c) and the static files (static_files.c) are such modules; another
 * protocol (a KVS emulator on its own listener) adds its own table the same way.
 *
 * Handlers answer synchronously: they fill the response and return. The connection adds
 * the headers every answer carries (Access-Control-Allow-Origin: *, Cache-Control:
 * no-store, Content-Length, Connection: close when it closes) and writes it.
 */
#ifndef SIGNALD_HTTP_ROUTE_H
#define SIGNALD_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "net/http_parser.h"
#include "net/http_request.h"
#include "net/ws_handshake.h"
#include "route_path.h"
#include "util/strbuf.h"

typedef struct sd_conn sd_conn_t;
typedef struct sd_ws_handler sd_ws_handler_t;

typedef struct {
    const char *method;              /* "GET", "POST" ... */
    const char *target;              /* the request-target as sent */
    const char *path;                /* target without the query, starts with '/' */
    const char *query;               /* after '?', "" without one */
    const sd_route_path_t *segments; /* path split at '/' */
    const char *host;                /* the Host header if it is a sane host[:port], else the
                                      * listener's address: for the URLs we hand out */
    const char *body;                /* NUL-terminated (the NUL is not counted) */
    size_t body_len;
    const ertc_http_parser_t *parser; /* for headers */
    sd_conn_t *conn;
} sd_http_request_t;

/* A request header (case-insensitive name), NULL when absent. */
const char *sd_http_request_header(const sd_http_request_t *req, const char *name);

#define SD_HTTP_MAX_EXTRA_HEADERS 8

typedef struct {
    int status;               /* 200 unless set */
    const char *content_type; /* NULL: no Content-Type */
    /* Extra headers; names and values must outlive the handler call (string literals, or
     * text in value_store). */
    ertc_http_header_t headers[SD_HTTP_MAX_EXTRA_HEADERS];
    size_t n_headers;
    char value_store[256];
    size_t value_store_used;
    ertc_strbuf_t body; /* heap builder, bounded by the connection's output buffer */
    bool close;         /* close the connection after this answer */
    /* Set by sd_ws_accept_upgrade: switch the connection to WebSocket after a 101. */
    const sd_ws_handler_t *ws_handler;
    void *ws_arg;
    char ws_accept[ERTC_WS_ACCEPT_SIZE];
} sd_http_response_t;

/* Adds an extra header. value is copied into the response. False when full. */
bool sd_http_response_add_header(sd_http_response_t *resp, const char *name, const char *value);

/* Sets status and a text/plain body: the formatted reason and a newline. Use it for every
 * refusal, so that the client learns why. */
void sd_http_respond_text(sd_http_response_t *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets status and the content type application/json; the caller appends the body. */
void sd_http_respond_json(sd_http_response_t *resp, int status);

/* 405 with an Allow header listing allowed (for example "POST"). */
void sd_http_respond_method_not_allowed(sd_http_response_t *resp, const sd_http_request_t *req,
                                        const char *allowed);

typedef enum {
    SD_ROUTE_NEXT, /* not mine: try the next route */
    SD_ROUTE_DONE, /* answered (resp is filled in) */
} sd_route_result_t;

typedef sd_route_result_t (*sd_route_fn)(void *ctx, const sd_http_request_t *req,
                                         sd_http_response_t *resp);

typedef struct {
    const char *name; /* for logs: "apprtc", "collider", "static" */
    sd_route_fn handle;
    void *ctx;
} sd_route_t;

#endif
