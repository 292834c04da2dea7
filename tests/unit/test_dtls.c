/*
 * test_dtls — peer/cert and peer/dtls: certificate fingerprints (RFC 8122 §5), and two DTLS
 * endpoints on one loop exchanging datagrams through their callbacks: handshake, DTLS-SRTP
 * keys (RFC 5764 §4.2), application data, fingerprint mismatch, retransmission after lost
 * flights (RFC 6347 §4.2.4), and large browser-style ClientHellos (browser-interop.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "peer/cert.h"
#include "peer/dtls.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define GUARD_MS      15000 /* a test that has not finished after this long has failed */
#define MAX_DATAGRAM  2048
#define LARGE_HELLO   1400 /* browser ClientHellos with ML-KEM key shares are larger */
#define FRAGMENT_SIZE 500

static ertc_cert_t *cert_a;
static ertc_cert_t *cert_b;

typedef struct world world_t;

typedef struct {
    world_t *w;
    int index;
    ertc_dtls_t *d;
    int connected;
    int failed;
    int closed;
    uint16_t srtp_profile;
    char reason[ERTC_DTLS_ERROR_LEN];
    uint8_t rx[MAX_DATAGRAM];
    size_t rx_len;
    int rx_count;
    int sent;      /* datagrams offered by the endpoint */
    int drop_left; /* drop this many of them first */
} endpoint_t;

struct world {
    ertc_loop_t *loop;
    endpoint_t ep[2];
    int in_flight;
};

typedef struct {
    world_t *w;
    int to;
    size_t len;
    uint8_t data[];
} packet_t;

static void deliver(void *arg)
{
    packet_t *p = arg;
    p->w->in_flight--;
    endpoint_t *to = &p->w->ep[p->to];
    if (to->d != NULL) {
        (void)ertc_dtls_handle_packet(to->d, p->data, p->len);
    }
    ertc_free(p);
}

/* Datagrams travel through the loop, never synchronously (see dtls.h). */
static void post_datagram(world_t *w, int to, const uint8_t *data, size_t len)
{
    packet_t *p = ertc_malloc(sizeof(*p) + len);
    assert_non_null(p);
    p->w = w;
    p->to = to;
    p->len = len;
    memcpy(p->data, data, len);
    w->in_flight++;
    assert_int_equal(ertc_loop_post(w->loop, deliver, p), WEBRTC_STATUS_SUCCESS);
}

static WEBRTC_STATUS on_send(void *arg, const uint8_t *data, size_t len)
{
    endpoint_t *ep = arg;
    ep->sent++;
    assert_true(len <= ERTC_DTLS_MTU);
    if (ep->drop_left > 0) {
        ep->drop_left--;
        return WEBRTC_STATUS_SUCCESS;
    }
    post_datagram(ep->w, 1 - ep->index, data, len);
    return WEBRTC_STATUS_SUCCESS;
}

static void on_event(void *arg, const ertc_dtls_event_t *ev)
{
    endpoint_t *ep = arg;
    switch (ev->type) {
    case ERTC_DTLS_EVENT_CONNECTED:
        ep->connected++;
        ep->srtp_profile = ev->srtp_profile;
        break;
    case ERTC_DTLS_EVENT_DATA:
        assert_true(ev->len <= sizeof(ep->rx));
        memcpy(ep->rx, ev->data, ev->len);
        ep->rx_len = ev->len;
        ep->rx_count++;
        break;
    case ERTC_DTLS_EVENT_FAILED:
        ep->failed++;
        snprintf(ep->reason, sizeof(ep->reason), "%s", ev->detail);
        break;
    case ERTC_DTLS_EVENT_CLOSED: ep->closed++; break;
    }
}

/* ep[0] is the client with cert_a, ep[1] the server with cert_b; a NULL fingerprint means
 * "the right one". */
static void world_init(world_t *w, const char *client_expects, const char *server_expects)
{
    memset(w, 0, sizeof(*w));
    assert_int_equal(ertc_loop_create(&w->loop, 0), WEBRTC_STATUS_SUCCESS);
    for (int i = 0; i < 2; i++) {
        w->ep[i].w = w;
        w->ep[i].index = i;
    }
    const char *fp_a = ertc_cert_fingerprint(cert_a);
    const char *fp_b = ertc_cert_fingerprint(cert_b);
    assert_int_equal(ertc_dtls_create(w->loop, cert_a, ERTC_DTLS_ROLE_CLIENT,
                                      client_expects ? client_expects : fp_b, on_send, on_event,
                                      &w->ep[0], &w->ep[0].d),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_create(w->loop, cert_b, ERTC_DTLS_ROLE_SERVER,
                                      server_expects ? server_expects : fp_a, on_send, on_event,
                                      &w->ep[1], &w->ep[1].d),
                     WEBRTC_STATUS_SUCCESS);
}

static void world_free(world_t *w)
{
    /* Deliver what is still queued (to destroyed endpoints) so nothing leaks. */
    ertc_dtls_destroy(w->ep[0].d);
    ertc_dtls_destroy(w->ep[1].d);
    w->ep[0].d = NULL;
    w->ep[1].d = NULL;
    while (w->in_flight > 0) {
        assert_int_equal(ertc_loop_run_once(w->loop, 10), WEBRTC_STATUS_SUCCESS);
    }
    ertc_loop_destroy(w->loop);
}

typedef bool (*done_fn)(world_t *w);

static bool run_until(world_t *w, done_fn done)
{
    uint64_t give_up = ertc_time_mono_ms() + GUARD_MS;
    while (!done(w)) {
        if (ertc_time_mono_ms() > give_up) {
            return false;
        }
        assert_int_equal(ertc_loop_run_once(w->loop, 50), WEBRTC_STATUS_SUCCESS);
    }
    return true;
}

static bool both_connected(world_t *w)
{
    return w->ep[0].connected && w->ep[1].connected;
}

static bool both_failed(world_t *w)
{
    return w->ep[0].failed && w->ep[1].failed;
}

static bool both_received(world_t *w)
{
    return w->ep[0].rx_count > 0 && w->ep[1].rx_count > 0;
}

static bool server_closed(world_t *w)
{
    return w->ep[1].closed > 0;
}

/* ---- certificates ------------------------------------------------------------------------ */

static void test_fingerprint_format(void **state)
{
    (void)state;
    const char *fp = ertc_cert_fingerprint(cert_a);
    assert_int_equal(strlen(fp), strlen("sha-256 ") + 32 * 3 - 1);
    assert_memory_equal(fp, "sha-256 ", 8);
    for (size_t i = 0; i < 32; i++) {
        const char *b = fp + 8 + i * 3;
        assert_true(isxdigit((unsigned char)b[0]) && isxdigit((unsigned char)b[1]));
        assert_false(islower((unsigned char)b[0]) || islower((unsigned char)b[1]));
        assert_int_equal(b[2], i < 31 ? ':' : '\0');
    }
    assert_string_not_equal(fp, ertc_cert_fingerprint(cert_b));

    size_t len;
    const uint8_t *der = ertc_cert_der(cert_a, &len);
    assert_true(len > 100 && der[0] == 0x30);
    char again[ERTC_CERT_FINGERPRINT_MAX];
    assert_int_equal(ertc_cert_fingerprint_of(der, len, "SHA-256", again, sizeof(again)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(again, fp);
    assert_int_equal(ertc_cert_fingerprint_of(der, len, "md5", again, sizeof(again)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_cert_fingerprint_of(der, len, "sha-256", again, 50),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_fingerprint_matching(void **state)
{
    (void)state;
    size_t len;
    const uint8_t *der = ertc_cert_der(cert_a, &len);
    const char *fp = ertc_cert_fingerprint(cert_a);
    char buf[ERTC_CERT_FINGERPRINT_MAX + 8];

    assert_true(ertc_cert_fingerprint_matches(der, len, fp));
    for (size_t i = 0; fp[i]; i++) { /* lower case, as some stacks send it */
        buf[i] = (char)tolower((unsigned char)fp[i]);
        buf[i + 1] = '\0';
    }
    assert_true(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "SHA-256 %s", fp + 8);
    assert_true(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "%s\r\n", fp); /* the end of an SDP line */
    assert_true(ertc_cert_fingerprint_matches(der, len, buf));

    assert_false(ertc_cert_fingerprint_matches(der, len, ertc_cert_fingerprint(cert_b)));
    snprintf(buf, sizeof(buf), "sha-1 %s", fp + 8); /* wrong algorithm name */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "sha-384 %s", fp + 8); /* right name, wrong length */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "%.*s", (int)strlen(fp) - 3, fp); /* one byte short */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "%s:AB", fp); /* one byte long */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "%s", fp);
    buf[10] = '-'; /* a separator that is not ':' */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    snprintf(buf, sizeof(buf), "%s", fp);
    buf[8] = 'G'; /* not hex */
    assert_false(ertc_cert_fingerprint_matches(der, len, buf));
    assert_false(ertc_cert_fingerprint_matches(der, len, ""));
    assert_false(ertc_cert_fingerprint_matches(der, len, "sha-256"));
    assert_false(ertc_cert_fingerprint_matches(der, len, NULL));

    const char *algorithms[] = {"sha-384", "sha-512"};
    for (size_t i = 0; i < 2; i++) {
        char other[ERTC_CERT_FINGERPRINT_MAX];
        assert_int_equal(ertc_cert_fingerprint_of(der, len, algorithms[i], other, sizeof(other)),
                         WEBRTC_STATUS_SUCCESS);
        assert_true(ertc_cert_fingerprint_matches(der, len, other));
        size_t other_len;
        const uint8_t *der_b = ertc_cert_der(cert_b, &other_len);
        assert_false(ertc_cert_fingerprint_matches(der_b, other_len, other));
    }
}

/* ---- handshake ----------------------------------------------------------------------------- */

static void assert_keys_crosswise(world_t *w)
{
    ertc_dtls_srtp_keys_t client, server;
    assert_int_equal(ertc_dtls_srtp_keys(w->ep[0].d, &client), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_srtp_keys(w->ep[1].d, &server), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(client.profile, ERTC_DTLS_SRTP_PROFILE_SHA1_80);
    assert_memory_equal(client.local_key, server.remote_key, ERTC_DTLS_SRTP_KEY_LEN);
    assert_memory_equal(client.local_salt, server.remote_salt, ERTC_DTLS_SRTP_SALT_LEN);
    assert_memory_equal(client.remote_key, server.local_key, ERTC_DTLS_SRTP_KEY_LEN);
    assert_memory_equal(client.remote_salt, server.local_salt, ERTC_DTLS_SRTP_SALT_LEN);
    assert_memory_not_equal(client.local_key, client.remote_key, ERTC_DTLS_SRTP_KEY_LEN);
}

static void test_handshake_keys_and_data(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, NULL, NULL);
    ertc_dtls_srtp_keys_t keys;
    assert_int_equal(ertc_dtls_srtp_keys(w.ep[0].d, &keys), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(ertc_dtls_send(w.ep[0].d, (const uint8_t *)"x", 1),
                     WEBRTC_STATUS_INVALID_OPERATION);

    assert_int_equal(ertc_dtls_start(w.ep[1].d), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(w.ep[1].sent, 0); /* a server waits for the ClientHello */
    assert_int_equal(ertc_dtls_start(w.ep[0].d), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(w.ep[0].sent, 1);
    assert_true(run_until(&w, both_connected));
    assert_int_equal(w.ep[0].failed + w.ep[1].failed, 0);
    assert_int_equal(ertc_dtls_state(w.ep[0].d), ERTC_DTLS_STATE_CONNECTED);
    assert_int_equal(w.ep[0].srtp_profile, ERTC_DTLS_SRTP_PROFILE_SHA1_80);
    assert_int_equal(w.ep[1].srtp_profile, ERTC_DTLS_SRTP_PROFILE_SHA1_80);
    assert_keys_crosswise(&w);

    static const char ping[] = "SCTP INIT from the client";
    static const char pong[] = "SCTP INIT-ACK from the server";
    assert_int_equal(ertc_dtls_send(w.ep[0].d, (const uint8_t *)ping, sizeof(ping)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_send(w.ep[1].d, (const uint8_t *)pong, sizeof(pong)),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&w, both_received));
    assert_int_equal(w.ep[1].rx_len, sizeof(ping));
    assert_memory_equal(w.ep[1].rx, ping, sizeof(ping));
    assert_int_equal(w.ep[0].rx_len, sizeof(pong));
    assert_memory_equal(w.ep[0].rx, pong, sizeof(pong));

    uint8_t big[ERTC_DTLS_MTU];
    memset(big, 0x5a, sizeof(big));
    assert_int_equal(ertc_dtls_send(w.ep[0].d, big, sizeof(big)), WEBRTC_STATUS_LIMIT_EXCEEDED);

    ertc_dtls_close(w.ep[0].d);
    assert_int_equal(ertc_dtls_state(w.ep[0].d), ERTC_DTLS_STATE_CLOSED);
    assert_true(run_until(&w, server_closed));
    assert_int_equal(ertc_dtls_state(w.ep[1].d), ERTC_DTLS_STATE_CLOSED);
    assert_int_equal(ertc_dtls_handle_packet(w.ep[1].d, big, 20), WEBRTC_STATUS_CLOSED);
    world_free(&w);
}

static void test_wrong_fingerprint_client_side(void **state)
{
    (void)state;
    world_t w;
    /* The client expects its own fingerprint instead of the server's. */
    world_init(&w, ertc_cert_fingerprint(cert_a), NULL);
    assert_int_equal(ertc_dtls_start(w.ep[0].d), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&w, both_failed));
    assert_string_equal(w.ep[0].reason,
                        "DTLS: the peer's certificate fingerprint does not match the SDP");
    assert_string_equal(ertc_dtls_error(w.ep[0].d), w.ep[0].reason);
    assert_int_equal(ertc_dtls_state(w.ep[0].d), ERTC_DTLS_STATE_FAILED);
    assert_non_null(strstr(w.ep[1].reason, "alert")); /* bad_certificate reached the server */
    assert_int_equal(w.ep[0].connected + w.ep[1].connected, 0);
    world_free(&w);
}

static void test_wrong_fingerprint_server_side(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, NULL, ertc_cert_fingerprint(cert_b));
    assert_int_equal(ertc_dtls_start(w.ep[0].d), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&w, both_failed));
    assert_string_equal(w.ep[1].reason,
                        "DTLS: the peer's certificate fingerprint does not match the SDP");
    ertc_dtls_srtp_keys_t keys;
    assert_int_equal(ertc_dtls_srtp_keys(w.ep[1].d, &keys), WEBRTC_STATUS_INVALID_OPERATION);
    world_free(&w);
}

static void test_fingerprint_given_late(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, NULL, NULL);
    /* The server learns the fingerprint after creation (answer SDP arrives later). */
    assert_int_equal(ertc_dtls_set_remote_fingerprint(w.ep[1].d, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_set_remote_fingerprint(w.ep[1].d, ertc_cert_fingerprint(cert_a)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_dtls_start(w.ep[0].d), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&w, both_connected));
    assert_keys_crosswise(&w);
    world_free(&w);
}

static void test_retransmits_lost_flights(void **state)
{
    (void)state;
    world_t w;
    world_init(&w, NULL, NULL);
    w.ep[0].drop_left = 1; /* the ClientHello */
    w.ep[1].drop_left = 1; /* the first datagram of the server's first flight */
    uint64_t t0 = ertc_time_mono_ms();
    assert_int_equal(ertc_dtls_start(w.ep[0].d), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(&w, both_connected));
    uint64_t took = ertc_time_mono_ms() - t0;
    /* Two lost flights cost at least one initial timeout (1 s) each side. */
    assert_true(took >= ERTC_DTLS_RETRANSMIT_MIN_MS);
    assert_int_equal(w.ep[0].drop_left + w.ep[1].drop_left, 0);
    assert_keys_crosswise(&w);
    world_free(&w);
}

/* ---- large and fragmented ClientHellos ------------------------------------------------------ */

static size_t put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

static size_t put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
    return 3;
}

/* A ClientHello body like a DTLS-1.3-capable browser's: DTLS 1.2 version field, the WebRTC
 * extensions, supported_versions offering 1.3 and a ~1.3 KB X25519MLKEM768-sized key_share. */
static size_t build_client_hello_body(uint8_t *out, size_t key_share_len)
{
    uint8_t *p = out;
    p += put16(p, 0xfefd);
    assert_int_equal(ertc_random_bytes(p, 32), WEBRTC_STATUS_SUCCESS);
    p += 32;
    *p++ = 0; /* session_id */
    *p++ = 0; /* cookie */
    p += put16(p, 4);
    p += put16(p, 0xc02b); /* ECDHE-ECDSA-AES128-GCM-SHA256 */
    p += put16(p, 0xc02c);
    *p++ = 1; /* compression methods */
    *p++ = 0;
    uint8_t *ext_len = p;
    p += 2;
    static const uint8_t fixed[] = {
        0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, /* supported_groups */
        0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,                         /* ec_point_formats */
        0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x03,             /* ecdsa_secp256r1_sha256 */
        0x00, 0x17, 0x00, 0x00,                                     /* extended_master_secret */
        0x00, 0x0e, 0x00, 0x05, 0x00, 0x02, 0x00, 0x01, 0x00,       /* use_srtp SHA1_80 */
        0xff, 0x01, 0x00, 0x01, 0x00,                               /* renegotiation_info */
        0x00, 0x2b, 0x00, 0x05, 0x04, 0xfe, 0xfc, 0xfe, 0xfd,       /* supported_versions */
    };
    memcpy(p, fixed, sizeof(fixed));
    p += sizeof(fixed);
    p += put16(p, 0x0033); /* key_share: one X25519MLKEM768 (0x11ec) share */
    p += put16(p, (unsigned)(key_share_len + 6));
    p += put16(p, (unsigned)(key_share_len + 4));
    p += put16(p, 0x11ec);
    p += put16(p, (unsigned)key_share_len);
    memset(p, 0xa5, key_share_len);
    p += key_share_len;
    put16(ext_len, (unsigned)(p - ext_len - 2));
    return (size_t)(p - out);
}

/* One DTLS record (epoch 0) holding one handshake fragment of the ClientHello. */
static size_t build_record(uint8_t *out, uint64_t seq, const uint8_t *body, size_t body_len,
                           size_t offset, size_t frag_len)
{
    uint8_t *p = out;
    *p++ = 22;             /* handshake */
    p += put16(p, 0xfeff); /* DTLS 1.0 in the ClientHello's record, as browsers send */
    p += put16(p, 0);      /* epoch */
    for (int i = 5; i >= 0; i--) {
        *p++ = (uint8_t)(seq >> (8 * i));
    }
    p += put16(p, (unsigned)(12 + frag_len));
    *p++ = 1; /* client_hello */
    p += put24(p, body_len);
    p += put16(p, 0); /* message_seq */
    p += put24(p, offset);
    p += put24(p, frag_len);
    memcpy(p, body + offset, frag_len);
    return (size_t)(p - out) + frag_len;
}

/* Feeds a server a hand-made ClientHello; returns whether the server answered (its
 * ServerHello flight) without failing. The client's side is not simulated further. */
static bool server_answers_client_hello(bool fragmented, char *reason, size_t reason_size)
{
    world_t w;
    world_init(&w, NULL, NULL);
    uint8_t body[LARGE_HELLO + 200];
    size_t body_len = build_client_hello_body(body, 1300);
    assert_true(body_len + 12 >= LARGE_HELLO);
    uint8_t record[MAX_DATAGRAM];
    if (!fragmented) {
        size_t n = build_record(record, 0, body, body_len, 0, body_len);
        (void)ertc_dtls_handle_packet(w.ep[1].d, record, n);
    } else {
        uint64_t seq = 0;
        for (size_t off = 0; off < body_len; off += FRAGMENT_SIZE, seq++) {
            size_t frag = body_len - off < FRAGMENT_SIZE ? body_len - off : FRAGMENT_SIZE;
            size_t n = build_record(record, seq, body, body_len, off, frag);
            (void)ertc_dtls_handle_packet(w.ep[1].d, record, n);
        }
    }
    bool answered = w.ep[1].sent > 0 && w.ep[1].failed == 0;
    snprintf(reason, reason_size, "%s", w.ep[1].failed ? w.ep[1].reason : "");
    world_free(&w); /* the server's answer goes to a client that never sent this hello */
    return answered;
}

static void test_large_client_hello_in_one_record(void **state)
{
    (void)state;
    char reason[ERTC_DTLS_ERROR_LEN];
    /* mbedTLS ignores the unknown supported_versions and key_share and answers with 1.2. */
    assert_true(server_answers_client_hello(false, reason, sizeof(reason)));
}

static void test_fragmented_client_hello(void **state)
{
    (void)state;
    char reason[ERTC_DTLS_ERROR_LEN];
    bool answered = server_answers_client_hello(true, reason, sizeof(reason));
    print_message("fragmented ClientHello: %s%s\n", answered ? "answered" : "refused: ", reason);
    /* mbedTLS 2.28's server alone refuses a fragment (MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO: it
     * reads the ClientHello from the first record); peer/dtls_hello puts the fragments back
     * together first, so a browser's large post-quantum ClientHello (>= 1400 bytes, in
     * several records) is answered like the same hello in one record. */
    assert_true(answered);
    assert_string_equal(reason, "");
}

static int group_setup(void **state)
{
    (void)state;
    ertc_log_set_level(ERTC_LOG_ERROR);
    if (ertc_cert_generate(&cert_a) != WEBRTC_STATUS_SUCCESS ||
        ertc_cert_generate(&cert_b) != WEBRTC_STATUS_SUCCESS) {
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    ertc_cert_unref(cert_a);
    ertc_cert_unref(cert_b);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_format),
        cmocka_unit_test(test_fingerprint_matching),
        cmocka_unit_test(test_handshake_keys_and_data),
        cmocka_unit_test(test_wrong_fingerprint_client_side),
        cmocka_unit_test(test_wrong_fingerprint_server_side),
        cmocka_unit_test(test_fingerprint_given_late),
        cmocka_unit_test(test_retransmits_lost_flights),
        cmocka_unit_test(test_large_client_hello_in_one_record),
        cmocka_unit_test(test_fragmented_client_hello),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
