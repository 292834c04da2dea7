/*
 * media/ogg — the Ogg container (RFC 3533): page parsing with CRC check, a packet reader that
 * reassembles packets across pages for one logical stream, and a page builder for writers.
 *
 * Files are untrusted input, so the reader is a pure function over a buffer: every length is
 * checked against the buffer, packets are bounded by ERTC_OGG_MAX_PACKET (longer ones are
 * dropped and counted, not grown into), each call consumes at least one segment or page so a
 * loop over it always ends, and a malformed page stops the reader with a message that names
 * the offset and the fault. Fuzzed by tests/fuzz/fuzz_ogg.c.
 */
#ifndef ERTC_MEDIA_OGG_H
#define ERTC_MEDIA_OGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_OGG_HEADER_LEN   27
#define ERTC_OGG_MAX_SEGMENTS 255
#define ERTC_OGG_MAX_PAGE     (ERTC_OGG_HEADER_LEN + 255 + 255 * 255)
/* Largest packet the reader reassembles. Opus audio packets are at most 7.7 KB (RFC 6716
 * §3.4 limits a frame to 1275 bytes, six frames to a packet); comment headers with cover art
 * may be bigger, and are skipped. */
#define ERTC_OGG_MAX_PACKET (64 * 1024)
/* Largest packet that fits on one page (254 lacing values of 255 and a last one of 254). */
#define ERTC_OGG_MAX_PAGE_PACKET (255 * 255 - 1)

#define ERTC_OGG_FLAG_CONTINUED 0x01
#define ERTC_OGG_FLAG_BOS       0x02
#define ERTC_OGG_FLAG_EOS       0x04

#define ERTC_OGG_GRANULE_NONE UINT64_MAX /* -1: no packet ends on the page */

typedef struct {
    uint8_t flags;
    uint64_t granule;
    uint32_t serial;
    uint32_t sequence;
    uint8_t segments;
    const uint8_t *lacing; /* segments bytes */
    const uint8_t *body;
    size_t body_len;
    size_t page_len; /* header + lacing + body */
} ertc_ogg_page_t;

/* CRC-32 of RFC 3533 §6 (polynomial 0x04c11db7, not reflected, initial value 0). */
uint32_t ertc_ogg_crc(uint32_t crc, const uint8_t *buf, size_t len);

/* One page at the start of buf. NOT_FOUND when buf holds less than a whole page (more data
 * may come); INVALID_ARG (with *why set) for a page that can never be valid. */
WEBRTC_STATUS ertc_ogg_page_parse(const uint8_t *buf, size_t len, ertc_ogg_page_t *page,
                                  const char **why);

/* Builds one page holding exactly one whole packet (len <= ERTC_OGG_MAX_PAGE_PACKET) into
 * out, or no packet at all when packet is NULL and len 0; *out_len gets the page size.
 * BUFFER_TOO_SMALL when cap is short. */
WEBRTC_STATUS ertc_ogg_page_build(uint8_t flags, uint64_t granule, uint32_t serial,
                                  uint32_t sequence, const uint8_t *packet, size_t len,
                                  uint8_t *out, size_t cap, size_t *out_len);

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos; /* offset of the next page */

    ertc_ogg_page_t page; /* the page being read */
    bool have_page;
    unsigned segment;    /* next lacing value of that page */
    size_t body_pos;     /* next body byte of that page */
    bool skip_continued; /* dropping the tail of a packet whose start we did not see */

    bool locked; /* the stream: the first one that begins (BOS) in the file */
    uint32_t serial;
    bool ended;     /* EOS page read, or a fatal error */
    bool truncated; /* the data ends inside a page (after at least one whole page) */

    size_t packet_len;
    bool packet_partial;  /* the packet goes on in the next page */
    bool packet_too_long; /* longer than ERTC_OGG_MAX_PACKET: being dropped */
    uint64_t packets;
    uint64_t dropped; /* packets dropped: too long, or cut by a missing continuation */
    char error[96];
    uint8_t packet[ERTC_OGG_MAX_PACKET];
} ertc_ogg_reader_t;

/* The reader keeps pointers into data, which must outlive it. */
void ertc_ogg_reader_init(ertc_ogg_reader_t *r, const uint8_t *data, size_t len);
/* Back to the first page (for looping); the stream stays the one already found. */
void ertc_ogg_reader_rewind(ertc_ogg_reader_t *r);

/*
 * The next packet of the stream: *packet points into the reader (valid until the next call),
 * *granule is the page's granule position when this packet is the last to end on its page,
 * else ERTC_OGG_GRANULE_NONE. NOT_FOUND at the end of the stream (EOS or end of data; a
 * packet cut by the end of data is dropped). INVALID_ARG for a malformed file; r->error says
 * where and why, and every later call returns INVALID_ARG too.
 */
WEBRTC_STATUS ertc_ogg_reader_next(ertc_ogg_reader_t *r, const uint8_t **packet, size_t *len,
                                   uint64_t *granule);

#endif
