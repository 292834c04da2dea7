/*
 * signald/static_files — serving the web directory (see static_files.h).
 */
#include "static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signald_limits.h"
#include "route_path.h"
#include "util/alloc.h"

#define SD_STATIC_MAX_SEGMENT 128
#define SD_STATIC_MAX_DEPTH   4

struct sd_static_files {
    char *root; /* the web directory, resolved (realpath), or NULL */
};

typedef struct {
    const char *ext;
    const char *type;
} content_type_t;

static const content_type_t CONTENT_TYPES[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json"},
    {".ico", "image/x-icon"},
};

sd_static_files_t *sd_static_files_create(const char *dir)
{
    sd_static_files_t *sf = ertc_calloc(1, sizeof(*sf));
    if (sf == NULL || dir == NULL) {
        return sf;
    }
    char resolved[PATH_MAX];
    if (realpath(dir, resolved) == NULL || (sf->root = ertc_strdup(resolved)) == NULL) {
        ertc_free(sf);
        return NULL;
    }
    return sf;
}

void sd_static_files_destroy(sd_static_files_t *sf)
{
    if (sf != NULL) {
        ertc_free(sf->root);
        ertc_free(sf);
    }
}

static const char *content_type_for(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(CONTENT_TYPES) / sizeof(CONTENT_TYPES[0]); i++) {
        if (strcmp(dot, CONTENT_TYPES[i].ext) == 0) {
            return CONTENT_TYPES[i].type;
        }
    }
    return NULL;
}

static bool segment_is_safe(const char *s)
{
    size_t n = 0;
    if (s[0] == '.' || s[0] == '\0') {
        return false;
    }
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n >= SD_STATIC_MAX_SEGMENT) {
            return false;
        }
    }
    return true;
}

/* Reads root/rel into the response, or answers why not. */
static void serve_file(const sd_static_files_t *sf, const char *rel, sd_http_response_t *resp)
{
    if (sf->root == NULL) {
        sd_http_respond_text(resp, 404,
                             "%s: no web directory is configured (start edgertc-signald with "
                             "--web DIR)",
                             rel);
        return;
    }
    const char *type = content_type_for(rel);
    if (type == NULL) {
        sd_http_respond_text(resp, 404, "%s: files of this type are not served", rel);
        return;
    }
    char path[PATH_MAX];
    char resolved[PATH_MAX];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", sf->root, rel) >= sizeof(path)) {
        sd_http_respond_text(resp, 404, "%s: path too long", rel);
        return;
    }
    size_t root_len = strlen(sf->root);
    if (realpath(path, resolved) == NULL) {
        sd_http_respond_text(resp, 404, "%s not found in the web directory", rel);
        return;
    }
    if (strncmp(resolved, sf->root, root_len) != 0 || resolved[root_len] != '/') {
        sd_http_respond_text(resp, 404, "%s: resolves outside the web directory", rel);
        return;
    }
    int fd = open(resolved, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) {
            close(fd);
        }
        sd_http_respond_text(resp, 404, "%s not found in the web directory (not a file)", rel);
        return;
    }
    if (st.st_size > SD_MAX_STATIC_FILE_BYTES) {
        close(fd);
        sd_http_respond_text(resp, 500, "%s is larger than the %d-byte limit for static files", rel,
                             SD_MAX_STATIC_FILE_BYTES);
        return;
    }
    char *data = ertc_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (data != NULL && got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (data == NULL || got != (size_t)st.st_size) {
        ertc_free(data);
        sd_http_respond_text(resp, 500, "%s could not be read", rel);
        return;
    }
    resp->status = 200;
    resp->content_type = type;
    ertc_strbuf_reset(&resp->body);
    if (ertc_strbuf_append(&resp->body, data, got) != WEBRTC_STATUS_SUCCESS) {
        sd_http_respond_text(resp, 500, "%s does not fit the answer buffer", rel);
    }
    ertc_free(data);
}

sd_route_result_t sd_static_files_route(void *ctx, const sd_http_request_t *req,
                                        sd_http_response_t *resp)
{
    const sd_static_files_t *sf = ctx;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        return SD_ROUTE_NEXT;
    }
    const sd_route_path_t *p = req->segments;
    if (p->count == 0) {
        serve_file(sf, "index.html", resp);
        return SD_ROUTE_DONE;
    }
    if (strcmp(p->seg[0], "r") == 0) {
        if (p->count != 2) {
            sd_http_respond_text(resp, 404, "the room page is /r/{room}");
        } else if (!sd_route_name_is_valid(p->seg[1])) {
            sd_http_respond_text(resp, 400, "room name must match %s", SD_ROUTE_NAME_RULE);
        } else {
            serve_file(sf, "index.html", resp);
        }
        return SD_ROUTE_DONE;
    }
    if (p->too_deep || p->count > SD_STATIC_MAX_DEPTH) {
        return SD_ROUTE_NEXT;
    }
    for (size_t i = 0; i < p->count; i++) {
        if (!segment_is_safe(p->seg[i])) {
            return SD_ROUTE_NEXT;
        }
    }
    /* The checked segments joined with '/': the request path without its leading '/'. */
    char rel[SD_STATIC_MAX_DEPTH * (SD_STATIC_MAX_SEGMENT + 1) + 1];
    rel[0] = '\0';
    for (size_t i = 0; i < p->count; i++) {
        strcat(rel, p->seg[i]);
        if (i + 1 < p->count) {
            strcat(rel, "/");
        }
    }
    serve_file(sf, rel, resp);
    return SD_ROUTE_DONE;
}
