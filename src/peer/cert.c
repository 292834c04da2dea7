/*
 * peer/cert — see cert.h. Self-signed ECDSA P-256 / SHA-256 certificate (RFC 5280 profile,
 * RFC 8827 §6.5 key type) and RFC 8122 §5 fingerprints, with mbedTLS 2.28.
 *
 * Thread safety: everything here works on local or per-certificate state, and the random
 * source (ertc_random_mbedtls) is thread-safe. mbedTLS 2.28 fills the P-256 group's
 * precomputed comb table on the first signature with a key; generating the certificate
 * signs with the key once, so the table exists before the certificate is shared and later
 * signatures (in DTLS handshakes on any thread) only read it.
 */
#include "peer/cert.h"

#include <ctype.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "cert"

#define CERT_DER_MAX     1024 /* a P-256 self-signed certificate is about 400 bytes */
#define SERIAL_BYTES     8
#define SECONDS_PER_DAY  (24 * 3600)
#define X509_TIME_LEN    15 /* "YYYYMMDDhhmmss" + NUL */
#define MAX_DIGEST_BYTES 64

struct ertc_cert {
    atomic_int refs;
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    char fingerprint[ERTC_CERT_FINGERPRINT_MAX];
};

static void cert_destroy(ertc_cert_t *cert)
{
    mbedtls_x509_crt_free(&cert->crt);
    mbedtls_pk_free(&cert->key);
    ertc_free(cert);
}

/* "YYYYMMDDhhmmss" (UTC) for wall-clock seconds; clamped to 1970 for a clock before it. */
static void format_x509_time(int64_t seconds, char out[X509_TIME_LEN])
{
    time_t t = seconds < 0 ? 0 : (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* strftime: the fields are in range, so the length is fixed (no truncation warnings). */
    if (strftime(out, X509_TIME_LEN, "%Y%m%d%H%M%S", &tm) != X509_TIME_LEN - 1) {
        snprintf(out, X509_TIME_LEN, "19700101000000");
    }
}

static int generate_key(mbedtls_pk_context *key)
{
    int rc = mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (rc == 0) {
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key), ertc_random_mbedtls,
                                 NULL);
    }
    return rc;
}

/* Writes the self-signed certificate for key; returns the DER length or a negative error. The
 * DER ends at buf + size (mbedTLS writes backwards). */
static int write_certificate(mbedtls_pk_context *key, uint8_t *buf, size_t size)
{
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);

    uint8_t serial_bytes[SERIAL_BYTES];
    int rc = ertc_random_bytes(serial_bytes, sizeof(serial_bytes)) == WEBRTC_STATUS_SUCCESS
                 ? 0
                 : MBEDTLS_ERR_X509_FATAL_ERROR;
    /* A serial is a positive INTEGER (RFC 5280 §4.1.2.2): clear the sign bit, avoid zero. */
    serial_bytes[0] = (uint8_t)((serial_bytes[0] & 0x7f) | 0x01);

    int64_t now = (int64_t)(ertc_time_wall_ms() / 1000);
    char not_before[X509_TIME_LEN];
    char not_after[X509_TIME_LEN];
    format_x509_time(now - (int64_t)ERTC_CERT_BACKDATE_DAYS * SECONDS_PER_DAY, not_before);
    format_x509_time(now + (int64_t)ERTC_CERT_VALID_DAYS * SECONDS_PER_DAY, not_after);

    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, key);
    mbedtls_x509write_crt_set_issuer_key(&w, key);
    if (rc == 0) {
        rc = mbedtls_mpi_read_binary(&serial, serial_bytes, sizeof(serial_bytes));
    }
    if (rc == 0) {
        rc = mbedtls_x509write_crt_set_serial(&w, &serial);
    }
    if (rc == 0) {
        rc = mbedtls_x509write_crt_set_subject_name(&w, "CN=" ERTC_CERT_COMMON_NAME);
    }
    if (rc == 0) {
        rc = mbedtls_x509write_crt_set_issuer_name(&w, "CN=" ERTC_CERT_COMMON_NAME);
    }
    if (rc == 0) {
        rc = mbedtls_x509write_crt_set_validity(&w, not_before, not_after);
    }
    if (rc == 0) {
        rc = mbedtls_x509write_crt_der(&w, buf, size, ertc_random_mbedtls, NULL);
    }
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    return rc;
}

WEBRTC_STATUS ertc_cert_generate(ertc_cert_t **out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    ertc_cert_t *cert = ertc_calloc(1, sizeof(*cert));
    if (cert == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    atomic_init(&cert->refs, 1);
    mbedtls_x509_crt_init(&cert->crt);
    mbedtls_pk_init(&cert->key);

    uint8_t *der = ertc_malloc(CERT_DER_MAX);
    if (der == NULL) {
        cert_destroy(cert);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    int rc = generate_key(&cert->key);
    int len = rc == 0 ? write_certificate(&cert->key, der, CERT_DER_MAX) : rc;
    rc = len < 0 ? len
                 : mbedtls_x509_crt_parse_der(&cert->crt, der + CERT_DER_MAX - len, (size_t)len);
    ertc_free(der);
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (rc != 0) {
        ERTC_LOGE(TAG, "cannot generate the DTLS certificate (mbedTLS -0x%04x)", (unsigned)-rc);
        st = rc == MBEDTLS_ERR_X509_ALLOC_FAILED || rc == MBEDTLS_ERR_PK_ALLOC_FAILED ||
                     rc == MBEDTLS_ERR_ECP_ALLOC_FAILED || rc == MBEDTLS_ERR_MPI_ALLOC_FAILED
                 ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                 : WEBRTC_STATUS_INTERNAL_ERROR;
    } else {
        st = ertc_cert_fingerprint_of(cert->crt.raw.p, cert->crt.raw.len, "sha-256",
                                      cert->fingerprint, sizeof(cert->fingerprint));
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        cert_destroy(cert);
        return st;
    }
    ERTC_LOGD(TAG, "generated DTLS certificate %s", cert->fingerprint);
    *out = cert;
    return WEBRTC_STATUS_SUCCESS;
}

ertc_cert_t *ertc_cert_ref(ertc_cert_t *cert)
{
    if (cert != NULL) {
        atomic_fetch_add(&cert->refs, 1);
    }
    return cert;
}

void ertc_cert_unref(ertc_cert_t *cert)
{
    if (cert != NULL && atomic_fetch_sub(&cert->refs, 1) == 1) {
        cert_destroy(cert);
    }
}

const uint8_t *ertc_cert_der(const ertc_cert_t *cert, size_t *len)
{
    *len = cert->crt.raw.len;
    return cert->crt.raw.p;
}

const char *ertc_cert_fingerprint(const ertc_cert_t *cert)
{
    return cert->fingerprint;
}

void *ertc_cert_mbedtls_crt(ertc_cert_t *cert)
{
    return &cert->crt;
}

void *ertc_cert_mbedtls_key(ertc_cert_t *cert)
{
    return &cert->key;
}

/* ---- fingerprints ----------------------------------------------------------------------- */

/* The hash named in SDP (RFC 8122 §5 uses the IANA "Hash Function Textual Names"). */
static const mbedtls_md_info_t *digest_named(const char *name, size_t name_len)
{
    static const struct {
        const char *name;
        mbedtls_md_type_t type;
    } known[] = {
        {"sha-256", MBEDTLS_MD_SHA256},
        {"sha-384", MBEDTLS_MD_SHA384},
        {"sha-512", MBEDTLS_MD_SHA512},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].name) == name_len && strncasecmp(known[i].name, name, name_len) == 0) {
            return mbedtls_md_info_from_type(known[i].type);
        }
    }
    return NULL;
}

WEBRTC_STATUS ertc_cert_fingerprint_of(const uint8_t *der, size_t len, const char *algorithm,
                                       char *out, size_t out_size)
{
    if (der == NULL || algorithm == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    const mbedtls_md_info_t *md = digest_named(algorithm, strlen(algorithm));
    if (md == NULL) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    uint8_t digest[MAX_DIGEST_BYTES];
    size_t digest_len = mbedtls_md_get_size(md);
    if (mbedtls_md(md, der, len, digest) != 0) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    size_t name_len = strlen(algorithm);
    size_t need = name_len + 1 + digest_len * 3; /* "XX:" per byte, the last ':' is the NUL */
    if (out_size < need) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < name_len; i++) {
        out[i] = (char)tolower((unsigned char)algorithm[i]);
    }
    out[name_len] = ' ';
    static const char hex[] = "0123456789ABCDEF";
    char *p = out + name_len + 1;
    for (size_t i = 0; i < digest_len; i++) {
        *p++ = hex[digest[i] >> 4];
        *p++ = hex[digest[i] & 0x0f];
        *p++ = i + 1 < digest_len ? ':' : '\0';
    }
    return WEBRTC_STATUS_SUCCESS;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses "XX:XX:...:XX" (exactly expect bytes, optional trailing blanks) into out. */
static bool parse_hex_colons(const char *s, uint8_t *out, size_t expect)
{
    for (size_t i = 0; i < expect; i++) {
        int hi = hex_value(s[0]);
        int lo = hi < 0 ? -1 : hex_value(s[1]);
        if (lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i + 1 < expect) {
            if (*s != ':') {
                return false;
            }
            s++;
        }
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }
    return *s == '\0';
}

bool ertc_cert_fingerprint_matches(const uint8_t *der, size_t len, const char *sdp_fingerprint)
{
    if (der == NULL || sdp_fingerprint == NULL) {
        return false;
    }
    const char *s = sdp_fingerprint;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    const char *name = s;
    while (*s != '\0' && *s != ' ' && *s != '\t') {
        s++;
    }
    const mbedtls_md_info_t *md = digest_named(name, (size_t)(s - name));
    if (md == NULL) {
        return false;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    uint8_t expected[MAX_DIGEST_BYTES];
    uint8_t actual[MAX_DIGEST_BYTES];
    size_t digest_len = mbedtls_md_get_size(md);
    if (!parse_hex_colons(s, expected, digest_len) || mbedtls_md(md, der, len, actual) != 0) {
        return false;
    }
    return memcmp(expected, actual, digest_len) == 0;
}
