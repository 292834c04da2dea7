/*
 * media/annexb — NAL units and access units in an H.264 Annex-B stream (see annexb.h).
 */
#include "media/annexb.h"

/* Offset of the next 00 00 01 at or after `from`, or len. */
static size_t find_start_code(const uint8_t *buf, size_t len, size_t from)
{
    for (size_t i = from; i + 3 <= len; i++) {
        if (buf[i + 2] > 1) {
            i += 2; /* no start code can begin at i, i+1 or i+2 */
            continue;
        }
        if (buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1) {
            return i;
        }
    }
    return len;
}

bool ertc_annexb_next_nal(const uint8_t *buf, size_t len, size_t *pos, ertc_nal_t *nal)
{
    if (buf == NULL || *pos >= len) {
        return false;
    }
    size_t sc = find_start_code(buf, len, *pos);
    if (sc >= len) {
        *pos = len;
        return false;
    }
    size_t start = (sc > *pos && buf[sc - 1] == 0) ? sc - 1 : sc; /* 4-byte start code */
    size_t offset = sc + 3;
    size_t next = find_start_code(buf, len, offset);
    size_t end = next;
    if (next < len && end > offset && buf[end - 1] == 0) {
        end--; /* the zero byte of the next 4-byte start code */
    }
    nal->start = start;
    nal->offset = offset;
    nal->len = end > offset ? end - offset : 0;
    nal->data = buf + offset;
    nal->type = nal->len > 0 ? (uint8_t)(buf[offset] & 0x1f) : 0;
    *pos = end;
    return true;
}

static bool is_slice(uint8_t type)
{
    return type >= ERTC_NAL_SLICE && type <= ERTC_NAL_IDR;
}

/* Does this NAL begin a new access unit when the current one already has a slice? */
static bool begins_access_unit(const ertc_nal_t *nal)
{
    switch (nal->type) {
    case ERTC_NAL_SEI:
    case ERTC_NAL_SPS:
    case ERTC_NAL_PPS:
    case ERTC_NAL_AUD:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18: return true;
    default: break;
    }
    /* first_mb_in_slice is ue(v) right after the header byte; 0 codes as a single 1 bit. */
    return is_slice(nal->type) && nal->len >= 2 && (nal->data[1] & 0x80) != 0;
}

bool ertc_annexb_next_au(const uint8_t *buf, size_t len, size_t *pos, ertc_access_unit_t *au)
{
    ertc_nal_t nal;
    if (!ertc_annexb_next_nal(buf, len, pos, &nal)) {
        return false;
    }
    au->offset = nal.start;
    au->has_idr = au->has_sps = au->has_pps = false;
    au->nal_count = 0;
    bool has_slice = false;
    size_t end;
    for (;;) {
        au->nal_count++;
        au->has_idr |= nal.type == ERTC_NAL_IDR;
        au->has_sps |= nal.type == ERTC_NAL_SPS;
        au->has_pps |= nal.type == ERTC_NAL_PPS;
        has_slice |= is_slice(nal.type);
        end = nal.offset + nal.len;

        size_t look = *pos;
        ertc_nal_t next;
        if (!ertc_annexb_next_nal(buf, len, &look, &next)) {
            end = len; /* trailing bytes after the last start code belong to the last NAL */
            *pos = len;
            break;
        }
        if ((has_slice && begins_access_unit(&next)) || next.type == ERTC_NAL_AUD) {
            *pos = next.start;
            break;
        }
        nal = next;
        *pos = look;
    }
    au->len = end - au->offset;
    return true;
}
