/*
 * media/pacer — frame due times on the monotonic clock (see pacer.h).
 */
#include "media/pacer.h"

#include "port/port.h"

void ertc_media_pacer_start(ertc_media_pacer_t *p)
{
    p->next_due_us = ertc_time_mono_us();
}

bool ertc_media_pacer_wait(ertc_media_pacer_t *p, uint32_t wait_ms, uint64_t *due_us)
{
    uint64_t now = ertc_time_mono_us();
    if (now > p->next_due_us + ERTC_MEDIA_PACER_MAX_LATE_US) {
        p->next_due_us = now;
        p->resyncs++;
    }
    if (p->next_due_us > now) {
        uint64_t wait_us = p->next_due_us - now;
        if (wait_us > (uint64_t)wait_ms * 1000u) {
            if (wait_ms > 0) {
                ertc_sleep_ms(wait_ms);
            }
            return false;
        }
        /* rounded up, so the frame is never taken before it is due */
        ertc_sleep_ms((uint32_t)((wait_us + 999u) / 1000u));
    }
    *due_us = p->next_due_us;
    return true;
}

void ertc_media_pacer_advance(ertc_media_pacer_t *p, uint64_t duration_us)
{
    p->next_due_us += duration_us;
}
