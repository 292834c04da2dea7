/*
 * net/http_parser internals, shared by the parser's three files (not for other callers):
 *  - http_parser.c  the message head: start line, the header section (and the trailer
 *                   section, read the same way), the header store, and the accessors;
 *                   ertc_http_parser_feed_head;
 *  - http_fields.c  one field line: its syntax, and the fields framing depends on
 *                   (Content-Length, Transfer-Encoding, Connection, Upgrade);
 *  - http_body.c    the body: Content-Length, chunked, until close; ertc_http_parser_feed
 *                   and ertc_http_parser_finish.
 * A client that only reads a head (the WebSocket client reads a 101 answer) links the first
 * two only.
 */
#ifndef ERTC_NET_HTTP_PARSER_INTERNAL_H
#define ERTC_NET_HTTP_PARSER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/http_parser.h"

#define ERTC_HTTP_TAG       "http"
#define ERTC_HTTP_QUOTE_MAX 32 /* bytes of a bad value quoted in an error message */

/* A byte allowed inside a field value or reason phrase: SP, HTAB, VCHAR or obs-text. */
static inline bool ertc_http_is_field_char(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7F);
}

static inline bool ertc_http_is_ows(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static inline bool ertc_http_is_header_phase(ertc_http_state_t s)
{
    return s == ERTC_HTTP_STATE_START_LINE || s == ERTC_HTTP_STATE_HEADER_LINE;
}

void ertc_http_set_state(ertc_http_parser_t *p, ertc_http_state_t next);
/* Fails the parser: keeps the message, moves to ERROR, returns st. */
WEBRTC_STATUS ertc_http_fail(ertc_http_parser_t *p, WEBRTC_STATUS st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The common checks of the feed functions: SUCCESS to go on, else what to return. */
WEBRTC_STATUS ertc_http_feed_check(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                   size_t *consumed);
/* Collects one start, header or trailer line and parses it when its LF arrives. */
WEBRTC_STATUS ertc_http_read_line(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                  size_t *used);
/* Starts reading a chunk-size line (after the header section or after chunk data). */
void ertc_http_start_chunk_size_line(ertc_http_parser_t *p);

/*
 * field-line = field-name ":" OWS field-value OWS. Finds the name (line[0..*name_len)) and
 * the trimmed value (line[*value_off..+*value_len)) and checks every byte.
 */
WEBRTC_STATUS ertc_http_parse_field_line(ertc_http_parser_t *p, const uint8_t *line, size_t len,
                                         size_t *name_len, size_t *value_off, size_t *value_len);
/* Records what the framing and connection handling depend on. */
WEBRTC_STATUS ertc_http_interpret_field(ertc_http_parser_t *p, const char *name, size_t name_len,
                                        const char *value, size_t value_len);

#endif
