/*
 * libFuzzer target for net/http_parser in response mode. The input is fed in two pieces,
 * split at a position derived from its first byte (which is also part of the message), as
 * a socket would deliver it; messages that complete are followed by the next one on the
 * same "connection" after a reset, as on a keep-alive connection. Each input runs twice:
 * with the default limits, and with tiny limits and the HEAD flag, so the limit paths are
 * reached. Checks the invariants callers rely on: consumed never exceeds what was fed,
 * progress is made, failures are sticky and carry a message, the body stays within its
 * limit and matches Content-Length, headers are NUL-terminated and looked up again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_parser.h"

#define MAX_MESSAGES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

typedef struct {
    uint64_t bytes;
    uint64_t limit;
} body_count_t;

static WEBRTC_STATUS count_body(const uint8_t *data, size_t len, void *arg)
{
    body_count_t *count = arg;
    require(data != NULL && len > 0);
    count->bytes += len;
    require(count->bytes <= count->limit);
    return WEBRTC_STATUS_SUCCESS;
}

static void check_head(const ertc_http_parser_t *p)
{
    int status = ertc_http_parser_status_code(p);
    require((status >= 200 && status <= 599) || status == 101); /* interim 1xx are skipped */
    require(ertc_http_parser_version(p) == 10 || ertc_http_parser_version(p) == 11);
    require(ertc_http_parser_reason(p) != NULL);
    size_t count = ertc_http_parser_header_count(p);
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL;
        const char *value = NULL;
        require(ertc_http_parser_header_at(p, i, &name, &value));
        require(name[0] != '\0' && strchr(name, ':') == NULL);
        require(strchr(value, '\r') == NULL && strchr(value, '\n') == NULL);
        require(ertc_http_parser_header(p, name) != NULL);
    }
    require(!ertc_http_parser_header_at(p, count, NULL, NULL));
}

static void check_failed(ertc_http_parser_t *p, WEBRTC_STATUS st)
{
    require(ertc_http_parser_state(p) == ERTC_HTTP_STATE_ERROR);
    require(ertc_http_parser_error(p)[0] != '\0');
    require(!ertc_http_parser_keep_alive(p));
    size_t consumed = 1;
    require(ertc_http_parser_feed(p, (const uint8_t *)"x", 1, &consumed) == st);
    require(consumed == 0);
    require(ertc_http_parser_finish(p) == st);
}

static void check_complete(const ertc_http_parser_t *p, const body_count_t *count)
{
    check_head(p);
    require(ertc_http_parser_body_bytes(p) == count->bytes);
    uint64_t length = 0;
    if (ertc_http_parser_content_length(p, &length)) {
        require(length == count->bytes);
    }
    if (ertc_http_parser_framing(p) == ERTC_HTTP_BODY_NONE) {
        require(count->bytes == 0);
    }
    if (ertc_http_parser_framing(p) == ERTC_HTTP_BODY_UNTIL_CLOSE ||
        ertc_http_parser_is_upgrade(p)) {
        require(!ertc_http_parser_keep_alive(p));
    }
}

static void run(const uint8_t *data, size_t size, size_t split, const ertc_http_limits_t *limits,
                bool head)
{
    ertc_http_parser_t p;
    require(ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, limits, NULL, 0) ==
            WEBRTC_STATUS_SUCCESS);
    body_count_t count = {0, limits->max_body_bytes};
    ertc_http_parser_set_body_callback(&p, count_body, &count);
    ertc_http_parser_set_head_response(&p, head);
    size_t pos = 0;
    for (int message = 0; message < MAX_MESSAGES; message++) {
        while (pos < size && !ertc_http_parser_is_complete(&p)) {
            size_t end = pos < split ? split : size;
            size_t fed = end - pos;
            bool headers_before = ertc_http_parser_headers_complete(&p);
            size_t consumed = fed + 1;
            WEBRTC_STATUS st = ertc_http_parser_feed(&p, data + pos, fed, &consumed);
            require(consumed <= fed);
            pos += consumed;
            if (WEBRTC_STATUS_FAILED(st)) {
                check_failed(&p, st);
                ertc_http_parser_free(&p);
                return;
            }
            require(consumed > 0);
            require(consumed == fed || ertc_http_parser_is_complete(&p) ||
                    (!headers_before && ertc_http_parser_headers_complete(&p)));
            if (ertc_http_parser_headers_complete(&p)) {
                check_head(&p);
            }
        }
        if (!ertc_http_parser_is_complete(&p)) {
            WEBRTC_STATUS st = ertc_http_parser_finish(&p);
            if (st == WEBRTC_STATUS_SUCCESS) {
                check_complete(&p, &count);
            } else if (st != WEBRTC_STATUS_CLOSED) {
                check_failed(&p, st);
            }
            break;
        }
        check_complete(&p, &count);
        if (ertc_http_parser_state(&p) == ERTC_HTTP_STATE_UPGRADED) {
            break; /* the rest would be WebSocket frames */
        }
        ertc_http_parser_reset(&p);
        ertc_http_parser_set_head_response(&p, head);
        count.bytes = 0;
    }
    ertc_http_parser_free(&p);
}

/* The WebSocket client's way: ertc_http_parser_feed_head only, which must agree with feed on
 * the head and never read past it. */
static void run_head_only(const uint8_t *data, size_t size, size_t split)
{
    ertc_http_parser_t p;
    require(ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, NULL, NULL, 0) ==
            WEBRTC_STATUS_SUCCESS);
    size_t pos = 0;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    while (pos < size && !ertc_http_parser_headers_complete(&p) && WEBRTC_STATUS_SUCCEEDED(st)) {
        size_t end = pos < split ? split : size;
        size_t consumed = end - pos + 1;
        st = ertc_http_parser_feed_head(&p, data + pos, end - pos, &consumed);
        require(consumed <= end - pos);
        pos += consumed;
    }
    if (WEBRTC_STATUS_FAILED(st)) {
        require(ertc_http_parser_state(&p) == ERTC_HTTP_STATE_ERROR);
        require(ertc_http_parser_error(&p)[0] != '\0');
    } else if (ertc_http_parser_headers_complete(&p)) {
        check_head(&p);
        size_t consumed = 1;
        require(ertc_http_parser_feed_head(&p, (const uint8_t *)"x", 1, &consumed) ==
                WEBRTC_STATUS_INVALID_OPERATION);
        require(consumed == 0);
    }
    ertc_http_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t split = (size_t)data[0] * size / 256;
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    run(data, size, split, &limits, false);
    run_head_only(data, size, split);

    limits.max_header_bytes = 256;
    limits.max_headers = 8;
    limits.max_body_bytes = 64;
    limits.max_chunk_line = 8;
    run(data, size, split, &limits, true);
    return 0;
}
