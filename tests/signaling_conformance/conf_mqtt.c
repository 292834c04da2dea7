/*
 * The conformance kit against the MQTT example backend (examples/custom_signaling) through a
 * real mosquitto broker on 127.0.0.1. Garbage is injected by a second, raw MQTT client.
 */
#include <mosquitto.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "conformance.h"
#include "mqtt_signaling.h"

static test_broker_t broker;
static const char *ids[] = {"master", "viewer", "spare"};

static void *make_config(const char *room, int index)
{
    mqtt_signaling_config_t *c = calloc(1, sizeof(*c));
    if (c != NULL) {
        c->host = "127.0.0.1";
        c->port = broker.port;
        c->room = strdup(room);
        c->client_id = ids[index];
        c->keepalive_s = 5;
        c->ice_server_count = 1;
        snprintf(c->ice_servers[0].urls, sizeof(c->ice_servers[0].urls), "stun:127.0.0.1:3478");
    }
    return c;
}

static void free_config(void *cfg)
{
    mqtt_signaling_config_t *c = cfg;
    free((char *)c->room);
    free(c);
}

/* Publishes a few kinds of garbage to the client's inbox with a raw client. */
static bool inject_malformed(const char *room, int index)
{
    struct mosquitto *raw = mosquitto_new(NULL, true, NULL);
    if (raw == NULL || mosquitto_connect(raw, "127.0.0.1", broker.port, 5) != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(raw);
        return false;
    }
    char topic[200];
    snprintf(topic, sizeof(topic), "edgertc/%s/%s/in", room, ids[index]);
    static const char *garbage[] = {
        "not json at all",
        "{\"type\":\"offer\",\"from\":\"x/../#\",\"to\":\"master\",\"payload\":\"v=0\"}",
        "{\"type\":\"offer\",\"from\":\"viewer\",\"to\":\"master\"}",
        "{\"type\":3,\"from\":\"viewer\",\"to\":\"master\",\"payload\":\"x\"}",
        "{\"type\":\"answer\",\"from\":\"viewer\",\"to\":\"someone-else\",\"payload\":\"x\"}",
        "[1,2,3]",
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        ok = ok && mosquitto_publish(raw, NULL, topic, (int)strlen(garbage[i]), garbage[i], 1,
                                     false) == MOSQ_ERR_SUCCESS;
    }
    /* and a presence record that lies about who it is */
    snprintf(topic, sizeof(topic), "edgertc/%s/presence/liar", room);
    const char *lie = "{\"type\":\"presence\",\"from\":\"master\",\"role\":\"master\"}";
    ok = ok &&
         mosquitto_publish(raw, NULL, topic, (int)strlen(lie), lie, 1, false) == MOSQ_ERR_SUCCESS;
    for (int i = 0; i < 20; i++) {
        mosquitto_loop(raw, 50, 1);
    }
    mosquitto_disconnect(raw);
    mosquitto_destroy(raw);
    return ok;
}

/* ---- MQTT-specific: the client reconnects by itself when the broker comes back ----------- */

typedef struct {
    pthread_mutex_t lock;
    int connected_count;
    int connecting_after_loss;
    int triggers;
} watch_t;

static WEBRTC_STATUS w_msg(uint64_t data, esp_webrtc_signaling_message_t *m)
{
    watch_t *w = (watch_t *)(uintptr_t)data;
    pthread_mutex_lock(&w->lock);
    w->triggers += m->message_type == ESP_WEBRTC_MESSAGE_TRIGGER_OFFER;
    pthread_mutex_unlock(&w->lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS w_state(uint64_t data, webrtc_signaling_client_state_t s)
{
    watch_t *w = (watch_t *)(uintptr_t)data;
    pthread_mutex_lock(&w->lock);
    if (s == WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED) {
        w->connected_count++;
    } else if (s == WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING && w->connected_count > 0) {
        w->connecting_after_loss++;
    }
    pthread_mutex_unlock(&w->lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS w_error(uint64_t data, WEBRTC_STATUS st, char *msg, uint32_t len)
{
    (void)data;
    printf("    reconnect: error %u: %.*s\n", (unsigned)st, (int)len, msg);
    return WEBRTC_STATUS_SUCCESS;
}

static int w_get(watch_t *w, int *field)
{
    pthread_mutex_lock(&w->lock);
    int v = *field;
    pthread_mutex_unlock(&w->lock);
    return v;
}

static bool w_wait(watch_t *w, int *field, int at_least, int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (w_get(w, field) >= at_least) {
            return true;
        }
        usleep(50 * 1000);
    }
    return false;
}

/* Broker killed and restarted: CONNECTING, CONNECTED again without any call from us, and
 * presence works again (the viewer is asked to offer to the master once more). */
static int check_reconnect(void)
{
    webrtc_signaling_client_if_t *sig = mqtt_signaling_client_if_get();
    watch_t wm = {.lock = PTHREAD_MUTEX_INITIALIZER}, wv = {.lock = PTHREAD_MUTEX_INITIALIZER};
    void *cm = make_config("reconnect", 0), *cv = make_config("reconnect", 1);
    void *m = NULL, *v = NULL;
    int fail = 0;
    sig->init(cm, &m);
    sig->init(cv, &v);
    sig->set_callbacks(m, (uint64_t)(uintptr_t)&wm, w_msg, w_state, w_error);
    sig->set_callbacks(v, (uint64_t)(uintptr_t)&wv, w_msg, w_state, w_error);
    sig->set_role_type(m, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    sig->set_role_type(v, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    sig->connect(m);
    sig->connect(v);
    if (!w_wait(&wm, &wm.connected_count, 1, 10) || !w_wait(&wv, &wv.triggers, 1, 10)) {
        printf("    reconnect: first connection failed\n");
        fail = 1;
    }
    if (!fail &&
        (test_broker_kill(&broker) != 0 || !w_wait(&wm, &wm.connecting_after_loss, 1, 15) ||
         test_broker_restart(&broker) != 0)) {
        printf("    reconnect: the loss was not reported as CONNECTING\n");
        fail = 1;
    }
    /* the viewer's own presence was cleared by its last will; the master's is published again */
    if (!fail && (!w_wait(&wm, &wm.connected_count, 2, 40) ||
                  !w_wait(&wv, &wv.connected_count, 2, 40) || !w_wait(&wv, &wv.triggers, 2, 10))) {
        printf("    reconnect: not connected again after the broker came back\n");
        fail = 1;
    }
    sig->free(v);
    sig->free(m);
    free_config(cv);
    free_config(cm);
    printf("%s reconnect: broker killed and restarted, both clients back\n",
           fail ? "[  FAILED  ]" : "[       OK ]");
    return fail;
}

int main(void)
{
    if (test_broker_start(&broker) != 0) {
        return 1;
    }
    mosquitto_lib_init();
    const conformance_backend_t mqtt = {
        .name = "mqtt",
        .get_if = mqtt_signaling_client_if_get,
        .make_config = make_config,
        .free_config = free_config,
        .inject_malformed = inject_malformed,
    };
    int failed = conformance_run(&mqtt);
    failed += check_reconnect();
    test_broker_stop(&broker);
    mosquitto_lib_cleanup();
    return failed;
}
