/*
 * port/work_queue — a bounded job queue with one worker thread (the instance API behind the
 * seed's esp_work_queue_* singleton in esp_work_queue.c).
 *
 * Jobs are short blocking calls that must stay off the event loop (HTTPS requests, credential
 * fetches, certificate generation); a job posts its result back to the loop. Adding never
 * blocks: a full queue refuses the job with QUEUE_FULL.
 */
#ifndef ERTC_PORT_WORK_QUEUE_H
#define ERTC_PORT_WORK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

typedef struct ertc_workq ertc_workq_t;
typedef void (*ertc_work_fn)(void *arg);

WEBRTC_STATUS ertc_workq_create(ertc_workq_t **out, size_t capacity, size_t stack_size,
                                const char *name);
/* Starts the worker; SUCCESS if it runs already. */
WEBRTC_STATUS ertc_workq_start(ertc_workq_t *q);
/* Lets the running job finish, then stops the worker; queued jobs stay for a later start.
 * INVALID_OPERATION when called from a job (a worker cannot join itself). */
WEBRTC_STATUS ertc_workq_stop(ertc_workq_t *q);
/* Stops and frees; returns how many queued jobs were dropped without running. */
size_t ertc_workq_destroy(ertc_workq_t *q);
/* Never blocks. INVALID_ARG for a NULL fn, QUEUE_FULL when capacity jobs are waiting. */
WEBRTC_STATUS ertc_workq_add(ertc_workq_t *q, ertc_work_fn fn, void *arg);
size_t ertc_workq_pending(ertc_workq_t *q);
/* Waits until the queue is empty and no job runs (tests, orderly shutdown). TIMEOUT if it
 * takes longer than timeout_ms. */
WEBRTC_STATUS ertc_workq_drain(ertc_workq_t *q, uint32_t timeout_ms);

#endif
