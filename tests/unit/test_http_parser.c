/*
 * Unit tests for net/http_parser and net/http_request: real traffic captured from aiohttp,
 * websockets, Python's http.server, Node and curl on loopback (tests/data/http, made by
 * capture.py there), each fed whole, one byte at a time and in random pieces; the inputs
 * the parser must refuse, each with its status and message; request mode; HTTP-date
 * parsing; and the request/response builders, including header injection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_parser.h"
#include "net/http_request.h"
#include "util/alloc.h"
#include "util/strbuf.h"

#define BODY_CAP     (64 * 1024)
#define RANDOM_SEEDS 25

/* ---- helpers ---------------------------------------------------------------------------- */

typedef struct {
    uint8_t data[BODY_CAP];
    size_t len;
    size_t calls;
} body_sink_t;

static WEBRTC_STATUS collect_body(const uint8_t *data, size_t len, void *arg)
{
    body_sink_t *sink = arg;
    assert_true(len > 0);
    assert_true(len <= BODY_CAP - sink->len);
    memcpy(sink->data + sink->len, data, len);
    sink->len += len;
    sink->calls++;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS refuse_body(const uint8_t *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    (void)arg;
    return WEBRTC_STATUS_QUEUE_FULL;
}

typedef struct {
    uint8_t *data;
    size_t len;
} file_t;

static file_t load_capture(const char *name)
{
    const char *dir = getenv("ERTC_TEST_DATA");
    if (dir == NULL) {
        fail_msg("ERTC_TEST_DATA is not set");
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/http/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s", path);
    }
    file_t file = {malloc(BODY_CAP), 0};
    assert_non_null(file.data);
    file.len = fread(file.data, 1, BODY_CAP, f);
    fclose(f);
    assert_true(file.len > 0 && file.len < BODY_CAP);
    return file;
}

/* How input is cut into pieces: whole, one byte at a time, or random sizes from a seed. */
typedef enum { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM } split_t;

typedef struct {
    split_t split;
    uint32_t rng;
} feeder_t;

static size_t next_piece(feeder_t *f, size_t left)
{
    size_t n = left;
    if (f->split == SPLIT_BYTES) {
        n = 1;
    } else if (f->split == SPLIT_RANDOM) {
        f->rng = f->rng * 1103515245u + 12345u;
        uint32_t r = (f->rng >> 16) & 0x7FFF;
        n = (r % 4 == 0) ? 1 + r % 700 : 1 + r % 23; /* mostly small, sometimes large */
    }
    return n < left ? n : left;
}

/*
 * Feeds data[0..len) in pieces until the message is complete, the input runs out or the
 * parser fails. Checks that consumed never exceeds a piece and that a piece is only cut
 * short at the end of the headers or of the message. *used gets the bytes consumed.
 */
static WEBRTC_STATUS feed_message(ertc_http_parser_t *p, feeder_t *f, const uint8_t *data,
                                  size_t len, size_t *used)
{
    size_t pos = 0;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    while (!ertc_http_parser_is_complete(p) && pos < len) {
        size_t n = next_piece(f, len - pos);
        bool headers_before = ertc_http_parser_headers_complete(p);
        size_t consumed = 99999;
        st = ertc_http_parser_feed(p, data + pos, n, &consumed);
        assert_true(consumed <= n);
        pos += consumed;
        if (WEBRTC_STATUS_FAILED(st)) {
            break;
        }
        if (consumed < n) {
            assert_true(ertc_http_parser_is_complete(p) ||
                        (!headers_before && ertc_http_parser_headers_complete(p)));
        }
    }
    *used = pos;
    return st;
}

static void init_parser(ertc_http_parser_t *p, ertc_http_mode_t mode, body_sink_t *sink)
{
    assert_int_equal(ertc_http_parser_init(p, mode, NULL, NULL, 0), WEBRTC_STATUS_SUCCESS);
    if (sink != NULL) {
        memset(sink, 0, sizeof(*sink));
        ertc_http_parser_set_body_callback(p, collect_body, sink);
    }
}

/* Runs check(split, seed) for whole input, byte-by-byte and RANDOM_SEEDS random splits. */
static void for_each_split(void (*check)(feeder_t *f))
{
    feeder_t whole = {SPLIT_WHOLE, 0};
    check(&whole);
    feeder_t bytes = {SPLIT_BYTES, 0};
    check(&bytes);
    for (uint32_t seed = 1; seed <= RANDOM_SEEDS; seed++) {
        feeder_t rnd = {SPLIT_RANDOM, seed * 7919u};
        check(&rnd);
    }
}

static void assert_header(const ertc_http_parser_t *p, const char *name, const char *want)
{
    const char *got = ertc_http_parser_header(p, name);
    if (got == NULL || strcmp(got, want) != 0) {
        fail_msg("header %s: got \"%s\", expected \"%s\"", name, got ? got : "(none)", want);
    }
}

static void assert_body(const body_sink_t *sink, const char *want)
{
    size_t n = strlen(want);
    if (sink->len != n || memcmp(sink->data, want, n) != 0) {
        fail_msg("body: got %zu bytes \"%.*s\", expected \"%s\"", sink->len, (int)sink->len,
                 (const char *)sink->data, want);
    }
}

static void assert_date_header_parses(const ertc_http_parser_t *p)
{
    const char *date = ertc_http_parser_header(p, "date");
    assert_non_null(date);
    int64_t t = 0;
    assert_int_equal(ertc_http_parse_date(date, &t), WEBRTC_STATUS_SUCCESS);
    assert_true(t > 1600000000); /* after 2020: a clock this machine really had */
}

/* ---- captured responses ----------------------------------------------------------------- */

static void check_aiohttp_chunked(feeder_t *f)
{
    file_t file = load_capture("aiohttp_chunked.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_COMPLETE);
    assert_int_equal(used, file.len);
    assert_int_equal(ertc_http_parser_status_code(&p), 200);
    assert_string_equal(ertc_http_parser_reason(&p), "OK");
    assert_int_equal(ertc_http_parser_version(&p), 11);
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_CHUNKED);
    assert_header(&p, "Transfer-Encoding", "chunked");
    assert_header(&p, "content-type", "text/plain");
    assert_header(&p, "SERVER", "Python/3.11 aiohttp/3.8.4");
    assert_int_equal(ertc_http_parser_header_count(&p), 5);
    assert_false(ertc_http_parser_keep_alive(&p)); /* Connection: close */
    assert_date_header_parses(&p);

    /* capture.py wrote "first chunk\n", 5000 'x', "\n", "last chunk\n" as separate chunks. */
    char want[BODY_CAP];
    size_t w = (size_t)snprintf(want, sizeof(want), "first chunk\n");
    memset(want + w, 'x', 5000);
    snprintf(want + w + 5000, sizeof(want) - w - 5000, "\nlast chunk\n");
    assert_body(&sink, want);
    assert_true(sink.calls >= 4);
    assert_int_equal(ertc_http_parser_body_bytes(&p), strlen(want));
    assert_int_equal(ertc_http_parser_finish(&p), WEBRTC_STATUS_SUCCESS);
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_aiohttp_chunked(void **state)
{
    (void)state;
    for_each_split(check_aiohttp_chunked);
}

static void check_keepalive_pair(feeder_t *f)
{
    file_t file = load_capture("aiohttp_keepalive_pair.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t first = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &first), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_true(first < file.len);
    assert_memory_equal(file.data + first, "HTTP/1.1 200 OK\r\n", 17);
    assert_int_equal(ertc_http_parser_status_code(&p), 200);
    uint64_t length = 0;
    assert_true(ertc_http_parser_content_length(&p, &length));
    assert_int_equal(length, 33);
    assert_header(&p, "Content-Type", "application/json; charset=utf-8");
    assert_null(ertc_http_parser_header(&p, "Connection"));
    assert_true(ertc_http_parser_keep_alive(&p));
    assert_body(&sink, "{\"ok\": true, \"server\": \"aiohttp\"}");

    /* Feeding a complete message is refused until reset. */
    size_t consumed = 1;
    assert_int_equal(ertc_http_parser_feed(&p, file.data + first, file.len - first, &consumed),
                     WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(consumed, 0);

    ertc_http_parser_reset(&p);
    sink.len = 0;
    assert_null(ertc_http_parser_reason(&p));
    assert_int_equal(ertc_http_parser_header_count(&p), 0);
    size_t second = 0;
    assert_int_equal(feed_message(&p, f, file.data + first, file.len - first, &second),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(first + second, file.len);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_header(&p, "connection", "close");
    assert_false(ertc_http_parser_keep_alive(&p));
    assert_body(&sink, "{\"ok\": true, \"server\": \"aiohttp\"}");
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_keepalive_pair(void **state)
{
    (void)state;
    for_each_split(check_keepalive_pair);
}

static void check_head(feeder_t *f)
{
    file_t file = load_capture("aiohttp_head.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    ertc_http_parser_set_head_response(&p, true);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(used, file.len);
    assert_int_equal(ertc_http_parser_status_code(&p), 200);
    assert_header(&p, "Content-Length", "33"); /* the GET body's length, no body follows */
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_NONE);
    assert_int_equal(sink.len, 0);

    /* Without the HEAD flag the same bytes are a truncated 33-byte body. */
    ertc_http_parser_reset(&p);
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_false(ertc_http_parser_is_complete(&p));
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_BODY_LENGTH);
    assert_int_equal(ertc_http_parser_finish(&p), WEBRTC_STATUS_MALFORMED);
    assert_string_equal(ertc_http_parser_error(&p), "connection closed after 0 of 33 body bytes");
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_head(void **state)
{
    (void)state;
    for_each_split(check_head);
}

static void check_no_body_status(feeder_t *f, const char *name, int status)
{
    file_t file = load_capture(name);
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(used, file.len);
    assert_int_equal(ertc_http_parser_status_code(&p), status);
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_NONE);
    assert_int_equal(sink.len, 0);
    assert_date_header_parses(&p);
    if (status == 304) {
        assert_string_equal(ertc_http_parser_reason(&p), "Not Modified");
        assert_header(&p, "etag", "\"v1\"");
    } else {
        assert_string_equal(ertc_http_parser_reason(&p), "No Content");
    }
    ertc_http_parser_free(&p);
    free(file.data);
}

static void check_204(feeder_t *f)
{
    check_no_body_status(f, "aiohttp_204.http", 204);
}

static void check_304(feeder_t *f)
{
    check_no_body_status(f, "aiohttp_304.http", 304);
}

static void test_capture_204_and_304(void **state)
{
    (void)state;
    for_each_split(check_204);
    for_each_split(check_304);
}

static void check_100_continue(feeder_t *f)
{
    file_t file = load_capture("aiohttp_100_continue.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(used, file.len);
    assert_int_equal(ertc_http_parser_status_code(&p), 200); /* the interim 100 is skipped */
    assert_string_equal(ertc_http_parser_reason(&p), "OK");
    assert_body(&sink, "echo this body");
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_100_continue(void **state)
{
    (void)state;
    for_each_split(check_100_continue);
}

static void check_websocket_upgrade(feeder_t *f)
{
    static const uint8_t frame[] = "\x81\x15hello from websockets";
    file_t file = load_capture("websockets_101.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_UPGRADED);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_true(ertc_http_parser_is_upgrade(&p));
    assert_false(ertc_http_parser_keep_alive(&p));
    assert_int_equal(ertc_http_parser_status_code(&p), 101);
    assert_string_equal(ertc_http_parser_reason(&p), "Switching Protocols");
    assert_header(&p, "upgrade", "websocket");
    assert_header(&p, "Connection", "Upgrade");
    /* RFC 6455 §1.3's example key, so the accept value is the RFC's too. */
    assert_header(&p, "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(sink.len, 0);
    /* The parser stopped right after the blank line: the rest is the WebSocket frame. */
    assert_int_equal(file.len - used, sizeof(frame) - 1);
    assert_memory_equal(file.data + used - 4, "\r\n\r\n", 4);
    assert_memory_equal(file.data + used, frame, sizeof(frame) - 1);
    size_t consumed = 1;
    assert_int_equal(ertc_http_parser_feed(&p, file.data + used, file.len - used, &consumed),
                     WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(consumed, 0);
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_websocket_upgrade(void **state)
{
    (void)state;
    for_each_split(check_websocket_upgrade);
}

static void check_until_close(feeder_t *f)
{
    file_t file = load_capture("pyhttp_until_close.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(used, file.len);
    assert_false(ertc_http_parser_is_complete(&p));
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_BODY_UNTIL_CLOSE);
    assert_int_equal(ertc_http_parser_version(&p), 10);
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_UNTIL_CLOSE);
    assert_false(ertc_http_parser_keep_alive(&p));
    assert_int_equal(ertc_http_parser_finish(&p), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_body(&sink, "body without a length\nends when the server closes\n");
    assert_header(&p, "Content-Type", "text/plain");
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_until_close(void **state)
{
    (void)state;
    for_each_split(check_until_close);
}

static void check_node_trailers(feeder_t *f)
{
    file_t file = load_capture("node_trailers.http");
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    size_t used = 0;
    assert_int_equal(feed_message(&p, f, file.data, file.len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(used, file.len);
    assert_body(&sink, "node says hello");
    assert_header(&p, "Trailer", "X-Checksum");
    assert_null(ertc_http_parser_header(&p, "X-Checksum")); /* trailers are dropped */
    assert_int_equal(ertc_http_parser_header_count(&p), 5);
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_node_trailers(void **state)
{
    (void)state;
    for_each_split(check_node_trailers);
}

/* ---- captured requests ------------------------------------------------------------------ */

static void parse_request_capture(feeder_t *f, const char *name, ertc_http_parser_t *p,
                                  body_sink_t *sink, file_t *file)
{
    *file = load_capture(name);
    init_parser(p, ERTC_HTTP_PARSE_REQUEST, sink);
    size_t used = 0;
    assert_int_equal(feed_message(p, f, file->data, file->len, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(p));
    assert_int_equal(used, file->len);
    assert_int_equal(ertc_http_parser_version(p), 11);
    assert_null(ertc_http_parser_reason(p));
    assert_int_equal(ertc_http_parser_status_code(p), 0);
    assert_true(strncmp(ertc_http_parser_header(p, "host"), "127.0.0.1:", 10) == 0);
}

static void check_curl_requests(feeder_t *f)
{
    ertc_http_parser_t p;
    body_sink_t sink;
    file_t file;

    parse_request_capture(f, "curl_get.req", &p, &sink, &file);
    assert_string_equal(ertc_http_parser_method(&p), "GET");
    assert_string_equal(ertc_http_parser_target(&p), "/rooms/abc?peer=device1&x=%20y");
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_NONE);
    assert_header(&p, "user-agent", "curl/7.88.1");
    assert_true(ertc_http_parser_keep_alive(&p));
    assert_false(ertc_http_parser_is_upgrade(&p));
    ertc_http_parser_free(&p);
    free(file.data);

    parse_request_capture(f, "curl_post.req", &p, &sink, &file);
    assert_string_equal(ertc_http_parser_method(&p), "POST");
    assert_string_equal(ertc_http_parser_target(&p), "/message");
    assert_header(&p, "Content-Type", "application/json");
    assert_body(&sink, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}");
    ertc_http_parser_free(&p);
    free(file.data);

    parse_request_capture(f, "curl_chunked_put.req", &p, &sink, &file);
    assert_string_equal(ertc_http_parser_method(&p), "PUT");
    assert_string_equal(ertc_http_parser_target(&p), "/upload");
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_CHUNKED);
    assert_header(&p, "Expect", "100-continue");
    assert_body(&sink, "streamed body from stdin\nstreamed body from stdin\n"
                       "streamed body from stdin\n");
    ertc_http_parser_free(&p);
    free(file.data);

    parse_request_capture(f, "websockets_upgrade.req", &p, &sink, &file);
    assert_string_equal(ertc_http_parser_method(&p), "GET");
    assert_string_equal(ertc_http_parser_target(&p), "/signal?id=device1");
    assert_true(ertc_http_parser_is_upgrade(&p));
    assert_header(&p, "Sec-WebSocket-Version", "13");
    assert_header(&p, "sec-websocket-extensions", "permessage-deflate; client_max_window_bits");
    assert_non_null(ertc_http_parser_header(&p, "Sec-WebSocket-Key"));
    ertc_http_parser_free(&p);
    free(file.data);
}

static void test_capture_requests(void **state)
{
    (void)state;
    for_each_split(check_curl_requests);
}

/* ---- hand-made messages: things that must work ------------------------------------------ */

/* Parses a whole NUL-terminated message; returns the status and the bytes consumed. */
static WEBRTC_STATUS parse_text(ertc_http_parser_t *p, const char *text, size_t *used)
{
    feeder_t whole = {SPLIT_WHOLE, 0};
    size_t dummy = 0;
    return feed_message(p, &whole, (const uint8_t *)text, strlen(text), used ? used : &dummy);
}

/* Parses text one byte at a time too, and checks both ways give status and message. */
static void expect_failure(ertc_http_mode_t mode, const ertc_http_limits_t *limits,
                           const char *text, WEBRTC_STATUS want, const char *want_error)
{
    for (int bytes = 0; bytes < 2; bytes++) {
        ertc_http_parser_t p;
        assert_int_equal(ertc_http_parser_init(&p, mode, limits, NULL, 0), WEBRTC_STATUS_SUCCESS);
        feeder_t f = {bytes ? SPLIT_BYTES : SPLIT_WHOLE, 0};
        size_t used = 0;
        WEBRTC_STATUS st = feed_message(&p, &f, (const uint8_t *)text, strlen(text), &used);
        if (st == WEBRTC_STATUS_SUCCESS && !ertc_http_parser_is_complete(&p)) {
            st = ertc_http_parser_finish(&p);
        }
        if (st != want || strstr(ertc_http_parser_error(&p), want_error) == NULL) {
            fail_msg("%s: status %u \"%s\", expected %u \"%s\"", text, (unsigned)st,
                     ertc_http_parser_error(&p), (unsigned)want, want_error);
        }
        assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_ERROR);
        assert_false(ertc_http_parser_keep_alive(&p));
        /* The failure is sticky. */
        size_t consumed = 1;
        assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)"x", 1, &consumed), want);
        assert_int_equal(consumed, 0);
        ertc_http_parser_free(&p);
    }
}

static void test_header_values_and_lookup(void **state)
{
    (void)state;
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    const char *text = "\r\nHTTP/1.1 200\r\n"
                       "X-Trim: \t value with  inner \t \r\n"
                       "X-Empty:\r\n"
                       "x-dup: one\r\n"
                       "X-Dup: two\r\n"
                       "X-Obs: caf\xc3\xa9\r\n"
                       "Content-Length: 0\r\n\r\n";
    assert_int_equal(parse_text(&p, text, NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_string_equal(ertc_http_parser_reason(&p), ""); /* no reason phrase at all */
    assert_header(&p, "x-trim", "value with  inner");
    assert_header(&p, "X-EMPTY", "");
    assert_header(&p, "X-Dup", "one"); /* the first of repeated fields */
    assert_header(&p, "X-Obs", "caf\xc3\xa9");
    assert_null(ertc_http_parser_header(&p, "X-Du"));
    assert_null(ertc_http_parser_header(&p, "X-Dupe"));
    assert_int_equal(ertc_http_parser_header_count(&p), 6);
    const char *name = NULL;
    const char *value = NULL;
    assert_true(ertc_http_parser_header_at(&p, 3, &name, &value));
    assert_string_equal(name, "X-Dup");
    assert_string_equal(value, "two");
    assert_false(ertc_http_parser_header_at(&p, 6, &name, &value));
    ertc_http_parser_free(&p);
}

static void test_keep_alive_rules(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool keep_alive;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true},
        {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.1 200 OK\r\nConnection: foo, CLOSE\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false},
        {"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", true},
        {"HTTP/1.1 204 No Content\r\n\r\n", true},
        /* chunked wins over Content-Length, but the connection is not reused */
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_http_parser_t p;
        init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
        assert_int_equal(parse_text(&p, cases[i].text, NULL), WEBRTC_STATUS_SUCCESS);
        assert_true(ertc_http_parser_is_complete(&p));
        if (ertc_http_parser_keep_alive(&p) != cases[i].keep_alive) {
            fail_msg("case %zu: keep-alive should be %d", i, cases[i].keep_alive);
        }
        ertc_http_parser_free(&p);
    }
}

static void test_feed_stops_at_end_of_headers(void **state)
{
    (void)state;
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1";
    size_t head_len = strlen(text) - strlen("helloHTTP/1.1");
    size_t consumed = 0;
    assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)text, strlen(text), &consumed),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(consumed, head_len); /* headers first, no body byte delivered yet */
    assert_true(ertc_http_parser_headers_complete(&p));
    assert_int_equal(sink.len, 0);
    assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)text + head_len,
                                           strlen(text) - head_len, &consumed),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(consumed, 5); /* then the body, and not the next message */
    assert_true(ertc_http_parser_is_complete(&p));
    assert_body(&sink, "hello");
    ertc_http_parser_free(&p);
}

static void test_chunk_extensions_and_body_callback_failure(void **state)
{
    (void)state;
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    const char *text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                       "3;name=value\r\nabc\r\n0002 ; a ; b=\"c\"\r\nde\r\n0\r\n\r\n";
    assert_int_equal(parse_text(&p, text, NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_body(&sink, "abcde");

    ertc_http_parser_reset(&p);
    ertc_http_parser_set_body_callback(&p, refuse_body, NULL);
    assert_int_equal(parse_text(&p, text, NULL), WEBRTC_STATUS_QUEUE_FULL);
    assert_string_equal(ertc_http_parser_error(&p), "body callback failed: QUEUE_FULL");
    ertc_http_parser_free(&p);
}

static void test_caller_store_and_limits(void **state)
{
    (void)state;
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    assert_int_equal(limits.max_header_bytes, 16384);
    assert_int_equal(limits.max_headers, 64);
    assert_int_equal(limits.max_body_bytes, 1024 * 1024);
    assert_int_equal(limits.max_chunk_line, 256);

    ertc_http_parser_t p;
    uint8_t store[256];
    limits.max_header_bytes = sizeof(store);
    assert_int_equal(
        ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, &limits, store, sizeof(store) - 1),
        WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(
        ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, &limits, store, sizeof(store)),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_text(&p, "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_header(&p, "server", "x");
    ertc_http_parser_free(&p);

    limits.max_headers = 0;
    assert_int_equal(ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, &limits, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_parser_init(NULL, ERTC_HTTP_PARSE_RESPONSE, NULL, NULL, 0),
                     WEBRTC_STATUS_NULL_ARG);
}

/* A store the parser allocates starts at ERTC_HTTP_INITIAL_STORE bytes and grows, up to
 * max_header_bytes, while a long head arrives (here one byte at a time). */
static void test_own_store_grows(void **state)
{
    (void)state;
    char text[12 * 1024];
    size_t n = (size_t)snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 40; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "X-Filler-%d: ", i);
        for (int k = 0; k < 200; k++) {
            text[n++] = (char)('a' + (i + k) % 26);
        }
        n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n");
    }
    n += (size_t)snprintf(text + n, sizeof(text) - n, "Content-Length: 0\r\n\r\n");
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(p.store_cap, ERTC_HTTP_INITIAL_STORE);
    for (size_t i = 0; i < n; i++) {
        size_t used = 0;
        assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)text + i, 1, &used),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(used, 1);
    }
    assert_true(ertc_http_parser_is_complete(&p));
    assert_true(p.store_cap > ERTC_HTTP_INITIAL_STORE);
    assert_true(p.store_cap <= ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES);
    assert_int_equal(ertc_http_parser_header_count(&p), 41);
    const char *v = ertc_http_parser_header(&p, "x-filler-39");
    assert_non_null(v);
    assert_int_equal(strlen(v), 200);
    assert_int_equal(v[0], 'a' + 39 % 26);
    /* kept across reset, for the next message on the connection */
    size_t cap = p.store_cap;
    ertc_http_parser_reset(&p);
    assert_int_equal(p.store_cap, cap);
    assert_int_equal(parse_text(&p, "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_header(&p, "server", "x");
    ertc_http_parser_free(&p);
}

/* The store cannot grow: a clear NOT_ENOUGH_MEMORY, and the parser stays failed. */
static void test_own_store_growth_fails(void **state)
{
    (void)state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(text + n, 'v', 2000);
    n += 2000;
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n\r\n");
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    ertc_alloc_inject_failure(0, true);
    size_t used = 0;
    WEBRTC_STATUS st = ertc_http_parser_feed(&p, (const uint8_t *)text, n, &used);
    ertc_alloc_inject_off();
    assert_int_equal(st, WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    assert_non_null(strstr(ertc_http_parser_error(&p), "no memory for a header block"));
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_ERROR);
    assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)text, n, &used),
                     WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    ertc_http_parser_free(&p);
}

/* A chunked message gets the whole store before the body: header strings taken at the end
 * of the header section stay where they are while long trailer lines are read. */
static void test_own_store_chunked_trailers(void **state)
{
    (void)state;
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                               "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n";
    ertc_http_parser_t p;
    body_sink_t *sink = calloc(1, sizeof(*sink));
    assert_non_null(sink);
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, sink);
    size_t used = 0;
    assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)head, strlen(head), &used),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(used, strlen(head));
    assert_true(ertc_http_parser_headers_complete(&p));
    assert_int_equal(p.store_cap, ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES);
    const char *date = ertc_http_parser_header(&p, "date");
    assert_non_null(date);
    char rest[8192];
    size_t n = (size_t)snprintf(rest, sizeof(rest), "3\r\nabc\r\n0\r\nX-Trailer: ");
    memset(rest + n, 't', 6000);
    n += 6000;
    n += (size_t)snprintf(rest + n, sizeof(rest) - n, "\r\n\r\n");
    assert_int_equal(ertc_http_parser_feed(&p, (const uint8_t *)rest, n, &used),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_ptr_equal(ertc_http_parser_header(&p, "date"), date);
    assert_string_equal(date, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(sink->len, 3);
    ertc_http_parser_free(&p);
    free(sink);
}

/* feed_head reads the head only: a 101 and the frame bytes behind it, or a refusal whose
 * body it leaves alone. */
static void test_feed_head(void **state)
{
    (void)state;
    static const char upgrade[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n\r\n\x81\x02hi";
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    size_t used = 0;
    size_t len = sizeof(upgrade) - 1;
    for (size_t i = 0; i < len && !ertc_http_parser_headers_complete(&p); i += used) {
        assert_int_equal(ertc_http_parser_feed_head(&p, (const uint8_t *)upgrade + i, 7, &used),
                         WEBRTC_STATUS_SUCCESS);
        if (ertc_http_parser_headers_complete(&p)) {
            assert_int_equal(i + used, len - 4); /* the frame bytes are left */
        }
    }
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_UPGRADED);
    assert_true(ertc_http_parser_is_upgrade(&p));
    assert_int_equal(ertc_http_parser_feed_head(&p, (const uint8_t *)"x", 1, &used),
                     WEBRTC_STATUS_INVALID_OPERATION);
    ertc_http_parser_free(&p);

    static const char refused[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope!";
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(
        ertc_http_parser_feed_head(&p, (const uint8_t *)refused, sizeof(refused) - 1, &used),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(used, sizeof(refused) - 1 - 5);
    assert_int_equal(ertc_http_parser_status_code(&p), 403);
    assert_string_equal(ertc_http_parser_reason(&p), "Forbidden");
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_BODY_LENGTH);
    assert_int_equal(ertc_http_parser_feed_head(&p, (const uint8_t *)"nope!", 5, &used),
                     WEBRTC_STATUS_INVALID_OPERATION);
    ertc_http_parser_free(&p);

    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(
        ertc_http_parser_feed_head(&p, (const uint8_t *)"HTTP/1.1 200 OK\n", 16, &used),
        WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_http_parser_feed_head(&p, (const uint8_t *)"x", 1, &used),
                     WEBRTC_STATUS_MALFORMED);
    ertc_http_parser_free(&p);
}

static void test_finish_states(void **state)
{
    (void)state;
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(ertc_http_parser_finish(&p), WEBRTC_STATUS_CLOSED); /* nothing seen */
    assert_int_equal(ertc_http_parser_state(&p), ERTC_HTTP_STATE_START_LINE);
    ertc_http_parser_free(&p);

    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, "HTTP/1.1 200 OK\r\nServer: x\r\n",
                   WEBRTC_STATUS_MALFORMED, "closed before the end of the header block");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL,
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                   WEBRTC_STATUS_MALFORMED, "closed inside the chunked body, after 2 bytes");
}

/* ---- hand-made messages: things that must fail ------------------------------------------ */

static char *make_big_header_message(size_t value_len)
{
    char *text = malloc(value_len + 128);
    assert_non_null(text);
    strcpy(text, "HTTP/1.1 200 OK\r\nX-Big: ");
    size_t n = strlen(text);
    memset(text + n, 'a', value_len);
    strcpy(text + n + value_len, "\r\nContent-Length: 0\r\n\r\n");
    return text;
}

static void test_reject_oversized_header_block(void **state)
{
    (void)state;
    /* Exactly at the limit passes; one byte more fails, however it is split. */
    size_t overhead = strlen("HTTP/1.1 200 OK\r\nX-Big: \r\nContent-Length: 0\r\n\r\n");
    char *fits = make_big_header_message(ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES - overhead);
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(parse_text(&p, fits, NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    ertc_http_parser_free(&p);
    free(fits);

    char *big = make_big_header_message(ERTC_HTTP_DEFAULT_MAX_HEADER_BYTES - overhead + 1);
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, big, WEBRTC_STATUS_LIMIT_EXCEEDED,
                   "header block larger than 16384 bytes");
    free(big);

    /* Trailers share the header budget. */
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    limits.max_header_bytes = 64;
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits,
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                   "X-Trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "header block with trailers larger than 64");
}

static void test_reject_too_many_headers(void **state)
{
    (void)state;
    char text[4096];
    ertc_strbuf_t sb;
    for (int count = 64; count <= 65; count++) {
        ertc_strbuf_init_fixed(&sb, text, sizeof(text));
        ertc_strbuf_append_str(&sb, "HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < count - 1; i++) {
            ertc_strbuf_appendf(&sb, "X-H%d: %d\r\n", i, i);
        }
        ertc_strbuf_append_str(&sb, "Content-Length: 0\r\n\r\n");
        assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_SUCCESS);
        if (count == 64) {
            ertc_http_parser_t p;
            init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
            assert_int_equal(parse_text(&p, text, NULL), WEBRTC_STATUS_SUCCESS);
            assert_int_equal(ertc_http_parser_header_count(&p), 64);
            assert_header(&p, "x-h62", "62");
            ertc_http_parser_free(&p);
        } else {
            expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, text, WEBRTC_STATUS_LIMIT_EXCEEDED,
                           "more than 64 header fields");
        }
    }
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void test_reject_bad_chunks(void **state)
{
    (void)state;
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "zz\r\n", WEBRTC_STATUS_MALFORMED,
                   "invalid chunk size");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "\r\n", WEBRTC_STATUS_MALFORMED,
                   "invalid chunk size");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "5 x\r\n", WEBRTC_STATUS_MALFORMED,
                   "invalid chunk size");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "-5\r\n", WEBRTC_STATUS_MALFORMED,
                   "invalid chunk size");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "5\nhello\r\n",
                   WEBRTC_STATUS_MALFORMED, "chunk-size line not terminated by CRLF");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "3\r\nabcd\r\n",
                   WEBRTC_STATUS_MALFORMED, "chunk data not followed by CRLF");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "3;\x01\r\n",
                   WEBRTC_STATUS_MALFORMED, "invalid character in a chunk extension");
    /* 17 hex digits cannot fit in 64 bits; 16 can but are over the body limit. */
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "10000000000000000\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "chunk size does not fit in 64 bits");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, CHUNKED_HEAD "ffffffffffffffff\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "body larger than 1048576 bytes");
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    limits.max_chunk_line = 16;
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits,
                   CHUNKED_HEAD "3;a-long-extension-here\r\nabc\r\n0\r\n\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "chunk-size line longer than 16 bytes");
    /* Leading zeros are digits, not an overflow. */
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    assert_int_equal(parse_text(&p, CHUNKED_HEAD "000000000000000000002\r\nok\r\n0\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_body(&sink, "ok");
    ertc_http_parser_free(&p);
}

static void test_content_length_rules(void **state)
{
    (void)state;
    /* Repeated identical values are one length (RFC 9110 §8.6). */
    static const char *const same[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 002\r\n\r\nok",
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        ertc_http_parser_t p;
        body_sink_t sink;
        init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
        assert_int_equal(parse_text(&p, same[i], NULL), WEBRTC_STATUS_SUCCESS);
        assert_true(ertc_http_parser_is_complete(&p));
        uint64_t length = 0;
        assert_true(ertc_http_parser_content_length(&p, &length));
        assert_int_equal(length, 2);
        assert_body(&sink, "ok");
        ertc_http_parser_free(&p);
    }
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL,
                   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
                   WEBRTC_STATUS_MALFORMED, "Content-Length mismatch: 2 and 3");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL,
                   "HTTP/1.1 200 OK\r\nContent-Length: 42, 43\r\n\r\n", WEBRTC_STATUS_MALFORMED,
                   "Content-Length mismatch: 42 and 43");
    static const char *const junk[] = {"12abc", "-1", "+5", "0x10", "1 2", "1.0"};
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\n", junk[i]);
        expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, text, WEBRTC_STATUS_MALFORMED,
                       "is not a number");
    }
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                   WEBRTC_STATUS_MALFORMED, "empty Content-Length value");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL,
                   "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "Content-Length does not fit in 64 bits");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL,
                   "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED,
                   "body of 18446744073709551615 bytes exceeds the limit of 1048576 bytes");
}

static void test_reject_body_over_limit(void **state)
{
    (void)state;
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    limits.max_body_bytes = 4;
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits,
                   "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "body of 5 bytes exceeds the limit of 4 bytes");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits, CHUNKED_HEAD "2\r\nhe\r\n3\r\nllo\r\n",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "body larger than 4 bytes");
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits, "HTTP/1.0 200 OK\r\n\r\nhello",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, "body larger than 4 bytes");

    /* max_body_bytes 0: bodiless messages only. */
    limits.max_body_bytes = 0;
    ertc_http_parser_t p;
    assert_int_equal(ertc_http_parser_init(&p, ERTC_HTTP_PARSE_RESPONSE, &limits, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_text(&p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    ertc_http_parser_free(&p);
    expect_failure(ERTC_HTTP_PARSE_RESPONSE, &limits,
                   "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", WEBRTC_STATUS_LIMIT_EXCEEDED,
                   "exceeds the limit of 0 bytes");
}

static void test_reject_malformed_header_sections(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n", "obs-fold"},
        {"HTTP/1.1 200 OK\r\nX-A: b\r\n\tc\r\n\r\n", "obs-fold"},
        {"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "not terminated by CRLF"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", "not terminated by CRLF"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n", "not terminated by CRLF"},
        {"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
         "invalid character in the value of header \"X-A\""},
        {"HTTP/1.1 200 OK\r\nX-A: a\x7f\r\n\r\n", "invalid character in the value"},
        {"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", "whitespace before ':'"},
        {"HTTP/1.1 200 OK\r\n: value\r\n\r\n", "empty header field name"},
        {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "header line without ':'"},
        {"HTTP/1.1 200 OK\r\nBad(name): x\r\n\r\n", "invalid character in a header field name"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
         "unsupported Transfer-Encoding \"gzip\""},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", "applied twice"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\n\r\n", "Transfer-Encoding without chunked"},
        {"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.0 message"},
        {"HTTP/2 200 OK\r\n\r\n", "invalid HTTP version"},
        {"HTTP/2.0 200 OK\r\n\r\n", "unsupported HTTP version 2.0"},
        {"ICY 200 OK\r\n\r\n", "status line too short"},
        {"ICY 200 Okay dokey\r\n\r\n", "invalid HTTP version in the status line"},
        {"HTTP/1.1 20 OK\r\n\r\n", "invalid status code"},
        {"HTTP/1.1 2000 OK\r\n\r\n", "invalid status code"},
        {"HTTP/1.1 099 Odd\r\n\r\n", "status code 99 outside 100-599"},
        {"HTTP/1.1 600 Odd\r\n\r\n", "status code 600 outside 100-599"},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", "invalid character in the reason phrase"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_failure(ERTC_HTTP_PARSE_RESPONSE, NULL, cases[i].text, WEBRTC_STATUS_MALFORMED,
                       cases[i].error);
    }
    /* A NUL inside a header value (strlen-based helpers cannot express it). */
    static const uint8_t nul[] = "HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n";
    ertc_http_parser_t p;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    size_t consumed = 0;
    assert_int_equal(ertc_http_parser_feed(&p, nul, sizeof(nul) - 1, &consumed),
                     WEBRTC_STATUS_MALFORMED);
    assert_string_equal(ertc_http_parser_error(&p),
                        "invalid character in the value of header \"X-A\"");
    ertc_http_parser_free(&p);
}

/* ---- request mode ----------------------------------------------------------------------- */

static void test_request_mode(void **state)
{
    (void)state;
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_REQUEST, &sink);
    /* A GET has no body without a length, so the pipelined POST stays unconsumed. */
    const char *text = "GET /api/v1/rooms?id=7 HTTP/1.1\r\nHost: signald.local\r\n\r\n"
                       "POST /api/v1/message HTTP/1.0\r\nHost: signald.local\r\n"
                       "Content-Length: 11\r\nConnection: keep-alive\r\n\r\n{\"a\":\"b\"}\r\n";
    size_t used = 0;
    assert_int_equal(parse_text(&p, text, &used), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_string_equal(ertc_http_parser_method(&p), "GET");
    assert_string_equal(ertc_http_parser_target(&p), "/api/v1/rooms?id=7");
    assert_int_equal(ertc_http_parser_framing(&p), ERTC_HTTP_BODY_NONE);
    assert_true(ertc_http_parser_keep_alive(&p));
    assert_memory_equal(text + used, "POST ", 5);

    ertc_http_parser_reset(&p);
    size_t used2 = 0;
    assert_int_equal(parse_text(&p, text + used, &used2), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(used + used2, strlen(text));
    assert_string_equal(ertc_http_parser_method(&p), "POST");
    assert_string_equal(ertc_http_parser_target(&p), "/api/v1/message");
    assert_int_equal(ertc_http_parser_version(&p), 10);
    assert_true(ertc_http_parser_keep_alive(&p));
    assert_body(&sink, "{\"a\":\"b\"}\r\n");

    /* A request without length ends at its headers: finish is not needed. */
    ertc_http_parser_reset(&p);
    assert_int_equal(parse_text(&p, "DELETE * HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_string_equal(ertc_http_parser_target(&p), "*");
    ertc_http_parser_free(&p);

    static const struct {
        const char *text;
        const char *error;
    } bad[] = {
        {"GET  / HTTP/1.1\r\n\r\n", "no request target"},
        {" / HTTP/1.1\r\n\r\n", "no method"},
        {"GET\r\n\r\n", "no method"},
        {"GET /\r\n\r\n", "no request target"},
        {"GET / HTTP/1.1 x\r\n\r\n", "invalid HTTP version in the request line"},
        {"GET / HTTP/1.1x\r\n\r\n", "invalid HTTP version in the request line"},
        {"G@T / HTTP/1.1\r\n\r\n", "invalid character in the request method"},
        {"GET /\x7f HTTP/1.1\r\n\r\n", "invalid character in the request target"},
        {"GET / HTTP/3.0\r\n\r\n", "unsupported HTTP version 3.0"},
        {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
         "both Transfer-Encoding and Content-Length"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        expect_failure(ERTC_HTTP_PARSE_REQUEST, NULL, bad[i].text, WEBRTC_STATUS_MALFORMED,
                       bad[i].error);
    }
    /* Accessors answer for the mode in use only. */
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(parse_text(&p, "HTTP/1.1 204 No Content\r\n\r\n", NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_null(ertc_http_parser_method(&p));
    assert_null(ertc_http_parser_target(&p));
    ertc_http_parser_free(&p);
}

/* ---- HTTP-date -------------------------------------------------------------------------- */

static void test_parse_date(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t seconds;
    } good[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777}, /* RFC 9110 §5.6.7's example */
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
        {"Wed, 31 Dec 1969 23:59:59 GMT", -1},
        {"Tue, 29 Feb 2000 23:59:59 GMT", 951868799},
        {"Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
        {"Sun, 07 Feb 2106 06:28:16 GMT", 4294967296},
        {"Sat, 31 Dec 2016 23:59:60 GMT", 1483228800}, /* leap second */
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t t = 12345;
        if (ertc_http_parse_date(good[i].text, &t) != WEBRTC_STATUS_SUCCESS ||
            t != good[i].seconds) {
            fail_msg("%s: got %lld, expected %lld", good[i].text, (long long)t,
                     (long long)good[i].seconds);
        }
    }
    static const char *const bad[] = {
        "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850 */
        "Sun Nov  6 08:49:37 1994",       /* asctime */
        "Mon, 06 Nov 1994 08:49:37 GMT",  /* wrong day name */
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Thu, 31 Apr 2021 00:00:00 GMT",
        "Thu, 29 Feb 1900 00:00:00 GMT", /* 1900 was not a leap year */
        "Sat, 00 Jan 2000 00:00:00 GMT",
        "Sat, 01 Jan 0000 00:00:00 GMT",
        "Sat, 01 Jan 2a00 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 12345;
        if (ertc_http_parse_date(bad[i], &t) != WEBRTC_STATUS_MALFORMED || t != 12345) {
            fail_msg("\"%s\" should be MALFORMED", bad[i]);
        }
    }
    int64_t t = 0;
    assert_int_equal(ertc_http_parse_date(NULL, &t), WEBRTC_STATUS_NULL_ARG);
}

/* ---- builders --------------------------------------------------------------------------- */

static void test_build_request(void **state)
{
    (void)state;
    char buf[1024];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    ertc_http_header_t extra[] = {{"User-Agent", "edgertc"}, {"Accept", "*/*"}};
    assert_int_equal(
        ertc_http_build_request(&sb, "GET", "example.com:8443", "/rooms?id=1", extra, 2, NULL, 0),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "GET /rooms?id=1 HTTP/1.1\r\nHost: example.com:8443\r\n"
                             "User-Agent: edgertc\r\nAccept: */*\r\n\r\n");

    ertc_strbuf_reset(&sb);
    ertc_http_header_t json[] = {{"Content-Type", "application/json"}};
    assert_int_equal(
        ertc_http_build_request(&sb, "POST", "kvs.local", "/describe", json, 1, "{\"a\":1}", 7),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "POST /describe HTTP/1.1\r\nHost: kvs.local\r\n"
                             "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n"
                             "{\"a\":1}");

    /* POST without a body still says Content-Length: 0. */
    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_http_build_request(&sb, "POST", "h", "/", NULL, 0, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");

    /* Host and Content-Length the caller supplied are not duplicated. */
    ertc_strbuf_reset(&sb);
    ertc_http_header_t own[] = {{"host", "other:81"}, {"content-length", "2"}};
    assert_int_equal(ertc_http_build_request(&sb, "PUT", NULL, "/x", own, 2, "hi", 2),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "PUT /x HTTP/1.1\r\nhost: other:81\r\ncontent-length: 2\r\n\r\nhi");

    /* A pre-chunked body goes out as given. */
    ertc_strbuf_reset(&sb);
    ertc_http_header_t te[] = {{"Transfer-Encoding", "chunked"}};
    assert_int_equal(ertc_http_build_request(&sb, "POST", "h", "/", te, 1, "0\r\n\r\n", 5),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(buf, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "0\r\n\r\n");

    /* What it builds, the parser reads back. */
    ertc_strbuf_reset(&sb);
    assert_int_equal(
        ertc_http_build_request(&sb, "POST", "kvs.local", "/describe", json, 1, "{\"a\":1}", 7),
        WEBRTC_STATUS_SUCCESS);
    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_REQUEST, &sink);
    assert_int_equal(parse_text(&p, buf, NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_string_equal(ertc_http_parser_method(&p), "POST");
    assert_string_equal(ertc_http_parser_target(&p), "/describe");
    assert_header(&p, "host", "kvs.local");
    assert_body(&sink, "{\"a\":1}");
    ertc_http_parser_free(&p);

    /* Too small a buffer fails and says so. */
    char tiny[16];
    ertc_strbuf_init_fixed(&sb, tiny, sizeof(tiny));
    assert_int_equal(ertc_http_build_request(&sb, "GET", "example.com", "/", NULL, 0, NULL, 0),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_build_request_rejects_injection(void **state)
{
    (void)state;
    char buf[512];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    ertc_http_header_t crlf_value[] = {{"X-A", "v\r\nX-Injected: 1"}};
    ertc_http_header_t lf_value[] = {{"X-A", "v\nX-Injected: 1"}};
    ertc_http_header_t cr_value[] = {{"X-A", "v\r"}};
    ertc_http_header_t crlf_name[] = {{"X-A\r\nX-B", "v"}};
    ertc_http_header_t space_name[] = {{"X A", "v"}};
    ertc_http_header_t empty_name[] = {{"", "v"}};
    ertc_http_header_t two_hosts[] = {{"Host", "a"}, {"HOST", "b"}};
    ertc_http_header_t wrong_length[] = {{"Content-Length", "3"}};
    ertc_http_header_t both[] = {{"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}};
    const struct {
        const char *method, *host, *target;
        const ertc_http_header_t *h;
        size_t n;
    } cases[] = {
        {"GET", "h", "/", crlf_value, 1},
        {"GET", "h", "/", lf_value, 1},
        {"GET", "h", "/", cr_value, 1},
        {"GET", "h", "/", crlf_name, 1},
        {"GET", "h", "/", space_name, 1},
        {"GET", "h", "/", empty_name, 1},
        {"GET", "h", "/", two_hosts, 2},
        {"POST", "h", "/", wrong_length, 1},
        {"POST", "h", "/", both, 2},
        {"GET", "h\r\nX-Injected: 1", "/", NULL, 0},
        {"GET", "h", "/ HTTP/1.1\r\nX-Injected: 1\r\n", NULL, 0},
        {"GET", "h", "/a b", NULL, 0},
        {"GET", "h", "", NULL, 0},
        {"GET\r\n", "h", "/", NULL, 0},
        {"G T", "h", "/", NULL, 0},
        {"", "h", "/", NULL, 0},
        {"GET", NULL, "/", NULL, 0}, /* no Host at all */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        WEBRTC_STATUS st = ertc_http_build_request(
            &sb, cases[i].method, cases[i].host, cases[i].target, cases[i].h, cases[i].n, "hi", 2);
        if (st != WEBRTC_STATUS_INVALID_ARG) {
            fail_msg("case %zu: status %u, expected INVALID_ARG", i, (unsigned)st);
        }
        assert_int_equal(ertc_strbuf_len(&sb), 0); /* nothing written */
        assert_int_equal(ertc_strbuf_status(&sb), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(ertc_http_build_request(&sb, "GET", "h", "/", NULL, 0, NULL, 3),
                     WEBRTC_STATUS_NULL_ARG);
    ertc_http_header_t null_value[] = {{"X-A", NULL}};
    assert_int_equal(ertc_http_build_request(&sb, "GET", "h", "/", null_value, 1, NULL, 0),
                     WEBRTC_STATUS_NULL_ARG);
}

static void test_build_response(void **state)
{
    (void)state;
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 4096);
    ertc_http_header_t json[] = {{"Content-Type", "application/json"}};
    assert_int_equal(ertc_http_build_response(&sb, 200, NULL, json, 1, "{}", 2),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "HTTP/1.1 200 OK\r\nContent-Type: application/json"
                                               "\r\nContent-Length: 2\r\n\r\n{}");

    ertc_http_parser_t p;
    body_sink_t sink;
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, &sink);
    assert_int_equal(parse_text(&p, ertc_strbuf_cstr(&sb), NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_complete(&p));
    assert_int_equal(ertc_http_parser_status_code(&p), 200);
    assert_body(&sink, "{}");
    ertc_http_parser_free(&p);

    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_http_build_response(&sb, 204, NULL, NULL, 0, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "HTTP/1.1 204 No Content\r\n\r\n");

    ertc_strbuf_reset(&sb);
    ertc_http_header_t ws[] = {{"Upgrade", "websocket"},
                               {"Connection", "Upgrade"},
                               {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}};
    assert_int_equal(ertc_http_build_response(&sb, 101, NULL, ws, 3, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb),
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    init_parser(&p, ERTC_HTTP_PARSE_RESPONSE, NULL);
    assert_int_equal(parse_text(&p, ertc_strbuf_cstr(&sb), NULL), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_http_parser_is_upgrade(&p));
    ertc_http_parser_free(&p);

    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_http_build_response(&sb, 599, NULL, NULL, 0, "x", 1),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "HTTP/1.1 599 \r\nContent-Length: 1\r\n\r\nx");

    ertc_strbuf_reset(&sb);
    assert_int_equal(ertc_http_build_response(&sb, 404, "Nope", NULL, 0, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb), "HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n");

    ertc_strbuf_reset(&sb);
    ertc_http_header_t length[] = {{"Content-Length", "5"}};
    ertc_http_header_t injected[] = {{"Set-Cookie", "a=b\r\n\r\n<html>"}};
    assert_int_equal(ertc_http_build_response(&sb, 99, NULL, NULL, 0, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 600, NULL, NULL, 0, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 204, NULL, NULL, 0, "x", 1),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 204, NULL, length, 1, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 200, NULL, length, 1, "abc", 3),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 200, "OK\r\nX: y", NULL, 0, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_http_build_response(&sb, 200, NULL, injected, 1, NULL, 0),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_strbuf_len(&sb), 0);
    /* A 304 may repeat the length of the representation it stands for. */
    assert_int_equal(ertc_http_build_response(&sb, 304, NULL, length, 1, NULL, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&sb),
                        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n");
    assert_string_equal(ertc_http_reason_phrase(431), "Request Header Fields Too Large");
    assert_string_equal(ertc_http_reason_phrase(299), "");
    ertc_strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_aiohttp_chunked),
        cmocka_unit_test(test_capture_keepalive_pair),
        cmocka_unit_test(test_capture_head),
        cmocka_unit_test(test_capture_204_and_304),
        cmocka_unit_test(test_capture_100_continue),
        cmocka_unit_test(test_capture_websocket_upgrade),
        cmocka_unit_test(test_capture_until_close),
        cmocka_unit_test(test_capture_node_trailers),
        cmocka_unit_test(test_capture_requests),
        cmocka_unit_test(test_header_values_and_lookup),
        cmocka_unit_test(test_keep_alive_rules),
        cmocka_unit_test(test_feed_stops_at_end_of_headers),
        cmocka_unit_test(test_chunk_extensions_and_body_callback_failure),
        cmocka_unit_test(test_caller_store_and_limits),
        cmocka_unit_test(test_own_store_grows),
        cmocka_unit_test(test_own_store_growth_fails),
        cmocka_unit_test(test_own_store_chunked_trailers),
        cmocka_unit_test(test_feed_head),
        cmocka_unit_test(test_finish_states),
        cmocka_unit_test(test_reject_oversized_header_block),
        cmocka_unit_test(test_reject_too_many_headers),
        cmocka_unit_test(test_reject_bad_chunks),
        cmocka_unit_test(test_content_length_rules),
        cmocka_unit_test(test_reject_body_over_limit),
        cmocka_unit_test(test_reject_malformed_header_sections),
        cmocka_unit_test(test_request_mode),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_build_request),
        cmocka_unit_test(test_build_request_rejects_injection),
        cmocka_unit_test(test_build_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
