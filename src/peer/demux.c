/*
 * peer/demux — first-byte classification of datagrams on the ICE socket (RFC 7983 §7).
 * See demux.h for the ranges.
 */
#include "peer/demux.h"

#define STUN_LAST     3
#define ZRTP_FIRST    16
#define ZRTP_LAST     19
#define DTLS_FIRST    20
#define DTLS_LAST     63
#define CHANNEL_FIRST 64
#define CHANNEL_LAST  79
#define RTP_FIRST     128
#define RTP_LAST      191

ertc_demux_kind_t ertc_demux_classify(const uint8_t first_byte)
{
    if (first_byte <= STUN_LAST) {
        return ERTC_DEMUX_STUN;
    }
    if (first_byte >= ZRTP_FIRST && first_byte <= ZRTP_LAST) {
        return ERTC_DEMUX_ZRTP;
    }
    if (first_byte >= DTLS_FIRST && first_byte <= DTLS_LAST) {
        return ERTC_DEMUX_DTLS;
    }
    if (first_byte >= CHANNEL_FIRST && first_byte <= CHANNEL_LAST) {
        return ERTC_DEMUX_TURN_CHANNEL;
    }
    if (first_byte >= RTP_FIRST && first_byte <= RTP_LAST) {
        return ERTC_DEMUX_RTP;
    }
    return ERTC_DEMUX_UNKNOWN;
}

const char *ertc_demux_kind_name(ertc_demux_kind_t kind)
{
    switch (kind) {
    case ERTC_DEMUX_STUN: return "STUN";
    case ERTC_DEMUX_ZRTP: return "ZRTP";
    case ERTC_DEMUX_DTLS: return "DTLS";
    case ERTC_DEMUX_TURN_CHANNEL: return "TURN ChannelData";
    case ERTC_DEMUX_RTP: return "RTP/RTCP";
    default: return "unknown";
    }
}
