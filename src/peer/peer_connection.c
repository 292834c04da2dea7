/*
 * peer/peer_connection — the first vertical slice of edgertc's peer connection: it wires
 * the tested peer/ modules together (see peer_connection.h for what is covered).
 *
 * Data path of one datagram from the ICE agent (RFC 7983 demultiplexing by first byte):
 *   DTLS (20-63)      -> ertc_dtls_handle_packet
 *   RTP/RTCP (128-191)-> SRTP/SRTCP unprotect -> H.264 depacketizer / PLI+FIR handling
 * and out: DTLS records and SRTP packets -> ertc_ice_agent_send on the selected pair.
 */
#include "peer/peer_connection.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "peer/demux.h"
#include "peer/dtls.h"
#include "peer/h264_depacketizer.h"
#include "peer/h264_packetizer.h"
#include "peer/rtcp.h"
#include "peer/rtp.h"
#include "peer/sdp.h"
#include "peer/sdp_build.h"
#include "peer/sdp_negotiate.h"
#include "peer/srtp.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "pc"

#define PC_VIDEO_MID     "0"
#define PC_CNAME_LEN     16
#define PC_MSID_STREAM   "edgertc"
#define PC_MSID_TRACK    "video0"
#define PC_RTCP_BUF      (64 + ERTC_SRTP_RTCP_MAX_TRAILER_LEN)
#define PC_RTP_BUF       (ERTC_PC_VIDEO_MTU + ERTC_SRTP_MAX_TRAILER_LEN)
#define PC_US_PER_SECOND 1000000u

typedef struct {
    uint16_t len;
    uint8_t data[ERTC_PC_MAX_DATAGRAM];
} pc_datagram_t;

struct ertc_pc {
    char name[ERTC_PC_MAX_NAME_LEN + 1];
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_pc_config_t config;
    ertc_pc_callbacks_t cb;
    void *arg;
    ertc_pc_state_t state;

    ertc_ice_agent_t *ice;
    ertc_dtls_t *dtls;
    ertc_srtp_t *srtp;

    /* Signaling progress. */
    bool local_description_sent;
    bool remote_description_set;
    bool ice_connected;
    /* Candidates gathered before our description went out, and whether gathering ended. */
    char (*early_cands)[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    size_t early_cand_count;
    bool early_end_of_candidates;

    /* Negotiated. */
    ertc_dtls_role_t dtls_role;
    uint8_t video_pt;
    uint32_t local_ssrc;
    uint32_t remote_ssrc; /* 0 until the SDP or the first packet tells it */
    char cname[PC_CNAME_LEN + 1];

    /* DTLS datagrams sent before ICE selected a pair (the client's hello may beat it). */
    pc_datagram_t *dtls_queue;
    size_t dtls_queued;

    /* Media. */
    ertc_h264_packetizer_t packetizer;
    ertc_h264_depacketizer_t depacketizer;
    bool depacketizer_ready;
    uint16_t video_seq;
    ertc_rtcp_keyframe_filter_t keyframe_filter;
    uint8_t rx[ERTC_PC_MAX_DATAGRAM];
    uint8_t tx[PC_RTP_BUF];

    ertc_pc_stats_t stats;
};

/* ---- state machine --------------------------------------------------------------------- */

const char *ertc_pc_state_name(ertc_pc_state_t state)
{
    switch (state) {
    case ERTC_PC_STATE_NEW: return "new";
    case ERTC_PC_STATE_CONNECTING: return "connecting";
    case ERTC_PC_STATE_CONNECTED: return "connected";
    case ERTC_PC_STATE_FAILED: return "failed";
    case ERTC_PC_STATE_CLOSED: return "closed";
    }
    return "unknown";
}

static bool pc_state_final(ertc_pc_state_t s)
{
    return s == ERTC_PC_STATE_FAILED || s == ERTC_PC_STATE_CLOSED;
}

/* The only place the state changes: refuses transitions out of a final state and back. */
static void pc_set_state(ertc_pc_t *pc, ertc_pc_state_t next, const char *detail)
{
    if (pc->state == next || pc_state_final(pc->state)) {
        return;
    }
    if (next == ERTC_PC_STATE_CONNECTING && pc->state != ERTC_PC_STATE_NEW) {
        return;
    }
    ERTC_LOGD(TAG, "%s: %s -> %s%s%s", pc->name, ertc_pc_state_name(pc->state),
              ertc_pc_state_name(next), detail != NULL ? ": " : "", detail != NULL ? detail : "");
    if (next == ERTC_PC_STATE_FAILED) {
        ERTC_LOGW(TAG, "%s: failed: %s", pc->name, detail != NULL ? detail : "?");
    }
    pc->state = next;
    if (pc->cb.on_state != NULL) {
        pc->cb.on_state(pc, next, detail, pc->arg);
    }
}

/* ---- transport: ICE <-> DTLS ----------------------------------------------------------- */

static void pc_flush_dtls_queue(ertc_pc_t *pc)
{
    for (size_t i = 0; i < pc->dtls_queued; i++) {
        (void)ertc_ice_agent_send(pc->ice, pc->dtls_queue[i].data, pc->dtls_queue[i].len);
    }
    pc->dtls_queued = 0;
}

/* DTLS output. ertc_ice_agent_send only writes to a socket, so it never re-enters DTLS. */
static WEBRTC_STATUS pc_dtls_send(void *arg, const uint8_t *data, size_t len)
{
    ertc_pc_t *pc = arg;
    if (ertc_ice_agent_send(pc->ice, data, len) == WEBRTC_STATUS_SUCCESS || pc->ice_connected) {
        return WEBRTC_STATUS_SUCCESS; /* sent, or lost like any UDP datagram */
    }
    /* No selected pair yet: hold the flight for when ICE connects, else DTLS would wait a
     * whole retransmission timeout (1 s) for it. Past the queue, DTLS retransmits. */
    if (len <= ERTC_PC_MAX_DATAGRAM && pc->dtls_queued < ERTC_PC_DTLS_QUEUE) {
        memcpy(pc->dtls_queue[pc->dtls_queued].data, data, len);
        pc->dtls_queue[pc->dtls_queued].len = (uint16_t)len;
        pc->dtls_queued++;
        pc->stats.dtls_queued++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void pc_srtp_start(ertc_pc_t *pc)
{
    ertc_dtls_srtp_keys_t dk;
    if (ertc_dtls_srtp_keys(pc->dtls, &dk) != WEBRTC_STATUS_SUCCESS) {
        pc_set_state(pc, ERTC_PC_STATE_FAILED, "DTLS negotiated no SRTP profile");
        return;
    }
    ertc_srtp_keys_t keys;
    memcpy(keys.local_key, dk.local_key, sizeof(keys.local_key));
    memcpy(keys.local_salt, dk.local_salt, sizeof(keys.local_salt));
    memcpy(keys.remote_key, dk.remote_key, sizeof(keys.remote_key));
    memcpy(keys.remote_salt, dk.remote_salt, sizeof(keys.remote_salt));
    WEBRTC_STATUS st = ertc_srtp_create(&pc->srtp, &keys, (ertc_srtp_profile_t)dk.profile);
    memset(&keys, 0, sizeof(keys));
    memset(&dk, 0, sizeof(dk));
    if (st != WEBRTC_STATUS_SUCCESS) {
        pc_set_state(pc, ERTC_PC_STATE_FAILED, "SRTP session could not be created");
        return;
    }
    pc_set_state(pc, ERTC_PC_STATE_CONNECTED, NULL);
}

static void pc_dtls_event(void *arg, const ertc_dtls_event_t *event)
{
    ertc_pc_t *pc = arg;
    switch (event->type) {
    case ERTC_DTLS_EVENT_CONNECTED: pc_srtp_start(pc); break;
    case ERTC_DTLS_EVENT_FAILED: pc_set_state(pc, ERTC_PC_STATE_FAILED, event->detail); break;
    case ERTC_DTLS_EVENT_CLOSED:
        pc_set_state(pc, ERTC_PC_STATE_CLOSED, "remote close_notify");
        break;
    case ERTC_DTLS_EVENT_DATA: break; /* SCTP: not in this slice */
    }
}

static void pc_start_dtls_if_ready(ertc_pc_t *pc)
{
    if (pc->dtls != NULL && pc->ice_connected && pc->dtls_role == ERTC_DTLS_ROLE_CLIENT &&
        ertc_dtls_state(pc->dtls) == ERTC_DTLS_STATE_NEW) {
        WEBRTC_STATUS st = ertc_dtls_start(pc->dtls);
        if (st != WEBRTC_STATUS_SUCCESS) {
            pc_set_state(pc, ERTC_PC_STATE_FAILED, "DTLS handshake could not start");
        }
    }
}

static void pc_emit_candidate(ertc_pc_t *pc, const char *line)
{
    if (pc->cb.on_local_candidate != NULL) {
        pc->cb.on_local_candidate(pc, line, pc->arg);
    }
}

static void pc_on_ice_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *candidate,
                                const char *line, void *arg)
{
    (void)agent;
    (void)candidate;
    ertc_pc_t *pc = arg;
    if (pc->local_description_sent) {
        pc_emit_candidate(pc, line);
        return;
    }
    /* Trickled candidates must follow the description they belong to (RFC 8838 §4). */
    if (line == NULL) {
        pc->early_end_of_candidates = true;
    } else if (pc->early_cand_count < ERTC_PC_MAX_EARLY_CANDS) {
        snprintf(pc->early_cands[pc->early_cand_count++], ERTC_SDP_CANDIDATE_TEXT_SIZE, "%s", line);
    }
}

static void pc_on_ice_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    ertc_pc_t *pc = arg;
    ERTC_LOGD(TAG, "%s: ICE %s", pc->name, ertc_ice_state_name(state));
    switch (state) {
    case ERTC_ICE_STATE_CONNECTED:
    case ERTC_ICE_STATE_COMPLETED:
        if (!pc->ice_connected) {
            pc->ice_connected = true;
            pc_flush_dtls_queue(pc);
            pc_start_dtls_if_ready(pc);
        }
        break;
    case ERTC_ICE_STATE_FAILED:
        pc_set_state(pc, ERTC_PC_STATE_FAILED, "ICE failed (no candidate pair works)");
        break;
    default: break;
    }
}

static void pc_on_rtp(ertc_pc_t *pc, size_t len);
static void pc_on_rtcp(ertc_pc_t *pc, size_t len);

static void pc_on_ice_data(ertc_ice_agent_t *agent, const uint8_t *data, size_t len, void *arg)
{
    (void)agent;
    ertc_pc_t *pc = arg;
    if (len == 0 || pc_state_final(pc->state)) {
        return;
    }
    switch (ertc_demux_classify(data[0])) {
    case ERTC_DEMUX_DTLS:
        if (pc->dtls != NULL) {
            (void)ertc_dtls_handle_packet(pc->dtls, data, len);
        } else {
            pc->stats.unknown_dropped++;
        }
        return;
    case ERTC_DEMUX_RTP:
        if (pc->srtp == NULL || len > sizeof(pc->rx)) {
            pc->stats.unknown_dropped++;
            return;
        }
        memcpy(pc->rx, data, len); /* unprotect works in place */
        if (ertc_rtcp_is_rtcp(pc->rx, len)) {
            pc_on_rtcp(pc, len);
        } else {
            pc_on_rtp(pc, len);
        }
        return;
    default: pc->stats.unknown_dropped++; return;
    }
}

/* ---- media ----------------------------------------------------------------------------- */

static WEBRTC_STATUS pc_send_rtcp(ertc_pc_t *pc, uint8_t *buf, size_t len, size_t cap)
{
    WEBRTC_STATUS st = ertc_srtp_protect_rtcp(pc->srtp, buf, &len, cap);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ice_agent_send(pc->ice, buf, len);
    }
    return st;
}

static WEBRTC_STATUS pc_send_pli(ertc_pc_t *pc)
{
    uint8_t buf[PC_RTCP_BUF];
    size_t len = 0;
    WEBRTC_STATUS st = ertc_rtcp_build_pli(pc->local_ssrc, pc->remote_ssrc, buf, sizeof(buf), &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = pc_send_rtcp(pc, buf, len, sizeof(buf));
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pc->stats.keyframe_requests_sent++;
    }
    return st;
}

static void pc_on_frame(const ertc_h264_frame_t *frame, void *ctx)
{
    ertc_pc_t *pc = ctx;
    pc->stats.video_frames_received++;
    if (pc->cb.on_video_frame != NULL) {
        pc->cb.on_video_frame(pc, frame->data, frame->len, frame->timestamp, frame->keyframe,
                              pc->arg);
    }
}

static void pc_on_rtp(ertc_pc_t *pc, size_t len)
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
        (void)pc_send_pli(pc);
    }
}

static void pc_on_rtcp(ertc_pc_t *pc, size_t len)
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
    if (pc_state_final(pc->state)) {
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

WEBRTC_STATUS ertc_pc_request_keyframe(ertc_pc_t *pc)
{
    if (pc == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (pc_state_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (pc->state != ERTC_PC_STATE_CONNECTED || pc->srtp == NULL) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    return pc_send_pli(pc);
}

/* ---- signaling --------------------------------------------------------------------------- */

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

void ertc_pc_config_init(ertc_pc_config_t *config)
{
    memset(config, 0, sizeof(*config));
    config->role = ERTC_PC_ROLE_ANSWERER;
    config->send_video = true;
    config->receive_video = true;
}

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
    pc_set_state(pc, ERTC_PC_STATE_CONNECTING, NULL);
    if (pc->cb.on_local_description != NULL) {
        ertc_pc_description_t desc = {.type = type, .sdp = sdp, .len = len};
        pc->cb.on_local_description(pc, &desc, pc->arg);
    }
    for (size_t i = 0; i < pc->early_cand_count; i++) {
        pc_emit_candidate(pc, pc->early_cands[i]);
    }
    pc->early_cand_count = 0;
    if (pc->early_end_of_candidates) {
        pc->early_end_of_candidates = false;
        pc_emit_candidate(pc, NULL);
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
        ERTC_LOGE(TAG, "%s: building the offer failed: %s", pc->name, webrtc_status_name(st));
    }
    ertc_free(text);
    return st;
}

/* Remote transport parameters, from the plan or the answer; creates the DTLS session. */
static WEBRTC_STATUS pc_apply_transport(ertc_pc_t *pc, const char *ufrag, const char *pwd,
                                        const char *fp_hash, const char *fp, ertc_dtls_role_t role)
{
    WEBRTC_STATUS st = ertc_ice_agent_set_remote_credentials(pc->ice, ufrag, pwd);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: remote ICE credentials refused", pc->name);
        return st;
    }
    char fingerprint[ERTC_CERT_FINGERPRINT_MAX];
    snprintf(fingerprint, sizeof(fingerprint), "%s %s", fp_hash, fp);
    pc->dtls_role = role;
    st = ertc_dtls_create(pc->loop, pc->cert, role, fingerprint, pc_dtls_send, pc_dtls_event, pc,
                          &pc->dtls);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: DTLS setup failed: %s", pc->name, webrtc_status_name(st));
        return st;
    }
    ERTC_LOGD(TAG, "%s: DTLS %s", pc->name, role == ERTC_DTLS_ROLE_CLIENT ? "client" : "server");
    return WEBRTC_STATUS_SUCCESS;
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
        ERTC_LOGE(TAG, "%s: negotiation failed: %s", pc->name, err);
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
        ERTC_LOGE(TAG, "%s: the offer has no H.264 video this slice can use", pc->name);
        st = WEBRTC_STATUS_NOT_FOUND;
        goto out;
    }
    pc->video_pt = video->payload_type;
    pc->remote_ssrc = video->remote_ssrc;
    st = pc_apply_transport(pc, plan->remote_ice_ufrag, plan->remote_ice_pwd,
                            plan->remote_fingerprint_hash, plan->remote_fingerprint,
                            plan->setup == ERTC_SDP_SETUP_ACTIVE ? ERTC_DTLS_ROLE_CLIENT
                                                                 : ERTC_DTLS_ROLE_SERVER);
    if (st != WEBRTC_STATUS_SUCCESS) {
        goto out;
    }
    size_t len = 0;
    st = ertc_sdp_build_answer(&local, plan, text, ERTC_SDP_BUILD_BUFFER_SIZE, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: building the answer failed: %s", pc->name, webrtc_status_name(st));
        goto out;
    }
    pc->remote_description_set = true;
    pc_add_sdp_candidates(pc, &offer->media[plan->transport_index]);
    pc_emit_description(pc, ERTC_PC_SDP_ANSWER, text, len);
    pc_start_dtls_if_ready(pc);
out:
    ertc_free(text);
    ertc_free(plan);
    return st;
}

static WEBRTC_STATUS pc_apply_answer(ertc_pc_t *pc, const ertc_sdp_t *answer)
{
    const ertc_sdp_media_t *m = ertc_sdp_find_media(answer, PC_VIDEO_MID);
    if (m == NULL || m->kind != ERTC_SDP_KIND_VIDEO || m->port == 0) {
        ERTC_LOGE(TAG, "%s: the answer rejected or lacks our video m-line", pc->name);
        return WEBRTC_STATUS_NOT_FOUND;
    }
    const ertc_sdp_codec_t *h264 = NULL;
    for (uint8_t i = 0; i < m->codec_count && h264 == NULL; i++) {
        if (strcasecmp(m->codecs[i].name, "H264") == 0) {
            h264 = &m->codecs[i];
        }
    }
    if (h264 == NULL) {
        ERTC_LOGE(TAG, "%s: the answer has no H264 payload type", pc->name);
        return WEBRTC_STATUS_NOT_FOUND;
    }
    ertc_dtls_role_t role;
    switch (m->transport.setup) {
    case ERTC_SDP_SETUP_ACTIVE: role = ERTC_DTLS_ROLE_SERVER; break;
    case ERTC_SDP_SETUP_PASSIVE: role = ERTC_DTLS_ROLE_CLIENT; break;
    default:
        ERTC_LOGE(TAG, "%s: the answer's a=setup:%s is not active or passive (RFC 8842)", pc->name,
                  ertc_sdp_setup_name(m->transport.setup));
        return WEBRTC_STATUS_MALFORMED;
    }
    pc->video_pt = h264->pt;
    pc->remote_ssrc = m->ssrc_count > 0 ? m->ssrcs[0].ssrc : 0;
    WEBRTC_STATUS st =
        pc_apply_transport(pc, m->transport.ice_ufrag, m->transport.ice_pwd,
                           m->transport.fingerprint_hash, m->transport.fingerprint, role);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    pc->remote_description_set = true;
    pc_add_sdp_candidates(pc, m);
    pc_start_dtls_if_ready(pc);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_set_remote_description(ertc_pc_t *pc, ertc_pc_sdp_type_t type,
                                             const char *sdp, size_t len)
{
    if (pc == NULL || sdp == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (pc->remote_description_set || pc_state_final(pc->state)) {
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
        ERTC_LOGE(TAG, "%s: remote %s does not parse: %s", pc->name, offerer ? "answer" : "offer",
                  parsed->error);
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
    if (pc_state_final(pc->state)) {
        return WEBRTC_STATUS_CLOSED;
    }
    return ertc_ice_agent_add_remote_candidate(pc->ice, line);
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static WEBRTC_STATUS pc_init_media(ertc_pc_t *pc)
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

static WEBRTC_STATUS pc_init_ice(ertc_pc_t *pc)
{
    ertc_ice_config_t icfg;
    ertc_ice_config_init(&icfg);
    icfg.name = pc->name;
    icfg.controlling = pc->config.role == ERTC_PC_ROLE_OFFERER;
    memcpy(icfg.stun_servers, pc->config.stun_servers, sizeof(icfg.stun_servers));
    icfg.stun_server_count = pc->config.stun_server_count;
    memcpy(icfg.interfaces, pc->config.interfaces, sizeof(icfg.interfaces));
    icfg.interface_count = pc->config.interface_count;
    icfg.include_loopback = pc->config.include_loopback;
    ertc_ice_callbacks_t icb = {
        .on_candidate = pc_on_ice_candidate,
        .on_state = pc_on_ice_state,
        .on_data = pc_on_ice_data,
    };
    WEBRTC_STATUS st = ertc_ice_agent_create(pc->loop, &icfg, &icb, pc, &pc->ice);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    return ertc_ice_agent_start(pc->ice);
}

WEBRTC_STATUS ertc_pc_create(ertc_loop_t *loop, ertc_cert_t *cert, const ertc_pc_config_t *config,
                             const ertc_pc_callbacks_t *callbacks, void *arg, ertc_pc_t **out)
{
    if (loop == NULL || cert == NULL || config == NULL || callbacks == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (config->stun_server_count > ERTC_ICE_MAX_STUN_SERVERS ||
        config->interface_count > ERTC_ICE_MAX_INTERFACES ||
        (!config->send_video && !config->receive_video)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    *out = NULL;
    ertc_pc_t *pc = ertc_calloc(1, sizeof(*pc));
    if (pc == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    snprintf(pc->name, sizeof(pc->name), "%s", config->name != NULL ? config->name : "pc");
    pc->loop = loop;
    pc->cert = ertc_cert_ref(cert);
    pc->config = *config;
    pc->config.name = NULL; /* the caller's string; pc->name is our copy */
    pc->cb = *callbacks;
    pc->arg = arg;
    pc->state = ERTC_PC_STATE_NEW;
    do {
        pc->local_ssrc = ertc_random_u32();
    } while (pc->local_ssrc == 0);
    pc->video_seq = (uint16_t)ertc_random_u32(); /* RFC 3550 §5.1: random initial value */
    snprintf(pc->cname, sizeof(pc->cname), "%08x%08x", (unsigned)ertc_random_u32(),
             (unsigned)ertc_random_u32());

    pc->early_cands = ertc_calloc(ERTC_PC_MAX_EARLY_CANDS, sizeof(*pc->early_cands));
    pc->dtls_queue = ertc_calloc(ERTC_PC_DTLS_QUEUE, sizeof(*pc->dtls_queue));
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (pc->early_cands != NULL && pc->dtls_queue != NULL) {
        st = pc_init_media(pc);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = pc_init_ice(pc);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: create failed: %s", pc->name, webrtc_status_name(st));
        ertc_pc_free(pc);
        return st;
    }
    ERTC_LOGD(TAG, "%s: created (%s, video ssrc %u)", pc->name,
              config->role == ERTC_PC_ROLE_OFFERER ? "offerer" : "answerer",
              (unsigned)pc->local_ssrc);
    *out = pc;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_close(ertc_pc_t *pc)
{
    if (pc == NULL || pc_state_final(pc->state)) {
        return;
    }
    if (pc->dtls != NULL) {
        ertc_dtls_close(pc->dtls);
    }
    pc_set_state(pc, ERTC_PC_STATE_CLOSED, NULL);
}

void ertc_pc_free(ertc_pc_t *pc)
{
    if (pc == NULL) {
        return;
    }
    ertc_pc_close(pc);
    if (pc->dtls != NULL) {
        ertc_dtls_destroy(pc->dtls);
    }
    if (pc->ice != NULL) {
        ertc_ice_agent_destroy(pc->ice);
    }
    ertc_srtp_free(pc->srtp);
    if (pc->depacketizer_ready) {
        ertc_h264_depacketizer_free(&pc->depacketizer);
    }
    ertc_free(pc->early_cands);
    ertc_free(pc->dtls_queue);
    ertc_cert_unref(pc->cert);
    ertc_free(pc);
}

ertc_pc_state_t ertc_pc_state(const ertc_pc_t *pc)
{
    return pc != NULL ? pc->state : ERTC_PC_STATE_CLOSED;
}

void ertc_pc_get_stats(const ertc_pc_t *pc, ertc_pc_stats_t *out)
{
    if (pc != NULL && out != NULL) {
        *out = pc->stats;
    }
}
