/*
 * util/alloc — allocation hooks, a counting allocator and a failure injector.
 *
 * The counting allocator asks the system allocator for each block's usable size
 * (malloc_usable_size) instead of keeping a size header, so it can be switched on and off
 * while blocks are live without corrupting anything; blocks allocated before counting was
 * switched on are simply not subtracted when they are freed.
 */
#include "util/alloc.h"

#include <cjson/cJSON.h>
#include <malloc.h>
#include <mbedtls/platform.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void *system_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void *system_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void system_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

static const ertc_alloc_hooks_t system_hooks = {system_malloc, system_realloc, system_free, NULL};

static const ertc_alloc_hooks_t *_Atomic active_hooks = &system_hooks;
static ertc_alloc_hooks_t custom_hooks;

/* Counting state. Sizes are usable sizes; counters are atomics so any thread may allocate. */
static atomic_bool counting;
static atomic_size_t stat_current;
static atomic_size_t stat_peak;
static atomic_uint_fast64_t stat_count;
static atomic_uint_fast64_t stat_frees;
static atomic_uint_fast64_t stat_failed;

/* Injector: -1 = off; otherwise the number of allocations that still succeed. */
static atomic_int_fast64_t inject_left = -1;
static atomic_bool inject_sticky;

static void count_add(size_t n)
{
    size_t now = atomic_fetch_add(&stat_current, n) + n;
    size_t peak = atomic_load(&stat_peak);
    while (now > peak && !atomic_compare_exchange_weak(&stat_peak, &peak, now)) {
    }
    atomic_fetch_add(&stat_count, 1);
}

static void count_sub(size_t n)
{
    size_t cur = atomic_load(&stat_current);
    size_t next;
    do {
        next = cur > n ? cur - n : 0;
    } while (!atomic_compare_exchange_weak(&stat_current, &cur, next));
    atomic_fetch_add(&stat_frees, 1);
}

/* Returns true when this allocation must fail on purpose. */
static bool inject_fires(void)
{
    int_fast64_t left = atomic_load_explicit(&inject_left, memory_order_relaxed);
    if (left < 0) {
        return false;
    }
    while (left > 0) {
        if (atomic_compare_exchange_weak(&inject_left, &left, left - 1)) {
            return false;
        }
        if (left < 0) {
            return false;
        }
    }
    if (!atomic_load(&inject_sticky)) {
        atomic_store(&inject_left, -1);
    }
    return true;
}

void *ertc_malloc(size_t size)
{
    if (size == 0) {
        size = 1; /* one behaviour on every platform: a unique pointer, never NULL-as-success */
    }
    if (inject_fires()) {
        atomic_fetch_add(&stat_failed, 1);
        return NULL;
    }
    const ertc_alloc_hooks_t *h = atomic_load(&active_hooks);
    void *p = h->malloc_fn(size, h->ctx);
    if (p == NULL) {
        atomic_fetch_add(&stat_failed, 1);
    } else if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        count_add(malloc_usable_size(p));
    }
    return p;
}

void *ertc_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        atomic_fetch_add(&stat_failed, 1);
        return NULL;
    }
    void *p = ertc_malloc(n * size);
    if (p != NULL) {
        memset(p, 0, n * size);
    }
    return p;
}

void *ertc_realloc(void *ptr, size_t size)
{
    if (ptr == NULL) {
        return ertc_malloc(size);
    }
    if (size == 0) {
        size = 1;
    }
    if (inject_fires()) {
        atomic_fetch_add(&stat_failed, 1);
        return NULL;
    }
    const ertc_alloc_hooks_t *h = atomic_load(&active_hooks);
    bool count = atomic_load_explicit(&counting, memory_order_relaxed);
    size_t old = count ? malloc_usable_size(ptr) : 0;
    void *p = h->realloc_fn(ptr, size, h->ctx);
    if (p == NULL) {
        atomic_fetch_add(&stat_failed, 1);
    } else if (count) {
        size_t now = malloc_usable_size(p);
        count_sub(old);
        atomic_fetch_sub(&stat_frees, 1); /* a resize is not a free */
        count_add(now);
    }
    return p;
}

void ertc_free(void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        count_sub(malloc_usable_size(ptr));
    }
    const ertc_alloc_hooks_t *h = atomic_load(&active_hooks);
    h->free_fn(ptr, h->ctx);
}

char *ertc_strdup(const char *s)
{
    return s ? ertc_strndup(s, strlen(s)) : NULL;
}

char *ertc_strndup(const char *s, size_t n)
{
    if (s == NULL) {
        return NULL;
    }
    size_t len = strnlen(s, n);
    char *p = ertc_malloc(len + 1);
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void *ertc_memdup(const void *p, size_t n)
{
    void *q = ertc_malloc(n);
    if (q != NULL && n > 0) {
        memcpy(q, p, n);
    }
    return q;
}

void ertc_alloc_set_hooks(const ertc_alloc_hooks_t *hooks)
{
    if (hooks == NULL) {
        atomic_store(&active_hooks, &system_hooks);
        return;
    }
    custom_hooks = *hooks;
    atomic_store(&active_hooks, &custom_hooks);
}

void ertc_alloc_counting_enable(void)
{
    atomic_store(&counting, true);
}

void ertc_alloc_counting_disable(void)
{
    atomic_store(&counting, false);
}

bool ertc_alloc_counting_enabled(void)
{
    return atomic_load(&counting);
}

void ertc_alloc_get_stats(ertc_alloc_stats_t *out)
{
    out->current = atomic_load(&stat_current);
    out->peak = atomic_load(&stat_peak);
    out->count = atomic_load(&stat_count);
    out->frees = atomic_load(&stat_frees);
    out->failed = atomic_load(&stat_failed);
}

void ertc_alloc_reset_peak(void)
{
    atomic_store(&stat_peak, atomic_load(&stat_current));
    atomic_store(&stat_count, 0);
    atomic_store(&stat_frees, 0);
    atomic_store(&stat_failed, 0);
}

void ertc_alloc_inject_failure(uint64_t skip, bool sticky)
{
    atomic_store(&inject_sticky, sticky);
    atomic_store(&inject_left, (int_fast64_t)skip);
}

void ertc_alloc_inject_off(void)
{
    atomic_store(&inject_left, -1);
}

#if defined(MBEDTLS_PLATFORM_MEMORY)
static void *mbedtls_calloc_hook(size_t n, size_t size)
{
    return ertc_calloc(n, size);
}
#endif

void ertc_alloc_route_libraries(void)
{
    cJSON_Hooks hooks = {ertc_malloc, ertc_free};
    cJSON_InitHooks(&hooks);
#if defined(MBEDTLS_PLATFORM_MEMORY)
    mbedtls_platform_set_calloc_free(mbedtls_calloc_hook, ertc_free);
#endif
}
