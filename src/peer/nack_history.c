/*
 * peer/nack_history — the sender's bounded history of sent RTP packets and the receiver's
 * NACK list (RFC 4585 §6.2.1). See nack_history.h.
 *
 * The history's bytes live in one ring of bytes_cap bytes, which starts at
 * ERTC_NACK_HISTORY_INITIAL_BYTES and grows up to max_bytes when packets still young enough
 * to be resent need more room (see put()). Packets are written one after another;
 * one that does not fit before the end of the ring starts again at offset 0 (the few bytes
 * left at the end stay unused until the packets before them are evicted). The live bytes are
 * therefore [tail, write_pos) when write_pos is after the oldest packet (`tail`), and
 * [tail, end) + [0, write_pos) once writing has wrapped, which is all put() needs to know to
 * find room.
 */
#include "peer/nack_history.h"

#include <string.h>

#include "peer/rtp.h"
#include "util/alloc.h"

/* ---- sender history -------------------------------------------------------------------- */

static size_t index_slot(const ertc_nack_history_t *h, uint16_t seq)
{
    return seq & (h->index_size - 1);
}

WEBRTC_STATUS ertc_nack_history_init(ertc_nack_history_t *h,
                                     const ertc_nack_history_config_t *config)
{
    if (h == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(h, 0, sizeof(*h));
    h->max_packets = ERTC_NACK_HISTORY_DEFAULT_PACKETS;
    h->max_bytes = ERTC_NACK_HISTORY_DEFAULT_BYTES;
    if (config != NULL) {
        h->max_packets = config->max_packets != 0 ? config->max_packets : h->max_packets;
        h->max_bytes = config->max_bytes != 0 ? config->max_bytes : h->max_bytes;
        h->max_age_ms = config->max_age_ms;
        h->min_resend_interval_ms = config->min_resend_interval_ms;
    }
    if (h->max_packets > ERTC_NACK_HISTORY_MAX_PACKETS ||
        h->max_bytes > ERTC_NACK_HISTORY_MAX_BYTES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* a power of two divides 2^16, so the index stays consistent across the sequence wrap */
    h->index_size = 1;
    while (h->index_size < h->max_packets) {
        h->index_size *= 2;
    }
    h->records = ertc_calloc(h->max_packets, sizeof(h->records[0]));
    h->index = ertc_calloc(h->index_size, sizeof(h->index[0]));
    h->bytes_cap = h->max_bytes < ERTC_NACK_HISTORY_INITIAL_BYTES ? h->max_bytes
                                                                  : ERTC_NACK_HISTORY_INITIAL_BYTES;
    h->bytes = ertc_malloc(h->bytes_cap);
    if (h->records == NULL || h->index == NULL || h->bytes == NULL) {
        ertc_nack_history_free(h);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_nack_history_free(ertc_nack_history_t *h)
{
    if (h == NULL) {
        return;
    }
    ertc_free(h->records);
    ertc_free(h->index);
    ertc_free(h->bytes);
    h->records = NULL;
    h->index = NULL;
    h->bytes = NULL;
    h->bytes_cap = 0;
    h->count = 0;
}

void ertc_nack_history_clear(ertc_nack_history_t *h)
{
    if (h == NULL || h->records == NULL) {
        return;
    }
    memset(h->records, 0, h->max_packets * sizeof(h->records[0]));
    memset(h->index, 0, h->index_size * sizeof(h->index[0]));
    h->head = 0;
    h->count = 0;
    h->write_pos = 0;
    h->bytes_used = 0;
}

static void evict_oldest(ertc_nack_history_t *h)
{
    ertc_nack_history_record_t *r = &h->records[h->head];
    size_t slot = index_slot(h, r->seq);
    if (h->index[slot] == h->head + 1) {
        h->index[slot] = 0;
    }
    h->bytes_used -= r->len;
    r->live = false;
    h->head = (h->head + 1) % h->max_packets;
    h->count--;
    h->stats.evicted++;
    if (h->count == 0) {
        h->write_pos = 0;
    }
}

/* Finds `len` free bytes without evicting anything. */
static bool find_room(const ertc_nack_history_t *h, size_t len, size_t *offset)
{
    if (h->count == 0) {
        *offset = 0;
        return len <= h->bytes_cap;
    }
    size_t tail = h->records[h->head].offset;
    if (h->write_pos > tail) {
        if (h->bytes_cap - h->write_pos >= len) {
            *offset = h->write_pos;
            return true;
        }
        if (tail >= len) {
            *offset = 0; /* wrap: the bytes before the oldest packet are free */
            return true;
        }
        return false;
    }
    if (tail - h->write_pos >= len) {
        *offset = h->write_pos;
        return true;
    }
    return false;
}

/* The ring grows by half, up to max_bytes: it then holds at most 1.5x what the bitrate needs
 * (doubling could hold twice that), for ~10 reallocations from 16 KiB to 1 MiB. It grows only
 * while its live bytes do not wrap, i.e. lie in [tail, write_pos): realloc keeps them where
 * they are and the new space follows them. Once wrapped, the oldest packets are evicted
 * instead until the tail comes round. */
static bool grow_bytes(ertc_nack_history_t *h, size_t len)
{
    if (h->bytes_cap >= h->max_bytes ||
        (h->count > 0 && h->write_pos <= h->records[h->head].offset)) {
        return false;
    }
    size_t want = (h->count > 0 ? h->write_pos : 0) + len;
    size_t cap = h->bytes_cap != 0 ? h->bytes_cap : ERTC_NACK_HISTORY_INITIAL_BYTES;
    while (cap < want && cap < h->max_bytes) {
        cap = cap > h->max_bytes / 3 * 2 ? h->max_bytes : cap + cap / 2;
    }
    if (cap > h->max_bytes) {
        cap = h->max_bytes;
    }
    if (cap < want) {
        return false;
    }
    uint8_t *bytes = ertc_realloc(h->bytes, cap);
    if (bytes == NULL) {
        return false; /* the oldest packets make room instead */
    }
    h->bytes = bytes;
    h->bytes_cap = cap;
    return true;
}

static bool oldest_expired(const ertc_nack_history_t *h, uint64_t now_ms)
{
    return h->count > 0 && h->max_age_ms != 0 &&
           now_ms - h->records[h->head].stored_ms > h->max_age_ms;
}

WEBRTC_STATUS ertc_nack_history_put(ertc_nack_history_t *h, uint16_t seq, const uint8_t *packet,
                                    size_t len, uint64_t now_ms)
{
    if (h == NULL || h->records == NULL || packet == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (len > h->max_bytes || len > ERTC_NACK_HISTORY_MAX_PACKET_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (h->count == h->max_packets) {
        evict_oldest(h);
    }
    /* Room, cheapest first: packets too old to be resent anyway, then a bigger ring (so that
     * memory follows the bitrate times max_age_ms rather than max_bytes), then the oldest
     * packets. Terminates: each turn evicts one packet or grows the ring towards max_bytes,
     * and with nothing stored a ring of at least len bytes fits at offset 0. */
    size_t offset = 0;
    while (!find_room(h, len, &offset)) {
        if (oldest_expired(h, now_ms)) {
            evict_oldest(h);
        } else if (grow_bytes(h, len)) {
            continue;
        } else if (h->count > 0) {
            evict_oldest(h);
        } else {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    size_t pos = (h->head + h->count) % h->max_packets;
    ertc_nack_history_record_t *r = &h->records[pos];
    r->live = true;
    r->resent = false;
    r->seq = seq;
    r->len = (uint32_t)len;
    r->offset = offset;
    r->stored_ms = now_ms;
    r->resent_ms = 0;
    memcpy(h->bytes + offset, packet, len);
    h->write_pos = offset + len;

    size_t slot = index_slot(h, seq);
    if (h->index[slot] != 0) {
        ertc_nack_history_record_t *old = &h->records[h->index[slot] - 1];
        if (old->live && old->seq == seq) {
            old->live = false; /* the same sequence number stored again: keep the newest */
        }
    }
    h->index[slot] = (uint16_t)(pos + 1);
    h->count++;
    h->bytes_used += len;
    h->stats.stored++;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_nack_history_get(ertc_nack_history_t *h, uint16_t seq, uint64_t now_ms,
                                    const uint8_t **packet, size_t *len)
{
    if (h == NULL || h->records == NULL || packet == NULL || len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *packet = NULL;
    *len = 0;
    uint16_t entry = h->index[index_slot(h, seq)];
    ertc_nack_history_record_t *r = entry != 0 ? &h->records[entry - 1] : NULL;
    if (r == NULL || !r->live || r->seq != seq) {
        h->stats.missing++;
        return WEBRTC_STATUS_NOT_FOUND;
    }
    if (h->max_age_ms != 0 && now_ms > r->stored_ms && now_ms - r->stored_ms > h->max_age_ms) {
        h->stats.too_old++;
        return WEBRTC_STATUS_NOT_FOUND;
    }
    if (h->min_resend_interval_ms != 0 && r->resent && now_ms >= r->resent_ms &&
        now_ms - r->resent_ms < h->min_resend_interval_ms) {
        h->stats.throttled++;
        return WEBRTC_STATUS_RETRY_LATER;
    }
    r->resent = true;
    r->resent_ms = now_ms;
    h->stats.resent++;
    *packet = h->bytes + r->offset;
    *len = r->len;
    return WEBRTC_STATUS_SUCCESS;
}

size_t ertc_nack_history_count(const ertc_nack_history_t *h)
{
    return h != NULL ? h->count : 0;
}

size_t ertc_nack_history_bytes(const ertc_nack_history_t *h)
{
    return h != NULL ? h->bytes_used : 0;
}

void ertc_nack_history_get_stats(const ertc_nack_history_t *h, ertc_nack_history_stats_t *out)
{
    if (h != NULL && out != NULL) {
        *out = h->stats;
    }
}

/* ---- receiver NACK list ---------------------------------------------------------------- */

#define MAX_RETRIES_LIMIT UINT8_MAX
#define MAX_AGE_LIMIT     32767

WEBRTC_STATUS ertc_nack_generator_init(ertc_nack_generator_t *g,
                                       const ertc_nack_generator_config_t *config)
{
    if (g == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(g, 0, sizeof(*g));
    g->max_missing = ERTC_NACK_GEN_MAX_MISSING;
    g->max_retries = ERTC_NACK_GEN_DEFAULT_MAX_RETRIES;
    g->retry_interval_ms = ERTC_NACK_GEN_DEFAULT_RETRY_MS;
    g->max_age_seqs = ERTC_NACK_GEN_DEFAULT_MAX_AGE;
    if (config != NULL) {
        g->max_missing = config->max_missing != 0 ? config->max_missing : g->max_missing;
        g->max_retries = config->max_retries != 0 ? config->max_retries : g->max_retries;
        g->retry_interval_ms =
            config->retry_interval_ms != 0 ? config->retry_interval_ms : g->retry_interval_ms;
        g->max_age_seqs = config->max_age_seqs != 0 ? config->max_age_seqs : g->max_age_seqs;
    }
    if (g->max_missing > ERTC_NACK_GEN_MAX_MISSING || g->max_retries > MAX_RETRIES_LIMIT ||
        g->max_age_seqs > MAX_AGE_LIMIT) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void remove_entry(ertc_nack_generator_t *g, size_t i)
{
    memmove(&g->entries[i], &g->entries[i + 1], (g->count - i - 1) * sizeof(g->entries[0]));
    g->count--;
}

static void add_missing(ertc_nack_generator_t *g, uint16_t seq)
{
    ertc_nack_generator_entry_t *e = &g->entries[g->count++];
    memset(e, 0, sizeof(*e));
    e->seq = seq;
    g->stats.missing++;
}

void ertc_nack_generator_on_packet(ertc_nack_generator_t *g, uint16_t seq)
{
    if (g == NULL) {
        return;
    }
    if (!g->started) {
        g->started = true;
        g->newest = seq;
        return;
    }
    int32_t diff = ertc_rtp_seq_diff(seq, g->newest);
    if (diff == 0) {
        return;
    }
    if (diff < 0) {
        for (size_t i = 0; i < g->count; i++) {
            if (g->entries[i].seq == seq) {
                remove_entry(g, i);
                g->stats.recovered++;
                break;
            }
        }
        return;
    }
    size_t skipped = (size_t)diff - 1;
    if (skipped > g->max_missing) {
        /* more than NACK can repair (or a sender restart): ask for a key frame instead */
        g->count = 0;
        g->stats.overflows++;
        g->keyframe_request = true;
    } else if (skipped > 0) {
        while (g->count + skipped > g->max_missing) {
            remove_entry(g, 0);
            g->stats.gave_up++;
        }
        for (uint16_t s = (uint16_t)(g->newest + 1); s != seq; s++) {
            add_missing(g, s);
        }
    }
    g->newest = seq;
    while (g->count > 0 &&
           ertc_rtp_seq_diff(g->newest, g->entries[0].seq) > (int32_t)g->max_age_seqs) {
        remove_entry(g, 0);
        g->stats.gave_up++;
    }
}

size_t ertc_nack_generator_collect(ertc_nack_generator_t *g, uint64_t now_ms, uint16_t *out,
                                   size_t cap)
{
    if (g == NULL || out == NULL) {
        return 0;
    }
    size_t n = 0;
    size_t i = 0;
    while (i < g->count && n < cap) {
        ertc_nack_generator_entry_t *e = &g->entries[i];
        bool due =
            !e->sent || (now_ms >= e->sent_ms && now_ms - e->sent_ms >= g->retry_interval_ms);
        if (!due) {
            i++;
            continue;
        }
        if (e->retries >= g->max_retries) {
            remove_entry(g, i);
            g->stats.gave_up++;
            continue;
        }
        out[n++] = e->seq;
        e->retries++;
        e->sent = true;
        e->sent_ms = now_ms;
        g->stats.nacked++;
        i++;
    }
    return n;
}

void ertc_nack_generator_set_retry_interval(ertc_nack_generator_t *g, uint32_t ms)
{
    if (g != NULL && ms != 0) {
        g->retry_interval_ms = ms;
    }
}

size_t ertc_nack_generator_missing(const ertc_nack_generator_t *g)
{
    return g != NULL ? g->count : 0;
}

bool ertc_nack_generator_take_keyframe_request(ertc_nack_generator_t *g)
{
    if (g == NULL || !g->keyframe_request) {
        return false;
    }
    g->keyframe_request = false;
    return true;
}

void ertc_nack_generator_get_stats(const ertc_nack_generator_t *g, ertc_nack_generator_stats_t *out)
{
    if (g != NULL && out != NULL) {
        *out = g->stats;
    }
}
