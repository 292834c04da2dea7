/*
 * Unit tests for util/alloc: the counting allocator (current, peak, counts), calloc's
 * overflow check, the failure injector (one-shot and sticky), custom hooks, and the
 * string/memory duplication helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static int setup_counting(void **state)
{
    (void)state;
    ertc_alloc_inject_off();
    ertc_alloc_counting_enable();
    ertc_alloc_reset_peak();
    return 0;
}

static int teardown_counting(void **state)
{
    (void)state;
    ertc_alloc_inject_off();
    ertc_alloc_counting_disable();
    return 0;
}

static ertc_alloc_stats_t stats_now(void)
{
    ertc_alloc_stats_t s;
    ertc_alloc_get_stats(&s);
    return s;
}

static void test_counting_malloc_realloc_free(void **state)
{
    (void)state;
    assert_true(ertc_alloc_counting_enabled());
    ertc_alloc_stats_t base = stats_now();
    assert_int_equal(base.count, 0);
    assert_int_equal(base.peak, base.current);

    char *p = ertc_malloc(1000);
    assert_non_null(p);
    memset(p, 1, 1000);
    ertc_alloc_stats_t s = stats_now();
    assert_true(s.current >= base.current + 1000);
    assert_true(s.peak >= s.current);
    assert_int_equal(s.count, 1);

    p = ertc_realloc(p, 50000);
    assert_non_null(p);
    assert_int_equal(p[999], 1); /* contents survive the move */
    s = stats_now();
    assert_true(s.current >= base.current + 50000);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.frees, 0); /* a resize is not a free */
    size_t peak_after_grow = s.peak;
    assert_true(peak_after_grow >= base.current + 50000);

    ertc_free(p);
    s = stats_now();
    assert_int_equal(s.current, base.current);
    assert_int_equal(s.frees, 1);
    assert_int_equal(s.peak, peak_after_grow); /* the peak remembers */

    ertc_alloc_reset_peak();
    s = stats_now();
    assert_int_equal(s.peak, s.current);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.frees, 0);
}

static void test_counting_peak_of_several_blocks(void **state)
{
    (void)state;
    ertc_alloc_stats_t base = stats_now();
    void *a = ertc_malloc(4096);
    void *b = ertc_calloc(16, 256);
    assert_non_null(a);
    assert_non_null(b);
    size_t both = stats_now().current - base.current;
    assert_true(both >= 8192);
    ertc_free(a);
    void *c = ertc_malloc(100);
    assert_non_null(c);
    ertc_free(b);
    ertc_free(c);
    ertc_alloc_stats_t s = stats_now();
    assert_int_equal(s.current, base.current);
    assert_int_equal(s.peak - base.current, both); /* a and b were live together */
    assert_int_equal(s.count, 3);
    assert_int_equal(s.frees, 3);
}

static void test_calloc_overflow_and_zeroing(void **state)
{
    (void)state;
    uint64_t failed = stats_now().failed;
    assert_null(ertc_calloc(SIZE_MAX / 2, 4));
    assert_null(ertc_calloc(4, SIZE_MAX / 2));
    assert_int_equal(stats_now().failed, failed + 2);

    unsigned char *z = ertc_calloc(100, 3);
    assert_non_null(z);
    for (size_t i = 0; i < 300; i++) {
        assert_int_equal(z[i], 0);
    }
    ertc_free(z);

    /* Zero-sized requests give a unique, freeable pointer on every platform. */
    void *e = ertc_calloc(0, 10);
    void *m = ertc_malloc(0);
    assert_non_null(e);
    assert_non_null(m);
    assert_ptr_not_equal(e, m);
    ertc_free(e);
    ertc_free(m);
}

static void test_inject_one_shot(void **state)
{
    (void)state;
    uint64_t failed = stats_now().failed;
    ertc_alloc_inject_failure(2, false);
    void *a = ertc_malloc(8);
    void *b = ertc_malloc(8);
    void *c = ertc_malloc(8); /* the third fails */
    void *d = ertc_malloc(8); /* and only that one */
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d);
    assert_int_equal(stats_now().failed, failed + 1);
    ertc_free(a);
    ertc_free(b);
    ertc_free(d);

    /* skip 0 fails the very next allocation, whichever function makes it. */
    ertc_alloc_inject_failure(0, false);
    assert_null(ertc_strdup("x"));
    char *ok = ertc_strdup("x");
    assert_non_null(ok);
    ertc_free(ok);
}

static void test_inject_sticky(void **state)
{
    (void)state;
    void *keep = ertc_malloc(16);
    assert_non_null(keep);
    memset(keep, 7, 16);
    ertc_alloc_inject_failure(1, true);
    void *first = ertc_malloc(8);
    assert_non_null(first);
    for (int i = 0; i < 5; i++) {
        assert_null(ertc_malloc(8));
    }
    assert_null(ertc_calloc(2, 2));
    /* A failed realloc leaves the old block alone. */
    assert_null(ertc_realloc(keep, 4096));
    assert_int_equal(((unsigned char *)keep)[15], 7);
    ertc_alloc_inject_off();
    void *after = ertc_malloc(8);
    assert_non_null(after);
    ertc_free(after);
    ertc_free(first);
    ertc_free(keep);
}

static void test_strdup_family(void **state)
{
    (void)state;
    const char *src = "hello";
    char *d = ertc_strdup(src);
    assert_non_null(d);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, "hello");
    ertc_free(d);

    d = ertc_strndup(src, 3);
    assert_string_equal(d, "hel");
    ertc_free(d);
    d = ertc_strndup(src, 100); /* n beyond the string: stops at its NUL */
    assert_string_equal(d, "hello");
    ertc_free(d);
    d = ertc_strndup("", 0);
    assert_string_equal(d, "");
    ertc_free(d);
    /* strndup reads at most n bytes, so an unterminated buffer is fine. */
    const char raw[4] = {'a', 'b', 'c', 'd'};
    d = ertc_strndup(raw, sizeof(raw));
    assert_string_equal(d, "abcd");
    ertc_free(d);

    assert_null(ertc_strdup(NULL));
    assert_null(ertc_strndup(NULL, 4));

    const uint8_t bytes[5] = {0, 1, 2, 0, 4};
    uint8_t *m = ertc_memdup(bytes, sizeof(bytes));
    assert_non_null(m);
    assert_memory_equal(m, bytes, sizeof(bytes));
    ertc_free(m);
}

/* Hooks that count their calls and delegate to the C library. */
static int hook_calls[3];

static void *hook_malloc(size_t size, void *ctx)
{
    ((int *)ctx)[0]++;
    return malloc(size);
}

static void *hook_realloc(void *ptr, size_t size, void *ctx)
{
    ((int *)ctx)[1]++;
    return realloc(ptr, size);
}

static void hook_free(void *ptr, void *ctx)
{
    ((int *)ctx)[2]++;
    free(ptr);
}

static void test_custom_hooks(void **state)
{
    (void)state;
    ertc_alloc_hooks_t hooks = {hook_malloc, hook_realloc, hook_free, hook_calls};
    memset(hook_calls, 0, sizeof(hook_calls));
    ertc_alloc_set_hooks(&hooks);
    char *p = ertc_malloc(10);
    p = ertc_realloc(p, 20);
    ertc_free(p);
    ertc_free(NULL); /* never reaches the hook */
    ertc_alloc_set_hooks(NULL);
    assert_int_equal(hook_calls[0], 1);
    assert_int_equal(hook_calls[1], 1);
    assert_int_equal(hook_calls[2], 1);

    /* After restoring the system allocator the hooks are no longer called. */
    p = ertc_malloc(10);
    ertc_free(p);
    assert_int_equal(hook_calls[0], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counting_malloc_realloc_free, setup_counting,
                                        teardown_counting),
        cmocka_unit_test_setup_teardown(test_counting_peak_of_several_blocks, setup_counting,
                                        teardown_counting),
        cmocka_unit_test_setup_teardown(test_calloc_overflow_and_zeroing, setup_counting,
                                        teardown_counting),
        cmocka_unit_test_setup_teardown(test_inject_one_shot, setup_counting, teardown_counting),
        cmocka_unit_test_setup_teardown(test_inject_sticky, setup_counting, teardown_counting),
        cmocka_unit_test(test_strdup_family),
        cmocka_unit_test(test_custom_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
