/*
 * Unit tests for util/base64: the RFC 4648 §10 test vectors, the base64url alphabet,
 * unpadded mode, round trips of random data, strict rejection and buffer sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/base64.h"

static const struct {
    const char *bin;
    const char *padded;
    const char *unpadded;
} rfc4648_vectors[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

#define VECTOR_COUNT (sizeof(rfc4648_vectors) / sizeof(rfc4648_vectors[0]))

static void expect_decode_fails(const char *text, unsigned flags, WEBRTC_STATUS want)
{
    uint8_t out[64];
    size_t out_len = 12345;
    WEBRTC_STATUS st = ertc_base64_decode(text, strlen(text), flags, out, sizeof(out), &out_len);
    if (st != want) {
        fail_msg("decoding \"%s\" (flags %u): status %u, expected %u", text, flags, (unsigned)st,
                 (unsigned)want);
    }
    assert_int_equal(out_len, 12345); /* not written on failure */
}

static void test_rfc4648_vectors_encode(void **state)
{
    (void)state;
    for (size_t i = 0; i < VECTOR_COUNT; i++) {
        const char *bin = rfc4648_vectors[i].bin;
        char out[32];
        size_t len = 0;
        assert_int_equal(
            ertc_base64_encode((const uint8_t *)bin, strlen(bin), 0, out, sizeof(out), &len),
            WEBRTC_STATUS_SUCCESS);
        assert_string_equal(out, rfc4648_vectors[i].padded);
        assert_int_equal(len, strlen(rfc4648_vectors[i].padded));
        assert_int_equal(ertc_base64_encoded_len(strlen(bin), 0), len);

        assert_int_equal(ertc_base64_encode((const uint8_t *)bin, strlen(bin), ERTC_BASE64_NO_PAD,
                                            out, sizeof(out), &len),
                         WEBRTC_STATUS_SUCCESS);
        assert_string_equal(out, rfc4648_vectors[i].unpadded);
        assert_int_equal(ertc_base64_encoded_len(strlen(bin), ERTC_BASE64_NO_PAD), len);
    }
}

static void test_rfc4648_vectors_decode(void **state)
{
    (void)state;
    for (size_t i = 0; i < VECTOR_COUNT; i++) {
        const char *bin = rfc4648_vectors[i].bin;
        uint8_t out[32];
        size_t len = 99;
        const char *text = rfc4648_vectors[i].padded;
        assert_int_equal(ertc_base64_decode(text, strlen(text), 0, out, sizeof(out), &len),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, strlen(bin));
        assert_memory_equal(out, bin, len);

        text = rfc4648_vectors[i].unpadded;
        len = 99;
        assert_int_equal(
            ertc_base64_decode(text, strlen(text), ERTC_BASE64_NO_PAD, out, sizeof(out), &len),
            WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, strlen(bin));
        assert_memory_equal(out, bin, len);
        assert_int_equal(ertc_base64_decoded_max_len(strlen(text)), len);
    }
}

static void test_url_alphabet(void **state)
{
    (void)state;
    const uint8_t bin[] = {0xFB, 0xFF, 0xBF};
    char out[8];
    assert_int_equal(ertc_base64_encode(bin, 2, 0, out, sizeof(out), NULL), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "+/8=");
    assert_int_equal(ertc_base64_encode(bin, 2, ERTC_BASE64_URL, out, sizeof(out), NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "-_8=");
    assert_int_equal(
        ertc_base64_encode(bin, 3, ERTC_BASE64_URL | ERTC_BASE64_NO_PAD, out, sizeof(out), NULL),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "-_-_");

    uint8_t dec[4];
    size_t len = 0;
    assert_int_equal(
        ertc_base64_decode("-_8", 3, ERTC_BASE64_URL | ERTC_BASE64_NO_PAD, dec, sizeof(dec), &len),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 2);
    assert_memory_equal(dec, bin, 2);

    /* Each alphabet refuses the other's two symbols. */
    expect_decode_fails("-_8=", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("+/8=", ERTC_BASE64_URL, WEBRTC_STATUS_MALFORMED);
}

/* A small deterministic generator, so a failure can be reproduced. */
static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void test_round_trip_random(void **state)
{
    (void)state;
    static const unsigned modes[] = {0, ERTC_BASE64_URL, ERTC_BASE64_NO_PAD,
                                     ERTC_BASE64_URL | ERTC_BASE64_NO_PAD};
    uint32_t seed = 20240601;
    uint8_t bin[300];
    uint8_t back[300];
    char text[410];
    for (int round = 0; round < 500; round++) {
        size_t n = next_random(&seed) % sizeof(bin);
        for (size_t i = 0; i < n; i++) {
            bin[i] = (uint8_t)next_random(&seed);
        }
        unsigned flags = modes[round % 4];
        size_t text_len = 0;
        assert_int_equal(ertc_base64_encode(bin, n, flags, text, sizeof(text), &text_len),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(text_len, ertc_base64_encoded_len(n, flags));
        assert_int_equal(strlen(text), text_len);
        assert_true(ertc_base64_decoded_max_len(text_len) >= n);

        /* The exact size is enough; one byte less is not. */
        size_t back_len = 0;
        assert_int_equal(ertc_base64_decode(text, text_len, flags, back, n, &back_len),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(back_len, n);
        assert_memory_equal(back, bin, n);
        if (n > 0) {
            assert_int_equal(ertc_base64_decode(text, text_len, flags, back, n - 1, &back_len),
                             WEBRTC_STATUS_BUFFER_TOO_SMALL);
        }
    }
}

static void test_rejects_bad_padding(void **state)
{
    (void)state;
    expect_decode_fails("Zg=", 0, WEBRTC_STATUS_MALFORMED);  /* not a whole quad */
    expect_decode_fails("Zg", 0, WEBRTC_STATUS_MALFORMED);   /* padding required */
    expect_decode_fails("Z===", 0, WEBRTC_STATUS_MALFORMED); /* three '=' */
    expect_decode_fails("====", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zg==Zg==", 0, WEBRTC_STATUS_MALFORMED); /* padding mid-text */
    expect_decode_fails("Zm=v", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("=Zm9", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zg==", ERTC_BASE64_NO_PAD, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Z", ERTC_BASE64_NO_PAD, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zm9vY", ERTC_BASE64_NO_PAD, WEBRTC_STATUS_MALFORMED);
}

static void test_rejects_bad_characters(void **state)
{
    (void)state;
    expect_decode_fails("Zm9v!A==", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zm 9v", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zm9v\nZm9v", 0, WEBRTC_STATUS_MALFORMED); /* no MIME line breaks */
    expect_decode_fails("Zm9v\xC3\xA9==", 0, WEBRTC_STATUS_MALFORMED);

    /* A NUL inside the counted text is a bad character, not an end. */
    uint8_t out[8];
    assert_int_equal(ertc_base64_decode("Zm\0v", 4, 0, out, sizeof(out), NULL),
                     WEBRTC_STATUS_MALFORMED);
}

static void test_rejects_nonzero_trailing_bits(void **state)
{
    (void)state;
    /* "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" in a lax decoder. */
    expect_decode_fails("Zh==", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zm9=", 0, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zh", ERTC_BASE64_NO_PAD, WEBRTC_STATUS_MALFORMED);
    expect_decode_fails("Zm9", ERTC_BASE64_NO_PAD, WEBRTC_STATUS_MALFORMED);
}

static void test_buffer_sizes(void **state)
{
    (void)state;
    char text[8];
    memset(text, 'x', sizeof(text));
    /* "foo" needs 4 characters and the NUL. */
    assert_int_equal(ertc_base64_encode((const uint8_t *)"foo", 3, 0, text, 4, NULL),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(text[0], 'x'); /* untouched */
    assert_int_equal(ertc_base64_encode((const uint8_t *)"foo", 3, 0, text, 5, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(text, "Zm9v");

    uint8_t bin[4];
    assert_int_equal(ertc_base64_decode("Zm9vYg==", 8, 0, bin, 3, NULL),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_base64_decode("Zm9vYg==", 8, 0, bin, 4, NULL), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(bin, "foob", 4);

    /* Empty input needs no output buffer at all. */
    size_t len = 7;
    assert_int_equal(ertc_base64_decode("", 0, 0, NULL, 0, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 0);
}

static void test_lengths(void **state)
{
    (void)state;
    assert_int_equal(ertc_base64_encoded_len(0, 0), 0);
    assert_int_equal(ertc_base64_encoded_len(1, 0), 4);
    assert_int_equal(ertc_base64_encoded_len(3, 0), 4);
    assert_int_equal(ertc_base64_encoded_len(4, 0), 8);
    assert_int_equal(ertc_base64_encoded_len(1, ERTC_BASE64_NO_PAD), 2);
    assert_int_equal(ertc_base64_encoded_len(2, ERTC_BASE64_NO_PAD), 3);
    assert_int_equal(ertc_base64_encoded_len(32, 0), 44); /* a SHA-256 digest */
    assert_true(ertc_base64_encoded_len(SIZE_MAX, 0) == SIZE_MAX);
    assert_true(ertc_base64_encoded_len(SIZE_MAX / 4 * 3 + 3, 0) == SIZE_MAX);

    assert_int_equal(ertc_base64_decoded_max_len(0), 0);
    assert_int_equal(ertc_base64_decoded_max_len(1), 0);
    assert_int_equal(ertc_base64_decoded_max_len(2), 1);
    assert_int_equal(ertc_base64_decoded_max_len(3), 2);
    assert_int_equal(ertc_base64_decoded_max_len(4), 3);
    assert_int_equal(ertc_base64_decoded_max_len(44), 33);
}

static void test_null_arguments(void **state)
{
    (void)state;
    char text[8];
    uint8_t bin[8];
    assert_int_equal(ertc_base64_encode(NULL, 1, 0, text, sizeof(text), NULL),
                     WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_base64_encode(bin, 1, 0, NULL, 8, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_base64_decode(NULL, 4, 0, bin, sizeof(bin), NULL),
                     WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_base64_decode("Zm9v", 4, 0, NULL, 8, NULL), WEBRTC_STATUS_NULL_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_encode),
        cmocka_unit_test(test_rfc4648_vectors_decode),
        cmocka_unit_test(test_url_alphabet),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_rejects_bad_padding),
        cmocka_unit_test(test_rejects_bad_characters),
        cmocka_unit_test(test_rejects_nonzero_trailing_bits),
        cmocka_unit_test(test_buffer_sizes),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
