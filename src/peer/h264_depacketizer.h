/*
 * peer/h264_depacketizer — RTP payloads (RFC 6184, packetization-mode 0 and 1) back into H.264
 * access units in Annex-B form, for a receiver.
 *
 * Payloads: single NAL unit packets (types 1-23), STAP-A (24) and FU-A (28). Types 0, 30 and
 * 31 are ignored (RFC 6184 §5.2: a receiver MUST ignore them); the interleaved-mode types
 * (STAP-B, MTAP16/24, FU-B) and any malformed payload damage the frame they belong to.
 * Access units are grouped by RTP timestamp: one ends at its marker bit or, when a sender
 * leaves the marker off, when a packet with another timestamp arrives. Each NAL unit is
 * written with a 4-byte start code into one buffer of at most max_frame_size bytes (default
 * 1 MiB); a frame that does not fit is dropped and counted. The buffer is not allocated up
 * front: it starts at ERTC_H264_INITIAL_FRAME_CAP bytes with the first frame and doubles (up to
 * max_frame_size) when a frame needs more, then keeps its size, the largest frame seen so far
 * (key frames come back every GOP: shrinking after each would only make the allocator work).
 * A receiver of 720p video thus holds ~64-128 KiB rather than the 1 MiB limit.
 *
 * Reordering: packets go through a small window (reorder_window packets, default 32) that
 * puts them back in sequence-number order, so a packet that arrives a little late — including
 * a retransmission answering our NACK — still completes its frame. A packet arriving in order
 * is processed in place; only packets that arrive ahead of a gap are copied into the window
 * (up to ERTC_H264_REORDER_SLOT_SIZE bytes each; the window's storage is allocated at the
 * first packet held, so a loss-free path never pays for it). A gap is declared lost when the window
 * overflows, or when the caller calls ertc_h264_depacketizer_flush() — e.g. on a timer, or
 * when its NACK generator gives up on a sequence number. reorder_window = 1 turns reordering
 * off: every gap is a loss at once. Packets older than what was already released are dropped
 * as late (duplicates included). A jump of more than ERTC_RTP_MAX_DROPOUT or back by more
 * than ERTC_RTP_MAX_MISORDER is taken as a sender restart after two consecutive packets
 * confirm it (RFC 3550 §A.1).
 *
 * Loss: a lost packet damages the frame in progress and the next one (the missing packets may
 * have been the end of one or the start of the other), and FU-A fragments without their start
 * or end damage their frame too. Damaged frames are dropped, not delivered half-decoded, and
 * a key frame is requested (take_keyframe_request(), which the receiver turns into an RTCP
 * PLI). Until an IDR frame arrives whole, later delta frames are dropped as well (they refer
 * to what was lost) — unless keep_delta_frames is set. The same wait applies at the start of
 * a stream.
 *
 * The frame callback runs inside push() and flush(); its frame is valid only during the call,
 * and it must not call back into the same depacketizer.
 */
#ifndef ERTC_PEER_H264_DEPACKETIZER_H
#define ERTC_PEER_H264_DEPACKETIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/h264_packetizer.h"
#include "peer/rtp.h"
#include "webrtc_status.h"

#define ERTC_H264_DEFAULT_MAX_FRAME      (1024u * 1024u)
#define ERTC_H264_MAX_FRAME_LIMIT        (16u * 1024u * 1024u)
#define ERTC_H264_INITIAL_FRAME_CAP      (16u * 1024u) /* first size of the frame buffer */
#define ERTC_H264_DEFAULT_REORDER_WINDOW 32u
#define ERTC_H264_MAX_REORDER_WINDOW     512u
/* An out-of-order payload larger than this is not held (it then counts as lost). RTP over
 * UDP on an Ethernet path never carries more. */
#define ERTC_H264_REORDER_SLOT_SIZE 1500u
#define ERTC_H264_START_CODE_LEN    4

typedef struct {
    size_t max_frame_size;  /* 0 = ERTC_H264_DEFAULT_MAX_FRAME; at most ERTC_H264_MAX_FRAME_LIMIT */
    size_t reorder_window;  /* 0 = ERTC_H264_DEFAULT_REORDER_WINDOW; 1 = no reordering */
    bool keep_delta_frames; /* deliver delta frames after a loss instead of waiting for an IDR */
} ertc_h264_depacketizer_config_t;

typedef struct {
    const uint8_t *data; /* Annex-B, 4-byte start codes */
    size_t len;
    uint32_t timestamp;
    bool keyframe; /* contains an IDR slice */
} ertc_h264_frame_t;

typedef void (*ertc_h264_frame_fn)(const ertc_h264_frame_t *frame, void *ctx);

typedef struct {
    uint64_t packets;           /* pushed */
    uint64_t packets_lost;      /* sequence numbers declared lost */
    uint64_t packets_late;      /* arrived after their place was released; duplicates */
    uint64_t packets_reordered; /* arrived ahead of a gap and were held */
    uint64_t packets_too_big;   /* ahead of a gap but too big to hold */
    uint64_t packets_malformed; /* payloads that do not parse or use an unsupported type */
    uint64_t frames;            /* delivered */
    uint64_t frames_dropped;    /* damaged by loss, malformed payloads or size */
    uint64_t frames_oversize;   /* of frames_dropped: over max_frame_size */
    uint64_t frames_skipped;    /* whole delta frames dropped while waiting for an IDR */
    uint64_t keyframe_requests; /* times a key frame request was raised */
    uint64_t resyncs;           /* sender restarts (large sequence jumps) */
    uint64_t alloc_failures;    /* frames dropped / packets not held for lack of memory */
} ertc_h264_depacketizer_stats_t;

typedef struct {
    bool used;
    uint16_t seq;
    uint16_t len;
    bool marker;
    uint32_t timestamp;
} ertc_h264_reorder_slot_t;

typedef struct {
    size_t max_frame;
    size_t window;
    bool keep_delta_frames;
    uint8_t *frame;                  /* frame_cap bytes (NULL until the first frame) */
    size_t frame_cap;                /* grows up to max_frame, never shrinks */
    size_t slot_count;               /* window rounded up to a power of two */
    uint8_t *slot_data;              /* slot_count * ERTC_H264_REORDER_SLOT_SIZE bytes, or
                                      * NULL until a packet is first held */
    ertc_h264_reorder_slot_t *slots; /* indexed by seq % slot_count */

    /* sequencing */
    bool started;
    uint16_t expected; /* the next sequence number to release */
    size_t held;       /* packets waiting in the window */
    uint16_t newest_held;
    bool have_bad_seq;
    uint16_t bad_seq;  /* RFC 3550 §A.1: a jump is believed when this one follows */
    bool loss_pending; /* packets were lost just before the next one released */

    /* the access unit being assembled */
    bool in_frame;
    uint32_t frame_ts;
    size_t frame_len;
    bool frame_damaged;
    bool frame_oversize;
    bool frame_keyframe;
    bool in_fu; /* an FU-A has started and not ended */
    uint8_t fu_type;

    bool waiting_keyframe;
    bool keyframe_request;
    ertc_h264_depacketizer_stats_t stats;
} ertc_h264_depacketizer_t;

/* Allocates the frame buffer and the window. NOT_ENOUGH_MEMORY, INVALID_ARG (limits). A NULL
 * config takes the defaults. */
WEBRTC_STATUS ertc_h264_depacketizer_init(ertc_h264_depacketizer_t *d,
                                          const ertc_h264_depacketizer_config_t *config);
void ertc_h264_depacketizer_free(ertc_h264_depacketizer_t *d);

/* Forgets all state except the statistics (e.g. on an SSRC change). */
void ertc_h264_depacketizer_reset(ertc_h264_depacketizer_t *d);

/* Takes one RTP packet's fields and payload. Bad packets are counted, never returned as an
 * error; only NULL arguments fail. */
WEBRTC_STATUS ertc_h264_depacketizer_push(ertc_h264_depacketizer_t *d, uint16_t seq,
                                          uint32_t timestamp, bool marker, const uint8_t *payload,
                                          size_t len, ertc_h264_frame_fn on_frame, void *ctx);

/* The same, from a parsed packet. */
WEBRTC_STATUS ertc_h264_depacketizer_push_rtp(ertc_h264_depacketizer_t *d,
                                              const ertc_rtp_packet_t *pkt,
                                              ertc_h264_frame_fn on_frame, void *ctx);

/* Declares every gap in the window lost and releases the held packets. */
void ertc_h264_depacketizer_flush(ertc_h264_depacketizer_t *d, ertc_h264_frame_fn on_frame,
                                  void *ctx);

/* Packets waiting in the window for a gap to fill. */
size_t ertc_h264_depacketizer_held(const ertc_h264_depacketizer_t *d);

/* True once after a key frame became necessary; the receiver then sends a PLI. */
bool ertc_h264_depacketizer_take_keyframe_request(ertc_h264_depacketizer_t *d);

void ertc_h264_depacketizer_get_stats(const ertc_h264_depacketizer_t *d,
                                      ertc_h264_depacketizer_stats_t *out);

#endif
