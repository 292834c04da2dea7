/*
 * util/strbuf — a bounded string builder for request lines, headers and JSON messages.
 *
 * A builder either writes into a caller's fixed buffer, or grows on the heap (through
 * ertc_malloc) up to a maximum length given at init. Every write is all-or-nothing: when a
 * write does not fit, the builder keeps its earlier content (still NUL-terminated), records
 * the failure and refuses every later write with the same status. So a caller may chain
 * appends and check once, with ertc_strbuf_status(), and output is never cut short silently.
 *
 * Failure statuses: BUFFER_TOO_SMALL (fixed buffer full), LIMIT_EXCEEDED (heap builder
 * reached its maximum), NOT_ENOUGH_MEMORY (allocation failed). ertc_strbuf_reset() clears
 * the content and the failure.
 */
#ifndef ERTC_UTIL_STRBUF_H
#define ERTC_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "webrtc_status.h"

#define ERTC_STRBUF_MIN_ALLOC 64 /* first heap allocation; later ones double */

typedef struct {
    char *data;           /* NULL for a heap builder that has not allocated yet */
    size_t len;           /* content length, without the NUL */
    size_t cap;           /* bytes available at data, including room for the NUL */
    size_t max_len;       /* most content bytes this builder will ever hold */
    bool heap;            /* data is ours (ertc_malloc) and may grow */
    WEBRTC_STATUS status; /* first failure; SUCCESS while writes still succeed */
} ertc_strbuf_t;

/* Wraps buf[0..size); the content may use size - 1 bytes. buf is terminated at once. */
void ertc_strbuf_init_fixed(ertc_strbuf_t *sb, char *buf, size_t size);
/* An empty heap builder holding at most max_len bytes; allocates on the first write. */
void ertc_strbuf_init_heap(ertc_strbuf_t *sb, size_t max_len);

WEBRTC_STATUS ertc_strbuf_append(ertc_strbuf_t *sb, const void *data, size_t len);
WEBRTC_STATUS ertc_strbuf_append_str(ertc_strbuf_t *sb, const char *s);
WEBRTC_STATUS ertc_strbuf_append_char(ertc_strbuf_t *sb, char c);
WEBRTC_STATUS ertc_strbuf_appendf(ertc_strbuf_t *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
WEBRTC_STATUS ertc_strbuf_vappendf(ertc_strbuf_t *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/*
 * Appends s[0..len) as a JSON string literal, quotes included (RFC 8259 §7): '"' and '\\'
 * are escaped, control characters become \b \f \n \r \t or \u00XX. Other bytes, including
 * UTF-8 sequences, are copied as they are (the input is not validated as UTF-8).
 */
WEBRTC_STATUS ertc_strbuf_append_json_string(ertc_strbuf_t *sb, const char *s, size_t len);

/* Empties the builder and clears a recorded failure; a heap builder keeps its memory. */
void ertc_strbuf_reset(ertc_strbuf_t *sb);

/* The content, always NUL-terminated (never NULL; "" before the first write). */
const char *ertc_strbuf_cstr(const ertc_strbuf_t *sb);
size_t ertc_strbuf_len(const ertc_strbuf_t *sb);
/* SUCCESS, or the first failure since init/reset. */
WEBRTC_STATUS ertc_strbuf_status(const ertc_strbuf_t *sb);

/*
 * Hands a heap builder's content to the caller (*out, free with ertc_free; *out_len
 * optional) and leaves the builder empty. Fails with the recorded status if a write failed
 * (so truncated content is never handed on), NOT_ENOUGH_MEMORY if the first allocation
 * fails, and INVALID_OPERATION for a fixed builder. On failure the builder is unchanged.
 */
WEBRTC_STATUS ertc_strbuf_detach(ertc_strbuf_t *sb, char **out, size_t *out_len);

/* Frees a heap builder's memory and leaves it empty; harmless on fixed builders. */
void ertc_strbuf_free(ertc_strbuf_t *sb);

#endif
