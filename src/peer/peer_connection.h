/*
 * peer/peer_connection — one WebRTC peer connection built from the peer/ modules: SDP offer
 * and answer (sdp, sdp_negotiate, sdp_build), one ICE agent for the BUNDLE transport
 * (ice_agent), DTLS-SRTP (dtls, srtp; RFC 5763/5764), H.264 video over RTP (RFC 6184:
 * h264_packetizer, h264_depacketizer) and the RTCP key-frame feedback (RFC 4585 PLI,
 * RFC 5104 FIR).
 *
 * Media: one video track (H.264, Constrained Baseline, packetization-mode 1) and one audio
 * track (Opus 48000/2), each sent and/or received as the config says, BUNDLEd on one
 * transport (video mid "0" first, audio next). A remote offer may carry either or both; an
 * offer with nothing in common fails the connection with a detail naming what was offered.
 * RTCP: SR for what we send, RR for what we receive, SDES CNAME, every ~rtcp_interval_ms
 * (randomized 0.5-1.5x, RFC 3550 §6.3.1); RTT from the remote's LSR/DLSR. Video NACK both
 * ways (generic NACK, plain retransmission from a bounded history, no RTX), PLI on loss the
 * NACKs cannot repair, PLI/FIR received -> on_keyframe_request. No data channel yet.
 *
 * Signaling is the caller's: our description comes out through on_local_description, our
 * trickled candidates through on_local_candidate (a NULL line is end-of-candidates, always
 * reported after the description), and the remote's go in with
 * ertc_pc_set_remote_description and ertc_pc_add_remote_candidate.
 *
 * Roles: the offerer is ICE-controlling (RFC 8445 §6.1.1) and offers a=setup:actpass; the
 * answer decides the DTLS role (RFC 8842: we answer actpass with active, so the answerer is
 * the DTLS client and sends its ClientHello as soon as ICE connects).
 *
 * The state machine (ertc_pc_state_t):
 *     NEW -(local or remote description)-> CONNECTING -(SRTP keys ready)-> CONNECTED
 *     any -(ICE or DTLS failure)-> FAILED;  any -(ertc_pc_close)-> CLOSED
 * FAILED and CLOSED are final.
 *
 * Threads: every function runs on the loop's thread. Callbacks may call any function of
 * this peer connection except ertc_pc_free (free it later, e.g. from a posted call).
 */
#ifndef ERTC_PEER_PEER_CONNECTION_H
#define ERTC_PEER_PEER_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/cert.h"
#include "peer/ice_agent.h"
#include "port/loop.h"
#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_PC_MAX_NAME_LEN     31
#define ERTC_PC_VIDEO_MTU        1200 /* largest RTP packet we send, SRTP tag included */
#define ERTC_PC_MAX_DATAGRAM     1500 /* largest datagram we accept or send */
#define ERTC_PC_DTLS_QUEUE       8    /* DTLS datagrams held until ICE selects a pair */
#define ERTC_PC_MAX_EARLY_CANDS  ERTC_SDP_MAX_CANDIDATES /* held until the description is out */
#define ERTC_PC_DETAIL_SIZE      512  /* the detail of FAILED (a refused offer names its codecs) */
#define ERTC_PC_RTCP_INTERVAL_MS 1000 /* default report interval */
#define ERTC_PC_PLI_INTERVAL_MS  500  /* at most one PLI on loss per this */
#define ERTC_PC_TEST_MAX_DROPS   64

typedef struct ertc_pc ertc_pc_t;

typedef enum {
    ERTC_PC_ROLE_OFFERER = 0,
    ERTC_PC_ROLE_ANSWERER,
} ertc_pc_role_t;

typedef enum {
    ERTC_PC_STATE_NEW = 0,
    ERTC_PC_STATE_CONNECTING,
    ERTC_PC_STATE_CONNECTED,
    ERTC_PC_STATE_FAILED,
    ERTC_PC_STATE_CLOSED,
} ertc_pc_state_t;

typedef enum {
    ERTC_PC_SDP_OFFER = 0,
    ERTC_PC_SDP_ANSWER,
} ertc_pc_sdp_type_t;

typedef struct {
    const char *name; /* for logs ("peer-1"); NULL = "pc" */
    ertc_pc_role_t role;
    bool send_video;    /* we send H.264 */
    bool receive_video; /* we receive H.264 */
    bool send_audio;    /* we send Opus */
    bool receive_audio; /* we receive Opus */
    /* ICE: STUN servers (with ports) and local addresses; see ertc_ice_config_t. */
    ertc_addr_t stun_servers[ERTC_ICE_MAX_STUN_SERVERS];
    size_t stun_server_count;
    ertc_ice_turn_server_t turn_servers[ERTC_ICE_MAX_TURN_SERVERS];
    size_t turn_server_count;
    bool relay_only;
    ertc_addr_t interfaces[ERTC_ICE_MAX_INTERFACES]; /* 0 = every IPv4 interface */
    size_t interface_count;
    bool include_loopback;     /* tests */
    uint32_t rtcp_interval_ms; /* 0 = ERTC_PC_RTCP_INTERVAL_MS */
    /* Sent video kept for NACK resends, for up to 1 s (when NACK is negotiated); 0 = the
     * nack_history defaults (256 packets, 256 KiB). The bytes grow with the bitrate up to
     * this budget (about bitrate x 1 s); a small device may want ~128 KiB. */
    size_t video_history_packets;
    size_t video_history_bytes;
} ertc_pc_config_t;

typedef struct {
    ertc_pc_sdp_type_t type;
    const char *sdp;
    size_t len;
} ertc_pc_description_t;

typedef struct {
    /* Our offer or answer, to send to the remote. */
    void (*on_local_description)(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg);
    /* One local candidate ("candidate:..."); NULL = end-of-candidates. */
    void (*on_local_candidate)(ertc_pc_t *pc, const char *line, void *arg);
    /* detail: why (FAILED), or NULL. */
    void (*on_state)(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg);
    /* A whole received access unit, Annex-B with 4-byte start codes; valid during the call. */
    void (*on_video_frame)(ertc_pc_t *pc, const uint8_t *annexb, size_t len, uint32_t rtp_timestamp,
                           bool is_keyframe, void *arg);
    /* One received Opus packet (RFC 7587); valid during the call. */
    void (*on_audio_frame)(ertc_pc_t *pc, const uint8_t *opus, size_t len, uint32_t rtp_timestamp,
                           void *arg);
    /* The remote asked for a key frame (PLI, or FIR with a new sequence number). */
    void (*on_keyframe_request)(ertc_pc_t *pc, void *arg);
} ertc_pc_callbacks_t;

typedef struct {
    uint64_t video_frames_sent;
    uint64_t video_frames_dropped; /* ertc_pc_send_video_frame before CONNECTED */
    uint64_t rtp_packets_sent;
    uint64_t rtp_packets_received;
    uint64_t rtcp_packets_received;
    uint64_t srtp_drops;      /* failed unprotect (auth, replay, malformed) */
    uint64_t unknown_dropped; /* datagrams of no known kind, or before keys */
    uint64_t video_frames_received;
    uint64_t keyframe_requests_sent;
    uint64_t keyframe_requests_received;
    uint64_t dtls_queued; /* DTLS datagrams held until ICE selected a pair */

    uint64_t audio_frames_sent;    /* Opus packets */
    uint64_t audio_frames_dropped; /* ertc_pc_send_audio_frame before CONNECTED */
    uint64_t audio_frames_received;
    uint64_t audio_packets_lost; /* audio sequence numbers missing on arrival */
    uint64_t video_packets_sent;
    uint64_t audio_packets_sent;
    uint64_t video_packets_received;
    uint64_t audio_packets_received;
    uint64_t bytes_sent;     /* SRTP and SRTCP datagrams, as sent */
    uint64_t bytes_received; /* SRTP and SRTCP datagrams, as received */
    uint64_t rtcp_packets_sent;
    uint64_t sr_sent;
    uint64_t rr_sent;
    uint64_t sr_received;
    uint64_t rr_received;       /* RR packets and SR report blocks about our SSRCs */
    uint64_t nacks_sent;        /* NACK packets */
    uint64_t nack_seqs_sent;    /* sequence numbers asked for, retries included */
    uint64_t nacks_received;    /* NACK packets */
    uint64_t packets_resent;    /* retransmissions answering NACKs */
    uint64_t resend_missing;    /* NACKed packets no longer (or never) in the history */
    uint64_t packets_recovered; /* missing video packets that arrived later */
    uint64_t packets_lost;      /* video sequence numbers given up on */
    bool has_rtt;
    uint32_t rtt_ms; /* latest, from an RR/SR block about our SSRC (RFC 3550 §6.4.1) */
    /* ertc_time_mono_us at creation, when the remote description was applied, when ICE first
     * had a working pair (the agent's CONNECTED or COMPLETED), and when DTLS-SRTP came up
     * (0 = not yet): "offer received to DTLS connected" is connected_us -
     * remote_description_us on the answerer, and ice_connected_us <= connected_us. */
    uint64_t created_us;
    uint64_t remote_description_us;
    uint64_t ice_connected_us;
    uint64_t connected_us;
} ertc_pc_stats_t;

/* Sets defaults: answerer, send and receive video, no STUN server, every interface. */
void ertc_pc_config_init(ertc_pc_config_t *config);

/* Creates the connection and starts ICE gathering (candidates are held until our
 * description has been reported). cert: our DTLS certificate (a reference is taken). */
WEBRTC_STATUS ertc_pc_create(ertc_loop_t *loop, ertc_cert_t *cert, const ertc_pc_config_t *config,
                             const ertc_pc_callbacks_t *callbacks, void *arg, ertc_pc_t **out);

/* Offerer only: builds our offer and reports it through on_local_description. */
WEBRTC_STATUS ertc_pc_create_offer(ertc_pc_t *pc);

/* An offer (answerer: negotiated, and our answer reported through on_local_description) or
 * the answer to our offer (offerer: payload types, directions, NACK and the DTLS role are
 * taken from it). Returns MALFORMED / NOT_FOUND (no common codec) / INVALID_OPERATION (wrong
 * type for our role or state). SDP that does not parse is only refused (the reason is
 * logged); a description that parses but cannot be used (no common codec, a bad transport, an
 * answer with a codec we did not offer) also moves the connection to FAILED, with a detail
 * naming what was offered ("offer has no codec edgertc can use: video offered VP8/90000, ..."),
 * through on_state and ertc_pc_failure_detail. */
WEBRTC_STATUS ertc_pc_set_remote_description(ertc_pc_t *pc, ertc_pc_sdp_type_t type,
                                             const char *sdp, size_t len);

/* A trickled remote candidate ("candidate:...", "a=candidate:..."); NULL or "" =
 * end-of-candidates. */
WEBRTC_STATUS ertc_pc_add_remote_candidate(ertc_pc_t *pc, const char *line);

/* Sends one Annex-B access unit; timestamp_us becomes the 90 kHz RTP timestamp.
 * RETRY_LATER (the frame is dropped and counted) before CONNECTED, CLOSED after. */
WEBRTC_STATUS ertc_pc_send_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len,
                                       uint64_t timestamp_us);

/* Sends one Opus packet (20 ms at 48 kHz unless the packet says otherwise); timestamp_us
 * becomes the 48 kHz RTP timestamp. RETRY_LATER before CONNECTED, CLOSED after,
 * INVALID_OPERATION when audio is not negotiated for sending. */
WEBRTC_STATUS ertc_pc_send_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len,
                                       uint64_t timestamp_us);

/* Receiver: sends a PLI for the remote's video SSRC. RETRY_LATER before CONNECTED. */
WEBRTC_STATUS ertc_pc_request_keyframe(ertc_pc_t *pc);

/* Sends DTLS close_notify and stops; the state becomes CLOSED. */
void ertc_pc_close(ertc_pc_t *pc);
/* Closes if needed and frees. Not from inside a callback. NULL is fine. */
void ertc_pc_free(ertc_pc_t *pc);

ertc_pc_state_t ertc_pc_state(const ertc_pc_t *pc);
/* Why the connection FAILED (the detail on_state reported), "" otherwise; never NULL. */
const char *ertc_pc_failure_detail(const ertc_pc_t *pc);
const char *ertc_pc_state_name(ertc_pc_state_t state);
void ertc_pc_get_stats(const ertc_pc_t *pc, ertc_pc_stats_t *out);

/* What was negotiated; all false before the remote description. */
typedef struct {
    bool send_video;
    bool receive_video;
    bool send_audio;
    bool receive_audio;
    uint8_t video_pt; /* the payload types on the wire */
    uint8_t audio_pt;
    bool video_nack; /* NACK negotiated for video */
    bool dtls_client;
} ertc_pc_media_info_t;
void ertc_pc_get_media_info(const ertc_pc_t *pc, ertc_pc_media_info_t *out);

/* Test hook: after `skip` more outgoing RTP packets, drops the next `count` (up to
 * ERTC_PC_TEST_MAX_DROPS) before they reach the socket, as a lossy path would; with
 * drop_resends their retransmissions are dropped too (loss NACK cannot repair). */
void ertc_pc_test_drop_rtp(ertc_pc_t *pc, uint32_t skip, uint32_t count, bool drop_resends);

#endif
