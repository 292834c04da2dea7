/*
 * signald/kvs_sigv4_verify — SigV4 verification for the KVS emulator (see the header).
 */
#include "kvs_sigv4_verify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/ascii.h"
#include "util/url.h"

#define SCOPE_TERMINATOR "aws4_request"

static const char MSG_MISMATCH[] =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

const char *kvs_auth_error_type(kvs_auth_result_t r)
{
    switch (r) {
    case KVS_AUTH_OK: return "";
    case KVS_AUTH_MISSING: return "MissingAuthenticationTokenException";
    case KVS_AUTH_INCOMPLETE: return "IncompleteSignatureException";
    case KVS_AUTH_UNKNOWN_KEY: return "UnrecognizedClientException";
    case KVS_AUTH_BAD_SIGNATURE:
    case KVS_AUTH_EXPIRED:
    case KVS_AUTH_NOT_YET: return "InvalidSignatureException";
    }
    return "InvalidSignatureException";
}

/* ---- parsing ------------------------------------------------------------------------------ */

static bool copy_part(const char *s, size_t n, char *out, size_t size)
{
    if (n == 0 || n >= size) {
        return false;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

WEBRTC_STATUS kvs_auth_parse_credential(const char *cred, kvs_auth_parts_t *out)
{
    char *fields[4] = {out->access_key_id, out->date8, out->region, out->service};
    size_t sizes[4] = {sizeof(out->access_key_id), sizeof(out->date8), sizeof(out->region),
                       sizeof(out->service)};
    const char *p = cred;
    for (int i = 0; i < 4; i++) {
        const char *slash = strchr(p, '/');
        if (slash == NULL || !copy_part(p, (size_t)(slash - p), fields[i], sizes[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
        p = slash + 1;
    }
    if (strcmp(p, SCOPE_TERMINATOR) != 0 || strlen(out->date8) != 8) {
        return WEBRTC_STATUS_MALFORMED;
    }
    for (int i = 0; i < 8; i++) {
        if (!ertc_ascii_is_digit((unsigned char)out->date8[i])) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS kvs_auth_parse_header(const char *value, kvs_auth_parts_t *out, char *why,
                                    size_t whylen)
{
    memset(out, 0, sizeof(*out));
    static const char ALG[] = ERTC_SIGV4_ALGORITHM " ";
    if (strncmp(value, ALG, sizeof(ALG) - 1) != 0) {
        snprintf(why, whylen, "Authorization header requires the %s algorithm.",
                 ERTC_SIGV4_ALGORITHM);
        return WEBRTC_STATUS_MALFORMED;
    }
    bool have_cred = false, have_list = false, have_sig = false;
    const char *p = value + sizeof(ALG) - 1;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (eq == NULL) {
            snprintf(why, whylen, "Authorization header parameter without '='.");
            return WEBRTC_STATUS_MALFORMED;
        }
        size_t name_len = (size_t)(eq - p);
        const char *v = eq + 1;
        size_t vlen = n - name_len - 1;
        while (vlen > 0 && v[vlen - 1] == ' ') {
            vlen--;
        }
        char tmp[KVS_AUTH_MAX_SIGNED_HEADERS];
        if (vlen >= sizeof(tmp)) {
            snprintf(why, whylen, "Authorization header parameter too long.");
            return WEBRTC_STATUS_MALFORMED;
        }
        memcpy(tmp, v, vlen);
        tmp[vlen] = '\0';
        if (name_len == 10 && strncmp(p, "Credential", 10) == 0) {
            have_cred = kvs_auth_parse_credential(tmp, out) == WEBRTC_STATUS_SUCCESS;
            if (!have_cred) {
                snprintf(why, whylen,
                         "Credential must have exactly 5 slash-delimited elements, e.g. "
                         "keyid/date/region/service/term.");
                return WEBRTC_STATUS_MALFORMED;
            }
        } else if (name_len == 13 && strncmp(p, "SignedHeaders", 13) == 0) {
            have_list = copy_part(tmp, vlen, out->signed_headers, sizeof(out->signed_headers));
        } else if (name_len == 9 && strncmp(p, "Signature", 9) == 0) {
            have_sig = copy_part(tmp, vlen, out->signature, sizeof(out->signature));
        }
        p += n;
    }
    const char *missing = !have_cred   ? "Credential"
                          : !have_list ? "SignedHeaders"
                          : !have_sig  ? "Signature"
                                       : NULL;
    if (missing != NULL) {
        snprintf(why, whylen, "Authorization header requires '%s' parameter.", missing);
        return WEBRTC_STATUS_MALFORMED;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS kvs_query_get(const char *query, const char *name, char *out, size_t size)
{
    size_t name_len = strlen(name);
    const char *p = query;
    while (*p != '\0') {
        size_t n = strcspn(p, "&");
        if (n > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            size_t len = 0;
            WEBRTC_STATUS st = ertc_url_decode(p + name_len + 1, n - name_len - 1, out, size, &len);
            if (st != WEBRTC_STATUS_SUCCESS) {
                return st == WEBRTC_STATUS_MALFORMED ? st : WEBRTC_STATUS_BUFFER_TOO_SMALL;
            }
            return strlen(out) == len ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_MALFORMED;
        }
        p += n;
        if (*p == '&') {
            p++;
        }
    }
    return WEBRTC_STATUS_NOT_FOUND;
}

/* ---- checks shared by both forms ---------------------------------------------------------- */

/* Seconds since 1970 of a valid "YYYYMMDDTHHMMSSZ" (days from civil, proleptic Gregorian). */
static int64_t amz_date_to_unix(const char *d)
{
    int v[6];
    const int pos[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (int k = 0; k < len[i]; k++) {
            v[i] = v[i] * 10 + (d[pos[i] + k] - '0');
        }
    }
    int64_t y = v[0], m = v[1];
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
}

static kvs_auth_result_t check_scope(const kvs_auth_keys_t *keys, const kvs_auth_parts_t *parts,
                                     const char *amz_date, char *why, size_t whylen)
{
    if (strcmp(parts->access_key_id, keys->access_key_id) != 0) {
        snprintf(why, whylen, "The security token included in the request is invalid.");
        return KVS_AUTH_UNKNOWN_KEY;
    }
    if (strncmp(parts->date8, amz_date, 8) != 0) {
        snprintf(why, whylen,
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                 "from HTTP: '%.8s' != '%.8s', from '%s'.",
                 parts->date8, amz_date, amz_date);
        return KVS_AUTH_BAD_SIGNATURE;
    }
    if (strcmp(parts->region, keys->region) != 0) {
        snprintf(why, whylen, "Credential should be scoped to a valid region, not '%.60s'. ",
                 parts->region);
        return KVS_AUTH_BAD_SIGNATURE;
    }
    if (strcmp(parts->service, keys->service) != 0) {
        snprintf(why, whylen, "Credential should be scoped to correct service: '%s'. ",
                 keys->service);
        return KVS_AUTH_BAD_SIGNATURE;
    }
    return KVS_AUTH_OK;
}

/* The window is [date - skew, date + skew] for headers, [date - skew, date + expires] for a
 * presigned URL. */
static kvs_auth_result_t check_time(const kvs_auth_keys_t *keys, const char *amz_date,
                                    int64_t valid_for_s, char *why, size_t whylen)
{
    int64_t t = amz_date_to_unix(amz_date);
    char now[ERTC_SIGV4_AMZ_DATE_SIZE] = "?";
    char edge[ERTC_SIGV4_AMZ_DATE_SIZE] = "?";
    if (keys->now_s > t + valid_for_s) {
        ertc_sigv4_format_amz_date(keys->now_s, now);
        ertc_sigv4_format_amz_date(keys->now_s - valid_for_s, edge);
        snprintf(why, whylen, "Signature expired: %s is now earlier than %s (%s - %lld min.)",
                 amz_date, edge, now, (long long)(valid_for_s / 60));
        return KVS_AUTH_EXPIRED;
    }
    if (t > keys->now_s + KVS_AUTH_SKEW_S) {
        ertc_sigv4_format_amz_date(keys->now_s, now);
        ertc_sigv4_format_amz_date(keys->now_s + KVS_AUTH_SKEW_S, edge);
        snprintf(why, whylen, "Signature not yet current: %s is still later than %s (%s + 5 min.)",
                 amz_date, edge, now);
        return KVS_AUTH_NOT_YET;
    }
    return KVS_AUTH_OK;
}

static bool hex_equal_ct(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned diff = la != lb;
    size_t n = la < lb ? la : lb;
    for (size_t i = 0; i < n; i++) {
        diff |= (unsigned)(unsigned char)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* Recomputes the signature over req with the headers in list (";"-separated, lower case)
 * and query; compares with parts->signature. */
static kvs_auth_result_t check_signature(const kvs_auth_keys_t *keys, const kvs_auth_request_t *req,
                                         const char *query, const kvs_auth_parts_t *parts,
                                         const char *amz_date, bool presigned, char *why,
                                         size_t whylen)
{
    ertc_sigv4_header_t headers[ERTC_SIGV4_MAX_HEADERS];
    size_t n = 0;
    bool have_host = false, have_date = false;
    const char *p = parts->signed_headers;
    while (*p != '\0') {
        size_t len = strcspn(p, ";");
        char name[ERTC_SIGV4_MAX_HEADER_NAME + 1];
        if (len == 0 || len > ERTC_SIGV4_MAX_HEADER_NAME || n >= ERTC_SIGV4_MAX_HEADERS) {
            snprintf(why, whylen, "Invalid SignedHeaders list.");
            return KVS_AUTH_INCOMPLETE;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        const char *value = req->header(req->header_ctx, name);
        if (value == NULL) {
            snprintf(why, whylen, "Signed header '%.64s' is not in the request.", name);
            return KVS_AUTH_BAD_SIGNATURE;
        }
        have_host |= strcasecmp(name, "host") == 0;
        have_date |= strcasecmp(name, "x-amz-date") == 0;
        /* The name points into the list, which outlives the signer call. */
        headers[n++] = (ertc_sigv4_header_t){p, len, value, strlen(value)};
        p += len;
        if (*p == ';') {
            p++;
        }
    }
    if (!have_host || (!presigned && !have_date)) {
        snprintf(why, whylen, "'Host' and 'X-Amz-Date' must be signed headers.");
        return KVS_AUTH_INCOMPLETE;
    }
    ertc_sigv4_request_t sreq = {
        .method = req->method,
        .path = req->path,
        .path_len = strlen(req->path),
        .query = query,
        .query_len = strlen(query),
        .headers = headers,
        .header_count = n,
        .payload = req->body,
        .payload_len = req->body_len,
        .payload_hash = presigned ? ERTC_SIGV4_EMPTY_PAYLOAD_SHA256 : NULL,
    };
    ertc_strbuf_t creq, sts;
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&sts, 1024);
    kvs_auth_result_t r = KVS_AUTH_BAD_SIGNATURE;
    uint8_t key[ERTC_SIGV4_KEY_LEN];
    char sig[ERTC_SIGV4_HEX_SHA256_SIZE];
    if (ertc_sigv4_build_canonical_request(&sreq, &creq, NULL) != WEBRTC_STATUS_SUCCESS ||
        ertc_sigv4_build_string_to_sign(amz_date, parts->region, parts->service,
                                        ertc_strbuf_cstr(&creq), ertc_strbuf_len(&creq),
                                        &sts) != WEBRTC_STATUS_SUCCESS ||
        ertc_sigv4_derive_signing_key(keys->secret_access_key, parts->date8, parts->region,
                                      parts->service, key) != WEBRTC_STATUS_SUCCESS) {
        snprintf(why, whylen, "The request cannot be canonicalized (too large or malformed).");
    } else {
        ertc_sigv4_compute_signature(key, ertc_strbuf_cstr(&sts), ertc_strbuf_len(&sts), sig);
        if (hex_equal_ct(sig, parts->signature)) {
            r = KVS_AUTH_OK;
        } else {
            snprintf(why, whylen, "%s", MSG_MISMATCH);
        }
    }
    memset(key, 0, sizeof(key));
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&sts);
    return r;
}

/* ---- the two forms ------------------------------------------------------------------------ */

kvs_auth_result_t kvs_auth_verify_header(const kvs_auth_keys_t *keys, const kvs_auth_request_t *req,
                                         char *why, size_t whylen)
{
    const char *auth = req->header(req->header_ctx, "Authorization");
    if (auth == NULL || auth[0] == '\0') {
        snprintf(why, whylen, "Missing Authentication Token");
        return KVS_AUTH_MISSING;
    }
    kvs_auth_parts_t parts;
    if (kvs_auth_parse_header(auth, &parts, why, whylen) != WEBRTC_STATUS_SUCCESS) {
        return KVS_AUTH_INCOMPLETE;
    }
    const char *amz_date = req->header(req->header_ctx, "X-Amz-Date");
    if (amz_date == NULL || !ertc_sigv4_amz_date_valid(amz_date)) {
        snprintf(why, whylen,
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                 "header.");
        return KVS_AUTH_INCOMPLETE;
    }
    kvs_auth_result_t r = check_scope(keys, &parts, amz_date, why, whylen);
    if (r == KVS_AUTH_OK) {
        r = check_time(keys, amz_date, KVS_AUTH_SKEW_S, why, whylen);
    }
    if (r == KVS_AUTH_OK) {
        r = check_signature(keys, req, req->query, &parts, amz_date, false, why, whylen);
    }
    return r;
}

/* The raw query without its X-Amz-Signature parameter(s), into out. */
static bool query_without_signature(const char *query, ertc_strbuf_t *out)
{
    static const char SIG[] = "X-Amz-Signature=";
    const char *p = query;
    while (*p != '\0') {
        size_t n = strcspn(p, "&");
        if (!(n >= sizeof(SIG) - 1 && strncmp(p, SIG, sizeof(SIG) - 1) == 0) && n > 0) {
            if (ertc_strbuf_len(out) > 0) {
                ertc_strbuf_append_char(out, '&');
            }
            ertc_strbuf_append(out, p, n);
        }
        p += n;
        if (*p == '&') {
            p++;
        }
    }
    return ertc_strbuf_status(out) == WEBRTC_STATUS_SUCCESS;
}

kvs_auth_result_t kvs_auth_verify_presigned(const kvs_auth_keys_t *keys,
                                            const kvs_auth_request_t *req, char *why, size_t whylen)
{
    kvs_auth_parts_t parts;
    memset(&parts, 0, sizeof(parts));
    char cred[512], alg[32], amz_date[ERTC_SIGV4_AMZ_DATE_SIZE], expires[16];
    WEBRTC_STATUS st = kvs_query_get(req->query, "X-Amz-Credential", cred, sizeof(cred));
    WEBRTC_STATUS st_sig =
        kvs_query_get(req->query, "X-Amz-Signature", parts.signature, sizeof(parts.signature));
    if (st == WEBRTC_STATUS_NOT_FOUND && st_sig == WEBRTC_STATUS_NOT_FOUND) {
        snprintf(why, whylen, "Missing Authentication Token");
        return KVS_AUTH_MISSING;
    }
    const char *missing = NULL;
    if (kvs_query_get(req->query, "X-Amz-Algorithm", alg, sizeof(alg)) != WEBRTC_STATUS_SUCCESS ||
        strcmp(alg, ERTC_SIGV4_ALGORITHM) != 0) {
        missing = "X-Amz-Algorithm";
    } else if (st != WEBRTC_STATUS_SUCCESS ||
               kvs_auth_parse_credential(cred, &parts) != WEBRTC_STATUS_SUCCESS) {
        missing = "X-Amz-Credential";
    } else if (kvs_query_get(req->query, "X-Amz-Date", amz_date, sizeof(amz_date)) !=
                   WEBRTC_STATUS_SUCCESS ||
               !ertc_sigv4_amz_date_valid(amz_date)) {
        missing = "X-Amz-Date";
    } else if (kvs_query_get(req->query, "X-Amz-SignedHeaders", parts.signed_headers,
                             sizeof(parts.signed_headers)) != WEBRTC_STATUS_SUCCESS) {
        missing = "X-Amz-SignedHeaders";
    } else if (st_sig != WEBRTC_STATUS_SUCCESS || parts.signature[0] == '\0') {
        missing = "X-Amz-Signature";
    }
    if (missing != NULL) {
        snprintf(why, whylen, "AWS query-string parameters must include '%s'.", missing);
        return KVS_AUTH_INCOMPLETE;
    }
    long long valid_for = KVS_AUTH_SKEW_S;
    if (kvs_query_get(req->query, "X-Amz-Expires", expires, sizeof(expires)) ==
        WEBRTC_STATUS_SUCCESS) {
        char *end = NULL;
        valid_for = strtoll(expires, &end, 10);
        if (end == expires || *end != '\0' || valid_for < 1 || valid_for > ERTC_SIGV4_MAX_EXPIRES) {
            snprintf(why, whylen, "X-Amz-Expires must be between 1 and %d seconds.",
                     ERTC_SIGV4_MAX_EXPIRES);
            return KVS_AUTH_INCOMPLETE;
        }
    }
    kvs_auth_result_t r = check_scope(keys, &parts, amz_date, why, whylen);
    if (r == KVS_AUTH_OK) {
        r = check_time(keys, amz_date, (int64_t)valid_for, why, whylen);
    }
    if (r != KVS_AUTH_OK) {
        return r;
    }
    ertc_strbuf_t q;
    ertc_strbuf_init_heap(&q, ERTC_SIGV4_MAX_QUERY);
    if (!query_without_signature(req->query, &q)) {
        snprintf(why, whylen, "The query string is too long.");
        r = KVS_AUTH_INCOMPLETE;
    } else {
        r = check_signature(keys, req, ertc_strbuf_cstr(&q), &parts, amz_date, true, why, whylen);
    }
    ertc_strbuf_free(&q);
    return r;
}
