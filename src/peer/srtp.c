/*
 * peer/srtp — SRTP/SRTCP protection over libsrtp2; see srtp.h for what this wrapper adds.
 *
 * Sessions follow the browser-interop spec (DTLS-SRTP section): one libsrtp session per
 * direction, keyed by the DTLS-SRTP exporter output (RFC 5764 §4.2), the inbound one with a
 * wildcard SSRC so that every stream the peer opens on the bundled transport is accepted.
 */
#include "peer/srtp.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <srtp2/srtp.h>

#include "util/alloc.h"
#include "util/log.h"

#define TAG "srtp"

_Static_assert(ERTC_SRTP_MAX_TRAILER_LEN == SRTP_MAX_TRAILER_LEN,
               "ERTC_SRTP_MAX_TRAILER_LEN must follow libsrtp's SRTP_MAX_TRAILER_LEN");
_Static_assert(ERTC_SRTP_MASTER_SALT_LEN == SRTP_SALT_LEN, "AES-CM salt length");
_Static_assert(ERTC_SRTP_MASTER_SALT_LEN_GCM == SRTP_AEAD_SALT_LEN, "AEAD salt length");
_Static_assert(ERTC_SRTP_MAX_PACKET_LEN + ERTC_SRTP_RTCP_MAX_TRAILER_LEN < INT_MAX,
               "lengths must fit libsrtp's int");

struct ertc_srtp {
    srtp_t outbound;
    srtp_t inbound;
    ertc_srtp_profile_t profile;
    ertc_srtp_stats_t stats;
};

/* ---- one-time library initialisation -------------------------------------------------------
 * srtp_init() registers the crypto kernel and is not thread-safe, so it runs once per process.
 * srtp_shutdown() is never called: another part of the process may still hold sessions, and
 * the kernel holds no resources worth a reference count.
 *
 * Why this is slow, and why a session is kept: Debian's libsrtp2 does its AES and HMAC through
 * NSS, and each cipher context it allocates opens its own NSS context (NSS_InitContext), shut
 * down again when the context is freed. With no other NSS user in the process, the last
 * shutdown unloads NSS altogether, so every srtp_create pays a whole NSS start-up (loading
 * softokn and its power-up self-tests): srtp_init's cipher self-tests pay it a dozen times
 * (0.1-0.6 s) and each later session again (3-40 ms). Keeping one idle session of each
 * profile for the life of the process keeps NSS loaded, which makes srtp_init's later
 * self-tests and every later srtp_create cheap (tens of microseconds). With libsrtp's own
 * ciphers (the ESP port) the kept sessions cost a few hundred bytes and change nothing else.
 * All of it runs in ertc_srtp_prepare(), which the peer connection calls when it is created,
 * i.e. before any offer, not after the DTLS handshake. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t init_result = srtp_err_status_init_fail;
static srtp_t keep_alive[2]; /* one per profile; never freed (see above) */

static WEBRTC_STATUS create_session(srtp_t *session, ertc_srtp_profile_t profile,
                                    const uint8_t *key, const uint8_t *salt, bool inbound);

static void init_library(void)
{
    init_result = srtp_init();
    if (init_result != srtp_err_status_ok) {
        return;
    }
    static const uint8_t zero[ERTC_SRTP_MASTER_KEY_LEN + ERTC_SRTP_MASTER_SALT_LEN];
    /* Failures are harmless here: a profile that cannot be created now fails again, with a
     * clear log, when a session asks for it. The GCM one is made first so that the AES-CM
     * one, the profile every peer offers, finds NSS already up. */
    (void)create_session(&keep_alive[0], ERTC_SRTP_PROFILE_AEAD_AES_128_GCM, zero,
                         zero + ERTC_SRTP_MASTER_KEY_LEN, false);
    (void)create_session(&keep_alive[1], ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80, zero,
                         zero + ERTC_SRTP_MASTER_KEY_LEN, false);
}

WEBRTC_STATUS ertc_srtp_prepare(void)
{
    pthread_once(&init_once, init_library);
    if (init_result != srtp_err_status_ok) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static const char *srtp_error_name(srtp_err_status_t err)
{
    switch (err) {
    case srtp_err_status_ok: return "ok";
    case srtp_err_status_bad_param: return "bad parameter";
    case srtp_err_status_alloc_fail: return "allocation failed";
    case srtp_err_status_init_fail: return "initialisation failed";
    case srtp_err_status_auth_fail: return "authentication failed";
    case srtp_err_status_cipher_fail: return "cipher failed";
    case srtp_err_status_replay_fail: return "replayed packet";
    case srtp_err_status_replay_old: return "packet older than the replay window";
    case srtp_err_status_key_expired: return "key expired";
    case srtp_err_status_parse_err: return "parse error";
    default: return "libsrtp error";
    }
}

/* ---- keys ----------------------------------------------------------------------------------- */

static size_t salt_len(ertc_srtp_profile_t profile)
{
    switch (profile) {
    case ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80: return ERTC_SRTP_MASTER_SALT_LEN;
    case ERTC_SRTP_PROFILE_AEAD_AES_128_GCM: return ERTC_SRTP_MASTER_SALT_LEN_GCM;
    }
    return 0;
}

size_t ertc_srtp_keying_material_len(ertc_srtp_profile_t profile)
{
    size_t salt = salt_len(profile);
    return salt == 0 ? 0 : 2 * (ERTC_SRTP_MASTER_KEY_LEN + salt);
}

WEBRTC_STATUS ertc_srtp_keys_from_dtls(const uint8_t *material, size_t len,
                                       ertc_srtp_profile_t profile, bool is_dtls_client,
                                       ertc_srtp_keys_t *out)
{
    if (material == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t salt = salt_len(profile);
    if (salt == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (len != ertc_srtp_keying_material_len(profile)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* RFC 5764 §4.2: client_write_key | server_write_key | client_salt | server_salt. */
    const uint8_t *client_key = material;
    const uint8_t *server_key = material + ERTC_SRTP_MASTER_KEY_LEN;
    const uint8_t *client_salt = material + 2 * ERTC_SRTP_MASTER_KEY_LEN;
    const uint8_t *server_salt = client_salt + salt;
    memset(out, 0, sizeof(*out));
    memcpy(out->local_key, is_dtls_client ? client_key : server_key, ERTC_SRTP_MASTER_KEY_LEN);
    memcpy(out->remote_key, is_dtls_client ? server_key : client_key, ERTC_SRTP_MASTER_KEY_LEN);
    memcpy(out->local_salt, is_dtls_client ? client_salt : server_salt, salt);
    memcpy(out->remote_salt, is_dtls_client ? server_salt : client_salt, salt);
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- sessions ------------------------------------------------------------------------------- */

static WEBRTC_STATUS create_session(srtp_t *session, ertc_srtp_profile_t profile,
                                    const uint8_t *key, const uint8_t *salt, bool inbound)
{
    /* libsrtp takes the master key and salt as one buffer. */
    uint8_t key_salt[ERTC_SRTP_MASTER_KEY_LEN + ERTC_SRTP_MASTER_SALT_LEN];
    size_t salt_bytes = salt_len(profile);
    memcpy(key_salt, key, ERTC_SRTP_MASTER_KEY_LEN);
    memcpy(key_salt + ERTC_SRTP_MASTER_KEY_LEN, salt, salt_bytes);

    srtp_policy_t policy;
    memset(&policy, 0, sizeof(policy));
    if (profile == ERTC_SRTP_PROFILE_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_salt;
    policy.window_size = ERTC_SRTP_REPLAY_WINDOW;
    /* A NACK answered without RTX resends the very packet (same SSRC and sequence number,
     * same payload), which libsrtp would otherwise refuse to protect twice. */
    policy.allow_repeat_tx = inbound ? 0 : 1;
    policy.next = NULL;

    srtp_err_status_t err = srtp_create(session, &policy);
    mbedtls_platform_zeroize(key_salt, sizeof(key_salt));
    if (err == srtp_err_status_ok) {
        return WEBRTC_STATUS_SUCCESS;
    }
    *session = NULL;
    if (profile == ERTC_SRTP_PROFILE_AEAD_AES_128_GCM &&
        (err == srtp_err_status_bad_param || err == srtp_err_status_cipher_fail)) {
        ERTC_LOGW(TAG, "AEAD_AES_128_GCM is not available in this libsrtp2 (%s)",
                  srtp_error_name(err));
        return WEBRTC_STATUS_NOT_IMPLEMENTED;
    }
    ERTC_LOGE(TAG, "srtp_create (%s): %s (%d)", inbound ? "inbound" : "outbound",
              srtp_error_name(err), (int)err);
    return err == srtp_err_status_alloc_fail ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                             : WEBRTC_STATUS_INTERNAL_ERROR;
}

WEBRTC_STATUS ertc_srtp_create(ertc_srtp_t **out, const ertc_srtp_keys_t *keys,
                               ertc_srtp_profile_t profile)
{
    if (out == NULL || keys == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    if (salt_len(profile) == 0) {
        ERTC_LOGE(TAG, "unknown SRTP protection profile 0x%04x", (unsigned)profile);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (ertc_srtp_prepare() != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "srtp_init: %s (%d)", srtp_error_name(init_result), (int)init_result);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }

    ertc_srtp_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    s->profile = profile;
    WEBRTC_STATUS st =
        create_session(&s->outbound, profile, keys->local_key, keys->local_salt, false);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = create_session(&s->inbound, profile, keys->remote_key, keys->remote_salt, true);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_srtp_free(s);
        return st;
    }
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_srtp_free(ertc_srtp_t *s)
{
    if (s == NULL) {
        return;
    }
    /* srtp_dealloc wipes libsrtp's own copies of the session keys. */
    if (s->outbound != NULL) {
        srtp_dealloc(s->outbound);
    }
    if (s->inbound != NULL) {
        srtp_dealloc(s->inbound);
    }
    ertc_free(s);
}

/* ---- packets -------------------------------------------------------------------------------- */

static WEBRTC_STATUS protect(ertc_srtp_t *s, uint8_t *buf, size_t *len, size_t cap, bool rtcp)
{
    if (s == NULL || buf == NULL || len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t min_len = rtcp ? ERTC_SRTP_RTCP_HEADER_MIN_LEN : ERTC_SRTP_RTP_HEADER_MIN_LEN;
    size_t trailer = rtcp ? ERTC_SRTP_RTCP_MAX_TRAILER_LEN : ERTC_SRTP_MAX_TRAILER_LEN;
    if (*len < min_len || *len > ERTC_SRTP_MAX_PACKET_LEN) {
        s->stats.protect_errors++;
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cap < *len || cap - *len < trailer) {
        s->stats.protect_errors++;
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    int n = (int)*len;
    srtp_err_status_t err =
        rtcp ? srtp_protect_rtcp(s->outbound, buf, &n) : srtp_protect(s->outbound, buf, &n);
    if (err != srtp_err_status_ok) {
        s->stats.protect_errors++;
        ERTC_LOGW(TAG, "protect %s (%zu bytes): %s (%d)", rtcp ? "RTCP" : "RTP", *len,
                  srtp_error_name(err), (int)err);
        if (err == srtp_err_status_replay_fail || err == srtp_err_status_replay_old) {
            /* A resend of a packet older than the sender's window (a late NACK). */
            return ERTC_SRTP_STATUS_REPLAY;
        }
        return err == srtp_err_status_bad_param ? WEBRTC_STATUS_INVALID_ARG
                                                : WEBRTC_STATUS_INTERNAL_ERROR;
    }
    *len = (size_t)n;
    if (rtcp) {
        s->stats.rtcp_protected++;
    } else {
        s->stats.rtp_protected++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS unprotect(ertc_srtp_t *s, uint8_t *buf, size_t *len, bool rtcp)
{
    if (s == NULL || buf == NULL || len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t min_len = rtcp ? ERTC_SRTP_RTCP_HEADER_MIN_LEN : ERTC_SRTP_RTP_HEADER_MIN_LEN;
    if (*len < min_len || *len > ERTC_SRTP_MAX_PACKET_LEN + ERTC_SRTP_RTCP_MAX_TRAILER_LEN) {
        s->stats.unprotect_errors++;
        return WEBRTC_STATUS_MALFORMED;
    }
    int n = (int)*len;
    srtp_err_status_t err =
        rtcp ? srtp_unprotect_rtcp(s->inbound, buf, &n) : srtp_unprotect(s->inbound, buf, &n);
    switch (err) {
    case srtp_err_status_ok: break;
    case srtp_err_status_auth_fail:
        s->stats.auth_failures++;
        ERTC_LOGD(TAG, "unprotect %s: authentication failed (%zu bytes)", rtcp ? "RTCP" : "RTP",
                  *len);
        return ERTC_SRTP_STATUS_AUTH_FAILED;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        s->stats.replays++;
        ERTC_LOGD(TAG, "unprotect %s: %s", rtcp ? "RTCP" : "RTP", srtp_error_name(err));
        return ERTC_SRTP_STATUS_REPLAY;
    default:
        s->stats.unprotect_errors++;
        ERTC_LOGD(TAG, "unprotect %s (%zu bytes): %s (%d)", rtcp ? "RTCP" : "RTP", *len,
                  srtp_error_name(err), (int)err);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (n < 0 || (size_t)n > *len) {
        s->stats.unprotect_errors++;
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    *len = (size_t)n;
    if (rtcp) {
        s->stats.rtcp_unprotected++;
    } else {
        s->stats.rtp_unprotected++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_srtp_protect_rtp(ertc_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    return protect(s, buf, len, cap, false);
}

WEBRTC_STATUS ertc_srtp_protect_rtcp(ertc_srtp_t *s, uint8_t *buf, size_t *len, size_t cap)
{
    return protect(s, buf, len, cap, true);
}

WEBRTC_STATUS ertc_srtp_unprotect_rtp(ertc_srtp_t *s, uint8_t *buf, size_t *len)
{
    return unprotect(s, buf, len, false);
}

WEBRTC_STATUS ertc_srtp_unprotect_rtcp(ertc_srtp_t *s, uint8_t *buf, size_t *len)
{
    return unprotect(s, buf, len, true);
}

void ertc_srtp_get_stats(const ertc_srtp_t *s, ertc_srtp_stats_t *out)
{
    if (out == NULL) {
        return;
    }
    if (s == NULL) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = s->stats;
}

const char *ertc_srtp_status_name(WEBRTC_STATUS status)
{
    if (status == ERTC_SRTP_STATUS_AUTH_FAILED) {
        return "AUTH_FAILED";
    }
    if (status == ERTC_SRTP_STATUS_REPLAY) {
        return "REPLAY";
    }
    return webrtc_status_name(status);
}
