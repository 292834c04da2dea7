/*
 * The KVS backend against a small KVS stand-in on 127.0.0.1 (kvs_server.py, Debian's
 * python3-aiohttp): a channel created on first use, master and viewer relaying SDP and
 * candidates both ways, STATUS_RESPONSE for an unknown recipient, bad frames dropped with the
 * connection kept, GO_AWAY and the lifetime limit answered with a new connection, a cut
 * connection resumed with the queued messages delivered, the cache making a restart skip the
 * control plane, an access-denied answer named, and credentials from an AWS IoT credentials
 * endpoint over mutual TLS with a test CA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kvs_signaling.h"
#include "net/http_client.h"
#include "port/port.h"
#include "test_server.h"

static test_server_t kvs, iot;
static char control_url[64];
static char iot_endpoint[64];
static const char *certs;
static char cache_dir[] = "/tmp/ertc-kvs-test-XXXXXX";

/* ---- events from a client's thread ---------------------------------------------------------- */

#define MAX_EVENTS 128

typedef struct {
    int kind; /* 0 message, 1 state, 2 error, 3 ICE update */
    esp_webrtc_message_type_t type;
    webrtc_signaling_client_state_t state;
    WEBRTC_STATUS status;
    char peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    char text[2048];
} event_t;

typedef struct {
    const char *name;
    void *client;
    ertc_mutex_t *lock;
    ertc_cond_t *cond;
    event_t events[MAX_EVENTS];
    int count;
    int read;
} peer_t;

enum { EV_MSG, EV_STATE, EV_ERROR, EV_ICE };

static void push_event(peer_t *p, const event_t *e)
{
    ertc_mutex_lock(p->lock);
    if (p->count < MAX_EVENTS) {
        p->events[p->count++] = *e;
    }
    ertc_cond_broadcast(p->cond);
    ertc_mutex_unlock(p->lock);
}

static WEBRTC_STATUS on_msg(uint64_t custom, esp_webrtc_signaling_message_t *m)
{
    event_t e = {.kind = EV_MSG, .type = m->message_type};
    snprintf(e.peer, sizeof(e.peer), "%s", m->peer_client_id);
    snprintf(e.text, sizeof(e.text), "%.*s", (int)m->payload_len, m->payload ? m->payload : "");
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_state(uint64_t custom, webrtc_signaling_client_state_t s)
{
    event_t e = {.kind = EV_STATE, .state = s};
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_error(uint64_t custom, WEBRTC_STATUS st, char *msg, uint32_t len)
{
    event_t e = {.kind = EV_ERROR, .status = st};
    snprintf(e.text, sizeof(e.text), "%.*s", (int)len, msg);
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_ice(uint64_t custom, uint32_t n)
{
    event_t e = {.kind = EV_ICE, .status = n};
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

/* Waits for the next event of a kind (and message type or state); earlier ones are skipped. */
static bool wait_event(peer_t *p, int kind, int what, event_t *out, uint32_t timeout_ms)
{
    uint64_t end = ertc_time_mono_ms() + timeout_ms;
    ertc_mutex_lock(p->lock);
    for (;;) {
        while (p->read < p->count) {
            event_t *e = &p->events[p->read++];
            bool match = e->kind == kind &&
                         (kind == EV_ERROR || kind == EV_ICE ||
                          (kind == EV_MSG ? (int)e->type == what : (int)e->state == what));
            if (match) {
                if (out) {
                    *out = *e;
                }
                ertc_mutex_unlock(p->lock);
                return true;
            }
        }
        uint64_t now = ertc_time_mono_ms();
        if (now >= end) {
            break;
        }
        ertc_cond_timedwait(p->cond, p->lock, (uint32_t)(end - now));
    }
    ertc_mutex_unlock(p->lock);
    printf("    %s: no event %d/%d within %u ms\n", p->name, kind, what, (unsigned)timeout_ms);
    return false;
}

static int count_events(peer_t *p, int kind, int what)
{
    int n = 0;
    ertc_mutex_lock(p->lock);
    for (int i = 0; i < p->count; i++) {
        if (p->events[i].kind == kind && (kind != EV_STATE || (int)p->events[i].state == what)) {
            n++;
        }
    }
    ertc_mutex_unlock(p->lock);
    return n;
}

/* Waits until n events of a kind have come, counted from the start (ICE updates may come
 * before CONNECTED, which wait_event would skip); *out gets the n-th. */
static bool wait_count(peer_t *p, int kind, int n, event_t *out, uint32_t timeout_ms)
{
    uint64_t end = ertc_time_mono_ms() + timeout_ms;
    ertc_mutex_lock(p->lock);
    for (;;) {
        int seen = 0;
        for (int i = 0; i < p->count; i++) {
            if (p->events[i].kind == kind && ++seen == n) {
                if (out) {
                    *out = p->events[i];
                }
                ertc_mutex_unlock(p->lock);
                return true;
            }
        }
        uint64_t now = ertc_time_mono_ms();
        if (now >= end) {
            break;
        }
        ertc_cond_timedwait(p->cond, p->lock, (uint32_t)(end - now));
    }
    ertc_mutex_unlock(p->lock);
    printf("    %s: fewer than %d events %d within %u ms\n", p->name, n, kind,
           (unsigned)timeout_ms);
    return false;
}

static const char *cache_file(const char *name)
{
    static char buf[4][160];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, 160, "%s/%s.json", cache_dir, name);
    return b;
}

static kvs_signaling_config_t base_config(const char *channel, const char *cache)
{
    kvs_signaling_config_t cfg = {.pChannelName = (char *)channel,
                                  .awsRegion = "us-west-2",
                                  .awsAccessKey = "AKIDEXAMPLE",
                                  .awsSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                  .controlPlaneUrl = control_url,
                                  .cacheFilePath = (char *)cache,
                                  .connectionTimeout = 10000};
    return cfg;
}

static void peer_open(peer_t *p, const char *name, kvs_signaling_config_t *cfg,
                      webrtc_signaling_channel_role_type_t role)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    assert_int_equal(ertc_mutex_create(&p->lock), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cond_create(&p->cond), WEBRTC_STATUS_SUCCESS);
    webrtc_signaling_client_if_t *sig = kvs_signaling_client_if_get();
    assert_int_equal(sig->init(cfg, &p->client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(
        sig->set_callbacks(p->client, (uint64_t)(uintptr_t)p, on_msg, on_state, on_error),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_ice_update_callback(p->client, (uint64_t)(uintptr_t)p, on_ice),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_role_type(p->client, role), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->connect(p->client), WEBRTC_STATUS_SUCCESS);
}

static void peer_start(peer_t *p, const char *name, kvs_signaling_config_t *cfg,
                       webrtc_signaling_channel_role_type_t role)
{
    peer_open(p, name, cfg, role);
    assert_true(wait_event(p, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
}

static void peer_stop(peer_t *p)
{
    kvs_signaling_client_if_get()->free(p->client);
    ertc_cond_destroy(p->cond);
    ertc_mutex_destroy(p->lock);
}

static void send_msg(peer_t *p, esp_webrtc_message_type_t type, const char *to, const char *corr,
                     const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", to ? to : "");
    snprintf(m.correlation_id, sizeof(m.correlation_id), "%s", corr ? corr : "");
    m.payload = (char *)payload;
    m.payload_len = (uint32_t)strlen(payload);
    assert_int_equal(kvs_signaling_client_if_get()->send_message(p->client, &m),
                     WEBRTC_STATUS_SUCCESS);
}

static kvs_signaling_stats_t stats_of(peer_t *p)
{
    kvs_signaling_stats_t s;
    assert_int_equal(kvs_signaling_get_stats(p->client, &s), WEBRTC_STATUS_SUCCESS);
    return s;
}

static ertc_tls_config_t *iot_tls; /* the test CA and the client certificate */

/* POST to a test hook of the server; returns the answer body (static). */
static const char *hook(uint16_t port, const char *path, const char *body)
{
    static char answer[4096];
    char url[256];
    bool tls = port == iot.port;
    snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", tls ? "https" : "http", (unsigned)port, path);
    ertc_http_sync_t *s = NULL;
    assert_int_equal(ertc_http_sync_create(tls ? iot_tls : NULL, &s), WEBRTC_STATUS_SUCCESS);
    ertc_http_request_t req = {.method = "POST",
                               .url = url,
                               .body = body,
                               .body_len = body ? strlen(body) : 0,
                               .timeout_ms = 5000};
    ertc_http_response_t r;
    assert_int_equal(ertc_http_sync_request(s, &req, &r), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.status, 200);
    snprintf(answer, sizeof(answer), "%s", r.body);
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);
    return answer;
}

/* A counter from /test/stats. */
static int server_stat(const char *name)
{
    const char *s = hook(kvs.port, "/test/stats", NULL);
    char key[64];
    snprintf(key, sizeof(key), "\"%s\": ", name);
    const char *at = strstr(s, key);
    assert_non_null(at);
    return atoi(at + strlen(key));
}

static int control_calls(void)
{
    return server_stat("DescribeSignalingChannel") + server_stat("CreateSignalingChannel") +
           server_stat("GetSignalingChannelEndpoint");
}

#define OFFER  "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=viewer 1 1 IN IP4 0.0.0.0\\r\\n\"}"
#define ANSWER "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=master 2 2 IN IP4 0.0.0.0\\r\\n\"}"
#define CAND(n)                                                                                    \
    "{\"candidate\":\"candidate:" #n " 1 udp 2122260223 10.0.0.1 500" #n " typ host\","            \
    "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_master_and_viewer_relay_both_ways(void **state)
{
    (void)state;
    int calls_before = control_calls();
    kvs_signaling_config_t mc = base_config("relay-channel", cache_file("relay-m"));
    kvs_signaling_config_t vc = base_config("relay-channel", cache_file("relay-v"));
    vc.clientId = "viewer-1";
    static peer_t m, v; /* static: a failed test leaves its clients running */
    event_t e;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    /* cold: Describe (404), Create, Describe, GetEndpoint */
    assert_int_equal(control_calls() - calls_before, 4);
    assert_true(wait_count(&m, EV_ICE, 1, &e, 5000));
    assert_int_equal(e.status, 2); /* two TURN URIs, no public STUN with an endpoint override */
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t n = 0;
    assert_int_equal(kvs_signaling_client_if_get()->get_ice_servers(m.client, &n, ice),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2);
    assert_string_equal(ice[0].urls, "turn:127.0.0.1:3478?transport=udp");
    assert_string_equal(ice[0].credential, "turn-secret-password");
    bool needed = true;
    assert_int_equal(kvs_signaling_client_if_get()->is_ice_refresh_needed(m.client, &needed),
                     WEBRTC_STATUS_SUCCESS);
    assert_false(needed); /* Ttl 300 s, refreshed 30 s early */

    peer_start(&v, "viewer", &vc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, &e, 5000));
    assert_string_equal(e.peer, KVS_SIGNALING_MASTER_PEER_ID);
    send_msg(&v, ESP_WEBRTC_MESSAGE_OFFER, KVS_SIGNALING_MASTER_PEER_ID, NULL, OFFER);
    assert_true(wait_event(&m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_string_equal(e.peer, "viewer-1");
    assert_string_equal(e.text, OFFER);
    send_msg(&m, ESP_WEBRTC_MESSAGE_ANSWER, "viewer-1", NULL, ANSWER);
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    assert_string_equal(e.peer, KVS_SIGNALING_MASTER_PEER_ID);
    assert_string_equal(e.text, ANSWER);
    send_msg(&m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "viewer-1", NULL, CAND(1));
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_string_equal(e.text, CAND(1));
    send_msg(&v, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, NULL, NULL, CAND(2));
    assert_true(wait_event(&m, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_string_equal(e.text, CAND(2));
    assert_string_equal(e.peer, "viewer-1");
    /* the end-of-candidates marker is not sent (the SDKs never send one) */
    send_msg(&v, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, NULL, NULL, "{\"candidate\":\"\"}");
    kvs_signaling_stats_t s = stats_of(&v);
    assert_int_equal(s.cache_hits, 0);
    peer_stop(&v);
    peer_stop(&m);
}

static void test_status_response_reaches_on_error(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("status-channel", cache_file("status"));
    static peer_t m;
    event_t e;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    send_msg(&m, ESP_WEBRTC_MESSAGE_ANSWER, "nobody-here", "corr-42", ANSWER);
    assert_true(wait_event(&m, EV_ERROR, 0, &e, 5000));
    printf("    %s\n", e.text);
    assert_non_null(strstr(e.text, "corr-42"));
    assert_non_null(strstr(e.text, "InvalidArgumentException"));
    assert_int_equal(e.status, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    assert_int_equal(stats_of(&m).status_responses, 1);
    peer_stop(&m);
}

static void test_bad_frames_are_dropped_and_the_connection_lives(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("bad-input", cache_file("bad-m"));
    kvs_signaling_config_t vc = base_config("bad-input", cache_file("bad-v"));
    vc.clientId = "viewer-bad";
    static peer_t m, v; /* static: a failed test leaves its clients running */
    event_t e;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    peer_start(&v, "viewer", &vc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    hook(kvs.port, "/test/send?client=MASTER", "{not json");
    hook(kvs.port, "/test/send?client=MASTER",
         "{\"messageType\":\"SDP_OFFER\",\"senderClientId\":\"x\",\"messagePayload\":\"@@@\"}");
    hook(kvs.port, "/test/send?client=MASTER",
         "{\"messageType\":\"SOMETHING_NEW\",\"messagePayload\":\"e30=\"}");
    hook(kvs.port, "/test/send?client=MASTER", "{\"message\":\"Endpoint request timed out\"}");
    char *big = malloc(40000);
    assert_non_null(big);
    memset(big, 'A', 39999);
    big[39999] = '\0';
    memcpy(big, "{\"messageType\":\"SDP_OFFER\",\"messagePayload\":\"", 44);
    memcpy(big + 39997, "\"}", 2);
    hook(kvs.port, "/test/send?client=MASTER", big);
    free(big);
    /* a message with capitalised keys, as the C SDK sends them, is fine */
    hook(kvs.port, "/test/send?client=MASTER",
         "{\"MessageType\":\"ICE_CANDIDATE\",\"SenderClientId\":\"viewer-bad\","
         "\"MessagePayload\":\"eyJjYW5kaWRhdGUiOiJjYW5kaWRhdGU6OSAxIHVkcCAxIDEuMi4zLjQgOSB0eXAg"
         "aG9zdCIsInNkcE1pZCI6IjAiLCJzZHBNTGluZUluZGV4IjowfQ==\"}");
    assert_true(wait_event(&m, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_non_null(strstr(e.text, "candidate:9 1 udp"));
    /* and the connection still relays */
    send_msg(&v, ESP_WEBRTC_MESSAGE_OFFER, NULL, NULL, OFFER);
    assert_true(wait_event(&m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    kvs_signaling_stats_t s = stats_of(&m);
    assert_int_equal(s.messages_dropped, 5);
    assert_int_equal(s.connects, 1);
    assert_int_equal(count_events(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING), 1);
    peer_stop(&v);
    peer_stop(&m);
}

static void test_go_away_and_lifetime_switch_connections_without_loss(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("goaway", cache_file("goaway-m"));
    mc.connectionLifetimeS = 3;
    kvs_signaling_config_t vc = base_config("goaway", cache_file("goaway-v"));
    vc.clientId = "viewer-ga";
    static peer_t m, v; /* static: a failed test leaves its clients running */
    event_t e;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    peer_start(&v, "viewer", &vc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    int endpoint_calls = server_stat("GetSignalingChannelEndpoint");
    hook(kvs.port, "/test/send?client=MASTER", "{\"messageType\":\"GO_AWAY\"}");
    /* a new connection with a fresh endpoint: one more GetSignalingChannelEndpoint */
    for (int i = 0; i < 50 && stats_of(&m).connects < 2; i++) {
        ertc_sleep_ms(100);
    }
    assert_int_equal(stats_of(&m).connects, 2);
    assert_true(server_stat("GetSignalingChannelEndpoint") > endpoint_calls);
    send_msg(&v, ESP_WEBRTC_MESSAGE_OFFER, NULL, NULL, OFFER);
    assert_true(wait_event(&m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    /* the lifetime limit (3 s here) replaces the connection the same way */
    for (int i = 0; i < 60 && stats_of(&m).connects < 3; i++) {
        ertc_sleep_ms(100);
    }
    assert_int_equal(stats_of(&m).connects, 3);
    send_msg(&m, ESP_WEBRTC_MESSAGE_ANSWER, "viewer-ga", NULL, ANSWER);
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    /* never reported as a drop: the app saw CONNECTING once, at the start */
    assert_int_equal(count_events(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING), 1);
    assert_int_equal(stats_of(&m).reconnects, 0);
    peer_stop(&v);
    peer_stop(&m);
}

static void test_dropped_connection_delivers_queued_messages(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("drop", cache_file("drop-m"));
    kvs_signaling_config_t vc = base_config("drop", cache_file("drop-v"));
    vc.clientId = "viewer-drop";
    static peer_t m, v; /* static: a failed test leaves its clients running */
    event_t e;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    peer_start(&v, "viewer", &vc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    int calls = control_calls();
    assert_string_equal(hook(kvs.port, "/test/drop?client=MASTER", NULL), "{\"ok\": true}");
    assert_true(wait_event(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING, NULL, 5000));
    /* sent while the master reconnects: queued, then delivered in order */
    send_msg(&m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "viewer-drop", NULL, CAND(3));
    send_msg(&m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "viewer-drop", NULL, CAND(4));
    send_msg(&m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "viewer-drop", NULL, CAND(5));
    assert_true(wait_event(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_string_equal(e.text, CAND(3));
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_string_equal(e.text, CAND(4));
    assert_true(wait_event(&v, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_string_equal(e.text, CAND(5));
    kvs_signaling_stats_t s = stats_of(&m);
    assert_int_equal(s.reconnects, 1);
    assert_int_equal(s.queued, 0);
    assert_int_equal(control_calls(), calls); /* the endpoints came from the cache */
    peer_stop(&v);
    peer_stop(&m);
}

static void test_restart_uses_the_cache(void **state)
{
    (void)state;
    const char *cache = cache_file("restart");
    kvs_signaling_config_t mc = base_config("restart", cache);
    static peer_t m;
    peer_start(&m, "master-1", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(stats_of(&m).cache_hits, 0);
    peer_stop(&m);
    assert_int_equal(access(cache, R_OK), 0);
    int calls = control_calls();
    peer_start(&m, "master-2", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(control_calls(), calls); /* zero control-plane calls */
    kvs_signaling_stats_t s = stats_of(&m);
    assert_int_equal(s.cache_hits, 1);
    assert_int_equal(s.control_plane_calls, 0);
    peer_stop(&m);
    /* a corrupt cache is ignored: the service is asked again */
    FILE *f = fopen(cache, "w");
    assert_non_null(f);
    fputs("{\"version\":1,\"entries\":[{\"chan", f);
    fclose(f);
    peer_start(&m, "master-3", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(control_calls(), calls + 2); /* Describe, GetEndpoint */
    peer_stop(&m);
}

static void test_delete_channel(void **state)
{
    (void)state;
    const char *cache = cache_file("delete");
    kvs_signaling_config_t mc = base_config("to-delete", cache);
    static peer_t m;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(kvs_signaling_client_if_get()->disconnect(m.client), WEBRTC_STATUS_SUCCESS);
    char msg[256];
    int deletes = server_stat("DeleteSignalingChannel");
    int creates = server_stat("CreateSignalingChannel");
    assert_int_equal(kvs_signaling_delete_channel(m.client, msg, sizeof(msg)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(server_stat("DeleteSignalingChannel") - deletes, 1);
    /* the cache entry went with it: the next connect asks (and creates it anew) */
    assert_int_equal(kvs_signaling_client_if_get()->connect(m.client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_event(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_int_equal(server_stat("CreateSignalingChannel") - creates, 1);
    peer_stop(&m);
}

static void test_access_denied_is_named(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("denied", "");
    mc.awsAccessKey = "AKIDUNKNOWN";
    static peer_t m;
    event_t e;
    peer_open(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&m, EV_ERROR, 0, &e, 10000));
    printf("    %s\n", e.text);
    assert_int_equal(e.status, WEBRTC_STATUS_SIGNALING_AUTH_FAILED);
    assert_non_null(strstr(e.text, "KVS DescribeSignalingChannel: 403 AccessDeniedException"));
    assert_null(strstr(e.text, "wJalr")); /* never the secret */
    assert_true(wait_event(&m, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_FAILED, NULL, 5000));
    peer_stop(&m);
}

static void test_throttled_call_is_retried(void **state)
{
    (void)state;
    hook(kvs.port, "/test/fail?api=DescribeSignalingChannel&status=500&count=2", NULL);
    kvs_signaling_config_t mc = base_config("retry", "");
    static peer_t m;
    int before = server_stat("DescribeSignalingChannel");
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    /* two 500s, then 404, Create, Describe */
    assert_int_equal(server_stat("DescribeSignalingChannel") - before, 4);
    peer_stop(&m);
}

static void test_iot_credentials_over_mutual_tls(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("iot-channel", cache_file("iot"));
    mc.awsAccessKey = NULL;
    mc.awsSecretKey = NULL;
    mc.useIotCredentials = true;
    mc.iotCoreCredentialEndpoint = iot_endpoint;
    mc.iotCoreCert = (char *)test_path(certs, "client.pem");
    mc.iotCorePrivateKey = (char *)test_path(certs, "client.key");
    mc.caCertPath = (char *)test_path(certs, "ca.pem");
    mc.iotCoreRoleAlias = "kvs-role-alias";
    mc.iotCoreThingName = "camera-1";
    static peer_t m;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_int_equal(stats_of(&m).credential_fetches, 1);
    const char *st = hook(iot.port, "/test/stats", NULL);
    assert_non_null(strstr(st, "\"iot_calls\": 1"));
    /* the control plane and the WebSocket saw the IoT key and its session token */
    assert_non_null(strstr(hook(kvs.port, "/test/stats", NULL), "iot-session-token-"));
    peer_stop(&m);

    /* a wrong thing name is refused by the provider, and said so */
    mc.iotCoreThingName = "someone-else";
    event_t e;
    peer_open(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&m, EV_ERROR, 0, &e, 10000));
    printf("    %s\n", e.text);
    assert_int_equal(e.status, WEBRTC_STATUS_SIGNALING_AUTH_FAILED);
    assert_non_null(strstr(e.text, "Invalid thing name"));
    assert_null(strstr(e.text, "iotSecretKey"));
    peer_stop(&m);
}

static void test_ice_servers_and_reconnect_ice_server(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("ice-channel", cache_file("ice"));
    static peer_t m;
    event_t e;
    webrtc_signaling_client_if_t *sig = kvs_signaling_client_if_get();
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_count(&m, EV_ICE, 1, &e, 5000));
    /* split mode: no STUN with an endpoint override (index 0 empty), TURN at 1 and 2 */
    uint8_t *data = NULL;
    int len = 0;
    bool more = false;
    assert_int_equal(sig->get_ice_server_by_idx(m.client, 0, true, &data, &len, &more),
                     WEBRTC_STATUS_SUCCESS);
    assert_null(data);
    assert_true(more);
    assert_int_equal(sig->get_ice_server_by_idx(m.client, 1, true, &data, &len, &more),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, (int)sizeof(app_webrtc_ice_server_t));
    assert_string_equal(((app_webrtc_ice_server_t *)data)->urls,
                        "turn:127.0.0.1:3478?transport=udp");
    assert_true(more);
    free(data);
    assert_int_equal(sig->get_ice_server_by_idx(m.client, 2, true, &data, &len, &more),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(((app_webrtc_ice_server_t *)data)->urls,
                        "turns:127.0.0.1:5349?transport=tcp");
    assert_false(more);
    free(data);
    assert_int_equal(sig->get_ice_server_by_idx(m.client, 3, true, &data, &len, &more),
                     WEBRTC_STATUS_NOT_FOUND);
    /* the service asks for new ICE servers: fetched again, the connection stays */
    hook(kvs.port, "/test/send?client=MASTER", "{\"messageType\":\"RECONNECT_ICE_SERVER\"}");
    assert_true(wait_count(&m, EV_ICE, 2, &e, 5000));
    assert_int_equal(stats_of(&m).ice_config_calls, 2);
    /* and the application may ask */
    assert_int_equal(sig->refresh_ice_configuration(m.client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_count(&m, EV_ICE, 3, &e, 5000));
    kvs_signaling_stats_t s = stats_of(&m);
    assert_int_equal(s.ice_config_calls, 3);
    assert_int_equal(s.connects, 1);
    peer_stop(&m);
}

static void test_clock_skew_is_corrected(void **state)
{
    (void)state;
    hook(kvs.port, "/test/skew?seconds=3600", NULL); /* the device is an hour behind */
    int rejects = server_stat("skew_rejects");
    kvs_signaling_config_t mc = base_config("skewed", "");
    static peer_t m;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    /* one "Signature expired", then every call and the WebSocket signed with the server's time */
    assert_int_equal(server_stat("skew_rejects") - rejects, 1);
    peer_stop(&m);
    hook(kvs.port, "/test/skew?seconds=0", NULL);
}

static void test_short_lived_iot_credentials_refresh_without_a_drop(void **state)
{
    (void)state;
    kvs_signaling_config_t mc = base_config("iot-short", "");
    mc.awsAccessKey = NULL;
    mc.awsSecretKey = NULL;
    mc.useIotCredentials = true;
    mc.iotCoreCredentialEndpoint = iot_endpoint;
    mc.iotCoreCert = (char *)test_path(certs, "client.pem");
    mc.iotCorePrivateKey = (char *)test_path(certs, "client.key");
    mc.caCertPath = (char *)test_path(certs, "ca.pem");
    mc.iotCoreRoleAlias = "kvs-role-alias";
    mc.iotCoreThingName = "short-lived-camera"; /* 45 s credentials */
    static peer_t m;
    peer_start(&m, "master", &mc, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    for (int i = 0; i < 150 && stats_of(&m).credential_fetches < 3; i++) {
        ertc_sleep_ms(100);
    }
    kvs_signaling_stats_t s = stats_of(&m);
    assert_true(s.credential_fetches >= 3);
    assert_int_equal(s.connects, 1); /* refreshed behind the open connection */
    assert_int_equal(s.reconnects, 0);
    peer_stop(&m);
}

static void test_bad_configuration_is_refused(void **state)
{
    (void)state;
    webrtc_signaling_client_if_t *sig = kvs_signaling_client_if_get();
    void *client = NULL;
    kvs_signaling_config_t cfg = base_config("bad name!", "");
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
    cfg = base_config("ok", "");
    cfg.controlPlaneUrl = "http://192.0.2.1:8080"; /* plain http only to loopback */
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
    cfg = base_config("ok", "");
    cfg.useIotCredentials = true; /* without its fields */
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
    cfg = base_config("ok", "");
    cfg.messageTtlSeconds = 1000;
    assert_int_equal(sig->init(&cfg, &client), WEBRTC_STATUS_INVALID_ARG);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(cache_dir) == NULL || (certs = test_make_certs()) == NULL) {
        return -1;
    }
    char script[512];
    snprintf(script, sizeof(script), "%s/kvs_server.py", test_scripts_dir());
    char *a1[] = {"/usr/bin/python3",     script, "--akid", "AKIDEXAMPLE", "--iot-akid",
                  "ASIAIOTTESTKEY000001", NULL};
    if (test_server_start(&kvs, a1) != 0) {
        return -1;
    }
    char cert[256], key[256], ca[256];
    snprintf(cert, sizeof(cert), "%s", test_path(certs, "server.pem"));
    snprintf(key, sizeof(key), "%s", test_path(certs, "server.key"));
    snprintf(ca, sizeof(ca), "%s", test_path(certs, "ca.pem"));
    char *a2[] = {"/usr/bin/python3", script, "--iot", cert, key, ca, "--thing", "camera-1", NULL};
    if (test_server_start(&iot, a2) != 0) {
        return -1;
    }
    snprintf(control_url, sizeof(control_url), "http://127.0.0.1:%u", (unsigned)kvs.port);
    snprintf(iot_endpoint, sizeof(iot_endpoint), "127.0.0.1:%u", (unsigned)iot.port);
    char cc[256], ck[256], err[ERTC_TLS_ERROR_LEN];
    snprintf(cc, sizeof(cc), "%s", test_path(certs, "client.pem"));
    snprintf(ck, sizeof(ck), "%s", test_path(certs, "client.key"));
    ertc_tls_options_t o = {
        .role = ERTC_TLS_CLIENT, .ca_path = ca, .cert_path = cc, .key_path = ck};
    if (ertc_tls_config_create(&o, &iot_tls, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS) {
        printf("test TLS configuration: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&kvs);
    test_server_stop(&iot);
    ertc_tls_config_unref(iot_tls);
    test_remove_dir(cache_dir);
    test_remove_dir(certs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_master_and_viewer_relay_both_ways),
        cmocka_unit_test(test_status_response_reaches_on_error),
        cmocka_unit_test(test_bad_frames_are_dropped_and_the_connection_lives),
        cmocka_unit_test(test_go_away_and_lifetime_switch_connections_without_loss),
        cmocka_unit_test(test_dropped_connection_delivers_queued_messages),
        cmocka_unit_test(test_restart_uses_the_cache),
        cmocka_unit_test(test_delete_channel),
        cmocka_unit_test(test_access_denied_is_named),
        cmocka_unit_test(test_throttled_call_is_retried),
        cmocka_unit_test(test_iot_credentials_over_mutual_tls),
        cmocka_unit_test(test_ice_servers_and_reconnect_ice_server),
        cmocka_unit_test(test_clock_skew_is_corrected),
        cmocka_unit_test(test_short_lived_iot_credentials_refresh_without_a_drop),
        cmocka_unit_test(test_bad_configuration_is_refused),
    };
    return cmocka_run_group_tests_name("kvs_client", tests, setup, teardown);
}
