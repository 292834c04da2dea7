/*
 * device/events — what edgertc-device tells a person (one status line per phase, stdout) and a
 * program (--events-json: one JSON object per event per line, with the session's metrics).
 *
 * dev_events_handle is the app_webrtc event callback; it runs on app_webrtc's loop thread.
 */
#ifndef ERTC_DEVICE_EVENTS_H
#define ERTC_DEVICE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app_webrtc.h"

typedef struct {
    FILE *json;       /* NULL = no --events-json */
    bool json_owned;  /* fclose at the end */
    const char *what; /* "room demo at http://..." for the first status line */
    /* Read by main after app_webrtc_run returns. */
    uint32_t peers_connected;
    uint32_t signaling_failures;
    bool signaling_ever_connected;
} dev_events_t;

/* path NULL = no JSON, "-" = stdout. Returns false (with errno) when the file cannot be
 * opened. */
bool dev_events_open(dev_events_t *ev, const char *path, const char *what);
void dev_events_close(dev_events_t *ev);

/* A status line of the program's own ("stopping: Ctrl-C"). */
void dev_events_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* app_webrtc_event_callback_t; user_ctx is the dev_events_t. */
void dev_events_handle(app_webrtc_event_data_t *event, void *user_ctx);

#endif
