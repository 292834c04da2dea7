/*
 * port/posix/socket — addresses and non-blocking UDP/TCP sockets (port/socket.h) over BSD
 * sockets.
 *
 * Every socket is non-blocking and close-on-exec from the moment it exists (SOCK_NONBLOCK |
 * SOCK_CLOEXEC), so a fork+exec in another thread never inherits one. IPv6 sockets are
 * IPV6_V6ONLY: an ICE agent gathers IPv4 and IPv6 separately and must know which family a
 * socket really carries. Errors map onto three statuses callers act on: RETRY_LATER (wait
 * for readiness), NETWORK_ERROR (this path failed; the errno is named in a debug log) and
 * MALFORMED (a datagram did not fit and was dropped).
 */
#include "port/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"

#define TAG "socket"

#define DEFAULT_BACKLOG 128

/* ---- errors ------------------------------------------------------------------------------ */

/* Names for the errnos networking code meets, so logs say "ECONNREFUSED" and not "111". */
static const struct {
    int err;
    const char *name;
} errno_names[] = {
    {EACCES, "EACCES"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {EAGAIN, "EAGAIN"},
    {EBADF, "EBADF"},
    {ECONNABORTED, "ECONNABORTED"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {ECONNRESET, "ECONNRESET"},
    {EHOSTDOWN, "EHOSTDOWN"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {EINVAL, "EINVAL"},
    {EMFILE, "EMFILE"},
    {EMSGSIZE, "EMSGSIZE"},
    {ENETDOWN, "ENETDOWN"},
    {ENETUNREACH, "ENETUNREACH"},
    {ENFILE, "ENFILE"},
    {ENOBUFS, "ENOBUFS"},
    {ENOMEM, "ENOMEM"},
    {ENOTCONN, "ENOTCONN"},
    {ENOTSOCK, "ENOTSOCK"},
    {EPERM, "EPERM"},
    {EPIPE, "EPIPE"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
    {ETIMEDOUT, "ETIMEDOUT"},
};

static const char *errno_name(int err)
{
    for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++) {
        if (errno_names[i].err == err) {
            return errno_names[i].name;
        }
    }
    return "errno"; /* the number follows in every message */
}

static bool is_would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK;
}

/* The last failure's errno on this thread, for ertc_socket_error_text(). */
static _Thread_local int last_error;

const char *ertc_socket_error_text(void)
{
    return last_error ? strerror(last_error) : "no error";
}

/* Maps a failed call's errno to a status; "would block" is not a failure and is not logged. */
static WEBRTC_STATUS status_from_errno(int err, const char *op)
{
    if (is_would_block(err)) {
        return WEBRTC_STATUS_RETRY_LATER;
    }
    last_error = err;
    ERTC_LOGD(TAG, "%s: %s (%d)", op, errno_name(err), err);
    switch (err) {
    case ENOMEM:
    case ENFILE:
    case EMFILE: return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    case EBADF:
    case ENOTSOCK:
    case EINVAL: return WEBRTC_STATUS_INVALID_ARG;
    default: return WEBRTC_STATUS_NETWORK_ERROR;
    }
}

/* ---- addresses --------------------------------------------------------------------------- */

static void addr_to_sockaddr(const ertc_addr_t *a, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (a->family == ERTC_AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a->port);
        memcpy(&sin->sin_addr, a->ip, 4);
        *len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(a->port);
        memcpy(&sin6->sin6_addr, a->ip, 16);
        sin6->sin6_scope_id = a->scope_id;
        *len = sizeof(*sin6);
    }
}

static bool addr_from_sockaddr(const struct sockaddr *sa, ertc_addr_t *a)
{
    memset(a, 0, sizeof(*a));
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
        a->family = ERTC_AF_INET;
        a->port = ntohs(sin->sin_port);
        memcpy(a->ip, &sin->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
        a->family = ERTC_AF_INET6;
        a->port = ntohs(sin6->sin6_port);
        memcpy(a->ip, &sin6->sin6_addr, 16);
        a->scope_id = sin6->sin6_scope_id;
        return true;
    }
    return false;
}

static bool family_valid(const ertc_addr_t *a)
{
    return a->family == ERTC_AF_INET || a->family == ERTC_AF_INET6;
}

WEBRTC_STATUS ertc_addr_parse_ip(const char *s, ertc_addr_t *addr)
{
    if (s == NULL || addr == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    uint8_t ip[16] = {0};
    if (inet_pton(AF_INET, s, ip) == 1) {
        addr->family = ERTC_AF_INET;
        memcpy(addr->ip, ip, sizeof(ip));
        addr->scope_id = 0;
        return WEBRTC_STATUS_SUCCESS;
    }

    /* IPv6, optionally with a zone: "fe80::1%eth0" or "fe80::1%2". */
    char text[INET6_ADDRSTRLEN];
    const char *zone = strchr(s, '%');
    size_t n = zone != NULL ? (size_t)(zone - s) : strlen(s);
    if (n == 0 || n >= sizeof(text)) {
        return WEBRTC_STATUS_MALFORMED;
    }
    memcpy(text, s, n);
    text[n] = '\0';
    if (inet_pton(AF_INET6, text, ip) != 1) {
        return WEBRTC_STATUS_MALFORMED;
    }
    uint32_t scope = 0;
    if (zone != NULL) {
        const char *z = zone + 1;
        if (*z == '\0') {
            return WEBRTC_STATUS_MALFORMED;
        }
        if (*z >= '0' && *z <= '9') {
            char *end = NULL;
            unsigned long v = strtoul(z, &end, 10);
            if (*end != '\0' || v > UINT32_MAX) {
                return WEBRTC_STATUS_MALFORMED;
            }
            scope = (uint32_t)v;
        } else {
            scope = if_nametoindex(z);
            if (scope == 0) {
                return WEBRTC_STATUS_NOT_FOUND;
            }
        }
    }
    addr->family = ERTC_AF_INET6;
    memcpy(addr->ip, ip, sizeof(ip));
    addr->scope_id = scope;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_addr_format(const ertc_addr_t *addr, bool with_port, char *out, size_t size)
{
    if (addr == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (size > 0) {
        out[0] = '\0';
    }
    if (!family_valid(addr)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    char ip[INET6_ADDRSTRLEN];
    int af = addr->family == ERTC_AF_INET ? AF_INET : AF_INET6;
    if (inet_ntop(af, addr->ip, ip, sizeof(ip)) == NULL) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    char zone[16] = "";
    if (af == AF_INET6 && addr->scope_id != 0) {
        snprintf(zone, sizeof(zone), "%%%u", (unsigned)addr->scope_id);
    }
    int n;
    if (!with_port) {
        n = snprintf(out, size, "%s%s", ip, zone);
    } else if (af == AF_INET) {
        n = snprintf(out, size, "%s:%u", ip, (unsigned)addr->port);
    } else {
        n = snprintf(out, size, "[%s%s]:%u", ip, zone, (unsigned)addr->port);
    }
    if (n < 0 || (size_t)n >= size) {
        if (size > 0) {
            out[0] = '\0';
        }
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_addr_equal(const ertc_addr_t *a, const ertc_addr_t *b)
{
    if (a == NULL || b == NULL || a->family != b->family || a->port != b->port) {
        return false;
    }
    size_t n = a->family == ERTC_AF_INET ? 4 : 16;
    return memcmp(a->ip, b->ip, n) == 0;
}

static bool is_v4_mapped(const uint8_t ip[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(ip, prefix, sizeof(prefix)) == 0;
}

bool ertc_addr_is_loopback(const ertc_addr_t *addr)
{
    if (addr == NULL) {
        return false;
    }
    if (addr->family == ERTC_AF_INET) {
        return addr->ip[0] == 127; /* 127.0.0.0/8 */
    }
    if (addr->family == ERTC_AF_INET6) {
        static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return memcmp(addr->ip, v6_loopback, 16) == 0 ||
               (is_v4_mapped(addr->ip) && addr->ip[12] == 127);
    }
    return false;
}

WEBRTC_STATUS ertc_addr_resolve(const char *host, uint16_t port, int family, ertc_addr_t *out)
{
    if (host == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (family != 0 && family != ERTC_AF_INET && family != ERTC_AF_INET6) {
        return WEBRTC_STATUS_INVALID_ARG;
    }

    /* Numeric addresses (also "[v6]" as written in URLs) need no resolver round trip. */
    char bare[INET6_ADDRSTRLEN + 16];
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(bare)) {
        memcpy(bare, host + 1, len - 2);
        bare[len - 2] = '\0';
        host = bare;
    }
    ertc_addr_t numeric = {0};
    if (ertc_addr_parse_ip(host, &numeric) == WEBRTC_STATUS_SUCCESS) {
        if (family != 0 && numeric.family != family) {
            return WEBRTC_STATUS_NOT_FOUND;
        }
        numeric.port = port;
        *out = numeric;
        return WEBRTC_STATUS_SUCCESS;
    }

    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family == ERTC_AF_INET    ? AF_INET
                      : family == ERTC_AF_INET6 ? AF_INET6
                                                : AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM; /* one entry per address instead of one per protocol */
    struct addrinfo *res = NULL;
    int err = getaddrinfo(host, NULL, &hints, &res);
    if (err != 0) {
        ERTC_LOGD(TAG, "resolve %s: %s", host, gai_strerror(err));
        return err == EAI_NONAME || err == EAI_NODATA || err == EAI_ADDRFAMILY
                   ? WEBRTC_STATUS_NOT_FOUND
                   : WEBRTC_STATUS_NETWORK_ERROR;
    }
    WEBRTC_STATUS st = WEBRTC_STATUS_NOT_FOUND;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        if (ai->ai_addr != NULL && addr_from_sockaddr(ai->ai_addr, out)) {
            out->port = port;
            st = WEBRTC_STATUS_SUCCESS;
            break;
        }
    }
    freeaddrinfo(res);
    return st;
}

static bool is_v6_link_local(const uint8_t ip[16])
{
    return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80; /* fe80::/10 */
}

static bool contains_addr(const ertc_addr_t *list, size_t n, const ertc_addr_t *a)
{
    for (size_t i = 0; i < n; i++) {
        if (ertc_addr_equal(&list[i], a)) {
            return true;
        }
    }
    return false;
}

size_t ertc_addr_list_local(ertc_addr_t *out, size_t max, bool include_v6, bool include_loopback)
{
    if (out == NULL || max == 0) {
        return 0;
    }
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0) {
        ERTC_LOGW(TAG, "getifaddrs: %s (%d)", errno_name(errno), errno);
        return 0;
    }
    size_t n = 0;
    for (struct ifaddrs *ifa = ifs; ifa != NULL && n < max; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || (ifa->ifa_flags & IFF_UP) == 0) {
            continue;
        }
        ertc_addr_t a;
        if (!addr_from_sockaddr(ifa->ifa_addr, &a)) {
            continue; /* AF_PACKET and friends */
        }
        bool loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0 || ertc_addr_is_loopback(&a);
        if (loopback && !include_loopback) {
            continue;
        }
        if (a.family == ERTC_AF_INET6) {
            /* Link-local and v4-mapped addresses are not reachable "global" addresses. */
            if (!include_v6 || is_v4_mapped(a.ip) || (!loopback && is_v6_link_local(a.ip))) {
                continue;
            }
            a.scope_id = 0;
        }
        if (!contains_addr(out, n, &a)) {
            out[n++] = a;
        }
    }
    freeifaddrs(ifs);
    return n;
}

/* ---- sockets ----------------------------------------------------------------------------- */

static WEBRTC_STATUS open_socket(uint8_t family, int type, ertc_socket_t *out)
{
    int domain = family == ERTC_AF_INET ? AF_INET : AF_INET6;
    int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return status_from_errno(errno, "socket");
    }
    if (domain == AF_INET6) {
        int on = 1;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    *out = fd;
    return WEBRTC_STATUS_SUCCESS;
}

/* Small writes (signaling frames, WebSocket pings) must leave at once, not wait for Nagle. */
static void set_nodelay(ertc_socket_t s)
{
    int on = 1;
    (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* Logs "op addr: ERRNAME" at debug level and maps errno to a status. */
static WEBRTC_STATUS status_for_peer(int err, const char *op, const ertc_addr_t *peer)
{
    char what[ERTC_ADDR_STRLEN + 32];
    char text[ERTC_ADDR_STRLEN];
    if (peer == NULL || ertc_addr_format(peer, true, text, sizeof(text)) != WEBRTC_STATUS_SUCCESS) {
        snprintf(text, sizeof(text), "?");
    }
    snprintf(what, sizeof(what), "%s %s", op, text);
    return status_from_errno(err, what);
}

static WEBRTC_STATUS open_bound(const ertc_addr_t *bind_addr, int type, bool reuse,
                                ertc_socket_t *out)
{
    if (bind_addr == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = ERTC_INVALID_SOCKET;
    if (!family_valid(bind_addr)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_socket_t s;
    WEBRTC_STATUS st = open_socket(bind_addr->family, type, &s);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (reuse) {
        /* Lets a restarted server bind again while old connections sit in TIME_WAIT. */
        int on = 1;
        (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    }
    struct sockaddr_storage ss;
    socklen_t len;
    addr_to_sockaddr(bind_addr, &ss, &len);
    if (bind(s, (struct sockaddr *)&ss, len) != 0) {
        int err = errno;
        close(s);
        return status_for_peer(err, "bind", bind_addr);
    }
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_udp_open(const ertc_addr_t *bind_addr, ertc_socket_t *out)
{
    return open_bound(bind_addr, SOCK_DGRAM, false, out);
}

WEBRTC_STATUS ertc_udp_sendto(ertc_socket_t s, const void *buf, size_t len, const ertc_addr_t *to)
{
    if ((buf == NULL && len > 0) || to == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!family_valid(to)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    struct sockaddr_storage ss;
    socklen_t sslen;
    addr_to_sockaddr(to, &ss, &sslen);
    ssize_t n;
    do {
        n = sendto(s, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&ss, sslen);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        int err = errno;
        if (err == ENOBUFS) {
            return WEBRTC_STATUS_RETRY_LATER; /* the interface queue is full for a moment */
        }
        if (err == EMSGSIZE) {
            ERTC_LOGD(TAG, "sendto: %zu bytes exceed the path MTU", len);
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        return status_for_peer(err, "sendto", to);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_udp_recvfrom(ertc_socket_t s, void *buf, size_t size, size_t *len_out,
                                ertc_addr_t *from)
{
    if (buf == NULL || len_out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *len_out = 0;
    struct sockaddr_storage ss;
    socklen_t sslen;
    ssize_t n;
    do {
        sslen = sizeof(ss);
        /* MSG_TRUNC makes Linux return the datagram's real length, so a datagram larger than
         * buf is detected instead of silently handed over cut. */
        n = recvfrom(s, buf, size, MSG_TRUNC, (struct sockaddr *)&ss, &sslen);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return status_from_errno(errno, "recvfrom");
    }
    ertc_addr_t peer;
    if (!addr_from_sockaddr((struct sockaddr *)&ss, &peer)) {
        memset(&peer, 0, sizeof(peer));
    }
    if (from != NULL) {
        *from = peer;
    }
    if ((size_t)n > size) {
        char text[ERTC_ADDR_STRLEN];
        ertc_addr_format(&peer, true, text, sizeof(text));
        ERTC_LOGD(TAG, "dropped a %zd-byte datagram from %s (buffer %zu)", n, text, size);
        return WEBRTC_STATUS_MALFORMED;
    }
    *len_out = (size_t)n;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_connect_start(const ertc_addr_t *to, ertc_socket_t *out)
{
    if (to == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = ERTC_INVALID_SOCKET;
    if (!family_valid(to)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_socket_t s;
    WEBRTC_STATUS st = open_socket(to->family, SOCK_STREAM, &s);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    set_nodelay(s);
    struct sockaddr_storage ss;
    socklen_t len;
    addr_to_sockaddr(to, &ss, &len);
    if (connect(s, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS && errno != EINTR) {
        /* EINTR: the connect goes on in the background, exactly like EINPROGRESS. */
        int err = errno;
        close(s);
        st = status_for_peer(err, "connect", to);
        return st == WEBRTC_STATUS_RETRY_LATER ? WEBRTC_STATUS_NETWORK_ERROR : st;
    }
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_connect_result(ertc_socket_t s)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        return status_from_errno(errno, "getsockopt(SO_ERROR)");
    }
    if (err != 0) {
        WEBRTC_STATUS st = status_from_errno(err, "connect");
        return st == WEBRTC_STATUS_RETRY_LATER ? WEBRTC_STATUS_NETWORK_ERROR : st;
    }
    /* No error yet: either connected, or still in progress (asked before writability). */
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    if (getpeername(s, (struct sockaddr *)&ss, &sslen) != 0) {
        return errno == ENOTCONN ? WEBRTC_STATUS_RETRY_LATER
                                 : status_from_errno(errno, "getpeername");
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_listen(const ertc_addr_t *bind_addr, int backlog, ertc_socket_t *out)
{
    WEBRTC_STATUS st = open_bound(bind_addr, SOCK_STREAM, true, out);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (listen(*out, backlog > 0 ? backlog : DEFAULT_BACKLOG) != 0) {
        int err = errno;
        close(*out);
        *out = ERTC_INVALID_SOCKET;
        return status_for_peer(err, "listen", bind_addr);
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_accept(ertc_socket_t listener, ertc_socket_t *out, ertc_addr_t *peer)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = ERTC_INVALID_SOCKET;
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;
    do {
        len = sizeof(ss);
        fd = accept4(listener, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        /* A connection reset before we accepted it is gone; there may be others. */
        if (errno == ECONNABORTED || errno == EPROTO) {
            return WEBRTC_STATUS_RETRY_LATER;
        }
        return status_from_errno(errno, "accept");
    }
    set_nodelay(fd);
    if (peer != NULL && !addr_from_sockaddr((struct sockaddr *)&ss, peer)) {
        memset(peer, 0, sizeof(*peer));
    }
    *out = fd;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_send(ertc_socket_t s, const void *buf, size_t len, size_t *n_out)
{
    if ((buf == NULL && len > 0) || n_out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *n_out = 0;
    ssize_t n;
    do {
        /* MSG_NOSIGNAL: a peer that closed must give EPIPE here, not kill the process. */
        n = send(s, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return status_from_errno(errno, "send");
    }
    *n_out = (size_t)n;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_tcp_recv(ertc_socket_t s, void *buf, size_t size, size_t *n_out)
{
    if (buf == NULL || n_out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *n_out = 0;
    if (size == 0) {
        return WEBRTC_STATUS_INVALID_ARG; /* 0 bytes read would look like the peer closing */
    }
    ssize_t n;
    do {
        n = recv(s, buf, size, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return status_from_errno(errno, "recv");
    }
    *n_out = (size_t)n;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_socket_local_addr(ertc_socket_t s, ertc_addr_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(s, (struct sockaddr *)&ss, &len) != 0) {
        return status_from_errno(errno, "getsockname");
    }
    if (!addr_from_sockaddr((struct sockaddr *)&ss, out)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_socket_peer_addr(ertc_socket_t s, ertc_addr_t *out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getpeername(s, (struct sockaddr *)&ss, &len) != 0) {
        return status_from_errno(errno, "getpeername");
    }
    if (!addr_from_sockaddr((struct sockaddr *)&ss, out)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_socket_close(ertc_socket_t s)
{
    if (s >= 0) {
        /* Linux releases the descriptor even when close reports EINTR: never retry. */
        (void)close(s);
    }
}
