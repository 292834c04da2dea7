/*
 * peer/pc_rtcp — the peer connection's RTCP (RFC 3550 §6, RFC 4585, RFC 5104), all over the
 * BUNDLE transport (rtcp-mux).
 *
 * Reports: every rtcp_interval_ms, randomized to 0.5-1.5 times it (RFC 3550 §6.3.1 — enough
 * for two parties; the bandwidth-based interval of §6.3 is for large sessions), one compound
 * packet: an SR for each SSRC we have sent on (the first carries the report blocks), or an RR
 * when we send nothing, a report block for each SSRC we receive, and an SDES CNAME chunk for
 * the first SSRC (§6.1).
 *
 * RTT (§6.4.1): a report block about one of our SSRCs carries LSR (the middle of our last SR's
 * NTP time) and DLSR (how long the remote held it); now - LSR - DLSR is the round trip. It
 * also becomes the video NACK retry interval.
 *
 * Feedback, sent alone (RFC 5506 reduced size, which Chromium and aiortc accept): generic NACK
 * for missing video packets, repeated every retry interval (the feedback timer runs while
 * packets are missing), and a PLI when the depacketizer or the NACK generator gives up on a
 * loss — at most one per ERTC_PC_PLI_INTERVAL_MS, since one key frame repairs everything.
 * Received: NACKs resend from the history, PLI/FIR become on_keyframe_request.
 */
#include <string.h>

#include "peer/pc_internal.h"
#include "port/port.h"
#include "util/log.h"

#define PC_NACK_BATCH        64 /* sequence numbers in one NACK */
#define PC_NACK_MIN_RETRY_MS 10
#define PC_FEEDBACK_TIMER_MS 20

static uint64_t pc_now_ntp(void)
{
    return ertc_rtcp_ntp_from_unix_us(ertc_time_wall_us());
}

WEBRTC_STATUS ertc_pc_send_rtcp(ertc_pc_t *pc, uint8_t *buf, size_t len, size_t cap)
{
    WEBRTC_STATUS st = ertc_srtp_protect_rtcp(pc->srtp, buf, &len, cap);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ice_agent_send(pc->ice, buf, len);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.rtcp_packets_sent++;
        pc->stats.bytes_sent += len;
    }
    return st;
}

WEBRTC_STATUS ertc_pc_send_pli(ertc_pc_t *pc)
{
    uint8_t buf[PC_RTCP_BUF];
    size_t len = 0;
    WEBRTC_STATUS st =
        ertc_rtcp_build_pli(pc->video_tx.ssrc, pc->video_rx.ssrc, buf, sizeof(buf), &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_send_rtcp(pc, buf, len, sizeof(buf));
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.keyframe_requests_sent++;
    }
    return st;
}

void ertc_pc_request_keyframe_on_loss(ertc_pc_t *pc)
{
    uint64_t now = ertc_time_mono_ms();
    if (pc->srtp == NULL ||
        (pc->pli_sent_once && now - pc->last_pli_ms < ERTC_PC_PLI_INTERVAL_MS)) {
        return;
    }
    if (ertc_pc_send_pli(pc) == WEBRTC_STATUS_SUCCESS) {
        pc->pli_sent_once = true;
        pc->last_pli_ms = now;
    }
}

/* ---- NACK (receiver) ------------------------------------------------------------------------ */

void ertc_pc_send_due_nacks(ertc_pc_t *pc)
{
    pc_recv_stream_t *rx = &pc->video_rx;
    if (!rx->nack || pc->srtp == NULL || ertc_pc_is_final(pc->state)) {
        return;
    }
    ertc_nack_generator_stats_t before;
    ertc_nack_generator_get_stats(rx->nackgen, &before);
    uint16_t seqs[PC_NACK_BATCH];
    size_t n = ertc_nack_generator_collect(rx->nackgen, ertc_time_mono_ms(), seqs, PC_NACK_BATCH);
    ertc_nack_generator_stats_t after;
    ertc_nack_generator_get_stats(rx->nackgen, &after);
    pc->stats.packets_recovered = after.recovered;
    pc->stats.packets_lost = after.gave_up;
    if (after.gave_up > before.gave_up && pc->depacketizer_ready) {
        ertc_pc_video_gave_up(pc);
        if (ertc_pc_is_final(pc->state)) {
            return;
        }
    }
    if (n > 0) {
        uint8_t buf[PC_RTCP_BUF];
        size_t len = 0;
        if (ertc_rtcp_build_nack(pc->video_tx.ssrc, rx->ssrc, seqs, n, buf, sizeof(buf), &len) ==
                WEBRTC_STATUS_SUCCESS &&
            ertc_pc_send_rtcp(pc, buf, len, sizeof(buf)) == WEBRTC_STATUS_SUCCESS) {
            pc->stats.nacks_sent++;
            pc->stats.nack_seqs_sent += n;
        }
    }
    if (ertc_nack_generator_missing(rx->nackgen) > 0) {
        if (!ertc_timer_active(&pc->feedback_timer)) {
            (void)ertc_timer_start(pc->loop, &pc->feedback_timer, PC_FEEDBACK_TIMER_MS, 0);
        }
    } else {
        ertc_timer_stop(pc->loop, &pc->feedback_timer);
    }
}

static void pc_on_feedback_timer(ertc_loop_t *loop, ertc_timer_t *timer, void *arg)
{
    (void)loop;
    (void)timer;
    ertc_pc_send_due_nacks(arg);
}

/* ---- reports ------------------------------------------------------------------------------- */

static void pc_sender_info(const pc_send_stream_t *s, uint64_t ntp, ertc_rtcp_sender_info_t *out)
{
    /* The RTP timestamp of "now": the last packet's, advanced by the time since it left. */
    uint64_t elapsed_us = ertc_time_mono_us() - s->last_send_us;
    out->ntp = ntp;
    out->rtp_timestamp = s->last_rtp_ts + (uint32_t)(elapsed_us * s->clock_rate / PC_US_PER_SECOND);
    out->packet_count = s->packet_count;
    out->octet_count = s->octet_count;
}

/* Writes our compound report into buf; 0 when there is nothing to say. */
static size_t pc_build_report(ertc_pc_t *pc, uint8_t *buf, size_t cap)
{
    uint64_t ntp = pc_now_ntp();
    uint32_t now_compact = ertc_rtcp_ntp_compact(ntp);
    ertc_rtcp_report_t r;
    memset(&r, 0, sizeof(r));
    pc_recv_stream_t *rxs[2] = {&pc->video_rx, &pc->audio_rx};
    for (size_t i = 0; i < 2; i++) {
        if (rxs[i]->enabled && rxs[i]->stats_started) {
            ertc_rtp_receiver_stats_report(&rxs[i]->stats, now_compact, &r.blocks[r.block_count++]);
        }
    }
    pc_send_stream_t *txs[2] = {&pc->video_tx, &pc->audio_tx};
    size_t pos = 0;
    size_t written = 0;
    uint32_t first_ssrc = 0;
    for (size_t i = 0; i < 2; i++) {
        if (!txs[i]->enabled || !txs[i]->sent_any) {
            continue;
        }
        r.ssrc = txs[i]->ssrc;
        pc_sender_info(txs[i], ntp, &r.sender);
        if (ertc_rtcp_build_sr(&r, buf + pos, cap - pos, &written) != WEBRTC_STATUS_SUCCESS) {
            return 0;
        }
        pos += written;
        pc->stats.sr_sent++;
        if (first_ssrc == 0) {
            first_ssrc = r.ssrc;
        }
        r.block_count = 0; /* the blocks go in the first SR only */
    }
    if (first_ssrc == 0) {
        if (r.block_count == 0) {
            return 0; /* nothing sent, nothing received yet */
        }
        r.ssrc = first_ssrc =
            pc->video_tx.enabled || !pc->audio_tx.enabled ? pc->video_tx.ssrc : pc->audio_tx.ssrc;
        if (ertc_rtcp_build_rr(&r, buf, cap, &written) != WEBRTC_STATUS_SUCCESS) {
            return 0;
        }
        pos = written;
        pc->stats.rr_sent++;
    }
    if (ertc_rtcp_build_sdes_cname(first_ssrc, pc->cname, buf + pos, cap - pos, &written) !=
        WEBRTC_STATUS_SUCCESS) {
        return 0;
    }
    return pos + written;
}

static uint32_t pc_report_delay_ms(const ertc_pc_t *pc)
{
    uint32_t interval =
        pc->config.rtcp_interval_ms != 0 ? pc->config.rtcp_interval_ms : ERTC_PC_RTCP_INTERVAL_MS;
    return interval / 2 + ertc_random_u32() % (interval + 1); /* 0.5 to 1.5 times */
}

static void pc_on_rtcp_timer(ertc_loop_t *loop, ertc_timer_t *timer, void *arg)
{
    (void)loop;
    (void)timer;
    ertc_pc_t *pc = arg;
    if (pc->state != ERTC_PC_STATE_CONNECTED || pc->srtp == NULL) {
        return;
    }
    uint8_t buf[PC_RTCP_BUF];
    size_t len = pc_build_report(pc, buf, ERTC_RTCP_MAX_PACKET_LEN);
    if (len > 0) {
        (void)ertc_pc_send_rtcp(pc, buf, len, sizeof(buf));
    }
    (void)ertc_timer_start(pc->loop, &pc->rtcp_timer, pc_report_delay_ms(pc), 0);
}

void ertc_pc_rtcp_init(ertc_pc_t *pc)
{
    ertc_timer_init(&pc->rtcp_timer, pc_on_rtcp_timer, pc);
    ertc_timer_init(&pc->feedback_timer, pc_on_feedback_timer, pc);
}

void ertc_pc_rtcp_start(ertc_pc_t *pc)
{
    /* The first report soon after connecting (§6.3.1: half the interval at most). */
    (void)ertc_timer_start(pc->loop, &pc->rtcp_timer, pc_report_delay_ms(pc) / 2, 0);
}

void ertc_pc_rtcp_stop(ertc_pc_t *pc)
{
    ertc_timer_stop(pc->loop, &pc->rtcp_timer);
    ertc_timer_stop(pc->loop, &pc->feedback_timer);
}

/* ---- received RTCP ------------------------------------------------------------------------- */

static void pc_on_report(ertc_pc_t *pc, const ertc_rtcp_packet_t *pkt, uint32_t now_compact)
{
    ertc_rtcp_report_t r;
    if (ertc_rtcp_parse_report(pkt, &r) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    if (r.has_sender_info) {
        pc->stats.sr_received++;
        pc_recv_stream_t *rxs[2] = {&pc->video_rx, &pc->audio_rx};
        for (size_t i = 0; i < 2; i++) {
            if (rxs[i]->stats_started && rxs[i]->stats.ssrc == r.ssrc) {
                ertc_rtp_receiver_stats_on_sr(&rxs[i]->stats, r.sender.ntp, now_compact);
            }
        }
    }
    for (size_t i = 0; i < r.block_count; i++) {
        const ertc_rtcp_report_block_t *b = &r.blocks[i];
        if (b->ssrc != pc->video_tx.ssrc && b->ssrc != pc->audio_tx.ssrc) {
            continue;
        }
        pc->stats.rr_received++;
        uint32_t rtt = 0;
        if (ertc_rtcp_rtt(now_compact, b->lsr, b->dlsr, &rtt)) {
            pc->stats.has_rtt = true;
            pc->stats.rtt_ms = (uint32_t)(ertc_rtcp_compact_to_us(rtt) / 1000u);
            if (pc->video_rx.nack) {
                uint32_t retry = pc->stats.rtt_ms > PC_NACK_MIN_RETRY_MS ? pc->stats.rtt_ms
                                                                         : PC_NACK_MIN_RETRY_MS;
                ertc_nack_generator_set_retry_interval(pc->video_rx.nackgen, retry);
            }
        }
    }
}

static void pc_on_nack(ertc_pc_t *pc, const ertc_rtcp_packet_t *pkt)
{
    ertc_rtcp_nack_t nack;
    if (ertc_rtcp_parse_nack(pkt, &nack) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    pc->stats.nacks_received++;
    if (nack.media_ssrc != pc->video_tx.ssrc || !pc->video_tx.enabled) {
        return;
    }
    for (size_t i = 0; i < nack.count; i++) {
        if (!ertc_pc_resend(pc, &pc->video_tx, nack.seqs[i])) {
            pc->stats.resend_missing++;
        }
    }
}

void ertc_pc_on_rtcp(ertc_pc_t *pc, size_t len)
{
    pc->stats.bytes_received += len;
    if (ertc_srtp_unprotect_rtcp(pc->srtp, pc->rx, &len) != WEBRTC_STATUS_SUCCESS) {
        pc->stats.srtp_drops++;
        return;
    }
    pc->stats.rtcp_packets_received++;
    uint32_t now_compact = ertc_rtcp_ntp_compact(pc_now_ntp());
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, pc->rx, len);
    while (!ertc_pc_is_final(pc->state) &&
           ertc_rtcp_iter_next(&it, &pkt) == WEBRTC_STATUS_SUCCESS) {
        switch (ertc_rtcp_kind(&pkt)) {
        case ERTC_RTCP_KIND_SR:
        case ERTC_RTCP_KIND_RR: pc_on_report(pc, &pkt, now_compact); break;
        case ERTC_RTCP_KIND_NACK: pc_on_nack(pc, &pkt); break;
        case ERTC_RTCP_KIND_PLI:
        case ERTC_RTCP_KIND_FIR:
            if (pc->video_tx.enabled &&
                ertc_rtcp_keyframe_filter_check(&pc->keyframe_filter, &pkt)) {
                pc->stats.keyframe_requests_received++;
                if (pc->cb.on_keyframe_request != NULL) {
                    pc->cb.on_keyframe_request(pc, pc->arg);
                }
            }
            break;
        default: break;
        }
    }
}

WEBRTC_STATUS ertc_pc_request_keyframe(ertc_pc_t *pc)
{
    if (pc == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ertc_pc_is_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (pc->state != ERTC_PC_STATE_CONNECTED || pc->srtp == NULL) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    return ertc_pc_send_pli(pc);
}
