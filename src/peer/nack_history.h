/*
 * peer/nack_history — both ends of RTP retransmission on NACK (RFC 4585 §6.2.1, RFC 5761
 * rtcp-mux; plain retransmission of the original packet, as Chrome accepts when no RTX
 * payload type was negotiated).
 *
 * Sender: ertc_nack_history_t keeps the last packets sent on one SSRC — their bytes before
 * SRTP protection, so that a resend is protected again with a fresh index — within two
 * bounds: a number of packets (default 256) and a byte budget (default 256 KiB, about 1 s of
 * 2 Mbit/s video, the most a device camera sends). The packet records are allocated at init
 * (~40 bytes each); the byte ring starts at 16 KiB and grows by half, up to the budget, only when
 * the packets it would have to evict are younger than max_age_ms, so a session holds about
 * bitrate x max_age_ms (e.g. ~64 KiB at 500 kbit/s with 1 s) and never more than the budget.
 * Storing a packet evicts the oldest ones until it fits. Packets are kept in the order they were
 * stored, in one byte ring, and found by sequence number through a small index. A lookup
 * fails with NOT_FOUND when the packet was evicted, was never stored, or is older than
 * max_age_ms; with min_resend_interval_ms set, a packet resent less than that long ago is
 * refused with RETRY_LATER (a receiver repeats its NACK before our first resend arrived).
 *
 * Receiver: ertc_nack_generator_t watches the sequence numbers that arrive and keeps the
 * missing ones (at most max_missing, default 256, in a fixed array). collect() returns those
 * due for a NACK — never asked for, or last asked for retry_interval_ms ago (set it to about
 * one RTT) — in ascending order, ready for ertc_rtcp_build_nack(). A sequence number is given
 * up after max_retries NACKs or when it falls more than max_age_seqs behind the newest one. A
 * gap larger than max_missing cannot be repaired by NACK: the list is cleared and a key frame
 * request is raised instead (take_keyframe_request()).
 */
#ifndef ERTC_PEER_NACK_HISTORY_H
#define ERTC_PEER_NACK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Defaults for a device: ~1 s of video at up to ~2 Mbit/s with ~1 KiB packets; a NACK that
 * arrives later than that (two or three RTTs of a bad path) no longer saves the frame. */
#define ERTC_NACK_HISTORY_DEFAULT_PACKETS 256
#define ERTC_NACK_HISTORY_DEFAULT_BYTES   (256u * 1024u)
#define ERTC_NACK_HISTORY_INITIAL_BYTES   (16u * 1024u) /* first size of the byte ring */
/* At most this many packets: a power of two well below 2^15, so that the sequence numbers in
 * the history are never ambiguous. */
#define ERTC_NACK_HISTORY_MAX_PACKETS    4096
#define ERTC_NACK_HISTORY_MAX_BYTES      (16u * 1024u * 1024u)
#define ERTC_NACK_HISTORY_MAX_PACKET_LEN 65535u

typedef struct {
    size_t max_packets;              /* 0 = ERTC_NACK_HISTORY_DEFAULT_PACKETS */
    size_t max_bytes;                /* 0 = ERTC_NACK_HISTORY_DEFAULT_BYTES */
    uint32_t max_age_ms;             /* 0 = no age limit */
    uint32_t min_resend_interval_ms; /* 0 = resend on every request */
} ertc_nack_history_config_t;

typedef struct {
    uint64_t stored;
    uint64_t evicted;
    uint64_t resent;    /* lookups that returned a packet */
    uint64_t missing;   /* lookups of packets not (or no longer) stored */
    uint64_t too_old;   /* lookups past max_age_ms */
    uint64_t throttled; /* lookups refused by min_resend_interval_ms */
} ertc_nack_history_stats_t;

typedef struct {
    bool live; /* false once replaced by a newer packet with the same sequence number */
    bool resent;
    uint16_t seq;
    uint32_t len;
    size_t offset; /* in the byte ring */
    uint64_t stored_ms;
    uint64_t resent_ms;
} ertc_nack_history_record_t;

typedef struct {
    size_t max_packets;
    size_t max_bytes;
    uint32_t max_age_ms;
    uint32_t min_resend_interval_ms;
    ertc_nack_history_record_t *records; /* FIFO ring of max_packets, oldest at `head` */
    size_t head;
    size_t count;
    uint16_t *index;   /* seq % index_size → record position + 1, 0 = none */
    size_t index_size; /* max_packets rounded up to a power of two */
    uint8_t *bytes;    /* bytes_cap, grown up to max_bytes */
    size_t bytes_cap;
    size_t write_pos;  /* where the next packet's bytes go if they fit */
    size_t bytes_used; /* bytes of the stored packets */
    ertc_nack_history_stats_t stats;
} ertc_nack_history_t;

/* NOT_ENOUGH_MEMORY, INVALID_ARG (over a limit). A NULL config takes the defaults. */
WEBRTC_STATUS ertc_nack_history_init(ertc_nack_history_t *h,
                                     const ertc_nack_history_config_t *config);
void ertc_nack_history_free(ertc_nack_history_t *h);
void ertc_nack_history_clear(ertc_nack_history_t *h);

/* Stores a copy of a sent packet (1..max_bytes bytes, at most 65535), evicting the oldest
 * packets as needed. LIMIT_EXCEEDED when the packet is larger than the whole budget. */
WEBRTC_STATUS ertc_nack_history_put(ertc_nack_history_t *h, uint16_t seq, const uint8_t *packet,
                                    size_t len, uint64_t now_ms);

/* Finds a packet to resend and marks it resent. `*packet` stays valid until the next put or
 * clear. NOT_FOUND (evicted, never stored, older than max_age_ms), RETRY_LATER (resent less
 * than min_resend_interval_ms ago). */
WEBRTC_STATUS ertc_nack_history_get(ertc_nack_history_t *h, uint16_t seq, uint64_t now_ms,
                                    const uint8_t **packet, size_t *len);

size_t ertc_nack_history_count(const ertc_nack_history_t *h);
size_t ertc_nack_history_bytes(const ertc_nack_history_t *h);
void ertc_nack_history_get_stats(const ertc_nack_history_t *h, ertc_nack_history_stats_t *out);

/* ---- receiver side: which sequence numbers to NACK -------------------------------------- */

#define ERTC_NACK_GEN_MAX_MISSING         256
#define ERTC_NACK_GEN_DEFAULT_MAX_RETRIES 10
#define ERTC_NACK_GEN_DEFAULT_RETRY_MS    100
#define ERTC_NACK_GEN_DEFAULT_MAX_AGE     1000 /* sequence numbers behind the newest */

typedef struct {
    size_t max_missing;         /* 0 = ERTC_NACK_GEN_MAX_MISSING, also the upper bound */
    uint32_t max_retries;       /* 0 = ERTC_NACK_GEN_DEFAULT_MAX_RETRIES */
    uint32_t retry_interval_ms; /* 0 = ERTC_NACK_GEN_DEFAULT_RETRY_MS */
    uint32_t max_age_seqs;      /* 0 = ERTC_NACK_GEN_DEFAULT_MAX_AGE; below 32768 */
} ertc_nack_generator_config_t;

typedef struct {
    uint64_t missing;   /* sequence numbers found missing */
    uint64_t recovered; /* of those, arrived later (retransmitted or reordered) */
    uint64_t gave_up;   /* dropped after max_retries or max_age_seqs */
    uint64_t nacked;    /* sequence numbers put into NACKs, retries included */
    uint64_t overflows; /* gaps too large to track: list cleared, key frame requested */
} ertc_nack_generator_stats_t;

typedef struct {
    uint16_t seq;
    uint8_t retries;
    bool sent;
    uint64_t sent_ms;
} ertc_nack_generator_entry_t;

typedef struct {
    size_t max_missing;
    uint32_t max_retries;
    uint32_t retry_interval_ms;
    uint32_t max_age_seqs;
    bool started;
    uint16_t newest;
    size_t count;
    ertc_nack_generator_entry_t entries[ERTC_NACK_GEN_MAX_MISSING]; /* ascending seq order */
    bool keyframe_request;
    ertc_nack_generator_stats_t stats;
} ertc_nack_generator_t;

/* INVALID_ARG when a value is over its bound. A NULL config takes the defaults. */
WEBRTC_STATUS ertc_nack_generator_init(ertc_nack_generator_t *g,
                                       const ertc_nack_generator_config_t *config);

/* Records an arrived packet: a newer one adds the sequence numbers skipped before it, an older
 * one that was missing is removed from the list. */
void ertc_nack_generator_on_packet(ertc_nack_generator_t *g, uint16_t seq);

/* Writes up to `cap` sequence numbers due for a NACK at `now_ms`, ascending, and counts a
 * retry for each; gives up on those out of retries. Returns how many were written. */
size_t ertc_nack_generator_collect(ertc_nack_generator_t *g, uint64_t now_ms, uint16_t *out,
                                   size_t cap);

/* Sets the retry interval, e.g. to the round-trip time from RTCP (a 0 is ignored). */
void ertc_nack_generator_set_retry_interval(ertc_nack_generator_t *g, uint32_t ms);

size_t ertc_nack_generator_missing(const ertc_nack_generator_t *g);
bool ertc_nack_generator_take_keyframe_request(ertc_nack_generator_t *g);
void ertc_nack_generator_get_stats(const ertc_nack_generator_t *g,
                                   ertc_nack_generator_stats_t *out);

#endif
