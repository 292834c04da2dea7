/*
 * peer/pc_if_message — signaling payloads of the peer-connection interface (see
 * pc_if_message.h).
 */
#include "peer/pc_if_message.h"

#include <stdio.h>
#include <string.h>

#include "app_webrtc_if.h"
#include "util/alloc.h"
#include "util/json.h"

static void set_err(char *err, size_t size, const char *text)
{
    if (err != NULL && size > 0) {
        snprintf(err, size, "%s", text);
    }
}

/* Skips leading whitespace; NULL-safe on len 0. */
static const char *skip_space(const char *p, size_t *len)
{
    while (*len > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        (*len)--;
    }
    return p;
}

static bool has_prefix(const char *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(p, prefix, n) == 0;
}

WEBRTC_STATUS ertc_pc_if_parse_sdp(const char *payload, size_t len, bool is_offer, char **sdp,
                                   size_t *sdp_len, char *err, size_t err_size)
{
    if (payload == NULL || sdp == NULL || sdp_len == NULL) {
        set_err(err, err_size, "no payload");
        return WEBRTC_STATUS_NULL_ARG;
    }
    *sdp = NULL;
    *sdp_len = 0;
    if (len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) {
        set_err(err, err_size, "payload larger than APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN");
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    size_t rest = len;
    const char *p = skip_space(payload, &rest);
    if (has_prefix(p, rest, "v=")) {
        if (memchr(p, '\0', rest) != NULL) {
            set_err(err, err_size, "SDP text holds a NUL byte");
            return WEBRTC_STATUS_MALFORMED;
        }
        *sdp = ertc_strndup(p, rest);
        *sdp_len = rest;
        return *sdp != NULL ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    cJSON *o = NULL;
    WEBRTC_STATUS st = ertc_json_parse(payload, len, APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN, &o);
    if (st != WEBRTC_STATUS_SUCCESS) {
        set_err(err, err_size, "payload is neither JSON {\"type\",\"sdp\"} nor SDP text");
        return st == WEBRTC_STATUS_NOT_ENOUGH_MEMORY ? st : WEBRTC_STATUS_MALFORMED;
    }
    const char *type = NULL;
    const char *text = NULL;
    if (!cJSON_IsObject(o)) {
        set_err(err, err_size, "payload JSON is not an object");
        st = WEBRTC_STATUS_MALFORMED;
    } else if ((st = ertc_json_get_string(o, "sdp", &text)) != WEBRTC_STATUS_SUCCESS) {
        set_err(err, err_size, "payload JSON has no string \"sdp\"");
        st = WEBRTC_STATUS_MALFORMED;
    } else if (ertc_json_get_string(o, "type", &type) == WEBRTC_STATUS_SUCCESS &&
               strcmp(type, is_offer ? "offer" : "answer") != 0) {
        set_err(err, err_size,
                is_offer ? "message is an OFFER but its JSON type is not \"offer\""
                         : "message is an ANSWER but its JSON type is not \"answer\"");
        st = WEBRTC_STATUS_INVALID_ARG;
    } else if (text[0] == '\0') {
        set_err(err, err_size, "\"sdp\" is empty");
        st = WEBRTC_STATUS_MALFORMED;
    } else {
        *sdp_len = strlen(text);
        *sdp = ertc_strndup(text, *sdp_len);
        st = *sdp != NULL ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    cJSON_Delete(o);
    return st;
}

static WEBRTC_STATUS copy_line(const char *p, size_t n, char *line, size_t size, char *err,
                               size_t err_size)
{
    if (n >= size) {
        set_err(err, err_size, "candidate line too long");
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (memchr(p, '\0', n) != NULL || memchr(p, '\n', n) != NULL) {
        set_err(err, err_size, "candidate line holds a NUL or line break");
        return WEBRTC_STATUS_MALFORMED;
    }
    memcpy(line, p, n);
    line[n] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_parse_candidate(const char *payload, size_t len, char *line, size_t size,
                                         char *err, size_t err_size)
{
    if (payload == NULL || line == NULL || size == 0) {
        set_err(err, err_size, "no payload");
        return WEBRTC_STATUS_NULL_ARG;
    }
    line[0] = '\0';
    if (len > APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN) {
        set_err(err, err_size, "payload larger than APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN");
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    size_t rest = len;
    const char *p = skip_space(payload, &rest);
    while (rest > 0 && (p[rest - 1] == '\r' || p[rest - 1] == '\n' || p[rest - 1] == ' ')) {
        rest--;
    }
    if (has_prefix(p, rest, "candidate:") || has_prefix(p, rest, "a=candidate:")) {
        return copy_line(p, rest, line, size, err, err_size);
    }
    cJSON *o = NULL;
    WEBRTC_STATUS st = ertc_json_parse(payload, len, APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN, &o);
    if (st != WEBRTC_STATUS_SUCCESS) {
        set_err(err, err_size, "payload is neither JSON {\"candidate\",...} nor a candidate line");
        return st == WEBRTC_STATUS_NOT_ENOUGH_MEMORY ? st : WEBRTC_STATUS_MALFORMED;
    }
    const char *text = NULL;
    if (!cJSON_IsObject(o) ||
        ertc_json_get_string(o, "candidate", &text) != WEBRTC_STATUS_SUCCESS) {
        set_err(err, err_size, "payload JSON has no string \"candidate\"");
        st = WEBRTC_STATUS_MALFORMED;
    } else if (text[0] != '\0' && !has_prefix(text, strlen(text), "candidate:") &&
               !has_prefix(text, strlen(text), "a=candidate:")) {
        set_err(err, err_size, "\"candidate\" does not start with \"candidate:\"");
        st = WEBRTC_STATUS_MALFORMED;
    } else {
        st = copy_line(text, strlen(text), line, size, err, err_size);
    }
    cJSON_Delete(o);
    return st;
}

/* cJSON's text moved into an ertc_malloc buffer, so callers free one way. */
static WEBRTC_STATUS print_json(cJSON *o, char **out, size_t *out_len)
{
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    size_t n = strlen(text);
    *out = ertc_strndup(text, n);
    cJSON_free(text);
    if (*out == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_build_sdp(bool is_offer, const char *sdp, size_t sdp_len, char **out,
                                   size_t *out_len)
{
    if (sdp == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    char *copy = ertc_strndup(sdp, sdp_len);
    cJSON *o = cJSON_CreateObject();
    if (copy == NULL || o == NULL ||
        cJSON_AddStringToObject(o, "type", is_offer ? "offer" : "answer") == NULL ||
        cJSON_AddStringToObject(o, "sdp", copy) == NULL) {
        ertc_free(copy);
        cJSON_Delete(o);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    ertc_free(copy);
    return print_json(o, out, out_len);
}

WEBRTC_STATUS ertc_pc_if_build_candidate(const char *line, char **out, size_t *out_len)
{
    if (line == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "candidate", line) == NULL ||
        cJSON_AddStringToObject(o, "sdpMid", ERTC_PC_IF_SDP_MID) == NULL ||
        cJSON_AddNumberToObject(o, "sdpMLineIndex", 0) == NULL) {
        cJSON_Delete(o);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    return print_json(o, out, out_len);
}

/* Where the first m-section ends: the start of the second "m=" line, or the end. */
static size_t first_media_end(const char *sdp, size_t len, bool *found)
{
    *found = false;
    for (size_t i = 0; i + 2 <= len; i++) {
        bool line_start = i == 0 || sdp[i - 1] == '\n';
        if (line_start && sdp[i] == 'm' && sdp[i + 1] == '=') {
            if (*found) {
                return i;
            }
            *found = true;
        }
    }
    return len;
}

WEBRTC_STATUS ertc_pc_if_sdp_with_candidates(const char *sdp, size_t len, char *const *lines,
                                             size_t count, char **out, size_t *out_len)
{
    if (sdp == NULL || out == NULL || (lines == NULL && count > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = NULL;
    bool found = false;
    size_t at = first_media_end(sdp, len, &found);
    if (!found) {
        return WEBRTC_STATUS_MALFORMED;
    }
    /* The m-section must end with a line break before more lines are added. */
    bool need_crlf = at > 0 && sdp[at - 1] != '\n';
    static const char eoc[] = "a=end-of-candidates\r\n";
    size_t extra = (need_crlf ? 2 : 0) + sizeof(eoc) - 1;
    for (size_t i = 0; i < count; i++) {
        bool has_a = strncmp(lines[i], "a=", 2) == 0;
        extra += (has_a ? 0 : 2) + strlen(lines[i]) + 2;
    }
    char *buf = ertc_malloc(len + extra + 1);
    if (buf == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    size_t n = 0;
    memcpy(buf, sdp, at);
    n = at;
    if (need_crlf) {
        memcpy(buf + n, "\r\n", 2);
        n += 2;
    }
    for (size_t i = 0; i < count; i++) {
        n += (size_t)sprintf(buf + n, "%s%s\r\n",
                             strncmp(lines[i], "a=", 2) == 0 ? "" : "a=", lines[i]);
    }
    memcpy(buf + n, eoc, sizeof(eoc) - 1);
    n += sizeof(eoc) - 1;
    memcpy(buf + n, sdp + at, len - at);
    n += len - at;
    buf[n] = '\0';
    *out = buf;
    if (out_len != NULL) {
        *out_len = n;
    }
    return WEBRTC_STATUS_SUCCESS;
}
