/*
 * peer/media_pump_queue — the bounded frame queue between the media thread and one session.
 *
 * Encoded frames (H.264 access units, Opus packets) are captured once and shared by every
 * session through a reference count (ertc_media_frame_t). Each CONNECTED session has one
 * queue of such references, bounded both in entries and in bytes, so a session whose
 * network is slower than the source never makes the capture wait and never makes memory
 * grow: the queue drops instead.
 *
 * Drop policy, and why:
 *  - A video frame that does not fit: every video frame still queued is dropped and the
 *    queue waits for the next key frame. Dropping only the oldest P-frame would leave the
 *    ones after it undecodable anyway (they reference it), so the decoder is fed again only
 *    from an IDR; the caller asks the source for one (ertc_media_queue_push reports it).
 *  - While waiting for a key frame, non-key video frames are dropped on arrival.
 *  - An audio packet that does not fit: the oldest queued audio packets go first (each Opus
 *    packet decodes on its own); if only video is left, video is dropped as above.
 *  - A new queue starts waiting for a key frame: a session's first video is an IDR.
 *
 * Not thread-safe: the media pump guards every queue with its own mutex. Pure data
 * structure, tested on its own (tests/unit/test_media_pump.c).
 */
#ifndef ERTC_PEER_MEDIA_PUMP_QUEUE_H
#define ERTC_PEER_MEDIA_PUMP_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_MEDIA_QUEUE_DEFAULT_FRAMES 32
#define ERTC_MEDIA_QUEUE_DEFAULT_BYTES  (512u * 1024u)
#define ERTC_MEDIA_QUEUE_MAX_FRAMES     1024 /* largest entry count accepted */

typedef enum {
    ERTC_MEDIA_VIDEO = 0,
    ERTC_MEDIA_AUDIO,
} ertc_media_kind_t;

/* One captured frame, shared read-only by every queue that holds it. */
typedef struct {
    atomic_uint refs;
    ertc_media_kind_t kind;
    bool key;              /* video: the access unit has an IDR slice */
    uint64_t timestamp_us; /* from the source */
    size_t len;
    uint8_t data[];
} ertc_media_frame_t;

/* A frame of len bytes with one reference; NULL when out of memory. */
ertc_media_frame_t *ertc_media_frame_new(ertc_media_kind_t kind, bool key, uint64_t timestamp_us,
                                         size_t len);
ertc_media_frame_t *ertc_media_frame_ref(ertc_media_frame_t *frame);
void ertc_media_frame_unref(ertc_media_frame_t *frame); /* NULL is fine */

typedef struct {
    uint64_t video_queued;
    uint64_t audio_queued;
    uint64_t video_dropped; /* on overflow, while waiting for a key frame, or too large */
    uint64_t audio_dropped;
    uint64_t overflows; /* times the queue was full */
} ertc_media_queue_stats_t;

typedef struct {
    ertc_media_frame_t **slots; /* ring of max_frames references */
    size_t max_frames;
    size_t max_bytes;
    size_t head;  /* oldest entry */
    size_t count; /* entries */
    size_t bytes; /* sum of the queued frames' lengths */
    bool video_waiting_key;
    ertc_media_queue_stats_t stats;
} ertc_media_queue_t;

/* What ertc_media_queue_push did with a frame. */
typedef enum {
    ERTC_MEDIA_QUEUE_QUEUED = 0,
    ERTC_MEDIA_QUEUE_DROPPED,          /* not queued (waiting for a key frame, or too large) */
    ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY, /* overflow: video dropped, ask the source for a key
                                          frame (the frame itself may have been queued) */
} ertc_media_queue_result_t;

/* 0 = the defaults. INVALID_ARG above ERTC_MEDIA_QUEUE_MAX_FRAMES. */
WEBRTC_STATUS ertc_media_queue_init(ertc_media_queue_t *q, size_t max_frames, size_t max_bytes);
/* Drops (unreferences) every queued frame and frees the ring. */
void ertc_media_queue_free(ertc_media_queue_t *q);

/* Queues a new reference to frame, or drops by the policy above. Never blocks, never
 * allocates. */
ertc_media_queue_result_t ertc_media_queue_push(ertc_media_queue_t *q, ertc_media_frame_t *frame);
/* The oldest frame (the caller now owns its reference), or NULL when empty. */
ertc_media_frame_t *ertc_media_queue_pop(ertc_media_queue_t *q);
/* Starts waiting for a key frame again, dropping queued video (a new session, or a send
 * failure that left the decoder behind). */
void ertc_media_queue_restart_video(ertc_media_queue_t *q);

#endif
