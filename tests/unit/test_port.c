/*
 * test_port — threads, locks, clocks and the secure random source (port/port.h).
 *
 * Timing checks are one-sided ("at least this long") or generous, so a loaded CI machine
 * cannot make them fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "port/port.h"

/* 2020-01-01T00:00:00Z and 2100-01-01T00:00:00Z in microseconds since the epoch. */
#define WALL_2020_US (1577836800ULL * 1000000ULL)
#define WALL_2100_US (4102444800ULL * 1000000ULL)

/* ---- threads ----------------------------------------------------------------------------- */

typedef struct {
    atomic_int *counter;
    ertc_thread_t *const *self; /* where the creator stores this thread's handle */
    atomic_bool *go;
    bool was_current;
    char name[32];
    char stack_probe[1];
} worker_t;

static void worker_main(void *arg)
{
    worker_t *w = arg;
    /* The creator publishes the handle after ertc_thread_create returns. */
    while (!atomic_load(w->go)) {
        ertc_sleep_ms(1);
    }
    w->was_current = ertc_thread_is_current(*w->self);
    pthread_getname_np(pthread_self(), w->name, sizeof(w->name));
    /* Touch a little of the requested stack so a too-small stack would crash here. */
    volatile char big[4 * 1024];
    memset((char *)big, 1, sizeof(big));
    w->stack_probe[0] = big[100];
    atomic_fetch_add(w->counter, 1);
}

static void test_threads_run_and_join(void **state)
{
    (void)state;
    enum { N = 4 };
    atomic_int counter = 0;
    atomic_bool go = false;
    ertc_thread_t *threads[N];
    worker_t workers[N];
    static const size_t stacks[N] = {0, 100000, 64 * 1024, 256 * 1024 + 123};
    for (int i = 0; i < N; i++) {
        workers[i] = (worker_t){.counter = &counter, .self = &threads[i], .go = &go};
        assert_int_equal(ertc_thread_create(&threads[i], "a-rather-long-thread-name", stacks[i],
                                            worker_main, &workers[i]),
                         WEBRTC_STATUS_SUCCESS);
        assert_non_null(threads[i]);
        assert_false(ertc_thread_is_current(threads[i]));
    }
    atomic_store(&go, true);
    for (int i = 0; i < N; i++) {
        assert_int_equal(ertc_thread_join(threads[i]), WEBRTC_STATUS_SUCCESS);
        assert_true(workers[i].was_current);
        assert_string_equal(workers[i].name, "a-rather-long-t"); /* cut to 15 characters */
        assert_int_equal(workers[i].stack_probe[0], 1);
    }
    assert_int_equal(atomic_load(&counter), N);
    assert_false(ertc_thread_is_current(NULL));
    assert_int_equal(ertc_thread_create(NULL, "x", 0, worker_main, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_thread_join(NULL), WEBRTC_STATUS_NULL_ARG);
}

static void test_sleep_waits_at_least(void **state)
{
    (void)state;
    uint64_t start = ertc_time_mono_us();
    ertc_sleep_ms(15);
    assert_true(ertc_time_mono_us() - start >= 15000u);
}

/* ---- locks ------------------------------------------------------------------------------- */

typedef struct {
    ertc_mutex_t *m;
    ertc_cond_t *c;
    bool flag;
    long counter;
} shared_t;

static void signaller_main(void *arg)
{
    shared_t *s = arg;
    ertc_sleep_ms(20);
    ertc_mutex_lock(s->m);
    s->flag = true;
    ertc_cond_signal(s->c);
    ertc_mutex_unlock(s->m);
}

static void test_cond_timedwait_times_out(void **state)
{
    (void)state;
    shared_t s = {0};
    assert_int_equal(ertc_mutex_create(&s.m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cond_create(&s.c), WEBRTC_STATUS_SUCCESS);
    ertc_mutex_lock(s.m);
    uint64_t start = ertc_time_mono_us();
    WEBRTC_STATUS st;
    /* Spurious wake-ups are allowed, so wait until TIMEOUT or a generous bound. */
    do {
        st = ertc_cond_timedwait(s.c, s.m, 50);
    } while (st == WEBRTC_STATUS_SUCCESS && ertc_time_mono_us() - start < 10000000u);
    ertc_mutex_unlock(s.m);
    assert_int_equal(st, WEBRTC_STATUS_TIMEOUT);
    assert_true(ertc_time_mono_us() - start >= 50000u);
    ertc_cond_destroy(s.c);
    ertc_mutex_destroy(s.m);
}

static void test_cond_signalled(void **state)
{
    (void)state;
    shared_t s = {0};
    assert_int_equal(ertc_mutex_create(&s.m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cond_create(&s.c), WEBRTC_STATUS_SUCCESS);
    ertc_thread_t *t = NULL;
    assert_int_equal(ertc_thread_create(&t, "signaller", 0, signaller_main, &s),
                     WEBRTC_STATUS_SUCCESS);
    ertc_mutex_lock(s.m);
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    while (!s.flag && st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_cond_timedwait(s.c, s.m, 10000);
    }
    bool flag = s.flag;
    ertc_mutex_unlock(s.m);
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_true(flag);
    assert_int_equal(ertc_thread_join(t), WEBRTC_STATUS_SUCCESS);

    /* Untimed wait, woken by a broadcast. */
    s.flag = false;
    assert_int_equal(ertc_thread_create(&t, "signaller", 0, signaller_main, &s),
                     WEBRTC_STATUS_SUCCESS);
    ertc_mutex_lock(s.m);
    while (!s.flag) {
        ertc_cond_wait(s.c, s.m);
    }
    ertc_mutex_unlock(s.m);
    assert_int_equal(ertc_thread_join(t), WEBRTC_STATUS_SUCCESS);
    ertc_cond_broadcast(s.c); /* nobody waits: harmless */
    ertc_cond_destroy(s.c);
    ertc_mutex_destroy(s.m);
}

static void incrementer_main(void *arg)
{
    shared_t *s = arg;
    for (int i = 0; i < 100000; i++) {
        ertc_mutex_lock(s->m);
        s->counter++;
        ertc_mutex_unlock(s->m);
    }
}

static void test_mutex_excludes(void **state)
{
    (void)state;
    shared_t s = {0};
    assert_int_equal(ertc_mutex_create(&s.m), WEBRTC_STATUS_SUCCESS);
    ertc_thread_t *t[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ertc_thread_create(&t[i], "inc", 0, incrementer_main, &s),
                         WEBRTC_STATUS_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ertc_thread_join(t[i]), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(s.counter, 400000);
    ertc_mutex_destroy(s.m);
    ertc_mutex_destroy(NULL);
    ertc_cond_destroy(NULL);
}

/* ---- clocks ------------------------------------------------------------------------------ */

static void test_clocks(void **state)
{
    (void)state;
    uint64_t prev = ertc_time_mono_us();
    for (int i = 0; i < 100000; i++) {
        uint64_t now = ertc_time_mono_us();
        assert_true(now >= prev);
        prev = now;
    }
    uint64_t start_us = ertc_time_mono_us();
    uint64_t start_ms = ertc_time_mono_ms();
    ertc_sleep_ms(20);
    assert_true(ertc_time_mono_us() - start_us >= 20000u);
    assert_true(ertc_time_mono_ms() - start_ms >= 19u);
    assert_true(ertc_time_mono_ms() <= ertc_time_mono_us() / 1000u + 1u);

    uint64_t wall = ertc_time_wall_us();
    assert_true(wall > WALL_2020_US);
    assert_true(wall < WALL_2100_US);
    uint64_t wall_ms = ertc_time_wall_ms();
    assert_true(wall_ms >= wall / 1000u);
    assert_true(wall_ms - wall / 1000u < 60000u);
}

/* ---- random ------------------------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static void test_random_bytes(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    assert_int_equal(ertc_random_bytes(a, sizeof(a)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_random_bytes(b, sizeof(b)), WEBRTC_STATUS_SUCCESS);
    assert_false(all_zero(a, sizeof(a)));
    assert_memory_not_equal(a, b, sizeof(a));

    /* Larger than one DRBG request (1024 bytes): filled to the end. */
    static uint8_t big[5000];
    memset(big, 0, sizeof(big));
    assert_int_equal(ertc_random_bytes(big, sizeof(big)), WEBRTC_STATUS_SUCCESS);
    assert_false(all_zero(big + sizeof(big) - 64, 64));
    assert_false(all_zero(big + 1000, 64));

    assert_int_equal(ertc_random_bytes(a, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_random_bytes(NULL, 4), WEBRTC_STATUS_NULL_ARG);

    uint64_t x = ertc_random_u64(), y = ertc_random_u64();
    assert_true(x != y);
    uint32_t u = ertc_random_u32(), v = ertc_random_u32(), w = ertc_random_u32();
    assert_false(u == v && v == w);

    unsigned char m[48];
    memset(m, 0, sizeof(m));
    assert_int_equal(ertc_random_mbedtls(NULL, m, sizeof(m)), 0);
    assert_false(all_zero(m, sizeof(m)));
}

static void test_random_string(void **state)
{
    (void)state;
    static const char alphabet[] = "abc";
    char out[1001];
    memset(out, 'x', sizeof(out));
    assert_int_equal(ertc_random_string(out, 1000, alphabet), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out[1000], '\0');
    int seen[3] = {0};
    for (int i = 0; i < 1000; i++) {
        const char *p = strchr(alphabet, out[i]);
        assert_non_null(p);
        seen[p - alphabet]++;
    }
    /* 1000 draws from 3: each appears; a bias would still pass, but absence cannot. */
    for (int i = 0; i < 3; i++) {
        assert_true(seen[i] > 100);
    }

    static const char ice_chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char ufrag[17];
    assert_int_equal(ertc_random_string(ufrag, 16, ice_chars), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(ufrag), 16);
    assert_int_equal(strspn(ufrag, ice_chars), 16);

    char one[2];
    assert_int_equal(ertc_random_string(one, 1, "z"), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(one, "z");
    assert_int_equal(ertc_random_string(out, 0, "ab"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(out[0], '\0');
    assert_int_equal(ertc_random_string(out, 5, ""), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_random_string(out, 5, NULL), WEBRTC_STATUS_NULL_ARG);
}

typedef struct {
    int failures;
    uint8_t first[16];
} random_worker_t;

static void random_worker_main(void *arg)
{
    random_worker_t *w = arg;
    uint8_t buf[64];
    for (int i = 0; i < 2000; i++) {
        if (ertc_random_bytes(buf, sizeof(buf)) != WEBRTC_STATUS_SUCCESS || all_zero(buf, 64)) {
            w->failures++;
        }
        if (i == 0) {
            memcpy(w->first, buf, sizeof(w->first));
        }
    }
}

static void test_random_concurrent(void **state)
{
    (void)state;
    enum { N = 8 };
    ertc_thread_t *t[N];
    random_worker_t w[N];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < N; i++) {
        assert_int_equal(ertc_thread_create(&t[i], "rng", 0, random_worker_main, &w[i]),
                         WEBRTC_STATUS_SUCCESS);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(ertc_thread_join(t[i]), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(w[i].failures, 0);
    }
    /* No two threads were handed the same bytes. */
    for (int i = 0; i < N; i++) {
        for (int j = i + 1; j < N; j++) {
            assert_memory_not_equal(w[i].first, w[j].first, sizeof(w[i].first));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_run_and_join),
        cmocka_unit_test(test_sleep_waits_at_least),
        cmocka_unit_test(test_cond_timedwait_times_out),
        cmocka_unit_test(test_cond_signalled),
        cmocka_unit_test(test_mutex_excludes),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_random_string),
        cmocka_unit_test(test_random_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
