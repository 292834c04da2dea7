/*
 * port/loop — the event loop of port/loop.h: poll() for file descriptors, a binary min-heap
 * of timers, and a mutex-protected FIFO through which other threads post calls.
 *
 * Why a loop of our own: every protocol state machine of an app instance (signaling, ICE,
 * DTLS, RTP, SCTP) runs on one thread, so protocol code needs no locks; this file is the
 * only place where threads meet. It is written against port.h only (plus poll() and an
 * eventfd), so the same file serves every port.
 *
 * One iteration: rebuild the pollfd array if watchers changed, poll until the nearest timer
 * (rounded up to whole milliseconds, so no timer fires early), then dispatch ready
 * descriptors, due timers, and the calls that were posted before the drain began.
 *
 * Callbacks may start and stop any watcher or timer, including their own:
 *  - Watchers live in a slot table that is only compacted between iterations; a stopped
 *    watcher leaves an empty slot and a started one is appended, so a slot that was polled
 *    either still holds the same watcher or is empty, and a watcher stopped by an earlier
 *    callback of the same iteration is never dispatched.
 *  - Timers are removed from the heap before their callback runs (a periodic one is
 *    re-armed first), so stopping or restarting from inside a callback is plain heap work.
 *    Timers (re)started during the timer pass wait for the next iteration, so a callback that
 *    restarts itself with delay 0 cannot keep the pass going forever.
 */
#include "port/loop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/eventfd.h>
#define LOOP_USE_EVENTFD 1
#else
#include <fcntl.h>
#endif

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "loop"

#define INITIAL_WATCHERS 8
#define INITIAL_TIMERS   16

/* One posted call. Calls from ertc_loop_call_sync live on the waiting caller's stack, so a
 * synchronous call never allocates and can never fail with QUEUE_FULL. */
typedef struct post_node {
    struct post_node *next;
    ertc_post_fn fn;
    void *arg;
    struct sync_call *sync; /* NULL for ertc_loop_post */
} post_node_t;

typedef struct sync_call {
    post_node_t node;
    bool done;            /* guarded by the loop's lock */
    WEBRTC_STATUS status; /* SUCCESS when fn ran, CLOSED when it was cancelled */
} sync_call_t;

struct ertc_loop {
    /* Loop-thread state. */
    uint64_t now_us;
    uint64_t next_seq;
    bool in_iteration; /* refuses re-entry from a callback */

    ertc_timer_t **heap;
    size_t heap_len, heap_cap;

    ertc_io_t **ios; /* slot table; NULL = stopped, compacted between iterations */
    size_t io_len, io_cap, io_active;
    struct pollfd *pfds; /* [0] = wake-up fd, [i] = ios[i - 1] as of the last rebuild */
    size_t pfd_len, pfd_cap;
    bool pfds_dirty;

    int wake_read_fd, wake_write_fd; /* the same eventfd twice, or a pipe */

    /* Shared with other threads: everything below is guarded by lock. */
    ertc_mutex_t *lock;
    ertc_cond_t *sync_done; /* a call_sync finished, or a waiter left (for destroy) */
    post_node_t *head, *tail;
    size_t posted; /* ertc_loop_post nodes in the queue (call_sync nodes are not counted) */
    size_t max_posted;
    size_t sync_waiters;
    bool wake_pending;   /* a wake-up was written and the loop has not drained since */
    bool stop_requested; /* ertc_loop_stop was called; ertc_loop_run clears it on return */
    bool refuse_sync;    /* ertc_loop_call_sync returns CLOSED (stopped or being destroyed) */
    bool destroying;
};

/* The loop whose ertc_loop_run/run_once is executing on this thread, if any. */
static _Thread_local ertc_loop_t *running_loop;

/* ---- small helpers ----------------------------------------------------------------------- */

/* Makes room for `need` elements of size elem in *arr (capacity doubles). */
static bool grow_array(void **arr, size_t *cap, size_t need, size_t elem, size_t initial)
{
    if (need <= *cap) {
        return true;
    }
    size_t new_cap = *cap > 0 ? *cap : initial;
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2) {
            return false;
        }
        new_cap *= 2;
    }
    if (new_cap > SIZE_MAX / elem) {
        return false;
    }
    void *p = ertc_realloc(*arr, new_cap * elem);
    if (p == NULL) {
        return false;
    }
    *arr = p;
    *cap = new_cap;
    return true;
}

/* The timer heap and the watcher table only grow while in use (doubling), which is what a
 * busy loop wants; but a long-lived loop that once carried many sessions would otherwise keep
 * that capacity for ever. When the last timer or the last watcher goes, the arrays go back to
 * where a new loop starts (no heap, no table, INITIAL_WATCHERS pollfds). Only outside a
 * callback (dispatch and the timer run walk these arrays), so a stop inside one is released
 * at the end of that iteration; a loop with a periodic timer never empties its heap, so this
 * does not make a steady loop allocate. */
static void release_idle_arrays(ertc_loop_t *loop)
{
    if (loop->heap_len == 0 && loop->heap != NULL) {
        ertc_free(loop->heap);
        loop->heap = NULL;
        loop->heap_cap = 0;
    }
    if (loop->io_active == 0 && loop->ios != NULL) {
        ertc_free(loop->ios);
        loop->ios = NULL;
        loop->io_len = 0;
        loop->io_cap = 0;
        if (loop->pfd_cap > INITIAL_WATCHERS) {
            struct pollfd *p = ertc_realloc(loop->pfds, INITIAL_WATCHERS * sizeof(*p));
            if (p != NULL) { /* else the larger array is kept: harmless */
                loop->pfds = p;
                loop->pfd_cap = INITIAL_WATCHERS;
            }
        }
        loop->pfd_len = 1;
        loop->pfds_dirty = true;
    }
}

/* ---- wake-up descriptor ------------------------------------------------------------------ */

static WEBRTC_STATUS open_wakeup(ertc_loop_t *loop)
{
#ifdef LOOP_USE_EVENTFD
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        ERTC_LOGE(TAG, "eventfd failed: errno %d", errno);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    loop->wake_read_fd = loop->wake_write_fd = fd;
#else
    int fds[2];
    if (pipe(fds) != 0) {
        ERTC_LOGE(TAG, "pipe failed: errno %d", errno);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    loop->wake_read_fd = fds[0];
    loop->wake_write_fd = fds[1];
#endif
    return WEBRTC_STATUS_SUCCESS;
}

static void close_wakeup(ertc_loop_t *loop)
{
    if (loop->wake_read_fd >= 0) {
        close(loop->wake_read_fd);
    }
    if (loop->wake_write_fd >= 0 && loop->wake_write_fd != loop->wake_read_fd) {
        close(loop->wake_write_fd);
    }
}

/* Called with lock held. Writes at most once per drain; EAGAIN means the descriptor is
 * already readable, which is all a wake-up needs. */
static void wake_locked(ertc_loop_t *loop)
{
    if (loop->wake_pending) {
        return;
    }
    loop->wake_pending = true;
#ifdef LOOP_USE_EVENTFD
    uint64_t one = 1;
    ssize_t n = write(loop->wake_write_fd, &one, sizeof(one));
#else
    char one = 1;
    ssize_t n = write(loop->wake_write_fd, &one, 1);
#endif
    (void)n;
}

static void drain_wakeup(ertc_loop_t *loop)
{
    uint64_t buf[8];
    while (read(loop->wake_read_fd, buf, sizeof(buf)) > 0) {
    }
}

/* ---- create / destroy -------------------------------------------------------------------- */

WEBRTC_STATUS ertc_loop_create(ertc_loop_t **out, size_t max_posted)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    ertc_loop_t *loop = ertc_calloc(1, sizeof(*loop));
    if (loop == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    loop->wake_read_fd = loop->wake_write_fd = -1;
    loop->max_posted = max_posted > 0 ? max_posted : ERTC_LOOP_DEFAULT_MAX_POSTED;
    loop->now_us = ertc_time_mono_us();

    WEBRTC_STATUS st = ertc_mutex_create(&loop->lock);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_cond_create(&loop->sync_done);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = open_wakeup(loop);
    }
    if (st == WEBRTC_STATUS_SUCCESS && !grow_array((void **)&loop->pfds, &loop->pfd_cap, 1,
                                                   sizeof(*loop->pfds), INITIAL_WATCHERS)) {
        st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        close_wakeup(loop);
        ertc_cond_destroy(loop->sync_done);
        ertc_mutex_destroy(loop->lock);
        ertc_free(loop->pfds);
        ertc_free(loop);
        return st;
    }
    loop->pfds_dirty = true;
    *out = loop;
    return WEBRTC_STATUS_SUCCESS;
}

/* Called with lock held: every call_sync still in the queue returns CLOSED without its
 * function having run. Nodes already taken by a drain are not in the queue and will run. */
static void cancel_sync_calls_locked(ertc_loop_t *loop)
{
    post_node_t **link = &loop->head;
    post_node_t *prev = NULL;
    bool cancelled = false;
    while (*link != NULL) {
        post_node_t *node = *link;
        if (node->sync == NULL) {
            prev = node;
            link = &node->next;
            continue;
        }
        *link = node->next;
        if (loop->tail == node) {
            loop->tail = prev;
        }
        node->sync->status = WEBRTC_STATUS_CLOSED;
        node->sync->done = true; /* the caller may return now: node is not touched again */
        cancelled = true;
    }
    if (cancelled) {
        ertc_cond_broadcast(loop->sync_done);
    }
}

void ertc_loop_destroy(ertc_loop_t *loop)
{
    if (loop == NULL) {
        return;
    }
    if (loop->in_iteration) {
        ERTC_LOGE(TAG, "ertc_loop_destroy called from a loop callback; the loop is leaked");
        return;
    }
    ertc_mutex_lock(loop->lock);
    loop->destroying = true;
    loop->refuse_sync = true;
    cancel_sync_calls_locked(loop);
    /* Waiters still read their result under lock; the lock must outlive them. */
    while (loop->sync_waiters > 0) {
        ertc_cond_wait(loop->sync_done, loop->lock);
    }
    post_node_t *rest = loop->head;
    loop->head = loop->tail = NULL;
    ertc_mutex_unlock(loop->lock);

    size_t dropped = 0;
    while (rest != NULL) {
        post_node_t *next = rest->next;
        ertc_free(rest);
        rest = next;
        dropped++;
    }
    if (dropped > 0) {
        ERTC_LOGW(TAG, "loop destroyed with %zu posted calls that never ran", dropped);
    }
    if (loop->heap_len > 0 || loop->io_active > 0) {
        ERTC_LOGW(TAG, "loop destroyed with %zu timers and %zu watchers still active",
                  loop->heap_len, loop->io_active);
    }
    close_wakeup(loop);
    ertc_cond_destroy(loop->sync_done);
    ertc_mutex_destroy(loop->lock);
    ertc_free(loop->heap);
    ertc_free(loop->ios);
    ertc_free(loop->pfds);
    ertc_free(loop);
}

/* ---- fd watchers ------------------------------------------------------------------------- */

#define IO_WANTED_MASK (ERTC_IO_READ | ERTC_IO_WRITE)

static bool io_is_started(const ertc_loop_t *loop, const ertc_io_t *io)
{
    return io->slot >= 0 && (size_t)io->slot < loop->io_len && loop->ios[io->slot] == io;
}

void ertc_io_init(ertc_io_t *io, int fd, ertc_io_cb cb, void *arg)
{
    if (io == NULL) {
        return;
    }
    io->fd = fd;
    io->events = 0;
    io->cb = cb;
    io->arg = arg;
    io->slot = -1;
}

WEBRTC_STATUS ertc_io_start(ertc_loop_t *loop, ertc_io_t *io, unsigned events)
{
    if (loop == NULL || io == NULL || io->cb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (io->fd < 0 || (events & ~(unsigned)IO_WANTED_MASK) != 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (io_is_started(loop, io)) {
        io->events = events;
        loop->pfds_dirty = true;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (loop->io_len >= (size_t)INT_MAX - 1) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    /* The pollfd array is sized here too, so rebuilding it later cannot fail. */
    if (!grow_array((void **)&loop->ios, &loop->io_cap, loop->io_len + 1, sizeof(*loop->ios),
                    INITIAL_WATCHERS) ||
        !grow_array((void **)&loop->pfds, &loop->pfd_cap, loop->io_len + 2, sizeof(*loop->pfds),
                    INITIAL_WATCHERS)) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    /* Always appended, never put into a hole: see the file comment. */
    io->slot = (int)loop->io_len;
    io->events = events;
    loop->ios[loop->io_len++] = io;
    loop->io_active++;
    loop->pfds_dirty = true;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_io_set_events(ertc_loop_t *loop, ertc_io_t *io, unsigned events)
{
    if (loop == NULL || io == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if ((events & ~(unsigned)IO_WANTED_MASK) != 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (!io_is_started(loop, io)) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (io->events != events) {
        io->events = events;
        loop->pfds_dirty = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_io_stop(ertc_loop_t *loop, ertc_io_t *io)
{
    if (loop == NULL || io == NULL || !io_is_started(loop, io)) {
        return;
    }
    loop->ios[io->slot] = NULL;
    io->slot = -1;
    loop->io_active--;
    loop->pfds_dirty = true;
    if (!loop->in_iteration) {
        release_idle_arrays(loop);
    }
}

/* Between iterations only: compacts the slot table and rebuilds pfds from it. */
static void rebuild_pollfds(ertc_loop_t *loop)
{
    size_t n = 0;
    for (size_t i = 0; i < loop->io_len; i++) {
        ertc_io_t *io = loop->ios[i];
        if (io != NULL) {
            io->slot = (int)n;
            loop->ios[n++] = io;
        }
    }
    loop->io_len = n;

    loop->pfds[0].fd = loop->wake_read_fd;
    loop->pfds[0].events = POLLIN;
    loop->pfds[0].revents = 0;
    for (size_t i = 0; i < n; i++) {
        const ertc_io_t *io = loop->ios[i];
        struct pollfd *p = &loop->pfds[i + 1];
        /* A watcher that wants nothing is left out (fd -1): poll would still report
         * POLLHUP for it and the loop would spin. */
        p->fd = (io->events & IO_WANTED_MASK) != 0 ? io->fd : -1;
        p->events = (short)(((io->events & ERTC_IO_READ) ? POLLIN : 0) |
                            ((io->events & ERTC_IO_WRITE) ? POLLOUT : 0));
        p->revents = 0;
    }
    loop->pfd_len = n + 1;
    loop->pfds_dirty = false;
}

/* Translates revents for a watcher, restricted to what it wants now (an earlier callback
 * of this iteration may have changed that). With an error or hang-up the wanted READ/WRITE
 * bits are reported too, so a callback that just reads or writes meets the error or EOF. */
static unsigned io_events_from_revents(short revents, unsigned wanted)
{
    unsigned ev = 0;
    if (revents & POLLIN) {
        ev |= ERTC_IO_READ;
    }
    if (revents & POLLOUT) {
        ev |= ERTC_IO_WRITE;
    }
    ev &= wanted;
    if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        ev |= ERTC_IO_ERROR | (wanted & IO_WANTED_MASK);
    }
    return ev;
}

static void dispatch_io(ertc_loop_t *loop)
{
    /* pfd_len and the polled slots stay fixed while callbacks run; loop->pfds and loop->ios
     * are re-read every time because a callback that starts a watcher may move them. */
    for (size_t i = 1; i < loop->pfd_len; i++) {
        short revents = loop->pfds[i].revents;
        if (revents == 0) {
            continue;
        }
        ertc_io_t *io = loop->ios[i - 1];
        if (io == NULL || io->fd != loop->pfds[i].fd) {
            continue; /* stopped (or re-aimed) by an earlier callback of this iteration */
        }
        unsigned ev = io_events_from_revents(revents, io->events);
        if (ev != 0) {
            io->cb(loop, io, io->fd, ev, io->arg);
        }
    }
}

/* ---- timers ------------------------------------------------------------------------------ */

static bool timer_before(const ertc_timer_t *a, const ertc_timer_t *b)
{
    return a->deadline_us < b->deadline_us || (a->deadline_us == b->deadline_us && a->seq < b->seq);
}

static void heap_place(ertc_loop_t *loop, size_t i, ertc_timer_t *t)
{
    loop->heap[i] = t;
    t->heap_index = (int)i;
}

static void heap_sift_up(ertc_loop_t *loop, size_t i)
{
    ertc_timer_t *t = loop->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, loop->heap[parent])) {
            break;
        }
        heap_place(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_place(loop, i, t);
}

static void heap_sift_down(ertc_loop_t *loop, size_t i)
{
    ertc_timer_t *t = loop->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= loop->heap_len) {
            break;
        }
        if (child + 1 < loop->heap_len && timer_before(loop->heap[child + 1], loop->heap[child])) {
            child++;
        }
        if (!timer_before(loop->heap[child], t)) {
            break;
        }
        heap_place(loop, i, loop->heap[child]);
        i = child;
    }
    heap_place(loop, i, t);
}

/* Capacity must have been reserved. */
static void heap_push(ertc_loop_t *loop, ertc_timer_t *t)
{
    size_t i = loop->heap_len++;
    heap_place(loop, i, t);
    heap_sift_up(loop, i);
}

static void heap_remove(ertc_loop_t *loop, ertc_timer_t *t)
{
    size_t i = (size_t)t->heap_index;
    ertc_timer_t *last = loop->heap[--loop->heap_len];
    t->heap_index = -1;
    if (last == t) {
        return;
    }
    heap_place(loop, i, last);
    if (i > 0 && timer_before(last, loop->heap[(i - 1) / 2])) {
        heap_sift_up(loop, i);
    } else {
        heap_sift_down(loop, i);
    }
}

static bool timer_is_queued(const ertc_loop_t *loop, const ertc_timer_t *t)
{
    return t->heap_index >= 0 && (size_t)t->heap_index < loop->heap_len &&
           loop->heap[t->heap_index] == t;
}

void ertc_timer_init(ertc_timer_t *t, ertc_timer_cb cb, void *arg)
{
    if (t == NULL) {
        return;
    }
    t->cb = cb;
    t->arg = arg;
    t->deadline_us = 0;
    t->period_us = 0;
    t->seq = 0;
    t->heap_index = -1;
}

WEBRTC_STATUS ertc_timer_start(ertc_loop_t *loop, ertc_timer_t *t, uint32_t delay_ms,
                               uint32_t period_ms)
{
    if (loop == NULL || t == NULL || t->cb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (timer_is_queued(loop, t)) {
        heap_remove(loop, t);
    } else {
        if (loop->heap_len >= (size_t)INT_MAX) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        if (!grow_array((void **)&loop->heap, &loop->heap_cap, loop->heap_len + 1,
                        sizeof(*loop->heap), INITIAL_TIMERS)) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    /* The deadline counts from the real clock, not the iteration's cached time: a timer
     * started late in a long iteration must still wait its full delay. */
    t->deadline_us = ertc_time_mono_us() + (uint64_t)delay_ms * 1000u;
    t->period_us = (uint64_t)period_ms * 1000u;
    t->seq = loop->next_seq++;
    heap_push(loop, t);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_timer_stop(ertc_loop_t *loop, ertc_timer_t *t)
{
    if (loop == NULL || t == NULL) {
        return;
    }
    if (timer_is_queued(loop, t)) {
        heap_remove(loop, t);
        if (!loop->in_iteration) {
            release_idle_arrays(loop);
        }
    }
}

bool ertc_timer_active(const ertc_timer_t *t)
{
    return t != NULL && t->heap_index >= 0;
}

static void run_due_timers(ertc_loop_t *loop)
{
    /* Timers (re)started from here on have seq >= first_new_seq. Their deadline is at least
     * now, so one can reach the top of the heap only after every older due timer has run;
     * stopping there defers them to the next iteration. */
    const uint64_t first_new_seq = loop->next_seq;
    while (loop->heap_len > 0) {
        ertc_timer_t *t = loop->heap[0];
        if (t->deadline_us > loop->now_us || t->seq >= first_new_seq) {
            break;
        }
        heap_remove(loop, t);
        if (t->period_us > 0) {
            /* Keep the original cadence (no drift); after a stall longer than a period,
             * fire once and resume a period from now instead of firing a burst. */
            uint64_t next = t->deadline_us + t->period_us;
            if (next <= loop->now_us) {
                next = loop->now_us + t->period_us;
            }
            t->deadline_us = next;
            t->seq = loop->next_seq++;
            heap_push(loop, t); /* the slot just freed is reused: cannot fail */
        }
        t->cb(loop, t, t->arg);
    }
}

/* Milliseconds poll may sleep: until the nearest timer, rounded up, capped by `limit_ms`
 * (-1 = no cap). */
static int poll_timeout_ms(const ertc_loop_t *loop, int limit_ms)
{
    if (loop->heap_len == 0) {
        return limit_ms;
    }
    uint64_t now = ertc_time_mono_us();
    uint64_t deadline = loop->heap[0]->deadline_us;
    uint64_t wait_ms = deadline <= now ? 0 : (deadline - now + 999u) / 1000u;
    if (wait_ms > (uint64_t)INT_MAX) {
        wait_ms = (uint64_t)INT_MAX;
    }
    if (limit_ms >= 0 && (uint64_t)limit_ms < wait_ms) {
        return limit_ms;
    }
    return (int)wait_ms;
}

/* ---- posted calls ------------------------------------------------------------------------ */

/* Runs the calls that are queued now; calls posted meanwhile wait for the next iteration,
 * so a storm of posts cannot starve descriptors and timers. */
static void run_posted(ertc_loop_t *loop)
{
    ertc_mutex_lock(loop->lock);
    post_node_t *batch = loop->head;
    loop->head = loop->tail = NULL;
    loop->posted = 0;
    /* The wake-up descriptor was drained before this lock was taken, so a poster that
     * comes after this point writes a fresh wake-up for the next poll. */
    loop->wake_pending = false;
    ertc_mutex_unlock(loop->lock);

    while (batch != NULL) {
        post_node_t *node = batch;
        batch = node->next;
        sync_call_t *sync = node->sync;
        node->fn(node->arg);
        if (sync != NULL) {
            ertc_mutex_lock(loop->lock);
            sync->status = WEBRTC_STATUS_SUCCESS;
            sync->done = true; /* the caller owns node again: do not touch it */
            ertc_cond_broadcast(loop->sync_done);
            ertc_mutex_unlock(loop->lock);
        } else {
            ertc_free(node);
        }
    }
}

/* Called with lock held. */
static void enqueue_locked(ertc_loop_t *loop, post_node_t *node)
{
    node->next = NULL;
    if (loop->tail != NULL) {
        loop->tail->next = node;
    } else {
        loop->head = node;
    }
    loop->tail = node;
    /* Written under the lock: once the lock is released the loop may run the call and be
     * destroyed, so the poster must not touch the loop afterwards. */
    wake_locked(loop);
}

WEBRTC_STATUS ertc_loop_post(ertc_loop_t *loop, ertc_post_fn fn, void *arg)
{
    if (loop == NULL || fn == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    /* Allocated before taking the lock so posters contend only for the list update. */
    post_node_t *node = ertc_malloc(sizeof(*node));
    if (node == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    node->fn = fn;
    node->arg = arg;
    node->sync = NULL;

    ertc_mutex_lock(loop->lock);
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (loop->destroying) {
        st = WEBRTC_STATUS_CLOSED;
    } else if (loop->posted >= loop->max_posted) {
        st = WEBRTC_STATUS_QUEUE_FULL;
    } else {
        loop->posted++;
        enqueue_locked(loop, node);
    }
    ertc_mutex_unlock(loop->lock);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(node);
    }
    return st;
}

WEBRTC_STATUS ertc_loop_call_sync(ertc_loop_t *loop, ertc_post_fn fn, void *arg)
{
    if (loop == NULL || fn == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (running_loop == loop) {
        fn(arg); /* waiting for ourselves would deadlock */
        return WEBRTC_STATUS_SUCCESS;
    }
    sync_call_t call;
    call.node.fn = fn;
    call.node.arg = arg;
    call.node.sync = &call;
    call.done = false;
    call.status = WEBRTC_STATUS_CLOSED;

    ertc_mutex_lock(loop->lock);
    if (loop->refuse_sync) {
        ertc_mutex_unlock(loop->lock);
        return WEBRTC_STATUS_CLOSED;
    }
    loop->sync_waiters++;
    enqueue_locked(loop, &call.node);
    while (!call.done) {
        ertc_cond_wait(loop->sync_done, loop->lock);
    }
    loop->sync_waiters--;
    if (loop->destroying && loop->sync_waiters == 0) {
        ertc_cond_broadcast(loop->sync_done); /* ertc_loop_destroy waits for this */
    }
    ertc_mutex_unlock(loop->lock);
    return call.status;
}

/* ---- running ----------------------------------------------------------------------------- */

static WEBRTC_STATUS iterate(ertc_loop_t *loop, int timeout_ms)
{
    if (loop->pfds_dirty) {
        rebuild_pollfds(loop);
    }
    int timeout = poll_timeout_ms(loop, timeout_ms);
    int n = poll(loop->pfds, (nfds_t)loop->pfd_len, timeout);
    int err = errno;
    loop->now_us = ertc_time_mono_us();
    if (n < 0) {
        if (err != EINTR) {
            ERTC_LOGE(TAG, "poll failed: errno %d", err);
            return WEBRTC_STATUS_INTERNAL_ERROR;
        }
        n = 0;
    }
    if (n > 0) {
        if (loop->pfds[0].revents != 0) {
            drain_wakeup(loop);
        }
        dispatch_io(loop);
    }
    run_due_timers(loop);
    run_posted(loop);
    release_idle_arrays(loop);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_loop_run_once(ertc_loop_t *loop, int timeout_ms)
{
    if (loop == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (loop->in_iteration) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_loop_t *outer = running_loop;
    running_loop = loop;
    loop->in_iteration = true;
    WEBRTC_STATUS st = iterate(loop, timeout_ms);
    loop->in_iteration = false;
    running_loop = outer;
    return st;
}

WEBRTC_STATUS ertc_loop_run(ertc_loop_t *loop)
{
    if (loop == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (loop->in_iteration) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_mutex_lock(loop->lock);
    loop->refuse_sync = loop->destroying;
    ertc_mutex_unlock(loop->lock);

    ertc_loop_t *outer = running_loop;
    running_loop = loop;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    for (;;) {
        ertc_mutex_lock(loop->lock);
        bool stop = loop->stop_requested;
        ertc_mutex_unlock(loop->lock);
        if (stop) {
            break;
        }
        loop->in_iteration = true;
        st = iterate(loop, -1);
        loop->in_iteration = false;
        if (st != WEBRTC_STATUS_SUCCESS) {
            break;
        }
    }
    running_loop = outer;

    /* Nobody will run queued synchronous calls now: release their callers. */
    ertc_mutex_lock(loop->lock);
    loop->stop_requested = false;
    loop->refuse_sync = true;
    cancel_sync_calls_locked(loop);
    ertc_mutex_unlock(loop->lock);
    return st;
}

void ertc_loop_stop(ertc_loop_t *loop)
{
    if (loop == NULL) {
        return;
    }
    ertc_mutex_lock(loop->lock);
    loop->stop_requested = true;
    loop->refuse_sync = true;
    cancel_sync_calls_locked(loop);
    wake_locked(loop);
    ertc_mutex_unlock(loop->lock);
}

bool ertc_loop_in_loop_thread(const ertc_loop_t *loop)
{
    return loop != NULL && running_loop == loop;
}

uint64_t ertc_loop_now_us(const ertc_loop_t *loop)
{
    return loop != NULL ? loop->now_us : 0;
}
