/*
 * util/url — URL parsing and percent-encoding. See url.h for what is accepted.
 *
 * The parser walks the URL once, left to right, in the order of RFC 3986 §3:
 * scheme "://" [userinfo "@"] host [":" port] [path] ["?" query] ["#" fragment].
 * Each component is cut out first and then checked on its own, so no check ever looks
 * past the component it belongs to.
 */
#include "util/url.h"

#include "util/ascii.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PORT_MAX       65535u
#define IPV4_PARTS     4
#define IPV4_PART_MAX  255u
#define IPV6_GROUPS    8
#define IPV6_GROUP_HEX 4 /* hex digits per group */

static const struct {
    const char *name;
    ertc_url_scheme_t scheme;
    bool secure;
    uint16_t port;
} schemes[] = {
    {"ws", ERTC_URL_SCHEME_WS, false, 80},
    {"wss", ERTC_URL_SCHEME_WSS, true, 443},
    {"http", ERTC_URL_SCHEME_HTTP, false, 80},
    {"https", ERTC_URL_SCHEME_HTTPS, true, 443},
};

#define SCHEME_COUNT (sizeof(schemes) / sizeof(schemes[0]))

/* ---- character classes (RFC 3986 §2) ---------------------------------------------------- */

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_sub_delim(char c)
{
    return c != '\0' && strchr("!$&'()*+,;=", c) != NULL;
}

/* Checks s[0..len): every byte is allowed by `extra` or is a pchar, '%' starts %XX. */
static bool check_component(const char *s, size_t len, const char *extra)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3 || ertc_ascii_hex_value((unsigned char)s[i + 1]) < 0 ||
                ertc_ascii_hex_value((unsigned char)s[i + 2]) < 0) {
                return false;
            }
            i += 2;
        } else if (!is_unreserved(c) && !is_sub_delim(c) && strchr(extra, c) == NULL) {
            return false;
        }
    }
    return true;
}

/* ---- hosts ------------------------------------------------------------------------------ */

/* A dotted quad: four decimal parts 0-255, no leading zeros (which some resolvers read as
 * octal, so "010.0.0.1" would mean different hosts to different programs). */
static bool parse_ipv4(const char *s, size_t len)
{
    size_t parts = 0;
    size_t i = 0;
    while (parts < IPV4_PARTS) {
        size_t start = i;
        unsigned value = 0;
        while (i < len && is_digit(s[i]) && i - start < 3) {
            value = value * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        size_t digits = i - start;
        if (digits == 0 || value > IPV4_PART_MAX || (digits > 1 && s[start] == '0')) {
            return false;
        }
        parts++;
        if (parts < IPV4_PARTS) {
            if (i >= len || s[i] != '.') {
                return false;
            }
            i++;
        }
    }
    return i == len;
}

/* An IPv6 address in RFC 4291 §2.2 text form, optionally ending in a dotted quad. */
static bool parse_ipv6(const char *s, size_t len)
{
    size_t groups = 0;
    bool compressed = false;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = true;
        i = 2;
    }
    while (i < len) {
        size_t start = i;
        while (i < len && ertc_ascii_hex_value((unsigned char)s[i]) >= 0 &&
               i - start <= IPV6_GROUP_HEX) {
            i++;
        }
        if (i < len && s[i] == '.') {
            /* An embedded IPv4 address ends the literal and fills two groups. */
            if (groups + 2 > IPV6_GROUPS || !parse_ipv4(s + start, len - start)) {
                return false;
            }
            groups += 2;
            i = len;
            break;
        }
        size_t digits = i - start;
        if (digits == 0 || digits > IPV6_GROUP_HEX || ++groups > IPV6_GROUPS) {
            return false;
        }
        if (i == len) {
            break;
        }
        if (s[i] != ':' || ++i == len) {
            return false; /* a bad character, or a single trailing ':' */
        }
        if (s[i] == ':') {
            if (compressed) {
                return false; /* "::" may appear only once */
            }
            compressed = true;
            i++;
        }
    }
    /* "::" stands for at least one zero group (RFC 4291 §2.2 item 2). */
    return compressed ? groups < IPV6_GROUPS : groups == IPV6_GROUPS;
}

static bool is_digits_and_dots(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]) && s[i] != '.') {
            return false;
        }
    }
    return true;
}

/* A DNS-style name: unreserved characters, labels separated by single dots. */
static bool check_reg_name(const char *s, size_t len)
{
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if (is_unreserved(s[i])) {
            label++;
        } else {
            return false;
        }
    }
    return true; /* a final '.' (a fully qualified name) is fine */
}

static WEBRTC_STATUS store_host(ertc_url_t *out, const char *s, size_t len)
{
    if (len == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len > ERTC_URL_MAX_HOST) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    memcpy(out->host, s, len);
    out->host[len] = '\0';
    out->host_len = len;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS parse_port(const char *s, size_t len, uint16_t *port)
{
    if (len == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    unsigned value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
        value = value * 10 + (unsigned)(s[i] - '0');
        if (value > PORT_MAX) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (value == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *port = (uint16_t)value;
    return WEBRTC_STATUS_SUCCESS;
}

/* host [":" port], the part of the authority after any userinfo. */
static WEBRTC_STATUS parse_host_port(const char *s, size_t len, ertc_url_t *out)
{
    size_t host_end; /* end of the host text, brackets included */
    WEBRTC_STATUS st;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL) {
            return WEBRTC_STATUS_MALFORMED;
        }
        size_t inner = (size_t)(close - s) - 1;
        host_end = inner + 2;
        if (inner > ERTC_URL_MAX_HOST) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        if (!parse_ipv6(s + 1, inner)) {
            return WEBRTC_STATUS_MALFORMED;
        }
        if (host_end < len && s[host_end] != ':') {
            return WEBRTC_STATUS_MALFORMED; /* "[::1]x" */
        }
        st = store_host(out, s + 1, inner);
        out->is_ipv6 = true;
    } else {
        const char *colon = memchr(s, ':', len);
        host_end = colon != NULL ? (size_t)(colon - s) : len;
        if (host_end > ERTC_URL_MAX_HOST) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        if (!check_reg_name(s, host_end)) {
            return WEBRTC_STATUS_MALFORMED; /* also catches a stray '[' or ']' */
        }
        if (host_end > 0 && is_digits_and_dots(s, host_end)) {
            if (!parse_ipv4(s, host_end)) {
                return WEBRTC_STATUS_MALFORMED; /* "1.2.3", "300.1.1.1": not a name either */
            }
            out->is_ipv4 = true;
        }
        st = store_host(out, s, host_end);
    }
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (host_end < len) { /* s[host_end] is ':' */
        out->port_explicit = true;
        return parse_port(s + host_end + 1, len - host_end - 1, &out->port);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS parse_authority(const char *s, size_t len, ertc_url_t *out)
{
    const char *at = memchr(s, '@', len);
    if (at != NULL) {
        size_t info_len = (size_t)(at - s);
        if (memchr(at + 1, '@', len - info_len - 1) != NULL || !check_component(s, info_len, ":")) {
            return WEBRTC_STATUS_MALFORMED;
        }
        const char *colon = memchr(s, ':', info_len);
        out->user = s;
        out->user_len = colon != NULL ? (size_t)(colon - s) : info_len;
        if (colon != NULL) {
            out->password = colon + 1;
            out->password_len = info_len - out->user_len - 1;
        }
        s = at + 1;
        len -= info_len + 1;
    }
    return parse_host_port(s, len, out);
}

static WEBRTC_STATUS parse_scheme(const char *s, size_t len, ertc_url_t *out, size_t *used)
{
    const char *colon = memchr(s, ':', len);
    if (colon == NULL) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t name_len = (size_t)(colon - s);
    if (len - name_len < 3 || colon[1] != '/' || colon[2] != '/') {
        return WEBRTC_STATUS_MALFORMED;
    }
    for (size_t i = 0; i < SCHEME_COUNT; i++) {
        if (strlen(schemes[i].name) == name_len && strncasecmp(schemes[i].name, s, name_len) == 0) {
            out->scheme = schemes[i].scheme;
            out->secure = schemes[i].secure;
            out->port = schemes[i].port;
            *used = name_len + 3;
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    return WEBRTC_STATUS_MALFORMED;
}

/* Index of the first of `stops` in s[from..len), or len. */
static size_t find_first(const char *s, size_t from, size_t len, const char *stops)
{
    while (from < len && strchr(stops, s[from]) == NULL) {
        from++;
    }
    return from;
}

WEBRTC_STATUS ertc_url_parse(const char *s, size_t len, ertc_url_t *out)
{
    if (s == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > ERTC_URL_MAX_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7F) {
            return WEBRTC_STATUS_MALFORMED; /* spaces, controls, NUL, non-ASCII */
        }
    }
    memset(out, 0, sizeof(*out));

    size_t pos = 0;
    WEBRTC_STATUS st = parse_scheme(s, len, out, &pos);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }

    size_t authority_end = find_first(s, pos, len, "/?#");
    st = parse_authority(s + pos, authority_end - pos, out);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    pos = authority_end;

    size_t path_end = find_first(s, pos, len, "?#");
    if (!check_component(s + pos, path_end - pos, ":@/")) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->path = path_end > pos ? s + pos : "/";
    out->path_len = path_end > pos ? path_end - pos : 1;
    pos = path_end;

    if (pos < len && s[pos] == '?') {
        size_t query_end = find_first(s, pos + 1, len, "#");
        if (!check_component(s + pos + 1, query_end - pos - 1, ":@/?")) {
            return WEBRTC_STATUS_MALFORMED;
        }
        out->query = s + pos + 1;
        out->query_len = query_end - pos - 1;
        pos = query_end;
    }

    if (pos < len) { /* s[pos] is '#': check the fragment, then forget it */
        if (!check_component(s + pos + 1, len - pos - 1, ":@/?")) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

uint16_t ertc_url_default_port(ertc_url_scheme_t scheme)
{
    for (size_t i = 0; i < SCHEME_COUNT; i++) {
        if (schemes[i].scheme == scheme) {
            return schemes[i].port;
        }
    }
    return 0;
}

const char *ertc_url_scheme_name(ertc_url_scheme_t scheme)
{
    for (size_t i = 0; i < SCHEME_COUNT; i++) {
        if (schemes[i].scheme == scheme) {
            return schemes[i].name;
        }
    }
    return "?";
}

WEBRTC_STATUS ertc_url_format_host_port(const ertc_url_t *url, char *buf, size_t size,
                                        size_t *out_len)
{
    if (url == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    char port[sizeof(":65535")] = "";
    if (url->port != ertc_url_default_port(url->scheme)) {
        snprintf(port, sizeof(port), ":%u", (unsigned)url->port);
    }
    size_t host_len = strnlen(url->host, sizeof(url->host));
    size_t brackets = url->is_ipv6 ? 2 : 0;
    size_t len = host_len + brackets + strlen(port);
    if (len >= size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    char *o = buf;
    if (url->is_ipv6) {
        *o++ = '[';
    }
    memcpy(o, url->host, host_len);
    o += host_len;
    if (url->is_ipv6) {
        *o++ = ']';
    }
    memcpy(o, port, strlen(port) + 1);
    if (out_len != NULL) {
        *out_len = len;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_url_encode(const char *s, size_t len, char *out, size_t out_size,
                              size_t *out_len)
{
    static const char hex[] = "0123456789ABCDEF";
    if ((s == NULL && len > 0) || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t need = is_unreserved((char)c) ? 1 : 3;
        if (out_size - o <= need) { /* keeps room for the NUL; o < out_size holds throughout */
            return WEBRTC_STATUS_BUFFER_TOO_SMALL;
        }
        if (need == 1) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0xF];
        }
    }
    if (o >= out_size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_url_decode(const char *s, size_t len, char *out, size_t out_size,
                              size_t *out_len)
{
    if ((s == NULL && len > 0) || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = len - i >= 3 ? ertc_ascii_hex_value((unsigned char)s[i + 1]) : -1;
            int lo = len - i >= 3 ? ertc_ascii_hex_value((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                return WEBRTC_STATUS_MALFORMED;
            }
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (o + 1 >= out_size) {
            return WEBRTC_STATUS_BUFFER_TOO_SMALL;
        }
        out[o++] = c;
    }
    if (o >= out_size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return WEBRTC_STATUS_SUCCESS;
}
