/*
 * peer/rtp_receiver_stats — per-source receive statistics for RTCP report blocks (RFC 3550
 * §A.1 sequence validation, §A.3 loss, §A.8 jitter, §6.4.1 LSR/DLSR). See
 * rtp_receiver_stats.h.
 */
#include "peer/rtp_receiver_stats.h"

#include <string.h>

#include "peer/rtp.h"

#define SEQ_MOD       (1u << 16)
#define US_PER_SECOND 1000000u
/* A jitter sample larger than this (in RTP units; 186 s at 90 kHz) is clamped, which keeps
 * the §A.8 fixed-point sum far from overflowing. */
#define MAX_JITTER_SAMPLE 0xFFFFFFu
/* The report block's cumulative loss is 24-bit signed (§6.4.1). */
#define CUMULATIVE_LOST_MAX 0x7FFFFF
#define CUMULATIVE_LOST_MIN (-0x800000)

void ertc_rtp_receiver_stats_init(ertc_rtp_receiver_stats_t *s, uint32_t ssrc, uint32_t clock_rate)
{
    if (s == NULL) {
        return;
    }
    memset(s, 0, sizeof(*s));
    s->ssrc = ssrc;
    s->clock_rate = clock_rate;
    s->bad_seq = SEQ_MOD + 1;
}

/* §A.1 init_seq: (re)starts counting at `seq`. */
static void init_seq(ertc_rtp_receiver_stats_t *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->bad_seq = SEQ_MOD + 1;
    s->cycles = 0;
    s->received = 0;
    s->received_prior = 0;
    s->expected_prior = 0;
    s->have_transit = false;
}

/* A wall-clock time in units of the RTP clock (wrapping like an RTP timestamp). */
static uint32_t to_rtp_units(uint64_t us, uint32_t clock_rate)
{
    uint64_t whole = (us / US_PER_SECOND) * clock_rate;
    uint64_t part = (us % US_PER_SECOND) * clock_rate / US_PER_SECOND;
    return (uint32_t)(whole + part);
}

/* §A.8, with one sample per RTP timestamp (see rtcp.h). */
static void sample_jitter(ertc_rtp_receiver_stats_t *s, uint32_t rtp_timestamp, uint64_t arrival_us)
{
    uint32_t transit = to_rtp_units(arrival_us, s->clock_rate) - rtp_timestamp;
    if (s->have_transit) {
        if (rtp_timestamp == s->last_jitter_ts) {
            return;
        }
        int32_t d = (int32_t)(transit - s->transit);
        uint32_t magnitude = d < 0 ? (uint32_t)(-(int64_t)d) : (uint32_t)d;
        if (magnitude > MAX_JITTER_SAMPLE) {
            magnitude = MAX_JITTER_SAMPLE;
        }
        s->jitter_q4 += magnitude - ((s->jitter_q4 + 8) >> 4);
    }
    s->have_transit = true;
    s->transit = transit;
    s->last_jitter_ts = rtp_timestamp;
}

bool ertc_rtp_receiver_stats_update(ertc_rtp_receiver_stats_t *s, uint16_t seq,
                                    uint32_t rtp_timestamp, uint64_t arrival_us)
{
    if (s == NULL) {
        return false;
    }
    if (!s->started) {
        s->started = true;
        init_seq(s, seq);
        s->received = 1;
        sample_jitter(s, rtp_timestamp, arrival_us);
        return true;
    }
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (udelta < ERTC_RTP_MAX_DROPOUT) {
        if (udelta > 0) {
            if (seq < s->max_seq) {
                s->cycles += SEQ_MOD; /* wrapped */
            }
            s->max_seq = seq;
            sample_jitter(s, rtp_timestamp, arrival_us);
        }
    } else if (udelta <= SEQ_MOD - ERTC_RTP_MAX_MISORDER) {
        if (seq != s->bad_seq) {
            /* a very large jump: believe it only if the next packet follows on */
            s->bad_seq = (seq + 1) & (SEQ_MOD - 1);
            return false;
        }
        init_seq(s, seq); /* the source restarted its sequence */
        sample_jitter(s, rtp_timestamp, arrival_us);
    }
    /* else: a duplicate or a reordered packet, counted but not a jitter sample */
    s->received++;
    return true;
}

void ertc_rtp_receiver_stats_on_sr(ertc_rtp_receiver_stats_t *s, uint64_t sr_ntp,
                                   uint32_t arrival_compact)
{
    if (s != NULL) {
        s->have_sr = true;
        s->last_sr = ertc_rtcp_ntp_compact(sr_ntp);
        s->last_sr_arrival = arrival_compact;
    }
}

uint32_t ertc_rtp_receiver_stats_expected(const ertc_rtp_receiver_stats_t *s)
{
    if (s == NULL || !s->started) {
        return 0;
    }
    return s->cycles + s->max_seq - s->base_seq + 1;
}

int64_t ertc_rtp_receiver_stats_lost(const ertc_rtp_receiver_stats_t *s)
{
    if (s == NULL || !s->started) {
        return 0;
    }
    return (int64_t)ertc_rtp_receiver_stats_expected(s) - (int64_t)s->received;
}

uint32_t ertc_rtp_receiver_stats_jitter(const ertc_rtp_receiver_stats_t *s)
{
    return s != NULL ? s->jitter_q4 >> 4 : 0;
}

void ertc_rtp_receiver_stats_report(ertc_rtp_receiver_stats_t *s, uint32_t now_compact,
                                    ertc_rtcp_report_block_t *out)
{
    if (s == NULL || out == NULL) {
        return;
    }
    memset(out, 0, sizeof(*out));
    out->ssrc = s->ssrc;
    if (!s->started) {
        return;
    }
    uint32_t expected = ertc_rtp_receiver_stats_expected(s);
    int64_t lost = ertc_rtp_receiver_stats_lost(s);
    if (lost > CUMULATIVE_LOST_MAX) {
        lost = CUMULATIVE_LOST_MAX;
    } else if (lost < CUMULATIVE_LOST_MIN) {
        lost = CUMULATIVE_LOST_MIN;
    }
    out->cumulative_lost = (int32_t)lost;

    /* §A.3: the fraction lost covers the packets since the previous report */
    uint32_t expected_interval = expected - s->expected_prior;
    uint32_t received_interval = s->received - s->received_prior;
    s->expected_prior = expected;
    s->received_prior = s->received;
    int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
    if (expected_interval > 0 && lost_interval > 0) {
        int64_t fraction = (lost_interval << 8) / expected_interval;
        out->fraction_lost = (uint8_t)(fraction > UINT8_MAX ? UINT8_MAX : fraction);
    }
    out->ext_highest_seq = s->cycles + s->max_seq;
    out->jitter = s->jitter_q4 >> 4;
    if (s->have_sr) {
        out->lsr = s->last_sr;
        out->dlsr = now_compact - s->last_sr_arrival;
    }
}
