/*
 * net/http_request — HTTP/1.1 request and response builders. See http_request.h.
 *
 * Every argument is checked before the first byte is written, so a rejected call leaves
 * the builder untouched; only a builder that runs out of room can hold a partial message.
 */
#include "net/http_request.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/ascii.h"

#define STATUS_CODE_MIN 100
#define STATUS_CODE_MAX 599

/* ---- checks (RFC 9110 §5.5, §5.6.2; RFC 9112 §3.2) -------------------------------------- */

/* SP, HTAB, VCHAR and obs-text; so no CR, LF or other control character. */
static bool is_field_value(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c != '\t' && (c < 0x20 || c == 0x7F)) {
            return false;
        }
    }
    return true;
}

/* What the caller's headers already say about framing. */
typedef struct {
    bool host;
    const char *content_length; /* NULL when absent */
    bool transfer_encoding;
} supplied_t;

static WEBRTC_STATUS check_headers(const ertc_http_header_t *h, size_t n, supplied_t *found)
{
    memset(found, 0, sizeof(*found));
    if (h == NULL && n > 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        if (h[i].name == NULL || h[i].value == NULL) {
            return WEBRTC_STATUS_NULL_ARG;
        }
        if (!ertc_ascii_is_token(h[i].name) || !is_field_value(h[i].value)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        if (strcasecmp(h[i].name, "host") == 0) {
            if (found->host) {
                return WEBRTC_STATUS_INVALID_ARG;
            }
            found->host = true;
        } else if (strcasecmp(h[i].name, "content-length") == 0) {
            if (found->content_length != NULL) {
                return WEBRTC_STATUS_INVALID_ARG;
            }
            found->content_length = h[i].value;
        } else if (strcasecmp(h[i].name, "transfer-encoding") == 0) {
            found->transfer_encoding = true;
        }
    }
    if (found->content_length != NULL && found->transfer_encoding) {
        return WEBRTC_STATUS_INVALID_ARG; /* RFC 9112 §6.2: never both */
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* A caller's Content-Length must be plain digits equal to the body length. */
static bool content_length_matches(const char *value, size_t body_len)
{
    uint64_t n = 0;
    if (*value == '\0') {
        return false;
    }
    for (; *value != '\0'; value++) {
        if (*value < '0' || *value > '9') {
            return false;
        }
        unsigned digit = (unsigned)(*value - '0');
        if (n > (UINT64_MAX - digit) / 10) {
            return false;
        }
        n = n * 10 + digit;
    }
    return n == (uint64_t)body_len;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void append_header(ertc_strbuf_t *out, const char *name, const char *value)
{
    ertc_strbuf_append_str(out, name);
    ertc_strbuf_append(out, ": ", 2);
    ertc_strbuf_append_str(out, value);
    ertc_strbuf_append(out, "\r\n", 2);
}

/* Headers, optional Content-Length, blank line, body; returns out's status. */
static WEBRTC_STATUS append_rest(ertc_strbuf_t *out, const ertc_http_header_t *h, size_t n,
                                 bool add_content_length, const void *body, size_t body_len)
{
    for (size_t i = 0; i < n; i++) {
        append_header(out, h[i].name, h[i].value);
    }
    if (add_content_length) {
        ertc_strbuf_appendf(out, "Content-Length: %zu\r\n", body_len);
    }
    ertc_strbuf_append(out, "\r\n", 2);
    if (body_len > 0) {
        ertc_strbuf_append(out, body, body_len);
    }
    return ertc_strbuf_status(out);
}

static bool method_expects_body(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0;
}

WEBRTC_STATUS ertc_http_build_request(ertc_strbuf_t *out, const char *method,
                                      const char *host_header, const char *target,
                                      const ertc_http_header_t *extra, size_t n_extra,
                                      const void *body, size_t body_len)
{
    if (out == NULL || method == NULL || target == NULL || (body == NULL && body_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    supplied_t found;
    WEBRTC_STATUS st = check_headers(extra, n_extra, &found);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (!ertc_ascii_is_token(method) || !ertc_ascii_is_visible(target)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (!found.host && (host_header == NULL || !is_field_value(host_header))) {
        return WEBRTC_STATUS_INVALID_ARG; /* HTTP/1.1 requires Host (RFC 9112 §3.2) */
    }
    if (found.content_length != NULL && !content_length_matches(found.content_length, body_len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    bool add_length = found.content_length == NULL && !found.transfer_encoding &&
                      (body_len > 0 || method_expects_body(method));

    ertc_strbuf_appendf(out, "%s %s HTTP/1.1\r\n", method, target);
    if (!found.host) {
        append_header(out, "Host", host_header);
    }
    return append_rest(out, extra, n_extra, add_length, body, body_len);
}

WEBRTC_STATUS ertc_http_build_response(ertc_strbuf_t *out, int status, const char *reason,
                                       const ertc_http_header_t *headers, size_t n_headers,
                                       const void *body, size_t body_len)
{
    if (out == NULL || (body == NULL && body_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (status < STATUS_CODE_MIN || status > STATUS_CODE_MAX) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (reason == NULL) {
        reason = ertc_http_reason_phrase(status);
    }
    if (!is_field_value(reason)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    supplied_t found;
    WEBRTC_STATUS st = check_headers(headers, n_headers, &found);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    bool bodiless = status < 200 || status == 204 || status == 304;
    if (bodiless && body_len > 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if ((status < 200 || status == 204) &&
        (found.content_length != NULL || found.transfer_encoding)) {
        return WEBRTC_STATUS_INVALID_ARG; /* RFC 9110 §8.6, RFC 9112 §6.1: MUST NOT */
    }
    if (found.content_length != NULL && status != 304 &&
        !content_length_matches(found.content_length, body_len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    bool add_length = !bodiless && found.content_length == NULL && !found.transfer_encoding;

    ertc_strbuf_appendf(out, "HTTP/1.1 %d %s\r\n", status, reason);
    return append_rest(out, headers, n_headers, add_length, body, body_len);
}

const char *ertc_http_reason_phrase(int status)
{
    /* RFC 9110 §15, the codes an HTTP/1.1 signaling server and its clients meet. */
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}
