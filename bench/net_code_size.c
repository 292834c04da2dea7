/*
 * bench/net_code_size — see net_code_size.h.
 */
#include "net_code_size.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const module_dirs[MODULE_COUNT] = {"/src/net/", "/src/util/", "/src/port/"};
/* ---- code size, read with size(1) ----------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void sizes_add_section(section_sizes_t *s, const char *name, unsigned long n)
{
    static const char *const code[] = {".text", ".init", ".fini", ".plt"};
    static const char *const ro[] = {".dynsym", ".dynstr", ".gnu.hash", ".hash",  ".gnu.version",
                                     ".rela",   ".rel.",   ".note",     ".interp"};
    static const char *const data[] = {".data", ".got", ".dynamic", ".tdata"};
    for (size_t i = 0; i < sizeof(code) / sizeof(code[0]); i++) {
        if (starts_with(name, code[i])) {
            s->code += n;
            return;
        }
    }
    if (starts_with(name, ".rodata")) {
        s->rodata += n;
    } else if (starts_with(name, ".eh_frame") || strcmp(name, ".gcc_except_table") == 0) {
        s->unwind += n;
    } else if (starts_with(name, ".bss") || strcmp(name, ".tbss") == 0) {
        s->bss += n;
    } else if (strcmp(name, ".init_array") == 0 || strcmp(name, ".fini_array") == 0) {
        s->data += n;
    } else {
        for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
            if (starts_with(name, data[i])) {
                s->data += n;
                return;
            }
        }
        for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
            if (starts_with(name, ro[i])) {
                s->ro += n;
                return;
            }
        }
        /* not loaded: .comment, .debug_*, .gnu_debuglink, ... */
    }
}

unsigned long sizes_text(const section_sizes_t *s)
{
    return s->code + s->rodata + s->unwind + s->ro;
}

static void sizes_sum(section_sizes_t *to, const section_sizes_t *s)
{
    to->code += s->code;
    to->rodata += s->rodata;
    to->unwind += s->unwind;
    to->ro += s->ro;
    to->data += s->data;
    to->bss += s->bss;
}

/* Runs `size -A` on n files, one call for all; out[i] gets the sections of paths[i]. */
bool measure_files(const char *const *paths, size_t n, section_sizes_t *out)
{
    size_t len = 32;
    for (size_t i = 0; i < n; i++) {
        if (strchr(paths[i], '\'') != NULL) {
            fprintf(stderr, "bench_net_footprint: cannot quote path %s\n", paths[i]);
            return false;
        }
        len += strlen(paths[i]) + 3;
    }
    char *cmd = malloc(len);
    if (cmd == NULL) {
        return false;
    }
    strcpy(cmd, "size -A");
    for (size_t i = 0; i < n; i++) {
        strcat(cmd, " '");
        strcat(cmd, paths[i]);
        strcat(cmd, "'");
    }
    FILE *f = popen(cmd, "r");
    free(cmd);
    if (f == NULL) {
        return false;
    }
    memset(out, 0, n * sizeof(*out));
    size_t seen = 0;
    section_sizes_t *cur = NULL;
    char line[1024];
    while (fgets(line, sizeof(line), f) != NULL) {
        char name[256];
        unsigned long size = 0;
        if (line[0] == '.' && cur != NULL && sscanf(line, "%255s %lu", name, &size) == 2) {
            sizes_add_section(cur, name, size);
        } else if (line[0] != '.' && strstr(line, " :") != NULL && seen < n) {
            cur = &out[seen++]; /* "<file>  :" starts each file, in argument order */
        }
    }
    int status = pclose(f);
    if (status != 0 || seen != n) {
        fprintf(stderr, "bench_net_footprint: `size -A` failed on the object files (binutils)\n");
        return false;
    }
    return true;
}

/* The libedgertc.a members the linker pulled into this program, from its map file. */
bool read_linked_members(member_set_t *set)
{
    set->count = 0;
    FILE *f = fopen(ERTC_BENCH_LINK_MAP, "r");
    if (f == NULL) {
        return false;
    }
    char line[2048];
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *p = strstr(line, "libedgertc.a(");
        if (p == NULL) {
            continue;
        }
        p += strlen("libedgertc.a(");
        const char *end = strchr(p, ')');
        if (end == NULL || (size_t)(end - p) >= sizeof(set->names[0])) {
            continue;
        }
        char name[64];
        memcpy(name, p, (size_t)(end - p));
        name[end - p] = '\0';
        bool known = false;
        for (size_t i = 0; i < set->count && !known; i++) {
            known = strcmp(set->names[i], name) == 0;
        }
        if (!known && set->count < MAX_OBJECTS) {
            strcpy(set->names[set->count++], name);
        }
    }
    fclose(f);
    return set->count > 0;
}

static int module_of(const char *path);

/*
 * Text and read-only data our objects (src/net, src/util, src/port) keep in the device-style
 * build (ertc_ws_device, linked with --gc-sections): the input sections listed in its map
 * after "Linker script and memory map". An input section and its size sit on one line, or the
 * name on one line and the address, size and object on the next.
 */
bool measure_device_map(double *text_kib, double *rodata_kib)
{
    FILE *f = fopen(ERTC_BENCH_DEVICE_MAP, "r");
    if (f == NULL) {
        return false;
    }
    char line[2048];
    bool in_map = false;
    int pending = 0; /* 1 text, 2 rodata: a section name waiting for its size line */
    size_t text = 0, rodata = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (!in_map) {
            in_map = strstr(line, "Linker script and memory map") != NULL;
            continue;
        }
        int kind = 0;
        const char *rest = line;
        if (strncmp(line, " .text", 6) == 0) {
            kind = 1;
        } else if (strncmp(line, " .rodata", 8) == 0) {
            kind = 2;
        }
        if (kind != 0) {
            rest = line + 1 + strcspn(line + 1, " \t\n");
            if (*rest == '\n' || *rest == '\0') {
                pending = kind; /* long name: the numbers follow on the next line */
                continue;
            }
        } else if (pending != 0) {
            kind = pending;
        }
        pending = 0;
        unsigned long addr = 0, size = 0;
        char object[1024];
        if (kind == 0 || sscanf(rest, " 0x%lx 0x%lx %1023s", &addr, &size, object) != 3) {
            continue;
        }
        if (module_of(object) >= 0) {
            *(kind == 1 ? &text : &rodata) += size;
        }
    }
    fclose(f);
    *text_kib = (double)text / 1024.0;
    *rodata_kib = (double)rodata / 1024.0;
    return text > 0;
}

static int module_of(const char *path)
{
    for (int m = 0; m < MODULE_COUNT; m++) {
        if (strstr(path, module_dirs[m]) != NULL) {
            return m;
        }
    }
    return -1;
}

/* Measures the objects listed (one path a line) in list_file that belong to src/net, src/util
 * and src/port; linked (may be NULL) names the archive members this program contains. */
bool measure_objects(const char *list_file, const member_set_t *linked, ertc_sizes_t *out)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(list_file, "r");
    if (f == NULL) {
        fprintf(stderr, "bench_net_footprint: cannot read %s\n", list_file);
        return false;
    }
    static char paths[MAX_OBJECTS][512];
    const char *argv[MAX_OBJECTS];
    int modules[MAX_OBJECTS];
    size_t n = 0;
    while (n < MAX_OBJECTS && fgets(paths[n], sizeof(paths[n]), f) != NULL) {
        paths[n][strcspn(paths[n], "\r\n")] = '\0';
        int m = module_of(paths[n]);
        if (m >= 0) {
            modules[n] = m;
            argv[n] = paths[n];
            n++;
        }
    }
    fclose(f);
    static section_sizes_t each[MAX_OBJECTS];
    if (n == 0 || !measure_files(argv, n, each)) {
        return false;
    }
    out->objects = n;
    for (size_t i = 0; i < n; i++) {
        sizes_sum(&out->all, &each[i]);
        sizes_sum(&out->module[modules[i]], &each[i]);
        const char *base = strrchr(paths[i], '/');
        base = base ? base + 1 : paths[i];
        for (size_t j = 0; linked != NULL && j < linked->count; j++) {
            if (strcmp(linked->names[j], base) == 0) {
                sizes_sum(&out->linked, &each[i]);
                out->linked_objects++;
                size_t used = strlen(out->linked_names);
                snprintf(out->linked_names + used, sizeof(out->linked_names) - used, "%s%.*s",
                         used ? " " : "", (int)(strlen(base) - strlen(".c.o")), base);
                break;
            }
        }
    }
    return true;
}