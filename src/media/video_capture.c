/*
 * media/video_capture — the built-in video captures behind media_stream_video_capture_t:
 * the live test pattern encoded with openh264, and H.264 Annex-B files (media_stream.h says
 * which config selects which).
 *
 * Threads: get_frame runs on the caller's media thread and does all the work there (draw,
 * encode or index a file, sleep until due), so the capture has no thread of its own.
 * request_key_frame and set_bitrate only set atomics that the next get_frame applies, so any
 * thread may call them while a get_frame is in progress. start/stop/deinit must not race
 * with get_frame (app_webrtc stops its media thread first).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "media/annexb.h"
#include "media/file_paths.h"
#include "media/h264_encoder.h"
#include "media/media_file.h"
#include "media/pacer.h"
#include "media/test_pattern.h"
#include "media_stream.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "vcap"

#define DEFAULT_WIDTH           640
#define DEFAULT_HEIGHT          480
#define DEFAULT_FPS             30
#define DEFAULT_BITRATE_KBPS    800
#define DEFAULT_KEY_INTERVAL_MS 2000
#define PATH_MAX_LEN            1024

typedef struct {
    bool file_mode;
    int fps;
    uint64_t frame_us;
    atomic_bool started;
    atomic_bool key_requested;
    atomic_uint bitrate_request; /* kbps; 0 = none */
    ertc_media_pacer_t pacer;
    uint64_t frame_no;

    /* test pattern */
    ertc_h264_encoder_t *encoder;
    uint32_t bitrate_kbps;
    uint64_t key_interval_us;
    uint64_t last_idr_us;
    bool need_idr;
    uint8_t *planes;
    ertc_i420_t img;

    /* file */
    char path[PATH_MAX_LEN];
    uint8_t *file;
    size_t file_len;
    size_t pos; /* of the next access unit: units are cut as they are played, no index */
    bool at_eof;
    bool stop_at_eof;
} video_source_t;

static esp_err_t make_frame(const uint8_t *data, size_t len, uint64_t ts, bool key,
                            video_frame_t **out)
{
    /* one block: the frame header, then its bytes */
    size_t head = (sizeof(video_frame_t) + 15u) & ~(size_t)15u;
    if (len > UINT32_MAX - head) {
        return ESP_ERR_INVALID_SIZE;
    }
    uint8_t *block = ertc_malloc(head + len);
    if (block == NULL) {
        return ESP_ERR_NO_MEM;
    }
    video_frame_t *f = (video_frame_t *)(void *)block;
    f->buffer = block + head;
    memcpy(f->buffer, data, len);
    f->len = (uint32_t)len;
    f->timestamp = ts;
    f->type = key ? VIDEO_FRAME_TYPE_I : VIDEO_FRAME_TYPE_P;
    *out = f;
    return ESP_OK;
}

static esp_err_t open_test_pattern(video_source_t *s, const video_capture_config_t *config,
                                   const media_stream_source_config_t *opts)
{
    int width = config->resolution.width ? config->resolution.width : DEFAULT_WIDTH;
    int height = config->resolution.height ? config->resolution.height : DEFAULT_HEIGHT;
    s->bitrate_kbps = config->bitrate ? config->bitrate : DEFAULT_BITRATE_KBPS;
    uint32_t key_ms =
        opts != NULL && opts->key_interval_ms ? opts->key_interval_ms : DEFAULT_KEY_INTERVAL_MS;
    s->key_interval_us = (uint64_t)key_ms * 1000u;
    ertc_h264_encoder_config_t ec = {
        .width = width,
        .height = height,
        .fps = s->fps,
        .bitrate_kbps = s->bitrate_kbps,
        .key_interval_frames = 0, /* IDRs are forced here, on a clock */
    };
    WEBRTC_STATUS st = ertc_h264_encoder_create(&s->encoder, &ec);
    if (st == WEBRTC_STATUS_INVALID_ARG) {
        return ESP_ERR_INVALID_ARG;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st == WEBRTC_STATUS_NOT_ENOUGH_MEMORY ? ESP_ERR_NO_MEM : ESP_FAIL;
    }
    size_t luma = (size_t)width * (size_t)height;
    s->planes = ertc_malloc(luma + luma / 2);
    if (s->planes == NULL) {
        return ESP_ERR_NO_MEM;
    }
    s->img.y = s->planes;
    s->img.u = s->planes + luma;
    s->img.v = s->img.u + luma / 4;
    s->img.width = width;
    s->img.height = height;
    return ESP_OK;
}

static esp_err_t open_file(video_source_t *s)
{
    esp_err_t err = ertc_media_file_read(s->path, &s->file, &s->file_len);
    if (err != ESP_OK) {
        return err;
    }
    /* One pass to check the file and say what it holds; playing cuts the units again, so
     * memory does not grow with the number of frames. */
    size_t pos = 0, count = 0, idr = 0;
    ertc_access_unit_t au;
    while (ertc_annexb_next_au(s->file, s->file_len, &pos, &au)) {
        count++;
        idr += au.has_idr;
    }
    if (count == 0) {
        ERTC_LOGE(TAG, "video file %s: no H.264 start code (not an Annex-B stream)", s->path);
        return ESP_ERR_INVALID_ARG;
    }
    if (idr == 0) {
        ERTC_LOGW(TAG, "video file %s has no IDR frame: a receiver may never decode it", s->path);
    }
    ERTC_LOGI(TAG, "video file %s: %zu frames (%zu IDR) at %d fps", s->path, count, idr, s->fps);
    return ESP_OK;
}

static esp_err_t video_deinit(video_capture_handle_t handle);

static esp_err_t video_init_common(video_capture_config_t *config, video_capture_handle_t *out,
                                   bool file_by_default)
{
    if (config == NULL || out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (config->codec != VIDEO_CODEC_H264) {
        ERTC_LOGE(TAG, "video capture: only VIDEO_CODEC_H264 is built in");
        return ESP_ERR_NOT_SUPPORTED;
    }
    const media_stream_source_config_t *opts = config->codec_specific;
    video_source_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return ESP_ERR_NO_MEM;
    }
    s->fps = config->resolution.fps ? config->resolution.fps : DEFAULT_FPS;
    s->frame_us = 1000000u / (uint64_t)s->fps;
    s->file_mode = opts != NULL ? opts->source == MEDIA_STREAM_SOURCE_FILE : file_by_default;
    esp_err_t err = ESP_OK;
    if (s->file_mode) {
        s->stop_at_eof = opts != NULL && opts->stop_at_eof;
        err = ertc_media_source_file_path(opts, file_by_default, true, s->path, sizeof(s->path));
        if (err == ESP_OK) {
            err = open_file(s);
        }
    } else if (opts != NULL && opts->source != MEDIA_STREAM_SOURCE_TESTSRC) {
        ERTC_LOGE(TAG, "video capture: unknown source %d", (int)opts->source);
        err = ESP_ERR_INVALID_ARG;
    } else {
        err = open_test_pattern(s, config, opts);
    }
    if (err != ESP_OK) {
        video_deinit(s);
        return err;
    }
    *out = s;
    return ESP_OK;
}

static esp_err_t video_init(video_capture_config_t *config, video_capture_handle_t *out)
{
    return video_init_common(config, out, false);
}

static esp_err_t video_init_file(video_capture_config_t *config, video_capture_handle_t *out)
{
    return video_init_common(config, out, true);
}

static esp_err_t video_start(video_capture_handle_t handle)
{
    video_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_media_pacer_start(&s->pacer);
    /* A new start is a new stream for whoever receives it: begin with an IDR (for a file,
     * skip ahead to one). */
    s->need_idr = true;
    atomic_store(&s->key_requested, s->file_mode);
    atomic_store(&s->started, true);
    return ESP_OK;
}

static esp_err_t video_stop(video_capture_handle_t handle)
{
    video_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store(&s->started, false);
    return ESP_OK;
}

static esp_err_t encode_test_frame(video_source_t *s, uint64_t due_us, video_frame_t **frame)
{
    unsigned kbps = atomic_exchange(&s->bitrate_request, 0u);
    if (kbps != 0 && ertc_h264_encoder_set_bitrate(s->encoder, kbps) == WEBRTC_STATUS_SUCCESS) {
        s->bitrate_kbps = kbps;
    }
    bool idr = atomic_exchange(&s->key_requested, false) || s->need_idr ||
               due_us - s->last_idr_us + s->frame_us / 2 >= s->key_interval_us;
    ertc_test_pattern_draw(&s->img, s->frame_no, ertc_time_wall_ms());
    const uint8_t *au = NULL;
    size_t len = 0;
    bool is_idr = false;
    WEBRTC_STATUS st =
        ertc_h264_encoder_encode(s->encoder, &s->img, due_us / 1000u, idr, &au, &len, &is_idr);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return ESP_FAIL;
    }
    if (is_idr) {
        s->last_idr_us = due_us;
        s->need_idr = false;
    }
    return make_frame(au, len, due_us, is_idr, frame);
}

/* The next access unit, from the start again at the end unless stop_at_eof. */
static bool next_unit(video_source_t *s, ertc_access_unit_t *au)
{
    if (ertc_annexb_next_au(s->file, s->file_len, &s->pos, au)) {
        return true;
    }
    if (s->stop_at_eof) {
        s->at_eof = true;
        return false;
    }
    s->pos = 0;
    return ertc_annexb_next_au(s->file, s->file_len, &s->pos, au);
}

static esp_err_t read_file_frame(video_source_t *s, uint64_t due_us, video_frame_t **frame)
{
    ertc_access_unit_t au;
    if (!next_unit(s, &au)) {
        return ESP_ERR_NOT_FOUND;
    }
    if (atomic_exchange(&s->key_requested, false) && !au.has_idr) {
        /* skip ahead to the next IDR, at most once around the file */
        size_t start = au.offset;
        ertc_access_unit_t probe = au;
        while (next_unit(s, &probe) && !probe.has_idr && probe.offset != start) {
        }
        if (probe.has_idr) {
            au = probe;
        } else if (s->at_eof) {
            return ESP_ERR_NOT_FOUND;
        }
    }
    return make_frame(s->file + au.offset, au.len, due_us, au.has_idr, frame);
}

static esp_err_t video_get_frame(video_capture_handle_t handle, video_frame_t **frame,
                                 uint32_t wait_ms)
{
    video_source_t *s = handle;
    if (s == NULL || frame == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *frame = NULL;
    if (!atomic_load(&s->started)) {
        return ESP_ERR_INVALID_STATE;
    }
    if (s->file_mode && s->at_eof) {
        return ESP_ERR_NOT_FOUND;
    }
    uint64_t due_us = 0;
    if (!ertc_media_pacer_wait(&s->pacer, wait_ms, &due_us)) {
        return ESP_ERR_TIMEOUT;
    }
    esp_err_t err =
        s->file_mode ? read_file_frame(s, due_us, frame) : encode_test_frame(s, due_us, frame);
    if (err == ESP_OK) {
        ertc_media_pacer_advance(&s->pacer, s->frame_us);
        s->frame_no++;
    }
    return err;
}

static esp_err_t video_release_frame(video_capture_handle_t handle, video_frame_t *frame)
{
    (void)handle;
    ertc_free(frame); /* the header and the bytes are one block */
    return ESP_OK;
}

static esp_err_t video_deinit(video_capture_handle_t handle)
{
    video_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_h264_encoder_destroy(s->encoder);
    ertc_free(s->planes);
    ertc_free(s->file);
    ertc_free(s);
    return ESP_OK;
}

static esp_err_t video_set_bitrate(video_capture_handle_t handle, uint32_t kbps)
{
    video_source_t *s = handle;
    if (s == NULL || kbps < 16 || kbps > 20000) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s->file_mode) {
        return ESP_ERR_NOT_SUPPORTED; /* a file has the bitrate it was encoded with */
    }
    atomic_store(&s->bitrate_request, kbps);
    return ESP_OK;
}

static esp_err_t video_get_bitrate(video_capture_handle_t handle, uint32_t *kbps)
{
    video_source_t *s = handle;
    if (s == NULL || kbps == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s->file_mode) {
        return ESP_ERR_NOT_SUPPORTED;
    }
    unsigned pending = atomic_load(&s->bitrate_request);
    *kbps = pending != 0 ? pending : s->bitrate_kbps;
    return ESP_OK;
}

static esp_err_t video_request_key_frame(video_capture_handle_t handle)
{
    video_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store(&s->key_requested, true);
    return ESP_OK;
}

static media_stream_video_capture_t video_capture_if = {
    .init = video_init,
    .start = video_start,
    .stop = video_stop,
    .get_frame = video_get_frame,
    .release_frame = video_release_frame,
    .deinit = video_deinit,
    .set_bitrate = video_set_bitrate,
    .get_bitrate = video_get_bitrate,
    .request_key_frame = video_request_key_frame,
};

static media_stream_video_capture_t file_video_capture_if = {
    .init = video_init_file,
    .start = video_start,
    .stop = video_stop,
    .get_frame = video_get_frame,
    .release_frame = video_release_frame,
    .deinit = video_deinit,
    .set_bitrate = video_set_bitrate,
    .get_bitrate = video_get_bitrate,
    .request_key_frame = video_request_key_frame,
};

media_stream_video_capture_t *media_stream_get_video_capture_if(void)
{
    return &video_capture_if;
}

media_stream_video_capture_t *media_stream_get_file_video_capture_if(void)
{
    return &file_video_capture_if;
}
