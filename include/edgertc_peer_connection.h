/*
 * edgertc_peer_connection.h — edgertc's own peer connection behind
 * webrtc_peer_connection_if_t (SDP, ICE, DTLS-SRTP, RTP/RTCP for H.264 and Opus), and what
 * it offers beyond the interface: an optional implementation configuration and per-session
 * metrics.
 *
 *   app_webrtc_config_t cfg = WEBRTC_APP_CONFIG_DEFAULT();
 *   cfg.peer_connection_if = edgertc_peer_connection_if_get();   // or NULL: the same
 *   edgertc_peer_connection_config_t pc = EDGERTC_PEER_CONNECTION_CONFIG_DEFAULT();
 *   pc.interfaces[0] = "10.77.0.1"; pc.interface_count = 1;
 *   cfg.implementation_config = &pc;                              // optional
 *
 * Threads: the members run on the event loop given in webrtc_peer_connection_config_t
 * (event_loop); called from another thread they are run there and waited for. Without an
 * event loop the client runs one on a thread of its own, and its callbacks come from that
 * thread. Media is pulled from the capture interfaces on threads of the client's.
 * docs/peer-interface.md describes the binding: events, media flow, ownership.
 */
#ifndef EDGERTC_PEER_CONNECTION_H
#define EDGERTC_PEER_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media_stream.h"
#include "webrtc_peer_connection_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERTC_PC_MAX_INTERFACES 4

/* The table app_webrtc drives. Data-channel members return WEBRTC_STATUS_NOT_IMPLEMENTED
 * (send_data_channel_message: NULL_ARG for an empty message, as the interface says). */
webrtc_peer_connection_if_t *edgertc_peer_connection_if_get(void);

/*
 * Optional, passed as webrtc_peer_connection_config_t.peer_connection_cfg (app_webrtc's
 * implementation_config); NULL = every default. Copied by init.
 */
typedef struct {
    /* Local IPv4/IPv6 addresses ICE binds to ("10.77.0.1"); none = every IPv4 interface. */
    const char *interfaces[EDGERTC_PC_MAX_INTERFACES];
    size_t interface_count;
    bool include_loopback; /* with no interfaces listed: also 127.0.0.1 (tests) */
    /* Configurations for the media interfaces' init; NULL = H.264 640x480 30 fps 1000 kbps,
     * Opus 48 kHz stereo 20 ms, and players of the same formats. */
    video_capture_config_t *video_capture_config;
    audio_capture_config_t *audio_capture_config;
    video_player_config_t *video_player_config;
    audio_player_config_t *audio_player_config;
    /* Per-session send queue: frames and bytes (0 = 32 frames, 512 KiB). A peer whose
     * network cannot keep up loses frames here, never the capture. */
    uint32_t send_queue_frames;
    uint32_t send_queue_bytes;
} edgertc_peer_connection_config_t;

#define EDGERTC_PEER_CONNECTION_CONFIG_DEFAULT()                                                   \
    {                                                                                              \
        .interface_count = 0, .include_loopback = false, .send_queue_frames = 0,                   \
        .send_queue_bytes = 0                                                                      \
    }

/*
 * Per-session metrics (issue 6). Times are monotonic microseconds (the same clock for every
 * field, so differences are durations); 0 = not happened (yet), or not measurable yet (see
 * the field).
 */
typedef struct {
    uint64_t created_us;        /* create_session */
    uint64_t offer_received_us; /* remote offer handed to send_message */
    uint64_t offer_sent_us;     /* our offer given to on_message_received */
    uint64_t answer_received_us;
    uint64_t answer_sent_us;
    uint64_t first_local_candidate_us; /* first candidate of ours sent */
    uint64_t first_remote_candidate_us;
    uint64_t ice_connected_us;     /* ICE has a working candidate pair (the agent's
                                      CONNECTED); DTLS starts then, so <= dtls_connected_us */
    uint64_t dtls_connected_us;    /* DTLS done, SRTP keys ready: state CONNECTED */
    uint64_t streaming_started_us; /* STREAMING_STARTED: the session's send queue exists */
    uint64_t first_video_frame_sent_us;
    uint64_t first_key_frame_sent_us;
    uint64_t first_audio_frame_sent_us;
    uint64_t first_video_frame_received_us;
    uint64_t first_audio_frame_received_us;
    uint64_t ended_us; /* FAILED, closed, or destroyed */

    uint64_t video_frames_sent;
    uint64_t video_bytes_sent; /* H.264 bytes handed to RTP (headers not counted) */
    uint64_t audio_frames_sent;
    uint64_t audio_bytes_sent;
    uint64_t video_frames_dropped; /* by the send queue (slow peer) or refused by RTP */
    uint64_t audio_frames_dropped;
    uint64_t rtp_packets_sent;
    uint64_t rtp_packets_received;
    uint64_t rtcp_packets_received;
    uint64_t video_frames_received;
    uint64_t video_bytes_received;
    uint64_t audio_frames_received;
    uint64_t audio_bytes_received;
    uint64_t keyframe_requests_received; /* PLI/FIR from the remote */
    uint64_t keyframe_requests_sent;
    uint64_t srtp_drops;
    uint64_t bytes_sent;     /* SRTP/SRTCP datagrams as sent (headers included) */
    uint64_t bytes_received; /* SRTP/SRTCP datagrams as received */
    uint64_t rtcp_packets_sent;
    uint64_t nacks_received;
    uint64_t packets_resent; /* retransmissions answering NACKs */
    uint64_t packets_lost;   /* received RTP sequence numbers given up on */
    int32_t rtt_ms;          /* round-trip time from RTCP reports; -1 until measured */
} edgertc_pc_session_metrics_t;

/* Fills *out for a session of edgertc's peer connection (the pSession of create_session).
 * Any thread. NULL_ARG for NULL arguments. */
WEBRTC_STATUS edgertc_peer_connection_get_metrics(void *pSession,
                                                  edgertc_pc_session_metrics_t *out);

/* The session's peer id (valid while the session lives), or NULL. */
const char *edgertc_peer_connection_session_peer_id(void *pSession);

#ifdef __cplusplus
}
#endif

#endif
