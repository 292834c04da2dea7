/*
 * signaling/kvs/kvs_cache — the channel-info cache file (spec §1.7) as a pure codec, plus
 * one small atomic file writer.
 *
 * The cache lets a restarted device skip DescribeSignalingChannel and
 * GetSignalingChannelEndpoint. Entries are keyed by (channel, region, role) and hold the ARN,
 * the WSS and HTTPS endpoints and the time they were fetched; they are used for
 * ERTC_KVS_CACHE_PERIOD_S (10 h, the C SDK default). Our file is JSON (not the C SDK's
 * comma-separated layout, which cannot escape commas):
 *   {"version":1,"entries":[{"channel","region","role":"MASTER"|"VIEWER","arn","wss",
 *    "https","created":<unix s>}, …]}
 * The cache is advisory: a corrupt file parses to SIGNALING_INVALID_MESSAGE, which the
 * caller logs as a warning and then treats as an empty cache.
 */
#ifndef ERTC_SIGNALING_KVS_CACHE_H
#define ERTC_SIGNALING_KVS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signaling/kvs/kvs_api.h"
#include "util/strbuf.h"
#include "webrtc_status.h"

#define ERTC_KVS_CACHE_MAX_ENTRIES    16
#define ERTC_KVS_CACHE_MAX_REGION_LEN 32
#define ERTC_KVS_CACHE_PERIOD_S       (10 * 3600)
#define ERTC_KVS_CACHE_FORMAT_VERSION 1
/* Largest file accepted: 16 entries of at most ~2.4 KiB each. */
#define ERTC_KVS_CACHE_MAX_FILE_LEN (64 * 1024)

typedef struct {
    char channel[ERTC_KVS_MAX_ARN_LEN + 1]; /* the name, or the ARN when no name was given */
    char region[ERTC_KVS_CACHE_MAX_REGION_LEN + 1];
    ertc_kvs_role_t role;
    char arn[ERTC_KVS_MAX_ARN_LEN + 1];
    ertc_kvs_endpoints_t endpoints;
    int64_t created; /* Unix seconds */
} ertc_kvs_cache_entry_t;

typedef struct {
    size_t count;
    ertc_kvs_cache_entry_t entries[ERTC_KVS_CACHE_MAX_ENTRIES];
} ertc_kvs_cache_t;

/* The entry for the key, or NULL. */
const ertc_kvs_cache_entry_t *ertc_kvs_cache_find(const ertc_kvs_cache_t *cache,
                                                  const char *channel, const char *region,
                                                  ertc_kvs_role_t role);
/* Inserts or replaces by key; when full, the oldest entry (smallest created) gives way.
 * INVALID_ARG for empty/oversized fields. */
WEBRTC_STATUS ertc_kvs_cache_put(ertc_kvs_cache_t *cache, const ertc_kvs_cache_entry_t *entry);
/* Removes the key's entry (after a 404 from GetIceServerConfig); false if there was none. */
bool ertc_kvs_cache_remove(ertc_kvs_cache_t *cache, const char *channel, const char *region,
                           ertc_kvs_role_t role);
/* An entry is fresh while now <= created + period_s (0 = ERTC_KVS_CACHE_PERIOD_S) and not
 * from the future by more than the period. */
bool ertc_kvs_cache_entry_fresh(const ertc_kvs_cache_entry_t *entry, int64_t now, int64_t period_s);

/* Appends the JSON text of the cache to out. */
WEBRTC_STATUS ertc_kvs_cache_serialize(const ertc_kvs_cache_t *cache, ertc_strbuf_t *out);
/* Parses the file text; any error (bad JSON, unknown version, bad or oversized field, more
 * than MAX_ENTRIES) → SIGNALING_INVALID_MESSAGE with *out emptied. */
WEBRTC_STATUS ertc_kvs_cache_parse(const char *buf, size_t len, ertc_kvs_cache_t *out);

/*
 * The one I/O function: writes data to "<path>.tmp.<pid>" in the same folder, fsyncs it,
 * renames it over path (atomic on POSIX file systems) and fsyncs the folder, so a reader
 * sees the old file or the new one, never a torn one. IO_ERROR (temp file removed) on
 * failure.
 */
WEBRTC_STATUS ertc_kvs_cache_write_atomic(const char *path, const void *data, size_t len);

#endif
