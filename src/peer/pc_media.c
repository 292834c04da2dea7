/*
 * peer/pc_media — the peer connection's RTP: H.264 access units out through the packetizer,
 * RTP and SRTP; received RTP into the depacketizer and the frame callback.
 */
#include <string.h>

#include "peer/pc_internal.h"
#include "peer/rtp.h"
#include "util/log.h"

static void pc_on_frame(const ertc_h264_frame_t *frame, void *ctx)
{
    ertc_pc_t *pc = ctx;
    pc->stats.video_frames_received++;
    if (pc->cb.on_video_frame != NULL) {
        pc->cb.on_video_frame(pc, frame->data, frame->len, frame->timestamp, frame->keyframe,
                              pc->arg);
    }
}

void ertc_pc_on_rtp(ertc_pc_t *pc, size_t len)
{
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
    if (!pc->depacketizer_ready || pkt.header.payload_type != pc->video_pt) {
        pc->stats.unknown_dropped++;
        return;
    }
    if (pc->remote_ssrc == 0) {
        pc->remote_ssrc = pkt.header.ssrc; /* the remote declared none in its SDP */
    }
    (void)ertc_h264_depacketizer_push_rtp(&pc->depacketizer, &pkt, pc_on_frame, pc);
    if (ertc_h264_depacketizer_take_keyframe_request(&pc->depacketizer) && pc->srtp != NULL) {
        (void)ertc_pc_send_pli(pc);
    }
}

typedef struct {
    ertc_pc_t *pc;
    uint32_t timestamp;
} pc_emit_ctx_t;

/* One H.264 payload -> RTP -> SRTP -> ICE. */
static WEBRTC_STATUS pc_emit_video_payload(const uint8_t *payload, size_t len, bool marker,
                                           void *ctx)
{
    pc_emit_ctx_t *e = ctx;
    ertc_pc_t *pc = e->pc;
    ertc_rtp_header_t h;
    memset(&h, 0, sizeof(h));
    h.marker = marker;
    h.payload_type = pc->video_pt;
    h.seq = pc->video_seq++;
    h.timestamp = e->timestamp;
    h.ssrc = pc->local_ssrc;
    size_t written = 0;
    WEBRTC_STATUS st = ertc_rtp_build(&h, payload, len, 0, pc->tx, sizeof(pc->tx), &written);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_srtp_protect_rtp(pc->srtp, pc->tx, &written, sizeof(pc->tx));
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* A datagram lost to a full socket buffer is a lost packet, not a failed frame. */
        (void)ertc_ice_agent_send(pc->ice, pc->tx, written);
        pc->stats.rtp_packets_sent++;
    }
    return st;
}

WEBRTC_STATUS ertc_pc_send_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len,
                                       uint64_t timestamp_us)
{
    if (pc == NULL || annexb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ertc_pc_is_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (!pc->config.send_video) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (pc->state != ERTC_PC_STATE_CONNECTED || pc->srtp == NULL) {
        pc->stats.video_frames_dropped++;
        return WEBRTC_STATUS_RETRY_LATER;
    }
    pc_emit_ctx_t e = {
        .pc = pc,
        .timestamp = (uint32_t)(timestamp_us * ERTC_H264_CLOCK_RATE / PC_US_PER_SECOND),
    };
    uint8_t payload[ERTC_PC_VIDEO_MTU];
    WEBRTC_STATUS st = ertc_h264_packetize(&pc->packetizer, annexb, len, payload, sizeof(payload),
                                           pc_emit_video_payload, &e);
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.video_frames_sent++;
    }
    return st;
}

WEBRTC_STATUS ertc_pc_send_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len,
                                       uint64_t timestamp_us)
{
    (void)opus;
    (void)len;
    (void)timestamp_us;
    if (pc == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    return WEBRTC_STATUS_NOT_IMPLEMENTED; /* audio m-line still to come */
}

WEBRTC_STATUS ertc_pc_media_init(ertc_pc_t *pc)
{
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
    ertc_rtcp_keyframe_filter_init(&pc->keyframe_filter, pc->local_ssrc);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_media_free(ertc_pc_t *pc)
{
    if (pc->depacketizer_ready) {
        ertc_h264_depacketizer_free(&pc->depacketizer);
        pc->depacketizer_ready = false;
    }
}
