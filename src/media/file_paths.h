/*
 * media/file_paths — the ESP port's media_stream_configure_file_paths(): where the file
 * captures look when they are given no path.
 */
#ifndef ERTC_MEDIA_FILE_PATHS_H
#define ERTC_MEDIA_FILE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "esp_err.h"
#include "media_stream.h"

/* "<mount_point>/<prefix><ext>" for video or audio; ESP_ERR_INVALID_SIZE if cap is short. */
esp_err_t ertc_media_default_file_path(bool video, char *out, size_t cap);

/* The file a file-mode capture reads: opts->path, else (file getters only, file_by_default)
 * the default path. ESP_ERR_INVALID_ARG (logged) for a path that is too long or a FILE source
 * without one. */
esp_err_t ertc_media_source_file_path(const media_stream_source_config_t *opts,
                                      bool file_by_default, bool video, char *out, size_t cap);

#endif
