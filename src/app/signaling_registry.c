/*
 * signaling_registry.c — name → signaling backend (edgertc_signaling_registry.h). A fixed
 * table: registrations happen once, at start-up, and a device carries only a few backends.
 */
#include "edgertc_signaling_registry.h"

#include <string.h>

static edgertc_signaling_backend_t table[EDGERTC_SIGNALING_REGISTRY_MAX];
static size_t table_count;

static int valid_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > EDGERTC_SIGNALING_NAME_MAX) {
        return 0;
    }
    for (const char *c = name; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-')) {
            return 0;
        }
    }
    return 1;
}

WEBRTC_STATUS edgertc_signaling_register(const char *name, edgertc_signaling_if_getter_t get_if,
                                         edgertc_signaling_config_parser_t parse_config,
                                         edgertc_signaling_config_free_t free_config)
{
    if (!valid_name(name) || get_if == NULL || parse_config == NULL || free_config == NULL) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (edgertc_signaling_find(name) != NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (table_count >= EDGERTC_SIGNALING_REGISTRY_MAX) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    edgertc_signaling_backend_t *b = &table[table_count];
    memset(b, 0, sizeof(*b));
    memcpy(b->name, name, strlen(name) + 1);
    b->get_if = get_if;
    b->parse_config = parse_config;
    b->free_config = free_config;
    table_count++;
    return WEBRTC_STATUS_SUCCESS;
}

const edgertc_signaling_backend_t *edgertc_signaling_find(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < table_count; i++) {
        if (strcmp(table[i].name, name) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

size_t edgertc_signaling_count(void)
{
    return table_count;
}

const edgertc_signaling_backend_t *edgertc_signaling_at(size_t index)
{
    return index < table_count ? &table[index] : NULL;
}
