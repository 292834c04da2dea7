/*
 * peer/rtcp — RTCP packets (RFC 3550 §6), the feedback messages WebRTC uses (RFC 4585 generic
 * NACK and PLI, RFC 5104 FIR), their builders, and NTP/round-trip time arithmetic. The
 * statistics that fill a receiver's report blocks are in peer/rtp_receiver_stats.
 *
 * Parsing is two-level and pure, over the caller's buffer:
 *
 *  - ertc_rtcp_iter_next() walks a compound packet (§6.1) one RTCP packet at a time and checks
 *    each common header: version 2, a length that fits, padding within the packet. Non-compound
 *    packets (RFC 5506 reduced-size RTCP) are accepted as well, so nothing requires an SR or RR
 *    first. The walk stops at the first malformed packet; the packets before it are usable.
 *  - typed decoders read one packet: SR/RR report blocks, SDES CNAMEs, BYE, generic NACK (the
 *    PID/BLP pairs expanded to a list of sequence numbers), PLI and FIR. REMB (PSFB FMT 15,
 *    "REMB") and transport-cc (RTPFB FMT 15) are recognised by ertc_rtcp_kind() and otherwise
 *    skipped, like XR, APP and unknown types.
 *
 * Demultiplexing with RTP on one port (rtcp-mux, RFC 5761 §4): ertc_rtcp_is_rtcp() looks at
 * the second byte, which for RTCP is a packet type in 192..223 and for RTP a marker bit and a
 * payload type that WebRTC never puts in that range.
 *
 * Every decoder has named limits: report blocks (31: the RC field has 5 bits), SDES chunks and
 * BYE sources (31), NACK sequence numbers (ERTC_RTCP_MAX_NACK_SEQS) and FIR entries
 * (ERTC_RTCP_MAX_FIR_ENTRIES); entries beyond a limit are dropped and `truncated` is set.
 *
 * Builders write one RTCP packet into a caller buffer; a compound packet is their outputs
 * placed one after another (SR or RR first, then SDES, then feedback, §6.1).
 *
 * A key-frame request for a video sender is a PLI for its SSRC or a FIR entry for it with a
 * new sequence number (RFC 5104 §4.3.1.2: a repeated FIR sequence number is a retransmission
 * of a request already served); ertc_rtcp_keyframe_filter_t applies that rule.
 */
#ifndef ERTC_PEER_RTCP_H
#define ERTC_PEER_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_RTCP_VERSION           2
#define ERTC_RTCP_HEADER_LEN        4
#define ERTC_RTCP_SENDER_INFO_LEN   20
#define ERTC_RTCP_REPORT_BLOCK_LEN  24
#define ERTC_RTCP_FB_HEADER_LEN     8 /* sender SSRC + media source SSRC (RFC 4585 §6.1) */
#define ERTC_RTCP_MAX_REPORT_BLOCKS 31
#define ERTC_RTCP_MAX_SDES_CHUNKS   31
#define ERTC_RTCP_MAX_BYE_SOURCES   31
#define ERTC_RTCP_MAX_CNAME_LEN     255
#define ERTC_RTCP_MAX_NACK_SEQS     512 /* 30 PID/BLP pairs cover at most 510 */
#define ERTC_RTCP_MAX_FIR_ENTRIES   16
/* The largest compound packet a builder is asked for: one that fits the default RTP MTU. */
#define ERTC_RTCP_MAX_PACKET_LEN 1200

/* RFC 5761 §4: RTCP packet types that may share a port with RTP. */
#define ERTC_RTCP_MUX_PT_MIN 192
#define ERTC_RTCP_MUX_PT_MAX 223

enum {
    ERTC_RTCP_PT_SR = 200,
    ERTC_RTCP_PT_RR = 201,
    ERTC_RTCP_PT_SDES = 202,
    ERTC_RTCP_PT_BYE = 203,
    ERTC_RTCP_PT_APP = 204,
    ERTC_RTCP_PT_RTPFB = 205, /* RFC 4585 transport-layer feedback */
    ERTC_RTCP_PT_PSFB = 206,  /* RFC 4585 payload-specific feedback */
    ERTC_RTCP_PT_XR = 207,    /* RFC 3611 */
};

/* Feedback message types (FMT) */
enum {
    ERTC_RTCP_RTPFB_NACK = 1,  /* RFC 4585 §6.2.1 */
    ERTC_RTCP_RTPFB_TWCC = 15, /* draft-holmer-rmcat-transport-wide-cc-extensions */
    ERTC_RTCP_PSFB_PLI = 1,    /* RFC 4585 §6.3.1 */
    ERTC_RTCP_PSFB_FIR = 4,    /* RFC 5104 §4.3.1 */
    ERTC_RTCP_PSFB_AFB = 15,   /* application layer feedback; REMB uses it */
};

#define ERTC_RTCP_SDES_END   0
#define ERTC_RTCP_SDES_CNAME 1

typedef enum {
    ERTC_RTCP_KIND_UNKNOWN = 0,
    ERTC_RTCP_KIND_SR,
    ERTC_RTCP_KIND_RR,
    ERTC_RTCP_KIND_SDES,
    ERTC_RTCP_KIND_BYE,
    ERTC_RTCP_KIND_APP,
    ERTC_RTCP_KIND_NACK,
    ERTC_RTCP_KIND_PLI,
    ERTC_RTCP_KIND_FIR,
    ERTC_RTCP_KIND_REMB,
    ERTC_RTCP_KIND_TWCC,
    ERTC_RTCP_KIND_XR,
} ertc_rtcp_kind_t;

/* One RTCP packet inside a compound packet. */
typedef struct {
    uint8_t pt;
    uint8_t count; /* RC, SC or FMT: the 5 low bits of the first byte */
    bool padding;
    const uint8_t *data; /* the whole packet, header and padding included */
    size_t len;
    const uint8_t *body; /* after the 4-byte header, padding removed */
    size_t body_len;
} ertc_rtcp_packet_t;

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
} ertc_rtcp_iter_t;

/* RFC 5761 §4 demultiplexing: true when the second byte is an RTCP packet type (192..223). */
bool ertc_rtcp_is_rtcp(const uint8_t *buf, size_t len);

void ertc_rtcp_iter_init(ertc_rtcp_iter_t *it, const uint8_t *buf, size_t len);

/* SUCCESS with the next packet, NOT_FOUND at the end, MALFORMED (and every later call returns
 * NOT_FOUND) when a header is bad: version not 2, shorter than 4 bytes, length past the end,
 * padding count 0 or larger than the packet's body. */
WEBRTC_STATUS ertc_rtcp_iter_next(ertc_rtcp_iter_t *it, ertc_rtcp_packet_t *pkt);

/* Checks every packet header of a compound packet; SUCCESS when all are good and there is at
 * least one. */
WEBRTC_STATUS ertc_rtcp_validate(const uint8_t *buf, size_t len);

ertc_rtcp_kind_t ertc_rtcp_kind(const ertc_rtcp_packet_t *pkt);

/* ---- SR and RR (RFC 3550 §6.4) ---------------------------------------------------------- */

typedef struct {
    uint32_t ssrc;            /* the source this block reports on */
    uint8_t fraction_lost;    /* lost since the last report, in 1/256 */
    int32_t cumulative_lost;  /* 24-bit signed: duplicates can make it negative */
    uint32_t ext_highest_seq; /* cycles << 16 | highest sequence number */
    uint32_t jitter;          /* interarrival jitter, RTP timestamp units */
    uint32_t lsr;             /* middle 32 bits of the last SR's NTP time, 0 = none */
    uint32_t dlsr;            /* delay since that SR, 1/65536 s */
} ertc_rtcp_report_block_t;

typedef struct {
    uint64_t ntp;           /* NTP timestamp, 32.32 fixed point seconds since 1900 */
    uint32_t rtp_timestamp; /* the same instant on the RTP clock */
    uint32_t packet_count;
    uint32_t octet_count; /* payload bytes */
} ertc_rtcp_sender_info_t;

typedef struct {
    uint32_t ssrc; /* the reporter */
    bool has_sender_info;
    ertc_rtcp_sender_info_t sender;
    size_t block_count;
    ertc_rtcp_report_block_t blocks[ERTC_RTCP_MAX_REPORT_BLOCKS];
} ertc_rtcp_report_t;

/* Decodes an SR or RR. MALFORMED when the body is shorter than its report count says. Profile
 * extension bytes after the blocks are ignored. */
WEBRTC_STATUS ertc_rtcp_parse_report(const ertc_rtcp_packet_t *pkt, ertc_rtcp_report_t *out);

/* SR from r->ssrc, r->sender and the blocks (has_sender_info is not looked at). */
WEBRTC_STATUS ertc_rtcp_build_sr(const ertc_rtcp_report_t *r, uint8_t *out, size_t cap,
                                 size_t *written);
/* RR from r->ssrc and the blocks (0 blocks is a valid, empty RR). */
WEBRTC_STATUS ertc_rtcp_build_rr(const ertc_rtcp_report_t *r, uint8_t *out, size_t cap,
                                 size_t *written);

/* ---- SDES and BYE (RFC 3550 §6.5, §6.6) ------------------------------------------------- */

typedef struct {
    uint32_t ssrc;
    const uint8_t *cname; /* not NUL-terminated; NULL when the chunk has no CNAME item */
    size_t cname_len;
} ertc_rtcp_sdes_chunk_t;

typedef struct {
    size_t chunk_count;
    ertc_rtcp_sdes_chunk_t chunks[ERTC_RTCP_MAX_SDES_CHUNKS];
} ertc_rtcp_sdes_t;

/* MALFORMED when an item or chunk runs past the packet or a chunk is unterminated. */
WEBRTC_STATUS ertc_rtcp_parse_sdes(const ertc_rtcp_packet_t *pkt, ertc_rtcp_sdes_t *out);

/* One chunk with one CNAME item (1..255 bytes). */
WEBRTC_STATUS ertc_rtcp_build_sdes_cname(uint32_t ssrc, const char *cname, uint8_t *out, size_t cap,
                                         size_t *written);

typedef struct {
    size_t ssrc_count;
    uint32_t ssrcs[ERTC_RTCP_MAX_BYE_SOURCES];
    const uint8_t *reason; /* not NUL-terminated; NULL when absent */
    size_t reason_len;
} ertc_rtcp_bye_t;

WEBRTC_STATUS ertc_rtcp_parse_bye(const ertc_rtcp_packet_t *pkt, ertc_rtcp_bye_t *out);
WEBRTC_STATUS ertc_rtcp_build_bye(const uint32_t *ssrcs, size_t count, uint8_t *out, size_t cap,
                                  size_t *written);

/* ---- feedback (RFC 4585, RFC 5104) -------------------------------------------------------- */

typedef struct {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
} ertc_rtcp_fb_t;

typedef struct {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    size_t count;
    bool truncated; /* more than ERTC_RTCP_MAX_NACK_SEQS were asked for */
    uint16_t seqs[ERTC_RTCP_MAX_NACK_SEQS];
} ertc_rtcp_nack_t;

typedef struct {
    uint32_t ssrc; /* the media sender asked for a decoder refresh */
    uint8_t seq_nr;
} ertc_rtcp_fir_entry_t;

typedef struct {
    uint32_t sender_ssrc;
    size_t count;
    bool truncated;
    ertc_rtcp_fir_entry_t entries[ERTC_RTCP_MAX_FIR_ENTRIES];
} ertc_rtcp_fir_t;

/* The two SSRCs of any RTPFB or PSFB packet. MALFORMED when shorter than 8 bytes. */
WEBRTC_STATUS ertc_rtcp_parse_fb(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fb_t *out);

/* Generic NACK: each PID/BLP pair becomes PID and PID+i+1 for every set bit i of BLP, in
 * that order (wrapping at 65535). MALFORMED when not an RTPFB FMT 1 or the FCI is not a whole
 * number of 4-byte pairs, or there is none. */
WEBRTC_STATUS ertc_rtcp_parse_nack(const ertc_rtcp_packet_t *pkt, ertc_rtcp_nack_t *out);

/* PLI: MALFORMED when not a PSFB FMT 1 of at least 8 bytes. */
WEBRTC_STATUS ertc_rtcp_parse_pli(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fb_t *out);

/* FIR: MALFORMED when not a PSFB FMT 4 with one or more whole 8-byte entries. */
WEBRTC_STATUS ertc_rtcp_parse_fir(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fir_t *out);

/* Generic NACK for `count` (>= 1) sequence numbers. Each is covered by one PID/BLP pair: a
 * sequence number within 16 after the pair's PID joins its BLP, any other starts a new pair,
 * so an ascending list gives the fewest pairs. */
WEBRTC_STATUS ertc_rtcp_build_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs,
                                   size_t count, uint8_t *out, size_t cap, size_t *written);
WEBRTC_STATUS ertc_rtcp_build_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out,
                                  size_t cap, size_t *written);
/* FIR for one media sender; the media source field of the header is 0 (RFC 5104 §4.3.1.2).
 * The caller increments seq_nr for each new request (and keeps it for a retransmission). */
WEBRTC_STATUS ertc_rtcp_build_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr,
                                  uint8_t *out, size_t cap, size_t *written);

/* Turns PLI and FIR into key-frame requests for one sending SSRC. */
typedef struct {
    uint32_t ssrc;
    bool have_fir_seq;
    uint8_t fir_seq; /* the last FIR sequence number acted on */
} ertc_rtcp_keyframe_filter_t;

void ertc_rtcp_keyframe_filter_init(ertc_rtcp_keyframe_filter_t *f, uint32_t ssrc);

/* True when `pkt` asks f->ssrc for a key frame: a PLI whose media SSRC is f->ssrc, or a FIR
 * entry for f->ssrc with a sequence number other than the last one acted on. */
bool ertc_rtcp_keyframe_filter_check(ertc_rtcp_keyframe_filter_t *f, const ertc_rtcp_packet_t *pkt);

/* ---- NTP time and round-trip time (RFC 3550 §4, §6.4.1) -------------------------------- */

/* 64-bit NTP time (seconds since 1900 in the high 32 bits) for a Unix time in microseconds. */
uint64_t ertc_rtcp_ntp_from_unix_us(uint64_t unix_us);
/* The middle 32 bits: the "compact" form used by LSR and DLSR (1/65536 s units). */
uint32_t ertc_rtcp_ntp_compact(uint64_t ntp);
uint64_t ertc_rtcp_compact_to_us(uint32_t compact);
uint32_t ertc_rtcp_compact_from_us(uint64_t us);

/* Round-trip time from a report block received at `now_compact`: now - LSR - DLSR (§6.4.1).
 * False when the block carries no LSR (no SR was received yet); a negative result (clock
 * trouble or a bogus DLSR) gives 0. */
bool ertc_rtcp_rtt(uint32_t now_compact, uint32_t lsr, uint32_t dlsr, uint32_t *rtt_compact);

#endif
