/*
 * peer/sdp_negotiate — answers a parsed remote offer: per m-line codec, payload type,
 * direction and parameters, the BUNDLE transport and the DTLS role (RFC 3264, RFC 8829 §5.3,
 * RFC 8843, RFC 8842, RFC 6184 §8.2.2). The rules are listed in sdp_negotiate.h.
 */
#include "peer/sdp_negotiate.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NEG_MID_EXTMAP_URI "urn:ietf:params:rtp-hdrext:sdes:mid"

typedef struct {
    app_webrtc_rtc_codec_t codec;
    const char *name;
    uint32_t clock;
    uint8_t channels; /* 2: must say /2; 1: /1 or nothing; 0: video, not checked */
    ertc_sdp_kind_t kind;
} neg_codec_info_t;

static const neg_codec_info_t NEG_CODECS[] = {
    {APP_WEBRTC_CODEC_H264, "H264", 90000, 0, ERTC_SDP_KIND_VIDEO},
    {APP_WEBRTC_CODEC_VP8, "VP8", 90000, 0, ERTC_SDP_KIND_VIDEO},
    {APP_WEBRTC_CODEC_H265, "H265", 90000, 0, ERTC_SDP_KIND_VIDEO},
    {APP_WEBRTC_CODEC_OPUS, "opus", 48000, 2, ERTC_SDP_KIND_AUDIO},
    {APP_WEBRTC_CODEC_MULAW, "PCMU", 8000, 1, ERTC_SDP_KIND_AUDIO},
    {APP_WEBRTC_CODEC_ALAW, "PCMA", 8000, 1, ERTC_SDP_KIND_AUDIO},
};

/* A bounded message: a write that does not fit ends the text in "..." instead. */
typedef struct {
    char *buf;
    size_t size;
    size_t len;
    bool full;
} neg_msg_t;

static void neg_msg_init(neg_msg_t *m, char *buf, size_t size)
{
    m->buf = buf;
    m->size = buf ? size : 0;
    m->len = 0;
    m->full = false;
    if (m->size > 0) {
        buf[0] = '\0';
    }
}

static void neg_msg_add(neg_msg_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void neg_msg_add(neg_msg_t *m, const char *fmt, ...)
{
    if (m->full || m->size == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m->buf + m->len, m->size - m->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= m->size - m->len) {
        m->full = true;
        m->len = m->size - 1;
        if (m->size >= 4) {
            memcpy(m->buf + m->size - 4, "...", 4);
        }
        return;
    }
    m->len += (size_t)n;
}

static bool neg_eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y) {
            return false;
        }
    }
    return *a == *b;
}

static const neg_codec_info_t *neg_info(app_webrtc_rtc_codec_t codec)
{
    for (size_t i = 0; i < sizeof(NEG_CODECS) / sizeof(NEG_CODECS[0]); i++) {
        if (NEG_CODECS[i].codec == codec) {
            return &NEG_CODECS[i];
        }
    }
    return NULL;
}

const char *ertc_sdp_codec_name(app_webrtc_rtc_codec_t codec)
{
    const neg_codec_info_t *info = neg_info(codec);
    return info ? info->name : NULL;
}

ertc_sdp_direction_t ertc_sdp_answer_direction(ertc_sdp_direction_t ours,
                                               ertc_sdp_direction_t offered)
{
    unsigned dir = 0;
    if ((ours & ERTC_SDP_DIRECTION_SENDONLY) && (offered & ERTC_SDP_DIRECTION_RECVONLY)) {
        dir |= ERTC_SDP_DIRECTION_SENDONLY;
    }
    if ((ours & ERTC_SDP_DIRECTION_RECVONLY) && (offered & ERTC_SDP_DIRECTION_SENDONLY)) {
        dir |= ERTC_SDP_DIRECTION_RECVONLY;
    }
    return (ertc_sdp_direction_t)dir;
}

static bool neg_matches(const ertc_sdp_codec_t *c, const neg_codec_info_t *info)
{
    if (!neg_eq_nocase(c->name, info->name) || c->clock_rate != info->clock) {
        return false;
    }
    switch (info->channels) {
    case 2: return c->channels == 2;
    case 1: return c->channels <= 1;
    default: return true;
    }
}

/* The offer's profile-level-id; libwebrtc reads an absent one as 42e01f. */
static uint32_t neg_h264_plid(const ertc_sdp_codec_t *c)
{
    return c->has_profile_level_id ? c->profile_level_id : ERTC_SDP_H264_PROFILE_LEVEL_ID;
}

/*
 * How well an H.264 payload type suits us: 0 best, -1 unusable. Constrained Baseline is
 * what we send, so a PT that is exactly that wins; Baseline, Main and High decoders also
 * decode it (CB is their common subset), so those PTs work too, in that order.
 */
static int neg_h264_rank(const ertc_sdp_codec_t *c)
{
    if (c->packetization_mode != 1) {
        return -1; /* must equal ours (RFC 6184 §8.2.2); mode 0 would forbid FU-A */
    }
    uint32_t plid = neg_h264_plid(c);
    unsigned idc = (plid >> 16) & 0xFF;
    unsigned iop = (plid >> 8) & 0xFF;
    if ((idc == 0x42 && (iop & 0x40)) || (idc == 0x4D && (iop & 0x80)) ||
        (idc == 0x58 && (iop & 0xC0) == 0xC0)) {
        return 0;
    }
    switch (idc) {
    case 0x42: return 1;
    case 0x4D: return 2;
    case 0x64: return 3;
    default: return -1;
    }
}

static const ertc_sdp_codec_t *neg_pick(const ertc_sdp_media_t *m, const neg_codec_info_t *info)
{
    const ertc_sdp_codec_t *best = NULL;
    int best_rank = INT_MAX;
    for (size_t i = 0; i < m->codec_count; i++) {
        const ertc_sdp_codec_t *c = &m->codecs[i];
        if (!neg_matches(c, info)) {
            continue;
        }
        int rank = info->codec == APP_WEBRTC_CODEC_H264 ? neg_h264_rank(c) : 0;
        if (rank >= 0 && rank < best_rank) {
            best = c;
            best_rank = rank;
        }
    }
    return best;
}

/* Formats that only repair or pad another one, left out of "what was offered". */
static bool neg_is_helper_format(const ertc_sdp_codec_t *c)
{
    static const char *const helpers[] = {"rtx",        "red", "ulpfec",
                                          "flexfec-03", "CN",  "telephone-event"};
    for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
        if (neg_eq_nocase(c->name, helpers[i])) {
            return true;
        }
    }
    return false;
}

/* "VP8/90000, VP9/90000": each codec of m once, helpers left out. */
static void neg_add_offered(neg_msg_t *msg, const ertc_sdp_media_t *m)
{
    size_t listed = 0;
    for (size_t i = 0; i < m->codec_count; i++) {
        const ertc_sdp_codec_t *c = &m->codecs[i];
        bool seen = neg_is_helper_format(c);
        for (size_t j = 0; j < i && !seen; j++) {
            const ertc_sdp_codec_t *d = &m->codecs[j];
            seen = strcmp(c->name, d->name) == 0 && c->clock_rate == d->clock_rate &&
                   c->channels == d->channels;
        }
        if (seen) {
            continue;
        }
        const char *name = c->name[0] ? c->name : "?";
        neg_msg_add(msg, "%s%s/%lu", listed ? ", " : "", name, (unsigned long)c->clock_rate);
        if (c->channels > 1) {
            neg_msg_add(msg, "/%u", (unsigned)c->channels);
        }
        if (c->name[0] == '\0') {
            neg_msg_add(msg, " (PT %u)", (unsigned)c->pt);
        }
        listed++;
    }
    if (listed == 0) {
        neg_msg_add(msg, "no codec");
    }
}

static void neg_add_ours(neg_msg_t *msg, const ertc_sdp_media_caps_t *caps)
{
    for (size_t i = 0; i < caps->codec_count; i++) {
        const neg_codec_info_t *info = neg_info(caps->codecs[i]);
        neg_msg_add(msg, "%s%s/%lu", i ? ", " : "", info->name, (unsigned long)info->clock);
        if (info->channels > 1) {
            neg_msg_add(msg, "/%u", (unsigned)info->channels);
        }
    }
}

static void neg_reject(ertc_sdp_plan_media_t *pm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void neg_reject(ertc_sdp_plan_media_t *pm, const char *fmt, ...)
{
    pm->accepted = false;
    pm->direction = ERTC_SDP_DIRECTION_INACTIVE;
    char text[ERTC_SDP_NOTE_SIZE * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    neg_msg_t msg;
    neg_msg_init(&msg, pm->note, sizeof(pm->note));
    neg_msg_add(&msg, "%s", text);
}

static void neg_write_fmtp(ertc_sdp_plan_media_t *pm, const neg_codec_info_t *info,
                           const ertc_sdp_codec_t *c)
{
    if (info->codec == APP_WEBRTC_CODEC_H264) {
        uint32_t plid = neg_h264_plid(c);
        uint32_t level = plid & 0xFF;
        if (c->level_asymmetry_allowed || level > ERTC_SDP_H264_LEVEL) {
            level = ERTC_SDP_H264_LEVEL;
        }
        snprintf(pm->fmtp, sizeof(pm->fmtp),
                 "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=%06lx",
                 (unsigned long)((plid & 0xFFFF00u) | level));
        pm->remote_profile_level_id = plid;
    } else if (info->codec == APP_WEBRTC_CODEC_OPUS) {
        snprintf(pm->fmtp, sizeof(pm->fmtp), "minptime=10;useinbandfec=1");
    } else if (info->codec == APP_WEBRTC_CODEC_H265) {
        snprintf(pm->fmtp, sizeof(pm->fmtp), "%s", c->fmtp);
    }
}

static void neg_remote_stream(const ertc_sdp_media_t *m, ertc_sdp_plan_media_t *pm)
{
    for (size_t i = 0; i < m->ssrc_group_count; i++) {
        if (strcmp(m->ssrc_groups[i].semantics, "FID") == 0 && m->ssrc_groups[i].count >= 2) {
            pm->remote_ssrc = m->ssrc_groups[i].ssrcs[0];
            pm->remote_rtx_ssrc = m->ssrc_groups[i].ssrcs[1];
            break;
        }
    }
    if (pm->remote_ssrc == 0 && m->ssrc_count > 0) {
        pm->remote_ssrc = m->ssrcs[0].ssrc;
    }
    const char *stream = m->msid_stream;
    const char *track = m->msid_track;
    if (stream[0] == '\0' && m->ssrc_count > 0) {
        stream = m->ssrcs[0].msid_stream;
        track = m->ssrcs[0].msid_track;
    }
    snprintf(pm->remote_msid_stream, sizeof(pm->remote_msid_stream), "%s", stream);
    snprintf(pm->remote_msid_track, sizeof(pm->remote_msid_track), "%s", track);
}

/* Audio or video: true if accepted, else pm->note says why. */
static bool neg_rtp_media(const ertc_sdp_media_t *m, const ertc_sdp_media_caps_t *caps,
                          bool kind_taken, ertc_sdp_plan_media_t *pm)
{
    const char *kind = ertc_sdp_kind_name(m->kind);
    char offered[ERTC_SDP_NOTE_SIZE];
    neg_msg_t msg;
    neg_msg_init(&msg, offered, sizeof(offered));
    neg_add_offered(&msg, m);
    /* Inactive caps with codecs: a kind this device has but does not use in this session. It
     * is answered inactive like a transceiver without a track (JSEP §5.3.1), below. */
    if (caps->codec_count == 0) {
        neg_reject(pm, "%s is not enabled on this device (offered %s)", kind, offered);
        return false;
    }
    if (kind_taken) {
        neg_reject(pm, "another %s m-line was accepted first", kind);
        return false;
    }
    if (!m->rtp || strstr(m->proto, "TLS/RTP/SAVP") == NULL) {
        neg_reject(pm, "%s proto %s is not DTLS-SRTP", kind, m->proto);
        return false;
    }
    if (!m->rtcp_mux) {
        neg_reject(pm, "%s has no a=rtcp-mux (edgertc muxes RTP and RTCP)", kind);
        return false;
    }
    const neg_codec_info_t *info = NULL;
    const ertc_sdp_codec_t *chosen = NULL;
    for (size_t i = 0; i < caps->codec_count && chosen == NULL; i++) {
        info = neg_info(caps->codecs[i]);
        chosen = neg_pick(m, info);
    }
    if (chosen == NULL) {
        char ours[64];
        neg_msg_init(&msg, ours, sizeof(ours));
        neg_add_ours(&msg, caps);
        neg_reject(pm, "%s offered %s (edgertc has %s)", kind, offered, ours);
        return false;
    }
    pm->accepted = true;
    pm->direction = ertc_sdp_answer_direction(caps->direction, m->direction);
    pm->codec = info->codec;
    pm->payload_type = chosen->pt;
    snprintf(pm->codec_name, sizeof(pm->codec_name), "%s", chosen->name);
    pm->clock_rate = chosen->clock_rate;
    pm->channels = chosen->channels;
    pm->rtcp_fb =
        chosen->rtcp_fb & (m->kind == ERTC_SDP_KIND_VIDEO ? (uint32_t)ERTC_SDP_VIDEO_RTCP_FB : 0u);
    pm->rtcp_rsize = m->rtcp_rsize;
    neg_write_fmtp(pm, info, chosen);
    for (size_t i = 0; i < m->extmap_count; i++) {
        if (strcmp(m->extmaps[i].uri, NEG_MID_EXTMAP_URI) == 0) {
            pm->mid_extmap_id = m->extmaps[i].id;
        }
    }
    neg_remote_stream(m, pm);
    return true;
}

static bool neg_datachannel(const ertc_sdp_media_t *m, const ertc_sdp_local_caps_t *caps,
                            bool taken, ertc_sdp_plan_media_t *pm)
{
    if (!m->datachannel || strstr(m->proto, "DTLS/SCTP") == NULL) {
        neg_reject(pm, "application m-line %s %s is not a WebRTC data channel", m->proto,
                   m->first_format);
        return false;
    }
    if (!caps->datachannel) {
        neg_reject(pm, "data channels are not enabled on this device");
        return false;
    }
    if (taken) {
        neg_reject(pm, "another data channel m-line was accepted first");
        return false;
    }
    pm->accepted = true;
    pm->direction = ERTC_SDP_DIRECTION_SENDRECV;
    pm->legacy_sctpmap = m->legacy_sctpmap;
    pm->remote_sctp_port = m->sctp_port ? m->sctp_port : 5000;
    pm->remote_max_message_size = m->has_max_message_size ? m->max_message_size : 65536;
    return true;
}

static WEBRTC_STATUS neg_check_caps(const ertc_sdp_media_caps_t *caps, ertc_sdp_kind_t kind,
                                    neg_msg_t *msg)
{
    if ((unsigned)caps->direction > ERTC_SDP_DIRECTION_SENDRECV ||
        caps->codec_count > ERTC_SDP_MAX_LOCAL_CODECS) {
        neg_msg_add(msg, "%s caps: bad direction or codec count", ertc_sdp_kind_name(kind));
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < caps->codec_count; i++) {
        const neg_codec_info_t *info = neg_info(caps->codecs[i]);
        if (info == NULL || info->kind != kind) {
            neg_msg_add(msg, "%s caps: codec %d is not a %s codec edgertc negotiates",
                        ertc_sdp_kind_name(kind), (int)caps->codecs[i], ertc_sdp_kind_name(kind));
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

static bool neg_in_bundle(const ertc_sdp_t *offer, const char *mid)
{
    for (size_t i = 0; mid[0] != '\0' && i < offer->bundle_count; i++) {
        if (strcmp(offer->bundle_mids[i], mid) == 0) {
            return true;
        }
    }
    return false;
}

/* Keeps the m-lines one transport can carry; returns the transport's m-line or -1. */
static int neg_choose_transport(const ertc_sdp_t *offer, ertc_sdp_answer_plan_t *plan)
{
    int transport = -1;
    if (offer->has_bundle) {
        for (size_t i = 0; i < plan->media_count; i++) {
            if (plan->media[i].accepted && !neg_in_bundle(offer, plan->media[i].mid)) {
                neg_reject(&plan->media[i],
                           "%s m-line is outside the BUNDLE group (edgertc runs one transport)",
                           plan->media[i].kind_name);
            }
        }
        for (size_t g = 0; g < offer->bundle_count && transport < 0; g++) {
            for (size_t i = 0; i < plan->media_count; i++) {
                if (plan->media[i].accepted &&
                    strcmp(plan->media[i].mid, offer->bundle_mids[g]) == 0) {
                    transport = (int)i;
                    break;
                }
            }
        }
        plan->bundle = transport >= 0;
        return transport;
    }
    for (size_t i = 0; i < plan->media_count; i++) {
        if (!plan->media[i].accepted) {
            continue;
        }
        if (transport < 0) {
            transport = (int)i;
        } else {
            neg_reject(&plan->media[i],
                       "%s m-line needs its own transport: the offer has no BUNDLE group",
                       plan->media[i].kind_name);
        }
    }
    return transport;
}

static WEBRTC_STATUS neg_transport(const ertc_sdp_t *offer, ertc_sdp_answer_plan_t *plan,
                                   neg_msg_t *msg)
{
    const ertc_sdp_media_t *m = &offer->media[plan->transport_index];
    const ertc_sdp_transport_t *t = &m->transport;
    if (!ertc_sdp_is_ice_chars(t->ice_ufrag, ERTC_SDP_MIN_ICE_UFRAG_LEN,
                               ERTC_SDP_MAX_ICE_UFRAG_LEN) ||
        !ertc_sdp_is_ice_chars(t->ice_pwd, ERTC_SDP_MIN_ICE_PWD_LEN, ERTC_SDP_MAX_ICE_PWD_LEN)) {
        neg_msg_add(msg,
                    "offer m-line %u (mid \"%s\") has no valid a=ice-ufrag (4-256 ice-chars) "
                    "and a=ice-pwd (22-256)",
                    (unsigned)plan->transport_index, m->mid);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (t->fingerprint[0] == '\0' || (strcmp(t->fingerprint_hash, "sha-256") != 0 &&
                                      strcmp(t->fingerprint_hash, "sha-384") != 0 &&
                                      strcmp(t->fingerprint_hash, "sha-512") != 0)) {
        neg_msg_add(msg,
                    "offer m-line %u (mid \"%s\") has no sha-256/384/512 a=fingerprint "
                    "(found \"%s\")",
                    (unsigned)plan->transport_index, m->mid, t->fingerprint_hash);
        return WEBRTC_STATUS_MALFORMED;
    }
    switch (t->setup) {
    case ERTC_SDP_SETUP_ACTPASS: plan->setup = ERTC_SDP_SETUP_ACTIVE; break;
    case ERTC_SDP_SETUP_PASSIVE: plan->setup = ERTC_SDP_SETUP_ACTIVE; break;
    case ERTC_SDP_SETUP_ACTIVE: plan->setup = ERTC_SDP_SETUP_PASSIVE; break;
    case ERTC_SDP_SETUP_NONE: plan->setup = ERTC_SDP_SETUP_PASSIVE; break;
    case ERTC_SDP_SETUP_HOLDCONN:
        neg_msg_add(msg, "offer says a=setup:holdconn: no DTLS connection is wanted");
        return WEBRTC_STATUS_MALFORMED;
    }
    memcpy(plan->remote_ice_ufrag, t->ice_ufrag, sizeof(plan->remote_ice_ufrag));
    memcpy(plan->remote_ice_pwd, t->ice_pwd, sizeof(plan->remote_ice_pwd));
    memcpy(plan->remote_fingerprint_hash, t->fingerprint_hash,
           sizeof(plan->remote_fingerprint_hash));
    memcpy(plan->remote_fingerprint, t->fingerprint, sizeof(plan->remote_fingerprint));
    plan->remote_trickle = t->ice_trickle;
    plan->remote_ice_lite = offer->ice_lite;
    return WEBRTC_STATUS_SUCCESS;
}

/* The failure message: every rejected m-line's note, after a prefix naming the problem. */
static void neg_explain(const ertc_sdp_t *offer, const ertc_sdp_answer_plan_t *plan,
                        bool av_offered, neg_msg_t *msg)
{
    neg_msg_add(msg, av_offered ? "offer has no codec edgertc can use: "
                                : "offer has nothing edgertc can use: ");
    size_t listed = 0;
    for (size_t i = 0; i < plan->media_count; i++) {
        const ertc_sdp_media_t *m = &offer->media[i];
        bool av = m->kind == ERTC_SDP_KIND_AUDIO || m->kind == ERTC_SDP_KIND_VIDEO;
        if (av_offered && !av) {
            continue;
        }
        neg_msg_add(msg, "%s%s", listed ? "; " : "", plan->media[i].note);
        listed++;
    }
    if (listed == 0) {
        neg_msg_add(msg, "no m-lines");
    }
}

/* A rejected audio/video m-line repeats the offer's first codec (rtpmap only): port 0 already
 * rejects it, but aiortc 1.4 looks for a codec it knows in every audio/video section of an
 * answer, rejected or not, and refuses the whole answer without one. */
static void neg_echo_first_codec(const ertc_sdp_media_t *m, ertc_sdp_plan_media_t *pm)
{
    if (pm->accepted || (m->kind != ERTC_SDP_KIND_AUDIO && m->kind != ERTC_SDP_KIND_VIDEO) ||
        m->codec_count == 0) {
        return;
    }
    const ertc_sdp_codec_t *c = &m->codecs[0];
    char pt[8];
    snprintf(pt, sizeof(pt), "%u", (unsigned)c->pt);
    if (c->name[0] == '\0' || c->clock_rate == 0 || c->pt > 127 ||
        strcmp(pt, m->first_format) != 0) {
        return;
    }
    pm->payload_type = c->pt;
    memcpy(pm->codec_name, c->name, sizeof(pm->codec_name));
    pm->clock_rate = c->clock_rate;
    pm->channels = c->channels;
}

WEBRTC_STATUS ertc_sdp_negotiate(const ertc_sdp_t *remote_offer, const ertc_sdp_local_caps_t *caps,
                                 ertc_sdp_answer_plan_t *plan, char *err, size_t errlen)
{
    neg_msg_t msg;
    neg_msg_init(&msg, err, errlen);
    if (remote_offer == NULL || caps == NULL || plan == NULL) {
        neg_msg_add(&msg, "ertc_sdp_negotiate: NULL argument");
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(plan, 0, sizeof(*plan));
    WEBRTC_STATUS st = neg_check_caps(&caps->audio, ERTC_SDP_KIND_AUDIO, &msg);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = neg_check_caps(&caps->video, ERTC_SDP_KIND_VIDEO, &msg);
    }
    if (st != WEBRTC_STATUS_SUCCESS || remote_offer->media_count > ERTC_SDP_MAX_MEDIA) {
        return WEBRTC_STATUS_INVALID_ARG;
    }

    bool audio_taken = false, video_taken = false, data_taken = false, av_offered = false;
    plan->media_count = remote_offer->media_count;
    for (size_t i = 0; i < remote_offer->media_count; i++) {
        const ertc_sdp_media_t *m = &remote_offer->media[i];
        ertc_sdp_plan_media_t *pm = &plan->media[i];
        pm->kind = m->kind;
        memcpy(pm->kind_name, m->kind_name, sizeof(pm->kind_name));
        memcpy(pm->proto, m->proto, sizeof(pm->proto));
        memcpy(pm->first_format, m->first_format, sizeof(pm->first_format));
        memcpy(pm->mid, m->mid, sizeof(pm->mid));
        if (m->port == 0 && !m->bundle_only) {
            neg_reject(pm, "%s m-line was rejected by the offerer (port 0)", m->kind_name);
            continue;
        }
        switch (m->kind) {
        case ERTC_SDP_KIND_AUDIO:
            av_offered = true;
            audio_taken |= neg_rtp_media(m, &caps->audio, audio_taken, pm);
            break;
        case ERTC_SDP_KIND_VIDEO:
            av_offered = true;
            video_taken |= neg_rtp_media(m, &caps->video, video_taken, pm);
            break;
        case ERTC_SDP_KIND_APPLICATION:
            data_taken |= neg_datachannel(m, caps, data_taken, pm);
            break;
        case ERTC_SDP_KIND_OTHER:
            neg_reject(pm, "media kind %s is not supported", m->kind_name);
            break;
        }
    }

    for (size_t i = 0; i < remote_offer->media_count; i++) {
        neg_echo_first_codec(&remote_offer->media[i], &plan->media[i]);
    }
    int transport = neg_choose_transport(remote_offer, plan);
    bool av_accepted = false; /* of a kind the caps use (an inactive answer does not count) */
    for (size_t i = 0; i < plan->media_count; i++) {
        const ertc_sdp_plan_media_t *pm = &plan->media[i];
        av_accepted |= pm->accepted &&
                       ((pm->kind == ERTC_SDP_KIND_AUDIO &&
                         caps->audio.direction != ERTC_SDP_DIRECTION_INACTIVE) ||
                        (pm->kind == ERTC_SDP_KIND_VIDEO &&
                         caps->video.direction != ERTC_SDP_DIRECTION_INACTIVE));
    }
    if (transport < 0 || (av_offered && !av_accepted)) {
        neg_explain(remote_offer, plan, av_offered, &msg);
        return WEBRTC_STATUS_NOT_FOUND;
    }
    plan->transport_index = (uint8_t)transport;
    return neg_transport(remote_offer, plan, &msg);
}
