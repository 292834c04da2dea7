/*
 * signald/route_path — splitting request paths into segments and checking room and client
 * names, for every route module.
 *
 * Pure functions over strings. Names follow the AppRTC room server's pattern
 * [A-Za-z0-9_-]+ (specs/apprtc.md §1.1), bounded by SD_MAX_NAME_LEN; nothing is percent-decoded, so
 * an escaped character simply fails the name check.
 */
#ifndef SIGNALD_ROUTE_PATH_H
#define SIGNALD_ROUTE_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Most segments a path may have for the routes we serve; deeper paths count as unknown. */
#define SD_ROUTE_MAX_SEGMENTS 8

typedef struct {
    /* Each segment as a NUL-terminated copy (inside text). Empty segments ("//") are kept,
     * so "/a//b" has three segments and matches no route. A trailing '/' is dropped. */
    const char *seg[SD_ROUTE_MAX_SEGMENTS];
    size_t count;
    bool too_deep; /* more than SD_ROUTE_MAX_SEGMENTS segments */
    char text[1];  /* the storage; allocated with the struct (sd_route_path_split) */
} sd_route_path_t;

/* Splits path (which starts with '/') into segments. Returns NULL when out of memory;
 * free with ertc_free. "/" has zero segments. */
sd_route_path_t *sd_route_path_split(const char *path);

/* True when name matches [A-Za-z0-9_-]+ and has at most SD_MAX_NAME_LEN characters. */
bool sd_route_name_is_valid(const char *name);

/* The rule names must follow, for error messages. */
#define SD_ROUTE_NAME_RULE "[A-Za-z0-9_-]+, at most 64 characters"

#endif
