/*
 * signaling/kvs/kvs_credentials — credential record, zeroisation and the three parsers
 * (IoT provider JSON, credential file, environment values). See kvs_credentials.h.
 */
#include "signaling/kvs/kvs_credentials.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"

#define TAG "kvs-creds"

#define FILE_MAGIC      "CREDENTIALS"
#define FILE_MAX_TOKENS 5

void ertc_kvs_secure_zero(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0) {
        *v++ = 0;
    }
}

ertc_kvs_credentials_t *ertc_kvs_credentials_new(void)
{
    return ertc_calloc(1, sizeof(ertc_kvs_credentials_t));
}

void ertc_kvs_credentials_clear(ertc_kvs_credentials_t *creds)
{
    if (creds != NULL) {
        ertc_kvs_secure_zero(creds, sizeof(*creds));
    }
}

void ertc_kvs_credentials_free(ertc_kvs_credentials_t *creds)
{
    if (creds != NULL) {
        ertc_kvs_credentials_clear(creds);
        ertc_free(creds);
    }
}

/* ---- ISO-8601 ----------------------------------------------------------------------------- */

static bool read_digits(const char *s, size_t len, size_t *pos, size_t count, int *out)
{
    int v = 0;
    for (size_t i = 0; i < count; i++) {
        if (*pos >= len || s[*pos] < '0' || s[*pos] > '9') {
            return false;
        }
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
    }
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos < len && s[*pos] == c) {
        (*pos)++;
        return true;
    }
    return false;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil, written out for y >= 1970). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : DAYS[m - 1];
}

WEBRTC_STATUS ertc_kvs_parse_iso8601(const char *s, size_t len, int64_t *out)
{
    if (s == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t pos = 0;
    int y, mo, d, h, mi, sec;
    if (!read_digits(s, len, &pos, 4, &y) || !expect(s, len, &pos, '-') ||
        !read_digits(s, len, &pos, 2, &mo) || !expect(s, len, &pos, '-') ||
        !read_digits(s, len, &pos, 2, &d) ||
        !(expect(s, len, &pos, 'T') || expect(s, len, &pos, 't')) ||
        !read_digits(s, len, &pos, 2, &h) || !expect(s, len, &pos, ':') ||
        !read_digits(s, len, &pos, 2, &mi) || !expect(s, len, &pos, ':') ||
        !read_digits(s, len, &pos, 2, &sec)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (expect(s, len, &pos, '.')) {
        size_t start = pos;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9' && pos - start < 9) {
            pos++;
        }
        if (pos == start) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (expect(s, len, &pos, 'Z') || expect(s, len, &pos, 'z')) {
        /* UTC */
    } else if (len - pos == 6 && memcmp(s + pos, "+00:00", 6) == 0) {
        pos += 6;
    } else {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (pos != len || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || sec > 59) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- field checks ------------------------------------------------------------------------- */

/* Copies s[0..len) into dst (size max + 1) if it is 1..max visible ASCII characters. */
static WEBRTC_STATUS copy_secret(const char *s, size_t len, char *dst, size_t max)
{
    if (len == 0) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len > max) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS copy_key_id(const char *s, size_t len, char *dst)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    return copy_secret(s, len, dst, ERTC_KVS_MAX_ACCESS_KEY_ID_LEN);
}

static WEBRTC_STATUS finish(WEBRTC_STATUS s, ertc_kvs_credentials_t *out, const char *what)
{
    if (s != WEBRTC_STATUS_SUCCESS) {
        ertc_kvs_credentials_clear(out);
        ERTC_LOGW(TAG, "%s credentials refused: %s", what, webrtc_status_name(s));
    }
    return s;
}

/* ---- IoT credentials provider ------------------------------------------------------------- */

static WEBRTC_STATUS get_json_field(const cJSON *obj, const char *key, const char **s, size_t *n)
{
    WEBRTC_STATUS st = ertc_json_get_string(obj, key, s);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *n = strlen(*s);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_kvs_credentials_parse_iot(const char *buf, size_t len,
                                             ertc_kvs_credentials_t *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_kvs_credentials_clear(out);
    cJSON *root = NULL;
    WEBRTC_STATUS s = ertc_json_parse(buf, len, ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN, &root);
    if (s != WEBRTC_STATUS_SUCCESS) {
        return finish(s == WEBRTC_STATUS_LIMIT_EXCEEDED || s == WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                          ? s
                          : WEBRTC_STATUS_MALFORMED,
                      out, "IoT");
    }
    cJSON *c = NULL;
    const char *v = NULL;
    size_t n = 0;
    s = ertc_json_get_object(root, "credentials", &c) == WEBRTC_STATUS_SUCCESS
            ? WEBRTC_STATUS_SUCCESS
            : WEBRTC_STATUS_MALFORMED;
    if (s == WEBRTC_STATUS_SUCCESS && (s = get_json_field(c, "accessKeyId", &v, &n)) == 0) {
        s = copy_key_id(v, n, out->access_key_id);
    }
    if (s == WEBRTC_STATUS_SUCCESS && (s = get_json_field(c, "secretAccessKey", &v, &n)) == 0) {
        s = copy_secret(v, n, out->secret_access_key, ERTC_KVS_MAX_SECRET_KEY_LEN);
    }
    if (s == WEBRTC_STATUS_SUCCESS && (s = get_json_field(c, "sessionToken", &v, &n)) == 0) {
        s = copy_secret(v, n, out->session_token, ERTC_KVS_MAX_SESSION_TOKEN_LEN);
    }
    if (s == WEBRTC_STATUS_SUCCESS && (s = get_json_field(c, "expiration", &v, &n)) == 0) {
        s = ertc_kvs_parse_iso8601(v, n, &out->expiration);
    }
    /* cJSON's copies of the secret and token go back to the allocator: wipe them first. */
    if (c != NULL) {
        const cJSON *item = NULL;
        cJSON_ArrayForEach(item, c)
        {
            if (cJSON_IsString(item)) {
                ertc_kvs_secure_zero(item->valuestring, strlen(item->valuestring));
            }
        }
    }
    cJSON_Delete(root);
    return finish(s, out, "IoT");
}

/* ---- credential file ---------------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Unix seconds written as 1..19 digits. */
static WEBRTC_STATUS parse_unix_seconds(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 18) {
        return WEBRTC_STATUS_MALFORMED;
    }
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return WEBRTC_STATUS_MALFORMED;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_kvs_credentials_parse_file(const char *buf, size_t len,
                                              ertc_kvs_credentials_t *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_kvs_credentials_clear(out);
    if (len > ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN) {
        return finish(WEBRTC_STATUS_LIMIT_EXCEEDED, out, "file");
    }
    const char *tok[FILE_MAX_TOKENS];
    size_t tok_len[FILE_MAX_TOKENS];
    size_t count = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_space(buf[i])) {
            i++;
        }
        if (i == len) {
            break;
        }
        if (count == FILE_MAX_TOKENS) {
            return finish(WEBRTC_STATUS_MALFORMED, out, "file");
        }
        tok[count] = buf + i;
        while (i < len && !is_space(buf[i])) {
            i++;
        }
        tok_len[count] = (size_t)(buf + i - tok[count]);
        count++;
    }
    if ((count != 3 && count != 5) || tok_len[0] != strlen(FILE_MAGIC) ||
        memcmp(tok[0], FILE_MAGIC, tok_len[0]) != 0) {
        return finish(WEBRTC_STATUS_MALFORMED, out, "file");
    }
    WEBRTC_STATUS s = copy_key_id(tok[1], tok_len[1], out->access_key_id);
    if (s == WEBRTC_STATUS_SUCCESS && count == 3) {
        s = copy_secret(tok[2], tok_len[2], out->secret_access_key, ERTC_KVS_MAX_SECRET_KEY_LEN);
        out->expiration = ERTC_KVS_CREDENTIALS_NO_EXPIRY;
    } else if (s == WEBRTC_STATUS_SUCCESS) {
        s = ertc_kvs_parse_iso8601(tok[2], tok_len[2], &out->expiration);
        if (s != WEBRTC_STATUS_SUCCESS) {
            s = parse_unix_seconds(tok[2], tok_len[2], &out->expiration);
        }
        if (s == WEBRTC_STATUS_SUCCESS) {
            s = copy_secret(tok[3], tok_len[3], out->secret_access_key,
                            ERTC_KVS_MAX_SECRET_KEY_LEN);
        }
        if (s == WEBRTC_STATUS_SUCCESS) {
            s = copy_secret(tok[4], tok_len[4], out->session_token, ERTC_KVS_MAX_SESSION_TOKEN_LEN);
        }
    }
    return finish(s, out, "file");
}

/* ---- environment -------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_kvs_credentials_from_env(const char *access_key_id, const char *secret,
                                            const char *session_token, const char *expiration,
                                            ertc_kvs_credentials_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_kvs_credentials_clear(out);
    if (access_key_id == NULL || secret == NULL) {
        return finish(WEBRTC_STATUS_NULL_ARG, out, "environment");
    }
    WEBRTC_STATUS s =
        copy_key_id(access_key_id, strnlen(access_key_id, ERTC_KVS_MAX_ACCESS_KEY_ID_LEN + 1),
                    out->access_key_id);
    if (s == WEBRTC_STATUS_SUCCESS) {
        s = copy_secret(secret, strnlen(secret, ERTC_KVS_MAX_SECRET_KEY_LEN + 1),
                        out->secret_access_key, ERTC_KVS_MAX_SECRET_KEY_LEN);
    }
    if (s == WEBRTC_STATUS_SUCCESS && session_token != NULL && session_token[0] != '\0') {
        s = copy_secret(session_token, strnlen(session_token, ERTC_KVS_MAX_SESSION_TOKEN_LEN + 1),
                        out->session_token, ERTC_KVS_MAX_SESSION_TOKEN_LEN);
    }
    out->expiration = ERTC_KVS_CREDENTIALS_NO_EXPIRY;
    if (s == WEBRTC_STATUS_SUCCESS && expiration != NULL && expiration[0] != '\0') {
        s = ertc_kvs_parse_iso8601(expiration, strnlen(expiration, 64), &out->expiration);
    }
    return finish(s, out, "environment");
}

/* ---- expiry and description --------------------------------------------------------------- */

bool ertc_kvs_credentials_refresh_needed(const ertc_kvs_credentials_t *creds, int64_t now,
                                         int64_t grace_s)
{
    if (creds == NULL || creds->access_key_id[0] == '\0') {
        return true;
    }
    if (creds->expiration == ERTC_KVS_CREDENTIALS_NO_EXPIRY) {
        return false;
    }
    if (grace_s < 0) {
        grace_s = 0;
    }
    /* now + grace >= expiration, without overflow. */
    return now >= creds->expiration || grace_s >= creds->expiration - now;
}

const char *ertc_kvs_credentials_describe(const ertc_kvs_credentials_t *creds, int64_t now,
                                          char *buf, size_t size)
{
    if (buf == NULL || size == 0) {
        return "";
    }
    if (creds == NULL || creds->access_key_id[0] == '\0') {
        snprintf(buf, size, "(no credentials)");
        return buf;
    }
    char akid[16];
    ertc_log_redact(creds->access_key_id, akid);
    const char *token = creds->session_token[0] != '\0' ? " with session token" : "";
    if (creds->expiration == ERTC_KVS_CREDENTIALS_NO_EXPIRY) {
        snprintf(buf, size, "%s (no expiry)%s", akid, token);
    } else if (creds->expiration > now) {
        snprintf(buf, size, "%s expiring in %lld s%s", akid, (long long)(creds->expiration - now),
                 token);
    } else {
        snprintf(buf, size, "%s expired %lld s ago%s", akid, (long long)(now - creds->expiration),
                 token);
    }
    return buf;
}
