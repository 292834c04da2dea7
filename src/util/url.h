/*
 * util/url — parse ws, wss, http and https URLs (RFC 3986 §3, RFC 6455 §3) and
 * percent-encode/decode components (RFC 3986 §2.1, §2.3).
 *
 * A pure parser over a caller's buffer: path, query and userinfo point into that buffer
 * (which must outlive the result), the host is copied so it can be passed to a resolver as
 * a C string. The parser is strict, because URLs come from configuration and from servers
 * (AppRTC's wss_url, KVS endpoints, presigned URLs):
 *
 *  - the scheme must be ws, wss, http or https (any case) followed by "//";
 *  - no byte may be a space, a control character or non-ASCII (those must be %-encoded);
 *  - the host is a DNS-style name (letters, digits, '-', '.', '_', '~'; no empty labels
 *    except a final '.'), a dotted-quad IPv4 address (a host of only digits and dots must
 *    be one), or a bracketed IPv6 literal; IPv6 zone ids ("%25eth0") and IPvFuture are
 *    refused, and so are %-encoded host names, which no resolver accepts;
 *  - a port is 1-65535 in digits; "host:" with no digits is refused;
 *  - path, query and fragment may hold only RFC 3986 pchar/'/'/'?' characters, and every
 *    '%' must start a %XX escape;
 *  - the fragment is checked, then dropped (it is never sent to a server).
 * Malformed input gives MALFORMED; input over ERTC_URL_MAX_LEN or a host over
 * ERTC_URL_MAX_HOST gives LIMIT_EXCEEDED.
 */
#ifndef ERTC_UTIL_URL_H
#define ERTC_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Longest URL accepted; a KVS presigned wss URL with a session token is about 3 KiB. */
#define ERTC_URL_MAX_LEN 8192
/* Longest host name (RFC 1035 §2.3.4 limits names to 255 octets). */
#define ERTC_URL_MAX_HOST 255
/* Buffer size that always fits ertc_url_format_host_port: "[" host "]:65535" and a NUL. */
#define ERTC_URL_HOST_PORT_SIZE (ERTC_URL_MAX_HOST + sizeof("[]:65535"))

typedef enum {
    ERTC_URL_SCHEME_WS,
    ERTC_URL_SCHEME_WSS,
    ERTC_URL_SCHEME_HTTP,
    ERTC_URL_SCHEME_HTTPS,
} ertc_url_scheme_t;

typedef struct {
    ertc_url_scheme_t scheme;
    bool secure;                      /* wss or https: TLS */
    char host[ERTC_URL_MAX_HOST + 1]; /* NUL-terminated; an IPv6 literal without brackets */
    size_t host_len;
    bool is_ipv6;  /* host was a bracketed IPv6 literal */
    bool is_ipv4;  /* host is a dotted-quad IPv4 address */
    uint16_t port; /* the explicit port, else the scheme's default */
    bool port_explicit;
    const char *user; /* userinfo before ':'; NULL without userinfo */
    size_t user_len;
    const char *password; /* userinfo after ':'; NULL without ':' */
    size_t password_len;
    const char *path; /* starts with '/'; a static "/" when absent */
    size_t path_len;
    const char *query; /* after '?', before '#'; NULL without '?' */
    size_t query_len;
} ertc_url_t;

/* Parses s[0..len) (no NUL needed). On failure *out is unspecified. */
WEBRTC_STATUS ertc_url_parse(const char *s, size_t len, ertc_url_t *out);

/* 80 for ws/http, 443 for wss/https. */
uint16_t ertc_url_default_port(ertc_url_scheme_t scheme);
/* "ws", "wss", "http" or "https". */
const char *ertc_url_scheme_name(ertc_url_scheme_t scheme);

/*
 * Writes the HTTP Host header value (RFC 9110 §7.2): "host", "[v6]", or with ":port"
 * appended when the port is not the scheme's default. NUL-terminated; *out_len (optional)
 * gets the length. ERTC_URL_HOST_PORT_SIZE bytes always suffice.
 */
WEBRTC_STATUS ertc_url_format_host_port(const ertc_url_t *url, char *buf, size_t size,
                                        size_t *out_len);

/*
 * Percent-encodes s[0..len): unreserved characters (ALPHA DIGIT - . _ ~) are kept, every
 * other byte becomes %XX with upper-case hex, as SigV4 requires. Output is NUL-terminated.
 */
WEBRTC_STATUS ertc_url_encode(const char *s, size_t len, char *out, size_t out_size,
                              size_t *out_len);

/*
 * Decodes %XX escapes in s[0..len); other bytes are copied ('+' stays '+': this is not
 * form decoding). A '%' without two hex digits is MALFORMED. The result may contain NUL
 * bytes (from %00), so use *out_len; out is NUL-terminated after it as well.
 */
WEBRTC_STATUS ertc_url_decode(const char *s, size_t len, char *out, size_t out_size,
                              size_t *out_len);

#endif
