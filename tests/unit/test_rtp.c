/*
 * Unit tests for peer/rtp: header round trips (marker, CSRCs, one-byte and two-byte header
 * extensions, padding, the sdes:mid element), hand-written packets with extension padding and
 * the one-byte id 15 stop, every malformed case the parser rejects (short, bad version, CSRCs
 * or extension past the end, elements past their block, bad padding), every truncation of a
 * valid packet, builder argument errors, and sequence-number wrap arithmetic.
 *
 * Input is parsed from an exactly sized heap copy, so a sanitizer build catches any read past
 * the length the parser was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "peer/rtp.h"

/* Parses a heap copy of exactly `len` bytes; the copy is returned for the caller to free
 * (the packet's pointers refer to it). */
static uint8_t *parse_copy(const uint8_t *bytes, size_t len, WEBRTC_STATUS *st,
                           ertc_rtp_packet_t *pkt)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0) {
        memcpy(copy, bytes, len);
    }
    *st = ertc_rtp_parse(copy, len, pkt);
    return copy;
}

static WEBRTC_STATUS parse_status(const uint8_t *bytes, size_t len)
{
    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    free(parse_copy(bytes, len, &st, &pkt));
    return st;
}

static ertc_rtp_header_t basic_header(void)
{
    ertc_rtp_header_t h;
    memset(&h, 0, sizeof(h));
    h.marker = true;
    h.payload_type = 96;
    h.seq = 0xFFFF;
    h.timestamp = 0x12345678;
    h.ssrc = 0xDEADBEEF;
    return h;
}

static void test_basic_round_trip(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    const uint8_t payload[] = {0x65, 0x88, 0x84, 0x00, 0x33};
    uint8_t buf[64];
    size_t n = 0;
    assert_int_equal(ertc_rtp_build(&h, payload, sizeof(payload), 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 12 + sizeof(payload));
    const uint8_t expect_header[12] = {0x80, 0xE0, 0xFF, 0xFF, 0x12, 0x34,
                                       0x56, 0x78, 0xDE, 0xAD, 0xBE, 0xEF};
    assert_memory_equal(buf, expect_header, 12);

    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(buf, n, &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_true(pkt.header.marker);
    assert_int_equal(pkt.header.payload_type, 96);
    assert_int_equal(pkt.header.seq, 0xFFFF);
    assert_int_equal(pkt.header.timestamp, 0x12345678);
    assert_int_equal(pkt.header.ssrc, 0xDEADBEEF);
    assert_int_equal(pkt.header.csrc_count, 0);
    assert_int_equal(pkt.ext_form, ERTC_RTP_EXT_NONE);
    assert_int_equal(pkt.header_len, 12);
    assert_int_equal(pkt.payload_len, sizeof(payload));
    assert_memory_equal(pkt.payload, payload, sizeof(payload));
    assert_int_equal(pkt.padding_len, 0);
    free(copy);
}

static void test_csrc_and_padding_round_trip(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    h.marker = false;
    h.csrc_count = 3;
    h.csrc[0] = 0x01020304;
    h.csrc[1] = 0xA0B0C0D0;
    h.csrc[2] = 7;
    const uint8_t payload[] = {1, 2, 3};
    uint8_t buf[128];
    size_t n = 0;
    assert_int_equal(ertc_rtp_build(&h, payload, sizeof(payload), 9, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 12 + 12 + 3 + 9);
    assert_int_equal(buf[0], 0x80 | 0x20 | 3); /* V=2, P, CC=3 */
    assert_int_equal(buf[n - 1], 9);

    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(buf, n, &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_false(pkt.header.marker);
    assert_int_equal(pkt.header.csrc_count, 3);
    assert_int_equal(pkt.header.csrc[0], 0x01020304);
    assert_int_equal(pkt.header.csrc[1], 0xA0B0C0D0);
    assert_int_equal(pkt.header.csrc[2], 7);
    assert_int_equal(pkt.header_len, 24);
    assert_int_equal(pkt.padding_len, 9);
    assert_int_equal(pkt.payload_len, 3);
    assert_memory_equal(pkt.payload, payload, 3);
    free(copy);

    /* fifteen CSRCs, the most the 4-bit count allows */
    h.csrc_count = ERTC_RTP_MAX_CSRC;
    for (uint32_t i = 0; i < ERTC_RTP_MAX_CSRC; i++) {
        h.csrc[i] = 0x1000 + i;
    }
    assert_int_equal(ertc_rtp_build(&h, NULL, 0, 0, buf, sizeof(buf), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 12 + 60);
    copy = parse_copy(buf, n, &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.header.csrc[14], 0x100E);
    assert_int_equal(pkt.payload_len, 0);
    free(copy);
}

static void test_one_byte_extensions_round_trip(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    ertc_rtp_ext_t mid;
    assert_int_equal(ertc_rtp_ext_mid(1, "0", &mid), WEBRTC_STATUS_SUCCESS);
    const uint8_t abs_send_time[3] = {0x12, 0x34, 0x56};
    ertc_rtp_ext_t ast = {3, 3, abs_send_time};
    assert_int_equal(ertc_rtp_add_ext(&h, &mid), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtp_add_ext(&h, &ast), WEBRTC_STATUS_SUCCESS);
    const uint8_t payload[] = {0x7C, 0x85, 0xAA};
    uint8_t buf[64];
    size_t n = 0;
    assert_int_equal(ertc_rtp_header_len(&h), 12 + 4 + 8);
    assert_int_equal(ertc_rtp_build(&h, payload, sizeof(payload), 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    /* BEDE, 2 words: [0x10 '0'] [0x32 12 34 56] then 2 zero padding bytes */
    const uint8_t expect_ext[12] = {0xBE, 0xDE, 0x00, 0x02, 0x10, '0',
                                    0x32, 0x12, 0x34, 0x56, 0x00, 0x00};
    assert_int_equal(buf[0], 0x90);
    assert_memory_equal(buf + 12, expect_ext, sizeof(expect_ext));

    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(buf, n, &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.ext_form, ERTC_RTP_EXT_ONE_BYTE);
    assert_int_equal(pkt.ext_profile, 0xBEDE);
    assert_int_equal(pkt.ext_block_len, 8);
    assert_int_equal(pkt.header.ext_count, 2);
    const ertc_rtp_ext_t *e = ertc_rtp_find_ext(&pkt.header, 1);
    assert_non_null(e);
    assert_int_equal(e->len, 1);
    assert_memory_equal(e->data, "0", 1);
    e = ertc_rtp_find_ext(&pkt.header, 3);
    assert_non_null(e);
    assert_int_equal(e->len, 3);
    assert_memory_equal(e->data, abs_send_time, 3);
    assert_null(ertc_rtp_find_ext(&pkt.header, 2));
    assert_int_equal(pkt.payload_len, 3);
    assert_memory_equal(pkt.payload, payload, 3);
    free(copy);
}

static void test_two_byte_extensions_round_trip(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    /* a 17-byte MID does not fit the one-byte form, so the builder switches */
    ertc_rtp_ext_t mid;
    assert_int_equal(ertc_rtp_ext_mid(1, "video-track-00017", &mid), WEBRTC_STATUS_SUCCESS);
    ertc_rtp_ext_t empty = {200, 0, NULL}; /* two-byte form allows empty elements and id > 14 */
    assert_int_equal(ertc_rtp_add_ext(&h, &mid), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtp_add_ext(&h, &empty), WEBRTC_STATUS_SUCCESS);
    uint8_t buf[128];
    size_t n = 0;
    assert_int_equal(ertc_rtp_build(&h, (const uint8_t *)"x", 1, 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    /* 2+17 + 2+0 = 21 bytes → 24 */
    assert_int_equal(n, 12 + 4 + 24 + 1);
    assert_int_equal(buf[12], 0x10);
    assert_int_equal(buf[13], 0x00);
    assert_int_equal(buf[15], 6);

    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(buf, n, &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.ext_form, ERTC_RTP_EXT_TWO_BYTE);
    assert_int_equal(pkt.header.ext_count, 2);
    assert_int_equal(pkt.header.ext[0].id, 1);
    assert_int_equal(pkt.header.ext[0].len, 17);
    assert_memory_equal(pkt.header.ext[0].data, "video-track-00017", 17);
    assert_int_equal(pkt.header.ext[1].id, 200);
    assert_int_equal(pkt.header.ext[1].len, 0);
    assert_int_equal(pkt.payload_len, 1);
    assert_int_equal(pkt.payload[0], 'x');
    free(copy);
}

/* Hand-written: padding bytes between elements, id 15 stops the block (RFC 8285 §4.2). */
static void test_one_byte_padding_and_stop(void **state)
{
    (void)state;
    const uint8_t packet[] = {
        0x90, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2, /* X=1, PT 96 */
        0xBE, 0xDE, 0x00, 0x03,                         /* 3 words */
        0x00, 0x00, 0x20, 0xAA,                         /* pad, pad, id 2 len 1 */
        0x00, 0x51, 0xB0, 0xB1,                         /* pad, id 5 len 2 */
        0xF3, 0x40, 0x41, 0x42,                         /* id 15: stop, rest ignored */
        0xCA, 0xFE,                                     /* payload */
    };
    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(packet, sizeof(packet), &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.header.ext_count, 2);
    assert_int_equal(pkt.header.ext[0].id, 2);
    assert_int_equal(pkt.header.ext[0].len, 1);
    assert_int_equal(pkt.header.ext[0].data[0], 0xAA);
    assert_int_equal(pkt.header.ext[1].id, 5);
    assert_int_equal(pkt.header.ext[1].len, 2);
    assert_int_equal(pkt.header.ext[1].data[1], 0xB1);
    assert_int_equal(pkt.header_len, 28);
    assert_int_equal(pkt.payload_len, 2);
    assert_int_equal(pkt.payload[0], 0xCA);
    free(copy);
}

static void test_unknown_profile_kept_raw(void **state)
{
    (void)state;
    const uint8_t packet[] = {
        0x90, 0x00, 0x00, 0x01, 0,    0,    0,    1,    0,    0,
        0,    2,    0x12, 0x34, 0x00, 0x01, 0xDE, 0xAD, 0xBE, 0xEF,
    };
    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(packet, sizeof(packet), &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.ext_form, ERTC_RTP_EXT_OTHER);
    assert_int_equal(pkt.ext_profile, 0x1234);
    assert_int_equal(pkt.ext_block_len, 4);
    assert_int_equal(pkt.ext_block[0], 0xDE);
    assert_int_equal(pkt.header.ext_count, 0);
    assert_int_equal(pkt.payload_len, 0);
    free(copy);
}

static void test_too_many_elements_are_counted(void **state)
{
    (void)state;
    /* 20 one-byte elements of 1 data byte: 40 bytes = 10 words */
    uint8_t packet[12 + 4 + 40];
    memset(packet, 0, sizeof(packet));
    packet[0] = 0x90;
    packet[12] = 0xBE;
    packet[13] = 0xDE;
    packet[15] = 10;
    for (int i = 0; i < 20; i++) {
        packet[16 + 2 * i] = (uint8_t)(((i % 14) + 1) << 4);
        packet[17 + 2 * i] = (uint8_t)i;
    }
    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(packet, sizeof(packet), &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.header.ext_count, ERTC_RTP_MAX_EXTENSIONS);
    assert_int_equal(pkt.ext_dropped, 20 - ERTC_RTP_MAX_EXTENSIONS);
    assert_int_equal(pkt.header.ext[15].data[0], 15);
    free(copy);
}

static void test_malformed_packets(void **state)
{
    (void)state;
    const uint8_t good[] = {0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xAB};
    assert_int_equal(parse_status(good, sizeof(good)), WEBRTC_STATUS_SUCCESS);

    /* shorter than the fixed header */
    assert_int_equal(parse_status(good, 11), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status(good, 0), WEBRTC_STATUS_MALFORMED);

    /* versions 0, 1 and 3 */
    for (uint8_t v = 0; v < 4; v++) {
        if (v == 2) {
            continue;
        }
        uint8_t bad[sizeof(good)];
        memcpy(bad, good, sizeof(good));
        bad[0] = (uint8_t)((v << 6) | (good[0] & 0x3F));
        assert_int_equal(parse_status(bad, sizeof(bad)), WEBRTC_STATUS_MALFORMED);
    }

    /* CC=2 but only 1 byte after the fixed header */
    uint8_t csrc[sizeof(good)];
    memcpy(csrc, good, sizeof(good));
    csrc[0] = 0x82;
    assert_int_equal(parse_status(csrc, sizeof(csrc)), WEBRTC_STATUS_MALFORMED);

    /* X=1 with no room for the extension header */
    uint8_t ext_hdr[sizeof(good)];
    memcpy(ext_hdr, good, sizeof(good));
    ext_hdr[0] = 0x90;
    assert_int_equal(parse_status(ext_hdr, sizeof(ext_hdr)), WEBRTC_STATUS_MALFORMED);

    /* extension length (2 words) past the end */
    const uint8_t ext_len[] = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                               0,    2,    0xBE, 0xDE, 0x00, 0x02, 0x10, 0xAA, 0x00, 0x00};
    assert_int_equal(parse_status(ext_len, sizeof(ext_len)), WEBRTC_STATUS_MALFORMED);

    /* a one-byte element (id 1, 4 bytes) past its block */
    const uint8_t one_elem[] = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,   0,
                                2,    0xBE, 0xDE, 0x00, 0x01, 0x13, 0xAA, 0xBB, 0xCC, 0xDD};
    assert_int_equal(parse_status(one_elem, sizeof(one_elem)), WEBRTC_STATUS_MALFORMED);

    /* a two-byte element (id 1, 5 bytes) past its block, and a lone id byte at the end */
    const uint8_t two_elem[] = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                                0,    2,    0x10, 0x00, 0x00, 0x01, 0x01, 0x05, 0xAA, 0xBB};
    assert_int_equal(parse_status(two_elem, sizeof(two_elem)), WEBRTC_STATUS_MALFORMED);
    const uint8_t two_lone[] = {0x90, 0x60, 0,    1,    0,    0,    0,    1,    0,    0,
                                0,    2,    0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};
    assert_int_equal(parse_status(two_lone, sizeof(two_lone)), WEBRTC_STATUS_MALFORMED);

    /* padding count 0, and larger than what follows the header */
    uint8_t pad[] = {0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x11, 0x00, 0x00};
    pad[sizeof(pad) - 1] = 0;
    assert_int_equal(parse_status(pad, sizeof(pad)), WEBRTC_STATUS_MALFORMED);
    pad[sizeof(pad) - 1] = 4;
    assert_int_equal(parse_status(pad, sizeof(pad)), WEBRTC_STATUS_MALFORMED);
    /* padding = everything after the header: valid, empty payload */
    pad[sizeof(pad) - 1] = 3;
    ertc_rtp_packet_t pkt;
    WEBRTC_STATUS st;
    uint8_t *copy = parse_copy(pad, sizeof(pad), &st, &pkt);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pkt.payload_len, 0);
    assert_int_equal(pkt.padding_len, 3);
    free(copy);
    /* P bit on a header-only packet: the count byte would be inside the header */
    uint8_t pad_hdr[12];
    memcpy(pad_hdr, good, 12);
    pad_hdr[0] = 0xA0;
    pad_hdr[11] = 1;
    assert_int_equal(parse_status(pad_hdr, sizeof(pad_hdr)), WEBRTC_STATUS_MALFORMED);

    assert_int_equal(ertc_rtp_parse(NULL, 12, &pkt), WEBRTC_STATUS_NULL_ARG);
}

/* Every prefix of a packet with CSRCs, extensions and padding parses or fails cleanly, and no
 * prefix shorter than the whole packet yields the original payload. */
static void test_every_truncation(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    h.csrc_count = 2;
    h.csrc[0] = 1;
    h.csrc[1] = 2;
    ertc_rtp_ext_t mid;
    assert_int_equal(ertc_rtp_ext_mid(4, "audio", &mid), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtp_add_ext(&h, &mid), WEBRTC_STATUS_SUCCESS);
    uint8_t payload[40];
    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i + 1);
    }
    uint8_t buf[256];
    size_t n = 0;
    assert_int_equal(ertc_rtp_build(&h, payload, sizeof(payload), 4, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_SUCCESS);
    for (size_t len = 0; len < n; len++) {
        ertc_rtp_packet_t pkt;
        WEBRTC_STATUS st;
        uint8_t *copy = parse_copy(buf, len, &st, &pkt);
        if (st == WEBRTC_STATUS_SUCCESS) {
            assert_true(pkt.header_len + pkt.payload_len + pkt.padding_len == len);
            assert_false(pkt.payload_len == sizeof(payload) &&
                         memcmp(pkt.payload, payload, sizeof(payload)) == 0);
        } else {
            assert_int_equal(st, WEBRTC_STATUS_MALFORMED);
        }
        free(copy);
    }
}

static void test_builder_errors(void **state)
{
    (void)state;
    ertc_rtp_header_t h = basic_header();
    uint8_t buf[64];
    size_t n = 99;
    h.payload_type = 128;
    assert_int_equal(ertc_rtp_build(&h, NULL, 0, 0, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(n, 0);
    assert_int_equal(ertc_rtp_header_len(&h), 0);
    h = basic_header();
    h.csrc_count = 16;
    assert_int_equal(ertc_rtp_write_header(&h, buf, sizeof(buf), &n), WEBRTC_STATUS_INVALID_ARG);
    h = basic_header();
    ertc_rtp_ext_t bad = {0, 1, (const uint8_t *)"x"};
    assert_int_equal(ertc_rtp_add_ext(&h, &bad), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_rtp_write_header(&h, buf, sizeof(buf), &n), WEBRTC_STATUS_INVALID_ARG);

    h = basic_header();
    assert_int_equal(ertc_rtp_build(&h, (const uint8_t *)"abcd", 4, 0, buf, 15, &n),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_rtp_build(&h, (const uint8_t *)"abcd", 4, 1, buf, 16, &n),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_rtp_build(&h, (const uint8_t *)"abcd", 4, 1, buf, 17, &n),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 17);
    assert_int_equal(ertc_rtp_write_header(&h, buf, 11, &n), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_rtp_build(&h, NULL, 0, 256, buf, sizeof(buf), &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_rtp_build(&h, NULL, 3, 0, buf, sizeof(buf), &n), WEBRTC_STATUS_NULL_ARG);

    ertc_rtp_ext_t mid;
    assert_int_equal(ertc_rtp_ext_mid(1, "", &mid), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_rtp_ext_mid(0, "0", &mid), WEBRTC_STATUS_INVALID_ARG);
    char long_mid[257];
    memset(long_mid, 'm', 256);
    long_mid[256] = '\0';
    assert_int_equal(ertc_rtp_ext_mid(1, long_mid, &mid), WEBRTC_STATUS_INVALID_ARG);

    h = basic_header();
    ertc_rtp_ext_t e = {1, 1, (const uint8_t *)"x"};
    for (int i = 0; i < ERTC_RTP_MAX_EXTENSIONS; i++) {
        assert_int_equal(ertc_rtp_add_ext(&h, &e), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(ertc_rtp_add_ext(&h, &e), WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_sequence_numbers(void **state)
{
    (void)state;
    assert_int_equal(ertc_rtp_seq_diff(0, 65535), 1);
    assert_int_equal(ertc_rtp_seq_diff(65535, 0), -1);
    assert_int_equal(ertc_rtp_seq_diff(100, 100), 0);
    assert_int_equal(ertc_rtp_seq_diff(5, 65530), 11);
    assert_int_equal(ertc_rtp_seq_diff(32767, 0), 32767);
    assert_int_equal(ertc_rtp_seq_diff(32768, 0), -32768);
    assert_true(ertc_rtp_seq_newer(0, 65535));
    assert_false(ertc_rtp_seq_newer(65535, 0));
    assert_false(ertc_rtp_seq_newer(7, 7));

    ertc_rtp_seq_unwrapper_t u;
    ertc_rtp_seq_unwrapper_init(&u);
    uint64_t base = ertc_rtp_seq_unwrap(&u, 65534);
    assert_int_equal(base, 65536u + 65534u);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 65535), base + 1);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 0), base + 2);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 3), base + 5);
    /* an older packet after the wrap maps below the newest without moving it */
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 65535), base + 1);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 4), base + 6);
    /* older than the very first packet still stays positive */
    ertc_rtp_seq_unwrapper_init(&u);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 2), 65538u);
    assert_int_equal(ertc_rtp_seq_unwrap(&u, 65000), 65000u);
    /* many wraps */
    ertc_rtp_seq_unwrapper_init(&u);
    uint64_t first = ertc_rtp_seq_unwrap(&u, 0);
    uint16_t s = 0;
    for (int i = 0; i < 5 * 65536; i += 1000) {
        s = (uint16_t)(s + 1000);
        (void)ertc_rtp_seq_unwrap(&u, s);
    }
    assert_int_equal(u.newest, first + (uint64_t)(5 * 65536 / 1000 + 1) * 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_round_trip),
        cmocka_unit_test(test_csrc_and_padding_round_trip),
        cmocka_unit_test(test_one_byte_extensions_round_trip),
        cmocka_unit_test(test_two_byte_extensions_round_trip),
        cmocka_unit_test(test_one_byte_padding_and_stop),
        cmocka_unit_test(test_unknown_profile_kept_raw),
        cmocka_unit_test(test_too_many_elements_are_counted),
        cmocka_unit_test(test_malformed_packets),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_sequence_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
