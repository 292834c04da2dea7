/*
 * peer/pc_internal — what the files of the peer connection share (private to src/peer/pc_*.c
 * and peer_connection.c; callers use peer_connection.h).
 *
 *   peer_connection.c  state machine, ICE <-> DTLS transport, SRTP start, lifetime, stats
 *   pc_sdp.c           our offer and answer, the remote description, candidates
 *   pc_media.c         RTP: H.264 and Opus send and receive
 *   pc_rtcp.c          RTCP: SR/RR/SDES reports, RTT, NACK and PLI both ways
 *
 * Every function runs on the loop's thread.
 */
#ifndef ERTC_PEER_PC_INTERNAL_H
#define ERTC_PEER_PC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/dtls.h"
#include "peer/h264_depacketizer.h"
#include "peer/h264_packetizer.h"
#include "peer/nack_history.h"
#include "peer/opus_rtp.h"
#include "peer/peer_connection.h"
#include "peer/rtcp.h"
#include "peer/rtp_receiver_stats.h"
#include "peer/sdp.h"
#include "peer/srtp.h"

#define PC_TAG           "pc"
#define PC_CNAME_LEN     16
#define PC_MSID_STREAM   "edgertc"
#define PC_MSID_VIDEO    "video0"
#define PC_MSID_AUDIO    "audio0"
#define PC_RTCP_BUF      (ERTC_RTCP_MAX_PACKET_LEN + ERTC_SRTP_RTCP_MAX_TRAILER_LEN)
#define PC_RTP_BUF       (ERTC_PC_VIDEO_MTU + ERTC_SRTP_MAX_TRAILER_LEN)
#define PC_US_PER_SECOND 1000000u
#define PC_RTP_HEADER    12 /* what we send: no CSRC, no extension */

typedef struct {
    uint16_t len;
    uint8_t data[ERTC_PC_MAX_DATAGRAM];
} pc_datagram_t;

/* One stream we send (our video or audio SSRC). */
typedef struct {
    bool enabled; /* negotiated for sending */
    uint8_t pt;
    uint32_t ssrc;
    uint32_t clock_rate;
    uint16_t seq;
    uint32_t ts_offset; /* random start of the RTP clock (RFC 3550 §5.1) */
    char mid[ERTC_SDP_MAX_MID_LEN + 1];
    /* For sender reports: the last packet's RTP timestamp and when it went out. */
    bool sent_any;
    uint32_t last_rtp_ts;
    uint64_t last_send_us; /* ertc_time_mono_us */
    uint32_t packet_count;
    uint32_t octet_count; /* payload bytes (RFC 3550 §6.4.1) */
    /* The remote NACKs this stream: packets are kept (before SRTP) for resending. */
    bool nack;
    bool history_ready;
    ertc_nack_history_t history;
} pc_send_stream_t;

/* One stream we receive. */
typedef struct {
    bool enabled; /* negotiated for receiving */
    uint8_t pt;
    uint32_t ssrc; /* 0 until the SDP or the first packet tells it */
    uint32_t clock_rate;
    bool stats_started;
    ertc_rtp_receiver_stats_t stats;
    bool nack; /* we NACK its gaps (the remote offered/answered rtcp-fb nack) */
    ertc_nack_generator_t *nackgen; /* allocated when nack is negotiated */
} pc_recv_stream_t;

struct ertc_pc {
    char name[ERTC_PC_MAX_NAME_LEN + 1];
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_pc_config_t config;
    ertc_pc_callbacks_t cb;
    void *arg;
    ertc_pc_state_t state;
    char failure[ERTC_PC_DETAIL_SIZE]; /* the detail of FAILED, "" otherwise */

    ertc_ice_agent_t *ice;
    ertc_dtls_t *dtls;
    ertc_srtp_t *srtp;

    /* Signaling progress. */
    bool local_description_sent;
    bool remote_description_set;
    bool ice_connected;
    /* Candidates gathered before our description went out, and whether gathering ended
     * (freed once the description is out). */
    char (*early_cands)[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    size_t early_cand_count;
    bool early_end_of_candidates;

    /* Negotiated. */
    ertc_dtls_role_t dtls_role;
    char cname[PC_CNAME_LEN + 1];
    pc_send_stream_t video_tx;
    pc_send_stream_t audio_tx;
    pc_recv_stream_t video_rx;
    pc_recv_stream_t audio_rx;

    /* DTLS datagrams sent before ICE selected a pair (the client's hello may beat it);
     * allocated when first needed, freed when ICE connects. */
    pc_datagram_t *dtls_queue;
    size_t dtls_queued;

    /* Media. */
    ertc_h264_packetizer_t packetizer;
    ertc_h264_depacketizer_t depacketizer;
    bool depacketizer_ready;
    ertc_opus_depacketizer_t opus_depacketizer;
    ertc_rtcp_keyframe_filter_t keyframe_filter;
    uint8_t rx[ERTC_PC_MAX_DATAGRAM];
    uint8_t tx[PC_RTP_BUF];

    /* RTCP. */
    ertc_timer_t rtcp_timer;     /* SR/RR every ~interval */
    ertc_timer_t feedback_timer; /* NACK retries while packets are missing */
    uint64_t last_pli_ms;
    bool pli_sent_once;

    /* Test hook: outgoing RTP packets to drop. */
    uint32_t drop_skip;
    uint32_t drop_count;
    bool drop_resends;
    uint16_t dropped_seqs[ERTC_PC_TEST_MAX_DROPS];
    size_t dropped_seq_count;

    ertc_pc_stats_t stats;
};

/* peer_connection.c */
bool ertc_pc_is_final(ertc_pc_state_t s);
/* The only place the state changes: refuses transitions out of a final state and back. */
void ertc_pc_set_state(ertc_pc_t *pc, ertc_pc_state_t next, const char *detail);
void ertc_pc_emit_candidate(ertc_pc_t *pc, const char *line);
void ertc_pc_start_dtls_if_ready(ertc_pc_t *pc);
/* Remote transport parameters, from the plan or the answer; creates the DTLS session. */
WEBRTC_STATUS ertc_pc_apply_transport(ertc_pc_t *pc, const char *ufrag, const char *pwd,
                                      const char *fp_hash, const char *fp, ertc_dtls_role_t role);

/* pc_media.c */
WEBRTC_STATUS ertc_pc_media_init(ertc_pc_t *pc);
/* After negotiation: allocates what the negotiated streams need (resend history, NACK). */
WEBRTC_STATUS ertc_pc_media_start(ertc_pc_t *pc);
void ertc_pc_media_free(ertc_pc_t *pc);
/* An SRTP packet in pc->rx[0..len). */
void ertc_pc_on_rtp(ertc_pc_t *pc, size_t len);
/* The NACK generator gave up on video packets: flush the depacketizer (the frames after the
 * gap are released or dropped) and ask for a key frame if frames were damaged. */
void ertc_pc_video_gave_up(ertc_pc_t *pc);
/* Resends one stored packet of `s` (a NACK asked for it); false when it is not stored. */
bool ertc_pc_resend(ertc_pc_t *pc, pc_send_stream_t *s, uint16_t seq);

/* pc_rtcp.c */
void ertc_pc_rtcp_init(ertc_pc_t *pc);
/* Starts the report timer (at CONNECTED). */
void ertc_pc_rtcp_start(ertc_pc_t *pc);
void ertc_pc_rtcp_stop(ertc_pc_t *pc);
/* An SRTCP packet in pc->rx[0..len). */
void ertc_pc_on_rtcp(ertc_pc_t *pc, size_t len);
WEBRTC_STATUS ertc_pc_send_rtcp(ertc_pc_t *pc, uint8_t *buf, size_t len, size_t cap);
WEBRTC_STATUS ertc_pc_send_pli(ertc_pc_t *pc);
/* The video receiver lost packets it cannot repair: a PLI, at most one per
 * ERTC_PC_PLI_INTERVAL_MS. */
void ertc_pc_request_keyframe_on_loss(ertc_pc_t *pc);
/* Sends NACKs for the video stream's missing packets that are due. */
void ertc_pc_send_due_nacks(ertc_pc_t *pc);

#endif
