/*
 * signaling/kvs/kvs_outq — the bounded FIFO of outgoing signaling frames that wait for the
 * WebSocket (while connecting, reconnecting, or when its send queue is full). Bounded by a
 * count and by bytes; a frame that does not fit is refused with QUEUE_FULL, so the caller
 * can say RETRY_LATER: nothing is dropped silently. Not thread-safe (the client's loop).
 */
#ifndef ERTC_SIGNALING_KVS_OUTQ_H
#define ERTC_SIGNALING_KVS_OUTQ_H

#include <stddef.h>

#include "webrtc_status.h"

#define ERTC_KVS_OUTQ_MAX_COUNT 64
#define ERTC_KVS_OUTQ_MAX_BYTES (256 * 1024)

typedef struct ertc_kvs_outq_item {
    struct ertc_kvs_outq_item *next;
    char *frame; /* owned (ertc_malloc) */
    size_t len;
} ertc_kvs_outq_item_t;

typedef struct {
    ertc_kvs_outq_item_t *head, *tail;
    size_t count;
    size_t bytes;
    size_t max_count; /* 0 = ERTC_KVS_OUTQ_MAX_COUNT */
    size_t max_bytes; /* 0 = ERTC_KVS_OUTQ_MAX_BYTES */
} ertc_kvs_outq_t;

void ertc_kvs_outq_init(ertc_kvs_outq_t *q, size_t max_count, size_t max_bytes);
/* Takes frame (ertc_malloc'd) on SUCCESS; QUEUE_FULL (frame still the caller's) otherwise. */
WEBRTC_STATUS ertc_kvs_outq_push(ertc_kvs_outq_t *q, char *frame, size_t len);
/* The oldest frame, or NULL; it stays queued until ertc_kvs_outq_pop. */
const ertc_kvs_outq_item_t *ertc_kvs_outq_peek(const ertc_kvs_outq_t *q);
/* Removes and frees the oldest frame. */
void ertc_kvs_outq_pop(ertc_kvs_outq_t *q);
void ertc_kvs_outq_clear(ertc_kvs_outq_t *q);

#endif
