/*
 * signaling/kvs/sigv4_request — parser for the SigV4 test suite's ".req" files. See the
 * header for the format.
 */
#include "signaling/kvs/sigv4_request.h"

#include <string.h>

#include "util/ascii.h"

#define HTTP_VERSION_PREFIX "HTTP/"

typedef struct {
    const char *text;
    size_t len;
    size_t pos;
} cursor_t;

/* The next line without its LF (and a CR before it); false at the end of the text. */
static bool next_line(cursor_t *c, const char **line, size_t *line_len)
{
    if (c->pos >= c->len) {
        return false;
    }
    const char *start = c->text + c->pos;
    const char *lf = memchr(start, '\n', c->len - c->pos);
    size_t n = lf != NULL ? (size_t)(lf - start) : c->len - c->pos;
    c->pos += n + (lf != NULL ? 1 : 0);
    if (n > 0 && start[n - 1] == '\r') {
        n--;
    }
    *line = start;
    *line_len = n;
    return true;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

static bool is_tchar(unsigned char c)
{
    return ertc_ascii_is_alpha(c) || ertc_ascii_is_digit(c) ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static WEBRTC_STATUS parse_request_line(const char *line, size_t len,
                                        ertc_sigv4_parsed_request_t *out)
{
    const char *sp1 = memchr(line, ' ', len);
    if (sp1 == NULL) {
        return WEBRTC_STATUS_MALFORMED;
    }
    const char *sp2 = line + len;
    while (sp2 > sp1 && sp2[-1] != ' ') {
        sp2--;
    }
    sp2--; /* the last space */
    if (sp2 <= sp1) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->method = line;
    out->method_len = (size_t)(sp1 - line);
    if (out->method_len == 0 || out->method_len > ERTC_SIGV4_MAX_HEADER_NAME) {
        return out->method_len == 0 ? WEBRTC_STATUS_MALFORMED : WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (size_t i = 0; i < out->method_len; i++) {
        if (!is_tchar((unsigned char)line[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    memcpy(out->method_z, line, out->method_len);
    out->method_z[out->method_len] = '\0';

    out->version = sp2 + 1;
    out->version_len = (size_t)(line + len - out->version);
    if (out->version_len < sizeof(HTTP_VERSION_PREFIX) ||
        memcmp(out->version, HTTP_VERSION_PREFIX, sizeof(HTTP_VERSION_PREFIX) - 1) != 0) {
        return WEBRTC_STATUS_MALFORMED;
    }

    const char *target = sp1 + 1;
    size_t target_len = (size_t)(sp2 - target);
    if (target_len == 0 || target[0] != '/') {
        return WEBRTC_STATUS_MALFORMED;
    }
    for (size_t i = 0; i < target_len; i++) {
        if (is_ctl((unsigned char)target[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    const char *q = memchr(target, '?', target_len);
    out->path = target;
    out->path_len = q != NULL ? (size_t)(q - target) : target_len;
    out->query = q != NULL ? q + 1 : NULL;
    out->query_len = q != NULL ? target_len - out->path_len - 1 : 0;
    if (out->path_len > ERTC_SIGV4_MAX_PATH || out->query_len > ERTC_SIGV4_MAX_QUERY) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Appends ",<continuation>" to the last header, moving its value into the fold buffer. */
static WEBRTC_STATUS fold_continuation(const char *line, size_t len,
                                       ertc_sigv4_parsed_request_t *out)
{
    if (out->header_count == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    while (len > 0 && is_space(*line)) {
        line++;
        len--;
    }
    ertc_sigv4_header_t *h = &out->headers[out->header_count - 1];
    bool in_fold = out->fold_header == out->header_count;
    size_t need = (in_fold ? 0 : h->value_len) + 1 + len;
    if (need > sizeof(out->fold) - out->fold_used ||
        h->value_len + 1 + len > ERTC_SIGV4_MAX_HEADER_VALUE) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    /* A folded value is always the last thing in the fold buffer, so it can grow in place. */
    if (!in_fold) {
        char *dst = out->fold + out->fold_used;
        if (h->value_len > 0) {
            memcpy(dst, h->value, h->value_len);
        }
        h->value = dst;
        out->fold_used += h->value_len;
        out->fold_header = out->header_count;
    }
    out->fold[out->fold_used++] = ',';
    memcpy(out->fold + out->fold_used, line, len);
    out->fold_used += len;
    h->value_len += 1 + len;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS parse_header_line(const char *line, size_t len,
                                       ertc_sigv4_parsed_request_t *out)
{
    for (size_t i = 0; i < len; i++) {
        if (is_ctl((unsigned char)line[i]) && line[i] != '\t') {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (is_space(line[0])) {
        return fold_continuation(line, len, out);
    }
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++) {
        if (!is_tchar((unsigned char)line[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    size_t value_len = len - name_len - 1;
    if (name_len > ERTC_SIGV4_MAX_HEADER_NAME || value_len > ERTC_SIGV4_MAX_HEADER_VALUE ||
        out->header_count == ERTC_SIGV4_MAX_HEADERS) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    ertc_sigv4_header_t *h = &out->headers[out->header_count++];
    h->name = line;
    h->name_len = name_len;
    h->value = colon + 1;
    h->value_len = value_len;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_sigv4_request_parse(const char *text, size_t len,
                                       ertc_sigv4_parsed_request_t *out)
{
    if (text == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > ERTC_SIGV4_REQUEST_MAX_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    out->header_count = 0;
    out->fold_used = 0;
    out->fold_header = 0;
    out->body = NULL;
    out->body_len = 0;

    cursor_t c = {text, len, 0};
    const char *line;
    size_t line_len;
    if (!next_line(&c, &line, &line_len)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    WEBRTC_STATUS st = parse_request_line(line, line_len, out);
    while (st == WEBRTC_STATUS_SUCCESS && next_line(&c, &line, &line_len)) {
        if (line_len == 0) {
            out->body = (const uint8_t *)text + c.pos;
            out->body_len = len - c.pos;
            break;
        }
        st = parse_header_line(line, line_len, out);
    }
    return st;
}

void ertc_sigv4_request_to_signable(const ertc_sigv4_parsed_request_t *parsed,
                                    ertc_sigv4_request_t *req)
{
    memset(req, 0, sizeof(*req));
    req->method = parsed->method_z;
    req->path = parsed->path;
    req->path_len = parsed->path_len;
    req->query = parsed->query;
    req->query_len = parsed->query_len;
    req->headers = parsed->headers;
    req->header_count = parsed->header_count;
    req->payload = parsed->body;
    req->payload_len = parsed->body_len;
}
