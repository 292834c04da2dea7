/*
 * pc_pipe_peer — one edgertc peer connection (peer/peer_connection) signalled through stdin and
 * stdout, one JSON object per line, for test harnesses (tests/interop/peers_*.py) and the
 * connect-time benchmark (bench/peer_connect.py).
 *
 *   pc_pipe_peer --role offer|answer [--interface IP] [--loopback] [--seconds N]
 *                [--video-in FILE.h264 [--fps N]] [--audio-in FILE.opus]
 *                [--receive-video] [--receive-audio] [--video-out FILE] [--audio-out FILE]
 *                [--name NAME] [--warm-srtp] [--verbose]
 *
 * stdin (from the harness):
 *   {"type":"offer"|"answer","sdp":"..."}   the remote description
 *   {"type":"candidate","candidate":"candidate:..."}
 *   {"type":"end-of-candidates"}
 *   {"type":"bye"}  (or end of file)        stop, print the stats, exit
 * stdout (to the harness):
 *   {"type":"offer"|"answer","sdp":"..."}   our description
 *   {"type":"candidate","candidate":"..."}, {"type":"end-of-candidates"}
 *   {"type":"status","event":E,"mono_us":T,...} with E one of ready, offer-received,
 *       answer-received, connected, failed, closed, keyframe-request, audio-unsupported;
 *       mono_us is CLOCK_MONOTONIC, comparable between processes on one machine
 *   {"type":"stats",...} once, at the end
 * Logs (the library's and ours) go to stderr.
 *
 * Media: --video-in is an Annex-B H.264 file, cut into access units here and sent at --fps
 * (default 30) once CONNECTED, looping, with the timestamps running on; a key-frame request
 * makes the next frame sent the next IDR of the file. --audio-in is a file of length-prefixed
 * Opus packets (2-byte big-endian length, then the packet; tests/interop/media_gen.py), one per
 * 20 ms. Received frames are counted and, with --video-out / --audio-out, written: whole access
 * units in Annex-B as the library delivers them, and Opus packets in the same length-prefixed
 * format.
 *
 * --warm-srtp creates and frees one SRTP session before "ready". It changes nothing any more
 * (ertc_pc_create runs libsrtp's one-time set-up, ertc_srtp_prepare) and is kept so that the
 * connect benchmark can show that the default is as fast as the warmed-up run.
 *
 * Exit status: 0 when the connection reached CONNECTED and did not fail, 1 otherwise, 2 on a
 * usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer/cert.h"
#include "peer/peer_connection.h"
#include "peer/srtp.h"
#include "port/loop.h"
#include "port/socket.h"
#include "util/json.h"
#include "util/log.h"

#define MAX_LINE          (256 * 1024) /* one signaling line; an SDP is a few kB */
#define MAX_MEDIA_FILE    (64 * 1024 * 1024)
#define MAX_ACCESS_UNITS  100000
#define AUDIO_FRAME_MS    20
#define AUDIO_FRAME_US    20000u
#define MAX_WARNINGS      5

typedef struct {
    size_t off;
    size_t len;
    bool idr;
} access_unit_t;

typedef struct {
    /* Options. */
    bool offerer;
    const char *name;
    int seconds;
    int fps;
    const char *video_in;
    const char *audio_in;
    const char *video_out;
    const char *audio_out;
    bool receive_video;
    bool receive_audio;
    bool warm_srtp;

    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_pc_t *pc;
    ertc_io_t stdin_io;
    bool stdin_open;
    char *line;
    size_t line_len;
    ertc_timer_t video_timer;
    ertc_timer_t audio_timer;
    ertc_timer_t deadline_timer;

    bool connected;
    bool failed;
    char fail_reason[256];

    /* Video to send. */
    uint8_t *video;
    size_t video_len;
    access_unit_t *aus;
    size_t au_count;
    size_t au_next;
    uint64_t video_frames_sent;
    uint64_t video_send_errors;
    bool jump_to_idr;
    /* Audio to send. */
    uint8_t *audio;
    size_t audio_len;
    size_t audio_next; /* byte offset of the next length prefix */
    uint64_t audio_frames_sent;
    uint64_t audio_send_errors;
    bool audio_unsupported;
    uint64_t t0_us;

    /* Received. */
    FILE *video_file;
    FILE *audio_file;
    uint64_t video_frames_received;
    uint64_t video_keyframes_received;
    uint64_t video_bytes_received;
    uint64_t audio_frames_received;
    uint64_t keyframe_requests;
} app_t;

static app_t g_app;

/* ---- output ---------------------------------------------------------------------------- */

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Prints one object as one line on stdout and frees it. */
static void emit(cJSON *o)
{
    if (o == NULL) {
        fprintf(stderr, "pc_pipe_peer: out of memory building an output line\n");
        return;
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text != NULL) {
        fputs(text, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        cJSON_free(text);
    }
}

static cJSON *status_object(const char *event)
{
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddStringToObject(o, "type", "status");
        cJSON_AddStringToObject(o, "event", event);
        cJSON_AddNumberToObject(o, "mono_us", (double)mono_us());
    }
    return o;
}

static void status(const char *event, const char *detail)
{
    cJSON *o = status_object(event);
    if (o != NULL && detail != NULL) {
        cJSON_AddStringToObject(o, "detail", detail);
    }
    emit(o);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pc_pipe_peer[%s]: ", g_app.name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void fail(app_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(app_t *a, const char *fmt, ...)
{
    if (!a->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->fail_reason, sizeof(a->fail_reason), fmt, ap);
        va_end(ap);
        a->failed = true;
        note("FAILED: %s", a->fail_reason);
        status("failed", a->fail_reason);
    }
    ertc_loop_stop(a->loop);
}

/* ---- media files ------------------------------------------------------------------------- */

static bool read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        note("cannot open %s: %s", path, strerror(errno));
        return false;
    }
    size_t cap = 64 * 1024;
    size_t len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            break;
        }
        if (cap >= MAX_MEDIA_FILE) {
            note("%s is larger than %d bytes", path, MAX_MEDIA_FILE);
            free(buf);
            buf = NULL;
            break;
        }
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (buf == NULL || len == 0) {
        note("%s: %s", path, buf == NULL ? "cannot be read" : "is empty");
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

/* Offset of the next start code (00 00 01, or 00 00 00 01) at or after `from`; sets *sc_len. */
static size_t find_start_code(const uint8_t *b, size_t len, size_t from, size_t *sc_len)
{
    for (size_t i = from; i + 3 <= len; i++) {
        if (b[i] == 0 && b[i + 1] == 0) {
            if (b[i + 2] == 1) {
                *sc_len = 3;
                return i;
            }
            if (i + 4 <= len && b[i + 2] == 0 && b[i + 3] == 1) {
                *sc_len = 4;
                return i;
            }
        }
    }
    *sc_len = 0;
    return len;
}

/*
 * Cuts an Annex-B stream into access units (H.264 §7.4.1.2.3): a new one starts at an access
 * unit delimiter, SEI, SPS or PPS (types 6-9, 14-18) that follows a slice, or at a slice whose
 * first_mb_in_slice is 0 (its first coded bit is 1, ue(v) for 0) when the unit already has one.
 */
static bool split_access_units(app_t *a)
{
    size_t sc_len = 0;
    size_t pos = find_start_code(a->video, a->video_len, 0, &sc_len);
    if (pos != 0) {
        note("%s does not start with an Annex-B start code", a->video_in);
        return false;
    }
    a->aus = calloc(MAX_ACCESS_UNITS, sizeof(*a->aus));
    if (a->aus == NULL) {
        return false;
    }
    bool have_slice = false;
    size_t au_start = 0;
    bool au_idr = false;
    while (pos < a->video_len) {
        size_t nal = pos + sc_len;
        size_t next_len = 0;
        size_t next = find_start_code(a->video, a->video_len, nal, &next_len);
        if (nal >= a->video_len) {
            break;
        }
        uint8_t type = a->video[nal] & 0x1f;
        bool vcl = type >= 1 && type <= 5;
        bool first_slice = vcl && nal + 1 < a->video_len && (a->video[nal + 1] & 0x80) != 0;
        bool starts_unit = (type >= 6 && type <= 9) || (type >= 14 && type <= 18) || first_slice;
        if (have_slice && starts_unit) {
            if (a->au_count == MAX_ACCESS_UNITS) {
                break;
            }
            a->aus[a->au_count++] = (access_unit_t){au_start, pos - au_start, au_idr};
            au_start = pos;
            au_idr = false;
            have_slice = false;
        }
        have_slice = have_slice || vcl;
        au_idr = au_idr || type == 5;
        pos = next;
        sc_len = next_len;
    }
    if (have_slice && a->au_count < MAX_ACCESS_UNITS) {
        a->aus[a->au_count++] = (access_unit_t){au_start, a->video_len - au_start, au_idr};
    }
    if (a->au_count == 0 || !a->aus[0].idr) {
        note("%s: %zu access units, and the first is not an IDR", a->video_in, a->au_count);
        return false;
    }
    return true;
}

static bool load_audio(app_t *a)
{
    if (!read_file(a->audio_in, &a->audio, &a->audio_len)) {
        return false;
    }
    /* Check the whole file once, so sending never meets a torn packet. */
    size_t off = 0;
    size_t packets = 0;
    while (off + 2 <= a->audio_len) {
        size_t n = ((size_t)a->audio[off] << 8) | a->audio[off + 1];
        if (n == 0 || off + 2 + n > a->audio_len) {
            break;
        }
        off += 2 + n;
        packets++;
    }
    if (off != a->audio_len || packets == 0) {
        note("%s is not a file of length-prefixed Opus packets", a->audio_in);
        return false;
    }
    a->audio_len = off;
    note("%s: %zu Opus packets", a->audio_in, packets);
    return true;
}

/* ---- sending ----------------------------------------------------------------------------- */

static void send_video(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_t *a = arg;
    if (a->jump_to_idr) {
        a->jump_to_idr = false;
        size_t i = a->au_next % a->au_count;
        while (!a->aus[i].idr) {
            i = (i + 1) % a->au_count; /* aus[0] is an IDR: this ends */
        }
        a->au_next = i;
    }
    const access_unit_t *au = &a->aus[a->au_next % a->au_count];
    /* Timestamps from the frame count, not the clock: a steady 1/fps apart, also on loops. */
    uint64_t ts = a->video_frames_sent * 1000000u / (uint64_t)a->fps;
    WEBRTC_STATUS st = ertc_pc_send_video_frame(a->pc, a->video + au->off, au->len, ts);
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (a->video_send_errors++ < MAX_WARNINGS) {
            note("send_video_frame: %s", webrtc_status_name(st));
        }
        return;
    }
    a->video_frames_sent++;
    a->au_next = (a->au_next + 1) % a->au_count;
}

static void send_audio(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    app_t *a = arg;
    if (a->audio_next >= a->audio_len) {
        a->audio_next = 0;
    }
    size_t n = ((size_t)a->audio[a->audio_next] << 8) | a->audio[a->audio_next + 1];
    uint64_t ts = a->audio_frames_sent * AUDIO_FRAME_US;
    WEBRTC_STATUS st = ertc_pc_send_audio_frame(a->pc, a->audio + a->audio_next + 2, n, ts);
    if (st == WEBRTC_STATUS_NOT_IMPLEMENTED || st == WEBRTC_STATUS_INVALID_OPERATION) {
        /* Reported, not fatal: the harness decides whether audio was required. */
        a->audio_unsupported = true;
        status("audio-unsupported", webrtc_status_name(st));
        ertc_timer_stop(loop, t);
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (a->audio_send_errors++ < MAX_WARNINGS) {
            note("send_audio_frame: %s", webrtc_status_name(st));
        }
        return;
    }
    a->audio_frames_sent++;
    a->audio_next += 2 + n;
}

/* ---- peer connection callbacks ------------------------------------------------------------ */

static void on_local_description(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg)
{
    (void)pc;
    (void)arg;
    cJSON *o = cJSON_CreateObject();
    char *sdp = malloc(desc->len + 1);
    if (o != NULL && sdp != NULL) {
        memcpy(sdp, desc->sdp, desc->len);
        sdp[desc->len] = '\0';
        cJSON_AddStringToObject(o, "type", desc->type == ERTC_PC_SDP_OFFER ? "offer" : "answer");
        cJSON_AddStringToObject(o, "sdp", sdp);
    }
    free(sdp);
    emit(o);
}

static void on_local_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    (void)arg;
    cJSON *o = cJSON_CreateObject();
    if (o != NULL) {
        cJSON_AddStringToObject(o, "type", line != NULL ? "candidate" : "end-of-candidates");
        if (line != NULL) {
            cJSON_AddStringToObject(o, "candidate", line);
        }
    }
    emit(o);
}

static void on_state(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg)
{
    (void)pc;
    app_t *a = arg;
    note("state %s%s%s", ertc_pc_state_name(state), detail != NULL ? ": " : "",
         detail != NULL ? detail : "");
    if (state == ERTC_PC_STATE_CONNECTED) {
        a->connected = true;
        status("connected", NULL);
        a->t0_us = ertc_loop_now_us(a->loop);
        if (a->au_count > 0) {
            ertc_timer_start(a->loop, &a->video_timer, 0, (uint32_t)(1000 / a->fps));
        }
        if (a->audio != NULL) {
            ertc_timer_start(a->loop, &a->audio_timer, 0, AUDIO_FRAME_MS);
        }
    } else if (state == ERTC_PC_STATE_FAILED) {
        fail(a, "peer connection failed: %s", detail != NULL ? detail : "(no detail)");
    } else if (state == ERTC_PC_STATE_CLOSED) {
        status("closed", detail);
        ertc_timer_stop(a->loop, &a->video_timer);
        ertc_timer_stop(a->loop, &a->audio_timer);
    }
}

static void on_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len, uint32_t rtp_timestamp,
                           bool is_keyframe, void *arg)
{
    (void)pc;
    (void)rtp_timestamp;
    app_t *a = arg;
    a->video_frames_received++;
    a->video_keyframes_received += is_keyframe ? 1 : 0;
    a->video_bytes_received += len;
    if (a->video_file != NULL && fwrite(annexb, 1, len, a->video_file) != len) {
        fail(a, "writing %s: %s", a->video_out, strerror(errno));
    }
}

static void on_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len, uint32_t rtp_timestamp,
                           void *arg)
{
    (void)pc;
    (void)rtp_timestamp;
    app_t *a = arg;
    a->audio_frames_received++;
    if (a->audio_file != NULL && len <= 0xffff) {
        uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};
        if (fwrite(prefix, 1, 2, a->audio_file) != 2 || fwrite(opus, 1, len, a->audio_file) != len) {
            fail(a, "writing %s: %s", a->audio_out, strerror(errno));
        }
    }
}

static void on_keyframe_request(ertc_pc_t *pc, void *arg)
{
    (void)pc;
    app_t *a = arg;
    if (a->keyframe_requests++ < MAX_WARNINGS) {
        status("keyframe-request", NULL);
    }
    a->jump_to_idr = true;
}

/* ---- incoming signaling ------------------------------------------------------------------ */

static void handle_line(app_t *a, const char *line, size_t len)
{
    cJSON *o = NULL;
    const char *type = NULL;
    WEBRTC_STATUS st = ertc_json_parse(line, len, MAX_LINE, &o);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_json_get_string(o, "type", &type);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail(a, "stdin line is not a JSON object with a \"type\": %s", webrtc_status_name(st));
        cJSON_Delete(o);
        return;
    }
    if (strcmp(type, "offer") == 0 || strcmp(type, "answer") == 0) {
        bool offer = type[0] == 'o';
        status(offer ? "offer-received" : "answer-received", NULL);
        const char *sdp = NULL;
        st = ertc_json_get_string(o, "sdp", &sdp);
        if (st == WEBRTC_STATUS_SUCCESS) {
            st = ertc_pc_set_remote_description(a->pc, offer ? ERTC_PC_SDP_OFFER : ERTC_PC_SDP_ANSWER,
                                                sdp, strlen(sdp));
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail(a, "remote %s refused: %s (the library's log says why)", type,
                 webrtc_status_name(st));
        }
    } else if (strcmp(type, "candidate") == 0) {
        const char *cand = NULL;
        st = ertc_json_get_string(o, "candidate", &cand);
        if (st == WEBRTC_STATUS_SUCCESS && cand[0] != '\0') {
            st = ertc_pc_add_remote_candidate(a->pc, cand);
            if (st != WEBRTC_STATUS_SUCCESS) {
                note("remote candidate %s: %s", cand, webrtc_status_name(st));
            }
        }
    } else if (strcmp(type, "end-of-candidates") == 0) {
        (void)ertc_pc_add_remote_candidate(a->pc, NULL);
    } else if (strcmp(type, "bye") == 0) {
        note("bye: stopping");
        ertc_loop_stop(a->loop);
    } else {
        note("ignoring a line of type \"%s\"", type);
    }
    cJSON_Delete(o);
}

static void on_stdin(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)events;
    app_t *a = arg;
    char buf[16 * 1024];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        ertc_io_stop(loop, io);
        a->stdin_open = false;
        note("stdin closed: stopping");
        ertc_loop_stop(loop);
        return;
    }
    for (ssize_t i = 0; i < n && !a->failed; i++) {
        if (buf[i] == '\n') {
            if (a->line_len > 0) {
                handle_line(a, a->line, a->line_len);
            }
            a->line_len = 0;
        } else if (a->line_len < MAX_LINE) {
            a->line[a->line_len++] = buf[i];
        } else {
            fail(a, "a stdin line is longer than %d bytes", MAX_LINE);
        }
    }
}

static void deadline(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    app_t *a = arg;
    if (!a->connected) {
        fail(a, "not connected within --seconds (state %s)",
             ertc_pc_state_name(ertc_pc_state(a->pc)));
        return;
    }
    ertc_loop_stop(loop);
}

/* ---- main -------------------------------------------------------------------------------- */

static void print_stats(app_t *a)
{
    ertc_pc_stats_t s;
    memset(&s, 0, sizeof(s));
    ertc_pc_get_stats(a->pc, &s);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) {
        return;
    }
    cJSON_AddStringToObject(o, "type", "stats");
    cJSON_AddBoolToObject(o, "connected", a->connected);
    cJSON_AddBoolToObject(o, "failed", a->failed);
    cJSON_AddStringToObject(o, "fail_reason", a->fail_reason);
    cJSON_AddNumberToObject(o, "video_frames_sent", (double)a->video_frames_sent);
    cJSON_AddNumberToObject(o, "audio_frames_sent", (double)a->audio_frames_sent);
    cJSON_AddBoolToObject(o, "audio_unsupported", a->audio_unsupported);
    cJSON_AddNumberToObject(o, "video_frames_received", (double)a->video_frames_received);
    cJSON_AddNumberToObject(o, "video_keyframes_received", (double)a->video_keyframes_received);
    cJSON_AddNumberToObject(o, "video_bytes_received", (double)a->video_bytes_received);
    cJSON_AddNumberToObject(o, "audio_frames_received", (double)a->audio_frames_received);
    cJSON_AddNumberToObject(o, "keyframe_requests", (double)a->keyframe_requests);
    cJSON_AddNumberToObject(o, "rtp_packets_sent", (double)s.rtp_packets_sent);
    cJSON_AddNumberToObject(o, "rtp_packets_received", (double)s.rtp_packets_received);
    cJSON_AddNumberToObject(o, "rtcp_packets_received", (double)s.rtcp_packets_received);
    cJSON_AddNumberToObject(o, "srtp_drops", (double)s.srtp_drops);
    cJSON_AddNumberToObject(o, "unknown_dropped", (double)s.unknown_dropped);
    cJSON_AddNumberToObject(o, "video_frames_dropped", (double)s.video_frames_dropped);
    cJSON_AddNumberToObject(o, "keyframe_requests_sent", (double)s.keyframe_requests_sent);
    emit(o);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: pc_pipe_peer --role offer|answer [--interface IP] [--loopback] [--seconds N]\n"
            "       [--video-in FILE.h264 [--fps N]] [--audio-in FILE.opus] [--receive-video]\n"
            "       [--receive-audio] [--video-out FILE] [--audio-out FILE] [--name NAME]\n"
            "       [--warm-srtp] [--verbose]\n");
    return 2;
}

static int parse_args(app_t *a, ertc_pc_config_t *cfg, int argc, char **argv, bool *verbose)
{
    const char *role = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--verbose") == 0) {
            *verbose = true;
            continue;
        }
        if (strcmp(arg, "--loopback") == 0) {
            cfg->include_loopback = true;
            continue;
        }
        if (strcmp(arg, "--receive-video") == 0) {
            a->receive_video = true;
            continue;
        }
        if (strcmp(arg, "--receive-audio") == 0) {
            a->receive_audio = true;
            continue;
        }
        if (strcmp(arg, "--warm-srtp") == 0) {
            a->warm_srtp = true;
            continue;
        }
        const char *val = i + 1 < argc ? argv[++i] : NULL;
        if (val == NULL) {
            return usage();
        }
        if (strcmp(arg, "--role") == 0) {
            role = val;
        } else if (strcmp(arg, "--name") == 0) {
            a->name = val;
        } else if (strcmp(arg, "--seconds") == 0) {
            a->seconds = atoi(val);
        } else if (strcmp(arg, "--fps") == 0) {
            a->fps = atoi(val);
        } else if (strcmp(arg, "--video-in") == 0) {
            a->video_in = val;
        } else if (strcmp(arg, "--audio-in") == 0) {
            a->audio_in = val;
        } else if (strcmp(arg, "--video-out") == 0) {
            a->video_out = val;
        } else if (strcmp(arg, "--audio-out") == 0) {
            a->audio_out = val;
        } else if (strcmp(arg, "--interface") == 0) {
            if (cfg->interface_count == ERTC_ICE_MAX_INTERFACES ||
                ertc_addr_parse_ip(val, &cfg->interfaces[cfg->interface_count]) !=
                    WEBRTC_STATUS_SUCCESS) {
                fprintf(stderr, "pc_pipe_peer: bad or too many --interface %s\n", val);
                return 2;
            }
            cfg->interface_count++;
        } else {
            return usage();
        }
    }
    if (role == NULL || (strcmp(role, "offer") != 0 && strcmp(role, "answer") != 0) ||
        a->seconds <= 0 || a->fps <= 0 || a->fps > 120) {
        return usage();
    }
    a->offerer = role[0] == 'o';
    return 0;
}

int main(int argc, char **argv)
{
    app_t *a = &g_app;
    a->name = "pipe";
    a->seconds = 60;
    a->fps = 30;
    bool verbose = false;
    ertc_pc_config_t cfg;
    ertc_pc_config_init(&cfg);
    int rc = parse_args(a, &cfg, argc, argv, &verbose);
    if (rc != 0) {
        return rc;
    }
    ertc_log_set_level(verbose ? ERTC_LOG_DEBUG : ERTC_LOG_INFO);
    if (a->video_in != NULL &&
        (!read_file(a->video_in, &a->video, &a->video_len) || !split_access_units(a))) {
        return 1;
    }
    if (a->video_in != NULL) {
        note("%s: %zu access units", a->video_in, a->au_count);
    }
    if (a->audio_in != NULL && !load_audio(a)) {
        return 1;
    }
    if (a->video_out != NULL && (a->video_file = fopen(a->video_out, "wb")) == NULL) {
        note("cannot create %s: %s", a->video_out, strerror(errno));
        return 1;
    }
    if (a->audio_out != NULL && (a->audio_file = fopen(a->audio_out, "wb")) == NULL) {
        note("cannot create %s: %s", a->audio_out, strerror(errno));
        return 1;
    }
    a->line = malloc(MAX_LINE);
    if (a->line == NULL) {
        return 1;
    }

    cfg.name = a->name;
    cfg.role = a->offerer ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
    cfg.send_video = a->video_in != NULL;
    cfg.receive_video = a->receive_video;
    cfg.send_audio = a->audio_in != NULL;
    cfg.receive_audio = a->receive_audio;
    ertc_timer_init(&a->video_timer, send_video, a);
    ertc_timer_init(&a->audio_timer, send_audio, a);
    ertc_timer_init(&a->deadline_timer, deadline, a);

    WEBRTC_STATUS st = ertc_loop_create(&a->loop, 0);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_cert_generate(&a->cert);
    }
    ertc_pc_callbacks_t cbs = {
        .on_local_description = on_local_description,
        .on_local_candidate = on_local_candidate,
        .on_state = on_state,
        .on_video_frame = on_video_frame,
        .on_audio_frame = on_audio_frame,
        .on_keyframe_request = on_keyframe_request,
    };
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_pc_create(a->loop, a->cert, &cfg, &cbs, a, &a->pc);
    }
    if (st == WEBRTC_STATUS_SUCCESS && a->warm_srtp) {
        ertc_srtp_keys_t keys;
        ertc_srtp_t *srtp = NULL;
        memset(&keys, 0, sizeof(keys));
        st = ertc_srtp_create(&srtp, &keys, ERTC_SRTP_PROFILE_AES128_CM_HMAC_SHA1_80);
        ertc_srtp_free(srtp);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        note("start-up failed: %s", webrtc_status_name(st));
        status("failed", webrtc_status_name(st));
        return 1;
    }
    ertc_io_init(&a->stdin_io, 0, on_stdin, a);
    a->stdin_open = ertc_io_start(a->loop, &a->stdin_io, ERTC_IO_READ) == WEBRTC_STATUS_SUCCESS;
    ertc_timer_start(a->loop, &a->deadline_timer, (uint32_t)a->seconds * 1000u, 0);
    /* ready: the certificate is made and gathering has started; the harness may now send an
     * offer (the benchmark's clock starts at offer-received, not here). */
    status("ready", NULL);
    if (a->offerer) {
        st = ertc_pc_create_offer(a->pc);
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail(a, "ertc_pc_create_offer: %s", webrtc_status_name(st));
        }
    }
    if (!a->failed) {
        ertc_loop_run(a->loop);
    }

    print_stats(a);
    ertc_timer_stop(a->loop, &a->video_timer);
    ertc_timer_stop(a->loop, &a->audio_timer);
    ertc_timer_stop(a->loop, &a->deadline_timer);
    if (a->stdin_open) {
        ertc_io_stop(a->loop, &a->stdin_io);
    }
    bool ok = a->connected && !a->failed;
    ertc_pc_free(a->pc);
    ertc_cert_unref(a->cert);
    ertc_loop_destroy(a->loop);
    if (a->video_file != NULL && fclose(a->video_file) != 0) {
        ok = false;
    }
    if (a->audio_file != NULL && fclose(a->audio_file) != 0) {
        ok = false;
    }
    free(a->line);
    free(a->video);
    free(a->aus);
    free(a->audio);
    return ok ? 0 : 1;
}
