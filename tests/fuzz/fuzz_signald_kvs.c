/*
 * Fuzzes the parsers of edgertc-signald's KVS emulator with network input: data-plane
 * frames (kvs_message), Authorization headers, presigned WebSocket queries (the whole SigV4
 * verification against a fixed key), and query parameter lookup. The first byte picks one.
 *
 * The emulator is a program, not part of the library, so its two parser files are compiled
 * into this target directly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../tools/signald/kvs_message.c"
#include "../../tools/signald/kvs_sigv4_verify.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const char *authorization;
} fuzz_headers_t;

static const char *fuzz_header(void *ctx, const char *name)
{
    const fuzz_headers_t *h = ctx;
    if (strcasecmp(name, "host") == 0) {
        return "127.0.0.1:4443";
    }
    if (strcasecmp(name, "x-amz-date") == 0) {
        return "20261122T063101Z";
    }
    if (strcasecmp(name, "authorization") == 0) {
        return h->authorization;
    }
    if (strcasecmp(name, "user-agent") == 0) {
        return "fuzz";
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024) {
        return 0;
    }
    char *text = malloc(size);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0'; /* NUL-terminated copy of data[1..] (stops at an inner NUL) */
    size_t len = size - 1;
    kvs_auth_keys_t keys = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-west-2",
                            "kinesisvideo", 1795329661};
    fuzz_headers_t headers = {NULL};
    kvs_auth_request_t req = {"GET", "/", "", fuzz_header, &headers, NULL, 0};
    char why[KVS_AUTH_WHY_SIZE];
    switch (data[0] % 5) {
    case 0: {
        kvs_message_t m;
        char mwhy[KVS_MESSAGE_WHY_SIZE];
        if (kvs_message_parse(text, len, &m, mwhy, sizeof(mwhy)) == WEBRTC_STATUS_SUCCESS) {
            ertc_strbuf_t out;
            ertc_strbuf_init_heap(&out, KVS_MAX_FRAME_LEN);
            kvs_event_format(&out, kvs_action_name(m.action), m.payload, m.payload_len, "v1");
            ertc_strbuf_free(&out);
        }
        kvs_message_clear(&m);
        break;
    }
    case 1: {
        kvs_auth_parts_t parts;
        kvs_auth_parse_header(text, &parts, why, sizeof(why));
        break;
    }
    case 2:
        req.query = text;
        kvs_auth_verify_presigned(&keys, &req, why, sizeof(why));
        break;
    case 3: {
        /* "authorization\nbody" as a signed POST */
        char *nl = strchr(text, '\n');
        if (nl != NULL) {
            *nl = '\0';
            req.body = (const uint8_t *)(nl + 1);
            req.body_len = strlen(nl + 1);
        }
        headers.authorization = text;
        req.method = "POST";
        req.path = "/describeSignalingChannel";
        kvs_auth_verify_header(&keys, &req, why, sizeof(why));
        break;
    }
    default: {
        char value[300];
        kvs_query_get(text, "X-Amz-ChannelARN", value, sizeof(value));
        break;
    }
    }
    free(text);
    return 0;
}
