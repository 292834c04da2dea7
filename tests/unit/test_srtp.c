/*
 * Unit tests for peer/srtp.
 *
 * Known answers: the test carries its own small SRTP reference on mbedTLS (RFC 3711 §4.1.1
 * AES-CM, §4.3.1 key derivation, §4.2 HMAC-SHA1-80 tag). The reference itself is checked
 * against the RFC 3711 Appendix B.2 keystream and B.3 key-derivation vectors, and then the
 * wrapper's SRTP and SRTCP output must equal it byte for byte — including after the sequence
 * number wraps and the rollover counter becomes 1.
 *
 * Behaviour: round trips between two contexts with swapped keys (as the two ends of one
 * DTLS-SRTP association see them), tampering and wrong keys (AUTH_FAILED, counted), replays
 * and packets older than the 1024-packet window (REPLAY, counted), out-of-order delivery
 * inside the window, buffers without trailer room, malformed input, the DTLS exporter key
 * layout, many packets across two sequence-number wraps, and GCM when libsrtp has it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/md.h>

#include "peer/srtp.h"

#define TAG_LEN    10 /* HMAC-SHA1-80 */
#define PACKET_CAP 1500

/* ---- helpers -------------------------------------------------------------------------------- */

static void hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void fill_keys(ertc_srtp_keys_t *k, uint8_t seed)
{
    for (size_t i = 0; i < sizeof(k->local_key); i++) {
        k->local_key[i] = (uint8_t)(seed + i);
        k->remote_key[i] = (uint8_t)(seed + 0x80 + i);
    }
    for (size_t i = 0; i < sizeof(k->local_salt); i++) {
        k->local_salt[i] = (uint8_t)(seed + 0x40 + i);
        k->remote_salt[i] = (uint8_t)(seed + 0xC0 + i);
    }
}

static ertc_srtp_keys_t swapped(const ertc_srtp_keys_t *k)
{
    ertc_srtp_keys_t s;
    memcpy(s.local_key, k->remote_key, sizeof(s.local_key));
    memcpy(s.local_salt, k->remote_salt, sizeof(s.local_salt));
    memcpy(s.remote_key, k->local_key, sizeof(s.remote_key));
    memcpy(s.remote_salt, k->local_salt, sizeof(s.remote_salt));
    return s;
}

/* The two ends of one association: `a` sends to `b` and `b` to `a`. */
static void make_pair(ertc_srtp_t **a, ertc_srtp_t **b, ertc_srtp_profile_t profile)
{
    ertc_srtp_keys_t k;
    fill_keys(&k, 0x11);
    ertc_srtp_keys_t ks = swapped(&k);
    assert_int_equal(ertc_srtp_create(a, &k, profile), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_create(b, &ks, profile), WEBRTC_STATUS_SUCCESS);
}

static size_t build_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload_len)
{
    buf[0] = 0x80;
    buf[1] = 96;
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    uint32_t ts = (uint32_t)seq * 3000u;
    buf[4] = (uint8_t)(ts >> 24);
    buf[5] = (uint8_t)(ts >> 16);
    buf[6] = (uint8_t)(ts >> 8);
    buf[7] = (uint8_t)ts;
    buf[8] = (uint8_t)(ssrc >> 24);
    buf[9] = (uint8_t)(ssrc >> 16);
    buf[10] = (uint8_t)(ssrc >> 8);
    buf[11] = (uint8_t)ssrc;
    for (size_t i = 0; i < payload_len; i++) {
        buf[12 + i] = (uint8_t)(i * 7 + seq);
    }
    return 12 + payload_len;
}

/* An RTCP receiver report with one report block (32 bytes). */
static size_t build_rtcp(uint8_t *buf, uint32_t ssrc)
{
    memset(buf, 0, 32);
    buf[0] = 0x81;
    buf[1] = 201;
    buf[3] = 7;
    buf[4] = (uint8_t)(ssrc >> 24);
    buf[5] = (uint8_t)(ssrc >> 16);
    buf[6] = (uint8_t)(ssrc >> 8);
    buf[7] = (uint8_t)ssrc;
    for (size_t i = 8; i < 32; i++) {
        buf[i] = (uint8_t)(0xA0 + i);
    }
    return 32;
}

/* ---- the reference: RFC 3711 on mbedTLS ------------------------------------------------------ */

/* AES-CM keystream (RFC 3711 §4.1.1): AES_k(iv + j) for block counter j in the low 16 bits. */
static void ref_keystream(const uint8_t key[16], const uint8_t iv[16], uint8_t *out, size_t n)
{
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    assert_int_equal(mbedtls_aes_setkey_enc(&aes, key, 128), 0);
    uint8_t ctr[16];
    memcpy(ctr, iv, 16);
    for (size_t off = 0, j = 0; off < n; off += 16, j++) {
        ctr[14] = (uint8_t)(j >> 8);
        ctr[15] = (uint8_t)j;
        uint8_t block[16];
        assert_int_equal(mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, ctr, block), 0);
        memcpy(out + off, block, n - off < 16 ? n - off : 16);
    }
    mbedtls_aes_free(&aes);
}

/* Key derivation (RFC 3711 §4.3.1, key_derivation_rate 0): x = (label << 48) XOR salt. */
static void ref_derive(const uint8_t master_key[16], const uint8_t master_salt[14], uint8_t label,
                       uint8_t *out, size_t n)
{
    uint8_t iv[16] = {0};
    memcpy(iv, master_salt, 14);
    iv[7] ^= label;
    ref_keystream(master_key, iv, out, n);
}

typedef struct {
    uint8_t key[16];
    uint8_t salt[14];
    uint8_t auth[20];
} ref_session_t;

static void ref_session(const uint8_t master_key[16], const uint8_t master_salt[14], bool rtcp,
                        ref_session_t *s)
{
    uint8_t base = rtcp ? 3 : 0;
    ref_derive(master_key, master_salt, base + 0, s->key, 16);
    ref_derive(master_key, master_salt, base + 1, s->auth, 20);
    ref_derive(master_key, master_salt, base + 2, s->salt, 14);
}

/* Encrypts `len` bytes at `data` for (ssrc, 48-bit index). */
static void ref_crypt(const ref_session_t *s, uint32_t ssrc, uint64_t index, uint8_t *data,
                      size_t len)
{
    uint8_t iv[16] = {0};
    memcpy(iv, s->salt, 14);
    for (int i = 0; i < 4; i++) {
        iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    }
    for (int i = 0; i < 6; i++) {
        iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
    }
    uint8_t ks[PACKET_CAP];
    assert_true(len <= sizeof(ks));
    ref_keystream(s->key, iv, ks, len);
    for (size_t i = 0; i < len; i++) {
        data[i] ^= ks[i];
    }
}

static void ref_tag(const ref_session_t *s, const uint8_t *msg, size_t len, uint8_t out[TAG_LEN])
{
    uint8_t mac[20];
    assert_int_equal(
        mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), s->auth, 20, msg, len, mac), 0);
    memcpy(out, mac, TAG_LEN);
}

/* SRTP of a 12-byte-header RTP packet with rollover counter `roc` (RFC 3711 §3.1, §4.2). */
static size_t ref_protect_rtp(const uint8_t master_key[16], const uint8_t master_salt[14],
                              uint32_t roc, uint8_t *pkt, size_t len)
{
    ref_session_t s;
    ref_session(master_key, master_salt, false, &s);
    uint32_t ssrc =
        (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 | (uint32_t)pkt[10] << 8 | pkt[11];
    uint16_t seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
    ref_crypt(&s, ssrc, ((uint64_t)roc << 16) | seq, pkt + 12, len - 12);
    uint8_t msg[PACKET_CAP + 4];
    memcpy(msg, pkt, len);
    for (int i = 0; i < 4; i++) {
        msg[len + (size_t)i] = (uint8_t)(roc >> (24 - 8 * i));
    }
    ref_tag(&s, msg, len + 4, pkt + len);
    return len + TAG_LEN;
}

/* SRTCP (RFC 3711 §3.4) with E=1 and the given 31-bit index. */
static size_t ref_protect_rtcp(const uint8_t master_key[16], const uint8_t master_salt[14],
                               uint32_t index, uint8_t *pkt, size_t len)
{
    ref_session_t s;
    ref_session(master_key, master_salt, true, &s);
    uint32_t ssrc =
        (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | (uint32_t)pkt[6] << 8 | pkt[7];
    ref_crypt(&s, ssrc, index, pkt + 8, len - 8);
    uint32_t e_index = 0x80000000u | index;
    for (int i = 0; i < 4; i++) {
        pkt[len + (size_t)i] = (uint8_t)(e_index >> (24 - 8 * i));
    }
    ref_tag(&s, pkt, len + 4, pkt + len + 4);
    return len + 4 + TAG_LEN;
}

/* ---- RFC 3711 vectors for the reference -------------------------------------------------------
 */

static void test_rfc3711_b2_keystream(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], expected[48], ks[48];
    hex_to_bytes("2B7E151628AED2A6ABF7158809CF4F3C", key, 16);
    hex_to_bytes("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", iv, 16);
    hex_to_bytes("E03EAD0935C95E80E166B16DD92B4EB4"
                 "D23513162B02D0F72A43A2FE4A5F97AB"
                 "41E95B3BB0A2E8DD477901E4FCA894C0",
                 expected, 48);
    ref_keystream(key, iv, ks, sizeof(ks));
    assert_memory_equal(ks, expected, sizeof(ks));
}

static void test_rfc3711_b3_key_derivation(void **state)
{
    (void)state;
    uint8_t mk[16], ms[14], exp_key[16], exp_salt[14], exp_auth[20];
    hex_to_bytes("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
    hex_to_bytes("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
    hex_to_bytes("C61E7A93744F39EE10734AFE3FF7A087", exp_key, 16);
    hex_to_bytes("30CBBC08863D8C85D49DB34A9AE1", exp_salt, 14);
    hex_to_bytes("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", exp_auth, 20);
    ref_session_t s;
    ref_session(mk, ms, false, &s);
    assert_memory_equal(s.key, exp_key, 16);
    assert_memory_equal(s.salt, exp_salt, 14);
    assert_memory_equal(s.auth, exp_auth, 20);
}

/* ---- the wrapper against the reference ------------------------------------------------------- */

static void rfc_keys(ertc_srtp_keys_t *k)
{
    fill_keys(k, 0x33);
    hex_to_bytes("E1F97A0D3E018BE0D64FA32C06DE4139", k->local_key, 16);
    hex_to_bytes("0EC675AD498AFEEBB6960B3AABE6", k->local_salt, 14);
}

static void test_rtp_matches_reference(void **state)
{
    (void)state;
    ertc_srtp_keys_t k;
    rfc_keys(&k);
    ertc_srtp_t *s = NULL;
    assert_int_equal(ertc_srtp_create(&s, &k, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    /* Sequence numbers cross the wrap: 65534, 65535 (ROC 0), then 0, 1 (ROC 1). */
    const uint16_t seqs[] = {65534, 65535, 0, 1};
    const uint32_t rocs[] = {0, 0, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        uint8_t pkt[PACKET_CAP], ref[PACKET_CAP];
        size_t len = build_rtp(pkt, seqs[i], 0xCAFEBABE, 37);
        memcpy(ref, pkt, len);
        size_t ref_len = ref_protect_rtp(k.local_key, k.local_salt, rocs[i], ref, len);
        assert_int_equal(ertc_srtp_protect_rtp(s, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, ref_len);
        assert_memory_equal(pkt, ref, len);
    }
    ertc_srtp_free(s);
}

static void test_rtcp_matches_reference(void **state)
{
    (void)state;
    ertc_srtp_keys_t k;
    rfc_keys(&k);
    ertc_srtp_t *s = NULL;
    assert_int_equal(ertc_srtp_create(&s, &k, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    uint32_t first_index = 0;
    for (uint32_t n = 0; n < 3; n++) {
        uint8_t pkt[PACKET_CAP], ref[PACKET_CAP];
        size_t len = build_rtcp(pkt, 0x01020304);
        memcpy(ref, pkt, len);
        assert_int_equal(ertc_srtp_protect_rtcp(s, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, 32 + 4 + TAG_LEN);
        /* The E flag is set and the index counts up by one per packet (RFC 3711 §3.4). */
        uint32_t e_index =
            (uint32_t)pkt[32] << 24 | (uint32_t)pkt[33] << 16 | (uint32_t)pkt[34] << 8 | pkt[35];
        assert_true(e_index & 0x80000000u);
        if (n == 0) {
            first_index = e_index & 0x7FFFFFFFu;
        }
        assert_int_equal(e_index & 0x7FFFFFFFu, first_index + n);
        size_t ref_len = ref_protect_rtcp(k.local_key, k.local_salt, first_index + n, ref, 32);
        assert_int_equal(len, ref_len);
        assert_memory_equal(pkt, ref, len);
    }
    ertc_srtp_free(s);
}

/* ---- behaviour --------------------------------------------------------------------------------
 */

static void test_round_trip_rtp_and_rtcp(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    for (uint16_t seq = 100; seq < 110; seq++) {
        uint8_t pkt[PACKET_CAP], orig[PACKET_CAP];
        size_t len = build_rtp(pkt, seq, 0x11223344, 1200 - 12);
        size_t plain_len = len;
        memcpy(orig, pkt, len);
        /* a -> b */
        assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, plain_len + TAG_LEN);
        assert_memory_not_equal(pkt + 12, orig + 12, plain_len - 12);
        assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, plain_len);
        assert_memory_equal(pkt, orig, len);
        /* b -> a, with the other keys */
        assert_int_equal(ertc_srtp_protect_rtp(b, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_srtp_unprotect_rtp(a, pkt, &len), WEBRTC_STATUS_SUCCESS);
        assert_memory_equal(pkt, orig, plain_len);
    }
    for (int i = 0; i < 5; i++) {
        uint8_t pkt[PACKET_CAP], orig[PACKET_CAP];
        size_t len = build_rtcp(pkt, 0x55667788);
        memcpy(orig, pkt, len);
        assert_int_equal(ertc_srtp_protect_rtcp(b, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, 32 + 4 + TAG_LEN);
        assert_int_equal(ertc_srtp_unprotect_rtcp(a, pkt, &len), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, 32);
        assert_memory_equal(pkt, orig, 32);
    }
    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(a, &st);
    assert_int_equal(st.rtp_protected, 10);
    assert_int_equal(st.rtp_unprotected, 10);
    assert_int_equal(st.rtcp_unprotected, 5);
    assert_int_equal(st.auth_failures + st.replays + st.unprotect_errors, 0);
    ertc_srtp_get_stats(b, &st);
    assert_int_equal(st.rtcp_protected, 5);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_tampering_detected(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    /* One flipped bit in the header, the payload, or the tag. */
    const size_t flip_at[] = {1, 3, 11, 12, 500, 1199, 1200, 1209};
    uint16_t seq = 1;
    for (size_t i = 0; i < sizeof(flip_at) / sizeof(flip_at[0]); i++, seq++) {
        uint8_t pkt[PACKET_CAP];
        size_t len = build_rtp(pkt, seq, 0xAABBCCDD, 1200 - 12);
        assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_true(flip_at[i] < len);
        pkt[flip_at[i]] ^= 0x01;
        size_t got = len;
        WEBRTC_STATUS st = ertc_srtp_unprotect_rtp(b, pkt, &got);
        assert_int_equal(st, ERTC_SRTP_STATUS_AUTH_FAILED);
        assert_int_equal(got, len);
        assert_string_equal(ertc_srtp_status_name(st), "AUTH_FAILED");
    }
    /* A forged packet does not take the genuine one's place in the replay window. */
    {
        uint8_t good[PACKET_CAP], forged[PACKET_CAP];
        size_t glen = build_rtp(good, 0x3000, 0xAABBCCDD, 64);
        assert_int_equal(ertc_srtp_protect_rtp(a, good, &glen, sizeof(good)),
                         WEBRTC_STATUS_SUCCESS);
        memcpy(forged, good, glen);
        forged[30] ^= 0x10;
        size_t flen = glen;
        assert_int_equal(ertc_srtp_unprotect_rtp(b, forged, &flen), ERTC_SRTP_STATUS_AUTH_FAILED);
        assert_int_equal(ertc_srtp_unprotect_rtp(b, good, &glen), WEBRTC_STATUS_SUCCESS);
    }
    /* A tampered SRTCP packet too, then a good packet still goes through. */
    uint8_t pkt[PACKET_CAP];
    size_t len = build_rtcp(pkt, 0xAABBCCDD);
    assert_int_equal(ertc_srtp_protect_rtcp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    pkt[20] ^= 0x80;
    assert_int_equal(ertc_srtp_unprotect_rtcp(b, pkt, &len), ERTC_SRTP_STATUS_AUTH_FAILED);
    len = build_rtp(pkt, 0x3001, 0xAABBCCDD, 100);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len), WEBRTC_STATUS_SUCCESS);

    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(b, &st);
    assert_int_equal(st.auth_failures, 10);
    assert_int_equal(st.rtp_unprotected, 2);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_wrong_keys_fail_auth(void **state)
{
    (void)state;
    ertc_srtp_keys_t k;
    fill_keys(&k, 0x01);
    ertc_srtp_t *a = NULL, *c = NULL;
    assert_int_equal(ertc_srtp_create(&a, &k, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    /* Not swapped: c expects packets under its own local key's counterpart. */
    assert_int_equal(ertc_srtp_create(&c, &k, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    uint8_t pkt[PACKET_CAP];
    size_t len = build_rtp(pkt, 7, 1, 64);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_unprotect_rtp(c, pkt, &len), ERTC_SRTP_STATUS_AUTH_FAILED);
    ertc_srtp_free(a);
    ertc_srtp_free(c);
}

static void test_replay_rejected_and_counted(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    uint8_t pkt[PACKET_CAP], copy[PACKET_CAP];
    size_t len = build_rtp(pkt, 4242, 0x01010101, 200);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    memcpy(copy, pkt, len);
    size_t len1 = len, len2 = len, len3 = len;
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len1), WEBRTC_STATUS_SUCCESS);
    memcpy(pkt, copy, len);
    WEBRTC_STATUS st = ertc_srtp_unprotect_rtp(b, pkt, &len2);
    assert_int_equal(st, ERTC_SRTP_STATUS_REPLAY);
    assert_string_equal(ertc_srtp_status_name(st), "REPLAY");
    assert_int_equal(len2, len);
    memcpy(pkt, copy, len);
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len3), ERTC_SRTP_STATUS_REPLAY);

    /* SRTCP has its own replay protection. */
    size_t rlen = build_rtcp(pkt, 0x01010101);
    assert_int_equal(ertc_srtp_protect_rtcp(a, pkt, &rlen, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    memcpy(copy, pkt, rlen);
    size_t r1 = rlen, r2 = rlen;
    assert_int_equal(ertc_srtp_unprotect_rtcp(b, pkt, &r1), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_unprotect_rtcp(b, copy, &r2), ERTC_SRTP_STATUS_REPLAY);

    ertc_srtp_stats_t stats;
    ertc_srtp_get_stats(b, &stats);
    assert_int_equal(stats.replays, 3);
    assert_int_equal(stats.rtp_unprotected, 1);
    assert_int_equal(stats.rtcp_unprotected, 1);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

/* Protects sequence numbers first..first+count-1 into `out` (each PACKET_CAP apart). */
static void protect_run(ertc_srtp_t *a, uint16_t first, size_t count, uint8_t *out, size_t *lens)
{
    for (size_t i = 0; i < count; i++) {
        uint8_t *p = out + i * PACKET_CAP;
        lens[i] = build_rtp(p, (uint16_t)(first + i), 0x0BADCAFE, 20);
        assert_int_equal(ertc_srtp_protect_rtp(a, p, &lens[i], PACKET_CAP), WEBRTC_STATUS_SUCCESS);
    }
}

/* The sender keeps a window too: resending the newest packet is allowed (a NACK answered
 * without RTX), one older than the window is refused with REPLAY instead of a generic error. */
static void test_sender_resend(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    uint8_t pkt[PACKET_CAP], first[PACKET_CAP];
    size_t len = build_rtp(pkt, 10, 0x42, 30);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    memcpy(first, pkt, len);
    len = build_rtp(pkt, 10, 0x42, 30);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(pkt, first, len);
    len = build_rtp(pkt, 10 + 2000, 0x42, 30);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    len = build_rtp(pkt, 10, 0x42, 30);
    size_t l = len;
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &l, sizeof(pkt)), ERTC_SRTP_STATUS_REPLAY);
    assert_int_equal(l, len);
    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(a, &st);
    assert_int_equal(st.rtp_protected, 3);
    assert_int_equal(st.protect_errors, 1);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_out_of_order_within_window(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    enum { COUNT = 1200 };
    uint8_t *pkts = malloc((size_t)COUNT * PACKET_CAP);
    size_t *lens = malloc(COUNT * sizeof(size_t));
    assert_non_null(pkts);
    assert_non_null(lens);
    protect_run(a, 1000, COUNT, pkts, lens);

    /* Everything in order except packets 0, 5 and 10, and a swapped pair 20/21. */
    for (size_t i = 0; i < COUNT; i++) {
        if (i == 0 || i == 5 || i == 10 || i == 20 || i == 21) {
            continue;
        }
        if (i == 22) {
            assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts + 21 * PACKET_CAP, &lens[21]),
                             WEBRTC_STATUS_SUCCESS);
            assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts + 20 * PACKET_CAP, &lens[20]),
                             WEBRTC_STATUS_SUCCESS);
        }
        assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts + i * PACKET_CAP, &lens[i]),
                         WEBRTC_STATUS_SUCCESS);
        /* A NACKed packet arrives 1000 packets late: still inside the 1024 window. */
        if (i == 1010) {
            assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts + 10 * PACKET_CAP, &lens[10]),
                             WEBRTC_STATUS_SUCCESS);
        }
    }
    /* Packet 5 is now COUNT - 1 - 5 = 1194 behind the newest one: outside the window. Packet 0
     * (1199 behind) likewise. Both are refused as replays, not crashes or auth failures. */
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts + 5 * PACKET_CAP, &lens[5]),
                     ERTC_SRTP_STATUS_REPLAY);
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkts, &lens[0]), ERTC_SRTP_STATUS_REPLAY);

    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(b, &st);
    assert_int_equal(st.rtp_unprotected, COUNT - 2);
    assert_int_equal(st.replays, 2);
    assert_int_equal(st.auth_failures, 0);
    free(pkts);
    free(lens);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_buffer_too_small_refused(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    uint8_t pkt[PACKET_CAP], orig[PACKET_CAP];
    size_t len = build_rtp(pkt, 1, 2, 100);
    memcpy(orig, pkt, len);
    size_t l = len;
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &l, len + ERTC_SRTP_MAX_TRAILER_LEN - 1),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(l, len);
    assert_memory_equal(pkt, orig, len);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &l, len - 1), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &l, len + ERTC_SRTP_MAX_TRAILER_LEN),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(l, len + TAG_LEN);

    size_t rl = build_rtcp(pkt, 3);
    size_t r = rl;
    assert_int_equal(ertc_srtp_protect_rtcp(a, pkt, &r, rl + ERTC_SRTP_RTCP_MAX_TRAILER_LEN - 1),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(r, rl);
    assert_int_equal(ertc_srtp_protect_rtcp(a, pkt, &r, rl + ERTC_SRTP_RTCP_MAX_TRAILER_LEN),
                     WEBRTC_STATUS_SUCCESS);

    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(a, &st);
    assert_int_equal(st.protect_errors, 3);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_malformed_and_null(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    uint8_t pkt[PACKET_CAP] = {0x80};
    size_t len = 11;
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_INVALID_ARG);
    len = 7;
    assert_int_equal(ertc_srtp_protect_rtcp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_INVALID_ARG);
    /* Too short to carry a header and a tag, or garbage of plausible size. */
    for (size_t n = 0; n < 40; n++) {
        uint8_t junk[64];
        memset(junk, 0x80, sizeof(junk));
        size_t jl = n;
        WEBRTC_STATUS st = ertc_srtp_unprotect_rtp(b, junk, &jl);
        assert_true(st == WEBRTC_STATUS_MALFORMED || st == ERTC_SRTP_STATUS_AUTH_FAILED);
        assert_int_equal(jl, n);
        jl = n;
        st = ertc_srtp_unprotect_rtcp(b, junk, &jl);
        assert_true(st == WEBRTC_STATUS_MALFORMED || st == ERTC_SRTP_STATUS_AUTH_FAILED);
    }
    len = 20;
    assert_int_equal(ertc_srtp_protect_rtp(NULL, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_srtp_protect_rtp(a, NULL, &len, sizeof(pkt)), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, NULL), WEBRTC_STATUS_NULL_ARG);

    ertc_srtp_keys_t k;
    fill_keys(&k, 0);
    ertc_srtp_t *s = (ertc_srtp_t *)&k; /* must be reset to NULL on failure */
    assert_int_equal(ertc_srtp_create(&s, NULL, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_srtp_create(&s, &k, (ertc_srtp_profile_t)0x0002),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_null(s);
    ertc_srtp_free(NULL);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_keys_from_dtls_layout(void **state)
{
    (void)state;
    uint8_t m[60];
    for (size_t i = 0; i < sizeof(m); i++) {
        m[i] = (uint8_t)i;
    }
    assert_int_equal(ertc_srtp_keying_material_len(ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80), 60);
    assert_int_equal(ertc_srtp_keying_material_len(ERTC_SRTP_PROFILE_AEAD_AES_128_GCM), 56);
    ertc_srtp_keys_t client, server;
    assert_int_equal(
        ertc_srtp_keys_from_dtls(m, 60, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80, true, &client),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(
        ertc_srtp_keys_from_dtls(m, 60, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80, false, &server),
        WEBRTC_STATUS_SUCCESS);
    /* client key [0:16], server key [16:32], client salt [32:46], server salt [46:60] */
    assert_memory_equal(client.local_key, m, 16);
    assert_memory_equal(client.remote_key, m + 16, 16);
    assert_memory_equal(client.local_salt, m + 32, 14);
    assert_memory_equal(client.remote_salt, m + 46, 14);
    assert_memory_equal(server.local_key, client.remote_key, 16);
    assert_memory_equal(server.remote_salt, client.local_salt, 14);
    assert_int_equal(
        ertc_srtp_keys_from_dtls(m, 59, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80, true, &client),
        WEBRTC_STATUS_INVALID_ARG);

    /* The two halves made from one export talk to each other. */
    ertc_srtp_t *c = NULL, *s = NULL;
    assert_int_equal(ertc_srtp_create(&c, &client, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_create(&s, &server, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80),
                     WEBRTC_STATUS_SUCCESS);
    uint8_t pkt[PACKET_CAP];
    size_t len = build_rtp(pkt, 9, 9, 50);
    assert_int_equal(ertc_srtp_protect_rtp(s, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_unprotect_rtp(c, pkt, &len), WEBRTC_STATUS_SUCCESS);
    ertc_srtp_free(c);
    ertc_srtp_free(s);
}

/* 140000 packets from sequence 60000: two wraps (65535 -> 0), the ROC must follow. */
static void test_many_packets_across_wraps(void **state)
{
    (void)state;
    ertc_srtp_t *a = NULL, *b = NULL;
    make_pair(&a, &b, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
    enum { COUNT = 140000 };
    for (uint32_t i = 0; i < COUNT; i++) {
        uint16_t seq = (uint16_t)(60000u + i);
        uint8_t pkt[PACKET_CAP], orig[PACKET_CAP];
        size_t len = build_rtp(pkt, seq, 0x7E57C0DE, 40);
        size_t plain = len;
        memcpy(orig, pkt, len);
        assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(len, plain);
        assert_memory_equal(pkt, orig, plain);
    }
    ertc_srtp_stats_t st;
    ertc_srtp_get_stats(b, &st);
    assert_int_equal(st.rtp_unprotected, COUNT);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

static void test_gcm_round_trip_if_available(void **state)
{
    (void)state;
    ertc_srtp_keys_t k;
    fill_keys(&k, 0x22);
    ertc_srtp_t *a = NULL;
    WEBRTC_STATUS st = ertc_srtp_create(&a, &k, ERTC_SRTP_PROFILE_AEAD_AES_128_GCM);
    if (st == WEBRTC_STATUS_NOT_IMPLEMENTED) {
        skip();
    }
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    ertc_srtp_keys_t ks = swapped(&k);
    ertc_srtp_t *b = NULL;
    assert_int_equal(ertc_srtp_create(&b, &ks, ERTC_SRTP_PROFILE_AEAD_AES_128_GCM),
                     WEBRTC_STATUS_SUCCESS);
    uint8_t pkt[PACKET_CAP], orig[PACKET_CAP];
    size_t len = build_rtp(pkt, 77, 0x12345678, 1000);
    size_t plain = len;
    memcpy(orig, pkt, len);
    assert_int_equal(ertc_srtp_protect_rtp(a, pkt, &len, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, plain + 16); /* the GCM tag */
    /* A forged copy first: refused, and it must not take the genuine packet's place in the
     * replay window. */
    uint8_t copy[PACKET_CAP];
    memcpy(copy, pkt, len);
    size_t clen = len;
    copy[40] ^= 1;
    assert_int_equal(ertc_srtp_unprotect_rtp(b, copy, &clen), ERTC_SRTP_STATUS_AUTH_FAILED);
    assert_int_equal(ertc_srtp_unprotect_rtp(b, pkt, &len), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(pkt, orig, plain);
    size_t rl = build_rtcp(pkt, 5);
    assert_int_equal(ertc_srtp_protect_rtcp(b, pkt, &rl, sizeof(pkt)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_srtp_unprotect_rtcp(a, pkt, &rl), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(rl, 32);
    ertc_srtp_free(a);
    ertc_srtp_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3711_b2_keystream),
        cmocka_unit_test(test_rfc3711_b3_key_derivation),
        cmocka_unit_test(test_rtp_matches_reference),
        cmocka_unit_test(test_rtcp_matches_reference),
        cmocka_unit_test(test_round_trip_rtp_and_rtcp),
        cmocka_unit_test(test_tampering_detected),
        cmocka_unit_test(test_wrong_keys_fail_auth),
        cmocka_unit_test(test_replay_rejected_and_counted),
        cmocka_unit_test(test_sender_resend),
        cmocka_unit_test(test_out_of_order_within_window),
        cmocka_unit_test(test_buffer_too_small_refused),
        cmocka_unit_test(test_malformed_and_null),
        cmocka_unit_test(test_keys_from_dtls_layout),
        cmocka_unit_test(test_many_packets_across_wraps),
        cmocka_unit_test(test_gcm_round_trip_if_available),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
