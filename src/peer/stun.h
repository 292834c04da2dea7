/*
 * peer/stun — the STUN message codec (RFC 8489) with the attributes of ICE (RFC 8445 §16.1)
 * and TURN (RFC 8656 §18), and TURN ChannelData framing (RFC 8656 §12.4).
 *
 * Four parts, all pure functions over caller buffers (no I/O, no allocation, no logging):
 *
 *  - parsing (RFC 8489 §5, §6.3, §14): ertc_stun_parse() checks the header (top two bits
 *    zero, magic cookie, length a multiple of 4 that matches the datagram), walks the
 *    attributes with bounds checks and padding, records every attribute it knows (type,
 *    offset, length) and decodes the first occurrence of each into ertc_stun_msg_t.
 *    Unknown comprehension-required attributes (type < 0x8000) are listed so that the
 *    caller can answer 420 (§14.9); unknown comprehension-optional ones, such as Chrome's
 *    GOOG-NETWORK-INFO (0xC057), are skipped. Attributes after MESSAGE-INTEGRITY other than
 *    MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored (§14.5), and so is anything after
 *    FINGERPRINT, which must be last (§14.7).
 *  - verification: MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) with a short-term key (the
 *    password, §9.1.1) or a long-term key (MD5(username:realm:password), §9.2.2), compared
 *    in constant time; FINGERPRINT (CRC-32 XOR 0x5354554E, §14.7). Both recompute over the
 *    message with the header length adjusted to end at the attribute, as §14.5 asks.
 *  - building: ertc_stun_builder_t writes a message into a caller buffer, one attribute at
 *    a time, and ertc_stun_builder_finish() appends MESSAGE-INTEGRITY and FINGERPRINT.
 *  - ChannelData (RFC 8656 §12.4): parse and build the 4-byte-header frames TURN uses for
 *    bound channels.
 *
 * The parsed message points into the input buffer (USERNAME, REALM, DATA, ...) and the
 * verification functions read it again: keep the buffer unchanged while the message is used.
 * SASLprep/OpaqueString processing of usernames and passwords is the caller's job.
 */
#ifndef ERTC_PEER_STUN_H
#define ERTC_PEER_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_STUN_HEADER_LEN         20
#define ERTC_STUN_ATTR_HEADER_LEN    4
#define ERTC_STUN_MAGIC_COOKIE       0x2112A442u
#define ERTC_STUN_TRANSACTION_ID_LEN 12
#define ERTC_STUN_INTEGRITY_LEN      20          /* HMAC-SHA1 */
#define ERTC_STUN_LONG_TERM_KEY_LEN  16          /* MD5 */
#define ERTC_STUN_FINGERPRINT_XOR    0x5354554Eu /* "STUN" */
/* Largest message: the 16-bit length field, rounded down to a multiple of 4. */
#define ERTC_STUN_MAX_MESSAGE_LEN (ERTC_STUN_HEADER_LEN + 0xFFFCu)

/* Limits of the parser. A Chrome connectivity check carries 7 attributes, a TURN Allocate
 * response about 7; 32 leaves room for a CreatePermission with many XOR-PEER-ADDRESSes. */
#define ERTC_STUN_MAX_ATTRIBUTES         32 /* known attributes recorded; more: LIMIT_EXCEEDED */
#define ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES 8  /* unknown ones listed; more only set a flag */
/* USERNAME: RFC 5389 allowed < 513 bytes, RFC 8489 §14.3 < 509. An ICE username is
 * "ufrag:ufrag" with ufrags of up to 256 characters (RFC 8839), which is 513 bytes. */
#define ERTC_STUN_MAX_USERNAME_LEN 513
/* REALM, NONCE, SOFTWARE, error reason: < 128 characters, up to 763 bytes (§14.8-§14.10). */
#define ERTC_STUN_MAX_TEXT_LEN 763

/* Message classes (RFC 8489 §5). */
typedef enum {
    ERTC_STUN_CLASS_REQUEST = 0,
    ERTC_STUN_CLASS_INDICATION = 1,
    ERTC_STUN_CLASS_SUCCESS = 2,
    ERTC_STUN_CLASS_ERROR = 3,
} ertc_stun_class_t;

/* Methods (RFC 8489 §18.2, RFC 8656 §17). */
enum {
    ERTC_STUN_METHOD_BINDING = 0x001,
    ERTC_STUN_METHOD_ALLOCATE = 0x003,
    ERTC_STUN_METHOD_REFRESH = 0x004,
    ERTC_STUN_METHOD_SEND = 0x006,
    ERTC_STUN_METHOD_DATA = 0x007,
    ERTC_STUN_METHOD_CREATE_PERMISSION = 0x008,
    ERTC_STUN_METHOD_CHANNEL_BIND = 0x009,
};

/* The 14-bit message type: method bits M0-M11 interleaved with class bits C0, C1 (§5). */
#define ERTC_STUN_TYPE(method, cls)                                                                \
    ((uint16_t)(((method)&0x000Fu) | (((method)&0x0070u) << 1) | (((method)&0x0F80u) << 2) |       \
                (((unsigned)(cls)&1u) << 4) | (((unsigned)(cls)&2u) << 7)))

enum {
    ERTC_STUN_BINDING_REQUEST = ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_REQUEST),
    ERTC_STUN_BINDING_INDICATION =
        ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_INDICATION),
    ERTC_STUN_BINDING_SUCCESS = ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_SUCCESS),
    ERTC_STUN_BINDING_ERROR = ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_ERROR),
};

/* Attribute types. 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF optional. */
enum {
    ERTC_STUN_ATTR_MAPPED_ADDRESS = 0x0001,           /* RFC 8489 §14.1 */
    ERTC_STUN_ATTR_USERNAME = 0x0006,                 /* §14.3 */
    ERTC_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,        /* §14.5 */
    ERTC_STUN_ATTR_ERROR_CODE = 0x0009,               /* §14.8 */
    ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,       /* §14.13 */
    ERTC_STUN_ATTR_CHANNEL_NUMBER = 0x000C,           /* RFC 8656 §18.1 */
    ERTC_STUN_ATTR_LIFETIME = 0x000D,                 /* RFC 8656 §18.2 */
    ERTC_STUN_ATTR_XOR_PEER_ADDRESS = 0x0012,         /* RFC 8656 §18.3 */
    ERTC_STUN_ATTR_DATA = 0x0013,                     /* RFC 8656 §18.4 */
    ERTC_STUN_ATTR_REALM = 0x0014,                    /* §14.9 */
    ERTC_STUN_ATTR_NONCE = 0x0015,                    /* §14.10 */
    ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS = 0x0016,      /* RFC 8656 §18.5 */
    ERTC_STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017, /* RFC 8656 §18.6 */
    ERTC_STUN_ATTR_EVEN_PORT = 0x0018,                /* RFC 8656 §18.7 */
    ERTC_STUN_ATTR_REQUESTED_TRANSPORT = 0x0019,      /* RFC 8656 §18.8 */
    ERTC_STUN_ATTR_DONT_FRAGMENT = 0x001A,            /* RFC 8656 §18.9 */
    ERTC_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C, /* §14.6 */
    ERTC_STUN_ATTR_PASSWORD_ALGORITHM = 0x001D,       /* §14.12 */
    ERTC_STUN_ATTR_USERHASH = 0x001E,                 /* §14.4 */
    ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,       /* §14.2 */
    ERTC_STUN_ATTR_RESERVATION_TOKEN = 0x0022,        /* RFC 8656 §18.10 */
    ERTC_STUN_ATTR_PRIORITY = 0x0024,                 /* RFC 8445 §16.1 */
    ERTC_STUN_ATTR_USE_CANDIDATE = 0x0025,            /* RFC 8445 §16.1 */
    ERTC_STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002,      /* §14.11 */
    ERTC_STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,         /* §14.16 */
    ERTC_STUN_ATTR_SOFTWARE = 0x8022,                 /* §14.14 */
    ERTC_STUN_ATTR_ALTERNATE_SERVER = 0x8023,         /* §14.15 */
    ERTC_STUN_ATTR_FINGERPRINT = 0x8028,              /* §14.7 */
    ERTC_STUN_ATTR_ICE_CONTROLLED = 0x8029,           /* RFC 8445 §16.1 */
    ERTC_STUN_ATTR_ICE_CONTROLLING = 0x802A,          /* RFC 8445 §16.1 */
    ERTC_STUN_ATTR_GOOG_NETWORK_INFO = 0xC057,        /* Chrome; ignored when parsing */
};

#define ERTC_STUN_ATTR_IS_COMPREHENSION_REQUIRED(type) ((uint16_t)(type) < 0x8000u)

/* Error codes (RFC 8489 §14.8, RFC 8445 §7.3.1.1, RFC 8656 §19). */
enum {
    ERTC_STUN_ERROR_TRY_ALTERNATE = 300,
    ERTC_STUN_ERROR_BAD_REQUEST = 400,
    ERTC_STUN_ERROR_UNAUTHORIZED = 401,
    ERTC_STUN_ERROR_FORBIDDEN = 403,
    ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE = 420,
    ERTC_STUN_ERROR_ALLOCATION_MISMATCH = 437,
    ERTC_STUN_ERROR_STALE_NONCE = 438,
    ERTC_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED = 440,
    ERTC_STUN_ERROR_WRONG_CREDENTIALS = 441,
    ERTC_STUN_ERROR_UNSUPPORTED_TRANSPORT = 442,
    ERTC_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH = 443,
    ERTC_STUN_ERROR_ALLOCATION_QUOTA_REACHED = 486,
    ERTC_STUN_ERROR_ROLE_CONFLICT = 487,
    ERTC_STUN_ERROR_SERVER_ERROR = 500,
    ERTC_STUN_ERROR_INSUFFICIENT_CAPACITY = 508,
};

/* REQUESTED-TRANSPORT protocol numbers (RFC 8656 §18.8). */
#define ERTC_STUN_TRANSPORT_UDP 17

/* ---- message type helpers -------------------------------------------------------------- */

uint16_t ertc_stun_type_method(uint16_t type);
ertc_stun_class_t ertc_stun_type_class(uint16_t type);
/* "Binding", "Allocate", ...; "unknown" for others. */
const char *ertc_stun_method_name(uint16_t method);
/* "request", "indication", "success response", "error response". */
const char *ertc_stun_class_name(ertc_stun_class_t cls);
/* "USERNAME", "XOR-MAPPED-ADDRESS", ...; "unknown" for others. */
const char *ertc_stun_attr_name(uint16_t type);
/* The reason phrase RFC 8489/8445/8656 suggest for an error code; "" for others. */
const char *ertc_stun_error_reason(int code);

/* ---- parsing --------------------------------------------------------------------------- */

/* One known attribute as it appears in the message. */
typedef struct {
    uint16_t type;
    uint16_t length; /* of the value, without padding */
    uint32_t offset; /* of the attribute header, from the start of the message */
} ertc_stun_attr_t;

/*
 * A parsed message. Text and byte values point into the parsed buffer and are not
 * NUL-terminated. Each decoded value holds the first occurrence of its attribute (§14) and
 * is valid only when ertc_stun_has_attr() says the attribute is present; attrs[] lists every
 * occurrence in order, for attributes that may repeat (XOR-PEER-ADDRESS).
 */
typedef struct {
    const uint8_t *buf; /* the message (the input given to ertc_stun_parse) */
    size_t len;         /* ERTC_STUN_HEADER_LEN + the header's length field */
    uint16_t type;
    uint16_t method;
    ertc_stun_class_t cls;
    uint8_t transaction_id[ERTC_STUN_TRANSACTION_ID_LEN];

    ertc_stun_attr_t attrs[ERTC_STUN_MAX_ATTRIBUTES];
    size_t attr_count;

    /* Comprehension-required attributes this parser does not understand (answer 420 with
     * them in UNKNOWN-ATTRIBUTES). truncated: there were more than the list holds. */
    uint16_t unknown_required[ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES];
    size_t unknown_required_count;
    bool unknown_required_truncated;

    const char *username;
    size_t username_len;
    uint32_t priority;
    uint64_t ice_controlling; /* tie-breaker */
    uint64_t ice_controlled;  /* tie-breaker */
    bool use_candidate;
    ertc_addr_t mapped_address;
    ertc_addr_t xor_mapped_address;
    ertc_addr_t xor_relayed_address;
    ertc_addr_t xor_peer_address;
    ertc_addr_t alternate_server;
    int error_code; /* class * 100 + number, 300-699 */
    const char *error_reason;
    size_t error_reason_len;
    size_t integrity_offset;   /* of the MESSAGE-INTEGRITY attribute; 0 = none */
    size_t fingerprint_offset; /* of the FINGERPRINT attribute; 0 = none */
    uint32_t fingerprint;
    const char *realm;
    size_t realm_len;
    const char *nonce;
    size_t nonce_len;
    const char *software;
    size_t software_len;
    uint32_t lifetime; /* seconds */
    const uint8_t *data;
    size_t data_len;
    uint16_t channel_number;
    uint8_t requested_transport; /* protocol number, ERTC_STUN_TRANSPORT_UDP */
    /* The UNKNOWN-ATTRIBUTES attribute of a 420 response (at most the first
     * ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES types). */
    uint16_t unknown_attributes[ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES];
    size_t unknown_attributes_count;
} ertc_stun_msg_t;

/*
 * Quick test used to demultiplex a datagram (RFC 7983 §7, RFC 8489 §6.3): at least a
 * header, the top two bits zero, the magic cookie, a length that is a multiple of 4.
 */
bool ertc_stun_is_stun(const uint8_t *buf, size_t len);

/*
 * Parses one STUN message that fills buf[0..len) exactly (one UDP datagram, or one message
 * framed out of a TCP stream). MALFORMED for a bad header, an attribute that overruns the
 * message, or a known attribute with a bad value (wrong size, unknown address family,
 * error class out of 3-6, text over its limit); LIMIT_EXCEEDED for more than
 * ERTC_STUN_MAX_ATTRIBUTES known attributes. On failure *out is zeroed.
 */
WEBRTC_STATUS ertc_stun_parse(const uint8_t *buf, size_t len, ertc_stun_msg_t *out);

/* The first occurrence of an attribute type, or NULL. */
const ertc_stun_attr_t *ertc_stun_find_attr(const ertc_stun_msg_t *msg, uint16_t type);
bool ertc_stun_has_attr(const ertc_stun_msg_t *msg, uint16_t type);
/* The value bytes of a recorded attribute (attr->length of them). */
const uint8_t *ertc_stun_attr_value(const ertc_stun_msg_t *msg, const ertc_stun_attr_t *attr);
/* Decodes an address attribute of msg (MAPPED-ADDRESS, ALTERNATE-SERVER, or an XOR-*
 * one, un-XORed with the cookie and transaction id); INVALID_ARG for other types. */
WEBRTC_STATUS ertc_stun_attr_address(const ertc_stun_msg_t *msg, const ertc_stun_attr_t *attr,
                                     ertc_addr_t *out);

/* ---- verification ---------------------------------------------------------------------- */

/*
 * Checks MESSAGE-INTEGRITY with key (short-term: the password bytes; long-term: the 16 bytes
 * of ertc_stun_long_term_key). SUCCESS when it matches, NOT_FOUND when the message has no
 * MESSAGE-INTEGRITY (RFC 8489 §9.1.3: answer 400), MALFORMED when it does not match (wrong
 * key or altered message: answer 401).
 */
WEBRTC_STATUS ertc_stun_verify_integrity(const ertc_stun_msg_t *msg, const uint8_t *key,
                                         size_t key_len);

/* SUCCESS when FINGERPRINT matches, NOT_FOUND when absent, MALFORMED when it does not match. */
WEBRTC_STATUS ertc_stun_verify_fingerprint(const ertc_stun_msg_t *msg);

/* Long-term credential key (RFC 8489 §9.2.2): MD5(username ":" realm ":" password), the
 * three strings already SASLprep/OpaqueString-processed. */
WEBRTC_STATUS ertc_stun_long_term_key(const char *username, const char *realm, const char *password,
                                      uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN]);

/* CRC-32 (ISO-HDLC, as zlib) of data, continued from crc (0 to start). */
uint32_t ertc_stun_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* ---- building -------------------------------------------------------------------------- */

/*
 * Writes a message into a caller buffer. Every add function returns SUCCESS,
 * BUFFER_TOO_SMALL (the attribute does not fit), INVALID_ARG (a value the protocol does not
 * allow) or LIMIT_EXCEEDED (the message would pass 64 KiB). The first failure sticks: later
 * adds do nothing and return it, and so does ertc_stun_builder_finish, so a sequence of adds
 * may be checked once at the end. The header length is kept current after every add, so
 * buf[0..len) is always a well-formed message.
 */
typedef struct {
    uint8_t *buf;
    size_t size;
    size_t len;
    uint8_t pad_byte;     /* value of padding bytes; 0 unless set */
    WEBRTC_STATUS status; /* first failure, SUCCESS if none */
} ertc_stun_builder_t;

/* Starts a message of the given type (ERTC_STUN_TYPE(method, class)); INVALID_ARG when the
 * type has either of its top two bits set. */
WEBRTC_STATUS ertc_stun_builder_init(ertc_stun_builder_t *b, uint8_t *buf, size_t size,
                                     uint16_t type,
                                     const uint8_t transaction_id[ERTC_STUN_TRANSACTION_ID_LEN]);
/* Padding bytes are ignored by receivers (§14) and we send zeros; RFC 5769's test vectors pad
 * with spaces (0x20), which this reproduces. */
void ertc_stun_builder_set_padding(ertc_stun_builder_t *b, uint8_t pad_byte);

/* Any attribute with a raw value (value may be NULL when len is 0). */
WEBRTC_STATUS ertc_stun_add_attr(ertc_stun_builder_t *b, uint16_t type, const void *value,
                                 size_t len);
WEBRTC_STATUS ertc_stun_add_username(ertc_stun_builder_t *b, const char *username, size_t len);
WEBRTC_STATUS ertc_stun_add_realm(ertc_stun_builder_t *b, const char *realm, size_t len);
WEBRTC_STATUS ertc_stun_add_nonce(ertc_stun_builder_t *b, const char *nonce, size_t len);
WEBRTC_STATUS ertc_stun_add_software(ertc_stun_builder_t *b, const char *software, size_t len);
WEBRTC_STATUS ertc_stun_add_priority(ertc_stun_builder_t *b, uint32_t priority);
WEBRTC_STATUS ertc_stun_add_ice_controlling(ertc_stun_builder_t *b, uint64_t tie_breaker);
WEBRTC_STATUS ertc_stun_add_ice_controlled(ertc_stun_builder_t *b, uint64_t tie_breaker);
WEBRTC_STATUS ertc_stun_add_use_candidate(ertc_stun_builder_t *b);
/* MAPPED-ADDRESS or ALTERNATE-SERVER (plain) or an XOR-* address attribute (XORed with the
 * cookie and, for IPv6, the transaction id). */
WEBRTC_STATUS ertc_stun_add_address(ertc_stun_builder_t *b, uint16_t type, const ertc_addr_t *addr);
WEBRTC_STATUS ertc_stun_add_xor_mapped_address(ertc_stun_builder_t *b, const ertc_addr_t *addr);
WEBRTC_STATUS ertc_stun_add_xor_peer_address(ertc_stun_builder_t *b, const ertc_addr_t *addr);
WEBRTC_STATUS ertc_stun_add_xor_relayed_address(ertc_stun_builder_t *b, const ertc_addr_t *addr);
/* code 300-699; reason NULL = ertc_stun_error_reason(code). */
WEBRTC_STATUS ertc_stun_add_error_code(ertc_stun_builder_t *b, int code, const char *reason);
WEBRTC_STATUS ertc_stun_add_unknown_attributes(ertc_stun_builder_t *b, const uint16_t *types,
                                               size_t count);
WEBRTC_STATUS ertc_stun_add_lifetime(ertc_stun_builder_t *b, uint32_t seconds);
WEBRTC_STATUS ertc_stun_add_requested_transport(ertc_stun_builder_t *b, uint8_t protocol);
WEBRTC_STATUS ertc_stun_add_data(ertc_stun_builder_t *b, const uint8_t *data, size_t len);
/* INVALID_ARG outside ERTC_TURN_CHANNEL_MIN..ERTC_TURN_CHANNEL_MAX. */
WEBRTC_STATUS ertc_stun_add_channel_number(ertc_stun_builder_t *b, uint16_t channel);

/*
 * Appends MESSAGE-INTEGRITY when key is not NULL (key_len bytes: the password, or a
 * long-term key), then FINGERPRINT when fingerprint is true, and sets *out_len to the
 * message length. Returns the first failure of the builder, if any.
 */
WEBRTC_STATUS ertc_stun_builder_finish(ertc_stun_builder_t *b, const uint8_t *key, size_t key_len,
                                       bool fingerprint, size_t *out_len);

/* ---- TURN ChannelData (RFC 8656 §12.4) -------------------------------------------------- */

#define ERTC_TURN_CHANNEL_MIN       0x4000
#define ERTC_TURN_CHANNEL_MAX       0x4FFF
#define ERTC_CHANNELDATA_HEADER_LEN 4

typedef struct {
    uint16_t channel;
    const uint8_t *data; /* points into the parsed buffer */
    size_t len;
    size_t frame_len; /* header + data + padding to 4: what a stream reader consumes (§12.5) */
} ertc_channeldata_t;

/*
 * Parses a ChannelData message at the start of buf[0..len). MALFORMED when the channel is
 * outside 0x4000-0x4FFF or the data is shorter than the length field says. Bytes after the
 * data are allowed: padding is optional over UDP (§12.5); over TCP, consume frame_len.
 */
WEBRTC_STATUS ertc_channeldata_parse(const uint8_t *buf, size_t len, ertc_channeldata_t *out);

/*
 * Writes a ChannelData message into buf[0..size) and sets *out_len. pad: add zero padding to
 * a multiple of 4 (required over TCP, optional over UDP). INVALID_ARG for a channel outside
 * the range or data over 65535 bytes, BUFFER_TOO_SMALL when it does not fit.
 */
WEBRTC_STATUS ertc_channeldata_build(uint8_t *buf, size_t size, uint16_t channel,
                                     const uint8_t *data, size_t data_len, bool pad,
                                     size_t *out_len);

#endif
