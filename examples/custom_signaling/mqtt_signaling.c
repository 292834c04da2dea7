/*
 * mqtt_signaling.c — the MQTT example backend (mqtt_signaling.h).
 *
 * Threads: app_webrtc calls every member from its loop thread; libmosquitto's network thread
 * (mosquitto_loop_start) runs on_connect/on_message/on_disconnect, which call the
 * application's callbacks. The mutex guards the callback pointers, the state and the
 * "closing" flag; it is never held while an application callback runs, so a callback may
 * call send_message. free() stops the network thread (mosquitto_loop_stop joins it), which is
 * what guarantees that no callback runs after free returns.
 */
#include "mqtt_signaling.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "mqtt_message.h"

#define TOPIC_LEN 256

typedef struct {
    mqtt_signaling_config_t cfg; /* ids and strings below are our own copies */
    char host[256];
    char room[MQTT_SIG_MAX_ID_LEN + 1];
    char client_id[MQTT_SIG_MAX_ID_LEN + 1];
    char prefix[64];
    char *username;
    char *password;
    char topic_in[TOPIC_LEN];
    char topic_presence[TOPIC_LEN];
    char topic_presence_all[TOPIC_LEN];

    pthread_mutex_t lock;
    struct mosquitto *mosq;
    bool loop_running;
    bool connected;
    bool closing; /* disconnect/free in progress: drop everything from the network thread */
    webrtc_signaling_channel_role_type_t role;

    uint64_t custom_data;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
    uint64_t ice_custom_data;
    webrtc_signaling_on_ice_servers_updated_t on_ice;
} mqtt_client_t;

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mosquitto_lib_init();
}

/* ---- calling the application (never with the lock held) ----------------------------------- */

static void emit_state(mqtt_client_t *c, webrtc_signaling_client_state_t s)
{
    pthread_mutex_lock(&c->lock);
    webrtc_signaling_on_state_changed_t cb = c->closing ? NULL : c->on_state;
    uint64_t data = c->custom_data;
    pthread_mutex_unlock(&c->lock);
    if (cb != NULL) {
        cb(data, s);
    }
}

/* text is "<what failed>" + detail, joined here (the detail is network or library text). */
static void emit_error(mqtt_client_t *c, WEBRTC_STATUS st, const char *what, const char *detail)
{
    pthread_mutex_lock(&c->lock);
    webrtc_signaling_on_error_t cb = c->closing ? NULL : c->on_error;
    uint64_t data = c->custom_data;
    pthread_mutex_unlock(&c->lock);
    if (cb != NULL) {
        char text[300];
        snprintf(text, sizeof(text), "MQTT: %s%.200s", what, detail);
        cb(data, st, text, (uint32_t)strlen(text));
    }
}

static void emit_message(mqtt_client_t *c, esp_webrtc_message_type_t type, const char *peer,
                         const char *correlation, char *payload, uint32_t payload_len)
{
    pthread_mutex_lock(&c->lock);
    webrtc_signaling_on_msg_received_t cb = c->closing ? NULL : c->on_msg;
    uint64_t data = c->custom_data;
    pthread_mutex_unlock(&c->lock);
    if (cb == NULL) {
        return;
    }
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", peer);
    snprintf(m.correlation_id, sizeof(m.correlation_id), "%s", correlation ? correlation : "");
    m.payload = payload;
    m.payload_len = payload_len;
    cb(data, &m);
}

/* ---- libmosquitto callbacks (its network thread) -------------------------------------------- */

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_client_t *c = obj;
    if (rc != 0) {
        /* refused by the broker (bad login, ...): retrying the same login will not help */
        emit_error(c,
                   rc == 4 || rc == 5 ? WEBRTC_STATUS_SIGNALING_AUTH_FAILED
                                      : WEBRTC_STATUS_NETWORK_ERROR,
                   "the broker refused the connection: ", mosquitto_connack_string(rc));
        return;
    }
    pthread_mutex_lock(&c->lock);
    webrtc_signaling_channel_role_type_t role = c->role;
    pthread_mutex_unlock(&c->lock);
    char *presence = mqtt_sig_encode_presence(c->client_id, role);
    if (presence == NULL || mosquitto_subscribe(mosq, NULL, c->topic_in, 1) != MOSQ_ERR_SUCCESS ||
        mosquitto_subscribe(mosq, NULL, c->topic_presence_all, 1) != MOSQ_ERR_SUCCESS ||
        mosquitto_publish(mosq, NULL, c->topic_presence, (int)strlen(presence), presence, 1,
                          true) != MOSQ_ERR_SUCCESS) {
        free(presence);
        emit_error(c, WEBRTC_STATUS_NETWORK_ERROR, "subscribe or presence publish failed", "");
        mosquitto_disconnect(mosq); /* the loop reconnects and tries again */
        return;
    }
    free(presence);
    pthread_mutex_lock(&c->lock);
    c->connected = true;
    pthread_mutex_unlock(&c->lock);
    emit_state(c, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    mqtt_client_t *c = obj;
    pthread_mutex_lock(&c->lock);
    bool was = c->connected;
    c->connected = false;
    pthread_mutex_unlock(&c->lock);
    if (was && rc != 0) {
        /* libmosquitto reconnects by itself: report CONNECTING (app_webrtc then leaves the
         * client alone) and a plain NETWORK_ERROR, which app_webrtc only reports */
        emit_error(c, WEBRTC_STATUS_NETWORK_ERROR,
                   "connection lost, reconnecting: ", mosquitto_strerror(rc));
        emit_state(c, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    }
}

static void handle_presence(mqtt_client_t *c, const char *id, const struct mosquitto_message *m)
{
    mqtt_sig_presence_t p;
    if (mqtt_sig_parse_presence(m->payload, (size_t)m->payloadlen, id, &p) !=
        WEBRTC_STATUS_SUCCESS) {
        emit_error(c, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE,
                   "malformed presence record dropped from ", id);
        return;
    }
    if (strcmp(p.from, c->client_id) == 0) {
        return; /* our own record */
    }
    pthread_mutex_lock(&c->lock);
    webrtc_signaling_channel_role_type_t role = c->role;
    pthread_mutex_unlock(&c->lock);
    if (!p.present) {
        emit_message(c, ESP_WEBRTC_MESSAGE_BYE, p.from, NULL, NULL, 0);
    } else if (role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER &&
               p.role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER) {
        emit_message(c, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, p.from, NULL, NULL, 0);
    }
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    (void)mosq;
    mqtt_client_t *c = obj;
    size_t plen = strlen(c->topic_presence_all) - 1; /* "<prefix>/<room>/presence/" */
    if (strncmp(m->topic, c->topic_presence_all, plen) == 0) {
        handle_presence(c, m->topic + plen, m);
        return;
    }
    if (strcmp(m->topic, c->topic_in) != 0) {
        return;
    }
    mqtt_sig_msg_t msg;
    WEBRTC_STATUS st = mqtt_sig_parse(m->payload, (size_t)m->payloadlen, &msg);
    if (st != WEBRTC_STATUS_SUCCESS || strcmp(msg.to, c->client_id) != 0) {
        emit_error(c, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE,
                   "malformed or misaddressed message dropped on ", m->topic);
        mqtt_sig_msg_clear(&msg);
        return;
    }
    emit_message(c, msg.type, msg.from, msg.correlation, msg.payload, msg.payload_len);
    mqtt_sig_msg_clear(&msg);
}

/* ---- the interface -------------------------------------------------------------------------- */

static WEBRTC_STATUS mqtt_init(void *signaling_cfg, void **pp)
{
    mqtt_signaling_config_t *cfg = signaling_cfg;
    if (cfg == NULL || pp == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *pp = NULL;
    const char *prefix = cfg->topic_prefix ? cfg->topic_prefix : "edgertc";
    if (cfg->host == NULL || cfg->host[0] == '\0' || strlen(cfg->host) >= 256 ||
        !mqtt_sig_valid_id(cfg->room) || !mqtt_sig_valid_id(cfg->client_id) ||
        strlen(prefix) >= 64 || strpbrk(prefix, "+#") != NULL ||
        cfg->ice_server_count > APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    mqtt_client_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    c->cfg = *cfg;
    snprintf(c->host, sizeof(c->host), "%s", cfg->host);
    snprintf(c->room, sizeof(c->room), "%s", cfg->room);
    snprintf(c->client_id, sizeof(c->client_id), "%s", cfg->client_id);
    snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
    c->username = cfg->username ? strdup(cfg->username) : NULL;
    c->password = cfg->password ? strdup(cfg->password) : NULL;
    c->cfg.password = NULL; /* only our copy is kept */
    if (!mqtt_sig_topic_in(c->topic_in, TOPIC_LEN, c->prefix, c->room, c->client_id) ||
        !mqtt_sig_topic_presence(c->topic_presence, TOPIC_LEN, c->prefix, c->room, c->client_id) ||
        !mqtt_sig_topic_presence(c->topic_presence_all, TOPIC_LEN, c->prefix, c->room, "+") ||
        (cfg->username && c->username == NULL) || (cfg->password && c->password == NULL) ||
        pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->username);
        free(c->password);
        free(c);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    pthread_once(&lib_once, lib_init);
    *pp = c;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_set_callbacks(void *p, uint64_t data,
                                        webrtc_signaling_on_msg_received_t on_msg,
                                        webrtc_signaling_on_state_changed_t on_state,
                                        webrtc_signaling_on_error_t on_error)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->lock);
    c->custom_data = data;
    c->on_msg = on_msg;
    c->on_state = on_state;
    c->on_error = on_error;
    pthread_mutex_unlock(&c->lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_set_role(void *p, webrtc_signaling_channel_role_type_t role)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->lock);
    c->role = role;
    pthread_mutex_unlock(&c->lock);
    return WEBRTC_STATUS_SUCCESS;
}

/* Stops the network thread; afterwards no libmosquitto callback runs. */
static void stop_loop(mqtt_client_t *c)
{
    pthread_mutex_lock(&c->lock);
    c->closing = true;
    struct mosquitto *mosq = c->mosq;
    bool running = c->loop_running;
    c->mosq = NULL;
    c->loop_running = false;
    c->connected = false;
    pthread_mutex_unlock(&c->lock);
    if (mosq == NULL) {
        return;
    }
    /* Clear our presence ourselves: a clean disconnect does not send the last will. */
    mosquitto_publish(mosq, NULL, c->topic_presence, 0, NULL, 1, true);
    mosquitto_disconnect(mosq);
    if (running) {
        /* Not forced: mosquitto_disconnect marked the client disconnected, so the loop ends
         * (waking from a reconnect back-off too) and the thread is joined; cancelling it
         * could stop it inside an application callback. */
        mosquitto_loop_stop(mosq, false);
    }
    mosquitto_destroy(mosq);
}

static WEBRTC_STATUS mqtt_connect(void *p)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->lock);
    bool busy = c->mosq != NULL;
    pthread_mutex_unlock(&c->lock);
    if (busy) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    struct mosquitto *mosq = mosquitto_new(c->client_id, true, c);
    if (mosq == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    mosquitto_connect_callback_set(mosq, on_connect);
    mosquitto_disconnect_callback_set(mosq, on_disconnect);
    mosquitto_message_callback_set(mosq, on_message);
    mosquitto_reconnect_delay_set(mosq, 1, 30, true);
    mosquitto_will_set(mosq, c->topic_presence, 0, NULL, 1, true);
    if (c->username != NULL) {
        mosquitto_username_pw_set(mosq, c->username, c->password);
    }
    pthread_mutex_lock(&c->lock);
    c->mosq = mosq;
    c->closing = false;
    pthread_mutex_unlock(&c->lock);
    emit_state(c, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    int rc = mosquitto_connect_async(mosq, c->host, c->cfg.port ? c->cfg.port : 1883,
                                     c->cfg.keepalive_s ? c->cfg.keepalive_s : 30);
    if (rc != MOSQ_ERR_SUCCESS) {
        /* not fatal: the loop below keeps retrying until the broker answers */
        emit_error(c, WEBRTC_STATUS_NETWORK_ERROR, "connect (retrying): ",
                   rc == MOSQ_ERR_ERRNO ? "cannot reach the broker" : mosquitto_strerror(rc));
    }
    if (mosquitto_loop_start(mosq) != MOSQ_ERR_SUCCESS) {
        stop_loop(c);
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    pthread_mutex_lock(&c->lock);
    c->loop_running = true;
    pthread_mutex_unlock(&c->lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_disconnect(void *p)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->lock);
    bool had = c->mosq != NULL;
    pthread_mutex_unlock(&c->lock);
    stop_loop(c);
    pthread_mutex_lock(&c->lock);
    c->closing = false;
    pthread_mutex_unlock(&c->lock);
    if (had) {
        emit_state(c, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_send(void *p, esp_webrtc_signaling_message_t *m)
{
    mqtt_client_t *c = p;
    if (c == NULL || m == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!mqtt_sig_valid_id(m->peer_client_id)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    char topic[TOPIC_LEN];
    char *wire = mqtt_sig_encode(m->message_type, c->client_id, m->peer_client_id,
                                 m->correlation_id, m->payload, m->payload_len);
    if (wire == NULL ||
        !mqtt_sig_topic_in(topic, sizeof(topic), c->prefix, c->room, m->peer_client_id)) {
        free(wire);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_RETRY_LATER;
    pthread_mutex_lock(&c->lock);
    if (c->mosq != NULL && c->connected) {
        /* libmosquitto copies the payload; publish is safe from any thread */
        int rc = mosquitto_publish(c->mosq, NULL, topic, (int)strlen(wire), wire, 1, false);
        st = rc == MOSQ_ERR_SUCCESS ? WEBRTC_STATUS_SUCCESS
             : rc == MOSQ_ERR_NOMEM ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                    : WEBRTC_STATUS_RETRY_LATER;
    } else if (c->mosq == NULL) {
        st = WEBRTC_STATUS_INVALID_OPERATION; /* never connected, or disconnected */
    }
    pthread_mutex_unlock(&c->lock);
    free(wire);
    return st;
}

static WEBRTC_STATUS mqtt_free(void *p)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    stop_loop(c);
    pthread_mutex_destroy(&c->lock);
    if (c->password != NULL) {
        memset(c->password, 0, strlen(c->password));
    }
    free(c->password);
    free(c->username);
    memset(c->cfg.ice_servers, 0, sizeof(c->cfg.ice_servers));
    free(c);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_get_ice_servers(void *p, uint32_t *count, void *array)
{
    mqtt_client_t *c = p;
    if (c == NULL || count == NULL || array == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memcpy(array, c->cfg.ice_servers, c->cfg.ice_server_count * sizeof(app_webrtc_ice_server_t));
    *count = c->cfg.ice_server_count;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_get_ice_server_by_idx(void *p, int index, bool use_turn, uint8_t **data,
                                                int *len, bool *have_more)
{
    (void)use_turn;
    mqtt_client_t *c = p;
    if (c == NULL || data == NULL || len == NULL || have_more == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *data = NULL;
    *len = 0;
    *have_more = false;
    if (index < 0 || (uint32_t)index >= c->cfg.ice_server_count) {
        return WEBRTC_STATUS_SUCCESS; /* nothing at this index, nothing more */
    }
    app_webrtc_ice_server_t *one = malloc(sizeof(*one));
    if (one == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    *one = c->cfg.ice_servers[index];
    *data = (uint8_t *)one;
    *len = (int)sizeof(*one);
    *have_more = (uint32_t)index + 1 < c->cfg.ice_server_count;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_is_ice_refresh_needed(void *p, bool *needed)
{
    if (p == NULL || needed == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *needed = false; /* static servers from the configuration never expire */
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS mqtt_set_ice_update_callback(void *p, uint64_t data,
                                                  webrtc_signaling_on_ice_servers_updated_t cb)
{
    mqtt_client_t *c = p;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pthread_mutex_lock(&c->lock);
    c->ice_custom_data = data;
    c->on_ice = cb;
    pthread_mutex_unlock(&c->lock);
    return WEBRTC_STATUS_SUCCESS;
}

webrtc_signaling_client_if_t *mqtt_signaling_client_if_get(void)
{
    /* refresh_ice_configuration stays NULL: nothing to refresh (app_webrtc checks for NULL) */
    static webrtc_signaling_client_if_t table = {
        .init = mqtt_init,
        .connect = mqtt_connect,
        .disconnect = mqtt_disconnect,
        .send_message = mqtt_send,
        .free = mqtt_free,
        .set_callbacks = mqtt_set_callbacks,
        .set_role_type = mqtt_set_role,
        .get_ice_servers = mqtt_get_ice_servers,
        .get_ice_server_by_idx = mqtt_get_ice_server_by_idx,
        .is_ice_refresh_needed = mqtt_is_ice_refresh_needed,
        .refresh_ice_configuration = NULL,
        .set_ice_update_callback = mqtt_set_ice_update_callback,
    };
    return &table;
}
