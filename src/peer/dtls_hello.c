/*
 * peer/dtls_hello — see dtls_hello.h.
 */
#include "peer/dtls_hello.h"

#include <string.h>

#include "util/alloc.h"

#define CONTENT_HANDSHAKE      22
#define HANDSHAKE_CLIENT_HELLO 1

static uint32_t get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

void ertc_dtls_hello_init(ertc_dtls_hello_t *r)
{
    memset(r, 0, sizeof(*r));
}

static void reset(ertc_dtls_hello_t *r)
{
    ertc_free(r->body);
    ertc_free(r->have);
    r->body = NULL;
    r->have = NULL;
    r->active = false;
    r->received = 0;
    r->msg_len = 0;
}

void ertc_dtls_hello_free(ertc_dtls_hello_t *r)
{
    reset(r);
    ertc_free(r->out);
    r->out = NULL;
}

/* One fragment of a ClientHello: [offset, offset + frag_len) of a msg_len-byte message. */
typedef struct {
    size_t msg_len, offset, frag_len;
    uint16_t message_seq;
    const uint8_t *data;
    const uint8_t *record; /* its record header */
} fragment_t;

/* Splits a datagram into ClientHello fragments. Returns false when anything in it is something
 * else (then the datagram is passed on as it is); *count may exceed max (then: malformed). */
static bool collect_fragments(const uint8_t *d, size_t len, fragment_t *frags, size_t max,
                              size_t *count, bool *bad)
{
    *count = 0;
    *bad = false;
    bool any_fragment = false;
    size_t pos = 0;
    while (pos < len) {
        if (len - pos < ERTC_DTLS_RECORD_HEADER_LEN) {
            *bad = any_fragment;
            return any_fragment;
        }
        const uint8_t *rec = d + pos;
        size_t rec_len = (size_t)rec[11] << 8 | rec[12];
        uint16_t epoch = (uint16_t)(rec[3] << 8 | rec[4]);
        if (rec_len > len - pos - ERTC_DTLS_RECORD_HEADER_LEN) {
            *bad = any_fragment;
            return any_fragment;
        }
        if (rec[0] != CONTENT_HANDSHAKE || epoch != 0) {
            return false;
        }
        const uint8_t *hs = rec + ERTC_DTLS_RECORD_HEADER_LEN;
        size_t hs_pos = 0;
        while (hs_pos < rec_len) {
            if (rec_len - hs_pos < ERTC_DTLS_HANDSHAKE_HEADER_LEN) {
                *bad = true;
                return true;
            }
            const uint8_t *h = hs + hs_pos;
            fragment_t f = {
                .msg_len = get24(h + 1),
                .message_seq = (uint16_t)(h[4] << 8 | h[5]),
                .offset = get24(h + 6),
                .frag_len = get24(h + 9),
                .data = h + ERTC_DTLS_HANDSHAKE_HEADER_LEN,
                .record = rec,
            };
            if (h[0] != HANDSHAKE_CLIENT_HELLO) {
                return false;
            }
            if (f.frag_len > rec_len - hs_pos - ERTC_DTLS_HANDSHAKE_HEADER_LEN ||
                f.offset > f.msg_len || f.frag_len > f.msg_len - f.offset) {
                *bad = true;
                return true;
            }
            if (f.frag_len != f.msg_len) {
                any_fragment = true;
            }
            if (*count < max) {
                frags[*count] = f;
            }
            (*count)++;
            hs_pos += ERTC_DTLS_HANDSHAKE_HEADER_LEN + f.frag_len;
        }
        pos += ERTC_DTLS_RECORD_HEADER_LEN + rec_len;
    }
    return any_fragment;
}

static uint64_t record_seq(const uint8_t *rec)
{
    uint64_t s = 0;
    for (int i = 5; i < 11; i++) {
        s = s << 8 | rec[i];
    }
    return s;
}

static WEBRTC_STATUS add_fragment(ertc_dtls_hello_t *r, const fragment_t *f)
{
    if (!r->active) {
        if (f->msg_len == 0 || f->msg_len > ERTC_DTLS_HELLO_MAX_LEN) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        r->body = ertc_malloc(f->msg_len);
        r->have = ertc_calloc((f->msg_len + 7) / 8, 1);
        if (r->body == NULL || r->have == NULL) {
            reset(r);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        r->active = true;
        r->msg_len = f->msg_len;
        r->message_seq = f->message_seq;
        memcpy(r->record_version, f->record + 1, 2);
        r->record_seq = 0;
    }
    if (f->msg_len != r->msg_len || f->message_seq != r->message_seq) {
        return WEBRTC_STATUS_MALFORMED; /* a fragment of another ClientHello */
    }
    uint64_t seq = record_seq(f->record);
    if (seq > r->record_seq) {
        r->record_seq = seq;
    }
    for (size_t i = 0; i < f->frag_len; i++) {
        size_t at = f->offset + i;
        uint8_t bit = (uint8_t)(1u << (at & 7));
        if (!(r->have[at >> 3] & bit)) {
            r->have[at >> 3] |= bit;
            r->received++;
        }
        r->body[at] = f->data[i]; /* retransmissions carry the same bytes */
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Builds the single record: record header, handshake header (offset 0, whole length), body. */
static WEBRTC_STATUS emit(ertc_dtls_hello_t *r, const uint8_t **out, size_t *out_len)
{
    size_t n = ERTC_DTLS_RECORD_HEADER_LEN + ERTC_DTLS_HANDSHAKE_HEADER_LEN + r->msg_len;
    ertc_free(r->out);
    r->out = ertc_malloc(n);
    if (r->out == NULL) {
        reset(r);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    uint8_t *p = r->out;
    p[0] = CONTENT_HANDSHAKE;
    memcpy(p + 1, r->record_version, 2);
    p[3] = p[4] = 0; /* epoch 0 */
    for (int i = 0; i < 6; i++) {
        p[5 + i] = (uint8_t)(r->record_seq >> (8 * (5 - i)));
    }
    size_t rec_len = ERTC_DTLS_HANDSHAKE_HEADER_LEN + r->msg_len;
    p[11] = (uint8_t)(rec_len >> 8);
    p[12] = (uint8_t)rec_len;
    uint8_t *h = p + ERTC_DTLS_RECORD_HEADER_LEN;
    h[0] = HANDSHAKE_CLIENT_HELLO;
    put24(h + 1, r->msg_len);
    h[4] = (uint8_t)(r->message_seq >> 8);
    h[5] = (uint8_t)r->message_seq;
    put24(h + 6, 0);
    put24(h + 9, r->msg_len);
    memcpy(h + ERTC_DTLS_HANDSHAKE_HEADER_LEN, r->body, r->msg_len);
    *out = r->out;
    *out_len = n;
    reset(r);
    return WEBRTC_STATUS_SUCCESS;
}

#define MAX_FRAGMENTS_PER_DATAGRAM 16

WEBRTC_STATUS ertc_dtls_hello_feed(ertc_dtls_hello_t *r, const uint8_t *dgram, size_t len,
                                   ertc_dtls_hello_verdict_t *verdict, const uint8_t **out,
                                   size_t *out_len)
{
    *verdict = ERTC_DTLS_HELLO_PASS;
    *out = NULL;
    *out_len = 0;
    fragment_t frags[MAX_FRAGMENTS_PER_DATAGRAM];
    size_t count = 0;
    bool bad = false;
    if (!collect_fragments(dgram, len, frags, MAX_FRAGMENTS_PER_DATAGRAM, &count, &bad)) {
        return WEBRTC_STATUS_SUCCESS; /* not a fragmented ClientHello: as it is */
    }
    if (bad || count > MAX_FRAGMENTS_PER_DATAGRAM) {
        *verdict = ERTC_DTLS_HELLO_HOLD;
        return WEBRTC_STATUS_MALFORMED;
    }
    *verdict = ERTC_DTLS_HELLO_HOLD;
    for (size_t i = 0; i < count; i++) {
        WEBRTC_STATUS st = add_fragment(r, &frags[i]);
        if (st != WEBRTC_STATUS_SUCCESS) {
            if (st != WEBRTC_STATUS_MALFORMED) {
                reset(r);
            }
            return st;
        }
    }
    if (r->active && r->received == r->msg_len) {
        *verdict = ERTC_DTLS_HELLO_READY;
        return emit(r, out, out_len);
    }
    return WEBRTC_STATUS_SUCCESS;
}
