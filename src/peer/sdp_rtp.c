/*
 * peer/sdp_rtp — the RTP attributes of an m-line: payload types (a=rtpmap, RFC 8866 §6.6),
 * their parameters (a=fmtp; H.264's per RFC 6184 §8.1, RTX apt per RFC 4588 §8.6), feedback
 * (a=rtcp-fb, RFC 4585 §4.2, RFC 5104 §7.1), header extensions (a=extmap, RFC 8285 §8),
 * sources (a=ssrc and a=ssrc-group, RFC 5576) and a=msid (RFC 8830). Part of ertc_sdp_parse();
 * the line loop is in sdp.c.
 */
#include "peer/sdp_parser.h"

#include <stdio.h>
#include <string.h>

/* The codec for the payload type token `tok`; NULL if it is not one of this m-line's. */
static ertc_sdp_codec_t *sdp_codec_for(sdp_parser_t *ps, sdp_span_t tok, bool *numeric)
{
    uint32_t pt = 0;
    *numeric = sdp_parse_u32(tok, 127, &pt);
    if (!*numeric || !ps->media->rtp) {
        return NULL;
    }
    return (ertc_sdp_codec_t *)ertc_sdp_find_codec(ps->media, (uint8_t)pt);
}

static void sdp_drop_codec(ertc_sdp_media_t *m, ertc_sdp_codec_t *c)
{
    size_t i = (size_t)(c - m->codecs);
    memmove(&m->codecs[i], &m->codecs[i + 1], (m->codec_count - i - 1) * sizeof(*c));
    m->codec_count--;
    m->dropped++;
}

/* a=rtpmap:<pt> <name>/<clock>[/<channels>] */
WEBRTC_STATUS ertc_sdp_attr_rtpmap(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t pt_tok, enc, name, rest, clock, channels;
    bool numeric = false;
    uint32_t clock_rate = 0;
    uint32_t ch = 0;
    if (!sdp_next_token(&v, &pt_tok) || !sdp_next_token(&v, &enc)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=rtpmap needs <pt> <encoding>");
    }
    ertc_sdp_codec_t *c = sdp_codec_for(ps, pt_tok, &numeric);
    sdp_split(enc, '/', &name, &rest);
    bool has_channels = sdp_split(rest, '/', &clock, &channels);
    if (!numeric || name.n == 0 || !sdp_parse_u32(clock, UINT32_MAX, &clock_rate) ||
        (has_channels && (!sdp_parse_u32(channels, 255, &ch) || ch == 0))) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "bad a=rtpmap");
    }
    if (c == NULL) {
        return WEBRTC_STATUS_SUCCESS; /* not a payload type of this m-line */
    }
    if (!sdp_copy(name, c->name, ERTC_SDP_MAX_CODEC_NAME_LEN)) {
        sdp_drop_codec(ps->media, c);
        return WEBRTC_STATUS_SUCCESS;
    }
    c->clock_rate = clock_rate;
    c->channels = (uint8_t)ch;
    return WEBRTC_STATUS_SUCCESS;
}

static bool sdp_parse_hex24(sdp_span_t s, uint32_t *out)
{
    if (s.n != 6) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < 6; i++) {
        char c = sdp_lower(s.p[i]);
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (uint32_t)(c - 'a' + 10);
        } else {
            return false;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

/* Reads the parameters the stack uses; a known key with a bad value counts as absent. */
static void sdp_parse_fmtp_params(ertc_sdp_codec_t *c, sdp_span_t params)
{
    sdp_span_t param, rest = params;
    while (rest.n > 0) {
        sdp_split(rest, ';', &param, &rest);
        sdp_span_t key, value;
        sdp_split(sdp_trim(param), '=', &key, &value);
        key = sdp_trim(key);
        value = sdp_trim(value);
        uint32_t n = 0;
        if (sdp_span_eq_nocase(key, "apt") && sdp_parse_u32(value, 127, &n)) {
            c->apt = (int16_t)n;
        } else if (sdp_span_eq_nocase(key, "profile-level-id") && sdp_parse_hex24(value, &n)) {
            c->has_profile_level_id = true;
            c->profile_level_id = n;
        } else if (sdp_span_eq_nocase(key, "packetization-mode") && sdp_parse_u32(value, 2, &n)) {
            c->packetization_mode = (uint8_t)n;
        } else if (sdp_span_eq_nocase(key, "level-asymmetry-allowed") &&
                   sdp_parse_u32(value, 1, &n)) {
            c->level_asymmetry_allowed = n == 1;
        }
    }
}

/* a=fmtp:<pt> <parameters>; lines for other formats (legacy SCTP) are ignored. */
WEBRTC_STATUS ertc_sdp_attr_fmtp(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t pt_tok;
    bool numeric = false;
    if (!sdp_next_token(&v, &pt_tok)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=fmtp needs a format");
    }
    ertc_sdp_codec_t *c = sdp_codec_for(ps, pt_tok, &numeric);
    if (c == NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    v = sdp_trim(v);
    sdp_parse_fmtp_params(c, v);
    c->fmtp_too_long = !sdp_copy(v, c->fmtp, ERTC_SDP_MAX_FMTP_LEN);
    return WEBRTC_STATUS_SUCCESS;
}

/* a=rtcp-fb:<pt>|* <type> [<parameter>] */
WEBRTC_STATUS ertc_sdp_attr_rtcp_fb(sdp_parser_t *ps, sdp_span_t v)
{
    sdp_span_t pt_tok, type, param = {0};
    bool numeric = false;
    if (!sdp_next_token(&v, &pt_tok) || !sdp_next_token(&v, &type)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=rtcp-fb needs <pt> <type>");
    }
    bool has_param = sdp_next_token(&v, &param);
    uint32_t flag = 0;
    if (sdp_span_eq(type, "nack")) {
        flag =
            !has_param ? ERTC_SDP_FB_NACK : (sdp_span_eq(param, "pli") ? ERTC_SDP_FB_NACK_PLI : 0);
    } else if (sdp_span_eq(type, "ccm")) {
        flag = has_param && sdp_span_eq(param, "fir") ? ERTC_SDP_FB_CCM_FIR : 0;
    } else if (sdp_span_eq(type, "goog-remb")) {
        flag = ERTC_SDP_FB_GOOG_REMB;
    } else if (sdp_span_eq(type, "transport-cc")) {
        flag = ERTC_SDP_FB_TRANSPORT_CC;
    }
    if (sdp_span_eq(pt_tok, "*")) {
        ps->fb_wildcard[ps->out->media_count - 1] |= flag;
        return WEBRTC_STATUS_SUCCESS;
    }
    ertc_sdp_codec_t *c = sdp_codec_for(ps, pt_tok, &numeric);
    if (!numeric) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED,
                                    "a=rtcp-fb payload type is not 0-127 or *");
    }
    if (c != NULL) {
        c->rtcp_fb |= flag;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* a=extmap:<id>[/<direction>] <uri> [<attributes>] */
WEBRTC_STATUS ertc_sdp_attr_extmap(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_media_t *m = ps->media;
    sdp_span_t id_dir, id, dir, uri;
    uint32_t value = 0;
    if (!sdp_next_token(&v, &id_dir) || !sdp_next_token(&v, &uri)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=extmap needs <id> <uri>");
    }
    sdp_split(id_dir, '/', &id, &dir);
    if (!sdp_parse_u32(id, 65535, &value)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=extmap id is not a number");
    }
    if (value == 0 || value > 255 || m->extmap_count >= ERTC_SDP_MAX_EXTMAPS ||
        uri.n > ERTC_SDP_MAX_URI_LEN) {
        m->dropped++;
        return WEBRTC_STATUS_SUCCESS;
    }
    ertc_sdp_extmap_t *e = &m->extmaps[m->extmap_count++];
    e->id = (uint16_t)value;
    sdp_copy(uri, e->uri, ERTC_SDP_MAX_URI_LEN);
    return WEBRTC_STATUS_SUCCESS;
}

static ertc_sdp_ssrc_t *sdp_ssrc_entry(ertc_sdp_media_t *m, uint32_t ssrc)
{
    for (size_t i = 0; i < m->ssrc_count; i++) {
        if (m->ssrcs[i].ssrc == ssrc) {
            return &m->ssrcs[i];
        }
    }
    if (m->ssrc_count >= ERTC_SDP_MAX_SSRCS) {
        return NULL;
    }
    ertc_sdp_ssrc_t *s = &m->ssrcs[m->ssrc_count++];
    s->ssrc = ssrc;
    return s;
}

/* "<stream> [<track>]" into two fields; false if either is too long. */
static bool sdp_copy_msid(sdp_span_t v, char *stream, char *track)
{
    sdp_span_t s = {0}, t = {0};
    sdp_next_token(&v, &s);
    sdp_next_token(&v, &t);
    if (s.n > ERTC_SDP_MAX_ID_LEN || t.n > ERTC_SDP_MAX_ID_LEN) {
        return false;
    }
    sdp_copy(s, stream, ERTC_SDP_MAX_ID_LEN);
    sdp_copy(t, track, ERTC_SDP_MAX_ID_LEN);
    return true;
}

/* a=ssrc:<ssrc> <attribute>[:<value>]; cname and msid are kept. */
WEBRTC_STATUS ertc_sdp_attr_ssrc(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_media_t *m = ps->media;
    sdp_span_t ssrc_tok, attr, name, value;
    uint32_t ssrc = 0;
    if (!sdp_next_token(&v, &ssrc_tok) || !sdp_parse_u32(ssrc_tok, UINT32_MAX, &ssrc)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=ssrc needs a 32-bit SSRC");
    }
    ertc_sdp_ssrc_t *s = sdp_ssrc_entry(m, ssrc);
    if (s == NULL) {
        m->dropped++;
        return WEBRTC_STATUS_SUCCESS;
    }
    attr = sdp_trim(v);
    sdp_split(attr, ':', &name, &value);
    if (sdp_span_eq(name, "cname")) {
        if (!sdp_copy(sdp_trim(value), s->cname, ERTC_SDP_MAX_ID_LEN)) {
            m->dropped++;
        }
    } else if (sdp_span_eq(name, "msid")) {
        if (!sdp_copy_msid(value, s->msid_stream, s->msid_track)) {
            m->dropped++;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* a=ssrc-group:<semantics> <ssrc> ... */
WEBRTC_STATUS ertc_sdp_attr_ssrc_group(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_media_t *m = ps->media;
    sdp_span_t semantics, tok;
    if (!sdp_next_token(&v, &semantics)) {
        return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=ssrc-group needs semantics");
    }
    ertc_sdp_ssrc_group_t group = {0};
    bool fits = sdp_copy(semantics, group.semantics, sizeof(group.semantics) - 1);
    while (sdp_next_token(&v, &tok)) {
        uint32_t ssrc = 0;
        if (!sdp_parse_u32(tok, UINT32_MAX, &ssrc)) {
            return ertc_sdp_parser_fail(ps, WEBRTC_STATUS_MALFORMED, "a=ssrc-group has a bad SSRC");
        }
        if (group.count >= ERTC_SDP_MAX_GROUP_SSRCS) {
            fits = false;
            continue;
        }
        group.ssrcs[group.count++] = ssrc;
    }
    if (!fits || m->ssrc_group_count >= ERTC_SDP_MAX_SSRC_GROUPS) {
        m->dropped++;
        return WEBRTC_STATUS_SUCCESS;
    }
    m->ssrc_groups[m->ssrc_group_count++] = group;
    return WEBRTC_STATUS_SUCCESS;
}

/* a=msid:<stream> [<track>]; the first line wins (one stream per track is the norm). */
WEBRTC_STATUS ertc_sdp_attr_msid(sdp_parser_t *ps, sdp_span_t v)
{
    ertc_sdp_media_t *m = ps->media;
    if (m->msid_stream[0] != '\0') {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (!sdp_copy_msid(v, m->msid_stream, m->msid_track)) {
        m->dropped++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static const struct {
    uint8_t pt;
    const char *name;
    uint32_t clock;
} SDP_STATIC_TYPES[] = {
    /* RFC 3551 §6; G722's clock is 8000 in SDP for historical reasons. */
    {0, "PCMU", 8000}, {3, "GSM", 8000}, {8, "PCMA", 8000},
    {9, "G722", 8000}, {13, "CN", 8000}, {18, "G729", 8000},
};

void ertc_sdp_finish_codecs(ertc_sdp_media_t *m, uint32_t fb_wildcard)
{
    for (size_t k = 0; k < m->codec_count; k++) {
        ertc_sdp_codec_t *c = &m->codecs[k];
        c->rtcp_fb |= fb_wildcard;
        for (size_t j = 0;
             c->name[0] == '\0' && j < sizeof(SDP_STATIC_TYPES) / sizeof(SDP_STATIC_TYPES[0]);
             j++) {
            if (SDP_STATIC_TYPES[j].pt == c->pt) {
                snprintf(c->name, sizeof(c->name), "%s", SDP_STATIC_TYPES[j].name);
                c->clock_rate = SDP_STATIC_TYPES[j].clock;
                c->channels = 1;
            }
        }
    }
}

const ertc_sdp_codec_t *ertc_sdp_find_codec(const ertc_sdp_media_t *m, uint8_t pt)
{
    for (size_t i = 0; m != NULL && i < m->codec_count; i++) {
        if (m->codecs[i].pt == pt) {
            return &m->codecs[i];
        }
    }
    return NULL;
}

WEBRTC_STATUS ertc_sdp_fmtp_get(const char *fmtp, const char *key, char *out, size_t out_size)
{
    if (fmtp == NULL || key == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    sdp_span_t rest = {fmtp, strlen(fmtp)}, param, k, value;
    while (rest.n > 0) {
        sdp_split(rest, ';', &param, &rest);
        sdp_split(sdp_trim(param), '=', &k, &value);
        if (sdp_span_eq_nocase(sdp_trim(k), key)) {
            value = sdp_trim(value);
            if (out_size == 0 || !sdp_copy(value, out, out_size - 1)) {
                return WEBRTC_STATUS_BUFFER_TOO_SMALL;
            }
            return WEBRTC_STATUS_SUCCESS;
        }
    }
    return WEBRTC_STATUS_NOT_FOUND;
}