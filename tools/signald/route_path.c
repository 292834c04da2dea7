/*
 * signald/route_path — request path segments and name checks (see route_path.h).
 */
#include "route_path.h"

#include <string.h>

#include "signald_limits.h"
#include "util/alloc.h"

sd_route_path_t *sd_route_path_split(const char *path)
{
    size_t len = strlen(path);
    sd_route_path_t *p = ertc_calloc(1, sizeof(*p) + len + 1);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p->text, path, len + 1);
    char *s = p->text;
    if (*s == '/') {
        s++;
    }
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '/') {
        s[n - 1] = '\0';
    }
    if (*s == '\0') {
        return p;
    }
    for (;;) {
        if (p->count == SD_ROUTE_MAX_SEGMENTS) {
            p->too_deep = true;
            break;
        }
        p->seg[p->count++] = s;
        char *slash = strchr(s, '/');
        if (slash == NULL) {
            break;
        }
        *slash = '\0';
        s = slash + 1;
    }
    return p;
}

bool sd_route_name_is_valid(const char *name)
{
    size_t n = 0;
    for (const char *c = name; *c != '\0'; c++, n++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';
        if (!ok || n >= SD_MAX_NAME_LEN) {
            return false;
        }
    }
    return n > 0;
}
