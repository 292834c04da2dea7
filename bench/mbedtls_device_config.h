/*
 * bench/mbedtls_device_config.h — the mbedTLS settings of the "device mbedTLS config" row of
 * bench_net_footprint. bench/fetch-mbedtls builds Debian's mbedTLS 2.28.3 source with this
 * file as MBEDTLS_USER_CONFIG_FILE: it is read after mbedTLS' own default config.h and only
 * changes what a small device (ESP32 class) changes to save RAM. Debian's binary package
 * keeps mbedTLS' defaults (two 16 KiB record buffers per connection), which is right for a
 * Linux host and is what the main edgertc row measures.
 */
#ifndef ERTC_BENCH_MBEDTLS_DEVICE_CONFIG_H
#define ERTC_BENCH_MBEDTLS_DEVICE_CONFIG_H

/*
 * Record buffers of 4 KiB of plaintext instead of 16 KiB. The client asks the server for
 * records of at most this size with the max_fragment_length extension (RFC 6066 §4;
 * ertc_tls_options_t.max_fragment_len), which OpenSSL 1.1.1+ servers honour; a server that
 * ignored it and sent a larger record would fail the connection with a clear TLS error.
 * 4 KiB still carries a typical SDP offer in one or two records.
 */
#undef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#undef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* Elliptic-curve arithmetic with smaller precomputed tables, kept on the heap by default:
 * the memory-saving values mbedTLS' config.h documents for constrained targets. */
#undef MBEDTLS_ECP_WINDOW_SIZE
#define MBEDTLS_ECP_WINDOW_SIZE 2
#undef MBEDTLS_ECP_FIXED_POINT_OPTIM
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

/* The server's certificate is verified during the handshake and then only its digest is
 * kept (for session resumption checks), instead of the whole parsed chain. */
#undef MBEDTLS_SSL_KEEP_PEER_CERTIFICATE

#endif
