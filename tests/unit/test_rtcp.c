/*
 * Unit tests for peer/rtcp: SR, RR, SDES CNAME, BYE, generic NACK, PLI and FIR built and
 * parsed back (with exact bytes where the layout matters), a compound packet walked packet by
 * packet with REMB and transport-cc recognised and skipped, every truncation of it, malformed
 * headers and bodies, NACK PID/BLP expansion including the wrap at 65535, the key-frame filter
 * (PLI, FIR sequence numbers), RFC 5761 demultiplexing, and the RFC 3550 §6.4.1 round-trip
 * time example. Receiver statistics are tested in test_rtp_receiver_stats.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "peer/rtcp.h"

/* Walks a heap copy of exactly `len` bytes; returns the number of packets, or -1 on failure.
 * Kinds go to `kinds` (up to 16). */
static int walk(const uint8_t *bytes, size_t len, ertc_rtcp_kind_t *kinds)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, copy, len);
    int n = 0;
    WEBRTC_STATUS st;
    while ((st = ertc_rtcp_iter_next(&it, &pkt)) == WEBRTC_STATUS_SUCCESS) {
        assert_true(pkt.body + pkt.body_len <= copy + len);
        if (kinds != NULL && n < 16) {
            kinds[n] = ertc_rtcp_kind(&pkt);
        }
        n++;
    }
    free(copy);
    return st == WEBRTC_STATUS_NOT_FOUND ? n : -1;
}

/* Parses exactly one packet from `bytes`. */
static ertc_rtcp_packet_t one_packet(const uint8_t *bytes, size_t len)
{
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, bytes, len);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.len, len);
    return pkt;
}

static ertc_rtcp_report_block_t block(uint32_t ssrc, int32_t lost)
{
    ertc_rtcp_report_block_t b = {ssrc, 25, lost, 0x0001FFF0, 1234, 0xB7052000, 0x00054000};
    return b;
}

static void test_sr_round_trip(void **state)
{
    (void)state;
    ertc_rtcp_report_t r;
    memset(&r, 0, sizeof(r));
    r.ssrc = 0x11223344;
    r.sender.ntp = 0xB44DB70520000000ull;
    r.sender.rtp_timestamp = 0xCAFEBABE;
    r.sender.packet_count = 1000;
    r.sender.octet_count = 1200000;
    r.block_count = 2;
    r.blocks[0] = block(0xAAAAAAAA, 17);
    r.blocks[1] = block(0xBBBBBBBB, -3);
    uint8_t buf[ERTC_RTCP_MAX_PACKET_LEN];
    size_t n = 0;
    assert_int_equal(ertc_rtcp_build_sr(&r, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 4 + 4 + 20 + 2 * 24);
    const uint8_t head[12] = {0x82, 200,  0x00, 0x12, 0x11, 0x22,
                              0x33, 0x44, 0xB4, 0x4D, 0xB7, 0x05};
    assert_memory_equal(buf, head, sizeof(head));
    /* the second block's cumulative loss, -3 in 24 bits */
    assert_int_equal(buf[28 + 24 + 5], 0xFF);
    assert_int_equal(buf[28 + 24 + 6], 0xFF);
    assert_int_equal(buf[28 + 24 + 7], 0xFD);

    ertc_rtcp_packet_t pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_SR);
    ertc_rtcp_report_t back;
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_SUCCESS);
    assert_true(back.has_sender_info);
    assert_int_equal(back.ssrc, r.ssrc);
    assert_true(back.sender.ntp == r.sender.ntp);
    assert_int_equal(back.sender.rtp_timestamp, r.sender.rtp_timestamp);
    assert_int_equal(back.sender.packet_count, 1000);
    assert_int_equal(back.sender.octet_count, 1200000);
    assert_int_equal(back.block_count, 2);
    assert_int_equal(back.blocks[0].ssrc, 0xAAAAAAAA);
    assert_int_equal(back.blocks[0].fraction_lost, 25);
    assert_int_equal(back.blocks[0].cumulative_lost, 17);
    assert_int_equal(back.blocks[0].ext_highest_seq, 0x0001FFF0);
    assert_int_equal(back.blocks[0].jitter, 1234);
    assert_int_equal(back.blocks[1].cumulative_lost, -3);
    assert_int_equal(back.blocks[1].lsr, 0xB7052000);
    assert_int_equal(back.blocks[1].dlsr, 0x00054000);

    /* out-of-range cumulative loss is clamped to 24 bits */
    r.blocks[0].cumulative_lost = 0x7FFFFFFF;
    r.blocks[1].cumulative_lost = -0x7FFFFFFF;
    assert_int_equal(ertc_rtcp_build_sr(&r, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(back.blocks[0].cumulative_lost, 0x7FFFFF);
    assert_int_equal(back.blocks[1].cumulative_lost, -0x800000);

    assert_int_equal(ertc_rtcp_build_sr(&r, buf, n - 1, &n), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    r.block_count = 32;
    assert_int_equal(ertc_rtcp_build_sr(&r, buf, sizeof(buf), &n), WEBRTC_STATUS_INVALID_ARG);
}

static void test_rr_round_trip(void **state)
{
    (void)state;
    ertc_rtcp_report_t r;
    memset(&r, 0, sizeof(r));
    r.ssrc = 0x01020304;
    uint8_t buf[1024];
    size_t n = 0;
    assert_int_equal(ertc_rtcp_build_rr(&r, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    const uint8_t empty_rr[8] = {0x80, 201, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04};
    assert_int_equal(n, 8);
    assert_memory_equal(buf, empty_rr, 8);

    r.block_count = ERTC_RTCP_MAX_REPORT_BLOCKS;
    for (size_t i = 0; i < r.block_count; i++) {
        r.blocks[i] = block((uint32_t)i, (int32_t)i - 10);
    }
    assert_int_equal(ertc_rtcp_build_rr(&r, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 8 + 31 * 24);
    assert_int_equal(buf[0], 0x80 | 31);
    ertc_rtcp_packet_t pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_RR);
    ertc_rtcp_report_t back;
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_SUCCESS);
    assert_false(back.has_sender_info);
    assert_int_equal(back.block_count, 31);
    assert_int_equal(back.blocks[30].ssrc, 30);
    assert_int_equal(back.blocks[30].cumulative_lost, 20);
    assert_int_equal(back.blocks[0].cumulative_lost, -10);

    /* RC says 2 blocks, the body holds 1 */
    uint8_t short_rr[8 + 24];
    memset(short_rr, 0, sizeof(short_rr));
    short_rr[0] = 0x82;
    short_rr[1] = 201;
    short_rr[3] = 7;
    pkt = one_packet(short_rr, sizeof(short_rr));
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_MALFORMED);
    /* profile extension bytes after the blocks are ignored */
    short_rr[0] = 0x80;
    pkt = one_packet(short_rr, sizeof(short_rr));
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(back.block_count, 0);
    /* an SR body too short for its sender info */
    short_rr[1] = 200;
    short_rr[3] = 4;
    pkt = one_packet(short_rr, 20);
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &back), WEBRTC_STATUS_MALFORMED);
}

static void test_sdes_cname(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = 0;
    assert_int_equal(ertc_rtcp_build_sdes_cname(0x55667788, "ab", buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    const uint8_t expect[16] = {0x81, 202,  0x00, 0x03, 0x55, 0x66, 0x77, 0x88,
                                0x01, 0x02, 'a',  'b',  0x00, 0x00, 0x00, 0x00};
    /* SSRC + [1 2 'a' 'b'] + END: 9 bytes → 12, so one word of nulls after the item */
    assert_int_equal(n, 16);
    assert_memory_equal(buf, expect, 16);

    /* every CNAME length 1..40 pads to a word and parses back */
    char cname[ERTC_RTCP_MAX_CNAME_LEN + 2];
    for (size_t len = 1; len <= 40; len++) {
        memset(cname, 'c', len);
        cname[len] = '\0';
        cname[0] = (char)('A' + len % 26);
        assert_int_equal(ertc_rtcp_build_sdes_cname(7, cname, buf, sizeof(buf), &n),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(n % 4, 0);
        assert_true(n >= 4 + 4 + 2 + len + 1);
        assert_true(n < 4 + 4 + 2 + len + 1 + 4);
        ertc_rtcp_packet_t pkt = one_packet(buf, n);
        ertc_rtcp_sdes_t sdes;
        assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(sdes.chunk_count, 1);
        assert_int_equal(sdes.chunks[0].ssrc, 7);
        assert_int_equal(sdes.chunks[0].cname_len, len);
        assert_memory_equal(sdes.chunks[0].cname, cname, len);
    }
    memset(cname, 'x', 256);
    cname[256] = '\0';
    assert_int_equal(ertc_rtcp_build_sdes_cname(7, cname, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);
    cname[255] = '\0';
    assert_int_equal(ertc_rtcp_build_sdes_cname(7, cname, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtcp_build_sdes_cname(7, "", buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);

    /* two chunks: NAME and TOOL items around the CNAME, and a chunk without a CNAME */
    const uint8_t two[] = {
        0x82, 202,  0x00, 0x07,                         /* SC=2, 8 words */
        0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 'n',  0x01, /* SSRC 1, NAME "n", CNAME */
        0x03, 'x',  'y',  'z',  0x06, 0x00, 0x00, 0x00, /*  "xyz", TOOL len 0, END + pad */
        0x00, 0x00, 0x00, 0x02, 0x02, 0x02, 'a',  'b',  /* SSRC 2, NAME "ab" */
        0x00, 0x00, 0x00, 0x00,                         /* END + pad */
    };
    ertc_rtcp_packet_t pkt = one_packet(two, sizeof(two));
    ertc_rtcp_sdes_t sdes;
    assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sdes.chunk_count, 2);
    assert_int_equal(sdes.chunks[0].ssrc, 1);
    assert_int_equal(sdes.chunks[0].cname_len, 3);
    assert_memory_equal(sdes.chunks[0].cname, "xyz", 3);
    assert_int_equal(sdes.chunks[1].ssrc, 2);
    assert_null(sdes.chunks[1].cname);

    /* an item running past the packet, and a chunk with no END */
    uint8_t bad[sizeof(two)];
    memcpy(bad, two, sizeof(two));
    bad[12] = 0x40; /* CNAME length 64 */
    pkt = one_packet(bad, sizeof(bad));
    assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(sdes.chunk_count, 0);
    const uint8_t no_end[] = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
    pkt = one_packet(no_end, sizeof(no_end));
    assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_MALFORMED);
    /* SC=3 but two chunks */
    memcpy(bad, two, sizeof(two));
    bad[0] = 0x83;
    pkt = one_packet(bad, sizeof(bad));
    assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_MALFORMED);
}

static void test_bye(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = 0;
    const uint32_t ssrcs[2] = {0x01020304, 0x0A0B0C0D};
    assert_int_equal(ertc_rtcp_build_bye(ssrcs, 2, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 12);
    ertc_rtcp_packet_t pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_BYE);
    ertc_rtcp_bye_t bye;
    assert_int_equal(ertc_rtcp_parse_bye(&pkt, &bye), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(bye.ssrc_count, 2);
    assert_int_equal(bye.ssrcs[1], 0x0A0B0C0D);
    assert_null(bye.reason);

    const uint8_t with_reason[] = {0x81, 203, 0x00, 0x03, 0,   0,   0, 9,
                                   0x05, 'c', 'l',  'o',  's', 'e', 0, 0};
    pkt = one_packet(with_reason, sizeof(with_reason));
    assert_int_equal(ertc_rtcp_parse_bye(&pkt, &bye), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(bye.reason_len, 5);
    assert_memory_equal(bye.reason, "close", 5);
    uint8_t bad[sizeof(with_reason)];
    memcpy(bad, with_reason, sizeof(bad));
    bad[8] = 8; /* reason past the end */
    pkt = one_packet(bad, sizeof(bad));
    assert_int_equal(ertc_rtcp_parse_bye(&pkt, &bye), WEBRTC_STATUS_MALFORMED);
    bad[0] = 0x84; /* 4 sources in a 3-word body */
    pkt = one_packet(bad, sizeof(bad));
    assert_int_equal(ertc_rtcp_parse_bye(&pkt, &bye), WEBRTC_STATUS_MALFORMED);

    assert_int_equal(ertc_rtcp_build_bye(ssrcs, 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);
}

static void test_nack_expansion(void **state)
{
    (void)state;
    /* PID 100 with BLP bits 0 and 15 → 100, 101, 116; PID 65534 with BLP 0b111 → wrap */
    const uint8_t nack[] = {0x81, 205,  0x00, 0x04, 0x00, 0x00, 0x00, 0x01, /* sender 1 */
                            0x00, 0x00, 0x00, 0x02,                         /* media 2 */
                            0x00, 0x64, 0x80, 0x01, 0xFF, 0xFE, 0x00, 0x07};
    ertc_rtcp_packet_t pkt = one_packet(nack, sizeof(nack));
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_NACK);
    ertc_rtcp_nack_t out;
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out.sender_ssrc, 1);
    assert_int_equal(out.media_ssrc, 2);
    const uint16_t expect[] = {100, 101, 116, 65534, 65535, 0, 1};
    assert_int_equal(out.count, sizeof(expect) / sizeof(expect[0]));
    for (size_t i = 0; i < out.count; i++) {
        assert_int_equal(out.seqs[i], expect[i]);
    }
    assert_false(out.truncated);

    /* build: an ascending list across the wrap packs into the fewest pairs */
    const uint16_t seqs[] = {65530, 65531, 65535, 0, 9, 10, 30, 46, 47};
    uint8_t buf[256];
    size_t n = 0;
    assert_int_equal(
        ertc_rtcp_build_nack(0xA, 0xB, seqs, sizeof(seqs) / sizeof(seqs[0]), buf, sizeof(buf), &n),
        WEBRTC_STATUS_SUCCESS);
    /* 65530 covers 65531 (bit 0), 65535 (bit 4), 0 (bit 5), 9 (bit 14), 10 (bit 15);
     * 30 covers 46 (bit 15); 47 starts a third pair */
    const uint8_t fci[] = {0xFF, 0xFA, 0xC0, 0x31, 0x00, 0x1E, 0x80, 0x00, 0x00, 0x2F, 0x00, 0x00};
    assert_int_equal(n, 12 + sizeof(fci));
    assert_int_equal(buf[0], 0x81);
    assert_int_equal(buf[1], 205);
    assert_int_equal(buf[3], (12 + sizeof(fci)) / 4 - 1);
    assert_memory_equal(buf + 12, fci, sizeof(fci));
    pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out.count, sizeof(seqs) / sizeof(seqs[0]));
    assert_memory_equal(out.seqs, seqs, sizeof(seqs));

    /* duplicates and an unsorted list still cover every number */
    const uint16_t messy[] = {7, 7, 3, 5, 4};
    assert_int_equal(ertc_rtcp_build_nack(1, 2, messy, 5, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_SUCCESS);
    for (size_t i = 0; i < 5; i++) {
        bool found = false;
        for (size_t j = 0; j < out.count; j++) {
            found = found || out.seqs[j] == messy[i];
        }
        assert_true(found);
    }

    assert_int_equal(ertc_rtcp_build_nack(1, 2, seqs, 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_rtcp_build_nack(1, 2, seqs, 9, buf, 23, &n),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);

    /* a full BLP in every pair: more than ERTC_RTCP_MAX_NACK_SEQS numbers are truncated */
    size_t pairs = ERTC_RTCP_MAX_NACK_SEQS / 17 + 2;
    size_t len = 12 + pairs * 4;
    uint8_t *many = calloc(1, len);
    assert_non_null(many);
    many[0] = 0x81;
    many[1] = 205;
    many[2] = (uint8_t)((len / 4 - 1) >> 8);
    many[3] = (uint8_t)(len / 4 - 1);
    for (size_t i = 0; i < pairs; i++) {
        many[12 + 4 * i] = (uint8_t)((i * 17) >> 8);
        many[13 + 4 * i] = (uint8_t)(i * 17);
        many[14 + 4 * i] = 0xFF;
        many[15 + 4 * i] = 0xFF;
    }
    pkt = one_packet(many, len);
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_SUCCESS);
    assert_true(out.truncated);
    assert_int_equal(out.count, ERTC_RTCP_MAX_NACK_SEQS);
    for (size_t i = 0; i < out.count; i++) {
        assert_int_equal(out.seqs[i], i);
    }
    free(many);

    /* malformed: no FCI, half an FCI, a PSFB */
    const uint8_t no_fci[] = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    pkt = one_packet(no_fci, sizeof(no_fci));
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_MALFORMED);
    const uint8_t half[] = {0xA1, 205, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x05, 0x00, 0x02};
    pkt = one_packet(half, sizeof(half)); /* padding bit: the last 2 bytes are padding */
    assert_int_equal(pkt.body_len, 10);
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_MALFORMED);
    uint8_t psfb[sizeof(nack)];
    memcpy(psfb, nack, sizeof(psfb));
    psfb[1] = 206;
    pkt = one_packet(psfb, sizeof(psfb));
    assert_int_equal(ertc_rtcp_parse_nack(&pkt, &out), WEBRTC_STATUS_MALFORMED);
}

static void test_pli_fir_and_keyframe_filter(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = 0;
    assert_int_equal(ertc_rtcp_build_pli(0x01, 0xFEED, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    const uint8_t pli[12] = {0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0xFE, 0xED};
    assert_int_equal(n, 12);
    assert_memory_equal(buf, pli, 12);
    ertc_rtcp_packet_t pkt = one_packet(buf, n);
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_PLI);
    ertc_rtcp_fb_t fb;
    assert_int_equal(ertc_rtcp_parse_pli(&pkt, &fb), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(fb.sender_ssrc, 1);
    assert_int_equal(fb.media_ssrc, 0xFEED);

    ertc_rtcp_keyframe_filter_t filter;
    ertc_rtcp_keyframe_filter_init(&filter, 0xFEED);
    assert_true(ertc_rtcp_keyframe_filter_check(&filter, &pkt));
    assert_true(ertc_rtcp_keyframe_filter_check(&filter, &pkt)); /* every PLI counts */
    ertc_rtcp_keyframe_filter_t other;
    ertc_rtcp_keyframe_filter_init(&other, 0xBEEF);
    assert_false(ertc_rtcp_keyframe_filter_check(&other, &pkt));

    uint8_t fir[64];
    size_t fir_len = 0;
    assert_int_equal(ertc_rtcp_build_fir(0x01, 0xFEED, 7, fir, sizeof(fir), &fir_len),
                     WEBRTC_STATUS_SUCCESS);
    const uint8_t expect_fir[20] = {0x84, 206, 0x00, 0x04, 0,    0,    0, 1, 0, 0,
                                    0,    0,   0,    0,    0xFE, 0xED, 7, 0, 0, 0};
    assert_int_equal(fir_len, 20);
    assert_memory_equal(fir, expect_fir, 20);
    pkt = one_packet(fir, fir_len);
    assert_int_equal(ertc_rtcp_kind(&pkt), ERTC_RTCP_KIND_FIR);
    ertc_rtcp_fir_t f;
    assert_int_equal(ertc_rtcp_parse_fir(&pkt, &f), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(f.sender_ssrc, 1);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.entries[0].ssrc, 0xFEED);
    assert_int_equal(f.entries[0].seq_nr, 7);
    /* FIR: a repeated sequence number is a retransmission (RFC 5104 §4.3.1.2) */
    assert_true(ertc_rtcp_keyframe_filter_check(&filter, &pkt));
    assert_false(ertc_rtcp_keyframe_filter_check(&filter, &pkt));
    assert_false(ertc_rtcp_keyframe_filter_check(&other, &pkt));
    assert_int_equal(ertc_rtcp_build_fir(0x01, 0xFEED, 8, fir, sizeof(fir), &fir_len),
                     WEBRTC_STATUS_SUCCESS);
    pkt = one_packet(fir, fir_len);
    assert_true(ertc_rtcp_keyframe_filter_check(&filter, &pkt));

    /* a FIR with entries for two senders */
    const uint8_t two[] = {0x84, 206,  0x00, 0x06, 0, 0, 0, 1, 0,    0,    0, 0, 0, 0,
                           0xBE, 0xEF, 3,    0,    0, 0, 0, 0, 0xFE, 0xED, 9, 0, 0, 0};
    pkt = one_packet(two, sizeof(two));
    assert_int_equal(ertc_rtcp_parse_fir(&pkt, &f), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(f.count, 2);
    assert_true(ertc_rtcp_keyframe_filter_check(&other, &pkt));
    assert_true(ertc_rtcp_keyframe_filter_check(&filter, &pkt));

    /* malformed: PLI without SSRCs, FIR without or with half an entry */
    const uint8_t short_pli[] = {0x81, 206, 0x00, 0x01, 0, 0, 0, 1};
    pkt = one_packet(short_pli, sizeof(short_pli));
    assert_int_equal(ertc_rtcp_parse_pli(&pkt, &fb), WEBRTC_STATUS_MALFORMED);
    assert_false(ertc_rtcp_keyframe_filter_check(&filter, &pkt));
    const uint8_t empty_fir[] = {0x84, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
    pkt = one_packet(empty_fir, sizeof(empty_fir));
    assert_int_equal(ertc_rtcp_parse_fir(&pkt, &f), WEBRTC_STATUS_MALFORMED);
    const uint8_t half_fir[] = {0x84, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xFE, 0xED};
    pkt = one_packet(half_fir, sizeof(half_fir));
    assert_int_equal(ertc_rtcp_parse_fir(&pkt, &f), WEBRTC_STATUS_MALFORMED);
    assert_false(ertc_rtcp_keyframe_filter_check(&filter, &pkt));
    assert_int_equal(ertc_rtcp_parse_pli(&pkt, &fb), WEBRTC_STATUS_MALFORMED); /* a FIR */
}

/* SR + SDES + NACK + PLI + FIR + REMB + TWCC + APP + BYE in one compound packet. */
static size_t build_compound(uint8_t *buf, size_t cap)
{
    size_t pos = 0, n = 0;
    ertc_rtcp_report_t r;
    memset(&r, 0, sizeof(r));
    r.ssrc = 1;
    r.block_count = 1;
    r.blocks[0] = block(2, 5);
    assert_int_equal(ertc_rtcp_build_sr(&r, buf + pos, cap - pos, &n), WEBRTC_STATUS_SUCCESS);
    pos += n;
    assert_int_equal(ertc_rtcp_build_sdes_cname(1, "device-cname", buf + pos, cap - pos, &n),
                     WEBRTC_STATUS_SUCCESS);
    pos += n;
    const uint16_t seqs[] = {10, 12};
    assert_int_equal(ertc_rtcp_build_nack(1, 2, seqs, 2, buf + pos, cap - pos, &n),
                     WEBRTC_STATUS_SUCCESS);
    pos += n;
    assert_int_equal(ertc_rtcp_build_pli(1, 2, buf + pos, cap - pos, &n), WEBRTC_STATUS_SUCCESS);
    pos += n;
    assert_int_equal(ertc_rtcp_build_fir(1, 2, 1, buf + pos, cap - pos, &n), WEBRTC_STATUS_SUCCESS);
    pos += n;
    const uint8_t remb[] = {0x8F, 206, 0x00, 0x05, 0, 0,    0,    1,    0, 0, 0, 0,
                            'R',  'E', 'M',  'B',  1, 0x0A, 0xBC, 0xDE, 0, 0, 0, 2};
    const uint8_t twcc[] = {0x8F, 205, 0x00, 0x04, 0,    0,    0,    1,    0,    0,
                            0,    2,   0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00};
    const uint8_t app[] = {0x80, 204, 0x00, 0x02, 0, 0, 0, 1, 'n', 'a', 'm', 'e'};
    memcpy(buf + pos, remb, sizeof(remb));
    pos += sizeof(remb);
    memcpy(buf + pos, twcc, sizeof(twcc));
    pos += sizeof(twcc);
    memcpy(buf + pos, app, sizeof(app));
    pos += sizeof(app);
    const uint32_t bye_ssrc = 1;
    assert_int_equal(ertc_rtcp_build_bye(&bye_ssrc, 1, buf + pos, cap - pos, &n),
                     WEBRTC_STATUS_SUCCESS);
    pos += n;
    return pos;
}

static void test_compound_walk(void **state)
{
    (void)state;
    uint8_t buf[ERTC_RTCP_MAX_PACKET_LEN];
    size_t len = build_compound(buf, sizeof(buf));
    ertc_rtcp_kind_t kinds[16];
    assert_int_equal(walk(buf, len, kinds), 9);
    const ertc_rtcp_kind_t expect[9] = {
        ERTC_RTCP_KIND_SR,   ERTC_RTCP_KIND_SDES, ERTC_RTCP_KIND_NACK,
        ERTC_RTCP_KIND_PLI,  ERTC_RTCP_KIND_FIR,  ERTC_RTCP_KIND_REMB,
        ERTC_RTCP_KIND_TWCC, ERTC_RTCP_KIND_APP,  ERTC_RTCP_KIND_BYE,
    };
    for (size_t i = 0; i < 9; i++) {
        assert_int_equal(kinds[i], expect[i]);
    }
    assert_int_equal(ertc_rtcp_validate(buf, len), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_rtcp_is_rtcp(buf, len));

    /* each prefix is valid exactly when it ends on a packet boundary */
    size_t boundaries[10] = {0};
    size_t nb = 0;
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, buf, len);
    while (ertc_rtcp_iter_next(&it, &pkt) == WEBRTC_STATUS_SUCCESS) {
        boundaries[++nb] = it.pos;
    }
    for (size_t cut = 1; cut < len; cut++) {
        bool on_boundary = false;
        for (size_t b = 1; b <= nb; b++) {
            on_boundary = on_boundary || boundaries[b] == cut;
        }
        int got = walk(buf, cut, NULL);
        assert_int_equal(got >= 0, on_boundary);
        assert_int_equal(ertc_rtcp_validate(buf, cut) == WEBRTC_STATUS_SUCCESS, on_boundary);
    }
    assert_int_equal(ertc_rtcp_validate(buf, 0), WEBRTC_STATUS_MALFORMED);

    /* a bad packet in the middle: the ones before it were delivered, the walk then ends */
    uint8_t bad[ERTC_RTCP_MAX_PACKET_LEN];
    memcpy(bad, buf, len);
    bad[boundaries[2]] = 0x40 | (bad[boundaries[2]] & 0x3F); /* NACK with version 1 */
    ertc_rtcp_iter_init(&it, bad, len);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_rtcp_iter_next(&it, &pkt), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(ertc_rtcp_validate(bad, len), WEBRTC_STATUS_MALFORMED);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    const uint8_t rr[8] = {0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
    assert_int_equal(walk(rr, 8, NULL), 1);
    assert_int_equal(walk(rr, 3, NULL), -1); /* shorter than a header */
    uint8_t bad[12];
    memcpy(bad, rr, 8);
    bad[0] = 0xC0; /* version 3 */
    assert_int_equal(walk(bad, 8, NULL), -1);
    memcpy(bad, rr, 8);
    bad[3] = 2; /* 12 bytes claimed, 8 given */
    assert_int_equal(walk(bad, 8, NULL), -1);
    /* padding: count 0, count larger than the body, count = whole body */
    const uint8_t pad_zero[12] = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
    assert_int_equal(walk(pad_zero, 12, NULL), -1);
    const uint8_t pad_big[12] = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 9};
    assert_int_equal(walk(pad_big, 12, NULL), -1);
    const uint8_t pad_all[12] = {0xA0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 8};
    assert_int_equal(walk(pad_all, 12, NULL), 1);
    ertc_rtcp_packet_t pkt = one_packet(pad_all, 12);
    assert_int_equal(pkt.body_len, 0);
    ertc_rtcp_report_t r;
    assert_int_equal(ertc_rtcp_parse_report(&pkt, &r), WEBRTC_STATUS_MALFORMED);
    /* the typed decoders refuse other packet types */
    pkt = one_packet(rr, 8);
    ertc_rtcp_sdes_t sdes;
    ertc_rtcp_bye_t bye;
    ertc_rtcp_fb_t fb;
    assert_int_equal(ertc_rtcp_parse_sdes(&pkt, &sdes), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_rtcp_parse_bye(&pkt, &bye), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_rtcp_parse_fb(&pkt, &fb), WEBRTC_STATUS_MALFORMED);
    /* unknown types and feedback formats are walked over */
    const uint8_t xr_and_unknown[] = {0x80, 207, 0x00, 0x01, 0, 0, 0, 1, 0x83, 205, 0x00, 0x02,
                                      0,    0,   0,    1,    0, 0, 0, 2, 0x80, 210, 0x00, 0x00};
    ertc_rtcp_kind_t kinds[16];
    assert_int_equal(walk(xr_and_unknown, sizeof(xr_and_unknown), kinds), 3);
    assert_int_equal(kinds[0], ERTC_RTCP_KIND_XR);
    assert_int_equal(kinds[1], ERTC_RTCP_KIND_UNKNOWN);
    assert_int_equal(kinds[2], ERTC_RTCP_KIND_UNKNOWN);
}

static void test_rtcp_mux_demux(void **state)
{
    (void)state;
    uint8_t b[2] = {0x80, 0};
    for (unsigned pt = 0; pt < 256; pt++) {
        b[1] = (uint8_t)pt;
        assert_int_equal(ertc_rtcp_is_rtcp(b, 2), pt >= 192 && pt <= 223);
    }
    b[1] = 0x80 | 96; /* RTP, marker set, PT 96: 224 */
    assert_false(ertc_rtcp_is_rtcp(b, 2));
    b[1] = 0x80 | 72; /* RTP PT 72 with the marker would look like SR: WebRTC never uses it */
    assert_true(ertc_rtcp_is_rtcp(b, 2));
    assert_false(ertc_rtcp_is_rtcp(b, 1));
    assert_false(ertc_rtcp_is_rtcp(NULL, 2));
}

/* RFC 3550 §6.4.1, the figure under "DLSR". */
static void test_rtt_example(void **state)
{
    (void)state;
    /* SR sent 10 Nov 1995 11:33:25.125 UTC: NTP 0xb44db705:20000000 */
    uint64_t ntp =
        ertc_rtcp_ntp_from_unix_us((3024992005ull - 2208988800ull) * 1000000ull + 125000ull);
    assert_true(ntp == 0xB44DB70520000000ull);
    uint32_t lsr = ertc_rtcp_ntp_compact(ntp);
    assert_int_equal(lsr, 0xB7052000);
    uint32_t rtt = 0;
    assert_true(ertc_rtcp_rtt(0xB7108000, lsr, 0x00054000, &rtt));
    assert_int_equal(rtt, 0x00062000);
    assert_int_equal(ertc_rtcp_compact_to_us(rtt), 6125000);
    assert_int_equal(ertc_rtcp_compact_from_us(5250000), 0x00054000);
    assert_int_equal(ertc_rtcp_compact_from_us(1500), 98); /* 1.5 ms = 98.3 / 65536 s */
    /* no SR yet, and a DLSR that makes the result negative */
    assert_false(ertc_rtcp_rtt(0xB7108000, 0, 0, &rtt));
    assert_true(ertc_rtcp_rtt(0xB7108000, lsr, 0x00100000, &rtt));
    assert_int_equal(rtt, 0);
    /* across the wrap of the compact clock */
    assert_true(ertc_rtcp_rtt(0x00001000, 0xFFFFF000, 0x00000800, &rtt));
    assert_int_equal(rtt, 0x1800);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sr_round_trip),  cmocka_unit_test(test_rr_round_trip),
        cmocka_unit_test(test_sdes_cname),     cmocka_unit_test(test_bye),
        cmocka_unit_test(test_nack_expansion), cmocka_unit_test(test_pli_fir_and_keyframe_filter),
        cmocka_unit_test(test_compound_walk),  cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_rtcp_mux_demux), cmocka_unit_test(test_rtt_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
