/*
 * test_pc_if — edgertc's webrtc_peer_connection_if_t driven as app_webrtc drives it: two
 * clients of the interface in one process on 127.0.0.1, their sessions' outbound messages
 * passed to the other side's send_message (as a signaling backend would), a camera (a
 * scripted capture table making small Annex-B access units: SPS/PPS/IDR, then P-frames,
 * later IDRs without SPS/PPS) on one side and a video player on the other.
 *
 * Checked: connection, frames reaching the player starting on a decodable key frame, a key
 * frame asked for at session start, events and peer states in order, metrics, one offer
 * whatever trigger_offer/set_callbacks do, malformed messages refused with the session left
 * working, destroy while streaming (the remote sees the close), free with sessions alive
 * (own event loops), ICE server records. ASan/LSan: no leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "edgertc_peer_connection.h"
#include "peer/pc_if.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#include "test_pc_if_fakes.h"

#define GUARD_MS   60000
#define MAX_EVENTS 512
#define MAX_STATES 16

typedef struct world world_t;

typedef struct {
    world_t *w;
    int idx;
    const char *session_peer; /* peer id of this side's session (the other side's name) */
    void *client;
    void *session;
    ertc_mutex_t *lock; /* events and states come from a loop thread in own-loop mode */
    int events[MAX_EVENTS];
    int n_events;
    int states[MAX_STATES];
    int n_states;
    int offers_received;
    int candidates_sent; /* ICE_CANDIDATE messages */
    int refused;         /* send_message that did not return SUCCESS during the normal flow */
} endpoint_t;

struct world {
    ertc_loop_t *loop; /* shared external loop, or NULL: each client runs its own */
    endpoint_t ep[2];
    ertc_mutex_t *mail_lock;
    struct mail *mail_head, *mail_tail;
};

typedef struct mail {
    struct mail *next;
    world_t *w;
    int to;
    esp_webrtc_message_type_t type;
    uint32_t len;
    char payload[];
} mail_t;

static webrtc_peer_connection_if_t *pif;

/* ---- app_webrtc's side: callbacks and delivery -------------------------------------------- */

static world_t *g_world;

static void log_event(endpoint_t *ep, app_webrtc_event_t event)
{
    ertc_mutex_lock(ep->lock);
    if (ep->n_events < MAX_EVENTS) {
        ep->events[ep->n_events++] = (int)event;
    }
    ertc_mutex_unlock(ep->lock);
}

static void events_a(app_webrtc_event_t event, uint32_t status, char *peer_id, char *msg)
{
    (void)status;
    (void)peer_id;
    assert_non_null(msg);
    log_event(&g_world->ep[0], event);
}

static void events_b(app_webrtc_event_t event, uint32_t status, char *peer_id, char *msg)
{
    (void)status;
    (void)peer_id;
    assert_non_null(msg);
    log_event(&g_world->ep[1], event);
}

static void deliver(mail_t *m);

static void deliver_posted(void *arg)
{
    deliver(arg);
}

static WEBRTC_STATUS on_message(uint64_t custom, esp_webrtc_signaling_message_t *msg)
{
    endpoint_t *from = (endpoint_t *)(uintptr_t)custom;
    world_t *w = from->w;
    assert_string_equal(msg->peer_client_id, from->session_peer);
    mail_t *m = ertc_calloc(1, sizeof(*m) + msg->payload_len + 1);
    assert_non_null(m);
    m->w = w;
    m->to = 1 - from->idx;
    if (msg->message_type == ESP_WEBRTC_MESSAGE_ICE_CANDIDATE) {
        from->candidates_sent++;
    }
    m->type = msg->message_type;
    m->len = msg->payload_len;
    memcpy(m->payload, msg->payload, msg->payload_len);
    if (w->loop != NULL) {
        assert_int_equal(ertc_loop_post(w->loop, deliver_posted, m), WEBRTC_STATUS_SUCCESS);
    } else {
        ertc_mutex_lock(w->mail_lock);
        if (w->mail_tail != NULL) {
            w->mail_tail->next = m;
        } else {
            w->mail_head = m;
        }
        w->mail_tail = m;
        ertc_mutex_unlock(w->mail_lock);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_state(uint64_t custom, webrtc_peer_state_t state)
{
    endpoint_t *ep = (endpoint_t *)(uintptr_t)custom;
    ertc_mutex_lock(ep->lock);
    if (ep->n_states < MAX_STATES) {
        ep->states[ep->n_states++] = (int)state;
    }
    ertc_mutex_unlock(ep->lock);
    return WEBRTC_STATUS_SUCCESS;
}

static void deliver(mail_t *m)
{
    endpoint_t *to = &m->w->ep[m->to];
    if (to->client == NULL) { /* freed: the message finds nobody, as after a hang-up */
        ertc_free(m);
        return;
    }
    if (m->type == ESP_WEBRTC_MESSAGE_OFFER) {
        to->offers_received++;
        if (to->session == NULL) { /* app_webrtc: an offer creates the answering session */
            assert_int_equal(
                pif->create_session(to->client, to->session_peer, false, NULL, &to->session),
                WEBRTC_STATUS_SUCCESS);
            assert_int_equal(
                pif->set_callbacks(to->session, (uint64_t)(uintptr_t)to, on_message, on_state),
                WEBRTC_STATUS_SUCCESS);
        }
    }
    if (to->session != NULL) {
        esp_webrtc_signaling_message_t msg;
        memset(&msg, 0, sizeof(msg));
        msg.message_type = m->type;
        snprintf(msg.peer_client_id, sizeof(msg.peer_client_id), "%s", to->session_peer);
        msg.payload = m->payload;
        msg.payload_len = m->len;
        if (pif->send_message(to->session, &msg) != WEBRTC_STATUS_SUCCESS) {
            to->refused++;
        }
    }
    ertc_free(m);
}

/* Runs fn(arg) where app_webrtc would: on the shared loop, or directly (own loops). */
typedef struct {
    void (*fn)(void *);
    void *arg;
    bool done;
} api_call_t;

static void api_posted(void *arg)
{
    api_call_t *c = arg;
    c->fn(c->arg);
    c->done = true;
}

static void on_app_thread(world_t *w, void (*fn)(void *), void *arg)
{
    if (w->loop == NULL) {
        fn(arg);
        return;
    }
    api_call_t c = {.fn = fn, .arg = arg};
    assert_int_equal(ertc_loop_post(w->loop, api_posted, &c), WEBRTC_STATUS_SUCCESS);
    while (!c.done) {
        assert_int_equal(ertc_loop_run_once(w->loop, 10), WEBRTC_STATUS_SUCCESS);
    }
}

/* One step of the world: the loop runs (shared loop) or the mailbox is delivered. */
static void step(world_t *w)
{
    if (w->loop != NULL) {
        assert_int_equal(ertc_loop_run_once(w->loop, 5), WEBRTC_STATUS_SUCCESS);
        return;
    }
    ertc_sleep_ms(2);
    for (;;) {
        ertc_mutex_lock(w->mail_lock);
        mail_t *m = w->mail_head;
        if (m != NULL) {
            w->mail_head = m->next;
            if (w->mail_head == NULL) {
                w->mail_tail = NULL;
            }
        }
        ertc_mutex_unlock(w->mail_lock);
        if (m == NULL) {
            break;
        }
        deliver(m);
    }
}

typedef bool (*cond_fn)(world_t *w);

static bool run_until(world_t *w, cond_fn cond)
{
    uint64_t deadline = ertc_time_mono_ms() + GUARD_MS;
    while (!cond(w)) {
        if (ertc_time_mono_ms() > deadline) {
            return false;
        }
        step(w);
    }
    return true;
}

static bool has_state(endpoint_t *ep, webrtc_peer_state_t st)
{
    ertc_mutex_lock(ep->lock);
    bool found = false;
    for (int i = 0; i < ep->n_states; i++) {
        found = found || ep->states[i] == (int)st;
    }
    ertc_mutex_unlock(ep->lock);
    return found;
}

/* Position of the first event, or -1. */
static int event_at(endpoint_t *ep, app_webrtc_event_t ev)
{
    ertc_mutex_lock(ep->lock);
    int at = -1;
    for (int i = 0; i < ep->n_events && at < 0; i++) {
        if (ep->events[i] == (int)ev) {
            at = i;
        }
    }
    ertc_mutex_unlock(ep->lock);
    return at;
}

static bool streaming(world_t *w)
{
    (void)w;
    return player.frames >= 10 && speaker_packets >= 10;
}

static bool remote_closed(world_t *w)
{
    return has_state(&w->ep[1], WEBRTC_PEER_STATE_DISCONNECTED);
}

/* ---- set-up -------------------------------------------------------------------------------- */

static edgertc_peer_connection_config_t impl;

typedef struct {
    world_t *w;
    int idx;
    webrtc_peer_connection_config_t cfg;
} init_arg_t;

static void do_init(void *arg)
{
    init_arg_t *a = arg;
    endpoint_t *ep = &a->w->ep[a->idx];
    assert_int_equal(pif->init(&a->cfg, &ep->client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->register_event_handler(ep->client, a->idx == 0 ? events_a : events_b),
                     WEBRTC_STATUS_SUCCESS);
}

static void world_init(world_t *w, bool shared_loop, bool real)
{
    real_sources = real;
    memset(w, 0, sizeof(*w));
    memset(&player, 0, sizeof(player));
    memset(&mic, 0, sizeof(mic));
    speaker_packets = 0;
    ertc_mutex_t *cam_lock = cam.lock;
    memset(&cam, 0, sizeof(cam));
    cam.lock = cam_lock;
    if (cam.lock == NULL) {
        assert_int_equal(ertc_mutex_create(&cam.lock), WEBRTC_STATUS_SUCCESS);
    }
    g_world = w;
    pif = edgertc_peer_connection_if_get();
    if (shared_loop) {
        assert_int_equal(ertc_loop_create(&w->loop, 0), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(ertc_mutex_create(&w->mail_lock), WEBRTC_STATUS_SUCCESS);
    impl = (edgertc_peer_connection_config_t)EDGERTC_PEER_CONNECTION_CONFIG_DEFAULT();
    impl.interfaces[0] = "127.0.0.1";
    impl.interface_count = 1;
    for (int i = 0; i < 2; i++) {
        endpoint_t *ep = &w->ep[i];
        ep->w = w;
        ep->idx = i;
        ep->session_peer = i == 0 ? "viewer-B" : "camera-A";
        assert_int_equal(ertc_mutex_create(&ep->lock), WEBRTC_STATUS_SUCCESS);
        init_arg_t a = {.w = w, .idx = i};
        a.cfg.video_codec = APP_WEBRTC_CODEC_H264;
        a.cfg.audio_codec = APP_WEBRTC_CODEC_OPUS;
        a.cfg.trickle_ice = trickle;
        a.cfg.media_type = APP_WEBRTC_MEDIA_AUDIO_VIDEO;
        a.cfg.event_loop = w->loop;
        a.cfg.peer_connection_cfg = &impl;
        if (i == 0) {
            a.cfg.video_capture = &cam_if; /* the camera: sends only */
            a.cfg.audio_capture = &mic_if;
#ifdef ERTC_WITH_MEDIA
            if (real) {
                a.cfg.video_capture = media_stream_get_video_capture_if();
                a.cfg.audio_capture = media_stream_get_audio_capture_if();
            }
#endif
        } else {
            a.cfg.video_player = &player_if; /* the viewer: receives */
            a.cfg.audio_player = &speaker_if;
            a.cfg.receive_media = true;
        }
        on_app_thread(w, do_init, &a);
    }
}

static void do_free_clients(void *arg)
{
    world_t *w = arg;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pif->free(w->ep[i].client), WEBRTC_STATUS_SUCCESS);
        w->ep[i].client = NULL;
        w->ep[i].session = NULL;
    }
}

static void world_free(world_t *w)
{
    on_app_thread(w, do_free_clients, w);
    mail_t *m = w->mail_head;
    while (m != NULL) {
        mail_t *next = m->next;
        ertc_free(m);
        m = next;
    }
    if (w->loop != NULL) {
        /* Deliveries and media drains still posted run once more and find nothing. */
        assert_int_equal(ertc_loop_run_once(w->loop, 0), WEBRTC_STATUS_SUCCESS);
        ertc_loop_destroy(w->loop);
    }
    for (int i = 0; i < 2; i++) {
        ertc_mutex_destroy(w->ep[i].lock);
    }
    ertc_mutex_destroy(w->mail_lock);
}

/* The viewer (B) offers: create_session as initiator, set_callbacks (which schedules the
 * offer) and trigger_offer (which must not make a second one). */
static void do_viewer_offers(void *arg)
{
    endpoint_t *b = arg;
    assert_int_equal(pif->create_session(b->client, b->session_peer, true, NULL, &b->session),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->set_callbacks(b->session, (uint64_t)(uintptr_t)b, on_message, on_state),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->trigger_offer(b->session), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->trigger_offer(b->session), WEBRTC_STATUS_SUCCESS);
}

typedef struct {
    world_t *w;
    edgertc_pc_session_metrics_t a, b;
} metrics_arg_t;

/* app_webrtc reads metrics on its loop thread (any other thread works while the loop runs). */
static void do_metrics(void *arg)
{
    metrics_arg_t *m = arg;
    assert_int_equal(edgertc_peer_connection_get_metrics(m->w->ep[0].session, &m->a),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(edgertc_peer_connection_get_metrics(m->w->ep[1].session, &m->b),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(edgertc_peer_connection_get_metrics(NULL, &m->a), WEBRTC_STATUS_NULL_ARG);
    assert_string_equal(edgertc_peer_connection_session_peer_id(m->w->ep[0].session), "viewer-B");
}

static void check_connected_and_streaming(world_t *w)
{
    endpoint_t *a = &w->ep[0];
    endpoint_t *b = &w->ep[1];
    assert_true(run_until(w, streaming));
    assert_int_equal(a->offers_received, 1);
    assert_int_equal(a->refused + b->refused, 0);
    /* Media: first frame decodable, a key frame asked for when the session connected. */
    assert_true(player.first_is_key);
    assert_true(player.first_has_param_sets);
    ertc_mutex_lock(cam.lock);
    assert_true(real_sources || cam.key_requests >= 1);
    ertc_mutex_unlock(cam.lock);
    assert_int_equal(player.inits, 1);
    /* Events of the answering camera, in order. */
    int req = event_at(a, APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED);
    int offer = event_at(a, APP_WEBRTC_EVENT_RECEIVED_OFFER);
    int connecting = event_at(a, APP_WEBRTC_EVENT_PEER_CONNECTING);
    int connected = event_at(a, APP_WEBRTC_EVENT_PEER_CONNECTED);
    int started = event_at(a, APP_WEBRTC_EVENT_STREAMING_STARTED);
    assert_true(req >= 0 && req < offer && offer < connecting && connecting < connected &&
                connected < started);
    if (trickle) {
        assert_true(event_at(a, APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE) > offer);
        assert_true(event_at(a, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE) >= 0);
        assert_true(a->candidates_sent > 0 && b->candidates_sent > 0);
    }
    assert_true(event_at(a, APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE) >= 0);
    assert_true(event_at(b, APP_WEBRTC_EVENT_PEER_CONNECTED) >= 0);
    assert_int_equal(event_at(b, APP_WEBRTC_EVENT_STREAMING_STARTED), -1); /* nothing to send */
    assert_int_equal(event_at(a, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED), -1);
    /* Peer states: CONNECTING, MEDIA_STARTING (description applied), CONNECTED. */
    for (int i = 0; i < 2; i++) {
        endpoint_t *ep = &w->ep[i];
        ertc_mutex_lock(ep->lock);
        assert_true(ep->n_states >= 3);
        assert_int_equal(ep->states[0], WEBRTC_PEER_STATE_CONNECTING);
        assert_int_equal(ep->states[1], WEBRTC_PEER_STATE_MEDIA_STARTING);
        assert_int_equal(ep->states[2], WEBRTC_PEER_STATE_CONNECTED);
        ertc_mutex_unlock(ep->lock);
    }
    /* Metrics of both sessions. */
    metrics_arg_t m = {.w = w};
    on_app_thread(w, do_metrics, &m);
    const edgertc_pc_session_metrics_t ma = m.a;
    const edgertc_pc_session_metrics_t mb = m.b;
    assert_true(ma.created_us > 0 && ma.offer_received_us >= ma.created_us);
    assert_true(ma.answer_sent_us >= ma.offer_received_us);
    assert_true(ma.first_local_candidate_us >= ma.answer_sent_us);
    assert_true(ma.dtls_connected_us >= ma.answer_sent_us);
    /* ICE connected is its own moment, before DTLS ran (not 0, not a copy of a later time) */
    assert_true(ma.ice_connected_us >= ma.offer_received_us);
    assert_true(ma.ice_connected_us > 0 && ma.ice_connected_us <= ma.dtls_connected_us);
    assert_true(mb.ice_connected_us > 0 && mb.ice_connected_us <= mb.dtls_connected_us);
    assert_true(ma.streaming_started_us >= ma.dtls_connected_us);
    assert_true(ma.first_video_frame_sent_us >= ma.streaming_started_us);
    assert_true(ma.first_key_frame_sent_us == ma.first_video_frame_sent_us);
    assert_true(ma.video_frames_sent > 0 && ma.video_bytes_sent > 0 && ma.rtp_packets_sent > 0);
    assert_true(ma.audio_frames_sent > 0);
    assert_true(real_sources || ma.audio_bytes_sent == ma.audio_frames_sent * 80);
    assert_true(mb.audio_frames_received >= 10);
    assert_true(ma.bytes_sent > ma.video_bytes_sent);
    assert_true(mb.offer_sent_us > 0 && mb.answer_received_us >= mb.offer_sent_us);
    assert_true(mb.first_video_frame_received_us >= mb.dtls_connected_us);
    assert_true(mb.video_frames_received >= 10 && mb.rtp_packets_received > 0);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void do_destroy_a(void *arg)
{
    endpoint_t *a = arg;
    assert_int_equal(pif->destroy_session(a->session), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->destroy_session(a->session), WEBRTC_STATUS_NULL_ARG); /* gone */
    a->session = NULL;
}

static void do_destroy_b(void *arg)
{
    endpoint_t *b = arg;
    assert_int_equal(pif->destroy_session(b->session), WEBRTC_STATUS_SUCCESS);
    b->session = NULL;
}

static void test_connect_stream_destroy(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, true, false);
    on_app_thread(&w, do_viewer_offers, &w.ep[1]);
    check_connected_and_streaming(&w);
    /* RTCP reports (every second) give the camera a round-trip time. */
    metrics_arg_t m = {.w = &w};
    uint64_t deadline = ertc_time_mono_ms() + GUARD_MS;
    do {
        for (int i = 0; i < 20; i++) {
            step(&w);
        }
        on_app_thread(&w, do_metrics, &m);
    } while (m.a.rtt_ms < 0 && ertc_time_mono_ms() < deadline);
    assert_true(m.a.rtt_ms >= 0 && m.a.rtt_ms < 1000);
    /* Destroy the camera's session while it streams: the viewer sees the DTLS close. */
    on_app_thread(&w, do_destroy_a, &w.ep[0]);
    int stopped = event_at(&w.ep[0], APP_WEBRTC_EVENT_STREAMING_STOPPED);
    int gone = event_at(&w.ep[0], APP_WEBRTC_EVENT_PEER_DISCONNECTED);
    assert_true(stopped > event_at(&w.ep[0], APP_WEBRTC_EVENT_STREAMING_STARTED));
    assert_true(gone > stopped);
    assert_true(run_until(&w, remote_closed));
    assert_true(event_at(&w.ep[1], APP_WEBRTC_EVENT_PEER_DISCONNECTED) >= 0);
    on_app_thread(&w, do_destroy_b, &w.ep[1]);
    world_free(&w);
    assert_int_equal(player.deinits, 1);
}

static WEBRTC_STATUS send_raw(endpoint_t *ep, esp_webrtc_message_type_t type, const char *payload,
                              uint32_t len)
{
    esp_webrtc_signaling_message_t msg;
    memset(&msg, 0, sizeof(msg));
    msg.message_type = type;
    msg.payload = (char *)payload;
    msg.payload_len = len;
    return pif->send_message(ep->session, &msg);
}

static void do_bad_messages(void *arg)
{
    endpoint_t *a = arg;
    assert_int_equal(pif->create_session(a->client, a->session_peer, false, NULL, &a->session),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->set_callbacks(a->session, (uint64_t)(uintptr_t)a, on_message, on_state),
                     WEBRTC_STATUS_SUCCESS);
    const char *s;
    s = "{\"type\":\"offer\",\"sdp\":";
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_OFFER, s, (uint32_t)strlen(s)),
                     WEBRTC_STATUS_MALFORMED);
    s = "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}";
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_OFFER, s, (uint32_t)strlen(s)),
                     WEBRTC_STATUS_INVALID_ARG);
    s = "{\"type\":\"offer\",\"sdp\":\"not an SDP\"}";
    assert_int_not_equal(send_raw(a, ESP_WEBRTC_MESSAGE_OFFER, s, (uint32_t)strlen(s)),
                         WEBRTC_STATUS_SUCCESS);
    assert_true(event_at(a, APP_WEBRTC_EVENT_ERROR) >= 0); /* "remote offer refused: ..." */
    s = "{\"candidate\":5}";
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, s, (uint32_t)strlen(s)),
                     WEBRTC_STATUS_MALFORMED);
    s = "{\"candidate\":\"hello\"}";
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, s, (uint32_t)strlen(s)),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "", 0), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_ANSWER, "{}", 2),
                     WEBRTC_STATUS_INVALID_OPERATION); /* we answer; we never get answers */
    assert_int_equal(send_raw(a, ESP_WEBRTC_MESSAGE_BYE, "{}", 2), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(
        send_raw(a, ESP_WEBRTC_MESSAGE_OFFER, "{}", APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN + 1),
        WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(pif->send_message(a->session, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(pif->trigger_offer(a->session), WEBRTC_STATUS_INVALID_OPERATION);
    /* Data channels are not there yet. */
    void *dc = (void *)1;
    assert_int_equal(pif->create_data_channel(a->session, "x", NULL, &dc),
                     WEBRTC_STATUS_NOT_IMPLEMENTED);
    assert_null(dc);
    assert_int_equal(
        pif->send_data_channel_message(a->session, NULL, false, (const uint8_t *)"x", 0),
        WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(
        pif->send_data_channel_message(a->session, NULL, false, (const uint8_t *)"x", 1),
        WEBRTC_STATUS_NOT_IMPLEMENTED);
}

static void test_bad_messages_leave_session_working(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, true, false);
    on_app_thread(&w, do_bad_messages, &w.ep[0]);
    assert_int_equal(w.ep[0].n_states, 0); /* nothing happened to the session */
    /* The same session then answers a real offer and streams. */
    on_app_thread(&w, do_viewer_offers, &w.ep[1]);
    check_connected_and_streaming(&w);
    world_free(&w); /* sessions alive: free destroys them */
}

static void test_own_loops_free_with_sessions_alive(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, false, false); /* each client runs its own loop thread; calls come from here */
    do_viewer_offers(&w.ep[1]);
    check_connected_and_streaming(&w);
    world_free(&w);
    assert_int_equal(player.deinits, 1);
}

/* trickle_ice off on both sides: descriptions carry the candidates, none is sent apart. */
static void test_without_trickle(void **state)
{
    (void)state;
    world_t w;
    trickle = false;
    world_init(&w, true, false);
    on_app_thread(&w, do_viewer_offers, &w.ep[1]);
    check_connected_and_streaming(&w);
    assert_int_equal(w.ep[0].candidates_sent + w.ep[1].candidates_sent, 0);
    assert_int_equal(event_at(&w.ep[0], APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE), -1);
    world_free(&w);
    trickle = true;
}

#ifdef ERTC_WITH_MEDIA
/* The media module's live test pattern (openh264) and tone (libopus) through the binding:
 * the viewer's first frame is a real IDR with its SPS and PPS. */
static void test_real_sources(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, true, true);
    on_app_thread(&w, do_viewer_offers, &w.ep[1]);
    check_connected_and_streaming(&w);
    world_free(&w);
}
#endif

static void test_ice_servers(void **state)
{
    (void)state;
    pif = edgertc_peer_connection_if_get();
    webrtc_peer_connection_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.use_turn = true;
    void *client = NULL;
    assert_int_equal(pif->init(&cfg, &client), WEBRTC_STATUS_SUCCESS);
    app_webrtc_ice_server_t servers[6];
    memset(servers, 0, sizeof(servers));
    snprintf(servers[0].urls, sizeof(servers[0].urls), "stun:127.0.0.1:3478");
    snprintf(servers[1].urls, sizeof(servers[1].urls), "turn:localhost:3479?transport=udp");
    snprintf(servers[1].username, sizeof(servers[1].username), "user");
    snprintf(servers[1].credential, sizeof(servers[1].credential), "s3cret");
    snprintf(servers[2].urls, sizeof(servers[2].urls), "turns:127.0.0.1:5349?transport=tcp");
    snprintf(servers[3].urls, sizeof(servers[3].urls), "http://127.0.0.1/");
    snprintf(servers[4].urls, sizeof(servers[4].urls), "turn:[::1]:3478");
    snprintf(servers[4].username, sizeof(servers[4].username), "u");
    snprintf(servers[5].urls, sizeof(servers[5].urls), "turn:127.0.0.1?transport=tcp");
    assert_int_equal(pif->set_ice_servers(client, servers, 6), WEBRTC_STATUS_SUCCESS);
    ertc_pc_if_client_t *c = client;
    /* Literals at once; "localhost" through the resolver thread, collected when a session
     * is created. */
    uint64_t deadline = ertc_time_mono_ms() + 10000;
    while (c->ice.turn_count < 2 && ertc_time_mono_ms() < deadline) {
        void *s = NULL;
        assert_int_equal(pif->create_session(client, "p", false, NULL, &s), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(pif->destroy_session(s), WEBRTC_STATUS_SUCCESS);
        ertc_sleep_ms(10);
    }
    assert_int_equal(c->ice.stun_count, 1);
    assert_int_equal(c->ice.stun[0].port, 3478);
    assert_int_equal(c->ice.turn_count, 2);
    assert_int_equal(c->ice.turn[1].addr.port, 3479); /* resolved after the literal [::1] */
    assert_string_equal(c->ice.turn[1].password, "s3cret");
    assert_int_equal(c->ice.turn[0].addr.family, ERTC_AF_INET6);
    /* use_turn off: TURN records are left out. */
    c->use_turn = false;
    assert_int_equal(pif->set_ice_servers(client, servers, 6), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(c->ice.turn_count, 0);
    assert_int_equal(c->ice.stun_count, 1);
    assert_int_equal(pif->set_ice_servers(client, NULL, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->set_ice_servers(client, NULL, 1), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(pif->free(client), WEBRTC_STATUS_SUCCESS);
}

static void test_init_errors(void **state)
{
    (void)state;
    pif = edgertc_peer_connection_if_get();
    void *client = (void *)1;
    webrtc_peer_connection_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.video_codec = APP_WEBRTC_CODEC_VP8;
    assert_int_equal(pif->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
    assert_null(client);
    cfg.video_codec = APP_WEBRTC_CODEC_H264;
    edgertc_peer_connection_config_t bad = EDGERTC_PEER_CONNECTION_CONFIG_DEFAULT();
    bad.interfaces[0] = "not-an-address";
    bad.interface_count = 1;
    cfg.peer_connection_cfg = &bad;
    assert_int_equal(pif->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(pif->init(&cfg, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(pif->free(NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(pif->create_session(NULL, "x", false, NULL, &client), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(pif->set_callbacks(NULL, 0, NULL, NULL), WEBRTC_STATUS_NULL_ARG);
    /* A client with no configuration at all works (no media). */
    assert_int_equal(pif->init(NULL, &client), WEBRTC_STATUS_SUCCESS);
    void *s = NULL;
    assert_int_equal(pif->create_session(client, "", false, NULL, &s), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(pif->create_session(client, "peer", true, NULL, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pif->free(client), WEBRTC_STATUS_SUCCESS);
}

/* Every allocation of init, create_session (gathering included), an offer, destroy and free
 * fails once in turn: each call fails cleanly or succeeds, nothing leaks (LSan), no crash. */
static void test_allocation_failures(void **state)
{
    (void)state;
    pif = edgertc_peer_connection_if_get();
    ertc_log_set_level(7);
    int completed = 0;
    uint64_t skip = 0;
    for (; skip < 400 && completed < 3; skip++) {
        ertc_alloc_reset_peak(); /* zeroes the failure count */
        ertc_alloc_inject_failure(skip, false);
        void *client = NULL;
        if (pif->init(NULL, &client) == WEBRTC_STATUS_SUCCESS) {
            void *s = NULL;
            if (pif->create_session(client, "peer", true, NULL, &s) == WEBRTC_STATUS_SUCCESS) {
                (void)pif->trigger_offer(s);
                assert_int_equal(pif->destroy_session(s), WEBRTC_STATUS_SUCCESS);
            }
            assert_int_equal(pif->free(client), WEBRTC_STATUS_SUCCESS);
        }
        ertc_alloc_stats_t st;
        ertc_alloc_get_stats(&st);
        ertc_alloc_inject_off();
        completed += st.failed == 0 ? 1 : 0; /* the injected failure was never reached */
    }
    assert_true(completed >= 1);
    assert_true(skip > 20); /* the calls above do allocate that much */
    print_message("allocation failures: %llu points tried\n", (unsigned long long)skip);
    ertc_log_set_level(3);
}

int main(void)
{
    ertc_alloc_route_libraries();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_ice_servers),
        cmocka_unit_test(test_connect_stream_destroy),
        cmocka_unit_test(test_bad_messages_leave_session_working),
        cmocka_unit_test(test_own_loops_free_with_sessions_alive),
        cmocka_unit_test(test_without_trickle),
        cmocka_unit_test(test_allocation_failures),
#ifdef ERTC_WITH_MEDIA
        cmocka_unit_test(test_real_sources),
#endif
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (cam.lock != NULL) {
        ertc_mutex_destroy(cam.lock);
    }
    return rc;
}
