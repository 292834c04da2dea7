/*
 * peer/dtls — see dtls.h. DTLS 1.2 (RFC 6347) + DTLS-SRTP (RFC 5764) on mbedTLS 2.28, driven
 * by the caller's datagrams and the loop's timers.
 *
 * How mbedTLS is driven: the receive callback hands mbedTLS the one datagram being processed
 * (or WANT_READ when there is none); the send callback passes each datagram to the caller;
 * the timer callbacks arm an ertc_timer_t with the "final" delay mbedTLS asks for, and when
 * it fires the handshake is stepped again, which makes mbedTLS see the expired timer and
 * retransmit its last flight (RFC 6347 §4.2.4) with a doubled timeout.
 *
 * Certificates: WebRTC peers present self-signed certificates that are authenticated by the
 * fingerprint in the SDP (RFC 8122 §5), not by a CA. mbedTLS 2.28 refuses VERIFY_REQUIRED
 * without a CA chain, so our own certificate is configured as a placeholder trust anchor and
 * the verify callback decides at depth 0: flags are cleared when the certificate's hash
 * matches the SDP fingerprint (dates are ignored too: a device may not know the time), and
 * the certificate is refused otherwise, which sends a bad_certificate alert to the peer.
 *
 * Keys: the export-keys callback captures the master secret and both randoms; after the
 * handshake the RFC 5705 exporter with label "EXTRACTOR-dtls_srtp" gives 60 bytes laid out
 * as client key | server key | client salt | server salt (RFC 5764 §4.2).
 */
#include "peer/dtls.h"

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <string.h>

#include "peer/dtls_hello.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "dtls"

#define MASTER_SECRET_LEN 48
#define RANDOMS_LEN       64 /* client_random || server_random */
#define SRTP_EXPORT_LEN   (2 * (ERTC_DTLS_SRTP_KEY_LEN + ERTC_DTLS_SRTP_SALT_LEN))
#define SRTP_EXPORT_LABEL "EXTRACTOR-dtls_srtp"
#define READ_BUF_LEN      MBEDTLS_SSL_IN_CONTENT_LEN /* one record of application data */

#define ERROR_FINGERPRINT_MISMATCH "DTLS: the peer's certificate fingerprint does not match the SDP"

struct ertc_dtls {
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_dtls_role_t role;
    ertc_dtls_state_t state;
    ertc_dtls_send_cb send_cb;
    ertc_dtls_event_cb event_cb;
    void *arg;

    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;

    /* The datagram being processed, handed to mbedTLS by bio_recv once. */
    const uint8_t *in;
    size_t in_len;

    /* mbedTLS's retransmission timer (mbedtls_ssl_set_timer_t semantics). */
    ertc_timer_t timer;
    bool timer_armed;
    bool timer_expired;
    uint64_t intermediate_deadline_ms;

    /* Captured by the export-keys callback; wiped once the SRTP keys are derived. */
    bool have_secret;
    mbedtls_tls_prf_types prf;
    uint8_t master[MASTER_SECRET_LEN];
    uint8_t randoms[RANDOMS_LEN];

    uint16_t srtp_profile;
    bool have_srtp;
    uint8_t srtp_material[SRTP_EXPORT_LEN];

    char remote_fingerprint[ERTC_CERT_FINGERPRINT_MAX];
    bool fingerprint_checked; /* the peer's certificate matched */
    bool fingerprint_mismatch;
    bool fingerprint_missing;
    ertc_dtls_hello_t hello; /* a fragmented ClientHello being put back together (server) */

    uint8_t *read_buf;
    char error[ERTC_DTLS_ERROR_LEN];
};

/* RFC 8827 §6.5 MUST first; CHACHA20 as browsers offer it too. */
static const int dtls_ciphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
#if defined(MBEDTLS_CHACHAPOLY_C)
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
#endif
    0,
};

/* ECDHE groups and the curves accepted for the peer's certificate key. */
static const mbedtls_ecp_group_id dtls_curves[] = {
    MBEDTLS_ECP_DP_SECP256R1,
#if defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
    MBEDTLS_ECP_DP_CURVE25519,
#endif
    MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_NONE,
};

static const mbedtls_ssl_srtp_profile dtls_srtp_profiles[] = {
    MBEDTLS_TLS_SRTP_AES128_CM_HMAC_SHA1_80,
    MBEDTLS_TLS_SRTP_UNSET,
};

static const char *role_name(ertc_dtls_role_t role)
{
    return role == ERTC_DTLS_ROLE_CLIENT ? "client" : "server";
}

const char *ertc_dtls_state_name(ertc_dtls_state_t state)
{
    switch (state) {
    case ERTC_DTLS_STATE_NEW: return "new";
    case ERTC_DTLS_STATE_HANDSHAKING: return "handshaking";
    case ERTC_DTLS_STATE_CONNECTED: return "connected";
    case ERTC_DTLS_STATE_FAILED: return "failed";
    case ERTC_DTLS_STATE_CLOSED: return "closed";
    }
    return "?";
}

static void set_state(ertc_dtls_t *d, ertc_dtls_state_t state)
{
    if (d->state != state) {
        ERTC_LOGD(TAG, "%p (%s): %s -> %s", (void *)d, role_name(d->role),
                  ertc_dtls_state_name(d->state), ertc_dtls_state_name(state));
        d->state = state;
    }
}

static void emit(ertc_dtls_t *d, ertc_dtls_event_type_t type, const char *detail)
{
    ertc_dtls_event_t ev = {.type = type, .detail = detail, .srtp_profile = d->srtp_profile};
    if (d->event_cb != NULL) {
        d->event_cb(d->arg, &ev);
    }
}

static void wipe_secrets(ertc_dtls_t *d)
{
    mbedtls_platform_zeroize(d->master, sizeof(d->master));
    d->have_secret = false;
}

/* Enters FAILED with d->error already written, and tells the user. */
static WEBRTC_STATUS fail(ertc_dtls_t *d, WEBRTC_STATUS status)
{
    ertc_timer_stop(d->loop, &d->timer);
    d->timer_armed = false;
    wipe_secrets(d);
    set_state(d, ERTC_DTLS_STATE_FAILED);
    ERTC_LOGW(TAG, "%p (%s): %s", (void *)d, role_name(d->role), d->error);
    emit(d, ERTC_DTLS_EVENT_FAILED, d->error);
    return status;
}

/* ---- mbedTLS callbacks ------------------------------------------------------------------- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    ertc_dtls_t *d = ctx;
    if (d->send_cb(d->arg, buf, len) != WEBRTC_STATUS_SUCCESS) {
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)len;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    ertc_dtls_t *d = ctx;
    if (d->in == NULL) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    size_t n = d->in_len;
    const uint8_t *in = d->in;
    d->in = NULL;
    d->in_len = 0;
    if (n > len) {
        ERTC_LOGD(TAG, "%p: dropping a %zu-byte datagram (larger than mbedTLS's buffer)", (void *)d,
                  n);
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    memcpy(buf, in, n);
    return (int)n;
}

static void on_timer(ertc_loop_t *loop, ertc_timer_t *timer, void *arg);

/* mbedtls_ssl_set_timer_t: final_ms 0 cancels. */
static void timer_set(void *ctx, uint32_t intermediate_ms, uint32_t final_ms)
{
    ertc_dtls_t *d = ctx;
    d->timer_expired = false;
    if (final_ms == 0) {
        d->timer_armed = false;
        ertc_timer_stop(d->loop, &d->timer);
        return;
    }
    d->timer_armed = true;
    d->intermediate_deadline_ms = ertc_time_mono_ms() + intermediate_ms;
    if (ertc_timer_start(d->loop, &d->timer, final_ms, 0) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%p: cannot start the retransmission timer", (void *)d);
    }
}

/* mbedtls_ssl_get_timer_t: -1 cancelled, 0 running, 1 intermediate passed, 2 final passed.
 * "Final passed" is the loop's word (the timer fired), so the two clocks cannot disagree. */
static int timer_get(void *ctx)
{
    ertc_dtls_t *d = ctx;
    if (!d->timer_armed) {
        return -1;
    }
    if (d->timer_expired) {
        return 2;
    }
    return ertc_time_mono_ms() >= d->intermediate_deadline_ms ? 1 : 0;
}

static int export_keys(void *ctx, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                       size_t keylen, size_t ivlen, const unsigned char client_random[32],
                       const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    (void)kb;
    (void)maclen;
    (void)keylen;
    (void)ivlen;
    ertc_dtls_t *d = ctx;
    memcpy(d->master, ms, MASTER_SECRET_LEN);
    memcpy(d->randoms, client_random, 32);
    memcpy(d->randoms + 32, server_random, 32);
    d->prf = prf;
    d->have_secret = true;
    return 0;
}

static int verify_peer(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    ertc_dtls_t *d = ctx;
    if (depth != 0) {
        *flags = 0; /* anything above the peer's own certificate plays no role */
        return 0;
    }
    if (d->remote_fingerprint[0] == '\0') {
        d->fingerprint_missing = true;
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
    } else if (ertc_cert_fingerprint_matches(crt->raw.p, crt->raw.len, d->remote_fingerprint)) {
        d->fingerprint_checked = true;
        *flags = 0;
    } else {
        d->fingerprint_mismatch = true;
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
    }
    return 0;
}

/* ---- errors -------------------------------------------------------------------------------- */

static WEBRTC_STATUS handshake_error(ertc_dtls_t *d, int rc)
{
    char why[160];
    WEBRTC_STATUS st = WEBRTC_STATUS_TLS_ERROR;
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && d->fingerprint_mismatch) {
        snprintf(d->error, sizeof(d->error), "%s", ERROR_FINGERPRINT_MISMATCH);
        st = WEBRTC_STATUS_CERT_ERROR;
    } else if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && d->fingerprint_missing) {
        snprintf(d->error, sizeof(d->error),
                 "DTLS: no remote fingerprint (a=fingerprint) was given to check the peer's "
                 "certificate against");
        st = WEBRTC_STATUS_CERT_ERROR;
    } else if (rc == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE) {
        snprintf(d->error, sizeof(d->error),
                 "DTLS: the peer sent no certificate (WebRTC requires one on both sides)");
        st = WEBRTC_STATUS_CERT_ERROR;
    } else if (rc == MBEDTLS_ERR_SSL_TIMEOUT) {
        snprintf(d->error, sizeof(d->error),
                 "DTLS: handshake timed out (no answer from the peer after retransmitting for "
                 "%d s)",
                 2 * ERTC_DTLS_RETRANSMIT_MAX_MS / 1000);
        st = WEBRTC_STATUS_TIMEOUT;
    } else if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        /* mbedTLS 2.28 leaves the received alert record in in_msg. */
        snprintf(d->error, sizeof(d->error), "DTLS: the peer sent fatal alert %u during the %s",
                 d->ssl.in_msg != NULL ? d->ssl.in_msg[1] : 0u,
                 d->state == ERTC_DTLS_STATE_CONNECTED ? "connection" : "handshake");
    } else if (rc == MBEDTLS_ERR_NET_SEND_FAILED) {
        snprintf(d->error, sizeof(d->error), "DTLS: the transport could not send a datagram");
        st = WEBRTC_STATUS_NETWORK_ERROR;
    } else {
        mbedtls_strerror(rc, why, sizeof(why));
        snprintf(d->error, sizeof(d->error), "DTLS %s: %s (-0x%04x)",
                 d->state == ERTC_DTLS_STATE_CONNECTED ? "connection" : "handshake", why,
                 (unsigned)-rc);
    }
    return fail(d, st);
}

/* ---- the state machine -------------------------------------------------------------------- */

static void derive_srtp_keys(ertc_dtls_t *d)
{
    mbedtls_dtls_srtp_info info;
    mbedtls_ssl_get_dtls_srtp_negotiation_result(&d->ssl, &info);
    d->srtp_profile = info.chosen_dtls_srtp_profile;
    if (d->srtp_profile == MBEDTLS_TLS_SRTP_AES128_CM_HMAC_SHA1_80 && d->have_secret) {
        d->have_srtp = mbedtls_ssl_tls_prf(d->prf, d->master, sizeof(d->master), SRTP_EXPORT_LABEL,
                                           d->randoms, sizeof(d->randoms), d->srtp_material,
                                           sizeof(d->srtp_material)) == 0;
    }
    wipe_secrets(d);
}

/* Reads records until mbedTLS needs another datagram; delivers application data. */
static WEBRTC_STATUS read_records(ertc_dtls_t *d)
{
    while (d->state == ERTC_DTLS_STATE_CONNECTED) {
        int rc = mbedtls_ssl_read(&d->ssl, d->read_buf, READ_BUF_LEN);
        if (rc > 0) {
            ertc_dtls_event_t ev = {.type = ERTC_DTLS_EVENT_DATA,
                                    .data = d->read_buf,
                                    .len = (size_t)rc,
                                    .srtp_profile = d->srtp_profile};
            d->event_cb(d->arg, &ev);
        } else if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
            ertc_timer_stop(d->loop, &d->timer);
            set_state(d, ERTC_DTLS_STATE_CLOSED);
            emit(d, ERTC_DTLS_EVENT_CLOSED, "the peer sent close_notify");
        } else if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
            return WEBRTC_STATUS_SUCCESS;
        } else {
            return handshake_error(d, rc);
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS step_handshake(ertc_dtls_t *d)
{
    int rc = mbedtls_ssl_handshake(&d->ssl);
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (rc != 0) {
        return handshake_error(d, rc);
    }
    if (!d->fingerprint_checked) {
        snprintf(d->error, sizeof(d->error), "%s", ERROR_FINGERPRINT_MISMATCH);
        return fail(d, WEBRTC_STATUS_CERT_ERROR);
    }
    derive_srtp_keys(d);
    set_state(d, ERTC_DTLS_STATE_CONNECTED);
    const char *suite = mbedtls_ssl_get_ciphersuite(&d->ssl);
    ERTC_LOGI(TAG, "%p (%s): connected, %s, SRTP profile 0x%04x", (void *)d, role_name(d->role),
              suite ? suite : "-", d->srtp_profile);
    emit(d, ERTC_DTLS_EVENT_CONNECTED, suite ? suite : "-");
    /* The datagram that finished the handshake may carry application data too. */
    return read_records(d);
}

/* Lets mbedTLS process d->in (if any) or an expired timer, in the current state. */
static WEBRTC_STATUS drive(ertc_dtls_t *d)
{
    switch (d->state) {
    case ERTC_DTLS_STATE_HANDSHAKING: return step_handshake(d);
    case ERTC_DTLS_STATE_CONNECTED: return read_records(d);
    case ERTC_DTLS_STATE_NEW:
    case ERTC_DTLS_STATE_FAILED:
    case ERTC_DTLS_STATE_CLOSED: break;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void on_timer(ertc_loop_t *loop, ertc_timer_t *timer, void *arg)
{
    (void)loop;
    (void)timer;
    ertc_dtls_t *d = arg;
    d->timer_expired = true;
    (void)drive(d);
}

/* ---- setup -------------------------------------------------------------------------------- */

static int configure(ertc_dtls_t *d)
{
    mbedtls_ssl_config *conf = &d->conf;
    int endpoint = d->role == ERTC_DTLS_ROLE_CLIENT ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER;
    int rc = mbedtls_ssl_config_defaults(conf, endpoint, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) {
        return rc;
    }
    mbedtls_ssl_conf_rng(conf, ertc_random_mbedtls, NULL);
    /* DTLS 1.2 only (DTLS 1.0 is TLS 1.1 based and not allowed by RFC 8827). */
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(conf, dtls_ciphersuites);
    mbedtls_ssl_conf_curves(conf, dtls_curves);
    mbedtls_ssl_conf_extended_master_secret(conf, MBEDTLS_SSL_EXTENDED_MS_ENABLED);
    mbedtls_ssl_conf_handshake_timeout(conf, ERTC_DTLS_RETRANSMIT_MIN_MS,
                                       ERTC_DTLS_RETRANSMIT_MAX_MS);
    mbedtls_ssl_conf_export_keys_ext_cb(conf, export_keys, d);
    /* Both sides must authenticate; see the file comment for the placeholder trust anchor. */
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, ertc_cert_mbedtls_crt(d->cert), NULL);
    mbedtls_ssl_conf_verify(conf, verify_peer, d);
    rc = mbedtls_ssl_conf_own_cert(conf, ertc_cert_mbedtls_crt(d->cert),
                                   ertc_cert_mbedtls_key(d->cert));
    if (rc == 0) {
        rc = mbedtls_ssl_conf_dtls_srtp_protection_profiles(conf, dtls_srtp_profiles);
    }
    if (d->role == ERTC_DTLS_ROLE_SERVER) {
        /* No HelloVerifyRequest: the address was proven by ICE (see dtls.h). Without this call
         * mbedTLS installs dummy cookie callbacks that refuse every ClientHello. */
        mbedtls_ssl_conf_dtls_cookies(conf, NULL, NULL, NULL);
    }
    return rc;
}

WEBRTC_STATUS ertc_dtls_create(ertc_loop_t *loop, ertc_cert_t *cert, ertc_dtls_role_t role,
                               const char *remote_fingerprint, ertc_dtls_send_cb send_cb,
                               ertc_dtls_event_cb event_cb, void *arg, ertc_dtls_t **out)
{
    if (loop == NULL || cert == NULL || send_cb == NULL || event_cb == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    if (role != ERTC_DTLS_ROLE_CLIENT && role != ERTC_DTLS_ROLE_SERVER) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_dtls_t *d = ertc_calloc(1, sizeof(*d));
    if (d == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    d->loop = loop;
    d->cert = ertc_cert_ref(cert);
    d->role = role;
    d->send_cb = send_cb;
    d->event_cb = event_cb;
    d->arg = arg;
    ertc_timer_init(&d->timer, on_timer, d);
    mbedtls_ssl_config_init(&d->conf);
    mbedtls_ssl_init(&d->ssl);

    WEBRTC_STATUS st = ertc_dtls_set_remote_fingerprint(d, remote_fingerprint);
    d->read_buf = ertc_malloc(READ_BUF_LEN);
    if (d->read_buf == NULL) {
        st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    int rc = 0;
    if (st == WEBRTC_STATUS_SUCCESS) {
        rc = configure(d);
        if (rc == 0) {
            rc = mbedtls_ssl_setup(&d->ssl, &d->conf);
        }
        if (rc != 0) {
            ERTC_LOGE(TAG, "DTLS setup failed (mbedTLS -0x%04x)", (unsigned)-rc);
            st = rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                                    : WEBRTC_STATUS_TLS_ERROR;
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_dtls_destroy(d);
        return st;
    }
    mbedtls_ssl_set_bio(&d->ssl, d, bio_send, bio_recv, NULL);
    mbedtls_ssl_set_timer_cb(&d->ssl, d, timer_set, timer_get);
    mbedtls_ssl_set_mtu(&d->ssl, ERTC_DTLS_MTU);
    *out = d;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_dtls_destroy(ertc_dtls_t *d)
{
    if (d == NULL) {
        return;
    }
    ertc_timer_stop(d->loop, &d->timer);
    ertc_dtls_hello_free(&d->hello);
    mbedtls_ssl_free(&d->ssl);
    mbedtls_ssl_config_free(&d->conf);
    wipe_secrets(d);
    mbedtls_platform_zeroize(d->srtp_material, sizeof(d->srtp_material));
    ertc_cert_unref(d->cert);
    ertc_free(d->read_buf);
    ertc_free(d);
}

WEBRTC_STATUS ertc_dtls_set_remote_fingerprint(ertc_dtls_t *d, const char *remote_fingerprint)
{
    if (d == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (remote_fingerprint == NULL) {
        d->remote_fingerprint[0] = '\0';
        return WEBRTC_STATUS_SUCCESS;
    }
    if (strlen(remote_fingerprint) >= sizeof(d->remote_fingerprint)) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    snprintf(d->remote_fingerprint, sizeof(d->remote_fingerprint), "%s", remote_fingerprint);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_dtls_set_mtu(ertc_dtls_t *d, uint16_t mtu)
{
    if (d == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    mbedtls_ssl_set_mtu(&d->ssl, mtu);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_dtls_start(ertc_dtls_t *d)
{
    if (d == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (d->state != ERTC_DTLS_STATE_NEW) {
        return d->state == ERTC_DTLS_STATE_HANDSHAKING ? WEBRTC_STATUS_SUCCESS
                                                       : WEBRTC_STATUS_INVALID_OPERATION;
    }
    set_state(d, ERTC_DTLS_STATE_HANDSHAKING);
    return step_handshake(d);
}

WEBRTC_STATUS ertc_dtls_handle_packet(ertc_dtls_t *d, const uint8_t *buf, size_t len)
{
    if (d == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (d->state == ERTC_DTLS_STATE_FAILED || d->state == ERTC_DTLS_STATE_CLOSED) {
        return WEBRTC_STATUS_CLOSED;
    }
    if (d->state == ERTC_DTLS_STATE_NEW) {
        if (d->role == ERTC_DTLS_ROLE_CLIENT) {
            return WEBRTC_STATUS_INVALID_OPERATION; /* nothing to answer before our hello */
        }
        set_state(d, ERTC_DTLS_STATE_HANDSHAKING);
    }
    if (d->role == ERTC_DTLS_ROLE_SERVER && d->ssl.state <= MBEDTLS_SSL_CLIENT_HELLO) {
        /* mbedTLS 2.28's server takes a ClientHello only whole, in one record: browsers with
         * post-quantum key shares fragment theirs, so it is put back together first. */
        ertc_dtls_hello_verdict_t verdict;
        const uint8_t *whole = NULL;
        size_t whole_len = 0;
        WEBRTC_STATUS hs = ertc_dtls_hello_feed(&d->hello, buf, len, &verdict, &whole, &whole_len);
        if (hs != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGD(TAG, "dropped a ClientHello fragment (%s)", webrtc_status_name(hs));
            return hs;
        }
        if (verdict == ERTC_DTLS_HELLO_HOLD) {
            return WEBRTC_STATUS_SUCCESS;
        }
        if (verdict == ERTC_DTLS_HELLO_READY) {
            ERTC_LOGD(TAG, "ClientHello of %zu bytes reassembled from fragments", whole_len);
            buf = whole;
            len = whole_len;
        }
    }
    d->in = buf;
    d->in_len = len;
    WEBRTC_STATUS st = drive(d);
    d->in = NULL;
    d->in_len = 0;
    return st;
}

WEBRTC_STATUS ertc_dtls_send(ertc_dtls_t *d, const uint8_t *data, size_t len)
{
    if (d == NULL || (data == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (d->state != ERTC_DTLS_STATE_CONNECTED) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    int max = mbedtls_ssl_get_max_out_record_payload(&d->ssl);
    if (max < 0 || len > (size_t)max) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED; /* one SCTP packet must fit one record */
    }
    int rc = mbedtls_ssl_write(&d->ssl, data, len);
    if (rc < 0) {
        return handshake_error(d, rc);
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_dtls_close(ertc_dtls_t *d)
{
    if (d == NULL) {
        return;
    }
    if (d->state == ERTC_DTLS_STATE_CONNECTED) {
        (void)mbedtls_ssl_close_notify(&d->ssl);
    }
    ertc_timer_stop(d->loop, &d->timer);
    d->timer_armed = false;
    wipe_secrets(d);
    if (d->state != ERTC_DTLS_STATE_FAILED) {
        set_state(d, ERTC_DTLS_STATE_CLOSED);
    }
}

ertc_dtls_state_t ertc_dtls_state(const ertc_dtls_t *d)
{
    return d->state;
}

const char *ertc_dtls_error(const ertc_dtls_t *d)
{
    return d->error[0] ? d->error : "no DTLS error";
}

WEBRTC_STATUS ertc_dtls_srtp_keys(const ertc_dtls_t *d, ertc_dtls_srtp_keys_t *keys)
{
    if (d == NULL || keys == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!d->have_srtp) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    const uint8_t *m = d->srtp_material;
    const uint8_t *client_key = m;
    const uint8_t *server_key = m + ERTC_DTLS_SRTP_KEY_LEN;
    const uint8_t *client_salt = m + 2 * ERTC_DTLS_SRTP_KEY_LEN;
    const uint8_t *server_salt = client_salt + ERTC_DTLS_SRTP_SALT_LEN;
    bool client = d->role == ERTC_DTLS_ROLE_CLIENT;
    keys->profile = d->srtp_profile;
    memcpy(keys->local_key, client ? client_key : server_key, ERTC_DTLS_SRTP_KEY_LEN);
    memcpy(keys->local_salt, client ? client_salt : server_salt, ERTC_DTLS_SRTP_SALT_LEN);
    memcpy(keys->remote_key, client ? server_key : client_key, ERTC_DTLS_SRTP_KEY_LEN);
    memcpy(keys->remote_salt, client ? server_salt : client_salt, ERTC_DTLS_SRTP_SALT_LEN);
    return WEBRTC_STATUS_SUCCESS;
}
