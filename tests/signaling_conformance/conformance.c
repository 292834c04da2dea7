/*
 * conformance.c — the checks of the signaling conformance kit (conformance.h).
 *
 * Each client under test gets a heap context with a magic number. After the backend's free
 * returns, the context is poisoned (magic changed) but kept allocated for a while; any
 * callback that still arrives sees the poison and counts a violation, which fails the check
 * (and under ASan a context really freed at the end would be caught as use-after-free too).
 */
#include "conformance.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define CTX_MAGIC  0x5349474eu /* "SIGN" */
#define CTX_POISON 0xdeadbeefu
#define MAX_EVENTS 256

enum { EV_MSG, EV_STATE, EV_ERROR };

typedef struct {
    int kind;
    esp_webrtc_message_type_t type;
    webrtc_signaling_client_state_t state;
    WEBRTC_STATUS status;
    char peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    char text[1024];
} event_t;

typedef struct {
    volatile uint32_t magic;
    const char *name;
    void *client;
    void *cfg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    event_t events[MAX_EVENTS];
    int count, read;
} ctx_t;

static const conformance_backend_t *B;
static webrtc_signaling_client_if_t *S;
static volatile int late_callbacks; /* callbacks that arrived after free */
static unsigned room_seq;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static ctx_t *live(uint64_t data)
{
    ctx_t *c = (ctx_t *)(uintptr_t)data;
    if (c->magic != CTX_MAGIC) {
        __atomic_add_fetch(&late_callbacks, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    return c;
}

static void push(ctx_t *c, const event_t *e)
{
    pthread_mutex_lock(&c->lock);
    if (c->count < MAX_EVENTS) {
        c->events[c->count++] = *e;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static WEBRTC_STATUS cb_msg(uint64_t data, esp_webrtc_signaling_message_t *m)
{
    ctx_t *c = live(data);
    if (c == NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    event_t e = {.kind = EV_MSG, .type = m->message_type};
    snprintf(e.peer, sizeof(e.peer), "%s", m->peer_client_id);
    snprintf(e.text, sizeof(e.text), "%.*s", (int)m->payload_len, m->payload ? m->payload : "");
    push(c, &e);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS cb_state(uint64_t data, webrtc_signaling_client_state_t s)
{
    ctx_t *c = live(data);
    if (c != NULL) {
        event_t e = {.kind = EV_STATE, .state = s};
        push(c, &e);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS cb_error(uint64_t data, WEBRTC_STATUS st, char *msg, uint32_t len)
{
    ctx_t *c = live(data);
    if (c != NULL) {
        event_t e = {.kind = EV_ERROR, .status = st};
        snprintf(e.text, sizeof(e.text), "%.*s", (int)len, msg ? msg : "");
        push(c, &e);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Next event of `kind` and `what` (message type or state; ignored for errors). */
static bool wait_for(ctx_t *c, int kind, int what, event_t *out, uint32_t timeout_ms)
{
    uint64_t end = now_ms() + timeout_ms;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (c->read < c->count) {
            event_t *e = &c->events[c->read++];
            if (e->kind == kind && (kind == EV_ERROR || (kind == EV_MSG ? (int)e->type == what
                                                                        : (int)e->state == what))) {
                if (out != NULL) {
                    *out = *e;
                }
                pthread_mutex_unlock(&c->lock);
                return true;
            }
        }
        uint64_t now = now_ms();
        if (now >= end) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t ns = (uint64_t)ts.tv_nsec + (end - now) * 1000000u;
        ts.tv_sec += (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        pthread_cond_timedwait(&c->cond, &c->lock, &ts);
    }
    pthread_mutex_unlock(&c->lock);
    printf("    [%s] %s: no event kind %d / %d within %u ms\n", B->name, c->name, kind, what,
           (unsigned)timeout_ms);
    return false;
}

static const char *new_room(void)
{
    static char room[48];
    snprintf(room, sizeof(room), "conf%u-%u", (unsigned)getpid() % 100000u, ++room_seq);
    return room;
}

static ctx_t *start(const char *name, const char *room, int index)
{
    ctx_t *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->magic = CTX_MAGIC;
    c->name = name;
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    c->cfg = B->make_config(room, index);
    assert_non_null(c->cfg);
    assert_int_equal(S->init(c->cfg, &c->client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(
        S->set_callbacks(c->client, (uint64_t)(uintptr_t)c, cb_msg, cb_state, cb_error),
        WEBRTC_STATUS_SUCCESS);
    if (S->set_role_type != NULL) {
        assert_int_equal(
            S->set_role_type(c->client, index == 1 ? WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER
                                                   : WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER),
            WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(S->connect(c->client), WEBRTC_STATUS_SUCCESS);
    return c;
}

/* Frees the client, poisons the context, waits, and checks that nothing called back. */
static void stop(ctx_t *c, uint32_t watch_ms)
{
    int before = __atomic_load_n(&late_callbacks, __ATOMIC_SEQ_CST);
    assert_int_equal(S->free(c->client), WEBRTC_STATUS_SUCCESS);
    c->magic = CTX_POISON;
    if (watch_ms > 0) {
        usleep(watch_ms * 1000u);
    }
    assert_int_equal(__atomic_load_n(&late_callbacks, __ATOMIC_SEQ_CST), before);
    B->free_config(c->cfg);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static WEBRTC_STATUS send_to(ctx_t *c, esp_webrtc_message_type_t type, const char *peer,
                             const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", peer);
    m.payload = (char *)payload;
    m.payload_len = payload ? (uint32_t)strlen(payload) : 0;
    /* RETRY_LATER is a legal answer: try again, as app_webrtc's outbox does */
    WEBRTC_STATUS st = WEBRTC_STATUS_RETRY_LATER;
    for (int i = 0; i < 50 && st == WEBRTC_STATUS_RETRY_LATER; i++) {
        st = S->send_message(c->client, &m);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            usleep(100 * 1000);
        }
    }
    return st;
}

/* Master and viewer connected; the viewer was asked to offer; returns the master's id. */
static void pair(const char *room, ctx_t **master, ctx_t **viewer, char *master_id)
{
    event_t e;
    *master = start("master", room, 0);
    assert_true(wait_for(*master, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    *viewer = start("viewer", room, 1);
    assert_true(wait_for(*viewer, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_true(wait_for(*viewer, EV_MSG, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, &e, 10000));
    snprintf(master_id, APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1, "%s", e.peer);
}

#define OFFER  "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=viewer 1 1 IN IP4 0.0.0.0\\r\\n\"}"
#define ANSWER "{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=master 2 2 IN IP4 0.0.0.0\\r\\n\"}"
#define CAND(n)                                                                                    \
    "{\"candidate\":\"candidate:" #n " 1 udp 2122260223 10.77.0.1 " #n                             \
    " typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"

/* ---- the checks ------------------------------------------------------------------------------ */

static void check_required_members(void **state)
{
    (void)state;
    assert_non_null(S->init);
    assert_non_null(S->connect);
    assert_non_null(S->disconnect);
    assert_non_null(S->send_message);
    assert_non_null(S->free);
    assert_non_null(S->set_callbacks);
    assert_int_not_equal(S->init(NULL, NULL), WEBRTC_STATUS_SUCCESS);
}

static void check_connect_states_and_disconnect(void **state)
{
    (void)state;
    ctx_t *c = start("client", new_room(), 0);
    assert_true(wait_for(c, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING, NULL, 10000));
    assert_true(wait_for(c, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    assert_int_equal(S->disconnect(c->client), WEBRTC_STATUS_SUCCESS);
    /* connect again on the same client */
    assert_int_equal(S->connect(c->client), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(c, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    stop(c, 300);
}

static void check_offer_answer_candidates(void **state)
{
    (void)state;
    const char *room = new_room();
    ctx_t *m, *v;
    event_t e;
    char master_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pair(room, &m, &v, master_id);
    assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_OFFER, master_id, OFFER), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 10000));
    assert_string_equal(e.text, OFFER);
    char viewer_id[sizeof(e.peer)];
    snprintf(viewer_id, sizeof(viewer_id), "%s", e.peer);
    assert_true(viewer_id[0] != '\0');
    assert_int_equal(send_to(m, ESP_WEBRTC_MESSAGE_ANSWER, viewer_id, ANSWER),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(v, EV_MSG, ESP_WEBRTC_MESSAGE_ANSWER, &e, 10000));
    assert_string_equal(e.text, ANSWER);
    assert_int_equal(send_to(m, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, viewer_id, CAND(5000)),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(v, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 10000));
    assert_string_equal(e.text, CAND(5000));
    assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, master_id, CAND(6000)),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(m, EV_MSG, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, &e, 10000));
    assert_string_equal(e.text, CAND(6000));
    assert_string_equal(e.peer, viewer_id);
    stop(v, 0);
    stop(m, 500);
}

static void check_free_with_messages_in_flight(void **state)
{
    (void)state;
    const char *room = new_room();
    ctx_t *m, *v;
    char master_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pair(room, &m, &v, master_id);
    assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_OFFER, master_id, OFFER), WEBRTC_STATUS_SUCCESS);
    /* a burst, then the receiver is freed while it is still arriving */
    for (int i = 0; i < 40; i++) {
        WEBRTC_STATUS st = send_to(v, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, master_id, CAND(7000));
        assert_true(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_RETRY_LATER);
    }
    stop(m, 0);
    /* and the sender is freed right after sending more, to nobody */
    for (int i = 0; i < 10; i++) {
        (void)S->send_message(v->client, &(esp_webrtc_signaling_message_t){
                                             .message_type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
                                             .payload = CAND(7001),
                                             .payload_len = (uint32_t)strlen(CAND(7001))});
    }
    stop(v, 1500);
}

static void check_no_callback_after_free(void **state)
{
    (void)state;
    const char *room = new_room();
    ctx_t *m, *v;
    char master_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pair(room, &m, &v, master_id);
    assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_OFFER, master_id, OFFER), WEBRTC_STATUS_SUCCESS);
    event_t e;
    assert_true(wait_for(m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 10000));
    char viewer_id[sizeof(e.peer)];
    snprintf(viewer_id, sizeof(viewer_id), "%s", e.peer);
    /* free the viewer while the master keeps sending to it and a spare joins the room */
    assert_int_equal(S->free(v->client), WEBRTC_STATUS_SUCCESS);
    v->magic = CTX_POISON;
    int before = __atomic_load_n(&late_callbacks, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 10; i++) {
        esp_webrtc_signaling_message_t msg = {.message_type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
                                              .payload = CAND(8000),
                                              .payload_len = (uint32_t)strlen(CAND(8000))};
        snprintf(msg.peer_client_id, sizeof(msg.peer_client_id), "%s", viewer_id);
        (void)S->send_message(m->client, &msg);
        usleep(100 * 1000);
    }
    assert_int_equal(__atomic_load_n(&late_callbacks, __ATOMIC_SEQ_CST), before);
    B->free_config(v->cfg);
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->lock);
    free(v);
    stop(m, 1000);
}

static void check_malformed_outgoing(void **state)
{
    (void)state;
    const char *room = new_room();
    ctx_t *m, *v;
    char master_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pair(room, &m, &v, master_id);
    /* The viewer sends by default; a one-sided backend is tested on its master, which answers
     * the viewer's offer (and so learns the viewer's id first). */
    ctx_t *sender = v, *receiver = m;
    esp_webrtc_message_type_t good_type = ESP_WEBRTC_MESSAGE_OFFER;
    const char *good = OFFER;
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    snprintf(peer_id, sizeof(peer_id), "%s", master_id);
    if (B->one_sided) {
        event_t e;
        assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_OFFER, master_id, OFFER),
                         WEBRTC_STATUS_SUCCESS);
        assert_true(wait_for(m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 10000));
        snprintf(peer_id, sizeof(peer_id), "%s", e.peer);
        sender = m;
        receiver = v;
        good_type = ESP_WEBRTC_MESSAGE_ANSWER;
        good = ANSWER;
    }
    assert_int_not_equal(S->send_message(sender->client, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_not_equal(S->send_message(NULL, &(esp_webrtc_signaling_message_t){0}),
                         WEBRTC_STATUS_SUCCESS);
    /* a payload over the limit is refused, not truncated or sent */
    size_t big = APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN + 1;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'a', big);
    huge[big] = '\0';
    esp_webrtc_signaling_message_t msg = {
        .message_type = good_type, .payload = huge, .payload_len = (uint32_t)big};
    snprintf(msg.peer_client_id, sizeof(msg.peer_client_id), "%s", peer_id);
    assert_int_not_equal(S->send_message(sender->client, &msg), WEBRTC_STATUS_SUCCESS);
    free(huge);
    /* the client still works, and the refused message did not arrive */
    assert_int_equal(send_to(sender, good_type, peer_id, good), WEBRTC_STATUS_SUCCESS);
    event_t got;
    assert_true(wait_for(receiver, EV_MSG, good_type, &got, 10000));
    assert_string_equal(got.text, good);
    stop(v, 0);
    stop(m, 300);
}

static void check_malformed_incoming(void **state)
{
    (void)state;
    if (B->inject_malformed == NULL) {
        printf("    [%s] no inject_malformed hook: incoming garbage is covered by its fuzzer\n",
               B->name);
        return;
    }
    const char *room = new_room();
    ctx_t *m, *v;
    event_t e;
    char master_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    pair(room, &m, &v, master_id);
    assert_true(B->inject_malformed(room, 0));
    assert_true(wait_for(m, EV_ERROR, 0, &e, 10000));
    assert_int_equal(e.status, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE);
    /* nothing but the error came of it, and the next good message still arrives */
    assert_int_equal(send_to(v, ESP_WEBRTC_MESSAGE_OFFER, master_id, OFFER), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_for(m, EV_MSG, ESP_WEBRTC_MESSAGE_OFFER, &e, 10000));
    assert_string_equal(e.text, OFFER);
    stop(v, 0);
    stop(m, 300);
}

static void check_ice_members(void **state)
{
    (void)state;
    ctx_t *c = start("client", new_room(), 0);
    assert_true(wait_for(c, EV_STATE, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED, NULL, 10000));
    if (S->get_ice_servers != NULL) {
        app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
        uint32_t n = 0;
        WEBRTC_STATUS st = S->get_ice_servers(c->client, &n, servers);
        assert_true(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_RETRY_LATER);
        assert_true(n <= APP_WEBRTC_MAX_ICE_SERVERS_COUNT);
    }
    if (S->get_ice_server_by_idx != NULL) {
        for (int i = 0; i < 2 * APP_WEBRTC_MAX_ICE_SERVERS_COUNT; i++) {
            uint8_t *data = NULL;
            int len = 0;
            bool more = false;
            WEBRTC_STATUS st = S->get_ice_server_by_idx(c->client, i, true, &data, &len, &more);
            assert_true(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_RETRY_LATER);
            assert_true(data == NULL || len == (int)sizeof(app_webrtc_ice_server_t));
            free(data); /* the caller frees, per the contract */
            if (!more) {
                break;
            }
        }
    }
    if (S->is_ice_refresh_needed != NULL) {
        bool needed = true;
        uint64_t t0 = now_ms();
        assert_int_equal(S->is_ice_refresh_needed(c->client, &needed), WEBRTC_STATUS_SUCCESS);
        assert_true(now_ms() - t0 < 500); /* immediate */
    }
    stop(c, 300);
}

int conformance_run(const conformance_backend_t *backend)
{
    B = backend;
    S = backend->get_if();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_required_members),
        cmocka_unit_test(check_connect_states_and_disconnect),
        cmocka_unit_test(check_offer_answer_candidates),
        cmocka_unit_test(check_free_with_messages_in_flight),
        cmocka_unit_test(check_no_callback_after_free),
        cmocka_unit_test(check_malformed_outgoing),
        cmocka_unit_test(check_malformed_incoming),
        cmocka_unit_test(check_ice_members),
    };
    return _cmocka_run_group_tests(backend->name, tests, sizeof(tests) / sizeof(tests[0]), NULL,
                                   NULL);
}
