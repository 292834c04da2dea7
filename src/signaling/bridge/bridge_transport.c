/*
 * Bridge transports over POSIX: UNIX sockets, TCP and serial ttys (bridge_transport.h).
 */
#include "signaling/bridge/bridge_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"

#define TAG "bridge"

static WEBRTC_STATUS copy_path(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n == 0 || n >= cap) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    memcpy(dst, src, n + 1);
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_bridge_endpoint_parse(const char *spec, ertc_bridge_endpoint_t *ep)
{
    if (spec == NULL || ep == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(ep, 0, sizeof(*ep));
    WEBRTC_STATUS st = WEBRTC_STATUS_INVALID_ARG;
    if (strncmp(spec, "unix:", 5) == 0) {
        ep->kind = ERTC_BRIDGE_TRANSPORT_UNIX;
        st = copy_path(ep->path, sizeof(ep->path), spec + 5);
    } else if (strncmp(spec, "serial:", 7) == 0) {
        ep->kind = ERTC_BRIDGE_TRANSPORT_SERIAL;
        st = copy_path(ep->path, sizeof(ep->path), spec + 7);
    } else if (strncmp(spec, "tcp:", 4) == 0) {
        ep->kind = ERTC_BRIDGE_TRANSPORT_TCP;
        const char *colon = strrchr(spec + 4, ':');
        size_t host_len = colon != NULL ? (size_t)(colon - (spec + 4)) : 0;
        char *end = NULL;
        long port = colon != NULL ? strtol(colon + 1, &end, 10) : -1;
        if (host_len > 0 && host_len < sizeof(ep->host) && end != NULL && end != colon + 1 &&
            *end == '\0' && port >= 0 && port <= 65535) {
            const char *h = spec + 4;
            if (h[0] == '[' && host_len > 2 && h[host_len - 1] == ']') {
                h++; /* [::1]:port */
                host_len -= 2;
            }
            memcpy(ep->host, h, host_len);
            ep->host[host_len] = '\0';
            ep->port = (uint16_t)port;
            st = WEBRTC_STATUS_SUCCESS;
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "bad bridge endpoint \"%s\": expected unix:PATH, tcp:HOST:PORT or "
                       "serial:DEVICE", spec);
    }
    return st;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Fills a sockaddr for a unix or tcp endpoint. */
static WEBRTC_STATUS make_addr(const ertc_bridge_endpoint_t *ep, struct sockaddr_storage *ss,
                               socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, ep->path, strlen(ep->path) + 1);
        *len = (socklen_t)sizeof(*un);
        return WEBRTC_STATUS_SUCCESS;
    }
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, ep->host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(ep->port);
        *len = (socklen_t)sizeof(*in4);
        return WEBRTC_STATUS_SUCCESS;
    }
    if (inet_pton(AF_INET6, ep->host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(ep->port);
        *len = (socklen_t)sizeof(*in6);
        return WEBRTC_STATUS_SUCCESS;
    }
    ERTC_LOGE(TAG, "bridge tcp host \"%s\" is not a numeric address", ep->host);
    return WEBRTC_STATUS_INVALID_ARG;
}

WEBRTC_STATUS ertc_bridge_transport_listen(const ertc_bridge_endpoint_t *ep, int *fd,
                                           uint16_t *bound_port)
{
    struct sockaddr_storage ss;
    socklen_t len = 0;
    if (ep == NULL || fd == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_SERIAL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    WEBRTC_STATUS st = make_addr(ep, &ss, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_UNIX) {
        unlink(ep->path); /* a socket left by a previous run */
    } else {
        int one = 1;
        (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
    if (bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, 2) != 0 || set_nonblock(s) != 0) {
        ERTC_LOGE(TAG, "bridge listen on %s%s: %s", ep->kind == ERTC_BRIDGE_TRANSPORT_UNIX ?
                  ep->path : ep->host, ep->kind == ERTC_BRIDGE_TRANSPORT_UNIX ? "" : " (tcp)",
                  strerror(errno));
        close(s);
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    if (bound_port != NULL) {
        *bound_port = ep->port;
        if (ep->kind == ERTC_BRIDGE_TRANSPORT_TCP &&
            getsockname(s, (struct sockaddr *)&ss, &len) == 0) {
            *bound_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
        }
    }
    *fd = s;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS open_serial(const char *path, int *fd)
{
    int s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s < 0) {
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    struct termios tio;
    if (tcgetattr(s, &tio) != 0) {
        ERTC_LOGE(TAG, "bridge serial %s is not a tty: %s", path, strerror(errno));
        close(s);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    /* raw 8N1: no echo, no line editing, no CR/LF translation, no flow control */
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    (void)cfsetispeed(&tio, B115200);
    (void)cfsetospeed(&tio, B115200);
    if (tcsetattr(s, TCSANOW, &tio) != 0) {
        close(s);
        return WEBRTC_STATUS_IO_ERROR;
    }
    (void)tcflush(s, TCIOFLUSH);
    *fd = s;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_bridge_transport_open(const ertc_bridge_endpoint_t *ep, int *fd)
{
    if (ep == NULL || fd == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_SERIAL) {
        return open_serial(ep->path, fd);
    }
    struct sockaddr_storage ss;
    socklen_t len = 0;
    WEBRTC_STATUS st = make_addr(ep, &ss, &len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    /* a blocking connect: local peers answer at once or refuse */
    if (connect(s, (struct sockaddr *)&ss, len) != 0 || set_nonblock(s) != 0) {
        close(s);
        return WEBRTC_STATUS_NETWORK_ERROR;
    }
    if (ep->kind == ERTC_BRIDGE_TRANSPORT_TCP) {
        int one = 1;
        (void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    *fd = s;
    return WEBRTC_STATUS_SUCCESS;
}
