/*
 * interop.bridge_protobuf_c: edgertc's hand-written SignalingMessage encoding against
 * protobuf-c (Debian libprotobuf-c-dev), the library the ESP port serializes with. The C code
 * is generated at build time by protoc-c from src/signaling/bridge/signaling.proto. For every
 * message type, with and without ids and payloads (up to a 5.6 KiB payload), both encoders
 * must produce identical bytes and each side must decode the other's.
 */
#include <stdio.h>
#include <string.h>

#include "signaling.pb-c.h"
#include "signaling/bridge/bridge_msg.h"

int main(void)
{
    static char payload[7000];
    memset(payload, 'p', sizeof(payload));
    int bad = 0;
    for (unsigned t = ERTC_BRIDGE_MSG_OFFER; t <= ERTC_BRIDGE_MSG_READY_QUERY; t++) {
        Kvs__Signaling__SignalingMessage m = KVS__SIGNALING__SIGNALING_MESSAGE__INIT;
        m.version = ERTC_BRIDGE_MSG_VERSION;
        m.messagetype = t;
        m.peerclientid = t == 8 ? "" : "viewer-1";
        m.correlationid = t % 2 ? "corr" : "";
        m.payload.data = (uint8_t *)payload;
        m.payload.len = t * 700;
        m.payloadlen = t * 700;
        static uint8_t a[8000], b[8000];
        size_t na = kvs__signaling__signaling_message__pack(&m, a);

        ertc_bridge_msg_t e = {.version = ERTC_BRIDGE_MSG_VERSION,
                               .type = t,
                               .peer_id = m.peerclientid,
                               .peer_id_len = strlen(m.peerclientid),
                               .correlation_id = m.correlationid,
                               .correlation_id_len = strlen(m.correlationid),
                               .payload = (const uint8_t *)payload,
                               .payload_len = t * 700};
        size_t nb = 0;
        int ok = ertc_bridge_msg_encode(&e, b, sizeof(b), &nb) == WEBRTC_STATUS_SUCCESS;
        ok = ok && na == nb && memcmp(a, b, na) == 0;

        ertc_bridge_msg_t d;
        ok = ok && ertc_bridge_msg_decode(a, na, &d) == WEBRTC_STATUS_SUCCESS && d.type == t &&
             d.version == ERTC_BRIDGE_MSG_VERSION && d.payload_len == t * 700 &&
             d.peer_id_len == strlen(m.peerclientid);
        Kvs__Signaling__SignalingMessage *u =
            kvs__signaling__signaling_message__unpack(NULL, nb, b);
        ok = ok && u != NULL && u->messagetype == t && u->payload.len == t * 700 &&
             strcmp(u->peerclientid, m.peerclientid) == 0 &&
             strcmp(u->correlationid, m.correlationid) == 0;
        if (u != NULL) {
            kvs__signaling__signaling_message__free_unpacked(u, NULL);
        }
        printf("%-20s protobuf-c %5zu bytes, edgertc %5zu bytes: %s\n",
               ertc_bridge_msg_type_name(t), na, nb, ok ? "identical, both decode" : "MISMATCH");
        bad |= !ok;
    }
    return bad;
}
