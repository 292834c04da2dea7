/*
 * net/ws_frame — the WebSocket frame codec (RFC 6455 §5, close payloads §5.5.1 and §7.4).
 *
 * Shared by our WebSocket client and by edgertc-signald, so both directions are here:
 *
 *  - encoding: a frame header into 14 bytes, a whole (small) frame into a caller buffer, a
 *    close payload, and in-place masking (§5.3) that works on a payload in pieces;
 *  - decoding: an incremental decoder that takes bytes as they arrive from the socket or TLS
 *    layer, in pieces of any size, and returns one event at a time: a complete data message
 *    (fragments reassembled, §5.4), a control frame (ping, pong, close; also between the
 *    fragments of a message, without disturbing it), or "need more".
 *
 * No I/O, no logging. The decoder allocates only the reassembly buffer of a message
 * (lazily, with ertc_realloc, bounded by max_message_size); control frames use a fixed
 * buffer inside the decoder.
 *
 * The decoder fails the connection (RFC 6455 §7.1.7) on every violation it can see and
 * reports the close code to send (§7.4.1) and a readable message:
 *
 *   1002 protocol error   RSV1-3 set (we never negotiate extensions); unknown opcode; a frame
 *                         masked the wrong way for the role (§5.1); a fragmented or > 125
 *                         byte control frame (§5.5); a continuation with no message open, or
 *                         a new data frame while one is open (§5.4); a 64-bit length with the
 *                         top bit set, or a length not in its minimal encoding (§5.2, see
 *                         below); a close payload of 1 byte or with a code not allowed on the
 *                         wire (§7.4)
 *   1007 invalid data     a text message or a close reason that is not UTF-8 (§8.1); text is
 *                         checked as it arrives, so bad text fails without being buffered
 *   1009 message too big  a frame over max_frame_payload or a message over max_message_size
 *   1011 internal error   the reassembly buffer could not be allocated
 *
 * Minimal length encoding: §5.2 says a sender MUST use the shortest length form. We are
 * strict and reject other forms (as Chromium does): every frame then has exactly one
 * encoding, and a peer that gets it wrong is broken in ways we would rather see early.
 *
 * After a close frame, RFC 6455 §5.5.1 says no more frames follow; stopping to read is the
 * connection's job, the decoder just keeps decoding.
 */
#ifndef ERTC_NET_WS_FRAME_H
#define ERTC_NET_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/utf8.h"
#include "webrtc_status.h"

#define ERTC_WS_MAX_HEADER_LEN      14 /* 2 + 8-byte extended length + 4-byte mask key */
#define ERTC_WS_MASK_LEN            4
#define ERTC_WS_MAX_CONTROL_PAYLOAD 125 /* §5.5 */
#define ERTC_WS_MAX_CLOSE_REASON    123 /* a control payload minus the 2-byte code */

/* Decoder limits used when the configuration leaves them 0. A signaling message (an SDP offer
 * with candidates, JSON-wrapped and maybe base64-encoded as KVS does) stays well below. */
#define ERTC_WS_DEFAULT_MAX_MESSAGE (128u * 1024u)
/* A reassembly buffer up to this size is kept for the next message; a larger one is freed
 * once its message has been delivered, so one big message does not pin memory. */
#define ERTC_WS_DECODER_RETAIN_BYTES 4096u
/* The first reassembly allocation; later ones double, up to what the message can still need. */
#define ERTC_WS_DECODER_MIN_ALLOC 256u
#define ERTC_WS_DECODER_ERROR_LEN 128

/* Opcodes (§5.2, §11.8). Functions take them as int so a wire value fits unchanged. */
enum {
    ERTC_WS_OPCODE_CONTINUATION = 0x0,
    ERTC_WS_OPCODE_TEXT = 0x1,
    ERTC_WS_OPCODE_BINARY = 0x2,
    ERTC_WS_OPCODE_CLOSE = 0x8,
    ERTC_WS_OPCODE_PING = 0x9,
    ERTC_WS_OPCODE_PONG = 0xA,
};

/* Close status codes (§7.4.1). */
enum {
    ERTC_WS_CLOSE_NORMAL = 1000,
    ERTC_WS_CLOSE_GOING_AWAY = 1001,
    ERTC_WS_CLOSE_PROTOCOL_ERROR = 1002,
    ERTC_WS_CLOSE_UNSUPPORTED_DATA = 1003,
    ERTC_WS_CLOSE_NO_STATUS = 1005, /* never sent: "the close frame carried no code" */
    ERTC_WS_CLOSE_ABNORMAL = 1006,  /* never sent: "closed without a close frame" */
    ERTC_WS_CLOSE_INVALID_DATA = 1007,
    ERTC_WS_CLOSE_POLICY_VIOLATION = 1008,
    ERTC_WS_CLOSE_MESSAGE_TOO_BIG = 1009,
    ERTC_WS_CLOSE_MANDATORY_EXTENSION = 1010,
    ERTC_WS_CLOSE_INTERNAL_ERROR = 1011,
    ERTC_WS_CLOSE_TLS_HANDSHAKE = 1015, /* never sent */
};

/* ---- encoding -------------------------------------------------------------------------- */

/*
 * Writes a frame header for a payload of payload_len bytes into out (at most
 * ERTC_WS_MAX_HEADER_LEN bytes) and sets *header_len. The length takes its minimal form.
 * When masked, mask is the 4-byte key (from ertc_random_bytes, §5.3); the payload that follows
 * must be masked with ertc_ws_mask. INVALID_ARG for an unknown opcode or a fragmented
 * control frame, LIMIT_EXCEEDED for a control payload over 125 bytes or a length over 2^63-1.
 */
WEBRTC_STATUS ertc_ws_frame_header_encode(uint8_t out[ERTC_WS_MAX_HEADER_LEN], bool fin, int opcode,
                                          bool masked, const uint8_t mask[ERTC_WS_MASK_LEN],
                                          uint64_t payload_len, size_t *header_len);

/*
 * XORs data[0..len) in place with the masking key (§5.3). offset is the position of data[0]
 * within the frame payload, so a payload may be masked in pieces: masking [0,a) with offset 0
 * then [a,n) with offset a gives the same bytes as masking [0,n) at once. Unmasking is the
 * same operation.
 */
void ertc_ws_mask(uint8_t *data, size_t len, const uint8_t mask[ERTC_WS_MASK_LEN], size_t offset);

/*
 * Writes a whole frame (header, then payload, masked when mask is not NULL) into
 * out[0..out_size) and sets *out_len. Meant for control frames and small messages.
 * BUFFER_TOO_SMALL when it does not fit; other failures as ertc_ws_frame_header_encode.
 */
WEBRTC_STATUS ertc_ws_frame_encode(uint8_t *out, size_t out_size, size_t *out_len, bool fin,
                                   int opcode, const uint8_t *mask, const uint8_t *payload,
                                   size_t payload_len);

/* True for close codes an endpoint may send (§7.4.1, §7.4.2): 1000-1003, 1007-1011 and the
 * registered/private range 3000-4999. */
bool ertc_ws_is_valid_close_code(uint16_t code);

/*
 * Builds a close frame payload (§5.5.1): the code in network order, then reason (may be
 * NULL), truncated to ERTC_WS_MAX_CLOSE_REASON bytes without splitting a UTF-8 character.
 * ERTC_WS_CLOSE_NO_STATUS gives an empty payload (a close without a code) and then reason
 * must be empty. INVALID_ARG for a code not valid on the wire or a reason that is not UTF-8.
 */
WEBRTC_STATUS ertc_ws_build_close_payload(uint8_t out[ERTC_WS_MAX_CONTROL_PAYLOAD], size_t *len,
                                          uint16_t code, const char *reason);

/* ---- decoding -------------------------------------------------------------------------- */

typedef enum {
    ERTC_WS_ROLE_CLIENT, /* we are the client: frames from the server must NOT be masked */
    ERTC_WS_ROLE_SERVER, /* we are the server: frames from the client MUST be masked */
} ertc_ws_role_t;

typedef struct {
    ertc_ws_role_t role;
    size_t max_frame_payload; /* largest data frame payload; 0 = max_message_size */
    size_t max_message_size;  /* largest reassembled message; 0 = ERTC_WS_DEFAULT_MAX_MESSAGE */
} ertc_ws_decoder_config_t;

typedef enum {
    ERTC_WS_EVENT_NEED_MORE = 0, /* all input consumed, no complete event yet */
    ERTC_WS_EVENT_MESSAGE,       /* a complete text or binary message */
    ERTC_WS_EVENT_CONTROL,       /* a ping, pong or close frame */
} ertc_ws_event_type_t;

/*
 * One decoded event. data is never NULL (an empty payload points at a valid empty buffer)
 * and stays valid until the next call on the decoder. It may point into the input given to
 * ertc_ws_decoder_feed (an unmasked single-frame message that arrived whole is not copied),
 * so keep that input unchanged until then, too.
 */
typedef struct {
    ertc_ws_event_type_t type;
    int opcode;          /* MESSAGE: TEXT or BINARY; CONTROL: CLOSE, PING or PONG */
    const uint8_t *data; /* the message or control payload (for CLOSE, the raw payload) */
    size_t len;
    /* CLOSE only: the code (ERTC_WS_CLOSE_NO_STATUS when the payload is empty) and the
     * UTF-8 reason, not NUL-terminated, pointing into data. */
    uint16_t close_code;
    const char *close_reason;
    size_t close_reason_len;
} ertc_ws_event_t;

typedef enum {
    ERTC_WS_DECODER_HEADER,  /* collecting the bytes of a frame header */
    ERTC_WS_DECODER_PAYLOAD, /* collecting a frame's payload */
    ERTC_WS_DECODER_FAILED,  /* a protocol error was found; see ertc_ws_decoder_error */
} ertc_ws_decoder_state_t;

/*
 * The decoder. Embed it where you like (it is about 400 bytes); the fields are private.
 * Not thread-safe: one decoder per connection, used from the connection's thread.
 */
typedef struct {
    ertc_ws_decoder_config_t config;
    ertc_ws_decoder_state_t state;

    /* the frame being read */
    uint8_t header[ERTC_WS_MAX_HEADER_LEN];
    uint8_t header_len;  /* bytes collected */
    uint8_t header_need; /* bytes the header has (2 until the first two are known) */
    bool fin;
    bool masked;
    int opcode;
    uint8_t mask[ERTC_WS_MASK_LEN];
    uint64_t payload_len;
    uint64_t payload_done;

    /* the data message being reassembled; message_opcode 0 when none is open */
    int message_opcode;
    uint8_t *message;
    size_t message_len;
    size_t message_cap;
    bool message_delivered; /* handed out in the last event; emptied on the next call */
    ertc_utf8_state_t utf8;

    uint8_t control[ERTC_WS_MAX_CONTROL_PAYLOAD];

    WEBRTC_STATUS error_status;
    uint16_t error_close_code;
    char error[ERTC_WS_DECODER_ERROR_LEN];
} ertc_ws_decoder_t;

/* Prepares a decoder (no allocation). config NULL = client role with default limits. */
WEBRTC_STATUS ertc_ws_decoder_init(ertc_ws_decoder_t *d, const ertc_ws_decoder_config_t *config);

/*
 * Decodes from data[0..len) until one event is complete or the input is used up, and sets
 * *consumed to the bytes used; call again with the rest. Returns SUCCESS with ev->type
 * NEED_MORE (consumed == len), MESSAGE or CONTROL. On a protocol violation returns
 * MALFORMED (close code 1002 or 1007), LIMIT_EXCEEDED (1009) or NOT_ENOUGH_MEMORY (1011);
 * the decoder then stays failed and returns the same status until reset.
 */
WEBRTC_STATUS ertc_ws_decoder_feed(ertc_ws_decoder_t *d, const uint8_t *data, size_t len,
                                   size_t *consumed, ertc_ws_event_t *ev);

/* The reason the decoder failed ("" while it has not). */
const char *ertc_ws_decoder_error(const ertc_ws_decoder_t *d);
/* The close code to send for that failure (§7.4.1), 0 while it has not failed. */
uint16_t ertc_ws_decoder_close_code(const ertc_ws_decoder_t *d);

/* Forgets any partial frame or message and a failure, frees the reassembly buffer, keeps the
 * configuration. */
void ertc_ws_decoder_reset(ertc_ws_decoder_t *d);
/* Frees the reassembly buffer. The decoder may be initialised again afterwards. */
void ertc_ws_decoder_destroy(ertc_ws_decoder_t *d);

#endif
