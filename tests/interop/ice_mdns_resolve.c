/*
 * ice_mdns_resolve — remote .local candidates resolved through the network, inside the
 * private namespace of run-in-netns.sh (veth va 10.77.0.1, vb 10.77.0.2, default route on va).
 *
 * Agent "a" (controlling, on 10.77.0.1) is given agent "b"'s host candidate with its address
 * replaced by an mDNS name, as a browser would signal it; "b" (controlled, on 10.77.0.2)
 * gets no candidate at all. A responder in this program (a socket on 0.0.0.0:5353 that joined
 * 224.0.0.251) checks the query that reaches the group (one A question, QU bit, the name)
 * and answers it the way RFC 6762 §6.7 asks for a query from a port other than 5353: by
 * unicast to the query's source address and port, with the id and the question echoed and a
 * compressed name. The agents must connect through the resolved address: "a" must count one
 * resolved name and learn no peer-reflexive candidate.
 *
 * The responder is ours, not a third-party one: Debian's avahi-daemon is not installed here,
 * and Chromium's responder answers by multicast only (see docs/ice.md). The test fails
 * loudly when the namespace is not there (no 10.77.0.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer/ice_agent.h"
#include "peer/mdns.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/log.h"

#define NAME    "4a1f7c2e-8d3b-4e6f-a0b1-c2d3e4f5a6b7.local"
#define WAIT_MS 10000

typedef struct {
    char line[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    ertc_sdp_candidate_t cand;
    bool have;
    bool connected;
    bool failed;
} peer_t;

static void on_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c, const char *line,
                         void *arg)
{
    (void)agent;
    peer_t *p = arg;
    if (c != NULL && !p->have) {
        p->cand = *c;
        snprintf(p->line, sizeof(p->line), "%s", line);
        p->have = true;
    }
}

static void on_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    p->connected = state == ERTC_ICE_STATE_CONNECTED || state == ERTC_ICE_STATE_COMPLETED;
    p->failed = p->failed || state == ERTC_ICE_STATE_FAILED;
}

static const ertc_ice_callbacks_t callbacks = {on_candidate, on_state, NULL};

/* A socket on 0.0.0.0:5353 in the mDNS group. */
static int responder_open(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int on = 1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(ERTC_MDNS_PORT);
    struct ip_mreq m;
    memset(&m, 0, sizeof(m));
    m.imr_multiaddr.s_addr = inet_addr(ERTC_MDNS_GROUP_V4);
    m.imr_interface.s_addr = inet_addr("10.77.0.1");
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) != 0) {
        perror("mDNS responder socket (run inside run-in-netns.sh)");
        return -1;
    }
    struct timeval tv = {0, 1000};
    (void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return s;
}

/* Answers one query for NAME, if one arrived: 1 answered, 0 nothing, -1 a bad query. */
static int responder_poll(int s, const uint8_t ip[4])
{
    uint8_t q[512];
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(s, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
    if (n <= 0) {
        return 0;
    }
    size_t pos = ERTC_MDNS_HEADER_LEN;
    char name[ERTC_MDNS_MAX_NAME + 1];
    if (n < ERTC_MDNS_HEADER_LEN || q[2] != 0 || q[4] != 0 || q[5] != 1 ||
        ertc_mdns_read_name(q, (size_t)n, &pos, name) != WEBRTC_STATUS_SUCCESS ||
        (size_t)n != pos + 4) {
        fprintf(stderr, "FAIL: the query is not one question\n");
        return -1;
    }
    uint16_t qtype = (uint16_t)((q[pos] << 8) | q[pos + 1]);
    uint16_t qclass = (uint16_t)((q[pos + 2] << 8) | q[pos + 3]);
    if (strcmp(name, NAME) != 0 || qtype != ERTC_MDNS_TYPE_A ||
        qclass != (ERTC_MDNS_CLASS_IN | ERTC_MDNS_QU_BIT) || ntohs(from.sin_port) == 5353) {
        fprintf(stderr, "FAIL: query for %s type %u class 0x%04x from port %u\n", name, qtype,
                qclass, ntohs(from.sin_port));
        return -1;
    }
    /* Legacy unicast answer (§6.7): id and question echoed, TTL 10, no cache-flush bit. */
    uint8_t r[600];
    memcpy(r, q, (size_t)n);
    r[2] = 0x84;
    r[3] = 0;
    r[7] = 1; /* ANCOUNT */
    size_t w = (size_t)n;
    r[w - 1] = 1; /* the echoed question's class: IN without the QU bit */
    r[w - 2] = 0;
    static const uint8_t rr[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4};
    memcpy(r + w, rr, sizeof(rr));
    w += sizeof(rr);
    memcpy(r + w, ip, 4);
    w += 4;
    (void)sendto(s, r, w, 0, (struct sockaddr *)&from, flen);
    return 1;
}

int main(void)
{
    ertc_log_set_level(getenv("ERTC_TEST_VERBOSE") != NULL ? ERTC_LOG_DEBUG : ERTC_LOG_WARN);
    ertc_loop_t *loop;
    if (ertc_loop_create(&loop, 16) != WEBRTC_STATUS_SUCCESS) {
        return 1;
    }
    int rs = responder_open();
    if (rs < 0) {
        return 1;
    }
    peer_t a = {0}, b = {0};
    ertc_ice_config_t ca, cb;
    ertc_ice_config_init(&ca);
    ca.name = "a";
    ca.controlling = true;
    (void)ertc_addr_parse_ip("10.77.0.1", &ca.interfaces[0]);
    ca.interface_count = 1;
    cb = ca;
    cb.name = "b";
    cb.controlling = false;
    (void)ertc_addr_parse_ip("10.77.0.2", &cb.interfaces[0]);
    ertc_ice_agent_t *aa, *ab;
    if (ertc_ice_agent_create(loop, &ca, &callbacks, &a, &aa) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_create(loop, &cb, &callbacks, &b, &ab) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_start(aa) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_start(ab) != WEBRTC_STATUS_SUCCESS || !b.have) {
        fprintf(stderr, "FAIL: agents (run inside run-in-netns.sh)\n");
        return 1;
    }
    (void)ertc_ice_agent_set_remote_credentials(aa, ertc_ice_agent_local_ufrag(ab),
                                                ertc_ice_agent_local_pwd(ab));
    (void)ertc_ice_agent_set_remote_credentials(ab, ertc_ice_agent_local_ufrag(aa),
                                                ertc_ice_agent_local_pwd(aa));
    /* b's host candidate as a browser signals it: the address hidden behind a name. */
    char line[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    snprintf(line, sizeof(line), "candidate:%s 1 udp %u %s %u typ host", b.cand.foundation,
             (unsigned)b.cand.priority, NAME, (unsigned)b.cand.port);
    uint64_t t0 = ertc_time_mono_us();
    if (ertc_ice_agent_add_remote_candidate(aa, line) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "FAIL: %s refused\n", line);
        return 1;
    }
    (void)ertc_ice_agent_add_remote_candidate(aa, NULL);
    static const uint8_t b_ip[4] = {10, 77, 0, 2};
    int answered = 0;
    uint64_t give_up = ertc_time_mono_ms() + WAIT_MS;
    while (!(a.connected && b.connected) && !a.failed && ertc_time_mono_ms() < give_up) {
        if (answered == 0) {
            answered = responder_poll(rs, b_ip);
            if (answered < 0) {
                return 1;
            }
        }
        (void)ertc_loop_run_once(loop, 5);
    }
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(aa, &st);
    ertc_addr_t remote, expect;
    memset(&expect, 0, sizeof(expect));
    (void)ertc_addr_parse_ip("10.77.0.2", &expect);
    expect.port = b.cand.port;
    int rc = 0;
    if (answered != 1) {
        fprintf(stderr, "FAIL: no mDNS query reached 224.0.0.251:5353\n");
        rc = 1;
    } else if (!a.connected || !b.connected) {
        fprintf(stderr, "FAIL: no connection (a %s, b %s)\n",
                ertc_ice_state_name(ertc_ice_agent_state(aa)),
                ertc_ice_state_name(ertc_ice_agent_state(ab)));
        rc = 1;
    } else if (st.mdns_resolved != 1 || st.prflx_learned != 0 ||
               ertc_ice_agent_selected_pair(aa, NULL, &remote) != WEBRTC_STATUS_SUCCESS ||
               !ertc_addr_equal(&remote, &expect)) {
        fprintf(stderr, "FAIL: resolved %u, peer-reflexive %u, or wrong selected pair\n",
                st.mdns_resolved, st.prflx_learned);
        rc = 1;
    } else {
        printf("ice_mdns_resolve: %s resolved and connected after %.1f ms\n", NAME,
               (double)(ertc_time_mono_us() - t0) / 1000.0);
    }
    ertc_ice_agent_destroy(aa);
    ertc_ice_agent_destroy(ab);
    ertc_loop_destroy(loop);
    close(rs);
    return rc;
}
