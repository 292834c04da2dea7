/*
 * net/conn — see conn.h.
 *
 * States: RESOLVING → CONNECTING → HANDSHAKING (TLS) → OPEN → (ENDING) → CLOSED. A callback
 * may close the connection it is called for, so every handler counts how deep it is in
 * callbacks (busy) and frees the connection only when the outermost one returns.
 *
 * mbedTLS requires a write that returned WANT_WRITE to be repeated with the same length, or it
 * reports bytes it never encrypted as sent; tls_retry_len remembers that length.
 */
#include "net/conn.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "conn"

typedef enum {
    CONN_RESOLVING,
    CONN_CONNECTING,
    CONN_HANDSHAKING,
    CONN_OPEN,
    CONN_ENDING, /* flushing, then closing without a callback */
    CONN_CLOSED,
} conn_state_t;

/* A name lookup on a helper thread. Owned jointly (refs) by the connection, the thread and,
 * once posted, the loop call that delivers the result. */
typedef struct {
    atomic_int refs;
    ertc_loop_t *loop;
    ertc_conn_t *conn; /* NULL once the connection is gone (loop thread only) */
    ertc_thread_t *thread;
    char host[256];
    uint16_t port;
    ertc_addr_t addr;
    WEBRTC_STATUS status;
} resolve_t;

struct ertc_conn {
    ertc_loop_t *loop;
    ertc_conn_callbacks_t cbs;
    void *arg;
    conn_state_t state;
    int fd;
    ertc_io_t io;
    bool io_started;
    ertc_timer_t timer;
    uint32_t connect_timeout_ms;
    ertc_tls_config_t *tls_cfg;
    ertc_tls_t *tls;
    bool server;
    char server_name[256];
    uint16_t port;
    char peer[300];
    resolve_t *resolve;
    /* output buffer: bytes [head, head + len) of buf are waiting */
    uint8_t *out;
    size_t out_head;
    size_t out_len;
    size_t out_cap;
    size_t max_buffered;
    size_t tls_retry_len;
    bool paused;
    int busy;
    bool free_requested;
};

static void conn_destroy(ertc_conn_t *c);
static void conn_update_events(ertc_conn_t *c);

/* ---- life cycle helpers ------------------------------------------------------------------ */

static void enter(ertc_conn_t *c)
{
    c->busy++;
}

/* Returns true when the connection was freed (the caller must not touch it again). */
static bool leave(ertc_conn_t *c)
{
    c->busy--;
    if (c->busy == 0 && c->free_requested) {
        conn_destroy(c);
        return true;
    }
    return false;
}

static bool gone(const ertc_conn_t *c)
{
    return c->free_requested || c->state == CONN_CLOSED;
}

static void stop_io(ertc_conn_t *c)
{
    if (c->io_started) {
        ertc_io_stop(c->loop, &c->io);
        c->io_started = false;
    }
    ertc_timer_stop(c->loop, &c->timer);
}

static void release_resolve(resolve_t *r)
{
    if (atomic_fetch_sub(&r->refs, 1) == 1) {
        ertc_free(r);
    }
}

static void conn_destroy(ertc_conn_t *c)
{
    stop_io(c);
    if (c->resolve != NULL) {
        resolve_t *r = c->resolve;
        r->conn = NULL;
        if (r->thread != NULL) {
            ertc_thread_join(r->thread); /* only when closed during a lookup */
            r->thread = NULL;
        }
        release_resolve(r);
    }
    if (c->tls != NULL) {
        ertc_tls_free(c->tls);
    }
    ertc_tls_config_unref(c->tls_cfg);
    if (c->fd >= 0) {
        ertc_socket_close(c->fd);
    }
    ertc_free(c->out);
    ertc_free(c);
}

/* Ends the connection with an error or the peer's close and tells the owner once. */
static void conn_fail(ertc_conn_t *c, WEBRTC_STATUS status, const char *reason)
{
    if (c->state == CONN_CLOSED) {
        return;
    }
    bool quiet = c->state == CONN_ENDING;
    c->state = CONN_CLOSED;
    stop_io(c);
    ERTC_LOGD(TAG, "%s: closed: %s", c->peer, reason);
    if (quiet) {
        c->free_requested = true;
        return;
    }
    if (c->cbs.on_close != NULL) {
        enter(c);
        c->cbs.on_close(c, status, reason, c->arg);
        leave(c);
    }
}

/* Fails with the reason "<peer>: <what>[: <detail>]". */
static void conn_failf(ertc_conn_t *c, WEBRTC_STATUS status, const char *what, const char *detail)
{
    char reason[ERTC_CONN_ERROR_LEN];
    snprintf(reason, sizeof(reason), "%.100s: %s%s%.240s", c->peer, what, detail ? ": " : "",
             detail ? detail : "");
    conn_fail(c, status, reason);
}

static void conn_open(ertc_conn_t *c)
{
    ertc_timer_stop(c->loop, &c->timer);
    c->state = CONN_OPEN;
    conn_update_events(c);
    if (c->cbs.on_open != NULL) {
        c->cbs.on_open(c, c->arg);
    }
}

/* ---- output ----------------------------------------------------------------------------- */

static WEBRTC_STATUS send_some(ertc_conn_t *c, const uint8_t *data, size_t len, size_t *n)
{
    if (c->tls == NULL) {
        return ertc_tcp_send(c->fd, data, len, n);
    }
    size_t offer = c->tls_retry_len ? c->tls_retry_len : len;
    WEBRTC_STATUS st = ertc_tls_write(c->tls, data, offer, n);
    c->tls_retry_len = st == WEBRTC_STATUS_RETRY_LATER ? offer : 0;
    return st;
}

/* Writes as much as the socket takes. Returns false if the connection failed. */
static bool flush_output(ertc_conn_t *c)
{
    while (c->out_len > 0) {
        size_t n = 0;
        WEBRTC_STATUS st = send_some(c, c->out + c->out_head, c->out_len, &n);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            break;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            conn_failf(c, st, "send failed",
                       c->tls ? ertc_tls_error(c->tls) : ertc_socket_error_text());
            return false;
        }
        c->out_head += n;
        c->out_len -= n;
    }
    if (c->out_len == 0) {
        c->out_head = 0;
    }
    return true;
}

static void conn_update_events(ertc_conn_t *c)
{
    if (!c->io_started) {
        return;
    }
    unsigned ev = 0;
    switch (c->state) {
    case CONN_CONNECTING: ev = ERTC_IO_WRITE; break;
    case CONN_HANDSHAKING: ev = ertc_tls_wants(c->tls) ? ertc_tls_wants(c->tls) : ERTC_IO_READ; break;
    case CONN_OPEN:
    case CONN_ENDING:
        ev = (c->paused || c->state == CONN_ENDING) ? 0 : ERTC_IO_READ;
        if (c->out_len > 0) {
            /* A TLS write waiting for the peer's data (renegotiation) waits for reading. */
            ev |= (c->tls && ertc_tls_wants(c->tls) == ERTC_IO_READ && c->tls_retry_len)
                      ? ERTC_IO_READ
                      : ERTC_IO_WRITE;
        }
        break;
    default: break;
    }
    ertc_io_set_events(c->loop, &c->io, ev);
}

WEBRTC_STATUS ertc_conn_write(ertc_conn_t *c, const void *data, size_t len)
{
    if (c == NULL || (data == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (gone(c) || c->state == CONN_ENDING) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (len == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (len > c->max_buffered - c->out_len) {
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    if (c->out_head + c->out_len + len > c->out_cap) {
        if (c->out_head > 0 && c->tls_retry_len == 0) {
            memmove(c->out, c->out + c->out_head, c->out_len);
            c->out_head = 0;
        }
        size_t need = c->out_head + c->out_len + len;
        if (need > c->out_cap) {
            size_t cap = c->out_cap ? c->out_cap : 1024;
            while (cap < need) {
                cap *= 2;
            }
            uint8_t *p = ertc_realloc(c->out, cap);
            if (p == NULL) {
                return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
            }
            c->out = p;
            c->out_cap = cap;
        }
    }
    memcpy(c->out + c->out_head + c->out_len, data, len);
    c->out_len += len;
    if (c->state == CONN_OPEN && c->out_len == len) {
        /* Nothing was waiting: try at once, most writes complete without a poll. */
        if (!flush_output(c)) {
            return WEBRTC_STATUS_CLOSED;
        }
        conn_update_events(c);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- input ------------------------------------------------------------------------------ */

static void read_input(ertc_conn_t *c)
{
    uint8_t buf[ERTC_CONN_READ_CHUNK];
    while (!gone(c) && !c->paused && c->state == CONN_OPEN) {
        size_t n = 0;
        WEBRTC_STATUS st = c->tls ? ertc_tls_read(c->tls, buf, sizeof(buf), &n)
                                  : ertc_tcp_recv(c->fd, buf, sizeof(buf), &n);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            return;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            conn_failf(c, st, "receive failed",
                       c->tls ? ertc_tls_error(c->tls) : ertc_socket_error_text());
            return;
        }
        if (n == 0) {
            conn_failf(c, WEBRTC_STATUS_CLOSED, "closed by the peer", NULL);
            return;
        }
        if (c->cbs.on_data != NULL) {
            c->cbs.on_data(c, buf, n, c->arg);
        }
    }
}

/* ---- connecting ----------------------------------------------------------------------------- */

static void do_handshake(ertc_conn_t *c)
{
    WEBRTC_STATUS st = ertc_tls_handshake(c->tls);
    if (st == WEBRTC_STATUS_SUCCESS) {
        conn_open(c);
        if (!gone(c) && c->out_len > 0 && flush_output(c)) {
            conn_update_events(c);
        }
    } else if (st == WEBRTC_STATUS_RETRY_LATER) {
        conn_update_events(c);
    } else {
        conn_fail(c, st, ertc_tls_error(c->tls));
    }
}

static void on_connected(ertc_conn_t *c)
{
    WEBRTC_STATUS st = ertc_tcp_connect_result(c->fd);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        conn_failf(c, WEBRTC_STATUS_NETWORK_ERROR, "connect failed",
                   ertc_socket_error_text());
        return;
    }
    if (c->tls_cfg == NULL) {
        conn_open(c);
        if (!gone(c) && c->out_len > 0 && flush_output(c)) {
            conn_update_events(c);
        }
        return;
    }
    st = ertc_tls_create(c->tls_cfg, c->fd, c->server_name, &c->tls);
    if (st != WEBRTC_STATUS_SUCCESS) {
        conn_failf(c, st, "cannot start TLS", NULL);
        return;
    }
    c->state = CONN_HANDSHAKING;
    do_handshake(c);
}

static void on_io(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)loop;
    (void)io;
    (void)fd;
    ertc_conn_t *c = arg;
    enter(c);
    switch (c->state) {
    case CONN_CONNECTING: on_connected(c); break;
    case CONN_HANDSHAKING: do_handshake(c); break;
    case CONN_OPEN:
    case CONN_ENDING:
        if ((events & (ERTC_IO_WRITE | ERTC_IO_READ)) && c->out_len > 0) {
            if (!flush_output(c)) {
                break;
            }
            if (c->out_len == 0) {
                if (c->state == CONN_ENDING) {
                    c->state = CONN_CLOSED;
                    stop_io(c);
                    c->free_requested = true;
                    break;
                }
                if (c->cbs.on_drain != NULL) {
                    c->cbs.on_drain(c, c->arg);
                }
            }
        }
        if (!gone(c) && (events & ERTC_IO_READ)) {
            read_input(c);
        }
        if (!gone(c)) {
            conn_update_events(c);
        }
        break;
    default: break;
    }
    leave(c);
}

static void on_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    ertc_conn_t *c = arg;
    enter(c);
    if (c->state == CONN_OPEN && c->server && c->tls_cfg == NULL) {
        conn_open(c); /* deferred open of an accepted plain socket: see ertc_conn_accept */
    } else if (c->state != CONN_OPEN && c->state != CONN_CLOSED) {
        char why[64];
        snprintf(why, sizeof(why), "timed out after %u ms (%s)", (unsigned)c->connect_timeout_ms,
                 c->state == CONN_HANDSHAKING ? "TLS handshake" : "TCP connect");
        conn_failf(c, WEBRTC_STATUS_TIMEOUT, why, NULL);
    }
    leave(c);
}

static void start_tcp(ertc_conn_t *c, const ertc_addr_t *addr)
{
    ertc_addr_t to = *addr;
    to.port = c->port;
    WEBRTC_STATUS st = ertc_tcp_connect_start(&to, &c->fd);
    if (st != WEBRTC_STATUS_SUCCESS) {
        conn_failf(c, WEBRTC_STATUS_NETWORK_ERROR, "connect failed",
                   ertc_socket_error_text());
        return;
    }
    c->state = CONN_CONNECTING;
    ertc_io_init(&c->io, c->fd, on_io, c);
    if (ertc_io_start(c->loop, &c->io, ERTC_IO_WRITE) != WEBRTC_STATUS_SUCCESS) {
        conn_failf(c, WEBRTC_STATUS_NOT_ENOUGH_MEMORY, "cannot watch the socket", NULL);
        return;
    }
    c->io_started = true;
}

static void resolve_done(void *arg)
{
    resolve_t *r = arg;
    ertc_conn_t *c = r->conn;
    if (c != NULL) {
        if (r->thread != NULL) {
            ertc_thread_join(r->thread); /* it has posted this call: it is about to return */
            r->thread = NULL;
        }
        c->resolve = NULL;
        release_resolve(r); /* the connection's reference */
        enter(c);
        if (c->state == CONN_RESOLVING) {
            if (r->status == WEBRTC_STATUS_SUCCESS) {
                start_tcp(c, &r->addr);
            } else {
                conn_failf(c, WEBRTC_STATUS_NETWORK_ERROR, "cannot resolve the host name", NULL);
            }
        }
        leave(c);
    }
    release_resolve(r); /* the posted call's reference */
}

static void resolve_main(void *arg)
{
    resolve_t *r = arg;
    r->status = ertc_addr_resolve(r->host, r->port, 0, &r->addr);
    if (ertc_loop_post(r->loop, resolve_done, r) != WEBRTC_STATUS_SUCCESS) {
        /* The loop is swamped: the connect timeout will end the connection. */
        release_resolve(r);
    }
}

WEBRTC_STATUS ertc_conn_connect(ertc_loop_t *loop, const ertc_conn_options_t *opts,
                                const ertc_conn_callbacks_t *cbs, void *arg, ertc_conn_t **out)
{
    if (loop == NULL || opts == NULL || cbs == NULL || out == NULL || opts->host == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (opts->port == 0 || strlen(opts->host) >= sizeof(((resolve_t *)0)->host)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_conn_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    c->loop = loop;
    c->cbs = *cbs;
    c->arg = arg;
    c->fd = -1;
    c->port = opts->port;
    c->tls_cfg = ertc_tls_config_ref(opts->tls);
    c->max_buffered = opts->max_buffered ? opts->max_buffered : ERTC_CONN_DEFAULT_MAX_BUFFERED;
    c->connect_timeout_ms =
        opts->connect_timeout_ms ? opts->connect_timeout_ms : ERTC_CONN_DEFAULT_CONNECT_TIMEOUT_MS;
    snprintf(c->server_name, sizeof(c->server_name), "%s",
             opts->tls_server_name ? opts->tls_server_name : opts->host);
    bool v6 = strchr(opts->host, ':') != NULL;
    snprintf(c->peer, sizeof(c->peer), v6 ? "[%s]:%u" : "%s:%u", opts->host,
             (unsigned)opts->port);
    ertc_timer_init(&c->timer, on_timer, c);
    ertc_timer_start(loop, &c->timer, c->connect_timeout_ms, 0);

    /* A failure before this function returns is reported by its status, not on_close. */
    c->cbs.on_close = NULL;
    ertc_addr_t addr;
    if (ertc_addr_parse_ip(opts->host, &addr) == WEBRTC_STATUS_SUCCESS) {
        start_tcp(c, &addr);
    } else {
        resolve_t *r = ertc_calloc(1, sizeof(*r));
        if (r == NULL) {
            conn_destroy(c);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        atomic_init(&r->refs, 2);
        r->loop = loop;
        r->conn = c;
        r->port = opts->port;
        snprintf(r->host, sizeof(r->host), "%s", opts->host);
        c->resolve = r;
        c->state = CONN_RESOLVING;
        if (ertc_thread_create(&r->thread, "resolve", 64 * 1024, resolve_main, r) !=
            WEBRTC_STATUS_SUCCESS) {
            r->thread = NULL;
            atomic_fetch_sub(&r->refs, 1); /* no thread holds it */
            conn_destroy(c);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    if (c->state == CONN_CLOSED) {
        conn_destroy(c);
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    c->cbs.on_close = cbs->on_close;
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_conn_accept(ertc_loop_t *loop, ertc_socket_t fd, ertc_tls_config_t *tls_server,
                               size_t max_buffered, const ertc_conn_callbacks_t *cbs, void *arg,
                               ertc_conn_t **out)
{
    if (loop == NULL || cbs == NULL || out == NULL || fd < 0) {
        if (fd >= 0) {
            ertc_socket_close(fd);
        }
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_conn_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        ertc_socket_close(fd);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    c->loop = loop;
    c->cbs = *cbs;
    c->arg = arg;
    c->fd = fd;
    c->server = true;
    c->tls_cfg = ertc_tls_config_ref(tls_server);
    c->max_buffered = max_buffered ? max_buffered : ERTC_CONN_DEFAULT_MAX_BUFFERED;
    c->connect_timeout_ms = ERTC_CONN_DEFAULT_CONNECT_TIMEOUT_MS;
    ertc_addr_t peer;
    char text[ERTC_ADDR_STRLEN] = "?";
    if (ertc_socket_peer_addr(fd, &peer) == WEBRTC_STATUS_SUCCESS) {
        ertc_addr_format(&peer, true, text, sizeof(text));
    }
    snprintf(c->peer, sizeof(c->peer), "%s", text);
    ertc_timer_init(&c->timer, on_timer, c);
    ertc_io_init(&c->io, fd, on_io, c);

    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (c->tls_cfg != NULL) {
        st = ertc_tls_create(c->tls_cfg, fd, NULL, &c->tls);
        c->state = CONN_HANDSHAKING;
    } else {
        /* Open from the loop, so the caller has *out before on_open runs. */
        c->state = CONN_OPEN;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* A plain socket reads nothing before on_open (conn_open turns reading on). */
        st = ertc_io_start(loop, &c->io, c->tls_cfg ? ERTC_IO_READ : 0);
        c->io_started = st == WEBRTC_STATUS_SUCCESS;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        conn_destroy(c);
        return st;
    }
    ertc_timer_start(loop, &c->timer, c->tls_cfg ? c->connect_timeout_ms : 0, 0);
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- control ----------------------------------------------------------------------------- */

size_t ertc_conn_buffered(const ertc_conn_t *c)
{
    return c->out_len;
}

size_t ertc_conn_max_buffered(const ertc_conn_t *c)
{
    return c->max_buffered;
}

bool ertc_conn_is_open(const ertc_conn_t *c)
{
    return c->state == CONN_OPEN && !c->free_requested;
}

void ertc_conn_pause_reading(ertc_conn_t *c, bool paused)
{
    if (c->paused == paused || gone(c)) {
        return;
    }
    c->paused = paused;
    conn_update_events(c);
}

void ertc_conn_set_callbacks(ertc_conn_t *c, const ertc_conn_callbacks_t *cbs, void *arg)
{
    c->cbs = *cbs;
    c->arg = arg;
}

const char *ertc_conn_peer_name(const ertc_conn_t *c)
{
    return c->peer;
}

void ertc_conn_end(ertc_conn_t *c)
{
    if (c == NULL) {
        return;
    }
    if (gone(c) || c->out_len == 0 || c->state != CONN_OPEN) {
        ertc_conn_close(c);
        return;
    }
    c->state = CONN_ENDING;
    conn_update_events(c);
}

void ertc_conn_close(ertc_conn_t *c)
{
    if (c == NULL) {
        return;
    }
    if (c->tls != NULL && c->state == CONN_OPEN) {
        ertc_tls_close_notify(c->tls);
    }
    c->state = CONN_CLOSED;
    stop_io(c);
    c->free_requested = true;
    if (c->busy == 0) {
        conn_destroy(c);
    }
}
