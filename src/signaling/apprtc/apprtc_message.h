/*
 * signaling/apprtc/apprtc_message — the AppRTC wire formats as pure functions over buffers:
 * the /join answer, the ICE endpoint's answer, Collider frames, and signaling messages both
 * ways (specs/apprtc.md §1.2, §1.6, §2.2, §3.1).
 *
 * Incoming messages are normalised to the payloads the rest of edgertc uses:
 * {"type":"offer","sdp":...} and {"candidate":...,"sdpMid":...,"sdpMLineIndex":...}, from
 * AppRTC's {"type":"candidate","label":N,"id":"mid","candidate":...}, KVS-ESP's
 * "iceCandidate" and typeless candidates. Outgoing ones are turned into what browsers and
 * Android expect (candidates with label and id).
 */
#ifndef ERTC_APPRTC_MESSAGE_H
#define ERTC_APPRTC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "app_webrtc_if.h"
#include "apprtc_signaling.h"
#include "webrtc_status.h"

#define APPRTC_MAX_MESSAGE_LEN (64 * 1024)  /* one signaling message, and one frame */
#define APPRTC_MAX_JOIN_RESPONSE (256 * 1024) /* a join answer with stored messages */
#define APPRTC_MAX_STORED_MESSAGES 128
#define APPRTC_MAX_URL_LEN 512
#define APPRTC_MAX_CLIENT_ID_LEN 64
#define APPRTC_ERROR_LEN 256

typedef struct {
    char client_id[APPRTC_MAX_CLIENT_ID_LEN + 1];
    bool is_initiator;
    char wss_url[APPRTC_MAX_URL_LEN];
    char wss_post_url[APPRTC_MAX_URL_LEN];
    char ice_server_url[APPRTC_MAX_URL_LEN];
    app_webrtc_ice_server_t ice_servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t ice_server_count;
    char **messages; /* the stored messages, as the server gave them (JSON texts) */
    size_t message_count;
} apprtc_join_t;

/* Parses a /join answer. A result other than SUCCESS gives LIMIT_EXCEEDED for FULL and
 * SIGNALING_INVALID_MESSAGE otherwise, with err saying so; a malformed answer is
 * SIGNALING_INVALID_MESSAGE. apprtc_join_free releases out (also after a failure). */
WEBRTC_STATUS apprtc_parse_join(const char *body, size_t len, apprtc_join_t *out, char *err,
                                size_t errlen);
void apprtc_join_free(apprtc_join_t *join);

/* Parses {"iceServers":[{"urls":..,"username":..,"credential":..}]} (the ICE endpoint's answer,
 * or pc_config): one entry per URL, at most APP_WEBRTC_MAX_ICE_SERVERS_COUNT. */
WEBRTC_STATUS apprtc_parse_ice_servers(const char *json, size_t len, app_webrtc_ice_server_t *out,
                                       uint32_t *count);

/* The Collider's GET /status answer {"upsec":<seconds up>,...}: *upsec_ms gets how long the
 * server process has been running (a number, whole seconds or a fraction; at most ~30 years).
 * MALFORMED when upsec is missing or not a usable number. */
WEBRTC_STATUS apprtc_parse_status(const char *json, size_t len, uint64_t *upsec_ms);

/* A Collider frame {"msg":"...","error":"..."}: *inner gets a copy of msg (NULL when empty),
 * or the call fails with SIGNALING_INVALID_MESSAGE and the error text in err. */
WEBRTC_STATUS apprtc_parse_collider_frame(const char *data, size_t len, char **inner, char *err,
                                          size_t errlen);

typedef struct {
    esp_webrtc_message_type_t type; /* UNKNOWN for messages to ignore (heartbeats) */
    char *payload;                  /* normalised JSON, or the customized data; may be NULL */
    size_t payload_len;
} apprtc_incoming_t;

/* Turns one AppRTC message (the JSON text inside msg) into an edgertc message. */
WEBRTC_STATUS apprtc_parse_message(const char *json, size_t len, apprtc_incoming_t *out);
void apprtc_incoming_free(apprtc_incoming_t *in);

/* The AppRTC JSON for an outgoing message. NOT_FOUND: nothing to send (an end-of-candidates
 * marker: AppRTC has none). INVALID_ARG for a type AppRTC cannot carry or a bad payload. */
WEBRTC_STATUS apprtc_message_to_json(const esp_webrtc_signaling_message_t *msg, char **out,
                                     size_t *out_len);

/* {"cmd":"send","msg":"<json>"} and {"cmd":"register","roomid":..,"clientid":..}. */
WEBRTC_STATUS apprtc_wrap_send(const char *json, char **out, size_t *out_len);
WEBRTC_STATUS apprtc_make_register(const char *room, const char *client, char **out,
                                   size_t *out_len);

/* True for a room or client id the protocol allows: [A-Za-z0-9_-]{1,APPRTC_MAX_ROOM_ID_LEN}. */
bool apprtc_valid_id(const char *id);

#endif
