/*
 * signald/static_files — the web pages, as the last route module:
 *
 *   GET /            <web>/index.html
 *   GET /r/{room}    <web>/index.html (the viewer page reads the room from its URL)
 *   GET /<path>      a file under <web>, for .html .js .mjs .css .svg .png .json .ico
 *
 * HEAD works like GET. Every path segment must match [A-Za-z0-9._-]+ and must not start
 * with '.', so ".." and hidden files never match; the resolved file must also stay inside
 * the web directory after symbolic links are followed, and be a regular file of at most
 * SD_MAX_STATIC_FILE_BYTES. A missing file is a 404 that says what was looked for.
 */
#ifndef SIGNALD_STATIC_FILES_H
#define SIGNALD_STATIC_FILES_H

#include "http_route.h"

typedef struct sd_static_files sd_static_files_t;

/* dir NULL: no web directory; every page is a 404 saying so. NULL when out of memory or
 * when dir cannot be resolved. */
sd_static_files_t *sd_static_files_create(const char *dir);
void sd_static_files_destroy(sd_static_files_t *sf);

/* The route function (ctx = the static files). */
sd_route_result_t sd_static_files_route(void *ctx, const sd_http_request_t *req,
                                        sd_http_response_t *resp);

#endif
