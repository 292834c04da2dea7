/*
 * peer/sdp_build — writes edgertc's SDP offers and answers (Unified Plan, as Chromium
 * produces and accepts them; see browser-interop.md §5 "SDP").
 *
 * Both carry, per m-line: port 9 with c=IN IP4 0.0.0.0 (candidates trickle or are listed),
 * a=ice-ufrag/ice-pwd, a=ice-options:trickle, a=fingerprint:sha-256, a=setup, a=mid,
 * a=rtcp-mux, the direction, a=msid and a=ssrc cname/msid lines for what we send, and the
 * sdes:mid header extension (RFC 9143 demultiplexing). Video codecs carry rtcp-fb nack,
 * nack pli and ccm fir; H.264 is level-asymmetry-allowed=1;packetization-mode=1;
 * profile-level-id=42e01f; Opus is opus/48000/2 with minptime=10;useinbandfec=1. A data
 * channel m-line is "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" with a=sctp-port and
 * a=max-message-size (RFC 8841).
 *
 * An offer lists every local m-line in one BUNDLE group, a=setup:actpass (RFC 8842 §5.2), our
 * payload type numbers (ERTC_SDP_PT_*), and the candidates (if any) on the first m-line,
 * which the answerer takes as the BUNDLE transport. An answer follows an answer plan from
 * ertc_sdp_negotiate(): every offered m-line in order, rejected ones with port 0, the remote's
 * payload type numbers, the plan's DTLS role, a BUNDLE group of the accepted mids led by the
 * transport's (RFC 8843 §7.3.1), and candidates on that m-line only.
 *
 * Output goes into the caller's buffer; ERTC_SDP_BUILD_BUFFER_SIZE holds any description
 * with up to ERTC_SDP_MAX_CANDIDATES candidates. Builders allocate nothing.
 */
#ifndef ERTC_PEER_SDP_BUILD_H
#define ERTC_PEER_SDP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/sdp.h"
#include "peer/sdp_negotiate.h"

#define ERTC_SDP_BUILD_BUFFER_SIZE        16384
#define ERTC_SDP_DEFAULT_SCTP_PORT        5000
#define ERTC_SDP_DEFAULT_MAX_MESSAGE_SIZE 262144 /* what Chromium offers */

/* Payload types of our offers (answers echo the remote's). */
#define ERTC_SDP_PT_VP8  96
#define ERTC_SDP_PT_H264 102
#define ERTC_SDP_PT_H265 104
#define ERTC_SDP_PT_OPUS 111
#define ERTC_SDP_PT_PCMU 0
#define ERTC_SDP_PT_PCMA 8

/* The sdes:mid extension id of our offers. */
#define ERTC_SDP_MID_EXTMAP_ID 1

/* One local m-line: a track we send and/or receive, or the data channel. */
typedef struct {
    ertc_sdp_kind_t kind;               /* AUDIO, VIDEO, or APPLICATION (data channel) */
    ertc_sdp_direction_t direction;     /* offers only; answers take the plan's */
    char mid[ERTC_SDP_MAX_MID_LEN + 1]; /* offers: "" numbers m-lines "0", "1", ... */
    app_webrtc_rtc_codec_t codecs[ERTC_SDP_MAX_LOCAL_CODECS]; /* offers; preferred first */
    uint8_t codec_count;
    uint32_t ssrc;                             /* the SSRC we send with; 0 declares none */
    char msid_stream[ERTC_SDP_MAX_ID_LEN + 1]; /* "" writes no msid */
    char msid_track[ERTC_SDP_MAX_ID_LEN + 1];
} ertc_sdp_local_media_t;

/* What we are: our transport identity and our m-lines. */
typedef struct {
    uint64_t session_id;      /* o= sess-id: random, below 2^63 (RFC 8866 §5.2) */
    uint64_t session_version; /* o= sess-version: grows with every new description */
    char ice_ufrag[ERTC_SDP_MAX_ICE_UFRAG_LEN + 1];     /* 4-256 ice-chars */
    char ice_pwd[ERTC_SDP_MAX_ICE_PWD_LEN + 1];         /* 22-256 ice-chars */
    char fingerprint[ERTC_SDP_MAX_FINGERPRINT_LEN + 1]; /* SHA-256 of our certificate */
    ertc_sdp_setup_t setup; /* offers: NONE or ACTPASS write actpass; answers use the plan */
    bool ice_lite;
    char cname[ERTC_SDP_MAX_ID_LEN + 1]; /* RTCP CNAME of our SSRCs */
    ertc_sdp_local_media_t media[ERTC_SDP_MAX_MEDIA];
    uint8_t media_count;
    uint16_t sctp_port;                     /* 0: ERTC_SDP_DEFAULT_SCTP_PORT */
    uint32_t max_message_size;              /* 0: ERTC_SDP_DEFAULT_MAX_MESSAGE_SIZE */
    const ertc_sdp_candidate_t *candidates; /* optional; gathered so far */
    size_t candidate_count;
    bool end_of_candidates; /* gathering is complete: write a=end-of-candidates */
} ertc_sdp_local_t;

/*
 * Writes our offer into buf (NUL-terminated; *out_len optional). Returns SUCCESS, NULL_ARG,
 * INVALID_ARG (a value that would make a description peers refuse: ufrag/pwd lengths or
 * characters, fingerprint, mids, ids, kinds, codecs, candidates) or BUFFER_TOO_SMALL.
 */
WEBRTC_STATUS ertc_sdp_build_offer(const ertc_sdp_local_t *local, char *buf, size_t size,
                                   size_t *out_len);

/* Writes our answer to the offer that plan was negotiated from; same statuses. Our SSRC and
 * msid for an m-line come from the first local m-line of the same kind. */
WEBRTC_STATUS ertc_sdp_build_answer(const ertc_sdp_local_t *local,
                                    const ertc_sdp_answer_plan_t *plan, char *buf, size_t size,
                                    size_t *out_len);

/* Negotiation capabilities that match local: each kind's first m-line gives its direction
 * and codecs; an APPLICATION m-line enables data channels. */
void ertc_sdp_local_caps(const ertc_sdp_local_t *local, ertc_sdp_local_caps_t *caps);

#endif
