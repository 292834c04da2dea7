/*
 * util/base64 — RFC 4648 base64/base64url. See base64.h for the strictness rules.
 *
 * The decoder maps characters with comparisons instead of a 256-entry table: the alphabet
 * is four contiguous ranges plus two symbols, which is easy to check by eye, and speed is
 * irrelevant at the sizes signaling uses.
 */
#include "util/base64.h"

#include <stdbool.h>
#include <string.h>

#define QUAD_BYTES 3 /* bytes carried by one group of four characters */
#define QUAD_CHARS 4
#define BAD_CHAR   (-1)

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int decode_char(char c, unsigned flags)
{
    bool url = (flags & ERTC_BASE64_URL) != 0;
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == (url ? '-' : '+')) {
        return 62;
    }
    if (c == (url ? '_' : '/')) {
        return 63;
    }
    return BAD_CHAR;
}

size_t ertc_base64_encoded_len(size_t bin_len, unsigned flags)
{
    size_t quads = bin_len / QUAD_BYTES;
    size_t rest = bin_len % QUAD_BYTES;
    if (quads > (SIZE_MAX - QUAD_CHARS) / QUAD_CHARS) {
        return SIZE_MAX;
    }
    size_t len = quads * QUAD_CHARS;
    if (rest > 0) {
        /* one leftover byte needs 2 characters, two need 3; padding fills the quad */
        len += (flags & ERTC_BASE64_NO_PAD) ? rest + 1 : QUAD_CHARS;
    }
    return len;
}

size_t ertc_base64_decoded_max_len(size_t text_len)
{
    size_t rest = text_len % QUAD_CHARS;
    return text_len / QUAD_CHARS * QUAD_BYTES + (rest >= 2 ? rest - 1 : 0);
}

WEBRTC_STATUS ertc_base64_encode(const uint8_t *bin, size_t bin_len, unsigned flags, char *out,
                                 size_t out_size, size_t *out_len)
{
    if ((bin == NULL && bin_len > 0) || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t need = ertc_base64_encoded_len(bin_len, flags);
    if (need == SIZE_MAX || out_size <= need) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    const char *alphabet = (flags & ERTC_BASE64_URL) ? url_alphabet : std_alphabet;
    size_t o = 0;
    size_t i = 0;
    for (; bin_len - i >= QUAD_BYTES; i += QUAD_BYTES) {
        uint32_t v = (uint32_t)bin[i] << 16 | (uint32_t)bin[i + 1] << 8 | bin[i + 2];
        out[o++] = alphabet[(v >> 18) & 0x3F];
        out[o++] = alphabet[(v >> 12) & 0x3F];
        out[o++] = alphabet[(v >> 6) & 0x3F];
        out[o++] = alphabet[v & 0x3F];
    }
    size_t rest = bin_len - i;
    if (rest > 0) {
        uint32_t v = (uint32_t)bin[i] << 16 | (rest == 2 ? (uint32_t)bin[i + 1] << 8 : 0);
        out[o++] = alphabet[(v >> 18) & 0x3F];
        out[o++] = alphabet[(v >> 12) & 0x3F];
        if (rest == 2) {
            out[o++] = alphabet[(v >> 6) & 0x3F];
        }
        if (!(flags & ERTC_BASE64_NO_PAD)) {
            for (size_t p = rest; p < QUAD_BYTES; p++) {
                out[o++] = '=';
            }
        }
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/*
 * Works out how many characters carry data, checking length and padding. Characters in
 * the data part are checked later, while decoding.
 */
static WEBRTC_STATUS measure_text(const char *text, size_t text_len, unsigned flags,
                                  size_t *data_chars)
{
    if (flags & ERTC_BASE64_NO_PAD) {
        if (text_len % QUAD_CHARS == 1 || memchr(text, '=', text_len) != NULL) {
            return WEBRTC_STATUS_MALFORMED;
        }
        *data_chars = text_len;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (text_len % QUAD_CHARS != 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t pad = 0;
    if (text_len > 0 && text[text_len - 1] == '=') {
        pad = text[text_len - 2] == '=' ? 2 : 1;
    }
    /* A third '=' or one in the middle is left in the data part and fails decode_char. */
    *data_chars = text_len - pad;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_base64_decode(const char *text, size_t text_len, unsigned flags, uint8_t *out,
                                 size_t out_size, size_t *out_len)
{
    if ((text == NULL && text_len > 0) || (out == NULL && out_size > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t data_chars = 0;
    WEBRTC_STATUS st = measure_text(text, text_len, flags, &data_chars);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    size_t need = ertc_base64_decoded_max_len(data_chars); /* exact: no padding counted */
    if (out_size < need) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }

    size_t o = 0;
    size_t i = 0;
    for (; data_chars - i >= QUAD_CHARS; i += QUAD_CHARS) {
        int a = decode_char(text[i], flags);
        int b = decode_char(text[i + 1], flags);
        int c = decode_char(text[i + 2], flags);
        int d = decode_char(text[i + 3], flags);
        if ((a | b | c | d) < 0) {
            return WEBRTC_STATUS_MALFORMED;
        }
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }

    size_t rest = data_chars - i; /* 0, 2 or 3: measure_text ruled out 1 */
    if (rest > 0) {
        int a = decode_char(text[i], flags);
        int b = decode_char(text[i + 1], flags);
        int c = rest == 3 ? decode_char(text[i + 2], flags) : 0;
        if ((a | b | c) < 0) {
            return WEBRTC_STATUS_MALFORMED;
        }
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        /* Non-zero bits below the last whole byte mean a non-canonical encoding. */
        uint32_t unused = rest == 2 ? (v & 0xFFFFu) : (v & 0xFFu);
        if (unused != 0) {
            return WEBRTC_STATUS_MALFORMED;
        }
        out[o++] = (uint8_t)(v >> 16);
        if (rest == 3) {
            out[o++] = (uint8_t)(v >> 8);
        }
    }
    if (out_len != NULL) {
        *out_len = o;
    }
    return WEBRTC_STATUS_SUCCESS;
}
