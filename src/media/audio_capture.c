/*
 * media/audio_capture — the built-in audio captures behind media_stream_audio_capture_t: a
 * sine tone encoded with libopus, and Ogg/Opus files (media_stream.h says which config
 * selects which).
 *
 * Threads: as for the video captures, get_frame does the work on the caller's thread and
 * sleeps until the next packet is due; the capture has no thread of its own.
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include <opus.h>

#include "media/file_paths.h"
#include "media/media_file.h"
#include "media/ogg.h"
#include "media/ogg_opus.h"
#include "media/pacer.h"
#include "media_stream.h"
#include "peer/opus_rtp.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "acap"

#define SAMPLE_RATE          48000
#define DEFAULT_TONE_HZ      440
#define DEFAULT_FRAME_MS     20
#define DEFAULT_BITRATE_KBPS 32
#define TONE_AMPLITUDE       (0.3 * 32767.0)
#define MAX_OPUS_PACKET      1500 /* what fits one RTP packet; the encoder keeps to it */
#define PATH_MAX_LEN         1024
#define TWO_PI               6.283185307179586476925

typedef struct {
    bool file_mode;
    atomic_bool started;
    ertc_media_pacer_t pacer;

    /* tone */
    OpusEncoder *encoder;
    int channels;
    int frame_samples; /* per channel */
    double phase, phase_step;
    int16_t *pcm;
    uint8_t packet[MAX_OPUS_PACKET];

    /* file */
    char path[PATH_MAX_LEN];
    uint8_t *file;
    size_t file_len;
    ertc_ogg_reader_t *reader;
    bool stop_at_eof;
    bool at_eof;
    uint64_t invalid_packets;
} audio_source_t;

static esp_err_t make_frame(const uint8_t *data, size_t len, uint64_t ts, audio_frame_t **out)
{
    size_t head = (sizeof(audio_frame_t) + 15u) & ~(size_t)15u;
    uint8_t *block = ertc_malloc(head + len);
    if (block == NULL) {
        return ESP_ERR_NO_MEM;
    }
    audio_frame_t *f = (audio_frame_t *)(void *)block;
    f->buffer = block + head;
    memcpy(f->buffer, data, len);
    f->len = (uint32_t)len;
    f->timestamp = ts;
    *out = f;
    return ESP_OK;
}

static esp_err_t open_tone(audio_source_t *s, const audio_capture_config_t *config,
                           const media_stream_source_config_t *opts)
{
    uint32_t rate = config->format.sample_rate ? config->format.sample_rate : SAMPLE_RATE;
    s->channels = config->format.channels ? config->format.channels : 1;
    unsigned frame_ms = config->frame_duration_ms ? config->frame_duration_ms : DEFAULT_FRAME_MS;
    uint32_t kbps = config->bitrate ? config->bitrate : DEFAULT_BITRATE_KBPS;
    uint32_t tone = opts != NULL && opts->tone_hz ? opts->tone_hz : DEFAULT_TONE_HZ;
    if (rate != SAMPLE_RATE || s->channels > 2 ||
        (frame_ms != 10 && frame_ms != 20 && frame_ms != 40 && frame_ms != 60) || kbps < 6 ||
        kbps > 510 || tone < 20 || tone > 20000) {
        ERTC_LOGE(TAG,
                  "tone: sample_rate %u (must be 48000), channels %d (1 or 2), frame_duration_ms "
                  "%u (10/20/40/60), bitrate %u kbps (6..510), tone %u Hz (20..20000)",
                  rate, s->channels, frame_ms, kbps, tone);
        return ESP_ERR_INVALID_ARG;
    }
    int err = OPUS_OK;
    s->encoder = opus_encoder_create(SAMPLE_RATE, s->channels, OPUS_APPLICATION_AUDIO, &err);
    if (s->encoder == NULL || err != OPUS_OK) {
        ERTC_LOGE(TAG, "libopus: cannot create an encoder: %s", opus_strerror(err));
        return ESP_FAIL;
    }
    opus_encoder_ctl(s->encoder, OPUS_SET_BITRATE((opus_int32)kbps * 1000));
    opus_encoder_ctl(s->encoder, OPUS_SET_COMPLEXITY(5)); /* a device-sized CPU budget */
    opus_encoder_ctl(s->encoder, OPUS_SET_SIGNAL(OPUS_SIGNAL_MUSIC));
    s->frame_samples = (int)(SAMPLE_RATE / 1000u * frame_ms);
    s->phase_step = TWO_PI * (double)tone / SAMPLE_RATE;
    s->pcm = ertc_calloc((size_t)s->frame_samples * (size_t)s->channels, sizeof(int16_t));
    if (s->pcm == NULL) {
        return ESP_ERR_NO_MEM;
    }
    ERTC_LOGI(TAG, "tone: %u Hz, %d channel(s), %u ms frames, %u kbps Opus", tone, s->channels,
              frame_ms, kbps);
    return ESP_OK;
}

/* Reads the next audio packet of the file; NOT_FOUND at the end, INVALID_ARG when broken. */
static WEBRTC_STATUS next_file_packet(audio_source_t *s, const uint8_t **pkt, size_t *len)
{
    uint64_t granule = 0;
    return ertc_ogg_reader_next(s->reader, pkt, len, &granule);
}

/* Positions the reader after the two header packets, checking them. */
static esp_err_t read_headers(audio_source_t *s, bool log)
{
    const uint8_t *pkt = NULL;
    size_t len = 0;
    const char *why = NULL;
    ertc_opus_head_t head;
    WEBRTC_STATUS st = next_file_packet(s, &pkt, &len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_opus_head_parse(pkt, len, &head, &why);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = next_file_packet(s, &pkt, &len);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_opus_tags_check(pkt, len, &why);
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        const char *reason = why != NULL                ? why
                             : s->reader->error[0] != 0 ? s->reader->error
                                                        : "the stream ends before its headers";
        ERTC_LOGE(TAG, "audio file %s: %s", s->path, reason);
        return ESP_ERR_INVALID_ARG;
    }
    if (log) {
        ERTC_LOGI(TAG, "audio file %s: Ogg/Opus, %u channel(s), pre-skip %u", s->path,
                  head.channels, head.pre_skip);
    }
    return ESP_OK;
}

static esp_err_t open_ogg(audio_source_t *s)
{
    esp_err_t err = ertc_media_file_read(s->path, &s->file, &s->file_len);
    if (err != ESP_OK) {
        return err;
    }
    s->reader = ertc_malloc(sizeof(*s->reader));
    if (s->reader == NULL) {
        return ESP_ERR_NO_MEM;
    }
    ertc_ogg_reader_init(s->reader, s->file, s->file_len);
    err = read_headers(s, true);
    if (err != ESP_OK) {
        return err;
    }
    /* One audio packet must be there, or looping would spin on an empty file. */
    const uint8_t *pkt = NULL;
    size_t len = 0;
    if (next_file_packet(s, &pkt, &len) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "audio file %s: %s", s->path,
                  s->reader->error[0] != 0 ? s->reader->error : "no audio packet");
        return ESP_ERR_INVALID_ARG;
    }
    ertc_ogg_reader_rewind(s->reader);
    return read_headers(s, false);
}

static esp_err_t audio_deinit(audio_capture_handle_t handle);

static esp_err_t audio_init_common(audio_capture_config_t *config, audio_capture_handle_t *out,
                                   bool file_by_default)
{
    if (config == NULL || out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (config->codec != AUDIO_CODEC_OPUS) {
        ERTC_LOGE(TAG, "audio capture: only AUDIO_CODEC_OPUS is built in");
        return ESP_ERR_NOT_SUPPORTED;
    }
    const media_stream_source_config_t *opts = config->codec_specific;
    audio_source_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return ESP_ERR_NO_MEM;
    }
    s->file_mode = opts != NULL ? opts->source == MEDIA_STREAM_SOURCE_FILE : file_by_default;
    esp_err_t err = ESP_OK;
    if (s->file_mode) {
        s->stop_at_eof = opts != NULL && opts->stop_at_eof;
        err = ertc_media_source_file_path(opts, file_by_default, false, s->path, sizeof(s->path));
        if (err == ESP_OK) {
            err = open_ogg(s);
        }
    } else if (opts != NULL && opts->source != MEDIA_STREAM_SOURCE_TESTSRC) {
        ERTC_LOGE(TAG, "audio capture: unknown source %d", (int)opts->source);
        err = ESP_ERR_INVALID_ARG;
    } else {
        err = open_tone(s, config, opts);
    }
    if (err != ESP_OK) {
        audio_deinit(s);
        return err;
    }
    *out = s;
    return ESP_OK;
}

static esp_err_t audio_init(audio_capture_config_t *config, audio_capture_handle_t *out)
{
    return audio_init_common(config, out, false);
}

static esp_err_t audio_init_file(audio_capture_config_t *config, audio_capture_handle_t *out)
{
    return audio_init_common(config, out, true);
}

static esp_err_t audio_start(audio_capture_handle_t handle)
{
    audio_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_media_pacer_start(&s->pacer);
    atomic_store(&s->started, true);
    return ESP_OK;
}

static esp_err_t audio_stop(audio_capture_handle_t handle)
{
    audio_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    atomic_store(&s->started, false);
    return ESP_OK;
}

static esp_err_t encode_tone(audio_source_t *s, uint64_t due_us, audio_frame_t **frame)
{
    for (int i = 0; i < s->frame_samples; i++) {
        int16_t v = (int16_t)lrint(TONE_AMPLITUDE * sin(s->phase));
        for (int c = 0; c < s->channels; c++) {
            s->pcm[i * s->channels + c] = v;
        }
        s->phase += s->phase_step;
        if (s->phase >= TWO_PI) {
            s->phase -= TWO_PI; /* keeps the phase precise over hours */
        }
    }
    opus_int32 n = opus_encode(s->encoder, s->pcm, s->frame_samples, s->packet, MAX_OPUS_PACKET);
    if (n < 0) {
        ERTC_LOGE(TAG, "libopus: encode failed: %s", opus_strerror(n));
        return ESP_FAIL;
    }
    ertc_media_pacer_advance(&s->pacer, (uint64_t)s->frame_samples * 1000000u / SAMPLE_RATE);
    return make_frame(s->packet, (size_t)n, due_us, frame);
}

static esp_err_t read_file_frame(audio_source_t *s, uint64_t due_us, audio_frame_t **frame)
{
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint32_t samples = 0;
    /* Two passes at most: the rest of the file, then (looping) the file from the start. */
    for (int pass = 0; pass < 2 && samples == 0;) {
        WEBRTC_STATUS st = next_file_packet(s, &pkt, &len);
        if (st == WEBRTC_STATUS_SUCCESS) {
            samples = ertc_opus_packet_samples(pkt, len);
            s->invalid_packets += samples == 0;
            continue;
        }
        if (st != WEBRTC_STATUS_NOT_FOUND || s->stop_at_eof) {
            if (st != WEBRTC_STATUS_NOT_FOUND) {
                ERTC_LOGE(TAG, "audio file %s: %s; the file ends here", s->path, s->reader->error);
            }
            s->at_eof = true;
            return ESP_ERR_NOT_FOUND;
        }
        ertc_ogg_reader_rewind(s->reader);
        if (read_headers(s, false) != ESP_OK) {
            return ESP_ERR_NOT_FOUND;
        }
        pass++;
    }
    if (samples == 0) {
        return ESP_ERR_NOT_FOUND;
    }
    ertc_media_pacer_advance(&s->pacer, (uint64_t)samples * 1000000u / SAMPLE_RATE);
    return make_frame(pkt, len, due_us, frame);
}

static esp_err_t audio_get_frame(audio_capture_handle_t handle, audio_frame_t **frame,
                                 uint32_t wait_ms)
{
    audio_source_t *s = handle;
    if (s == NULL || frame == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *frame = NULL;
    if (!atomic_load(&s->started)) {
        return ESP_ERR_INVALID_STATE;
    }
    if (s->at_eof) {
        return ESP_ERR_NOT_FOUND;
    }
    uint64_t due_us = 0;
    if (!ertc_media_pacer_wait(&s->pacer, wait_ms, &due_us)) {
        return ESP_ERR_TIMEOUT;
    }
    return s->file_mode ? read_file_frame(s, due_us, frame) : encode_tone(s, due_us, frame);
}

static esp_err_t audio_release_frame(audio_capture_handle_t handle, audio_frame_t *frame)
{
    (void)handle;
    ertc_free(frame);
    return ESP_OK;
}

static esp_err_t audio_deinit(audio_capture_handle_t handle)
{
    audio_source_t *s = handle;
    if (s == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s->encoder != NULL) {
        opus_encoder_destroy(s->encoder);
    }
    ertc_free(s->pcm);
    ertc_free(s->reader);
    ertc_free(s->file);
    ertc_free(s);
    return ESP_OK;
}

static media_stream_audio_capture_t audio_capture_if = {
    .init = audio_init,
    .start = audio_start,
    .stop = audio_stop,
    .get_frame = audio_get_frame,
    .release_frame = audio_release_frame,
    .deinit = audio_deinit,
};

static media_stream_audio_capture_t file_audio_capture_if = {
    .init = audio_init_file,
    .start = audio_start,
    .stop = audio_stop,
    .get_frame = audio_get_frame,
    .release_frame = audio_release_frame,
    .deinit = audio_deinit,
};

media_stream_audio_capture_t *media_stream_get_audio_capture_if(void)
{
    return &audio_capture_if;
}

media_stream_audio_capture_t *media_stream_get_file_audio_capture_if(void)
{
    return &file_audio_capture_if;
}
