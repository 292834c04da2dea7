/*
 * test_app_webrtc_reoffer — app_webrtc's two give-up rules, with the scripted fakes:
 *
 *   - a session we offered that gets no answer fails with TIMEOUT and is closed; in the
 *     VIEWER role a fresh offer goes to the same peer after 15, 30, then 60 s (scaled down by
 *     the test time base) until an answer comes; terminate during the wait ends it cleanly;
 *   - APP_WEBRTC_AUTH_FAILURES_MAX AUTH_FAILED errors in a row end app_webrtc_run with
 *     SIGNALING_AUTH_FAILED; a CONNECTED in between starts the count again.
 */
#include "test_app_webrtc_fake.h"

static int setup(void **state)
{
    (void)state;
    fakes_reset();
    app_webrtc_test_reconnect_delays(NULL, 0);
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

static void wait_offers(const char *peer, int n)
{
    sent_want_t w = {ESP_WEBRTC_MESSAGE_OFFER, peer, n};
    wait_for(sent_at_least, &w, "offers");
}

/* Events id whose message contains text. */
static int count_with_text(app_webrtc_event_t id, const char *text)
{
    ertc_mutex_lock(rec_lock);
    int n = 0;
    for (int i = 0; i < event_count; i++) {
        n += events[i].id == id && strstr(events[i].message, text) != NULL;
    }
    ertc_mutex_unlock(rec_lock);
    return n;
}

static void test_viewer_offers_again_until_answered(void **state)
{
    (void)state;
    const uint32_t unit = 2; /* ms per policy second */
    app_webrtc_test_set_ms_per_s(unit);
    app_webrtc_config_t cfg = base_config();
    cfg.role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER;
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);

    uint64_t t0 = ertc_time_mono_ms();
    assert_int_equal(app_webrtc_trigger_offer("late-master"), 0);
    wait_offers("late-master", 1);
    /* nobody answers: the session fails with TIMEOUT and is closed */
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "late-master", 1);
    uint64_t t_fail = ertc_time_mono_ms();
    assert_true(t_fail - t0 + 1 >= 15 * unit);
    ertc_mutex_lock(rec_lock);
    for (int i = 0; i < event_count; i++) {
        if (events[i].id == APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED) {
            assert_int_equal(events[i].status, WEBRTC_STATUS_TIMEOUT);
            assert_non_null(strstr(events[i].message, "no answer"));
            assert_true(events[i].had_metrics);
            assert_true(events[i].metrics.initiator);
        }
    }
    ertc_mutex_unlock(rec_lock);
    wait_event(APP_WEBRTC_EVENT_PEER_DISCONNECTED, "late-master", 1);

    /* a fresh session offers again after 15 s, then (no answer again) after 30 s */
    wait_offers("late-master", 2);
    uint64_t t_offer2 = ertc_time_mono_ms();
    assert_true(t_offer2 - t0 + 1 >= (15 + 15) * unit);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "late-master", 2);
    wait_offers("late-master", 3);
    assert_true(ertc_time_mono_ms() - t_offer2 + 1 >= (15 + 30) * unit);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 3);
    assert_int_equal(fp_find("late-master", true)->offers_made, 1); /* a new session each time */
    ertc_mutex_unlock(rec_lock);

    /* the master is there now: its answer reaches the third session, which connects */
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "late-master", "{\"type\":\"answer\",\"sdp\":\"v=0\"}");
    peer_state("late-master", WEBRTC_PEER_STATE_CONNECTED);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTED, "late-master", 1);
    ertc_mutex_lock(rec_lock);
    fp_session_t *s = fp_find("late-master", true);
    assert_int_equal(s->inbox_count, 1);
    assert_int_equal(s->inbox_type[0], ESP_WEBRTC_MESSAGE_ANSWER);
    ertc_mutex_unlock(rec_lock);
    /* and nothing more: no timeout, no offer (longer than the answer timeout and a backoff) */
    ertc_sleep_ms(100 * unit);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "late-master"), 3);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "late-master"), 2);
    stop_app();
}

static void test_master_gives_up_without_reoffer(void **state)
{
    (void)state;
    const uint32_t unit = 2;
    app_webrtc_test_set_ms_per_s(unit);
    app_webrtc_config_t cfg = base_config(); /* MASTER: a trigger_offer is the app's own */
    cfg.answer_timeout_s = 5;
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    uint64_t t0 = ertc_time_mono_ms();
    assert_int_equal(app_webrtc_trigger_offer("quiet"), 0);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "quiet", 1);
    assert_true(ertc_time_mono_ms() - t0 + 1 >= 5 * unit);
    assert_int_equal(count_with_text(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "within 5 s"), 1);
    ertc_sleep_ms(60 * unit);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "quiet"), 1);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, 1);
    assert_int_equal(fp.destroys, 1);
    ertc_mutex_unlock(rec_lock);

    /* a session that got its answer has no answer timeout (ICE/DTLS timeouts are the pc's) */
    assert_int_equal(app_webrtc_trigger_offer("prompt"), 0);
    remote_send(ESP_WEBRTC_MESSAGE_ANSWER, "prompt", "{\"type\":\"answer\"}");
    ertc_sleep_ms(20 * unit);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "prompt"), 0);
    stop_app();
}

static void test_terminate_during_the_wait(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, after;
    ertc_alloc_get_stats(&before);
    const uint32_t unit = 10;
    app_webrtc_test_set_ms_per_s(unit);
    app_webrtc_config_t cfg = base_config();
    cfg.role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER;
    cfg.answer_timeout_s = 2;
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    /* a backend's TRIGGER_OFFER is an initiator session like app_webrtc_trigger_offer's */
    remote_send(ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, "gone", NULL);
    wait_event(APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, "gone", 1);
    /* another one still waits for its answer when terminate comes */
    assert_int_equal(app_webrtc_trigger_offer("pending"), 0);
    stop_app(); /* the re-offer (15 s = 150 ms away) and the answer timer are stopped */
    ertc_mutex_lock(rec_lock);
    int creates = fp.creates;
    assert_int_equal(creates, 2);
    assert_int_equal(fp.destroys, 2);
    ertc_mutex_unlock(rec_lock);
    ertc_sleep_ms(30 * unit);
    ertc_mutex_lock(rec_lock);
    assert_int_equal(fp.creates, creates);
    ertc_mutex_unlock(rec_lock);
    assert_int_equal(sent_count(ESP_WEBRTC_MESSAGE_OFFER, "gone"), 1);
    ertc_alloc_get_stats(&after);
    ertc_alloc_counting_disable();
    print_message("bytes live before %zu, after %zu\n", before.current, after.current);
    assert_int_equal(after.current, before.current);
}

static bool connected_once(const void *arg)
{
    (void)arg;
    return fs.connects >= 1;
}

static void auth_failed(void)
{
    fs.on_error(fs.custom, WEBRTC_STATUS_SIGNALING_AUTH_FAILED, (char *)"403 Forbidden", 13);
}

static void test_auth_failures_end_run(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, after;
    ertc_alloc_get_stats(&before);
    app_webrtc_test_set_ms_per_s(1);
    app_webrtc_config_t cfg = base_config();
    cfg.logLevel = ERTC_LOG_ERROR; /* a warning per failure otherwise */
    fs.mode = CONNECT_SILENT;      /* attempts never report: only the errors below count */
    start_app(&cfg);
    wait_for(connected_once, NULL, "the first connect");
    for (int i = 0; i < APP_WEBRTC_AUTH_FAILURES_MAX - 1; i++) {
        auth_failed();
    }
    wait_event(APP_WEBRTC_EVENT_SIGNALING_ERROR, NULL, APP_WEBRTC_AUTH_FAILURES_MAX - 1);
    /* a success in between (refreshed credentials) starts the count again */
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    for (int i = 0; i < APP_WEBRTC_AUTH_FAILURES_MAX - 1; i++) {
        auth_failed();
    }
    wait_event(APP_WEBRTC_EVENT_SIGNALING_ERROR, NULL, 2 * (APP_WEBRTC_AUTH_FAILURES_MAX - 1));
    ertc_sleep_ms(30); /* 30 policy seconds of retries: still running */
    assert_int_equal(count_with_text(APP_WEBRTC_EVENT_SIGNALING_ERROR, "for good"), 0);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_DEINITIALIZING, NULL), 0);
    ertc_mutex_lock(rec_lock);
    assert_true(fs.connects > 1); /* the policy kept retrying */
    ertc_mutex_unlock(rec_lock);

    auth_failed(); /* the fifth in a row */
    assert_int_equal(ertc_thread_join(run_thread), WEBRTC_STATUS_SUCCESS);
    run_thread = NULL;
    assert_int_equal(run_result, WEBRTC_STATUS_SIGNALING_AUTH_FAILED);
    assert_int_equal(count_with_text(APP_WEBRTC_EVENT_SIGNALING_ERROR, "for good"), 1);
    assert_int_equal(count_events(APP_WEBRTC_EVENT_DEINITIALIZING, NULL), 1);
    assert_int_equal(fs.frees, 1);
    assert_int_equal(fp.frees, 1);
    /* run freed everything: terminate has nothing to do, a new init works */
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_INVALID_OPERATION);
    fakes_reset();
    fs.mode = CONNECT_OK;
    start_app(&cfg);
    wait_event(APP_WEBRTC_EVENT_SIGNALING_CONNECTED, NULL, 1);
    stop_app();
    ertc_alloc_get_stats(&after);
    ertc_alloc_counting_disable();
    print_message("bytes live before %zu, after %zu\n", before.current, after.current);
    assert_int_equal(after.current, before.current);
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_viewer_offers_again_until_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_master_gives_up_without_reoffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminate_during_the_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_failures_end_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
