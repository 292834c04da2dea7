/*
 * bench/net_code_size — code size figures of bench_net_footprint, read with size(1) from our
 * object files and libwebsockets.so, and from the link map of the device-style build
 * (ertc_ws_device). The paths come from the ERTC_BENCH_* definitions bench/CMakeLists.txt
 * gives this file.
 */
#ifndef ERTC_BENCH_NET_CODE_SIZE_H
#define ERTC_BENCH_NET_CODE_SIZE_H

#include <stdbool.h>
#include <stddef.h>

#define MAX_OBJECTS 256

/* Section sizes of one file, grouped. What size(1) calls text is code + rodata + unwind + ro. */
typedef struct {
    unsigned long code;   /* .text*, .init, .fini, .plt* */
    unsigned long rodata; /* .rodata* */
    unsigned long unwind; /* .eh_frame*, .gcc_except_table */
    unsigned long ro;     /* dynamic-linking tables (.dynsym, .rela*, ...) and notes */
    unsigned long data;   /* .data*, .got*, .dynamic, init/fini arrays, .tdata */
    unsigned long bss;    /* .bss*, .tbss */
} section_sizes_t;

enum { MODULE_NET, MODULE_UTIL, MODULE_PORT, MODULE_COUNT };

typedef struct {
    section_sizes_t all;                  /* every object of src/net, src/util, src/port */
    section_sizes_t module[MODULE_COUNT]; /* the same, by folder */
    section_sizes_t linked;               /* those the linker pulled into this program */
    size_t objects, linked_objects;
    char linked_names[1024];
} ertc_sizes_t;

typedef struct {
    char names[MAX_OBJECTS][64];
    size_t count;
} member_set_t;

/* What size(1) calls text: code + rodata + unwind tables + dynamic-linking tables. */
unsigned long sizes_text(const section_sizes_t *s);
/* Runs `size -A` on n files, one call for all; out[i] gets the sections of paths[i]. */
bool measure_files(const char *const *paths, size_t n, section_sizes_t *out);
/* The libedgertc.a members the linker pulled into bench_net_footprint, from its map file. */
bool read_linked_members(member_set_t *set);
/* Text and rodata of our objects in the device-style build (ertc_ws_device), in KiB. */
bool measure_device_map(double *text_kib, double *rodata_kib);
/* Measures the objects listed (one path a line) in list_file that belong to src/net, src/util
 * and src/port; linked (may be NULL) names the archive members bench_net_footprint contains. */
bool measure_objects(const char *list_file, const member_set_t *linked, ertc_sizes_t *out);

#endif
