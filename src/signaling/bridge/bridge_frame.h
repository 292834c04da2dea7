/*
 * Bridge link framing (split mode, docs/bridge.md): the byte format that carries bridge
 * messages between the signaling device and the streaming device over a stream transport
 * (UNIX socket, TCP, serial line).
 *
 *   offset size field
 *   0      2    sync      0xE5 0x7C (lets a reader find the next frame after garbage)
 *   2      1    version   ERTC_BRIDGE_FRAME_VERSION
 *   3      1    type      ertc_bridge_frame_type_t
 *   4      1    flags     ERTC_BRIDGE_FLAG_FIRST / ERTC_BRIDGE_FLAG_LAST (chunking)
 *   5      2    seq       sequence number, big-endian, +1 per frame sent (wraps)
 *   7      2    length    payload bytes, big-endian, at most ERTC_BRIDGE_FRAME_MAX_PAYLOAD
 *   9      1    hcrc      CRC-8 (poly 0x07, init 0) over bytes 2..8, so a corrupted length
 *                         is caught at once instead of stalling the reader on missing bytes
 *   10     n    payload
 *   10+n   4    crc       CRC-32 (ISO-HDLC, as zlib), big-endian, over bytes 2 .. 10+n-1
 *
 * The parser is a pure function over a buffer: it reports a complete frame, "need more
 * bytes", or a malformed frame together with how many bytes to drop so that parsing resumes
 * at the next sync pattern.
 */
#ifndef ERTC_BRIDGE_FRAME_H
#define ERTC_BRIDGE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_BRIDGE_FRAME_VERSION     1u
#define ERTC_BRIDGE_FRAME_SYNC0       0xE5u
#define ERTC_BRIDGE_FRAME_SYNC1       0x7Cu
#define ERTC_BRIDGE_FRAME_HEADER_LEN  10u
#define ERTC_BRIDGE_FRAME_CRC_LEN     4u
#define ERTC_BRIDGE_FRAME_OVERHEAD    (ERTC_BRIDGE_FRAME_HEADER_LEN + ERTC_BRIDGE_FRAME_CRC_LEN)
/* 1024 payload bytes per frame, like the ESP port's esp_hosted chunk (spec §2.7). */
#define ERTC_BRIDGE_FRAME_MAX_PAYLOAD 1024u
#define ERTC_BRIDGE_FRAME_MAX_LEN     (ERTC_BRIDGE_FRAME_OVERHEAD + ERTC_BRIDGE_FRAME_MAX_PAYLOAD)

#define ERTC_BRIDGE_FLAG_FIRST 0x01u /* first chunk of a message */
#define ERTC_BRIDGE_FLAG_LAST  0x02u /* last chunk of a message */
#define ERTC_BRIDGE_FLAGS_KNOWN (ERTC_BRIDGE_FLAG_FIRST | ERTC_BRIDGE_FLAG_LAST)

typedef enum {
    ERTC_BRIDGE_FRAME_MESSAGE = 1, /* a chunk of a serialized SignalingMessage (bridge_msg.h) */
    ERTC_BRIDGE_FRAME_PING = 2,    /* keepalive; answered with PONG */
    ERTC_BRIDGE_FRAME_PONG = 3,
} ertc_bridge_frame_type_t;

typedef struct {
    uint8_t type;  /* ertc_bridge_frame_type_t */
    uint8_t flags; /* ERTC_BRIDGE_FLAG_* */
    uint16_t seq;
    const uint8_t *payload; /* points into the parsed buffer */
    size_t payload_len;
} ertc_bridge_frame_t;

/* CRC-8 (poly 0x07, init 0, no reflection) of data. */
uint8_t ertc_bridge_crc8(const uint8_t *data, size_t len);

/* CRC-32 (ISO-HDLC) of data continued from crc (0 to start). */
uint32_t ertc_bridge_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* Encodes frame into out (ERTC_BRIDGE_FRAME_OVERHEAD + payload_len bytes). INVALID_ARG for an
 * unknown type or flags, LIMIT_EXCEEDED for a payload over the maximum, BUFFER_TOO_SMALL. */
WEBRTC_STATUS ertc_bridge_frame_encode(const ertc_bridge_frame_t *frame, uint8_t *out,
                                       size_t out_cap, size_t *out_len);

/*
 * Parses the frame at the start of buf.
 *   SUCCESS      frame filled (payload points into buf); *consumed = the frame's length.
 *   RETRY_LATER  buf holds only the beginning of a possible frame; *consumed = 0.
 *   MALFORMED    bad sync, version, type, flags, length or either CRC; *consumed = the bytes to drop,
 *                up to the next possible sync pattern (at least 1).
 */
WEBRTC_STATUS ertc_bridge_frame_parse(const uint8_t *buf, size_t len, ertc_bridge_frame_t *frame,
                                      size_t *consumed);

#endif /* ERTC_BRIDGE_FRAME_H */
