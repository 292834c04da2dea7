/*
 * media/file_paths — default paths of the file captures (see file_paths.h and
 * media_stream_configure_file_paths in media_stream.h).
 *
 * The ESP port reads a numbered series of one-frame files under these names; edgertc reads
 * one stream file "<mount_point>/<prefix><ext>", so the same configuration names a file.
 */
#include "media/file_paths.h"

#include <stdio.h>
#include <string.h>

#include "media_stream.h"
#include "util/log.h"

#define TAG "media"

#define PART_MAX 256

typedef struct {
    char mount_point[PART_MAX];
    char video_prefix[PART_MAX], video_ext[PART_MAX];
    char audio_prefix[PART_MAX], audio_ext[PART_MAX];
} file_paths_t;

static file_paths_t paths = {".", "samples/frame", ".h264", "samples/sample", ".opus"};

static bool set_part(char *dst, const char *src)
{
    if (src == NULL) {
        return true;
    }
    if (strlen(src) >= PART_MAX) {
        return false;
    }
    strcpy(dst, src);
    return true;
}

esp_err_t media_stream_configure_file_paths(const media_stream_file_config_t *config)
{
    if (config == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    file_paths_t next = paths;
    if (!set_part(next.mount_point, config->mount_point) ||
        !set_part(next.video_prefix, config->video_prefix) ||
        !set_part(next.video_ext, config->video_ext) ||
        !set_part(next.audio_prefix, config->audio_prefix) ||
        !set_part(next.audio_ext, config->audio_ext)) {
        return ESP_ERR_INVALID_SIZE;
    }
    paths = next;
    return ESP_OK;
}

esp_err_t ertc_media_default_file_path(bool video, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s%s", paths.mount_point,
                     video ? paths.video_prefix : paths.audio_prefix,
                     video ? paths.video_ext : paths.audio_ext);
    return n >= 0 && (size_t)n < cap ? ESP_OK : ESP_ERR_INVALID_SIZE;
}

esp_err_t ertc_media_source_file_path(const media_stream_source_config_t *opts,
                                      bool file_by_default, bool video, char *out, size_t cap)
{
    const char *kind = video ? "video" : "audio";
    if (opts != NULL && opts->path != NULL) {
        if (strlen(opts->path) >= cap) {
            ERTC_LOGE(TAG, "%s capture: the file path is longer than %zu bytes", kind, cap - 1);
            return ESP_ERR_INVALID_ARG;
        }
        memcpy(out, opts->path, strlen(opts->path) + 1);
        return ESP_OK;
    }
    if (opts != NULL && !file_by_default) {
        ERTC_LOGE(TAG, "%s capture: source FILE needs a path", kind);
        return ESP_ERR_INVALID_ARG;
    }
    return ertc_media_default_file_path(video, out, cap);
}
