/*
 * Unit tests for the two sides of split mode over a real UNIX-socket link, each against a
 * bare bridge link played by the test (the process-wide webrtc_bridge holds one side):
 *  - the signaling bridge adapter (bridge_peer_connection_if_get): messages queue while the
 *    streaming device is absent, the queue stops at 24 (newest dropped), READY_QUERY goes out
 *    when the link comes up, READY flushes in order, answers reach the app callback, an
 *    ICE_REQUEST is answered (empty without a running app_webrtc), a link loss queues again;
 *  - the bridge signaling client (bridge_signaling_client_if_get): READY on connect, ICE
 *    servers pulled by index (STUN announced first, then TURN with its credentials through
 *    the ICE update callback), a chunked 7 KiB offer delivered, answers sent back, READY_QUERY
 *    answered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge_signaling.h"
#include "signaling/bridge/bridge_link.h"
#include "signaling/bridge/bridge_msg.h"
#include "signaling_bridge_adapter.h"

#define MAX_REC 64

/* What the test's end of the link received. */
typedef struct {
    pthread_mutex_t mu;
    int count;
    uint32_t types[MAX_REC];
    size_t payload_len[MAX_REC];
    char first[MAX_REC][32];
    bool answer_ice; /* play the signaling device: answer ICE_REQUESTs */
    ertc_bridge_link_t *link;
} peer_t;

static peer_t g_peer;

static void send_on(ertc_bridge_link_t *link, uint32_t type, const char *peer, const void *payload,
                    size_t len)
{
    ertc_bridge_msg_t m = {.version = 1, .type = type, .peer_id = peer,
                           .peer_id_len = peer ? strlen(peer) : 0, .payload = payload,
                           .payload_len = len};
    size_t n = 0;
    uint8_t *buf = ertc_bridge_msg_serialize(&m, &n);
    assert_non_null(buf);
    assert_int_equal(ertc_bridge_link_send(link, buf, n), WEBRTC_STATUS_SUCCESS);
    free(buf);
}

static void peer_on_message(void *user, const uint8_t *msg, size_t len)
{
    peer_t *p = user;
    ertc_bridge_msg_t m;
    if (ertc_bridge_msg_decode(msg, len, &m) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    if (p->count < MAX_REC) {
        p->types[p->count] = m.type;
        p->payload_len[p->count] = m.payload_len;
        snprintf(p->first[p->count], sizeof(p->first[0]), "%.*s",
                 (int)(m.payload_len < 31 ? m.payload_len : 31),
                 m.payload ? (const char *)m.payload : "");
        p->count++;
    }
    bool answer = p->answer_ice;
    pthread_mutex_unlock(&p->mu);
    if (answer && m.type == ERTC_BRIDGE_MSG_ICE_REQUEST) {
        uint32_t index = 0;
        bool use_turn = false;
        if (ertc_bridge_ice_request_decode(m.payload, m.payload_len, &index, &use_turn) !=
            WEBRTC_STATUS_SUCCESS) {
            return;
        }
        ertc_bridge_ice_response_t r;
        memset(&r, 0, sizeof(r));
        if (index == 0) {
            strcpy(r.url, "stun:127.0.0.1:3478");
            r.have_more = true;
        } else if (index == 1) {
            strcpy(r.url, "turn:127.0.0.1:3478?transport=udp");
            strcpy(r.username, "1900000000:edgertc");
            strcpy(r.credential, "test-credential");
        }
        uint8_t payload[ERTC_BRIDGE_ICE_RESPONSE_LEN];
        ertc_bridge_ice_response_encode(&r, payload);
        send_on(p->link, ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE, "signaling-device", payload,
                sizeof(payload));
    }
}

static int peer_count_type(uint32_t type)
{
    int n = 0;
    pthread_mutex_lock(&g_peer.mu);
    for (int i = 0; i < g_peer.count; i++) {
        n += g_peer.types[i] == type;
    }
    pthread_mutex_unlock(&g_peer.mu);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool wait_type(uint32_t type, int want)
{
    for (int i = 0; i < 500; i++) {
        if (peer_count_type(type) >= want) {
            return true;
        }
        sleep_ms(10);
    }
    return false;
}

static void peer_reset(bool answer_ice)
{
    pthread_mutex_lock(&g_peer.mu);
    g_peer.count = 0;
    g_peer.answer_ice = answer_ice;
    pthread_mutex_unlock(&g_peer.mu);
}

/* ---- signaling side ------------------------------------------------------------------- */

static pthread_mutex_t g_app_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_app_msgs;
static esp_webrtc_message_type_t g_app_last_type;
static uint64_t g_app_custom;

static WEBRTC_STATUS app_outbound(uint64_t custom, webrtc_message_t *msg)
{
    pthread_mutex_lock(&g_app_mu);
    g_app_msgs++;
    g_app_last_type = msg->message_type;
    g_app_custom = custom;
    pthread_mutex_unlock(&g_app_mu);
    return WEBRTC_STATUS_SUCCESS;
}

static int app_msgs(void)
{
    pthread_mutex_lock(&g_app_mu);
    int n = g_app_msgs;
    pthread_mutex_unlock(&g_app_mu);
    return n;
}

static int adapter_send(esp_webrtc_message_type_t type, const char *payload)
{
    webrtc_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    strcpy(m.peer_client_id, "viewer-1");
    m.payload = (char *)payload;
    m.payload_len = (uint32_t)strlen(payload);
    return signaling_bridge_adapter_send_message(&m);
}

static char big_offer[7 * 1024];

static void test_signaling_adapter(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof(path), "unix:/tmp/ertc-bridge-sides-a-%ld.sock", (long)getpid());
    assert_int_equal(webrtc_bridge_configure(path, true), WEBRTC_STATUS_SUCCESS);
    webrtc_peer_connection_if_t *pc = bridge_peer_connection_if_get();
    assert_null(pc->create_session);
    void *client = NULL;
    webrtc_peer_connection_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(pc->init(&cfg, &client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(pc->set_callbacks(NULL, 42, app_outbound, NULL), WEBRTC_STATUS_SUCCESS);

    /* the streaming device is absent: everything queues, up to 24 */
    assert_int_equal(adapter_send(ESP_WEBRTC_MESSAGE_OFFER, big_offer), 0);
    for (int i = 0; i < 27; i++) {
        assert_int_equal(adapter_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"c\"}"), 0);
    }
    assert_int_equal(adapter_send(ESP_WEBRTC_MESSAGE_GO_AWAY, "x"), -1);
    signaling_bridge_adapter_stats_t st;
    signaling_bridge_adapter_get_stats(&st);
    assert_int_equal(st.queued, SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN);
    assert_int_equal(st.dropped, 4);
    assert_false(st.streaming_ready);

    /* the streaming device arrives: READY_QUERY, then READY flushes the queue in order */
    ertc_bridge_endpoint_t ep;
    assert_int_equal(ertc_bridge_endpoint_parse(path, &ep), WEBRTC_STATUS_SUCCESS);
    peer_reset(false);
    ertc_bridge_link_callbacks_t cb = {peer_on_message, NULL, &g_peer};
    assert_int_equal(ertc_bridge_link_start(&ep, false, &cb, &g_peer.link), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_type(ERTC_BRIDGE_MSG_READY_QUERY, 1));
    assert_int_equal(peer_count_type(ERTC_BRIDGE_MSG_OFFER), 0);
    send_on(g_peer.link, ERTC_BRIDGE_MSG_READY, "streaming_client", NULL, 0);
    assert_true(wait_type(ERTC_BRIDGE_MSG_ICE_CANDIDATE, 23));
    pthread_mutex_lock(&g_peer.mu);
    assert_int_equal(g_peer.types[1], ERTC_BRIDGE_MSG_OFFER); /* [0] is the READY_QUERY */
    assert_int_equal(g_peer.payload_len[1], sizeof(big_offer) - 1);
    pthread_mutex_unlock(&g_peer.mu);
    signaling_bridge_adapter_get_stats(&st);
    assert_int_equal(st.queued, 0);
    assert_true(st.streaming_ready);

    /* READY: later messages go straight out */
    assert_int_equal(adapter_send(ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"d\"}"), 0);
    assert_true(wait_type(ERTC_BRIDGE_MSG_ICE_CANDIDATE, 24));

    /* the streaming device's answer reaches app_webrtc's callback */
    send_on(g_peer.link, ERTC_BRIDGE_MSG_ANSWER, "viewer-1", "{\"type\":\"answer\"}", 17);
    for (int i = 0; i < 500 && app_msgs() == 0; i++) {
        sleep_ms(10);
    }
    assert_int_equal(app_msgs(), 1);
    assert_int_equal(g_app_last_type, ESP_WEBRTC_MESSAGE_ANSWER);
    assert_int_equal(g_app_custom, 42);

    /* an ICE_REQUEST is answered even without a backend (empty, no more) */
    uint8_t req[ERTC_BRIDGE_ICE_REQUEST_LEN];
    ertc_bridge_ice_request_encode(0, true, req);
    send_on(g_peer.link, ERTC_BRIDGE_MSG_ICE_REQUEST, "streaming-device", req, sizeof(req));
    assert_true(wait_type(ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE, 1));

    /* the link drops: messages queue again until the next READY */
    ertc_bridge_link_drop(g_peer.link);
    assert_true(wait_type(ERTC_BRIDGE_MSG_READY_QUERY, 2));
    signaling_bridge_adapter_trigger_wakeup();
    assert_int_equal(adapter_send(ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\"}"), 0);
    signaling_bridge_adapter_get_stats(&st);
    assert_int_equal(st.queued, 1);
    send_on(g_peer.link, ERTC_BRIDGE_MSG_READY, "streaming_client", NULL, 0);
    assert_true(wait_type(ERTC_BRIDGE_MSG_OFFER, 2));

    ertc_bridge_link_stop(g_peer.link);
    g_peer.link = NULL;
    assert_int_equal(pc->free(client), WEBRTC_STATUS_SUCCESS);
}

/* ---- streaming side ------------------------------------------------------------------- */

static pthread_mutex_t g_sig_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_sig_msgs;
static size_t g_sig_last_len;
static esp_webrtc_message_type_t g_sig_last_type;
static uint32_t g_ice_updates[8];
static int g_ice_update_count;

static WEBRTC_STATUS sig_on_msg(uint64_t custom, esp_webrtc_signaling_message_t *m)
{
    (void)custom;
    pthread_mutex_lock(&g_sig_mu);
    g_sig_msgs++;
    g_sig_last_len = m->payload_len;
    g_sig_last_type = m->message_type;
    pthread_mutex_unlock(&g_sig_mu);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sig_on_state(uint64_t custom, webrtc_signaling_client_state_t s)
{
    (void)custom;
    (void)s;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sig_on_ice(uint64_t custom, uint32_t count)
{
    (void)custom;
    pthread_mutex_lock(&g_sig_mu);
    if (g_ice_update_count < 8) {
        g_ice_updates[g_ice_update_count++] = count;
    }
    pthread_mutex_unlock(&g_sig_mu);
    return WEBRTC_STATUS_SUCCESS;
}

static int locked_int(int *p)
{
    pthread_mutex_lock(&g_sig_mu);
    int v = *p;
    pthread_mutex_unlock(&g_sig_mu);
    return v;
}

static void test_streaming_client(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof(path), "unix:/tmp/ertc-bridge-sides-b-%ld.sock", (long)getpid());
    ertc_bridge_endpoint_t ep;
    assert_int_equal(ertc_bridge_endpoint_parse(path, &ep), WEBRTC_STATUS_SUCCESS);
    /* the test plays the signaling device: it listens */
    peer_reset(true);
    ertc_bridge_link_callbacks_t cb = {peer_on_message, NULL, &g_peer};
    assert_int_equal(ertc_bridge_link_start(&ep, true, &cb, &g_peer.link), WEBRTC_STATUS_SUCCESS);

    assert_int_equal(webrtc_bridge_configure(path, false), WEBRTC_STATUS_SUCCESS);
    webrtc_bridge_start();
    webrtc_signaling_client_if_t *sig = getBridgeSignalingClientInterface();
    assert_ptr_equal(sig, bridge_signaling_client_if_get());
    assert_null(sig->get_ice_server_by_idx);
    assert_null(sig->is_ice_refresh_needed);
    bridge_signaling_config_t cfg = {.client_id = "cam", .log_level = 3};
    void *client = NULL;
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_SUCCESS);
    void *second = NULL;
    assert_int_equal(sig->init(&cfg, &second), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(sig->set_callbacks(client, 7, sig_on_msg, sig_on_state, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_ice_update_callback(client, 7, sig_on_ice), WEBRTC_STATUS_SUCCESS);
    for (int i = 0; i < 500 && !ertc_bridge_link_is_up(g_peer.link); i++) {
        sleep_ms(10);
    }
    assert_int_equal(sig->connect(client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_type(ERTC_BRIDGE_MSG_READY, 1));

    /* ICE: STUN announced first, then STUN + TURN */
    for (int i = 0; i < 500 && locked_int(&g_ice_update_count) < 2; i++) {
        sleep_ms(10);
    }
    assert_int_equal(locked_int(&g_ice_update_count), 2);
    assert_int_equal(g_ice_updates[0], 1);
    assert_int_equal(g_ice_updates[1], 2);
    assert_int_equal(peer_count_type(ERTC_BRIDGE_MSG_ICE_REQUEST), 2);
    app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t count = 0;
    assert_int_equal(sig->get_ice_servers(client, &count, servers), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(count, 2);
    assert_string_equal(servers[0].urls, "stun:127.0.0.1:3478");
    assert_string_equal(servers[1].urls, "turn:127.0.0.1:3478?transport=udp");
    assert_string_equal(servers[1].username, "1900000000:edgertc");
    assert_string_equal(servers[1].credential, "test-credential");

    /* a chunked offer arrives as one message */
    send_on(g_peer.link, ERTC_BRIDGE_MSG_OFFER, "viewer-1", big_offer, sizeof(big_offer) - 1);
    for (int i = 0; i < 500 && locked_int(&g_sig_msgs) == 0; i++) {
        sleep_ms(10);
    }
    assert_int_equal(locked_int(&g_sig_msgs), 1);
    assert_int_equal(g_sig_last_type, ESP_WEBRTC_MESSAGE_OFFER);
    assert_int_equal(g_sig_last_len, sizeof(big_offer) - 1);

    /* the answer goes back; other types are refused */
    esp_webrtc_signaling_message_t ans;
    memset(&ans, 0, sizeof(ans));
    ans.message_type = ESP_WEBRTC_MESSAGE_ANSWER;
    strcpy(ans.peer_client_id, "viewer-1");
    ans.payload = "{\"type\":\"answer\",\"sdp\":\"v=0\"}";
    ans.payload_len = (uint32_t)strlen(ans.payload);
    assert_int_equal(sig->send_message(client, &ans), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_type(ERTC_BRIDGE_MSG_ANSWER, 1));
    ans.message_type = ESP_WEBRTC_MESSAGE_GO_AWAY;
    assert_int_equal(sig->send_message(client, &ans), WEBRTC_STATUS_INVALID_ARG);

    /* READY_QUERY is answered */
    send_on(g_peer.link, ERTC_BRIDGE_MSG_READY_QUERY, NULL, NULL, 0);
    assert_true(wait_type(ERTC_BRIDGE_MSG_READY, 2));

    assert_int_equal(sig->disconnect(client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->get_ice_servers(client, &count, servers), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(count, 0);
    assert_int_equal(sig->free(client), WEBRTC_STATUS_SUCCESS);
    webrtc_bridge_stop();
    ertc_bridge_link_stop(g_peer.link);
    g_peer.link = NULL;
}

int main(void)
{
    memset(big_offer, 'o', sizeof(big_offer) - 1);
    big_offer[sizeof(big_offer) - 1] = '\0';
    pthread_mutex_init(&g_peer.mu, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signaling_adapter),
        cmocka_unit_test(test_streaming_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
