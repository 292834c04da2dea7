/*
 * peer/media_pump_queue — bounded per-session frame queue with a drop policy that keeps the
 * video decodable (see media_pump_queue.h).
 */
#include "peer/media_pump_queue.h"

#include <string.h>

#include "util/alloc.h"

ertc_media_frame_t *ertc_media_frame_new(ertc_media_kind_t kind, bool key, uint64_t timestamp_us,
                                         size_t len)
{
    ertc_media_frame_t *f = ertc_malloc(sizeof(*f) + len);
    if (f == NULL) {
        return NULL;
    }
    atomic_init(&f->refs, 1);
    f->kind = kind;
    f->key = key;
    f->timestamp_us = timestamp_us;
    f->len = len;
    return f;
}

ertc_media_frame_t *ertc_media_frame_ref(ertc_media_frame_t *frame)
{
    atomic_fetch_add(&frame->refs, 1);
    return frame;
}

void ertc_media_frame_unref(ertc_media_frame_t *frame)
{
    if (frame != NULL && atomic_fetch_sub(&frame->refs, 1) == 1) {
        ertc_free(frame);
    }
}

WEBRTC_STATUS ertc_media_queue_init(ertc_media_queue_t *q, size_t max_frames, size_t max_bytes)
{
    memset(q, 0, sizeof(*q));
    if (max_frames > ERTC_MEDIA_QUEUE_MAX_FRAMES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    q->max_frames = max_frames > 0 ? max_frames : ERTC_MEDIA_QUEUE_DEFAULT_FRAMES;
    q->max_bytes = max_bytes > 0 ? max_bytes : ERTC_MEDIA_QUEUE_DEFAULT_BYTES;
    q->slots = ertc_calloc(q->max_frames, sizeof(*q->slots));
    if (q->slots == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    q->video_waiting_key = true;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_media_queue_free(ertc_media_queue_t *q)
{
    if (q->slots == NULL) {
        return;
    }
    ertc_media_frame_t *f;
    while ((f = ertc_media_queue_pop(q)) != NULL) {
        ertc_media_frame_unref(f);
    }
    ertc_free(q->slots);
    q->slots = NULL;
}

static bool queue_fits(const ertc_media_queue_t *q, size_t len)
{
    return q->count < q->max_frames && q->bytes + len <= q->max_bytes;
}

static void count_drop(ertc_media_queue_t *q, const ertc_media_frame_t *f)
{
    if (f->kind == ERTC_MEDIA_VIDEO) {
        q->stats.video_dropped++;
    } else {
        q->stats.audio_dropped++;
    }
}

/* Drops queued frames of one kind (all of them, or only the oldest when just_one), keeping
 * the order of the rest. Returns how many were dropped. */
static size_t queue_drop_kind(ertc_media_queue_t *q, ertc_media_kind_t kind, bool just_one)
{
    size_t kept = 0;
    size_t dropped = 0;
    for (size_t i = 0; i < q->count; i++) {
        ertc_media_frame_t *f = q->slots[(q->head + i) % q->max_frames];
        if (f->kind == kind && (!just_one || dropped == 0)) {
            q->bytes -= f->len;
            count_drop(q, f);
            ertc_media_frame_unref(f);
            dropped++;
        } else {
            q->slots[(q->head + kept) % q->max_frames] = f;
            kept++;
        }
    }
    q->count = kept;
    return dropped;
}

void ertc_media_queue_restart_video(ertc_media_queue_t *q)
{
    (void)queue_drop_kind(q, ERTC_MEDIA_VIDEO, false);
    q->video_waiting_key = true;
}

ertc_media_queue_result_t ertc_media_queue_push(ertc_media_queue_t *q, ertc_media_frame_t *frame)
{
    bool video = frame->kind == ERTC_MEDIA_VIDEO;
    if (frame->len > q->max_bytes) {
        count_drop(q, frame); /* could never fit: the source's frames are too large */
        if (video) {
            ertc_media_queue_restart_video(q);
        }
        return ERTC_MEDIA_QUEUE_DROPPED;
    }
    if (video && q->video_waiting_key && !frame->key) {
        count_drop(q, frame);
        return ERTC_MEDIA_QUEUE_DROPPED;
    }
    bool need_key = false;
    if (!queue_fits(q, frame->len)) {
        q->stats.overflows++;
        if (video) {
            ertc_media_queue_restart_video(q);
            if (!frame->key) {
                count_drop(q, frame);
                return ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY;
            }
        } else {
            while (!queue_fits(q, frame->len) && queue_drop_kind(q, ERTC_MEDIA_AUDIO, true) > 0) {
            }
            if (!queue_fits(q, frame->len)) {
                ertc_media_queue_restart_video(q);
                need_key = true;
            }
        }
    }
    /* A key frame after its video was flushed may still meet a queue full of audio. */
    while (!queue_fits(q, frame->len) && queue_drop_kind(q, ERTC_MEDIA_AUDIO, true) > 0) {
    }
    if (!queue_fits(q, frame->len)) {
        count_drop(q, frame);
        return need_key ? ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY : ERTC_MEDIA_QUEUE_DROPPED;
    }
    q->slots[(q->head + q->count) % q->max_frames] = ertc_media_frame_ref(frame);
    q->count++;
    q->bytes += frame->len;
    if (video) {
        q->stats.video_queued++;
        if (frame->key) {
            q->video_waiting_key = false;
        }
    } else {
        q->stats.audio_queued++;
    }
    return need_key ? ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY : ERTC_MEDIA_QUEUE_QUEUED;
}

ertc_media_frame_t *ertc_media_queue_pop(ertc_media_queue_t *q)
{
    if (q->count == 0) {
        return NULL;
    }
    ertc_media_frame_t *f = q->slots[q->head];
    q->slots[q->head] = NULL;
    q->head = (q->head + 1) % q->max_frames;
    q->count--;
    q->bytes -= f->len;
    return f;
}
