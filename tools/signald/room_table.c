/*
 * signald/room_table — rooms of two for the AppRTC room server (see room_table.h).
 *
 * Rooms live in a singly linked list: with at most SD_MAX_ROOMS of them a lookup is a few
 * microseconds, and the list keeps the code obvious.
 */
#include "room_table.h"

#include <stdio.h>
#include <string.h>

#include "port/port.h"
#include "util/alloc.h"

typedef struct {
    char id[SD_MAX_NAME_LEN + 1];
    bool initiator;
    sd_msg_queue_t stored;
} table_client_t;

typedef struct table_room table_room_t;
struct table_room {
    table_room_t *next;
    char name[SD_MAX_NAME_LEN + 1];
    table_client_t clients[2];
    size_t count;
};

struct sd_room_table {
    table_room_t *rooms;
    size_t room_count;
};

sd_room_table_t *sd_room_table_create(void)
{
    return ertc_calloc(1, sizeof(sd_room_table_t));
}

static void free_room(table_room_t *r)
{
    for (size_t i = 0; i < r->count; i++) {
        sd_msg_queue_clear(&r->clients[i].stored);
    }
    ertc_free(r);
}

void sd_room_table_destroy(sd_room_table_t *t)
{
    if (t == NULL) {
        return;
    }
    while (t->rooms != NULL) {
        table_room_t *r = t->rooms;
        t->rooms = r->next;
        free_room(r);
    }
    ertc_free(t);
}

static table_room_t *find_room(const sd_room_table_t *t, const char *name)
{
    for (table_room_t *r = t->rooms; r != NULL; r = r->next) {
        if (strcmp(r->name, name) == 0) {
            return r;
        }
    }
    return NULL;
}

static table_client_t *find_client(table_room_t *r, const char *id)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->clients[i].id, id) == 0) {
            return &r->clients[i];
        }
    }
    return NULL;
}

static void delete_room(sd_room_table_t *t, table_room_t *room)
{
    for (table_room_t **pp = &t->rooms; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == room) {
            *pp = room->next;
            t->room_count--;
            free_room(room);
            return;
        }
    }
}

static void make_client_id(table_room_t *r, char out[SD_MAX_NAME_LEN + 1])
{
    do {
        snprintf(out, SD_MAX_NAME_LEN + 1, "%0*u", SD_CLIENT_ID_DIGITS,
                 (unsigned)(ertc_random_u32() % 100000000u));
    } while (find_client(r, out) != NULL);
}

sd_room_result_t sd_room_table_join(sd_room_table_t *t, const char *room, sd_room_join_t *out)
{
    memset(out, 0, sizeof(*out));
    if (strlen(room) > SD_MAX_NAME_LEN) {
        return SD_ROOM_UNKNOWN_ROOM;
    }
    table_room_t *r = find_room(t, room);
    if (r == NULL) {
        if (t->room_count >= SD_MAX_ROOMS) {
            return SD_ROOM_TOO_MANY_ROOMS;
        }
        r = ertc_calloc(1, sizeof(*r));
        if (r == NULL) {
            return SD_ROOM_NO_MEMORY;
        }
        snprintf(r->name, sizeof(r->name), "%s", room);
        r->next = t->rooms;
        t->rooms = r;
        t->room_count++;
    }
    if (r->count >= 2) {
        out->occupancy = r->count;
        return SD_ROOM_FULL;
    }
    table_client_t *c = &r->clients[r->count];
    memset(c, 0, sizeof(*c));
    make_client_id(r, c->id);
    if (r->count == 0) {
        c->initiator = true;
    } else {
        /* The second joiner takes what the first one posted while alone (specs/apprtc.md §1.2 step
         * 5). */
        sd_msg_queue_move(&out->messages, &r->clients[0].stored);
    }
    r->count++;
    snprintf(out->client_id, sizeof(out->client_id), "%s", c->id);
    out->is_initiator = c->initiator;
    out->occupancy = r->count;
    return SD_ROOM_OK;
}

sd_room_result_t sd_room_table_store(sd_room_table_t *t, const char *room, const char *client,
                                     const char *msg, size_t len, bool *forward)
{
    *forward = false;
    table_room_t *r = find_room(t, room);
    if (r == NULL) {
        return SD_ROOM_UNKNOWN_ROOM;
    }
    table_client_t *c = find_client(r, client);
    if (c == NULL) {
        return SD_ROOM_UNKNOWN_CLIENT;
    }
    if (r->count >= 2) {
        *forward = true;
        return SD_ROOM_OK;
    }
    WEBRTC_STATUS st =
        sd_msg_queue_push(&c->stored, msg, len, SD_MAX_QUEUED_MESSAGES, SD_MAX_QUEUED_BYTES);
    if (st == WEBRTC_STATUS_QUEUE_FULL) {
        return SD_ROOM_QUEUE_FULL;
    }
    return st == WEBRTC_STATUS_SUCCESS ? SD_ROOM_OK : SD_ROOM_NO_MEMORY;
}

sd_room_result_t sd_room_table_leave(sd_room_table_t *t, const char *room, const char *client,
                                     char survivor[SD_MAX_NAME_LEN + 1])
{
    survivor[0] = '\0';
    table_room_t *r = find_room(t, room);
    if (r == NULL) {
        return SD_ROOM_UNKNOWN_ROOM;
    }
    table_client_t *c = find_client(r, client);
    if (c == NULL) {
        return SD_ROOM_UNKNOWN_CLIENT;
    }
    sd_msg_queue_clear(&c->stored);
    size_t index = (size_t)(c - r->clients);
    if (index == 0 && r->count == 2) {
        r->clients[0] = r->clients[1];
    }
    r->count--;
    memset(&r->clients[r->count], 0, sizeof(r->clients[0]));
    if (r->count == 0) {
        delete_room(t, r);
        return SD_ROOM_OK;
    }
    /* The one who stays starts the next call as offerer (specs/apprtc.md §1.4). */
    r->clients[0].initiator = true;
    memcpy(survivor, r->clients[0].id, sizeof(r->clients[0].id));
    return SD_ROOM_OK;
}

size_t sd_room_table_room_count(const sd_room_table_t *t)
{
    return t->room_count;
}

const char *sd_room_result_name(sd_room_result_t r)
{
    switch (r) {
    case SD_ROOM_OK: return "SUCCESS";
    case SD_ROOM_FULL: return "FULL";
    case SD_ROOM_TOO_MANY_ROOMS: return "TOO_MANY_ROOMS";
    case SD_ROOM_UNKNOWN_ROOM: return "UNKNOWN_ROOM";
    case SD_ROOM_UNKNOWN_CLIENT: return "UNKNOWN_CLIENT";
    case SD_ROOM_QUEUE_FULL: return "QUEUE_FULL";
    case SD_ROOM_NO_MEMORY: return "NO_MEMORY";
    }
    return "?";
}
