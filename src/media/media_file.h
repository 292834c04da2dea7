/*
 * media/media_file — reading a media file whole into memory, bounded by
 * MEDIA_STREAM_MAX_FILE_BYTES, with errors that name the file and the cause.
 */
#ifndef ERTC_MEDIA_FILE_H
#define ERTC_MEDIA_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

/* *out is an ertc_malloc'd copy of the file (free with ertc_free). ESP_ERR_NOT_FOUND when it
 * cannot be opened or read, ESP_ERR_INVALID_SIZE when it is empty or larger than the limit. */
esp_err_t ertc_media_file_read(const char *path, uint8_t **out, size_t *len);

#endif
