/*
 * bench/srtp_rate — SRTP packets per second through edgertc's send and receive path
 * (peer/srtp: ertc_srtp_protect_rtp / ertc_srtp_unprotect_rtp) beside bare libsrtp2
 * (srtp_protect / srtp_unprotect on a preallocated buffer) in the same run.
 *
 * The job: 200000 RTP packets of 1200 bytes (an H.264 packetizer's usual size) with
 * SRTP_AES128_CM_HMAC_SHA1_80, same keys and same session policy on both sides. Packets are
 * prepared in batches of BATCH outside the timed region (protect and unprotect work in place,
 * so every packet needs a fresh buffer); only the protect or unprotect calls are timed. The
 * receive side unprotects the very same protected bytes on both sides. Both run in this
 * process, alternating, three rounds each; the table shows the median round of each figure, the
 * single rounds are listed below it.
 *
 * The wrapper's cost over bare libsrtp is its argument and capacity checks and counters; the
 * ratio column says how much that is. Exit status is non-zero only when a packet fails.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "peer/srtp.h"

#define PACKETS     200000
#define PAYLOAD_LEN 1188 /* + 12-byte header = 1200 */
#define PACKET_LEN  1200
#define SLOT        (PACKET_LEN + SRTP_MAX_TRAILER_LEN)
#define BATCH       4096
#define ROUNDS      3
#define SSRC        0x5EC0DE01u

typedef struct {
    double protect_s;
    double unprotect_s;
} round_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void build_rtp(uint8_t *p, uint32_t n)
{
    uint16_t seq = (uint16_t)n;
    uint32_t ts = n * 3000u;
    p[0] = 0x80;
    p[1] = 96;
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    p[4] = (uint8_t)(ts >> 24);
    p[5] = (uint8_t)(ts >> 16);
    p[6] = (uint8_t)(ts >> 8);
    p[7] = (uint8_t)ts;
    p[8] = (uint8_t)(SSRC >> 24);
    p[9] = (uint8_t)(SSRC >> 16);
    p[10] = (uint8_t)(SSRC >> 8);
    p[11] = (uint8_t)SSRC;
    memset(p + 12, (int)(n & 0xFF), PAYLOAD_LEN);
}

/* A bare libsrtp session with the same policy peer/srtp uses. */
static srtp_t bare_session(const uint8_t *key, const uint8_t *salt, bool inbound)
{
    uint8_t key_salt[30];
    memcpy(key_salt, key, 16);
    memcpy(key_salt + 16, salt, 14);
    srtp_policy_t policy;
    memset(&policy, 0, sizeof(policy));
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_salt;
    policy.window_size = ERTC_SRTP_REPLAY_WINDOW;
    policy.allow_repeat_tx = inbound ? 0 : 1;
    srtp_t s = NULL;
    if (srtp_create(&s, &policy) != srtp_err_status_ok) {
        return NULL;
    }
    return s;
}

/* One round of one side (`wrapper` picks which): a sender and a receiver session; each batch is
 * protected by the sender, then unprotected by the receiver, each pass timed on its own. */
static bool run_round(bool wrapper, const ertc_srtp_keys_t *keys, uint8_t *slots, size_t *lens,
                      round_t *out)
{
    ertc_srtp_keys_t peer_keys;
    memcpy(peer_keys.local_key, keys->remote_key, 16);
    memcpy(peer_keys.local_salt, keys->remote_salt, 14);
    memcpy(peer_keys.remote_key, keys->local_key, 16);
    memcpy(peer_keys.remote_salt, keys->local_salt, 14);

    ertc_srtp_t *tx = NULL, *rx = NULL;
    srtp_t btx = NULL, brx = NULL;
    if (wrapper) {
        if (ertc_srtp_create(&tx, keys, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80) != 0 ||
            ertc_srtp_create(&rx, &peer_keys, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80) != 0) {
            fprintf(stderr, "srtp_rate: ertc_srtp_create failed\n");
            return false;
        }
    } else {
        btx = bare_session(keys->local_key, keys->local_salt, false);
        brx = bare_session(keys->local_key, keys->local_salt, true);
        if (btx == NULL || brx == NULL) {
            fprintf(stderr, "srtp_rate: srtp_create failed\n");
            return false;
        }
    }

    bool ok = true;
    out->protect_s = 0;
    out->unprotect_s = 0;
    for (uint32_t base = 0; base < PACKETS && ok; base += BATCH) {
        uint32_t count = PACKETS - base < BATCH ? PACKETS - base : BATCH;
        for (uint32_t i = 0; i < count; i++) {
            build_rtp(slots + (size_t)i * SLOT, base + i);
            lens[i] = PACKET_LEN;
        }
        double t0 = now_s();
        for (uint32_t i = 0; i < count; i++) {
            uint8_t *p = slots + (size_t)i * SLOT;
            if (wrapper) {
                ok &= ertc_srtp_protect_rtp(tx, p, &lens[i], SLOT) == WEBRTC_STATUS_SUCCESS;
            } else {
                int n = (int)lens[i];
                ok &= srtp_protect(btx, p, &n) == srtp_err_status_ok;
                lens[i] = (size_t)n;
            }
        }
        double t1 = now_s();
        for (uint32_t i = 0; i < count; i++) {
            uint8_t *p = slots + (size_t)i * SLOT;
            if (wrapper) {
                ok &= ertc_srtp_unprotect_rtp(rx, p, &lens[i]) == WEBRTC_STATUS_SUCCESS;
            } else {
                int n = (int)lens[i];
                ok &= srtp_unprotect(brx, p, &n) == srtp_err_status_ok;
                lens[i] = (size_t)n;
            }
        }
        double t2 = now_s();
        out->protect_s += t1 - t0;
        out->unprotect_s += t2 - t1;
        /* Check the last packet of the batch came back whole. */
        uint8_t expect[PACKET_LEN];
        build_rtp(expect, base + count - 1);
        ok &= lens[count - 1] == PACKET_LEN &&
              memcmp(slots + (size_t)(count - 1) * SLOT, expect, PACKET_LEN) == 0;
    }
    if (!ok) {
        fprintf(stderr, "srtp_rate: a packet failed on the %s side\n",
                wrapper ? "edgertc" : "bare libsrtp2");
    }
    ertc_srtp_free(tx);
    ertc_srtp_free(rx);
    if (btx != NULL) {
        srtp_dealloc(btx);
    }
    if (brx != NULL) {
        srtp_dealloc(brx);
    }
    return ok;
}

static void print_row(const char *figure, double ours, double bare, int decimals)
{
    char a[32], b[32];
    snprintf(a, sizeof(a), "%.*f", decimals, ours);
    snprintf(b, sizeof(b), "%.*f", decimals, bare);
    printf("| %-28s | %15s | %15s | %5.2f |\n", figure, a, b, ours / bare);
}

/* The median round of one figure. */
static double median(const round_t *r, bool protect)
{
    double v[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        v[i] = protect ? r[i].protect_s : r[i].unprotect_s;
    }
    for (int i = 1; i < ROUNDS; i++) {
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[ROUNDS / 2];
}

int main(void)
{
    ertc_srtp_keys_t keys;
    for (int i = 0; i < 16; i++) {
        keys.local_key[i] = (uint8_t)(0x10 + i);
        keys.remote_key[i] = (uint8_t)(0x90 + i);
    }
    for (int i = 0; i < 14; i++) {
        keys.local_salt[i] = (uint8_t)(0x50 + i);
        keys.remote_salt[i] = (uint8_t)(0xD0 + i);
    }
    uint8_t *slots = malloc((size_t)BATCH * SLOT);
    size_t *lens = malloc(BATCH * sizeof(size_t));
    if (slots == NULL || lens == NULL) {
        fprintf(stderr, "srtp_rate: out of memory\n");
        return 1;
    }

    /* The wrapper initialises libsrtp; the bare side needs it too. A warm-up round each. */
    round_t ours[ROUNDS], bare[ROUNDS], warm;
    bool ok =
        run_round(true, &keys, slots, lens, &warm) && run_round(false, &keys, slots, lens, &warm);
    for (int r = 0; r < ROUNDS && ok; r++) {
        /* Alternate which side goes first. */
        bool first_ours = (r % 2) == 0;
        ok = run_round(first_ours, &keys, slots, lens, first_ours ? &ours[r] : &bare[r]) &&
             run_round(!first_ours, &keys, slots, lens, first_ours ? &bare[r] : &ours[r]);
    }
    free(slots);
    free(lens);
    if (!ok) {
        return 1;
    }

    printf("SRTP_AES128_CM_HMAC_SHA1_80, %d RTP packets of %d bytes, median of %d rounds\n\n",
           PACKETS, PACKET_LEN, ROUNDS);
    printf("| %-28s | %15s | %15s | %5s |\n", "figure", "edgertc wrapper", "bare libsrtp2",
           "ratio");
    printf("|------------------------------|-----------------|-----------------|-------|\n");
    const double mb = (double)PACKETS * PACKET_LEN / 1e6;
    for (int dir = 0; dir < 2; dir++) {
        bool protect = dir == 0;
        double o = median(ours, protect), b = median(bare, protect);
        const char *what = protect ? "protect" : "unprotect";
        char name[40];
        snprintf(name, sizeof(name), "%s packets/s", what);
        print_row(name, PACKETS / o, PACKETS / b, 0);
        snprintf(name, sizeof(name), "%s MB/s (payload+hdr)", what);
        print_row(name, mb / o, mb / b, 1);
        snprintf(name, sizeof(name), "%s ns/packet", what);
        print_row(name, o * 1e9 / PACKETS, b * 1e9 / PACKETS, 0);
    }
    printf("\nratio = edgertc / bare (above 1 is faster for rates, slower for ns/packet)\n");
    printf("rounds (protect s / unprotect s):\n");
    for (int r = 0; r < ROUNDS; r++) {
        printf("  %d: edgertc %.4f / %.4f   bare %.4f / %.4f\n", r + 1, ours[r].protect_s,
               ours[r].unprotect_s, bare[r].protect_s, bare[r].unprotect_s);
    }
    return 0;
}
