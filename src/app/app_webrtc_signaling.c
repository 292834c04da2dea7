/*
 * app/app_webrtc_signaling — the signaling client as app_webrtc drives it: its callbacks, and
 * the connect and reconnect policy.
 *
 * Callbacks come from the backend's own threads (the interface allows any thread). Each one
 * copies what it got (the message and its payload, bounded by
 * APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) and posts it to app_webrtc's loop, where everything
 * else happens; nothing of the backend's is touched on its thread. A post that cannot be
 * queued is logged and dropped, never blocks the backend.
 *
 * Reconnect policy: a failed attempt (connect fails, the state goes FAILED, an error of
 * ICE_REFRESH_FAILED, RECONNECT_FAILED, CONNECTION_LOST or AUTH_FAILED, a connected client
 * that reports DISCONNECTED, or no CONNECTED within APP_SIGNALING_ATTEMPT_S) waits 5, 10, 20,
 * 40, then 60 s for every later one, then disconnects and connects again. CONNECTED resets
 * the count, so the next drop waits 5 s again (the ESP port never reset it, its §3 item 15).
 * AUTH_FAILED is retried too (credentials can be refreshed), but APP_WEBRTC_AUTH_FAILURES_MAX
 * of them in a row (no CONNECTED between) end app_webrtc_run with that status.
 * Sessions are not touched: media keeps flowing while signaling is away.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/alloc.h"
#include "util/log.h"

const uint32_t app_reconnect_delays_s[APP_RECONNECT_DELAY_COUNT] = {5, 10, 20, 40, 60};

typedef enum { JOB_MESSAGE, JOB_STATE, JOB_ERROR, JOB_ICE_UPDATED } job_kind_t;

typedef struct {
    app_ctx_t *ctx;
    job_kind_t kind;
    esp_webrtc_signaling_message_t msg; /* JOB_MESSAGE; payload owned */
    webrtc_signaling_client_state_t state;
    WEBRTC_STATUS status;
    uint32_t count;
    char text[200];
} sig_job_t;

void app_job_done(app_ctx_t *ctx)
{
    atomic_fetch_sub(&ctx->inflight, 1);
}

static void sig_failed(app_ctx_t *ctx, const char *why);

/* ---- the policy --------------------------------------------------------------------------- */

static void attempt(app_ctx_t *ctx)
{
    ctx->sig_phase = APP_SIG_CONNECTING;
    ertc_timer_start(ctx->loop, &ctx->sig_attempt, APP_SIGNALING_ATTEMPT_S * app_ms_per_s(), 0);
    if (ctx->sig_attempted && ctx->sig->disconnect != NULL) {
        ctx->sig->disconnect(ctx->sig_client); /* a clean slate; its DISCONNECTED is ignored */
    }
    ctx->sig_attempted = true;
    ERTC_LOGI(APP_TAG, "signaling: connecting%s", ctx->sig_failures ? " again" : "");
    WEBRTC_STATUS st = ctx->sig->connect(ctx->sig_client);
    if (st != WEBRTC_STATUS_SUCCESS) {
        char why[96];
        snprintf(why, sizeof(why), "connect failed: %s", webrtc_status_name(st));
        sig_failed(ctx, why);
    }
}

static void backoff_fired(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    attempt(arg);
}

static void attempt_timed_out(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    char why[64];
    snprintf(why, sizeof(why), "not connected within %u s", APP_SIGNALING_ATTEMPT_S);
    sig_failed(arg, why);
}

static void sig_failed(app_ctx_t *ctx, const char *why)
{
    if (ctx->stopping || ctx->sig_phase == APP_SIG_WAITING || ctx->sig_phase == APP_SIG_IDLE) {
        return; /* a retry is scheduled already, or we are not connecting at all */
    }
    ertc_timer_stop(ctx->loop, &ctx->sig_attempt);
    uint32_t i = ctx->sig_failures < APP_RECONNECT_DELAY_COUNT ? ctx->sig_failures
                                                               : APP_RECONNECT_DELAY_COUNT - 1;
    uint32_t delay = app_reconnect_delays_s[i];
    ctx->sig_failures++;
    ctx->sig_phase = APP_SIG_WAITING;
    app_webrtc_test_record_delay(delay);
    ERTC_LOGW(APP_TAG, "signaling: %s; reconnecting in %u s (failure %u in a row)", why, delay,
              ctx->sig_failures);
    ertc_timer_start(ctx->loop, &ctx->sig_backoff, delay * app_ms_per_s(), 0);
}

void app_signaling_reconnect_now(app_ctx_t *ctx, const char *why)
{
    if (ctx->stopping || ctx->sig_client == NULL) {
        return;
    }
    ERTC_LOGI(APP_TAG, "signaling: reconnecting now (%s)", why);
    ertc_timer_stop(ctx->loop, &ctx->sig_attempt);
    ctx->sig_phase = APP_SIG_WAITING;
    ertc_timer_start(ctx->loop, &ctx->sig_backoff, 0, 0);
}

/* ---- what the backend reported, on the loop ----------------------------------------------- */

static void handle_state(app_ctx_t *ctx, webrtc_signaling_client_state_t state)
{
    webrtc_signaling_client_state_t prev = ctx->sig_reported;
    ctx->sig_reported = state;
    ERTC_LOGD(APP_TAG, "signaling state %s", app_webrtc_signaling_state_name(state));
    switch (state) {
    case WEBRTC_SIGNALING_CLIENT_STATE_CONNECTING:
        if (prev == WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED &&
            ctx->sig_phase == APP_SIG_CONNECTED) {
            /* The backend lost its connection and reconnects by itself (AppRTC does): say so;
             * its FAILED, if it gives up, starts our own policy. */
            app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, 0, NULL,
                      "Signaling connection lost; the backend reconnects");
        }
        if (prev != state) {
            app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_CONNECTING, 0, NULL,
                      "Signaling client connecting");
        }
        break;
    case WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED:
        ertc_timer_stop(ctx->loop, &ctx->sig_attempt);
        ertc_timer_stop(ctx->loop, &ctx->sig_backoff);
        ctx->sig_phase = APP_SIG_CONNECTED;
        ctx->sig_failures = 0;
        ctx->auth_failures = 0;
        app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_CONNECTED, 0, NULL, "Signaling client connected");
        app_ice_update(ctx);   /* a backend learns its servers as it connects */
        app_outbox_flush(ctx); /* what sessions said while signaling was away */
        break;
    case WEBRTC_SIGNALING_CLIENT_STATE_DISCONNECTED:
        if (ctx->sig_phase == APP_SIG_CONNECTED) {
            app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, 0, NULL,
                      "Signaling client disconnected");
            sig_failed(ctx, "disconnected");
        }
        break;
    case WEBRTC_SIGNALING_CLIENT_STATE_FAILED:
        app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, WEBRTC_STATUS_SIGNALING_BASE, NULL,
                  "Signaling client failed");
        sig_failed(ctx, "the client failed");
        break;
    default: break;
    }
}

static bool needs_reconnect(WEBRTC_STATUS st)
{
    return st == WEBRTC_STATUS_SIGNALING_ICE_REFRESH_FAILED ||
           st == WEBRTC_STATUS_SIGNALING_RECONNECT_FAILED ||
           st == WEBRTC_STATUS_SIGNALING_CONNECTION_LOST ||
           st == WEBRTC_STATUS_SIGNALING_AUTH_FAILED;
}

static void handle_error(app_ctx_t *ctx, WEBRTC_STATUS st, const char *text)
{
    app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_ERROR, st, NULL, "Signaling error: 0x%08x - %s",
              (unsigned)st, text);
    if (st == WEBRTC_STATUS_SIGNALING_AUTH_FAILED &&
        ++ctx->auth_failures >= APP_WEBRTC_AUTH_FAILURES_MAX) {
        /* Credentials can be refreshed, so a few are retried; this many in a row will not
         * heal by waiting: say so once and end run, so a program can exit non-zero. */
        ERTC_LOGE(APP_TAG, "signaling: authentication failed %u times in a row: giving up",
                  ctx->auth_failures);
        app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_ERROR, st, NULL,
                  "Signaling failed for good: authentication refused %u times in a row "
                  "(check the credentials); app_webrtc_run returns",
                  ctx->auth_failures);
        app_fail_run(ctx, st);
        return;
    }
    if (needs_reconnect(st)) {
        char why[96];
        snprintf(why, sizeof(why), "error %s", webrtc_status_name(st));
        sig_failed(ctx, why);
    }
}

static void run_job(void *arg)
{
    sig_job_t *j = arg;
    app_ctx_t *ctx = j->ctx;
    if (!ctx->stopping) {
        switch (j->kind) {
        case JOB_MESSAGE: app_route_inbound(ctx, &j->msg); break;
        case JOB_STATE: handle_state(ctx, j->state); break;
        case JOB_ERROR: handle_error(ctx, j->status, j->text); break;
        case JOB_ICE_UPDATED:
            ERTC_LOGI(APP_TAG, "signaling: %u ICE servers available", j->count);
            app_ice_update(ctx);
            break;
        }
    }
    ertc_free(j->msg.payload);
    ertc_free(j);
    app_job_done(ctx); /* the last touch of ctx: it may be freed once the count is 0 */
}

static WEBRTC_STATUS post_job(app_ctx_t *ctx, sig_job_t *j)
{
    atomic_fetch_add(&ctx->inflight, 1);
    WEBRTC_STATUS st = ertc_loop_post(ctx->loop, run_job, j);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(APP_TAG, "signaling: an event could not be queued (%s): dropped",
                  webrtc_status_name(st));
        ertc_free(j->msg.payload);
        ertc_free(j);
        app_job_done(ctx);
    }
    return st;
}

/* ---- the callbacks, on the backend's threads ---------------------------------------------- */

static WEBRTC_STATUS cb_message(uint64_t custom, esp_webrtc_signaling_message_t *msg)
{
    app_ctx_t *ctx = (app_ctx_t *)(uintptr_t)custom;
    if (ctx == NULL || msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->payload_len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN ||
        (msg->payload == NULL && msg->payload_len != 0)) {
        ERTC_LOGW(APP_TAG, "signaling: a %s of %u bytes from %.64s refused (limit %u)",
                  app_webrtc_message_type_name(msg->message_type), msg->payload_len,
                  msg->peer_client_id, APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    sig_job_t *j = ertc_calloc(1, sizeof(*j));
    if (j == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    j->ctx = ctx;
    j->kind = JOB_MESSAGE;
    j->msg.message_type = msg->message_type;
    j->msg.version = msg->version;
    /* The ids are fixed arrays but a backend might not terminate them. */
    snprintf(j->msg.peer_client_id, sizeof(j->msg.peer_client_id), "%.*s",
             (int)APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN, msg->peer_client_id);
    snprintf(j->msg.correlation_id, sizeof(j->msg.correlation_id), "%.*s",
             (int)APP_WEBRTC_MAX_CORRELATION_ID_LEN, msg->correlation_id);
    if (msg->payload != NULL) {
        j->msg.payload = ertc_malloc((size_t)msg->payload_len + 1);
        if (j->msg.payload == NULL) {
            ertc_free(j);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        memcpy(j->msg.payload, msg->payload, msg->payload_len);
        j->msg.payload[msg->payload_len] = '\0';
        j->msg.payload_len = msg->payload_len;
    }
    return post_job(ctx, j);
}

static WEBRTC_STATUS cb_state(uint64_t custom, webrtc_signaling_client_state_t state)
{
    app_ctx_t *ctx = (app_ctx_t *)(uintptr_t)custom;
    sig_job_t *j = ctx ? ertc_calloc(1, sizeof(*j)) : NULL;
    if (j == NULL) {
        return ctx ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY : WEBRTC_STATUS_NULL_ARG;
    }
    j->ctx = ctx;
    j->kind = JOB_STATE;
    j->state = state;
    return post_job(ctx, j);
}

static WEBRTC_STATUS cb_error(uint64_t custom, WEBRTC_STATUS status, char *msg, uint32_t len)
{
    app_ctx_t *ctx = (app_ctx_t *)(uintptr_t)custom;
    sig_job_t *j = ctx ? ertc_calloc(1, sizeof(*j)) : NULL;
    if (j == NULL) {
        return ctx ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY : WEBRTC_STATUS_NULL_ARG;
    }
    j->ctx = ctx;
    j->kind = JOB_ERROR;
    j->status = status;
    if (msg != NULL) {
        size_t n = len < sizeof(j->text) - 1 ? len : sizeof(j->text) - 1;
        memcpy(j->text, msg, n);
        j->text[n] = '\0';
    }
    return post_job(ctx, j);
}

static WEBRTC_STATUS cb_ice_updated(uint64_t custom, uint32_t count)
{
    app_ctx_t *ctx = (app_ctx_t *)(uintptr_t)custom;
    sig_job_t *j = ctx ? ertc_calloc(1, sizeof(*j)) : NULL;
    if (j == NULL) {
        return ctx ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY : WEBRTC_STATUS_NULL_ARG;
    }
    j->ctx = ctx;
    j->kind = JOB_ICE_UPDATED;
    j->count = count;
    return post_job(ctx, j);
}

/* ---- life cycle --------------------------------------------------------------------------- */

WEBRTC_STATUS app_signaling_init(app_ctx_t *ctx)
{
    ertc_timer_init(&ctx->sig_backoff, backoff_fired, ctx);
    ertc_timer_init(&ctx->sig_attempt, attempt_timed_out, ctx);
    WEBRTC_STATUS st = ctx->sig->init(ctx->cfg.signaling_cfg, &ctx->sig_client);
    if (st != WEBRTC_STATUS_SUCCESS || ctx->sig_client == NULL) {
        ctx->sig_client = NULL;
        ERTC_LOGE(APP_TAG,
                  "app_webrtc_init: signaling_cfg: the signaling backend refused its "
                  "configuration (%s; its message above names the field)",
                  webrtc_status_name(st));
        return st != WEBRTC_STATUS_SUCCESS ? st : WEBRTC_STATUS_INTERNAL_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_signaling_start(app_ctx_t *ctx)
{
    webrtc_signaling_client_if_t *sig = ctx->sig;
    uint64_t custom = (uint64_t)(uintptr_t)ctx;
    if (sig->set_role_type != NULL) {
        WEBRTC_STATUS st = sig->set_role_type(ctx->sig_client, ctx->cfg.role_type);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG, "signaling: set_role_type: %s", webrtc_status_name(st));
        }
    }
    WEBRTC_STATUS st = sig->set_callbacks(ctx->sig_client, custom, cb_message, cb_state, cb_error);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(APP_TAG, "signaling: set_callbacks failed: %s", webrtc_status_name(st));
        return st;
    }
    if (sig->set_ice_update_callback != NULL) {
        st = sig->set_ice_update_callback(ctx->sig_client, custom, cb_ice_updated);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG,
                      "signaling: set_ice_update_callback: %s (TURN servers "
                      "fetched later will not reach new sessions at once)",
                      webrtc_status_name(st));
        }
    }
    attempt(ctx);
    return WEBRTC_STATUS_SUCCESS;
}

void app_signaling_stop(app_ctx_t *ctx)
{
    if (ctx->loop != NULL) {
        ertc_timer_stop(ctx->loop, &ctx->sig_backoff);
        ertc_timer_stop(ctx->loop, &ctx->sig_attempt);
    }
    if (ctx->sig_client == NULL) {
        return;
    }
    bool was_connected = ctx->sig_phase == APP_SIG_CONNECTED;
    ctx->sig_phase = APP_SIG_IDLE;
    if (ctx->sig_attempted && ctx->sig->disconnect != NULL) {
        ctx->sig->disconnect(ctx->sig_client);
    }
    if (ctx->sig->free != NULL) {
        ctx->sig->free(ctx->sig_client); /* no callback runs after this returns */
    }
    ctx->sig_client = NULL;
    app_outbox_clear(ctx);
    if (was_connected) {
        app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED, 0, NULL,
                  "Signaling client disconnected: app_webrtc is terminating");
    }
}
