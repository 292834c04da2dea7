/*
 * Signaling bridge adapter (signaling device side of split mode; signaling_bridge_adapter.h,
 * spec §1.11, §2.7). Forwards the backend's messages to the streaming device over
 * webrtc_bridge, queueing them while the streaming device is absent or asleep, hands its
 * answers and candidates back to app_webrtc, and answers its ICE_REQUESTs.
 *
 * Queue states (spec §2.7): WAITING_FOR_WAKEUP (start, link lost, trigger_wakeup: messages
 * queue, a READY_QUERY asks the streaming device whether it is there) and READY (after its
 * READY: the queue is flushed in order and later messages go straight out).
 */
#include "signaling_bridge_adapter.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_webrtc.h"
#include "bridge_signaling.h"
#include "port/loop.h"
#include "signaling/bridge/bridge_msg.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "bridge"

typedef enum { QUEUE_WAITING_FOR_WAKEUP, QUEUE_READY } queue_state_t;

typedef struct {
    uint8_t *buf; /* from malloc: handed to webrtc_bridge_send_message */
    size_t len;
} queued_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static bool g_initialized;
static queue_state_t g_state;
static queued_t g_queue[SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN];
static size_t g_queue_len;
static signaling_bridge_adapter_stats_t g_stats;
static uint64_t g_custom;
static WEBRTC_STATUS (*g_on_message)(uint64_t, webrtc_message_t *);
static ertc_loop_t *g_loop; /* app_webrtc's loop: its callbacks run there */

static void send_control(uint32_t type)
{
    ertc_bridge_msg_t m = {.version = ERTC_BRIDGE_MSG_VERSION, .type = type};
    size_t len = 0;
    uint8_t *buf = ertc_bridge_msg_serialize(&m, &len);
    if (buf != NULL) {
        webrtc_bridge_send_message((char *)buf, (int)len);
    }
}

/* Sends the queued messages in order; called with g_mu held. */
static void flush_locked(void)
{
    for (size_t i = 0; i < g_queue_len; i++) {
        webrtc_bridge_send_message((char *)g_queue[i].buf, (int)g_queue[i].len);
        g_stats.forwarded++;
    }
    ERTC_LOGI(TAG, "bridge: streaming device ready, %zu queued messages sent", g_queue_len);
    g_queue_len = 0;
}

static int to_bridge_type(esp_webrtc_message_type_t t, uint32_t *out)
{
    switch (t) {
    case ESP_WEBRTC_MESSAGE_OFFER: *out = ERTC_BRIDGE_MSG_OFFER; return 0;
    case ESP_WEBRTC_MESSAGE_ANSWER: *out = ERTC_BRIDGE_MSG_ANSWER; return 0;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: *out = ERTC_BRIDGE_MSG_ICE_CANDIDATE; return 0;
    case ESP_WEBRTC_MESSAGE_TRIGGER_OFFER: *out = ERTC_BRIDGE_MSG_TRIGGER_OFFER; return 0;
    default: return -1;
    }
}

int signaling_bridge_adapter_send_message(webrtc_message_t *msg)
{
    uint32_t type = 0;
    if (msg == NULL || to_bridge_type(msg->message_type, &type) != 0) {
        return -1;
    }
    ertc_bridge_msg_t m = {.version = ERTC_BRIDGE_MSG_VERSION,
                           .type = type,
                           .peer_id = msg->peer_client_id,
                           .peer_id_len = strnlen(msg->peer_client_id,
                                                  sizeof(msg->peer_client_id)),
                           .correlation_id = msg->correlation_id,
                           .correlation_id_len = strnlen(msg->correlation_id,
                                                         sizeof(msg->correlation_id)),
                           .payload = (const uint8_t *)msg->payload,
                           .payload_len = msg->payload != NULL ? msg->payload_len : 0};
    size_t len = 0;
    uint8_t *buf = ertc_bridge_msg_serialize(&m, &len);
    if (buf == NULL) {
        return -1;
    }
    pthread_mutex_lock(&g_mu);
    if (!g_initialized) {
        pthread_mutex_unlock(&g_mu);
        free(buf);
        return -1;
    }
    if (g_state == QUEUE_READY) {
        g_stats.forwarded++;
        pthread_mutex_unlock(&g_mu);
        webrtc_bridge_send_message((char *)buf, (int)len);
        return 0;
    }
    if (g_queue_len >= SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN) {
        g_stats.dropped++; /* as the ESP port: the newest is dropped */
        pthread_mutex_unlock(&g_mu);
        ERTC_LOGW(TAG, "bridge queue full (%d): %s for %s dropped",
                  SIGNALING_BRIDGE_ADAPTER_QUEUE_LEN, ertc_bridge_msg_type_name(type),
                  msg->peer_client_id);
        free(buf);
        return 0;
    }
    g_queue[g_queue_len].buf = buf;
    g_queue[g_queue_len].len = len;
    g_queue_len++;
    pthread_mutex_unlock(&g_mu);
    ERTC_LOGI(TAG, "bridge: streaming device not ready, %s for %s queued",
              ertc_bridge_msg_type_name(type), msg->peer_client_id);
    if (type == ERTC_BRIDGE_MSG_OFFER) {
        send_control(ERTC_BRIDGE_MSG_READY_QUERY); /* wake it / ask whether it is there */
    }
    return 0;
}

int signaling_bridge_adapter_rpc_handler(int index, uint8_t **data, int *len, bool *have_more)
{
    if (data == NULL || len == NULL || have_more == NULL) {
        return -1;
    }
    return app_webrtc_get_server_by_idx(index, true, data, len, have_more) ==
                   WEBRTC_STATUS_SUCCESS
               ? 0
               : -1;
}

/* ICE_REQUEST: one server from the backend's configuration, as ICE_SERVER_RESPONSE. */
static void answer_ice_request(const ertc_bridge_msg_t *req)
{
    uint32_t index = 0;
    bool use_turn = false;
    if (ertc_bridge_ice_request_decode(req->payload, req->payload_len, &index, &use_turn) !=
            WEBRTC_STATUS_SUCCESS ||
        index > 64) {
        ERTC_LOGW(TAG, "bridge: malformed ICE_REQUEST ignored");
        return;
    }
    ertc_bridge_ice_response_t r;
    memset(&r, 0, sizeof(r));
    uint8_t *data = NULL;
    int len = 0;
    bool more = false;
    if (signaling_bridge_adapter_rpc_handler((int)index, &data, &len, &more) == 0 &&
        data != NULL && len >= (int)sizeof(app_webrtc_ice_server_t)) {
        const app_webrtc_ice_server_t *s = (const app_webrtc_ice_server_t *)data;
        snprintf(r.url, sizeof(r.url), "%.*s", (int)sizeof(r.url) - 1, s->urls);
        snprintf(r.username, sizeof(r.username), "%.*s", (int)sizeof(r.username) - 1,
                 s->username);
        snprintf(r.credential, sizeof(r.credential), "%.*s", (int)sizeof(r.credential) - 1,
                 s->credential);
    }
    r.have_more = more;
    free(data);
    uint8_t payload[ERTC_BRIDGE_ICE_RESPONSE_LEN];
    ertc_bridge_ice_response_encode(&r, payload);
    memset(&r, 0, sizeof(r)); /* the credential does not linger on the stack */
    ertc_bridge_msg_t m = {.version = ERTC_BRIDGE_MSG_VERSION,
                           .type = ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE,
                           .peer_id = "signaling-device", .peer_id_len = 16,
                           .correlation_id = "ice-response", .correlation_id_len = 12,
                           .payload = payload, .payload_len = sizeof(payload)};
    size_t n = 0;
    uint8_t *buf = ertc_bridge_msg_serialize(&m, &n);
    memset(payload, 0, sizeof(payload));
    if (buf != NULL) {
        webrtc_bridge_send_message((char *)buf, (int)n);
    }
    pthread_mutex_lock(&g_mu);
    g_stats.ice_queries++;
    pthread_mutex_unlock(&g_mu);
    ERTC_LOGD(TAG, "bridge: ICE server %u sent (have_more %d)", index, more);
}

typedef struct {
    webrtc_message_t msg;
    char payload[]; /* NUL-terminated copy */
} delivery_t;

static void deliver(void *arg)
{
    delivery_t *d = arg;
    pthread_mutex_lock(&g_mu);
    WEBRTC_STATUS (*cb)(uint64_t, webrtc_message_t *) = g_on_message;
    uint64_t custom = g_custom;
    pthread_mutex_unlock(&g_mu);
    if (cb != NULL) {
        cb(custom, &d->msg);
    } else {
        ERTC_LOGW(TAG, "bridge: no app_webrtc callback: a message from the streaming device "
                       "was dropped");
    }
    ertc_free(d);
}

/* A message from the streaming device for the backend, delivered on app_webrtc's loop. */
static void forward_to_backend(const ertc_bridge_msg_t *m, esp_webrtc_message_type_t type)
{
    delivery_t *d = ertc_calloc(1, sizeof(*d) + m->payload_len + 1);
    if (d == NULL) {
        return;
    }
    d->msg.message_type = type;
    d->msg.version = m->version;
    snprintf(d->msg.peer_client_id, sizeof(d->msg.peer_client_id), "%.*s",
             (int)m->peer_id_len, m->peer_id != NULL ? m->peer_id : "");
    snprintf(d->msg.correlation_id, sizeof(d->msg.correlation_id), "%.*s",
             (int)m->correlation_id_len, m->correlation_id != NULL ? m->correlation_id : "");
    if (m->payload_len > 0) {
        memcpy(d->payload, m->payload, m->payload_len);
    }
    d->msg.payload = d->payload;
    d->msg.payload_len = (uint32_t)m->payload_len;
    pthread_mutex_lock(&g_mu);
    ertc_loop_t *loop = g_loop;
    pthread_mutex_unlock(&g_mu);
    if (loop == NULL || ertc_loop_post(loop, deliver, d) != WEBRTC_STATUS_SUCCESS) {
        deliver(d);
    }
}

static void handle_bridged_message(const void *data, int len)
{
    ertc_bridge_msg_t m;
    if (len < 0 || ertc_bridge_msg_decode(data, (size_t)len, &m) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "bridge: undecodable message (%d bytes) from the streaming device", len);
        return;
    }
    switch (m.type) {
    case ERTC_BRIDGE_MSG_READY:
        pthread_mutex_lock(&g_mu);
        g_state = QUEUE_READY;
        g_stats.streaming_ready = true;
        flush_locked();
        pthread_mutex_unlock(&g_mu);
        break;
    case ERTC_BRIDGE_MSG_OFFER: forward_to_backend(&m, ESP_WEBRTC_MESSAGE_OFFER); break;
    case ERTC_BRIDGE_MSG_ANSWER: forward_to_backend(&m, ESP_WEBRTC_MESSAGE_ANSWER); break;
    case ERTC_BRIDGE_MSG_ICE_CANDIDATE:
        forward_to_backend(&m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE);
        break;
    case ERTC_BRIDGE_MSG_ICE_REQUEST: answer_ice_request(&m); break;
    default:
        ERTC_LOGD(TAG, "bridge: %s from the streaming device ignored",
                  ertc_bridge_msg_type_name(m.type));
        break;
    }
}

static void on_link_state(bool up)
{
    pthread_mutex_lock(&g_mu);
    g_state = QUEUE_WAITING_FOR_WAKEUP;
    g_stats.streaming_ready = false;
    pthread_mutex_unlock(&g_mu);
    if (up) {
        send_control(ERTC_BRIDGE_MSG_READY_QUERY);
    }
}

WEBRTC_STATUS signaling_bridge_adapter_init(const signaling_bridge_adapter_config_t *config)
{
    (void)config;
    pthread_mutex_lock(&g_mu);
    if (!g_initialized) {
        g_initialized = true;
        g_state = QUEUE_WAITING_FOR_WAKEUP;
        g_queue_len = 0;
        memset(&g_stats, 0, sizeof(g_stats));
    }
    pthread_mutex_unlock(&g_mu);
    webrtc_bridge_register_handler(handle_bridged_message);
    webrtc_bridge_register_state_handler(on_link_state);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS signaling_bridge_adapter_start(void)
{
    pthread_mutex_lock(&g_mu);
    bool ok = g_initialized;
    pthread_mutex_unlock(&g_mu);
    if (!ok) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    webrtc_bridge_start(); /* READY_QUERY goes out when the link comes up */
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS signaling_bridge_adapter_register_callbacks(
    uint64_t custom_data, WEBRTC_STATUS (*on_message_received)(uint64_t, webrtc_message_t *))
{
    pthread_mutex_lock(&g_mu);
    g_custom = custom_data;
    g_on_message = on_message_received;
    pthread_mutex_unlock(&g_mu);
    return WEBRTC_STATUS_SUCCESS;
}

void signaling_bridge_adapter_trigger_wakeup(void)
{
    pthread_mutex_lock(&g_mu);
    g_state = QUEUE_WAITING_FOR_WAKEUP;
    g_stats.streaming_ready = false;
    pthread_mutex_unlock(&g_mu);
}

void signaling_bridge_adapter_get_stats(signaling_bridge_adapter_stats_t *stats)
{
    pthread_mutex_lock(&g_mu);
    *stats = g_stats;
    stats->queued = (uint32_t)g_queue_len;
    pthread_mutex_unlock(&g_mu);
}

void signaling_bridge_adapter_deinit(void)
{
    webrtc_bridge_register_handler(NULL);
    webrtc_bridge_register_state_handler(NULL);
    webrtc_bridge_stop();
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < g_queue_len; i++) {
        free(g_queue[i].buf);
    }
    g_queue_len = 0;
    g_initialized = false;
    g_on_message = NULL;
    g_loop = NULL;
    pthread_mutex_unlock(&g_mu);
}

/* ---- the bridge peer-connection interface (create_session NULL) ------------------------- */

static int g_pc_client; /* an address to hand out as the client */

static WEBRTC_STATUS bridge_pc_init(void *pc_cfg, void **client)
{
    if (client == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    const webrtc_peer_connection_config_t *cfg = pc_cfg;
    pthread_mutex_lock(&g_mu);
    g_loop = cfg != NULL ? cfg->event_loop : NULL;
    pthread_mutex_unlock(&g_mu);
    signaling_bridge_adapter_config_t acfg = {.user_ctx = NULL, .auto_register_callbacks = false};
    WEBRTC_STATUS st = signaling_bridge_adapter_init(&acfg);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = signaling_bridge_adapter_start();
    }
    *client = &g_pc_client;
    return st;
}

static WEBRTC_STATUS bridge_pc_set_ice_servers(void *client, void *servers, uint32_t count)
{
    (void)client;
    (void)servers;
    (void)count;
    return WEBRTC_STATUS_SUCCESS; /* the streaming device asks for them by index */
}

static WEBRTC_STATUS bridge_pc_send_message(void *session, webrtc_message_t *msg)
{
    (void)session;
    return signaling_bridge_adapter_send_message(msg) == 0 ? WEBRTC_STATUS_SUCCESS
                                                           : WEBRTC_STATUS_INVALID_ARG;
}

static WEBRTC_STATUS bridge_pc_destroy_session(void *session)
{
    (void)session;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_pc_free(void *client)
{
    (void)client;
    signaling_bridge_adapter_deinit();
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_pc_set_callbacks(
    void *session, uint64_t custom, WEBRTC_STATUS (*on_message)(uint64_t, webrtc_message_t *),
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t))
{
    (void)session;
    (void)on_state;
    return signaling_bridge_adapter_register_callbacks(custom, on_message);
}

webrtc_peer_connection_if_t *bridge_peer_connection_if_get(void)
{
    static webrtc_peer_connection_if_t pc = {
        .init = bridge_pc_init,
        .set_ice_servers = bridge_pc_set_ice_servers,
        .create_session = NULL, /* bridge-only: app_webrtc runs in signaling-only mode */
        .send_message = bridge_pc_send_message,
        .destroy_session = bridge_pc_destroy_session,
        .free = bridge_pc_free,
        .set_callbacks = bridge_pc_set_callbacks,
    };
    return &pc;
}
