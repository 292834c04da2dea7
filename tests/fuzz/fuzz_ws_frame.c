/*
 * libFuzzer target for net/ws_frame's decoder.
 *
 * Input: byte 0 chooses the role (bit 0: 0 client, 1 server) and a message limit (bits
 * 1-3), byte 1 seeds the piece sizes, the rest is the byte stream from the peer. The stream
 * is decoded twice, all at once and in pseudo-random pieces (each copied into its own
 * exactly sized heap buffer, so a read past a piece is caught), and both runs must give the
 * same events and the same failure. Every event is checked against what callers rely on:
 * text is UTF-8, messages respect the limit, control payloads fit 125 bytes, close codes
 * are valid; a failure carries one of the four close codes and a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/utf8.h"
#include "net/ws_frame.h"
#include "util/alloc.h"

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME  1099511628211ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* max_message_size by bits 1-3 of the first byte; 0 is the default */
static const size_t message_limits[8] = {0, 16, 125, 200, 1000, 4096, 65536, 1u << 20};

typedef struct {
    uint64_t digest; /* FNV-1a over every event's type, opcode, length and bytes */
    size_t events;
    WEBRTC_STATUS status;
    uint16_t close_code;
} outcome_t;

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

static void mix(uint64_t *h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        *h = (*h ^ b[i]) * FNV_PRIME;
    }
}

static void check_event(const ertc_ws_event_t *ev, size_t limit, outcome_t *out)
{
    require(ev->data != NULL);
    if (ev->type == ERTC_WS_EVENT_MESSAGE) {
        require(ev->opcode == ERTC_WS_OPCODE_TEXT || ev->opcode == ERTC_WS_OPCODE_BINARY);
        require(ev->len <= limit);
        if (ev->opcode == ERTC_WS_OPCODE_TEXT) {
            require(ertc_utf8_valid(ev->data, ev->len));
        }
    } else {
        require(ev->type == ERTC_WS_EVENT_CONTROL);
        require(ev->opcode == ERTC_WS_OPCODE_CLOSE || ev->opcode == ERTC_WS_OPCODE_PING ||
                ev->opcode == ERTC_WS_OPCODE_PONG);
        require(ev->len <= ERTC_WS_MAX_CONTROL_PAYLOAD);
        if (ev->opcode == ERTC_WS_OPCODE_CLOSE) {
            require(ev->close_code == ERTC_WS_CLOSE_NO_STATUS ||
                    ertc_ws_is_valid_close_code(ev->close_code));
            require(ertc_utf8_valid((const uint8_t *)ev->close_reason, ev->close_reason_len));
            require(ev->close_reason_len + (ev->len > 0 ? 2 : 0) == ev->len);
        }
    }
    int type = ev->type;
    mix(&out->digest, &type, sizeof(type));
    mix(&out->digest, &ev->opcode, sizeof(ev->opcode));
    mix(&out->digest, &ev->len, sizeof(ev->len));
    mix(&out->digest, ev->data, ev->len);
    out->events++;
}

/* Feeds one piece until it is used up; false once the decoder failed. */
static int feed_piece(ertc_ws_decoder_t *d, const uint8_t *piece, size_t n, size_t limit,
                      outcome_t *out)
{
    size_t off = 0;
    for (;;) {
        size_t consumed = 0;
        ertc_ws_event_t ev;
        WEBRTC_STATUS st = ertc_ws_decoder_feed(d, piece + off, n - off, &consumed, &ev);
        require(consumed <= n - off);
        if (st != WEBRTC_STATUS_SUCCESS) {
            uint16_t code = ertc_ws_decoder_close_code(d);
            require(code == ERTC_WS_CLOSE_PROTOCOL_ERROR || code == ERTC_WS_CLOSE_INVALID_DATA ||
                    code == ERTC_WS_CLOSE_MESSAGE_TOO_BIG || code == ERTC_WS_CLOSE_INTERNAL_ERROR);
            require(ertc_ws_decoder_error(d)[0] != '\0');
            require(ev.type == ERTC_WS_EVENT_NEED_MORE);
            out->status = st;
            out->close_code = code;
            /* stays failed */
            require(ertc_ws_decoder_feed(d, piece, n, &consumed, &ev) == st && consumed == 0);
            return 0;
        }
        off += consumed;
        if (ev.type == ERTC_WS_EVENT_NEED_MORE) {
            require(off == n);
            return 1;
        }
        check_event(&ev, limit, out);
    }
}

static void decode(const ertc_ws_decoder_config_t *cfg, const uint8_t *stream, size_t len,
                   uint32_t seed, outcome_t *out)
{
    memset(out, 0, sizeof(*out));
    out->digest = FNV_OFFSET;
    ertc_ws_decoder_t d;
    require(ertc_ws_decoder_init(&d, cfg) == WEBRTC_STATUS_SUCCESS);
    size_t limit = d.config.max_message_size;
    uint32_t x = seed | 1u;
    size_t at = 0;
    while (at < len) {
        size_t n = len - at;
        if (seed != 0) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
            size_t piece = (x & 0x100) ? (x & 0x0F) + 1 : (x & 0x3FF) + 1;
            n = piece < n ? piece : n;
        }
        uint8_t *copy = malloc(n);
        require(copy != NULL);
        memcpy(copy, stream + at, n);
        int alive = feed_piece(&d, copy, n, limit, out);
        free(copy);
        if (!alive) {
            break;
        }
        at += n;
    }
    ertc_ws_decoder_destroy(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    ertc_ws_decoder_config_t cfg = {
        .role = (data[0] & 1) ? ERTC_WS_ROLE_SERVER : ERTC_WS_ROLE_CLIENT,
        .max_frame_payload = 0,
        .max_message_size = message_limits[(data[0] >> 1) & 7],
    };
    const uint8_t *stream = data + 2;
    size_t len = size - 2;

    outcome_t whole;
    outcome_t pieces;
    decode(&cfg, stream, len, 0, &whole);
    decode(&cfg, stream, len, 0x9E3779B9u * (data[1] + 1u), &pieces);
    require(whole.status == pieces.status);
    require(whole.close_code == pieces.close_code);
    require(whole.events == pieces.events);
    require(whole.digest == pieces.digest);
    return 0;
}
