/*
 * test_app_webrtc — the application layer's session router with scripted fake signaling and
 * peer-connection interfaces (test_app_webrtc_fake.h): offers from two peers each reach their
 * own session, an answer goes to the session of the peer that sent it, candidates that come
 * before the offer are held and then delivered (or expire), a third peer is refused with
 * max_sessions 2, trigger_offer, the whole event sequence of a session, signaling-only mode,
 * ICE servers (STUN at once, TURN when fetched), metrics, and 100 sessions opened and closed
 * with 0 bytes lost.
 */
#include "test_app_webrtc_fake.h"

#define OFFER_A "{\"type\":\"offer\",\"sdp\":\"A\"}"
#define OFFER_B "{\"type\":\"offer\",\"sdp\":\"B\"}"
#define CAND(n) "{\"candidate\":\"candidate:" #n " 1 udp 1 127.0.0.1 " #n " typ host\"}"

static int setup(void **state)
{
    (void)state;
    fakes_reset();
    app_webrtc_test_set_ms_per_s(1000);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (run_thread != NULL) {
        app_webrtc_terminate();
        ertc_thread_join(run_thread);
        run_thread = NULL;
    }
    return 0;
}

static void start_connected(app_webrtc_config_t *cfg)
{
    start_app(cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
}

typedef struct {
    const char *peer;
    int n;
} inbox_want_t;

static bool inbox_has(const void *arg)
{
    const inbox_want_t *w = arg;
    fp_session_t *s = fp_find(w->peer, false);
    return s != NULL && s->inbox_count >= w->n;
}

static void wait_inbox(const char *peer, int n)
{
    inbox_want_t w = {peer, n};
    wait_for(inbox_has, &w, peer);
}

/* ---- routing ------------------------------------------------------------------------------ */

static void test_offers_from_two_peers(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    fp.auto_answer = true;
    start_connected(&cfg);

    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "peerA", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "peerB", OFFER_B);
    wait_inbox("peerA", 1);
    wait_inbox("peerB", 1);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "peerB", CAND(2));
    wait_inbox("peerB", 2);

    ertc_mutex_lock(rec_lock);
    fp_session_t *a = fp_find("peerA", true), *b = fp_find("peerB", true);
    assert_non_null(a);
    assert_non_null(b);
    assert_false(a->initiator);
    assert_string_equal(a->inbox[0], OFFER_A);
    assert_string_equal(b->inbox[0], OFFER_B);
    assert_int_equal(a->inbox_count, 1); /* B's candidate went to B only */
    assert_string_equal(b->inbox[1], CAND(2));
    ertc_mutex_unlock(rec_lock);
    /* each answer went back to the peer that offered */
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ANSWER, "peerA"), 1);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ANSWER, "peerB"), 1);
    /* the end-of-candidates is not sent, it is an event */
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "peerA"), 1);
    wait_event(APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE, "peerA", 1);
    stop_app();
    assert_int_equal(fp.destroys, 2);
    assert_int_equal(fp.frees, 1);
    assert_int_equal(fs.frees, 1);
}

static void test_answer_routed_by_peer_id(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    cfg.role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER;
    start_connected(&cfg);

    assert_int_equal(app_webrtc_trigger_offer("m1"), 0);
    assert_int_equal(app_webrtc_trigger_offer("m2"), 0);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "m1"), 1);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "m2"), 1);
    /* a candidate before the answer waits for it */
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "m2", CAND(7));
    wait_event(APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, "m2", 1);
    /* the second session's answer first: it must reach m2, not the first session */
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "m2", "{\"type\":\"answer\",\"sdp\":\"m2\"}");
    wait_inbox("m2", 2);
    ertc_mutex_lock(rec_lock);
    fp_session_t *m1 = fp_find("m1", true), *m2 = fp_find("m2", true);
    assert_true(m1->initiator);
    assert_int_equal(m1->inbox_count, 0);
    assert_int_equal(m2->inbox_type[0], ESP_WEBRTC_MESSAGE_ANSWER);
    assert_string_equal(m2->inbox[0], "{\"type\":\"answer\",\"sdp\":\"m2\"}");
    assert_int_equal(m2->inbox_type[1], ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
    assert_string_equal(m2->inbox[1], CAND(7));
    ertc_mutex_unlock(rec_lock);
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "m1", "{\"type\":\"answer\",\"sdp\":\"m1\"}");
    wait_inbox("m1", 1);
    /* an answer from a peer we never offered to is dropped */
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "stranger", "{\"type\":\"answer\"}");
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "m1", "{\"type\":\"answer\",\"sdp\":\"again\"}");
    app_webrtc_session_metrics_t m;
    assert_int_equal(app_webrtc_get_session_metrics("m1", &m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.initiator, true);
    assert_true(m.offer_sent_us != 0 && m.answer_received_us >= m.offer_sent_us);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp_find("m1", true)->inbox_count, 1);
    assert_int_equal(fp.creates, 2);
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static void test_candidates_before_offer(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "early", CAND(1));
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "early", CAND(2));
    wait_event(APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, "early", 2);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 0);
    ertc_mutex_unlock(rec_lock);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "early", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "early", CAND(3));
    wait_inbox("early", 4);
    ertc_mutex_lock(rec_lock);
    fp_session_t *s = fp_find("early", true);
    assert_int_equal(s->inbox_type[0], ESP_WEBRTC_MESSAGE_OFFER);
    assert_string_equal(s->inbox[1], CAND(1));
    assert_string_equal(s->inbox[2], CAND(2));
    assert_string_equal(s->inbox[3], CAND(3));
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static void test_held_candidates_expire(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(5); /* 20 s of expiry are 100 ms */
    app_webrtc_config_t cfg = base_config();
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "slow", CAND(1));
    wait_event(APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, "slow", 1);
    ertc_sleep_ms(400);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "slow", OFFER_A);
    wait_inbox("slow", 1);
    ertc_sleep_ms(50);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp_find("slow", true)->inbox_count, 1); /* the offer only */
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static void test_third_peer_refused(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    cfg.max_sessions = 2;
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p1", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p2", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "p3", CAND(1));
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p3", OFFER_B);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "p3", 1);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 2);
    assert_null(fp_find("p3", false));
    for (int i = 0; i < event_count; i++) {
        if (events[i].id == APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED) {
            assert_int_equal(events[i].status, WEBRTC_STATUS_LIMIT_EXCEEDED);
            assert_non_null(strstr(events[i].message, "limit 2"));
        }
    }
    ertc_mutex_unlock(rec_lock);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_BYE, "p3"), 1);
    /* the viewer role is refused the same way */
    assert_int_equal(app_webrtc_trigger_offer("p4"), (int)WEBRTC_STATUS_LIMIT_EXCEEDED);
    /* p1 leaves: p3 may come in now, without its old candidate */
    remote_send(ESP_WEBRTC_MESSAGE_BYE, "p1", NULL);
    wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "p1", 1);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p3", OFFER_B);
    wait_inbox("p3", 1);
    ertc_sleep_ms(20);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp_find("p3", true)->inbox_count, 1);
    assert_int_equal(fp.destroys, 1);
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static void test_trigger_offer(void **state)
{
    (void)state;
    assert_int_equal(app_webrtc_trigger_offer("x"), (int)WEBRTC_STATUS_INVALID_OPERATION);
    app_webrtc_config_t cfg = base_config();
    cfg.role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER;
    assert_int_equal(app_webrtc_init(&cfg), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_trigger_offer("x"), (int)WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(ertc_thread_create(&run_thread, "app", 0, run_main, NULL),
                     WEBRTC_STATUS_SUCCESS);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    assert_int_equal(app_webrtc_trigger_offer(NULL), (int)WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(app_webrtc_trigger_offer("master"), 0);
    assert_int_equal(app_webrtc_trigger_offer("master"), 0); /* the same session again */
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 1);
    assert_int_equal(fp_find("master", true)->offers_made, 1);
    ertc_mutex_unlock(rec_lock);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_SENT_OFFER, "master"), 2);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "master"), 1);
    /* a backend's TRIGGER_OFFER (AppRTC viewer) does the same */
    remote_send(ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, "other", NULL);
    wait_event(APP_WEBRTC_EVENT_SENT_OFFER, "other", 1);
    stop_app();
}

/* ---- events --------------------------------------------------------------------------------- */

static esp_err_t cam_init(video_capture_config_t *c, video_capture_handle_t *h)
{
    (void)c;
    (void)h;
    return ESP_FAIL;
}

static esp_err_t cam_get_frame(video_capture_handle_t h, video_frame_t **f, uint32_t ms)
{
    (void)h;
    (void)f;
    (void)ms;
    return ESP_FAIL;
}

static esp_err_t cam_release(video_capture_handle_t h, video_frame_t *f)
{
    (void)h;
    (void)f;
    return ESP_FAIL;
}

static void test_event_sequence(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    static media_stream_video_capture_t cam; /* media present: streaming events */
    cam.init = cam_init;
    cam.get_frame = cam_get_frame;
    cam.release_frame = cam_release;
    cfg.video_capture = &cam;
    fp.auto_answer = true;
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "v", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "v", CAND(1));
    wait_inbox("v", 2);
    peer_state("v", WEBRTC_PEER_STATE_CONNECTING);
    peer_state("v", WEBRTC_PEER_STATE_CONNECTED);
    stop_app();

    static const app_webrtc_event_t want[] = {
        APP_WEBRTC_EVENT_INITIALIZED,
        APP_WEBRTC_EVENT_SIGNALING_GET_ICE,
        APP_WEBRTC_EVENT_SIGNALING_CONNECTING,
        APP_WEBRTC_EVENT_SIGNALING_CONNECTED,
        APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED,
        APP_WEBRTC_EVENT_RECEIVED_OFFER,
        APP_WEBRTC_EVENT_SENT_ANSWER,
        APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE,
        APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE,
        APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE,
        APP_WEBRTC_EVENT_PEER_CONNECTING,
        APP_WEBRTC_EVENT_PEER_CONNECTED,
        APP_WEBRTC_EVENT_STREAMING_STARTED,
        APP_WEBRTC_EVENT_DEINITIALIZING,
        APP_WEBRTC_EVENT_STREAMING_STOPPED,
        APP_WEBRTC_EVENT_PEER_DISCONNECTED,
        APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED,
    };
    size_t n = sizeof(want) / sizeof(want[0]);
    for (int i = 0; i < event_count; i++) {
        print_message("event %d: %s %s %s\n", i, app_webrtc_event_name(events[i].id),
                      events[i].peer, events[i].message);
    }
    assert_int_equal(event_count, (int)n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(app_webrtc_event_name(events[i].id), app_webrtc_event_name(want[i]));
        bool about_session = events[i].peer[0] != '\0';
        assert_int_equal(events[i].had_metrics, about_session);
    }
    /* the metrics in the last session event tell the whole story */
    const app_webrtc_session_metrics_t *m = &events[n - 2].metrics;
    assert_string_equal(m->peer_id, "v");
    assert_true(m->offer_received_us != 0);
    assert_true(m->answer_sent_us >= m->offer_received_us);
    assert_true(m->first_local_candidate_us != 0 && m->first_remote_candidate_us != 0);
    assert_true(m->dtls_connected_us >= m->answer_sent_us);
    assert_true(m->streaming_started_us != 0 && m->closed_us != 0);
    assert_int_equal(m->local_candidates, 1);
    assert_int_equal(m->remote_candidates, 1);
}

typedef struct {
    app_webrtc_event_t ev;
    const char *peer;
} pc_event_job_t;

static void do_pc_event(void *arg)
{
    pc_event_job_t *j = arg;
    fp.handler(j->ev, 0, (char *)j->peer, (char *)"from the implementation");
}

static WEBRTC_STATUS provider(void *session, app_webrtc_session_metrics_t *m)
{
    (void)session;
    m->bytes_sent = 12345;
    m->packets_sent = 10;
    m->rtt_ms = 7;
    m->first_key_frame_sent_us = 42;
    return WEBRTC_STATUS_SUCCESS;
}

static void test_events_from_the_peer_connection(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "w", OFFER_A);
    wait_inbox("w", 1);
    assert_int_equal(app_webrtc_set_metrics_provider(provider), WEBRTC_STATUS_SUCCESS);
    pc_event_job_t j = {APP_WEBRTC_EVENT_PEER_CONNECTED, "w"};
    on_app_loop(do_pc_event, &j);
    peer_state("w", WEBRTC_PEER_STATE_CONNECTED); /* the same fact again: not raised */
    j.ev = APP_WEBRTC_EVENT_RECEIVED_OFFER;       /* app_webrtc raises these itself */
    on_app_loop(do_pc_event, &j);
    j.ev = APP_WEBRTC_EVENT_ERROR; /* others pass through */
    on_app_loop(do_pc_event, &j);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTED, "w"), 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_RECEIVED_OFFER, "w"), 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_ERROR, "w"), 1);
    /* no media configured: no streaming events */
    assert_int_equal(count_events(APP_WEBRTC_EVENT_STREAMING_STARTED, NULL), 0);

    app_webrtc_session_metrics_t m;
    assert_int_equal(app_webrtc_get_session_metrics("nobody", &m), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(app_webrtc_get_session_metrics("w", &m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.bytes_sent, 12345);
    assert_int_equal(m.packets_sent, 10);
    assert_int_equal(m.rtt_ms, 7);
    assert_int_equal(m.first_key_frame_sent_us, 42);
    assert_true(m.dtls_connected_us != 0);
    /* a failed peer: failure, then the end of the session */
    peer_state("w", WEBRTC_PEER_STATE_FAILED);
    wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "w", 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "w"), 1);
    ertc_sleep_ms(20);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.destroys, 1);
    ertc_mutex_unlock(rec_lock);
    /* the implementation's own word on a session that has ended is not repeated */
    j.ev = APP_WEBRTC_EVENT_PEER_DISCONNECTED;
    on_app_loop(do_pc_event, &j);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "w"), 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_STREAMING_STOPPED, "w"), 0);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED, "w"), 1);
    stop_app();
}

static bool destroyed_one(const void *arg)
{
    (void)arg;
    return fp.destroys >= 1;
}

/* The last event id for peer, NULL if none. Call without rec_lock. */
static const char *last_message(app_webrtc_event_t id, const char *peer, char *buf, size_t len)
{
    const char *found = NULL;
    ertc_mutex_lock(rec_lock);
    for (int i = 0; i < event_count; i++) {
        if (events[i].id == id && strcmp(events[i].peer, peer) == 0) {
            snprintf(buf, len, "%s", events[i].message);
            found = buf;
        }
    }
    ertc_mutex_unlock(rec_lock);
    return found;
}

/* A reloaded page offers again under the same peer id: the old session is closed and destroyed
 * later (by the reaper), and what its peer connection says while it is destroyed (streaming
 * stopped, "session destroyed") is about the old session, not the new one that replaced it. */
static void test_replaced_session_late_events(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "r", OFFER_A);
    wait_inbox("r", 1);
    peer_state("r", WEBRTC_PEER_STATE_CONNECTED);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTED, "r", 1);

    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "r", OFFER_B); /* replaces the session */
    wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "r", 1);
    wait_for(destroyed_one, NULL, "the old session destroyed");
    ertc_sleep_ms(20);
    /* the fake raised PEER_DISCONNECTED and STREAMING_STOPPED from inside destroy_session:
     * neither lands on the new, live session */
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "r"), 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_STREAMING_STOPPED, "r"), 0);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED, "r"), 2);

    /* the new session lives and ends on its own, and its end is reported */
    peer_state("r", WEBRTC_PEER_STATE_CONNECTED);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTED, "r", 2);
    peer_state("r", WEBRTC_PEER_STATE_DISCONNECTED);
    wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "r", 2);
    char buf[128];
    assert_non_null(last_message(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "r", buf, sizeof(buf)));
    assert_string_equal(buf, "peer disconnected");
    ertc_sleep_ms(20);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "r"), 2);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_STREAMING_STOPPED, "r"), 0);
    stop_app();
}

/* ---- signaling-only mode ----------------------------------------------------------------- */

static void do_bridge_answer(void *arg)
{
    (void)arg;
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = ESP_WEBRTC_MESSAGE_ANSWER;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "viewer9");
    m.payload = (char *)"{\"type\":\"answer\"}";
    m.payload_len = (uint32_t)strlen(m.payload);
    assert_int_equal(fp.bridge_on_msg(fp.bridge_custom, &m), WEBRTC_STATUS_SUCCESS);
}

typedef struct {
    int n;
} bridged_want_t;

static bool bridged(const void *arg)
{
    return fp.bridged_count >= ((const bridged_want_t *)arg)->n;
}

static void test_signaling_only(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    cfg.signaling_only = true;
    cfg.peer_connection_if = &fake_bridge_if;
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "viewer9", OFFER_A);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "viewer9", CAND(1));
    bridged_want_t w = {2};
    wait_for(bridged, &w, "messages on the bridge");
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 0);
    assert_int_equal(fp.bridged[0].type, ESP_WEBRTC_MESSAGE_OFFER);
    assert_string_equal(fp.bridged[0].peer, "viewer9");
    assert_string_equal(fp.bridged[0].payload, OFFER_A);
    assert_int_equal(fp.bridged[1].type, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
    /* no media reaches a bridge */
    assert_null(fp.cfg.video_capture);
    ertc_mutex_unlock(rec_lock);
    /* what the streaming side answers goes out through signaling */
    on_app_loop(do_bridge_answer, NULL);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ANSWER, "viewer9"), 1);
    /* a trigger goes to the streaming side */
    assert_int_equal(app_webrtc_trigger_offer("viewer10"), 0);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.bridged_count, 3);
    assert_int_equal(fp.bridged[2].type, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER);
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static int cb_messages;
static int split_cb(webrtc_message_t *msg)
{
    ertc_mutex_lock(rec_lock);
    cb_messages += msg->message_type == ESP_WEBRTC_MESSAGE_OFFER;
    ertc_mutex_unlock(rec_lock);
    return 0;
}

static bool got_cb(const void *arg)
{
    (void)arg;
    return cb_messages == 1;
}

static void test_signaling_only_with_callback(void **state)
{
    (void)state;
    cb_messages = 0;
    app_webrtc_register_msg_callback(split_cb);
    app_webrtc_config_t cfg = base_config();
    cfg.signaling_only = true;
    cfg.peer_connection_if = NULL;
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "v", OFFER_A);
    wait_for(got_cb, NULL, "the split-mode callback");
    webrtc_message_t out;
    memset(&out, 0, sizeof(out));
    out.message_type = ESP_WEBRTC_MESSAGE_ANSWER;
    snprintf(out.peer_client_id, sizeof(out.peer_client_id), "v");
    out.payload = (char *)"{}";
    out.payload_len = 2;
    assert_int_equal(app_webrtc_send_msg_to_signaling(&out), 0);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ANSWER, "v"), 1);
    stop_app();
    app_webrtc_register_msg_callback(NULL);
}

/* ---- ICE servers ---------------------------------------------------------------------------- */

static bool ice_has(const void *arg)
{
    return fp.ice_count == *(const uint32_t *)arg;
}

static void test_ice_servers(void **state)
{
    (void)state;
    app_webrtc_ice_server_t mine = {.urls = "stun:127.0.0.1:3478"};
    snprintf(fs.ice[0].urls, sizeof(fs.ice[0].urls), "stun:127.0.0.2:19302");
    fs.ice_count = 1;
    fs.refresh_needed = true;
    assert_int_equal(esp_work_queue_init(), ESP_OK);
    assert_int_equal(esp_work_queue_start(), ESP_OK);
    app_webrtc_config_t cfg = base_config();
    cfg.ice_servers = &mine;
    cfg.ice_server_count = 1;
    start_connected(&cfg);
    /* STUN at once: the application's own first, then the backend's */
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.ice_count, 2);
    assert_string_equal(fp.ice_urls[0], "stun:127.0.0.1:3478");
    assert_string_equal(fp.ice_urls[1], "stun:127.0.0.2:19302");
    ertc_mutex_unlock(rec_lock);
    /* a new session finds the configuration stale: refreshed on the work queue, the TURN
     * server reaches the peer connection when the backend announces it */
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p", OFFER_A);
    uint32_t three = 3;
    wait_for(ice_has, &three, "TURN server pushed");
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fs.refreshes, 1);
    assert_string_equal(fp.ice_urls[2], "turn:127.0.0.1:3478?transport=udp");
    ertc_mutex_unlock(rec_lock);
    bool needed = true;
    assert_int_equal(app_webrtc_is_ice_refresh_needed(&needed), WEBRTC_STATUS_SUCCESS);
    assert_false(needed);
    uint32_t count = 0;
    app_webrtc_ice_server_t got[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    assert_int_equal(app_webrtc_get_ice_servers(&count, got), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(count, 2);
    stop_app();
    assert_int_equal(esp_work_queue_deinit(), ESP_OK);

    /* useTurn false: TURN is left out; nothing configured and no default: no server */
    fakes_reset();
    cfg = base_config();
    cfg.useTurn = false;
    fs.refresh_needed = true;
    start_connected(&cfg);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "p", OFFER_A);
    wait_inbox("p", 1);
    ertc_sleep_ms(20);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fs.refreshes, 1); /* refreshed inline: no work queue running */
    assert_int_equal(fp.ice_count, 0);
    ertc_mutex_unlock(rec_lock);
    stop_app();

    /* nothing configured and use_default_stun: the seed's default (the fake contacts nobody) */
    fakes_reset();
    cfg = base_config();
    cfg.use_default_stun = true;
    start_connected(&cfg);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.ice_count, 1);
    assert_string_equal(fp.ice_urls[0], APP_WEBRTC_DEFAULT_STUN_SERVER);
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

/* ---- life cycle ------------------------------------------------------------------------------ */

static WEBRTC_STATUS terminate_result = WEBRTC_STATUS_SUCCESS;
static void terminating_callback(app_webrtc_event_data_t *ev, void *user)
{
    if (ev->event_id == APP_WEBRTC_EVENT_SIGNALING_CONNECTED) {
        terminate_result = app_webrtc_terminate(); /* not allowed here */
    }
    on_event(ev, user); /* recorded after: the test waits for this record */
}

static WEBRTC_STATUS failing_pc_init(void *cfg, void **client)
{
    (void)cfg;
    (void)client;
    return WEBRTC_STATUS_INTERNAL_ERROR;
}

static void test_life_cycle(void **state)
{
    (void)state;
    /* a peer connection that cannot start: run returns its error and frees everything */
    static webrtc_peer_connection_if_t broken;
    broken = fake_pc_if;
    broken.init = failing_pc_init;
    app_webrtc_config_t bad = base_config();
    bad.peer_connection_if = &broken;
    assert_int_equal(app_webrtc_init(&bad), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_run(), WEBRTC_STATUS_INTERNAL_ERROR);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_ERROR, NULL), 1);
    assert_int_equal(fs.frees, 1);
    assert_int_equal(fs.connects, 0);
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_INVALID_OPERATION);
    fakes_reset();

    /* terminate without run frees everything */
    app_webrtc_config_t cfg = base_config();
    assert_int_equal(app_webrtc_run(), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_INVALID_OPERATION);
    assert_null(app_webrtc_get_signaling_client());
    assert_int_equal(app_webrtc_init(&cfg), WEBRTC_STATUS_SUCCESS);
    assert_ptr_equal(app_webrtc_get_signaling_client(), &fs_client_token);
    assert_int_equal(app_webrtc_init(&cfg), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(app_webrtc_set_role(WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_set_codecs(APP_WEBRTC_CODEC_OPUS, APP_WEBRTC_CODEC_VP8),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_set_codecs(APP_WEBRTC_CODEC_H264, APP_WEBRTC_CODEC_VP8),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(app_webrtc_enable_media_reception(true), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(fs.frees, 1);
    assert_int_equal(fp.inits, 0);

    /* settings made before run reach the peer connection */
    assert_int_equal(app_webrtc_init(&cfg), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_set_ice_config(false, true), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_enable_media_reception(true), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_set_media_type(APP_WEBRTC_MEDIA_AUDIO), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_thread_create(&run_thread, "app", 0, run_main, NULL),
                     WEBRTC_STATUS_SUCCESS);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    assert_false(fp.cfg.trickle_ice);
    assert_true(fp.cfg.receive_media);
    assert_int_equal(fp.cfg.media_type, APP_WEBRTC_MEDIA_AUDIO);
    assert_non_null(fp.cfg.event_loop);
    /* settings are refused while running */
    assert_int_equal(app_webrtc_set_role(WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER),
                     WEBRTC_STATUS_INVALID_OPERATION);
    stop_app();

    /* terminate from the event callback is refused, not a deadlock */
    fakes_reset();
    terminate_result = WEBRTC_STATUS_SUCCESS;
    app_webrtc_register_event_callback(terminating_callback, NULL);
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    assert_int_equal(terminate_result, WEBRTC_STATUS_INVALID_OPERATION);
    stop_app();
}

/* ---- no leak over many sessions ----------------------------------------------------------------
 */

static void test_cycles_without_leak(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, after;
    ertc_alloc_get_stats(&before);
    for (int round = 0; round < 2; round++) {
        fakes_reset();
        app_webrtc_config_t cfg = base_config();
        fp.auto_answer = true;
        start_connected(&cfg);
        for (int i = 0; i < 100; i++) {
            char peer[32];
            snprintf(peer, sizeof(peer), "cycle-%d", i);
            remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, peer, CAND(1));
            remote_send(ESP_WEBRTC_MESSAGE_OFFER, peer, OFFER_A);
            wait_inbox(peer, 2);
            peer_state(peer, WEBRTC_PEER_STATE_CONNECTED);
            if (i % 2) {
                peer_state(peer, WEBRTC_PEER_STATE_DISCONNECTED);
            } else {
                remote_send(ESP_WEBRTC_MESSAGE_BYE, peer, NULL);
            }
            wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, peer, 1);
        }
        /* one held candidate left behind must not leak either */
        remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "never", CAND(9));
        wait_event(APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, "never", 1);
        stop_app();
        assert_int_equal(fp.destroys, 100);
        assert_int_equal(fp.creates, 100);
    }
    ertc_alloc_get_stats(&after);
    ertc_alloc_counting_disable();
    print_message("bytes live before %zu, after %zu; peak %zu\n", before.current, after.current,
                  after.peak);
    assert_int_equal(after.current, before.current);
}

/* ---- hostile input ------------------------------------------------------------------------- */

static void test_hostile_messages(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, after;
    ertc_alloc_get_stats(&before);
    app_webrtc_config_t cfg = base_config();
    cfg.logLevel = ERTC_LOG_ERROR; /* thousands of warnings otherwise */
    fp.auto_answer = true;
    start_connected(&cfg);

    /* a payload over the limit, a missing payload with a length: refused at the door */
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = ESP_WEBRTC_MESSAGE_OFFER;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "big");
    static char big[APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN + 1];
    memset(big, 'x', sizeof(big));
    m.payload = big;
    m.payload_len = sizeof(big);
    assert_int_equal(fs.on_msg(fs.custom, &m), WEBRTC_STATUS_INVALID_ARG);
    m.payload = NULL;
    m.payload_len = 5;
    assert_int_equal(fs.on_msg(fs.custom, &m), WEBRTC_STATUS_INVALID_ARG);
    /* ids with no terminator are cut, never overread */
    memset(m.peer_client_id, 'P', sizeof(m.peer_client_id));
    memset(m.correlation_id, 'C', sizeof(m.correlation_id));
    m.message_type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
    m.payload = (char *)"{}";
    m.payload_len = 2;
    assert_int_equal(fs.on_msg(fs.custom, &m), WEBRTC_STATUS_SUCCESS);

    /* a storm of random messages from many peers */
    unsigned seed = 12345;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        char peer[16];
        snprintf(peer, sizeof(peer), "r%u", (seed >> 8) % 40);
        static const esp_webrtc_message_type_t types[] = {
            ESP_WEBRTC_MESSAGE_UNKNOWN,
            ESP_WEBRTC_MESSAGE_OFFER,
            ESP_WEBRTC_MESSAGE_ANSWER,
            ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
            ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
            ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
            ESP_WEBRTC_MESSAGE_BYE,
            ESP_WEBRTC_MESSAGE_STATE_CHANGE,
            ESP_WEBRTC_MESSAGE_ERROR,
            ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER,
            ESP_WEBRTC_MESSAGE_CUSTOM_BASE + 7,
            (esp_webrtc_message_type_t)55,
        };
        esp_webrtc_message_type_t type = types[(seed >> 16) % 12];
        remote_send(type, peer, (seed >> 4) % 5 == 0 ? NULL : CAND(5));
        if (i % 500 == 0) {
            ertc_sleep_ms(5); /* let the loop keep up now and then */
        }
    }
    /* the loop is still responsive and within its limits */
    app_webrtc_session_metrics_t met;
    assert_int_not_equal(app_webrtc_get_session_metrics("nobody", &met), WEBRTC_STATUS_SUCCESS);
    /* once more: the iteration after the storm runs the reaper first (timers before posts), so
     * sessions closed by the last messages are gone too */
    assert_int_not_equal(app_webrtc_get_session_metrics("nobody", &met), WEBRTC_STATUS_SUCCESS);
    ertc_mutex_lock(rec_lock);
    int live = 0;
    for (int i = 0; i < MAX_FP_SESSIONS; i++) {
        live += fp.s[i].used && !fp.s[i].destroyed;
    }
    ertc_mutex_unlock(rec_lock);
    assert_true(live <= 2);
    stop_app();
    ertc_alloc_get_stats(&after);
    ertc_alloc_counting_disable();
    assert_int_equal(after.current, before.current);
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_offers_from_two_peers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_routed_by_peer_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_candidates_before_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_candidates_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_third_peer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trigger_offer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_from_the_peer_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_session_late_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signaling_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signaling_only_with_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ice_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycles_without_leak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_messages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
