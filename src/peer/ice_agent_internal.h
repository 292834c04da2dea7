/*
 * peer/ice_agent_internal — the ICE agent's state, shared by its files (not a public header):
 *
 *   ice_agent.c      the API, sockets and demultiplexing, host and server-reflexive gathering;
 *   ice_checklist.c  pairs, connectivity checks, nomination, consent (RFC 8445 §6-§8, RFC 7675);
 *   ice_relay.c      relayed candidates through TURN allocations (RFC 8656, peer/turn_client);
 *   ice_mdns.c       resolution of remote .local candidates (RFC 6762, peer/mdns).
 *
 * Local candidates: locals[] holds the host candidates, each with its own socket, then the
 * relayed candidates, which use the socket of their base (the host candidate their
 * allocation was made from) and send through their TURN client.
 */
#ifndef ERTC_PEER_ICE_AGENT_INTERNAL_H
#define ERTC_PEER_ICE_AGENT_INTERNAL_H

#include "peer/ice_agent.h"
#include "peer/mdns.h"
#include "peer/stun.h"
#include "peer/turn_client.h"

#define ICE_CHARS            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#define ICE_COMPONENT        1
#define ICE_RECV_BUF_SIZE    2048
#define ICE_STUN_BUF_SIZE    800 /* a request with two 256-character ufrags fits */
#define ICE_CHECK_RTO_MAX_MS 3000
#define ICE_CONSENT_TIDS     4 /* outstanding consent transactions remembered */
#define ICE_MAX_SRFLX        (ERTC_ICE_MAX_INTERFACES * ERTC_ICE_MAX_STUN_SERVERS)
#define ICE_MAX_LOCALS       (ERTC_ICE_MAX_INTERFACES + ERTC_ICE_MAX_TURN_SERVERS)
#define ICE_MAX_MDNS         4 /* .local names being resolved at once */

typedef enum {
    ICE_PAIR_FROZEN = 0, /* relayed pairs wait here for their TURN permission */
    ICE_PAIR_WAITING,
    ICE_PAIR_IN_PROGRESS,
    ICE_PAIR_SUCCEEDED,
    ICE_PAIR_FAILED,
} ice_pair_state_t;

typedef struct {
    ertc_ice_agent_t *agent;
    ertc_socket_t sock; /* a relayed candidate's is its base's socket (not owned) */
    ertc_io_t io;
    ertc_addr_t addr; /* host: the bound address (candidate and base); relay: relayed address */
    uint16_t local_pref;
    uint32_t priority;
    bool relay;
    uint8_t base; /* relay: index of the host candidate its allocation uses */
    uint8_t turn; /* relay: index into turns[] */
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

/* One TURN server's allocation. */
typedef struct {
    ertc_ice_agent_t *agent;
    ertc_turn_client_t client;
    uint8_t base; /* host candidate (socket) the allocation is made from */
    int local;    /* relayed candidate in locals[], -1 before allocation */
    bool done;    /* allocated or failed: counts for end-of-candidates */
} ice_turn_t;

/* One remote .local candidate waiting for its mDNS answer. */
typedef struct {
    bool used;
    char name[ERTC_MDNS_MAX_NAME + 1];
    uint16_t id;
    uint16_t port;
    uint32_t priority;
    ertc_sdp_candidate_type_t type;
    uint64_t asked_us;  /* first query sent */
    uint64_t resend_us; /* the one repeat of the query, 0 once sent */
    uint64_t deadline_us;
} ice_mdns_query_t;

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

    ice_local_t locals[ICE_MAX_LOCALS];
    size_t local_count;
    size_t host_count; /* locals[0..host_count) are host candidates with their own socket */
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
    ice_turn_t turns[ERTC_ICE_MAX_TURN_SERVERS];
    size_t turn_count;
    ice_mdns_query_t mdns[ICE_MAX_MDNS];
    /* Listener on the shared port 5353 (multicast answers), open while a name is pending. */
    bool mdns_listening;
    ertc_socket_t mdns_sock;
    ertc_io_t mdns_io;

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

/* ice_agent.c */
const char *ice_addr_str(const ertc_addr_t *a, char buf[ERTC_ADDR_STRLEN]);
uint64_t ice_now_us(const ertc_ice_agent_t *agent);
bool ice_is_connected(const ertc_ice_agent_t *agent);
void ice_emit_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c);
void ice_fill_candidate(ertc_sdp_candidate_t *c, ertc_sdp_candidate_type_t type,
                        const ertc_addr_t *addr, uint32_t priority, const ertc_addr_t *base,
                        const ertc_addr_t *server, const ertc_addr_t *related);
void ice_check_gathering_done(ertc_ice_agent_t *agent);
/* The answer of a STUN server to our Binding request (server-reflexive gathering). */
void ice_srflx_response(ertc_ice_agent_t *agent, ice_srflx_t *s, const ertc_stun_msg_t *msg);
/* A datagram that arrived on local candidate `local` (a relayed one when TURN delivered it). */
void ice_dispatch(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                  const uint8_t *buf, size_t len);
/* Adds a remote candidate (or updates a known one) and pairs it; -1 when the table is full. */
int ice_learn_remote(ertc_ice_agent_t *agent, const ertc_addr_t *addr, uint32_t priority,
                     ertc_sdp_candidate_type_t type);

/* ice_checklist.c */
void ice_set_state(ertc_ice_agent_t *agent, ertc_ice_state_t state);
void ice_pair_set_state(ertc_ice_agent_t *agent, ice_pair_t *p, ice_pair_state_t state);
void ice_pair_compute_priority(ertc_ice_agent_t *agent, ice_pair_t *p);
int ice_find_remote(const ertc_ice_agent_t *agent, const ertc_addr_t *addr);
int ice_add_remote(ertc_ice_agent_t *agent, const ertc_addr_t *addr, uint32_t priority,
                   ertc_sdp_candidate_type_t type);
int ice_add_pair(ertc_ice_agent_t *agent, size_t local, size_t remote);
void ice_pair_remote(ertc_ice_agent_t *agent, size_t remote);
void ice_send_raw(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to, const uint8_t *buf,
                  size_t len);
void ice_handle_stun(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                     const uint8_t *buf, size_t len);
void ice_handle_data(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                     const uint8_t *buf, size_t len);
void ice_checklist_tick(ertc_ice_agent_t *agent, uint64_t now);
void ice_maybe_start_checking(ertc_ice_agent_t *agent);

/* ice_relay.c */
void ice_relay_start(ertc_ice_agent_t *agent, uint64_t now);
void ice_relay_tick(ertc_ice_agent_t *agent, uint64_t now);
void ice_relay_close(ertc_ice_agent_t *agent);
/* A datagram from a TURN server's address on host candidate `local`: true when consumed. */
bool ice_relay_handle(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *from,
                      const uint8_t *buf, size_t len);
/* A new pair on a relayed candidate: FROZEN until its permission exists. */
void ice_relay_prepare_pair(ertc_ice_agent_t *agent, size_t pair);
void ice_relay_selected(ertc_ice_agent_t *agent, size_t pair);
WEBRTC_STATUS ice_relay_send(ertc_ice_agent_t *agent, size_t local, const ertc_addr_t *to,
                             const uint8_t *buf, size_t len);
bool ice_relay_done(const ertc_ice_agent_t *agent);
void ice_relay_add_stats(const ertc_ice_agent_t *agent, ertc_ice_stats_t *out);

/* ice_mdns.c */
/* A remote .local candidate: starts its query; SUCCESS or LIMIT_EXCEEDED. */
WEBRTC_STATUS ice_mdns_resolve(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c);
/* A datagram from port 5353: true when it answered a pending query. */
bool ice_mdns_handle(ertc_ice_agent_t *agent, const ertc_addr_t *from, const uint8_t *buf,
                     size_t len);
/* Repeats and gives up queries; closes the listener once no name is pending. */
void ice_mdns_tick(ertc_ice_agent_t *agent, uint64_t now);
/* Closes the listener (destroy). */
void ice_mdns_close(ertc_ice_agent_t *agent);

#endif
