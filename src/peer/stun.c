/*
 * peer/stun — STUN parsing, verification and building (RFC 8489), ICE attributes (RFC 8445
 * §16.1), TURN attributes and ChannelData (RFC 8656 §12.4, §18). See stun.h for the rules.
 *
 * MESSAGE-INTEGRITY is HMAC-SHA1 (RFC 2104) built here over mbedTLS's SHA-1 context rather
 * than with mbedtls_md_hmac_*: mbedtls_md_setup allocates its contexts on the heap, and a
 * check runs for every incoming connectivity check. The long-term key uses mbedTLS MD5. The
 * FINGERPRINT CRC-32 is computed here with a 16-entry table (one nibble at a time), which is
 * small and plenty fast for messages of a few hundred bytes.
 */
#include "peer/stun.h"
#include "util/bytes.h"

#include <string.h>

#include <mbedtls/md5.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define sha1_starts mbedtls_sha1_starts
#define sha1_update mbedtls_sha1_update
#define sha1_finish mbedtls_sha1_finish
#define md5_starts  mbedtls_md5_starts
#define md5_update  mbedtls_md5_update
#define md5_finish  mbedtls_md5_finish
#else
#define sha1_starts mbedtls_sha1_starts_ret
#define sha1_update mbedtls_sha1_update_ret
#define sha1_finish mbedtls_sha1_finish_ret
#define md5_starts  mbedtls_md5_starts_ret
#define md5_update  mbedtls_md5_update_ret
#define md5_finish  mbedtls_md5_finish_ret
#endif

#define SHA1_BLOCK_LEN  64
#define SHA1_LEN        20
#define HMAC_IPAD       0x36u
#define HMAC_OPAD       0x5Cu
#define TYPE_TOP_BITS   0xC000u /* zero in every STUN message (§5) */
#define LENGTH_OFFSET   2
#define COOKIE_OFFSET   4
#define TID_OFFSET      8
#define FAMILY_IPV4     0x01u /* address attribute families (§14.1) */
#define FAMILY_IPV6     0x02u
#define ADDR_IPV4_LEN   8  /* reserved, family, port, 4-byte address */
#define ADDR_IPV6_LEN   20 /* reserved, family, port, 16-byte address */
#define ERROR_HDR_LEN   4  /* 21 reserved bits, class (3 bits), number (8 bits) */
#define ERROR_CLASS_MIN 3
#define ERROR_CLASS_MAX 6
#define ERROR_NUM_MAX   99
#define FINGERPRINT_LEN 4
#define CRC32_POLY_REV  0xEDB88320u

static size_t padded_len(size_t len)
{
    return (len + 3u) & ~(size_t)3u;
}

/* ---- names ----------------------------------------------------------------------------- */

uint16_t ertc_stun_type_method(uint16_t type)
{
    return (uint16_t)((type & 0x000Fu) | ((type & 0x00E0u) >> 1) | ((type & 0x3E00u) >> 2));
}

ertc_stun_class_t ertc_stun_type_class(uint16_t type)
{
    return (ertc_stun_class_t)(((type >> 4) & 1u) | ((type >> 7) & 2u));
}

const char *ertc_stun_method_name(uint16_t method)
{
    switch (method) {
    case ERTC_STUN_METHOD_BINDING: return "Binding";
    case ERTC_STUN_METHOD_ALLOCATE: return "Allocate";
    case ERTC_STUN_METHOD_REFRESH: return "Refresh";
    case ERTC_STUN_METHOD_SEND: return "Send";
    case ERTC_STUN_METHOD_DATA: return "Data";
    case ERTC_STUN_METHOD_CREATE_PERMISSION: return "CreatePermission";
    case ERTC_STUN_METHOD_CHANNEL_BIND: return "ChannelBind";
    default: return "unknown";
    }
}

const char *ertc_stun_class_name(ertc_stun_class_t cls)
{
    switch (cls) {
    case ERTC_STUN_CLASS_REQUEST: return "request";
    case ERTC_STUN_CLASS_INDICATION: return "indication";
    case ERTC_STUN_CLASS_SUCCESS: return "success response";
    case ERTC_STUN_CLASS_ERROR: return "error response";
    default: return "unknown";
    }
}

const char *ertc_stun_attr_name(uint16_t type)
{
    switch (type) {
    case ERTC_STUN_ATTR_MAPPED_ADDRESS: return "MAPPED-ADDRESS";
    case ERTC_STUN_ATTR_USERNAME: return "USERNAME";
    case ERTC_STUN_ATTR_MESSAGE_INTEGRITY: return "MESSAGE-INTEGRITY";
    case ERTC_STUN_ATTR_ERROR_CODE: return "ERROR-CODE";
    case ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES: return "UNKNOWN-ATTRIBUTES";
    case ERTC_STUN_ATTR_CHANNEL_NUMBER: return "CHANNEL-NUMBER";
    case ERTC_STUN_ATTR_LIFETIME: return "LIFETIME";
    case ERTC_STUN_ATTR_XOR_PEER_ADDRESS: return "XOR-PEER-ADDRESS";
    case ERTC_STUN_ATTR_DATA: return "DATA";
    case ERTC_STUN_ATTR_REALM: return "REALM";
    case ERTC_STUN_ATTR_NONCE: return "NONCE";
    case ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS: return "XOR-RELAYED-ADDRESS";
    case ERTC_STUN_ATTR_REQUESTED_ADDRESS_FAMILY: return "REQUESTED-ADDRESS-FAMILY";
    case ERTC_STUN_ATTR_EVEN_PORT: return "EVEN-PORT";
    case ERTC_STUN_ATTR_REQUESTED_TRANSPORT: return "REQUESTED-TRANSPORT";
    case ERTC_STUN_ATTR_DONT_FRAGMENT: return "DONT-FRAGMENT";
    case ERTC_STUN_ATTR_MESSAGE_INTEGRITY_SHA256: return "MESSAGE-INTEGRITY-SHA256";
    case ERTC_STUN_ATTR_PASSWORD_ALGORITHM: return "PASSWORD-ALGORITHM";
    case ERTC_STUN_ATTR_USERHASH: return "USERHASH";
    case ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS: return "XOR-MAPPED-ADDRESS";
    case ERTC_STUN_ATTR_RESERVATION_TOKEN: return "RESERVATION-TOKEN";
    case ERTC_STUN_ATTR_PRIORITY: return "PRIORITY";
    case ERTC_STUN_ATTR_USE_CANDIDATE: return "USE-CANDIDATE";
    case ERTC_STUN_ATTR_PASSWORD_ALGORITHMS: return "PASSWORD-ALGORITHMS";
    case ERTC_STUN_ATTR_ALTERNATE_DOMAIN: return "ALTERNATE-DOMAIN";
    case ERTC_STUN_ATTR_SOFTWARE: return "SOFTWARE";
    case ERTC_STUN_ATTR_ALTERNATE_SERVER: return "ALTERNATE-SERVER";
    case ERTC_STUN_ATTR_FINGERPRINT: return "FINGERPRINT";
    case ERTC_STUN_ATTR_ICE_CONTROLLED: return "ICE-CONTROLLED";
    case ERTC_STUN_ATTR_ICE_CONTROLLING: return "ICE-CONTROLLING";
    case ERTC_STUN_ATTR_GOOG_NETWORK_INFO: return "GOOG-NETWORK-INFO";
    default: return "unknown";
    }
}

const char *ertc_stun_error_reason(int code)
{
    switch (code) {
    case ERTC_STUN_ERROR_TRY_ALTERNATE: return "Try Alternate";
    case ERTC_STUN_ERROR_BAD_REQUEST: return "Bad Request";
    case ERTC_STUN_ERROR_UNAUTHORIZED: return "Unauthorized";
    case ERTC_STUN_ERROR_FORBIDDEN: return "Forbidden";
    case ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE: return "Unknown Attribute";
    case ERTC_STUN_ERROR_ALLOCATION_MISMATCH: return "Allocation Mismatch";
    case ERTC_STUN_ERROR_STALE_NONCE: return "Stale Nonce";
    case ERTC_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED: return "Address Family not Supported";
    case ERTC_STUN_ERROR_WRONG_CREDENTIALS: return "Wrong Credentials";
    case ERTC_STUN_ERROR_UNSUPPORTED_TRANSPORT: return "Unsupported Transport Protocol";
    case ERTC_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH: return "Peer Address Family Mismatch";
    case ERTC_STUN_ERROR_ALLOCATION_QUOTA_REACHED: return "Allocation Quota Reached";
    case ERTC_STUN_ERROR_ROLE_CONFLICT: return "Role Conflict";
    case ERTC_STUN_ERROR_SERVER_ERROR: return "Server Error";
    case ERTC_STUN_ERROR_INSUFFICIENT_CAPACITY: return "Insufficient Capacity";
    default: return "";
    }
}

/* ---- addresses ------------------------------------------------------------------------- */

static bool is_xor_address_type(uint16_t type)
{
    return type == ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS || type == ERTC_STUN_ATTR_XOR_PEER_ADDRESS ||
           type == ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS;
}

static bool is_address_type(uint16_t type)
{
    return is_xor_address_type(type) || type == ERTC_STUN_ATTR_MAPPED_ADDRESS ||
           type == ERTC_STUN_ATTR_ALTERNATE_SERVER;
}

/* The 16 bytes an XOR address is XORed with (§14.2): the cookie, then the transaction id
 * (the IPv4 address and the port use only the first 4 and 2 bytes). */
static void xor_pad(const uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN], uint8_t pad[16])
{
    ertc_put_be32(pad, ERTC_STUN_MAGIC_COOKIE);
    memcpy(pad + 4, tid, ERTC_STUN_TRANSACTION_ID_LEN);
}

static WEBRTC_STATUS decode_address(const uint8_t *v, size_t len, bool xored,
                                    const uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN],
                                    ertc_addr_t *out)
{
    uint8_t pad[16];
    size_t ip_len;
    memset(out, 0, sizeof(*out));
    if (len == ADDR_IPV4_LEN && v[1] == FAMILY_IPV4) {
        out->family = ERTC_AF_INET;
        ip_len = 4;
    } else if (len == ADDR_IPV6_LEN && v[1] == FAMILY_IPV6) {
        out->family = ERTC_AF_INET6;
        ip_len = 16;
    } else {
        return WEBRTC_STATUS_MALFORMED; /* unknown family, or a size that does not fit it */
    }
    if (xored) {
        xor_pad(tid, pad);
    } else {
        memset(pad, 0, sizeof(pad));
    }
    out->port = (uint16_t)(ertc_get_be16(v + 2) ^ ertc_get_be16(pad));
    for (size_t i = 0; i < ip_len; i++) {
        out->ip[i] = (uint8_t)(v[4 + i] ^ pad[i]);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- CRC-32 and HMAC-SHA1 -------------------------------------------------------------- */

/* CRC-32 of each nibble value, reflected polynomial 0xEDB88320. */
static const uint32_t crc32_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t ertc_stun_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
        crc = (crc >> 4) ^ crc32_nibble[crc & 0x0Fu];
    }
    return ~crc;
}

/* HMAC-SHA1 (RFC 2104) of part1 || part2. */
static WEBRTC_STATUS hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *part1,
                               size_t len1, const uint8_t *part2, size_t len2,
                               uint8_t mac[SHA1_LEN])
{
    uint8_t block[SHA1_BLOCK_LEN];
    uint8_t inner[SHA1_LEN];
    mbedtls_sha1_context ctx;
    int ret = 0;

    memset(block, 0, sizeof(block));
    mbedtls_sha1_init(&ctx);
    if (key_len > SHA1_BLOCK_LEN) {
        /* a longer key is replaced by its hash (RFC 2104 §2) */
        ret = sha1_starts(&ctx);
        ret = ret != 0 ? ret : sha1_update(&ctx, key, key_len);
        ret = ret != 0 ? ret : sha1_finish(&ctx, block);
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    for (size_t i = 0; i < SHA1_BLOCK_LEN; i++) {
        block[i] ^= HMAC_IPAD;
    }
    ret = ret != 0 ? ret : sha1_starts(&ctx);
    ret = ret != 0 ? ret : sha1_update(&ctx, block, SHA1_BLOCK_LEN);
    ret = ret != 0 ? ret : sha1_update(&ctx, part1, len1);
    ret = ret != 0 ? ret : sha1_update(&ctx, part2, len2);
    ret = ret != 0 ? ret : sha1_finish(&ctx, inner);
    for (size_t i = 0; i < SHA1_BLOCK_LEN; i++) {
        block[i] ^= HMAC_IPAD ^ HMAC_OPAD;
    }
    ret = ret != 0 ? ret : sha1_starts(&ctx);
    ret = ret != 0 ? ret : sha1_update(&ctx, block, SHA1_BLOCK_LEN);
    ret = ret != 0 ? ret : sha1_update(&ctx, inner, SHA1_LEN);
    ret = ret != 0 ? ret : sha1_finish(&ctx, mac);
    mbedtls_sha1_free(&ctx);
    mbedtls_platform_zeroize(block, sizeof(block));
    mbedtls_platform_zeroize(inner, sizeof(inner));
    return ret == 0 ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_INTERNAL_ERROR;
}

/* Compares without an early exit, so the time taken does not tell how many bytes matched. */
static bool equal_constant_time(const uint8_t *a, const uint8_t *b, size_t len)
{
    volatile uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* A copy of the message header whose length field says the message ends after the attribute
 * at attr_offset with a value of value_len bytes (§14.5, §14.7). */
static void header_ending_at(const uint8_t *msg, size_t attr_offset, size_t value_len,
                             uint8_t header[ERTC_STUN_HEADER_LEN])
{
    memcpy(header, msg, ERTC_STUN_HEADER_LEN);
    ertc_put_be16(header + LENGTH_OFFSET, (uint16_t)(attr_offset + ERTC_STUN_ATTR_HEADER_LEN +
                                                     value_len - ERTC_STUN_HEADER_LEN));
}

/* The MESSAGE-INTEGRITY value for msg[0..mi_offset) with the length adjusted. */
static WEBRTC_STATUS compute_integrity(const uint8_t *msg, size_t mi_offset, const uint8_t *key,
                                       size_t key_len, uint8_t mac[SHA1_LEN])
{
    uint8_t header[ERTC_STUN_HEADER_LEN];
    header_ending_at(msg, mi_offset, ERTC_STUN_INTEGRITY_LEN, header);
    return hmac_sha1(key, key_len, header, sizeof(header), msg + ERTC_STUN_HEADER_LEN,
                     mi_offset - ERTC_STUN_HEADER_LEN, mac);
}

static uint32_t compute_fingerprint(const uint8_t *msg, size_t fp_offset)
{
    uint8_t header[ERTC_STUN_HEADER_LEN];
    header_ending_at(msg, fp_offset, FINGERPRINT_LEN, header);
    uint32_t crc = ertc_stun_crc32(0, header, sizeof(header));
    crc = ertc_stun_crc32(crc, msg + ERTC_STUN_HEADER_LEN, fp_offset - ERTC_STUN_HEADER_LEN);
    return crc ^ ERTC_STUN_FINGERPRINT_XOR;
}

/* ---- parsing --------------------------------------------------------------------------- */

bool ertc_stun_is_stun(const uint8_t *buf, size_t len)
{
    return buf != NULL && len >= ERTC_STUN_HEADER_LEN && (buf[0] & 0xC0u) == 0 &&
           ertc_get_be32(buf + COOKIE_OFFSET) == ERTC_STUN_MAGIC_COOKIE &&
           (ertc_get_be16(buf + LENGTH_OFFSET) & 3u) == 0;
}

static bool is_known_attr(uint16_t type)
{
    switch (type) {
    case ERTC_STUN_ATTR_MAPPED_ADDRESS:
    case ERTC_STUN_ATTR_USERNAME:
    case ERTC_STUN_ATTR_MESSAGE_INTEGRITY:
    case ERTC_STUN_ATTR_ERROR_CODE:
    case ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES:
    case ERTC_STUN_ATTR_CHANNEL_NUMBER:
    case ERTC_STUN_ATTR_LIFETIME:
    case ERTC_STUN_ATTR_XOR_PEER_ADDRESS:
    case ERTC_STUN_ATTR_DATA:
    case ERTC_STUN_ATTR_REALM:
    case ERTC_STUN_ATTR_NONCE:
    case ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS:
    case ERTC_STUN_ATTR_REQUESTED_TRANSPORT:
    case ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS:
    case ERTC_STUN_ATTR_PRIORITY:
    case ERTC_STUN_ATTR_USE_CANDIDATE:
    case ERTC_STUN_ATTR_SOFTWARE:
    case ERTC_STUN_ATTR_ALTERNATE_SERVER:
    case ERTC_STUN_ATTR_FINGERPRINT:
    case ERTC_STUN_ATTR_ICE_CONTROLLED:
    case ERTC_STUN_ATTR_ICE_CONTROLLING: return true;
    default: return false;
    }
}

static ertc_addr_t *address_field(ertc_stun_msg_t *m, uint16_t type)
{
    switch (type) {
    case ERTC_STUN_ATTR_MAPPED_ADDRESS: return &m->mapped_address;
    case ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS: return &m->xor_mapped_address;
    case ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS: return &m->xor_relayed_address;
    case ERTC_STUN_ATTR_XOR_PEER_ADDRESS: return &m->xor_peer_address;
    default: return &m->alternate_server;
    }
}

static WEBRTC_STATUS check_text(const uint8_t *v, size_t len, size_t max, const char **text,
                                size_t *text_len)
{
    if (len > max) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *text = (const char *)v;
    *text_len = len;
    return WEBRTC_STATUS_SUCCESS;
}

/* Checks a known attribute's value and decodes it into m (only called for the first
 * occurrence of its type). */
static WEBRTC_STATUS decode_known(ertc_stun_msg_t *m, uint16_t type, const uint8_t *v, size_t len,
                                  size_t offset)
{
    switch (type) {
    case ERTC_STUN_ATTR_MAPPED_ADDRESS:
    case ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS:
    case ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS:
    case ERTC_STUN_ATTR_XOR_PEER_ADDRESS:
    case ERTC_STUN_ATTR_ALTERNATE_SERVER:
        return decode_address(v, len, is_xor_address_type(type), m->transaction_id,
                              address_field(m, type));
    case ERTC_STUN_ATTR_USERNAME:
        return check_text(v, len, ERTC_STUN_MAX_USERNAME_LEN, &m->username, &m->username_len);
    case ERTC_STUN_ATTR_REALM:
        return check_text(v, len, ERTC_STUN_MAX_TEXT_LEN, &m->realm, &m->realm_len);
    case ERTC_STUN_ATTR_NONCE:
        return check_text(v, len, ERTC_STUN_MAX_TEXT_LEN, &m->nonce, &m->nonce_len);
    case ERTC_STUN_ATTR_SOFTWARE:
        return check_text(v, len, ERTC_STUN_MAX_TEXT_LEN, &m->software, &m->software_len);
    case ERTC_STUN_ATTR_MESSAGE_INTEGRITY:
        if (len != ERTC_STUN_INTEGRITY_LEN) {
            return WEBRTC_STATUS_MALFORMED;
        }
        m->integrity_offset = offset;
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_STUN_ATTR_FINGERPRINT:
        if (len != FINGERPRINT_LEN) {
            return WEBRTC_STATUS_MALFORMED;
        }
        m->fingerprint_offset = offset;
        m->fingerprint = ertc_get_be32(v);
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_STUN_ATTR_ERROR_CODE: {
        if (len < ERROR_HDR_LEN || len - ERROR_HDR_LEN > ERTC_STUN_MAX_TEXT_LEN) {
            return WEBRTC_STATUS_MALFORMED;
        }
        unsigned cls = v[2] & 0x07u;
        unsigned number = v[3];
        if (cls < ERROR_CLASS_MIN || cls > ERROR_CLASS_MAX || number > ERROR_NUM_MAX) {
            return WEBRTC_STATUS_MALFORMED;
        }
        m->error_code = (int)(cls * 100u + number);
        m->error_reason = (const char *)v + ERROR_HDR_LEN;
        m->error_reason_len = len - ERROR_HDR_LEN;
        return WEBRTC_STATUS_SUCCESS;
    }
    case ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES:
        if (len % 2 != 0) {
            return WEBRTC_STATUS_MALFORMED;
        }
        for (size_t i = 0; i < len / 2 && i < ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES; i++) {
            m->unknown_attributes[m->unknown_attributes_count++] = ertc_get_be16(v + 2 * i);
        }
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_STUN_ATTR_DATA:
        m->data = v;
        m->data_len = len;
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_STUN_ATTR_USE_CANDIDATE:
        if (len != 0) {
            return WEBRTC_STATUS_MALFORMED;
        }
        m->use_candidate = true;
        return WEBRTC_STATUS_SUCCESS;
    case ERTC_STUN_ATTR_ICE_CONTROLLED:
    case ERTC_STUN_ATTR_ICE_CONTROLLING:
        if (len != 8) {
            return WEBRTC_STATUS_MALFORMED;
        }
        *(type == ERTC_STUN_ATTR_ICE_CONTROLLING ? &m->ice_controlling : &m->ice_controlled) =
            ertc_get_be64(v);
        return WEBRTC_STATUS_SUCCESS;
    default: break;
    }

    /* the rest carry exactly 4 bytes */
    if (len != 4) {
        return WEBRTC_STATUS_MALFORMED;
    }
    switch (type) {
    case ERTC_STUN_ATTR_PRIORITY: m->priority = ertc_get_be32(v); break;
    case ERTC_STUN_ATTR_LIFETIME: m->lifetime = ertc_get_be32(v); break;
    case ERTC_STUN_ATTR_CHANNEL_NUMBER: m->channel_number = ertc_get_be16(v); break; /* then RFFU */
    case ERTC_STUN_ATTR_REQUESTED_TRANSPORT: m->requested_transport = v[0]; break;
    default: return WEBRTC_STATUS_INTERNAL_ERROR; /* is_known_attr and this switch disagree */
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS handle_attr(ertc_stun_msg_t *m, uint16_t type, const uint8_t *v, size_t len,
                                 size_t offset)
{
    if (!is_known_attr(type)) {
        if (!ERTC_STUN_ATTR_IS_COMPREHENSION_REQUIRED(type)) {
            return WEBRTC_STATUS_SUCCESS; /* optional: GOOG-NETWORK-INFO and the like */
        }
        if (m->unknown_required_count < ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES) {
            m->unknown_required[m->unknown_required_count++] = type;
        } else {
            m->unknown_required_truncated = true;
        }
        return WEBRTC_STATUS_SUCCESS;
    }
    if (m->attr_count == ERTC_STUN_MAX_ATTRIBUTES) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    bool first = !ertc_stun_has_attr(m, type);
    ertc_stun_attr_t *a = &m->attrs[m->attr_count++];
    a->type = type;
    a->length = (uint16_t)len;
    a->offset = (uint32_t)offset;
    return first ? decode_known(m, type, v, len, offset) : WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS parse_attributes(ertc_stun_msg_t *m)
{
    const uint8_t *buf = m->buf;
    size_t pos = ERTC_STUN_HEADER_LEN;
    bool after_integrity = false;
    bool after_fingerprint = false;

    while (pos < m->len) {
        if (m->len - pos < ERTC_STUN_ATTR_HEADER_LEN) {
            return WEBRTC_STATUS_MALFORMED;
        }
        uint16_t type = ertc_get_be16(buf + pos);
        size_t len = ertc_get_be16(buf + pos + 2);
        if (padded_len(len) > m->len - pos - ERTC_STUN_ATTR_HEADER_LEN) {
            return WEBRTC_STATUS_MALFORMED; /* the value (or its padding) overruns the message */
        }
        /* §14.5: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count;
         * §14.7: FINGERPRINT is last, so nothing after it does. */
        bool counts =
            !after_fingerprint && (!after_integrity || type == ERTC_STUN_ATTR_FINGERPRINT ||
                                   type == ERTC_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);
        if (counts) {
            WEBRTC_STATUS st =
                handle_attr(m, type, buf + pos + ERTC_STUN_ATTR_HEADER_LEN, len, pos);
            if (st != WEBRTC_STATUS_SUCCESS) {
                return st;
            }
            if (type == ERTC_STUN_ATTR_MESSAGE_INTEGRITY) {
                after_integrity = true;
            } else if (type == ERTC_STUN_ATTR_FINGERPRINT) {
                after_fingerprint = true;
            }
        }
        pos += ERTC_STUN_ATTR_HEADER_LEN + padded_len(len);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_stun_parse(const uint8_t *buf, size_t len, ertc_stun_msg_t *out)
{
    if (buf == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (!ertc_stun_is_stun(buf, len) ||
        (size_t)ertc_get_be16(buf + LENGTH_OFFSET) + ERTC_STUN_HEADER_LEN != len) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->buf = buf;
    out->len = len;
    out->type = ertc_get_be16(buf);
    out->method = ertc_stun_type_method(out->type);
    out->cls = ertc_stun_type_class(out->type);
    memcpy(out->transaction_id, buf + TID_OFFSET, ERTC_STUN_TRANSACTION_ID_LEN);

    WEBRTC_STATUS st = parse_attributes(out);
    if (st != WEBRTC_STATUS_SUCCESS) {
        memset(out, 0, sizeof(*out));
    }
    return st;
}

const ertc_stun_attr_t *ertc_stun_find_attr(const ertc_stun_msg_t *msg, uint16_t type)
{
    if (msg == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < msg->attr_count; i++) {
        if (msg->attrs[i].type == type) {
            return &msg->attrs[i];
        }
    }
    return NULL;
}

bool ertc_stun_has_attr(const ertc_stun_msg_t *msg, uint16_t type)
{
    return ertc_stun_find_attr(msg, type) != NULL;
}

const uint8_t *ertc_stun_attr_value(const ertc_stun_msg_t *msg, const ertc_stun_attr_t *attr)
{
    if (msg == NULL || attr == NULL || msg->buf == NULL) {
        return NULL;
    }
    return msg->buf + attr->offset + ERTC_STUN_ATTR_HEADER_LEN;
}

WEBRTC_STATUS ertc_stun_attr_address(const ertc_stun_msg_t *msg, const ertc_stun_attr_t *attr,
                                     ertc_addr_t *out)
{
    if (msg == NULL || attr == NULL || out == NULL || msg->buf == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!is_address_type(attr->type)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return decode_address(ertc_stun_attr_value(msg, attr), attr->length,
                          is_xor_address_type(attr->type), msg->transaction_id, out);
}

/* ---- verification ---------------------------------------------------------------------- */

WEBRTC_STATUS ertc_stun_verify_integrity(const ertc_stun_msg_t *msg, const uint8_t *key,
                                         size_t key_len)
{
    if (msg == NULL || (key == NULL && key_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->buf == NULL || msg->integrity_offset == 0) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    uint8_t mac[SHA1_LEN];
    WEBRTC_STATUS st = compute_integrity(msg->buf, msg->integrity_offset, key, key_len, mac);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    const uint8_t *sent = msg->buf + msg->integrity_offset + ERTC_STUN_ATTR_HEADER_LEN;
    return equal_constant_time(mac, sent, SHA1_LEN) ? WEBRTC_STATUS_SUCCESS
                                                    : WEBRTC_STATUS_MALFORMED;
}

WEBRTC_STATUS ertc_stun_verify_fingerprint(const ertc_stun_msg_t *msg)
{
    if (msg == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (msg->buf == NULL || msg->fingerprint_offset == 0) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    return compute_fingerprint(msg->buf, msg->fingerprint_offset) == msg->fingerprint
               ? WEBRTC_STATUS_SUCCESS
               : WEBRTC_STATUS_MALFORMED;
}

WEBRTC_STATUS ertc_stun_long_term_key(const char *username, const char *realm, const char *password,
                                      uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN])
{
    if (username == NULL || realm == NULL || password == NULL || key == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    static const uint8_t colon = ':';
    mbedtls_md5_context ctx;
    mbedtls_md5_init(&ctx);
    int ret = md5_starts(&ctx);
    ret = ret != 0 ? ret : md5_update(&ctx, (const uint8_t *)username, strlen(username));
    ret = ret != 0 ? ret : md5_update(&ctx, &colon, 1);
    ret = ret != 0 ? ret : md5_update(&ctx, (const uint8_t *)realm, strlen(realm));
    ret = ret != 0 ? ret : md5_update(&ctx, &colon, 1);
    ret = ret != 0 ? ret : md5_update(&ctx, (const uint8_t *)password, strlen(password));
    ret = ret != 0 ? ret : md5_finish(&ctx, key);
    mbedtls_md5_free(&ctx);
    return ret == 0 ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_INTERNAL_ERROR;
}

/* ---- building -------------------------------------------------------------------------- */

static WEBRTC_STATUS builder_fail(ertc_stun_builder_t *b, WEBRTC_STATUS st)
{
    if (b->status == WEBRTC_STATUS_SUCCESS) {
        b->status = st;
    }
    return st;
}

WEBRTC_STATUS ertc_stun_builder_init(ertc_stun_builder_t *b, uint8_t *buf, size_t size,
                                     uint16_t type,
                                     const uint8_t transaction_id[ERTC_STUN_TRANSACTION_ID_LEN])
{
    if (b == NULL || buf == NULL || transaction_id == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(b, 0, sizeof(*b));
    b->buf = buf;
    b->size = size;
    if ((type & TYPE_TOP_BITS) != 0) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    if (size < ERTC_STUN_HEADER_LEN) {
        return builder_fail(b, WEBRTC_STATUS_BUFFER_TOO_SMALL);
    }
    ertc_put_be16(buf, type);
    ertc_put_be16(buf + LENGTH_OFFSET, 0);
    ertc_put_be32(buf + COOKIE_OFFSET, ERTC_STUN_MAGIC_COOKIE);
    memcpy(buf + TID_OFFSET, transaction_id, ERTC_STUN_TRANSACTION_ID_LEN);
    b->len = ERTC_STUN_HEADER_LEN;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_stun_builder_set_padding(ertc_stun_builder_t *b, uint8_t pad_byte)
{
    if (b != NULL) {
        b->pad_byte = pad_byte;
    }
}

/* Reserves an attribute of value_len bytes (header written, padding filled) and returns
 * where its value goes, or NULL with the failure recorded in *st. */
static uint8_t *reserve_attr(ertc_stun_builder_t *b, uint16_t type, size_t value_len,
                             WEBRTC_STATUS *st)
{
    if (b->status != WEBRTC_STATUS_SUCCESS) {
        *st = b->status; /* an earlier add failed: the message stays as it was then */
        return NULL;
    }
    if (b->buf == NULL || b->len < ERTC_STUN_HEADER_LEN) {
        *st = builder_fail(b, WEBRTC_STATUS_INVALID_OPERATION); /* not initialised */
        return NULL;
    }
    if (value_len > 0xFFFFu ||
        padded_len(value_len) + ERTC_STUN_ATTR_HEADER_LEN > ERTC_STUN_MAX_MESSAGE_LEN - b->len) {
        *st = builder_fail(b, WEBRTC_STATUS_LIMIT_EXCEEDED);
        return NULL;
    }
    size_t total = ERTC_STUN_ATTR_HEADER_LEN + padded_len(value_len);
    if (total > b->size - b->len) {
        *st = builder_fail(b, WEBRTC_STATUS_BUFFER_TOO_SMALL);
        return NULL;
    }
    uint8_t *p = b->buf + b->len;
    ertc_put_be16(p, type);
    ertc_put_be16(p + 2, (uint16_t)value_len);
    memset(p + ERTC_STUN_ATTR_HEADER_LEN + value_len, b->pad_byte,
           padded_len(value_len) - value_len);
    b->len += total;
    ertc_put_be16(b->buf + LENGTH_OFFSET, (uint16_t)(b->len - ERTC_STUN_HEADER_LEN));
    *st = WEBRTC_STATUS_SUCCESS;
    return p + ERTC_STUN_ATTR_HEADER_LEN;
}

WEBRTC_STATUS ertc_stun_add_attr(ertc_stun_builder_t *b, uint16_t type, const void *value,
                                 size_t len)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (value == NULL && len > 0) {
        return builder_fail(b, WEBRTC_STATUS_NULL_ARG);
    }
    WEBRTC_STATUS st;
    uint8_t *v = reserve_attr(b, type, len, &st);
    if (v != NULL && len > 0) {
        memcpy(v, value, len);
    }
    return st;
}

static WEBRTC_STATUS add_text(ertc_stun_builder_t *b, uint16_t type, const char *text, size_t len,
                              size_t max)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > max) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    return ertc_stun_add_attr(b, type, text, len);
}

WEBRTC_STATUS ertc_stun_add_username(ertc_stun_builder_t *b, const char *username, size_t len)
{
    return add_text(b, ERTC_STUN_ATTR_USERNAME, username, len, ERTC_STUN_MAX_USERNAME_LEN);
}

WEBRTC_STATUS ertc_stun_add_realm(ertc_stun_builder_t *b, const char *realm, size_t len)
{
    return add_text(b, ERTC_STUN_ATTR_REALM, realm, len, ERTC_STUN_MAX_TEXT_LEN);
}

WEBRTC_STATUS ertc_stun_add_nonce(ertc_stun_builder_t *b, const char *nonce, size_t len)
{
    return add_text(b, ERTC_STUN_ATTR_NONCE, nonce, len, ERTC_STUN_MAX_TEXT_LEN);
}

WEBRTC_STATUS ertc_stun_add_software(ertc_stun_builder_t *b, const char *software, size_t len)
{
    return add_text(b, ERTC_STUN_ATTR_SOFTWARE, software, len, ERTC_STUN_MAX_TEXT_LEN);
}

static WEBRTC_STATUS add_u32(ertc_stun_builder_t *b, uint16_t type, uint32_t value)
{
    uint8_t v[4];
    ertc_put_be32(v, value);
    return ertc_stun_add_attr(b, type, v, sizeof(v));
}

static WEBRTC_STATUS add_u64(ertc_stun_builder_t *b, uint16_t type, uint64_t value)
{
    uint8_t v[8];
    ertc_put_be32(v, (uint32_t)(value >> 32));
    ertc_put_be32(v + 4, (uint32_t)value);
    return ertc_stun_add_attr(b, type, v, sizeof(v));
}

WEBRTC_STATUS ertc_stun_add_priority(ertc_stun_builder_t *b, uint32_t priority)
{
    return add_u32(b, ERTC_STUN_ATTR_PRIORITY, priority);
}

WEBRTC_STATUS ertc_stun_add_ice_controlling(ertc_stun_builder_t *b, uint64_t tie_breaker)
{
    return add_u64(b, ERTC_STUN_ATTR_ICE_CONTROLLING, tie_breaker);
}

WEBRTC_STATUS ertc_stun_add_ice_controlled(ertc_stun_builder_t *b, uint64_t tie_breaker)
{
    return add_u64(b, ERTC_STUN_ATTR_ICE_CONTROLLED, tie_breaker);
}

WEBRTC_STATUS ertc_stun_add_use_candidate(ertc_stun_builder_t *b)
{
    return ertc_stun_add_attr(b, ERTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
}

WEBRTC_STATUS ertc_stun_add_address(ertc_stun_builder_t *b, uint16_t type, const ertc_addr_t *addr)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (addr == NULL) {
        return builder_fail(b, WEBRTC_STATUS_NULL_ARG);
    }
    if (!is_address_type(type) || (addr->family != ERTC_AF_INET && addr->family != ERTC_AF_INET6)) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    bool v6 = addr->family == ERTC_AF_INET6;
    size_t ip_len = v6 ? 16 : 4;
    uint8_t pad[16];
    memset(pad, 0, sizeof(pad));
    if (is_xor_address_type(type) && b->buf != NULL && b->len >= ERTC_STUN_HEADER_LEN) {
        xor_pad(b->buf + TID_OFFSET, pad);
    }
    uint8_t v[ADDR_IPV6_LEN];
    v[0] = 0;
    v[1] = v6 ? FAMILY_IPV6 : FAMILY_IPV4;
    ertc_put_be16(v + 2, (uint16_t)(addr->port ^ ertc_get_be16(pad)));
    for (size_t i = 0; i < ip_len; i++) {
        v[4 + i] = (uint8_t)(addr->ip[i] ^ pad[i]);
    }
    return ertc_stun_add_attr(b, type, v, 4 + ip_len);
}

WEBRTC_STATUS ertc_stun_add_xor_mapped_address(ertc_stun_builder_t *b, const ertc_addr_t *addr)
{
    return ertc_stun_add_address(b, ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS, addr);
}

WEBRTC_STATUS ertc_stun_add_xor_peer_address(ertc_stun_builder_t *b, const ertc_addr_t *addr)
{
    return ertc_stun_add_address(b, ERTC_STUN_ATTR_XOR_PEER_ADDRESS, addr);
}

WEBRTC_STATUS ertc_stun_add_xor_relayed_address(ertc_stun_builder_t *b, const ertc_addr_t *addr)
{
    return ertc_stun_add_address(b, ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS, addr);
}

WEBRTC_STATUS ertc_stun_add_error_code(ertc_stun_builder_t *b, int code, const char *reason)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (code < ERROR_CLASS_MIN * 100 || code > ERROR_CLASS_MAX * 100 + ERROR_NUM_MAX) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    if (reason == NULL) {
        reason = ertc_stun_error_reason(code);
    }
    size_t reason_len = strlen(reason);
    if (reason_len > ERTC_STUN_MAX_TEXT_LEN) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    WEBRTC_STATUS st;
    uint8_t *v = reserve_attr(b, ERTC_STUN_ATTR_ERROR_CODE, ERROR_HDR_LEN + reason_len, &st);
    if (v != NULL) {
        v[0] = 0;
        v[1] = 0;
        v[2] = (uint8_t)(code / 100);
        v[3] = (uint8_t)(code % 100);
        memcpy(v + ERROR_HDR_LEN, reason, reason_len);
    }
    return st;
}

WEBRTC_STATUS ertc_stun_add_unknown_attributes(ertc_stun_builder_t *b, const uint16_t *types,
                                               size_t count)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (types == NULL && count > 0) {
        return builder_fail(b, WEBRTC_STATUS_NULL_ARG);
    }
    if (count > 0xFFFFu / 2) {
        return builder_fail(b, WEBRTC_STATUS_LIMIT_EXCEEDED);
    }
    WEBRTC_STATUS st;
    uint8_t *v = reserve_attr(b, ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * count, &st);
    for (size_t i = 0; v != NULL && i < count; i++) {
        ertc_put_be16(v + 2 * i, types[i]);
    }
    return st;
}

WEBRTC_STATUS ertc_stun_add_lifetime(ertc_stun_builder_t *b, uint32_t seconds)
{
    return add_u32(b, ERTC_STUN_ATTR_LIFETIME, seconds);
}

WEBRTC_STATUS ertc_stun_add_requested_transport(ertc_stun_builder_t *b, uint8_t protocol)
{
    return add_u32(b, ERTC_STUN_ATTR_REQUESTED_TRANSPORT, (uint32_t)protocol << 24);
}

WEBRTC_STATUS ertc_stun_add_data(ertc_stun_builder_t *b, const uint8_t *data, size_t len)
{
    return ertc_stun_add_attr(b, ERTC_STUN_ATTR_DATA, data, len);
}

WEBRTC_STATUS ertc_stun_add_channel_number(ertc_stun_builder_t *b, uint16_t channel)
{
    if (b == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (channel < ERTC_TURN_CHANNEL_MIN || channel > ERTC_TURN_CHANNEL_MAX) {
        return builder_fail(b, WEBRTC_STATUS_INVALID_ARG);
    }
    return add_u32(b, ERTC_STUN_ATTR_CHANNEL_NUMBER, (uint32_t)channel << 16);
}

WEBRTC_STATUS ertc_stun_builder_finish(ertc_stun_builder_t *b, const uint8_t *key, size_t key_len,
                                       bool fingerprint, size_t *out_len)
{
    if (b == NULL || out_len == NULL || (key == NULL && key_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out_len = 0;
    if (b->status != WEBRTC_STATUS_SUCCESS) {
        return b->status;
    }
    WEBRTC_STATUS st;
    if (key != NULL) {
        size_t offset = b->len;
        uint8_t *v =
            reserve_attr(b, ERTC_STUN_ATTR_MESSAGE_INTEGRITY, ERTC_STUN_INTEGRITY_LEN, &st);
        if (v == NULL) {
            return st;
        }
        st = compute_integrity(b->buf, offset, key, key_len, v);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return builder_fail(b, st);
        }
    }
    if (fingerprint) {
        size_t offset = b->len;
        uint8_t *v = reserve_attr(b, ERTC_STUN_ATTR_FINGERPRINT, FINGERPRINT_LEN, &st);
        if (v == NULL) {
            return st;
        }
        ertc_put_be32(v, compute_fingerprint(b->buf, offset));
    }
    *out_len = b->len;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- TURN ChannelData ------------------------------------------------------------------ */

WEBRTC_STATUS ertc_channeldata_parse(const uint8_t *buf, size_t len, ertc_channeldata_t *out)
{
    if (buf == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    if (len < ERTC_CHANNELDATA_HEADER_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    uint16_t channel = ertc_get_be16(buf);
    size_t data_len = ertc_get_be16(buf + 2);
    if (channel < ERTC_TURN_CHANNEL_MIN || channel > ERTC_TURN_CHANNEL_MAX ||
        data_len > len - ERTC_CHANNELDATA_HEADER_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    out->channel = channel;
    out->data = buf + ERTC_CHANNELDATA_HEADER_LEN;
    out->len = data_len;
    out->frame_len = ERTC_CHANNELDATA_HEADER_LEN + padded_len(data_len);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_channeldata_build(uint8_t *buf, size_t size, uint16_t channel,
                                     const uint8_t *data, size_t data_len, bool pad,
                                     size_t *out_len)
{
    if (buf == NULL || out_len == NULL || (data == NULL && data_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out_len = 0;
    if (channel < ERTC_TURN_CHANNEL_MIN || channel > ERTC_TURN_CHANNEL_MAX || data_len > 0xFFFFu) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t total = ERTC_CHANNELDATA_HEADER_LEN + (pad ? padded_len(data_len) : data_len);
    if (total > size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    ertc_put_be16(buf, channel);
    ertc_put_be16(buf + 2, (uint16_t)data_len);
    if (data_len > 0) {
        memmove(buf + ERTC_CHANNELDATA_HEADER_LEN, data, data_len);
    }
    memset(buf + ERTC_CHANNELDATA_HEADER_LEN + data_len, 0,
           total - ERTC_CHANNELDATA_HEADER_LEN - data_len);
    *out_len = total;
    return WEBRTC_STATUS_SUCCESS;
}
