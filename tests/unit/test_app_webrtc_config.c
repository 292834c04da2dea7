/*
 * test_app_webrtc_config — a configuration error fails app_webrtc_init with a log line that
 * names the field, and leaves nothing running (the next init with a good configuration
 * works, and nothing is allocated). TURN credentials never reach the log.
 */
#include "test_app_webrtc_fake.h"

static char last_error[ERTC_LOG_MAX_LINE + 1];
static char all_logs[16384];

static void sink(int level, const char *tag, const char *line, void *ctx)
{
    (void)tag;
    (void)ctx;
    if (level >= ERTC_LOG_ERROR) {
        snprintf(last_error, sizeof(last_error), "%s", line);
    }
    size_t used = strlen(all_logs);
    snprintf(all_logs + used, sizeof(all_logs) - used, "%s\n", line);
}

static int setup(void **state)
{
    (void)state;
    fakes_reset();
    last_error[0] = '\0';
    all_logs[0] = '\0';
    ertc_log_set_sink(sink, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ertc_log_set_sink(NULL, NULL);
    return 0;
}

/* init must fail with st and a message containing field; then a good init must work. */
static void expect_bad(app_webrtc_config_t *cfg, WEBRTC_STATUS st, const char *field)
{
    ertc_alloc_stats_t before, after;
    ertc_alloc_counting_enable();
    ertc_alloc_get_stats(&before);
    last_error[0] = '\0';
    assert_int_equal(app_webrtc_init(cfg), st);
    ertc_alloc_get_stats(&after);
    ertc_alloc_counting_disable();
    if (strstr(last_error, field) == NULL) {
        fail_msg("the error \"%s\" does not name %s", last_error, field);
    }
    assert_int_equal(after.current, before.current); /* nothing left behind */
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_INVALID_OPERATION);
    app_webrtc_config_t good = base_config();
    assert_int_equal(app_webrtc_init(&good), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_SUCCESS);
}

static void test_missing_fields(void **state)
{
    (void)state;
    expect_bad(NULL, WEBRTC_STATUS_NULL_ARG, "config");
    app_webrtc_config_t cfg = base_config();
    cfg.signaling_client_if = NULL;
    expect_bad(&cfg, WEBRTC_STATUS_NULL_ARG, "signaling_client_if");

    static webrtc_signaling_client_if_t no_connect;
    no_connect = fake_sig_if;
    no_connect.connect = NULL;
    cfg = base_config();
    cfg.signaling_client_if = &no_connect;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "signaling_client_if->connect");

    /* the backend refuses its own configuration: init fails, naming signaling_cfg */
    cfg = base_config();
    cfg.signaling_cfg = NULL;
    expect_bad(&cfg, WEBRTC_STATUS_NULL_ARG, "signaling_cfg");
    assert_non_null(strstr(all_logs, "server_url")); /* the backend's own message */

    static webrtc_peer_connection_if_t no_send;
    no_send = fake_pc_if;
    no_send.send_message = NULL;
    cfg = base_config();
    cfg.peer_connection_if = &no_send;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "peer_connection_if->send_message");

    cfg = base_config();
    cfg.signaling_only = true;
    cfg.peer_connection_if = NULL;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "peer_connection_if");

    static media_stream_video_capture_t half_camera; /* no get_frame */
    cfg = base_config();
    cfg.video_capture = &half_camera;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "video_capture");
}

static void test_bad_values(void **state)
{
    (void)state;
    app_webrtc_config_t cfg = base_config();
    cfg.role_type = (webrtc_signaling_channel_role_type_t)7;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "role_type");
    cfg = base_config();
    cfg.logLevel = 9;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "logLevel");
    cfg = base_config();
    cfg.videoCodec = APP_WEBRTC_CODEC_OPUS;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "videoCodec");
    cfg = base_config();
    cfg.audioCodec = APP_WEBRTC_CODEC_VP8;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "audioCodec");
    cfg = base_config();
    cfg.mediaType = (app_webrtc_streaming_media_t)9;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "mediaType");
    cfg = base_config();
    cfg.max_sessions = APP_WEBRTC_MAX_SESSIONS_LIMIT + 1;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "max_sessions");
    cfg = base_config();
    cfg.answer_timeout_s = APP_WEBRTC_MAX_ANSWER_TIMEOUT_S + 1;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "answer_timeout_s");
    cfg = base_config();
    cfg.relay_only = true;
    cfg.useTurn = false;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "relay_only");
}

static void test_bad_ice_servers(void **state)
{
    (void)state;
    static const char *const bad_urls[] = {
        "http://127.0.0.1",
        "stun:",
        "stun::3478",
        "stun:host:0",
        "stun:host:70000",
        "stun:ho st",
        "turn:h?transport=x",
        "stun:h?transport=udp",
        "turn:[::1",
        "stun:h:34a",
        "",
    };
    for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
        app_webrtc_ice_server_t servers[2];
        memset(servers, 0, sizeof(servers));
        snprintf(servers[0].urls, sizeof(servers[0].urls), "stun:127.0.0.1:3478");
        snprintf(servers[1].urls, sizeof(servers[1].urls), "%s", bad_urls[i]);
        app_webrtc_config_t cfg = base_config();
        cfg.ice_servers = servers;
        cfg.ice_server_count = 2;
        expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "ice_servers[1].urls");
    }
    /* TURN without credentials; and the credential never appears in a log */
    app_webrtc_ice_server_t turn;
    memset(&turn, 0, sizeof(turn));
    snprintf(turn.urls, sizeof(turn.urls), "turn:127.0.0.1:3478?transport=udp");
    snprintf(turn.credential, sizeof(turn.credential), "TopSecretPass");
    app_webrtc_config_t cfg = base_config();
    cfg.ice_servers = &turn;
    cfg.ice_server_count = 1;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "ice_servers[0].username");
    assert_null(strstr(all_logs, "TopSecretPass"));

    cfg = base_config();
    cfg.ice_servers = NULL;
    cfg.ice_server_count = 1;
    expect_bad(&cfg, WEBRTC_STATUS_NULL_ARG, "ice_servers");
    cfg = base_config();
    cfg.ice_servers = &turn;
    cfg.ice_server_count = APP_WEBRTC_MAX_ICE_SERVERS_COUNT + 1;
    expect_bad(&cfg, WEBRTC_STATUS_INVALID_ARG, "ice_server_count");

    /* good ones pass */
    static const char *const good_urls[] = {
        "stun:127.0.0.1",          "stun:localhost:3478",
        "stuns:example.test:5349", "turn:[::1]:3478?transport=tcp",
        "turns:relay.test",
    };
    for (size_t i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
        app_webrtc_ice_server_t s;
        memset(&s, 0, sizeof(s));
        snprintf(s.urls, sizeof(s.urls), "%s", good_urls[i]);
        snprintf(s.username, sizeof(s.username), "u");
        snprintf(s.credential, sizeof(s.credential), "p");
        cfg = base_config();
        cfg.ice_servers = &s;
        cfg.ice_server_count = 1;
        assert_int_equal(app_webrtc_init(&cfg), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_SUCCESS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ice_servers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
