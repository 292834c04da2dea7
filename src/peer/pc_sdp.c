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

static ertc_sdp_direction_t pc_direction(bool send, bool receive)
{
    return (ertc_sdp_direction_t)((send ? ERTC_SDP_DIRECTION_SENDONLY : 0) |
                                  (receive ? ERTC_SDP_DIRECTION_RECVONLY : 0));
}

static void pc_fill_media(ertc_sdp_local_t *local, ertc_sdp_kind_t kind, ertc_sdp_direction_t dir,
                          app_webrtc_rtc_codec_t codec, const pc_send_stream_t *tx,
                          const char *track)
{
    ertc_sdp_local_media_t *m = &local->media[local->media_count++];
    m->kind = kind;
    m->direction = dir;
    snprintf(m->mid, sizeof(m->mid), "%s", tx->mid);
    m->codecs[m->codec_count++] = codec;
    m->ssrc = tx->ssrc;
    snprintf(m->msid_stream, sizeof(m->msid_stream), "%s", PC_MSID_STREAM);
    snprintf(m->msid_track, sizeof(m->msid_track), "%s", track);
}

/* Our identity and our m-lines (video "0" first, then audio), as sdp_build wants them. */
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
    ertc_sdp_direction_t video = pc_direction(pc->config.send_video, pc->config.receive_video);
    ertc_sdp_direction_t audio = pc_direction(pc->config.send_audio, pc->config.receive_audio);
    if (video != ERTC_SDP_DIRECTION_INACTIVE) {
        pc_fill_media(local, ERTC_SDP_KIND_VIDEO, video, APP_WEBRTC_CODEC_H264, &pc->video_tx,
                      PC_MSID_VIDEO);
    }
    if (audio != ERTC_SDP_DIRECTION_INACTIVE) {
        pc_fill_media(local, ERTC_SDP_KIND_AUDIO, audio, APP_WEBRTC_CODEC_OPUS, &pc->audio_tx,
                      PC_MSID_AUDIO);
    }
}

/* Refuses the remote description for good: FAILED with a detail naming why. */
static void pc_refuse(ertc_pc_t *pc, const char *detail)
{
    ERTC_LOGE(PC_TAG, "%s: remote description refused: %s", pc->name, detail);
    ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, detail);
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
    /* Later candidates go out as they come (pc_on_ice_candidate): 8 KiB given back. */
    ertc_free(pc->early_cands);
    pc->early_cands = NULL;
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

/* One accepted m-line of the plan into our send and receive streams. */
static void pc_take_plan_media(const ertc_sdp_plan_media_t *m, pc_send_stream_t *tx,
                               pc_recv_stream_t *rx)
{
    tx->enabled = (m->direction & ERTC_SDP_DIRECTION_SENDONLY) != 0;
    tx->pt = m->payload_type;
    tx->nack = (m->rtcp_fb & ERTC_SDP_FB_NACK) != 0;
    snprintf(tx->mid, sizeof(tx->mid), "%s", m->mid);
    rx->enabled = (m->direction & ERTC_SDP_DIRECTION_RECVONLY) != 0;
    rx->pt = m->payload_type;
    rx->ssrc = m->remote_ssrc;
    rx->nack = (m->rtcp_fb & ERTC_SDP_FB_NACK) != 0;
}

static WEBRTC_STATUS pc_answer_offer(ertc_pc_t *pc, const ertc_sdp_t *offer)
{
    ertc_sdp_local_t local;
    pc_fill_local(pc, &local);
    ertc_sdp_local_caps_t caps;
    ertc_sdp_local_caps(&local, &caps);
    /* A kind this session does not use is answered inactive rather than rejected (port 0):
     * that is what a browser answers for a transceiver without a track, and aiortc 1.4 never
     * connects when a BUNDLE answer rejects an m-line (it waits for ICE on that m-line's own,
     * unbundled transport). */
    bool use_video = pc->config.send_video || pc->config.receive_video;
    bool use_audio = pc->config.send_audio || pc->config.receive_audio;
    if (caps.video.codec_count == 0) {
        caps.video.direction = ERTC_SDP_DIRECTION_INACTIVE;
        caps.video.codecs[caps.video.codec_count++] = APP_WEBRTC_CODEC_H264;
    }
    if (caps.audio.codec_count == 0) {
        caps.audio.direction = ERTC_SDP_DIRECTION_INACTIVE;
        caps.audio.codecs[caps.audio.codec_count++] = APP_WEBRTC_CODEC_OPUS;
    }
    ertc_sdp_answer_plan_t *plan = ertc_calloc(1, sizeof(*plan));
    char *text = ertc_malloc(ERTC_SDP_BUILD_BUFFER_SIZE);
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE] = "";
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (plan == NULL || text == NULL) {
        goto out;
    }
    st = ertc_sdp_negotiate(offer, &caps, plan, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        pc_refuse(pc, err); /* names what was offered */
        goto out;
    }
    bool have_video = false;
    bool have_audio = false;
    for (uint8_t i = 0; i < plan->media_count; i++) {
        const ertc_sdp_plan_media_t *m = &plan->media[i];
        if (!m->accepted) {
            continue;
        }
        if (m->kind == ERTC_SDP_KIND_VIDEO && m->codec == APP_WEBRTC_CODEC_H264 && !have_video) {
            pc_take_plan_media(m, &pc->video_tx, &pc->video_rx);
            have_video = true;
        } else if (m->kind == ERTC_SDP_KIND_AUDIO && m->codec == APP_WEBRTC_CODEC_OPUS &&
                   !have_audio) {
            pc_take_plan_media(m, &pc->audio_tx, &pc->audio_rx);
            pc->audio_tx.nack = pc->audio_rx.nack = false; /* audio is not repaired by NACK */
            have_audio = true;
        }
    }
    if (!(have_video && use_video) && !(have_audio && use_audio)) {
        pc_refuse(pc, "the offer has no H264 video or Opus audio edgertc can use");
        st = WEBRTC_STATUS_NOT_FOUND;
        goto out;
    }
    st = ertc_pc_apply_transport(pc, plan->remote_ice_ufrag, plan->remote_ice_pwd,
                                 plan->remote_fingerprint_hash, plan->remote_fingerprint,
                                 plan->setup == ERTC_SDP_SETUP_ACTIVE ? ERTC_DTLS_ROLE_CLIENT
                                                                      : ERTC_DTLS_ROLE_SERVER);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_media_start(pc);
    }
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

/* The codec of our kind in an answered m-line: its first payload type of that name. */
static const ertc_sdp_codec_t *pc_answer_codec(const ertc_sdp_media_t *m, const char *name,
                                               uint32_t clock_rate)
{
    for (uint8_t i = 0; i < m->codec_count; i++) {
        if (strcasecmp(m->codecs[i].name, name) == 0 && m->codecs[i].clock_rate == clock_rate) {
            return &m->codecs[i];
        }
    }
    return NULL;
}

/*
 * One of our m-lines in the remote answer. The answer's direction is the remote's view
 * (RFC 3264 §6.1): it receives what we send, so we send when we wanted to and the answer
 * says recvonly or sendrecv, and receive when it says sendonly or sendrecv. False with a
 * reason in err when the answer breaks the rules (a codec we did not offer).
 */
static bool pc_apply_answer_media(ertc_pc_t *pc, const ertc_sdp_t *answer, pc_send_stream_t *tx,
                                  pc_recv_stream_t *rx, bool want_send, bool want_receive,
                                  const char *codec, uint32_t clock_rate, char *err, size_t errlen)
{
    const ertc_sdp_media_t *m = ertc_sdp_find_media(answer, tx->mid);
    if (m == NULL || m->port == 0 || !m->rtp) {
        ERTC_LOGI(PC_TAG, "%s: the answer rejected mid %s (%s)", pc->name, tx->mid, codec);
        return true; /* rejected: nothing flows on it */
    }
    const ertc_sdp_codec_t *c = pc_answer_codec(m, codec, clock_rate);
    if (c == NULL) {
        snprintf(err, errlen, "the answer's mid %s has no %s/%u payload type", tx->mid, codec,
                 (unsigned)clock_rate);
        return false;
    }
    bool video = clock_rate == ERTC_H264_CLOCK_RATE;
    tx->enabled = want_send && (m->direction & ERTC_SDP_DIRECTION_RECVONLY) != 0;
    tx->pt = c->pt;
    tx->nack = video && (c->rtcp_fb & ERTC_SDP_FB_NACK) != 0;
    rx->enabled = want_receive && (m->direction & ERTC_SDP_DIRECTION_SENDONLY) != 0;
    rx->pt = c->pt;
    rx->ssrc = m->ssrc_count > 0 ? m->ssrcs[0].ssrc : 0;
    rx->nack = tx->nack;
    return true;
}

/* The m-line whose transport carries the bundle: the answer's first BUNDLE mid (RFC 8843
 * §7.3.1 puts the transport's mid first), else the first accepted m-line. */
static const ertc_sdp_media_t *pc_answer_transport(const ertc_sdp_t *answer)
{
    if (answer->has_bundle && answer->bundle_count > 0) {
        const ertc_sdp_media_t *m = ertc_sdp_find_media(answer, answer->bundle_mids[0]);
        if (m != NULL && m->port != 0) {
            return m;
        }
    }
    for (uint8_t i = 0; i < answer->media_count; i++) {
        if (answer->media[i].port != 0) {
            return &answer->media[i];
        }
    }
    return NULL;
}

static WEBRTC_STATUS pc_apply_answer(ertc_pc_t *pc, const ertc_sdp_t *answer)
{
    char err[ERTC_PC_DETAIL_SIZE] = "";
    const ertc_pc_config_t *c = &pc->config;
    if ((c->send_video || c->receive_video) &&
        !pc_apply_answer_media(pc, answer, &pc->video_tx, &pc->video_rx, c->send_video,
                               c->receive_video, "H264", ERTC_H264_CLOCK_RATE, err, sizeof(err))) {
        pc_refuse(pc, err);
        return WEBRTC_STATUS_MALFORMED;
    }
    if ((c->send_audio || c->receive_audio) &&
        !pc_apply_answer_media(pc, answer, &pc->audio_tx, &pc->audio_rx, c->send_audio,
                               c->receive_audio, "opus", ERTC_OPUS_CLOCK_RATE, err, sizeof(err))) {
        pc_refuse(pc, err);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!pc->video_tx.enabled && !pc->video_rx.enabled && !pc->audio_tx.enabled &&
        !pc->audio_rx.enabled) {
        pc_refuse(pc, "the answer accepted no media edgertc offered");
        return WEBRTC_STATUS_NOT_FOUND;
    }
    const ertc_sdp_media_t *m = pc_answer_transport(answer);
    if (m == NULL) {
        pc_refuse(pc, "the answer has no transport");
        return WEBRTC_STATUS_MALFORMED;
    }
    ertc_dtls_role_t role;
    switch (m->transport.setup) {
    case ERTC_SDP_SETUP_ACTIVE: role = ERTC_DTLS_ROLE_SERVER; break;
    case ERTC_SDP_SETUP_PASSIVE: role = ERTC_DTLS_ROLE_CLIENT; break;
    default:
        snprintf(err, sizeof(err), "the answer's a=setup:%s is not active or passive (RFC 8842)",
                 ertc_sdp_setup_name(m->transport.setup));
        pc_refuse(pc, err);
        return WEBRTC_STATUS_MALFORMED;
    }
    WEBRTC_STATUS st =
        ertc_pc_apply_transport(pc, m->transport.ice_ufrag, m->transport.ice_pwd,
                                m->transport.fingerprint_hash, m->transport.fingerprint, role);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_media_start(pc);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        pc_refuse(pc, "the answer's transport could not be set up");
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
    uint64_t received_us = ertc_time_mono_us();
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
        if (st == WEBRTC_STATUS_SUCCESS) {
            pc->stats.remote_description_us = received_us;
        }
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
