/*
 * peer/rtp — RTP header parsing and building (RFC 3550 §5.1, §5.3.1; RFC 8285 header
 * extensions; RFC 8843 §15.2 sdes:mid). See rtp.h for what is accepted and what is kept.
 */
#include "peer/rtp.h"

#include <string.h>

#include "util/bytes.h"

/* First header byte: V(2) P(1) X(1) CC(4); second: M(1) PT(7). */
#define VERSION_SHIFT   6
#define PADDING_BIT     0x20u
#define EXTENSION_BIT   0x10u
#define CSRC_COUNT_MASK 0x0Fu
#define MARKER_BIT      0x80u
#define PT_MASK         0x7Fu

#define EXT_HEADER_LEN 4 /* profile(16) + length in 32-bit words(16) */
#define WORD           4

/* RFC 8285 §4.2: in the one-byte form, id 15 stops processing of the block. */
#define ONE_BYTE_ID_STOP 15
#define EXT_PADDING_BYTE 0

/* ---- parsing --------------------------------------------------------------------------- */

static void keep_ext(ertc_rtp_packet_t *out, uint8_t id, uint8_t len, const uint8_t *data)
{
    ertc_rtp_header_t *h = &out->header;
    if (h->ext_count == ERTC_RTP_MAX_EXTENSIONS) {
        out->ext_dropped++;
        return;
    }
    h->ext[h->ext_count].id = id;
    h->ext[h->ext_count].len = len;
    h->ext[h->ext_count].data = data;
    h->ext_count++;
}

/* RFC 8285 §4.2: each element is one byte ID(4) L(4) then L+1 data bytes. */
static WEBRTC_STATUS parse_one_byte_elements(const uint8_t *p, size_t len, ertc_rtp_packet_t *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t id = p[i] >> 4;
        if (p[i] == EXT_PADDING_BYTE) {
            i++;
            continue;
        }
        if (id == ONE_BYTE_ID_STOP) {
            break;
        }
        size_t data_len = (size_t)(p[i] & 0x0Fu) + 1;
        i++;
        if (data_len > len - i) {
            return WEBRTC_STATUS_MALFORMED;
        }
        if (id != 0) {
            keep_ext(out, id, (uint8_t)data_len, p + i);
        }
        /* id 0 with a non-zero length is not allowed (§4.2), but its length is known, so it
         * is skipped like an element we do not understand */
        i += data_len;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* RFC 8285 §4.3: ID(8) L(8) then L data bytes; a zero byte is padding. */
static WEBRTC_STATUS parse_two_byte_elements(const uint8_t *p, size_t len, ertc_rtp_packet_t *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t id = p[i];
        if (id == EXT_PADDING_BYTE) {
            i++;
            continue;
        }
        if (len - i < 2) {
            return WEBRTC_STATUS_MALFORMED;
        }
        size_t data_len = p[i + 1];
        i += 2;
        if (data_len > len - i) {
            return WEBRTC_STATUS_MALFORMED;
        }
        keep_ext(out, id, (uint8_t)data_len, p + i);
        i += data_len;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS parse_extension(const uint8_t *buf, size_t len, size_t *pos,
                                     ertc_rtp_packet_t *out)
{
    if (len - *pos < EXT_HEADER_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    const uint8_t *p = buf + *pos;
    uint16_t profile = ertc_get_be16(p);
    size_t block_len = (size_t)ertc_get_be16(p + 2) * WORD;
    *pos += EXT_HEADER_LEN;
    if (block_len > len - *pos) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->ext_profile = profile;
    out->ext_block = buf + *pos;
    out->ext_block_len = block_len;
    *pos += block_len;

    if (profile == ERTC_RTP_EXT_PROFILE_ONE_BYTE) {
        out->ext_form = ERTC_RTP_EXT_ONE_BYTE;
        return parse_one_byte_elements(out->ext_block, block_len, out);
    }
    if ((profile & ERTC_RTP_EXT_PROFILE_TWO_BYTE_MASK) == ERTC_RTP_EXT_PROFILE_TWO_BYTE) {
        out->ext_form = ERTC_RTP_EXT_TWO_BYTE;
        return parse_two_byte_elements(out->ext_block, block_len, out);
    }
    out->ext_form = ERTC_RTP_EXT_OTHER;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtp_parse(const uint8_t *buf, size_t len, ertc_rtp_packet_t *out)
{
    if (buf == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len < ERTC_RTP_HEADER_MIN_LEN || (buf[0] >> VERSION_SHIFT) != ERTC_RTP_VERSION) {
        return WEBRTC_STATUS_MALFORMED;
    }
    ertc_rtp_header_t *h = &out->header;
    h->marker = (buf[1] & MARKER_BIT) != 0;
    h->payload_type = buf[1] & PT_MASK;
    h->seq = ertc_get_be16(buf + 2);
    h->timestamp = ertc_get_be32(buf + 4);
    h->ssrc = ertc_get_be32(buf + 8);
    h->csrc_count = buf[0] & CSRC_COUNT_MASK;

    size_t pos = ERTC_RTP_HEADER_MIN_LEN;
    if ((size_t)h->csrc_count * WORD > len - pos) {
        return WEBRTC_STATUS_MALFORMED;
    }
    for (uint8_t i = 0; i < h->csrc_count; i++) {
        h->csrc[i] = ertc_get_be32(buf + pos);
        pos += WORD;
    }
    if (buf[0] & EXTENSION_BIT) {
        WEBRTC_STATUS st = parse_extension(buf, len, &pos, out);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
    }
    out->header_len = pos;

    size_t end = len;
    if (buf[0] & PADDING_BIT) {
        /* the last byte counts the padding, itself included, so 0 is impossible */
        size_t padding = buf[len - 1];
        if (padding == 0 || padding > len - pos) {
            return WEBRTC_STATUS_MALFORMED;
        }
        out->padding_len = padding;
        end = len - padding;
    }
    out->payload = buf + pos;
    out->payload_len = end - pos;
    return WEBRTC_STATUS_SUCCESS;
}

const ertc_rtp_ext_t *ertc_rtp_find_ext(const ertc_rtp_header_t *h, uint8_t id)
{
    if (h == NULL) {
        return NULL;
    }
    size_t n = h->ext_count < ERTC_RTP_MAX_EXTENSIONS ? h->ext_count : ERTC_RTP_MAX_EXTENSIONS;
    for (size_t i = 0; i < n; i++) {
        if (h->ext[i].id == id) {
            return &h->ext[i];
        }
    }
    return NULL;
}

/* ---- building -------------------------------------------------------------------------- */

static bool fits_one_byte_form(const ertc_rtp_header_t *h)
{
    for (size_t i = 0; i < h->ext_count; i++) {
        const ertc_rtp_ext_t *e = &h->ext[i];
        if (e->id > ERTC_RTP_EXT_ONE_BYTE_MAX_ID || e->len == 0 ||
            e->len > ERTC_RTP_EXT_ONE_BYTE_MAX_LEN) {
            return false;
        }
    }
    return true;
}

static bool header_is_valid(const ertc_rtp_header_t *h)
{
    if (h->payload_type > ERTC_RTP_MAX_PAYLOAD_TYPE || h->csrc_count > ERTC_RTP_MAX_CSRC ||
        h->ext_count > ERTC_RTP_MAX_EXTENSIONS) {
        return false;
    }
    for (size_t i = 0; i < h->ext_count; i++) {
        if (h->ext[i].id == 0 || (h->ext[i].len > 0 && h->ext[i].data == NULL)) {
            return false;
        }
    }
    return true;
}

/* Bytes of element data plus per-element headers, before rounding to 32-bit words. */
static size_t ext_elements_len(const ertc_rtp_header_t *h, bool one_byte)
{
    size_t n = 0;
    for (size_t i = 0; i < h->ext_count; i++) {
        n += (one_byte ? 1u : 2u) + h->ext[i].len;
    }
    return n;
}

static size_t round_up_words(size_t n)
{
    return (n + WORD - 1) / WORD * WORD;
}

size_t ertc_rtp_header_len(const ertc_rtp_header_t *h)
{
    if (h == NULL || !header_is_valid(h)) {
        return 0;
    }
    size_t n = ERTC_RTP_HEADER_MIN_LEN + (size_t)h->csrc_count * WORD;
    if (h->ext_count > 0) {
        n += EXT_HEADER_LEN + round_up_words(ext_elements_len(h, fits_one_byte_form(h)));
    }
    return n;
}

WEBRTC_STATUS ertc_rtp_write_header(const ertc_rtp_header_t *h, uint8_t *out, size_t cap,
                                    size_t *written)
{
    if (h == NULL || out == NULL || written == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *written = 0;
    size_t total = ertc_rtp_header_len(h);
    if (total == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (total > cap) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    out[0] = (uint8_t)((ERTC_RTP_VERSION << VERSION_SHIFT) |
                       (h->ext_count > 0 ? EXTENSION_BIT : 0) | h->csrc_count);
    out[1] = (uint8_t)((h->marker ? MARKER_BIT : 0) | h->payload_type);
    ertc_put_be16(out + 2, h->seq);
    ertc_put_be32(out + 4, h->timestamp);
    ertc_put_be32(out + 8, h->ssrc);
    size_t pos = ERTC_RTP_HEADER_MIN_LEN;
    for (uint8_t i = 0; i < h->csrc_count; i++) {
        ertc_put_be32(out + pos, h->csrc[i]);
        pos += WORD;
    }
    if (h->ext_count > 0) {
        bool one_byte = fits_one_byte_form(h);
        size_t block_len = round_up_words(ext_elements_len(h, one_byte));
        ertc_put_be16(out + pos,
                      one_byte ? ERTC_RTP_EXT_PROFILE_ONE_BYTE : ERTC_RTP_EXT_PROFILE_TWO_BYTE);
        ertc_put_be16(out + pos + 2, (uint16_t)(block_len / WORD));
        pos += EXT_HEADER_LEN;
        size_t end = pos + block_len;
        for (size_t i = 0; i < h->ext_count; i++) {
            const ertc_rtp_ext_t *e = &h->ext[i];
            if (one_byte) {
                out[pos++] = (uint8_t)((e->id << 4) | (e->len - 1));
            } else {
                out[pos++] = e->id;
                out[pos++] = e->len;
            }
            if (e->len > 0) {
                memcpy(out + pos, e->data, e->len);
            }
            pos += e->len;
        }
        memset(out + pos, EXT_PADDING_BYTE, end - pos);
        pos = end;
    }
    *written = pos;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtp_build(const ertc_rtp_header_t *h, const uint8_t *payload, size_t payload_len,
                             size_t padding_len, uint8_t *out, size_t cap, size_t *written)
{
    if (h == NULL || out == NULL || written == NULL || (payload == NULL && payload_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *written = 0;
    if (padding_len > UINT8_MAX) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t header_len = 0;
    WEBRTC_STATUS st = ertc_rtp_write_header(h, out, cap, &header_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (payload_len > cap - header_len || padding_len > cap - header_len - payload_len) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    if (payload_len > 0) {
        memmove(out + header_len, payload, payload_len);
    }
    size_t total = header_len + payload_len;
    if (padding_len > 0) {
        out[0] |= PADDING_BIT;
        memset(out + total, 0, padding_len - 1);
        out[total + padding_len - 1] = (uint8_t)padding_len;
        total += padding_len;
    }
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtp_ext_mid(uint8_t id, const char *mid, ertc_rtp_ext_t *ext)
{
    if (mid == NULL || ext == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t len = strlen(mid);
    if (id == 0 || len == 0 || len > ERTC_RTP_EXT_TWO_BYTE_MAX_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ext->id = id;
    ext->len = (uint8_t)len;
    ext->data = (const uint8_t *)mid;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtp_add_ext(ertc_rtp_header_t *h, const ertc_rtp_ext_t *ext)
{
    if (h == NULL || ext == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (h->ext_count >= ERTC_RTP_MAX_EXTENSIONS) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    h->ext[h->ext_count++] = *ext;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- sequence numbers ------------------------------------------------------------------ */

#define SEQ_MOD (1u << 16)

void ertc_rtp_seq_unwrapper_init(ertc_rtp_seq_unwrapper_t *u)
{
    if (u != NULL) {
        u->started = false;
        u->newest = 0;
    }
}

uint64_t ertc_rtp_seq_unwrap(ertc_rtp_seq_unwrapper_t *u, uint16_t seq)
{
    if (!u->started) {
        u->started = true;
        u->newest = SEQ_MOD + seq;
        return u->newest;
    }
    /* newest starts at 2^16 or more and |diff| <= 2^15, so ext never goes below 0 */
    int32_t diff = ertc_rtp_seq_diff(seq, (uint16_t)u->newest);
    uint64_t ext = (uint64_t)((int64_t)u->newest + diff);
    if (diff > 0) {
        u->newest = ext;
    }
    return ext;
}
