/*
 * signald/kvs_message — the KVS data-plane messages as the emulator sees them
 * (specs/kvs-signaling.md §3.2, §3.3).
 *
 * Client → service: one JSON object per text frame,
 *   {"action": "SDP_OFFER"|"SDP_ANSWER"|"ICE_CANDIDATE", "recipientClientId": id,
 *    "messagePayload": base64, "correlationId": id}
 * with keys in any capitalisation (the C SDK sends RecipientClientId, MessagePayload), and
 * extra keys (the C SDK's IceServerList) ignored. Service → client events are built here too:
 * {"messagePayload", "messageType", "senderClientId"} and STATUS_RESPONSE.
 *
 * The parser is pure and bounded (fuzzed by tests/fuzz/fuzz_signald_kvs.c); on refusal it
 * says why in the text a STATUS_RESPONSE carries.
 */
#ifndef SIGNALD_KVS_MESSAGE_H
#define SIGNALD_KVS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"
#include "webrtc_status.h"

/* Model limits: payload 1..10000 base64 characters, ids 1..256 of [a-zA-Z0-9_.-]. */
#define KVS_MAX_PAYLOAD_LEN 10000
#define KVS_MAX_ID_LEN      256
/* A whole frame: the payload plus its keys and ids (and a C SDK IceServerList). */
#define KVS_MAX_FRAME_LEN    (16 * 1024)
#define KVS_MESSAGE_WHY_SIZE 160

typedef enum {
    KVS_ACTION_SDP_OFFER,
    KVS_ACTION_SDP_ANSWER,
    KVS_ACTION_ICE_CANDIDATE,
} kvs_action_t;

typedef struct {
    kvs_action_t action;
    char recipient[KVS_MAX_ID_LEN + 1];   /* "" when absent */
    char correlation[KVS_MAX_ID_LEN + 1]; /* "" when absent */
    char *payload;                        /* heap copy; free with kvs_message_clear */
    size_t payload_len;
} kvs_message_t;

/* True for 1..KVS_MAX_ID_LEN characters of [a-zA-Z0-9_.-]. */
bool kvs_id_is_valid(const char *s);

const char *kvs_action_name(kvs_action_t a);

/* Parses one frame. MALFORMED or LIMIT_EXCEEDED with why (the correlation id, when it could
 * be read, is still in out->correlation so the refusal can carry it). */
WEBRTC_STATUS kvs_message_parse(const char *data, size_t len, kvs_message_t *out, char *why,
                                size_t whylen);
void kvs_message_clear(kvs_message_t *m);

/* {"messagePayload":P,"messageType":T[,"senderClientId":S]}; sender NULL to leave it out. */
WEBRTC_STATUS kvs_event_format(ertc_strbuf_t *out, const char *type, const char *payload,
                               size_t payload_len, const char *sender);
/* {"messageType":"STATUS_RESPONSE","statusResponse":{"correlationId","errorType",
 * "statusCode","description","success":false}} */
WEBRTC_STATUS kvs_status_format(ertc_strbuf_t *out, const char *correlation, const char *error_type,
                                int status_code, const char *description);

#endif
