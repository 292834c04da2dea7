/*
 * Unit tests for util/log: run-time level filtering, per-tag overrides, the sink, long-line
 * truncation, secret redaction and level names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/log.h"

/* What the capturing sink saw. */
static struct {
    int lines;
    int level;
    char tag[32];
    char line[ERTC_LOG_MAX_LINE + 16];
} seen;

static void capture_sink(int level, const char *tag, const char *line, void *ctx)
{
    assert_ptr_equal(ctx, &seen);
    seen.lines++;
    seen.level = level;
    snprintf(seen.tag, sizeof(seen.tag), "%s", tag);
    snprintf(seen.line, sizeof(seen.line), "%s", line);
}

static int setup(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof(seen));
    ertc_log_set_sink(capture_sink, &seen);
    ertc_log_set_level(ERTC_LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ertc_log_set_sink(NULL, NULL);
    ertc_log_set_level(ERTC_LOG_INFO);
    return 0;
}

static void test_sink_receives_formatted_line(void **state)
{
    (void)state;
    ERTC_LOGI("ice", "pair %s:%d nominated", "10.0.0.2", 5000);
    assert_int_equal(seen.lines, 1);
    assert_int_equal(seen.level, ERTC_LOG_INFO);
    assert_string_equal(seen.tag, "ice");
    assert_string_equal(seen.line, "pair 10.0.0.2:5000 nominated");
    /* A NULL tag reaches the sink as "-". */
    ERTC_LOGE(NULL, "no tag");
    assert_int_equal(seen.lines, 2);
    assert_string_equal(seen.tag, "-");
}

static void test_level_filtering(void **state)
{
    (void)state;
    ertc_log_set_level(ERTC_LOG_WARN);
    assert_int_equal(ertc_log_get_level(), ERTC_LOG_WARN);
    ERTC_LOGV("sdp", "verbose");
    ERTC_LOGD("sdp", "debug");
    ERTC_LOGI("sdp", "info");
    assert_int_equal(seen.lines, 0);
    ERTC_LOGW("sdp", "warn");
    assert_int_equal(seen.lines, 1);
    assert_int_equal(seen.level, ERTC_LOG_WARN);
    ERTC_LOGE("sdp", "error");
    assert_int_equal(seen.lines, 2);

    assert_false(ertc_log_enabled(ERTC_LOG_INFO, "sdp"));
    assert_true(ertc_log_enabled(ERTC_LOG_ERROR, "sdp"));
    assert_true(ertc_log_enabled(ERTC_LOG_ERROR, NULL));

    ertc_log_set_level(ERTC_LOG_SILENT);
    ERTC_LOG(ERTC_LOG_FATAL, "sdp", "even fatal is silent");
    assert_int_equal(seen.lines, 2);

    ertc_log_set_level(ERTC_LOG_VERBOSE);
    ERTC_LOGV("sdp", "verbose now");
    assert_int_equal(seen.lines, 3);
    assert_string_equal(seen.line, "verbose now");
}

static void test_tag_override(void **state)
{
    (void)state;
    ertc_log_set_level(ERTC_LOG_INFO);
    assert_int_equal(ertc_log_set_tag_level("dtls", ERTC_LOG_DEBUG), 0);
    assert_int_equal(ertc_log_set_tag_level("kvs", ERTC_LOG_ERROR), 0);

    ERTC_LOGD("dtls", "more detail for one tag");
    assert_int_equal(seen.lines, 1);
    ERTC_LOGD("ice", "other tags keep the global level");
    assert_int_equal(seen.lines, 1);
    ERTC_LOGW("kvs", "and a tag can be quieter");
    assert_int_equal(seen.lines, 1);
    ERTC_LOGE("kvs", "errors still pass");
    assert_int_equal(seen.lines, 2);

    /* Changing an override in place, then removing it. */
    assert_int_equal(ertc_log_set_tag_level("dtls", ERTC_LOG_WARN), 0);
    assert_false(ertc_log_enabled(ERTC_LOG_INFO, "dtls"));
    assert_int_equal(ertc_log_set_tag_level("dtls", 0), 0);
    assert_true(ertc_log_enabled(ERTC_LOG_INFO, "dtls"));
    assert_false(ertc_log_enabled(ERTC_LOG_DEBUG, "dtls"));
    assert_int_equal(ertc_log_set_tag_level("kvs", 0), 0);
    assert_true(ertc_log_enabled(ERTC_LOG_WARN, "kvs"));

    assert_int_equal(ertc_log_set_tag_level(NULL, ERTC_LOG_DEBUG), -1);
    assert_int_equal(
        ertc_log_set_tag_level("a-tag-name-much-longer-than-thirty-one", ERTC_LOG_DEBUG), -1);
}

static void test_tag_table_is_bounded(void **state)
{
    (void)state;
    char tag[16];
    int added = 0;
    for (int i = 0; i < 64; i++) {
        snprintf(tag, sizeof(tag), "t%d", i);
        if (ertc_log_set_tag_level(tag, ERTC_LOG_DEBUG) != 0) {
            break;
        }
        added++;
    }
    assert_true(added > 0 && added < 64); /* a full table refuses instead of growing */
    for (int i = 0; i < added; i++) {
        snprintf(tag, sizeof(tag), "t%d", i);
        assert_int_equal(ertc_log_set_tag_level(tag, 0), 0);
    }
    assert_false(ertc_log_enabled(ERTC_LOG_DEBUG, "t0"));
    assert_int_equal(ertc_log_set_tag_level("t-new", ERTC_LOG_DEBUG), 0);
    assert_int_equal(ertc_log_set_tag_level("t-new", 0), 0);
}

static void test_long_lines_truncated(void **state)
{
    (void)state;
    char msg[3000];
    memset(msg, 'x', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    ERTC_LOGI("sdp", "%s", msg);
    size_t len = strlen(seen.line);
    assert_int_equal(len, ERTC_LOG_MAX_LINE - 1);
    assert_string_equal(seen.line + len - 3, "...");
    assert_int_equal(seen.line[len - 4], 'x');

    /* A line that just fits is not marked. */
    msg[ERTC_LOG_MAX_LINE - 1] = '\0';
    ERTC_LOGI("sdp", "%s", msg);
    assert_int_equal(strlen(seen.line), ERTC_LOG_MAX_LINE - 1);
    assert_int_equal(seen.line[ERTC_LOG_MAX_LINE - 2], 'x');
}

static void test_redact(void **state)
{
    (void)state;
    char out[16];
    assert_string_equal(ertc_log_redact("AKIAXXXXXXXX", out), "AKIA****");
    assert_ptr_equal(ertc_log_redact("AKIAXXXXXXXX", out), out);
    assert_string_equal(ertc_log_redact("ASIA1234567890ABCDEF", out), "ASIA****");
    assert_string_equal(ertc_log_redact("abc", out), "****");
    assert_string_equal(ertc_log_redact("abcdefg", out), "****"); /* 7: too short to show */
    assert_string_equal(ertc_log_redact("", out), "****");
    assert_string_equal(ertc_log_redact(NULL, out), "****");
}

static void test_level_parse_and_names(void **state)
{
    (void)state;
    assert_int_equal(ertc_log_level_parse("verbose"), ERTC_LOG_VERBOSE);
    assert_int_equal(ertc_log_level_parse("debug"), ERTC_LOG_DEBUG);
    assert_int_equal(ertc_log_level_parse("INFO"), ERTC_LOG_INFO);
    assert_int_equal(ertc_log_level_parse("warn"), ERTC_LOG_WARN);
    assert_int_equal(ertc_log_level_parse("warning"), ERTC_LOG_WARN);
    assert_int_equal(ertc_log_level_parse("error"), ERTC_LOG_ERROR);
    assert_int_equal(ertc_log_level_parse("silent"), ERTC_LOG_SILENT);
    assert_int_equal(ertc_log_level_parse("3"), 3);
    assert_int_equal(ertc_log_level_parse("7"), 7);
    assert_int_equal(ertc_log_level_parse("0"), -1);
    assert_int_equal(ertc_log_level_parse("8"), -1);
    assert_int_equal(ertc_log_level_parse("33"), -1);
    assert_int_equal(ertc_log_level_parse("bogus"), -1);
    assert_int_equal(ertc_log_level_parse(""), -1);
    assert_int_equal(ertc_log_level_parse(NULL), -1);

    assert_string_equal(ertc_log_level_name(ERTC_LOG_DEBUG), "D");
    assert_string_equal(ertc_log_level_name(ERTC_LOG_ERROR), "E");
    assert_string_equal(ertc_log_level_name(42), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sink_receives_formatted_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_filtering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tag_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tag_table_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_lines_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_level_parse_and_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
