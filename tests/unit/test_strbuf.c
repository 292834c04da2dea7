/*
 * Unit tests for util/strbuf: fixed and heap builders, printf-style appends, JSON string
 * escaping, the sticky overflow rule, detach/free, and failed allocations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/alloc.h"
#include "util/strbuf.h"

static void test_fixed_appends(void **state)
{
    (void)state;
    char buf[32];
    memset(buf, 'x', sizeof(buf));
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
    assert_int_equal(buf[0], '\0');

    assert_int_equal(ertc_strbuf_append_str(&sb, "GET "), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_append(&sb, "/path?q", 5), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_append_char(&sb, ' '), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_appendf(&sb, "HTTP/%d.%d", 1, 1), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "GET /path HTTP/1.1");
    assert_int_equal(ertc_strbuf_len(&sb), strlen("GET /path HTTP/1.1"));
    assert_ptr_equal(ertc_strbuf_cstr(&sb), buf);
    assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_SUCCESS);
}

static void test_fixed_fills_exactly(void **state)
{
    (void)state;
    char buf[6];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    assert_int_equal(ertc_strbuf_append_str(&sb, "abcde"), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "abcde");
    /* Even an empty write still succeeds once full; one more byte does not. */
    assert_int_equal(ertc_strbuf_append(&sb, "", 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_append_char(&sb, 'f'), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(buf, "abcde");
}

static void test_fixed_overflow_is_sticky_and_whole(void **state)
{
    (void)state;
    char buf[10];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    assert_int_equal(ertc_strbuf_append_str(&sb, "hello"), WEBRTC_STATUS_SUCCESS);
    /* The write that does not fit leaves nothing of itself behind. */
    assert_int_equal(ertc_strbuf_append_str(&sb, " world"), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(ertc_strbuf_cstr(&sb), "hello");
    assert_int_equal(ertc_strbuf_len(&sb), 5);
    /* A later write that would fit is refused too: the message is already incomplete. */
    assert_int_equal(ertc_strbuf_append_str(&sb, "!"), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_strbuf_appendf(&sb, "%d", 1), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(ertc_strbuf_cstr(&sb), "hello");
    assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_BUFFER_TOO_SMALL);

    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
    assert_int_equal(ertc_strbuf_append_str(&sb, "again"), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "again");
}

static void test_fixed_appendf_overflow_restores_terminator(void **state)
{
    (void)state;
    char buf[8];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    assert_int_equal(ertc_strbuf_append_str(&sb, "ab"), WEBRTC_STATUS_SUCCESS);
    /* vsnprintf writes a partial "cdefg" before the builder learns it does not fit. */
    assert_int_equal(ertc_strbuf_appendf(&sb, "%s", "cdefghij"), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(buf, "ab");
}

static void test_fixed_zero_size(void **state)
{
    (void)state;
    char buf[1] = {'x'};
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, 0);
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
    assert_int_equal(ertc_strbuf_append(&sb, "", 0), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(buf[0], 'x');
    char *out = NULL;
    assert_int_equal(ertc_strbuf_detach(&sb, &out, NULL), WEBRTC_STATUS_INVALID_OPERATION);
    ertc_strbuf_free(&sb);
}

static void test_heap_grows_to_limit(void **state)
{
    (void)state;
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 1000);
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
    for (int i = 0; i < 100; i++) {
        assert_int_equal(ertc_strbuf_appendf(&sb, "%09d,", i), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(ertc_strbuf_len(&sb), 1000);
    assert_memory_equal(ertc_strbuf_cstr(&sb), "000000000,000000001,", 20);
    assert_string_equal(ertc_strbuf_cstr(&sb) + 990, "000000099,");
    assert_true(sb.cap <= 1001); /* never allocates past the limit */

    assert_int_equal(ertc_strbuf_append_char(&sb, 'x'), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_strbuf_len(&sb), 1000);
    assert_int_equal(ertc_strbuf_cstr(&sb)[1000], '\0');

    char *out = NULL;
    assert_int_equal(ertc_strbuf_detach(&sb, &out, NULL), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_null(out);
    ertc_strbuf_free(&sb);
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
}

static void test_heap_appendf_large(void **state)
{
    (void)state;
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 100000);
    char big[5000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(ertc_strbuf_appendf(&sb, "<%s>", big), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_len(&sb), sizeof(big) + 1);
    assert_int_equal(ertc_strbuf_cstr(&sb)[0], '<');
    assert_int_equal(ertc_strbuf_cstr(&sb)[sizeof(big)], '>');
    assert_int_equal(strlen(ertc_strbuf_cstr(&sb)), sizeof(big) + 1);
    ertc_strbuf_free(&sb);
}

static void test_detach_and_free(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);

    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 256);
    assert_int_equal(ertc_strbuf_append_str(&sb, "{\"action\":\"SDP_OFFER\"}"),
                     WEBRTC_STATUS_SUCCESS);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(ertc_strbuf_detach(&sb, &out, &len), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "{\"action\":\"SDP_OFFER\"}");
    assert_int_equal(len, strlen(out));
    /* The builder is empty and reusable; freeing it does not touch the detached text. */
    assert_int_equal(ertc_strbuf_len(&sb), 0);
    assert_string_equal(ertc_strbuf_cstr(&sb), "");
    ertc_strbuf_free(&sb);
    assert_string_equal(out, "{\"action\":\"SDP_OFFER\"}");
    ertc_free(out);

    /* Detaching a builder that never wrote gives an empty, freeable string. */
    ertc_strbuf_init_heap(&sb, 16);
    assert_int_equal(ertc_strbuf_detach(&sb, &out, &len), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "");
    assert_int_equal(len, 0);
    ertc_free(out);
    ertc_strbuf_free(&sb);

    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_alloc_counting_disable();
}

static void test_allocation_failure(void **state)
{
    (void)state;
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 4096);
    assert_int_equal(ertc_strbuf_append_str(&sb, "first"), WEBRTC_STATUS_SUCCESS);
    ertc_alloc_inject_failure(0, true);
    char chunk[100];
    memset(chunk, 'z', sizeof(chunk));
    assert_int_equal(ertc_strbuf_append(&sb, chunk, sizeof(chunk)),
                     WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    ertc_alloc_inject_off();
    assert_string_equal(ertc_strbuf_cstr(&sb), "first");
    assert_int_equal(ertc_strbuf_append_str(&sb, "x"), WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    ertc_strbuf_free(&sb);
}

static void test_json_string_escaping(void **state)
{
    (void)state;
    char buf[128];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    const char in[] = "a\"b\\c\r\n\t\x01\x1f/\xc3\xa9";
    assert_int_equal(ertc_strbuf_append_json_string(&sb, in, strlen(in)), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "\"a\\\"b\\\\c\\r\\n\\t\\u0001\\u001f/\xc3\xa9\"");

    /* An embedded NUL is escaped too, since the length is explicit. */
    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_strbuf_append_json_string(&sb, "x\0y", 3), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "\"x\\u0000y\"");

    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_strbuf_append_json_string(&sb, NULL, 0), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "\"\"");
}

static void test_json_string_all_or_nothing(void **state)
{
    (void)state;
    char buf[12];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    assert_int_equal(ertc_strbuf_append_str(&sb, "{\"k\":"), WEBRTC_STATUS_SUCCESS);
    /* 3 bytes of input become 7 with quotes and escapes: one more than the 6 left. */
    assert_int_equal(ertc_strbuf_append_json_string(&sb, "\n\"a", 3),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(buf, "{\"k\":");
    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_strbuf_append_str(&sb, "{\"k\":"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_strbuf_append_json_string(&sb, "\n\"", 2), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "{\"k\":\"\\n\\\"\"");
}

static void test_null_arguments(void **state)
{
    (void)state;
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 64);
    assert_int_equal(ertc_strbuf_append(NULL, "a", 1), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_strbuf_append_str(&sb, NULL), WEBRTC_STATUS_NULL_ARG);
    /* A NULL argument also marks the builder: the output would be missing a part. */
    assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_strbuf_append_str(&sb, "a"), WEBRTC_STATUS_NULL_ARG);
    char *out = NULL;
    assert_int_equal(ertc_strbuf_detach(&sb, NULL, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_strbuf_detach(&sb, &out, NULL), WEBRTC_STATUS_NULL_ARG);
    ertc_strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_appends),
        cmocka_unit_test(test_fixed_fills_exactly),
        cmocka_unit_test(test_fixed_overflow_is_sticky_and_whole),
        cmocka_unit_test(test_fixed_appendf_overflow_restores_terminator),
        cmocka_unit_test(test_fixed_zero_size),
        cmocka_unit_test(test_heap_grows_to_limit),
        cmocka_unit_test(test_heap_appendf_large),
        cmocka_unit_test(test_detach_and_free),
        cmocka_unit_test(test_allocation_failure),
        cmocka_unit_test(test_json_string_escaping),
        cmocka_unit_test(test_json_string_all_or_nothing),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
