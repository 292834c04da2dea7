/*
 * signaling/kvs/sigv4 — AWS Signature Version 4. See sigv4.h for the rules followed.
 *
 * HMAC-SHA256 (RFC 2104) is built here over mbedTLS's SHA-256 context rather than with
 * mbedtls_md_hmac_*, which allocates its contexts on the heap; signing runs for every KVS
 * request. Key material on the stack is wiped with mbedtls_platform_zeroize.
 */
#include "signaling/kvs/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "util/ascii.h"
#include "util/log.h"
#include "util/url.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define sha256_starts mbedtls_sha256_starts
#define sha256_update mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#else
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_update mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#endif

#define TAG             "sigv4"
#define SHA256_LEN      32
#define SHA256_BLOCK    64
#define HMAC_IPAD       0x36u
#define HMAC_OPAD       0x5Cu
#define DATE8_LEN       8 /* "YYYYMMDD", the scope date */
#define TERMINATOR      "aws4_request"
#define KEY_PREFIX      "AWS4"
#define PRESIGN_HOST    "host"
#define SECONDS_PER_DAY 86400

static const char HEX_LOWER[] = "0123456789abcdef";
static const char HEX_UPPER[] = "0123456789ABCDEF";

/* ---- hashing ------------------------------------------------------------------------------ */

static void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
    mbedtls_sha256_context ctx;
    mbedtls_sha256_init(&ctx);
    sha256_starts(&ctx, 0);
    sha256_update(&ctx, data, len);
    sha256_finish(&ctx, out);
    mbedtls_sha256_free(&ctx);
}

static void hmac_sha256(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len,
                        uint8_t out[SHA256_LEN])
{
    uint8_t block[SHA256_BLOCK] = {0};
    uint8_t inner[SHA256_LEN];
    if (key_len > SHA256_BLOCK) {
        sha256(key, key_len, block);
    } else {
        memcpy(block, key, key_len);
    }
    mbedtls_sha256_context ctx;
    mbedtls_sha256_init(&ctx);

    for (size_t i = 0; i < SHA256_BLOCK; i++) {
        block[i] ^= HMAC_IPAD;
    }
    sha256_starts(&ctx, 0);
    sha256_update(&ctx, block, SHA256_BLOCK);
    sha256_update(&ctx, msg, msg_len);
    sha256_finish(&ctx, inner);

    for (size_t i = 0; i < SHA256_BLOCK; i++) {
        block[i] ^= HMAC_IPAD ^ HMAC_OPAD;
    }
    sha256_starts(&ctx, 0);
    sha256_update(&ctx, block, SHA256_BLOCK);
    sha256_update(&ctx, inner, SHA256_LEN);
    sha256_finish(&ctx, out);

    mbedtls_sha256_free(&ctx);
    mbedtls_platform_zeroize(block, sizeof(block));
    mbedtls_platform_zeroize(inner, sizeof(inner));
}

static void to_hex(const uint8_t *bin, size_t len, char *hex)
{
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = HEX_LOWER[bin[i] >> 4];
        hex[2 * i + 1] = HEX_LOWER[bin[i] & 0x0F];
    }
    hex[2 * len] = '\0';
}

void ertc_sigv4_sha256_hex(const void *data, size_t len, char hex[ERTC_SIGV4_HEX_SHA256_SIZE])
{
    uint8_t digest[SHA256_LEN];
    sha256(data, len, digest);
    to_hex(digest, SHA256_LEN, hex);
}

/* ---- encoding ----------------------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
    return ertc_ascii_is_alpha(c) || ertc_ascii_is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static WEBRTC_STATUS append_encoded_byte(ertc_strbuf_t *sb, unsigned char c, bool keep_slash)
{
    if (is_unreserved(c) || (keep_slash && c == '/')) {
        return ertc_strbuf_append_char(sb, (char)c);
    }
    char esc[3] = {'%', HEX_UPPER[c >> 4], HEX_UPPER[c & 0x0F]};
    return ertc_strbuf_append(sb, esc, sizeof(esc));
}

/* Encodes s[0..len) as it is: a '%' becomes %25. */
static WEBRTC_STATUS append_encoded(ertc_strbuf_t *sb, const char *s, size_t len, bool keep_slash)
{
    for (size_t i = 0; i < len; i++) {
        append_encoded_byte(sb, (unsigned char)s[i], keep_slash);
    }
    return ertc_strbuf_status(sb);
}

/* Decodes valid %XX escapes (other bytes, and a '%' without two hex digits, stay as they are),
 * then encodes: the canonical form of a query component however it was written. */
static WEBRTC_STATUS append_reencoded(ertc_strbuf_t *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < len) {
            int hi = ertc_ascii_hex_value((unsigned char)s[i + 1]);
            int lo = ertc_ascii_hex_value((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi << 4 | lo);
                i += 2;
            }
        }
        append_encoded_byte(sb, c, false);
    }
    return ertc_strbuf_status(sb);
}

/* ---- canonical URI ------------------------------------------------------------------------ */

static bool seg_is(const char *seg, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(seg, word, len) == 0;
}

/*
 * Removes dot segments and empty segments into norm (RFC 3986 §5.2.4, plus slash collapsing):
 * "//a/./b/../c/" → "/a/c/". The result ends with '/' when the path does, or when its last
 * segment is "." or ".." (as in RFC 3986); an empty result is "/". Writes at most len + 2.
 */
static size_t normalize_path(const char *path, size_t len, char *norm)
{
    size_t n = 0;
    size_t i = 0;
    bool trailing_slash = len > 0 && path[len - 1] == '/';
    while (i < len) {
        size_t start = i;
        while (i < len && path[i] != '/') {
            i++;
        }
        const char *seg = path + start;
        size_t seg_len = i - start;
        i++; /* past the '/' (or the end) */
        if (seg_len == 0 || seg_is(seg, seg_len, ".")) {
            trailing_slash = trailing_slash || (seg_len == 1 && i >= len);
            continue;
        }
        if (seg_is(seg, seg_len, "..")) {
            while (n > 0 && norm[n - 1] != '/') {
                n--;
            }
            if (n > 0) {
                n--;
            }
            trailing_slash = trailing_slash || i >= len;
            continue;
        }
        norm[n++] = '/';
        memcpy(norm + n, seg, seg_len);
        n += seg_len;
    }
    if (n == 0 || trailing_slash) {
        norm[n++] = '/';
    }
    return n;
}

static WEBRTC_STATUS append_canonical_uri(const ertc_sigv4_request_t *req, ertc_strbuf_t *sb)
{
    const char *path = req->path;
    size_t len = req->path_len;
    if (path == NULL || len == 0) {
        return ertc_strbuf_append_char(sb, '/');
    }
    if (len > ERTC_SIGV4_MAX_PATH) {
        ERTC_LOGE(TAG, "request path of %zu bytes exceeds ERTC_SIGV4_MAX_PATH (%d)", len,
                  ERTC_SIGV4_MAX_PATH);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (req->keep_path) {
        return append_encoded(sb, path, len, true);
    }
    char norm[ERTC_SIGV4_MAX_PATH + 2]; /* a leading and a trailing '/' may be added */
    size_t n = normalize_path(path, len, norm);
    return append_encoded(sb, norm, n, true);
}

/* ---- canonical query ---------------------------------------------------------------------- */

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} query_item_t;

static int compare_query_items(const void *a, const void *b)
{
    const query_item_t *x = a;
    const query_item_t *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c != 0 || x->name_len != y->name_len) {
        return c != 0 ? c : (x->name_len < y->name_len ? -1 : 1);
    }
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(x->value, y->value, n);
    if (c != 0 || x->value_len == y->value_len) {
        return c;
    }
    return x->value_len < y->value_len ? -1 : 1;
}

WEBRTC_STATUS ertc_sigv4_build_canonical_query(const char *query, size_t len, ertc_strbuf_t *out)
{
    if (out == NULL || (query == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len > ERTC_SIGV4_MAX_QUERY) {
        ERTC_LOGE(TAG, "query string of %zu bytes exceeds ERTC_SIGV4_MAX_QUERY (%d)", len,
                  ERTC_SIGV4_MAX_QUERY);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    /* Offsets into the encoded scratch text: pointers are set once it stops growing. */
    size_t offs[ERTC_SIGV4_MAX_QUERY_PARAMS][3];
    size_t count = 0;
    ertc_strbuf_t scratch;
    ertc_strbuf_init_heap(&scratch, 3 * ERTC_SIGV4_MAX_QUERY);
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && query[i] != '&') {
            i++;
        }
        size_t end = i;
        i++; /* skip '&' */
        if (end == start) {
            continue; /* "a=1&&b=2": an empty parameter is no parameter */
        }
        if (count == ERTC_SIGV4_MAX_QUERY_PARAMS) {
            ertc_strbuf_free(&scratch);
            ERTC_LOGE(TAG, "query has more than ERTC_SIGV4_MAX_QUERY_PARAMS (%d) parameters",
                      ERTC_SIGV4_MAX_QUERY_PARAMS);
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        const char *eq = memchr(query + start, '=', end - start);
        size_t name_end = eq != NULL ? (size_t)(eq - query) : end;
        offs[count][0] = ertc_strbuf_len(&scratch);
        append_reencoded(&scratch, query + start, name_end - start);
        offs[count][1] = ertc_strbuf_len(&scratch);
        if (eq != NULL) {
            append_reencoded(&scratch, eq + 1, end - name_end - 1);
        }
        offs[count][2] = ertc_strbuf_len(&scratch);
        count++;
    }
    WEBRTC_STATUS st = ertc_strbuf_status(&scratch);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_strbuf_free(&scratch);
        return st;
    }
    query_item_t items[ERTC_SIGV4_MAX_QUERY_PARAMS];
    const char *base = ertc_strbuf_cstr(&scratch);
    for (size_t k = 0; k < count; k++) {
        items[k].name = base + offs[k][0];
        items[k].name_len = offs[k][1] - offs[k][0];
        items[k].value = base + offs[k][1];
        items[k].value_len = offs[k][2] - offs[k][1];
    }
    if (count > 1) {
        qsort(items, count, sizeof(items[0]), compare_query_items);
    }
    for (size_t k = 0; k < count; k++) {
        if (k > 0) {
            ertc_strbuf_append_char(out, '&');
        }
        ertc_strbuf_append(out, items[k].name, items[k].name_len);
        ertc_strbuf_append_char(out, '=');
        ertc_strbuf_append(out, items[k].value, items[k].value_len);
    }
    ertc_strbuf_free(&scratch);
    return ertc_strbuf_status(out);
}

/* ---- canonical headers -------------------------------------------------------------------- */

typedef struct {
    char name[ERTC_SIGV4_MAX_HEADER_NAME + 1]; /* lower-cased */
    size_t name_len;
    const char *value;
    size_t value_len;
    size_t index; /* request order, so that same-name values keep it */
} header_item_t;

static int compare_header_items(const void *a, const void *b)
{
    const header_item_t *x = a;
    const header_item_t *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0) {
        return c;
    }
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

static bool is_token_char(unsigned char c)
{
    return ertc_ascii_is_alpha(c) || ertc_ascii_is_digit(c) ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static WEBRTC_STATUS check_header(const ertc_sigv4_header_t *h)
{
    if (h->name == NULL || (h->value == NULL && h->value_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (h->name_len == 0 || h->name_len > ERTC_SIGV4_MAX_HEADER_NAME) {
        ERTC_LOGE(TAG, "header name of %zu bytes: must be 1..ERTC_SIGV4_MAX_HEADER_NAME (%d)",
                  h->name_len, ERTC_SIGV4_MAX_HEADER_NAME);
        return h->name_len == 0 ? WEBRTC_STATUS_INVALID_ARG : WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (size_t i = 0; i < h->name_len; i++) {
        if (!is_token_char((unsigned char)h->name[i])) {
            ERTC_LOGE(TAG, "header name \"%.*s\" holds a byte that is not an HTTP token character",
                      (int)h->name_len, h->name);
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    if (h->value_len > ERTC_SIGV4_MAX_HEADER_VALUE) {
        ERTC_LOGE(TAG,
                  "value of header \"%.*s\" (%zu bytes) exceeds ERTC_SIGV4_MAX_HEADER_VALUE (%d)",
                  (int)h->name_len, h->name, h->value_len, ERTC_SIGV4_MAX_HEADER_VALUE);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (size_t i = 0; i < h->value_len; i++) {
        if (h->value[i] == '\r' || h->value[i] == '\n' || h->value[i] == '\0') {
            ERTC_LOGE(TAG, "value of header \"%.*s\" holds CR, LF or NUL", (int)h->name_len,
                      h->name);
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Appends the value trimmed, with every run of spaces and tabs written as one space. */
static void append_trimmed(ertc_strbuf_t *sb, const char *v, size_t len)
{
    size_t b = 0;
    size_t e = len;
    while (b < e && is_space(v[b])) {
        b++;
    }
    while (e > b && is_space(v[e - 1])) {
        e--;
    }
    for (size_t i = b; i < e; i++) {
        if (is_space(v[i])) {
            if (!is_space(v[i - 1])) {
                ertc_strbuf_append_char(sb, ' ');
            }
        } else {
            ertc_strbuf_append_char(sb, v[i]);
        }
    }
}

static WEBRTC_STATUS append_canonical_headers(const ertc_sigv4_request_t *req, ertc_strbuf_t *sb,
                                              ertc_strbuf_t *signed_headers)
{
    if (req->header_count > ERTC_SIGV4_MAX_HEADERS) {
        ERTC_LOGE(TAG, "%zu headers exceed ERTC_SIGV4_MAX_HEADERS (%d)", req->header_count,
                  ERTC_SIGV4_MAX_HEADERS);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (req->header_count > 0 && req->headers == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    header_item_t items[ERTC_SIGV4_MAX_HEADERS];
    for (size_t i = 0; i < req->header_count; i++) {
        const ertc_sigv4_header_t *h = &req->headers[i];
        WEBRTC_STATUS st = check_header(h);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        for (size_t k = 0; k < h->name_len; k++) {
            items[i].name[k] = (char)ertc_ascii_lower((unsigned char)h->name[k]);
        }
        items[i].name[h->name_len] = '\0';
        items[i].name_len = h->name_len;
        items[i].value = h->value;
        items[i].value_len = h->value_len;
        items[i].index = i;
    }
    if (req->header_count > 1) {
        qsort(items, req->header_count, sizeof(items[0]), compare_header_items);
    }
    for (size_t i = 0; i < req->header_count; i++) {
        bool same_as_previous = i > 0 && strcmp(items[i].name, items[i - 1].name) == 0;
        if (same_as_previous) {
            ertc_strbuf_append_char(sb, ',');
        } else {
            if (i > 0) {
                ertc_strbuf_append_char(sb, '\n');
                if (signed_headers != NULL) {
                    ertc_strbuf_append_char(signed_headers, ';');
                }
            }
            ertc_strbuf_append(sb, items[i].name, items[i].name_len);
            ertc_strbuf_append_char(sb, ':');
            if (signed_headers != NULL) {
                ertc_strbuf_append(signed_headers, items[i].name, items[i].name_len);
            }
        }
        append_trimmed(sb, items[i].value, items[i].value_len);
    }
    if (req->header_count > 0) {
        ertc_strbuf_append_char(sb, '\n');
    }
    if (signed_headers != NULL && ertc_strbuf_status(signed_headers) != WEBRTC_STATUS_SUCCESS) {
        return ertc_strbuf_status(signed_headers);
    }
    return ertc_strbuf_status(sb);
}

WEBRTC_STATUS ertc_sigv4_build_canonical_request(const ertc_sigv4_request_t *req,
                                                 ertc_strbuf_t *creq, ertc_strbuf_t *signed_headers)
{
    if (req == NULL || creq == NULL || req->method == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (req->method[0] == '\0' || strlen(req->method) > ERTC_SIGV4_MAX_HEADER_NAME) {
        ERTC_LOGE(TAG, "HTTP method must be 1..%d characters", ERTC_SIGV4_MAX_HEADER_NAME);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (req->payload == NULL && req->payload_len > 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    /* The headers are built apart so that the list can follow them and go to the caller. */
    ertc_strbuf_t list;
    ertc_strbuf_init_heap(&list, ERTC_SIGV4_MAX_HEADERS * (ERTC_SIGV4_MAX_HEADER_NAME + 1));
    ertc_strbuf_t canon;
    ertc_strbuf_init_heap(&canon, ERTC_SIGV4_MAX_CANONICAL_REQUEST);

    ertc_strbuf_append_str(&canon, req->method);
    ertc_strbuf_append_char(&canon, '\n');
    WEBRTC_STATUS st = append_canonical_uri(req, &canon);
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_strbuf_append_char(&canon, '\n');
        st = ertc_sigv4_build_canonical_query(req->query, req->query_len, &canon);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_strbuf_append_char(&canon, '\n');
        st = append_canonical_headers(req, &canon, &list);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        char hash[ERTC_SIGV4_HEX_SHA256_SIZE];
        const char *payload_hash = req->payload_hash;
        if (payload_hash == NULL) {
            ertc_sigv4_sha256_hex(req->payload != NULL ? (const void *)req->payload : "",
                                  req->payload_len, hash);
            payload_hash = hash;
        }
        ertc_strbuf_append_char(&canon, '\n');
        ertc_strbuf_append(&canon, ertc_strbuf_cstr(&list), ertc_strbuf_len(&list));
        ertc_strbuf_append_char(&canon, '\n');
        ertc_strbuf_append_str(&canon, payload_hash);
        st = ertc_strbuf_status(&canon);
        if (st == WEBRTC_STATUS_LIMIT_EXCEEDED) {
            ERTC_LOGE(TAG, "canonical request exceeds ERTC_SIGV4_MAX_CANONICAL_REQUEST (%d)",
                      ERTC_SIGV4_MAX_CANONICAL_REQUEST);
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_append(creq, ertc_strbuf_cstr(&canon), ertc_strbuf_len(&canon));
    }
    if (st == WEBRTC_STATUS_SUCCESS && signed_headers != NULL) {
        st = ertc_strbuf_append(signed_headers, ertc_strbuf_cstr(&list), ertc_strbuf_len(&list));
    }
    ertc_strbuf_free(&canon);
    ertc_strbuf_free(&list);
    return st;
}

/* ---- string to sign, key, signature ------------------------------------------------------- */

static bool scope_part_ok(const char *s, const char *what)
{
    size_t len = s != NULL ? strlen(s) : 0;
    bool ok = len > 0 && len <= ERTC_SIGV4_MAX_SCOPE_PART;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] != '/' && s[i] > ' ' && (unsigned char)s[i] < 0x7F;
    }
    if (!ok) {
        ERTC_LOGE(TAG, "%s must be 1..%d printable characters without '/' (e.g. us-east-1)", what,
                  ERTC_SIGV4_MAX_SCOPE_PART);
    }
    return ok;
}

static WEBRTC_STATUS check_scope(const char *amz_date, const char *region, const char *service)
{
    if (amz_date == NULL || region == NULL || service == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!ertc_sigv4_amz_date_valid(amz_date)) {
        ERTC_LOGE(TAG, "signing date \"%.20s\" is not YYYYMMDDTHHMMSSZ", amz_date);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (!scope_part_ok(region, "region") || !scope_part_ok(service, "service")) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void append_scope(ertc_strbuf_t *sb, const char *amz_date, const char *region,
                         const char *service)
{
    ertc_strbuf_append(sb, amz_date, DATE8_LEN);
    ertc_strbuf_appendf(sb, "/%s/%s/" TERMINATOR, region, service);
}

WEBRTC_STATUS ertc_sigv4_build_string_to_sign(const char *amz_date, const char *region,
                                              const char *service, const char *creq,
                                              size_t creq_len, ertc_strbuf_t *sts)
{
    if (creq == NULL || sts == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = check_scope(amz_date, region, service);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    char hash[ERTC_SIGV4_HEX_SHA256_SIZE];
    ertc_sigv4_sha256_hex(creq, creq_len, hash);
    ertc_strbuf_append_str(sts, ERTC_SIGV4_ALGORITHM "\n");
    ertc_strbuf_append_str(sts, amz_date);
    ertc_strbuf_append_char(sts, '\n');
    append_scope(sts, amz_date, region, service);
    ertc_strbuf_append_char(sts, '\n');
    return ertc_strbuf_append_str(sts, hash);
}

WEBRTC_STATUS ertc_sigv4_derive_signing_key(const char *secret_access_key, const char *date8,
                                            const char *region, const char *service,
                                            uint8_t key[ERTC_SIGV4_KEY_LEN])
{
    if (secret_access_key == NULL || date8 == NULL || region == NULL || service == NULL ||
        key == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t secret_len = strlen(secret_access_key);
    if (secret_len == 0 || secret_len > ERTC_SIGV4_MAX_SECRET) {
        ERTC_LOGE(TAG, "secret access key must be 1..%d bytes (got %zu)", ERTC_SIGV4_MAX_SECRET,
                  secret_len);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (strlen(date8) < DATE8_LEN) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    uint8_t first[sizeof(KEY_PREFIX) - 1 + ERTC_SIGV4_MAX_SECRET];
    memcpy(first, KEY_PREFIX, sizeof(KEY_PREFIX) - 1);
    memcpy(first + sizeof(KEY_PREFIX) - 1, secret_access_key, secret_len);
    uint8_t k[SHA256_LEN];
    hmac_sha256(first, sizeof(KEY_PREFIX) - 1 + secret_len, date8, DATE8_LEN, k);
    hmac_sha256(k, SHA256_LEN, region, strlen(region), k);
    hmac_sha256(k, SHA256_LEN, service, strlen(service), k);
    hmac_sha256(k, SHA256_LEN, TERMINATOR, sizeof(TERMINATOR) - 1, key);
    mbedtls_platform_zeroize(first, sizeof(first));
    mbedtls_platform_zeroize(k, sizeof(k));
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_sigv4_compute_signature(const uint8_t key[ERTC_SIGV4_KEY_LEN], const char *sts,
                                  size_t sts_len, char hex[ERTC_SIGV4_HEX_SHA256_SIZE])
{
    uint8_t mac[SHA256_LEN];
    hmac_sha256(key, ERTC_SIGV4_KEY_LEN, sts, sts_len, mac);
    to_hex(mac, SHA256_LEN, hex);
}

WEBRTC_STATUS ertc_sigv4_format_authorization(const char *access_key_id, const char *amz_date,
                                              const char *region, const char *service,
                                              const char *signed_headers, const char *signature,
                                              ertc_strbuf_t *out)
{
    if (access_key_id == NULL || signed_headers == NULL || signature == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = check_scope(amz_date, region, service);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_strbuf_appendf(out, ERTC_SIGV4_ALGORITHM " Credential=%s/", access_key_id);
    append_scope(out, amz_date, region, service);
    return ertc_strbuf_appendf(out, ", SignedHeaders=%s, Signature=%s", signed_headers, signature);
}

/* ---- entry points ------------------------------------------------------------------------- */

static WEBRTC_STATUS check_params(const ertc_sigv4_params_t *p)
{
    if (p == NULL || p->access_key_id == NULL || p->secret_access_key == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (p->access_key_id[0] == '\0' || strlen(p->access_key_id) > ERTC_SIGV4_MAX_SECRET) {
        ERTC_LOGE(TAG, "access key id must be 1..%d characters", ERTC_SIGV4_MAX_SECRET);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (const char *c = p->access_key_id; *c != '\0'; c++) {
        if (*c == '/' || (unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7F) {
            ERTC_LOGE(TAG, "access key id holds '/', a space or a non-ASCII byte");
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    if (p->session_token != NULL && strlen(p->session_token) > ERTC_SIGV4_MAX_HEADER_VALUE) {
        ERTC_LOGE(TAG, "session token exceeds ERTC_SIGV4_MAX_HEADER_VALUE (%d)",
                  ERTC_SIGV4_MAX_HEADER_VALUE);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    return check_scope(p->amz_date, p->region, p->service);
}

/* Canonical request → string to sign → signature; fills the debug copies on the way. */
static WEBRTC_STATUS sign_request(const ertc_sigv4_params_t *p, const ertc_sigv4_request_t *req,
                                  ertc_strbuf_t *list, char signature[ERTC_SIGV4_HEX_SHA256_SIZE],
                                  ertc_sigv4_debug_t *debug)
{
    ertc_strbuf_t creq;
    ertc_strbuf_t sts;
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&sts, 256);
    WEBRTC_STATUS st = ertc_sigv4_build_canonical_request(req, &creq, list);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_sigv4_build_string_to_sign(p->amz_date, p->region, p->service,
                                             ertc_strbuf_cstr(&creq), ertc_strbuf_len(&creq), &sts);
    }
    uint8_t key[ERTC_SIGV4_KEY_LEN];
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_sigv4_derive_signing_key(p->secret_access_key, p->amz_date, p->region, p->service,
                                           key);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_sigv4_compute_signature(key, ertc_strbuf_cstr(&sts), ertc_strbuf_len(&sts), signature);
        mbedtls_platform_zeroize(key, sizeof(key));
    }
    if (st == WEBRTC_STATUS_SUCCESS && debug != NULL) {
        if (debug->canonical_request != NULL) {
            ertc_strbuf_append(debug->canonical_request, ertc_strbuf_cstr(&creq),
                               ertc_strbuf_len(&creq));
        }
        if (debug->string_to_sign != NULL) {
            ertc_strbuf_append(debug->string_to_sign, ertc_strbuf_cstr(&sts),
                               ertc_strbuf_len(&sts));
        }
        if (debug->signed_headers != NULL) {
            ertc_strbuf_append(debug->signed_headers, ertc_strbuf_cstr(list),
                               ertc_strbuf_len(list));
        }
    }
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&sts);
    if (st == WEBRTC_STATUS_SUCCESS) {
        char redacted[16];
        ERTC_LOGD(TAG, "signed %s for %s, scope %.8s/%s/%s", req->method,
                  ertc_log_redact(p->access_key_id, redacted), p->amz_date, p->region, p->service);
    }
    return st;
}

static const ertc_sigv4_header_t *find_header(const ertc_sigv4_request_t *req, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < req->header_count; i++) {
        const ertc_sigv4_header_t *h = &req->headers[i];
        if (h->name != NULL && h->name_len == len && strncasecmp(h->name, name, len) == 0) {
            return h;
        }
    }
    return NULL;
}

WEBRTC_STATUS ertc_sigv4_sign_headers(const ertc_sigv4_params_t *params,
                                      const ertc_sigv4_request_t *req, unsigned flags,
                                      ertc_strbuf_t *authorization, ertc_sigv4_debug_t *debug)
{
    if (req == NULL || authorization == NULL || (req->header_count > 0 && req->headers == NULL)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = check_params(params);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_sigv4_header_t headers[ERTC_SIGV4_MAX_HEADERS];
    size_t n = req->header_count;
    if (n > ERTC_SIGV4_MAX_HEADERS) {
        ERTC_LOGE(TAG, "%zu headers exceed ERTC_SIGV4_MAX_HEADERS (%d)", n, ERTC_SIGV4_MAX_HEADERS);
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    if (n > 0) {
        memcpy(headers, req->headers, n * sizeof(headers[0]));
    }
    const ertc_sigv4_header_t *date = find_header(req, "x-amz-date");
    if (date != NULL) {
        if (date->value_len != ERTC_SIGV4_AMZ_DATE_SIZE - 1 ||
            memcmp(date->value, params->amz_date, date->value_len) != 0) {
            ERTC_LOGE(TAG, "the request's X-Amz-Date differs from the signing date %s",
                      params->amz_date);
            return WEBRTC_STATUS_INVALID_ARG;
        }
    } else {
        if (n == ERTC_SIGV4_MAX_HEADERS) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        headers[n++] = (ertc_sigv4_header_t){"X-Amz-Date", sizeof("X-Amz-Date") - 1,
                                             params->amz_date, strlen(params->amz_date)};
    }
    bool has_token = params->session_token != NULL && params->session_token[0] != '\0';
    if (has_token && (flags & ERTC_SIGV4_SIGN_TOKEN) &&
        find_header(req, "x-amz-security-token") == NULL) {
        if (n == ERTC_SIGV4_MAX_HEADERS) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        headers[n++] =
            (ertc_sigv4_header_t){"X-Amz-Security-Token", sizeof("X-Amz-Security-Token") - 1,
                                  params->session_token, strlen(params->session_token)};
    }
    ertc_sigv4_request_t signed_req = *req;
    signed_req.headers = headers;
    signed_req.header_count = n;

    ertc_strbuf_t list;
    ertc_strbuf_init_heap(&list, ERTC_SIGV4_MAX_HEADERS * (ERTC_SIGV4_MAX_HEADER_NAME + 1));
    char signature[ERTC_SIGV4_HEX_SHA256_SIZE];
    st = sign_request(params, &signed_req, &list, signature, debug);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_sigv4_format_authorization(params->access_key_id, params->amz_date,
                                             params->region, params->service,
                                             ertc_strbuf_cstr(&list), signature, authorization);
    }
    ertc_strbuf_free(&list);
    return st;
}

static void append_param(ertc_strbuf_t *q, const char *name, const char *value)
{
    if (ertc_strbuf_len(q) > 0) {
        ertc_strbuf_append_char(q, '&');
    }
    append_encoded(q, name, strlen(name), false);
    ertc_strbuf_append_char(q, '=');
    append_encoded(q, value, strlen(value), false);
}

WEBRTC_STATUS ertc_sigv4_presign_url(const ertc_sigv4_params_t *params, const char *url,
                                     size_t url_len, const ertc_sigv4_query_param_t *extra,
                                     size_t extra_count, uint32_t expires_s, ertc_strbuf_t *out,
                                     ertc_sigv4_debug_t *debug)
{
    if (url == NULL || out == NULL || (extra == NULL && extra_count > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = check_params(params);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (expires_s == 0 || expires_s > ERTC_SIGV4_MAX_EXPIRES) {
        ERTC_LOGE(TAG, "presigned URL lifetime %u s: must be 1..%d", (unsigned)expires_s,
                  ERTC_SIGV4_MAX_EXPIRES);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_url_t parsed;
    st = ertc_url_parse(url, url_len, &parsed);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "cannot presign \"%.*s\": not a valid URL",
                  (int)(url_len > 200 ? 200 : url_len), url);
        return st;
    }
    char host[ERTC_URL_HOST_PORT_SIZE];
    size_t host_len = 0;
    st = ertc_url_format_host_port(&parsed, host, sizeof(host), &host_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    for (size_t i = 0; i < extra_count; i++) {
        if (extra[i].name == NULL || extra[i].value == NULL) {
            return WEBRTC_STATUS_NULL_ARG;
        }
    }

    /* The raw query: the URL's own parameters, then ours, each already encoded. */
    ertc_strbuf_t query;
    ertc_strbuf_init_heap(&query, ERTC_SIGV4_MAX_QUERY);
    if (parsed.query != NULL && parsed.query_len > 0) {
        ertc_strbuf_append(&query, parsed.query, parsed.query_len);
    }
    for (size_t i = 0; i < extra_count; i++) {
        append_param(&query, extra[i].name, extra[i].value);
    }
    ertc_strbuf_t credential;
    char cred_buf[ERTC_SIGV4_MAX_SECRET + 2 * ERTC_SIGV4_MAX_SCOPE_PART + 32];
    ertc_strbuf_init_fixed(&credential, cred_buf, sizeof(cred_buf));
    ertc_strbuf_appendf(&credential, "%s/", params->access_key_id);
    append_scope(&credential, params->amz_date, params->region, params->service);
    char expires[16];
    snprintf(expires, sizeof(expires), "%u", (unsigned)expires_s);

    append_param(&query, "X-Amz-Algorithm", ERTC_SIGV4_ALGORITHM);
    append_param(&query, "X-Amz-Credential", ertc_strbuf_cstr(&credential));
    append_param(&query, "X-Amz-Date", params->amz_date);
    append_param(&query, "X-Amz-Expires", expires);
    append_param(&query, "X-Amz-SignedHeaders", PRESIGN_HOST);
    if (params->session_token != NULL && params->session_token[0] != '\0') {
        append_param(&query, "X-Amz-Security-Token", params->session_token);
    }
    st = ertc_strbuf_status(&credential);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_status(&query);
        if (st == WEBRTC_STATUS_LIMIT_EXCEEDED) {
            ERTC_LOGE(TAG, "presigned query exceeds ERTC_SIGV4_MAX_QUERY (%d)",
                      ERTC_SIGV4_MAX_QUERY);
        }
    }

    ertc_sigv4_header_t host_header = {PRESIGN_HOST, sizeof(PRESIGN_HOST) - 1, host, host_len};
    ertc_sigv4_request_t req = {
        .method = "GET",
        .path = parsed.path,
        .path_len = parsed.path_len,
        .query = ertc_strbuf_cstr(&query),
        .query_len = ertc_strbuf_len(&query),
        .headers = &host_header,
        .header_count = 1,
        .payload_hash = ERTC_SIGV4_EMPTY_PAYLOAD_SHA256,
    };
    char signature[ERTC_SIGV4_HEX_SHA256_SIZE];
    ertc_strbuf_t list;
    ertc_strbuf_init_heap(&list, ERTC_SIGV4_MAX_HEADER_NAME + 1);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = sign_request(params, &req, &list, signature, debug);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* Built apart, so that out is left as it was when the URL does not fit. */
        ertc_strbuf_t signed_url;
        ertc_strbuf_init_heap(&signed_url, ERTC_URL_MAX_LEN);
        ertc_strbuf_appendf(&signed_url, "%s://%s", ertc_url_scheme_name(parsed.scheme), host);
        ertc_strbuf_append(&signed_url, parsed.path, parsed.path_len);
        ertc_strbuf_append_char(&signed_url, '?');
        st = ertc_sigv4_build_canonical_query(req.query, req.query_len, &signed_url);
        ertc_strbuf_append_str(&signed_url, "&X-Amz-Signature=");
        ertc_strbuf_append_str(&signed_url, signature);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_strbuf_status(&signed_url);
        }
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_strbuf_append(out, ertc_strbuf_cstr(&signed_url),
                                    ertc_strbuf_len(&signed_url));
        } else if (st == WEBRTC_STATUS_LIMIT_EXCEEDED) {
            ERTC_LOGE(TAG, "presigned URL exceeds ERTC_URL_MAX_LEN (%d)", ERTC_URL_MAX_LEN);
        }
        ertc_strbuf_free(&signed_url);
    }
    mbedtls_platform_zeroize(signature, sizeof(signature));
    ertc_strbuf_free(&list);
    ertc_strbuf_free(&query);
    return st;
}

/* ---- time --------------------------------------------------------------------------------- */

/* Days since 1970-01-01 → civil date (proleptic Gregorian), by 400-year eras. */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
    const int64_t days_per_era = 146097; /* 400 years */
    days += 719468;                      /* shift the epoch to 0000-03-01 */
    int64_t era = (days >= 0 ? days : days - (days_per_era - 1)) / days_per_era;
    int64_t doe = days - era * days_per_era;                             /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2 ? 1 : 0));
}

WEBRTC_STATUS ertc_sigv4_format_amz_date(int64_t unix_seconds, char out[ERTC_SIGV4_AMZ_DATE_SIZE])
{
    /* 253402300800 is 10000-01-01T00:00:00Z. */
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (unix_seconds < 0 || unix_seconds >= INT64_C(253402300800)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    int year;
    int month;
    int day;
    civil_from_days(unix_seconds / SECONDS_PER_DAY, &year, &month, &day);
    int64_t secs = unix_seconds % SECONDS_PER_DAY;
    char text[48]; /* room for any int values, so the compiler sees no truncation */
    snprintf(text, sizeof(text), "%04d%02d%02dT%02d%02d%02dZ", year, month, day, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(out, text, ERTC_SIGV4_AMZ_DATE_SIZE - 1);
    out[ERTC_SIGV4_AMZ_DATE_SIZE - 1] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ertc_ascii_is_digit((unsigned char)s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool ertc_sigv4_amz_date_valid(const char *s)
{
    if (s == NULL || strnlen(s, ERTC_SIGV4_AMZ_DATE_SIZE) != ERTC_SIGV4_AMZ_DATE_SIZE - 1 ||
        s[8] != 'T' || s[15] != 'Z') {
        return false;
    }
    int month = digits_value(s + 4, 2);
    int day = digits_value(s + 6, 2);
    int hour = digits_value(s + 9, 2);
    int minute = digits_value(s + 11, 2);
    int second = digits_value(s + 13, 2);
    return digits_value(s, 4) >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
           hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

int64_t ertc_sigv4_clock_skew_offset(int64_t server_unix, int64_t local_unix, int64_t threshold_s)
{
    /* Bounds keep the subtraction from overflowing; real clocks are far inside them. */
    const int64_t bound = INT64_C(1) << 60;
    if (server_unix <= 0 || server_unix > bound || local_unix < -bound || local_unix > bound) {
        return 0;
    }
    int64_t diff = server_unix - local_unix;
    int64_t magnitude = diff < 0 ? -diff : diff;
    return magnitude > (threshold_s < 0 ? 0 : threshold_s) ? diff : 0;
}
