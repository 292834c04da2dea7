/*
 * media/h264_encoder — openh264 set up for WebRTC: Constrained Baseline (CAVLC, no B frames,
 * one slice, one spatial and temporal layer), level 3.1 at most so that the stream fits the
 * profile-level-id 42e01f that browsers offer, constant SPS/PPS ids, rate control on bitrate
 * without frame skipping, one encoder thread. Output is one Annex-B access unit per picture;
 * an IDR always carries SPS and PPS in front (added from the last ones seen if the encoder
 * left them out).
 */
#ifndef ERTC_MEDIA_H264_ENCODER_H
#define ERTC_MEDIA_H264_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/test_pattern.h"
#include "webrtc_status.h"

/* Level 3.1 limits (H.264 Table A-1): frame size and macroblock rate. */
#define ERTC_H264_MAX_FRAME_MBS  3600u
#define ERTC_H264_MAX_MB_PER_SEC 108000u

typedef struct {
    int width, height; /* even, at least 16 */
    int fps;           /* 1..60 */
    uint32_t bitrate_kbps;
    uint32_t key_interval_frames; /* periodic IDR; 0 = only on request */
} ertc_h264_encoder_config_t;

typedef struct ertc_h264_encoder ertc_h264_encoder_t;

/* INVALID_ARG (logged) for a size or rate outside level 3.1 or the limits above. */
WEBRTC_STATUS ertc_h264_encoder_create(ertc_h264_encoder_t **out,
                                       const ertc_h264_encoder_config_t *cfg);
void ertc_h264_encoder_destroy(ertc_h264_encoder_t *enc);

/* Encodes one picture; *au (owned by the encoder, valid until the next call) is the access
 * unit, *is_idr whether it is an IDR. force_idr makes this picture an IDR. */
WEBRTC_STATUS ertc_h264_encoder_encode(ertc_h264_encoder_t *enc, const ertc_i420_t *img,
                                       uint64_t timestamp_ms, bool force_idr, const uint8_t **au,
                                       size_t *au_len, bool *is_idr);

WEBRTC_STATUS ertc_h264_encoder_set_bitrate(ertc_h264_encoder_t *enc, uint32_t kbps);

#endif
