/*
 * signaling/kvs/kvs_message — see kvs_message.h. Specs/kvs-signaling.md §3.2 and §3.3.
 */
#include "signaling/kvs/kvs_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/strbuf.h"

static const char *const drop_names[ERTC_KVS_DROP_KIND_COUNT] = {
    "none", "bad JSON", "oversized", "bad base64", "bad payload", "unknown type", "missing field",
};

const char *ertc_kvs_drop_name(ertc_kvs_drop_t why)
{
    return (unsigned)why < ERTC_KVS_DROP_KIND_COUNT ? drop_names[why] : "unknown";
}

static const struct {
    ertc_kvs_msg_type_t type;
    const char *name;
} type_names[] = {
    {ERTC_KVS_MSG_SDP_OFFER, "SDP_OFFER"},
    {ERTC_KVS_MSG_SDP_ANSWER, "SDP_ANSWER"},
    {ERTC_KVS_MSG_ICE_CANDIDATE, "ICE_CANDIDATE"},
    {ERTC_KVS_MSG_GO_AWAY, "GO_AWAY"},
    {ERTC_KVS_MSG_RECONNECT_ICE_SERVER, "RECONNECT_ICE_SERVER"},
    {ERTC_KVS_MSG_STATUS_RESPONSE, "STATUS_RESPONSE"},
};

const char *ertc_kvs_msg_type_name(ertc_kvs_msg_type_t type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (type_names[i].type == type) {
            return type_names[i].name;
        }
    }
    return "UNKNOWN";
}

bool ertc_kvs_valid_id(const char *s)
{
    if (s == NULL) {
        return false;
    }
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok || n >= 256) {
            return false;
        }
    }
    return n > 0;
}

/* The first member whose key equals name ignoring case: the service and the C SDK disagree
 * on capitalisation ("messagePayload" / "MessagePayload"). */
static const cJSON *member(const cJSON *obj, const char *name)
{
    for (const cJSON *c = obj ? obj->child : NULL; c != NULL; c = c->next) {
        if (c->string != NULL && strcasecmp(c->string, name) == 0) {
            return c;
        }
    }
    return NULL;
}

/* Copies an optional string member. false (with *why set) for a non-string or one too long. */
static bool copy_member(const cJSON *obj, const char *name, char *buf, size_t size,
                        ertc_kvs_drop_t *why)
{
    const cJSON *m = member(obj, name);
    buf[0] = '\0';
    if (m == NULL || cJSON_IsNull(m)) {
        return true;
    }
    if (!cJSON_IsString(m)) {
        *why = ERTC_KVS_DROP_BAD_JSON;
        return false;
    }
    size_t n = strlen(m->valuestring);
    if (n >= size) {
        *why = ERTC_KVS_DROP_OVERSIZED;
        return false;
    }
    memcpy(buf, m->valuestring, n + 1);
    return true;
}

static bool is_json_object(const char *s, size_t len)
{
    cJSON *j = NULL;
    if (ertc_json_parse(s, len, ERTC_KVS_MAX_FRAME_LEN, &j) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    bool ok = cJSON_IsObject(j);
    cJSON_Delete(j);
    return ok;
}

static bool decode_payload(const cJSON *m, ertc_kvs_incoming_t *out, ertc_kvs_drop_t *why)
{
    if (m == NULL || cJSON_IsNull(m) || (cJSON_IsString(m) && m->valuestring[0] == '\0')) {
        return true; /* absent: the type decides whether that is allowed */
    }
    if (!cJSON_IsString(m)) {
        *why = ERTC_KVS_DROP_BAD_JSON;
        return false;
    }
    size_t tlen = strlen(m->valuestring);
    size_t max = ertc_base64_decoded_max_len(tlen);
    out->payload = ertc_malloc(max + 1);
    if (out->payload == NULL) {
        *why = ERTC_KVS_DROP_OVERSIZED;
        return false;
    }
    size_t n = 0;
    if (ertc_base64_decode(m->valuestring, tlen, 0, (uint8_t *)out->payload, max + 1, &n) !=
        WEBRTC_STATUS_SUCCESS) {
        *why = ERTC_KVS_DROP_BAD_BASE64;
        return false;
    }
    out->payload[n] = '\0';
    out->payload_len = n;
    if (memchr(out->payload, '\0', n) != NULL || !is_json_object(out->payload, n)) {
        *why = ERTC_KVS_DROP_BAD_PAYLOAD;
        return false;
    }
    return true;
}

static bool parse_status(const cJSON *root, ertc_kvs_incoming_t *out, ertc_kvs_drop_t *why)
{
    const cJSON *sr = member(root, "statusResponse");
    if (sr == NULL || !cJSON_IsObject(sr)) {
        *why = sr == NULL ? ERTC_KVS_DROP_MISSING_FIELD : ERTC_KVS_DROP_BAD_JSON;
        return false;
    }
    if (!copy_member(sr, "correlationId", out->correlation_id, sizeof(out->correlation_id), why) ||
        !copy_member(sr, "errorType", out->error_type, sizeof(out->error_type), why) ||
        !copy_member(sr, "description", out->description, sizeof(out->description), why)) {
        return false;
    }
    const cJSON *code = member(sr, "statusCode");
    if (cJSON_IsNumber(code) && code->valuedouble >= 0 && code->valuedouble < 1000) {
        out->status_code = (int)code->valuedouble;
    } else if (cJSON_IsString(code)) {
        char *end = NULL;
        long v = strtol(code->valuestring, &end, 10);
        if (end == code->valuestring || *end != '\0' || v < 0 || v >= 1000) {
            *why = ERTC_KVS_DROP_BAD_JSON;
            return false;
        }
        out->status_code = (int)v;
    } else if (code != NULL) {
        *why = ERTC_KVS_DROP_BAD_JSON;
        return false;
    }
    return true;
}

WEBRTC_STATUS ertc_kvs_message_parse(const char *frame, size_t len, ertc_kvs_incoming_t *out,
                                     ertc_kvs_drop_t *why)
{
    ertc_kvs_drop_t dummy;
    if (why == NULL) {
        why = &dummy;
    }
    *why = ERTC_KVS_DROP_NONE;
    if (out == NULL || (frame == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len > ERTC_KVS_MAX_FRAME_LEN) {
        *why = ERTC_KVS_DROP_OVERSIZED;
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    cJSON *root = NULL;
    if (ertc_json_parse(frame, len, ERTC_KVS_MAX_FRAME_LEN, &root) != WEBRTC_STATUS_SUCCESS ||
        !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        *why = ERTC_KVS_DROP_BAD_JSON;
        return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    const cJSON *type = member(root, "messageType");
    bool ok = true;
    if (!cJSON_IsString(type)) {
        *why = ERTC_KVS_DROP_UNKNOWN_TYPE; /* e.g. API-gateway frames {"message":...} */
        ok = false;
    } else {
        for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
            if (strcmp(type->valuestring, type_names[i].name) == 0) {
                out->type = type_names[i].type;
            }
        }
        if (out->type == ERTC_KVS_MSG_UNKNOWN) {
            *why = ERTC_KVS_DROP_UNKNOWN_TYPE;
            ok = false;
        }
    }
    ok = ok && copy_member(root, "senderClientId", out->sender, sizeof(out->sender), why);
    if (ok && out->type == ERTC_KVS_MSG_STATUS_RESPONSE) {
        ok = parse_status(root, out, why);
    } else if (ok) {
        ok = decode_payload(member(root, "messagePayload"), out, why);
        bool needs_payload = out->type == ERTC_KVS_MSG_SDP_OFFER ||
                             out->type == ERTC_KVS_MSG_SDP_ANSWER ||
                             out->type == ERTC_KVS_MSG_ICE_CANDIDATE;
        if (ok && needs_payload && out->payload == NULL) {
            *why = ERTC_KVS_DROP_MISSING_FIELD;
            ok = false;
        }
    }
    cJSON_Delete(root);
    if (!ok) {
        ertc_kvs_incoming_free(out);
        return *why == ERTC_KVS_DROP_OVERSIZED ? WEBRTC_STATUS_LIMIT_EXCEEDED
                                               : WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_kvs_incoming_free(ertc_kvs_incoming_t *in)
{
    if (in != NULL) {
        ertc_free(in->payload);
        memset(in, 0, sizeof(*in));
    }
}

/* An ICE candidate message whose "candidate" is empty: the end-of-candidates marker. */
static bool is_end_of_candidates(const char *payload, size_t len)
{
    cJSON *j = NULL;
    if (ertc_json_parse(payload, len, ERTC_KVS_MAX_FRAME_LEN, &j) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "candidate");
    bool end = cJSON_IsNull(c) || (cJSON_IsString(c) && c->valuestring[0] == '\0');
    cJSON_Delete(j);
    return end;
}

WEBRTC_STATUS ertc_kvs_message_build(const esp_webrtc_signaling_message_t *msg,
                                     const char *recipient, const char *correlation_id,
                                     char **frame, size_t *frame_len)
{
    if (msg == NULL || frame == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *frame = NULL;
    const char *action;
    switch (msg->message_type) {
    case ESP_WEBRTC_MESSAGE_OFFER: action = "SDP_OFFER"; break;
    case ESP_WEBRTC_MESSAGE_ANSWER: action = "SDP_ANSWER"; break;
    case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: action = "ICE_CANDIDATE"; break;
    default: return WEBRTC_STATUS_INVALID_ARG;
    }
    if (msg->payload == NULL || msg->payload_len == 0 ||
        ertc_base64_encoded_len(msg->payload_len, 0) > ERTC_KVS_MAX_PAYLOAD_B64_LEN) {
        return msg->payload_len > 0 ? WEBRTC_STATUS_LIMIT_EXCEEDED : WEBRTC_STATUS_INVALID_ARG;
    }
    if (!is_json_object(msg->payload, msg->payload_len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (msg->message_type == ESP_WEBRTC_MESSAGE_ICE_CANDIDATE &&
        is_end_of_candidates(msg->payload, msg->payload_len)) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    bool has_recipient = recipient != NULL && recipient[0] != '\0';
    bool has_corr = correlation_id != NULL && correlation_id[0] != '\0';
    if ((has_recipient && !ertc_kvs_valid_id(recipient)) ||
        (has_corr && !ertc_kvs_valid_id(correlation_id))) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* on the heap: 10 KiB is too much for a device task's stack */
    size_t b64_size = ertc_base64_encoded_len(msg->payload_len, 0) + 1;
    char *b64 = ertc_malloc(b64_size);
    if (b64 == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    size_t b64_len = 0;
    WEBRTC_STATUS st = ertc_base64_encode((const uint8_t *)msg->payload, msg->payload_len, 0, b64,
                                          b64_size, &b64_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(b64);
        return st;
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, ERTC_KVS_MAX_FRAME_LEN);
    ertc_strbuf_appendf(&sb, "{\"action\":\"%s\"", action);
    if (has_recipient) {
        ertc_strbuf_appendf(&sb, ",\"recipientClientId\":\"%s\"", recipient);
    }
    ertc_strbuf_append_str(&sb, ",\"messagePayload\":\"");
    ertc_strbuf_append(&sb, b64, b64_len);
    ertc_free(b64);
    ertc_strbuf_append_char(&sb, '"');
    if (has_corr) {
        ertc_strbuf_appendf(&sb, ",\"correlationId\":\"%s\"", correlation_id);
    }
    ertc_strbuf_append_char(&sb, '}');
    st = ertc_strbuf_detach(&sb, frame, frame_len);
    ertc_strbuf_free(&sb);
    return st;
}

esp_webrtc_message_type_t ertc_kvs_msg_to_app_type(ertc_kvs_msg_type_t type)
{
    switch (type) {
    case ERTC_KVS_MSG_SDP_OFFER: return ESP_WEBRTC_MESSAGE_OFFER;
    case ERTC_KVS_MSG_SDP_ANSWER: return ESP_WEBRTC_MESSAGE_ANSWER;
    case ERTC_KVS_MSG_ICE_CANDIDATE: return ESP_WEBRTC_MESSAGE_ICE_CANDIDATE;
    case ERTC_KVS_MSG_GO_AWAY: return ESP_WEBRTC_MESSAGE_GO_AWAY;
    case ERTC_KVS_MSG_RECONNECT_ICE_SERVER: return ESP_WEBRTC_MESSAGE_RECONNECT_ICE_SERVER;
    default: return ESP_WEBRTC_MESSAGE_UNKNOWN;
    }
}

WEBRTC_STATUS ertc_kvs_status_response_status(const ertc_kvs_incoming_t *in)
{
    if (in == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    int code = in->status_code;
    const char *t = in->error_type;
    if (code == 200) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (code == 401 || code == 403 || strstr(t, "AccessDenied") != NULL ||
        strstr(t, "NotAuthorized") != NULL) {
        return WEBRTC_STATUS_SIGNALING_AUTH_FAILED;
    }
    if (code == 429 || strstr(t, "ClientLimitExceeded") != NULL ||
        strstr(t, "Throttling") != NULL) {
        return WEBRTC_STATUS_SIGNALING_RATE_LIMITED;
    }
    if (code == 404 || strstr(t, "ResourceNotFound") != NULL) {
        return WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND;
    }
    return WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE;
}
