/*
 * peer/ice_relay — the ICE agent's relayed candidates (RFC 8445 §5.1.1.2 with RFC 8656):
 * one TURN allocation per configured TURN server, made from the first host socket of the
 * server's family, and the glue between the agent and peer/turn_client.
 *
 *  - gathering: the allocation's relayed address becomes a local candidate ("typ relay",
 *    raddr/rport the mapped address the server saw, priority with type preference 0) that
 *    is reported through on_candidate and paired with the remote candidates. A server that
 *    fails or stays silent counts as done, so end-of-candidates always comes.
 *  - pairs: a pair on the relayed candidate waits FROZEN until the permission for its
 *    remote address is granted (a check sent before would be dropped by the server), then
 *    WAITING; a refused permission fails the pair.
 *  - data: checks, answers and application data to a remote address go through the TURN
 *    client (Send indication, or ChannelData once a channel is bound); the selected pair
 *    gets a channel (ChannelBind) when it is a relayed one. What the server relays to us
 *    comes back through ice_dispatch as if it had arrived on the relayed candidate.
 */
#include <stdio.h>
#include <string.h>

#include "peer/ice_agent_internal.h"
#include "peer/ice_candidate.h"
#include "util/log.h"

#define TAG "ice"

static void ice_turn_send(void *arg, const uint8_t *buf, size_t len)
{
    ice_turn_t *t = arg;
    ertc_ice_agent_t *agent = t->agent;
    WEBRTC_STATUS st = ertc_udp_sendto(agent->locals[t->base].sock, buf, len, &t->client.server);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGD(TAG, "%s: send to the TURN server failed: %s", agent->name,
                  webrtc_status_name(st));
    }
}

/* The Allocate answer also tells our address as the server saw it: a server-reflexive
 * candidate when it differs from the base and was not reported yet (RFC 8445 §5.1.1.2),
 * except with relay_only. Reported only, like the STUN ones: checks go from the base. */
static void ice_relay_emit_srflx(ertc_ice_agent_t *agent, const ice_turn_t *t,
                                 const ertc_addr_t *mapped)
{
    const ice_local_t *base = &agent->locals[t->base];
    if (agent->cfg.relay_only || mapped->family == 0 || ertc_addr_equal(mapped, &base->addr) ||
        agent->srflx_emitted_count == ICE_MAX_SRFLX) {
        return;
    }
    for (size_t i = 0; i < agent->srflx_emitted_count; i++) {
        if (ertc_addr_equal(&agent->srflx_emitted[i], mapped)) {
            return;
        }
    }
    ertc_sdp_candidate_t c;
    uint32_t prio =
        ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_SRFLX, base->local_pref, ICE_COMPONENT);
    ice_fill_candidate(&c, ERTC_SDP_CANDIDATE_SRFLX, mapped, prio, &base->addr, &t->client.server,
                       NULL);
    agent->srflx_emitted[agent->srflx_emitted_count++] = *mapped;
    ice_emit_candidate(agent, &c);
}

static void ice_turn_allocated(void *arg, const ertc_addr_t *relayed, const ertc_addr_t *mapped)
{
    ice_turn_t *t = arg;
    ertc_ice_agent_t *agent = t->agent;
    t->done = true;
    if (agent->local_count == ICE_MAX_LOCALS) {
        ice_check_gathering_done(agent);
        return;
    }
    size_t index = agent->local_count++;
    ice_local_t *l = &agent->locals[index];
    const ice_local_t *base = &agent->locals[t->base];
    memset(l, 0, sizeof(*l));
    l->agent = agent;
    l->sock = base->sock;
    l->addr = *relayed;
    l->relay = true;
    l->base = t->base;
    l->turn = (uint8_t)(t - agent->turns);
    l->local_pref = (uint16_t)(ERTC_ICE_LOCAL_PREF_MAX - l->turn);
    l->priority =
        ertc_ice_candidate_priority(ERTC_SDP_CANDIDATE_RELAY, l->local_pref, ICE_COMPONENT);
    t->local = (int)index;

    ertc_sdp_candidate_t c;
    ice_fill_candidate(&c, ERTC_SDP_CANDIDATE_RELAY, relayed, l->priority, &base->addr,
                       &t->client.server, mapped->family != 0 ? mapped : &base->addr);
    ice_emit_candidate(agent, &c);
    ice_relay_emit_srflx(agent, t, mapped);
    for (size_t r = 0; r < agent->remote_count; r++) {
        if (agent->remotes[r].addr.family == l->addr.family) {
            (void)ice_add_pair(agent, index, r);
        }
    }
    ice_check_gathering_done(agent);
}

static void ice_turn_failed(void *arg)
{
    ice_turn_t *t = arg;
    ertc_ice_agent_t *agent = t->agent;
    char a[ERTC_ADDR_STRLEN];
    ERTC_LOGW(TAG, "%s: no relayed candidate from TURN server %s", agent->name,
              ice_addr_str(&t->client.server, a));
    t->done = true;
    if (t->local >= 0) {
        /* The allocation was lost: its pairs cannot carry anything any more. */
        for (size_t i = 0; i < agent->pair_count; i++) {
            if (agent->pairs[i].local == (uint8_t)t->local &&
                agent->pairs[i].state != ICE_PAIR_FAILED) {
                ice_pair_set_state(agent, &agent->pairs[i], ICE_PAIR_FAILED);
                agent->pairs[i].valid = false;
            }
        }
    }
    ice_check_gathering_done(agent);
}

static bool ice_same_ip(const ertc_addr_t *a, const ertc_addr_t *b)
{
    ertc_addr_t x = *a, y = *b;
    x.port = 0;
    y.port = 0;
    return ertc_addr_equal(&x, &y);
}

static void ice_turn_permission(void *arg, const ertc_addr_t *peer, bool granted)
{
    ice_turn_t *t = arg;
    ertc_ice_agent_t *agent = t->agent;
    for (size_t i = 0; i < agent->pair_count; i++) {
        ice_pair_t *p = &agent->pairs[i];
        if (p->local == (uint8_t)t->local && p->state == ICE_PAIR_FROZEN &&
            ice_same_ip(&agent->remotes[p->remote].addr, peer)) {
            ice_pair_set_state(agent, p, granted ? ICE_PAIR_WAITING : ICE_PAIR_FAILED);
        }
    }
}

static void ice_turn_data(void *arg, const ertc_addr_t *peer, const uint8_t *data, size_t len)
{
    ice_turn_t *t = arg;
    if (t->local >= 0 && len > 0) {
        ice_dispatch(t->agent, (size_t)t->local, peer, data, len);
    }
}

void ice_relay_start(ertc_ice_agent_t *agent, uint64_t now)
{
    static const ertc_turn_callbacks_t callbacks = {
        ice_turn_send, ice_turn_allocated, ice_turn_failed, ice_turn_permission, ice_turn_data};
    for (size_t s = 0; s < agent->cfg.turn_server_count; s++) {
        const ertc_ice_turn_server_t *server = &agent->cfg.turn_servers[s];
        ice_turn_t *t = &agent->turns[agent->turn_count];
        char a[ERTC_ADDR_STRLEN];
        int base = -1;
        for (size_t i = 0; i < agent->host_count && base < 0; i++) {
            if (agent->locals[i].addr.family == server->addr.family) {
                base = (int)i;
            }
        }
        if (base < 0) {
            ERTC_LOGW(TAG, "%s: no local socket of the family of TURN server %s", agent->name,
                      ice_addr_str(&server->addr, a));
            continue;
        }
        char name[sizeof(t->client.name)];
        snprintf(name, sizeof(name), "%.12s %s", agent->name, ice_addr_str(&server->addr, a));
        memset(t, 0, sizeof(*t));
        t->agent = agent;
        t->base = (uint8_t)base;
        t->local = -1;
        if (ertc_turn_client_init(&t->client, name, &server->addr, server->username,
                                  server->password, agent->cfg.stun_rto_ms,
                                  agent->cfg.stun_max_tries, &callbacks,
                                  t) != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "%s: TURN server %s: credentials too long", agent->name, a);
            continue;
        }
        agent->turn_count++;
        ertc_turn_client_start(&t->client, now);
    }
}

void ice_relay_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    for (size_t i = 0; i < agent->turn_count; i++) {
        ertc_turn_client_tick(&agent->turns[i].client, now);
    }
}

void ice_relay_close(ertc_ice_agent_t *agent)
{
    for (size_t i = 0; i < agent->turn_count; i++) {
        ertc_turn_client_close(&agent->turns[i].client);
    }
}

bool ice_relay_handle(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                      const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < agent->turn_count; i++) {
        ice_turn_t *t = &agent->turns[i];
        if (t->base == local && ertc_addr_equal(from, &t->client.server)) {
            return ertc_turn_client_handle(&t->client, buf, len, ice_now_us(agent));
        }
    }
    return false;
}

void ice_relay_prepare_pair(ertc_ice_agent_t *agent, size_t pair)
{
    ice_pair_t *p = &agent->pairs[pair];
    ertc_turn_client_t *client = &agent->turns[agent->locals[p->local].turn].client;
    const ertc_addr_t *peer = &agent->remotes[p->remote].addr;
    if (ertc_turn_client_has_permission(client, peer)) {
        return; /* stays WAITING */
    }
    p->state = ICE_PAIR_FROZEN;
    WEBRTC_STATUS st = ertc_turn_client_permit(client, peer, ice_now_us(agent));
    if (st != WEBRTC_STATUS_SUCCESS) {
        char a[ERTC_ADDR_STRLEN];
        ERTC_LOGW(TAG, "%s: no TURN permission for %s: %s", agent->name, ice_addr_str(peer, a),
                  webrtc_status_name(st));
        ice_pair_set_state(agent, p, ICE_PAIR_FAILED);
    }
}

void ice_relay_selected(ertc_ice_agent_t *agent, size_t pair)
{
    const ice_pair_t *p = &agent->pairs[pair];
    ertc_turn_client_t *client = &agent->turns[agent->locals[p->local].turn].client;
    WEBRTC_STATUS st =
        ertc_turn_client_bind_channel(client, &agent->remotes[p->remote].addr, ice_now_us(agent));
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGD(TAG, "%s: no TURN channel (%s): data stays in Send indications", agent->name,
                  webrtc_status_name(st));
    }
}

WEBRTC_STATUS ice_relay_send(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to,
                             const uint8_t *buf, size_t len)
{
    return ertc_turn_client_send(&agent->turns[agent->locals[local].turn].client, to, buf, len);
}

bool ice_relay_done(const ertc_ice_agent_t *agent)
{
    for (size_t i = 0; i < agent->turn_count; i++) {
        if (!agent->turns[i].done) {
            return false;
        }
    }
    return true;
}

void ice_relay_add_stats(const ertc_ice_agent_t *agent, ertc_ice_stats_t *out)
{
    for (size_t i = 0; i < agent->turn_count; i++) {
        const ertc_turn_stats_t *s = &agent->turns[i].client.stats;
        out->turn_allocations += s->allocations;
        out->turn_refreshes += s->refreshes;
        out->turn_permissions += s->permissions;
        out->turn_channel_binds += s->channel_binds;
        out->turn_errors += s->errors;
        out->turn_timeouts += s->timeouts;
    }
}
