/*
 * app/app_webrtc_events — events to the application's callback, and per-session metrics.
 *
 * There is one callback (app_webrtc_register_event_callback, any thread, also before init);
 * events are raised on the loop thread (INITIALIZED on app_webrtc_init's caller, before any
 * loop runs). Session events carry the session's metrics. Events about a session's life
 * (connecting, connected, disconnected, failed, streaming started/stopped, gathering complete)
 * are raised once per session whoever reports them first: app_webrtc from the peer state, or
 * the peer connection through register_event_handler; none follows the session's
 * PEER_DISCONNECTED (events of a closed session's peer connection are dropped, also those it
 * raises while being destroyed after a new offer replaced it under the same peer id). Signaling-message
 * events (offer, answer, candidates) are raised by app_webrtc, which sees every such message; the
 * same events from the peer connection are dropped so that none is counted twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/log.h"

/* The callback and its context, guarded by a spin lock: it changes rarely, and a lock that
 * needs no creation works before init and from any thread. */
static atomic_flag g_cb_lock = ATOMIC_FLAG_INIT;
static app_webrtc_event_callback_t g_cb;
static void *g_cb_ctx;

int32_t app_webrtc_register_event_callback(app_webrtc_event_callback_t callback, void *user_ctx)
{
    while (atomic_flag_test_and_set_explicit(&g_cb_lock, memory_order_acquire)) {
    }
    g_cb = callback;
    g_cb_ctx = user_ctx;
    atomic_flag_clear_explicit(&g_cb_lock, memory_order_release);
    return 0;
}

void app_events_emit_raw(app_webrtc_event_data_t *ev)
{
    while (atomic_flag_test_and_set_explicit(&g_cb_lock, memory_order_acquire)) {
    }
    app_webrtc_event_callback_t cb = g_cb;
    void *ctx = g_cb_ctx;
    atomic_flag_clear_explicit(&g_cb_lock, memory_order_release);
    ERTC_LOGD(APP_TAG, "event %s%s%s: %s", app_webrtc_event_name(ev->event_id),
              ev->peer_id[0] ? " peer " : "", ev->peer_id, ev->message);
    if (cb != NULL) {
        cb(ev, ctx);
    }
}

static void emit(app_webrtc_event_t id, uint32_t status, const char *peer_id,
                 const app_webrtc_session_metrics_t *metrics, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static void emit(app_webrtc_event_t id, uint32_t status, const char *peer_id,
                 const app_webrtc_session_metrics_t *metrics, const char *fmt, va_list ap)
{
    app_webrtc_event_data_t ev;
    memset(&ev, 0, sizeof(ev));
    ev.event_id = id;
    ev.status_code = status;
    snprintf(ev.peer_id, sizeof(ev.peer_id), "%s", peer_id ? peer_id : "");
    vsnprintf(ev.message, sizeof(ev.message), fmt, ap);
    ev.timestamp_us = ertc_time_wall_us();
    ev.metrics = metrics;
    app_events_emit_raw(&ev);
}

void app_event(app_ctx_t *ctx, app_webrtc_event_t id, uint32_t status, const char *peer_id,
               const char *fmt, ...)
{
    (void)ctx;
    va_list ap;
    va_start(ap, fmt);
    emit(id, status, peer_id, NULL, fmt, ap);
    va_end(ap);
}

/* Events that describe a session's life: at most once per session. */
static bool once_per_session(app_webrtc_event_t id)
{
    switch (id) {
    case APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED:
    case APP_WEBRTC_EVENT_PEER_CONNECTING:
    case APP_WEBRTC_EVENT_PEER_CONNECTED:
    case APP_WEBRTC_EVENT_PEER_DISCONNECTED:
    case APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED:
    case APP_WEBRTC_EVENT_STREAMING_STARTED:
    case APP_WEBRTC_EVENT_STREAMING_STOPPED:
    case APP_WEBRTC_EVENT_ICE_GATHERING_COMPLETE: return true;
    default: return false;
    }
}

void app_session_event(app_ctx_t *ctx, app_session_t *s, app_webrtc_event_t id, uint32_t status,
                       const char *fmt, ...)
{
    if (once_per_session(id)) {
        uint32_t bit = 1u << (unsigned)id;
        if (s->once & bit) {
            return;
        }
        s->once |= bit;
    }
    app_metrics_on_event(s, id);
    app_webrtc_session_metrics_t m;
    app_metrics_snapshot(ctx, s, &m);
    va_list ap;
    va_start(ap, fmt);
    emit(id, status, s->peer_id, &m, fmt, ap);
    va_end(ap);
}

static void stamp(uint64_t *field, uint64_t now)
{
    if (*field == 0) {
        *field = now;
    }
}

void app_metrics_on_event(app_session_t *s, app_webrtc_event_t id)
{
    app_webrtc_session_metrics_t *m = &s->metrics;
    uint64_t now = ertc_time_wall_us();
    switch (id) {
    case APP_WEBRTC_EVENT_RECEIVED_OFFER: stamp(&m->offer_received_us, now); break;
    case APP_WEBRTC_EVENT_SENT_OFFER: stamp(&m->offer_sent_us, now); break;
    case APP_WEBRTC_EVENT_SENT_ANSWER: stamp(&m->answer_sent_us, now); break;
    case APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE:
        stamp(&m->first_remote_candidate_us, now);
        m->remote_candidates++;
        break;
    case APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE:
        stamp(&m->first_local_candidate_us, now);
        m->local_candidates++;
        break;
    case APP_WEBRTC_EVENT_PEER_CONNECTING: m->state = WEBRTC_PEER_STATE_CONNECTING; break;
    case APP_WEBRTC_EVENT_PEER_CONNECTED:
        /* Without a provider, ICE is known to be up no later than the peer's CONNECTED. */
        stamp(&m->ice_connected_us, now);
        stamp(&m->dtls_connected_us, now);
        m->state = WEBRTC_PEER_STATE_CONNECTED;
        break;
    case APP_WEBRTC_EVENT_STREAMING_STARTED: stamp(&m->streaming_started_us, now); break;
    case APP_WEBRTC_EVENT_PEER_DISCONNECTED: m->state = WEBRTC_PEER_STATE_DISCONNECTED; break;
    case APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED: m->state = WEBRTC_PEER_STATE_FAILED; break;
    default: break;
    }
}

static void take(uint64_t *dst, uint64_t src)
{
    if (src != 0) {
        *dst = src;
    }
}

void app_metrics_snapshot(app_ctx_t *ctx, app_session_t *s, app_webrtc_session_metrics_t *out)
{
    *out = s->metrics;
    if (ctx->metrics_provider == NULL || s->handle == NULL) {
        return;
    }
    app_webrtc_session_metrics_t p;
    memset(&p, 0, sizeof(p));
    if (ctx->metrics_provider(s->handle, &p) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    take(&out->ice_connected_us, p.ice_connected_us);
    take(&out->dtls_connected_us, p.dtls_connected_us);
    take(&out->first_video_frame_sent_us, p.first_video_frame_sent_us);
    take(&out->first_key_frame_sent_us, p.first_key_frame_sent_us);
    take(&out->streaming_started_us, p.streaming_started_us);
    take(&out->bytes_sent, p.bytes_sent);
    take(&out->bytes_received, p.bytes_received);
    take(&out->packets_sent, p.packets_sent);
    take(&out->packets_received, p.packets_received);
    if (p.rtt_ms != 0) {
        out->rtt_ms = p.rtt_ms;
    }
    /* keep what the provider measured for the next snapshot too */
    s->metrics.ice_connected_us = out->ice_connected_us;
    s->metrics.dtls_connected_us = out->dtls_connected_us;
    s->metrics.first_video_frame_sent_us = out->first_video_frame_sent_us;
    s->metrics.first_key_frame_sent_us = out->first_key_frame_sent_us;
}

/* Signaling-message events: app_webrtc raises them from the messages it routes. */
static bool raised_by_app(app_webrtc_event_t id)
{
    return id == APP_WEBRTC_EVENT_RECEIVED_OFFER || id == APP_WEBRTC_EVENT_SENT_ANSWER ||
           id == APP_WEBRTC_EVENT_SENT_OFFER || id == APP_WEBRTC_EVENT_RECEIVED_ICE_CANDIDATE ||
           id == APP_WEBRTC_EVENT_SENT_ICE_CANDIDATE;
}

void app_events_from_pc(app_webrtc_event_t event, uint32_t status, char *peer_id, char *msg)
{
    app_ctx_t *ctx = app_current();
    if (ctx == NULL || raised_by_app(event)) {
        return;
    }
    const char *text = msg ? msg : "";
    /* The interface's events name a peer, not a session. A peer id is not enough when a new
     * offer replaced a session: the old session is destroyed later by the reaper, and what its
     * implementation says then (streaming stopped, "session destroyed") would land on the new,
     * live session and use up its once-only events. ctx->destroying names the session being
     * destroyed right now, so those go to the closed session and are dropped. */
    app_session_t *s = NULL;
    if (peer_id != NULL && peer_id[0] != '\0') {
        s = ctx->destroying != NULL && strcmp(ctx->destroying->peer_id, peer_id) == 0
                ? ctx->destroying
                : app_session_find_any(ctx, peer_id);
    }
    if (s != NULL && !s->closing) {
        app_session_event(ctx, s, event, status, "%s", text);
    } else if ((s != NULL || (peer_id && peer_id[0])) && once_per_session(event)) {
        /* about a session app_webrtc has closed already (its own events were raised) */
        ERTC_LOGD(APP_TAG, "peer %s: %s from the peer connection after the session ended", peer_id,
                  app_webrtc_event_name(event));
    } else {
        app_event(ctx, event, status, peer_id, "%s", text);
    }
}
