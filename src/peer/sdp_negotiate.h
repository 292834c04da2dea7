/*
 * peer/sdp_negotiate — decides how edgertc answers a remote offer (RFC 3264 offer/answer,
 * as JSEP, RFC 8829 §5.3, applies it to WebRTC).
 *
 * ertc_sdp_negotiate() takes a parsed offer and what this device can do (the codecs and
 * direction it wants for audio and video, whether it serves data channels) and fills an
 * answer plan: for every offered m-line, accepted or rejected (port 0), with the payload
 * type, direction and parameters the answer will carry. peer/sdp_build writes the plan as
 * SDP; the peer connection keeps it (remote ICE credentials, fingerprint, DTLS role, PTs).
 *
 * Rules (each one is a decision; the reasons are in sdp_negotiate.c):
 *  - Payload types: the answer echoes the REMOTE's numbers (Chromium's H.264 PTs change
 *    between versions). Codecs are tried in the device's order of preference; among the
 *    remote's payload types of one codec, the remote's order decides ties.
 *  - H.264 (RFC 6184 §8.2.2): packetization-mode must equal ours (1). Profiles accepted, best
 *    first: Constrained Baseline (42 with constraint_set1, 4d with constraint_set0, e.g.
 *    42e01f, 42c015), Baseline (42), Main (4d), High (64); others (High 4:4:4 f4, High 10
 *    6e, ...) are not. We always SEND Constrained Baseline, which decoders of all four
 *    decode; what we RECEIVE is whatever the chosen profile allows. The answer repeats the
 *    offered profile (libwebrtc matches answer codecs by profile) with level 3.1 (1f) when
 *    the offer has level-asymmetry-allowed=1, else the lower of the offered level and 3.1.
 *    A payload type without profile-level-id counts as 42e01f, as libwebrtc reads it.
 *  - Opus: opus/48000/2 (RFC 7587 always says /2); PCMU and PCMA: 8000 Hz, mono; VP8 and
 *    H.265: name and 90000 Hz (H.265's fmtp is echoed).
 *  - rtcp-fb: those the remote offered for the chosen PT and that we implement (video: nack,
 *    nack pli, ccm fir; audio: none).
 *  - Direction: we send if we want to and the remote receives; we receive if we want to and
 *    the remote sends (remote sendonly -> recvonly; camera sendonly vs remote recvonly ->
 *    sendonly; remote sendrecv vs two-way -> sendrecv; nothing left -> inactive).
 *  - One m-line per kind: the first acceptable audio, video and data-channel m-line are
 *    accepted, later ones rejected. m-lines of other kinds, non-DTLS-SRTP protos, without
 *    a=rtcp-mux, or that the offerer itself rejected (port 0 without bundle-only) are
 *    rejected.
 *  - One transport: with a BUNDLE group, accepted m-lines outside it are rejected, and the
 *    transport is the first accepted mid of the offer's group, which leads the answer's
 *    group of accepted mids (RFC 8843 §7.3.1). Without a group only the first
 *    accepted m-line is kept. The transport's ice-ufrag (4-256 ice-chars), ice-pwd (22-256)
 *    and fingerprint (sha-256/384/512) must be present and valid.
 *  - DTLS role (RFC 8842): remote actpass -> we are active (the DTLS client sends its
 *    ClientHello as soon as ICE connects; see browser-interop.md), remote active -> passive,
 *    remote passive -> active, no a=setup (RFC 4145 default active) -> passive.
 *  - Failure: an offer with audio or video m-lines of which none has a codec in common fails
 *    with NOT_FOUND and a message naming what was offered ("offer has no codec edgertc can
 *    use: video offered VP8/90000, VP9/90000 (edgertc has H264/90000); ..."), meant for the
 *    application's event. So does an offer with nothing to accept at all.
 */
#ifndef ERTC_PEER_SDP_NEGOTIATE_H
#define ERTC_PEER_SDP_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "peer/sdp.h"

#define ERTC_SDP_MAX_LOCAL_CODECS     4
#define ERTC_SDP_NOTE_SIZE            160 /* why an m-line was rejected */
#define ERTC_SDP_NEGOTIATE_ERROR_SIZE 512 /* enough for the error of any real offer */

/* Our H.264: Constrained Baseline, level 3.1, packetization-mode 1. */
#define ERTC_SDP_H264_PROFILE_LEVEL_ID 0x42e01f
#define ERTC_SDP_H264_LEVEL            0x1f
#define ERTC_SDP_VIDEO_RTCP_FB         (ERTC_SDP_FB_NACK | ERTC_SDP_FB_NACK_PLI | ERTC_SDP_FB_CCM_FIR)

/* What the device does with one kind of media. */
typedef struct {
    /* SENDONLY camera, SENDRECV two-way, RECVONLY viewer. INACTIVE (0) with codecs: a kind
     * the device has but does not use now; its m-line is answered inactive (in the BUNDLE,
     * as JSEP answers a transceiver without a track) if a codec matches. No codecs: the kind
     * is not served and its m-line is rejected (port 0). */
    ertc_sdp_direction_t direction;
    app_webrtc_rtc_codec_t codecs[ERTC_SDP_MAX_LOCAL_CODECS]; /* most preferred first */
    uint8_t codec_count;
} ertc_sdp_media_caps_t;

typedef struct {
    ertc_sdp_media_caps_t audio;
    ertc_sdp_media_caps_t video;
    bool datachannel;
} ertc_sdp_local_caps_t;

/* The answer for one offered m-line. */
typedef struct {
    bool accepted;
    /* Copied from the offer (a rejected m-line repeats them with port 0). */
    ertc_sdp_kind_t kind;
    char kind_name[ERTC_SDP_MAX_KIND_NAME_LEN + 1];
    char proto[ERTC_SDP_MAX_PROTO_LEN + 1];
    char first_format[ERTC_SDP_MAX_FORMAT_LEN + 1];
    char mid[ERTC_SDP_MAX_MID_LEN + 1];
    ertc_sdp_direction_t direction; /* ours, as the answer states it */

    /* Accepted audio/video. A rejected one has payload_type, codec_name, clock_rate and
     * channels of the offer's first codec (echoed as an rtpmap for aiortc), or codec_name "". */
    app_webrtc_rtc_codec_t codec;
    uint8_t payload_type;                             /* the remote's number */
    char codec_name[ERTC_SDP_MAX_CODEC_NAME_LEN + 1]; /* as the remote wrote it */
    uint32_t clock_rate;
    uint8_t channels;                     /* 0: none written */
    char fmtp[ERTC_SDP_MAX_FMTP_LEN + 1]; /* the answer's fmtp for payload_type, or "" */
    uint32_t rtcp_fb;                     /* ERTC_SDP_FB_* in the answer */
    uint32_t remote_profile_level_id;     /* H.264: what the offer said (level = its max) */
    bool rtcp_rsize;                      /* offered, so answered */
    uint16_t mid_extmap_id;               /* sdes:mid extension id to echo, 0 if none */
    uint32_t remote_ssrc;                 /* first SSRC the remote declared, 0 if none */
    uint32_t remote_rtx_ssrc;             /* its FID partner, 0 if none */
    char remote_msid_stream[ERTC_SDP_MAX_ID_LEN + 1];
    char remote_msid_track[ERTC_SDP_MAX_ID_LEN + 1];

    /* Accepted data channel. */
    bool legacy_sctpmap;              /* answer in the old "DTLS/SCTP 5000" + a=sctpmap form */
    uint16_t remote_sctp_port;        /* 5000 when not given */
    uint32_t remote_max_message_size; /* 65536 when not given, 0 = no limit */

    char note[ERTC_SDP_NOTE_SIZE]; /* why rejected; "" when accepted */
} ertc_sdp_plan_media_t;

typedef struct {
    ertc_sdp_plan_media_t media[ERTC_SDP_MAX_MEDIA]; /* same order and count as the offer */
    uint8_t media_count;
    ertc_sdp_setup_t setup;  /* ours: ACTIVE (DTLS client) or PASSIVE (DTLS server) */
    bool bundle;             /* the answer carries a=group:BUNDLE of the accepted mids */
    uint8_t transport_index; /* the m-line whose ICE/DTLS transport carries everything */
    /* The remote transport, from that m-line. */
    char remote_ice_ufrag[ERTC_SDP_MAX_ICE_UFRAG_LEN + 1];
    char remote_ice_pwd[ERTC_SDP_MAX_ICE_PWD_LEN + 1];
    char remote_fingerprint_hash[ERTC_SDP_MAX_HASH_NAME_LEN + 1];
    char remote_fingerprint[ERTC_SDP_MAX_FINGERPRINT_LEN + 1];
    bool remote_ice_lite;
    bool remote_trickle;
} ertc_sdp_answer_plan_t;

/*
 * Fills *plan for answering remote_offer with caps. On failure writes a message to
 * err[0..errlen) (optional; ERTC_SDP_NEGOTIATE_ERROR_SIZE holds any real one, a longer one
 * ends in "...") and returns: NULL_ARG; INVALID_ARG (caps name an unknown codec or
 * direction); NOT_FOUND (no common codec, or nothing acceptable); MALFORMED (the transport
 * lacks ICE credentials or a usable fingerprint, or a=setup:holdconn).
 */
WEBRTC_STATUS ertc_sdp_negotiate(const ertc_sdp_t *remote_offer, const ertc_sdp_local_caps_t *caps,
                                 ertc_sdp_answer_plan_t *plan, char *err, size_t errlen);

/* The direction we answer with, given ours and the offer's (see the rules above). */
ertc_sdp_direction_t ertc_sdp_answer_direction(ertc_sdp_direction_t ours,
                                               ertc_sdp_direction_t offered);

/* "H264", "opus", "PCMU", "PCMA", "VP8", "H265"; NULL for codecs SDP negotiation lacks. */
const char *ertc_sdp_codec_name(app_webrtc_rtc_codec_t codec);

#endif
