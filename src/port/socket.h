/*
 * port/socket.h — addresses and non-blocking UDP/TCP sockets.
 *
 * Every socket is created non-blocking and close-on-exec; readiness comes from the event loop
 * (port/loop.h). Sends and receives return WEBRTC_STATUS_RETRY_LATER for "would block".
 */
#ifndef ERTC_PORT_SOCKET_H
#define ERTC_PORT_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_ADDR_STRLEN 64 /* "[ffff:...:ffff]:65535" fits */

typedef struct {
    uint8_t family; /* ERTC_AF_INET or ERTC_AF_INET6; 0 = unset */
    uint16_t port;  /* host byte order */
    uint8_t ip[16]; /* 4 bytes used for IPv4 */
    uint32_t scope_id;
} ertc_addr_t;

enum { ERTC_AF_INET = 4, ERTC_AF_INET6 = 6 };

/* Parses a numeric IPv4 or IPv6 address (no brackets, no port) into addr (port untouched). */
WEBRTC_STATUS ertc_addr_parse_ip(const char *s, ertc_addr_t *addr);
/* "1.2.3.4:5" or "[::1]:5" (with_port) or the bare address. */
WEBRTC_STATUS ertc_addr_format(const ertc_addr_t *addr, bool with_port, char *out, size_t size);
bool ertc_addr_equal(const ertc_addr_t *a, const ertc_addr_t *b); /* ip, family and port */
bool ertc_addr_is_loopback(const ertc_addr_t *addr);
/* Blocking name resolution (use on the work queue for names; numeric input returns at once).
 * family 0 = any. Returns the first address found. */
WEBRTC_STATUS ertc_addr_resolve(const char *host, uint16_t port, int family, ertc_addr_t *out);

/* Local IPv4 (and, if include_v6, global IPv6) interface addresses that are up, loopback
 * excluded unless include_loopback. Returns how many were written to out. */
size_t ertc_addr_list_local(ertc_addr_t *out, size_t max, bool include_v6, bool include_loopback);

typedef int ertc_socket_t; /* a file descriptor on POSIX */
#define ERTC_INVALID_SOCKET (-1)

/* UDP socket bound to bind_addr (port 0 = any free port; family taken from bind_addr). */
WEBRTC_STATUS ertc_udp_open(const ertc_addr_t *bind_addr, ertc_socket_t *out);
WEBRTC_STATUS ertc_udp_sendto(ertc_socket_t s, const void *buf, size_t len, const ertc_addr_t *to);
/* *len_out = datagram length (truncated datagrams are dropped and reported as MALFORMED). */
WEBRTC_STATUS ertc_udp_recvfrom(ertc_socket_t s, void *buf, size_t size, size_t *len_out,
                                ertc_addr_t *from);

/* Starts a non-blocking connect; completion is signalled by writability on the loop, then
 * ertc_tcp_connect_result() tells success or the error. */
WEBRTC_STATUS ertc_tcp_connect_start(const ertc_addr_t *to, ertc_socket_t *out);
WEBRTC_STATUS ertc_tcp_connect_result(ertc_socket_t s);
/* Listening socket (SO_REUSEADDR) on bind_addr; backlog 0 = default. */
WEBRTC_STATUS ertc_tcp_listen(const ertc_addr_t *bind_addr, int backlog, ertc_socket_t *out);
/* Accepts one connection as a non-blocking socket; RETRY_LATER when none is pending. */
WEBRTC_STATUS ertc_tcp_accept(ertc_socket_t listener, ertc_socket_t *out, ertc_addr_t *peer);
/* *n_out bytes were sent/received. A receive of 0 bytes with SUCCESS means the peer closed. */
WEBRTC_STATUS ertc_tcp_send(ertc_socket_t s, const void *buf, size_t len, size_t *n_out);
WEBRTC_STATUS ertc_tcp_recv(ertc_socket_t s, void *buf, size_t size, size_t *n_out);

WEBRTC_STATUS ertc_socket_local_addr(ertc_socket_t s, ertc_addr_t *out);
WEBRTC_STATUS ertc_socket_peer_addr(ertc_socket_t s, ertc_addr_t *out);
/* What the last failed socket call on this thread met, in words ("Connection refused"). */
const char *ertc_socket_error_text(void);
void ertc_socket_close(ertc_socket_t s);

#endif
