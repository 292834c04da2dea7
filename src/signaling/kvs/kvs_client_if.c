/*
 * signaling/kvs/kvs_client_if — the signaling interface of the KVS backend
 * (kvs_signaling_client_if_get): configuration checks, init and free of the client's loop
 * thread and work queue, the members app_webrtc calls (each posts to the loop or reads what
 * the loop publishes under a lock), ICE servers and stats. The state machine is kvs_client.c.
 */
#include "signaling/kvs/kvs_client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/kvs_policy.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG                ERTC_KVS_CLIENT_TAG
#define DEFAULT_TIMEOUT_MS 15000
#define MAX_PENDING_SENDS  ERTC_KVS_OUTQ_MAX_COUNT
#define DRAIN_TIMEOUT_MS   30000 /* free waits this long for a running job (it is cancelled) */

/* ---- the interface ------------------------------------------------------------------------------
 */

static void do_nothing(void *arg)
{
    (void)arg;
}

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
    ertc_ws_free(c->ws); /* none left after a disconnect; here for a failed init */
    ertc_ws_free(c->ws_next);
    ertc_ws_free(c->ws_closing);
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
        ERTC_LOGE(TAG,
                  "kvs_signaling_config_t.pChannelName: '%.80s' is not 1-256 characters "
                  "of [a-zA-Z0-9_.-]",
                  cfg->pChannelName ? cfg->pChannelName : "(null)");
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
            ERTC_LOGE(TAG,
                      "kvs_signaling_config_t.controlPlaneUrl: '%.200s' is not https:// "
                      "(or http:// to a loopback address)",
                      c->ctl.control_url);
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
    c->lifetime_s =
        cfg->connectionLifetimeS ? cfg->connectionLifetimeS : ERTC_KVS_DEFAULT_LIFETIME_S;
    c->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    ertc_kvs_outq_init(&c->outq, 0, 0);
    ertc_kvs_client_init_timers(c);
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
    ERTC_LOGI(TAG, "channel %s in %s, %s credentials, control plane %s", c->ctl.channel, c->region,
              ertc_kvs_provider_kind_name(ertc_kvs_provider_kind(c->provider)), c->ctl.control_url);
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS kvs_connect(void *client)
{
    kvs_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, ertc_kvs_client_do_connect, c) : WEBRTC_STATUS_NULL_ARG;
}

static WEBRTC_STATUS kvs_disconnect(void *client)
{
    kvs_client_t *c = client;
    return c ? ertc_loop_call_sync(c->loop, ertc_kvs_client_do_disconnect, c)
             : WEBRTC_STATUS_NULL_ARG;
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
    if (job == NULL || (msg->payload != NULL && (job->msg.payload = ertc_strndup(
                                                     msg->payload, msg->payload_len)) == NULL)) {
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
    WEBRTC_STATUS st = ertc_loop_post(c->loop, ertc_kvs_client_do_send, job);
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
    ertc_loop_call_sync(c->loop, ertc_kvs_client_do_disconnect, c);
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
    return c ? ertc_loop_post(c->loop, ertc_kvs_client_do_refresh_ice, c) : WEBRTC_STATUS_NULL_ARG;
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

typedef struct {
    kvs_client_t *c;
    ertc_mutex_t *lock;
    ertc_cond_t *cond;
    bool done;
    WEBRTC_STATUS status;
    char err[ERTC_KVS_MAX_ERROR_TEXT_LEN];
} delete_job_t;

/* On the work queue: the ARN (cache or Describe), then DeleteSignalingChannel. */
static void run_delete(void *arg)
{
    delete_job_t *d = arg;
    kvs_client_t *c = d->c;
    const ertc_kvs_credentials_t *creds = NULL;
    ertc_kvs_channel_t *ch = ertc_calloc(1, sizeof(*ch));
    WEBRTC_STATUS st = ch ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_kvs_provider_get(c->provider, ertc_kvs_control_now(&c->ctl), false, &creds,
                                   d->err, sizeof(d->err));
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_kvs_control_resolve(&c->ctl, creds, true, ch, d->err, sizeof(d->err));
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_kvs_control_delete(&c->ctl, creds, ch->arn, d->err, sizeof(d->err));
        }
    }
    ertc_free(ch);
    ertc_mutex_lock(d->lock);
    d->status = st;
    d->done = true;
    ertc_cond_signal(d->cond);
    ertc_mutex_unlock(d->lock);
}

WEBRTC_STATUS kvs_signaling_delete_channel(void *client, char *msg, size_t msg_size)
{
    kvs_client_t *c = client;
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    delete_job_t d = {.c = c, .status = WEBRTC_STATUS_TIMEOUT};
    WEBRTC_STATUS st = ertc_mutex_create(&d.lock);
    if (st == WEBRTC_STATUS_SUCCESS && (st = ertc_cond_create(&d.cond)) != WEBRTC_STATUS_SUCCESS) {
        ertc_mutex_destroy(d.lock);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    st = ertc_workq_add(c->workq, run_delete, &d);
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* the job refers to d: wait for it whatever happens (its calls have deadlines) */
        ertc_mutex_lock(d.lock);
        while (!d.done) {
            ertc_cond_wait(d.cond, d.lock);
        }
        ertc_mutex_unlock(d.lock);
        st = d.status;
    }
    ertc_cond_destroy(d.cond);
    ertc_mutex_destroy(d.lock);
    if (msg != NULL && msg_size > 0) {
        snprintf(msg, msg_size, "%s", st == WEBRTC_STATUS_SUCCESS ? "" : d.err);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGI(TAG, "channel %s deleted", c->ctl.channel);
    }
    return st;
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
