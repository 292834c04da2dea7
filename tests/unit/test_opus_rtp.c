/*
 * Unit tests for peer/opus_rtp (RFC 7587): 48 kHz timestamp increments, packet durations read
 * from the TOC byte (RFC 6716 §3.1-3.2: SILK, hybrid and CELT configs, codes 0-3, invalid
 * framings), and the depacketizer's loss accounting — gaps, samples to conceal, DTX pauses,
 * late and duplicate packets, malformed payloads, sequence wrap and sender restarts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "peer/opus_rtp.h"

/* TOC byte: config(5) stereo(1) code(2) */
#define TOC(config, code) ((uint8_t)(((config) << 3) | (code)))

static void test_timestamp_increments(void **state)
{
    (void)state;
    assert_int_equal(ertc_opus_rtp_ts_increment(20000), 960);
    assert_int_equal(ertc_opus_rtp_ts_increment(10000), 480);
    assert_int_equal(ertc_opus_rtp_ts_increment(2500), 120);
    assert_int_equal(ertc_opus_rtp_ts_increment(5000), 240);
    assert_int_equal(ertc_opus_rtp_ts_increment(60000), 2880);
    assert_int_equal(ertc_opus_rtp_ts_increment(120000), ERTC_OPUS_MAX_PACKET_SAMPLES);
    assert_int_equal(ertc_opus_rtp_ts_increment(1000000), 48000);
    assert_int_equal(ertc_opus_rtp_ts_increment(0), 0);
}

static uint32_t samples_of(const uint8_t *pkt, size_t len)
{
    return ertc_opus_packet_samples(pkt, len);
}

static void test_packet_durations(void **state)
{
    (void)state;
    const uint8_t body[8] = {0};
    uint8_t p[9];
    memcpy(p + 1, body, sizeof(body));

    /* code 0: one frame; durations per config family */
    const struct {
        unsigned config;
        uint32_t samples;
    } table[] = {
        {0, 480},  {1, 960},  {2, 1920}, {3, 2880}, {11, 2880}, /* SILK 10/20/40/60 ms */
        {12, 480}, {13, 960}, {15, 960},                        /* hybrid 10/20 ms */
        {16, 120}, {17, 240}, {18, 480}, {19, 960}, {31, 960},  /* CELT 2.5/5/10/20 ms */
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        p[0] = TOC(table[i].config, 0);
        assert_int_equal(samples_of(p, 1), table[i].samples);
        p[0] |= 0x04; /* the stereo bit changes nothing */
        assert_int_equal(samples_of(p, 3), table[i].samples);
    }

    /* code 1: two equal frames, so the body length must be even */
    p[0] = TOC(31, 1);
    assert_int_equal(samples_of(p, 1), 1920); /* two empty frames (DTX) */
    assert_int_equal(samples_of(p, 5), 1920);
    assert_int_equal(samples_of(p, 4), 0);
    /* code 2: two frames, the first length byte must be there */
    p[0] = TOC(31, 2);
    assert_int_equal(samples_of(p, 1), 0);
    assert_int_equal(samples_of(p, 2), 1920);
    /* code 3: frame count byte M, 1..48 frames, at most 120 ms */
    p[0] = TOC(16, 3);
    assert_int_equal(samples_of(p, 1), 0);
    p[1] = 0;
    assert_int_equal(samples_of(p, 2), 0);
    p[1] = 48; /* 48 x 2.5 ms */
    assert_int_equal(samples_of(p, 2), 5760);
    p[1] = 0x80 | 0x40 | 3; /* VBR and padding flags do not change the count */
    assert_int_equal(samples_of(p, 2), 360);
    p[0] = TOC(3, 3);
    p[1] = 2; /* 2 x 60 ms */
    assert_int_equal(samples_of(p, 2), 5760);
    p[1] = 3; /* 180 ms */
    assert_int_equal(samples_of(p, 2), 0);
    p[0] = TOC(16, 3);
    p[1] = 49;
    assert_int_equal(samples_of(p, 2), 0);

    assert_int_equal(samples_of(p, 0), 0);
    assert_int_equal(samples_of(NULL, 5), 0);
}

static const uint8_t frame20[] = {TOC(31, 0), 0x11, 0x22, 0x33}; /* 20 ms CELT */
static const uint8_t frame10[] = {TOC(18, 0), 0x44};             /* 10 ms CELT */

static ertc_opus_frame_t push(ertc_opus_depacketizer_t *d, uint16_t seq, uint32_t ts,
                              const uint8_t *payload, size_t len)
{
    ertc_opus_frame_t f;
    assert_int_equal(ertc_opus_depacketizer_push(d, seq, ts, payload, len, &f),
                     WEBRTC_STATUS_SUCCESS);
    return f;
}

static void test_depacketizer_loss_and_concealment(void **state)
{
    (void)state;
    ertc_opus_depacketizer_t d;
    ertc_opus_depacketizer_init(&d);
    uint32_t ts = 1000;
    ertc_opus_frame_t f = push(&d, 65533, ts, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_ptr_equal(f.data, frame20);
    assert_int_equal(f.len, sizeof(frame20));
    assert_int_equal(f.samples, 960);
    assert_int_equal(f.lost_packets, 0);
    assert_int_equal(f.lost_samples, 0);

    f = push(&d, 65534, ts += 960, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_samples, 0);

    /* 65535 and 0 are lost: 2 packets, 40 ms to conceal */
    ts += 3 * 960;
    f = push(&d, 1, ts, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_packets, 2);
    assert_int_equal(f.lost_samples, 1920);
    assert_int_equal(f.timestamp, ts);

    /* late (one of the lost ones) and duplicate: nothing to play */
    f = push(&d, 0, ts - 960, frame20, sizeof(frame20));
    assert_false(f.play);
    f = push(&d, 1, ts, frame20, sizeof(frame20));
    assert_false(f.play);

    /* DTX: no sequence gap, but 200 ms of silence */
    ts += 960 + 9600;
    f = push(&d, 2, ts, frame10, sizeof(frame10));
    assert_true(f.play);
    assert_int_equal(f.lost_packets, 0);
    assert_int_equal(f.lost_samples, 9600);
    assert_int_equal(f.samples, 480);

    /* a malformed payload is not played; its audio is concealed with the next packet */
    static const uint8_t bad[] = {TOC(31, 1), 0x00}; /* code 1 with an odd body */
    f = push(&d, 3, ts += 480, bad, sizeof(bad));
    assert_false(f.play);
    f = push(&d, 4, ts += 960, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_packets, 0);
    assert_int_equal(f.lost_samples, 960);
    f = push(&d, 5, ts += 960, NULL, 0);
    assert_false(f.play);

    /* a pause longer than a second is not concealed sample by sample */
    f = push(&d, 6, ts += 5 * 48000, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_samples, 0);

    ertc_opus_depacketizer_stats_t st = d.stats;
    assert_int_equal(st.packets, 10);
    assert_int_equal(st.packets_lost, 2);
    assert_int_equal(st.packets_late, 2);
    assert_int_equal(st.packets_malformed, 2);
    assert_int_equal(st.resyncs, 0);

    assert_int_equal(ertc_opus_depacketizer_push(&d, 7, 0, NULL, 1, &f), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_opus_depacketizer_push(&d, 7, 0, frame20, 1, NULL),
                     WEBRTC_STATUS_NULL_ARG);
}

static void test_depacketizer_restart(void **state)
{
    (void)state;
    ertc_opus_depacketizer_t d;
    ertc_opus_depacketizer_init(&d);
    ertc_opus_frame_t f = push(&d, 100, 0, frame20, sizeof(frame20));
    assert_true(f.play);
    /* one stray packet far ahead is dropped; the stream goes on */
    f = push(&d, 20000, 960, frame20, sizeof(frame20));
    assert_false(f.play);
    f = push(&d, 101, 960, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_packets, 0);
    /* two consecutive packets far away: the sender restarted */
    f = push(&d, 50000, 123456, frame20, sizeof(frame20));
    assert_false(f.play);
    f = push(&d, 50001, 124416, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(f.lost_packets, 0);
    assert_int_equal(f.lost_samples, 0);
    f = push(&d, 50002, 125376, frame20, sizeof(frame20));
    assert_true(f.play);
    assert_int_equal(d.stats.resyncs, 1);

    /* a parsed RTP packet works the same */
    const uint8_t rtp[] = {0x80, 111, 0xC3, 0x53, 0, 1, 0xED, 0xC0, 0, 0, 0, 9, TOC(31, 0), 1};
    ertc_rtp_packet_t pkt;
    assert_int_equal(ertc_rtp_parse(rtp, sizeof(rtp), &pkt), WEBRTC_STATUS_SUCCESS);
    ertc_opus_frame_t g;
    assert_int_equal(ertc_opus_depacketizer_push_rtp(&d, &pkt, &g), WEBRTC_STATUS_SUCCESS);
    assert_true(g.play);
    assert_int_equal(g.timestamp, 126400);
    assert_int_equal(g.lost_packets, 0);
    assert_int_equal(g.lost_samples, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamp_increments),
        cmocka_unit_test(test_packet_durations),
        cmocka_unit_test(test_depacketizer_loss_and_concealment),
        cmocka_unit_test(test_depacketizer_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
