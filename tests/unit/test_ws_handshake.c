/*
 * Unit tests for net/ws_handshake: the RFC 6455 §1.3 key/accept example, key generation,
 * the client's request (every header, refusal of fields that would break it, buffer sizes),
 * each way a server's answer can fail the client's checks, each way a client's request can
 * fail the server's checks (with the HTTP status to answer), the server's answers, and a
 * full client -> server -> client round trip through a small header-table parser.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/ws_handshake.h"
#include "util/base64.h"

#define RFC_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* ---- a header table standing in for the HTTP parser ---------------------------------- */

#define MAX_HEADERS 16

typedef struct {
    const char *names[MAX_HEADERS];
    const char *values[MAX_HEADERS];
    size_t count;
} headers_t;

static const char *table_get(void *ctx, const char *name)
{
    headers_t *h = ctx;
    for (size_t i = 0; i < h->count; i++) {
        if (strcasecmp(h->names[i], name) == 0) {
            return h->values[i];
        }
    }
    return NULL;
}

static void set_header(headers_t *h, const char *name, const char *value)
{
    for (size_t i = 0; i < h->count; i++) {
        if (strcasecmp(h->names[i], name) == 0) {
            if (value == NULL) {
                h->names[i] = h->names[h->count - 1];
                h->values[i] = h->values[h->count - 1];
                h->count--;
            } else {
                h->values[i] = value;
            }
            return;
        }
    }
    if (value != NULL) {
        assert_true(h->count < MAX_HEADERS);
        h->names[h->count] = name;
        h->values[h->count] = value;
        h->count++;
    }
}

/* Splits "Name: value\r\n" lines of an HTTP head (after the first line) into h; the
 * strings point into buf, which is modified. Returns the first line. */
static char *parse_head(char *buf, headers_t *h)
{
    memset(h, 0, sizeof(*h));
    char *line_end = strstr(buf, "\r\n");
    assert_non_null(line_end);
    *line_end = '\0';
    char *p = line_end + 2;
    while (strncmp(p, "\r\n", 2) != 0) {
        char *end = strstr(p, "\r\n");
        assert_non_null(end);
        *end = '\0';
        char *colon = strchr(p, ':');
        assert_non_null(colon);
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ') {
            value++;
        }
        set_header(h, p, value);
        p = end + 2;
    }
    assert_string_equal(p, "\r\n"); /* nothing after the blank line */
    return buf;
}

/* ---- keys ------------------------------------------------------------------------------ */

static void test_rfc_accept_example(void **state)
{
    (void)state;
    char accept[ERTC_WS_ACCEPT_SIZE];
    assert_int_equal(ertc_ws_accept_for_key(RFC_KEY, accept), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(accept, RFC_ACCEPT);
    assert_int_equal(strlen(accept), ERTC_WS_ACCEPT_LEN);
    assert_int_equal(ertc_ws_accept_for_key("", accept), WEBRTC_STATUS_INVALID_ARG);
    char long_key[ERTC_WS_MAX_KEY_TEXT + 2];
    memset(long_key, 'A', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_int_equal(ertc_ws_accept_for_key(long_key, accept), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_accept_for_key(NULL, accept), WEBRTC_STATUS_NULL_ARG);
}

static void test_make_key(void **state)
{
    (void)state;
    char a[ERTC_WS_KEY_SIZE];
    char b[ERTC_WS_KEY_SIZE];
    assert_int_equal(ertc_ws_make_key(a), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ws_make_key(b), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(a), ERTC_WS_KEY_LEN);
    assert_string_not_equal(a, b);
    uint8_t nonce[18];
    size_t n = 0;
    assert_int_equal(ertc_base64_decode(a, strlen(a), 0, nonce, sizeof(nonce), &n),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(n, ERTC_WS_KEY_BYTES);
}

/* ---- client request -------------------------------------------------------------------- */

static const ertc_ws_header_t extra[] = {
    {"Authorization", "Bearer t0ken"},
    {"User-Agent", "edgertc/0.1"},
};

static ertc_ws_client_request_t full_request(void)
{
    ertc_ws_client_request_t req = {
        .host = "apprtc.example.com:8089",
        .path = "/ws?room=42&x=%20",
        .origin = "https://apprtc.example.com",
        .subprotocol = "chat",
        .headers = extra,
        .header_count = 2,
        .key = RFC_KEY,
    };
    return req;
}

static void test_client_request_has_every_header(void **state)
{
    (void)state;
    ertc_ws_client_request_t req = full_request();
    char out[1024];
    size_t len = 0;
    assert_int_equal(ertc_ws_build_client_request(out, sizeof(out), &len, &req),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(len, strlen(out));
    static const char *const lines[] = {
        "Host: apprtc.example.com:8089\r\n", "Upgrade: websocket\r\n",
        "Connection: Upgrade\r\n",           "Sec-WebSocket-Key: " RFC_KEY "\r\n",
        "Sec-WebSocket-Version: 13\r\n",     "Origin: https://apprtc.example.com\r\n",
        "Sec-WebSocket-Protocol: chat\r\n",  "Authorization: Bearer t0ken\r\n",
        "User-Agent: edgertc/0.1\r\n",
    };
    assert_memory_equal(out, "GET /ws?room=42&x=%20 HTTP/1.1\r\n", 32);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *at = strstr(out, lines[i]);
        if (at == NULL || at[-1] != '\n') {
            fail_msg("request lacks the line %s:\n%s", lines[i], out);
        }
    }
    assert_string_equal(out + len - 4, "\r\n\r\n");
    assert_ptr_equal(strstr(out, "\r\n\r\n") + 4, out + len); /* one blank line, at the end */

    /* the optional fields are optional */
    req.origin = NULL;
    req.subprotocol = NULL;
    req.headers = NULL;
    req.header_count = 0;
    assert_int_equal(ertc_ws_build_client_request(out, sizeof(out), &len, &req),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "GET /ws?room=42&x=%20 HTTP/1.1\r\n"
                             "Host: apprtc.example.com:8089\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: " RFC_KEY "\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n");
}

/* The key check (by hand, without a decoder) accepts exactly what util/base64 decodes to 16
 * bytes: every alphabet character in every data position, and the padding rules. */
static void test_key_check_matches_base64(void **state)
{
    (void)state;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\x7f";
    ertc_ws_client_request_t req = full_request();
    char out[1024];
    size_t len = 0;
    for (size_t pos = 0; pos < ERTC_WS_KEY_LEN; pos++) {
        for (size_t a = 0; a < sizeof(alphabet) - 1; a++) {
            char key[ERTC_WS_KEY_SIZE];
            memcpy(key, RFC_KEY, sizeof(key));
            key[pos] = alphabet[a];
            uint8_t bytes[ERTC_WS_KEY_BYTES + 2];
            size_t n = 0;
            bool valid = ertc_base64_decode(key, ERTC_WS_KEY_LEN, 0, bytes, sizeof(bytes), &n) ==
                             WEBRTC_STATUS_SUCCESS &&
                         n == ERTC_WS_KEY_BYTES;
            req.key = key;
            WEBRTC_STATUS st = ertc_ws_build_client_request(out, sizeof(out), &len, &req);
            if (st != (valid ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_INVALID_ARG)) {
                fail_msg("key %s: status %u, base64 says %s", key, (unsigned)st,
                         valid ? "valid" : "invalid");
            }
        }
    }
    static const char *const bad[] = {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===",
                                      "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQAA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        req.key = bad[i];
        assert_int_equal(ertc_ws_build_client_request(out, sizeof(out), &len, &req),
                         WEBRTC_STATUS_INVALID_ARG);
    }
}

static void test_client_request_buffer_sizes(void **state)
{
    (void)state;
    ertc_ws_client_request_t req = full_request();
    char out[1024];
    size_t len = 0;
    assert_int_equal(ertc_ws_build_client_request(out, sizeof(out), &len, &req),
                     WEBRTC_STATUS_SUCCESS);
    size_t need = len + 1;
    for (size_t size = 0; size < need; size++) {
        size_t l = 12345;
        assert_int_equal(ertc_ws_build_client_request(out, size, &l, &req),
                         WEBRTC_STATUS_BUFFER_TOO_SMALL);
        assert_int_equal(l, 12345);
    }
    assert_int_equal(ertc_ws_build_client_request(out, need, &len, &req), WEBRTC_STATUS_SUCCESS);
}

static void expect_request_refused(ertc_ws_client_request_t req, WEBRTC_STATUS want,
                                   const char *what)
{
    char out[1024];
    size_t len = 0;
    WEBRTC_STATUS st = ertc_ws_build_client_request(out, sizeof(out), &len, &req);
    if (st != want) {
        fail_msg("%s: status %u, expected %u", what, (unsigned)st, (unsigned)want);
    }
}

static void test_client_request_refuses_bad_fields(void **state)
{
    (void)state;
    ertc_ws_client_request_t req;
    const WEBRTC_STATUS bad = WEBRTC_STATUS_INVALID_ARG;

    req = full_request(), req.host = "a.example\r\nX-Injected: 1";
    expect_request_refused(req, bad, "CRLF in host");
    req = full_request(), req.host = "";
    expect_request_refused(req, bad, "empty host");
    req = full_request(), req.host = "a b";
    expect_request_refused(req, bad, "space in host");
    req = full_request(), req.path = "ws";
    expect_request_refused(req, bad, "path without /");
    req = full_request(), req.path = "/a b";
    expect_request_refused(req, bad, "space in path");
    req = full_request(), req.path = "/a\nb";
    expect_request_refused(req, bad, "LF in path");
    req = full_request(), req.origin = "https://x\r\n";
    expect_request_refused(req, bad, "CRLF in origin");
    req = full_request(), req.subprotocol = "a b";
    expect_request_refused(req, bad, "space in subprotocol");
    req = full_request(), req.subprotocol = "";
    expect_request_refused(req, bad, "empty subprotocol");
    req = full_request(), req.key = "short";
    expect_request_refused(req, bad, "key not 24 characters");
    req = full_request(), req.key = "dGhlIHNhbXBsZSBub25jZQ!!";
    expect_request_refused(req, bad, "key not base64");

    ertc_ws_header_t h[1];
    req = full_request(), req.headers = h, req.header_count = 1;
    h[0] = (ertc_ws_header_t){"X-Token", "abc\r\nX-Injected: 1"};
    expect_request_refused(req, bad, "CRLF in header value");
    h[0] = (ertc_ws_header_t){"X-Token", "abc\ndef"};
    expect_request_refused(req, bad, "LF in header value");
    h[0] = (ertc_ws_header_t){"X-Token", "abc\rdef"};
    expect_request_refused(req, bad, "CR in header value");
    h[0] = (ertc_ws_header_t){"X Token", "abc"};
    expect_request_refused(req, bad, "space in header name");
    h[0] = (ertc_ws_header_t){"X-Token:", "abc"};
    expect_request_refused(req, bad, "colon in header name");
    h[0] = (ertc_ws_header_t){"", "abc"};
    expect_request_refused(req, bad, "empty header name");
    h[0] = (ertc_ws_header_t){"sec-websocket-key", "abc"};
    expect_request_refused(req, bad, "a handshake header");
    h[0] = (ertc_ws_header_t){"HOST", "evil"};
    expect_request_refused(req, bad, "a second Host");
    h[0] = (ertc_ws_header_t){"Sec-WebSocket-Extensions", "permessage-deflate"};
    expect_request_refused(req, bad, "extensions");
    h[0] = (ertc_ws_header_t){"X-Token", "tab\tis fine"};
    expect_request_refused(req, WEBRTC_STATUS_SUCCESS, "tab in a value");
    h[0] = (ertc_ws_header_t){"X-Token", NULL};
    expect_request_refused(req, WEBRTC_STATUS_NULL_ARG, "NULL header value");

    req = full_request(), req.key = NULL;
    expect_request_refused(req, WEBRTC_STATUS_NULL_ARG, "no key");
    req = full_request(), req.headers = NULL;
    expect_request_refused(req, WEBRTC_STATUS_NULL_ARG, "count without headers");
}

/* ---- the client's checks of the server's answer ------------------------------------------ */

static headers_t good_response(void)
{
    headers_t h = {0};
    set_header(&h, "Upgrade", "websocket");
    set_header(&h, "Connection", "Upgrade");
    set_header(&h, "Sec-WebSocket-Accept", RFC_ACCEPT);
    return h;
}

static void expect_response(int status, headers_t *h, const char *subprotocol,
                            const char *want_error)
{
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE] = "";
    WEBRTC_STATUS st =
        ertc_ws_check_server_response(status, table_get, h, RFC_KEY, subprotocol, err, sizeof(err));
    if (want_error == NULL) {
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail_msg("response refused: %s", err);
        }
        return;
    }
    assert_int_equal(st, WEBRTC_STATUS_MALFORMED);
    if (strstr(err, want_error) == NULL) {
        fail_msg("error \"%s\" does not contain \"%s\"", err, want_error);
    }
}

static void test_server_response_accepted(void **state)
{
    (void)state;
    headers_t h = good_response();
    expect_response(101, &h, NULL, NULL);
    /* any case, token lists, spaces around values */
    set_header(&h, "Upgrade", " WebSocket ");
    set_header(&h, "Connection", "keep-alive, UPGRADE");
    set_header(&h, "Sec-WebSocket-Accept", "  " RFC_ACCEPT "\t");
    expect_response(101, &h, NULL, NULL);
    set_header(&h, "Sec-WebSocket-Protocol", "chat");
    expect_response(101, &h, "chat", NULL);
    set_header(&h, "Sec-WebSocket-Extensions", "");
    expect_response(101, &h, "chat", NULL);
    /* err may be left out */
    h = good_response();
    assert_int_equal(ertc_ws_check_server_response(403, table_get, &h, RFC_KEY, NULL, NULL, 0),
                     WEBRTC_STATUS_MALFORMED);
}

static void test_server_response_failures(void **state)
{
    (void)state;
    headers_t h = good_response();
    expect_response(403, &h, NULL, "server answered 403 instead of 101");
    expect_response(200, &h, NULL, "server answered 200 instead of 101");

    h = good_response(), set_header(&h, "Upgrade", NULL);
    expect_response(101, &h, NULL, "no Upgrade header");
    h = good_response(), set_header(&h, "Upgrade", "h2c");
    expect_response(101, &h, NULL, "\"Upgrade: h2c\" instead of websocket");
    h = good_response(), set_header(&h, "Upgrade", "websocket2");
    expect_response(101, &h, NULL, "instead of websocket");

    h = good_response(), set_header(&h, "Connection", NULL);
    expect_response(101, &h, NULL, "no Connection header");
    h = good_response(), set_header(&h, "Connection", "keep-alive");
    expect_response(101, &h, NULL, "lacks upgrade");
    h = good_response(), set_header(&h, "Connection", "upgraded");
    expect_response(101, &h, NULL, "lacks upgrade");

    h = good_response(), set_header(&h, "Sec-WebSocket-Accept", NULL);
    expect_response(101, &h, NULL, "no Sec-WebSocket-Accept header");
    h = good_response(), set_header(&h, "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOA=");
    expect_response(101, &h, NULL, "Sec-WebSocket-Accept does not match the key");
    h = good_response(), set_header(&h, "Sec-WebSocket-Accept", RFC_KEY);
    expect_response(101, &h, NULL, "Sec-WebSocket-Accept does not match the key");

    h = good_response(), set_header(&h, "Sec-WebSocket-Extensions", "permessage-deflate");
    expect_response(101, &h, NULL, "extensions \"permessage-deflate\"");

    h = good_response();
    expect_response(101, &h, "chat", "did not accept the requested subprotocol \"chat\"");
    set_header(&h, "Sec-WebSocket-Protocol", "superchat");
    expect_response(101, &h, "chat", "selected subprotocol \"superchat\" instead of \"chat\"");
    expect_response(101, &h, NULL, "subprotocol \"superchat\", but none was requested");
    set_header(&h, "Sec-WebSocket-Protocol", "Chat");
    expect_response(101, &h, "chat", "instead of");

    /* control characters from the peer do not reach the message */
    h = good_response(), set_header(&h, "Upgrade", "web\x1b[31msocket");
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE];
    assert_int_equal(
        ertc_ws_check_server_response(101, table_get, &h, RFC_KEY, NULL, err, sizeof(err)),
        WEBRTC_STATUS_MALFORMED);
    assert_null(strchr(err, '\x1b'));
    /* nor do arbitrarily long values */
    char long_value[400];
    memset(long_value, 'v', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    h = good_response(), set_header(&h, "Upgrade", long_value);
    assert_int_equal(
        ertc_ws_check_server_response(101, table_get, &h, RFC_KEY, NULL, err, sizeof(err)),
        WEBRTC_STATUS_MALFORMED);
    assert_non_null(strstr(err, "...\""));
}

/* ---- the server's checks of the client's request ----------------------------------------- */

static headers_t rfc_request(void)
{
    /* RFC 6455 §1.3 */
    headers_t h = {0};
    set_header(&h, "Host", "server.example.com");
    set_header(&h, "Upgrade", "websocket");
    set_header(&h, "Connection", "Upgrade");
    set_header(&h, "Sec-WebSocket-Key", RFC_KEY);
    set_header(&h, "Origin", "http://example.com");
    set_header(&h, "Sec-WebSocket-Protocol", "chat, superchat");
    set_header(&h, "Sec-WebSocket-Version", "13");
    return h;
}

static void expect_request(const char *method, headers_t *h, int want_http, const char *want_error)
{
    char accept[ERTC_WS_ACCEPT_SIZE] = "";
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE] = "";
    ertc_ws_request_info_t info;
    memset(&info, 0xA5, sizeof(info));
    WEBRTC_STATUS st = ertc_ws_check_client_request(method, table_get, h, accept, sizeof(accept),
                                                    &info, err, sizeof(err));
    if (want_error == NULL) {
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail_msg("request refused: %s", err);
        }
        assert_string_equal(accept, RFC_ACCEPT);
        assert_int_equal(info.reject_status, 0);
        return;
    }
    assert_int_equal(st, WEBRTC_STATUS_MALFORMED);
    assert_int_equal(info.reject_status, want_http);
    if (strstr(err, want_error) == NULL) {
        fail_msg("error \"%s\" does not contain \"%s\"", err, want_error);
    }
}

static void test_client_request_accepted(void **state)
{
    (void)state;
    headers_t h = rfc_request();
    char accept[ERTC_WS_ACCEPT_SIZE];
    ertc_ws_request_info_t info;
    assert_int_equal(
        ertc_ws_check_client_request("GET", table_get, &h, accept, sizeof(accept), &info, NULL, 0),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(accept, RFC_ACCEPT);
    assert_string_equal(info.origin, "http://example.com");
    assert_string_equal(info.subprotocols, "chat, superchat");
    assert_true(ertc_ws_offers_subprotocol(info.subprotocols, "superchat"));
    assert_true(ertc_ws_offers_subprotocol(info.subprotocols, "chat"));
    assert_false(ertc_ws_offers_subprotocol(info.subprotocols, "Chat"));
    assert_false(ertc_ws_offers_subprotocol(info.subprotocols, "super"));
    assert_false(ertc_ws_offers_subprotocol(NULL, "chat"));

    /* what browsers send: a Connection list, no Origin or subprotocol needed, key padded */
    set_header(&h, "Connection", "keep-alive, Upgrade");
    set_header(&h, "Upgrade", "WebSocket");
    set_header(&h, "Origin", NULL);
    set_header(&h, "Sec-WebSocket-Protocol", NULL);
    set_header(&h, "Sec-WebSocket-Key", " " RFC_KEY " ");
    assert_int_equal(
        ertc_ws_check_client_request("GET", table_get, &h, accept, sizeof(accept), &info, NULL, 0),
        WEBRTC_STATUS_SUCCESS);
    assert_string_equal(accept, RFC_ACCEPT);
    assert_null(info.origin);
    assert_null(info.subprotocols);
    /* info is optional, the accept buffer is not */
    assert_int_equal(
        ertc_ws_check_client_request("GET", table_get, &h, accept, sizeof(accept), NULL, NULL, 0),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ws_check_client_request("GET", table_get, &h, accept, ERTC_WS_ACCEPT_LEN,
                                                  NULL, NULL, 0),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_client_request_failures(void **state)
{
    (void)state;
    headers_t h = rfc_request();
    expect_request("POST", &h, 405, "method POST instead of GET");
    expect_request("get", &h, 405, "instead of GET");

    h = rfc_request(), set_header(&h, "Host", NULL);
    expect_request("GET", &h, 400, "no Host header");
    h = rfc_request(), set_header(&h, "Upgrade", NULL);
    expect_request("GET", &h, 400, "no Upgrade header");
    h = rfc_request(), set_header(&h, "Upgrade", "h2c");
    expect_request("GET", &h, 400, "\"Upgrade: h2c\" instead of websocket");
    h = rfc_request(), set_header(&h, "Connection", NULL);
    expect_request("GET", &h, 400, "no Connection header");
    h = rfc_request(), set_header(&h, "Connection", "keep-alive");
    expect_request("GET", &h, 400, "lacks upgrade");

    h = rfc_request(), set_header(&h, "Sec-WebSocket-Version", "8");
    expect_request("GET", &h, 426, "version 8; only 13 is supported");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Version", "13, 8");
    expect_request("GET", &h, 426, "only 13");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Version", NULL);
    expect_request("GET", &h, 400, "no Sec-WebSocket-Version header");

    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", NULL);
    expect_request("GET", &h, 400, "no Sec-WebSocket-Key header");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA"); /* 15 */
    expect_request("GET", &h, 400, "not base64 of 16 bytes");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAAA"); /* 18 */
    expect_request("GET", &h, 400, "not base64 of 16 bytes");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=");
    expect_request("GET", &h, 400, "not base64 of 16 bytes");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ!=");
    expect_request("GET", &h, 400, "not base64 of 16 bytes");
    h = rfc_request(), set_header(&h, "Sec-WebSocket-Key", "");
    expect_request("GET", &h, 400, "not base64 of 16 bytes");
}

/* ---- the server's answers --------------------------------------------------------------- */

static void test_server_responses(void **state)
{
    (void)state;
    char out[512];
    size_t len = 0;
    assert_int_equal(ertc_ws_build_server_response(out, sizeof(out), &len, RFC_ACCEPT, "chat"),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "HTTP/1.1 101 Switching Protocols\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
                             "Sec-WebSocket-Protocol: chat\r\n"
                             "\r\n");
    assert_int_equal(len, strlen(out));
    assert_int_equal(ertc_ws_build_server_response(out, sizeof(out), &len, RFC_ACCEPT, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_null(strstr(out, "Sec-WebSocket-Protocol"));
    assert_int_equal(ertc_ws_build_server_response(out, 40, &len, RFC_ACCEPT, NULL),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
    assert_int_equal(ertc_ws_build_server_response(out, sizeof(out), &len, "x\r\n", NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_build_server_response(out, sizeof(out), &len, RFC_ACCEPT, "a,b"),
                     WEBRTC_STATUS_INVALID_ARG);

    assert_int_equal(ertc_ws_build_reject_response(out, sizeof(out), &len, 426),
                     WEBRTC_STATUS_SUCCESS);
    assert_memory_equal(out, "HTTP/1.1 426 Upgrade Required\r\n", 31);
    assert_non_null(strstr(out, "\r\nSec-WebSocket-Version: 13\r\n"));
    assert_non_null(strstr(out, "\r\nUpgrade: websocket\r\n"));
    assert_string_equal(out + len - 4, "\r\n\r\n");
    assert_int_equal(ertc_ws_build_reject_response(out, sizeof(out), &len, 405),
                     WEBRTC_STATUS_SUCCESS);
    assert_non_null(strstr(out, "\r\nAllow: GET\r\n"));
    assert_int_equal(ertc_ws_build_reject_response(out, sizeof(out), &len, 400),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(out, "HTTP/1.1 400 Bad Request\r\n"
                             "Connection: close\r\n"
                             "Content-Length: 0\r\n"
                             "\r\n");
    assert_int_equal(ertc_ws_build_reject_response(out, sizeof(out), &len, 418),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_ws_build_reject_response(out, 10, &len, 403),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

static void test_header_tokens(void **state)
{
    (void)state;
    assert_true(ertc_ws_header_has_token("Upgrade", "upgrade"));
    assert_true(ertc_ws_header_has_token("keep-alive, Upgrade", "upgrade"));
    assert_true(ertc_ws_header_has_token("Upgrade ,keep-alive", "upgrade"));
    assert_true(ertc_ws_header_has_token(" \tUPGRADE\t ", "upgrade"));
    assert_true(ertc_ws_header_has_token(",,upgrade,", "upgrade"));
    assert_false(ertc_ws_header_has_token("keep-alive", "upgrade"));
    assert_false(ertc_ws_header_has_token("upgrades", "upgrade"));
    assert_false(ertc_ws_header_has_token("up grade", "upgrade"));
    assert_false(ertc_ws_header_has_token("", "upgrade"));
    assert_false(ertc_ws_header_has_token(NULL, "upgrade"));
}

/* ---- both sides together ---------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    (void)state;
    char key[ERTC_WS_KEY_SIZE];
    assert_int_equal(ertc_ws_make_key(key), WEBRTC_STATUS_SUCCESS);
    ertc_ws_client_request_t req = full_request();
    req.key = key;
    char request[1024];
    size_t len = 0;
    assert_int_equal(ertc_ws_build_client_request(request, sizeof(request), &len, &req),
                     WEBRTC_STATUS_SUCCESS);

    headers_t rh;
    char *request_line = parse_head(request, &rh);
    assert_string_equal(request_line, "GET /ws?room=42&x=%20 HTTP/1.1");
    char accept[ERTC_WS_ACCEPT_SIZE];
    ertc_ws_request_info_t info;
    char err[ERTC_WS_HANDSHAKE_ERROR_SIZE] = "";
    assert_int_equal(ertc_ws_check_client_request("GET", table_get, &rh, accept, sizeof(accept),
                                                  &info, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(info.origin, "https://apprtc.example.com");
    assert_true(ertc_ws_offers_subprotocol(info.subprotocols, "chat"));
    assert_string_equal(table_get(&rh, "authorization"), "Bearer t0ken");

    char response[512];
    assert_int_equal(
        ertc_ws_build_server_response(response, sizeof(response), &len, accept, "chat"),
        WEBRTC_STATUS_SUCCESS);
    headers_t sh;
    char *status_line = parse_head(response, &sh);
    assert_string_equal(status_line, "HTTP/1.1 101 Switching Protocols");
    assert_int_equal(
        ertc_ws_check_server_response(101, table_get, &sh, key, "chat", err, sizeof(err)),
        WEBRTC_STATUS_SUCCESS);
    /* and a different key would not match */
    assert_int_equal(
        ertc_ws_check_server_response(101, table_get, &sh, RFC_KEY, "chat", err, sizeof(err)),
        WEBRTC_STATUS_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_accept_example),
        cmocka_unit_test(test_make_key),
        cmocka_unit_test(test_client_request_has_every_header),
        cmocka_unit_test(test_key_check_matches_base64),
        cmocka_unit_test(test_client_request_buffer_sizes),
        cmocka_unit_test(test_client_request_refuses_bad_fields),
        cmocka_unit_test(test_server_response_accepted),
        cmocka_unit_test(test_server_response_failures),
        cmocka_unit_test(test_client_request_accepted),
        cmocka_unit_test(test_client_request_failures),
        cmocka_unit_test(test_server_responses),
        cmocka_unit_test(test_header_tokens),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
