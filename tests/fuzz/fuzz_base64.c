/*
 * libFuzzer target for util/base64. Arbitrary input is decoded in all four modes; whenever
 * decoding succeeds, re-encoding must give back exactly the input, because the decoder only
 * accepts canonical text. The input is also encoded as binary and decoded back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/base64.h"

#define FUZZ_MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned modes[] = {0, ERTC_BASE64_URL, ERTC_BASE64_NO_PAD,
                                 ERTC_BASE64_URL | ERTC_BASE64_NO_PAD};

static void check_decode_then_encode(const char *text, size_t len, unsigned flags)
{
    size_t cap = ertc_base64_decoded_max_len(len);
    uint8_t *bin = ertc_malloc(cap);
    char *again = ertc_malloc(len + 1);
    if (bin == NULL || again == NULL) {
        abort();
    }
    size_t bin_len = 0;
    if (ertc_base64_decode(text, len, flags, bin, cap, &bin_len) == WEBRTC_STATUS_SUCCESS) {
        size_t again_len = 0;
        if (bin_len > cap ||
            ertc_base64_encode(bin, bin_len, flags, again, len + 1, &again_len) !=
                WEBRTC_STATUS_SUCCESS ||
            again_len != len || memcmp(again, text, len) != 0) {
            abort(); /* accepted text that the encoder would not produce */
        }
    }
    ertc_free(bin);
    ertc_free(again);
}

static void check_encode_then_decode(const uint8_t *bin, size_t len, unsigned flags)
{
    size_t text_len = ertc_base64_encoded_len(len, flags);
    char *text = ertc_malloc(text_len + 1);
    uint8_t *back = ertc_malloc(len);
    if (text == NULL || back == NULL) {
        abort();
    }
    size_t n = 0;
    if (ertc_base64_encode(bin, len, flags, text, text_len + 1, &n) != WEBRTC_STATUS_SUCCESS ||
        n != text_len || text[n] != '\0') {
        abort();
    }
    size_t back_len = 0;
    if (ertc_base64_decode(text, n, flags, back, len, &back_len) != WEBRTC_STATUS_SUCCESS ||
        back_len != len || memcmp(back, bin, len) != 0) {
        abort();
    }
    ertc_free(text);
    ertc_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) {
        return 0;
    }
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        check_decode_then_encode((const char *)data, size, modes[i]);
        check_encode_then_decode(data, size, modes[i]);
    }
    return 0;
}
