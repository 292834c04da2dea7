/*
 * media/ogg_opus — OpusHead and OpusTags (RFC 7845 §5.1, §5.2; see ogg_opus.h).
 */
#include "media/ogg_opus.h"

#include <string.h>

static uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void write_le32(uint8_t *p, uint32_t v)
{
    write_le16(p, (uint16_t)v);
    write_le16(p + 2, (uint16_t)(v >> 16));
}

WEBRTC_STATUS ertc_opus_head_parse(const uint8_t *pkt, size_t len, ertc_opus_head_t *head,
                                   const char **why)
{
    *why = NULL;
    if (len < 8 || memcmp(pkt, "OpusHead", 8) != 0) {
        *why = "first packet is not an OpusHead (not an Opus stream)";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (len < ERTC_OPUS_HEAD_LEN) {
        *why = "OpusHead shorter than 19 bytes";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* §5.1: the upper four bits are the major version; only 0 is defined. */
    if ((pkt[8] & 0xf0) != 0) {
        *why = "OpusHead: unsupported major version";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    head->version = pkt[8];
    head->channels = pkt[9];
    head->pre_skip = (uint16_t)(pkt[10] | pkt[11] << 8);
    head->input_rate = read_le32(pkt + 12);
    head->output_gain = (int16_t)(uint16_t)(pkt[16] | pkt[17] << 8);
    head->mapping_family = pkt[18];
    if (head->channels == 0) {
        *why = "OpusHead: zero channels";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (head->mapping_family != 0) {
        *why = "OpusHead: channel mapping family is not 0 (multistream cannot go over WebRTC)";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (head->channels > 2) {
        *why = "OpusHead: more than 2 channels with mapping family 0";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_opus_head_build(const ertc_opus_head_t *head, uint8_t *out, size_t cap,
                                   size_t *out_len)
{
    if (head->channels < 1 || head->channels > 2) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cap < ERTC_OPUS_HEAD_LEN) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(out, "OpusHead", 8);
    out[8] = 1;
    out[9] = head->channels;
    write_le16(out + 10, head->pre_skip);
    write_le32(out + 12, head->input_rate);
    write_le16(out + 16, (uint16_t)head->output_gain);
    out[18] = 0;
    *out_len = ERTC_OPUS_HEAD_LEN;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_opus_tags_check(const uint8_t *pkt, size_t len, const char **why)
{
    *why = "OpusTags: malformed comment header";
    if (len < 8 || memcmp(pkt, "OpusTags", 8) != 0) {
        *why = "second packet is not an OpusTags";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t at = 8;
    if (len - at < 4) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    uint32_t vendor_len = read_le32(pkt + at);
    at += 4;
    if (vendor_len > len - at || len - at - vendor_len < 4) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    at += vendor_len;
    uint32_t count = read_le32(pkt + at);
    at += 4;
    for (uint32_t i = 0; i < count; i++) {
        if (len - at < 4) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        uint32_t n = read_le32(pkt + at);
        at += 4;
        if (n > len - at) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        at += n;
    }
    *why = NULL;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_opus_tags_build(const char *vendor, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t vlen = strlen(vendor);
    if (vlen > UINT32_MAX || cap < 16 + vlen) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(out, "OpusTags", 8);
    write_le32(out + 8, (uint32_t)vlen);
    memcpy(out + 12, vendor, vlen);
    write_le32(out + 12 + vlen, 0);
    *out_len = 16 + vlen;
    return WEBRTC_STATUS_SUCCESS;
}
