/*
 * edgertc_signaling_registry.h — map a signaling backend's name to its interface table and a
 * configuration parser, so that a program (edgertc-device) can offer "--signaling NAME" for
 * backends it was not written with.
 *
 * A backend registers itself, typically from a constructor in a file linked into the program:
 *
 *     __attribute__((constructor)) static void reg(void)
 *     {
 *         edgertc_signaling_register("mqtt", mqtt_signaling_client_if_get,
 *                                    mqtt_parse_config, mqtt_free_config);
 *     }
 *
 * The program looks the name up (edgertc_signaling_find), turns its generic settings plus
 * "key=value" options into the backend's own configuration with the parser, and hands
 * get_if() and that configuration to app_webrtc_config_t. docs/custom-signaling.md tells
 * the whole story. Registration is not thread-safe: register before any thread looks up
 * (constructors and the start of main both qualify).
 */
#ifndef EDGERTC_SIGNALING_REGISTRY_H
#define EDGERTC_SIGNALING_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "webrtc_signaling_if.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERTC_SIGNALING_REGISTRY_MAX 8
#define EDGERTC_SIGNALING_NAME_MAX     31

/* What the program knows that most backends need; any member may be NULL / 0. */
typedef struct {
    webrtc_signaling_channel_role_type_t role;
    const char *room;
    /* "key=value" strings, in command-line order (--signaling-opt). */
    const char *const *options;
    size_t option_count;
    /* ICE servers the program was given (--stun/--turn); the parser may copy them. */
    const app_webrtc_ice_server_t *ice_servers;
    uint32_t ice_server_count;
} edgertc_signaling_params_t;

typedef webrtc_signaling_client_if_t *(*edgertc_signaling_if_getter_t)(void);
/* Builds the backend's configuration into *cfg (owned by the backend, released with the
 * matching free function). On failure returns INVALID_ARG (or another error) and writes a
 * readable reason naming the option into err. Must not print secrets. */
typedef WEBRTC_STATUS (*edgertc_signaling_config_parser_t)(const edgertc_signaling_params_t *params,
                                                           void **cfg, char *err, size_t errlen);
typedef void (*edgertc_signaling_config_free_t)(void *cfg);

typedef struct {
    char name[EDGERTC_SIGNALING_NAME_MAX + 1];
    edgertc_signaling_if_getter_t get_if;
    edgertc_signaling_config_parser_t parse_config;
    edgertc_signaling_config_free_t free_config;
} edgertc_signaling_backend_t;

/* Adds a backend. name: 1..31 of [a-z0-9_-]. Returns INVALID_ARG for a bad name or a NULL
 * function, INVALID_OPERATION when the name is taken, LIMIT_EXCEEDED when the registry is
 * full (EDGERTC_SIGNALING_REGISTRY_MAX). */
WEBRTC_STATUS edgertc_signaling_register(const char *name, edgertc_signaling_if_getter_t get_if,
                                         edgertc_signaling_config_parser_t parse_config,
                                         edgertc_signaling_config_free_t free_config);

/* The backend registered under name, or NULL. */
const edgertc_signaling_backend_t *edgertc_signaling_find(const char *name);

/* Registered backends in registration order: index 0 .. count-1. */
size_t edgertc_signaling_count(void);
const edgertc_signaling_backend_t *edgertc_signaling_at(size_t index);

#ifdef __cplusplus
}
#endif

#endif
