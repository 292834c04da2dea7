/*
 * Unit tests for util/url: the URLs edgertc meets (AppRTC, KVS endpoints and presigned
 * URLs, loopback test servers), IPv4/IPv6 hosts, ports, userinfo, Host header formatting,
 * percent-encoding, and the inputs the parser must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/url.h"

static void parse_ok(const char *s, ertc_url_t *url)
{
    WEBRTC_STATUS st = ertc_url_parse(s, strlen(s), url);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail_msg("parsing \"%s\": status %u", s, (unsigned)st);
    }
}

static void expect_parse_fails(const char *s, WEBRTC_STATUS want)
{
    ertc_url_t url;
    WEBRTC_STATUS st = ertc_url_parse(s, strlen(s), &url);
    if (st != want) {
        fail_msg("parsing \"%s\": status %u, expected %u", s, (unsigned)st, (unsigned)want);
    }
}

static void assert_span(const char *p, size_t len, const char *want)
{
    assert_non_null(p);
    if (len != strlen(want) || memcmp(p, want, len) != 0) {
        fail_msg("got \"%.*s\", expected \"%s\"", (int)len, p, want);
    }
}

static void test_apprtc_wss_url(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("wss://apprtc-ws.webrtc.org:443/ws", &url);
    assert_int_equal(url.scheme, ERTC_URL_SCHEME_WSS);
    assert_true(url.secure);
    assert_string_equal(url.host, "apprtc-ws.webrtc.org");
    assert_int_equal(url.host_len, strlen("apprtc-ws.webrtc.org"));
    assert_false(url.is_ipv6);
    assert_false(url.is_ipv4);
    assert_int_equal(url.port, 443);
    assert_true(url.port_explicit);
    assert_span(url.path, url.path_len, "/ws");
    assert_null(url.query);
    assert_null(url.user);
}

static void test_default_ports_and_path(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        ertc_url_scheme_t scheme;
        bool secure;
        uint16_t port;
    } cases[] = {
        {"ws://example.com", ERTC_URL_SCHEME_WS, false, 80},
        {"wss://example.com", ERTC_URL_SCHEME_WSS, true, 443},
        {"http://example.com", ERTC_URL_SCHEME_HTTP, false, 80},
        {"https://example.com", ERTC_URL_SCHEME_HTTPS, true, 443},
        {"HTTPS://example.com", ERTC_URL_SCHEME_HTTPS, true, 443},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_url_t url;
        parse_ok(cases[i].url, &url);
        assert_int_equal(url.scheme, cases[i].scheme);
        assert_int_equal(url.secure, cases[i].secure);
        assert_int_equal(url.port, cases[i].port);
        assert_false(url.port_explicit);
        assert_span(url.path, url.path_len, "/");
        assert_int_equal(ertc_url_default_port(cases[i].scheme), cases[i].port);
    }
    assert_string_equal(ertc_url_scheme_name(ERTC_URL_SCHEME_WSS), "wss");
}

static void test_ipv6_literal(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("wss://[::1]:8443/path?x=1", &url);
    assert_true(url.is_ipv6);
    assert_string_equal(url.host, "::1");
    assert_int_equal(url.port, 8443);
    assert_span(url.path, url.path_len, "/path");
    assert_span(url.query, url.query_len, "x=1");

    parse_ok("http://[2001:db8:85a3::8a2e:370:7334]/", &url);
    assert_string_equal(url.host, "2001:db8:85a3::8a2e:370:7334");
    assert_int_equal(url.port, 80);
    parse_ok("ws://[::ffff:192.0.2.128]:9000", &url);
    assert_string_equal(url.host, "::ffff:192.0.2.128");
    parse_ok("ws://[1:2:3:4:5:6:7:8]", &url);
    parse_ok("ws://[1:2:3:4:5:6:1.2.3.4]", &url);
    parse_ok("ws://[FE80::ABCD]", &url);
    parse_ok("ws://[::]", &url);
    parse_ok("ws://[1::]", &url);
}

static void test_ipv6_rejections(void **state)
{
    (void)state;
    expect_parse_fails("ws://[::1/x", WEBRTC_STATUS_MALFORMED); /* no ']' */
    expect_parse_fails("ws://::1]/x", WEBRTC_STATUS_MALFORMED); /* no '[' */
    expect_parse_fails("ws://[]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[::1]x/", WEBRTC_STATUS_MALFORMED); /* junk after ']' */
    expect_parse_fails("ws://[1::2::3]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[1:2:3:4:5:6:7:8:9]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[1:2:3:4:5:6:7]/", WEBRTC_STATUS_MALFORMED);    /* 7 groups, no :: */
    expect_parse_fails("ws://[1:2:3:4:5:6:7::8]/", WEBRTC_STATUS_MALFORMED); /* 8 with :: */
    expect_parse_fails("ws://[12345::1]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[:1]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[1:]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[fe80::1%25eth0]/", WEBRTC_STATUS_MALFORMED); /* zone id */
    expect_parse_fails("ws://[v1.fe]/", WEBRTC_STATUS_MALFORMED);          /* IPvFuture */
    expect_parse_fails("ws://[::1.2.3]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[1.2.3.4]/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://[::1]:/", WEBRTC_STATUS_MALFORMED);
}

static void test_ipv4_hosts(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("ws://127.0.0.1:8080/ws", &url);
    assert_true(url.is_ipv4);
    assert_string_equal(url.host, "127.0.0.1");
    assert_int_equal(url.port, 8080);
    parse_ok("http://255.255.255.255", &url);
    assert_true(url.is_ipv4);
    /* Names that contain digits are names. */
    parse_ok("http://1.2.3.example", &url);
    assert_false(url.is_ipv4);

    expect_parse_fails("ws://256.0.0.1/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://1.2.3/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://1.2.3.4.5/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://010.0.0.1/", WEBRTC_STATUS_MALFORMED); /* octal-looking */
    expect_parse_fails("ws://1234/", WEBRTC_STATUS_MALFORMED);
}

static void test_ports(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("ws://h:1", &url);
    assert_int_equal(url.port, 1);
    parse_ok("ws://h:65535/", &url);
    assert_int_equal(url.port, 65535);
    parse_ok("wss://h:443", &url);
    assert_true(url.port_explicit);

    expect_parse_fails("ws://h:0/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:65536/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:99999999999999999999/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:80a/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:-1/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://h:80:81/", WEBRTC_STATUS_MALFORMED);
}

static void test_presigned_query(void **state)
{
    (void)state;
    /* A KVS-style presigned URL with a long, fully %-encoded session token. */
    char url_text[4096];
    int n = snprintf(url_text, sizeof(url_text),
                     "wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com?"
                     "X-Amz-ChannelARN=arn%%3Aaws%%3Akinesisvideo%%3Aus-west-2%%3A1234%%3A"
                     "channel%%2Fdemo%%2F1&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                     "X-Amz-Credential=AKIDEXAMPLE%%2F20240101%%2Fus-west-2%%2F"
                     "kinesisvideo%%2Faws4_request&X-Amz-Date=20240101T000000Z&"
                     "X-Amz-Expires=299&X-Amz-Security-Token=");
    assert_true(n > 0);
    size_t len = (size_t)n;
    for (int i = 0; i < 600; i++) {
        memcpy(url_text + len, "IQo%2B", 6);
        len += 6;
    }
    const char tail[] = "&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef#frag";
    memcpy(url_text + len, tail, sizeof(tail));
    len += sizeof(tail) - 1;

    ertc_url_t url;
    assert_int_equal(ertc_url_parse(url_text, len, &url), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(url.host, "m-26d02974.kinesisvideo.us-west-2.amazonaws.com");
    assert_int_equal(url.port, 443);
    assert_span(url.path, url.path_len, "/"); /* no path before '?' */
    assert_non_null(url.query);
    assert_memory_equal(url.query, "X-Amz-ChannelARN=", 17);
    /* The query ends at the fragment, which is dropped. */
    assert_ptr_equal(url.query + url.query_len, url_text + len - strlen("#frag"));
    assert_memory_equal(url.query + url.query_len - 16, "0123456789abcdef", 16);
}

static void test_userinfo(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("https://user:p%40ss@example.com:8443/x", &url);
    assert_span(url.user, url.user_len, "user");
    assert_span(url.password, url.password_len, "p%40ss");
    assert_string_equal(url.host, "example.com");
    assert_int_equal(url.port, 8443);
    parse_ok("https://user@example.com/", &url);
    assert_span(url.user, url.user_len, "user");
    assert_null(url.password);
    parse_ok("https://user:@example.com/", &url);
    assert_non_null(url.password);
    assert_int_equal(url.password_len, 0);

    expect_parse_fails("https://a@b@example.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("https://user@/x", WEBRTC_STATUS_MALFORMED);
}

static void test_path_and_query(void **state)
{
    (void)state;
    ertc_url_t url;
    parse_ok("http://h/a/b%20c;p=1/@x:y?q=1&r=%2F/?#f", &url);
    assert_span(url.path, url.path_len, "/a/b%20c;p=1/@x:y");
    assert_span(url.query, url.query_len, "q=1&r=%2F/?");
    parse_ok("http://h?", &url);
    assert_span(url.path, url.path_len, "/");
    assert_non_null(url.query); /* present but empty */
    assert_int_equal(url.query_len, 0);
    parse_ok("http://h#only-fragment", &url);
    assert_null(url.query);
    assert_span(url.path, url.path_len, "/");
    /* The input need not be NUL-terminated: only len bytes are read. */
    parse_ok("http://h/x", &url);
    const char longer[] = "http://h/x yz";
    assert_int_equal(ertc_url_parse(longer, 10, &url), WEBRTC_STATUS_SUCCESS);
    assert_span(url.path, url.path_len, "/x");
}

static void test_rejections(void **state)
{
    (void)state;
    expect_parse_fails("", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ftp://example.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("wsx://example.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws:example.com", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws:/example.com", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("example.com", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws:///path", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://:80/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://exa mple.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/a b", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/a\tb", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/\r\nHost: evil", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/\x7f", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://ex\xc3\xa4mple.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/%zz", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/%2", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/?a=%", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/a\"b", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/a<b>", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://example.com/#a#b", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://exa%6dple.com/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://a..b/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://.a/", WEBRTC_STATUS_MALFORMED);
    expect_parse_fails("ws://a!b/", WEBRTC_STATUS_MALFORMED);

    ertc_url_t url;
    assert_int_equal(ertc_url_parse("ws://h/\0x", 9, &url), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_url_parse(NULL, 0, &url), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_url_parse("ws://h", 6, NULL), WEBRTC_STATUS_NULL_ARG);
}

static void test_limits(void **state)
{
    (void)state;
    char text[ERTC_URL_MAX_LEN + 64];
    ertc_url_t url;

    /* A host of exactly ERTC_URL_MAX_HOST characters fits; one more does not. */
    int n = snprintf(text, sizeof(text), "ws://");
    memset(text + n, 'a', ERTC_URL_MAX_HOST);
    text[n + ERTC_URL_MAX_HOST] = '\0';
    parse_ok(text, &url);
    assert_int_equal(url.host_len, ERTC_URL_MAX_HOST);
    text[n + ERTC_URL_MAX_HOST] = 'a';
    text[n + ERTC_URL_MAX_HOST + 1] = '\0';
    expect_parse_fails(text, WEBRTC_STATUS_LIMIT_EXCEEDED);
    parse_ok("ws://example.com./", &url); /* a fully qualified name */

    /* The whole URL is bounded too. */
    n = snprintf(text, sizeof(text), "ws://h/");
    memset(text + n, 'p', ERTC_URL_MAX_LEN - (size_t)n);
    assert_int_equal(ertc_url_parse(text, ERTC_URL_MAX_LEN, &url), WEBRTC_STATUS_SUCCESS);
    text[ERTC_URL_MAX_LEN] = 'p';
    assert_int_equal(ertc_url_parse(text, ERTC_URL_MAX_LEN + 1, &url),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
}

static void test_format_host_port(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        const char *host_port;
    } cases[] = {
        {"wss://example.com:443/ws", "example.com"},
        {"wss://example.com:8443/ws", "example.com:8443"},
        {"ws://example.com:443/", "example.com:443"},
        {"http://127.0.0.1:80", "127.0.0.1"},
        {"ws://[::1]:8443/path?x=1", "[::1]:8443"},
        {"https://[2001:db8::1]", "[2001:db8::1]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_url_t url;
        parse_ok(cases[i].url, &url);
        char buf[ERTC_URL_HOST_PORT_SIZE];
        size_t len = 0;
        assert_int_equal(ertc_url_format_host_port(&url, buf, sizeof(buf), &len),
                         WEBRTC_STATUS_SUCCESS);
        assert_string_equal(buf, cases[i].host_port);
        assert_int_equal(len, strlen(buf));
        /* Exactly len + 1 bytes suffice; len do not. */
        assert_int_equal(ertc_url_format_host_port(&url, buf, len + 1, NULL),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_url_format_host_port(&url, buf, len, NULL),
                         WEBRTC_STATUS_BUFFER_TOO_SMALL);
    }
}

static void test_percent_encode(void **state)
{
    (void)state;
    char out[64];
    size_t len = 0;
    const char *in = "a-b_c.d~e f/g+h=i&j\xff";
    assert_int_equal(ertc_url_encode(in, strlen(in), out, sizeof(out), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "a-b_c.d~e%20f%2Fg%2Bh%3Di%26j%FF");
    assert_int_equal(len, strlen(out));
    /* "a b" needs 5 characters and a NUL. */
    assert_int_equal(ertc_url_encode("a b", 3, out, 5, NULL), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_url_encode("a b", 3, out, 6, NULL), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "a%20b");
    assert_int_equal(ertc_url_encode("", 0, out, 1, &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 0);
    assert_int_equal(ertc_url_encode("", 0, out, 0, NULL), WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_percent_decode(void **state)
{
    (void)state;
    char out[64];
    size_t len = 0;
    const char *in = "a%20b%2fc%2Fd+e";
    assert_int_equal(ertc_url_decode(in, strlen(in), out, sizeof(out), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "a b/c/d+e");
    assert_int_equal(len, strlen(out));

    assert_int_equal(ertc_url_decode("x%00y", 5, out, sizeof(out), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "x\0y", 4);

    assert_int_equal(ertc_url_decode("%", 1, out, sizeof(out), NULL), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_url_decode("%4", 2, out, sizeof(out), NULL), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_url_decode("%g0", 3, out, sizeof(out), NULL), WEBRTC_STATUS_MALFORMED);
    /* "%41%42" decodes to 2 bytes and needs 3 with the NUL. */
    assert_int_equal(ertc_url_decode("%41%42", 6, out, 2, NULL), WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_url_decode("%41%42", 6, out, 3, NULL), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "AB");

    /* Encoding then decoding gives back every byte value. */
    char all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (char)i;
    }
    char enc[256 * 3 + 1];
    char dec[257];
    assert_int_equal(ertc_url_encode(all, sizeof(all), enc, sizeof(enc), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_url_decode(enc, len, dec, sizeof(dec), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, 256);
    assert_memory_equal(dec, all, 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apprtc_wss_url),  cmocka_unit_test(test_default_ports_and_path),
        cmocka_unit_test(test_ipv6_literal),    cmocka_unit_test(test_ipv6_rejections),
        cmocka_unit_test(test_ipv4_hosts),      cmocka_unit_test(test_ports),
        cmocka_unit_test(test_presigned_query), cmocka_unit_test(test_userinfo),
        cmocka_unit_test(test_path_and_query),  cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_format_host_port),
        cmocka_unit_test(test_percent_encode),  cmocka_unit_test(test_percent_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
