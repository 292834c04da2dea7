/*
 * signald/room_server — the AppRTC room server's HTTP API (specs/apprtc.md §1), as a route module:
 *
 *   POST /join/{room}                  join a room of two; params for the call (§1.2)
 *   POST /message/{room}/{client}      store while alone, else relay in process (§1.3)
 *   POST /leave/{room}/{client}        leave; the survivor becomes initiator (§1.4)
 *   POST /bye/{room}/{client}          the same as /leave (what Collider posts, §1.7)
 *   GET  /params                       room-independent params (§1.1)
 *   POST|GET /v1alpha/iceconfig, /iceconfig   ICE servers with credentials (§1.6)
 *
 * The URLs handed out are built from the request's Host header, because one port serves
 * everything: wss_url ws://<host>/ws, wss_post_url http://<host>, ice_server_url
 * http://<host>/v1alpha/iceconfig?key=, room_link http://<host>/r/<room>.
 */
#ifndef SIGNALD_ROOM_SERVER_H
#define SIGNALD_ROOM_SERVER_H

#include <stdbool.h>

#include "collider.h"
#include "http_route.h"
#include "ice_config.h"

typedef struct sd_room_server sd_room_server_t;

/* ice and collider must outlive the room server. */
sd_room_server_t *sd_room_server_create(const sd_ice_config_t *ice, sd_collider_t *collider);
void sd_room_server_destroy(sd_room_server_t *rs);

/* The route function (ctx = the room server). */
sd_route_result_t sd_room_server_route(void *ctx, const sd_http_request_t *req,
                                       sd_http_response_t *resp);

/* The Collider removed (room, client): what it would POST to /bye. Leaves the room. */
void sd_room_server_on_collider_removed(const char *room, const char *client, const char *why,
                                        void *arg);

/* True for a first path segment that belongs to the room server or its pages (join,
 * message, leave, bye, params, r, v1alpha, iceconfig, ws, status): such paths are never a
 * Collider relay path /{room}/{client}. */
bool sd_room_server_is_route_name(const char *segment);

#endif
