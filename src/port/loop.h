/*
 * port/loop.h — the event loop every protocol state machine runs on (one per app_webrtc
 * instance): poll()-based file-descriptor events, one-shot and periodic timers, and a
 * thread-safe post that wakes the loop.
 *
 * Watchers and timers are owned by the caller (embedded in the caller's struct, as in libuv),
 * so the loop allocates nothing per timer or socket and a cancelled timer can never fire.
 * Every function except ertc_loop_post, ertc_loop_call_sync, ertc_loop_stop and
 * ertc_loop_in_loop_thread must be called on the loop's thread (or before the loop runs).
 */
#ifndef ERTC_PORT_LOOP_H
#define ERTC_PORT_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

typedef struct ertc_loop ertc_loop_t;

enum { ERTC_IO_READ = 1, ERTC_IO_WRITE = 2, ERTC_IO_ERROR = 4 };

typedef struct ertc_io ertc_io_t;
/* events: ERTC_IO_* bits that are ready (ERROR covers POLLERR/POLLHUP/POLLNVAL). With ERROR,
 * the READ/WRITE bits the watcher wants are set too, so a callback that just reads or writes
 * meets the error or end-of-file. */
typedef void (*ertc_io_cb)(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg);

struct ertc_io {
    int fd;
    unsigned events; /* ERTC_IO_READ | ERTC_IO_WRITE wanted */
    ertc_io_cb cb;
    void *arg;
    int slot; /* private: index in the loop's table, -1 when not started */
};

typedef struct ertc_timer ertc_timer_t;
typedef void (*ertc_timer_cb)(ertc_loop_t *loop, ertc_timer_t *timer, void *arg);

struct ertc_timer {
    ertc_timer_cb cb;
    void *arg;
    uint64_t deadline_us; /* private */
    uint64_t period_us;   /* private: 0 = one-shot */
    uint64_t seq;         /* private: FIFO order among equal deadlines */
    int heap_index;       /* private: -1 when not active */
};

typedef void (*ertc_post_fn)(void *arg);

/* max_posted: how many posted calls may wait at once (0 = ERTC_LOOP_DEFAULT_MAX_POSTED). */
#define ERTC_LOOP_DEFAULT_MAX_POSTED 4096
WEBRTC_STATUS ertc_loop_create(ertc_loop_t **out, size_t max_posted);
/* Frees the loop; posted calls that never ran are dropped (their count is logged) and waiting
 * ertc_loop_call_sync callers return CLOSED. Not from inside a loop callback. */
void ertc_loop_destroy(ertc_loop_t *loop);

/* Runs until ertc_loop_stop. Returns SUCCESS after a stop. */
WEBRTC_STATUS ertc_loop_run(ertc_loop_t *loop);
/* One iteration: waits at most timeout_ms (-1 = until something happens), then dispatches. */
WEBRTC_STATUS ertc_loop_run_once(ertc_loop_t *loop, int timeout_ms);
/* Thread-safe: the running ertc_loop_run returns after the current iteration (if none is
 * running, the next one returns at once). Pending ertc_loop_call_sync calls are cancelled. */
void ertc_loop_stop(ertc_loop_t *loop);
/* True while the calling thread is inside ertc_loop_run or ertc_loop_run_once of loop. */
bool ertc_loop_in_loop_thread(const ertc_loop_t *loop);
uint64_t ertc_loop_now_us(const ertc_loop_t *loop); /* monotonic time cached per iteration */

/* ---- fd watchers ---------------------------------------------------------------------- */
void ertc_io_init(ertc_io_t *io, int fd, ertc_io_cb cb, void *arg);
WEBRTC_STATUS ertc_io_start(ertc_loop_t *loop, ertc_io_t *io, unsigned events);
WEBRTC_STATUS ertc_io_set_events(ertc_loop_t *loop, ertc_io_t *io, unsigned events);
void ertc_io_stop(ertc_loop_t *loop, ertc_io_t *io); /* safe inside any callback */

/* ---- timers --------------------------------------------------------------------------- */
void ertc_timer_init(ertc_timer_t *t, ertc_timer_cb cb, void *arg);
/* (Re)starts: fires after delay_ms, then every period_ms if period_ms > 0. */
WEBRTC_STATUS ertc_timer_start(ertc_loop_t *loop, ertc_timer_t *t, uint32_t delay_ms,
                               uint32_t period_ms);
void ertc_timer_stop(ertc_loop_t *loop, ertc_timer_t *t); /* safe inside any callback */
bool ertc_timer_active(const ertc_timer_t *t);

/* ---- cross-thread --------------------------------------------------------------------- */
/* Thread-safe: fn(arg) runs on the loop thread, in post order. QUEUE_FULL when max_posted
 * calls are waiting, NOT_ENOUGH_MEMORY if a node cannot be allocated: nothing is lost
 * silently. */
WEBRTC_STATUS ertc_loop_post(ertc_loop_t *loop, ertc_post_fn fn, void *arg);
/* Runs fn(arg) on the loop thread and waits for it; runs it directly when called on the loop
 * thread. Never QUEUE_FULL and never allocates. Returns SUCCESS when fn ran, or CLOSED when it
 * did not and never will: after ertc_loop_stop (until ertc_loop_run is entered again), when
 * the loop stops or is destroyed while the call waits, or during ertc_loop_destroy. Before the
 * loop first runs, the call waits for it. */
WEBRTC_STATUS ertc_loop_call_sync(ertc_loop_t *loop, ertc_post_fn fn, void *arg);

#endif
