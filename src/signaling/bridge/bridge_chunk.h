/*
 * Bridge chunking: a serialized bridge message longer than one frame payload (an SDP offer is
 * often 6+ KiB) travels as consecutive MESSAGE frames, the first flagged FIRST and the last
 * LAST (a short message is one frame with both). The reassembler rebuilds it, bounded by
 * ERTC_BRIDGE_MSG_MAX_LEN; a gap in the sequence numbers, a chunk without a FIRST or an
 * oversized message drops the partial message (the link itself stays up).
 */
#ifndef ERTC_BRIDGE_CHUNK_H
#define ERTC_BRIDGE_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "signaling/bridge/bridge_frame.h"
#include "webrtc_status.h"

/* Number of frames a message of len bytes needs (at least 1). */
size_t ertc_bridge_chunk_count(size_t len);

/* Describes chunk index of msg (len bytes) as a MESSAGE frame with sequence number seq. */
void ertc_bridge_chunk_frame(const uint8_t *msg, size_t len, size_t index, uint16_t seq,
                             ertc_bridge_frame_t *frame);

typedef struct {
    uint8_t *buf;
    size_t len;
    size_t cap;
    uint16_t next_seq;
    int active;            /* a message is being reassembled */
    uint32_t dropped;      /* partial messages dropped (gap, orphan chunk, oversize) */
} ertc_bridge_reassembler_t;

void ertc_bridge_reassembler_init(ertc_bridge_reassembler_t *r);
void ertc_bridge_reassembler_reset(ertc_bridge_reassembler_t *r); /* drops a partial message */
void ertc_bridge_reassembler_free(ertc_bridge_reassembler_t *r);

/*
 * Adds one MESSAGE frame.
 *   SUCCESS          msg and msg_len hold the complete message (valid until the next call).
 *   RETRY_LATER      more chunks are needed.
 *   MALFORMED        a chunk out of order or without a FIRST; the partial message is dropped.
 *   LIMIT_EXCEEDED   the message grew past ERTC_BRIDGE_MSG_MAX_LEN; dropped.
 *   NOT_ENOUGH_MEMORY
 */
WEBRTC_STATUS ertc_bridge_reassembler_add(ertc_bridge_reassembler_t *r,
                                          const ertc_bridge_frame_t *frame, const uint8_t **msg,
                                          size_t *msg_len);

#endif /* ERTC_BRIDGE_CHUNK_H */
