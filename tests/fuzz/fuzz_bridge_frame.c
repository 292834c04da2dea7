/*
 * libFuzzer target for the bridge link's receive path (signaling/bridge): arbitrary bytes go
 * through the frame parser the way the link reads them (dropping what MALFORMED says, so the
 * parser must always make progress), MESSAGE frames through the reassembler and complete
 * messages through the SignalingMessage decoder and the ICE payload decoders. A frame that
 * parses must re-encode to exactly the bytes it came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/bridge/bridge_chunk.h"
#include "signaling/bridge/bridge_frame.h"
#include "signaling/bridge/bridge_msg.h"

#define FUZZ_MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_message(const uint8_t *buf, size_t len)
{
    ertc_bridge_msg_t m;
    if (ertc_bridge_msg_decode(buf, len, &m) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    if (m.peer_id_len > ERTC_BRIDGE_MSG_MAX_ID_LEN || m.payload_len > ERTC_BRIDGE_MSG_MAX_PAYLOAD ||
        (m.payload_len > 0 && (m.payload < buf || m.payload + m.payload_len > buf + len))) {
        abort();
    }
    /* the decoded view re-encodes into something that decodes to the same fields */
    size_t n = ertc_bridge_msg_encoded_len(&m);
    uint8_t *again = malloc(n + 1);
    size_t got = 0;
    ertc_bridge_msg_t d;
    if (again == NULL || ertc_bridge_msg_encode(&m, again, n, &got) != WEBRTC_STATUS_SUCCESS ||
        got != n || ertc_bridge_msg_decode(again, got, &d) != WEBRTC_STATUS_SUCCESS ||
        d.type != m.type || d.version != m.version || d.payload_len != m.payload_len ||
        (m.payload_len > 0 && memcmp(d.payload, m.payload, m.payload_len) != 0)) {
        abort();
    }
    free(again);
    uint32_t index = 0;
    bool use_turn = false;
    ertc_bridge_ice_response_t r;
    if (m.type == ERTC_BRIDGE_MSG_ICE_REQUEST && m.payload_len > 0) {
        (void)ertc_bridge_ice_request_decode(m.payload, m.payload_len, &index, &use_turn);
    } else if (m.type == ERTC_BRIDGE_MSG_ICE_SERVER_RESPONSE && m.payload_len > 0 &&
               ertc_bridge_ice_response_decode(m.payload, m.payload_len, &r) ==
                   WEBRTC_STATUS_SUCCESS) {
        if (strlen(r.url) >= sizeof(r.url) || strlen(r.credential) >= sizeof(r.credential)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) {
        return 0;
    }
    /* the whole input as one message too: the decoder sees every byte pattern directly */
    decode_message(data, size);

    ertc_bridge_reassembler_t r;
    ertc_bridge_reassembler_init(&r);
    size_t pos = 0;
    while (pos < size) {
        ertc_bridge_frame_t f;
        size_t used = 0;
        WEBRTC_STATUS st = ertc_bridge_frame_parse(data + pos, size - pos, &f, &used);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            if (used != 0) {
                abort();
            }
            break;
        }
        if (used == 0 || used > size - pos) {
            abort(); /* the reader must always make progress, within the buffer */
        }
        if (st == WEBRTC_STATUS_SUCCESS) {
            uint8_t wire[ERTC_BRIDGE_FRAME_MAX_LEN];
            size_t n = 0;
            if (ertc_bridge_frame_encode(&f, wire, sizeof(wire), &n) != WEBRTC_STATUS_SUCCESS ||
                n != used || memcmp(wire, data + pos, n) != 0) {
                abort();
            }
            if (f.type == ERTC_BRIDGE_FRAME_MESSAGE) {
                const uint8_t *msg = NULL;
                size_t msg_len = 0;
                if (ertc_bridge_reassembler_add(&r, &f, &msg, &msg_len) == WEBRTC_STATUS_SUCCESS) {
                    decode_message(msg, msg_len);
                }
                if (r.cap > ERTC_BRIDGE_MSG_MAX_LEN) {
                    abort();
                }
            }
        } else if (st != WEBRTC_STATUS_MALFORMED) {
            abort();
        }
        pos += used;
    }
    ertc_bridge_reassembler_free(&r);
    return 0;
}
