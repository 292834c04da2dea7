/*
 * Fuzzes the mDNS response parser (peer/mdns) with network input: ertc_mdns_find_a for a
 * fixed name and for a name taken from the input, and ertc_mdns_read_name at every offset.
 * Checks that a decoded name is NUL-terminated within ERTC_MDNS_MAX_NAME, that the offset
 * only moves forward inside the message, and that an A record found is IPv4.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/mdns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ertc_addr_t a;
    uint16_t id;
    WEBRTC_STATUS st =
        ertc_mdns_find_a(data, size, "0b6c4f1e-2f1a-4c1e-9a55-2a4b5c6d7e8f.local", &a, &id);
    if (st == WEBRTC_STATUS_SUCCESS && a.family != ERTC_AF_INET) {
        abort();
    }
    char name[ERTC_MDNS_MAX_NAME + 1];
    size_t limit = size < 512 ? size : 512;
    for (size_t off = 0; off < limit; off++) {
        size_t pos = off;
        if (ertc_mdns_read_name(data, size, &pos, name) == WEBRTC_STATUS_SUCCESS) {
            if (strlen(name) > ERTC_MDNS_MAX_NAME || pos <= off || pos > size) {
                abort();
            }
            if (off == ERTC_MDNS_HEADER_LEN) {
                /* the question's own name, looked up in the rest */
                (void)ertc_mdns_find_a(data, size, name, &a, NULL);
                uint8_t q[ERTC_MDNS_HEADER_LEN + ERTC_MDNS_MAX_NAME + 8];
                size_t qlen = 0;
                size_t nlen = strlen(name);
                /* A label may hold '.' bytes: a name ending in one is written without it. */
                if (nlen != 0 && name[nlen - 1] != '.' &&
                    ertc_mdns_build_query(q, sizeof(q), 1, name, &qlen) == WEBRTC_STATUS_SUCCESS) {
                    size_t p2 = ERTC_MDNS_HEADER_LEN;
                    char back[ERTC_MDNS_MAX_NAME + 1];
                    if (ertc_mdns_read_name(q, qlen, &p2, back) != WEBRTC_STATUS_SUCCESS ||
                        strcmp(back, name) != 0) {
                        abort();
                    }
                }
            }
        }
    }
    return 0;
}
