/*
 * peer/sdp_candidate — the ICE candidate attribute, parsed and written (RFC 8839 §5.1, with
 * the tcptype extension of RFC 6544 §4.5).
 *
 * A candidate arrives in three shapes: an "a=candidate:" line inside an SDP, a trickled
 * "candidate:..." string (the JSON of RTCIceCandidate.candidate), or bare. All three go
 * through ertc_sdp_parse_candidate_buf(). Addresses are kept as text, because a browser
 * without camera permission hides its host address behind an mDNS name (<uuid-v4>.local,
 * RFC 8828 mode 2) that only the ICE agent can resolve. Extension attributes other than
 * raddr, rport and tcptype (generation, ufrag, network-id, network-cost) are skipped.
 */
#include "peer/sdp_parser.h"

#include <stdio.h>
#include <string.h>

static bool cand_is_ice_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

bool ertc_sdp_is_ice_chars(const char *s, size_t min_len, size_t max_len)
{
    if (s == NULL) {
        return false;
    }
    size_t n = strnlen(s, max_len + 1);
    if (n < min_len || n > max_len) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cand_is_ice_char(s[i])) {
            return false;
        }
    }
    return true;
}

/* Characters of an IPv4/IPv6 address or a host name (an IPv6 zone "%eth0" included). */
static bool cand_is_address_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == ':' || c == '-' || c == '_' || c == '%';
}

static bool cand_address_valid(const char *p, size_t n)
{
    if (n == 0 || n > ERTC_SDP_MAX_ADDRESS_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cand_is_address_char(p[i])) {
            return false;
        }
    }
    return true;
}

static WEBRTC_STATUS cand_copy_address(sdp_span_t s, char *dst)
{
    if (s.n > ERTC_SDP_MAX_ADDRESS_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (!cand_address_valid(s.p, s.n)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

static bool cand_parse_type(sdp_span_t s, ertc_sdp_candidate_type_t *out)
{
    static const ertc_sdp_candidate_type_t types[] = {
        ERTC_SDP_CANDIDATE_HOST, ERTC_SDP_CANDIDATE_SRFLX, ERTC_SDP_CANDIDATE_PRFLX,
        ERTC_SDP_CANDIDATE_RELAY};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (sdp_span_eq(s, ertc_sdp_candidate_type_name(types[i]))) {
            *out = types[i];
            return true;
        }
    }
    return false;
}

static const char *cand_tcptype_name(ertc_sdp_tcptype_t t)
{
    switch (t) {
    case ERTC_SDP_TCPTYPE_ACTIVE: return "active";
    case ERTC_SDP_TCPTYPE_PASSIVE: return "passive";
    case ERTC_SDP_TCPTYPE_SO: return "so";
    case ERTC_SDP_TCPTYPE_NONE: break;
    }
    return NULL;
}

/* The extension pairs after "typ <type>". */
static WEBRTC_STATUS cand_parse_extensions(sdp_span_t rest, ertc_sdp_candidate_t *c)
{
    sdp_span_t name;
    sdp_span_t value;
    uint32_t v = 0;
    bool has_raddr = false;
    bool has_rport = false;
    while (sdp_next_token(&rest, &name)) {
        if (!sdp_next_token(&rest, &value)) {
            return WEBRTC_STATUS_MALFORMED; /* a name without its value */
        }
        if (sdp_span_eq(name, "raddr")) {
            WEBRTC_STATUS st = cand_copy_address(value, c->related_address);
            if (st != WEBRTC_STATUS_SUCCESS) {
                return st;
            }
            has_raddr = true;
        } else if (sdp_span_eq(name, "rport")) {
            if (!sdp_parse_u32(value, 65535, &v)) {
                return WEBRTC_STATUS_MALFORMED;
            }
            c->related_port = (uint16_t)v;
            has_rport = true;
        } else if (sdp_span_eq(name, "tcptype")) {
            if (sdp_span_eq(value, "active")) {
                c->tcptype = ERTC_SDP_TCPTYPE_ACTIVE;
            } else if (sdp_span_eq(value, "passive")) {
                c->tcptype = ERTC_SDP_TCPTYPE_PASSIVE;
            } else if (sdp_span_eq(value, "so")) {
                c->tcptype = ERTC_SDP_TCPTYPE_SO;
            } else {
                return WEBRTC_STATUS_MALFORMED;
            }
        }
    }
    /* rport without raddr says nothing usable; raddr without rport means port 0. */
    c->has_related = has_raddr;
    if (!has_raddr && has_rport) {
        c->related_port = 0;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS cand_parse(const char *buf, size_t len, ertc_sdp_candidate_t *out)
{
    const char *cur = buf;
    const char *end = buf + len;
    while (end > cur && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) {
        end--;
    }
    while (cur < end && *cur == ' ') {
        cur++;
    }
    if ((size_t)(end - cur) > ERTC_SDP_MAX_LINE) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (const char *p = cur; p < end; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (end - cur >= 2 && memcmp(cur, "a=", 2) == 0) {
        cur += 2;
    }
    static const char prefix[] = "candidate:";
    if ((size_t)(end - cur) >= sizeof(prefix) - 1 && memcmp(cur, prefix, sizeof(prefix) - 1) == 0) {
        cur += sizeof(prefix) - 1;
    }

    sdp_span_t rest = {cur, (size_t)(end - cur)};
    sdp_span_t tok;
    uint32_t v = 0;
    if (!sdp_next_token(&rest, &tok) || tok.n > ERTC_SDP_MAX_FOUNDATION_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    for (size_t i = 0; i < tok.n; i++) {
        if (!cand_is_ice_char(tok.p[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    memcpy(out->foundation, tok.p, tok.n);
    out->foundation[tok.n] = '\0';

    if (!sdp_next_token(&rest, &tok) || !sdp_parse_u32(tok, 256, &v) || v == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->component = (uint16_t)v;

    if (!sdp_next_token(&rest, &tok)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (sdp_span_eq_nocase(tok, "udp")) {
        out->transport = ERTC_SDP_TRANSPORT_UDP;
    } else if (sdp_span_eq_nocase(tok, "tcp")) {
        out->transport = ERTC_SDP_TRANSPORT_TCP;
    } else {
        return WEBRTC_STATUS_MALFORMED;
    }

    if (!sdp_next_token(&rest, &tok) || !sdp_parse_u32(tok, UINT32_MAX, &out->priority)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!sdp_next_token(&rest, &tok)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    WEBRTC_STATUS st = cand_copy_address(tok, out->address);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (!sdp_next_token(&rest, &tok) || !sdp_parse_u32(tok, 65535, &v)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->port = (uint16_t)v;
    if (!sdp_next_token(&rest, &tok) || !sdp_span_eq(tok, "typ")) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!sdp_next_token(&rest, &tok) || !cand_parse_type(tok, &out->type)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    return cand_parse_extensions(rest, out);
}

WEBRTC_STATUS ertc_sdp_parse_candidate_buf(const char *buf, size_t len, ertc_sdp_candidate_t *out)
{
    if (buf == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    WEBRTC_STATUS st = cand_parse(buf, len, out);
    if (st != WEBRTC_STATUS_SUCCESS) {
        memset(out, 0, sizeof(*out)); /* no half-parsed candidate */
    }
    return st;
}

WEBRTC_STATUS ertc_sdp_parse_candidate(const char *line, ertc_sdp_candidate_t *out)
{
    if (line == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    /* Longer than a line plus its end and prefixes can only be refused. */
    size_t len = strnlen(line, ERTC_SDP_MAX_LINE + 16);
    if (len > ERTC_SDP_MAX_LINE + 15) {
        memset(out, 0, sizeof(*out));
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    return ertc_sdp_parse_candidate_buf(line, len, out);
}

WEBRTC_STATUS ertc_sdp_format_candidate(const ertc_sdp_candidate_t *c, char *buf, size_t size,
                                        size_t *out_len)
{
    if (c == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (size > 0) {
        buf[0] = '\0';
    }
    const char *type = ertc_sdp_candidate_type_name(c->type);
    bool tcp = c->transport == ERTC_SDP_TRANSPORT_TCP;
    if (!ertc_sdp_is_ice_chars(c->foundation, 1, ERTC_SDP_MAX_FOUNDATION_LEN) ||
        c->component == 0 || c->component > 256 ||
        (c->transport != ERTC_SDP_TRANSPORT_UDP && !tcp) || type == NULL ||
        !cand_address_valid(c->address, strnlen(c->address, sizeof(c->address))) ||
        (c->has_related &&
         !cand_address_valid(c->related_address,
                             strnlen(c->related_address, sizeof(c->related_address)))) ||
        (c->tcptype != ERTC_SDP_TCPTYPE_NONE && cand_tcptype_name(c->tcptype) == NULL)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    char related[ERTC_SDP_MAX_ADDRESS_LEN + 24] = "";
    char tcptype[24] = "";
    if (c->has_related) {
        snprintf(related, sizeof(related), " raddr %s rport %u", c->related_address,
                 (unsigned)c->related_port);
    }
    if (c->tcptype != ERTC_SDP_TCPTYPE_NONE) {
        snprintf(tcptype, sizeof(tcptype), " tcptype %s", cand_tcptype_name(c->tcptype));
    }
    int n = snprintf(text, sizeof(text), "candidate:%s %u %s %lu %s %u typ %s%s%s", c->foundation,
                     (unsigned)c->component, tcp ? "tcp" : "udp", (unsigned long)c->priority,
                     c->address, (unsigned)c->port, type, related, tcptype);
    if (n <= 0 || (size_t)n >= sizeof(text)) {
        return WEBRTC_STATUS_INTERNAL_ERROR; /* cannot happen with the field limits */
    }
    if ((size_t)n >= size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(buf, text, (size_t)n + 1);
    if (out_len != NULL) {
        *out_len = (size_t)n;
    }
    return WEBRTC_STATUS_SUCCESS;
}

const char *ertc_sdp_candidate_type_name(ertc_sdp_candidate_type_t t)
{
    switch (t) {
    case ERTC_SDP_CANDIDATE_HOST: return "host";
    case ERTC_SDP_CANDIDATE_SRFLX: return "srflx";
    case ERTC_SDP_CANDIDATE_PRFLX: return "prflx";
    case ERTC_SDP_CANDIDATE_RELAY: return "relay";
    }
    return NULL;
}
