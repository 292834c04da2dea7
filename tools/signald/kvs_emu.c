/*
 * signald/kvs_emu — the KVS emulator's state, request dispatch, authentication and error
 * answers (see kvs_emu.h; channels and clients in kvs_state.h).
 */
#include "kvs_emu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kvs_sigv4_verify.h"
#include "kvs_state.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "kvs-emu"

static const char VERSION_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

sd_kvs_t *sd_kvs_create(const sd_kvs_config_t *cfg)
{
    sd_kvs_t *k = ertc_calloc(1, sizeof(*k));
    if (k != NULL) {
        k->cfg = *cfg;
    }
    return k;
}

void sd_kvs_set_authority(sd_kvs_t *k, const char *authority)
{
    snprintf(k->authority, sizeof(k->authority), "%s", authority);
}

void sd_kvs_destroy(sd_kvs_t *k)
{
    if (k == NULL) {
        return;
    }
    while (k->channels != NULL) {
        kvs_channel_remove(k, k->channels);
    }
    ertc_free(k);
}

/* ---- errors -------------------------------------------------------------------------------- */

void kvs_respond_error(sd_http_response_t *resp, int status, const char *type, bool lower_key,
                       const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sd_http_respond_json(resp, status);
    ertc_strbuf_appendf(&resp->body, "{\"%s\":", lower_key ? "message" : "Message");
    ertc_strbuf_append_json_string(&resp->body, msg, strlen(msg));
    ertc_strbuf_append_char(&resp->body, '}');
    sd_http_response_add_header(resp, "x-amzn-ErrorType", type);
}

/* ---- authentication ------------------------------------------------------------------------ */

static const char *header_of(void *ctx, const char *name)
{
    return sd_http_request_header(ctx, name);
}

/* The request's headers with Host cut before its port: the KVS C SDK signs the host without
 * a port (the service is always on 443), while its HTTP stack sends the port it connects to. */
typedef struct {
    const sd_http_request_t *req;
    char host[256];
} portless_t;

static const char *header_portless(void *ctx, const char *name)
{
    portless_t *p = ctx;
    return strcasecmp(name, "host") == 0 ? p->host : sd_http_request_header(p->req, name);
}

/* True with out filled when Host is "name:port" (not a bare IPv6 literal). */
static bool host_without_port(const sd_http_request_t *req, portless_t *out)
{
    const char *host = sd_http_request_header(req, "Host");
    const char *colon = host != NULL ? strrchr(host, ':') : NULL;
    if (colon == NULL || (host[0] == '[' && colon < strchr(host, ']')) ||
        (size_t)(colon - host) >= sizeof(out->host)) {
        return false;
    }
    out->req = req;
    memcpy(out->host, host, (size_t)(colon - host));
    out->host[colon - host] = '\0';
    return true;
}

bool kvs_check_auth(sd_kvs_t *k, const sd_http_request_t *req, sd_http_response_t *resp,
                    bool presigned)
{
    kvs_auth_keys_t keys = {
        .access_key_id = k->cfg.access_key_id,
        .secret_access_key = k->cfg.secret_access_key,
        .region = k->cfg.region,
        .service = "kinesisvideo",
        .now_s = (int64_t)(ertc_time_wall_ms() / 1000),
    };
    kvs_auth_request_t areq = {
        .method = req->method,
        .path = req->path,
        .query = req->query,
        .header = header_of,
        .header_ctx = (void *)req,
        .body = (const uint8_t *)req->body,
        .body_len = req->body_len,
    };
    char why[KVS_AUTH_WHY_SIZE];
    kvs_auth_result_t r = presigned ? kvs_auth_verify_presigned(&keys, &areq, why, sizeof(why))
                                    : kvs_auth_verify_header(&keys, &areq, why, sizeof(why));
    portless_t portless;
    if (r == KVS_AUTH_BAD_SIGNATURE && host_without_port(req, &portless)) {
        char why2[KVS_AUTH_WHY_SIZE];
        areq.header = header_portless;
        areq.header_ctx = &portless;
        if ((presigned ? kvs_auth_verify_presigned(&keys, &areq, why2, sizeof(why2))
                       : kvs_auth_verify_header(&keys, &areq, why2, sizeof(why2))) == KVS_AUTH_OK) {
            r = KVS_AUTH_OK;
        }
    }
    if (r == KVS_AUTH_OK) {
        return true;
    }
    kvs_respond_error(resp, 403, kvs_auth_error_type(r), true, "%s", why);
    return false;
}

/* ---- channels ------------------------------------------------------------------------------ */

kvs_channel_t *kvs_channel_by_name(sd_kvs_t *k, const char *name)
{
    for (kvs_channel_t *ch = k->channels; ch != NULL; ch = ch->next) {
        if (strcmp(ch->name, name) == 0) {
            return ch;
        }
    }
    return NULL;
}

kvs_channel_t *kvs_channel_by_arn(sd_kvs_t *k, const char *arn)
{
    for (kvs_channel_t *ch = k->channels; ch != NULL; ch = ch->next) {
        if (strcmp(ch->arn, arn) == 0) {
            return ch;
        }
    }
    return NULL;
}

kvs_channel_t *kvs_channel_add(sd_kvs_t *k, const char *name, uint32_t ttl_s)
{
    kvs_channel_t *ch = ertc_calloc(1, sizeof(*ch));
    if (ch == NULL) {
        return NULL;
    }
    snprintf(ch->name, sizeof(ch->name), "%s", name);
    ch->created_ms = ertc_time_wall_ms();
    ch->message_ttl_s = ttl_s;
    /* The service's shape: arn:aws:kinesisvideo:<region>:<account>:channel/<name>/<13 digits> */
    snprintf(ch->arn, sizeof(ch->arn), "arn:aws:kinesisvideo:%s:%s:channel/%s/%013llu",
             k->cfg.region, SD_KVS_ACCOUNT, name, (unsigned long long)ch->created_ms);
    ertc_random_string(ch->version, sizeof(ch->version) - 1, VERSION_ALPHABET);
    ch->pending_tail = &ch->pending;
    ch->next = k->channels;
    k->channels = ch;
    k->n_channels++;
    return ch;
}

void kvs_client_free(kvs_client_t *c)
{
    sd_kvs_t *k = c->emu;
    if (k != NULL && k->busy > 0) {
        c->next_dead = k->graveyard;
        k->graveyard = c;
        return;
    }
    ertc_free(c);
}

void kvs_reap(sd_kvs_t *k)
{
    if (k->busy > 0 && --k->busy > 0) {
        return;
    }
    while (k->graveyard != NULL) {
        kvs_client_t *c = k->graveyard;
        k->graveyard = c->next_dead;
        ertc_free(c);
    }
}

void kvs_client_evict(kvs_client_t *c, uint16_t code, const char *reason)
{
    kvs_channel_t *ch = c->channel;
    if (ch != NULL) {
        if (ch->master == c) {
            ch->master = NULL;
        }
        for (size_t i = 0; i < ch->n_viewers; i++) {
            if (ch->viewers[i] == c) {
                ch->viewers[i] = ch->viewers[--ch->n_viewers];
                break;
            }
        }
        c->channel = NULL;
    }
    if (c->ws == NULL) {
        kvs_client_free(c);
    } else if (code == 0) {
        sd_conn_drop(c->ws); /* on_close frees it */
    } else {
        sd_ws_close(c->ws, code, reason); /* on_close frees it */
    }
}

void kvs_channel_remove(sd_kvs_t *k, kvs_channel_t *ch)
{
    for (kvs_channel_t **p = &k->channels; *p != NULL; p = &(*p)->next) {
        if (*p == ch) {
            *p = ch->next;
            k->n_channels--;
            break;
        }
    }
    if (ch->master != NULL) {
        kvs_client_evict(ch->master, ERTC_WS_CLOSE_GOING_AWAY, "channel deleted");
    }
    while (ch->n_viewers > 0) {
        kvs_client_evict(ch->viewers[0], ERTC_WS_CLOSE_GOING_AWAY, "channel deleted");
    }
    kvs_pending_clear(ch);
    ertc_free(ch);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

/* x-amzn-RequestId, a random UUID (version 4) as the service's. */
static void add_request_id(sd_http_response_t *resp)
{
    uint8_t b[16];
    ertc_random_bytes(b, sizeof(b));
    char id[40];
    snprintf(id, sizeof(id),
             "%02x%02x%02x%02x-%02x%02x-4%01x%02x-%01x%01x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6] & 0xf, b[7], 8 | (b[8] & 3), b[8] >> 4, b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    sd_http_response_add_header(resp, "x-amzn-RequestId", id);
}

static sd_route_result_t dispatch(sd_kvs_t *k, const sd_http_request_t *req,
                                  sd_http_response_t *resp);

sd_route_result_t sd_kvs_route(void *ctx, const sd_http_request_t *req, sd_http_response_t *resp)
{
    sd_route_result_t r = dispatch(ctx, req, resp);
    if (resp->status != 101) {
        add_request_id(resp);
        /* Pages on another origin (the KVS JS SDK in a browser) may read the error type. */
        sd_http_response_add_header(resp, "Access-Control-Expose-Headers",
                                    "x-amzn-ErrorType, x-amzn-RequestId");
    }
    return r;
}

static sd_route_result_t dispatch(sd_kvs_t *k, const sd_http_request_t *req,
                                  sd_http_response_t *resp)
{
    if (strncmp(req->path, "/_test/", 7) == 0) {
        if (k->cfg.test_hooks) {
            return kvs_hooks_route(k, req, resp);
        }
        sd_http_respond_text(resp, 404, "test hooks are off (start with --kvs-test-hooks)");
        return SD_ROUTE_DONE;
    }
    const char *upgrade = sd_http_request_header(req, "Upgrade");
    if (strcmp(req->method, "GET") == 0 && upgrade != NULL) {
        kvs_dataplane_connect(k, req, resp);
        return SD_ROUTE_DONE;
    }
    if (strcmp(req->method, "POST") == 0 && kvs_control_route(k, req, resp) == SD_ROUTE_DONE) {
        return SD_ROUTE_DONE;
    }
    kvs_respond_error(resp, 404, "UnknownOperationException", false,
                      "No such operation: %.16s %.200s", req->method, req->path);
    return SD_ROUTE_DONE;
}
