/*
 * signaling/kvs/kvs_storage — the file implementation of kvs_signaling_storage_t (the
 * channel-info cache's home on Linux; an ESP build supplies an NVS one through the same
 * two functions). Writes go through ertc_kvs_cache_write_atomic: a temporary file, fsync,
 * rename, so a crash leaves the old cache or the new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvs_signaling.h"
#include "signaling/kvs/kvs_cache.h"
#include "util/alloc.h"

typedef struct {
    kvs_signaling_storage_t iface; /* first: the storage pointer is the struct's */
    char *path;
} file_storage_t;

static WEBRTC_STATUS file_load(void *ctx, char **data, size_t *len)
{
    file_storage_t *fs = ctx;
    *data = NULL;
    *len = 0;
    FILE *f = fopen(fs->path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? WEBRTC_STATUS_NOT_FOUND : WEBRTC_STATUS_IO_ERROR;
    }
    /* malloc, not ertc_malloc: the interface says the caller frees with free() */
    char *buf = malloc(ERTC_KVS_CACHE_MAX_FILE_LEN + 1);
    size_t n = buf ? fread(buf, 1, ERTC_KVS_CACHE_MAX_FILE_LEN + 1, f) : 0;
    bool err = ferror(f) != 0;
    fclose(f);
    if (buf == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (err || n > ERTC_KVS_CACHE_MAX_FILE_LEN) {
        free(buf);
        return err ? WEBRTC_STATUS_IO_ERROR : WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS file_save(void *ctx, const char *data, size_t len)
{
    file_storage_t *fs = ctx;
    return ertc_kvs_cache_write_atomic(fs->path, data, len);
}

kvs_signaling_storage_t *kvs_signaling_file_storage(const char *path)
{
    if (path == NULL || path[0] == '\0') {
        return NULL;
    }
    file_storage_t *fs = ertc_calloc(1, sizeof(*fs));
    if (fs == NULL || (fs->path = ertc_strdup(path)) == NULL) {
        ertc_free(fs);
        return NULL;
    }
    fs->iface.load = file_load;
    fs->iface.save = file_save;
    fs->iface.ctx = fs;
    return &fs->iface;
}

void kvs_signaling_file_storage_free(kvs_signaling_storage_t *storage)
{
    if (storage != NULL) {
        file_storage_t *fs = (file_storage_t *)storage;
        ertc_free(fs->path);
        ertc_free(fs);
    }
}
