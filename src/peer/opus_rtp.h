/*
 * peer/opus_rtp — Opus over RTP (RFC 7587): timestamp arithmetic for the sender and a
 * pass-through depacketizer with loss detection for the receiver.
 *
 * RFC 7587 §4.2: an RTP payload is exactly one Opus packet, and the RTP clock always runs at
 * 48 kHz whatever the codec's internal sampling rate, so a 20 ms packet advances the timestamp
 * by 960. The SDP always says opus/48000/2 (§7), even for mono.
 *
 * ertc_opus_packet_samples() reads a packet's duration from its TOC byte (RFC 6716 §3.1,
 * §3.2), which lets a sender advance its timestamp by what the encoder really produced and a
 * receiver know how much audio a lost packet held.
 *
 * The depacketizer does not buffer: each in-order packet is handed straight back with the
 * number of packets missing before it and the number of samples to conceal (from the
 * timestamp gap, which also covers DTX silence, RFC 7587 §3.1.3). Late and duplicate packets
 * are dropped — an audio jitter buffer, if one is wanted, sits after this.
 */
#ifndef ERTC_PEER_OPUS_RTP_H
#define ERTC_PEER_OPUS_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/rtp.h"
#include "webrtc_status.h"

#define ERTC_OPUS_CLOCK_RATE   48000 /* RFC 7587 §4.1 */
#define ERTC_OPUS_CHANNELS_SDP 2     /* "opus/48000/2" */
/* RFC 6716 §3.2.5: a packet holds at most 120 ms of audio. */
#define ERTC_OPUS_MAX_PACKET_SAMPLES (ERTC_OPUS_CLOCK_RATE * 120 / 1000)
/* A timestamp gap larger than this (1 s) is not concealed sample by sample: the stream paused
 * or restarted. */
#define ERTC_OPUS_MAX_CONCEAL_SAMPLES ERTC_OPUS_CLOCK_RATE

/* Timestamp increment for a frame of `duration_us` microseconds: 20000 → 960, 2500 → 120. */
uint32_t ertc_opus_rtp_ts_increment(uint32_t duration_us);

/* Samples per channel at 48 kHz in one Opus packet, from its TOC byte and frame count; 0 when
 * the packet is empty or its framing is invalid (code 1 with an odd body, code 3 with no
 * frame count byte or 0 frames, more than 120 ms). */
uint32_t ertc_opus_packet_samples(const uint8_t *pkt, size_t len);

typedef struct {
    bool play;           /* false: late, duplicate or malformed — nothing to decode */
    const uint8_t *data; /* the Opus packet (the RTP payload) */
    size_t len;
    uint32_t timestamp;
    uint32_t samples;      /* duration of this packet, 0 when its TOC is invalid */
    uint32_t lost_packets; /* sequence numbers missing just before this packet */
    uint32_t lost_samples; /* timestamp gap before it: lost audio or DTX silence to conceal */
} ertc_opus_frame_t;

typedef struct {
    uint64_t packets;
    uint64_t packets_lost;
    uint64_t packets_late; /* late or duplicate */
    uint64_t packets_malformed;
    uint64_t resyncs;
} ertc_opus_depacketizer_stats_t;

typedef struct {
    bool started;
    uint16_t next_seq;
    bool have_next_ts;
    uint32_t next_ts; /* where the audio of the last packet ended */
    bool have_bad_seq;
    uint16_t bad_seq;
    ertc_opus_depacketizer_stats_t stats;
} ertc_opus_depacketizer_t;

void ertc_opus_depacketizer_init(ertc_opus_depacketizer_t *d);

/* Takes one packet; `out->play` says whether it is to be decoded. Only NULL arguments fail. */
WEBRTC_STATUS ertc_opus_depacketizer_push(ertc_opus_depacketizer_t *d, uint16_t seq,
                                          uint32_t timestamp, const uint8_t *payload, size_t len,
                                          ertc_opus_frame_t *out);

WEBRTC_STATUS ertc_opus_depacketizer_push_rtp(ertc_opus_depacketizer_t *d,
                                              const ertc_rtp_packet_t *pkt, ertc_opus_frame_t *out);

#endif
