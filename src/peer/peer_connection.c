/*
 * peer/peer_connection — edgertc's peer connection: the state machine, the transport (ICE
 * agent <-> DTLS, then SRTP from the DTLS keys) and the connection's lifetime. Signaling is in
 * pc_sdp.c, RTP in pc_media.c, RTCP in pc_rtcp.c (see pc_internal.h).
 *
 * Data path of one datagram from the ICE agent (RFC 7983 demultiplexing by first byte):
 *   DTLS (20-63)      -> ertc_dtls_handle_packet
 *   RTP/RTCP (128-191)-> SRTP/SRTCP unprotect -> pc_media.c / pc_rtcp.c
 * and out: DTLS records and SRTP packets -> ertc_ice_agent_send on the selected pair.
 */
#include "peer/peer_connection.h"

#include <stdio.h>
#include <string.h>

#include "peer/demux.h"
#include "peer/pc_internal.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

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

bool ertc_pc_is_final(ertc_pc_state_t s)
{
    return s == ERTC_PC_STATE_FAILED || s == ERTC_PC_STATE_CLOSED;
}

void ertc_pc_set_state(ertc_pc_t *pc, ertc_pc_state_t next, const char *detail)
{
    if (pc->state == next || ertc_pc_is_final(pc->state)) {
        return;
    }
    if (next == ERTC_PC_STATE_CONNECTING && pc->state != ERTC_PC_STATE_NEW) {
        return;
    }
    ERTC_LOGD(PC_TAG, "%s: %s -> %s%s%s", pc->name, ertc_pc_state_name(pc->state),
              ertc_pc_state_name(next), detail != NULL ? ": " : "", detail != NULL ? detail : "");
    if (next == ERTC_PC_STATE_FAILED) {
        ERTC_LOGW(PC_TAG, "%s: failed: %s", pc->name, detail != NULL ? detail : "?");
    }
    pc->state = next;
    if (ertc_pc_is_final(next)) {
        ertc_pc_rtcp_stop(pc);
        if (next == ERTC_PC_STATE_FAILED) {
            snprintf(pc->failure, sizeof(pc->failure), "%s", detail != NULL ? detail : "?");
        }
    } else if (next == ERTC_PC_STATE_CONNECTED) {
        pc->stats.connected_us = ertc_time_mono_us();
        ertc_pc_rtcp_start(pc);
    }
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
    /* Needed only before ICE connects: 12 KiB a session would otherwise keep for nothing. */
    ertc_free(pc->dtls_queue);
    pc->dtls_queue = NULL;
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
    if (pc->dtls_queue == NULL) {
        pc->dtls_queue = ertc_calloc(ERTC_PC_DTLS_QUEUE, sizeof(*pc->dtls_queue));
    }
    if (pc->dtls_queue != NULL && len <= ERTC_PC_MAX_DATAGRAM &&
        pc->dtls_queued < ERTC_PC_DTLS_QUEUE) {
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
        ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, "DTLS negotiated no SRTP profile");
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
        ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, "SRTP session could not be created");
        return;
    }
    ertc_pc_set_state(pc, ERTC_PC_STATE_CONNECTED, NULL);
}

static void pc_dtls_event(void *arg, const ertc_dtls_event_t *event)
{
    ertc_pc_t *pc = arg;
    switch (event->type) {
    case ERTC_DTLS_EVENT_CONNECTED: pc_srtp_start(pc); break;
    case ERTC_DTLS_EVENT_FAILED: ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, event->detail); break;
    case ERTC_DTLS_EVENT_CLOSED:
        ertc_pc_set_state(pc, ERTC_PC_STATE_CLOSED, "remote close_notify");
        break;
    case ERTC_DTLS_EVENT_DATA: break; /* SCTP: not in this slice */
    }
}

void ertc_pc_start_dtls_if_ready(ertc_pc_t *pc)
{
    if (pc->dtls != NULL && pc->ice_connected && pc->dtls_role == ERTC_DTLS_ROLE_CLIENT &&
        ertc_dtls_state(pc->dtls) == ERTC_DTLS_STATE_NEW) {
        WEBRTC_STATUS st = ertc_dtls_start(pc->dtls);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, "DTLS handshake could not start");
        }
    }
}

void ertc_pc_emit_candidate(ertc_pc_t *pc, const char *line)
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
        ertc_pc_emit_candidate(pc, line);
        return;
    }
    /* Trickled candidates must follow the description they belong to (RFC 8838 §4). */
    if (line == NULL) {
        pc->early_end_of_candidates = true;
    } else if (pc->early_cands != NULL && pc->early_cand_count < ERTC_PC_MAX_EARLY_CANDS) {
        snprintf(pc->early_cands[pc->early_cand_count++], ERTC_SDP_CANDIDATE_TEXT_SIZE, "%s", line);
    }
}

static void pc_on_ice_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    ertc_pc_t *pc = arg;
    ERTC_LOGD(PC_TAG, "%s: ICE %s", pc->name, ertc_ice_state_name(state));
    switch (state) {
    case ERTC_ICE_STATE_CONNECTED:
    case ERTC_ICE_STATE_COMPLETED:
        if (!pc->ice_connected) {
            pc->ice_connected = true;
            /* before DTLS starts: ICE up and DTLS up are two separate moments in the stats */
            uint64_t now = ertc_time_mono_us();
            pc->stats.ice_connected_us = now != 0 ? now : 1;
            pc_flush_dtls_queue(pc);
            ertc_pc_start_dtls_if_ready(pc);
        }
        break;
    case ERTC_ICE_STATE_FAILED:
        ertc_pc_set_state(pc, ERTC_PC_STATE_FAILED, "ICE failed (no candidate pair works)");
        break;
    default: break;
    }
}

static void pc_on_ice_data(ertc_ice_agent_t *agent, const uint8_t *data, size_t len, void *arg)
{
    (void)agent;
    ertc_pc_t *pc = arg;
    if (len == 0 || ertc_pc_is_final(pc->state)) {
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
            ertc_pc_on_rtcp(pc, len);
        } else {
            ertc_pc_on_rtp(pc, len);
        }
        return;
    default: pc->stats.unknown_dropped++; return;
    }
}

WEBRTC_STATUS ertc_pc_apply_transport(ertc_pc_t *pc, const char *ufrag, const char *pwd,
                                      const char *fp_hash, const char *fp, ertc_dtls_role_t role)
{
    WEBRTC_STATUS st = ertc_ice_agent_set_remote_credentials(pc->ice, ufrag, pwd);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: remote ICE credentials refused", pc->name);
        return st;
    }
    char fingerprint[ERTC_CERT_FINGERPRINT_MAX];
    snprintf(fingerprint, sizeof(fingerprint), "%s %s", fp_hash, fp);
    pc->dtls_role = role;
    st = ertc_dtls_create(pc->loop, pc->cert, role, fingerprint, pc_dtls_send, pc_dtls_event, pc,
                          &pc->dtls);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: DTLS setup failed: %s", pc->name, webrtc_status_name(st));
        return st;
    }
    ERTC_LOGD(PC_TAG, "%s: DTLS %s", pc->name, role == ERTC_DTLS_ROLE_CLIENT ? "client" : "server");
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_config_init(ertc_pc_config_t *config)
{
    memset(config, 0, sizeof(*config));
    config->role = ERTC_PC_ROLE_ANSWERER;
    config->send_video = true;
    config->receive_video = true;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static WEBRTC_STATUS pc_init_ice(ertc_pc_t *pc)
{
    ertc_ice_config_t icfg;
    ertc_ice_config_init(&icfg);
    icfg.name = pc->name;
    icfg.controlling = pc->config.role == ERTC_PC_ROLE_OFFERER;
    memcpy(icfg.stun_servers, pc->config.stun_servers, sizeof(icfg.stun_servers));
    icfg.stun_server_count = pc->config.stun_server_count;
    /* TURN: passed through; the agent allocates, refreshes and relays. */
    memcpy(icfg.turn_servers, pc->config.turn_servers, sizeof(icfg.turn_servers));
    icfg.turn_server_count = pc->config.turn_server_count;
    icfg.relay_only = pc->config.relay_only;
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
        config->turn_server_count > ERTC_ICE_MAX_TURN_SERVERS ||
        config->interface_count > ERTC_ICE_MAX_INTERFACES ||
        config->video_history_packets > ERTC_NACK_HISTORY_MAX_PACKETS ||
        config->video_history_bytes > ERTC_NACK_HISTORY_MAX_BYTES ||
        (!config->send_video && !config->receive_video && !config->send_audio &&
         !config->receive_audio)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    *out = NULL;
    /* libsrtp's one-time set-up takes 0.1-0.6 s on a PC (peer/srtp.c says why): run it now,
     * before there is an offer, rather than after the DTLS handshake. */
    WEBRTC_STATUS prep = ertc_srtp_prepare();
    if (prep != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "libsrtp initialisation failed: %s", webrtc_status_name(prep));
        return prep;
    }
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
    pc->stats.created_us = ertc_time_mono_us();
    ertc_pc_rtcp_init(pc);
    snprintf(pc->cname, sizeof(pc->cname), "%08x%08x", (unsigned)ertc_random_u32(),
             (unsigned)ertc_random_u32());

    /* Held until our description is out, then freed (pc_sdp.c); the DTLS queue is made only
     * if DTLS has to wait for ICE (pc_dtls_send). */
    pc->early_cands = ertc_calloc(ERTC_PC_MAX_EARLY_CANDS, sizeof(*pc->early_cands));
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (pc->early_cands != NULL) {
        st = ertc_pc_media_init(pc);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = pc_init_ice(pc);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(PC_TAG, "%s: create failed: %s", pc->name, webrtc_status_name(st));
        ertc_pc_free(pc);
        return st;
    }
    ERTC_LOGD(PC_TAG, "%s: created (%s, video ssrc %u, audio ssrc %u)", pc->name,
              config->role == ERTC_PC_ROLE_OFFERER ? "offerer" : "answerer",
              (unsigned)pc->video_tx.ssrc, (unsigned)pc->audio_tx.ssrc);
    *out = pc;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_close(ertc_pc_t *pc)
{
    if (pc == NULL || ertc_pc_is_final(pc->state)) {
        return;
    }
    if (pc->dtls != NULL) {
        ertc_dtls_close(pc->dtls);
    }
    const ertc_pc_stats_t *st = &pc->stats;
    ERTC_LOGI(PC_TAG,
              "%s: closing: rtp sent %llu received %llu, SR/RR sent %llu/%llu received %llu/%llu, "
              "rtt %s%u ms, NACKs sent %llu received %llu, resent %llu, PLIs sent %llu",
              pc->name, (unsigned long long)st->rtp_packets_sent,
              (unsigned long long)st->rtp_packets_received, (unsigned long long)st->sr_sent,
              (unsigned long long)st->rr_sent, (unsigned long long)st->sr_received,
              (unsigned long long)st->rr_received, st->has_rtt ? "" : "unknown ",
              (unsigned)st->rtt_ms, (unsigned long long)st->nacks_sent,
              (unsigned long long)st->nacks_received, (unsigned long long)st->packets_resent,
              (unsigned long long)st->keyframe_requests_sent);
    ertc_pc_set_state(pc, ERTC_PC_STATE_CLOSED, NULL);
}

void ertc_pc_free(ertc_pc_t *pc)
{
    if (pc == NULL) {
        return;
    }
    ertc_pc_close(pc);
    ertc_pc_rtcp_stop(pc);
    if (pc->dtls != NULL) {
        ertc_dtls_destroy(pc->dtls);
    }
    if (pc->ice != NULL) {
        ertc_ice_agent_destroy(pc->ice);
    }
    ertc_srtp_free(pc->srtp);
    ertc_pc_media_free(pc);
    ertc_free(pc->early_cands);
    ertc_free(pc->dtls_queue);
    ertc_cert_unref(pc->cert);
    ertc_free(pc);
}

ertc_pc_state_t ertc_pc_state(const ertc_pc_t *pc)
{
    return pc != NULL ? pc->state : ERTC_PC_STATE_CLOSED;
}

const char *ertc_pc_failure_detail(const ertc_pc_t *pc)
{
    return pc != NULL ? pc->failure : "";
}

void ertc_pc_get_stats(const ertc_pc_t *pc, ertc_pc_stats_t *out)
{
    if (pc != NULL && out != NULL) {
        *out = pc->stats;
    }
}
