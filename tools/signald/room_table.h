/*
 * signald/room_table — the AppRTC room server's state: rooms of at most two clients, who is
 * the initiator, and the messages the first joiner posts until the second one joins.
 *
 * This follows the room server's algorithm (specs/apprtc.md §1.2–§1.5) as a pure data structure: no
 * I/O, no JSON, so the HTTP side (room_server.c) only translates. Differences from the
 * reference, each a bound it lacks: at most SD_MAX_ROOMS rooms, and a client's stored
 * messages are bounded like a Collider queue. A generated client id that collides with the
 * other occupant is drawn again instead of failing with DUPLICATE_CLIENT.
 */
#ifndef SIGNALD_ROOM_TABLE_H
#define SIGNALD_ROOM_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "signald_limits.h"
#include "msg_queue.h"

typedef struct sd_room_table sd_room_table_t;

typedef enum {
    SD_ROOM_OK,
    SD_ROOM_FULL,           /* join: the room already has two clients */
    SD_ROOM_TOO_MANY_ROOMS, /* join: SD_MAX_ROOMS rooms exist */
    SD_ROOM_UNKNOWN_ROOM,
    SD_ROOM_UNKNOWN_CLIENT,
    SD_ROOM_QUEUE_FULL, /* store: the client's stored messages reached their limit */
    SD_ROOM_NO_MEMORY,
} sd_room_result_t;

/* Client ids are 8 random decimal digits, like the reference's. */
#define SD_CLIENT_ID_DIGITS 8

typedef struct {
    char client_id[SD_MAX_NAME_LEN + 1];
    bool is_initiator;
    size_t occupancy;        /* clients in the room after the join */
    sd_msg_queue_t messages; /* the other client's stored messages, now the caller's */
} sd_room_join_t;

sd_room_table_t *sd_room_table_create(void);
void sd_room_table_destroy(sd_room_table_t *t);

/* Adds a client with a fresh id. The first client of a room is the initiator; the second
 * takes the first one's stored messages (out->messages; the caller clears them). */
sd_room_result_t sd_room_table_join(sd_room_table_t *t, const char *room, sd_room_join_t *out);

/* A message from client: stored while the client is alone in the room (*forward false), or
 * to be forwarded to the other client (*forward true; nothing stored). */
sd_room_result_t sd_room_table_store(sd_room_table_t *t, const char *room, const char *client,
                                     const char *msg, size_t len, bool *forward);

/* Removes a client. The client that stays becomes the initiator (its id is copied to
 * survivor, "" when the room is now empty and deleted). */
sd_room_result_t sd_room_table_leave(sd_room_table_t *t, const char *room, const char *client,
                                     char survivor[SD_MAX_NAME_LEN + 1]);

size_t sd_room_table_room_count(const sd_room_table_t *t);

/* A short name for a result, for logs ("FULL"). */
const char *sd_room_result_name(sd_room_result_t r);

#endif
