/*
 * Unit tests for signaling/kvs/kvs_policy and kvs_outq: the reconnect backoff schedule
 * (growth, cap, jitter bounds, never zero), ICE refresh from the shortest Ttl less the 30 s
 * grace, IoT credential refresh (1-20 % jitter and the 38 s margin), presigned URL lifetimes,
 * timer clamping, and the outgoing queue's count and byte bounds and FIFO order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "signaling/kvs/kvs_outq.h"
#include "signaling/kvs/kvs_policy.h"
#include "util/alloc.h"

static void test_reconnect_backoff_schedule(void **state)
{
    (void)state;
    /* without jitter (random 0) the floor of each step: 125, 250, 500, ... then 5000 */
    uint32_t expect_floor[] = {125, 250, 500, 1000, 2000, 4000, 5000, 5000, 5000};
    for (uint32_t a = 0; a < 9; a++) {
        assert_int_equal(ertc_kvs_reconnect_delay_ms(a, 0), expect_floor[a]);
        uint32_t step = expect_floor[a] * 2;
        /* the top: the whole step (cap 10 s) */
        assert_int_equal(ertc_kvs_reconnect_delay_ms(a, step - expect_floor[a]), step);
        for (uint32_t r = 0; r < 2000; r += 7) {
            uint32_t d = ertc_kvs_reconnect_delay_ms(a, r * 2654435761u);
            assert_true(d >= expect_floor[a] && d <= step);
        }
    }
    assert_int_equal(ertc_kvs_reconnect_delay_ms(40, 0), 5000); /* no overflow */
    assert_true(ertc_kvs_reconnect_delay_ms(40, UINT32_MAX) <= ERTC_KVS_RECONNECT_CAP_MS);
    /* all attempts together stay well under a minute */
    uint32_t total = 0;
    for (uint32_t a = 0; a < ERTC_KVS_RECONNECT_MAX_ATTEMPTS; a++) {
        total += ertc_kvs_reconnect_delay_ms(a, UINT32_MAX);
    }
    assert_true(total < 60000);
}

static void test_ice_refresh(void **state)
{
    (void)state;
    int64_t t0 = 1700000000;
    assert_int_equal(ertc_kvs_ice_refresh_at(t0, 300), t0 + 270);
    assert_false(ertc_kvs_ice_refresh_needed(t0, 300, t0 + 269));
    assert_true(ertc_kvs_ice_refresh_needed(t0, 300, t0 + 270));
    assert_true(ertc_kvs_ice_refresh_needed(0, 300, t0));  /* nothing fetched yet */
    assert_int_equal(ertc_kvs_ice_refresh_at(t0, 30), t0); /* Ttl not above the grace */
    assert_true(ertc_kvs_ice_refresh_needed(t0, 10, t0));
}

static void test_credential_refresh(void **state)
{
    (void)state;
    int64_t now = 1700000000;
    int64_t exp = now + 3600;
    /* jitter 1 % (random 0) .. 20 % (random 19) of 3600 s, then 38 s */
    assert_int_equal(ertc_kvs_cred_refresh_at(now, exp, 0), exp - 36 - 38);
    assert_int_equal(ertc_kvs_cred_refresh_at(now, exp, 19), exp - 720 - 38);
    assert_int_equal(ertc_kvs_cred_refresh_at(now, exp, 20), exp - 36 - 38);
    for (uint32_t r = 0; r < 1000; r++) {
        int64_t at = ertc_kvs_cred_refresh_at(now, exp, r * 2654435761u);
        assert_true(at >= exp - 720 - 38 && at <= exp - 36 - 38);
    }
    assert_int_equal(ertc_kvs_cred_refresh_at(now, INT64_MAX, 5), INT64_MAX);
    assert_int_equal(ertc_kvs_cred_refresh_at(now, now - 5, 5), now);  /* expired: at once */
    assert_int_equal(ertc_kvs_cred_refresh_at(now, now + 20, 5), now); /* within the margin */
}

static void test_presign_expires_and_timers(void **state)
{
    (void)state;
    int64_t now = 1700000000;
    assert_int_equal(ertc_kvs_presign_expires(now, INT64_MAX), 300);
    assert_int_equal(ertc_kvs_presign_expires(now, now + 3600), 300);
    assert_int_equal(ertc_kvs_presign_expires(now, now + 100), 100);
    assert_int_equal(ertc_kvs_presign_expires(now, now - 100), 1);
    assert_int_equal(ertc_kvs_ms_until(now + 10, now, 1000, 60000), 10000);
    assert_int_equal(ertc_kvs_ms_until(now, now, 1000, 60000), 1000);
    assert_int_equal(ertc_kvs_ms_until(now + 1000, now, 1000, 60000), 60000);
    assert_int_equal(ertc_kvs_ms_until(INT64_MAX, now, 1000, 86400000u), 86400000u);
}

static char *frame(const char *s)
{
    return ertc_strdup(s);
}

static void test_outq_bounds_and_order(void **state)
{
    (void)state;
    ertc_kvs_outq_t q;
    ertc_kvs_outq_init(&q, 3, 10);
    assert_null(ertc_kvs_outq_peek(&q));
    char *a = frame("aaaa"), *b = frame("bbbb"), *c = frame("cc"), *d = frame("d");
    assert_int_equal(ertc_kvs_outq_push(&q, a, 4), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_kvs_outq_push(&q, b, 4), WEBRTC_STATUS_SUCCESS);
    /* bytes: 8 + 3 > 10 refused, the frame stays the caller's */
    char *e = frame("eee");
    assert_int_equal(ertc_kvs_outq_push(&q, e, 3), WEBRTC_STATUS_QUEUE_FULL);
    ertc_free(e);
    assert_int_equal(ertc_kvs_outq_push(&q, c, 2), WEBRTC_STATUS_SUCCESS);
    /* count: 3 reached */
    assert_int_equal(ertc_kvs_outq_push(&q, d, 1), WEBRTC_STATUS_QUEUE_FULL);
    assert_int_equal(q.count, 3);
    assert_int_equal(q.bytes, 10);
    assert_string_equal(ertc_kvs_outq_peek(&q)->frame, "aaaa");
    ertc_kvs_outq_pop(&q);
    assert_string_equal(ertc_kvs_outq_peek(&q)->frame, "bbbb");
    assert_int_equal(ertc_kvs_outq_push(&q, d, 1), WEBRTC_STATUS_SUCCESS);
    ertc_kvs_outq_pop(&q);
    assert_string_equal(ertc_kvs_outq_peek(&q)->frame, "cc");
    ertc_kvs_outq_pop(&q);
    assert_string_equal(ertc_kvs_outq_peek(&q)->frame, "d");
    ertc_kvs_outq_clear(&q);
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    assert_null(ertc_kvs_outq_peek(&q));
    ertc_kvs_outq_pop(&q); /* harmless when empty */
    ertc_kvs_outq_init(&q, 0, 0);
    assert_int_equal(q.max_count, ERTC_KVS_OUTQ_MAX_COUNT);
    assert_int_equal(q.max_bytes, ERTC_KVS_OUTQ_MAX_BYTES);
    assert_int_equal(ertc_kvs_outq_push(&q, NULL, 0), WEBRTC_STATUS_NULL_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconnect_backoff_schedule),
        cmocka_unit_test(test_ice_refresh),
        cmocka_unit_test(test_credential_refresh),
        cmocka_unit_test(test_presign_expires_and_timers),
        cmocka_unit_test(test_outq_bounds_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
