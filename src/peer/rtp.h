/*
 * peer/rtp — the RTP fixed header (RFC 3550 §5.1, §5.3.1) with RFC 8285 header extensions:
 * a parser over a buffer, a builder into a caller buffer, and sequence-number arithmetic.
 *
 * The parser is a pure function: it checks the version, the CSRC list, the extension block
 * and the padding against the length it is given and fails with WEBRTC_STATUS_MALFORMED on
 * anything that does not fit. Nothing is copied: the payload, the raw extension block and
 * every extension element point into the input buffer.
 *
 * Header extensions (RFC 8285): the one-byte form (profile 0xBEDE, §4.2) and the two-byte
 * form (profile 0x100X, §4.3) are split into id/length/data elements; a block with any other
 * profile (RFC 3550 §5.3.1) is kept raw only. Padding bytes between elements are skipped, and
 * in the one-byte form id 15 ends the block (§4.2). At most ERTC_RTP_MAX_EXTENSIONS elements
 * are kept; later ones are counted in ext_dropped, not treated as an error.
 *
 * The builder picks the one-byte form when every element fits it (id 1..14, 1..16 bytes) and
 * the two-byte form otherwise; ertc_rtp_ext_mid() prepares the sdes:mid element (RFC 8843
 * §15.2) that BUNDLE demultiplexing uses.
 *
 * Sequence numbers are 16 bits and wrap (RFC 3550 §A.1): compare them with
 * ertc_rtp_seq_newer() / ertc_rtp_seq_diff(), and turn them into a monotonic 64-bit count with
 * ertc_rtp_seq_unwrapper_t.
 */
#ifndef ERTC_PEER_RTP_H
#define ERTC_PEER_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_RTP_VERSION          2
#define ERTC_RTP_HEADER_MIN_LEN   12 /* the fixed header, no CSRC, no extension */
#define ERTC_RTP_MAX_CSRC         15 /* the CC field has 4 bits */
#define ERTC_RTP_MAX_PAYLOAD_TYPE 127
/* Extension elements kept per packet. Browsers send at most a handful (mid, abs-send-time,
 * transport-cc, video-orientation, ...). */
#define ERTC_RTP_MAX_EXTENSIONS 16

/* The RTP packet size the packetizers aim for by default: what fits a 1280-byte IPv6 minimum
 * MTU after IP/UDP/TURN overhead, as browsers do. It includes the RTP header. */
#define ERTC_RTP_DEFAULT_MTU 1200

/* RFC 3550 §A.1: larger forward jumps and larger backward steps are a restart or garbage. */
#define ERTC_RTP_MAX_DROPOUT  3000
#define ERTC_RTP_MAX_MISORDER 100

/* RFC 8285 profile values. */
#define ERTC_RTP_EXT_PROFILE_ONE_BYTE      0xBEDEu
#define ERTC_RTP_EXT_PROFILE_TWO_BYTE      0x1000u /* the low 4 bits are "appbits" */
#define ERTC_RTP_EXT_PROFILE_TWO_BYTE_MASK 0xFFF0u
#define ERTC_RTP_EXT_ONE_BYTE_MAX_ID       14
#define ERTC_RTP_EXT_ONE_BYTE_MAX_LEN      16
#define ERTC_RTP_EXT_TWO_BYTE_MAX_LEN      255

/* The URI negotiated with a=extmap for the MID element (RFC 8843 §15.2). */
#define ERTC_RTP_EXT_URI_SDES_MID "urn:ietf:params:rtp-hdrext:sdes:mid"

typedef enum {
    ERTC_RTP_EXT_NONE = 0,     /* no extension block */
    ERTC_RTP_EXT_ONE_BYTE = 1, /* RFC 8285 §4.2 */
    ERTC_RTP_EXT_TWO_BYTE = 2, /* RFC 8285 §4.3 */
    ERTC_RTP_EXT_OTHER = 3,    /* some other profile: kept raw, no elements */
} ertc_rtp_ext_form_t;

/* One header extension element. `data` points into the parsed packet (parse) or at the
 * caller's bytes (build). */
typedef struct {
    uint8_t id;
    uint8_t len;
    const uint8_t *data;
} ertc_rtp_ext_t;

/* The header fields shared by the parser (output) and the builder (input). */
typedef struct {
    bool marker;
    uint8_t payload_type;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint8_t csrc_count;
    uint32_t csrc[ERTC_RTP_MAX_CSRC];
    size_t ext_count;
    ertc_rtp_ext_t ext[ERTC_RTP_MAX_EXTENSIONS];
} ertc_rtp_header_t;

/* A parsed packet. Pointers refer to the buffer given to ertc_rtp_parse(). */
typedef struct {
    ertc_rtp_header_t header;
    size_t header_len; /* fixed header + CSRCs + extension block */
    ertc_rtp_ext_form_t ext_form;
    uint16_t ext_profile;     /* the 16-bit "defined by profile" field */
    const uint8_t *ext_block; /* the extension body after its 4-byte header */
    size_t ext_block_len;     /* a multiple of 4 */
    size_t ext_dropped;       /* elements beyond ERTC_RTP_MAX_EXTENSIONS, not kept */
    const uint8_t *payload;   /* never NULL after a successful parse */
    size_t payload_len;       /* may be 0 (e.g. a padding-only probe) */
    size_t padding_len;       /* 0 when the P bit is clear */
} ertc_rtp_packet_t;

/* Parses one RTP packet. MALFORMED: shorter than 12 bytes, version not 2, CSRCs or
 * extension past the end, an extension element past its block, padding count 0 or larger
 * than the bytes after the header. */
WEBRTC_STATUS ertc_rtp_parse(const uint8_t *buf, size_t len, ertc_rtp_packet_t *out);

/* The first element with this id, or NULL. */
const ertc_rtp_ext_t *ertc_rtp_find_ext(const ertc_rtp_header_t *h, uint8_t id);

/* Length of the header ertc_rtp_write_header() would produce, or 0 when the header cannot be
 * built (bad payload type, csrc_count > 15, an extension id 0, or id 15 with a 0 or > 255
 * byte element...). */
size_t ertc_rtp_header_len(const ertc_rtp_header_t *h);

/* Writes the header. BUFFER_TOO_SMALL when it does not fit, INVALID_ARG for bad fields
 * (payload type > 127, csrc_count > 15, an extension with id 0 or data NULL). */
WEBRTC_STATUS ertc_rtp_write_header(const ertc_rtp_header_t *h, uint8_t *out, size_t cap,
                                    size_t *written);

/* Writes a whole packet: header, payload and `padding_len` padding bytes (0 = no padding,
 * else 1..255; the last padding byte holds the count, RFC 3550 §5.1). */
WEBRTC_STATUS ertc_rtp_build(const ertc_rtp_header_t *h, const uint8_t *payload, size_t payload_len,
                             size_t padding_len, uint8_t *out, size_t cap, size_t *written);

/* Fills `ext` with the sdes:mid element: id 1..255 and a MID of 1..255 bytes (up to 16 keep
 * the one-byte form). The element points at `mid`, which must outlive the build. */
WEBRTC_STATUS ertc_rtp_ext_mid(uint8_t id, const char *mid, ertc_rtp_ext_t *ext);

/* Appends an element to h->ext; LIMIT_EXCEEDED when ERTC_RTP_MAX_EXTENSIONS are in use. */
WEBRTC_STATUS ertc_rtp_add_ext(ertc_rtp_header_t *h, const ertc_rtp_ext_t *ext);

/* ---- sequence numbers ------------------------------------------------------------------ */

/* a - b as a signed distance in -32768..32767: positive when a is after b. */
static inline int32_t ertc_rtp_seq_diff(uint16_t a, uint16_t b)
{
    return (int32_t)(int16_t)(uint16_t)(a - b);
}

/* True when a comes after b (modulo 2^16, within half the number space). */
static inline bool ertc_rtp_seq_newer(uint16_t a, uint16_t b)
{
    return ertc_rtp_seq_diff(a, b) > 0;
}

/* Turns 16-bit sequence numbers into a 64-bit count that does not wrap. The first number
 * maps to itself plus 2^16 (so that a packet a little older than the first one still gets a
 * non-negative value); later ones map by their distance to the newest seen so far. */
typedef struct {
    bool started;
    uint64_t newest; /* the extended value of the newest sequence number so far */
} ertc_rtp_seq_unwrapper_t;

void ertc_rtp_seq_unwrapper_init(ertc_rtp_seq_unwrapper_t *u);
uint64_t ertc_rtp_seq_unwrap(ertc_rtp_seq_unwrapper_t *u, uint16_t seq);

#endif
