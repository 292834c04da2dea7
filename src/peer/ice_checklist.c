/*
 * peer/ice_checklist — the checklist of the ICE agent (RFC 8445 §6.1.2-§8.1) and consent
 * freshness (RFC 7675): candidate pairs, connectivity checks and their answers, roles,
 * nomination and the selected pair. The agent's design is explained in ice_agent.h and its
 * files in ice_agent_internal.h.
 *
 * Two explicit state machines, each with one function that changes state and logs it:
 *  - the agent: NEW -> CHECKING -> CONNECTED [-> COMPLETED] [<-> DISCONNECTED] -> FAILED
 *    (ice_set_state);
 *  - each candidate pair: FROZEN/WAITING -> IN_PROGRESS -> SUCCEEDED | FAILED
 *    (ice_pair_set_state). Pairs start WAITING: with one component and BUNDLE there is
 *    nothing to unfreeze by foundation that would change the order of the first checks.
 *    Pairs on a relayed candidate start FROZEN until the TURN server grants the permission
 *    for the remote address (a check sent before would be dropped by the server).
 *
 * Simplifications (documented so they can be revisited):
 *  - the valid pair of a successful check is the pair that was checked (§7.2.5.3.2 would
 *    add a local peer-reflexive candidate when XOR-MAPPED-ADDRESS differs); we always send
 *    from the base socket, so the path used is the same;
 *  - consent requests are not retransmitted: the next one goes out within the interval,
 *    and a response to any of the last few refreshes consent (RFC 7675 §5.1);
 *  - an incoming check on a pair whose own check is in progress does not restart it.
 */
#include <stdio.h>
#include <string.h>

#include "peer/ice_agent_internal.h"
#include "peer/ice_candidate.h"
#include "port/port.h"
#include "util/log.h"

#define TAG "ice"

static const char *ice_pair_state_name(ice_pair_state_t s)
{
    static const char *const names[] = {"frozen", "waiting", "in-progress", "succeeded", "failed"};
    return names[s];
}

/* ---- state machines ------------------------------------------------------------------------ */

void ice_set_state(ertc_ice_agent_t *agent, ertc_ice_state_t state)
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

void ice_pair_set_state(ertc_ice_agent_t *agent, ice_pair_t *p, ice_pair_state_t state)
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

void ice_pair_compute_priority(ertc_ice_agent_t *agent, ice_pair_t *p)
{
    uint32_t ours = ice_local_priority(agent, p);
    uint32_t theirs = agent->remotes[p->remote].priority;
    p->priority = agent->controlling ? ertc_ice_pair_priority(ours, theirs)
                                     : ertc_ice_pair_priority(theirs, ours);
}

int ice_find_remote(const ertc_ice_agent_t *agent, const ertc_addr_t *addr)
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

int ice_add_pair(ertc_ice_agent_t *agent, size_t local, size_t remote)
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
    size_t index = agent->pair_count++;
    if (agent->locals[local].relay) {
        ice_relay_prepare_pair(agent, index);
    }
    return (int)index;
}

/* Pairs a new remote candidate with every local candidate of its family (§6.1.2.2); with
 * relay_only, with the relayed candidates only. */
void ice_pair_remote(ertc_ice_agent_t *agent, size_t remote)
{
    for (size_t i = 0; i < agent->local_count; i++) {
        if (agent->cfg.relay_only && !agent->locals[i].relay) {
            continue;
        }
        if (agent->locals[i].addr.family == agent->remotes[remote].addr.family) {
            (void)ice_add_pair(agent, i, remote);
        }
    }
}

int ice_add_remote(ertc_ice_agent_t *agent, const ertc_addr_t *addr, uint32_t priority,
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

void ice_send_raw(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to, const uint8_t *buf,
                  size_t len)
{
    WEBRTC_STATUS st = agent->locals[local].relay
                           ? ice_relay_send(agent, local, to, buf, len)
                           : ertc_udp_sendto(agent->locals[local].sock, buf, len, to);
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
    if (agent->locals[agent->pairs[best].local].relay) {
        ice_relay_selected(agent, (size_t)best);
    }
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
/* The checklist's share of the agent's tick (every Ta): retransmissions, nomination, the
 * next check, the checking timeout and consent. */
void ice_checklist_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    if (!agent->have_remote_credentials || agent->state == ERTC_ICE_STATE_FAILED) {
        return;
    }
    ice_retransmit_checks(agent, now);
    ice_nominate_if_needed(agent);
    ice_next_check(agent, now);
    if (agent->state == ERTC_ICE_STATE_CHECKING) {
        uint64_t elapsed_ms = (now - agent->checking_start_us) / 1000u;
        if (agent->remote_end_of_candidates && agent->gathering_done &&
            ice_all_pairs_failed(agent)) {
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

void ice_maybe_start_checking(ertc_ice_agent_t *agent)
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
    if (msg->method != ERTC_STUN_METHOD_BINDING ||
        (agent->cfg.relay_only && !agent->locals[local].relay)) {
        /* relay_only: a check that did not come through the relay is not answered, so
         * that the host address stays unused (and unconfirmed). */
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
        /* Regular nomination, stopping at the first valid pair (see ice_agent.h). The
         * nomination check goes out now rather than at the next Ta tick: it is the one check
         * the connection waits for (~Ta saved on every connect), and it is a single extra
         * transaction on a pair that has just answered, while ordinary checks stay paced one
         * per Ta (§6.1.4.2) by the tick. */
        agent->nomination_started = true;
        p->send_use_candidate = true;
        ice_start_check(agent, pair, ice_now_us(agent));
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

void ice_handle_stun(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
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
void ice_handle_data(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
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
