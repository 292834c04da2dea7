/*
 * peer/ice_mdns — resolution of remote ".local" candidates (browsers hide their host
 * addresses behind mDNS names, draft-ietf-mmusic-mdns-ice-candidates) for the ICE agent.
 *
 * A query (RFC 6762 §5) for the name's A record with the QU bit, sent to 224.0.0.251:5353
 * from each IPv4 host socket, out of that socket's interface (IP_MULTICAST_IF), and repeated
 * once after a second (§5.2 asks for at least a second between the first two). Answers come
 * two ways, and both are read:
 *
 *  - by unicast to the socket that asked (§6.7, avahi, mDNSResponder): the agent's
 *    demultiplexer hands datagrams from port 5353 on the host sockets to ice_mdns_handle;
 *  - by multicast to 224.0.0.251:5353, which is all Chromium does (tests/data/mdns): heard on
 *    a listener bound to the shared port 5353 (port/socket.h's ertc_udp_open_multicast, next
 *    to the browser's or avahi's own socket), member of the group on every IPv4 host
 *    interface. The agent opens it with its first query and closes it when no name is pending
 *    any more (or at destroy), so an idle agent holds no socket on 5353 and reads none of
 *    the link's mDNS chatter. Without it (the port is taken without sharing, no multicast
 *    route) unicast answers still work.
 *
 * The answer's address becomes a remote host candidate with the signalled port and priority.
 * Without an answer within ICE_MDNS_TIMEOUT_MS (no responder, a firewall) the name is given
 * up and counted: the peer's checks still reach us and teach us its address as a
 * peer-reflexive candidate (RFC 8445 §7.3.1.3). At most ICE_MAX_MDNS names are pending; every
 * datagram goes through the bounded parser of peer/mdns.
 */
#include <stdio.h>
#include <string.h>

#include "peer/ice_agent_internal.h"
#include "port/port.h"
#include "util/log.h"

#define TAG "ice"

#define ICE_MDNS_TIMEOUT_MS 3000
#define ICE_MDNS_REPEAT_MS  1000
#define ICE_MDNS_QUERY_SIZE (ERTC_MDNS_HEADER_LEN + ERTC_MDNS_MAX_NAME + 8)

static ertc_addr_t ice_mdns_group(void)
{
    ertc_addr_t group;
    memset(&group, 0, sizeof(group));
    (void)ertc_addr_parse_ip(ERTC_MDNS_GROUP_V4, &group);
    group.port = ERTC_MDNS_PORT;
    return group;
}

static void ice_mdns_on_readable(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events,
                                 void *arg)
{
    (void)loop;
    (void)io;
    (void)fd;
    (void)events;
    ertc_ice_agent_t *agent = arg;
    for (;;) {
        size_t len = 0;
        ertc_addr_t from;
        WEBRTC_STATUS st = ertc_udp_recvfrom(agent->mdns_sock, agent->recv_buf,
                                             sizeof(agent->recv_buf), &len, &from);
        if (st == WEBRTC_STATUS_MALFORMED) {
            continue; /* larger than any answer we want */
        }
        if (st != WEBRTC_STATUS_SUCCESS || !agent->mdns_listening) {
            return;
        }
        /* Responses come from port 5353 (§11); our own and others' queries are read and
         * skipped by the parser (QR clear). */
        if (!agent->drop_incoming && from.port == ERTC_MDNS_PORT) {
            (void)ice_mdns_handle(agent, &from, agent->recv_buf, len);
        }
    }
}

/* Opens the shared 5353 listener on the IPv4 host interfaces, once. A failure is logged
 * only: unicast answers to the host sockets still resolve names. */
static void ice_mdns_listen(ertc_ice_agent_t *agent)
{
    if (agent->mdns_listening) {
        return;
    }
    ertc_addr_t ifaces[ERTC_ICE_MAX_INTERFACES];
    size_t n = 0;
    for (size_t i = 0; i < agent->host_count && n < ERTC_ICE_MAX_INTERFACES; i++) {
        if (agent->locals[i].addr.family == ERTC_AF_INET) {
            ifaces[n++] = agent->locals[i].addr;
        }
    }
    if (n == 0) {
        return;
    }
    ertc_addr_t group = ice_mdns_group();
    WEBRTC_STATUS st = ertc_udp_open_multicast(&group, ifaces, n, &agent->mdns_sock);
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_io_init(&agent->mdns_io, agent->mdns_sock, ice_mdns_on_readable, agent);
        st = ertc_io_start(agent->loop, &agent->mdns_io, ERTC_IO_READ);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ertc_socket_close(agent->mdns_sock);
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        agent->mdns_sock = ERTC_INVALID_SOCKET;
        ERTC_LOGD(TAG, "%s: no mDNS listener on port %d (%s): multicast answers are not heard",
                  agent->name, ERTC_MDNS_PORT, webrtc_status_name(st));
        return;
    }
    agent->mdns_listening = true;
    ERTC_LOGD(TAG, "%s: mDNS listener open on %zu interface(s)", agent->name, n);
}

void ice_mdns_close(ertc_ice_agent_t *agent)
{
    if (!agent->mdns_listening) {
        return;
    }
    ertc_io_stop(agent->loop, &agent->mdns_io);
    ertc_socket_close(agent->mdns_sock);
    agent->mdns_sock = ERTC_INVALID_SOCKET;
    agent->mdns_listening = false;
    ERTC_LOGD(TAG, "%s: mDNS listener closed", agent->name);
}

/* Sends q's query from every IPv4 host socket, each out of its own interface. */
static size_t ice_mdns_send(ertc_ice_agent_t *agent, const ice_mdns_query_t *q)
{
    uint8_t buf[ICE_MDNS_QUERY_SIZE];
    size_t len = 0;
    if (ertc_mdns_build_query(buf, sizeof(buf), q->id, q->name, &len) != WEBRTC_STATUS_SUCCESS) {
        return 0;
    }
    ertc_addr_t group = ice_mdns_group();
    size_t sent = 0;
    for (size_t i = 0; i < agent->host_count; i++) {
        ice_local_t *l = &agent->locals[i];
        if (l->addr.family != ERTC_AF_INET) {
            continue;
        }
        /* Without IP_MULTICAST_IF the kernel's multicast route picks one interface for
         * every socket; a failure here leaves that choice. */
        (void)ertc_udp_set_multicast_if(l->sock, &l->addr);
        if (ertc_udp_sendto(l->sock, buf, len, &group) == WEBRTC_STATUS_SUCCESS) {
            sent++;
        }
    }
    return sent;
}

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
    ice_mdns_query_t fresh;
    memset(&fresh, 0, sizeof(fresh));
    snprintf(fresh.name, sizeof(fresh.name), "%s", c->address);
    fresh.id = (uint16_t)ertc_random_u32();
    uint8_t check[ICE_MDNS_QUERY_SIZE];
    size_t check_len = 0;
    WEBRTC_STATUS st =
        ertc_mdns_build_query(check, sizeof(check), fresh.id, fresh.name, &check_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st; /* not a name we can ask for */
    }
    ice_mdns_listen(agent); /* before the query, so that no answer comes unheard */
    size_t sent = ice_mdns_send(agent, &fresh);
    if (sent == 0) {
        ERTC_LOGD(TAG, "%s: mDNS query not sent (no socket, or no multicast route)", agent->name);
        return WEBRTC_STATUS_NETWORK_ERROR; /* the listener closes at the next tick */
    }
    uint64_t now = ice_now_us(agent);
    *q = fresh;
    q->used = true;
    q->port = c->port;
    q->priority = c->priority;
    q->type = c->type;
    q->asked_us = now;
    q->resend_us = now + (uint64_t)ICE_MDNS_REPEAT_MS * 1000u;
    q->deadline_us = now + (uint64_t)ICE_MDNS_TIMEOUT_MS * 1000u;
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
        uint64_t ms = (ice_now_us(agent) - q->asked_us) / 1000u;
        ERTC_LOGD(TAG, "%s: mDNS: %s is %s (after %llu ms)", agent->name, q->name,
                  ice_addr_str(&addr, a), (unsigned long long)ms);
        if (ice_learn_remote(agent, &addr, q->priority, q->type) >= 0) {
            agent->stats.mdns_resolved++;
        }
    }
    return any && mdns;
}

void ice_mdns_tick(ertc_ice_agent_t *agent, uint64_t now)
{
    bool pending = false;
    for (size_t i = 0; i < ICE_MAX_MDNS; i++) {
        ice_mdns_query_t *q = &agent->mdns[i];
        if (!q->used) {
            continue;
        }
        if (now >= q->deadline_us) {
            q->used = false;
            agent->stats.mdns_timeouts++;
            ERTC_LOGD(TAG, "%s: mDNS: no answer for %s, relying on peer-reflexive learning",
                      agent->name, q->name);
            continue;
        }
        pending = true;
        if (q->resend_us != 0 && now >= q->resend_us) {
            q->resend_us = 0;
            (void)ice_mdns_send(agent, q);
        }
    }
    if (!pending) {
        ice_mdns_close(agent);
    }
}
