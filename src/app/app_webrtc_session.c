/*
 * app/app_webrtc_session — the session table and the router between signaling and the peer
 * connection.
 *
 * Sessions are keyed by the remote peer's id: an offer, an answer or a candidate goes to the
 * session of the peer that sent it, never to "the first session" (the ESP port's §3 item 13).
 * At most max_sessions run at once; a peer beyond that is refused with an event and a BYE.
 * Candidates that come before their session can take them (before the offer, or before the
 * answer to our offer) are held per peer, bounded, and dropped after APP_PENDING_EXPIRY_S.
 *
 * Closing is deferred: a peer connection may report FAILED from inside one of its own
 * members, so a session is only marked there and destroyed by the reaper on a later
 * iteration. Peer-connection callbacks carry the session's id, not its address, so a late
 * callback for a destroyed session finds nothing instead of freed memory.
 *
 * A session we offered waits answer_timeout_s for the answer; then it fails with TIMEOUT and
 * is closed, and in the VIEWER role a fresh offer goes to the same peer after 15, 30, then
 * every 60 s (a master that started later, or whose copy of our offer expired, is reached
 * in the end). An answer or an offer from the peer ends the retries. A session that got its
 * answer is left to the peer connection's own ICE and DTLS timeouts.
 *
 * In signaling-only mode (bridge) there are no sessions: inbound messages go to the peer
 * connection's bridge path (send_message with a NULL session), and what the bridge sends back
 * goes to signaling.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/alloc.h"
#include "util/log.h"

static WEBRTC_STATUS on_pc_message(uint64_t custom, esp_webrtc_signaling_message_t *msg);
static WEBRTC_STATUS on_pc_state(uint64_t custom, webrtc_peer_state_t state);

const uint32_t app_reoffer_delays_s[APP_REOFFER_DELAY_COUNT] = {15, 30, 60};

/* Table slots: twice the limit, so sessions waiting for the reaper never block a new one. */
static uint32_t table_size(const app_ctx_t *ctx)
{
    return ctx->max_sessions * 2;
}

static uint64_t now_ms(const app_ctx_t *ctx)
{
    return ertc_loop_now_us(ctx->loop) / 1000;
}

app_session_t *app_session_find(app_ctx_t *ctx, const char *peer_id)
{
    for (uint32_t i = 0; ctx->sessions && i < table_size(ctx); i++) {
        app_session_t *s = ctx->sessions[i];
        if (s != NULL && !s->closing && strcmp(s->peer_id, peer_id) == 0) {
            return s;
        }
    }
    return NULL;
}

app_session_t *app_session_find_any(app_ctx_t *ctx, const char *peer_id)
{
    app_session_t *s = app_session_find(ctx, peer_id);
    for (uint32_t i = 0; s == NULL && ctx->sessions && i < table_size(ctx); i++) {
        app_session_t *c = ctx->sessions[i];
        if (c != NULL && strcmp(c->peer_id, peer_id) == 0) {
            s = c; /* closing */
        }
    }
    return s;
}

static app_session_t *session_by_id(app_ctx_t *ctx, uint64_t id)
{
    for (uint32_t i = 0; ctx->sessions && i < table_size(ctx); i++) {
        if (ctx->sessions[i] != NULL && ctx->sessions[i]->id == id) {
            return ctx->sessions[i];
        }
    }
    return NULL;
}

uint32_t app_session_count(const app_ctx_t *ctx)
{
    uint32_t n = 0;
    for (uint32_t i = 0; ctx->sessions && i < table_size(ctx); i++) {
        n += ctx->sessions[i] != NULL && !ctx->sessions[i]->closing;
    }
    return n;
}

/* ---- held candidates --------------------------------------------------------------------- */

static app_pending_t *pending_find(app_ctx_t *ctx, const char *peer_id)
{
    for (size_t i = 0; i < APP_PENDING_MAX_PEERS; i++) {
        if (ctx->pending[i].peer_id[0] != '\0' && strcmp(ctx->pending[i].peer_id, peer_id) == 0) {
            return &ctx->pending[i];
        }
    }
    return NULL;
}

static void pending_clear(app_pending_t *p)
{
    while (p->head != NULL) {
        app_held_t *h = p->head;
        p->head = h->next;
        ertc_free(h->payload);
        ertc_free(h);
    }
    memset(p, 0, sizeof(*p));
}

static void pending_drop(app_ctx_t *ctx, const char *peer_id)
{
    app_pending_t *p = pending_find(ctx, peer_id);
    if (p != NULL) {
        ERTC_LOGD(APP_TAG, "peer %s: %u held candidates dropped", peer_id, p->count);
        pending_clear(p);
    }
}

static void pending_expire(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    app_ctx_t *ctx = arg;
    uint64_t limit = (uint64_t)APP_PENDING_EXPIRY_S * app_ms_per_s();
    bool any = false;
    for (size_t i = 0; i < APP_PENDING_MAX_PEERS; i++) {
        app_pending_t *p = &ctx->pending[i];
        if (p->peer_id[0] == '\0') {
            continue;
        }
        if (now_ms(ctx) - p->since_ms >= limit) {
            ERTC_LOGW(APP_TAG, "peer %s: %u candidates held %u s without an offer: dropped",
                      p->peer_id, p->count, APP_PENDING_EXPIRY_S);
            pending_clear(p);
        } else {
            any = true;
        }
    }
    if (!any) {
        ertc_timer_stop(loop, t);
    }
}

static void pending_hold(app_ctx_t *ctx, const esp_webrtc_signaling_message_t *msg)
{
    if (msg->payload_len > APP_PENDING_MAX_PAYLOAD) {
        ERTC_LOGW(APP_TAG, "peer %s: a %u-byte candidate is too large to hold: dropped",
                  msg->peer_client_id, msg->payload_len);
        return;
    }
    app_pending_t *p = pending_find(ctx, msg->peer_client_id);
    if (p == NULL) {
        for (size_t i = 0; i < APP_PENDING_MAX_PEERS && p == NULL; i++) {
            if (ctx->pending[i].peer_id[0] == '\0') {
                p = &ctx->pending[i];
            }
        }
        if (p == NULL) {
            ERTC_LOGW(APP_TAG, "peer %s: candidates held for %u peers already: dropped",
                      msg->peer_client_id, APP_PENDING_MAX_PEERS);
            return;
        }
        snprintf(p->peer_id, sizeof(p->peer_id), "%s", msg->peer_client_id);
        p->since_ms = now_ms(ctx);
        if (!ertc_timer_active(&ctx->pending_timer)) {
            ertc_timer_start(ctx->loop, &ctx->pending_timer, app_ms_per_s(), app_ms_per_s());
        }
    }
    if (p->count >= APP_PENDING_MAX_PER_PEER) {
        ERTC_LOGW(APP_TAG, "peer %s: %u candidates held already: dropped", p->peer_id, p->count);
        return;
    }
    app_held_t *h = ertc_calloc(1, sizeof(*h));
    if (h == NULL ||
        (h->payload = ertc_strndup(msg->payload ? msg->payload : "", msg->payload_len)) == NULL) {
        ertc_free(h);
        ERTC_LOGW(APP_TAG, "peer %s: out of memory holding a candidate", p->peer_id);
        return;
    }
    h->payload_len = msg->payload_len;
    snprintf(h->correlation_id, sizeof(h->correlation_id), "%s", msg->correlation_id);
    if (p->tail != NULL) {
        p->tail->next = h;
    } else {
        p->head = h;
    }
    p->tail = h;
    p->count++;
}

/* Gives the session the candidates held for its peer, in the order they came. */
static void pending_flush(app_ctx_t *ctx, app_session_t *s)
{
    app_pending_t *p = pending_find(ctx, s->peer_id);
    if (p == NULL) {
        return;
    }
    ERTC_LOGD(APP_TAG, "peer %s: delivering %u held candidates", s->peer_id, p->count);
    for (app_held_t *h = p->head; h != NULL && !s->closing; h = h->next) {
        esp_webrtc_signaling_message_t m;
        memset(&m, 0, sizeof(m));
        m.message_type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
        snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", s->peer_id);
        snprintf(m.correlation_id, sizeof(m.correlation_id), "%s", h->correlation_id);
        m.payload = h->payload;
        m.payload_len = h->payload_len;
        app_metrics_on_event(s, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE); /* counted now */
        WEBRTC_STATUS st = ctx->pc->send_message(s->handle, &m);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG, "peer %s: a held candidate was refused: %s", s->peer_id,
                      webrtc_status_name(st));
        }
    }
    pending_clear(p);
}

/* ---- session life ------------------------------------------------------------------------- */

static void reap(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_ctx_t *ctx = arg;
    for (uint32_t i = 0; i < table_size(ctx); i++) {
        app_session_t *s = ctx->sessions[i];
        if (s == NULL || !s->closing) {
            continue;
        }
        /* Still in the table, and named in ctx->destroying, while it is destroyed: events the
         * implementation raises from inside destroy_session find it closing and are dropped as
         * duplicates, also when a new offer has replaced it under the same peer id. */
        if (s->handle != NULL && ctx->pc->destroy_session != NULL) {
            ctx->destroying = s;
            WEBRTC_STATUS st = ctx->pc->destroy_session(s->handle);
            ctx->destroying = NULL;
            if (st != WEBRTC_STATUS_SUCCESS) {
                ERTC_LOGW(APP_TAG, "peer %s: destroy_session: %s", s->peer_id,
                          webrtc_status_name(st));
            }
        }
        ctx->sessions[i] = NULL;
        ERTC_LOGI(APP_TAG, "peer %s: session closed (%u open)", s->peer_id, app_session_count(ctx));
        ertc_free(s);
    }
}

static bool session_has_media(const app_ctx_t *ctx)
{
    const app_webrtc_config_t *c = &ctx->cfg;
    return c->video_capture || c->audio_capture ||
           (c->receive_media && (c->video_player || c->audio_player));
}

static void session_close(app_ctx_t *ctx, app_session_t *s, const char *why)
{
    if (s->closing) {
        return;
    }
    if (s->once & (1u << APP_WEBRTC_EVENT_STREAMING_STARTED)) {
        app_session_event(ctx, s, APP_WEBRTC_EVENT_STREAMING_STOPPED, 0, "%s", why);
    }
    s->metrics.closed_us = ertc_time_wall_us();
    app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_DISCONNECTED, 0, "%s", why);
    s->closing = true;
    ertc_timer_stop(ctx->loop, &s->answer_timer);
    pending_drop(ctx, s->peer_id);
    ertc_timer_start(ctx->loop, &ctx->reap_timer, 0, 0);
}

static void session_fail(app_ctx_t *ctx, app_session_t *s, WEBRTC_STATUS st, const char *what)
{
    app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, st, "%s: %s", what,
                      webrtc_status_name(st));
    session_close(ctx, s, what);
}

/* ---- re-offers after an answer timeout ------------------------------------------------------ */

static app_reoffer_t *reoffer_find(app_ctx_t *ctx, const char *peer_id)
{
    for (size_t i = 0; i < APP_REOFFER_MAX_PEERS; i++) {
        if (ctx->reoffer[i].peer_id[0] != '\0' && strcmp(ctx->reoffer[i].peer_id, peer_id) == 0) {
            return &ctx->reoffer[i];
        }
    }
    return NULL;
}

/* The peer answered or offered itself: no more re-offers to it. */
static void reoffer_cancel(app_ctx_t *ctx, const char *peer_id)
{
    app_reoffer_t *r = reoffer_find(ctx, peer_id);
    if (r != NULL) {
        ertc_timer_stop(ctx->loop, &r->timer);
        r->peer_id[0] = '\0';
        r->attempts = 0;
    }
}

static void reoffer_fired(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_reoffer_t *r = arg;
    app_ctx_t *ctx = r->ctx;
    if (ctx->stopping) {
        return;
    }
    ERTC_LOGI(APP_TAG, "peer %s: offering again (attempt %u)", r->peer_id, r->attempts + 1);
    char peer[sizeof(r->peer_id)];
    snprintf(peer, sizeof(peer), "%s", r->peer_id);
    WEBRTC_STATUS st = app_offer_to(ctx, peer);
    if (st != WEBRTC_STATUS_SUCCESS) {
        /* No session (limit, create failed): no answer timer runs, so wait and try again. */
        uint32_t i =
            r->attempts < APP_REOFFER_DELAY_COUNT ? r->attempts : APP_REOFFER_DELAY_COUNT - 1;
        r->attempts++;
        ertc_timer_start(ctx->loop, &r->timer, app_reoffer_delays_s[i] * app_ms_per_s(), 0);
    }
}

/* Schedules the next offer to peer_id with the backoff of its timeouts in a row. */
static void reoffer_schedule(app_ctx_t *ctx, const char *peer_id)
{
    app_reoffer_t *r = reoffer_find(ctx, peer_id);
    for (size_t i = 0; r == NULL && i < APP_REOFFER_MAX_PEERS; i++) {
        if (ctx->reoffer[i].peer_id[0] == '\0') {
            r = &ctx->reoffer[i];
            r->ctx = ctx;
            r->attempts = 0;
            ertc_timer_init(&r->timer, reoffer_fired, r);
            snprintf(r->peer_id, sizeof(r->peer_id), "%s", peer_id);
        }
    }
    if (r == NULL) {
        ERTC_LOGW(APP_TAG, "peer %s: re-offers scheduled for %u peers already: not retried",
                  peer_id, APP_REOFFER_MAX_PEERS);
        return;
    }
    uint32_t i = r->attempts < APP_REOFFER_DELAY_COUNT ? r->attempts : APP_REOFFER_DELAY_COUNT - 1;
    r->attempts++;
    ERTC_LOGW(APP_TAG, "peer %s: offering again in %u s (no answer %u times in a row)", peer_id,
              app_reoffer_delays_s[i], r->attempts);
    ertc_timer_start(ctx->loop, &r->timer, app_reoffer_delays_s[i] * app_ms_per_s(), 0);
}

static void answer_timed_out(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_session_t *s = arg;
    app_ctx_t *ctx = s->ctx;
    if (s->closing || s->remote_set || ctx->stopping) {
        return;
    }
    char peer[sizeof(s->peer_id)];
    snprintf(peer, sizeof(peer), "%s", s->peer_id); /* s is freed by the reaper later */
    ERTC_LOGW(APP_TAG, "peer %s: no answer to our offer within %u s", peer, ctx->answer_timeout_s);
    app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, WEBRTC_STATUS_TIMEOUT,
                      "no answer to our offer within %u s", ctx->answer_timeout_s);
    session_close(ctx, s, "no answer to our offer");
    if (ctx->cfg.role_type == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER) {
        reoffer_schedule(ctx, peer);
    }
}

/* Refuses a peer beyond max_sessions: an event, its held candidates dropped, and a BYE
 * where the backend can carry one. */
static WEBRTC_STATUS refuse(app_ctx_t *ctx, const char *peer_id)
{
    pending_drop(ctx, peer_id);
    ERTC_LOGW(APP_TAG, "peer %s refused: %u sessions open (max_sessions %u)", peer_id,
              app_session_count(ctx), ctx->max_sessions);
    app_event(ctx, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, WEBRTC_STATUS_LIMIT_EXCEEDED, peer_id,
              "session limit %u reached: peer refused", ctx->max_sessions);
    esp_webrtc_signaling_message_t bye;
    memset(&bye, 0, sizeof(bye));
    bye.message_type = ESP_WEBRTC_MESSAGE_BYE;
    snprintf(bye.peer_client_id, sizeof(bye.peer_client_id), "%s", peer_id);
    bye.payload = (char *)"{\"type\":\"bye\"}";
    bye.payload_len = (uint32_t)strlen(bye.payload);
    if (ctx->sig_client != NULL && ctx->sig->send_message != NULL) {
        WEBRTC_STATUS st = ctx->sig->send_message(ctx->sig_client, &bye);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGD(APP_TAG, "peer %s: the backend took no BYE: %s", peer_id,
                      webrtc_status_name(st));
        }
    }
    return WEBRTC_STATUS_LIMIT_EXCEEDED;
}

static app_session_t *session_open(app_ctx_t *ctx, const char *peer_id, bool initiator,
                                   WEBRTC_STATUS *st_out)
{
    uint32_t slot = table_size(ctx);
    for (uint32_t i = 0; i < table_size(ctx) && slot == table_size(ctx); i++) {
        if (ctx->sessions[i] == NULL) {
            slot = i;
        }
    }
    app_session_t *s = slot < table_size(ctx) ? ertc_calloc(1, sizeof(*s)) : NULL;
    if (s == NULL) {
        *st_out =
            slot < table_size(ctx) ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY : WEBRTC_STATUS_LIMIT_EXCEEDED;
        app_event(ctx, APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED, *st_out, peer_id,
                  "no room for a session: %s", webrtc_status_name(*st_out));
        return NULL;
    }
    s->ctx = ctx;
    ertc_timer_init(&s->answer_timer, answer_timed_out, s);
    s->id = ++ctx->next_session_id;
    snprintf(s->peer_id, sizeof(s->peer_id), "%s", peer_id);
    s->initiator = initiator;
    snprintf(s->metrics.peer_id, sizeof(s->metrics.peer_id), "%s", peer_id);
    s->metrics.initiator = initiator;
    s->metrics.state = WEBRTC_PEER_STATE_NEW;
    s->metrics.created_us = ertc_time_wall_us();
    ctx->sessions[slot] = s;
    app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED, 0, "%s",
                      initiator ? "offering to the peer" : "offer from the peer");
    app_ice_check_refresh(ctx, "new session", false);

    WEBRTC_STATUS st =
        ctx->pc->create_session(ctx->pc_client, peer_id, initiator, NULL, &s->handle);
    if (st != WEBRTC_STATUS_SUCCESS) {
        s->handle = NULL;
        session_fail(ctx, s, st, "create_session failed");
        *st_out = st;
        return NULL;
    }
    if (ctx->early_on_open != NULL || ctx->early_on_message != NULL) {
        if (ctx->pc->set_data_channel_callbacks != NULL) {
            ctx->pc->set_data_channel_callbacks(s->handle, ctx->early_on_open,
                                                ctx->early_on_message, ctx->early_dc_custom);
        }
    }
    st = ctx->pc->set_callbacks(s->handle, s->id, on_pc_message, on_pc_state);
    if (st != WEBRTC_STATUS_SUCCESS) {
        session_fail(ctx, s, st, "set_callbacks failed");
        *st_out = st;
        return NULL;
    }
    ERTC_LOGI(APP_TAG, "peer %s: session opened as %s (%u open)", peer_id,
              initiator ? "offerer" : "answerer", app_session_count(ctx));
    *st_out = WEBRTC_STATUS_SUCCESS;
    return s;
}

WEBRTC_STATUS app_sessions_create(app_ctx_t *ctx)
{
    ctx->sessions = ertc_calloc(table_size(ctx), sizeof(app_session_t *));
    if (ctx->sessions == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    ertc_timer_init(&ctx->reap_timer, reap, ctx);
    ertc_timer_init(&ctx->pending_timer, pending_expire, ctx);
    return WEBRTC_STATUS_SUCCESS;
}

void app_sessions_close_all(app_ctx_t *ctx)
{
    for (uint32_t i = 0; ctx->sessions && i < table_size(ctx); i++) {
        if (ctx->sessions[i] != NULL) {
            session_close(ctx, ctx->sessions[i], "app_webrtc is terminating");
        }
    }
    if (ctx->sessions != NULL) {
        reap(ctx->loop, &ctx->reap_timer, ctx);
    }
    ertc_timer_stop(ctx->loop, &ctx->reap_timer);
    for (size_t i = 0; i < APP_REOFFER_MAX_PEERS; i++) {
        if (ctx->reoffer[i].peer_id[0] != '\0') {
            reoffer_cancel(ctx, ctx->reoffer[i].peer_id);
        }
    }
}

void app_sessions_destroy(app_ctx_t *ctx)
{
    for (size_t i = 0; i < APP_PENDING_MAX_PEERS; i++) {
        pending_clear(&ctx->pending[i]);
    }
    if (ctx->sessions != NULL) {
        for (uint32_t i = 0; i < table_size(ctx); i++) {
            ertc_free(ctx->sessions[i]); /* only left when the loop never ran */
        }
    }
    ertc_free(ctx->sessions);
    ctx->sessions = NULL;
}

/* ---- peer connection → signaling ---------------------------------------------------------- */

/* An ICE_CANDIDATE with no candidate text is the end of candidates. */
static bool is_end_of_candidates(const esp_webrtc_signaling_message_t *m)
{
    if (m->payload == NULL || m->payload_len == 0) {
        return true;
    }
    char buf[64];
    size_t n = m->payload_len < sizeof(buf) - 1 ? m->payload_len : sizeof(buf) - 1;
    memcpy(buf, m->payload, n);
    buf[n] = '\0';
    return strstr(buf, "\"candidate\":\"\"") != NULL;
}

static WEBRTC_STATUS on_pc_message(uint64_t custom, esp_webrtc_signaling_message_t *msg)
{
    app_ctx_t *ctx = app_current();
    if (ctx == NULL || msg == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    app_session_t *s = custom != 0 ? session_by_id(ctx, custom) : NULL;
    if (custom != 0 && (s == NULL || s->closing)) {
        return WEBRTC_STATUS_INVALID_OPERATION; /* a late message of a closed session */
    }
    esp_webrtc_signaling_message_t m = *msg; /* the payload stays borrowed */
    if (m.peer_client_id[0] == '\0' && s != NULL) {
        snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", s->peer_id);
    }
    app_webrtc_event_t ev;
    switch (m.message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER: ev = APP_WEBRTC_EVENT_SENT_OFFER; break;
    case ESP_WEBRTC_MESSAGE_ANSWER: ev = APP_WEBRTC_EVENT_SENT_ANSWER; break;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE:
        if (is_end_of_candidates(&m)) {
            if (s != NULL) {
                app_session_event(ctx, s, APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE, 0,
                                  "all local candidates sent");
            } else {
                app_event(ctx, APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE, 0, m.peer_client_id,
                          "all local candidates sent");
            }
            return WEBRTC_STATUS_SUCCESS; /* signaling carries no end-of-candidates */
        }
        ev = APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE;
        break;
    default: ev = APP_WEBRTC_EVENT_ERROR; break; /* custom types pass unannounced */
    }
    WEBRTC_STATUS st = app_send_to_signaling(ctx, &m);
    if (st != WEBRTC_STATUS_SUCCESS) {
        app_event(ctx, APP_WEBRTC_EVENT_ERROR, st, m.peer_client_id, "sending %s failed: %s",
                  app_webrtc_message_type_name(m.message_type), webrtc_status_name(st));
        return st;
    }
    if (ev == APP_WEBRTC_EVENT_ERROR) {
        return st;
    }
    if (s != NULL) {
        app_session_event(ctx, s, ev, 0, "%s sent", app_webrtc_message_type_name(m.message_type));
    } else {
        app_event(ctx, ev, 0, m.peer_client_id, "%s sent (bridge)",
                  app_webrtc_message_type_name(m.message_type));
    }
    return st;
}

static WEBRTC_STATUS on_pc_state(uint64_t custom, webrtc_peer_state_t state)
{
    app_ctx_t *ctx = app_current();
    if (ctx == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    app_session_t *s = custom != 0 ? session_by_id(ctx, custom) : NULL;
    if (s == NULL || s->closing) {
        ERTC_LOGD(APP_TAG, "peer state %s for no open session", app_webrtc_peer_state_name(state));
        return WEBRTC_STATUS_SUCCESS;
    }
    ERTC_LOGD(APP_TAG, "peer %s: state %s", s->peer_id, app_webrtc_peer_state_name(state));
    switch (state) {
    case WEBRTC_PEER_STATE_CONNECTING:
        app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_CONNECTING, 0, "connecting");
        break;
    case WEBRTC_PEER_STATE_CONNECTED:
        app_session_event(ctx, s, APP_WEBRTC_EVENT_PEER_CONNECTED, 0, "connected");
        if (session_has_media(ctx) && !ctx->bridge) {
            app_session_event(ctx, s, APP_WEBRTC_EVENT_STREAMING_STARTED, 0, "media started");
        }
        break;
    case WEBRTC_PEER_STATE_DISCONNECTED: session_close(ctx, s, "peer disconnected"); break;
    case WEBRTC_PEER_STATE_FAILED:
        session_fail(ctx, s, WEBRTC_STATUS_INTERNAL_ERROR, "peer connection failed");
        break;
    default: break; /* NEW, MEDIA_STARTING: the implementation starts media itself */
    }
    s->metrics.state = state;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_bridge_attach(app_ctx_t *ctx)
{
    if (ctx->pc == NULL || ctx->pc->set_callbacks == NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    return ctx->pc->set_callbacks(NULL, 0, on_pc_message, on_pc_state);
}

/* ---- signaling → peer connection ---------------------------------------------------------- */

static void handle_offer(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    const char *peer = msg->peer_client_id;
    app_session_t *s = app_session_find(ctx, peer);
    if (s != NULL) {
        /* A reloaded page or an ICE restart: the newer offer wins. */
        ERTC_LOGI(APP_TAG, "peer %s: a new offer replaces its session", peer);
        session_close(ctx, s, "replaced by a new offer from the peer");
    }
    reoffer_cancel(ctx, peer); /* the peer is there and offers itself */
    if (app_session_count(ctx) >= ctx->max_sessions) {
        refuse(ctx, peer);
        return;
    }
    WEBRTC_STATUS st;
    s = session_open(ctx, peer, false, &st);
    if (s == NULL || s->closing) {
        return;
    }
    app_session_event(ctx, s, APP_WEBRTC_EVENT_RECEIVED_OFFER, 0, "offer of %u bytes",
                      msg->payload_len);
    st = ctx->pc->send_message(s->handle, msg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        session_fail(ctx, s, st, "the offer was refused");
        return;
    }
    s->remote_set = true;
    pending_flush(ctx, s);
}

static void handle_answer(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    app_session_t *s = app_session_find(ctx, msg->peer_client_id);
    if (s == NULL || !s->initiator || s->remote_set) {
        ERTC_LOGW(APP_TAG, "peer %s: an answer %s: dropped", msg->peer_client_id,
                  s == NULL ? "with no session of ours" : "we did not ask for");
        return;
    }
    s->metrics.answer_received_us = ertc_time_wall_us();
    ertc_timer_stop(ctx->loop, &s->answer_timer);
    reoffer_cancel(ctx, s->peer_id);
    WEBRTC_STATUS st = ctx->pc->send_message(s->handle, msg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        session_fail(ctx, s, st, "the answer was refused");
        return;
    }
    s->remote_set = true;
    pending_flush(ctx, s);
}

static void handle_candidate(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    app_session_t *s = app_session_find(ctx, msg->peer_client_id);
    if (s == NULL || !s->remote_set) {
        pending_hold(ctx, msg);
        if (s != NULL) {
            app_session_event(ctx, s, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, 0,
                              "held until the answer");
        } else {
            app_event(ctx, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, 0, msg->peer_client_id,
                      "held until the offer");
        }
        return;
    }
    app_session_event(ctx, s, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, 0, "candidate");
    WEBRTC_STATUS st = ctx->pc->send_message(s->handle, msg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(APP_TAG, "peer %s: a candidate was refused: %s", s->peer_id,
                  webrtc_status_name(st));
    }
}

static void route_bridge(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    app_webrtc_send_msg_cb_t cb = app_msg_cb();
    if (cb != NULL) {
        cb(msg);
        return;
    }
    if (ctx->pc == NULL || ctx->pc->send_message == NULL) {
        ERTC_LOGW(APP_TAG, "signaling-only: no bridge for a %s: dropped",
                  app_webrtc_message_type_name(msg->message_type));
        return;
    }
    WEBRTC_STATUS st = ctx->pc->send_message(NULL, msg);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(APP_TAG, "bridge refused a %s for %s: %s",
                  app_webrtc_message_type_name(msg->message_type), msg->peer_client_id,
                  webrtc_status_name(st));
        return;
    }
    if (msg->message_type == ESP_WEBRTC_MESSAGE_OFFER) {
        app_event(ctx, APP_WEBRTC_EVENT_RECEIVED_OFFER, 0, msg->peer_client_id,
                  "offer passed to the bridge");
    } else if (msg->message_type == ESP_WEBRTC_MESSAGE_ICE_CANDIDATE) {
        app_event(ctx, APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE, 0, msg->peer_client_id,
                  "candidate passed to the bridge");
    }
}

void app_route_inbound(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    if (msg->peer_client_id[0] == '\0') {
        snprintf(msg->peer_client_id, sizeof(msg->peer_client_id), "default");
    }
    ERTC_LOGD(APP_TAG, "peer %s: %s received", msg->peer_client_id,
              app_webrtc_message_type_name(msg->message_type));
    if (ctx->bridge) {
        route_bridge(ctx, msg);
        return;
    }
    if (msg->message_type >= ESP_WEBRTC_MESSAGE_CUSTOM_BASE) {
        app_webrtc_send_msg_cb_t cb = app_msg_cb();
        if (cb != NULL) {
            cb(msg);
        } else {
            ERTC_LOGD(APP_TAG, "custom message %u: no callback registered",
                      (unsigned)msg->message_type);
        }
        return;
    }
    switch (msg->message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER: handle_offer(ctx, msg); break;
    case ESP_WEBRTC_MESSAGE_ANSWER: handle_answer(ctx, msg); break;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: handle_candidate(ctx, msg); break;
    case ESP_WEBRTC_MESSAGE_TRIGGER_OFFER: app_offer_to(ctx, msg->peer_client_id); break;
    case ESP_WEBRTC_MESSAGE_BYE: {
        app_session_t *s = app_session_find(ctx, msg->peer_client_id);
        pending_drop(ctx, msg->peer_client_id);
        if (s != NULL) {
            session_close(ctx, s, "the peer left");
        }
        break;
    }
    case ESP_WEBRTC_MESSAGE_GO_AWAY: app_signaling_reconnect_now(ctx, "the service asked"); break;
    case ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER:
        app_ice_check_refresh(ctx, "the service asked", true);
        break;
    default:
        ERTC_LOGD(APP_TAG, "a %s message is not for app_webrtc: ignored",
                  app_webrtc_message_type_name(msg->message_type));
        break;
    }
}

WEBRTC_STATUS app_offer_to(app_ctx_t *ctx, const char *peer_id)
{
    if (ctx->bridge) {
        esp_webrtc_signaling_message_t m;
        memset(&m, 0, sizeof(m));
        m.message_type = ESP_WEBRTC_MESSAGE_TRIGGER_OFFER;
        snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", peer_id);
        route_bridge(ctx, &m);
        return WEBRTC_STATUS_SUCCESS;
    }
    app_session_t *s = app_session_find(ctx, peer_id);
    if (s != NULL) {
        app_session_event(ctx, s, APP_WEBRTC_EVENT_SENT_OFFER, 0, "using the existing session");
        return WEBRTC_STATUS_SUCCESS;
    }
    if (app_session_count(ctx) >= ctx->max_sessions) {
        return refuse(ctx, peer_id);
    }
    WEBRTC_STATUS st;
    s = session_open(ctx, peer_id, true, &st);
    if (s == NULL || s->closing) {
        return s == NULL ? st : WEBRTC_STATUS_INTERNAL_ERROR;
    }
    if (ctx->pc->trigger_offer != NULL) {
        st = ctx->pc->trigger_offer(s->handle);
        if (st != WEBRTC_STATUS_SUCCESS) {
            session_fail(ctx, s, st, "trigger_offer failed");
            return st;
        }
    }
    if (!s->closing && !s->remote_set) {
        ertc_timer_start(ctx->loop, &s->answer_timer, ctx->answer_timeout_s * app_ms_per_s(), 0);
    }
    return st;
}
