/*
 * media/ogg_opus — the two header packets of an Ogg/Opus stream (RFC 7845 §5): the
 * identification header "OpusHead" and the comment header "OpusTags". Pure functions over
 * buffers; the parsers read untrusted files and check every length.
 */
#ifndef ERTC_MEDIA_OGG_OPUS_H
#define ERTC_MEDIA_OGG_OPUS_H

#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_OPUS_HEAD_LEN 19 /* with channel mapping family 0 */

typedef struct {
    uint8_t version;
    uint8_t channels;
    uint16_t pre_skip;   /* 48 kHz samples to drop at the start */
    uint32_t input_rate; /* informational only */
    int16_t output_gain; /* Q7.8 dB */
    uint8_t mapping_family;
} ertc_opus_head_t;

/* Parses an OpusHead packet; only what WebRTC can carry is accepted (mapping family 0, one or
 * two channels). INVALID_ARG with *why set otherwise. */
WEBRTC_STATUS ertc_opus_head_parse(const uint8_t *pkt, size_t len, ertc_opus_head_t *head,
                                   const char **why);
/* Writes a family-0 OpusHead (ERTC_OPUS_HEAD_LEN bytes). */
WEBRTC_STATUS ertc_opus_head_build(const ertc_opus_head_t *head, uint8_t *out, size_t cap,
                                   size_t *out_len);

/* Checks an OpusTags packet: magic, vendor string and comment list inside the packet. */
WEBRTC_STATUS ertc_opus_tags_check(const uint8_t *pkt, size_t len, const char **why);
/* Writes an OpusTags with the given vendor string and no comments. */
WEBRTC_STATUS ertc_opus_tags_build(const char *vendor, uint8_t *out, size_t cap, size_t *out_len);

#endif
