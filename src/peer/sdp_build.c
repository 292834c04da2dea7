/*
 * peer/sdp_build — writes our offers and answers (RFC 8829 JSEP §5.2 and §5.3 in the shape
 * Chromium produces; the attribute RFCs are listed in sdp.h). Layout and choices are in
 * sdp_build.h. Every value that goes into a line is checked first, so the output always
 * parses with ertc_sdp_parse() and carries no line breaks from configuration strings.
 */
#include "peer/sdp_build.h"

#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"

#define BUILD_MID_EXTMAP_URI "urn:ietf:params:rtp-hdrext:sdes:mid"

/* One payload type as it will be written. */
typedef struct {
    uint8_t pt;
    const char *name;
    uint32_t clock;
    uint8_t channels; /* 0: not written */
    const char *fmtp; /* "" or NULL: no a=fmtp */
    uint32_t rtcp_fb;
} build_codec_t;

/* What one RTP m-line needs besides the shared transport attributes. */
typedef struct {
    const char *kind;
    const char *proto;
    const char *mid;
    ertc_sdp_direction_t direction;
    build_codec_t codecs[ERTC_SDP_MAX_LOCAL_CODECS];
    size_t codec_count;
    uint16_t mid_extmap_id;
    bool rtcp_rsize;
    const ertc_sdp_local_media_t *sender; /* SSRC/msid source, or NULL */
} build_rtp_t;

/* Printable, no spaces: safe inside one SDP token. */
static bool build_is_token(const char *s, size_t max_len, bool may_be_empty)
{
    size_t n = strnlen(s, max_len + 1);
    if (n > max_len || (n == 0 && !may_be_empty)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F) {
            return false;
        }
    }
    return true;
}

static bool build_is_fingerprint(const char *s)
{
    size_t n = strnlen(s, ERTC_SDP_MAX_FINGERPRINT_LEN + 1);
    if (n == 0 || n > ERTC_SDP_MAX_FINGERPRINT_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
        if (!(i % 3 == 2 ? c == ':' : hex)) {
            return false;
        }
    }
    return n % 3 == 2;
}

static WEBRTC_STATUS build_check_local(const ertc_sdp_local_t *local)
{
    if (!ertc_sdp_is_ice_chars(local->ice_ufrag, ERTC_SDP_MIN_ICE_UFRAG_LEN,
                               ERTC_SDP_MAX_ICE_UFRAG_LEN) ||
        !ertc_sdp_is_ice_chars(local->ice_pwd, ERTC_SDP_MIN_ICE_PWD_LEN,
                               ERTC_SDP_MAX_ICE_PWD_LEN) ||
        !build_is_fingerprint(local->fingerprint) ||
        !build_is_token(local->cname, ERTC_SDP_MAX_ID_LEN, true) ||
        local->media_count > ERTC_SDP_MAX_MEDIA ||
        (local->candidate_count > 0 && local->candidates == NULL)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < local->media_count; i++) {
        const ertc_sdp_local_media_t *m = &local->media[i];
        if (!build_is_token(m->mid, ERTC_SDP_MAX_MID_LEN, true) ||
            !build_is_token(m->msid_stream, ERTC_SDP_MAX_ID_LEN, true) ||
            !build_is_token(m->msid_track, ERTC_SDP_MAX_ID_LEN, true) ||
            (m->ssrc != 0 && local->cname[0] == '\0') ||
            (unsigned)m->direction > ERTC_SDP_DIRECTION_SENDRECV ||
            m->codec_count > ERTC_SDP_MAX_LOCAL_CODECS) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        if (m->kind != ERTC_SDP_KIND_AUDIO && m->kind != ERTC_SDP_KIND_VIDEO &&
            m->kind != ERTC_SDP_KIND_APPLICATION) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    for (size_t i = 0; i < local->candidate_count; i++) {
        if (ertc_sdp_format_candidate(&local->candidates[i], text, sizeof(text), NULL) !=
            WEBRTC_STATUS_SUCCESS) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void build_session(ertc_strbuf_t *sb, const ertc_sdp_local_t *local)
{
    ertc_strbuf_appendf(sb, "v=0\r\no=- %llu %llu IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
                        (unsigned long long)local->session_id,
                        (unsigned long long)local->session_version);
}

static void build_msid_semantic(ertc_strbuf_t *sb, const ertc_sdp_local_t *local)
{
    ertc_strbuf_append_str(sb, "a=msid-semantic: WMS");
    for (size_t i = 0; i < local->media_count; i++) {
        const char *stream = local->media[i].msid_stream;
        bool seen = stream[0] == '\0' || strcmp(stream, "-") == 0;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(local->media[j].msid_stream, stream) == 0;
        }
        if (!seen) {
            ertc_strbuf_appendf(sb, " %s", stream);
        }
    }
    ertc_strbuf_append_str(sb, "\r\n");
    if (local->ice_lite) {
        ertc_strbuf_append_str(sb, "a=ice-lite\r\n");
    }
}

/* c=, candidates (on the transport's m-line), ICE and DTLS attributes, mid. */
static void build_transport(ertc_strbuf_t *sb, const ertc_sdp_local_t *local,
                            ertc_sdp_setup_t setup, bool with_candidates, const char *mid, bool rtp)
{
    ertc_strbuf_append_str(sb, "c=IN IP4 0.0.0.0\r\n");
    if (rtp) {
        ertc_strbuf_append_str(sb, "a=rtcp:9 IN IP4 0.0.0.0\r\n");
    }
    if (with_candidates) {
        char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
        for (size_t i = 0; i < local->candidate_count; i++) {
            if (ertc_sdp_format_candidate(&local->candidates[i], text, sizeof(text), NULL) ==
                WEBRTC_STATUS_SUCCESS) {
                ertc_strbuf_appendf(sb, "a=%s\r\n", text);
            }
        }
        if (local->end_of_candidates) {
            ertc_strbuf_append_str(sb, "a=end-of-candidates\r\n");
        }
    }
    ertc_strbuf_appendf(sb,
                        "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=ice-options:trickle\r\n"
                        "a=fingerprint:sha-256 %s\r\na=setup:%s\r\n",
                        local->ice_ufrag, local->ice_pwd, local->fingerprint,
                        ertc_sdp_setup_name(setup));
    if (mid[0] != '\0') {
        ertc_strbuf_appendf(sb, "a=mid:%s\r\n", mid);
    }
}

static void build_rtp_body(ertc_strbuf_t *sb, const ertc_sdp_local_t *local, const build_rtp_t *r)
{
    if (r->mid_extmap_id != 0) {
        ertc_strbuf_appendf(sb, "a=extmap:%u %s\r\n", (unsigned)r->mid_extmap_id,
                            BUILD_MID_EXTMAP_URI);
    }
    ertc_strbuf_appendf(sb, "a=%s\r\n", ertc_sdp_direction_name(r->direction));
    const ertc_sdp_local_media_t *s = r->sender;
    bool sending = (r->direction & ERTC_SDP_DIRECTION_SENDONLY) && s != NULL;
    bool msid = sending && s->msid_stream[0] != '\0';
    if (msid) {
        ertc_strbuf_appendf(sb, "a=msid:%s%s%s\r\n", s->msid_stream, s->msid_track[0] ? " " : "",
                            s->msid_track);
    }
    ertc_strbuf_append_str(sb, "a=rtcp-mux\r\n");
    if (r->rtcp_rsize) {
        ertc_strbuf_append_str(sb, "a=rtcp-rsize\r\n");
    }
    for (size_t i = 0; i < r->codec_count; i++) {
        const build_codec_t *c = &r->codecs[i];
        ertc_strbuf_appendf(sb, "a=rtpmap:%u %s/%lu", (unsigned)c->pt, c->name,
                            (unsigned long)c->clock);
        if (c->channels > 0) {
            ertc_strbuf_appendf(sb, "/%u", (unsigned)c->channels);
        }
        ertc_strbuf_append_str(sb, "\r\n");
        static const struct {
            uint32_t flag;
            const char *text;
        } fbs[] = {{ERTC_SDP_FB_NACK, "nack"},
                   {ERTC_SDP_FB_NACK_PLI, "nack pli"},
                   {ERTC_SDP_FB_CCM_FIR, "ccm fir"}};
        for (size_t k = 0; k < sizeof(fbs) / sizeof(fbs[0]); k++) {
            if (c->rtcp_fb & fbs[k].flag) {
                ertc_strbuf_appendf(sb, "a=rtcp-fb:%u %s\r\n", (unsigned)c->pt, fbs[k].text);
            }
        }
        if (c->fmtp != NULL && c->fmtp[0] != '\0') {
            ertc_strbuf_appendf(sb, "a=fmtp:%u %s\r\n", (unsigned)c->pt, c->fmtp);
        }
    }
    if (sending && s->ssrc != 0) {
        ertc_strbuf_appendf(sb, "a=ssrc:%lu cname:%s\r\n", (unsigned long)s->ssrc, local->cname);
        if (msid) {
            ertc_strbuf_appendf(sb, "a=ssrc:%lu msid:%s%s%s\r\n", (unsigned long)s->ssrc,
                                s->msid_stream, s->msid_track[0] ? " " : "", s->msid_track);
        }
    }
}

/* The data channel's own lines, after the transport attributes. */
static void build_sctp_body(ertc_strbuf_t *sb, const ertc_sdp_local_t *local, bool legacy)
{
    unsigned port = local->sctp_port ? local->sctp_port : ERTC_SDP_DEFAULT_SCTP_PORT;
    unsigned long max =
        local->max_message_size ? local->max_message_size : ERTC_SDP_DEFAULT_MAX_MESSAGE_SIZE;
    if (legacy) {
        ertc_strbuf_appendf(sb, "a=sctpmap:%u webrtc-datachannel 65535\r\n", port);
    } else {
        ertc_strbuf_appendf(sb, "a=sctp-port:%u\r\n", port);
    }
    ertc_strbuf_appendf(sb, "a=max-message-size:%lu\r\n", max);
}

/* Our codec as offered: payload type, rtpmap, fmtp and feedback. */
static bool build_offer_codec(app_webrtc_rtc_codec_t codec, build_codec_t *out)
{
    memset(out, 0, sizeof(*out));
    out->name = ertc_sdp_codec_name(codec);
    switch (codec) {
    case APP_WEBRTC_CODEC_H264:
        out->pt = ERTC_SDP_PT_H264;
        out->clock = 90000;
        out->fmtp = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
        out->rtcp_fb = ERTC_SDP_VIDEO_RTCP_FB;
        return true;
    case APP_WEBRTC_CODEC_VP8:
        out->pt = ERTC_SDP_PT_VP8;
        out->clock = 90000;
        out->rtcp_fb = ERTC_SDP_VIDEO_RTCP_FB;
        return true;
    case APP_WEBRTC_CODEC_H265:
        out->pt = ERTC_SDP_PT_H265;
        out->clock = 90000;
        out->fmtp = "level-id=93;profile-id=1;tier-flag=0;tx-mode=SRST"; /* Main, level 3.1 */
        out->rtcp_fb = ERTC_SDP_VIDEO_RTCP_FB;
        return true;
    case APP_WEBRTC_CODEC_OPUS:
        out->pt = ERTC_SDP_PT_OPUS;
        out->clock = 48000;
        out->channels = 2;
        out->fmtp = "minptime=10;useinbandfec=1";
        return true;
    case APP_WEBRTC_CODEC_MULAW:
        out->pt = ERTC_SDP_PT_PCMU;
        out->clock = 8000;
        return true;
    case APP_WEBRTC_CODEC_ALAW:
        out->pt = ERTC_SDP_PT_PCMA;
        out->clock = 8000;
        return true;
    default: return false;
    }
}

static WEBRTC_STATUS build_finish(ertc_strbuf_t *sb, size_t *out_len)
{
    WEBRTC_STATUS st = ertc_strbuf_status(sb);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (out_len != NULL) {
        *out_len = ertc_strbuf_len(sb);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_sdp_build_offer(const ertc_sdp_local_t *local, char *buf, size_t size,
                                   size_t *out_len)
{
    if (local == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (size > 0) {
        buf[0] = '\0';
    }
    WEBRTC_STATUS st = build_check_local(local);
    if (st != WEBRTC_STATUS_SUCCESS || local->media_count == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (local->setup != ERTC_SDP_SETUP_NONE && local->setup != ERTC_SDP_SETUP_ACTPASS) {
        return WEBRTC_STATUS_INVALID_ARG; /* RFC 8842 §5.2: an offer says actpass */
    }
    char mids[ERTC_SDP_MAX_MEDIA][ERTC_SDP_MAX_MID_LEN + 1];
    build_codec_t codecs[ERTC_SDP_MAX_MEDIA][ERTC_SDP_MAX_LOCAL_CODECS];
    for (size_t i = 0; i < local->media_count; i++) {
        const ertc_sdp_local_media_t *m = &local->media[i];
        if (m->mid[0] != '\0') {
            memcpy(mids[i], m->mid, sizeof(mids[i]));
        } else {
            snprintf(mids[i], sizeof(mids[i]), "%u", (unsigned)i);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(mids[i], mids[j]) == 0) {
                return WEBRTC_STATUS_INVALID_ARG;
            }
        }
        if (m->kind == ERTC_SDP_KIND_APPLICATION) {
            continue;
        }
        if (m->codec_count == 0) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        for (size_t k = 0; k < m->codec_count; k++) {
            const char *name = ertc_sdp_codec_name(m->codecs[k]);
            bool video = m->kind == ERTC_SDP_KIND_VIDEO;
            bool video_codec = name != NULL && (m->codecs[k] == APP_WEBRTC_CODEC_H264 ||
                                                m->codecs[k] == APP_WEBRTC_CODEC_VP8 ||
                                                m->codecs[k] == APP_WEBRTC_CODEC_H265);
            if (!build_offer_codec(m->codecs[k], &codecs[i][k]) || video != video_codec) {
                return WEBRTC_STATUS_INVALID_ARG;
            }
        }
    }

    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, size);
    build_session(&sb, local);
    ertc_strbuf_append_str(&sb, "a=group:BUNDLE");
    for (size_t i = 0; i < local->media_count; i++) {
        ertc_strbuf_appendf(&sb, " %s", mids[i]);
    }
    ertc_strbuf_append_str(&sb, "\r\n");
    build_msid_semantic(&sb, local);
    for (size_t i = 0; i < local->media_count; i++) {
        const ertc_sdp_local_media_t *m = &local->media[i];
        bool first = i == 0;
        if (m->kind == ERTC_SDP_KIND_APPLICATION) {
            ertc_strbuf_append_str(&sb, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
            build_transport(&sb, local, ERTC_SDP_SETUP_ACTPASS, first, mids[i], false);
            build_sctp_body(&sb, local, false);
            continue;
        }
        ertc_strbuf_appendf(&sb, "m=%s 9 UDP/TLS/RTP/SAVPF", ertc_sdp_kind_name(m->kind));
        for (size_t k = 0; k < m->codec_count; k++) {
            ertc_strbuf_appendf(&sb, " %u", (unsigned)codecs[i][k].pt);
        }
        ertc_strbuf_append_str(&sb, "\r\n");
        build_transport(&sb, local, ERTC_SDP_SETUP_ACTPASS, first, mids[i], true);
        build_rtp_t r = {
            .direction = m->direction,
            .codec_count = m->codec_count,
            .mid_extmap_id = ERTC_SDP_MID_EXTMAP_ID,
            .rtcp_rsize = true,
            .sender = m,
        };
        memcpy(r.codecs, codecs[i], sizeof(r.codecs));
        build_rtp_body(&sb, local, &r);
    }
    return build_finish(&sb, out_len);
}

static const ertc_sdp_local_media_t *build_sender(const ertc_sdp_local_t *local,
                                                  ertc_sdp_kind_t kind)
{
    for (size_t i = 0; i < local->media_count; i++) {
        if (local->media[i].kind == kind) {
            return &local->media[i];
        }
    }
    return NULL;
}

static WEBRTC_STATUS build_check_plan(const ertc_sdp_answer_plan_t *plan)
{
    if (plan->media_count > ERTC_SDP_MAX_MEDIA || plan->transport_index >= plan->media_count ||
        !plan->media[plan->transport_index].accepted ||
        (plan->setup != ERTC_SDP_SETUP_ACTIVE && plan->setup != ERTC_SDP_SETUP_PASSIVE)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < plan->media_count; i++) {
        const ertc_sdp_plan_media_t *pm = &plan->media[i];
        if (!build_is_token(pm->kind_name, ERTC_SDP_MAX_KIND_NAME_LEN, false) ||
            !build_is_token(pm->proto, ERTC_SDP_MAX_PROTO_LEN, false) ||
            !build_is_token(pm->first_format, ERTC_SDP_MAX_FORMAT_LEN, false) ||
            !build_is_token(pm->mid, ERTC_SDP_MAX_MID_LEN, true) ||
            (unsigned)pm->direction > ERTC_SDP_DIRECTION_SENDRECV) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        bool rtp = pm->kind == ERTC_SDP_KIND_AUDIO || pm->kind == ERTC_SDP_KIND_VIDEO;
        if (pm->accepted && rtp &&
            (!build_is_token(pm->codec_name, ERTC_SDP_MAX_CODEC_NAME_LEN, false) ||
             pm->payload_type > 127 || strpbrk(pm->fmtp, "\r\n") != NULL)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        if (!pm->accepted && pm->codec_name[0] != '\0' &&
            (!build_is_token(pm->codec_name, ERTC_SDP_MAX_CODEC_NAME_LEN, false) ||
             pm->payload_type > 127)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        if (pm->accepted && !rtp && pm->kind != ERTC_SDP_KIND_APPLICATION) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_sdp_build_answer(const ertc_sdp_local_t *local,
                                    const ertc_sdp_answer_plan_t *plan, char *buf, size_t size,
                                    size_t *out_len)
{
    if (local == NULL || plan == NULL || buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (size > 0) {
        buf[0] = '\0';
    }
    if (build_check_local(local) != WEBRTC_STATUS_SUCCESS ||
        build_check_plan(plan) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, size);
    build_session(&sb, local);
    if (plan->bundle) {
        ertc_strbuf_appendf(&sb, "a=group:BUNDLE %s", plan->media[plan->transport_index].mid);
        for (size_t i = 0; i < plan->media_count; i++) {
            const ertc_sdp_plan_media_t *pm = &plan->media[i];
            if (i != plan->transport_index && pm->accepted && pm->mid[0] != '\0') {
                ertc_strbuf_appendf(&sb, " %s", pm->mid);
            }
        }
        ertc_strbuf_append_str(&sb, "\r\n");
    }
    build_msid_semantic(&sb, local);
    for (size_t i = 0; i < plan->media_count; i++) {
        const ertc_sdp_plan_media_t *pm = &plan->media[i];
        if (!pm->accepted) {
            /* Port 0 says it all (RFC 8866 §5.14, RFC 8843 §7.3.3), but aiortc 1.4 checks every
             * m-section, rejected or not, for ICE credentials, an answer's a=setup and (audio,
             * video) a=rtcp-mux and a codec it knows, and refuses the whole answer otherwise. The session's own
             * values cost nothing and are ignored by every other peer. */
            bool rtp = pm->kind == ERTC_SDP_KIND_AUDIO || pm->kind == ERTC_SDP_KIND_VIDEO;
            ertc_strbuf_appendf(&sb, "m=%s 0 %s %s\r\n", pm->kind_name, pm->proto,
                                pm->first_format);
            build_transport(&sb, local, plan->setup, false, pm->mid, false);
            if (rtp) {
                ertc_strbuf_append_str(&sb, "a=inactive\r\na=rtcp-mux\r\n");
                if (pm->codec_name[0] != '\0') {
                    /* aiortc wants a codec it knows here too (see sdp_negotiate.c). */
                    ertc_strbuf_appendf(&sb, "a=rtpmap:%u %s/%u", (unsigned)pm->payload_type,
                                        pm->codec_name, (unsigned)pm->clock_rate);
                    if (pm->channels != 0) {
                        ertc_strbuf_appendf(&sb, "/%u", (unsigned)pm->channels);
                    }
                    ertc_strbuf_append_str(&sb, "\r\n");
                }
            }
            continue;
        }
        bool with_candidates = i == plan->transport_index;
        if (pm->kind == ERTC_SDP_KIND_APPLICATION) {
            unsigned port = local->sctp_port ? local->sctp_port : ERTC_SDP_DEFAULT_SCTP_PORT;
            if (pm->legacy_sctpmap) {
                ertc_strbuf_appendf(&sb, "m=application 9 %s %u\r\n", pm->proto, port);
            } else {
                ertc_strbuf_appendf(&sb, "m=application 9 %s webrtc-datachannel\r\n", pm->proto);
            }
            build_transport(&sb, local, plan->setup, with_candidates, pm->mid, false);
            build_sctp_body(&sb, local, pm->legacy_sctpmap);
            continue;
        }
        ertc_strbuf_appendf(&sb, "m=%s 9 %s %u\r\n", pm->kind_name, pm->proto,
                            (unsigned)pm->payload_type);
        build_transport(&sb, local, plan->setup, with_candidates, pm->mid, true);
        build_rtp_t r = {
            .direction = pm->direction,
            .codec_count = 1,
            .mid_extmap_id = pm->mid_extmap_id,
            .rtcp_rsize = pm->rtcp_rsize,
            .sender = build_sender(local, pm->kind),
        };
        r.codecs[0] = (build_codec_t){
            .pt = pm->payload_type,
            .name = pm->codec_name,
            .clock = pm->clock_rate,
            .channels = pm->channels,
            .fmtp = pm->fmtp,
            .rtcp_fb = pm->rtcp_fb,
        };
        build_rtp_body(&sb, local, &r);
    }
    return build_finish(&sb, out_len);
}

void ertc_sdp_local_caps(const ertc_sdp_local_t *local, ertc_sdp_local_caps_t *caps)
{
    if (caps == NULL) {
        return;
    }
    memset(caps, 0, sizeof(*caps));
    if (local == NULL) {
        return;
    }
    for (size_t i = 0; i < local->media_count && i < ERTC_SDP_MAX_MEDIA; i++) {
        const ertc_sdp_local_media_t *m = &local->media[i];
        ertc_sdp_media_caps_t *c = m->kind == ERTC_SDP_KIND_AUDIO   ? &caps->audio
                                   : m->kind == ERTC_SDP_KIND_VIDEO ? &caps->video
                                                                    : NULL;
        if (m->kind == ERTC_SDP_KIND_APPLICATION) {
            caps->datachannel = true;
        }
        if (c == NULL || c->codec_count > 0) {
            continue;
        }
        c->direction = m->direction;
        c->codec_count =
            m->codec_count > ERTC_SDP_MAX_LOCAL_CODECS ? ERTC_SDP_MAX_LOCAL_CODECS : m->codec_count;
        memcpy(c->codecs, m->codecs, sizeof(c->codecs));
    }
}
