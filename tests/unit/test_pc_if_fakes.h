/*
 * test_pc_if_fakes.h — the media tables test_pc_if.c streams with (included once, by it): a
 * camera making small Annex-B access units every 20 ms (SPS+PPS+IDR first, later IDRs alone,
 * on request_key_frame), a microphone making an Opus-sized packet every 20 ms, and a video
 * player and speaker that count what they are given and check the first frame.
 */
#ifndef TEST_PC_IF_FAKES_H
#define TEST_PC_IF_FAKES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "media_stream.h"
#include "peer/media_pump.h"
#include "port/port.h"

#define IDR_LEN 3000 /* FU-A fragmented */
#define P_LEN   300

/* ---- the camera -------------------------------------------------------------------------- */

typedef struct {
    ertc_mutex_t *lock;
    int frame_no;
    int key_requests;
    bool next_is_key;
    uint64_t next_due_ms;
    uint8_t buf[IDR_LEN + 64];
    video_frame_t vf;
} cam_t;

static cam_t cam;

static esp_err_t cam_init(video_capture_config_t *config, video_capture_handle_t *h)
{
    (void)config;
    *h = &cam;
    return ESP_OK;
}
static esp_err_t cam_nop(video_capture_handle_t h)
{
    (void)h;
    return ESP_OK;
}

static size_t put_nal(uint8_t *p, uint8_t header, size_t len)
{
    static const uint8_t sc[4] = {0, 0, 0, 1};
    memcpy(p, sc, 4);
    p[4] = header;
    memset(p + 5, 0x2a, len - 1);
    return 4 + len;
}

/* One access unit every 20 ms: SPS+PPS+IDR first, later IDRs (on request) alone. */
static esp_err_t cam_get_frame(video_capture_handle_t h, video_frame_t **out, uint32_t wait_ms)
{
    (void)h;
    uint64_t now = ertc_time_mono_ms();
    if (now < cam.next_due_ms) {
        uint64_t gap = cam.next_due_ms - now;
        ertc_sleep_ms((uint32_t)(gap < wait_ms ? gap : wait_ms));
        return ESP_ERR_TIMEOUT;
    }
    cam.next_due_ms = now + 20;
    ertc_mutex_lock(cam.lock);
    bool key = cam.frame_no == 0 || cam.next_is_key;
    cam.next_is_key = false;
    int no = cam.frame_no++;
    ertc_mutex_unlock(cam.lock);
    size_t n = 0;
    if (no == 0) {
        n += put_nal(cam.buf + n, 0x67, 12);
        n += put_nal(cam.buf + n, 0x68, 4);
    }
    n += put_nal(cam.buf + n, key ? 0x65 : 0x41, key ? IDR_LEN : P_LEN);
    cam.vf = (video_frame_t){.buffer = cam.buf,
                             .len = (uint32_t)n,
                             .timestamp = (uint64_t)no * 20000,
                             .type = key ? VIDEO_FRAME_TYPE_I : VIDEO_FRAME_TYPE_P};
    *out = &cam.vf;
    return ESP_OK;
}
static esp_err_t cam_release(video_capture_handle_t h, video_frame_t *f)
{
    (void)h;
    (void)f;
    return ESP_OK;
}
static esp_err_t cam_request_key(video_capture_handle_t h)
{
    (void)h;
    ertc_mutex_lock(cam.lock);
    cam.key_requests++;
    cam.next_is_key = true;
    ertc_mutex_unlock(cam.lock);
    return ESP_OK;
}

static media_stream_video_capture_t cam_if = {
    .init = cam_init,
    .start = cam_nop,
    .stop = cam_nop,
    .get_frame = cam_get_frame,
    .release_frame = cam_release,
    .deinit = cam_nop,
    .request_key_frame = cam_request_key,
};

/* ---- the microphone: an Opus-sized packet every 20 ms ---------------------------------- */

typedef struct {
    uint64_t next_due_ms;
    int packets;
    uint8_t buf[80];
    audio_frame_t af;
} mic_t;

static mic_t mic;

static esp_err_t mic_init(audio_capture_config_t *config, audio_capture_handle_t *h)
{
    assert_int_equal(config->codec, AUDIO_CODEC_OPUS);
    *h = &mic;
    return ESP_OK;
}
static esp_err_t mic_nop(audio_capture_handle_t h)
{
    (void)h;
    return ESP_OK;
}
static esp_err_t mic_get_frame(audio_capture_handle_t h, audio_frame_t **out, uint32_t wait_ms)
{
    (void)h;
    uint64_t now = ertc_time_mono_ms();
    if (now < mic.next_due_ms) {
        uint64_t gap = mic.next_due_ms - now;
        ertc_sleep_ms((uint32_t)(gap < wait_ms ? gap : wait_ms));
        return ESP_ERR_TIMEOUT;
    }
    mic.next_due_ms = now + 20;
    memset(mic.buf, 0x33, sizeof(mic.buf));
    mic.buf[0] = 0xfc; /* TOC: CELT FB 20 ms, one frame */
    mic.af = (audio_frame_t){
        .buffer = mic.buf, .len = sizeof(mic.buf), .timestamp = (uint64_t)mic.packets * 20000};
    mic.packets++;
    *out = &mic.af;
    return ESP_OK;
}
static esp_err_t mic_release(audio_capture_handle_t h, audio_frame_t *f)
{
    (void)h;
    (void)f;
    return ESP_OK;
}

static media_stream_audio_capture_t mic_if = {
    .init = mic_init,
    .start = mic_nop,
    .stop = mic_nop,
    .get_frame = mic_get_frame,
    .release_frame = mic_release,
    .deinit = mic_nop,
};

static int speaker_packets;
static bool real_sources; /* the media module's test pattern and tone instead of the fakes */
static bool trickle = true;

static esp_err_t speaker_init(audio_player_config_t *config, audio_player_handle_t *h)
{
    assert_int_equal(config->codec, AUDIO_PLAYER_CODEC_OPUS);
    *h = &speaker_packets;
    return ESP_OK;
}
static esp_err_t speaker_nop(audio_player_handle_t h)
{
    (void)h;
    return ESP_OK;
}
static esp_err_t speaker_play(audio_player_handle_t h, const uint8_t *data, uint32_t len)
{
    (void)h;
    if (!real_sources) {
        assert_int_equal(len, sizeof(mic.buf));
        assert_int_equal(data[0], 0xfc);
    }
    speaker_packets++;
    return ESP_OK;
}

static media_stream_audio_player_t speaker_if = {
    .init = speaker_init,
    .start = speaker_nop,
    .stop = speaker_nop,
    .play_frame = speaker_play,
    .deinit = speaker_nop,
};

/* ---- the player -------------------------------------------------------------------------- */

typedef struct {
    int inits, deinits;
    int frames;
    int keys;
    bool first_is_key;
    bool first_has_param_sets;
} player_t;

static player_t player;

static esp_err_t player_init(video_player_config_t *config, video_player_handle_t *h)
{
    assert_int_equal(config->codec, VIDEO_PLAYER_CODEC_H264);
    player.inits++;
    *h = &player;
    return ESP_OK;
}
static esp_err_t player_nop(video_player_handle_t h)
{
    (void)h;
    return ESP_OK;
}
static esp_err_t player_deinit(video_player_handle_t h)
{
    (void)h;
    player.deinits++;
    return ESP_OK;
}
static esp_err_t player_play(video_player_handle_t h, const uint8_t *data, uint32_t len, bool key)
{
    (void)h;
    if (player.frames == 0) {
        uint32_t types = ertc_media_pump_nal_types(data, len);
        player.first_is_key = key;
        player.first_has_param_sets =
            (types & (1u << 7)) && (types & (1u << 8)) && (types & (1u << 5));
    }
    player.keys += key ? 1 : 0;
    player.frames++;
    return ESP_OK;
}

static media_stream_video_player_t player_if = {
    .init = player_init,
    .start = player_nop,
    .stop = player_nop,
    .play_frame = player_play,
    .deinit = player_deinit,
};

#endif
