/*
 * Unit tests for peer/stun and peer/demux: the four RFC 5769 test vectors (parsed, their
 * MESSAGE-INTEGRITY and FINGERPRINT verified, XOR-MAPPED-ADDRESS decoded, and each rebuilt
 * byte for byte with the builder), tampering and truncation, bad framing, unknown
 * comprehension-required attributes, Chrome's GOOG-NETWORK-INFO, the ICE and TURN
 * attributes, the attribute limit, ChannelData and first-byte demultiplexing.
 *
 * Every message under test is copied into an exactly sized heap buffer before parsing, so a
 * sanitizer build catches any read past the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer/demux.h"
#include "peer/stun.h"

/* ---- RFC 5769 test vectors, as printed in the RFC ---------------------------------------- */

/* §2.1 Sample Request: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME (padded with spaces),
 * MESSAGE-INTEGRITY, FINGERPRINT. */
static const char rfc5769_request_hex[] =
    "00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
    "80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74"
    "00 24 00 04 6e 00 01 ff"
    "80 29 00 08 93 2f f9 b1 51 26 3b 36"
    "00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20"
    "00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2"
    "80 28 00 04 e5 7a 3b cf";

/* §2.2 Sample IPv4 Response: SOFTWARE "test vector" (padded with a space),
 * XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT. */
static const char rfc5769_ipv4_hex[] =
    "01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
    "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"
    "00 20 00 08 00 01 a1 47 e1 12 a6 43"
    "00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7"
    "80 28 00 04 c0 7d 4c 96";

/* §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const char rfc5769_ipv6_hex[] =
    "01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
    "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"
    "00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"
    "00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41"
    "80 28 00 04 c8 fb 0b 4c";

/* §2.4 Sample Request with Long-Term Authentication: USERNAME, NONCE, REALM (zero padding),
 * MESSAGE-INTEGRITY; no FINGERPRINT. */
static const char rfc5769_long_term_hex[] =
    "00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e"
    "00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00"
    "00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34"
    "73 41"
    "00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00"
    "00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

static const char short_term_password[] = "VOkJxbRl1RmTxUk/WvJxBt";
static const uint8_t rfc5769_tid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                        0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
static const uint8_t long_term_tid[12] = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
                                          0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
/* "マトリックス" in UTF-8; SASLprep leaves it unchanged. */
static const char long_term_user[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
                                     "\xe3\x82\xb9";
static const char long_term_realm[] = "example.org";
static const char long_term_nonce[] = "f//499k954d6OL34oL9FSTvy64sA";
/* SASLprep("The\u00ADM\u00AAtr\u2168") */
static const char long_term_password[] = "TheMatrIX";

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct {
    uint8_t *bytes;
    size_t len;
} blob_t;

static blob_t from_hex(const char *hex)
{
    blob_t b;
    b.bytes = malloc(strlen(hex) / 2 + 1);
    assert_non_null(b.bytes);
    b.len = 0;
    int nibble = -1;
    for (const char *p = hex; *p != '\0'; p++) {
        int v;
        if (*p >= '0' && *p <= '9') {
            v = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            v = *p - 'a' + 10;
        } else {
            continue;
        }
        if (nibble < 0) {
            nibble = v;
        } else {
            b.bytes[b.len++] = (uint8_t)(nibble << 4 | v);
            nibble = -1;
        }
    }
    assert_int_equal(nibble, -1);
    return b;
}

/* Parses a copy of buf[0..len) in an exactly sized heap buffer; the copy is returned in
 * *copy (to free) because the message points into it. */
static WEBRTC_STATUS parse_copy(const uint8_t *buf, size_t len, ertc_stun_msg_t *msg,
                                uint8_t **copy)
{
    *copy = malloc(len > 0 ? len : 1);
    assert_non_null(*copy);
    if (len > 0) {
        memcpy(*copy, buf, len);
    }
    return ertc_stun_parse(*copy, len, msg);
}

static void assert_text(const char *got, size_t got_len, const char *want)
{
    assert_non_null(got);
    assert_int_equal(got_len, strlen(want));
    assert_memory_equal(got, want, got_len);
}

static ertc_addr_t make_addr(int family, const char *ip, uint16_t port)
{
    ertc_addr_t a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(ertc_addr_parse_ip(ip, &a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(a.family, family);
    a.port = port;
    return a;
}

static void assert_addr(const ertc_addr_t *got, const char *want_ip, uint16_t want_port)
{
    char text[ERTC_ADDR_STRLEN];
    assert_int_equal(ertc_addr_format(got, false, text, sizeof(text)), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(text, want_ip);
    assert_int_equal(got->port, want_port);
}

static const uint8_t *pw(const char *s)
{
    return (const uint8_t *)s;
}

/* ---- RFC 5769 ---------------------------------------------------------------------------- */

static void test_rfc5769_request(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_request_hex);
    assert_int_equal(v.len, 108);
    assert_true(ertc_stun_is_stun(v.bytes, v.len));

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.type, ERTC_STUN_BINDING_REQUEST);
    assert_int_equal(m.method, ERTC_STUN_METHOD_BINDING);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_REQUEST);
    assert_memory_equal(m.transaction_id, rfc5769_tid, 12);
    assert_text(m.software, m.software_len, "STUN test client");
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_PRIORITY));
    assert_int_equal(m.priority, 0x6e0001ffu);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_ICE_CONTROLLED));
    assert_false(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_ICE_CONTROLLING));
    assert_true(m.ice_controlled == 0x932ff9b151263b36ull);
    assert_false(m.use_candidate);
    assert_text(m.username, m.username_len, "evtj:h6vY");
    assert_int_equal(m.attr_count, 6);
    assert_int_equal(m.unknown_required_count, 0);

    /* where each attribute sits */
    const uint16_t types[6] = {ERTC_STUN_ATTR_SOFTWARE,          ERTC_STUN_ATTR_PRIORITY,
                               ERTC_STUN_ATTR_ICE_CONTROLLED,    ERTC_STUN_ATTR_USERNAME,
                               ERTC_STUN_ATTR_MESSAGE_INTEGRITY, ERTC_STUN_ATTR_FINGERPRINT};
    const uint32_t offsets[6] = {20, 40, 48, 60, 76, 100};
    const uint16_t lengths[6] = {16, 4, 8, 9, 20, 4};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(m.attrs[i].type, types[i]);
        assert_int_equal(m.attrs[i].offset, offsets[i]);
        assert_int_equal(m.attrs[i].length, lengths[i]);
    }
    assert_int_equal(m.integrity_offset, 76);
    assert_int_equal(m.fingerprint_offset, 100);
    assert_memory_equal(ertc_stun_attr_value(&m, &m.attrs[3]), "evtj:h6vY", 9);

    assert_int_equal(
        ertc_stun_verify_integrity(&m, pw(short_term_password), strlen(short_term_password)),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_integrity(&m, pw("VOkJxbRl1RmTxUk/WvJxBT"), 22),
                     WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_stun_verify_integrity(&m, NULL, 0), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    free(copy);
    free(v.bytes);
}

static void test_rfc5769_request_rebuilt(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_request_hex);
    uint8_t buf[256];
    ertc_stun_builder_t b;
    assert_int_equal(
        ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, rfc5769_tid),
        WEBRTC_STATUS_SUCCESS);
    ertc_stun_builder_set_padding(&b, ' ');
    assert_int_equal(ertc_stun_add_software(&b, "STUN test client", 16), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_priority(&b, 0x6e0001ffu), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_ice_controlled(&b, 0x932ff9b151263b36ull),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_username(&b, "evtj:h6vY", 9), WEBRTC_STATUS_SUCCESS);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw(short_term_password),
                                              strlen(short_term_password), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, v.len);
    assert_memory_equal(buf, v.bytes, v.len);
    free(v.bytes);
}

static void test_rfc5769_ipv4_response(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_ipv4_hex);
    assert_int_equal(v.len, 80);
    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.type, ERTC_STUN_BINDING_SUCCESS);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_SUCCESS);
    assert_text(m.software, m.software_len, "test vector");
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS));
    assert_int_equal(m.xor_mapped_address.family, ERTC_AF_INET);
    assert_addr(&m.xor_mapped_address, "192.0.2.1", 32853);
    ertc_addr_t again;
    assert_int_equal(ertc_stun_attr_address(
                         &m, ertc_stun_find_attr(&m, ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS), &again),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_addr_equal(&again, &m.xor_mapped_address));
    assert_int_equal(
        ertc_stun_verify_integrity(&m, pw(short_term_password), strlen(short_term_password)),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);

    /* rebuilt byte for byte */
    uint8_t buf[128];
    ertc_stun_builder_t b;
    ertc_addr_t mapped = make_addr(ERTC_AF_INET, "192.0.2.1", 32853);
    assert_int_equal(
        ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_SUCCESS, rfc5769_tid),
        WEBRTC_STATUS_SUCCESS);
    ertc_stun_builder_set_padding(&b, ' ');
    assert_int_equal(ertc_stun_add_software(&b, "test vector", 11), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_xor_mapped_address(&b, &mapped), WEBRTC_STATUS_SUCCESS);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw(short_term_password),
                                              strlen(short_term_password), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, v.len);
    assert_memory_equal(buf, v.bytes, v.len);
    free(copy);
    free(v.bytes);
}

static void test_rfc5769_ipv6_response(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_ipv6_hex);
    assert_int_equal(v.len, 92);
    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.type, ERTC_STUN_BINDING_SUCCESS);
    assert_int_equal(m.xor_mapped_address.family, ERTC_AF_INET6);
    assert_addr(&m.xor_mapped_address, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
    assert_int_equal(
        ertc_stun_verify_integrity(&m, pw(short_term_password), strlen(short_term_password)),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);

    uint8_t buf[128];
    ertc_stun_builder_t b;
    ertc_addr_t mapped = make_addr(ERTC_AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
    assert_int_equal(
        ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_SUCCESS, rfc5769_tid),
        WEBRTC_STATUS_SUCCESS);
    ertc_stun_builder_set_padding(&b, ' ');
    assert_int_equal(ertc_stun_add_software(&b, "test vector", 11), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_xor_mapped_address(&b, &mapped), WEBRTC_STATUS_SUCCESS);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw(short_term_password),
                                              strlen(short_term_password), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, v.len);
    assert_memory_equal(buf, v.bytes, v.len);
    free(copy);
    free(v.bytes);
}

static void test_rfc5769_long_term(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_long_term_hex);
    assert_int_equal(v.len, 116);
    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.type, ERTC_STUN_BINDING_REQUEST);
    assert_memory_equal(m.transaction_id, long_term_tid, 12);
    assert_text(m.username, m.username_len, long_term_user);
    assert_text(m.nonce, m.nonce_len, long_term_nonce);
    assert_text(m.realm, m.realm_len, long_term_realm);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_NOT_FOUND);

    /* MD5("マトリックス:example.org:TheMatrIX"), computed independently */
    static const uint8_t want_key[16] = {0xe8, 0xca, 0x7a, 0xd5, 0x9d, 0x5e, 0xb0, 0x51,
                                         0x8e, 0x31, 0x29, 0x11, 0xd2, 0xda, 0xb2, 0xa9};
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    assert_int_equal(
        ertc_stun_long_term_key(long_term_user, long_term_realm, long_term_password, key),
        WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(key, want_key, sizeof(key));
    assert_int_equal(ertc_stun_verify_integrity(&m, key, sizeof(key)), WEBRTC_STATUS_SUCCESS);
    /* the password is not the key */
    assert_int_equal(ertc_stun_verify_integrity(&m, pw(long_term_password), 9),
                     WEBRTC_STATUS_MALFORMED);
    uint8_t wrong[ERTC_STUN_LONG_TERM_KEY_LEN];
    assert_int_equal(ertc_stun_long_term_key(long_term_user, long_term_realm, "thematrix", wrong),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_integrity(&m, wrong, sizeof(wrong)), WEBRTC_STATUS_MALFORMED);

    uint8_t buf[160];
    ertc_stun_builder_t b;
    assert_int_equal(
        ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, long_term_tid),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_username(&b, long_term_user, strlen(long_term_user)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_nonce(&b, long_term_nonce, strlen(long_term_nonce)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_realm(&b, long_term_realm, strlen(long_term_realm)),
                     WEBRTC_STATUS_SUCCESS);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, key, sizeof(key), false, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, v.len);
    assert_memory_equal(buf, v.bytes, v.len);
    free(copy);
    free(v.bytes);
}

/* Flipping any bit of a signed message is caught: by MESSAGE-INTEGRITY for everything it
 * covers, by FINGERPRINT for everything, or by the parser. */
static void test_tampered_vectors_fail(void **state)
{
    (void)state;
    const char *vectors[] = {rfc5769_request_hex, rfc5769_ipv4_hex, rfc5769_ipv6_hex};
    for (size_t vi = 0; vi < 3; vi++) {
        blob_t v = from_hex(vectors[vi]);
        size_t fp_offset = v.len - 8;
        for (size_t i = 0; i < v.len; i++) {
            for (int bit = 0; bit < 8; bit++) {
                v.bytes[i] ^= (uint8_t)(1u << bit);
                ertc_stun_msg_t m;
                uint8_t *copy;
                if (parse_copy(v.bytes, v.len, &m, &copy) == WEBRTC_STATUS_SUCCESS) {
                    if (i < fp_offset) {
                        assert_int_not_equal(
                            ertc_stun_verify_integrity(&m, pw(short_term_password),
                                                       strlen(short_term_password)),
                            WEBRTC_STATUS_SUCCESS);
                    }
                    assert_int_not_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
                }
                free(copy);
                v.bytes[i] ^= (uint8_t)(1u << bit);
            }
        }
        free(v.bytes);
    }
}

static void test_wrong_fingerprint(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_ipv4_hex);
    v.bytes[v.len - 1] ^= 0x01;
    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_MALFORMED);
    /* FINGERPRINT comes after MESSAGE-INTEGRITY, which still holds */
    assert_int_equal(
        ertc_stun_verify_integrity(&m, pw(short_term_password), strlen(short_term_password)),
        WEBRTC_STATUS_SUCCESS);
    free(copy);
    free(v.bytes);
}

static void test_truncated_messages(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_request_hex);
    for (size_t n = 0; n < v.len; n++) {
        ertc_stun_msg_t m;
        uint8_t *copy;
        assert_int_equal(parse_copy(v.bytes, n, &m, &copy), WEBRTC_STATUS_MALFORMED);
        free(copy);
        /* cut at an attribute boundary or inside one, with the header length made to
         * match: only whole attributes parse */
        if (n >= ERTC_STUN_HEADER_LEN && n % 4 == 0) {
            uint8_t *cut = malloc(n);
            assert_non_null(cut);
            memcpy(cut, v.bytes, n);
            cut[2] = (uint8_t)((n - 20) >> 8);
            cut[3] = (uint8_t)(n - 20);
            static const size_t boundaries[] = {20, 40, 48, 60, 76, 100};
            bool whole = false;
            for (size_t k = 0; k < sizeof(boundaries) / sizeof(boundaries[0]); k++) {
                whole = whole || boundaries[k] == n;
            }
            WEBRTC_STATUS st = ertc_stun_parse(cut, n, &m);
            assert_int_equal(st, whole ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_MALFORMED);
            free(cut);
        }
    }
    /* one byte too many: the header length no longer matches the datagram */
    uint8_t *longer = malloc(v.len + 1);
    assert_non_null(longer);
    memcpy(longer, v.bytes, v.len);
    longer[v.len] = 0;
    ertc_stun_msg_t m;
    assert_int_equal(ertc_stun_parse(longer, v.len + 1, &m), WEBRTC_STATUS_MALFORMED);
    free(longer);
    free(v.bytes);
}

static void test_bad_headers(void **state)
{
    (void)state;
    blob_t v = from_hex(rfc5769_ipv4_hex);
    ertc_stun_msg_t m;
    uint8_t *copy;

    v.bytes[0] |= 0x80; /* top bits must be zero */
    assert_false(ertc_stun_is_stun(v.bytes, v.len));
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    v.bytes[0] &= 0x3F;

    v.bytes[4] ^= 0xFF; /* magic cookie */
    assert_false(ertc_stun_is_stun(v.bytes, v.len));
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    v.bytes[4] ^= 0xFF;

    v.bytes[3] = 0x3d; /* length not a multiple of 4 */
    assert_false(ertc_stun_is_stun(v.bytes, v.len));
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    v.bytes[3] = 0x3c;

    /* attribute length beyond the message: XOR-MAPPED-ADDRESS claims 0x100 bytes */
    v.bytes[38] = 0x01;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    v.bytes[38] = 0x00;
    /* a wrong length throws the walk off: SOFTWARE of 13 bytes (16 with padding) makes the
     * parser read an attribute from the middle of XOR-MAPPED-ADDRESS, which overruns */
    v.bytes[23] = 0x0d;
    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    v.bytes[23] = 0x0b;

    assert_int_equal(parse_copy(v.bytes, v.len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    free(copy);
    assert_int_equal(ertc_stun_parse(NULL, 20, &m), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_stun_parse(v.bytes, v.len, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_false(ertc_stun_is_stun(NULL, 20));
    free(v.bytes);
}

/* ---- builder, ICE and TURN attributes ---------------------------------------------------- */

static const uint8_t tid_a[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* A Chrome-style connectivity check: USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING,
 * USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT. */
static void test_chrome_binding_request(void **state)
{
    (void)state;
    uint8_t buf[256];
    ertc_stun_builder_t b;
    const char *pwd = "abcdefghijklmnopqrstuvwxyz012345";
    assert_int_equal(ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a),
                     WEBRTC_STATUS_SUCCESS);
    ertc_stun_add_username(&b, "remoteUfrag:localUfrag", 22);
    static const uint8_t network_info[4] = {0x00, 0x01, 0x00, 0x0a}; /* network id, cost */
    ertc_stun_add_attr(&b, ERTC_STUN_ATTR_GOOG_NETWORK_INFO, network_info, 4);
    ertc_stun_add_ice_controlling(&b, 0x0123456789abcdefull);
    ertc_stun_add_use_candidate(&b);
    ertc_stun_add_priority(&b, 1853824767u);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw(pwd), strlen(pwd), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_stun_is_stun(buf, len));
    assert_int_equal(ertc_demux_classify(buf[0]), ERTC_DEMUX_STUN);

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_text(m.username, m.username_len, "remoteUfrag:localUfrag");
    assert_false(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_GOOG_NETWORK_INFO));
    assert_int_equal(m.unknown_required_count, 0);
    assert_true(m.ice_controlling == 0x0123456789abcdefull);
    assert_true(m.use_candidate);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_USE_CANDIDATE));
    assert_int_equal(m.priority, 1853824767u);
    assert_int_equal(m.attr_count, 6);
    assert_int_equal(ertc_stun_verify_integrity(&m, pw(pwd), strlen(pwd)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    free(copy);
}

/* 420: the unknown comprehension-required attribute is listed, the optional ones are not;
 * the error response carries them back in UNKNOWN-ATTRIBUTES. */
static void test_unknown_attributes(void **state)
{
    (void)state;
    uint8_t buf[256];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    static const uint8_t four[4] = {1, 2, 3, 4};
    ertc_stun_add_attr(&b, 0x0030, four, 3);
    ertc_stun_add_attr(&b, 0x8055, four, 4);
    ertc_stun_add_attr(&b, ERTC_STUN_ATTR_GOOG_NETWORK_INFO, four, 4);
    ertc_stun_add_attr(&b, ERTC_STUN_ATTR_DONT_FRAGMENT, NULL, 0);
    ertc_stun_add_priority(&b, 7);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, true, &len), WEBRTC_STATUS_SUCCESS);

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.unknown_required_count, 2);
    assert_int_equal(m.unknown_required[0], 0x0030);
    assert_int_equal(m.unknown_required[1], ERTC_STUN_ATTR_DONT_FRAGMENT);
    assert_false(m.unknown_required_truncated);
    assert_int_equal(m.attr_count, 2); /* PRIORITY, FINGERPRINT */
    assert_int_equal(m.priority, 7);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_integrity(&m, pw("x"), 1), WEBRTC_STATUS_NOT_FOUND);

    uint8_t resp[256];
    ertc_stun_builder_init(&b, resp, sizeof(resp), ERTC_STUN_BINDING_ERROR, m.transaction_id);
    ertc_stun_add_error_code(&b, ERTC_STUN_ERROR_UNKNOWN_ATTRIBUTE, NULL);
    ertc_stun_add_unknown_attributes(&b, m.unknown_required, m.unknown_required_count);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, true, &len), WEBRTC_STATUS_SUCCESS);
    free(copy);

    assert_int_equal(parse_copy(resp, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_ERROR);
    assert_int_equal(m.error_code, 420);
    assert_text(m.error_reason, m.error_reason_len, "Unknown Attribute");
    assert_int_equal(m.unknown_attributes_count, 2);
    assert_int_equal(m.unknown_attributes[0], 0x0030);
    assert_int_equal(m.unknown_attributes[1], ERTC_STUN_ATTR_DONT_FRAGMENT);
    free(copy);

    /* more unknown attributes than the list holds */
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    for (uint16_t t = 0x0040; t < 0x0040 + ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES + 2; t++) {
        ertc_stun_add_attr(&b, t, NULL, 0);
    }
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.unknown_required_count, ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES);
    assert_true(m.unknown_required_truncated);
    free(copy);
}

static void test_error_response(void **state)
{
    (void)state;
    uint8_t buf[256];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_ERROR, tid_a);
    assert_int_equal(ertc_stun_add_error_code(&b, 487, "Role Conflict"), WEBRTC_STATUS_SUCCESS);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw("pwd"), 3, true, &len), WEBRTC_STATUS_SUCCESS);
    /* class 4, number 87 */
    assert_int_equal(buf[20 + 4 + 2], 4);
    assert_int_equal(buf[20 + 4 + 3], 87);

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.error_code, ERTC_STUN_ERROR_ROLE_CONFLICT);
    assert_text(m.error_reason, m.error_reason_len, "Role Conflict");
    assert_int_equal(ertc_stun_verify_integrity(&m, pw("pwd"), 3), WEBRTC_STATUS_SUCCESS);
    free(copy);

    /* class 2 and number 100 do not exist */
    buf[26] = 2;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);
    buf[26] = 4;
    buf[27] = 100;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_MALFORMED);
    free(copy);

    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_ERROR, tid_a);
    assert_int_equal(ertc_stun_add_error_code(&b, 299, NULL), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_stun_add_error_code(&b, 700, NULL), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_INVALID_ARG);
    assert_string_equal(ertc_stun_error_reason(401), "Unauthorized");
    assert_string_equal(ertc_stun_error_reason(438), "Stale Nonce");
    assert_string_equal(ertc_stun_error_reason(499), "");
}

static void test_turn_allocate(void **state)
{
    (void)state;
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    assert_int_equal(ertc_stun_long_term_key("user", "turn.example", "secret", key),
                     WEBRTC_STATUS_SUCCESS);
    const char *nonce = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

    /* the request */
    uint8_t buf[512];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf),
                           ERTC_STUN_TYPE(ERTC_STUN_METHOD_ALLOCATE, ERTC_STUN_CLASS_REQUEST),
                           tid_a);
    ertc_stun_add_requested_transport(&b, ERTC_STUN_TRANSPORT_UDP);
    ertc_stun_add_lifetime(&b, 600);
    ertc_stun_add_username(&b, "user", 4);
    ertc_stun_add_realm(&b, "turn.example", 12);
    ertc_stun_add_nonce(&b, nonce, strlen(nonce));
    ertc_stun_add_software(&b, "edgertc", 7);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, key, sizeof(key), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(buf[0], 0x00);
    assert_int_equal(buf[1], 0x03);

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.method, ERTC_STUN_METHOD_ALLOCATE);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_REQUEST);
    assert_int_equal(m.requested_transport, 17);
    assert_int_equal(m.lifetime, 600);
    assert_text(m.realm, m.realm_len, "turn.example");
    assert_text(m.nonce, m.nonce_len, nonce);
    assert_text(m.software, m.software_len, "edgertc");
    assert_int_equal(ertc_stun_verify_integrity(&m, key, sizeof(key)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    free(copy);

    /* the success response */
    ertc_addr_t relayed = make_addr(ERTC_AF_INET6, "2001:db8::7", 49152);
    ertc_addr_t mapped = make_addr(ERTC_AF_INET, "203.0.113.9", 61000);
    ertc_stun_builder_init(&b, buf, sizeof(buf),
                           ERTC_STUN_TYPE(ERTC_STUN_METHOD_ALLOCATE, ERTC_STUN_CLASS_SUCCESS),
                           tid_a);
    ertc_stun_add_xor_relayed_address(&b, &relayed);
    ertc_stun_add_xor_mapped_address(&b, &mapped);
    ertc_stun_add_lifetime(&b, 3600);
    ertc_stun_add_address(&b, ERTC_STUN_ATTR_MAPPED_ADDRESS, &mapped);
    assert_int_equal(ertc_stun_builder_finish(&b, key, sizeof(key), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(buf[0], 0x01);
    assert_int_equal(buf[1], 0x03);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_addr_equal(&m.xor_relayed_address, &relayed));
    assert_true(ertc_addr_equal(&m.xor_mapped_address, &mapped));
    assert_true(ertc_addr_equal(&m.mapped_address, &mapped));
    assert_int_equal(m.lifetime, 3600);
    /* the plain MAPPED-ADDRESS is not XORed on the wire */
    const ertc_stun_attr_t *plain = ertc_stun_find_attr(&m, ERTC_STUN_ATTR_MAPPED_ADDRESS);
    assert_non_null(plain);
    assert_memory_equal(ertc_stun_attr_value(&m, plain) + 4, mapped.ip, 4);
    assert_int_equal(ertc_stun_verify_integrity(&m, key, sizeof(key)), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t dummy;
    assert_int_equal(
        ertc_stun_attr_address(&m, ertc_stun_find_attr(&m, ERTC_STUN_ATTR_LIFETIME), &dummy),
        WEBRTC_STATUS_INVALID_ARG);
    free(copy);
}

static void test_turn_permission_send_channel(void **state)
{
    (void)state;
    uint8_t buf[512];
    ertc_stun_builder_t b;
    ertc_addr_t peer1 = make_addr(ERTC_AF_INET, "198.51.100.1", 5000);
    ertc_addr_t peer2 = make_addr(ERTC_AF_INET6, "2001:db8::1:2", 6000);
    size_t len = 0;
    ertc_stun_msg_t m;
    uint8_t *copy;

    /* CreatePermission with two peers: both recorded, the first decoded */
    ertc_stun_builder_init(
        &b, buf, sizeof(buf),
        ERTC_STUN_TYPE(ERTC_STUN_METHOD_CREATE_PERMISSION, ERTC_STUN_CLASS_REQUEST), tid_a);
    ertc_stun_add_xor_peer_address(&b, &peer1);
    ertc_stun_add_xor_peer_address(&b, &peer2);
    assert_int_equal(ertc_stun_builder_finish(&b, pw("k"), 1, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.method, ERTC_STUN_METHOD_CREATE_PERMISSION);
    assert_true(ertc_addr_equal(&m.xor_peer_address, &peer1));
    assert_int_equal(m.attr_count, 3);
    assert_int_equal(m.attrs[1].type, ERTC_STUN_ATTR_XOR_PEER_ADDRESS);
    ertc_addr_t second;
    assert_int_equal(ertc_stun_attr_address(&m, &m.attrs[1], &second), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_addr_equal(&second, &peer2));
    free(copy);

    /* Send indication with DATA (odd length, padded) */
    static const uint8_t payload[5] = {'h', 'e', 'l', 'l', 'o'};
    ertc_stun_builder_init(&b, buf, sizeof(buf),
                           ERTC_STUN_TYPE(ERTC_STUN_METHOD_SEND, ERTC_STUN_CLASS_INDICATION),
                           tid_a);
    ertc_stun_add_xor_peer_address(&b, &peer2);
    ertc_stun_add_data(&b, payload, sizeof(payload));
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(buf[0], 0x00);
    assert_int_equal(buf[1], 0x16);
    assert_int_equal(len, 20 + 24 + 4 + 8);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_INDICATION);
    assert_int_equal(m.data_len, 5);
    assert_memory_equal(m.data, payload, 5);
    assert_true(ertc_addr_equal(&m.xor_peer_address, &peer2));
    free(copy);

    /* ChannelBind */
    ertc_stun_builder_init(&b, buf, sizeof(buf),
                           ERTC_STUN_TYPE(ERTC_STUN_METHOD_CHANNEL_BIND, ERTC_STUN_CLASS_REQUEST),
                           tid_a);
    assert_int_equal(ertc_stun_add_channel_number(&b, 0x3FFF), WEBRTC_STATUS_INVALID_ARG);
    ertc_stun_builder_init(&b, buf, sizeof(buf),
                           ERTC_STUN_TYPE(ERTC_STUN_METHOD_CHANNEL_BIND, ERTC_STUN_CLASS_REQUEST),
                           tid_a);
    ertc_stun_add_channel_number(&b, 0x4001);
    ertc_stun_add_xor_peer_address(&b, &peer1);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.channel_number, 0x4001);
    assert_int_equal(buf[20 + 4 + 2], 0); /* RFFU */
    free(copy);
}

/* Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored (§14.5), and the
 * integrity check uses the length as if MESSAGE-INTEGRITY were last. */
static void test_attributes_after_integrity(void **state)
{
    (void)state;
    uint8_t buf[256];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    ertc_stun_add_priority(&b, 99);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw("key"), 3, false, &len),
                     WEBRTC_STATUS_SUCCESS);
    /* append DATA and an unknown comprehension-required attribute after it */
    ertc_stun_builder_t more = b;
    static const uint8_t x[3] = {1, 2, 3};
    ertc_stun_add_data(&more, x, 3);
    ertc_stun_add_attr(&more, 0x0031, x, 3);
    assert_int_equal(ertc_stun_builder_finish(&more, NULL, 0, true, &len), WEBRTC_STATUS_SUCCESS);

    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_false(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_DATA));
    assert_int_equal(m.unknown_required_count, 0);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_FINGERPRINT));
    assert_int_equal(ertc_stun_verify_integrity(&m, pw("key"), 3), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    free(copy);

    /* nothing after FINGERPRINT counts either, but it must still be well framed */
    uint8_t *tail = malloc(len + 8);
    assert_non_null(tail);
    memcpy(tail, buf, len);
    static const uint8_t prio[8] = {0x00, 0x24, 0x00, 0x04, 0, 0, 0, 1};
    memcpy(tail + len, prio, 8);
    tail[2] = (uint8_t)((len + 8 - 20) >> 8);
    tail[3] = (uint8_t)(len + 8 - 20);
    assert_int_equal(ertc_stun_parse(tail, len + 8, &m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.priority, 99);
    assert_int_equal(m.attrs[m.attr_count - 1].type, ERTC_STUN_ATTR_FINGERPRINT);
    assert_int_equal(ertc_stun_verify_fingerprint(&m), WEBRTC_STATUS_SUCCESS);
    tail[len + 3] = 0x08; /* the trailing attribute overruns */
    assert_int_equal(ertc_stun_parse(tail, len + 8, &m), WEBRTC_STATUS_MALFORMED);
    free(tail);
}

static void test_bad_attribute_values(void **state)
{
    (void)state;
    static const uint8_t eight[8] = {0};
    static const uint8_t bad_family[8] = {0, 3, 0, 1, 1, 2, 3, 4};
    static const uint8_t v6_short[8] = {0, 2, 0, 1, 1, 2, 3, 4};
    char long_name[ERTC_STUN_MAX_USERNAME_LEN + 2];
    memset(long_name, 'u', sizeof(long_name));
    char long_text[ERTC_STUN_MAX_TEXT_LEN + 1];
    memset(long_text, 't', sizeof(long_text));

    struct {
        uint16_t type;
        const void *value;
        size_t len;
    } cases[] = {
        {ERTC_STUN_ATTR_PRIORITY, eight, 8},
        {ERTC_STUN_ATTR_PRIORITY, eight, 3},
        {ERTC_STUN_ATTR_LIFETIME, eight, 0},
        {ERTC_STUN_ATTR_CHANNEL_NUMBER, eight, 2},
        {ERTC_STUN_ATTR_REQUESTED_TRANSPORT, eight, 1},
        {ERTC_STUN_ATTR_ICE_CONTROLLING, eight, 4},
        {ERTC_STUN_ATTR_ICE_CONTROLLED, eight, 7},
        {ERTC_STUN_ATTR_USE_CANDIDATE, eight, 4},
        {ERTC_STUN_ATTR_MESSAGE_INTEGRITY, eight, 8},
        {ERTC_STUN_ATTR_FINGERPRINT, eight, 8},
        {ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS, bad_family, 8},
        {ERTC_STUN_ATTR_XOR_PEER_ADDRESS, v6_short, 8},
        {ERTC_STUN_ATTR_MAPPED_ADDRESS, eight, 4},
        {ERTC_STUN_ATTR_ERROR_CODE, eight, 3},
        {ERTC_STUN_ATTR_UNKNOWN_ATTRIBUTES, eight, 3},
        {ERTC_STUN_ATTR_USERNAME, long_name, ERTC_STUN_MAX_USERNAME_LEN + 1},
        {ERTC_STUN_ATTR_NONCE, long_text, ERTC_STUN_MAX_TEXT_LEN + 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[1024];
        ertc_stun_builder_t b;
        ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
        assert_int_equal(ertc_stun_add_attr(&b, cases[i].type, cases[i].value, cases[i].len),
                         WEBRTC_STATUS_SUCCESS);
        size_t len = 0;
        assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
        ertc_stun_msg_t m;
        uint8_t *copy;
        assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_MALFORMED);
        assert_int_equal(m.attr_count, 0); /* zeroed on failure */
        free(copy);
    }
    /* at the limits they parse */
    uint8_t buf[1024];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    assert_int_equal(ertc_stun_add_username(&b, long_name, ERTC_STUN_MAX_USERNAME_LEN),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_username(&b, long_name, ERTC_STUN_MAX_USERNAME_LEN + 1),
                     WEBRTC_STATUS_INVALID_ARG);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_INVALID_ARG);
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    ertc_stun_add_username(&b, long_name, ERTC_STUN_MAX_USERNAME_LEN);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    ertc_stun_msg_t m;
    uint8_t *copy;
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.username_len, ERTC_STUN_MAX_USERNAME_LEN);
    free(copy);
}

static void test_attribute_limit(void **state)
{
    (void)state;
    uint8_t buf[1024];
    ertc_stun_builder_t b;
    size_t len = 0;
    ertc_stun_msg_t m;
    uint8_t *copy;

    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    for (uint32_t i = 0; i < ERTC_STUN_MAX_ATTRIBUTES; i++) {
        ertc_stun_add_priority(&b, i + 1);
    }
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.attr_count, ERTC_STUN_MAX_ATTRIBUTES);
    assert_int_equal(m.priority, 1); /* the first occurrence */
    free(copy);

    ertc_stun_add_priority(&b, 0); /* one more */
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_LIMIT_EXCEEDED);
    free(copy);

    /* unknown optional attributes do not count against the limit */
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    for (int i = 0; i < 2 * ERTC_STUN_MAX_ATTRIBUTES; i++) {
        ertc_stun_add_attr(&b, ERTC_STUN_ATTR_GOOG_NETWORK_INFO, "abcd", 4);
    }
    ertc_stun_add_priority(&b, 5);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(parse_copy(buf, len, &m, &copy), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.attr_count, 1);
    free(copy);
}

static void test_builder_bounds(void **state)
{
    (void)state;
    /* build once to learn the size, then in every smaller buffer */
    uint8_t full[256];
    ertc_stun_builder_t b;
    ertc_addr_t a = make_addr(ERTC_AF_INET6, "2001:db8::9", 9);
    ertc_stun_builder_init(&b, full, sizeof(full), ERTC_STUN_BINDING_SUCCESS, tid_a);
    ertc_stun_add_xor_mapped_address(&b, &a);
    ertc_stun_add_software(&b, "abc", 3);
    size_t want = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw("k"), 1, true, &want), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(want, 20 + 24 + 8 + 24 + 8);

    for (size_t size = 0; size < want; size++) {
        uint8_t *buf = malloc(size > 0 ? size : 1);
        assert_non_null(buf);
        size_t len = 1;
        WEBRTC_STATUS st = ertc_stun_builder_init(&b, buf, size, ERTC_STUN_BINDING_SUCCESS, tid_a);
        ertc_stun_add_xor_mapped_address(&b, &a);
        ertc_stun_add_software(&b, "abc", 3);
        assert_int_equal(ertc_stun_builder_finish(&b, pw("k"), 1, true, &len),
                         WEBRTC_STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(len, 0);
        assert_int_equal(b.status, WEBRTC_STATUS_BUFFER_TOO_SMALL);
        /* what was written before the failure is still a complete message */
        if (st == WEBRTC_STATUS_SUCCESS) {
            ertc_stun_msg_t m;
            assert_int_equal(ertc_stun_parse(buf, b.len, &m), WEBRTC_STATUS_SUCCESS);
        }
        free(buf);
    }

    /* bad arguments */
    uint8_t buf[64];
    assert_int_equal(ertc_stun_builder_init(&b, buf, sizeof(buf), 0xC001, tid_a),
                     WEBRTC_STATUS_INVALID_ARG);
    size_t len;
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_stun_builder_init(NULL, buf, sizeof(buf), 1, tid_a),
                     WEBRTC_STATUS_NULL_ARG);
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    ertc_addr_t unset;
    memset(&unset, 0, sizeof(unset));
    assert_int_equal(ertc_stun_add_xor_mapped_address(&b, &unset), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_stun_add_address(&b, ERTC_STUN_ATTR_PRIORITY, &a),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(b.len, 20);

    /* 64 KiB is the most a message can hold */
    static uint8_t big[ERTC_STUN_MAX_MESSAGE_LEN + 64];
    static uint8_t data[0xFFFF];
    ertc_stun_builder_init(&b, big, sizeof(big), ERTC_STUN_BINDING_INDICATION, tid_a);
    assert_int_equal(ertc_stun_add_data(&b, data, 0xFFF0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_data(&b, data, 16), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_stun_add_data(&b, data, 4), WEBRTC_STATUS_LIMIT_EXCEEDED); /* sticks */
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    ertc_stun_builder_init(&b, big, sizeof(big), ERTC_STUN_BINDING_INDICATION, tid_a);
    assert_int_equal(ertc_stun_add_data(&b, data, 0xFFF0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_add_data(&b, data, 4), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(b.len, ERTC_STUN_MAX_MESSAGE_LEN);
    ertc_stun_msg_t m;
    assert_int_equal(ertc_stun_parse(big, b.len, &m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(m.data_len, 0xFFF0);
}

static void test_long_hmac_key(void **state)
{
    (void)state;
    /* a key longer than the SHA-1 block is hashed first (RFC 2104) */
    char key[100];
    memset(key, 'k', sizeof(key));
    uint8_t buf[128];
    ertc_stun_builder_t b;
    ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid_a);
    size_t len = 0;
    assert_int_equal(ertc_stun_builder_finish(&b, pw(key), sizeof(key), true, &len),
                     WEBRTC_STATUS_SUCCESS);
    ertc_stun_msg_t m;
    assert_int_equal(ertc_stun_parse(buf, len, &m), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_integrity(&m, pw(key), sizeof(key)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_integrity(&m, pw(key), sizeof(key) - 1),
                     WEBRTC_STATUS_MALFORMED);
}

static void test_method_class(void **state)
{
    (void)state;
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_REQUEST), 0x0001);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_INDICATION), 0x0011);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_SUCCESS), 0x0101);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_BINDING, ERTC_STUN_CLASS_ERROR), 0x0111);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_ALLOCATE, ERTC_STUN_CLASS_ERROR), 0x0113);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_REFRESH, ERTC_STUN_CLASS_SUCCESS), 0x0104);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_SEND, ERTC_STUN_CLASS_INDICATION), 0x0016);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_DATA, ERTC_STUN_CLASS_INDICATION), 0x0017);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_CREATE_PERMISSION, ERTC_STUN_CLASS_REQUEST),
                     0x0008);
    assert_int_equal(ERTC_STUN_TYPE(ERTC_STUN_METHOD_CHANNEL_BIND, ERTC_STUN_CLASS_SUCCESS),
                     0x0109);
    assert_int_equal(ERTC_STUN_TYPE(0xFFF, ERTC_STUN_CLASS_ERROR), 0x3FFF);
    for (uint16_t method = 0; method <= 0xFFF; method++) {
        for (int cls = 0; cls < 4; cls++) {
            uint16_t type = ERTC_STUN_TYPE(method, cls);
            assert_true(type <= 0x3FFF);
            assert_int_equal(ertc_stun_type_method(type), method);
            assert_int_equal(ertc_stun_type_class(type), cls);
        }
    }
    assert_string_equal(ertc_stun_method_name(ERTC_STUN_METHOD_BINDING), "Binding");
    assert_string_equal(ertc_stun_method_name(ERTC_STUN_METHOD_CREATE_PERMISSION),
                        "CreatePermission");
    assert_string_equal(ertc_stun_method_name(ERTC_STUN_METHOD_CHANNEL_BIND), "ChannelBind");
    assert_string_equal(ertc_stun_method_name(0x0ABC), "unknown");
    assert_string_equal(ertc_stun_class_name(ERTC_STUN_CLASS_ERROR), "error response");
    assert_string_equal(ertc_stun_attr_name(ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS),
                        "XOR-MAPPED-ADDRESS");
    assert_string_equal(ertc_stun_attr_name(0xC057), "GOOG-NETWORK-INFO");
}

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(ertc_stun_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(ertc_stun_crc32(0, NULL, 0), 0);
    /* in pieces */
    uint32_t crc = ertc_stun_crc32(0, (const uint8_t *)"1234", 4);
    assert_int_equal(ertc_stun_crc32(crc, (const uint8_t *)"56789", 5), 0xCBF43926u);
}

/* ---- ChannelData ------------------------------------------------------------------------- */

static void test_channeldata_round_trip(void **state)
{
    (void)state;
    static const uint8_t payload[5] = {0x80, 0x60, 0x00, 0x01, 0xAA};
    uint8_t buf[64];
    size_t len = 0;

    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), 0x4000, payload, 5, false, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 9);
    assert_int_equal(buf[0], 0x40);
    assert_int_equal(buf[1], 0x00);
    assert_int_equal(buf[2], 0x00);
    assert_int_equal(buf[3], 0x05);
    assert_int_equal(ertc_demux_classify(buf[0]), ERTC_DEMUX_TURN_CHANNEL);
    assert_false(ertc_stun_is_stun(buf, len));

    ertc_channeldata_t cd;
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    assert_int_equal(ertc_channeldata_parse(copy, len, &cd), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(cd.channel, 0x4000);
    assert_int_equal(cd.len, 5);
    assert_memory_equal(cd.data, payload, 5);
    assert_int_equal(cd.frame_len, 12);
    free(copy);

    memset(buf, 0xEE, sizeof(buf));
    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), 0x4FFF, payload, 5, true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 12);
    assert_int_equal(buf[9], 0);
    assert_int_equal(buf[10], 0);
    assert_int_equal(buf[11], 0);
    assert_int_equal(ertc_channeldata_parse(buf, len, &cd), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(cd.channel, 0x4FFF);
    assert_int_equal(cd.len, 5);

    /* data already in place after the header */
    memcpy(buf + 4, payload, 5);
    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), 0x4123, buf + 4, 5, true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(buf + 4, payload, 5);

    /* empty */
    assert_int_equal(ertc_channeldata_build(buf, 4, 0x4001, NULL, 0, true, &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 4);
    assert_int_equal(ertc_channeldata_parse(buf, 4, &cd), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(cd.len, 0);

    /* errors */
    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), 0x3FFF, payload, 5, true, &len),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), 0x5000, payload, 5, true, &len),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_channeldata_build(buf, 11, 0x4000, payload, 5, true, &len),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_channeldata_build(buf, 8, 0x4000, payload, 5, false, &len),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);

    static const uint8_t short_data[6] = {0x40, 0x00, 0x00, 0x05, 1, 2};
    assert_int_equal(ertc_channeldata_parse(short_data, 6, &cd), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_channeldata_parse(short_data, 3, &cd), WEBRTC_STATUS_MALFORMED);
    static const uint8_t reserved[4] = {0x50, 0x00, 0x00, 0x00};
    assert_int_equal(ertc_channeldata_parse(reserved, 4, &cd), WEBRTC_STATUS_MALFORMED);
    static const uint8_t stun_like[4] = {0x00, 0x01, 0x00, 0x00};
    assert_int_equal(ertc_channeldata_parse(stun_like, 4, &cd), WEBRTC_STATUS_MALFORMED);
}

/* ---- demultiplexing ---------------------------------------------------------------------- */

static void test_demux_classify(void **state)
{
    (void)state;
    for (int byte = 0; byte < 256; byte++) {
        ertc_demux_kind_t want = ERTC_DEMUX_UNKNOWN;
        if (byte <= 3) {
            want = ERTC_DEMUX_STUN;
        } else if (byte >= 16 && byte <= 19) {
            want = ERTC_DEMUX_ZRTP;
        } else if (byte >= 20 && byte <= 63) {
            want = ERTC_DEMUX_DTLS;
        } else if (byte >= 64 && byte <= 79) {
            want = ERTC_DEMUX_TURN_CHANNEL;
        } else if (byte >= 128 && byte <= 191) {
            want = ERTC_DEMUX_RTP;
        }
        assert_int_equal(ertc_demux_classify((uint8_t)byte), want);
    }
    /* first bytes seen on a WebRTC socket */
    assert_int_equal(ertc_demux_classify(0x01), ERTC_DEMUX_STUN); /* Binding success */
    assert_int_equal(ertc_demux_classify(22), ERTC_DEMUX_DTLS);   /* handshake record */
    assert_int_equal(ertc_demux_classify(23), ERTC_DEMUX_DTLS);   /* application data */
    assert_int_equal(ertc_demux_classify(0x80), ERTC_DEMUX_RTP);  /* V=2, no padding */
    assert_int_equal(ertc_demux_classify(0x81), ERTC_DEMUX_RTP);  /* RTCP with RC=1 */
    assert_int_equal(ertc_demux_classify(0x4F), ERTC_DEMUX_TURN_CHANNEL);
    assert_int_equal(ertc_demux_classify(0x50), ERTC_DEMUX_UNKNOWN);
    assert_int_equal(ertc_demux_classify(4), ERTC_DEMUX_UNKNOWN);
    assert_int_equal(ertc_demux_classify(0xC0), ERTC_DEMUX_UNKNOWN);
    assert_string_equal(ertc_demux_kind_name(ERTC_DEMUX_DTLS), "DTLS");
    assert_string_equal(ertc_demux_kind_name(ERTC_DEMUX_UNKNOWN), "unknown");

    /* the cookie check rules out what the first byte cannot */
    static const uint8_t not_stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x43};
    assert_int_equal(ertc_demux_classify(not_stun[0]), ERTC_DEMUX_STUN);
    assert_false(ertc_stun_is_stun(not_stun, sizeof(not_stun)));
    assert_false(ertc_stun_is_stun(not_stun, 19));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc5769_request),
        cmocka_unit_test(test_rfc5769_request_rebuilt),
        cmocka_unit_test(test_rfc5769_ipv4_response),
        cmocka_unit_test(test_rfc5769_ipv6_response),
        cmocka_unit_test(test_rfc5769_long_term),
        cmocka_unit_test(test_tampered_vectors_fail),
        cmocka_unit_test(test_wrong_fingerprint),
        cmocka_unit_test(test_truncated_messages),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_chrome_binding_request),
        cmocka_unit_test(test_unknown_attributes),
        cmocka_unit_test(test_error_response),
        cmocka_unit_test(test_turn_allocate),
        cmocka_unit_test(test_turn_permission_send_channel),
        cmocka_unit_test(test_attributes_after_integrity),
        cmocka_unit_test(test_bad_attribute_values),
        cmocka_unit_test(test_attribute_limit),
        cmocka_unit_test(test_builder_bounds),
        cmocka_unit_test(test_long_hmac_key),
        cmocka_unit_test(test_method_class),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_channeldata_round_trip),
        cmocka_unit_test(test_demux_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
