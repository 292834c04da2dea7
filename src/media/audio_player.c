/*
 * media/audio_player — the built-in audio player behind media_stream_audio_player_t: received
 * Opus packets are counted, or written as an Ogg/Opus file (RFC 7845).
 *
 * File layout: page 0 holds OpusHead (BOS), page 1 OpusTags, then one audio packet per page,
 * whose granule position is the number of 48 kHz samples up to the end of that packet (read
 * from each packet's TOC byte, RFC 6716 §3.1). Pre-skip is 0: the packets come from an
 * unknown encoder, and keeping its first few milliseconds is harmless. Each packet is held
 * back until the next arrives, so that the last one can carry the EOS flag when the player is
 * closed; an empty EOS page (granule -1) ends a file without audio.
 */
#include <string.h>

#include "media/ogg.h"
#include "media/ogg_opus.h"
#include "media/player.h"
#include "peer/opus_rtp.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "aplay"

#define MAX_AUDIO_PACKET 8192 /* above any valid Opus packet (RFC 6716 §3.4: 6 x 1275 + 7) */
#define PAGE_CAP         (ERTC_OGG_HEADER_LEN + MAX_AUDIO_PACKET / 255 + 1 + MAX_AUDIO_PACKET)

typedef struct {
    ertc_player_t base; /* first: media_stream_player_get_stats() reads it */
    uint32_t serial;
    uint32_t sequence;
    uint64_t granule; /* samples up to the end of the held packet */
    uint8_t held[MAX_AUDIO_PACKET];
    size_t held_len;
    bool holding;
    uint8_t page[PAGE_CAP];
} audio_player_t;

static esp_err_t aplayer_deinit(audio_player_handle_t handle);

static bool write_page(audio_player_t *a, uint8_t flags, uint64_t granule, const uint8_t *pkt,
                       size_t len)
{
    size_t n = 0;
    if (ertc_ogg_page_build(flags, granule, a->serial, a->sequence, pkt, len, a->page,
                            sizeof(a->page), &n) != WEBRTC_STATUS_SUCCESS) {
        a->base.stats.errors++;
        return false;
    }
    a->sequence++;
    return ertc_player_write(&a->base, a->page, n);
}

static esp_err_t write_headers(audio_player_t *a, uint8_t channels)
{
    uint8_t buf[64];
    size_t len = 0;
    ertc_opus_head_t head = {.version = 1, .channels = channels, .input_rate = 48000};
    if (ertc_opus_head_build(&head, buf, sizeof(buf), &len) != WEBRTC_STATUS_SUCCESS ||
        !write_page(a, ERTC_OGG_FLAG_BOS, 0, buf, len) ||
        ertc_opus_tags_build("edgertc", buf, sizeof(buf), &len) != WEBRTC_STATUS_SUCCESS ||
        !write_page(a, 0, 0, buf, len)) {
        return ESP_FAIL;
    }
    return ESP_OK;
}

static esp_err_t aplayer_init(audio_player_config_t *config, audio_player_handle_t *out)
{
    if (config == NULL || out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *out = NULL;
    if (config->codec != AUDIO_PLAYER_CODEC_OPUS) {
        ERTC_LOGE(TAG, "audio player: only AUDIO_PLAYER_CODEC_OPUS is built in");
        return ESP_ERR_NOT_SUPPORTED;
    }
    uint8_t channels = config->format.channels ? config->format.channels : 2;
    if (channels > 2) {
        ERTC_LOGE(TAG, "audio player: %u channels (1 or 2)", channels);
        return ESP_ERR_INVALID_ARG;
    }
    audio_player_t *a = ertc_calloc(1, sizeof(*a));
    if (a == NULL) {
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = ertc_player_open(&a->base, config->codec_specific, "audio");
    if (err == ESP_OK && a->base.file != NULL) {
        a->serial = ertc_random_u32();
        err = write_headers(a, channels);
    }
    if (err != ESP_OK) {
        aplayer_deinit(a);
        return err;
    }
    *out = a;
    return ESP_OK;
}

static esp_err_t aplayer_set_started(audio_player_handle_t handle, bool started)
{
    audio_player_t *a = handle;
    if (a == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_player_set_started(&a->base, started);
    return ESP_OK;
}

static esp_err_t aplayer_start(audio_player_handle_t handle)
{
    return aplayer_set_started(handle, true);
}

static esp_err_t aplayer_stop(audio_player_handle_t handle)
{
    return aplayer_set_started(handle, false);
}

static esp_err_t aplayer_play(audio_player_handle_t handle, const uint8_t *data, uint32_t len)
{
    audio_player_t *a = handle;
    if (a == NULL || (data == NULL && len > 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    esp_err_t err = ESP_OK;
    ertc_mutex_lock(a->base.lock);
    media_stream_player_stats_t *st = &a->base.stats;
    uint32_t samples = len > 0 ? ertc_opus_packet_samples(data, len) : 0;
    if (!a->base.started) {
        err = ESP_ERR_INVALID_STATE;
    } else if (samples == 0 || len > MAX_AUDIO_PACKET) {
        st->errors++; /* not an Opus packet: writing it would break the file for players */
        err = ESP_ERR_INVALID_SIZE;
    } else {
        if (a->base.file != NULL) {
            if (a->holding && !write_page(a, 0, a->granule, a->held, a->held_len)) {
                err = ESP_FAIL;
            }
            memcpy(a->held, data, len);
            a->held_len = len;
            a->holding = true;
            a->granule += samples;
        }
        if (err == ESP_OK) {
            st->frames++;
            st->bytes += len;
        }
    }
    ertc_mutex_unlock(a->base.lock);
    return err;
}

static esp_err_t aplayer_deinit(audio_player_handle_t handle)
{
    audio_player_t *a = handle;
    if (a == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (a->base.file != NULL) {
        if (a->holding) {
            write_page(a, ERTC_OGG_FLAG_EOS, a->granule, a->held, a->held_len);
        } else {
            /* RFC 3533 §6: granule -1 on a page where no packet ends */
            write_page(a, ERTC_OGG_FLAG_EOS, ERTC_OGG_GRANULE_NONE, NULL, 0);
        }
        ERTC_LOGI(TAG, "audio file %s: %llu packets, %llu samples", a->base.path,
                  (unsigned long long)a->base.stats.frames, (unsigned long long)a->granule);
    }
    ertc_player_close(&a->base);
    ertc_free(a);
    return ESP_OK;
}

static media_stream_audio_player_t audio_player_if = {
    .init = aplayer_init,
    .start = aplayer_start,
    .stop = aplayer_stop,
    .play_frame = aplayer_play,
    .deinit = aplayer_deinit,
};

media_stream_audio_player_t *media_stream_get_audio_player_if(void)
{
    return &audio_player_if;
}
