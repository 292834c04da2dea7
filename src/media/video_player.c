/*
 * media/video_player — the built-in video player behind media_stream_video_player_t: received
 * H.264 access units are counted, or written one after another as an Annex-B file that
 * ffplay/ffmpeg and openh264 play as it is.
 *
 * The file starts at the first key frame: frames before it reference pictures the file would
 * not hold. A frame is a key frame when the caller says so or when it holds an IDR slice.
 */
#include <string.h>

#include "media/annexb.h"
#include "media/player.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "vplay"

typedef struct {
    ertc_player_t base; /* first: media_stream_player_get_stats() reads it */
    bool seen_key;
} video_player_t;

static esp_err_t vplayer_deinit(video_player_handle_t handle);

static bool holds_idr(const uint8_t *data, size_t len)
{
    size_t pos = 0;
    ertc_nal_t nal;
    while (ertc_annexb_next_nal(data, len, &pos, &nal)) {
        if (nal.type == ERTC_NAL_IDR) {
            return true;
        }
    }
    return false;
}

static esp_err_t vplayer_init(video_player_config_t *config, video_player_handle_t *out)
{
    if (config == NULL || out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (config->codec != VIDEO_PLAYER_CODEC_H264) {
        ERTC_LOGE(TAG, "video player: only VIDEO_PLAYER_CODEC_H264 is built in");
        return ESP_ERR_NOT_SUPPORTED;
    }
    video_player_t *v = ertc_calloc(1, sizeof(*v));
    if (v == NULL) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = ertc_player_open(&v->base, config->codec_specific, "video");
    if (err != ESP_OK) {
        vplayer_deinit(v);
        return err;
    }
    *out = v;
    return ESP_OK;
}

static esp_err_t vplayer_set_started(video_player_handle_t handle, bool started)
{
    video_player_t *v = handle;
    if (v == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_player_set_started(&v->base, started);
    return ESP_OK;
}

static esp_err_t vplayer_start(video_player_handle_t handle)
{
    return vplayer_set_started(handle, true);
}

static esp_err_t vplayer_stop(video_player_handle_t handle)
{
    return vplayer_set_started(handle, false);
}

static esp_err_t vplayer_play(video_player_handle_t handle, const uint8_t *data, uint32_t len,
                              bool is_keyframe)
{
    video_player_t *v = handle;
    if (v == NULL || (data == NULL && len > 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    ertc_mutex_lock(v->base.lock);
    media_stream_player_stats_t *st = &v->base.stats;
    bool key = is_keyframe || holds_idr(data, len);
    if (!v->base.started) {
        err = ESP_ERR_INVALID_STATE;
    } else if (len == 0) {
        st->errors++;
        err = ESP_ERR_INVALID_SIZE;
    } else if (v->base.file != NULL && !v->seen_key && !key) {
        st->skipped++;
    } else if (v->base.file != NULL && !ertc_player_write(&v->base, data, len)) {
        err = ESP_FAIL;
    } else {
        v->seen_key |= key;
        st->frames++;
        st->bytes += len;
        st->key_frames += key;
    }
    ertc_mutex_unlock(v->base.lock);
    return err;
}

static esp_err_t vplayer_deinit(video_player_handle_t handle)
{
    video_player_t *v = handle;
    if (v == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (v->base.file != NULL) {
        ERTC_LOGI(TAG, "video file %s: %llu frames, %llu bytes (%llu skipped before a key frame)",
                  v->base.path, (unsigned long long)v->base.stats.frames,
                  (unsigned long long)v->base.stats.bytes,
                  (unsigned long long)v->base.stats.skipped);
    }
    ertc_player_close(&v->base);
    ertc_free(v);
    return ESP_OK;
}

static media_stream_video_player_t video_player_if = {
    .init = vplayer_init,
    .start = vplayer_start,
    .stop = vplayer_stop,
    .play_frame = vplayer_play,
    .deinit = vplayer_deinit,
};

media_stream_video_player_t *media_stream_get_video_player_if(void)
{
    return &video_player_if;
}
