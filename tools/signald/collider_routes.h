/*
 * signald/collider_routes — the Collider's HTTP side as a route module (specs/apprtc.md §2.1,
 * §2.6):
 *
 *   GET    /ws                  WebSocket upgrade (403 without an Origin header)
 *   GET    /status              {"upsec":..,"openws":..,"totalws":..,"wserrors":..,"httperrors":..}
 *   POST   /{room}/{client}     relay the body as a send from that client; "OK\n"
 *   DELETE /{room}/{client}     remove the client and close its socket; "OK\n"
 *
 * Because the room server, the Collider and the pages share one port, wss_post_url is the
 * server's own base URL, and a two-segment path is a relay path only when its first
 * segment is not one of the room server's routes (sd_room_server_is_route_name).
 */
#ifndef SIGNALD_COLLIDER_ROUTES_H
#define SIGNALD_COLLIDER_ROUTES_H

#include "collider.h"
#include "http_route.h"

/* The route function (ctx = the collider). */
sd_route_result_t sd_collider_route(void *ctx, const sd_http_request_t *req,
                                    sd_http_response_t *resp);

#endif
