/*
 * Fuzzes the AppRTC wire parsers with network input: the /join answer, Collider frames, the
 * messages inside them and ICE server lists. The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/apprtc/apprtc_message.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[APPRTC_ERROR_LEN];
    switch (data[0] % 4) {
    case 0: {
        apprtc_join_t join;
        if (apprtc_parse_join(text, len, &join, err, sizeof(err)) == WEBRTC_STATUS_SUCCESS) {
            for (size_t i = 0; i < join.message_count; i++) {
                apprtc_incoming_t in;
                if (apprtc_parse_message(join.messages[i], strlen(join.messages[i]), &in) ==
                    WEBRTC_STATUS_SUCCESS) {
                    apprtc_incoming_free(&in);
                }
            }
        }
        apprtc_join_free(&join);
        break;
    }
    case 1: {
        char *inner = NULL;
        if (apprtc_parse_collider_frame(text, len, &inner, err, sizeof(err)) ==
                WEBRTC_STATUS_SUCCESS &&
            inner != NULL) {
            apprtc_incoming_t in;
            if (apprtc_parse_message(inner, strlen(inner), &in) == WEBRTC_STATUS_SUCCESS) {
                /* what we pass on must convert back into AppRTC form */
                if (in.payload != NULL && in.type != ESP_WEBRTC_MESSAGE_UNKNOWN) {
                    esp_webrtc_signaling_message_t m;
                    memset(&m, 0, sizeof(m));
                    m.message_type = in.type;
                    m.payload = in.payload;
                    m.payload_len = (uint32_t)in.payload_len;
                    char *out = NULL;
                    size_t n = 0;
                    if (apprtc_message_to_json(&m, &out, &n) == WEBRTC_STATUS_SUCCESS) {
                        ertc_free(out);
                    }
                }
                apprtc_incoming_free(&in);
            }
        }
        ertc_free(inner);
        break;
    }
    case 2: {
        app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
        uint32_t n = 0;
        apprtc_parse_ice_servers(text, len, servers, &n);
        if (n > APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
            abort();
        }
        uint64_t up_ms = 0;
        apprtc_parse_status(text, len, &up_ms); /* the Collider's /status answer */
        break;
    }
    default: {
        /* an outgoing message built from arbitrary payload bytes never breaks the JSON */
        esp_webrtc_signaling_message_t m;
        memset(&m, 0, sizeof(m));
        m.message_type = (esp_webrtc_message_type_t)(1 + data[0] / 4 % 3);
        char *payload = ertc_strndup(text, len); /* the input has no terminator */
        if (payload == NULL) {
            return 0;
        }
        m.payload = payload;
        m.payload_len = (uint32_t)strlen(payload);
        char *out = NULL;
        size_t n = 0;
        if (apprtc_message_to_json(&m, &out, &n) == WEBRTC_STATUS_SUCCESS) {
            char *wrapped = NULL;
            if (apprtc_wrap_send(out, &wrapped, &n) == WEBRTC_STATUS_SUCCESS) {
                ertc_free(wrapped);
            }
            ertc_free(out);
        }
        ertc_free(payload);
        break;
    }
    }
    return 0;
}
