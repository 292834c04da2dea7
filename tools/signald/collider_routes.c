/*
 * signald/collider_routes — the Collider's WebSocket endpoint, status page and HTTP relay
 * (see collider_routes.h).
 *
 * The relay answers as the reference does (specs/apprtc.md §2.6): 200 "OK\n"; 500 "Empty request
 * body"; 500 "Failed to send the message: <reason>". A path whose names do not match [A-Za-z0-9_-]+
 * is refused with 400 and the rule, before any record is created.
 */
#include "collider_routes.h"

#include <inttypes.h>
#include <string.h>

#include "room_server.h"
#include "util/log.h"
#include "ws_conn.h"

static void respond_ok(sd_http_response_t *resp)
{
    sd_http_respond_text(resp, 200, "OK");
}

static void handle_status(sd_collider_t *col, sd_http_response_t *resp)
{
    sd_collider_stats_t st;
    sd_collider_get_stats(col, &st);
    sd_http_respond_json(resp, 200);
    ertc_strbuf_appendf(&resp->body,
                        "{\"upsec\":%" PRIu64 ",\"openws\":%" PRIu64 ",\"totalws\":%" PRIu64
                        ",\"wserrors\":%" PRIu64 ",\"httperrors\":%" PRIu64 ",\"rooms\":%zu}",
                        st.up_seconds, st.open_ws, st.total_ws, st.ws_errors, st.http_errors,
                        st.rooms);
}

static void handle_relay(sd_collider_t *col, const sd_http_request_t *req, sd_http_response_t *resp,
                         const char *room, const char *client)
{
    if (!sd_route_name_is_valid(room) || !sd_route_name_is_valid(client)) {
        sd_collider_count_http_error(col);
        sd_http_respond_text(resp, 400, "Invalid path: %.200s: room and client must match %s",
                             req->path, SD_ROUTE_NAME_RULE);
        return;
    }
    if (strcmp(req->method, "DELETE") == 0) {
        if (sd_collider_remove(col, room, client) != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGD("collider", "DELETE %s/%s: no such client (answered OK, as the reference)",
                      room, client);
        }
        respond_ok(resp);
        return;
    }
    if (req->body_len == 0) {
        sd_collider_count_http_error(col);
        sd_http_respond_text(resp, 500, "Empty request body");
        return;
    }
    char err[128] = "";
    if (sd_collider_send_as(col, room, client, req->body, req->body_len, err, sizeof(err)) !=
        WEBRTC_STATUS_SUCCESS) {
        sd_collider_count_http_error(col);
        sd_http_respond_text(resp, 500, "Failed to send the message: %s", err);
        return;
    }
    respond_ok(resp);
}

sd_route_result_t sd_collider_route(void *ctx, const sd_http_request_t *req,
                                    sd_http_response_t *resp)
{
    sd_collider_t *col = ctx;
    const sd_route_path_t *p = req->segments;
    if (p->count == 1 && strcmp(p->seg[0], "ws") == 0) {
        sd_ws_accept_upgrade(req, resp, true, sd_collider_ws_handler(), col);
        return SD_ROUTE_DONE;
    }
    if (p->count == 1 && strcmp(p->seg[0], "status") == 0) {
        if (strcmp(req->method, "GET") != 0) {
            sd_http_respond_method_not_allowed(resp, req, "GET");
        } else {
            handle_status(col, resp);
        }
        return SD_ROUTE_DONE;
    }
    bool relay_method = strcmp(req->method, "POST") == 0 || strcmp(req->method, "DELETE") == 0;
    if (p->count == 2 && relay_method && !sd_room_server_is_route_name(p->seg[0])) {
        handle_relay(col, req, resp, p->seg[0], p->seg[1]);
        return SD_ROUTE_DONE;
    }
    return SD_ROUTE_NEXT;
}
