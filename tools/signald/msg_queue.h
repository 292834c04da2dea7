/*
 * signald/msg_queue — a bounded FIFO of opaque signaling messages.
 *
 * Two places keep messages for a peer that is not there yet: the Collider queues what a
 * client sends while the other client is not registered (specs/apprtc.md §2.3), and the room server
 * stores what the first joiner posts until the second joins (specs/apprtc.md §1.3). Both use this
 * queue, bounded in count and bytes, so a client that never stops sending cannot grow it
 * without limit. Messages are copied in and kept NUL-terminated.
 */
#ifndef SIGNALD_MSG_QUEUE_H
#define SIGNALD_MSG_QUEUE_H

#include <stddef.h>

#include "webrtc_status.h"

typedef struct sd_msg sd_msg_t;
struct sd_msg {
    sd_msg_t *next;
    size_t len;
    char data[]; /* len bytes and a NUL */
};

typedef struct {
    sd_msg_t *head;
    sd_msg_t *tail;
    size_t count;
    size_t bytes;
} sd_msg_queue_t;

/* Appends a copy of data[0..len). QUEUE_FULL when it would pass max_count messages or
 * max_bytes bytes (nothing is added), NOT_ENOUGH_MEMORY. */
WEBRTC_STATUS sd_msg_queue_push(sd_msg_queue_t *q, const char *data, size_t len, size_t max_count,
                                size_t max_bytes);
/* Removes and returns the oldest message (free it with ertc_free), NULL when empty. */
sd_msg_t *sd_msg_queue_pop(sd_msg_queue_t *q);
/* Moves every message of from to the end of to, leaving from empty (no limit applies). */
void sd_msg_queue_move(sd_msg_queue_t *to, sd_msg_queue_t *from);
/* Frees every message. */
void sd_msg_queue_clear(sd_msg_queue_t *q);

#endif
