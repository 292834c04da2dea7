/*
 * The KVS emulator's SigV4 verifier (tools/signald/kvs_sigv4_verify.c) against edgertc's own
 * signer (src/signaling/kvs/sigv4.h), the one the C KVS client uses: what the client signs the
 * emulator accepts, C-SDK style (host;user-agent;x-amz-date, token unsigned) and AWS-SDK style
 * (token signed), header and presigned; and every refusal the emulator makes: tampering,
 * another secret or key, wrong region, clock outside the 5-minute window, an expired URL.
 * (The AWS JavaScript SDKs' signatures are checked end to end by interop.kvs_js_sdk.)
 *
 * The verifier belongs to the edgertc-signald program, not the library, so its file is
 * compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "../../tools/signald/kvs_sigv4_verify.c"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "IQoJb3JpZ2luX2VjEXAMPLETOKEN/+="
#define REGION "us-west-2"
#define HOST   "127.0.0.1:4443"
#define T0     1795329661 /* 2026-11-22T06:41:01Z */

typedef struct {
    const char *authorization;
    const char *amz_date;
    const char *token;
} hdrs_t;

static const char *get_header(void *ctx, const char *name)
{
    const hdrs_t *h = ctx;
    if (strcasecmp(name, "host") == 0) {
        return HOST;
    }
    if (strcasecmp(name, "user-agent") == 0) {
        return "edgertc/1.0";
    }
    if (strcasecmp(name, "content-type") == 0) {
        return "application/json";
    }
    if (strcasecmp(name, "x-amz-date") == 0) {
        return h->amz_date;
    }
    if (strcasecmp(name, "x-amz-security-token") == 0) {
        return h->token;
    }
    if (strcasecmp(name, "authorization") == 0) {
        return h->authorization;
    }
    return NULL;
}

static const char BODY[] = "{\n\t\"ChannelName\": \"cam-1\"\n}";

/* Signs the POST like the client, then verifies it with the given changes. */
static kvs_auth_result_t sign_and_verify(unsigned flags, const char *verify_secret,
                                         const char *verify_akid, const char *verify_region,
                                         int64_t now, const char *body, char *why)
{
    char amz_date[ERTC_SIGV4_AMZ_DATE_SIZE];
    assert_int_equal(ertc_sigv4_format_amz_date(T0, amz_date), WEBRTC_STATUS_SUCCESS);
    ertc_sigv4_header_t signed_headers[] = {
        {"Host", 4, HOST, strlen(HOST)},
        {"User-Agent", 10, "edgertc/1.0", 11},
    };
    ertc_sigv4_request_t req = {
        .method = "POST",
        .path = "/describeSignalingChannel",
        .path_len = strlen("/describeSignalingChannel"),
        .headers = signed_headers,
        .header_count = 2,
        .payload = (const uint8_t *)BODY,
        .payload_len = strlen(BODY),
    };
    ertc_sigv4_params_t params = {AKID, SECRET, TOKEN, REGION, "kinesisvideo", amz_date};
    ertc_strbuf_t auth;
    ertc_strbuf_init_heap(&auth, 2048);
    assert_int_equal(ertc_sigv4_sign_headers(&params, &req, flags, &auth, NULL),
                     WEBRTC_STATUS_SUCCESS);
    hdrs_t h = {ertc_strbuf_cstr(&auth), amz_date, TOKEN};
    kvs_auth_keys_t keys = {verify_akid, verify_secret, verify_region, "kinesisvideo", now};
    kvs_auth_request_t areq = {"POST", "/describeSignalingChannel", "",          get_header,
                               &h,     (const uint8_t *)body,       strlen(body)};
    kvs_auth_result_t r = kvs_auth_verify_header(&keys, &areq, why, KVS_AUTH_WHY_SIZE);
    ertc_strbuf_free(&auth);
    return r;
}

static void test_header_c_sdk_style(void **state)
{
    (void)state;
    char why[KVS_AUTH_WHY_SIZE] = "";
    assert_int_equal(sign_and_verify(0, SECRET, AKID, REGION, T0, BODY, why), KVS_AUTH_OK);
    assert_int_equal(
        sign_and_verify(ERTC_SIGV4_SIGN_TOKEN, SECRET, AKID, REGION, T0 + 299, BODY, why),
        KVS_AUTH_OK);
}

static void test_header_refusals(void **state)
{
    (void)state;
    char why[KVS_AUTH_WHY_SIZE] = "";
    assert_int_equal(sign_and_verify(0, SECRET, AKID, REGION, T0, "{\"ChannelName\":\"x\"}", why),
                     KVS_AUTH_BAD_SIGNATURE);
    assert_non_null(strstr(why, "does not match"));
    assert_int_equal(sign_and_verify(0, "other", AKID, REGION, T0, BODY, why),
                     KVS_AUTH_BAD_SIGNATURE);
    assert_int_equal(sign_and_verify(0, SECRET, "AKIDOTHER", REGION, T0, BODY, why),
                     KVS_AUTH_UNKNOWN_KEY);
    assert_int_equal(sign_and_verify(0, SECRET, AKID, "eu-west-1", T0, BODY, why),
                     KVS_AUTH_BAD_SIGNATURE);
    assert_int_equal(sign_and_verify(0, SECRET, AKID, REGION, T0 + 301, BODY, why),
                     KVS_AUTH_EXPIRED);
    assert_string_equal(why, "Signature expired: 20261122T064101Z is now earlier than "
                             "20261122T064102Z (20261122T064602Z - 5 min.)");
    assert_int_equal(sign_and_verify(0, SECRET, AKID, REGION, T0 - 301, BODY, why),
                     KVS_AUTH_NOT_YET);
    assert_non_null(strstr(why, "Signature not yet current"));
}

static void test_header_missing_and_malformed(void **state)
{
    (void)state;
    char why[KVS_AUTH_WHY_SIZE] = "";
    kvs_auth_keys_t keys = {AKID, SECRET, REGION, "kinesisvideo", T0};
    hdrs_t h = {NULL, "20261122T064101Z", NULL};
    kvs_auth_request_t areq = {"POST", "/", "", get_header, &h, NULL, 0};
    assert_int_equal(kvs_auth_verify_header(&keys, &areq, why, sizeof(why)), KVS_AUTH_MISSING);
    assert_string_equal(why, "Missing Authentication Token");
    h.authorization = "AWS4-HMAC-SHA256 Credential=" AKID "/20261122/" REGION
                      "/kinesisvideo/aws4_request, Signature=00";
    assert_int_equal(kvs_auth_verify_header(&keys, &areq, why, sizeof(why)), KVS_AUTH_INCOMPLETE);
    assert_non_null(strstr(why, "SignedHeaders"));
    h.authorization = "AWS4-HMAC-SHA256 Credential=" AKID "/20261122/" REGION
                      "/kinesisvideo/aws4_request, SignedHeaders=host, Signature=00";
    assert_int_equal(kvs_auth_verify_header(&keys, &areq, why, sizeof(why)),
                     KVS_AUTH_INCOMPLETE); /* x-amz-date not signed */
}

/* Presigns like the C client's WebSocket connect and verifies the URL's query. */
static kvs_auth_result_t presign_and_verify(int64_t now, const char *tamper_from,
                                            const char *tamper_to, char *why)
{
    char amz_date[ERTC_SIGV4_AMZ_DATE_SIZE];
    assert_int_equal(ertc_sigv4_format_amz_date(T0, amz_date), WEBRTC_STATUS_SUCCESS);
    ertc_sigv4_params_t params = {AKID, SECRET, TOKEN, REGION, "kinesisvideo", amz_date};
    const char *url = "wss://" HOST;
    ertc_sigv4_query_param_t extra[] = {
        {"X-Amz-ChannelARN", "arn:aws:kinesisvideo:us-west-2:111122223333:channel/cam-1/"
                             "1795329660141"},
        {"X-Amz-ClientId", "viewer-1"},
    };
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, 8192);
    assert_int_equal(
        ertc_sigv4_presign_url(&params, url, strlen(url), extra, 2, 604800, &out, NULL),
        WEBRTC_STATUS_SUCCESS);
    const char *q = strchr(ertc_strbuf_cstr(&out), '?');
    assert_non_null(q);
    char query[8192];
    snprintf(query, sizeof(query), "%s", q + 1);
    if (tamper_from != NULL) {
        char *at = strstr(query, tamper_from);
        assert_non_null(at);
        assert_int_equal(strlen(tamper_from), strlen(tamper_to));
        memcpy(at, tamper_to, strlen(tamper_to));
    }
    hdrs_t h = {NULL, NULL, NULL};
    kvs_auth_keys_t keys = {AKID, SECRET, REGION, "kinesisvideo", now};
    kvs_auth_request_t areq = {"GET", "/", query, get_header, &h, NULL, 0};
    kvs_auth_result_t r = kvs_auth_verify_presigned(&keys, &areq, why, KVS_AUTH_WHY_SIZE);
    ertc_strbuf_free(&out);
    return r;
}

static void test_presigned(void **state)
{
    (void)state;
    char why[KVS_AUTH_WHY_SIZE] = "";
    assert_int_equal(presign_and_verify(T0, NULL, NULL, why), KVS_AUTH_OK);
    assert_int_equal(presign_and_verify(T0 + 604800, NULL, NULL, why), KVS_AUTH_OK);
    assert_int_equal(presign_and_verify(T0 + 604801, NULL, NULL, why), KVS_AUTH_EXPIRED);
    assert_int_equal(presign_and_verify(T0 - 301, NULL, NULL, why), KVS_AUTH_NOT_YET);
    assert_int_equal(presign_and_verify(T0, "viewer-1", "viewer-2", why), KVS_AUTH_BAD_SIGNATURE);
    assert_int_equal(presign_and_verify(T0, "X-Amz-Signature=", "X-Amz-Signatury=", why),
                     KVS_AUTH_INCOMPLETE);
}

static void test_query_get(void **state)
{
    (void)state;
    char v[64];
    assert_int_equal(kvs_query_get("a=1&X-Amz-ClientId=v%2D1&b", "X-Amz-ClientId", v, sizeof(v)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(v, "v-1");
    assert_int_equal(kvs_query_get("a=1", "b", v, sizeof(v)), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(kvs_query_get("b=%zz", "b", v, sizeof(v)), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(kvs_query_get("b=%00x", "b", v, sizeof(v)), WEBRTC_STATUS_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_c_sdk_style),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_header_missing_and_malformed),
        cmocka_unit_test(test_presigned),
        cmocka_unit_test(test_query_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
