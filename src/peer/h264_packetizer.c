/*
 * peer/h264_packetizer — Annex-B access units into RFC 6184 payloads (single NAL unit,
 * STAP-A, FU-A). See h264_packetizer.h for the packetization rules.
 *
 * The packetizer walks the access unit lazily: it never stores a NAL unit list, only the scan
 * position and a one-unit lookahead (enough to aggregate a run of parameter sets and to know
 * which payload is the last one, for the marker bit).
 */
#include "peer/h264_packetizer.h"

#include <string.h>

#include "util/bytes.h"

#define START_CODE_LEN 3 /* 00 00 01; a 4-byte start code is a zero byte plus this */

#define INSERT_SPS 1u
#define INSERT_PPS 2u

/* ---- Annex-B scanning ------------------------------------------------------------------ */

/* Index of the next 00 00 01 at or after `from`, or `len` when there is none. */
static size_t find_start_code(const uint8_t *au, size_t len, size_t from)
{
    size_t i = from;
    while (i <= len && len - i >= START_CODE_LEN) {
        if (au[i + 2] > 1) {
            i += 3; /* no start code can begin at i, i+1 or i+2 */
        } else if (au[i + 2] == 1 && au[i + 1] == 0 && au[i] == 0) {
            return i;
        } else {
            i++;
        }
    }
    return len;
}

bool ertc_h264_next_nal(const uint8_t *au, size_t len, size_t *pos, ertc_h264_nal_t *nal)
{
    if (au == NULL || pos == NULL || nal == NULL) {
        return false;
    }
    size_t i = *pos;
    while (i < len) {
        size_t sc = find_start_code(au, len, i);
        if (sc == len) {
            break;
        }
        size_t start = sc + START_CODE_LEN;
        size_t next = find_start_code(au, len, start);
        /* §B.2: a NAL unit ends before 00 00 00 or 00 00 01, so the zero bytes in front of the
         * next start code (the first byte of a 4-byte start code, trailing_zero_8bits) are
         * not part of it */
        size_t end = next;
        while (end > start && au[end - 1] == 0) {
            end--;
        }
        i = next;
        if (end > start) {
            *pos = next;
            nal->data = au + start;
            nal->len = end - start;
            return true;
        }
    }
    *pos = len;
    return false;
}

bool ertc_h264_is_keyframe(const uint8_t *au, size_t len)
{
    size_t pos = 0;
    ertc_h264_nal_t nal;
    while (ertc_h264_next_nal(au, len, &pos, &nal)) {
        if (ertc_h264_nal_type(nal.data[0]) == ERTC_H264_NAL_IDR) {
            return true;
        }
    }
    return false;
}

bool ertc_h264_find_param_sets(const uint8_t *au, size_t len, ertc_h264_nal_t *sps,
                               ertc_h264_nal_t *pps)
{
    ertc_h264_nal_t found_sps = {NULL, 0};
    ertc_h264_nal_t found_pps = {NULL, 0};
    size_t pos = 0;
    ertc_h264_nal_t nal;
    while (ertc_h264_next_nal(au, len, &pos, &nal)) {
        uint8_t type = ertc_h264_nal_type(nal.data[0]);
        if (type == ERTC_H264_NAL_SPS && found_sps.len == 0) {
            found_sps = nal;
        } else if (type == ERTC_H264_NAL_PPS && found_pps.len == 0) {
            found_pps = nal;
        }
    }
    if (sps != NULL) {
        *sps = found_sps;
    }
    if (pps != NULL) {
        *pps = found_pps;
    }
    return found_sps.len > 0 && found_pps.len > 0;
}

/* ---- the NAL unit stream with inserted parameter sets ---------------------------------- */

/* RFC 6184 §5.2: a payload's first byte is a NAL unit header whose types 24-31 name the
 * packet formats (STAP-A, FU-A, ...) and whose type 0 receivers ignore, so only units of types
 * 1-23 can be carried. Others (unspecified in H.264) are left out rather than sent as
 * something a receiver would misread. */
static bool is_sendable(uint8_t type)
{
    return type >= 1 && type <= 23;
}

static bool next_sendable_nal(const uint8_t *au, size_t len, size_t *pos, ertc_h264_nal_t *nal)
{
    while (ertc_h264_next_nal(au, len, pos, nal)) {
        if (is_sendable(ertc_h264_nal_type(nal->data[0]))) {
            return true;
        }
    }
    return false;
}

/* NAL units that may precede the inserted parameter sets. */
static bool is_leading_unit(uint8_t type)
{
    return type == ERTC_H264_NAL_AUD || type == ERTC_H264_NAL_SPS || type == ERTC_H264_NAL_PPS;
}

/* Non-VCL units that may share a STAP-A. Slices never do: an IDR gets its own packets. */
static bool is_aggregatable(uint8_t type)
{
    return type == ERTC_H264_NAL_SEI || type == ERTC_H264_NAL_SPS || type == ERTC_H264_NAL_PPS ||
           type == ERTC_H264_NAL_AUD;
}

static void fill_peek(ertc_h264_nal_stream_t *s)
{
    if (!s->have_peek) {
        s->have_peek = next_sendable_nal(s->au, s->au_len, &s->scan_pos, &s->peek);
    }
}

static bool inserting_now(ertc_h264_nal_stream_t *s)
{
    fill_peek(s);
    return s->insert_pending != 0 && s->have_peek &&
           !is_leading_unit(ertc_h264_nal_type(s->peek.data[0]));
}

static bool stream_peek(ertc_h264_packetizer_t *p, ertc_h264_nal_t *nal)
{
    ertc_h264_nal_stream_t *s = &p->stream;
    if (inserting_now(s)) {
        if (s->insert_pending & INSERT_SPS) {
            nal->data = p->sps;
            nal->len = p->sps_len;
        } else {
            nal->data = p->pps;
            nal->len = p->pps_len;
        }
        return true;
    }
    if (!s->have_peek) {
        return false;
    }
    *nal = s->peek;
    return true;
}

static void stream_pop(ertc_h264_packetizer_t *p)
{
    ertc_h264_nal_stream_t *s = &p->stream;
    if (inserting_now(s)) {
        s->insert_pending &= (s->insert_pending & INSERT_SPS) ? ~INSERT_SPS : ~INSERT_PPS;
        return;
    }
    s->have_peek = false;
}

/* ---- packetizer ------------------------------------------------------------------------ */

WEBRTC_STATUS ertc_h264_packetizer_init(ertc_h264_packetizer_t *p,
                                        const ertc_h264_packetizer_config_t *config)
{
    if (p == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(p, 0, sizeof(*p));
    size_t mtu = ERTC_RTP_DEFAULT_MTU;
    size_t room = ERTC_H264_DEFAULT_HEADER_ROOM;
    if (config != NULL) {
        mtu = config->mtu != 0 ? config->mtu : mtu;
        room = config->header_room != 0 ? config->header_room : room;
        p->prepend_param_sets = config->prepend_param_sets;
    }
    if (room >= mtu || mtu - room < ERTC_H264_MIN_PAYLOAD || mtu - room > ERTC_H264_MAX_PAYLOAD) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    p->max_payload = mtu - room;
    return WEBRTC_STATUS_SUCCESS;
}

size_t ertc_h264_packetizer_max_payload(const ertc_h264_packetizer_t *p)
{
    return p != NULL ? p->max_payload : 0;
}

static void cache_param_set(uint8_t *cache, size_t *cache_len, const ertc_h264_nal_t *nal)
{
    if (nal->len <= ERTC_H264_MAX_PARAM_SET_LEN) {
        memcpy(cache, nal->data, nal->len);
        *cache_len = nal->len;
    }
}

WEBRTC_STATUS ertc_h264_packetizer_begin(ertc_h264_packetizer_t *p, const uint8_t *au, size_t len)
{
    if (p == NULL || au == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(&p->stream, 0, sizeof(p->stream));
    memset(&p->fu, 0, sizeof(p->fu));
    p->fu_offset = 0;
    p->fu_fragments_left = 0;

    size_t first = find_start_code(au, len, 0);
    for (size_t i = 0; i < first; i++) {
        if (au[i] != 0) {
            return WEBRTC_STATUS_MALFORMED; /* not Annex-B, e.g. AVCC length prefixes */
        }
    }
    bool has_idr = false, has_sps = false, has_pps = false, has_nal = false;
    size_t pos = 0;
    ertc_h264_nal_t nal;
    while (next_sendable_nal(au, len, &pos, &nal)) {
        has_nal = true;
        switch (ertc_h264_nal_type(nal.data[0])) {
        case ERTC_H264_NAL_IDR: has_idr = true; break;
        case ERTC_H264_NAL_SPS:
            has_sps = true;
            cache_param_set(p->sps, &p->sps_len, &nal);
            break;
        case ERTC_H264_NAL_PPS:
            has_pps = true;
            cache_param_set(p->pps, &p->pps_len, &nal);
            break;
        default: break;
        }
    }
    if (!has_nal) {
        return WEBRTC_STATUS_MALFORMED;
    }
    p->stream.au = au;
    p->stream.au_len = len;
    if (p->prepend_param_sets && has_idr) {
        if (!has_sps && p->sps_len > 0) {
            p->stream.insert_pending |= INSERT_SPS;
        }
        if (!has_pps && p->pps_len > 0) {
            p->stream.insert_pending |= INSERT_PPS;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_h264_packetizer_has_next(ertc_h264_packetizer_t *p)
{
    if (p == NULL) {
        return false;
    }
    ertc_h264_nal_t nal;
    return p->fu.len > 0 || stream_peek(p, &nal);
}

static size_t write_fu_fragment(ertc_h264_packetizer_t *p, uint8_t *out)
{
    const ertc_h264_nal_t *nal = &p->fu;
    size_t remaining = nal->len - p->fu_offset;
    size_t size = (remaining + p->fu_fragments_left - 1) / p->fu_fragments_left;
    uint8_t header = nal->data[0];
    out[0] =
        (uint8_t)((header & (ERTC_H264_NAL_F_BIT | ERTC_H264_NAL_NRI_MASK)) | ERTC_H264_NAL_FU_A);
    out[1] = ertc_h264_nal_type(header);
    if (p->fu_offset == 1) {
        out[1] |= ERTC_H264_FU_START_BIT;
    }
    if (size == remaining) {
        out[1] |= ERTC_H264_FU_END_BIT;
    }
    memcpy(out + ERTC_H264_FU_HEADER_LEN, nal->data + p->fu_offset, size);
    p->fu_offset += size;
    p->fu_fragments_left--;
    if (p->fu_offset == nal->len) {
        memset(&p->fu, 0, sizeof(p->fu));
    }
    return ERTC_H264_FU_HEADER_LEN + size;
}

static size_t start_fu(ertc_h264_packetizer_t *p, const ertc_h264_nal_t *nal, uint8_t *out)
{
    size_t per_fragment = p->max_payload - ERTC_H264_FU_HEADER_LEN;
    size_t data_len = nal->len - 1; /* the NAL header travels in the FU indicator and header */
    p->fu = *nal;
    p->fu_offset = 1;
    p->fu_fragments_left = (data_len + per_fragment - 1) / per_fragment;
    return write_fu_fragment(p, out);
}

static size_t stap_a_size_with(size_t size, const ertc_h264_nal_t *nal)
{
    return size + ERTC_H264_STAP_SIZE_LEN + nal->len;
}

/* Aggregates `first` and the aggregatable units after it that fit. Called only when at least
 * the next one fits too. */
static size_t write_stap_a(ertc_h264_packetizer_t *p, const ertc_h264_nal_t *first, uint8_t *out)
{
    uint8_t f_bit = 0, nri = 0;
    size_t size = ERTC_H264_STAP_A_HEADER_LEN;
    ertc_h264_nal_t nal = *first;
    for (;;) {
        ertc_put_be16(out + size, nal.len);
        memcpy(out + size + ERTC_H264_STAP_SIZE_LEN, nal.data, nal.len);
        size = stap_a_size_with(size, &nal);
        f_bit |= nal.data[0] & ERTC_H264_NAL_F_BIT;
        /* RFC 6184 §5.7: the NRI of the aggregate is the largest NRI of its units */
        if ((nal.data[0] & ERTC_H264_NAL_NRI_MASK) > nri) {
            nri = nal.data[0] & ERTC_H264_NAL_NRI_MASK;
        }
        if (!stream_peek(p, &nal) || !is_aggregatable(ertc_h264_nal_type(nal.data[0])) ||
            stap_a_size_with(size, &nal) > p->max_payload) {
            break;
        }
        stream_pop(p);
    }
    out[0] = (uint8_t)(f_bit | nri | ERTC_H264_NAL_STAP_A);
    return size;
}

WEBRTC_STATUS ertc_h264_packetizer_next(ertc_h264_packetizer_t *p, uint8_t *out, size_t cap,
                                        size_t *out_len, bool *marker)
{
    if (p == NULL || out == NULL || out_len == NULL || marker == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out_len = 0;
    *marker = false;
    if (!ertc_h264_packetizer_has_next(p)) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (cap < p->max_payload) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    size_t n;
    if (p->fu.len > 0) {
        n = write_fu_fragment(p, out);
    } else {
        ertc_h264_nal_t nal, next;
        stream_peek(p, &nal);
        stream_pop(p);
        if (nal.len > p->max_payload) {
            n = start_fu(p, &nal, out);
        } else if (is_aggregatable(ertc_h264_nal_type(nal.data[0])) && stream_peek(p, &next) &&
                   is_aggregatable(ertc_h264_nal_type(next.data[0])) &&
                   stap_a_size_with(stap_a_size_with(ERTC_H264_STAP_A_HEADER_LEN, &nal), &next) <=
                       p->max_payload) {
            n = write_stap_a(p, &nal, out);
        } else {
            memcpy(out, nal.data, nal.len);
            n = nal.len;
        }
    }
    *out_len = n;
    *marker = !ertc_h264_packetizer_has_next(p);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_h264_packetize(ertc_h264_packetizer_t *p, const uint8_t *au, size_t len,
                                  uint8_t *buf, size_t cap, ertc_h264_emit_fn emit, void *ctx)
{
    if (p == NULL || buf == NULL || emit == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (cap < p->max_payload) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    WEBRTC_STATUS st = ertc_h264_packetizer_begin(p, au, len);
    while (st == WEBRTC_STATUS_SUCCESS && ertc_h264_packetizer_has_next(p)) {
        size_t n = 0;
        bool marker = false;
        st = ertc_h264_packetizer_next(p, buf, cap, &n, &marker);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = emit(buf, n, marker, ctx);
        }
    }
    return st;
}
