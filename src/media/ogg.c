/*
 * media/ogg — Ogg pages and packets (RFC 3533; see ogg.h).
 *
 * Page header (RFC 3533 §6): "OggS", version 0, header type flags, granule position (64-bit
 * little endian), bitstream serial number, page sequence number, CRC-32, segment count, then
 * the lacing values. A lacing value of 255 means the packet goes on in the next segment;
 * anything less ends it, so a packet of exactly 255*n bytes ends with a 0.
 */
#include "media/ogg.h"

#include <stdio.h>
#include <string.h>

/* CRC of each 4-bit value shifted to the top of the register (polynomial 0x04c11db7): two
 * lookups a byte, and a constant table, so no thread ever has to build one. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x04c11db7u, 0x09823b6eu, 0x0d4326d9u, 0x130476dcu, 0x17c56b6bu,
    0x1a864db2u, 0x1e475005u, 0x2608edb8u, 0x22c9f00fu, 0x2f8ad6d6u, 0x2b4bcb61u,
    0x350c9b64u, 0x31cd86d3u, 0x3c8ea00au, 0x384fbdbdu,
};

uint32_t ertc_ogg_crc(uint32_t crc, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint32_t)buf[i] << 24;
        crc = (crc << 4) ^ crc_nibble[crc >> 28];
        crc = (crc << 4) ^ crc_nibble[crc >> 28];
    }
    return crc;
}

static uint32_t read_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void write_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t page_crc(const uint8_t *page, size_t len)
{
    static const uint8_t zero[4] = {0};
    uint32_t crc = ertc_ogg_crc(0, page, 22);
    crc = ertc_ogg_crc(crc, zero, 4); /* the CRC field counts as zero */
    return ertc_ogg_crc(crc, page + 26, len - 26);
}

WEBRTC_STATUS ertc_ogg_page_parse(const uint8_t *buf, size_t len, ertc_ogg_page_t *page,
                                  const char **why)
{
    *why = NULL;
    if (len < 4) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    if (memcmp(buf, "OggS", 4) != 0) {
        *why = "no \"OggS\" capture pattern";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (len < ERTC_OGG_HEADER_LEN) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    if (buf[4] != 0) {
        *why = "unknown Ogg version";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if ((buf[5] & ~(ERTC_OGG_FLAG_CONTINUED | ERTC_OGG_FLAG_BOS | ERTC_OGG_FLAG_EOS)) != 0) {
        *why = "unknown header type flags";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t segments = buf[26];
    if (len < ERTC_OGG_HEADER_LEN + segments) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    size_t body_len = 0;
    for (size_t i = 0; i < segments; i++) {
        body_len += buf[ERTC_OGG_HEADER_LEN + i];
    }
    size_t page_len = ERTC_OGG_HEADER_LEN + segments + body_len;
    if (len < page_len) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    if (page_crc(buf, page_len) != read_le32(buf + 22)) {
        *why = "page CRC mismatch";
        return WEBRTC_STATUS_INVALID_ARG;
    }
    page->flags = buf[5];
    page->granule = (uint64_t)read_le32(buf + 6) | (uint64_t)read_le32(buf + 10) << 32;
    page->serial = read_le32(buf + 14);
    page->sequence = read_le32(buf + 18);
    page->segments = (uint8_t)segments;
    page->lacing = buf + ERTC_OGG_HEADER_LEN;
    page->body = page->lacing + segments;
    page->body_len = body_len;
    page->page_len = page_len;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ogg_page_build(uint8_t flags, uint64_t granule, uint32_t serial,
                                  uint32_t sequence, const uint8_t *packet, size_t len,
                                  uint8_t *out, size_t cap, size_t *out_len)
{
    if (len > ERTC_OGG_MAX_PAGE_PACKET || (len > 0 && packet == NULL) || out == NULL) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* no packet at all: an empty page, as an EOS marker after the last packet */
    size_t segments = packet == NULL && len == 0 ? 0 : len / 255 + 1;
    size_t page_len = ERTC_OGG_HEADER_LEN + segments + len;
    if (cap < page_len) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(out, "OggS", 4);
    out[4] = 0;
    out[5] = flags;
    write_le32(out + 6, (uint32_t)granule);
    write_le32(out + 10, (uint32_t)(granule >> 32));
    write_le32(out + 14, serial);
    write_le32(out + 18, sequence);
    write_le32(out + 22, 0);
    out[26] = (uint8_t)segments;
    if (segments > 0) {
        memset(out + ERTC_OGG_HEADER_LEN, 255, segments - 1);
        out[ERTC_OGG_HEADER_LEN + segments - 1] = (uint8_t)(len % 255);
    }
    if (len > 0) {
        memcpy(out + ERTC_OGG_HEADER_LEN + segments, packet, len);
    }
    write_le32(out + 22, page_crc(out, page_len));
    *out_len = page_len;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_ogg_reader_init(ertc_ogg_reader_t *r, const uint8_t *data, size_t len)
{
    memset(r, 0, offsetof(ertc_ogg_reader_t, packet));
    r->data = data;
    r->len = data != NULL ? len : 0;
}

void ertc_ogg_reader_rewind(ertc_ogg_reader_t *r)
{
    if (r->error[0] != '\0') {
        return; /* a malformed file stays malformed */
    }
    r->pos = 0;
    r->have_page = false;
    r->skip_continued = false;
    r->ended = false;
    r->packet_len = 0;
    r->packet_partial = false;
    r->packet_too_long = false;
    r->truncated = false;
}

static WEBRTC_STATUS fail(ertc_ogg_reader_t *r, size_t offset, const char *why)
{
    snprintf(r->error, sizeof(r->error), "Ogg: %s at offset %zu", why, offset);
    r->ended = true;
    return WEBRTC_STATUS_INVALID_ARG;
}

static void drop_packet(ertc_ogg_reader_t *r)
{
    if (r->packet_partial || r->packet_len > 0 || r->packet_too_long) {
        r->dropped++;
    }
    r->packet_len = 0;
    r->packet_partial = false;
    r->packet_too_long = false;
}

/* Reads the next page of our stream into r->page; false at the end of the stream or on an
 * error (r->ended set; r->error set for an error). */
static bool load_page(ertc_ogg_reader_t *r)
{
    while (r->pos < r->len) {
        const char *why = NULL;
        size_t at = r->pos;
        WEBRTC_STATUS st = ertc_ogg_page_parse(r->data + at, r->len - at, &r->page, &why);
        if (st == WEBRTC_STATUS_NOT_FOUND && r->locked) {
            /* A file whose writer stopped mid-page: what came before it still plays. */
            r->truncated = true;
            break;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail(r, at, why != NULL ? why : "truncated page");
            return false;
        }
        r->pos += r->page.page_len;
        if (!r->locked) {
            if (!(r->page.flags & ERTC_OGG_FLAG_BOS)) {
                fail(r, at, "first page has no BOS flag");
                return false;
            }
            r->locked = true;
            r->serial = r->page.serial;
        } else if (r->page.serial != r->serial) {
            continue; /* another logical stream multiplexed in: not ours */
        }
        if (r->page.flags & ERTC_OGG_FLAG_CONTINUED) {
            r->skip_continued = !r->packet_partial;
        } else {
            r->skip_continued = false;
            if (r->packet_partial) {
                drop_packet(r); /* its continuation never came */
            }
        }
        r->have_page = true;
        r->segment = 0;
        r->body_pos = 0;
        return true;
    }
    if (!r->locked) {
        fail(r, r->pos, "no Ogg page");
        return false;
    }
    r->ended = true;
    return false;
}

WEBRTC_STATUS ertc_ogg_reader_next(ertc_ogg_reader_t *r, const uint8_t **packet, size_t *len,
                                   uint64_t *granule)
{
    if (r->error[0] != '\0') {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (;;) {
        if (!r->have_page) {
            if (r->ended || !load_page(r)) {
                drop_packet(r);
                return r->error[0] != '\0' ? WEBRTC_STATUS_INVALID_ARG : WEBRTC_STATUS_NOT_FOUND;
            }
        }
        while (r->segment < r->page.segments) {
            size_t lace = r->page.lacing[r->segment++];
            const uint8_t *bytes = r->page.body + r->body_pos;
            r->body_pos += lace;
            if (r->skip_continued) {
                r->skip_continued = lace == 255;
                continue;
            }
            if (r->packet_len + lace > ERTC_OGG_MAX_PACKET) {
                r->packet_too_long = true;
            } else if (!r->packet_too_long) {
                memcpy(r->packet + r->packet_len, bytes, lace);
                r->packet_len += lace;
            }
            if (lace == 255) {
                r->packet_partial = true;
                continue;
            }
            if (r->packet_too_long) {
                drop_packet(r);
                continue;
            }
            bool last_on_page = true;
            for (unsigned i = r->segment; i < r->page.segments; i++) {
                if (r->page.lacing[i] < 255) {
                    last_on_page = false;
                    break;
                }
            }
            *packet = r->packet;
            *len = r->packet_len;
            *granule = last_on_page ? r->page.granule : ERTC_OGG_GRANULE_NONE;
            r->packet_len = 0;
            r->packet_partial = false;
            r->packets++;
            return WEBRTC_STATUS_SUCCESS;
        }
        r->have_page = false;
        if (r->page.flags & ERTC_OGG_FLAG_EOS) {
            drop_packet(r);
            r->ended = true;
        }
    }
}
