/*
 * signaling/kvs/kvs_api — request bodies, response parsers, error mapping and back-off for
 * the KVS control plane (spec §1). See kvs_api.h for the contracts.
 */
#include "signaling/kvs/kvs_api.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"
#include "util/log.h"

#define TAG "kvs-api"

static const char *const API_NAMES[ERTC_KVS_API_COUNT] = {
    "DescribeSignalingChannel", "CreateSignalingChannel", "GetSignalingChannelEndpoint",
    "GetIceServerConfig",       "DeleteSignalingChannel",
};
static const char *const API_PATHS[ERTC_KVS_API_COUNT] = {
    "/describeSignalingChannel", "/createSignalingChannel", "/getSignalingChannelEndpoint",
    "/v1/get-ice-server-config", "/deleteSignalingChannel",
};

const char *ertc_kvs_api_name(ertc_kvs_api_t api)
{
    return (unsigned)api < ERTC_KVS_API_COUNT ? API_NAMES[api] : "Unknown";
}

const char *ertc_kvs_api_path(ertc_kvs_api_t api)
{
    return (unsigned)api < ERTC_KVS_API_COUNT ? API_PATHS[api] : NULL;
}

const char *ertc_kvs_role_name(ertc_kvs_role_t role)
{
    return role == ERTC_KVS_ROLE_VIEWER ? "VIEWER" : "MASTER";
}

/* ---- input validation --------------------------------------------------------------------- */

/* [a-zA-Z0-9_.-]{1,max}: the model's pattern for channel names and client ids. */
static WEBRTC_STATUS check_name(const char *s, size_t max)
{
    if (s == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t n = strnlen(s, max + 1);
    if (n == 0 || n > max) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* 1..max printable ASCII characters (ARNs, versions): no quotes to escape in practice, but
 * the builders escape anyway. */
static WEBRTC_STATUS check_printable(const char *s, size_t max)
{
    if (s == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t n = strnlen(s, max + 1);
    if (n == 0 || n > max) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- builders ----------------------------------------------------------------------------- */

static void append_field(ertc_strbuf_t *out, const char *key, const char *value)
{
    ertc_strbuf_append_char(out, '"');
    ertc_strbuf_append_str(out, key);
    ertc_strbuf_append_str(out, "\":");
    ertc_strbuf_append_json_string(out, value, strlen(value));
}

/* Appends to out only when everything fits: the builders write into a scratch length and
 * roll back on failure, so a caller never sees half a body. */
static WEBRTC_STATUS finish(ertc_strbuf_t *out, size_t start_len)
{
    WEBRTC_STATUS s = ertc_strbuf_status(out);
    if (s != WEBRTC_STATUS_SUCCESS && out->data != NULL && start_len <= out->len) {
        out->len = start_len;
        out->data[start_len] = '\0';
    }
    return s;
}

WEBRTC_STATUS ertc_kvs_build_describe(const char *channel_name, const char *channel_arn,
                                      ertc_strbuf_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if ((channel_name == NULL) == (channel_arn == NULL)) {
        return channel_name == NULL ? WEBRTC_STATUS_NULL_ARG : WEBRTC_STATUS_INVALID_ARG;
    }
    WEBRTC_STATUS s = channel_name != NULL ? check_name(channel_name, ERTC_KVS_MAX_CHANNEL_NAME_LEN)
                                           : check_printable(channel_arn, ERTC_KVS_MAX_ARN_LEN);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    size_t start = out->len;
    ertc_strbuf_append_char(out, '{');
    if (channel_name != NULL) {
        append_field(out, "ChannelName", channel_name);
    } else {
        append_field(out, "ChannelARN", channel_arn);
    }
    ertc_strbuf_append_char(out, '}');
    return finish(out, start);
}

WEBRTC_STATUS ertc_kvs_build_create(const char *channel_name, uint32_t message_ttl_s,
                                    ertc_strbuf_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS s = check_name(channel_name, ERTC_KVS_MAX_CHANNEL_NAME_LEN);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    if (message_ttl_s == 0) {
        message_ttl_s = ERTC_KVS_DEFAULT_MESSAGE_TTL_S;
    }
    if (message_ttl_s < ERTC_KVS_MIN_MESSAGE_TTL_S || message_ttl_s > ERTC_KVS_MAX_MESSAGE_TTL_S) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t start = out->len;
    ertc_strbuf_append_char(out, '{');
    append_field(out, "ChannelName", channel_name);
    ertc_strbuf_appendf(out,
                        ",\"ChannelType\":\"SINGLE_MASTER\",\"SingleMasterConfiguration\":"
                        "{\"MessageTtlSeconds\":%u}}",
                        (unsigned)message_ttl_s);
    return finish(out, start);
}

WEBRTC_STATUS ertc_kvs_build_get_endpoint(const char *channel_arn, ertc_kvs_role_t role,
                                          ertc_strbuf_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS s = check_printable(channel_arn, ERTC_KVS_MAX_ARN_LEN);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    if (role != ERTC_KVS_ROLE_MASTER && role != ERTC_KVS_ROLE_VIEWER) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t start = out->len;
    ertc_strbuf_append_char(out, '{');
    append_field(out, "ChannelARN", channel_arn);
    ertc_strbuf_appendf(out,
                        ",\"SingleMasterChannelEndpointConfiguration\":"
                        "{\"Protocols\":[\"WSS\",\"HTTPS\"],\"Role\":\"%s\"}}",
                        ertc_kvs_role_name(role));
    return finish(out, start);
}

WEBRTC_STATUS ertc_kvs_build_get_ice_config(const char *channel_arn, const char *client_id,
                                            ertc_strbuf_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS s = check_printable(channel_arn, ERTC_KVS_MAX_ARN_LEN);
    if (s == WEBRTC_STATUS_SUCCESS) {
        s = check_name(client_id, ERTC_KVS_MAX_CLIENT_ID_LEN);
    }
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    size_t start = out->len;
    ertc_strbuf_append_char(out, '{');
    append_field(out, "ChannelARN", channel_arn);
    ertc_strbuf_append_char(out, ',');
    append_field(out, "ClientId", client_id);
    ertc_strbuf_append_str(out, ",\"Service\":\"TURN\"}");
    return finish(out, start);
}

WEBRTC_STATUS ertc_kvs_build_delete(const char *channel_arn, const char *current_version,
                                    ertc_strbuf_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS s = check_printable(channel_arn, ERTC_KVS_MAX_ARN_LEN);
    if (s == WEBRTC_STATUS_SUCCESS && current_version != NULL) {
        s = check_printable(current_version, ERTC_KVS_MAX_VERSION_LEN);
    }
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    size_t start = out->len;
    ertc_strbuf_append_char(out, '{');
    append_field(out, "ChannelARN", channel_arn);
    if (current_version != NULL) {
        ertc_strbuf_append_char(out, ',');
        append_field(out, "CurrentVersion", current_version);
    }
    ertc_strbuf_append_char(out, '}');
    return finish(out, start);
}

/* ---- parsers ------------------------------------------------------------------------------ */

static WEBRTC_STATUS parse_root(const char *buf, size_t len, cJSON **root)
{
    if (buf == NULL && len > 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS s = ertc_json_parse(buf, len, ERTC_KVS_MAX_RESPONSE_LEN, root);
    if (s == WEBRTC_STATUS_NOT_ENOUGH_MEMORY) {
        return s;
    }
    if (s != WEBRTC_STATUS_SUCCESS || !cJSON_IsObject(*root)) {
        if (s == WEBRTC_STATUS_SUCCESS) {
            cJSON_Delete(*root);
            *root = NULL;
        }
        ERTC_LOGW(TAG, "response is not a JSON object of at most %d bytes (%zu bytes)",
                  ERTC_KVS_MAX_RESPONSE_LEN, len);
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Copies a required (or, with required false, optional) string field; any failure other
 * than an absent optional field is an invalid message. */
static bool copy_field(const cJSON *obj, const char *key, char *buf, size_t size, bool required)
{
    WEBRTC_STATUS s = ertc_json_copy_string(obj, key, buf, size, NULL);
    if (s == WEBRTC_STATUS_SUCCESS) {
        return true;
    }
    if (s == WEBRTC_STATUS_NOT_FOUND && !required) {
        return true;
    }
    ERTC_LOGW(TAG, "response field %s: %s", key, webrtc_status_name(s));
    return false;
}

static ertc_kvs_channel_type_t parse_channel_type(const char *s)
{
    if (s != NULL && strcmp(s, "SINGLE_MASTER") == 0) {
        return ERTC_KVS_CHANNEL_SINGLE_MASTER;
    }
    if (s != NULL && strcmp(s, "FULL_MESH") == 0) {
        return ERTC_KVS_CHANNEL_FULL_MESH;
    }
    return ERTC_KVS_CHANNEL_TYPE_UNKNOWN;
}

static ertc_kvs_channel_status_t parse_channel_status(const char *s)
{
    if (strcmp(s, "ACTIVE") == 0) {
        return ERTC_KVS_CHANNEL_ACTIVE;
    }
    if (strcmp(s, "CREATING") == 0) {
        return ERTC_KVS_CHANNEL_CREATING;
    }
    if (strcmp(s, "UPDATING") == 0) {
        return ERTC_KVS_CHANNEL_UPDATING;
    }
    /* DELETING, and (as the C SDK does) any status this code does not know. */
    return ERTC_KVS_CHANNEL_DELETING;
}

/* An epoch-seconds JSON number such as 1.64153422775E9, truncated to whole seconds. */
static bool parse_epoch(const cJSON *obj, const char *key, int64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL) {
        return true;
    }
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0 ||
        item->valuedouble > (double)ERTC_JSON_MAX_EXACT_INT) {
        return false;
    }
    *out = (int64_t)item->valuedouble;
    return true;
}

WEBRTC_STATUS ertc_kvs_parse_describe(const char *buf, size_t len, ertc_kvs_channel_info_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    WEBRTC_STATUS s = parse_root(buf, len, &root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    cJSON *info = NULL;
    cJSON *smc = NULL;
    const char *status = NULL;
    const char *type = NULL;
    int64_t ttl = 0;
    if (ertc_json_get_object(root, "ChannelInfo", &info) != WEBRTC_STATUS_SUCCESS ||
        !copy_field(info, "ChannelARN", out->arn, sizeof(out->arn), true) ||
        !copy_field(info, "ChannelName", out->name, sizeof(out->name), false) ||
        !copy_field(info, "Version", out->version, sizeof(out->version), false) ||
        ertc_json_get_string(info, "ChannelStatus", &status) != WEBRTC_STATUS_SUCCESS ||
        !parse_epoch(info, "CreationTime", &out->creation_time)) {
        goto done;
    }
    WEBRTC_STATUS ts = ertc_json_get_string(info, "ChannelType", &type);
    if (ts != WEBRTC_STATUS_SUCCESS && ts != WEBRTC_STATUS_NOT_FOUND) {
        goto done;
    }
    WEBRTC_STATUS ss = ertc_json_get_object(info, "SingleMasterConfiguration", &smc);
    if (ss == WEBRTC_STATUS_SUCCESS) {
        WEBRTC_STATUS ms =
            ertc_json_get_int_range(smc, "MessageTtlSeconds", 1, ERTC_KVS_MAX_ICE_TTL_S, &ttl);
        if (ms != WEBRTC_STATUS_SUCCESS && ms != WEBRTC_STATUS_NOT_FOUND) {
            goto done;
        }
    } else if (ss != WEBRTC_STATUS_NOT_FOUND) {
        goto done;
    }
    out->message_ttl_s = (uint32_t)ttl;
    out->type = parse_channel_type(type);
    out->status = parse_channel_status(status);
    if (out->status == ERTC_KVS_CHANNEL_DELETING) {
        ERTC_LOGW(TAG, "channel %s is being deleted (status %.16s)", out->arn, status);
        s = ERTC_KVS_STATUS_CHANNEL_BEING_DELETED;
    } else {
        s = WEBRTC_STATUS_SUCCESS;
    }
done:
    cJSON_Delete(root);
    if (s == WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE) {
        memset(out, 0, sizeof(*out));
    }
    return s;
}

WEBRTC_STATUS ertc_kvs_parse_create(const char *buf, size_t len, char *arn, size_t arn_size)
{
    if (arn == NULL || arn_size == 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    arn[0] = '\0';
    cJSON *root = NULL;
    WEBRTC_STATUS s = parse_root(buf, len, &root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    size_t n = 0;
    s = ertc_json_copy_string(root, "ChannelARN", arn, arn_size, &n);
    cJSON_Delete(root);
    if (s == WEBRTC_STATUS_SUCCESS && (n == 0 || n > ERTC_KVS_MAX_ARN_LEN)) {
        s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    } else if (s != WEBRTC_STATUS_SUCCESS && s != WEBRTC_STATUS_BUFFER_TOO_SMALL) {
        s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    if (s != WEBRTC_STATUS_SUCCESS) {
        arn[0] = '\0';
    }
    return s;
}

WEBRTC_STATUS ertc_kvs_parse_get_endpoint(const char *buf, size_t len, ertc_kvs_endpoints_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    WEBRTC_STATUS s = parse_root(buf, len, &root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    cJSON *list = NULL;
    if (ertc_json_get_array(root, "ResourceEndpointList", &list) != WEBRTC_STATUS_SUCCESS) {
        goto done;
    }
    const cJSON *item = NULL;
    cJSON_ArrayForEach(item, list)
    {
        const char *protocol = NULL;
        if (!cJSON_IsObject(item) ||
            ertc_json_get_string(item, "Protocol", &protocol) != WEBRTC_STATUS_SUCCESS) {
            goto done;
        }
        char *dst = NULL;
        size_t size = 0;
        if (strcasecmp(protocol, "WSS") == 0 && out->wss[0] == '\0') {
            dst = out->wss;
            size = sizeof(out->wss);
        } else if (strcasecmp(protocol, "HTTPS") == 0 && out->https[0] == '\0') {
            dst = out->https;
            size = sizeof(out->https);
        } else {
            continue;
        }
        size_t n = 0;
        if (ertc_json_copy_string(item, "ResourceEndpoint", dst, size, &n) !=
                WEBRTC_STATUS_SUCCESS ||
            n == 0) {
            goto done;
        }
    }
    if (out->wss[0] == '\0' || out->https[0] == '\0') {
        ERTC_LOGW(TAG, "GetSignalingChannelEndpoint: missing %s endpoint",
                  out->wss[0] == '\0' ? "WSS" : "HTTPS");
        goto done;
    }
    s = WEBRTC_STATUS_SUCCESS;
done:
    cJSON_Delete(root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        memset(out, 0, sizeof(*out));
    }
    return s;
}

WEBRTC_STATUS ertc_kvs_parse_ice_config(const char *buf, size_t len, ertc_kvs_ice_config_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    WEBRTC_STATUS s = parse_root(buf, len, &root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return s;
    }
    s = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    cJSON *list = NULL;
    if (ertc_json_get_array(root, "IceServerList", &list) != WEBRTC_STATUS_SUCCESS) {
        goto done;
    }
    const cJSON *entry = NULL;
    cJSON_ArrayForEach(entry, list)
    {
        cJSON *uris = NULL;
        const char *username = NULL;
        const char *password = NULL;
        int64_t ttl = 0;
        if (!cJSON_IsObject(entry) ||
            ertc_json_get_array(entry, "Uris", &uris) != WEBRTC_STATUS_SUCCESS ||
            ertc_json_get_string(entry, "Username", &username) != WEBRTC_STATUS_SUCCESS ||
            ertc_json_get_string(entry, "Password", &password) != WEBRTC_STATUS_SUCCESS ||
            ertc_json_get_int_range(entry, "Ttl", ERTC_KVS_MIN_ICE_TTL_S, ERTC_KVS_MAX_ICE_TTL_S,
                                    &ttl) != WEBRTC_STATUS_SUCCESS ||
            strlen(username) > APP_WEBRTC_MAX_ICE_CONFIG_USER_NAME_LEN ||
            strlen(password) > APP_WEBRTC_MAX_ICE_CONFIG_CREDENTIAL_LEN) {
            ERTC_LOGW(TAG, "GetIceServerConfig: an IceServerList entry is incomplete or too long");
            goto done;
        }
        if (out->min_ttl_s == 0 || (uint32_t)ttl < out->min_ttl_s) {
            out->min_ttl_s = (uint32_t)ttl;
        }
        const cJSON *uri = NULL;
        cJSON_ArrayForEach(uri, uris)
        {
            if (!cJSON_IsString(uri)) {
                goto done;
            }
            size_t n = strlen(uri->valuestring);
            if (n == 0 || n > APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN ||
                out->count >= APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
                out->dropped++;
                continue;
            }
            app_webrtc_ice_server_t *dst = &out->servers[out->count++];
            memcpy(dst->urls, uri->valuestring, n + 1);
            memcpy(dst->username, username, strlen(username) + 1);
            memcpy(dst->credential, password, strlen(password) + 1);
        }
    }
    if (out->dropped > 0) {
        ERTC_LOGD(TAG, "GetIceServerConfig: kept %u URIs, dropped %u", (unsigned)out->count,
                  (unsigned)out->dropped);
    }
    s = WEBRTC_STATUS_SUCCESS;
done:
    cJSON_Delete(root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        /* The table holds TURN passwords: wipe rather than leave a partial copy. */
        memset(out, 0, sizeof(*out));
    }
    return s;
}

/* ---- error mapping ------------------------------------------------------------------------ */

typedef struct {
    const char *name; /* without the "Exception" suffix */
    WEBRTC_STATUS status;
} error_rule_t;

static const error_rule_t ERROR_RULES[] = {
    {"AccessDenied", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"NotAuthorized", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"UnrecognizedClient", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"InvalidSignature", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"IncompleteSignature", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"ExpiredToken", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"MissingAuthenticationToken", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"SessionExpired", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"InvalidClientTokenId", WEBRTC_STATUS_SIGNALING_AUTH_FAILED},
    {"ResourceNotFound", WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND},
    {"ClientLimitExceeded", WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
    {"Throttling", WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
    {"TooManyRequests", WEBRTC_STATUS_SIGNALING_RATE_LIMITED},
    {"ResourceInUse", ERTC_KVS_STATUS_CHANNEL_IN_USE},
};

#define EXCEPTION_SUFFIX "Exception"

/* Extracts the bare error name: drops a "namespace#" prefix and a ":…" suffix, keeps
 * [A-Za-z0-9_.] only. */
static void clean_error_type(const char *in, char *out, size_t size)
{
    out[0] = '\0';
    if (in == NULL) {
        return;
    }
    const char *hash = strrchr(in, '#');
    if (hash != NULL) {
        in = hash + 1;
    }
    size_t n = 0;
    while (in[n] != '\0' && in[n] != ':' && n + 1 < size) {
        char c = in[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.';
        if (!ok) {
            break;
        }
        out[n] = c;
        n++;
    }
    out[n] = '\0';
}

static bool rule_matches(const char *rule, const char *type)
{
    size_t rn = strlen(rule);
    if (strncmp(rule, type, rn) != 0) {
        return false;
    }
    return type[rn] == '\0' || strcmp(type + rn, EXCEPTION_SUFFIX) == 0;
}

/* Copies the printable ASCII of msg into out, cut before "\n" and, for signature errors,
 * before the canonical request the service echoes back. */
static void clean_message(const char *msg, const char *type, char *out, size_t size)
{
    static const char *const CUT_MARKERS[] = {"The Canonical String", "The String-to-Sign"};
    size_t limit = strlen(msg);
    if (rule_matches("InvalidSignature", type) || strstr(msg, "Canonical String") != NULL) {
        for (size_t i = 0; i < sizeof(CUT_MARKERS) / sizeof(CUT_MARKERS[0]); i++) {
            const char *m = strstr(msg, CUT_MARKERS[i]);
            if (m != NULL && (size_t)(m - msg) < limit) {
                limit = (size_t)(m - msg);
            }
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < limit && n + 1 < size; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c == '\n' || c == '\r') {
            break;
        }
        if (c >= 0x20 && c < 0x7f) {
            out[n++] = (char)c;
        }
    }
    while (n > 0 && out[n - 1] == ' ') {
        n--;
    }
    out[n] = '\0';
}

WEBRTC_STATUS ertc_kvs_map_error(ertc_kvs_api_t api, int http_status, const char *error_type,
                                 const char *body, size_t body_len, char *msg, size_t msg_size)
{
    char type[ERTC_KVS_MAX_ERROR_TYPE_LEN + 1];
    char text[ERTC_KVS_MAX_ERROR_TEXT_LEN];
    clean_error_type(error_type, type, sizeof(type));
    text[0] = '\0';

    cJSON *root = NULL;
    if (body != NULL && body_len > 0 &&
        ertc_json_parse(body, body_len, ERTC_KVS_MAX_RESPONSE_LEN, &root) ==
            WEBRTC_STATUS_SUCCESS) {
        const char *s = NULL;
        if (type[0] == '\0' && ertc_json_get_string(root, "__type", &s) == WEBRTC_STATUS_SUCCESS) {
            clean_error_type(s, type, sizeof(type));
        }
        if (ertc_json_get_string(root, "message", &s) == WEBRTC_STATUS_SUCCESS ||
            ertc_json_get_string(root, "Message", &s) == WEBRTC_STATUS_SUCCESS) {
            clean_message(s, type, text, sizeof(text));
        }
        cJSON_Delete(root);
    }

    WEBRTC_STATUS status = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    bool known = false;
    if (http_status >= 200 && http_status < 300) {
        status = WEBRTC_STATUS_SUCCESS;
        known = true;
    } else if (api == ERTC_KVS_API_DELETE_CHANNEL && http_status == 404) {
        status = WEBRTC_STATUS_SUCCESS;
        known = true;
    }
    for (size_t i = 0;
         !known && type[0] != '\0' && i < sizeof(ERROR_RULES) / sizeof(ERROR_RULES[0]); i++) {
        if (rule_matches(ERROR_RULES[i].name, type)) {
            status = ERROR_RULES[i].status;
            known = true;
        }
    }
    if (!known) {
        if (http_status == 0) {
            status = WEBRTC_STATUS_SIGNALING_TIMEOUT;
        } else if (http_status == 401 || http_status == 403) {
            status = WEBRTC_STATUS_SIGNALING_AUTH_FAILED;
        } else if (http_status == 404) {
            status = WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND;
        } else if (http_status == 429) {
            status = WEBRTC_STATUS_SIGNALING_RATE_LIMITED;
        } else if (http_status >= 500 && http_status < 600) {
            status = WEBRTC_STATUS_RETRY_LATER;
        }
    }

    if (msg != NULL && msg_size > 0) {
        if (http_status == 0) {
            snprintf(msg, msg_size, "KVS %s: no response", ertc_kvs_api_name(api));
        } else {
            snprintf(msg, msg_size, "KVS %s: %d %s%s%s", ertc_kvs_api_name(api), http_status,
                     type[0] != '\0' ? type : "(no error type)", text[0] != '\0' ? ": " : "", text);
        }
    }
    return status;
}

/* ---- retry policy ------------------------------------------------------------------------- */

bool ertc_kvs_status_is_retryable(WEBRTC_STATUS status)
{
    return status == WEBRTC_STATUS_RETRY_LATER || status == WEBRTC_STATUS_SIGNALING_RATE_LIMITED ||
           status == WEBRTC_STATUS_SIGNALING_TIMEOUT || status == WEBRTC_STATUS_TIMEOUT ||
           status == WEBRTC_STATUS_NETWORK_ERROR;
}

uint32_t ertc_kvs_backoff_delay_ms(uint32_t attempt, uint32_t random)
{
    uint32_t ceiling = ERTC_KVS_BACKOFF_CAP_MS;
    /* 100 << 7 = 12800 already passes the cap; larger shifts would overflow. */
    if (attempt < 7) {
        uint32_t exp = ERTC_KVS_BACKOFF_BASE_MS << attempt;
        if (exp < ceiling) {
            ceiling = exp;
        }
    }
    return random % (ceiling + 1u);
}

bool ertc_kvs_retry_decide(WEBRTC_STATUS status, uint32_t attempt, uint32_t random,
                           uint32_t *delay_ms)
{
    if (!ertc_kvs_status_is_retryable(status) || attempt >= ERTC_KVS_RETRY_MAX_ATTEMPTS) {
        return false;
    }
    if (delay_ms != NULL) {
        *delay_ms = ertc_kvs_backoff_delay_ms(attempt, random);
    }
    return true;
}
