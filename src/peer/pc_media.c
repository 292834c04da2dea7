/*
 * peer/pc_media — the peer connection's RTP.
 *
 * Out: H.264 access units through the packetizer, Opus packets as they are (RFC 7587: one
 * packet per RTP payload) -> RTP -> [resend history, before SRTP] -> SRTP -> ICE. A NACKed
 * packet is taken from the history and protected again (libsrtp allows the repeated index on
 * our outbound stream), so the receiver sees the original packet once more: plain
 * retransmission, which Chromium accepts when no RTX payload type was negotiated.
 *
 * In: SRTP -> RTP, then by payload type (BUNDLE: audio and video have different ones) to the
 * H.264 depacketizer or the Opus depacketizer, counting each SSRC for receiver reports and,
 * for video, watching the sequence numbers for NACK.
 */
#include <string.h>

#include "peer/pc_internal.h"
#include "peer/rtp.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

/* ---- test hook: a lossy path for outgoing video --------------------------------------------- */

void ertc_pc_test_drop_rtp(ertc_pc_t *pc, uint32_t skip, uint32_t count, bool drop_resends)
{
    if (pc == NULL) {
        return;
    }
    pc->drop_skip = skip;
    pc->drop_count = count < ERTC_PC_TEST_MAX_DROPS ? count : ERTC_PC_TEST_MAX_DROPS;
    pc->drop_resends = drop_resends;
    pc->dropped_seq_count = 0;
}

static bool pc_test_drop(ertc_pc_t *pc, uint16_t seq, bool resend)
{
    if (resend) {
        for (size_t i = 0; pc->drop_resends && i < pc->dropped_seq_count; i++) {
            if (pc->dropped_seqs[i] == seq) {
                return true;
            }
        }
        return false;
    }
    if (pc->drop_count == 0) {
        return false;
    }
    if (pc->drop_skip > 0) {
        pc->drop_skip--;
        return false;
    }
    pc->drop_count--;
    if (pc->dropped_seq_count < ERTC_PC_TEST_MAX_DROPS) {
        pc->dropped_seqs[pc->dropped_seq_count++] = seq;
    }
    return true;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* pc->tx[0..len) is a plain RTP packet of stream s: protect and send it. */
static WEBRTC_STATUS pc_protect_and_send(ertc_pc_t *pc, const pc_send_stream_t *s, size_t len,
                                         uint16_t seq, bool resend)
{
    WEBRTC_STATUS st = ertc_srtp_protect_rtp(pc->srtp, pc->tx, &len, sizeof(pc->tx));
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (s == &pc->video_tx && pc_test_drop(pc, seq, resend)) {
        return WEBRTC_STATUS_SUCCESS; /* "sent", and lost on the way */
    }
    /* A datagram lost to a full socket buffer is a lost packet, not a failed frame. */
    (void)ertc_ice_agent_send(pc->ice, pc->tx, len);
    pc->stats.bytes_sent += len;
    return WEBRTC_STATUS_SUCCESS;
}

/* One payload of stream s -> RTP -> history -> SRTP -> ICE. */
static WEBRTC_STATUS pc_send_payload(ertc_pc_t *pc, pc_send_stream_t *s, const uint8_t *payload,
                                     size_t len, bool marker, uint32_t timestamp)
{
    ertc_rtp_header_t h;
    memset(&h, 0, sizeof(h));
    h.marker = marker;
    h.payload_type = s->pt;
    h.seq = s->seq++;
    h.timestamp = timestamp;
    h.ssrc = s->ssrc;
    size_t written = 0;
    WEBRTC_STATUS st = ertc_rtp_build(&h, payload, len, 0, pc->tx, sizeof(pc->tx), &written);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    uint64_t now_us = ertc_time_mono_us();
    if (s->history_ready) {
        (void)ertc_nack_history_put(&s->history, h.seq, pc->tx, written, now_us / 1000u);
    }
    st = pc_protect_and_send(pc, s, written, h.seq, false);
    if (st == WEBRTC_STATUS_SUCCESS) {
        s->sent_any = true;
        s->last_rtp_ts = timestamp;
        s->last_send_us = now_us;
        s->packet_count++;
        s->octet_count += (uint32_t)len;
        pc->stats.rtp_packets_sent++;
        if (s == &pc->video_tx) {
            pc->stats.video_packets_sent++;
        } else {
            pc->stats.audio_packets_sent++;
        }
    }
    return st;
}

bool ertc_pc_resend(ertc_pc_t *pc, pc_send_stream_t *s, uint16_t seq)
{
    const uint8_t *packet = NULL;
    size_t len = 0;
    if (!s->history_ready || pc->srtp == NULL ||
        ertc_nack_history_get(&s->history, seq, ertc_time_mono_ms(), &packet, &len) !=
            WEBRTC_STATUS_SUCCESS ||
        len > ERTC_PC_VIDEO_MTU) {
        return false;
    }
    memcpy(pc->tx, packet, len);
    if (pc_protect_and_send(pc, s, len, seq, true) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    pc->stats.packets_resent++;
    return true;
}

typedef struct {
    ertc_pc_t *pc;
    uint32_t timestamp;
} pc_emit_ctx_t;

static WEBRTC_STATUS pc_emit_video_payload(const uint8_t *payload, size_t len, bool marker,
                                           void *ctx)
{
    pc_emit_ctx_t *e = ctx;
    return pc_send_payload(e->pc, &e->pc->video_tx, payload, len, marker, e->timestamp);
}

static uint32_t pc_rtp_timestamp(const pc_send_stream_t *s, uint64_t timestamp_us)
{
    return s->ts_offset + (uint32_t)(timestamp_us * s->clock_rate / PC_US_PER_SECOND);
}

/* CLOSED, INVALID_OPERATION or RETRY_LATER when a frame cannot be sent now. */
static WEBRTC_STATUS pc_check_send(const ertc_pc_t *pc, bool configured, const pc_send_stream_t *s)
{
    if (ertc_pc_is_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (!configured || (pc->remote_description_set && !s->enabled)) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (pc->state != ERTC_PC_STATE_CONNECTED || pc->srtp == NULL) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_send_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len,
                                       uint64_t timestamp_us)
{
    if (pc == NULL || annexb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = pc_check_send(pc, pc->config.send_video, &pc->video_tx);
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            pc->stats.video_frames_dropped++;
        }
        return st;
    }
    pc_emit_ctx_t e = {.pc = pc, .timestamp = pc_rtp_timestamp(&pc->video_tx, timestamp_us)};
    uint8_t payload[ERTC_PC_VIDEO_MTU];
    st = ertc_h264_packetize(&pc->packetizer, annexb, len, payload, sizeof(payload),
                             pc_emit_video_payload, &e);
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.video_frames_sent++;
    }
    return st;
}

WEBRTC_STATUS ertc_pc_send_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len,
                                       uint64_t timestamp_us)
{
    if (pc == NULL || opus == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len == 0 || len > ERTC_PC_VIDEO_MTU - PC_RTP_HEADER - ERTC_SRTP_MAX_TRAILER_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS st = pc_check_send(pc, pc->config.send_audio, &pc->audio_tx);
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            pc->stats.audio_frames_dropped++;
        }
        return st;
    }
    /* The marker bit starts a talkspurt (RFC 3551 §4.1); with no DTX, the first packet. */
    bool marker = !pc->audio_tx.sent_any;
    st = pc_send_payload(pc, &pc->audio_tx, opus, len, marker,
                         pc_rtp_timestamp(&pc->audio_tx, timestamp_us));
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.audio_frames_sent++;
    }
    return st;
}

/* ---- receiving --------------------------------------------------------------------------- */

static void pc_on_frame(const ertc_h264_frame_t *frame, void *ctx)
{
    ertc_pc_t *pc = ctx;
    pc->stats.video_frames_received++;
    if (pc->cb.on_video_frame != NULL) {
        pc->cb.on_video_frame(pc, frame->data, frame->len, frame->timestamp, frame->keyframe,
                              pc->arg);
    }
}

/* Counts a packet of rx for its receiver reports. */
static void pc_count_received(pc_recv_stream_t *rx, const ertc_rtp_packet_t *pkt)
{
    if (rx->ssrc == 0) {
        rx->ssrc = pkt->header.ssrc; /* the remote declared none in its SDP */
    }
    if (!rx->stats_started || rx->stats.ssrc != pkt->header.ssrc) {
        /* First packet, or the remote changed its SSRC: report on the new one. */
        rx->ssrc = pkt->header.ssrc;
        ertc_rtp_receiver_stats_init(&rx->stats, rx->ssrc, rx->clock_rate);
        rx->stats_started = true;
    }
    (void)ertc_rtp_receiver_stats_update(&rx->stats, pkt->header.seq, pkt->header.timestamp,
                                         ertc_time_mono_us());
}

void ertc_pc_video_gave_up(ertc_pc_t *pc)
{
    if (!pc->depacketizer_ready) {
        return;
    }
    ertc_h264_depacketizer_flush(&pc->depacketizer, pc_on_frame, pc);
    if (!ertc_pc_is_final(pc->state) &&
        ertc_h264_depacketizer_take_keyframe_request(&pc->depacketizer)) {
        ertc_pc_request_keyframe_on_loss(pc);
    }
}

static void pc_on_video_rtp(ertc_pc_t *pc, const ertc_rtp_packet_t *pkt)
{
    pc_recv_stream_t *rx = &pc->video_rx;
    pc->stats.video_packets_received++;
    pc_count_received(rx, pkt);
    if (rx->nack) {
        ertc_nack_generator_on_packet(rx->nackgen, pkt->header.seq);
    }
    (void)ertc_h264_depacketizer_push_rtp(&pc->depacketizer, pkt, pc_on_frame, pc);
    if (ertc_pc_is_final(pc->state)) {
        return; /* the frame callback closed us */
    }
    if (ertc_h264_depacketizer_take_keyframe_request(&pc->depacketizer) ||
        (rx->nack && ertc_nack_generator_take_keyframe_request(rx->nackgen))) {
        ertc_pc_request_keyframe_on_loss(pc);
    }
    if (rx->nack) {
        ertc_pc_send_due_nacks(pc);
    }
}

static void pc_on_audio_rtp(ertc_pc_t *pc, const ertc_rtp_packet_t *pkt)
{
    pc->stats.audio_packets_received++;
    pc_count_received(&pc->audio_rx, pkt);
    ertc_opus_frame_t frame;
    if (ertc_opus_depacketizer_push_rtp(&pc->opus_depacketizer, pkt, &frame) !=
            WEBRTC_STATUS_SUCCESS ||
        !frame.play) {
        return;
    }
    pc->stats.audio_packets_lost += frame.lost_packets;
    pc->stats.audio_frames_received++;
    if (pc->cb.on_audio_frame != NULL) {
        pc->cb.on_audio_frame(pc, frame.data, frame.len, frame.timestamp, pc->arg);
    }
}

void ertc_pc_on_rtp(ertc_pc_t *pc, size_t len)
{
    pc->stats.bytes_received += len;
    if (ertc_srtp_unprotect_rtp(pc->srtp, pc->rx, &len) != WEBRTC_STATUS_SUCCESS) {
        pc->stats.srtp_drops++;
        return;
    }
    ertc_rtp_packet_t pkt;
    if (ertc_rtp_parse(pc->rx, len, &pkt) != WEBRTC_STATUS_SUCCESS) {
        pc->stats.unknown_dropped++;
        return;
    }
    pc->stats.rtp_packets_received++;
    uint8_t pt = pkt.header.payload_type;
    if (pc->video_rx.enabled && pc->depacketizer_ready && pt == pc->video_rx.pt) {
        pc_on_video_rtp(pc, &pkt);
    } else if (pc->audio_rx.enabled && pt == pc->audio_rx.pt) {
        pc_on_audio_rtp(pc, &pkt);
    } else {
        pc->stats.unknown_dropped++;
    }
}

/* ---- set-up ------------------------------------------------------------------------------- */

static void pc_init_send_stream(pc_send_stream_t *s, uint32_t clock_rate, uint32_t avoid_ssrc)
{
    do {
        s->ssrc = ertc_random_u32();
    } while (s->ssrc == 0 || s->ssrc == avoid_ssrc);
    s->clock_rate = clock_rate;
    s->seq = (uint16_t)ertc_random_u32(); /* RFC 3550 §5.1: random initial values */
    s->ts_offset = ertc_random_u32();
}

WEBRTC_STATUS ertc_pc_media_init(ertc_pc_t *pc)
{
    pc_init_send_stream(&pc->video_tx, ERTC_H264_CLOCK_RATE, 0);
    pc_init_send_stream(&pc->audio_tx, ERTC_OPUS_CLOCK_RATE, pc->video_tx.ssrc);
    pc->video_rx.clock_rate = ERTC_H264_CLOCK_RATE;
    pc->audio_rx.clock_rate = ERTC_OPUS_CLOCK_RATE;
    /* Our mids: video "0" first, audio next (or "0" when alone). */
    bool video = pc->config.send_video || pc->config.receive_video;
    strcpy(pc->video_tx.mid, "0");
    strcpy(pc->audio_tx.mid, video ? "1" : "0");

    ertc_h264_packetizer_config_t pcfg = {
        .mtu = ERTC_PC_VIDEO_MTU,
        .prepend_param_sets = true,
    };
    WEBRTC_STATUS st = ertc_h264_packetizer_init(&pc->packetizer, &pcfg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (pc->config.receive_video) {
        st = ertc_h264_depacketizer_init(&pc->depacketizer, NULL);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        pc->depacketizer_ready = true;
    }
    ertc_opus_depacketizer_init(&pc->opus_depacketizer);
    ertc_rtcp_keyframe_filter_init(&pc->keyframe_filter, pc->video_tx.ssrc);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_media_start(ertc_pc_t *pc)
{
    if (pc->video_tx.enabled && pc->video_tx.nack && !pc->video_tx.history_ready) {
        /* Older than ~2 RTTs of a bad path is too late to help the frame; a repeat inside
         * 8 ms is the receiver's NACK crossing our resend. */
        ertc_nack_history_config_t hcfg = {
            .max_packets = pc->config.video_history_packets,
            .max_bytes = pc->config.video_history_bytes,
            .max_age_ms = 1000,
            .min_resend_interval_ms = 8,
        };
        WEBRTC_STATUS st = ertc_nack_history_init(&pc->video_tx.history, &hcfg);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        pc->video_tx.history_ready = true;
    }
    if (pc->video_rx.enabled && pc->video_rx.nack && pc->video_rx.nackgen == NULL) {
        pc->video_rx.nackgen = ertc_calloc(1, sizeof(*pc->video_rx.nackgen));
        if (pc->video_rx.nackgen == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        WEBRTC_STATUS st = ertc_nack_generator_init(pc->video_rx.nackgen, NULL);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_media_free(ertc_pc_t *pc)
{
    if (pc->depacketizer_ready) {
        ertc_h264_depacketizer_free(&pc->depacketizer);
        pc->depacketizer_ready = false;
    }
    ertc_free(pc->video_rx.nackgen);
    pc->video_rx.nackgen = NULL;
    if (pc->video_tx.history_ready) {
        ertc_nack_history_free(&pc->video_tx.history);
        pc->video_tx.history_ready = false;
    }
}

void ertc_pc_get_media_info(const ertc_pc_t *pc, ertc_pc_media_info_t *out)
{
    if (out == NULL) {
        return;
    }
    memset(out, 0, sizeof(*out));
    if (pc == NULL || !pc->remote_description_set) {
        return;
    }
    out->send_video = pc->video_tx.enabled;
    out->receive_video = pc->video_rx.enabled;
    out->send_audio = pc->audio_tx.enabled;
    out->receive_audio = pc->audio_rx.enabled;
    out->video_pt = pc->video_tx.pt;
    out->audio_pt = pc->audio_tx.pt;
    out->video_nack = pc->video_tx.nack;
    out->dtls_client = pc->dtls_role == ERTC_DTLS_ROLE_CLIENT;
}
