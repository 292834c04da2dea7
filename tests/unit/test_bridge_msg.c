/*
 * Unit tests for the bridge message (signaling/bridge/bridge_msg.h): the exact proto3 bytes
 * of a SignalingMessage, round trips of every type, default (omitted) fields, unknown fields
 * skipped, malformed and oversized input refused, and the ICE request/response payloads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "signaling/bridge/bridge_msg.h"

static void test_known_bytes(void **state)
{
    (void)state;
    ertc_bridge_msg_t m = {.version = 1, .type = ERTC_BRIDGE_MSG_ANSWER, .peer_id = "p1",
                           .peer_id_len = 2, .correlation_id = "c", .correlation_id_len = 1,
                           .payload = (const uint8_t *)"xy", .payload_len = 2};
    /* field 1 varint 1, field 2 varint 1, field 3 "p1", field 4 "c", field 5 "xy", field 6 2 */
    static const uint8_t want[] = {0x08, 0x01, 0x10, 0x01, 0x1A, 0x02, 'p', '1', 0x22,
                                   0x01, 'c',  0x2A, 0x02, 'x',  'y',  0x30, 0x02};
    uint8_t out[64];
    size_t n = 0;
    assert_int_equal(ertc_bridge_msg_encoded_len(&m), sizeof(want));
    assert_int_equal(ertc_bridge_msg_encode(&m, out, sizeof(out), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(ertc_bridge_msg_encode(&m, out, n - 1, &n), WEBRTC_STATUS_BUFFER_TOO_SMALL);

    /* an OFFER with no payload (READY-style) leaves out every default field */
    ertc_bridge_msg_t empty = {0};
    assert_int_equal(ertc_bridge_msg_encode(&empty, out, sizeof(out), &n), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 0);
    ertc_bridge_msg_t d;
    assert_int_equal(ertc_bridge_msg_decode(out, 0, &d), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(d.type, ERTC_BRIDGE_MSG_OFFER);
    assert_int_equal(d.payload_len, 0);
}

static void test_round_trip_all_types(void **state)
{
    (void)state;
    static uint8_t payload[7000];
    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 7);
    }
    static uint8_t out[ERTC_BRIDGE_MSG_MAX_LEN];
    for (uint32_t t = ERTC_BRIDGE_MSG_OFFER; t <= ERTC_BRIDGE_MSG_READY_QUERY; t++) {
        ertc_bridge_msg_t m = {.version = ERTC_BRIDGE_MSG_VERSION, .type = t,
                               .peer_id = "viewer-42", .peer_id_len = 9,
                               .correlation_id = "corr", .correlation_id_len = 4,
                               .payload = payload, .payload_len = t * 777};
        size_t n = 0;
        assert_int_equal(ertc_bridge_msg_encode(&m, out, sizeof(out), &n), WEBRTC_STATUS_SUCCESS);
        ertc_bridge_msg_t d;
        assert_int_equal(ertc_bridge_msg_decode(out, n, &d), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(d.version, ERTC_BRIDGE_MSG_VERSION);
        assert_int_equal(d.type, t);
        assert_int_equal(d.peer_id_len, 9);
        assert_memory_equal(d.peer_id, "viewer-42", 9);
        assert_int_equal(d.correlation_id_len, 4);
        assert_int_equal(d.payload_len, t * 777);
        if (d.payload_len > 0) {
            assert_memory_equal(d.payload, payload, d.payload_len);
        }
        assert_string_not_equal(ertc_bridge_msg_type_name(t), "UNKNOWN");
    }
    assert_string_equal(ertc_bridge_msg_type_name(9), "UNKNOWN");
}

static void test_unknown_fields_skipped(void **state)
{
    (void)state;
    /* field 7 varint, field 8 fixed64, field 9 bytes, field 10 fixed32, then type = 2 */
    static const uint8_t in[] = {0x38, 0x96, 0x01, 0x41, 1, 2, 3, 4, 5, 6, 7, 8,
                                 0x4A, 0x02, 'z', 'z', 0x55, 1, 2, 3, 4, 0x10, 0x02};
    ertc_bridge_msg_t d;
    assert_int_equal(ertc_bridge_msg_decode(in, sizeof(in), &d), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(d.type, ERTC_BRIDGE_MSG_ICE_CANDIDATE);
}

static void expect_decode(const uint8_t *in, size_t len, WEBRTC_STATUS want)
{
    ertc_bridge_msg_t d;
    WEBRTC_STATUS st = ertc_bridge_msg_decode(in, len, &d);
    if (st != want) {
        fail_msg("decode of %zu bytes: status %u, expected %u", len, (unsigned)st, (unsigned)want);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    static const uint8_t truncated_varint[] = {0x08, 0x80};
    static const uint8_t long_varint[] = {0x08, 0x80, 0x80, 0x80, 0x80, 0x80,
                                          0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t field_zero[] = {0x00, 0x01};
    static const uint8_t group[] = {0x1B, 0x1C};
    static const uint8_t bytes_past_end[] = {0x2A, 0x05, 'a', 'b'};
    static const uint8_t nul_in_id[] = {0x1A, 0x02, 'a', 0x00};
    static const uint8_t len_mismatch[] = {0x2A, 0x02, 'a', 'b', 0x30, 0x03};
    static const uint8_t short_fixed32[] = {0x55, 1, 2};
    expect_decode(truncated_varint, sizeof(truncated_varint), WEBRTC_STATUS_MALFORMED);
    expect_decode(long_varint, sizeof(long_varint), WEBRTC_STATUS_MALFORMED);
    expect_decode(field_zero, sizeof(field_zero), WEBRTC_STATUS_MALFORMED);
    expect_decode(group, sizeof(group), WEBRTC_STATUS_MALFORMED);
    expect_decode(bytes_past_end, sizeof(bytes_past_end), WEBRTC_STATUS_MALFORMED);
    expect_decode(nul_in_id, sizeof(nul_in_id), WEBRTC_STATUS_MALFORMED);
    expect_decode(len_mismatch, sizeof(len_mismatch), WEBRTC_STATUS_MALFORMED);
    expect_decode(short_fixed32, sizeof(short_fixed32), WEBRTC_STATUS_MALFORMED);

    /* a peer id over the limit */
    uint8_t big[3 + ERTC_BRIDGE_MSG_MAX_ID_LEN + 1];
    big[0] = 0x1A;
    big[1] = (uint8_t)(0x80 | ((ERTC_BRIDGE_MSG_MAX_ID_LEN + 1) & 0x7F));
    big[2] = (uint8_t)((ERTC_BRIDGE_MSG_MAX_ID_LEN + 1) >> 7);
    memset(big + 3, 'a', ERTC_BRIDGE_MSG_MAX_ID_LEN + 1);
    expect_decode(big, sizeof(big), WEBRTC_STATUS_LIMIT_EXCEEDED);
    char id[ERTC_BRIDGE_MSG_MAX_ID_LEN + 1];
    memset(id, 'a', sizeof(id));
    ertc_bridge_msg_t m = {.peer_id = id, .peer_id_len = sizeof(id)};
    uint8_t out[600];
    size_t n = 0;
    assert_int_equal(ertc_bridge_msg_encode(&m, out, sizeof(out), &n),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_ice_payloads(void **state)
{
    (void)state;
    uint8_t req[ERTC_BRIDGE_ICE_REQUEST_LEN];
    ertc_bridge_ice_request_encode(0x01020304, true, req);
    static const uint8_t want_req[] = {4, 3, 2, 1, 1, 0, 0, 0};
    assert_memory_equal(req, want_req, sizeof(want_req));
    uint32_t index = 0;
    bool use_turn = false;
    assert_int_equal(ertc_bridge_ice_request_decode(req, sizeof(req), &index, &use_turn),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(index, 0x01020304);
    assert_true(use_turn);
    assert_int_equal(ertc_bridge_ice_request_decode(req, 5, &index, &use_turn),
                     WEBRTC_STATUS_MALFORMED);

    assert_int_equal(ERTC_BRIDGE_ICE_RESPONSE_LEN, 643); /* sizeof(ss_ice_server_response_t) */
    ertc_bridge_ice_response_t r = {.have_more = true};
    strcpy(r.url, "turn:127.0.0.1:3478?transport=udp");
    strcpy(r.username, "1700000000:edgertc");
    strcpy(r.credential, "c2VjcmV0");
    uint8_t buf[ERTC_BRIDGE_ICE_RESPONSE_LEN];
    ertc_bridge_ice_response_encode(&r, buf);
    ertc_bridge_ice_response_t back;
    assert_int_equal(ertc_bridge_ice_response_decode(buf, sizeof(buf), &back),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(back.url, r.url);
    assert_string_equal(back.username, r.username);
    assert_string_equal(back.credential, r.credential);
    assert_true(back.have_more);
    /* an unterminated url is refused */
    memset(buf, 'u', ERTC_BRIDGE_ICE_URL_LEN);
    assert_int_equal(ertc_bridge_ice_response_decode(buf, sizeof(buf), &back),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_bridge_ice_response_decode(buf, sizeof(buf) - 1, &back),
                     WEBRTC_STATUS_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_bytes),
        cmocka_unit_test(test_round_trip_all_types),
        cmocka_unit_test(test_unknown_fields_skipped),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_ice_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
