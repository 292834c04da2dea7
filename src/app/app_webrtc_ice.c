/*
 * app/app_webrtc_ice — the ICE servers every session gets, following the seed's flow.
 *
 * At start app_webrtc reads the backend's list (get_ice_servers) and gives the peer
 * connection what is known at once, STUN usually, so gathering never waits for TURN. When
 * the backend announces new servers (set_ice_update_callback: TURN credentials fetched or
 * refreshed) the list is read again and pushed; the peer connection hands new TURN servers to
 * live sessions. The application's own servers (cfg.ice_servers) come first. The seed's
 * public default STUN server is used only when nobody configures any server and
 * use_default_stun is true. TURN entries are left out when useTurn is false.
 *
 * Refresh: before each new session (and when the service asks) is_ice_refresh_needed is
 * checked on the loop (the interface says it never blocks); refresh_ice_configuration runs on
 * the seed's work queue, because the ESP port's backends refresh synchronously (a KVS API
 * call). A ticket shared with the job lets teardown cancel a queued refresh or wait for a
 * running one before the backend is freed.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "esp_work_queue.h"
#include "util/alloc.h"
#include "util/log.h"

enum { TICKET_QUEUED, TICKET_RUNNING, TICKET_DONE, TICKET_CANCELLED };

struct app_refresh_ticket {
    ertc_mutex_t *lock;
    ertc_cond_t *cond;
    int state;
    int refs; /* the context's and the job's */
    webrtc_signaling_client_if_t *sig;
    void *client;
};

static void ticket_release(app_refresh_ticket_t *t)
{
    ertc_mutex_lock(t->lock);
    bool last = --t->refs == 0;
    ertc_mutex_unlock(t->lock);
    if (last) {
        ertc_cond_destroy(t->cond);
        ertc_mutex_destroy(t->lock);
        ertc_free(t);
    }
}

/* On the work queue's thread. */
static void refresh_job(void *arg)
{
    app_refresh_ticket_t *t = arg;
    ertc_mutex_lock(t->lock);
    bool run = t->state == TICKET_QUEUED;
    if (run) {
        t->state = TICKET_RUNNING;
    }
    ertc_mutex_unlock(t->lock);
    if (run) {
        WEBRTC_STATUS st = t->sig->refresh_ice_configuration(t->client);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG, "ICE refresh: %s", webrtc_status_name(st));
        }
        ertc_mutex_lock(t->lock);
        t->state = TICKET_DONE;
        ertc_cond_broadcast(t->cond);
        ertc_mutex_unlock(t->lock);
    }
    ticket_release(t);
}

static bool ticket_busy(app_refresh_ticket_t *t)
{
    ertc_mutex_lock(t->lock);
    bool busy = t->state == TICKET_QUEUED || t->state == TICKET_RUNNING;
    ertc_mutex_unlock(t->lock);
    return busy;
}

void app_ice_check_refresh(app_ctx_t *ctx, const char *why, bool force)
{
    webrtc_signaling_client_if_t *sig = ctx->sig;
    if (ctx->sig_client == NULL || sig->refresh_ice_configuration == NULL) {
        return;
    }
    if (ctx->refresh != NULL) {
        if (ticket_busy(ctx->refresh)) {
            return; /* one refresh at a time */
        }
        ticket_release(ctx->refresh);
        ctx->refresh = NULL;
    }
    bool needed = force;
    if (!needed && sig->is_ice_refresh_needed != NULL &&
        sig->is_ice_refresh_needed(ctx->sig_client, &needed) != WEBRTC_STATUS_SUCCESS) {
        needed = true; /* as the ESP port: an error means "refresh" */
    }
    if (!needed) {
        return;
    }
    ERTC_LOGI(APP_TAG, "ICE servers: refreshing (%s)", why);
    app_refresh_ticket_t *t = ertc_calloc(1, sizeof(*t));
    if (t == NULL || ertc_mutex_create(&t->lock) != WEBRTC_STATUS_SUCCESS) {
        ertc_free(t);
        return;
    }
    if (ertc_cond_create(&t->cond) != WEBRTC_STATUS_SUCCESS) {
        ertc_mutex_destroy(t->lock);
        ertc_free(t);
        return;
    }
    t->state = TICKET_QUEUED;
    t->refs = 2;
    t->sig = sig;
    t->client = ctx->sig_client;
    ctx->refresh = t;
    if (esp_work_queue_add_task(refresh_job, t) != ESP_OK) {
        /* No work queue running (or it is full): refresh from here rather than never. */
        ERTC_LOGD(APP_TAG, "ICE refresh: the work queue refused the job; refreshing inline");
        refresh_job(t);
    }
}

void app_ice_stop(app_ctx_t *ctx)
{
    app_refresh_ticket_t *t = ctx->refresh;
    if (t == NULL) {
        return;
    }
    ertc_mutex_lock(t->lock);
    if (t->state == TICKET_QUEUED) {
        t->state = TICKET_CANCELLED; /* the job will only drop its reference */
    }
    while (t->state == TICKET_RUNNING) {
        ertc_cond_wait(t->cond, t->lock);
    }
    ertc_mutex_unlock(t->lock);
    ticket_release(t);
    ctx->refresh = NULL;
}

/* ---- the list ---------------------------------------------------------------------------- */

static bool is_turn(const app_webrtc_ice_server_t *s)
{
    return strncmp(s->urls, "turn:", 5) == 0 || strncmp(s->urls, "turns:", 6) == 0;
}

static void add_server(app_ctx_t *ctx, app_webrtc_ice_server_t *list, uint32_t *n,
                       const app_webrtc_ice_server_t *s)
{
    if (s->urls[0] == '\0' || memchr(s->urls, '\0', sizeof(s->urls)) == NULL) {
        return;
    }
    if (is_turn(s) && !ctx->cfg.useTurn) {
        return;
    }
    for (uint32_t i = 0; i < *n; i++) {
        if (strcmp(list[i].urls, s->urls) == 0) {
            return;
        }
    }
    if (*n >= APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
        ERTC_LOGD(APP_TAG, "ICE servers: %s left out (at most %u)", s->urls,
                  APP_WEBRTC_MAX_ICE_SERVERS_COUNT);
        return;
    }
    list[*n] = *s;
    /* a backend might not terminate the strings it fills */
    list[*n].username[sizeof(list[*n].username) - 1] = '\0';
    list[*n].credential[sizeof(list[*n].credential) - 1] = '\0';
    (*n)++;
}

static uint32_t build_list(app_ctx_t *ctx, app_webrtc_ice_server_t *list)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ctx->cfg.ice_server_count; i++) {
        add_server(ctx, list, &n, &ctx->user_ice[i]);
    }
    if (ctx->sig_client != NULL && ctx->sig->get_ice_servers != NULL) {
        app_webrtc_ice_server_t got[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
        uint32_t count = 0;
        memset(got, 0, sizeof(got));
        WEBRTC_STATUS st = ctx->sig->get_ice_servers(ctx->sig_client, &count, got);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG, "ICE servers: get_ice_servers: %s", webrtc_status_name(st));
            count = 0;
        }
        for (uint32_t i = 0; i < count && i < APP_WEBRTC_MAX_ICE_SERVERS_COUNT; i++) {
            add_server(ctx, list, &n, &got[i]);
        }
    }
    if (n == 0 && ctx->cfg.ice_server_count == 0 && ctx->cfg.use_default_stun &&
        !app_default_stun_forbidden()) {
        app_webrtc_ice_server_t def;
        memset(&def, 0, sizeof(def));
        snprintf(def.urls, sizeof(def.urls), "%s", APP_WEBRTC_DEFAULT_STUN_SERVER);
        add_server(ctx, list, &n, &def);
    }
    return n;
}

static void push(app_ctx_t *ctx, bool always)
{
    app_webrtc_ice_server_t list[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    memset(list, 0, sizeof(list));
    uint32_t n = build_list(ctx, list);
    if (!always && n == ctx->ice_count && memcmp(list, ctx->ice, sizeof(list)) == 0) {
        return;
    }
    memcpy(ctx->ice, list, sizeof(list));
    ctx->ice_count = n;
    uint32_t turn = 0;
    for (uint32_t i = 0; i < n; i++) {
        turn += is_turn(&list[i]);
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (ctx->pc_client != NULL && ctx->pc->set_ice_servers != NULL) {
        st = ctx->pc->set_ice_servers(ctx->pc_client, ctx->ice, n);
    }
    ERTC_LOGI(APP_TAG, "ICE servers: %u (%u TURN)%s", n, turn,
              st == WEBRTC_STATUS_SUCCESS ? "" : ", refused by the peer connection");
    app_event(ctx, APP_WEBRTC_EVENT_SIGNALING_GET_ICE, st, NULL, "%u ICE servers (%u TURN)", n,
              turn);
    explicit_bzero(list, sizeof(list)); /* credentials */
}

void app_ice_start(app_ctx_t *ctx)
{
    push(ctx, true);
}

void app_ice_update(app_ctx_t *ctx)
{
    push(ctx, false);
}
