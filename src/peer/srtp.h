/*
 * peer/srtp — SRTP and SRTCP protection (RFC 3711) of one DTLS-SRTP association (RFC 5764),
 * a thin wrapper over libsrtp2.
 *
 * One ertc_srtp_t holds two libsrtp sessions, one per direction, as the browser-interop spec
 * asks: an outbound session keyed with the local write key (ssrc_any_outbound) and an inbound
 * session keyed with the remote write key (ssrc_any_inbound, replay window
 * ERTC_SRTP_REPLAY_WINDOW). With rtcp-mux both RTP and RTCP of every SSRC go through them.
 *
 * What the wrapper adds over calling libsrtp directly:
 *   - libsrtp is initialised once per process, thread-safely, on the first create;
 *   - every call checks its buffer: protect refuses (WEBRTC_STATUS_BUFFER_TOO_SMALL) a buffer
 *     without room for the largest trailer libsrtp may write, instead of letting it write past
 *     the end; lengths are bounded before they are narrowed to libsrtp's int;
 *   - libsrtp's error codes become WEBRTC_STATUS: a bad tag is ERTC_SRTP_STATUS_AUTH_FAILED, a
 *     replayed or too-old packet ERTC_SRTP_STATUS_REPLAY, and each is counted in the stats, so
 *     a receive path drops such packets and goes on (they are expected on the Internet);
 *   - the DTLS-SRTP keying material layout (RFC 5764 §4.2) is split in one place.
 *
 * Threads: the two directions are independent, so one thread may protect while another
 * unprotects; calls in the same direction must not run concurrently.
 */
#ifndef ERTC_PEER_SRTP_H
#define ERTC_PEER_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Protection profiles, numbered as in the DTLS use_srtp extension (IANA "DTLS-SRTP Protection
 * Profiles"), so the value negotiated by DTLS is passed through unchanged. */
typedef enum {
    ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80 = 0x0001, /* RFC 5764 §4.1.2; always offered */
    ERTC_SRTP_PROFILE_AEAD_AES_128_GCM = 0x0007,       /* RFC 7714 §14.2; if libsrtp has GCM */
} ertc_srtp_profile_t;

#define ERTC_SRTP_MASTER_KEY_LEN      16 /* AES-128 */
#define ERTC_SRTP_MASTER_SALT_LEN     14 /* AES-CM (RFC 3711 §8.2) */
#define ERTC_SRTP_MASTER_SALT_LEN_GCM 12 /* AEAD (RFC 7714 §12): first 12 bytes of the salt */

/* Room protect needs after the packet: libsrtp assumes it may write its largest trailer (tag
 * plus MKI, SRTP_MAX_TRAILER_LEN) and, for SRTCP, the 4-byte E-flag/index word besides. The
 * trailer actually added is smaller (10 bytes for SHA1_80 RTP, 14 for SRTCP). */
#define ERTC_SRTP_MAX_TRAILER_LEN      144
#define ERTC_SRTP_RTCP_MAX_TRAILER_LEN (ERTC_SRTP_MAX_TRAILER_LEN + 4)

/* Replay window of the inbound session, in packets. The spec asks for at least 1024 for video
 * with NACK: a retransmission arrives a round trip late, behind hundreds of newer packets. */
#define ERTC_SRTP_REPLAY_WINDOW 1024

/* Largest packet accepted in either direction (an IP datagram payload). */
#define ERTC_SRTP_MAX_PACKET_LEN 65535

#define ERTC_SRTP_RTP_HEADER_MIN_LEN  12
#define ERTC_SRTP_RTCP_HEADER_MIN_LEN 8

/* Statuses for packets a receiver drops; in the peer-connection range. */
#define ERTC_SRTP_STATUS_AUTH_FAILED WEBRTC_STATUS_SRTP_AUTH_FAILED
#define ERTC_SRTP_STATUS_REPLAY WEBRTC_STATUS_SRTP_REPLAY

/* Master keys and salts of both directions: "local" protects what we send, "remote"
 * unprotects what the peer sends. For GCM only the first 12 salt bytes are used. */
typedef struct {
    uint8_t local_key[ERTC_SRTP_MASTER_KEY_LEN];
    uint8_t local_salt[ERTC_SRTP_MASTER_SALT_LEN];
    uint8_t remote_key[ERTC_SRTP_MASTER_KEY_LEN];
    uint8_t remote_salt[ERTC_SRTP_MASTER_SALT_LEN];
} ertc_srtp_keys_t;

/* Counters; the outbound ones are written by protect, the inbound ones by unprotect. */
typedef struct {
    uint64_t rtp_protected;
    uint64_t rtcp_protected;
    uint64_t protect_errors;
    uint64_t rtp_unprotected;
    uint64_t rtcp_unprotected;
    uint64_t auth_failures;    /* tag did not verify: corrupted, forged or wrong keys */
    uint64_t replays;          /* index already seen or older than the replay window */
    uint64_t unprotect_errors; /* anything else (too short, malformed) */
} ertc_srtp_stats_t;

typedef struct ertc_srtp ertc_srtp_t;

/* Keying material length the DTLS exporter must produce for a profile ("EXTRACTOR-dtls_srtp",
 * RFC 5764 §4.2): 2 * (key + salt). 0 for an unknown profile. */
size_t ertc_srtp_keying_material_len(ertc_srtp_profile_t profile);

/* Splits exported keying material (client key, server key, client salt, server salt) into
 * local and remote keys; `is_dtls_client` says which half is ours. */
WEBRTC_STATUS ertc_srtp_keys_from_dtls(const uint8_t *material, size_t len,
                                       ertc_srtp_profile_t profile, bool is_dtls_client,
                                       ertc_srtp_keys_t *out);

/* libsrtp's one-time set-up (srtp_init and its cipher self-tests, and with an NSS-backed
 * libsrtp2 keeping NSS loaded; see srtp.c): 0.1-0.6 s on a PC, once per process, thread-safe.
 * ertc_srtp_create runs it if nothing did before; ertc_pc_create runs it so that it is never
 * on the path from offer to connected. Idempotent; INTERNAL_ERROR when srtp_init failed. */
WEBRTC_STATUS ertc_srtp_prepare(void);

/* Creates both sessions. WEBRTC_STATUS_NOT_IMPLEMENTED when this libsrtp lacks the profile's
 * cipher (GCM needs libsrtp built with a crypto library). The keys are copied, not kept. */
WEBRTC_STATUS ertc_srtp_create(ertc_srtp_t **out, const ertc_srtp_keys_t *keys,
                               ertc_srtp_profile_t profile);
void ertc_srtp_free(ertc_srtp_t *s); /* NULL is fine; wipes the key copies */

/* Encrypt/authenticate `*len` bytes in place in a buffer of `cap` bytes; `*len` grows by the
 * trailer. The buffer must have ERTC_SRTP_MAX_TRAILER_LEN (RTCP: _RTCP_MAX_TRAILER_LEN)
 * spare bytes. On failure `*len` is unchanged. Resending the same packet (same SSRC and
 * sequence number) is allowed; ERTC_SRTP_STATUS_REPLAY means it is older than the window. */
WEBRTC_STATUS ertc_srtp_protect_rtp(ertc_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);
WEBRTC_STATUS ertc_srtp_protect_rtcp(ertc_srtp_t *s, uint8_t *buf, size_t *len, size_t cap);

/* Verify/decrypt in place; `*len` shrinks to the plain packet. Returns
 * ERTC_SRTP_STATUS_AUTH_FAILED or ERTC_SRTP_STATUS_REPLAY for packets to drop (counted), and
 * WEBRTC_STATUS_MALFORMED for packets too short to be SRTP. On failure `*len` is unchanged;
 * the buffer contents are unspecified. */
WEBRTC_STATUS ertc_srtp_unprotect_rtp(ertc_srtp_t *s, uint8_t *buf, size_t *len);
WEBRTC_STATUS ertc_srtp_unprotect_rtcp(ertc_srtp_t *s, uint8_t *buf, size_t *len);

void ertc_srtp_get_stats(const ertc_srtp_t *s, ertc_srtp_stats_t *out);

/* "AUTH_FAILED", "REPLAY", or webrtc_status_name() for other statuses. */
const char *ertc_srtp_status_name(WEBRTC_STATUS status);

#endif
