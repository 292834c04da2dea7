/*
 * port/posix/time — the clocks of port.h over clock_gettime.
 *
 * Timers, timeouts and rate measurements use the monotonic clock, which never jumps; the
 * wall clock is only for things that are dates (certificate validity, SigV4 timestamps,
 * log lines).
 */
#include "port/port.h"

#include <time.h>

static uint64_t read_clock_us(clockid_t id)
{
    struct timespec ts;
    /* clock_gettime cannot fail for these two clocks on any supported system. */
    (void)clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t ertc_time_mono_us(void)
{
    return read_clock_us(CLOCK_MONOTONIC);
}

uint64_t ertc_time_mono_ms(void)
{
    return ertc_time_mono_us() / 1000u;
}

uint64_t ertc_time_wall_us(void)
{
    return read_clock_us(CLOCK_REALTIME);
}

uint64_t ertc_time_wall_ms(void)
{
    return ertc_time_wall_us() / 1000u;
}
