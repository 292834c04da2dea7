/*
 * Fuzzes the MQTT example backend's wire parsers (examples/custom_signaling/mqtt_message.c)
 * with what a broker may deliver: signaling messages and presence records. The first byte
 * picks the parser. A parsed message is encoded again and must parse back to the same.
 *
 * The codec is compiled into this target directly: fuzz targets link only libedgertc, and the
 * example is not part of the library.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/custom_signaling/mqtt_message.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const uint8_t *text = data + 1;
    size_t len = size - 1;
    if (data[0] % 2 == 0) {
        mqtt_sig_msg_t msg;
        if (mqtt_sig_parse(text, len, &msg) == WEBRTC_STATUS_SUCCESS) {
            char *wire = mqtt_sig_encode(msg.type, msg.from, msg.to, msg.correlation, msg.payload,
                                         msg.payload_len);
            if (wire == NULL) {
                abort(); /* everything the parser accepts can be sent again */
            }
            mqtt_sig_msg_t again;
            if (mqtt_sig_parse(wire, strlen(wire), &again) != WEBRTC_STATUS_SUCCESS ||
                again.type != msg.type || strcmp(again.from, msg.from) != 0 ||
                again.payload_len != msg.payload_len) {
                abort();
            }
            mqtt_sig_msg_clear(&again);
            free(wire);
            mqtt_sig_msg_clear(&msg);
        }
    } else {
        mqtt_sig_presence_t p;
        (void)mqtt_sig_parse_presence(text, len, "viewer", &p);
    }
    return 0;
}
