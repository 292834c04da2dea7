/*
 * Scripted fakes for the app_webrtc tests: a signaling backend and a peer connection that
 * record every call app_webrtc makes, and let a test play the remote side. Shared by the
 * test_app_webrtc*.c programs (static functions: each program includes this once).
 *
 * Threads, as in real life: app_webrtc runs on its own thread (app_webrtc_run in a thread of
 * the test); the test's main thread plays the signaling backend and calls the backend's
 * callbacks from there (a backend thread); peer-connection callbacks are made on app_webrtc's
 * loop through ertc_loop_call_sync, as the interface promises. Records are read under a lock.
 */
#ifndef TEST_APP_WEBRTC_FAKE_H
#define TEST_APP_WEBRTC_FAKE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "app_webrtc.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

/* Each program uses a part of the fakes. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

#define WAIT_MS 10000 /* a condition not met after this long has failed */

static ertc_mutex_t *rec_lock;

/* ---- events ----------------------------------------------------------------------------- */
#define MAX_EVENTS 4096
typedef struct {
    app_webrtc_event_t id;
    uint32_t status;
    char peer[64];
    char message[128];
    bool had_metrics;
    app_webrtc_session_metrics_t metrics;
} rec_event_t;

static rec_event_t events[MAX_EVENTS];
static int event_count;

static void on_event(app_webrtc_event_data_t *ev, void *user)
{
    (void)user;
    ertc_mutex_lock(rec_lock);
    if (event_count < MAX_EVENTS) {
        rec_event_t *r = &events[event_count++];
        r->id = ev->event_id;
        r->status = ev->status_code;
        snprintf(r->peer, sizeof(r->peer), "%.63s", ev->peer_id);
        snprintf(r->message, sizeof(r->message), "%.127s", ev->message);
        r->had_metrics = ev->metrics != NULL;
        if (ev->metrics != NULL) {
            r->metrics = *ev->metrics;
        }
    }
    ertc_mutex_unlock(rec_lock);
}

/* ---- the fake signaling backend --------------------------------------------------------- */
typedef enum { CONNECT_OK, CONNECT_FAIL, CONNECT_REPORT_FAILED, CONNECT_SILENT } connect_mode_t;

#define MAX_SENT 512
typedef struct {
    esp_webrtc_message_type_t type;
    char peer[64];
    char payload[256];
} rec_msg_t;

static struct {
    int inits, frees, connects, disconnects, refreshes, role_sets;
    connect_mode_t mode;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
    uint64_t ice_custom;
    webrtc_signaling_on_ice_servers_updated_t on_ice;
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    bool refresh_needed;
    uint64_t connect_ms[32];
    rec_msg_t sent[MAX_SENT];
    int sent_count;
    bool refuse_bye;
    int retry_later; /* the next sends answer RETRY_LATER */
} fs;

static int fs_client_token;

static WEBRTC_STATUS fs_init(void *cfg, void **client)
{
    if (cfg == NULL) {
        ERTC_LOGE("fake_sig", "server_url: missing");
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_mutex_lock(rec_lock);
    fs.inits++;
    ertc_mutex_unlock(rec_lock);
    *client = &fs_client_token;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_connect(void *client)
{
    assert_ptr_equal(client, &fs_client_token);
    ertc_mutex_lock(rec_lock);
    if (fs.connects < 32) {
        fs.connect_ms[fs.connects] = ertc_time_mono_ms();
    }
    fs.connects++;
    connect_mode_t mode = fs.mode;
    ertc_mutex_unlock(rec_lock);
    switch (mode) {
    case CONNECT_OK:
        fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
        fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
        return WEBRTC_STATUS_SUCCESS;
    case CONNECT_FAIL: return WEBRTC_STATUS_NETWORK_ERROR;
    case CONNECT_REPORT_FAILED:
        fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
        fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_FAILED);
        return WEBRTC_STATUS_SUCCESS;
    case CONNECT_SILENT: return WEBRTC_STATUS_SUCCESS;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_disconnect(void *client)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    fs.disconnects++;
    ertc_mutex_unlock(rec_lock);
    fs.on_state(fs.custom, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_send(void *client, esp_webrtc_signaling_message_t *m)
{
    (void)client;
    if (m->message_type == ESP_WEBRTC_MESSAGE_BYE && fs.refuse_bye) {
        return WEBRTC_STATUS_NOT_IMPLEMENTED;
    }
    ertc_mutex_lock(rec_lock);
    if (fs.retry_later > 0) {
        fs.retry_later--;
        ertc_mutex_unlock(rec_lock);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    if (fs.sent_count < MAX_SENT) {
        rec_msg_t *r = &fs.sent[fs.sent_count++];
        r->type = m->message_type;
        snprintf(r->peer, sizeof(r->peer), "%.63s", m->peer_client_id);
        snprintf(r->payload, sizeof(r->payload), "%.*s", (int)m->payload_len,
                 m->payload ? m->payload : "");
    }
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_free(void *client)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    fs.frees++;
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_set_callbacks(void *client, uint64_t custom,
                                      webrtc_signaling_on_msg_received_t on_msg,
                                      webrtc_signaling_on_state_changed_t on_state,
                                      webrtc_signaling_on_error_t on_error)
{
    (void)client;
    fs.custom = custom;
    fs.on_msg = on_msg;
    fs.on_state = on_state;
    fs.on_error = on_error;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_set_role(void *client, webrtc_signaling_channel_role_type_t role)
{
    (void)client;
    (void)role;
    fs.role_sets++;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_get_ice(void *client, uint32_t *count, void *array)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    memcpy(array, fs.ice, fs.ice_count * sizeof(app_webrtc_ice_server_t));
    *count = fs.ice_count;
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_refresh_needed(void *client, bool *needed)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    *needed = fs.refresh_needed;
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

/* Runs on the work queue (or inline): "fetches" a TURN server and announces it. */
static WEBRTC_STATUS fs_refresh(void *client)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    fs.refreshes++;
    fs.refresh_needed = false;
    if (fs.ice_count < APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
        app_webrtc_ice_server_t *t = &fs.ice[fs.ice_count++];
        snprintf(t->urls, sizeof(t->urls), "turn:127.0.0.1:3478?transport=udp");
        snprintf(t->username, sizeof(t->username), "user");
        snprintf(t->credential, sizeof(t->credential), "secret-pass");
    }
    uint32_t n = fs.ice_count;
    ertc_mutex_unlock(rec_lock);
    if (fs.on_ice != NULL) {
        fs.on_ice(fs.ice_custom, n);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fs_set_ice_cb(void *client, uint64_t custom,
                                   webrtc_signaling_on_ice_servers_updated_t cb)
{
    (void)client;
    fs.ice_custom = custom;
    fs.on_ice = cb;
    return WEBRTC_STATUS_SUCCESS;
}

static webrtc_signaling_client_if_t fake_sig_if = {
    .init = fs_init,
    .connect = fs_connect,
    .disconnect = fs_disconnect,
    .send_message = fs_send,
    .free = fs_free,
    .set_callbacks = fs_set_callbacks,
    .set_role_type = fs_set_role,
    .get_ice_servers = fs_get_ice,
    .is_ice_refresh_needed = fs_refresh_needed,
    .refresh_ice_configuration = fs_refresh,
    .set_ice_update_callback = fs_set_ice_cb,
};

static int fake_sig_cfg = 1;

/* The remote side: a message from peer, delivered from the test's thread. */
static void remote_send(esp_webrtc_message_type_t type, const char *peer, const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", peer);
    /* not NUL-terminated on purpose: app_webrtc must use payload_len */
    char buf[512];
    size_t n = payload ? strlen(payload) : 0;
    memcpy(buf, payload ? payload : "", n);
    buf[n] = '#';
    m.payload = payload ? buf : NULL;
    m.payload_len = (uint32_t)n;
    assert_int_equal(fs.on_msg(fs.custom, &m), WEBRTC_STATUS_SUCCESS);
}

/* ---- the fake peer connection ------------------------------------------------------------ */
#define MAX_FP_SESSIONS 16
#define MAX_FP_INBOX    64
typedef struct {
    bool used, destroyed;
    char peer[64];
    bool initiator;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t);
    esp_webrtc_message_type_t inbox_type[MAX_FP_INBOX];
    char inbox[MAX_FP_INBOX][128];
    int inbox_count;
    int offers_made;
} fp_session_t;

static struct {
    int inits, frees, creates, destroys, ice_sets;
    uint32_t ice_count;
    char ice_urls[APP_WEBRTC_MAX_ICE_SERVERS_COUNT][128];
    fp_session_t s[MAX_FP_SESSIONS];
    bool auto_answer; /* answer an offer at once with a candidate and end-of-candidates */
    webrtc_peer_connection_config_t cfg;
    app_webrtc_pc_event_handler_t handler;
    /* bridge path */
    uint64_t bridge_custom;
    webrtc_signaling_on_msg_received_t bridge_on_msg;
    rec_msg_t bridged[64];
    int bridged_count;
} fp;

static int fp_client_token;

static WEBRTC_STATUS fp_init(void *cfg, void **client)
{
    fp.cfg = *(webrtc_peer_connection_config_t *)cfg;
    ertc_mutex_lock(rec_lock);
    fp.inits++;
    ertc_mutex_unlock(rec_lock);
    *client = &fp_client_token;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_set_ice(void *client, void *servers, uint32_t count)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    fp.ice_sets++;
    fp.ice_count = count;
    for (uint32_t i = 0; i < count; i++) {
        snprintf(fp.ice_urls[i], sizeof(fp.ice_urls[i]), "%s",
                 ((app_webrtc_ice_server_t *)servers)[i].urls);
    }
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_create(void *client, const char *peer, bool initiator,
                               webrtc_data_channel_config_t *dc, void **out)
{
    (void)client;
    (void)dc;
    ertc_mutex_lock(rec_lock);
    fp_session_t *s = NULL;
    for (int i = 0; i < MAX_FP_SESSIONS && s == NULL; i++) {
        if (!fp.s[i].used) {
            s = &fp.s[i];
        }
    }
    assert_non_null(s);
    memset(s, 0, sizeof(*s));
    s->used = true;
    snprintf(s->peer, sizeof(s->peer), "%s", peer);
    s->initiator = initiator;
    fp.creates++;
    ertc_mutex_unlock(rec_lock);
    *out = s;
    if (fp.handler != NULL) { /* as edgertc's peer connection does: app_webrtc drops it */
        fp.handler(APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED, 0, s->peer, (char *)"created");
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void fp_emit(fp_session_t *s, esp_webrtc_message_type_t type, const char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", s->peer);
    m.payload = (char *)payload;
    m.payload_len = (uint32_t)strlen(payload);
    s->on_msg(s->custom, &m);
}

static WEBRTC_STATUS fp_send(void *session, esp_webrtc_signaling_message_t *m)
{
    if (session == NULL) { /* the bridge path */
        ertc_mutex_lock(rec_lock);
        rec_msg_t *r = &fp.bridged[fp.bridged_count++ % 64];
        r->type = m->message_type;
        snprintf(r->peer, sizeof(r->peer), "%.63s", m->peer_client_id);
        snprintf(r->payload, sizeof(r->payload), "%.*s", (int)m->payload_len,
                 m->payload ? m->payload : "");
        ertc_mutex_unlock(rec_lock);
        return WEBRTC_STATUS_SUCCESS;
    }
    fp_session_t *s = session;
    assert_false(s->destroyed);
    assert_string_equal(s->peer, m->peer_client_id); /* routed to the right session */
    ertc_mutex_lock(rec_lock);
    if (s->inbox_count < MAX_FP_INBOX) {
        s->inbox_type[s->inbox_count] = m->message_type;
        snprintf(s->inbox[s->inbox_count], sizeof(s->inbox[0]), "%.*s", (int)m->payload_len,
                 m->payload ? m->payload : "");
        s->inbox_count++;
    }
    bool answer = fp.auto_answer && m->message_type == ESP_WEBRTC_MESSAGE_OFFER;
    ertc_mutex_unlock(rec_lock);
    if (answer) {
        fp_emit(s, ESP_WEBRTC_MESSAGE_ANSWER, "{\"type\":\"answer\",\"sdp\":\"v=0\"}");
        fp_emit(s, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE,
                "{\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 5000 typ host\"}");
        fp_emit(s, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "{\"candidate\":\"\"}");
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_destroy(void *session)
{
    fp_session_t *s = session;
    ertc_mutex_lock(rec_lock);
    assert_false(s->destroyed);
    s->destroyed = true;
    s->used = false;
    fp.destroys++;
    ertc_mutex_unlock(rec_lock);
    if (fp.handler != NULL) { /* a late duplicate from inside destroy: dropped */
        fp.handler(APP_WEBRTC_EVENT_PEER_DISCONNECTED, 0, s->peer, (char *)"session destroyed");
        fp.handler(APP_WEBRTC_EVENT_STREAMING_STOPPED, 0, s->peer, (char *)"stopped");
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_free(void *client)
{
    (void)client;
    ertc_mutex_lock(rec_lock);
    fp.frees++;
    ertc_mutex_unlock(rec_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_set_callbacks(void *session, uint64_t custom,
                                      webrtc_signaling_on_msg_received_t on_msg,
                                      WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t))
{
    if (session == NULL) {
        fp.bridge_custom = custom;
        fp.bridge_on_msg = on_msg;
        return WEBRTC_STATUS_SUCCESS;
    }
    fp_session_t *s = session;
    s->custom = custom;
    s->on_msg = on_msg;
    s->on_state = on_state;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_trigger_offer(void *session)
{
    fp_session_t *s = session;
    s->offers_made++;
    fp_emit(s, ESP_WEBRTC_MESSAGE_OFFER, "{\"type\":\"offer\",\"sdp\":\"v=0\"}");
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fp_register(void *client, app_webrtc_pc_event_handler_t h)
{
    (void)client;
    fp.handler = h;
    return WEBRTC_STATUS_SUCCESS;
}

static webrtc_peer_connection_if_t fake_pc_if = {
    .init = fp_init,
    .set_ice_servers = fp_set_ice,
    .create_session = fp_create,
    .send_message = fp_send,
    .destroy_session = fp_destroy,
    .free = fp_free,
    .set_callbacks = fp_set_callbacks,
    .trigger_offer = fp_trigger_offer,
    .register_event_handler = fp_register,
};

/* The bridge interface of split mode: no sessions. */
static webrtc_peer_connection_if_t fake_bridge_if = {
    .init = fp_init,
    .send_message = fp_send,
    .free = fp_free,
    .set_callbacks = fp_set_callbacks,
};

/* Finds the fake session of peer (live or not); NULL if none. Call with rec_lock held. */
static fp_session_t *fp_find(const char *peer, bool live)
{
    for (int i = 0; i < MAX_FP_SESSIONS; i++) {
        if (strcmp(fp.s[i].peer, peer) == 0 && (!live || (fp.s[i].used && !fp.s[i].destroyed))) {
            return &fp.s[i];
        }
    }
    return NULL;
}

/* ---- running app_webrtc ------------------------------------------------------------------- */
static ertc_thread_t *run_thread;
static WEBRTC_STATUS run_result;

static void run_main(void *arg)
{
    (void)arg;
    run_result = app_webrtc_run();
}

static void fakes_reset(void)
{
    if (rec_lock == NULL) {
        assert_int_equal(ertc_mutex_create(&rec_lock), WEBRTC_STATUS_SUCCESS);
    }
    memset(&fs, 0, sizeof(fs));
    memset(&fp, 0, sizeof(fp));
    event_count = 0;
    app_webrtc_register_event_callback(on_event, NULL);
    app_webrtc_register_msg_callback(NULL);
}

static app_webrtc_config_t base_config(void)
{
    app_webrtc_config_t cfg = WEBRTC_APP_CONFIG_DEFAULT();
    cfg.signaling_client_if = &fake_sig_if;
    cfg.signaling_cfg = &fake_sig_cfg;
    cfg.peer_connection_if = &fake_pc_if;
    cfg.use_default_stun = false; /* no test contacts an outside host */
    cfg.logLevel = 4;
    return cfg;
}

static void start_app(app_webrtc_config_t *cfg)
{
    assert_int_equal(app_webrtc_init(cfg), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_thread_create(&run_thread, "app", 0, run_main, NULL),
                     WEBRTC_STATUS_SUCCESS);
}

static void stop_app(void)
{
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_thread_join(run_thread), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(run_result, WEBRTC_STATUS_SUCCESS);
    run_thread = NULL;
}

typedef bool (*check_fn)(const void *arg);

/* Polls check (under rec_lock) until true; fails the test after WAIT_MS. */
static void wait_for(check_fn check, const void *arg, const char *what)
{
    uint64_t give_up = ertc_time_mono_ms() + WAIT_MS;
    for (;;) {
        ertc_mutex_lock(rec_lock);
        bool ok = check(arg);
        ertc_mutex_unlock(rec_lock);
        if (ok) {
            return;
        }
        if (ertc_time_mono_ms() > give_up) {
            fail_msg("timed out waiting for %s", what);
        }
        ertc_sleep_ms(1);
    }
}

static int count_events_locked(app_webrtc_event_t id, const char *peer)
{
    int n = 0;
    for (int i = 0; i < event_count; i++) {
        n += events[i].id == id && (peer == NULL || strcmp(events[i].peer, peer) == 0);
    }
    return n;
}

typedef struct {
    app_webrtc_event_t id;
    const char *peer;
    int n;
} ev_want_t;

static bool have_events(const void *arg)
{
    const ev_want_t *w = arg;
    return count_events_locked(w->id, w->peer) >= w->n;
}

static void wait_event(app_webrtc_event_t id, const char *peer, int n)
{
    ev_want_t w = {id, peer, n};
    char what[96];
    snprintf(what, sizeof(what), "%d x %s", n, app_webrtc_event_name(id));
    wait_for(have_events, &w, what);
}

static int count_events(app_webrtc_event_t id, const char *peer)
{
    ertc_mutex_lock(rec_lock);
    int n = count_events_locked(id, peer);
    ertc_mutex_unlock(rec_lock);
    return n;
}

/* Runs fn(arg) on app_webrtc's loop and waits: how a peer connection calls back. */
static void on_app_loop(ertc_post_fn fn, void *arg)
{
    app_ctx_t *ctx = app_current();
    assert_non_null(ctx);
    assert_int_equal(ertc_loop_call_sync(ctx->loop, fn, arg), WEBRTC_STATUS_SUCCESS);
}

typedef struct {
    const char *peer;
    esp_webrtc_message_type_t type;
    const char *payload;
} emit_job_t;

static void do_emit(void *arg)
{
    emit_job_t *j = arg;
    ertc_mutex_lock(rec_lock);
    fp_session_t *s = fp_find(j->peer, true);
    ertc_mutex_unlock(rec_lock);
    assert_non_null(s);
    fp_emit(s, j->type, j->payload);
}

/* The peer connection of peer's session sends a message (on app_webrtc's loop). */
static void local_send(const char *peer, esp_webrtc_message_type_t type, const char *payload)
{
    emit_job_t j = {peer, type, payload};
    on_app_loop(do_emit, &j);
}

static int sent_count(esp_webrtc_message_type_t type, const char *peer)
{
    ertc_mutex_lock(rec_lock);
    int n = 0;
    for (int i = 0; i < fs.sent_count; i++) {
        n += fs.sent[i].type == type && strcmp(fs.sent[i].peer, peer) == 0;
    }
    ertc_mutex_unlock(rec_lock);
    return n;
}

typedef struct {
    const char *peer;
    webrtc_peer_state_t state;
} state_job_t;

static void do_peer_state(void *arg)
{
    state_job_t *j = arg;
    ertc_mutex_lock(rec_lock);
    fp_session_t *s = fp_find(j->peer, true);
    ertc_mutex_unlock(rec_lock);
    assert_non_null(s);
    s->on_state(s->custom, j->state);
}

static void peer_state(const char *peer, webrtc_peer_state_t state)
{
    state_job_t j = {peer, state};
    on_app_loop(do_peer_state, &j);
}

#endif
