/*
 * mqtt_message.c — JSON encode/parse of the MQTT example backend's messages (mqtt_message.h).
 * Uses only cJSON and the public headers, as a device maker's backend would.
 */
#include "mqtt_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

bool mqtt_sig_valid_id(const char *s)
{
    if (s == NULL) {
        return false;
    }
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok || n >= MQTT_SIG_MAX_ID_LEN) {
            return false;
        }
    }
    return n > 0;
}

static const struct {
    esp_webrtc_message_type_t type;
    const char *name;
} type_names[] = {
    {ESP_WEBRTC_MESSAGE_OFFER, "offer"},
    {ESP_WEBRTC_MESSAGE_ANSWER, "answer"},
    {ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, "candidate"},
    {ESP_WEBRTC_MESSAGE_BYE, "bye"},
};

/* Copies a JSON string member into dst if it is a valid id; false otherwise. */
static bool get_id(const cJSON *obj, const char *key, char *dst)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v) || !mqtt_sig_valid_id(v->valuestring)) {
        return false;
    }
    snprintf(dst, MQTT_SIG_MAX_ID_LEN + 1, "%s", v->valuestring);
    return true;
}

static WEBRTC_STATUS parse_object(const void *data, size_t len, cJSON **out)
{
    if (data == NULL || len == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len > MQTT_SIG_MAX_WIRE_LEN) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    cJSON *root = cJSON_ParseWithLength((const char *)data, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return WEBRTC_STATUS_MALFORMED;
    }
    *out = root;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS mqtt_sig_parse(const void *data, size_t len, mqtt_sig_msg_t *msg)
{
    if (msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(msg, 0, sizeof(*msg));
    cJSON *root = NULL;
    WEBRTC_STATUS st = parse_object(data, len, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    st = WEBRTC_STATUS_MALFORMED;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    if (cJSON_IsString(type)) {
        for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
            if (strcmp(type->valuestring, type_names[i].name) == 0) {
                msg->type = type_names[i].type;
            }
        }
    } else if (cJSON_IsNumber(type) && type->valuedouble >= ESP_WEBRTC_MESSAGE_CUSTOM_BASE &&
               type->valuedouble <= 0x7fffffff) {
        msg->type = (esp_webrtc_message_type_t)(int)type->valuedouble;
    }
    if (msg->type == ESP_WEBRTC_MESSAGE_UNKNOWN || !get_id(root, "from", msg->from) ||
        !get_id(root, "to", msg->to)) {
        goto out;
    }
    const cJSON *corr = cJSON_GetObjectItemCaseSensitive(root, "correlation");
    if (corr != NULL) {
        if (!cJSON_IsString(corr) ||
            strlen(corr->valuestring) > APP_WEBRTC_MAX_CORRELATION_ID_LEN) {
            goto out;
        }
        snprintf(msg->correlation, sizeof(msg->correlation), "%s", corr->valuestring);
    }
    const cJSON *payload = cJSON_GetObjectItemCaseSensitive(root, "payload");
    if (payload != NULL) {
        if (!cJSON_IsString(payload)) {
            goto out;
        }
        size_t plen = strlen(payload->valuestring);
        if (plen > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) {
            st = WEBRTC_STATUS_LIMIT_EXCEEDED;
            goto out;
        }
        msg->payload = malloc(plen + 1);
        if (msg->payload == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
            goto out;
        }
        memcpy(msg->payload, payload->valuestring, plen + 1);
        msg->payload_len = (uint32_t)plen;
    } else if (msg->type == ESP_WEBRTC_MESSAGE_OFFER || msg->type == ESP_WEBRTC_MESSAGE_ANSWER ||
               msg->type == ESP_WEBRTC_MESSAGE_ICE_CANDIDATE) {
        goto out; /* these carry an SDP or a candidate */
    }
    st = WEBRTC_STATUS_SUCCESS;
out:
    cJSON_Delete(root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        mqtt_sig_msg_clear(msg);
    }
    return st;
}

void mqtt_sig_msg_clear(mqtt_sig_msg_t *msg)
{
    if (msg != NULL) {
        free(msg->payload);
        memset(msg, 0, sizeof(*msg));
    }
}

WEBRTC_STATUS mqtt_sig_parse_presence(const void *data, size_t len, const char *expected_from,
                                      mqtt_sig_presence_t *out)
{
    if (out == NULL || expected_from == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (!mqtt_sig_valid_id(expected_from)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len == 0) { /* cleared retained record: the client left */
        snprintf(out->from, sizeof(out->from), "%s", expected_from);
        return WEBRTC_STATUS_SUCCESS;
    }
    cJSON *root = NULL;
    WEBRTC_STATUS st = parse_object(data, len, &root);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    st = WEBRTC_STATUS_MALFORMED;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(root, "role");
    if (cJSON_IsString(type) && strcmp(type->valuestring, "presence") == 0 &&
        get_id(root, "from", out->from) && strcmp(out->from, expected_from) == 0 &&
        cJSON_IsString(role)) {
        if (strcmp(role->valuestring, "master") == 0) {
            out->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
            st = WEBRTC_STATUS_SUCCESS;
        } else if (strcmp(role->valuestring, "viewer") == 0) {
            out->role = WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER;
            st = WEBRTC_STATUS_SUCCESS;
        }
    }
    cJSON_Delete(root);
    if (st == WEBRTC_STATUS_SUCCESS) {
        out->present = true;
    } else {
        memset(out, 0, sizeof(*out));
    }
    return st;
}

char *mqtt_sig_encode(esp_webrtc_message_type_t type, const char *from, const char *to,
                      const char *correlation, const char *payload, uint32_t payload_len)
{
    if (!mqtt_sig_valid_id(from) || !mqtt_sig_valid_id(to) ||
        payload_len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN || (payload == NULL && payload_len)) {
        return NULL;
    }
    const char *name = NULL;
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (type_names[i].type == type) {
            name = type_names[i].name;
        }
    }
    if (name == NULL && type < ESP_WEBRTC_MESSAGE_CUSTOM_BASE) {
        return NULL; /* the local-only types (TRIGGER_OFFER, GO_AWAY, ...) never go out */
    }
    /* payload_len bounds the text: it need not be NUL-terminated */
    char *text = malloc((size_t)payload_len + 1);
    cJSON *root = cJSON_CreateObject();
    char *out = NULL;
    if (text == NULL || root == NULL) {
        goto done;
    }
    if (payload_len > 0) {
        memcpy(text, payload, payload_len);
    }
    text[payload_len] = '\0';
    if ((name ? cJSON_AddStringToObject(root, "type", name)
              : cJSON_AddNumberToObject(root, "type", (double)type)) == NULL ||
        cJSON_AddStringToObject(root, "from", from) == NULL ||
        cJSON_AddStringToObject(root, "to", to) == NULL ||
        (correlation != NULL && correlation[0] != '\0' &&
         cJSON_AddStringToObject(root, "correlation", correlation) == NULL) ||
        (payload != NULL && cJSON_AddStringToObject(root, "payload", text) == NULL)) {
        goto done;
    }
    out = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    free(text);
    return out;
}

char *mqtt_sig_encode_presence(const char *from, webrtc_signaling_channel_role_type_t role)
{
    if (!mqtt_sig_valid_id(from)) {
        return NULL;
    }
    size_t n = strlen(from) + 64;
    char *out = malloc(n);
    if (out != NULL) {
        snprintf(out, n, "{\"type\":\"presence\",\"from\":\"%s\",\"role\":\"%s\"}", from,
                 role == WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER ? "master" : "viewer");
    }
    return out;
}

static bool topic(char *buf, size_t len, const char *a, const char *b, const char *c, const char *d)
{
    int n = snprintf(buf, len, "%s/%s/%s/%s", a, b, c, d);
    return n > 0 && (size_t)n < len;
}

bool mqtt_sig_topic_in(char *buf, size_t len, const char *prefix, const char *room, const char *id)
{
    return topic(buf, len, prefix, room, id, "in");
}

bool mqtt_sig_topic_presence(char *buf, size_t len, const char *prefix, const char *room,
                             const char *id)
{
    return topic(buf, len, prefix, room, "presence", id);
}
