/*
 * app/app_webrtc — the seed's application API: init, run, terminate, settings, and the calls
 * that reach sessions and the signaling backend from any thread.
 *
 * The API is a singleton (the seed's); its one context owns an event loop. app_webrtc_run
 * runs that loop on its caller's thread until app_webrtc_terminate, which may come from any
 * other thread (a signal-handling thread included) but not from the event callback: it posts
 * the teardown to the loop, waits for run to return, then frees everything. Public calls that
 * need the loop go through ertc_loop_call_sync, so nothing of a session or backend is ever
 * touched off the loop thread; a count of callers in flight keeps the context alive until
 * they are out.
 *
 * Life cycle: IDLE --init--> READY --run--> RUNNING --terminate--> STOPPING --> IDLE.
 * terminate from READY frees at once; a run that fails to start frees too and returns.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/alloc.h"
#include "util/log.h"

typedef enum { ST_IDLE, ST_INIT, ST_READY, ST_RUNNING, ST_STOPPING } app_state_t;

static atomic_flag g_lock = ATOMIC_FLAG_INIT; /* held for a few instructions only */
static app_state_t g_state;
static app_ctx_t *g_ctx;
static int g_users;     /* public calls in flight that use g_ctx */
static bool g_run_done; /* run's loop has returned and drained */
static app_webrtc_send_msg_cb_t g_msg_cb;
static uint32_t g_ms_per_s = 1000;

#define DELAY_HISTORY 16
static uint32_t g_delays[DELAY_HISTORY];
static uint32_t g_delay_count;

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&g_lock, memory_order_acquire)) {
    }
}

static void unlock(void)
{
    atomic_flag_clear_explicit(&g_lock, memory_order_release);
}

app_ctx_t *app_current(void)
{
    return g_ctx; /* set before the loop first runs, cleared after it ends */
}

app_webrtc_send_msg_cb_t app_msg_cb(void)
{
    lock();
    app_webrtc_send_msg_cb_t cb = g_msg_cb;
    unlock();
    return cb;
}

/* ---- test hooks ---------------------------------------------------------------------------- */

uint32_t app_ms_per_s(void)
{
    return g_ms_per_s;
}

void app_webrtc_test_set_ms_per_s(uint32_t ms)
{
    g_ms_per_s = ms ? ms : 1000;
}

void app_webrtc_test_record_delay(uint32_t seconds)
{
    lock();
    if (g_delay_count == DELAY_HISTORY) {
        memmove(g_delays, g_delays + 1, sizeof(g_delays) - sizeof(g_delays[0]));
        g_delay_count--;
    }
    g_delays[g_delay_count++] = seconds;
    unlock();
}

uint32_t app_webrtc_test_reconnect_delays(uint32_t *out, uint32_t max)
{
    lock();
    uint32_t n = g_delay_count < max ? g_delay_count : max;
    if (n > 0) {
        memcpy(out, g_delays + (g_delay_count - n), n * sizeof(out[0]));
    }
    if (max == 0) {
        g_delay_count = 0; /* asking for none clears the history */
    }
    unlock();
    return n;
}

/* ---- helpers ------------------------------------------------------------------------------- */

/* Returns the context with a use counted, or NULL when it is not in one of the states
 * wanted (READY when ready_ok, RUNNING). */
static app_ctx_t *api_enter(bool ready_ok)
{
    lock();
    app_ctx_t *ctx = NULL;
    if (g_state == ST_RUNNING || (ready_ok && g_state == ST_READY)) {
        ctx = g_ctx;
        g_users++;
    }
    unlock();
    return ctx;
}

static void api_leave(void)
{
    lock();
    g_users--;
    unlock();
}

static void wait_until(bool (*cond)(void))
{
    for (;;) {
        lock();
        bool ok = cond();
        unlock();
        if (ok) {
            return;
        }
        ertc_sleep_ms(2);
    }
}

static bool no_users(void)
{
    return g_users == 0;
}

static bool run_done(void)
{
    return g_run_done;
}

static bool idle(void)
{
    return g_state == ST_IDLE;
}

static void ctx_free(app_ctx_t *ctx)
{
    if (ctx == NULL) {
        return;
    }
    app_sessions_destroy(ctx);
    app_outbox_clear(ctx);
    if (ctx->loop != NULL) {
        ertc_loop_destroy(ctx->loop);
    }
    if (ctx->user_ice != NULL) {
        explicit_bzero(ctx->user_ice, ctx->cfg.ice_server_count * sizeof(*ctx->user_ice));
        ertc_free(ctx->user_ice);
    }
    explicit_bzero(ctx->ice, sizeof(ctx->ice));
    ertc_free(ctx);
}

/* ---- teardown and start, on the loop -------------------------------------------------------- */

static void teardown(app_ctx_t *ctx)
{
    if (ctx->stopping) {
        return;
    }
    ctx->stopping = true;
    app_event(ctx, APP_WEBRTC_EVENT_DEINITIALIZING, 0, NULL, "app_webrtc is terminating");
    app_sessions_close_all(ctx);
    ertc_timer_stop(ctx->loop, &ctx->pending_timer);
    ertc_timer_stop(ctx->loop, &ctx->start_timer);
    app_ice_stop(ctx);
    app_signaling_stop(ctx);
    if (ctx->pc_client != NULL) {
        if (ctx->pc->free != NULL) {
            ctx->pc->free(ctx->pc_client);
        }
        ctx->pc_client = NULL;
    }
    ertc_loop_stop(ctx->loop);
}

void app_fail_run(app_ctx_t *ctx, WEBRTC_STATUS st)
{
    if (!ctx->stopping) {
        ctx->run_status = st;
        teardown(ctx);
    }
}

static void teardown_job(void *arg)
{
    teardown(arg);
}

static void start(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_ctx_t *ctx = arg;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (ctx->pc != NULL) {
        webrtc_peer_connection_config_t pcfg;
        app_config_pc(ctx, &pcfg);
        st = ctx->pc->init(&pcfg, &ctx->pc_client);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ctx->pc_client = NULL;
            ERTC_LOGE(APP_TAG, "app_webrtc_run: the peer connection's init failed: %s",
                      webrtc_status_name(st));
            app_event(ctx, APP_WEBRTC_EVENT_ERROR, st, NULL, "peer connection init failed: %s",
                      webrtc_status_name(st));
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS && ctx->pc_client != NULL) {
        if (ctx->pc->register_event_handler != NULL) {
            ctx->pc->register_event_handler(ctx->pc_client, app_events_from_pc);
        }
        if ((ctx->early_on_open || ctx->early_on_message) &&
            ctx->pc->set_data_channel_callbacks != NULL) {
            ctx->pc->set_data_channel_callbacks(ctx->pc_client, ctx->early_on_open,
                                                ctx->early_on_message, ctx->early_dc_custom);
        }
        if (ctx->bridge) {
            st = app_bridge_attach(ctx);
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        app_ice_start(ctx);
        st = app_signaling_start(ctx);
        if (st != WEBRTC_STATUS_SUCCESS) {
            app_event(ctx, APP_WEBRTC_EVENT_ERROR, st, NULL, "signaling start failed: %s",
                      webrtc_status_name(st));
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ctx->run_status = st;
        teardown(ctx);
    }
}

/* ---- life cycle ------------------------------------------------------------------------------ */

WEBRTC_STATUS app_webrtc_init(app_webrtc_config_t *config)
{
    lock();
    if (g_state != ST_IDLE) {
        unlock();
        ERTC_LOGE(APP_TAG, "app_webrtc_init: already initialised (call app_webrtc_terminate)");
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    g_state = ST_INIT;
    bool have_msg_cb = g_msg_cb != NULL;
    unlock();

    WEBRTC_STATUS st = app_config_check(config, have_msg_cb);
    app_ctx_t *ctx = NULL;
    if (st == WEBRTC_STATUS_SUCCESS) {
        if (config->logLevel != 0) {
            ertc_log_set_level((int)config->logLevel);
        }
        ctx = ertc_calloc(1, sizeof(*ctx));
        st = ctx ? app_config_copy(ctx, config) : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_loop_create(&ctx->loop, 0);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_timer_init(&ctx->start_timer, start, ctx);
        app_outbox_init(ctx);
        st = app_sessions_create(ctx);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* The backend checks its own configuration here, so a bad URL or room fails init. */
        st = app_signaling_init(ctx);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ctx_free(ctx);
        lock();
        g_state = ST_IDLE;
        unlock();
        return st;
    }
    lock();
    g_ctx = ctx;
    g_state = ST_READY;
    unlock();
    ERTC_LOGI(APP_TAG, "initialised: role %s, %s, at most %u sessions",
              ctx->cfg.role_type == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER ? "master" : "viewer",
              ctx->bridge ? "signaling only" : "media", ctx->max_sessions);
    app_event(ctx, APP_WEBRTC_EVENT_INITIALIZED, 0, NULL, "WebRTC application initialized");
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_run(void)
{
    lock();
    if (g_state != ST_READY) {
        unlock();
        ERTC_LOGE(APP_TAG, "app_webrtc_run: %s",
                  g_state == ST_IDLE ? "call app_webrtc_init first" : "already running");
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    g_state = ST_RUNNING;
    g_run_done = false;
    app_ctx_t *ctx = g_ctx;
    unlock();

    ertc_timer_start(ctx->loop, &ctx->start_timer, 0, 0); /* the loop has not run yet */
    WEBRTC_STATUS st = ertc_loop_run(ctx->loop);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(APP_TAG, "app_webrtc_run: the event loop failed: %s", webrtc_status_name(st));
        /* One more iteration runs the teardown as a loop job (members on the loop). */
        if (ertc_loop_post(ctx->loop, teardown_job, ctx) != WEBRTC_STATUS_SUCCESS) {
            teardown(ctx);
        }
        ertc_loop_run_once(ctx->loop, 0);
    }
    /* Signaling jobs posted before the backend was freed still hold copies: run them out. */
    while (atomic_load(&ctx->inflight) > 0) {
        ertc_loop_run_once(ctx->loop, 10);
    }
    WEBRTC_STATUS result = st != WEBRTC_STATUS_SUCCESS ? st : ctx->run_status;

    lock();
    g_run_done = true;
    bool terminating = g_state == ST_STOPPING;
    if (!terminating) {
        g_state = ST_STOPPING; /* the start failed: run frees, terminate has nothing to do */
    }
    unlock();
    if (!terminating) {
        wait_until(no_users);
        ctx_free(ctx);
        lock();
        g_ctx = NULL;
        g_state = ST_IDLE;
        unlock();
    }
    return result;
}

WEBRTC_STATUS app_webrtc_terminate(void)
{
    lock();
    app_state_t state = g_state;
    app_ctx_t *ctx = g_ctx;
    if (state == ST_IDLE || state == ST_INIT) {
        unlock();
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (state == ST_STOPPING) {
        unlock();
        wait_until(idle);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (state == ST_RUNNING && ertc_loop_in_loop_thread(ctx->loop)) {
        unlock();
        ERTC_LOGE(APP_TAG, "app_webrtc_terminate: not from the event callback (it would wait "
                           "for itself); call it from another thread");
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    g_state = ST_STOPPING;
    g_users++;
    unlock();

    if (state == ST_READY) {
        /* run never started: nothing runs on the loop, so tear down here. */
        app_event(ctx, APP_WEBRTC_EVENT_DEINITIALIZING, 0, NULL, "app_webrtc is terminating");
        app_signaling_stop(ctx);
    } else {
        ertc_loop_call_sync(ctx->loop, teardown_job, ctx); /* CLOSED if it stopped already */
        wait_until(run_done);
    }
    lock();
    g_users--;
    unlock();
    wait_until(no_users);
    ctx_free(ctx);
    lock();
    g_ctx = NULL;
    g_state = ST_IDLE;
    unlock();
    ERTC_LOGI(APP_TAG, "terminated");
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- settings: after init, before run -------------------------------------------------------- */

static app_ctx_t *settings_enter(const char *what)
{
    lock();
    if (g_state != ST_READY) {
        app_state_t s = g_state;
        unlock();
        ERTC_LOGW(APP_TAG, "%s: %s", what,
                  s == ST_IDLE ? "call app_webrtc_init first"
                               : "takes effect only between app_webrtc_init and app_webrtc_run");
        return NULL;
    }
    return g_ctx; /* the lock stays held: leave with unlock() */
}

WEBRTC_STATUS app_webrtc_set_role(webrtc_signaling_channel_role_type_t role)
{
    if (role != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER &&
        role != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    app_ctx_t *ctx = settings_enter("app_webrtc_set_role");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ctx->cfg.role_type = role;
    unlock();
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_set_ice_config(bool trickle_ice, bool use_turn)
{
    app_ctx_t *ctx = settings_enter("app_webrtc_set_ice_config");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (!use_turn && ctx->cfg.relay_only) {
        st = WEBRTC_STATUS_INVALID_ARG; /* relay_only needs TURN */
    } else {
        ctx->cfg.trickleIce = trickle_ice;
        ctx->cfg.useTurn = use_turn;
    }
    unlock();
    return st;
}

WEBRTC_STATUS app_webrtc_set_log_level(uint32_t level)
{
    if (level < ERTC_LOG_VERBOSE || level > ERTC_LOG_SILENT) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_log_set_level((int)level);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_set_codecs(app_webrtc_rtc_codec_t audio_codec,
                                    app_webrtc_rtc_codec_t video_codec)
{
    if ((audio_codec != APP_WEBRTC_CODEC_OPUS && audio_codec != APP_WEBRTC_CODEC_MULAW &&
         audio_codec != APP_WEBRTC_CODEC_ALAW) ||
        (video_codec != APP_WEBRTC_CODEC_H264 && video_codec != APP_WEBRTC_CODEC_H265 &&
         video_codec != APP_WEBRTC_CODEC_VP8)) {
        ERTC_LOGE(APP_TAG, "app_webrtc_set_codecs: audio must be OPUS, MULAW or ALAW and video "
                           "H264, H265 or VP8");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    app_ctx_t *ctx = settings_enter("app_webrtc_set_codecs");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ctx->cfg.audioCodec = audio_codec;
    ctx->cfg.videoCodec = video_codec;
    unlock();
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_set_media_type(app_webrtc_streaming_media_t media_type)
{
    if (media_type != APP_WEBRTC_MEDIA_VIDEO && media_type != APP_WEBRTC_MEDIA_AUDIO &&
        media_type != APP_WEBRTC_MEDIA_AUDIO_VIDEO) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    app_ctx_t *ctx = settings_enter("app_webrtc_set_media_type");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ctx->cfg.mediaType = media_type;
    unlock();
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_enable_media_reception(bool enable)
{
    app_ctx_t *ctx = settings_enter("app_webrtc_enable_media_reception");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ctx->cfg.receive_media = enable;
    unlock();
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_set_signaling_only_mode(bool enable)
{
    app_ctx_t *ctx = settings_enter("app_webrtc_set_signaling_only_mode");
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    bool bridge_only = ctx->pc != NULL && ctx->pc->create_session == NULL;
    if (enable && (ctx->pc == NULL || ctx->pc->send_message == NULL) && g_msg_cb == NULL) {
        ERTC_LOGE(APP_TAG, "app_webrtc_set_signaling_only_mode: needs a bridge peer connection "
                           "or app_webrtc_register_msg_callback()");
        st = WEBRTC_STATUS_INVALID_ARG;
    } else if (!enable && (bridge_only || ctx->pc == NULL)) {
        ERTC_LOGE(APP_TAG, "app_webrtc_set_signaling_only_mode: the peer connection has no "
                           "sessions (bridge only)");
        st = WEBRTC_STATUS_INVALID_ARG;
    } else {
        ctx->bridge = enable;
        ctx->cfg.signaling_only = enable;
    }
    unlock();
    return st;
}

/* ---- calls that run on the loop ---------------------------------------------------------------
 */

typedef struct {
    app_ctx_t *ctx;
    const char *peer;
    WEBRTC_STATUS st;
    void *p1, *p2, *p3;
    int index;
    bool flag;
    uint32_t len;
    const uint8_t *data;
    uint64_t custom;
    app_webrtc_rtc_on_open_t on_open;
    app_webrtc_rtc_on_message_t on_message;
    app_webrtc_metrics_provider_t provider;
} call_t;

/* Runs fn on the loop with a counted use of the context; INVALID_OPERATION when not running. */
static WEBRTC_STATUS on_loop(call_t *c, ertc_post_fn fn)
{
    c->ctx = api_enter(false);
    if (c->ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    c->st = WEBRTC_STATUS_INVALID_OPERATION;
    WEBRTC_STATUS st = ertc_loop_call_sync(c->ctx->loop, fn, c);
    api_leave();
    return st == WEBRTC_STATUS_SUCCESS ? c->st : WEBRTC_STATUS_INVALID_OPERATION;
}

static void do_offer(void *arg)
{
    call_t *c = arg;
    c->st = c->ctx->stopping ? WEBRTC_STATUS_INVALID_OPERATION : app_offer_to(c->ctx, c->peer);
}

int app_webrtc_trigger_offer(char *peerId)
{
    if (peerId == NULL) {
        return (int)WEBRTC_STATUS_NULL_ARG;
    }
    if (strlen(peerId) > APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN) {
        return (int)WEBRTC_STATUS_INVALID_ARG;
    }
    call_t c = {.peer = peerId[0] ? peerId : "default"};
    return (int)on_loop(&c, do_offer);
}

static void do_get_ice(void *arg)
{
    call_t *c = arg;
    app_ctx_t *ctx = c->ctx;
    uint32_t *count = c->p1;
    *count = 0;
    if (ctx->sig_client == NULL) {
        return;
    }
    c->st = WEBRTC_STATUS_SUCCESS;
    if (ctx->sig->get_ice_servers == NULL) {
        return;
    }
    app_webrtc_ice_server_t got[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t n = 0;
    memset(got, 0, sizeof(got));
    c->st = ctx->sig->get_ice_servers(ctx->sig_client, &n, got);
    if (c->st == WEBRTC_STATUS_SUCCESS) {
        n = n < APP_WEBRTC_MAX_ICE_SERVERS_COUNT ? n : APP_WEBRTC_MAX_ICE_SERVERS_COUNT;
        memcpy(c->p2, got, n * sizeof(got[0]));
        *count = n;
    }
    explicit_bzero(got, sizeof(got));
}

WEBRTC_STATUS app_webrtc_get_ice_servers(uint32_t *pCount, void *pIceServers)
{
    if (pCount == NULL || pIceServers == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *pCount = 0;
    call_t c = {.p1 = pCount, .p2 = pIceServers};
    return on_loop(&c, do_get_ice);
}

static void do_get_by_idx(void *arg)
{
    call_t *c = arg;
    app_ctx_t *ctx = c->ctx;
    if (ctx->sig_client == NULL || ctx->sig->get_ice_server_by_idx == NULL) {
        return;
    }
    c->st =
        ctx->sig->get_ice_server_by_idx(ctx->sig_client, c->index, c->flag, c->p1, c->p2, c->p3);
}

WEBRTC_STATUS app_webrtc_get_server_by_idx(int index, bool useTurn, uint8_t **data, int *len,
                                           bool *have_more)
{
    if (data == NULL || len == NULL || have_more == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    call_t c = {.index = index, .flag = useTurn, .p1 = data, .p2 = len, .p3 = have_more};
    return on_loop(&c, do_get_by_idx);
}

static void do_refresh_needed(void *arg)
{
    call_t *c = arg;
    app_ctx_t *ctx = c->ctx;
    bool *needed = c->p1;
    if (ctx->sig_client != NULL && ctx->sig->is_ice_refresh_needed != NULL) {
        c->st = ctx->sig->is_ice_refresh_needed(ctx->sig_client, needed);
    }
}

WEBRTC_STATUS app_webrtc_is_ice_refresh_needed(bool *refreshNeeded)
{
    if (refreshNeeded == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    call_t c = {.p1 = refreshNeeded};
    WEBRTC_STATUS st = on_loop(&c, do_refresh_needed);
    if (st != WEBRTC_STATUS_SUCCESS) {
        *refreshNeeded = true; /* as the ESP port: unknown means "refresh" */
    }
    return st;
}

static void do_refresh(void *arg)
{
    call_t *c = arg;
    if (c->ctx->sig_client != NULL && !c->ctx->stopping) {
        app_ice_check_refresh(c->ctx, "the application asked", true);
        c->st = WEBRTC_STATUS_SUCCESS;
    }
}

WEBRTC_STATUS app_webrtc_refresh_ice_configuration(void)
{
    call_t c = {0};
    return on_loop(&c, do_refresh);
}

static void do_update_ice(void *arg)
{
    call_t *c = arg;
    if (!c->ctx->stopping) {
        app_ice_start(c->ctx);
        c->st = c->ctx->ice_count > 0 ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_INVALID_OPERATION;
    }
}

WEBRTC_STATUS app_webrtc_update_ice_servers(void)
{
    call_t c = {0};
    return on_loop(&c, do_update_ice);
}

static void do_dc_callbacks(void *arg)
{
    call_t *c = arg;
    app_ctx_t *ctx = c->ctx;
    ctx->early_on_open = c->on_open;
    ctx->early_on_message = c->on_message;
    ctx->early_dc_custom = c->custom;
    c->st = WEBRTC_STATUS_SUCCESS;
    app_session_t *s = app_session_find(ctx, c->peer);
    if (s != NULL) {
        c->st =
            ctx->pc->set_data_channel_callbacks == NULL
                ? WEBRTC_STATUS_NOT_IMPLEMENTED
                : ctx->pc->set_data_channel_callbacks(s->handle, ctx->early_on_open,
                                                      ctx->early_on_message, ctx->early_dc_custom);
    }
}

WEBRTC_STATUS app_webrtc_set_data_channel_callbacks(const char *peer_id,
                                                    app_webrtc_rtc_on_open_t onOpen,
                                                    app_webrtc_rtc_on_message_t onMessage,
                                                    uint64_t custom_data)
{
    if (peer_id == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    lock();
    if (g_state == ST_READY) { /* kept for run, which gives them to the peer connection */
        g_ctx->early_on_open = onOpen;
        g_ctx->early_on_message = onMessage;
        g_ctx->early_dc_custom = custom_data;
        unlock();
        return WEBRTC_STATUS_SUCCESS;
    }
    unlock();
    call_t c = {.peer = peer_id, .on_open = onOpen, .on_message = onMessage, .custom = custom_data};
    return on_loop(&c, do_dc_callbacks);
}

static void do_dc_send(void *arg)
{
    call_t *c = arg;
    app_ctx_t *ctx = c->ctx;
    app_session_t *s = app_session_find(ctx, c->peer);
    if (s == NULL) {
        c->st = WEBRTC_STATUS_INVALID_ARG;
    } else if (ctx->pc->send_data_channel_message == NULL) {
        c->st = WEBRTC_STATUS_NOT_IMPLEMENTED;
    } else {
        c->st = ctx->pc->send_data_channel_message(s->handle, c->p1, c->flag, c->data, c->len);
    }
}

WEBRTC_STATUS app_webrtc_send_data_channel_message(const char *peer_id, void *pDataChannel,
                                                   bool isBinary, const uint8_t *pMessage,
                                                   uint32_t len)
{
    if (peer_id == NULL || pMessage == NULL || len == 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    call_t c = {
        .peer = peer_id, .p1 = pDataChannel, .flag = isBinary, .data = pMessage, .len = len};
    return on_loop(&c, do_dc_send);
}

void *app_webrtc_get_signaling_client(void)
{
    lock();
    void *client =
        g_ctx != NULL && (g_state == ST_READY || g_state == ST_RUNNING) ? g_ctx->sig_client : NULL;
    unlock();
    return client;
}

int app_webrtc_register_msg_callback(app_webrtc_send_msg_cb_t callback)
{
    lock();
    g_msg_cb = callback;
    unlock();
    return 0;
}

static void do_send_to_signaling(void *arg)
{
    call_t *c = arg;
    if (!c->ctx->stopping) {
        c->st = app_send_to_signaling(c->ctx, c->p1);
    }
}

int app_webrtc_send_msg_to_signaling(webrtc_message_t *msg)
{
    if (msg == NULL || (msg->payload == NULL && msg->payload_len != 0)) {
        return -1;
    }
    call_t c = {.p1 = msg};
    return on_loop(&c, do_send_to_signaling) == WEBRTC_STATUS_SUCCESS ? 0 : -1;
}

static void do_metrics(void *arg)
{
    call_t *c = arg;
    app_session_t *s = app_session_find(c->ctx, c->peer);
    if (s == NULL) {
        c->st = WEBRTC_STATUS_NOT_FOUND;
        return;
    }
    app_metrics_snapshot(c->ctx, s, c->p1);
    c->st = WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_get_session_metrics(const char *peer_id, app_webrtc_session_metrics_t *out)
{
    if (peer_id == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    call_t c = {.peer = peer_id, .p1 = out};
    return on_loop(&c, do_metrics);
}

static void do_set_provider(void *arg)
{
    call_t *c = arg;
    c->ctx->metrics_provider = c->provider;
    c->st = WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_webrtc_set_metrics_provider(app_webrtc_metrics_provider_t provider)
{
    lock();
    if (g_state == ST_READY) {
        g_ctx->metrics_provider = provider;
        unlock();
        return WEBRTC_STATUS_SUCCESS;
    }
    unlock();
    call_t c = {.provider = provider};
    return on_loop(&c, do_set_provider);
}
