/*
 * libFuzzer target for the RTP receive path: peer/rtp parsing, the H.264 depacketizer (with
 * its reordering window), the Opus depacketizer, receiver statistics and the NACK generator,
 * all fed the same packet sequence; every frame the depacketizer delivers is packetized again.
 *
 * Input: byte 0 picks the depacketizer configuration, then records of [length (2 bytes, big
 * endian)][packet bytes], one RTP packet each. A record whose length has the top bit set also
 * calls flush() before the packet (as a receiver's timer would).
 *
 * Invariants (abort on violation):
 *  - a packet that parses rebuilds (ertc_rtp_build from its fields) into one that parses to
 *    the same fields, payload and padding, unless its extension block was not split into
 *    elements;
 *  - delivered frames fit max_frame_size, start with a 4-byte start code, and hold an IDR
 *    NAL unit when they say they are keyframes;
 *  - packetizing a delivered frame gives payloads within the budget and the marker on the last
 *    one only;
 *  - the depacketizer never holds more packets than its window; NACK lists are ascending.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/h264_depacketizer.h"
#include "peer/h264_packetizer.h"
#include "peer/nack_history.h"
#include "peer/opus_rtp.h"
#include "peer/rtcp.h"
#include "peer/rtp.h"
#include "peer/rtp_receiver_stats.h"

#define FLUSH_FLAG      0x8000u
#define LENGTH_MASK     0x7FFFu
#define SMALL_MAX_FRAME 4096u
#define REBUILD_CAP     65536 /* a rebuilt packet is never longer than the parsed one */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool condition)
{
    if (!condition) {
        abort();
    }
}

static uint8_t rebuilt[REBUILD_CAP];

static bool same_header(const ertc_rtp_header_t *a, const ertc_rtp_header_t *b)
{
    if (a->marker != b->marker || a->payload_type != b->payload_type || a->seq != b->seq ||
        a->timestamp != b->timestamp || a->ssrc != b->ssrc || a->csrc_count != b->csrc_count ||
        a->ext_count != b->ext_count) {
        return false;
    }
    for (size_t i = 0; i < a->csrc_count; i++) {
        if (a->csrc[i] != b->csrc[i]) {
            return false;
        }
    }
    for (size_t i = 0; i < a->ext_count; i++) {
        if (a->ext[i].id != b->ext[i].id || a->ext[i].len != b->ext[i].len ||
            (a->ext[i].len > 0 && memcmp(a->ext[i].data, b->ext[i].data, a->ext[i].len) != 0)) {
            return false;
        }
    }
    return true;
}

static void check_rebuild(const ertc_rtp_packet_t *pkt)
{
    if (pkt->ext_form == ERTC_RTP_EXT_OTHER || pkt->ext_dropped > 0) {
        return;
    }
    size_t n = 0;
    require(ertc_rtp_build(&pkt->header, pkt->payload, pkt->payload_len, pkt->padding_len, rebuilt,
                           sizeof(rebuilt), &n) == WEBRTC_STATUS_SUCCESS);
    ertc_rtp_packet_t again;
    require(ertc_rtp_parse(rebuilt, n, &again) == WEBRTC_STATUS_SUCCESS);
    require(same_header(&pkt->header, &again.header));
    require(again.payload_len == pkt->payload_len && again.padding_len == pkt->padding_len);
    require(pkt->payload_len == 0 || memcmp(again.payload, pkt->payload, pkt->payload_len) == 0);
}

typedef struct {
    size_t max_frame;
    ertc_h264_packetizer_t packetizer;
    uint8_t payload[ERTC_RTP_DEFAULT_MTU];
} frame_check_t;

static WEBRTC_STATUS check_payload(const uint8_t *payload, size_t len, bool marker, void *ctx)
{
    ertc_h264_packetizer_t *p = ctx;
    require(payload != NULL && len > 0 && len <= ertc_h264_packetizer_max_payload(p));
    require(marker == !ertc_h264_packetizer_has_next(p));
    return WEBRTC_STATUS_SUCCESS;
}

static void on_frame(const ertc_h264_frame_t *frame, void *ctx)
{
    frame_check_t *fc = ctx;
    require(frame->len >= ERTC_H264_START_CODE_LEN + 1 && frame->len <= fc->max_frame);
    require(memcmp(frame->data, "\x00\x00\x00\x01", 4) == 0);
    /* (payload bytes may hold start codes of their own, so an IDR can appear that the
     * depacketizer did not see; the converse cannot happen) */
    require(!frame->keyframe || ertc_h264_is_keyframe(frame->data, frame->len));
    require(ertc_h264_packetize(&fc->packetizer, frame->data, frame->len, fc->payload,
                                sizeof(fc->payload), check_payload,
                                &fc->packetizer) == WEBRTC_STATUS_SUCCESS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    /* one depacketizer per configuration, reset for each input: allocating the 1 MiB frame
     * buffer for every input would make the target a hundred times slower */
    static const size_t windows[4] = {1, 4, 32, 0};
    static ertc_h264_depacketizer_t depacketizers[16];
    static bool ready[16];
    unsigned config = mode & 0x0F;
    ertc_h264_depacketizer_t *dp = &depacketizers[config];
    if (!ready[config]) {
        ertc_h264_depacketizer_config_t cfg = {(mode & 0x04) ? SMALL_MAX_FRAME : 0,
                                               windows[mode & 3], (mode & 0x08) != 0};
        require(ertc_h264_depacketizer_init(dp, &cfg) == WEBRTC_STATUS_SUCCESS);
        ready[config] = true;
    }
    ertc_h264_depacketizer_reset(dp);
    memset(&dp->stats, 0, sizeof(dp->stats));
    static frame_check_t fc;
    fc.max_frame = dp->max_frame;
    ertc_h264_packetizer_config_t pcfg = {64 + (size_t)(mode >> 4) * 70, 12, (mode & 0x10) != 0};
    require(ertc_h264_packetizer_init(&fc.packetizer, &pcfg) == WEBRTC_STATUS_SUCCESS);

    ertc_opus_depacketizer_t opus;
    ertc_opus_depacketizer_init(&opus);
    ertc_rtp_receiver_stats_t stats;
    ertc_rtp_receiver_stats_init(&stats, 0, ERTC_H264_CLOCK_RATE);
    static ertc_nack_generator_t nack;
    require(ertc_nack_generator_init(&nack, NULL) == WEBRTC_STATUS_SUCCESS);

    size_t pos = 1;
    uint64_t now_ms = 0;
    while (size - pos >= 2) {
        unsigned field = ((unsigned)data[pos] << 8) | data[pos + 1];
        pos += 2;
        size_t len = field & LENGTH_MASK;
        if (len > size - pos) {
            len = size - pos;
        }
        if (field & FLUSH_FLAG) {
            ertc_h264_depacketizer_flush(dp, on_frame, &fc);
            require(ertc_h264_depacketizer_held(dp) == 0);
        }
        /* an exactly sized copy, so that reads past `len` are caught */
        uint8_t *packet = malloc(len > 0 ? len : 1);
        require(packet != NULL);
        memcpy(packet, data + pos, len);
        pos += len;
        now_ms += 20;

        ertc_rtp_packet_t pkt;
        if (ertc_rtp_parse(packet, len, &pkt) == WEBRTC_STATUS_SUCCESS) {
            require(pkt.header_len + pkt.payload_len + pkt.padding_len == len);
            check_rebuild(&pkt);
            require(ertc_h264_depacketizer_push_rtp(dp, &pkt, on_frame, &fc) ==
                    WEBRTC_STATUS_SUCCESS);
            require(ertc_h264_depacketizer_held(dp) <= dp->window);
            ertc_opus_frame_t of;
            require(ertc_opus_depacketizer_push_rtp(&opus, &pkt, &of) == WEBRTC_STATUS_SUCCESS);
            require(!of.play || of.samples > 0);
            (void)ertc_rtp_receiver_stats_update(&stats, pkt.header.seq, pkt.header.timestamp,
                                                 now_ms * 1000);
            ertc_nack_generator_on_packet(&nack, pkt.header.seq);
            uint16_t seqs[ERTC_NACK_GEN_MAX_MISSING];
            size_t n = ertc_nack_generator_collect(&nack, now_ms, seqs, ERTC_NACK_GEN_MAX_MISSING);
            for (size_t i = 1; i < n; i++) {
                require(ertc_rtp_seq_newer(seqs[i], seqs[i - 1]));
            }
        }
        free(packet);
    }
    ertc_h264_depacketizer_flush(dp, on_frame, &fc);
    (void)ertc_h264_depacketizer_take_keyframe_request(dp);
    ertc_rtcp_report_block_t block;
    ertc_rtp_receiver_stats_report(&stats, 0, &block);
    return 0;
}
