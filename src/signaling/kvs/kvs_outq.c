/*
 * signaling/kvs/kvs_outq — see kvs_outq.h.
 */
#include "signaling/kvs/kvs_outq.h"

#include <string.h>

#include "util/alloc.h"

void ertc_kvs_outq_init(ertc_kvs_outq_t *q, size_t max_count, size_t max_bytes)
{
    memset(q, 0, sizeof(*q));
    q->max_count = max_count ? max_count : ERTC_KVS_OUTQ_MAX_COUNT;
    q->max_bytes = max_bytes ? max_bytes : ERTC_KVS_OUTQ_MAX_BYTES;
}

WEBRTC_STATUS ertc_kvs_outq_push(ertc_kvs_outq_t *q, char *frame, size_t len)
{
    if (q == NULL || frame == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (q->count >= q->max_count || len > q->max_bytes - q->bytes) {
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    ertc_kvs_outq_item_t *it = ertc_calloc(1, sizeof(*it));
    if (it == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    it->frame = frame;
    it->len = len;
    if (q->tail != NULL) {
        q->tail->next = it;
    } else {
        q->head = it;
    }
    q->tail = it;
    q->count++;
    q->bytes += len;
    return WEBRTC_STATUS_SUCCESS;
}

const ertc_kvs_outq_item_t *ertc_kvs_outq_peek(const ertc_kvs_outq_t *q)
{
    return q ? q->head : NULL;
}

void ertc_kvs_outq_pop(ertc_kvs_outq_t *q)
{
    ertc_kvs_outq_item_t *it = q ? q->head : NULL;
    if (it == NULL) {
        return;
    }
    q->head = it->next;
    if (q->head == NULL) {
        q->tail = NULL;
    }
    q->count--;
    q->bytes -= it->len;
    ertc_free(it->frame);
    ertc_free(it);
}

void ertc_kvs_outq_clear(ertc_kvs_outq_t *q)
{
    while (q != NULL && q->head != NULL) {
        ertc_kvs_outq_pop(q);
    }
}
