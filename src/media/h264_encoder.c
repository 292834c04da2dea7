/*
 * media/h264_encoder — openh264 wrapped for WebRTC senders (see h264_encoder.h).
 *
 * openh264 is used through its C vtable API (wels/codec_api.h). It writes each NAL with a
 * 4-byte start code and returns the NALs of one picture in one or more layers that lie one
 * after another; they are copied into one buffer so that the caller gets a single access
 * unit.
 */
#include "media/h264_encoder.h"

#include <string.h>

#include <wels/codec_api.h>

#include "media/annexb.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "h264enc"

#define MAX_PARAM_SET 256 /* SPS/PPS of a Baseline stream are a few dozen bytes */

struct ertc_h264_encoder {
    ISVCEncoder *codec;
    ertc_h264_encoder_config_t cfg;
    uint8_t *out;
    size_t out_cap;
    uint8_t sps[MAX_PARAM_SET + 4], pps[MAX_PARAM_SET + 4]; /* with start codes */
    size_t sps_len, pps_len;
};

static WEBRTC_STATUS check_config(const ertc_h264_encoder_config_t *cfg)
{
    if (cfg->width < 16 || cfg->height < 16 || cfg->width % 2 != 0 || cfg->height % 2 != 0 ||
        cfg->width > 4096 || cfg->height > 4096) {
        ERTC_LOGE(TAG, "video size %dx%d: width and height must be even and 16..4096", cfg->width,
                  cfg->height);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->fps < 1 || cfg->fps > 60) {
        ERTC_LOGE(TAG, "video frame rate %d: must be 1..60", cfg->fps);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    uint32_t mbs = (uint32_t)((cfg->width + 15) / 16) * (uint32_t)((cfg->height + 15) / 16);
    if (mbs > ERTC_H264_MAX_FRAME_MBS || mbs * (uint32_t)cfg->fps > ERTC_H264_MAX_MB_PER_SEC) {
        ERTC_LOGE(TAG,
                  "video %dx%d at %d fps is beyond H.264 level 3.1 (profile-level-id 42e01f): "
                  "at most %u macroblocks a frame and %u a second",
                  cfg->width, cfg->height, cfg->fps, ERTC_H264_MAX_FRAME_MBS,
                  ERTC_H264_MAX_MB_PER_SEC);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->bitrate_kbps < 16 || cfg->bitrate_kbps > 20000) {
        ERTC_LOGE(TAG, "video bitrate %u kbps: must be 16..20000", cfg->bitrate_kbps);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void fill_params(ISVCEncoder *codec, const ertc_h264_encoder_config_t *cfg, SEncParamExt *p)
{
    (*codec)->GetDefaultParams(codec, p);
    p->iUsageType = CAMERA_VIDEO_REAL_TIME;
    p->iPicWidth = cfg->width;
    p->iPicHeight = cfg->height;
    p->iTargetBitrate = (int)(cfg->bitrate_kbps * 1000u);
    p->iMaxBitrate = UNSPECIFIED_BIT_RATE;
    p->iRCMode = RC_BITRATE_MODE;
    p->fMaxFrameRate = (float)cfg->fps;
    p->iTemporalLayerNum = 1;
    p->iSpatialLayerNum = 1;
    p->iComplexityMode = LOW_COMPLEXITY;
    p->uiIntraPeriod = cfg->key_interval_frames;
    p->iNumRefFrame = 1;
    /* Constant ids: a receiver that joined late decodes with whatever SPS/PPS it saw last. */
    p->eSpsPpsIdStrategy = CONSTANT_ID;
    p->bPrefixNalAddingCtrl = false;
    p->bEnableSSEI = false;
    p->iEntropyCodingModeFlag = 0; /* CAVLC: Baseline has no CABAC */
    p->bEnableFrameSkip = false;   /* every picture yields a frame; the pacer owns timing */
    p->iMultipleThreadIdc = 1;
    p->bEnableDenoise = false;
    p->bEnableBackgroundDetection = true;
    p->bEnableAdaptiveQuant = true;
    p->bEnableFrameCroppingFlag = true;
    p->bEnableSceneChangeDetect = false; /* IDRs only when asked or periodic */
    p->bEnableLongTermReference = false;
    SSpatialLayerConfig *layer = &p->sSpatialLayers[0];
    layer->iVideoWidth = cfg->width;
    layer->iVideoHeight = cfg->height;
    layer->fFrameRate = (float)cfg->fps;
    layer->iSpatialBitrate = p->iTargetBitrate;
    layer->iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
    layer->uiProfileIdc = PRO_BASELINE;
    layer->uiLevelIdc = LEVEL_3_1;
    layer->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
}

WEBRTC_STATUS ertc_h264_encoder_create(ertc_h264_encoder_t **out,
                                       const ertc_h264_encoder_config_t *cfg)
{
    *out = NULL;
    WEBRTC_STATUS st = check_config(cfg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_h264_encoder_t *enc = ertc_calloc(1, sizeof(*enc));
    if (enc == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    enc->cfg = *cfg;
    if (WelsCreateSVCEncoder(&enc->codec) != 0 || enc->codec == NULL) {
        ERTC_LOGE(TAG, "openh264: cannot create an encoder");
        ertc_free(enc);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    int trace = WELS_LOG_QUIET;
    (*enc->codec)->SetOption(enc->codec, ENCODER_OPTION_TRACE_LEVEL, &trace);
    SEncParamExt params;
    fill_params(enc->codec, cfg, &params);
    int rc = (*enc->codec)->InitializeExt(enc->codec, &params);
    if (rc != 0) {
        ERTC_LOGE(TAG, "openh264: InitializeExt failed (%d) for %dx%d@%d %u kbps", rc, cfg->width,
                  cfg->height, cfg->fps, cfg->bitrate_kbps);
        WelsDestroySVCEncoder(enc->codec);
        ertc_free(enc);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    int format = videoFormatI420;
    (*enc->codec)->SetOption(enc->codec, ENCODER_OPTION_DATAFORMAT, &format);
    ERTC_LOGI(TAG, "H.264 encoder: %dx%d at %d fps, %u kbps", cfg->width, cfg->height, cfg->fps,
              cfg->bitrate_kbps);
    *out = enc;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_h264_encoder_destroy(ertc_h264_encoder_t *enc)
{
    if (enc == NULL) {
        return;
    }
    (*enc->codec)->Uninitialize(enc->codec);
    WelsDestroySVCEncoder(enc->codec);
    ertc_free(enc->out);
    ertc_free(enc);
}

static WEBRTC_STATUS reserve(ertc_h264_encoder_t *enc, size_t need)
{
    if (need <= enc->out_cap) {
        return WEBRTC_STATUS_SUCCESS;
    }
    size_t cap = need + need / 2 + 1024;
    uint8_t *p = ertc_realloc(enc->out, cap);
    if (p == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    enc->out = p;
    enc->out_cap = cap;
    return WEBRTC_STATUS_SUCCESS;
}

/* Remembers the parameter sets of this access unit; tells whether it had both. */
static bool keep_parameter_sets(ertc_h264_encoder_t *enc, const uint8_t *au, size_t len)
{
    bool sps = false, pps = false;
    size_t pos = 0;
    ertc_nal_t nal;
    while (ertc_annexb_next_nal(au, len, &pos, &nal)) {
        if ((nal.type != ERTC_NAL_SPS && nal.type != ERTC_NAL_PPS) || nal.len > MAX_PARAM_SET) {
            continue;
        }
        uint8_t *dst = nal.type == ERTC_NAL_SPS ? enc->sps : enc->pps;
        memcpy(dst, "\x00\x00\x00\x01", 4);
        memcpy(dst + 4, nal.data, nal.len);
        if (nal.type == ERTC_NAL_SPS) {
            enc->sps_len = nal.len + 4;
            sps = true;
        } else {
            enc->pps_len = nal.len + 4;
            pps = true;
        }
    }
    return sps && pps;
}

WEBRTC_STATUS ertc_h264_encoder_encode(ertc_h264_encoder_t *enc, const ertc_i420_t *img,
                                       uint64_t timestamp_ms, bool force_idr, const uint8_t **au,
                                       size_t *au_len, bool *is_idr)
{
    if (img->width != enc->cfg.width || img->height != enc->cfg.height) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (force_idr) {
        (*enc->codec)->ForceIntraFrame(enc->codec, true);
    }
    SSourcePicture pic;
    memset(&pic, 0, sizeof(pic));
    pic.iColorFormat = videoFormatI420;
    pic.iPicWidth = img->width;
    pic.iPicHeight = img->height;
    pic.iStride[0] = img->width;
    pic.iStride[1] = pic.iStride[2] = img->width / 2;
    pic.pData[0] = img->y;
    pic.pData[1] = img->u;
    pic.pData[2] = img->v;
    pic.uiTimeStamp = (long long)timestamp_ms;
    SFrameBSInfo info;
    memset(&info, 0, sizeof(info));
    int rc = (*enc->codec)->EncodeFrame(enc->codec, &pic, &info);
    if (rc != cmResultSuccess) {
        ERTC_LOGE(TAG, "openh264: EncodeFrame failed (%d)", rc);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    size_t total = 0;
    for (int l = 0; l < info.iLayerNum; l++) {
        for (int n = 0; n < info.sLayerInfo[l].iNalCount; n++) {
            total += (size_t)info.sLayerInfo[l].pNalLengthInByte[n];
        }
    }
    WEBRTC_STATUS st = reserve(enc, total + sizeof(enc->sps) + sizeof(enc->pps));
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    size_t at = 0;
    for (int l = 0; l < info.iLayerNum; l++) {
        size_t layer_len = 0;
        for (int n = 0; n < info.sLayerInfo[l].iNalCount; n++) {
            layer_len += (size_t)info.sLayerInfo[l].pNalLengthInByte[n];
        }
        memcpy(enc->out + at, info.sLayerInfo[l].pBsBuf, layer_len);
        at += layer_len;
    }
    bool idr = info.eFrameType == videoFrameTypeIDR;
    if (idr && !keep_parameter_sets(enc, enc->out, at) && enc->sps_len > 0 && enc->pps_len > 0) {
        memmove(enc->out + enc->sps_len + enc->pps_len, enc->out, at);
        memcpy(enc->out, enc->sps, enc->sps_len);
        memcpy(enc->out + enc->sps_len, enc->pps, enc->pps_len);
        at += enc->sps_len + enc->pps_len;
    }
    *au = enc->out;
    *au_len = at;
    *is_idr = idr;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_h264_encoder_set_bitrate(ertc_h264_encoder_t *enc, uint32_t kbps)
{
    if (kbps < 16 || kbps > 20000) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    SBitrateInfo info;
    memset(&info, 0, sizeof(info));
    info.iLayer = SPATIAL_LAYER_ALL;
    info.iBitrate = (int)(kbps * 1000u);
    if ((*enc->codec)->SetOption(enc->codec, ENCODER_OPTION_BITRATE, &info) != 0) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    enc->cfg.bitrate_kbps = kbps;
    return WEBRTC_STATUS_SUCCESS;
}
