/*
 * test_turn — the TURN client (peer/turn_client.h) against a scripted server: every request
 * the client sends is captured, parsed and checked against the shapes RFC 8656 gives
 * (Allocate §7.1, Refresh §7.2, CreatePermission §9.1, ChannelBind §11.1, Send §10.1), and
 * the test answers with messages built like a server would (401 with REALM/NONCE, 438,
 * success responses signed with the long-term key). Time is passed in, so refreshes are
 * checked without waiting. Also the long-term key MD5(username:realm:password) against
 * known values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "peer/stun.h"
#include "peer/turn_client.h"
#include "util/log.h"

#define USER  "1700000000:edgertc"
#define PASS  "c2VjcmV0LXBhc3N3b3Jk"
#define REALM "edgertc.test"
#define SEC   1000000ull

typedef struct {
    uint8_t sent[8][2200];
    size_t sent_len[8];
    int sent_count;
    int allocated;
    int failed;
    int permissions_granted;
    int permissions_refused;
    ertc_addr_t relayed;
    ertc_addr_t mapped;
    uint8_t data[64];
    size_t data_len;
    ertc_addr_t data_from;
} fake_t;

static fake_t g;

static void cb_send(void *arg, const uint8_t *buf, size_t len)
{
    (void)arg;
    assert_true(len <= sizeof(g.sent[0]));
    int i = g.sent_count % 8;
    memcpy(g.sent[i], buf, len);
    g.sent_len[i] = len;
    g.sent_count++;
}

static void cb_allocated(void *arg, const ertc_addr_t *relayed, const ertc_addr_t *mapped)
{
    (void)arg;
    g.allocated++;
    g.relayed = *relayed;
    g.mapped = *mapped;
}

static void cb_failed(void *arg)
{
    (void)arg;
    g.failed++;
}

static void cb_permission(void *arg, const ertc_addr_t *peer, bool granted)
{
    (void)arg;
    (void)peer;
    if (granted) {
        g.permissions_granted++;
    } else {
        g.permissions_refused++;
    }
}

static void cb_data(void *arg, const ertc_addr_t *peer, const uint8_t *data, size_t len)
{
    (void)arg;
    assert_true(len <= sizeof(g.data));
    memcpy(g.data, data, len);
    g.data_len = len;
    g.data_from = *peer;
}

static const ertc_turn_callbacks_t callbacks = {cb_send, cb_allocated, cb_failed, cb_permission,
                                                cb_data};

static ertc_addr_t addr(const char *ip, uint16_t port)
{
    ertc_addr_t a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(ertc_addr_parse_ip(ip, &a), WEBRTC_STATUS_SUCCESS);
    a.port = port;
    return a;
}

/* The last request the client sent, parsed; the buffer stays in g.sent. */
static const ertc_stun_msg_t *last_sent(ertc_stun_msg_t *msg)
{
    int i = (g.sent_count - 1) % 8;
    assert_true(g.sent_count > 0);
    assert_int_equal(ertc_stun_parse(g.sent[i], g.sent_len[i], msg), WEBRTC_STATUS_SUCCESS);
    return msg;
}

/* How many requests of method the client sent since the count was `since`. */
static int sent_since(int since, uint16_t method)
{
    int n = 0;
    for (int k = since; k < g.sent_count; k++) {
        ertc_stun_msg_t x;
        int j = k % 8;
        assert_int_equal(ertc_stun_parse(g.sent[j], g.sent_len[j], &x), WEBRTC_STATUS_SUCCESS);
        n += x.method == method ? 1 : 0;
    }
    return n;
}

static void key_of(uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN])
{
    assert_int_equal(ertc_stun_long_term_key(USER, REALM, PASS, key), WEBRTC_STATUS_SUCCESS);
}

/* A server answer to req: error (code != 0, with REALM/NONCE for 401 and 438) or success
 * with what add() puts in, signed with the long-term key. */
typedef void (*add_fn)(ertc_stun_builder_t *b);

static void reply(ertc_turn_client_t *c, const ertc_stun_msg_t *req, int code, const char *nonce,
                  add_fn add, bool sign, uint64_t now)
{
    uint8_t buf[512];
    ertc_stun_builder_t b;
    size_t len = 0;
    uint16_t type =
        ERTC_STUN_TYPE(req->method, code != 0 ? ERTC_STUN_CLASS_ERROR : ERTC_STUN_CLASS_SUCCESS);
    assert_int_equal(ertc_stun_builder_init(&b, buf, sizeof(buf), type, req->transaction_id),
                     WEBRTC_STATUS_SUCCESS);
    if (code != 0) {
        (void)ertc_stun_add_error_code(&b, code, NULL);
        if (nonce != NULL) {
            (void)ertc_stun_add_realm(&b, REALM, strlen(REALM));
            (void)ertc_stun_add_nonce(&b, nonce, strlen(nonce));
        }
    } else if (add != NULL) {
        add(&b);
    }
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    key_of(key);
    assert_int_equal(
        ertc_stun_builder_finish(&b, sign ? key : NULL, sign ? sizeof(key) : 0, true, &len),
        WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_turn_client_handle(c, buf, len, now));
}

static void add_allocate_success(ertc_stun_builder_t *b)
{
    ertc_addr_t relayed = addr("198.51.100.7", 50000);
    ertc_addr_t mapped = addr("203.0.113.9", 40000);
    (void)ertc_stun_add_xor_relayed_address(b, &relayed);
    (void)ertc_stun_add_xor_mapped_address(b, &mapped);
    (void)ertc_stun_add_lifetime(b, 600);
}

static void add_lifetime_600(ertc_stun_builder_t *b)
{
    (void)ertc_stun_add_lifetime(b, 600);
}

static void assert_authenticated(const ertc_stun_msg_t *m, const char *nonce)
{
    assert_true(ertc_stun_has_attr(m, ERTC_STUN_ATTR_USERNAME));
    assert_int_equal(m->username_len, strlen(USER));
    assert_memory_equal(m->username, USER, strlen(USER));
    assert_int_equal(m->realm_len, strlen(REALM));
    assert_int_equal(m->nonce_len, strlen(nonce));
    assert_memory_equal(m->nonce, nonce, strlen(nonce));
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    key_of(key);
    assert_int_equal(ertc_stun_verify_integrity(m, key, sizeof(key)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_stun_verify_fingerprint(m), WEBRTC_STATUS_SUCCESS);
}

/* Up to ALLOCATED: Allocate, 401 with REALM/NONCE, authenticated Allocate, success. */
static void allocate(ertc_turn_client_t *c)
{
    memset(&g, 0, sizeof(g));
    ertc_addr_t server = addr("192.0.2.1", 3478);
    assert_int_equal(ertc_turn_client_init(c, "t", &server, USER, PASS, 100, 3, &callbacks, NULL),
                     WEBRTC_STATUS_SUCCESS);
    ertc_turn_client_start(c, 0);
    ertc_stun_msg_t m;
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_ALLOCATE);
    assert_int_equal(m.cls, ERTC_STUN_CLASS_REQUEST);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_REQUESTED_TRANSPORT));
    assert_int_equal(m.requested_transport, ERTC_STUN_TRANSPORT_UDP);
    assert_false(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_USERNAME));
    assert_int_equal(m.integrity_offset, 0);
    uint8_t first_tid[ERTC_STUN_TRANSACTION_ID_LEN];
    memcpy(first_tid, m.transaction_id, sizeof(first_tid));
    reply(c, &m, 401, "nonce-1", NULL, false, 1000);
    last_sent(&m);
    assert_int_equal(g.sent_count, 2);
    assert_int_equal(m.method, ERTC_STUN_METHOD_ALLOCATE);
    assert_memory_not_equal(m.transaction_id, first_tid, sizeof(first_tid));
    assert_authenticated(&m, "nonce-1");
    reply(c, &m, 0, NULL, add_allocate_success, true, 2000);
    assert_int_equal(g.allocated, 1);
    assert_int_equal(c->state, ERTC_TURN_STATE_ALLOCATED);
    ertc_addr_t relayed = addr("198.51.100.7", 50000), mapped = addr("203.0.113.9", 40000);
    assert_true(ertc_addr_equal(&g.relayed, &relayed));
    assert_true(ertc_addr_equal(&g.mapped, &mapped));
    assert_int_equal(c->lifetime_s, 600);
}

static void test_long_term_key(void **state)
{
    (void)state;
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    /* MD5("user:realm:pass") */
    static const uint8_t expect[] = {0x84, 0x93, 0xfb, 0xc5, 0x3b, 0xa5, 0x82, 0xfb,
                                     0x4c, 0x04, 0x4c, 0x45, 0x6b, 0xdc, 0x40, 0xeb};
    assert_int_equal(ertc_stun_long_term_key("user", "realm", "pass", key), WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(key, expect, sizeof(expect));
    /* RFC 5769 §2.4: "<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>", realm example.org,
     * password "TheMatrIX" after SASLprep. */
    static const uint8_t expect5769[] = {0xe8, 0xca, 0x7a, 0xd5, 0x9d, 0x5e, 0xb0, 0x51,
                                         0x8e, 0x31, 0x29, 0x11, 0xd2, 0xda, 0xb2, 0xa9};
    assert_int_equal(
        ertc_stun_long_term_key("\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
                                "\xe3\x82\xb9",
                                "example.org", "TheMatrIX", key),
        WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(key, expect5769, sizeof(expect5769));
}

static void test_allocate_with_credentials(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    assert_int_equal(c.stats.allocations, 1);
    assert_int_equal(c.stats.errors, 0);
}

static void test_forged_success_ignored(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    memset(&g, 0, sizeof(g));
    ertc_addr_t server = addr("192.0.2.1", 3478);
    assert_int_equal(ertc_turn_client_init(&c, "t", &server, USER, PASS, 100, 3, &callbacks, NULL),
                     WEBRTC_STATUS_SUCCESS);
    ertc_turn_client_start(&c, 0);
    ertc_stun_msg_t m;
    last_sent(&m);
    /* A success to the unauthenticated request, or an unsigned one: both ignored. */
    reply(&c, &m, 0, NULL, add_allocate_success, false, 10);
    assert_int_equal(g.allocated, 0);
    reply(&c, &m, 401, "n", NULL, false, 20);
    last_sent(&m);
    reply(&c, &m, 0, NULL, add_allocate_success, false, 30);
    assert_int_equal(g.allocated, 0);
    assert_int_equal(c.stats.dropped, 2);
    reply(&c, &m, 0, NULL, add_allocate_success, true, 40);
    assert_int_equal(g.allocated, 1);
}

static void test_wrong_credentials_fail(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    memset(&g, 0, sizeof(g));
    ertc_addr_t server = addr("192.0.2.1", 3478);
    assert_int_equal(ertc_turn_client_init(&c, "t", &server, USER, PASS, 100, 3, &callbacks, NULL),
                     WEBRTC_STATUS_SUCCESS);
    ertc_turn_client_start(&c, 0);
    ertc_stun_msg_t m;
    last_sent(&m);
    reply(&c, &m, 401, "n1", NULL, false, 10);
    last_sent(&m);
    reply(&c, &m, 401, "n2", NULL, false, 20); /* 401 after credentials: final */
    assert_int_equal(g.failed, 1);
    assert_int_equal(c.state, ERTC_TURN_STATE_FAILED);
    assert_int_equal(c.stats.errors, 1);
    assert_int_equal(g.sent_count, 2);
}

static void test_quota_and_forbidden_fail(void **state)
{
    (void)state;
    static const int codes[] = {403, 437, 486, 508};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        ertc_turn_client_t c;
        memset(&g, 0, sizeof(g));
        ertc_addr_t server = addr("192.0.2.1", 3478);
        assert_int_equal(
            ertc_turn_client_init(&c, "t", &server, USER, PASS, 100, 3, &callbacks, NULL),
            WEBRTC_STATUS_SUCCESS);
        ertc_turn_client_start(&c, 0);
        ertc_stun_msg_t m;
        last_sent(&m);
        reply(&c, &m, 401, "n1", NULL, false, 10);
        last_sent(&m);
        reply(&c, &m, codes[i], NULL, NULL, false, 20);
        assert_int_equal(g.failed, 1);
        assert_int_equal(c.stats.errors, 1);
    }
}

static void test_allocate_timeout(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    memset(&g, 0, sizeof(g));
    ertc_addr_t server = addr("192.0.2.1", 3478);
    assert_int_equal(ertc_turn_client_init(&c, "t", &server, USER, PASS, 100, 3, &callbacks, NULL),
                     WEBRTC_STATUS_SUCCESS);
    ertc_turn_client_start(&c, 0);
    for (uint64_t t = 0; t < 5 * SEC && g.failed == 0; t += 50000) {
        ertc_turn_client_tick(&c, t);
    }
    assert_int_equal(g.failed, 1);
    assert_int_equal(g.sent_count, 3); /* max_tries */
    assert_int_equal(c.stats.timeouts, 1);
}

static void test_permission_stale_nonce_and_refresh(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    ertc_addr_t peer = addr("192.0.2.50", 9999);
    assert_int_equal(ertc_turn_client_permit(&c, &peer, 3000), WEBRTC_STATUS_SUCCESS);
    ertc_stun_msg_t m;
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_CREATE_PERMISSION);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_XOR_PEER_ADDRESS));
    ertc_addr_t ip_only = peer;
    ip_only.port = 0;
    assert_true(ertc_addr_equal(&m.xor_peer_address, &ip_only));
    assert_authenticated(&m, "nonce-1");
    /* 438: same request again with the new nonce. */
    reply(&c, &m, 438, "nonce-2", NULL, false, 4000);
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_CREATE_PERMISSION);
    assert_authenticated(&m, "nonce-2");
    assert_false(ertc_turn_client_has_permission(&c, &peer));
    reply(&c, &m, 0, NULL, NULL, true, 5000);
    assert_int_equal(g.permissions_granted, 1);
    assert_true(ertc_turn_client_has_permission(&c, &peer));
    /* Asking again for the same IP (another port) sends nothing. */
    int before = g.sent_count;
    ertc_addr_t other_port = addr("192.0.2.50", 1234);
    assert_int_equal(ertc_turn_client_permit(&c, &other_port, 6000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(g.sent_count, before);

    /* Permission refreshed before 5 minutes: at 4. */
    ertc_turn_client_tick(&c, 5000 + 239 * SEC);
    assert_int_equal(g.sent_count, before);
    ertc_turn_client_tick(&c, 5000 + 241 * SEC);
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_CREATE_PERMISSION);
    reply(&c, &m, 0, NULL, NULL, true, 5000 + 242 * SEC);
    assert_int_equal(g.permissions_granted, 1); /* reported once */
    assert_int_equal(c.stats.permissions, 2);

    /* Allocation refreshed 60 s before its 600 s end. */
    before = g.sent_count;
    ertc_turn_client_tick(&c, 2000 + 539 * SEC); /* the permission's second refresh is due */
    assert_int_equal(sent_since(before, ERTC_STUN_METHOD_REFRESH), 0);
    before = g.sent_count;
    ertc_turn_client_tick(&c, 2000 + 541 * SEC);
    assert_int_equal(sent_since(before, ERTC_STUN_METHOD_REFRESH), 1);
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_REFRESH);
    assert_int_equal(m.lifetime, ERTC_TURN_REQUESTED_LIFETIME);
    assert_authenticated(&m, "nonce-2");
    reply(&c, &m, 0, NULL, add_lifetime_600, true, 2000 + 542 * SEC);
    assert_int_equal(c.stats.refreshes, 1);
    assert_int_equal(g.failed, 0);
}

static void test_refresh_refused_loses_allocation(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    ertc_turn_client_tick(&c, 600 * SEC);
    ertc_stun_msg_t m;
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_REFRESH);
    reply(&c, &m, 437, NULL, NULL, false, 601 * SEC);
    assert_int_equal(g.failed, 1);
    assert_int_equal(c.state, ERTC_TURN_STATE_FAILED);
}

static void test_send_indication_then_channel(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    ertc_addr_t peer = addr("192.0.2.50", 9999);
    static const uint8_t payload[] = {0x16, 0xfe, 0xfd, 1, 2, 3, 4};
    assert_int_equal(ertc_turn_client_send(&c, &peer, payload, sizeof(payload)),
                     WEBRTC_STATUS_SUCCESS);
    ertc_stun_msg_t m;
    last_sent(&m);
    assert_int_equal(m.type, ERTC_STUN_TYPE(ERTC_STUN_METHOD_SEND, ERTC_STUN_CLASS_INDICATION));
    assert_true(ertc_addr_equal(&m.xor_peer_address, &peer));
    assert_int_equal(m.data_len, sizeof(payload));
    assert_memory_equal(m.data, payload, sizeof(payload));
    assert_int_equal(m.integrity_offset, 0); /* indications are not authenticated */

    assert_int_equal(ertc_turn_client_bind_channel(&c, &peer, 3000), WEBRTC_STATUS_SUCCESS);
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_CHANNEL_BIND);
    assert_int_equal(m.channel_number, ERTC_TURN_CHANNEL_MIN);
    assert_true(ertc_addr_equal(&m.xor_peer_address, &peer));
    assert_authenticated(&m, "nonce-1");
    /* Until the answer, still indications. */
    assert_int_equal(ertc_turn_client_channel(&c, &peer), 0);
    reply(&c, &m, 0, NULL, NULL, true, 4000);
    assert_int_equal(ertc_turn_client_channel(&c, &peer), ERTC_TURN_CHANNEL_MIN);
    assert_int_equal(ertc_turn_client_send(&c, &peer, payload, sizeof(payload)),
                     WEBRTC_STATUS_SUCCESS);
    int i = (g.sent_count - 1) % 8;
    assert_int_equal(g.sent_len[i], ERTC_CHANNELDATA_HEADER_LEN + sizeof(payload));
    assert_int_equal(g.sent[i][0], 0x40);
    assert_int_equal(g.sent[i][1], 0x00);
    assert_int_equal(g.sent[i][3], sizeof(payload));
    assert_memory_equal(g.sent[i] + 4, payload, sizeof(payload));

    /* Channel refreshed before its 10 minutes end. */
    int before = g.sent_count;
    ertc_turn_client_tick(&c, 4000 + 530 * SEC);
    assert_int_equal(sent_since(before, ERTC_STUN_METHOD_CHANNEL_BIND), 0);
    before = g.sent_count;
    ertc_turn_client_tick(&c, 4000 + 541 * SEC);
    assert_int_equal(sent_since(before, ERTC_STUN_METHOD_CHANNEL_BIND), 1);
}

static void test_incoming_data(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    ertc_addr_t peer = addr("192.0.2.50", 9999);
    /* Data indication (§10.4). */
    uint8_t buf[256], tid[ERTC_STUN_TRANSACTION_ID_LEN] = {9};
    ertc_stun_builder_t b;
    size_t len = 0;
    (void)ertc_stun_builder_init(&b, buf, sizeof(buf),
                                 ERTC_STUN_TYPE(ERTC_STUN_METHOD_DATA, ERTC_STUN_CLASS_INDICATION),
                                 tid);
    (void)ertc_stun_add_xor_peer_address(&b, &peer);
    (void)ertc_stun_add_data(&b, (const uint8_t *)"hello", 5);
    assert_int_equal(ertc_stun_builder_finish(&b, NULL, 0, false, &len), WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_turn_client_handle(&c, buf, len, 3000));
    assert_int_equal(g.data_len, 5);
    assert_memory_equal(g.data, "hello", 5);
    assert_true(ertc_addr_equal(&g.data_from, &peer));

    /* ChannelData on a bound channel; on an unknown channel it is dropped. */
    assert_int_equal(ertc_turn_client_bind_channel(&c, &peer, 3000), WEBRTC_STATUS_SUCCESS);
    ertc_stun_msg_t m;
    last_sent(&m);
    reply(&c, &m, 0, NULL, NULL, true, 4000);
    assert_int_equal(ertc_channeldata_build(buf, sizeof(buf), ERTC_TURN_CHANNEL_MIN,
                                            (const uint8_t *)"world!", 6, true, &len),
                     WEBRTC_STATUS_SUCCESS);
    g.data_len = 0;
    assert_true(ertc_turn_client_handle(&c, buf, len, 5000));
    assert_int_equal(g.data_len, 6);
    assert_memory_equal(g.data, "world!", 6);
    uint32_t dropped = c.stats.dropped;
    assert_int_equal(
        ertc_channeldata_build(buf, sizeof(buf), 0x4123, (const uint8_t *)"x", 1, false, &len),
        WEBRTC_STATUS_SUCCESS);
    assert_true(ertc_turn_client_handle(&c, buf, len, 5000));
    assert_int_equal(c.stats.dropped, dropped + 1);
    /* Not TURN: DTLS and Binding responses are left to the caller. */
    static const uint8_t dtls[] = {0x16, 0xfe, 0xfd, 0, 0};
    assert_false(ertc_turn_client_handle(&c, dtls, sizeof(dtls), 5000));
}

static void test_close_deletes_allocation(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    ertc_turn_client_close(&c);
    ertc_stun_msg_t m;
    last_sent(&m);
    assert_int_equal(m.method, ERTC_STUN_METHOD_REFRESH);
    assert_true(ertc_stun_has_attr(&m, ERTC_STUN_ATTR_LIFETIME));
    assert_int_equal(m.lifetime, 0);
    assert_authenticated(&m, "nonce-1");
    assert_int_equal(c.state, ERTC_TURN_STATE_CLOSED);
    ertc_addr_t peer = addr("192.0.2.50", 9999);
    assert_int_equal(ertc_turn_client_send(&c, &peer, (const uint8_t *)"x", 1),
                     WEBRTC_STATUS_INVALID_OPERATION);
}

static void test_permission_table_bounded(void **state)
{
    (void)state;
    ertc_turn_client_t c;
    allocate(&c);
    char ip[32];
    for (int i = 0; i < ERTC_TURN_MAX_PERMISSIONS; i++) {
        snprintf(ip, sizeof(ip), "10.0.0.%d", i + 1);
        ertc_addr_t peer = addr(ip, 1000);
        assert_int_equal(ertc_turn_client_permit(&c, &peer, 3000), WEBRTC_STATUS_SUCCESS);
    }
    ertc_addr_t one_more = addr("10.0.1.1", 1000);
    assert_int_equal(ertc_turn_client_permit(&c, &one_more, 3000), WEBRTC_STATUS_LIMIT_EXCEEDED);
    /* No more requests in flight than the transaction table holds; the rest go later. */
    int in_flight = 0;
    for (int i = 0; i < ERTC_TURN_MAX_TRANSACTIONS; i++) {
        in_flight += c.tx[i].used ? 1 : 0;
    }
    assert_int_equal(in_flight, ERTC_TURN_MAX_TRANSACTIONS);
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_term_key),
        cmocka_unit_test(test_allocate_with_credentials),
        cmocka_unit_test(test_forged_success_ignored),
        cmocka_unit_test(test_wrong_credentials_fail),
        cmocka_unit_test(test_quota_and_forbidden_fail),
        cmocka_unit_test(test_allocate_timeout),
        cmocka_unit_test(test_permission_stale_nonce_and_refresh),
        cmocka_unit_test(test_refresh_refused_loses_allocation),
        cmocka_unit_test(test_send_indication_then_channel),
        cmocka_unit_test(test_incoming_data),
        cmocka_unit_test(test_close_deletes_allocation),
        cmocka_unit_test(test_permission_table_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
