/*
 * The WebSocket client against an independent real server (Debian's python3-websockets),
 * over ws:// and wss:// with a test CA made at test time: 1 MiB messages, fragmentation both
 * ways, ping/pong, server-initiated close, abrupt disconnect, a full send queue, close
 * timeout, a refused handshake, and TLS failures (unknown CA, wrong host name, expired
 * certificate), each ending with a specific, readable error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/ws_client.h"
#include "port/port.h"
#include "test_server.h"
#include "util/alloc.h"

typedef struct {
    ertc_loop_t *loop;
    ertc_ws_client_t *ws;
    bool opened;
    bool closed;
    WEBRTC_STATUS close_status;
    uint16_t close_code;
    char close_reason[ERTC_WS_REASON_LEN];
    int messages;
    int pongs;
    int errors;
    WEBRTC_STATUS error_status;
    bool last_text;
    uint8_t *last;
    size_t last_len;
    size_t total_bytes;
} client_t;

static const char *certs;
static test_server_t ws_plain, ws_tls, ws_wronghost, ws_expired, ws_unknown, http_plain;
static ertc_tls_config_t *tls_trusting_test_ca;

static void on_open(ertc_ws_client_t *ws, void *arg)
{
    (void)ws;
    ((client_t *)arg)->opened = true;
}

static void on_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg)
{
    (void)ws;
    client_t *c = arg;
    c->messages++;
    c->total_bytes += len;
    c->last_text = is_text;
    free(c->last);
    c->last = malloc(len + 1);
    memcpy(c->last, data, len);
    c->last[len] = 0;
    c->last_len = len;
}

static void on_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason,
                     void *arg)
{
    (void)ws;
    client_t *c = arg;
    c->closed = true;
    c->close_status = status;
    c->close_code = code;
    snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason);
}

static void on_pong(ertc_ws_client_t *ws, const uint8_t *data, size_t len, void *arg)
{
    (void)ws;
    (void)data;
    (void)len;
    ((client_t *)arg)->pongs++;
}

static void on_error(ertc_ws_client_t *ws, WEBRTC_STATUS status, const char *reason, void *arg)
{
    (void)ws;
    (void)reason;
    client_t *c = arg;
    assert_false(c->closed); /* on_error comes first */
    c->errors++;
    c->error_status = status;
}

static const ertc_ws_callbacks_t callbacks = {on_open, on_message, on_close, on_pong, on_error};

/* Runs the loop until *flag or the deadline; returns *flag. */
static bool run_until(client_t *c, const bool *flag, int timeout_ms)
{
    uint64_t end = ertc_time_mono_ms() + (uint64_t)timeout_ms;
    while (!*flag && ertc_time_mono_ms() < end) {
        ertc_loop_run_once(c->loop, 50);
    }
    return *flag;
}

static bool run_until_messages(client_t *c, int n, int timeout_ms)
{
    uint64_t end = ertc_time_mono_ms() + (uint64_t)timeout_ms;
    while (c->messages < n && !c->closed && ertc_time_mono_ms() < end) {
        ertc_loop_run_once(c->loop, 50);
    }
    return c->messages >= n;
}

static void client_open(client_t *c, ertc_ws_options_t *opts)
{
    memset(c, 0, sizeof(*c));
    assert_int_equal(ertc_loop_create(&c->loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ws_connect(c->loop, opts, &callbacks, c, &c->ws), WEBRTC_STATUS_SUCCESS);
}

static void client_done(client_t *c)
{
    ertc_ws_free(c->ws);
    /* let closing connections flush */
    for (int i = 0; i < 5; i++) {
        ertc_loop_run_once(c->loop, 10);
    }
    ertc_loop_destroy(c->loop);
    free(c->last);
}

static const char *url(const test_server_t *s, bool tls, const char *path)
{
    static char buf[4][128];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 128, "%s://127.0.0.1:%u%s", tls ? "wss" : "ws", (unsigned)s->port, path);
    return p;
}

static void test_echo_plain_and_big(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_plain, false, "/echo"),
                              .origin = "http://127.0.0.1",
                              .max_message_size = 2 * 1024 * 1024};
    client_open(&c, &opts);
    assert_true(run_until(&c, &c.opened, 10000));
    assert_int_equal(ertc_ws_send_text(c.ws, "hello"), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until_messages(&c, 1, 10000));
    assert_true(c.last_text);
    assert_string_equal((char *)c.last, "hello");

    size_t big = 1024 * 1024;
    uint8_t *blob = malloc(big);
    for (size_t i = 0; i < big; i++) {
        blob[i] = (uint8_t)(i * 31 + 7);
    }
    assert_int_equal(ertc_ws_send(c.ws, false, blob, big), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until_messages(&c, 2, 20000));
    assert_false(c.last_text);
    assert_int_equal(c.last_len, big);
    assert_memory_equal(c.last, blob, big);
    free(blob);

    /* Invalid UTF-8 text is refused before it reaches the wire. */
    assert_int_equal(ertc_ws_send(c.ws, true, "\xc0\x80", 2), WEBRTC_STATUS_INVALID_ARG);

    assert_int_equal(ertc_ws_close(c.ws, 1000, "done"), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&c, &c.closed, 10000));
    assert_int_equal(c.close_status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(c.close_code, 1000);
    client_done(&c);
}

static void test_wss_headers_and_many_messages(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_header_t extra[] = {{"X-Test", "yes"}};
    ertc_ws_options_t opts = {.url = url(&ws_tls, true, "/headers"),
                              .tls = tls_trusting_test_ca,
                              .origin = "https://room.example",
                              .subprotocol = "edgertc-test",
                              .headers = extra,
                              .header_count = 1};
    client_open(&c, &opts);
    assert_true(run_until_messages(&c, 1, 10000));
    assert_non_null(strstr((char *)c.last, "\"origin\": \"https://room.example\""));
    assert_non_null(strstr((char *)c.last, "\"subprotocol\": \"edgertc-test\""));
    assert_non_null(strstr((char *)c.last, "\"x_test\": \"yes\""));
    client_done(&c);

    ertc_ws_options_t echo = {.url = url(&ws_tls, true, "/echo"), .tls = tls_trusting_test_ca};
    client_open(&c, &echo);
    assert_true(run_until(&c, &c.opened, 10000));
    char msg[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(msg, sizeof(msg), "message %d", i);
        assert_int_equal(ertc_ws_send_text(c.ws, msg), WEBRTC_STATUS_SUCCESS);
    }
    assert_true(run_until_messages(&c, 1000, 20000));
    assert_string_equal((char *)c.last, "message 999");
    client_done(&c);
}

/* max_fragment_length: the client asks the server (OpenSSL, under python3-websockets) for 1 KiB
 * records; messages of several records go both ways. Values TLS does not define are refused
 * when the configuration is made, with a message. */
static void test_wss_max_fragment_length(void **state)
{
    (void)state;
    ertc_tls_options_t topts = {
        .role = ERTC_TLS_CLIENT, .ca_path = test_path(certs, "ca.pem"), .max_fragment_len = 3000};
    ertc_tls_config_t *tls = NULL;
    char err[ERTC_TLS_ERROR_LEN];
    assert_int_equal(ertc_tls_config_create(&topts, &tls, err, sizeof(err)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_null(tls);
    assert_non_null(strstr(err, "max_fragment_len 3000"));
    topts.max_fragment_len = 1024;
    assert_int_equal(ertc_tls_config_create(&topts, &tls, err, sizeof(err)), WEBRTC_STATUS_SUCCESS);

    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_tls, true, "/echo"), .tls = tls};
    client_open(&c, &opts);
    assert_true(run_until(&c, &c.opened, 10000));
    size_t size = 5000;
    uint8_t *blob = malloc(size);
    assert_non_null(blob);
    for (size_t i = 0; i < size; i++) {
        blob[i] = (uint8_t)(i * 13 + 1);
    }
    assert_int_equal(ertc_ws_send(c.ws, false, blob, size), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until_messages(&c, 1, 10000));
    assert_int_equal(c.last_len, size);
    assert_memory_equal(c.last, blob, size);
    free(blob);
    client_done(&c);
    ertc_tls_config_unref(tls);
}

static void test_fragmentation_both_ways(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_plain, false, "/fragment"), .max_frame_size = 1000};
    client_open(&c, &opts);
    assert_true(run_until_messages(&c, 1, 10000));
    assert_string_equal((char *)c.last, "Hello, fragmented world");
    char *text = malloc(10001);
    for (int i = 0; i < 10000; i++) {
        text[i] = (char)('a' + i % 26);
    }
    text[10000] = 0;
    assert_int_equal(ertc_ws_send_text(c.ws, text), WEBRTC_STATUS_SUCCESS); /* 10 frames */
    assert_true(run_until_messages(&c, 2, 10000));
    assert_string_equal((char *)c.last, text);
    free(text);
    client_done(&c);
}

static void test_ping_pong(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_plain, false, "/ping")};
    client_open(&c, &opts);
    assert_true(run_until_messages(&c, 1, 10000)); /* the server got our pong */
    assert_string_equal((char *)c.last, "pong received");
    client_done(&c);

    ertc_ws_options_t ka = {.url = url(&ws_plain, false, "/echo"), .ping_interval_ms = 100};
    client_open(&c, &ka);
    assert_true(run_until(&c, &c.opened, 10000));
    uint64_t end = ertc_time_mono_ms() + 10000;
    while (c.pongs < 3 && ertc_time_mono_ms() < end) {
        ertc_loop_run_once(c.loop, 50);
    }
    assert_true(c.pongs >= 3);
    assert_false(c.closed);
    client_done(&c);
}

static void test_server_close_and_drop(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_plain, false, "/close")};
    client_open(&c, &opts);
    assert_true(run_until(&c, &c.opened, 10000));
    ertc_ws_send_text(c.ws, "please close");
    assert_true(run_until(&c, &c.closed, 10000));
    assert_int_equal(c.close_status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(c.errors, 0); /* a clean close is not an error */
    assert_int_equal(c.close_code, 4001);
    assert_string_equal(c.close_reason, "server says bye");
    client_done(&c);

    ertc_ws_options_t drop = {.url = url(&ws_plain, false, "/drop")};
    client_open(&c, &drop);
    assert_true(run_until(&c, &c.opened, 10000));
    ertc_ws_send_text(c.ws, "please drop");
    assert_true(run_until(&c, &c.closed, 10000));
    assert_int_equal(c.close_status, WEBRTC_STATUS_NETWORK_ERROR);
    assert_int_equal(c.close_code, 1006);
    assert_non_null(strstr(c.close_reason, "without a close frame"));
    client_done(&c);
}

static void test_send_queue_full_and_close_timeout(void **state)
{
    (void)state;
    client_t c;
    ertc_ws_options_t opts = {.url = url(&ws_plain, false, "/silent"),
                              .send_queue_bytes = 256 * 1024,
                              .close_timeout_ms = 300};
    client_open(&c, &opts);
    assert_true(run_until(&c, &c.opened, 10000));
    static uint8_t chunk[64 * 1024];
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    int sent = 0;
    /* The server reads nothing: socket buffers fill, then our bounded queue refuses. */
    for (int i = 0; i < 4000 && st == WEBRTC_STATUS_SUCCESS; i++) {
        st = ertc_ws_send(c.ws, false, chunk, sizeof(chunk));
        sent += st == WEBRTC_STATUS_SUCCESS;
        ertc_loop_run_once(c.loop, 0);
    }
    assert_int_equal(st, WEBRTC_STATUS_QUEUE_FULL);
    assert_true(sent > 0);
    assert_true(ertc_ws_buffered(c.ws) <= 256 * 1024 + 64 * 1024 + 1024);
    assert_int_equal(ertc_ws_close(c.ws, 1000, NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&c, &c.closed, 10000));
    assert_int_equal(c.close_status, WEBRTC_STATUS_TIMEOUT);
    assert_non_null(strstr(c.close_reason, "no close frame"));
    client_done(&c);
}

static void expect_failure(const char *u, ertc_tls_config_t *tls, WEBRTC_STATUS want,
                           const char *words)
{
    client_t c;
    ertc_ws_options_t opts = {.url = u, .tls = tls};
    client_open(&c, &opts);
    assert_true(run_until(&c, &c.closed, 15000));
    assert_false(c.opened);
    printf("    %s -> %s: %s\n", u, webrtc_status_name(c.close_status), c.close_reason);
    assert_int_equal(c.close_status, want);
    assert_non_null(strstr(c.close_reason, words));
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.error_status, want);
    client_done(&c);
}

static void test_failures_are_specific(void **state)
{
    (void)state;
    expect_failure(url(&ws_unknown, true, "/echo"), tls_trusting_test_ca, WEBRTC_STATUS_CERT_ERROR,
                   "unknown CA");
    expect_failure(url(&ws_wronghost, true, "/echo"), tls_trusting_test_ca,
                   WEBRTC_STATUS_CERT_ERROR, "does not match the host name");
    expect_failure(url(&ws_expired, true, "/echo"), tls_trusting_test_ca, WEBRTC_STATUS_CERT_ERROR,
                   "expired");
    expect_failure(url(&http_plain, false, "/status/403"), NULL,
                   WEBRTC_STATUS_SIGNALING_AUTH_FAILED, "answered 403");
    /* a refusal with a body still names the status */
    expect_failure(url(&http_plain, false, "/len/67"), NULL, WEBRTC_STATUS_NETWORK_ERROR,
                   "answered 200 OK instead of 101");
    expect_failure("ws://127.0.0.1:1/", NULL, WEBRTC_STATUS_NETWORK_ERROR, "refused");
    /* wss to a plain server: the TLS handshake fails, it does not hang */
    expect_failure(url(&ws_plain, true, "/echo"), tls_trusting_test_ca, WEBRTC_STATUS_TLS_ERROR,
                   "TLS handshake");
}

static int start_ws(test_server_t *s, const char *cert)
{
    char script[512], crt[512], key[512];
    snprintf(script, sizeof(script), "%s/ws_server.py", test_scripts_dir());
    if (cert == NULL) {
        char *argv[] = {"/usr/bin/python3", script, NULL};
        return test_server_start(s, argv);
    }
    snprintf(crt, sizeof(crt), "%s/%s.pem", certs, cert);
    snprintf(key, sizeof(key), "%s/%s.key", certs, cert);
    char *argv[] = {"/usr/bin/python3", script, "--tls", crt, key, NULL};
    return test_server_start(s, argv);
}

static int setup(void **state)
{
    (void)state;
    certs = test_make_certs();
    if (certs == NULL) {
        return -1;
    }
    char script[512];
    snprintf(script, sizeof(script), "%s/http_server.py", test_scripts_dir());
    char *http_argv[] = {"/usr/bin/python3", script, NULL};
    if (start_ws(&ws_plain, NULL) || start_ws(&ws_tls, "server") ||
        start_ws(&ws_wronghost, "wronghost") || start_ws(&ws_expired, "expired") ||
        start_ws(&ws_unknown, "unknown") || test_server_start(&http_plain, http_argv)) {
        return -1;
    }
    ertc_tls_options_t topts = {.role = ERTC_TLS_CLIENT, .ca_path = test_path(certs, "ca.pem")};
    char err[256];
    if (ertc_tls_config_create(&topts, &tls_trusting_test_ca, err, sizeof(err)) !=
        WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "TLS config: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_t *all[] = {&ws_plain, &ws_tls, &ws_wronghost, &ws_expired, &ws_unknown,
                            &http_plain};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        test_server_stop(all[i]);
    }
    ertc_tls_config_unref(tls_trusting_test_ca);
    test_remove_dir(certs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_plain_and_big),
        cmocka_unit_test(test_wss_headers_and_many_messages),
        cmocka_unit_test(test_wss_max_fragment_length),
        cmocka_unit_test(test_fragmentation_both_ways),
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_server_close_and_drop),
        cmocka_unit_test(test_send_queue_full_and_close_timeout),
        cmocka_unit_test(test_failures_are_specific),
    };
    return cmocka_run_group_tests_name("ws_client", tests, setup, teardown);
}
