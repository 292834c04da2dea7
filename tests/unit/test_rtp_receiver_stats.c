/*
 * Unit tests for peer/rtp_receiver_stats (RFC 3550 §A.1, §A.3, §A.8, §6.4.1): loss, fraction
 * lost per report interval and the extended highest sequence number on a synthetic sequence
 * that wraps at 65535, late and duplicate packets (negative cumulative loss, carried through
 * an RR on the wire), large jumps confirmed by a second packet, jitter against the §A.8
 * recurrence computed in floating point, one jitter sample per RTP timestamp, and LSR/DLSR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "peer/rtcp.h"
#include "peer/rtp_receiver_stats.h"

static ertc_rtcp_packet_t one_packet(const uint8_t *bytes, size_t len)
{
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, bytes, len);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.len, len);
    return pkt;
}

static void test_receiver_stats_loss_and_wrap(void **state)
{
    (void)state;
    ertc_rtp_receiver_stats_t s;
    ertc_rtp_receiver_stats_init(&s, 0x1234, 90000);
    ertc_rtcp_report_block_t b;
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.ssrc, 0x1234);
    assert_int_equal(b.ext_highest_seq, 0);

    /* 65530..9 with 2 and 3 lost, constant transit: 16 expected, 14 received */
    uint64_t t = 1000000;
    uint32_t ts = 5000;
    for (uint16_t seq = 65530, i = 0; i < 16; seq++, i++) {
        if (seq != 2 && seq != 3) {
            assert_true(ertc_rtp_receiver_stats_update(&s, seq, ts, t));
        }
        ts += 3000;
        t += 33333; /* 3000 / 90 kHz, rounded: transit drifts by < 1 unit */
    }
    assert_int_equal(ertc_rtp_receiver_stats_expected(&s), 16);
    assert_int_equal(ertc_rtp_receiver_stats_lost(&s), 2);
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.ext_highest_seq, 65536 + 9);
    assert_int_equal(b.cumulative_lost, 2);
    assert_int_equal(b.fraction_lost, 2 * 256 / 16);
    assert_true(b.jitter <= 1);
    assert_int_equal(b.lsr, 0);
    assert_int_equal(b.dlsr, 0);

    /* late arrival of 3, a duplicate of 9, then 10 in-order packets: the interval shows no
     * loss and the cumulative count goes to 0 */
    assert_true(ertc_rtp_receiver_stats_update(&s, 3, 0, t));
    assert_true(ertc_rtp_receiver_stats_update(&s, 9, 0, t));
    for (uint16_t seq = 10; seq < 20; seq++) {
        assert_true(ertc_rtp_receiver_stats_update(&s, seq, ts, t));
        ts += 3000;
        t += 33333;
    }
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.fraction_lost, 0);
    assert_int_equal(b.cumulative_lost, 0); /* 26 expected, 26 received (with the duplicate) */
    assert_int_equal(b.ext_highest_seq, 65536 + 19);

    /* a duplicate beyond that makes the cumulative loss negative, which survives the wire */
    assert_true(ertc_rtp_receiver_stats_update(&s, 19, 0, t));
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.cumulative_lost, -1);
    ertc_rtcp_report_t rr;
    memset(&rr, 0, sizeof(rr));
    rr.block_count = 1;
    rr.blocks[0] = b;
    uint8_t buf[64];
    size_t n = 0;
    assert_int_equal(ertc_rtcp_build_rr(&rr, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_packet_t pkt = one_packet(buf, n);
    ertc_rtcp_report_t back;
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(back.blocks[0].cumulative_lost, -1);

    /* a large jump counts only once the next packet confirms it; counting restarts there */
    assert_false(ertc_rtp_receiver_stats_update(&s, 40000, ts, t));
    assert_true(ertc_rtp_receiver_stats_update(&s, 20, ts, t));
    assert_false(ertc_rtp_receiver_stats_update(&s, 50000, ts, t));
    assert_true(ertc_rtp_receiver_stats_update(&s, 50001, ts + 3000, t + 33333));
    assert_int_equal(ertc_rtp_receiver_stats_expected(&s), 1);
    assert_int_equal(ertc_rtp_receiver_stats_lost(&s), 0);
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.ext_highest_seq, 50001);

    /* 100 % loss in an interval is not possible (a report needs a newer packet), but a long
     * burst gives a large fraction */
    assert_true(ertc_rtp_receiver_stats_update(&s, 50101, ts, t));
    ertc_rtp_receiver_stats_report(&s, 0, &b);
    assert_int_equal(b.fraction_lost, 99 * 256 / 100);
}

static void test_receiver_stats_jitter(void **state)
{
    (void)state;
    ertc_rtp_receiver_stats_t s;
    ertc_rtp_receiver_stats_init(&s, 1, 90000);
    /* frames every 20 ms (1800 units); arrival alternately on time and 10 ms late, so every
     * transit difference is 900 units; two packets per frame, the second 1 ms later */
    double expected = 0;
    uint64_t t0 = 5000000;
    uint16_t seq = 0;
    for (int frame = 0; frame < 200; frame++) {
        uint32_t ts = 90000u + (uint32_t)frame * 1800u;
        uint64_t arrival = t0 + (uint64_t)frame * 20000u + (frame % 2 ? 10000u : 0u);
        assert_true(ertc_rtp_receiver_stats_update(&s, seq++, ts, arrival));
        assert_true(ertc_rtp_receiver_stats_update(&s, seq++, ts, arrival + 1000));
        if (frame > 0) {
            expected += (900.0 - expected) / 16.0;
        }
        uint32_t got = ertc_rtp_receiver_stats_jitter(&s);
        assert_true(got + 2 >= (uint32_t)expected && got <= (uint32_t)expected + 2);
    }
    assert_true(ertc_rtp_receiver_stats_jitter(&s) >= 890);

    /* after the delays stop, jitter decays */
    uint32_t before = ertc_rtp_receiver_stats_jitter(&s);
    for (int frame = 200; frame < 260; frame++) {
        uint32_t ts = 90000u + (uint32_t)frame * 1800u;
        uint64_t arrival = t0 + (uint64_t)frame * 20000u;
        (void)ertc_rtp_receiver_stats_update(&s, seq++, ts, arrival);
    }
    assert_true(ertc_rtp_receiver_stats_jitter(&s) < before / 10);

    /* LSR and DLSR: an SR at our time 0x00100000, reported 1.5 s later */
    ertc_rtp_receiver_stats_on_sr(&s, 0xB44DB70520000000ull, 0x00100000);
    ertc_rtcp_report_block_t b;
    ertc_rtp_receiver_stats_report(&s, 0x00100000 + 0x00018000, &b);
    assert_int_equal(b.lsr, 0xB7052000);
    assert_int_equal(b.dlsr, 0x00018000);
    assert_int_equal(b.jitter, ertc_rtp_receiver_stats_jitter(&s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receiver_stats_loss_and_wrap),
        cmocka_unit_test(test_receiver_stats_jitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
