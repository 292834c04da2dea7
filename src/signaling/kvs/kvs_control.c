/*
 * signaling/kvs/kvs_control — see kvs_control.h. Specs/kvs-signaling.md §1.1–§1.7, §2.2, §2.3.
 */
#include "signaling/kvs/kvs_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "port/port.h"
#include "signaling/kvs/kvs_policy.h"
#include "signaling/kvs/sigv4.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/url.h"

#define TAG            "kvs"
#define CREATE_POLL_MS 500 /* Describe again while a new channel is CREATING */

WEBRTC_STATUS ertc_kvs_default_control_url(const char *region, char *out, size_t out_size)
{
    if (region == NULL || region[0] == '\0' || strlen(region) > ERTC_KVS_CACHE_MAX_REGION_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (const char *p = region; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    int n = snprintf(out, out_size, "https://kinesisvideo.%s.amazonaws.com%s", region,
                     strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
    return n > 0 && (size_t)n < out_size ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_BUFFER_TOO_SMALL;
}

bool ertc_kvs_url_allowed(const char *url, bool websocket)
{
    ertc_url_t u;
    if (url == NULL || ertc_url_parse(url, strlen(url), &u) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    bool ws = u.scheme == ERTC_URL_SCHEME_WS || u.scheme == ERTC_URL_SCHEME_WSS;
    if (ws != websocket) {
        return false;
    }
    if (u.secure) {
        return true;
    }
    return (u.is_ipv4 && strncmp(u.host, "127.", 4) == 0) ||
           (u.is_ipv6 && strcmp(u.host, "::1") == 0) || strcasecmp(u.host, "localhost") == 0;
}

int64_t ertc_kvs_control_now(const ertc_kvs_control_t *ctl)
{
    return (int64_t)(ertc_time_wall_ms() / 1000) +
           (int64_t)atomic_load((atomic_llong *)&ctl->clock_offset_s);
}

static bool cancelled(const ertc_kvs_control_t *ctl)
{
    return ctl->cancel != NULL && atomic_load(ctl->cancel);
}

static WEBRTC_STATUS ensure_http(ertc_kvs_control_t *ctl)
{
    return ctl->http != NULL ? WEBRTC_STATUS_SUCCESS : ertc_http_sync_create(ctl->tls, &ctl->http);
}

void ertc_kvs_control_close(ertc_kvs_control_t *ctl)
{
    ertc_http_sync_free(ctl->http);
    ctl->http = NULL;
}

/* One signed POST, retried within the deadline. 2xx leaves the response in *r (caller frees). */
static WEBRTC_STATUS call(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                          ertc_kvs_api_t api, const char *base, const ertc_strbuf_t *body,
                          uint64_t deadline_ms, ertc_http_response_t *r, char *err, size_t err_size)
{
    char url[ERTC_KVS_MAX_ENDPOINT_LEN + 64];
    snprintf(url, sizeof(url), "%s%s", base, ertc_kvs_api_path(api));
    ertc_url_t u;
    char host[ERTC_URL_HOST_PORT_SIZE];
    if (ertc_url_parse(url, strlen(url), &u) != WEBRTC_STATUS_SUCCESS ||
        ertc_url_format_host_port(&u, host, sizeof(host), NULL) != WEBRTC_STATUS_SUCCESS ||
        !ertc_kvs_url_allowed(url, false)) {
        snprintf(err, err_size, "KVS %s: not a usable https:// URL: %.200s", ertc_kvs_api_name(api),
                 url);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS st = ensure_http(ctl);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    bool skew_retried = false;
    for (uint32_t attempt = 0;; attempt++) {
        memset(r, 0, sizeof(*r));
        char amz_date[ERTC_SIGV4_AMZ_DATE_SIZE];
        ertc_sigv4_format_amz_date(ertc_kvs_control_now(ctl), amz_date);
        ertc_sigv4_header_t sh[] = {
            {"host", 4, host, strlen(host)},
            {"content-type", 12, "application/json", 16},
        };
        ertc_sigv4_request_t sreq = {.method = "POST",
                                     .path = ertc_kvs_api_path(api),
                                     .path_len = strlen(ertc_kvs_api_path(api)),
                                     .headers = sh,
                                     .header_count = 2,
                                     .payload = (const uint8_t *)ertc_strbuf_cstr(body),
                                     .payload_len = ertc_strbuf_len(body)};
        ertc_sigv4_params_t sp = {.access_key_id = creds->access_key_id,
                                  .secret_access_key = creds->secret_access_key,
                                  .session_token = creds->session_token,
                                  .region = ctl->region,
                                  .service = ERTC_KVS_SERVICE,
                                  .amz_date = amz_date};
        char auth_buf[512];
        ertc_strbuf_t auth;
        ertc_strbuf_init_fixed(&auth, auth_buf, sizeof(auth_buf));
        st = ertc_sigv4_sign_headers(&sp, &sreq, ERTC_SIGV4_SIGN_TOKEN, &auth, NULL);
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size, "KVS %s: cannot sign the request (%s)", ertc_kvs_api_name(api),
                     webrtc_status_name(st));
            return st;
        }
        ertc_http_header_t h[6] = {{"Host", host},
                                   {"Content-Type", "application/json"},
                                   {"X-Amz-Date", amz_date},
                                   {"Authorization", ertc_strbuf_cstr(&auth)},
                                   {"User-Agent", "edgertc-kvs/1"}};
        size_t nh = 5;
        if (creds->session_token[0] != '\0') {
            h[nh++] = (ertc_http_header_t){"X-Amz-Security-Token", creds->session_token};
        }
        uint64_t now_ms = ertc_time_mono_ms();
        uint32_t left = deadline_ms > now_ms ? (uint32_t)(deadline_ms - now_ms) : 1;
        ertc_http_request_t req = {
            .method = "POST",
            .url = url,
            .headers = h,
            .header_count = nh,
            .body = ertc_strbuf_cstr(body),
            .body_len = ertc_strbuf_len(body),
            .timeout_ms = left < ERTC_KVS_CALL_TIMEOUT_MS ? left : ERTC_KVS_CALL_TIMEOUT_MS,
            .max_body = ERTC_KVS_MAX_RESPONSE_LEN};
        if (api == ERTC_KVS_API_GET_ICE_CONFIG) {
            atomic_fetch_add(&ctl->ice_calls, 1);
        } else {
            atomic_fetch_add(&ctl->control_calls, 1);
        }
        st = ertc_http_sync_request(ctl->http, &req, r);
        ertc_kvs_secure_zero(auth_buf, sizeof(auth_buf));
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size, "KVS %s: %s", ertc_kvs_api_name(api), r->error);
            st = st == WEBRTC_STATUS_TIMEOUT ? WEBRTC_STATUS_SIGNALING_TIMEOUT
                                             : WEBRTC_STATUS_NETWORK_ERROR;
            ertc_kvs_control_close(ctl); /* a fresh connection for the retry */
            ensure_http(ctl);
        } else {
            int64_t local = (int64_t)(ertc_time_wall_ms() / 1000);
            int64_t off = ertc_sigv4_clock_skew_offset(r->server_date, local,
                                                       ERTC_SIGV4_CLOCK_SKEW_THRESHOLD_S);
            bool skew_changed = off != (int64_t)atomic_load(&ctl->clock_offset_s);
            if (skew_changed) {
                ERTC_LOGW(TAG,
                          "the device clock is %lld s %s the service's; signing with the "
                          "service's time",
                          (long long)(off < 0 ? -off : off), off > 0 ? "behind" : "ahead of");
                atomic_store(&ctl->clock_offset_s, (long long)off);
            }
            if (r->status >= 200 && r->status < 300) {
                return WEBRTC_STATUS_SUCCESS;
            }
            st =
                ertc_kvs_map_error(api, r->status, ertc_http_response_header(r, "x-amzn-ErrorType"),
                                   r->body, r->body_len, err, err_size);
            if (st == WEBRTC_STATUS_SUCCESS) {
                return st; /* e.g. Delete of a channel that is gone */
            }
            if (st == WEBRTC_STATUS_SIGNALING_AUTH_FAILED && skew_changed && !skew_retried) {
                skew_retried = true; /* "Signature expired": sign again with the right time */
                ertc_http_response_free(r);
                continue;
            }
        }
        uint32_t delay = 0;
        if (cancelled(ctl) || !ertc_kvs_retry_decide(st, attempt, ertc_random_u32(), &delay) ||
            ertc_time_mono_ms() + delay >= deadline_ms) {
            ertc_http_response_free(r);
            return st;
        }
        ERTC_LOGD(TAG, "%s; retry %u in %u ms", err, attempt + 1, (unsigned)delay);
        ertc_http_response_free(r);
        ertc_sleep_ms(delay);
    }
}

static uint64_t deadline_of(const ertc_kvs_control_t *ctl)
{
    return ertc_time_mono_ms() +
           (ctl->deadline_ms ? ctl->deadline_ms : ERTC_KVS_DEFAULT_DEADLINE_MS);
}

/* Loads the cache (an empty one when absent or corrupt) into a heap record; a corrupt one is
 * reported when warn is set (once per connect: the lookup warns, the rewrite does not). */
static ertc_kvs_cache_t *cache_load(ertc_kvs_control_t *ctl, bool warn)
{
    ertc_kvs_cache_t *cache = ertc_calloc(1, sizeof(*cache));
    if (cache == NULL || ctl->storage == NULL) {
        return cache;
    }
    char *data = NULL;
    size_t len = 0;
    if (ctl->storage->load(ctl->storage->ctx, &data, &len) == WEBRTC_STATUS_SUCCESS) {
        if (ertc_kvs_cache_parse(data, len, cache) != WEBRTC_STATUS_SUCCESS && warn) {
            ERTC_LOGW(TAG, "the channel cache is corrupt; ignoring it (it is rewritten)");
        }
        free(data);
    }
    return cache;
}

static void cache_save(ertc_kvs_control_t *ctl, ertc_kvs_cache_t *cache)
{
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, ERTC_KVS_CACHE_MAX_FILE_LEN);
    if (ertc_kvs_cache_serialize(cache, &sb) != WEBRTC_STATUS_SUCCESS ||
        ctl->storage->save(ctl->storage->ctx, ertc_strbuf_cstr(&sb), ertc_strbuf_len(&sb)) !=
            WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "cannot write the channel cache; the next start will ask the service");
    }
    ertc_strbuf_free(&sb);
}

void ertc_kvs_control_forget(ertc_kvs_control_t *ctl)
{
    if (ctl->storage == NULL) {
        return;
    }
    ertc_kvs_cache_t *cache = cache_load(ctl, true);
    if (cache != NULL && ertc_kvs_cache_remove(cache, ctl->channel, ctl->region, ctl->role)) {
        cache_save(ctl, cache);
    }
    ertc_free(cache);
}

static bool cache_lookup(ertc_kvs_control_t *ctl, ertc_kvs_channel_t *ch)
{
    if (ctl->storage == NULL) {
        return false;
    }
    ertc_kvs_cache_t *cache = cache_load(ctl, true);
    const ertc_kvs_cache_entry_t *e =
        cache ? ertc_kvs_cache_find(cache, ctl->channel, ctl->region, ctl->role) : NULL;
    bool hit = e != NULL && ertc_kvs_cache_entry_fresh(e, ertc_kvs_control_now(ctl), 0) &&
               ertc_kvs_url_allowed(e->endpoints.wss, true) &&
               ertc_kvs_url_allowed(e->endpoints.https, false);
    if (hit) {
        snprintf(ch->arn, sizeof(ch->arn), "%s", e->arn);
        ch->endpoints = e->endpoints;
        ch->from_cache = true;
    }
    ertc_free(cache);
    return hit;
}

static void cache_store(ertc_kvs_control_t *ctl, const ertc_kvs_channel_t *ch)
{
    if (ctl->storage == NULL) {
        return;
    }
    ertc_kvs_cache_t *cache = cache_load(ctl, false);
    ertc_kvs_cache_entry_t *e = ertc_calloc(1, sizeof(*e));
    if (cache != NULL && e != NULL) {
        snprintf(e->channel, sizeof(e->channel), "%s", ctl->channel);
        snprintf(e->region, sizeof(e->region), "%s", ctl->region);
        e->role = ctl->role;
        snprintf(e->arn, sizeof(e->arn), "%s", ch->arn);
        e->endpoints = ch->endpoints;
        e->created = ertc_kvs_control_now(ctl);
        if (ertc_kvs_cache_put(cache, e) == WEBRTC_STATUS_SUCCESS) {
            cache_save(ctl, cache);
        }
    }
    ertc_free(e);
    ertc_free(cache);
}

static WEBRTC_STATUS describe(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                              uint64_t deadline, ertc_kvs_channel_info_t *info, char *err,
                              size_t err_size)
{
    ertc_strbuf_t body;
    ertc_strbuf_init_heap(&body, 1024);
    WEBRTC_STATUS st = ertc_kvs_build_describe(ctl->channel, NULL, &body);
    ertc_http_response_t r;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = call(ctl, creds, ERTC_KVS_API_DESCRIBE_CHANNEL, ctl->control_url, &body, deadline, &r,
                  err, err_size);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_kvs_parse_describe(r.body, r.body_len, info);
            if (st == ERTC_KVS_STATUS_CHANNEL_BEING_DELETED) {
                snprintf(err, err_size,
                         "KVS DescribeSignalingChannel: channel %.200s is being "
                         "deleted",
                         ctl->channel);
            } else if (st != WEBRTC_STATUS_SUCCESS) {
                snprintf(err, err_size,
                         "KVS DescribeSignalingChannel: the answer is not a "
                         "ChannelInfo");
            }
            ertc_http_response_free(&r);
        }
    }
    ertc_strbuf_free(&body);
    return st;
}

static WEBRTC_STATUS create(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                            uint64_t deadline, char *err, size_t err_size)
{
    ertc_strbuf_t body;
    ertc_strbuf_init_heap(&body, 1024);
    WEBRTC_STATUS st = ertc_kvs_build_create(ctl->channel, ctl->message_ttl_s, &body);
    ertc_http_response_t r;
    if (st == WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGI(TAG, "channel %s not found: creating it", ctl->channel);
        st = call(ctl, creds, ERTC_KVS_API_CREATE_CHANNEL, ctl->control_url, &body, deadline, &r,
                  err, err_size);
        if (st == WEBRTC_STATUS_SUCCESS) {
            ertc_http_response_free(&r);
        } else if (st == ERTC_KVS_STATUS_CHANNEL_IN_USE) {
            st = WEBRTC_STATUS_SUCCESS; /* created meanwhile by someone else: fine */
        }
    }
    ertc_strbuf_free(&body);
    return st;
}

static WEBRTC_STATUS get_endpoint(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                  uint64_t deadline, ertc_kvs_channel_t *ch, char *err,
                                  size_t err_size)
{
    ertc_strbuf_t body;
    ertc_strbuf_init_heap(&body, 2048);
    WEBRTC_STATUS st = ertc_kvs_build_get_endpoint(ch->arn, ctl->role, &body);
    ertc_http_response_t r;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = call(ctl, creds, ERTC_KVS_API_GET_ENDPOINT, ctl->control_url, &body, deadline, &r, err,
                  err_size);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_kvs_parse_get_endpoint(r.body, r.body_len, &ch->endpoints);
            if (st != WEBRTC_STATUS_SUCCESS) {
                snprintf(err, err_size,
                         "KVS GetSignalingChannelEndpoint: no WSS and HTTPS "
                         "endpoints in the answer");
            } else if (!ertc_kvs_url_allowed(ch->endpoints.wss, true) ||
                       !ertc_kvs_url_allowed(ch->endpoints.https, false)) {
                snprintf(err, err_size,
                         "KVS GetSignalingChannelEndpoint: refusing endpoints "
                         "%.150s and %.150s (plain ws/http only on loopback)",
                         ch->endpoints.wss, ch->endpoints.https);
                st = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
            }
            ertc_http_response_free(&r);
        }
    }
    ertc_strbuf_free(&body);
    return st;
}

WEBRTC_STATUS ertc_kvs_control_resolve(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       bool use_cache, ertc_kvs_channel_t *ch, char *err,
                                       size_t err_size)
{
    memset(ch, 0, sizeof(*ch));
    if (use_cache && cache_lookup(ctl, ch)) {
        atomic_fetch_add(&ctl->cache_hits, 1);
        ERTC_LOGD(TAG, "channel %s: ARN and endpoints from the cache", ctl->channel);
        return WEBRTC_STATUS_SUCCESS;
    }
    uint64_t deadline = deadline_of(ctl);
    ertc_kvs_channel_info_t *info = ertc_calloc(1, sizeof(*info));
    if (info == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    bool created = false;
    WEBRTC_STATUS st;
    for (;;) {
        st = describe(ctl, creds, deadline, info, err, err_size);
        if (st == WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND && !created) {
            created = true;
            st = create(ctl, creds, deadline, err, err_size);
            if (st == WEBRTC_STATUS_SUCCESS) {
                continue;
            }
        }
        if (st == WEBRTC_STATUS_SUCCESS && info->status != ERTC_KVS_CHANNEL_ACTIVE &&
            info->status != ERTC_KVS_CHANNEL_UPDATING) {
            if (ertc_time_mono_ms() + CREATE_POLL_MS >= deadline || cancelled(ctl)) {
                snprintf(err, err_size,
                         "KVS DescribeSignalingChannel: channel %.200s is not "
                         "ACTIVE in time",
                         ctl->channel);
                st = WEBRTC_STATUS_SIGNALING_TIMEOUT;
            } else {
                ertc_sleep_ms(CREATE_POLL_MS);
                continue;
            }
        }
        break;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        snprintf(ch->arn, sizeof(ch->arn), "%s", info->arn);
        st = get_endpoint(ctl, creds, deadline, ch, err, err_size);
    }
    ertc_free(info);
    if (st == WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGI(TAG, "channel %s: %s, %s", ctl->channel, ch->endpoints.wss, ch->endpoints.https);
        cache_store(ctl, ch);
    }
    return st;
}

WEBRTC_STATUS ertc_kvs_control_get_ice(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       const ertc_kvs_channel_t *ch, ertc_kvs_ice_config_t *out,
                                       char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    ertc_strbuf_t body;
    ertc_strbuf_init_heap(&body, 2048);
    WEBRTC_STATUS st = ertc_kvs_build_get_ice_config(ch->arn, ctl->client_id, &body);
    ertc_http_response_t r;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = call(ctl, creds, ERTC_KVS_API_GET_ICE_CONFIG, ch->endpoints.https, &body,
                  deadline_of(ctl), &r, err, err_size);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_kvs_parse_ice_config(r.body, r.body_len, out);
            if (st != WEBRTC_STATUS_SUCCESS) {
                snprintf(err, err_size,
                         "KVS GetIceServerConfig: the answer is not an "
                         "IceServerList");
            }
            ertc_kvs_secure_zero(r.body, r.body_len); /* TURN passwords */
            ertc_http_response_free(&r);
        } else if (st == WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND) {
            ertc_kvs_control_forget(ctl);
        }
    }
    ertc_strbuf_free(&body);
    return st;
}

WEBRTC_STATUS ertc_kvs_control_delete(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                      const char *arn, char *err, size_t err_size)
{
    ertc_strbuf_t body;
    ertc_strbuf_init_heap(&body, 2048);
    WEBRTC_STATUS st = ertc_kvs_build_delete(arn, NULL, &body);
    ertc_http_response_t r;
    if (st == WEBRTC_STATUS_SUCCESS) {
        memset(&r, 0, sizeof(r));
        st = call(ctl, creds, ERTC_KVS_API_DELETE_CHANNEL, ctl->control_url, &body,
                  deadline_of(ctl), &r, err, err_size);
        ertc_http_response_free(&r);
    }
    ertc_strbuf_free(&body);
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_kvs_control_forget(ctl);
    }
    return st;
}

WEBRTC_STATUS ertc_kvs_control_presign(ertc_kvs_control_t *ctl, const ertc_kvs_credentials_t *creds,
                                       const ertc_kvs_channel_t *ch, char **url, char *err,
                                       size_t err_size)
{
    int64_t now = ertc_kvs_control_now(ctl);
    char amz_date[ERTC_SIGV4_AMZ_DATE_SIZE];
    ertc_sigv4_format_amz_date(now, amz_date);
    ertc_sigv4_params_t sp = {.access_key_id = creds->access_key_id,
                              .secret_access_key = creds->secret_access_key,
                              .session_token = creds->session_token,
                              .region = ctl->region,
                              .service = ERTC_KVS_SERVICE,
                              .amz_date = amz_date};
    ertc_sigv4_query_param_t extra[2] = {{"X-Amz-ChannelARN", ch->arn},
                                         {"X-Amz-ClientId", ctl->client_id}};
    size_t n_extra = ctl->role == ERTC_KVS_ROLE_VIEWER ? 2 : 1;
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, ERTC_URL_MAX_LEN);
    WEBRTC_STATUS st =
        ertc_sigv4_presign_url(&sp, ch->endpoints.wss, strlen(ch->endpoints.wss), extra, n_extra,
                               ertc_kvs_presign_expires(now, creds->expiration), &out, NULL);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_detach(&out, url, NULL);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, err_size, "KVS Connect: cannot presign the WebSocket URL for %.200s (%s)",
                 ch->endpoints.wss, webrtc_status_name(st));
    }
    ertc_strbuf_free(&out);
    return st;
}
