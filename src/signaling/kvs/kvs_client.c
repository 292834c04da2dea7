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
#include "kvs_signaling.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/tls.h"
#include "net/ws_client.h"
#include "port/loop.h"
#include "port/port.h"
#include "port/work_queue.h"
#include "signaling/kvs/kvs_control.h"
#include "signaling/kvs/kvs_message.h"
#include "signaling/kvs/kvs_outq.h"
#include "signaling/kvs/kvs_policy.h"
#include "signaling/kvs/kvs_provider.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "kvs"
#define DEFAULT_TIMEOUT_MS 15000
#define WS_CONNECT_TIMEOUT_MS 5000   /* the C SDK's wait for the upgrade */
#define WS_MAX_MESSAGE (64 * 1024)   /* bigger than ERTC_KVS_MAX_FRAME_LEN: those are dropped
                                        by us, with the connection kept */
#define REFRESH_RETRY_MS 30000       /* a failed make-before-break is tried again after this */
#define FLUSH_RETRY_MS 50            /* the WebSocket's send queue was full */
#define MAX_PENDING_SENDS ERTC_KVS_OUTQ_MAX_COUNT
#define CREDS_MIN_DELAY_MS 1000
#define CREDS_MAX_DELAY_MS (24u * 3600u * 1000u)
#define DRAIN_TIMEOUT_MS 30000

typedef enum {
    KVS_IDLE,
    KVS_FETCHING,
    KVS_OPENING,
    KVS_CONNECTED,
    KVS_RECONNECT_WAIT,
    KVS_FAILED,
} kvs_state_t;

static const char *const state_names[] = {"IDLE",      "FETCHING",       "OPENING",
                                          "CONNECTED", "RECONNECT_WAIT", "FAILED"};

typedef enum { JOB_CONNECT, JOB_ICE, JOB_CREDS } job_kind_t;

typedef struct kvs_client kvs_client_t;

typedef struct {
    kvs_client_t *c;
    job_kind_t kind;
    unsigned gen;
    bool use_cache;
    bool replacement; /* a make-before-break connection while CONNECTED */
    /* in (JOB_ICE) and out (JOB_CONNECT) */
    ertc_kvs_channel_t ch;
    /* out */
    WEBRTC_STATUS status;
    char err[ERTC_KVS_MAX_ERROR_TEXT_LEN];
    char *url;
    ertc_kvs_ice_config_t ice;
    int64_t fetched_at;
    int64_t cred_refresh_at;
} job_t;

struct kvs_client {
    /* configuration */
    char region[ERTC_KVS_CACHE_MAX_REGION_LEN + 1];
    bool endpoint_override;
    uint32_t timeout_ms;
    uint32_t lifetime_s;
    webrtc_signaling_channel_role_type_t role;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
    uint64_t ice_custom;
    webrtc_signaling_on_ice_servers_updated_t on_ice;
    kvs_signaling_storage_t *own_storage; /* the file storage we made, freed with us */

    /* threads */
    ertc_loop_t *loop;
    ertc_thread_t *thread;
    ertc_workq_t *workq;
    atomic_bool closing;

    /* work-queue side: used by one job at a time */
    ertc_kvs_provider_t *provider;
    ertc_kvs_control_t ctl;
    ertc_tls_config_t *tls;

    /* loop side */
    kvs_state_t state;
    unsigned gen;
    ertc_kvs_channel_t ch; /* the ARN and endpoints in use */
    ertc_ws_client_t *ws;         /* the connection in use */
    ertc_ws_client_t *ws_next;    /* its replacement, opening */
    ertc_ws_client_t *ws_closing; /* the replaced one, closing */
    bool ever_connected;
    bool offered;
    bool use_cache_next;
    bool replacing;   /* a replacement's CONNECT job is in flight */
    bool ice_pending; /* an ICE job is in flight */
    bool creds_pending;
    unsigned attempts;
    ertc_timer_t deadline, reconnect, lifetime, creds, flush;
    ertc_kvs_outq_t outq;
    uint32_t drops[ERTC_KVS_DROP_KIND_COUNT];

    /* shared with the app's threads */
    atomic_int pending_sends;
    atomic_size_t pending_bytes;
    atomic_uint stat_connects, stat_reconnects, stat_sent, stat_received, stat_dropped,
        stat_status, stat_fetches;
    ertc_mutex_t *ice_lock;
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    bool ice_has_stun;
    int64_t ice_fetched_at;
    uint32_t ice_min_ttl;
    atomic_bool ice_refreshing;
};

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
        j->status = ertc_kvs_control_resolve(&c->ctl, creds, j->use_cache, &j->ch, j->err,
                                             sizeof(j->err));
        if (j->status == WEBRTC_STATUS_SIGNALING_AUTH_FAILED &&
            ertc_kvs_provider_kind(c->provider) >= ERTC_KVS_PROVIDER_FILE &&
            ertc_kvs_provider_get(c->provider, now, true, &creds, j->err, sizeof(j->err)) ==
                WEBRTC_STATUS_SUCCESS) {
            /* refused: perhaps revoked or expired early; once more with fresh credentials */
            j->status = ertc_kvs_control_resolve(&c->ctl, creds, j->use_cache, &j->ch, j->err,
                                                 sizeof(j->err));
        }
        if (j->status == WEBRTC_STATUS_SUCCESS) {
            j->status = ertc_kvs_control_presign(&c->ctl, creds, &j->ch, &j->url, j->err,
                                                 sizeof(j->err));
        }
    } else if (j->status == WEBRTC_STATUS_SUCCESS && j->kind == JOB_ICE) {
        j->status = ertc_kvs_control_get_ice(&c->ctl, creds, &j->ch, &j->ice, j->err,
                                             sizeof(j->err));
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

/* ---- connection life cycle -------------------------------------------------------------------- */

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

/* ---- the WebSocket ------------------------------------------------------------------------------ */

static void drop_frame(kvs_client_t *c, ertc_kvs_drop_t why)
{
    atomic_fetch_add(&c->stat_dropped, 1);
    if (c->drops[why]++ == 0) {
        ERTC_LOGW(TAG, "channel %s: dropped a message from the service (%s); more of this kind "
                       "are only counted", c->ctl.channel, ertc_kvs_drop_name(why));
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
            snprintf(msg, sizeof(msg), "KVS STATUS_RESPONSE for correlation id %.128s: %d %.64s: %.200s",
                     in.correlation_id[0] ? in.correlation_id : "(none)", in.status_code,
                     in.error_type, in.description);
            report_error(c, st, msg);
        }
        break;
    }
    case ERTC_KVS_MSG_GO_AWAY:
        start_replacement(c, false, "the service sent GO_AWAY");
        break;
    case ERTC_KVS_MSG_RECONNECT_ICE_SERVER:
        ERTC_LOGI(TAG, "channel %s: the service asks for new ICE servers", c->ctl.channel);
        request_ice(c);
        break;
    default:
        drop_frame(c, ERTC_KVS_DROP_UNKNOWN_TYPE);
        break;
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
    ERTC_LOGI(TAG, "channel %s: connected as %s", c->ctl.channel,
              ertc_kvs_role_name(c->ctl.role));
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
    static const ertc_ws_callbacks_t cbs = {.on_open = ws_open, .on_message = ws_message,
                                            .on_close = ws_close};
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
    ERTC_LOGI(TAG, "channel %s: %u ICE server(s), shortest Ttl %u s", c->ctl.channel,
              (unsigned)n, (unsigned)cfg->min_ttl_s);
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
    case JOB_CONNECT:
        on_connect_result(c, j);
        break;
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
    case JOB_CREDS:
        c->creds_pending = false;
        break;
    }
    if (j->cred_refresh_at != INT64_MAX && c->state != KVS_IDLE && c->state != KVS_FAILED) {
        ertc_timer_start(c->loop, &c->creds,
                         ertc_kvs_ms_until(j->cred_refresh_at, ertc_kvs_control_now(&c->ctl),
                                           CREDS_MIN_DELAY_MS, CREDS_MAX_DELAY_MS),
                         0);
    }
    job_free(j);
}

/* ---- sending ------------------------------------------------------------------------------------- */

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

typedef struct {
    kvs_client_t *c;
    esp_webrtc_signaling_message_t msg; /* payload owned */
    size_t reserved; /* bytes counted in pending_bytes */
} send_job_t;

static void do_send(void *arg)
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
            report_error(c, WEBRTC_STATUS_RETRY_LATER, "the outgoing queue is full; a message "
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

/* ---- work posted from the interface ------------------------------------------------------------ */

static void do_connect(void *arg)
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

static void do_disconnect(void *arg)
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

static void do_refresh_ice(void *arg)
{
    request_ice(arg);
}

static void do_nothing(void *arg)
{
    (void)arg;
}

/* ---- the interface ------------------------------------------------------------------------------ */

static void loop_main(void *arg)
{
    ertc_loop_run(((kvs_client_t *)arg)->loop);
}

static void client_free(kvs_client_t *c)
{
    atomic_store(&c->closing, true);
    if (c->workq != NULL) {
        /* Jobs end quickly once closing is set; their results go through the loop. */
        ertc_workq_drain(c->workq, DRAIN_TIMEOUT_MS);
    }
    if (c->thread != NULL) {
        ertc_loop_call_sync(c->loop, do_nothing, NULL); /* runs after the posted results */
        ertc_loop_stop(c->loop);
        ertc_thread_join(c->thread);
    }
    if (c->workq != NULL) {
        size_t lost = ertc_workq_destroy(c->workq);
        if (lost > 0) {
            ERTC_LOGW(TAG, "%zu job(s) did not run", lost);
        }
    }
    drop_all_websockets(c);
    ertc_kvs_outq_clear(&c->outq);
    ertc_kvs_control_close(&c->ctl);
    ertc_kvs_provider_free(c->provider);
    kvs_signaling_file_storage_free(c->own_storage);
    if (c->loop != NULL) {
        ertc_loop_destroy(c->loop);
    }
    ertc_tls_config_unref(c->tls);
    if (c->ice_lock != NULL) {
        ertc_mutex_destroy(c->ice_lock);
    }
    ertc_kvs_secure_zero(c->ice, sizeof(c->ice));
    ertc_free(c);
}

static WEBRTC_STATUS check_config(const kvs_signaling_config_t *cfg, kvs_client_t *c)
{
    if (!ertc_kvs_valid_id(cfg->pChannelName)) {
        ERTC_LOGE(TAG, "kvs_signaling_config_t.pChannelName: '%.80s' is not 1-256 characters "
                       "of [a-zA-Z0-9_.-]", cfg->pChannelName ? cfg->pChannelName : "(null)");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    const char *region = cfg->awsRegion ? cfg->awsRegion : KVS_SIGNALING_DEFAULT_REGION;
    if (ertc_kvs_default_control_url(region, c->ctl.control_url, sizeof(c->ctl.control_url)) !=
        WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "kvs_signaling_config_t.awsRegion: '%.40s' is not a region name", region);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->controlPlaneUrl != NULL) {
        size_t n = strlen(cfg->controlPlaneUrl);
        while (n > 0 && cfg->controlPlaneUrl[n - 1] == '/') {
            n--;
        }
        if (n >= sizeof(c->ctl.control_url)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        memcpy(c->ctl.control_url, cfg->controlPlaneUrl, n);
        c->ctl.control_url[n] = '\0';
        if (!ertc_kvs_url_allowed(c->ctl.control_url, false)) {
            ERTC_LOGE(TAG, "kvs_signaling_config_t.controlPlaneUrl: '%.200s' is not https:// "
                           "(or http:// to a loopback address)", c->ctl.control_url);
            return WEBRTC_STATUS_INVALID_ARG;
        }
        c->endpoint_override = true;
    }
    if (cfg->clientId != NULL && !ertc_kvs_valid_id(cfg->clientId)) {
        ERTC_LOGE(TAG, "kvs_signaling_config_t.clientId: not 1-256 characters of [a-zA-Z0-9_.-]");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->messageTtlSeconds != 0 && (cfg->messageTtlSeconds < ERTC_KVS_MIN_MESSAGE_TTL_S ||
                                        cfg->messageTtlSeconds > ERTC_KVS_MAX_MESSAGE_TTL_S)) {
        ERTC_LOGE(TAG, "kvs_signaling_config_t.messageTtlSeconds: 5..120 (or 0)");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    snprintf(c->region, sizeof(c->region), "%s", region);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_init(void *cfg_in, void **out)
{
    kvs_signaling_config_t *cfg = cfg_in;
    if (cfg == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    kvs_client_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = check_config(cfg, c);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(c);
        return st;
    }
    if (cfg->logLevel > 0 && cfg->logLevel <= ERTC_LOG_SILENT) {
        ertc_log_set_tag_level(TAG, (int)cfg->logLevel);
    }
    snprintf(c->ctl.channel, sizeof(c->ctl.channel), "%s", cfg->pChannelName);
    snprintf(c->ctl.region, sizeof(c->ctl.region), "%s", c->region);
    if (cfg->clientId != NULL) {
        snprintf(c->ctl.client_id, sizeof(c->ctl.client_id), "%s", cfg->clientId);
    } else {
        memcpy(c->ctl.client_id, "edgertc-", 8);
        ertc_random_string(c->ctl.client_id + 8, 12, "0123456789abcdefghijklmnopqrstuvwxyz");
    }
    c->ctl.message_ttl_s = cfg->messageTtlSeconds;
    c->ctl.cancel = &c->closing;
    c->timeout_ms = cfg->connectionTimeout ? cfg->connectionTimeout : DEFAULT_TIMEOUT_MS;
    c->ctl.deadline_ms = c->timeout_ms;
    c->lifetime_s = cfg->connectionLifetimeS ? cfg->connectionLifetimeS
                                             : ERTC_KVS_DEFAULT_LIFETIME_S;
    c->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    ertc_kvs_outq_init(&c->outq, 0, 0);
    ertc_timer_init(&c->deadline, on_deadline, c);
    ertc_timer_init(&c->reconnect, on_reconnect_timer, c);
    ertc_timer_init(&c->lifetime, on_lifetime_timer, c);
    ertc_timer_init(&c->creds, on_creds_timer, c);
    ertc_timer_init(&c->flush, on_flush_timer, c);
    if (cfg->cacheStorage != NULL) {
        c->ctl.storage = cfg->cacheStorage;
    } else if (cfg->cacheFilePath == NULL || cfg->cacheFilePath[0] != '\0') {
        c->own_storage = kvs_signaling_file_storage(
            cfg->cacheFilePath ? cfg->cacheFilePath : KVS_SIGNALING_DEFAULT_CACHE_FILE);
        c->ctl.storage = c->own_storage;
    }
    if (!c->endpoint_override) {
        /* The service's STUN server is not in GetIceServerConfig: clients add it (spec §1.1). */
        snprintf(c->ice[0].urls, sizeof(c->ice[0].urls),
                 "stun:stun.kinesisvideo.%s.amazonaws.com%s:443", c->region,
                 strncmp(c->region, "cn-", 3) == 0 ? ".cn" : "");
        c->ice_count = 1;
        c->ice_has_stun = true;
    }
    char err[ERTC_KVS_PROVIDER_ERROR_LEN];
    st = ertc_kvs_provider_create(cfg, &c->provider, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "kvs_signaling_config_t: %s", err);
    }
    if (st == WEBRTC_STATUS_SUCCESS && strncmp(c->ctl.control_url, "https:", 6) == 0) {
        char terr[ERTC_TLS_ERROR_LEN];
        ertc_tls_options_t topts = {.role = ERTC_TLS_CLIENT, .ca_path = cfg->caCertPath};
        st = ertc_tls_config_create(&topts, &c->tls, terr, sizeof(terr));
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGE(TAG, "kvs_signaling_config_t.caCertPath: %s", terr);
        }
        c->ctl.tls = c->tls;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_mutex_create(&c->ice_lock);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_loop_create(&c->loop, 0);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_workq_create(&c->workq, 8, 0, "kvs-work");
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_workq_start(c->workq);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_thread_create(&c->thread, "kvs", 0, loop_main, c);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        client_free(c);
        return st;
    }
    ERTC_LOGI(TAG, "channel %s in %s, %s credentials, control plane %s", c->ctl.channel,
              c->region, ertc_kvs_provider_kind_name(ertc_kvs_provider_kind(c->provider)),
              c->ctl.control_url);
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_connect(void *client)
{
    kvs_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, do_connect, c) : WEBRTC_STATUS_NULL_ARG;
}

static WEBRTC_STATUS kvs_disconnect(void *client)
{
    kvs_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, do_disconnect, c) : WEBRTC_STATUS_NULL_ARG;
}

static WEBRTC_STATUS kvs_send_message(void *client, esp_webrtc_signaling_message_t *msg)
{
    kvs_client_t *c = client;
    if (c == NULL || msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->payload == NULL && msg->payload_len > 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (msg->payload_len > ERTC_KVS_MAX_PAYLOAD_B64_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED; /* its base64 would exceed the service's limit */
    }
    /* Room for the frame: base64 and the envelope. Refused now rather than dropped later. */
    size_t reserve = (size_t)msg->payload_len / 3 * 4 + 4 + 600;
    if (atomic_fetch_add(&c->pending_sends, 1) >= MAX_PENDING_SENDS) {
        atomic_fetch_sub(&c->pending_sends, 1);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    if (atomic_fetch_add(&c->pending_bytes, reserve) + reserve > ERTC_KVS_OUTQ_MAX_BYTES) {
        atomic_fetch_sub(&c->pending_bytes, reserve);
        atomic_fetch_sub(&c->pending_sends, 1);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    send_job_t *job = ertc_calloc(1, sizeof(*job));
    if (job == NULL || (msg->payload != NULL &&
                        (job->msg.payload = ertc_strndup(msg->payload, msg->payload_len)) ==
                            NULL)) {
        ertc_free(job);
        atomic_fetch_sub(&c->pending_bytes, reserve);
        atomic_fetch_sub(&c->pending_sends, 1);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    job->c = c;
    job->reserved = reserve;
    job->msg.message_type = msg->message_type;
    job->msg.payload_len = job->msg.payload ? (uint32_t)strlen(job->msg.payload) : 0;
    snprintf(job->msg.peer_client_id, sizeof(job->msg.peer_client_id), "%s", msg->peer_client_id);
    snprintf(job->msg.correlation_id, sizeof(job->msg.correlation_id), "%s", msg->correlation_id);
    WEBRTC_STATUS st = ertc_loop_post(c->loop, do_send, job);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(job->msg.payload);
        ertc_free(job);
        atomic_fetch_sub(&c->pending_bytes, reserve);
        atomic_fetch_sub(&c->pending_sends, 1);
        return WEBRTC_STATUS_RETRY_LATER;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_free(void *client)
{
    kvs_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_loop_call_sync(c->loop, do_disconnect, c);
    client_free(c);
    return WEBRTC_STATUS_SUCCESS;
}

typedef struct {
    kvs_client_t *c;
    uint64_t custom;
    webrtc_signaling_on_msg_received_t on_msg;
    webrtc_signaling_on_state_changed_t on_state;
    webrtc_signaling_on_error_t on_error;
    webrtc_signaling_on_ice_servers_updated_t on_ice;
} callbacks_job_t;

static void do_set_callbacks(void *arg)
{
    callbacks_job_t *j = arg;
    j->c->custom = j->custom;
    j->c->on_msg = j->on_msg;
    j->c->on_state = j->on_state;
    j->c->on_error = j->on_error;
}

static WEBRTC_STATUS kvs_set_callbacks(void *client, uint64_t custom,
                                       webrtc_signaling_on_msg_received_t on_msg,
                                       webrtc_signaling_on_state_changed_t on_state,
                                       webrtc_signaling_on_error_t on_error)
{
    kvs_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    callbacks_job_t j = {c, custom, on_msg, on_state, on_error, NULL};
    return ertc_loop_call_sync(c->loop, do_set_callbacks, &j);
}

static WEBRTC_STATUS kvs_set_role_type(void *client, webrtc_signaling_channel_role_type_t role)
{
    kvs_client_t *c = client;
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

static WEBRTC_STATUS kvs_get_ice_servers(void *client, uint32_t *count, void *array)
{
    kvs_client_t *c = client;
    if (c == NULL || count == NULL || array == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_mutex_lock(c->ice_lock);
    memcpy(array, c->ice, c->ice_count * sizeof(app_webrtc_ice_server_t));
    *count = c->ice_count;
    ertc_mutex_unlock(c->ice_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_get_ice_server_by_idx(void *client, int index, bool use_turn,
                                               uint8_t **data, int *len, bool *have_more)
{
    kvs_client_t *c = client;
    if (c == NULL || data == NULL || len == NULL || have_more == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *data = NULL;
    *len = 0;
    *have_more = false;
    if (index < 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_mutex_lock(c->ice_lock);
    /* index 0: the STUN server (none with an endpoint override); 1..: the TURN URIs */
    uint32_t first_turn = c->ice_has_stun ? 1 : 0;
    uint32_t turn_total = c->ice_count - first_turn;
    const app_webrtc_ice_server_t *found = NULL;
    if (index == 0 && c->ice_has_stun) {
        found = &c->ice[0];
    } else if (index > 0 && use_turn && (uint32_t)index <= turn_total) {
        found = &c->ice[first_turn + (uint32_t)index - 1];
    }
    if (found != NULL) {
        *data = malloc(sizeof(*found)); /* the caller frees it with free() */
        if (*data != NULL) {
            memcpy(*data, found, sizeof(*found));
            *len = (int)sizeof(*found);
        }
    }
    /* No TURN yet but a fetch runs: "ask again". */
    *have_more = use_turn && ((uint32_t)index < turn_total ||
                              (turn_total == 0 && atomic_load(&c->ice_refreshing)));
    ertc_mutex_unlock(c->ice_lock);
    return found != NULL || index == 0 || *have_more ? WEBRTC_STATUS_SUCCESS
                                                     : WEBRTC_STATUS_NOT_FOUND;
}

static WEBRTC_STATUS kvs_is_ice_refresh_needed(void *client, bool *needed)
{
    kvs_client_t *c = client;
    if (c == NULL || needed == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_mutex_lock(c->ice_lock);
    *needed = ertc_kvs_ice_refresh_needed(c->ice_fetched_at, c->ice_min_ttl,
                                          ertc_kvs_control_now(&c->ctl));
    ertc_mutex_unlock(c->ice_lock);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_refresh_ice_configuration(void *client)
{
    kvs_client_t *c = client;
    return c ? ertc_loop_post(c->loop, do_refresh_ice, c) : WEBRTC_STATUS_NULL_ARG;
}

static void do_set_ice_cb(void *arg)
{
    callbacks_job_t *j = arg;
    j->c->ice_custom = j->custom;
    j->c->on_ice = j->on_ice;
}

static WEBRTC_STATUS kvs_set_ice_update_callback(void *client, uint64_t custom,
                                                 webrtc_signaling_on_ice_servers_updated_t cb)
{
    kvs_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    callbacks_job_t j = {c, custom, NULL, NULL, NULL, cb};
    return ertc_loop_call_sync(c->loop, do_set_ice_cb, &j);
}

WEBRTC_STATUS kvs_signaling_get_stats(void *client, kvs_signaling_stats_t *out)
{
    kvs_client_t *c = client;
    if (c == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    out->control_plane_calls = atomic_load(&c->ctl.control_calls);
    out->ice_config_calls = atomic_load(&c->ctl.ice_calls);
    out->cache_hits = atomic_load(&c->ctl.cache_hits);
    out->credential_fetches = atomic_load(&c->stat_fetches);
    out->connects = atomic_load(&c->stat_connects);
    out->reconnects = atomic_load(&c->stat_reconnects);
    out->messages_sent = atomic_load(&c->stat_sent);
    out->messages_received = atomic_load(&c->stat_received);
    out->messages_dropped = atomic_load(&c->stat_dropped);
    out->status_responses = atomic_load(&c->stat_status);
    int q = atomic_load(&c->pending_sends);
    out->queued = q > 0 ? (uint32_t)q : 0;
    return WEBRTC_STATUS_SUCCESS;
}

webrtc_signaling_client_if_t *kvs_signaling_client_if_get(void)
{
    static webrtc_signaling_client_if_t table = {
        .init = kvs_init,
        .connect = kvs_connect,
        .disconnect = kvs_disconnect,
        .send_message = kvs_send_message,
        .free = kvs_free,
        .set_callbacks = kvs_set_callbacks,
        .set_role_type = kvs_set_role_type,
        .get_ice_servers = kvs_get_ice_servers,
        .get_ice_server_by_idx = kvs_get_ice_server_by_idx,
        .is_ice_refresh_needed = kvs_is_ice_refresh_needed,
        .refresh_ice_configuration = kvs_refresh_ice_configuration,
        .set_ice_update_callback = kvs_set_ice_update_callback,
    };
    return &table;
}
