/*
 * test_mdns — the mDNS query builder and response parser (peer/mdns.h): the query's exact
 * bytes (RFC 6762 §5.4 QU bit, RFC 1035 labels), responses in the shapes responders send
 * (tests/data/mdns: two real answers captured from Chromium's responder, legacy unicast with the
 * question echoed and a compressed name, a cache-flush answer, the A record in the additional
 * section after an AAAA, another name), and bad input: pointer loops, forward pointers, overruns,
 * too many records, long names. And the ICE agent's side (ice_mdns.c) on loopback: Chromium's
 * multicast answer heard on the shared 5353 listener, which lives only while a name is pending.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "peer/ice_agent_internal.h"
#include "peer/mdns.h"
#include "port/loop.h"
#include "port/port.h"

#define NAME "0b6c4f1e-2f1a-4c1e-9a55-2a4b5c6d7e8f.local"

static size_t load(const char *file, uint8_t *buf, size_t size)
{
    const char *dir = getenv("ERTC_TEST_DATA");
    if (dir == NULL) {
        fail_msg("ERTC_TEST_DATA is not set");
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/mdns/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return n;
}

static void assert_ip(const ertc_addr_t *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
    assert_int_equal(a->family, ERTC_AF_INET);
    assert_int_equal(a->ip[0], b0);
    assert_int_equal(a->ip[1], b1);
    assert_int_equal(a->ip[2], b2);
    assert_int_equal(a->ip[3], b3);
}

static void test_query_bytes(void **state)
{
    (void)state;
    uint8_t buf[300];
    size_t len = 0;
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 0xBEEF, "ab.local", &len),
                     WEBRTC_STATUS_SUCCESS);
    static const uint8_t expect[] = {0xBE, 0xEF, 0,   0, 0,   1,   0,   0,   0,   0,
                                     0,    0,                                        /* header */
                                     2,    'a',  'b', 5, 'l', 'o', 'c', 'a', 'l', 0, /* name */
                                     0,    1,                                        /* type A */
                                     0x80, 1};                                       /* QU | IN */
    assert_int_equal(len, sizeof(expect));
    assert_memory_equal(buf, expect, sizeof(expect));
    /* A trailing dot is the same name. */
    size_t len2 = 0;
    uint8_t buf2[300];
    assert_int_equal(ertc_mdns_build_query(buf2, sizeof(buf2), 0xBEEF, "ab.local.", &len2),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len2, len);
    assert_memory_equal(buf2, buf, len);
}

static void test_query_bad_names(void **state)
{
    (void)state;
    uint8_t buf[600];
    size_t len;
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 1, "", &len),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 1, "a..local", &len),
                     WEBRTC_STATUS_INVALID_ARG);
    char label[80];
    memset(label, 'x', 64);
    strcpy(label + 64, ".local");
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 1, label, &len),
                     WEBRTC_STATUS_INVALID_ARG);
    char longname[300];
    memset(longname, 'a', sizeof(longname));
    for (size_t i = 10; i < sizeof(longname); i += 11) {
        longname[i] = '.';
    }
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 1, longname, &len),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_mdns_build_query(buf, 20, 1, NAME, &len), WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_query_round_trip(void **state)
{
    (void)state;
    uint8_t buf[300];
    size_t len = 0, pos = ERTC_MDNS_HEADER_LEN;
    char name[ERTC_MDNS_MAX_NAME + 1];
    assert_int_equal(ertc_mdns_build_query(buf, sizeof(buf), 7, NAME, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_mdns_read_name(buf, len, &pos, name), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(name, NAME);
    assert_int_equal(pos, len - 4);
    /* Our own query looped back is not an answer. */
    ertc_addr_t a;
    assert_int_equal(ertc_mdns_find_a(buf, len, NAME, &a, NULL), WEBRTC_STATUS_NOT_FOUND);
}

static void test_legacy_unicast_compressed(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = load("legacy_unicast_compressed.bin", buf, sizeof(buf));
    ertc_addr_t a;
    uint16_t id = 0;
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, &id), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(id, 0x1234);
    assert_ip(&a, 192, 168, 1, 23);
    assert_int_equal(a.port, 0);
    /* A truncated copy is malformed, never read past its end. */
    for (size_t cut = 0; cut < n; cut++) {
        assert_int_not_equal(ertc_mdns_find_a(buf, cut, NAME, &a, NULL), WEBRTC_STATUS_SUCCESS);
    }
}

/* Real answers of Chromium's mDNS responder (tests/data/mdns/README.md). */
static void test_chromium_answers(void **state)
{
    (void)state;
    static const char chromium_name[] = "ac1b67c2-3635-4f3c-9800-7ae98119363d.local";
    uint8_t buf[512];
    ertc_addr_t a;
    uint16_t id = 1;
    size_t n = load("chromium_a_answer.bin", buf, sizeof(buf));
    assert_int_equal(ertc_mdns_find_a(buf, n, chromium_name, &a, &id), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(id, 0);
    assert_ip(&a, 10, 77, 0, 1);
    /* The AAAA answer (another name) has no A record: nothing for an IPv4 agent. */
    n = load("chromium_aaaa_answer.bin", buf, sizeof(buf));
    assert_int_equal(ertc_mdns_find_a(buf, n, chromium_name, &a, NULL), WEBRTC_STATUS_NOT_FOUND);
    size_t pos = ERTC_MDNS_HEADER_LEN;
    char name[ERTC_MDNS_MAX_NAME + 1];
    assert_int_equal(ertc_mdns_read_name(buf, n, &pos, name), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(name), strlen(chromium_name));
}

static void test_answer_flush(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = load("answer_flush.bin", buf, sizeof(buf));
    ertc_addr_t a;
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, NULL), WEBRTC_STATUS_SUCCESS);
    assert_ip(&a, 192, 168, 1, 23);
    assert_int_equal(ertc_mdns_find_a(buf, n, "other.local", &a, NULL), WEBRTC_STATUS_NOT_FOUND);
}

static void test_additional_section_and_case(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = load("aaaa_then_additional_a.bin", buf, sizeof(buf));
    ertc_addr_t a;
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, NULL), WEBRTC_STATUS_SUCCESS);
    assert_ip(&a, 10, 0, 0, 7);
}

static void test_other_name_and_loops(void **state)
{
    (void)state;
    uint8_t buf[512];
    ertc_addr_t a;
    size_t n = load("other_name.bin", buf, sizeof(buf));
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, NULL), WEBRTC_STATUS_NOT_FOUND);
    n = load("pointer_loop.bin", buf, sizeof(buf));
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, NULL), WEBRTC_STATUS_MALFORMED);
    n = load("query.bin", buf, sizeof(buf));
    assert_int_equal(ertc_mdns_find_a(buf, n, NAME, &a, NULL), WEBRTC_STATUS_NOT_FOUND);
}

static void test_bad_names(void **state)
{
    (void)state;
    char out[ERTC_MDNS_MAX_NAME + 1];
    size_t pos;
    /* Forward pointer, self pointer, reserved label types, overrun. */
    static const uint8_t fwd[] = {0xC0, 0x04, 0, 0, 1, 'a', 0};
    pos = 0;
    assert_int_equal(ertc_mdns_read_name(fwd, sizeof(fwd), &pos, out), WEBRTC_STATUS_MALFORMED);
    static const uint8_t self[] = {1, 'a', 0xC0, 0x02};
    pos = 2;
    assert_int_equal(ertc_mdns_read_name(self, sizeof(self), &pos, out), WEBRTC_STATUS_MALFORMED);
    static const uint8_t ext[] = {0x41, 'a', 0};
    pos = 0;
    assert_int_equal(ertc_mdns_read_name(ext, sizeof(ext), &pos, out), WEBRTC_STATUS_MALFORMED);
    static const uint8_t over[] = {5, 'a', 'b'};
    pos = 0;
    assert_int_equal(ertc_mdns_read_name(over, sizeof(over), &pos, out), WEBRTC_STATUS_MALFORMED);
    /* A chain of backward pointers longer than ERTC_MDNS_MAX_JUMPS. */
    uint8_t chain[2 + 2 * 40];
    chain[0] = 0;
    chain[1] = 0;
    for (size_t i = 1; i <= 40; i++) {
        chain[2 * i] = 0xC0;
        chain[2 * i + 1] = (uint8_t)(2 * (i - 1));
    }
    pos = 2 * 40;
    assert_int_equal(ertc_mdns_read_name(chain, sizeof(chain), &pos, out), WEBRTC_STATUS_MALFORMED);
    pos = 2 * 4; /* a short chain is fine: ends at the root label */
    assert_int_equal(ertc_mdns_read_name(chain, sizeof(chain), &pos, out), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "");
    assert_int_equal(pos, 2 * 4 + 2);
    /* Names over 253 characters, built from pointers to 63-byte labels. */
    uint8_t big[64 * 5 + 2];
    size_t w = 0;
    for (int l = 0; l < 5; l++) {
        big[w++] = 63;
        memset(big + w, 'x', 63);
        w += 63;
    }
    big[w++] = 0;
    pos = 0;
    assert_int_equal(ertc_mdns_read_name(big, w, &pos, out), WEBRTC_STATUS_MALFORMED);
}

static void test_record_count_bounded(void **state)
{
    (void)state;
    uint8_t buf[ERTC_MDNS_HEADER_LEN] = {0, 0, 0x84, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0};
    ertc_addr_t a;
    assert_int_equal(ertc_mdns_find_a(buf, sizeof(buf), NAME, &a, NULL),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    buf[6] = 0;
    buf[7] = 1; /* one record announced, none there */
    assert_int_equal(ertc_mdns_find_a(buf, sizeof(buf), NAME, &a, NULL), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_mdns_find_a(buf, 5, NAME, &a, NULL), WEBRTC_STATUS_MALFORMED);
}

/* ---- the ICE agent's resolution on loopback ------------------------------------------------ */

#define CHROMIUM_NAME "ac1b67c2-3635-4f3c-9800-7ae98119363d.local"

static void run_until(ertc_loop_t *loop, ertc_ice_agent_t *agent, uint32_t resolved,
                      uint32_t timeouts, bool listening, uint32_t max_ms)
{
    uint64_t give_up = ertc_time_mono_ms() + max_ms;
    ertc_ice_stats_t st;
    do {
        (void)ertc_loop_run_once(loop, 5);
        ertc_ice_agent_get_stats(agent, &st);
    } while ((st.mdns_resolved != resolved || st.mdns_timeouts != timeouts ||
              agent->mdns_listening != listening) &&
             ertc_time_mono_ms() < give_up);
    assert_int_equal(st.mdns_resolved, resolved);
    assert_int_equal(st.mdns_timeouts, timeouts);
    assert_int_equal(agent->mdns_listening, listening);
}

/* Chromium's real multicast answer (its address changed to 127.0.0.2), sent to the group on
 * lo from port 5353 as Chromium does, is heard on the agent's shared listener, which exists
 * only while a name is pending: opened by the query, closed once answered, reopened for the
 * next name, closed after its timeout, and closed by destroy. The group is joined on
 * 127.0.0.1 only and no remote credentials are set (no check leaves): nothing goes beyond lo. */
static void test_agent_multicast_answer_and_listener_life(void **state)
{
    (void)state;
    uint8_t answer[512];
    size_t n = load("chromium_a_answer.bin", answer, sizeof(answer));
    static const uint8_t chromium_ip[4] = {10, 77, 0, 1};
    assert_memory_equal(answer + 0x42, chromium_ip, 4);
    static const uint8_t test_ip[4] = {127, 0, 0, 2};
    memcpy(answer + 0x42, test_ip, 4);

    ertc_loop_t *loop;
    assert_int_equal(ertc_loop_create(&loop, 8), WEBRTC_STATUS_SUCCESS);
    ertc_ice_config_t cfg;
    ertc_ice_config_init(&cfg);
    cfg.name = "mdns";
    cfg.include_loopback = true;
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &cfg.interfaces[0]), WEBRTC_STATUS_SUCCESS);
    cfg.interface_count = 1;
    ertc_ice_agent_t *agent;
    assert_int_equal(ertc_ice_agent_create(loop, &cfg, NULL, NULL, &agent), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ice_agent_start(agent), WEBRTC_STATUS_SUCCESS);
    assert_false(agent->mdns_listening);

    assert_int_equal(ertc_ice_agent_add_remote_candidate(
                         agent, "candidate:1 1 udp 2122260223 " CHROMIUM_NAME " 50000 typ host"),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(agent->mdns_listening);

    /* Chromium's responder: a socket sharing 5353, answering to the group out of lo. */
    ertc_addr_t lo, group;
    memset(&lo, 0, sizeof(lo));
    memset(&group, 0, sizeof(group));
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &lo), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_addr_parse_ip(ERTC_MDNS_GROUP_V4, &group), WEBRTC_STATUS_SUCCESS);
    group.port = ERTC_MDNS_PORT;
    ertc_socket_t responder;
    assert_int_equal(ertc_udp_open_multicast(&group, &lo, 1, &responder), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_sendto(responder, answer, n, &group), WEBRTC_STATUS_SUCCESS);
    run_until(loop, agent, 1, 0, false, 2000);
    assert_int_equal(agent->remote_count, 1);
    assert_memory_equal(agent->remotes[0].addr.ip, test_ip, 4);
    assert_int_equal(agent->remotes[0].addr.port, 50000);
    assert_int_equal(agent->remotes[0].type, ERTC_SDP_CANDIDATE_HOST);

    /* A name nobody answers: the listener lives until the 3 s timeout. */
    assert_int_equal(ertc_ice_agent_add_remote_candidate(
                         agent, "candidate:2 1 udp 2122260223 nobody-here.local 50001 typ host"),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(agent->mdns_listening);
    run_until(loop, agent, 1, 1, false, 5000);

    /* Destroy with a name pending closes the listener. */
    assert_int_equal(ertc_ice_agent_add_remote_candidate(
                         agent, "candidate:3 1 udp 2122260223 nobody-else.local 50002 typ host"),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(agent->mdns_listening);
    int fd = agent->mdns_sock;
    ertc_ice_agent_destroy(agent);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    ertc_socket_close(responder);
    ertc_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_bytes),
        cmocka_unit_test(test_query_bad_names),
        cmocka_unit_test(test_query_round_trip),
        cmocka_unit_test(test_legacy_unicast_compressed),
        cmocka_unit_test(test_chromium_answers),
        cmocka_unit_test(test_answer_flush),
        cmocka_unit_test(test_additional_section_and_case),
        cmocka_unit_test(test_other_name_and_loops),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_record_count_bounded),
        cmocka_unit_test(test_agent_multicast_answer_and_listener_life),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
