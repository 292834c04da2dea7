/*
 * peer/sdp — parses an SDP offer or answer into ertc_sdp_t (see sdp.h for the model, the
 * limits and the RFCs each attribute follows).
 *
 * One pass over the lines: session-level lines fill the description, each m= line opens a
 * media section and the attributes after it fill that section. A final step resolves what
 * SDP leaves implicit: media-level ICE/DTLS attributes fall back to the session-level ones,
 * a missing direction is the session's or sendrecv (RFC 8866 §6.7), "a=rtcp-fb:* ..." applies
 * to every payload type (RFC 4585 §4.2), and static payload types without an rtpmap get
 * their RFC 3551 names.
 */
#include "peer/sdp_parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef WEBRTC_STATUS (*sdp_attr_fn)(sdp_parser_t *ps, sdp_span_t value);

WEBRTC_STATUS ertc_sdp_parser_fail(sdp_parser_t *ps, WEBRTC_STATUS st, const char *fmt, ...)
{
    char *err = ps->out->error;
    int n = snprintf(err, ERTC_SDP_ERROR_SIZE, "line %zu: ", ps->line_no);
    if (n > 0 && n < ERTC_SDP_ERROR_SIZE) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, ERTC_SDP_ERROR_SIZE - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* ---- session-level lines ------------------------------------------------------------------ */

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
static WEBRTC_STATUS sdp_parse_origin(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t tok[6];
    for (size_t i = 0; i < 6; i++) {
        if (!sdp_next_token(&v, &tok[i])) {
            return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "o= needs 6 fields");
        }
    }
    bool numeric_id = tok[1].n <= ERTC_SDP_MAX_SESSION_ID_LEN;
    for (size_t i = 0; i < tok[1].n && numeric_id; i++) {
        numeric_id = tok[1].p[i] >= '0' && tok[1].p[i] <= '9';
    }
    if (!numeric_id || !sdp_copy(tok[1], ps->out->session_id, ERTC_SDP_MAX_SESSION_ID_LEN) ||
        !sdp_parse_u64(tok[2], UINT64_MAX, &ps->out->session_version)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "o= has a bad session id or version");
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... */
static WEBRTC_STATUS sdp_parse_media_line(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_t *out = ps->out;
    if (out->media_count >= ERTC_SDP_MAX_MEDIA) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_LIMIT_EXCEEDED, "more than %d m-lines",
                                    ERTC_SDP_MAX_MEDIA);
    }
    ertc_sdp_media_t *m = &out->media[out->media_count];
    memset(m, 0, sizeof(*m));
    sdp_span_t kind, port, proto, fmt, port_num, port_count;
    uint32_t port_value = 0;
    if (!sdp_next_token(&v, &kind) || !sdp_next_token(&v, &port) || !sdp_next_token(&v, &proto) ||
        !sdp_next_token(&v, &fmt)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "m= needs media, port, proto and a format");
    }
    sdp_split(port, '/', &port_num, &port_count);
    if (!sdp_copy(kind, m->kind_name, ERTC_SDP_MAX_KIND_NAME_LEN) ||
        !sdp_parse_u32(port_num, 65535, &port_value) ||
        !sdp_copy(proto, m->proto, ERTC_SDP_MAX_PROTO_LEN) ||
        !sdp_copy(fmt, m->first_format, ERTC_SDP_MAX_FORMAT_LEN)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "bad m= line");
    }
    m->port = (uint16_t)port_value;
    if (sdp_span_eq(kind, "audio")) {
        m->kind = ERTC_SDP_KIND_AUDIO;
    } else if (sdp_span_eq(kind, "video")) {
        m->kind = ERTC_SDP_KIND_VIDEO;
    } else if (sdp_span_eq(kind, "application")) {
        m->kind = ERTC_SDP_KIND_APPLICATION;
    } else {
        m->kind = ERTC_SDP_KIND_OTHER;
    }
    m->rtp = strstr(m->proto, "RTP/") != NULL;
    m->direction = ERTC_SDP_DIRECTION_SENDRECV;
    m->datachannel = sdp_span_eq(fmt, "webrtc-datachannel");

    if (m->rtp) {
        do {
            uint32_t pt = 0;
            if (!sdp_parse_u32(fmt, 127, &pt)) {
                return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                            "RTP format \"%.*s\" is not 0-127",
                                            (int)(fmt.n > 16 ? 16 : fmt.n), fmt.p);
            }
            if (ertc_sdp_find_codec(m, (uint8_t)pt) != NULL) {
                continue; /* listed twice: once is enough */
            }
            if (m->codec_count >= ERTC_SDP_MAX_FORMATS) {
                m->dropped++;
                continue;
            }
            ertc_sdp_codec_t *c = &m->codecs[m->codec_count++];
            c->pt = (uint8_t)pt;
            c->apt = -1;
        } while (sdp_next_token(&v, &fmt));
    }
    out->media_count++;
    ps->media = m;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- attributes shared by both levels ---------------------------------------------------- */

static ertc_sdp_transport_t *sdp_transport(sdp_parser_t *ps)
{
    return ps->media ? &ps->media->transport : &ps->out->transport;
}

/* A value that must be exactly one token of at most max_len characters. */
static WEBRTC_STATUS sdp_copy_single(sdp_parser_t *ps, sdp_span_t v, char *dst, size_t max_len,
                                     const char *what)
{
    sdp_span_t tok, rest;
    if (!sdp_next_token(&v, &tok) || sdp_next_token(&v, &rest)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "%s needs one value", what);
    }
    if (!sdp_copy(tok, dst, max_len)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                    "%s is longer than %zu characters", what, max_len);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_ice_ufrag(sdp_parser_t *ps, sdp_span_t v)
{
    return sdp_copy_single(ps, v, sdp_transport(ps)->ice_ufrag, ERTC_SDP_MAX_ICE_UFRAG_LEN,
                           "a=ice-ufrag");
}

static WEBRTC_STATUS sdp_attr_ice_pwd(sdp_parser_t *ps, sdp_span_t v)
{
    return sdp_copy_single(ps, v, sdp_transport(ps)->ice_pwd, ERTC_SDP_MAX_ICE_PWD_LEN,
                           "a=ice-pwd");
}

static WEBRTC_STATUS sdp_attr_ice_options(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_transport_t *t = sdp_transport(ps);
    sdp_span_t tok;
    t->ice_trickle = false;
    while (sdp_next_token(&v, &tok)) {
        if (sdp_span_eq(tok, "trickle")) {
            t->ice_trickle = true;
        }
    }
    if (ps->media != NULL) {
        ps->ice_options_set[ps->out->media_count - 1] = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* a=fingerprint:<hash> <hex pairs>. With several (RFC 8122 §5 allows it), sha-256 wins, since
 * that is what every browser sends and what the DTLS layer checks first. */
static WEBRTC_STATUS sdp_attr_fingerprint(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_transport_t *t = sdp_transport(ps);
    sdp_span_t hash, value, rest;
    if (!sdp_next_token(&v, &hash) || !sdp_next_token(&v, &value) || sdp_next_token(&v, &rest) ||
        hash.n > ERTC_SDP_MAX_HASH_NAME_LEN) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "a=fingerprint needs <hash> <value>");
    }
    for (size_t i = 0; i < value.n; i++) {
        char c = value.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
              c == ':')) {
            return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                        "a=fingerprint value is not hex");
        }
    }
    if (value.n > ERTC_SDP_MAX_FINGERPRINT_LEN) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_LIMIT_EXCEEDED, "a=fingerprint is too long");
    }
    char name[ERTC_SDP_MAX_HASH_NAME_LEN + 1];
    for (size_t i = 0; i < hash.n; i++) {
        name[i] = sdp_lower(hash.p[i]);
    }
    name[hash.n] = '\0';
    if (strcmp(t->fingerprint_hash, "sha-256") == 0 && strcmp(name, "sha-256") != 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    memcpy(t->fingerprint_hash, name, hash.n + 1);
    sdp_copy(value, t->fingerprint, ERTC_SDP_MAX_FINGERPRINT_LEN);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_setup(sdp_parser_t *ps, sdp_span_t v)
{
    static const ertc_sdp_setup_t roles[] = {ERTC_SDP_SETUP_ACTPASS, ERTC_SDP_SETUP_ACTIVE,
                                             ERTC_SDP_SETUP_PASSIVE, ERTC_SDP_SETUP_HOLDCONN};
    v = sdp_trim(v);
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (sdp_span_eq(v, ertc_sdp_setup_name(roles[i]))) {
            sdp_transport(ps)->setup = roles[i];
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                "a=setup is not actpass/active/passive/holdconn");
}

static WEBRTC_STATUS sdp_set_direction(sdp_parser_t *ps, ertc_sdp_direction_t d)
{
    if (ps->media != NULL) {
        ps->media->direction = d;
        ps->direction_set[ps->out->media_count - 1] = true;
    } else {
        ps->session_direction = d;
        ps->session_direction_set = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_sendrecv(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    return sdp_set_direction(ps, ERTC_SDP_DIRECTION_SENDRECV);
}

static WEBRTC_STATUS sdp_attr_sendonly(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    return sdp_set_direction(ps, ERTC_SDP_DIRECTION_SENDONLY);
}

static WEBRTC_STATUS sdp_attr_recvonly(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    return sdp_set_direction(ps, ERTC_SDP_DIRECTION_RECVONLY);
}

static WEBRTC_STATUS sdp_attr_inactive(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    return sdp_set_direction(ps, ERTC_SDP_DIRECTION_INACTIVE);
}

/* ---- session-only attributes -------------------------------------------------------------- */

/* a=group:BUNDLE <mid> ...; only the first BUNDLE group is kept, other semantics ignored. */
static WEBRTC_STATUS sdp_attr_group(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_t *out = ps->out;
    sdp_span_t semantics, mid;
    if (!sdp_next_token(&v, &semantics) || !sdp_span_eq(semantics, "BUNDLE") || out->has_bundle) {
        return WEBRTC_STATUS_SUCCESS;
    }
    out->has_bundle = true;
    while (sdp_next_token(&v, &mid)) {
        if (out->bundle_count >= ERTC_SDP_MAX_MEDIA) {
            return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                        "BUNDLE group has more than %d mids", ERTC_SDP_MAX_MEDIA);
        }
        if (!sdp_copy(mid, out->bundle_mids[out->bundle_count], ERTC_SDP_MAX_MID_LEN)) {
            return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                        "a BUNDLE mid is too long");
        }
        out->bundle_count++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_ice_lite(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->out->ice_lite = true;
    return WEBRTC_STATUS_SUCCESS;
}

/* "a=msid-semantic: WMS <ids>" (Chromium writes the space) or "a=msid-semantic:WMS *". */
static WEBRTC_STATUS sdp_attr_msid_semantic(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t tok;
    if (sdp_next_token(&v, &tok) && sdp_span_eq(tok, "WMS")) {
        ps->out->msid_semantic_wms = true;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_extmap_allow_mixed(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->out->extmap_allow_mixed = true;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- media-level attributes --------------------------------------------------------------- */

static WEBRTC_STATUS sdp_attr_mid(sdp_parser_t *ps, sdp_span_t v)
{
    return sdp_copy_single(ps, v, ps->media->mid, ERTC_SDP_MAX_MID_LEN, "a=mid");
}

static WEBRTC_STATUS sdp_attr_rtcp_mux(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->media->rtcp_mux = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_rtcp_mux_only(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->media->rtcp_mux = true;
    ps->media->rtcp_mux_only = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_rtcp_rsize(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->media->rtcp_rsize = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_bundle_only(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->media->bundle_only = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_candidate(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_media_t *m = ps->media;
    if (m->candidate_count >= ERTC_SDP_MAX_CANDIDATES ||
        ertc_sdp_parse_candidate_buf(v.p, v.n, &m->candidates[m->candidate_count]) !=
            WEBRTC_STATUS_SUCCESS) {
        m->dropped++;
        return WEBRTC_STATUS_SUCCESS;
    }
    m->candidate_count++;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_end_of_candidates(sdp_parser_t *ps, sdp_span_t v)
{
    (void)v;
    ps->media->end_of_candidates = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sdp_attr_sctp_port(sdp_parser_t *ps, sdp_span_t v)
{
    uint32_t port = 0;
    if (!sdp_parse_u32(sdp_trim(v), 65535, &port)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=sctp-port is not a port");
    }
    ps->media->sctp_port = (uint16_t)port;
    return WEBRTC_STATUS_SUCCESS;
}

/* Values past 32 bits are kept as UINT32_MAX: no message gets near either. */
static WEBRTC_STATUS sdp_attr_max_message_size(sdp_parser_t *ps, sdp_span_t v)
{
    uint64_t size = 0;
    if (!sdp_parse_u64(sdp_trim(v), UINT64_MAX, &size)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "a=max-message-size is not a number");
    }
    ps->media->has_max_message_size = true;
    ps->media->max_message_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    return WEBRTC_STATUS_SUCCESS;
}

/* a=sctpmap:<port> webrtc-datachannel [<streams>] (draft-ietf-mmusic-sctp-sdp-05, aiortc). */
static WEBRTC_STATUS sdp_attr_sctpmap(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t port_tok, app;
    uint32_t port = 0;
    if (!sdp_next_token(&v, &port_tok) || !sdp_parse_u32(port_tok, 65535, &port) ||
        !sdp_next_token(&v, &app)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "a=sctpmap needs <port> <protocol>");
    }
    if (sdp_span_eq(app, "webrtc-datachannel")) {
        ps->media->datachannel = true;
        ps->media->legacy_sctpmap = true;
        ps->media->sctp_port = (uint16_t)port;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- lines -------------------------------------------------------------------------------- */

enum { SDP_AT_SESSION = 1, SDP_AT_MEDIA = 2, SDP_AT_BOTH = 3 };

static const struct {
    const char *name;
    int where;
    sdp_attr_fn fn;
} SDP_ATTRS[] = {
    {"group", SDP_AT_SESSION, sdp_attr_group},
    {"ice-lite", SDP_AT_SESSION, sdp_attr_ice_lite},
    {"msid-semantic", SDP_AT_SESSION, sdp_attr_msid_semantic},
    {"extmap-allow-mixed", SDP_AT_SESSION, sdp_attr_extmap_allow_mixed},
    {"ice-ufrag", SDP_AT_BOTH, sdp_attr_ice_ufrag},
    {"ice-pwd", SDP_AT_BOTH, sdp_attr_ice_pwd},
    {"ice-options", SDP_AT_BOTH, sdp_attr_ice_options},
    {"fingerprint", SDP_AT_BOTH, sdp_attr_fingerprint},
    {"setup", SDP_AT_BOTH, sdp_attr_setup},
    {"sendrecv", SDP_AT_BOTH, sdp_attr_sendrecv},
    {"sendonly", SDP_AT_BOTH, sdp_attr_sendonly},
    {"recvonly", SDP_AT_BOTH, sdp_attr_recvonly},
    {"inactive", SDP_AT_BOTH, sdp_attr_inactive},
    {"mid", SDP_AT_MEDIA, sdp_attr_mid},
    {"rtcp-mux", SDP_AT_MEDIA, sdp_attr_rtcp_mux},
    {"rtcp-mux-only", SDP_AT_MEDIA, sdp_attr_rtcp_mux_only},
    {"rtcp-rsize", SDP_AT_MEDIA, sdp_attr_rtcp_rsize},
    {"bundle-only", SDP_AT_MEDIA, sdp_attr_bundle_only},
    {"rtpmap", SDP_AT_MEDIA, ertc_sdp_attr_rtpmap},
    {"fmtp", SDP_AT_MEDIA, ertc_sdp_attr_fmtp},
    {"rtcp-fb", SDP_AT_MEDIA, ertc_sdp_attr_rtcp_fb},
    {"extmap", SDP_AT_MEDIA, ertc_sdp_attr_extmap},
    {"ssrc", SDP_AT_MEDIA, ertc_sdp_attr_ssrc},
    {"ssrc-group", SDP_AT_MEDIA, ertc_sdp_attr_ssrc_group},
    {"msid", SDP_AT_MEDIA, ertc_sdp_attr_msid},
    {"candidate", SDP_AT_MEDIA, sdp_attr_candidate},
    {"end-of-candidates", SDP_AT_MEDIA, sdp_attr_end_of_candidates},
    {"sctp-port", SDP_AT_MEDIA, sdp_attr_sctp_port},
    {"max-message-size", SDP_AT_MEDIA, sdp_attr_max_message_size},
    {"sctpmap", SDP_AT_MEDIA, sdp_attr_sctpmap},
};

static WEBRTC_STATUS sdp_parse_attribute(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t name, value;
    sdp_split(v, ':', &name, &value);
    int here = ps->media ? SDP_AT_MEDIA : SDP_AT_SESSION;
    for (size_t i = 0; i < sizeof(SDP_ATTRS) / sizeof(SDP_ATTRS[0]); i++) {
        if (sdp_span_eq(name, SDP_ATTRS[i].name)) {
            return (SDP_ATTRS[i].where & here) ? SDP_ATTRS[i].fn(ps, value) : WEBRTC_STATUS_SUCCESS;
        }
    }
    return WEBRTC_STATUS_SUCCESS; /* unknown attributes are ignored (RFC 8866 §5.13) */
}

static WEBRTC_STATUS sdp_parse_line(sdp_parser_t *ps, const char *line, size_t n)
{
    if (n < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "not a <type>=<value> line");
    }
    sdp_span_t value = {line + 2, n - 2};
    switch (line[0]) {
    case 'o': return ps->media ? WEBRTC_STATUS_SUCCESS : sdp_parse_origin(ps, value);
    case 'm': return sdp_parse_media_line(ps, value);
    case 'a': return sdp_parse_attribute(ps, value);
    default: return WEBRTC_STATUS_SUCCESS; /* s= t= c= b= i= ... carry nothing we use */
    }
}

/* Control characters other than tab have no place in SDP text (RFC 8866 §9). */
static bool sdp_line_chars_ok(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            return false;
        }
    }
    return true;
}

static void sdp_finish_media(sdp_parser_t *ps, size_t i)
{
    ertc_sdp_t *out = ps->out;
    ertc_sdp_media_t *m = &out->media[i];
    const ertc_sdp_transport_t *s = &out->transport;
    ertc_sdp_transport_t *t = &m->transport;
    if (!ps->direction_set[i]) {
        m->direction =
            ps->session_direction_set ? ps->session_direction : ERTC_SDP_DIRECTION_SENDRECV;
    }
    if (t->ice_ufrag[0] == '\0') {
        memcpy(t->ice_ufrag, s->ice_ufrag, sizeof(t->ice_ufrag));
    }
    if (t->ice_pwd[0] == '\0') {
        memcpy(t->ice_pwd, s->ice_pwd, sizeof(t->ice_pwd));
    }
    if (!ps->ice_options_set[i]) {
        t->ice_trickle = s->ice_trickle;
    }
    if (t->fingerprint[0] == '\0') {
        memcpy(t->fingerprint_hash, s->fingerprint_hash, sizeof(t->fingerprint_hash));
        memcpy(t->fingerprint, s->fingerprint, sizeof(t->fingerprint));
    }
    if (t->setup == ERTC_SDP_SETUP_NONE) {
        t->setup = s->setup;
    }
    ertc_sdp_finish_codecs(m, ps->fb_wildcard[i]);
    m->datachannel =
        m->datachannel && m->kind == ERTC_SDP_KIND_APPLICATION && strstr(m->proto, "SCTP") != NULL;
}

WEBRTC_STATUS ertc_sdp_parse(const char *text, size_t len, ertc_sdp_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    sdp_parser_t ps = {.out = out};
    if (text == NULL) {
        return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_NULL_ARG, "no SDP text");
    }
    if (len > ERTC_SDP_MAX_SIZE) {
        return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                    "SDP is %zu bytes, more than %d", len, ERTC_SDP_MAX_SIZE);
    }
    const char *cur = text;
    const char *end = text + len;
    bool seen_version = false;
    while (cur < end) {
        const char *nl = memchr(cur, '\n', (size_t)(end - cur));
        const char *line_end = nl ? nl : end;
        size_t n = (size_t)(line_end - cur);
        ps.line_no++;
        if (n > 0 && cur[n - 1] == '\r') {
            n--;
        }
        if (n > ERTC_SDP_MAX_LINE) {
            return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_LIMIT_EXCEEDED,
                                        "line longer than %d bytes", ERTC_SDP_MAX_LINE);
        }
        if (!sdp_line_chars_ok(cur, n)) {
            return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_MALFORMED, "control character in line");
        }
        WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
        if (n == 0) {
            /* blank lines (a trailing one above all) are harmless */
        } else if (!seen_version) {
            if (n != 3 || memcmp(cur, "v=0", 3) != 0) {
                return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_MALFORMED,
                                            "not an SDP: it must start with v=0");
            }
            seen_version = true;
        } else {
            st = sdp_parse_line(&ps, cur, n);
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        cur = nl ? nl + 1 : end;
    }
    if (!seen_version) {
        return ertc_sdp_parser_fail(&ps, WEBRTC_STATUS_MALFORMED, "not an SDP: no v=0 line");
    }
    for (size_t i = 0; i < out->media_count; i++) {
        sdp_finish_media(&ps, i);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- lookups and names -------------------------------------------------------------------- */

const ertc_sdp_media_t *ertc_sdp_find_media(const ertc_sdp_t *sdp, const char *mid)
{
    for (size_t i = 0; sdp != NULL && mid != NULL && i < sdp->media_count; i++) {
        if (strcmp(sdp->media[i].mid, mid) == 0) {
            return &sdp->media[i];
        }
    }
    return NULL;
}

const char *ertc_sdp_direction_name(ertc_sdp_direction_t d)
{
    switch (d) {
    case ERTC_SDP_DIRECTION_INACTIVE: return "inactive";
    case ERTC_SDP_DIRECTION_SENDONLY: return "sendonly";
    case ERTC_SDP_DIRECTION_RECVONLY: return "recvonly";
    case ERTC_SDP_DIRECTION_SENDRECV: return "sendrecv";
    }
    return "inactive";
}

const char *ertc_sdp_setup_name(ertc_sdp_setup_t s)
{
    switch (s) {
    case ERTC_SDP_SETUP_ACTPASS: return "actpass";
    case ERTC_SDP_SETUP_ACTIVE: return "active";
    case ERTC_SDP_SETUP_PASSIVE: return "passive";
    case ERTC_SDP_SETUP_HOLDCONN: return "holdconn";
    case ERTC_SDP_SETUP_NONE: break;
    }
    return "none";
}

const char *ertc_sdp_kind_name(ertc_sdp_kind_t k)
{
    switch (k) {
    case ERTC_SDP_KIND_AUDIO: return "audio";
    case ERTC_SDP_KIND_VIDEO: return "video";
    case ERTC_SDP_KIND_APPLICATION: return "application";
    case ERTC_SDP_KIND_OTHER: break;
    }
    return "other";
}
