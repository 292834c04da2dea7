/*
 * net/ws_client — a WebSocket client (RFC 6455) on the event loop, over net/conn (TCP or TLS).
 *
 * It connects, sends the upgrade request (Origin, subprotocol and extra headers as
 * configured) and checks the answer, then exchanges text and binary messages. Incoming
 * fragments are reassembled up to max_message_size and text is checked to be UTF-8; pings
 * are answered; keep-alive pings are sent every ping_interval_ms and a missing pong ends the
 * connection; a close is a handshake with a timeout. Outgoing messages go into a bounded send
 * queue: a message that does not fit is refused with QUEUE_FULL, never dropped silently.
 *
 * Every ending is reported once through on_close, with a status and a readable reason: a
 * clean close handshake (SUCCESS, with the peer's code and reason), a refused handshake
 * ("server answered 403 Forbidden instead of 101"), TLS and certificate errors, timeouts,
 * protocol violations by the server, or a connection dropped without a close frame (1006).
 * After ertc_ws_free no callback runs again; it is safe inside any callback.
 */
#ifndef ERTC_NET_WS_CLIENT_H
#define ERTC_NET_WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/tls.h"
#include "net/ws_handshake.h"
#include "port/loop.h"
#include "webrtc_status.h"

#define ERTC_WS_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define ERTC_WS_DEFAULT_CLOSE_TIMEOUT_MS 5000
#define ERTC_WS_DEFAULT_SEND_QUEUE (256 * 1024)
#define ERTC_WS_MAX_UPGRADE_RESPONSE 8192 /* bytes of the server's handshake answer */
#define ERTC_WS_REASON_LEN 384

typedef struct ertc_ws_client ertc_ws_client_t;

typedef struct {
    const char *url;        /* ws://host[:port]/path?query or wss://... */
    ertc_tls_config_t *tls; /* required for wss:// */
    const char *origin;     /* Origin header, or NULL */
    const char *subprotocol;
    const ertc_ws_header_t *headers; /* extra request headers */
    size_t header_count;
    uint32_t connect_timeout_ms; /* TCP + TLS + upgrade; 0 = default */
    uint32_t ping_interval_ms;   /* 0 = no keep-alive pings */
    uint32_t pong_timeout_ms;    /* 0 = ping_interval_ms */
    uint32_t close_timeout_ms;   /* 0 = default */
    size_t max_message_size;     /* largest incoming message; 0 = ERTC_WS_DEFAULT_MAX_MESSAGE */
    size_t max_frame_size;       /* outgoing messages above are fragmented; 0 = never */
    size_t send_queue_bytes;     /* 0 = default; raised to fit one max_message_size message */
} ertc_ws_options_t;

typedef struct {
    void (*on_open)(ertc_ws_client_t *ws, void *arg);
    /* A whole message; data is valid during the call (text is UTF-8, not NUL-terminated). */
    void (*on_message)(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg);
    /* The connection ended. status SUCCESS: a close handshake, code/reason as received
     * (1005 when the close carried no code). Otherwise the error; code is 1006 when no close
     * frame was exchanged, or the code we sent when we failed the connection. */
    void (*on_close)(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code,
                     const char *reason, void *arg);
    void (*on_pong)(ertc_ws_client_t *ws, const uint8_t *data, size_t len, void *arg); /* opt. */
    /* Optional: called once, just before on_close, when the connection ends with an error
     * (any status but SUCCESS), with the same status and reason. */
    void (*on_error)(ertc_ws_client_t *ws, WEBRTC_STATUS status, const char *reason, void *arg);
} ertc_ws_callbacks_t;

WEBRTC_STATUS ertc_ws_connect(ertc_loop_t *loop, const ertc_ws_options_t *opts,
                              const ertc_ws_callbacks_t *cbs, void *arg, ertc_ws_client_t **out);

/* Queues one message. INVALID_OPERATION before on_open, CLOSED after a close began,
 * INVALID_ARG for text that is not UTF-8, QUEUE_FULL when it does not fit the send queue. */
WEBRTC_STATUS ertc_ws_send(ertc_ws_client_t *ws, bool is_text, const void *data, size_t len);
WEBRTC_STATUS ertc_ws_send_text(ertc_ws_client_t *ws, const char *text);
WEBRTC_STATUS ertc_ws_ping(ertc_ws_client_t *ws, const void *data, size_t len);
/* Starts the close handshake; on_close follows. */
WEBRTC_STATUS ertc_ws_close(ertc_ws_client_t *ws, uint16_t code, const char *reason);
/* Bytes waiting in the send queue. */
size_t ertc_ws_buffered(const ertc_ws_client_t *ws);
void ertc_ws_free(ertc_ws_client_t *ws);

#endif
