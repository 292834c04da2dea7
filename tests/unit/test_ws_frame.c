/*
 * Unit tests for net/ws_frame: the RFC 6455 §5.7 examples byte for byte (encoding and
 * decoding), length encodings, feeding in pieces of every size, control frames between
 * fragments, every protocol error with its close code (1002, 1007, 1009, 1011), close
 * payloads, masking in pieces, 1 MiB reassembly, allocation failures and buffer release.
 *
 * Input is copied into an exactly sized heap buffer for each feed, so a sanitizer build
 * catches any read past what the decoder was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws_frame.h"
#include "util/alloc.h"

#define MAX_EVENTS 64

typedef struct {
    ertc_ws_event_type_t type;
    int opcode;
    uint8_t *data;
    size_t len;
    uint16_t close_code;
    char reason[ERTC_WS_MAX_CONTROL_PAYLOAD + 1];
} got_event_t;

typedef struct {
    got_event_t events[MAX_EVENTS];
    size_t count;
    WEBRTC_STATUS status; /* SUCCESS, or the failure that ended the run */
    uint16_t close_code;
    char error[ERTC_WS_DECODER_ERROR_LEN];
} run_t;

static const uint8_t rfc_mask[4] = {0x37, 0xfa, 0x21, 0x3d};

static const ertc_ws_decoder_config_t client_cfg = {ERTC_WS_ROLE_CLIENT, 0, 0};
static const ertc_ws_decoder_config_t server_cfg = {ERTC_WS_ROLE_SERVER, 0, 0};

static void free_run(run_t *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->events[i].data);
    }
    r->count = 0;
}

static void record_event(run_t *r, const ertc_ws_event_t *ev)
{
    assert_true(r->count < MAX_EVENTS);
    assert_non_null(ev->data);
    got_event_t *g = &r->events[r->count++];
    memset(g, 0, sizeof(*g));
    g->type = ev->type;
    g->opcode = ev->opcode;
    g->len = ev->len;
    g->data = malloc(ev->len + 1);
    assert_non_null(g->data);
    memcpy(g->data, ev->data, ev->len);
    if (ev->type == ERTC_WS_EVENT_CONTROL && ev->opcode == ERTC_WS_OPCODE_CLOSE) {
        g->close_code = ev->close_code;
        assert_true(ev->close_reason_len <= ERTC_WS_MAX_CLOSE_REASON);
        memcpy(g->reason, ev->close_reason, ev->close_reason_len);
    }
}

/* Feeds stream[0..len) to d in pieces of `chunk` bytes (0: all at once), collecting events
 * until the input ends or the decoder fails. */
static void feed_stream(ertc_ws_decoder_t *d, const uint8_t *stream, size_t len, size_t chunk,
                        run_t *r)
{
    r->status = WEBRTC_STATUS_SUCCESS;
    if (chunk == 0) {
        chunk = len > 0 ? len : 1;
    }
    for (size_t at = 0; at < len || at == 0; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        uint8_t *piece = malloc(n > 0 ? n : 1);
        assert_non_null(piece);
        memcpy(piece, stream + at, n);
        size_t off = 0;
        for (;;) {
            size_t consumed = 0;
            ertc_ws_event_t ev;
            WEBRTC_STATUS st = ertc_ws_decoder_feed(d, piece + off, n - off, &consumed, &ev);
            assert_true(consumed <= n - off);
            if (st != WEBRTC_STATUS_SUCCESS) {
                assert_int_equal(ev.type, ERTC_WS_EVENT_NEED_MORE);
                r->status = st;
                r->close_code = ertc_ws_decoder_close_code(d);
                snprintf(r->error, sizeof(r->error), "%s", ertc_ws_decoder_error(d));
                free(piece);
                return;
            }
            off += consumed;
            if (ev.type == ERTC_WS_EVENT_NEED_MORE) {
                assert_int_equal(off, n);
                break;
            }
            record_event(r, &ev);
        }
        free(piece);
        if (len == 0) {
            break;
        }
    }
}

static void run_stream(const ertc_ws_decoder_config_t *cfg, const uint8_t *stream, size_t len,
                       size_t chunk, run_t *r)
{
    ertc_ws_decoder_t d;
    memset(r, 0, sizeof(*r));
    assert_int_equal(ertc_ws_decoder_init(&d, cfg), WEBRTC_STATUS_SUCCESS);
    feed_stream(&d, stream, len, chunk, r);
    ertc_ws_decoder_destroy(&d);
}

static void assert_same_runs(const run_t *a, const run_t *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->close_code, b->close_code);
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        assert_int_equal(a->events[i].type, b->events[i].type);
        assert_int_equal(a->events[i].opcode, b->events[i].opcode);
        assert_int_equal(a->events[i].len, b->events[i].len);
        assert_memory_equal(a->events[i].data, b->events[i].data, a->events[i].len);
        assert_int_equal(a->events[i].close_code, b->events[i].close_code);
        assert_string_equal(a->events[i].reason, b->events[i].reason);
    }
}

/* Runs the stream whole and in pieces of every size from 1 to its length; all runs must
 * agree. The whole-stream run is left in *r. */
static void run_every_split(const ertc_ws_decoder_config_t *cfg, const uint8_t *stream, size_t len,
                            run_t *r)
{
    run_stream(cfg, stream, len, 0, r);
    size_t step = len > 4096 ? len / 64 : 1; /* large streams: a sample of sizes */
    for (size_t chunk = 1; chunk < len; chunk += step) {
        run_t other;
        run_stream(cfg, stream, len, chunk, &other);
        assert_same_runs(r, &other);
        free_run(&other);
    }
}

/* Expects the stream to fail with status and close code; checks every split as well. */
static void expect_failure(const ertc_ws_decoder_config_t *cfg, const uint8_t *stream, size_t len,
                           WEBRTC_STATUS status, uint16_t close_code)
{
    run_t r;
    run_every_split(cfg, stream, len, &r);
    if (r.status != status || r.close_code != close_code) {
        fail_msg("expected status %u close %u, got %u close %u (%s)", (unsigned)status, close_code,
                 (unsigned)r.status, r.close_code, r.error);
    }
    assert_true(strlen(r.error) > 10);
    free_run(&r);
}

#define EXPECT_FAILURE(cfg, bytes, status, code)                                                   \
    expect_failure(cfg, (const uint8_t *)(bytes), sizeof(bytes) - 1, status, code)
#define EXPECT_1002(cfg, bytes)                                                                    \
    EXPECT_FAILURE(cfg, bytes, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR)
#define EXPECT_1007(cfg, bytes)                                                                    \
    EXPECT_FAILURE(cfg, bytes, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_INVALID_DATA)

/* Appends one encoded frame to buf at *len. */
static void append_frame(uint8_t *buf, size_t cap, size_t *len, bool fin, int opcode,
                         const uint8_t *mask, const void *payload, size_t payload_len)
{
    size_t n = 0;
    assert_int_equal(
        ertc_ws_frame_encode(buf + *len, cap - *len, &n, fin, opcode, mask, payload, payload_len),
        WEBRTC_STATUS_SUCCESS);
    *len += n;
}

/* ---- RFC 6455 §5.7 examples ------------------------------------------------------------ */

static const uint8_t rfc_unmasked_hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t rfc_masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                           0x7f, 0x9f, 0x4d, 0x51, 0x58};
static const uint8_t rfc_fragmented_hello[] = {0x01, 0x03, 0x48, 0x65, 0x6c,
                                               0x80, 0x02, 0x6c, 0x6f};
static const uint8_t rfc_unmasked_ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
static const uint8_t rfc_masked_pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                          0x7f, 0x9f, 0x4d, 0x51, 0x58};

static void assert_event(const got_event_t *g, ertc_ws_event_type_t type, int opcode,
                         const void *data, size_t len)
{
    assert_int_equal(g->type, type);
    assert_int_equal(g->opcode, opcode);
    assert_int_equal(g->len, len);
    assert_memory_equal(g->data, data, len);
}

static void test_rfc_unmasked_text(void **state)
{
    (void)state;
    run_t r;
    run_every_split(&client_cfg, rfc_unmasked_hello, sizeof(rfc_unmasked_hello), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "Hello", 5);
    free_run(&r);

    /* an unfragmented message that arrived whole is handed out where it lies */
    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, NULL);
    size_t consumed = 0;
    ertc_ws_event_t ev;
    assert_int_equal(
        ertc_ws_decoder_feed(&d, rfc_unmasked_hello, sizeof(rfc_unmasked_hello), &consumed, &ev),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(consumed, sizeof(rfc_unmasked_hello));
    assert_int_equal(ev.type, ERTC_WS_EVENT_MESSAGE);
    assert_ptr_equal(ev.data, rfc_unmasked_hello + 2);
    assert_null(d.message);
    ertc_ws_decoder_destroy(&d);

    /* and the encoder produces exactly these bytes */
    uint8_t out[16];
    size_t n = 0;
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, true, ERTC_WS_OPCODE_TEXT, NULL,
                                          (const uint8_t *)"Hello", 5),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, sizeof(rfc_unmasked_hello));
    assert_memory_equal(out, rfc_unmasked_hello, n);
}

static void test_rfc_masked_text(void **state)
{
    (void)state;
    run_t r;
    run_every_split(&server_cfg, rfc_masked_hello, sizeof(rfc_masked_hello), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "Hello", 5);
    free_run(&r);

    uint8_t out[16];
    size_t n = 0;
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, true, ERTC_WS_OPCODE_TEXT, rfc_mask,
                                          (const uint8_t *)"Hello", 5),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, sizeof(rfc_masked_hello));
    assert_memory_equal(out, rfc_masked_hello, n);
}

static void test_rfc_fragmented_text(void **state)
{
    (void)state;
    run_t r;
    run_every_split(&client_cfg, rfc_fragmented_hello, sizeof(rfc_fragmented_hello), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "Hello", 5);
    free_run(&r);

    uint8_t out[16];
    size_t n = 0;
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, false, ERTC_WS_OPCODE_TEXT, NULL,
                                          (const uint8_t *)"Hel", 3),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(out, rfc_fragmented_hello, n);
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, true, ERTC_WS_OPCODE_CONTINUATION,
                                          NULL, (const uint8_t *)"lo", 2),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(out, rfc_fragmented_hello + 5, n);
}

static void test_rfc_ping_pong(void **state)
{
    (void)state;
    run_t r;
    run_every_split(&client_cfg, rfc_unmasked_ping, sizeof(rfc_unmasked_ping), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PING, "Hello", 5);
    free_run(&r);

    run_every_split(&server_cfg, rfc_masked_pong, sizeof(rfc_masked_pong), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PONG, "Hello", 5);
    free_run(&r);

    uint8_t out[16];
    size_t n = 0;
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, true, ERTC_WS_OPCODE_PING, NULL,
                                          (const uint8_t *)"Hello", 5),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(out, rfc_unmasked_ping, n);
    assert_int_equal(ertc_ws_frame_encode(out, sizeof(out), &n, true, ERTC_WS_OPCODE_PONG, rfc_mask,
                                          (const uint8_t *)"Hello", 5),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(out, rfc_masked_pong, n);
}

/* The §5.7 256-byte and 64 KiB binary examples: 16-bit and 64-bit length forms. */
static void check_binary_length(size_t len, const uint8_t *want_header, size_t want_len)
{
    uint8_t header[ERTC_WS_MAX_HEADER_LEN];
    size_t header_len = 0;
    assert_int_equal(ertc_ws_frame_header_encode(header, true, ERTC_WS_OPCODE_BINARY, false, NULL,
                                                 len, &header_len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(header_len, want_len);
    assert_memory_equal(header, want_header, want_len);

    size_t total = header_len + len;
    uint8_t *stream = malloc(total);
    assert_non_null(stream);
    memcpy(stream, header, header_len);
    for (size_t i = 0; i < len; i++) {
        stream[header_len + i] = (uint8_t)(i * 7 + 3);
    }
    run_t r;
    run_every_split(&client_cfg, stream, total, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_BINARY, stream + header_len,
                 len);
    free_run(&r);
    free(stream);
}

static void test_rfc_binary_lengths(void **state)
{
    (void)state;
    static const uint8_t h256[] = {0x82, 0x7E, 0x01, 0x00};
    static const uint8_t h64k[] = {0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
    check_binary_length(256, h256, sizeof(h256));
    check_binary_length(65536, h64k, sizeof(h64k));

    /* the boundaries of each form */
    static const uint8_t h125[] = {0x82, 0x7D};
    static const uint8_t h126[] = {0x82, 0x7E, 0x00, 0x7E};
    static const uint8_t h65535[] = {0x82, 0x7E, 0xFF, 0xFF};
    check_binary_length(0, (const uint8_t *)"\x82\x00", 2);
    check_binary_length(125, h125, sizeof(h125));
    check_binary_length(126, h126, sizeof(h126));
    check_binary_length(65535, h65535, sizeof(h65535));
}

static void test_header_encode_rules(void **state)
{
    (void)state;
    uint8_t h[ERTC_WS_MAX_HEADER_LEN];
    size_t n = 0;
    /* largest length, masked: all 14 bytes */
    assert_int_equal(ertc_ws_frame_header_encode(h, false, ERTC_WS_OPCODE_BINARY, true, rfc_mask,
                                                 0x7FFFFFFFFFFFFFFFull, &n),
                     WEBRTC_STATUS_SUCCESS);
    static const uint8_t want[] = {0x02, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0x37, 0xfa, 0x21, 0x3d};
    assert_int_equal(n, ERTC_WS_MAX_HEADER_LEN);
    assert_memory_equal(h, want, sizeof(want));

    assert_int_equal(ertc_ws_frame_header_encode(h, true, ERTC_WS_OPCODE_BINARY, false, NULL,
                                                 0x8000000000000000ull, &n),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(
        ertc_ws_frame_header_encode(h, true, ERTC_WS_OPCODE_PING, false, NULL, 126, &n),
        WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(
        ertc_ws_frame_header_encode(h, true, ERTC_WS_OPCODE_CLOSE, false, NULL, 125, &n),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ws_frame_header_encode(h, false, ERTC_WS_OPCODE_PONG, false, NULL, 0, &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_frame_header_encode(h, true, 0x3, false, NULL, 0, &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_frame_header_encode(h, true, 0x10, false, NULL, 0, &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_frame_header_encode(h, true, -1, false, NULL, 0, &n),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_frame_header_encode(h, true, ERTC_WS_OPCODE_TEXT, true, NULL, 0, &n),
                     WEBRTC_STATUS_NULL_ARG);

    uint8_t small[8];
    assert_int_equal(ertc_ws_frame_encode(small, sizeof(small), &n, true, ERTC_WS_OPCODE_TEXT,
                                          rfc_mask, (const uint8_t *)"ab", 2),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 8);
    assert_int_equal(ertc_ws_frame_encode(small, sizeof(small), &n, true, ERTC_WS_OPCODE_TEXT,
                                          rfc_mask, (const uint8_t *)"abc", 3),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

/* ---- feeding ---------------------------------------------------------------------------- */

static void test_stream_of_frames_any_split(void **state)
{
    (void)state;
    /* client side: everything the §5.7 examples show, back to back */
    uint8_t stream[256];
    size_t len = 0;
    memcpy(stream + len, rfc_unmasked_hello, sizeof(rfc_unmasked_hello));
    len += sizeof(rfc_unmasked_hello);
    memcpy(stream + len, rfc_fragmented_hello, sizeof(rfc_fragmented_hello));
    len += sizeof(rfc_fragmented_hello);
    memcpy(stream + len, rfc_unmasked_ping, sizeof(rfc_unmasked_ping));
    len += sizeof(rfc_unmasked_ping);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_BINARY, NULL, "", 0);
    append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_TEXT, NULL, "", 0);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CONTINUATION, NULL, "", 0);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CLOSE, NULL,
                 "\x03\xe8"
                 "bye",
                 5);

    run_t r;
    run_every_split(&client_cfg, stream, len, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 6);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "Hello", 5);
    assert_event(&r.events[1], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "Hello", 5);
    assert_event(&r.events[2], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PING, "Hello", 5);
    assert_event(&r.events[3], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_BINARY, "", 0);
    assert_event(&r.events[4], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "", 0);
    assert_event(&r.events[5], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_CLOSE,
                 "\x03\xe8"
                 "bye",
                 5);
    assert_int_equal(r.events[5].close_code, 1000);
    assert_string_equal(r.events[5].reason, "bye");
    free_run(&r);
}

static void test_one_event_per_call(void **state)
{
    (void)state;
    uint8_t stream[64];
    memcpy(stream, rfc_unmasked_hello, sizeof(rfc_unmasked_hello));
    memcpy(stream + sizeof(rfc_unmasked_hello), rfc_unmasked_ping, sizeof(rfc_unmasked_ping));
    size_t len = sizeof(rfc_unmasked_hello) + sizeof(rfc_unmasked_ping);

    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, &client_cfg);
    size_t consumed = 0;
    ertc_ws_event_t ev;
    assert_int_equal(ertc_ws_decoder_feed(&d, stream, len, &consumed, &ev), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_MESSAGE);
    assert_int_equal(consumed, sizeof(rfc_unmasked_hello));
    size_t at = consumed;
    assert_int_equal(ertc_ws_decoder_feed(&d, stream + at, len - at, &consumed, &ev),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_CONTROL);
    assert_int_equal(at + consumed, len);
    assert_int_equal(ertc_ws_decoder_feed(&d, NULL, 0, &consumed, &ev), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_NEED_MORE);
    assert_int_equal(consumed, 0);
    assert_int_equal(ertc_ws_decoder_feed(&d, NULL, 1, &consumed, &ev), WEBRTC_STATUS_NULL_ARG);
    ertc_ws_decoder_destroy(&d);
}

static void test_control_frames_between_fragments(void **state)
{
    (void)state;
    static const uint8_t keys[3][4] = {{1, 2, 3, 4}, {0xAA, 0xBB, 0xCC, 0xDD}, {9, 8, 7, 6}};
    for (int role = 0; role < 2; role++) {
        const ertc_ws_decoder_config_t *cfg = role == 0 ? &client_cfg : &server_cfg;
        const uint8_t *k0 = role == 0 ? NULL : keys[0];
        const uint8_t *k1 = role == 0 ? NULL : keys[1];
        const uint8_t *k2 = role == 0 ? NULL : keys[2];
        uint8_t stream[256];
        size_t len = 0;
        append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_TEXT, k0, "Gr\xC3", 3);
        append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_PING, k1, "p1", 2);
        append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_CONTINUATION, k2,
                     "\xBC\xC3", 2);
        append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_PONG, k0, "", 0);
        append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CLOSE, k1, "\x03\xe9", 2);
        append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CONTINUATION, k2,
                     "\x9F"
                     "e",
                     2);

        run_t r;
        run_every_split(cfg, stream, len, &r);
        assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
        assert_int_equal(r.count, 4);
        assert_event(&r.events[0], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PING, "p1", 2);
        assert_event(&r.events[1], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PONG, "", 0);
        assert_event(&r.events[2], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_CLOSE, "\x03\xe9", 2);
        assert_int_equal(r.events[2].close_code, 1001);
        /* the UTF-8 character split across fragments survives the interruptions */
        assert_event(&r.events[3], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT,
                     "Gr\xC3\xBC\xC3\x9F"
                     "e",
                     7);
        free_run(&r);
    }
}

/* ---- protocol errors -------------------------------------------------------------------- */

static void test_reserved_bits(void **state)
{
    (void)state;
    EXPECT_1002(&client_cfg, "\xC1\x01"
                             "a"); /* RSV1: e.g. permessage-deflate we never agreed to */
    EXPECT_1002(&client_cfg, "\xA1\x01"
                             "a"); /* RSV2 */
    EXPECT_1002(&client_cfg, "\x91\x01"
                             "a");        /* RSV3 */
    EXPECT_1002(&client_cfg, "\xC9\x00"); /* on a control frame too */
}

static void test_unknown_opcodes(void **state)
{
    (void)state;
    static const int unknown[] = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        uint8_t frame[2] = {(uint8_t)(0x80 | unknown[i]), 0x00};
        expect_failure(&client_cfg, frame, sizeof(frame), WEBRTC_STATUS_MALFORMED,
                       ERTC_WS_CLOSE_PROTOCOL_ERROR);
    }
}

static void test_masking_direction(void **state)
{
    (void)state;
    /* a server must not mask, a client must */
    expect_failure(&client_cfg, rfc_masked_hello, sizeof(rfc_masked_hello), WEBRTC_STATUS_MALFORMED,
                   ERTC_WS_CLOSE_PROTOCOL_ERROR);
    expect_failure(&server_cfg, rfc_unmasked_hello, sizeof(rfc_unmasked_hello),
                   WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR);
    expect_failure(&client_cfg, rfc_masked_pong, sizeof(rfc_masked_pong), WEBRTC_STATUS_MALFORMED,
                   ERTC_WS_CLOSE_PROTOCOL_ERROR);
    expect_failure(&server_cfg, rfc_unmasked_ping, sizeof(rfc_unmasked_ping),
                   WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR);

    run_t r;
    run_stream(&client_cfg, rfc_masked_hello, sizeof(rfc_masked_hello), 0, &r);
    assert_non_null(strstr(r.error, "masked"));
}

static void test_control_frame_rules(void **state)
{
    (void)state;
    EXPECT_1002(&client_cfg, "\x09\x00");         /* fragmented ping */
    EXPECT_1002(&client_cfg, "\x08\x02\x03\xe8"); /* fragmented close */
    EXPECT_1002(&client_cfg, "\x89\x7E\x00\x7E"); /* ping of 126 bytes */
    EXPECT_1002(&client_cfg, "\x8A\x7F\x00\x00\x00\x00\x00\x00\x00\x7E");

    /* 125 bytes is fine */
    uint8_t frame[2 + 125];
    frame[0] = 0x89;
    frame[1] = 125;
    memset(frame + 2, 'p', 125);
    run_t r;
    run_every_split(&client_cfg, frame, sizeof(frame), &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.events[0].len, 125);
    free_run(&r);
}

static void test_fragment_sequence_errors(void **state)
{
    (void)state;
    EXPECT_1002(&client_cfg, "\x80\x00"); /* continuation with nothing open */
    EXPECT_1002(&client_cfg, "\x00\x01"
                             "a"); /* non-final continuation, same */
    EXPECT_1002(&client_cfg, "\x81\x01"
                             "a"
                             "\x80\x01"
                             "b"); /* after a complete message */
    EXPECT_1002(&client_cfg, "\x01\x01"
                             "a"
                             "\x81\x01"
                             "b"); /* new text while text is open */
    EXPECT_1002(&client_cfg, "\x01\x01"
                             "a"
                             "\x02\x01"
                             "b"); /* new binary while text is open */
    EXPECT_1002(&client_cfg, "\x02\x01"
                             "a"
                             "\x89\x00"
                             "\x82\x00"); /* also after a ping */
}

static void test_length_errors(void **state)
{
    (void)state;
    /* 64-bit length with the most significant bit set */
    EXPECT_1002(&client_cfg, "\x82\x7F\x80\x00\x00\x00\x00\x00\x00\x00");
    EXPECT_1002(&client_cfg, "\x82\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF");
    /* non-minimal forms (we are strict, see ws_frame.h) */
    EXPECT_1002(&client_cfg, "\x82\x7E\x00\x05"
                             "abcde");
    EXPECT_1002(&client_cfg, "\x82\x7E\x00\x7D");
    EXPECT_1002(&client_cfg, "\x82\x7F\x00\x00\x00\x00\x00\x00\x00\x7E");
    EXPECT_1002(&client_cfg, "\x82\x7F\x00\x00\x00\x00\x00\x00\xFF\xFF");
    /* a huge but well-formed length is a size problem, not a protocol one */
    EXPECT_FAILURE(&client_cfg, "\x82\x7F\x7F\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG);
}

static void test_close_payloads(void **state)
{
    (void)state;
    EXPECT_1002(&client_cfg, "\x88\x01\x03");             /* 1-byte payload */
    EXPECT_1007(&client_cfg, "\x88\x04\x03\xe8\xC0\x80"); /* reason not UTF-8 */
    EXPECT_1007(&client_cfg, "\x88\x03\x03\xe8\xE2");     /* reason truncated */

    static const uint16_t invalid[] = {0,    999,  1004, 1005, 1006, 1012, 1013,
                                       1014, 1015, 1016, 2000, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        uint8_t frame[4] = {0x88, 0x02, (uint8_t)(invalid[i] >> 8), (uint8_t)invalid[i]};
        expect_failure(&client_cfg, frame, sizeof(frame), WEBRTC_STATUS_MALFORMED,
                       ERTC_WS_CLOSE_PROTOCOL_ERROR);
        assert_false(ertc_ws_is_valid_close_code(invalid[i]));
    }
    static const uint16_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                     1010, 1011, 3000, 3999, 4000, 4999};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        uint8_t frame[8] = {0x88, 0x06, (uint8_t)(valid[i] >> 8), (uint8_t)valid[i], 0xE2, 0x82,
                            0xAC, '!'};
        run_t r;
        run_every_split(&client_cfg, frame, sizeof(frame), &r);
        assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.events[0].close_code, valid[i]);
        assert_string_equal(r.events[0].reason, "\xE2\x82\xAC!");
        free_run(&r);
        assert_true(ertc_ws_is_valid_close_code(valid[i]));
    }

    /* an empty close reports "no status" */
    run_t r;
    run_stream(&client_cfg, (const uint8_t *)"\x88\x00", 2, 0, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.events[0].close_code, ERTC_WS_CLOSE_NO_STATUS);
    assert_int_equal(r.events[0].len, 0);
    free_run(&r);
}

static void test_invalid_text(void **state)
{
    (void)state;
    EXPECT_1007(&client_cfg, "\x81\x02\xC0\x80");     /* overlong */
    EXPECT_1007(&client_cfg, "\x81\x03\xED\xA0\x80"); /* surrogate */
    EXPECT_1007(&client_cfg, "\x81\x01\xC3");         /* truncated at the end */
    EXPECT_1007(&client_cfg, "\x01\x01\xE2"
                             "\x80\x01\x82"); /* truncated, fragmented */
    EXPECT_1007(&client_cfg, "\x01\x02"
                             "a\xC3"
                             "\x80\x01\x28"); /* broken across fragments */
    /* binary is not checked */
    run_t r;
    run_every_split(&client_cfg, (const uint8_t *)"\x82\x02\xC0\x80", 4, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    free_run(&r);
    /* a character split across fragments is fine */
    run_every_split(&client_cfg, (const uint8_t *)"\x01\x01\xE2\x00\x01\x82\x80\x01\xAC", 9, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_TEXT, "\xE2\x82\xAC", 3);
    free_run(&r);
}

static void test_invalid_text_fails_early(void **state)
{
    (void)state;
    /* A 1000-byte text frame whose third byte is invalid: the decoder fails on the first
     * 5 bytes, before the rest of the frame (and long before its end) arrives. */
    uint8_t start[5] = {0x81, 0x7E, 0x03, 0xE8, 'a'};
    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, &client_cfg);
    size_t consumed;
    ertc_ws_event_t ev;
    assert_int_equal(ertc_ws_decoder_feed(&d, start, sizeof(start), &consumed, &ev),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_NEED_MORE);
    assert_int_equal(ertc_ws_decoder_feed(&d, (const uint8_t *)"b\xFF", 2, &consumed, &ev),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_ws_decoder_close_code(&d), ERTC_WS_CLOSE_INVALID_DATA);
    assert_non_null(strstr(ertc_ws_decoder_error(&d), "UTF-8"));
    ertc_ws_decoder_destroy(&d);

    /* same in the first fragment of a message whose end never comes */
    ertc_ws_decoder_init(&d, &client_cfg);
    assert_int_equal(ertc_ws_decoder_feed(&d,
                                          (const uint8_t *)"\x01\x03"
                                                           "a\xFF"
                                                           "b",
                                          5, &consumed, &ev),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_ws_decoder_close_code(&d), ERTC_WS_CLOSE_INVALID_DATA);
    ertc_ws_decoder_destroy(&d);
}

static void test_message_too_big(void **state)
{
    (void)state;
    ertc_ws_decoder_config_t cfg = {ERTC_WS_ROLE_CLIENT, 0, 10};
    /* one frame of 11 bytes over a 10-byte limit */
    EXPECT_FAILURE(&cfg,
                   "\x82\x0B"
                   "0123456789A",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG);
    /* exactly 10 is fine */
    run_t r;
    run_every_split(&cfg,
                    (const uint8_t *)"\x82\x0A"
                                     "0123456789",
                    12, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    free_run(&r);
    /* 6 + 6 bytes in fragments: fails at the second header, before its payload */
    EXPECT_FAILURE(&cfg,
                   "\x02\x06"
                   "012345"
                   "\x80\x06",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG);
    /* control frames do not count against the message */
    run_every_split(&cfg,
                    (const uint8_t *)"\x02\x05"
                                     "01234"
                                     "\x89\x03"
                                     "abc"
                                     "\x80\x05"
                                     "56789",
                    19, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 2);
    assert_event(&r.events[1], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_BINARY, "0123456789", 10);
    free_run(&r);

    /* the frame limit applies on its own */
    ertc_ws_decoder_config_t frame_cfg = {ERTC_WS_ROLE_CLIENT, 4, 100};
    EXPECT_FAILURE(&frame_cfg,
                   "\x82\x05"
                   "01234",
                   WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG);
    run_every_split(&frame_cfg,
                    (const uint8_t *)"\x02\x04"
                                     "0123"
                                     "\x80\x04"
                                     "4567",
                    12, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    free_run(&r);

    /* the default limit */
    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, NULL);
    uint8_t h[ERTC_WS_MAX_HEADER_LEN];
    size_t hl = 0;
    ertc_ws_frame_header_encode(h, true, ERTC_WS_OPCODE_BINARY, false, NULL,
                                ERTC_WS_DEFAULT_MAX_MESSAGE + 1, &hl);
    size_t consumed;
    ertc_ws_event_t ev;
    assert_int_equal(ertc_ws_decoder_feed(&d, h, hl, &consumed, &ev), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_ws_decoder_close_code(&d), ERTC_WS_CLOSE_MESSAGE_TOO_BIG);
    assert_non_null(strstr(ertc_ws_decoder_error(&d), "limit"));
    ertc_ws_decoder_destroy(&d);
}

static void test_failure_is_sticky_until_reset(void **state)
{
    (void)state;
    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, &client_cfg);
    size_t consumed;
    ertc_ws_event_t ev;
    assert_string_equal(ertc_ws_decoder_error(&d), "");
    assert_int_equal(ertc_ws_decoder_close_code(&d), 0);
    assert_int_equal(ertc_ws_decoder_feed(&d,
                                          (const uint8_t *)"\x01\x01"
                                                           "a",
                                          3, &consumed, &ev),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ws_decoder_feed(&d, (const uint8_t *)"\xC1\x00", 2, &consumed, &ev),
                     WEBRTC_STATUS_MALFORMED);
    assert_null(d.message); /* the partial message is released at once */
    assert_int_equal(
        ertc_ws_decoder_feed(&d, rfc_unmasked_hello, sizeof(rfc_unmasked_hello), &consumed, &ev),
        WEBRTC_STATUS_MALFORMED);
    assert_int_equal(consumed, 0);
    assert_int_equal(ertc_ws_decoder_close_code(&d), ERTC_WS_CLOSE_PROTOCOL_ERROR);
    assert_non_null(strstr(ertc_ws_decoder_error(&d), "reserved"));

    ertc_ws_decoder_reset(&d);
    assert_int_equal(ertc_ws_decoder_close_code(&d), 0);
    assert_int_equal(
        ertc_ws_decoder_feed(&d, rfc_unmasked_hello, sizeof(rfc_unmasked_hello), &consumed, &ev),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_MESSAGE);
    assert_int_equal(d.config.role, ERTC_WS_ROLE_CLIENT); /* configuration kept */
    ertc_ws_decoder_destroy(&d);

    ertc_ws_decoder_config_t bad = {(ertc_ws_role_t)7, 0, 0};
    assert_int_equal(ertc_ws_decoder_init(&d, &bad), WEBRTC_STATUS_INVALID_ARG);
}

/* ---- masking ---------------------------------------------------------------------------- */

static void test_mask_in_pieces(void **state)
{
    (void)state;
    enum { N = 1000 };
    static uint8_t plain[N + 8], whole[N + 8], pieces[N + 8], slow[N + 8];
    for (size_t i = 0; i < sizeof(plain); i++) {
        plain[i] = (uint8_t)(i * 131 + 17);
    }
    const uint8_t key[4] = {0x12, 0x9A, 0xFE, 0x01};
    /* every start alignment, length and split point (sampled) */
    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len < N; len += (len < 40 ? 1 : 97)) {
            for (size_t i = 0; i < len; i++) {
                slow[i] = plain[i] ^ key[i % 4];
            }
            memcpy(whole + align, plain, len);
            ertc_ws_mask(whole + align, len, key, 0);
            assert_memory_equal(whole + align, slow, len);
            for (size_t split = 0; split <= len; split += (len < 40 ? 1 : 13)) {
                memcpy(pieces + align, plain, len);
                ertc_ws_mask(pieces + align, split, key, 0);
                ertc_ws_mask(pieces + align + split, len - split, key, split);
                assert_memory_equal(pieces + align, slow, len);
            }
        }
    }
    /* unmasking is masking again */
    memcpy(whole, plain, N);
    ertc_ws_mask(whole, N, key, 3);
    ertc_ws_mask(whole, N, key, 3);
    assert_memory_equal(whole, plain, N);
}

/* ---- close payload builder --------------------------------------------------------------- */

static void test_build_close_payload(void **state)
{
    (void)state;
    uint8_t p[ERTC_WS_MAX_CONTROL_PAYLOAD];
    size_t n = 99;
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, "bye"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 5);
    assert_memory_equal(p,
                        "\x03\xe8"
                        "bye",
                        5);
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 4001, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2);
    assert_memory_equal(p, "\x0f\xa1", 2);
    assert_int_equal(ertc_ws_build_close_payload(p, &n, ERTC_WS_CLOSE_NO_STATUS, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 0);
    assert_int_equal(ertc_ws_build_close_payload(p, &n, ERTC_WS_CLOSE_NO_STATUS, "why"),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1006, "x"), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, "\xC0\x80"),
                     WEBRTC_STATUS_INVALID_ARG);

    char reason[300];
    /* exactly 123 ASCII bytes fit; 124 are cut to 123 */
    memset(reason, 'a', 124);
    reason[123] = '\0';
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 125);
    reason[123] = 'b';
    reason[124] = '\0';
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 125);
    assert_int_equal(p[124], 'a');
    /* a 2-byte character at bytes 122-123 would be split: cut before it */
    memset(reason, 'a', 122);
    strcpy(reason + 122, "\xC3\xA9tail");
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2 + 122);
    /* a 3-byte character at 121-123: cut before it; a 4-byte one at 120-123: before it */
    memset(reason, 'a', 121);
    strcpy(reason + 121, "\xE2\x82\xAC");
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2 + 121);
    memset(reason, 'a', 120);
    strcpy(reason + 120, "\xF0\x9F\x98\x80zz");
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2 + 120);
    /* a character ending exactly at 123 is kept */
    memset(reason, 'a', 120);
    strcpy(reason + 120, "\xE2\x82\xAC"
                         "zz");
    assert_int_equal(ertc_ws_build_close_payload(p, &n, 1000, reason), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 125);

    /* and the decoder accepts what the builder makes */
    uint8_t frame[2 + ERTC_WS_MAX_CONTROL_PAYLOAD];
    size_t flen = 0;
    assert_int_equal(
        ertc_ws_frame_encode(frame, sizeof(frame), &flen, true, ERTC_WS_OPCODE_CLOSE, NULL, p, n),
        WEBRTC_STATUS_SUCCESS);
    run_t r;
    run_stream(&client_cfg, frame, flen, 0, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.events[0].close_code, 1000);
    assert_int_equal(strlen(r.events[0].reason), 123);
    free_run(&r);
}

/* ---- large messages and memory ----------------------------------------------------------- */

static void test_one_mib_message(void **state)
{
    (void)state;
    enum { MIB = 1024 * 1024, FRAGMENT = 1000 };
    uint8_t *message = malloc(MIB);
    assert_non_null(message);
    for (size_t i = 0; i < MIB; i++) {
        message[i] = (uint8_t)(i % 251);
    }
    size_t cap = MIB + (MIB / FRAGMENT + 1) * ERTC_WS_MAX_HEADER_LEN + 64;
    uint8_t *stream = malloc(cap);
    assert_non_null(stream);

    /* server side: 1 MiB in masked fragments, with a ping in the middle */
    size_t len = 0;
    for (size_t at = 0; at < MIB; at += FRAGMENT) {
        size_t n = MIB - at < FRAGMENT ? MIB - at : FRAGMENT;
        uint8_t key[4] = {(uint8_t)at, (uint8_t)(at >> 8), 0x5A, (uint8_t)(at >> 16)};
        append_frame(stream, cap, &len, at + n == MIB,
                     at == 0 ? ERTC_WS_OPCODE_BINARY : ERTC_WS_OPCODE_CONTINUATION, key,
                     message + at, n);
        if (at == MIB / 2 / FRAGMENT * FRAGMENT) {
            append_frame(stream, cap, &len, true, ERTC_WS_OPCODE_PING, key, "mid", 3);
        }
    }
    ertc_ws_decoder_config_t cfg = {ERTC_WS_ROLE_SERVER, 0, MIB};
    run_t r;
    run_stream(&cfg, stream, len, 4096, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 2);
    assert_event(&r.events[0], ERTC_WS_EVENT_CONTROL, ERTC_WS_OPCODE_PING, "mid", 3);
    assert_event(&r.events[1], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_BINARY, message, MIB);
    free_run(&r);
    /* one byte over the limit fails */
    cfg.max_message_size = MIB - 1;
    run_stream(&cfg, stream, len, 65536, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_LIMIT_EXCEEDED);
    free_run(&r);

    /* client side: one unfragmented 1 MiB frame arriving in TLS-record-sized pieces */
    len = 0;
    append_frame(stream, cap, &len, true, ERTC_WS_OPCODE_BINARY, NULL, message, MIB);
    cfg.role = ERTC_WS_ROLE_CLIENT;
    cfg.max_message_size = MIB;
    run_stream(&cfg, stream, len, 16384, &r);
    assert_int_equal(r.status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(r.count, 1);
    assert_event(&r.events[0], ERTC_WS_EVENT_MESSAGE, ERTC_WS_OPCODE_BINARY, message, MIB);
    free_run(&r);

    free(stream);
    free(message);
}

static void test_reassembly_memory(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_reset_peak();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);

    enum { BIG = 20000 };
    static uint8_t stream[2 * BIG];
    static uint8_t payload[BIG];
    memset(payload, 'x', sizeof(payload));
    size_t len = 0;
    append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_TEXT, NULL, payload, 10);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CONTINUATION, NULL, payload,
                 BIG - 10);
    size_t big_len = len;
    append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_TEXT, NULL, payload, 10);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CONTINUATION, NULL, payload,
                 10);

    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, &client_cfg);
    size_t consumed;
    ertc_ws_event_t ev;
    assert_int_equal(ertc_ws_decoder_feed(&d, stream, big_len, &consumed, &ev),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_MESSAGE);
    assert_int_equal(ev.len, BIG);
    /* the last fragment's length bounds the growth: no more than the message was allocated */
    assert_int_equal(d.message_cap, BIG);
    ertc_alloc_stats_t during;
    ertc_alloc_get_stats(&during);
    assert_true(during.current - before.current >= BIG);

    /* a buffer larger than ERTC_WS_DECODER_RETAIN_BYTES goes back on the next call ... */
    assert_int_equal(ertc_ws_decoder_feed(&d, stream + big_len, len - big_len, &consumed, &ev),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ev.type, ERTC_WS_EVENT_MESSAGE);
    assert_int_equal(ev.len, 20);
    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_true(after.current - before.current < 1024);
    /* ... a small one stays for the next message */
    assert_non_null(d.message);
    assert_int_equal(ertc_ws_decoder_feed(&d, NULL, 0, &consumed, &ev), WEBRTC_STATUS_SUCCESS);
    assert_non_null(d.message);

    ertc_ws_decoder_destroy(&d);
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_alloc_counting_disable();
}

static void test_allocation_failure(void **state)
{
    (void)state;
    ertc_ws_decoder_t d;
    ertc_ws_decoder_init(&d, &client_cfg);
    size_t consumed;
    ertc_ws_event_t ev;
    ertc_alloc_inject_failure(0, false);
    assert_int_equal(ertc_ws_decoder_feed(&d, rfc_fragmented_hello, sizeof(rfc_fragmented_hello),
                                          &consumed, &ev),
                     WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    ertc_alloc_inject_off();
    assert_int_equal(ertc_ws_decoder_close_code(&d), ERTC_WS_CLOSE_INTERNAL_ERROR);
    assert_non_null(strstr(ertc_ws_decoder_error(&d), "memory"));
    ertc_ws_decoder_destroy(&d);

    /* a failure while growing keeps nothing alive */
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);
    static uint8_t stream[4096];
    static uint8_t payload[1500];
    size_t len = 0;
    append_frame(stream, sizeof(stream), &len, false, ERTC_WS_OPCODE_BINARY, NULL, payload, 100);
    append_frame(stream, sizeof(stream), &len, true, ERTC_WS_OPCODE_CONTINUATION, NULL, payload,
                 1500);
    ertc_ws_decoder_init(&d, &client_cfg);
    ertc_alloc_inject_failure(1, false);
    assert_int_equal(ertc_ws_decoder_feed(&d, stream, len, &consumed, &ev),
                     WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    ertc_alloc_inject_off();
    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_ws_decoder_destroy(&d);
    ertc_alloc_counting_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_unmasked_text),
        cmocka_unit_test(test_rfc_masked_text),
        cmocka_unit_test(test_rfc_fragmented_text),
        cmocka_unit_test(test_rfc_ping_pong),
        cmocka_unit_test(test_rfc_binary_lengths),
        cmocka_unit_test(test_header_encode_rules),
        cmocka_unit_test(test_stream_of_frames_any_split),
        cmocka_unit_test(test_one_event_per_call),
        cmocka_unit_test(test_control_frames_between_fragments),
        cmocka_unit_test(test_reserved_bits),
        cmocka_unit_test(test_unknown_opcodes),
        cmocka_unit_test(test_masking_direction),
        cmocka_unit_test(test_control_frame_rules),
        cmocka_unit_test(test_fragment_sequence_errors),
        cmocka_unit_test(test_length_errors),
        cmocka_unit_test(test_close_payloads),
        cmocka_unit_test(test_invalid_text),
        cmocka_unit_test(test_invalid_text_fails_early),
        cmocka_unit_test(test_message_too_big),
        cmocka_unit_test(test_failure_is_sticky_until_reset),
        cmocka_unit_test(test_mask_in_pieces),
        cmocka_unit_test(test_build_close_payload),
        cmocka_unit_test(test_one_mib_message),
        cmocka_unit_test(test_reassembly_memory),
        cmocka_unit_test(test_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
