/*
 * signald/kvs_control — the KVS emulator's HTTPS APIs (specs/kvs-signaling.md §1): the four
 * control-plane operations of kinesisvideo-2017-09-30 and GetIceServerConfig of
 * kinesis-video-signaling-2019-12-04, all "rest-json" POSTs on fixed paths, served from the
 * one listener (the service puts GetIceServerConfig on the per-channel HTTPS endpoint, which
 * here is the same host).
 *
 * Every call is SigV4-checked first (403 with the signature error), then its JSON body is
 * read; errors carry x-amzn-ErrorType and {"Message": ...} with the service's status codes
 * (§1.1 table). Channels are ACTIVE as soon as they are created.
 */
#include <stdio.h>
#include <string.h>

#include "kvs_state.h"
#include "port/port.h"
#include "util/json.h"
#include "util/log.h"

#define TAG "kvs-emu"

static const char NOT_FOUND_MSG[] = "The requested channel is not found or not active.";

typedef void (*api_fn)(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                       sd_http_response_t *resp);

static bool name_is_valid(const char *s)
{
    size_t n = strlen(s);
    return n <= SD_KVS_MAX_NAME_LEN && kvs_id_is_valid(s); /* same pattern as client ids */
}

/* Looks up the channel named by body's ChannelARN (required). NULL with the answer set. */
static kvs_channel_t *channel_from_arn(sd_kvs_t *k, const cJSON *body, sd_http_response_t *resp)
{
    const char *arn = NULL;
    if (ertc_json_get_string(body, "ChannelARN", &arn) != WEBRTC_STATUS_SUCCESS || arn[0] == '\0') {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "1 validation error detected: Value null at 'channelARN' failed to "
                          "satisfy constraint: Member must not be null");
        return NULL;
    }
    kvs_channel_t *ch = kvs_channel_by_arn(k, arn);
    if (ch == NULL) {
        kvs_respond_error(resp, 404, "ResourceNotFoundException", false, "%s", NOT_FOUND_MSG);
    }
    return ch;
}

/* ---- the operations ------------------------------------------------------------------------ */

static void describe(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                     sd_http_response_t *resp)
{
    (void)req;
    const char *name = NULL, *arn = NULL;
    ertc_json_get_string(body, "ChannelName", &name);
    ertc_json_get_string(body, "ChannelARN", &arn);
    if ((name == NULL || name[0] == '\0') && (arn == NULL || arn[0] == '\0')) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "Either ChannelName or ChannelARN must be specified.");
        return;
    }
    kvs_channel_t *ch =
        name != NULL && name[0] != '\0' ? kvs_channel_by_name(k, name) : kvs_channel_by_arn(k, arn);
    if (ch == NULL) {
        kvs_respond_error(resp, 404, "ResourceNotFoundException", false, "%s", NOT_FOUND_MSG);
        return;
    }
    sd_http_respond_json(resp, 200);
    ertc_strbuf_t *b = &resp->body;
    ertc_strbuf_append_str(b, "{\"ChannelInfo\":{\"ChannelARN\":");
    ertc_strbuf_append_json_string(b, ch->arn, strlen(ch->arn));
    ertc_strbuf_append_str(b, ",\"ChannelName\":");
    ertc_strbuf_append_json_string(b, ch->name, strlen(ch->name));
    ertc_strbuf_appendf(b,
                        ",\"ChannelStatus\":\"ACTIVE\",\"ChannelType\":\"SINGLE_MASTER\","
                        "\"CreationTime\":%llu.%03u,\"SingleMasterConfiguration\":"
                        "{\"MessageTtlSeconds\":%u},\"Version\":\"%s\"}}",
                        (unsigned long long)(ch->created_ms / 1000),
                        (unsigned)(ch->created_ms % 1000), (unsigned)ch->message_ttl_s,
                        ch->version);
}

static void create(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                   sd_http_response_t *resp)
{
    (void)req;
    const char *name = NULL, *type = NULL;
    int64_t ttl = SD_KVS_DEFAULT_TTL_S;
    cJSON *single = NULL;
    ertc_json_get_string(body, "ChannelType", &type);
    if (ertc_json_get_object(body, "SingleMasterConfiguration", &single) == WEBRTC_STATUS_SUCCESS &&
        ertc_json_get_int(single, "MessageTtlSeconds", &ttl) == WEBRTC_STATUS_MALFORMED) {
        ttl = -1;
    }
    if (ertc_json_get_string(body, "ChannelName", &name) != WEBRTC_STATUS_SUCCESS ||
        !name_is_valid(name)) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "1 validation error detected: Value at 'channelName' failed to satisfy "
                          "constraint: Member must satisfy regular expression pattern: "
                          "[a-zA-Z0-9_.-]+ and have length between 1 and 256");
    } else if (type != NULL && strcmp(type, "SINGLE_MASTER") != 0) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "ChannelType %.32s is not supported; use SINGLE_MASTER.", type);
    } else if (ttl < 5 || ttl > 120) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "MessageTtlSeconds must be between 5 and 120.");
    } else if (kvs_channel_by_name(k, name) != NULL) {
        kvs_respond_error(resp, 400, "ResourceInUseException", false,
                          "The signaling channel %s already exists.", name);
    } else if (k->n_channels >= SD_KVS_MAX_CHANNELS) {
        kvs_respond_error(resp, 400, "AccountChannelLimitExceededException", false,
                          "You have reached the maximum limit of %d signaling channels.",
                          SD_KVS_MAX_CHANNELS);
    } else {
        kvs_channel_t *ch = kvs_channel_add(k, name, (uint32_t)ttl);
        if (ch == NULL) {
            kvs_respond_error(resp, 500, "ServiceUnavailableException", false, "Out of memory.");
            return;
        }
        ERTC_LOGI(TAG, "channel %s created", ch->name);
        sd_http_respond_json(resp, 200);
        ertc_strbuf_append_str(&resp->body, "{\"ChannelARN\":");
        ertc_strbuf_append_json_string(&resp->body, ch->arn, strlen(ch->arn));
        ertc_strbuf_append_char(&resp->body, '}');
    }
}

static void get_endpoint(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                         sd_http_response_t *resp)
{
    kvs_channel_t *ch = channel_from_arn(k, body, resp);
    if (ch == NULL) {
        return;
    }
    const char *protocols[5] = {"WSS", "HTTPS"};
    size_t n = 2;
    cJSON *cfg = NULL, *list = NULL;
    if (ertc_json_get_object(body, "SingleMasterChannelEndpointConfiguration", &cfg) ==
        WEBRTC_STATUS_SUCCESS) {
        const char *role = NULL;
        if (ertc_json_get_string(cfg, "Role", &role) == WEBRTC_STATUS_SUCCESS &&
            strcmp(role, "MASTER") != 0 && strcmp(role, "VIEWER") != 0) {
            kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                              "Role must be MASTER or VIEWER.");
            return;
        }
        if (ertc_json_get_array(cfg, "Protocols", &list) == WEBRTC_STATUS_SUCCESS) {
            n = 0;
            const cJSON *it = NULL;
            cJSON_ArrayForEach(it, list)
            {
                const char *p = cJSON_IsString(it) ? it->valuestring : "";
                if (n >= 5 || (strcmp(p, "WSS") != 0 && strcmp(p, "HTTPS") != 0)) {
                    kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                                      "Protocols must hold 1 to 5 of WSS and HTTPS (WEBRTC "
                                      "needs media storage, which the emulator has not).");
                    return;
                }
                protocols[n++] = p;
            }
            if (n == 0) {
                kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                                  "Protocols must not be empty.");
                return;
            }
        }
    }
    /* The Host the client used; a client that leaves the port out (the KVS C SDK, which
     * expects 443) gets the listener's port added unless it is the scheme's default. */
    char host[320];
    snprintf(host, sizeof(host), "%s", req->host);
    const char *bracket = strrchr(host, ']');
    const char *port = strrchr(k->authority, ':');
    if (strchr(bracket != NULL ? bracket : host, ':') == NULL && port != NULL &&
        strcmp(port, k->cfg.tls ? ":443" : ":80") != 0) {
        snprintf(host, sizeof(host), "%.255s%s", req->host, port);
    }
    sd_http_respond_json(resp, 200);
    ertc_strbuf_t *b = &resp->body;
    ertc_strbuf_append_str(b, "{\"ResourceEndpointList\":[");
    for (size_t i = 0; i < n; i++) {
        bool wss = strcmp(protocols[i], "WSS") == 0;
        const char *scheme = wss ? (k->cfg.tls ? "wss" : "ws") : (k->cfg.tls ? "https" : "http");
        ertc_strbuf_appendf(b, "%s{\"Protocol\":\"%s\",\"ResourceEndpoint\":\"%s://%s\"}",
                            i > 0 ? "," : "", protocols[i], scheme, host);
    }
    ertc_strbuf_append_str(b, "]}");
}

static void delete_channel(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                           sd_http_response_t *resp)
{
    (void)req;
    kvs_channel_t *ch = channel_from_arn(k, body, resp);
    if (ch == NULL) {
        return;
    }
    const char *version = NULL;
    if (ertc_json_get_string(body, "CurrentVersion", &version) == WEBRTC_STATUS_SUCCESS &&
        strcmp(version, ch->version) != 0) {
        kvs_respond_error(resp, 400, "VersionMismatchException", false,
                          "The version of the channel does not match the current version.");
        return;
    }
    ERTC_LOGI(TAG, "channel %s deleted", ch->name);
    kvs_channel_remove(k, ch);
    sd_http_respond_json(resp, 200);
    ertc_strbuf_append_str(&resp->body, "{}");
}

static void get_ice_config(sd_kvs_t *k, const cJSON *body, const sd_http_request_t *req,
                           sd_http_response_t *resp)
{
    (void)req;
    kvs_channel_t *ch = channel_from_arn(k, body, resp);
    if (ch == NULL) {
        return;
    }
    const char *client = NULL, *service = NULL;
    if (ertc_json_get_string(body, "ClientId", &client) == WEBRTC_STATUS_SUCCESS &&
        !kvs_id_is_valid(client)) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "ClientId must match [a-zA-Z0-9_.-]+ with 1 to 256 characters.");
        return;
    }
    if (ertc_json_get_string(body, "Service", &service) == WEBRTC_STATUS_SUCCESS &&
        strcmp(service, "TURN") != 0) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false, "Service must be TURN.");
        return;
    }
    const sd_ice_config_t *ice = k->cfg.ice;
    uint32_t ttl = ice->turn_ttl_s < SD_KVS_ICE_TTL_S ? ice->turn_ttl_s : SD_KVS_ICE_TTL_S;
    /* The TURN REST scheme (ice_config.h) that coturn's use-auth-secret checks. */
    char username[96];
    snprintf(username, sizeof(username), "%llu:%s",
             (unsigned long long)(ertc_time_wall_ms() / 1000 + ttl), ice->turn_user);
    char password[SD_ICE_CREDENTIAL_SIZE] = SD_ICE_DUMMY_CREDENTIAL;
    if (ice->turn_secret != NULL &&
        sd_ice_rest_credential(ice->turn_secret, username, password) != WEBRTC_STATUS_SUCCESS) {
        kvs_respond_error(resp, 500, "ServiceUnavailableException", false,
                          "Cannot compute TURN credentials.");
        return;
    }
    sd_http_respond_json(resp, 200);
    ertc_strbuf_t *b = &resp->body;
    ertc_strbuf_append_str(b, "{\"IceServerList\":[");
    /* At most 3 URIs per entry, like the service (the C SDK refuses more than 4). */
    for (size_t i = 0; i < ice->n_turn; i += 3) {
        ertc_strbuf_appendf(b, "%s{\"Password\":\"%s\",\"Ttl\":%u,\"Uris\":[", i > 0 ? "," : "",
                            password, (unsigned)ttl);
        for (size_t j = i; j < ice->n_turn && j < i + 3; j++) {
            ertc_strbuf_append_str(b, j > i ? "," : "");
            ertc_strbuf_append_json_string(b, ice->turn[j], strlen(ice->turn[j]));
        }
        ertc_strbuf_append_str(b, "],\"Username\":");
        ertc_strbuf_append_json_string(b, username, strlen(username));
        ertc_strbuf_append_char(b, '}');
    }
    ertc_strbuf_append_str(b, "]}");
}

/* ---- routing ------------------------------------------------------------------------------- */

static const struct {
    const char *path;
    api_fn fn;
} APIS[] = {
    {"/describeSignalingChannel", describe},        {"/createSignalingChannel", create},
    {"/getSignalingChannelEndpoint", get_endpoint}, {"/deleteSignalingChannel", delete_channel},
    {"/v1/get-ice-server-config", get_ice_config},
};

sd_route_result_t kvs_control_route(sd_kvs_t *k, const sd_http_request_t *req,
                                    sd_http_response_t *resp)
{
    api_fn fn = NULL;
    for (size_t i = 0; i < sizeof(APIS) / sizeof(APIS[0]); i++) {
        if (strcmp(req->path, APIS[i].path) == 0) {
            fn = APIS[i].fn;
        }
    }
    if (fn == NULL) {
        return SD_ROUTE_NEXT;
    }
    if (!kvs_check_auth(k, req, resp, false)) {
        return SD_ROUTE_DONE;
    }
    cJSON *body = NULL;
    const char *text = req->body_len > 0 ? req->body : "{}";
    size_t len = req->body_len > 0 ? req->body_len : 2;
    if (ertc_json_parse(text, len, SD_KVS_MAX_BODY, &body) != WEBRTC_STATUS_SUCCESS ||
        !cJSON_IsObject(body)) {
        cJSON_Delete(body);
        kvs_respond_error(resp, 400, "SerializationException", false,
                          "The request body is not a JSON object.");
        return SD_ROUTE_DONE;
    }
    fn(k, body, req, resp);
    cJSON_Delete(body);
    return SD_ROUTE_DONE;
}
