/*
 * peer/pc_if — edgertc's peer connection (peer/peer_connection) behind the public
 * webrtc_peer_connection_if_t (include/webrtc_peer_connection_if.h,
 * include/edgertc_peer_connection.h). Internal header shared by pc_if.c (the client: the
 * interface table, threads, ICE servers, events) and pc_if_session.c (one session: signaling
 * messages, peer-connection callbacks, media); docs/peer-interface.md describes the whole.
 *
 * Everything here runs on the client's event loop thread.
 */
#ifndef ERTC_PEER_PC_IF_H
#define ERTC_PEER_PC_IF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edgertc_peer_connection.h"
#include "media_stream.h"
#include "peer/cert.h"
#include "peer/media_pump.h"
#include "peer/pc_if_ice.h"
#include "peer/peer_connection.h"
#include "port/loop.h"
#include "port/port.h"
#include "webrtc_peer_connection_if.h"

#define ERTC_PC_IF_MAX_PENDING_CANDS 32          /* remote candidates held until the description */
#define ERTC_PC_IF_MAX_HELD_CANDS    16          /* our candidates written into a non-trickle SDP */
#define ERTC_PC_IF_CLIENT_MAGIC      0x70636966u /* "pcif" */
#define ERTC_PC_IF_SESSION_MAGIC     0x70637373u /* "pcss" */

typedef struct ertc_pc_if_session ertc_pc_if_session_t;

typedef struct {
    uint32_t magic;
    ertc_loop_t *loop;
    bool own_loop;
    ertc_thread_t *loop_thread;

    /* Settings, copied from webrtc_peer_connection_config_t and its peer_connection_cfg. */
    media_stream_video_capture_t *video_capture;
    media_stream_audio_capture_t *audio_capture;
    media_stream_video_player_t *video_player;
    media_stream_audio_player_t *audio_player;
    app_webrtc_streaming_media_t media_type;
    bool trickle_ice;
    bool use_turn;
    bool relay_only;
    bool receive_media;
    ertc_addr_t interfaces[EDGERTC_PC_MAX_INTERFACES];
    size_t interface_count;
    bool include_loopback;
    video_player_config_t video_player_config;
    audio_player_config_t audio_player_config;

    /* DTLS identity, made once per client on a thread of its own at init. */
    ertc_thread_t *cert_thread;
    ertc_cert_t *cert;
    WEBRTC_STATUS cert_status;

    ertc_pc_if_ice_set_t ice;
    ertc_pc_if_resolver_t *resolver;

    app_webrtc_pc_event_handler_t event_handler;

    ertc_media_pump_t *pump;
    bool media_running; /* pump and players started (while sessions exist) */
    video_player_handle_t video_player_handle;
    audio_player_handle_t audio_player_handle;
    bool video_player_on;
    bool audio_player_on;
    /* The session whose received media the players play (the first to send some, until it
     * ends): two remote streams interleaved in one sink would be garbage. */
    uint32_t video_player_owner;
    uint32_t audio_player_owner;

    ertc_pc_if_session_t *sessions; /* live ones */
    size_t session_count;
    ertc_pc_if_session_t *graveyard; /* destroyed, freed by reap_timer */
    ertc_timer_t reap_timer;
    uint32_t next_session_id;
} ertc_pc_if_client_t;

struct ertc_pc_if_session {
    uint32_t magic;
    ertc_pc_if_client_t *client;
    ertc_pc_if_session_t *next;
    uint32_t id;
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    bool is_initiator;
    ertc_pc_t *pc;

    uint64_t custom_data;
    WEBRTC_STATUS (*on_message)(uint64_t, esp_webrtc_signaling_message_t *);
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t);
    ertc_timer_t offer_timer; /* the offer of an initiator, made after set_callbacks returns */

    bool offer_made;
    bool remote_set;
    char *pending_cands[ERTC_PC_IF_MAX_PENDING_CANDS];
    size_t pending_count;
    bool pending_end_of_candidates;

    /* Non-trickle ICE: our description waits for the end of gathering. */
    char *held_sdp;
    size_t held_len;
    bool held_offer;
    char *held_cands[ERTC_PC_IF_MAX_HELD_CANDS];
    size_t held_count;

    ertc_media_sink_t *sink;
    bool streaming; /* STREAMING_STARTED raised */
    bool connected;
    bool ended; /* FAILED / DISCONNECTED raised */
    bool destroyed;
    bool audio_refused_logged;
    bool video_refused_logged;

    edgertc_pc_session_metrics_t metrics;
};

/* pc_if.c */
void ertc_pc_if_raise(ertc_pc_if_client_t *c, app_webrtc_event_t event, uint32_t status,
                      const char *peer_id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Starts the captures and players when the first session appears; stops them with the last. */
void ertc_pc_if_media_update(ertc_pc_if_client_t *c);
/* Waits for the certificate (made at init); the ICE server table in use now. */
WEBRTC_STATUS ertc_pc_if_client_ready(ertc_pc_if_client_t *c);

/* pc_if_session.c (loop thread) */
WEBRTC_STATUS ertc_pc_if_session_create(ertc_pc_if_client_t *c, const char *peer_id,
                                        bool is_initiator, ertc_pc_if_session_t **out);
WEBRTC_STATUS ertc_pc_if_session_set_callbacks(
    ertc_pc_if_session_t *s, uint64_t custom_data,
    WEBRTC_STATUS (*on_message)(uint64_t, esp_webrtc_signaling_message_t *),
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t));
WEBRTC_STATUS ertc_pc_if_session_message(ertc_pc_if_session_t *s,
                                         const esp_webrtc_signaling_message_t *msg);
WEBRTC_STATUS ertc_pc_if_session_offer(ertc_pc_if_session_t *s);
/* Detaches the session (no callback from now on) and queues it for freeing. */
void ertc_pc_if_session_destroy(ertc_pc_if_session_t *s);
/* Frees a detached session (not from inside one of its peer connection's callbacks). */
void ertc_pc_if_session_free(ertc_pc_if_session_t *s);
void ertc_pc_if_session_metrics(ertc_pc_if_session_t *s, edgertc_pc_session_metrics_t *out);
/* The media pump's deliver callback. */
void ertc_pc_if_session_deliver(void *sink_arg, const ertc_media_frame_t *frame, void *arg);

#endif
