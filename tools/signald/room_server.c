/*
 * signald/room_server — the AppRTC room-server routes (see room_server.h; specs/apprtc.md §1).
 *
 * Answers keep the reference's shapes and types, which clients depend on (specs/apprtc.md §1.2,
 * §6): is_initiator is the string "true"/"false", messages an array of strings, pc_config and the
 * other *_config/constraints fields strings holding JSON; results other than SUCCESS come as
 * {"result":"FULL"|"UNKNOWN_ROOM"|..., ...} with HTTP 200. Our own refusals (a bad name, a body
 * that is not JSON, a limit) use a 4xx/5xx status with
 * {"result":"ERROR", ..., "reason":"..."} so that a client sees why.
 */
#include "room_server.h"

#include <stdio.h>
#include <string.h>

#include "signald_limits.h"
#include "net/utf8.h"
#include "port/port.h"
#include "room_table.h"
#include "util/alloc.h"
#include "util/json.h"
#include "util/log.h"

#define TAG "apprtc"

struct sd_room_server {
    const sd_ice_config_t *ice;
    sd_collider_t *collider;
    sd_room_table_t *rooms;
};

static const char *const ROUTE_NAMES[] = {"join", "message", "leave",     "bye", "params",
                                          "r",    "v1alpha", "iceconfig", "ws",  "status"};

bool sd_room_server_is_route_name(const char *segment)
{
    for (size_t i = 0; i < sizeof(ROUTE_NAMES) / sizeof(ROUTE_NAMES[0]); i++) {
        if (strcmp(segment, ROUTE_NAMES[i]) == 0) {
            return true;
        }
    }
    return false;
}

sd_room_server_t *sd_room_server_create(const sd_ice_config_t *ice, sd_collider_t *collider)
{
    sd_room_server_t *rs = ertc_calloc(1, sizeof(*rs));
    if (rs == NULL) {
        return NULL;
    }
    rs->ice = ice;
    rs->collider = collider;
    rs->rooms = sd_room_table_create();
    if (rs->rooms == NULL) {
        ertc_free(rs);
        return NULL;
    }
    return rs;
}

void sd_room_server_destroy(sd_room_server_t *rs)
{
    if (rs == NULL) {
        return;
    }
    sd_room_table_destroy(rs->rooms);
    ertc_free(rs);
}

/* ---- JSON helpers ------------------------------------------------------------------------- */

static void append_str(ertc_strbuf_t *sb, const char *s)
{
    ertc_strbuf_append_json_string(sb, s, strlen(s));
}

/* ,"key":"value" (or without the comma when first). */
static void append_field(ertc_strbuf_t *sb, const char *key, const char *value, bool first)
{
    if (!first) {
        ertc_strbuf_append_char(sb, ',');
    }
    append_str(sb, key);
    ertc_strbuf_append_char(sb, ':');
    append_str(sb, value);
}

/* {"result":<result>,"params":{"messages":[]},"reason":<reason>} with the given status. */
static void respond_result(sd_http_response_t *resp, int status, const char *result,
                           const char *reason)
{
    sd_http_respond_json(resp, status);
    ertc_strbuf_append_str(&resp->body, "{\"result\":");
    append_str(&resp->body, result);
    ertc_strbuf_append_str(&resp->body, ",\"params\":{\"messages\":[]}");
    if (reason != NULL) {
        ertc_strbuf_append_str(&resp->body, ",\"reason\":");
        append_str(&resp->body, reason);
    }
    ertc_strbuf_append_char(&resp->body, '}');
}

/* {"result":<result>} with HTTP 200: /message's answers. */
static void respond_plain_result(sd_http_response_t *resp, const char *result)
{
    sd_http_respond_json(resp, 200);
    ertc_strbuf_append_str(&resp->body, "{\"result\":");
    append_str(&resp->body, result);
    ertc_strbuf_append_char(&resp->body, '}');
}

static uint64_t now_seconds(void)
{
    return ertc_time_wall_us() / 1000000u;
}

/* The parameters every answer shares (§1.2), without the room-specific ones. */
static WEBRTC_STATUS append_common_params(const sd_room_server_t *rs, const char *host,
                                          ertc_strbuf_t *sb, bool first)
{
    ertc_strbuf_t pc;
    ertc_strbuf_init_heap(&pc, 64 * 1024);
    ertc_strbuf_append_str(&pc, "{\"iceServers\":");
    WEBRTC_STATUS st = sd_ice_append_servers(rs->ice, now_seconds(), &pc);
    ertc_strbuf_append_str(&pc, ",\"bundlePolicy\":\"max-bundle\",\"rtcpMuxPolicy\":\"require\"}");
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_status(&pc);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_strbuf_free(&pc);
        return st;
    }
    char url[300];
    snprintf(url, sizeof(url), "ws://%s/ws", host);
    append_field(sb, "wss_url", url, first);
    snprintf(url, sizeof(url), "http://%s", host);
    append_field(sb, "wss_post_url", url, false);
    append_field(sb, "pc_config", ertc_strbuf_cstr(&pc), false);
    append_field(sb, "pc_constraints", "{\"optional\": []}", false);
    append_field(sb, "offer_options", "{}", false);
    append_field(sb, "media_constraints", "{\"audio\": true, \"video\": true}", false);
    snprintf(url, sizeof(url), "http://%s/v1alpha/iceconfig?key=", host);
    append_field(sb, "ice_server_url", url, false);
    append_field(sb, "ice_server_transports", "", false);
    append_field(sb, "is_loopback", "false", false);
    append_field(sb, "bypass_join_confirmation", "false", false);
    append_field(sb, "version_info", "null", false);
    append_field(sb, "include_loopback_js", "", false);
    ertc_strbuf_append_str(sb, ",\"header_message\":null,\"error_messages\":[],"
                               "\"warning_messages\":[]");
    /* pc holds fresh TURN credentials: wipe them before the memory is freed. */
    if (pc.data != NULL) {
        memset(pc.data, 0, pc.cap);
    }
    ertc_strbuf_free(&pc);
    return ertc_strbuf_status(sb);
}

/* ---- /join -------------------------------------------------------------------------------- */

static void handle_join(sd_room_server_t *rs, const sd_http_request_t *req,
                        sd_http_response_t *resp, const char *room)
{
    sd_room_join_t join;
    sd_room_result_t r = sd_room_table_join(rs->rooms, room, &join);
    switch (r) {
    case SD_ROOM_OK: break;
    case SD_ROOM_FULL:
        ERTC_LOGW(TAG, "join room %s from %s: FULL (2 clients)", room, sd_conn_peer(req->conn));
        respond_result(resp, 200, "FULL", NULL);
        return;
    case SD_ROOM_TOO_MANY_ROOMS:
        respond_result(resp, 503, "ERROR", "too many rooms on this server (limit 1000)");
        return;
    default: respond_result(resp, 503, "ERROR", "out of memory"); return;
    }
    sd_http_respond_json(resp, 200);
    ertc_strbuf_t *sb = &resp->body;
    ertc_strbuf_append_str(sb, "{\"result\":\"SUCCESS\",\"params\":{");
    char link[300];
    snprintf(link, sizeof(link), "http://%s/r/%s", req->host, room);
    append_field(sb, "client_id", join.client_id, true);
    append_field(sb, "room_id", room, false);
    append_field(sb, "room_link", link, false);
    append_field(sb, "is_initiator", join.is_initiator ? "true" : "false", false);
    size_t n_messages = join.messages.count;
    ertc_strbuf_append_str(sb, ",\"messages\":[");
    for (sd_msg_t *m = join.messages.head; m != NULL; m = m->next) {
        if (m != join.messages.head) {
            ertc_strbuf_append_char(sb, ',');
        }
        ertc_strbuf_append_json_string(sb, m->data, m->len);
    }
    ertc_strbuf_append_char(sb, ']');
    sd_msg_queue_clear(&join.messages);
    WEBRTC_STATUS st = append_common_params(rs, req->host, sb, false);
    ertc_strbuf_append_str(sb, "}}");
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_status(sb);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        char unused[SD_MAX_NAME_LEN + 1];
        sd_room_table_leave(rs->rooms, room, join.client_id, unused);
        respond_result(resp, 500, "ERROR", "the join answer could not be built (too large?)");
        return;
    }
    ERTC_LOGI(TAG,
              "join room %s: client %s from %s, initiator %s, %zu stored messages, %zu in room",
              room, join.client_id, sd_conn_peer(req->conn), join.is_initiator ? "yes" : "no",
              n_messages, join.occupancy);
}

/* ---- /message ----------------------------------------------------------------------------- */

static void handle_message(sd_room_server_t *rs, const sd_http_request_t *req,
                           sd_http_response_t *resp, const char *room, const char *client)
{
    if (req->body_len == 0) {
        respond_result(resp, 400, "ERROR", "empty message body (expected a JSON message)");
        return;
    }
    if (!ertc_utf8_valid((const uint8_t *)req->body, req->body_len)) {
        respond_result(resp, 400, "ERROR", "message body is not UTF-8");
        return;
    }
    cJSON *json = NULL;
    if (ertc_json_parse(req->body, req->body_len, SD_MAX_MESSAGE_BYTES, &json) !=
        WEBRTC_STATUS_SUCCESS) {
        respond_result(resp, 400, "ERROR", "message body is not JSON");
        return;
    }
    cJSON_Delete(json);
    bool forward = false;
    sd_room_result_t r =
        sd_room_table_store(rs->rooms, room, client, req->body, req->body_len, &forward);
    switch (r) {
    case SD_ROOM_OK: break;
    case SD_ROOM_UNKNOWN_ROOM:
    case SD_ROOM_UNKNOWN_CLIENT:
        ERTC_LOGW(TAG, "message to room %s from client %s: %s", room, client,
                  sd_room_result_name(r));
        respond_plain_result(resp, sd_room_result_name(r));
        return;
    case SD_ROOM_QUEUE_FULL:
        respond_result(resp, 429, "ERROR",
                       "too many stored messages for this client (limit 1024 messages or "
                       "256 KiB); they wait for the second joiner");
        return;
    default: respond_result(resp, 503, "ERROR", "out of memory"); return;
    }
    if (forward) {
        /* The reference posts to Collider at wss_post_url; we are Collider (specs/apprtc.md §1.3).
         */
        char err[128] = "";
        WEBRTC_STATUS st = sd_collider_send_as(rs->collider, room, client, req->body, req->body_len,
                                               err, sizeof(err));
        if (st != WEBRTC_STATUS_SUCCESS) {
            char reason[200];
            snprintf(reason, sizeof(reason), "Failed to send the message: %s", err);
            respond_result(resp, 500, "ERROR", reason);
            return;
        }
    }
    ERTC_LOGD(TAG, "message room %s client %s: %zu bytes %s", room, client, req->body_len,
              forward ? "relayed" : "stored");
    respond_plain_result(resp, "SUCCESS");
}

/* ---- /leave, /bye ------------------------------------------------------------------------- */

static void leave_room(sd_room_server_t *rs, const char *room, const char *client, const char *how)
{
    char survivor[SD_MAX_NAME_LEN + 1];
    sd_room_result_t r = sd_room_table_leave(rs->rooms, room, client, survivor);
    if (r != SD_ROOM_OK) {
        ERTC_LOGD(TAG, "leave room %s client %s (%s): %s", room, client, how,
                  sd_room_result_name(r));
        return;
    }
    if (survivor[0] != '\0') {
        ERTC_LOGI(TAG, "leave room %s: client %s (%s); client %s stays as initiator", room, client,
                  how, survivor);
    } else {
        ERTC_LOGI(TAG, "leave room %s: client %s (%s); room closed", room, client, how);
    }
}

void sd_room_server_on_collider_removed(const char *room, const char *client, const char *why,
                                        void *arg)
{
    char how[64];
    snprintf(how, sizeof(how), "websocket %s", why);
    leave_room(arg, room, client, how);
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static bool is_method(const sd_http_request_t *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* Checks the names of a /verb/{room}[/{client}] path; answers 400 when one is bad. */
static bool check_names(const sd_http_request_t *req, sd_http_response_t *resp, size_t want)
{
    const sd_route_path_t *p = req->segments;
    if (p->count != want) {
        sd_http_respond_text(resp, 404, "no such resource: %s is /%s/{room}%s", req->path,
                             p->seg[0], want == 3 ? "/{client}" : "");
        return false;
    }
    for (size_t i = 1; i < want; i++) {
        if (!sd_route_name_is_valid(p->seg[i])) {
            char reason[160];
            snprintf(reason, sizeof(reason), "%s name must match " SD_ROUTE_NAME_RULE,
                     i == 1 ? "room" : "client");
            respond_result(resp, 400, "ERROR", reason);
            return false;
        }
    }
    return true;
}

static void handle_ice_config(sd_room_server_t *rs, sd_http_response_t *resp)
{
    sd_http_respond_json(resp, 200);
    if (sd_ice_append_response(rs->ice, now_seconds(), &resp->body) != WEBRTC_STATUS_SUCCESS) {
        sd_http_respond_text(resp, 500, "cannot build the ICE server list");
    }
}

static void handle_params(sd_room_server_t *rs, const sd_http_request_t *req,
                          sd_http_response_t *resp)
{
    sd_http_respond_json(resp, 200);
    ertc_strbuf_append_char(&resp->body, '{');
    WEBRTC_STATUS st = append_common_params(rs, req->host, &resp->body, true);
    ertc_strbuf_append_char(&resp->body, '}');
    if (st != WEBRTC_STATUS_SUCCESS || ertc_strbuf_status(&resp->body) != WEBRTC_STATUS_SUCCESS) {
        sd_http_respond_text(resp, 500, "cannot build the params");
    }
}

sd_route_result_t sd_room_server_route(void *ctx, const sd_http_request_t *req,
                                       sd_http_response_t *resp)
{
    sd_room_server_t *rs = ctx;
    const sd_route_path_t *p = req->segments;
    if (p->count == 0 || p->too_deep) {
        return SD_ROUTE_NEXT;
    }
    const char *verb = p->seg[0];
    bool ice = strcmp(verb, "iceconfig") == 0 || (strcmp(verb, "v1alpha") == 0 && p->count == 2 &&
                                                  strcmp(p->seg[1], "iceconfig") == 0);
    if (ice) {
        if (p->count != (strcmp(verb, "iceconfig") == 0 ? 1u : 2u)) {
            return SD_ROUTE_NEXT;
        }
        if (!is_method(req, "POST") && !is_method(req, "GET")) {
            sd_http_respond_method_not_allowed(resp, req, "POST, GET");
        } else {
            handle_ice_config(rs, resp);
        }
        return SD_ROUTE_DONE;
    }
    if (strcmp(verb, "params") == 0 && p->count == 1) {
        if (!is_method(req, "GET")) {
            sd_http_respond_method_not_allowed(resp, req, "GET");
        } else {
            handle_params(rs, req, resp);
        }
        return SD_ROUTE_DONE;
    }
    size_t want = 0;
    if (strcmp(verb, "join") == 0) {
        want = 2;
    } else if (strcmp(verb, "message") == 0 || strcmp(verb, "leave") == 0 ||
               strcmp(verb, "bye") == 0) {
        want = 3;
    } else {
        return SD_ROUTE_NEXT;
    }
    if (!is_method(req, "POST")) {
        sd_http_respond_method_not_allowed(resp, req, "POST");
        return SD_ROUTE_DONE;
    }
    if (!check_names(req, resp, want)) {
        return SD_ROUTE_DONE;
    }
    if (want == 2) {
        handle_join(rs, req, resp, p->seg[1]);
    } else if (strcmp(verb, "message") == 0) {
        handle_message(rs, req, resp, p->seg[1], p->seg[2]);
    } else {
        /* The reference answers an empty 200 in every case (specs/apprtc.md §1.4). */
        leave_room(rs, p->seg[1], p->seg[2], verb);
        resp->status = 200;
    }
    return SD_ROUTE_DONE;
}
