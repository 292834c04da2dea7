/*
 * peer/rtp_receiver_stats — what a receiver counts per RTP source to fill RTCP report blocks:
 * packets expected and received across sequence-number wraps and restarts (RFC 3550 §A.1),
 * cumulative and interval loss (§A.3, §6.4.1), interarrival jitter (§A.8), and the LSR/DLSR
 * pair that lets the sender measure the round-trip time (§6.4.1).
 *
 * Packets are counted as §A.1 does (duplicates count as received, so the cumulative loss may
 * go negative) but without the probation of a new source: SRTP already authenticates every
 * packet, which is what probation protects against.
 *
 * Jitter (§A.8) is updated only by packets that advance the highest sequence number and carry
 * a new RTP timestamp: the packets of one video frame share a timestamp and are spread out by
 * the sender's pacer, which is not network jitter.
 *
 * Times come from the caller (arrival in microseconds on any monotonic clock, "now" as compact
 * NTP time), so the statistics are plain arithmetic and can be tested with synthetic clocks.
 */
#ifndef ERTC_PEER_RTP_RECEIVER_STATS_H
#define ERTC_PEER_RTP_RECEIVER_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "peer/rtcp.h"

/* Per received SSRC. */
typedef struct {
    uint32_t ssrc;
    uint32_t clock_rate;
    bool started;
    uint16_t max_seq;
    uint32_t cycles; /* sequence number wraps, shifted left by 16 */
    uint32_t base_seq;
    uint32_t bad_seq; /* §A.1: a jump is believed when this one follows */
    uint32_t received;
    uint32_t expected_prior;
    uint32_t received_prior;
    bool have_transit;
    uint32_t transit; /* arrival - RTP timestamp, in RTP units, of the last sample */
    uint32_t last_jitter_ts;
    uint32_t jitter_q4; /* jitter * 16 (§A.8 integer form) */
    bool have_sr;
    uint32_t last_sr;         /* compact NTP time of the last SR from this source */
    uint32_t last_sr_arrival; /* our compact NTP time when it arrived */
} ertc_rtp_receiver_stats_t;

void ertc_rtp_receiver_stats_init(ertc_rtp_receiver_stats_t *s, uint32_t ssrc, uint32_t clock_rate);

/* Counts one packet that arrived at `arrival_us` (any monotonic microsecond clock). False when
 * it was not counted: the first packet after a large jump, until the next one confirms it. */
bool ertc_rtp_receiver_stats_update(ertc_rtp_receiver_stats_t *s, uint16_t seq,
                                    uint32_t rtp_timestamp, uint64_t arrival_us);

/* Records an SR from this source (for LSR/DLSR); `arrival_compact` is our NTP time. */
void ertc_rtp_receiver_stats_on_sr(ertc_rtp_receiver_stats_t *s, uint64_t sr_ntp,
                                   uint32_t arrival_compact);

uint32_t ertc_rtp_receiver_stats_expected(const ertc_rtp_receiver_stats_t *s);
int64_t ertc_rtp_receiver_stats_lost(const ertc_rtp_receiver_stats_t *s);
uint32_t ertc_rtp_receiver_stats_jitter(const ertc_rtp_receiver_stats_t *s);

/* Fills a report block for sending at `now_compact` and starts the next fraction-lost
 * interval (§A.3). */
void ertc_rtp_receiver_stats_report(ertc_rtp_receiver_stats_t *s, uint32_t now_compact,
                                    ertc_rtcp_report_block_t *out);

#endif
