/*
 * peer/opus_rtp — Opus RTP payload helpers (RFC 7587) and the TOC-byte duration rules of
 * RFC 6716 §3.1-3.2. See opus_rtp.h.
 */
#include "peer/opus_rtp.h"

#include <string.h>

#define US_PER_SECOND 1000000u

/* TOC byte: config(5) s(1) c(2); code 3 adds a byte v(1) p(1) M(6). */
#define TOC_CONFIG_SHIFT 3
#define TOC_CODE_MASK    0x03u
#define FRAME_COUNT_MASK 0x3Fu

/* Frame durations in 48 kHz samples by TOC config (RFC 6716 Table 2): SILK-only configs 0-11
 * cycle through 10/20/40/60 ms, hybrid 12-15 through 10/20 ms, CELT-only 16-31 through
 * 2.5/5/10/20 ms. */
static uint32_t frame_samples(unsigned config)
{
    static const uint32_t silk[4] = {480, 960, 1920, 2880};
    static const uint32_t hybrid[2] = {480, 960};
    static const uint32_t celt[4] = {120, 240, 480, 960};
    if (config < 12) {
        return silk[config % 4];
    }
    if (config < 16) {
        return hybrid[config % 2];
    }
    return celt[config % 4];
}

uint32_t ertc_opus_rtp_ts_increment(uint32_t duration_us)
{
    return (uint32_t)((uint64_t)duration_us * ERTC_OPUS_CLOCK_RATE / US_PER_SECOND);
}

uint32_t ertc_opus_packet_samples(const uint8_t *pkt, size_t len)
{
    if (pkt == NULL || len == 0) {
        return 0;
    }
    uint32_t per_frame = frame_samples(pkt[0] >> TOC_CONFIG_SHIFT);
    uint32_t frames;
    switch (pkt[0] & TOC_CODE_MASK) {
    case 0: frames = 1; break;
    case 1:
        /* two frames of equal size (§3.2.3) */
        if ((len - 1) % 2 != 0) {
            return 0;
        }
        frames = 2;
        break;
    case 2:
        if (len < 2) {
            return 0; /* the first frame's length is missing (§3.2.4) */
        }
        frames = 2;
        break;
    default:
        if (len < 2) {
            return 0;
        }
        frames = pkt[1] & FRAME_COUNT_MASK;
        if (frames == 0) {
            return 0;
        }
        break;
    }
    uint32_t total = frames * per_frame;
    return total <= ERTC_OPUS_MAX_PACKET_SAMPLES ? total : 0;
}

void ertc_opus_depacketizer_init(ertc_opus_depacketizer_t *d)
{
    if (d != NULL) {
        memset(d, 0, sizeof(*d));
    }
}

/* RFC 3550 §A.1: a large jump is believed when the next packet follows it. */
static bool accept_jump(ertc_opus_depacketizer_t *d, uint16_t seq)
{
    if (!d->have_bad_seq || seq != d->bad_seq) {
        d->have_bad_seq = true;
        d->bad_seq = (uint16_t)(seq + 1);
        return false;
    }
    d->have_bad_seq = false;
    d->stats.resyncs++;
    d->next_seq = seq;
    d->have_next_ts = false;
    return true;
}

WEBRTC_STATUS ertc_opus_depacketizer_push(ertc_opus_depacketizer_t *d, uint16_t seq,
                                          uint32_t timestamp, const uint8_t *payload, size_t len,
                                          ertc_opus_frame_t *out)
{
    if (d == NULL || out == NULL || (payload == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    d->stats.packets++;
    if (!d->started) {
        d->started = true;
        d->next_seq = seq;
    }
    int32_t diff = ertc_rtp_seq_diff(seq, d->next_seq);
    if (diff > ERTC_RTP_MAX_DROPOUT || diff < -ERTC_RTP_MAX_MISORDER) {
        if (!accept_jump(d, seq)) {
            d->stats.packets_late++;
            return WEBRTC_STATUS_SUCCESS;
        }
        diff = 0;
    } else if (diff < 0) {
        d->stats.packets_late++;
        return WEBRTC_STATUS_SUCCESS;
    }
    out->lost_packets = (uint32_t)diff;
    d->stats.packets_lost += (uint32_t)diff;
    d->next_seq = (uint16_t)(seq + 1);

    if (d->have_next_ts) {
        int32_t gap = (int32_t)(timestamp - d->next_ts);
        if (gap > 0 && gap <= ERTC_OPUS_MAX_CONCEAL_SAMPLES) {
            out->lost_samples = (uint32_t)gap;
        }
    }
    out->timestamp = timestamp;
    out->data = payload;
    out->len = len;
    out->samples = ertc_opus_packet_samples(payload, len);
    if (out->samples == 0) {
        /* its audio is concealed with the next packet's lost_samples */
        d->stats.packets_malformed++;
        return WEBRTC_STATUS_SUCCESS;
    }
    d->have_next_ts = true;
    d->next_ts = timestamp + out->samples;
    out->play = true;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_opus_depacketizer_push_rtp(ertc_opus_depacketizer_t *d,
                                              const ertc_rtp_packet_t *pkt, ertc_opus_frame_t *out)
{
    if (pkt == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    return ertc_opus_depacketizer_push(d, pkt->header.seq, pkt->header.timestamp, pkt->payload,
                                       pkt->payload_len, out);
}
