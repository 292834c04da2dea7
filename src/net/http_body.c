/*
 * net/http_body — the message body (RFC 9112 §6, §7.1): Content-Length, chunked (chunk-size
 * lines parsed byte by byte, as they are short and need no copy) and until close; body bytes
 * go to the callback straight from the caller's buffer. With ertc_http_parser_feed and
 * ertc_http_parser_finish. Part of net/http_parser; see http_parser_internal.h.
 */
#include <inttypes.h>
#include <string.h>

#include "net/http_parser_internal.h"
#include "util/ascii.h"
#include "util/log.h"

#define TAG ERTC_HTTP_TAG

static WEBRTC_STATUS deliver_body(ertc_http_parser_t *p, const uint8_t *data, size_t len)
{
    p->body_bytes += len;
    if (p->on_body == NULL || len == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    WEBRTC_STATUS st = p->on_body(data, len, p->body_arg);
    if (WEBRTC_STATUS_FAILED(st)) {
        return ertc_http_fail(p, st, "body callback failed: %s", webrtc_status_name(st));
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS read_length_body(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                      size_t *used)
{
    size_t n = p->body_remaining < len ? (size_t)p->body_remaining : len;
    p->body_remaining -= n;
    *used = n;
    WEBRTC_STATUS st = deliver_body(p, data, n);
    if (WEBRTC_STATUS_SUCCEEDED(st) && p->body_remaining == 0) {
        ERTC_LOGD(TAG, "message complete, %" PRIu64 " body bytes", p->body_bytes);
        ertc_http_set_state(p, ERTC_HTTP_STATE_COMPLETE);
    }
    return st;
}

static WEBRTC_STATUS read_until_close_body(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                           size_t *used)
{
    if (len > p->limits.max_body_bytes - p->body_bytes) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED, "body larger than %" PRIu64 " bytes",
                              p->limits.max_body_bytes);
    }
    *used = len;
    return deliver_body(p, data, len);
}

static WEBRTC_STATUS on_chunk_size(ertc_http_parser_t *p)
{
    if (p->body_remaining == 0) {
        p->line_len = 0;
        ertc_http_set_state(p, ERTC_HTTP_STATE_TRAILER_LINE);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (p->body_remaining > p->limits.max_body_bytes - p->body_bytes) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED, "body larger than %" PRIu64 " bytes",
                              p->limits.max_body_bytes);
    }
    ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_DATA);
    return WEBRTC_STATUS_SUCCESS;
}

/* chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): skipped, not interpreted. */
static WEBRTC_STATUS read_chunk_ext_byte(ertc_http_parser_t *p, uint8_t c)
{
    if (c == '\r') {
        ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_SIZE_LF);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (c == '\n') {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "chunk-size line not terminated by CRLF");
    }
    ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_EXT);
    if (!p->chunk_ext_started) {
        if (c == ';') {
            p->chunk_ext_started = true;
            return WEBRTC_STATUS_SUCCESS;
        }
        if (ertc_http_is_ows(c)) {
            return WEBRTC_STATUS_SUCCESS;
        }
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "invalid chunk size");
    }
    if (!ertc_http_is_field_char(c)) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "invalid character in a chunk extension");
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* One byte of a chunk-size line: chunk-size [ chunk-ext ] CRLF. */
static WEBRTC_STATUS read_chunk_line_byte(ertc_http_parser_t *p, uint8_t c)
{
    if (++p->chunk_line_len > p->limits.max_chunk_line) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED,
                              "chunk-size line longer than %zu bytes", p->limits.max_chunk_line);
    }
    switch (p->state) {
    case ERTC_HTTP_STATE_CHUNK_SIZE: {
        int v = ertc_ascii_hex_value(c);
        if (v >= 0) {
            if (p->body_remaining > (UINT64_MAX >> 4)) {
                return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                      "chunk size does not fit in 64 bits");
            }
            p->body_remaining = (p->body_remaining << 4) | (uint64_t)v;
            p->chunk_digits++;
            return WEBRTC_STATUS_SUCCESS;
        }
        if (p->chunk_digits == 0) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "invalid chunk size");
        }
        return read_chunk_ext_byte(p, c);
    }
    case ERTC_HTTP_STATE_CHUNK_EXT: return read_chunk_ext_byte(p, c);
    default: /* ERTC_HTTP_STATE_CHUNK_SIZE_LF */
        if (c != '\n') {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "chunk-size line not terminated by CRLF");
        }
        return on_chunk_size(p);
    }
}

static WEBRTC_STATUS read_chunk_data(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                     size_t *used)
{
    size_t n = p->body_remaining < len ? (size_t)p->body_remaining : len;
    p->body_remaining -= n;
    *used = n;
    if (p->body_remaining == 0) {
        ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_DATA_CR);
    }
    return deliver_body(p, data, n);
}

static WEBRTC_STATUS read_chunk_data_end(ertc_http_parser_t *p, uint8_t c)
{
    bool cr = p->state == ERTC_HTTP_STATE_CHUNK_DATA_CR;
    if (c != (cr ? '\r' : '\n')) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "chunk data not followed by CRLF");
    }
    if (cr) {
        ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_DATA_LF);
    } else {
        ertc_http_start_chunk_size_line(p);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Handles data[0..len) in the current state, up to the next state change at most. */
static WEBRTC_STATUS step(ertc_http_parser_t *p, const uint8_t *data, size_t len, size_t *used)
{
    switch (p->state) {
    case ERTC_HTTP_STATE_TRAILER_LINE: return ertc_http_read_line(p, data, len, used);
    case ERTC_HTTP_STATE_BODY_LENGTH: return read_length_body(p, data, len, used);
    case ERTC_HTTP_STATE_BODY_UNTIL_CLOSE: return read_until_close_body(p, data, len, used);
    case ERTC_HTTP_STATE_CHUNK_SIZE:
    case ERTC_HTTP_STATE_CHUNK_EXT:
    case ERTC_HTTP_STATE_CHUNK_SIZE_LF: *used = 1; return read_chunk_line_byte(p, data[0]);
    case ERTC_HTTP_STATE_CHUNK_DATA: return read_chunk_data(p, data, len, used);
    case ERTC_HTTP_STATE_CHUNK_DATA_CR:
    case ERTC_HTTP_STATE_CHUNK_DATA_LF: *used = 1; return read_chunk_data_end(p, data[0]);
    default: break;
    }
    return ertc_http_fail(p, WEBRTC_STATUS_INTERNAL_ERROR, "feed in state %s",
                          ertc_http_parser_state_name(p->state));
}

/* ---- public API ------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_http_parser_feed(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                    size_t *consumed)
{
    WEBRTC_STATUS st = ertc_http_feed_check(p, data, len, consumed);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (ertc_http_is_header_phase(p->state)) {
        /* it stops at the end of the header section: the caller looks before going on */
        return ertc_http_parser_feed_head(p, data, len, consumed);
    }
    size_t pos = 0;
    while (pos < len && WEBRTC_STATUS_SUCCEEDED(st) && !ertc_http_parser_is_complete(p)) {
        size_t used = 0;
        st = step(p, data + pos, len - pos, &used);
        pos += used;
    }
    *consumed = pos;
    return st;
}

WEBRTC_STATUS ertc_http_parser_finish(ertc_http_parser_t *p)
{
    if (p == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    switch (p->state) {
    case ERTC_HTTP_STATE_COMPLETE:
    case ERTC_HTTP_STATE_UPGRADED: return WEBRTC_STATUS_SUCCESS;
    case ERTC_HTTP_STATE_ERROR: return p->error_status;
    case ERTC_HTTP_STATE_BODY_UNTIL_CLOSE:
        ERTC_LOGD(TAG, "message complete at close, %" PRIu64 " body bytes", p->body_bytes);
        ertc_http_set_state(p, ERTC_HTTP_STATE_COMPLETE);
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_HTTP_STATE_START_LINE:
        if (p->header_bytes == 0) {
            return WEBRTC_STATUS_CLOSED;
        }
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "connection closed before the end of the header block");
    case ERTC_HTTP_STATE_HEADER_LINE:
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "connection closed before the end of the header block");
    case ERTC_HTTP_STATE_BODY_LENGTH:
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "connection closed after %" PRIu64 " of %" PRIu64 " body bytes",
                              p->body_bytes, p->content_length);
    default:
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "connection closed inside the chunked body, after %" PRIu64 " bytes",
                              p->body_bytes);
    }
}
