/*
 * util/alloc — every heap allocation in edgertc goes through these functions.
 *
 * Why: tests count bytes and fail allocations on purpose (SQLite-style fault injection), a
 * device port can place buffers in PSRAM, and benchmarks report heap peaks. The hooks are
 * process-wide (like mbedtls_platform_set_calloc_free); set them before the first allocation.
 * mbedTLS and cJSON are routed here too (ertc_alloc_route_libraries).
 */
#ifndef ERTC_UTIL_ALLOC_H
#define ERTC_UTIL_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    void *(*malloc_fn)(size_t size, void *ctx);
    void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} ertc_alloc_hooks_t;

/* Allocation statistics kept by the counting allocator. */
typedef struct {
    size_t current;  /* bytes live now */
    size_t peak;     /* most bytes live at once since the last reset */
    uint64_t count;  /* successful allocations (malloc, calloc, realloc) */
    uint64_t frees;  /* blocks freed */
    uint64_t failed; /* allocations that returned NULL (real or injected) */
} ertc_alloc_stats_t;

void *ertc_malloc(size_t size);
void *ertc_calloc(size_t n, size_t size); /* overflow-checked */
void *ertc_realloc(void *ptr, size_t size);
void ertc_free(void *ptr);
char *ertc_strdup(const char *s);
char *ertc_strndup(const char *s, size_t n); /* copies at most n bytes, always terminates */
void *ertc_memdup(const void *p, size_t n);

/* Replace the allocator; NULL restores the system allocator. */
void ertc_alloc_set_hooks(const ertc_alloc_hooks_t *hooks);

/* Counting allocator over the system allocator: tracks current/peak bytes and counts. */
void ertc_alloc_counting_enable(void);
void ertc_alloc_counting_disable(void);
bool ertc_alloc_counting_enabled(void);
void ertc_alloc_get_stats(ertc_alloc_stats_t *out);
void ertc_alloc_reset_peak(void); /* peak := current; also zeroes count/frees/failed */

/*
 * Failure injector: after `skip` more successful allocations, the next one fails; when
 * `sticky` is true every later one fails too, until ertc_alloc_inject_off().
 */
void ertc_alloc_inject_failure(uint64_t skip, bool sticky);
void ertc_alloc_inject_off(void);

/* Point mbedTLS (when built with MBEDTLS_PLATFORM_MEMORY) and cJSON at these hooks. */
void ertc_alloc_route_libraries(void);

#endif
