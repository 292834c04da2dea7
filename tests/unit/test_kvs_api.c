/*
 * Unit tests for signaling/kvs/kvs_api: the exact JSON of every request body, the paths,
 * every response parser on responses shaped as the spec gives them (and on broken ones),
 * the error mapping table, and the retry/back-off policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "signaling/kvs/kvs_api.h"
#include "util/strbuf.h"

#define ARN "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1641534227750"

static char g_buf[4096];

static ertc_strbuf_t fixed(void)
{
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, g_buf, sizeof(g_buf));
    return sb;
}

static void test_paths(void **state)
{
    (void)state;
    assert_string_equal(ertc_kvs_api_path(ERTC_KVS_API_DESCRIBE_CHANNEL),
                        "/describeSignalingChannel");
    assert_string_equal(ertc_kvs_api_path(ERTC_KVS_API_CREATE_CHANNEL), "/createSignalingChannel");
    assert_string_equal(ertc_kvs_api_path(ERTC_KVS_API_GET_ENDPOINT),
                        "/getSignalingChannelEndpoint");
    assert_string_equal(ertc_kvs_api_path(ERTC_KVS_API_GET_ICE_CONFIG),
                        "/v1/get-ice-server-config");
    assert_string_equal(ertc_kvs_api_path(ERTC_KVS_API_DELETE_CHANNEL), "/deleteSignalingChannel");
    assert_null(ertc_kvs_api_path(ERTC_KVS_API_COUNT));
    assert_string_equal(ertc_kvs_api_name(ERTC_KVS_API_GET_ENDPOINT),
                        "GetSignalingChannelEndpoint");
}

static void test_builders(void **state)
{
    (void)state;
    ertc_strbuf_t sb = fixed();
    assert_int_equal(ertc_kvs_build_describe("demo-channel", NULL, &sb), 0);
    assert_string_equal(g_buf, "{\"ChannelName\":\"demo-channel\"}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_describe(NULL, ARN, &sb), 0);
    assert_string_equal(g_buf, "{\"ChannelARN\":\"" ARN "\"}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_create("demo-channel", 0, &sb), 0);
    assert_string_equal(g_buf,
                        "{\"ChannelName\":\"demo-channel\",\"ChannelType\":\"SINGLE_MASTER\","
                        "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":60}}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_create("demo-channel", 120, &sb), 0);
    assert_non_null(strstr(g_buf, "\"MessageTtlSeconds\":120}}"));
    sb = fixed();
    assert_int_equal(ertc_kvs_build_get_endpoint(ARN, ERTC_KVS_ROLE_MASTER, &sb), 0);
    assert_string_equal(g_buf,
                        "{\"ChannelARN\":\"" ARN "\",\"SingleMasterChannelEndpointConfiguration\":"
                        "{\"Protocols\":[\"WSS\",\"HTTPS\"],\"Role\":\"MASTER\"}}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_get_endpoint(ARN, ERTC_KVS_ROLE_VIEWER, &sb), 0);
    assert_non_null(strstr(g_buf, "\"Role\":\"VIEWER\"}}"));
    sb = fixed();
    assert_int_equal(ertc_kvs_build_get_ice_config(ARN, "ProducerMaster", &sb), 0);
    assert_string_equal(g_buf, "{\"ChannelARN\":\"" ARN
                               "\",\"ClientId\":\"ProducerMaster\",\"Service\":\"TURN\"}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_delete(ARN, "Vq9Gd0xoqXfS3vDYwUvc", &sb), 0);
    assert_string_equal(g_buf,
                        "{\"ChannelARN\":\"" ARN "\",\"CurrentVersion\":\"Vq9Gd0xoqXfS3vDYwUvc\"}");
    sb = fixed();
    assert_int_equal(ertc_kvs_build_delete(ARN, NULL, &sb), 0);
    assert_string_equal(g_buf, "{\"ChannelARN\":\"" ARN "\"}");
}

static void test_builder_bad_inputs(void **state)
{
    (void)state;
    ertc_strbuf_t sb = fixed();
    assert_int_equal(ertc_kvs_build_describe(NULL, NULL, &sb), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_kvs_build_describe("a", ARN, &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_describe("bad name", NULL, &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_describe("q\"x", NULL, &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_describe("", NULL, &sb), WEBRTC_STATUS_INVALID_ARG);
    char longname[ERTC_KVS_MAX_CHANNEL_NAME_LEN + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(ertc_kvs_build_describe(longname, NULL, &sb), WEBRTC_STATUS_INVALID_ARG);
    longname[ERTC_KVS_MAX_CHANNEL_NAME_LEN] = '\0';
    assert_int_equal(ertc_kvs_build_describe(longname, NULL, &sb), 0);
    sb = fixed();
    assert_int_equal(ertc_kvs_build_create("c", 4, &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_create("c", 121, &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_get_ice_config(ARN, "bad id", &sb), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_get_endpoint("arn with space", ERTC_KVS_ROLE_MASTER, &sb),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_kvs_build_get_endpoint(ARN, (ertc_kvs_role_t)7, &sb),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_string_equal(g_buf, "");
    /* A buffer too small leaves nothing half-written. */
    char tiny[20];
    ertc_strbuf_init_fixed(&sb, tiny, sizeof(tiny));
    assert_int_equal(ertc_kvs_build_get_endpoint(ARN, ERTC_KVS_ROLE_MASTER, &sb),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(tiny, "");
}

static const char DESCRIBE_OK[] =
    "{\"ChannelInfo\":{\"ChannelARN\":\"" ARN "\",\"ChannelName\":\"demo-channel\","
    "\"ChannelStatus\":\"ACTIVE\",\"ChannelType\":\"SINGLE_MASTER\","
    "\"CreationTime\":1.64153422775E9,\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":60},"
    "\"Version\":\"Vq9Gd0xoqXfS3vDYwUvc\"}}";

static void test_parse_describe(void **state)
{
    (void)state;
    ertc_kvs_channel_info_t info;
    assert_int_equal(ertc_kvs_parse_describe(DESCRIBE_OK, strlen(DESCRIBE_OK), &info), 0);
    assert_string_equal(info.arn, ARN);
    assert_string_equal(info.name, "demo-channel");
    assert_string_equal(info.version, "Vq9Gd0xoqXfS3vDYwUvc");
    assert_int_equal(info.status, ERTC_KVS_CHANNEL_ACTIVE);
    assert_int_equal(info.type, ERTC_KVS_CHANNEL_SINGLE_MASTER);
    assert_int_equal(info.message_ttl_s, 60);
    assert_int_equal(info.creation_time, 1641534227);

    const char deleting[] =
        "{\"ChannelInfo\":{\"ChannelARN\":\"" ARN "\",\"ChannelStatus\":\"DELETING\"}}";
    assert_int_equal(ertc_kvs_parse_describe(deleting, strlen(deleting), &info),
                     ERTC_KVS_STATUS_CHANNEL_BEING_DELETED);
    assert_string_equal(info.arn, ARN);
    const char weird[] =
        "{\"ChannelInfo\":{\"ChannelARN\":\"" ARN "\",\"ChannelStatus\":\"ZOMBIE\"}}";
    assert_int_equal(ertc_kvs_parse_describe(weird, strlen(weird), &info),
                     ERTC_KVS_STATUS_CHANNEL_BEING_DELETED);
    const char creating[] =
        "{\"ChannelInfo\":{\"ChannelARN\":\"x\",\"ChannelStatus\":\"CREATING\"}}";
    assert_int_equal(ertc_kvs_parse_describe(creating, strlen(creating), &info), 0);
    assert_int_equal(info.status, ERTC_KVS_CHANNEL_CREATING);
    assert_int_equal(info.message_ttl_s, 0);

    static const char *const BAD[] = {
        "",
        "{",
        "[]",
        "{}",
        "{\"ChannelInfo\":[]}",
        "{\"ChannelInfo\":{\"ChannelStatus\":\"ACTIVE\"}}",
        "{\"ChannelInfo\":{\"ChannelARN\":\"x\"}}",
        "{\"ChannelInfo\":{\"ChannelARN\":5,\"ChannelStatus\":\"ACTIVE\"}}",
        "{\"ChannelInfo\":{\"ChannelARN\":\"x\",\"ChannelStatus\":\"ACTIVE\",\"CreationTime\":"
        "\"no\"}}",
        "{\"ChannelInfo\":{\"ChannelARN\":\"x\",\"ChannelStatus\":\"ACTIVE\","
        "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":1.5}}}",
        "{\"ChannelInfo\":{\"ChannelARN\":\"x\",\"ChannelStatus\":\"ACTIVE\"}} trailing",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        assert_int_equal(ertc_kvs_parse_describe(BAD[i], strlen(BAD[i]), &info),
                         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
        assert_string_equal(info.arn, "");
    }
    /* Over the response limit. */
    static char big[ERTC_KVS_MAX_RESPONSE_LEN + 16];
    memset(big, ' ', sizeof(big));
    memcpy(big, DESCRIBE_OK, strlen(DESCRIBE_OK));
    assert_int_equal(ertc_kvs_parse_describe(big, sizeof(big), &info),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    /* A version longer than the model's 64 characters. */
    char longver[256];
    snprintf(longver, sizeof(longver),
             "{\"ChannelInfo\":{\"ChannelARN\":\"x\",\"ChannelStatus\":\"ACTIVE\",\"Version\":\"%"
             "0100d\"}}",
             0);
    assert_int_equal(ertc_kvs_parse_describe(longver, strlen(longver), &info),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
}

static void test_parse_create(void **state)
{
    (void)state;
    char arn[ERTC_KVS_MAX_ARN_LEN + 1];
    const char ok[] = "{\"ChannelARN\":\"" ARN "\"}";
    assert_int_equal(ertc_kvs_parse_create(ok, strlen(ok), arn, sizeof(arn)), 0);
    assert_string_equal(arn, ARN);
    char small[10];
    assert_int_equal(ertc_kvs_parse_create(ok, strlen(ok), small, sizeof(small)),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(small, "");
    assert_int_equal(ertc_kvs_parse_create("{}", 2, arn, sizeof(arn)),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    assert_int_equal(ertc_kvs_parse_create("{\"ChannelARN\":\"\"}", 17, arn, sizeof(arn)),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    assert_int_equal(ertc_kvs_parse_create("nope", 4, arn, sizeof(arn)),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
}

static void test_parse_get_endpoint(void **state)
{
    (void)state;
    ertc_kvs_endpoints_t ep;
    const char ok[] = "{\"ResourceEndpointList\":["
                      "{\"Protocol\":\"WEBRTC\",\"ResourceEndpoint\":\"https://w-1.example\"},"
                      "{\"Protocol\":\"wss\",\"ResourceEndpoint\":\"wss://"
                      "m-26d02974.kinesisvideo.us-west-2.amazonaws.com\"},"
                      "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"https://"
                      "r-2c136a55.kinesisvideo.us-west-2.amazonaws.com\"}]}";
    assert_int_equal(ertc_kvs_parse_get_endpoint(ok, strlen(ok), &ep), 0);
    assert_string_equal(ep.wss, "wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com");
    assert_string_equal(ep.https, "https://r-2c136a55.kinesisvideo.us-west-2.amazonaws.com");

    const char only_wss[] =
        "{\"ResourceEndpointList\":[{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"wss://a\"}]}";
    assert_int_equal(ertc_kvs_parse_get_endpoint(only_wss, strlen(only_wss), &ep),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    assert_string_equal(ep.wss, "");
    const char no_list[] = "{\"ResourceEndpointList\":{}}";
    assert_int_equal(ertc_kvs_parse_get_endpoint(no_list, strlen(no_list), &ep),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    const char bad_item[] = "{\"ResourceEndpointList\":[1]}";
    assert_int_equal(ertc_kvs_parse_get_endpoint(bad_item, strlen(bad_item), &ep),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    char huge[1200];
    int n = snprintf(
        huge, sizeof(huge),
        "{\"ResourceEndpointList\":[{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"wss://%0600d\"},"
        "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"https://a\"}]}",
        0);
    assert_int_equal(ertc_kvs_parse_get_endpoint(huge, (size_t)n, &ep),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
}

#define TURN_HOST "35-90-63-38.t-ae7dd61a.kinesisvideo.us-west-2.amazonaws.com:443"

static void test_parse_ice_config(void **state)
{
    (void)state;
    ertc_kvs_ice_config_t ice;
    const char ok[] =
        "{\"IceServerList\":["
        "{\"Password\":\"ZEXx/a0G7reNO4SrDoK0zYoXZCamD+k/mIn6PEiuDTk=\",\"Ttl\":300,"
        "\"Uris\":[\"turn:" TURN_HOST "?transport=udp\",\"turns:" TURN_HOST
        "?transport=udp\",\"turns:" TURN_HOST "?transport=tcp\"],"
        "\"Username\":\"1607424954:djE6YXJuOmF3czpraW5lc2lzdmlkZW8=\"},"
        "{\"Password\":\"second\",\"Ttl\":250,"
        "\"Uris\":[\"turn:b?transport=udp\",\"turns:b?transport=udp\",\"turns:b?transport=tcp\"],"
        "\"Username\":\"u2\"}]}";
    assert_int_equal(ertc_kvs_parse_ice_config(ok, strlen(ok), &ice), 0);
    assert_int_equal(ice.count, APP_WEBRTC_MAX_ICE_SERVERS_COUNT);
    assert_int_equal(ice.dropped, 1);
    assert_int_equal(ice.min_ttl_s, 250);
    assert_string_equal(ice.servers[0].urls, "turn:" TURN_HOST "?transport=udp");
    assert_string_equal(ice.servers[0].username, "1607424954:djE6YXJuOmF3czpraW5lc2lzdmlkZW8=");
    assert_string_equal(ice.servers[0].credential, "ZEXx/a0G7reNO4SrDoK0zYoXZCamD+k/mIn6PEiuDTk=");
    assert_string_equal(ice.servers[2].urls, "turns:" TURN_HOST "?transport=tcp");
    assert_string_equal(ice.servers[3].urls, "turn:b?transport=udp");
    assert_string_equal(ice.servers[4].credential, "second");

    assert_int_equal(ertc_kvs_parse_ice_config("{\"IceServerList\":[]}", 20, &ice), 0);
    assert_int_equal(ice.count, 0);
    assert_int_equal(ice.min_ttl_s, 0);

    static const char *const BAD[] = {
        "{\"IceServerList\":[{\"Uris\":[\"turn:a\"],\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":"
        "\"300\"}]}",
        "{\"IceServerList\":[{\"Uris\":[\"turn:a\"],\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":"
        "10}]}",
        "{\"IceServerList\":[{\"Uris\":[\"turn:a\"],\"Username\":\"u\",\"Ttl\":300}]}",
        "{\"IceServerList\":[{\"Uris\":[5],\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":300}]}",
        "{\"IceServerList\":[{\"Uris\":\"turn:a\",\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":"
        "300}]}",
        "{\"IceServerList\":[{\"Uris\":[\"turn:a\"],\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":"
        "300},7]}",
        "{\"IceServerList\":{}}",
        "{\"IceServerList\":[",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        assert_int_equal(ertc_kvs_parse_ice_config(BAD[i], strlen(BAD[i]), &ice),
                         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
        assert_int_equal(ice.count, 0);
        assert_string_equal(ice.servers[0].credential, "");
    }
    /* A too-long URI is skipped, not fatal. */
    char longuri[600];
    int n =
        snprintf(longuri, sizeof(longuri),
                 "{\"IceServerList\":[{\"Uris\":[\"turn:%0200d\",\"turn:ok\"],\"Username\":\"u\","
                 "\"Password\":\"p\",\"Ttl\":300}]}",
                 0);
    assert_int_equal(ertc_kvs_parse_ice_config(longuri, (size_t)n, &ice), 0);
    assert_int_equal(ice.count, 1);
    assert_int_equal(ice.dropped, 1);
    assert_string_equal(ice.servers[0].urls, "turn:ok");
}

typedef struct {
    ertc_kvs_api_t api;
    int http;
    const char *header;
    const char *body;
    WEBRTC_STATUS expect;
} error_case_t;

static void test_error_mapping(void **state)
{
    (void)state;
    static const error_case_t CASES[] = {
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 401, "AccessDeniedException:http://internal.amazon.com/",
         NULL, WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 403, "UnrecognizedClientException", NULL,
         WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 403, "InvalidSignatureException", NULL,
         WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 403, "ExpiredTokenException", NULL,
         WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_GET_ICE_CONFIG, 401, "NotAuthorizedException", NULL,
         WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 403, NULL, "{\"message\":\"Signature expired\"}",
         WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 404, "ResourceNotFoundException", NULL,
         WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 400, NULL,
         "{\"__type\":\"com.amazonaws.kinesisvideo#ResourceNotFoundException\"}",
         WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND},
        {ERTC_KVS_API_GET_ENDPOINT, 400, "ClientLimitExceededException", NULL,
         WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
        {ERTC_KVS_API_GET_ENDPOINT, 400, "ThrottlingException", NULL,
         WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
        {ERTC_KVS_API_GET_ENDPOINT, 400, "Throttling", NULL, WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
        {ERTC_KVS_API_GET_ENDPOINT, 429, NULL, NULL, WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
        {ERTC_KVS_API_CREATE_CHANNEL, 400, "ResourceInUseException", NULL,
         ERTC_KVS_STATUS_CHANNEL_IN_USE},
        {ERTC_KVS_API_CREATE_CHANNEL, 500, "InternalFailure", NULL, WEBRTC_STATUS_RETRY_LATER},
        {ERTC_KVS_API_CREATE_CHANNEL, 503, NULL, "<html>", WEBRTC_STATUS_RETRY_LATER},
        {ERTC_KVS_API_CREATE_CHANNEL, 400, "InvalidArgumentException", NULL,
         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE},
        {ERTC_KVS_API_CREATE_CHANNEL, 400, "AccountChannelLimitExceededException", NULL,
         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE},
        {ERTC_KVS_API_CREATE_CHANNEL, 400, "ResourceInUseExceptionX", NULL,
         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 0, NULL, NULL, WEBRTC_STATUS_SIGNALING_TIMEOUT},
        {ERTC_KVS_API_DELETE_CHANNEL, 404, "ResourceNotFoundException", NULL,
         WEBRTC_STATUS_SUCCESS},
        {ERTC_KVS_API_DESCRIBE_CHANNEL, 200, NULL, "{}", WEBRTC_STATUS_SUCCESS},
    };
    char msg[ERTC_KVS_MAX_ERROR_TEXT_LEN];
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const error_case_t *c = &CASES[i];
        WEBRTC_STATUS s = ertc_kvs_map_error(c->api, c->http, c->header, c->body,
                                             c->body ? strlen(c->body) : 0, msg, sizeof(msg));
        if (s != c->expect) {
            fail_msg("case %zu: got %u want %u (%s)", i, (unsigned)s, (unsigned)c->expect, msg);
        }
    }
    const char body[] = "{\"Message\":\"User: arn:aws:iam::123:user/dev is not authorized\"}";
    assert_int_equal(ertc_kvs_map_error(ERTC_KVS_API_DESCRIBE_CHANNEL, 403,
                                        "AccessDeniedException:x", body, strlen(body), msg,
                                        sizeof(msg)),
                     WEBRTC_STATUS_SIGNALING_AUTH_FAILED);
    assert_string_equal(msg, "KVS DescribeSignalingChannel: 403 AccessDeniedException: User: "
                             "arn:aws:iam::123:user/dev is not authorized");
    const char body2[] = "{\"message\":\"The requested channel is not found or not active.\"}";
    ertc_kvs_map_error(ERTC_KVS_API_GET_ENDPOINT, 404, NULL, body2, strlen(body2), msg,
                       sizeof(msg));
    assert_string_equal(msg, "KVS GetSignalingChannelEndpoint: 404 (no error type): The requested "
                             "channel is not found or not active.");
    ertc_kvs_map_error(ERTC_KVS_API_DESCRIBE_CHANNEL, 0, NULL, NULL, 0, msg, sizeof(msg));
    assert_string_equal(msg, "KVS DescribeSignalingChannel: no response");
    /* A signature error echoes the canonical request, which may hold the session token. */
    const char sig[] = "{\"message\":\"The request signature we calculated does not match the "
                       "signature you provided.\\n\\nThe Canonical String for this request should "
                       "have been\\n'POST\\n/\\nx-amz-security-token:SECRETTOKEN\\n'\"}";
    ertc_kvs_map_error(ERTC_KVS_API_DESCRIBE_CHANNEL, 403, "InvalidSignatureException", sig,
                       strlen(sig), msg, sizeof(msg));
    assert_null(strstr(msg, "SECRETTOKEN"));
    assert_null(strstr(msg, "Canonical"));
    assert_non_null(strstr(msg, "does not match the signature you provided."));
    /* Truncated output stays terminated. */
    char small[16];
    ertc_kvs_map_error(ERTC_KVS_API_DESCRIBE_CHANNEL, 403, "AccessDeniedException", body,
                       strlen(body), small, sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_retry_policy(void **state)
{
    (void)state;
    assert_true(ertc_kvs_status_is_retryable(WEBRTC_STATUS_RETRY_LATER));
    assert_true(ertc_kvs_status_is_retryable(WEBRTC_STATUS_SIGNALING_RATE_LIMITED));
    assert_true(ertc_kvs_status_is_retryable(WEBRTC_STATUS_SIGNALING_TIMEOUT));
    assert_true(ertc_kvs_status_is_retryable(WEBRTC_STATUS_NETWORK_ERROR));
    assert_false(ertc_kvs_status_is_retryable(WEBRTC_STATUS_SIGNALING_AUTH_FAILED));
    assert_false(ertc_kvs_status_is_retryable(WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND));
    assert_false(ertc_kvs_status_is_retryable(ERTC_KVS_STATUS_CHANNEL_IN_USE));
    assert_false(ertc_kvs_status_is_retryable(WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE));

    assert_int_equal(ertc_kvs_backoff_delay_ms(0, UINT32_MAX), UINT32_MAX % 101);
    assert_int_equal(ertc_kvs_backoff_delay_ms(0, 100), 100);
    assert_int_equal(ertc_kvs_backoff_delay_ms(0, 101), 0);
    assert_int_equal(ertc_kvs_backoff_delay_ms(3, 800), 800);
    assert_int_equal(ertc_kvs_backoff_delay_ms(3, 801), 0);
    for (uint32_t a = 0; a < 64; a++) {
        for (uint32_t r = 0; r < 100000; r += 997) {
            uint32_t d = ertc_kvs_backoff_delay_ms(a, r * 43013u);
            assert_true(d <= ERTC_KVS_BACKOFF_CAP_MS);
            if (a < 7) {
                assert_true(d <= (ERTC_KVS_BACKOFF_BASE_MS << a));
            }
        }
    }
    assert_int_equal(ertc_kvs_backoff_delay_ms(40, 10000), 10000);
    uint32_t delay = 12345;
    assert_true(ertc_kvs_retry_decide(WEBRTC_STATUS_RETRY_LATER, 1, 150, &delay));
    assert_int_equal(delay, 150);
    assert_false(
        ertc_kvs_retry_decide(WEBRTC_STATUS_RETRY_LATER, ERTC_KVS_RETRY_MAX_ATTEMPTS, 1, &delay));
    assert_false(ertc_kvs_retry_decide(WEBRTC_STATUS_SIGNALING_AUTH_FAILED, 0, 1, &delay));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_builder_bad_inputs),
        cmocka_unit_test(test_parse_describe),
        cmocka_unit_test(test_parse_create),
        cmocka_unit_test(test_parse_get_endpoint),
        cmocka_unit_test(test_parse_ice_config),
        cmocka_unit_test(test_error_mapping),
        cmocka_unit_test(test_retry_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
