/*
 * app_webrtc_if.h — types shared by the application layer, the signaling interface and the
 * peer-connection interface: limits, message types, the signaling message, states, roles,
 * event ids, codecs and the ICE server record.
 *
 * Names follow the seed (CUSTOM_SIGNALING.md: esp_webrtc_signaling_message_t,
 * webrtc_signaling_client_state_t, webrtc_signaling_channel_role_type_t,
 * ESP_WEBRTC_MESSAGE_*). The newer ESP-port names (webrtc_message_t, webrtc_signaling_state_t,
 * webrtc_channel_role_type_t, WEBRTC_MESSAGE_TYPE_*) are aliases of the same types. Where the
 * seed and the ESP port disagree the seed wins; docs/api.md lists each such choice.
 */
#ifndef APP_WEBRTC_IF_H
#define APP_WEBRTC_IF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits --------------------------------------------------------------------------- */
#define APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN   256 /* as KVS */
#define APP_WEBRTC_MAX_CORRELATION_ID_LEN        256 /* as KVS */
#define APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN        127
#define APP_WEBRTC_MAX_ICE_CONFIG_USER_NAME_LEN  256
#define APP_WEBRTC_MAX_ICE_CONFIG_CREDENTIAL_LEN 256
#define APP_WEBRTC_MAX_ICE_SERVERS_COUNT         5
/* Largest signaling payload (SDP or candidate JSON) accepted from any backend. */
#define APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN (64 * 1024)
/* Used only when the application configures no ICE server and has not switched it off. */
#define APP_WEBRTC_DEFAULT_STUN_SERVER "stun:stun.l.google.com:19302"
#define DEFAULT_MASTER_CLIENT_ID       "ProducerMaster"
#define DEFAULT_VIEWER_CLIENT_ID       "ConsumerViewer"
/* Gen-2 spellings of the two id limits. */
#define SS_MAX_SIGNALING_CLIENT_ID_LEN APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN
#define SS_MAX_CORRELATION_ID_LEN      APP_WEBRTC_MAX_CORRELATION_ID_LEN

/* ---- message types -------------------------------------------------------------------- */
/*
 * Values as in the seed's "Custom Message Types". A backend or application may carry its own
 * types from ESP_WEBRTC_MESSAGE_CUSTOM_BASE (100) upwards: app_webrtc hands them to the
 * application unchanged and never interprets them.
 */
typedef enum {
    ESP_WEBRTC_MESSAGE_UNKNOWN = 0,
    ESP_WEBRTC_MESSAGE_OFFER = 1,
    ESP_WEBRTC_MESSAGE_ANSWER = 2,
    ESP_WEBRTC_MESSAGE_ICE_CANDIDATE = 3,
    ESP_WEBRTC_MESSAGE_GO_AWAY = 4,              /* the service asks us to reconnect */
    ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER = 5, /* the service asks for an ICE refresh */
    ESP_WEBRTC_MESSAGE_STATE_CHANGE = 6,
    ESP_WEBRTC_MESSAGE_ERROR = 7,
    ESP_WEBRTC_MESSAGE_TRIGGER_OFFER = 8, /* ask the streaming side to make an offer */
    ESP_WEBRTC_MESSAGE_BYE = 9,           /* the remote peer left */
    ESP_WEBRTC_MESSAGE_CUSTOM_BASE = 100,
} esp_webrtc_message_type_t;

typedef esp_webrtc_message_type_t webrtc_message_type_t;
#define WEBRTC_MESSAGE_TYPE_OFFER                ESP_WEBRTC_MESSAGE_OFFER
#define WEBRTC_MESSAGE_TYPE_ANSWER               ESP_WEBRTC_MESSAGE_ANSWER
#define WEBRTC_MESSAGE_TYPE_ICE_CANDIDATE        ESP_WEBRTC_MESSAGE_ICE_CANDIDATE
#define WEBRTC_MESSAGE_TYPE_GO_AWAY              ESP_WEBRTC_MESSAGE_GO_AWAY
#define WEBRTC_MESSAGE_TYPE_RECONNECT_ICE_SERVER ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER
#define WEBRTC_MESSAGE_TYPE_STATE_CHANGE         ESP_WEBRTC_MESSAGE_STATE_CHANGE
#define WEBRTC_MESSAGE_TYPE_ERROR                ESP_WEBRTC_MESSAGE_ERROR
#define WEBRTC_MESSAGE_TYPE_TRIGGER_OFFER        ESP_WEBRTC_MESSAGE_TRIGGER_OFFER
#define WEBRTC_MESSAGE_TYPE_BYE                  ESP_WEBRTC_MESSAGE_BYE
/* Gen-2 spellings */
typedef esp_webrtc_message_type_t esp_webrtc_signaling_message_type_t;
#define ESP_SIGNALING_MESSAGE_TYPE_OFFER                ESP_WEBRTC_MESSAGE_OFFER
#define ESP_SIGNALING_MESSAGE_TYPE_ANSWER               ESP_WEBRTC_MESSAGE_ANSWER
#define ESP_SIGNALING_MESSAGE_TYPE_ICE_CANDIDATE        ESP_WEBRTC_MESSAGE_ICE_CANDIDATE
#define ESP_SIGNALING_MESSAGE_TYPE_GO_AWAY              ESP_WEBRTC_MESSAGE_GO_AWAY
#define ESP_SIGNALING_MESSAGE_TYPE_RECONNECT_ICE_SERVER ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER

/* ---- the signaling message ------------------------------------------------------------- */
/*
 * One signaling message between the application layer, a signaling backend and a peer
 * connection. The payload is NOT owned by the message: a callback's message is borrowed for
 * the duration of the call, and whoever keeps it must copy it. Payloads are the JSON texts
 * browsers use: {"type":"offer","sdp":"..."} and {"candidate":"...","sdpMid":"0",
 * "sdpMLineIndex":0}. The camelCase members are the same storage under the older names.
 */
typedef struct {
    union {
        esp_webrtc_message_type_t message_type;
        esp_webrtc_message_type_t messageType;
    };
    /* Remote peer: the sender on receive, the recipient on send. */
    char peer_client_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    char correlation_id[APP_WEBRTC_MAX_CORRELATION_ID_LEN + 1]; /* "" when unused */
    char *payload;
    union {
        uint32_t payload_len; /* bytes, without a terminator */
        uint32_t payloadLen;
    };
    uint32_t version;
} esp_webrtc_signaling_message_t;

typedef esp_webrtc_signaling_message_t webrtc_message_t;

/* ---- signaling client state and role --------------------------------------------------- */
typedef enum {
    WEBRTC_SIGNALING_CLIENT_STATE_NEW = 0,
    WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING = 1,
    WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED = 2,
    WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED = 3,
    WEBRTC_SIGNALING_CLIENT_STATE_FAILED = 4,
} webrtc_signaling_client_state_t;

typedef webrtc_signaling_client_state_t webrtc_signaling_state_t;
#define WEBRTC_SIGNALING_STATE_NEW          WEBRTC_SIGNALING_CLIENT_STATE_NEW
#define WEBRTC_SIGNALING_STATE_CONNECTING   WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING
#define WEBRTC_SIGNALING_STATE_CONNECTED    WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED
#define WEBRTC_SIGNALING_STATE_DISCONNECTED WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED
#define WEBRTC_SIGNALING_STATE_FAILED       WEBRTC_SIGNALING_CLIENT_STATE_FAILED

/*
 * MASTER: the device waits for viewers' offers and answers them (a camera).
 * VIEWER: the device makes the offer (app_webrtc_trigger_offer) to a master.
 */
typedef enum {
    WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER = 0,
    WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER = 1,
} webrtc_signaling_channel_role_type_t;

typedef webrtc_signaling_channel_role_type_t webrtc_channel_role_type_t;
#define WEBRTC_CHANNEL_ROLE_TYPE_MASTER WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER
#define WEBRTC_CHANNEL_ROLE_TYPE_VIEWER WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER

/* ---- peer connection state -------------------------------------------------------------- */
typedef enum {
    WEBRTC_PEER_STATE_NEW = 0,
    WEBRTC_PEER_STATE_CONNECTING = 1,
    WEBRTC_PEER_STATE_CONNECTED = 2,
    WEBRTC_PEER_STATE_DISCONNECTED = 3,
    WEBRTC_PEER_STATE_FAILED = 4,
    WEBRTC_PEER_STATE_MEDIA_STARTING = 5, /* offer/answer applied: media may be prepared */
} webrtc_peer_state_t;

/* ---- application events ------------------------------------------------------------------ */
typedef enum {
    APP_WEBRTC_EVENT_INITIALIZED = 0,
    APP_WEBRTC_EVENT_DEINITIALIZING = 1,
    APP_WEBRTC_EVENT_SIGNALING_CONNECTING = 2,
    APP_WEBRTC_EVENT_SIGNALING_CONNECTED = 3,
    APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED = 4,
    APP_WEBRTC_EVENT_SIGNALING_DESCRIBE = 5,
    APP_WEBRTC_EVENT_SIGNALING_GET_ENDPOINT = 6,
    APP_WEBRTC_EVENT_SIGNALING_GET_ICE = 7,
    APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED = 8,
    APP_WEBRTC_EVENT_PEER_CONNECTED = 9,
    APP_WEBRTC_EVENT_PEER_DISCONNECTED = 10,
    APP_WEBRTC_EVENT_STREAMING_STARTED = 11,
    APP_WEBRTC_EVENT_STREAMING_STOPPED = 12,
    APP_WEBRTC_EVENT_RECEIVED_OFFER = 13,
    APP_WEBRTC_EVENT_SENT_ANSWER = 14,
    APP_WEBRTC_EVENT_SENT_OFFER = 15,
    APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE = 16,
    APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE = 17,
    APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE = 18,
    APP_WEBRTC_EVENT_PEER_CONNECTING = 19,
    APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED = 20,
    APP_WEBRTC_EVENT_ERROR = 21,
    APP_WEBRTC_EVENT_SIGNALING_ERROR = 22,
} app_webrtc_event_t;

/* ---- codecs and media ------------------------------------------------------------------- */
typedef enum {
    APP_WEBRTC_CODEC_H264 = 1, /* profile-level-id 42e01f, packetization-mode 1 */
    APP_WEBRTC_CODEC_OPUS = 2,
    APP_WEBRTC_CODEC_VP8 = 3,
    APP_WEBRTC_CODEC_MULAW = 4,
    APP_WEBRTC_CODEC_ALAW = 5,
    APP_WEBRTC_CODEC_UNKNOWN = 6,
    APP_WEBRTC_CODEC_H265 = 7,
    APP_WEBRTC_CODEC_MAX = 8,
} app_webrtc_rtc_codec_t;

typedef enum {
    APP_WEBRTC_MEDIA_VIDEO = 0,
    APP_WEBRTC_MEDIA_AUDIO_VIDEO = 1,
    APP_WEBRTC_MEDIA_AUDIO = 2, /* edgertc addition: audio only */
} app_webrtc_streaming_media_t;

/* ---- ICE servers ------------------------------------------------------------------------ */
/* One ICE server, in the layout of the KVS RtcIceServer (and of the bridge's wire records). */
typedef struct {
    char urls[APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN +
              1]; /* "stun:host:port", "turn:host?transport=udp" */
    char username[APP_WEBRTC_MAX_ICE_CONFIG_USER_NAME_LEN + 1];
    char credential[APP_WEBRTC_MAX_ICE_CONFIG_CREDENTIAL_LEN + 1];
} app_webrtc_ice_server_t;

typedef struct {
    uint32_t ice_server_count;
    app_webrtc_ice_server_t ice_servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
} app_webrtc_ice_servers_payload_t;

typedef struct {
    uint32_t index; /* 0 = STUN, 1.. = TURN */
    bool use_turn;
} app_webrtc_ice_request_payload_t;

typedef struct {
    char urls[APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN + 1];
    char username[APP_WEBRTC_MAX_ICE_CONFIG_USER_NAME_LEN + 1];
    char credential[APP_WEBRTC_MAX_ICE_CONFIG_CREDENTIAL_LEN + 1];
    bool have_more;
} app_webrtc_ice_server_response_t;

/* Short names for logs: "OFFER", "SIGNALING_CONNECTED", "CONNECTED", ... */
const char *app_webrtc_message_type_name(esp_webrtc_message_type_t type);
const char *app_webrtc_event_name(app_webrtc_event_t event);
const char *app_webrtc_signaling_state_name(webrtc_signaling_client_state_t state);
const char *app_webrtc_peer_state_name(webrtc_peer_state_t state);

#ifdef __cplusplus
}
#endif

#endif
