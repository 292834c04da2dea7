/*
 * port/work_queue — see work_queue.h. A fixed ring of (fn, arg) slots allocated once at
 * create time, so adding a job allocates nothing and can never fail for lack of memory.
 */
#include "port/work_queue.h"

#include <stdbool.h>
#include <stdio.h>

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "workq"

typedef struct {
    ertc_work_fn fn;
    void *arg;
} job_t;

struct ertc_workq {
    ertc_mutex_t *control; /* serialises start and stop */
    ertc_mutex_t *lock;
    ertc_cond_t *changed; /* a job was added, finished, or stop was asked */
    job_t *ring;
    size_t capacity;
    size_t head;  /* next job to run */
    size_t count; /* jobs waiting */
    bool running_job;
    bool stop_requested;
    ertc_thread_t *worker;
    size_t stack_size;
    char name[16];
};

WEBRTC_STATUS ertc_workq_create(ertc_workq_t **out, size_t capacity, size_t stack_size,
                                const char *name)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (capacity == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_workq_t *q = ertc_calloc(1, sizeof(*q));
    if (q == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    q->ring = ertc_calloc(capacity, sizeof(job_t));
    if (q->ring == NULL || ertc_mutex_create(&q->control) != WEBRTC_STATUS_SUCCESS ||
        ertc_mutex_create(&q->lock) != WEBRTC_STATUS_SUCCESS ||
        ertc_cond_create(&q->changed) != WEBRTC_STATUS_SUCCESS) {
        if (q->lock != NULL) {
            ertc_mutex_destroy(q->lock);
        }
        if (q->control != NULL) {
            ertc_mutex_destroy(q->control);
        }
        ertc_free(q->ring);
        ertc_free(q);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    q->capacity = capacity;
    q->stack_size = stack_size;
    snprintf(q->name, sizeof(q->name), "%s", name ? name : "workq");
    *out = q;
    return WEBRTC_STATUS_SUCCESS;
}

/* The queue whose worker this thread is: lets stop refuse to be called from a job. */
static _Thread_local ertc_workq_t *current_queue;

static void worker_main(void *arg)
{
    ertc_workq_t *q = arg;
    current_queue = q;
    ertc_mutex_lock(q->lock);
    for (;;) {
        while (q->count == 0 && !q->stop_requested) {
            ertc_cond_wait(q->changed, q->lock);
        }
        if (q->stop_requested) {
            break;
        }
        job_t job = q->ring[q->head];
        q->head = (q->head + 1) % q->capacity;
        q->count--;
        q->running_job = true;
        ertc_mutex_unlock(q->lock);
        job.fn(job.arg);
        ertc_mutex_lock(q->lock);
        q->running_job = false;
        ertc_cond_broadcast(q->changed);
    }
    ertc_mutex_unlock(q->lock);
}

WEBRTC_STATUS ertc_workq_start(ertc_workq_t *q)
{
    if (q == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    ertc_mutex_lock(q->control);
    if (q->worker == NULL) {
        q->stop_requested = false; /* no worker runs, so no lock is needed */
        st = ertc_thread_create(&q->worker, q->name, q->stack_size, worker_main, q);
        if (st != WEBRTC_STATUS_SUCCESS) {
            q->worker = NULL;
            ERTC_LOGE(TAG, "%s: cannot start the worker thread (status %u)", q->name, (unsigned)st);
        }
    }
    ertc_mutex_unlock(q->control);
    return st;
}

WEBRTC_STATUS ertc_workq_stop(ertc_workq_t *q)
{
    if (q == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (current_queue == q) {
        return WEBRTC_STATUS_INVALID_OPERATION; /* a worker cannot join itself */
    }
    ertc_mutex_lock(q->control);
    ertc_thread_t *t = q->worker;
    if (t != NULL) {
        ertc_mutex_lock(q->lock);
        q->stop_requested = true;
        ertc_cond_broadcast(q->changed);
        ertc_mutex_unlock(q->lock);
        ertc_thread_join(t);
        q->worker = NULL;
    }
    ertc_mutex_unlock(q->control);
    return WEBRTC_STATUS_SUCCESS;
}

size_t ertc_workq_destroy(ertc_workq_t *q)
{
    if (q == NULL) {
        return 0;
    }
    ertc_workq_stop(q);
    size_t dropped = q->count;
    if (dropped > 0) {
        ERTC_LOGW(TAG, "%s: %zu queued job(s) dropped at shutdown", q->name, dropped);
    }
    ertc_cond_destroy(q->changed);
    ertc_mutex_destroy(q->lock);
    ertc_mutex_destroy(q->control);
    ertc_free(q->ring);
    ertc_free(q);
    return dropped;
}

WEBRTC_STATUS ertc_workq_add(ertc_workq_t *q, ertc_work_fn fn, void *arg)
{
    if (q == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (fn == NULL) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_mutex_lock(q->lock);
    if (q->count == q->capacity) {
        ertc_mutex_unlock(q->lock);
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    q->ring[(q->head + q->count) % q->capacity] = (job_t){fn, arg};
    q->count++;
    ertc_cond_broadcast(q->changed);
    ertc_mutex_unlock(q->lock);
    return WEBRTC_STATUS_SUCCESS;
}

size_t ertc_workq_pending(ertc_workq_t *q)
{
    ertc_mutex_lock(q->lock);
    size_t n = q->count;
    ertc_mutex_unlock(q->lock);
    return n;
}

WEBRTC_STATUS ertc_workq_drain(ertc_workq_t *q, uint32_t timeout_ms)
{
    uint64_t deadline = ertc_time_mono_ms() + timeout_ms;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    ertc_mutex_lock(q->lock);
    while (q->count > 0 || q->running_job) {
        uint64_t now = ertc_time_mono_ms();
        if (now >= deadline) {
            st = WEBRTC_STATUS_TIMEOUT;
            break;
        }
        ertc_cond_timedwait(q->changed, q->lock, (uint32_t)(deadline - now));
    }
    ertc_mutex_unlock(q->lock);
    return st;
}
