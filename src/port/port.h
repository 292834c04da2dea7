/*
 * port/port.h — what edgertc needs from the operating system: threads, locks, clocks and a
 * secure random source. port/posix implements it with pthreads, clock_gettime and an mbedTLS
 * CTR-DRBG seeded from getrandom(); an ESP-IDF/FreeRTOS port implements the same functions.
 * Sockets are in port/socket.h, the event loop in port/loop.h.
 */
#ifndef ERTC_PORT_H
#define ERTC_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* ---- threads ---------------------------------------------------------------------------- */
typedef struct ertc_thread ertc_thread_t;
typedef void (*ertc_thread_fn)(void *arg);

/* stack_size 0 = the port's default. name is for debuggers (at most 15 characters used). */
WEBRTC_STATUS ertc_thread_create(ertc_thread_t **out, const char *name, size_t stack_size,
                                 ertc_thread_fn fn, void *arg);
/* Waits for the thread to end and frees it. */
WEBRTC_STATUS ertc_thread_join(ertc_thread_t *thread);
bool ertc_thread_is_current(const ertc_thread_t *thread);
void ertc_sleep_ms(uint32_t ms);

/* ---- locks ------------------------------------------------------------------------------ */
typedef struct ertc_mutex ertc_mutex_t;
typedef struct ertc_cond ertc_cond_t;

WEBRTC_STATUS ertc_mutex_create(ertc_mutex_t **out); /* recursive: no */
void ertc_mutex_destroy(ertc_mutex_t *m);
void ertc_mutex_lock(ertc_mutex_t *m);
void ertc_mutex_unlock(ertc_mutex_t *m);

WEBRTC_STATUS ertc_cond_create(ertc_cond_t **out);
void ertc_cond_destroy(ertc_cond_t *c);
void ertc_cond_wait(ertc_cond_t *c, ertc_mutex_t *m);
/* Returns WEBRTC_STATUS_TIMEOUT when timeout_ms passed without a signal (monotonic clock). */
WEBRTC_STATUS ertc_cond_timedwait(ertc_cond_t *c, ertc_mutex_t *m, uint32_t timeout_ms);
void ertc_cond_signal(ertc_cond_t *c);
void ertc_cond_broadcast(ertc_cond_t *c);

/* ---- clocks ----------------------------------------------------------------------------- */
uint64_t ertc_time_mono_us(void); /* monotonic, arbitrary origin */
uint64_t ertc_time_mono_ms(void);
uint64_t ertc_time_wall_us(void); /* microseconds since 1970-01-01 UTC */
uint64_t ertc_time_wall_ms(void);

/* ---- secure random ---------------------------------------------------------------------- */
/* Cryptographically secure bytes (CTR-DRBG seeded from the OS); thread-safe. */
WEBRTC_STATUS ertc_random_bytes(void *buf, size_t len);
uint32_t ertc_random_u32(void);
uint64_t ertc_random_u64(void);
/* Fills out[0..len-1] with characters from alphabet and terminates out[len]. */
WEBRTC_STATUS ertc_random_string(char *out, size_t len, const char *alphabet);
/* The f_rng/p_rng pair mbedTLS calls want: int f_rng(void *p_rng, unsigned char *, size_t). */
int ertc_random_mbedtls(void *p_rng, unsigned char *buf, size_t len);

#endif
