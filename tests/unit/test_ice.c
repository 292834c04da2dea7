/*
 * test_ice — the ICE agent (peer/ice_agent.h): two agents in one process on one loop,
 * talking over 127.0.0.1 and exchanging candidates and credentials directly, as signaling
 * would. Connectivity both ways, role conflict, wrong credentials, queued candidates,
 * peer-reflexive learning, consent loss, server-reflexive gathering against a STUN responder
 * in the test, garbage datagrams, remote candidate filtering.
 *
 * Timeouts are shortened through the config, and every wait has a generous upper bound
 * (a loaded CI machine): the tests assert outcomes, never tight timing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer/ice_agent.h"
#include "peer/ice_candidate.h"
#include "peer/stun.h"
#include "port/loop.h"
#include "port/port.h"
#include "port/socket.h"
#include "util/log.h"

#define WAIT_MS   15000 /* upper bound of any wait */
#define MAX_LINES 16

typedef struct peer {
    ertc_ice_agent_t *agent;
    struct peer *other;
    bool trickle_live; /* forward new candidates to other at once */
    bool forward_candidates;
    char lines[MAX_LINES][ERTC_SDP_CANDIDATE_TEXT_SIZE];
    ertc_sdp_candidate_t cands[MAX_LINES];
    int line_count;
    bool end_of_candidates;
    ertc_ice_state_t state;
    bool was_connected;
    bool was_disconnected;
    bool failed;
    uint8_t data[64];
    size_t data_len;
    int data_count;
} peer_t;

static ertc_loop_t *g_loop;

static void on_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c, const char *line,
                         void *arg)
{
    (void)agent;
    peer_t *p = arg;
    if (c == NULL) {
        assert_null(line);
        p->end_of_candidates = true;
        if (p->trickle_live && p->forward_candidates) {
            assert_int_equal(ertc_ice_agent_add_remote_candidate(p->other->agent, NULL),
                             WEBRTC_STATUS_SUCCESS);
        }
        return;
    }
    assert_true(p->line_count < MAX_LINES);
    snprintf(p->lines[p->line_count], sizeof(p->lines[0]), "%s", line);
    p->cands[p->line_count] = *c;
    p->line_count++;
    if (p->trickle_live && p->forward_candidates) {
        assert_int_equal(ertc_ice_agent_add_remote_candidate(p->other->agent, line),
                         WEBRTC_STATUS_SUCCESS);
    }
}

static void on_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    p->state = state;
    if (state == ERTC_ICE_STATE_CONNECTED || state == ERTC_ICE_STATE_COMPLETED) {
        p->was_connected = true;
    }
    if (state == ERTC_ICE_STATE_DISCONNECTED) {
        p->was_disconnected = true;
    }
    if (state == ERTC_ICE_STATE_FAILED) {
        p->failed = true;
    }
}

static void on_data(ertc_ice_agent_t *agent, const uint8_t *data, size_t len, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    p->data_len = len < sizeof(p->data) ? len : sizeof(p->data);
    memcpy(p->data, data, p->data_len);
    p->data_count++;
}

static const ertc_ice_callbacks_t callbacks = {on_candidate, on_state, on_data};

static void test_config(ertc_ice_config_t *cfg, const char *name, bool controlling)
{
    ertc_ice_config_init(cfg);
    cfg->name = name;
    cfg->controlling = controlling;
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &cfg->interfaces[0]), WEBRTC_STATUS_SUCCESS);
    cfg->interface_count = 1;
    cfg->ta_ms = 20;
    cfg->check_rto_ms = 100;
    cfg->check_max_tries = 5;
    cfg->checking_timeout_ms = 5000;
    cfg->consent_interval_ms = 200;
    cfg->consent_timeout_ms = 1500;
}

static void peer_create(peer_t *p, const ertc_ice_config_t *cfg)
{
    memset(p, 0, sizeof(*p));
    assert_int_equal(ertc_ice_agent_create(g_loop, cfg, &callbacks, p, &p->agent),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ice_agent_start(p->agent), WEBRTC_STATUS_SUCCESS);
}

static void link_peers(peer_t *a, peer_t *b)
{
    a->other = b;
    b->other = a;
}

static void give_credentials(peer_t *to, const peer_t *from)
{
    assert_int_equal(ertc_ice_agent_set_remote_credentials(to->agent,
                                                           ertc_ice_agent_local_ufrag(from->agent),
                                                           ertc_ice_agent_local_pwd(from->agent)),
                     WEBRTC_STATUS_SUCCESS);
}

/* Gives "to" every candidate "from" gathered so far, and the later ones as they come. */
static void give_candidates(peer_t *to, peer_t *from)
{
    for (int i = 0; i < from->line_count; i++) {
        assert_int_equal(ertc_ice_agent_add_remote_candidate(to->agent, from->lines[i]),
                         WEBRTC_STATUS_SUCCESS);
    }
    if (from->end_of_candidates) {
        assert_int_equal(ertc_ice_agent_add_remote_candidate(to->agent, ""), WEBRTC_STATUS_SUCCESS);
    }
    from->forward_candidates = true;
    from->trickle_live = true;
}

typedef bool (*done_fn)(void *arg);

static bool run_until(done_fn done, void *arg, uint32_t max_ms)
{
    uint64_t give_up = ertc_time_mono_ms() + max_ms;
    while (!done(arg)) {
        if (ertc_time_mono_ms() > give_up) {
            return false;
        }
        assert_int_equal(ertc_loop_run_once(g_loop, 20), WEBRTC_STATUS_SUCCESS);
    }
    return true;
}

static void run_for(uint32_t ms)
{
    uint64_t end = ertc_time_mono_ms() + ms;
    while (ertc_time_mono_ms() < end) {
        assert_int_equal(ertc_loop_run_once(g_loop, 10), WEBRTC_STATUS_SUCCESS);
    }
}

static bool both_connected(void *arg)
{
    peer_t *p = arg;
    return p->was_connected && p->other->was_connected;
}

static bool peer_failed(void *arg)
{
    return ((peer_t *)arg)->failed;
}

static bool got_data(void *arg)
{
    return ((peer_t *)arg)->data_count > 0;
}

static void assert_data_flows(peer_t *a, peer_t *b)
{
    const uint8_t ping[] = {0x80, 0x60, 1, 2, 3, 4}; /* looks like RTP */
    const uint8_t pong[] = {0x17, 0xfe, 0xfd, 9, 9}; /* looks like DTLS */
    assert_int_equal(ertc_ice_agent_send(a->agent, ping, sizeof(ping)), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(got_data, b, WAIT_MS));
    assert_int_equal(b->data_len, sizeof(ping));
    assert_memory_equal(b->data, ping, sizeof(ping));
    assert_int_equal(ertc_ice_agent_send(b->agent, pong, sizeof(pong)), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(got_data, a, WAIT_MS));
    assert_int_equal(a->data_len, sizeof(pong));
    assert_memory_equal(a->data, pong, sizeof(pong));
}

static void destroy_peers(peer_t *a, peer_t *b)
{
    ertc_ice_agent_destroy(a->agent);
    ertc_ice_agent_destroy(b->agent);
}

/* Both sides connected: each selected pair is the other's host candidate. */
static void connect_pair(peer_t *a, peer_t *b)
{
    give_credentials(a, b);
    give_credentials(b, a);
    give_candidates(a, b);
    give_candidates(b, a);
    assert_true(run_until(both_connected, a, WAIT_MS));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_priorities(void **state)
{
    (void)state;
    assert_int_equal(ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_HOST, 65535, 1),
                     (126u << 24) + (65535u << 8) + 255u);
    assert_true(ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_PRFLX, 65535, 1) <
                ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_HOST, 0, 1));
    assert_true(ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_SRFLX, 65535, 1) <
                ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_PRFLX, 0, 1));
    /* §6.1.2.3 with G=10, D=20: 2^32*10 + 2*20 + 0. */
    assert_true(ertc_ice_pair_priority(10, 20) == (10ull << 32) + 40);
    assert_true(ertc_ice_pair_priority(20, 10) == (10ull << 32) + 41);
    ertc_addr_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &a), WEBRTC_STATUS_SUCCESS);
    b = a;
    b.port = 999; /* the foundation ignores the port of the base */
    char f1[ERTC_ICE_FOUNDATION_SIZE], f2[ERTC_ICE_FOUNDATION_SIZE];
    ertc_ice_foundation(ERTC_SDP_CANDIDATE_HOST, &a, NULL, f1);
    ertc_ice_foundation(ERTC_SDP_CANDIDATE_HOST, &b, NULL, f2);
    assert_string_equal(f1, f2);
    ertc_ice_foundation(ERTC_SDP_CANDIDATE_SRFLX, &a, &b, f2);
    assert_string_not_equal(f1, f2);
}

static void test_credentials_and_host_candidate(void **state)
{
    (void)state;
    ertc_ice_config_t cfg;
    test_config(&cfg, "a", true);
    peer_t a;
    peer_create(&a, &cfg);
    assert_int_equal(strlen(ertc_ice_agent_local_ufrag(a.agent)), ERTC_ICE_UFRAG_LEN);
    assert_int_equal(strlen(ertc_ice_agent_local_pwd(a.agent)), ERTC_ICE_PWD_LEN);
    assert_int_equal(a.line_count, 1);
    assert_true(a.end_of_candidates); /* no STUN server: gathering ends at once */
    assert_int_equal(a.cands[0].type, ERTC_SDP_CANDIDATE_HOST);
    assert_string_equal(a.cands[0].address, "127.0.0.1");
    assert_int_equal(a.cands[0].priority, (126u << 24) + (65535u << 8) + 255u);
    assert_true(strncmp(a.lines[0], "candidate:", 10) == 0);
    uint8_t x = 0x80;
    assert_int_equal(ertc_ice_agent_send(a.agent, &x, 1), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(ertc_ice_agent_state(a.agent), ERTC_ICE_STATE_NEW);
    /* Short credentials are refused (RFC 8839). */
    assert_int_equal(ertc_ice_agent_set_remote_credentials(a.agent, "abc", "short"),
                     WEBRTC_STATUS_INVALID_ARG);
    ertc_ice_agent_destroy(a.agent);
}

static void test_connect_and_data(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    connect_pair(&a, &b);
    ertc_addr_t al, ar, bl, br;
    assert_int_equal(ertc_ice_agent_selected_pair(a.agent, &al, &ar), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ice_agent_selected_pair(b.agent, &bl, &br), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_addr_equal(&al, &br));
    assert_true(ertc_addr_equal(&ar, &bl));
    assert_true(ertc_ice_agent_is_controlling(a.agent));
    assert_false(ertc_ice_agent_is_controlling(b.agent));
    assert_data_flows(&a, &b);
    /* Consent keeps the session up over several consent timeouts. */
    run_for(2 * 1500 + 500);
    assert_false(a.failed);
    assert_false(b.failed);
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(a.agent, &st);
    assert_true(st.consent_requests > 0);
    assert_int_equal(st.integrity_failures, 0);
    destroy_peers(&a, &b);
}

/* The controlling agent nominates the first valid pair at once, not at its next Ta tick: with
 * a Ta of 1 s on the controlling side, the first check goes out at its first tick (~1 s) and
 * the connection must follow within that tick, not at the second one (~2 s). */
static void test_nomination_not_paced(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    ca.ta_ms = 1000;
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    uint64_t start = ertc_time_mono_ms();
    connect_pair(&a, &b);
    uint64_t took = ertc_time_mono_ms() - start;
    assert_true(took < 1700); /* ~1000 now; ~2000 if the nomination waited for a tick */
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(a.agent, &st);
    assert_int_equal(st.checks_sent, 2); /* the ordinary check, then the nomination */
    destroy_peers(&a, &b);
}

static void test_role_conflict(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        bool controlling = round == 0; /* both controlling, then both controlled */
        ertc_ice_config_t ca, cb;
        test_config(&ca, "a", controlling);
        test_config(&cb, "b", controlling);
        peer_t a, b;
        peer_create(&a, &ca);
        peer_create(&b, &cb);
        link_peers(&a, &b);
        connect_pair(&a, &b);
        assert_true(ertc_ice_agent_is_controlling(a.agent) !=
                    ertc_ice_agent_is_controlling(b.agent));
        ertc_ice_stats_t sa, sb;
        ertc_ice_agent_get_stats(a.agent, &sa);
        ertc_ice_agent_get_stats(b.agent, &sb);
        assert_true(sa.role_conflicts + sb.role_conflicts > 0);
        assert_data_flows(&a, &b);
        destroy_peers(&a, &b);
    }
}

static void test_wrong_password_fails(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    assert_int_equal(ertc_ice_agent_set_remote_credentials(
                         a.agent, ertc_ice_agent_local_ufrag(b.agent), "WRONGwrongWRONGwrong1234"),
                     WEBRTC_STATUS_SUCCESS);
    give_credentials(&b, &a);
    give_candidates(&a, &b);
    give_candidates(&b, &a);
    uint64_t start = ertc_time_mono_ms();
    assert_true(run_until(peer_failed, &a, WAIT_MS));
    assert_true(ertc_time_mono_ms() - start < WAIT_MS);
    assert_false(a.was_connected);
    ertc_ice_stats_t sa, sb;
    ertc_ice_agent_get_stats(a.agent, &sa);
    ertc_ice_agent_get_stats(b.agent, &sb);
    assert_true(sb.integrity_failures > 0); /* b refused a's checks */
    uint8_t x = 0x80;
    assert_int_equal(ertc_ice_agent_send(a.agent, &x, 1), WEBRTC_STATUS_INVALID_OPERATION);
    destroy_peers(&a, &b);
}

static void test_candidates_before_credentials(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    give_candidates(&a, &b);
    give_candidates(&b, &a);
    run_for(300);
    ertc_ice_stats_t sa;
    ertc_ice_agent_get_stats(a.agent, &sa);
    assert_int_equal(sa.checks_sent, 0); /* queued: no credentials to sign with */
    assert_int_equal(ertc_ice_agent_state(a.agent), ERTC_ICE_STATE_NEW);
    give_credentials(&a, &b);
    give_credentials(&b, &a);
    assert_true(run_until(both_connected, &a, WAIT_MS));
    assert_data_flows(&a, &b);
    destroy_peers(&a, &b);
}

static void test_peer_reflexive(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        /* round 0: the controlling side knows no candidate; round 1: the controlled side. */
        ertc_ice_config_t ca, cb;
        test_config(&ca, "a", round == 0);
        test_config(&cb, "b", round != 0);
        peer_t a, b;
        peer_create(&a, &ca);
        peer_create(&b, &cb);
        link_peers(&a, &b);
        give_credentials(&a, &b);
        give_credentials(&b, &a);
        give_candidates(&b, &a); /* a never hears of b's candidates */
        assert_true(run_until(both_connected, &a, WAIT_MS));
        ertc_ice_stats_t sa;
        ertc_ice_agent_get_stats(a.agent, &sa);
        assert_int_equal(sa.prflx_learned, 1);
        assert_data_flows(&a, &b);
        destroy_peers(&a, &b);
    }
}

static void test_consent_loss(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    connect_pair(&a, &b);
    ertc_ice_agent_test_drop_incoming(b.agent, true); /* b is gone */
    uint64_t start = ertc_time_mono_ms();
    assert_true(run_until(peer_failed, &a, WAIT_MS));
    uint64_t took = ertc_time_mono_ms() - start;
    /* Not long before the consent timeout: the last response came at most one consent
     * interval (200 ms +20%) before the drop began. */
    assert_true(took >= 1500 - 300);
    assert_true(a.was_disconnected);
    uint8_t x = 0x80;
    assert_int_equal(ertc_ice_agent_send(a.agent, &x, 1), WEBRTC_STATUS_INVALID_OPERATION);
    destroy_peers(&a, &b);
}

/* A STUN server in the test: answers Binding requests with XOR-MAPPED-ADDRESS = the source
 * address, with port_offset added (to fake a NAT without leaving 127.0.0.1). */
typedef struct {
    ertc_socket_t sock;
    ertc_io_t io;
    ertc_addr_t addr;
    int requests;
    uint16_t port_offset;
} stun_server_t;

static void stun_server_readable(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events,
                                 void *arg)
{
    (void)loop;
    (void)io;
    (void)fd;
    (void)events;
    stun_server_t *s = arg;
    uint8_t buf[1500];
    size_t len;
    ertc_addr_t from;
    while (ertc_udp_recvfrom(s->sock, buf, sizeof(buf), &len, &from) == WEBRTC_STATUS_SUCCESS) {
        ertc_stun_msg_t msg;
        if (ertc_stun_parse(buf, len, &msg) != WEBRTC_STATUS_SUCCESS ||
            msg.type != ERTC_STUN_BINDING_REQUEST) {
            continue;
        }
        s->requests++;
        uint8_t out[128];
        ertc_stun_builder_t b;
        size_t out_len = 0;
        ertc_addr_t mapped = from;
        mapped.port = (uint16_t)(mapped.port + s->port_offset);
        assert_int_equal(ertc_stun_builder_init(&b, out, sizeof(out), ERTC_STUN_BINDING_SUCCESS,
                                                msg.transaction_id),
                         WEBRTC_STATUS_SUCCESS);
        (void)ertc_stun_add_xor_mapped_address(&b, &mapped);
        assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, true, &out_len),
                         WEBRTC_STATUS_SUCCESS);
        (void)ertc_udp_sendto(s->sock, out, out_len, &from);
    }
}

static void stun_server_open(stun_server_t *s, uint16_t port_offset)
{
    memset(s, 0, sizeof(*s));
    s->port_offset = port_offset;
    ertc_addr_t a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_open(&a, &s->sock), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_socket_local_addr(s->sock, &s->addr), WEBRTC_STATUS_SUCCESS);
    ertc_io_init(&s->io, s->sock, stun_server_readable, s);
    assert_int_equal(ertc_io_start(g_loop, &s->io, ERTC_IO_READ), WEBRTC_STATUS_SUCCESS);
}

static void stun_server_close(stun_server_t *s)
{
    ertc_io_stop(g_loop, &s->io);
    ertc_socket_close(s->sock);
}

static bool gathering_done(void *arg)
{
    return ((peer_t *)arg)->end_of_candidates;
}

static void test_srflx(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        /* round 0: mapped == host (no NAT): no srflx; round 1: a "NAT" changes the port. */
        stun_server_t server;
        stun_server_open(&server, round == 0 ? 0 : 1);
        ertc_ice_config_t cfg;
        test_config(&cfg, "a", true);
        cfg.stun_servers[0] = server.addr;
        cfg.stun_server_count = 1;
        cfg.stun_rto_ms = 200;
        peer_t a;
        peer_create(&a, &cfg);
        assert_false(a.end_of_candidates); /* waits for the STUN transaction */
        assert_true(run_until(gathering_done, &a, WAIT_MS));
        assert_true(server.requests >= 1);
        ertc_ice_stats_t st;
        ertc_ice_agent_get_stats(a.agent, &st);
        assert_int_equal(st.srflx_transactions, 1);
        if (round == 0) {
            assert_int_equal(a.line_count, 1);
            assert_int_equal(a.cands[0].type, ERTC_SDP_CANDIDATE_HOST);
        } else {
            assert_int_equal(a.line_count, 2);
            const ertc_sdp_candidate_t *c = &a.cands[1];
            assert_int_equal(c->type, ERTC_SDP_CANDIDATE_SRFLX);
            assert_int_equal(c->port, a.cands[0].port + 1);
            assert_true(c->has_related);
            assert_int_equal(c->related_port, a.cands[0].port);
            assert_true(c->priority < a.cands[0].priority);
            assert_string_not_equal(c->foundation, a.cands[0].foundation);
        }
        ertc_ice_agent_destroy(a.agent);
        stun_server_close(&server);
    }
}

static void test_stun_server_silent(void **state)
{
    (void)state;
    stun_server_t server;
    stun_server_open(&server, 0);
    ertc_io_stop(g_loop, &server.io); /* never answers */
    ertc_ice_config_t cfg;
    test_config(&cfg, "a", true);
    cfg.stun_servers[0] = server.addr;
    cfg.stun_server_count = 1;
    cfg.stun_rto_ms = 50;
    cfg.stun_max_tries = 3;
    peer_t a;
    peer_create(&a, &cfg);
    assert_true(run_until(gathering_done, &a, WAIT_MS)); /* gives up, ends gathering */
    assert_int_equal(a.line_count, 1);
    ertc_ice_agent_destroy(a.agent);
    ertc_socket_close(server.sock);
}

static void send_garbage(ertc_socket_t s, const peer_t *to)
{
    ertc_addr_t dst;
    memset(&dst, 0, sizeof(dst));
    assert_int_equal(ertc_addr_parse_ip(to->cands[0].address, &dst), WEBRTC_STATUS_SUCCESS);
    dst.port = to->cands[0].port;
    uint8_t buf[600];
    for (int i = 0; i < 100; i++) {
        size_t len = 1 + ertc_random_u32() % sizeof(buf);
        assert_int_equal(ertc_random_bytes(buf, len), WEBRTC_STATUS_SUCCESS);
        if (i % 3 == 0 && len >= 20) {
            /* Looks like STUN: top bits clear, magic cookie, random rest. */
            buf[0] &= 0x3f;
            buf[2] = (uint8_t)((len - 20) >> 8);
            buf[3] = (uint8_t)((len - 20) & 0xfc);
            len = 20 + ((len - 20) & ~(size_t)3);
            buf[4] = 0x21;
            buf[5] = 0x12;
            buf[6] = 0xa4;
            buf[7] = 0x42;
        }
        (void)ertc_udp_sendto(s, buf, len, &dst);
    }
    /* A well-formed Binding request without credentials: answered 400, not fatal. */
    uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN] = {1, 2, 3};
    ertc_stun_builder_t b;
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, true, &len), WEBRTC_STATUS_SUCCESS);
    (void)ertc_udp_sendto(s, buf, len, &dst);
}

static void test_garbage(void **state)
{
    (void)state;
    ertc_ice_config_t ca, cb;
    test_config(&ca, "a", true);
    test_config(&cb, "b", false);
    peer_t a, b;
    peer_create(&a, &ca);
    peer_create(&b, &cb);
    link_peers(&a, &b);
    ertc_addr_t lo;
    memset(&lo, 0, sizeof(lo));
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &lo), WEBRTC_STATUS_SUCCESS);
    ertc_socket_t s;
    assert_int_equal(ertc_udp_open(&lo, &s), WEBRTC_STATUS_SUCCESS);
    send_garbage(s, &a);
    send_garbage(s, &b);
    run_for(100);
    connect_pair(&a, &b);
    send_garbage(s, &a);
    send_garbage(s, &b);
    /* Let the agents drain the garbage: a full socket buffer would drop the test's data,
     * which UDP may do but this test is not about. */
    run_for(300);
    assert_data_flows(&a, &b);
    ertc_ice_stats_t sa;
    ertc_ice_agent_get_stats(a.agent, &sa);
    assert_true(sa.stun_dropped + sa.data_dropped > 0);
    assert_false(a.failed);
    assert_false(b.failed);
    ertc_socket_close(s);
    destroy_peers(&a, &b);
}

static void test_remote_candidate_filtering(void **state)
{
    (void)state;
    ertc_ice_config_t cfg;
    test_config(&cfg, "a", true);
    peer_t a;
    peer_create(&a, &cfg);
    ertc_ice_agent_t *ag = a.agent;
    assert_int_equal(ertc_ice_agent_add_remote_candidate(
                         ag,
                         "candidate:1 1 udp 2122260223 0b6c4f1e-2f1a-4c1e-9a55-2a4b5c6d7e8f.local "
                         "54321 typ host"),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ice_agent_add_remote_candidate(
                         ag, "candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active"),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ice_agent_add_remote_candidate(ag, "candidate:garbage"),
                     WEBRTC_STATUS_MALFORMED);
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(ag, &st);
    /* The .local name is either being asked for (a multicast route exists) or given up at
     * once (none): never an error, never a pair. */
    assert_int_equal(st.mdns_dropped + st.mdns_queries, 1);
    assert_int_equal(ertc_ice_agent_add_remote_candidate(ag, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_ice_agent_destroy(ag);
}

/* A TURN server nobody answers on: relay_only reports nothing, and end-of-candidates still
 * comes once the Allocate times out. Too many TURN servers are refused at create. */
static void test_turn_server_silent(void **state)
{
    (void)state;
    ertc_ice_config_t cfg;
    test_config(&cfg, "a", true);
    cfg.relay_only = true;
    cfg.stun_rto_ms = 20;
    cfg.stun_max_tries = 1;
    ertc_socket_t s;
    ertc_addr_t silent = cfg.interfaces[0];
    assert_int_equal(ertc_udp_open(&silent, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_socket_local_addr(s, &silent), WEBRTC_STATUS_SUCCESS);
    cfg.turn_servers[0].addr = silent;
    snprintf(cfg.turn_servers[0].username, sizeof(cfg.turn_servers[0].username), "u");
    snprintf(cfg.turn_servers[0].password, sizeof(cfg.turn_servers[0].password), "p");
    cfg.turn_server_count = 1;
    peer_t a;
    peer_create(&a, &cfg);
    assert_int_equal(a.line_count, 0); /* relay_only: no host candidate */
    assert_false(a.end_of_candidates);
    assert_true(run_until(gathering_done, &a, WAIT_MS));
    assert_int_equal(a.line_count, 0);
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(a.agent, &st);
    assert_int_equal(st.turn_timeouts, 1);
    assert_int_equal(st.turn_allocations, 0);
    ertc_ice_agent_destroy(a.agent);
    ertc_socket_close(s);

    cfg.turn_server_count = ERTC_ICE_MAX_TURN_SERVERS + 1;
    ertc_ice_agent_t *bad = NULL;
    assert_int_equal(ertc_ice_agent_create(g_loop, &cfg, &callbacks, NULL, &bad),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_null(bad);
}

static int setup(void **state)
{
    (void)state;
    /* ICE_DEBUG=1 shows every transition and dropped datagram. */
    ertc_log_set_level(getenv("ICE_DEBUG") != NULL ? ERTC_LOG_VERBOSE : ERTC_LOG_WARN);
    return ertc_loop_create(&g_loop, 0) == WEBRTC_STATUS_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ertc_loop_destroy(g_loop);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_credentials_and_host_candidate),
        cmocka_unit_test(test_connect_and_data),
        cmocka_unit_test(test_nomination_not_paced),
        cmocka_unit_test(test_role_conflict),
        cmocka_unit_test(test_wrong_password_fails),
        cmocka_unit_test(test_candidates_before_credentials),
        cmocka_unit_test(test_peer_reflexive),
        cmocka_unit_test(test_consent_loss),
        cmocka_unit_test(test_srflx),
        cmocka_unit_test(test_stun_server_silent),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_remote_candidate_filtering),
        cmocka_unit_test(test_turn_server_silent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
