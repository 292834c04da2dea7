/*
 * ice_mdns_chromium — an edgertc ICE agent (controlled) driven over stdin/stdout by
 * ice_mdns_chromium.mjs against headless Chromium that hides its host addresses behind mDNS
 * names, inside the namespace of run-in-netns.sh (our side on 10.77.0.1).
 *
 * Prints "ufrag U", "pwd P", "candidate <line>" for our host candidate, then "ready".
 * Reads "cred <ufrag> <pwd>", "cand <candidate line>", "eoc", "quit" (or end of input).
 * Once every .local name is answered or given up it prints
 * "mdns queries=Q resolved=R timeouts=T first_ms=F" (F: first .local candidate given to the
 * first name resolved). Once connected it checks that the peer was reached through an
 * address learnt by mDNS — at least one name resolved, no peer-reflexive candidate learnt
 * (Chromium's only candidates are .local ones, so the selected remote must be a resolved
 * one), the selected remote in the namespace — and prints "PASS ..." or "FAIL ...". Exit 0
 * on PASS. Without a connection within CONNECT_MS of the credentials: "FAIL ...", exit 1.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer/ice_agent.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/log.h"

#define IFACE      "10.77.0.1"
#define CONNECT_MS 20000
#define LINE_MAX_  1024

typedef struct {
    bool connected;
    bool failed;
} peer_t;

static void on_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c, const char *line,
                         void *arg)
{
    (void)agent;
    (void)arg;
    if (c != NULL) {
        printf("candidate %s\n", line);
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

/* Handles one input line; false on "quit". */
static bool command(ertc_ice_agent_t *agent, char *line, uint64_t *first_local_us,
                    uint64_t *deadline_ms)
{
    if (strncmp(line, "cred ", 5) == 0) {
        char *ufrag = line + 5;
        char *pwd = strchr(ufrag, ' ');
        if (pwd == NULL) {
            printf("FAIL: bad cred line\n");
            return false;
        }
        *pwd++ = '\0';
        if (ertc_ice_agent_set_remote_credentials(agent, ufrag, pwd) != WEBRTC_STATUS_SUCCESS) {
            printf("FAIL: credentials refused\n");
            return false;
        }
        *deadline_ms = ertc_time_mono_ms() + CONNECT_MS;
    } else if (strncmp(line, "cand ", 5) == 0) {
        if (*first_local_us == 0 && strstr(line, ".local ") != NULL) {
            *first_local_us = ertc_time_mono_us();
        }
        WEBRTC_STATUS st = ertc_ice_agent_add_remote_candidate(agent, line + 5);
        if (st != WEBRTC_STATUS_SUCCESS) {
            printf("FAIL: candidate refused (%s): %s\n", webrtc_status_name(st), line + 5);
            return false;
        }
    } else if (strcmp(line, "eoc") == 0) {
        (void)ertc_ice_agent_add_remote_candidate(agent, NULL);
    } else if (strcmp(line, "quit") == 0) {
        return false;
    }
    return true;
}

/* Reads what stdin has (it is polled); false at end of input or on "quit". */
static bool read_commands(ertc_ice_agent_t *agent, char *buf, size_t *have,
                          uint64_t *first_local_us, uint64_t *deadline_ms)
{
    struct pollfd p = {.fd = 0, .events = POLLIN};
    if (poll(&p, 1, 0) != 1) {
        return true;
    }
    ssize_t n = read(0, buf + *have, LINE_MAX_ - 1 - *have);
    if (n <= 0) {
        return n < 0 && errno == EINTR;
    }
    *have += (size_t)n;
    buf[*have] = '\0';
    char *nl;
    while ((nl = strchr(buf, '\n')) != NULL) {
        *nl = '\0';
        bool go_on = command(agent, buf, first_local_us, deadline_ms);
        size_t used = (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, *have - used + 1);
        *have -= used;
        if (!go_on) {
            return false;
        }
    }
    if (*have == LINE_MAX_ - 1) {
        printf("FAIL: input line too long\n");
        return false;
    }
    return true;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    ertc_log_set_level(getenv("ERTC_TEST_VERBOSE") != NULL ? ERTC_LOG_DEBUG : ERTC_LOG_WARN);
    ertc_loop_t *loop;
    if (ertc_loop_create(&loop, 16) != WEBRTC_STATUS_SUCCESS) {
        return 1;
    }
    peer_t peer = {0};
    ertc_ice_config_t cfg;
    ertc_ice_config_init(&cfg);
    cfg.name = "edgertc";
    cfg.controlling = false; /* Chromium offers: it controls */
    (void)ertc_addr_parse_ip(IFACE, &cfg.interfaces[0]);
    cfg.interface_count = 1;
    ertc_ice_agent_t *agent;
    if (ertc_ice_agent_create(loop, &cfg, &callbacks, &peer, &agent) != WEBRTC_STATUS_SUCCESS) {
        return 1;
    }
    printf("ufrag %s\npwd %s\n", ertc_ice_agent_local_ufrag(agent),
           ertc_ice_agent_local_pwd(agent));
    if (ertc_ice_agent_start(agent) != WEBRTC_STATUS_SUCCESS) {
        printf("FAIL: no socket on %s (run inside run-in-netns.sh)\n", IFACE);
        return 1;
    }
    printf("ready\n");

    char buf[LINE_MAX_];
    size_t have = 0;
    uint64_t first_local_us = 0, first_resolved_us = 0, deadline_ms = 0;
    bool mdns_reported = false, verdict = false;
    int rc = 1;
    while (read_commands(agent, buf, &have, &first_local_us, &deadline_ms)) {
        (void)ertc_loop_run_once(loop, 5);
        ertc_ice_stats_t st;
        ertc_ice_agent_get_stats(agent, &st);
        if (st.mdns_resolved > 0 && first_resolved_us == 0) {
            first_resolved_us = ertc_time_mono_us();
        }
        if (!mdns_reported && st.mdns_queries > 0 &&
            st.mdns_resolved + st.mdns_timeouts >= st.mdns_queries) {
            mdns_reported = true;
            double ms = first_resolved_us != 0
                            ? (double)(first_resolved_us - first_local_us) / 1000.0
                            : -1.0;
            printf("mdns queries=%u resolved=%u timeouts=%u first_ms=%.1f\n", st.mdns_queries,
                   st.mdns_resolved, st.mdns_timeouts, ms);
        }
        if (verdict) {
            continue;
        }
        ertc_addr_t local, remote;
        char ra[ERTC_ADDR_STRLEN] = "?", la[ERTC_ADDR_STRLEN] = "?";
        if (peer.connected &&
            ertc_ice_agent_selected_pair(agent, &local, &remote) == WEBRTC_STATUS_SUCCESS) {
            (void)ertc_addr_format(&remote, true, ra, sizeof(ra));
            (void)ertc_addr_format(&local, true, la, sizeof(la));
            verdict = true;
            bool in_ns = remote.family == ERTC_AF_INET && remote.ip[0] == 10 &&
                         remote.ip[1] == 77 && remote.ip[2] == 0;
            if (st.mdns_resolved > 0 && st.prflx_learned == 0 && in_ns) {
                printf("PASS selected %s -> %s (learnt by mDNS), mdns resolved=%u, prflx=%u\n", la,
                       ra, st.mdns_resolved, st.prflx_learned);
                rc = 0;
            } else {
                printf("FAIL: selected %s -> %s, mdns queries=%u resolved=%u timeouts=%u, "
                       "prflx=%u\n",
                       la, ra, st.mdns_queries, st.mdns_resolved, st.mdns_timeouts,
                       st.prflx_learned);
            }
        } else if (peer.failed || (deadline_ms != 0 && ertc_time_mono_ms() > deadline_ms)) {
            verdict = true;
            printf("FAIL: no connection (%s), mdns queries=%u resolved=%u timeouts=%u, "
                   "prflx=%u\n",
                   ertc_ice_state_name(ertc_ice_agent_state(agent)), st.mdns_queries,
                   st.mdns_resolved, st.mdns_timeouts, st.prflx_learned);
        }
    }
    ertc_ice_agent_destroy(agent);
    ertc_loop_destroy(loop);
    return rc;
}
