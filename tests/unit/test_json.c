/*
 * Unit tests for util/json: bounded parsing (size, depth, trailing data, NULs), typed
 * getters on AppRTC- and KVS-shaped messages, number ranges, string booleans, printing,
 * and failed allocations inside cJSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

/* The shape of an AppRTC /join response: nested JSON in strings, booleans as strings. */
static const char apprtc_join[] =
    "{\"result\": \"SUCCESS\", \"params\": {\"is_initiator\": \"true\", "
    "\"room_link\": \"https://appr.tc/r/583719\", \"messages\": [], "
    "\"client_id\": \"70413592\", \"bypass_join_confirmation\": \"false\", "
    "\"is_loopback\": \"false\", \"room_id\": \"583719\", "
    "\"wss_url\": \"wss://apprtc-ws.webrtc.org:443/ws\", "
    "\"wss_post_url\": \"https://apprtc-ws.webrtc.org:443\", "
    "\"pc_config\": \"{\\\"rtcpMuxPolicy\\\": \\\"require\\\", \\\"iceServers\\\": []}\", "
    "\"error_messages\": [], \"offer_options\": \"{}\", \"include_loopback_js\": \"\"}}\n";

/* The shape of a KVS GetIceServerConfig response. */
static const char kvs_ice_config[] =
    "{\"IceServerList\":[{\"Password\":\"p4ss\",\"Ttl\":300,"
    "\"Uris\":[\"turn:35-1-2-3.t-4.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp\","
    "\"turns:35-1-2-3.t-4.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp\"],"
    "\"Username\":\"1717171717:djE6YXJuOmF3czpraW5lc2lz\"}]}";

static cJSON *parse_ok(const char *text)
{
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse(text, strlen(text), ERTC_JSON_DEFAULT_MAX_LEN, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail_msg("parsing %s: status %u", text, (unsigned)st);
    }
    assert_non_null(root);
    return root;
}

static WEBRTC_STATUS parse_status(const char *text, size_t len)
{
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse(text, len, ERTC_JSON_DEFAULT_MAX_LEN, &root);
    if (st == WEBRTC_STATUS_SUCCESS) {
        cJSON_Delete(root);
    } else {
        assert_null(root); /* *out is only written on success */
    }
    return st;
}

/* "[[[...]]]" nested `depth` times, heap-allocated. */
static char *make_nested(size_t depth)
{
    char *s = ertc_malloc(depth * 2 + 1);
    assert_non_null(s);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[depth * 2] = '\0';
    return s;
}

static void test_apprtc_join_response(void **state)
{
    (void)state;
    cJSON *root = parse_ok(apprtc_join);
    const char *result = NULL;
    assert_int_equal(ertc_json_get_string(root, "result", &result), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(result, "SUCCESS");

    cJSON *params = NULL;
    assert_int_equal(ertc_json_get_object(root, "params", &params), WEBRTC_STATUS_SUCCESS);
    bool initiator = false;
    assert_int_equal(ertc_json_get_bool(params, "is_initiator", &initiator), WEBRTC_STATUS_SUCCESS);
    assert_true(initiator);
    bool loopback = true;
    assert_int_equal(ertc_json_get_bool(params, "is_loopback", &loopback), WEBRTC_STATUS_SUCCESS);
    assert_false(loopback);

    cJSON *messages = NULL;
    assert_int_equal(ertc_json_get_array(params, "messages", &messages), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(cJSON_GetArraySize(messages), 0);

    char wss[64];
    size_t len = 0;
    assert_int_equal(ertc_json_copy_string(params, "wss_url", wss, sizeof(wss), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(wss, "wss://apprtc-ws.webrtc.org:443/ws");
    assert_int_equal(len, strlen(wss));
    /* 33 characters need 34 bytes. */
    assert_int_equal(ertc_json_copy_string(params, "wss_url", wss, 33, NULL),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_json_copy_string(params, "wss_url", wss, 34, NULL),
                     WEBRTC_STATUS_SUCCESS);

    /* A string of JSON inside JSON parses on its own. */
    const char *pc_config = NULL;
    assert_int_equal(ertc_json_get_string(params, "pc_config", &pc_config), WEBRTC_STATUS_SUCCESS);
    cJSON *pc = parse_ok(pc_config);
    cJSON *servers = NULL;
    assert_int_equal(ertc_json_get_array(pc, "iceServers", &servers), WEBRTC_STATUS_SUCCESS);
    cJSON_Delete(pc);
    cJSON_Delete(root);
}

static void test_kvs_ice_config(void **state)
{
    (void)state;
    cJSON *root = parse_ok(kvs_ice_config);
    cJSON *list = NULL;
    assert_int_equal(ertc_json_get_array(root, "IceServerList", &list), WEBRTC_STATUS_SUCCESS);
    cJSON *server = cJSON_GetArrayItem(list, 0);
    assert_non_null(server);
    uint32_t ttl = 0;
    assert_int_equal(ertc_json_get_uint32(server, "Ttl", &ttl), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ttl, 300);
    cJSON *uris = NULL;
    assert_int_equal(ertc_json_get_array(server, "Uris", &uris), WEBRTC_STATUS_SUCCESS);
    /* A NULL key reads the item itself: the way to read array elements. */
    const char *uri = NULL;
    assert_int_equal(ertc_json_get_string(cJSON_GetArrayItem(uris, 1), NULL, &uri),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(uri, "turns:", 6);
    /* Keys are case-sensitive. */
    assert_int_equal(ertc_json_get_uint32(server, "ttl", &ttl), WEBRTC_STATUS_NOT_FOUND);
    cJSON_Delete(root);
}

static void test_depth_limit(void **state)
{
    (void)state;
    char *at_limit = make_nested(ERTC_JSON_MAX_DEPTH);
    assert_int_equal(parse_status(at_limit, strlen(at_limit)), WEBRTC_STATUS_SUCCESS);
    char *over = make_nested(ERTC_JSON_MAX_DEPTH + 1);
    assert_int_equal(parse_status(over, strlen(over)), WEBRTC_STATUS_LIMIT_EXCEEDED);
    /* Far deeper than cJSON's own limit of 1000: refused before cJSON recurses, and as a
     * depth problem (cJSON alone would call it malformed). */
    char *hostile = make_nested(200000);
    cJSON *root = NULL;
    assert_int_equal(ertc_json_parse(hostile, strlen(hostile), 1 << 20, &root),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_null(root);
    /* Unbalanced and deep is refused the same way. */
    hostile[150000] = '\0';
    assert_int_equal(ertc_json_parse(hostile, strlen(hostile), 1 << 20, &root),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    ertc_free(at_limit);
    ertc_free(over);
    ertc_free(hostile);

    /* Objects count too. */
    char objects[ERTC_JSON_MAX_DEPTH * 8 + 8] = "";
    for (int i = 0; i <= ERTC_JSON_MAX_DEPTH; i++) {
        strcat(objects, "{\"a\":");
    }
    strcat(objects, "1");
    for (int i = 0; i <= ERTC_JSON_MAX_DEPTH; i++) {
        strcat(objects, "}");
    }
    assert_int_equal(parse_status(objects, strlen(objects)), WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_brackets_in_strings_do_not_count(void **state)
{
    (void)state;
    char text[200] = "{\"sdp\":\"";
    for (int i = 0; i < 50; i++) {
        strcat(text, "[{");
    }
    strcat(text, "\\\"[\"}"); /* an escaped quote does not end the string */
    cJSON *root = parse_ok(text);
    assert_int_equal(ertc_json_depth(root, ERTC_JSON_MAX_DEPTH), 1);
    cJSON_Delete(root);
}

static void test_depth_measure(void **state)
{
    (void)state;
    cJSON *root = parse_ok("{\"a\":[1,{\"b\":[]}],\"c\":2}");
    assert_int_equal(ertc_json_depth(root, 32), 4);
    assert_int_equal(ertc_json_depth(root, 2), 3); /* stops at limit + 1 */
    assert_int_equal(ertc_json_depth(cJSON_GetObjectItem(root, "c"), 32), 0);
    cJSON_Delete(root);
}

static void test_size_limit(void **state)
{
    (void)state;
    const char *text = "{\"a\":\"0123456789\"}";
    size_t len = strlen(text);
    cJSON *root = NULL;
    assert_int_equal(ertc_json_parse(text, len, len - 1, &root), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_null(root);
    assert_int_equal(ertc_json_parse(text, len, len, &root), WEBRTC_STATUS_SUCCESS);
    cJSON_Delete(root);
}

static void test_rejects_malformed(void **state)
{
    (void)state;
    assert_int_equal(parse_status("", 0), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("   ", 3), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("{} x", 4), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("{}{}", 4), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("{\"a\":1,", 7), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("{\"a\":\"x\\", 8), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("[1,]x", 5), WEBRTC_STATUS_MALFORMED);
    /* A NUL would hide the rest of a string from cJSON. */
    assert_int_equal(parse_status("{\"a\":\"b\0c\"}", 11), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(parse_status("{}\0", 3), WEBRTC_STATUS_MALFORMED);
    /* Trailing JSON whitespace is fine. */
    assert_int_equal(parse_status("{} \r\n\t", 6), WEBRTC_STATUS_SUCCESS);
}

static void test_counted_buffer_without_nul(void **state)
{
    (void)state;
    const char text[] = "{\"a\":12}GARBAGE";
    cJSON *root = NULL;
    assert_int_equal(ertc_json_parse(text, 8, 64, &root), WEBRTC_STATUS_SUCCESS);
    int64_t a = 0;
    assert_int_equal(ertc_json_get_int(root, "a", &a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(a, 12);
    cJSON_Delete(root);
}

static void test_integers(void **state)
{
    (void)state;
    cJSON *root = parse_ok("{\"pos\":42,\"neg\":-7,\"half\":1.5,\"exp\":1e2,\"huge\":1e300,"
                           "\"max\":9007199254740992,\"min\":-9007199254740992,"
                           "\"over\":9007199254740994,\"i64\":9223372036854775808,"
                           "\"u32\":4294967295,\"u33\":4294967296,\"str\":\"42\","
                           "\"nul\":null,\"t\":true}");
    int64_t v = 0;
    assert_int_equal(ertc_json_get_int(root, "pos", &v), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, 42);
    assert_int_equal(ertc_json_get_int(root, "neg", &v), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, -7);
    assert_int_equal(ertc_json_get_int(root, "exp", &v), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, 100);
    assert_int_equal(ertc_json_get_int(root, "max", &v), WEBRTC_STATUS_SUCCESS);
    assert_true(v == ERTC_JSON_MAX_EXACT_INT);
    assert_int_equal(ertc_json_get_int(root, "min", &v), WEBRTC_STATUS_SUCCESS);
    assert_true(v == -ERTC_JSON_MAX_EXACT_INT);

    v = 555;
    assert_int_equal(ertc_json_get_int(root, "half", &v), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_int(root, "huge", &v), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_json_get_int(root, "over", &v), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_json_get_int(root, "i64", &v), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_json_get_int(root, "str", &v), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_int(root, "t", &v), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_int(root, "nul", &v), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(ertc_json_get_int(root, "absent", &v), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(v, 555); /* untouched by every failure */

    uint32_t u = 7;
    assert_int_equal(ertc_json_get_uint32(root, "u32", &u), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(u, UINT32_MAX);
    assert_int_equal(ertc_json_get_uint32(root, "u33", &u), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_json_get_uint32(root, "neg", &u), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(u, UINT32_MAX);

    assert_int_equal(ertc_json_get_int_range(root, "pos", 0, 41, &v), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_json_get_int_range(root, "pos", 42, 42, &v), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(v, 42);
    cJSON_Delete(root);
}

static void test_booleans(void **state)
{
    (void)state;
    cJSON *root = parse_ok("{\"t\":true,\"f\":false,\"ts\":\"true\",\"fs\":\"false\","
                           "\"upper\":\"TRUE\",\"one\":1,\"empty\":\"\",\"nul\":null}");
    bool b = false;
    assert_int_equal(ertc_json_get_bool(root, "t", &b), WEBRTC_STATUS_SUCCESS);
    assert_true(b);
    assert_int_equal(ertc_json_get_bool(root, "f", &b), WEBRTC_STATUS_SUCCESS);
    assert_false(b);
    assert_int_equal(ertc_json_get_bool(root, "ts", &b), WEBRTC_STATUS_SUCCESS);
    assert_true(b);
    assert_int_equal(ertc_json_get_bool(root, "fs", &b), WEBRTC_STATUS_SUCCESS);
    assert_false(b);
    b = true;
    assert_int_equal(ertc_json_get_bool(root, "upper", &b), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_bool(root, "one", &b), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_bool(root, "empty", &b), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_bool(root, "nul", &b), WEBRTC_STATUS_NOT_FOUND);
    assert_true(b);
    cJSON_Delete(root);
}

static void test_type_mismatches(void **state)
{
    (void)state;
    cJSON *root = parse_ok("{\"s\":\"x\",\"o\":{},\"a\":[]}");
    const char *s = NULL;
    cJSON *item = NULL;
    assert_int_equal(ertc_json_get_string(root, "o", &s), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_object(root, "a", &item), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_array(root, "o", &item), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_object(root, "s", &item), WEBRTC_STATUS_MALFORMED);
    assert_null(item);
    /* Looking a key up in something that is not an object is a type error, not absence. */
    cJSON *arr = NULL;
    assert_int_equal(ertc_json_get_array(root, "a", &arr), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_json_get_string(arr, "s", &s), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_json_get_string(NULL, "s", &s), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_json_get_string(root, "s", NULL), WEBRTC_STATUS_NULL_ARG);
    cJSON_Delete(root);
}

static void test_print(void **state)
{
    (void)state;
    cJSON *root = parse_ok("{ \"action\" : \"ICE_CANDIDATE\", \"n\" : [1, 2] }");
    char buf[64];
    size_t len = 0;
    assert_int_equal(ertc_json_print(root, buf, sizeof(buf), &len), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "{\"action\":\"ICE_CANDIDATE\",\"n\":[1,2]}");
    assert_int_equal(len, strlen(buf));
    assert_int_equal(ertc_json_print(root, buf, 10, &len), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(buf, "");
    cJSON_Delete(root);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    ertc_alloc_route_libraries();
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);
    /* Fail the 1st, 2nd, ... allocation of a parse in turn: never a crash or a leak, and
     * always reported as a memory failure, never as bad input. */
    int failures = 0;
    for (uint64_t skip = 0; skip < 200; skip++) {
        cJSON *root = NULL;
        ertc_alloc_inject_failure(skip, false);
        WEBRTC_STATUS st = ertc_json_parse(kvs_ice_config, strlen(kvs_ice_config), 4096, &root);
        ertc_alloc_inject_off();
        if (st == WEBRTC_STATUS_SUCCESS) {
            cJSON_Delete(root);
            break;
        }
        assert_int_equal(st, WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
        failures++;
    }
    assert_true(failures > 5);
    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_alloc_counting_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apprtc_join_response),
        cmocka_unit_test(test_kvs_ice_config),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_brackets_in_strings_do_not_count),
        cmocka_unit_test(test_depth_measure),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_rejects_malformed),
        cmocka_unit_test(test_counted_buffer_without_nul),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_type_mismatches),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
