/*
 * port/posix/random — the secure random source of port.h.
 *
 * An mbedTLS CTR-DRBG (NIST SP 800-90A) whose entropy input comes straight from the
 * kernel's getrandom(). One generator serves the whole process: like the clock it is
 * an operating-system service rather than per-instance state, and one seeded DRBG behind a
 * mutex is cheaper than one per app instance. The DRBG reseeds itself from the pool every
 * MBEDTLS_CTR_DRBG_RESEED_INTERVAL requests, again from getrandom(); fork safety is not a goal.
 */
#include "port/port.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/log.h"

#define TAG "random"


/* Distinguishes this DRBG instance from any other seeded from the same pool (SP 800-90A). */
static const char PERSONALIZATION[] = "edgertc port/posix random";

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t drbg_lock = PTHREAD_MUTEX_INITIALIZER;
static mbedtls_ctr_drbg_context drbg;
static bool drbg_seeded; /* guarded by drbg_lock; seeding is retried until it succeeds */

/* Kernels older than 3.17 lack getrandom(); /dev/urandom gives the same bytes there. */
static int read_urandom(unsigned char *out, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, out + got, len - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Fills len bytes from the kernel CSPRNG. getrandom()
 * blocks only until the kernel pool is initialised at boot, which is what we want. */
static int poll_getrandom(void *data, unsigned char *out, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(out + got, len - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == ENOSYS) {
            if (read_urandom(out + got, len - got) != 0) {
                return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
            }
            break;
        }
        if (n <= 0) {
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        }
        got += (size_t)n;
    }
    *olen = len;
    return 0;
}

/* The CTR-DRBG's entropy input, straight from the kernel CSPRNG. No mbedtls_entropy_context:
 * Debian's build puts a 32 KiB HAVEGE state in it, static RAM a device should not pay for. */
static int entropy_getrandom(void *data, unsigned char *out, size_t len)
{
    size_t got = 0;
    int ret = poll_getrandom(data, out, len, &got);
    return ret == 0 && got == len ? 0 : MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
}

static void init_contexts(void)
{
    mbedtls_ctr_drbg_init(&drbg);
}

/* Called with drbg_lock held. */
static int ensure_seeded(void)
{
    if (drbg_seeded) {
        return 0;
    }
    int ret =
        mbedtls_ctr_drbg_seed(&drbg, entropy_getrandom, NULL,
                              (const unsigned char *)PERSONALIZATION, sizeof(PERSONALIZATION) - 1);
    if (ret != 0) {
        ERTC_LOGE(TAG, "cannot seed CTR-DRBG: -0x%04x", (unsigned)-ret);
        return ret;
    }
    drbg_seeded = true;
    return 0;
}

/* Returns 0 or an mbedTLS error code. */
static int generate(unsigned char *out, size_t len)
{
    pthread_once(&init_once, init_contexts);
    pthread_mutex_lock(&drbg_lock);
    int ret = ensure_seeded();
    while (ret == 0 && len > 0) {
        /* The DRBG refuses requests above MBEDTLS_CTR_DRBG_MAX_REQUEST bytes. */
        size_t chunk = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        ret = mbedtls_ctr_drbg_random(&drbg, out, chunk);
        out += chunk;
        len -= chunk;
    }
    pthread_mutex_unlock(&drbg_lock);
    return ret;
}

WEBRTC_STATUS ertc_random_bytes(void *buf, size_t len)
{
    if (buf == NULL && len > 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    int ret = generate(buf, len);
    if (ret != 0) {
        ERTC_LOGE(TAG, "random generation failed: -0x%04x", (unsigned)-ret);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* The integer helpers have no way to report failure, and a predictable "random" value
 * (an ICE tie-breaker, an SSRC, a DTLS cookie) is worse than stopping: they abort. */
static void random_or_abort(void *out, size_t len)
{
    if (ertc_random_bytes(out, len) != WEBRTC_STATUS_SUCCESS) {
        abort();
    }
}

uint32_t ertc_random_u32(void)
{
    uint32_t v;
    random_or_abort(&v, sizeof(v));
    return v;
}

uint64_t ertc_random_u64(void)
{
    uint64_t v;
    random_or_abort(&v, sizeof(v));
    return v;
}

WEBRTC_STATUS ertc_random_string(char *out, size_t len, const char *alphabet)
{
    if (out == NULL || alphabet == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t n = strlen(alphabet);
    if (n == 0 || n > 256) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* Rejection sampling: bytes at or above the largest multiple of n are thrown away, so
     * every character is equally likely (a plain "byte % n" favours the first ones). */
    unsigned limit = 256u - (256u % (unsigned)n);
    unsigned char pool[64];
    size_t used = sizeof(pool);
    size_t i = 0;
    while (i < len) {
        if (used == sizeof(pool)) {
            WEBRTC_STATUS st = ertc_random_bytes(pool, sizeof(pool));
            if (st != WEBRTC_STATUS_SUCCESS) {
                out[0] = '\0';
                return st;
            }
            used = 0;
        }
        unsigned b = pool[used++];
        if (b < limit) {
            out[i++] = alphabet[b % n];
        }
    }
    out[len] = '\0';
    memset(pool, 0, sizeof(pool));
    return WEBRTC_STATUS_SUCCESS;
}

int ertc_random_mbedtls(void *p_rng, unsigned char *buf, size_t len)
{
    (void)p_rng;
    return generate(buf, len);
}
