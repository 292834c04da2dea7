/*
 * libFuzzer target for peer/pc_if_message: the OFFER/ANSWER and ICE_CANDIDATE payloads a
 * signaling backend hands to the peer connection. The first byte picks offer, answer or
 * candidate; the rest is the payload. An accepted SDP is NUL-terminated at its length and
 * rebuilt into JSON that must parse back to the same text; an accepted candidate fits its
 * buffer, has no line break, and round-trips through the candidate JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/pc_if_message.h"
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
    if (size < 1) {
        return 0;
    }
    int kind = data[0] % 3;
    const char *payload = (const char *)data + 1;
    size_t len = size - 1;
    char err[ERTC_PC_IF_ERROR_SIZE];
    if (kind < 2) {
        char *sdp = NULL;
        size_t sdp_len = 0;
        if (ertc_pc_if_parse_sdp(payload, len, kind == 0, &sdp, &sdp_len, err, sizeof(err)) ==
            WEBRTC_STATUS_SUCCESS) {
            require(sdp != NULL && strlen(sdp) == sdp_len && sdp_len <= len);
            char *json = NULL;
            size_t json_len = 0;
            if (ertc_pc_if_build_sdp(kind == 0, sdp, sdp_len, &json, &json_len) ==
                WEBRTC_STATUS_SUCCESS) {
                char *again = NULL;
                size_t again_len = 0;
                if (ertc_pc_if_parse_sdp(json, json_len, kind == 0, &again, &again_len, err,
                                         sizeof(err)) == WEBRTC_STATUS_SUCCESS) {
                    require(again_len == sdp_len && memcmp(again, sdp, sdp_len) == 0);
                }
                ertc_free(again);
                ertc_free(json);
            }
            ertc_free(sdp);
        } else {
            require(sdp == NULL);
        }
        return 0;
    }
    char line[ERTC_PC_IF_MAX_CANDIDATE];
    if (ertc_pc_if_parse_candidate(payload, len, line, sizeof(line), err, sizeof(err)) ==
        WEBRTC_STATUS_SUCCESS) {
        size_t n = strlen(line);
        require(n < sizeof(line) && strchr(line, '\n') == NULL);
        char *json = NULL;
        size_t json_len = 0;
        if (ertc_pc_if_build_candidate(line, &json, &json_len) == WEBRTC_STATUS_SUCCESS) {
            char again[ERTC_PC_IF_MAX_CANDIDATE];
            if (ertc_pc_if_parse_candidate(json, json_len, again, sizeof(again), err,
                                           sizeof(err)) == WEBRTC_STATUS_SUCCESS) {
                require(strcmp(again, line) == 0);
            }
            ertc_free(json);
        }
    }
    return 0;
}
