/*
 * signald/ws_conn — the server side of a WebSocket on an accepted connection (see ws_conn.h
 * and the connection states in conn_state.h).
 *
 * Closing follows RFC 6455 §5.5.1 and §7: when the peer sends a close frame we answer with
 * the same code and close the TCP connection once the answer is flushed (the server closes
 * first, §7.1.1); when we close, we send our close frame and wait, in LINGER, for the peer's
 * answer or SD_CLOSE_LINGER_MS. A protocol violation fails the connection (§7.1.7) with the
 * close code the decoder names (1002, 1007, 1009).
 */
#include <stdio.h>
#include <string.h>

#include "conn_state.h"
#include "signald_limits.h"
#include "util/log.h"

#define TAG "signald"

/* ---- accepting ---------------------------------------------------------------------------- */

static const char *get_header(void *ctx, const char *name)
{
    return ertc_http_parser_header(ctx, name);
}

bool sd_ws_accept_upgrade(const sd_http_request_t *req, sd_http_response_t *resp,
                          bool require_origin, const sd_ws_handler_t *handler, void *arg)
{
    ertc_ws_request_info_t info;
    memset(&info, 0, sizeof(info));
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE] = "";
    WEBRTC_STATUS st =
        ertc_ws_check_client_request(req->method, get_header, (void *)req->parser, resp->ws_accept,
                                     sizeof(resp->ws_accept), &info, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        int status = info.reject_status != 0 ? info.reject_status : 400;
        sd_http_respond_text(resp, status, "WebSocket upgrade refused: %s", err);
        if (status == 426) {
            sd_http_response_add_header(resp, "Upgrade", "websocket");
            sd_http_response_add_header(resp, "Sec-WebSocket-Version", ERTC_WS_VERSION);
        } else if (status == 405) {
            sd_http_response_add_header(resp, "Allow", "GET");
        }
        resp->close = true;
        return false;
    }
    if (require_origin && (info.origin == NULL || info.origin[0] == '\0')) {
        sd_http_respond_text(resp, 403,
                             "WebSocket upgrade refused: no Origin header (the Collider protocol "
                             "requires one; browsers send it, device clients must set it)");
        resp->close = true;
        return false;
    }
    resp->status = 101;
    resp->ws_handler = handler;
    resp->ws_arg = arg;
    return true;
}

/* ---- sending ------------------------------------------------------------------------------ */

/* Queues a whole frame, or nothing: QUEUE_FULL when the output buffer cannot take it all. */
static WEBRTC_STATUS send_frame(sd_conn_t *c, int opcode, const void *payload, size_t len)
{
    if (c->conn == NULL) {
        return WEBRTC_STATUS_CLOSED;
    }
    uint8_t header[ERTC_WS_MAX_HEADER_LEN];
    size_t header_len = 0;
    WEBRTC_STATUS st =
        ertc_ws_frame_header_encode(header, true, opcode, false, NULL, len, &header_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    size_t room = ertc_conn_max_buffered(c->conn) - ertc_conn_buffered(c->conn);
    if (header_len + len > room) {
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    st = ertc_conn_write(c->conn, header, header_len);
    if (st == WEBRTC_STATUS_SUCCESS && len > 0 && c->conn != NULL) {
        st = ertc_conn_write(c->conn, payload, len);
    }
    return c->conn == NULL ? WEBRTC_STATUS_CLOSED : st;
}

WEBRTC_STATUS sd_ws_send_text(sd_conn_t *ws, const char *data, size_t len)
{
    if (ws->state != SD_CONN_WEBSOCKET) {
        return WEBRTC_STATUS_CLOSED;
    }
    return send_frame(ws, ERTC_WS_OPCODE_TEXT, data, len);
}

static void send_close_frame(sd_conn_t *c, uint16_t code, const char *reason)
{
    uint8_t payload[ERTC_WS_MAX_CONTROL_PAYLOAD];
    size_t len = 0;
    if (ertc_ws_build_close_payload(payload, &len, code, reason) != WEBRTC_STATUS_SUCCESS) {
        ertc_ws_build_close_payload(payload, &len, ERTC_WS_CLOSE_NORMAL, NULL);
    }
    send_frame(c, ERTC_WS_OPCODE_CLOSE, payload, len);
}

void sd_ws_close(sd_conn_t *ws, uint16_t code, const char *reason)
{
    if (ws->state != SD_CONN_WEBSOCKET) {
        return;
    }
    ERTC_LOGD(TAG, "ws %llu %s: closing with %u", (unsigned long long)ws->id, ws->peer,
              (unsigned)code);
    send_close_frame(ws, code, reason);
    sd_conn_linger(ws, true, true);
    sd_ws_conn_notify_closed(ws);
}

bool sd_ws_is_open(const sd_conn_t *ws)
{
    return ws->state == SD_CONN_WEBSOCKET;
}

void sd_ws_set_user(sd_conn_t *ws, void *user)
{
    ws->ws_user = user;
}

void *sd_ws_user(const sd_conn_t *ws)
{
    return ws->ws_user;
}

/* ---- receiving ---------------------------------------------------------------------------- */

void sd_ws_conn_start(sd_conn_t *c, const sd_ws_handler_t *h, void *arg, const uint8_t *data,
                      size_t len)
{
    ertc_ws_decoder_config_t cfg = {
        .role = ERTC_WS_ROLE_SERVER,
        .max_frame_payload = SD_MAX_WS_FRAME_BYTES,
        .max_message_size = SD_MAX_WS_FRAME_BYTES,
    };
    if (ertc_ws_decoder_init(&c->decoder, &cfg) != WEBRTC_STATUS_SUCCESS) {
        sd_conn_release(c, "cannot start the WebSocket decoder");
        return;
    }
    c->decoder_ready = true;
    c->ws_handler = h;
    c->ws_arg = arg;
    c->state = SD_CONN_WEBSOCKET;
    ERTC_LOGD(TAG, "ws %llu %s: open", (unsigned long long)c->id, c->peer);
    if (h->on_open != NULL) {
        h->on_open(c, arg);
    }
    if (c->state == SD_CONN_WEBSOCKET && len > 0) {
        sd_ws_conn_on_data(c, data, len);
    }
}

static void on_control(sd_conn_t *c, const ertc_ws_event_t *ev)
{
    switch (ev->opcode) {
    case ERTC_WS_OPCODE_PING:
        if (c->state == SD_CONN_WEBSOCKET) {
            send_frame(c, ERTC_WS_OPCODE_PONG, ev->data, ev->len);
        }
        break;
    case ERTC_WS_OPCODE_CLOSE:
        if (c->state == SD_CONN_WEBSOCKET) {
            /* The peer closes: answer with its code (§5.5.1), then close our side. */
            uint16_t code = ev->close_code;
            ERTC_LOGD(TAG, "ws %llu %s: peer closed with %u", (unsigned long long)c->id, c->peer,
                      (unsigned)code);
            if (code == ERTC_WS_CLOSE_NO_STATUS || !ertc_ws_is_valid_close_code(code)) {
                code = ERTC_WS_CLOSE_NORMAL;
            }
            send_close_frame(c, code, NULL);
            sd_conn_linger(c, false, false);
            sd_ws_conn_notify_closed(c);
        } else {
            c->linger_for_peer = false; /* the answer to our close frame */
        }
        break;
    default: break; /* pong */
    }
}

static void fail_connection(sd_conn_t *c)
{
    uint16_t code = ertc_ws_decoder_close_code(&c->decoder);
    const char *why = ertc_ws_decoder_error(&c->decoder);
    if (c->state != SD_CONN_WEBSOCKET) {
        c->linger_for_peer = false; /* garbage while waiting for the close answer: give up */
        return;
    }
    ERTC_LOGW(TAG, "ws %s: WebSocket protocol error, closing with %u: %s", c->peer, (unsigned)code,
              why);
    send_close_frame(c, code, why);
    sd_conn_linger(c, false, false);
    sd_ws_conn_notify_closed(c);
}

void sd_ws_conn_on_data(sd_conn_t *c, const uint8_t *data, size_t len)
{
    for (;;) {
        bool reading = c->state == SD_CONN_WEBSOCKET ||
                       (c->state == SD_CONN_LINGER && c->linger_websocket && c->linger_for_peer);
        if (!reading || !c->decoder_ready) {
            return;
        }
        size_t used = 0;
        ertc_ws_event_t ev;
        WEBRTC_STATUS st = ertc_ws_decoder_feed(&c->decoder, data, len, &used, &ev);
        data += used;
        len -= used;
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail_connection(c);
            return;
        }
        if (ev.type == ERTC_WS_EVENT_NEED_MORE) {
            return;
        }
        if (ev.type == ERTC_WS_EVENT_CONTROL) {
            on_control(c, &ev);
        } else if (c->state == SD_CONN_WEBSOCKET && c->ws_handler->on_message != NULL) {
            c->ws_handler->on_message(c, (const char *)ev.data, ev.len, c->ws_arg);
        }
    }
}

void sd_ws_conn_notify_closed(sd_conn_t *c)
{
    if (c->ws_handler == NULL || c->ws_notified) {
        return;
    }
    c->ws_notified = true;
    ERTC_LOGD(TAG, "ws %llu %s: closed", (unsigned long long)c->id, c->peer);
    if (c->ws_handler->on_close != NULL) {
        c->ws_handler->on_close(c, c->ws_arg);
    }
}

void sd_ws_conn_free(sd_conn_t *c)
{
    if (c->decoder_ready) {
        ertc_ws_decoder_destroy(&c->decoder);
        c->decoder_ready = false;
    }
}
