/*
 * The AppRTC wire formats (signaling/apprtc/apprtc_message): the reference join answer with
 * string-typed fields, Collider frames and errors, and messages both ways, including the
 * candidate shapes of browsers, Android and KVS-ESP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "signaling/apprtc/apprtc_message.h"
#include "util/alloc.h"

static const char *JOIN =
    "{\"result\": \"SUCCESS\", \"params\": {\"client_id\": \"57812349\", \"room_id\": \"r1\", "
    "\"is_initiator\": \"false\", \"messages\": [\"{\\\"type\\\":\\\"offer\\\",\\\"sdp\\\":"
    "\\\"v=0\\\\r\\\\n\\\"}\"], \"wss_url\": \"ws://127.0.0.1:8080/ws\", \"wss_post_url\": "
    "\"http://127.0.0.1:8080\", \"pc_config\": \"{\\\"iceServers\\\": [{\\\"urls\\\": "
    "[\\\"stun:127.0.0.1:3478\\\", \\\"turn:127.0.0.1:3478?transport=udp\\\"], "
    "\\\"username\\\": \\\"1700000000:edgertc\\\", \\\"credential\\\": \\\"c2VjcmV0\\\"}], "
    "\\\"bundlePolicy\\\": \\\"max-bundle\\\"}\", \"ice_server_url\": "
    "\"http://127.0.0.1:8080/v1alpha/iceconfig?key=\"}}";

static void test_join_reference_shapes(void **state)
{
    (void)state;
    apprtc_join_t j;
    char err[APPRTC_ERROR_LEN];
    assert_int_equal(apprtc_parse_join(JOIN, strlen(JOIN), &j, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(j.client_id, "57812349");
    assert_false(j.is_initiator); /* the STRING "false" */
    assert_string_equal(j.wss_url, "ws://127.0.0.1:8080/ws");
    assert_string_equal(j.wss_post_url, "http://127.0.0.1:8080");
    assert_int_equal(j.message_count, 1);
    assert_non_null(strstr(j.messages[0], "\"offer\""));
    assert_int_equal(j.ice_server_count, 2); /* one entry per URL */
    assert_string_equal(j.ice_servers[1].urls, "turn:127.0.0.1:3478?transport=udp");
    assert_string_equal(j.ice_servers[1].username, "1700000000:edgertc");
    apprtc_join_free(&j);

    const char *full = "{\"result\":\"FULL\",\"params\":{\"messages\":[]}}";
    assert_int_equal(apprtc_parse_join(full, strlen(full), &j, err, sizeof(err)),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_non_null(strstr(err, "full"));
    apprtc_join_free(&j);

    static const char bad_client[] = "{\"result\":\"SUCCESS\",\"params\":{\"client_id\":"
                                     "\"../x\",\"wss_url\":\"ws://h/ws\",\"is_initiator\":"
                                     "\"true\"}}";
    const char *bad[] = {"not json", "{\"result\":\"SUCCESS\"}", bad_client,
                         "{\"result\":\"ERROR\",\"params\":{}}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(apprtc_parse_join(bad[i], strlen(bad[i]), &j, err, sizeof(err)),
                         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
        assert_true(strlen(err) > 0);
        apprtc_join_free(&j);
    }
}

static void test_collider_frames(void **state)
{
    (void)state;
    char *inner = NULL;
    char err[APPRTC_ERROR_LEN];
    const char *frame = "{\"msg\":\"{\\\"type\\\":\\\"bye\\\"}\",\"error\":\"\"}\n";
    assert_int_equal(apprtc_parse_collider_frame(frame, strlen(frame), &inner, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(inner, "{\"type\":\"bye\"}");
    ertc_free(inner);
    const char *error = "{\"msg\":\"\",\"error\":\"Client not registered\"}";
    assert_int_equal(apprtc_parse_collider_frame(error, strlen(error), &inner, err, sizeof(err)),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    assert_non_null(strstr(err, "Client not registered"));
    assert_null(inner);
    const char *heartbeat = "{\"msg\":\"\",\"error\":\"\"}";
    assert_int_equal(
        apprtc_parse_collider_frame(heartbeat, strlen(heartbeat), &inner, err, sizeof(err)),
        WEBRTC_STATUS_SUCCESS);
    assert_null(inner);
}

static void expect_candidate(const char *wire, const char *cand, const char *mid, const char *idx)
{
    apprtc_incoming_t in;
    assert_int_equal(apprtc_parse_message(wire, strlen(wire), &in), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
    assert_non_null(strstr(in.payload, cand));
    assert_non_null(strstr(in.payload, mid));
    assert_non_null(strstr(in.payload, idx));
    apprtc_incoming_free(&in);
}

static void test_incoming_messages_are_normalised(void **state)
{
    (void)state;
    apprtc_incoming_t in;
    const char *offer = "{\"sdp\":\"v=0\\r\\n\",\"type\":\"offer\",\"clientId\":\"x\"}";
    assert_int_equal(apprtc_parse_message(offer, strlen(offer), &in), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ESP_WEBRTC_MESSAGE_OFFER);
    assert_string_equal(in.payload, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}");
    apprtc_incoming_free(&in);
    /* the browser's, KVS-ESP's and the typeless forms */
    expect_candidate("{\"type\":\"candidate\",\"label\":1,\"id\":\"1\",\"candidate\":\"candidate:a\"}",
                     "\"candidate\":\"candidate:a\"", "\"sdpMid\":\"1\"", "\"sdpMLineIndex\":1");
    expect_candidate("{\"type\":\"iceCandidate\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\","
                     "\"candidate\":\"candidate:b\"}",
                     "candidate:b", "\"sdpMid\":\"0\"", "\"sdpMLineIndex\":0");
    expect_candidate("{\"candidate\":\"candidate:c\",\"sdpMid\":\"2\",\"sdpMLineIndex\":2}",
                     "candidate:c", "\"sdpMid\":\"2\"", "\"sdpMLineIndex\":2");
    const char *bye = "{\"type\":\"bye\"}";
    assert_int_equal(apprtc_parse_message(bye, strlen(bye), &in), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ESP_WEBRTC_MESSAGE_BYE);
    const char *hb = "{\"error\":\"\"}";
    assert_int_equal(apprtc_parse_message(hb, strlen(hb), &in), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ESP_WEBRTC_MESSAGE_UNKNOWN); /* a heartbeat: ignored */
    const char *custom = "{\"type\":\"customized\",\"data\":\"RING\"}";
    assert_int_equal(apprtc_parse_message(custom, strlen(custom), &in), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(in.type, ESP_WEBRTC_MESSAGE_CUSTOM_BASE);
    assert_string_equal(in.payload, "RING");
    apprtc_incoming_free(&in);
    const char *broken[] = {"{", "{\"type\":\"offer\"}", "{\"type\":\"candidate\"}"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(apprtc_parse_message(broken[i], strlen(broken[i]), &in),
                         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    }
}

static void test_outgoing_messages(void **state)
{
    (void)state;
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    char *out = NULL;
    size_t n = 0;
    m.message_type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
    m.payload = "{\"candidate\":\"candidate:1 1 udp 1 10.0.0.1 5 typ host\",\"sdpMid\":\"0\","
                "\"sdpMLineIndex\":0}";
    m.payload_len = (uint32_t)strlen(m.payload);
    assert_int_equal(apprtc_message_to_json(&m, &out, &n), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "{\"type\":\"candidate\",\"label\":0,\"id\":\"0\",\"candidate\":"
                             "\"candidate:1 1 udp 1 10.0.0.1 5 typ host\"}");
    char *wrapped = NULL;
    assert_int_equal(apprtc_wrap_send(out, &wrapped, &n), WEBRTC_STATUS_SUCCESS);
    assert_non_null(strstr(wrapped, "{\"cmd\":\"send\",\"msg\":\"{\\\"type\\\":\\\"candidate"));
    ertc_free(wrapped);
    ertc_free(out);
    m.payload = "{\"candidate\":\"\"}"; /* end of candidates */
    m.payload_len = (uint32_t)strlen(m.payload);
    assert_int_equal(apprtc_message_to_json(&m, &out, &n), WEBRTC_STATUS_NOT_FOUND);
    m.message_type = ESP_WEBRTC_MESSAGE_ANSWER;
    m.payload = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}";
    m.payload_len = (uint32_t)strlen(m.payload);
    assert_int_equal(apprtc_message_to_json(&m, &out, &n), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}");
    ertc_free(out);
    m.message_type = ESP_WEBRTC_MESSAGE_GO_AWAY; /* not an AppRTC message */
    assert_int_equal(apprtc_message_to_json(&m, &out, &n), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(apprtc_make_register("r1", "c1", &out, &n), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "{\"cmd\":\"register\",\"roomid\":\"r1\",\"clientid\":\"c1\"}");
    ertc_free(out);
    assert_true(apprtc_valid_id("room_1-A"));
    assert_false(apprtc_valid_id("room 1"));
    assert_false(apprtc_valid_id(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_reference_shapes),
        cmocka_unit_test(test_collider_frames),
        cmocka_unit_test(test_incoming_messages_are_normalised),
        cmocka_unit_test(test_outgoing_messages),
    };
    return cmocka_run_group_tests_name("apprtc_message", tests, NULL, NULL);
}
