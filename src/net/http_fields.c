/*
 * net/http_fields — one HTTP field line (RFC 9112 §5) and the header fields the parser acts
 * on: Content-Length, Transfer-Encoding, Connection and Upgrade (RFC 9110 §5, §7.6, §8.6,
 * RFC 9112 §6). Part of net/http_parser; see http_parser_internal.h.
 */
#include <inttypes.h>
#include <string.h>

#include "net/http_parser_internal.h"
#include "util/ascii.h"

/* ASCII case-insensitive comparison of s[0..len) with the NUL-terminated lower-case word. */
static bool equals_word(const char *s, size_t len, const char *word)
{
    for (size_t i = 0; i < len; i++) {
        if (word[i] == '\0' || ertc_ascii_lower((uint8_t)s[i]) != (uint8_t)word[i]) {
            return false;
        }
    }
    return word[len] == '\0';
}

/* ---- comma-separated lists (RFC 9110 §5.6.1) -------------------------------------------- */

typedef struct {
    const char *pos;
    const char *end;
    bool done;
} list_iter_t;

/* Yields each element with surrounding OWS trimmed; empty elements are yielded too. */
static bool list_next(list_iter_t *it, const char **elem, size_t *elem_len)
{
    if (it->done) {
        return false;
    }
    const char *start = it->pos;
    const char *comma = memchr(start, ',', (size_t)(it->end - start));
    const char *stop = comma != NULL ? comma : it->end;
    it->pos = comma != NULL ? comma + 1 : it->end;
    it->done = comma == NULL;
    while (start < stop && ertc_http_is_ows((uint8_t)*start)) {
        start++;
    }
    while (stop > start && ertc_http_is_ows((uint8_t)stop[-1])) {
        stop--;
    }
    *elem = start;
    *elem_len = (size_t)(stop - start);
    return true;
}

/* ---- field lines (RFC 9112 §5) ---------------------------------------------------------- */

/*
 * field-line = field-name ":" OWS field-value OWS. Finds the name (line[0..*name_len)) and
 * the trimmed value (line[*value_off..+*value_len)) and checks every byte.
 */
WEBRTC_STATUS ertc_http_parse_field_line(ertc_http_parser_t *p, const uint8_t *line, size_t len,
                                         size_t *name_len, size_t *value_off, size_t *value_len)
{
    if (ertc_http_is_ows(line[0])) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "obsolete line folding (obs-fold) is not accepted");
    }
    size_t i = 0;
    while (i < len && ertc_ascii_is_tchar(line[i])) {
        i++;
    }
    if (i == len || line[i] != ':') {
        if (memchr(line, ':', len) == NULL) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "header line without ':'");
        }
        if (ertc_http_is_ows(line[i])) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "whitespace before ':' in a header field");
        }
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                              "invalid character in a header field name");
    }
    if (i == 0) {
        return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "empty header field name");
    }
    *name_len = i;
    size_t start = i + 1;
    size_t end = len;
    while (start < end && ertc_http_is_ows(line[start])) {
        start++;
    }
    while (end > start && ertc_http_is_ows(line[end - 1])) {
        end--;
    }
    for (size_t k = start; k < end; k++) {
        if (!ertc_http_is_field_char(line[k])) {
            return ertc_http_fail(
                p, WEBRTC_STATUS_MALFORMED, "invalid character in the value of header \"%.*s\"",
                (int)(i < ERTC_HTTP_QUOTE_MAX ? i : ERTC_HTTP_QUOTE_MAX), (const char *)line);
        }
    }
    *value_off = start;
    *value_len = end - start;
    return WEBRTC_STATUS_SUCCESS;
}

/* Content-Length = 1*DIGIT; a list of identical values is accepted (RFC 9110 §8.6). */
static WEBRTC_STATUS parse_content_length(ertc_http_parser_t *p, const char *value, size_t len)
{
    list_iter_t it = {value, value + len, false};
    const char *elem = NULL;
    size_t elem_len = 0;
    while (list_next(&it, &elem, &elem_len)) {
        if (elem_len == 0) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED, "empty Content-Length value");
        }
        uint64_t n = 0;
        for (size_t i = 0; i < elem_len; i++) {
            uint8_t c = (uint8_t)elem[i];
            if (!ertc_ascii_is_digit(c)) {
                return ertc_http_fail(
                    p, WEBRTC_STATUS_MALFORMED, "Content-Length \"%.*s\" is not a number",
                    (int)(elem_len < ERTC_HTTP_QUOTE_MAX ? elem_len : ERTC_HTTP_QUOTE_MAX), elem);
            }
            unsigned digit = (unsigned)(c - '0');
            if (n > (UINT64_MAX - digit) / 10) {
                return ertc_http_fail(p, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                      "Content-Length does not fit in 64 bits");
            }
            n = n * 10 + digit;
        }
        if (p->has_content_length && n != p->content_length) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "Content-Length mismatch: %" PRIu64 " and %" PRIu64,
                                  p->content_length, n);
        }
        p->has_content_length = true;
        p->content_length = n;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Only "chunked", once, is understood; we never ask for other codings (RFC 9112 §6.1). */
static WEBRTC_STATUS parse_transfer_encoding(ertc_http_parser_t *p, const char *value, size_t len)
{
    list_iter_t it = {value, value + len, false};
    const char *elem = NULL;
    size_t elem_len = 0;
    p->has_transfer_encoding = true;
    while (list_next(&it, &elem, &elem_len)) {
        if (elem_len == 0) {
            continue;
        }
        if (!equals_word(elem, elem_len, "chunked")) {
            return ertc_http_fail(
                p, WEBRTC_STATUS_MALFORMED, "unsupported Transfer-Encoding \"%.*s\"",
                (int)(elem_len < ERTC_HTTP_QUOTE_MAX ? elem_len : ERTC_HTTP_QUOTE_MAX), elem);
        }
        if (p->chunked) {
            return ertc_http_fail(p, WEBRTC_STATUS_MALFORMED,
                                  "Transfer-Encoding chunked applied twice");
        }
        p->chunked = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Connection options (RFC 9110 §7.6.1); options other than these three are ignored. */
static void parse_connection(ertc_http_parser_t *p, const char *value, size_t len)
{
    list_iter_t it = {value, value + len, false};
    const char *elem = NULL;
    size_t elem_len = 0;
    while (list_next(&it, &elem, &elem_len)) {
        if (equals_word(elem, elem_len, "close")) {
            p->conn_close = true;
        } else if (equals_word(elem, elem_len, "keep-alive")) {
            p->conn_keep_alive = true;
        } else if (equals_word(elem, elem_len, "upgrade")) {
            p->conn_upgrade = true;
        }
    }
}

/* Records what the framing and connection handling depend on. */
WEBRTC_STATUS ertc_http_interpret_field(ertc_http_parser_t *p, const char *name, size_t name_len,
                                        const char *value, size_t value_len)
{
    if (equals_word(name, name_len, "content-length")) {
        return parse_content_length(p, value, value_len);
    }
    if (equals_word(name, name_len, "transfer-encoding")) {
        return parse_transfer_encoding(p, value, value_len);
    }
    if (equals_word(name, name_len, "connection")) {
        parse_connection(p, value, value_len);
    } else if (equals_word(name, name_len, "upgrade")) {
        p->has_upgrade = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}
