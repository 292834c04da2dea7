/*
 * Unit tests for peer/h264_packetizer and peer/h264_depacketizer (RFC 6184, mode 1).
 *
 * Synthetic Annex-B access units are built from NAL unit specs (type, NRI, size) with bodies
 * that contain no zero bytes, so they can never hold a start code. They are packetized and
 * checked packet by packet — single NAL units, STAP-A contents and NRI, FU-A indicator and
 * header bits, near-equal fragment sizes, the marker on the last packet only — and then
 * depacketized back to byte-identical Annex-B. Sizes cover 1 byte, the budget - 1, exactly
 * the budget, budget + 1 and 100 KB. Loss, reordering, duplicates, window overflow, oversize
 * frames, malformed payloads, missing marker bits, sequence wrap and restarts, cached SPS/PPS
 * insertion and allocation failures are tested on the depacketizer side.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "peer/h264_depacketizer.h"
#include "peer/h264_packetizer.h"
#include "util/alloc.h"

#define MAX_FRAMES 64
#define BIG_NAL    (100u * 1024u)

/* ---- helpers --------------------------------------------------------------------------- */

typedef struct {
    uint8_t type;
    uint8_t nri;
    size_t size; /* including the NAL header byte */
} nal_spec_t;

typedef struct {
    uint8_t *data;
    size_t len;
} buf_t;

typedef struct {
    uint8_t *data;
    size_t len;
    bool marker;
} packet_t;

typedef struct {
    packet_t *items;
    size_t count;
    size_t cap;
} packets_t;

typedef struct {
    uint8_t *data;
    size_t len;
    uint32_t ts;
    bool keyframe;
} frame_t;

typedef struct {
    frame_t items[MAX_FRAMES];
    size_t count;
} frames_t;

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static size_t au_size(const nal_spec_t *specs, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += 4 + specs[i].size;
    }
    return total;
}

/* Annex-B with 4-byte start codes; NAL bodies are non-zero bytes. */
static buf_t build_au(const nal_spec_t *specs, size_t n)
{
    buf_t b;
    b.len = au_size(specs, n);
    b.data = malloc(b.len);
    assert_non_null(b.data);
    uint8_t *p = b.data;
    for (size_t i = 0; i < n; i++) {
        *p++ = 0;
        *p++ = 0;
        *p++ = 0;
        *p++ = 1;
        *p++ = (uint8_t)((specs[i].nri << 5) | specs[i].type);
        for (size_t j = 1; j < specs[i].size; j++) {
            *p++ = (uint8_t)(1 + rng() % 255);
        }
    }
    return b;
}

static void free_packets(packets_t *ps)
{
    for (size_t i = 0; i < ps->count; i++) {
        free(ps->items[i].data);
    }
    free(ps->items);
    memset(ps, 0, sizeof(*ps));
}

static WEBRTC_STATUS collect_packet(const uint8_t *payload, size_t len, bool marker, void *ctx)
{
    packets_t *ps = ctx;
    if (ps->count == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 16;
        ps->items = realloc(ps->items, ps->cap * sizeof(ps->items[0]));
        assert_non_null(ps->items);
    }
    packet_t *pk = &ps->items[ps->count++];
    pk->data = malloc(len);
    assert_non_null(pk->data);
    memcpy(pk->data, payload, len);
    pk->len = len;
    pk->marker = marker;
    return WEBRTC_STATUS_SUCCESS;
}

static packets_t packetize(ertc_h264_packetizer_t *pz, const buf_t *au)
{
    packets_t ps;
    memset(&ps, 0, sizeof(ps));
    size_t cap = ertc_h264_packetizer_max_payload(pz);
    uint8_t *scratch = malloc(cap);
    assert_non_null(scratch);
    assert_int_equal(ertc_h264_packetize(pz, au->data, au->len, scratch, cap, collect_packet, &ps),
                     WEBRTC_STATUS_SUCCESS);
    free(scratch);
    return ps;
}

static void on_frame(const ertc_h264_frame_t *f, void *ctx)
{
    frames_t *fs = ctx;
    assert_true(fs->count < MAX_FRAMES);
    frame_t *out = &fs->items[fs->count++];
    out->data = malloc(f->len);
    assert_non_null(out->data);
    memcpy(out->data, f->data, f->len);
    out->len = f->len;
    out->ts = f->timestamp;
    out->keyframe = f->keyframe;
}

static void free_frames(frames_t *fs)
{
    for (size_t i = 0; i < fs->count; i++) {
        free(fs->items[i].data);
    }
    fs->count = 0;
}

/* Pushes packets [from, to) with consecutive sequence numbers starting at *seq; a packet
 * copy of exactly its length is pushed so a sanitizer sees over-reads. */
static void push_range(ertc_h264_depacketizer_t *d, const packets_t *ps, size_t from, size_t to,
                       uint16_t *seq, uint32_t ts, frames_t *fs)
{
    for (size_t i = from; i < to; i++) {
        uint8_t *copy = malloc(ps->items[i].len);
        assert_non_null(copy);
        memcpy(copy, ps->items[i].data, ps->items[i].len);
        assert_int_equal(ertc_h264_depacketizer_push(d, (*seq)++, ts, ps->items[i].marker, copy,
                                                     ps->items[i].len, on_frame, fs),
                         WEBRTC_STATUS_SUCCESS);
        free(copy);
    }
}

static void push_all(ertc_h264_depacketizer_t *d, const packets_t *ps, uint16_t *seq, uint32_t ts,
                     frames_t *fs)
{
    push_range(d, ps, 0, ps->count, seq, ts, fs);
}

static void push_one(ertc_h264_depacketizer_t *d, const packets_t *ps, size_t i, uint16_t seq,
                     uint32_t ts, frames_t *fs)
{
    uint16_t s = seq;
    push_range(d, ps, i, i + 1, &s, ts, fs);
}

static void init_depacketizer(ertc_h264_depacketizer_t *d, size_t window, size_t max_frame)
{
    ertc_h264_depacketizer_config_t cfg = {max_frame, window, false};
    assert_int_equal(ertc_h264_depacketizer_init(d, &cfg), WEBRTC_STATUS_SUCCESS);
}

static ertc_h264_depacketizer_stats_t stats_of(const ertc_h264_depacketizer_t *d)
{
    ertc_h264_depacketizer_stats_t s;
    ertc_h264_depacketizer_get_stats(d, &s);
    return s;
}

static void assert_frame_is(const frames_t *fs, size_t i, const buf_t *au, uint32_t ts,
                            bool keyframe)
{
    assert_true(i < fs->count);
    assert_int_equal(fs->items[i].len, au->len);
    assert_memory_equal(fs->items[i].data, au->data, au->len);
    assert_int_equal(fs->items[i].ts, ts);
    assert_int_equal(fs->items[i].keyframe, keyframe);
}

static const nal_spec_t sps = {ERTC_H264_NAL_SPS, 3, 14};
static const nal_spec_t pps = {ERTC_H264_NAL_PPS, 3, 4};

/* ---- Annex-B scanning ------------------------------------------------------------------ */

static void test_nal_scanner(void **state)
{
    (void)state;
    /* leading zeros, 4-byte and 3-byte start codes, an empty NAL, trailing zeros */
    const uint8_t au[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x67, 0xAA, 0xBB, /* SPS */
                          0x00, 0x00, 0x01, 0x68, 0xCC,                   /* PPS */
                          0x00, 0x00, 0x01,                               /* empty */
                          0x00, 0x00, 0x00, 0x01, 0x65, 0x11, 0x00, 0x22, /* IDR */
                          0x00, 0x00};
    size_t pos = 0;
    ertc_h264_nal_t nal;
    assert_true(ertc_h264_next_nal(au, sizeof(au), &pos, &nal));
    assert_int_equal(nal.len, 3);
    assert_int_equal(nal.data[0], 0x67);
    assert_true(ertc_h264_next_nal(au, sizeof(au), &pos, &nal));
    assert_int_equal(nal.len, 2);
    assert_int_equal(nal.data[0], 0x68);
    assert_true(ertc_h264_next_nal(au, sizeof(au), &pos, &nal));
    assert_int_equal(nal.len, 4); /* a single 00 inside the unit stays */
    assert_int_equal(nal.data[0], 0x65);
    assert_int_equal(nal.data[3], 0x22);
    assert_false(ertc_h264_next_nal(au, sizeof(au), &pos, &nal));
    assert_false(ertc_h264_next_nal(au, sizeof(au), &pos, &nal));

    assert_true(ertc_h264_is_keyframe(au, sizeof(au)));
    ertc_h264_nal_t s, p;
    assert_true(ertc_h264_find_param_sets(au, sizeof(au), &s, &p));
    assert_int_equal(s.len, 3);
    assert_int_equal(p.len, 2);
    assert_int_equal(p.data[1], 0xCC);

    const uint8_t delta[] = {0, 0, 1, 0x41, 0x9A, 0, 0, 1, 0x06, 0x05};
    assert_false(ertc_h264_is_keyframe(delta, sizeof(delta)));
    assert_false(ertc_h264_find_param_sets(delta, sizeof(delta), &s, &p));
    assert_int_equal(s.len, 0);
    assert_int_equal(p.len, 0);

    /* nothing, and start codes only */
    pos = 0;
    assert_false(ertc_h264_next_nal(au, 0, &pos, &nal));
    const uint8_t only_codes[] = {0, 0, 1, 0, 0, 0, 1, 0, 0};
    pos = 0;
    assert_false(ertc_h264_next_nal(only_codes, sizeof(only_codes), &pos, &nal));

    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_packetizer_begin(&pz, only_codes, sizeof(only_codes)),
                     WEBRTC_STATUS_MALFORMED);
    /* NAL unit types 0 and 24-31 cannot be carried (RFC 6184 §5.2): they are left out, and an
     * access unit of nothing else has nothing to send */
    const uint8_t odd_types[] = {0, 0,    1,    0x78, 0x11, 0, 0,    1,    0x80, 0x22, 0, 0,
                                 1, 0x41, 0x33, 0,    0,    1, 0x7C, 0x44, 0,    0,    1, 0x3F};
    assert_int_equal(ertc_h264_packetizer_begin(&pz, odd_types, sizeof(odd_types)),
                     WEBRTC_STATUS_SUCCESS);
    uint8_t out[ERTC_RTP_DEFAULT_MTU];
    size_t n = 0;
    bool marker = false;
    assert_int_equal(ertc_h264_packetizer_next(&pz, out, sizeof(out), &n, &marker),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 0x41);
    assert_true(marker);
    assert_false(ertc_h264_packetizer_has_next(&pz));
    assert_int_equal(ertc_h264_packetizer_begin(&pz, odd_types, 10), WEBRTC_STATUS_MALFORMED);
    /* AVCC (length-prefixed) input is not Annex-B */
    const uint8_t avcc[] = {0x00, 0x00, 0x00, 0x03, 0x65, 0x88, 0x84};
    assert_int_equal(ertc_h264_packetizer_begin(&pz, avcc, sizeof(avcc)), WEBRTC_STATUS_MALFORMED);
    assert_false(ertc_h264_packetizer_has_next(&pz));
}

/* ---- packetizer ------------------------------------------------------------------------ */

static void test_packetizer_config(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_packetizer_max_payload(&pz),
                     ERTC_RTP_DEFAULT_MTU - ERTC_H264_DEFAULT_HEADER_ROOM);
    ertc_h264_packetizer_config_t cfg = {1500, 100, false};
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_packetizer_max_payload(&pz), 1400);
    cfg.mtu = 102;
    cfg.header_room = 100;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.mtu = 103;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_packetizer_max_payload(&pz), ERTC_H264_MIN_PAYLOAD);
    cfg.mtu = 100;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.mtu = 70000;
    cfg.header_room = 12;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_INVALID_ARG);
}

/* Checks the FU-A packets [from, to) of one NAL unit and returns the reassembled unit. */
static buf_t check_fu_a(const packets_t *ps, size_t from, size_t to, const uint8_t *nal,
                        size_t nal_len, size_t budget)
{
    buf_t out;
    out.data = malloc(nal_len);
    assert_non_null(out.data);
    out.data[0] = (uint8_t)((ps->items[from].data[0] & 0xE0) | (ps->items[from].data[1] & 0x1F));
    out.len = 1;
    size_t min_frag = SIZE_MAX, max_frag = 0;
    for (size_t i = from; i < to; i++) {
        const packet_t *pk = &ps->items[i];
        assert_true(pk->len <= budget);
        assert_true(pk->len > 2);
        assert_int_equal(pk->data[0] & 0x1F, ERTC_H264_NAL_FU_A);
        assert_int_equal(pk->data[0] & 0xE0, nal[0] & 0xE0); /* F and NRI */
        assert_int_equal(pk->data[1] & 0x1F, nal[0] & 0x1F); /* type */
        assert_int_equal(pk->data[1] & 0x20, 0);             /* R */
        assert_int_equal((pk->data[1] & 0x80) != 0, i == from);
        assert_int_equal((pk->data[1] & 0x40) != 0, i == to - 1);
        size_t frag = pk->len - 2;
        min_frag = frag < min_frag ? frag : min_frag;
        max_frag = frag > max_frag ? frag : max_frag;
        assert_true(out.len + frag <= nal_len);
        memcpy(out.data + out.len, pk->data + 2, frag);
        out.len += frag;
    }
    assert_true(max_frag - min_frag <= 1); /* near-equal fragments */
    assert_int_equal(out.len, nal_len);
    assert_memory_equal(out.data, nal, nal_len);
    return out;
}

static void test_single_nal_sizes(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    const size_t budget = ertc_h264_packetizer_max_payload(&pz);
    const size_t sizes[] = {1,
                            2,
                            100,
                            budget - 1,
                            budget,
                            budget + 1,
                            budget + 2,
                            2 * budget - 4,
                            2 * budget - 3,
                            5000,
                            BIG_NAL};
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    uint16_t seq = 1000;
    uint32_t ts = 90000;

    /* a keyframe first, so that the delta frames below are delivered */
    nal_spec_t key[] = {sps, pps, {ERTC_H264_NAL_IDR, 3, 3000}};
    buf_t key_au = build_au(key, 3);
    packets_t kp = packetize(&pz, &key_au);
    frames_t fs = {.count = 0};
    push_all(&d, &kp, &seq, ts, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &key_au, ts, true);
    free_frames(&fs);
    free_packets(&kp);
    free(key_au.data);

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        nal_spec_t spec = {ERTC_H264_NAL_SLICE, 2, sizes[k]};
        buf_t au = build_au(&spec, 1);
        const uint8_t *nal = au.data + 4;
        packets_t ps = packetize(&pz, &au);
        if (sizes[k] <= budget) {
            assert_int_equal(ps.count, 1);
            assert_int_equal(ps.items[0].len, sizes[k]);
            assert_memory_equal(ps.items[0].data, nal, sizes[k]);
        } else {
            size_t per = budget - 2;
            assert_int_equal(ps.count, (sizes[k] - 1 + per - 1) / per);
            buf_t back = check_fu_a(&ps, 0, ps.count, nal, sizes[k], budget);
            free(back.data);
        }
        for (size_t i = 0; i < ps.count; i++) {
            assert_int_equal(ps.items[i].marker, i == ps.count - 1);
        }
        ts += 3000;
        push_all(&d, &ps, &seq, ts, &fs);
        assert_int_equal(fs.count, 1);
        assert_frame_is(&fs, 0, &au, ts, false);
        free_frames(&fs);
        free_packets(&ps);
        free(au.data);
    }
    ertc_h264_depacketizer_stats_t st = stats_of(&d);
    assert_int_equal(st.frames, 1 + sizeof(sizes) / sizeof(sizes[0]));
    assert_int_equal(st.frames_dropped, 0);
    assert_int_equal(st.packets_lost, 0);
    assert_false(ertc_h264_depacketizer_take_keyframe_request(&d));
    ertc_h264_depacketizer_free(&d);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void test_stap_a_for_parameter_sets(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    const size_t budget = ertc_h264_packetizer_max_payload(&pz);
    nal_spec_t specs[] = {
        {ERTC_H264_NAL_SPS, 3, 25}, {ERTC_H264_NAL_PPS, 2, 6}, {ERTC_H264_NAL_IDR, 3, 4000}};
    buf_t au = build_au(specs, 3);
    packets_t ps = packetize(&pz, &au);
    /* STAP-A, then the IDR in FU-A fragments */
    assert_true(ps.count >= 2);
    const packet_t *stap = &ps.items[0];
    assert_int_equal(stap->data[0] & 0x1F, ERTC_H264_NAL_STAP_A);
    assert_int_equal(stap->data[0] & 0x60, 3 << 5); /* the larger NRI */
    assert_int_equal(stap->len, 1 + 2 + 25 + 2 + 6);
    assert_int_equal(get16(stap->data + 1), 25);
    assert_memory_equal(stap->data + 3, au.data + 4, 25);
    assert_int_equal(get16(stap->data + 28), 6);
    assert_memory_equal(stap->data + 30, au.data + 4 + 25 + 4, 6);
    assert_false(stap->marker);
    const uint8_t *idr = au.data + 4 + 25 + 4 + 6 + 4;
    buf_t back = check_fu_a(&ps, 1, ps.count, idr, 4000, budget);
    free(back.data);
    assert_true(ps.items[ps.count - 1].marker);

    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    frames_t fs = {.count = 0};
    uint16_t seq = 7;
    push_all(&d, &ps, &seq, 1234, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &au, 1234, true);
    free_frames(&fs);
    free_packets(&ps);
    free(au.data);

    /* SPS and PPS that do not fit one STAP-A together go as single NAL units; a small IDR
     * is never aggregated */
    ertc_h264_packetizer_config_t cfg = {100, 40, false};
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
    nal_spec_t big_ps[] = {
        {ERTC_H264_NAL_SPS, 3, 40}, {ERTC_H264_NAL_PPS, 3, 20}, {ERTC_H264_NAL_IDR, 3, 10}};
    au = build_au(big_ps, 3);
    ps = packetize(&pz, &au);
    assert_int_equal(ps.count, 3);
    assert_int_equal(ps.items[0].len, 40);
    assert_int_equal(ps.items[0].data[0] & 0x1F, ERTC_H264_NAL_SPS);
    assert_int_equal(ps.items[1].len, 20);
    assert_int_equal(ps.items[2].len, 10);
    assert_int_equal(ps.items[2].data[0] & 0x1F, ERTC_H264_NAL_IDR);
    push_all(&d, &ps, &seq, 5000, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &au, 5000, true);
    free_frames(&fs);
    free_packets(&ps);
    free(au.data);

    /* AUD, SPS, PPS and SEI aggregate; exactly the budget still fits */
    nal_spec_t four[] = {{ERTC_H264_NAL_AUD, 0, 2},
                         {ERTC_H264_NAL_SPS, 3, 20},
                         {ERTC_H264_NAL_PPS, 3, 5},
                         {ERTC_H264_NAL_SEI, 0, 60 - 1 - (2 + 2) - (2 + 20) - (2 + 5) - 2},
                         {ERTC_H264_NAL_IDR, 3, 30}};
    au = build_au(four, 5);
    ps = packetize(&pz, &au);
    assert_int_equal(ps.count, 2);
    assert_int_equal(ps.items[0].len, 60);
    assert_int_equal(ps.items[0].data[0], 0x60 | ERTC_H264_NAL_STAP_A);
    push_all(&d, &ps, &seq, 6000, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &au, 6000, true);
    free_frames(&fs);
    free_packets(&ps);
    free(au.data);
    ertc_h264_depacketizer_free(&d);
}

static void test_marker_only_on_last(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    nal_spec_t slices[] = {
        {ERTC_H264_NAL_IDR, 3, 500}, {ERTC_H264_NAL_IDR, 3, 3000}, {ERTC_H264_NAL_IDR, 3, 1}};
    buf_t au = build_au(slices, 3);
    assert_int_equal(ertc_h264_packetizer_begin(&pz, au.data, au.len), WEBRTC_STATUS_SUCCESS);
    uint8_t out[2000];
    size_t n = 0, count = 0;
    bool marker = true;
    /* a buffer below the budget is refused without consuming anything */
    assert_int_equal(ertc_h264_packetizer_next(&pz, out, 100, &n, &marker),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    while (ertc_h264_packetizer_has_next(&pz)) {
        assert_int_equal(ertc_h264_packetizer_next(&pz, out, sizeof(out), &n, &marker),
                         WEBRTC_STATUS_SUCCESS);
        count++;
        assert_int_equal(marker, !ertc_h264_packetizer_has_next(&pz));
    }
    assert_true(marker);
    assert_int_equal(count, 1 + 3 + 1);
    assert_int_equal(n, 1);
    assert_int_equal(ertc_h264_packetizer_next(&pz, out, sizeof(out), &n, &marker),
                     WEBRTC_STATUS_INVALID_OPERATION);
    free(au.data);
}

static void test_prepend_cached_parameter_sets(void **state)
{
    (void)state;
    ertc_h264_packetizer_config_t cfg = {0, 0, true};
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    frames_t fs = {.count = 0};
    uint16_t seq = 0;

    /* a bare IDR before any SPS/PPS was seen: nothing to insert */
    nal_spec_t bare[] = {{ERTC_H264_NAL_IDR, 3, 700}};
    buf_t au0 = build_au(bare, 1);
    packets_t ps = packetize(&pz, &au0);
    assert_int_equal(ps.count, 1);
    free_packets(&ps);

    nal_spec_t first[] = {sps, pps, {ERTC_H264_NAL_IDR, 3, 800}};
    buf_t au1 = build_au(first, 3);
    ps = packetize(&pz, &au1);
    push_all(&d, &ps, &seq, 100, &fs);
    free_packets(&ps);

    nal_spec_t delta[] = {{ERTC_H264_NAL_SLICE, 2, 300}};
    buf_t au2 = build_au(delta, 1);
    ps = packetize(&pz, &au2);
    assert_int_equal(ps.count, 1); /* nothing is inserted before a delta frame */
    push_all(&d, &ps, &seq, 200, &fs);
    free_packets(&ps);

    /* the bare IDR now gets the cached SPS and PPS in a STAP-A */
    ps = packetize(&pz, &au0);
    assert_int_equal(ps.count, 2);
    assert_int_equal(ps.items[0].data[0] & 0x1F, ERTC_H264_NAL_STAP_A);
    assert_int_equal(get16(ps.items[0].data + 1), sps.size);
    assert_memory_equal(ps.items[0].data + 3, au1.data + 4, sps.size);
    push_all(&d, &ps, &seq, 300, &fs);
    free_packets(&ps);

    assert_int_equal(fs.count, 3);
    assert_frame_is(&fs, 0, &au1, 100, true);
    assert_frame_is(&fs, 1, &au2, 200, false);
    /* what the receiver gets is SPS, PPS, IDR */
    buf_t expect;
    expect.len = 4 + sps.size + 4 + pps.size + au0.len;
    expect.data = malloc(expect.len);
    assert_non_null(expect.data);
    memcpy(expect.data, au1.data, 4 + sps.size + 4 + pps.size);
    memcpy(expect.data + 4 + sps.size + 4 + pps.size, au0.data, au0.len);
    assert_frame_is(&fs, 2, &expect, 300, true);
    free(expect.data);
    free_frames(&fs);

    /* an AUD stays first; an IDR with its own SPS only gets the cached PPS after it */
    nal_spec_t aud_idr[] = {{ERTC_H264_NAL_AUD, 0, 2}, {ERTC_H264_NAL_IDR, 3, 50}};
    buf_t au3 = build_au(aud_idr, 2);
    ps = packetize(&pz, &au3);
    assert_int_equal(ps.count, 2);
    assert_int_equal(ps.items[0].len, 1 + 2 + 2 + 2 + sps.size + 2 + pps.size);
    assert_int_equal(ps.items[0].data[3] & 0x1F, ERTC_H264_NAL_AUD);
    assert_int_equal(ps.items[0].data[7] & 0x1F, ERTC_H264_NAL_SPS);
    free_packets(&ps);

    nal_spec_t sps_idr[] = {{ERTC_H264_NAL_SPS, 3, 16}, {ERTC_H264_NAL_IDR, 3, 50}};
    buf_t au4 = build_au(sps_idr, 2);
    ps = packetize(&pz, &au4);
    assert_int_equal(ps.count, 2);
    assert_int_equal(ps.items[0].len, 1 + 2 + 16 + 2 + pps.size);
    assert_int_equal(ps.items[0].data[3] & 0x1F, ERTC_H264_NAL_SPS);
    assert_int_equal(ps.items[0].data[3 + 16 + 2] & 0x1F, ERTC_H264_NAL_PPS);
    free_packets(&ps);

    /* with the option off, a bare IDR goes out bare */
    cfg.prepend_param_sets = false;
    assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
    ps = packetize(&pz, &au1);
    free_packets(&ps);
    ps = packetize(&pz, &au0);
    assert_int_equal(ps.count, 1);
    free_packets(&ps);

    free(au0.data);
    free(au1.data);
    free(au2.data);
    free(au3.data);
    free(au4.data);
    ertc_h264_depacketizer_free(&d);
}

/* Random access units, random budgets, no loss: every frame comes back byte for byte. */
static void test_random_round_trips(void **state)
{
    (void)state;
    static const uint8_t types[] = {ERTC_H264_NAL_SLICE,
                                    ERTC_H264_NAL_SEI,
                                    ERTC_H264_NAL_SPS,
                                    ERTC_H264_NAL_PPS,
                                    ERTC_H264_NAL_AUD,
                                    2,
                                    12};
    for (int round = 0; round < 30; round++) {
        ertc_h264_packetizer_config_t cfg = {(size_t)(60 + rng() % 1500), 12, false};
        ertc_h264_packetizer_t pz;
        assert_int_equal(ertc_h264_packetizer_init(&pz, &cfg), WEBRTC_STATUS_SUCCESS);
        ertc_h264_depacketizer_t d;
        init_depacketizer(&d, round % 2 ? 1 : 32, 0);
        uint16_t seq = (uint16_t)rng();
        for (uint32_t f = 0; f < 8; f++) {
            nal_spec_t specs[8];
            size_t n = 1 + rng() % 8;
            for (size_t i = 0; i < n; i++) {
                specs[i].type = types[rng() % sizeof(types)];
                specs[i].nri = (uint8_t)(rng() % 4);
                specs[i].size = 1 + rng() % (rng() % 4 == 0 ? 20000 : 300);
            }
            specs[rng() % n].type = ERTC_H264_NAL_IDR;
            buf_t au = build_au(specs, n);
            packets_t ps = packetize(&pz, &au);
            frames_t fs = {.count = 0};
            push_all(&d, &ps, &seq, f * 3000, &fs);
            assert_int_equal(fs.count, 1);
            assert_frame_is(&fs, 0, &au, f * 3000, true);
            for (size_t i = 0; i < ps.count; i++) {
                assert_true(ps.items[i].len <= ertc_h264_packetizer_max_payload(&pz));
            }
            free_frames(&fs);
            free_packets(&ps);
            free(au.data);
        }
        ertc_h264_depacketizer_free(&d);
    }
}

/* ---- depacketizer: loss and recovery ---------------------------------------------------- */

typedef struct {
    buf_t au;
    packets_t ps;
    uint32_t ts;
} sent_frame_t;

static sent_frame_t make_frame(ertc_h264_packetizer_t *pz, bool key, size_t size, uint32_t ts)
{
    sent_frame_t f;
    if (key) {
        nal_spec_t specs[] = {sps, pps, {ERTC_H264_NAL_IDR, 3, size}};
        f.au = build_au(specs, 3);
    } else {
        nal_spec_t spec = {ERTC_H264_NAL_SLICE, 2, size};
        f.au = build_au(&spec, 1);
    }
    f.ps = packetize(pz, &f.au);
    f.ts = ts;
    return f;
}

static void free_frame(sent_frame_t *f)
{
    free(f->au.data);
    free_packets(&f->ps);
}

static void test_fu_a_loss_drops_frame_until_idr(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    sent_frame_t f[5] = {
        make_frame(&pz, true, 5000, 0),     make_frame(&pz, false, 4000, 3000),
        make_frame(&pz, false, 600, 6000),  make_frame(&pz, true, 5000, 9000),
        make_frame(&pz, false, 700, 12000),
    };
    for (size_t window = 1; window <= 32; window += 31) {
        ertc_h264_depacketizer_t d;
        init_depacketizer(&d, window, 0);
        frames_t fs = {.count = 0};
        uint16_t seq = 65530; /* wraps during the test */
        push_all(&d, &f[0].ps, &seq, f[0].ts, &fs);
        /* frame 1: the second of its FU-A fragments is lost */
        assert_true(f[1].ps.count >= 3);
        push_range(&d, &f[1].ps, 0, 1, &seq, f[1].ts, &fs);
        seq++;
        push_range(&d, &f[1].ps, 2, f[1].ps.count, &seq, f[1].ts, &fs);
        push_all(&d, &f[2].ps, &seq, f[2].ts, &fs);
        if (window > 1) {
            /* the window still waits for the missing packet; declare it lost */
            assert_int_equal(fs.count, 1);
            assert_int_equal(ertc_h264_depacketizer_held(&d), f[1].ps.count - 2 + 1);
            ertc_h264_depacketizer_flush(&d, on_frame, &fs);
            assert_int_equal(ertc_h264_depacketizer_held(&d), 0);
        }
        assert_true(ertc_h264_depacketizer_take_keyframe_request(&d));
        assert_false(ertc_h264_depacketizer_take_keyframe_request(&d));
        push_all(&d, &f[3].ps, &seq, f[3].ts, &fs);
        push_all(&d, &f[4].ps, &seq, f[4].ts, &fs);

        assert_int_equal(fs.count, 3);
        assert_frame_is(&fs, 0, &f[0].au, f[0].ts, true);
        assert_frame_is(&fs, 1, &f[3].au, f[3].ts, true);
        assert_frame_is(&fs, 2, &f[4].au, f[4].ts, false);
        ertc_h264_depacketizer_stats_t st = stats_of(&d);
        assert_int_equal(st.packets_lost, 1);
        assert_int_equal(st.frames_dropped, 1);
        assert_int_equal(st.frames_skipped, 1); /* frame 2: whole, but refers to frame 1 */
        assert_int_equal(st.frames, 3);
        assert_false(ertc_h264_depacketizer_take_keyframe_request(&d));
        free_frames(&fs);
        ertc_h264_depacketizer_free(&d);
    }

    /* with keep_delta_frames, only the frames next to the gap are dropped: the lost packet
     * was the end of frame 1 or the start of frame 2, the depacketizer cannot tell which */
    ertc_h264_depacketizer_config_t cfg = {0, 1, true};
    ertc_h264_depacketizer_t d;
    assert_int_equal(ertc_h264_depacketizer_init(&d, &cfg), WEBRTC_STATUS_SUCCESS);
    frames_t fs = {.count = 0};
    uint16_t seq = 0;
    push_all(&d, &f[0].ps, &seq, f[0].ts, &fs);
    push_range(&d, &f[1].ps, 0, f[1].ps.count - 1, &seq, f[1].ts, &fs);
    seq++; /* the last fragment (E bit and marker) is lost */
    push_all(&d, &f[2].ps, &seq, f[2].ts, &fs);
    push_all(&d, &f[4].ps, &seq, f[4].ts, &fs);
    assert_int_equal(fs.count, 2);
    assert_frame_is(&fs, 1, &f[4].au, f[4].ts, false);
    assert_int_equal(stats_of(&d).frames_dropped, 2);
    assert_true(ertc_h264_depacketizer_take_keyframe_request(&d));
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);

    for (size_t i = 0; i < 5; i++) {
        free_frame(&f[i]);
    }
}

static void test_lost_first_fragment_and_marker(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    sent_frame_t key = make_frame(&pz, true, 3000, 0);
    sent_frame_t big = make_frame(&pz, true, 3000, 3000);
    sent_frame_t next = make_frame(&pz, true, 100, 6000);
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 1, 0);
    frames_t fs = {.count = 0};
    uint16_t seq = 0;
    push_all(&d, &key.ps, &seq, key.ts, &fs);
    /* the STAP-A and the FU-A start of the next keyframe are lost */
    seq += 2;
    push_range(&d, &big.ps, 2, big.ps.count, &seq, big.ts, &fs);
    assert_int_equal(fs.count, 1);
    push_all(&d, &next.ps, &seq, next.ts, &fs);
    assert_int_equal(fs.count, 2);
    assert_frame_is(&fs, 1, &next.au, next.ts, true);
    assert_int_equal(stats_of(&d).packets_lost, 2);
    assert_int_equal(stats_of(&d).frames_dropped, 1);
    free_frames(&fs);

    /* a whole frame with its marker packet lost, followed directly by the next frame: the
     * first is finished by the timestamp change but is damaged */
    push_range(&d, &key.ps, 0, key.ps.count - 1, &seq, 9000, &fs);
    seq++;
    push_all(&d, &next.ps, &seq, 12000, &fs);
    assert_int_equal(fs.count, 0); /* the next frame may have lost its head: dropped too */
    push_all(&d, &next.ps, &seq, 15000, &fs);
    assert_int_equal(fs.count, 1);
    assert_int_equal(fs.items[0].ts, 15000);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
    free_frame(&key);
    free_frame(&big);
    free_frame(&next);
}

static void test_reordering_and_duplicates(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    sent_frame_t a = make_frame(&pz, true, 6000, 0);
    sent_frame_t b = make_frame(&pz, false, 2500, 3000);
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0); /* default window */
    frames_t fs = {.count = 0};
    size_t na = a.ps.count, nb = b.ps.count;
    assert_true(na >= 4 && nb >= 3);

    /* a: packets 0, 2, 1, 3.. with packet 2 also duplicated; b: last packet first */
    push_one(&d, &a.ps, 0, 100, a.ts, &fs);
    push_one(&d, &a.ps, 2, 102, a.ts, &fs);
    push_one(&d, &a.ps, 2, 102, a.ts, &fs); /* duplicate while held */
    assert_int_equal(ertc_h264_depacketizer_held(&d), 1);
    push_one(&d, &a.ps, 1, 101, a.ts, &fs);
    assert_int_equal(ertc_h264_depacketizer_held(&d), 0);
    push_one(&d, &a.ps, 1, 101, a.ts, &fs); /* duplicate after release */
    uint16_t seq = 103;
    push_range(&d, &a.ps, 3, na, &seq, a.ts, &fs);
    assert_int_equal(fs.count, 1);
    uint16_t b_first = seq;
    push_one(&d, &b.ps, nb - 1, (uint16_t)(b_first + nb - 1), b.ts, &fs);
    for (size_t i = 0; i < nb - 1; i++) {
        push_one(&d, &b.ps, i, (uint16_t)(b_first + i), b.ts, &fs);
    }
    assert_int_equal(fs.count, 2);
    assert_frame_is(&fs, 0, &a.au, a.ts, true);
    assert_frame_is(&fs, 1, &b.au, b.ts, false);
    ertc_h264_depacketizer_stats_t st = stats_of(&d);
    assert_int_equal(st.packets_reordered, 2);
    assert_int_equal(st.packets_late, 2);
    assert_int_equal(st.packets_lost, 0);
    assert_int_equal(st.frames_dropped, 0);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);

    /* without a window, the same swap is a loss */
    init_depacketizer(&d, 1, 0);
    push_one(&d, &a.ps, 0, 100, a.ts, &fs);
    push_one(&d, &a.ps, 2, 102, a.ts, &fs);
    push_one(&d, &a.ps, 1, 101, a.ts, &fs);
    seq = 103;
    push_range(&d, &a.ps, 3, na, &seq, a.ts, &fs);
    assert_int_equal(fs.count, 0);
    st = stats_of(&d);
    assert_int_equal(st.packets_lost, 1);
    assert_int_equal(st.packets_late, 1);
    assert_int_equal(st.frames_dropped, 1);
    ertc_h264_depacketizer_free(&d);
    free_frame(&a);
    free_frame(&b);
}

static void test_window_overflow_declares_loss(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 8, 0);
    frames_t fs = {.count = 0};
    sent_frame_t key = make_frame(&pz, true, 200, 0);
    uint16_t seq = 500;
    push_all(&d, &key.ps, &seq, 0, &fs);
    assert_int_equal(fs.count, 1);
    seq++; /* lost */
    /* small delta frames, one packet each: they wait behind the gap until the window is full */
    sent_frame_t delta = make_frame(&pz, false, 50, 0);
    for (uint32_t i = 1; i <= 7; i++) {
        push_all(&d, &delta.ps, &seq, i * 3000, &fs);
    }
    assert_int_equal(ertc_h264_depacketizer_held(&d), 7);
    assert_int_equal(fs.count, 1);
    push_all(&d, &delta.ps, &seq, 8 * 3000, &fs);
    assert_int_equal(ertc_h264_depacketizer_held(&d), 0);
    assert_int_equal(stats_of(&d).packets_lost, 1);
    assert_int_equal(fs.count, 1); /* all waited for a keyframe */
    assert_true(ertc_h264_depacketizer_take_keyframe_request(&d));
    seq += 100; /* a burst loss: the packets after it wait in case the last few arrive */
    push_all(&d, &key.ps, &seq, 30 * 3000, &fs);
    push_all(&d, &delta.ps, &seq, 31 * 3000, &fs);
    assert_int_equal(ertc_h264_depacketizer_held(&d), 3);
    ertc_h264_depacketizer_flush(&d, on_frame, &fs);
    assert_int_equal(ertc_h264_depacketizer_held(&d), 0);
    assert_int_equal(stats_of(&d).packets_lost, 101);
    assert_int_equal(fs.count, 1); /* the IDR right after the gap may have lost its head */
    push_all(&d, &key.ps, &seq, 32 * 3000, &fs);
    push_all(&d, &delta.ps, &seq, 33 * 3000, &fs);
    assert_int_equal(fs.count, 3);
    assert_frame_is(&fs, 1, &key.au, 32 * 3000, true);
    assert_frame_is(&fs, 2, &delta.au, 33 * 3000, false);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
    free_frame(&key);
    free_frame(&delta);
}

static void test_oversize_frame_dropped(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 4096);
    frames_t fs = {.count = 0};
    sent_frame_t big = make_frame(&pz, true, 5000, 0);
    sent_frame_t fits = make_frame(&pz, true, 4096 - 4 - 14 - 4 - 4 - 4, 3000);
    assert_int_equal(fits.au.len, 4096);
    uint16_t seq = 0;
    push_all(&d, &big.ps, &seq, big.ts, &fs);
    assert_int_equal(fs.count, 0);
    ertc_h264_depacketizer_stats_t st = stats_of(&d);
    assert_int_equal(st.frames_dropped, 1);
    assert_int_equal(st.frames_oversize, 1);
    assert_true(ertc_h264_depacketizer_take_keyframe_request(&d));
    push_all(&d, &fits.ps, &seq, fits.ts, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &fits.au, fits.ts, true);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
    free_frame(&big);
    free_frame(&fits);

    ertc_h264_depacketizer_config_t cfg = {ERTC_H264_MAX_FRAME_LIMIT + 1, 0, false};
    assert_int_equal(ertc_h264_depacketizer_init(&d, &cfg), WEBRTC_STATUS_INVALID_ARG);
    cfg.max_frame_size = 0;
    cfg.reorder_window = ERTC_H264_MAX_REORDER_WINDOW + 1;
    assert_int_equal(ertc_h264_depacketizer_init(&d, &cfg), WEBRTC_STATUS_INVALID_ARG);
}

/* Pushes raw payloads, one packet each, all in the frame at `ts`; the last has the marker. */
static void push_payloads(ertc_h264_depacketizer_t *d, const uint8_t *const *payloads,
                          const size_t *lens, size_t n, uint16_t *seq, uint32_t ts, frames_t *fs)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ertc_h264_depacketizer_push(d, (*seq)++, ts, i == n - 1, payloads[i],
                                                     lens[i], on_frame, fs),
                         WEBRTC_STATUS_SUCCESS);
    }
}

static void test_malformed_payloads(void **state)
{
    (void)state;
    static const uint8_t idr[] = {0x65, 0x88, 0x84};
    static const uint8_t stap_short[] = {0x78, 0x00, 0x09, 0x67, 0x42};      /* size past the end */
    static const uint8_t stap_zero[] = {0x78, 0x00, 0x00, 0x00, 0x01, 0x67}; /* size 0 */
    static const uint8_t stap_empty[] = {0x78};
    static const uint8_t stap_nested[] = {0x78, 0x00, 0x02, 0x7C, 0x85};
    static const uint8_t stap_odd[] = {0x78, 0x00, 0x01, 0x67, 0x00}; /* half a size field */
    static const uint8_t fu_se[] = {0x7C, 0xC5, 0x11};                /* S and E */
    static const uint8_t fu_short[] = {0x7C};
    static const uint8_t fu_bad_type[] = {0x7C, 0x9C, 0x11}; /* fragments an FU-A */
    static const uint8_t stap_b[] = {0x79, 0x00, 0x00, 0x00, 0x01, 0x65};
    static const uint8_t mtap[] = {0x7A, 0x00};
    static const uint8_t fu_b[] = {0x7D, 0x85, 0x00, 0x00, 0x11};
    static const uint8_t empty[] = {0};
    const uint8_t *bad[] = {stap_short, stap_zero,   stap_empty, stap_nested, stap_odd, fu_se,
                            fu_short,   fu_bad_type, stap_b,     mtap,        fu_b,     empty};
    const size_t bad_len[] = {sizeof(stap_short),  sizeof(stap_zero),   sizeof(stap_empty),
                              sizeof(stap_nested), sizeof(stap_odd),    sizeof(fu_se),
                              sizeof(fu_short),    sizeof(fu_bad_type), sizeof(stap_b),
                              sizeof(mtap),        sizeof(fu_b),        0};
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    frames_t fs = {.count = 0};
    uint16_t seq = 0;
    uint32_t ts = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const uint8_t *ps[2] = {idr, bad[i]};
        size_t lens[2] = {sizeof(idr), bad_len[i]};
        push_payloads(&d, ps, lens, 2, &seq, ts += 3000, &fs);
        assert_int_equal(fs.count, 0);
        assert_int_equal(stats_of(&d).packets_malformed, i + 1);
        assert_int_equal(stats_of(&d).frames_dropped, i + 1);
    }
    /* reserved types 0, 30 and 31 are ignored; the frame survives */
    static const uint8_t t0[] = {0x00, 0x12};
    static const uint8_t t30[] = {0x1E, 0x12};
    static const uint8_t t31[] = {0x1F};
    const uint8_t *ok[4] = {t0, idr, t30, t31};
    size_t ok_len[4] = {sizeof(t0), sizeof(idr), sizeof(t30), sizeof(t31)};
    push_payloads(&d, ok, ok_len, 4, &seq, ts += 3000, &fs);
    assert_int_equal(fs.count, 1);
    assert_int_equal(fs.items[0].len, 4 + sizeof(idr));
    assert_memory_equal(fs.items[0].data + 4, idr, sizeof(idr));
    assert_true(fs.items[0].keyframe);
    free_frames(&fs);

    /* a frame of ignored types only delivers nothing */
    const uint8_t *only[1] = {t31};
    size_t only_len[1] = {sizeof(t31)};
    push_payloads(&d, only, only_len, 1, &seq, ts += 3000, &fs);
    assert_int_equal(fs.count, 0);

    /* an FU-A interrupted by a single NAL unit, and one started twice */
    static const uint8_t fu_start[] = {0x7C, 0x85, 0x11, 0x22};
    static const uint8_t fu_end[] = {0x7C, 0x45, 0x33};
    const uint8_t *cut[3] = {fu_start, idr, fu_end};
    size_t cut_len[3] = {sizeof(fu_start), sizeof(idr), sizeof(fu_end)};
    push_payloads(&d, cut, cut_len, 3, &seq, ts += 3000, &fs);
    const uint8_t *twice[3] = {fu_start, fu_start, fu_end};
    size_t twice_len[3] = {sizeof(fu_start), sizeof(fu_start), sizeof(fu_end)};
    push_payloads(&d, twice, twice_len, 3, &seq, ts += 3000, &fs);
    assert_int_equal(fs.count, 0);
    /* no gap, but the sender ended the frame before the FU-A's end fragment */
    const uint8_t *open_fu[1] = {fu_start};
    size_t open_fu_len[1] = {sizeof(fu_start)};
    push_payloads(&d, open_fu, open_fu_len, 1, &seq, ts += 3000, &fs);
    assert_int_equal(fs.count, 0);
    const uint8_t *whole[2] = {fu_start, fu_end};
    size_t whole_len[2] = {sizeof(fu_start), sizeof(fu_end)};
    push_payloads(&d, whole, whole_len, 2, &seq, ts += 3000, &fs);
    assert_int_equal(fs.count, 1);
    const uint8_t expect[] = {0, 0, 0, 1, 0x65, 0x11, 0x22, 0x33};
    assert_int_equal(fs.items[0].len, sizeof(expect));
    assert_memory_equal(fs.items[0].data, expect, sizeof(expect));
    free_frames(&fs);

    assert_int_equal(ertc_h264_depacketizer_push(&d, 0, 0, false, NULL, 3, on_frame, &fs),
                     WEBRTC_STATUS_NULL_ARG);
    ertc_h264_depacketizer_free(&d);
}

static void test_frames_without_marker(void **state)
{
    (void)state;
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    frames_t fs = {.count = 0};
    static const uint8_t idr[] = {0x65, 0x01};
    static const uint8_t p1[] = {0x41, 0x02};
    for (uint16_t i = 0; i < 4; i++) {
        const uint8_t *payload = i == 0 ? idr : p1;
        assert_int_equal(
            ertc_h264_depacketizer_push(&d, i, i * 3000u, false, payload, 2, on_frame, &fs),
            WEBRTC_STATUS_SUCCESS);
        assert_int_equal(fs.count, i); /* each frame ends when the next one starts */
    }
    assert_true(fs.items[0].keyframe);
    assert_false(fs.items[2].keyframe);
    assert_int_equal(fs.items[2].ts, 6000);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
}

static void test_sequence_restart(void **state)
{
    (void)state;
    ertc_h264_depacketizer_t d;
    init_depacketizer(&d, 0, 0);
    frames_t fs = {.count = 0};
    static const uint8_t idr[] = {0x65, 0x01};
    static const uint8_t p1[] = {0x41, 0x02};
    assert_int_equal(ertc_h264_depacketizer_push(&d, 10, 0, true, idr, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    /* a single stray packet far away is ignored */
    assert_int_equal(ertc_h264_depacketizer_push(&d, 40000, 3000, true, p1, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_depacketizer_push(&d, 11, 6000, true, p1, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(fs.count, 2);
    assert_int_equal(stats_of(&d).resyncs, 0);
    /* two in a row: the sender restarted; its first frame is taken if it is an IDR */
    assert_int_equal(ertc_h264_depacketizer_push(&d, 30000, 9000, true, idr, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_depacketizer_push(&d, 30001, 12000, true, idr, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_h264_depacketizer_push(&d, 30002, 15000, true, p1, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(stats_of(&d).resyncs, 1);
    assert_int_equal(fs.count, 4);
    assert_int_equal(fs.items[2].ts, 12000);
    assert_int_equal(fs.items[3].ts, 15000);
    free_frames(&fs);

    /* reset forgets the stream and waits for a keyframe again */
    ertc_h264_depacketizer_reset(&d);
    assert_int_equal(ertc_h264_depacketizer_push(&d, 5, 0, true, p1, 2, on_frame, &fs),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(fs.count, 0);
    assert_true(ertc_h264_depacketizer_take_keyframe_request(&d));
    ertc_h264_depacketizer_free(&d);
}

static void test_init_allocation_failures(void **state)
{
    (void)state;
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before;
    ertc_alloc_get_stats(&before);
    for (uint64_t skip = 0; skip < 1; skip++) { /* init allocates only the window's slots */
        ertc_h264_depacketizer_t d;
        ertc_alloc_inject_failure(skip, false);
        assert_int_equal(ertc_h264_depacketizer_init(&d, NULL), WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
        ertc_alloc_inject_off();
        ertc_h264_depacketizer_free(&d); /* harmless after a failed init */
    }
    ertc_h264_depacketizer_t d;
    assert_int_equal(ertc_h264_depacketizer_init(&d, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_h264_depacketizer_free(&d);
    ertc_alloc_stats_t after;
    ertc_alloc_get_stats(&after);
    assert_int_equal(after.current, before.current);
    ertc_alloc_counting_disable();
}

/* The frame buffer is not allocated at init: it grows with the frames (doubling from
 * ERTC_H264_INITIAL_FRAME_CAP, never past max_frame_size) and the window's storage comes
 * with the first packet held. A failed growth drops that frame only. */
static void test_frame_buffer_grows_on_demand(void **state)
{
    (void)state;
    ertc_h264_packetizer_t pz;
    assert_int_equal(ertc_h264_packetizer_init(&pz, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_alloc_counting_enable();
    ertc_alloc_stats_t before, now;
    ertc_alloc_get_stats(&before);
    ertc_h264_depacketizer_t d;
    assert_int_equal(ertc_h264_depacketizer_init(&d, NULL), WEBRTC_STATUS_SUCCESS);
    ertc_alloc_get_stats(&now);
    assert_true(now.current - before.current < 4096); /* not the 1 MiB limit */

    frames_t fs = {.count = 0};
    uint16_t seq = 0;
    sent_frame_t small = make_frame(&pz, true, 1000, 0);
    sent_frame_t big = make_frame(&pz, true, 100000, 3000);
    push_all(&d, &small.ps, &seq, small.ts, &fs);
    ertc_alloc_get_stats(&now);
    assert_true(now.current - before.current <= ERTC_H264_INITIAL_FRAME_CAP + 4096);
    push_all(&d, &big.ps, &seq, big.ts, &fs);
    ertc_alloc_get_stats(&now);
    assert_true(now.current - before.current <= 128u * 1024u + 4096); /* 16 K doubled thrice */
    assert_int_equal(fs.count, 2);
    assert_frame_is(&fs, 0, &small.au, small.ts, true);
    assert_frame_is(&fs, 1, &big.au, big.ts, true);
    free_frames(&fs);

    /* A packet ahead of a gap: the window's storage is allocated now. */
    sent_frame_t next = make_frame(&pz, true, 3000, 6000);
    assert_true(next.ps.count >= 2);
    uint16_t first = seq;
    seq++;
    push_range(&d, &next.ps, 1, next.ps.count, &seq, next.ts, &fs);
    seq = first;
    push_range(&d, &next.ps, 0, 1, &seq, next.ts, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &next.au, next.ts, true);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
    ertc_alloc_get_stats(&now);
    assert_int_equal(now.current, before.current);

    /* Growth fails: that frame is dropped and counted, the next one gets through. */
    assert_int_equal(ertc_h264_depacketizer_init(&d, NULL), WEBRTC_STATUS_SUCCESS);
    seq = 0;
    ertc_alloc_inject_failure(0, false);
    push_all(&d, &small.ps, &seq, small.ts, &fs);
    ertc_alloc_inject_off();
    assert_int_equal(fs.count, 0);
    assert_int_equal(stats_of(&d).alloc_failures, 1);
    assert_int_equal(stats_of(&d).frames_dropped, 1);
    push_all(&d, &big.ps, &seq, big.ts, &fs);
    assert_int_equal(fs.count, 1);
    assert_frame_is(&fs, 0, &big.au, big.ts, true);
    free_frames(&fs);
    ertc_h264_depacketizer_free(&d);
    ertc_alloc_counting_disable();
    free_frame(&small);
    free_frame(&big);
    free_frame(&next);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nal_scanner),
        cmocka_unit_test(test_packetizer_config),
        cmocka_unit_test(test_single_nal_sizes),
        cmocka_unit_test(test_stap_a_for_parameter_sets),
        cmocka_unit_test(test_marker_only_on_last),
        cmocka_unit_test(test_prepend_cached_parameter_sets),
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_fu_a_loss_drops_frame_until_idr),
        cmocka_unit_test(test_lost_first_fragment_and_marker),
        cmocka_unit_test(test_reordering_and_duplicates),
        cmocka_unit_test(test_window_overflow_declares_loss),
        cmocka_unit_test(test_oversize_frame_dropped),
        cmocka_unit_test(test_frame_buffer_grows_on_demand),
        cmocka_unit_test(test_malformed_payloads),
        cmocka_unit_test(test_frames_without_marker),
        cmocka_unit_test(test_sequence_restart),
        cmocka_unit_test(test_init_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
