/*
 * test_socket — addresses and non-blocking sockets (port/socket.h) on loopback only.
 *
 * Only 127.0.0.1 and ::1 are ever used on the network, and the resolver is asked about
 * "localhost" and numeric strings only. Where ::1 is not configured (some containers), the
 * IPv6 cases are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <string.h>

#include "port/loop.h"
#include "port/port.h"
#include "port/socket.h"
#include "util/log.h"

#define GUARD_MS 10000

static ertc_addr_t make_addr(const char *ip, uint16_t port)
{
    ertc_addr_t a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(ertc_addr_parse_ip(ip, &a), WEBRTC_STATUS_SUCCESS);
    a.port = port;
    return a;
}

static bool have_ipv6_loopback(void)
{
    ertc_addr_t a = make_addr("::1", 0);
    ertc_socket_t s;
    if (ertc_udp_open(&a, &s) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    ertc_socket_close(s);
    return true;
}

/* Waits (poll, not the loop) until s is readable; fails the test after GUARD_MS. */
static void wait_readable(ertc_socket_t s)
{
    struct pollfd p = {.fd = s, .events = POLLIN};
    assert_int_equal(poll(&p, 1, GUARD_MS), 1);
}

/* ---- addresses --------------------------------------------------------------------------- */

static void expect_format(const ertc_addr_t *a, bool with_port, const char *want)
{
    char out[ERTC_ADDR_STRLEN];
    assert_int_equal(ertc_addr_format(a, with_port, out, sizeof(out)), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, want);
}

static void test_addr_parse_and_format_ipv4(void **state)
{
    (void)state;
    ertc_addr_t a = make_addr("127.0.0.1", 5000);
    assert_int_equal(a.family, ERTC_AF_INET);
    assert_int_equal(a.port, 5000); /* parse leaves the port alone */
    static const uint8_t ip[4] = {127, 0, 0, 1};
    assert_memory_equal(a.ip, ip, 4);
    expect_format(&a, false, "127.0.0.1");
    expect_format(&a, true, "127.0.0.1:5000");

    ertc_addr_t b = make_addr("127.10.200.3", 65535);
    expect_format(&b, true, "127.10.200.3:65535");
    ertc_addr_t any = make_addr("0.0.0.0", 0);
    expect_format(&any, true, "0.0.0.0:0");
}

static void test_addr_parse_and_format_ipv6(void **state)
{
    (void)state;
    ertc_addr_t a = make_addr("::1", 443);
    assert_int_equal(a.family, ERTC_AF_INET6);
    assert_int_equal(a.scope_id, 0);
    expect_format(&a, false, "::1");
    expect_format(&a, true, "[::1]:443");

    /* The long form normalises to the short one. */
    ertc_addr_t b = make_addr("0:0:0:0:0:0:0:1", 9);
    expect_format(&b, true, "[::1]:9");

    ertc_addr_t mapped = make_addr("::ffff:127.0.0.1", 80);
    expect_format(&mapped, false, "::ffff:127.0.0.1");
    expect_format(&mapped, true, "[::ffff:127.0.0.1]:80");

    /* A numeric zone. */
    ertc_addr_t z = make_addr("::1%1", 7);
    assert_int_equal(z.scope_id, 1);
    expect_format(&z, true, "[::1%1]:7");
    ertc_addr_t lo = make_addr("::1%lo", 7);
    assert_true(lo.scope_id > 0);

    /* The longest address with a port fits ERTC_ADDR_STRLEN. */
    ertc_addr_t longest;
    memset(&longest, 0xff, sizeof(longest));
    longest.family = ERTC_AF_INET6;
    longest.port = 65535;
    longest.scope_id = 0;
    expect_format(&longest, true, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void test_addr_format_errors(void **state)
{
    (void)state;
    ertc_addr_t a = make_addr("127.0.0.1", 5000);
    char small[8] = "zzzzzzz";
    assert_int_equal(ertc_addr_format(&a, true, small, sizeof(small)),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_string_equal(small, ""); /* never a cut address */
    char exact[15];                 /* "127.0.0.1:5000" + NUL */
    assert_int_equal(ertc_addr_format(&a, true, exact, sizeof(exact)), WEBRTC_STATUS_SUCCESS);

    ertc_addr_t unset;
    memset(&unset, 0, sizeof(unset));
    char out[ERTC_ADDR_STRLEN];
    assert_int_equal(ertc_addr_format(&unset, true, out, sizeof(out)), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_addr_format(NULL, true, out, sizeof(out)), WEBRTC_STATUS_NULL_ARG);
}

static void test_addr_parse_rejects_bad_input(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "127.0.0",
        "127.0.0.256",
        "127.0.0.1.",
        "127.0.0.1:80",
        "[::1]",
        "[::1]:80",
        "::1::",
        ":::1",
        "::1%",
        " 127.0.0.1",
        "127.0.0.1 ",
        "localhost",
        "::1/128",
        "1:2:3:4:5:6:7:8:9",
        "127.0.0.01x",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ertc_addr_t a;
        memset(&a, 0, sizeof(a));
        WEBRTC_STATUS st = ertc_addr_parse_ip(bad[i], &a);
        if (st == WEBRTC_STATUS_SUCCESS) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
    ertc_addr_t a;
    assert_int_equal(ertc_addr_parse_ip(NULL, &a), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_addr_parse_ip("::1", NULL), WEBRTC_STATUS_NULL_ARG);
    /* A zone name that names no interface. */
    assert_int_equal(ertc_addr_parse_ip("::1%no-such-if0", &a), WEBRTC_STATUS_NOT_FOUND);
}

static void test_addr_equal(void **state)
{
    (void)state;
    ertc_addr_t a = make_addr("127.0.0.1", 1000);
    ertc_addr_t b = make_addr("127.0.0.1", 1000);
    assert_true(ertc_addr_equal(&a, &b));
    b.port = 1001;
    assert_false(ertc_addr_equal(&a, &b));
    ertc_addr_t c = make_addr("127.0.0.2", 1000);
    assert_false(ertc_addr_equal(&a, &c));
    ertc_addr_t v6 = make_addr("::1", 1000);
    ertc_addr_t v6b = make_addr("0::1", 1000);
    assert_true(ertc_addr_equal(&v6, &v6b));
    assert_false(ertc_addr_equal(&a, &v6));
    ertc_addr_t mapped = make_addr("::ffff:127.0.0.1", 1000);
    assert_false(ertc_addr_equal(&a, &mapped)); /* different families */
    assert_false(ertc_addr_equal(&a, NULL));
}

static void test_addr_loopback(void **state)
{
    (void)state;
    static const char *loop[] = {"127.0.0.1", "127.255.1.2", "::1", "::ffff:127.0.0.1"};
    static const char *not_loop[] = {"0.0.0.0", "::", "::ffff:0.0.0.0"};
    for (size_t i = 0; i < sizeof(loop) / sizeof(loop[0]); i++) {
        ertc_addr_t a = make_addr(loop[i], 0);
        assert_true(ertc_addr_is_loopback(&a));
    }
    for (size_t i = 0; i < sizeof(not_loop) / sizeof(not_loop[0]); i++) {
        ertc_addr_t a = make_addr(not_loop[i], 0);
        assert_false(ertc_addr_is_loopback(&a));
    }
    assert_false(ertc_addr_is_loopback(NULL));
}

static void test_addr_resolve(void **state)
{
    (void)state;
    ertc_addr_t a;
    assert_int_equal(ertc_addr_resolve("127.0.0.1", 8080, 0, &a), WEBRTC_STATUS_SUCCESS);
    expect_format(&a, true, "127.0.0.1:8080");
    assert_int_equal(ertc_addr_resolve("::1", 53, ERTC_AF_INET6, &a), WEBRTC_STATUS_SUCCESS);
    expect_format(&a, true, "[::1]:53");
    assert_int_equal(ertc_addr_resolve("[::1]", 54, 0, &a), WEBRTC_STATUS_SUCCESS);
    expect_format(&a, true, "[::1]:54");
    assert_int_equal(ertc_addr_resolve("127.0.0.1", 1, ERTC_AF_INET6, &a), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(ertc_addr_resolve("127.0.0.1", 1, 5, &a), WEBRTC_STATUS_INVALID_ARG);

    assert_int_equal(ertc_addr_resolve("localhost", 3478, ERTC_AF_INET, &a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(a.family, ERTC_AF_INET);
    assert_int_equal(a.port, 3478);
    assert_true(ertc_addr_is_loopback(&a));
}

static void test_addr_list_local(void **state)
{
    (void)state;
    ertc_addr_t list[32];
    size_t n = ertc_addr_list_local(list, 32, true, true);
    assert_true(n >= 1);
    bool saw_loopback = false;
    for (size_t i = 0; i < n; i++) {
        assert_true(list[i].family == ERTC_AF_INET || list[i].family == ERTC_AF_INET6);
        saw_loopback |= ertc_addr_is_loopback(&list[i]);
        for (size_t j = 0; j < i; j++) {
            assert_false(ertc_addr_equal(&list[i], &list[j]));
        }
    }
    assert_true(saw_loopback);

    n = ertc_addr_list_local(list, 32, false, false);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].family, ERTC_AF_INET);
        assert_false(ertc_addr_is_loopback(&list[i]));
    }
    assert_int_equal(ertc_addr_list_local(list, 1, true, true), 1);
    assert_int_equal(ertc_addr_list_local(list, 0, true, true), 0);
}

/* ---- UDP --------------------------------------------------------------------------------- */

static void udp_exchange(const char *ip)
{
    ertc_addr_t bind_addr = make_addr(ip, 0);
    ertc_socket_t a, b;
    assert_int_equal(ertc_udp_open(&bind_addr, &a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_open(&bind_addr, &b), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t a_addr, b_addr;
    assert_int_equal(ertc_socket_local_addr(a, &a_addr), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_socket_local_addr(b, &b_addr), WEBRTC_STATUS_SUCCESS);
    assert_int_not_equal(a_addr.port, 0);
    assert_int_not_equal(b_addr.port, 0);
    assert_int_not_equal(a_addr.port, b_addr.port);
    assert_int_equal(a_addr.family, bind_addr.family);

    /* Nothing yet: would block. */
    char buf[256];
    size_t len = 99;
    ertc_addr_t from;
    assert_int_equal(ertc_udp_recvfrom(b, buf, sizeof(buf), &len, &from),
                     WEBRTC_STATUS_RETRY_LATER);
    assert_int_equal(len, 0);

    assert_int_equal(ertc_udp_sendto(a, "hello", 5, &b_addr), WEBRTC_STATUS_SUCCESS);
    wait_readable(b);
    assert_int_equal(ertc_udp_recvfrom(b, buf, sizeof(buf), &len, &from), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_true(ertc_addr_equal(&from, &a_addr));

    /* An empty datagram is a datagram. */
    assert_int_equal(ertc_udp_sendto(b, NULL, 0, &a_addr), WEBRTC_STATUS_SUCCESS);
    wait_readable(a);
    len = 99;
    assert_int_equal(ertc_udp_recvfrom(a, buf, sizeof(buf), &len, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 0);

    /* A datagram larger than the buffer is dropped and reported, not handed over cut. */
    char big[200];
    memset(big, 'x', sizeof(big));
    assert_int_equal(ertc_udp_sendto(a, big, sizeof(big), &b_addr), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_sendto(a, "next", 4, &b_addr), WEBRTC_STATUS_SUCCESS);
    wait_readable(b);
    assert_int_equal(ertc_udp_recvfrom(b, buf, 10, &len, &from), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(len, 0);
    wait_readable(b);
    assert_int_equal(ertc_udp_recvfrom(b, buf, sizeof(buf), &len, &from), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 4);
    assert_memory_equal(buf, "next", 4);

    ertc_socket_close(a);
    ertc_socket_close(b);
}

static void test_udp_ipv4(void **state)
{
    (void)state;
    udp_exchange("127.0.0.1");
}

static void test_udp_ipv6(void **state)
{
    (void)state;
    if (!have_ipv6_loopback()) {
        skip();
    }
    udp_exchange("::1");
}

static void test_udp_errors(void **state)
{
    (void)state;
    ertc_addr_t unset;
    memset(&unset, 0, sizeof(unset));
    ertc_socket_t s;
    assert_int_equal(ertc_udp_open(&unset, &s), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(s, ERTC_INVALID_SOCKET);

    /* Binding a port that is taken fails with NETWORK_ERROR. */
    ertc_addr_t any_port = make_addr("127.0.0.1", 0);
    ertc_socket_t a;
    assert_int_equal(ertc_udp_open(&any_port, &a), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t taken;
    assert_int_equal(ertc_socket_local_addr(a, &taken), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_open(&taken, &s), WEBRTC_STATUS_NETWORK_ERROR);

    /* An IPv4 socket cannot send to an IPv6 address. */
    if (have_ipv6_loopback()) {
        ertc_addr_t v6 = make_addr("::1", 9);
        assert_int_not_equal(ertc_udp_sendto(a, "x", 1, &v6), WEBRTC_STATUS_SUCCESS);
    }
    ertc_socket_close(a);
}

/* ---- IPv4 multicast on loopback ---------------------------------------------------------- */

/* Receives one datagram on s (waiting for it) and checks its text. */
static void expect_datagram(ertc_socket_t s, const char *want)
{
    char buf[64];
    size_t len = 0;
    ertc_addr_t from;
    wait_readable(s);
    assert_int_equal(ertc_udp_recvfrom(s, buf, sizeof(buf), &len, &from), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(buf, want, len);
}

static void expect_nothing(ertc_socket_t s)
{
    char buf[64];
    size_t len = 0;
    struct pollfd p = {.fd = s, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 100), 0);
    assert_int_equal(ertc_udp_recvfrom(s, buf, sizeof(buf), &len, NULL), WEBRTC_STATUS_RETRY_LATER);
}

/* Two listeners share one port (like us and a browser on 5353) and both hear a datagram sent
 * to the group from an ordinary socket and from one of them (loopback of multicast). The
 * group is joined on 127.0.0.1 and sends leave by lo: nothing reaches a real network. */
static void test_udp_multicast_shared_port(void **state)
{
    (void)state;
    ertc_addr_t lo = make_addr("127.0.0.1", 0);
    ertc_addr_t group = make_addr("224.0.0.251", 0);
    ertc_socket_t a, b, other, sender;
    assert_int_equal(ertc_udp_open_multicast(&group, &lo, 1, &a), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t bound;
    assert_int_equal(ertc_socket_local_addr(a, &bound), WEBRTC_STATUS_SUCCESS);
    assert_int_not_equal(bound.port, 0);
    group.port = bound.port;
    assert_int_equal(ertc_udp_open_multicast(&group, &lo, 1, &b), WEBRTC_STATUS_SUCCESS);
    /* A third listener of the same port in another group: its group is not ours. */
    ertc_addr_t group2 = make_addr("224.0.0.252", bound.port);
    assert_int_equal(ertc_udp_open_multicast(&group2, &lo, 1, &other), WEBRTC_STATUS_SUCCESS);

    assert_int_equal(ertc_udp_open(&lo, &sender), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_set_multicast_if(sender, &lo), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_sendto(sender, "query", 5, &group), WEBRTC_STATUS_SUCCESS);
    expect_datagram(a, "query");
    expect_datagram(b, "query");
    expect_nothing(other);

    assert_int_equal(ertc_udp_sendto(b, "answer", 6, &group), WEBRTC_STATUS_SUCCESS);
    expect_datagram(a, "answer");
    expect_datagram(b, "answer");
    expect_nothing(other);

#ifdef __linux__
    /* IP_MULTICAST_ALL is off: the other group's traffic stays with its listener. */
    assert_int_equal(ertc_udp_sendto(sender, "other", 5, &group2), WEBRTC_STATUS_SUCCESS);
    expect_datagram(other, "other");
    expect_nothing(a);
    expect_nothing(b);
#endif
    ertc_socket_close(sender);
    ertc_socket_close(other);
    ertc_socket_close(b);
    ertc_socket_close(a);
}

static void test_udp_multicast_errors(void **state)
{
    (void)state;
    ertc_addr_t lo = make_addr("127.0.0.1", 0);
    ertc_addr_t unicast = make_addr("127.0.0.1", 0);
    ertc_addr_t v6 = make_addr("ff02::fb", 0);
    ertc_addr_t group = make_addr("224.0.0.251", 0);
    ertc_socket_t s = 7;
    assert_int_equal(ertc_udp_open_multicast(NULL, &lo, 1, &s), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_udp_open_multicast(&group, NULL, 1, &s), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_udp_open_multicast(&unicast, &lo, 1, &s), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(s, ERTC_INVALID_SOCKET);
    assert_int_equal(ertc_udp_open_multicast(&v6, &lo, 1, &s), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_udp_open_multicast(&group, &v6, 1, &s), WEBRTC_STATUS_INVALID_ARG);
    /* No interface has this documentation address (RFC 5737): no join, no socket. */
    ertc_addr_t absent = make_addr("192.0.2.1", 0);
    assert_int_equal(ertc_udp_open_multicast(&group, &absent, 1, &s), WEBRTC_STATUS_NETWORK_ERROR);
    assert_int_equal(s, ERTC_INVALID_SOCKET);
    /* A join that fails is skipped when another succeeds. */
    ertc_addr_t both[2] = {lo, absent};
    assert_int_equal(ertc_udp_open_multicast(&group, both, 2, &s), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_udp_set_multicast_if(s, NULL), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_udp_set_multicast_if(s, &v6), WEBRTC_STATUS_INVALID_ARG);
    ertc_socket_close(s);
    assert_int_equal(ertc_udp_set_multicast_if(ERTC_INVALID_SOCKET, &lo),
                     WEBRTC_STATUS_INVALID_ARG);
}

/* ---- TCP through the loop ---------------------------------------------------------------- */

typedef struct {
    ertc_loop_t *loop;
    ertc_socket_t listener, client, server;
    ertc_io_t listen_io, client_io, server_io;
    ertc_addr_t listen_addr;
    bool connected;
    bool accepted;
    char client_buf[64];
    size_t client_got;
    char server_buf[64];
    size_t server_got;
    bool client_saw_close;
    bool done;
    WEBRTC_STATUS failure; /* first unexpected status */
} tcp_test_t;

static void note_failure(tcp_test_t *t, WEBRTC_STATUS st)
{
    if (t->failure == WEBRTC_STATUS_SUCCESS) {
        t->failure = st == WEBRTC_STATUS_SUCCESS ? WEBRTC_STATUS_INTERNAL_ERROR : st;
    }
    t->done = true;
}

static void on_server_io(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)events;
    tcp_test_t *t = arg;
    size_t n = 0;
    WEBRTC_STATUS st =
        ertc_tcp_recv(fd, t->server_buf + t->server_got, sizeof(t->server_buf) - t->server_got, &n);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS || n == 0) {
        note_failure(t, st);
        return;
    }
    t->server_got += n;
    if (t->server_got == 5 && memcmp(t->server_buf, "hello", 5) == 0) {
        size_t sent = 0;
        st = ertc_tcp_send(fd, "world", 5, &sent);
        if (st != WEBRTC_STATUS_SUCCESS || sent != 5) {
            note_failure(t, st);
            return;
        }
        /* The server hangs up: the client must read "world" and then 0. */
        ertc_io_stop(loop, io);
        ertc_socket_close(fd);
        t->server = ERTC_INVALID_SOCKET;
    }
}

static void on_listener_io(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)events;
    tcp_test_t *t = arg;
    ertc_addr_t peer;
    WEBRTC_STATUS st = ertc_tcp_accept(fd, &t->server, &peer);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS || !ertc_addr_is_loopback(&peer) ||
        peer.family != t->listen_addr.family) {
        note_failure(t, st);
        return;
    }
    t->accepted = true;
    ertc_io_stop(loop, io);
    ertc_io_init(&t->server_io, t->server, on_server_io, t);
    st = ertc_io_start(loop, &t->server_io, ERTC_IO_READ);
    if (st != WEBRTC_STATUS_SUCCESS) {
        note_failure(t, st);
    }
}

static void on_client_io(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    tcp_test_t *t = arg;
    WEBRTC_STATUS st;
    if (!t->connected) {
        if (!(events & ERTC_IO_WRITE)) {
            return;
        }
        st = ertc_tcp_connect_result(fd);
        if (st != WEBRTC_STATUS_SUCCESS) {
            note_failure(t, st);
            return;
        }
        t->connected = true;
        size_t sent = 0;
        st = ertc_tcp_send(fd, "hello", 5, &sent);
        if (st != WEBRTC_STATUS_SUCCESS || sent != 5) {
            note_failure(t, st);
            return;
        }
        ertc_io_set_events(loop, io, ERTC_IO_READ);
        return;
    }
    size_t n = 0;
    st =
        ertc_tcp_recv(fd, t->client_buf + t->client_got, sizeof(t->client_buf) - t->client_got, &n);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        note_failure(t, st);
        return;
    }
    if (n == 0) {
        t->client_saw_close = true;
        t->done = true;
        ertc_io_stop(loop, io);
        return;
    }
    t->client_got += n;
}

static void tcp_exchange(const char *ip)
{
    static tcp_test_t t;
    memset(&t, 0, sizeof(t));
    t.server = ERTC_INVALID_SOCKET;
    assert_int_equal(ertc_loop_create(&t.loop, 0), WEBRTC_STATUS_SUCCESS);

    ertc_addr_t bind_addr = make_addr(ip, 0);
    assert_int_equal(ertc_tcp_listen(&bind_addr, 0, &t.listener), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_socket_local_addr(t.listener, &t.listen_addr), WEBRTC_STATUS_SUCCESS);
    assert_int_not_equal(t.listen_addr.port, 0);
    ertc_socket_t dummy;
    assert_int_equal(ertc_tcp_accept(t.listener, &dummy, NULL), WEBRTC_STATUS_RETRY_LATER);

    ertc_io_init(&t.listen_io, t.listener, on_listener_io, &t);
    assert_int_equal(ertc_io_start(t.loop, &t.listen_io, ERTC_IO_READ), WEBRTC_STATUS_SUCCESS);

    assert_int_equal(ertc_tcp_connect_start(&t.listen_addr, &t.client), WEBRTC_STATUS_SUCCESS);
    ertc_io_init(&t.client_io, t.client, on_client_io, &t);
    assert_int_equal(ertc_io_start(t.loop, &t.client_io, ERTC_IO_WRITE), WEBRTC_STATUS_SUCCESS);

    uint64_t give_up = ertc_time_mono_ms() + GUARD_MS;
    while (!t.done && ertc_time_mono_ms() < give_up) {
        assert_int_equal(ertc_loop_run_once(t.loop, 100), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(t.failure, WEBRTC_STATUS_SUCCESS);
    assert_true(t.done);
    assert_true(t.accepted);
    assert_true(t.connected);
    assert_int_equal(t.server_got, 5);
    assert_int_equal(t.client_got, 5);
    assert_memory_equal(t.client_buf, "world", 5);
    assert_true(t.client_saw_close);

    /* The peer is gone: sending eventually fails with NETWORK_ERROR (EPIPE/ECONNRESET), and
     * SIGPIPE does not kill the test. */
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    for (int i = 0; i < 100 && st == WEBRTC_STATUS_SUCCESS; i++) {
        size_t sent;
        st = ertc_tcp_send(t.client, "more", 4, &sent);
        if (st == WEBRTC_STATUS_SUCCESS) {
            ertc_sleep_ms(1);
        }
    }
    assert_int_equal(st, WEBRTC_STATUS_NETWORK_ERROR);

    ertc_io_stop(t.loop, &t.client_io);
    ertc_io_stop(t.loop, &t.listen_io);
    ertc_socket_close(t.client);
    ertc_socket_close(t.listener);
    ertc_socket_close(t.server);
    ertc_loop_destroy(t.loop);
}

static void test_tcp_ipv4(void **state)
{
    (void)state;
    tcp_exchange("127.0.0.1");
}

static void test_tcp_ipv6(void **state)
{
    (void)state;
    if (!have_ipv6_loopback()) {
        skip();
    }
    tcp_exchange("::1");
}

typedef struct {
    WEBRTC_STATUS result;
    bool called;
} refused_t;

static void on_refused_io(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)events;
    refused_t *r = arg;
    r->result = ertc_tcp_connect_result(fd);
    r->called = true;
    ertc_io_stop(loop, io);
}

static int refused_log_lines;

static void capture_refused(int level, const char *tag, const char *line, void *ctx)
{
    (void)level;
    (void)tag;
    (void)ctx;
    if (strstr(line, "ECONNREFUSED") != NULL) {
        refused_log_lines++;
    }
}

static void test_tcp_connect_refused(void **state)
{
    (void)state;
    /* Take a free port, then close it: nothing listens there now. */
    ertc_addr_t bind_addr = make_addr("127.0.0.1", 0);
    ertc_socket_t l;
    assert_int_equal(ertc_tcp_listen(&bind_addr, 0, &l), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t closed;
    assert_int_equal(ertc_socket_local_addr(l, &closed), WEBRTC_STATUS_SUCCESS);
    ertc_socket_close(l);

    /* The debug log names the errno, so a user can tell "refused" from "unreachable". */
    refused_log_lines = 0;
    int old_level = ertc_log_get_level();
    ertc_log_set_level(ERTC_LOG_DEBUG);
    ertc_log_set_sink(capture_refused, NULL);

    ertc_socket_t c;
    WEBRTC_STATUS st = ertc_tcp_connect_start(&closed, &c);
    if (st == WEBRTC_STATUS_NETWORK_ERROR) {
        /* Refused at once: also a correct report. */
        print_message("    connect refused by connect() itself\n");
        ertc_log_set_sink(NULL, NULL);
        ertc_log_set_level(old_level);
        assert_int_equal(refused_log_lines, 1);
        return;
    }
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    ertc_loop_t *loop = NULL;
    assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
    refused_t r = {.result = WEBRTC_STATUS_SUCCESS};
    ertc_io_t io;
    ertc_io_init(&io, c, on_refused_io, &r);
    assert_int_equal(ertc_io_start(loop, &io, ERTC_IO_WRITE), WEBRTC_STATUS_SUCCESS);
    uint64_t give_up = ertc_time_mono_ms() + GUARD_MS;
    while (!r.called && ertc_time_mono_ms() < give_up) {
        assert_int_equal(ertc_loop_run_once(loop, 100), WEBRTC_STATUS_SUCCESS);
    }
    ertc_log_set_sink(NULL, NULL);
    ertc_log_set_level(old_level);
    assert_true(r.called);
    assert_int_equal(r.result, WEBRTC_STATUS_NETWORK_ERROR);
    assert_int_equal(refused_log_lines, 1);
    ertc_socket_close(c);
    ertc_loop_destroy(loop);
}

static void test_tcp_listen_reuse_and_errors(void **state)
{
    (void)state;
    ertc_addr_t bind_addr = make_addr("127.0.0.1", 0);
    ertc_socket_t l;
    assert_int_equal(ertc_tcp_listen(&bind_addr, 4, &l), WEBRTC_STATUS_SUCCESS);
    ertc_addr_t addr;
    assert_int_equal(ertc_socket_local_addr(l, &addr), WEBRTC_STATUS_SUCCESS);
    ertc_socket_t second;
    /* SO_REUSEADDR does not allow two listeners on one port. */
    assert_int_equal(ertc_tcp_listen(&addr, 0, &second), WEBRTC_STATUS_NETWORK_ERROR);
    ertc_socket_close(l);
    /* Once closed, the same port can be listened on again at once. */
    assert_int_equal(ertc_tcp_listen(&addr, 0, &l), WEBRTC_STATUS_SUCCESS);
    ertc_socket_close(l);

    size_t n;
    char buf[4];
    assert_int_equal(ertc_tcp_recv(l, buf, 0, &n), WEBRTC_STATUS_INVALID_ARG);
    assert_int_not_equal(ertc_tcp_send(-1, "x", 1, &n), WEBRTC_STATUS_SUCCESS);
    ertc_socket_close(ERTC_INVALID_SOCKET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parse_and_format_ipv4),
        cmocka_unit_test(test_addr_parse_and_format_ipv6),
        cmocka_unit_test(test_addr_format_errors),
        cmocka_unit_test(test_addr_parse_rejects_bad_input),
        cmocka_unit_test(test_addr_equal),
        cmocka_unit_test(test_addr_loopback),
        cmocka_unit_test(test_addr_resolve),
        cmocka_unit_test(test_addr_list_local),
        cmocka_unit_test(test_udp_ipv4),
        cmocka_unit_test(test_udp_ipv6),
        cmocka_unit_test(test_udp_errors),
        cmocka_unit_test(test_udp_multicast_shared_port),
        cmocka_unit_test(test_udp_multicast_errors),
        cmocka_unit_test(test_tcp_ipv4),
        cmocka_unit_test(test_tcp_ipv6),
        cmocka_unit_test(test_tcp_connect_refused),
        cmocka_unit_test(test_tcp_listen_reuse_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
