/*
 * net/tls — TLS 1.2 over a non-blocking socket, on mbedTLS.
 *
 * A configuration (trusted CAs, own certificate and key, role) is parsed once and shared by
 * many sessions; a session wraps one connected socket. Client sessions verify the server's
 * certificate against the configured CAs and the server name (SNI) by default; a client
 * certificate gives mutual TLS (the AWS IoT credentials endpoint needs it). Server sessions
 * serve edgertc-signald's test endpoints. Every call is non-blocking: RETRY_LATER means "call
 * again when the socket is ready in the direction ertc_tls_wants() says".
 */
#ifndef ERTC_NET_TLS_H
#define ERTC_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "webrtc_status.h"

/* Debian's bundle of trusted CAs; the default when no CA path is configured. */
#define ERTC_TLS_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define ERTC_TLS_ERROR_LEN      384

typedef enum { ERTC_TLS_CLIENT, ERTC_TLS_SERVER } ertc_tls_role_t;

typedef struct {
    ertc_tls_role_t role;
    /* Client: CA file or folder the server's certificate must chain to (NULL = the system
     * bundle). Server: unused. */
    const char *ca_path;
    /* Client: optional certificate and key for mutual TLS. Server: required. PEM files. */
    const char *cert_path;
    const char *key_path;
    /* Client: 0 (the default) keeps TLS' 16 KiB records. 512, 1024, 2048 or 4096 asks the
     * server to send records of at most that many bytes (max_fragment_length, RFC 6066 §4),
     * so that an mbedTLS built with small record buffers (MBEDTLS_SSL_IN_CONTENT_LEN, as on
     * devices) can read them; it must not exceed the buffers of the mbedTLS linked. Other
     * values are INVALID_ARG. Server: unused (a server answers what the client asks). */
    unsigned max_fragment_len;
} ertc_tls_options_t;

typedef struct ertc_tls_config ertc_tls_config_t;
typedef struct ertc_tls ertc_tls_t;

/* Parses CAs, certificate and key. On failure err holds why ("cannot read CA file X: ..."). */
WEBRTC_STATUS ertc_tls_config_create(const ertc_tls_options_t *opts, ertc_tls_config_t **out,
                                     char *err, size_t err_size);
/* Configurations are reference-counted: every session holds one reference. */
ertc_tls_config_t *ertc_tls_config_ref(ertc_tls_config_t *cfg);
void ertc_tls_config_unref(ertc_tls_config_t *cfg);

/* server_name: the host name to send as SNI and to check the certificate against (client). */
WEBRTC_STATUS ertc_tls_create(ertc_tls_config_t *cfg, int fd, const char *server_name,
                              ertc_tls_t **out);
void ertc_tls_free(ertc_tls_t *t);

/* SUCCESS when the handshake is complete; RETRY_LATER to be called again; CERT_ERROR when
 * the peer's certificate is refused; TLS_ERROR otherwise (ertc_tls_error() says why). */
WEBRTC_STATUS ertc_tls_handshake(ertc_tls_t *t);
/* ERTC_IO_READ or ERTC_IO_WRITE (port/loop.h): what the last RETRY_LATER waits for. */
unsigned ertc_tls_wants(const ertc_tls_t *t);

/* Reads decrypted bytes. SUCCESS with *n == 0 means the peer closed (close_notify or EOF).
 * Call again until RETRY_LATER: decrypted bytes may be buffered with the socket quiet. */
WEBRTC_STATUS ertc_tls_read(ertc_tls_t *t, void *buf, size_t size, size_t *n);
/* Writes up to len bytes. After RETRY_LATER the same bytes must be offered again (at least
 * the same length), as mbedTLS has already encrypted them. */
WEBRTC_STATUS ertc_tls_write(ertc_tls_t *t, const void *buf, size_t len, size_t *n);
/* Sends close_notify (best effort, non-blocking). */
void ertc_tls_close_notify(ertc_tls_t *t);
const char *ertc_tls_error(const ertc_tls_t *t);
/* The negotiated cipher suite, for logs ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"). */
const char *ertc_tls_cipher(const ertc_tls_t *t);

#endif
