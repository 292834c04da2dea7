/*
 * peer/pc_internal — what the files of the peer connection share (private to src/peer/pc_*.c
 * and peer_connection.c; callers use peer_connection.h).
 *
 *   peer_connection.c  state machine, ICE <-> DTLS transport, SRTP start, lifetime, stats
 *   pc_sdp.c           our offer and answer, the remote description, candidates
 *   pc_media.c         RTP: H.264 and Opus send and receive
 *   pc_rtcp.c          RTCP: feedback received, PLI sent
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
#include "peer/peer_connection.h"
#include "peer/rtcp.h"
#include "peer/sdp.h"
#include "peer/srtp.h"

#define PC_TAG           "pc"
#define PC_VIDEO_MID     "0"
#define PC_CNAME_LEN     16
#define PC_MSID_STREAM   "edgertc"
#define PC_MSID_TRACK    "video0"
#define PC_RTCP_BUF      (64 + ERTC_SRTP_RTCP_MAX_TRAILER_LEN)
#define PC_RTP_BUF       (ERTC_PC_VIDEO_MTU + ERTC_SRTP_MAX_TRAILER_LEN)
#define PC_US_PER_SECOND 1000000u

typedef struct {
    uint16_t len;
    uint8_t data[ERTC_PC_MAX_DATAGRAM];
} pc_datagram_t;

struct ertc_pc {
    char name[ERTC_PC_MAX_NAME_LEN + 1];
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_pc_config_t config;
    ertc_pc_callbacks_t cb;
    void *arg;
    ertc_pc_state_t state;

    ertc_ice_agent_t *ice;
    ertc_dtls_t *dtls;
    ertc_srtp_t *srtp;

    /* Signaling progress. */
    bool local_description_sent;
    bool remote_description_set;
    bool ice_connected;
    /* Candidates gathered before our description went out, and whether gathering ended. */
    char (*early_cands)[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    size_t early_cand_count;
    bool early_end_of_candidates;

    /* Negotiated. */
    ertc_dtls_role_t dtls_role;
    uint8_t video_pt;
    uint32_t local_ssrc;
    uint32_t remote_ssrc; /* 0 until the SDP or the first packet tells it */
    char cname[PC_CNAME_LEN + 1];

    /* DTLS datagrams sent before ICE selected a pair (the client's hello may beat it). */
    pc_datagram_t *dtls_queue;
    size_t dtls_queued;

    /* Media. */
    ertc_h264_packetizer_t packetizer;
    ertc_h264_depacketizer_t depacketizer;
    bool depacketizer_ready;
    uint16_t video_seq;
    ertc_rtcp_keyframe_filter_t keyframe_filter;
    uint8_t rx[ERTC_PC_MAX_DATAGRAM];
    uint8_t tx[PC_RTP_BUF];

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
void ertc_pc_media_free(ertc_pc_t *pc);
/* An SRTP packet in pc->rx[0..len). */
void ertc_pc_on_rtp(ertc_pc_t *pc, size_t len);

/* pc_rtcp.c */
/* An SRTCP packet in pc->rx[0..len). */
void ertc_pc_on_rtcp(ertc_pc_t *pc, size_t len);
WEBRTC_STATUS ertc_pc_send_rtcp(ertc_pc_t *pc, uint8_t *buf, size_t len, size_t cap);
WEBRTC_STATUS ertc_pc_send_pli(ertc_pc_t *pc);

#endif
