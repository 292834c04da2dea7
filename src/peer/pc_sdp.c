/*
 * peer/pc_sdp — the peer connection's signaling: our offer (sdp_build), the answer to a
 * remote offer (sdp_negotiate, then sdp_build), applying the remote answer to our offer, and
 * the candidates of the remote description and trickled ones.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "peer/pc_internal.h"
#include "peer/sdp_build.h"
#include "peer/sdp_negotiate.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

static ertc_sdp_direction_t pc_video_direction(const ertc_pc_t *pc)
{
    return (ertc_sdp_direction_t)((pc->config.send_video ? ERTC_SDP_DIRECTION_SENDONLY : 0) |
                                  (pc->config.receive_video ? ERTC_SDP_DIRECTION_RECVONLY : 0));
}

/* Our identity and our one video m-line, as sdp_build wants them. */
static void pc_fill_local(const ertc_pc_t *pc, ertc_sdp_local_t *local)
{
    memset(local, 0, sizeof(*local));
    local->session_id = ertc_random_u64() >> 1; /* below 2^63 (RFC 8866 §5.2) */
    local->session_version = 1;
    snprintf(local->ice_ufrag, sizeof(local->ice_ufrag), "%s", ertc_ice_agent_local_ufrag(pc->ice));
    snprintf(local->ice_pwd, sizeof(local->ice_pwd), "%s", ertc_ice_agent_local_pwd(pc->ice));
    /* ertc_cert_fingerprint gives "sha-256 AB:..."; the builder writes the hash name. */
    const char *fp = ertc_cert_fingerprint(pc->cert);
    const char *space = strchr(fp, ' ');
    snprintf(local->fingerprint, sizeof(local->fingerprint), "%s", space != NULL ? space + 1 : fp);
    local->setup = ERTC_SDP_SETUP_ACTPASS;
    snprintf(local->cname, sizeof(local->cname), "%s", pc->cname);
    ertc_sdp_local_media_t *v = &local->media[local->media_count++];
    v->kind = ERTC_SDP_KIND_VIDEO;
    v->direction = pc_video_direction(pc);
    snprintf(v->mid, sizeof(v->mid), "%s", PC_VIDEO_MID);
    v->codecs[v->codec_count++] = APP_WEBRTC_CODEC_H264;
    v->ssrc = pc->local_ssrc;
    snprintf(v->msid_stream, sizeof(v->msid_stream), "%s", PC_MSID_STREAM);
    snprintf(v->msid_track, sizeof(v->msid_track), "%s", PC_MSID_TRACK);
}

/* Reports our description, then the candidates gathered while it was being made. */
static void pc_emit_description(ertc_pc_t *pc, ertc_pc_sdp_type_t type, const char *sdp, size_t len)
{
    pc->local_description_sent = true;
    ertc_pc_set_state(pc, ERTC_PC_STATE_CONNECTING, NULL);
    if (pc->cb.on_local_description != NULL) {
        ertc_pc_description_t desc = {.type = type, .sdp = sdp, .len = len};
        pc->cb.on_local_description(pc, &desc, pc->arg);
    }
    for (size_t i = 0; i < pc->early_cand_count; i++) {
        ertc_pc_emit_candidate(pc, pc->early_cands[i]);
    }
    pc->early_cand_count = 0;
    if (pc->early_end_of_candidates) {
        pc->early_end_of_candidates = false;
        ertc_pc_emit_candidate(pc, NULL);
    }
}

WEBRTC_STATUS ertc_pc_create_offer(ertc_pc_t *pc)
{
    if (pc == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (pc->config.role != ERTC_PC_ROLE_OFFERER || pc->state != ERTC_PC_STATE_NEW) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_sdp_local_t local;
    pc_fill_local(pc, &local);
    char *text = ertc_malloc(ERTC_SDP_BUILD_BUFFER_SIZE);
    if (text == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    size_t len = 0;
    WEBRTC_STATUS st = ertc_sdp_build_offer(&local, text, ERTC_SDP_BUILD_BUFFER_SIZE, &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->video_pt = ERTC_SDP_PT_H264; /* until the answer says otherwise */
        pc_emit_description(pc, ERTC_PC_SDP_OFFER, text, len);
    } else {
        ERTC_LOGE(PC_TAG, "%s: building the offer failed: %s", pc->name, webrtc_status_name(st));
    }
    ertc_free(text);
    return st;
}

/* Candidates written in the remote description go to the agent like trickled ones. */
static void pc_add_sdp_candidates(ertc_pc_t *pc, const ertc_sdp_media_t *m)
{
    char line[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    for (uint8_t i = 0; i < m->candidate_count; i++) {
        if (ertc_sdp_format_candidate(&m->candidates[i], line, sizeof(line), NULL) ==
            WEBRTC_STATUS_SUCCESS) {
            (void)ertc_ice_agent_add_remote_candidate(pc->ice, line);
        }
    }
    if (m->end_of_candidates) {
        (void)ertc_ice_agent_add_remote_candidate(pc->ice, NULL);
    }
}

static WEBRTC_STATUS pc_answer_offer(ertc_pc_t *pc, const ertc_sdp_t *offer)
{
    ertc_sdp_local_t local;
    pc_fill_local(pc, &local);
    ertc_sdp_local_caps_t caps;
    ertc_sdp_local_caps(&local, &caps);
    ertc_sdp_answer_plan_t *plan = ertc_calloc(1, sizeof(*plan));
    char *text = ertc_malloc(ERTC_SDP_BUILD_BUFFER_SIZE);
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE] = "";
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (plan == NULL || text == NULL) {
        goto out;
    }
    st = ertc_sdp_negotiate(offer, &caps, plan, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: negotiation failed: %s", pc->name, err);
        goto out;
    }
    const ertc_sdp_plan_media_t *video = NULL;
    for (uint8_t i = 0; i < plan->media_count; i++) {
        if (plan->media[i].accepted && plan->media[i].kind == ERTC_SDP_KIND_VIDEO &&
            plan->media[i].codec == APP_WEBRTC_CODEC_H264) {
            video = &plan->media[i];
        }
    }
    if (video == NULL) {
        ERTC_LOGE(PC_TAG, "%s: the offer has no H.264 video this slice can use", pc->name);
        st = WEBRTC_STATUS_NOT_FOUND;
        goto out;
    }
    pc->video_pt = video->payload_type;
    pc->remote_ssrc = video->remote_ssrc;
    st = ertc_pc_apply_transport(pc, plan->remote_ice_ufrag, plan->remote_ice_pwd,
                                 plan->remote_fingerprint_hash, plan->remote_fingerprint,
                                 plan->setup == ERTC_SDP_SETUP_ACTIVE ? ERTC_DTLS_ROLE_CLIENT
                                                                      : ERTC_DTLS_ROLE_SERVER);
    if (st != WEBRTC_STATUS_SUCCESS) {
        goto out;
    }
    size_t len = 0;
    st = ertc_sdp_build_answer(&local, plan, text, ERTC_SDP_BUILD_BUFFER_SIZE, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: building the answer failed: %s", pc->name, webrtc_status_name(st));
        goto out;
    }
    pc->remote_description_set = true;
    pc_add_sdp_candidates(pc, &offer->media[plan->transport_index]);
    pc_emit_description(pc, ERTC_PC_SDP_ANSWER, text, len);
    ertc_pc_start_dtls_if_ready(pc);
out:
    ertc_free(text);
    ertc_free(plan);
    return st;
}

static WEBRTC_STATUS pc_apply_answer(ertc_pc_t *pc, const ertc_sdp_t *answer)
{
    const ertc_sdp_media_t *m = ertc_sdp_find_media(answer, PC_VIDEO_MID);
    if (m == NULL || m->kind != ERTC_SDP_KIND_VIDEO || m->port == 0) {
        ERTC_LOGE(PC_TAG, "%s: the answer rejected or lacks our video m-line", pc->name);
        return WEBRTC_STATUS_NOT_FOUND;
    }
    const ertc_sdp_codec_t *h264 = NULL;
    for (uint8_t i = 0; i < m->codec_count && h264 == NULL; i++) {
        if (strcasecmp(m->codecs[i].name, "H264") == 0) {
            h264 = &m->codecs[i];
        }
    }
    if (h264 == NULL) {
        ERTC_LOGE(PC_TAG, "%s: the answer has no H264 payload type", pc->name);
        return WEBRTC_STATUS_NOT_FOUND;
    }
    ertc_dtls_role_t role;
    switch (m->transport.setup) {
    case ERTC_SDP_SETUP_ACTIVE: role = ERTC_DTLS_ROLE_SERVER; break;
    case ERTC_SDP_SETUP_PASSIVE: role = ERTC_DTLS_ROLE_CLIENT; break;
    default:
        ERTC_LOGE(PC_TAG, "%s: the answer's a=setup:%s is not active or passive (RFC 8842)",
                  pc->name, ertc_sdp_setup_name(m->transport.setup));
        return WEBRTC_STATUS_MALFORMED;
    }
    pc->video_pt = h264->pt;
    pc->remote_ssrc = m->ssrc_count > 0 ? m->ssrcs[0].ssrc : 0;
    WEBRTC_STATUS st =
        ertc_pc_apply_transport(pc, m->transport.ice_ufrag, m->transport.ice_pwd,
                                m->transport.fingerprint_hash, m->transport.fingerprint, role);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    pc->remote_description_set = true;
    pc_add_sdp_candidates(pc, m);
    ertc_pc_start_dtls_if_ready(pc);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_set_remote_description(ertc_pc_t *pc, ertc_pc_sdp_type_t type,
                                             const char *sdp, size_t len)
{
    if (pc == NULL || sdp == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (pc->remote_description_set || ertc_pc_is_final(pc->state)) {
        return WEBRTC_STATUS_INVALID_OPERATION; /* renegotiation is not in this slice */
    }
    bool offerer = pc->config.role == ERTC_PC_ROLE_OFFERER;
    if ((type == ERTC_PC_SDP_ANSWER) != offerer || (offerer && !pc->local_description_sent)) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_sdp_t *parsed = ertc_calloc(1, sizeof(*parsed)); /* large: never on the stack */
    if (parsed == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = ertc_sdp_parse(sdp, len, parsed);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: remote %s does not parse: %s", pc->name,
                  offerer ? "answer" : "offer", parsed->error);
    } else {
        st = offerer ? pc_apply_answer(pc, parsed) : pc_answer_offer(pc, parsed);
    }
    ertc_free(parsed);
    return st;
}

WEBRTC_STATUS ertc_pc_add_remote_candidate(ertc_pc_t *pc, const char *line)
{
    if (pc == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ertc_pc_is_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    return ertc_ice_agent_add_remote_candidate(pc->ice, line);
}
