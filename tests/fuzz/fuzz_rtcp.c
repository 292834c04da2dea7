/*
 * libFuzzer target for peer/rtcp: the input is one compound RTCP packet as it would arrive
 * from the network (after SRTCP). It is walked packet by packet, each packet goes through the
 * decoder for its kind and through the key-frame filter, and what decodes is rebuilt with the
 * builders and decoded again.
 *
 * Invariants (abort on violation):
 *  - the walk stays inside the input, packets are contiguous, and ertc_rtcp_validate agrees
 *    with the walk;
 *  - a decoded SR/RR, SDES CNAME, BYE source list, PLI or FIR rebuilds into a packet that
 *    decodes to the same values;
 *  - a decoded NACK rebuilds into one that covers exactly the same set of sequence numbers
 *    (the builder may group them differently);
 *  - the receiver of a report block gets an RTT only when the block carries an LSR.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/rtcp.h"

#define SEQ_SPACE   65536
#define REBUILD_CAP 4096 /* a NACK of 512 lone sequence numbers: 12 + 512 * 4 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool condition)
{
    if (!condition) {
        abort();
    }
}

static uint8_t rebuilt[REBUILD_CAP];

static ertc_rtcp_packet_t reparse(size_t len)
{
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, rebuilt, len);
    require(ertc_rtcp_iter_next(&it, &pkt) == WEBRTC_STATUS_SUCCESS && pkt.len == len);
    return pkt;
}

static bool same_block(const ertc_rtcp_report_block_t *a, const ertc_rtcp_report_block_t *b)
{
    return a->ssrc == b->ssrc && a->fraction_lost == b->fraction_lost &&
           a->cumulative_lost == b->cumulative_lost && a->ext_highest_seq == b->ext_highest_seq &&
           a->jitter == b->jitter && a->lsr == b->lsr && a->dlsr == b->dlsr;
}

static void check_report(const ertc_rtcp_packet_t *pkt)
{
    static ertc_rtcp_report_t r, again;
    if (ertc_rtcp_parse_report(pkt, &r) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    size_t n = 0;
    WEBRTC_STATUS st = r.has_sender_info ? ertc_rtcp_build_sr(&r, rebuilt, sizeof(rebuilt), &n)
                                         : ertc_rtcp_build_rr(&r, rebuilt, sizeof(rebuilt), &n);
    require(st == WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_packet_t p = reparse(n);
    require(ertc_rtcp_parse_report(&p, &again) == WEBRTC_STATUS_SUCCESS);
    require(again.ssrc == r.ssrc && again.has_sender_info == r.has_sender_info &&
            again.block_count == r.block_count);
    require(again.sender.ntp == r.sender.ntp &&
            again.sender.rtp_timestamp == r.sender.rtp_timestamp &&
            again.sender.packet_count == r.sender.packet_count &&
            again.sender.octet_count == r.sender.octet_count);
    for (size_t i = 0; i < r.block_count; i++) {
        require(same_block(&again.blocks[i], &r.blocks[i]));
        uint32_t rtt = 0;
        require(ertc_rtcp_rtt(r.blocks[i].dlsr ^ r.blocks[i].jitter, r.blocks[i].lsr,
                              r.blocks[i].dlsr, &rtt) == (r.blocks[i].lsr != 0));
    }
}

static void check_sdes(const ertc_rtcp_packet_t *pkt)
{
    static ertc_rtcp_sdes_t s, again;
    if (ertc_rtcp_parse_sdes(pkt, &s) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    require(s.chunk_count == pkt->count);
    for (size_t i = 0; i < s.chunk_count; i++) {
        const ertc_rtcp_sdes_chunk_t *c = &s.chunks[i];
        if (c->cname == NULL || c->cname_len == 0 || memchr(c->cname, 0, c->cname_len) != NULL) {
            continue; /* the builder takes a C string */
        }
        char cname[ERTC_RTCP_MAX_CNAME_LEN + 1];
        memcpy(cname, c->cname, c->cname_len);
        cname[c->cname_len] = '\0';
        size_t n = 0;
        require(ertc_rtcp_build_sdes_cname(c->ssrc, cname, rebuilt, sizeof(rebuilt), &n) ==
                WEBRTC_STATUS_SUCCESS);
        ertc_rtcp_packet_t p = reparse(n);
        require(ertc_rtcp_parse_sdes(&p, &again) == WEBRTC_STATUS_SUCCESS);
        require(again.chunk_count == 1 && again.chunks[0].ssrc == c->ssrc &&
                again.chunks[0].cname_len == c->cname_len &&
                memcmp(again.chunks[0].cname, c->cname, c->cname_len) == 0);
    }
}

static void check_bye(const ertc_rtcp_packet_t *pkt)
{
    static ertc_rtcp_bye_t b, again;
    if (ertc_rtcp_parse_bye(pkt, &b) != WEBRTC_STATUS_SUCCESS || b.ssrc_count == 0) {
        return;
    }
    require(b.reason == NULL || b.reason + b.reason_len <= pkt->body + pkt->body_len);
    size_t n = 0;
    require(ertc_rtcp_build_bye(b.ssrcs, b.ssrc_count, rebuilt, sizeof(rebuilt), &n) ==
            WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_packet_t p = reparse(n);
    require(ertc_rtcp_parse_bye(&p, &again) == WEBRTC_STATUS_SUCCESS);
    require(again.ssrc_count == b.ssrc_count &&
            memcmp(again.ssrcs, b.ssrcs, b.ssrc_count * sizeof(b.ssrcs[0])) == 0);
}

static void mark_all(const ertc_rtcp_nack_t *nack, uint8_t *bits)
{
    memset(bits, 0, SEQ_SPACE / 8);
    for (size_t i = 0; i < nack->count; i++) {
        bits[nack->seqs[i] / 8] |= (uint8_t)(1u << (nack->seqs[i] % 8));
    }
}

static void check_nack(const ertc_rtcp_packet_t *pkt)
{
    static ertc_rtcp_nack_t nack, again;
    static uint8_t bits[SEQ_SPACE / 8], bits_again[SEQ_SPACE / 8];
    if (ertc_rtcp_parse_nack(pkt, &nack) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    require(nack.count > 0 && nack.count <= ERTC_RTCP_MAX_NACK_SEQS);
    size_t n = 0;
    WEBRTC_STATUS st = ertc_rtcp_build_nack(nack.sender_ssrc, nack.media_ssrc, nack.seqs,
                                            nack.count, rebuilt, sizeof(rebuilt), &n);
    require(st == WEBRTC_STATUS_SUCCESS);
    ertc_rtcp_packet_t p = reparse(n);
    require(ertc_rtcp_parse_nack(&p, &again) == WEBRTC_STATUS_SUCCESS && !again.truncated);
    require(again.sender_ssrc == nack.sender_ssrc && again.media_ssrc == nack.media_ssrc);
    mark_all(&nack, bits);
    mark_all(&again, bits_again);
    require(memcmp(bits, bits_again, sizeof(bits)) == 0);
}

static void check_pli_fir(const ertc_rtcp_packet_t *pkt)
{
    ertc_rtcp_fb_t fb;
    size_t n = 0;
    if (ertc_rtcp_parse_pli(pkt, &fb) == WEBRTC_STATUS_SUCCESS) {
        require(ertc_rtcp_build_pli(fb.sender_ssrc, fb.media_ssrc, rebuilt, sizeof(rebuilt), &n) ==
                WEBRTC_STATUS_SUCCESS);
        ertc_rtcp_packet_t p = reparse(n);
        ertc_rtcp_fb_t again;
        require(ertc_rtcp_parse_pli(&p, &again) == WEBRTC_STATUS_SUCCESS &&
                again.sender_ssrc == fb.sender_ssrc && again.media_ssrc == fb.media_ssrc);
    }
    static ertc_rtcp_fir_t fir, fir_again;
    if (ertc_rtcp_parse_fir(pkt, &fir) == WEBRTC_STATUS_SUCCESS) {
        require(fir.count > 0);
        for (size_t i = 0; i < fir.count; i++) {
            require(ertc_rtcp_build_fir(fir.sender_ssrc, fir.entries[i].ssrc, fir.entries[i].seq_nr,
                                        rebuilt, sizeof(rebuilt), &n) == WEBRTC_STATUS_SUCCESS);
            ertc_rtcp_packet_t p = reparse(n);
            require(ertc_rtcp_parse_fir(&p, &fir_again) == WEBRTC_STATUS_SUCCESS &&
                    fir_again.count == 1 && fir_again.entries[0].ssrc == fir.entries[i].ssrc &&
                    fir_again.entries[0].seq_nr == fir.entries[i].seq_nr);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly sized copy, so that reads past `size` are caught */
    uint8_t *buf = malloc(size > 0 ? size : 1);
    require(buf != NULL);
    memcpy(buf, data, size);
    (void)ertc_rtcp_is_rtcp(buf, size);

    ertc_rtcp_keyframe_filter_t filter;
    ertc_rtcp_keyframe_filter_init(&filter, size >= 12 ? ((uint32_t)buf[8] << 24 | buf[11]) : 0);
    ertc_rtcp_iter_t it;
    ertc_rtcp_packet_t pkt;
    ertc_rtcp_iter_init(&it, buf, size);
    size_t expect_at = 0, packets = 0;
    WEBRTC_STATUS st;
    while ((st = ertc_rtcp_iter_next(&it, &pkt)) == WEBRTC_STATUS_SUCCESS) {
        packets++;
        require(pkt.data == buf + expect_at && pkt.len >= ERTC_RTCP_HEADER_LEN &&
                pkt.len % 4 == 0 && pkt.len <= size - expect_at);
        require(pkt.body == pkt.data + ERTC_RTCP_HEADER_LEN &&
                pkt.body_len <= pkt.len - ERTC_RTCP_HEADER_LEN);
        expect_at += pkt.len;
        (void)ertc_rtcp_keyframe_filter_check(&filter, &pkt);
        switch (ertc_rtcp_kind(&pkt)) {
        case ERTC_RTCP_KIND_SR:
        case ERTC_RTCP_KIND_RR: check_report(&pkt); break;
        case ERTC_RTCP_KIND_SDES: check_sdes(&pkt); break;
        case ERTC_RTCP_KIND_BYE: check_bye(&pkt); break;
        case ERTC_RTCP_KIND_NACK: check_nack(&pkt); break;
        case ERTC_RTCP_KIND_PLI:
        case ERTC_RTCP_KIND_FIR: check_pli_fir(&pkt); break;
        default: {
            ertc_rtcp_fb_t fb;
            (void)ertc_rtcp_parse_fb(&pkt, &fb);
            break;
        }
        }
    }
    WEBRTC_STATUS valid = ertc_rtcp_validate(buf, size);
    require((valid == WEBRTC_STATUS_SUCCESS) ==
            (st == WEBRTC_STATUS_NOT_FOUND && packets > 0 && expect_at == size));
    free(buf);
    return 0;
}
