/*
 * Unit tests for signaling/kvs/kvs_message: the outgoing frame (keys, base64 payload,
 * recipient and correlation id optional, limits, end-of-candidates), incoming frames in both
 * key capitalisations and with the real service's shapes (spec §3.3), STATUS_RESPONSE, and
 * every kind of bad input named by its drop reason. The payload mapping: what a peer
 * connection sends comes out byte for byte on the other side.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/kvs_message.h"
#include "util/alloc.h"
#include "util/base64.h"

#define SDP_OFFER_JSON "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\"}"
#define CANDIDATE_JSON                                                                             \
    "{\"candidate\":\"candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host\","                  \
    "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"

static esp_webrtc_signaling_message_t make_msg(esp_webrtc_message_type_t type, const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    m.payload = (char *)payload;
    m.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    return m;
}

static char *b64(const char *s)
{
    static char out[1024];
    assert_int_equal(ertc_base64_encode((const uint8_t *)s, strlen(s), 0, out, sizeof(out), NULL),
                     WEBRTC_STATUS_SUCCESS);
    return out;
}

static void test_build_master_answer(void **state)
{
    (void)state;
    esp_webrtc_signaling_message_t m = make_msg(ESP_WEBRTC_MESSAGE_ANSWER, SDP_OFFER_JSON);
    char *frame = NULL;
    size_t len = 0;
    assert_int_equal(ertc_kvs_message_build(&m, "viewer-1", "corr.1", &frame, &len),
                     WEBRTC_STATUS_SUCCESS);
    char expect[4096];
    snprintf(expect, sizeof(expect),
             "{\"action\":\"SDP_ANSWER\",\"recipientClientId\":\"viewer-1\","
             "\"messagePayload\":\"%s\",\"correlationId\":\"corr.1\"}",
             b64(SDP_OFFER_JSON));
    assert_string_equal(frame, expect);
    assert_int_equal(len, strlen(expect));
    ertc_free(frame);
}

static void test_build_viewer_offer_and_candidate(void **state)
{
    (void)state;
    esp_webrtc_signaling_message_t m = make_msg(ESP_WEBRTC_MESSAGE_OFFER, SDP_OFFER_JSON);
    char *frame = NULL;
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL), WEBRTC_STATUS_SUCCESS);
    assert_non_null(strstr(frame, "\"action\":\"SDP_OFFER\""));
    assert_null(strstr(frame, "recipientClientId"));
    assert_null(strstr(frame, "correlationId"));
    ertc_free(frame);
    m = make_msg(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, CANDIDATE_JSON);
    assert_int_equal(ertc_kvs_message_build(&m, "", "", &frame, NULL), WEBRTC_STATUS_SUCCESS);
    assert_non_null(strstr(frame, "\"action\":\"ICE_CANDIDATE\""));
    ertc_free(frame);
}

static void test_build_refusals(void **state)
{
    (void)state;
    char *frame = NULL;
    esp_webrtc_signaling_message_t m =
        make_msg(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"\",\"sdpMid\":\"0\"}");
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL), WEBRTC_STATUS_NOT_FOUND);
    assert_null(frame);
    m = make_msg(ESP_WEBRTC_MESSAGE_BYE, "{}");
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    m = make_msg(ESP_WEBRTC_MESSAGE_OFFER, "not json");
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    m = make_msg(ESP_WEBRTC_MESSAGE_OFFER, NULL);
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    m = make_msg(ESP_WEBRTC_MESSAGE_OFFER, SDP_OFFER_JSON);
    assert_int_equal(ertc_kvs_message_build(&m, "bad id!", NULL, &frame, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_message_build(&m, NULL, "bad\"corr", &frame, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    /* the service's 10000-character limit on messagePayload: 7500 bytes fit, 7501 do not */
    char *big = malloc(7600);
    assert_non_null(big);
    memset(big, 'a', 7600);
    memcpy(big, "{\"sdp\":\"", 8);
    big[7498] = '"';
    big[7499] = '}';
    m = make_msg(ESP_WEBRTC_MESSAGE_OFFER, NULL);
    m.payload = big;
    m.payload_len = 7500;
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_free(frame);
    big[7499] = 'a';
    big[7499] = '"';
    big[7500] = '}';
    m.payload_len = 7501;
    assert_int_equal(ertc_kvs_message_build(&m, NULL, NULL, &frame, NULL),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    free(big);
    assert_true(ertc_kvs_valid_id("a.b_c-9"));
    assert_false(ertc_kvs_valid_id(""));
    assert_false(ertc_kvs_valid_id("a b"));
}

static void test_parse_real_shapes(void **state)
{
    (void)state;
    char frame[4096];
    /* as the service sends towards a master (spec §3.3, issue #988's shape) */
    snprintf(frame, sizeof(frame),
             "{\"messagePayload\":\"%s\",\"messageType\":\"ICE_CANDIDATE\","
             "\"senderClientId\":\"J7AHP05GXWG\"}",
             b64(CANDIDATE_JSON));
    ertc_kvs_incoming_t in;
    ertc_kvs_drop_t why;
    assert_int_equal(ertc_kvs_message_parse(frame, strlen(frame), &in, &why),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ERTC_KVS_MSG_ICE_CANDIDATE);
    assert_string_equal(in.sender, "J7AHP05GXWG");
    assert_string_equal(in.payload, CANDIDATE_JSON); /* exactly what the peer sent */
    assert_int_equal(in.payload_len, strlen(CANDIDATE_JSON));
    assert_int_equal(ertc_kvs_msg_to_app_type(in.type), ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
    ertc_kvs_incoming_free(&in);
    /* capitalised keys (C SDK), no sender (towards a viewer) */
    snprintf(frame, sizeof(frame), "{\"MessageType\":\"SDP_ANSWER\",\"MessagePayload\":\"%s\"}",
             b64(SDP_OFFER_JSON));
    assert_int_equal(ertc_kvs_message_parse(frame, strlen(frame), &in, &why),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ERTC_KVS_MSG_SDP_ANSWER);
    assert_string_equal(in.sender, "");
    assert_int_equal(ertc_kvs_msg_to_app_type(in.type), ESP_WEBRTC_MESSAGE_ANSWER);
    ertc_kvs_incoming_free(&in);
    const char *go = "{\"messageType\":\"GO_AWAY\"}";
    assert_int_equal(ertc_kvs_message_parse(go, strlen(go), &in, &why), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ERTC_KVS_MSG_GO_AWAY);
    assert_null(in.payload);
    ertc_kvs_incoming_free(&in);
    const char *ri = "{\"messageType\":\"RECONNECT_ICE_SERVER\",\"messagePayload\":\"\"}";
    assert_int_equal(ertc_kvs_message_parse(ri, strlen(ri), &in, &why), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ERTC_KVS_MSG_RECONNECT_ICE_SERVER);
    ertc_kvs_incoming_free(&in);
}

static void test_parse_status_response(void **state)
{
    (void)state;
    const char *f = "{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"correlationId\":"
                    "\"c1\",\"errorType\":\"InvalidArgumentException\",\"statusCode\":\"400\","
                    "\"description\":\"no such recipient\",\"success\":false}}";
    ertc_kvs_incoming_t in;
    assert_int_equal(ertc_kvs_message_parse(f, strlen(f), &in, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ERTC_KVS_MSG_STATUS_RESPONSE);
    assert_string_equal(in.correlation_id, "c1");
    assert_string_equal(in.error_type, "InvalidArgumentException");
    assert_string_equal(in.description, "no such recipient");
    assert_int_equal(in.status_code, 400);
    assert_int_equal(ertc_kvs_status_response_status(&in), WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    in.status_code = 403;
    assert_int_equal(ertc_kvs_status_response_status(&in), WEBRTC_STATUS_SIGNALING_AUTH_FAILED);
    in.status_code = 429;
    assert_int_equal(ertc_kvs_status_response_status(&in), WEBRTC_STATUS_SIGNALING_RATE_LIMITED);
    in.status_code = 404;
    assert_int_equal(ertc_kvs_status_response_status(&in),
                     WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND);
    in.status_code = 200;
    assert_int_equal(ertc_kvs_status_response_status(&in), WEBRTC_STATUS_SUCCESS);
    ertc_kvs_incoming_free(&in);
    const char *num = "{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"statusCode\":"
                      "404,\"errorType\":\"ResourceNotFoundException\"}}";
    assert_int_equal(ertc_kvs_message_parse(num, strlen(num), &in, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.status_code, 404);
    ertc_kvs_incoming_free(&in);
}

static void expect_drop(const char *frame, size_t len, ertc_kvs_drop_t want)
{
    ertc_kvs_incoming_t in;
    ertc_kvs_drop_t why = ERTC_KVS_DROP_NONE;
    assert_true(ertc_kvs_message_parse(frame, len, &in, &why) != WEBRTC_STATUS_SUCCESS);
    assert_int_equal(why, want);
    assert_null(in.payload);
    assert_int_equal(in.type, ERTC_KVS_MSG_UNKNOWN);
}

static void test_bad_input_is_named(void **state)
{
    (void)state;
    expect_drop("{not json", 9, ERTC_KVS_DROP_BAD_JSON);
    expect_drop("[1,2]", 5, ERTC_KVS_DROP_BAD_JSON);
    const char *s = "{\"message\":\"Endpoint request timed out\",\"connectionId\":\"x\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_UNKNOWN_TYPE); /* API-gateway frames happen */
    s = "{\"messageType\":\"SOMETHING_NEW\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_UNKNOWN_TYPE);
    s = "{\"messageType\":7}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_UNKNOWN_TYPE);
    s = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"v\",\"messagePayload\":\"e30\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_BAD_BASE64); /* padding missing */
    s = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"v\",\"messagePayload\":\"aGVsbG8=\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_BAD_PAYLOAD); /* "hello" is not JSON */
    s = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"v\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_MISSING_FIELD);
    s = "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":5,\"messagePayload\":\"e30=\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_BAD_JSON);
    s = "{\"messageType\":\"STATUS_RESPONSE\"}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_MISSING_FIELD);
    s = "{\"messageType\":\"STATUS_RESPONSE\",\"statusResponse\":{\"statusCode\":\"4x\"}}";
    expect_drop(s, strlen(s), ERTC_KVS_DROP_BAD_JSON);
    /* a sender id over 256 characters */
    char frame[600];
    int n = snprintf(frame, sizeof(frame), "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"");
    memset(frame + n, 'a', 300);
    snprintf(frame + n + 300, sizeof(frame) - (size_t)n - 300, "\",\"messagePayload\":\"e30=\"}");
    expect_drop(frame, strlen(frame), ERTC_KVS_DROP_OVERSIZED);
    /* a frame over the limit is not even parsed */
    char *big = calloc(1, ERTC_KVS_MAX_FRAME_LEN + 2);
    assert_non_null(big);
    memset(big, ' ', ERTC_KVS_MAX_FRAME_LEN + 1);
    big[0] = '{';
    expect_drop(big, ERTC_KVS_MAX_FRAME_LEN + 1, ERTC_KVS_DROP_OVERSIZED);
    free(big);
    assert_string_equal(ertc_kvs_drop_name(ERTC_KVS_DROP_BAD_BASE64), "bad base64");
}

static void test_round_trip_through_the_codec(void **state)
{
    (void)state;
    /* what one side's peer connection sends is what the other side's receives */
    const char *payloads[] = {SDP_OFFER_JSON, CANDIDATE_JSON,
                              "{\"candidate\":\"candidate:2 1 tcp 1 ::1 9 typ host tcptype "
                              "active\",\"sdpMid\":\"1\",\"sdpMLineIndex\":1,"
                              "\"usernameFragment\":\"abcd\"}"};
    esp_webrtc_message_type_t types[] = {ESP_WEBRTC_MESSAGE_OFFER, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
                                         ESP_WEBRTC_MESSAGE_ICE_CANDIDATE};
    for (size_t i = 0; i < 3; i++) {
        esp_webrtc_signaling_message_t m = make_msg(types[i], payloads[i]);
        char *frame = NULL;
        assert_int_equal(ertc_kvs_message_build(&m, "peer", NULL, &frame, NULL),
                         WEBRTC_STATUS_SUCCESS);
        /* the service turns action into messageType and adds senderClientId */
        char *at = strstr(frame, "\"action\"");
        assert_non_null(at);
        char relayed[8192];
        snprintf(relayed, sizeof(relayed), "{\"senderClientId\":\"v1\",\"messageType\"%s",
                 at + strlen("\"action\""));
        ertc_kvs_incoming_t in;
        assert_int_equal(ertc_kvs_message_parse(relayed, strlen(relayed), &in, NULL),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_kvs_msg_to_app_type(in.type), types[i]);
        assert_string_equal(in.payload, payloads[i]);
        ertc_kvs_incoming_free(&in);
        ertc_free(frame);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_master_answer),
        cmocka_unit_test(test_build_viewer_offer_and_candidate),
        cmocka_unit_test(test_build_refusals),
        cmocka_unit_test(test_parse_real_shapes),
        cmocka_unit_test(test_parse_status_response),
        cmocka_unit_test(test_bad_input_is_named),
        cmocka_unit_test(test_round_trip_through_the_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
