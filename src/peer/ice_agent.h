/*
 * peer/ice_agent — a full ICE agent (RFC 8445) for one component (rtcp-mux and BUNDLE), with
 * trickle (RFC 8838) and consent freshness (RFC 7675), on the event loop (port/loop.h).
 *
 * What it does:
 *  - gathering (§5.1.1): one UDP socket per local IPv4 interface (or the addresses given in
 *    the config), a host candidate for each, and a server-reflexive one per STUN server
 *    (Binding request, retransmitted per RFC 8489 §6.2.1) when the mapped address differs
 *    from the host address; then end-of-candidates.
 *  - checks (§6.1.2, §7.2): pairs of our host candidates with every remote candidate of the
 *    same family, ordered by pair priority, one new check per Ta; triggered checks (§7.3.1.4)
 *    for incoming requests; retransmissions; a pair fails after its last try.
 *  - roles (§7.3.1.1): a random 64-bit tie-breaker, 487 Role Conflict and role switching.
 *  - nomination: regular nomination (§8.1.1) with the first valid pair as the stopping
 *    criterion: as soon as a pair becomes valid the controlling agent sends a USE-CANDIDATE
 *    check on it. This connects after two round trips, like aggressive nomination did,
 *    without the ambiguity RFC 8445 removed it for.
 *  - relayed candidates (RFC 8656): one TURN allocation over UDP per TURN server, made from
 *    the first host socket of the server's family (peer/turn_client.h: long-term
 *    credentials, refreshes, permissions, ChannelBind). The relayed candidate ("typ relay
 *    raddr <mapped> rport ..") is paired like the others; its pairs wait FROZEN until the
 *    permission for the remote address exists; checks and data go through the relay
 *    (Send indications, then ChannelData once the selected pair's channel is bound). A
 *    TURN server that fails or stays silent is logged and counted, and gathering still
 *    ends. relay_only: host and server-reflexive candidates are neither reported nor
 *    paired, and checks arriving outside the relay are not answered.
 *  - peer-reflexive remote candidates (§7.3.1.3) from requests coming from unknown addresses;
 *    mDNS (.local) remote candidates are resolved with an mDNS query (peer/mdns.h) sent
 *    from each host socket; a unicast answer (RFC 6762 §6.7, avahi) or a multicast one
 *    (Chromium), heard on a shared 5353 listener, adds a host candidate (docs/ice.md).
 *    Without one (timeout, no multicast route) the browser's own checks reach us and
 *    create a peer-reflexive pair for the same address.
 *  - consent freshness (RFC 7675): once connected, a Binding request on the selected pair
 *    every consent interval (5 s, randomized ±20%); without any response for
 *    consent_timeout/2 the state is DISCONNECTED, for consent_timeout (30 s) FAILED.
 *
 * Data (DTLS, RTP) goes out with ertc_ice_agent_send on the selected pair and comes up
 * through on_data (for a relayed pair, through the TURN server). Non-STUN datagrams are accepted
 * from the remote address of any valid pair (not only the selected one): the controlled agent
 * selects first and its DTLS ClientHello may arrive before the controlling agent has seen its
 * nomination succeed. Everything else is dropped and counted.
 *
 * All functions run on the loop thread. Callbacks may call back into the agent except
 * ertc_ice_agent_destroy.
 */
#ifndef ERTC_PEER_ICE_AGENT_H
#define ERTC_PEER_ICE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/sdp.h"
#include "port/loop.h"
#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_ICE_MAX_STUN_SERVERS 4
#define ERTC_ICE_MAX_INTERFACES   4  /* local sockets */
#define ERTC_ICE_MAX_REMOTE       32 /* remote candidates, peer-reflexive ones included */
#define ERTC_ICE_MAX_PAIRS        64
#define ERTC_ICE_UFRAG_LEN        8
#define ERTC_ICE_PWD_LEN          24
#define ERTC_ICE_MAX_NAME_LEN     31
#define ERTC_ICE_MAX_TURN_SERVERS 2
#define ERTC_ICE_TURN_MAX_CRED    255 /* username or password bytes */

/* A TURN server (RFC 8656) over UDP with long-term credentials (for example the TURN REST
 * credentials of GetIceServerConfig or edgertc-signald). */
typedef struct {
    ertc_addr_t addr; /* with port */
    char username[ERTC_ICE_TURN_MAX_CRED + 1];
    char password[ERTC_ICE_TURN_MAX_CRED + 1];
} ertc_ice_turn_server_t;

typedef struct ertc_ice_agent ertc_ice_agent_t;

typedef enum {
    ERTC_ICE_STATE_NEW = 0,
    ERTC_ICE_STATE_CHECKING,
    ERTC_ICE_STATE_CONNECTED,
    ERTC_ICE_STATE_COMPLETED,
    ERTC_ICE_STATE_FAILED,
    ERTC_ICE_STATE_DISCONNECTED,
} ertc_ice_state_t;

typedef struct {
    const char *name;  /* for logs ("peer-1"); NULL = "ice" */
    bool controlling;  /* the offerer is controlling (RFC 8445 §6.1.1) */
    const char *ufrag; /* NULL = generate ERTC_ICE_UFRAG_LEN ice-chars */
    const char *pwd;   /* NULL = generate ERTC_ICE_PWD_LEN ice-chars */
    ertc_addr_t stun_servers[ERTC_ICE_MAX_STUN_SERVERS]; /* with ports */
    size_t stun_server_count;
    /* TURN servers: a relayed candidate from each (allocation, refresh, permissions,
     * ChannelBind). */
    ertc_ice_turn_server_t turn_servers[ERTC_ICE_MAX_TURN_SERVERS];
    size_t turn_server_count;
    bool relay_only; /* gather and pair relayed candidates only (iceTransportPolicy relay) */
    /* Local addresses to bind; when interface_count is 0 the IPv4 interfaces are listed
     * (ertc_addr_list_local), loopback only when include_loopback (tests). */
    ertc_addr_t interfaces[ERTC_ICE_MAX_INTERFACES];
    size_t interface_count;
    bool include_loopback;
    /* Timing; 0 = the default in brackets. */
    uint32_t ta_ms;           /* pacing of checks [50] */
    uint32_t check_rto_ms;    /* first retransmission of a check [250], doubling */
    uint32_t check_max_tries; /* tries of a check before its pair fails [7] */
    uint32_t stun_rto_ms;     /* srflx Binding first retransmission [500] */
    uint32_t stun_max_tries;  /* srflx Binding tries [4] */
    uint32_t
        checking_timeout_ms; /* no pair nominated this long after checks began: FAILED [30000] */
    uint32_t consent_interval_ms; /* consent request period, randomized ±20% [5000] */
    uint32_t consent_timeout_ms;  /* consent lost after this long without a response [30000] */
} ertc_ice_config_t;

typedef struct {
    /* A local candidate, and its "candidate:..." line; candidate == NULL and line == NULL
     * for end-of-candidates. */
    void (*on_candidate)(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *candidate,
                         const char *line, void *arg);
    void (*on_state)(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg);
    /* A non-STUN datagram from a valid pair's remote address (DTLS, SRTP, ...). */
    void (*on_data)(ertc_ice_agent_t *agent, const uint8_t *data, size_t len, void *arg);
} ertc_ice_callbacks_t;

typedef struct {
    uint32_t checks_sent;        /* connectivity checks, retransmissions included */
    uint32_t checks_received;    /* authenticated Binding requests */
    uint32_t responses_received; /* authenticated responses to our checks */
    uint32_t integrity_failures; /* requests or responses with a bad MESSAGE-INTEGRITY */
    uint32_t stun_dropped;       /* unparsable, bad fingerprint, unknown transaction */
    uint32_t data_dropped;       /* non-STUN datagrams from unknown senders */
    uint32_t role_conflicts;     /* 487 sent or received, or role switched */
    uint32_t prflx_learned;      /* remote peer-reflexive candidates */
    uint32_t mdns_dropped;       /* remote .local candidates not resolved (no room, no socket) */
    uint32_t srflx_transactions; /* STUN server transactions finished with a response */
    uint32_t consent_requests;
    /* TURN (sums over the TURN servers) */
    uint32_t turn_allocations;   /* successful Allocates */
    uint32_t turn_refreshes;     /* successful Refreshes of allocations */
    uint32_t turn_permissions;   /* successful CreatePermissions, refreshes included */
    uint32_t turn_channel_binds; /* successful ChannelBinds, refreshes included */
    uint32_t turn_errors;        /* error answers (401 after credentials, 403, 437, 486, ...) */
    uint32_t turn_timeouts;      /* TURN requests that got no answer */
    /* mDNS (remote .local candidates) */
    uint32_t mdns_queries;  /* names asked for */
    uint32_t mdns_resolved; /* names answered and added as host candidates */
    uint32_t mdns_timeouts; /* names without an answer in time (left to peer-reflexive) */
} ertc_ice_stats_t;

/* Sets the defaults (controlled, generated credentials, no STUN server). */
void ertc_ice_config_init(ertc_ice_config_t *config);

WEBRTC_STATUS ertc_ice_agent_create(ertc_loop_t *loop, const ertc_ice_config_t *config,
                                    const ertc_ice_callbacks_t *callbacks, void *arg,
                                    ertc_ice_agent_t **out);
/* Stops timers, closes sockets, frees. Not from inside one of the agent's callbacks. */
void ertc_ice_agent_destroy(ertc_ice_agent_t *agent);

/* Opens the sockets and gathers: host candidates are reported before this returns,
 * server-reflexive ones and end-of-candidates later (or before it returns without STUN
 * servers). NETWORK_ERROR when no socket could be opened. */
WEBRTC_STATUS ertc_ice_agent_start(ertc_ice_agent_t *agent);

/* Our ice-ufrag and ice-pwd, for the SDP. */
const char *ertc_ice_agent_local_ufrag(const ertc_ice_agent_t *agent);
const char *ertc_ice_agent_local_pwd(const ertc_ice_agent_t *agent);

/* The remote ice-ufrag/ice-pwd; checks start once they are known. INVALID_ARG for lengths
 * outside RFC 8839's 4-256 / 22-256. */
WEBRTC_STATUS ertc_ice_agent_set_remote_credentials(ertc_ice_agent_t *agent, const char *ufrag,
                                                    const char *pwd);

/* One trickled remote candidate ("candidate:...", "a=candidate:..." or bare); NULL or ""
 * = end-of-candidates. TCP candidates and other components are ignored (SUCCESS); .local
 * names are resolved in the background (SUCCESS); MALFORMED for a line that does not parse;
 * LIMIT_EXCEEDED when the table is full. */
WEBRTC_STATUS ertc_ice_agent_add_remote_candidate(ertc_ice_agent_t *agent, const char *line);

/* Sends one datagram on the selected pair; INVALID_OPERATION when none is selected. */
WEBRTC_STATUS ertc_ice_agent_send(ertc_ice_agent_t *agent, const uint8_t *data, size_t len);

ertc_ice_state_t ertc_ice_agent_state(const ertc_ice_agent_t *agent);
bool ertc_ice_agent_is_controlling(const ertc_ice_agent_t *agent);
/* The selected pair's addresses; NOT_FOUND when there is none. */
WEBRTC_STATUS ertc_ice_agent_selected_pair(const ertc_ice_agent_t *agent, ertc_addr_t *local,
                                           ertc_addr_t *remote);
void ertc_ice_agent_get_stats(const ertc_ice_agent_t *agent, ertc_ice_stats_t *out);

/* "new", "checking", "connected", "completed", "failed", "disconnected". */
const char *ertc_ice_state_name(ertc_ice_state_t state);

/* Test hook: while set, every incoming datagram is dropped unread (a peer that went away). */
void ertc_ice_agent_test_drop_incoming(ertc_ice_agent_t *agent, bool drop);

#endif
