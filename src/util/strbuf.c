/*
 * util/strbuf — bounded string builder. See strbuf.h for the failure rules.
 *
 * Every write first reserves its whole length (reserve_space), so a write either lands
 * completely or not at all. appendf cannot know its length in advance: it formats into the
 * free space, and when that was too small, restores the terminator, reserves the length
 * vsnprintf reported and formats again.
 */
#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define JSON_UNICODE_ESCAPE_LEN 6 /* \u00XX */

/* Records the first failure; every later write returns it. */
static WEBRTC_STATUS fail(ertc_strbuf_t *sb, WEBRTC_STATUS st)
{
    if (sb->status == WEBRTC_STATUS_SUCCESS) {
        sb->status = st;
    }
    return sb->status;
}

static WEBRTC_STATUS grow_heap(ertc_strbuf_t *sb, size_t need_cap)
{
    size_t cap = sb->cap < ERTC_STRBUF_MIN_ALLOC ? ERTC_STRBUF_MIN_ALLOC : sb->cap;
    while (cap < need_cap && cap <= SIZE_MAX / 2) {
        cap *= 2;
    }
    if (cap < need_cap || cap > sb->max_len + 1) {
        cap = sb->max_len + 1; /* reserve_space guarantees need_cap <= max_len + 1 */
    }
    char *p = ertc_realloc(sb->data, cap);
    if (p == NULL) {
        return fail(sb, WEBRTC_STATUS_NOT_ENOUGH_MEMORY);
    }
    if (sb->data == NULL) {
        p[0] = '\0';
    }
    sb->data = p;
    sb->cap = cap;
    return WEBRTC_STATUS_SUCCESS;
}

/* Makes room for extra more content bytes plus the NUL, or records why it cannot. */
static WEBRTC_STATUS reserve_space(ertc_strbuf_t *sb, size_t extra)
{
    if (sb->status != WEBRTC_STATUS_SUCCESS) {
        return sb->status;
    }
    if (extra > sb->max_len - sb->len) {
        return fail(sb, sb->heap ? WEBRTC_STATUS_LIMIT_EXCEEDED : WEBRTC_STATUS_BUFFER_TOO_SMALL);
    }
    size_t need_cap = sb->len + extra + 1; /* cannot overflow: max_len < SIZE_MAX */
    if (need_cap <= sb->cap) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (!sb->heap) {
        return fail(sb, WEBRTC_STATUS_BUFFER_TOO_SMALL); /* only a zero-sized buffer gets here */
    }
    return grow_heap(sb, need_cap);
}

void ertc_strbuf_init_fixed(ertc_strbuf_t *sb, char *buf, size_t size)
{
    memset(sb, 0, sizeof(*sb));
    sb->data = buf;
    sb->cap = buf != NULL ? size : 0;
    sb->max_len = sb->cap > 0 ? sb->cap - 1 : 0;
    if (sb->cap > 0) {
        buf[0] = '\0';
    }
}

void ertc_strbuf_init_heap(ertc_strbuf_t *sb, size_t max_len)
{
    memset(sb, 0, sizeof(*sb));
    sb->heap = true;
    sb->max_len = max_len < SIZE_MAX ? max_len : SIZE_MAX - 1; /* room for the NUL */
}

WEBRTC_STATUS ertc_strbuf_append(ertc_strbuf_t *sb, const void *data, size_t len)
{
    if (sb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (data == NULL && len > 0) {
        return fail(sb, WEBRTC_STATUS_NULL_ARG);
    }
    WEBRTC_STATUS st = reserve_space(sb, len);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    if (len > 0) {
        memcpy(sb->data + sb->len, data, len);
    }
    sb->len += len;
    sb->data[sb->len] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_strbuf_append_str(ertc_strbuf_t *sb, const char *s)
{
    if (sb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (s == NULL) {
        return fail(sb, WEBRTC_STATUS_NULL_ARG);
    }
    return ertc_strbuf_append(sb, s, strlen(s));
}

WEBRTC_STATUS ertc_strbuf_append_char(ertc_strbuf_t *sb, char c)
{
    return ertc_strbuf_append(sb, &c, 1);
}

WEBRTC_STATUS ertc_strbuf_vappendf(ertc_strbuf_t *sb, const char *fmt, va_list ap)
{
    if (sb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (fmt == NULL) {
        return fail(sb, WEBRTC_STATUS_NULL_ARG);
    }
    if (sb->status != WEBRTC_STATUS_SUCCESS) {
        return sb->status;
    }
    size_t avail = sb->cap - sb->len; /* includes the NUL's byte */
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(avail > 0 ? sb->data + sb->len : NULL, avail, fmt, ap);
    if (n >= 0 && (size_t)n < avail) {
        sb->len += (size_t)n;
        va_end(again);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (avail > 0) {
        sb->data[sb->len] = '\0'; /* drop the partial output */
    }
    WEBRTC_STATUS st = n < 0 ? fail(sb, WEBRTC_STATUS_INVALID_ARG) : reserve_space(sb, (size_t)n);
    if (WEBRTC_STATUS_SUCCEEDED(st)) {
        vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, again);
        sb->len += (size_t)n;
    }
    va_end(again);
    return st;
}

WEBRTC_STATUS ertc_strbuf_appendf(ertc_strbuf_t *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    WEBRTC_STATUS st = ertc_strbuf_vappendf(sb, fmt, ap);
    va_end(ap);
    return st;
}

/* The escape for one byte, or NULL when the byte is copied as it is. */
static const char *json_short_escape(unsigned char c)
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: return NULL;
    }
}

static size_t json_escaped_len(const char *s, size_t len)
{
    size_t out = 2; /* the quotes */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t add = json_short_escape(c) ? 2 : c < 0x20 ? JSON_UNICODE_ESCAPE_LEN : 1;
        if (out > SIZE_MAX - add) {
            return SIZE_MAX;
        }
        out += add;
    }
    return out;
}

WEBRTC_STATUS ertc_strbuf_append_json_string(ertc_strbuf_t *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (sb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (s == NULL && len > 0) {
        return fail(sb, WEBRTC_STATUS_NULL_ARG);
    }
    size_t need = json_escaped_len(s, len);
    WEBRTC_STATUS st = reserve_space(sb, need);
    if (WEBRTC_STATUS_FAILED(st)) {
        return st;
    }
    char *o = sb->data + sb->len;
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = json_short_escape(c);
        if (esc != NULL) {
            *o++ = esc[0];
            *o++ = esc[1];
        } else if (c < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 0xF];
            o += JSON_UNICODE_ESCAPE_LEN;
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    sb->len += need;
    sb->data[sb->len] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_strbuf_reset(ertc_strbuf_t *sb)
{
    sb->len = 0;
    sb->status = WEBRTC_STATUS_SUCCESS;
    if (sb->cap > 0) {
        sb->data[0] = '\0';
    }
}

const char *ertc_strbuf_cstr(const ertc_strbuf_t *sb)
{
    return sb->cap > 0 ? sb->data : "";
}

size_t ertc_strbuf_len(const ertc_strbuf_t *sb)
{
    return sb->len;
}

WEBRTC_STATUS ertc_strbuf_status(const ertc_strbuf_t *sb)
{
    return sb->status;
}

WEBRTC_STATUS ertc_strbuf_detach(ertc_strbuf_t *sb, char **out, size_t *out_len)
{
    if (sb == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!sb->heap) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (sb->status != WEBRTC_STATUS_SUCCESS) {
        return sb->status;
    }
    if (sb->data == NULL) {
        sb->data = ertc_malloc(1);
        if (sb->data == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        sb->data[0] = '\0';
    }
    *out = sb->data;
    if (out_len != NULL) {
        *out_len = sb->len;
    }
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_strbuf_free(ertc_strbuf_t *sb)
{
    if (sb == NULL) {
        return;
    }
    if (sb->heap) {
        ertc_free(sb->data);
        sb->data = NULL;
        sb->cap = 0;
    } else if (sb->cap > 0) {
        sb->data[0] = '\0';
    }
    sb->len = 0;
    sb->status = WEBRTC_STATUS_SUCCESS;
}
