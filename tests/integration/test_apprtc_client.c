/*
 * The AppRTC backend against the real edgertc-signald on 127.0.0.1: two clients relay both
 * ways, a third gets FULL, messages stored for a late joiner arrive with its join, leave and
 * rejoin, a WebSocket cut by a proxy in the middle re-registers as the same client, and a server
 * killed and restarted within seconds is joined again (its new room server knows nothing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apprtc_signaling.h"
#include "net/conn.h"
#include "port/port.h"
#include "test_server.h"

static test_server_t signald;
static char server_url[64];
static uint64_t signald_started_ms;

/* ---- events from a backend's thread --------------------------------------------------------- */

#define MAX_EVENTS 64

typedef struct {
    int kind; /* 0 message, 1 state, 2 error */
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
    event_t e = {.kind = 0, .type = m->message_type};
    snprintf(e.peer, sizeof(e.peer), "%s", m->peer_client_id);
    snprintf(e.text, sizeof(e.text), "%.*s", (int)m->payload_len, m->payload ? m->payload : "");
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_state(uint64_t custom, webrtc_signaling_client_state_t s)
{
    event_t e = {.kind = 1, .state = s};
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_error(uint64_t custom, WEBRTC_STATUS st, char *msg, uint32_t len)
{
    event_t e = {.kind = 2, .status = st};
    snprintf(e.text, sizeof(e.text), "%.*s", (int)len, msg);
    push_event((peer_t *)(uintptr_t)custom, &e);
    return WEBRTC_STATUS_SUCCESS;
}

/* Waits for the next event matching (kind, type or state); events before it are skipped. */
static bool wait_event(peer_t *p, int kind, int what, event_t *out, uint32_t timeout_ms)
{
    uint64_t end = ertc_time_mono_ms() + timeout_ms;
    ertc_mutex_lock(p->lock);
    for (;;) {
        while (p->read < p->count) {
            event_t *e = &p->events[p->read++];
            bool match = e->kind == kind &&
                         (kind == 2 || (kind == 0 ? (int)e->type == what : (int)e->state == what));
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

static void peer_start(peer_t *p, const char *name, const char *server, const char *room,
                       webrtc_signaling_channel_role_type_t role)
{
    memset(p, 0, sizeof(*p));
    p->name = name;
    assert_int_equal(ertc_mutex_create(&p->lock), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cond_create(&p->cond), WEBRTC_STATUS_SUCCESS);
    apprtc_signaling_config_t cfg = {.serverUrl = (char *)server, .roomId = (char *)room,
                                     .connectionTimeout = 5000};
    webrtc_signaling_client_if_t *sig = apprtc_signaling_client_if_get();
    assert_int_equal(sig->init(&cfg, &p->client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_callbacks(p->client, (uint64_t)(uintptr_t)p, on_msg, on_state,
                                        on_error),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->set_role_type(p->client, role), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sig->connect(p->client), WEBRTC_STATUS_SUCCESS);
}

static void peer_stop(peer_t *p)
{
    apprtc_signaling_client_if_get()->free(p->client);
    ertc_cond_destroy(p->cond);
    ertc_mutex_destroy(p->lock);
}

static void send_msg(peer_t *p, esp_webrtc_message_type_t type, const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    m.payload = (char *)payload;
    m.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    assert_int_equal(apprtc_signaling_client_if_get()->send_message(p->client, &m),
                     WEBRTC_STATUS_SUCCESS);
}

static const char *room_name(const char *prefix)
{
    static char buf[8][48];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 48, "%s-%u", prefix, (unsigned)(ertc_random_u32() % 1000000));
    return b;
}

/* ---- tests ------------------------------------------------------------------------------------- */

static void test_two_clients_relay_both_ways_and_third_is_full(void **state)
{
    (void)state;
    const char *room = room_name("relay");
    peer_t a, b, c;
    event_t e;
    peer_start(&a, "A", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    peer_start(&b, "B", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    assert_true(wait_event(&b, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    /* B is the VIEWER: it is asked to make the offer */
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, &e, 5000));
    send_msg(&b, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=B\\r\\n\"}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_non_null(strstr(e.text, "o=B"));
    assert_non_null(strstr(e.text, "\"type\":\"offer\""));
    char a_peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    snprintf(a_peer, sizeof(a_peer), "%s", e.peer);
    assert_true(strlen(a_peer) > 0);
    send_msg(&a, ESP_WEBRTC_MESSAGE_ANSWER, "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=A\\r\\n\"}");
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    assert_non_null(strstr(e.text, "o=A"));
    send_msg(&a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
             "{\"candidate\":\"candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host\","
             "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_non_null(strstr(e.text, "\"candidate\":\"candidate:1 1 udp"));
    assert_non_null(strstr(e.text, "\"sdpMid\":\"0\""));
    assert_non_null(strstr(e.text, "\"sdpMLineIndex\":0"));
    send_msg(&b, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
             "{\"candidate\":\"candidate:2 1 udp 2122260223 10.0.0.2 6000 typ host\","
             "\"sdpMid\":\"1\",\"sdpMLineIndex\":1}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_non_null(strstr(e.text, "10.0.0.2 6000"));
    assert_non_null(strstr(e.text, "\"sdpMLineIndex\":1"));
    /* an end-of-candidates marker is accepted and simply not sent */
    send_msg(&b, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"\"}");

    peer_start(&c, "C", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&c, 2, 0, &e, 10000));
    printf("    C: %s\n", e.text);
    assert_non_null(strstr(e.text, "full"));
    assert_true(wait_event(&c, 1, WEBRTC_SIGNALING_CLIENT_STATE_FAILED, NULL, 5000));
    peer_stop(&c);
    peer_stop(&b);
    peer_stop(&a);
}

static void test_messages_stored_for_a_late_joiner(void **state)
{
    (void)state;
    const char *room = room_name("stored");
    peer_t a, b;
    event_t e;
    /* A joins alone as VIEWER: it offers at once, and the server keeps the offer */
    peer_start(&a, "A", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, NULL, 10000));
    send_msg(&a, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=early\\r\\n\"}");
    send_msg(&a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
             "{\"candidate\":\"candidate:3 1 udp 1 10.0.0.3 7000 typ host\",\"sdpMid\":\"0\","
             "\"sdpMLineIndex\":0}");
    ertc_sleep_ms(500); /* let the POSTs reach the server before B joins */
    peer_start(&b, "B", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&b, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_non_null(strstr(e.text, "o=early"));
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 5000));
    assert_non_null(strstr(e.text, "10.0.0.3 7000"));
    send_msg(&b, ESP_WEBRTC_MESSAGE_ANSWER, "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=late\\r\\n\"}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    assert_non_null(strstr(e.text, "o=late"));
    peer_stop(&b);
    peer_stop(&a);
}

static void test_leave_and_rejoin(void **state)
{
    (void)state;
    const char *room = room_name("rejoin");
    peer_t a, b;
    event_t e;
    webrtc_signaling_client_if_t *sig = apprtc_signaling_client_if_get();
    peer_start(&a, "A", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    peer_start(&b, "B", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&b, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_int_equal(sig->disconnect(a.client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED, NULL, 5000));
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_BYE, &e, 5000));
    /* A comes back into the same room; B (now the initiator) still relays to it */
    assert_int_equal(sig->connect(a.client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    send_msg(&a, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=again\\r\\n\"}");
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_non_null(strstr(e.text, "o=again"));
    send_msg(&b, ESP_WEBRTC_MESSAGE_ANSWER, "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=b2\\r\\n\"}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    peer_stop(&b);
    peer_stop(&a);
}

/* ---- a TCP proxy that can cut every connection ------------------------------------------------ */

typedef struct proxy proxy_t;
typedef struct {
    proxy_t *proxy;
    ertc_conn_t *down, *up;
    bool used;
} pair_t;

struct proxy {
    ertc_loop_t *loop;
    ertc_thread_t *thread;
    ertc_socket_t listener;
    ertc_io_t io;
    uint16_t port, upstream;
    pair_t pairs[16];
};

static void pair_close(pair_t *p)
{
    ertc_conn_close(p->down);
    ertc_conn_close(p->up);
    p->down = p->up = NULL;
    p->used = false;
}

static void pair_data(ertc_conn_t *c, const uint8_t *d, size_t n, void *arg)
{
    pair_t *p = arg;
    ertc_conn_t *other = c == p->down ? p->up : p->down;
    if (other == NULL || ertc_conn_write(other, d, n) != WEBRTC_STATUS_SUCCESS) {
        pair_close(p);
    }
}

static void pair_closed(ertc_conn_t *c, WEBRTC_STATUS st, const char *why, void *arg)
{
    (void)c;
    (void)st;
    (void)why;
    pair_close(arg);
}

static void proxy_accept(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned ev, void *arg)
{
    (void)io;
    (void)fd;
    (void)ev;
    proxy_t *px = arg;
    ertc_socket_t s;
    ertc_addr_t peer;
    while (ertc_tcp_accept(px->listener, &s, &peer) == WEBRTC_STATUS_SUCCESS) {
        pair_t *p = NULL;
        for (int i = 0; i < 16 && p == NULL; i++) {
            p = px->pairs[i].used ? NULL : &px->pairs[i];
        }
        if (p == NULL) {
            ertc_socket_close(s);
            continue;
        }
        p->used = true;
        p->proxy = px;
        ertc_conn_callbacks_t cbs = {.on_data = pair_data, .on_close = pair_closed};
        ertc_conn_options_t o = {.host = "127.0.0.1", .port = px->upstream};
        if (ertc_conn_connect(loop, &o, &cbs, p, &p->up) != WEBRTC_STATUS_SUCCESS ||
            ertc_conn_accept(loop, s, NULL, 0, &cbs, p, &p->down) != WEBRTC_STATUS_SUCCESS) {
            pair_close(p);
        }
    }
}

static void proxy_main(void *arg)
{
    ertc_loop_run(((proxy_t *)arg)->loop);
}

static void proxy_start(proxy_t *px, uint16_t upstream)
{
    memset(px, 0, sizeof(*px));
    px->upstream = upstream;
    ertc_addr_t a;
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &a), WEBRTC_STATUS_SUCCESS);
    a.port = 0;
    assert_int_equal(ertc_tcp_listen(&a, 16, &px->listener), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_socket_local_addr(px->listener, &a), WEBRTC_STATUS_SUCCESS);
    px->port = a.port;
    assert_int_equal(ertc_loop_create(&px->loop, 0), WEBRTC_STATUS_SUCCESS);
    ertc_io_init(&px->io, px->listener, proxy_accept, px);
    assert_int_equal(ertc_io_start(px->loop, &px->io, ERTC_IO_READ), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_thread_create(&px->thread, "proxy", 0, proxy_main, px),
                     WEBRTC_STATUS_SUCCESS);
}

static void cut_all(void *arg)
{
    proxy_t *px = arg;
    for (int i = 0; i < 16; i++) {
        if (px->pairs[i].used) {
            pair_close(&px->pairs[i]);
        }
    }
}

static void proxy_stop(void *arg)
{
    proxy_t *px = arg;
    cut_all(px);
    ertc_io_stop(px->loop, &px->io);
    ertc_socket_close(px->listener);
    ertc_loop_stop(px->loop);
}

static void test_dropped_websocket_reregisters(void **state)
{
    (void)state;
    const char *room = room_name("drop");
    proxy_t px;
    proxy_start(&px, signald.port);
    char via_proxy[64];
    snprintf(via_proxy, sizeof(via_proxy), "http://127.0.0.1:%u", (unsigned)px.port);
    peer_t a, b;
    event_t e;
    /* The client tells a restarted server from the same one by its uptime in whole seconds
     * (test_restarted_server_is_joined_again): a server up for under a second when the socket
     * drops looks restarted, so let this one be up for a while as a real one is. */
    uint64_t up = ertc_time_mono_ms() - signald_started_ms;
    if (up < 2000) {
        ertc_sleep_ms((uint32_t)(2000 - up));
    }
    peer_start(&a, "A", via_proxy, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    peer_start(&b, "B", server_url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&b, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));

    assert_int_equal(ertc_loop_call_sync(px.loop, cut_all, &px), WEBRTC_STATUS_SUCCESS);
    /* A notices, says it is reconnecting, and is back within the server's window */
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING, NULL, 30000));
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 15000));
    /* still the same client in the same room: B's messages reach it over the new socket */
    send_msg(&b, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=after\\r\\n\"}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_non_null(strstr(e.text, "o=after"));
    peer_stop(&b);
    peer_stop(&a);
    ertc_loop_call_sync(px.loop, proxy_stop, &px);
    ertc_thread_join(px.thread);
    ertc_loop_destroy(px.loop);
}

/* A signald of this test's own on a fixed port, so that it can be killed and started again
 * where the clients expect it. */
static void start_signald_at(test_server_t *s, uint16_t port)
{
    char listen[32];
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", (unsigned)port);
    char *argv[] = {ERTC_SIGNALD_PATH, "--listen", listen, NULL};
    assert_int_equal(test_server_start_line(s, argv, "listening on http://127.0.0.1:"), 0);
}

static test_server_t own; /* stopped by stop_own even when an assertion fails */

static int stop_own(void **state)
{
    (void)state;
    test_server_stop(&own);
    return 0;
}

static void test_restarted_server_is_joined_again(void **state)
{
    (void)state;
    const char *room = room_name("restart");
    start_signald_at(&own, 0);
    uint16_t port = own.port;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)port);
    peer_t a, b;
    event_t e;
    /* A, the device, is alone in the room (the initiator) when the server goes away */
    peer_start(&a, "A", url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    ertc_sleep_ms(1200); /* up for more than a second, as a real server is: "upsec" is whole s */
    test_server_stop(&own);
    start_signald_at(&own, port); /* back well within the 10 s re-register window */
    assert_int_equal(own.port, port);
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING, NULL, 10000));
    assert_true(wait_event(&a, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 15000));
    /* The new server knows nothing of the old room: A must have joined it again, so that a page
     * coming now is the second to join and its offer reaches A (not stored for nobody). */
    peer_start(&b, "B", url, room, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER);
    assert_true(wait_event(&b, 1, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, NULL, 5000));
    send_msg(&b, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=new\\r\\n\"}");
    assert_true(wait_event(&a, 0, ESP_WEBRTC_MESSAGE_OFFER, &e, 5000));
    assert_non_null(strstr(e.text, "o=new"));
    send_msg(&a, ESP_WEBRTC_MESSAGE_ANSWER, "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=dev\\r\\n\"}");
    assert_true(wait_event(&b, 0, ESP_WEBRTC_MESSAGE_ANSWER, &e, 5000));
    assert_non_null(strstr(e.text, "o=dev"));
    peer_stop(&b);
    peer_stop(&a);
}

static void test_bad_configuration_is_named(void **state)
{
    (void)state;
    webrtc_signaling_client_if_t *sig = apprtc_signaling_client_if_get();
    void *client = NULL;
    apprtc_signaling_config_t bad_url = {.serverUrl = "ftp://example"};
    assert_int_equal(sig->init(&bad_url, &client), WEBRTC_STATUS_INVALID_ARG);
    apprtc_signaling_config_t bad_room = {.serverUrl = server_url, .roomId = "no spaces please"};
    assert_int_equal(sig->init(&bad_room, &client), WEBRTC_STATUS_INVALID_ARG);
    apprtc_signaling_config_t gen = {.serverUrl = server_url};
    assert_int_equal(sig->init(&gen, &client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(apprtc_signaling_get_room_id(client)), APPRTC_GENERATED_ROOM_ID_LEN);
    assert_int_equal(sig->free(client), WEBRTC_STATUS_SUCCESS);
}

static int setup(void **state)
{
    (void)state;
    char *argv[] = {ERTC_SIGNALD_PATH, "--listen", "127.0.0.1:0", NULL};
    if (test_server_start_line(&signald, argv, "listening on http://127.0.0.1:") != 0) {
        return -1;
    }
    snprintf(server_url, sizeof(server_url), "http://127.0.0.1:%u", (unsigned)signald.port);
    signald_started_ms = ertc_time_mono_ms();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&signald);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_clients_relay_both_ways_and_third_is_full),
        cmocka_unit_test(test_messages_stored_for_a_late_joiner),
        cmocka_unit_test(test_leave_and_rejoin),
        cmocka_unit_test(test_dropped_websocket_reregisters),
        cmocka_unit_test_teardown(test_restarted_server_is_joined_again, stop_own),
        cmocka_unit_test(test_bad_configuration_is_named),
    };
    return cmocka_run_group_tests_name("apprtc_client", tests, setup, teardown);
}
