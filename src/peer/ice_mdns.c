/*
 * peer/ice_mdns — resolution of remote ".local" candidates (browsers hide their host
 * addresses behind mDNS names, draft-ietf-mmusic-mdns-ice-candidates) for the ICE agent.
 *
 * A one-shot query (RFC 6762 §5.1) with the QU bit, sent to 224.0.0.251:5353 from each IPv4
 * host socket: responders answer by unicast to the socket that asked (§5.4, §6.7), where
 * the agent's demultiplexer hands datagrams from port 5353 to ice_mdns_handle. The answer's
 * address becomes a remote host candidate with the signalled port and priority. Without an
 * answer within ICE_MDNS_TIMEOUT_MS (no responder, no multicast route, a firewall) the name
 * is given up and counted: the peer's checks still reach us and teach us its address as a
 * peer-reflexive candidate (RFC 8445 §7.3.1.3), which is how such candidates worked before.
 *
 * The kernel chooses the interface a multicast query leaves by (its multicast route): the
 * port layer has no IP_MULTICAST_IF yet, so on a machine with several interfaces the query
 * may go out of one only.
 */
#include <stdio.h>
#include <string.h>

#include "peer/ice_agent_internal.h"
#include "port/port.h"
#include "util/log.h"

#define TAG "ice"

#define ICE_MDNS_TIMEOUT_MS 3000
#define ICE_MDNS_QUERY_SIZE (ERTC_MDNS_HEADER_LEN + ERTC_MDNS_MAX_NAME + 8)

WEBRTC_STATUS ice_mdns_resolve(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c)
{
    ice_mdns_query_t *q = NULL;
    for (size_t i = 0; i < ICE_MAX_MDNS; i++) {
        if (agent->mdns[i].used && strcmp(agent->mdns[i].name, c->address) == 0 &&
            agent->mdns[i].port == c->port) {
            return WEBRTC_STATUS_SUCCESS; /* asked already */
        }
        if (!agent->mdns[i].used && q == NULL) {
            q = &agent->mdns[i];
        }
    }
    if (q == NULL || strlen(c->address) > ERTC_MDNS_MAX_NAME) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    uint8_t buf[ICE_MDNS_QUERY_SIZE];
    size_t len = 0;
    uint16_t id = (uint16_t)ertc_random_u32();
    WEBRTC_STATUS st = ertc_mdns_build_query(buf, sizeof(buf), id, c->address, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_addr_t group;
    memset(&group, 0, sizeof(group));
    (void)ertc_addr_parse_ip(ERTC_MDNS_GROUP_V4, &group);
    group.port = ERTC_MDNS_PORT;
    size_t sent = 0;
    for (size_t i = 0; i < agent->host_count; i++) {
        if (agent->locals[i].addr.family == ERTC_AF_INET &&
            ertc_udp_sendto(agent->locals[i].sock, buf, len, &group) == WEBRTC_STATUS_SUCCESS) {
            sent++;
        }
    }
    if (sent == 0) {
        ERTC_LOGD(TAG, "%s: mDNS query not sent (no socket, or no multicast route)", agent->name);
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    memset(q, 0, sizeof(*q));
    q->used = true;
    snprintf(q->name, sizeof(q->name), "%s", c->address);
    q->id = id;
    q->port = c->port;
    q->priority = c->priority;
    q->type = c->type;
    q->deadline_us = ice_now_us(agent) + (uint64_t)ICE_MDNS_TIMEOUT_MS * 1000u;
    agent->stats.mdns_queries++;
    ERTC_LOGD(TAG, "%s: mDNS query for %s sent from %zu socket(s)", agent->name, q->name, sent);
    return WEBRTC_STATUS_SUCCESS;
}

bool ice_mdns_handle(ertc_ice_agent_t *agent, const ertc_addr_t *from, const uint8_t *buf,
                     size_t len)
{
    (void)from;
    bool any = false;
    bool mdns = false;
    for (size_t i = 0; i < ICE_MAX_MDNS; i++) {
        ice_mdns_query_t *q = &agent->mdns[i];
        if (!q->used) {
            continue;
        }
        any = true;
        ertc_addr_t addr;
        WEBRTC_STATUS st = ertc_mdns_find_a(buf, len, q->name, &addr, NULL);
        if (st == WEBRTC_STATUS_NOT_FOUND) {
            mdns = true;
            continue;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            continue;
        }
        mdns = true;
        q->used = false;
        addr.port = q->port;
        char a[ERTC_ADDR_STRLEN];
        ERTC_LOGD(TAG, "%s: mDNS: %s is %s", agent->name, q->name, ice_addr_str(&addr, a));
        if (ice_learn_remote(agent, &addr, q->priority, q->type) >= 0) {
            agent->stats.mdns_resolved++;
        }
    }
    return any && mdns;
}

void ice_mdns_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    for (size_t i = 0; i < ICE_MAX_MDNS; i++) {
        ice_mdns_query_t *q = &agent->mdns[i];
        if (q->used && now >= q->deadline_us) {
            q->used = false;
            agent->stats.mdns_timeouts++;
            ERTC_LOGD(TAG, "%s: mDNS: no answer for %s, relying on peer-reflexive learning",
                      agent->name, q->name);
        }
    }
}
