/*
 * Unit tests for peer/nack_history.
 *
 * Sender history: put/get with exact bytes, eviction by packet count and by byte budget
 * (checked against a reference model over thousands of random-sized packets, so every wrap of
 * the byte ring is exercised), sequence-number wrap, index collisions, re-stored sequence
 * numbers, max age, the resend throttle, limits and allocation failures.
 *
 * NACK generator: gaps become NACK lists in ascending order across the wrap, retries are
 * spaced and limited, recovered packets leave the list, old ones are given up, a gap larger
 * than the list clears it and requests a key frame, and a collected list survives the trip
 * through ertc_rtcp_build_nack / ertc_rtcp_parse_nack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "peer/nack_history.h"
#include "peer/rtcp.h"
#include "util/alloc.h"

/* A packet whose bytes are derived from its sequence number and length. */
static void fill_packet(uint8_t *p, size_t len, uint16_t seq)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)(seq * 31u + i * 7u + len);
    }
}

static void put_seq(ertc_nack_history_t *h, uint16_t seq, size_t len, uint64_t now)
{
    uint8_t p[2048];
    assert_true(len <= sizeof(p));
    fill_packet(p, len, seq);
    assert_int_equal(ertc_nack_history_put(h, seq, p, len, now), WEBRTC_STATUS_SUCCESS);
}

static void expect_packet(ertc_nack_history_t *h, uint16_t seq, size_t len, uint64_t now)
{
    const uint8_t *got = NULL;
    size_t got_len = 0;
    assert_int_equal(ertc_nack_history_get(h, seq, now, &got, &got_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(got_len, len);
    uint8_t p[2048];
    fill_packet(p, len, seq);
    assert_memory_equal(got, p, len);
}

static WEBRTC_STATUS get_status(ertc_nack_history_t *h, uint16_t seq, uint64_t now)
{
    const uint8_t *got = NULL;
    size_t got_len = 0;
    return ertc_nack_history_get(h, seq, now, &got, &got_len);
}

static void test_put_get(void **state)
{
    (void)state;
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, NULL), WEBRTC_STATUS_SUCCESS);
    for (uint16_t seq = 1; seq <= 10; seq++) {
        put_seq(&h, seq, 100 + seq, 0);
    }
    assert_int_equal(ertc_nack_history_count(&h), 10);
    assert_int_equal(ertc_nack_history_bytes(&h), 10 * 100 + 55);
    for (uint16_t seq = 1; seq <= 10; seq++) {
        expect_packet(&h, seq, 100 + seq, 0);
    }
    assert_int_equal(get_status(&h, 11, 0), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(get_status(&h, 0, 0), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_stats_t st;
    ertc_nack_history_get_stats(&h, &st);
    assert_int_equal(st.stored, 10);
    assert_int_equal(st.resent, 10);
    assert_int_equal(st.missing, 2);

    /* the same sequence number stored again: the newest bytes win */
    put_seq(&h, 5, 300, 0);
    expect_packet(&h, 5, 300, 0);
    ertc_nack_history_clear(&h);
    assert_int_equal(ertc_nack_history_count(&h), 0);
    assert_int_equal(ertc_nack_history_bytes(&h), 0);
    assert_int_equal(get_status(&h, 5, 0), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_free(&h);
}

static void test_eviction_by_count_and_wrap(void **state)
{
    (void)state;
    ertc_nack_history_config_t cfg = {8, 0, 0, 0};
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    uint16_t seq = 65530;
    for (int i = 0; i < 20; i++) {
        put_seq(&h, seq++, 50, 0);
    }
    /* 65530..13: the last 8 are 6..13 */
    assert_int_equal(ertc_nack_history_count(&h), 8);
    for (uint16_t s = 6; s <= 13; s++) {
        expect_packet(&h, s, 50, 0);
    }
    assert_int_equal(get_status(&h, 5, 0), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(get_status(&h, 65535, 0), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(get_status(&h, 65530, 0), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_stats_t st;
    ertc_nack_history_get_stats(&h, &st);
    assert_int_equal(st.evicted, 12);

    /* index collision: 16 and 24 share an index slot with 8 entries; the newer one wins and
     * evicting the older never hides it */
    ertc_nack_history_clear(&h);
    put_seq(&h, 16, 10, 0);
    put_seq(&h, 24, 20, 0);
    assert_int_equal(get_status(&h, 16, 0), WEBRTC_STATUS_NOT_FOUND);
    expect_packet(&h, 24, 20, 0);
    for (uint16_t s = 25; s < 32; s++) {
        put_seq(&h, s, 10, 0); /* the 7th of these evicts 16 */
    }
    expect_packet(&h, 24, 20, 0);
    put_seq(&h, 32, 10, 0); /* evicts 24 */
    assert_int_equal(get_status(&h, 24, 0), WEBRTC_STATUS_NOT_FOUND);
    expect_packet(&h, 31, 10, 0);
    ertc_nack_history_free(&h);
}

static void test_byte_budget(void **state)
{
    (void)state;
    ertc_nack_history_config_t cfg = {64, 1000, 0, 0};
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    for (uint16_t seq = 0; seq < 10; seq++) {
        put_seq(&h, seq, 300, 0);
        assert_true(ertc_nack_history_bytes(&h) <= 1000);
    }
    /* 3 x 300 fit; the 4th wraps to the start after evicting the oldest */
    assert_int_equal(ertc_nack_history_count(&h), 3);
    expect_packet(&h, 9, 300, 0);
    expect_packet(&h, 7, 300, 0);
    assert_int_equal(get_status(&h, 6, 0), WEBRTC_STATUS_NOT_FOUND);

    uint8_t big[1001];
    memset(big, 1, sizeof(big));
    assert_int_equal(ertc_nack_history_put(&h, 100, big, 1001, 0), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_nack_history_put(&h, 100, big, 0, 0), WEBRTC_STATUS_INVALID_ARG);
    /* exactly the budget: everything else goes */
    assert_int_equal(ertc_nack_history_put(&h, 100, big, 1000, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_nack_history_count(&h), 1);
    assert_int_equal(ertc_nack_history_bytes(&h), 1000);
    put_seq(&h, 101, 1, 0);
    assert_int_equal(ertc_nack_history_count(&h), 1);
    expect_packet(&h, 101, 1, 0);
    ertc_nack_history_free(&h);
}

/* Random sizes against a model: the history must hold exactly the newest packets whose sizes
 * fit, give their bytes back unchanged, and never exceed either bound. */
static void test_random_against_model(void **state)
{
    (void)state;
    enum { MAX_PACKETS = 32, MAX_BYTES = 8000, ROUNDS = 5000 };
    ertc_nack_history_config_t cfg = {MAX_PACKETS, MAX_BYTES, 0, 0};
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    uint16_t sizes[ROUNDS];
    uint32_t rnd = 99;
    uint16_t first_seq = 65000;
    for (int i = 0; i < ROUNDS; i++) {
        rnd = rnd * 1664525u + 1013904223u;
        sizes[i] = (uint16_t)(1 + (rnd >> 8) % (rnd % 7 == 0 ? 2000 : 1200));
        uint16_t seq = (uint16_t)(first_seq + i);
        put_seq(&h, seq, sizes[i], (uint64_t)i);
        assert_true(ertc_nack_history_count(&h) <= MAX_PACKETS);
        assert_true(ertc_nack_history_bytes(&h) <= MAX_BYTES);
        /* the newest packets that fit are all there, in full */
        size_t bytes = 0;
        int kept = 0;
        for (int j = i; j >= 0 && kept < MAX_PACKETS; j--) {
            uint16_t s = (uint16_t)(first_seq + j);
            if (get_status(&h, s, 0) != WEBRTC_STATUS_SUCCESS) {
                break;
            }
            expect_packet(&h, s, sizes[j], 0);
            bytes += sizes[j];
            kept++;
        }
        assert_int_equal(kept, ertc_nack_history_count(&h));
        assert_int_equal(bytes, ertc_nack_history_bytes(&h));
        /* the ring wastes at most one packet's worth at its end: with the newest kept ones
         * totalling `bytes`, one more packet would not have fitted */
        if (i > kept && kept < MAX_PACKETS) {
            assert_true(bytes + sizes[i - kept] > MAX_BYTES / 2);
        }
    }
    ertc_nack_history_free(&h);
}

static void test_age_and_resend_throttle(void **state)
{
    (void)state;
    ertc_nack_history_config_t cfg = {0, 0, 1000, 50};
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    put_seq(&h, 1, 100, 10000);
    put_seq(&h, 2, 100, 10500);
    expect_packet(&h, 1, 100, 11000); /* exactly max_age */
    /* resent 0 ms ago, then 49 ms ago: refused; 50 ms: allowed */
    assert_int_equal(get_status(&h, 1, 11000), WEBRTC_STATUS_RETRY_LATER);
    assert_int_equal(get_status(&h, 1, 11049), WEBRTC_STATUS_NOT_FOUND); /* and now too old */
    expect_packet(&h, 2, 100, 11000);
    assert_int_equal(get_status(&h, 2, 11049), WEBRTC_STATUS_RETRY_LATER);
    expect_packet(&h, 2, 100, 11050);
    assert_int_equal(get_status(&h, 2, 11501), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_stats_t st;
    ertc_nack_history_get_stats(&h, &st);
    assert_int_equal(st.too_old, 2);
    assert_int_equal(st.throttled, 2);
    assert_int_equal(st.resent, 3);
    ertc_nack_history_free(&h);
}

static void test_history_limits_and_allocation(void **state)
{
    (void)state;
    ertc_nack_history_t h;
    ertc_nack_history_config_t cfg = {ERTC_NACK_HISTORY_MAX_PACKETS + 1, 0, 0, 0};
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.max_packets = 0;
    cfg.max_bytes = ERTC_NACK_HISTORY_MAX_BYTES + 1;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_INVALID_ARG);
    /* a non-power-of-two count works across the sequence wrap */
    cfg.max_packets = 5;
    cfg.max_bytes = 0;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    for (uint32_t s = 65530; s < 65550; s++) {
        put_seq(&h, (uint16_t)s, 40, 0);
    }
    for (uint32_t s = 65545; s < 65550; s++) {
        expect_packet(&h, (uint16_t)s, 40, 0);
    }
    assert_int_equal(get_status(&h, (uint16_t)65544, 0), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_free(&h);
    assert_int_equal(ertc_nack_history_put(&h, 1, (const uint8_t *)"x", 1, 0),
                     WEBRTC_STATUS_NULL_ARG);

    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);
    for (uint64_t skip = 0; skip < 3; skip++) {
        ertc_alloc_inject_failure(skip, false);
        assert_int_equal(ertc_nack_history_init(&h, NULL), WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
        ertc_alloc_inject_off();
    }
    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_alloc_counting_disable();
}

/* ---- NACK generator -------------------------------------------------------------------- */

static void assert_list(const uint16_t *got, size_t n, const uint16_t *expect, size_t m)
{
    assert_int_equal(n, m);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i], expect[i]);
    }
}

static void test_generator_gaps_and_retries(void **state)
{
    (void)state;
    ertc_nack_generator_config_t cfg = {0, 3, 100, 0};
    ertc_nack_generator_t g;
    assert_int_equal(ertc_nack_generator_init(&g, &cfg), WEBRTC_STATUS_SUCCESS);
    uint16_t out[64];
    ertc_nack_generator_on_packet(&g, 1);
    ertc_nack_generator_on_packet(&g, 2);
    assert_int_equal(ertc_nack_generator_collect(&g, 0, out, 64), 0);
    ertc_nack_generator_on_packet(&g, 5);
    ertc_nack_generator_on_packet(&g, 5); /* duplicate */
    assert_int_equal(ertc_nack_generator_missing(&g), 2);
    const uint16_t first[] = {3, 4};
    assert_list(out, ertc_nack_generator_collect(&g, 0, out, 64), first, 2);
    /* not again before the retry interval */
    assert_int_equal(ertc_nack_generator_collect(&g, 99, out, 64), 0);
    assert_list(out, ertc_nack_generator_collect(&g, 100, out, 64), first, 2);
    /* 3 arrives (retransmitted); a new gap opens */
    ertc_nack_generator_on_packet(&g, 3);
    ertc_nack_generator_on_packet(&g, 8);
    const uint16_t second[] = {6, 7};
    assert_list(out, ertc_nack_generator_collect(&g, 150, out, 64), second, 2);
    const uint16_t third[] = {4};
    assert_list(out, ertc_nack_generator_collect(&g, 200, out, 64), third, 1);
    /* 4 has had its 3 tries: given up at its next turn */
    const uint16_t fourth[] = {6, 7};
    assert_list(out, ertc_nack_generator_collect(&g, 300, out, 64), fourth, 2);
    assert_int_equal(ertc_nack_generator_missing(&g), 2);
    ertc_nack_generator_stats_t st;
    ertc_nack_generator_get_stats(&g, &st);
    assert_int_equal(st.missing, 4);
    assert_int_equal(st.recovered, 1);
    assert_int_equal(st.gave_up, 1);
    assert_int_equal(st.nacked, 2 + 2 + 2 + 1 + 2);
    assert_false(ertc_nack_generator_take_keyframe_request(&g));

    /* the retry interval follows the RTT */
    ertc_nack_generator_set_retry_interval(&g, 30);
    assert_list(out, ertc_nack_generator_collect(&g, 330, out, 64), fourth, 2);
    ertc_nack_generator_set_retry_interval(&g, 0); /* ignored */
    assert_int_equal(g.retry_interval_ms, 30);
}

static void test_generator_wrap_cap_and_age(void **state)
{
    (void)state;
    ertc_nack_generator_config_t cfg = {10, 0, 0, 20};
    ertc_nack_generator_t g;
    assert_int_equal(ertc_nack_generator_init(&g, &cfg), WEBRTC_STATUS_SUCCESS);
    uint16_t out[64];
    ertc_nack_generator_on_packet(&g, 65533);
    ertc_nack_generator_on_packet(&g, 2);
    const uint16_t wrap[] = {65534, 65535, 0, 1};
    /* a small output array takes the oldest first; the rest follow at once */
    assert_list(out, ertc_nack_generator_collect(&g, 0, out, 3), wrap, 3);
    assert_list(out, ertc_nack_generator_collect(&g, 0, out, 64), wrap + 3, 1);

    /* the list holds 10: a new gap of 8 pushes out the 2 oldest */
    ertc_nack_generator_on_packet(&g, 11);
    assert_int_equal(ertc_nack_generator_missing(&g), 10);
    const uint16_t kept[] = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_list(out, ertc_nack_generator_collect(&g, 1000, out, 64), kept, 10);
    /* a gap of 8 into a full list pushes out the 8 oldest */
    ertc_nack_generator_on_packet(&g, 20);
    const uint16_t trimmed[] = {9, 10, 12, 13, 14, 15, 16, 17, 18, 19};
    assert_list(out, ertc_nack_generator_collect(&g, 2000, out, 64), trimmed, 10);
    /* sequence numbers more than 20 behind the newest are given up */
    for (uint16_t s = 21; s <= 31; s++) {
        ertc_nack_generator_on_packet(&g, s);
    }
    const uint16_t young[] = {12, 13, 14, 15, 16, 17, 18, 19};
    assert_list(out, ertc_nack_generator_collect(&g, 3000, out, 64), young, 8);
    ertc_nack_generator_stats_t st;
    ertc_nack_generator_get_stats(&g, &st);
    assert_int_equal(st.gave_up, 2 + 8 + 2);
    assert_int_equal(st.overflows, 0);
    assert_false(ertc_nack_generator_take_keyframe_request(&g));

    /* a gap larger than the whole list: cleared, key frame requested */
    ertc_nack_generator_on_packet(&g, 50);
    assert_int_equal(ertc_nack_generator_missing(&g), 0);
    assert_true(ertc_nack_generator_take_keyframe_request(&g));
    assert_false(ertc_nack_generator_take_keyframe_request(&g));
    ertc_nack_generator_get_stats(&g, &st);
    assert_int_equal(st.overflows, 1);

    /* a very old packet arriving is not "recovered" */
    ertc_nack_generator_on_packet(&g, 5);
    ertc_nack_generator_get_stats(&g, &st);
    assert_int_equal(st.recovered, 0);

    cfg.max_missing = ERTC_NACK_GEN_MAX_MISSING + 1;
    assert_int_equal(ertc_nack_generator_init(&g, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.max_missing = 0;
    cfg.max_retries = 256;
    assert_int_equal(ertc_nack_generator_init(&g, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.max_retries = 0;
    cfg.max_age_seqs = 40000;
    assert_int_equal(ertc_nack_generator_init(&g, &cfg), WEBRTC_STATUS_INVALID_ARG);
}

/* Receiver generator → RTCP NACK → sender history: the lost packets come back. */
static void test_generator_to_history(void **state)
{
    (void)state;
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_nack_generator_t g;
    assert_int_equal(ertc_nack_generator_init(&g, NULL), WEBRTC_STATUS_SUCCESS);
    for (uint32_t i = 0; i < 100; i++) {
        uint16_t seq = (uint16_t)(65500 + i);
        put_seq(&h, seq, 200 + i, i);
        if (i % 7 != 3) { /* every 7th packet is lost on the way */
            ertc_nack_generator_on_packet(&g, seq);
        }
    }
    uint16_t lost[64];
    size_t n = ertc_nack_generator_collect(&g, 100, lost, 64);
    assert_int_equal(n, 14);
    uint8_t rtcp[ERTC_RTCP_MAX_PACKET_LEN];
    size_t len = 0;
    assert_int_equal(ertc_rtcp_build_nack(1, 2, lost, n, rtcp, sizeof(rtcp), &len),
                     WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, rtcp, len);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_nack_t nack;
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &nack), WEBRTC_STATUS_SUCCESS);
    assert_list(nack.seqs, nack.count, lost, n);
    for (size_t i = 0; i < nack.count; i++) {
        uint32_t index = (uint16_t)(nack.seqs[i] - 65500);
        assert_int_equal(index % 7, 3);
        expect_packet(&h, nack.seqs[i], 200 + index, 100);
        ertc_nack_generator_on_packet(&g, nack.seqs[i]);
    }
    assert_int_equal(ertc_nack_generator_missing(&g), 0);
    ertc_nack_history_free(&h);
}

/* The byte ring starts at ERTC_NACK_HISTORY_INITIAL_BYTES and grows only for packets still
 * young enough to be resent: a 1000-byte-per-10-ms sender (800 kbit/s) with max_age_ms 200
 * keeps ~20 KB, not the budget; a burst younger than max_age fills the budget, no more. */
static void test_ring_grows_with_bitrate(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, now;
    ertc_alloc_get_stats(&before);
    ertc_nack_history_config_t cfg = {.max_packets = 1024, .max_bytes = 512u * 1024u,
                                      .max_age_ms = 200};
    ertc_nack_history_t h;
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    ertc_alloc_get_stats(&now);
    size_t fixed = (size_t)(now.current - before.current) - ERTC_NACK_HISTORY_INITIAL_BYTES;
    uint16_t seq = 0;
    for (int i = 0; i < 2000; i++, seq++) {
        put_seq(&h, seq, 1000, (uint64_t)i * 10u);
    }
    ertc_alloc_get_stats(&now);
    assert_true(now.current - before.current <= fixed + 64u * 1024u + 8192);
    expect_packet(&h, (uint16_t)(seq - 1), 1000, 19990);
    expect_packet(&h, (uint16_t)(seq - 15), 1000, 19990); /* 150 ms old: still there */

    /* A burst: everything is young, so the ring grows to the budget and stops there. */
    for (int i = 0; i < 1000; i++, seq++) {
        put_seq(&h, seq, 1000, 20000);
    }
    ertc_alloc_get_stats(&now);
    assert_true(now.current - before.current <= fixed + cfg.max_bytes + 8192); /* usable sizes */
    assert_true(ertc_nack_history_bytes(&h) > cfg.max_bytes - 2000);
    expect_packet(&h, (uint16_t)(seq - 1), 1000, 20000);
    ertc_nack_history_free(&h);
    ertc_alloc_get_stats(&now);
    assert_int_equal(now.current, before.current);

    /* A failed growth evicts instead: the put still succeeds. */
    assert_int_equal(ertc_nack_history_init(&h, &cfg), WEBRTC_STATUS_SUCCESS);
    for (int i = 0; i < 16; i++) {
        put_seq(&h, (uint16_t)i, 1000, 0);
    }
    ertc_alloc_inject_failure(0, true);
    put_seq(&h, 16, 1000, 0);
    ertc_alloc_inject_off();
    expect_packet(&h, 16, 1000, 0);
    assert_int_equal(get_status(&h, 0, 0), WEBRTC_STATUS_NOT_FOUND);
    ertc_nack_history_free(&h);
    ertc_alloc_counting_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_ring_grows_with_bitrate),
        cmocka_unit_test(test_eviction_by_count_and_wrap),
        cmocka_unit_test(test_byte_budget),
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_age_and_resend_throttle),
        cmocka_unit_test(test_history_limits_and_allocation),
        cmocka_unit_test(test_generator_gaps_and_retries),
        cmocka_unit_test(test_generator_wrap_cap_and_age),
        cmocka_unit_test(test_generator_to_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
