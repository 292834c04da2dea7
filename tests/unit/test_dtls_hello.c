/*
 * peer/dtls_hello: a ClientHello in fragments (RFC 6347 §4.2.3) becomes one record holding the
 * whole message; anything else passes through untouched; bad fragments are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer/dtls_hello.h"

#define MSG_LEN 1500

static uint8_t message[MSG_LEN];

/* One record (epoch 0, sequence seq) holding one ClientHello fragment. */
static size_t fragment_record(uint8_t *out, uint64_t seq, size_t offset, size_t frag_len,
                              size_t msg_len, uint16_t message_seq)
{
    uint8_t *p = out;
    p[0] = 22;
    p[1] = 0xfe;
    p[2] = 0xff;
    p[3] = p[4] = 0;
    for (int i = 0; i < 6; i++) {
        p[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
    }
    size_t rec_len = 12 + frag_len;
    p[11] = (uint8_t)(rec_len >> 8);
    p[12] = (uint8_t)rec_len;
    uint8_t *h = p + 13;
    h[0] = 1;
    h[1] = (uint8_t)(msg_len >> 16);
    h[2] = (uint8_t)(msg_len >> 8);
    h[3] = (uint8_t)msg_len;
    h[4] = (uint8_t)(message_seq >> 8);
    h[5] = (uint8_t)message_seq;
    h[6] = (uint8_t)(offset >> 16);
    h[7] = (uint8_t)(offset >> 8);
    h[8] = (uint8_t)offset;
    h[9] = (uint8_t)(frag_len >> 16);
    h[10] = (uint8_t)(frag_len >> 8);
    h[11] = (uint8_t)frag_len;
    memcpy(h + 12, message + offset, frag_len);
    return 13 + rec_len;
}

static void check_whole(const uint8_t *out, size_t out_len, uint64_t seq)
{
    assert_int_equal(out_len, 13 + 12 + MSG_LEN);
    assert_int_equal(out[0], 22);
    assert_int_equal(out[10], (uint8_t)seq);
    assert_int_equal((out[11] << 8 | out[12]), 12 + MSG_LEN);
    const uint8_t *h = out + 13;
    assert_int_equal(h[0], 1);
    assert_int_equal((h[1] << 16 | h[2] << 8 | h[3]), MSG_LEN);
    assert_int_equal((h[6] << 16 | h[7] << 8 | h[8]), 0);
    assert_int_equal((h[9] << 16 | h[10] << 8 | h[11]), MSG_LEN);
    assert_memory_equal(h + 12, message, MSG_LEN);
}

static void test_fragments_in_any_order_and_repeated(void **state)
{
    (void)state;
    for (size_t i = 0; i < MSG_LEN; i++) {
        message[i] = (uint8_t)(i * 7 + 1);
    }
    ertc_dtls_hello_t r;
    ertc_dtls_hello_init(&r);
    uint8_t dg[2048];
    ertc_dtls_hello_verdict_t v;
    const uint8_t *out;
    size_t out_len;
    /* three fragments, last first, the middle one twice */
    size_t n = fragment_record(dg, 2, 1000, 500, MSG_LEN, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_HOLD);
    n = fragment_record(dg, 1, 500, 500, MSG_LEN, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_HOLD);
    n = fragment_record(dg, 0, 0, 500, MSG_LEN, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_READY);
    check_whole(out, out_len, 2); /* the highest record sequence number */
    ertc_dtls_hello_free(&r);
}

static void test_several_fragments_in_one_datagram(void **state)
{
    (void)state;
    ertc_dtls_hello_t r;
    ertc_dtls_hello_init(&r);
    uint8_t dg[4096];
    size_t n = 0;
    for (size_t off = 0, seq = 0; off < MSG_LEN; off += 300, seq++) {
        n += fragment_record(dg + n, seq, off, 300, MSG_LEN, 0);
    }
    ertc_dtls_hello_verdict_t v;
    const uint8_t *out;
    size_t out_len;
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_READY);
    check_whole(out, out_len, 4);
    ertc_dtls_hello_free(&r);
}

static void test_other_datagrams_pass_and_bad_fragments_are_refused(void **state)
{
    (void)state;
    ertc_dtls_hello_t r;
    ertc_dtls_hello_init(&r);
    uint8_t dg[2048];
    ertc_dtls_hello_verdict_t v;
    const uint8_t *out;
    size_t out_len;
    /* a whole ClientHello in one record passes untouched */
    size_t n = fragment_record(dg, 0, 0, MSG_LEN, MSG_LEN, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_PASS);
    /* application data, a short datagram, garbage */
    uint8_t appdata[] = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 2, 'h', 'i'};
    assert_int_equal(ertc_dtls_hello_feed(&r, appdata, sizeof(appdata), &v, &out, &out_len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_PASS);
    assert_int_equal(ertc_dtls_hello_feed(&r, appdata, 3, &v, &out, &out_len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, ERTC_DTLS_HELLO_PASS);
    /* a fragment that overruns its message */
    n = fragment_record(dg, 0, 0, 500, MSG_LEN, 0);
    dg[13 + 6] = 0xff; /* offset far beyond msg_len */
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_MALFORMED);
    /* fragments of two different ClientHellos */
    n = fragment_record(dg, 0, 0, 500, MSG_LEN, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    n = fragment_record(dg, 1, 500, 500, MSG_LEN + 10, 0);
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len), WEBRTC_STATUS_MALFORMED);
    /* a ClientHello over the limit */
    ertc_dtls_hello_free(&r);
    ertc_dtls_hello_init(&r);
    n = fragment_record(dg, 0, 0, 500, MSG_LEN, 0);
    dg[13 + 1] = 0x7f; /* announced length ~8 MiB */
    assert_int_equal(ertc_dtls_hello_feed(&r, dg, n, &v, &out, &out_len),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    ertc_dtls_hello_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fragments_in_any_order_and_repeated),
        cmocka_unit_test(test_several_fragments_in_one_datagram),
        cmocka_unit_test(test_other_datagrams_pass_and_bad_fragments_are_refused),
    };
    return cmocka_run_group_tests_name("dtls_hello", tests, NULL, NULL);
}
