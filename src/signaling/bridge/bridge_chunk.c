/*
 * Bridge chunking: splitting messages into MESSAGE frames and reassembling them
 * (bridge_chunk.h).
 */
#include "signaling/bridge/bridge_chunk.h"

#include <string.h>

#include "signaling/bridge/bridge_msg.h"
#include "util/alloc.h"

size_t ertc_bridge_chunk_count(size_t len)
{
    return len == 0 ? 1 : (len + ERTC_BRIDGE_FRAME_MAX_PAYLOAD - 1) / ERTC_BRIDGE_FRAME_MAX_PAYLOAD;
}

void ertc_bridge_chunk_frame(const uint8_t *msg, size_t len, size_t index, uint16_t seq,
                             ertc_bridge_frame_t *frame)
{
    size_t count = ertc_bridge_chunk_count(len);
    size_t off = index * ERTC_BRIDGE_FRAME_MAX_PAYLOAD;
    size_t n = off < len ? len - off : 0;
    if (n > ERTC_BRIDGE_FRAME_MAX_PAYLOAD) {
        n = ERTC_BRIDGE_FRAME_MAX_PAYLOAD;
    }
    frame->type = ERTC_BRIDGE_FRAME_MESSAGE;
    frame->flags = (uint8_t)((index == 0 ? ERTC_BRIDGE_FLAG_FIRST : 0) |
                             (index + 1 >= count ? ERTC_BRIDGE_FLAG_LAST : 0));
    frame->seq = seq;
    frame->payload = n > 0 ? msg + off : NULL;
    frame->payload_len = n;
}

void ertc_bridge_reassembler_init(ertc_bridge_reassembler_t *r)
{
    memset(r, 0, sizeof(*r));
}

void ertc_bridge_reassembler_reset(ertc_bridge_reassembler_t *r)
{
    if (r->active) {
        r->dropped++;
    }
    r->active = 0;
    r->len = 0;
}

void ertc_bridge_reassembler_free(ertc_bridge_reassembler_t *r)
{
    ertc_free(r->buf);
    memset(r, 0, sizeof(*r));
}

static WEBRTC_STATUS append(ertc_bridge_reassembler_t *r, const uint8_t *data, size_t n)
{
    if (n > ERTC_BRIDGE_MSG_MAX_LEN - r->len) {
        ertc_bridge_reassembler_reset(r);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (r->len + n > r->cap) {
        /* grow by doubling, bounded by the message limit */
        size_t cap = r->cap == 0 ? 2 * ERTC_BRIDGE_FRAME_MAX_PAYLOAD : r->cap;
        while (cap < r->len + n) {
            cap *= 2;
        }
        if (cap > ERTC_BRIDGE_MSG_MAX_LEN) {
            cap = ERTC_BRIDGE_MSG_MAX_LEN;
        }
        uint8_t *nb = ertc_realloc(r->buf, cap);
        if (nb == NULL) {
            ertc_bridge_reassembler_reset(r);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        r->buf = nb;
        r->cap = cap;
    }
    if (n > 0) {
        memcpy(r->buf + r->len, data, n);
        r->len += n;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_bridge_reassembler_add(ertc_bridge_reassembler_t *r,
                                          const ertc_bridge_frame_t *frame, const uint8_t **msg,
                                          size_t *msg_len)
{
    if (r == NULL || frame == NULL || msg == NULL || msg_len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (frame->flags & ERTC_BRIDGE_FLAG_FIRST) {
        ertc_bridge_reassembler_reset(r); /* a new message replaces an unfinished one */
        r->active = 1;
    } else if (!r->active || frame->seq != r->next_seq) {
        if (!r->active) {
            r->dropped++; /* an orphan chunk */
        }
        ertc_bridge_reassembler_reset(r); /* a gap: the partial message is counted and dropped */
        return WEBRTC_STATUS_MALFORMED;
    }
    WEBRTC_STATUS st = append(r, frame->payload, frame->payload_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    r->next_seq = (uint16_t)(frame->seq + 1);
    if ((frame->flags & ERTC_BRIDGE_FLAG_LAST) == 0) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    r->active = 0;
    *msg = r->buf != NULL ? r->buf : (const uint8_t *)"";
    *msg_len = r->len;
    r->len = 0;
    return WEBRTC_STATUS_SUCCESS;
}
