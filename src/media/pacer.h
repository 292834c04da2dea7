/*
 * media/pacer — real-time pacing for the captures: frames are due at fixed points of the
 * monotonic clock, and get_frame sleeps until the next one (at most wait_ms).
 *
 * Due times advance by the frame's duration from the previous due time, so they do not drift
 * with sleep overshoot. A caller that falls far behind (the app stalled) does not get a burst
 * of catch-up frames: the schedule restarts from now.
 */
#ifndef ERTC_MEDIA_PACER_H
#define ERTC_MEDIA_PACER_H

#include <stdbool.h>
#include <stdint.h>

/* Further behind than this, the schedule restarts instead of catching up. */
#define ERTC_MEDIA_PACER_MAX_LATE_US 200000u

typedef struct {
    uint64_t next_due_us; /* monotonic */
    uint64_t resyncs;
} ertc_media_pacer_t;

/* The first frame is due at once. */
void ertc_media_pacer_start(ertc_media_pacer_t *p);

/* Sleeps until the next frame is due if that is within wait_ms and returns true with its due
 * time; otherwise sleeps wait_ms and returns false. */
bool ertc_media_pacer_wait(ertc_media_pacer_t *p, uint32_t wait_ms, uint64_t *due_us);

/* The frame just taken lasts duration_us: the next is due that much later. */
void ertc_media_pacer_advance(ertc_media_pacer_t *p, uint64_t duration_us);

#endif
