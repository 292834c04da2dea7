/*
 * peer/sdp — the session description model and its parser (RFC 8866 SDP, as used by WebRTC).
 *
 * ertc_sdp_parse() turns the text of an offer or answer into an ertc_sdp_t: the session
 * level (origin, BUNDLE group, ICE credentials and options, DTLS fingerprint and setup role,
 * msid-semantic) and each m-line (kind, port, proto, mid, direction, rtcp-mux, payload types
 * with rtpmap/fmtp/rtcp-fb, extmaps, SSRCs and SSRC groups, msid, candidates, SCTP port and
 * maximum message size). The attributes follow RFC 8839 (ICE: ice-ufrag, ice-pwd,
 * ice-options, candidate, end-of-candidates), RFC 8122 (fingerprint), RFC 4145/8842 (setup),
 * RFC 8843 (BUNDLE, mid), RFC 5761 (rtcp-mux), RFC 5506 (rtcp-rsize), RFC 4585 (rtcp-fb),
 * RFC 8285 (extmap), RFC 5576 (ssrc, ssrc-group), RFC 8830 (msid), RFC 8841 (sctp-port,
 * max-message-size), RFC 6184 §8.1 (H.264 fmtp) and RFC 7587 (Opus).
 *
 * The parser is a pure function over a buffer: no I/O, no allocation. The description is one
 * fixed-size struct with bounded arrays and NUL-terminated string fields copied out of the
 * input, so the input may be freed at once and the struct may be copied with memcpy. It is
 * large (about 175 KB with the limits below: sizeof(ertc_sdp_t)); allocate it with ertc_calloc
 * and never put it on a task stack. A peer connection parses, negotiates (peer/sdp_negotiate)
 * and keeps only the answer plan (about 6 KB).
 *
 * Files: sdp.c (the line loop, session and transport attributes), sdp_rtp.c (rtpmap, fmtp,
 * rtcp-fb, extmap, ssrc, msid), sdp_candidate.c (candidates, also trickled ones alone).
 *
 * Limits, and what happens past each one:
 *  - the text is longer than ERTC_SDP_MAX_SIZE, a line longer than ERTC_SDP_MAX_LINE, more
 *    than ERTC_SDP_MAX_MEDIA m-lines, a BUNDLE group longer than that, or an ice-ufrag,
 *    ice-pwd, fingerprint or mid longer than its field: the whole description is refused
 *    with LIMIT_EXCEEDED (an answer must keep every m-line, and these values must be exact);
 *  - payload types past ERTC_SDP_MAX_FORMATS (the last in the m= line, Chromium puts its
 *    FEC formats there), candidates past ERTC_SDP_MAX_CANDIDATES, extmaps past
 *    ERTC_SDP_MAX_EXTMAPS, SSRCs past ERTC_SDP_MAX_SSRCS, SSRC groups past
 *    ERTC_SDP_MAX_SSRC_GROUPS, and items whose string is longer than its field (a codec
 *    name, an extmap URI, a candidate address, a cname or msid id) are dropped and counted
 *    in ertc_sdp_media_t.dropped; malformed candidate lines are dropped and counted too;
 *  - an fmtp longer than ERTC_SDP_MAX_FMTP_LEN keeps its parsed values (H.264 parameters,
 *    apt) but not its text (fmtp_too_long is set).
 * Lines may end in \n or \r\n. Unknown line types and attributes are ignored. Malformed
 * lines that the parser understands (v=, o=, m=, rtpmap, fmtp, rtcp-fb, extmap, ssrc,
 * fingerprint, setup, ...) and control characters refuse the description with MALFORMED.
 * Every failure leaves a message with the line number in ertc_sdp_t.error.
 */
#ifndef ERTC_PEER_SDP_H
#define ERTC_PEER_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_SDP_MAX_SIZE            (64 * 1024) /* bytes of SDP text */
#define ERTC_SDP_MAX_LINE            4096        /* bytes in one line, without the line end */
#define ERTC_SDP_MAX_MEDIA           8           /* m-lines */
#define ERTC_SDP_MAX_FORMATS         48          /* payload types per m-line (Chromium 156: 34) */
#define ERTC_SDP_MAX_CANDIDATES      32          /* a=candidate lines per m-line */
#define ERTC_SDP_MAX_EXTMAPS         16          /* a=extmap lines per m-line */
#define ERTC_SDP_MAX_SSRCS           8           /* distinct SSRCs per m-line */
#define ERTC_SDP_MAX_SSRC_GROUPS     4           /* a=ssrc-group lines per m-line */
#define ERTC_SDP_MAX_GROUP_SSRCS     4           /* SSRCs in one a=ssrc-group */
#define ERTC_SDP_MAX_ICE_UFRAG_LEN   256         /* RFC 8839 §5.4: 4-256 characters */
#define ERTC_SDP_MAX_ICE_PWD_LEN     256         /* RFC 8839 §5.4: 22-256 characters */
#define ERTC_SDP_MIN_ICE_UFRAG_LEN   4
#define ERTC_SDP_MIN_ICE_PWD_LEN     22
#define ERTC_SDP_MAX_HASH_NAME_LEN   15  /* "sha-256" */
#define ERTC_SDP_MAX_FINGERPRINT_LEN 191 /* sha-512: 64 hex pairs and 63 colons */
#define ERTC_SDP_MAX_MID_LEN         32
#define ERTC_SDP_MAX_ID_LEN          64 /* msid stream and track ids, cname (RFC 8830: 64) */
#define ERTC_SDP_MAX_SESSION_ID_LEN  32
#define ERTC_SDP_MAX_KIND_NAME_LEN   15
#define ERTC_SDP_MAX_PROTO_LEN       31
#define ERTC_SDP_MAX_FORMAT_LEN      32 /* the first format token of an m= line */
#define ERTC_SDP_MAX_CODEC_NAME_LEN  15 /* "telephone-event" */
#define ERTC_SDP_MAX_FMTP_LEN        191
#define ERTC_SDP_MAX_URI_LEN         127 /* extmap URI */
#define ERTC_SDP_MAX_FOUNDATION_LEN  32  /* RFC 8839: 1*32 ice-char */
#define ERTC_SDP_MAX_ADDRESS_LEN     63  /* candidate address: IPv4, IPv6 or <uuid>.local */
#define ERTC_SDP_ERROR_SIZE          128

/* Room for one formatted candidate attribute value, NUL included. */
#define ERTC_SDP_CANDIDATE_TEXT_SIZE 256

typedef enum {
    ERTC_SDP_KIND_OTHER = 0, /* "text", "message", ...: answered with port 0 */
    ERTC_SDP_KIND_AUDIO,
    ERTC_SDP_KIND_VIDEO,
    ERTC_SDP_KIND_APPLICATION,
} ertc_sdp_kind_t;

/* Bit 0: sends media, bit 1: receives media, so directions intersect with '&'. */
typedef enum {
    ERTC_SDP_DIRECTION_INACTIVE = 0,
    ERTC_SDP_DIRECTION_SENDONLY = 1,
    ERTC_SDP_DIRECTION_RECVONLY = 2,
    ERTC_SDP_DIRECTION_SENDRECV = 3,
} ertc_sdp_direction_t;

typedef enum {
    ERTC_SDP_SETUP_NONE = 0, /* no a=setup */
    ERTC_SDP_SETUP_ACTPASS,
    ERTC_SDP_SETUP_ACTIVE,  /* DTLS client */
    ERTC_SDP_SETUP_PASSIVE, /* DTLS server */
    ERTC_SDP_SETUP_HOLDCONN,
} ertc_sdp_setup_t;

/* a=rtcp-fb values the stack knows (RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb,
 * draft-holmer-rmcat-transport-wide-cc); others are ignored. */
enum {
    ERTC_SDP_FB_NACK = 1u << 0,         /* "nack" */
    ERTC_SDP_FB_NACK_PLI = 1u << 1,     /* "nack pli" */
    ERTC_SDP_FB_CCM_FIR = 1u << 2,      /* "ccm fir" */
    ERTC_SDP_FB_GOOG_REMB = 1u << 3,    /* "goog-remb" */
    ERTC_SDP_FB_TRANSPORT_CC = 1u << 4, /* "transport-cc" */
};

typedef enum {
    ERTC_SDP_CANDIDATE_HOST = 0,
    ERTC_SDP_CANDIDATE_SRFLX,
    ERTC_SDP_CANDIDATE_PRFLX,
    ERTC_SDP_CANDIDATE_RELAY,
} ertc_sdp_candidate_type_t;

typedef enum {
    ERTC_SDP_TRANSPORT_UDP = 0,
    ERTC_SDP_TRANSPORT_TCP,
} ertc_sdp_transport_proto_t;

typedef enum {
    ERTC_SDP_TCPTYPE_NONE = 0, /* UDP, or TCP without tcptype */
    ERTC_SDP_TCPTYPE_ACTIVE,
    ERTC_SDP_TCPTYPE_PASSIVE,
    ERTC_SDP_TCPTYPE_SO,
} ertc_sdp_tcptype_t;

/* One ICE candidate (RFC 8839 §5.1, RFC 6544 §4.5 tcptype). Extensions other than tcptype
 * (generation, ufrag, network-id, network-cost) are ignored. */
typedef struct {
    char foundation[ERTC_SDP_MAX_FOUNDATION_LEN + 1];
    uint16_t component; /* 1 RTP, 2 RTCP */
    ertc_sdp_transport_proto_t transport;
    uint32_t priority;
    char address[ERTC_SDP_MAX_ADDRESS_LEN + 1]; /* an IP address or an mDNS name (x.local) */
    uint16_t port;
    ertc_sdp_candidate_type_t type;
    bool has_related; /* raddr/rport present */
    char related_address[ERTC_SDP_MAX_ADDRESS_LEN + 1];
    uint16_t related_port;
    ertc_sdp_tcptype_t tcptype;
} ertc_sdp_candidate_t;

/* ICE and DTLS parameters of a transport. In an m-line these are the effective values:
 * media-level attributes, or else the session-level ones. Empty strings when absent. */
typedef struct {
    char ice_ufrag[ERTC_SDP_MAX_ICE_UFRAG_LEN + 1];
    char ice_pwd[ERTC_SDP_MAX_ICE_PWD_LEN + 1];
    bool ice_trickle;                                      /* a=ice-options includes "trickle" */
    char fingerprint_hash[ERTC_SDP_MAX_HASH_NAME_LEN + 1]; /* lower case: "sha-256" */
    char fingerprint[ERTC_SDP_MAX_FINGERPRINT_LEN + 1];    /* "AB:CD:..." as written */
    ertc_sdp_setup_t setup;
} ertc_sdp_transport_t;

/* One payload type of an RTP m-line, in the m= line's order (the sender's preference). */
typedef struct {
    uint8_t pt;
    char name[ERTC_SDP_MAX_CODEC_NAME_LEN + 1]; /* as written ("H264", "opus", "OPUS"); "" if
                                                   no rtpmap and not a static type */
    uint32_t clock_rate;                        /* 0 if unknown */
    uint8_t channels;                           /* 0 if the rtpmap gives none */
    char fmtp[ERTC_SDP_MAX_FMTP_LEN + 1];       /* the parameters as written, or "" */
    bool fmtp_too_long;                         /* fmtp text not stored; values below are */
    uint32_t rtcp_fb;                           /* ERTC_SDP_FB_* (wildcard "*" lines included) */
    int16_t apt;                                /* fmtp apt= (RTX, RFC 4588), -1 if none */
    /* fmtp values for H.264 (RFC 6184 §8.1); parsed for any codec that carries them. */
    bool has_profile_level_id;
    uint32_t profile_level_id;  /* 0x42e01f */
    uint8_t packetization_mode; /* 0 when absent (RFC 6184 default) */
    bool level_asymmetry_allowed;
} ertc_sdp_codec_t;

typedef struct {
    uint16_t id; /* 1-255 (RFC 8285) */
    char uri[ERTC_SDP_MAX_URI_LEN + 1];
} ertc_sdp_extmap_t;

typedef struct {
    uint32_t ssrc;
    char cname[ERTC_SDP_MAX_ID_LEN + 1];
    char msid_stream[ERTC_SDP_MAX_ID_LEN + 1]; /* a=ssrc:<n> msid:<stream> <track> */
    char msid_track[ERTC_SDP_MAX_ID_LEN + 1];
} ertc_sdp_ssrc_t;

typedef struct {
    char semantics[16]; /* "FID" (RTX), "SIM", "FEC-FR", ... */
    uint32_t ssrcs[ERTC_SDP_MAX_GROUP_SSRCS];
    uint8_t count;
} ertc_sdp_ssrc_group_t;

typedef struct {
    ertc_sdp_kind_t kind;
    char kind_name[ERTC_SDP_MAX_KIND_NAME_LEN + 1]; /* as written in the m= line */
    uint16_t port;                                  /* 0: rejected, or bundle-only */
    char proto[ERTC_SDP_MAX_PROTO_LEN + 1];         /* "UDP/TLS/RTP/SAVPF" */
    bool rtp;                                       /* proto carries RTP: formats are PTs */
    char first_format[ERTC_SDP_MAX_FORMAT_LEN + 1]; /* first token after proto */
    char mid[ERTC_SDP_MAX_MID_LEN + 1];             /* "" if no a=mid */
    ertc_sdp_direction_t direction;                 /* sendrecv when not written */
    bool rtcp_mux;
    bool rtcp_mux_only;
    bool rtcp_rsize;
    bool bundle_only;
    ertc_sdp_transport_t transport;

    ertc_sdp_codec_t codecs[ERTC_SDP_MAX_FORMATS];
    uint8_t codec_count;
    ertc_sdp_extmap_t extmaps[ERTC_SDP_MAX_EXTMAPS];
    uint8_t extmap_count;
    ertc_sdp_ssrc_t ssrcs[ERTC_SDP_MAX_SSRCS];
    uint8_t ssrc_count;
    ertc_sdp_ssrc_group_t ssrc_groups[ERTC_SDP_MAX_SSRC_GROUPS];
    uint8_t ssrc_group_count;
    char msid_stream[ERTC_SDP_MAX_ID_LEN + 1]; /* first a=msid line; "-" means no stream */
    char msid_track[ERTC_SDP_MAX_ID_LEN + 1];
    ertc_sdp_candidate_t candidates[ERTC_SDP_MAX_CANDIDATES];
    uint8_t candidate_count;
    bool end_of_candidates;

    /* Data channel (RFC 8841), and the older draft form "DTLS/SCTP 5000" + a=sctpmap. */
    bool datachannel;    /* SCTP proto with webrtc-datachannel */
    bool legacy_sctpmap; /* the m= line carries the SCTP port and a=sctpmap */
    uint16_t sctp_port;  /* 0 if not given (RFC 8841 default: 5000) */
    bool has_max_message_size;
    uint32_t max_message_size; /* 0 = no limit (RFC 8841 §6.1); absent means 65536 */

    uint16_t dropped; /* items over a limit, or malformed candidates, not stored */
} ertc_sdp_media_t;

typedef struct {
    char session_id[ERTC_SDP_MAX_SESSION_ID_LEN + 1]; /* o= sess-id, as written */
    uint64_t session_version;
    bool has_bundle;
    char bundle_mids[ERTC_SDP_MAX_MEDIA][ERTC_SDP_MAX_MID_LEN + 1]; /* first BUNDLE group */
    uint8_t bundle_count;
    ertc_sdp_transport_t transport; /* session-level attributes only */
    bool ice_lite;
    bool msid_semantic_wms; /* a=msid-semantic: WMS */
    bool extmap_allow_mixed;
    ertc_sdp_media_t media[ERTC_SDP_MAX_MEDIA];
    uint8_t media_count;
    char error[ERTC_SDP_ERROR_SIZE]; /* why parsing failed; "" on success */
} ertc_sdp_t;

/*
 * Parses text[0..len) into *out (which is overwritten; on failure its content other than
 * error is unspecified). Returns SUCCESS, NULL_ARG, MALFORMED or LIMIT_EXCEEDED.
 */
WEBRTC_STATUS ertc_sdp_parse(const char *text, size_t len, ertc_sdp_t *out);

/*
 * Parses one candidate, as trickled ("candidate:..."), as an SDP attribute
 * ("a=candidate:...") or bare ("<foundation> <component> ..."); a line end is allowed.
 * Returns SUCCESS, NULL_ARG, MALFORMED or LIMIT_EXCEEDED (a field longer than its limit);
 * on failure *out is all zero.
 */
WEBRTC_STATUS ertc_sdp_parse_candidate(const char *line, ertc_sdp_candidate_t *out);
/* The same over a buffer that need not be NUL-terminated. */
WEBRTC_STATUS ertc_sdp_parse_candidate_buf(const char *buf, size_t len, ertc_sdp_candidate_t *out);

/*
 * Writes "candidate:<foundation> <component> udp <priority> <address> <port> typ <type>
 * [raddr <a> rport <p>] [tcptype <t>]" (the trickle form; prefix "a=" for SDP) into buf,
 * NUL-terminated; *out_len (optional) gets the length. Returns SUCCESS, NULL_ARG,
 * INVALID_ARG (a field the parser would refuse) or BUFFER_TOO_SMALL (buf untouched but
 * terminated). ERTC_SDP_CANDIDATE_TEXT_SIZE always suffices.
 */
WEBRTC_STATUS ertc_sdp_format_candidate(const ertc_sdp_candidate_t *c, char *buf, size_t size,
                                        size_t *out_len);

/* Names used in SDP ("sendrecv", "actpass", "host", "udp", "video", ...). */
const char *ertc_sdp_direction_name(ertc_sdp_direction_t d);
const char *ertc_sdp_setup_name(ertc_sdp_setup_t s);
const char *ertc_sdp_candidate_type_name(ertc_sdp_candidate_type_t t);
const char *ertc_sdp_kind_name(ertc_sdp_kind_t k);

/* The codec with payload type pt in m, or NULL. */
const ertc_sdp_codec_t *ertc_sdp_find_codec(const ertc_sdp_media_t *m, uint8_t pt);
/* The m-line with this mid, or NULL. */
const ertc_sdp_media_t *ertc_sdp_find_media(const ertc_sdp_t *sdp, const char *mid);

/*
 * Copies the value of `key` from an fmtp parameter list ("a=1;b=2", keys compared without
 * case) into out (NUL-terminated). Returns SUCCESS, NOT_FOUND, or BUFFER_TOO_SMALL.
 */
WEBRTC_STATUS ertc_sdp_fmtp_get(const char *fmtp, const char *key, char *out, size_t out_size);

/* True for ice-char strings (RFC 8839: ALPHA / DIGIT / "+" / "/") of min..max characters. */
bool ertc_sdp_is_ice_chars(const char *s, size_t min_len, size_t max_len);

#endif
