/*
 * media/player — what the built-in video and audio players share: a handle header that
 * media_stream_player_get_stats() recognises, and counters behind a lock (play_frame runs on
 * app_webrtc's loop thread, the stats call on any thread).
 */
#ifndef ERTC_MEDIA_PLAYER_H
#define ERTC_MEDIA_PLAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "media_stream.h"
#include "port/port.h"

#define ERTC_PLAYER_MAGIC    0x706c6179u /* "play" */
#define ERTC_PLAYER_PATH_MAX 1024

typedef struct {
    uint32_t magic;
    ertc_mutex_t *lock;
    media_stream_player_stats_t stats;
    media_stream_sink_t sink;
    bool started;
    char path[ERTC_PLAYER_PATH_MAX];
    FILE *file;
} ertc_player_t;

/* Reads the sink options and opens the output file; logs what went wrong. */
esp_err_t ertc_player_open(ertc_player_t *p, const void *codec_specific, const char *what);
/* Closes the file (reporting a failed flush as an error) and the lock. */
void ertc_player_close(ertc_player_t *p);
/* start/stop: frames are accepted only while started. */
void ertc_player_set_started(ertc_player_t *p, bool started);
/* Writes all of buf; false (counted as an error, logged once) on failure. */
bool ertc_player_write(ertc_player_t *p, const uint8_t *buf, size_t len);

#endif
