/*
 * libFuzzer target for the KVS data-plane codec (signaling/kvs/kvs_message): every frame the
 * service could send. A parsed message must be consistent (a payload with its length and a
 * NUL after it, a known type); a parsed SDP/candidate message must survive a build → parse
 * round trip with the same payload, as the client relays exactly what it received.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/kvs_message.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ertc_kvs_incoming_t in;
    ertc_kvs_drop_t why = ERTC_KVS_DROP_NONE;
    if (ertc_kvs_message_parse((const char *)data, size, &in, &why) != WEBRTC_STATUS_SUCCESS) {
        require(why != ERTC_KVS_DROP_NONE && in.payload == NULL);
        return 0;
    }
    require(in.type != ERTC_KVS_MSG_UNKNOWN);
    require(strlen(in.sender) <= APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN);
    if (in.payload != NULL) {
        require(in.payload[in.payload_len] == '\0');
        require(strlen(in.payload) == in.payload_len);
    }
    esp_webrtc_message_type_t t = ertc_kvs_msg_to_app_type(in.type);
    if (in.payload != NULL && (t == ESP_WEBRTC_MESSAGE_OFFER || t == ESP_WEBRTC_MESSAGE_ANSWER ||
                               t == ESP_WEBRTC_MESSAGE_ICE_CANDIDATE)) {
        esp_webrtc_signaling_message_t m;
        memset(&m, 0, sizeof(m));
        m.message_type = t;
        m.payload = in.payload;
        m.payload_len = (uint32_t)in.payload_len;
        char *frame = NULL;
        size_t len = 0;
        WEBRTC_STATUS st = ertc_kvs_message_build(&m, "peer", "c1", &frame, &len);
        if (st == WEBRTC_STATUS_SUCCESS) {
            /* "action" → "messageType", as the service relays it */
            char *at = strstr(frame, "\"action\"");
            require(at == frame + 1);
            char *relayed = ertc_malloc(len + 32);
            require(relayed != NULL);
            size_t n = (size_t)snprintf(relayed, len + 32, "{\"messageType\"%s", frame + 9);
            ertc_kvs_incoming_t back;
            require(ertc_kvs_message_parse(relayed, n, &back, NULL) == WEBRTC_STATUS_SUCCESS);
            require(back.payload_len == in.payload_len);
            require(memcmp(back.payload, in.payload, in.payload_len) == 0);
            ertc_kvs_incoming_free(&back);
            ertc_free(relayed);
            ertc_free(frame);
        } else {
            require(frame == NULL);
        }
    } else {
        (void)ertc_kvs_status_response_status(&in);
    }
    ertc_kvs_incoming_free(&in);
    return 0;
}
