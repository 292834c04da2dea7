/*
 * Bridge message: hand-written proto3 encoding of the ESP port's SignalingMessage and the
 * binary ICE request/response payloads (bridge_msg.h, docs/bridge.md).
 */
#include "signaling/bridge/bridge_msg.h"

#include <stdlib.h>
#include <string.h>

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };
enum {
    F_VERSION = 1,
    F_TYPE = 2,
    F_PEER_ID = 3,
    F_CORRELATION_ID = 4,
    F_PAYLOAD = 5,
    F_PAYLOAD_LEN = 6,
};

const char *ertc_bridge_msg_type_name(uint32_t type)
{
    static const char *const names[] = {"OFFER",         "ANSWER",        "ICE_CANDIDATE",
                                        "ICE_SERVERS",   "ICE_REQUEST",   "ICE_SERVER_RESPONSE",
                                        "TRIGGER_OFFER", "READY",         "READY_QUERY"};
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "UNKNOWN";
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80u) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80u) {
        p[n++] = (uint8_t)(v | 0x80u);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* proto3 leaves out fields that hold their default value (0, empty) */
static size_t uint_field_len(uint32_t v)
{
    return v == 0 ? 0 : 1 + varint_len(v);
}

static size_t bytes_field_len(size_t n)
{
    return n == 0 ? 0 : 1 + varint_len(n) + n;
}

size_t ertc_bridge_msg_encoded_len(const ertc_bridge_msg_t *msg)
{
    if (msg == NULL) {
        return 0;
    }
    return uint_field_len(msg->version) + uint_field_len(msg->type) +
           bytes_field_len(msg->peer_id_len) + bytes_field_len(msg->correlation_id_len) +
           bytes_field_len(msg->payload_len) + uint_field_len((uint32_t)msg->payload_len);
}

static size_t put_uint_field(uint8_t *p, unsigned field, uint32_t v)
{
    if (v == 0) {
        return 0;
    }
    p[0] = (uint8_t)((field << 3) | WT_VARINT);
    return 1 + put_varint(p + 1, v);
}

static size_t put_bytes_field(uint8_t *p, unsigned field, const void *data, size_t n)
{
    if (n == 0) {
        return 0;
    }
    p[0] = (uint8_t)((field << 3) | WT_LEN);
    size_t k = 1 + put_varint(p + 1, n);
    memcpy(p + k, data, n);
    return k + n;
}

WEBRTC_STATUS ertc_bridge_msg_encode(const ertc_bridge_msg_t *msg, uint8_t *out, size_t out_cap,
                                     size_t *out_len)
{
    if (msg == NULL || out == NULL || out_len == NULL ||
        (msg->peer_id == NULL && msg->peer_id_len > 0) ||
        (msg->correlation_id == NULL && msg->correlation_id_len > 0) ||
        (msg->payload == NULL && msg->payload_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->peer_id_len > ERTC_BRIDGE_MSG_MAX_ID_LEN ||
        msg->correlation_id_len > ERTC_BRIDGE_MSG_MAX_ID_LEN ||
        msg->payload_len > ERTC_BRIDGE_MSG_MAX_PAYLOAD) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    size_t need = ertc_bridge_msg_encoded_len(msg);
    if (out_cap < need) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    size_t n = 0;
    n += put_uint_field(out + n, F_VERSION, msg->version);
    n += put_uint_field(out + n, F_TYPE, msg->type);
    n += put_bytes_field(out + n, F_PEER_ID, msg->peer_id, msg->peer_id_len);
    n += put_bytes_field(out + n, F_CORRELATION_ID, msg->correlation_id, msg->correlation_id_len);
    n += put_bytes_field(out + n, F_PAYLOAD, msg->payload, msg->payload_len);
    n += put_uint_field(out + n, F_PAYLOAD_LEN, (uint32_t)msg->payload_len);
    *out_len = n;
    return WEBRTC_STATUS_SUCCESS;
}

uint8_t *ertc_bridge_msg_serialize(const ertc_bridge_msg_t *msg, size_t *out_len)
{
    size_t need = ertc_bridge_msg_encoded_len(msg);
    uint8_t *buf = malloc(need > 0 ? need : 1);
    if (buf == NULL || out_len == NULL ||
        ertc_bridge_msg_encode(msg, buf, need, out_len) != WEBRTC_STATUS_SUCCESS) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Reads a varint of at most 10 bytes; 0 when truncated or too long. */
static size_t get_varint(const uint8_t *p, size_t len, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        r |= (uint64_t)(p[i] & 0x7Fu) << (7 * i);
        if ((p[i] & 0x80u) == 0) {
            *v = r;
            return i + 1;
        }
    }
    return 0;
}

WEBRTC_STATUS ertc_bridge_msg_decode(const uint8_t *buf, size_t len, ertc_bridge_msg_t *msg)
{
    if (buf == NULL || msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_bridge_msg_t m;
    memset(&m, 0, sizeof(m));
    bool have_payload_len = false;
    uint64_t declared_payload_len = 0;
    size_t pos = 0;
    while (pos < len) {
        uint64_t key = 0;
        size_t k = get_varint(buf + pos, len - pos, &key);
        if (k == 0 || (key >> 3) == 0 || (key >> 3) > 0x1FFFFFFFu) {
            return WEBRTC_STATUS_MALFORMED;
        }
        pos += k;
        uint64_t field = key >> 3;
        uint64_t v = 0;
        switch (key & 7u) {
        case WT_VARINT:
            k = get_varint(buf + pos, len - pos, &v);
            if (k == 0) {
                return WEBRTC_STATUS_MALFORMED;
            }
            pos += k;
            /* uint32 fields keep the low 32 bits, as protobuf does */
            if (field == F_VERSION) {
                m.version = (uint32_t)v;
            } else if (field == F_TYPE) {
                m.type = (uint32_t)v;
            } else if (field == F_PAYLOAD_LEN) {
                have_payload_len = true;
                declared_payload_len = (uint32_t)v;
            }
            break;
        case WT_I64:
        case WT_I32: {
            size_t w = (key & 7u) == WT_I64 ? 8 : 4;
            if (len - pos < w) {
                return WEBRTC_STATUS_MALFORMED;
            }
            pos += w;
            break;
        }
        case WT_LEN:
            k = get_varint(buf + pos, len - pos, &v);
            if (k == 0 || v > len - pos - k) {
                return WEBRTC_STATUS_MALFORMED;
            }
            pos += k;
            if (field == F_PEER_ID || field == F_CORRELATION_ID) {
                if (v > ERTC_BRIDGE_MSG_MAX_ID_LEN) {
                    return WEBRTC_STATUS_LIMIT_EXCEEDED;
                }
                if (memchr(buf + pos, '\0', (size_t)v) != NULL) {
                    return WEBRTC_STATUS_MALFORMED; /* ids become C strings */
                }
                if (field == F_PEER_ID) {
                    m.peer_id = (const char *)(buf + pos);
                    m.peer_id_len = (size_t)v;
                } else {
                    m.correlation_id = (const char *)(buf + pos);
                    m.correlation_id_len = (size_t)v;
                }
            } else if (field == F_PAYLOAD) {
                if (v > ERTC_BRIDGE_MSG_MAX_PAYLOAD) {
                    return WEBRTC_STATUS_LIMIT_EXCEEDED;
                }
                m.payload = buf + pos;
                m.payload_len = (size_t)v;
            }
            pos += (size_t)v;
            break;
        default: /* groups (3, 4) and reserved wire types */
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (have_payload_len && declared_payload_len != m.payload_len) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *msg = m;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- ICE server by index ---------------------------------------------------------------- */

void ertc_bridge_ice_request_encode(uint32_t index, bool use_turn,
                                    uint8_t out[ERTC_BRIDGE_ICE_REQUEST_LEN])
{
    /* ss_ice_request_payload_t as laid out on ESP32: uint32 little-endian, bool, padding */
    memset(out, 0, ERTC_BRIDGE_ICE_REQUEST_LEN);
    out[0] = (uint8_t)index;
    out[1] = (uint8_t)(index >> 8);
    out[2] = (uint8_t)(index >> 16);
    out[3] = (uint8_t)(index >> 24);
    out[4] = use_turn ? 1 : 0;
}

WEBRTC_STATUS ertc_bridge_ice_request_decode(const uint8_t *buf, size_t len, uint32_t *index,
                                             bool *use_turn)
{
    if (buf == NULL || index == NULL || use_turn == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len != ERTC_BRIDGE_ICE_REQUEST_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *index = (uint32_t)buf[0] | ((uint32_t)buf[1] << 8) | ((uint32_t)buf[2] << 16) |
             ((uint32_t)buf[3] << 24);
    *use_turn = buf[4] != 0;
    return WEBRTC_STATUS_SUCCESS;
}

static void put_cstr(uint8_t *out, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap - 1);
    memcpy(out, s, n);
    memset(out + n, 0, cap - n);
}

void ertc_bridge_ice_response_encode(const ertc_bridge_ice_response_t *r,
                                     uint8_t out[ERTC_BRIDGE_ICE_RESPONSE_LEN])
{
    put_cstr(out, r->url, ERTC_BRIDGE_ICE_URL_LEN);
    put_cstr(out + ERTC_BRIDGE_ICE_URL_LEN, r->username, ERTC_BRIDGE_ICE_USER_LEN);
    put_cstr(out + ERTC_BRIDGE_ICE_URL_LEN + ERTC_BRIDGE_ICE_USER_LEN, r->credential,
             ERTC_BRIDGE_ICE_CRED_LEN);
    out[ERTC_BRIDGE_ICE_RESPONSE_LEN - 1] = r->have_more ? 1 : 0;
}

static bool get_cstr(char *dst, const uint8_t *src, size_t cap)
{
    if (memchr(src, '\0', cap) == NULL) {
        return false;
    }
    memcpy(dst, src, cap);
    return true;
}

WEBRTC_STATUS ertc_bridge_ice_response_decode(const uint8_t *buf, size_t len,
                                              ertc_bridge_ice_response_t *r)
{
    if (buf == NULL || r == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_bridge_ice_response_t tmp;
    if (len != ERTC_BRIDGE_ICE_RESPONSE_LEN || !get_cstr(tmp.url, buf, ERTC_BRIDGE_ICE_URL_LEN) ||
        !get_cstr(tmp.username, buf + ERTC_BRIDGE_ICE_URL_LEN, ERTC_BRIDGE_ICE_USER_LEN) ||
        !get_cstr(tmp.credential, buf + ERTC_BRIDGE_ICE_URL_LEN + ERTC_BRIDGE_ICE_USER_LEN,
                  ERTC_BRIDGE_ICE_CRED_LEN)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    tmp.have_more = buf[ERTC_BRIDGE_ICE_RESPONSE_LEN - 1] != 0;
    *r = tmp;
    return WEBRTC_STATUS_SUCCESS;
}
