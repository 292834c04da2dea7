/*
 * app/app_webrtc_internal.h — the application layer's context and the functions its files
 * share. app_webrtc.c keeps the public life cycle (init/run/terminate, settings) and the one
 * context of the seed's singleton API; the others each own one concept:
 *
 *   app_webrtc_config.c     checks and copies app_webrtc_config_t (errors name the field)
 *   app_webrtc_session.c    the session table keyed by peer id, routing of offers, answers and
 *                           candidates, held candidates with expiry, trigger_offer, bridge path
 *   app_webrtc_signaling.c  the signaling client: callbacks copied onto the loop, connect and
 *                           the reconnect policy (5, 10, 20, 40, 60 s; reset on success)
 *   app_webrtc_ice.c        ICE servers: STUN at once, TURN when fetched, refresh
 *   app_webrtc_events.c     events to the application and per-session metrics
 *
 * Threads: everything below runs on the context's loop thread unless it says otherwise.
 */
#ifndef ERTC_APP_WEBRTC_INTERNAL_H
#define ERTC_APP_WEBRTC_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "app_webrtc.h"
#include "port/loop.h"
#include "port/port.h"

#define APP_TAG "app_webrtc"

/* Limits of what app_webrtc holds for peers that have no session yet. */
#define APP_PENDING_MAX_PEERS     16   /* peers with held candidates */
#define APP_PENDING_MAX_PER_PEER  64   /* candidates held per peer */
#define APP_PENDING_MAX_PAYLOAD   4096 /* a candidate JSON is a few hundred bytes */
#define APP_PENDING_EXPIRY_S      20   /* held candidates are dropped after this */
#define APP_SIGNALING_ATTEMPT_S   15   /* a connect attempt that takes longer has failed */
#define APP_RECONNECT_DELAY_COUNT 5
extern const uint32_t app_reconnect_delays_s[APP_RECONNECT_DELAY_COUNT]; /* 5 10 20 40 60 */

/* Re-offers of the VIEWER role after an answer timeout: 15, 30, then 60 s (policy seconds). */
#define APP_REOFFER_DELAY_COUNT 3
extern const uint32_t app_reoffer_delays_s[APP_REOFFER_DELAY_COUNT]; /* 15 30 60 */
#define APP_REOFFER_MAX_PEERS 16 /* peers with a re-offer scheduled */

struct app_ctx;

/* ---- sessions ---------------------------------------------------------------------------- */
typedef struct {
    struct app_ctx *ctx;
    ertc_timer_t answer_timer; /* initiator sessions until the answer; stopped when closing */
    uint64_t id;               /* custom_data of the peer-connection callbacks; never reused */
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    void *handle; /* the peer connection's session */
    bool initiator;
    bool remote_set; /* offer (or answer) applied: candidates may go straight in */
    bool closing;    /* waiting to be destroyed by the reaper */
    uint32_t once;   /* bit per app_webrtc_event_t raised once per session */
    app_webrtc_session_metrics_t metrics;
} app_session_t;

/* Candidates that came before their session could take them. */
typedef struct app_held {
    struct app_held *next;
    char *payload; /* NUL-terminated copy */
    uint32_t payload_len;
    char correlation_id[APP_WEBRTC_MAX_CORRELATION_ID_LEN + 1];
} app_held_t;

typedef struct {
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1]; /* "" = free slot */
    uint64_t since_ms; /* loop time of the first held candidate */
    app_held_t *head, *tail;
    uint32_t count;
} app_pending_t;

/* A peer that got no answer to our offer: a fresh offer goes to it when the timer fires. */
typedef struct {
    struct app_ctx *ctx;
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1]; /* "" = free slot */
    uint32_t attempts; /* answer timeouts in a row for this peer */
    ertc_timer_t timer;
} app_reoffer_t;

/* Signaling connection phases of the reconnect policy. */
typedef enum {
    APP_SIG_IDLE,
    APP_SIG_CONNECTING, /* an attempt runs; the attempt timer is armed */
    APP_SIG_CONNECTED,
    APP_SIG_WAITING, /* the backoff timer is armed */
} app_sig_phase_t;

typedef struct app_refresh_ticket app_refresh_ticket_t;

/* An outgoing message waiting for signaling (app_webrtc_outbox.c). */
typedef struct app_outgoing {
    struct app_outgoing *next;
    esp_webrtc_signaling_message_t msg; /* payload owned */
} app_outgoing_t;

#define APP_OUTBOX_MAX_MESSAGES 64
#define APP_OUTBOX_MAX_BYTES    (256 * 1024)

/* ---- the context ------------------------------------------------------------------------- */
typedef struct app_ctx {
    app_webrtc_config_t cfg;             /* checked copy */
    app_webrtc_ice_server_t *user_ice;   /* copy of cfg.ice_servers */
    webrtc_data_channel_config_t dc_cfg; /* copy of *cfg.data_channel_config */
    webrtc_peer_connection_if_t *pc;     /* never NULL after init */
    webrtc_signaling_client_if_t *sig;
    bool bridge; /* signaling only: the pc's bridge path */
    ertc_loop_t *loop;

    void *sig_client;
    void *pc_client;
    atomic_int inflight; /* posted signaling jobs not yet run (drained before free) */
    bool stopping;       /* teardown began: posted jobs only free what they carry */
    WEBRTC_STATUS run_status;

    /* sessions (max_sessions slots) */
    app_session_t **sessions;
    uint32_t max_sessions;
    uint64_t next_session_id;
    ertc_timer_t reap_timer;
    /* The session whose destroy_session is running: the events its implementation raises from
     * inside that call are its own, even when a newer session has the same peer id. */
    app_session_t *destroying;

    app_pending_t pending[APP_PENDING_MAX_PEERS];
    ertc_timer_t pending_timer;
    app_reoffer_t reoffer[APP_REOFFER_MAX_PEERS];
    uint32_t answer_timeout_s; /* cfg.answer_timeout_s or the default */

    /* signaling */
    app_sig_phase_t sig_phase;
    webrtc_signaling_client_state_t sig_reported; /* last state the backend reported */
    uint32_t sig_failures;  /* consecutive failed attempts; 0 after CONNECTED */
    uint32_t auth_failures; /* consecutive AUTH_FAILED errors; 0 after CONNECTED */
    bool sig_attempted;     /* connect was called once: later attempts disconnect first */
    ertc_timer_t sig_backoff;
    ertc_timer_t sig_attempt;

    /* messages waiting for signaling (reconnecting, or the backend said RETRY_LATER) */
    app_outgoing_t *outbox_head, *outbox_tail;
    uint32_t outbox_count;
    size_t outbox_bytes;
    ertc_timer_t outbox_timer;

    /* ICE servers */
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    app_refresh_ticket_t *refresh;

    app_webrtc_metrics_provider_t metrics_provider;
    ertc_timer_t start_timer;

    /* data-channel callbacks given before sessions exist */
    app_webrtc_rtc_on_open_t early_on_open;
    app_webrtc_rtc_on_message_t early_on_message;
    uint64_t early_dc_custom;
} app_ctx_t;

app_ctx_t *app_current(void);              /* the singleton's context (loop thread) */
app_webrtc_send_msg_cb_t app_msg_cb(void); /* app_webrtc_register_msg_callback's */
/* Ends run for good (on the loop): the teardown of terminate, then run returns st. */
void app_fail_run(app_ctx_t *ctx, WEBRTC_STATUS st);

/* Time base: seconds of the policy become this many milliseconds (1000; tests make it
 * smaller so that a 60 s backoff takes 60 ms). */
uint32_t app_ms_per_s(void);

/* ---- app_webrtc_config.c ----------------------------------------------------------------- */
/* Checks every field; logs and returns an error naming the first bad one. */
WEBRTC_STATUS app_config_check(const app_webrtc_config_t *cfg, bool msg_cb_registered);
/* Copies the checked configuration into ctx (ICE servers, data-channel config). */
WEBRTC_STATUS app_config_copy(app_ctx_t *ctx, const app_webrtc_config_t *cfg);
/* The peer-connection configuration every session gets, from the current settings. */
void app_config_pc(const app_ctx_t *ctx, webrtc_peer_connection_config_t *out);

/* ---- app_webrtc_pc_default.c ------------------------------------------------------------- */
/* edgertc's own peer connection when it is built in, else NULL. */
webrtc_peer_connection_if_t *app_default_peer_connection(void);
/* The metrics provider for pc (edgertc's own peer connection has one), or NULL. */
app_webrtc_metrics_provider_t app_default_metrics_provider(const webrtc_peer_connection_if_t *pc);
/* Test hook: never use APP_WEBRTC_DEFAULT_STUN_SERVER in this process (tests that run code
 * configured as the seed writes it must contact no outside host). */
void app_webrtc_test_forbid_default_stun(bool forbid);
bool app_default_stun_forbidden(void);

/* ---- app_webrtc_events.c ----------------------------------------------------------------- */
void app_event(app_ctx_t *ctx, app_webrtc_event_t id, uint32_t status, const char *peer_id,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A session's event: raised at most once per session for the "once" events, with metrics. */
void app_session_event(app_ctx_t *ctx, app_session_t *s, app_webrtc_event_t id, uint32_t status,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Records the metric an event marks (times, counters). */
void app_metrics_on_event(app_session_t *s, app_webrtc_event_t id);
/* Fills *out from the session's own figures and the provider's. */
void app_metrics_snapshot(app_ctx_t *ctx, app_session_t *s, app_webrtc_session_metrics_t *out);
/* The pc's register_event_handler target (finds the singleton's context). */
void app_events_from_pc(app_webrtc_event_t event, uint32_t status, char *peer_id, char *msg);
void app_events_emit_raw(app_webrtc_event_data_t *ev); /* to the registered callback */

/* ---- app_webrtc_session.c ---------------------------------------------------------------- */
WEBRTC_STATUS app_sessions_create(app_ctx_t *ctx);
void app_sessions_destroy(app_ctx_t *ctx);   /* closes all, frees held candidates */
void app_sessions_close_all(app_ctx_t *ctx); /* teardown: events, destroy_session, re-offers */
void app_route_inbound(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg);
WEBRTC_STATUS app_offer_to(app_ctx_t *ctx, const char *peer_id);
app_session_t *app_session_find(app_ctx_t *ctx, const char *peer_id);
/* The open session of peer_id, else one of its sessions being closed, else NULL. */
app_session_t *app_session_find_any(app_ctx_t *ctx, const char *peer_id);
uint32_t app_session_count(const app_ctx_t *ctx);
WEBRTC_STATUS app_bridge_attach(app_ctx_t *ctx); /* set_callbacks(NULL, ...) in bridge mode */

/* ---- app_webrtc_outbox.c ----------------------------------------------------------------- */
/* Sends msg through the backend now, or keeps a copy to send in order once signaling is
 * connected again (or the backend takes messages again after RETRY_LATER). SUCCESS when sent
 * or kept; an error when the backend refused it or the outbox is full. */
WEBRTC_STATUS app_send_to_signaling(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg);
void app_outbox_init(app_ctx_t *ctx);
void app_outbox_flush(app_ctx_t *ctx); /* signaling is connected: send what waits */
void app_outbox_clear(app_ctx_t *ctx); /* drops what waits (teardown) */

/* ---- app_webrtc_signaling.c -------------------------------------------------------------- */
WEBRTC_STATUS app_signaling_init(app_ctx_t *ctx);  /* sig.init (on the caller's thread) */
WEBRTC_STATUS app_signaling_start(app_ctx_t *ctx); /* callbacks, role, first connect */
void app_signaling_stop(app_ctx_t *ctx);           /* disconnect and free */
void app_signaling_reconnect_now(app_ctx_t *ctx, const char *why);
/* A posted job finished (or was dropped): the drain before free counts these. */
void app_job_done(app_ctx_t *ctx);

/* ---- app_webrtc_ice.c -------------------------------------------------------------------- */
void app_ice_start(app_ctx_t *ctx);  /* STUN (and whatever is known) at once */
void app_ice_update(app_ctx_t *ctx); /* re-read the backend's list, push it */
/* Asks the backend whether its ICE configuration is stale (or refreshes anyway with force)
 * and runs refresh_ice_configuration on the work queue. */
void app_ice_check_refresh(app_ctx_t *ctx, const char *why, bool force);
void app_ice_stop(app_ctx_t *ctx); /* waits for a refresh job that runs */

/* ---- test hooks (tests/unit/test_app_webrtc*.c) ------------------------------------------ */
void app_webrtc_test_set_ms_per_s(uint32_t ms);
/* The last backoff delays scheduled, in policy seconds, oldest first; returns how many. */
uint32_t app_webrtc_test_reconnect_delays(uint32_t *out, uint32_t max);
void app_webrtc_test_record_delay(uint32_t seconds);

#endif
