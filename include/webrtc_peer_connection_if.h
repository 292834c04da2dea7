/*
 * webrtc_peer_connection_if.h — the peer-connection interface app_webrtc drives.
 *
 * edgertc's own stack (SDP, ICE, DTLS-SRTP, RTP/RTCP, data channels) implements it
 * (edgertc_peer_connection_if_get()); the split-mode signaling device implements it as a
 * bridge (bridge_peer_connection_if_get(), create_session == NULL). Members follow the ESP
 * port's newest generation, with the five-argument create_session.
 *
 * Threads: app_webrtc calls every member on its event-loop thread. Callbacks registered here
 * are called on that same thread.
 */
#ifndef WEBRTC_PEER_CONNECTION_IF_H
#define WEBRTC_PEER_CONNECTION_IF_H

#include <stdbool.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- data channels ---------------------------------------------------------------------- */
typedef void (*app_webrtc_rtc_on_open_t)(uint64_t customData, void *pDataChannel,
                                         const char *peer_id);
typedef void (*app_webrtc_rtc_on_message_t)(uint64_t customData, void *pDataChannel,
                                            const char *peer_id, bool isBinary, uint8_t *pMessage,
                                            uint32_t messageLen);
typedef void (*app_webrtc_rtc_on_close_t)(uint64_t customData, void *pDataChannel,
                                          const char *peer_id);

typedef struct {
    app_webrtc_rtc_on_open_t onOpen;
    app_webrtc_rtc_on_message_t onMessage;
    app_webrtc_rtc_on_close_t onClose;
    uint64_t customData;
} webrtc_data_channel_config_t;

/* ---- configuration ------------------------------------------------------------------------ */
typedef struct {
    /* media_stream_* interface pointers or NULL */
    void *video_capture;
    void *audio_capture;
    void *video_player;
    void *audio_player;
    app_webrtc_rtc_codec_t audio_codec;
    app_webrtc_rtc_codec_t video_codec;
    webrtc_data_channel_config_t *data_channel_config; /* optional */
    void *peer_connection_cfg; /* implementation-specific (app_webrtc_config_t's
                                  implementation_config) */
    /* edgertc additions: what app_webrtc's settings mean for every session */
    bool trickle_ice;
    bool use_turn;
    bool relay_only;    /* gather and use relayed candidates only */
    bool receive_media; /* negotiate receiving (sendrecv) instead of sendonly */
    app_webrtc_streaming_media_t media_type;
    void *event_loop; /* the app's loop; implementations run their state machines on it */
} webrtc_peer_connection_config_t;

typedef void (*app_webrtc_pc_event_handler_t)(app_webrtc_event_t event, uint32_t status,
                                              char *peer_id, char *msg);

typedef struct {
    /* pc_cfg is a webrtc_peer_connection_config_t*. */
    WEBRTC_STATUS (*init)(void *pc_cfg, void **ppClient);

    /* Deep-copies an app_webrtc_ice_server_t array; live sessions get new TURN servers. */
    WEBRTC_STATUS (*set_ice_servers)(void *pClient, void *ice_servers, uint32_t count);

    /* NULL marks a bridge-only interface (signaling-only mode). session_dc_cfg NULL = the
     * client-level data-channel configuration. */
    WEBRTC_STATUS (*create_session)
    (void *pClient, const char *peer_id, bool is_initiator,
     webrtc_data_channel_config_t *session_dc_cfg, void **ppSession);

    /* Deliver an inbound OFFER, ANSWER or ICE_CANDIDATE to a session (NULL in bridge mode). */
    WEBRTC_STATUS (*send_message)(void *pSession, esp_webrtc_signaling_message_t *pMessage);

    WEBRTC_STATUS (*destroy_session)(void *pSession);
    WEBRTC_STATUS (*free)(void *pClient);

    /* on_message_received gets the session's OUTBOUND messages (local offer/answer and
     * candidates) to pass to signaling; on_peer_state_changed its state. In bridge mode it is
     * called once with pSession NULL. */
    WEBRTC_STATUS (*set_callbacks)
    (void *pSession, uint64_t custom_data,
     WEBRTC_STATUS (*on_message_received)(uint64_t, esp_webrtc_signaling_message_t *),
     WEBRTC_STATUS (*on_peer_state_changed)(uint64_t, webrtc_peer_state_t));

    /* Create and send an offer now. */
    WEBRTC_STATUS (*trigger_offer)(void *pSession);

    WEBRTC_STATUS (*create_data_channel)
    (void *pSession, const char *name, void *pInit, void **ppDataChannel);

    /* Lets the implementation raise app_webrtc events (PEER_CONNECTED, ...). */
    WEBRTC_STATUS (*register_event_handler)(void *pClient, app_webrtc_pc_event_handler_t handler);

    WEBRTC_STATUS (*set_data_channel_callbacks)
    (void *pSessionOrClient, app_webrtc_rtc_on_open_t onOpen, app_webrtc_rtc_on_message_t onMessage,
     uint64_t customData);

    /* NULL_ARG when len is 0. */
    WEBRTC_STATUS (*send_data_channel_message)
    (void *pSession, void *pDataChannel, bool isBinary, const uint8_t *pMessage, uint32_t len);
} webrtc_peer_connection_if_t;

#ifdef __cplusplus
}
#endif

#endif
