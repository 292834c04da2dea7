/*
 * signald/msg_queue — bounded FIFO of signaling messages (see msg_queue.h).
 */
#include "msg_queue.h"

#include <string.h>

#include "util/alloc.h"

WEBRTC_STATUS sd_msg_queue_push(sd_msg_queue_t *q, const char *data, size_t len, size_t max_count,
                                size_t max_bytes)
{
    if (q->count >= max_count || len > max_bytes || q->bytes > max_bytes - len) {
        return WEBRTC_STATUS_QUEUE_FULL;
    }
    sd_msg_t *m = ertc_malloc(sizeof(*m) + len + 1);
    if (m == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    m->next = NULL;
    m->len = len;
    memcpy(m->data, data, len);
    m->data[len] = '\0';
    if (q->tail != NULL) {
        q->tail->next = m;
    } else {
        q->head = m;
    }
    q->tail = m;
    q->count++;
    q->bytes += len;
    return WEBRTC_STATUS_SUCCESS;
}

sd_msg_t *sd_msg_queue_pop(sd_msg_queue_t *q)
{
    sd_msg_t *m = q->head;
    if (m == NULL) {
        return NULL;
    }
    q->head = m->next;
    if (q->head == NULL) {
        q->tail = NULL;
    }
    q->count--;
    q->bytes -= m->len;
    m->next = NULL;
    return m;
}

void sd_msg_queue_move(sd_msg_queue_t *to, sd_msg_queue_t *from)
{
    if (from->head == NULL) {
        return;
    }
    if (to->tail != NULL) {
        to->tail->next = from->head;
    } else {
        to->head = from->head;
    }
    to->tail = from->tail;
    to->count += from->count;
    to->bytes += from->bytes;
    memset(from, 0, sizeof(*from));
}

void sd_msg_queue_clear(sd_msg_queue_t *q)
{
    sd_msg_t *m;
    while ((m = sd_msg_queue_pop(q)) != NULL) {
        ertc_free(m);
    }
}
