/*
 * media/file_paths — the ESP port's media_stream_configure_file_paths(): where the file
 * captures look when they are given no path.
 */
#ifndef ERTC_MEDIA_FILE_PATHS_H
#define ERTC_MEDIA_FILE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "esp_err.h"

/* "<mount_point>/<prefix><ext>" for video or audio; ESP_ERR_INVALID_SIZE if cap is short. */
esp_err_t ertc_media_default_file_path(bool video, char *out, size_t cap);

#endif
