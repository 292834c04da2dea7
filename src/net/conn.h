/*
 * net/conn — a byte-stream connection on the event loop: TCP, optionally wrapped in TLS,
 * either dialled (client) or accepted (server). The HTTP and WebSocket code on both sides
 * sits on it.
 *
 * The connection reads whenever data arrives and hands it to on_data; writes are copied into
 * a bounded output buffer and flushed as the socket allows (ertc_conn_write refuses with
 * QUEUE_FULL past the limit, so memory never grows without bound). Host names are resolved on
 * a short-lived helper thread, so the loop never blocks on DNS. After ertc_conn_close no
 * callback runs again; it is safe to call from inside any callback.
 */
#ifndef ERTC_NET_CONN_H
#define ERTC_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/tls.h"
#include "port/loop.h"
#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_CONN_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define ERTC_CONN_DEFAULT_MAX_BUFFERED (1024 * 1024 + 64 * 1024)
#define ERTC_CONN_READ_CHUNK 4096
#define ERTC_CONN_ERROR_LEN 384

typedef struct ertc_conn ertc_conn_t;

typedef struct {
    /* Connected (and, with TLS, handshake done). */
    void (*on_open)(ertc_conn_t *c, void *arg);
    /* Bytes arrived; they are valid only during the call. */
    void (*on_data)(ertc_conn_t *c, const uint8_t *data, size_t len, void *arg);
    /* Optional: everything written so far has been handed to the socket. */
    void (*on_drain)(ertc_conn_t *c, void *arg);
    /* The connection ended: status CLOSED when the peer closed it in order, else the error
     * (NETWORK_ERROR, TIMEOUT, TLS_ERROR, CERT_ERROR, ...) with a readable reason. The
     * connection must still be released with ertc_conn_close. */
    void (*on_close)(ertc_conn_t *c, WEBRTC_STATUS status, const char *reason, void *arg);
} ertc_conn_callbacks_t;

typedef struct {
    const char *host;  /* name, IPv4 or IPv6 literal (without brackets) */
    uint16_t port;
    ertc_tls_config_t *tls; /* NULL = plain TCP */
    const char *tls_server_name; /* SNI and certificate name; NULL = host */
    uint32_t connect_timeout_ms; /* TCP connect plus TLS handshake; 0 = default */
    size_t max_buffered;         /* output bytes that may wait; 0 = default */
} ertc_conn_options_t;

WEBRTC_STATUS ertc_conn_connect(ertc_loop_t *loop, const ertc_conn_options_t *opts,
                                const ertc_conn_callbacks_t *cbs, void *arg, ertc_conn_t **out);
/* Adopts an accepted socket (closed on failure). tls_server NULL = plain. on_open is called
 * once a TLS handshake completes, or at once (from the loop) for plain TCP. */
WEBRTC_STATUS ertc_conn_accept(ertc_loop_t *loop, ertc_socket_t fd, ertc_tls_config_t *tls_server,
                               size_t max_buffered, const ertc_conn_callbacks_t *cbs, void *arg,
                               ertc_conn_t **out);

/* Queues bytes for sending. QUEUE_FULL when they would pass max_buffered (nothing queued),
 * CLOSED after the connection ended, INVALID_OPERATION before it is open. */
WEBRTC_STATUS ertc_conn_write(ertc_conn_t *c, const void *data, size_t len);
size_t ertc_conn_buffered(const ertc_conn_t *c);
size_t ertc_conn_max_buffered(const ertc_conn_t *c);
bool ertc_conn_is_open(const ertc_conn_t *c);
/* Stop or resume reading (back-pressure for a slow consumer). */
void ertc_conn_pause_reading(ertc_conn_t *c, bool paused);
/* Flush what is queued, then close (no on_close); the connection frees itself. */
void ertc_conn_end(ertc_conn_t *c);
/* Close at once and free; no callback runs afterwards. */
void ertc_conn_close(ertc_conn_t *c);
void ertc_conn_set_callbacks(ertc_conn_t *c, const ertc_conn_callbacks_t *cbs, void *arg);
/* "host:port" of the peer, for logs. */
const char *ertc_conn_peer_name(const ertc_conn_t *c);

#endif
