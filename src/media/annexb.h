/*
 * media/annexb — H.264 Annex-B byte streams (ITU-T H.264 Annex B): finding NAL units between
 * start codes and grouping them into access units (§7.4.1.2.3), for the file source and for
 * checking what the encoder produced.
 *
 * An access unit starts at the first of these that follows a coded slice of the previous one:
 * an access unit delimiter (9), SEI (6), SPS (7), PPS (8), types 14-18, or a slice (1-5)
 * whose first_mb_in_slice is 0 — the first macroblock of a new picture. That is enough for
 * streams without arbitrary slice order, which is all a Constrained Baseline camera makes.
 * Pure functions over buffers, bounded by the buffer.
 */
#ifndef ERTC_MEDIA_ANNEXB_H
#define ERTC_MEDIA_ANNEXB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    ERTC_NAL_SLICE = 1,
    ERTC_NAL_IDR = 5,
    ERTC_NAL_SEI = 6,
    ERTC_NAL_SPS = 7,
    ERTC_NAL_PPS = 8,
    ERTC_NAL_AUD = 9,
};

typedef struct {
    size_t start;        /* offset of the start code (3 or 4 bytes) */
    size_t offset;       /* offset of the NAL header byte */
    size_t len;          /* bytes from the header byte to the next start code or the end */
    const uint8_t *data; /* buf + offset */
    uint8_t type;        /* nal_unit_type; 0 for an empty NAL */
} ertc_nal_t;

/* The next NAL at or after *pos; advances *pos past it. false when no start code is left. */
bool ertc_annexb_next_nal(const uint8_t *buf, size_t len, size_t *pos, ertc_nal_t *nal);

typedef struct {
    size_t offset; /* of the first start code of the unit */
    size_t len;
    bool has_idr; /* holds an IDR slice */
    bool has_sps;
    bool has_pps;
    unsigned nal_count;
} ertc_access_unit_t;

/* The next access unit at or after *pos (bytes before the first start code are skipped);
 * advances *pos. false when no NAL unit is left. */
bool ertc_annexb_next_au(const uint8_t *buf, size_t len, size_t *pos, ertc_access_unit_t *au);

#endif
