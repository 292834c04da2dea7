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

/*
 * IPv4 multicast (mDNS: a browser answers by multicast to 224.0.0.251:5353 only).
 *
 * ertc_udp_open_multicast opens a UDP socket bound to 0.0.0.0:group->port that shares the
 * port with the other listeners of the host (SO_REUSEADDR and SO_REUSEPORT: a browser or
 * avahi holds 5353 too; every one of them receives each multicast datagram) and joins the
 * group on each interface ifaces[0..n) (IPv4 interface addresses; n = 0: the interface the
 * kernel picks). A join that fails (interface gone, no multicast) is skipped; NETWORK_ERROR
 * when none succeeded. Only datagrams of groups this socket joined are delivered (Linux's
 * IP_MULTICAST_ALL off), unicast to the port still is. Multicast sent from it has TTL 255
 * (RFC 6762 §11), loops back to listeners on this host and leaves by ifaces[0] (change it with
 * ertc_udp_set_multicast_if). group->port 0 takes a free port (ertc_socket_local_addr tells).
 */
WEBRTC_STATUS ertc_udp_open_multicast(const ertc_addr_t *group, const ertc_addr_t *ifaces, size_t n,
                                      ertc_socket_t *out);
/* Multicast sent from the IPv4 UDP socket s leaves by the interface whose address is iface
 * (IP_MULTICAST_IF), with TTL 255 and loopback on; any IPv4 UDP socket, multicast or not. */
WEBRTC_STATUS ertc_udp_set_multicast_if(ertc_socket_t s, const ertc_addr_t *iface);

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
