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

/* ---- the built-in implementations (src/media, built with ERTC_WITH_MEDIA) ------------------ */
/*
 * Captures: get_frame paces frames to real time on the caller's thread (it sleeps until the
 * next frame is due, at most wait_ms, then encodes or reads it); each frame is a separate
 * allocation that stays valid until release_frame, so several may be outstanding. Timestamps
 * are the monotonic clock in microseconds at which the frame was due, the same clock for
 * audio and video. request_key_frame and set_bitrate may be called from any thread.
 *
 * Which source a capture uses is chosen by config->codec_specific:
 *   NULL                                    the live source (video: test pattern; audio: tone)
 *   media_stream_source_config_t *, TESTSRC the live source with the options below
 *   media_stream_source_config_t *, FILE    the file at .path
 *
 * Video test pattern: moving colour bars over a gradient, a bouncing box, the frame counter
 * and the wall-clock time (UTC, HH:MM:SS.mmm) drawn in; I420 encoded with openh264 as
 * Constrained Baseline (profile_idc 66, constraint_set1; level 3.1 at most, so it fits
 * profile-level-id 42e01f). config->resolution: width/height (even; 0 = 640x480, at most
 * 3600 macroblocks) and fps (0 = 30); config->bitrate in kbps (0 = 800). An IDR comes at
 * start, every key_interval_ms and on request_key_frame; SPS and PPS precede every IDR.
 * Video file: an H.264 Annex-B stream cut into access units (at AUD/SPS/PPS/SEI or a slice
 * with first_mb_in_slice 0) played at resolution.fps (0 = 30); frames holding an IDR slice
 * are VIDEO_FRAME_TYPE_I; start and request_key_frame skip ahead to the next IDR.
 * Audio tone: a sine of tone_hz (0 = 440) at 48 kHz, format.channels 1 or 2 (0 = 1),
 * frame_duration_ms 10/20/40/60 (0 = 20), bitrate kbps (0 = 32), encoded with libopus.
 * Audio file: an Ogg/Opus file (RFC 7845, the first Opus stream, channel mapping family 0),
 * each packet played after the duration of the one before.
 * Files are read whole at init (at most MEDIA_STREAM_MAX_FILE_BYTES) and loop at the end
 * unless stop_at_eof is set; init fails with ESP_ERR_NOT_FOUND (unreadable file),
 * ESP_ERR_INVALID_SIZE (too large or empty) or ESP_ERR_INVALID_ARG (malformed, or a bad
 * option) and logs which.
 */
#define MEDIA_STREAM_MAX_FILE_BYTES (64u * 1024u * 1024u)

typedef enum {
    MEDIA_STREAM_SOURCE_TESTSRC = 0, /* test pattern (video) or tone (audio) */
    MEDIA_STREAM_SOURCE_FILE,        /* H.264 Annex-B (video) or Ogg/Opus (audio) */
} media_stream_source_t;

typedef struct {
    media_stream_source_t source;
    const char *path;         /* FILE: the file to read (copied by init) */
    uint32_t key_interval_ms; /* TESTSRC video: periodic IDR interval; 0 = 2000 */
    uint32_t tone_hz;         /* TESTSRC audio: 0 = 440 */
    bool stop_at_eof;         /* FILE: get_frame returns ESP_ERR_NOT_FOUND at the end */
} media_stream_source_config_t;

/*
 * Players: config->codec_specific NULL or a media_stream_sink_config_t with COUNT only counts
 * the frames; FILE writes them to .path (created or truncated): video as an H.264 Annex-B
 * file starting at the first key frame (frames before it are counted as skipped), audio as
 * Ogg/Opus (OpusHead with format.channels, 0 = 2, pre-skip 0; OpusTags; one packet per page,
 * granule position = 48 kHz samples up to the end of that packet; the last page carries EOS
 * at deinit). play_frame does one buffered write and never waits for the network.
 */
typedef enum {
    MEDIA_STREAM_SINK_COUNT = 0,
    MEDIA_STREAM_SINK_FILE,
} media_stream_sink_t;

typedef struct {
    media_stream_sink_t sink;
    const char *path; /* FILE: the file to write (copied by init) */
} media_stream_sink_config_t;

typedef struct {
    uint64_t frames;     /* frames accepted (written, or counted) */
    uint64_t bytes;      /* their bytes */
    uint64_t key_frames; /* video: frames flagged or found to be key frames */
    uint64_t skipped;    /* video file: frames before the first key frame */
    uint64_t errors;     /* malformed frames and failed writes */
} media_stream_player_stats_t;

/* Live test pattern (H.264) and tone (Opus) captures (or files, see above); counting/file
 * players. */
media_stream_video_capture_t *media_stream_get_video_capture_if(void);
media_stream_audio_capture_t *media_stream_get_audio_capture_if(void);
media_stream_video_player_t *media_stream_get_video_player_if(void);
media_stream_audio_player_t *media_stream_get_audio_player_if(void);

/* Counters of a player made by media_stream_get_{video,audio}_player_if(); any thread. */
esp_err_t media_stream_player_get_stats(void *player_handle, media_stream_player_stats_t *stats);

/*
 * The ESP port's file captures: with codec_specific NULL they read the single file
 * "<mount_point>/<prefix><ext>" (an Annex-B stream, an Ogg/Opus file) — not the port's
 * numbered one-frame-per-file series; a media_stream_source_config_t still takes precedence.
 */
typedef struct {
    const char *mount_point;  /* folder; default "/spiffs" on ESP, "." elsewhere */
    const char *video_prefix; /* default "samples/frame" */
    const char *video_ext;    /* default ".h264" */
    const char *audio_prefix; /* default "samples/sample" */
    const char *audio_ext;    /* default ".opus" */
} media_stream_file_config_t;

media_stream_video_capture_t *media_stream_get_file_video_capture_if(void);
media_stream_audio_capture_t *media_stream_get_file_audio_capture_if(void);
/* Copies the strings; NULL members keep their defaults. Call before the captures' init. */
esp_err_t media_stream_configure_file_paths(const media_stream_file_config_t *config);

#ifdef __cplusplus
}
#endif

#endif
