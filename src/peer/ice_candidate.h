/*
 * peer/ice_candidate — candidate and pair arithmetic of ICE (RFC 8445): candidate priority
 * (§5.1.2.1), foundations (§5.1.1.3) and candidate-pair priority (§6.1.2.3).
 *
 * Pure functions, no state: the agent (peer/ice_agent.c) uses them when it gathers local
 * candidates, learns peer-reflexive ones and forms its checklist.
 */
#ifndef ERTC_PEER_ICE_CANDIDATE_H
#define ERTC_PEER_ICE_CANDIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "peer/sdp.h"
#include "port/socket.h"

/* Type preferences RFC 8445 §5.1.2.2 recommends. */
#define ERTC_ICE_TYPE_PREF_HOST  126
#define ERTC_ICE_TYPE_PREF_PRFLX 110
#define ERTC_ICE_TYPE_PREF_SRFLX 100
#define ERTC_ICE_TYPE_PREF_RELAY 0

/* Local preference of the first interface; later interfaces get one less each. */
#define ERTC_ICE_LOCAL_PREF_MAX 65535u

/* Room for a foundation we generate (decimal of a 32-bit hash), NUL included. */
#define ERTC_ICE_FOUNDATION_SIZE 11

uint32_t ertc_ice_type_preference(ertc_sdp_candidate_type_t type);

/* (2^24) * type preference + (2^8) * local preference + (256 - component) (§5.1.2.1). */
uint32_t ertc_ice_candidate_priority(ertc_sdp_candidate_type_t type, uint16_t local_pref,
                                     uint16_t component);

/*
 * A foundation that is equal for two candidates exactly when they have the same type, the
 * same base IP address and (for server-reflexive ones) the same STUN server (§5.1.1.3).
 * server may be NULL. out gets a decimal string.
 */
void ertc_ice_foundation(ertc_sdp_candidate_type_t type, const ertc_addr_t *base,
                         const ertc_addr_t *server, char out[ERTC_ICE_FOUNDATION_SIZE]);

/* 2^32 * MIN(G,D) + 2 * MAX(G,D) + (G > D ? 1 : 0), G the controlling agent's candidate
 * priority and D the controlled one's (§6.1.2.3). */
uint64_t ertc_ice_pair_priority(uint32_t controlling_prio, uint32_t controlled_prio);

#endif
