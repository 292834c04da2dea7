/*
 * Unit tests for the built-in video capture (src/media/video_capture.c): the live test pattern
 * is real H.264 — decoded here with openh264's own decoder (ISVCDecoder) to the configured
 * size, successive pictures differ, SPS/PPS precede every IDR, the SPS says Constrained
 * Baseline at level 3.1 or below; IDRs come at start, on request and periodically; frames are
 * paced to real time (checked loosely); bad configurations fail with clear codes.
 * Small pictures keep the CPU use of the test low.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <wels/codec_api.h>

#include "media/annexb.h"
#include "media_stream.h"
#include "port/port.h"

#define W 160
#define H 120

typedef struct {
    ISVCDecoder *dec;
    uint8_t last_y[W * H];
    int pictures;
    int width, height;
    bool differs; /* the last picture differed from the one before */
} decoder_t;

static void decoder_open(decoder_t *d)
{
    memset(d, 0, sizeof(*d));
    assert_int_equal(WelsCreateDecoder(&d->dec), 0);
    SDecodingParam p;
    memset(&p, 0, sizeof(p));
    p.eEcActiveIdc = ERROR_CON_DISABLE;
    p.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
    assert_int_equal((*d->dec)->Initialize(d->dec, &p), 0);
}

static void decoder_close(decoder_t *d)
{
    (*d->dec)->Uninitialize(d->dec);
    WelsDestroyDecoder(d->dec);
}

/* Decodes one access unit; it must give exactly one picture. */
static void decode(decoder_t *d, const video_frame_t *f)
{
    uint8_t *planes[3] = {NULL, NULL, NULL};
    SBufferInfo info;
    memset(&info, 0, sizeof(info));
    DECODING_STATE s = (*d->dec)->DecodeFrameNoDelay(d->dec, f->buffer, (int)f->len, planes, &info);
    assert_int_equal(s, dsErrorFree);
    assert_int_equal(info.iBufferStatus, 1);
    d->width = info.UsrData.sSystemBuffer.iWidth;
    d->height = info.UsrData.sSystemBuffer.iHeight;
    assert_int_equal(d->width, W);
    assert_int_equal(d->height, H);
    int stride = info.UsrData.sSystemBuffer.iStride[0];
    uint8_t y[W * H];
    for (int r = 0; r < H; r++) {
        memcpy(y + r * W, planes[0] + (size_t)r * (size_t)stride, W);
    }
    d->differs = d->pictures == 0 || memcmp(y, d->last_y, sizeof(y)) != 0;
    memcpy(d->last_y, y, sizeof(y));
    d->pictures++;
}

typedef struct {
    bool sps, pps, idr, slice;
    uint8_t profile_idc, constraints, level_idc;
    bool sps_before_idr;
} au_info_t;

static au_info_t inspect(const video_frame_t *f)
{
    au_info_t a;
    memset(&a, 0, sizeof(a));
    size_t pos = 0;
    ertc_nal_t nal;
    bool seen_pps = false;
    while (ertc_annexb_next_nal(f->buffer, f->len, &pos, &nal)) {
        if (nal.type == ERTC_NAL_SPS && nal.len >= 4) {
            a.sps = true;
            a.profile_idc = nal.data[1];
            a.constraints = nal.data[2];
            a.level_idc = nal.data[3];
        }
        if (nal.type == ERTC_NAL_PPS) {
            a.pps = seen_pps = true;
        }
        if (nal.type == ERTC_NAL_IDR) {
            a.sps_before_idr = a.sps && seen_pps;
            a.idr = true;
        }
        a.slice |= nal.type == ERTC_NAL_SLICE;
    }
    return a;
}

static video_capture_handle_t open_testsrc(int w, int h, int fps, uint32_t key_ms)
{
    media_stream_source_config_t src = {.source = MEDIA_STREAM_SOURCE_TESTSRC,
                                        .key_interval_ms = key_ms};
    video_capture_config_t cfg = {
        .codec = VIDEO_CODEC_H264,
        .resolution = {.width = (uint16_t)w, .height = (uint16_t)h, .fps = (uint8_t)fps},
        .bitrate = 200,
        .codec_specific = &src,
    };
    video_capture_handle_t h_ = NULL;
    assert_int_equal(media_stream_get_video_capture_if()->init(&cfg, &h_), ESP_OK);
    assert_non_null(h_);
    return h_;
}

static video_frame_t *next_frame(video_capture_handle_t h)
{
    video_frame_t *f = NULL;
    assert_int_equal(media_stream_get_video_capture_if()->get_frame(h, &f, 1000), ESP_OK);
    assert_non_null(f);
    assert_true(f->len > 0);
    return f;
}

static void test_pattern_decodes_and_moves(void **state)
{
    (void)state;
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    video_capture_handle_t h = open_testsrc(W, H, 30, 0);
    video_frame_t *f = NULL;
    assert_int_equal(cap->get_frame(h, &f, 10), ESP_ERR_INVALID_STATE); /* not started */
    assert_int_equal(cap->start(h), ESP_OK);
    decoder_t d;
    decoder_open(&d);
    uint64_t last_ts = 0;
    for (int i = 0; i < 8; i++) {
        f = next_frame(h);
        au_info_t a = inspect(f);
        if (i == 0) {
            assert_int_equal(f->type, VIDEO_FRAME_TYPE_I);
            assert_true(a.idr && a.sps_before_idr);
            assert_int_equal(a.profile_idc, 66);      /* Baseline */
            assert_true((a.constraints & 0x40) != 0); /* constraint_set1: Constrained */
            assert_true(a.level_idc > 0 && a.level_idc <= 31);
        } else {
            assert_int_equal(f->type, VIDEO_FRAME_TYPE_P);
            assert_true(a.slice && !a.idr);
            assert_true(f->timestamp > last_ts);
            /* 33.3 ms apart on the schedule, whatever the sleeps did */
            assert_true(f->timestamp - last_ts >= 33000 && f->timestamp - last_ts <= 34000);
        }
        last_ts = f->timestamp;
        decode(&d, f);
        assert_true(d.differs);
        assert_int_equal(cap->release_frame(h, f), ESP_OK);
    }
    assert_int_equal(d.pictures, 8);
    decoder_close(&d);
    assert_int_equal(cap->stop(h), ESP_OK);
    assert_int_equal(cap->deinit(h), ESP_OK);
}

static void test_idr_on_request_and_periodic(void **state)
{
    (void)state;
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    /* 60 fps so the test is short; periodic IDR every 250 ms = 15 frames */
    video_capture_handle_t h = open_testsrc(W, H, 60, 250);
    assert_int_equal(cap->start(h), ESP_OK);
    decoder_t d;
    decoder_open(&d);
    int idr_at[8], idrs = 0;
    for (int i = 0; i < 40; i++) {
        if (i == 5) {
            assert_int_equal(cap->request_key_frame(h), ESP_OK);
        }
        video_frame_t *f = next_frame(h);
        au_info_t a = inspect(f);
        assert_int_equal(a.idr, f->type == VIDEO_FRAME_TYPE_I);
        if (a.idr) {
            assert_true(a.sps_before_idr);
            if (idrs < 8) {
                idr_at[idrs] = i;
            }
            idrs++;
        }
        decode(&d, f);
        cap->release_frame(h, f);
    }
    decoder_close(&d);
    /* frame 0 (start), 5 (request), then every 15 frames after the last: 20, 35 */
    assert_int_equal(idrs, 4);
    assert_int_equal(idr_at[0], 0);
    assert_int_equal(idr_at[1], 5);
    assert_int_equal(idr_at[2], 20);
    assert_int_equal(idr_at[3], 35);
    /* a restart begins with an IDR */
    cap->stop(h);
    cap->start(h);
    video_frame_t *f = next_frame(h);
    assert_int_equal(f->type, VIDEO_FRAME_TYPE_I);
    cap->release_frame(h, f);
    cap->deinit(h);
}

static void test_pacing(void **state)
{
    (void)state;
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    /* 10 fps: 100 ms between frames leaves room for a loaded machine */
    video_capture_handle_t h = open_testsrc(W, H, 10, 0);
    cap->start(h);
    video_frame_t *f = next_frame(h);
    cap->release_frame(h, f);
    /* the next frame is not due for 100 ms */
    assert_int_equal(cap->get_frame(h, &f, 0), ESP_ERR_TIMEOUT);
    assert_null(f);
    assert_int_equal(cap->get_frame(h, &f, 20), ESP_ERR_TIMEOUT);
    uint64_t t0 = ertc_time_mono_ms();
    int frames = 0;
    while (ertc_time_mono_ms() - t0 < 600) {
        if (cap->get_frame(h, &f, 50) == ESP_OK) {
            frames++;
            cap->release_frame(h, f);
        }
    }
    /* about 6 in 600 ms; loose bounds, this is not a timing benchmark */
    assert_in_range(frames, 3, 9);
    cap->deinit(h);
}

static void test_bitrate_and_several_outstanding(void **state)
{
    (void)state;
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    video_capture_handle_t h = open_testsrc(W, H, 60, 0);
    uint32_t kbps = 0;
    assert_int_equal(cap->get_bitrate(h, &kbps), ESP_OK);
    assert_int_equal(kbps, 200);
    assert_int_equal(cap->set_bitrate(h, 300), ESP_OK);
    assert_int_equal(cap->get_bitrate(h, &kbps), ESP_OK);
    assert_int_equal(kbps, 300);
    assert_int_equal(cap->set_bitrate(h, 1), ESP_ERR_INVALID_ARG);
    cap->start(h);
    video_frame_t *a = next_frame(h), *b = next_frame(h);
    assert_ptr_not_equal(a, b);
    assert_int_equal(cap->get_bitrate(h, &kbps), ESP_OK);
    assert_int_equal(kbps, 300);
    cap->release_frame(h, b);
    cap->release_frame(h, a);
    cap->deinit(h);
}

static esp_err_t init_with(video_capture_config_t *cfg)
{
    video_capture_handle_t h = NULL;
    esp_err_t err = media_stream_get_video_capture_if()->init(cfg, &h);
    if (err == ESP_OK) {
        media_stream_get_video_capture_if()->deinit(h);
    } else {
        assert_null(h);
    }
    return err;
}

static void test_bad_configs(void **state)
{
    (void)state;
    video_capture_config_t cfg = {.codec = VIDEO_CODEC_H264,
                                  .resolution = {.width = 1920, .height = 1080, .fps = 30}};
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG); /* beyond level 3.1 */
    cfg.resolution = (video_resolution_t){.width = 161, .height = 120, .fps = 30};
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG); /* odd width */
    cfg.resolution = (video_resolution_t){.width = 1280, .height = 720, .fps = 60};
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG); /* macroblock rate */
    cfg.resolution = (video_resolution_t){.width = W, .height = H, .fps = 30};
    cfg.codec = VIDEO_CODEC_MJPEG;
    assert_int_equal(init_with(&cfg), ESP_ERR_NOT_SUPPORTED);
    cfg.codec = VIDEO_CODEC_H264;
    media_stream_source_config_t src = {.source = MEDIA_STREAM_SOURCE_FILE};
    cfg.codec_specific = &src;
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG); /* FILE without a path */
    src.source = (media_stream_source_t)7;
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(media_stream_get_video_capture_if()->init(NULL, NULL), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_decodes_and_moves),
        cmocka_unit_test(test_idr_on_request_and_periodic),
        cmocka_unit_test(test_pacing),
        cmocka_unit_test(test_bitrate_and_several_outstanding),
        cmocka_unit_test(test_bad_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
