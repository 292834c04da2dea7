/*
 * The seed's application set-up (CUSTOM_SIGNALING.md, Step 3) as the seed writes it, with
 * only the ESP platform set-up removed (its lines were already comments). TAG and the event
 * handler are the two names the seed uses without showing them.
 */
#include "app_webrtc.h"
#include "my_custom_signaling.h"

static const char *TAG = "seed_app";

static void app_webrtc_event_handler(app_webrtc_event_data_t *event_data, void *user_ctx)
{
    (void)user_ctx;
    ESP_LOGI(TAG, "event %d: %s", (int)event_data->event_id, event_data->message);
}

void app_main(void);

#include "app_webrtc.h"
#include "my_custom_signaling.h"

void app_main(void)
{
    WEBRTC_STATUS status;

    // Initialize NVS, WiFi, time sync, etc. (standard ESP-IDF setup)
    // ... standard initialization code ...

    // Initialize work queue (required for ICE operations)
    if (esp_work_queue_init() != ESP_OK) {
        ESP_LOGE(TAG, "Failed to initialize work queue");
        return;
    }

    if (esp_work_queue_start() != ESP_OK) {
        ESP_LOGE(TAG, "Failed to start work queue");
        return;
    }

    // Register event callback (optional)
    app_webrtc_register_event_callback(app_webrtc_event_handler, NULL);

    // Get media interfaces
    media_stream_video_capture_t *video_capture = media_stream_get_video_capture_if();
    media_stream_audio_capture_t *audio_capture = media_stream_get_audio_capture_if();
    media_stream_video_player_t *video_player = media_stream_get_video_player_if();
    media_stream_audio_player_t *audio_player = media_stream_get_audio_player_if();

    // Configure your signaling
    my_custom_signaling_config_t customConfig = {
        .server_url = "wss://my-signaling-server.com",
        .room_id = "my-room",
        .client_id = "esp32-client",
        .connection_timeout = 30000,
        .log_level = 3
    };

    // Configure WebRTC application
    app_webrtc_config_t webrtcConfig = WEBRTC_APP_CONFIG_DEFAULT();

    // Set signaling interface and config (as opaque pointers)
    webrtcConfig.signaling_client_if = my_custom_signaling_if_get();
    webrtcConfig.signaling_cfg = &customConfig;

    // Set WebRTC configuration
    webrtcConfig.role_type = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    webrtcConfig.logLevel = 3;
    webrtcConfig.mediaType = APP_WEBRTC_MEDIA_AUDIO_VIDEO;

    // Set media interfaces
    webrtcConfig.video_capture = video_capture;
    webrtcConfig.audio_capture = audio_capture;
    webrtcConfig.video_player = video_player;
    webrtcConfig.audio_player = audio_player;
    webrtcConfig.receive_media = true;

    // Initialize WebRTC application
    status = app_webrtc_init(&webrtcConfig);
    if (status != WEBRTC_STATUS_SUCCESS) {
        ESP_LOGE(TAG, "Failed to initialize WebRTC app: 0x%08x", status);
        return;
    }

    // Start the WebRTC application
    status = app_webrtc_run();
    if (status != WEBRTC_STATUS_SUCCESS) {
        ESP_LOGE(TAG, "WebRTC application failed: 0x%08x", status);
        app_webrtc_terminate();
    }
}
