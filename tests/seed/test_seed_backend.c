/*
 * Drives the seed's own custom backend (my_custom_signaling.c) through the interface table,
 * the way app_webrtc does: the seed's code must compile against edgertc's headers and behave
 * as its text says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app_webrtc.h"
#include "my_custom_signaling.h"

void my_custom_signaling_test_set_current(void *client);

static int states_seen[8];
static int messages_seen;
static char last_peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
static esp_webrtc_message_type_t last_type;

static WEBRTC_STATUS on_msg(uint64_t custom, esp_webrtc_signaling_message_t *msg)
{
    assert_int_equal(custom, 0x1234);
    messages_seen++;
    last_type = msg->message_type;
    snprintf(last_peer, sizeof(last_peer), "%s", msg->peer_client_id);
    assert_int_equal(msg->payloadLen, msg->payload_len); /* the older spelling is the same field */
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_state(uint64_t custom, webrtc_signaling_client_state_t state)
{
    assert_int_equal(custom, 0x1234);
    states_seen[state]++;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_error(uint64_t custom, WEBRTC_STATUS status, char *msg, uint32_t len)
{
    (void)custom;
    (void)status;
    (void)msg;
    (void)len;
    return WEBRTC_STATUS_SUCCESS;
}

static void test_interface_is_complete(void **state)
{
    (void)state;
    webrtc_signaling_client_if_t *sig = my_custom_signaling_if_get();
    assert_non_null(sig);
    assert_ptr_equal(sig, my_custom_signaling_get_if());
    assert_non_null(sig->init);
    assert_non_null(sig->connect);
    assert_non_null(sig->disconnect);
    assert_non_null(sig->send_message);
    assert_non_null(sig->free);
    assert_non_null(sig->set_callbacks);
    assert_non_null(sig->set_role_type);
    assert_non_null(sig->get_ice_servers);
    assert_non_null(sig->get_ice_server_by_idx);
    assert_non_null(sig->is_ice_refresh_needed);
    assert_non_null(sig->refresh_ice_configuration);
    assert_null(sig->set_ice_update_callback); /* the seed's table predates it: optional */
}

static void test_backend_life_cycle(void **state)
{
    (void)state;
    webrtc_signaling_client_if_t *sig = my_custom_signaling_if_get();
    my_custom_signaling_config_t cfg = {
        .server_url = "ws://127.0.0.1:1/",
        .room_id = "room",
        .client_id = "dev",
        .connection_timeout = 1000,
        .log_level = 3,
    };
    void *client = NULL;
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_SUCCESS);
    assert_non_null(client);
    assert_int_equal(sig->set_callbacks(client, 0x1234, on_msg, on_state, on_error),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_role_type(client, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->connect(client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(states_seen[WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED], 1);

    my_custom_signaling_test_set_current(client);
    myCustomMessageHandler("{\"type\":\"offer\",\"sdp\":\"v=0\"}");
    assert_int_equal(messages_seen, 1);
    assert_int_equal(last_type, ESP_WEBRTC_MESSAGE_OFFER);
    assert_string_equal(last_peer, "peer-1");

    esp_webrtc_signaling_message_t answer = {0};
    answer.message_type = ESP_WEBRTC_MESSAGE_ANSWER;
    strcpy(answer.peer_client_id, "peer-1");
    answer.payload = "{\"type\":\"answer\",\"sdp\":\"v=0\"}";
    answer.payload_len = (uint32_t)strlen(answer.payload);
    assert_int_equal(sig->send_message(client, &answer), WEBRTC_STATUS_SUCCESS);

    app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t count = 0;
    assert_int_equal(sig->get_ice_servers(client, &count, servers), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(count, 1);
    assert_string_equal(servers[0].urls, "stun:127.0.0.1:3478");

    assert_int_equal(sig->disconnect(client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(states_seen[WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED], 1);
    assert_int_equal(sig->free(client), WEBRTC_STATUS_SUCCESS);
}

static void test_custom_message_types_have_room(void **state)
{
    (void)state;
    /* The seed's "Custom Message Types" puts its own type at 100. */
    esp_webrtc_signaling_message_t msg = {0};
    msg.message_type = (esp_webrtc_message_type_t)(ESP_WEBRTC_MESSAGE_CUSTOM_BASE + 0);
    assert_int_equal(msg.message_type, 100);
    assert_int_equal(msg.messageType, 100);
    assert_string_equal(app_webrtc_message_type_name(msg.message_type), "CUSTOM");
    assert_int_equal(ESP_WEBRTC_MESSAGE_OFFER, 1);
    assert_int_equal(ESP_WEBRTC_MESSAGE_ANSWER, 2);
    assert_int_equal(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, 3);
    /* The seed's WEBRTC_APP_CONFIG_DEFAULT() and its fields. */
    app_webrtc_config_t cfg = WEBRTC_APP_CONFIG_DEFAULT();
    assert_int_equal(cfg.role_type, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(cfg.logLevel, 3);
    assert_true(cfg.trickleIce);
    assert_true(cfg.use_default_stun);
    assert_false(cfg.signaling_only);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interface_is_complete),
        cmocka_unit_test(test_backend_life_cycle),
        cmocka_unit_test(test_custom_message_types_have_room),
    };
    return cmocka_run_group_tests_name("seed_custom_signaling", tests, NULL, NULL);
}
