/*
 * port/posix/socket_multicast — IPv4 multicast UDP sockets (port/socket.h) over BSD sockets.
 *
 * Kept apart from socket.c: only mDNS resolution uses it. The listener binds the wildcard
 * address, not the group: on Linux a socket bound to the group address does not receive the
 * unicast answers some responders send to port 5353, and binding the wildcard is what avahi
 * and Chromium do, so sharing the port with them (SO_REUSEADDR + SO_REUSEPORT on every
 * socket) works. IP_MULTICAST_ALL is turned off so that groups other programs joined on the
 * same port do not reach us.
 */
#include "port/socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"

#define TAG "socket"

#define MULTICAST_TTL 255 /* RFC 6762 §11: receivers check it, routers never forward 224.0.0/24 */

static bool is_v4(const ertc_addr_t *a)
{
    return a != NULL && a->family == ERTC_AF_INET;
}

static struct in_addr in_addr_of(const ertc_addr_t *a)
{
    struct in_addr in;
    memcpy(&in.s_addr, a->ip, 4);
    return in;
}

static WEBRTC_STATUS sockopt_failed(const char *what)
{
    int err = errno;
    ERTC_LOGD(TAG, "%s: %s", what, strerror(err));
    return err == EBADF || err == ENOTSOCK || err == EINVAL ? WEBRTC_STATUS_INVALID_ARG
                                                            : WEBRTC_STATUS_NETWORK_ERROR;
}

static WEBRTC_STATUS set_ttl_and_loop(int s)
{
    unsigned char ttl = MULTICAST_TTL;
    unsigned char loop = 1;
    if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0 ||
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) != 0) {
        return sockopt_failed("IP_MULTICAST_TTL/LOOP");
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_udp_set_multicast_if(ertc_socket_t s, const ertc_addr_t *iface)
{
    if (iface == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!is_v4(iface)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    struct in_addr in = in_addr_of(iface);
    if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &in, sizeof(in)) != 0) {
        return sockopt_failed("IP_MULTICAST_IF");
    }
    return set_ttl_and_loop(s);
}

WEBRTC_STATUS ertc_udp_open_multicast(const ertc_addr_t *group, const ertc_addr_t *ifaces, size_t n,
                                      ertc_socket_t *out)
{
    if (group == NULL || out == NULL || (ifaces == NULL && n > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *out = ERTC_INVALID_SOCKET;
    if (!is_v4(group) || (group->ip[0] & 0xf0) != 0xe0) { /* 224.0.0.0/4 */
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_v4(&ifaces[i])) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return errno == EMFILE || errno == ENFILE ? WEBRTC_STATUS_NOT_ENOUGH_MEMORY
                                                  : WEBRTC_STATUS_NETWORK_ERROR;
    }
    int on = 1;
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) {
        st = sockopt_failed("SO_REUSEADDR");
    }
#ifdef SO_REUSEPORT
    if (st == WEBRTC_STATUS_SUCCESS &&
        setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) {
        st = sockopt_failed("SO_REUSEPORT");
    }
#endif
#ifdef IP_MULTICAST_ALL
    int off = 0;
    (void)setsockopt(s, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off));
#endif
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(group->port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (st == WEBRTC_STATUS_SUCCESS && bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        ERTC_LOGD(TAG, "bind 0.0.0.0:%u (shared): %s", (unsigned)group->port, strerror(errno));
        st = WEBRTC_STATUS_NETWORK_ERROR;
    }
    size_t joined = 0;
    for (size_t i = 0; st == WEBRTC_STATUS_SUCCESS && i < (n > 0 ? n : 1); i++) {
        struct ip_mreq m;
        memset(&m, 0, sizeof(m));
        m.imr_multiaddr = in_addr_of(group);
        m.imr_interface.s_addr = n > 0 ? in_addr_of(&ifaces[i]).s_addr : htonl(INADDR_ANY);
        if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) == 0) {
            joined++;
        } else {
            ERTC_LOGD(TAG, "IP_ADD_MEMBERSHIP on interface %zu: %s", i, strerror(errno));
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS && joined == 0) {
        st = WEBRTC_STATUS_NETWORK_ERROR;
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = n > 0 ? ertc_udp_set_multicast_if(s, &ifaces[0]) : set_ttl_and_loop(s);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        close(s);
        return st;
    }
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}
