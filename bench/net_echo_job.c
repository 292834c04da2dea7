/*
 * bench/net_echo_job — see net_echo_job.h.
 *
 * No dlsym is involved in the malloc interposition, so there is no bootstrap problem (dlsym
 * itself calls calloc).
 */
#include "net_echo_job.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "net/tls.h"
#include "net/ws_client.h"
#include "port/loop.h"

/* ---- heap accounting: the malloc family, interposed for the whole process ------------------ */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

/* Usable bytes (malloc_usable_size) of live blocks. Signed, so that a block freed here but
 * allocated past these functions could never wrap the counter around. */
static atomic_llong heap_current;
static atomic_llong heap_peak;
static atomic_ullong heap_allocations;

static void heap_raise_peak(long long level)
{
    long long peak = atomic_load_explicit(&heap_peak, memory_order_relaxed);
    while (level > peak &&
           !atomic_compare_exchange_weak_explicit(&heap_peak, &peak, level, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

static void *heap_count(void *p)
{
    if (p != NULL) {
        long long n = (long long)malloc_usable_size(p);
        heap_raise_peak(atomic_fetch_add_explicit(&heap_current, n, memory_order_relaxed) + n);
        atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    }
    return p;
}

static void heap_uncount(void *p)
{
    if (p != NULL) {
        atomic_fetch_sub_explicit(&heap_current, (long long)malloc_usable_size(p),
                                  memory_order_relaxed);
    }
}

void *malloc(size_t size)
{
    return heap_count(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
    return heap_count(__libc_calloc(n, size));
}

void free(void *ptr)
{
    heap_uncount(ptr);
    __libc_free(ptr);
}

void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL) {
        return malloc(size);
    }
    long long before = (long long)malloc_usable_size(ptr);
    void *p = __libc_realloc(ptr, size);
    if (p == NULL) {
        if (size == 0) { /* glibc freed the block */
            atomic_fetch_sub_explicit(&heap_current, before, memory_order_relaxed);
        }
        return NULL;
    }
    long long after = (long long)malloc_usable_size(p);
    if (p == ptr) {
        heap_raise_peak(
            atomic_fetch_add_explicit(&heap_current, after - before, memory_order_relaxed) + after -
            before);
    } else {
        /* moved: for a moment both blocks were live */
        heap_raise_peak(atomic_fetch_add_explicit(&heap_current, after, memory_order_relaxed) +
                        after);
        atomic_fetch_sub_explicit(&heap_current, before, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    return p;
}

/* glibc's own reallocarray would reach its realloc internally, past the counters. */
void *reallocarray(void *ptr, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, total);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    void *p = heap_count(__libc_memalign(alignment, size));
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return heap_count(__libc_memalign(alignment, size));
}

void *memalign(size_t alignment, size_t size)
{
    return heap_count(__libc_memalign(alignment, size));
}

void *valloc(size_t size)
{
    return heap_count(__libc_valloc(size));
}

void *pvalloc(size_t size)
{
    return heap_count(__libc_pvalloc(size));
}

void heap_mark(heap_mark_t *m)
{
    m->base = atomic_load(&heap_current);
    m->allocations = atomic_load(&heap_allocations);
    atomic_store(&heap_peak, m->base);
}

/* ---- the echo job, common to all clients ----------------------------------------------------- */

uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void echo_job_init(echo_job_t *job, unsigned seq)
{
    memset(job, 0, sizeof(*job));
    job->seq = seq;
}

__attribute__((format(printf, 2, 3))) void echo_job_fail(echo_job_t *job, const char *fmt, ...)
{
    if (job->failed) {
        return; /* the first failure is the one worth reading */
    }
    job->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->error, sizeof(job->error), fmt, ap);
    va_end(ap);
}

void echo_job_opened(echo_job_t *job)
{
    job->opened = true;
    job->t_open = now_us();
    job->allocations_open = atomic_load(&heap_allocations);
}

/* The next message: pseudo-random bytes that differ for every message of the run, so a stale
 * or reordered echo cannot pass the check. */
const uint8_t *echo_job_next(echo_job_t *job)
{
    uint32_t x = (job->seq + (unsigned)job->sent) * 2654435761u | 1u;
    for (size_t i = 0; i < ECHO_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        job->expected[i] = (uint8_t)x;
    }
    job->sent++;
    return job->expected;
}

/* Checks one received message; true when all echoes are in. */
bool echo_job_received(echo_job_t *job, bool is_text, const uint8_t *data, size_t len)
{
    if (job->received >= job->sent) {
        echo_job_fail(job, "a message arrived that was never sent");
    } else if (is_text) {
        echo_job_fail(job, "echo %d came back as text, not binary", job->received + 1);
    } else if (len != ECHO_SIZE || memcmp(data, job->expected, ECHO_SIZE) != 0) {
        echo_job_fail(job, "echo %d differs from what was sent (%zu bytes)", job->received + 1,
                      len);
    }
    if (job->failed) {
        return false;
    }
    job->received++;
    if (job->received < ECHO_COUNT) {
        return false;
    }
    job->t_echoes_done = now_us();
    job->allocations_echoes_done = atomic_load(&heap_allocations);
    job->heap_echoes_done = atomic_load(&heap_current);
    return true;
}

void echo_job_result(const echo_job_t *job, const heap_mark_t *m, job_result_t *r)
{
    memset(r, 0, sizeof(*r));
    r->ok = !job->failed && job->received == ECHO_COUNT;
    if (!r->ok) {
        snprintf(r->error, sizeof(r->error), "%s",
                 job->failed ? job->error : "the connection ended before the last echo");
        return;
    }
    r->heap_peak_kib = (double)(atomic_load(&heap_peak) - m->base) / 1024.0;
    r->heap_open_kib = (double)(job->heap_echoes_done - m->base) / 1024.0;
    r->heap_left_kib = (double)(atomic_load(&heap_current) - m->base) / 1024.0;
    r->allocations = (double)(atomic_load(&heap_allocations) - m->allocations);
    r->echo_allocations = (double)(job->allocations_echoes_done - job->allocations_open);
    r->connect_ms = (double)(job->t_open - job->t_start) / 1000.0;
    r->echo_rate = ECHO_COUNT / ((double)(job->t_echoes_done - job->t_open) / 1e6);
    r->total_ms = (double)(job->t_closed - job->t_start) / 1000.0;
}
/* ---- edgertc: ertc_loop_t + ertc_ws_client_t over net/tls (mbedTLS) -------------------------- */

typedef struct {
    echo_job_t job;
    ertc_ws_client_t *ws;
} ertc_echo_t;

static void ertc_echo_send_next(ertc_echo_t *e)
{
    WEBRTC_STATUS st = ertc_ws_send(e->ws, false, echo_job_next(&e->job), ECHO_SIZE);
    if (st != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e->job, "edgertc: ertc_ws_send: %s", webrtc_status_name(st));
        ertc_ws_close(e->ws, 1011, "send failed");
    }
}

static void ertc_echo_on_open(ertc_ws_client_t *ws, void *arg)
{
    ertc_echo_t *e = arg;
    e->ws = ws;
    echo_job_opened(&e->job);
    ertc_echo_send_next(e);
}

static void ertc_echo_on_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data,
                                 size_t len, void *arg)
{
    ertc_echo_t *e = arg;
    if (echo_job_received(&e->job, is_text, data, len)) {
        ertc_ws_close(ws, 1000, "done");
    } else if (e->job.failed) {
        ertc_ws_close(ws, 1000, "bad echo");
    } else {
        ertc_echo_send_next(e);
    }
}

static void ertc_echo_on_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code,
                               const char *reason, void *arg)
{
    (void)ws;
    ertc_echo_t *e = arg;
    e->job.closed = true;
    e->job.t_closed = now_us();
    if (status != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e->job, "edgertc: %s (%s, code %u)", reason, webrtc_status_name(status),
                      (unsigned)code);
    }
}

static const ertc_ws_callbacks_t ertc_echo_callbacks = {
    .on_open = ertc_echo_on_open,
    .on_message = ertc_echo_on_message,
    .on_close = ertc_echo_on_close,
};

void run_edgertc(const bench_env_t *env, unsigned seq, job_result_t *r)
{
    ertc_echo_t e = {0};
    echo_job_init(&e.job, seq);
    heap_mark_t mark;
    heap_mark(&mark);
    e.job.t_start = now_us();

    ertc_loop_t *loop = NULL;
    ertc_tls_config_t *tls = NULL;
    ertc_ws_client_t *ws = NULL;
    char err[ERTC_TLS_ERROR_LEN] = "";
    ertc_tls_options_t topts = {
        .role = ERTC_TLS_CLIENT,
        .ca_path = env->ca_path,
        .max_fragment_len = env->max_fragment_len,
    };
    WEBRTC_STATUS st = ertc_loop_create(&loop, 0);
    if (st != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e.job, "edgertc: ertc_loop_create: %s", webrtc_status_name(st));
    } else if ((st = ertc_tls_config_create(&topts, &tls, err, sizeof(err))) !=
               WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e.job, "edgertc: TLS configuration: %s", err);
    } else {
        ertc_ws_options_t opts = {.url = env->url, .tls = tls};
        st = ertc_ws_connect(loop, &opts, &ertc_echo_callbacks, &e, &ws);
        if (st != WEBRTC_STATUS_SUCCESS) {
            echo_job_fail(&e.job, "edgertc: ertc_ws_connect(%s): %s", env->url,
                          webrtc_status_name(st));
        }
        uint64_t deadline = now_us() + (uint64_t)JOB_TIMEOUT_S * 1000000u;
        while (ws != NULL && !e.job.closed && now_us() < deadline) {
            ertc_loop_run_once(loop, 100);
        }
        if (ws != NULL && !e.job.closed) {
            echo_job_fail(&e.job, "edgertc: not done within %d s", JOB_TIMEOUT_S);
        }
    }
    /* Tear-down belongs to the job's heap figures, not to its time. */
    ertc_ws_free(ws);
    for (int i = 0; loop != NULL && i < 8; i++) {
        ertc_loop_run_once(loop, 0);
    }
    ertc_tls_config_unref(tls);
    ertc_loop_destroy(loop);
    echo_job_result(&e.job, &mark, r);
}

/* ---- results as text ------------------------------------------------------------------------- */

#define RESULT_FORMAT "%lf %lf %lf %lf %lf %lf %lf %lf"

void job_result_write(FILE *f, const job_result_t *r)
{
    if (!r->ok) {
        fprintf(f, "FAILED %s\n", r->error);
        return;
    }
    fprintf(f, "RESULT %.3f %.3f %.3f %.0f %.0f %.3f %.1f %.3f\n", r->heap_peak_kib,
            r->heap_open_kib, r->heap_left_kib, r->allocations, r->echo_allocations, r->connect_ms,
            r->echo_rate, r->total_ms);
}

bool job_result_read(const char *line, job_result_t *r)
{
    memset(r, 0, sizeof(*r));
    if (strncmp(line, "FAILED ", 7) == 0) {
        snprintf(r->error, sizeof(r->error), "%.*s", (int)strcspn(line + 7, "\n"), line + 7);
        return true;
    }
    r->ok = sscanf(line, "RESULT " RESULT_FORMAT, &r->heap_peak_kib, &r->heap_open_kib,
                   &r->heap_left_kib, &r->allocations, &r->echo_allocations, &r->connect_ms,
                   &r->echo_rate, &r->total_ms) == 8;
    return r->ok;
}
