/*
 * peer/sdp_parser — internal to the SDP parser (sdp.c, sdp_rtp.c, sdp_candidate.c): the
 * spans that values are cut into, the parser's state, and the attribute handlers that live
 * in sdp_rtp.c. Not for use outside src/peer/sdp*.c.
 *
 * A span is a view into the caller's text (pointer and length, never NUL-terminated); the
 * helpers below tokenize, compare and convert spans without copying or allocating.
 */
#ifndef ERTC_PEER_SDP_PARSER_H
#define ERTC_PEER_SDP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "peer/sdp.h"

typedef struct {
    const char *p;
    size_t n;
} sdp_span_t;

/* State of one ertc_sdp_parse() call. */
typedef struct {
    ertc_sdp_t *out;
    size_t line_no;
    ertc_sdp_media_t *media; /* the current m-line; NULL at session level */
    bool session_direction_set;
    ertc_sdp_direction_t session_direction;
    bool direction_set[ERTC_SDP_MAX_MEDIA];
    bool ice_options_set[ERTC_SDP_MAX_MEDIA];
    uint32_t fb_wildcard[ERTC_SDP_MAX_MEDIA]; /* a=rtcp-fb:* flags of each m-line */
} sdp_parser_t;

/* Writes "line N: <message>" into out->error and returns st. */
WEBRTC_STATUS ertc_sdp_parser_fail(sdp_parser_t *ps, WEBRTC_STATUS st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* RTP attributes of the current m-line (sdp_rtp.c); each gets the text after "name:". */
WEBRTC_STATUS ertc_sdp_attr_rtpmap(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_fmtp(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_rtcp_fb(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_extmap(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_ssrc(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_ssrc_group(sdp_parser_t *ps, sdp_span_t value);
WEBRTC_STATUS ertc_sdp_attr_msid(sdp_parser_t *ps, sdp_span_t value);
/* After the last line: wildcard feedback and static payload type names (RFC 3551 §6). */
void ertc_sdp_finish_codecs(ertc_sdp_media_t *m, uint32_t fb_wildcard);

/* ---- spans ------------------------------------------------------------------------------ */

static inline bool sdp_is_space(char c)
{
    return c == ' ' || c == '\t';
}

static inline sdp_span_t sdp_trim(sdp_span_t s)
{
    while (s.n > 0 && sdp_is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && sdp_is_space(s.p[s.n - 1])) {
        s.n--;
    }
    return s;
}

/* Takes the next space-separated token of *s; false when none is left. */
static inline bool sdp_next_token(sdp_span_t *s, sdp_span_t *tok)
{
    *s = sdp_trim(*s);
    if (s->n == 0) {
        return false;
    }
    size_t i = 0;
    while (i < s->n && !sdp_is_space(s->p[i])) {
        i++;
    }
    tok->p = s->p;
    tok->n = i;
    s->p += i;
    s->n -= i;
    return true;
}

/* Splits s at the first `sep`: *head before it, *tail after it; false if sep is absent. */
static inline bool sdp_split(sdp_span_t s, char sep, sdp_span_t *head, sdp_span_t *tail)
{
    const char *at = s.n ? memchr(s.p, sep, s.n) : NULL;
    if (at == NULL) {
        *head = s;
        tail->p = s.p + s.n;
        tail->n = 0;
        return false;
    }
    head->p = s.p;
    head->n = (size_t)(at - s.p);
    tail->p = at + 1;
    tail->n = s.n - head->n - 1;
    return true;
}

static inline char sdp_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline bool sdp_span_eq(sdp_span_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline bool sdp_span_eq_nocase(sdp_span_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (sdp_lower(s.p[i]) != sdp_lower(lit[i])) {
            return false;
        }
    }
    return true;
}

/* Copies s into dst[0..max_len] with a NUL; false (dst untouched) if s is longer. */
static inline bool sdp_copy(sdp_span_t s, char *dst, size_t max_len)
{
    if (s.n > max_len) {
        return false;
    }
    if (s.n > 0) {
        memcpy(dst, s.p, s.n);
    }
    dst[s.n] = '\0';
    return true;
}

static inline bool sdp_parse_u64(sdp_span_t s, uint64_t max, uint64_t *out)
{
    if (s.n == 0 || s.n > 20) {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        uint64_t d = (uint64_t)(s.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

static inline bool sdp_parse_u32(sdp_span_t s, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!sdp_parse_u64(s, max, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

#endif
