/*
 * port/posix/sync — ertc_mutex_* and ertc_cond_* (port.h) over pthreads.
 *
 * Condition variables measure timeouts on CLOCK_MONOTONIC (pthread_condattr_setclock), so a
 * wall-clock step (NTP, a user setting the date) neither cuts a wait short nor stretches it.
 * Lock and wait failures can only come from misuse (an uninitialised or destroyed object);
 * they abort rather than let two threads into a critical section.
 */
#include "port/port.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/alloc.h"
#include "util/log.h"

#define TAG "sync"

#define NS_PER_SEC 1000000000L

struct ertc_mutex {
    pthread_mutex_t m;
};

struct ertc_cond {
    pthread_cond_t c;
};

static void check(int err, const char *what)
{
    if (err != 0) {
        ERTC_LOGE(TAG, "%s failed: error %d", what, err);
        abort();
    }
}

WEBRTC_STATUS ertc_mutex_create(ertc_mutex_t **out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    ertc_mutex_t *m = ertc_malloc(sizeof(*m));
    if (m == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (pthread_mutex_init(&m->m, NULL) != 0) {
        ertc_free(m);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    *out = m;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_mutex_destroy(ertc_mutex_t *m)
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_destroy(&m->m);
    ertc_free(m);
}

void ertc_mutex_lock(ertc_mutex_t *m)
{
    check(pthread_mutex_lock(&m->m), "pthread_mutex_lock");
}

void ertc_mutex_unlock(ertc_mutex_t *m)
{
    check(pthread_mutex_unlock(&m->m), "pthread_mutex_unlock");
}

WEBRTC_STATUS ertc_cond_create(ertc_cond_t **out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    ertc_cond_t *c = ertc_malloc(sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) {
        ertc_free(c);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    int err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (err == 0) {
        err = pthread_cond_init(&c->c, &attr);
    }
    pthread_condattr_destroy(&attr);
    if (err != 0) {
        ertc_free(c);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_cond_destroy(ertc_cond_t *c)
{
    if (c == NULL) {
        return;
    }
    pthread_cond_destroy(&c->c);
    ertc_free(c);
}

void ertc_cond_wait(ertc_cond_t *c, ertc_mutex_t *m)
{
    check(pthread_cond_wait(&c->c, &m->m), "pthread_cond_wait");
}

WEBRTC_STATUS ertc_cond_timedwait(ertc_cond_t *c, ertc_mutex_t *m, uint32_t timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000);
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= NS_PER_SEC) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= NS_PER_SEC;
    }
    int err = pthread_cond_timedwait(&c->c, &m->m, &deadline);
    if (err == ETIMEDOUT) {
        return WEBRTC_STATUS_TIMEOUT;
    }
    check(err, "pthread_cond_timedwait");
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_cond_signal(ertc_cond_t *c)
{
    check(pthread_cond_signal(&c->c), "pthread_cond_signal");
}

void ertc_cond_broadcast(ertc_cond_t *c)
{
    check(pthread_cond_broadcast(&c->c), "pthread_cond_broadcast");
}
