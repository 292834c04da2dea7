/*
 * Bridge link framing: encoder and resynchronising parser (format in bridge_frame.h and
 * docs/bridge.md). No I/O and no allocation, so it is unit-tested and fuzzed directly.
 */
#include "signaling/bridge/bridge_frame.h"

#include <string.h>

#include "peer/stun.h"
#include "util/bytes.h"

uint32_t ertc_bridge_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    /* the same CRC-32 as the STUN FINGERPRINT, so the library carries one implementation */
    return ertc_stun_crc32(crc, data, len);
}

uint8_t ertc_bridge_crc8(const uint8_t *data, size_t len)
{
    uint8_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++) {
            crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ 0x07u : (unsigned)crc << 1);
        }
    }
    return crc;
}

static int type_known(uint8_t type)
{
    return type >= ERTC_BRIDGE_FRAME_MESSAGE && type <= ERTC_BRIDGE_FRAME_PONG;
}

WEBRTC_STATUS ertc_bridge_frame_encode(const ertc_bridge_frame_t *frame, uint8_t *out,
                                       size_t out_cap, size_t *out_len)
{
    if (frame == NULL || out == NULL || out_len == NULL ||
        (frame->payload == NULL && frame->payload_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!type_known(frame->type) || (frame->flags & ~ERTC_BRIDGE_FLAGS_KNOWN) != 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (frame->payload_len > ERTC_BRIDGE_FRAME_MAX_PAYLOAD) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    size_t total = ERTC_BRIDGE_FRAME_OVERHEAD + frame->payload_len;
    if (out_cap < total) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    out[0] = ERTC_BRIDGE_FRAME_SYNC0;
    out[1] = ERTC_BRIDGE_FRAME_SYNC1;
    out[2] = ERTC_BRIDGE_FRAME_VERSION;
    out[3] = frame->type;
    out[4] = frame->flags;
    ertc_put_be16(out + 5, frame->seq);
    ertc_put_be16(out + 7, (uint32_t)frame->payload_len);
    out[9] = ertc_bridge_crc8(out + 2, 7);
    if (frame->payload_len > 0) {
        memcpy(out + ERTC_BRIDGE_FRAME_HEADER_LEN, frame->payload, frame->payload_len);
    }
    size_t crc_at = ERTC_BRIDGE_FRAME_HEADER_LEN + frame->payload_len;
    ertc_put_be32(out + crc_at, ertc_bridge_crc32(0, out + 2, crc_at - 2));
    *out_len = total;
    return WEBRTC_STATUS_SUCCESS;
}

/* Bytes to drop after a bad frame at buf[0]: up to the next byte that could start a sync
 * pattern (a trailing SYNC0 counts, since its SYNC1 may still arrive). */
static size_t resync_skip(const uint8_t *buf, size_t len)
{
    for (size_t i = 1; i < len; i++) {
        if (buf[i] == ERTC_BRIDGE_FRAME_SYNC0 &&
            (i + 1 == len || buf[i + 1] == ERTC_BRIDGE_FRAME_SYNC1)) {
            return i;
        }
    }
    return len > 0 ? len : 1;
}

WEBRTC_STATUS ertc_bridge_frame_parse(const uint8_t *buf, size_t len, ertc_bridge_frame_t *frame,
                                      size_t *consumed)
{
    if (buf == NULL || frame == NULL || consumed == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *consumed = 0;
    if (len == 0) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    /* header fields are checked as soon as they arrive, so garbage is dropped early */
    if (buf[0] != ERTC_BRIDGE_FRAME_SYNC0 || (len > 1 && buf[1] != ERTC_BRIDGE_FRAME_SYNC1) ||
        (len > 2 && buf[2] != ERTC_BRIDGE_FRAME_VERSION) || (len > 3 && !type_known(buf[3])) ||
        (len > 4 && (buf[4] & ~ERTC_BRIDGE_FLAGS_KNOWN) != 0) ||
        (len > 8 && ertc_get_be16(buf + 7) > ERTC_BRIDGE_FRAME_MAX_PAYLOAD) ||
        (len > 9 && buf[9] != ertc_bridge_crc8(buf + 2, 7))) {
        *consumed = resync_skip(buf, len);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len < ERTC_BRIDGE_FRAME_HEADER_LEN) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    size_t payload_len = ertc_get_be16(buf + 7);
    size_t total = ERTC_BRIDGE_FRAME_OVERHEAD + payload_len;
    if (len < total) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    size_t crc_at = ERTC_BRIDGE_FRAME_HEADER_LEN + payload_len;
    if (ertc_get_be32(buf + crc_at) != ertc_bridge_crc32(0, buf + 2, crc_at - 2)) {
        *consumed = resync_skip(buf, len);
        return WEBRTC_STATUS_MALFORMED;
    }
    frame->type = buf[3];
    frame->flags = buf[4];
    frame->seq = (uint16_t)ertc_get_be16(buf + 5);
    frame->payload = buf + ERTC_BRIDGE_FRAME_HEADER_LEN;
    frame->payload_len = payload_len;
    *consumed = total;
    return WEBRTC_STATUS_SUCCESS;
}
