/*
 * test_pc_if_message — the peer-connection interface's parsers and builders: SDP and
 * candidate payloads in the forms the signaling backends use (esp-port-api.md §2.3, the
 * AppRTC backend's {"candidate","sdpMid","sdpMLineIndex"}), bare SDP and candidate lines,
 * and every refusal with its reason; ICE server URLs (RFC 7064/7065) and the sorting of
 * app_webrtc_ice_server_t records into STUN/TURN tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "peer/pc_if_ice.h"
#include "peer/pc_if_message.h"
#include "util/alloc.h"

static WEBRTC_STATUS sdp_of(const char *payload, bool offer, char **sdp, char *err)
{
    size_t len = 0;
    return ertc_pc_if_parse_sdp(payload, strlen(payload), offer, sdp, &len, err,
                                ERTC_PC_IF_ERROR_SIZE);
}

static void test_sdp_payloads(void **state)
{
    (void)state;
    char err[ERTC_PC_IF_ERROR_SIZE];
    char *sdp = NULL;
    assert_int_equal(sdp_of("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\ns=-\\r\\n\"}", true, &sdp, err),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(sdp, "v=0\r\ns=-\r\n");
    ertc_free(sdp);
    /* No "type": the message type says it. */
    assert_int_equal(sdp_of("{\"sdp\":\"v=0\\r\\n\"}", false, &sdp, err), WEBRTC_STATUS_SUCCESS);
    ertc_free(sdp);
    /* Bare SDP text. */
    assert_int_equal(sdp_of("  v=0\r\ns=-\r\n", true, &sdp, err), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(sdp, "v=0\r\ns=-\r\n");
    ertc_free(sdp);
    /* Refusals. */
    assert_int_equal(sdp_of("{\"type\":\"answer\",\"sdp\":\"v=0\"}", true, &sdp, err),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(err, "not \"offer\""));
    assert_null(sdp);
    assert_int_equal(sdp_of("{\"type\":\"offer\"}", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    assert_non_null(strstr(err, "\"sdp\""));
    assert_int_equal(sdp_of("{\"sdp\":7}", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(sdp_of("{\"sdp\":\"\"}", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(sdp_of("[\"v=0\"]", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(sdp_of("{\"sdp\":\"v=0\"", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(sdp_of("hello", true, &sdp, err), WEBRTC_STATUS_MALFORMED);
    size_t len = 0;
    assert_int_equal(ertc_pc_if_parse_sdp("v=0\0x", 5, true, &sdp, &len, err, sizeof(err)),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_pc_if_parse_sdp("v=0", APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN + 1, true, &sdp,
                                          &len, err, sizeof(err)),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_pc_if_parse_sdp(NULL, 0, true, &sdp, &len, err, sizeof(err)),
                     WEBRTC_STATUS_NULL_ARG);
}

static WEBRTC_STATUS cand_of(const char *payload, char *line, char *err)
{
    return ertc_pc_if_parse_candidate(payload, strlen(payload), line, ERTC_PC_IF_MAX_CANDIDATE, err,
                                      ERTC_PC_IF_ERROR_SIZE);
}

static void test_candidate_payloads(void **state)
{
    (void)state;
    char err[ERTC_PC_IF_ERROR_SIZE];
    char line[ERTC_PC_IF_MAX_CANDIDATE];
    const char *c = "candidate:1 1 udp 2130706431 10.77.0.1 5000 typ host";
    char json[256];
    snprintf(json, sizeof(json), "{\"candidate\":\"%s\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}", c);
    assert_int_equal(cand_of(json, line, err), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(line, c);
    assert_int_equal(cand_of("{\"candidate\":\"\",\"sdpMid\":\"0\"}", line, err),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(line, ""); /* end-of-candidates */
    assert_int_equal(cand_of("a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n", line, err),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(line, "a=candidate:1 1 udp 1 127.0.0.1 9 typ host");
    assert_int_equal(cand_of("{\"candidate\":null}", line, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(cand_of("{\"sdpMid\":\"0\"}", line, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(cand_of("{\"candidate\":\"typ host\"}", line, err), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(cand_of("{\"candidate\":\"candidate:1\\n2\"}", line, err),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(cand_of("garbage", line, err), WEBRTC_STATUS_MALFORMED);
    char big[2100];
    memset(big, 'x', sizeof(big));
    memcpy(big, "candidate:", 10);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(cand_of(big, line, err), WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_builders_round_trip(void **state)
{
    (void)state;
    char *json = NULL;
    size_t len = 0;
    const char *sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=x:\"quoted\"\\\r\n";
    assert_int_equal(ertc_pc_if_build_sdp(false, sdp, strlen(sdp), &json, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(json), len);
    assert_non_null(strstr(json, "\"type\":\"answer\""));
    char *back = NULL;
    size_t back_len = 0;
    char err[ERTC_PC_IF_ERROR_SIZE];
    assert_int_equal(ertc_pc_if_parse_sdp(json, len, false, &back, &back_len, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(back, sdp);
    ertc_free(back);
    ertc_free(json);
    assert_int_equal(
        ertc_pc_if_build_candidate("candidate:1 1 udp 1 1.2.3.4 5 typ host", &json, &len),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(json, "{\"candidate\":\"candidate:1 1 udp 1 1.2.3.4 5 typ host\","
                              "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    ertc_free(json);
}

static void test_sdp_with_candidates(void **state)
{
    (void)state;
    const char *sdp = "v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
                      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\n";
    char c0[] = "candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host";
    char c1[] = "a=candidate:2 1 udp 1694498815 192.0.2.1 6000 typ srflx raddr 0.0.0.0 rport 0";
    char *lines[] = {c0, c1};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(ertc_pc_if_sdp_with_candidates(sdp, strlen(sdp), lines, 2, &out, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
                             "a=candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host\r\n"
                             "a=candidate:2 1 udp 1694498815 192.0.2.1 6000 typ srflx raddr "
                             "0.0.0.0 rport 0\r\n"
                             "a=end-of-candidates\r\n"
                             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\n");
    assert_int_equal(strlen(out), len);
    ertc_free(out);
    /* One m-section without a final line break; no candidates at all. */
    const char *one = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0";
    assert_int_equal(ertc_pc_if_sdp_with_candidates(one, strlen(one), NULL, 0, &out, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"
                             "a=end-of-candidates\r\n");
    ertc_free(out);
    assert_int_equal(ertc_pc_if_sdp_with_candidates("v=0\r\n", 5, NULL, 0, &out, &len),
                     WEBRTC_STATUS_MALFORMED);
}

static WEBRTC_STATUS url_of(const char *s, ertc_ice_url_t *u)
{
    char err[96];
    return ertc_pc_if_parse_ice_url(s, strlen(s), u, err, sizeof(err));
}

static void test_ice_urls(void **state)
{
    (void)state;
    ertc_ice_url_t u;
    assert_int_equal(url_of("stun:10.77.0.1", &u), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(u.scheme, ERTC_ICE_URL_STUN);
    assert_string_equal(u.host, "10.77.0.1");
    assert_true(u.host_is_literal);
    assert_int_equal(u.port, 3478);
    assert_int_equal(url_of("TURN:turn.example.net:443?transport=udp", &u), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(u.scheme, ERTC_ICE_URL_TURN);
    assert_false(u.host_is_literal);
    assert_int_equal(u.port, 443);
    assert_false(u.transport_tcp);
    assert_int_equal(url_of("turn:[::1]:3479?transport=tcp", &u), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(u.host, "::1");
    assert_true(u.transport_tcp);
    assert_int_equal(
        url_of("turns:1-2-3-4.t-x.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp", &u),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(u.scheme, ERTC_ICE_URL_TURNS);
    assert_int_equal(url_of("stuns:x.example", &u), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(u.port, 5349);
    assert_int_equal(url_of("stun://x.example:19302", &u), WEBRTC_STATUS_SUCCESS);
    const char *bad[] = {
        "",
        "stun:",
        "stun::3478",
        "http://x",
        "stun:x:0",
        "stun:x:65536",
        "stun:x:",
        "stun:x?transport=udp",
        "turn:x?transport=sctp",
        "turn:[::1",
        "turn:[not-v6]",
        "stun:a b",
        "stun:x:12a",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(url_of(bad[i], &u), WEBRTC_STATUS_MALFORMED);
    }
}

static void test_ice_prepare(void **state)
{
    (void)state;
    app_webrtc_ice_server_t s[8];
    memset(s, 0, sizeof(s));
    snprintf(s[0].urls, sizeof(s[0].urls), "stun:10.0.0.1:3478");
    snprintf(s[1].urls, sizeof(s[1].urls), "turn:10.0.0.2?transport=udp");
    snprintf(s[1].username, sizeof(s[1].username), "1700000000:dev");
    snprintf(s[1].credential, sizeof(s[1].credential), "pw");
    snprintf(s[2].urls, sizeof(s[2].urls), "turn:relay.example?transport=udp");
    snprintf(s[2].username, sizeof(s[2].username), "u");
    snprintf(s[3].urls, sizeof(s[3].urls), "turn:10.0.0.3"); /* no username */
    snprintf(s[4].urls, sizeof(s[4].urls), "turns:10.0.0.4");
    snprintf(s[5].urls, sizeof(s[5].urls), "turn:10.0.0.5");
    snprintf(s[5].username, sizeof(s[5].username), "u");
    snprintf(s[6].urls, sizeof(s[6].urls), "turn:10.0.0.6"); /* third TURN: table full */
    snprintf(s[6].username, sizeof(s[6].username), "u");
    memset(s[7].urls, 'x', sizeof(s[7].urls)); /* not terminated */
    ertc_pc_if_ice_set_t set;
    memset(&set, 0, sizeof(set));
    ertc_pc_if_ice_name_t names[ERTC_PC_IF_ICE_MAX_NAMES];
    size_t n = 0;
    assert_int_equal(ertc_pc_if_ice_prepare(s, 8, true, &set, names, &n), 4);
    assert_int_equal(set.stun_count, 1);
    assert_int_equal(set.turn_count, 2);
    assert_string_equal(set.turn[0].username, "1700000000:dev");
    assert_string_equal(set.turn[0].password, "pw");
    assert_int_equal(set.turn[0].addr.port, 3478);
    assert_int_equal(n, 1);
    assert_string_equal(names[0].host, "relay.example");
    assert_true(names[0].is_turn);
    ertc_pc_if_ice_set_clear(&set);
    assert_int_equal(set.turn[0].password[0], 0);
    n = 0;
    assert_int_equal(ertc_pc_if_ice_prepare(s, 8, false, &set, names, &n), 1); /* STUN only */
    assert_int_equal(set.turn_count, 0);
}

int main(void)
{
    ertc_alloc_route_libraries();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdp_payloads),
        cmocka_unit_test(test_candidate_payloads),
        cmocka_unit_test(test_builders_round_trip),
        cmocka_unit_test(test_sdp_with_candidates),
        cmocka_unit_test(test_ice_urls),
        cmocka_unit_test(test_ice_prepare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
