/*
 * peer/pc_if_ice — ICE server URLs, server tables and the name resolver thread (see
 * pc_if_ice.h).
 */
#include "peer/pc_if_ice.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "pc_if"

static void set_err(char *err, size_t size, const char *text)
{
    if (err != NULL && size > 0) {
        snprintf(err, size, "%s", text);
    }
}

static bool host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static WEBRTC_STATUS parse_port(const char *p, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5) {
        return WEBRTC_STATUS_MALFORMED;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return WEBRTC_STATUS_MALFORMED;
        }
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    if (v == 0 || v > 65535) {
        return WEBRTC_STATUS_MALFORMED;
    }
    *out = (uint16_t)v;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_pc_if_parse_ice_url(const char *url, size_t len, ertc_ice_url_t *out, char *err,
                                       size_t err_size)
{
    if (url == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(out, 0, sizeof(*out));
    static const struct {
        const char *prefix;
        ertc_ice_url_scheme_t scheme;
    } schemes[] = {
        {"stun:", ERTC_ICE_URL_STUN},
        {"stuns:", ERTC_ICE_URL_STUNS},
        {"turn:", ERTC_ICE_URL_TURN},
        {"turns:", ERTC_ICE_URL_TURNS},
    };
    size_t pos = 0;
    bool found = false;
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && !found; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (len >= n && strncasecmp(url, schemes[i].prefix, n) == 0) {
            out->scheme = schemes[i].scheme;
            pos = n;
            found = true;
        }
    }
    if (!found) {
        set_err(err, err_size, "scheme is not stun:, stuns:, turn: or turns:");
        return WEBRTC_STATUS_MALFORMED;
    }
    if (len - pos >= 2 && url[pos] == '/' && url[pos + 1] == '/') {
        pos += 2; /* "stun://host": not RFC 7064, but written by people */
    }
    bool tls = out->scheme == ERTC_ICE_URL_STUNS || out->scheme == ERTC_ICE_URL_TURNS;
    out->port = tls ? ERTC_PC_IF_ICE_DEFAULT_TLS_PORT : ERTC_PC_IF_ICE_DEFAULT_PORT;
    /* Host: [v6] or a run of host characters. */
    size_t host_start;
    size_t host_end;
    bool bracketed = pos < len && url[pos] == '[';
    if (bracketed) {
        host_start = pos + 1;
        host_end = host_start;
        while (host_end < len && url[host_end] != ']') {
            host_end++;
        }
        if (host_end >= len) {
            set_err(err, err_size, "IPv6 literal without ']'");
            return WEBRTC_STATUS_MALFORMED;
        }
        pos = host_end + 1;
    } else {
        host_start = pos;
        while (pos < len && host_char_ok(url[pos])) {
            pos++;
        }
        host_end = pos;
    }
    size_t host_len = host_end - host_start;
    if (host_len == 0 || host_len > ERTC_PC_IF_ICE_MAX_HOST) {
        set_err(err, err_size, host_len == 0 ? "no host" : "host name too long");
        return WEBRTC_STATUS_MALFORMED;
    }
    memcpy(out->host, url + host_start, host_len);
    out->host[host_len] = '\0';
    ertc_addr_t probe;
    out->host_is_literal = ertc_addr_parse_ip(out->host, &probe) == WEBRTC_STATUS_SUCCESS;
    if (bracketed && !out->host_is_literal) {
        set_err(err, err_size, "bracketed host is not an IPv6 address");
        return WEBRTC_STATUS_MALFORMED;
    }
    if (pos < len && url[pos] == ':') {
        size_t p0 = ++pos;
        while (pos < len && url[pos] >= '0' && url[pos] <= '9') {
            pos++;
        }
        if (parse_port(url + p0, pos - p0, &out->port) != WEBRTC_STATUS_SUCCESS) {
            set_err(err, err_size, "port is not 1-65535");
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    if (pos < len && url[pos] == '?') {
        bool stun = out->scheme == ERTC_ICE_URL_STUN || out->scheme == ERTC_ICE_URL_STUNS;
        const char *q = url + pos + 1;
        size_t qn = len - pos - 1;
        if (stun) {
            set_err(err, err_size, "a stun: URI has no query (RFC 7064)");
            return WEBRTC_STATUS_MALFORMED;
        }
        if (qn == strlen("transport=udp") && strncasecmp(q, "transport=udp", qn) == 0) {
            out->transport_tcp = false;
        } else if (qn == strlen("transport=tcp") && strncasecmp(q, "transport=tcp", qn) == 0) {
            out->transport_tcp = true;
        } else {
            set_err(err, err_size, "query is not ?transport=udp or ?transport=tcp");
            return WEBRTC_STATUS_MALFORMED;
        }
        pos = len;
    }
    if (pos != len) {
        set_err(err, err_size, "unexpected characters after the host");
        return WEBRTC_STATUS_MALFORMED;
    }
    if (out->scheme == ERTC_ICE_URL_TURNS) {
        out->transport_tcp = true; /* TURN over TLS runs on TCP */
    }
    return WEBRTC_STATUS_SUCCESS;
}

static const char *scheme_name(ertc_ice_url_scheme_t s)
{
    switch (s) {
    case ERTC_ICE_URL_STUN: return "stun";
    case ERTC_ICE_URL_STUNS: return "stuns";
    case ERTC_ICE_URL_TURN: return "turn";
    case ERTC_ICE_URL_TURNS: return "turns";
    }
    return "?";
}

WEBRTC_STATUS ertc_pc_if_ice_set_add(ertc_pc_if_ice_set_t *set, const ertc_pc_if_ice_name_t *name,
                                     const ertc_addr_t *addr)
{
    if (name->is_turn) {
        if (set->turn_count >= ERTC_ICE_MAX_TURN_SERVERS) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        ertc_ice_turn_server_t *t = &set->turn[set->turn_count++];
        memset(t, 0, sizeof(*t));
        t->addr = *addr;
        t->addr.port = name->port;
        snprintf(t->username, sizeof(t->username), "%s", name->username);
        snprintf(t->password, sizeof(t->password), "%s", name->password);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (set->stun_count >= ERTC_ICE_MAX_STUN_SERVERS) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    set->stun[set->stun_count] = *addr;
    set->stun[set->stun_count].port = name->port;
    set->stun_count++;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_pc_if_ice_set_clear(ertc_pc_if_ice_set_t *set)
{
    volatile uint8_t *p = (volatile uint8_t *)set;
    for (size_t i = 0; i < sizeof(*set); i++) {
        p[i] = 0;
    }
}

static void name_clear(ertc_pc_if_ice_name_t *n)
{
    volatile uint8_t *p = (volatile uint8_t *)n;
    for (size_t i = 0; i < sizeof(*n); i++) {
        p[i] = 0;
    }
}

size_t ertc_pc_if_ice_prepare(const app_webrtc_ice_server_t *servers, uint32_t count, bool use_turn,
                              ertc_pc_if_ice_set_t *set, ertc_pc_if_ice_name_t *names,
                              size_t *name_count)
{
    size_t used = 0;
    for (uint32_t i = 0; i < count; i++) {
        const app_webrtc_ice_server_t *s = &servers[i];
        size_t url_len = strnlen(s->urls, sizeof(s->urls));
        ertc_ice_url_t url;
        char err[96] = "";
        if (ertc_pc_if_parse_ice_url(s->urls, url_len, &url, err, sizeof(err)) !=
            WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "ICE server %u skipped: %s (\"%.*s\")", (unsigned)i, err,
                      (int)strcspn(s->urls, "?"), s->urls);
            continue;
        }
        bool turn = url.scheme == ERTC_ICE_URL_TURN || url.scheme == ERTC_ICE_URL_TURNS;
        if (turn && !use_turn) {
            ERTC_LOGD(TAG, "ICE server %s:%s skipped: TURN is off", scheme_name(url.scheme),
                      url.host);
            continue;
        }
        if (url.scheme == ERTC_ICE_URL_STUNS || url.scheme == ERTC_ICE_URL_TURNS ||
            url.transport_tcp) {
            ERTC_LOGW(TAG, "ICE server %s:%s skipped: %s is not supported yet (UDP only)",
                      scheme_name(url.scheme), url.host,
                      url.transport_tcp && url.scheme == ERTC_ICE_URL_TURN ? "TURN over TCP"
                                                                           : "TLS");
            continue;
        }
        ertc_pc_if_ice_name_t name;
        memset(&name, 0, sizeof(name));
        name.is_turn = turn;
        name.port = url.port;
        snprintf(name.host, sizeof(name.host), "%s", url.host);
        if (turn) {
            size_t ul = strnlen(s->username, sizeof(s->username));
            size_t pl = strnlen(s->credential, sizeof(s->credential));
            if (ul > ERTC_ICE_TURN_MAX_CRED || pl > ERTC_ICE_TURN_MAX_CRED || ul == 0) {
                ERTC_LOGW(TAG, "ICE server turn:%s skipped: username %s", url.host,
                          ul == 0 ? "missing" : "or credential longer than 255 bytes");
                continue;
            }
            memcpy(name.username, s->username, ul);
            memcpy(name.password, s->credential, pl);
        }
        WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
        if (url.host_is_literal) {
            ertc_addr_t addr;
            memset(&addr, 0, sizeof(addr));
            (void)ertc_addr_parse_ip(url.host, &addr);
            st = ertc_pc_if_ice_set_add(set, &name, &addr);
        } else if (*name_count < ERTC_PC_IF_ICE_MAX_NAMES) {
            names[(*name_count)++] = name;
        } else {
            st = WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        name_clear(&name);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "ICE server %s:%s skipped: too many %s servers", scheme_name(url.scheme),
                      url.host, turn ? "TURN" : "STUN");
            continue;
        }
        used++;
    }
    return used;
}

/* ---- resolver thread ------------------------------------------------------------------- */

struct ertc_pc_if_resolver {
    ertc_thread_t *thread;
    atomic_bool done;
    bool collected;
    size_t count;
    ertc_pc_if_ice_name_t names[ERTC_PC_IF_ICE_MAX_NAMES];
    ertc_addr_t addrs[ERTC_PC_IF_ICE_MAX_NAMES];
    bool ok[ERTC_PC_IF_ICE_MAX_NAMES];
};

static void resolver_thread(void *arg)
{
    ertc_pc_if_resolver_t *r = arg;
    for (size_t i = 0; i < r->count; i++) {
        r->ok[i] = ertc_addr_resolve(r->names[i].host, r->names[i].port, ERTC_AF_INET,
                                     &r->addrs[i]) == WEBRTC_STATUS_SUCCESS;
        if (!r->ok[i]) {
            ERTC_LOGW(TAG, "ICE server %s: name not resolved (%s server skipped)", r->names[i].host,
                      r->names[i].is_turn ? "TURN" : "STUN");
        }
    }
    atomic_store(&r->done, true);
}

WEBRTC_STATUS ertc_pc_if_resolver_start(const ertc_pc_if_ice_name_t *names, size_t count,
                                        ertc_pc_if_resolver_t **out)
{
    if (names == NULL || out == NULL || count > ERTC_PC_IF_ICE_MAX_NAMES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_pc_if_resolver_t *r = ertc_calloc(1, sizeof(*r));
    if (r == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    memcpy(r->names, names, count * sizeof(*names));
    r->count = count;
    atomic_init(&r->done, false);
    WEBRTC_STATUS st = ertc_thread_create(&r->thread, "ertc-resolve", 0, resolver_thread, r);
    if (st != WEBRTC_STATUS_SUCCESS) {
        r->thread = NULL;
        ertc_pc_if_resolver_free(r);
        return st;
    }
    *out = r;
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_pc_if_resolver_poll(ertc_pc_if_resolver_t *r, ertc_pc_if_ice_set_t *set)
{
    if (r == NULL || !atomic_load(&r->done)) {
        return false;
    }
    if (!r->collected) {
        r->collected = true;
        for (size_t i = 0; i < r->count; i++) {
            if (r->ok[i] &&
                ertc_pc_if_ice_set_add(set, &r->names[i], &r->addrs[i]) != WEBRTC_STATUS_SUCCESS) {
                ERTC_LOGW(TAG, "ICE server %s skipped: too many servers", r->names[i].host);
            }
        }
    }
    return true;
}

void ertc_pc_if_resolver_free(ertc_pc_if_resolver_t *r)
{
    if (r == NULL) {
        return;
    }
    if (r->thread != NULL) {
        (void)ertc_thread_join(r->thread);
    }
    for (size_t i = 0; i < ERTC_PC_IF_ICE_MAX_NAMES; i++) {
        name_clear(&r->names[i]);
    }
    ertc_free(r);
}
