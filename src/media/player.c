/*
 * media/player — shared parts of the built-in players (see player.h) and
 * media_stream_player_get_stats().
 */
#include "media/player.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

#define TAG "player"

esp_err_t ertc_player_open(ertc_player_t *p, const void *codec_specific, const char *what)
{
    const media_stream_sink_config_t *opts = codec_specific;
    p->magic = ERTC_PLAYER_MAGIC;
    p->sink = opts != NULL ? opts->sink : MEDIA_STREAM_SINK_COUNT;
    if (ertc_mutex_create(&p->lock) != WEBRTC_STATUS_SUCCESS) {
        return ESP_ERR_NO_MEM;
    }
    if (p->sink == MEDIA_STREAM_SINK_COUNT) {
        return ESP_OK;
    }
    if (p->sink != MEDIA_STREAM_SINK_FILE) {
        ERTC_LOGE(TAG, "%s player: unknown sink %d", what, (int)p->sink);
        return ESP_ERR_INVALID_ARG;
    }
    if (opts->path == NULL || opts->path[0] == '\0' || strlen(opts->path) >= sizeof(p->path)) {
        ERTC_LOGE(TAG, "%s player: sink FILE needs a path (shorter than %d bytes)", what,
                  ERTC_PLAYER_PATH_MAX);
        return ESP_ERR_INVALID_ARG;
    }
    strcpy(p->path, opts->path);
    p->file = fopen(p->path, "wb");
    if (p->file == NULL) {
        ERTC_LOGE(TAG, "%s player: cannot create %s: %s", what, p->path, strerror(errno));
        return ESP_ERR_NOT_FOUND;
    }
    return ESP_OK;
}

void ertc_player_close(ertc_player_t *p)
{
    if (p->file != NULL && fclose(p->file) != 0) {
        ERTC_LOGE(TAG, "writing %s failed: %s", p->path, strerror(errno));
    }
    p->file = NULL;
    if (p->lock != NULL) {
        ertc_mutex_destroy(p->lock);
        p->lock = NULL;
    }
    p->magic = 0;
}

bool ertc_player_write(ertc_player_t *p, const uint8_t *buf, size_t len)
{
    if (fwrite(buf, 1, len, p->file) == len) {
        return true;
    }
    if (p->stats.errors == 0) {
        ERTC_LOGE(TAG, "writing %s failed: %s", p->path, strerror(errno));
    }
    p->stats.errors++;
    return false;
}

esp_err_t media_stream_player_get_stats(void *player_handle, media_stream_player_stats_t *stats)
{
    ertc_player_t *p = player_handle;
    if (p == NULL || stats == NULL || p->magic != ERTC_PLAYER_MAGIC) {
        return ESP_ERR_INVALID_ARG;
    }
    ertc_mutex_lock(p->lock);
    *stats = p->stats;
    ertc_mutex_unlock(p->lock);
    return ESP_OK;
}

void ertc_player_set_started(ertc_player_t *p, bool started)
{
    ertc_mutex_lock(p->lock);
    p->started = started;
    ertc_mutex_unlock(p->lock);
}
