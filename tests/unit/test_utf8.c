/*
 * Unit tests for net/utf8: valid multi-byte text at the edges of each length class, the
 * RFC 3629 exclusions (overlongs, surrogates, > U+10FFFF, bad lead and stray continuation
 * bytes), truncated sequences, sticky failure and error offsets, feeding split at every
 * position, and an exhaustive comparison with an independent decoder for all 1-, 2- and
 * 3-byte inputs and every 4-byte lead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "net/utf8.h"

typedef struct {
    const char *bytes;
    size_t len;
    const char *what;
} vector_t;

#define V(s, what)                                                                                 \
    {                                                                                              \
        s, sizeof(s) - 1, what                                                                     \
    }

static const vector_t valid_vectors[] = {
    V("", "empty"),
    V("hello, world", "ASCII"),
    V("\x00", "NUL is a valid character"),
    V("\x7F", "U+007F"),
    V("\xC2\x80", "U+0080"),
    V("\xC3\xA9", "U+00E9"),
    V("\xDF\xBF", "U+07FF"),
    V("\xE0\xA0\x80", "U+0800"),
    V("\xE2\x82\xAC", "U+20AC euro sign"),
    V("\xED\x9F\xBF", "U+D7FF, just below the surrogates"),
    V("\xEE\x80\x80", "U+E000, just above the surrogates"),
    V("\xEF\xBF\xBF", "U+FFFF"),
    V("\xF0\x90\x80\x80", "U+10000"),
    V("\xF0\x9D\x84\x9E", "U+1D11E musical G clef"),
    V("\xF3\xBF\xBF\xBF", "U+FFFFF"),
    V("\xF4\x8F\xBF\xBF", "U+10FFFF"),
    V("Gr\xC3\xBC\xC3\x9F"
      "e, \xE2\x82\xAC"
      "5 \xF0\x9F\x98\x80!",
      "mixed text"),
};

static const vector_t invalid_vectors[] = {
    V("\xC0\x80", "overlong NUL (C0 80)"),
    V("\xC1\xBF", "overlong U+007F (C1 BF)"),
    V("\xE0\x80\x80", "overlong NUL (E0 80 80)"),
    V("\xE0\x9F\xBF", "overlong U+07FF (E0 9F BF)"),
    V("\xF0\x80\x80\x80", "overlong NUL (F0 80 80 80)"),
    V("\xF0\x8F\xBF\xBF", "overlong U+FFFF (F0 8F BF BF)"),
    V("\xED\xA0\x80", "surrogate U+D800"),
    V("\xED\xBF\xBF", "surrogate U+DFFF"),
    V("\xED\xA0\x80\xED\xB0\x80", "surrogate pair encoded as CESU-8"),
    V("\xF4\x90\x80\x80", "U+110000"),
    V("\xF5\x80\x80\x80", "lead F5"),
    V("\xF8\x88\x80\x80\x80", "5-byte form"),
    V("\xFC\x84\x80\x80\x80\x80", "6-byte form"),
    V("\xFE", "FE"),
    V("\xFF", "FF"),
    V("\x80", "stray continuation 80"),
    V("\xBF", "stray continuation BF"),
    V("a\xC3\xA9\xA9", "extra continuation after a complete character"),
    V("\xC3\x28", "lead followed by ASCII"),
    V("\xE2\x82\x28", "3-byte sequence broken in its last byte"),
    V("\xE2\x28\xAC", "3-byte sequence broken in its middle byte"),
    V("\xF0\x9D\x84\x28", "4-byte sequence broken in its last byte"),
    V("\xC3", "truncated 2-byte sequence at the end"),
    V("\xE2\x82", "truncated 3-byte sequence at the end"),
    V("\xF0\x9D\x84", "truncated 4-byte sequence at the end"),
    V("abcdefgh\xF0", "lead byte as the last byte after ASCII"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Verdict of feeding data in two pieces split at `at`, then finishing. */
static bool valid_split(const uint8_t *data, size_t len, size_t at)
{
    ertc_utf8_state_t st = {0};
    bool ok = ertc_utf8_feed(&st, data, at);
    ok = ertc_utf8_feed(&st, data + at, len - at) && ok;
    return ertc_utf8_finish(&st) && ok;
}

static bool valid_bytewise(const uint8_t *data, size_t len)
{
    ertc_utf8_state_t st;
    ertc_utf8_init(&st);
    for (size_t i = 0; i < len; i++) {
        ertc_utf8_feed(&st, data + i, 1);
    }
    return ertc_utf8_finish(&st);
}

/* Checks a vector alone and embedded in ASCII of every length 0..17 on either side, so the
 * word-at-a-time ASCII path meets it at every alignment; fed whole, split everywhere and
 * byte by byte. */
static void check_vector(const vector_t *v, bool expect)
{
    uint8_t buf[64];
    for (size_t pre = 0; pre < 18; pre++) {
        for (size_t post = 0; post < 18; post += 17) {
            size_t len = pre + v->len + post;
            memset(buf, 'x', sizeof(buf));
            memcpy(buf + pre, v->bytes, v->len);
            /* a truncated sequence followed by ASCII is broken as well, so the verdict only
             * depends on the vector */
            if (ertc_utf8_valid(buf, len) != expect) {
                fail_msg("%s (%zu ASCII before, %zu after): one-shot verdict %d, expected %d",
                         v->what, pre, post, !expect, expect);
            }
            for (size_t at = 0; at <= len; at++) {
                if (valid_split(buf, len, at) != expect) {
                    fail_msg("%s (%zu before, %zu after) split at %zu: wrong verdict", v->what, pre,
                             post, at);
                }
            }
            if (valid_bytewise(buf, len) != expect) {
                fail_msg("%s (%zu before, %zu after) byte by byte: wrong verdict", v->what, pre,
                         post);
            }
        }
    }
}

static void test_valid_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(valid_vectors); i++) {
        check_vector(&valid_vectors[i], true);
    }
}

static void test_invalid_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(invalid_vectors); i++) {
        check_vector(&invalid_vectors[i], false);
    }
}

static void test_truncated_is_valid_so_far(void **state)
{
    (void)state;
    /* Feeding an incomplete sequence is not yet an error; only finishing there is. */
    ertc_utf8_state_t st = {0};
    assert_true(ertc_utf8_feed(&st, (const uint8_t *)"ab\xF0\x9D", 4));
    assert_false(ertc_utf8_finish(&st));
    assert_true(ertc_utf8_feed(&st, (const uint8_t *)"\x84", 1));
    assert_false(ertc_utf8_finish(&st));
    assert_true(ertc_utf8_feed(&st, (const uint8_t *)"\x9E", 1));
    assert_true(ertc_utf8_finish(&st));
}

static void test_invalid_is_sticky_and_located(void **state)
{
    (void)state;
    ertc_utf8_state_t st;
    ertc_utf8_init(&st);
    assert_true(ertc_utf8_feed(&st, (const uint8_t *)"0123456789", 10));
    assert_int_equal(ertc_utf8_error_offset(&st), 10);
    assert_false(ertc_utf8_feed(&st, (const uint8_t *)"abc\xC0\x80xyz", 8));
    assert_int_equal(ertc_utf8_error_offset(&st), 13); /* the C0 */
    assert_false(ertc_utf8_feed(&st, (const uint8_t *)"fine", 4));
    assert_false(ertc_utf8_finish(&st));
    assert_int_equal(ertc_utf8_error_offset(&st), 13);

    /* an invalid continuation is reported at the continuation, not the lead */
    ertc_utf8_init(&st);
    assert_false(ertc_utf8_feed(&st, (const uint8_t *)"\xE2\x82\x28", 3));
    assert_int_equal(ertc_utf8_error_offset(&st), 2);

    /* init starts over */
    ertc_utf8_init(&st);
    assert_true(ertc_utf8_feed(&st, (const uint8_t *)"ok", 2));
    assert_true(ertc_utf8_finish(&st));
}

static void test_bad_byte_at_every_position_of_ascii(void **state)
{
    (void)state;
    uint8_t buf[41];
    for (size_t bad = 0; bad < sizeof(buf); bad++) {
        memset(buf, 'a', sizeof(buf));
        buf[bad] = 0x80;
        ertc_utf8_state_t st = {0};
        assert_false(ertc_utf8_feed(&st, buf, sizeof(buf)));
        assert_int_equal(ertc_utf8_error_offset(&st), bad);
        assert_false(ertc_utf8_valid(buf, sizeof(buf)));
    }
    memset(buf, 'a', sizeof(buf));
    assert_true(ertc_utf8_valid(buf, sizeof(buf)));
    assert_true(ertc_utf8_valid(NULL, 0));
}

/*
 * An independent reference: decode the code point the way RFC 3629 §3 describes it and
 * check its range afterwards. Returns the length of the valid character at p, 0 if none.
 */
static size_t reference_char(const uint8_t *p, size_t len)
{
    uint32_t cp;
    size_t n;
    uint32_t min;
    if (p[0] < 0x80) {
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        n = 2, cp = p[0] & 0x1F, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3, cp = p[0] & 0x0F, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4, cp = p[0] & 0x07, min = 0x10000;
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
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

static bool reference_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = reference_char(p + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

static void test_exhaustive_against_reference(void **state)
{
    (void)state;
    uint8_t b[4];
    for (unsigned x = 0; x < 0x100; x++) {
        b[0] = (uint8_t)x;
        assert_int_equal(ertc_utf8_valid(b, 1), reference_valid(b, 1));
    }
    for (unsigned x = 0; x < 0x10000; x++) {
        b[0] = (uint8_t)(x >> 8), b[1] = (uint8_t)x;
        if (ertc_utf8_valid(b, 2) != reference_valid(b, 2)) {
            fail_msg("disagree on %02X %02X", b[0], b[1]);
        }
    }
    for (unsigned x = 0; x < 0x1000000; x++) {
        b[0] = (uint8_t)(x >> 16), b[1] = (uint8_t)(x >> 8), b[2] = (uint8_t)x;
        if (ertc_utf8_valid(b, 3) != reference_valid(b, 3)) {
            fail_msg("disagree on %02X %02X %02X", b[0], b[1], b[2]);
        }
    }
    /* every 4-byte input with a 4-byte lead (F0..F7) and the interesting continuations */
    static const uint8_t conts[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (unsigned lead = 0xF0; lead <= 0xF7; lead++) {
        for (unsigned c1 = 0; c1 < 0x100; c1++) {
            for (size_t i = 0; i < sizeof(conts); i++) {
                for (size_t j = 0; j < sizeof(conts); j++) {
                    b[0] = (uint8_t)lead, b[1] = (uint8_t)c1, b[2] = conts[i], b[3] = conts[j];
                    if (ertc_utf8_valid(b, 4) != reference_valid(b, 4)) {
                        fail_msg("disagree on %02X %02X %02X %02X", b[0], b[1], b[2], b[3]);
                    }
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text),
        cmocka_unit_test(test_invalid_text),
        cmocka_unit_test(test_truncated_is_valid_so_far),
        cmocka_unit_test(test_invalid_is_sticky_and_located),
        cmocka_unit_test(test_bad_byte_at_every_position_of_ascii),
        cmocka_unit_test(test_exhaustive_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
