/*
 * Unit tests for signaling/kvs/kvs_cache: find/put/remove with the entry bound, the 10 h
 * expiry, serialize → parse round trip, corrupt files, and the atomic writer in a temp folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signaling/kvs/kvs_cache.h"

static void make_entry(ertc_kvs_cache_entry_t *e, const char *channel, ertc_kvs_role_t role,
                       int64_t created)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->channel, sizeof(e->channel), "%s", channel);
    snprintf(e->region, sizeof(e->region), "us-west-2");
    e->role = role;
    snprintf(e->arn, sizeof(e->arn),
             "arn:aws:kinesisvideo:us-west-2:123456789012:channel/%s/1641534227750", channel);
    snprintf(e->endpoints.wss, sizeof(e->endpoints.wss),
             "wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com");
    snprintf(e->endpoints.https, sizeof(e->endpoints.https),
             "https://r-2c136a55.kinesisvideo.us-west-2.amazonaws.com");
    e->created = created;
}

static ertc_kvs_cache_t g_cache, g_back;

static void test_put_find_remove(void **state)
{
    (void)state;
    ertc_kvs_cache_entry_t e;
    memset(&g_cache, 0, sizeof(g_cache));
    make_entry(&e, "demo", ERTC_KVS_ROLE_MASTER, 1000);
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    make_entry(&e, "demo", ERTC_KVS_ROLE_VIEWER, 1001);
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    assert_int_equal(g_cache.count, 2);
    make_entry(&e, "demo", ERTC_KVS_ROLE_MASTER, 2000);
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    assert_int_equal(g_cache.count, 2);
    assert_int_equal(
        ertc_kvs_cache_find(&g_cache, "demo", "us-west-2", ERTC_KVS_ROLE_MASTER)->created, 2000);
    assert_null(ertc_kvs_cache_find(&g_cache, "demo", "eu-west-1", ERTC_KVS_ROLE_MASTER));
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof(name), "ch%d", i);
        make_entry(&e, name, ERTC_KVS_ROLE_MASTER, 5000 + i);
        assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    }
    assert_int_equal(g_cache.count, ERTC_KVS_CACHE_MAX_ENTRIES);
    /* The oldest gave way: both "demo" entries are gone, the newest is present. */
    assert_null(ertc_kvs_cache_find(&g_cache, "demo", "us-west-2", ERTC_KVS_ROLE_VIEWER));
    assert_non_null(ertc_kvs_cache_find(&g_cache, "ch19", "us-west-2", ERTC_KVS_ROLE_MASTER));
    assert_true(ertc_kvs_cache_remove(&g_cache, "ch19", "us-west-2", ERTC_KVS_ROLE_MASTER));
    assert_false(ertc_kvs_cache_remove(&g_cache, "ch19", "us-west-2", ERTC_KVS_ROLE_MASTER));
    assert_int_equal(g_cache.count, ERTC_KVS_CACHE_MAX_ENTRIES - 1);
    make_entry(&e, "x", ERTC_KVS_ROLE_MASTER, 1);
    e.endpoints.wss[0] = '\0';
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), WEBRTC_STATUS_INVALID_ARG);
}

static void test_expiry(void **state)
{
    (void)state;
    ertc_kvs_cache_entry_t e;
    make_entry(&e, "demo", ERTC_KVS_ROLE_MASTER, 1000000);
    assert_true(ertc_kvs_cache_entry_fresh(&e, 1000000, 0));
    assert_true(ertc_kvs_cache_entry_fresh(&e, 1000000 + 36000, 0));
    assert_false(ertc_kvs_cache_entry_fresh(&e, 1000000 + 36001, 0));
    assert_false(ertc_kvs_cache_entry_fresh(&e, 1000000 + 61, 60));
    assert_false(ertc_kvs_cache_entry_fresh(&e, 1000000 - 36001, 0));
    assert_false(ertc_kvs_cache_entry_fresh(NULL, 0, 0));
}

static void test_round_trip(void **state)
{
    (void)state;
    ertc_kvs_cache_entry_t e;
    memset(&g_cache, 0, sizeof(g_cache));
    make_entry(&e, "demo", ERTC_KVS_ROLE_MASTER, 1795348800);
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    make_entry(&e, "with\"quote,comma", ERTC_KVS_ROLE_VIEWER, 7);
    assert_int_equal(ertc_kvs_cache_put(&g_cache, &e), 0);
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, ERTC_KVS_CACHE_MAX_FILE_LEN);
    assert_int_equal(ertc_kvs_cache_serialize(&g_cache, &sb), 0);
    assert_non_null(strstr(ertc_strbuf_cstr(&sb), "\"role\":\"VIEWER\""));
    assert_int_equal(ertc_kvs_cache_parse(ertc_strbuf_cstr(&sb), ertc_strbuf_len(&sb), &g_back), 0);
    assert_int_equal(g_back.count, 2);
    assert_memory_equal(&g_back.entries[0], &g_cache.entries[0], sizeof(g_cache.entries[0]));
    assert_memory_equal(&g_back.entries[1], &g_cache.entries[1], sizeof(g_cache.entries[1]));
    ertc_strbuf_free(&sb);
    assert_int_equal(ertc_kvs_cache_parse("{\"version\":1,\"entries\":[]}", 26, &g_back), 0);
    assert_int_equal(g_back.count, 0);
}

static void test_corrupt(void **state)
{
    (void)state;
    static const char *const BAD[] = {
        "",
        "garbage",
        "{\"version\":2,\"entries\":[]}",
        "{\"entries\":[]}",
        "{\"version\":1,\"entries\":[{}]}",
        "{\"version\":1,\"entries\":[{\"channel\":\"c\",\"region\":\"r\",\"role\":\"Boss\",\"arn\":"
        "\"a\",\"wss\":\"w\",\"https\":\"h\",\"created\":1}]}",
        "{\"version\":1,\"entries\":[{\"channel\":\"c\",\"region\":\"r\",\"role\":\"MASTER\","
        "\"arn\":\"a\",\"wss\":\"w\",\"https\":\"h\",\"created\":-1}]}",
        "{\"version\":1,\"entries\":[{\"channel\":\"c\",\"region\":\"r\",\"role\":\"MASTER\","
        "\"arn\":\"a\",\"wss\":\"\",\"https\":\"h\",\"created\":1}]}",
        "{\"version\":1,\"entries\":[{\"channel\":\"c\",\"region\":\"r\",\"role\":\"MASTER\","
        "\"arn\":\"a\",\"wss\":\"w\",\"https\":\"h\",\"created\":1},"
        "{\"channel\":\"c\",\"region\":\"r\",\"role\":\"MASTER\",\"arn\":\"a\",\"wss\":\"w\","
        "\"https\":\"h\",\"created\":2}]}",
        "{\"version\":1,\"entries\":[{\"channel\":\"c\",\"region\":\"r\",\"role\":\"MASTER\","
        "\"arn\":\"a\",\"wss\":\"w\",\"https\":\"h\",\"created\":1}",
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        g_back.count = 3;
        assert_int_equal(ertc_kvs_cache_parse(BAD[i], strlen(BAD[i]), &g_back),
                         WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
        assert_int_equal(g_back.count, 0);
    }
    /* Too many entries. */
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, ERTC_KVS_CACHE_MAX_FILE_LEN);
    ertc_strbuf_append_str(&sb, "{\"version\":1,\"entries\":[");
    for (int i = 0; i <= ERTC_KVS_CACHE_MAX_ENTRIES; i++) {
        ertc_strbuf_appendf(
            &sb,
            "%s{\"channel\":\"c%d\",\"region\":\"r\",\"role\":\"MASTER\",\"arn\":\"a\","
            "\"wss\":\"w\",\"https\":\"h\",\"created\":1}",
            i ? "," : "", i);
    }
    ertc_strbuf_append_str(&sb, "]}");
    assert_int_equal(ertc_kvs_cache_parse(ertc_strbuf_cstr(&sb), ertc_strbuf_len(&sb), &g_back),
                     WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    ertc_strbuf_free(&sb);
}

static void test_atomic_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/ertc-kvs-cache-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/.SignalingCache_edgertc_v1", dir);
    assert_int_equal(ertc_kvs_cache_write_atomic(path, "first", 5), 0);
    assert_int_equal(ertc_kvs_cache_write_atomic(path, "second!", 7), 0);
    char buf[32] = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(n, 7);
    assert_string_equal(buf, "second!");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char tmp[300];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(stat(tmp, &st), 0);
    /* A folder that does not exist: IO_ERROR, nothing left behind. */
    char bad[300];
    snprintf(bad, sizeof(bad), "%s/missing/cache", dir);
    assert_int_equal(ertc_kvs_cache_write_atomic(bad, "x", 1), WEBRTC_STATUS_IO_ERROR);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_find_remove), cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
