/*
 * signaling/kvs/kvs_cache — channel-info cache codec and atomic writer. See kvs_cache.h.
 */
#include "signaling/kvs/kvs_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"
#include "util/log.h"

#define TAG "kvs-cache"

#define TMP_SUFFIX_MAX 32
#define PATH_MAX_LEN   1024

static bool key_equal(const ertc_kvs_cache_entry_t *e, const char *channel, const char *region,
                      ertc_kvs_role_t role)
{
    return e->role == role && strcmp(e->channel, channel) == 0 && strcmp(e->region, region) == 0;
}

const ertc_kvs_cache_entry_t *ertc_kvs_cache_find(const ertc_kvs_cache_t *cache,
                                                  const char *channel, const char *region,
                                                  ertc_kvs_role_t role)
{
    if (cache == NULL || channel == NULL || region == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < cache->count && i < ERTC_KVS_CACHE_MAX_ENTRIES; i++) {
        if (key_equal(&cache->entries[i], channel, region, role)) {
            return &cache->entries[i];
        }
    }
    return NULL;
}

static bool field_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);
    return n > 0 && n < size;
}

static bool entry_valid(const ertc_kvs_cache_entry_t *e)
{
    return field_ok(e->channel, sizeof(e->channel)) && field_ok(e->region, sizeof(e->region)) &&
           field_ok(e->arn, sizeof(e->arn)) &&
           field_ok(e->endpoints.wss, sizeof(e->endpoints.wss)) &&
           field_ok(e->endpoints.https, sizeof(e->endpoints.https)) &&
           (e->role == ERTC_KVS_ROLE_MASTER || e->role == ERTC_KVS_ROLE_VIEWER) && e->created >= 0;
}

WEBRTC_STATUS ertc_kvs_cache_put(ertc_kvs_cache_t *cache, const ertc_kvs_cache_entry_t *entry)
{
    if (cache == NULL || entry == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!entry_valid(entry) || cache->count > ERTC_KVS_CACHE_MAX_ENTRIES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t slot = cache->count;
    for (size_t i = 0; i < cache->count; i++) {
        if (key_equal(&cache->entries[i], entry->channel, entry->region, entry->role)) {
            slot = i;
            break;
        }
    }
    if (slot == ERTC_KVS_CACHE_MAX_ENTRIES) {
        slot = 0;
        for (size_t i = 1; i < cache->count; i++) {
            if (cache->entries[i].created < cache->entries[slot].created) {
                slot = i;
            }
        }
        ERTC_LOGD(TAG, "cache full: replacing the entry for %s", cache->entries[slot].channel);
    }
    cache->entries[slot] = *entry;
    if (slot == cache->count) {
        cache->count++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_kvs_cache_remove(ertc_kvs_cache_t *cache, const char *channel, const char *region,
                           ertc_kvs_role_t role)
{
    const ertc_kvs_cache_entry_t *e = ertc_kvs_cache_find(cache, channel, region, role);
    if (e == NULL) {
        return false;
    }
    size_t i = (size_t)(e - cache->entries);
    memmove(&cache->entries[i], &cache->entries[i + 1],
            (cache->count - i - 1) * sizeof(cache->entries[0]));
    cache->count--;
    return true;
}

bool ertc_kvs_cache_entry_fresh(const ertc_kvs_cache_entry_t *entry, int64_t now, int64_t period_s)
{
    if (entry == NULL) {
        return false;
    }
    if (period_s <= 0) {
        period_s = ERTC_KVS_CACHE_PERIOD_S;
    }
    /* A timestamp far in the future means a clock jump or a bad file: distrust it. */
    if (entry->created > now + period_s) {
        return false;
    }
    return now - entry->created <= period_s;
}

WEBRTC_STATUS ertc_kvs_cache_serialize(const ertc_kvs_cache_t *cache, ertc_strbuf_t *out)
{
    if (cache == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (cache->count > ERTC_KVS_CACHE_MAX_ENTRIES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_strbuf_appendf(out, "{\"version\":%d,\"entries\":[", ERTC_KVS_CACHE_FORMAT_VERSION);
    for (size_t i = 0; i < cache->count; i++) {
        const ertc_kvs_cache_entry_t *e = &cache->entries[i];
        if (!entry_valid(e)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        const char *const fields[][2] = {
            {"channel", e->channel},
            {"region", e->region},
            {"role", ertc_kvs_role_name(e->role)},
            {"arn", e->arn},
            {"wss", e->endpoints.wss},
            {"https", e->endpoints.https},
        };
        ertc_strbuf_append_str(out, i == 0 ? "\n{" : ",\n{");
        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
            ertc_strbuf_appendf(out, "\"%s\":", fields[f][0]);
            ertc_strbuf_append_json_string(out, fields[f][1], strlen(fields[f][1]));
            ertc_strbuf_append_char(out, ',');
        }
        ertc_strbuf_appendf(out, "\"created\":%lld}", (long long)e->created);
    }
    ertc_strbuf_append_str(out, "\n]}\n");
    return ertc_strbuf_status(out);
}

static bool parse_entry(const cJSON *item, ertc_kvs_cache_entry_t *e)
{
    const char *role = NULL;
    int64_t created = 0;
    memset(e, 0, sizeof(*e));
    if (!cJSON_IsObject(item) ||
        ertc_json_copy_string(item, "channel", e->channel, sizeof(e->channel), NULL) != 0 ||
        ertc_json_copy_string(item, "region", e->region, sizeof(e->region), NULL) != 0 ||
        ertc_json_copy_string(item, "arn", e->arn, sizeof(e->arn), NULL) != 0 ||
        ertc_json_copy_string(item, "wss", e->endpoints.wss, sizeof(e->endpoints.wss), NULL) != 0 ||
        ertc_json_copy_string(item, "https", e->endpoints.https, sizeof(e->endpoints.https),
                              NULL) != 0 ||
        ertc_json_get_string(item, "role", &role) != 0 ||
        ertc_json_get_int_range(item, "created", 0, ERTC_JSON_MAX_EXACT_INT, &created) != 0) {
        return false;
    }
    if (strcmp(role, "MASTER") == 0) {
        e->role = ERTC_KVS_ROLE_MASTER;
    } else if (strcmp(role, "VIEWER") == 0) {
        e->role = ERTC_KVS_ROLE_VIEWER;
    } else {
        return false;
    }
    e->created = created;
    return entry_valid(e);
}

WEBRTC_STATUS ertc_kvs_cache_parse(const char *buf, size_t len, ertc_kvs_cache_t *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    out->count = 0;
    cJSON *root = NULL;
    if (ertc_json_parse(buf, len, ERTC_KVS_CACHE_MAX_FILE_LEN, &root) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    WEBRTC_STATUS s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    int64_t version = 0;
    cJSON *entries = NULL;
    if (!cJSON_IsObject(root) || ertc_json_get_int(root, "version", &version) != 0 ||
        version != ERTC_KVS_CACHE_FORMAT_VERSION ||
        ertc_json_get_array(root, "entries", &entries) != 0 ||
        cJSON_GetArraySize(entries) > ERTC_KVS_CACHE_MAX_ENTRIES) {
        goto done;
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, entries)
    {
        ertc_kvs_cache_entry_t *e = &out->entries[out->count];
        if (!parse_entry(item, e) || ertc_kvs_cache_find(out, e->channel, e->region, e->role)) {
            goto done;
        }
        out->count++;
    }
    s = WEBRTC_STATUS_SUCCESS;
done:
    cJSON_Delete(root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        out->count = 0;
    }
    return s;
}

/* ---- atomic write ------------------------------------------------------------------------- */

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* fsync of the folder makes the rename itself durable. */
static void sync_folder(const char *path)
{
    char copy[PATH_MAX_LEN];
    snprintf(copy, sizeof(copy), "%s", path);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
}

WEBRTC_STATUS ertc_kvs_cache_write_atomic(const char *path, const void *data, size_t len)
{
    if (path == NULL || (data == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    char tmp[PATH_MAX_LEN + TMP_SUFFIX_MAX];
    if (strlen(path) == 0 || strlen(path) >= PATH_MAX_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        ERTC_LOGW(TAG, "cannot create %s: %s", tmp, strerror(errno));
        return WEBRTC_STATUS_IO_ERROR;
    }
    bool ok = write_all(fd, data, len) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        ERTC_LOGW(TAG, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return WEBRTC_STATUS_IO_ERROR;
    }
    sync_folder(path);
    return WEBRTC_STATUS_SUCCESS;
}
