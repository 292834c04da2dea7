/*
 * Unit tests for the pure parsers of src/media: the Ogg page parser and packet reader
 * (RFC 3533; packets across pages, 255-byte boundaries, foreign streams, oversize packets,
 * truncation, and clear errors for malformed input), OpusHead/OpusTags (RFC 7845 §5), and
 * the Annex-B access-unit splitter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "media/annexb.h"
#include "media/ogg.h"
#include "media/ogg_opus.h"

static uint8_t file[256 * 1024];
static size_t file_len;
static ertc_ogg_reader_t reader;

static void add_page(uint8_t flags, uint64_t granule, uint32_t serial, uint32_t seq,
                     const uint8_t *pkt, size_t len)
{
    size_t n = 0;
    assert_int_equal(ertc_ogg_page_build(flags, granule, serial, seq, pkt, len, file + file_len,
                                         sizeof(file) - file_len, &n),
                     WEBRTC_STATUS_SUCCESS);
    file_len += n;
}

/* A page from raw lacing values and body, with its CRC fixed up. */
static void add_raw_page(uint8_t flags, uint32_t serial, uint32_t seq, const uint8_t *lacing,
                         size_t segments, const uint8_t *body, size_t body_len)
{
    uint8_t *p = file + file_len;
    size_t n = 0;
    assert_int_equal(ertc_ogg_page_build(flags, 7, serial, seq, NULL, 0, p, 64, &n),
                     WEBRTC_STATUS_SUCCESS);
    p[26] = (uint8_t)segments;
    memcpy(p + 27, lacing, segments);
    memcpy(p + 27 + segments, body, body_len);
    size_t len = 27 + segments + body_len;
    memset(p + 22, 0, 4);
    uint32_t crc = ertc_ogg_crc(0, p, len);
    p[22] = (uint8_t)crc;
    p[23] = (uint8_t)(crc >> 8);
    p[24] = (uint8_t)(crc >> 16);
    p[25] = (uint8_t)(crc >> 24);
    file_len += len;
}

static WEBRTC_STATUS next(const uint8_t **pkt, size_t *len, uint64_t *granule)
{
    return ertc_ogg_reader_next(&reader, pkt, len, granule);
}

static void test_crc_reference(void **state)
{
    (void)state;
    /* CRC-32/MPEG-2 without its initial inversion (RFC 3533): "123456789" -> 0x89a1897f */
    assert_int_equal(ertc_ogg_crc(0, (const uint8_t *)"123456789", 9), 0x89a1897fu);
}

static void test_pages_and_packets(void **state)
{
    (void)state;
    static uint8_t big[600], huge[ERTC_OGG_MAX_PAGE_PACKET];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)i;
    }
    file_len = 0;
    add_page(ERTC_OGG_FLAG_BOS, 0, 5, 0, (const uint8_t *)"first", 5);
    add_page(0, 100, 6, 0, (const uint8_t *)"other", 5); /* another stream: skipped */
    add_page(0, 200, 5, 1, big, 510);                    /* 255+255+0 lacing */
    /* a packet split over two pages: 300 bytes, then 300 more */
    const uint8_t lace1[] = {255, 45, 255};
    add_raw_page(0, 5, 2, lace1, 3, big, 555); /* packet of 300, then 255 bytes to continue */
    const uint8_t lace2[] = {45};
    add_raw_page(ERTC_OGG_FLAG_CONTINUED, 5, 3, lace2, 1, big + 300, 45);
    add_page(ERTC_OGG_FLAG_EOS, 900, 5, 4, huge, sizeof(huge));
    add_page(0, 1000, 5, 5, (const uint8_t *)"after eos", 9);

    ertc_ogg_reader_init(&reader, file, file_len);
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint64_t g = 0;
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 5);
    assert_memory_equal(pkt, "first", 5);
    assert_int_equal(g, 0);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 510);
    assert_memory_equal(pkt, big, 510);
    assert_int_equal(g, 200);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 300);
    assert_int_equal(g, 7); /* the last packet to end on its page (the next one only starts) */
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 300);
    assert_memory_equal(pkt, big + 300, 255);
    assert_int_equal(g, 7);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, sizeof(huge));
    assert_int_equal(g, 900);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_NOT_FOUND); /* EOS */
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(reader.error[0], '\0');

    ertc_ogg_reader_rewind(&reader);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(pkt, "first", 5);
}

static void test_oversize_and_orphans(void **state)
{
    (void)state;
    file_len = 0;
    add_page(ERTC_OGG_FLAG_BOS, 0, 1, 0, (const uint8_t *)"head", 4);
    /* an orphan continuation (its start was never seen) is dropped */
    const uint8_t orphan_lace[] = {10, 3};
    add_raw_page(ERTC_OGG_FLAG_CONTINUED, 1, 1, orphan_lace, 2, (const uint8_t *)"0123456789abc",
                 13);
    /* a packet longer than ERTC_OGG_MAX_PACKET over two full pages: dropped, not grown into */
    static uint8_t lace[255], body[255 * 255];
    memset(lace, 255, sizeof(lace));
    add_raw_page(0, 1, 2, lace, 255, body, sizeof(body));
    lace[254] = 10;
    add_raw_page(ERTC_OGG_FLAG_CONTINUED, 1, 3, lace, 255, body, 254 * 255 + 10);
    /* a packet cut off: the next page does not continue it */
    const uint8_t cut_lace[] = {255};
    add_raw_page(0, 1, 4, cut_lace, 1, body, 255);
    add_page(0, 50, 1, 5, (const uint8_t *)"tail", 4);

    ertc_ogg_reader_init(&reader, file, file_len);
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint64_t g = 0;
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(pkt, "head", 4);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 3); /* "abc": the segment after the orphan's tail */
    assert_memory_equal(pkt, "abc", 3);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 4);
    assert_memory_equal(pkt, "tail", 4);
    assert_int_equal(reader.dropped, 2);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_NOT_FOUND);
}

static void expect_error(const char *fragment)
{
    ertc_ogg_reader_init(&reader, file, file_len);
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint64_t g = 0;
    WEBRTC_STATUS st;
    while ((st = next(&pkt, &len, &g)) == WEBRTC_STATUS_SUCCESS) {
    }
    assert_int_equal(st, WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(reader.error, fragment));
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_INVALID_ARG); /* stays failed */
}

static void test_malformed(void **state)
{
    (void)state;
    file_len = 0;
    add_page(ERTC_OGG_FLAG_BOS, 0, 1, 0, (const uint8_t *)"head", 4);
    size_t first = file_len;
    add_page(0, 10, 1, 1, (const uint8_t *)"data", 4);

    file[first + 30] ^= 1; /* body byte of page 2 */
    expect_error("page CRC mismatch at offset 32");
    file[first + 30] ^= 1;

    file[first] = 'X';
    expect_error("no \"OggS\" capture pattern at offset 32");
    file[first] = 'O';

    file[first + 4] = 1;
    expect_error("unknown Ogg version");
    file[first + 4] = 0;

    file[5] = 0; /* page 1 loses its BOS flag (CRC fixed below) */
    size_t keep = file_len;
    file_len = 0;
    add_page(0, 0, 1, 0, (const uint8_t *)"head", 4);
    file_len = keep;
    expect_error("first page has no BOS flag at offset 0");

    file_len = 10;
    expect_error("truncated page at offset 0");
    file_len = 0;
    expect_error("no Ogg page");

    /* truncated after a whole page: what came before plays, then the stream ends */
    file_len = 0;
    add_page(ERTC_OGG_FLAG_BOS, 0, 1, 0, (const uint8_t *)"head", 4);
    add_page(0, 10, 1, 1, (const uint8_t *)"data", 4);
    file_len -= 2;
    ertc_ogg_reader_init(&reader, file, file_len);
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint64_t g = 0;
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(next(&pkt, &len, &g), WEBRTC_STATUS_NOT_FOUND);
    assert_true(reader.truncated);
}

static void test_opus_headers(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t len = 0;
    const char *why = NULL;
    ertc_opus_head_t head = {
        .version = 1, .channels = 2, .pre_skip = 312, .input_rate = 44100, .output_gain = -256};
    assert_int_equal(ertc_opus_head_build(&head, buf, sizeof(buf), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 19);
    ertc_opus_head_t back;
    assert_int_equal(ertc_opus_head_parse(buf, len, &back, &why), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(back.channels, 2);
    assert_int_equal(back.pre_skip, 312);
    assert_int_equal(back.input_rate, 44100);
    assert_int_equal(back.output_gain, -256);
    assert_int_equal(ertc_opus_head_parse(buf, 18, &back, &why), WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(why, "shorter"));
    buf[18] = 1;
    assert_int_equal(ertc_opus_head_parse(buf, len, &back, &why), WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(why, "mapping family"));
    buf[18] = 0;
    buf[9] = 3;
    assert_int_equal(ertc_opus_head_parse(buf, len, &back, &why), WEBRTC_STATUS_INVALID_ARG);
    buf[9] = 2;
    buf[8] = 0x10;
    assert_int_equal(ertc_opus_head_parse(buf, len, &back, &why), WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(why, "version"));

    assert_int_equal(ertc_opus_tags_build("edgertc", buf, sizeof(buf), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_opus_tags_check(buf, len, &why), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_opus_tags_check(buf, len - 1, &why), WEBRTC_STATUS_INVALID_ARG);
    buf[8] = 200; /* vendor length beyond the packet */
    assert_int_equal(ertc_opus_tags_check(buf, len, &why), WEBRTC_STATUS_INVALID_ARG);
    buf[8] = 7;
    buf[len - 4] = 1; /* one comment, missing */
    assert_int_equal(ertc_opus_tags_check(buf, len, &why), WEBRTC_STATUS_INVALID_ARG);
}

static void test_annexb_access_units(void **state)
{
    (void)state;
    /* AUD; SPS PPS IDR(first_mb 0) IDR(first_mb 1); P(0) P(1); SEI P(0); P(0) */
    const uint8_t s[] = {
        0, 0, 0, 1,    0x09, 0xf0,                   /* AUD */
        0, 0, 0, 1,    0x67, 0x42, 0xc0, 0x1f,       /* SPS */
        0, 0, 1, 0x68, 0xce,                         /* PPS, 3-byte start code */
        0, 0, 0, 1,    0x65, 0x88, 0x84,             /* IDR first_mb 0 */
        0, 0, 0, 1,    0x65, 0x40, 0x84,             /* IDR first_mb 1 (ue '010') */
        0, 0, 0, 1,    0x41, 0x9a, 0x01,             /* P first_mb 0 */
        0, 0, 0, 1,    0x41, 0x40, 0x01,             /* P first_mb 1 */
        0, 0, 0, 1,    0x06, 0x05, 0x01,             /* SEI */
        0, 0, 0, 1,    0x41, 0x9a, 0x02,             /* P first_mb 0 */
        0, 0, 0, 1,    0x41, 0x9a, 0x03, 0x00, 0x00, /* P first_mb 0, trailing zeros */
    };
    size_t pos = 0;
    ertc_access_unit_t au;
    size_t expect_len[] = {33, 14, 14, 9};
    unsigned expect_nals[] = {5, 2, 2, 1};
    for (int i = 0; i < 4; i++) {
        assert_true(ertc_annexb_next_au(s, sizeof(s), &pos, &au));
        assert_int_equal(au.len, expect_len[i]);
        assert_int_equal(au.nal_count, expect_nals[i]);
        assert_int_equal(au.has_idr, i == 0);
        assert_int_equal(au.has_sps && au.has_pps, i == 0);
    }
    assert_int_equal(au.offset + au.len, sizeof(s));
    assert_false(ertc_annexb_next_au(s, sizeof(s), &pos, &au));

    /* garbage before the first start code is skipped; none at all gives nothing */
    const uint8_t g[] = {0xff, 0xee, 0, 0, 1, 0x65, 0x88};
    pos = 0;
    assert_true(ertc_annexb_next_au(g, sizeof(g), &pos, &au));
    assert_int_equal(au.offset, 2);
    assert_true(au.has_idr);
    pos = 0;
    assert_false(ertc_annexb_next_au((const uint8_t *)"\x00\x00\x02xyz", 6, &pos, &au));
    pos = 0;
    assert_false(ertc_annexb_next_au(NULL, 0, &pos, &au));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_reference),        cmocka_unit_test(test_pages_and_packets),
        cmocka_unit_test(test_oversize_and_orphans), cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_opus_headers),         cmocka_unit_test(test_annexb_access_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
