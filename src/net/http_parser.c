/*
 * net/http_parser — incremental HTTP/1.1 parser (RFC 9112): the message head and the
 * header store (http_fields.c reads field lines, http_body.c the body). See http_parser.h
 * for the contract and http_parser_internal.h for the split.
 *
 * How it works: the start line, header lines and trailer lines are collected whole, one at
 * a time, into the header store right after what is already kept there, and parsed once
 * their LF arrives. A parsed line is rewritten in place into its stored form (a header
 * "Name: value  CRLF" becomes "Name\0value\0"), which is never longer than the raw line;
 * so the store never holds more bytes than the raw header bytes seen, and a store of
 * max_header_bytes always suffices. Trailer lines are checked the same way but never
 * committed. A store the parser allocates itself starts small and grows (doubling, up to
 * max_header_bytes) as the head needs it: most heads are a few hundred bytes.
 */
#include "net/http_parser.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/http_parser_internal.h"
#include "util/alloc.h"
#include "util/ascii.h"
#include "util/log.h"

#define TAG ERTC_HTTP_TAG

#define HTTP_VERSION_LEN    8 /* "HTTP/1.1" */
#define STATUS_CODE_LEN     3
#define STATUS_LINE_MIN_LEN (HTTP_VERSION_LEN + 1 + STATUS_CODE_LEN)
#define STATUS_CODE_MIN     100
#define STATUS_CODE_MAX     599
#define CRLF_LEN            2
#define CHUNK_LINE_MIN      3 /* "0" CRLF */

static bool equals_ignore_case(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (ertc_ascii_lower((uint8_t)*a) != ertc_ascii_lower((uint8_t)*b)) {
            return false;
        }
    }
    return *a == *b;
}

/* ---- state and errors ------------------------------------------------------------------- */

static const char *const state_names[] = {
    [ERTC_HTTP_STATE_START_LINE] = "START_LINE",
    [ERTC_HTTP_STATE_HEADER_LINE] = "HEADER_LINE",
    [ERTC_HTTP_STATE_BODY_LENGTH] = "BODY_LENGTH",
    [ERTC_HTTP_STATE_BODY_UNTIL_CLOSE] = "BODY_UNTIL_CLOSE",
    [ERTC_HTTP_STATE_CHUNK_SIZE] = "CHUNK_SIZE",
    [ERTC_HTTP_STATE_CHUNK_EXT] = "CHUNK_EXT",
    [ERTC_HTTP_STATE_CHUNK_SIZE_LF] = "CHUNK_SIZE_LF",
    [ERTC_HTTP_STATE_CHUNK_DATA] = "CHUNK_DATA",
    [ERTC_HTTP_STATE_CHUNK_DATA_CR] = "CHUNK_DATA_CR",
    [ERTC_HTTP_STATE_CHUNK_DATA_LF] = "CHUNK_DATA_LF",
    [ERTC_HTTP_STATE_TRAILER_LINE] = "TRAILER_LINE",
    [ERTC_HTTP_STATE_COMPLETE] = "COMPLETE",
    [ERTC_HTTP_STATE_UPGRADED] = "UPGRADED",
    [ERTC_HTTP_STATE_ERROR] = "ERROR",
};

const char *ertc_http_parser_state_name(ertc_http_state_t state)
{
    if ((size_t)state < sizeof(state_names) / sizeof(state_names[0])) {
        return state_names[state];
    }
    return "UNKNOWN";
}

void ertc_http_set_state(ertc_http_parser_t *p, ertc_http_state_t next)
{
    if (p->state != next) {
        ERTC_LOGV(TAG, "parser %s -> %s", ertc_http_parser_state_name(p->state),
                  ertc_http_parser_state_name(next));
    }
    p->state = next; /* unconditional: with verbose logs compiled out, only this is left */
}

WEBRTC_STATUS ertc_http_fail(ertc_http_parser_t *p, WEBRTC_STATUS st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->error, sizeof(p->error), fmt, ap);
    va_end(ap);
    p->error_status = st;
    ERTC_LOGD(TAG, "parse error in %s: %s", ertc_http_parser_state_name(p->state), p->error);
    ertc_http_set_state(p, ERTC_HTTP_STATE_ERROR);
    return st;
}

/* ---- start line (RFC 9112 §3, §4) ------------------------------------------------------- */

/* Checks "HTTP/" DIGIT "." DIGIT at s; only major version 1 is spoken. */
static WEBRTC_STATUS parse_version(ertc_http_parser_t *p, const uint8_t *s, int *version)
{
    if (memcmp(s, "HTTP/", 5) != 0 || !ertc_ascii_is_digit(s[5]) || s[6] != '.' ||
        !ertc_ascii_is_digit(s[7])) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "invalid HTTP version in the %s line",
                              p->mode == ERTC_HTTP_PARSE_RESPONSE ? "status" : "request");
    }
    if (s[5] != '1') {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "unsupported HTTP version %c.%c", s[5],
                              s[7]);
    }
    /* A higher 1.x minor is handled as 1.1, the highest we implement (RFC 9110 §2.5). */
    *version = s[7] == '0' ? 10 : 11;
    return WEBRTC_STATUS_SUCCESS;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ] */
static WEBRTC_STATUS parse_status_line(ertc_http_parser_t *p, uint8_t *line, size_t len)
{
    int version = 0;
    if (len < STATUS_LINE_MIN_LEN) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "status line too short (%zu bytes)", len);
    }
    WEBRTC_STATUS st = parse_version(p, line, &version);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    const uint8_t *code = line + HTTP_VERSION_LEN + 1;
    if (line[HTTP_VERSION_LEN] != ' ' || !ertc_ascii_is_digit(code[0]) ||
        !ertc_ascii_is_digit(code[1]) || !ertc_ascii_is_digit(code[2])) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "invalid status code in the status line");
    }
    int status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    if (status < STATUS_CODE_MIN || status > STATUS_CODE_MAX) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "status code %d outside 100-599", status);
    }
    /* Some servers end the line right after the code; the reason phrase is optional anyway. */
    size_t reason_off = STATUS_LINE_MIN_LEN;
    if (len > STATUS_LINE_MIN_LEN) {
        if (line[STATUS_LINE_MIN_LEN] != ' ') {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "invalid status code in the status line");
        }
        reason_off++;
    }
    for (size_t i = reason_off; i < len; i++) {
        if (!ertc_http_is_field_char(line[i])) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "invalid character in the reason phrase");
        }
    }
    size_t reason_len = len - reason_off;
    memmove(p->store, line + reason_off, reason_len);
    p->store[reason_len] = '\0';
    p->store_len = reason_len + 1;
    p->headers_off = p->store_len;
    p->status_code = status;
    p->version = version;
    return WEBRTC_STATUS_SUCCESS;
}

/* request-line = method SP request-target SP HTTP-version */
static WEBRTC_STATUS parse_request_line(ertc_http_parser_t *p, uint8_t *line, size_t len)
{
    uint8_t *sp1 = memchr(line, ' ', len);
    if (sp1 == NULL || sp1 == line) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "request line has no method");
    }
    for (const uint8_t *c = line; c < sp1; c++) {
        if (!ertc_ascii_is_tchar(*c)) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "invalid character in the request method");
        }
    }
    uint8_t *target = sp1 + 1;
    uint8_t *sp2 = memchr(target, ' ', len - (size_t)(target - line));
    if (sp2 == NULL || sp2 == target) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "request line has no request target");
    }
    for (const uint8_t *c = target; c < sp2; c++) {
        if (*c <= 0x20 || *c >= 0x7F) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "invalid character in the request target");
        }
    }
    if (len - (size_t)(sp2 + 1 - line) != HTTP_VERSION_LEN) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "invalid HTTP version in the request line");
    }
    int version = 0;
    WEBRTC_STATUS st = parse_version(p, sp2 + 1, &version);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    /* "GET /x HTTP/1.1" becomes "GET\0/x\0" where it stands. */
    *sp1 = '\0';
    *sp2 = '\0';
    p->store_len = (size_t)(sp2 - line) + 1;
    p->headers_off = p->store_len;
    p->version = version;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_start_line(ertc_http_parser_t *p, uint8_t *line, size_t len)
{
    if (len == 0) {
        return WEBRTC_STATUS_SUCCESS; /* empty lines before the start line are ignored (§2.2) */
    }
    WEBRTC_STATUS st = p->start_line(p, line, len);
    if (WEBRTC_STATUS_SUCCEEDED(st)) {
        ertc_http_set_state(p, ERTC_HTTP_STATE_HEADER_LINE);
    }
    return st;
}

/* ---- the header section (RFC 9112 §5) ---------------------------------------------------- */

/* Forgets the header section read so far (for an interim 1xx response). */
static void clear_message_head(ertc_http_parser_t *p)
{
    p->store_len = 0;
    p->header_count = 0;
    p->headers_off = 0;
    p->status_code = 0;
    p->version = 0;
    p->has_content_length = false;
    p->content_length = 0;
    p->has_transfer_encoding = false;
    p->chunked = false;
    p->conn_close = false;
    p->conn_keep_alive = false;
    p->conn_upgrade = false;
    p->has_upgrade = false;
}

static const char *framing_name(ertc_http_framing_t f)
{
    switch (f) {
    case ERTC_HTTP_BODY_NONE: return "none";
    case ERTC_HTTP_BODY_LENGTH: return "content-length";
    case ERTC_HTTP_BODY_CHUNKED: return "chunked";
    case ERTC_HTTP_BODY_UNTIL_CLOSE: return "until-close";
    }
    return "unknown";
}

/* Message body length, RFC 9112 §6.3 (items 1, 3-8; item 2, CONNECT, is never sent). */
static ertc_http_framing_t choose_framing(const ertc_http_parser_t *p)
{
    if (p->mode == ERTC_HTTP_PARSE_RESPONSE && (p->head_response || p->status_code < 200 ||
                                                p->status_code == 204 || p->status_code == 304)) {
        return ERTC_HTTP_BODY_NONE;
    }
    if (p->chunked) {
        return ERTC_HTTP_BODY_CHUNKED;
    }
    if (p->has_content_length) {
        return ERTC_HTTP_BODY_LENGTH;
    }
    return p->mode == ERTC_HTTP_PARSE_RESPONSE ? ERTC_HTTP_BODY_UNTIL_CLOSE : ERTC_HTTP_BODY_NONE;
}

void ertc_http_start_chunk_size_line(ertc_http_parser_t *p)
{
    p->body_remaining = 0;
    p->chunk_line_len = 0;
    p->chunk_digits = 0;
    p->chunk_ext_started = false;
    ertc_http_set_state(p, ERTC_HTTP_STATE_CHUNK_SIZE);
}

/* Makes the store hold at least need bytes (need <= max_header_bytes). Only a store the
 * parser allocated grows; a caller's store holds max_header_bytes from the start. */
static bool reserve_store(ertc_http_parser_t *p, size_t need)
{
    if (need <= p->store_cap) {
        return true;
    }
    size_t cap = p->store_cap * 2 > need ? p->store_cap * 2 : need;
    if (cap > p->limits.max_header_bytes) {
        cap = p->limits.max_header_bytes;
    }
    uint8_t *grown = p->store_owned ? ertc_realloc(p->store, cap) : NULL;
    if (grown == NULL) {
        return false;
    }
    p->store = grown;
    p->store_cap = cap;
    return true;
}

static WEBRTC_STATUS on_headers_end(ertc_http_parser_t *p)
{
    if (p->mode == ERTC_HTTP_PARSE_RESPONSE && p->status_code < 200 && p->status_code != 101) {
        /* RFC 9110 §15.2: interim responses come before the final one; they carry nothing
         * we act on. Their bytes still count against max_header_bytes. */
        ERTC_LOGD(TAG, "skipping interim %d response", p->status_code);
        clear_message_head(p);
        ertc_http_set_state(p, ERTC_HTTP_STATE_START_LINE);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (p->has_transfer_encoding) {
        if (p->version == 10) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "Transfer-Encoding in an HTTP/1.0 message");
        }
        if (!p->chunked) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "Transfer-Encoding without chunked");
        }
        if (p->has_content_length) {
            /* RFC 9112 §6.3 item 3: chunked wins, but the sender is confused or hostile. */
            if (p->mode == ERTC_HTTP_PARSE_REQUEST) {
                return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                      "request has both Transfer-Encoding and Content-Length");
            }
            p->force_close = true;
        }
    }
    p->headers_done = true;
    p->framing = choose_framing(p);
    if (p->framing == ERTC_HTTP_BODY_LENGTH && p->content_length > p->limits.max_body_bytes) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED,
                              "body of %" PRIu64 " bytes exceeds the limit of %" PRIu64 " bytes",
                              p->content_length, p->limits.max_body_bytes);
    }
    if (p->mode == ERTC_HTTP_PARSE_RESPONSE) {
        ERTC_LOGD(TAG, "response %d, HTTP/1.%d, %zu headers, body %s", p->status_code,
                  p->version % 10, p->header_count, framing_name(p->framing));
    } else {
        ERTC_LOGD(TAG, "request %s, HTTP/1.%d, %zu headers, body %s", (const char *)p->store,
                  p->version % 10, p->header_count, framing_name(p->framing));
    }

    /* Trailer lines are read after the stored head: the store gets its full size now, so that
     * the strings handed out from here on never move. */
    if (p->framing == ERTC_HTTP_BODY_CHUNKED && !reserve_store(p, p->limits.max_header_bytes)) {
        return ertc_http_fail(p, WEBRTC_STATUS_NOT_ENOUGH_MEMORY,
                              "no memory for the trailer section");
    }
    if (p->mode == ERTC_HTTP_PARSE_RESPONSE && p->status_code == 101) {
        ertc_http_set_state(p, ERTC_HTTP_STATE_UPGRADED);
        return WEBRTC_STATUS_SUCCESS;
    }
    switch (p->framing) {
    case ERTC_HTTP_BODY_NONE: ertc_http_set_state(p, ERTC_HTTP_STATE_COMPLETE); break;
    case ERTC_HTTP_BODY_LENGTH:
        p->body_remaining = p->content_length;
        ertc_http_set_state(p, p->content_length == 0 ? ERTC_HTTP_STATE_COMPLETE
                                                      : ERTC_HTTP_STATE_BODY_LENGTH);
        break;
    case ERTC_HTTP_BODY_CHUNKED: ertc_http_start_chunk_size_line(p); break;
    case ERTC_HTTP_BODY_UNTIL_CLOSE:
        ertc_http_set_state(p, ERTC_HTTP_STATE_BODY_UNTIL_CLOSE);
        break;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_header_line(ertc_http_parser_t *p, uint8_t *line, size_t len)
{
    if (len == 0) {
        return on_headers_end(p);
    }
    size_t name_len = 0;
    size_t value_off = 0;
    size_t value_len = 0;
    WEBRTC_STATUS st = ertc_http_parse_field_line(p, line, len, &name_len, &value_off, &value_len);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (p->header_count >= p->limits.max_headers) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED, "more than %zu header fields",
                              p->limits.max_headers);
    }
    /* "Name: value CRLF" becomes "Name\0value\0" where it stands. */
    line[name_len] = '\0';
    memmove(line + name_len + 1, line + value_off, value_len);
    line[name_len + 1 + value_len] = '\0';
    p->store_len += name_len + 1 + value_len + 1;
    p->header_count++;
    return ertc_http_interpret_field(p, (const char *)line, name_len,
                                     (const char *)line + name_len + 1, value_len);
}

/* Trailer fields (RFC 9112 §7.1.2) are checked like header fields, then dropped. */
static WEBRTC_STATUS on_trailer_line(ertc_http_parser_t *p, uint8_t *line, size_t len)
{
    if (len == 0) {
        ERTC_LOGD(TAG, "chunked message complete, %" PRIu64 " body bytes", p->body_bytes);
        ertc_http_set_state(p, ERTC_HTTP_STATE_COMPLETE);
        return WEBRTC_STATUS_SUCCESS;
    }
    size_t name_len = 0;
    size_t value_off = 0;
    size_t value_len = 0;
    return ertc_http_parse_field_line(p, line, len, &name_len, &value_off, &value_len);
}

/* Collects one line at store + store_len and parses it when its LF arrives. */
WEBRTC_STATUS ertc_http_read_line(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                  size_t *used)
{
    const uint8_t *lf = memchr(data, '\n', len);
    size_t n = lf != NULL ? (size_t)(lf - data) + 1 : len;
    if (n > p->limits.max_header_bytes - p->header_bytes) {
        return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED, "%s larger than %zu bytes",
                              p->state == ERTC_HTTP_STATE_TRAILER_LINE
                                  ? "header block with trailers"
                                  : "header block",
                              p->limits.max_header_bytes);
    }
    /* need <= header_bytes + n <= max_header_bytes: store_len + line_len <= header_bytes
     * (see the top). */
    size_t need = p->store_len + p->line_len + n;
    if (!reserve_store(p, need)) {
        return ertc_http_fail(p, WEBRTC_STATUS_NOT_ENOUGH_MEMORY,
                              "no memory for a header block of %zu bytes", need);
    }
    memcpy(p->store + p->store_len + p->line_len, data, n);
    p->line_len += n;
    p->header_bytes += n;
    *used = n;
    if (lf == NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    uint8_t *line = p->store + p->store_len;
    size_t line_len = p->line_len;
    p->line_len = 0;
    if (line_len < CRLF_LEN || line[line_len - CRLF_LEN] != '\r') {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "line in the %s not terminated by CRLF",
                              p->state == ERTC_HTTP_STATE_TRAILER_LINE ? "trailer section"
                                                                       : "header block");
    }
    line_len -= CRLF_LEN;
    switch (p->state) {
    case ERTC_HTTP_STATE_START_LINE: return on_start_line(p, line, line_len);
    case ERTC_HTTP_STATE_HEADER_LINE: return on_header_line(p, line, line_len);
    default: return on_trailer_line(p, line, line_len);
    }
}

/* ---- public API ------------------------------------------------------------------------- */

void ertc_http_limits_default(ertc_http_limits_t *out)
{
    out->max_header_bytes = ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES;
    out->max_headers = ERTC_HTTP_DEFAULT_MAX_HEADERS;
    out->max_body_bytes = ERTC_HTTP_DEFAULT_MAX_BODY_BYTES;
    out->max_chunk_line = ERTC_HTTP_DEFAULT_MAX_CHUNK_LINE;
}

static WEBRTC_STATUS init_parser(ertc_http_parser_t *p, ertc_http_mode_t mode,
                                 const ertc_http_limits_t *limits, uint8_t *store,
                                 size_t store_size)
{
    if (p == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(p, 0, sizeof(*p));
    if (limits != NULL) {
        p->limits = *limits;
    } else {
        ertc_http_limits_default(&p->limits);
    }
    if (p->limits.max_header_bytes < ERTC_HTTP_MIN_HEADER_BYTES || p->limits.max_headers == 0 ||
        p->limits.max_chunk_line < CHUNK_LINE_MIN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (store != NULL && store_size < p->limits.max_header_bytes) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (store == NULL) {
        store_size = p->limits.max_header_bytes < ERTC_HTTP_INITIAL_STORE
                         ? p->limits.max_header_bytes
                         : ERTC_HTTP_INITIAL_STORE;
        store = ertc_malloc(store_size);
        if (store == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        p->store_owned = true;
    }
    p->mode = mode;
    p->start_line = parse_status_line;
    p->store = store;
    p->store_cap = store_size;
    p->state = ERTC_HTTP_STATE_START_LINE;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_http_parser_init_response(ertc_http_parser_t *p,
                                             const ertc_http_limits_t *limits, uint8_t *store,
                                             size_t store_size)
{
    return init_parser(p, ERTC_HTTP_PARSE_RESPONSE, limits, store, store_size);
}

WEBRTC_STATUS ertc_http_parser_init(ertc_http_parser_t *p, ertc_http_mode_t mode,
                                    const ertc_http_limits_t *limits, uint8_t *store,
                                    size_t store_size)
{
    if (p != NULL && mode != ERTC_HTTP_PARSE_RESPONSE && mode != ERTC_HTTP_PARSE_REQUEST) {
        memset(p, 0, sizeof(*p));
        return WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS st = init_parser(p, mode, limits, store, store_size);
    if (st == WEBRTC_STATUS_SUCCESS && mode == ERTC_HTTP_PARSE_REQUEST) {
        p->start_line = parse_request_line;
    }
    return st;
}

void ertc_http_parser_free(ertc_http_parser_t *p)
{
    if (p == NULL) {
        return;
    }
    if (p->store_owned) {
        ertc_free(p->store);
    }
    p->store = NULL;
    p->store_cap = 0;
    p->store_owned = false;
}

void ertc_http_parser_set_body_callback(ertc_http_parser_t *p, ertc_http_body_cb_t cb, void *arg)
{
    p->on_body = cb;
    p->body_arg = arg;
}

void ertc_http_parser_set_head_response(ertc_http_parser_t *p, bool head)
{
    p->head_response = head;
}

WEBRTC_STATUS ertc_http_feed_check(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                   size_t *consumed)
{
    if (consumed != NULL) {
        *consumed = 0;
    }
    if (p == NULL || consumed == NULL || (data == NULL && len > 0) || p->store == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (p->state == ERTC_HTTP_STATE_ERROR) {
        return p->error_status;
    }
    if (ertc_http_parser_is_complete(p)) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_http_parser_feed_head(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                         size_t *consumed)
{
    WEBRTC_STATUS st = ertc_http_feed_check(p, data, len, consumed);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (!ertc_http_is_header_phase(p->state)) {
        return WEBRTC_STATUS_INVALID_OPERATION; /* body bytes: ertc_http_parser_feed */
    }
    size_t pos = 0;
    while (pos < len && WEBRTC_STATUS_SUCCEEDED(st) && ertc_http_is_header_phase(p->state)) {
        size_t used = 0;
        st = ertc_http_read_line(p, data + pos, len - pos, &used);
        pos += used;
    }
    *consumed = pos;
    return st;
}

void ertc_http_parser_reset(ertc_http_parser_t *p)
{
    ertc_http_parser_t keep = *p;
    memset(p, 0, sizeof(*p));
    p->mode = keep.mode;
    p->start_line = keep.start_line;
    p->limits = keep.limits;
    p->on_body = keep.on_body;
    p->body_arg = keep.body_arg;
    p->store = keep.store;
    p->store_cap = keep.store_cap;
    p->store_owned = keep.store_owned;
    p->state = ERTC_HTTP_STATE_START_LINE;
}

ertc_http_state_t ertc_http_parser_state(const ertc_http_parser_t *p)
{
    return p->state;
}

bool ertc_http_parser_headers_complete(const ertc_http_parser_t *p)
{
    return p->headers_done;
}

bool ertc_http_parser_is_complete(const ertc_http_parser_t *p)
{
    return p->state == ERTC_HTTP_STATE_COMPLETE || p->state == ERTC_HTTP_STATE_UPGRADED;
}

bool ertc_http_parser_is_upgrade(const ertc_http_parser_t *p)
{
    if (!p->headers_done) {
        return false;
    }
    if (p->mode == ERTC_HTTP_PARSE_RESPONSE) {
        return p->status_code == 101;
    }
    return p->has_upgrade && p->conn_upgrade;
}

bool ertc_http_parser_keep_alive(const ertc_http_parser_t *p)
{
    if (!p->headers_done || p->state == ERTC_HTTP_STATE_ERROR ||
        p->state == ERTC_HTTP_STATE_UPGRADED || p->force_close ||
        p->framing == ERTC_HTTP_BODY_UNTIL_CLOSE || p->conn_close) {
        return false;
    }
    return p->version >= 11 || p->conn_keep_alive;
}

const char *ertc_http_parser_error(const ertc_http_parser_t *p)
{
    return p->error;
}

int ertc_http_parser_version(const ertc_http_parser_t *p)
{
    return p->headers_off > 0 ? p->version : 0;
}

int ertc_http_parser_status_code(const ertc_http_parser_t *p)
{
    return p->headers_off > 0 ? p->status_code : 0;
}

const char *ertc_http_parser_reason(const ertc_http_parser_t *p)
{
    if (p->mode != ERTC_HTTP_PARSE_RESPONSE || p->headers_off == 0) {
        return NULL;
    }
    return (const char *)p->store;
}

const char *ertc_http_parser_method(const ertc_http_parser_t *p)
{
    if (p->mode != ERTC_HTTP_PARSE_REQUEST || p->headers_off == 0) {
        return NULL;
    }
    return (const char *)p->store;
}

const char *ertc_http_parser_target(const ertc_http_parser_t *p)
{
    const char *method = ertc_http_parser_method(p);
    return method != NULL ? method + strlen(method) + 1 : NULL;
}

bool ertc_http_parser_header_at(const ertc_http_parser_t *p, size_t i, const char **name,
                                const char **value)
{
    if (i >= p->header_count) {
        return false;
    }
    const char *s = (const char *)p->store + p->headers_off;
    for (size_t k = 0; k < i; k++) {
        s += strlen(s) + 1;
        s += strlen(s) + 1;
    }
    if (name != NULL) {
        *name = s;
    }
    if (value != NULL) {
        *value = s + strlen(s) + 1;
    }
    return true;
}

const char *ertc_http_parser_header(const ertc_http_parser_t *p, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    const char *s = (const char *)p->store + p->headers_off;
    for (size_t k = 0; k < p->header_count; k++) {
        const char *value = s + strlen(s) + 1;
        if (equals_ignore_case(s, name)) {
            return value;
        }
        s = value + strlen(value) + 1;
    }
    return NULL;
}

size_t ertc_http_parser_header_count(const ertc_http_parser_t *p)
{
    return p->header_count;
}

ertc_http_framing_t ertc_http_parser_framing(const ertc_http_parser_t *p)
{
    return p->framing;
}

bool ertc_http_parser_content_length(const ertc_http_parser_t *p, uint64_t *out)
{
    if (p->framing != ERTC_HTTP_BODY_LENGTH) {
        return false;
    }
    if (out != NULL) {
        *out = p->content_length;
    }
    return true;
}

uint64_t ertc_http_parser_body_bytes(const ertc_http_parser_t *p)
{
    return p->body_bytes;
}

void ertc_http_parser_set_max_body(ertc_http_parser_t *p, uint64_t max_body_bytes)
{
    p->limits.max_body_bytes = max_body_bytes;
}
