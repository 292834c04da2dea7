/*
 * Bridge message (split mode): the ESP port's protobuf SignalingMessage (spec §2.7,
 * "Serialization of the bridge message", package kvs.signaling):
 *
 *   message SignalingMessage { uint32 version = 1; uint32 messageType = 2;
 *       string peerClientId = 3; string correlationId = 4; bytes payload = 5;
 *       uint32 payloadLen = 6; }
 *
 * The encoding is written by hand (proto3 wire format: varints and length-delimited fields),
 * so the library needs no generated code; tests/unit/test_bridge_msg.c checks it against
 * bytes protoc/protobuf-c would produce. Decoding is a pure function returning views into the
 * input; unknown fields are skipped (forward compatibility), groups are refused.
 *
 * The ICE request/response payloads are the ESP port's binary struct images
 * (ss_ice_request_payload_t, ss_ice_server_response_t; little-endian, as on ESP32).
 */
#ifndef ERTC_BRIDGE_MSG_H
#define ERTC_BRIDGE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* SignalingMessage.version written by this implementation (the ESP port uses 0 or 1). */
#define ERTC_BRIDGE_MSG_VERSION     1u
#define ERTC_BRIDGE_MSG_MAX_ID_LEN  256u          /* peerClientId / correlationId */
#define ERTC_BRIDGE_MSG_MAX_PAYLOAD (60u * 1024u) /* SDP of many m-lines fits easily */
#define ERTC_BRIDGE_MSG_MAX_LEN     (ERTC_BRIDGE_MSG_MAX_PAYLOAD + 2u * ERTC_BRIDGE_MSG_MAX_ID_LEN + 64u)

/* signaling_msg_type (spec §2.7) */
typedef enum {
    ERTC_BRIDGE_MSG_OFFER = 0,
    ERTC_BRIDGE_MSG_ANSWER = 1,
    ERTC_BRIDGE_MSG_ICE_CANDIDATE = 2,
    ERTC_BRIDGE_MSG_ICE_SERVERS = 3,
    ERTC_BRIDGE_MSG_ICE_REQUEST = 4,
    ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE = 5,
    ERTC_BRIDGE_MSG_TRIGGER_OFFER = 6,
    ERTC_BRIDGE_MSG_READY = 7,
    ERTC_BRIDGE_MSG_READY_QUERY = 8,
} ertc_bridge_msg_type_t;

/* A message; strings are not NUL-terminated (lengths given) and may point into a buffer. */
typedef struct {
    uint32_t version;
    uint32_t type; /* ertc_bridge_msg_type_t; decode accepts any value, callers check */
    const char *peer_id;
    size_t peer_id_len;
    const char *correlation_id;
    size_t correlation_id_len;
    const uint8_t *payload;
    size_t payload_len;
} ertc_bridge_msg_t;

const char *ertc_bridge_msg_type_name(uint32_t type);

/* Bytes ertc_bridge_msg_encode will write. */
size_t ertc_bridge_msg_encoded_len(const ertc_bridge_msg_t *msg);

/* INVALID_ARG/LIMIT_EXCEEDED for ids or payload over the limits, BUFFER_TOO_SMALL. */
WEBRTC_STATUS ertc_bridge_msg_encode(const ertc_bridge_msg_t *msg, uint8_t *out, size_t out_cap,
                                     size_t *out_len);

/* Encodes into a buffer from malloc() (webrtc_bridge_send_message takes such buffers);
 * NULL on a limit or allocation failure. */
uint8_t *ertc_bridge_msg_serialize(const ertc_bridge_msg_t *msg, size_t *out_len);

/* MALFORMED for bad wire data, LIMIT_EXCEEDED for a field over its limit. When payloadLen is
 * present it must equal the payload's length. */
WEBRTC_STATUS ertc_bridge_msg_decode(const uint8_t *buf, size_t len, ertc_bridge_msg_t *msg);

/* ---- ICE server by index (ICE_REQUEST / ICE_SERVER_RESPONSE payloads) ------------------- */

#define ERTC_BRIDGE_ICE_REQUEST_LEN  8u   /* {uint32 index; bool use_turn; pad[3]} */
#define ERTC_BRIDGE_ICE_URL_LEN      128u
#define ERTC_BRIDGE_ICE_USER_LEN     257u
#define ERTC_BRIDGE_ICE_CRED_LEN     257u
#define ERTC_BRIDGE_ICE_RESPONSE_LEN (ERTC_BRIDGE_ICE_URL_LEN + ERTC_BRIDGE_ICE_USER_LEN + \
                                      ERTC_BRIDGE_ICE_CRED_LEN + 1u)

typedef struct {
    char url[ERTC_BRIDGE_ICE_URL_LEN];
    char username[ERTC_BRIDGE_ICE_USER_LEN];
    char credential[ERTC_BRIDGE_ICE_CRED_LEN];
    bool have_more;
} ertc_bridge_ice_response_t;

void ertc_bridge_ice_request_encode(uint32_t index, bool use_turn,
                                    uint8_t out[ERTC_BRIDGE_ICE_REQUEST_LEN]);
WEBRTC_STATUS ertc_bridge_ice_request_decode(const uint8_t *buf, size_t len, uint32_t *index,
                                             bool *use_turn);
void ertc_bridge_ice_response_encode(const ertc_bridge_ice_response_t *r,
                                     uint8_t out[ERTC_BRIDGE_ICE_RESPONSE_LEN]);
/* MALFORMED for a wrong length or a string without its terminating NUL. */
WEBRTC_STATUS ertc_bridge_ice_response_decode(const uint8_t *buf, size_t len,
                                              ertc_bridge_ice_response_t *r);

#endif /* ERTC_BRIDGE_MSG_H */
