/*
 * net/http_parser — an incremental HTTP/1.1 message parser (RFC 9112) for responses (our
 * client) and requests (edgertc-signald), plus the HTTP-date parser (RFC 9110 §5.6.7, in
 * http_date.c).
 *
 * The parser is a state machine over bytes the caller reads from a socket: it does no I/O
 * and allocates nothing but its header store: none when the caller gives one, else a small
 * one at init that grows (up to the header limit) while a long head is read. Input
 * may arrive split anywhere, down to one byte per call. It keeps a copy of the start line
 * and the header fields in a header store, because the caller's buffers are reused between
 * calls; body bytes go to a callback as they arrive and are never stored.
 *
 * ertc_http_parser_feed() consumes bytes and returns early at three points, reporting how
 * many bytes it consumed:
 *  - when the header section is complete, so the caller can look at the status code and
 *    headers before any body byte is delivered (call feed again for the body);
 *  - when the message is complete: the bytes after it belong to the next message on a
 *    keep-alive connection (ertc_http_parser_reset, then feed them);
 *  - after the header section of a 101 (Switching Protocols) response: the state becomes
 *    ERTC_HTTP_STATE_UPGRADED and every byte after the blank line belongs to the new
 *    protocol (WebSocket frames), untouched by the parser.
 *
 * Message framing follows RFC 9112 §6.3: responses to HEAD (ertc_http_parser_set_head_response)
 * and 1xx/204/304 responses have no body; "Transfer-Encoding: chunked" (§7.1) wins over
 * Content-Length; a Content-Length (RFC 9110 §8.6) gives the length; a response with
 * neither runs until the connection closes (ertc_http_parser_finish); a request with
 * neither has no body. Interim 1xx responses other than 101 (100 Continue, 103 Early Hints)
 * are skipped: the parser goes on to the final response.
 *
 * Deliberately strict, because lenient HTTP parsing is how request smuggling happens:
 * obs-fold (RFC 9112 §5.2), whitespace before ':' (§5.1), bare CR or LF line endings (§2.2),
 * conflicting or non-numeric Content-Length values, Transfer-Encoding in HTTP/1.0 or with
 * a coding other than chunked, and a request with both Transfer-Encoding and
 * Content-Length are MALFORMED. Bytes over a limit are LIMIT_EXCEEDED. Every failure leaves
 * a message for the user in ertc_http_parser_error(); the parser then stays failed until
 * reset.
 */
#ifndef ERTC_NET_HTTP_PARSER_H
#define ERTC_NET_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Start line plus header section (and, cumulatively, any trailer section) in raw bytes. */
#define ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES 16384
/* Header fields in one message (trailer fields are checked, discarded and not counted). */
#define ERTC_HTTP_DEFAULT_MAX_HEADERS 64
/* Body bytes of one message, however framed; larger bodies fail before delivery. */
#define ERTC_HTTP_DEFAULT_MAX_BODY_BYTES (1024u * 1024u)
/* One chunk-size line: hex size, chunk extensions (ignored) and CRLF. */
#define ERTC_HTTP_DEFAULT_MAX_CHUNK_LINE 256
/* Smallest header-byte limit accepted: room for a status line. */
#define ERTC_HTTP_MIN_HEADER_BYTES 32
/* First size of a header store the parser allocates; it grows up to max_header_bytes. */
#define ERTC_HTTP_INITIAL_STORE 1024
/* Size of the error message buffer, NUL included. */
#define ERTC_HTTP_ERROR_SIZE 128

typedef struct {
    size_t max_header_bytes; /* >= ERTC_HTTP_MIN_HEADER_BYTES */
    size_t max_headers;      /* >= 1 */
    uint64_t max_body_bytes; /* 0: only messages without body bytes are accepted */
    size_t max_chunk_line;   /* >= 3 ("0" CRLF) */
} ertc_http_limits_t;

typedef enum {
    ERTC_HTTP_PARSE_RESPONSE, /* status-line first: our client side */
    ERTC_HTTP_PARSE_REQUEST,  /* request-line first: the server side */
} ertc_http_mode_t;

typedef enum {
    ERTC_HTTP_STATE_START_LINE,       /* before or inside the start line */
    ERTC_HTTP_STATE_HEADER_LINE,      /* inside the header section */
    ERTC_HTTP_STATE_BODY_LENGTH,      /* Content-Length body */
    ERTC_HTTP_STATE_BODY_UNTIL_CLOSE, /* response body that ends at connection close */
    ERTC_HTTP_STATE_CHUNK_SIZE,       /* hex digits of a chunk-size line */
    ERTC_HTTP_STATE_CHUNK_EXT,        /* rest of a chunk-size line: extensions, ignored */
    ERTC_HTTP_STATE_CHUNK_SIZE_LF,    /* the LF ending a chunk-size line */
    ERTC_HTTP_STATE_CHUNK_DATA,       /* chunk data */
    ERTC_HTTP_STATE_CHUNK_DATA_CR,    /* the CRLF after chunk data */
    ERTC_HTTP_STATE_CHUNK_DATA_LF,
    ERTC_HTTP_STATE_TRAILER_LINE, /* trailer section after the last chunk: checked, dropped */
    ERTC_HTTP_STATE_COMPLETE,     /* message done; reset for the next one */
    ERTC_HTTP_STATE_UPGRADED,     /* 101 response done; the rest is another protocol */
    ERTC_HTTP_STATE_ERROR,        /* failed; see ertc_http_parser_error */
} ertc_http_state_t;

typedef enum {
    ERTC_HTTP_BODY_NONE,        /* no body (or framing not known yet) */
    ERTC_HTTP_BODY_LENGTH,      /* Content-Length */
    ERTC_HTTP_BODY_CHUNKED,     /* Transfer-Encoding: chunked */
    ERTC_HTTP_BODY_UNTIL_CLOSE, /* response without length: ends at EOF */
} ertc_http_framing_t;

/* Receives body bytes in order (chunk framing removed); a failure status stops the parser. */
typedef WEBRTC_STATUS (*ertc_http_body_cb_t)(const uint8_t *data, size_t len, void *arg);

/*
 * The parser. Fields are internal: read them through the functions below. Strings those
 * functions return point into the header store and stay valid until reset or free, once the
 * header section is complete (before that, a growing store may move them).
 */
typedef struct ertc_http_parser {
    ertc_http_mode_t mode;
    /* the status-line or request-line parser, chosen at init */
    WEBRTC_STATUS (*start_line)(struct ertc_http_parser *p, uint8_t *line, size_t len);
    ertc_http_limits_t limits;
    ertc_http_body_cb_t on_body;
    void *body_arg;
    uint8_t *store; /* start line strings, then header name\0value\0 pairs */
    size_t store_cap;
    bool store_owned;
    bool head_response;

    ertc_http_state_t state;
    size_t header_bytes; /* raw header and trailer bytes seen, against max_header_bytes */
    size_t store_len;    /* committed bytes in store */
    size_t line_len;     /* raw bytes of the line being read, kept at store + store_len */
    size_t header_count;
    size_t headers_off; /* offset of the first header pair in store */
    bool headers_done;

    int status_code; /* response: 100-599 */
    int version;     /* 10 for HTTP/1.0, 11 for HTTP/1.1 */

    ertc_http_framing_t framing;
    bool has_content_length;
    uint64_t content_length;
    bool has_transfer_encoding;
    bool chunked;
    bool conn_close;
    bool conn_keep_alive;
    bool conn_upgrade;
    bool has_upgrade;
    bool force_close; /* framing was ambiguous: never reuse the connection */

    uint64_t body_remaining; /* of the Content-Length body or the current chunk */
    uint64_t body_bytes;     /* delivered so far */
    size_t chunk_line_len;
    unsigned chunk_digits;
    bool chunk_ext_started; /* a ';' was seen on the chunk-size line */

    WEBRTC_STATUS error_status;
    char error[ERTC_HTTP_ERROR_SIZE];
} ertc_http_parser_t;

/* Fills *out with the ERTC_HTTP_DEFAULT_* limits. */
void ertc_http_limits_default(ertc_http_limits_t *out);

/*
 * Prepares p for a first message. limits NULL means the defaults. The header store is
 * store[0..store_size), which must hold at least limits->max_header_bytes bytes; with
 * store NULL the parser allocates ERTC_HTTP_INITIAL_STORE bytes (ertc_malloc), grows them as
 * a head needs (up to max_header_bytes; to all of it for a chunked message, before the
 * trailer section), keeps them across reset, and ertc_http_parser_free releases them.
 * INVALID_ARG for bad limits or a small store, NOT_ENOUGH_MEMORY (also from feed, when the
 * store cannot grow).
 */
WEBRTC_STATUS ertc_http_parser_init(ertc_http_parser_t *p, ertc_http_mode_t mode,
                                    const ertc_http_limits_t *limits, uint8_t *store,
                                    size_t store_size);
/*
 * ertc_http_parser_init for ERTC_HTTP_PARSE_RESPONSE. A client that initialises its parsers
 * with this only does not link the request-line parser (a server's part).
 */
WEBRTC_STATUS ertc_http_parser_init_response(ertc_http_parser_t *p,
                                             const ertc_http_limits_t *limits, uint8_t *store,
                                             size_t store_size);
/* Releases an allocated header store; p must be initialised again before further use. */
void ertc_http_parser_free(ertc_http_parser_t *p);

/* Changes the body limit (0: no body bytes accepted); it applies from the next byte fed. */
void ertc_http_parser_set_max_body(ertc_http_parser_t *p, uint64_t max_body_bytes);
/* Body bytes go to cb (NULL: they are counted and dropped). Kept across reset. */
void ertc_http_parser_set_body_callback(ertc_http_parser_t *p, ertc_http_body_cb_t cb, void *arg);
/* The response answers a HEAD request, so it has no body (RFC 9110 §9.3.2). Reset clears it. */
void ertc_http_parser_set_head_response(ertc_http_parser_t *p, bool head);

/*
 * Parses data[0..len); *consumed gets the bytes used. Returns SUCCESS and stops early at the
 * end of the header section, at the end of the message and at a 101 upgrade (see above);
 * otherwise everything is consumed. On failure, returns MALFORMED, LIMIT_EXCEEDED or the
 * body callback's status, and every later call returns the same. Feeding a complete or
 * upgraded message is INVALID_OPERATION (reset first).
 */
WEBRTC_STATUS ertc_http_parser_feed(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                    size_t *consumed);

/*
 * ertc_http_parser_feed for a caller that reads only the head of a message (the WebSocket
 * client reads a 101 answer; the bytes after it are frames): the same, but it never reads
 * body bytes, so a program using only this does not link the body code (http_body.c).
 * Once the header section is complete it returns INVALID_OPERATION.
 */
WEBRTC_STATUS ertc_http_parser_feed_head(ertc_http_parser_t *p, const uint8_t *data, size_t len,
                                         size_t *consumed);

/*
 * Tells the parser the connection closed. Completes a body that runs until close (SUCCESS);
 * SUCCESS for a complete message; CLOSED when no byte of a message was seen; MALFORMED
 * (and the parser fails) when the message was cut short.
 */
WEBRTC_STATUS ertc_http_parser_finish(ertc_http_parser_t *p);

/* Forgets the message, keeping mode, limits, store and callback, for the next message. */
void ertc_http_parser_reset(ertc_http_parser_t *p);

ertc_http_state_t ertc_http_parser_state(const ertc_http_parser_t *p);
const char *ertc_http_parser_state_name(ertc_http_state_t state);
/* The header section has been parsed (status, headers and framing are known). */
bool ertc_http_parser_headers_complete(const ertc_http_parser_t *p);
/* COMPLETE or UPGRADED. */
bool ertc_http_parser_is_complete(const ertc_http_parser_t *p);
/* Response: a 101 was received. Request: it asks for an upgrade (Upgrade + Connection). */
bool ertc_http_parser_is_upgrade(const ertc_http_parser_t *p);
/*
 * Whether the connection may carry another message after this one: HTTP/1.1 unless
 * "Connection: close", HTTP/1.0 only with "Connection: keep-alive"; never for a body that
 * runs until close, an upgrade, ambiguous framing, or before the headers are complete.
 */
bool ertc_http_parser_keep_alive(const ertc_http_parser_t *p);
/* "" when nothing failed. */
const char *ertc_http_parser_error(const ertc_http_parser_t *p);

/* 10 or 11 once the start line is parsed, else 0. */
int ertc_http_parser_version(const ertc_http_parser_t *p);
/* Response mode: the status code once known, else 0. */
int ertc_http_parser_status_code(const ertc_http_parser_t *p);
/* Response mode: the reason phrase (maybe ""); NULL before the status line or for requests. */
const char *ertc_http_parser_reason(const ertc_http_parser_t *p);
/* Request mode: method and request-target; NULL before the request line or for responses. */
const char *ertc_http_parser_method(const ertc_http_parser_t *p);
const char *ertc_http_parser_target(const ertc_http_parser_t *p);

/* The first header named `name` (ASCII case-insensitive), value trimmed; NULL if absent. */
const char *ertc_http_parser_header(const ertc_http_parser_t *p, const char *name);
size_t ertc_http_parser_header_count(const ertc_http_parser_t *p);
/* The i-th header in arrival order; false when i is out of range. */
bool ertc_http_parser_header_at(const ertc_http_parser_t *p, size_t i, const char **name,
                                const char **value);

ertc_http_framing_t ertc_http_parser_framing(const ertc_http_parser_t *p);
/* true and *out when the message is framed by Content-Length. */
bool ertc_http_parser_content_length(const ertc_http_parser_t *p, uint64_t *out);
/* Body bytes delivered so far. */
uint64_t ertc_http_parser_body_bytes(const ertc_http_parser_t *p);

/*
 * Parses an IMF-fixdate (RFC 9110 §5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT", into seconds
 * since the Unix epoch. The day name must match the date. The obsolete RFC 850 and asctime
 * forms, and anything else, are MALFORMED: every server we talk to sends IMF-fixdate, and
 * the caller (SigV4 clock-skew correction) can simply skip a date it cannot read.
 */
WEBRTC_STATUS ertc_http_parse_date(const char *s, int64_t *out);

#endif
