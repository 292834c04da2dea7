/*
 * Bridge link: a reliable message pipe between the signaling device and the streaming device
 * over one bridge transport (bridge_transport.h). It frames and chunks outgoing messages
 * (bridge_frame.h, bridge_chunk.h), reassembles incoming ones on its own thread, rejects and
 * counts malformed frames without dropping the link, keeps the link alive with PING/PONG,
 * and reconnects when the
 * transport drops: the listening side accepts the next connection, the connecting side (and a
 * serial line) retries every ERTC_BRIDGE_LINK_RETRY_MS.
 *
 * Callbacks run on the link thread; they may call ertc_bridge_link_send.
 */
#ifndef ERTC_BRIDGE_LINK_H
#define ERTC_BRIDGE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signaling/bridge/bridge_transport.h"
#include "webrtc_status.h"

#define ERTC_BRIDGE_LINK_RETRY_MS 200u
/* Keepalive: after this long without receiving anything a PING is sent (once per interval);
 * after ERTC_BRIDGE_LINK_DEAD_MS without anything the link is declared down and reconnected.
 * This is how a serial line, which never reports a hang-up, notices a dead or sleeping peer. */
#define ERTC_BRIDGE_LINK_KEEPALIVE_MS 1000u
#define ERTC_BRIDGE_LINK_DEAD_MS      5000u

typedef struct ertc_bridge_link ertc_bridge_link_t;

typedef struct {
    /* a complete message (a serialized SignalingMessage); msg is valid during the call */
    void (*on_message)(void *user, const uint8_t *msg, size_t len);
    /* the link came up (true: the transport is open and a valid frame arrived from the far
     * end) or went down (false) */
    void (*on_state)(void *user, bool up);
    void *user;
} ertc_bridge_link_callbacks_t;

typedef struct {
    uint64_t frames_rx;
    uint64_t frames_tx;
    uint64_t messages_rx;
    uint64_t messages_tx;
    uint64_t malformed_frames;  /* rejected by the frame parser (bad sync, field or CRC) */
    uint64_t dropped_messages;  /* partial messages dropped by the reassembler */
    uint64_t connects;          /* times the link came up */
} ertc_bridge_link_stats_t;

/* Starts the link thread. listen: accept connections (unix, tcp) instead of connecting. */
WEBRTC_STATUS ertc_bridge_link_start(const ertc_bridge_endpoint_t *ep, bool listen,
                                     const ertc_bridge_link_callbacks_t *cb,
                                     ertc_bridge_link_t **out);
/* The bound port of a listening tcp link (useful with port 0). */
uint16_t ertc_bridge_link_port(const ertc_bridge_link_t *link);
bool ertc_bridge_link_is_up(ertc_bridge_link_t *link);
/* Sends one message (chunked). CLOSED when the transport is down, NETWORK_ERROR on a write
 * failure (the link then reconnects), LIMIT_EXCEEDED over ERTC_BRIDGE_MSG_MAX_LEN. */
WEBRTC_STATUS ertc_bridge_link_send(ertc_bridge_link_t *link, const uint8_t *msg, size_t len);
/* Drops the current connection (tests: "cut the cable"); the link reconnects. */
void ertc_bridge_link_drop(ertc_bridge_link_t *link);
void ertc_bridge_link_get_stats(ertc_bridge_link_t *link, ertc_bridge_link_stats_t *stats);
void ertc_bridge_link_stop(ertc_bridge_link_t *link);

#endif /* ERTC_BRIDGE_LINK_H */
