/*
 * mqtt_message.h — the JSON wire format of the MQTT example backend.
 *
 * Every signaling message is one MQTT publish to "<prefix>/<room>/<to>/in" whose payload is
 *     {"type":"offer","from":"cam1","to":"viewer7","payload":"<the SDP or candidate JSON>"}
 * with an optional "correlation" string. type is "offer", "answer", "candidate", "bye" or a
 * number >= 100 (a custom type, passed through). Presence is a retained publish to
 * "<prefix>/<room>/presence/<id>": {"type":"presence","from":"cam1","role":"master"}; an
 * empty retained payload (the last will) means the client left.
 *
 * The parsers take network input: they bound every length, never trust a terminator and
 * return WEBRTC_STATUS_MALFORMED / LIMIT_EXCEEDED instead of guessing.
 */
#ifndef MQTT_MESSAGE_H
#define MQTT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "webrtc_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Client ids and room names: 1..64 of [A-Za-z0-9_.-] (nothing MQTT treats specially). */
#define MQTT_SIG_MAX_ID_LEN 64
/* Largest wire message: the biggest payload app_webrtc accepts plus room for the envelope. */
#define MQTT_SIG_MAX_WIRE_LEN (APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN + 4096)

typedef struct {
    esp_webrtc_message_type_t type;
    char from[MQTT_SIG_MAX_ID_LEN + 1];
    char to[MQTT_SIG_MAX_ID_LEN + 1];
    char correlation[APP_WEBRTC_MAX_CORRELATION_ID_LEN + 1];
    char *payload; /* owned (malloc), NUL-terminated; NULL when the message has none */
    uint32_t payload_len;
} mqtt_sig_msg_t;

typedef struct {
    bool present; /* false: the client left (empty retained payload) */
    char from[MQTT_SIG_MAX_ID_LEN + 1];
    webrtc_signaling_channel_role_type_t role;
} mqtt_sig_presence_t;

/* True when s is a valid client id or room name. */
bool mqtt_sig_valid_id(const char *s);

/* Parses one signaling message; on success the caller owns msg->payload (mqtt_sig_msg_clear). */
WEBRTC_STATUS mqtt_sig_parse(const void *data, size_t len, mqtt_sig_msg_t *msg);
void mqtt_sig_msg_clear(mqtt_sig_msg_t *msg);

/* Parses a presence record; expected_from is the id in the topic (must match "from"). */
WEBRTC_STATUS mqtt_sig_parse_presence(const void *data, size_t len, const char *expected_from,
                                      mqtt_sig_presence_t *out);

/* Builds the wire JSON of a message (malloc'd, NUL-terminated) or NULL (bad type, no memory). */
char *mqtt_sig_encode(esp_webrtc_message_type_t type, const char *from, const char *to,
                      const char *correlation, const char *payload, uint32_t payload_len);
/* Builds a presence record. */
char *mqtt_sig_encode_presence(const char *from, webrtc_signaling_channel_role_type_t role);

/* "<prefix>/<room>/<id>/in" or "<prefix>/<room>/presence/<id>" into buf; false if too long. */
bool mqtt_sig_topic_in(char *buf, size_t len, const char *prefix, const char *room, const char *id);
bool mqtt_sig_topic_presence(char *buf, size_t len, const char *prefix, const char *room,
                             const char *id);

#ifdef __cplusplus
}
#endif

#endif
