/*
 * Fuzzes the ClientHello reassembler with datagrams from the network: the input is split into
 * datagrams at positions taken from its first bytes, fed in order; a READY record must be a
 * well-formed single-fragment ClientHello.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "peer/dtls_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t chunk = (size_t)data[0] * 8 + 1;
    data++;
    size--;
    ertc_dtls_hello_t r;
    ertc_dtls_hello_init(&r);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        ertc_dtls_hello_verdict_t v;
        const uint8_t *out = NULL;
        size_t out_len = 0;
        if (ertc_dtls_hello_feed(&r, data + off, n, &v, &out, &out_len) == WEBRTC_STATUS_SUCCESS &&
            v == ERTC_DTLS_HELLO_READY) {
            size_t msg_len = (size_t)out[14] << 16 | (size_t)out[15] << 8 | out[16];
            if (out_len != 25 + msg_len || out[0] != 22 || out[13] != 1) {
                abort();
            }
        }
    }
    ertc_dtls_hello_free(&r);
    return 0;
}
