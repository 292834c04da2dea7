/*
 * peer/pc_if_session — one session of the peer-connection interface: an ertc_pc_t, the
 * signaling messages in and out (pc_if_message), the peer-connection callbacks turned into
 * peer states and app_webrtc events, and media (pc_if.h, docs/peer-interface.md).
 *
 * Runs on the client's loop thread. Callbacks of ertc_pc may call into app_webrtc, which
 * may destroy the session from there; so a destroyed session only stops talking at once
 * and is freed later (ertc_pc_if_session_destroy / the client's reap timer), never inside
 * a callback of its own peer connection.
 */
#include <stdio.h>
#include <string.h>

#include "peer/pc_if.h"
#include "peer/pc_if_message.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "pc_if"

static uint64_t now_us(void)
{
    uint64_t t = ertc_time_mono_us();
    return t != 0 ? t : 1; /* 0 means "not happened" in the metrics */
}

static void mark(uint64_t *field)
{
    if (*field == 0) {
        *field = now_us();
    }
}

/* ---- to app_webrtc --------------------------------------------------------------------- */

static void session_report_state(ertc_pc_if_session_t *s, webrtc_peer_state_t state)
{
    ERTC_LOGD(TAG, "%s: peer state %s", s->peer_id, app_webrtc_peer_state_name(state));
    if (!s->destroyed && s->on_state != NULL) {
        (void)s->on_state(s->custom_data, state);
    }
}

static void session_send_out(ertc_pc_if_session_t *s, esp_webrtc_message_type_t type, char *payload,
                             size_t len)
{
    if (s->on_message == NULL) {
        ERTC_LOGW(TAG, "%s: %s dropped: set_callbacks was not called", s->peer_id,
                  app_webrtc_message_type_name(type));
        return;
    }
    esp_webrtc_signaling_message_t *m = ertc_calloc(1, sizeof(*m)); /* ~530 bytes: not on stack */
    if (m == NULL) {
        ERTC_LOGE(TAG, "%s: out of memory for an outbound message", s->peer_id);
        return;
    }
    m->message_type = type;
    m->version = 0;
    snprintf(m->peer_client_id, sizeof(m->peer_client_id), "%s", s->peer_id);
    m->payload = payload;
    m->payload_len = (uint32_t)len;
    WEBRTC_STATUS st = s->on_message(s->custom_data, m);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "%s: on_message_received(%s) returned %s", s->peer_id,
                  app_webrtc_message_type_name(type), webrtc_status_name(st));
    }
    ertc_free(m);
}

/* ---- media ------------------------------------------------------------------------------- */

static void session_start_streaming(ertc_pc_if_session_t *s)
{
    ertc_pc_if_client_t *c = s->client;
    if (s->sink != NULL || c->pump == NULL) {
        return;
    }
    WEBRTC_STATUS st = ertc_media_pump_add_sink(c->pump, s, &s->sink);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: no media for this session: %s", s->peer_id, webrtc_status_name(st));
        ertc_pc_if_raise(c, APP_WEBRTC_EVENT_ERROR, st, s->peer_id, "no media for this session: %s",
                         webrtc_status_name(st));
        return;
    }
    s->streaming = true;
    mark(&s->metrics.streaming_started_us);
    ertc_pc_if_raise(c, APP_WEBRTC_EVENT_STREAMING_STARTED, 0, s->peer_id,
                     "streaming started (waiting for a key frame)");
}

static void session_release_players(ertc_pc_if_session_t *s)
{
    ertc_pc_if_client_t *c = s->client;
    if (c->video_player_owner == s->id) {
        c->video_player_owner = 0;
    }
    if (c->audio_player_owner == s->id) {
        c->audio_player_owner = 0;
    }
}

static void session_stop_streaming(ertc_pc_if_session_t *s)
{
    ertc_pc_if_client_t *c = s->client;
    session_release_players(s);
    if (s->sink != NULL) {
        ertc_media_queue_stats_t qs;
        ertc_media_pump_get_sink_stats(c->pump, s->sink, &qs);
        s->metrics.video_frames_dropped += qs.video_dropped;
        s->metrics.audio_frames_dropped += qs.audio_dropped;
        ertc_media_pump_remove_sink(c->pump, s->sink);
        s->sink = NULL;
    }
    if (s->streaming) {
        s->streaming = false;
        ertc_pc_if_raise(c, APP_WEBRTC_EVENT_STREAMING_STOPPED, 0, s->peer_id, "streaming stopped");
    }
}

void ertc_pc_if_session_deliver(void *sink_arg, const ertc_media_frame_t *frame, void *arg)
{
    (void)arg;
    ertc_pc_if_session_t *s = sink_arg;
    if (s->destroyed || !s->connected) {
        return;
    }
    edgertc_pc_session_metrics_t *m = &s->metrics;
    if (frame->kind == ERTC_MEDIA_VIDEO) {
        WEBRTC_STATUS st =
            ertc_pc_send_video_frame(s->pc, frame->data, frame->len, frame->timestamp_us);
        if (st != WEBRTC_STATUS_SUCCESS) {
            m->video_frames_dropped++;
            if (st == WEBRTC_STATUS_INVALID_OPERATION) {
                /* Video not negotiated (the remote refused the m-line): for good, so no key
                 * frame is asked for, which would burden every other session. */
                if (!s->video_refused_logged) {
                    s->video_refused_logged = true;
                    ERTC_LOGW(TAG, "%s: video not sent: not negotiated", s->peer_id);
                }
            } else if (s->sink != NULL) {
                /* The remote's decoder missed this frame: resume from a key frame. */
                ertc_media_pump_restart_sink_video(s->client->pump, s->sink);
            }
            return;
        }
        uint64_t t = now_us();
        if (m->first_video_frame_sent_us == 0) {
            m->first_video_frame_sent_us = t;
        }
        if (frame->key && m->first_key_frame_sent_us == 0) {
            m->first_key_frame_sent_us = t;
        }
        m->video_frames_sent++;
        m->video_bytes_sent += frame->len;
        return;
    }
    WEBRTC_STATUS st =
        ertc_pc_send_audio_frame(s->pc, frame->data, frame->len, frame->timestamp_us);
    if (st != WEBRTC_STATUS_SUCCESS) {
        m->audio_frames_dropped++;
        if (!s->audio_refused_logged) {
            s->audio_refused_logged = true;
            ERTC_LOGW(TAG, "%s: audio not sent: %s", s->peer_id, webrtc_status_name(st));
        }
        return;
    }
    mark(&m->first_audio_frame_sent_us);
    m->audio_frames_sent++;
    m->audio_bytes_sent += frame->len;
}

/* ---- ertc_pc callbacks --------------------------------------------------------------------- */

static void session_send_description(ertc_pc_if_session_t *s, bool offer, const char *sdp,
                                     size_t sdp_len)
{
    char *json = NULL;
    size_t len = 0;
    WEBRTC_STATUS st = ertc_pc_if_build_sdp(offer, sdp, sdp_len, &json, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: %s not sent: %s", s->peer_id, offer ? "offer" : "answer",
                  webrtc_status_name(st));
        return;
    }
    mark(offer ? &s->metrics.offer_sent_us : &s->metrics.answer_sent_us);
    session_send_out(s, offer ? ESP_WEBRTC_MESSAGE_OFFER : ESP_WEBRTC_MESSAGE_ANSWER, json, len);
    ertc_free(json);
}

static void session_drop_held(ertc_pc_if_session_t *s)
{
    ertc_free(s->held_sdp);
    s->held_sdp = NULL;
    for (size_t i = 0; i < s->held_count; i++) {
        ertc_free(s->held_cands[i]);
    }
    s->held_count = 0;
}

/* Non-trickle: gathering is over, so the description goes out with every candidate in it. */
static void session_send_held(ertc_pc_if_session_t *s)
{
    char *sdp = NULL;
    size_t len = 0;
    WEBRTC_STATUS st = ertc_pc_if_sdp_with_candidates(s->held_sdp, s->held_len, s->held_cands,
                                                      s->held_count, &sdp, &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        session_send_description(s, s->held_offer, sdp, len);
        if (s->held_count > 0) {
            mark(&s->metrics.first_local_candidate_us); /* they went out inside it */
        }
    } else {
        ERTC_LOGE(TAG, "%s: description not sent: %s", s->peer_id, webrtc_status_name(st));
    }
    ertc_free(sdp);
    session_drop_held(s);
}

static void pc_on_local_description(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg)
{
    (void)pc;
    ertc_pc_if_session_t *s = arg;
    if (s->destroyed) {
        return;
    }
    bool offer = desc->type == ERTC_PC_SDP_OFFER;
    if (s->client->trickle_ice) {
        session_send_description(s, offer, desc->sdp, desc->len);
        return;
    }
    session_drop_held(s);
    s->held_sdp = ertc_strndup(desc->sdp, desc->len);
    s->held_len = desc->len;
    s->held_offer = offer;
    if (s->held_sdp == NULL) {
        ERTC_LOGE(TAG, "%s: description not sent: out of memory", s->peer_id);
    }
}

static void pc_on_local_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    ertc_pc_if_session_t *s = arg;
    if (s->destroyed) {
        return;
    }
    if (line == NULL) {
        if (s->held_sdp != NULL) {
            session_send_held(s);
        }
        /* Not signaled: AppRTC has no end-of-candidates and KVS drops it (spec §2.2.2). */
        if (!s->destroyed) {
            ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE, 0, s->peer_id,
                             "ICE gathering complete");
        }
        return;
    }
    if (!s->client->trickle_ice) {
        if (s->held_sdp != NULL && s->held_count < ERTC_PC_IF_MAX_HELD_CANDS) {
            s->held_cands[s->held_count] = ertc_strdup(line);
            s->held_count += s->held_cands[s->held_count] != NULL ? 1 : 0;
        }
        return;
    }
    char *json = NULL;
    size_t len = 0;
    if (ertc_pc_if_build_candidate(line, &json, &len) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: candidate not sent: out of memory", s->peer_id);
        return;
    }
    mark(&s->metrics.first_local_candidate_us);
    session_send_out(s, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, json, len);
    ertc_free(json);
    if (!s->destroyed) {
        ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE, 0, s->peer_id, "%s", line);
    }
}

static void pc_on_state(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg)
{
    (void)pc;
    ertc_pc_if_session_t *s = arg;
    if (s->destroyed) {
        return;
    }
    ertc_pc_if_client_t *c = s->client;
    switch (state) {
    case ERTC_PC_STATE_NEW: break;
    case ERTC_PC_STATE_CONNECTING:
        ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_CONNECTING, 0, s->peer_id, "connecting");
        session_report_state(s, WEBRTC_PEER_STATE_CONNECTING);
        break;
    case ERTC_PC_STATE_CONNECTED:
        if (s->metrics.ice_connected_us == 0) {
            /* the peer connection's own stamp: when ICE connected, before DTLS ran */
            ertc_pc_stats_t ps;
            memset(&ps, 0, sizeof(ps));
            ertc_pc_get_stats(pc, &ps);
            s->metrics.ice_connected_us = ps.ice_connected_us;
        }
        mark(&s->metrics.ice_connected_us); /* never after DTLS, should the stamp be missing */
        mark(&s->metrics.dtls_connected_us);
        s->connected = true;
        ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_CONNECTED, 0, s->peer_id,
                         "connected (ICE, DTLS, SRTP)");
        session_report_state(s, WEBRTC_PEER_STATE_CONNECTED);
        if (!s->destroyed) {
            session_start_streaming(s);
        }
        break;
    case ERTC_PC_STATE_FAILED:
    case ERTC_PC_STATE_CLOSED: {
        bool failed = state == ERTC_PC_STATE_FAILED;
        s->connected = false;
        session_stop_streaming(s);
        mark(&s->metrics.ended_us);
        s->ended = true;
        if (failed) {
            ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED,
                             WEBRTC_STATUS_NETWORK_ERROR, s->peer_id, "failed: %s",
                             detail != NULL ? detail : "unknown reason");
        } else {
            ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_DISCONNECTED, 0, s->peer_id, "closed%s%s",
                             detail != NULL ? ": " : "", detail != NULL ? detail : "");
        }
        session_report_state(s, failed ? WEBRTC_PEER_STATE_FAILED : WEBRTC_PEER_STATE_DISCONNECTED);
        break;
    }
    }
}

static void pc_on_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len, uint32_t ts,
                              bool is_keyframe, void *arg)
{
    (void)pc;
    (void)ts;
    ertc_pc_if_session_t *s = arg;
    ertc_pc_if_client_t *c = s->client;
    if (s->destroyed) {
        return;
    }
    mark(&s->metrics.first_video_frame_received_us);
    s->metrics.video_frames_received++;
    s->metrics.video_bytes_received += len;
    if (c->video_player_owner == 0) {
        c->video_player_owner = s->id;
    }
    if (c->video_player_on && c->video_player->play_frame != NULL &&
        c->video_player_owner == s->id) {
        (void)c->video_player->play_frame(c->video_player_handle, annexb, (uint32_t)len,
                                          is_keyframe);
    }
}

static void pc_on_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len, uint32_t ts,
                              void *arg)
{
    (void)pc;
    (void)ts;
    ertc_pc_if_session_t *s = arg;
    ertc_pc_if_client_t *c = s->client;
    if (s->destroyed) {
        return;
    }
    mark(&s->metrics.first_audio_frame_received_us);
    s->metrics.audio_frames_received++;
    s->metrics.audio_bytes_received += len;
    if (c->audio_player_owner == 0) {
        c->audio_player_owner = s->id;
    }
    if (c->audio_player_on && c->audio_player->play_frame != NULL &&
        c->audio_player_owner == s->id) {
        (void)c->audio_player->play_frame(c->audio_player_handle, opus, (uint32_t)len);
    }
}

static void pc_on_keyframe_request(ertc_pc_t *pc, void *arg)
{
    (void)pc;
    ertc_pc_if_session_t *s = arg;
    if (!s->destroyed) {
        ERTC_LOGD(TAG, "%s: remote asks for a key frame", s->peer_id);
        ertc_media_pump_request_key_frame(s->client->pump);
    }
}

static const ertc_pc_callbacks_t session_pc_callbacks = {
    .on_local_description = pc_on_local_description,
    .on_local_candidate = pc_on_local_candidate,
    .on_state = pc_on_state,
    .on_video_frame = pc_on_video_frame,
    .on_audio_frame = pc_on_audio_frame,
    .on_keyframe_request = pc_on_keyframe_request,
};

/* ---- lifetime ---------------------------------------------------------------------------- */

static void session_offer_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    (void)ertc_pc_if_session_offer(arg);
}

static void session_fill_config(const ertc_pc_if_session_t *s, ertc_pc_config_t *pcfg)
{
    const ertc_pc_if_client_t *c = s->client;
    ertc_pc_config_init(pcfg);
    pcfg->name = s->peer_id;
    pcfg->role = s->is_initiator ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
    bool video = c->media_type != APP_WEBRTC_MEDIA_AUDIO;
    bool audio = c->media_type != APP_WEBRTC_MEDIA_VIDEO;
    pcfg->send_video = video && c->video_capture != NULL;
    pcfg->receive_video = video && c->receive_media;
    pcfg->send_audio = audio && c->audio_capture != NULL;
    pcfg->receive_audio = audio && c->receive_media;
    if (!pcfg->send_video && !pcfg->receive_video && !pcfg->send_audio && !pcfg->receive_audio) {
        /* Nothing to send or receive (no capture, receive_media off): still offer or accept
         * a video m-line, sendonly with no frames, so the connection itself comes up. */
        pcfg->send_video = true;
    }
    memcpy(pcfg->stun_servers, c->ice.stun, sizeof(c->ice.stun));
    pcfg->stun_server_count = c->ice.stun_count;
    memcpy(pcfg->turn_servers, c->ice.turn, sizeof(c->ice.turn));
    pcfg->turn_server_count = c->ice.turn_count;
    pcfg->relay_only = c->relay_only;
    memcpy(pcfg->interfaces, c->interfaces, sizeof(c->interfaces));
    pcfg->interface_count = c->interface_count;
    pcfg->include_loopback = c->include_loopback;
}

WEBRTC_STATUS ertc_pc_if_session_create(ertc_pc_if_client_t *c, const char *peer_id,
                                        bool is_initiator, ertc_pc_if_session_t **out)
{
    size_t id_len = strnlen(peer_id, APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1);
    if (id_len == 0 || id_len > APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN) {
        ERTC_LOGE(TAG, "create_session: peer id must be 1-%d characters",
                  APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS st = ertc_pc_if_client_ready(c);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_pc_if_session_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    s->magic = ERTC_PC_IF_SESSION_MAGIC;
    s->client = c;
    s->id = ++c->next_session_id;
    memcpy(s->peer_id, peer_id, id_len);
    s->is_initiator = is_initiator;
    s->metrics.created_us = now_us();
    s->metrics.rtt_ms = -1;
    ertc_timer_init(&s->offer_timer, session_offer_timer, s);
    ertc_pc_config_t *pcfg = ertc_calloc(1, sizeof(*pcfg)); /* credentials inside: zeroed */
    if (pcfg == NULL) {
        ertc_free(s);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    session_fill_config(s, pcfg);
    st = ertc_pc_create(c->loop, c->cert, pcfg, &session_pc_callbacks, s, &s->pc);
    memset(pcfg, 0, sizeof(*pcfg));
    ertc_free(pcfg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: peer connection not created: %s", peer_id, webrtc_status_name(st));
        ertc_free(s);
        return st;
    }
    s->next = c->sessions;
    c->sessions = s;
    c->session_count++;
    ERTC_LOGI(TAG, "%s: session %u created (%s)", s->peer_id, (unsigned)s->id,
              is_initiator ? "we offer" : "we answer");
    ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED, 0, s->peer_id,
                     "session created (%s)", is_initiator ? "initiator" : "answerer");
    ertc_pc_if_media_update(c);
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_session_set_callbacks(
    ertc_pc_if_session_t *s, uint64_t custom_data,
    WEBRTC_STATUS (*on_message)(uint64_t, esp_webrtc_signaling_message_t *),
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t))
{
    s->custom_data = custom_data;
    s->on_message = on_message;
    s->on_state = on_state;
    if (s->is_initiator && !s->offer_made) {
        /* As the ESP port's KVS binding, an initiator offers once its callbacks are set —
         * but after this call returns, so app_webrtc has filed the session first. */
        return ertc_timer_start(s->client->loop, &s->offer_timer, 0, 0);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_session_offer(ertc_pc_if_session_t *s)
{
    if (!s->is_initiator) {
        ERTC_LOGE(TAG, "%s: trigger_offer on a session created to answer", s->peer_id);
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_timer_stop(s->client->loop, &s->offer_timer);
    if (s->offer_made) {
        return WEBRTC_STATUS_SUCCESS; /* one offer per session; no renegotiation yet */
    }
    s->offer_made = true;
    WEBRTC_STATUS st = ertc_pc_create_offer(s->pc);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_ERROR, st, s->peer_id, "offer not created: %s",
                         webrtc_status_name(st));
    }
    return st;
}

static WEBRTC_STATUS session_add_candidate(ertc_pc_if_session_t *s, const char *line)
{
    WEBRTC_STATUS st = ertc_pc_add_remote_candidate(s->pc, line[0] != '\0' ? line : NULL);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "%s: remote candidate refused (%s): %s", s->peer_id, webrtc_status_name(st),
                  line);
    }
    return st;
}

static void session_flush_candidates(ertc_pc_if_session_t *s)
{
    for (size_t i = 0; i < s->pending_count; i++) {
        (void)session_add_candidate(s, s->pending_cands[i]);
        ertc_free(s->pending_cands[i]);
        s->pending_cands[i] = NULL;
    }
    s->pending_count = 0;
    if (s->pending_end_of_candidates) {
        s->pending_end_of_candidates = false;
        (void)session_add_candidate(s, "");
    }
}

static WEBRTC_STATUS session_on_sdp(ertc_pc_if_session_t *s,
                                    const esp_webrtc_signaling_message_t *msg, bool is_offer)
{
    const char *what = is_offer ? "offer" : "answer";
    if (is_offer) {
        mark(&s->metrics.offer_received_us);
        ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_RECEIVED_OFFER, 0, s->peer_id,
                         "offer received (%u bytes)", (unsigned)msg->payload_len);
    } else {
        mark(&s->metrics.answer_received_us);
    }
    if (is_offer == s->is_initiator || (!is_offer && !s->offer_made)) {
        ERTC_LOGE(TAG, "%s: unexpected %s: the session %s", s->peer_id, what,
                  s->is_initiator ? "made the offer" : "answers offers");
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    char *sdp = NULL;
    size_t sdp_len = 0;
    char err[ERTC_PC_IF_ERROR_SIZE] = "";
    WEBRTC_STATUS st = ertc_pc_if_parse_sdp(msg->payload, msg->payload_len, is_offer, &sdp,
                                            &sdp_len, err, sizeof(err));
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_set_remote_description(
            s->pc, is_offer ? ERTC_PC_SDP_OFFER : ERTC_PC_SDP_ANSWER, sdp, sdp_len);
        const char *detail = ertc_pc_failure_detail(s->pc);
        if (st != WEBRTC_STATUS_SUCCESS) {
            /* The peer connection names what was offered when no codec is common. */
            snprintf(err, sizeof(err), "%s",
                     detail[0] != '\0'               ? detail
                     : st == WEBRTC_STATUS_NOT_FOUND ? "no common codec"
                                                     : "SDP refused by the peer connection");
        }
    }
    ertc_free(sdp);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: remote %s refused: %s (%s)", s->peer_id, what, err,
                  webrtc_status_name(st));
        if (!s->destroyed) {
            ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_ERROR, st, s->peer_id,
                             "remote %s refused: %s", what, err);
        }
        return st;
    }
    s->remote_set = true;
    session_report_state(s, WEBRTC_PEER_STATE_MEDIA_STARTING);
    if (!s->destroyed) {
        session_flush_candidates(s);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS session_on_candidate(ertc_pc_if_session_t *s,
                                          const esp_webrtc_signaling_message_t *msg)
{
    char line[ERTC_PC_IF_MAX_CANDIDATE];
    char err[ERTC_PC_IF_ERROR_SIZE] = "";
    WEBRTC_STATUS st = ertc_pc_if_parse_candidate(msg->payload, msg->payload_len, line,
                                                  sizeof(line), err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: remote candidate refused: %s (%s)", s->peer_id, err,
                  webrtc_status_name(st));
        return st;
    }
    mark(&s->metrics.first_remote_candidate_us);
    ertc_pc_if_raise(s->client, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, 0, s->peer_id, "%s",
                     line[0] != '\0' ? line : "end-of-candidates");
    if (s->remote_set) {
        return session_add_candidate(s, line);
    }
    if (line[0] == '\0') {
        s->pending_end_of_candidates = true;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (s->pending_count >= ERTC_PC_IF_MAX_PENDING_CANDS) {
        ERTC_LOGW(TAG, "%s: more than %d candidates before the description: dropped", s->peer_id,
                  ERTC_PC_IF_MAX_PENDING_CANDS);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    char *copy = ertc_strdup(line);
    if (copy == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    s->pending_cands[s->pending_count++] = copy;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_session_message(ertc_pc_if_session_t *s,
                                         const esp_webrtc_signaling_message_t *msg)
{
    if (msg->payload == NULL || msg->payload_len == 0) {
        ERTC_LOGE(TAG, "%s: %s without a payload", s->peer_id,
                  app_webrtc_message_type_name(msg->message_type));
        return WEBRTC_STATUS_MALFORMED;
    }
    if (msg->payload_len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) {
        ERTC_LOGE(TAG, "%s: %s of %u bytes refused (limit %d)", s->peer_id,
                  app_webrtc_message_type_name(msg->message_type), (unsigned)msg->payload_len,
                  APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    switch (msg->message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER: return session_on_sdp(s, msg, true);
    case ESP_WEBRTC_MESSAGE_ANSWER: return session_on_sdp(s, msg, false);
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: return session_on_candidate(s, msg);
    default:
        ERTC_LOGE(TAG, "%s: message type %s is not for a peer connection", s->peer_id,
                  app_webrtc_message_type_name(msg->message_type));
        return WEBRTC_STATUS_INVALID_ARG;
    }
}

void ertc_pc_if_session_destroy(ertc_pc_if_session_t *s)
{
    ertc_pc_if_client_t *c = s->client;
    if (s->destroyed) {
        return;
    }
    ertc_timer_stop(c->loop, &s->offer_timer);
    s->connected = false;
    session_stop_streaming(s);
    if (!s->ended) {
        s->ended = true;
        mark(&s->metrics.ended_us);
        ertc_pc_if_raise(c, APP_WEBRTC_EVENT_PEER_DISCONNECTED, 0, s->peer_id, "session destroyed");
    }
    s->destroyed = true;
    s->on_message = NULL;
    s->on_state = NULL;
    for (ertc_pc_if_session_t **p = &c->sessions; *p != NULL; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            c->session_count--;
            break;
        }
    }
    s->next = c->graveyard;
    c->graveyard = s;
    ERTC_LOGI(TAG, "%s: session %u destroyed", s->peer_id, (unsigned)s->id);
    ertc_pc_if_media_update(c);
    (void)ertc_timer_start(c->loop, &c->reap_timer, 0, 0);
}

void ertc_pc_if_session_free(ertc_pc_if_session_t *s)
{
    ertc_pc_free(s->pc);
    session_drop_held(s);
    for (size_t i = 0; i < s->pending_count; i++) {
        ertc_free(s->pending_cands[i]);
    }
    s->magic = 0;
    ertc_free(s);
}

void ertc_pc_if_session_metrics(ertc_pc_if_session_t *s, edgertc_pc_session_metrics_t *out)
{
    *out = s->metrics;
    ertc_pc_stats_t ps;
    memset(&ps, 0, sizeof(ps));
    ertc_pc_get_stats(s->pc, &ps);
    if (out->ice_connected_us == 0) {
        out->ice_connected_us = ps.ice_connected_us; /* ICE up, DTLS still running */
    }
    out->rtp_packets_sent = ps.rtp_packets_sent;
    out->rtp_packets_received = ps.rtp_packets_received;
    out->rtcp_packets_received = ps.rtcp_packets_received;
    out->keyframe_requests_received = ps.keyframe_requests_received;
    out->keyframe_requests_sent = ps.keyframe_requests_sent;
    out->srtp_drops = ps.srtp_drops;
    out->bytes_sent = ps.bytes_sent;
    out->bytes_received = ps.bytes_received;
    out->rtcp_packets_sent = ps.rtcp_packets_sent;
    out->nacks_received = ps.nacks_received;
    out->packets_resent = ps.packets_resent;
    out->packets_lost = ps.packets_lost + ps.audio_packets_lost;
    out->rtt_ms = ps.has_rtt ? (int32_t)ps.rtt_ms : -1;
    if (s->sink != NULL) {
        ertc_media_queue_stats_t qs;
        ertc_media_pump_get_sink_stats(s->client->pump, s->sink, &qs);
        out->video_frames_dropped += qs.video_dropped;
        out->audio_frames_dropped += qs.audio_dropped;
    }
}
