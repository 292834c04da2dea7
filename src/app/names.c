/*
 * app/names — printable names of the message types, events and states in app_webrtc_if.h.
 */
#include "app_webrtc_if.h"

const char *app_webrtc_message_type_name(esp_webrtc_message_type_t type)
{
    switch (type) {
    case ESP_WEBRTC_MESSAGE_OFFER: return "OFFER";
    case ESP_WEBRTC_MESSAGE_ANSWER: return "ANSWER";
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: return "ICE_CANDIDATE";
    case ESP_WEBRTC_MESSAGE_GO_AWAY: return "GO_AWAY";
    case ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER: return "RECONNECT_ICE_SERVER";
    case ESP_WEBRTC_MESSAGE_STATE_CHANGE: return "STATE_CHANGE";
    case ESP_WEBRTC_MESSAGE_ERROR: return "ERROR";
    case ESP_WEBRTC_MESSAGE_TRIGGER_OFFER: return "TRIGGER_OFFER";
    case ESP_WEBRTC_MESSAGE_BYE: return "BYE";
    default: return type >= ESP_WEBRTC_MESSAGE_CUSTOM_BASE ? "CUSTOM" : "UNKNOWN";
    }
}

const char *app_webrtc_event_name(app_webrtc_event_t event)
{
    static const char *const names[] = {
        "INITIALIZED",
        "DEINITIALIZING",
        "SIGNALING_CONNECTING",
        "SIGNALING_CONNECTED",
        "SIGNALING_DISCONNECTED",
        "SIGNALING_DESCRIBE",
        "SIGNALING_GET_ENDPOINT",
        "SIGNALING_GET_ICE",
        "PEER_CONNECTION_REQUESTED",
        "PEER_CONNECTED",
        "PEER_DISCONNECTED",
        "STREAMING_STARTED",
        "STREAMING_STOPPED",
        "RECEIVED_OFFER",
        "SENT_ANSWER",
        "SENT_OFFER",
        "RECEIVED_ICE_CANDIDATE",
        "SENT_ICE_CANDIDATE",
        "ICE_GATHERING_COMPLETE",
        "PEER_CONNECTING",
        "PEER_CONNECTION_FAILED",
        "ERROR",
        "SIGNALING_ERROR",
    };
    if ((unsigned)event < sizeof(names) / sizeof(names[0])) {
        return names[event];
    }
    return "UNKNOWN";
}

const char *app_webrtc_signaling_state_name(webrtc_signaling_client_state_t state)
{
    switch (state) {
    case WEBRTC_SIGNALING_CLIENT_STATE_NEW: return "NEW";
    case WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING: return "CONNECTING";
    case WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED: return "CONNECTED";
    case WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED: return "DISCONNECTED";
    case WEBRTC_SIGNALING_CLIENT_STATE_FAILED: return "FAILED";
    default: return "UNKNOWN";
    }
}

const char *app_webrtc_peer_state_name(webrtc_peer_state_t state)
{
    switch (state) {
    case WEBRTC_PEER_STATE_NEW: return "NEW";
    case WEBRTC_PEER_STATE_CONNECTING: return "CONNECTING";
    case WEBRTC_PEER_STATE_CONNECTED: return "CONNECTED";
    case WEBRTC_PEER_STATE_DISCONNECTED: return "DISCONNECTED";
    case WEBRTC_PEER_STATE_FAILED: return "FAILED";
    case WEBRTC_PEER_STATE_MEDIA_STARTING: return "MEDIA_STARTING";
    default: return "UNKNOWN";
    }
}
