/*
 * libFuzzer target for media/ogg and media/ogg_opus: the input is an Ogg file as the Ogg/Opus
 * file source would read it. Every packet of the first stream is read (and tried as OpusHead
 * and OpusTags), then the reader is rewound and the file read again.
 *
 * Invariants (abort on violation):
 *  - the reader ends (NOT_FOUND or INVALID_ARG) within one call per lacing value and page,
 *    and an error comes with a message and stays;
 *  - packets are at most ERTC_OGG_MAX_PACKET bytes and lie inside the reader's buffer;
 *  - a second pass after rewind gives the same packet count and total length;
 *  - an OpusHead that parses rebuilds into a packet that parses to the same values;
 *  - every page the parser accepts rebuilds, when it holds one whole packet, into the same
 *    bytes (the builder and parser agree on layout and CRC).
 *
 * Random bytes rarely carry a right CRC, so each input also runs a second time with the CRC
 * of every page-shaped region written in, which lets the fuzzer reach the packet logic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/ogg.h"
#include "media/ogg_opus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool condition)
{
    if (!condition) {
        abort();
    }
}

static ertc_ogg_reader_t reader;

static void check_head(const uint8_t *pkt, size_t len)
{
    const char *why = NULL;
    ertc_opus_head_t head, again;
    if (ertc_opus_head_parse(pkt, len, &head, &why) != WEBRTC_STATUS_SUCCESS) {
        require(why != NULL);
        return;
    }
    uint8_t buf[ERTC_OPUS_HEAD_LEN];
    size_t n = 0;
    require(ertc_opus_head_build(&head, buf, sizeof(buf), &n) == WEBRTC_STATUS_SUCCESS);
    require(ertc_opus_head_parse(buf, n, &again, &why) == WEBRTC_STATUS_SUCCESS);
    require(again.channels == head.channels && again.pre_skip == head.pre_skip &&
            again.input_rate == head.input_rate && again.output_gain == head.output_gain);
}

static void read_all(uint64_t *packets, uint64_t *bytes, size_t size)
{
    const uint8_t *pkt = NULL;
    size_t len = 0;
    uint64_t granule = 0;
    WEBRTC_STATUS st;
    uint64_t calls = 0;
    *packets = *bytes = 0;
    while ((st = ertc_ogg_reader_next(&reader, &pkt, &len, &granule)) == WEBRTC_STATUS_SUCCESS) {
        require(len <= ERTC_OGG_MAX_PACKET);
        require(pkt == reader.packet);
        if (*packets < 2) {
            check_head(pkt, len);
            const char *why = NULL;
            (void)ertc_opus_tags_check(pkt, len, &why);
        }
        (*packets)++;
        *bytes += len;
        require(++calls <= size + 1); /* every packet needs at least one lacing value */
    }
    require(st == WEBRTC_STATUS_NOT_FOUND || st == WEBRTC_STATUS_INVALID_ARG);
    require((st == WEBRTC_STATUS_INVALID_ARG) == (reader.error[0] != '\0'));
    require(ertc_ogg_reader_next(&reader, &pkt, &len, &granule) == st);
}

static void check_pages(const uint8_t *buf, size_t size)
{
    static uint8_t rebuilt[ERTC_OGG_MAX_PAGE];
    size_t pos = 0;
    ertc_ogg_page_t page;
    const char *why = NULL;
    while (pos < size &&
           ertc_ogg_page_parse(buf + pos, size - pos, &page, &why) == WEBRTC_STATUS_SUCCESS) {
        require(page.page_len <= size - pos && page.page_len <= ERTC_OGG_MAX_PAGE);
        bool one_packet = page.segments > 0 && page.lacing[page.segments - 1] < 255;
        for (unsigned i = 0; i + 1 < page.segments; i++) {
            one_packet &= page.lacing[i] == 255;
        }
        if (one_packet) {
            size_t n = 0;
            require(ertc_ogg_page_build(page.flags, page.granule, page.serial, page.sequence,
                                        page.body, page.body_len, rebuilt, sizeof(rebuilt),
                                        &n) == WEBRTC_STATUS_SUCCESS);
            require(n == page.page_len && memcmp(rebuilt, buf + pos, n) == 0);
        }
        pos += page.page_len;
    }
}

/* Writes the right CRC into every page that the input lays out (as far as it goes). */
static void fix_crcs(uint8_t *buf, size_t size)
{
    size_t pos = 0;
    while (size - pos >= ERTC_OGG_HEADER_LEN && memcmp(buf + pos, "OggS", 4) == 0) {
        size_t segments = buf[pos + 26];
        if (size - pos < ERTC_OGG_HEADER_LEN + segments) {
            return;
        }
        size_t len = ERTC_OGG_HEADER_LEN + segments;
        for (size_t i = 0; i < segments; i++) {
            len += buf[pos + ERTC_OGG_HEADER_LEN + i];
        }
        if (len > size - pos) {
            return;
        }
        memset(buf + pos + 22, 0, 4);
        uint32_t crc = ertc_ogg_crc(0, buf + pos, len);
        for (int i = 0; i < 4; i++) {
            buf[pos + 22 + (size_t)i] = (uint8_t)(crc >> (8 * i));
        }
        pos += len;
    }
}

static void run(uint8_t *buf, size_t size)
{
    ertc_ogg_reader_init(&reader, buf, size);
    uint64_t packets = 0, bytes = 0, packets2 = 0, bytes2 = 0;
    read_all(&packets, &bytes, size);
    bool failed = reader.error[0] != '\0';
    ertc_ogg_reader_rewind(&reader);
    read_all(&packets2, &bytes2, size);
    require(failed ? (packets2 == 0) : (packets2 == packets && bytes2 == bytes));

    check_pages(buf, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly sized copy, so that reads past `size` are caught */
    uint8_t *buf = malloc(size > 0 ? size : 1);
    require(buf != NULL);
    memcpy(buf, data, size);
    run(buf, size);
    fix_crcs(buf, size);
    run(buf, size);
    free(buf);
    return 0;
}
