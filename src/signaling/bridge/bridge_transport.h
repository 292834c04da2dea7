/*
 * Bridge transports (POSIX): where the bridge link's bytes go. An endpoint is written
 *   unix:PATH        UNIX stream socket (the listening side creates PATH)
 *   tcp:HOST:PORT    TCP; HOST a numeric IPv4/IPv6 address (loopback in tests)
 *   serial:DEVICE    a tty (a UART, or a pty in tests), set to raw 8N1 with termios
 * Sockets have a listening side (the signaling device, which is always on) and a connecting
 * side (the streaming device); a serial line is simply opened by both.
 */
#ifndef ERTC_BRIDGE_TRANSPORT_H
#define ERTC_BRIDGE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "webrtc_status.h"

typedef enum {
    ERTC_BRIDGE_TRANSPORT_UNIX = 1,
    ERTC_BRIDGE_TRANSPORT_TCP = 2,
    ERTC_BRIDGE_TRANSPORT_SERIAL = 3,
} ertc_bridge_transport_kind_t;

typedef struct {
    ertc_bridge_transport_kind_t kind;
    char path[108]; /* unix socket path or serial device */
    char host[64];
    uint16_t port;
} ertc_bridge_endpoint_t;

/* INVALID_ARG with a clear log line for an unknown scheme, an empty or too long path, a bad
 * port. */
WEBRTC_STATUS ertc_bridge_endpoint_parse(const char *spec, ertc_bridge_endpoint_t *ep);

/* Creates the listening socket (unix, tcp); for tcp port 0, *bound_port gets the port. */
WEBRTC_STATUS ertc_bridge_transport_listen(const ertc_bridge_endpoint_t *ep, int *fd,
                                           uint16_t *bound_port);
/* Connects (unix, tcp) or opens the tty in raw mode (serial); non-blocking fd on success. */
WEBRTC_STATUS ertc_bridge_transport_open(const ertc_bridge_endpoint_t *ep, int *fd);

#endif /* ERTC_BRIDGE_TRANSPORT_H */
