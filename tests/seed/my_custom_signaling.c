/*
 * The seed's custom signaling backend (CUSTOM_SIGNALING.md, Steps 1 and 2) as the seed
 * writes it. Added: the standard includes the ESP platform brought in, the interface
 * members the seed elides, and Step 2's two helpers. Everything else is the seed's text.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

// my_custom_signaling.c

#include "app_webrtc.h"
#include "webrtc_signaling_if.h"

// Your custom signaling configuration structure
typedef struct {
    char *server_url;
    char *room_id;
    char *client_id;
    uint32_t connection_timeout;
    uint32_t log_level;
} my_custom_signaling_config_t;

// Your custom signaling client data
typedef struct {
    char *server_url;
    char *room_id;
    void *websocket_handle;
    webrtc_signaling_channel_role_type_t role;

    // Callbacks
    uint64_t customData;
    WEBRTC_STATUS (*on_msg_received)(uint64_t, esp_webrtc_signaling_message_t*);
    WEBRTC_STATUS (*on_state_changed)(uint64_t, webrtc_signaling_client_state_t);
    WEBRTC_STATUS (*on_error)(uint64_t, WEBRTC_STATUS, char*, uint32_t);

    // Add your specific fields here
} my_custom_signaling_data_t;

static WEBRTC_STATUS my_custom_signaling_init(void *signaling_cfg, void **ppSignalingClient)
{
    my_custom_signaling_config_t *pConfig = (my_custom_signaling_config_t *)signaling_cfg;
    my_custom_signaling_data_t *pData = malloc(sizeof(my_custom_signaling_data_t));

    if (pData == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }

    // Initialize your signaling client
    pData->server_url = strdup(pConfig->server_url);
    pData->room_id = strdup(pConfig->room_id);
    pData->websocket_handle = NULL;
    pData->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;

    // Initialize callbacks to NULL
    pData->customData = 0;
    pData->on_msg_received = NULL;
    pData->on_state_changed = NULL;
    pData->on_error = NULL;

    *ppSignalingClient = pData;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_connect(void *pSignalingClient)
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;

    // Implement your connection logic
    // Connect to your signaling server
    // Set up message handlers

    // Notify state change
    if (pData->on_state_changed) {
        pData->on_state_changed(pData->customData, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    }

    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_send_message(void *pSignalingClient, esp_webrtc_signaling_message_t *pMessage)
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;

    // Convert message to your protocol format and send
    // For example, JSON format over WebSocket

    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_set_callbacks(void *pSignalingClient,
                                                       uint64_t customData,
                                                       WEBRTC_STATUS (*on_msg_received)(uint64_t, esp_webrtc_signaling_message_t*),
                                                       WEBRTC_STATUS (*on_state_changed)(uint64_t, webrtc_signaling_client_state_t),
                                                       WEBRTC_STATUS (*on_error)(uint64_t, WEBRTC_STATUS, char*, uint32_t))
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;

    pData->customData = customData;
    pData->on_msg_received = on_msg_received;
    pData->on_state_changed = on_state_changed;
    pData->on_error = on_error;

    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_set_role_type(void *pSignalingClient, webrtc_signaling_channel_role_type_t role_type)
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;
    pData->role = role_type;
    return WEBRTC_STATUS_SUCCESS;
}

// Implement other interface functions (disconnect, free, get_ice_servers, etc.)...
/* --- edgertc test: the members the seed elides, written the simplest way --- */
static WEBRTC_STATUS my_custom_signaling_disconnect(void *pSignalingClient)
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;
    if (pData->on_state_changed) {
        pData->on_state_changed(pData->customData, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_free(void *pSignalingClient)
{
    my_custom_signaling_data_t *pData = (my_custom_signaling_data_t *)pSignalingClient;
    if (pData == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    free(pData->server_url);
    free(pData->room_id);
    free(pData);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_get_ice_servers(void *pSignalingClient,
                                                         uint32_t *pIceConfigCount,
                                                         void *pIceServersArray)
{
    (void)pSignalingClient;
    app_webrtc_ice_server_t *servers = (app_webrtc_ice_server_t *)pIceServersArray;
    snprintf(servers[0].urls, sizeof(servers[0].urls), "stun:127.0.0.1:3478");
    *pIceConfigCount = 1;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_get_ice_server_by_idx(void *pSignalingClient, int index,
                                                               bool useTurn, uint8_t **data,
                                                               int *len, bool *have_more)
{
    (void)pSignalingClient;
    (void)index;
    (void)useTurn;
    *data = NULL;
    *len = 0;
    *have_more = false;
    return WEBRTC_STATUS_NOT_IMPLEMENTED;
}

static WEBRTC_STATUS my_custom_signaling_is_ice_refresh_needed(void *pSignalingClient,
                                                               bool *refreshNeeded)
{
    (void)pSignalingClient;
    *refreshNeeded = false;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS my_custom_signaling_refresh_ice_config(void *pSignalingClient)
{
    (void)pSignalingClient;
    return WEBRTC_STATUS_SUCCESS;
}

/* Step 2's helpers, which the seed leaves to the reader. */
static my_custom_signaling_data_t *g_current;

static my_custom_signaling_data_t *getCurrentSignalingData(void)
{
    return g_current;
}

static void parseCustomMessage(const char *message, esp_webrtc_signaling_message_t *out)
{
    out->message_type = ESP_WEBRTC_MESSAGE_OFFER;
    snprintf(out->peer_client_id, sizeof(out->peer_client_id), "peer-1");
    out->payload = (char *)message;
    out->payload_len = (uint32_t)strlen(message);
}

void my_custom_signaling_test_set_current(void *client);
void my_custom_signaling_test_set_current(void *client)
{
    g_current = client;
}

webrtc_signaling_client_if_t* my_custom_signaling_get_if(void)
{
    static webrtc_signaling_client_if_t customInterface = {
        .init = my_custom_signaling_init,
        .connect = my_custom_signaling_connect,
        .disconnect = my_custom_signaling_disconnect,
        .send_message = my_custom_signaling_send_message,
        .free = my_custom_signaling_free,
        .set_callbacks = my_custom_signaling_set_callbacks,
        .set_role_type = my_custom_signaling_set_role_type,
        .get_ice_servers = my_custom_signaling_get_ice_servers,
        .get_ice_server_by_idx = my_custom_signaling_get_ice_server_by_idx,
        .is_ice_refresh_needed = my_custom_signaling_is_ice_refresh_needed,
        .refresh_ice_configuration = my_custom_signaling_refresh_ice_config
    };

    return &customInterface;
}

void myCustomMessageHandler(const char *message)
{
    my_custom_signaling_data_t *pData = getCurrentSignalingData();

    // Parse your protocol message
    esp_webrtc_signaling_message_t webrtcMessage = {0};
    parseCustomMessage(message, &webrtcMessage);

    // Invoke the callback
    if (pData->on_msg_received) {
        pData->on_msg_received(pData->customData, &webrtcMessage);
    }
}
