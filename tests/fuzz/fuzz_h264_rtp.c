/*
 * libFuzzer target for the H.264 send path: arbitrary bytes as Annex-B access units through
 * peer/h264_packetizer, and the payloads straight back through peer/h264_depacketizer.
 *
 * Input: byte 0 picks the payload budget, byte 1 the options (bit 0: prepend cached SPS/PPS)
 * and the number of access units (bits 4-5, plus one); the rest is cut into that many access
 * units of near-equal size.
 *
 * Invariants (abort on violation):
 *  - payloads fit the budget, only the last one of an access unit has the marker bit, and
 *    every one parses as an RFC 6184 single NAL unit (types 1-23), STAP-A or FU-A — NAL units
 *    of other types are never sent;
 *  - when every NAL unit type is 1..23 (the ones RFC 6184 can carry as they are), the
 *    depacketizer delivers exactly one frame per access unit, and that frame holds the same
 *    NAL units in the same order — plus, with prepending on, only SPS and PPS units.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/h264_depacketizer.h"
#include "peer/h264_packetizer.h"

#define MAX_UNITS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool condition)
{
    if (!condition) {
        abort();
    }
}

typedef struct {
    ertc_h264_packetizer_t packetizer;
    ertc_h264_depacketizer_t depacketizer;
    uint16_t seq;
    uint32_t ts;
    size_t frames;
    const uint8_t *frame; /* the last delivered frame, copied */
    size_t frame_len;
    uint8_t *copy;
} state_t;

static void on_frame(const ertc_h264_frame_t *frame, void *ctx)
{
    state_t *s = ctx;
    s->frames++;
    free(s->copy);
    s->copy = malloc(frame->len);
    require(s->copy != NULL);
    memcpy(s->copy, frame->data, frame->len);
    s->frame = s->copy;
    s->frame_len = frame->len;
}

static void check_payload(const uint8_t *p, size_t len, size_t budget)
{
    require(len >= 1 && len <= budget);
    uint8_t type = ertc_h264_nal_type(p[0]);
    require((type >= 1 && type <= 23) || type == ERTC_H264_NAL_STAP_A ||
            type == ERTC_H264_NAL_FU_A);
    if (type == ERTC_H264_NAL_FU_A) {
        require(len > ERTC_H264_FU_HEADER_LEN);
        require((p[1] & (ERTC_H264_FU_START_BIT | ERTC_H264_FU_END_BIT)) !=
                (ERTC_H264_FU_START_BIT | ERTC_H264_FU_END_BIT));
    } else if (type == ERTC_H264_NAL_STAP_A) {
        size_t pos = 1, units = 0;
        while (pos < len) {
            require(len - pos >= 2);
            size_t n = ((size_t)p[pos] << 8) | p[pos + 1];
            require(n >= 1 && n <= len - pos - 2);
            pos += 2 + n;
            units++;
        }
        require(units >= 2);
    }
}

static WEBRTC_STATUS send_payload(const uint8_t *payload, size_t len, bool marker, void *ctx)
{
    state_t *s = ctx;
    check_payload(payload, len, ertc_h264_packetizer_max_payload(&s->packetizer));
    require(marker == !ertc_h264_packetizer_has_next(&s->packetizer));
    uint8_t *copy = malloc(len);
    require(copy != NULL);
    memcpy(copy, payload, len);
    WEBRTC_STATUS st = ertc_h264_depacketizer_push(&s->depacketizer, s->seq++, s->ts, marker, copy,
                                                   len, on_frame, s);
    free(copy);
    return st;
}

static bool all_types_plain(const uint8_t *au, size_t len)
{
    size_t pos = 0;
    ertc_h264_nal_t nal;
    while (ertc_h264_next_nal(au, len, &pos, &nal)) {
        uint8_t type = ertc_h264_nal_type(nal.data[0]);
        if (type == 0 || type > 23) {
            return false;
        }
    }
    return true;
}

static bool is_param_set(const ertc_h264_nal_t *nal)
{
    uint8_t type = ertc_h264_nal_type(nal->data[0]);
    return type == ERTC_H264_NAL_SPS || type == ERTC_H264_NAL_PPS;
}

/* Next NAL unit, skipping SPS/PPS when `skip_param_sets`. */
static bool next_unit(const uint8_t *buf, size_t len, size_t *pos, ertc_h264_nal_t *nal,
                      bool skip_param_sets)
{
    while (ertc_h264_next_nal(buf, len, pos, nal)) {
        if (!skip_param_sets || !is_param_set(nal)) {
            return true;
        }
    }
    return false;
}

static void compare_units(const uint8_t *au, size_t au_len, const uint8_t *frame, size_t frame_len,
                          bool skip_param_sets)
{
    size_t pa = 0, pf = 0;
    ertc_h264_nal_t a, f;
    for (;;) {
        bool more_a = next_unit(au, au_len, &pa, &a, skip_param_sets);
        bool more_f = next_unit(frame, frame_len, &pf, &f, skip_param_sets);
        require(more_a == more_f);
        if (!more_a) {
            return;
        }
        require(a.len == f.len && memcmp(a.data, f.data, a.len) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    static state_t s;
    static bool ready;
    if (!ready) {
        ertc_h264_depacketizer_config_t dcfg = {0, 1, true};
        require(ertc_h264_depacketizer_init(&s.depacketizer, &dcfg) == WEBRTC_STATUS_SUCCESS);
        ready = true;
    }
    ertc_h264_depacketizer_reset(&s.depacketizer);
    bool prepend = (data[1] & 0x01) != 0;
    ertc_h264_packetizer_config_t pcfg = {ERTC_H264_MIN_PAYLOAD + 12 + (size_t)data[0] * 5, 12,
                                          prepend};
    require(ertc_h264_packetizer_init(&s.packetizer, &pcfg) == WEBRTC_STATUS_SUCCESS);
    size_t units = 1 + ((data[1] >> 4) & 0x03);
    const uint8_t *rest = data + 2;
    size_t rest_len = size - 2;
    size_t per_unit = rest_len / units;

    for (size_t u = 0; u < units; u++) {
        size_t len = u == units - 1 ? rest_len - per_unit * u : per_unit;
        uint8_t *au = malloc(len > 0 ? len : 1); /* exactly sized */
        require(au != NULL);
        memcpy(au, rest + per_unit * u, len);
        s.ts += 3000;
        s.frames = 0;
        size_t budget = ertc_h264_packetizer_max_payload(&s.packetizer);
        uint8_t *buf = malloc(budget);
        require(buf != NULL);
        WEBRTC_STATUS st =
            ertc_h264_packetize(&s.packetizer, au, len, buf, budget, send_payload, &s);
        free(buf);
        require(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_MALFORMED);
        if (st == WEBRTC_STATUS_SUCCESS && all_types_plain(au, len)) {
            require(s.frames == 1);
            compare_units(au, len, s.frame, s.frame_len, prepend);
        }
        free(au);
    }
    free(s.copy);
    s.copy = NULL;
    return 0;
}
