/*
 * peer/rtcp — RTCP parsing and building (RFC 3550 §6, RFC 4585 §6, RFC 5104 §4.3.1,
 * RFC 5761 §4) and NTP time arithmetic (RFC 3550 §4, §6.4.1). See rtcp.h.
 */
#include "peer/rtcp.h"

#include <string.h>

#include "util/bytes.h"

/* First header byte: V(2) P(1) count(5). */
#define VERSION_SHIFT 6
#define PADDING_BIT   0x20u
#define COUNT_MASK    0x1Fu
#define WORD          4
#define MAX_COUNT     31 /* the 5-bit RC/SC/FMT field */

#define NACK_FCI_LEN  4 /* PID(16) BLP(16) */
#define NACK_BLP_BITS 16
#define FIR_FCI_LEN   8 /* SSRC(32) seq nr(8) reserved(24) */
#define REMB_ID       "REMB"
#define REMB_ID_LEN   4

#define CUMULATIVE_LOST_MAX 0x7FFFFF /* 24-bit signed */
#define CUMULATIVE_LOST_MIN (-0x800000)
#define SIGN_BIT_24         0x800000u
#define MASK_24             0xFFFFFFu

#define US_PER_SECOND  1000000u
#define NTP_UNIX_DELTA 2208988800ull /* seconds from 1900 to 1970 */

/* ---- the common header and compound packets --------------------------------------------- */

bool ertc_rtcp_is_rtcp(const uint8_t *buf, size_t len)
{
    return buf != NULL && len >= 2 && buf[1] >= ERTC_RTCP_MUX_PT_MIN &&
           buf[1] <= ERTC_RTCP_MUX_PT_MAX;
}

void ertc_rtcp_iter_init(ertc_rtcp_iter_t *it, const uint8_t *buf, size_t len)
{
    if (it != NULL) {
        it->buf = buf;
        it->len = buf != NULL ? len : 0;
        it->pos = 0;
    }
}

WEBRTC_STATUS ertc_rtcp_iter_next(ertc_rtcp_iter_t *it, ertc_rtcp_packet_t *pkt)
{
    if (it == NULL || pkt == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(pkt, 0, sizeof(*pkt));
    if (it->pos >= it->len) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    const uint8_t *p = it->buf + it->pos;
    size_t remaining = it->len - it->pos;
    it->pos = it->len; /* a failure below ends the walk */
    if (remaining < ERTC_RTCP_HEADER_LEN || (p[0] >> VERSION_SHIFT) != ERTC_RTCP_VERSION) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t len = ((size_t)ertc_get_be16(p + 2) + 1) * WORD;
    if (len > remaining) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t body_len = len - ERTC_RTCP_HEADER_LEN;
    if (p[0] & PADDING_BIT) {
        size_t padding = p[len - 1];
        if (padding == 0 || padding > body_len) {
            return WEBRTC_STATUS_MALFORMED;
        }
        body_len -= padding;
        pkt->padding = true;
    }
    pkt->pt = p[1];
    pkt->count = p[0] & COUNT_MASK;
    pkt->data = p;
    pkt->len = len;
    pkt->body = p + ERTC_RTCP_HEADER_LEN;
    pkt->body_len = body_len;
    it->pos = (size_t)(p - it->buf) + len;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_validate(const uint8_t *buf, size_t len)
{
    if (buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    size_t packets = 0;
    WEBRTC_STATUS st;
    ertc_rtcp_iter_init(&it, buf, len);
    while ((st = ertc_rtcp_iter_next(&it, &pkt)) == WEBRTC_STATUS_SUCCESS) {
        packets++;
    }
    if (st != WEBRTC_STATUS_NOT_FOUND) {
        return st;
    }
    return packets > 0 ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_MALFORMED;
}

ertc_rtcp_kind_t ertc_rtcp_kind(const ertc_rtcp_packet_t *pkt)
{
    if (pkt == NULL) {
        return ERTC_RTCP_KIND_UNKNOWN;
    }
    switch (pkt->pt) {
    case ERTC_RTCP_PT_SR: return ERTC_RTCP_KIND_SR;
    case ERTC_RTCP_PT_RR: return ERTC_RTCP_KIND_RR;
    case ERTC_RTCP_PT_SDES: return ERTC_RTCP_KIND_SDES;
    case ERTC_RTCP_PT_BYE: return ERTC_RTCP_KIND_BYE;
    case ERTC_RTCP_PT_APP: return ERTC_RTCP_KIND_APP;
    case ERTC_RTCP_PT_XR: return ERTC_RTCP_KIND_XR;
    case ERTC_RTCP_PT_RTPFB:
        if (pkt->count == ERTC_RTCP_RTPFB_NACK) {
            return ERTC_RTCP_KIND_NACK;
        }
        if (pkt->count == ERTC_RTCP_RTPFB_TWCC) {
            return ERTC_RTCP_KIND_TWCC;
        }
        return ERTC_RTCP_KIND_UNKNOWN;
    case ERTC_RTCP_PT_PSFB:
        if (pkt->count == ERTC_RTCP_PSFB_PLI) {
            return ERTC_RTCP_KIND_PLI;
        }
        if (pkt->count == ERTC_RTCP_PSFB_FIR) {
            return ERTC_RTCP_KIND_FIR;
        }
        if (pkt->count == ERTC_RTCP_PSFB_AFB &&
            pkt->body_len >= ERTC_RTCP_FB_HEADER_LEN + REMB_ID_LEN &&
            memcmp(pkt->body + ERTC_RTCP_FB_HEADER_LEN, REMB_ID, REMB_ID_LEN) == 0) {
            return ERTC_RTCP_KIND_REMB;
        }
        return ERTC_RTCP_KIND_UNKNOWN;
    default: return ERTC_RTCP_KIND_UNKNOWN;
    }
}

/* Writes the common header of a packet of `total` bytes (a multiple of 4). */
static void write_header(uint8_t *out, uint8_t count, uint8_t pt, size_t total)
{
    out[0] = (uint8_t)((ERTC_RTCP_VERSION << VERSION_SHIFT) | count);
    out[1] = pt;
    ertc_put_be16(out + 2, (uint16_t)(total / WORD - 1));
}

/* Common checks of every builder: arguments, and room for `total` bytes. */
static WEBRTC_STATUS check_output(uint8_t *out, size_t *written, size_t cap, size_t total)
{
    if (out == NULL || written == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *written = 0;
    return total > cap ? WEBRTC_STATUS_BUFFER_TOO_SMALL : WEBRTC_STATUS_SUCCESS;
}

/* ---- SR and RR ------------------------------------------------------------------------- */

static void read_report_block(const uint8_t *p, ertc_rtcp_report_block_t *b)
{
    b->ssrc = ertc_get_be32(p);
    b->fraction_lost = p[4];
    uint32_t lost = ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
    b->cumulative_lost = (lost & SIGN_BIT_24) ? (int32_t)lost - (int32_t)(1u << 24) : (int32_t)lost;
    b->ext_highest_seq = ertc_get_be32(p + 8);
    b->jitter = ertc_get_be32(p + 12);
    b->lsr = ertc_get_be32(p + 16);
    b->dlsr = ertc_get_be32(p + 20);
}

static void write_report_block(uint8_t *p, const ertc_rtcp_report_block_t *b)
{
    int32_t lost = b->cumulative_lost;
    if (lost > CUMULATIVE_LOST_MAX) {
        lost = CUMULATIVE_LOST_MAX;
    } else if (lost < CUMULATIVE_LOST_MIN) {
        lost = CUMULATIVE_LOST_MIN;
    }
    uint32_t lost24 = (uint32_t)lost & MASK_24;
    ertc_put_be32(p, b->ssrc);
    p[4] = b->fraction_lost;
    p[5] = (uint8_t)(lost24 >> 16);
    p[6] = (uint8_t)(lost24 >> 8);
    p[7] = (uint8_t)lost24;
    ertc_put_be32(p + 8, b->ext_highest_seq);
    ertc_put_be32(p + 12, b->jitter);
    ertc_put_be32(p + 16, b->lsr);
    ertc_put_be32(p + 20, b->dlsr);
}

WEBRTC_STATUS ertc_rtcp_parse_report(const ertc_rtcp_packet_t *pkt, ertc_rtcp_report_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    bool sr = pkt->pt == ERTC_RTCP_PT_SR;
    if (!sr && pkt->pt != ERTC_RTCP_PT_RR) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t need = WORD + (sr ? ERTC_RTCP_SENDER_INFO_LEN : 0) +
                  (size_t)pkt->count * ERTC_RTCP_REPORT_BLOCK_LEN;
    if (pkt->body_len < need) {
        return WEBRTC_STATUS_MALFORMED;
    }
    const uint8_t *p = pkt->body;
    out->ssrc = ertc_get_be32(p);
    p += WORD;
    if (sr) {
        out->has_sender_info = true;
        out->sender.ntp = ((uint64_t)ertc_get_be32(p) << 32) | ertc_get_be32(p + 4);
        out->sender.rtp_timestamp = ertc_get_be32(p + 8);
        out->sender.packet_count = ertc_get_be32(p + 12);
        out->sender.octet_count = ertc_get_be32(p + 16);
        p += ERTC_RTCP_SENDER_INFO_LEN;
    }
    out->block_count = pkt->count;
    for (size_t i = 0; i < out->block_count; i++) {
        read_report_block(p, &out->blocks[i]);
        p += ERTC_RTCP_REPORT_BLOCK_LEN;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS build_report(const ertc_rtcp_report_t *r, bool sr, uint8_t *out, size_t cap,
                                  size_t *written)
{
    if (r == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (r->block_count > ERTC_RTCP_MAX_REPORT_BLOCKS) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t total = ERTC_RTCP_HEADER_LEN + WORD + (sr ? ERTC_RTCP_SENDER_INFO_LEN : 0) +
                   r->block_count * ERTC_RTCP_REPORT_BLOCK_LEN;
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    write_header(out, (uint8_t)r->block_count, sr ? ERTC_RTCP_PT_SR : ERTC_RTCP_PT_RR, total);
    uint8_t *p = out + ERTC_RTCP_HEADER_LEN;
    ertc_put_be32(p, r->ssrc);
    p += WORD;
    if (sr) {
        ertc_put_be32(p, (uint32_t)(r->sender.ntp >> 32));
        ertc_put_be32(p + 4, (uint32_t)r->sender.ntp);
        ertc_put_be32(p + 8, r->sender.rtp_timestamp);
        ertc_put_be32(p + 12, r->sender.packet_count);
        ertc_put_be32(p + 16, r->sender.octet_count);
        p += ERTC_RTCP_SENDER_INFO_LEN;
    }
    for (size_t i = 0; i < r->block_count; i++) {
        write_report_block(p, &r->blocks[i]);
        p += ERTC_RTCP_REPORT_BLOCK_LEN;
    }
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_build_sr(const ertc_rtcp_report_t *r, uint8_t *out, size_t cap,
                                 size_t *written)
{
    return build_report(r, true, out, cap, written);
}

WEBRTC_STATUS ertc_rtcp_build_rr(const ertc_rtcp_report_t *r, uint8_t *out, size_t cap,
                                 size_t *written)
{
    return build_report(r, false, out, cap, written);
}

/* ---- SDES and BYE ---------------------------------------------------------------------- */

static size_t round_up_words(size_t n)
{
    return (n + WORD - 1) / WORD * WORD;
}

/* One chunk at body[*pos]: SSRC, items, END, null octets up to a word boundary (§6.5). */
static WEBRTC_STATUS parse_sdes_chunk(const uint8_t *body, size_t len, size_t *pos,
                                      ertc_rtcp_sdes_chunk_t *chunk)
{
    size_t i = *pos;
    if (len - i < WORD) {
        return WEBRTC_STATUS_MALFORMED;
    }
    chunk->ssrc = ertc_get_be32(body + i);
    chunk->cname = NULL;
    chunk->cname_len = 0;
    i += WORD;
    for (;;) {
        if (i >= len) {
            return WEBRTC_STATUS_MALFORMED; /* no END item */
        }
        uint8_t type = body[i];
        if (type == ERTC_RTCP_SDES_END) {
            i++;
            break;
        }
        if (len - i < 2 || body[i + 1] > len - i - 2) {
            return WEBRTC_STATUS_MALFORMED;
        }
        size_t item_len = body[i + 1];
        if (type == ERTC_RTCP_SDES_CNAME && chunk->cname == NULL) {
            chunk->cname = body + i + 2;
            chunk->cname_len = item_len;
        }
        i += 2 + item_len;
    }
    /* the chunk ends at a word boundary; RTCP padding may have eaten the last null octets */
    i = round_up_words(i);
    *pos = i < len ? i : len;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_parse_sdes(const ertc_rtcp_packet_t *pkt, ertc_rtcp_sdes_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (pkt->pt != ERTC_RTCP_PT_SDES) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t pos = 0;
    for (size_t i = 0; i < pkt->count; i++) {
        WEBRTC_STATUS st = parse_sdes_chunk(pkt->body, pkt->body_len, &pos, &out->chunks[i]);
        if (st != WEBRTC_STATUS_SUCCESS) {
            memset(out, 0, sizeof(*out));
            return st;
        }
        out->chunk_count++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_build_sdes_cname(uint32_t ssrc, const char *cname, uint8_t *out, size_t cap,
                                         size_t *written)
{
    if (cname == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t len = strlen(cname);
    if (len == 0 || len > ERTC_RTCP_MAX_CNAME_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* SSRC, CNAME type and length, the text, then at least one null octet (END) */
    size_t chunk = round_up_words(WORD + 2 + len + 1);
    size_t total = ERTC_RTCP_HEADER_LEN + chunk;
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    memset(out, 0, total);
    write_header(out, 1, ERTC_RTCP_PT_SDES, total);
    uint8_t *p = out + ERTC_RTCP_HEADER_LEN;
    ertc_put_be32(p, ssrc);
    p[WORD] = ERTC_RTCP_SDES_CNAME;
    p[WORD + 1] = (uint8_t)len;
    memcpy(p + WORD + 2, cname, len);
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_parse_bye(const ertc_rtcp_packet_t *pkt, ertc_rtcp_bye_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (pkt->pt != ERTC_RTCP_PT_BYE || pkt->body_len < (size_t)pkt->count * WORD) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t pos = 0;
    for (size_t i = 0; i < pkt->count; i++) {
        out->ssrcs[i] = ertc_get_be32(pkt->body + pos);
        pos += WORD;
    }
    out->ssrc_count = pkt->count;
    if (pos < pkt->body_len) {
        size_t reason_len = pkt->body[pos];
        if (reason_len > pkt->body_len - pos - 1) {
            memset(out, 0, sizeof(*out));
            return WEBRTC_STATUS_MALFORMED;
        }
        if (reason_len > 0) {
            out->reason = pkt->body + pos + 1;
            out->reason_len = reason_len;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_build_bye(const uint32_t *ssrcs, size_t count, uint8_t *out, size_t cap,
                                  size_t *written)
{
    if (ssrcs == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (count == 0 || count > ERTC_RTCP_MAX_BYE_SOURCES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t total = ERTC_RTCP_HEADER_LEN + count * WORD;
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    write_header(out, (uint8_t)count, ERTC_RTCP_PT_BYE, total);
    for (size_t i = 0; i < count; i++) {
        ertc_put_be32(out + ERTC_RTCP_HEADER_LEN + i * WORD, ssrcs[i]);
    }
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- feedback -------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_rtcp_parse_fb(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fb_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if ((pkt->pt != ERTC_RTCP_PT_RTPFB && pkt->pt != ERTC_RTCP_PT_PSFB) ||
        pkt->body_len < ERTC_RTCP_FB_HEADER_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->sender_ssrc = ertc_get_be32(pkt->body);
    out->media_ssrc = ertc_get_be32(pkt->body + 4);
    return WEBRTC_STATUS_SUCCESS;
}

static void add_nack_seq(ertc_rtcp_nack_t *out, uint16_t seq)
{
    if (out->count == ERTC_RTCP_MAX_NACK_SEQS) {
        out->truncated = true;
        return;
    }
    out->seqs[out->count++] = seq;
}

WEBRTC_STATUS ertc_rtcp_parse_nack(const ertc_rtcp_packet_t *pkt, ertc_rtcp_nack_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    out->count = 0;
    out->truncated = false;
    ertc_rtcp_fb_t fb;
    if (pkt->pt != ERTC_RTCP_PT_RTPFB || pkt->count != ERTC_RTCP_RTPFB_NACK ||
        ertc_rtcp_parse_fb(pkt, &fb) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t fci_len = pkt->body_len - ERTC_RTCP_FB_HEADER_LEN;
    if (fci_len == 0 || fci_len % NACK_FCI_LEN != 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->sender_ssrc = fb.sender_ssrc;
    out->media_ssrc = fb.media_ssrc;
    for (size_t off = ERTC_RTCP_FB_HEADER_LEN; off < pkt->body_len; off += NACK_FCI_LEN) {
        uint16_t pid = ertc_get_be16(pkt->body + off);
        uint16_t blp = ertc_get_be16(pkt->body + off + 2);
        add_nack_seq(out, pid);
        for (unsigned bit = 0; bit < NACK_BLP_BITS; bit++) {
            if (blp & (1u << bit)) {
                add_nack_seq(out, (uint16_t)(pid + bit + 1));
            }
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_parse_pli(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fb_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (pkt->pt != ERTC_RTCP_PT_PSFB || pkt->count != ERTC_RTCP_PSFB_PLI) {
        memset(out, 0, sizeof(*out));
        return WEBRTC_STATUS_MALFORMED;
    }
    return ertc_rtcp_parse_fb(pkt, out);
}

WEBRTC_STATUS ertc_rtcp_parse_fir(const ertc_rtcp_packet_t *pkt, ertc_rtcp_fir_t *out)
{
    if (pkt == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    ertc_rtcp_fb_t fb;
    if (pkt->pt != ERTC_RTCP_PT_PSFB || pkt->count != ERTC_RTCP_PSFB_FIR ||
        ertc_rtcp_parse_fb(pkt, &fb) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_MALFORMED;
    }
    size_t fci_len = pkt->body_len - ERTC_RTCP_FB_HEADER_LEN;
    if (fci_len == 0 || fci_len % FIR_FCI_LEN != 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->sender_ssrc = fb.sender_ssrc;
    for (size_t off = ERTC_RTCP_FB_HEADER_LEN; off < pkt->body_len; off += FIR_FCI_LEN) {
        if (out->count == ERTC_RTCP_MAX_FIR_ENTRIES) {
            out->truncated = true;
            break;
        }
        out->entries[out->count].ssrc = ertc_get_be32(pkt->body + off);
        out->entries[out->count].seq_nr = pkt->body[off + 4];
        out->count++;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Groups the sequence numbers into PID/BLP pairs; writes them when `fci` is not NULL.
 * Returns the number of pairs. */
static size_t nack_pairs(const uint16_t *seqs, size_t count, uint8_t *fci)
{
    size_t pairs = 0;
    size_t i = 0;
    while (i < count) {
        uint16_t pid = seqs[i];
        uint16_t blp = 0;
        size_t j = i + 1;
        while (j < count) {
            uint16_t d = (uint16_t)(seqs[j] - pid);
            if (d > NACK_BLP_BITS) {
                break;
            }
            if (d > 0) {
                blp |= (uint16_t)(1u << (d - 1));
            }
            j++;
        }
        if (fci != NULL) {
            ertc_put_be16(fci + pairs * NACK_FCI_LEN, pid);
            ertc_put_be16(fci + pairs * NACK_FCI_LEN + 2, blp);
        }
        pairs++;
        i = j;
    }
    return pairs;
}

static void write_fb_header(uint8_t *out, uint8_t fmt, uint8_t pt, size_t total,
                            uint32_t sender_ssrc, uint32_t media_ssrc)
{
    write_header(out, fmt, pt, total);
    ertc_put_be32(out + ERTC_RTCP_HEADER_LEN, sender_ssrc);
    ertc_put_be32(out + ERTC_RTCP_HEADER_LEN + 4, media_ssrc);
}

WEBRTC_STATUS ertc_rtcp_build_nack(uint32_t sender_ssrc, uint32_t media_ssrc, const uint16_t *seqs,
                                   size_t count, uint8_t *out, size_t cap, size_t *written)
{
    if (seqs == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (count == 0) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t pairs = nack_pairs(seqs, count, NULL);
    size_t total = ERTC_RTCP_HEADER_LEN + ERTC_RTCP_FB_HEADER_LEN + pairs * NACK_FCI_LEN;
    if (total / WORD - 1 > UINT16_MAX) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    write_fb_header(out, ERTC_RTCP_RTPFB_NACK, ERTC_RTCP_PT_RTPFB, total, sender_ssrc, media_ssrc);
    nack_pairs(seqs, count, out + ERTC_RTCP_HEADER_LEN + ERTC_RTCP_FB_HEADER_LEN);
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_build_pli(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t *out,
                                  size_t cap, size_t *written)
{
    size_t total = ERTC_RTCP_HEADER_LEN + ERTC_RTCP_FB_HEADER_LEN;
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    write_fb_header(out, ERTC_RTCP_PSFB_PLI, ERTC_RTCP_PT_PSFB, total, sender_ssrc, media_ssrc);
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_rtcp_build_fir(uint32_t sender_ssrc, uint32_t media_ssrc, uint8_t seq_nr,
                                  uint8_t *out, size_t cap, size_t *written)
{
    size_t total = ERTC_RTCP_HEADER_LEN + ERTC_RTCP_FB_HEADER_LEN + FIR_FCI_LEN;
    WEBRTC_STATUS st = check_output(out, written, cap, total);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    write_fb_header(out, ERTC_RTCP_PSFB_FIR, ERTC_RTCP_PT_PSFB, total, sender_ssrc, 0);
    uint8_t *fci = out + ERTC_RTCP_HEADER_LEN + ERTC_RTCP_FB_HEADER_LEN;
    ertc_put_be32(fci, media_ssrc);
    fci[4] = seq_nr;
    fci[5] = fci[6] = fci[7] = 0;
    *written = total;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_rtcp_keyframe_filter_init(ertc_rtcp_keyframe_filter_t *f, uint32_t ssrc)
{
    if (f != NULL) {
        f->ssrc = ssrc;
        f->have_fir_seq = false;
        f->fir_seq = 0;
    }
}

bool ertc_rtcp_keyframe_filter_check(ertc_rtcp_keyframe_filter_t *f, const ertc_rtcp_packet_t *pkt)
{
    if (f == NULL || pkt == NULL) {
        return false;
    }
    switch (ertc_rtcp_kind(pkt)) {
    case ERTC_RTCP_KIND_PLI: {
        ertc_rtcp_fb_t fb;
        return ertc_rtcp_parse_pli(pkt, &fb) == WEBRTC_STATUS_SUCCESS && fb.media_ssrc == f->ssrc;
    }
    case ERTC_RTCP_KIND_FIR: {
        ertc_rtcp_fir_t fir;
        if (ertc_rtcp_parse_fir(pkt, &fir) != WEBRTC_STATUS_SUCCESS) {
            return false;
        }
        for (size_t i = 0; i < fir.count; i++) {
            if (fir.entries[i].ssrc != f->ssrc) {
                continue;
            }
            if (f->have_fir_seq && fir.entries[i].seq_nr == f->fir_seq) {
                return false; /* a retransmission of a request already served */
            }
            f->have_fir_seq = true;
            f->fir_seq = fir.entries[i].seq_nr;
            return true;
        }
        return false;
    }
    default: return false;
    }
}

/* ---- NTP time and round-trip time ------------------------------------------------------- */

uint64_t ertc_rtcp_ntp_from_unix_us(uint64_t unix_us)
{
    uint64_t seconds = unix_us / US_PER_SECOND + NTP_UNIX_DELTA;
    uint64_t fraction = ((unix_us % US_PER_SECOND) << 32) / US_PER_SECOND;
    return (seconds << 32) | fraction;
}

uint32_t ertc_rtcp_ntp_compact(uint64_t ntp)
{
    return (uint32_t)(ntp >> 16);
}

uint64_t ertc_rtcp_compact_to_us(uint32_t compact)
{
    return ((uint64_t)compact * US_PER_SECOND + (1u << 15)) >> 16;
}

uint32_t ertc_rtcp_compact_from_us(uint64_t us)
{
    uint64_t seconds = us / US_PER_SECOND;
    uint64_t fraction = ((us % US_PER_SECOND) << 16) / US_PER_SECOND;
    return (uint32_t)((seconds << 16) + fraction);
}

bool ertc_rtcp_rtt(uint32_t now_compact, uint32_t lsr, uint32_t dlsr, uint32_t *rtt_compact)
{
    if (rtt_compact == NULL || lsr == 0) {
        return false;
    }
    uint32_t rtt = now_compact - lsr - dlsr;
    *rtt_compact = (int32_t)rtt < 0 ? 0 : rtt;
    return true;
}
