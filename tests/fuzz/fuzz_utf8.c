/*
 * libFuzzer target for net/utf8. The whole input is validated one-shot, fed in
 * pseudo-random pieces and fed byte by byte; all three must give the same verdict and the
 * same error offset, and the verdict must match an independent decoder that computes each
 * code point and checks its range (RFC 3629 §3) instead of following the §4 grammar.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

/* Length of the valid character at p, 0 if there is none. */
static size_t reference_char(const uint8_t *p, size_t len)
{
    uint32_t cp;
    size_t n;
    uint32_t min;
    if (p[0] < 0x80) {
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        n = 2, cp = p[0] & 0x1Fu, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3, cp = p[0] & 0x0Fu, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4, cp = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static int reference_valid(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = reference_char(p + i, len - i);
        if (n == 0) {
            return 0;
        }
        i += n;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int one_shot = ertc_utf8_valid(data, size);
    require(one_shot == reference_valid(data, size));

    ertc_utf8_state_t whole = {0};
    ertc_utf8_feed(&whole, data, size);
    require(ertc_utf8_finish(&whole) == one_shot);

    /* pieces of 1..64 bytes, sizes drawn from the data itself */
    ertc_utf8_state_t split = {0};
    uint32_t x = 2166136261u ^ (uint32_t)size;
    for (size_t at = 0; at < size;) {
        x = (x ^ data[at]) * 16777619u;
        size_t n = (x >> 7) % 64 + 1;
        if (n > size - at) {
            n = size - at;
        }
        uint8_t *piece = malloc(n); /* exact size: a read past the piece is caught */
        require(piece != NULL);
        memcpy(piece, data + at, n);
        ertc_utf8_feed(&split, piece, n);
        free(piece);
        at += n;
    }
    require(ertc_utf8_finish(&split) == one_shot);
    require(ertc_utf8_error_offset(&split) == ertc_utf8_error_offset(&whole));

    ertc_utf8_state_t bytes = {0};
    for (size_t i = 0; i < size; i++) {
        int ok = ertc_utf8_feed(&bytes, data + i, 1);
        /* once invalid, every later feed says so */
        require(ok || !ertc_utf8_feed(&bytes, data + i, 0));
    }
    require(ertc_utf8_finish(&bytes) == one_shot);
    require(ertc_utf8_error_offset(&bytes) == ertc_utf8_error_offset(&whole));
    return 0;
}
