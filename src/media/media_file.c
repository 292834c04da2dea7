/*
 * media/media_file — a bounded whole-file read for the file sources (see media_file.h).
 */
#include "media/media_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "media_stream.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "media"

esp_err_t ertc_media_file_read(const char *path, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ERTC_LOGE(TAG, "cannot open media file %s: %s", path, strerror(errno));
        return ESP_ERR_NOT_FOUND;
    }
    esp_err_t err = ESP_OK;
    struct stat info;
    long size = -1;
    if (fstat(fileno(f), &info) == 0 && S_ISREG(info.st_mode) && fseek(f, 0, SEEK_END) == 0) {
        size = ftell(f);
    }
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        ERTC_LOGE(TAG, "cannot read media file %s: not a regular file", path);
        err = ESP_ERR_NOT_FOUND;
    } else if (size == 0 || (unsigned long)size > MEDIA_STREAM_MAX_FILE_BYTES) {
        ERTC_LOGE(TAG, "media file %s: size %ld is not in 1..%u bytes", path, size,
                  MEDIA_STREAM_MAX_FILE_BYTES);
        err = ESP_ERR_INVALID_SIZE;
    } else if ((*out = ertc_malloc((size_t)size)) == NULL) {
        err = ESP_ERR_NO_MEM;
    } else if (fread(*out, 1, (size_t)size, f) != (size_t)size) {
        ERTC_LOGE(TAG, "cannot read media file %s: short read", path);
        err = ESP_ERR_NOT_FOUND;
    } else {
        *len = (size_t)size;
    }
    fclose(f);
    if (err != ESP_OK) {
        ertc_free(*out);
        *out = NULL;
    }
    return err;
}
