/*
 * Unit tests for the bridge link over real POSIX transports (signaling/bridge/bridge_link.h):
 * endpoint parsing; a listening and a connecting link on a UNIX socket and on loopback TCP
 * exchanging chunked 7 KiB messages both ways; garbage and a corrupted frame from a raw
 * socket are counted and the link stays up; a dropped connection is re-established; a serial
 * link over a pty pair (the test plays the far end on the master side), whose silence is
 * detected by the keepalive and followed by a reopen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "signaling/bridge/bridge_chunk.h"
#include "signaling/bridge/bridge_frame.h"
#include "signaling/bridge/bridge_link.h"

typedef struct {
    pthread_mutex_t mu;
    int messages;
    size_t last_len;
    uint8_t last[8192];
    int ups;
    int downs;
} sink_t;

static void on_message(void *user, const uint8_t *msg, size_t len)
{
    sink_t *s = user;
    pthread_mutex_lock(&s->mu);
    s->messages++;
    s->last_len = len;
    memcpy(s->last, msg, len < sizeof(s->last) ? len : sizeof(s->last));
    pthread_mutex_unlock(&s->mu);
}

static void on_state(void *user, bool up)
{
    sink_t *s = user;
    pthread_mutex_lock(&s->mu);
    if (up) {
        s->ups++;
    } else {
        s->downs++;
    }
    pthread_mutex_unlock(&s->mu);
}

static void sink_init(sink_t *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
}

static int sink_get(sink_t *s, int which)
{
    pthread_mutex_lock(&s->mu);
    int v = which == 0 ? s->messages : which == 1 ? s->ups : s->downs;
    pthread_mutex_unlock(&s->mu);
    return v;
}

/* Polls until counter `which` of s reaches want (5 s at most). */
static bool wait_count(sink_t *s, int which, int want)
{
    for (int i = 0; i < 500; i++) {
        if (sink_get(s, which) >= want) {
            return true;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool wait_up(ertc_bridge_link_t *l)
{
    for (int i = 0; i < 500 && !ertc_bridge_link_is_up(l); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return ertc_bridge_link_is_up(l);
}

static uint8_t big_msg[7 * 1024 + 77];

static void test_endpoint_parse(void **state)
{
    (void)state;
    ertc_bridge_endpoint_t ep;
    assert_int_equal(ertc_bridge_endpoint_parse("unix:/tmp/x.sock", &ep), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ep.kind, ERTC_BRIDGE_TRANSPORT_UNIX);
    assert_string_equal(ep.path, "/tmp/x.sock");
    assert_int_equal(ertc_bridge_endpoint_parse("tcp:127.0.0.1:7000", &ep), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ep.host, "127.0.0.1");
    assert_int_equal(ep.port, 7000);
    assert_int_equal(ertc_bridge_endpoint_parse("tcp:[::1]:9", &ep), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ep.host, "::1");
    assert_int_equal(ertc_bridge_endpoint_parse("serial:/dev/ttyS1", &ep), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ep.kind, ERTC_BRIDGE_TRANSPORT_SERIAL);
    static const char *bad[] = {"", "unix:", "tcp:127.0.0.1", "tcp:127.0.0.1:70000",
                                "tcp::5", "tcp:1.2.3.4:x", "udp:1.2.3.4:5", "serial:"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ertc_bridge_endpoint_parse(bad[i], &ep), WEBRTC_STATUS_INVALID_ARG);
    }
}

/* A listening and a connecting link on ep exchange messages, drop and reconnect. */
static void exchange_and_reconnect(ertc_bridge_endpoint_t *ep)
{
    sink_t a, b;
    sink_init(&a);
    sink_init(&b);
    ertc_bridge_link_callbacks_t cba = {on_message, on_state, &a};
    ertc_bridge_link_callbacks_t cbb = {on_message, on_state, &b};
    ertc_bridge_link_t *la = NULL, *lb = NULL;
    assert_int_equal(ertc_bridge_link_start(ep, true, &cba, &la), WEBRTC_STATUS_SUCCESS);
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_TCP) {
        ep->port = ertc_bridge_link_port(la);
        assert_true(ep->port != 0);
    }
    assert_int_equal(ertc_bridge_link_send(la, big_msg, 10), WEBRTC_STATUS_CLOSED);
    assert_int_equal(ertc_bridge_link_start(ep, false, &cbb, &lb), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_up(lb));
    assert_true(wait_up(la));

    assert_int_equal(ertc_bridge_link_send(lb, big_msg, sizeof(big_msg)), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_count(&a, 0, 1));
    assert_int_equal(a.last_len, sizeof(big_msg));
    assert_memory_equal(a.last, big_msg, sizeof(big_msg));
    assert_int_equal(ertc_bridge_link_send(la, (const uint8_t *)"ready", 5), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_count(&b, 0, 1));
    assert_int_equal(b.last_len, 5);

    /* cut the connection from the listening side: the connecting side comes back */
    ertc_bridge_link_drop(la);
    assert_true(wait_count(&b, 1, 2));
    assert_true(wait_up(la));
    assert_true(wait_up(lb));
    assert_int_equal(ertc_bridge_link_send(lb, big_msg, 100), WEBRTC_STATUS_SUCCESS);
    assert_true(wait_count(&a, 0, 2));
    assert_int_equal(a.last_len, 100);

    ertc_bridge_link_stats_t st;
    ertc_bridge_link_get_stats(la, &st);
    assert_int_equal(st.connects, 2);
    assert_int_equal(st.messages_rx, 2);
    assert_int_equal(st.malformed_frames, 0);
    ertc_bridge_link_get_stats(lb, &st);
    /* the chunks of both messages, plus the hello and keepalive PINGs */
    assert_true(st.frames_tx >= ertc_bridge_chunk_count(sizeof(big_msg)) + 1);
    assert_int_equal(st.messages_tx, 2);
    ertc_bridge_link_stop(lb);
    ertc_bridge_link_stop(la);
}

static void test_unix_link(void **state)
{
    (void)state;
    ertc_bridge_endpoint_t ep;
    char spec[128];
    snprintf(spec, sizeof(spec), "unix:/tmp/ertc-bridge-test-%ld.sock", (long)getpid());
    assert_int_equal(ertc_bridge_endpoint_parse(spec, &ep), WEBRTC_STATUS_SUCCESS);
    exchange_and_reconnect(&ep);
    assert_int_equal(access(ep.path, F_OK), -1); /* the listener removed its socket */
}

static void test_tcp_link(void **state)
{
    (void)state;
    ertc_bridge_endpoint_t ep;
    assert_int_equal(ertc_bridge_endpoint_parse("tcp:127.0.0.1:0", &ep), WEBRTC_STATUS_SUCCESS);
    exchange_and_reconnect(&ep);
}

static size_t frame_bytes(uint16_t seq, const char *text, uint8_t *out)
{
    ertc_bridge_frame_t f;
    size_t n = 0;
    ertc_bridge_chunk_frame((const uint8_t *)text, strlen(text), 0, seq, &f);
    assert_int_equal(ertc_bridge_frame_encode(&f, out, ERTC_BRIDGE_FRAME_MAX_LEN, &n),
                     WEBRTC_STATUS_SUCCESS);
    return n;
}

static void test_malformed_input_keeps_link(void **state)
{
    (void)state;
    sink_t a;
    sink_init(&a);
    ertc_bridge_link_callbacks_t cba = {on_message, on_state, &a};
    ertc_bridge_endpoint_t ep;
    char spec[128];
    snprintf(spec, sizeof(spec), "unix:/tmp/ertc-bridge-bad-%ld.sock", (long)getpid());
    assert_int_equal(ertc_bridge_endpoint_parse(spec, &ep), WEBRTC_STATUS_SUCCESS);
    ertc_bridge_link_t *la = NULL;
    assert_int_equal(ertc_bridge_link_start(&ep, true, &cba, &la), WEBRTC_STATUS_SUCCESS);

    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path, ep.path, strlen(ep.path) + 1);
    assert_int_equal(connect(s, (struct sockaddr *)&un, sizeof(un)), 0);
    uint8_t buf[3 * ERTC_BRIDGE_FRAME_MAX_LEN];
    size_t n = 0;
    memcpy(buf, "garbage\xE5", 8);
    n = 8;
    size_t bad_at = n;
    n += frame_bytes(1, "corrupted", buf + n);
    buf[bad_at + ERTC_BRIDGE_FRAME_HEADER_LEN + 2] ^= 0xFF; /* payload byte: CRC-32 fails */
    n += frame_bytes(2, "good", buf + n);
    /* a PING is answered with a PONG */
    ertc_bridge_frame_t ping = {.type = ERTC_BRIDGE_FRAME_PING, .seq = 3};
    size_t pn = 0;
    assert_int_equal(ertc_bridge_frame_encode(&ping, buf + n, sizeof(buf) - n, &pn),
                     WEBRTC_STATUS_SUCCESS);
    n += pn;
    assert_int_equal(write(s, buf, n), (ssize_t)n);
    assert_true(wait_count(&a, 0, 1));
    assert_int_equal(a.last_len, 4);
    assert_memory_equal(a.last, "good", 4);
    /* the link's hello PING, then the PONG */
    uint8_t in[256];
    size_t in_len = 0;
    bool pong_seen = false;
    for (int tries = 0; tries < 10 && !pong_seen; tries++) {
        ssize_t got = read(s, in + in_len, sizeof(in) - in_len);
        assert_true(got > 0);
        in_len += (size_t)got;
        size_t pos = 0;
        ertc_bridge_frame_t f;
        size_t used = 0;
        while (ertc_bridge_frame_parse(in + pos, in_len - pos, &f, &used) == WEBRTC_STATUS_SUCCESS) {
            pong_seen = pong_seen || f.type == ERTC_BRIDGE_FRAME_PONG;
            pos += used;
        }
        memmove(in, in + pos, in_len - pos);
        in_len -= pos;
    }
    assert_true(pong_seen);

    ertc_bridge_link_stats_t st;
    ertc_bridge_link_get_stats(la, &st);
    assert_true(st.malformed_frames >= 2);
    assert_int_equal(st.connects, 1);
    assert_true(ertc_bridge_link_is_up(la));
    close(s);
    assert_true(wait_count(&a, 2, 1)); /* the peer's close is seen */
    ertc_bridge_link_stop(la);
}

static void test_serial_pty_link(void **state)
{
    (void)state;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char spec[128];
    snprintf(spec, sizeof(spec), "serial:%s", ptsname(master));
    ertc_bridge_endpoint_t ep;
    assert_int_equal(ertc_bridge_endpoint_parse(spec, &ep), WEBRTC_STATUS_SUCCESS);
    sink_t a;
    sink_init(&a);
    ertc_bridge_link_callbacks_t cba = {on_message, on_state, &a};
    ertc_bridge_link_t *la = NULL;
    assert_int_equal(ertc_bridge_link_start(&ep, true, &cba, &la), WEBRTC_STATUS_SUCCESS);
    /* an open port is not a peer: the link is up only after a frame from the far end */
    sleep_ms(300);
    assert_false(ertc_bridge_link_is_up(la));

    /* bytes that a cooked tty would translate (CR, NL, ^C, ^S, ^D) cross unchanged */
    static const char tricky[] = "\r\n\x03\x13\x04\x7f end";
    uint8_t buf[ERTC_BRIDGE_FRAME_MAX_LEN];
    size_t n = frame_bytes(7, tricky, buf);
    assert_int_equal(write(master, buf, n), (ssize_t)n);
    assert_true(wait_count(&a, 0, 1));
    assert_true(wait_up(la));
    assert_int_equal(a.last_len, strlen(tricky));
    assert_memory_equal(a.last, tricky, strlen(tricky));

    assert_int_equal(ertc_bridge_link_send(la, big_msg, sizeof(big_msg)), WEBRTC_STATUS_SUCCESS);
    /* read the frames back on the master side and reassemble them */
    static uint8_t rx[16384];
    size_t rx_len = 0;
    ertc_bridge_reassembler_t r;
    ertc_bridge_reassembler_init(&r);
    const uint8_t *msg = NULL;
    size_t msg_len = 0;
    WEBRTC_STATUS st = WEBRTC_STATUS_RETRY_LATER;
    for (int tries = 0; tries < 200 && st == WEBRTC_STATUS_RETRY_LATER; tries++) {
        ssize_t got = read(master, rx + rx_len, sizeof(rx) - rx_len);
        assert_true(got > 0);
        rx_len += (size_t)got;
        size_t pos = 0;
        for (;;) {
            ertc_bridge_frame_t f;
            size_t used = 0;
            if (ertc_bridge_frame_parse(rx + pos, rx_len - pos, &f, &used) !=
                WEBRTC_STATUS_SUCCESS) {
                break;
            }
            pos += used;
            if (f.type == ERTC_BRIDGE_FRAME_MESSAGE) { /* PINGs are interleaved */
                st = ertc_bridge_reassembler_add(&r, &f, &msg, &msg_len);
            }
        }
        memmove(rx, rx + pos, rx_len - pos);
        rx_len -= pos;
    }
    assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(msg_len, sizeof(big_msg));
    assert_memory_equal(msg, big_msg, sizeof(big_msg));
    ertc_bridge_reassembler_free(&r);

    /* a serial line never hangs up: a silent far end draws PINGs, then the link is declared
     * dead and reopened */
    bool pinged = false;
    for (int tries = 0; tries < 40 && !pinged; tries++) {
        uint8_t in[256];
        ssize_t got = read(master, in, sizeof(in));
        ertc_bridge_frame_t f;
        size_t used = 0;
        pinged = got > 0 && ertc_bridge_frame_parse(in, (size_t)got, &f, &used) ==
                                WEBRTC_STATUS_SUCCESS && f.type == ERTC_BRIDGE_FRAME_PING;
    }
    assert_true(pinged);
    assert_true(wait_count(&a, 2, 1) || wait_count(&a, 2, 1)); /* within ERTC_BRIDGE_LINK_DEAD_MS */
    /* reopened (after ERTC_BRIDGE_LINK_RETRY_MS); up again as soon as the far end speaks */
    sleep_ms(600);
    n = frame_bytes(8, "back", buf);
    assert_int_equal(write(master, buf, n), (ssize_t)n);
    assert_true(wait_count(&a, 1, 2));
    ertc_bridge_link_stop(la);
    close(master);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(big_msg); i++) {
        big_msg[i] = (uint8_t)(i * 13 + 1);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint_parse),
        cmocka_unit_test(test_unix_link),
        cmocka_unit_test(test_tcp_link),
        cmocka_unit_test(test_malformed_input_keeps_link),
        cmocka_unit_test(test_serial_pty_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
