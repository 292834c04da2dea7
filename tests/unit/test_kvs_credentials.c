/*
 * Unit tests for signaling/kvs/kvs_credentials: ISO-8601 expiration parsing, the IoT
 * provider response, the credential file formats, environment values, bad inputs, the
 * refresh rule, the redacted description, zeroisation, and that no log line written while
 * doing all that carries the secret key or the session token.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "signaling/kvs/kvs_credentials.h"
#include "util/log.h"

#define AKID   "ASIAQNZGKEXAMPLE1234"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzSECRETKEY"
#define TOKEN  "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENzzzzzz+/=="

static char g_logs[16384];
static size_t g_logs_len;

static void capture(int level, const char *tag, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    int n = snprintf(g_logs + g_logs_len, sizeof(g_logs) - g_logs_len, "%s: %s\n", tag, line);
    if (n > 0 && (size_t)n < sizeof(g_logs) - g_logs_len) {
        g_logs_len += (size_t)n;
    }
}

static void test_iso8601(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(ertc_kvs_parse_iso8601("1970-01-01T00:00:00Z", 20, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(ertc_kvs_parse_iso8601("2026-11-22T12:00:00Z", 20, &t), 0);
    assert_int_equal(t, 1795348800);
    assert_int_equal(ertc_kvs_parse_iso8601("2018-01-18T09:18:06Z", 20, &t), 0);
    assert_int_equal(t, 1516267086);
    assert_int_equal(ertc_kvs_parse_iso8601("2024-02-29T23:59:59Z", 20, &t), 0);
    assert_int_equal(t, 1709251199);
    assert_int_equal(ertc_kvs_parse_iso8601("2026-11-22T12:00:00.123Z", 24, &t), 0);
    assert_int_equal(t, 1795348800);
    assert_int_equal(ertc_kvs_parse_iso8601("2026-11-22T12:00:00+00:00", 25, &t), 0);
    assert_int_equal(t, 1795348800);
    static const char *const BAD[] = {
        "",
        "2026-11-22",
        "2026-11-22T12:00:00",
        "2026-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T12:60:00Z",
        "2026-11-22 12:00:00Z",
        "1969-12-31T23:59:59Z",
        "2026-11-22T12:00:00+01:00",
        "2026-11-22T12:00:00ZZ",
        "2026-11-22T12:00:00.Z",
        "20261122T120000Z",
        "2026-1-22T12:00:00Z",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        t = 42;
        assert_int_equal(ertc_kvs_parse_iso8601(BAD[i], strlen(BAD[i]), &t),
                         WEBRTC_STATUS_MALFORMED);
        assert_int_equal(t, 42);
    }
}

static void test_iot(void **state)
{
    (void)state;
    ertc_kvs_credentials_t c;
    const char ok[] = "{\"credentials\":{\"accessKeyId\":\"" AKID "\",\"secretAccessKey\":\"" SECRET
                      "\",\"sessionToken\":\"" TOKEN "\",\"expiration\":\"2026-11-22T12:00:00Z\"}}";
    assert_int_equal(ertc_kvs_credentials_parse_iot(ok, strlen(ok), &c), 0);
    assert_string_equal(c.access_key_id, AKID);
    assert_string_equal(c.secret_access_key, SECRET);
    assert_string_equal(c.session_token, TOKEN);
    assert_int_equal(c.expiration, 1795348800);

    static const char *const BAD[] = {
        "",
        "{}",
        "{\"credentials\":{}}",
        "not json",
        "{\"credentials\":{\"accessKeyId\":\"" AKID "\",\"secretAccessKey\":\"" SECRET
        "\",\"sessionToken\":\"" TOKEN "\"}}",
        "{\"credentials\":{\"accessKeyId\":\"" AKID "\",\"secretAccessKey\":\"" SECRET
        "\",\"sessionToken\":\"" TOKEN "\",\"expiration\":\"tomorrow\"}}",
        "{\"credentials\":{\"accessKeyId\":\"bad id\",\"secretAccessKey\":\"" SECRET
        "\",\"sessionToken\":\"" TOKEN "\",\"expiration\":\"2026-11-22T12:00:00Z\"}}",
        "{\"credentials\":{\"accessKeyId\":\"" AKID
        "\",\"secretAccessKey\":\"\",\"sessionToken\":\"" TOKEN
        "\",\"expiration\":\"2026-11-22T12:00:00Z\"}}",
        "{\"credentials\":{\"accessKeyId\":\"" AKID
        "\",\"secretAccessKey\":7,\"sessionToken\":\"" TOKEN
        "\",\"expiration\":\"2026-11-22T12:00:00Z\"}}",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        assert_int_not_equal(ertc_kvs_credentials_parse_iot(BAD[i], strlen(BAD[i]), &c), 0);
        assert_string_equal(c.access_key_id, "");
        assert_string_equal(c.secret_access_key, "");
    }
    /* A session token over the limit. */
    static char big[ERTC_KVS_MAX_SESSION_TOKEN_LEN + 300];
    char *tok = big + 200;
    memset(tok, 'A', ERTC_KVS_MAX_SESSION_TOKEN_LEN + 1);
    tok[ERTC_KVS_MAX_SESSION_TOKEN_LEN + 1] = '\0';
    char json[ERTC_KVS_MAX_SESSION_TOKEN_LEN + 600];
    int n = snprintf(
        json, sizeof(json),
        "{\"credentials\":{\"accessKeyId\":\"%s\",\"secretAccessKey\":\"%s\",\"sessionToken\":"
        "\"%s\",\"expiration\":\"2026-11-22T12:00:00Z\"}}",
        AKID, SECRET, tok);
    assert_int_equal(ertc_kvs_credentials_parse_iot(json, (size_t)n, &c),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_file(void **state)
{
    (void)state;
    ertc_kvs_credentials_t c;
    const char stat[] = "CREDENTIALS " AKID " " SECRET "\n";
    assert_int_equal(ertc_kvs_credentials_parse_file(stat, strlen(stat), &c), 0);
    assert_string_equal(c.access_key_id, AKID);
    assert_string_equal(c.secret_access_key, SECRET);
    assert_string_equal(c.session_token, "");
    assert_true(c.expiration == ERTC_KVS_CREDENTIALS_NO_EXPIRY);

    const char temp[] = "CREDENTIALS " AKID " 2026-11-22T12:00:00Z " SECRET " " TOKEN;
    assert_int_equal(ertc_kvs_credentials_parse_file(temp, strlen(temp), &c), 0);
    assert_int_equal(c.expiration, 1795348800);
    assert_string_equal(c.secret_access_key, SECRET);
    assert_string_equal(c.session_token, TOKEN);

    const char unix_s[] = "  CREDENTIALS\t" AKID "\t1795348800\t" SECRET "\t" TOKEN "\r\n";
    assert_int_equal(ertc_kvs_credentials_parse_file(unix_s, strlen(unix_s), &c), 0);
    assert_int_equal(c.expiration, 1795348800);

    static const char *const BAD[] = {
        "",
        "CREDENTIALS",
        "CREDENTIALS " AKID,
        "credentials " AKID " " SECRET,
        "CREDENTIALS " AKID " 2026-11-22T12:00:00Z " SECRET,
        "CREDENTIALS " AKID " soon " SECRET " " TOKEN,
        "CREDENTIALS " AKID " 2026-11-22T12:00:00Z " SECRET " " TOKEN " extra",
        "CREDENTIALS lower"
        " " SECRET,
        "XCREDENTIALS " AKID " " SECRET,
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        assert_int_equal(ertc_kvs_credentials_parse_file(BAD[i], strlen(BAD[i]), &c),
                         WEBRTC_STATUS_MALFORMED);
        assert_string_equal(c.access_key_id, "");
        assert_string_equal(c.secret_access_key, "");
    }
}

static void test_env(void **state)
{
    (void)state;
    ertc_kvs_credentials_t c;
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, NULL, NULL, &c), 0);
    assert_true(c.expiration == ERTC_KVS_CREDENTIALS_NO_EXPIRY);
    assert_string_equal(c.session_token, "");
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, TOKEN, "2026-11-22T12:00:00Z", &c),
                     0);
    assert_string_equal(c.session_token, TOKEN);
    assert_int_equal(c.expiration, 1795348800);
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, "", "", &c), 0);
    assert_int_equal(ertc_kvs_credentials_from_env(NULL, SECRET, NULL, NULL, &c),
                     WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, "", NULL, NULL, &c),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, "with space", NULL, NULL, &c),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, NULL, "never", &c),
                     WEBRTC_STATUS_MALFORMED);
    assert_string_equal(c.secret_access_key, "");
    char longkey[200];
    memset(longkey, 'A', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    assert_int_equal(ertc_kvs_credentials_from_env(longkey, SECRET, NULL, NULL, &c),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_refresh_and_describe(void **state)
{
    (void)state;
    ertc_kvs_credentials_t c;
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, TOKEN, "2026-11-22T12:00:00Z", &c),
                     0);
    int64_t exp = 1795348800;
    assert_false(ertc_kvs_credentials_refresh_needed(&c, exp - 100, 38));
    assert_true(ertc_kvs_credentials_refresh_needed(&c, exp - 38, 38));
    assert_true(ertc_kvs_credentials_refresh_needed(&c, exp + 5, 0));
    assert_false(ertc_kvs_credentials_refresh_needed(&c, exp - 1, 0));
    assert_true(ertc_kvs_credentials_refresh_needed(&c, exp - 10, INT64_MAX));
    assert_true(ertc_kvs_credentials_refresh_needed(NULL, 0, 0));
    char buf[128];
    assert_string_equal(ertc_kvs_credentials_describe(&c, exp - 3540, buf, sizeof(buf)),
                        "ASIA**** expiring in 3540 s with session token");
    assert_string_equal(ertc_kvs_credentials_describe(&c, exp + 20, buf, sizeof(buf)),
                        "ASIA**** expired 20 s ago with session token");
    ertc_kvs_credentials_t s;
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, NULL, NULL, &s), 0);
    assert_false(ertc_kvs_credentials_refresh_needed(&s, INT64_MAX - 1, INT64_MAX));
    assert_string_equal(ertc_kvs_credentials_describe(&s, 0, buf, sizeof(buf)),
                        "ASIA**** (no expiry)");
}

static void test_zeroise(void **state)
{
    (void)state;
    ertc_kvs_credentials_t *c = ertc_kvs_credentials_new();
    assert_non_null(c);
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, TOKEN, NULL, c), 0);
    ertc_kvs_credentials_clear(c);
    const unsigned char *p = (const unsigned char *)c;
    for (size_t i = 0; i < sizeof(*c); i++) {
        assert_int_equal(p[i], 0);
    }
    ertc_kvs_credentials_free(c);
    ertc_kvs_credentials_free(NULL);
}

/* Every path above that logs, run again with a capturing sink at the most verbose level. */
static void test_no_secret_in_logs(void **state)
{
    ertc_log_set_sink(capture, NULL);
    int old = ertc_log_get_level();
    ertc_log_set_level(ERTC_LOG_VERBOSE);
    g_logs_len = 0;
    g_logs[0] = '\0';
    test_iot(state);
    test_file(state);
    test_env(state);
    test_refresh_and_describe(state);
    ertc_kvs_credentials_t c;
    assert_int_equal(ertc_kvs_credentials_from_env(AKID, SECRET, TOKEN, NULL, &c), 0);
    char buf[128];
    ertc_log_write(ERTC_LOG_INFO, "test", "using %s",
                   ertc_kvs_credentials_describe(&c, 0, buf, sizeof(buf)));
    ertc_log_set_sink(NULL, NULL);
    ertc_log_set_level(old);
    assert_true(g_logs_len > 0);
    assert_null(strstr(g_logs, SECRET));
    assert_null(strstr(g_logs, "SECRETKEY"));
    assert_null(strstr(g_logs, TOKEN));
    assert_null(strstr(g_logs, "SESSIONTOKEN"));
    assert_null(strstr(g_logs, AKID));
    assert_non_null(strstr(g_logs, "ASIA****"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_iot),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_refresh_and_describe),
        cmocka_unit_test(test_zeroise),
        cmocka_unit_test(test_no_secret_in_logs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
