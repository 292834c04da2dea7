/*
 * Unit tests for signaling/kvs/kvs_provider (static keys, the AWS_* environment, the
 * credential file read again when its credentials near expiry, the IoT URL and the checks
 * made at create), the file storage of the channel cache, and the control plane's pure parts
 * (default control-plane URL per region, the loopback-only rule for plain http/ws).
 * The IoT fetch over mutual TLS is in tests/integration/test_kvs_client.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvs_signaling.h"
#include "port/port.h"
#include "signaling/kvs/kvs_control.h"
#include "signaling/kvs/kvs_provider.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static void test_static_keys(void **state)
{
    (void)state;
    kvs_signaling_config_t cfg = {.pChannelName = "c",
                                  .awsAccessKey = "AKIDEXAMPLE",
                                  .awsSecretKey = SECRET,
                                  .awsSessionToken = "tok"};
    ertc_kvs_provider_t *p = NULL;
    char err[ERTC_KVS_PROVIDER_ERROR_LEN];
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_kvs_provider_kind(p), ERTC_KVS_PROVIDER_STATIC);
    const ertc_kvs_credentials_t *c = NULL;
    assert_int_equal(ertc_kvs_provider_get(p, 1700000000, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDEXAMPLE");
    assert_string_equal(c->secret_access_key, SECRET);
    assert_string_equal(c->session_token, "tok");
    assert_int_equal(ertc_kvs_provider_refresh_at(p), INT64_MAX);
    assert_int_equal(ertc_kvs_provider_fetches(p), 0);
    ertc_kvs_provider_free(p);
    /* a key without its secret is refused, and the message holds no secret */
    cfg.awsSecretKey = NULL;
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(err, "awsAccessKey"));
}

static void test_environment(void **state)
{
    (void)state;
    kvs_signaling_config_t cfg = {.pChannelName = "c"};
    ertc_kvs_provider_t *p = NULL;
    char err[ERTC_KVS_PROVIDER_ERROR_LEN];
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(err, "AWS_ACCESS_KEY_ID"));
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_kvs_provider_kind(p), ERTC_KVS_PROVIDER_ENV);
    const ertc_kvs_credentials_t *c = NULL;
    assert_int_equal(ertc_kvs_provider_get(p, 1, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDENV");
    assert_string_equal(c->session_token, "");
    ertc_kvs_provider_free(p);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_file_is_read_again_before_expiry(void **state)
{
    (void)state;
    char path[] = "/tmp/ertc-kvs-creds-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int64_t now = 1700000000;
    char text[256];
    snprintf(text, sizeof(text), "CREDENTIALS AKIDFILE1 %lld secret1 token1\n",
             (long long)(now + 3600));
    write_file(path, text);
    kvs_signaling_config_t cfg = {.pChannelName = "c",
                                  .credentialsFilePath = path,
                                  .awsAccessKey = "ignored",
                                  .awsSecretKey = "ignored"};
    ertc_kvs_provider_t *p = NULL;
    char err[ERTC_KVS_PROVIDER_ERROR_LEN];
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_kvs_provider_kind(p), ERTC_KVS_PROVIDER_FILE);
    const ertc_kvs_credentials_t *c = NULL;
    assert_int_equal(ertc_kvs_provider_get(p, now, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDFILE1");
    assert_string_equal(c->session_token, "token1");
    int64_t at = ertc_kvs_provider_refresh_at(p);
    assert_true(at >= now + 3600 - 720 - 38 && at <= now + 3600 - 36 - 38);
    /* rotated by another process: not read before the refresh time, read after it */
    snprintf(text, sizeof(text), "CREDENTIALS AKIDFILE2 %lld secret2 token2\n",
             (long long)(now + 7200));
    write_file(path, text);
    assert_int_equal(ertc_kvs_provider_get(p, now + 10, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDFILE1");
    assert_int_equal(ertc_kvs_provider_get(p, at, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDFILE2");
    assert_int_equal(ertc_kvs_provider_fetches(p), 2);
    /* a broken file while the old credentials are valid: keep them */
    write_file(path, "CREDENTIALS\n");
    assert_int_equal(ertc_kvs_provider_get(p, now + 20, true, &c, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c->access_key_id, "AKIDFILE2");
    /* ... and once they have expired, say why */
    assert_int_equal(ertc_kvs_provider_get(p, now + 8000, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_IO_ERROR);
    assert_non_null(strstr(err, path));
    assert_null(strstr(err, "secret2"));
    ertc_kvs_provider_free(p);
    unlink(path);
    /* a missing file */
    cfg.credentialsFilePath = "/nonexistent/creds";
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_kvs_provider_get(p, now, false, &c, err, sizeof(err)),
                     WEBRTC_STATUS_IO_ERROR);
    assert_non_null(strstr(err, "cannot open"));
    ertc_kvs_provider_free(p);
}

static void test_iot_url_and_checks(void **state)
{
    (void)state;
    char url[ERTC_KVS_IOT_MAX_URL_LEN];
    assert_int_equal(ertc_kvs_iot_url("c2abc.credentials.iot.us-west-2.amazonaws.com", "kvs-alias",
                                      url, sizeof(url)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(url, "https://c2abc.credentials.iot.us-west-2.amazonaws.com/role-aliases/"
                             "kvs-alias/credentials");
    assert_int_equal(ertc_kvs_iot_url("https://127.0.0.1:8443/", "a b", url, sizeof(url)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(url, "https://127.0.0.1:8443/role-aliases/a%20b/credentials");
    assert_int_equal(ertc_kvs_iot_url("http://127.0.0.1", "a", url, sizeof(url)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_iot_url("", "a", url, sizeof(url)), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_iot_url("host", "", url, sizeof(url)), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_iot_url("host", "a", url, 10), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    kvs_signaling_config_t cfg = {.pChannelName = "c",
                                  .useIotCredentials = true,
                                  .iotCoreCredentialEndpoint = "127.0.0.1:1",
                                  .iotCoreRoleAlias = "a",
                                  .iotCoreThingName = "t",
                                  .iotCoreCert = "/nonexistent/cert.pem",
                                  .iotCorePrivateKey = "/nonexistent/key.pem"};
    ertc_kvs_provider_t *p = NULL;
    char err[ERTC_KVS_PROVIDER_ERROR_LEN];
    assert_true(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS);
    assert_non_null(strstr(err, "IoT certificate/key"));
    cfg.iotCoreThingName = NULL;
    assert_int_equal(ertc_kvs_provider_create(&cfg, &p, err, sizeof(err)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_non_null(strstr(err, "iotCoreThingName"));
    assert_string_equal(ertc_kvs_provider_kind_name(ERTC_KVS_PROVIDER_IOT), "AWS IoT");
}

static void test_file_storage(void **state)
{
    (void)state;
    char dir[] = "/tmp/ertc-kvs-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/cache.json", dir);
    kvs_signaling_storage_t *s = kvs_signaling_file_storage(path);
    assert_non_null(s);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(s->load(s->ctx, &data, &len), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(s->save(s->ctx, "{\"version\":1}", 13), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(s->load(s->ctx, &data, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 13);
    assert_string_equal(data, "{\"version\":1}");
    free(data);
    kvs_signaling_file_storage_free(s);
    assert_null(kvs_signaling_file_storage(""));
    unlink(path);
    rmdir(dir);
}

static void test_control_urls(void **state)
{
    (void)state;
    char url[128];
    assert_int_equal(ertc_kvs_default_control_url("eu-west-1", url, sizeof(url)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(url, "https://kinesisvideo.eu-west-1.amazonaws.com");
    assert_int_equal(ertc_kvs_default_control_url("cn-north-1", url, sizeof(url)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(url, "https://kinesisvideo.cn-north-1.amazonaws.com.cn");
    assert_int_equal(ertc_kvs_default_control_url("us-west-2/../x", url, sizeof(url)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_default_control_url("", url, sizeof(url)), WEBRTC_STATUS_INVALID_ARG);
    assert_true(ertc_kvs_url_allowed("https://kinesisvideo.us-west-2.amazonaws.com", false));
    assert_true(ertc_kvs_url_allowed("wss://m-1.kinesisvideo.us-west-2.amazonaws.com", true));
    assert_true(ertc_kvs_url_allowed("http://127.0.0.1:8080", false));
    assert_true(ertc_kvs_url_allowed("http://127.9.9.9", false));
    assert_true(ertc_kvs_url_allowed("ws://[::1]:80", true));
    assert_true(ertc_kvs_url_allowed("ws://localhost:80", true));
    assert_false(ertc_kvs_url_allowed("http://192.0.2.1", false));
    assert_false(ertc_kvs_url_allowed("ws://example.com", true));
    assert_false(ertc_kvs_url_allowed("ws://127.example.com", true));
    assert_false(ertc_kvs_url_allowed("https://x", true)); /* wrong kind */
    assert_false(ertc_kvs_url_allowed("wss://x", false));
    assert_false(ertc_kvs_url_allowed("ftp://x", false));
    assert_false(ertc_kvs_url_allowed(NULL, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_keys),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_file_is_read_again_before_expiry),
        cmocka_unit_test(test_iot_url_and_checks),
        cmocka_unit_test(test_file_storage),
        cmocka_unit_test(test_control_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
