/*
 * net/utf8 — an incremental UTF-8 validator (RFC 3629 §3 and §4).
 *
 * WebSocket text messages and close reasons must be valid UTF-8 (RFC 6455 §5.6, §7.4), and a
 * text message may arrive in many fragments and many reads. The validator therefore carries
 * its state across calls, so a receiver can reject invalid text as soon as the first bad byte
 * arrives instead of buffering the whole message first.
 *
 * Accepted is exactly the UTF8-octets grammar of RFC 3629 §4: overlong forms (C0 80,
 * E0 80 80, F0 80 80 80), UTF-16 surrogates (U+D800..U+DFFF, ED A0 80 ..) and code points
 * above U+10FFFF (F4 90 80 80 and F5..FF) are invalid, and so is a sequence cut short by the
 * end of the text (caught by ertc_utf8_finish). Pure functions, no allocation.
 */
#ifndef ERTC_NET_UTF8_H
#define ERTC_NET_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Validator state. All-zero (or ertc_utf8_init) is the start state, so `= {0}` works.
 * The fields are private.
 */
typedef struct {
    uint8_t need;    /* continuation bytes still expected in the current sequence */
    uint8_t lo;      /* smallest byte allowed next (only while need > 0) */
    uint8_t hi;      /* largest byte allowed next (only while need > 0) */
    bool invalid;    /* sticky: an invalid byte was seen */
    uint64_t offset; /* bytes fed so far; with invalid set, the offset of the bad byte */
} ertc_utf8_state_t;

void ertc_utf8_init(ertc_utf8_state_t *state);

/*
 * Validates the next len bytes of a text. Returns true while everything fed so far is valid
 * or a valid prefix (a sequence may still be open at the end of data), false once a byte is
 * invalid; the verdict is sticky, later calls keep returning false.
 */
bool ertc_utf8_feed(ertc_utf8_state_t *state, const uint8_t *data, size_t len);

/* True when the whole text was valid and ends on a character boundary. */
bool ertc_utf8_finish(const ertc_utf8_state_t *state);

/* Offset (from the first byte fed) of the first invalid byte, or of the end of the text
 * when it stops inside a sequence; the number of bytes fed when the text is valid. */
uint64_t ertc_utf8_error_offset(const ertc_utf8_state_t *state);

/* One shot: true when data[0..len) is a complete, valid UTF-8 text. */
bool ertc_utf8_valid(const uint8_t *data, size_t len);

#endif
