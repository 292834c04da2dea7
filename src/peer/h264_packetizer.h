/*
 * peer/h264_packetizer — H.264 access units (Annex-B byte stream, ITU-T H.264 §B.2) into RTP
 * payloads (RFC 6184, packetization-mode=1, non-interleaved).
 *
 * An access unit is split into NAL units at its start codes (3 or 4 bytes; trailing zero bytes
 * before a start code belong to no NAL unit, §B.2). Each NAL unit then goes out as:
 *
 *  - a single NAL unit packet (RFC 6184 §5.6) when it fits the payload budget;
 *  - a STAP-A (§5.7.1) for a run of consecutive non-VCL NAL units — SPS, PPS, SEI, AUD — that
 *    fit one packet together, so that SPS+PPS travel in one packet; slices are never
 *    aggregated, so an IDR goes in its own packets;
 *  - FU-A fragments (§5.8) when it is larger than the budget, in near-equal pieces (so the
 *    last fragment is not a tiny runt) with the S bit on the first, the E bit on the last, and
 *    the NAL unit's F, NRI and type carried in the FU indicator and header.
 *
 * NAL units of types 0 and 24-31 (unspecified in H.264) are left out: in RTP those values
 * mean "ignore" and the aggregation/fragmentation formats (§5.2).
 *
 * The RTP marker bit belongs on the last packet of the access unit (§5.1); the packetizer
 * reports it with each payload.
 *
 * Payload budget: `mtu` is the largest RTP packet (default ERTC_RTP_DEFAULT_MTU = 1200) and
 * `header_room` the part of it kept for the RTP header, header extensions and the SRTP tag
 * (default ERTC_H264_DEFAULT_HEADER_ROOM); every payload is at most mtu - header_room bytes.
 *
 * Parameter sets with every IDR: browsers cannot start decoding without SPS/PPS, and an
 * encoder may emit them only once. The packetizer remembers the last SPS and PPS it saw (up
 * to ERTC_H264_MAX_PARAM_SET_LEN bytes each); with `prepend_param_sets` on, an access unit
 * that has an IDR slice but lacks an SPS or PPS gets the missing cached ones inserted before
 * its first NAL unit that is not an AUD, SPS or PPS.
 *
 * Output goes into a caller buffer, one payload at a time — by iteration
 * (begin / has_next / next) or by a callback (ertc_h264_packetize). Nothing is allocated. The
 * access unit must stay valid and unchanged until its last payload has been produced.
 */
#ifndef ERTC_PEER_H264_PACKETIZER_H
#define ERTC_PEER_H264_PACKETIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/rtp.h"
#include "webrtc_status.h"

#define ERTC_H264_CLOCK_RATE 90000 /* RFC 6184 §8.2.1 */

/* NAL unit types (H.264 Table 7-1) and RFC 6184 packet types (Table 1). */
enum {
    ERTC_H264_NAL_SLICE = 1,
    ERTC_H264_NAL_IDR = 5,
    ERTC_H264_NAL_SEI = 6,
    ERTC_H264_NAL_SPS = 7,
    ERTC_H264_NAL_PPS = 8,
    ERTC_H264_NAL_AUD = 9,
    ERTC_H264_NAL_STAP_A = 24,
    ERTC_H264_NAL_STAP_B = 25,
    ERTC_H264_NAL_MTAP16 = 26,
    ERTC_H264_NAL_MTAP24 = 27,
    ERTC_H264_NAL_FU_A = 28,
    ERTC_H264_NAL_FU_B = 29,
};

#define ERTC_H264_NAL_TYPE_MASK     0x1Fu
#define ERTC_H264_NAL_NRI_MASK      0x60u
#define ERTC_H264_NAL_F_BIT         0x80u
#define ERTC_H264_FU_START_BIT      0x80u
#define ERTC_H264_FU_END_BIT        0x40u
#define ERTC_H264_FU_HEADER_LEN     2 /* FU indicator + FU header */
#define ERTC_H264_STAP_A_HEADER_LEN 1
#define ERTC_H264_STAP_SIZE_LEN     2 /* the 16-bit NAL unit size before each aggregated unit */

/* The bytes of an RTP packet kept out of the payload budget by default: the 12-byte fixed
 * header, room for a few one-byte header extensions (mid, abs-send-time, transport-cc) and
 * the 10-byte SRTP_AES128_CM_HMAC_SHA1_80 tag. */
#define ERTC_H264_DEFAULT_HEADER_ROOM (ERTC_RTP_HEADER_MIN_LEN + 28 + 10)
/* The smallest budget that still makes progress: an FU indicator, header and 1 data byte. */
#define ERTC_H264_MIN_PAYLOAD (ERTC_H264_FU_HEADER_LEN + 1)
/* The 16-bit STAP-A size field caps what one payload can describe. */
#define ERTC_H264_MAX_PAYLOAD 65535u
/* Cached SPS/PPS longer than this are not kept (real ones are tens of bytes). */
#define ERTC_H264_MAX_PARAM_SET_LEN 256

/* ---- Annex-B access units ------------------------------------------------------------ */

/* One NAL unit inside a buffer: header byte first, no start code. */
typedef struct {
    const uint8_t *data;
    size_t len;
} ertc_h264_nal_t;

static inline uint8_t ertc_h264_nal_type(uint8_t nal_header)
{
    return nal_header & ERTC_H264_NAL_TYPE_MASK;
}

/* Finds the next non-empty NAL unit at or after *pos and moves *pos past it; false when there
 * is none. Start *pos at 0. Bytes before the first start code are skipped. */
bool ertc_h264_next_nal(const uint8_t *au, size_t len, size_t *pos, ertc_h264_nal_t *nal);

/* True when the access unit contains an IDR slice (NAL type 5). */
bool ertc_h264_is_keyframe(const uint8_t *au, size_t len);

/* Finds the first SPS and the first PPS; a missing one comes back with len 0. True when both
 * were found. */
bool ertc_h264_find_param_sets(const uint8_t *au, size_t len, ertc_h264_nal_t *sps,
                               ertc_h264_nal_t *pps);

/* ---- packetizer ------------------------------------------------------------------------ */

typedef struct {
    size_t mtu;              /* largest RTP packet; 0 = ERTC_RTP_DEFAULT_MTU */
    size_t header_room;      /* 0 = ERTC_H264_DEFAULT_HEADER_ROOM */
    bool prepend_param_sets; /* insert cached SPS/PPS before a bare IDR */
} ertc_h264_packetizer_config_t;

/* The stream of NAL units being sent, with cached parameter sets inserted. */
typedef struct {
    const uint8_t *au;
    size_t au_len;
    size_t scan_pos; /* where the next NAL unit of `au` is searched */
    bool have_peek;  /* `peek` holds the next NAL unit of `au` */
    ertc_h264_nal_t peek;
    unsigned insert_pending; /* bit 0: cached SPS, bit 1: cached PPS still to insert */
} ertc_h264_nal_stream_t;

typedef struct {
    size_t max_payload;
    bool prepend_param_sets;
    uint8_t sps[ERTC_H264_MAX_PARAM_SET_LEN];
    size_t sps_len;
    uint8_t pps[ERTC_H264_MAX_PARAM_SET_LEN];
    size_t pps_len;

    ertc_h264_nal_stream_t stream;
    ertc_h264_nal_t fu; /* the NAL unit being fragmented; len 0 when none */
    size_t fu_offset;   /* bytes of fu.data already sent (starts at 1: the NAL header) */
    size_t fu_fragments_left;
} ertc_h264_packetizer_t;

/* INVALID_ARG when header_room leaves less than ERTC_H264_MIN_PAYLOAD, or the budget is over
 * ERTC_H264_MAX_PAYLOAD. A NULL config takes every default (prepend off). */
WEBRTC_STATUS ertc_h264_packetizer_init(ertc_h264_packetizer_t *p,
                                        const ertc_h264_packetizer_config_t *config);

/* The payload budget: the largest payload next() writes. */
size_t ertc_h264_packetizer_max_payload(const ertc_h264_packetizer_t *p);

/* Starts an access unit (Annex-B). MALFORMED when it holds no NAL unit of types 1-23 or has
 * non-zero bytes before its first start code. An unfinished access unit is abandoned. */
WEBRTC_STATUS ertc_h264_packetizer_begin(ertc_h264_packetizer_t *p, const uint8_t *au, size_t len);

bool ertc_h264_packetizer_has_next(ertc_h264_packetizer_t *p);

/* Writes the next payload into `out`; `*marker` is true on the last one of the access unit.
 * BUFFER_TOO_SMALL when cap < the payload budget (nothing is consumed), INVALID_OPERATION when
 * there is no next payload. */
WEBRTC_STATUS ertc_h264_packetizer_next(ertc_h264_packetizer_t *p, uint8_t *out, size_t cap,
                                        size_t *out_len, bool *marker);

/* Called once per payload; a failure stops packetization and is returned. */
typedef WEBRTC_STATUS (*ertc_h264_emit_fn)(const uint8_t *payload, size_t len, bool marker,
                                           void *ctx);

/* Packetizes a whole access unit through `emit`, using `buf` (at least the payload budget)
 * for each payload in turn. */
WEBRTC_STATUS ertc_h264_packetize(ertc_h264_packetizer_t *p, const uint8_t *au, size_t len,
                                  uint8_t *buf, size_t cap, ertc_h264_emit_fn emit, void *ctx);

#endif
