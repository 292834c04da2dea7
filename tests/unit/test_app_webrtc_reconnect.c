/*
 * test_app_webrtc_reconnect — app_webrtc's signaling reconnect policy with a fake backend
 * that fails: the waits are 5, 10, 20, 40, 60, 60 s (scaled down by the test time base), a
 * success resets them, sessions keep running while signaling is away, a FAILED state and a
 * connect that never completes count as failures, and GO_AWAY reconnects at once.
 */
#include "test_app_webrtc_fake.h"

static int setup(void **state)
{
    (void)state;
    fakes_reset();
    app_webrtc_test_reconnect_delays(NULL, 0); /* clear the history */
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
    app_webrtc_test_set_ms_per_s(1000);
    return 0;
}

static bool connects_at_least(const void *arg)
{
    return fs.connects >= *(const int *)arg;
}

static void wait_connects(int n)
{
    wait_for(connects_at_least, &n, "connect attempts");
}

static void set_mode(connect_mode_t mode)
{
    ertc_mutex_lock(rec_lock);
    fs.mode = mode;
    ertc_mutex_unlock(rec_lock);
}

static void test_backoff_and_reset(void **state)
{
    (void)state;
    const uint32_t unit = 3; /* ms per policy second */
    app_webrtc_test_set_ms_per_s(unit);
    app_webrtc_config_t cfg = base_config();
    fs.mode = CONNECT_FAIL;
    start_app(&cfg);
    wait_connects(7); /* the first attempt and six retries */
    set_mode(CONNECT_OK);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);

    uint32_t d[16];
    uint32_t n = app_webrtc_test_reconnect_delays(d, 16);
    assert_true(n >= 6);
    static const uint32_t want[] = {5, 10, 20, 40, 60, 60};
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(d[i], want[i]);
    }
    /* and the timers really waited (never early) */
    ertc_mutex_lock(rec_lock);
    for (int i = 1; i < 7; i++) {
        uint64_t gap = fs.connect_ms[i] - fs.connect_ms[i - 1];
        assert_true(gap + 1 >= want[i - 1] * unit);
    }
    /* every retry starts from a clean client */
    assert_true(fs.disconnects >= 6);
    ertc_mutex_unlock(rec_lock);

    /* connected: the count starts again at 5 s */
    app_webrtc_test_reconnect_delays(NULL, 0);
    fs.on_error(fs.custom, WEBRTC_STATUS_SIGNALING_CONNECTION_LOST, (char *)"socket closed", 13);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 2);
    n = app_webrtc_test_reconnect_delays(d, 16);
    assert_int_equal(n, 1);
    assert_int_equal(d[0], 5);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_SIGNALING_ERROR, NULL), 1);
    /* an error that does not need a reconnect is only reported */
    int connects = fs.connects;
    fs.on_error(fs.custom, WEBRTC_STATUS_SIGNALING_RATE_LIMITED, (char *)"slow down", 9);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_ERROR, NULL, 2);
    ertc_sleep_ms(20 * unit);
    assert_int_equal(fs.connects, connects);
    stop_app();
}

static void test_sessions_survive_reconnect(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(2);
    app_webrtc_config_t cfg = base_config();
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "cam-viewer", "{\"type\":\"offer\"}");
    wait_event(APP_WEBRTC_EVENT_RECEIVED_OFFER, "cam-viewer", 1);
    peer_state("cam-viewer", WEBRTC_PEER_STATE_CONNECTED);

    /* the signaling connection drops (the backend reports it from its thread) */
    set_mode(CONNECT_FAIL);
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, NULL, 1);
    wait_connects(3);
    set_mode(CONNECT_OK);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 2);

    /* the session was never touched and still takes messages; new peers work */
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_DISCONNECTED, NULL), 0);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.destroys, 0);
    ertc_mutex_unlock(rec_lock);
    remote_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "cam-viewer", "{\"candidate\":\"c\"}");
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "second", "{\"type\":\"offer\"}");
    wait_event(APP_WEBRTC_EVENT_RECEIVED_OFFER, "second", 1);
    wait_event(APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, "cam-viewer", 1);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp_find("cam-viewer", true)->inbox_count, 2);
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

typedef struct {
    esp_webrtc_message_type_t type;
    const char *peer;
    int n;
} sent_want_t;

static bool sent_at_least(const void *arg)
{
    const sent_want_t *w = arg;
    int n = 0;
    for (int i = 0; i < fs.sent_count; i++) {
        n += fs.sent[i].type == w->type && strcmp(fs.sent[i].peer, w->peer) == 0;
    }
    return n >= w->n;
}

static void test_messages_wait_for_signaling(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(2);
    app_webrtc_config_t cfg = base_config();
    fp.auto_answer = true;
    fs.retry_later = 3; /* the backend is busy: RETRY_LATER, then it takes messages */
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    remote_send(ESP_WEBRTC_MESSAGE_OFFER, "busy", "{\"type\":\"offer\"}");
    sent_want_t w = {ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "busy", 1};
    wait_for(sent_at_least, &w, "the candidate after RETRY_LATER");
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fs.sent_count, 2);
    assert_int_equal(fs.sent[0].type, ESP_WEBRTC_MESSAGE_ANSWER); /* in order */
    assert_int_equal(fs.sent[1].type, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
    ertc_mutex_unlock(rec_lock);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_ERROR, NULL), 0);

    /* signaling drops while a session still has things to say: said after the reconnect */
    set_mode(CONNECT_FAIL);
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, NULL, 1);
    local_send("busy", ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"late\"}");
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "busy"), 1);
    set_mode(CONNECT_OK);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 2);
    sent_want_t w2 = {ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "busy", 2};
    wait_for(sent_at_least, &w2, "the candidate made while signaling was away");
    ertc_mutex_lock(rec_lock);
    assert_string_equal(fs.sent[fs.sent_count - 1].payload, "{\"candidate\":\"late\"}");
    ertc_mutex_unlock(rec_lock);
    stop_app();
}

static void test_failed_state_and_silent_connect(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(2);
    app_webrtc_config_t cfg = base_config();
    fs.mode = CONNECT_REPORT_FAILED;
    start_app(&cfg);
    wait_connects(3);
    set_mode(CONNECT_SILENT); /* the next attempt never reports anything */
    wait_connects(5);
    uint32_t d[16];
    uint32_t n = app_webrtc_test_reconnect_delays(d, 16);
    assert_true(n >= 4);
    assert_int_equal(d[0], 5);
    assert_int_equal(d[1], 10);
    assert_int_equal(d[2], 20);
    assert_int_equal(d[3], 40); /* the silent attempt timed out */
    assert_true(count_events(APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, NULL) >= 3);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL), 0);
    stop_app();
}

static void test_backend_reconnects_by_itself(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(1);
    app_webrtc_config_t cfg = base_config();
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    /* AppRTC reports CONNECTING while it reconnects its WebSocket by itself */
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, NULL, 1);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTING, NULL, 2);
    ertc_sleep_ms(50); /* 50 policy seconds: app_webrtc leaves the backend alone */
    assert_int_equal(fs.connects, 1);
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 2);
    /* if it gives up, app_webrtc's policy takes over */
    fs.on_error(fs.custom, WEBRTC_STATUS_SIGNALING_RECONNECT_FAILED, (char *)"gave up", 7);
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_FAILED);
    wait_connects(2);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 3);
    uint32_t d[4];
    assert_int_equal(app_webrtc_test_reconnect_delays(d, 4), 1); /* one failure, not two */
    assert_int_equal(d[0], 5);
    stop_app();
}

static void test_go_away(void **state)
{
    (void)state;
    app_webrtc_test_set_ms_per_s(1000); /* a 5 s wait would fail this test */
    app_webrtc_config_t cfg = base_config();
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    remote_send(ESP_WEBRTC_MESSAGE_GO_AWAY, "", NULL);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 2);
    uint32_t d[4];
    assert_int_equal(app_webrtc_test_reconnect_delays(d, 4), 0);
    assert_int_equal(fs.connects, 2);
    stop_app();
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backoff_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions_survive_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_wait_for_signaling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_state_and_silent_connect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backend_reconnects_by_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_go_away, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
