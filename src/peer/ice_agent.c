/*
 * peer/ice_agent — a full ICE agent: RFC 8445 (gathering §5.1, checklist §6.1.2,
 * checks §7.2-§7.3, nomination §8.1), RFC 8838 (trickle), RFC 7675 (consent freshness).
 * The design choices are explained in ice_agent.h.
 *
 * Two explicit state machines, each with one function that changes state and logs it:
 *  - the agent: NEW -> CHECKING -> CONNECTED [-> COMPLETED] [<-> DISCONNECTED] -> FAILED
 *    (ice_set_state);
 *  - each candidate pair: FROZEN/WAITING -> IN_PROGRESS -> SUCCEEDED | FAILED
 *    (ice_pair_set_state). All pairs start WAITING: with one component and BUNDLE there is
 *    nothing to unfreeze by foundation that would change the order of the first checks.
 *
 * One periodic timer ticks every Ta and does all the timed work: the next check (triggered
 * checks first, then the highest-priority waiting pair), retransmissions of checks and of
 * the STUN-server Binding requests, the checking timeout and consent freshness.
 *
 * Simplifications (documented so they can be revisited):
 *  - the valid pair of a successful check is the pair that was checked (§7.2.5.3.2 would
 *    add a local peer-reflexive candidate when XOR-MAPPED-ADDRESS differs); we always send
 *    from the base socket, so the path used is the same;
 *  - consent requests are not retransmitted: the next one goes out within the interval,
 *    and a response to any of the last few refreshes consent (RFC 7675 §5.1);
 *  - an incoming check on a pair whose own check is in progress does not restart it.
 */
#include "peer/ice_agent.h"

#include <stdio.h>
#include <string.h>

#include "peer/ice_candidate.h"
#include "peer/stun.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "ice"

#define ICE_CHARS            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define ICE_COMPONENT        1
#define ICE_RECV_BUF_SIZE    2048
#define ICE_STUN_BUF_SIZE    800 /* a request with two 256-character ufrags fits */
#define ICE_CHECK_RTO_MAX_MS 3000
#define ICE_CONSENT_TIDS     4 /* outstanding consent transactions remembered */
#define ICE_MAX_SRFLX        (ERTC_ICE_MAX_INTERFACES * ERTC_ICE_MAX_STUN_SERVERS)

typedef enum {
    ICE_PAIR_FROZEN = 0,
    ICE_PAIR_WAITING,
    ICE_PAIR_IN_PROGRESS,
    ICE_PAIR_SUCCEEDED,
    ICE_PAIR_FAILED,
} ice_pair_state_t;

typedef struct {
    ertc_ice_agent_t *agent;
    ertc_socket_t sock;
    ertc_io_t io;
    ertc_addr_t addr; /* the bound address: host candidate and base */
    uint16_t local_pref;
    uint32_t priority;
} ice_local_t;

typedef struct {
    ertc_addr_t addr;
    uint32_t priority;
    ertc_sdp_candidate_type_t type;
} ice_remote_t;

typedef struct {
    uint8_t local;
    uint8_t remote;
    ice_pair_state_t state;
    uint64_t priority;
    bool valid;
    bool nominated;
    bool nominate_on_success; /* controlled: USE-CANDIDATE came before our check succeeded */
    bool send_use_candidate;  /* controlling: the next check of this pair nominates it */
    bool in_flight_use_candidate;
    bool sent_controlling; /* the role the check in flight claimed */
    bool queued;           /* in the triggered-check queue */
    uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN];
    uint32_t tries;
    uint32_t rto_ms;
    uint64_t next_retx_us;
} ice_pair_t;

typedef struct {
    uint8_t local;
    uint8_t server;
    bool done;
    uint32_t tries;
    uint32_t rto_ms;
    uint64_t next_retx_us;
    uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN];
} ice_srflx_t;

struct ertc_ice_agent {
    ertc_loop_t *loop;
    ertc_ice_config_t cfg;
    ertc_ice_callbacks_t cb;
    void *arg;
    char name[ERTC_ICE_MAX_NAME_LEN + 1];

    char local_ufrag[ERTC_SDP_MAX_ICE_UFRAG_LEN + 1];
    char local_pwd[ERTC_SDP_MAX_ICE_PWD_LEN + 1];
    char remote_ufrag[ERTC_SDP_MAX_ICE_UFRAG_LEN + 1];
    char remote_pwd[ERTC_SDP_MAX_ICE_PWD_LEN + 1];
    bool have_remote_credentials;
    bool remote_end_of_candidates;

    bool controlling;
    uint64_t tie_breaker;
    ertc_ice_state_t state;
    bool started;
    bool gathering_done;
    bool nomination_started; /* controlling: a USE-CANDIDATE check has been scheduled */

    ice_local_t locals[ERTC_ICE_MAX_INTERFACES];
    size_t local_count;
    ice_remote_t remotes[ERTC_ICE_MAX_REMOTE];
    size_t remote_count;
    ice_pair_t pairs[ERTC_ICE_MAX_PAIRS];
    size_t pair_count;
    uint8_t triggered[ERTC_ICE_MAX_PAIRS]; /* FIFO of pair indexes */
    size_t triggered_head;
    size_t triggered_count;
    ice_srflx_t srflx[ICE_MAX_SRFLX];
    size_t srflx_count;
    ertc_addr_t srflx_emitted[ICE_MAX_SRFLX];
    size_t srflx_emitted_count;

    int selected; /* pair index, -1 = none */
    uint64_t checking_start_us;
    uint64_t consent_last_us;
    uint64_t consent_next_us;
    uint8_t consent_tids[ICE_CONSENT_TIDS][ERTC_STUN_TRANSACTION_ID_LEN];
    size_t consent_tid_next;

    ertc_timer_t tick;
    bool drop_incoming;
    ertc_ice_stats_t stats;
    uint8_t recv_buf[ICE_RECV_BUF_SIZE];
};

/* ---- names and small helpers ------------------------------------------------------------ */

const char *ertc_ice_state_name(ertc_ice_state_t state)
{
    switch (state) {
    case ERTC_ICE_STATE_NEW: return "new";
    case ERTC_ICE_STATE_CHECKING: return "checking";
    case ERTC_ICE_STATE_CONNECTED: return "connected";
    case ERTC_ICE_STATE_COMPLETED: return "completed";
    case ERTC_ICE_STATE_FAILED: return "failed";
    case ERTC_ICE_STATE_DISCONNECTED: return "disconnected";
    }
    return "unknown";
}

static const char *ice_pair_state_name(ice_pair_state_t s)
{
    static const char *const names[] = {"frozen", "waiting", "in-progress", "succeeded", "failed"};
    return names[s];
}

static const char *ice_addr_str(const ertc_addr_t *a, char buf[ERTC_ADDR_STRLEN])
{
    if (ertc_addr_format(a, true, buf, ERTC_ADDR_STRLEN) != WEBRTC_STATUS_SUCCESS) {
        snprintf(buf, ERTC_ADDR_STRLEN, "?");
    }
    return buf;
}

static uint32_t ice_or_default(uint32_t v, uint32_t def)
{
    return v != 0 ? v : def;
}

static uint64_t ice_now_us(const ertc_ice_agent_t *agent)
{
    /* The loop's cached time is stale inside API calls made from outside the loop. */
    (void)agent;
    return ertc_time_mono_us();
}

static bool ice_is_connected(const ertc_ice_agent_t *agent)
{
    return agent->state == ERTC_ICE_STATE_CONNECTED || agent->state == ERTC_ICE_STATE_COMPLETED ||
           agent->state == ERTC_ICE_STATE_DISCONNECTED;
}

/* ---- state machines ------------------------------------------------------------------------ */

static void ice_set_state(ertc_ice_agent_t *agent, ertc_ice_state_t state)
{
    if (agent->state == state || agent->state == ERTC_ICE_STATE_FAILED) {
        return; /* FAILED is final: a new session needs ICE restart, i.e. a new agent */
    }
    ERTC_LOGD(TAG, "%s: state %s -> %s", agent->name, ertc_ice_state_name(agent->state),
              ertc_ice_state_name(state));
    agent->state = state;
    if (state == ERTC_ICE_STATE_CHECKING) {
        agent->checking_start_us = ice_now_us(agent);
    }
    if (state == ERTC_ICE_STATE_FAILED) {
        ertc_timer_stop(agent->loop, &agent->tick);
    }
    if (agent->cb.on_state != NULL) {
        agent->cb.on_state(agent, state, agent->arg);
    }
}

static void ice_pair_set_state(ertc_ice_agent_t *agent, ice_pair_t *p, ice_pair_state_t state)
{
    if (p->state == state) {
        return;
    }
    char l[ERTC_ADDR_STRLEN], r[ERTC_ADDR_STRLEN];
    ERTC_LOGD(TAG, "%s: pair %s -> %s: %s -> %s", agent->name,
              ice_addr_str(&agent->locals[p->local].addr, l),
              ice_addr_str(&agent->remotes[p->remote].addr, r), ice_pair_state_name(p->state),
              ice_pair_state_name(state));
    p->state = state;
}

/* ---- candidates and pairs ------------------------------------------------------------------ */

static uint32_t ice_local_priority(const ertc_ice_agent_t *agent, const ice_pair_t *p)
{
    return agent->locals[p->local].priority;
}

static void ice_pair_compute_priority(ertc_ice_agent_t *agent, ice_pair_t *p)
{
    uint32_t ours = ice_local_priority(agent, p);
    uint32_t theirs = agent->remotes[p->remote].priority;
    p->priority = agent->controlling ? ertc_ice_pair_priority(ours, theirs)
                                     : ertc_ice_pair_priority(theirs, ours);
}

static int ice_find_remote(const ertc_ice_agent_t *agent, const ertc_addr_t *addr)
{
    for (size_t i = 0; i < agent->remote_count; i++) {
        if (ertc_addr_equal(&agent->remotes[i].addr, addr)) {
            return (int)i;
        }
    }
    return -1;
}

static int ice_find_pair(const ertc_ice_agent_t *agent, size_t local, size_t remote)
{
    for (size_t i = 0; i < agent->pair_count; i++) {
        if (agent->pairs[i].local == local && agent->pairs[i].remote == remote) {
            return (int)i;
        }
    }
    return -1;
}

static int ice_add_pair(ertc_ice_agent_t *agent, size_t local, size_t remote)
{
    int found = ice_find_pair(agent, local, remote);
    if (found >= 0) {
        return found;
    }
    if (agent->pair_count == ERTC_ICE_MAX_PAIRS) {
        ERTC_LOGW(TAG, "%s: checklist full (%d pairs), pair dropped", agent->name,
                  ERTC_ICE_MAX_PAIRS);
        return -1;
    }
    ice_pair_t *p = &agent->pairs[agent->pair_count];
    memset(p, 0, sizeof(*p));
    p->local = (uint8_t)local;
    p->remote = (uint8_t)remote;
    p->state = ICE_PAIR_WAITING;
    ice_pair_compute_priority(agent, p);
    char l[ERTC_ADDR_STRLEN], r[ERTC_ADDR_STRLEN];
    ERTC_LOGD(TAG, "%s: new pair %s -> %s priority %llu", agent->name,
              ice_addr_str(&agent->locals[local].addr, l),
              ice_addr_str(&agent->remotes[remote].addr, r), (unsigned long long)p->priority);
    return (int)agent->pair_count++;
}

/* Pairs a new remote candidate with every local candidate of its family (§6.1.2.2). */
static void ice_pair_remote(ertc_ice_agent_t *agent, size_t remote)
{
    for (size_t i = 0; i < agent->local_count; i++) {
        if (agent->locals[i].addr.family == agent->remotes[remote].addr.family) {
            (void)ice_add_pair(agent, i, remote);
        }
    }
}

static int ice_add_remote(ertc_ice_agent_t *agent, const ertc_addr_t *addr, uint32_t priority,
                          ertc_sdp_candidate_type_t type)
{
    if (agent->remote_count == ERTC_ICE_MAX_REMOTE) {
        return -1;
    }
    ice_remote_t *r = &agent->remotes[agent->remote_count];
    r->addr = *addr;
    r->priority = priority;
    r->type = type;
    return (int)agent->remote_count++;
}

static void ice_enqueue_triggered(ertc_ice_agent_t *agent, size_t pair)
{
    ice_pair_t *p = &agent->pairs[pair];
    if (p->queued) {
        return;
    }
    p->queued = true;
    agent->triggered[(agent->triggered_head + agent->triggered_count) % ERTC_ICE_MAX_PAIRS] =
        (uint8_t)pair;
    agent->triggered_count++;
}

static int ice_dequeue_triggered(ertc_ice_agent_t *agent)
{
    if (agent->triggered_count == 0) {
        return -1;
    }
    int pair = agent->triggered[agent->triggered_head];
    agent->triggered_head = (agent->triggered_head + 1) % ERTC_ICE_MAX_PAIRS;
    agent->triggered_count--;
    agent->pairs[pair].queued = false;
    return pair;
}

/* ---- sending STUN -------------------------------------------------------------------------- */

static void ice_send_raw(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to,
                         const uint8_t *buf, size_t len)
{
    WEBRTC_STATUS st = ertc_udp_sendto(agent->locals[local].sock, buf, len, to);
    if (st != WEBRTC_STATUS_SUCCESS) {
        char a[ERTC_ADDR_STRLEN];
        ERTC_LOGD(TAG, "%s: send to %s failed: %s", agent->name, ice_addr_str(to, a),
                  webrtc_status_name(st));
    }
}

/* A Binding request of a check or consent (§7.2.2): USERNAME remote:local, PRIORITY as
 * prflx, the role attribute, USE-CANDIDATE, MESSAGE-INTEGRITY with the remote pwd. */
static void ice_send_request(ertc_ice_agent_t *agent, const ice_pair_t *p,
                             const uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN], bool use_candidate)
{
    uint8_t buf[ICE_STUN_BUF_SIZE];
    char username[2 * ERTC_SDP_MAX_ICE_UFRAG_LEN + 2];
    int ulen =
        snprintf(username, sizeof(username), "%s:%s", agent->remote_ufrag, agent->local_ufrag);
    ertc_stun_builder_t b;
    size_t len = 0;
    uint32_t prflx = ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_PRFLX,
                                                 agent->locals[p->local].local_pref, ICE_COMPONENT);
    (void)ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid);
    (void)ertc_stun_add_username(&b, username, (size_t)ulen);
    (void)ertc_stun_add_priority(&b, prflx);
    if (agent->controlling) {
        (void)ertc_stun_add_ice_controlling(&b, agent->tie_breaker);
        if (use_candidate) {
            (void)ertc_stun_add_use_candidate(&b);
        }
    } else {
        (void)ertc_stun_add_ice_controlled(&b, agent->tie_breaker);
    }
    if (ertc_stun_builder_finish(&b, (const uint8_t *)agent->remote_pwd, strlen(agent->remote_pwd),
                                 true, &len) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: cannot build a Binding request", agent->name);
        return;
    }
    ice_send_raw(agent, p->local, &agent->remotes[p->remote].addr, buf, len);
}

static void ice_send_response(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to,
                              const ertc_stun_msg_t *req, int error_code)
{
    uint8_t buf[ICE_STUN_BUF_SIZE];
    ertc_stun_builder_t b;
    size_t len = 0;
    uint16_t type = error_code == 0 ? ERTC_STUN_BINDING_SUCCESS : ERTC_STUN_BINDING_ERROR;
    (void)ertc_stun_builder_init(&b, buf, sizeof(buf), type, req->transaction_id);
    if (error_code == 0) {
        (void)ertc_stun_add_xor_mapped_address(&b, to);
    } else {
        (void)ertc_stun_add_error_code(&b, error_code, NULL);
        if (error_code == ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE) {
            (void)ertc_stun_add_unknown_attributes(&b, req->unknown_required,
                                                   req->unknown_required_count);
        }
    }
    /* 400 and 401 cannot be authenticated: the requester's credentials are what failed. */
    bool sign = error_code == 0 || error_code == ERTC_STUN_ERROR_ROLE_CONFLICT ||
                error_code == ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE;
    if (ertc_stun_builder_finish(&b, sign ? (const uint8_t *)agent->local_pwd : NULL,
                                 strlen(agent->local_pwd), true, &len) == WEBRTC_STATUS_SUCCESS) {
        ice_send_raw(agent, local, to, buf, len);
    }
}

/* ---- gathering ----------------------------------------------------------------------------- */

static void ice_emit_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c)
{
    char line[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    if (ertc_sdp_format_candidate(c, line, sizeof(line), NULL) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "%s: cannot format a local candidate", agent->name);
        return;
    }
    ERTC_LOGI(TAG, "%s: local %s", agent->name, line);
    if (agent->cb.on_candidate != NULL) {
        agent->cb.on_candidate(agent, c, line, agent->arg);
    }
}

static void ice_fill_candidate(ertc_sdp_candidate_t *c, ertc_sdp_candidate_type_t type,
                               const ertc_addr_t *addr, uint32_t priority, const ertc_addr_t *base,
                               const ertc_addr_t *server)
{
    memset(c, 0, sizeof(*c));
    char foundation[ERTC_ICE_FOUNDATION_SIZE];
    ertc_ice_foundation(type, base, server, foundation);
    snprintf(c->foundation, sizeof(c->foundation), "%s", foundation);
    c->component = ICE_COMPONENT;
    c->transport = ERTC_SDP_TRANSPORT_UDP;
    c->priority = priority;
    (void)ertc_addr_format(addr, false, c->address, sizeof(c->address));
    c->port = addr->port;
    c->type = type;
    if (type != ERTC_SDP_CANDIDATE_HOST) {
        c->has_related = true;
        (void)ertc_addr_format(base, false, c->related_address, sizeof(c->related_address));
        c->related_port = base->port;
    }
}

static void ice_check_gathering_done(ertc_ice_agent_t *agent)
{
    if (agent->gathering_done) {
        return;
    }
    for (size_t i = 0; i < agent->srflx_count; i++) {
        if (!agent->srflx[i].done) {
            return;
        }
    }
    agent->gathering_done = true;
    ERTC_LOGD(TAG, "%s: gathering complete", agent->name);
    if (agent->cb.on_candidate != NULL) {
        agent->cb.on_candidate(agent, NULL, NULL, agent->arg);
    }
}

static void ice_send_srflx(ertc_ice_agent_t *agent, ice_srflx_t *s)
{
    uint8_t buf[64];
    ertc_stun_builder_t b;
    size_t len = 0;
    (void)ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, s->tid);
    if (ertc_stun_builder_finish(&b, NULL, 0, true, &len) == WEBRTC_STATUS_SUCCESS) {
        ice_send_raw(agent, s->local, &agent->cfg.stun_servers[s->server], buf, len);
    }
}

static void ice_srflx_response(ertc_ice_agent_t *agent, ice_srflx_t *s, const ertc_stun_msg_t *msg)
{
    s->done = true;
    if (msg->cls == ERTC_STUN_CLASS_SUCCESS) {
        agent->stats.srflx_transactions++;
        const ertc_addr_t *mapped = NULL;
        if (ertc_stun_has_attr(msg, ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS)) {
            mapped = &msg->xor_mapped_address;
        } else if (ertc_stun_has_attr(msg, ERTC_STUN_ATTR_MAPPED_ADDRESS)) {
            mapped = &msg->mapped_address;
        }
        const ice_local_t *l = &agent->locals[s->local];
        bool duplicate = false;
        for (size_t i = 0; mapped != NULL && i < agent->srflx_emitted_count; i++) {
            duplicate = duplicate || ertc_addr_equal(&agent->srflx_emitted[i], mapped);
        }
        char a[ERTC_ADDR_STRLEN];
        if (mapped == NULL) {
            ERTC_LOGW(TAG, "%s: STUN server response without a mapped address", agent->name);
        } else if (ertc_addr_equal(mapped, &l->addr) || duplicate) {
            /* No NAT between us and the server (or already reported): the srflx candidate
             * would be redundant with the host one (§5.1.3). */
            ERTC_LOGD(TAG, "%s: mapped address %s is redundant, no srflx candidate", agent->name,
                      ice_addr_str(mapped, a));
        } else {
            ertc_sdp_candidate_t c;
            uint32_t prio =
                ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_SRFLX, l->local_pref, ICE_COMPONENT);
            ice_fill_candidate(&c, ERTC_SDP_CANDIDATE_SRFLX, mapped, prio, &l->addr,
                               &agent->cfg.stun_servers[s->server]);
            agent->srflx_emitted[agent->srflx_emitted_count++] = *mapped;
            ice_emit_candidate(agent, &c);
        }
    } else {
        ERTC_LOGW(TAG, "%s: STUN server answered error %d", agent->name, msg->error_code);
    }
    ice_check_gathering_done(agent);
}

/* ---- selection, nomination and consent ----------------------------------------------------- */

static void ice_schedule_consent(ertc_ice_agent_t *agent, uint64_t now)
{
    /* RFC 7675 §5.1: uniformly random in [0.8, 1.2] times the interval. */
    uint64_t interval = (uint64_t)agent->cfg.consent_interval_ms * 1000u;
    uint64_t jitter = interval * 4 / 10;
    uint64_t r = jitter != 0 ? ertc_random_u64() % jitter : 0;
    agent->consent_next_us = now + interval * 8 / 10 + r;
}

static void ice_update_selected(ertc_ice_agent_t *agent)
{
    int best = -1;
    for (size_t i = 0; i < agent->pair_count; i++) {
        const ice_pair_t *p = &agent->pairs[i];
        if (p->valid && p->nominated && (best < 0 || p->priority > agent->pairs[best].priority)) {
            best = (int)i;
        }
    }
    if (best < 0 || best == agent->selected) {
        return;
    }
    uint64_t now = ice_now_us(agent);
    char l[ERTC_ADDR_STRLEN], r[ERTC_ADDR_STRLEN];
    ERTC_LOGI(TAG, "%s: selected pair %s -> %s (%s)", agent->name,
              ice_addr_str(&agent->locals[agent->pairs[best].local].addr, l),
              ice_addr_str(&agent->remotes[agent->pairs[best].remote].addr, r),
              agent->controlling ? "controlling" : "controlled");
    agent->selected = best;
    agent->consent_last_us = now;
    ice_schedule_consent(agent, now);
    if (!ice_is_connected(agent)) {
        ice_set_state(agent, ERTC_ICE_STATE_CONNECTED);
    }
}

static void ice_nominate(ertc_ice_agent_t *agent, size_t pair)
{
    ice_pair_t *p = &agent->pairs[pair];
    if (!p->nominated) {
        ERTC_LOGD(TAG, "%s: pair %zu nominated", agent->name, pair);
        p->nominated = true;
    }
    ice_update_selected(agent);
}

/* ---- the checklist --------------------------------------------------------------------- */

static void ice_start_check(ertc_ice_agent_t *agent, size_t pair, uint64_t now)
{
    ice_pair_t *p = &agent->pairs[pair];
    (void)ertc_random_bytes(p->tid, sizeof(p->tid));
    p->tries = 1;
    p->rto_ms = agent->cfg.check_rto_ms;
    p->next_retx_us = now + (uint64_t)p->rto_ms * 1000u;
    p->in_flight_use_candidate = agent->controlling && p->send_use_candidate;
    p->sent_controlling = agent->controlling;
    ice_pair_set_state(agent, p, ICE_PAIR_IN_PROGRESS);
    agent->stats.checks_sent++;
    ice_send_request(agent, p, p->tid, p->in_flight_use_candidate);
}

static void ice_retransmit_checks(ertc_ice_agent_t *agent, uint64_t now)
{
    for (size_t i = 0; i < agent->pair_count; i++) {
        ice_pair_t *p = &agent->pairs[i];
        if (p->state != ICE_PAIR_IN_PROGRESS || now < p->next_retx_us) {
            continue;
        }
        if (p->tries >= agent->cfg.check_max_tries) {
            ice_pair_set_state(agent, p, ICE_PAIR_FAILED);
            continue;
        }
        p->tries++;
        p->rto_ms = p->rto_ms * 2 > ICE_CHECK_RTO_MAX_MS ? ICE_CHECK_RTO_MAX_MS : p->rto_ms * 2;
        p->next_retx_us = now + (uint64_t)p->rto_ms * 1000u;
        agent->stats.checks_sent++;
        ice_send_request(agent, p, p->tid, p->in_flight_use_candidate);
    }
}

/* One new check per Ta (§6.1.4.2): a triggered one, else the best waiting pair. */
static void ice_next_check(ertc_ice_agent_t *agent, uint64_t now)
{
    int pair;
    while ((pair = ice_dequeue_triggered(agent)) >= 0) {
        if (agent->pairs[pair].state != ICE_PAIR_IN_PROGRESS) {
            ice_start_check(agent, (size_t)pair, now);
            return;
        }
    }
    int best = -1;
    for (size_t i = 0; i < agent->pair_count; i++) {
        const ice_pair_t *p = &agent->pairs[i];
        if (p->state == ICE_PAIR_WAITING &&
            (best < 0 || p->priority > agent->pairs[best].priority)) {
            best = (int)i;
        }
    }
    if (best >= 0) {
        ice_start_check(agent, (size_t)best, now);
    }
}

static bool ice_all_pairs_failed(const ertc_ice_agent_t *agent)
{
    if (agent->pair_count == 0 || agent->triggered_count != 0) {
        return false;
    }
    for (size_t i = 0; i < agent->pair_count; i++) {
        if (agent->pairs[i].state != ICE_PAIR_FAILED) {
            return false;
        }
    }
    return true;
}

static bool ice_checks_finished(const ertc_ice_agent_t *agent)
{
    if (agent->triggered_count != 0) {
        return false;
    }
    for (size_t i = 0; i < agent->pair_count; i++) {
        if (agent->pairs[i].state == ICE_PAIR_WAITING ||
            agent->pairs[i].state == ICE_PAIR_IN_PROGRESS) {
            return false;
        }
    }
    return true;
}

static void ice_send_consent(ertc_ice_agent_t *agent)
{
    uint8_t *tid = agent->consent_tids[agent->consent_tid_next];
    agent->consent_tid_next = (agent->consent_tid_next + 1) % ICE_CONSENT_TIDS;
    (void)ertc_random_bytes(tid, ERTC_STUN_TRANSACTION_ID_LEN);
    agent->stats.consent_requests++;
    ice_send_request(agent, &agent->pairs[agent->selected], tid, false);
}

static void ice_consent_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    if (agent->selected < 0) {
        return;
    }
    uint64_t age_ms = (now - agent->consent_last_us) / 1000u;
    if (age_ms >= agent->cfg.consent_timeout_ms) {
        ERTC_LOGW(TAG, "%s: consent lost: no response for %llu ms", agent->name,
                  (unsigned long long)age_ms);
        ice_set_state(agent, ERTC_ICE_STATE_FAILED);
        return;
    }
    if (age_ms >= agent->cfg.consent_timeout_ms / 2) {
        ice_set_state(agent, ERTC_ICE_STATE_DISCONNECTED);
    }
    if (now >= agent->consent_next_us) {
        ice_send_consent(agent);
        ice_schedule_consent(agent, now);
    }
}

static void ice_srflx_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    bool changed = false;
    for (size_t i = 0; i < agent->srflx_count; i++) {
        ice_srflx_t *s = &agent->srflx[i];
        if (s->done || now < s->next_retx_us) {
            continue;
        }
        if (s->tries >= agent->cfg.stun_max_tries) {
            char a[ERTC_ADDR_STRLEN];
            ERTC_LOGW(TAG, "%s: STUN server %s did not answer", agent->name,
                      ice_addr_str(&agent->cfg.stun_servers[s->server], a));
            s->done = true;
            changed = true;
            continue;
        }
        s->tries++;
        s->rto_ms *= 2;
        s->next_retx_us = now + (uint64_t)s->rto_ms * 1000u;
        ice_send_srflx(agent, s);
    }
    if (changed) {
        ice_check_gathering_done(agent);
    }
}

/* Controlling agent with a valid pair and no nomination yet (it became controlling after
 * its checks succeeded, or the first valid pair failed its nomination): nominate the best
 * valid pair. */
static void ice_nominate_if_needed(ertc_ice_agent_t *agent)
{
    if (!agent->controlling || agent->selected >= 0) {
        return;
    }
    int best = -1;
    bool pending = false;
    for (size_t i = 0; i < agent->pair_count; i++) {
        const ice_pair_t *p = &agent->pairs[i];
        pending = pending || (p->send_use_candidate && p->state != ICE_PAIR_FAILED);
        if (p->valid && p->state != ICE_PAIR_FAILED &&
            (best < 0 || p->priority > agent->pairs[best].priority)) {
            best = (int)i;
        }
    }
    if (best >= 0 && !pending) {
        agent->nomination_started = true;
        agent->pairs[best].send_use_candidate = true;
        ice_enqueue_triggered(agent, (size_t)best);
    }
}

static void ice_on_tick(ertc_loop_t *loop, ertc_timer_t *timer, void *arg)
{
    (void)loop;
    (void)timer;
    ertc_ice_agent_t *agent = arg;
    uint64_t now = ice_now_us(agent);
    ice_srflx_tick(agent, now);
    if (!agent->have_remote_credentials || agent->state == ERTC_ICE_STATE_FAILED) {
        return;
    }
    ice_retransmit_checks(agent, now);
    ice_nominate_if_needed(agent);
    ice_next_check(agent, now);
    if (agent->state == ERTC_ICE_STATE_CHECKING) {
        uint64_t elapsed_ms = (now - agent->checking_start_us) / 1000u;
        if (agent->remote_end_of_candidates && ice_all_pairs_failed(agent)) {
            ERTC_LOGW(TAG, "%s: every candidate pair failed", agent->name);
            ice_set_state(agent, ERTC_ICE_STATE_FAILED);
        } else if (elapsed_ms >= agent->cfg.checking_timeout_ms) {
            ERTC_LOGW(TAG, "%s: no pair nominated after %llu ms", agent->name,
                      (unsigned long long)elapsed_ms);
            ice_set_state(agent, ERTC_ICE_STATE_FAILED);
        }
        return;
    }
    ice_consent_tick(agent, now);
    if (agent->state == ERTC_ICE_STATE_CONNECTED && agent->remote_end_of_candidates &&
        agent->gathering_done && ice_checks_finished(agent)) {
        ice_set_state(agent, ERTC_ICE_STATE_COMPLETED);
    }
}

static void ice_maybe_start_checking(ertc_ice_agent_t *agent)
{
    if (agent->started && agent->have_remote_credentials && agent->state == ERTC_ICE_STATE_NEW) {
        ice_set_state(agent, ERTC_ICE_STATE_CHECKING);
    }
}

/* ---- incoming STUN ------------------------------------------------------------------------- */

static void ice_switch_role(ertc_ice_agent_t *agent, bool controlling, const char *why)
{
    ERTC_LOGI(TAG, "%s: role conflict (%s): now %s", agent->name, why,
              controlling ? "controlling" : "controlled");
    agent->stats.role_conflicts++;
    agent->controlling = controlling;
    for (size_t i = 0; i < agent->pair_count; i++) {
        ice_pair_compute_priority(agent, &agent->pairs[i]);
    }
}

/* Role conflict (§7.3.1.1). Returns true when the request must be answered with 487. */
static bool ice_request_role_conflict(ertc_ice_agent_t *agent, const ertc_stun_msg_t *msg)
{
    if (agent->controlling && ertc_stun_has_attr(msg, ERTC_STUN_ATTR_ICE_CONTROLLING)) {
        if (agent->tie_breaker >= msg->ice_controlling) {
            agent->stats.role_conflicts++;
            return true;
        }
        ice_switch_role(agent, false, "peer's tie-breaker is larger");
    } else if (!agent->controlling && ertc_stun_has_attr(msg, ERTC_STUN_ATTR_ICE_CONTROLLED)) {
        if (agent->tie_breaker >= msg->ice_controlled) {
            ice_switch_role(agent, true, "our tie-breaker is larger");
        } else {
            agent->stats.role_conflicts++;
            return true;
        }
    }
    return false;
}

static void ice_handle_request(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                               const ertc_stun_msg_t *msg)
{
    if (msg->method != ERTC_STUN_METHOD_BINDING) {
        agent->stats.stun_dropped++;
        return;
    }
    size_t ulen = strlen(agent->local_ufrag);
    bool has_user = ertc_stun_has_attr(msg, ERTC_STUN_ATTR_USERNAME);
    if (!has_user || msg->integrity_offset == 0) {
        ice_send_response(agent, local, from, msg, ERTC_STUN_ERROR_BAD_REQUEST);
        return;
    }
    /* USERNAME is "our ufrag:their ufrag" (§7.3.1); their half is checked when known. */
    bool user_ok = msg->username_len > ulen && msg->username[ulen] == ':' &&
                   memcmp(msg->username, agent->local_ufrag, ulen) == 0;
    if (user_ok && agent->have_remote_credentials) {
        size_t rlen = strlen(agent->remote_ufrag);
        user_ok = msg->username_len == ulen + 1 + rlen &&
                  memcmp(msg->username + ulen + 1, agent->remote_ufrag, rlen) == 0;
    }
    if (!user_ok || ertc_stun_verify_integrity(msg, (const uint8_t *)agent->local_pwd,
                                               strlen(agent->local_pwd)) != WEBRTC_STATUS_SUCCESS) {
        agent->stats.integrity_failures++;
        ice_send_response(agent, local, from, msg, ERTC_STUN_ERROR_UNAUTHORIZED);
        return;
    }
    if (msg->unknown_required_count != 0) {
        ice_send_response(agent, local, from, msg, ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE);
        return;
    }
    agent->stats.checks_received++;
    if (ice_request_role_conflict(agent, msg)) {
        ice_send_response(agent, local, from, msg, ERTC_STUN_ERROR_ROLE_CONFLICT);
        return;
    }
    ice_send_response(agent, local, from, msg, 0);
    if (agent->state == ERTC_ICE_STATE_FAILED) {
        return;
    }

    int remote = ice_find_remote(agent, from);
    if (remote < 0) {
        /* Peer-reflexive remote candidate (§7.3.1.3), priority from the request. */
        uint32_t prio = ertc_stun_has_attr(msg, ERTC_STUN_ATTR_PRIORITY) ? msg->priority : 0;
        remote = ice_add_remote(agent, from, prio, ERTC_SDP_CANDIDATE_PRFLX);
        if (remote < 0) {
            return;
        }
        agent->stats.prflx_learned++;
        char a[ERTC_ADDR_STRLEN];
        ERTC_LOGD(TAG, "%s: peer-reflexive remote candidate %s", agent->name,
                  ice_addr_str(from, a));
    }
    int pair = ice_add_pair(agent, local, (size_t)remote);
    if (pair < 0) {
        return;
    }
    ice_pair_t *p = &agent->pairs[pair];
    /* Triggered check (§7.3.1.4), unless this pair already succeeded or is being checked. */
    if (p->state != ICE_PAIR_SUCCEEDED && p->state != ICE_PAIR_IN_PROGRESS) {
        ice_pair_set_state(agent, p, ICE_PAIR_WAITING);
        ice_enqueue_triggered(agent, (size_t)pair);
    }
    if (msg->use_candidate && !agent->controlling) {
        /* §7.3.1.5: nominated now if valid, else when our triggered check succeeds. */
        if (p->valid) {
            ice_nominate(agent, (size_t)pair);
        } else {
            p->nominate_on_success = true;
        }
    }
}

static bool ice_tid_equal(const uint8_t *a, const uint8_t *b)
{
    return memcmp(a, b, ERTC_STUN_TRANSACTION_ID_LEN) == 0;
}

static bool ice_response_authentic(ertc_ice_agent_t *agent, const ertc_stun_msg_t *msg)
{
    if (ertc_stun_verify_integrity(msg, (const uint8_t *)agent->remote_pwd,
                                   strlen(agent->remote_pwd)) == WEBRTC_STATUS_SUCCESS) {
        return true;
    }
    agent->stats.integrity_failures++;
    return false;
}

static void ice_check_response(ertc_ice_agent_t *agent, size_t pair, size_t local,
                               const ertc_addr_t *from, const ertc_stun_msg_t *msg)
{
    ice_pair_t *p = &agent->pairs[pair];
    if (!ice_response_authentic(agent, msg)) {
        /* Left in progress: a forged or mis-keyed answer must not decide the pair; the
         * retransmissions run out if no authentic answer comes. */
        return;
    }
    agent->stats.responses_received++;
    if (msg->cls == ERTC_STUN_CLASS_ERROR) {
        if (msg->error_code == ERTC_STUN_ERROR_ROLE_CONFLICT) {
            /* §7.2.5.1: switch to the role the check did not claim (unless an incoming
             * request already made us switch), then check again. */
            if (agent->controlling == p->sent_controlling) {
                ice_switch_role(agent, !p->sent_controlling, "487 from peer");
            }
            p->send_use_candidate = false;
            ice_pair_set_state(agent, p, ICE_PAIR_WAITING);
            ice_enqueue_triggered(agent, pair);
        } else {
            ERTC_LOGD(TAG, "%s: check answered error %d", agent->name, msg->error_code);
            ice_pair_set_state(agent, p, ICE_PAIR_FAILED);
        }
        return;
    }
    /* §7.2.5.2.1: the response must come from where the request went, on the same socket. */
    if (local != p->local || !ertc_addr_equal(from, &agent->remotes[p->remote].addr)) {
        ice_pair_set_state(agent, p, ICE_PAIR_FAILED);
        return;
    }
    ice_pair_set_state(agent, p, ICE_PAIR_SUCCEEDED);
    p->valid = true;
    if ((int)pair == agent->selected) {
        agent->consent_last_us = ice_now_us(agent);
    }
    if (p->in_flight_use_candidate && agent->controlling) {
        ice_nominate(agent, pair);
    } else if (p->nominate_on_success && !agent->controlling) {
        ice_nominate(agent, pair);
    } else if (agent->controlling && !agent->nomination_started) {
        /* Regular nomination, stopping at the first valid pair (see ice_agent.h). */
        agent->nomination_started = true;
        p->send_use_candidate = true;
        ice_enqueue_triggered(agent, pair);
    }
}

static void ice_handle_response(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                                const ertc_stun_msg_t *msg)
{
    for (size_t i = 0; i < agent->srflx_count; i++) {
        ice_srflx_t *s = &agent->srflx[i];
        if (!s->done && s->local == local && ice_tid_equal(s->tid, msg->transaction_id)) {
            ice_srflx_response(agent, s, msg);
            return;
        }
    }
    if (!agent->have_remote_credentials) {
        agent->stats.stun_dropped++;
        return;
    }
    for (size_t i = 0; i < agent->pair_count; i++) {
        ice_pair_t *p = &agent->pairs[i];
        if (p->state == ICE_PAIR_IN_PROGRESS && ice_tid_equal(p->tid, msg->transaction_id)) {
            ice_check_response(agent, i, local, from, msg);
            return;
        }
    }
    for (size_t i = 0; i < ICE_CONSENT_TIDS; i++) {
        if (agent->selected >= 0 && ice_tid_equal(agent->consent_tids[i], msg->transaction_id)) {
            const ice_pair_t *p = &agent->pairs[agent->selected];
            if (ice_response_authentic(agent, msg) && msg->cls == ERTC_STUN_CLASS_SUCCESS &&
                local == p->local && ertc_addr_equal(from, &agent->remotes[p->remote].addr)) {
                agent->stats.responses_received++;
                agent->consent_last_us = ice_now_us(agent);
                if (agent->state == ERTC_ICE_STATE_DISCONNECTED) {
                    ice_set_state(agent, ERTC_ICE_STATE_CONNECTED);
                }
            }
            return;
        }
    }
    agent->stats.stun_dropped++;
}

static void ice_handle_stun(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                            const uint8_t *buf, size_t len)
{
    ertc_stun_msg_t msg;
    if (ertc_stun_parse(buf, len, &msg) != WEBRTC_STATUS_SUCCESS ||
        (msg.fingerprint_offset != 0 &&
         ertc_stun_verify_fingerprint(&msg) != WEBRTC_STATUS_SUCCESS)) {
        agent->stats.stun_dropped++;
        return;
    }
    switch (msg.cls) {
    case ERTC_STUN_CLASS_REQUEST: ice_handle_request(agent, local, from, &msg); break;
    case ERTC_STUN_CLASS_SUCCESS:
    case ERTC_STUN_CLASS_ERROR: ice_handle_response(agent, local, from, &msg); break;
    case ERTC_STUN_CLASS_INDICATION:
    default: break; /* Binding indications are keepalives (§11) */
    }
}

/* Non-STUN data is accepted from any valid pair's remote address (see ice_agent.h). */
static void ice_handle_data(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                            const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < agent->pair_count; i++) {
        const ice_pair_t *p = &agent->pairs[i];
        if (p->valid && p->local == local &&
            ertc_addr_equal(&agent->remotes[p->remote].addr, from)) {
            if (agent->cb.on_data != NULL) {
                agent->cb.on_data(agent, buf, len, agent->arg);
            }
            return;
        }
    }
    agent->stats.data_dropped++;
    char a[ERTC_ADDR_STRLEN];
    ERTC_LOGV(TAG, "%s: %zu bytes from unknown sender %s dropped", agent->name, len,
              ice_addr_str(from, a));
}

static void ice_on_readable(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)loop;
    (void)io;
    (void)fd;
    (void)events;
    ice_local_t *l = arg;
    ertc_ice_agent_t *agent = l->agent;
    size_t local = (size_t)(l - agent->locals);
    for (;;) {
        size_t len = 0;
        ertc_addr_t from;
        WEBRTC_STATUS st =
            ertc_udp_recvfrom(l->sock, agent->recv_buf, sizeof(agent->recv_buf), &len, &from);
        if (st == WEBRTC_STATUS_MALFORMED) {
            agent->stats.stun_dropped++;
            continue; /* truncated datagram */
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            return; /* RETRY_LATER, or an error the next readiness reports again */
        }
        if (agent->drop_incoming || len == 0) {
            continue;
        }
        if (ertc_stun_is_stun(agent->recv_buf, len)) {
            ice_handle_stun(agent, local, &from, agent->recv_buf, len);
        } else {
            ice_handle_data(agent, local, &from, agent->recv_buf, len);
        }
    }
}

/* ---- public API ------------------------------------------------------------------------ */

void ertc_ice_config_init(ertc_ice_config_t *config)
{
    memset(config, 0, sizeof(*config));
}

static bool ice_credential_ok(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (strchr(ICE_CHARS, s[i]) == NULL) {
            return false;
        }
    }
    return true;
}

WEBRTC_STATUS ertc_ice_agent_create(ertc_loop_t *loop, const ertc_ice_config_t *config,
                                    const ertc_ice_callbacks_t *callbacks, void *arg,
                                    ertc_ice_agent_t **out)
{
    if (loop == NULL || config == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    if (config->stun_server_count > ERTC_ICE_MAX_STUN_SERVERS ||
        config->interface_count > ERTC_ICE_MAX_INTERFACES ||
        (config->ufrag != NULL && !ice_credential_ok(config->ufrag, ERTC_SDP_MIN_ICE_UFRAG_LEN,
                                                     ERTC_SDP_MAX_ICE_UFRAG_LEN)) ||
        (config->pwd != NULL &&
         !ice_credential_ok(config->pwd, ERTC_SDP_MIN_ICE_PWD_LEN, ERTC_SDP_MAX_ICE_PWD_LEN))) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_ice_agent_t *agent = ertc_calloc(1, sizeof(*agent));
    if (agent == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    agent->loop = loop;
    agent->cfg = *config;
    agent->cfg.ta_ms = ice_or_default(config->ta_ms, 50);
    agent->cfg.check_rto_ms = ice_or_default(config->check_rto_ms, 250);
    agent->cfg.check_max_tries = ice_or_default(config->check_max_tries, 7);
    agent->cfg.stun_rto_ms = ice_or_default(config->stun_rto_ms, 500);
    agent->cfg.stun_max_tries = ice_or_default(config->stun_max_tries, 4);
    agent->cfg.checking_timeout_ms = ice_or_default(config->checking_timeout_ms, 30000);
    agent->cfg.consent_interval_ms = ice_or_default(config->consent_interval_ms, 5000);
    agent->cfg.consent_timeout_ms = ice_or_default(config->consent_timeout_ms, 30000);
    agent->cfg.name = NULL; /* copied below; the caller's string need not outlive create */
    if (callbacks != NULL) {
        agent->cb = *callbacks;
    }
    agent->arg = arg;
    snprintf(agent->name, sizeof(agent->name), "%s", config->name != NULL ? config->name : "ice");
    if (config->ufrag != NULL) {
        snprintf(agent->local_ufrag, sizeof(agent->local_ufrag), "%s", config->ufrag);
    } else {
        (void)ertc_random_string(agent->local_ufrag, ERTC_ICE_UFRAG_LEN, ICE_CHARS);
    }
    if (config->pwd != NULL) {
        snprintf(agent->local_pwd, sizeof(agent->local_pwd), "%s", config->pwd);
    } else {
        (void)ertc_random_string(agent->local_pwd, ERTC_ICE_PWD_LEN, ICE_CHARS);
    }
    agent->cfg.ufrag = NULL;
    agent->cfg.pwd = NULL;
    agent->controlling = config->controlling;
    agent->tie_breaker = ertc_random_u64();
    agent->selected = -1;
    agent->state = ERTC_ICE_STATE_NEW;
    ertc_timer_init(&agent->tick, ice_on_tick, agent);
    for (size_t i = 0; i < ERTC_ICE_MAX_INTERFACES; i++) {
        agent->locals[i].sock = ERTC_INVALID_SOCKET;
    }
    ERTC_LOGD(TAG, "%s: created (%s)", agent->name,
              agent->controlling ? "controlling" : "controlled");
    *out = agent;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_ice_agent_destroy(ertc_ice_agent_t *agent)
{
    if (agent == NULL) {
        return;
    }
    ertc_timer_stop(agent->loop, &agent->tick);
    for (size_t i = 0; i < agent->local_count; i++) {
        ertc_io_stop(agent->loop, &agent->locals[i].io);
        ertc_socket_close(agent->locals[i].sock);
    }
    ERTC_LOGD(TAG, "%s: destroyed", agent->name);
    ertc_free(agent);
}

static WEBRTC_STATUS ice_open_local(ertc_ice_agent_t *agent, const ertc_addr_t *bind_addr)
{
    ice_local_t *l = &agent->locals[agent->local_count];
    ertc_addr_t a = *bind_addr;
    a.port = 0;
    WEBRTC_STATUS st = ertc_udp_open(&a, &l->sock);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_socket_local_addr(l->sock, &l->addr);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        l->agent = agent;
        ertc_io_init(&l->io, l->sock, ice_on_readable, l);
        st = ertc_io_start(agent->loop, &l->io, ERTC_IO_READ);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (l->sock != ERTC_INVALID_SOCKET) {
            ertc_socket_close(l->sock);
            l->sock = ERTC_INVALID_SOCKET;
        }
        return st;
    }
    l->local_pref = (uint16_t)(ERTC_ICE_LOCAL_PREF_MAX - agent->local_count);
    l->priority =
        ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_HOST, l->local_pref, ICE_COMPONENT);
    agent->local_count++;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ice_agent_start(ertc_ice_agent_t *agent)
{
    if (agent == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (agent->started) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_addr_t addrs[ERTC_ICE_MAX_INTERFACES];
    size_t n = agent->cfg.interface_count;
    if (n > 0) {
        memcpy(addrs, agent->cfg.interfaces, n * sizeof(addrs[0]));
    } else {
        n = ertc_addr_list_local(addrs, ERTC_ICE_MAX_INTERFACES, false,
                                 agent->cfg.include_loopback);
    }
    for (size_t i = 0; i < n; i++) {
        char a[ERTC_ADDR_STRLEN];
        WEBRTC_STATUS st = ice_open_local(agent, &addrs[i]);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "%s: cannot open a UDP socket on %s: %s", agent->name,
                      ice_addr_str(&addrs[i], a), webrtc_status_name(st));
        }
    }
    if (agent->local_count == 0) {
        ERTC_LOGE(TAG, "%s: no usable local interface: ICE cannot gather", agent->name);
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    WEBRTC_STATUS st =
        ertc_timer_start(agent->loop, &agent->tick, agent->cfg.ta_ms, agent->cfg.ta_ms);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    agent->started = true;
    uint64_t now = ice_now_us(agent);
    for (size_t i = 0; i < agent->local_count; i++) {
        ice_local_t *l = &agent->locals[i];
        ertc_sdp_candidate_t c;
        ice_fill_candidate(&c, ERTC_SDP_CANDIDATE_HOST, &l->addr, l->priority, &l->addr, NULL);
        ice_emit_candidate(agent, &c);
        for (size_t s = 0; s < agent->cfg.stun_server_count; s++) {
            if (agent->cfg.stun_servers[s].family != l->addr.family) {
                continue;
            }
            ice_srflx_t *x = &agent->srflx[agent->srflx_count++];
            x->local = (uint8_t)i;
            x->server = (uint8_t)s;
            x->tries = 1;
            x->rto_ms = agent->cfg.stun_rto_ms;
            x->next_retx_us = now + (uint64_t)x->rto_ms * 1000u;
            (void)ertc_random_bytes(x->tid, sizeof(x->tid));
            ice_send_srflx(agent, x);
        }
    }
    /* Remote candidates that came before start get their pairs now. */
    for (size_t r = 0; r < agent->remote_count; r++) {
        ice_pair_remote(agent, r);
    }
    ice_check_gathering_done(agent);
    ice_maybe_start_checking(agent);
    return WEBRTC_STATUS_SUCCESS;
}

const char *ertc_ice_agent_local_ufrag(const ertc_ice_agent_t *agent)
{
    return agent->local_ufrag;
}

const char *ertc_ice_agent_local_pwd(const ertc_ice_agent_t *agent)
{
    return agent->local_pwd;
}

WEBRTC_STATUS ertc_ice_agent_set_remote_credentials(ertc_ice_agent_t *agent, const char *ufrag,
                                                    const char *pwd)
{
    if (agent == NULL || ufrag == NULL || pwd == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t ul = strlen(ufrag);
    size_t pl = strlen(pwd);
    if (ul < ERTC_SDP_MIN_ICE_UFRAG_LEN || ul > ERTC_SDP_MAX_ICE_UFRAG_LEN ||
        pl < ERTC_SDP_MIN_ICE_PWD_LEN || pl > ERTC_SDP_MAX_ICE_PWD_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (agent->have_remote_credentials) {
        return WEBRTC_STATUS_INVALID_OPERATION; /* ICE restart needs a new agent */
    }
    memcpy(agent->remote_ufrag, ufrag, ul + 1);
    memcpy(agent->remote_pwd, pwd, pl + 1);
    agent->have_remote_credentials = true;
    ERTC_LOGD(TAG, "%s: remote credentials set", agent->name);
    ice_maybe_start_checking(agent);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ice_agent_add_remote_candidate(ertc_ice_agent_t *agent, const char *line)
{
    if (agent == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (line == NULL || line[0] == '\0') {
        ERTC_LOGD(TAG, "%s: remote end-of-candidates", agent->name);
        agent->remote_end_of_candidates = true;
        return WEBRTC_STATUS_SUCCESS;
    }
    ertc_sdp_candidate_t c;
    WEBRTC_STATUS st = ertc_sdp_parse_candidate(line, &c);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "%s: remote candidate does not parse: %s", agent->name,
                  webrtc_status_name(st));
        return st;
    }
    if (c.transport != ERTC_SDP_TRANSPORT_UDP || c.component != ICE_COMPONENT) {
        return WEBRTC_STATUS_SUCCESS; /* TCP and RTCP candidates are not used */
    }
    ertc_addr_t addr;
    memset(&addr, 0, sizeof(addr));
    if (ertc_addr_parse_ip(c.address, &addr) != WEBRTC_STATUS_SUCCESS) {
        size_t n = strlen(c.address);
        if (n > 6 && strcmp(c.address + n - 6, ".local") == 0) {
            /* mDNS name: dropped; the peer's checks teach us its address as prflx. */
            agent->stats.mdns_dropped++;
            ERTC_LOGD(TAG, "%s: mDNS candidate dropped", agent->name);
            return WEBRTC_STATUS_SUCCESS;
        }
        return WEBRTC_STATUS_MALFORMED;
    }
    addr.port = c.port;
    int remote = ice_find_remote(agent, &addr);
    if (remote >= 0) {
        /* Known already, maybe as peer-reflexive: keep the signalled type and priority. */
        agent->remotes[remote].type = c.type;
        agent->remotes[remote].priority = c.priority;
    } else {
        remote = ice_add_remote(agent, &addr, c.priority, c.type);
        if (remote < 0) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
    }
    char a[ERTC_ADDR_STRLEN];
    ERTC_LOGD(TAG, "%s: remote candidate %s %s", agent->name, ertc_sdp_candidate_type_name(c.type),
              ice_addr_str(&addr, a));
    if (agent->started) {
        for (size_t i = 0; i < agent->pair_count; i++) {
            if (agent->pairs[i].remote == remote) {
                ice_pair_compute_priority(agent, &agent->pairs[i]);
            }
        }
        ice_pair_remote(agent, (size_t)remote);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ice_agent_send(ertc_ice_agent_t *agent, const uint8_t *data, size_t len)
{
    if (agent == NULL || (data == NULL && len != 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (agent->selected < 0 || agent->state == ERTC_ICE_STATE_FAILED) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    const ice_pair_t *p = &agent->pairs[agent->selected];
    return ertc_udp_sendto(agent->locals[p->local].sock, data, len,
                           &agent->remotes[p->remote].addr);
}

ertc_ice_state_t ertc_ice_agent_state(const ertc_ice_agent_t *agent)
{
    return agent->state;
}

bool ertc_ice_agent_is_controlling(const ertc_ice_agent_t *agent)
{
    return agent->controlling;
}

WEBRTC_STATUS ertc_ice_agent_selected_pair(const ertc_ice_agent_t *agent, ertc_addr_t *local,
                                           ertc_addr_t *remote)
{
    if (agent->selected < 0) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    const ice_pair_t *p = &agent->pairs[agent->selected];
    if (local != NULL) {
        *local = agent->locals[p->local].addr;
    }
    if (remote != NULL) {
        *remote = agent->remotes[p->remote].addr;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_ice_agent_get_stats(const ertc_ice_agent_t *agent, ertc_ice_stats_t *out)
{
    *out = agent->stats;
}

void ertc_ice_agent_test_drop_incoming(ertc_ice_agent_t *agent, bool drop)
{
    agent->drop_incoming = drop;
}
