/*
 * device/media — --video/--audio/--receive-dir → src/media's captures and players (see
 * media.h). The configurations live in one heap block (priv) because app_webrtc and the peer
 * connection keep pointers to them until app_webrtc_terminate.
 */
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgertc_peer_connection.h"

#define RECEIVED_VIDEO_FILE "received.h264"
#define RECEIVED_AUDIO_FILE "received.opus"

typedef struct {
    edgertc_peer_connection_config_t pc;
    video_capture_config_t video_cfg;
    audio_capture_config_t audio_cfg;
    video_player_config_t video_player_cfg;
    audio_player_config_t audio_player_cfg;
    media_stream_source_config_t video_src;
    media_stream_source_config_t audio_src;
    media_stream_sink_config_t video_sink;
    media_stream_sink_config_t audio_sink;
    char video_path[4096];
    char audio_path[4096];
} media_priv_t;

static void source_config(const dev_source_t *src, media_stream_source_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->source = src->kind == DEV_SOURCE_FILE ? MEDIA_STREAM_SOURCE_FILE
                                               : MEDIA_STREAM_SOURCE_TESTSRC;
    out->path = src->path;
}

bool dev_media_open(const dev_options_t *o, dev_media_t *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    media_priv_t *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    edgertc_peer_connection_config_t pc_defaults = EDGERTC_PEER_CONNECTION_CONFIG_DEFAULT();
    p->pc = pc_defaults;

    bool video = o->video.kind != DEV_SOURCE_NONE;
    bool audio = o->audio.kind != DEV_SOURCE_NONE;
    if (video) {
        source_config(&o->video, &p->video_src);
        p->video_cfg.codec = VIDEO_CODEC_H264;
        p->video_cfg.resolution.width = 640;
        p->video_cfg.resolution.height = 480;
        p->video_cfg.resolution.fps = 30;
        p->video_cfg.bitrate = 800;
        p->video_cfg.codec_specific = &p->video_src;
        p->pc.video_capture_config = &p->video_cfg;
        m->video_capture = media_stream_get_video_capture_if();
    }
    if (audio) {
        source_config(&o->audio, &p->audio_src);
        p->audio_cfg.codec = AUDIO_CODEC_OPUS;
        p->audio_cfg.format.sample_rate = 48000;
        p->audio_cfg.format.channels = 1;
        p->audio_cfg.format.bits_per_sample = 16;
        p->audio_cfg.codec_specific = &p->audio_src;
        p->pc.audio_capture_config = &p->audio_cfg;
        m->audio_capture = media_stream_get_audio_capture_if();
    }
    if (o->receive_dir != NULL) {
        snprintf(p->video_path, sizeof(p->video_path), "%s/%s", o->receive_dir,
                 RECEIVED_VIDEO_FILE);
        snprintf(p->audio_path, sizeof(p->audio_path), "%s/%s", o->receive_dir,
                 RECEIVED_AUDIO_FILE);
        p->video_sink = (media_stream_sink_config_t){MEDIA_STREAM_SINK_FILE, p->video_path};
        p->audio_sink = (media_stream_sink_config_t){MEDIA_STREAM_SINK_FILE, p->audio_path};
        p->video_player_cfg.codec = VIDEO_PLAYER_CODEC_H264;
        p->video_player_cfg.codec_specific = &p->video_sink;
        p->audio_player_cfg.codec = AUDIO_PLAYER_CODEC_OPUS;
        p->audio_player_cfg.format.sample_rate = 48000;
        p->audio_player_cfg.format.channels = 2;
        p->audio_player_cfg.codec_specific = &p->audio_sink;
        p->pc.video_player_config = &p->video_player_cfg;
        p->pc.audio_player_config = &p->audio_player_cfg;
        m->video_player = media_stream_get_video_player_if();
        m->audio_player = media_stream_get_audio_player_if();
    }
    /* What the sessions negotiate: the sources we send, or both kinds when only receiving. */
    if (video && !audio) {
        m->media_type = APP_WEBRTC_MEDIA_VIDEO;
    } else if (audio && !video) {
        m->media_type = APP_WEBRTC_MEDIA_AUDIO;
    } else {
        m->media_type = APP_WEBRTC_MEDIA_AUDIO_VIDEO;
    }
    m->priv = p;
    return true;
}

void *dev_media_pc_config(dev_media_t *m)
{
    return m->priv != NULL ? &((media_priv_t *)m->priv)->pc : NULL;
}

void dev_media_report(const dev_media_t *m)
{
    const media_priv_t *p = m->priv;
    if (p == NULL || m->video_player == NULL) {
        return;
    }
    printf("edgertc-device: received media written to %s and %s\n", p->video_path,
           p->audio_path);
}

void dev_media_close(dev_media_t *m)
{
    free(m->priv);
    m->priv = NULL;
}
