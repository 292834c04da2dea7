/*
 * device/options — edgertc-device's command line: parsing, validation and --help.
 *
 * Every error names the flag and what was expected; nothing is started before the whole
 * command line is valid. Secrets (--turn-pass, AWS keys) are kept as pointers into argv or the
 * environment and never printed.
 */
#ifndef ERTC_DEVICE_OPTIONS_H
#define ERTC_DEVICE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DEV_MAX_ICE_URLS 4
#define DEV_MAX_SIGNALING_OPTS 16

/* Exit statuses (also in --help). */
enum {
    DEV_EXIT_OK = 0,          /* ran for --duration or until SIGINT/SIGTERM */
    DEV_EXIT_FAILURE = 1,     /* could not start or signaling failed for good */
    DEV_EXIT_USAGE = 2,       /* bad flags or configuration */
    DEV_EXIT_UNAVAILABLE = 3, /* a backend or mode this build does not have */
};

typedef enum {
    DEV_SIGNALING_APPRTC = 0,
    DEV_SIGNALING_KVS,
    DEV_SIGNALING_BRIDGE,
    DEV_SIGNALING_REGISTERED, /* a backend from edgertc_signaling_registry.h (registry.c) */
} dev_signaling_t;

typedef enum {
    DEV_SOURCE_NONE = 0,
    DEV_SOURCE_TESTSRC,
    DEV_SOURCE_FILE,
} dev_source_kind_t;

typedef struct {
    dev_source_kind_t kind;
    const char *path; /* DEV_SOURCE_FILE */
} dev_source_t;

typedef struct {
    dev_signaling_t signaling;
    bool viewer; /* --role viewer: the device offers */
    const char *signaling_name; /* --signaling NAME of a registered backend */
    const char *signaling_opt[DEV_MAX_SIGNALING_OPTS]; /* --signaling-opt KEY=VALUE */
    uint32_t n_signaling_opt;

    /* AppRTC */
    const char *server;
    const char *room;
    const char *ca_cert;

    /* KVS */
    const char *channel;
    const char *region;
    const char *endpoint;

    dev_source_t video;
    dev_source_t audio;
    const char *receive_dir; /* NULL = received media is counted, not written */

    const char *stun[DEV_MAX_ICE_URLS];
    uint32_t n_stun;
    const char *turn[DEV_MAX_ICE_URLS];
    uint32_t n_turn;
    const char *turn_user;
    const char *turn_pass; /* secret: never printed */
    bool relay_only;

    uint32_t max_sessions;
    uint32_t duration_s; /* 0 = until SIGINT/SIGTERM */
    const char *events_json;
    uint32_t log_level; /* edgertc levels 1 verbose .. 7 silent */

    /* split mode (bridge_mode.c) */
    const char *mode;   /* NULL, "normal", "signaling-only" or "streaming-only" */
    const char *bridge; /* unix:PATH, tcp:HOST:PORT or serial:DEVICE */
} dev_options_t;

/* Parses argv into *o. Returns DEV_EXIT_OK to run, -1 after --help (exit 0), or an exit status
 * with the reason in err. */
int dev_options_parse(int argc, char **argv, dev_options_t *o, char *err, size_t errlen);

void dev_options_print_help(FILE *f);

const char *dev_signaling_name(dev_signaling_t s);

#endif
