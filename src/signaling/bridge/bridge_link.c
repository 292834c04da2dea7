/*
 * Bridge link: framing, chunking and reconnection over a POSIX transport, on one thread
 * (bridge_link.h, docs/bridge.md).
 */
#include "signaling/bridge/bridge_link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "signaling/bridge/bridge_chunk.h"
#include "signaling/bridge/bridge_frame.h"
#include "signaling/bridge/bridge_msg.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "bridge"
#define SEND_TIMEOUT_MS 2000
#define RX_BUF_LEN (2 * ERTC_BRIDGE_FRAME_MAX_LEN)

struct ertc_bridge_link {
    ertc_bridge_endpoint_t ep;
    bool listening;
    ertc_bridge_link_callbacks_t cb;
    int listen_fd;
    uint16_t port;
    int wake[2]; /* stop or drop requests wake the thread */
    pthread_t thread;

    pthread_mutex_t mu; /* fd for writers, tx_seq, stats, flags */
    int fd;
    uint16_t tx_seq;
    bool stop;
    bool drop;
    bool peer_seen; /* a valid frame arrived on this connection: the link is "up" */
    ertc_bridge_link_stats_t stats;

    /* link thread only */
    uint64_t last_rx_ms;   /* anything received, or the connection made */
    uint64_t last_ping_ms;
    uint8_t rx[RX_BUF_LEN];
    size_t rx_len;
    ertc_bridge_reassembler_t reasm;
};

static void wake_thread(ertc_bridge_link_t *l)
{
    char c = 1;
    ssize_t n = write(l->wake[1], &c, 1);
    (void)n; /* a full pipe already wakes the thread */
}

static void drain_wake(ertc_bridge_link_t *l)
{
    char buf[16];
    while (read(l->wake[0], buf, sizeof(buf)) > 0) {
    }
}

/* Writes all of buf within SEND_TIMEOUT_MS; called with mu held. */
static WEBRTC_STATUS write_all(int fd, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, buf + off, len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, SEND_TIMEOUT_MS) > 0 && (p.revents & POLLOUT)) {
                continue;
            }
        }
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Sends one frame per chunk of msg, or one control frame; called with mu held. */
static WEBRTC_STATUS send_locked(ertc_bridge_link_t *l, uint8_t type, const uint8_t *msg,
                                 size_t len)
{
    if (l->fd < 0) {
        return WEBRTC_STATUS_CLOSED;
    }
    uint8_t wire[ERTC_BRIDGE_FRAME_MAX_LEN];
    size_t count = type == ERTC_BRIDGE_FRAME_MESSAGE ? ertc_bridge_chunk_count(len) : 1;
    for (size_t i = 0; i < count; i++) {
        ertc_bridge_frame_t f = {.type = type, .seq = l->tx_seq};
        if (type == ERTC_BRIDGE_FRAME_MESSAGE) {
            ertc_bridge_chunk_frame(msg, len, i, l->tx_seq, &f);
        }
        size_t n = 0;
        WEBRTC_STATUS st = ertc_bridge_frame_encode(&f, wire, sizeof(wire), &n);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = write_all(l->fd, wire, n);
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            /* a half-written frame: the peer resyncs; the thread sees the error and reconnects */
            (void)shutdown(l->fd, SHUT_RDWR);
            l->drop = true;
            wake_thread(l);
            return st;
        }
        l->tx_seq++;
        l->stats.frames_tx++;
    }
    if (type == ERTC_BRIDGE_FRAME_MESSAGE) {
        l->stats.messages_tx++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_bridge_link_send(ertc_bridge_link_t *l, const uint8_t *msg, size_t len)
{
    if (l == NULL || (msg == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > ERTC_BRIDGE_MSG_MAX_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    pthread_mutex_lock(&l->mu);
    WEBRTC_STATUS st = send_locked(l, ERTC_BRIDGE_FRAME_MESSAGE, msg, len);
    pthread_mutex_unlock(&l->mu);
    return st;
}

/* The transport is open: say hello with a PING. The link counts as up (on_state) only when
 * the first valid frame comes back, because an open serial port says nothing about the far
 * end, and messages sent into an unplugged cable are lost. */
static void set_up(ertc_bridge_link_t *l, int fd)
{
    l->last_rx_ms = ertc_time_mono_ms();
    l->last_ping_ms = l->last_rx_ms;
    pthread_mutex_lock(&l->mu);
    l->fd = fd;
    l->peer_seen = false;
    (void)send_locked(l, ERTC_BRIDGE_FRAME_PING, NULL, 0);
    pthread_mutex_unlock(&l->mu);
}

static void announce_up(ertc_bridge_link_t *l)
{
    pthread_mutex_lock(&l->mu);
    bool first = !l->peer_seen;
    l->peer_seen = true;
    if (first) {
        l->stats.connects++;
    }
    pthread_mutex_unlock(&l->mu);
    if (!first) {
        return;
    }
    ERTC_LOGI(TAG, "bridge link up (%s)", l->ep.kind == ERTC_BRIDGE_TRANSPORT_SERIAL ? "serial"
                                          : l->ep.kind == ERTC_BRIDGE_TRANSPORT_TCP  ? "tcp"
                                                                                     : "unix");
    if (l->cb.on_state != NULL) {
        l->cb.on_state(l->cb.user, true);
    }
}

static void set_down(ertc_bridge_link_t *l)
{
    pthread_mutex_lock(&l->mu);
    if (l->fd >= 0) {
        close(l->fd);
    }
    l->fd = -1;
    l->drop = false;
    bool was_up = l->peer_seen;
    l->peer_seen = false;
    pthread_mutex_unlock(&l->mu);
    l->rx_len = 0;
    ertc_bridge_reassembler_reset(&l->reasm);
    if (!was_up) {
        return;
    }
    ERTC_LOGI(TAG, "bridge link down; reconnecting");
    if (l->cb.on_state != NULL) {
        l->cb.on_state(l->cb.user, false);
    }
}

static void handle_frame(ertc_bridge_link_t *l, const ertc_bridge_frame_t *f)
{
    if (f->type == ERTC_BRIDGE_FRAME_PING) {
        pthread_mutex_lock(&l->mu);
        (void)send_locked(l, ERTC_BRIDGE_FRAME_PONG, NULL, 0);
        pthread_mutex_unlock(&l->mu);
        return;
    }
    if (f->type != ERTC_BRIDGE_FRAME_MESSAGE) {
        return;
    }
    const uint8_t *msg = NULL;
    size_t len = 0;
    WEBRTC_STATUS st = ertc_bridge_reassembler_add(&l->reasm, f, &msg, &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        pthread_mutex_lock(&l->mu);
        l->stats.messages_rx++;
        pthread_mutex_unlock(&l->mu);
        if (l->cb.on_message != NULL) {
            l->cb.on_message(l->cb.user, msg, len);
        }
    } else if (st != WEBRTC_STATUS_RETRY_LATER) {
        ERTC_LOGW(TAG, "bridge: dropped a partial message (seq %u, status %u)", f->seq,
                  (unsigned)st);
    }
}

/* Parses what is buffered; keeps an incomplete frame for the next read. */
static void process_rx(ertc_bridge_link_t *l)
{
    size_t pos = 0;
    while (pos < l->rx_len) {
        ertc_bridge_frame_t f;
        size_t used = 0;
        WEBRTC_STATUS st = ertc_bridge_frame_parse(l->rx + pos, l->rx_len - pos, &f, &used);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            break;
        }
        pthread_mutex_lock(&l->mu);
        if (st == WEBRTC_STATUS_SUCCESS) {
            l->stats.frames_rx++;
        } else {
            l->stats.malformed_frames++;
        }
        pthread_mutex_unlock(&l->mu);
        if (st == WEBRTC_STATUS_SUCCESS) {
            announce_up(l);
            handle_frame(l, &f);
        } else {
            ERTC_LOGW(TAG, "bridge: malformed frame, %zu bytes skipped", used);
        }
        pos += used;
    }
    memmove(l->rx, l->rx + pos, l->rx_len - pos);
    l->rx_len -= pos;
}

/* Waits up to ms for the wake pipe and optionally fd; returns the fd's revents. */
static short wait_for(ertc_bridge_link_t *l, int fd, int ms)
{
    struct pollfd p[2] = {{.fd = l->wake[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n = poll(p, fd >= 0 ? 2 : 1, ms);
    if (n > 0 && (p[0].revents & POLLIN)) {
        drain_wake(l);
    }
    return n > 0 && fd >= 0 ? p[1].revents : 0;
}

static void try_connect(ertc_bridge_link_t *l)
{
    if (l->listening) {
        short ev = wait_for(l, l->listen_fd, 1000);
        if (ev & POLLIN) {
            int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) {
                set_up(l, fd);
            }
        }
        return;
    }
    int fd = -1;
    if (ertc_bridge_transport_open(&l->ep, &fd) == WEBRTC_STATUS_SUCCESS) {
        set_up(l, fd);
    } else {
        (void)wait_for(l, -1, ERTC_BRIDGE_LINK_RETRY_MS);
    }
}

/* Sends a PING after a quiet second; declares the link dead after ERTC_BRIDGE_LINK_DEAD_MS. */
static void keepalive(ertc_bridge_link_t *l)
{
    uint64_t now = ertc_time_mono_ms();
    if (now - l->last_rx_ms >= ERTC_BRIDGE_LINK_DEAD_MS) {
        ERTC_LOGW(TAG, "bridge: nothing received for %u ms: the link is dead",
                  (unsigned)(now - l->last_rx_ms));
        pthread_mutex_lock(&l->mu);
        l->drop = true;
        pthread_mutex_unlock(&l->mu);
        return;
    }
    if (now - l->last_rx_ms >= ERTC_BRIDGE_LINK_KEEPALIVE_MS &&
        now - l->last_ping_ms >= ERTC_BRIDGE_LINK_KEEPALIVE_MS) {
        l->last_ping_ms = now;
        pthread_mutex_lock(&l->mu);
        (void)send_locked(l, ERTC_BRIDGE_FRAME_PING, NULL, 0);
        pthread_mutex_unlock(&l->mu);
    }
}

static void *link_thread(void *arg)
{
    ertc_bridge_link_t *l = arg;
    for (;;) {
        pthread_mutex_lock(&l->mu);
        bool stop = l->stop, drop = l->drop;
        int fd = l->fd;
        pthread_mutex_unlock(&l->mu);
        if (stop) {
            break;
        }
        if (fd < 0) {
            try_connect(l);
            continue;
        }
        if (drop) {
            set_down(l);
            if (!l->listening) {
                (void)wait_for(l, -1, ERTC_BRIDGE_LINK_RETRY_MS);
            }
            continue;
        }
        short ev = wait_for(l, fd, 250);
        if (ev == 0) {
            keepalive(l);
            continue;
        }
        ssize_t n = read(fd, l->rx + l->rx_len, sizeof(l->rx) - l->rx_len);
        if (n > 0) {
            l->last_rx_ms = ertc_time_mono_ms();
            l->rx_len += (size_t)n;
            process_rx(l);
        } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            set_down(l);
            if (!l->listening) {
                /* a hung-up tty, or a peer that accepts and closes at once, would make the
                 * reconnect spin: wait before trying again */
                (void)wait_for(l, -1, ERTC_BRIDGE_LINK_RETRY_MS);
            }
        }
    }
    return NULL;
}

WEBRTC_STATUS ertc_bridge_link_start(const ertc_bridge_endpoint_t *ep, bool listen,
                                     const ertc_bridge_link_callbacks_t *cb,
                                     ertc_bridge_link_t **out)
{
    if (ep == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (listen && ep->kind == ERTC_BRIDGE_TRANSPORT_SERIAL) {
        listen = false; /* both ends of a serial line just open it */
    }
    ertc_bridge_link_t *l = ertc_calloc(1, sizeof(*l));
    if (l == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    l->ep = *ep;
    l->listening = listen;
    if (cb != NULL) {
        l->cb = *cb;
    }
    l->fd = -1;
    l->listen_fd = -1;
    l->wake[0] = l->wake[1] = -1;
    ertc_bridge_reassembler_init(&l->reasm);
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (pipe2(l->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        st = WEBRTC_STATUS_INTERNAL_ERROR;
    } else if (listen) {
        st = ertc_bridge_transport_listen(ep, &l->listen_fd, &l->port);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pthread_mutex_init(&l->mu, NULL);
        if (pthread_create(&l->thread, NULL, link_thread, l) != 0) {
            pthread_mutex_destroy(&l->mu);
            st = WEBRTC_STATUS_INTERNAL_ERROR;
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        for (int i = 0; i < 2; i++) {
            if (l->wake[i] >= 0) {
                close(l->wake[i]);
            }
        }
        if (l->listen_fd >= 0) {
            close(l->listen_fd);
        }
        ertc_free(l);
        return st;
    }
    *out = l;
    return WEBRTC_STATUS_SUCCESS;
}

uint16_t ertc_bridge_link_port(const ertc_bridge_link_t *l)
{
    return l != NULL ? l->port : 0;
}

bool ertc_bridge_link_is_up(ertc_bridge_link_t *l)
{
    pthread_mutex_lock(&l->mu);
    bool up = l->fd >= 0 && l->peer_seen;
    pthread_mutex_unlock(&l->mu);
    return up;
}

void ertc_bridge_link_drop(ertc_bridge_link_t *l)
{
    pthread_mutex_lock(&l->mu);
    l->drop = l->fd >= 0;
    pthread_mutex_unlock(&l->mu);
    wake_thread(l);
}

void ertc_bridge_link_get_stats(ertc_bridge_link_t *l, ertc_bridge_link_stats_t *stats)
{
    pthread_mutex_lock(&l->mu);
    *stats = l->stats;
    stats->dropped_messages = l->reasm.dropped; /* read racily: a counter for reports */
    pthread_mutex_unlock(&l->mu);
}

void ertc_bridge_link_stop(ertc_bridge_link_t *l)
{
    if (l == NULL) {
        return;
    }
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_mutex_unlock(&l->mu);
    wake_thread(l);
    pthread_join(l->thread, NULL);
    if (l->fd >= 0) {
        close(l->fd);
    }
    if (l->listen_fd >= 0) {
        close(l->listen_fd);
        if (l->ep.kind == ERTC_BRIDGE_TRANSPORT_UNIX) {
            unlink(l->ep.path);
        }
    }
    close(l->wake[0]);
    close(l->wake[1]);
    pthread_mutex_destroy(&l->mu);
    ertc_bridge_reassembler_free(&l->reasm);
    ertc_free(l);
}
