/*
 * app_webrtc.h — the application API: configure a signaling backend and media, run, and
 * receive events. This is the seed's API (CUSTOM_SIGNALING.md, API_USAGE of the ESP port).
 *
 *     app_webrtc_config_t cfg = WEBRTC_APP_CONFIG_DEFAULT();
 *     cfg.signaling_client_if = apprtc_signaling_client_if_get();
 *     cfg.signaling_cfg = &apprtc_cfg;
 *     cfg.video_capture = media_stream_get_video_capture_if();
 *     app_webrtc_init(&cfg);
 *     app_webrtc_run();            // blocks until app_webrtc_terminate()
 *
 * Every function may be called from any thread. The event callback runs on app_webrtc's loop
 * thread (INITIALIZED: on app_webrtc_init's caller) and must not block; it must not call
 * app_webrtc_terminate (post that elsewhere). docs/app.md describes sessions, events,
 * reconnect and ICE servers.
 */
#ifndef APP_WEBRTC_H
#define APP_WEBRTC_H

#include <stdbool.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "esp_log.h"
#include "esp_work_queue.h"
#include "media_stream.h"
#include "webrtc_peer_connection_if.h"
#include "webrtc_signaling_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define APP_WEBRTC_DEFAULT_MAX_SESSIONS 2
#define APP_WEBRTC_MAX_SESSIONS_LIMIT   32 /* largest max_sessions accepted */
/* A session we offered (viewer role, trigger_offer) that gets no answer within this many
 * seconds fails (PEER_CONNECTION_FAILED, status TIMEOUT) and is closed; in the VIEWER role a
 * fresh offer goes to the same peer after 15, 30, then every 60 s (docs/app.md). */
#define APP_WEBRTC_DEFAULT_ANSWER_TIMEOUT_S 15
#define APP_WEBRTC_MAX_ANSWER_TIMEOUT_S     3600 /* largest answer_timeout_s accepted */
/* This many AUTH_FAILED errors from the signaling backend in a row (no CONNECTED between)
 * end app_webrtc_run, which returns WEBRTC_STATUS_SIGNALING_AUTH_FAILED after a
 * SIGNALING_ERROR event saying so. Earlier ones are retried like any failed attempt. */
#define APP_WEBRTC_AUTH_FAILURES_MAX 5

/* ---- per-session metrics (edgertc addition) ------------------------------------------------ */
/*
 * What app_webrtc knows about one session. Times are wall-clock microseconds since 1970
 * (0 = not yet). app_webrtc fills the times it sees itself (signaling messages, peer states,
 * events the peer connection raises); the peer connection's own figures (ICE connected, first
 * frames, bytes, packets, RTT) come from a metrics provider (app_webrtc_set_metrics_provider).
 * Without one, ice_connected_us is the time the peer reported CONNECTED (ICE and DTLS are both
 * up by then), so it is an upper bound, and the counters stay 0.
 */
typedef struct {
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    bool initiator;            /* we made the offer (viewer role) */
    webrtc_peer_state_t state; /* last state the peer connection reported */
    uint64_t created_us;
    uint64_t offer_received_us;
    uint64_t offer_sent_us;
    uint64_t answer_received_us;
    uint64_t answer_sent_us;
    uint64_t first_local_candidate_us;  /* first candidate sent */
    uint64_t first_remote_candidate_us; /* first candidate received */
    uint64_t ice_connected_us;
    uint64_t dtls_connected_us;
    uint64_t streaming_started_us;
    uint64_t first_video_frame_sent_us;
    uint64_t first_key_frame_sent_us;
    uint64_t closed_us;
    uint32_t local_candidates;
    uint32_t remote_candidates;
    uint64_t bytes_sent;
    uint64_t bytes_received;
    uint64_t packets_sent;
    uint64_t packets_received;
    uint32_t rtt_ms; /* last round-trip time (RTCP); 0 = unknown */
} app_webrtc_session_metrics_t;

/*
 * Hook for the peer-connection implementation's own figures: called on app_webrtc's loop
 * thread with the session handle create_session returned; it writes the fields it knows
 * (non-zero values replace app_webrtc's). See docs/app.md.
 */
typedef WEBRTC_STATUS (*app_webrtc_metrics_provider_t)(void *pSession,
                                                       app_webrtc_session_metrics_t *metrics);

/* ---- events ------------------------------------------------------------------------------- */
typedef struct {
    app_webrtc_event_t event_id;
    uint32_t status_code;                                     /* 0 = ok, else a WEBRTC_STATUS */
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1]; /* "" when not about a peer */
    char message[256];
    /* edgertc additions */
    uint64_t timestamp_us; /* wall clock when raised, microseconds since 1970 */
    /* The session's metrics when the event is about a session, else NULL; valid during the
     * callback only. */
    const app_webrtc_session_metrics_t *metrics;
} app_webrtc_event_data_t;

typedef void (*app_webrtc_event_callback_t)(app_webrtc_event_data_t *event_data, void *user_ctx);
typedef int (*app_webrtc_send_msg_cb_t)(webrtc_message_t *msg);

/* ---- configuration -------------------------------------------------------------------------- */
typedef struct {
    /* Signaling: the backend's interface table and its configuration (required; the
     * configuration is the caller's and must outlive app_webrtc_terminate). */
    webrtc_signaling_client_if_t *signaling_client_if;
    void *signaling_cfg;

    /* Peer connection: NULL = edgertc's own stack. */
    webrtc_peer_connection_if_t *peer_connection_if;
    void *implementation_config; /* passed to the peer connection as peer_connection_cfg */

    webrtc_signaling_channel_role_type_t role_type; /* MASTER answers, VIEWER offers */
    bool trickleIce;
    bool useTurn;
    uint32_t logLevel;   /* 1 verbose, 2 debug, 3 info, 4 warn, 5 error, 7 silent */
    bool signaling_only; /* no media: messages go to the peer connection's bridge path */
    app_webrtc_rtc_codec_t audioCodec;
    app_webrtc_rtc_codec_t videoCodec;
    app_webrtc_streaming_media_t mediaType;

    /* Media (NULL = none). */
    media_stream_video_capture_t *video_capture;
    media_stream_audio_capture_t *audio_capture;
    media_stream_video_player_t *video_player;
    media_stream_audio_player_t *audio_player;
    bool receive_media;

    webrtc_data_channel_config_t *data_channel_config; /* optional */

    /* edgertc additions */
    /* Concurrent peers; 0 = APP_WEBRTC_DEFAULT_MAX_SESSIONS, at most
     * APP_WEBRTC_MAX_SESSIONS_LIMIT. A peer beyond it is refused with
     * APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED (status LIMIT_EXCEEDED) and a BYE message. */
    uint32_t max_sessions;
    /* ICE servers of the application's own, used besides the backend's (may be NULL). */
    const app_webrtc_ice_server_t *ice_servers;
    uint32_t ice_server_count;
    /* When neither the application nor the backend gives an ICE server, use
     * APP_WEBRTC_DEFAULT_STUN_SERVER. Set false to never contact it. */
    bool use_default_stun;
    bool relay_only; /* use relayed (TURN) candidates only */
    /* Seconds a session we offered waits for its answer; 0 = APP_WEBRTC_DEFAULT_ANSWER_TIMEOUT_S,
     * at most APP_WEBRTC_MAX_ANSWER_TIMEOUT_S. A session that got its answer is left to the
     * peer connection's own ICE and DTLS timeouts. */
    uint32_t answer_timeout_s;
} app_webrtc_config_t;

#define WEBRTC_APP_CONFIG_DEFAULT()                                                                \
    {                                                                                              \
        .signaling_client_if = NULL, .signaling_cfg = NULL, .peer_connection_if = NULL,            \
        .implementation_config = NULL, .role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER,     \
        .trickleIce = true, .useTurn = true, .logLevel = 3, .signaling_only = false,               \
        .audioCodec = APP_WEBRTC_CODEC_OPUS, .videoCodec = APP_WEBRTC_CODEC_H264,                  \
        .mediaType = APP_WEBRTC_MEDIA_AUDIO_VIDEO, .video_capture = NULL, .audio_capture = NULL,   \
        .video_player = NULL, .audio_player = NULL, .receive_media = false,                        \
        .data_channel_config = NULL, .max_sessions = 0, .ice_servers = NULL,                       \
        .ice_server_count = 0, .use_default_stun = true, .relay_only = false,                      \
        .answer_timeout_s = 0                                                                      \
    }
/* The newer ESP-port spelling. */
#define APP_WEBRTC_CONFIG_DEFAULT() WEBRTC_APP_CONFIG_DEFAULT()

/* ---- life cycle ------------------------------------------------------------------------------ */
/* The single callback (a later call replaces it). May be called before init. Returns 0. */
int32_t app_webrtc_register_event_callback(app_webrtc_event_callback_t callback, void *user_ctx);
/* Checks and copies the configuration; a missing or bad field fails with a message that names
 * it. Does not connect. */
WEBRTC_STATUS app_webrtc_init(app_webrtc_config_t *config);
/* Connects signaling and serves peers; blocks until app_webrtc_terminate() is called and then
 * returns SUCCESS, or until signaling failed for good (APP_WEBRTC_AUTH_FAILURES_MAX
 * authentication failures in a row: WEBRTC_STATUS_SIGNALING_AUTH_FAILED, everything freed as
 * after terminate), or returns the error that kept it from starting. */
WEBRTC_STATUS app_webrtc_run(void);
/* Ends run, closes every session and the signaling connection, frees everything. */
WEBRTC_STATUS app_webrtc_terminate(void);

/* ---- settings (call after init, before run) ------------------------------------------------- */
WEBRTC_STATUS app_webrtc_set_role(webrtc_signaling_channel_role_type_t role);
WEBRTC_STATUS app_webrtc_set_ice_config(bool trickle_ice, bool use_turn);
WEBRTC_STATUS app_webrtc_set_log_level(uint32_t level); /* also before init */
WEBRTC_STATUS app_webrtc_set_codecs(app_webrtc_rtc_codec_t audio_codec,
                                    app_webrtc_rtc_codec_t video_codec);
WEBRTC_STATUS app_webrtc_set_media_type(app_webrtc_streaming_media_t media_type);
WEBRTC_STATUS app_webrtc_enable_media_reception(bool enable);
WEBRTC_STATUS app_webrtc_set_signaling_only_mode(bool enable);

/* ---- sessions, ICE and data --------------------------------------------------------------- */
/* Create a session to peerId and send it an offer (viewer role, AppRTC initiator). */
int app_webrtc_trigger_offer(char *peerId);
WEBRTC_STATUS app_webrtc_get_ice_servers(uint32_t *pCount, void *pIceServers);
WEBRTC_STATUS app_webrtc_get_server_by_idx(int index, bool useTurn, uint8_t **data, int *len,
                                           bool *have_more);
WEBRTC_STATUS app_webrtc_is_ice_refresh_needed(bool *refreshNeeded);
WEBRTC_STATUS app_webrtc_refresh_ice_configuration(void);
WEBRTC_STATUS app_webrtc_update_ice_servers(void);
WEBRTC_STATUS app_webrtc_set_data_channel_callbacks(const char *peer_id,
                                                    app_webrtc_rtc_on_open_t onOpen,
                                                    app_webrtc_rtc_on_message_t onMessage,
                                                    uint64_t custom_data);
WEBRTC_STATUS app_webrtc_send_data_channel_message(const char *peer_id, void *pDataChannel,
                                                   bool isBinary, const uint8_t *pMessage,
                                                   uint32_t len);
/* Split mode. The callback (NULL removes it) receives, on the loop thread, the inbound
 * signaling messages app_webrtc does not handle itself: in signaling-only mode every message
 * (instead of the peer connection's bridge path), otherwise the custom types
 * (>= ESP_WEBRTC_MESSAGE_CUSTOM_BASE). The message is borrowed. Returns 0. */
int app_webrtc_register_msg_callback(app_webrtc_send_msg_cb_t callback);
/* Sends msg through the signaling backend (from any thread; the message is borrowed).
 * Returns 0 when the backend took it, else -1. */
int app_webrtc_send_msg_to_signaling(webrtc_message_t *msg);

/* The signaling backend's client handle (what its init returned), for the backend's own calls
 * such as apprtc_signaling_get_room_id(); NULL when app_webrtc is not initialised. Valid until
 * app_webrtc_terminate (edgertc addition). */
void *app_webrtc_get_signaling_client(void);

/* ---- metrics (edgertc additions) ------------------------------------------------------------ */
/* Copies the metrics of peer_id's session. NOT_FOUND when no session has that peer id,
 * INVALID_OPERATION when app_webrtc is not running. */
WEBRTC_STATUS app_webrtc_get_session_metrics(const char *peer_id,
                                             app_webrtc_session_metrics_t *out);
/* Installs the peer connection's metrics provider (NULL removes it); call after init. */
WEBRTC_STATUS app_webrtc_set_metrics_provider(app_webrtc_metrics_provider_t provider);

#ifdef __cplusplus
}
#endif

#endif
