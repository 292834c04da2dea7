/*
 * peer/ice_agent — a full ICE agent: RFC 8445 (gathering §5.1, checklist §6.1.2,
 * checks §7.2-§7.3, nomination §8.1), RFC 8838 (trickle), RFC 7675 (consent freshness),
 * TURN relayed candidates (RFC 8656) and remote mDNS candidates (RFC 6762).
 * The design choices are explained in ice_agent.h; this file holds the API, the sockets and
 * demultiplexing of what they receive, host and server-reflexive gathering. The checklist
 * is in ice_checklist.c, relayed candidates in ice_relay.c, mDNS in ice_mdns.c.
 *
 * One periodic timer ticks every Ta and does all the timed work: the next check (triggered
 * checks first, then the highest-priority waiting pair), retransmissions of checks, of the
 * STUN-server Binding requests and of TURN requests, refreshes, the checking timeout and
 * consent freshness.
 */
#include "peer/ice_agent.h"

#include <stdio.h>
#include <string.h>

#include "peer/ice_agent_internal.h"
#include "peer/ice_candidate.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "ice"

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
const char *ice_addr_str(const ertc_addr_t *a, char buf[ERTC_ADDR_STRLEN])
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

uint64_t ice_now_us(const ertc_ice_agent_t *agent)
{
    /* The loop's cached time is stale inside API calls made from outside the loop. */
    (void)agent;
    return ertc_time_mono_us();
}

bool ice_is_connected(const ertc_ice_agent_t *agent)
{
    return agent->state == ERTC_ICE_STATE_CONNECTED || agent->state == ERTC_ICE_STATE_COMPLETED ||
           agent->state == ERTC_ICE_STATE_DISCONNECTED;
}
/* ---- gathering ----------------------------------------------------------------------------- */

void ice_emit_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c)
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

/* related: raddr/rport (the base for srflx, the mapped address for relay); NULL = base. */
void ice_fill_candidate(ertc_sdp_candidate_t *c, ertc_sdp_candidate_type_t type,
                        const ertc_addr_t *addr, uint32_t priority, const ertc_addr_t *base,
                        const ertc_addr_t *server, const ertc_addr_t *related)
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
        if (related == NULL) {
            related = base;
        }
        c->has_related = true;
        (void)ertc_addr_format(related, false, c->related_address, sizeof(c->related_address));
        c->related_port = related->port;
    }
}

void ice_check_gathering_done(ertc_ice_agent_t *agent)
{
    if (agent->gathering_done) {
        return;
    }
    for (size_t i = 0; i < agent->srflx_count; i++) {
        if (!agent->srflx[i].done) {
            return;
        }
    }
    if (!agent->started || !ice_relay_done(agent)) {
        return;
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

void ice_srflx_response(ertc_ice_agent_t *agent, ice_srflx_t *s, const ertc_stun_msg_t *msg)
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
                               &agent->cfg.stun_servers[s->server], NULL);
            agent->srflx_emitted[agent->srflx_emitted_count++] = *mapped;
            ice_emit_candidate(agent, &c);
        }
    } else {
        ERTC_LOGW(TAG, "%s: STUN server answered error %d", agent->name, msg->error_code);
    }
    ice_check_gathering_done(agent);
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

static void ice_on_tick(ertc_loop_t *loop, ertc_timer_t *timer, void *arg)
{
    (void)loop;
    (void)timer;
    ertc_ice_agent_t *agent = arg;
    uint64_t now = ice_now_us(agent);
    ice_srflx_tick(agent, now);
    ice_relay_tick(agent, now);
    ice_mdns_tick(agent, now);
    ice_checklist_tick(agent, now);
}

/* ---- receiving ------------------------------------------------------------------------- */

void ice_dispatch(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                  const uint8_t *buf, size_t len)
{
    if (ertc_stun_is_stun(buf, len)) {
        ice_handle_stun(agent, local, from, buf, len);
    } else {
        ice_handle_data(agent, local, from, buf, len);
    }
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
        /* TURN traffic (responses, Data indications, ChannelData) and mDNS answers share
         * the socket with ICE; their source address tells them apart. */
        if (ice_relay_handle(agent, local, &from, agent->recv_buf, len) ||
            (from.port == ERTC_MDNS_PORT && ice_mdns_handle(agent, &from, agent->recv_buf, len))) {
            continue;
        }
        ice_dispatch(agent, local, &from, agent->recv_buf, len);
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
        config->turn_server_count > ERTC_ICE_MAX_TURN_SERVERS ||
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
    for (size_t i = 0; i < ICE_MAX_LOCALS; i++) {
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
    ice_relay_close(agent); /* before the sockets: it sends the allocations' deletion */
    ice_mdns_close(agent);
    for (size_t i = 0; i < agent->host_count; i++) {
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
    agent->host_count++;
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
        ice_fill_candidate(&c, ERTC_SDP_CANDIDATE_HOST, &l->addr, l->priority, &l->addr, NULL,
                           NULL);
        if (!agent->cfg.relay_only) {
            ice_emit_candidate(agent, &c);
        }
        for (size_t s = 0; s < agent->cfg.stun_server_count && !agent->cfg.relay_only; s++) {
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
    ice_relay_start(agent, now);
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
            /* mDNS name: resolved when a responder answers; otherwise the peer's checks
             * teach us its address as peer-reflexive. */
            if (ice_mdns_resolve(agent, &c) != WEBRTC_STATUS_SUCCESS) {
                agent->stats.mdns_dropped++;
                ERTC_LOGD(TAG, "%s: mDNS candidate dropped", agent->name);
            }
            return WEBRTC_STATUS_SUCCESS;
        }
        return WEBRTC_STATUS_MALFORMED;
    }
    addr.port = c.port;
    return ice_learn_remote(agent, &addr, c.priority, c.type) >= 0 ? WEBRTC_STATUS_SUCCESS
                                                                   : WEBRTC_STATUS_LIMIT_EXCEEDED;
}

int ice_learn_remote(ertc_ice_agent_t *agent, const ertc_addr_t *addr, uint32_t priority,
                     ertc_sdp_candidate_type_t type)
{
    int remote = ice_find_remote(agent, addr);
    if (remote >= 0) {
        /* Known already, maybe as peer-reflexive: keep the signalled type and priority. */
        agent->remotes[remote].type = type;
        agent->remotes[remote].priority = priority;
    } else {
        remote = ice_add_remote(agent, addr, priority, type);
        if (remote < 0) {
            return -1;
        }
    }
    char a[ERTC_ADDR_STRLEN];
    ERTC_LOGD(TAG, "%s: remote candidate %s %s", agent->name, ertc_sdp_candidate_type_name(type),
              ice_addr_str(addr, a));
    if (agent->started) {
        for (size_t i = 0; i < agent->pair_count; i++) {
            if (agent->pairs[i].remote == remote) {
                ice_pair_compute_priority(agent, &agent->pairs[i]);
            }
        }
        ice_pair_remote(agent, (size_t)remote);
    }
    return remote;
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
    if (agent->locals[p->local].relay) {
        return ice_relay_send(agent, p->local, &agent->remotes[p->remote].addr, data, len);
    }
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
    ice_relay_add_stats(agent, out);
}

void ertc_ice_agent_test_drop_incoming(ertc_ice_agent_t *agent, bool drop)
{
    agent->drop_incoming = drop;
}
