/*
 * signaling/kvs/kvs_message — the KVS data-plane message codec (specs/kvs-signaling.md §3.2,
 * §3.3) as pure functions over buffers, and the mapping between KVS messages and
 * esp_webrtc_signaling_message_t.
 *
 * Outgoing: {"action":"SDP_OFFER"|"SDP_ANSWER"|"ICE_CANDIDATE","recipientClientId":"<id>",
 * "messagePayload":"<base64(JSON)>","correlationId":"<id>"} — compact, optional keys omitted
 * (the JS SDK's shape). Incoming: {"messageType","senderClientId","messagePayload",
 * "statusResponse":{"correlationId","errorType","statusCode","description"}}, keys accepted
 * in lower-camel or capitalised form (the C SDK sends "MessagePayload"), statusCode as a
 * string or a number.
 *
 * The payload inside is the JSON edgertc uses everywhere ({"type","sdp"} and
 * {"candidate","sdpMid","sdpMLineIndex"}), so the mapping copies it as it is; it only checks
 * that it is a JSON object, and skips the empty end-of-candidates marker the SDKs never send.
 */
#ifndef ERTC_SIGNALING_KVS_MESSAGE_H
#define ERTC_SIGNALING_KVS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "webrtc_status.h"

/* The service's limit on messagePayload (base64 characters, spec §3.5): a longer outgoing
 * message is refused here rather than by the service. */
#define ERTC_KVS_MAX_PAYLOAD_B64_LEN 10000
/* Incoming: a frame larger than this is dropped (the service's own limit is 10 KiB of
 * payload; this leaves room for the envelope and a service that allows more). */
#define ERTC_KVS_MAX_FRAME_LEN          (24 * 1024)
#define ERTC_KVS_MAX_CORRELATION_ID_LEN 256
#define ERTC_KVS_MAX_STATUS_TEXT_LEN    256 /* errorType and description kept */

typedef enum {
    ERTC_KVS_MSG_UNKNOWN = 0,
    ERTC_KVS_MSG_SDP_OFFER,
    ERTC_KVS_MSG_SDP_ANSWER,
    ERTC_KVS_MSG_ICE_CANDIDATE,
    ERTC_KVS_MSG_GO_AWAY,
    ERTC_KVS_MSG_RECONNECT_ICE_SERVER,
    ERTC_KVS_MSG_STATUS_RESPONSE,
} ertc_kvs_msg_type_t;

typedef struct {
    ertc_kvs_msg_type_t type;
    char sender[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1]; /* "" when absent */
    char *payload; /* decoded payload, NUL-terminated (ertc_malloc); NULL when absent */
    size_t payload_len;
    /* STATUS_RESPONSE */
    char correlation_id[ERTC_KVS_MAX_CORRELATION_ID_LEN + 1];
    char error_type[ERTC_KVS_MAX_STATUS_TEXT_LEN + 1];
    char description[ERTC_KVS_MAX_STATUS_TEXT_LEN + 1];
    int status_code; /* 0 when absent */
} ertc_kvs_incoming_t;

/* Why an incoming frame was dropped; the client counts each kind and logs the first. */
typedef enum {
    ERTC_KVS_DROP_NONE = 0,
    ERTC_KVS_DROP_BAD_JSON,      /* not a JSON object, or a field of the wrong type */
    ERTC_KVS_DROP_OVERSIZED,     /* frame or a field over its limit */
    ERTC_KVS_DROP_BAD_BASE64,    /* messagePayload is not canonical base64 */
    ERTC_KVS_DROP_BAD_PAYLOAD,   /* the decoded payload is not a JSON object */
    ERTC_KVS_DROP_UNKNOWN_TYPE,  /* messageType missing or not one we know */
    ERTC_KVS_DROP_MISSING_FIELD, /* e.g. an SDP_OFFER without payload */
    ERTC_KVS_DROP_KIND_COUNT,
} ertc_kvs_drop_t;

const char *ertc_kvs_drop_name(ertc_kvs_drop_t why);
/* "SDP_OFFER", ...; "UNKNOWN". */
const char *ertc_kvs_msg_type_name(ertc_kvs_msg_type_t type);

/*
 * Parses one incoming text frame. SUCCESS with *out filled (free with ertc_kvs_incoming_free),
 * or SIGNALING_INVALID_MESSAGE / LIMIT_EXCEEDED with *why saying which kind of bad input it
 * was and *out cleared. Never allocates more than the frame's size.
 */
WEBRTC_STATUS ertc_kvs_message_parse(const char *frame, size_t len, ertc_kvs_incoming_t *out,
                                     ertc_kvs_drop_t *why);
void ertc_kvs_incoming_free(ertc_kvs_incoming_t *in);

/*
 * Builds the outgoing frame (ertc_malloc'd, NUL-terminated) for msg: recipient NULL or "" omits
 * recipientClientId (a viewer), correlation_id likewise. NOT_FOUND for an end-of-candidates
 * marker (nothing to send), INVALID_ARG for a type KVS cannot carry or a payload that is not a
 * JSON object, LIMIT_EXCEEDED when the base64 payload would exceed the service's 10000.
 */
WEBRTC_STATUS ertc_kvs_message_build(const esp_webrtc_signaling_message_t *msg,
                                     const char *recipient, const char *correlation_id,
                                     char **frame, size_t *frame_len);

/* KVS message type → edgertc message type (UNKNOWN for STATUS_RESPONSE and unknown). */
esp_webrtc_message_type_t ertc_kvs_msg_to_app_type(ertc_kvs_msg_type_t type);

/* True for [a-zA-Z0-9_.-]{1,256} (client and correlation ids). */
bool ertc_kvs_valid_id(const char *s);

/*
 * The status a STATUS_RESPONSE stands for: 401/403 and auth errors → SIGNALING_AUTH_FAILED,
 * 429 or ClientLimitExceeded → SIGNALING_RATE_LIMITED, 404 → SIGNALING_CHANNEL_NOT_FOUND,
 * anything else → SIGNALING_INVALID_MESSAGE. SUCCESS for a 200.
 */
WEBRTC_STATUS ertc_kvs_status_response_status(const ertc_kvs_incoming_t *in);

#endif
