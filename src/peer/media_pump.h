/*
 * peer/media_pump — moves encoded frames from the media_stream capture interfaces to the
 * sessions of a peer-connection client (peer/pc_if).
 *
 * One thread per capture (video, audio) pulls frames with get_frame (blocking at most
 * ERTC_MEDIA_PUMP_WAIT_MS, so a stop is seen quickly), copies each once into a
 * reference-counted frame, releases the source's buffer at once, and queues a reference on
 * every sink (one per CONNECTED session) through ertc_media_queue_push, which drops rather
 * than waits (media_pump_queue.h). It then posts one drain call to the event loop (at most
 * one is pending at a time), which hands each sink's frames to the deliver callback on the
 * loop thread, where the peer connection lives. Capture is never blocked by the network
 * and memory never grows with a slow peer.
 *
 * H.264 parameter sets: browsers cannot decode an IDR without SPS and PPS, and an encoder
 * may send them only with its first IDR — which a session that joins later never sees. The
 * video thread caches the last SPS and PPS it saw and puts them in front of any IDR access
 * unit that lacks them, so every key frame a session receives is decodable on its own.
 *
 * Key frames: a new sink waits for a key frame and asks the source for one
 * (request_key_frame, when the source has it); so do a queue overflow and
 * ertc_media_pump_request_key_frame (PLI/FIR). Requests are handed to the video thread,
 * which calls the source (the capture interface is only used from its thread), at most once
 * per key_frame_min_interval_ms.
 *
 * Threads: every function runs on the loop thread except ertc_media_pump_request_key_frame
 * (any thread).
 */
#ifndef ERTC_PEER_MEDIA_PUMP_H
#define ERTC_PEER_MEDIA_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media_stream.h"
#include "peer/media_pump_queue.h"
#include "port/loop.h"
#include "webrtc_status.h"

#define ERTC_MEDIA_PUMP_WAIT_MS         20                   /* longest get_frame wait */
#define ERTC_MEDIA_PUMP_MAX_SINKS       16                   /* CONNECTED sessions fed at once */
#define ERTC_MEDIA_PUMP_MAX_PARAM_SET   256                  /* cached SPS or PPS bytes */
#define ERTC_MEDIA_PUMP_MAX_FRAME       (4u * 1024u * 1024u) /* larger frames are dropped */
#define ERTC_MEDIA_PUMP_KEY_INTERVAL_MS 500                  /* default key_frame_min_interval_ms */
#define ERTC_MEDIA_PUMP_MAX_PUMPS       32 /* pumps alive in a process (one per client) */

typedef struct ertc_media_pump ertc_media_pump_t;
typedef struct ertc_media_sink ertc_media_sink_t;

/* A frame for the session behind sink_arg; borrowed for the call. On the loop thread. */
typedef void (*ertc_media_pump_deliver_fn)(void *sink_arg, const ertc_media_frame_t *frame,
                                           void *arg);

typedef struct {
    ertc_loop_t *loop;
    media_stream_video_capture_t *video;        /* NULL = no video */
    const video_capture_config_t *video_config; /* NULL = H.264 640x480 30 fps 1000 kbps */
    media_stream_audio_capture_t *audio;        /* NULL = no audio */
    const audio_capture_config_t *audio_config; /* NULL = Opus 48 kHz stereo 20 ms */
    size_t queue_frames;                        /* per sink; 0 = ERTC_MEDIA_QUEUE_DEFAULT_FRAMES */
    size_t queue_bytes;                         /* per sink; 0 = ERTC_MEDIA_QUEUE_DEFAULT_BYTES */
    uint32_t key_frame_min_interval_ms;         /* 0 = ERTC_MEDIA_PUMP_KEY_INTERVAL_MS */
    ertc_media_pump_deliver_fn deliver;
    void *arg;
} ertc_media_pump_config_t;

typedef struct {
    uint64_t video_frames_captured;
    uint64_t audio_frames_captured;
    uint64_t capture_errors;       /* get_frame failures other than a timeout */
    uint64_t param_sets_inserted;  /* IDRs completed with cached SPS/PPS */
    uint64_t key_frames_requested; /* request_key_frame calls made on the source */
    uint64_t drains_refused;       /* a drain could not be posted (loop queue full) */
} ertc_media_pump_stats_t;

/* LIMIT_EXCEEDED with ERTC_MEDIA_PUMP_MAX_PUMPS pumps alive. */
/* LIMIT_EXCEEDED with ERTC_MEDIA_PUMP_MAX_PUMPS pumps alive. */
WEBRTC_STATUS ertc_media_pump_create(const ertc_media_pump_config_t *config,
                                     ertc_media_pump_t **out);
/* Stops the captures and threads and frees; sinks still attached are dropped. */
void ertc_media_pump_destroy(ertc_media_pump_t *pump);

/* Initialises and starts the captures and their threads (idempotent). A capture whose init
 * or start fails is left out, and its status returned; the other one still runs. */
WEBRTC_STATUS ertc_media_pump_start(ertc_media_pump_t *pump);
/* Stops threads and captures (deinit); they can be started again. */
void ertc_media_pump_stop(ertc_media_pump_t *pump);
bool ertc_media_pump_running(const ertc_media_pump_t *pump);

/* A sink for one session: it waits for a key frame, and one is requested. LIMIT_EXCEEDED
 * past ERTC_MEDIA_PUMP_MAX_SINKS. */
WEBRTC_STATUS ertc_media_pump_add_sink(ertc_media_pump_t *pump, void *sink_arg,
                                       ertc_media_sink_t **out);
/* Removes the sink and drops its queued frames. NULL is fine. */
void ertc_media_pump_remove_sink(ertc_media_pump_t *pump, ertc_media_sink_t *sink);
/* Drops the sink's queued video and waits for a key frame again (requested). */
void ertc_media_pump_restart_sink_video(ertc_media_pump_t *pump, ertc_media_sink_t *sink);

/* Asks the video source for a key frame (rate-limited). Thread-safe. */
void ertc_media_pump_request_key_frame(ertc_media_pump_t *pump);

void ertc_media_pump_get_stats(ertc_media_pump_t *pump, ertc_media_pump_stats_t *out);
void ertc_media_pump_get_sink_stats(ertc_media_pump_t *pump, const ertc_media_sink_t *sink,
                                    ertc_media_queue_stats_t *out);

/* Scans an Annex-B access unit: which NAL unit types it holds (bit n = type n present). */
uint32_t ertc_media_pump_nal_types(const uint8_t *au, size_t len);

#endif
