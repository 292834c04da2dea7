/*
 * libFuzzer target for util/url. On every URL the parser accepts, checks the invariants
 * callers rely on (host length and termination, port range, path/query inside the input),
 * formats the Host header, and re-parses the URL rebuilt from its parts, which must give
 * the same host, port, path and query. Also round-trips the input through
 * ertc_url_encode/ertc_url_decode.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

static int span_inside(const char *p, size_t len, const char *buf, size_t size)
{
    return p >= buf && len <= size && (size_t)(p - buf) <= size - len;
}

static void check_invariants(const char *s, size_t size, const ertc_url_t *url)
{
    require(url->host_len >= 1 && url->host_len <= ERTC_URL_MAX_HOST);
    require(strlen(url->host) == url->host_len);
    require(url->port != 0);
    require(url->port_explicit || url->port == ertc_url_default_port(url->scheme));
    require(url->secure ==
            (url->scheme == ERTC_URL_SCHEME_WSS || url->scheme == ERTC_URL_SCHEME_HTTPS));
    require(!(url->is_ipv4 && url->is_ipv6));
    require(url->path != NULL && url->path_len >= 1 && url->path[0] == '/');
    require(span_inside(url->path, url->path_len, s, size) ||
            (url->path_len == 1 && strcmp(url->path, "/") == 0));
    require(url->query == NULL || span_inside(url->query, url->query_len, s, size));
    require(url->user == NULL || span_inside(url->user, url->user_len, s, size));
    require(url->password == NULL || span_inside(url->password, url->password_len, s, size));
    for (size_t i = 0; i < url->host_len; i++) {
        require(url->host[i] > ' ' && url->host[i] < 0x7F && url->host[i] != '/');
    }
}

static void check_rebuilt(const ertc_url_t *url)
{
    char host_port[ERTC_URL_HOST_PORT_SIZE];
    size_t hp_len = 0;
    require(ertc_url_format_host_port(url, host_port, sizeof(host_port), &hp_len) ==
            WEBRTC_STATUS_SUCCESS);
    require(strlen(host_port) == hp_len);
    require((host_port[0] == '[') == url->is_ipv6);
    require(ertc_url_format_host_port(url, host_port, hp_len, NULL) ==
            WEBRTC_STATUS_BUFFER_TOO_SMALL);
    require(ertc_url_format_host_port(url, host_port, sizeof(host_port), NULL) ==
            WEBRTC_STATUS_SUCCESS);

    size_t cap = ERTC_URL_MAX_LEN + ERTC_URL_HOST_PORT_SIZE + 16;
    char *text = ertc_malloc(cap);
    require(text != NULL);
    int n = snprintf(text, cap, "%s://%s%.*s%s%.*s", ertc_url_scheme_name(url->scheme), host_port,
                     (int)url->path_len, url->path, url->query ? "?" : "", (int)url->query_len,
                     url->query ? url->query : "");
    require(n > 0 && (size_t)n < cap);

    ertc_url_t again;
    WEBRTC_STATUS st = ertc_url_parse(text, (size_t)n, &again);
    if ((size_t)n > ERTC_URL_MAX_LEN) {
        /* Only possible when "/" was added for an absent path to a URL at the limit. */
        require(st == WEBRTC_STATUS_LIMIT_EXCEEDED);
        ertc_free(text);
        return;
    }
    require(st == WEBRTC_STATUS_SUCCESS);
    require(again.scheme == url->scheme && again.port == url->port);
    require(again.is_ipv6 == url->is_ipv6 && again.is_ipv4 == url->is_ipv4);
    require(strcmp(again.host, url->host) == 0);
    require(again.path_len == url->path_len && memcmp(again.path, url->path, url->path_len) == 0);
    require((again.query == NULL) == (url->query == NULL));
    require(again.query_len == url->query_len);
    require(url->query == NULL || memcmp(again.query, url->query, url->query_len) == 0);
    ertc_free(text);
}

static void check_percent_round_trip(const char *s, size_t size)
{
    size_t enc_cap = size * 3 + 1;
    char *enc = ertc_malloc(enc_cap);
    char *dec = ertc_malloc(size + 1);
    require(enc != NULL && dec != NULL);
    size_t enc_len = 0;
    size_t dec_len = 0;
    require(ertc_url_encode(s, size, enc, enc_cap, &enc_len) == WEBRTC_STATUS_SUCCESS);
    require(ertc_url_decode(enc, enc_len, dec, size + 1, &dec_len) == WEBRTC_STATUS_SUCCESS);
    require(dec_len == size && memcmp(dec, s, size) == 0);
    /* Decoding arbitrary input never writes more than it reads. */
    if (ertc_url_decode(s, size, dec, size + 1, &dec_len) == WEBRTC_STATUS_SUCCESS) {
        require(dec_len <= size && dec[dec_len] == '\0');
    }
    ertc_free(enc);
    ertc_free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    ertc_url_t url;
    if (ertc_url_parse(s, size, &url) == WEBRTC_STATUS_SUCCESS) {
        check_invariants(s, size, &url);
        check_rebuilt(&url);
    }
    if (size <= ERTC_URL_MAX_LEN) {
        check_percent_round_trip(s, size);
    }
    return 0;
}
