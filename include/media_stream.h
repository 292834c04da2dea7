/*
 * media_stream.h — where frames come from and where received frames go.
 *
 * Four small interfaces (tables of functions): video capture, audio capture, video player,
 * audio player. app_webrtc pulls encoded frames from the captures (H.264 Annex-B access
 * units, Opus packets) and pushes received frames into the players. A device plugs in its
 * camera and microphone by providing its own tables; edgertc's media module provides a live
 * test pattern, a tone, file sources and file/counting sinks through the
 * media_stream_get_*_if() getters. Types and names are the ESP port's media_stream component.
 *
 * Threads: get_frame is called on a media thread of app_webrtc's and may block up to wait_ms;
 * play_frame is called on app_webrtc's loop thread and must not block.
 */
#ifndef MEDIA_STREAM_H
#define MEDIA_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- video capture ---------------------------------------------------------------------- */
typedef enum { VIDEO_CODEC_H264, VIDEO_CODEC_MJPEG, VIDEO_CODEC_RAW } video_codec_type_t;

typedef struct {
    uint16_t width;
    uint16_t height;
    uint8_t fps;
} video_resolution_t;

typedef enum {
    VIDEO_FRAME_TYPE_I, /* a key frame (IDR), preceded by SPS and PPS */
    VIDEO_FRAME_TYPE_P,
    VIDEO_FRAME_TYPE_B,
    VIDEO_FRAME_TYPE_OTHER,
} video_frame_type_t;

typedef struct {
    video_codec_type_t codec;
    video_resolution_t resolution;
    uint8_t quality;      /* 0-100 */
    uint32_t bitrate;     /* kbps */
    void *codec_specific; /* source-specific options (e.g. a file path), or NULL */
} video_capture_config_t;

typedef struct {
    uint8_t *buffer; /* one access unit, Annex-B start codes included */
    uint32_t len;
    uint64_t timestamp; /* microseconds */
    video_frame_type_t type;
} video_frame_t;

typedef void *video_capture_handle_t;

typedef struct {
    esp_err_t (*init)(video_capture_config_t *config, video_capture_handle_t *ret_handle);
    esp_err_t (*start)(video_capture_handle_t handle);
    esp_err_t (*stop)(video_capture_handle_t handle);
    /* ESP_ERR_TIMEOUT when no frame came within wait_ms (0 = do not wait). */
    esp_err_t (*get_frame)(video_capture_handle_t handle, video_frame_t **frame, uint32_t wait_ms);
    esp_err_t (*release_frame)(video_capture_handle_t handle, video_frame_t *frame);
    esp_err_t (*deinit)(video_capture_handle_t handle);
    /* Optional (may be NULL): the next frames target this bitrate; ask for a key frame. */
    esp_err_t (*set_bitrate)(video_capture_handle_t handle, uint32_t bitrate_kbps);
    esp_err_t (*get_bitrate)(video_capture_handle_t handle, uint32_t *bitrate_kbps);
    esp_err_t (*request_key_frame)(video_capture_handle_t handle); /* edgertc addition */
} media_stream_video_capture_t;

/* ---- audio capture ---------------------------------------------------------------------- */
typedef enum { AUDIO_CODEC_OPUS, AUDIO_CODEC_PCM, AUDIO_CODEC_AAC } audio_codec_type_t;

typedef struct {
    uint32_t sample_rate;
    uint8_t channels;
    uint16_t bits_per_sample;
} audio_format_t;

typedef struct {
    audio_codec_type_t codec;
    audio_format_t format;
    uint32_t bitrate; /* kbps */
    uint16_t frame_duration_ms;
    void *codec_specific;
} audio_capture_config_t;

typedef struct {
    uint8_t *buffer; /* one Opus packet */
    uint32_t len;
    uint64_t timestamp; /* microseconds */
} audio_frame_t;

typedef void *audio_capture_handle_t;

typedef struct {
    esp_err_t (*init)(audio_capture_config_t *config, audio_capture_handle_t *ret_handle);
    esp_err_t (*start)(audio_capture_handle_t handle);
    esp_err_t (*stop)(audio_capture_handle_t handle);
    esp_err_t (*get_frame)(audio_capture_handle_t handle, audio_frame_t **frame, uint32_t wait_ms);
    esp_err_t (*release_frame)(audio_capture_handle_t handle, audio_frame_t *frame);
    esp_err_t (*deinit)(audio_capture_handle_t handle);
} media_stream_audio_capture_t;

/* ---- video player ----------------------------------------------------------------------- */
typedef enum { VIDEO_PLAYER_CODEC_H264, VIDEO_PLAYER_CODEC_MJPEG } video_player_codec_t;

typedef struct {
    uint16_t width;
    uint16_t height;
    uint8_t framerate;
} video_player_format_t;

typedef struct {
    video_player_codec_t codec;
    video_player_format_t format;
    uint16_t buffer_frames;
    void *codec_specific; /* sink-specific options (e.g. an output path), or NULL */
    void *display_handle;
} video_player_config_t;

typedef void *video_player_handle_t;

typedef struct {
    esp_err_t (*init)(video_player_config_t *config, video_player_handle_t *ret_handle);
    esp_err_t (*start)(video_player_handle_t handle);
    esp_err_t (*stop)(video_player_handle_t handle);
    /* One whole access unit in Annex-B form. */
    esp_err_t (*play_frame)(video_player_handle_t handle, const uint8_t *data, uint32_t len,
                            bool is_keyframe);
    esp_err_t (*deinit)(video_player_handle_t handle);
} media_stream_video_player_t;

/* ---- audio player ----------------------------------------------------------------------- */
typedef enum {
    AUDIO_PLAYER_CODEC_OPUS,
    AUDIO_PLAYER_CODEC_PCM,
    AUDIO_PLAYER_CODEC_AAC
} audio_player_codec_t;

typedef struct {
    uint32_t sample_rate;
    uint8_t channels;
    uint16_t bits_per_sample;
} audio_player_format_t;

typedef struct {
    audio_player_codec_t codec;
    audio_player_format_t format;
    uint16_t buffer_ms;
    void *codec_specific;
} audio_player_config_t;

typedef void *audio_player_handle_t;

typedef struct {
    esp_err_t (*init)(audio_player_config_t *config, audio_player_handle_t *ret_handle);
    esp_err_t (*start)(audio_player_handle_t handle);
    esp_err_t (*stop)(audio_player_handle_t handle);
    esp_err_t (*play_frame)(audio_player_handle_t handle, const uint8_t *data, uint32_t len);
    esp_err_t (*deinit)(audio_player_handle_t handle);
} media_stream_audio_player_t;

/* ---- the built-in implementations --------------------------------------------------------- */
/* Live test pattern (H.264) and tone (Opus) captures; counting/file players. */
media_stream_video_capture_t *media_stream_get_video_capture_if(void);
media_stream_audio_capture_t *media_stream_get_audio_capture_if(void);
media_stream_video_player_t *media_stream_get_video_player_if(void);
media_stream_audio_player_t *media_stream_get_audio_player_if(void);

/* File sources: H.264 Annex-B played at a given frame rate, Ogg/Opus. */
typedef struct {
    const char *mount_point;  /* folder; default "/spiffs" on ESP, "." elsewhere */
    const char *video_prefix; /* default "samples/frame" */
    const char *video_ext;    /* default ".h264" */
    const char *audio_prefix; /* default "samples/sample" */
    const char *audio_ext;    /* default ".opus" */
} media_stream_file_config_t;

media_stream_video_capture_t *media_stream_get_file_video_capture_if(void);
media_stream_audio_capture_t *media_stream_get_file_audio_capture_if(void);
esp_err_t media_stream_configure_file_paths(const media_stream_file_config_t *config);

#ifdef __cplusplus
}
#endif

#endif
