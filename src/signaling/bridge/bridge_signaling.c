/*
 * Bridge signaling client (streaming device side of split mode; bridge_signaling.h, spec
 * §1.10, §2.7). A webrtc_signaling_client_if_t whose "server" is the signaling device at the
 * other end of webrtc_bridge:
 *  - connect reports CONNECTING then CONNECTED at once and announces READY (again whenever
 *    the link comes back, and in answer to READY_QUERY once app_webrtc's callback is
 *    registered, so that the signaling device never flushes offers into a handler that would
 *    drop them);
 *  - OFFER / ANSWER / ICE_CANDIDATE from the link go to app_webrtc; TRIGGER_OFFER starts an
 *    offer; answers and candidates go back over the link;
 *  - ICE servers are pulled one index at a time (ICE_REQUEST, answered by
 *    ICE_SERVER_RESPONSE) on a worker thread: index 0 (STUN) is announced through the ICE
 *    update callback as soon as it arrives, the TURN entries when they have all arrived.
 * There is one bridge per process, so one client at a time.
 */
#include "bridge_signaling.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_webrtc.h"
#include "signaling/bridge/bridge_msg.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "bridge"
#define ICE_RESPONSE_TIMEOUT_MS 2000
#define ICE_BUSY_RETRY_MS       500  /* "refresh in progress" (spec §2.7) */
#define ICE_MAX_TRIES           10

typedef struct {
    char client_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool connected;
    bool link_up;
    uint64_t custom;
    WEBRTC_STATUS (*on_msg)(uint64_t, esp_webrtc_signaling_message_t *);
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_signaling_client_state_t);
    uint64_t ice_custom;
    WEBRTC_STATUS (*on_ice)(uint64_t, uint32_t);

    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    bool have_response;
    ertc_bridge_ice_response_t response;
    bool refreshing;
    bool refresh_again;
    bool stopping;
    pthread_t refresh_thread;
    bool refresh_thread_live;
} bridge_client_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static bridge_client_t *g_client;

static void send_msg(uint32_t type, const char *peer, const char *corr, const void *payload,
                     size_t payload_len)
{
    ertc_bridge_msg_t m = {.version = ERTC_BRIDGE_MSG_VERSION,
                           .type = type,
                           .peer_id = peer,
                           .peer_id_len = peer != NULL ? strlen(peer) : 0,
                           .correlation_id = corr,
                           .correlation_id_len = corr != NULL ? strlen(corr) : 0,
                           .payload = payload,
                           .payload_len = payload_len};
    size_t len = 0;
    uint8_t *buf = ertc_bridge_msg_serialize(&m, &len);
    if (buf != NULL) {
        webrtc_bridge_send_message((char *)buf, (int)len);
    }
}

static void send_ready(void)
{
    send_msg(ERTC_BRIDGE_MSG_READY, "streaming_client", "ready", NULL, 0);
}

/* Waits for an ICE_SERVER_RESPONSE; false on timeout or stop. Called with c->mu held. */
static bool wait_response(bridge_client_t *c, ertc_bridge_ice_response_t *out)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ICE_RESPONSE_TIMEOUT_MS / 1000;
    while (!c->have_response && !c->stopping) {
        if (pthread_cond_timedwait(&c->cond, &c->mu, &until) == ETIMEDOUT) {
            break;
        }
    }
    if (!c->have_response) {
        return false;
    }
    *out = c->response;
    c->have_response = false;
    explicit_bzero(&c->response, sizeof(c->response));
    return true;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void announce(bridge_client_t *c, uint32_t count)
{
    pthread_mutex_lock(&c->mu);
    WEBRTC_STATUS (*cb)(uint64_t, uint32_t) = c->on_ice;
    uint64_t custom = c->ice_custom;
    pthread_mutex_unlock(&c->mu);
    if (cb != NULL) {
        cb(custom, count);
    }
}

/* Pulls every ICE server by index (spec §2.7 "ICE-server RPC", over the bridge). */
static void pull_ice_servers(bridge_client_t *c)
{
    app_webrtc_ice_server_t got[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t n = 0;
    uint32_t index = 0;
    int tries = 0;
    memset(got, 0, sizeof(got));
    while (n < APP_WEBRTC_MAX_ICE_SERVERS_COUNT && tries < ICE_MAX_TRIES) {
        uint8_t req[ERTC_BRIDGE_ICE_REQUEST_LEN];
        char corr[32];
        ertc_bridge_ice_request_encode(index, true, req);
        snprintf(corr, sizeof(corr), "ice-req-%u", index);
        pthread_mutex_lock(&c->mu);
        c->have_response = false;
        bool stop = c->stopping;
        pthread_mutex_unlock(&c->mu);
        if (stop) {
            break;
        }
        send_msg(ERTC_BRIDGE_MSG_ICE_REQUEST, "streaming-device", corr, req, sizeof(req));
        ertc_bridge_ice_response_t r;
        pthread_mutex_lock(&c->mu);
        bool ok = wait_response(c, &r);
        pthread_mutex_unlock(&c->mu);
        if (!ok) {
            tries++;
            continue;
        }
        if (r.url[0] == '\0') {
            if (!r.have_more) {
                break; /* no more servers */
            }
            if (index == 0) {
                index++; /* no STUN server but TURN ones follow (index 0 is the STUN slot) */
                continue;
            }
            tries++;
            sleep_ms(ICE_BUSY_RETRY_MS);
            continue;
        }
        snprintf(got[n].urls, sizeof(got[n].urls), "%s", r.url);
        snprintf(got[n].username, sizeof(got[n].username), "%s", r.username);
        snprintf(got[n].credential, sizeof(got[n].credential), "%s", r.credential);
        bool more = r.have_more;
        explicit_bzero(&r, sizeof(r));
        n++;
        index++;
        tries = 0;
        if (n == 1) {
            /* STUN first: gathering can start before TURN credentials arrive */
            pthread_mutex_lock(&c->mu);
            memcpy(c->ice, got, sizeof(got));
            c->ice_count = n;
            pthread_mutex_unlock(&c->mu);
            announce(c, n);
        }
        if (!more) {
            break;
        }
    }
    if (n > 1) {
        pthread_mutex_lock(&c->mu);
        memcpy(c->ice, got, sizeof(got));
        c->ice_count = n;
        pthread_mutex_unlock(&c->mu);
        ERTC_LOGI(TAG, "bridge: %u ICE servers from the signaling device", n);
        announce(c, n);
    } else if (n == 0) {
        ERTC_LOGW(TAG, "bridge: the signaling device gave no ICE servers");
    }
    explicit_bzero(got, sizeof(got));
}

static void *refresh_main(void *arg)
{
    bridge_client_t *c = arg;
    for (;;) {
        pull_ice_servers(c);
        pthread_mutex_lock(&c->mu);
        bool again = c->refresh_again && !c->stopping;
        c->refresh_again = false;
        if (!again) {
            c->refreshing = false;
        }
        pthread_mutex_unlock(&c->mu);
        if (!again) {
            return NULL;
        }
    }
}

static WEBRTC_STATUS start_refresh(bridge_client_t *c)
{
    pthread_mutex_lock(&c->mu);
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (c->refreshing) {
        c->refresh_again = true;
    } else if (!c->stopping) {
        if (c->refresh_thread_live) {
            pthread_mutex_unlock(&c->mu);
            pthread_join(c->refresh_thread, NULL); /* a finished previous run */
            pthread_mutex_lock(&c->mu);
            c->refresh_thread_live = false;
        }
        c->refreshing = true;
        if (pthread_create(&c->refresh_thread, NULL, refresh_main, c) != 0) {
            c->refreshing = false;
            st = WEBRTC_STATUS_INTERNAL_ERROR;
        } else {
            c->refresh_thread_live = true;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}

static esp_webrtc_message_type_t from_bridge_type(uint32_t t)
{
    switch (t) {
    case ERTC_BRIDGE_MSG_OFFER: return ESP_WEBRTC_MESSAGE_OFFER;
    case ERTC_BRIDGE_MSG_ANSWER: return ESP_WEBRTC_MESSAGE_ANSWER;
    case ERTC_BRIDGE_MSG_ICE_CANDIDATE: return ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
    default: return ESP_WEBRTC_MESSAGE_UNKNOWN;
    }
}

static void deliver(bridge_client_t *c, const ertc_bridge_msg_t *m)
{
    pthread_mutex_lock(&c->mu);
    WEBRTC_STATUS (*cb)(uint64_t, esp_webrtc_signaling_message_t *) = c->on_msg;
    uint64_t custom = c->custom;
    pthread_mutex_unlock(&c->mu);
    if (cb == NULL) {
        ERTC_LOGW(TAG, "bridge: %s before app_webrtc registered: dropped",
                  ertc_bridge_msg_type_name(m->type));
        return;
    }
    esp_webrtc_signaling_message_t msg;
    memset(&msg, 0, sizeof(msg));
    msg.message_type = from_bridge_type(m->type);
    msg.version = m->version;
    snprintf(msg.peer_client_id, sizeof(msg.peer_client_id), "%.*s", (int)m->peer_id_len,
             m->peer_id != NULL ? m->peer_id : "");
    snprintf(msg.correlation_id, sizeof(msg.correlation_id), "%.*s", (int)m->correlation_id_len,
             m->correlation_id != NULL ? m->correlation_id : "");
    char *payload = ertc_malloc(m->payload_len + 1); /* NUL-terminated copy */
    if (payload == NULL) {
        return;
    }
    if (m->payload_len > 0) {
        memcpy(payload, m->payload, m->payload_len);
    }
    payload[m->payload_len] = '\0';
    msg.payload = payload;
    msg.payload_len = (uint32_t)m->payload_len;
    cb(custom, &msg); /* app_webrtc copies what it keeps */
    ertc_free(payload);
}

static void bridge_message_handler(const void *data, int len)
{
    ertc_bridge_msg_t m;
    if (len < 0 || ertc_bridge_msg_decode(data, (size_t)len, &m) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "bridge: undecodable message (%d bytes) from the signaling device", len);
        return;
    }
    pthread_mutex_lock(&g_mu);
    bridge_client_t *c = g_client;
    pthread_mutex_unlock(&g_mu);
    if (c == NULL) {
        return;
    }
    switch (m.type) {
    case ERTC_BRIDGE_MSG_READY_QUERY: {
        pthread_mutex_lock(&c->mu);
        bool ready = c->connected && c->on_msg != NULL;
        pthread_mutex_unlock(&c->mu);
        if (ready) {
            send_ready();
        }
        break;
    }
    case ERTC_BRIDGE_MSG_OFFER:
    case ERTC_BRIDGE_MSG_ANSWER:
    case ERTC_BRIDGE_MSG_ICE_CANDIDATE: deliver(c, &m); break;
    case ERTC_BRIDGE_MSG_TRIGGER_OFFER: {
        char peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
        snprintf(peer, sizeof(peer), "%.*s", (int)m.peer_id_len, m.peer_id != NULL ? m.peer_id : "");
        (void)app_webrtc_trigger_offer(peer);
        break;
    }
    case ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE: {
        ertc_bridge_ice_response_t r;
        if (ertc_bridge_ice_response_decode(m.payload, m.payload_len, &r) !=
            WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "bridge: malformed ICE_SERVER_RESPONSE ignored");
            break;
        }
        pthread_mutex_lock(&c->mu);
        c->response = r;
        c->have_response = true;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mu);
        explicit_bzero(&r, sizeof(r));
        break;
    }
    default:
        ERTC_LOGD(TAG, "bridge: %s from the signaling device ignored",
                  ertc_bridge_msg_type_name(m.type));
        break;
    }
}

static void bridge_state_handler(bool up)
{
    pthread_mutex_lock(&g_mu);
    bridge_client_t *c = g_client;
    pthread_mutex_unlock(&g_mu);
    if (c == NULL) {
        return;
    }
    pthread_mutex_lock(&c->mu);
    c->link_up = up;
    bool ready = up && c->connected && c->on_msg != NULL;
    pthread_mutex_unlock(&c->mu);
    if (ready) {
        send_ready();
        (void)start_refresh(c); /* fresh TURN credentials after every reconnect */
    }
}

/* ---- the interface ------------------------------------------------------------------------ */

static WEBRTC_STATUS bridge_init(void *cfg, void **out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&g_mu);
    if (g_client != NULL) {
        pthread_mutex_unlock(&g_mu);
        ERTC_LOGE(TAG, "bridge signaling: one client per process (the bridge link is shared)");
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    bridge_client_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        pthread_mutex_unlock(&g_mu);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    const bridge_signaling_config_t *bc = cfg;
    snprintf(c->client_id, sizeof(c->client_id), "%s",
             bc != NULL && bc->client_id != NULL ? bc->client_id : "streaming_client");
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cond, NULL);
    g_client = c;
    pthread_mutex_unlock(&g_mu);
    webrtc_bridge_register_handler(bridge_message_handler);
    webrtc_bridge_register_state_handler(bridge_state_handler);
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_connect(void *client)
{
    bridge_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    webrtc_bridge_start(); /* idempotent; the application normally started it already */
    bool up = webrtc_bridge_is_up(); /* the link may have come up before this client existed */
    pthread_mutex_lock(&c->mu);
    c->connected = true;
    c->link_up = c->link_up || up;
    WEBRTC_STATUS (*cb)(uint64_t, webrtc_signaling_client_state_t) = c->on_state;
    uint64_t custom = c->custom;
    bool ready = c->link_up && c->on_msg != NULL;
    pthread_mutex_unlock(&c->mu);
    if (cb != NULL) {
        /* CONNECTING first, as the interface asks of every backend (the conformance kit
         * checks it); the bridge client is connected as soon as it exists: its "server" is
         * the signaling device, which queues until our READY. */
        cb(custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
        cb(custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    }
    if (ready) {
        send_ready();
        (void)start_refresh(c);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_disconnect(void *client)
{
    bridge_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->mu);
    c->connected = false;
    explicit_bzero(c->ice, sizeof(c->ice)); /* the spec invalidates the cache */
    c->ice_count = 0;
    pthread_mutex_unlock(&c->mu);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_send_message(void *client, esp_webrtc_signaling_message_t *msg)
{
    bridge_client_t *c = client;
    if (c == NULL || msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    uint32_t type;
    switch (msg->message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER: type = ERTC_BRIDGE_MSG_OFFER; break;
    case ESP_WEBRTC_MESSAGE_ANSWER: type = ERTC_BRIDGE_MSG_ANSWER; break;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: type = ERTC_BRIDGE_MSG_ICE_CANDIDATE; break;
    default: return WEBRTC_STATUS_INVALID_ARG; /* only these cross the bridge (spec §2.7) */
    }
    if (msg->payload != NULL && msg->payload_len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) {
        /* refused, not sent: the signaling device's backend could not carry it either */
        return WEBRTC_STATUS_INVALID_ARG;
    }
    pthread_mutex_lock(&c->mu);
    bool ok = c->connected;
    pthread_mutex_unlock(&c->mu);
    if (!ok) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    char peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    char corr[APP_WEBRTC_MAX_CORRELATION_ID_LEN + 1];
    snprintf(peer, sizeof(peer), "%s", msg->peer_client_id);
    snprintf(corr, sizeof(corr), "%s", msg->correlation_id);
    send_msg(type, peer, corr, msg->payload, msg->payload != NULL ? msg->payload_len : 0);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_free(void *client)
{
    bridge_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    webrtc_bridge_register_handler(NULL);
    webrtc_bridge_register_state_handler(NULL);
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_cond_broadcast(&c->cond);
    bool live = c->refresh_thread_live;
    pthread_mutex_unlock(&c->mu);
    if (live) {
        pthread_join(c->refresh_thread, NULL);
    }
    pthread_mutex_lock(&g_mu);
    g_client = NULL;
    pthread_mutex_unlock(&g_mu);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    explicit_bzero(c, sizeof(*c));
    ertc_free(c);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_set_callbacks(
    void *client, uint64_t custom, WEBRTC_STATUS (*on_msg)(uint64_t, esp_webrtc_signaling_message_t *),
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_signaling_client_state_t),
    WEBRTC_STATUS (*on_error)(uint64_t, WEBRTC_STATUS, char *, uint32_t))
{
    bridge_client_t *c = client;
    (void)on_error;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->mu);
    c->custom = custom;
    c->on_msg = on_msg;
    c->on_state = on_state;
    pthread_mutex_unlock(&c->mu);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_set_role_type(void *client, webrtc_signaling_channel_role_type_t role)
{
    (void)client;
    (void)role;
    return WEBRTC_STATUS_SUCCESS; /* the signaling device owns the role */
}

static WEBRTC_STATUS bridge_get_ice_servers(void *client, uint32_t *count, void *servers)
{
    bridge_client_t *c = client;
    if (c == NULL || count == NULL || servers == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->mu);
    memcpy(servers, c->ice, c->ice_count * sizeof(c->ice[0]));
    *count = c->ice_count;
    pthread_mutex_unlock(&c->mu);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS bridge_refresh_ice(void *client)
{
    bridge_client_t *c = client;
    return c == NULL ? WEBRTC_STATUS_NULL_ARG : start_refresh(c);
}

static WEBRTC_STATUS bridge_set_ice_update_callback(void *client, uint64_t custom,
                                                    WEBRTC_STATUS (*cb)(uint64_t, uint32_t))
{
    bridge_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->mu);
    c->ice_custom = custom;
    c->on_ice = cb;
    pthread_mutex_unlock(&c->mu);
    return WEBRTC_STATUS_SUCCESS;
}

webrtc_signaling_client_if_t *bridge_signaling_client_if_get(void)
{
    static webrtc_signaling_client_if_t iface = {
        .init = bridge_init,
        .connect = bridge_connect,
        .disconnect = bridge_disconnect,
        .send_message = bridge_send_message,
        .free = bridge_free,
        .set_callbacks = bridge_set_callbacks,
        .set_role_type = bridge_set_role_type,
        .get_ice_servers = bridge_get_ice_servers,
        .get_ice_server_by_idx = NULL,
        .is_ice_refresh_needed = NULL,
        .refresh_ice_configuration = bridge_refresh_ice,
        .set_ice_update_callback = bridge_set_ice_update_callback,
    };
    return &iface;
}

webrtc_signaling_client_if_t *getBridgeSignalingClientInterface(void)
{
    return bridge_signaling_client_if_get();
}
