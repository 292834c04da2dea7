/*
 * The conformance kit against the MQTT example backend (examples/custom_signaling) through a
 * real mosquitto broker on 127.0.0.1. Garbage is injected by a second, raw MQTT client.
 */
#include <mosquitto.h>
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
    ok = ok && mosquitto_publish(raw, NULL, topic, (int)strlen(lie), lie, 1, false) ==
                   MOSQ_ERR_SUCCESS;
    for (int i = 0; i < 20; i++) {
        mosquitto_loop(raw, 50, 1);
    }
    mosquitto_disconnect(raw);
    mosquitto_destroy(raw);
    return ok;
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
    test_broker_stop(&broker);
    mosquitto_lib_cleanup();
    return failed;
}
