/*
 * port/posix/thread — ertc_thread_* (port.h) over pthreads.
 *
 * A thread is a small heap block holding the pthread handle and the start function. The
 * thread's name is applied from inside the new thread, so the creator never races the
 * thread it starts, and "is this the current thread" is answered from a thread-local
 * pointer rather than by reading the pthread_t the creator stores after pthread_create.
 */
#include "port/port.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/log.h"

#define TAG "thread"

/* Linux limits thread names to 16 bytes including the terminator. */
#define THREAD_NAME_MAX 15

struct ertc_thread {
    pthread_t tid;
    ertc_thread_fn fn;
    void *arg;
    char name[THREAD_NAME_MAX + 1];
};

/* The ertc_thread_t the calling thread was started as (NULL for threads we did not start). */
static _Thread_local const ertc_thread_t *current_thread;

static void *run_thread(void *p)
{
    ertc_thread_t *t = p;
    current_thread = t;
    if (t->name[0] != '\0') {
        /* Only a debugging aid: a failure here changes nothing else. */
        (void)pthread_setname_np(pthread_self(), t->name);
    }
    t->fn(t->arg);
    return NULL;
}

/* pthread_attr_setstacksize rejects sizes below PTHREAD_STACK_MIN and, on some systems,
 * sizes that are not a whole number of pages, so the request is rounded up to both. */
static size_t round_stack_size(size_t requested)
{
    size_t size = requested < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : requested;
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0) {
        size_t p = (size_t)page;
        size = (size + p - 1) / p * p;
    }
    return size;
}

WEBRTC_STATUS ertc_thread_create(ertc_thread_t **out, const char *name, size_t stack_size,
                                 ertc_thread_fn fn, void *arg)
{
    if (out == NULL || fn == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    ertc_thread_t *t = ertc_calloc(1, sizeof(*t));
    if (t == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    t->fn = fn;
    t->arg = arg;
    if (name != NULL) {
        snprintf(t->name, sizeof(t->name), "%s", name);
    }

    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        ertc_free(t);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    int err = 0;
    if (stack_size > 0) {
        err = pthread_attr_setstacksize(&attr, round_stack_size(stack_size));
    }
    if (err == 0) {
        err = pthread_create(&t->tid, &attr, run_thread, t);
    }
    pthread_attr_destroy(&attr);
    if (err != 0) {
        ERTC_LOGE(TAG, "cannot start thread '%s' (stack %zu): error %d", t->name, stack_size, err);
        ertc_free(t);
        return err == EAGAIN ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY : WEBRTC_STATUS_INTERNAL_ERROR;
    }
    *out = t;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_thread_join(ertc_thread_t *thread)
{
    if (thread == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (current_thread == thread) {
        /* Joining yourself would deadlock; the handle stays valid for a proper join. */
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    int err = pthread_join(thread->tid, NULL);
    if (err != 0) {
        ERTC_LOGE(TAG, "cannot join thread '%s': error %d", thread->name, err);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    ertc_free(thread);
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_thread_is_current(const ertc_thread_t *thread)
{
    return thread != NULL && current_thread == thread;
}

void ertc_sleep_ms(uint32_t ms)
{
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    /* A signal cuts nanosleep short; sleep for the rest so callers get the full delay. */
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}
