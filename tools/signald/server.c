/*
 * signald/server — listeners, accepted connections, and their lifetime (see server.h and
 * the state machine in conn_state.h).
 *
 * Connection memory is released in two steps: sd_conn_release closes the socket and
 * unlinks the connection at once (so nothing reaches it any more), and a zero-delay timer
 * frees it on the next loop iteration. Callers deep in a callback chain (a Collider relay
 * whose write fails and closes the peer) therefore never touch freed memory.
 */
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "conn_state.h"
#include "signald_limits.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "signald"

/* After accept() fails (out of descriptors), wait this long before trying again rather
 * than spinning on a listener that stays readable. */
#define ACCEPT_RETRY_MS 100
/* At most one "refused: too many connections" line per this interval. */
#define REFUSAL_LOG_INTERVAL_US 1000000u

struct sd_listener {
    sd_listener_t *next;
    sd_server_t *server;
    char name[32];
    ertc_socket_t fd;
    ertc_io_t io;
    ertc_timer_t retry_timer;
    ertc_addr_t addr;
    char authority[ERTC_ADDR_STRLEN];
    sd_route_t routes[SD_LISTENER_MAX_ROUTES];
    size_t n_routes;
    ertc_tls_config_t *tls; /* NULL: plain TCP */
};

struct sd_server {
    ertc_loop_t *loop;
    sd_listener_t *listeners;
    sd_conn_t *live; /* doubly linked: every connection not yet CLOSED */
    size_t live_count;
    sd_conn_t *dead; /* CLOSED, waiting for the reaper (linked through next) */
    ertc_timer_t reap_timer;
    uint64_t next_id;
    uint64_t refused;
    uint64_t last_refusal_log_us;
};

static const char REFUSAL_503[] =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Cache-Control: no-store\r\n"
    "Connection: close\r\n"
    "Content-Length: 67\r\n"
    "\r\n"
    "edgertc-signald: too many open connections (limit 1024), try later\n";

/* ---- freeing ------------------------------------------------------------------------------ */

static void free_conn(sd_conn_t *c)
{
    sd_http_conn_free(c);
    sd_ws_conn_free(c);
    ertc_free(c);
}

static void reap(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    sd_server_t *s = arg;
    while (s->dead != NULL) {
        sd_conn_t *c = s->dead;
        s->dead = c->next;
        free_conn(c);
    }
}

static void unlink_live(sd_server_t *s, sd_conn_t *c)
{
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        s->live = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = NULL;
    s->live_count--;
}

void sd_conn_release(sd_conn_t *c, const char *why)
{
    if (c->state == SD_CONN_CLOSED) {
        return;
    }
    sd_server_t *s = c->server;
    ERTC_LOGD(TAG, "conn %llu %s: closed (%s)", (unsigned long long)c->id, c->peer, why);
    c->state = SD_CONN_CLOSED;
    ertc_timer_stop(s->loop, &c->timer);
    if (c->conn != NULL) {
        ertc_conn_close(c->conn);
        c->conn = NULL;
    }
    unlink_live(s, c);
    c->next = s->dead;
    s->dead = c;
    ertc_timer_start(s->loop, &s->reap_timer, 0, 0);
    /* Last: the handler may call back into the server (a Collider deregistering). */
    sd_ws_conn_notify_closed(c);
}

/* ---- lingering close ---------------------------------------------------------------------- */

static void finish_linger_if_done(sd_conn_t *c)
{
    if (c->state == SD_CONN_LINGER && !c->linger_for_peer && c->conn != NULL &&
        ertc_conn_buffered(c->conn) == 0) {
        sd_conn_release(c, "answer sent");
    }
}

void sd_conn_linger(sd_conn_t *c, bool wait_for_peer, bool websocket)
{
    if (c->state == SD_CONN_CLOSED || c->state == SD_CONN_LINGER) {
        return;
    }
    c->state = SD_CONN_LINGER;
    c->linger_for_peer = wait_for_peer;
    c->linger_websocket = websocket;
    ertc_timer_start(c->server->loop, &c->timer, SD_CLOSE_LINGER_MS, 0);
    finish_linger_if_done(c);
}

static void linger_on_data(sd_conn_t *c, const uint8_t *data, size_t len)
{
    if (c->linger_websocket) {
        sd_ws_conn_on_data(c, data, len); /* clears linger_for_peer on the close frame */
    }
    finish_linger_if_done(c);
}

void sd_conn_drop(sd_conn_t *c)
{
    sd_conn_release(c, "dropped on purpose");
}

ertc_loop_t *sd_conn_loop(const sd_conn_t *c)
{
    return c->server->loop;
}

const char *sd_conn_peer(const sd_conn_t *c)
{
    return c->peer;
}

uint64_t sd_conn_id(const sd_conn_t *c)
{
    return c->id;
}

/* ---- connection callbacks ----------------------------------------------------------------- */

static void on_conn_open(ertc_conn_t *conn, void *arg)
{
    (void)conn;
    sd_conn_t *c = arg;
    if (sd_http_conn_start(c) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "conn %s: out of memory for the HTTP parser; closing", c->peer);
        sd_conn_release(c, "out of memory");
    }
}

static void on_conn_data(ertc_conn_t *conn, const uint8_t *data, size_t len, void *arg)
{
    (void)conn;
    sd_conn_t *c = arg;
    switch (c->state) {
    case SD_CONN_HTTP: sd_http_conn_on_data(c, data, len); break;
    case SD_CONN_WEBSOCKET: sd_ws_conn_on_data(c, data, len); break;
    case SD_CONN_LINGER: linger_on_data(c, data, len); break;
    case SD_CONN_CLOSED: break;
    }
}

static void on_conn_drain(ertc_conn_t *conn, void *arg)
{
    (void)conn;
    finish_linger_if_done(arg);
}

static void on_conn_close(ertc_conn_t *conn, WEBRTC_STATUS status, const char *reason, void *arg)
{
    (void)conn;
    (void)status;
    sd_conn_release(arg, reason);
}

static void on_conn_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    sd_conn_t *c = arg;
    if (c->state == SD_CONN_HTTP) {
        sd_http_conn_on_timeout(c);
    } else if (c->state == SD_CONN_LINGER) {
        sd_conn_release(c, "linger time over");
    }
}

static const ertc_conn_callbacks_t CONN_CALLBACKS = {
    .on_open = on_conn_open,
    .on_data = on_conn_data,
    .on_drain = on_conn_drain,
    .on_close = on_conn_close,
};

/* ---- accepting ---------------------------------------------------------------------------- */

static void refuse_connection(sd_listener_t *l, ertc_socket_t fd, const ertc_addr_t *peer)
{
    sd_server_t *s = l->server;
    size_t sent = 0;
    (void)ertc_tcp_send(fd, REFUSAL_503, sizeof(REFUSAL_503) - 1, &sent); /* best effort */
    ertc_socket_close(fd);
    s->refused++;
    uint64_t now = ertc_loop_now_us(s->loop);
    if (s->last_refusal_log_us == 0 || now - s->last_refusal_log_us >= REFUSAL_LOG_INTERVAL_US) {
        char text[ERTC_ADDR_STRLEN] = "?";
        ertc_addr_format(peer, true, text, sizeof(text));
        ERTC_LOGW(TAG,
                  "%s: refused %s with 503: %d connections are open, the limit "
                  "(%llu refused so far)",
                  l->name, text, SD_MAX_CONNECTIONS, (unsigned long long)s->refused);
        s->last_refusal_log_us = now;
    }
}

static void adopt_connection(sd_listener_t *l, ertc_socket_t fd, const ertc_addr_t *peer)
{
    sd_server_t *s = l->server;
    sd_conn_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        ertc_socket_close(fd);
        ERTC_LOGE(TAG, "%s: out of memory for a new connection; closed it", l->name);
        return;
    }
    c->server = s;
    c->listener = l;
    c->id = ++s->next_id;
    c->state = SD_CONN_HTTP;
    ertc_addr_format(peer, true, c->peer, sizeof(c->peer));
    ertc_timer_init(&c->timer, on_conn_timer, c);
    WEBRTC_STATUS st =
        ertc_conn_accept(s->loop, fd, l->tls, SD_CONN_MAX_BUFFERED, &CONN_CALLBACKS, c, &c->conn);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: cannot adopt the connection from %s: %s", l->name, c->peer,
                  webrtc_status_name(st));
        ertc_free(c);
        return;
    }
    c->next = s->live;
    if (s->live != NULL) {
        s->live->prev = c;
    }
    s->live = c;
    s->live_count++;
    ERTC_LOGD(TAG, "conn %llu %s: accepted on %s", (unsigned long long)c->id, c->peer, l->name);
}

static void on_accept_retry(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    sd_listener_t *l = arg;
    ertc_io_start(loop, &l->io, ERTC_IO_READ);
}

static void on_listener_ready(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)io;
    (void)events;
    sd_listener_t *l = arg;
    for (;;) {
        ertc_socket_t cfd = ERTC_INVALID_SOCKET;
        ertc_addr_t peer;
        memset(&peer, 0, sizeof(peer));
        WEBRTC_STATUS st = ertc_tcp_accept(fd, &cfd, &peer);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            return;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "%s: accept failed: %s; pausing %d ms", l->name,
                      ertc_socket_error_text(), ACCEPT_RETRY_MS);
            ertc_io_stop(loop, &l->io);
            ertc_timer_start(loop, &l->retry_timer, ACCEPT_RETRY_MS, 0);
            return;
        }
        if (l->server->live_count >= SD_MAX_CONNECTIONS) {
            refuse_connection(l, cfd, &peer);
        } else {
            adopt_connection(l, cfd, &peer);
        }
    }
}

/* ---- server ------------------------------------------------------------------------------- */

sd_server_t *sd_server_create(ertc_loop_t *loop)
{
    sd_server_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->loop = loop;
    ertc_timer_init(&s->reap_timer, reap, s);
    return s;
}

WEBRTC_STATUS sd_server_listen(sd_server_t *s, const char *name, const ertc_addr_t *addr,
                               const sd_route_t *routes, size_t n_routes, sd_listener_t **out,
                               char *err, size_t errlen)
{
    return sd_server_listen_tls(s, name, addr, NULL, routes, n_routes, out, err, errlen);
}

WEBRTC_STATUS sd_server_listen_tls(sd_server_t *s, const char *name, const ertc_addr_t *addr,
                                   ertc_tls_config_t *tls, const sd_route_t *routes,
                                   size_t n_routes, sd_listener_t **out, char *err, size_t errlen)
{
    char text[ERTC_ADDR_STRLEN] = "?";
    ertc_addr_format(addr, true, text, sizeof(text));
    if (n_routes > SD_LISTENER_MAX_ROUTES) {
        snprintf(err, errlen, "%s: %zu routes, more than %d", name, n_routes,
                 SD_LISTENER_MAX_ROUTES);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    sd_listener_t *l = ertc_calloc(1, sizeof(*l));
    if (l == NULL) {
        snprintf(err, errlen, "out of memory");
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    l->server = s;
    snprintf(l->name, sizeof(l->name), "%s", name);
    memcpy(l->routes, routes, n_routes * sizeof(routes[0]));
    l->n_routes = n_routes;
    WEBRTC_STATUS st = ertc_tcp_listen(addr, SD_LISTEN_BACKLOG, &l->fd);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "cannot listen on %s: %s", text, ertc_socket_error_text());
        ertc_free(l);
        return st;
    }
    st = ertc_socket_local_addr(l->fd, &l->addr);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "cannot read the address bound for %s: %s", text,
                 ertc_socket_error_text());
        ertc_socket_close(l->fd);
        ertc_free(l);
        return st;
    }
    ertc_addr_format(&l->addr, true, l->authority, sizeof(l->authority));
    ertc_timer_init(&l->retry_timer, on_accept_retry, l);
    ertc_io_init(&l->io, l->fd, on_listener_ready, l);
    st = ertc_io_start(s->loop, &l->io, ERTC_IO_READ);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "cannot watch the listening socket: %s", webrtc_status_name(st));
        ertc_socket_close(l->fd);
        ertc_free(l);
        return st;
    }
    if (tls != NULL) {
        l->tls = ertc_tls_config_ref(tls);
    }
    l->next = s->listeners;
    s->listeners = l;
    if (out != NULL) {
        *out = l;
    }
    ERTC_LOGI(TAG, "%s: listening on %s", l->name, l->authority);
    return WEBRTC_STATUS_SUCCESS;
}

const ertc_addr_t *sd_listener_address(const sd_listener_t *l)
{
    return &l->addr;
}

const char *sd_listener_authority(const sd_listener_t *l)
{
    return l->authority;
}

const sd_route_t *sd_listener_routes(const sd_listener_t *l, size_t *n)
{
    *n = l->n_routes;
    return l->routes;
}

size_t sd_server_connection_count(const sd_server_t *s)
{
    return s->live_count;
}

void sd_server_destroy(sd_server_t *s)
{
    if (s == NULL) {
        return;
    }
    for (sd_listener_t *l = s->listeners; l != NULL; l = l->next) {
        ertc_io_stop(s->loop, &l->io);
        ertc_timer_stop(s->loop, &l->retry_timer);
    }
    while (s->live != NULL) {
        sd_conn_t *c = s->live;
        if (c->state == SD_CONN_WEBSOCKET) {
            sd_ws_close(c, ERTC_WS_CLOSE_GOING_AWAY, "server shutting down"); /* best effort */
        }
        sd_conn_release(c, "server shutting down");
    }
    while (s->listeners != NULL) {
        sd_listener_t *l = s->listeners;
        s->listeners = l->next;
        ertc_socket_close(l->fd);
        if (l->tls != NULL) {
            ertc_tls_config_unref(l->tls);
        }
        ertc_free(l);
    }
    ertc_timer_stop(s->loop, &s->reap_timer);
    reap(s->loop, &s->reap_timer, s);
    ertc_free(s);
}
