/*
 * signaling/apprtc/apprtc_message — see apprtc_message.h. Built on cJSON through util/json,
 * which bounds input size and nesting before anything is parsed.
 */
#include "signaling/apprtc/apprtc_message.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"

/* Prints item compactly into a buffer of ours (ertc_free releases it). */
static WEBRTC_STATUS print_json(cJSON *item, char **out, size_t *out_len)
{
    char *text = cJSON_PrintUnformatted(item);
    if (text == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    size_t n = strlen(text);
    *out = ertc_memdup(text, n + 1);
    cJSON_free(text);
    if (*out == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    return WEBRTC_STATUS_SUCCESS;
}

bool apprtc_valid_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > APPRTC_MAX_ROOM_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* ---- ICE servers -------------------------------------------------------------------------- */

static void add_ice_url(app_webrtc_ice_server_t *out, uint32_t *count, const char *url,
                        const char *user, const char *cred)
{
    if (*count >= APP_WEBRTC_MAX_ICE_SERVERS_COUNT || url == NULL ||
        strlen(url) > APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN ||
        (strncmp(url, "stun:", 5) != 0 && strncmp(url, "turn:", 5) != 0 &&
         strncmp(url, "turns:", 6) != 0)) {
        return;
    }
    app_webrtc_ice_server_t *s = &out[(*count)++];
    memset(s, 0, sizeof(*s));
    snprintf(s->urls, sizeof(s->urls), "%s", url);
    if (user != NULL && strlen(user) <= APP_WEBRTC_MAX_ICE_CONFIG_USER_NAME_LEN) {
        snprintf(s->username, sizeof(s->username), "%s", user);
    }
    if (cred != NULL && strlen(cred) <= APP_WEBRTC_MAX_ICE_CONFIG_CREDENTIAL_LEN) {
        snprintf(s->credential, sizeof(s->credential), "%s", cred);
    }
}

static void collect_ice_servers(const cJSON *list, app_webrtc_ice_server_t *out, uint32_t *count)
{
    const cJSON *server;
    cJSON_ArrayForEach(server, list)
    {
        const char *user = NULL, *cred = NULL;
        ertc_json_get_string(server, "username", &user);
        ertc_json_get_string(server, "credential", &cred);
        const cJSON *urls = cJSON_GetObjectItemCaseSensitive(server, "urls");
        if (urls == NULL) {
            urls = cJSON_GetObjectItemCaseSensitive(server, "url"); /* older spelling */
        }
        if (cJSON_IsString(urls)) {
            add_ice_url(out, count, urls->valuestring, user, cred);
        } else if (cJSON_IsArray(urls)) {
            const cJSON *u;
            cJSON_ArrayForEach(u, urls)
            {
                if (cJSON_IsString(u)) {
                    add_ice_url(out, count, u->valuestring, user, cred);
                }
            }
        }
    }
}

WEBRTC_STATUS apprtc_parse_ice_servers(const char *json, size_t len, app_webrtc_ice_server_t *out,
                                       uint32_t *count)
{
    cJSON *root = NULL;
    *count = 0;
    WEBRTC_STATUS st = ertc_json_parse(json, len, APPRTC_MAX_MESSAGE_LEN, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    cJSON *list = NULL;
    if (ertc_json_get_array(root, "iceServers", &list) == WEBRTC_STATUS_SUCCESS) {
        collect_ice_servers(list, out, count);
    } else {
        st = WEBRTC_STATUS_MALFORMED;
    }
    cJSON_Delete(root);
    return st;
}

WEBRTC_STATUS apprtc_parse_status(const char *json, size_t len, uint64_t *upsec_ms)
{
    cJSON *root = NULL;
    *upsec_ms = 0;
    WEBRTC_STATUS st = ertc_json_parse(json, len, APPRTC_MAX_MESSAGE_LEN, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    /* Stock Collider prints a float (Go's Duration.Seconds()), signald whole seconds. */
    const cJSON *up = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "upsec") : NULL;
    if (cJSON_IsNumber(up) && up->valuedouble >= 0 && up->valuedouble < 1e9) {
        *upsec_ms = (uint64_t)(up->valuedouble * 1000.0);
    } else {
        st = WEBRTC_STATUS_MALFORMED;
    }
    cJSON_Delete(root);
    return st;
}

/* ---- join -------------------------------------------------------------------------------------- */

void apprtc_join_free(apprtc_join_t *join)
{
    if (join == NULL) {
        return;
    }
    for (size_t i = 0; i < join->message_count; i++) {
        ertc_free(join->messages[i]);
    }
    ertc_free(join->messages);
    join->messages = NULL;
    join->message_count = 0;
}

static WEBRTC_STATUS copy_messages(const cJSON *params, apprtc_join_t *out)
{
    cJSON *list = NULL;
    if (ertc_json_get_array(params, "messages", &list) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_SUCCESS; /* none */
    }
    size_t n = (size_t)cJSON_GetArraySize(list);
    if (n > APPRTC_MAX_STORED_MESSAGES) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (n == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    out->messages = ertc_calloc(n, sizeof(char *));
    if (out->messages == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, list)
    {
        char *text = NULL;
        if (cJSON_IsString(m)) {
            text = ertc_strdup(m->valuestring); /* the reference: a string of JSON */
        } else if (cJSON_IsObject(m)) {
            size_t unused;
            if (print_json((cJSON *)m, &text, &unused) != WEBRTC_STATUS_SUCCESS) {
                text = NULL;
            }
        } else {
            continue;
        }
        if (text == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        out->messages[out->message_count++] = text;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS apprtc_parse_join(const char *body, size_t len, apprtc_join_t *out, char *err,
                                size_t errlen)
{
    memset(out, 0, sizeof(*out));
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse(body, len, APPRTC_MAX_JOIN_RESPONSE, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "the join answer is not JSON (%s)", webrtc_status_name(st));
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    const char *result = NULL;
    cJSON *params = NULL;
    st = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    if (ertc_json_get_string(root, "result", &result) != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "the join answer has no result");
    } else if (strcmp(result, "SUCCESS") != 0) {
        snprintf(err, errlen, "join refused: %.40s", result);
        if (strcmp(result, "FULL") == 0) {
            snprintf(err, errlen, "the room is full (two participants already)");
            st = WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
    } else if (ertc_json_get_object(root, "params", &params) != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "the join answer has no params");
    } else if (ertc_json_copy_string(params, "client_id", out->client_id, sizeof(out->client_id),
                                     NULL) != WEBRTC_STATUS_SUCCESS ||
               !apprtc_valid_id(out->client_id)) {
        snprintf(err, errlen, "the join answer has no usable client_id");
    } else if (ertc_json_copy_string(params, "wss_url", out->wss_url, sizeof(out->wss_url),
                                     NULL) != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "the join answer has no wss_url");
    } else if (ertc_json_get_bool(params, "is_initiator", &out->is_initiator) !=
               WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "the join answer has no is_initiator");
    } else {
        ertc_json_copy_string(params, "wss_post_url", out->wss_post_url, sizeof(out->wss_post_url),
                              NULL);
        ertc_json_copy_string(params, "ice_server_url", out->ice_server_url,
                              sizeof(out->ice_server_url), NULL);
        /* pc_config is a string of JSON in the reference; an object is tolerated. */
        const char *pc = NULL;
        cJSON *pc_obj = NULL;
        if (ertc_json_get_string(params, "pc_config", &pc) == WEBRTC_STATUS_SUCCESS) {
            apprtc_parse_ice_servers(pc, strlen(pc), out->ice_servers, &out->ice_server_count);
        } else if (ertc_json_get_object(params, "pc_config", &pc_obj) == WEBRTC_STATUS_SUCCESS) {
            cJSON *list = NULL;
            if (ertc_json_get_array(pc_obj, "iceServers", &list) == WEBRTC_STATUS_SUCCESS) {
                collect_ice_servers(list, out->ice_servers, &out->ice_server_count);
            }
        }
        st = copy_messages(params, out);
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, errlen, "the join answer's messages cannot be kept (%s)",
                     webrtc_status_name(st));
        }
    }
    cJSON_Delete(root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        apprtc_join_free(out);
    }
    return st;
}

/* ---- Collider frames and messages ------------------------------------------------------------ */

WEBRTC_STATUS apprtc_parse_collider_frame(const char *data, size_t len, char **inner, char *err,
                                          size_t errlen)
{
    *inner = NULL;
    err[0] = '\0';
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse(data, len, APPRTC_MAX_MESSAGE_LEN, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "frame is not JSON");
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    const char *error = NULL, *msg = NULL;
    if (ertc_json_get_string(root, "error", &error) == WEBRTC_STATUS_SUCCESS && error[0] != '\0') {
        snprintf(err, errlen, "server error: %.200s", error);
        st = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    } else if (ertc_json_get_string(root, "msg", &msg) == WEBRTC_STATUS_SUCCESS) {
        if (msg[0] != '\0' && (*inner = ertc_strdup(msg)) == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    } else if (ertc_json_get_string(root, "type", &msg) == WEBRTC_STATUS_SUCCESS) {
        /* a bare message, as some servers send */
        if ((*inner = ertc_strndup(data, len)) == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    cJSON_Delete(root);
    return st;
}

void apprtc_incoming_free(apprtc_incoming_t *in)
{
    if (in != NULL) {
        ertc_free(in->payload);
        in->payload = NULL;
    }
}

static WEBRTC_STATUS normalise_candidate(const cJSON *m, apprtc_incoming_t *out)
{
    const char *cand = NULL, *mid = NULL;
    if (ertc_json_get_string(m, "candidate", &cand) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (ertc_json_get_string(m, "id", &mid) != WEBRTC_STATUS_SUCCESS) {
        ertc_json_get_string(m, "sdpMid", &mid);
    }
    int64_t index = -1;
    if (ertc_json_get_int_range(m, "label", 0, 255, &index) != WEBRTC_STATUS_SUCCESS) {
        ertc_json_get_int_range(m, "sdpMLineIndex", 0, 255, &index);
    }
    cJSON *c = cJSON_CreateObject();
    if (c == NULL || cJSON_AddStringToObject(c, "candidate", cand) == NULL ||
        (mid != NULL && cJSON_AddStringToObject(c, "sdpMid", mid) == NULL) ||
        (index >= 0 && cJSON_AddNumberToObject(c, "sdpMLineIndex", (double)index) == NULL)) {
        cJSON_Delete(c);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = print_json(c, &out->payload, &out->payload_len);
    cJSON_Delete(c);
    out->type = ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
    return st;
}

WEBRTC_STATUS apprtc_parse_message(const char *json, size_t len, apprtc_incoming_t *out)
{
    memset(out, 0, sizeof(*out));
    cJSON *m = NULL;
    WEBRTC_STATUS st = ertc_json_parse(json, len, APPRTC_MAX_MESSAGE_LEN, &m);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    const char *type = NULL;
    ertc_json_get_string(m, "type", &type);
    st = WEBRTC_STATUS_SUCCESS;
    if (type != NULL && (strcmp(type, "offer") == 0 || strcmp(type, "answer") == 0)) {
        const char *sdp = NULL;
        if (ertc_json_get_string(m, "sdp", &sdp) != WEBRTC_STATUS_SUCCESS) {
            st = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
        } else {
            cJSON *d = cJSON_CreateObject();
            if (d == NULL || cJSON_AddStringToObject(d, "type", type) == NULL ||
                cJSON_AddStringToObject(d, "sdp", sdp) == NULL) {
                st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
            } else {
                st = print_json(d, &out->payload, &out->payload_len);
            }
            cJSON_Delete(d);
            out->type = type[0] == 'o' ? ESP_WEBRTC_MESSAGE_OFFER : ESP_WEBRTC_MESSAGE_ANSWER;
        }
    } else if ((type != NULL && (strcmp(type, "candidate") == 0 ||
                                 strcmp(type, "iceCandidate") == 0)) ||
               (type == NULL && cJSON_GetObjectItemCaseSensitive(m, "candidate") != NULL)) {
        st = normalise_candidate(m, out);
        if (st == WEBRTC_STATUS_MALFORMED) {
            st = WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
        }
    } else if (type != NULL && strcmp(type, "bye") == 0) {
        out->type = ESP_WEBRTC_MESSAGE_BYE;
    } else if (type != NULL && strcmp(type, "customized") == 0) {
        const char *data = NULL;
        out->type = ESP_WEBRTC_MESSAGE_CUSTOM_BASE;
        if (ertc_json_get_string(m, "data", &data) == WEBRTC_STATUS_SUCCESS) {
            out->payload_len = strlen(data);
            if ((out->payload = ertc_memdup(data, out->payload_len + 1)) == NULL) {
                st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
            }
        }
    } else {
        out->type = ESP_WEBRTC_MESSAGE_UNKNOWN; /* heartbeats {"error":""}, remove-candidates */
    }
    cJSON_Delete(m);
    if (st != WEBRTC_STATUS_SUCCESS) {
        apprtc_incoming_free(out);
        out->type = ESP_WEBRTC_MESSAGE_UNKNOWN;
    }
    return st;
}

/* ---- outgoing ---------------------------------------------------------------------------------- */

static WEBRTC_STATUS sdp_to_json(const esp_webrtc_signaling_message_t *msg, cJSON *out)
{
    const char *type = msg->message_type == ESP_WEBRTC_MESSAGE_OFFER ? "offer" : "answer";
    cJSON *in = NULL;
    const char *sdp = NULL;
    WEBRTC_STATUS st = ertc_json_parse(msg->payload, msg->payload_len, APPRTC_MAX_MESSAGE_LEN, &in);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_json_get_string(in, "sdp", &sdp) == WEBRTC_STATUS_SUCCESS
                 ? WEBRTC_STATUS_SUCCESS
                 : WEBRTC_STATUS_INVALID_ARG;
    } else if (msg->payload_len > 2 && strncmp(msg->payload, "v=", 2) == 0) {
        st = WEBRTC_STATUS_SUCCESS; /* a bare SDP text */
    } else {
        st = WEBRTC_STATUS_INVALID_ARG;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        cJSON *s = sdp ? cJSON_CreateString(sdp) : NULL;
        if (sdp == NULL) {
            char *copy = ertc_strndup(msg->payload, msg->payload_len);
            s = copy ? cJSON_CreateString(copy) : NULL;
            ertc_free(copy);
        }
        if (s == NULL || cJSON_AddStringToObject(out, "type", type) == NULL) {
            cJSON_Delete(s);
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        } else {
            cJSON_AddItemToObject(out, "sdp", s);
        }
    }
    cJSON_Delete(in);
    return st;
}

static WEBRTC_STATUS candidate_to_json(const esp_webrtc_signaling_message_t *msg, cJSON *out)
{
    cJSON *in = NULL;
    WEBRTC_STATUS st = ertc_json_parse(msg->payload, msg->payload_len, APPRTC_MAX_MESSAGE_LEN, &in);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    const char *cand = NULL, *mid = NULL;
    int64_t index = 0;
    if (ertc_json_get_string(in, "candidate", &cand) != WEBRTC_STATUS_SUCCESS) {
        st = WEBRTC_STATUS_INVALID_ARG;
    } else if (cand[0] == '\0') {
        st = WEBRTC_STATUS_NOT_FOUND; /* end of candidates: AppRTC carries none */
    } else {
        ertc_json_get_string(in, "sdpMid", &mid);
        ertc_json_get_int_range(in, "sdpMLineIndex", 0, 255, &index);
        if (cJSON_AddStringToObject(out, "type", "candidate") == NULL ||
            cJSON_AddNumberToObject(out, "label", (double)index) == NULL ||
            cJSON_AddStringToObject(out, "id", mid ? mid : "0") == NULL ||
            cJSON_AddStringToObject(out, "candidate", cand) == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    cJSON_Delete(in);
    return st;
}

WEBRTC_STATUS apprtc_message_to_json(const esp_webrtc_signaling_message_t *msg, char **out,
                                     size_t *out_len)
{
    if (msg == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    if (msg->payload_len > APPRTC_MAX_MESSAGE_LEN ||
        (msg->payload == NULL && msg->payload_len > 0)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    cJSON *j = cJSON_CreateObject();
    if (j == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st;
    switch (msg->message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER:
    case ESP_WEBRTC_MESSAGE_ANSWER:
        st = msg->payload ? sdp_to_json(msg, j) : WEBRTC_STATUS_INVALID_ARG;
        break;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE:
        st = msg->payload ? candidate_to_json(msg, j) : WEBRTC_STATUS_INVALID_ARG;
        break;
    case ESP_WEBRTC_MESSAGE_BYE:
        st = cJSON_AddStringToObject(j, "type", "bye") ? WEBRTC_STATUS_SUCCESS
                                                       : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        break;
    default:
        if (msg->message_type >= ESP_WEBRTC_MESSAGE_CUSTOM_BASE) {
            char *data = ertc_strndup(msg->payload ? msg->payload : "", msg->payload_len);
            st = (data != NULL && cJSON_AddStringToObject(j, "type", "customized") &&
                  cJSON_AddStringToObject(j, "data", data))
                     ? WEBRTC_STATUS_SUCCESS
                     : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
            ertc_free(data);
        } else {
            st = WEBRTC_STATUS_INVALID_ARG;
        }
        break;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = print_json(j, out, out_len);
    }
    cJSON_Delete(j);
    return st;
}

WEBRTC_STATUS apprtc_wrap_send(const char *json, char **out, size_t *out_len)
{
    cJSON *j = cJSON_CreateObject();
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (j != NULL && cJSON_AddStringToObject(j, "cmd", "send") &&
        cJSON_AddStringToObject(j, "msg", json)) {
        st = print_json(j, out, out_len);
    }
    cJSON_Delete(j);
    return st;
}

WEBRTC_STATUS apprtc_make_register(const char *room, const char *client, char **out,
                                   size_t *out_len)
{
    cJSON *j = cJSON_CreateObject();
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    if (j != NULL && cJSON_AddStringToObject(j, "cmd", "register") &&
        cJSON_AddStringToObject(j, "roomid", room) && cJSON_AddStringToObject(j, "clientid", client)) {
        st = print_json(j, out, out_len);
    }
    cJSON_Delete(j);
    return st;
}
