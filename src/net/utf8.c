/*
 * net/utf8 — incremental UTF-8 validation following the RFC 3629 §4 grammar.
 *
 * Instead of decoding code points and checking them afterwards, the lead byte of a sequence
 * sets how many continuation bytes follow and which range the *first* of them may take; the
 * narrowed ranges are exactly where the grammar excludes overlongs, surrogates and code
 * points above U+10FFFF:
 *
 *   lead      first continuation   excludes
 *   E0        A0..BF               overlong 3-byte forms (< U+0800)
 *   ED        80..9F               surrogates U+D800..U+DFFF
 *   F0        90..BF               overlong 4-byte forms (< U+10000)
 *   F4        80..8F               code points above U+10FFFF
 *
 * Lead bytes C0 and C1 (only overlong 2-byte forms) and F5..FF (beyond U+10FFFF) are never
 * valid. Signaling text is almost all ASCII, so runs of ASCII are skipped eight bytes at a
 * time.
 */
#include "net/utf8.h"

#include <string.h>

#define ASCII_MAX         0x7Fu
#define CONT_MIN          0x80u /* continuation bytes are 10xxxxxx */
#define CONT_MAX          0xBFu
#define LEAD2_MIN         0xC2u /* C0, C1 would only encode overlong forms */
#define LEAD2_MAX         0xDFu
#define LEAD3_MAX         0xEFu
#define LEAD4_MAX         0xF4u /* F4 8F BF BF is U+10FFFF */
#define LEAD3_NO_OVERLONG 0xE0u
#define LEAD3_SURROGATES  0xEDu
#define LEAD4_NO_OVERLONG 0xF0u
#define LEAD4_MAX_PLANE   0xF4u
#define WORD_BYTES        8
#define WORD_HIGH_BITS    0x8080808080808080ull /* the top bit of every byte in a word */

void ertc_utf8_init(ertc_utf8_state_t *state)
{
    memset(state, 0, sizeof(*state));
}

/* Length of the run of ASCII bytes at the start of p[0..len), checked a word at a time. */
static size_t count_ascii(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (len - i >= WORD_BYTES) {
        uint64_t word;
        memcpy(&word, p + i, sizeof(word)); /* no alignment or aliasing assumptions */
        if (word & WORD_HIGH_BITS) {
            break;
        }
        i += WORD_BYTES;
    }
    while (i < len && p[i] <= ASCII_MAX) {
        i++;
    }
    return i;
}

bool ertc_utf8_feed(ertc_utf8_state_t *state, const uint8_t *data, size_t len)
{
    if (state->invalid) {
        return false;
    }
    uint8_t need = state->need;
    uint8_t lo = state->lo;
    uint8_t hi = state->hi;
    size_t i = 0;
    while (i < len) {
        uint8_t b = data[i];
        if (need > 0) {
            if (b < lo || b > hi) {
                goto invalid;
            }
            lo = CONT_MIN;
            hi = CONT_MAX;
            need--;
            i++;
            continue;
        }
        if (b <= ASCII_MAX) {
            i += count_ascii(data + i, len - i);
            continue;
        }
        lo = CONT_MIN;
        hi = CONT_MAX;
        if (b < LEAD2_MIN) {
            goto invalid; /* a stray continuation byte, or C0/C1 */
        } else if (b <= LEAD2_MAX) {
            need = 1;
        } else if (b <= LEAD3_MAX) {
            need = 2;
            if (b == LEAD3_NO_OVERLONG) {
                lo = 0xA0;
            } else if (b == LEAD3_SURROGATES) {
                hi = 0x9F;
            }
        } else if (b <= LEAD4_MAX) {
            need = 3;
            if (b == LEAD4_NO_OVERLONG) {
                lo = 0x90;
            } else if (b == LEAD4_MAX_PLANE) {
                hi = 0x8F;
            }
        } else {
            goto invalid;
        }
        i++;
    }
    state->need = need;
    state->lo = lo;
    state->hi = hi;
    state->offset += len;
    return true;

invalid:
    state->invalid = true;
    state->offset += i;
    return false;
}

bool ertc_utf8_finish(const ertc_utf8_state_t *state)
{
    return !state->invalid && state->need == 0;
}

uint64_t ertc_utf8_error_offset(const ertc_utf8_state_t *state)
{
    return state->offset;
}

bool ertc_utf8_valid(const uint8_t *data, size_t len)
{
    ertc_utf8_state_t state;
    ertc_utf8_init(&state);
    return ertc_utf8_feed(&state, data, len) && ertc_utf8_finish(&state);
}
