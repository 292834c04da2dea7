/*
 * device/media — the media sources and sinks edgertc-device hands to app_webrtc, chosen by
 * --video, --audio and --receive-dir (src/media's test pattern, tone, files and file sinks).
 */
#ifndef ERTC_DEVICE_MEDIA_H
#define ERTC_DEVICE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "app_webrtc.h"
#include "options.h"

typedef struct {
    media_stream_video_capture_t *video_capture;
    media_stream_audio_capture_t *audio_capture;
    media_stream_video_player_t *video_player;
    media_stream_audio_player_t *audio_player;
    app_webrtc_streaming_media_t media_type;
    void *priv; /* source/sink configurations kept alive for app_webrtc */
} dev_media_t;

/* Chooses the interfaces and their configuration. false with err for a bad combination. */
bool dev_media_open(const dev_options_t *o, dev_media_t *m, char *err, size_t errlen);
/* The edgertc_peer_connection_config_t for app_webrtc's implementation_config. */
void *dev_media_pc_config(dev_media_t *m);
/* One status line with what the sinks received (frames, bytes), if anything was received. */
void dev_media_report(const dev_media_t *m);
void dev_media_close(dev_media_t *m);

#endif
