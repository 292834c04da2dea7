/*
 * peer/demux — which protocol a datagram on the shared ICE socket carries, from its first
 * byte (RFC 7983 §7, the WebRTC subset of RFC 5764 §5.1.2 as updated).
 *
 * With BUNDLE and rtcp-mux, STUN, DTLS, SRTP/SRTCP and TURN ChannelData all arrive on one
 * 5-tuple; the first byte tells them apart:
 *
 *     0 -   3  STUN            (RFC 8489: the top two bits of the type are zero)
 *    16 -  19  ZRTP            (unused in WebRTC, reported so it can be dropped knowingly)
 *    20 -  63  DTLS            (the record content type)
 *    64 -  79  TURN ChannelData (channel numbers 0x4000-0x4FFF)
 *   128 - 191  RTP and RTCP    (version 2)
 *
 * Everything else is dropped. RFC 9443 later gives 80-127 to QUIC, which WebRTC does not
 * multiplex here, so it stays "unknown". A STUN datagram should also pass ertc_stun_is_stun
 * (cookie check) before it is parsed.
 */
#ifndef ERTC_PEER_DEMUX_H
#define ERTC_PEER_DEMUX_H

#include <stdint.h>

typedef enum {
    ERTC_DEMUX_UNKNOWN = 0,
    ERTC_DEMUX_STUN,
    ERTC_DEMUX_ZRTP,
    ERTC_DEMUX_DTLS,
    ERTC_DEMUX_TURN_CHANNEL,
    ERTC_DEMUX_RTP, /* RTP or RTCP; tell them apart by payload type (RFC 5761 §4) */
} ertc_demux_kind_t;

ertc_demux_kind_t ertc_demux_classify(const uint8_t first_byte);

/* "STUN", "ZRTP", "DTLS", "TURN ChannelData", "RTP/RTCP", "unknown". */
const char *ertc_demux_kind_name(ertc_demux_kind_t kind);

#endif
