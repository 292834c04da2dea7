/*
 * signaling/kvs/kvs_client_internal — what the two halves of the KVS client share: the client
 * record and the loop-side entry points. kvs_client.c is the state machine (jobs, the
 * WebSocket, reconnects, sending); kvs_client_if.c is the signaling interface around it
 * (init and free, the members app_webrtc calls, ICE servers, stats). Private to those files.
 */
#ifndef ERTC_SIGNALING_KVS_CLIENT_INTERNAL_H
#define ERTC_SIGNALING_KVS_CLIENT_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvs_signaling.h"
#include "net/tls.h"
#include "net/ws_client.h"
#include "port/loop.h"
#include "port/port.h"
#include "port/work_queue.h"
#include "signaling/kvs/kvs_control.h"
#include "signaling/kvs/kvs_message.h"
#include "signaling/kvs/kvs_outq.h"
#include "signaling/kvs/kvs_provider.h"

#define ERTC_KVS_CLIENT_TAG "kvs"

typedef enum {
    KVS_IDLE,
    KVS_FETCHING,
    KVS_OPENING,
    KVS_CONNECTED,
    KVS_RECONNECT_WAIT,
    KVS_FAILED,
} kvs_state_t;

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
    ertc_kvs_channel_t ch;        /* the ARN and endpoints in use */
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
    atomic_uint stat_connects, stat_reconnects, stat_sent, stat_received, stat_dropped, stat_status,
        stat_fetches;
    ertc_mutex_t *ice_lock;
    app_webrtc_ice_server_t ice[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_count;
    bool ice_has_stun;
    int64_t ice_fetched_at;
    uint32_t ice_min_ttl;
    atomic_bool ice_refreshing;
};

typedef struct {
    kvs_client_t *c;
    esp_webrtc_signaling_message_t msg; /* payload owned */
    size_t reserved;                    /* bytes counted in pending_bytes */
} send_job_t;

/* Loop-thread entry points (posted or called synchronously by kvs_client_if.c). */
void ertc_kvs_client_init_timers(kvs_client_t *c);
void ertc_kvs_client_do_connect(void *arg);
void ertc_kvs_client_do_disconnect(void *arg);
void ertc_kvs_client_do_refresh_ice(void *arg);
void ertc_kvs_client_do_send(void *arg); /* arg: a send_job_t, freed by it */

#endif
