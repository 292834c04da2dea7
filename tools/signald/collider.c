/*
 * signald/collider — rooms, client records, queues and the WebSocket commands of the
 * Collider (see collider.h; specs/apprtc.md §2.2–§2.5).
 */
#include "collider.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "signald_limits.h"
#include "msg_queue.h"
#include "net/ws_frame.h"
#include "port/port.h"
#include "route_path.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"

#define TAG "collider"

/* The frame we build around a message: {"msg":"","error":""} and a newline. */
#define FRAME_OVERHEAD 32

typedef enum {
    CLIENT_WAITING,    /* no socket: the register window runs */
    CLIENT_REGISTERED, /* bound to a WebSocket */
} client_state_t;

typedef struct col_room col_room_t;

typedef struct {
    sd_collider_t *col;
    col_room_t *room;
    char id[SD_MAX_NAME_LEN + 1];
    client_state_t state;
    sd_conn_t *ws;        /* REGISTERED only */
    sd_msg_queue_t queue; /* what this client sent while the other could not take it */
    ertc_timer_t timer;   /* the register window, WAITING only */
} col_client_t;

struct col_room {
    col_room_t *next;
    char name[SD_MAX_NAME_LEN + 1];
    col_client_t *clients[2];
    size_t count;
};

struct sd_collider {
    ertc_loop_t *loop;
    sd_collider_hooks_t hooks;
    col_room_t *rooms;
    size_t room_count;
    uint64_t started_us;
    uint64_t open_ws;
    uint64_t total_ws;
    uint64_t ws_errors;
    uint64_t http_errors;
};

static const char *state_name(client_state_t s)
{
    return s == CLIENT_REGISTERED ? "REGISTERED" : "WAITING";
}

static void set_state(col_client_t *c, client_state_t s, const char *why)
{
    ERTC_LOGD(TAG, "room %s client %s: %s -> %s (%s)", c->room->name, c->id, state_name(c->state),
              state_name(s), why);
    c->state = s;
}

/* ---- frames ------------------------------------------------------------------------------- */

/* Writes {"msg":msg,"error":error}\n to ws. */
static WEBRTC_STATUS send_frame(sd_conn_t *ws, const char *msg, size_t msg_len, const char *error)
{
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 6 * msg_len + strlen(error) * 6 + FRAME_OVERHEAD);
    ertc_strbuf_append_str(&sb, "{\"msg\":");
    ertc_strbuf_append_json_string(&sb, msg, msg_len);
    ertc_strbuf_append_str(&sb, ",\"error\":");
    ertc_strbuf_append_json_string(&sb, error, strlen(error));
    ertc_strbuf_append_str(&sb, "}\n");
    WEBRTC_STATUS st = ertc_strbuf_status(&sb);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = sd_ws_send_text(ws, ertc_strbuf_cstr(&sb), ertc_strbuf_len(&sb));
    }
    ertc_strbuf_free(&sb);
    return st;
}

static void send_error(sd_collider_t *col, sd_conn_t *ws, const char *error)
{
    col->ws_errors++;
    ERTC_LOGW(TAG, "ws %s: error: %s", sd_conn_peer(ws), error);
    send_frame(ws, "", 0, error);
}

/* Sends an error and closes the socket (close code 1000, as the reference). */
static void fail_socket(sd_collider_t *col, sd_conn_t *ws, const char *error)
{
    send_error(col, ws, error);
    sd_ws_close(ws, ERTC_WS_CLOSE_NORMAL, NULL);
}

/* ---- rooms and records -------------------------------------------------------------------- */

static col_room_t *find_room(const sd_collider_t *col, const char *name)
{
    for (col_room_t *r = col->rooms; r != NULL; r = r->next) {
        if (strcmp(r->name, name) == 0) {
            return r;
        }
    }
    return NULL;
}

static col_client_t *find_client(const col_room_t *r, const char *id)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->clients[i]->id, id) == 0) {
            return r->clients[i];
        }
    }
    return NULL;
}

static col_client_t *other_client(const col_client_t *c)
{
    for (size_t i = 0; i < c->room->count; i++) {
        if (c->room->clients[i] != c) {
            return c->room->clients[i];
        }
    }
    return NULL;
}

static void delete_room_if_empty(sd_collider_t *col, col_room_t *room)
{
    if (room->count > 0) {
        return;
    }
    for (col_room_t **pp = &col->rooms; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == room) {
            *pp = room->next;
            break;
        }
    }
    col->room_count--;
    ERTC_LOGD(TAG, "room %s: deleted (empty)", room->name);
    ertc_free(room);
}

static void on_register_timeout(ertc_loop_t *loop, ertc_timer_t *t, void *arg);

/* The record for (room, id), created (WAITING, window running) when missing. On failure
 * copies the reason to err and returns NULL. */
static col_client_t *get_or_create_client(sd_collider_t *col, const char *room_name, const char *id,
                                          char *err, size_t errlen)
{
    col_room_t *room = find_room(col, room_name);
    if (room != NULL) {
        col_client_t *c = find_client(room, id);
        if (c != NULL) {
            return c;
        }
        if (room->count >= 2) {
            snprintf(err, errlen, "%s", SD_COLLIDER_ERR_ROOM_FULL);
            return NULL;
        }
    } else if (col->room_count >= SD_MAX_ROOMS) {
        snprintf(err, errlen, "Too many rooms on this server (limit %d)", SD_MAX_ROOMS);
        return NULL;
    }
    col_client_t *c = ertc_calloc(1, sizeof(*c));
    col_room_t *fresh = room == NULL ? ertc_calloc(1, sizeof(*fresh)) : NULL;
    if (c == NULL || (room == NULL && fresh == NULL)) {
        ertc_free(c);
        ertc_free(fresh);
        snprintf(err, errlen, "Out of memory");
        return NULL;
    }
    if (room == NULL) {
        room = fresh;
        snprintf(room->name, sizeof(room->name), "%s", room_name);
        room->next = col->rooms;
        col->rooms = room;
        col->room_count++;
    }
    c->col = col;
    c->room = room;
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->state = CLIENT_WAITING;
    ertc_timer_init(&c->timer, on_register_timeout, c);
    ertc_timer_start(col->loop, &c->timer, SD_REGISTER_TIMEOUT_MS, 0);
    room->clients[room->count++] = c;
    ERTC_LOGD(TAG, "room %s client %s: created, %d ms to register", room->name, c->id,
              SD_REGISTER_TIMEOUT_MS);
    return c;
}

/* Detaches the socket; the record waits for a new register. */
static void deregister(col_client_t *c, const char *why)
{
    sd_conn_t *ws = c->ws;
    if (ws != NULL) {
        sd_ws_set_user(ws, NULL);
    }
    c->ws = NULL;
    set_state(c, CLIENT_WAITING, why);
    ertc_timer_start(c->col->loop, &c->timer, SD_REGISTER_TIMEOUT_MS, 0);
    if (ws != NULL && sd_ws_is_open(ws)) {
        sd_ws_close(ws, ERTC_WS_CLOSE_NORMAL, NULL);
    }
}

/* Removes a record: closes its socket, drops its queue, reports the removal. */
static void remove_client(sd_collider_t *col, col_client_t *c, const char *why)
{
    char room[SD_MAX_NAME_LEN + 1];
    char id[SD_MAX_NAME_LEN + 1];
    snprintf(room, sizeof(room), "%s", c->room->name);
    snprintf(id, sizeof(id), "%s", c->id);
    ertc_timer_stop(col->loop, &c->timer);
    sd_conn_t *ws = c->ws;
    c->ws = NULL;
    if (ws != NULL) {
        sd_ws_set_user(ws, NULL);
        sd_ws_close(ws, ERTC_WS_CLOSE_NORMAL, NULL);
    }
    if (c->queue.count > 0) {
        ERTC_LOGI(TAG, "room %s client %s: %zu queued messages dropped", room, id, c->queue.count);
    }
    sd_msg_queue_clear(&c->queue);
    col_room_t *r = c->room;
    if (r->clients[0] == c) {
        r->clients[0] = r->clients[1];
    }
    r->clients[1] = NULL;
    r->count--;
    ertc_free(c);
    delete_room_if_empty(col, r);
    ERTC_LOGI(TAG, "room %s client %s: removed (%s)", room, id, why);
    if (col->hooks.on_client_removed != NULL) {
        col->hooks.on_client_removed(room, id, why, col->hooks.arg);
    }
}

static void on_register_timeout(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    col_client_t *c = arg;
    remove_client(c->col, c, "register timeout");
}

/* ---- relaying ----------------------------------------------------------------------------- */

/* Delivers msg from `from` to the other client, or queues it on `from` (specs/apprtc.md §2.3). */
static WEBRTC_STATUS deliver(col_client_t *from, const char *msg, size_t len, char *err,
                             size_t errlen)
{
    col_client_t *to = other_client(from);
    if (to != NULL && to->ws != NULL) {
        WEBRTC_STATUS st = send_frame(to->ws, msg, len, "");
        if (st == WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        ERTC_LOGW(TAG,
                  "room %s client %s: cannot write to its socket (%s: it does not read); "
                  "disconnecting it, the message waits for its re-register",
                  to->room->name, to->id, webrtc_status_name(st));
        if (to->ws != NULL) {
            deregister(to, "output buffer full");
        }
    }
    WEBRTC_STATUS st =
        sd_msg_queue_push(&from->queue, msg, len, SD_MAX_QUEUED_MESSAGES, SD_MAX_QUEUED_BYTES);
    if (st == WEBRTC_STATUS_QUEUE_FULL) {
        snprintf(err, errlen, "%s", SD_COLLIDER_ERR_QUEUE_FULL);
    } else if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen, "Out of memory");
    } else {
        ERTC_LOGD(TAG, "room %s client %s: queued a message (%zu waiting)", from->room->name,
                  from->id, from->queue.count);
    }
    return st;
}

/* Sends every message the other client queued to c, in order (specs/apprtc.md §2.3, on register).
 */
static void flush_queue_to(col_client_t *c)
{
    col_client_t *from = other_client(c);
    if (from == NULL) {
        return;
    }
    size_t sent = 0;
    while (from->queue.head != NULL && c->ws != NULL) {
        sd_msg_t *m = from->queue.head;
        if (send_frame(c->ws, m->data, m->len, "") != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG,
                      "room %s client %s: socket cannot take the queued messages; "
                      "disconnecting it, %zu stay queued",
                      c->room->name, c->id, from->queue.count);
            if (c->ws != NULL) {
                deregister(c, "output buffer full");
            }
            break;
        }
        ertc_free(sd_msg_queue_pop(&from->queue));
        sent++;
    }
    if (sent > 0) {
        ERTC_LOGD(TAG, "room %s client %s: flushed %zu queued messages", c->room->name, c->id,
                  sent);
    }
}

WEBRTC_STATUS sd_collider_send_as(sd_collider_t *col, const char *room, const char *client,
                                  const char *msg, size_t len, char *err, size_t errlen)
{
    col_client_t *c = get_or_create_client(col, room, client, err, errlen);
    if (c == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    return deliver(c, msg, len, err, errlen);
}

WEBRTC_STATUS sd_collider_remove(sd_collider_t *col, const char *room, const char *client)
{
    col_room_t *r = find_room(col, room);
    col_client_t *c = r != NULL ? find_client(r, client) : NULL;
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_FOUND;
    }
    remove_client(col, c, "deleted");
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- WebSocket commands ------------------------------------------------------------------- */

static void handle_register(sd_collider_t *col, sd_conn_t *ws, const char *room_id,
                            const char *client_id)
{
    if (sd_ws_user(ws) != NULL) {
        fail_socket(col, ws, SD_COLLIDER_ERR_SECOND_REGISTER);
        return;
    }
    if (room_id == NULL || client_id == NULL || room_id[0] == '\0' || client_id[0] == '\0') {
        fail_socket(col, ws, SD_COLLIDER_ERR_INVALID_REGISTER);
        return;
    }
    if (!sd_route_name_is_valid(room_id) || !sd_route_name_is_valid(client_id)) {
        fail_socket(
            col, ws,
            "Invalid register request: 'roomid' and 'clientid' must match " SD_ROUTE_NAME_RULE);
        return;
    }
    char err[128];
    col_client_t *c = get_or_create_client(col, room_id, client_id, err, sizeof(err));
    if (c == NULL) {
        fail_socket(col, ws, err);
        return;
    }
    if (c->ws != NULL) {
        fail_socket(col, ws, SD_COLLIDER_ERR_DUP_REGISTRATION);
        return;
    }
    ertc_timer_stop(col->loop, &c->timer);
    c->ws = ws;
    sd_ws_set_user(ws, c);
    set_state(c, CLIENT_REGISTERED, "register");
    ERTC_LOGI(TAG, "room %s client %s: registered from %s", room_id, client_id, sd_conn_peer(ws));
    flush_queue_to(c);
}

static void handle_send(sd_collider_t *col, sd_conn_t *ws, const char *msg)
{
    col_client_t *c = sd_ws_user(ws);
    if (c == NULL) {
        fail_socket(col, ws, SD_COLLIDER_ERR_NOT_REGISTERED);
        return;
    }
    if (msg == NULL || msg[0] == '\0') {
        fail_socket(col, ws, SD_COLLIDER_ERR_MISSING_MSG);
        return;
    }
    size_t len = strlen(msg);
    if (len > SD_MAX_MESSAGE_BYTES) {
        char text[96];
        snprintf(text, sizeof(text), "Invalid send request: 'msg' larger than %d bytes",
                 SD_MAX_MESSAGE_BYTES);
        send_error(col, ws, text);
        return;
    }
    char err[128];
    if (deliver(c, msg, len, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS) {
        /* The reference drops this error on the WebSocket path (specs/apprtc.md §2.3); we log it.
         */
        ERTC_LOGW(TAG, "room %s client %s: message dropped: %s", c->room->name, c->id, err);
    }
}

/* Reads an optional string field: NULL when absent or null; false when of another type
 * (which the reference's JSON decoder refuses). */
static bool get_optional_string(const cJSON *obj, const char *key, const char **out)
{
    *out = NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL || cJSON_IsNull(item)) {
        return true;
    }
    if (!cJSON_IsString(item)) {
        return false;
    }
    *out = item->valuestring;
    return true;
}

static void on_ws_message(sd_conn_t *ws, const char *data, size_t len, void *arg)
{
    sd_collider_t *col = arg;
    cJSON *root = NULL;
    WEBRTC_STATUS st = ertc_json_parse(data, len, SD_MAX_WS_FRAME_BYTES, &root);
    const char *cmd = NULL;
    const char *room_id = NULL;
    const char *client_id = NULL;
    const char *msg = NULL;
    const char *problem = NULL;
    if (st != WEBRTC_STATUS_SUCCESS) {
        problem = st == WEBRTC_STATUS_LIMIT_EXCEEDED ? "JSON nested too deeply or too long"
                                                     : "frame is not valid JSON";
    } else if (!cJSON_IsObject(root)) {
        problem = "frame is not a JSON object";
    } else if (!get_optional_string(root, "cmd", &cmd) ||
               !get_optional_string(root, "roomid", &room_id) ||
               !get_optional_string(root, "clientid", &client_id) ||
               !get_optional_string(root, "msg", &msg)) {
        problem = "'cmd', 'roomid', 'clientid' and 'msg' must be strings";
    }
    if (problem != NULL) {
        char text[160];
        snprintf(text, sizeof(text), SD_COLLIDER_ERR_RECEIVE_PREFIX "%s", problem);
        fail_socket(col, ws, text);
    } else if (strcmp(cmd ? cmd : "", "register") == 0) {
        handle_register(col, ws, room_id, client_id);
    } else if (strcmp(cmd ? cmd : "", "send") == 0) {
        handle_send(col, ws, msg);
    } else {
        send_error(col, ws, SD_COLLIDER_ERR_UNEXPECTED_CMD); /* the socket stays open */
    }
    cJSON_Delete(root);
}

static void on_ws_open(sd_conn_t *ws, void *arg)
{
    sd_collider_t *col = arg;
    col->open_ws++;
    col->total_ws++;
    ERTC_LOGD(TAG, "ws %s: open", sd_conn_peer(ws));
}

static void on_ws_close(sd_conn_t *ws, void *arg)
{
    sd_collider_t *col = arg;
    col->open_ws--;
    col_client_t *c = sd_ws_user(ws);
    if (c != NULL && c->ws == ws) {
        ERTC_LOGI(TAG, "room %s client %s: socket closed; %d ms to register again", c->room->name,
                  c->id, SD_REGISTER_TIMEOUT_MS);
        deregister(c, "socket closed");
    }
}

static const sd_ws_handler_t WS_HANDLER = {
    .on_open = on_ws_open,
    .on_message = on_ws_message,
    .on_close = on_ws_close,
};

const sd_ws_handler_t *sd_collider_ws_handler(void)
{
    return &WS_HANDLER;
}

/* ---- lifetime ----------------------------------------------------------------------------- */

sd_collider_t *sd_collider_create(ertc_loop_t *loop)
{
    sd_collider_t *col = ertc_calloc(1, sizeof(*col));
    if (col == NULL) {
        return NULL;
    }
    col->loop = loop;
    col->started_us = ertc_time_mono_us();
    return col;
}

void sd_collider_set_hooks(sd_collider_t *col, const sd_collider_hooks_t *hooks)
{
    col->hooks = *hooks;
}

void sd_collider_destroy(sd_collider_t *col)
{
    if (col == NULL) {
        return;
    }
    while (col->rooms != NULL) {
        col_room_t *r = col->rooms;
        col->rooms = r->next;
        for (size_t i = 0; i < r->count; i++) {
            col_client_t *c = r->clients[i];
            ertc_timer_stop(col->loop, &c->timer);
            if (c->ws != NULL) {
                sd_ws_set_user(c->ws, NULL);
            }
            sd_msg_queue_clear(&c->queue);
            ertc_free(c);
        }
        ertc_free(r);
    }
    ertc_free(col);
}

void sd_collider_count_http_error(sd_collider_t *col)
{
    col->http_errors++;
}

void sd_collider_get_stats(const sd_collider_t *col, sd_collider_stats_t *out)
{
    out->up_seconds = (ertc_time_mono_us() - col->started_us) / 1000000u;
    out->open_ws = col->open_ws;
    out->total_ws = col->total_ws;
    out->ws_errors = col->ws_errors;
    out->http_errors = col->http_errors;
    out->rooms = col->room_count;
}
