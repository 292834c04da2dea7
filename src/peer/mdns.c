/*
 * peer/mdns — mDNS query builder and response parser (RFC 6762 over the RFC 1035 message
 * format). See mdns.h.
 */
#include "peer/mdns.h"

#include <stdbool.h>
#include <string.h>

#define MDNS_MAX_LABEL 63
#define MDNS_FLAG_QR   0x8000
#define MDNS_PTR_MASK  0xC0
#define MDNS_RR_FIXED  10 /* type, class, ttl, rdlength */
#define MDNS_Q_FIXED   4  /* type, class */

static uint16_t mdns_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void mdns_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static char mdns_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool mdns_name_equal(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    /* A trailing dot means the same name. */
    if (na > 0 && a[na - 1] == '.') {
        na--;
    }
    if (nb > 0 && b[nb - 1] == '.') {
        nb--;
    }
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (mdns_lower(a[i]) != mdns_lower(b[i])) {
            return false;
        }
    }
    return true;
}

WEBRTC_STATUS ertc_mdns_build_query(uint8_t *buf, size_t size, uint16_t id, const char *name,
                                    size_t *out_len)
{
    if (buf == NULL || name == NULL || out_len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > ERTC_MDNS_MAX_NAME) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* header + labels (n + 1 length bytes at most... exactly n + 1 + root) + type/class */
    size_t need = ERTC_MDNS_HEADER_LEN + n + 2 + MDNS_Q_FIXED;
    if (size < need) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memset(buf, 0, ERTC_MDNS_HEADER_LEN);
    mdns_put_u16(buf, id);
    mdns_put_u16(buf + 4, 1); /* QDCOUNT */
    size_t w = ERTC_MDNS_HEADER_LEN;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || name[i] == '.') {
            size_t label = i - start;
            if (label == 0 || label > MDNS_MAX_LABEL) {
                return WEBRTC_STATUS_INVALID_ARG;
            }
            buf[w++] = (uint8_t)label;
            memcpy(buf + w, name + start, label);
            w += label;
            start = i + 1;
        }
    }
    buf[w++] = 0;
    mdns_put_u16(buf + w, ERTC_MDNS_TYPE_A);
    mdns_put_u16(buf + w + 2, ERTC_MDNS_CLASS_IN | ERTC_MDNS_QU_BIT);
    w += MDNS_Q_FIXED;
    *out_len = w;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_mdns_read_name(const uint8_t *buf, size_t len, size_t *offset,
                                  char out[ERTC_MDNS_MAX_NAME + 1])
{
    size_t pos = *offset;
    size_t end = 0; /* where the name ends in the message, set at the first pointer */
    bool jumped = false;
    size_t w = 0;
    unsigned jumps = 0;
    for (;;) {
        if (pos >= len) {
            return WEBRTC_STATUS_MALFORMED;
        }
        uint8_t b = buf[pos];
        if ((b & MDNS_PTR_MASK) == MDNS_PTR_MASK) {
            if (pos + 1 >= len || ++jumps > ERTC_MDNS_MAX_JUMPS) {
                return WEBRTC_STATUS_MALFORMED;
            }
            size_t target = (size_t)(((b & 0x3F) << 8) | buf[pos + 1]);
            if (!jumped) {
                end = pos + 2;
                jumped = true;
            }
            /* Only backwards: a forward or self pointer could loop. */
            if (target >= pos) {
                return WEBRTC_STATUS_MALFORMED;
            }
            pos = target;
            continue;
        }
        if ((b & MDNS_PTR_MASK) != 0) {
            return WEBRTC_STATUS_MALFORMED; /* 0x40 and 0x80: extended label types, unused */
        }
        if (b == 0) {
            pos++;
            break;
        }
        if (pos + 1 + b > len || w + (w != 0 ? 1u : 0u) + b > ERTC_MDNS_MAX_NAME) {
            return WEBRTC_STATUS_MALFORMED;
        }
        if (w != 0) {
            out[w++] = '.';
        }
        memcpy(out + w, buf + pos + 1, b);
        w += b;
        pos += 1u + b;
    }
    out[w] = '\0';
    *offset = jumped ? end : pos;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_mdns_find_a(const uint8_t *buf, size_t len, const char *name, ertc_addr_t *out,
                               uint16_t *id_out)
{
    if (buf == NULL || name == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (len < ERTC_MDNS_HEADER_LEN) {
        return WEBRTC_STATUS_MALFORMED;
    }
    if (id_out != NULL) {
        *id_out = mdns_u16(buf);
    }
    uint16_t flags = mdns_u16(buf + 2);
    size_t qd = mdns_u16(buf + 4);
    size_t records = (size_t)mdns_u16(buf + 6) + mdns_u16(buf + 8) + mdns_u16(buf + 10);
    if ((flags & MDNS_FLAG_QR) == 0) {
        return WEBRTC_STATUS_NOT_FOUND; /* a query, maybe our own looped back */
    }
    if (qd + records > ERTC_MDNS_MAX_RECORDS) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    char rname[ERTC_MDNS_MAX_NAME + 1];
    size_t pos = ERTC_MDNS_HEADER_LEN;
    for (size_t i = 0; i < qd; i++) {
        if (ertc_mdns_read_name(buf, len, &pos, rname) != WEBRTC_STATUS_SUCCESS ||
            len - pos < MDNS_Q_FIXED) {
            return WEBRTC_STATUS_MALFORMED;
        }
        pos += MDNS_Q_FIXED;
    }
    bool found = false;
    for (size_t i = 0; i < records; i++) {
        if (ertc_mdns_read_name(buf, len, &pos, rname) != WEBRTC_STATUS_SUCCESS ||
            len - pos < MDNS_RR_FIXED) {
            return WEBRTC_STATUS_MALFORMED;
        }
        uint16_t type = mdns_u16(buf + pos);
        uint16_t cls = (uint16_t)(mdns_u16(buf + pos + 2) & ~ERTC_MDNS_FLUSH_BIT);
        size_t rdlen = mdns_u16(buf + pos + 8);
        pos += MDNS_RR_FIXED;
        if (len - pos < rdlen) {
            return WEBRTC_STATUS_MALFORMED;
        }
        if (!found && type == ERTC_MDNS_TYPE_A && cls == ERTC_MDNS_CLASS_IN && rdlen == 4 &&
            mdns_name_equal(rname, name)) {
            memset(out, 0, sizeof(*out));
            out->family = ERTC_AF_INET;
            memcpy(out->ip, buf + pos, 4);
            found = true;
        }
        pos += rdlen;
    }
    return found ? WEBRTC_STATUS_SUCCESS : WEBRTC_STATUS_NOT_FOUND;
}
