/*
 * signald/kvs_message — KVS data-plane message parsing and formatting (see the header).
 */
#include "kvs_message.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/ascii.h"
#include "util/json.h"

bool kvs_id_is_valid(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n >= KVS_MAX_ID_LEN || !(ertc_ascii_is_digit(c) || ertc_ascii_is_alpha(c) || c == '_' ||
                                     c == '.' || c == '-')) {
            return false;
        }
    }
    return n > 0;
}

const char *kvs_action_name(kvs_action_t a)
{
    switch (a) {
    case KVS_ACTION_SDP_OFFER: return "SDP_OFFER";
    case KVS_ACTION_SDP_ANSWER: return "SDP_ANSWER";
    case KVS_ACTION_ICE_CANDIDATE: return "ICE_CANDIDATE";
    }
    return "?";
}

static bool is_base64_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(ertc_ascii_is_digit(c) || ertc_ascii_is_alpha(c) || c == '+' || c == '/' ||
              c == '=')) {
            return false;
        }
    }
    return true;
}

/* The string member whose key matches name in any case; NULL when absent. MALFORMED
 * through *bad when present but not a string. */
static const char *member(const cJSON *obj, const char *name, bool *bad)
{
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        if (it->string != NULL && strcasecmp(it->string, name) == 0) {
            if (!cJSON_IsString(it) || it->valuestring == NULL) {
                *bad = true;
                return NULL;
            }
            return it->valuestring;
        }
    }
    return NULL;
}

WEBRTC_STATUS kvs_message_parse(const char *data, size_t len, kvs_message_t *out, char *why,
                                size_t whylen)
{
    memset(out, 0, sizeof(*out));
    if (len > KVS_MAX_FRAME_LEN) {
        snprintf(why, whylen, "Message is larger than %d bytes.", KVS_MAX_FRAME_LEN);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    cJSON *root = NULL;
    if (ertc_json_parse(data, len, KVS_MAX_FRAME_LEN, &root) != WEBRTC_STATUS_SUCCESS ||
        !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(why, whylen, "Message is not a JSON object.");
        return WEBRTC_STATUS_MALFORMED;
    }
    bool bad = false;
    const char *corr = member(root, "correlationId", &bad);
    if (corr != NULL && kvs_id_is_valid(corr)) {
        snprintf(out->correlation, sizeof(out->correlation), "%s", corr);
    }
    const char *action = member(root, "action", &bad);
    const char *recipient = member(root, "recipientClientId", &bad);
    const char *payload = member(root, "messagePayload", &bad);
    WEBRTC_STATUS st = WEBRTC_STATUS_MALFORMED;
    size_t plen = payload != NULL ? strlen(payload) : 0;
    if (bad) {
        snprintf(why, whylen, "A member of the message is not a string.");
    } else if (corr != NULL && out->correlation[0] == '\0') {
        snprintf(why, whylen, "correlationId must match [a-zA-Z0-9_.-]{1,256}.");
    } else if (action == NULL) {
        snprintf(why, whylen, "Missing action.");
    } else if (strcmp(action, "SDP_OFFER") != 0 && strcmp(action, "SDP_ANSWER") != 0 &&
               strcmp(action, "ICE_CANDIDATE") != 0) {
        snprintf(why, whylen, "Unknown action: %.40s.", action);
    } else if (recipient != NULL && recipient[0] != '\0' && !kvs_id_is_valid(recipient)) {
        snprintf(why, whylen, "recipientClientId must match [a-zA-Z0-9_.-]{1,256}.");
    } else if (payload == NULL || plen == 0) {
        snprintf(why, whylen, "Missing messagePayload.");
    } else if (plen > KVS_MAX_PAYLOAD_LEN) {
        snprintf(why, whylen, "messagePayload is longer than %d characters.", KVS_MAX_PAYLOAD_LEN);
        st = WEBRTC_STATUS_LIMIT_EXCEEDED;
    } else if (!is_base64_text(payload, plen)) {
        snprintf(why, whylen, "messagePayload is not base64.");
    } else if ((out->payload = ertc_strndup(payload, plen)) == NULL) {
        snprintf(why, whylen, "Out of memory.");
        st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    } else {
        out->payload_len = plen;
        out->action = strcmp(action, "SDP_OFFER") == 0    ? KVS_ACTION_SDP_OFFER
                      : strcmp(action, "SDP_ANSWER") == 0 ? KVS_ACTION_SDP_ANSWER
                                                          : KVS_ACTION_ICE_CANDIDATE;
        if (recipient != NULL) {
            snprintf(out->recipient, sizeof(out->recipient), "%s", recipient);
        }
        st = WEBRTC_STATUS_SUCCESS;
    }
    cJSON_Delete(root);
    return st;
}

void kvs_message_clear(kvs_message_t *m)
{
    ertc_free(m->payload);
    m->payload = NULL;
    m->payload_len = 0;
}

WEBRTC_STATUS kvs_event_format(ertc_strbuf_t *out, const char *type, const char *payload,
                               size_t payload_len, const char *sender)
{
    ertc_strbuf_append_str(out, "{");
    if (payload != NULL) {
        ertc_strbuf_append_str(out, "\"messagePayload\":\"");
        ertc_strbuf_append(out, payload, payload_len); /* base64: nothing to escape */
        ertc_strbuf_append_str(out, "\",");
    }
    ertc_strbuf_appendf(out, "\"messageType\":\"%s\"", type);
    if (sender != NULL) {
        ertc_strbuf_appendf(out, ",\"senderClientId\":\"%s\"", sender); /* a checked id */
    }
    ertc_strbuf_append_str(out, "}");
    return ertc_strbuf_status(out);
}

WEBRTC_STATUS kvs_status_format(ertc_strbuf_t *out, const char *correlation, const char *error_type,
                                int status_code, const char *description)
{
    ertc_strbuf_append_str(out, "{\"messagePayload\":\"\",\"messageType\":\"STATUS_RESPONSE\","
                                "\"statusResponse\":{\"correlationId\":");
    ertc_strbuf_append_json_string(out, correlation, strlen(correlation));
    ertc_strbuf_append_str(out, ",\"description\":");
    ertc_strbuf_append_json_string(out, description, strlen(description));
    ertc_strbuf_appendf(out, ",\"errorType\":\"%s\",\"statusCode\":\"%d\",\"success\":false}}",
                        error_type, status_code);
    return ertc_strbuf_status(out);
}
