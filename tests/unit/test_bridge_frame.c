/*
 * Unit tests for the bridge link framing and chunking (signaling/bridge/bridge_frame.h,
 * bridge_chunk.h): CRC-32 check value, encode/parse round trip, partial input, rejection of
 * every corrupted header field and of a bad CRC with resynchronisation on the next frame,
 * chunking of a 7 KiB SDP, gaps, orphan chunks and the message size limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "signaling/bridge/bridge_chunk.h"
#include "signaling/bridge/bridge_frame.h"
#include "signaling/bridge/bridge_msg.h"

static size_t encode(uint8_t type, uint8_t flags, uint16_t seq, const char *payload, uint8_t *out,
                     size_t cap)
{
    ertc_bridge_frame_t f = {.type = type,
                             .flags = flags,
                             .seq = seq,
                             .payload = (const uint8_t *)payload,
                             .payload_len = payload ? strlen(payload) : 0};
    size_t n = 0;
    assert_int_equal(ertc_bridge_frame_encode(&f, out, cap, &n), WEBRTC_STATUS_SUCCESS);
    return n;
}

static void test_crc32_check_value(void **state)
{
    (void)state;
    /* the CRC-32/ISO-HDLC check value */
    assert_int_equal(ertc_bridge_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    /* the CRC-8/SMBUS check value */
    assert_int_equal(ertc_bridge_crc8((const uint8_t *)"123456789", 9), 0xF4);
}

static void test_round_trip_and_layout(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = encode(ERTC_BRIDGE_FRAME_MESSAGE, ERTC_BRIDGE_FLAG_FIRST | ERTC_BRIDGE_FLAG_LAST,
                      0x1234, "hello", buf, sizeof(buf));
    assert_int_equal(n, ERTC_BRIDGE_FRAME_OVERHEAD + 5);
    static const uint8_t header[] = {0xE5, 0x7C, 1, 1, 3, 0x12, 0x34, 0, 5};
    assert_int_equal(buf[9], ertc_bridge_crc8(header + 2, 7));
    assert_memory_equal(buf, header, sizeof(header));

    /* every prefix is "need more", the whole frame parses */
    ertc_bridge_frame_t f;
    size_t used = 99;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ertc_bridge_frame_parse(buf, i, &f, &used), WEBRTC_STATUS_RETRY_LATER);
        assert_int_equal(used, 0);
    }
    assert_int_equal(ertc_bridge_frame_parse(buf, n, &f, &used), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(used, n);
    assert_int_equal(f.type, ERTC_BRIDGE_FRAME_MESSAGE);
    assert_int_equal(f.flags, 3);
    assert_int_equal(f.seq, 0x1234);
    assert_int_equal(f.payload_len, 5);
    assert_memory_equal(f.payload, "hello", 5);
}

static void test_encode_rejects(void **state)
{
    (void)state;
    uint8_t big[ERTC_BRIDGE_FRAME_MAX_PAYLOAD + 1];
    uint8_t out[ERTC_BRIDGE_FRAME_MAX_LEN + 8];
    size_t n = 0;
    memset(big, 'x', sizeof(big));
    ertc_bridge_frame_t f = {.type = ERTC_BRIDGE_FRAME_MESSAGE, .payload = big,
                             .payload_len = sizeof(big)};
    assert_int_equal(ertc_bridge_frame_encode(&f, out, sizeof(out), &n),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    f.payload_len = 10;
    assert_int_equal(ertc_bridge_frame_encode(&f, out, 10, &n), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    f.type = 9;
    assert_int_equal(ertc_bridge_frame_encode(&f, out, sizeof(out), &n), WEBRTC_STATUS_INVALID_ARG);
    f.type = ERTC_BRIDGE_FRAME_PING;
    f.flags = 0x80;
    assert_int_equal(ertc_bridge_frame_encode(&f, out, sizeof(out), &n), WEBRTC_STATUS_INVALID_ARG);
}

/* Parses buf like the link does: drops what MALFORMED says, counts frames and rejections. */
static void parse_all(const uint8_t *buf, size_t len, int *frames, int *rejected, uint16_t *last_seq)
{
    size_t pos = 0;
    *frames = 0;
    *rejected = 0;
    while (pos < len) {
        ertc_bridge_frame_t f;
        size_t used = 0;
        WEBRTC_STATUS st = ertc_bridge_frame_parse(buf + pos, len - pos, &f, &used);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            break;
        }
        assert_true(used > 0 && used <= len - pos);
        if (st == WEBRTC_STATUS_SUCCESS) {
            (*frames)++;
            *last_seq = f.seq;
        } else {
            assert_int_equal(st, WEBRTC_STATUS_MALFORMED);
            (*rejected)++;
        }
        pos += used;
    }
}

static void test_corrupt_fields_resync(void **state)
{
    (void)state;
    /* each corruption of frame 1 is rejected and frame 2 still parses */
    for (size_t byte = 0; byte < ERTC_BRIDGE_FRAME_OVERHEAD + 4; byte++) {
        uint8_t buf[128];
        size_t n1 = encode(ERTC_BRIDGE_FRAME_PING, 0, 1, "ping", buf, sizeof(buf));
        size_t n2 = encode(ERTC_BRIDGE_FRAME_PONG, 0, 2, "pong", buf + n1, sizeof(buf) - n1);
        if (byte == 5 || byte == 6) {
            buf[byte] ^= 0x01; /* the sequence number is covered by the CRC */
        } else if (byte == 7) {
            buf[byte] = 0xFF; /* length over the maximum */
        } else if (byte == 8) {
            buf[byte] ^= 0x40; /* a plausible length: caught by the header CRC, no stall */
        } else {
            buf[byte] ^= 0x40;
        }
        int frames = 0, rejected = 0;
        uint16_t seq = 0;
        parse_all(buf, n1 + n2, &frames, &rejected, &seq);
        if (frames != 1 || rejected < 1 || seq != 2) {
            fail_msg("corrupting byte %zu: %d frames, %d rejected, last seq %u", byte, frames,
                     rejected, seq);
        }
    }
}

static void test_garbage_between_frames(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = 0;
    static const uint8_t junk[] = {0x00, 0xE5, 0xE5, 0x7C, 0x02, 0xE5, 0x41, 0x42};
    memcpy(buf, junk, sizeof(junk));
    n = sizeof(junk);
    n += encode(ERTC_BRIDGE_FRAME_MESSAGE, 3, 7, "{\"type\":\"offer\"}", buf + n, sizeof(buf) - n);
    memcpy(buf + n, junk, sizeof(junk));
    n += sizeof(junk);
    n += encode(ERTC_BRIDGE_FRAME_MESSAGE, 3, 8, "x", buf + n, sizeof(buf) - n);
    int frames = 0, rejected = 0;
    uint16_t seq = 0;
    parse_all(buf, n, &frames, &rejected, &seq);
    assert_int_equal(frames, 2);
    assert_true(rejected >= 2);
    assert_int_equal(seq, 8);
}

/* Chunks msg, re-parses each frame and reassembles; returns the status of the last add. */
static WEBRTC_STATUS chunk_and_reassemble(ertc_bridge_reassembler_t *r, const uint8_t *msg,
                                          size_t len, uint16_t seq0, const uint8_t **out,
                                          size_t *out_len)
{
    size_t count = ertc_bridge_chunk_count(len);
    WEBRTC_STATUS st = WEBRTC_STATUS_INTERNAL_ERROR;
    for (size_t i = 0; i < count; i++) {
        ertc_bridge_frame_t f, g;
        uint8_t wire[ERTC_BRIDGE_FRAME_MAX_LEN];
        size_t n = 0, used = 0;
        ertc_bridge_chunk_frame(msg, len, i, (uint16_t)(seq0 + i), &f);
        assert_int_equal(ertc_bridge_frame_encode(&f, wire, sizeof(wire), &n),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_bridge_frame_parse(wire, n, &g, &used), WEBRTC_STATUS_SUCCESS);
        st = ertc_bridge_reassembler_add(r, &g, out, out_len);
        if (i + 1 < count) {
            assert_int_equal(st, WEBRTC_STATUS_RETRY_LATER);
        }
    }
    return st;
}

static void test_chunk_large_sdp(void **state)
{
    (void)state;
    static uint8_t sdp[7 * 1024 + 123];
    for (size_t i = 0; i < sizeof(sdp); i++) {
        sdp[i] = (uint8_t)('a' + i % 26);
    }
    assert_int_equal(ertc_bridge_chunk_count(sizeof(sdp)), 8);
    assert_int_equal(ertc_bridge_chunk_count(0), 1);
    assert_int_equal(ertc_bridge_chunk_count(ERTC_BRIDGE_FRAME_MAX_PAYLOAD), 1);
    ertc_bridge_reassembler_t r;
    ertc_bridge_reassembler_init(&r);
    const uint8_t *out = NULL;
    size_t out_len = 0;
    /* the sequence numbers wrap in the middle of the message */
    assert_int_equal(chunk_and_reassemble(&r, sdp, sizeof(sdp), 65533, &out, &out_len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out_len, sizeof(sdp));
    assert_memory_equal(out, sdp, sizeof(sdp));
    /* an empty message is one frame */
    assert_int_equal(chunk_and_reassemble(&r, NULL, 0, 5, &out, &out_len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out_len, 0);
    assert_int_equal(r.dropped, 0);
    ertc_bridge_reassembler_free(&r);
}

static void test_chunk_gap_and_orphan(void **state)
{
    (void)state;
    static uint8_t msg[3000];
    memset(msg, 'm', sizeof(msg));
    ertc_bridge_reassembler_t r;
    ertc_bridge_reassembler_init(&r);
    const uint8_t *out = NULL;
    size_t out_len = 0;
    ertc_bridge_frame_t f;

    /* chunk 1 lost: chunk 2 is refused and the partial message dropped */
    ertc_bridge_chunk_frame(msg, sizeof(msg), 0, 10, &f);
    assert_int_equal(ertc_bridge_reassembler_add(&r, &f, &out, &out_len),
                     WEBRTC_STATUS_RETRY_LATER);
    ertc_bridge_chunk_frame(msg, sizeof(msg), 2, 12, &f);
    assert_int_equal(ertc_bridge_reassembler_add(&r, &f, &out, &out_len), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(r.dropped, 1);
    /* a middle chunk with nothing started is an orphan */
    ertc_bridge_chunk_frame(msg, sizeof(msg), 1, 11, &f);
    assert_int_equal(ertc_bridge_reassembler_add(&r, &f, &out, &out_len), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(r.dropped, 2);
    /* a new FIRST replaces an unfinished message, which is counted */
    ertc_bridge_chunk_frame(msg, sizeof(msg), 0, 20, &f);
    assert_int_equal(ertc_bridge_reassembler_add(&r, &f, &out, &out_len),
                     WEBRTC_STATUS_RETRY_LATER);
    assert_int_equal(chunk_and_reassemble(&r, msg, sizeof(msg), 30, &out, &out_len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out_len, sizeof(msg));
    assert_int_equal(r.dropped, 3);
    ertc_bridge_reassembler_free(&r);
}

static void test_chunk_size_limit(void **state)
{
    (void)state;
    static uint8_t chunk[ERTC_BRIDGE_FRAME_MAX_PAYLOAD];
    ertc_bridge_reassembler_t r;
    ertc_bridge_reassembler_init(&r);
    const uint8_t *out = NULL;
    size_t out_len = 0;
    WEBRTC_STATUS st = WEBRTC_STATUS_RETRY_LATER;
    uint16_t seq = 0;
    ertc_bridge_frame_t f = {.type = ERTC_BRIDGE_FRAME_MESSAGE, .flags = ERTC_BRIDGE_FLAG_FIRST,
                             .payload = chunk, .payload_len = sizeof(chunk)};
    /* a sender that never sets LAST cannot make the receiver grow without bound */
    for (int i = 0; i < 1000 && st == WEBRTC_STATUS_RETRY_LATER; i++) {
        f.seq = seq++;
        st = ertc_bridge_reassembler_add(&r, &f, &out, &out_len);
        f.flags = 0;
        assert_true(r.cap <= ERTC_BRIDGE_MSG_MAX_LEN);
    }
    assert_int_equal(st, WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(r.dropped, 1);
    ertc_bridge_reassembler_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_round_trip_and_layout),
        cmocka_unit_test(test_encode_rejects),
        cmocka_unit_test(test_corrupt_fields_resync),
        cmocka_unit_test(test_garbage_between_frames),
        cmocka_unit_test(test_chunk_large_sdp),
        cmocka_unit_test(test_chunk_gap_and_orphan),
        cmocka_unit_test(test_chunk_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
