/*
 * peer/h264_depacketizer — RFC 6184 payloads into Annex-B access units, with a small
 * reordering window and frame-level loss handling. See h264_depacketizer.h for the rules.
 *
 * Two layers: the window (push, advance_to, drain) hands packets to the assembler strictly in
 * sequence order and tells it when sequence numbers were skipped; the assembler
 * (assemble_packet, finish_frame) only ever sees an ordered stream with "loss before this
 * packet" marks.
 */
#include "peer/h264_depacketizer.h"

#include <string.h>

#include "util/alloc.h"
#include "util/bytes.h"

static const uint8_t start_code[ERTC_H264_START_CODE_LEN] = {0, 0, 0, 1};

/* ---- the assembler --------------------------------------------------------------------- */

static void request_keyframe(ertc_h264_depacketizer_t *d)
{
    if (!d->keyframe_request) {
        d->keyframe_request = true;
        d->stats.keyframe_requests++;
    }
}

static void damage_frame(ertc_h264_depacketizer_t *d)
{
    d->frame_damaged = true;
    d->in_fu = false;
}

static void begin_frame(ertc_h264_depacketizer_t *d, uint32_t timestamp)
{
    d->in_frame = true;
    d->frame_ts = timestamp;
    d->frame_len = 0;
    d->frame_damaged = false;
    d->frame_oversize = false;
    d->frame_keyframe = false;
    d->in_fu = false;
}

static void finish_frame(ertc_h264_depacketizer_t *d, ertc_h264_frame_fn on_frame, void *ctx)
{
    if (!d->in_frame) {
        return;
    }
    d->in_frame = false;
    if (d->in_fu) {
        d->frame_damaged = true; /* the last FU-A never ended: its end was lost */
    }
    if (d->frame_damaged) {
        d->stats.frames_dropped++;
        if (d->frame_oversize) {
            d->stats.frames_oversize++;
        }
        d->waiting_keyframe = !d->keep_delta_frames;
        request_keyframe(d);
        return;
    }
    if (d->frame_len == 0) {
        return; /* only ignored payload types */
    }
    if (d->waiting_keyframe && !d->frame_keyframe) {
        d->stats.frames_skipped++;
        request_keyframe(d);
        return;
    }
    if (d->frame_keyframe) {
        d->waiting_keyframe = false;
    }
    d->stats.frames++;
    if (on_frame != NULL) {
        ertc_h264_frame_t frame = {d->frame, d->frame_len, d->frame_ts, d->frame_keyframe};
        on_frame(&frame, ctx);
    }
}

/* Makes the frame buffer hold at least `want` (<= max_frame) bytes: doubling from
 * ERTC_H264_INITIAL_FRAME_CAP, so that a frame of n bytes costs O(log n) reallocations and at
 * most twice its size, and never past max_frame. */
static bool grow_frame(ertc_h264_depacketizer_t *d, size_t want)
{
    size_t cap = d->frame_cap != 0 ? d->frame_cap : ERTC_H264_INITIAL_FRAME_CAP;
    while (cap < want && cap < d->max_frame) {
        cap = cap > d->max_frame / 2 ? d->max_frame : cap * 2;
    }
    if (cap > d->max_frame) {
        cap = d->max_frame;
    }
    uint8_t *frame = ertc_realloc(d->frame, cap);
    if (frame == NULL) {
        return false;
    }
    d->frame = frame;
    d->frame_cap = cap;
    return true;
}

/* Appends `len` bytes, optionally preceded by a start code and one NAL header byte. */
static void append(ertc_h264_depacketizer_t *d, bool new_nal, const uint8_t *nal_header,
                   const uint8_t *data, size_t len)
{
    if (d->frame_damaged || (len == 0 && !new_nal && nal_header == NULL)) {
        return;
    }
    size_t need = len + (new_nal ? ERTC_H264_START_CODE_LEN : 0) + (nal_header != NULL ? 1 : 0);
    if (need > d->max_frame - d->frame_len) {
        d->frame_oversize = true;
        damage_frame(d);
        return;
    }
    if (need > d->frame_cap - d->frame_len && !grow_frame(d, d->frame_len + need)) {
        d->stats.alloc_failures++;
        damage_frame(d);
        return;
    }
    uint8_t *out = d->frame + d->frame_len;
    if (new_nal) {
        memcpy(out, start_code, ERTC_H264_START_CODE_LEN);
        out += ERTC_H264_START_CODE_LEN;
    }
    if (nal_header != NULL) {
        *out++ = *nal_header;
    }
    memcpy(out, data, len);
    d->frame_len += need;
}

static void note_nal_type(ertc_h264_depacketizer_t *d, uint8_t type)
{
    if (type == ERTC_H264_NAL_IDR) {
        d->frame_keyframe = true;
    }
}

static bool is_plain_nal_type(uint8_t type)
{
    return type >= 1 && type <= 23;
}

static void malformed(ertc_h264_depacketizer_t *d)
{
    d->stats.packets_malformed++;
    damage_frame(d);
}

/* RFC 6184 §5.7.1: [STAP-A header] then (16-bit size, NAL unit)+. The whole payload is
 * checked before anything is appended. */
static void assemble_stap_a(ertc_h264_depacketizer_t *d, const uint8_t *p, size_t len)
{
    size_t pos = ERTC_H264_STAP_A_HEADER_LEN;
    if (pos == len) {
        malformed(d);
        return;
    }
    while (pos < len) {
        if (len - pos < ERTC_H264_STAP_SIZE_LEN) {
            malformed(d);
            return;
        }
        size_t size = ertc_get_be16(p + pos);
        pos += ERTC_H264_STAP_SIZE_LEN;
        if (size == 0 || size > len - pos || !is_plain_nal_type(ertc_h264_nal_type(p[pos]))) {
            malformed(d);
            return;
        }
        pos += size;
    }
    pos = ERTC_H264_STAP_A_HEADER_LEN;
    while (pos < len) {
        size_t size = ertc_get_be16(p + pos);
        pos += ERTC_H264_STAP_SIZE_LEN;
        note_nal_type(d, ertc_h264_nal_type(p[pos]));
        append(d, true, NULL, p + pos, size);
        pos += size;
    }
}

/* RFC 6184 §5.8: FU indicator (F, NRI, 28), FU header (S, E, R, type), fragment data. */
static void assemble_fu_a(ertc_h264_depacketizer_t *d, const uint8_t *p, size_t len)
{
    if (len < ERTC_H264_FU_HEADER_LEN) {
        malformed(d);
        return;
    }
    bool start = (p[1] & ERTC_H264_FU_START_BIT) != 0;
    bool end = (p[1] & ERTC_H264_FU_END_BIT) != 0;
    uint8_t type = ertc_h264_nal_type(p[1]);
    /* §5.8: start and end in one FU is not allowed, and the fragmented unit is a plain one */
    if ((start && end) || !is_plain_nal_type(type)) {
        malformed(d);
        return;
    }
    const uint8_t *data = p + ERTC_H264_FU_HEADER_LEN;
    size_t data_len = len - ERTC_H264_FU_HEADER_LEN;
    if (start) {
        if (d->in_fu) {
            damage_frame(d); /* the previous FU-A lost its end */
            return;
        }
        uint8_t header = (uint8_t)((p[0] & (ERTC_H264_NAL_F_BIT | ERTC_H264_NAL_NRI_MASK)) | type);
        note_nal_type(d, type);
        append(d, true, &header, data, data_len);
        d->in_fu = !d->frame_damaged;
        d->fu_type = type;
        return;
    }
    if (!d->in_fu || type != d->fu_type) {
        /* a middle or end fragment whose start was lost (or belongs to another unit) */
        damage_frame(d);
        return;
    }
    append(d, false, NULL, data, data_len);
    if (end) {
        d->in_fu = false;
    }
}

static void assemble_packet(ertc_h264_depacketizer_t *d, uint32_t timestamp, bool marker,
                            const uint8_t *p, size_t len, ertc_h264_frame_fn on_frame, void *ctx)
{
    bool lost_before = d->loss_pending;
    d->loss_pending = false;
    if (d->in_frame && lost_before) {
        damage_frame(d);
    }
    if (d->in_frame && timestamp != d->frame_ts) {
        finish_frame(d, on_frame, ctx); /* the sender left the marker bit off */
    }
    if (!d->in_frame) {
        begin_frame(d, timestamp);
        if (lost_before) {
            damage_frame(d);
        }
    }
    if (len == 0) {
        malformed(d);
    } else {
        uint8_t type = ertc_h264_nal_type(p[0]);
        if (is_plain_nal_type(type)) {
            if (d->in_fu) {
                damage_frame(d); /* an FU-A was interrupted: its end was lost */
            }
            note_nal_type(d, type);
            append(d, true, NULL, p, len);
        } else if (type == ERTC_H264_NAL_STAP_A) {
            if (d->in_fu) {
                damage_frame(d);
            }
            assemble_stap_a(d, p, len);
        } else if (type == ERTC_H264_NAL_FU_A) {
            assemble_fu_a(d, p, len);
        } else if (type == ERTC_H264_NAL_STAP_B || type == ERTC_H264_NAL_MTAP16 ||
                   type == ERTC_H264_NAL_MTAP24 || type == ERTC_H264_NAL_FU_B) {
            malformed(d); /* interleaved mode (packetization-mode=2) is never negotiated */
        }
        /* types 0, 30 and 31: ignored */
    }
    if (marker) {
        finish_frame(d, on_frame, ctx);
    }
}

/* ---- the reordering window ------------------------------------------------------------- */

static ertc_h264_reorder_slot_t *slot_for(ertc_h264_depacketizer_t *d, uint16_t seq)
{
    return &d->slots[seq & (d->slot_count - 1)];
}

static uint8_t *slot_bytes(ertc_h264_depacketizer_t *d, const ertc_h264_reorder_slot_t *slot)
{
    return d->slot_data + (size_t)(slot - d->slots) * ERTC_H264_REORDER_SLOT_SIZE;
}

/* Releases `expected`: the held packet if there is one, otherwise a loss. */
static void release_expected(ertc_h264_depacketizer_t *d, ertc_h264_frame_fn on_frame, void *ctx)
{
    ertc_h264_reorder_slot_t *slot = slot_for(d, d->expected);
    if (slot->used && slot->seq == d->expected) {
        slot->used = false;
        d->held--;
        assemble_packet(d, slot->timestamp, slot->marker, slot_bytes(d, slot), slot->len, on_frame,
                        ctx);
    } else {
        d->stats.packets_lost++;
        d->loss_pending = true;
    }
    d->expected++;
}

/* Releases held packets that are next in order. */
static void drain(ertc_h264_depacketizer_t *d, ertc_h264_frame_fn on_frame, void *ctx)
{
    while (d->held > 0) {
        ertc_h264_reorder_slot_t *slot = slot_for(d, d->expected);
        if (!slot->used || slot->seq != d->expected) {
            return;
        }
        release_expected(d, on_frame, ctx);
    }
}

/* Moves `expected` up to `target`, releasing or losing everything before it. */
static void advance_to(ertc_h264_depacketizer_t *d, uint16_t target, ertc_h264_frame_fn on_frame,
                       void *ctx)
{
    while (d->expected != target) {
        if (d->held == 0) {
            d->stats.packets_lost += (uint16_t)(target - d->expected);
            d->loss_pending = true;
            d->expected = target;
            return;
        }
        release_expected(d, on_frame, ctx);
    }
}

static void process_in_order(ertc_h264_depacketizer_t *d, uint32_t timestamp, bool marker,
                             const uint8_t *payload, size_t len, ertc_h264_frame_fn on_frame,
                             void *ctx)
{
    assemble_packet(d, timestamp, marker, payload, len, on_frame, ctx);
    d->expected++;
    drain(d, on_frame, ctx);
}

/* RFC 3550 §A.1: a large jump is a restart only if the next packet continues from it. */
static bool accept_jump(ertc_h264_depacketizer_t *d, uint16_t seq, ertc_h264_frame_fn on_frame,
                        void *ctx)
{
    if (!d->have_bad_seq || seq != d->bad_seq) {
        d->have_bad_seq = true;
        d->bad_seq = (uint16_t)(seq + 1);
        return false;
    }
    d->have_bad_seq = false;
    d->stats.resyncs++;
    ertc_h264_depacketizer_flush(d, on_frame, ctx);
    if (d->in_frame) {
        damage_frame(d);
        finish_frame(d, on_frame, ctx);
    }
    d->loss_pending = false;
    d->expected = seq;
    d->waiting_keyframe = !d->keep_delta_frames;
    return true;
}

WEBRTC_STATUS ertc_h264_depacketizer_push(ertc_h264_depacketizer_t *d, uint16_t seq,
                                          uint32_t timestamp, bool marker, const uint8_t *payload,
                                          size_t len, ertc_h264_frame_fn on_frame, void *ctx)
{
    if (d == NULL || d->slots == NULL || (payload == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    d->stats.packets++;
    if (!d->started) {
        d->started = true;
        d->expected = seq;
    }
    int32_t diff = ertc_rtp_seq_diff(seq, d->expected);
    if (diff > ERTC_RTP_MAX_DROPOUT || diff < -ERTC_RTP_MAX_MISORDER) {
        if (!accept_jump(d, seq, on_frame, ctx)) {
            d->stats.packets_late++;
            return WEBRTC_STATUS_SUCCESS;
        }
        diff = 0;
    }
    if (diff < 0) {
        d->stats.packets_late++;
        return WEBRTC_STATUS_SUCCESS;
    }
    if ((size_t)diff >= d->window) {
        /* the oldest gaps fall out of the window: lost, and what waited behind them goes */
        advance_to(d, (uint16_t)(seq - (d->window - 1)), on_frame, ctx);
        drain(d, on_frame, ctx);
        diff = ertc_rtp_seq_diff(seq, d->expected);
        if (diff < 0) {
            d->stats.packets_late++; /* a duplicate of a held packet, just released */
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    if (diff == 0) {
        process_in_order(d, timestamp, marker, payload, len, on_frame, ctx);
        return WEBRTC_STATUS_SUCCESS;
    }
    ertc_h264_reorder_slot_t *slot = slot_for(d, seq);
    if (slot->used) {
        d->stats.packets_late++; /* a duplicate of a held packet */
        return WEBRTC_STATUS_SUCCESS;
    }
    if (len > ERTC_H264_REORDER_SLOT_SIZE) {
        d->stats.packets_too_big++;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (d->slot_data == NULL) {
        d->slot_data = ertc_malloc(d->slot_count * ERTC_H264_REORDER_SLOT_SIZE);
        if (d->slot_data == NULL) {
            d->stats.alloc_failures++; /* not held: it counts as lost when the gap closes */
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    slot->used = true;
    slot->seq = seq;
    slot->len = (uint16_t)len;
    slot->marker = marker;
    slot->timestamp = timestamp;
    if (len > 0) {
        memcpy(slot_bytes(d, slot), payload, len);
    }
    if (d->held == 0 || ertc_rtp_seq_newer(seq, d->newest_held)) {
        d->newest_held = seq;
    }
    d->held++;
    d->stats.packets_reordered++;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_h264_depacketizer_push_rtp(ertc_h264_depacketizer_t *d,
                                              const ertc_rtp_packet_t *pkt,
                                              ertc_h264_frame_fn on_frame, void *ctx)
{
    if (pkt == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    return ertc_h264_depacketizer_push(d, pkt->header.seq, pkt->header.timestamp,
                                       pkt->header.marker, pkt->payload, pkt->payload_len, on_frame,
                                       ctx);
}

void ertc_h264_depacketizer_flush(ertc_h264_depacketizer_t *d, ertc_h264_frame_fn on_frame,
                                  void *ctx)
{
    if (d == NULL || d->slots == NULL || d->held == 0) {
        return;
    }
    advance_to(d, (uint16_t)(d->newest_held + 1), on_frame, ctx);
}

/* ---- lifetime and accessors ------------------------------------------------------------ */

static void reset_state(ertc_h264_depacketizer_t *d)
{
    d->started = false;
    d->expected = 0;
    d->held = 0;
    d->newest_held = 0;
    d->have_bad_seq = false;
    d->loss_pending = false;
    d->in_frame = false;
    d->frame_len = 0;
    d->in_fu = false;
    d->waiting_keyframe = !d->keep_delta_frames;
    d->keyframe_request = false;
    if (d->slots != NULL) {
        memset(d->slots, 0, d->slot_count * sizeof(d->slots[0]));
    }
}

WEBRTC_STATUS ertc_h264_depacketizer_init(ertc_h264_depacketizer_t *d,
                                          const ertc_h264_depacketizer_config_t *config)
{
    if (d == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(d, 0, sizeof(*d));
    d->max_frame = ERTC_H264_DEFAULT_MAX_FRAME;
    d->window = ERTC_H264_DEFAULT_REORDER_WINDOW;
    if (config != NULL) {
        d->max_frame = config->max_frame_size != 0 ? config->max_frame_size : d->max_frame;
        d->window = config->reorder_window != 0 ? config->reorder_window : d->window;
        d->keep_delta_frames = config->keep_delta_frames;
    }
    if (d->max_frame > ERTC_H264_MAX_FRAME_LIMIT || d->window > ERTC_H264_MAX_REORDER_WINDOW) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* a power of two divides 2^16, so seq % slot_count stays unique across the wrap */
    d->slot_count = 1;
    while (d->slot_count < d->window) {
        d->slot_count *= 2;
    }
    /* The frame buffer and the window's packet storage come when first needed. */
    d->slots = ertc_calloc(d->slot_count, sizeof(d->slots[0]));
    if (d->slots == NULL) {
        ertc_h264_depacketizer_free(d);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    reset_state(d);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_h264_depacketizer_free(ertc_h264_depacketizer_t *d)
{
    if (d == NULL) {
        return;
    }
    ertc_free(d->frame);
    ertc_free(d->slots);
    ertc_free(d->slot_data);
    d->frame = NULL;
    d->frame_cap = 0;
    d->slots = NULL;
    d->slot_data = NULL;
}

void ertc_h264_depacketizer_reset(ertc_h264_depacketizer_t *d)
{
    if (d != NULL) {
        reset_state(d);
    }
}

size_t ertc_h264_depacketizer_held(const ertc_h264_depacketizer_t *d)
{
    return d != NULL ? d->held : 0;
}

bool ertc_h264_depacketizer_take_keyframe_request(ertc_h264_depacketizer_t *d)
{
    if (d == NULL || !d->keyframe_request) {
        return false;
    }
    d->keyframe_request = false;
    return true;
}

void ertc_h264_depacketizer_get_stats(const ertc_h264_depacketizer_t *d,
                                      ertc_h264_depacketizer_stats_t *out)
{
    if (d != NULL && out != NULL) {
        *out = d->stats;
    }
}
