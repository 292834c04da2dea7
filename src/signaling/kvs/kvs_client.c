/*
 * signaling/kvs/kvs_client — the KVS backend behind kvs_signaling_client_if_get().
 *
 * Two threads of its own, as the signaling interface gives a backend neither a loop nor a
 * work queue: an event loop (the WebSocket, timers, every callback) and a work queue for the
 * blocking parts (credentials, control-plane HTTPS calls, presigning). A job takes a copy of
 * what it needs, runs on the queue and posts its result back to the loop; a generation
 * number makes results of an older connect (before a disconnect) fall on the floor.
 *
 * One state machine (kvs_state_t): FETCHING (credentials → channel ARN and endpoints, from the
 * cache or the service → presigned URL) → OPENING (WebSocket) → CONNECTED; a drop goes to
 * RECONNECT_WAIT (backoff, kvs_policy.h) and back to FETCHING with cached endpoints; after
 * ERTC_KVS_RECONNECT_MAX_ATTEMPTS failures, FAILED with SIGNALING_RECONNECT_FAILED. While
 * CONNECTED a replacement connection is made before the old one goes ("make before break")
 * when the lifetime limit nears or the service sends GO_AWAY (then with fresh endpoints), so
 * no message is lost to the switch. Outgoing messages wait in a bounded queue (kvs_outq.h)
 * whenever no connection can take them. specs/kvs-signaling.md §1.6, §3 and §4.
 */
#include "signaling/kvs/kvs_client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/kvs_policy.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG                   ERTC_KVS_CLIENT_TAG
#define WS_CONNECT_TIMEOUT_MS 5000 /* the C SDK's wait for the upgrade */
/* Bigger than ERTC_KVS_MAX_FRAME_LEN: frames in between are dropped by us, the connection kept. */
#define WS_MAX_MESSAGE     (64 * 1024)
#define REFRESH_RETRY_MS   30000 /* a failed make-before-break is tried again after this */
#define FLUSH_RETRY_MS     50    /* the WebSocket's send queue was full */
#define CREDS_MIN_DELAY_MS 1000
#define CREDS_MAX_DELAY_MS (24u * 3600u * 1000u)

static const char *const state_names[] = {"IDLE",      "FETCHING",       "OPENING",
                                          "CONNECTED", "RECONNECT_WAIT", "FAILED"};

static void start_fetch(kvs_client_t *c);
static void flush_queue(kvs_client_t *c);

/* ---- reporting ------------------------------------------------------------------------------ */

static void set_state(kvs_client_t *c, kvs_state_t s, int report)
{
    if (c->state != s) {
        ERTC_LOGD(TAG, "%s: %s -> %s", c->ctl.channel, state_names[c->state], state_names[s]);
    }
    c->state = s;
    if (report >= 0 && c->on_state != NULL) {
        c->on_state(c->custom, (webrtc_signaling_client_state_t)report);
    }
}

static void report_error(kvs_client_t *c, WEBRTC_STATUS status, const char *text)
{
    char msg[ERTC_KVS_MAX_ERROR_TEXT_LEN + 64];
    snprintf(msg, sizeof(msg), "%s", text);
    ERTC_LOGW(TAG, "channel %s: %s (%s)", c->ctl.channel, msg, webrtc_status_name(status));
    if (c->on_error != NULL) {
        c->on_error(c->custom, status, msg, (uint32_t)strlen(msg));
    }
}

static void deliver(kvs_client_t *c, esp_webrtc_message_type_t type, const char *peer,
                    char *payload, size_t len)
{
    if (c->on_msg == NULL) {
        return;
    }
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", peer);
    m.payload = payload;
    m.payload_len = (uint32_t)len;
    c->on_msg(c->custom, &m);
}

/* ---- jobs on the work queue ----------------------------------------------------------------- */

static void job_done(void *arg);

static void job_free(job_t *j)
{
    if (j->url != NULL) {
        ertc_kvs_secure_zero(j->url, strlen(j->url)); /* it carries the session token */
    }
    ertc_free(j->url);
    ertc_kvs_secure_zero(&j->ice, sizeof(j->ice));
    ertc_free(j);
}

static void run_job(void *arg)
{
    job_t *j = arg;
    kvs_client_t *c = j->c;
    const ertc_kvs_credentials_t *creds = NULL;
    int64_t now = ertc_kvs_control_now(&c->ctl);
    j->status = atomic_load(&c->closing) ? WEBRTC_STATUS_CLOSED : WEBRTC_STATUS_SUCCESS;
    if (j->status == WEBRTC_STATUS_SUCCESS) {
        j->status = ertc_kvs_provider_get(c->provider, now, false, &creds, j->err, sizeof(j->err));
    }
    if (j->status == WEBRTC_STATUS_SUCCESS && j->kind == JOB_CONNECT) {
        j->status =
            ertc_kvs_control_resolve(&c->ctl, creds, j->use_cache, &j->ch, j->err, sizeof(j->err));
        if (j->status == WEBRTC_STATUS_SIGNALING_AUTH_FAILED &&
            ertc_kvs_provider_kind(c->provider) >= ERTC_KVS_PROVIDER_FILE &&
            ertc_kvs_provider_get(c->provider, now, true, &creds, j->err, sizeof(j->err)) ==
                WEBRTC_STATUS_SUCCESS) {
            /* refused: perhaps revoked or expired early; once more with fresh credentials */
            j->status = ertc_kvs_control_resolve(&c->ctl, creds, j->use_cache, &j->ch, j->err,
                                                 sizeof(j->err));
        }
        if (j->status == WEBRTC_STATUS_SUCCESS) {
            j->status =
                ertc_kvs_control_presign(&c->ctl, creds, &j->ch, &j->url, j->err, sizeof(j->err));
        }
    } else if (j->status == WEBRTC_STATUS_SUCCESS && j->kind == JOB_ICE) {
        j->status =
            ertc_kvs_control_get_ice(&c->ctl, creds, &j->ch, &j->ice, j->err, sizeof(j->err));
        j->fetched_at = ertc_kvs_control_now(&c->ctl);
    }
    j->cred_refresh_at = ertc_kvs_provider_refresh_at(c->provider);
    atomic_store(&c->stat_fetches, ertc_kvs_provider_fetches(c->provider));
    if (ertc_loop_post(c->loop, job_done, j) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "cannot hand a result to the loop; it is lost");
        job_free(j);
    }
}

static WEBRTC_STATUS submit(kvs_client_t *c, job_kind_t kind, bool use_cache, bool replacement)
{
    if (atomic_load(&c->closing)) {
        return WEBRTC_STATUS_CLOSED;
    }
    job_t *j = ertc_calloc(1, sizeof(*j));
    if (j == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    j->c = c;
    j->kind = kind;
    j->gen = c->gen;
    j->use_cache = use_cache;
    j->replacement = replacement;
    if (kind == JOB_ICE) {
        j->ch = c->ch;
    }
    WEBRTC_STATUS st = ertc_workq_add(c->workq, run_job, j);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(j);
    }
    return st;
}

/* ---- connection life cycle --------------------------------------------------------------------
 */

static void drop_all_websockets(kvs_client_t *c)
{
    ertc_ws_free(c->ws);
    ertc_ws_free(c->ws_next);
    ertc_ws_free(c->ws_closing);
    c->ws = c->ws_next = c->ws_closing = NULL;
}

static void stop_timers(kvs_client_t *c)
{
    ertc_timer_stop(c->loop, &c->deadline);
    ertc_timer_stop(c->loop, &c->reconnect);
    ertc_timer_stop(c->loop, &c->lifetime);
    ertc_timer_stop(c->loop, &c->creds);
    ertc_timer_stop(c->loop, &c->flush);
}

static void fail(kvs_client_t *c, WEBRTC_STATUS status, const char *why)
{
    c->gen++; /* results of jobs still running are ignored */
    c->replacing = c->ice_pending = c->creds_pending = false;
    stop_timers(c);
    drop_all_websockets(c);
    report_error(c, status, why);
    set_state(c, KVS_FAILED, WEBRTC_SIGNALING_CLIENT_STATE_FAILED);
}

static void schedule_reconnect(kvs_client_t *c, const char *why)
{
    ertc_ws_free(c->ws);
    c->ws = NULL;
    ertc_timer_stop(c->loop, &c->lifetime);
    if (c->attempts >= ERTC_KVS_RECONNECT_MAX_ATTEMPTS) {
        char msg[ERTC_KVS_MAX_ERROR_TEXT_LEN];
        snprintf(msg, sizeof(msg), "gave up reconnecting after %u attempts: %.300s", c->attempts,
                 why);
        fail(c, WEBRTC_STATUS_SIGNALING_RECONNECT_FAILED, msg);
        return;
    }
    uint32_t delay = ertc_kvs_reconnect_delay_ms(c->attempts, ertc_random_u32());
    c->attempts++;
    atomic_fetch_add(&c->stat_reconnects, 1);
    ERTC_LOGI(TAG, "channel %s: %s; reconnecting in %u ms (attempt %u)", c->ctl.channel, why,
              (unsigned)delay, c->attempts);
    set_state(c, KVS_RECONNECT_WAIT, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    ertc_timer_start(c->loop, &c->reconnect, delay, 0);
}

static void on_reconnect_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    kvs_client_t *c = arg;
    if (c->state == KVS_RECONNECT_WAIT) {
        start_fetch(c);
    }
}

static void on_deadline(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    kvs_client_t *c = arg;
    if (c->state != KVS_CONNECTED && c->state != KVS_IDLE && c->state != KVS_FAILED &&
        !c->ever_connected) {
        char why[96];
        snprintf(why, sizeof(why), "not connected within %u ms", (unsigned)c->timeout_ms);
        fail(c, WEBRTC_STATUS_SIGNALING_TIMEOUT, why);
    }
}

static void start_fetch(kvs_client_t *c)
{
    set_state(c, KVS_FETCHING, -1);
    bool use_cache = c->use_cache_next;
    c->use_cache_next = true;
    WEBRTC_STATUS st = submit(c, JOB_CONNECT, use_cache, false);
    if (st != WEBRTC_STATUS_SUCCESS) {
        schedule_reconnect(c, "cannot queue the connect work");
    }
}

/* Make before break: a second connection, with fresh endpoints when use_cache is false. */
static void start_replacement(kvs_client_t *c, bool use_cache, const char *why)
{
    if (c->state != KVS_CONNECTED || c->replacing || c->ws_next != NULL) {
        return;
    }
    ERTC_LOGI(TAG, "channel %s: %s; opening a new connection", c->ctl.channel, why);
    if (submit(c, JOB_CONNECT, use_cache, true) == WEBRTC_STATUS_SUCCESS) {
        c->replacing = true;
    } else {
        ertc_timer_start(c->loop, &c->lifetime, REFRESH_RETRY_MS, 0);
    }
}

static void on_lifetime_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    start_replacement(arg, true, "the connection nears the service's lifetime limit");
}

static void request_ice(kvs_client_t *c)
{
    if (c->ice_pending || c->ch.arn[0] == '\0' || atomic_load(&c->closing)) {
        return;
    }
    if (submit(c, JOB_ICE, true, false) == WEBRTC_STATUS_SUCCESS) {
        c->ice_pending = true;
        atomic_store(&c->ice_refreshing, true);
    }
}

static void on_creds_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    kvs_client_t *c = arg;
    if (!c->creds_pending && submit(c, JOB_CREDS, true, false) == WEBRTC_STATUS_SUCCESS) {
        c->creds_pending = true;
    }
}

static void on_flush_timer(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    flush_queue(arg);
}

/* ---- the WebSocket ------------------------------------------------------------------------------
 */

static void drop_frame(kvs_client_t *c, ertc_kvs_drop_t why)
{
    atomic_fetch_add(&c->stat_dropped, 1);
    if (c->drops[why]++ == 0) {
        ERTC_LOGW(TAG,
                  "channel %s: dropped a message from the service (%s); more of this kind "
                  "are only counted",
                  c->ctl.channel, ertc_kvs_drop_name(why));
    }
}

static void handle_frame(kvs_client_t *c, const char *data, size_t len)
{
    ertc_kvs_incoming_t in;
    ertc_kvs_drop_t why = ERTC_KVS_DROP_NONE;
    if (ertc_kvs_message_parse(data, len, &in, &why) != WEBRTC_STATUS_SUCCESS) {
        drop_frame(c, why);
        return;
    }
    bool master = c->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    switch (in.type) {
    case ERTC_KVS_MSG_SDP_OFFER:
    case ERTC_KVS_MSG_SDP_ANSWER:
    case ERTC_KVS_MSG_ICE_CANDIDATE:
        if (master && !ertc_kvs_valid_id(in.sender)) {
            drop_frame(c, ERTC_KVS_DROP_MISSING_FIELD); /* a master must know whom to answer */
            break;
        }
        atomic_fetch_add(&c->stat_received, 1);
        deliver(c, ertc_kvs_msg_to_app_type(in.type),
                in.sender[0] ? in.sender : KVS_SIGNALING_MASTER_PEER_ID, in.payload,
                in.payload_len);
        break;
    case ERTC_KVS_MSG_STATUS_RESPONSE: {
        atomic_fetch_add(&c->stat_status, 1);
        WEBRTC_STATUS st = ertc_kvs_status_response_status(&in);
        if (st != WEBRTC_STATUS_SUCCESS) {
            char msg[ERTC_KVS_MAX_ERROR_TEXT_LEN + 64];
            snprintf(msg, sizeof(msg),
                     "KVS STATUS_RESPONSE for correlation id %.128s: %d %.64s: %.200s",
                     in.correlation_id[0] ? in.correlation_id : "(none)", in.status_code,
                     in.error_type, in.description);
            report_error(c, st, msg);
        }
        break;
    }
    case ERTC_KVS_MSG_GO_AWAY: start_replacement(c, false, "the service sent GO_AWAY"); break;
    case ERTC_KVS_MSG_RECONNECT_ICE_SERVER:
        ERTC_LOGI(TAG, "channel %s: the service asks for new ICE servers", c->ctl.channel);
        request_ice(c);
        break;
    default: drop_frame(c, ERTC_KVS_DROP_UNKNOWN_TYPE); break;
    }
    ertc_kvs_incoming_free(&in);
}

static void connected(kvs_client_t *c)
{
    ertc_timer_stop(c->loop, &c->deadline);
    c->attempts = 0;
    c->ever_connected = true;
    atomic_fetch_add(&c->stat_connects, 1);
    ertc_timer_start(c->loop, &c->lifetime, c->lifetime_s * 1000u, 0);
    ERTC_LOGI(TAG, "channel %s: connected as %s", c->ctl.channel, ertc_kvs_role_name(c->ctl.role));
    set_state(c, KVS_CONNECTED, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED);
    if (c->state != KVS_CONNECTED) {
        return; /* a callback disconnected us */
    }
    if (c->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER && !c->offered) {
        c->offered = true; /* a viewer makes the offer to the master */
        deliver(c, ESP_WEBRTC_MESSAGE_TRIGGER_OFFER, KVS_SIGNALING_MASTER_PEER_ID, NULL, 0);
    }
    flush_queue(c);
}

static void ws_open(ertc_ws_client_t *ws, void *arg)
{
    kvs_client_t *c = arg;
    if (ws == c->ws_next) {
        c->ws_next = NULL;
        ertc_ws_client_t *old = c->ws;
        c->ws = ws;
        if (old == NULL) {
            connected(c); /* the old one dropped while this one was opening */
            return;
        }
        ertc_ws_free(c->ws_closing);
        c->ws_closing = old;
        ertc_ws_close(old, 1000, "replaced");
        atomic_fetch_add(&c->stat_connects, 1);
        ertc_timer_start(c->loop, &c->lifetime, c->lifetime_s * 1000u, 0);
        ERTC_LOGI(TAG, "channel %s: switched to a new connection", c->ctl.channel);
        flush_queue(c);
    } else if (ws == c->ws) {
        connected(c);
    }
}

static void ws_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg)
{
    kvs_client_t *c = arg;
    (void)ws;
    if (!is_text) {
        drop_frame(c, ERTC_KVS_DROP_BAD_JSON);
    } else if (len > ERTC_KVS_MAX_FRAME_LEN) {
        drop_frame(c, ERTC_KVS_DROP_OVERSIZED);
    } else {
        handle_frame(c, (const char *)data, len);
    }
}

static void ws_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason,
                     void *arg)
{
    kvs_client_t *c = arg;
    char why[ERTC_WS_REASON_LEN + 48];
    snprintf(why, sizeof(why), "WebSocket closed (%s, %u): %s", webrtc_status_name(status),
             (unsigned)code, reason);
    if (ws == c->ws_closing) {
        ertc_ws_free(ws);
        c->ws_closing = NULL;
        return;
    }
    if (ws == c->ws_next) {
        ertc_ws_free(ws);
        c->ws_next = NULL;
        ERTC_LOGW(TAG, "channel %s: the new connection failed: %s", c->ctl.channel, why);
        if (c->ws == NULL) {
            schedule_reconnect(c, why);
        } else {
            ertc_timer_start(c->loop, &c->lifetime, REFRESH_RETRY_MS, 0);
        }
        return;
    }
    if (ws != c->ws) {
        return;
    }
    ertc_ws_free(ws);
    c->ws = NULL;
    if (status == WEBRTC_STATUS_SIGNALING_AUTH_FAILED || strstr(reason, " 404 ") != NULL) {
        c->use_cache_next = false; /* perhaps stale endpoints: ask the service again */
    }
    if (c->ws_next != NULL || c->replacing) {
        /* a replacement is on its way: wait for it rather than starting another */
        set_state(c, c->ws_next ? KVS_OPENING : KVS_FETCHING,
                  WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
        return;
    }
    if (!c->ever_connected && status == WEBRTC_STATUS_SIGNALING_AUTH_FAILED) {
        fail(c, status, why); /* the first connect was refused: retrying will not help */
        return;
    }
    schedule_reconnect(c, why);
}

static WEBRTC_STATUS open_websocket(kvs_client_t *c, const char *url, ertc_ws_client_t **slot)
{
    static const ertc_ws_callbacks_t cbs = {
        .on_open = ws_open, .on_message = ws_message, .on_close = ws_close};
    ertc_ws_options_t opts = {
        .url = url,
        .tls = c->tls,
        .connect_timeout_ms = WS_CONNECT_TIMEOUT_MS,
        .ping_interval_ms = ERTC_KVS_PING_INTERVAL_MS,
        .max_message_size = WS_MAX_MESSAGE,
    };
    return ertc_ws_connect(c->loop, &opts, &cbs, c, slot);
}

/* ---- results of the jobs -------------------------------------------------------------------- */

static void store_ice(kvs_client_t *c, const ertc_kvs_ice_config_t *cfg, int64_t fetched_at)
{
    ertc_mutex_lock(c->ice_lock);
    uint32_t n = c->ice_has_stun ? 1 : 0; /* the STUN entry stays first */
    for (uint32_t i = 0; i < cfg->count && n < APP_WEBRTC_MAX_ICE_SERVERS_COUNT; i++) {
        c->ice[n++] = cfg->servers[i];
    }
    for (uint32_t i = n; i < c->ice_count; i++) {
        ertc_kvs_secure_zero(&c->ice[i], sizeof(c->ice[i]));
    }
    c->ice_count = n;
    c->ice_fetched_at = fetched_at;
    c->ice_min_ttl = cfg->min_ttl_s;
    ertc_mutex_unlock(c->ice_lock);
    ERTC_LOGI(TAG, "channel %s: %u ICE server(s), shortest Ttl %u s", c->ctl.channel, (unsigned)n,
              (unsigned)cfg->min_ttl_s);
    if (c->on_ice != NULL) {
        c->on_ice(c->ice_custom, n);
    }
}

static void on_connect_result(kvs_client_t *c, job_t *j)
{
    if (j->replacement) {
        c->replacing = false;
        if (j->status != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "channel %s: no new connection: %s", c->ctl.channel, j->err);
            if (c->state == KVS_FETCHING) {
                schedule_reconnect(c, j->err); /* and the old one is gone meanwhile */
            } else {
                ertc_timer_start(c->loop, &c->lifetime, REFRESH_RETRY_MS, 0);
            }
            return;
        }
        c->ch = j->ch;
        bool old_alive = c->state == KVS_CONNECTED && c->ws != NULL;
        if (old_alive) {
            if (open_websocket(c, j->url, &c->ws_next) != WEBRTC_STATUS_SUCCESS) {
                c->ws_next = NULL;
                ertc_timer_start(c->loop, &c->lifetime, REFRESH_RETRY_MS, 0);
            }
            return;
        }
        if (c->state != KVS_FETCHING) {
            return;
        }
    } else if (c->state != KVS_FETCHING) {
        return;
    } else if (j->status != WEBRTC_STATUS_SUCCESS) {
        if (!c->ever_connected && !ertc_kvs_status_is_retryable(j->status)) {
            fail(c, j->status, j->err); /* e.g. access denied: say so at once */
        } else {
            schedule_reconnect(c, j->err);
        }
        return;
    }
    c->ch = j->ch;
    set_state(c, KVS_OPENING, -1);
    if (open_websocket(c, j->url, &c->ws) != WEBRTC_STATUS_SUCCESS) {
        c->ws = NULL;
        schedule_reconnect(c, "cannot open the WebSocket");
        return;
    }
    bool needed = true;
    ertc_mutex_lock(c->ice_lock);
    needed = ertc_kvs_ice_refresh_needed(c->ice_fetched_at, c->ice_min_ttl,
                                         ertc_kvs_control_now(&c->ctl));
    ertc_mutex_unlock(c->ice_lock);
    if (needed) {
        request_ice(c); /* runs while the WebSocket opens */
    }
}

static void job_done(void *arg)
{
    job_t *j = arg;
    kvs_client_t *c = j->c;
    if (j->kind == JOB_ICE) {
        atomic_store(&c->ice_refreshing, false);
    }
    if (j->gen != c->gen || atomic_load(&c->closing)) {
        job_free(j);
        return;
    }
    switch (j->kind) {
    case JOB_CONNECT: on_connect_result(c, j); break;
    case JOB_ICE:
        c->ice_pending = false;
        if (j->status == WEBRTC_STATUS_SUCCESS) {
            store_ice(c, &j->ice, j->fetched_at);
        } else {
            if (j->status == WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND) {
                c->use_cache_next = false;
            }
            report_error(c, WEBRTC_STATUS_SIGNALING_ICE_REFRESH_FAILED, j->err);
        }
        break;
    case JOB_CREDS: c->creds_pending = false; break;
    }
    if (j->cred_refresh_at != INT64_MAX && c->state != KVS_IDLE && c->state != KVS_FAILED) {
        ertc_timer_start(c->loop, &c->creds,
                         ertc_kvs_ms_until(j->cred_refresh_at, ertc_kvs_control_now(&c->ctl),
                                           CREDS_MIN_DELAY_MS, CREDS_MAX_DELAY_MS),
                         0);
    }
    job_free(j);
}

/* ---- sending
 * ------------------------------------------------------------------------------------- */

static void flush_queue(kvs_client_t *c)
{
    const ertc_kvs_outq_item_t *it;
    while (c->state == KVS_CONNECTED && c->ws != NULL && (it = ertc_kvs_outq_peek(&c->outq))) {
        size_t len = it->len;
        WEBRTC_STATUS st = ertc_ws_send(c->ws, true, it->frame, len);
        if (st == WEBRTC_STATUS_QUEUE_FULL) {
            ertc_timer_start(c->loop, &c->flush, FLUSH_RETRY_MS, 0);
            return;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            return; /* closing: the next connection sends it */
        }
        ertc_kvs_outq_pop(&c->outq);
        atomic_fetch_sub(&c->pending_sends, 1);
        atomic_fetch_sub(&c->pending_bytes, len);
        atomic_fetch_add(&c->stat_sent, 1);
    }
}

void ertc_kvs_client_do_send(void *arg)
{
    send_job_t *job = arg;
    kvs_client_t *c = job->c;
    char *frame = NULL;
    size_t n = 0;
    bool master = c->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    WEBRTC_STATUS st = ertc_kvs_message_build(&job->msg, master ? job->msg.peer_client_id : NULL,
                                              job->msg.correlation_id, &frame, &n);
    bool queued = false;
    if (st == WEBRTC_STATUS_SUCCESS && (c->state == KVS_IDLE || c->state == KVS_FAILED)) {
        report_error(c, WEBRTC_STATUS_INVALID_OPERATION, "a message was sent while disconnected");
    } else if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_kvs_outq_push(&c->outq, frame, n);
        if (st == WEBRTC_STATUS_SUCCESS) {
            queued = true;
            frame = NULL;
            /* the reservation becomes the frame's own size */
            atomic_fetch_sub(&c->pending_bytes, job->reserved);
            atomic_fetch_add(&c->pending_bytes, n);
            flush_queue(c);
        } else {
            report_error(c, WEBRTC_STATUS_RETRY_LATER,
                         "the outgoing queue is full; a message "
                         "was dropped");
        }
    } else if (st != WEBRTC_STATUS_NOT_FOUND) { /* NOT_FOUND: end of candidates, not sent */
        char why[160];
        snprintf(why, sizeof(why), "an outgoing %s could not be encoded for KVS (%s)",
                 app_webrtc_message_type_name(job->msg.message_type), webrtc_status_name(st));
        report_error(c, st, why);
    }
    if (!queued) {
        atomic_fetch_sub(&c->pending_sends, 1);
        atomic_fetch_sub(&c->pending_bytes, job->reserved);
    }
    ertc_free(frame);
    ertc_free(job->msg.payload);
    ertc_free(job);
}

/* ---- work posted from the interface ------------------------------------------------------------
 */

void ertc_kvs_client_do_connect(void *arg)
{
    kvs_client_t *c = arg;
    if (c->state != KVS_IDLE && c->state != KVS_FAILED) {
        return;
    }
    c->gen++;
    c->attempts = 0;
    c->ever_connected = false;
    c->offered = false;
    c->use_cache_next = true;
    c->ctl.role = c->role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER ? ERTC_KVS_ROLE_VIEWER
                                                                       : ERTC_KVS_ROLE_MASTER;
    set_state(c, KVS_FETCHING, WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING);
    ertc_timer_start(c->loop, &c->deadline, c->timeout_ms, 0);
    if (submit(c, JOB_CONNECT, true, false) != WEBRTC_STATUS_SUCCESS) {
        fail(c, WEBRTC_STATUS_NOT_ENOUGH_MEMORY, "cannot queue the connect work");
    }
}

void ertc_kvs_client_do_disconnect(void *arg)
{
    kvs_client_t *c = arg;
    c->gen++;
    c->replacing = c->ice_pending = c->creds_pending = false;
    stop_timers(c);
    if (c->ws != NULL) {
        ertc_ws_close(c->ws, 1000, "bye"); /* best effort: freed right after */
    }
    drop_all_websockets(c);
    size_t dropped = c->outq.count;
    ertc_kvs_outq_clear(&c->outq);
    atomic_fetch_sub(&c->pending_sends, (int)dropped);
    atomic_store(&c->pending_bytes, 0);
    bool was_active = c->state != KVS_IDLE;
    set_state(c, KVS_IDLE, -1);
    if (was_active && c->on_state != NULL) {
        c->on_state(c->custom, WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED);
    }
}

void ertc_kvs_client_do_refresh_ice(void *arg)
{
    request_ice(arg);
}

void ertc_kvs_client_init_timers(kvs_client_t *c)
{
    ertc_timer_init(&c->deadline, on_deadline, c);
    ertc_timer_init(&c->reconnect, on_reconnect_timer, c);
    ertc_timer_init(&c->lifetime, on_lifetime_timer, c);
    ertc_timer_init(&c->creds, on_creds_timer, c);
    ertc_timer_init(&c->flush, on_flush_timer, c);
}
