/*
 * peer/ice_candidate — RFC 8445 §5.1.2.1 candidate priority, §5.1.1.3 foundations and
 * §6.1.2.3 pair priority. See ice_candidate.h.
 */
#include "peer/ice_candidate.h"

#include <stdio.h>

#include "peer/stun.h"

uint32_t ertc_ice_type_preference(ertc_sdp_candidate_type_t type)
{
    switch (type) {
    case ERTC_SDP_CANDIDATE_HOST: return ERTC_ICE_TYPE_PREF_HOST;
    case ERTC_SDP_CANDIDATE_PRFLX: return ERTC_ICE_TYPE_PREF_PRFLX;
    case ERTC_SDP_CANDIDATE_SRFLX: return ERTC_ICE_TYPE_PREF_SRFLX;
    case ERTC_SDP_CANDIDATE_RELAY:
    default: return ERTC_ICE_TYPE_PREF_RELAY;
    }
}

uint32_t ertc_ice_candidate_priority(ertc_sdp_candidate_type_t type, uint16_t local_pref,
                                     uint16_t component)
{
    uint32_t comp = component == 0 ? 1u : (component > 256 ? 256u : component);
    return (ertc_ice_type_preference(type) << 24) + ((uint32_t)local_pref << 8) + (256u - comp);
}

void ertc_ice_foundation(ertc_sdp_candidate_type_t type, const ertc_addr_t *base,
                         const ertc_addr_t *server, char out[ERTC_ICE_FOUNDATION_SIZE])
{
    /* The foundation only has to be equal for equal inputs and short; a CRC-32 of the
     * inputs is enough, and never reveals the base address in srflx candidates. */
    uint8_t t = (uint8_t)type;
    uint32_t crc = ertc_stun_crc32(0, &t, 1);
    crc = ertc_stun_crc32(crc, &base->family, 1);
    crc = ertc_stun_crc32(crc, base->ip, base->family == ERTC_AF_INET6 ? 16 : 4);
    if (server != NULL) {
        uint8_t port[2] = {(uint8_t)(server->port >> 8), (uint8_t)server->port};
        crc = ertc_stun_crc32(crc, &server->family, 1);
        crc = ertc_stun_crc32(crc, server->ip, server->family == ERTC_AF_INET6 ? 16 : 4);
        crc = ertc_stun_crc32(crc, port, sizeof(port));
    }
    snprintf(out, ERTC_ICE_FOUNDATION_SIZE, "%u", (unsigned)crc);
}

uint64_t ertc_ice_pair_priority(uint32_t controlling_prio, uint32_t controlled_prio)
{
    uint64_t g = controlling_prio;
    uint64_t d = controlled_prio;
    uint64_t lo = g < d ? g : d;
    uint64_t hi = g > d ? g : d;
    return (lo << 32) + 2 * hi + (g > d ? 1 : 0);
}
