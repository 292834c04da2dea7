/*
 * peer/pc_rtcp — the peer connection's RTCP: key-frame requests (PLI out, PLI/FIR in through
 * the key-frame filter).
 */
#include "peer/pc_internal.h"

WEBRTC_STATUS ertc_pc_send_rtcp(ertc_pc_t *pc, uint8_t *buf, size_t len, size_t cap)
{
    WEBRTC_STATUS st = ertc_srtp_protect_rtcp(pc->srtp, buf, &len, cap);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ice_agent_send(pc->ice, buf, len);
    }
    return st;
}

WEBRTC_STATUS ertc_pc_send_pli(ertc_pc_t *pc)
{
    uint8_t buf[PC_RTCP_BUF];
    size_t len = 0;
    WEBRTC_STATUS st = ertc_rtcp_build_pli(pc->local_ssrc, pc->remote_ssrc, buf, sizeof(buf), &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_send_rtcp(pc, buf, len, sizeof(buf));
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.keyframe_requests_sent++;
    }
    return st;
}

void ertc_pc_on_rtcp(ertc_pc_t *pc, size_t len)
{
    if (ertc_srtp_unprotect_rtcp(pc->srtp, pc->rx, &len) != WEBRTC_STATUS_SUCCESS) {
        pc->stats.srtp_drops++;
        return;
    }
    pc->stats.rtcp_packets_received++;
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, pc->rx, len);
    while (ertc_rtcp_iter_next(&it, &pkt) == WEBRTC_STATUS_SUCCESS) {
        if (pc->config.send_video && ertc_rtcp_keyframe_filter_check(&pc->keyframe_filter, &pkt)) {
            pc->stats.keyframe_requests_received++;
            if (pc->cb.on_keyframe_request != NULL) {
                pc->cb.on_keyframe_request(pc, pc->arg);
            }
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
