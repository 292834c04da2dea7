/*
 * signald/collider — the Collider: AppRTC's WebSocket relay (specs/apprtc.md §2), in process.
 *
 * A room holds at most two client records. A record is bound to a WebSocket once the
 * client sends {"cmd":"register","roomid":R,"clientid":C}; {"cmd":"send","msg":M} then
 * goes to the other client's socket, or, while the other client is absent or not
 * registered, into the sender's own queue (at most SD_MAX_QUEUED_MESSAGES), which is
 * flushed in order to the other client when it registers (§2.3). Frames to clients are
 * {"msg":M,"error":""} or {"msg":"","error":E}, each followed by a newline (§2.2). Errors
 * use the reference texts and close the socket as the reference does, except an unknown
 * cmd, which keeps it open (§2.4).
 *
 * Lifetime (§2.5), per client record:
 *
 *   (created by an HTTP send) WAITING ──register──> REGISTERED ──socket closed──> WAITING
 *                                │                                                  │
 *                                └─────── SD_REGISTER_TIMEOUT_MS without register ──┴──> removed
 *
 * and DELETE removes a record at once, closing its socket. A removal is reported through
 * on_client_removed, which the reference turns into POST /bye/{room}/{client} to the room
 * server; here the room server is called directly.
 *
 * Differences from the reference, each a bound it lacks: at most SD_MAX_ROOMS rooms, queues
 * also bounded to SD_MAX_QUEUED_BYTES, names checked against [A-Za-z0-9_-]+, a "msg" over
 * SD_MAX_MESSAGE_BYTES answered with an error (socket kept open); a peer whose output
 * buffer is full is disconnected (re-registering within the window resumes it) and the
 * message is queued for it.
 */
#ifndef SIGNALD_COLLIDER_H
#define SIGNALD_COLLIDER_H

#include <stddef.h>
#include <stdint.h>

#include "port/loop.h"
#include "webrtc_status.h"
#include "ws_conn.h"

typedef struct sd_collider sd_collider_t;

typedef struct {
    /* A client record was removed: why is "register timeout" or "deleted". */
    void (*on_client_removed)(const char *room, const char *client, const char *why, void *arg);
    void *arg;
} sd_collider_hooks_t;

typedef struct {
    uint64_t up_seconds;
    uint64_t open_ws;
    uint64_t total_ws;
    uint64_t ws_errors;   /* error frames sent */
    uint64_t http_errors; /* relay requests refused */
    size_t rooms;
} sd_collider_stats_t;

/* The reference's error texts (specs/apprtc.md §2.4, §2.6). */
#define SD_COLLIDER_ERR_SECOND_REGISTER  "Duplicated register request"
#define SD_COLLIDER_ERR_INVALID_REGISTER "Invalid register request: missing 'clientid' or 'roomid'"
#define SD_COLLIDER_ERR_ROOM_FULL        "Max room capacity reached"
#define SD_COLLIDER_ERR_DUP_REGISTRATION "Duplicated registration"
#define SD_COLLIDER_ERR_NOT_REGISTERED   "Client not registered"
#define SD_COLLIDER_ERR_MISSING_MSG      "Invalid send request: missing 'msg'"
#define SD_COLLIDER_ERR_UNEXPECTED_CMD   "Invalid message: unexpected 'cmd'"
#define SD_COLLIDER_ERR_RECEIVE_PREFIX   "websocket.JSON.Receive error: "
#define SD_COLLIDER_ERR_QUEUE_FULL       "Too many messages queued for the client"

sd_collider_t *sd_collider_create(ertc_loop_t *loop);
/* Sets where removals are reported (the room server, created after the collider). */
void sd_collider_set_hooks(sd_collider_t *col, const sd_collider_hooks_t *hooks);
/* Frees every room and record without reporting removals; sockets must be closed first
 * (sd_server_destroy). */
void sd_collider_destroy(sd_collider_t *col);

/* The handler to pass to sd_ws_accept_upgrade, with the collider as arg. */
const sd_ws_handler_t *sd_collider_ws_handler(void);

/* A send from (room, client) that does not come over its socket: the HTTP relay's POST
 * and the room server's forwarding. Creates the room and record when missing (the record
 * then waits SD_REGISTER_TIMEOUT_MS for a register). On failure writes the reason
 * (a reference text where there is one) to err. */
WEBRTC_STATUS sd_collider_send_as(sd_collider_t *col, const char *room, const char *client,
                                  const char *msg, size_t len, char *err, size_t errlen);

/* Removes a record (the relay's DELETE): closes its socket, drops its queue, reports it.
 * NOT_FOUND when there is no such room or client. */
WEBRTC_STATUS sd_collider_remove(sd_collider_t *col, const char *room, const char *client);

void sd_collider_count_http_error(sd_collider_t *col);
void sd_collider_get_stats(const sd_collider_t *col, sd_collider_stats_t *out);

#endif
