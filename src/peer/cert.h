/*
 * peer/cert — the device's DTLS identity: a self-signed ECDSA P-256 certificate and its key,
 * and the certificate fingerprints SDP carries (RFC 8122 §5, "a=fingerprint:sha-256 AB:CD:...").
 *
 * WebRTC does not use certificate chains: each side trusts the peer's certificate because its
 * hash matches the fingerprint in the signaled SDP (RFC 8827 §6.5, RFC 8842). So the
 * certificate is self-signed, with notBefore backdated one day because a device may boot
 * without a correct clock (browser-interop.md), and short-lived (30 days).
 *
 * Generation takes an ECDSA key generation and one signature, so it is done once per process
 * (on the work queue); it is reentrant and thread-safe. A certificate is reference-counted
 * and immutable after creation, so any number of DTLS sessions may share it.
 */
#ifndef ERTC_PEER_CERT_H
#define ERTC_PEER_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* "sha-512 " + 64 bytes as "AB:" + NUL: the longest fingerprint string. */
#define ERTC_CERT_FINGERPRINT_MAX 201
#define ERTC_CERT_VALID_DAYS      30
#define ERTC_CERT_BACKDATE_DAYS   1
#define ERTC_CERT_COMMON_NAME     "edgertc"

typedef struct ertc_cert ertc_cert_t;

/* Generates a new key pair and certificate. */
WEBRTC_STATUS ertc_cert_generate(ertc_cert_t **out);
ertc_cert_t *ertc_cert_ref(ertc_cert_t *cert);
void ertc_cert_unref(ertc_cert_t *cert);

/* The certificate in DER; valid as long as the certificate. */
const uint8_t *ertc_cert_der(const ertc_cert_t *cert, size_t *len);
/* "sha-256 AB:CD:..." as a=fingerprint wants it; valid as long as the certificate. */
const char *ertc_cert_fingerprint(const ertc_cert_t *cert);

/* The mbedTLS objects, for peer/dtls (mbedtls_x509_crt * and mbedtls_pk_context *). */
void *ertc_cert_mbedtls_crt(ertc_cert_t *cert);
void *ertc_cert_mbedtls_key(ertc_cert_t *cert);

/*
 * Fingerprint of any DER certificate: algorithm "sha-256", "sha-384" or "sha-512" (any case).
 * out receives "<algorithm> XX:XX:..." in upper-case hex. INVALID_ARG for another algorithm,
 * BUFFER_TOO_SMALL when out is too small (ERTC_CERT_FINGERPRINT_MAX always suffices).
 */
WEBRTC_STATUS ertc_cert_fingerprint_of(const uint8_t *der, size_t len, const char *algorithm,
                                       char *out, size_t out_size);

/*
 * True when sdp_fingerprint ("sha-256 AB:CD:...", the value of a=fingerprint) is the hash of
 * der. The algorithm name and the hex digits compare case-insensitively; an unknown
 * algorithm, a malformed value or a wrong length is no match.
 */
bool ertc_cert_fingerprint_matches(const uint8_t *der, size_t len, const char *sdp_fingerprint);

#endif
