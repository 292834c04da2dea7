/*
 * libFuzzer target for net/http_parser in request mode (edgertc-signald's side) and for
 * net/http_request. The input is fed in two pieces, split at a position derived from its
 * first byte, and pipelined requests are parsed one after another with a reset between.
 * Besides the invariants of fuzz_http_response.c (consumed within what was fed, progress,
 * sticky failures with a message, body within its limit and equal to Content-Length),
 * every request that parses is rebuilt with ertc_http_build_request from its parts and
 * parsed again, which must give the same method, target, first header and body.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http_parser.h"
#include "net/http_request.h"
#include "util/strbuf.h"

#define MAX_MESSAGES 64
#define BODY_CAP     65536 /* libFuzzer's -max_len in run-fuzzer */
#define REBUILT_MAX  (256 * 1024)
#define REBUILT_LIMITS                                                                             \
    {                                                                                              \
        256 * 1024, 256, BODY_CAP, ERTC_HTTP_DEFAULT_MAX_CHUNK_LINE                                \
    }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

typedef struct {
    uint8_t data[BODY_CAP];
    size_t len;
    bool overflow; /* more than BODY_CAP bytes: not kept, not rebuilt */
    uint64_t bytes;
    uint64_t limit;
} body_t;

static body_t body_a;
static body_t body_b;

static WEBRTC_STATUS keep_body(const uint8_t *data, size_t len, void *arg)
{
    body_t *body = arg;
    require(data != NULL && len > 0);
    body->bytes += len;
    require(body->bytes <= body->limit);
    if (len > BODY_CAP - body->len) {
        body->overflow = true;
    } else {
        memcpy(body->data + body->len, data, len);
        body->len += len;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void clear_body(body_t *body, uint64_t limit)
{
    body->len = 0;
    body->overflow = false;
    body->bytes = 0;
    body->limit = limit;
}

static void check_head(const ertc_http_parser_t *p)
{
    const char *method = ertc_http_parser_method(p);
    const char *target = ertc_http_parser_target(p);
    require(method != NULL && method[0] != '\0' && strchr(method, ' ') == NULL);
    require(target != NULL && target[0] != '\0' && strchr(target, ' ') == NULL);
    require(ertc_http_parser_status_code(p) == 0 && ertc_http_parser_reason(p) == NULL);
    size_t count = ertc_http_parser_header_count(p);
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL;
        const char *value = NULL;
        require(ertc_http_parser_header_at(p, i, &name, &value));
        require(name[0] != '\0' && strchr(name, ':') == NULL);
        require(strchr(value, '\r') == NULL && strchr(value, '\n') == NULL);
        require(ertc_http_parser_header(p, name) != NULL);
    }
}

static void check_failed(ertc_http_parser_t *p, WEBRTC_STATUS st)
{
    require(ertc_http_parser_state(p) == ERTC_HTTP_STATE_ERROR);
    require(ertc_http_parser_error(p)[0] != '\0');
    size_t consumed = 1;
    require(ertc_http_parser_feed(p, (const uint8_t *)"x", 1, &consumed) == st);
    require(consumed == 0);
}

static bool is_framing_header(const char *name)
{
    return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0;
}

/* Rebuilds the request from its parts, parses it again and compares. */
static void check_rebuilt(const ertc_http_parser_t *p, const body_t *body)
{
    static ertc_http_header_t headers[ERTC_HTTP_DEFAULT_MAX_HEADERS];
    size_t n = 0;
    const char *first_name = NULL;
    const char *first_value = NULL;
    for (size_t i = 0; i < ertc_http_parser_header_count(p) && n < ERTC_HTTP_DEFAULT_MAX_HEADERS;
         i++) {
        const char *name = NULL;
        const char *value = NULL;
        require(ertc_http_parser_header_at(p, i, &name, &value));
        if (!is_framing_header(name)) {
            headers[n].name = name;
            headers[n].value = value;
            n++;
        }
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, REBUILT_MAX);
    const char *host = ertc_http_parser_header(p, "host") != NULL ? NULL : "fuzz.local";
    WEBRTC_STATUS st =
        ertc_http_build_request(&sb, ertc_http_parser_method(p), host, ertc_http_parser_target(p),
                                headers, n, body->data, body->len);
    if (st == WEBRTC_STATUS_INVALID_ARG) {
        /* Only for what a parser accepts and a builder must not send: two Host fields. */
        size_t hosts = 0;
        for (size_t i = 0; i < n; i++) {
            hosts += strcasecmp(headers[i].name, "host") == 0;
        }
        require(hosts > 1);
        ertc_strbuf_free(&sb);
        return;
    }
    require(st == WEBRTC_STATUS_SUCCESS);
    if (n > 0) {
        first_name = headers[0].name;
        first_value = ertc_http_parser_header(p, first_name);
    }

    ertc_http_parser_t q;
    ertc_http_limits_t limits = REBUILT_LIMITS;
    require(ertc_http_parser_init(&q, ERTC_HTTP_PARSE_REQUEST, &limits, NULL, 0) ==
            WEBRTC_STATUS_SUCCESS);
    clear_body(&body_b, limits.max_body_bytes);
    ertc_http_parser_set_body_callback(&q, keep_body, &body_b);
    const uint8_t *text = (const uint8_t *)ertc_strbuf_cstr(&sb);
    size_t len = ertc_strbuf_len(&sb);
    size_t pos = 0;
    while (pos < len && !ertc_http_parser_is_complete(&q)) {
        size_t consumed = 0;
        require(ertc_http_parser_feed(&q, text + pos, len - pos, &consumed) ==
                WEBRTC_STATUS_SUCCESS);
        pos += consumed;
    }
    require(pos == len && ertc_http_parser_is_complete(&q));
    require(strcmp(ertc_http_parser_method(&q), ertc_http_parser_method(p)) == 0);
    require(strcmp(ertc_http_parser_target(&q), ertc_http_parser_target(p)) == 0);
    require(body_b.len == body->len && memcmp(body_b.data, body->data, body->len) == 0);
    if (first_name != NULL) {
        const char *again = ertc_http_parser_header(&q, first_name);
        require(again != NULL && strcmp(again, first_value) == 0);
    }
    ertc_http_parser_free(&q);
    ertc_strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t split = (size_t)data[0] * size / 256;
    ertc_http_parser_t p;
    require(ertc_http_parser_init(&p, ERTC_HTTP_PARSE_REQUEST, NULL, NULL, 0) ==
            WEBRTC_STATUS_SUCCESS);
    clear_body(&body_a, ERTC_HTTP_DEFAULT_MAX_BODY_BYTES);
    ertc_http_parser_set_body_callback(&p, keep_body, &body_a);
    size_t pos = 0;
    for (int message = 0; message < MAX_MESSAGES && pos < size; message++) {
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
                return 0;
            }
            require(consumed > 0);
            require(consumed == fed || ertc_http_parser_is_complete(&p) ||
                    (!headers_before && ertc_http_parser_headers_complete(&p)));
        }
        if (!ertc_http_parser_is_complete(&p)) {
            /* Requests never run until close: a cut-short request fails at EOF. */
            WEBRTC_STATUS st = ertc_http_parser_finish(&p);
            require(st == WEBRTC_STATUS_MALFORMED || st == WEBRTC_STATUS_CLOSED);
            break;
        }
        check_head(&p);
        require(ertc_http_parser_body_bytes(&p) == body_a.bytes);
        uint64_t length = 0;
        if (ertc_http_parser_content_length(&p, &length)) {
            require(length == body_a.bytes);
        }
        if (!body_a.overflow) {
            check_rebuilt(&p, &body_a);
        }
        ertc_http_parser_reset(&p);
        clear_body(&body_a, ERTC_HTTP_DEFAULT_MAX_BODY_BYTES);
    }
    ertc_http_parser_free(&p);
    return 0;
}
