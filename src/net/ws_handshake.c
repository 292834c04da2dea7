/*
 * net/ws_handshake — RFC 6455 §4 opening handshake: key and accept computation (§4.1,
 * §4.2.2), the client's request and the server's answers, and the checks each side makes
 * on what the other sent. See ws_handshake.h for the rules.
 *
 * Header values from the network end up in error messages, which end up in logs, so they
 * are quoted through quote_value(): cut short and with control bytes replaced.
 */
#include "net/ws_handshake.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha1.h>
#include <mbedtls/version.h>

#include "port/port.h"
#include "util/ascii.h"
#include "util/base64.h"
#include "util/strbuf.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define sha1_oneshot mbedtls_sha1
#else
#define sha1_oneshot mbedtls_sha1_ret
#endif

#define SHA1_LEN         20
#define GUID_LEN         (sizeof(ERTC_WS_GUID) - 1)
#define QUOTED_VALUE_MAX 48 /* bytes of a peer's header value shown in an error message */
#define HTTP_SWITCHING   101
#define KEY_DATA_CHARS   22 /* base64 characters that carry the 16 key bytes; "==" follows */

/* ---- small string helpers -------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void set_error(char *err, size_t errlen,
                                                            const char *fmt, ...)
{
    if (err == NULL || errlen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* value without leading and trailing spaces and tabs, as (pointer, length). */
static const char *trim(const char *value, size_t *len)
{
    while (is_space(*value)) {
        value++;
    }
    size_t n = strlen(value);
    while (n > 0 && is_space(value[n - 1])) {
        n--;
    }
    *len = n;
    return value;
}

static bool equals_nocase(const char *a, size_t a_len, const char *b)
{
    size_t b_len = strlen(b);
    if (a_len != b_len) {
        return false;
    }
    for (size_t i = 0; i < a_len; i++) {
        if ((char)ertc_ascii_lower((unsigned char)a[i]) !=
            (char)ertc_ascii_lower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

/* True when the trimmed value is exactly expected (case-insensitive if nocase). */
static bool value_is(const char *value, const char *expected, bool nocase)
{
    size_t len;
    const char *v = trim(value, &len);
    return nocase ? equals_nocase(v, len, expected)
                  : (len == strlen(expected) && memcmp(v, expected, len) == 0);
}

static bool list_has(const char *value, const char *token, bool nocase)
{
    if (value == NULL || token == NULL) {
        return false;
    }
    size_t token_len = strlen(token);
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        while (n > 0 && is_space(*p)) {
            p++;
            n--;
        }
        while (n > 0 && is_space(p[n - 1])) {
            n--;
        }
        if (n == token_len && (nocase ? equals_nocase(p, n, token) : memcmp(p, token, n) == 0)) {
            return true;
        }
        if (comma == NULL) {
            return false;
        }
        p = comma + 1;
    }
}

bool ertc_ws_header_has_token(const char *value, const char *token)
{
    return list_has(value, token, true);
}

bool ertc_ws_offers_subprotocol(const char *offered, const char *name)
{
    return list_has(offered, name, false);
}

/* A peer's header value made safe to print: at most QUOTED_VALUE_MAX bytes, control and
 * non-ASCII bytes shown as '?', "..." when cut. */
static const char *quote_value(const char *value, char out[QUOTED_VALUE_MAX + 4])
{
    size_t n = 0;
    for (; value[n] != '\0' && n < QUOTED_VALUE_MAX; n++) {
        unsigned char c = (unsigned char)value[n];
        out[n] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    if (value[n] != '\0') {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* A value that cannot break the header block: no CR, LF or other control characters
 * (a tab is allowed, RFC 7230 §3.2). */
static bool is_safe_value(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            return false;
        }
    }
    return true;
}

/* A request target for the request line: '/' then visible ASCII only (RFC 9112 §3.2). */
static bool is_valid_path(const char *s)
{
    return s[0] == '/' && ertc_ascii_is_visible(s);
}

/*
 * A Sec-WebSocket-Key: base64 of exactly 16 bytes (§4.1 item 7, §4.2.1 item 5). In the strict
 * form util/base64 decodes, that is 22 characters of the base64 alphabet, the last of them with
 * its 4 unused low bits zero (A, Q, g or w), then "==". Checked by hand, so that a client need
 * not carry a base64 decoder only to check its own key.
 */
static bool is_valid_key(const char *key, size_t len)
{
    if (len != ERTC_WS_KEY_LEN || key[KEY_DATA_CHARS - 1] == '\0' ||
        strchr("AQgw", key[KEY_DATA_CHARS - 1]) == NULL ||
        memcmp(key + KEY_DATA_CHARS, "==", 2) != 0) {
        return false;
    }
    for (size_t i = 0; i < KEY_DATA_CHARS; i++) {
        unsigned char c = (unsigned char)key[i];
        if (!ertc_ascii_is_alpha(c) && !ertc_ascii_is_digit(c) && c != '+' && c != '/') {
            return false;
        }
    }
    return true;
}

/* ---- keys ------------------------------------------------------------------------------ */

WEBRTC_STATUS ertc_ws_make_key(char out[ERTC_WS_KEY_SIZE])
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    uint8_t nonce[ERTC_WS_KEY_BYTES];
    WEBRTC_STATUS st = ertc_random_bytes(nonce, sizeof(nonce));
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    return ertc_base64_encode(nonce, sizeof(nonce), 0, out, ERTC_WS_KEY_SIZE, NULL);
}

WEBRTC_STATUS ertc_ws_accept_for_key(const char *key, char out[ERTC_WS_ACCEPT_SIZE])
{
    if (key == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t key_len = strlen(key);
    if (key_len == 0 || key_len > ERTC_WS_MAX_KEY_TEXT) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    unsigned char text[ERTC_WS_MAX_KEY_TEXT + GUID_LEN];
    memcpy(text, key, key_len);
    memcpy(text + key_len, ERTC_WS_GUID, GUID_LEN);
    unsigned char digest[SHA1_LEN];
    if (sha1_oneshot(text, key_len + GUID_LEN, digest) != 0) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    return ertc_base64_encode(digest, sizeof(digest), 0, out, ERTC_WS_ACCEPT_SIZE, NULL);
}

/* ---- client side ----------------------------------------------------------------------- */

/* Headers the handshake writes itself; a caller's extra header must not repeat them. */
static const char *const handshake_headers[] = {
    "Host",
    "Upgrade",
    "Connection",
    "Origin",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions", /* we never negotiate extensions */
    "Sec-WebSocket-Accept",
};

static bool is_handshake_header(const char *name)
{
    for (size_t i = 0; i < sizeof(handshake_headers) / sizeof(handshake_headers[0]); i++) {
        if (equals_nocase(name, strlen(name), handshake_headers[i])) {
            return true;
        }
    }
    return false;
}

/*
 * Appends the strings of the NULL-terminated list to out[*used..size), keeping out
 * NUL-terminated; false when they do not fit. No formatted output: the client request is all
 * a device builds here, and it needs no printf-style code for that.
 */
static bool append_strings(char *out, size_t size, size_t *used, ...)
{
    va_list ap;
    va_start(ap, used);
    bool ok = true;
    for (const char *s = va_arg(ap, const char *); ok && s != NULL; s = va_arg(ap, const char *)) {
        size_t n = strlen(s);
        ok = n < size - *used;
        if (ok) {
            memcpy(out + *used, s, n + 1);
            *used += n;
        }
    }
    va_end(ap);
    return ok;
}

static WEBRTC_STATUS check_client_request_fields(const ertc_ws_client_request_t *req)
{
    if (req->host == NULL || req->path == NULL || req->key == NULL ||
        (req->headers == NULL && req->header_count > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (req->host[0] == '\0' || !is_safe_value(req->host) || strpbrk(req->host, " \t") != NULL ||
        !is_valid_path(req->path) || !is_valid_key(req->key, strlen(req->key)) ||
        (req->origin != NULL && !is_safe_value(req->origin)) ||
        (req->subprotocol != NULL && !ertc_ascii_is_token(req->subprotocol))) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < req->header_count; i++) {
        const ertc_ws_header_t *h = &req->headers[i];
        if (h->name == NULL || h->value == NULL) {
            return WEBRTC_STATUS_NULL_ARG;
        }
        if (!ertc_ascii_is_token(h->name) || !is_safe_value(h->value) ||
            is_handshake_header(h->name)) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ws_build_client_request(char *out, size_t size, size_t *len,
                                           const ertc_ws_client_request_t *req)
{
    if (out == NULL || len == NULL || req == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = check_client_request_fields(req);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    size_t used = 0;
    bool ok = append_strings(out, size, &used, "GET ", req->path, " HTTP/1.1\r\nHost: ", req->host,
                             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: ",
                             req->key, "\r\nSec-WebSocket-Version: " ERTC_WS_VERSION "\r\n", NULL);
    if (ok && req->origin != NULL) {
        ok = append_strings(out, size, &used, "Origin: ", req->origin, "\r\n", NULL);
    }
    if (ok && req->subprotocol != NULL) {
        ok = append_strings(out, size, &used, "Sec-WebSocket-Protocol: ", req->subprotocol, "\r\n",
                            NULL);
    }
    for (size_t i = 0; ok && i < req->header_count; i++) {
        ok = append_strings(out, size, &used, req->headers[i].name, ": ", req->headers[i].value,
                            "\r\n", NULL);
    }
    if (!ok || !append_strings(out, size, &used, "\r\n", NULL)) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    *len = used;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS check_subprotocol_answer(const char *chosen, const char *requested, char *err,
                                              size_t errlen)
{
    char shown[QUOTED_VALUE_MAX + 4];
    if (requested == NULL) {
        if (chosen != NULL) {
            set_error(err, errlen, "server selected subprotocol \"%s\", but none was requested",
                      quote_value(chosen, shown));
            return WEBRTC_STATUS_MALFORMED;
        }
        return WEBRTC_STATUS_SUCCESS;
    }
    if (chosen == NULL) {
        set_error(err, errlen, "server did not accept the requested subprotocol \"%s\"", requested);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!value_is(chosen, requested, false)) {
        set_error(err, errlen, "server selected subprotocol \"%s\" instead of \"%s\"",
                  quote_value(chosen, shown), requested);
        return WEBRTC_STATUS_MALFORMED;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_ws_check_server_response(int status, ertc_ws_get_header_fn get_header, void *ctx,
                                            const char *key, const char *subprotocol, char *err,
                                            size_t errlen)
{
    if (get_header == NULL || key == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    char shown[QUOTED_VALUE_MAX + 4];
    if (status != HTTP_SWITCHING) {
        set_error(err, errlen, "server answered %d instead of 101 Switching Protocols", status);
        return WEBRTC_STATUS_MALFORMED;
    }
    const char *upgrade = get_header(ctx, "Upgrade");
    if (upgrade == NULL) {
        set_error(err, errlen, "server response has no Upgrade header");
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!value_is(upgrade, "websocket", true)) {
        set_error(err, errlen, "server response has \"Upgrade: %s\" instead of websocket",
                  quote_value(upgrade, shown));
        return WEBRTC_STATUS_MALFORMED;
    }
    const char *connection = get_header(ctx, "Connection");
    if (connection == NULL) {
        set_error(err, errlen, "server response has no Connection header");
        return WEBRTC_STATUS_MALFORMED;
    }
    if (!ertc_ws_header_has_token(connection, "upgrade")) {
        set_error(err, errlen, "server response has \"Connection: %s\", which lacks upgrade",
                  quote_value(connection, shown));
        return WEBRTC_STATUS_MALFORMED;
    }
    const char *accept = get_header(ctx, "Sec-WebSocket-Accept");
    if (accept == NULL) {
        set_error(err, errlen, "server response has no Sec-WebSocket-Accept header");
        return WEBRTC_STATUS_MALFORMED;
    }
    char expected[ERTC_WS_ACCEPT_SIZE];
    WEBRTC_STATUS st = ertc_ws_accept_for_key(key, expected);
    if (st != WEBRTC_STATUS_SUCCESS) {
        set_error(err, errlen, "cannot compute Sec-WebSocket-Accept for our key");
        return st;
    }
    if (!value_is(accept, expected, false)) {
        set_error(err, errlen, "Sec-WebSocket-Accept does not match the key");
        return WEBRTC_STATUS_MALFORMED;
    }
    const char *extensions = get_header(ctx, "Sec-WebSocket-Extensions");
    if (extensions != NULL && !value_is(extensions, "", false)) {
        set_error(err, errlen, "server selected extensions \"%s\", but none were requested",
                  quote_value(extensions, shown));
        return WEBRTC_STATUS_MALFORMED;
    }
    return check_subprotocol_answer(get_header(ctx, "Sec-WebSocket-Protocol"), subprotocol, err,
                                    errlen);
}

/* ---- server side ----------------------------------------------------------------------- */

/* Records a refused request: the status to answer with and the reason. */
__attribute__((format(printf, 5, 6))) static WEBRTC_STATUS refuse(ertc_ws_request_info_t *info,
                                                                  int http_status, char *err,
                                                                  size_t errlen, const char *fmt,
                                                                  ...)
{
    if (info != NULL) {
        info->reject_status = http_status;
    }
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return WEBRTC_STATUS_MALFORMED;
}

WEBRTC_STATUS ertc_ws_check_client_request(const char *method, ertc_ws_get_header_fn get_header,
                                           void *ctx, char *accept_out, size_t accept_size,
                                           ertc_ws_request_info_t *info, char *err, size_t errlen)
{
    if (method == NULL || get_header == NULL || accept_out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (accept_size < ERTC_WS_ACCEPT_SIZE) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    if (info != NULL) {
        info->origin = get_header(ctx, "Origin");
        info->subprotocols = get_header(ctx, "Sec-WebSocket-Protocol");
        info->reject_status = 0;
    }
    char shown[QUOTED_VALUE_MAX + 4];
    if (strcmp(method, "GET") != 0) {
        return refuse(info, 405, err, errlen, "WebSocket upgrade with method %s instead of GET",
                      quote_value(method, shown));
    }
    if (get_header(ctx, "Host") == NULL) {
        return refuse(info, 400, err, errlen, "WebSocket upgrade request has no Host header");
    }
    const char *upgrade = get_header(ctx, "Upgrade");
    if (upgrade == NULL) {
        return refuse(info, 400, err, errlen,
                      "request has no Upgrade header (not a WebSocket upgrade)");
    }
    if (!ertc_ws_header_has_token(upgrade, "websocket")) {
        return refuse(info, 400, err, errlen, "request has \"Upgrade: %s\" instead of websocket",
                      quote_value(upgrade, shown));
    }
    const char *connection = get_header(ctx, "Connection");
    if (connection == NULL) {
        return refuse(info, 400, err, errlen, "WebSocket upgrade request has no Connection header");
    }
    if (!ertc_ws_header_has_token(connection, "upgrade")) {
        return refuse(info, 400, err, errlen, "request has \"Connection: %s\", which lacks upgrade",
                      quote_value(connection, shown));
    }
    const char *version = get_header(ctx, "Sec-WebSocket-Version");
    if (version == NULL) {
        return refuse(info, 400, err, errlen,
                      "WebSocket upgrade request has no Sec-WebSocket-Version header");
    }
    if (!value_is(version, ERTC_WS_VERSION, false)) {
        return refuse(info, 426, err, errlen,
                      "client asked for WebSocket version %s; only " ERTC_WS_VERSION
                      " is supported",
                      quote_value(version, shown));
    }
    const char *key = get_header(ctx, "Sec-WebSocket-Key");
    if (key == NULL) {
        return refuse(info, 400, err, errlen,
                      "WebSocket upgrade request has no Sec-WebSocket-Key header");
    }
    size_t key_len;
    const char *key_text = trim(key, &key_len);
    if (!is_valid_key(key_text, key_len)) {
        return refuse(info, 400, err, errlen, "Sec-WebSocket-Key \"%s\" is not base64 of 16 bytes",
                      quote_value(key, shown));
    }
    char key_copy[ERTC_WS_KEY_SIZE];
    memcpy(key_copy, key_text, key_len);
    key_copy[key_len] = '\0';
    WEBRTC_STATUS st = ertc_ws_accept_for_key(key_copy, accept_out);
    if (st != WEBRTC_STATUS_SUCCESS) {
        set_error(err, errlen, "cannot compute Sec-WebSocket-Accept");
        if (info != NULL) {
            info->reject_status = 500;
        }
    }
    return st;
}

WEBRTC_STATUS ertc_ws_build_server_response(char *out, size_t size, size_t *len, const char *accept,
                                            const char *subprotocol)
{
    if (out == NULL || len == NULL || accept == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (strlen(accept) != ERTC_WS_ACCEPT_LEN || !is_safe_value(accept) ||
        (subprotocol != NULL && !ertc_ascii_is_token(subprotocol))) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, out, size);
    ertc_strbuf_appendf(&sb,
                        "HTTP/1.1 101 Switching Protocols\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: %s\r\n",
                        accept);
    if (subprotocol != NULL) {
        ertc_strbuf_appendf(&sb, "Sec-WebSocket-Protocol: %s\r\n", subprotocol);
    }
    ertc_strbuf_append_str(&sb, "\r\n");
    WEBRTC_STATUS st = ertc_strbuf_status(&sb);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    *len = ertc_strbuf_len(&sb);
    return WEBRTC_STATUS_SUCCESS;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return NULL;
    }
}

WEBRTC_STATUS ertc_ws_build_reject_response(char *out, size_t size, size_t *len, int status)
{
    if (out == NULL || len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    const char *phrase = reason_phrase(status);
    if (phrase == NULL) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, out, size);
    ertc_strbuf_appendf(&sb, "HTTP/1.1 %d %s\r\n", status, phrase);
    if (status == 405) {
        ertc_strbuf_append_str(&sb, "Allow: GET\r\n");
    }
    if (status == 426) {
        /* RFC 7231 §6.5.15 wants Upgrade in a 426, and RFC 7230 §6.7 then wants the
         * "upgrade" connection option; §4.4 of RFC 6455 wants the versions we speak. */
        ertc_strbuf_append_str(&sb, "Upgrade: websocket\r\n"
                                    "Sec-WebSocket-Version: " ERTC_WS_VERSION "\r\n"
                                    "Connection: Upgrade, close\r\n");
    } else {
        ertc_strbuf_append_str(&sb, "Connection: close\r\n");
    }
    ertc_strbuf_append_str(&sb, "Content-Length: 0\r\n\r\n");
    WEBRTC_STATUS st = ertc_strbuf_status(&sb);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    *len = ertc_strbuf_len(&sb);
    return WEBRTC_STATUS_SUCCESS;
}
