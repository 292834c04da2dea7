/*
 * net/ws_client — see ws_client.h.
 *
 * States: CONNECTING (TCP/TLS) → UPGRADING (request sent, reading the 101) → OPEN →
 * CLOSING (our close frame sent, waiting for the peer's) → CLOSED. Received bytes go first to
 * the HTTP parser until the 101 is complete, then every byte to the frame decoder. As in
 * net/conn, a callback may free the client, so handlers track their nesting (busy) and the
 * client is freed when the outermost one returns.
 */
#include "net/ws_client.h"

#include <stdio.h>
#include <string.h>

#include "net/conn.h"
#include "net/http_parser.h"
#include "net/utf8.h"
#include "net/ws_frame.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/url.h"

#define TAG "ws"
#define MASK_CHUNK 4096

typedef enum { WS_CONNECTING, WS_UPGRADING, WS_OPEN, WS_CLOSING, WS_CLOSED } ws_state_t;

struct ertc_ws_client {
    ertc_loop_t *loop;
    ertc_ws_callbacks_t cbs;
    void *arg;
    ws_state_t state;
    ertc_conn_t *conn;
    ertc_http_parser_t http; /* reads the 101; its store is freed once the socket is open */
    bool http_ready;
    ertc_ws_decoder_t decoder;
    char key[ERTC_WS_KEY_SIZE];
    char *subprotocol;
    char *request; /* the upgrade request, sent once the connection opens */
    size_t request_len;
    char url_text[160]; /* for messages */
    ertc_timer_t timer;      /* connect deadline, then close deadline */
    ertc_timer_t ping_timer; /* keep-alive */
    uint32_t connect_timeout_ms;
    uint32_t close_timeout_ms;
    uint32_t ping_interval_ms;
    uint32_t pong_timeout_ms;
    uint64_t ping_sent_us; /* 0 = no ping outstanding */
    size_t max_frame_size;
    int busy;
    bool free_requested;
};

static void ws_destroy(ertc_ws_client_t *ws)
{
    ertc_timer_stop(ws->loop, &ws->timer);
    ertc_timer_stop(ws->loop, &ws->ping_timer);
    ertc_conn_close(ws->conn);
    if (ws->http_ready) {
        ertc_http_parser_free(&ws->http);
    }
    ertc_ws_decoder_destroy(&ws->decoder);
    ertc_free(ws->subprotocol);
    ertc_free(ws->request);
    ertc_free(ws);
}

static void enter(ertc_ws_client_t *ws)
{
    ws->busy++;
}

static bool leave(ertc_ws_client_t *ws)
{
    ws->busy--;
    if (ws->busy == 0 && ws->free_requested) {
        ws_destroy(ws);
        return true;
    }
    return false;
}

static bool ended(const ertc_ws_client_t *ws)
{
    return ws->free_requested || ws->state == WS_CLOSED;
}

/* Reports the end once and drops the connection. */
static void ws_finish(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason)
{
    if (ws->state == WS_CLOSED) {
        return;
    }
    ws->state = WS_CLOSED;
    ertc_timer_stop(ws->loop, &ws->timer);
    ertc_timer_stop(ws->loop, &ws->ping_timer);
    if (ws->conn != NULL) {
        /* A clean close lets queued bytes (our close echo) go out first. */
        if (status == WEBRTC_STATUS_SUCCESS) {
            ertc_conn_end(ws->conn);
        } else {
            ertc_conn_close(ws->conn);
        }
        ws->conn = NULL;
    }
    if (status == WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGD(TAG, "%s: closed (%u %s)", ws->url_text, code, reason);
    } else {
        ERTC_LOGI(TAG, "%s", reason); /* the reason names the URL */
    }
    if (status != WEBRTC_STATUS_SUCCESS && ws->cbs.on_error != NULL) {
        ws->cbs.on_error(ws, status, reason, ws->arg);
        if (ws->free_requested) {
            return; /* freed from on_error: no more callbacks */
        }
    }
    if (ws->cbs.on_close != NULL) {
        ws->cbs.on_close(ws, status, code, reason, ws->arg);
    }
}

static WEBRTC_STATUS send_frame(ertc_ws_client_t *ws, bool fin, int opcode, const uint8_t *data,
                                size_t len)
{
    uint8_t mask[ERTC_WS_MASK_LEN];
    /* Header and the first payload bytes leave in one write: one TLS record, one send. */
    uint8_t buf[ERTC_WS_MAX_HEADER_LEN + MASK_CHUNK];
    size_t header_len = 0;
    WEBRTC_STATUS st = ertc_random_bytes(mask, sizeof(mask));
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ws_frame_header_encode(buf, fin, opcode, true, mask, len, &header_len);
    }
    size_t off = 0;
    size_t used = header_len;
    while (st == WEBRTC_STATUS_SUCCESS) {
        size_t n = len - off < MASK_CHUNK ? len - off : MASK_CHUNK;
        if (n > 0) {
            memcpy(buf + used, data + off, n);
            ertc_ws_mask(buf + used, n, mask, off);
        }
        st = ertc_conn_write(ws->conn, buf, used + n);
        off += n;
        used = 0;
        if (off >= len) {
            break;
        }
    }
    return st;
}

/* Fails the connection for a protocol problem: send a close with code, then drop it. */
static void ws_fail(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason)
{
    if (ws->conn != NULL && (ws->state == WS_OPEN || ws->state == WS_CLOSING) &&
        ertc_ws_is_valid_close_code(code)) {
        uint8_t payload[ERTC_WS_MAX_CONTROL_PAYLOAD];
        size_t n = 0;
        if (ertc_ws_build_close_payload(payload, &n, code, NULL) == WEBRTC_STATUS_SUCCESS) {
            send_frame(ws, true, ERTC_WS_OPCODE_CLOSE, payload, n);
            ertc_conn_end(ws->conn); /* flush the close, then go */
            ws->conn = NULL;
        }
    }
    ws_finish(ws, status, code, reason);
}

static void failf(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *what,
                  const char *detail)
{
    char reason[ERTC_WS_REASON_LEN];
    snprintf(reason, sizeof(reason), "WebSocket %.120s: %s%s%.200s", ws->url_text, what,
             detail ? ": " : "", detail ? detail : "");
    ws_fail(ws, status, code, reason);
}

/* ---- received frames ------------------------------------------------------------------------ */

static void on_control(ertc_ws_client_t *ws, const ertc_ws_event_t *ev)
{
    switch (ev->opcode) {
    case ERTC_WS_OPCODE_PING:
        if (ws->state == WS_OPEN) {
            send_frame(ws, true, ERTC_WS_OPCODE_PONG, ev->data, ev->len);
        }
        break;
    case ERTC_WS_OPCODE_PONG:
        ws->ping_sent_us = 0;
        if (ws->cbs.on_pong != NULL) {
            ws->cbs.on_pong(ws, ev->data, ev->len, ws->arg);
        }
        break;
    case ERTC_WS_OPCODE_CLOSE: {
        char reason[ERTC_WS_MAX_CLOSE_REASON + 1];
        size_t n = ev->close_reason_len < sizeof(reason) - 1 ? ev->close_reason_len
                                                             : sizeof(reason) - 1;
        memcpy(reason, ev->close_reason, n);
        reason[n] = '\0';
        if (ws->state == WS_OPEN) {
            /* Echo the code (RFC 6455 §5.5.1); a close without a code is echoed empty. */
            send_frame(ws, true, ERTC_WS_OPCODE_CLOSE, ev->data,
                       ev->close_code == ERTC_WS_CLOSE_NO_STATUS ? 0 : 2);
        }
        ws_finish(ws, WEBRTC_STATUS_SUCCESS, ev->close_code, reason);
        break;
    }
    default: break;
    }
}

static void feed_frames(ertc_ws_client_t *ws, const uint8_t *data, size_t len)
{
    while (!ended(ws) && (len > 0 || ws->state == WS_OPEN)) {
        size_t used = 0;
        ertc_ws_event_t ev;
        WEBRTC_STATUS st = ertc_ws_decoder_feed(&ws->decoder, data, len, &used, &ev);
        data += used;
        len -= used;
        if (st != WEBRTC_STATUS_SUCCESS) {
            failf(ws, st, ertc_ws_decoder_close_code(&ws->decoder), "the server broke the protocol",
                  ertc_ws_decoder_error(&ws->decoder));
            return;
        }
        if (ev.type == ERTC_WS_EVENT_NEED_MORE) {
            return;
        }
        if (ev.type == ERTC_WS_EVENT_CONTROL) {
            on_control(ws, &ev);
        } else if (ws->state == WS_OPEN && ws->cbs.on_message != NULL) {
            ws->cbs.on_message(ws, ev.opcode == ERTC_WS_OPCODE_TEXT, ev.data, ev.len, ws->arg);
        }
    }
}

/* ---- the opening handshake ------------------------------------------------------------------ */

static const char *get_header(void *ctx, const char *name)
{
    return ertc_http_parser_header(ctx, name);
}

static void on_ping_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg);

static void feed_upgrade(ertc_ws_client_t *ws, const uint8_t *data, size_t len)
{
    size_t used = 0;
    WEBRTC_STATUS st = ertc_http_parser_feed_head(&ws->http, data, len, &used);
    if (st != WEBRTC_STATUS_SUCCESS) {
        failf(ws, st, ERTC_WS_CLOSE_ABNORMAL, "bad handshake answer",
              ertc_http_parser_error(&ws->http));
        return;
    }
    if (!ertc_http_parser_headers_complete(&ws->http)) {
        return; /* all consumed, wait for more */
    }
    int status = ertc_http_parser_status_code(&ws->http);
    if (status != 101) {
        char what[160];
        snprintf(what, sizeof(what), "server answered %d %.100s instead of 101", status,
                 ertc_http_parser_reason(&ws->http));
        WEBRTC_STATUS why = (status == 401 || status == 403) ? WEBRTC_STATUS_SIGNALING_AUTH_FAILED
                                                              : WEBRTC_STATUS_NETWORK_ERROR;
        failf(ws, why, ERTC_WS_CLOSE_ABNORMAL, what, NULL);
        return;
    }
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE];
    st = ertc_ws_check_server_response(status, get_header, &ws->http, ws->key, ws->subprotocol,
                                       err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        failf(ws, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_ABNORMAL, "bad handshake answer", err);
        return;
    }
    ws->state = WS_OPEN;
    ertc_timer_stop(ws->loop, &ws->timer);
    /* The answer has been read: its header store is not needed any more. */
    ertc_http_parser_free(&ws->http);
    ws->http_ready = false;
    if (ws->ping_interval_ms > 0) {
        ertc_timer_init(&ws->ping_timer, on_ping_timer, ws);
        ertc_timer_start(ws->loop, &ws->ping_timer, ws->ping_interval_ms, ws->ping_interval_ms);
    }
    ERTC_LOGD(TAG, "%s: open", ws->url_text);
    if (ws->cbs.on_open != NULL) {
        ws->cbs.on_open(ws, ws->arg);
    }
    if (!ended(ws) && used < len) {
        feed_frames(ws, data + used, len - used); /* frames right behind the 101 */
    }
}

/* ---- connection callbacks -------------------------------------------------------------------- */

static void conn_opened(ertc_conn_t *c, void *arg)
{
    (void)c;
    ertc_ws_client_t *ws = arg;
    enter(ws);
    ws->state = WS_UPGRADING;
    WEBRTC_STATUS st = ertc_conn_write(ws->conn, ws->request, ws->request_len);
    ertc_free(ws->request);
    ws->request = NULL;
    if (st != WEBRTC_STATUS_SUCCESS) {
        failf(ws, st, ERTC_WS_CLOSE_ABNORMAL, "cannot send the upgrade request", NULL);
    }
    leave(ws);
}

static void conn_data(ertc_conn_t *c, const uint8_t *data, size_t len, void *arg)
{
    (void)c;
    ertc_ws_client_t *ws = arg;
    enter(ws);
    if (ws->state == WS_UPGRADING) {
        feed_upgrade(ws, data, len);
    } else if (ws->state == WS_OPEN || ws->state == WS_CLOSING) {
        feed_frames(ws, data, len);
    }
    leave(ws);
}

static void conn_closed(ertc_conn_t *c, WEBRTC_STATUS status, const char *reason, void *arg)
{
    (void)c;
    ertc_ws_client_t *ws = arg;
    enter(ws);
    ertc_conn_close(ws->conn);
    ws->conn = NULL;
    if (ws->state == WS_OPEN || ws->state == WS_CLOSING) {
        failf(ws, WEBRTC_STATUS_NETWORK_ERROR, ERTC_WS_CLOSE_ABNORMAL,
              "connection closed without a close frame", reason);
    } else {
        /* connect, TLS or handshake failure: conn's reason says which */
        char text[ERTC_WS_REASON_LEN];
        snprintf(text, sizeof(text), "WebSocket %.120s: %.250s", ws->url_text, reason);
        ws_finish(ws, status == WEBRTC_STATUS_CLOSED ? WEBRTC_STATUS_NETWORK_ERROR : status,
                  ERTC_WS_CLOSE_ABNORMAL, text);
    }
    leave(ws);
}

/* ---- timers ------------------------------------------------------------------------------- */

static void on_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    ertc_ws_client_t *ws = arg;
    enter(ws);
    char what[96];
    if (ws->state == WS_CLOSING) {
        snprintf(what, sizeof(what), "no close frame from the server within %u ms",
                 (unsigned)ws->close_timeout_ms);
        failf(ws, WEBRTC_STATUS_TIMEOUT, ERTC_WS_CLOSE_ABNORMAL, what, NULL);
    } else if (ws->state == WS_CONNECTING || ws->state == WS_UPGRADING) {
        snprintf(what, sizeof(what), "not open within %u ms (%s)",
                 (unsigned)ws->connect_timeout_ms,
                 ws->state == WS_CONNECTING ? "connecting" : "waiting for the 101 answer");
        failf(ws, WEBRTC_STATUS_TIMEOUT, ERTC_WS_CLOSE_ABNORMAL, what, NULL);
    }
    leave(ws);
}

static void on_ping_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    ertc_ws_client_t *ws = arg;
    if (ws->state != WS_OPEN) {
        return;
    }
    enter(ws);
    uint64_t now = ertc_loop_now_us(loop);
    if (ws->ping_sent_us != 0) {
        if (now - ws->ping_sent_us >= (uint64_t)ws->pong_timeout_ms * 1000) {
            char what[64];
            snprintf(what, sizeof(what), "no pong within %u ms", (unsigned)ws->pong_timeout_ms);
            failf(ws, WEBRTC_STATUS_TIMEOUT, ERTC_WS_CLOSE_GOING_AWAY, what, NULL);
        }
    } else if (send_frame(ws, true, ERTC_WS_OPCODE_PING, (const uint8_t *)"ka", 2) ==
               WEBRTC_STATUS_SUCCESS) {
        ws->ping_sent_us = now;
    }
    leave(ws);
}

/* ---- public ------------------------------------------------------------------------------- */

static WEBRTC_STATUS build_request(ertc_ws_client_t *ws, const ertc_ws_options_t *opts,
                                   const ertc_url_t *url, const char *host)
{
    size_t target_len = url->path_len + (url->query ? url->query_len + 1 : 0);
    char *target = ertc_malloc(target_len + 1);
    if (target == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    memcpy(target, url->path, url->path_len);
    if (url->query != NULL) {
        target[url->path_len] = '?';
        memcpy(target + url->path_len + 1, url->query, url->query_len);
    }
    target[target_len] = '\0';
    WEBRTC_STATUS st = ertc_ws_make_key(ws->key);
    ertc_ws_client_request_t req = {
        .host = host,
        .path = target,
        .origin = opts->origin,
        .subprotocol = opts->subprotocol,
        .headers = opts->headers,
        .header_count = opts->header_count,
        .key = ws->key,
    };
    size_t size = target_len + strlen(host) + 256; /* the fixed lines and the key: < 200 */
    for (size_t i = 0; i < opts->header_count; i++) {
        size += strlen(opts->headers[i].name) + strlen(opts->headers[i].value) + 4;
    }
    size += (opts->origin ? strlen(opts->origin) : 0) +
            (opts->subprotocol ? strlen(opts->subprotocol) : 0) + 64;
    ws->request = ertc_malloc(size);
    if (st == WEBRTC_STATUS_SUCCESS && ws->request == NULL) {
        st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ws_build_client_request(ws->request, size, &ws->request_len, &req);
    }
    ertc_free(target);
    return st;
}

WEBRTC_STATUS ertc_ws_connect(ertc_loop_t *loop, const ertc_ws_options_t *opts,
                              const ertc_ws_callbacks_t *cbs, void *arg, ertc_ws_client_t **out)
{
    if (loop == NULL || opts == NULL || opts->url == NULL || cbs == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_url_t url;
    WEBRTC_STATUS st = ertc_url_parse(opts->url, strlen(opts->url), &url);
    /* Logged without its query: a presigned URL carries credentials there. */
    size_t shown = strcspn(opts->url, "?#");
    int shown_len = (int)(shown < 120 ? shown : 120);
    if (st != WEBRTC_STATUS_SUCCESS || (url.scheme != ERTC_URL_SCHEME_WS &&
                                        url.scheme != ERTC_URL_SCHEME_WSS)) {
        ERTC_LOGE(TAG, "not a ws:// or wss:// URL: %.*s", shown_len, opts->url);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (url.secure && opts->tls == NULL) {
        ERTC_LOGE(TAG, "%.*s: wss:// needs a TLS configuration", shown_len, opts->url);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_ws_client_t *ws = ertc_calloc(1, sizeof(*ws));
    if (ws == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    ws->loop = loop;
    ws->cbs = *cbs;
    ws->arg = arg;
    ws->state = WS_CONNECTING;
    /* Only the scheme, host and path go into messages: a query may hold a signature. */
    char host[ERTC_URL_HOST_PORT_SIZE];
    st = ertc_url_format_host_port(&url, host, sizeof(host), NULL);
    snprintf(ws->url_text, sizeof(ws->url_text), "%s://%.100s%.*s",
             ertc_url_scheme_name(url.scheme), host, (int)(url.path_len < 50 ? url.path_len : 50),
             url.path);
    ws->connect_timeout_ms = opts->connect_timeout_ms ? opts->connect_timeout_ms
                                                      : ERTC_WS_DEFAULT_CONNECT_TIMEOUT_MS;
    ws->close_timeout_ms =
        opts->close_timeout_ms ? opts->close_timeout_ms : ERTC_WS_DEFAULT_CLOSE_TIMEOUT_MS;
    ws->ping_interval_ms = opts->ping_interval_ms;
    ws->pong_timeout_ms = opts->pong_timeout_ms ? opts->pong_timeout_ms : opts->ping_interval_ms;
    ws->max_frame_size = opts->max_frame_size;
    ertc_timer_init(&ws->timer, on_timer, ws);
    ertc_timer_init(&ws->ping_timer, on_ping_timer, ws);
    if (opts->subprotocol != NULL && (ws->subprotocol = ertc_strdup(opts->subprotocol)) == NULL) {
        ws_destroy(ws);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }

    ertc_ws_decoder_config_t dcfg = {
        .role = ERTC_WS_ROLE_CLIENT,
        .max_frame_payload = opts->max_message_size,
        .max_message_size = opts->max_message_size,
    };
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    limits.max_header_bytes = ERTC_WS_MAX_UPGRADE_RESPONSE;
    /* A refusal (403, 503) may carry a body; its status is reported at the end of the header
     * section, before any body byte, so the limit only has to let the headers through. */
    limits.max_body_bytes = 64 * 1024;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ws_decoder_init(&ws->decoder, &dcfg);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_http_parser_init_response(&ws->http, &limits, NULL, 0);
        ws->http_ready = st == WEBRTC_STATUS_SUCCESS;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = build_request(ws, opts, &url, host);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        /* out of memory, or an origin, subprotocol or header that cannot go into a request */
        ERTC_LOGE(TAG, "%s: cannot prepare the connection (%s)", ws->url_text,
                  st == WEBRTC_STATUS_NOT_ENOUGH_MEMORY ? "out of memory" : "invalid options");
        ws_destroy(ws);
        return st;
    }
    size_t max_message = opts->max_message_size ? opts->max_message_size
                                                : ERTC_WS_DEFAULT_MAX_MESSAGE;
    size_t queue = opts->send_queue_bytes ? opts->send_queue_bytes : ERTC_WS_DEFAULT_SEND_QUEUE;
    if (queue < max_message + 1024) {
        queue = max_message + 1024; /* one whole message must always fit */
    }
    ertc_conn_options_t copts = {
        .host = url.host,
        .port = url.port,
        .tls = url.secure ? opts->tls : NULL,
        .connect_timeout_ms = ws->connect_timeout_ms,
        .max_buffered = queue,
    };
    static const ertc_conn_callbacks_t ccbs = {
        .on_open = conn_opened,
        .on_data = conn_data,
        .on_close = conn_closed,
    };
    st = ertc_conn_connect(loop, &copts, &ccbs, ws, &ws->conn);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGI(TAG, "%s: cannot connect: %s", ws->url_text, ertc_socket_error_text());
        ws_destroy(ws);
        return st;
    }
    ertc_timer_start(loop, &ws->timer, ws->connect_timeout_ms, 0);
    *out = ws;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ws_send(ertc_ws_client_t *ws, bool is_text, const void *data, size_t len)
{
    if (ws == NULL || (data == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ws->state == WS_CONNECTING || ws->state == WS_UPGRADING) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (ws->state != WS_OPEN || ws->free_requested) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (is_text && !ertc_utf8_valid(data, len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t frame = ws->max_frame_size && len > ws->max_frame_size ? ws->max_frame_size : len;
    size_t frames = frame ? (len + frame - 1) / frame : 1;
    size_t need = len + frames * ERTC_WS_MAX_HEADER_LEN;
    if (ertc_conn_buffered(ws->conn) + need > ertc_conn_max_buffered(ws->conn)) {
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    const uint8_t *p = data;
    size_t left = len;
    int opcode = is_text ? ERTC_WS_OPCODE_TEXT : ERTC_WS_OPCODE_BINARY;
    WEBRTC_STATUS st;
    do {
        size_t n = left < frame ? left : frame;
        st = send_frame(ws, n == left, opcode, p, n);
        opcode = ERTC_WS_OPCODE_CONTINUATION;
        p += n;
        left -= n;
    } while (st == WEBRTC_STATUS_SUCCESS && left > 0);
    return st;
}

WEBRTC_STATUS ertc_ws_send_text(ertc_ws_client_t *ws, const char *text)
{
    return ertc_ws_send(ws, true, text, text ? strlen(text) : 0);
}

WEBRTC_STATUS ertc_ws_ping(ertc_ws_client_t *ws, const void *data, size_t len)
{
    if (ws == NULL || len > ERTC_WS_MAX_CONTROL_PAYLOAD) {
        return ws == NULL ? WEBRTC_STATUS_NULL_ARG : WEBRTC_STATUS_INVALID_ARG;
    }
    if (ws->state != WS_OPEN) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    return send_frame(ws, true, ERTC_WS_OPCODE_PING, data, len);
}

WEBRTC_STATUS ertc_ws_close(ertc_ws_client_t *ws, uint16_t code, const char *reason)
{
    if (ws == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ws->state != WS_OPEN) {
        if (ws->state == WS_CONNECTING || ws->state == WS_UPGRADING) {
            enter(ws);
            ws_finish(ws, WEBRTC_STATUS_CLOSED, ERTC_WS_CLOSE_ABNORMAL,
                      "closed before the connection opened");
            leave(ws);
            return WEBRTC_STATUS_SUCCESS;
        }
        return WEBRTC_STATUS_CLOSED;
    }
    uint8_t payload[ERTC_WS_MAX_CONTROL_PAYLOAD];
    size_t n = 0;
    WEBRTC_STATUS st = ertc_ws_build_close_payload(payload, &n, code, reason);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    st = send_frame(ws, true, ERTC_WS_OPCODE_CLOSE, payload, n);
    ws->state = WS_CLOSING;
    ertc_timer_stop(ws->loop, &ws->ping_timer);
    ertc_timer_start(ws->loop, &ws->timer, ws->close_timeout_ms, 0);
    return st == WEBRTC_STATUS_QUEUE_FULL ? WEBRTC_STATUS_SUCCESS : st;
}

size_t ertc_ws_buffered(const ertc_ws_client_t *ws)
{
    return ws->conn ? ertc_conn_buffered(ws->conn) : 0;
}

void ertc_ws_free(ertc_ws_client_t *ws)
{
    if (ws == NULL) {
        return;
    }
    ws->state = WS_CLOSED;
    ws->free_requested = true;
    if (ws->busy == 0) {
        ws_destroy(ws);
    }
}
