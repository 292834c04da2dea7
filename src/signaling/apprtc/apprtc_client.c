/*
 * signaling/apprtc/apprtc_client — the AppRTC backend behind apprtc_signaling_client_if_get().
 *
 * The client runs on an event loop and thread of its own (the signaling interface gives a
 * backend no loop), so its members post work there and return; callbacks come from that
 * thread. One state machine (apprtc_state_t) drives: join (POST /join/<room>) → WebSocket to
 * wss_url with Origin → register → CONNECTED, stored messages handed over, TRIGGER_OFFER for
 * a VIEWER; messages both ways (initiator: POST /message, the other side: the WebSocket);
 * reconnect with backoff when the WebSocket drops (re-register as the same client within the
 * server's 10 s window, else join again; join again too when the server process restarted
 * meanwhile or a /message answer says the server no longer knows us); leave, bye and DELETE on
 * disconnect.
 * specs/apprtc.md §3 and §7 describe the protocol this follows.
 */
#include "apprtc_signaling.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "net/ws_client.h"
#include "port/loop.h"
#include "port/port.h"
#include "signaling/apprtc/apprtc_message.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/url.h"

#define TAG "apprtc"
#define DEFAULT_TIMEOUT_MS 10000
#define MAX_PENDING_SENDS 64       /* outgoing messages waiting for registration or the POST queue */
#define REREGISTER_WINDOW_MS 8000  /* the server keeps a dropped client 10 s: stay well inside */
#define MAX_RECONNECT_ATTEMPTS 6
#define LEAVE_TIMEOUT_MS 2000
#define WS_PING_INTERVAL_MS 20000

typedef enum {
    APPRTC_IDLE,
    APPRTC_JOINING,
    APPRTC_OPENING,    /* WebSocket connecting */
    APPRTC_REGISTERED, /* CONNECTED */
    APPRTC_RECONNECT_WAIT,
    APPRTC_FAILED,
} apprtc_state_t;

/* POST_STATUS is the one GET: the Collider's /status, asked before re-registering. */
typedef enum { POST_JOIN, POST_ICE, POST_MESSAGE, POST_STATUS } post_kind_t;

typedef struct pending {
    struct pending *next;
    post_kind_t kind;
    char *url;  /* POST target */
    char *body; /* the message JSON */
    size_t len;
    bool ws;    /* goes over the WebSocket (once registered) rather than POST /message */
} pending_t;

typedef struct {
    /* configuration (set before connect) */
    char server[APPRTC_MAX_URL_LEN];
    char room[APPRTC_MAX_ROOM_ID_LEN + 1];
    uint32_t timeout_ms;
    webrtc_signaling_channel_role_type_t role;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
    uint64_t ice_custom;
    webrtc_signaling_on_ice_servers_updated_t on_ice;

    /* loop-thread state */
    ertc_loop_t *loop;
    ertc_thread_t *thread;
    ertc_tls_config_t *tls;
    ertc_http_client_t *http;
    ertc_ws_client_t *ws;
    apprtc_state_t state;
    apprtc_join_t join;
    bool joined;
    bool join_fresh;  /* the stored messages of this join are not delivered yet */
    bool offered;     /* a VIEWER's TRIGGER_OFFER was given since connect */
    unsigned remote_gen; /* a new remote peer id after each bye */
    char remote_peer[32];
    pending_t *posts_head, *posts_tail; /* POSTs in order; the head is in flight */
    bool post_in_flight;
    pending_t *ws_head, *ws_tail; /* WebSocket sends waiting for registration */
    ertc_timer_t deadline;
    ertc_timer_t reconnect;
    unsigned attempts;
    uint64_t dropped_at_ms;
    bool checking;       /* a GET /status before a re-register is in flight */
    uint64_t checked_at_ms;
    atomic_int pending_count;

    /* shared with the app's thread */
    ertc_mutex_t *ice_lock;
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    int64_t ice_expiry; /* Unix seconds, from TURN REST usernames; 0 = none */
} apprtc_client_t;

static void start_join(apprtc_client_t *c);
static void open_websocket(apprtc_client_t *c);
static void pump_posts(apprtc_client_t *c);

/* ---- reporting ------------------------------------------------------------------------------- */

static void set_state(apprtc_client_t *c, apprtc_state_t s, webrtc_signaling_client_state_t report)
{
    static const char *const names[] = {"IDLE",       "JOINING",        "OPENING",
                                        "REGISTERED", "RECONNECT_WAIT", "FAILED"};
    if (c->state != s) {
        ERTC_LOGD(TAG, "room %s: %s -> %s", c->room, names[c->state], names[s]);
    }
    c->state = s;
    if (c->on_state != NULL) {
        c->on_state(c->custom, report);
    }
}

static void report_error(apprtc_client_t *c, WEBRTC_STATUS status, const char *text)
{
    char msg[APPRTC_ERROR_LEN + 96];
    snprintf(msg, sizeof(msg), "AppRTC room %s: %.*s", c->room, APPRTC_ERROR_LEN, text);
    ERTC_LOGW(TAG, "%s", msg);
    if (c->on_error != NULL) {
        c->on_error(c->custom, status, msg, (uint32_t)strlen(msg));
    }
}

static void deliver(apprtc_client_t *c, esp_webrtc_message_type_t type, char *payload, size_t len)
{
    if (c->on_msg == NULL) {
        return;
    }
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", c->remote_peer);
    m.payload = payload;
    m.payload_len = (uint32_t)len;
    c->on_msg(c->custom, &m);
}

static void new_remote_peer(apprtc_client_t *c)
{
    c->remote_gen++;
    snprintf(c->remote_peer, sizeof(c->remote_peer), "apprtc-peer-%u", c->remote_gen);
}

/* ---- ICE servers ------------------------------------------------------------------------------- */

static void store_ice(apprtc_client_t *c, const app_webrtc_ice_server_t *list, uint32_t n)
{
    int64_t expiry = 0;
    for (uint32_t i = 0; i < n; i++) {
        long long e = strtoll(list[i].username, NULL, 10); /* TURN REST: "<expiry>:<user>" */
        if (strchr(list[i].username, ':') != NULL && e > 0 && (expiry == 0 || e < expiry)) {
            expiry = e;
        }
    }
    ertc_mutex_lock(c->ice_lock);
    memcpy(c->ice, list, n * sizeof(*list));
    c->ice_count = n;
    c->ice_expiry = expiry;
    ertc_mutex_unlock(c->ice_lock);
    if (n > 0 && c->on_ice != NULL) {
        c->on_ice(c->ice_custom, n);
    }
}

/* ---- HTTP requests in order --------------------------------------------------------------------- */

static void free_pending(pending_t *p)
{
    ertc_free(p->url);
    ertc_free(p->body);
    ertc_free(p);
}

static void push(pending_t **head, pending_t **tail, pending_t *p)
{
    p->next = NULL;
    if (*tail != NULL) {
        (*tail)->next = p;
    } else {
        *head = p;
    }
    *tail = p;
}

static pending_t *pop(pending_t **head, pending_t **tail)
{
    pending_t *p = *head;
    if (p != NULL) {
        *head = p->next;
        if (*head == NULL) {
            *tail = NULL;
        }
    }
    return p;
}

static void clear_queues(apprtc_client_t *c)
{
    pending_t *p;
    while ((p = pop(&c->posts_head, &c->posts_tail)) != NULL) {
        free_pending(p);
    }
    while ((p = pop(&c->ws_head, &c->ws_tail)) != NULL) {
        free_pending(p);
    }
    atomic_store(&c->pending_count, 0);
    c->post_in_flight = false;
}

static void on_join_answer(apprtc_client_t *c, WEBRTC_STATUS st, ertc_http_response_t *r);
static void on_status_answer(apprtc_client_t *c, WEBRTC_STATUS st, ertc_http_response_t *r);
static void rejoin_after_loss(apprtc_client_t *c, const char *why);

static void on_post_done(ertc_http_client_t *http, WEBRTC_STATUS st, ertc_http_response_t *r,
                         void *arg)
{
    (void)http;
    apprtc_client_t *c = arg;
    pending_t *p = pop(&c->posts_head, &c->posts_tail);
    c->post_in_flight = false;
    post_kind_t kind = p ? p->kind : POST_MESSAGE;
    if (kind == POST_JOIN) {
        on_join_answer(c, st, r);
    } else if (kind == POST_STATUS) {
        on_status_answer(c, st, r);
    } else if (kind == POST_ICE) {
        app_webrtc_ice_server_t list[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
        uint32_t n = 0;
        WEBRTC_STATUS pst = WEBRTC_STATUS_MALFORMED;
        if (st == WEBRTC_STATUS_SUCCESS && r->status == 200) {
            pst = apprtc_parse_ice_servers(r->body, r->body_len, list, &n);
        }
        if (pst == WEBRTC_STATUS_SUCCESS && n > 0) {
            store_ice(c, list, n);
        } else if (pst == WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGD(TAG, "room %s: the server has no ICE servers for us", c->room);
        } else {
            ERTC_LOGW(TAG, "room %s: ICE servers from %s not usable (%s, HTTP %d)", c->room,
                      c->join.ice_server_url, webrtc_status_name(st), r->status);
        }
    } else {
        atomic_fetch_sub(&c->pending_count, 1);
        if (st != WEBRTC_STATUS_SUCCESS || r->status != 200 ||
            strstr(r->body, "SUCCESS") == NULL) {
            char why[APPRTC_ERROR_LEN];
            snprintf(why, sizeof(why), "a message POST failed: %.150s (HTTP %d %.60s)",
                     st == WEBRTC_STATUS_SUCCESS ? "refused" : r->error, r->status,
                     r->body ? r->body : "");
            report_error(c, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE, why);
            /* The room server forgot us (it restarted, or dropped us): whatever we post is
             * lost and a new peer would join an empty room, so take a place in it again. */
            if (st == WEBRTC_STATUS_SUCCESS && r->status == 200 && c->state == APPRTC_REGISTERED &&
                (strstr(r->body, "UNKNOWN_ROOM") != NULL ||
                 strstr(r->body, "UNKNOWN_CLIENT") != NULL)) {
                rejoin_after_loss(c, "the room server no longer knows this client");
            }
        }
    }
    if (p != NULL) {
        free_pending(p);
    }
    pump_posts(c);
}

static void pump_posts(apprtc_client_t *c)
{
    if (c->post_in_flight || c->posts_head == NULL) {
        return;
    }
    pending_t *p = c->posts_head;
    bool get = p->kind == POST_STATUS;
    ertc_http_header_t h[] = {{"Content-Type", p->body ? "text/plain;charset=UTF-8"
                                                       : "application/json"}};
    ertc_http_request_t req = {.method = get ? "GET" : "POST",
                               .url = p->url,
                               .headers = h,
                               .header_count = get ? 0 : 1,
                               .body = p->body,
                               .body_len = p->body ? p->len : 0,
                               .timeout_ms = c->timeout_ms,
                               .max_body = APPRTC_MAX_JOIN_RESPONSE};
    WEBRTC_STATUS st = ertc_http_client_send(c->http, &req, on_post_done, c);
    if (st == WEBRTC_STATUS_SUCCESS) {
        c->post_in_flight = true;
        return;
    }
    /* Cannot even start (bad URL): report through the normal path. */
    ertc_http_response_t r;
    memset(&r, 0, sizeof(r));
    snprintf(r.error, sizeof(r.error), "cannot send to %.200s (%s)", p->url,
             webrtc_status_name(st));
    on_post_done(c->http, st, &r, c);
}

static WEBRTC_STATUS queue_post(apprtc_client_t *c, const char *url, const char *body, size_t len,
                                post_kind_t kind)
{
    pending_t *p = ertc_calloc(1, sizeof(*p));
    if (p == NULL || (p->url = ertc_strdup(url)) == NULL ||
        (body != NULL && (p->body = ertc_strndup(body, len)) == NULL)) {
        if (p != NULL) {
            free_pending(p);
        }
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    p->len = len;
    p->kind = kind;
    push(&c->posts_head, &c->posts_tail, p);
    pump_posts(c);
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- connection life cycle ---------------------------------------------------------------------- */

static void drop_websocket(apprtc_client_t *c)
{
    ertc_ws_free(c->ws);
    c->ws = NULL;
}

static void fail(apprtc_client_t *c, WEBRTC_STATUS status, const char *why)
{
    ertc_timer_stop(c->loop, &c->deadline);
    ertc_timer_stop(c->loop, &c->reconnect);
    drop_websocket(c);
    report_error(c, status, why);
    set_state(c, APPRTC_FAILED, WEBRTC_SIGNALING_CLIENT_STATE_FAILED);
}

static void on_deadline(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    apprtc_client_t *c = arg;
    if (c->state == APPRTC_JOINING || c->state == APPRTC_OPENING) {
        char why[96];
        snprintf(why, sizeof(why), "not connected within %u ms", (unsigned)c->timeout_ms);
        fail(c, WEBRTC_STATUS_SIGNALING_TIMEOUT, why);
    }
}

static void schedule_reconnect(apprtc_client_t *c, const char *why)
{
    drop_websocket(c);
    if (c->attempts >= MAX_RECONNECT_ATTEMPTS) {
        fail(c, WEBRTC_STATUS_SIGNALING_RECONNECT_FAILED, why);
        return;
    }
    uint32_t delay = 500u << c->attempts; /* 0.5, 1, 2, 4, 8, 16 s */
    c->attempts++;
    ERTC_LOGI(TAG, "room %s: %s; reconnecting in %u ms (attempt %u)", c->room, why,
              (unsigned)delay, c->attempts);
    if (c->state == APPRTC_REGISTERED) {
        c->dropped_at_ms = ertc_time_mono_ms();
    }
    set_state(c, APPRTC_RECONNECT_WAIT, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    ertc_timer_start(c->loop, &c->reconnect, delay, 0);
}

static void on_reconnect_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    apprtc_client_t *c = arg;
    if (c->state != APPRTC_RECONNECT_WAIT) {
        return;
    }
    if (c->joined && ertc_time_mono_ms() - c->dropped_at_ms < REREGISTER_WINDOW_MS) {
        /* The server still knows us, unless its process was restarted meanwhile: a new
         * Collider accepts the old id's register, but the new room server has no such room,
         * so a page joining now would be the initiator waiting for a peer that never comes.
         * Its /status uptime tells (specs/apprtc.md §2: {"upsec":…}). */
        char url[APPRTC_MAX_URL_LEN + 16];
        snprintf(url, sizeof(url), "%s/status", c->join.wss_post_url);
        c->checking = true;
        c->checked_at_ms = ertc_time_mono_ms();
        if (c->join.wss_post_url[0] == '\0' ||
            queue_post(c, url, NULL, 0, POST_STATUS) != WEBRTC_STATUS_SUCCESS) {
            c->checking = false;
            open_websocket(c);
        }
    } else {
        c->joined = false; /* too late: the server has dropped us from the room */
        start_join(c);
    }
}

static void on_status_answer(apprtc_client_t *c, WEBRTC_STATUS st, ertc_http_response_t *r)
{
    if (!c->checking || c->state != APPRTC_RECONNECT_WAIT) {
        return;
    }
    c->checking = false;
    if (st != WEBRTC_STATUS_SUCCESS) {
        char why[APPRTC_ERROR_LEN];
        snprintf(why, sizeof(why), "the server is not back yet: %.200s", r->error);
        schedule_reconnect(c, why);
        return;
    }
    uint64_t up_ms = 0;
    if (r->status == 200 && apprtc_parse_status(r->body, r->body_len, &up_ms) == WEBRTC_STATUS_SUCCESS &&
        up_ms < c->checked_at_ms - c->dropped_at_ms) {
        /* Up for less time than we have been away (upsec is whole seconds at worst, rounded
         * down, which only errs towards "restarted" for a server that died within its first
         * second): it is a new process, and our room is gone. */
        ERTC_LOGI(TAG, "room %s: the server restarted (up %llu ms, we dropped %llu ms ago): "
                  "joining again", c->room, (unsigned long long)up_ms,
                  (unsigned long long)(c->checked_at_ms - c->dropped_at_ms));
        c->joined = false;
        start_join(c);
        return;
    }
    /* The same server, or one without /status (stock Collider has it, others may not). */
    open_websocket(c);
}

/* The server lost our membership while we were registered: join again as a new client. */
static void rejoin_after_loss(apprtc_client_t *c, const char *why)
{
    ERTC_LOGI(TAG, "room %s: %s: joining again", c->room, why);
    drop_websocket(c);
    c->joined = false;
    c->attempts = 1; /* a failed join now retries with backoff rather than failing at once */
    set_state(c, APPRTC_JOINING, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    if (c->state == APPRTC_JOINING) {
        start_join(c);
    }
}

static void flush_ws_queue(apprtc_client_t *c)
{
    pending_t *p;
    while (c->state == APPRTC_REGISTERED && (p = pop(&c->ws_head, &c->ws_tail)) != NULL) {
        char *frame = NULL;
        size_t n = 0;
        WEBRTC_STATUS st = apprtc_wrap_send(p->body, &frame, &n);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_ws_send(c->ws, true, frame, n);
        }
        ertc_free(frame);
        free_pending(p);
        atomic_fetch_sub(&c->pending_count, 1);
        if (st != WEBRTC_STATUS_SUCCESS) {
            report_error(c, st, "a message could not be sent over the WebSocket");
        }
    }
}

static bool has_stored_offer(const apprtc_join_t *j)
{
    for (size_t i = 0; i < j->message_count; i++) {
        if (strstr(j->messages[i], "\"offer\"") != NULL) {
            return true;
        }
    }
    return false;
}

static void handle_message_text(apprtc_client_t *c, const char *json, size_t len)
{
    apprtc_incoming_t in;
    WEBRTC_STATUS st = apprtc_parse_message(json, len, &in);
    if (st != WEBRTC_STATUS_SUCCESS) {
        report_error(c, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE, "a malformed message was dropped");
        return;
    }
    if (in.type == ESP_WEBRTC_MESSAGE_UNKNOWN) {
        return; /* heartbeat or a type we do not use */
    }
    deliver(c, in.type, in.payload, in.payload_len);
    if (in.type == ESP_WEBRTC_MESSAGE_BYE) {
        /* The reference: the one who stays becomes initiator, and a new peer may come. */
        c->join.is_initiator = true;
        new_remote_peer(c);
    }
    apprtc_incoming_free(&in);
}

static void ws_open(ertc_ws_client_t *ws, void *arg)
{
    apprtc_client_t *c = arg;
    char *reg = NULL;
    size_t n = 0;
    WEBRTC_STATUS st = apprtc_make_register(c->room, c->join.client_id, &reg, &n);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_ws_send(ws, true, reg, n);
    }
    ertc_free(reg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        schedule_reconnect(c, "cannot register");
        return;
    }
    /* The Collider does not acknowledge a register: once sent, we are in. */
    ertc_timer_stop(c->loop, &c->deadline);
    c->attempts = 0;
    ERTC_LOGI(TAG, "room %s: registered as %s (%s)", c->room, c->join.client_id,
              c->join.is_initiator ? "initiator" : "second to join");
    set_state(c, APPRTC_REGISTERED, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    if (c->state != APPRTC_REGISTERED) {
        return; /* a callback disconnected us */
    }
    if (c->join_fresh) {
        /* Once per join, not on a re-register: what the server stored for us, then a
         * VIEWER's offer unless the other side has already made one. */
        c->join_fresh = false;
        bool offer_waiting = has_stored_offer(&c->join);
        for (size_t i = 0; i < c->join.message_count && c->state == APPRTC_REGISTERED; i++) {
            handle_message_text(c, c->join.messages[i], strlen(c->join.messages[i]));
        }
        apprtc_join_free(&c->join); /* delivered: the texts are not needed any more */
        if (c->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER && !offer_waiting &&
            !c->offered && c->state == APPRTC_REGISTERED) {
            c->offered = true;
            deliver(c, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, NULL, 0);
        }
    }
    flush_ws_queue(c);
}

static void ws_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg)
{
    (void)ws;
    apprtc_client_t *c = arg;
    if (!is_text) {
        return;
    }
    char *inner = NULL;
    char err[APPRTC_ERROR_LEN];
    WEBRTC_STATUS st = apprtc_parse_collider_frame((const char *)data, len, &inner, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        report_error(c, WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE, err);
        return;
    }
    if (inner != NULL) {
        handle_message_text(c, inner, strlen(inner));
        ertc_free(inner);
    }
}

static void ws_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason,
                     void *arg)
{
    (void)ws;
    apprtc_client_t *c = arg;
    char why[ERTC_WS_REASON_LEN + 32];
    snprintf(why, sizeof(why), "WebSocket closed (%s, %u): %s", webrtc_status_name(status),
             (unsigned)code, reason);
    if (c->state == APPRTC_OPENING && c->attempts == 0 && status != WEBRTC_STATUS_SUCCESS) {
        /* the first open failed: nothing to resume, say why */
        fail(c, status == WEBRTC_STATUS_SIGNALING_AUTH_FAILED ? status
                                                               : WEBRTC_STATUS_SIGNALING_CONNECTION_LOST,
             why);
        return;
    }
    schedule_reconnect(c, why);
}

static void open_websocket(apprtc_client_t *c)
{
    static const ertc_ws_callbacks_t cbs = {.on_open = ws_open, .on_message = ws_message,
                                            .on_close = ws_close};
    ertc_ws_options_t opts = {
        .url = c->join.wss_url,
        .tls = c->tls,
        .origin = c->server, /* the Collider refuses a handshake without Origin */
        .connect_timeout_ms = c->timeout_ms,
        .ping_interval_ms = WS_PING_INTERVAL_MS,
        .max_message_size = APPRTC_MAX_MESSAGE_LEN + 1024,
    };
    c->state = APPRTC_OPENING;
    WEBRTC_STATUS st = ertc_ws_connect(c->loop, &opts, &cbs, c, &c->ws);
    if (st != WEBRTC_STATUS_SUCCESS) {
        c->ws = NULL;
        if (c->attempts == 0) {
            fail(c, WEBRTC_STATUS_SIGNALING_CONNECTION_LOST, "cannot open the WebSocket");
        } else {
            schedule_reconnect(c, "cannot open the WebSocket");
        }
    }
}

static void on_join_answer(apprtc_client_t *c, WEBRTC_STATUS st, ertc_http_response_t *r)
{
    if (c->state != APPRTC_JOINING) {
        return;
    }
    char why[APPRTC_ERROR_LEN + 32];
    if (st != WEBRTC_STATUS_SUCCESS || r->status != 200) {
        snprintf(why, sizeof(why), "join failed: %.250s",
                 st != WEBRTC_STATUS_SUCCESS ? r->error : "the server did not answer 200");
        if (c->attempts > 0) {
            schedule_reconnect(c, why);
        } else {
            fail(c, WEBRTC_STATUS_SIGNALING_CONNECTION_LOST, why);
        }
        return;
    }
    apprtc_join_free(&c->join);
    char err[APPRTC_ERROR_LEN];
    st = apprtc_parse_join(r->body, r->body_len, &c->join, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail(c, st == WEBRTC_STATUS_LIMIT_EXCEEDED ? WEBRTC_STATUS_INVALID_OPERATION : st, err);
        return;
    }
    c->joined = true;
    c->join_fresh = true;
    ERTC_LOGI(TAG, "room %s: joined as %s, %s, %zu stored message(s)", c->room, c->join.client_id,
              c->join.is_initiator ? "initiator" : "not initiator", c->join.message_count);
    if (c->join.ice_server_count > 0) {
        store_ice(c, c->join.ice_servers, c->join.ice_server_count);
    }
    if (c->join.ice_server_url[0] != '\0') {
        queue_post(c, c->join.ice_server_url, NULL, 0, POST_ICE);
    }
    open_websocket(c);
}

static void start_join(apprtc_client_t *c)
{
    char url[APPRTC_MAX_URL_LEN + APPRTC_MAX_ROOM_ID_LEN + 16];
    snprintf(url, sizeof(url), "%s/join/%s", c->server, c->room);
    c->state = APPRTC_JOINING;
    if (queue_post(c, url, NULL, 0, POST_JOIN) != WEBRTC_STATUS_SUCCESS) {
        fail(c, WEBRTC_STATUS_NOT_ENOUGH_MEMORY, "out of memory");
    }
}

/* ---- work posted from the interface ----------------------------------------------------------- */

static void do_connect(void *arg)
{
    apprtc_client_t *c = arg;
    if (c->state != APPRTC_IDLE && c->state != APPRTC_FAILED) {
        return;
    }
    c->attempts = 0;
    c->joined = false;
    c->offered = false;
    new_remote_peer(c);
    set_state(c, APPRTC_JOINING, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    ertc_timer_start(c->loop, &c->deadline, c->timeout_ms, 0);
    start_join(c);
}

/*
 * Leave as the reference clients do: /leave, then bye, then DELETE on the Collider. All three
 * are blocking HTTP calls on a private loop, in this order; the bye goes through the Collider's
 * HTTP relay (POST <wss_post_url>/<room>/<client>, handled exactly like a WebSocket send), so
 * it is delivered before the DELETE without running this client's loop from inside itself.
 */
static void http_call(ertc_http_sync_t *s, const char *method, const char *url, const char *body)
{
    ertc_http_response_t r;
    ertc_http_request_t req = {.method = method,
                               .url = url,
                               .body = body,
                               .body_len = body ? strlen(body) : 0,
                               .timeout_ms = LEAVE_TIMEOUT_MS};
    if (ertc_http_sync_request(s, &req, &r) != WEBRTC_STATUS_SUCCESS || r.status != 200) {
        ERTC_LOGD(TAG, "%s %s: %s (HTTP %d)", method, url, r.error, r.status);
    }
    ertc_http_response_free(&r);
}

static void do_disconnect(void *arg)
{
    apprtc_client_t *c = arg;
    ertc_timer_stop(c->loop, &c->deadline);
    ertc_timer_stop(c->loop, &c->reconnect);
    ertc_http_sync_t *s = NULL;
    if (c->joined && ertc_http_sync_create(c->tls, &s) == WEBRTC_STATUS_SUCCESS) {
        char url[APPRTC_MAX_URL_LEN * 2];
        snprintf(url, sizeof(url), "%s/leave/%s/%s", c->server, c->room, c->join.client_id);
        http_call(s, "POST", url, NULL);
        if (c->join.wss_post_url[0] != '\0') {
            snprintf(url, sizeof(url), "%s/%s/%s", c->join.wss_post_url, c->room,
                     c->join.client_id);
            if (c->state == APPRTC_REGISTERED) {
                http_call(s, "POST", url, "{\"type\":\"bye\"}");
            }
            http_call(s, "DELETE", url, NULL);
        }
        ertc_http_sync_free(s);
        ERTC_LOGI(TAG, "room %s: left", c->room);
    }
    drop_websocket(c);
    clear_queues(c);
    apprtc_join_free(&c->join);
    c->joined = false;
    c->checking = false;
    /* A fresh HTTP client: a request in flight must not complete into the next session. */
    ertc_http_client_free(c->http);
    c->http = NULL;
    ertc_http_client_create(c->loop, c->tls, &c->http);
    bool was_active = c->state != APPRTC_IDLE;
    c->state = APPRTC_IDLE;
    if (was_active && c->on_state != NULL) {
        c->on_state(c->custom, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    }
}

typedef struct {
    apprtc_client_t *c;
    esp_webrtc_signaling_message_t msg; /* payload owned */
} send_job_t;

static void do_send(void *arg)
{
    send_job_t *job = arg;
    apprtc_client_t *c = job->c;
    char *json = NULL;
    size_t n = 0;
    WEBRTC_STATUS st = apprtc_message_to_json(&job->msg, &json, &n);
    if (st == WEBRTC_STATUS_NOT_FOUND) {
        atomic_fetch_sub(&c->pending_count, 1); /* an end-of-candidates: nothing to send */
    } else if (st != WEBRTC_STATUS_SUCCESS) {
        atomic_fetch_sub(&c->pending_count, 1);
        report_error(c, st, "an outgoing message could not be converted and was dropped");
    } else if (c->state == APPRTC_IDLE || c->state == APPRTC_FAILED) {
        atomic_fetch_sub(&c->pending_count, 1);
        report_error(c, WEBRTC_STATUS_INVALID_OPERATION, "a message was sent while disconnected");
    } else if (c->join.is_initiator && c->joined) {
        /* The reference initiator POSTs: the server keeps it for a peer that has not joined. */
        char url[APPRTC_MAX_URL_LEN * 2];
        snprintf(url, sizeof(url), "%s/message/%s/%s", c->server, c->room, c->join.client_id);
        if (queue_post(c, url, json, n, POST_MESSAGE) != WEBRTC_STATUS_SUCCESS) {
            atomic_fetch_sub(&c->pending_count, 1);
        }
    } else {
        pending_t *p = ertc_calloc(1, sizeof(*p));
        if (p != NULL) {
            p->body = json;
            p->len = n;
            p->ws = true;
            json = NULL;
            push(&c->ws_head, &c->ws_tail, p);
            flush_ws_queue(c);
        } else {
            atomic_fetch_sub(&c->pending_count, 1);
        }
    }
    ertc_free(json);
    ertc_free(job->msg.payload);
    ertc_free(job);
}

static void do_refresh_ice(void *arg)
{
    apprtc_client_t *c = arg;
    if (c->joined && c->join.ice_server_url[0] != '\0') {
        queue_post(c, c->join.ice_server_url, NULL, 0, POST_ICE);
    }
}

/* ---- the interface ------------------------------------------------------------------------------- */

static void loop_main(void *arg)
{
    ertc_loop_run(((apprtc_client_t *)arg)->loop);
}

static void client_free(apprtc_client_t *c)
{
    if (c->thread != NULL) {
        ertc_loop_stop(c->loop);
        ertc_thread_join(c->thread);
    }
    drop_websocket(c);
    ertc_http_client_free(c->http);
    clear_queues(c);
    apprtc_join_free(&c->join);
    if (c->loop != NULL) {
        ertc_loop_destroy(c->loop);
    }
    ertc_tls_config_unref(c->tls);
    if (c->ice_lock != NULL) {
        ertc_mutex_destroy(c->ice_lock);
    }
    ertc_free(c);
}

static WEBRTC_STATUS apprtc_init(void *cfg_in, void **out)
{
    apprtc_signaling_config_t *cfg = cfg_in;
    if (cfg == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    const char *server = cfg->serverUrl ? cfg->serverUrl : APPRTC_DEFAULT_SERVER_URL;
    ertc_url_t url;
    size_t slen = strlen(server);
    while (slen > 0 && server[slen - 1] == '/') {
        slen--; /* "http://host/" and "http://host" are the same server */
    }
    if (slen >= APPRTC_MAX_URL_LEN || ertc_url_parse(server, slen, &url) != WEBRTC_STATUS_SUCCESS ||
        (url.scheme != ERTC_URL_SCHEME_HTTP && url.scheme != ERTC_URL_SCHEME_HTTPS)) {
        ERTC_LOGE(TAG, "apprtc_signaling_config_t.serverUrl: not an http(s):// URL: %.100s",
                  server);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->roomId != NULL && !apprtc_valid_id(cfg->roomId)) {
        ERTC_LOGE(TAG, "apprtc_signaling_config_t.roomId: '%.80s' is not 1-%d characters of "
                       "[A-Za-z0-9_-]",
                  cfg->roomId, APPRTC_MAX_ROOM_ID_LEN);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    apprtc_client_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    memcpy(c->server, server, slen);
    c->server[slen] = '\0';
    if (cfg->roomId != NULL) {
        snprintf(c->room, sizeof(c->room), "%s", cfg->roomId);
    } else {
        ertc_random_string(c->room, APPRTC_GENERATED_ROOM_ID_LEN,
                           "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
    c->timeout_ms = cfg->connectionTimeout ? cfg->connectionTimeout : DEFAULT_TIMEOUT_MS;
    c->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    if (cfg->logLevel > 0 && cfg->logLevel <= ERTC_LOG_SILENT) {
        ertc_log_set_tag_level(TAG, (int)cfg->logLevel);
    }
    ertc_timer_init(&c->deadline, on_deadline, c);
    ertc_timer_init(&c->reconnect, on_reconnect_timer, c);
    WEBRTC_STATUS st = ertc_mutex_create(&c->ice_lock);
    if (st == WEBRTC_STATUS_SUCCESS && url.secure) {
        char err[ERTC_TLS_ERROR_LEN];
        ertc_tls_options_t topts = {.role = ERTC_TLS_CLIENT, .ca_path = cfg->caCertPath};
        st = ertc_tls_config_create(&topts, &c->tls, err, sizeof(err));
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGE(TAG, "apprtc_signaling_config_t.caCertPath: %s", err);
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_loop_create(&c->loop, 0);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_http_client_create(c->loop, c->tls, &c->http);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_thread_create(&c->thread, "apprtc", 0, loop_main, c);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        client_free(c);
        return st;
    }
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS apprtc_connect(void *client)
{
    apprtc_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, do_connect, c) : WEBRTC_STATUS_NULL_ARG;
}

static WEBRTC_STATUS apprtc_disconnect(void *client)
{
    apprtc_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, do_disconnect, c) : WEBRTC_STATUS_NULL_ARG;
}

static WEBRTC_STATUS apprtc_send_message(void *client, esp_webrtc_signaling_message_t *msg)
{
    apprtc_client_t *c = client;
    if (c == NULL || msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->payload_len > APPRTC_MAX_MESSAGE_LEN || (msg->payload == NULL && msg->payload_len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (atomic_fetch_add(&c->pending_count, 1) >= MAX_PENDING_SENDS) {
        atomic_fetch_sub(&c->pending_count, 1);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    send_job_t *job = ertc_calloc(1, sizeof(*job));
    /* The payload need not be NUL-terminated: copy payload_len bytes and terminate. */
    if (job == NULL || (msg->payload != NULL &&
                        (job->msg.payload = ertc_strndup(msg->payload, msg->payload_len)) ==
                            NULL)) {
        ertc_free(job);
        atomic_fetch_sub(&c->pending_count, 1);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    job->c = c;
    job->msg.message_type = msg->message_type;
    job->msg.payload_len = job->msg.payload ? (uint32_t)strlen(job->msg.payload) : 0;
    snprintf(job->msg.peer_client_id, sizeof(job->msg.peer_client_id), "%s", msg->peer_client_id);
    WEBRTC_STATUS st = ertc_loop_post(c->loop, do_send, job);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(job->msg.payload);
        ertc_free(job);
        atomic_fetch_sub(&c->pending_count, 1);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS apprtc_free(void *client)
{
    apprtc_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (c->state != APPRTC_IDLE) {
        ertc_loop_call_sync(c->loop, do_disconnect, c);
    }
    client_free(c);
    return WEBRTC_STATUS_SUCCESS;
}

typedef struct {
    apprtc_client_t *c;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
} callbacks_job_t;

static void do_set_callbacks(void *arg)
{
    callbacks_job_t *j = arg;
    j->c->custom = j->custom;
    j->c->on_msg = j->on_msg;
    j->c->on_state = j->on_state;
    j->c->on_error = j->on_error;
}

static WEBRTC_STATUS apprtc_set_callbacks(void *client, uint64_t custom,
                                          webrtc_signaling_on_msg_received_t on_msg,
                                          webrtc_signaling_on_state_changed_t on_state,
                                          webrtc_signaling_on_error_t on_error)
{
    apprtc_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    callbacks_job_t j = {c, custom, on_msg, on_state, on_error};
    return ertc_loop_call_sync(c->loop, do_set_callbacks, &j);
}

static WEBRTC_STATUS apprtc_set_role_type(void *client, webrtc_signaling_channel_role_type_t role)
{
    apprtc_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (role != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER &&
        role != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    c->role = role; /* read on the loop only after connect, which synchronises */
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS apprtc_get_ice_servers(void *client, uint32_t *count, void *array)
{
    apprtc_client_t *c = client;
    if (c == NULL || count == NULL || array == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_mutex_lock(c->ice_lock);
    memcpy(array, c->ice, c->ice_count * sizeof(app_webrtc_ice_server_t));
    *count = c->ice_count;
    ertc_mutex_unlock(c->ice_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS apprtc_get_ice_server_by_idx(void *client, int index, bool use_turn,
                                                  uint8_t **data, int *len, bool *have_more)
{
    apprtc_client_t *c = client;
    if (c == NULL || data == NULL || len == NULL || have_more == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *data = NULL;
    *len = 0;
    *have_more = false;
    ertc_mutex_lock(c->ice_lock);
    /* index 0: the first STUN server; 1..: the TURN servers in order */
    const app_webrtc_ice_server_t *found = NULL;
    int turn_seen = 0, turn_total = 0;
    for (uint32_t i = 0; i < c->ice_count; i++) {
        bool is_turn = strncmp(c->ice[i].urls, "turn", 4) == 0;
        turn_total += is_turn;
        if (index == 0 && !is_turn && found == NULL) {
            found = &c->ice[i];
        } else if (index > 0 && is_turn && ++turn_seen == index) {
            found = &c->ice[i];
        }
    }
    if (found != NULL && (index == 0 || use_turn)) {
        *data = malloc(sizeof(*found)); /* the caller frees it with free() */
        if (*data != NULL) {
            memcpy(*data, found, sizeof(*found));
            *len = (int)sizeof(*found);
        }
    }
    *have_more = use_turn && index < turn_total;
    ertc_mutex_unlock(c->ice_lock);
    return found != NULL || index == 0 ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_NOT_FOUND;
}

static WEBRTC_STATUS apprtc_is_ice_refresh_needed(void *client, bool *needed)
{
    apprtc_client_t *c = client;
    if (c == NULL || needed == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_mutex_lock(c->ice_lock);
    /* TURN REST credentials expire: refresh a minute early. */
    *needed = c->ice_expiry != 0 &&
              (int64_t)(ertc_time_wall_ms() / 1000) + 60 >= c->ice_expiry;
    ertc_mutex_unlock(c->ice_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS apprtc_refresh_ice_configuration(void *client)
{
    apprtc_client_t *c = client;
    return c ? ertc_loop_post(c->loop, do_refresh_ice, c) : WEBRTC_STATUS_NULL_ARG;
}

typedef struct {
    apprtc_client_t *c;
    uint64_t custom;
    webrtc_signaling_on_ice_servers_updated_t cb;
} ice_cb_job_t;

static void do_set_ice_cb(void *arg)
{
    ice_cb_job_t *j = arg;
    j->c->ice_custom = j->custom;
    j->c->on_ice = j->cb;
}

static WEBRTC_STATUS apprtc_set_ice_update_callback(void *client, uint64_t custom,
                                                    webrtc_signaling_on_ice_servers_updated_t cb)
{
    apprtc_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ice_cb_job_t j = {c, custom, cb};
    return ertc_loop_call_sync(c->loop, do_set_ice_cb, &j);
}

const char *apprtc_signaling_get_room_id(void *client)
{
    return client ? ((apprtc_client_t *)client)->room : NULL;
}

webrtc_signaling_client_if_t *apprtc_signaling_client_if_get(void)
{
    static webrtc_signaling_client_if_t table = {
        .init = apprtc_init,
        .connect = apprtc_connect,
        .disconnect = apprtc_disconnect,
        .send_message = apprtc_send_message,
        .free = apprtc_free,
        .set_callbacks = apprtc_set_callbacks,
        .set_role_type = apprtc_set_role_type,
        .get_ice_servers = apprtc_get_ice_servers,
        .get_ice_server_by_idx = apprtc_get_ice_server_by_idx,
        .is_ice_refresh_needed = apprtc_is_ice_refresh_needed,
        .refresh_ice_configuration = apprtc_refresh_ice_configuration,
        .set_ice_update_callback = apprtc_set_ice_update_callback,
    };
    return &table;
}
