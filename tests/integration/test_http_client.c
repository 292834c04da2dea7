/*
 * The HTTP client against an independent real server (Debian's python3-aiohttp) on
 * 127.0.0.1: Content-Length and chunked bodies, keep-alive reuse, HEAD/204/304 without body,
 * POST, limits, timeouts, the server's Date, and https with a test CA, including mutual TLS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/http_client.h"
#include "port/port.h"
#include "test_server.h"

static const char *certs;
static test_server_t plain, tls, mtls;
static ertc_tls_config_t *tls_ca, *tls_ca_client;

static const char *u(const test_server_t *s, bool secure, const char *path)
{
    static char buf[4][160];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 160, "%s://127.0.0.1:%u%s", secure ? "https" : "http", (unsigned)s->port, path);
    return p;
}

static WEBRTC_STATUS get(ertc_http_sync_t *s, const char *method, const char *url,
                         ertc_http_response_t *r, uint32_t timeout_ms, uint64_t max_body)
{
    ertc_http_request_t req = {
        .method = method, .url = url, .timeout_ms = timeout_ms, .max_body = max_body};
    WEBRTC_STATUS st = ertc_http_sync_request(s, &req, r);
    if (st != WEBRTC_STATUS_SUCCESS) {
        printf("    %s %s -> %s: %s\n", method, url, webrtc_status_name(st), r->error);
    }
    return st;
}

static void test_lengths_chunked_and_empty_bodies(void **state)
{
    (void)state;
    ertc_http_sync_t *s;
    ertc_http_response_t r;
    assert_int_equal(ertc_http_sync_create(NULL, &s), WEBRTC_STATUS_SUCCESS);

    assert_int_equal(get(s, "GET", u(&plain, false, "/len/100"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 100);
    assert_int_equal(r.body[99], 'x');
    assert_int_equal(r.body[100], '\0');
    assert_true(r.server_date > 1600000000); /* the server's Date, for clock-skew correction */
    assert_string_equal(ertc_http_response_header(&r, "content-length"), "100");
    ertc_http_response_free(&r);

    assert_int_equal(get(s, "GET", u(&plain, false, "/chunked/50"), &r, 0, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "chunk-0\nchunk-1\n"));
    assert_non_null(strstr(r.body, "chunk-49\n"));
    assert_string_equal(ertc_http_response_header(&r, "Transfer-Encoding"), "chunked");
    ertc_http_response_free(&r);

    assert_int_equal(get(s, "HEAD", u(&plain, false, "/len/10"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 0);
    ertc_http_response_free(&r);

    assert_int_equal(get(s, "GET", u(&plain, false, "/status/204"), &r, 0, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    ertc_http_response_free(&r);

    assert_int_equal(get(s, "GET", u(&plain, false, "/status/304"), &r, 0, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 304);
    ertc_http_response_free(&r);

    /* A 404 is a response, not an error. */
    assert_int_equal(get(s, "GET", u(&plain, false, "/status/404"), &r, 0, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 404);
    ertc_http_response_free(&r);

    /* After all that, the keep-alive connection still answers. */
    assert_int_equal(get(s, "GET", u(&plain, false, "/len/3"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_true(r.reused_connection);
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);
}

static void test_keep_alive_reuse_and_close(void **state)
{
    (void)state;
    ertc_http_sync_t *s;
    ertc_http_response_t r1, r2, r3, r4;
    assert_int_equal(ertc_http_sync_create(NULL, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&plain, false, "/conn"), &r1, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&plain, false, "/conn"), &r2, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(r1.body, r2.body); /* one TCP connection for both */
    assert_false(r1.reused_connection);
    assert_true(r2.reused_connection);
    /* "Connection: close" ends it; the next request opens another connection. */
    assert_int_equal(get(s, "GET", u(&plain, false, "/close"), &r3, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&plain, false, "/conn"), &r4, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_false(r4.reused_connection);
    assert_string_not_equal(r4.body, r1.body);
    ertc_http_response_free(&r1);
    ertc_http_response_free(&r2);
    ertc_http_response_free(&r3);
    ertc_http_response_free(&r4);
    ertc_http_sync_free(s);
}

static void test_post_echo(void **state)
{
    (void)state;
    ertc_http_sync_t *s;
    ertc_http_response_t r;
    assert_int_equal(ertc_http_sync_create(NULL, &s), WEBRTC_STATUS_SUCCESS);
    size_t n = 100 * 1024;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++) {
        body[i] = (char)('A' + i % 26);
    }
    ertc_http_header_t h[] = {{"Content-Type", "application/x-amz-json-1.1"}};
    ertc_http_request_t req = {.method = "POST",
                               .url = u(&plain, false, "/echo"),
                               .headers = h,
                               .header_count = 1,
                               .body = body,
                               .body_len = n};
    assert_int_equal(ertc_http_sync_request(s, &req, &r), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, n);
    assert_memory_equal(r.body, body, n);
    assert_string_equal(ertc_http_response_header(&r, "content-type"),
                        "application/x-amz-json-1.1");
    ertc_http_response_free(&r);
    free(body);
    ertc_http_sync_free(s);
}

static void test_limits_and_timeouts(void **state)
{
    (void)state;
    ertc_http_sync_t *s;
    ertc_http_response_t r;
    assert_int_equal(ertc_http_sync_create(NULL, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&plain, false, "/len/2000"), &r, 0, 1000),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_non_null(strstr(r.error, "bad response"));
    ertc_http_response_free(&r);
    assert_int_equal(get(s, "GET", u(&plain, false, "/bigheader"), &r, 0, 0),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_non_null(strstr(r.error, "16384"));
    ertc_http_response_free(&r);
    assert_int_equal(get(s, "GET", u(&plain, false, "/slow"), &r, 500, 0), WEBRTC_STATUS_TIMEOUT);
    assert_non_null(strstr(r.error, "within 500 ms"));
    ertc_http_response_free(&r);
    assert_int_equal(get(s, "GET", "http://127.0.0.1:1/", &r, 0, 0), WEBRTC_STATUS_NETWORK_ERROR);
    assert_non_null(strstr(r.error, "refused"));
    ertc_http_response_free(&r);
    /* and the client still works afterwards */
    assert_int_equal(get(s, "GET", u(&plain, false, "/len/1"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);
}

static void test_https_and_mutual_tls(void **state)
{
    (void)state;
    ertc_http_sync_t *s;
    ertc_http_response_t r;
    assert_int_equal(ertc_http_sync_create(tls_ca, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&tls, true, "/chunked/3"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(r.body, "chunk-0\nchunk-1\nchunk-2\n");
    ertc_http_response_free(&r);
    /* the mutual-TLS server refuses a client without a certificate */
    WEBRTC_STATUS st = get(s, "GET", u(&mtls, true, "/whoami"), &r, 5000, 0);
    assert_true(st == WEBRTC_STATUS_TLS_ERROR || st == WEBRTC_STATUS_NETWORK_ERROR);
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);

    assert_int_equal(ertc_http_sync_create(tls_ca_client, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&mtls, true, "/whoami"), &r, 0, 0), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(r.body, "edgertc-device");
    ertc_http_response_free(&r);
    /* https needs a TLS configuration */
    ertc_http_sync_free(s);
    assert_int_equal(ertc_http_sync_create(NULL, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(get(s, "GET", u(&tls, true, "/len/1"), &r, 0, 0), WEBRTC_STATUS_INVALID_ARG);
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);
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
    char *a1[] = {"/usr/bin/python3", script, NULL};
    char *a2[] = {"/usr/bin/python3", script, "--tls", (char *)test_path(certs, "server.pem"),
                  (char *)test_path(certs, "server.key"), NULL};
    char *a3[] = {"/usr/bin/python3",
                  script,
                  "--tls",
                  (char *)test_path(certs, "server.pem"),
                  (char *)test_path(certs, "server.key"),
                  "--client-ca",
                  (char *)test_path(certs, "ca.pem"),
                  NULL};
    if (test_server_start(&plain, a1) || test_server_start(&tls, a2) ||
        test_server_start(&mtls, a3)) {
        return -1;
    }
    char err[256];
    ertc_tls_options_t o1 = {.role = ERTC_TLS_CLIENT, .ca_path = test_path(certs, "ca.pem")};
    ertc_tls_options_t o2 = {.role = ERTC_TLS_CLIENT,
                             .ca_path = test_path(certs, "ca.pem"),
                             .cert_path = test_path(certs, "client.pem"),
                             .key_path = test_path(certs, "client.key")};
    if (ertc_tls_config_create(&o1, &tls_ca, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS ||
        ertc_tls_config_create(&o2, &tls_ca_client, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "TLS config: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&plain);
    test_server_stop(&tls);
    test_server_stop(&mtls);
    ertc_tls_config_unref(tls_ca);
    ertc_tls_config_unref(tls_ca_client);
    test_remove_dir(certs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths_chunked_and_empty_bodies),
        cmocka_unit_test(test_keep_alive_reuse_and_close),
        cmocka_unit_test(test_post_echo),
        cmocka_unit_test(test_limits_and_timeouts),
        cmocka_unit_test(test_https_and_mutual_tls),
    };
    return cmocka_run_group_tests_name("http_client", tests, setup, teardown);
}
