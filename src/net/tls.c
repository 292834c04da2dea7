/*
 * net/tls — see tls.h. mbedTLS 2.28 (Debian) and 3.x (ESP-IDF) share the calls used here.
 *
 * The socket I/O callbacks map EAGAIN to MBEDTLS_ERR_SSL_WANT_READ/WRITE, so mbedTLS never
 * blocks; which direction it waits for is remembered for ertc_tls_wants(). Certificate
 * failures are turned into one readable sentence, since "X509 - Certificate verification
 * failed" tells a user nothing about which of CA, name or date is wrong.
 */
#include "net/tls.h"

#include <errno.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "port/loop.h"
#include "port/port.h"
#include "port/socket.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "tls"
#define TLS_READ_AHEAD 2048

struct ertc_tls_config {
    atomic_int refs;
    ertc_tls_role_t role;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
};

struct ertc_tls {
    ertc_tls_config_t *cfg;
    mbedtls_ssl_context ssl;
    int fd;
    /* Read-ahead: mbedTLS asks for a record's 5-byte header, then its body; reading up to
     * TLS_READ_AHEAD bytes at once makes that one system call for a small record. */
    uint8_t ra[TLS_READ_AHEAD];
    size_t ra_off;
    size_t ra_len;
    uint8_t server_ip[16]; /* the server name as an address, when it is an IP literal */
    size_t server_ip_len;
    unsigned wants;
    bool eof;
    char server_name[256];
    char error[ERTC_TLS_ERROR_LEN];
};

static void describe_mbedtls(int rc, char *out, size_t size)
{
    char text[160];
    mbedtls_strerror(rc, text, sizeof(text));
    snprintf(out, size, "%s (-0x%04x)", text, (unsigned)-rc);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void config_destroy(ertc_tls_config_t *cfg)
{
    mbedtls_ssl_config_free(&cfg->conf);
    mbedtls_x509_crt_free(&cfg->ca);
    mbedtls_x509_crt_free(&cfg->own_cert);
    mbedtls_pk_free(&cfg->own_key);
    ertc_free(cfg);
}

static WEBRTC_STATUS load_ca(ertc_tls_config_t *cfg, const char *path, char *err, size_t size)
{
    const char *ca = path ? path : ERTC_TLS_SYSTEM_CA_FILE;
    int rc = is_directory(ca) ? mbedtls_x509_crt_parse_path(&cfg->ca, ca)
                              : mbedtls_x509_crt_parse_file(&cfg->ca, ca);
    /* A positive result counts certificates that failed to parse; a bundle with a few
     * unsupported entries is still usable as long as some parsed. */
    if (rc < 0 || cfg->ca.version == 0) {
        char why[200];
        describe_mbedtls(rc < 0 ? rc : MBEDTLS_ERR_X509_INVALID_FORMAT, why, sizeof(why));
        snprintf(err, size, "cannot load CA certificates from %s: %s", ca, why);
        return WEBRTC_STATUS_CERT_ERROR;
    }
    if (rc > 0) {
        ERTC_LOGD(TAG, "%d certificate(s) in %s could not be parsed and are ignored", rc, ca);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS load_own_identity(ertc_tls_config_t *cfg, const ertc_tls_options_t *opts,
                                       char *err, size_t size)
{
    char why[200];
    int rc = mbedtls_x509_crt_parse_file(&cfg->own_cert, opts->cert_path);
    if (rc != 0) {
        describe_mbedtls(rc, why, sizeof(why));
        snprintf(err, size, "cannot load certificate %s: %s", opts->cert_path, why);
        return WEBRTC_STATUS_CERT_ERROR;
    }
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    rc = mbedtls_pk_parse_keyfile(&cfg->own_key, opts->key_path, NULL, ertc_random_mbedtls, NULL);
#else
    rc = mbedtls_pk_parse_keyfile(&cfg->own_key, opts->key_path, NULL);
#endif
    if (rc != 0) {
        describe_mbedtls(rc, why, sizeof(why));
        snprintf(err, size, "cannot load private key %s: %s", opts->key_path, why);
        return WEBRTC_STATUS_CERT_ERROR;
    }
    rc = mbedtls_ssl_conf_own_cert(&cfg->conf, &cfg->own_cert, &cfg->own_key);
    if (rc != 0) {
        describe_mbedtls(rc, why, sizeof(why));
        snprintf(err, size, "certificate %s and key %s do not go together: %s", opts->cert_path,
                 opts->key_path, why);
        return WEBRTC_STATUS_CERT_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* max_fragment_length (RFC 6066 §4): the client asks for records of at most len bytes. */
static WEBRTC_STATUS set_max_fragment_len(ertc_tls_config_t *cfg, unsigned len, char *err,
                                          size_t size)
{
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    /* The extension's codes: 1 for 2^9 bytes up to 4 for 2^12 (MBEDTLS_SSL_MAX_FRAG_LEN_*). */
    for (unsigned char code = 1; code <= 4; code++) {
        if (len == 256u << code) {
            mbedtls_ssl_conf_max_frag_len(&cfg->conf, code);
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    snprintf(err, size, "max_fragment_len %u is not 512, 1024, 2048 or 4096", len);
#else
    (void)cfg;
    snprintf(err, size, "max_fragment_len %u: this mbedTLS has no MBEDTLS_SSL_MAX_FRAGMENT_LENGTH",
             len);
#endif
    return WEBRTC_STATUS_INVALID_ARG;
}

WEBRTC_STATUS ertc_tls_config_create(const ertc_tls_options_t *opts, ertc_tls_config_t **out,
                                     char *err, size_t err_size)
{
    char scratch[8];
    if (err == NULL || err_size == 0) {
        err = scratch;
        err_size = sizeof(scratch);
    }
    err[0] = '\0';
    if (opts == NULL || out == NULL) {
        snprintf(err, err_size, "no TLS options given");
        return WEBRTC_STATUS_NULL_ARG;
    }
    bool has_cert = opts->cert_path != NULL || opts->key_path != NULL;
    if (has_cert && (opts->cert_path == NULL || opts->key_path == NULL)) {
        snprintf(err, err_size, "a certificate needs its key and a key its certificate");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (opts->role == ERTC_TLS_SERVER && !has_cert) {
        snprintf(err, err_size, "a TLS server needs a certificate and a key");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_tls_config_t *cfg = ertc_calloc(1, sizeof(*cfg));
    if (cfg == NULL) {
        snprintf(err, err_size, "out of memory");
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    atomic_init(&cfg->refs, 1);
    cfg->role = opts->role;
    mbedtls_ssl_config_init(&cfg->conf);
    mbedtls_x509_crt_init(&cfg->ca);
    mbedtls_x509_crt_init(&cfg->own_cert);
    mbedtls_pk_init(&cfg->own_key);

    int endpoint = opts->role == ERTC_TLS_SERVER ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT;
    int rc = mbedtls_ssl_config_defaults(&cfg->conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) {
        describe_mbedtls(rc, err, err_size);
        config_destroy(cfg);
        return WEBRTC_STATUS_TLS_ERROR;
    }
    mbedtls_ssl_conf_rng(&cfg->conf, ertc_random_mbedtls, NULL);
    mbedtls_ssl_conf_min_version(&cfg->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2 */

    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (opts->role == ERTC_TLS_CLIENT && opts->max_fragment_len != 0) {
        st = set_max_fragment_len(cfg, opts->max_fragment_len, err, err_size);
    }
    if (st == WEBRTC_STATUS_SUCCESS && opts->role == ERTC_TLS_CLIENT) {
        st = load_ca(cfg, opts->ca_path, err, err_size);
        if (st == WEBRTC_STATUS_SUCCESS) {
            mbedtls_ssl_conf_ca_chain(&cfg->conf, &cfg->ca, NULL);
            mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        }
    } else {
        mbedtls_ssl_conf_authmode(&cfg->conf, MBEDTLS_SSL_VERIFY_NONE);
    }
    if (st == WEBRTC_STATUS_SUCCESS && has_cert) {
        st = load_own_identity(cfg, opts, err, err_size);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        config_destroy(cfg);
        return st;
    }
    *out = cfg;
    return WEBRTC_STATUS_SUCCESS;
}

ertc_tls_config_t *ertc_tls_config_ref(ertc_tls_config_t *cfg)
{
    if (cfg != NULL) {
        atomic_fetch_add(&cfg->refs, 1);
    }
    return cfg;
}

void ertc_tls_config_unref(ertc_tls_config_t *cfg)
{
    if (cfg != NULL && atomic_fetch_sub(&cfg->refs, 1) == 1) {
        config_destroy(cfg);
    }
}

/* ---- socket I/O for mbedTLS ---------------------------------------------------------------- */

static int bio_recv_result(ertc_tls_t *t, ssize_t n);

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    ertc_tls_t *t = ctx;
    ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
    if (n >= 0) {
        return (int)n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        t->wants = ERTC_IO_WRITE;
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                 : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    ertc_tls_t *t = ctx;
    if (t->ra_len == 0 && len < sizeof(t->ra)) {
        ssize_t n = recv(t->fd, t->ra, sizeof(t->ra), 0);
        if (n > 0) {
            t->ra_off = 0;
            t->ra_len = (size_t)n;
        } else {
            return bio_recv_result(t, n);
        }
    }
    if (t->ra_len > 0) {
        size_t n = len < t->ra_len ? len : t->ra_len;
        memcpy(buf, t->ra + t->ra_off, n);
        t->ra_off += n;
        t->ra_len -= n;
        return (int)n;
    }
    return bio_recv_result(t, recv(t->fd, buf, len, 0));
}

/* Maps recv()'s result to what mbedTLS expects. */
static int bio_recv_result(ertc_tls_t *t, ssize_t n)
{
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        t->eof = true;
        return MBEDTLS_ERR_SSL_CONN_EOF;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        t->wants = ERTC_IO_READ;
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

/*
 * Certificate name check for servers addressed by IP. mbedTLS 2.28 compares the host name only
 * with DNS names and the CN, so for an IP literal we give mbedTLS no host name (an IP is not
 * a valid SNI value anyway) and check the iPAddress entries of subjectAltName here.
 */
#define SAN_IP_ADDRESS_TAG (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

static int verify_ip_san(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    ertc_tls_t *t = ctx;
    if (depth != 0 || t->server_ip_len == 0) {
        return 0;
    }
    for (const mbedtls_x509_sequence *san = &crt->subject_alt_names; san != NULL;
         san = san->next) {
        if (san->buf.tag == SAN_IP_ADDRESS_TAG && san->buf.len == t->server_ip_len &&
            memcmp(san->buf.p, t->server_ip, t->server_ip_len) == 0) {
            return 0;
        }
    }
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
}

WEBRTC_STATUS ertc_tls_create(ertc_tls_config_t *cfg, int fd, const char *server_name,
                              ertc_tls_t **out)
{
    if (cfg == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (cfg->role == ERTC_TLS_CLIENT && (server_name == NULL || server_name[0] == '\0')) {
        return WEBRTC_STATUS_INVALID_ARG; /* nothing to check the certificate against */
    }
    ertc_tls_t *t = ertc_calloc(1, sizeof(*t));
    if (t == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    t->fd = fd;
    t->cfg = ertc_tls_config_ref(cfg);
    mbedtls_ssl_init(&t->ssl);
    int rc = mbedtls_ssl_setup(&t->ssl, &cfg->conf);
    if (rc == 0 && cfg->role == ERTC_TLS_CLIENT) {
        snprintf(t->server_name, sizeof(t->server_name), "%s", server_name);
        ertc_addr_t ip;
        if (ertc_addr_parse_ip(server_name, &ip) == WEBRTC_STATUS_SUCCESS) {
            t->server_ip_len = ip.family == ERTC_AF_INET ? 4 : 16;
            memcpy(t->server_ip, ip.ip, t->server_ip_len);
            mbedtls_ssl_set_verify(&t->ssl, verify_ip_san, t);
        } else {
            rc = mbedtls_ssl_set_hostname(&t->ssl, server_name);
        }
    }
    if (rc != 0) {
        ERTC_LOGE(TAG, "mbedtls_ssl_setup failed (-0x%04x)", (unsigned)-rc);
        ertc_tls_free(t);
        return rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                                  : WEBRTC_STATUS_TLS_ERROR;
    }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    *out = t;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_tls_free(ertc_tls_t *t)
{
    if (t == NULL) {
        return;
    }
    mbedtls_ssl_free(&t->ssl);
    ertc_tls_config_unref(t->cfg);
    ertc_free(t);
}

/* One sentence naming what is wrong with the peer's certificate. */
static void describe_verify_failure(ertc_tls_t *t)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
    const char *what;
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED) {
        what = "the server's certificate has expired";
    } else if (flags & MBEDTLS_X509_BADCERT_FUTURE) {
        what = "the server's certificate is not valid yet (is the clock right?)";
    } else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        what = "the server's certificate is not signed by a trusted CA (unknown CA)";
    } else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
        what = "the server's certificate does not match the host name";
    } else if (flags & MBEDTLS_X509_BADCERT_REVOKED) {
        what = "the server's certificate is revoked";
    } else {
        what = "the server's certificate was refused";
    }
    /* mbedTLS's own words for every problem found, one line each: joined with "; ". */
    char detail[200] = "";
    int n = mbedtls_x509_crt_verify_info(detail, sizeof(detail), "", flags);
    while (n > 0 && detail[n - 1] == '\n') {
        detail[--n] = '\0';
    }
    for (char *nl = strchr(detail, '\n'); nl != NULL; nl = strchr(nl, '\n')) {
        *nl = ';';
    }
    snprintf(t->error, sizeof(t->error), "TLS to '%.100s': %s [%.180s]", t->server_name, what,
             detail);
}

static WEBRTC_STATUS map_error(ertc_tls_t *t, int rc, const char *during)
{
    if (rc == MBEDTLS_ERR_SSL_WANT_READ) {
        t->wants = ERTC_IO_READ;
        return WEBRTC_STATUS_RETRY_LATER;
    }
    if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
        t->wants = ERTC_IO_WRITE;
        return WEBRTC_STATUS_RETRY_LATER;
    }
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        describe_verify_failure(t);
        return WEBRTC_STATUS_CERT_ERROR;
    }
    char why[200];
    if (rc == MBEDTLS_ERR_SSL_CONN_EOF) {
        snprintf(why, sizeof(why), "the peer closed the connection");
    } else if (rc == MBEDTLS_ERR_NET_CONN_RESET) {
        snprintf(why, sizeof(why), "the connection was reset");
    } else {
        describe_mbedtls(rc, why, sizeof(why));
    }
    snprintf(t->error, sizeof(t->error), "TLS %s%s%.100s: %.200s", during,
             t->server_name[0] ? " with " : "", t->server_name, why);
    return WEBRTC_STATUS_TLS_ERROR;
}

WEBRTC_STATUS ertc_tls_handshake(ertc_tls_t *t)
{
    int rc = mbedtls_ssl_handshake(&t->ssl);
    if (rc == 0) {
        t->wants = 0;
        ERTC_LOGD(TAG, "handshake done with '%s': %s", t->server_name, ertc_tls_cipher(t));
        return WEBRTC_STATUS_SUCCESS;
    }
    return map_error(t, rc, "handshake");
}

unsigned ertc_tls_wants(const ertc_tls_t *t)
{
    return t->wants;
}

WEBRTC_STATUS ertc_tls_read(ertc_tls_t *t, void *buf, size_t size, size_t *n)
{
    *n = 0;
    int rc = mbedtls_ssl_read(&t->ssl, buf, size);
    if (rc > 0) {
        *n = (size_t)rc;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF) {
        return WEBRTC_STATUS_SUCCESS; /* closed */
    }
    return map_error(t, rc, "read");
}

WEBRTC_STATUS ertc_tls_write(ertc_tls_t *t, const void *buf, size_t len, size_t *n)
{
    *n = 0;
    int rc = mbedtls_ssl_write(&t->ssl, buf, len);
    if (rc >= 0) {
        *n = (size_t)rc;
        return WEBRTC_STATUS_SUCCESS;
    }
    return map_error(t, rc, "write");
}

void ertc_tls_close_notify(ertc_tls_t *t)
{
    if (t != NULL && !t->eof) {
        (void)mbedtls_ssl_close_notify(&t->ssl);
    }
}

const char *ertc_tls_error(const ertc_tls_t *t)
{
    return t->error[0] ? t->error : "no TLS error";
}

const char *ertc_tls_cipher(const ertc_tls_t *t)
{
    const char *c = mbedtls_ssl_get_ciphersuite(&t->ssl);
    return c ? c : "-";
}
