/*
 * pc_peer — one edgertc peer connection (peer/peer_connection) signalled through the AppRTC
 * backend (apprtc_signaling_client_if_get), for interop tests against a browser.
 *
 *   pc_peer --server http://10.77.0.1:PORT --room R --role answer|offer --seconds N
 *           [--interface 10.77.0.1] [--video-in FILE.h264] [--verbose]
 *
 * --role answer: the AppRTC MASTER role (never offers; answers the remote's offer).
 * --role offer:  the VIEWER role (the backend delivers TRIGGER_OFFER; we make the offer).
 * Once the peer connection is CONNECTED (ICE + DTLS + SRTP keys), H.264 access units go out
 * at 30 fps: with --video-in, the access units of an Annex-B file with an access unit
 * delimiter before each (tests/interop/media_gen.py writes one; decodable, looped, a key-frame
 * request jumps to its next IDR); without it, synthetic ones (SPS/PPS/IDR, then P-frames; not
 * decodable). One status line per phase on stdout. Exits 0 after --seconds if the connection came up and frames were sent,
 * else 1 with the reason.
 *
 * Backend callbacks arrive on the backend's thread: they are copied and posted onto our loop;
 * everything touching the peer connection runs on the loop thread.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apprtc_signaling.h"
#include "peer/cert.h"
#include "peer/peer_connection.h"
#include "port/loop.h"
#include "port/socket.h"
#include "util/json.h"
#include "util/log.h"
#include "webrtc_signaling_if.h"

#define MAX_PENDING_CANDS 64
#define MAX_OUTBOX        128
#define FRAME_MS          33
#define IDR_LEN           6000
#define P_LEN             900
#define MAX_FILE_AUS      10000
#define MAX_FILE_BYTES    (16 * 1024 * 1024)

typedef struct {
    size_t off;
    size_t len;
    bool idr;
} file_au_t;

typedef struct out_msg {
    esp_webrtc_message_type_t type;
    char *payload;
} out_msg_t;

typedef struct {
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    ertc_pc_t *pc;
    webrtc_signaling_client_if_t *sif;
    void *sig;
    bool offerer;
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    bool remote_set;
    char *pending_cands[MAX_PENDING_CANDS];
    size_t pending_count;
    out_msg_t outbox[MAX_OUTBOX];
    size_t outbox_count;
    bool offer_made;
    ertc_timer_t outbox_timer;
    ertc_timer_t frame_timer;
    ertc_timer_t deadline_timer;
    ertc_io_t stdin_io;
    bool stdin_watched;
    ertc_pc_state_t state;
    bool connected;
    bool failed;
    char fail_reason[512];
    uint64_t frames;
    uint64_t frame_errors;
    uint64_t key_requests;
    uint64_t last_forced_us;
    bool force_key;
    uint64_t t0_us;
    uint8_t idr[IDR_LEN];
    uint8_t pframe[P_LEN];
    /* --video-in: the file and its access units. */
    uint8_t *file;
    size_t file_len;
    file_au_t *file_aus;
    size_t file_au_count;
    size_t file_next;
} app_t;

static app_t g_app;

static void status_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(app_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void status_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("pc_peer: ");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    va_end(ap);
}

static void fail(app_t *a, const char *fmt, ...)
{
    if (!a->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->fail_reason, sizeof(a->fail_reason), fmt, ap);
        va_end(ap);
        a->failed = true;
        status_line("FAILED: %s", a->fail_reason);
    }
    ertc_loop_stop(a->loop);
}

/* ---- outgoing signaling ------------------------------------------------------------------ */

static bool try_send(app_t *a, esp_webrtc_message_type_t type, char *payload)
{
    esp_webrtc_signaling_message_t m;
    memset(&m, 0, sizeof(m));
    m.message_type = type;
    snprintf(m.peer_client_id, sizeof(m.peer_client_id), "%s", a->peer_id);
    m.payload = payload;
    m.payload_len = (uint32_t)strlen(payload);
    WEBRTC_STATUS st = a->sif->send_message(a->sig, &m);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        return false;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        status_line("send_message(type %d) failed: %s", (int)type, webrtc_status_name(st));
    }
    return true;
}

static void flush_outbox(app_t *a)
{
    size_t done = 0;
    while (done < a->outbox_count) {
        if (!try_send(a, a->outbox[done].type, a->outbox[done].payload)) {
            break;
        }
        free(a->outbox[done].payload);
        done++;
    }
    memmove(a->outbox, a->outbox + done, (a->outbox_count - done) * sizeof(a->outbox[0]));
    a->outbox_count -= done;
}

static void outbox_tick(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    flush_outbox(arg);
}

/* Takes ownership of payload (malloc'd); keeps the order of messages. */
static void send_msg(app_t *a, esp_webrtc_message_type_t type, char *payload)
{
    if (payload == NULL) {
        fail(a, "out of memory building a signaling message");
        return;
    }
    if (a->outbox_count == MAX_OUTBOX) {
        free(payload);
        fail(a, "signaling outbox full");
        return;
    }
    a->outbox[a->outbox_count].type = type;
    a->outbox[a->outbox_count].payload = payload;
    a->outbox_count++;
    flush_outbox(a);
}

/* ---- peer connection callbacks ------------------------------------------------------------ */

static void on_local_description(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg)
{
    (void)pc;
    app_t *a = arg;
    bool offer = desc->type == ERTC_PC_SDP_OFFER;
    cJSON *o = cJSON_CreateObject();
    char *sdp = malloc(desc->len + 1);
    if (o == NULL || sdp == NULL) {
        cJSON_Delete(o);
        free(sdp);
        fail(a, "out of memory");
        return;
    }
    memcpy(sdp, desc->sdp, desc->len);
    sdp[desc->len] = '\0';
    cJSON_AddStringToObject(o, "type", offer ? "offer" : "answer");
    cJSON_AddStringToObject(o, "sdp", sdp);
    free(sdp);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    status_line("local %s ready (%zu bytes of SDP), sending", offer ? "offer" : "answer",
                desc->len);
    if (getenv("PC_PEER_DUMP_SDP") != NULL) {
        printf("---- local SDP ----\n%.*s---- end ----\n", (int)desc->len, desc->sdp);
    }
    send_msg(a, offer ? ESP_WEBRTC_MESSAGE_OFFER : ESP_WEBRTC_MESSAGE_ANSWER, text);
}

static void on_local_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    app_t *a = arg;
    if (line == NULL) {
        status_line("local candidates complete (AppRTC has no end-of-candidates)");
        return;
    }
    status_line("local candidate %s", line);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) {
        fail(a, "out of memory");
        return;
    }
    cJSON_AddStringToObject(o, "candidate", line);
    cJSON_AddStringToObject(o, "sdpMid", "0");
    cJSON_AddNumberToObject(o, "sdpMLineIndex", 0);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    send_msg(a, ESP_WEBRTC_MESSAGE_ICE_CANDIDATE, text);
}

/* The next access unit of --video-in: the next in the file, or its next IDR when asked. */
static void next_file_frame(app_t *a, const uint8_t **au, size_t *len)
{
    if (a->force_key) {
        while (!a->file_aus[a->file_next].idr) {
            a->file_next = (a->file_next + 1) % a->file_au_count; /* aus[0] is an IDR */
        }
    }
    const file_au_t *u = &a->file_aus[a->file_next];
    a->file_next = (a->file_next + 1) % a->file_au_count;
    *au = a->file + u->off;
    *len = u->len;
}

static void send_frame(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    app_t *a = arg;
    uint64_t now = ertc_loop_now_us(loop);
    const uint8_t *au = NULL;
    size_t len = 0;
    if (a->file != NULL) {
        next_file_frame(a, &au, &len);
    } else {
        bool key = a->frames % 60 == 0 || a->force_key; /* a key frame every 2 s, or asked */
        au = key ? a->idr : a->pframe;
        len = key ? sizeof(a->idr) : sizeof(a->pframe);
    }
    a->force_key = false;
    WEBRTC_STATUS st = ertc_pc_send_video_frame(a->pc, au, len, now - a->t0_us);
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (a->frame_errors++ < 5) {
            status_line("send_video_frame: %s", webrtc_status_name(st));
        }
        return;
    }
    a->frames++;
    if (a->frames == 1 || a->frames % 30 == 0) {
        status_line("sent %llu frames", (unsigned long long)a->frames);
    }
}

static void on_state(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg)
{
    (void)pc;
    app_t *a = arg;
    a->state = state;
    status_line("pc state %s%s%s", ertc_pc_state_name(state), detail != NULL ? ": " : "",
                detail != NULL ? detail : "");
    if (state == ERTC_PC_STATE_CONNECTED) {
        /* CONNECTED = ICE selected a pair and the DTLS handshake exported the SRTP keys. */
        status_line("ICE connected");
        status_line("DTLS connected (SRTP keys ready)");
        a->connected = true;
        a->t0_us = ertc_loop_now_us(a->loop);
        ertc_timer_start(a->loop, &a->frame_timer, 0, FRAME_MS);
    } else if (state == ERTC_PC_STATE_FAILED) {
        fail(a, "peer connection failed: %s", detail != NULL ? detail : "(no detail)");
    }
}

static void on_keyframe_request(ertc_pc_t *pc, void *arg)
{
    (void)pc;
    app_t *a = arg;
    /* Synthetic frames do not decode, so Chromium keeps asking: at most one forced IDR per
     * second, and only the first few requests are printed. */
    if (a->key_requests++ < 3) {
        status_line("remote asked for a key frame");
    }
    uint64_t now = ertc_loop_now_us(a->loop);
    if (now - a->last_forced_us >= 1000000) {
        a->last_forced_us = now;
        a->force_key = true;
    }
}

/* ---- incoming signaling (on the loop) -------------------------------------------------- */

typedef struct {
    app_t *a;
    int kind; /* 0 message, 1 state, 2 error */
    esp_webrtc_message_type_t type;
    int state;
    int status;
    char peer_id[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
    size_t len;
    char text[];
} posted_t;

static void apply_candidate(app_t *a, const char *line)
{
    WEBRTC_STATUS st = ertc_pc_add_remote_candidate(a->pc, line);
    status_line("remote candidate %s -> %s", line, webrtc_status_name(st));
}

static void handle_remote_sdp(app_t *a, const char *payload, size_t len, bool is_offer)
{
    cJSON *o = NULL;
    WEBRTC_STATUS st = ertc_json_parse(payload, len, ERTC_JSON_DEFAULT_MAX_LEN, &o);
    const char *sdp = NULL;
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_json_get_string(o, "sdp", &sdp);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        cJSON_Delete(o);
        fail(a, "remote %s is not {type,sdp} JSON: %s", is_offer ? "offer" : "answer",
             webrtc_status_name(st));
        return;
    }
    status_line("remote %s received (%zu bytes of SDP)", is_offer ? "offer" : "answer",
                strlen(sdp));
    if (getenv("PC_PEER_DUMP_SDP") != NULL) {
        printf("---- remote SDP ----\n%s---- end ----\n", sdp);
    }
    if (is_offer == a->offerer) {
        status_line("ignoring a remote %s: wrong direction for our role",
                    is_offer ? "offer" : "answer");
        cJSON_Delete(o);
        return;
    }
    st = ertc_pc_set_remote_description(a->pc, is_offer ? ERTC_PC_SDP_OFFER : ERTC_PC_SDP_ANSWER,
                                        sdp, strlen(sdp));
    cJSON_Delete(o);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail(a, "ertc_pc_set_remote_description(%s): %s", is_offer ? "offer" : "answer",
             webrtc_status_name(st));
        return;
    }
    a->remote_set = true;
    for (size_t i = 0; i < a->pending_count; i++) {
        apply_candidate(a, a->pending_cands[i]);
        free(a->pending_cands[i]);
    }
    a->pending_count = 0;
}

static void handle_remote_candidate(app_t *a, const char *payload, size_t len)
{
    cJSON *o = NULL;
    const char *line = NULL;
    WEBRTC_STATUS st = ertc_json_parse(payload, len, ERTC_JSON_DEFAULT_MAX_LEN, &o);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_json_get_string(o, "candidate", &line);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        status_line("ignoring a candidate message (%s): %.*s", webrtc_status_name(st), (int)len,
                    payload);
        cJSON_Delete(o);
        return;
    }
    if (!a->remote_set) {
        if (a->pending_count < MAX_PENDING_CANDS) {
            a->pending_cands[a->pending_count++] = strdup(line);
            status_line("remote candidate queued until the description: %s", line);
        }
    } else {
        apply_candidate(a, line);
    }
    cJSON_Delete(o);
}

static void handle_posted(void *arg)
{
    posted_t *p = arg;
    app_t *a = p->a;
    if (p->kind == 1) {
        if (p->state == WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED) {
            status_line("signaling connected");
        } else if (p->state == WEBRTC_SIGNALING_CLIENT_STATE_FAILED) {
            fail(a, "signaling failed");
        } else {
            status_line("signaling state %d", p->state);
        }
    } else if (p->kind == 2) {
        status_line("signaling error %s: %s", webrtc_status_name((WEBRTC_STATUS)p->status),
                    p->text);
    } else if (a->pc != NULL && ertc_pc_state(a->pc) != ERTC_PC_STATE_FAILED) {
        if (p->peer_id[0] != '\0') {
            snprintf(a->peer_id, sizeof(a->peer_id), "%s", p->peer_id);
        }
        switch (p->type) {
        case ESP_WEBRTC_MESSAGE_TRIGGER_OFFER:
            status_line("TRIGGER_OFFER for %s", p->peer_id);
            if (!a->offerer) {
                status_line("ignoring TRIGGER_OFFER: --role answer");
            } else if (!a->offer_made) {
                a->offer_made = true;
                WEBRTC_STATUS st = ertc_pc_create_offer(a->pc);
                if (st != WEBRTC_STATUS_SUCCESS) {
                    fail(a, "ertc_pc_create_offer: %s", webrtc_status_name(st));
                }
            }
            break;
        case ESP_WEBRTC_MESSAGE_OFFER:
        case ESP_WEBRTC_MESSAGE_ANSWER:
            handle_remote_sdp(a, p->text, p->len, p->type == ESP_WEBRTC_MESSAGE_OFFER);
            break;
        case ESP_WEBRTC_MESSAGE_ICE_CANDIDATE: handle_remote_candidate(a, p->text, p->len); break;
        case ESP_WEBRTC_MESSAGE_BYE: status_line("remote peer left (bye)"); break;
        default: status_line("signaling message type %d ignored", (int)p->type); break;
        }
    }
    free(p);
}

static posted_t *new_posted(int kind, const char *text, size_t len)
{
    posted_t *p = calloc(1, sizeof(*p) + len + 1);
    if (p != NULL) {
        p->a = &g_app;
        p->kind = kind;
        p->len = len;
        if (len > 0) {
            memcpy(p->text, text, len);
        }
        p->text[len] = '\0';
    }
    return p;
}

static void post(posted_t *p)
{
    if (p == NULL || ertc_loop_post(g_app.loop, handle_posted, p) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "pc_peer: cannot post a signaling event onto the loop\n");
        free(p);
    }
}

static WEBRTC_STATUS sig_on_msg(uint64_t custom, esp_webrtc_signaling_message_t *msg)
{
    (void)custom;
    posted_t *p = new_posted(0, msg->payload, msg->payload != NULL ? msg->payload_len : 0);
    if (p != NULL) {
        p->type = msg->message_type;
        snprintf(p->peer_id, sizeof(p->peer_id), "%s", msg->peer_client_id);
    }
    post(p);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sig_on_state(uint64_t custom, webrtc_signaling_client_state_t state)
{
    (void)custom;
    posted_t *p = new_posted(1, NULL, 0);
    if (p != NULL) {
        p->state = (int)state;
    }
    post(p);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS sig_on_error(uint64_t custom, WEBRTC_STATUS status, char *msg, uint32_t len)
{
    (void)custom;
    posted_t *p = new_posted(2, msg, msg != NULL ? len : 0);
    if (p != NULL) {
        p->status = (int)status;
    }
    post(p);
    return WEBRTC_STATUS_SUCCESS;
}

static void deadline(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    app_t *a = arg;
    if (!a->connected) {
        fail(a, "not connected after the deadline (pc state %s)", ertc_pc_state_name(a->state));
        return;
    }
    ertc_loop_stop(loop);
}

/* stdin a pipe or socket (Node's "pipe" is a socketpair): its end-of-file (the test driver closing
 * it) ends the run early but cleanly, as if --seconds had passed. */
static void on_stdin(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)events;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
        return;
    }
    ertc_io_stop(loop, io);
    status_line("stdin closed: stopping");
    deadline(loop, NULL, arg);
}

/* ---- synthetic H.264 --------------------------------------------------------------------- */

static size_t put_nal(uint8_t *buf, size_t off, size_t cap, uint8_t header, size_t payload_len,
                      uint8_t fill)
{
    static const uint8_t sc[4] = {0, 0, 0, 1};
    memcpy(buf + off, sc, 4);
    off += 4;
    buf[off++] = header;
    for (size_t i = 0; i < payload_len && off < cap; i++) {
        /* Never 0x00: no accidental start codes or emulation issues. */
        buf[off++] = (uint8_t)(fill + (i % 200) + 1);
    }
    return off;
}

static void make_frames(app_t *a)
{
    /* SPS: Constrained Baseline 3.1 (profile_idc 66, constraint 0xE0, level 31). */
    static const uint8_t sps[] = {0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0x8d, 0x68, 0x14, 0x1f, 0x90};
    static const uint8_t pps[] = {0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80};
    size_t off = 0;
    memcpy(a->idr + off, sps, sizeof(sps));
    off += sizeof(sps);
    memcpy(a->idr + off, pps, sizeof(pps));
    off += sizeof(pps);
    put_nal(a->idr, off, sizeof(a->idr), 0x65, sizeof(a->idr) - off - 5, 0x10);
    put_nal(a->pframe, 0, sizeof(a->pframe), 0x41, sizeof(a->pframe) - 5, 0x20);
}

/* ---- --video-in ----------------------------------------------------------------------------- */

/* Reads an Annex-B file and cuts it at its access unit delimiters (NAL type 9): media_gen.py
 * writes one before every access unit, so no slice-level parsing is needed here. */
static bool load_video_file(app_t *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pc_peer: cannot open %s\n", path);
        return false;
    }
    a->file = malloc(MAX_FILE_BYTES);
    a->file_aus = calloc(MAX_FILE_AUS, sizeof(*a->file_aus));
    if (a->file == NULL || a->file_aus == NULL) {
        fclose(f);
        return false;
    }
    a->file_len = fread(a->file, 1, MAX_FILE_BYTES, f);
    bool too_big = !feof(f);
    fclose(f);
    if (too_big || a->file_len < 5) {
        fprintf(stderr, "pc_peer: %s is empty or larger than %d bytes\n", path, MAX_FILE_BYTES);
        return false;
    }
    const uint8_t *b = a->file;
    for (size_t i = 0; i + 3 < a->file_len; i++) {
        if (b[i] != 0 || b[i + 1] != 0 || b[i + 2] != 1) {
            continue;
        }
        size_t start = i > 0 && b[i - 1] == 0 ? i - 1 : i; /* 4-byte start code */
        uint8_t type = b[i + 3] & 0x1f;
        if (type == 9) {
            if (a->file_au_count > 0) {
                file_au_t *prev = &a->file_aus[a->file_au_count - 1];
                prev->len = start - prev->off;
            }
            if (a->file_au_count == MAX_FILE_AUS) {
                break;
            }
            a->file_aus[a->file_au_count++] =
                (file_au_t){.off = start, .len = a->file_len - start};
        } else if (type == 5 && a->file_au_count > 0) {
            a->file_aus[a->file_au_count - 1].idr = true;
        }
    }
    if (a->file_au_count == 0 || !a->file_aus[0].idr || a->file_aus[0].off != 0) {
        fprintf(stderr, "pc_peer: %s must start with an access unit delimiter and an IDR "
                        "(tests/interop/media_gen.py)\n", path);
        return false;
    }
    status_line("%s: %zu access units", path, a->file_au_count);
    return true;
}

/* ---- main -------------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: pc_peer --server http://HOST:PORT --room R --role answer|offer "
                    "--seconds N [--interface IP] [--video-in FILE.h264] [--verbose]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *server = NULL;
    const char *room = NULL;
    const char *role = NULL;
    const char *iface = NULL;
    const char *video_in = NULL;
    int seconds = 20;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--verbose") == 0) {
            verbose = true;
            continue;
        }
        if (val == NULL) {
            return usage();
        }
        if (strcmp(arg, "--server") == 0) {
            server = val;
        } else if (strcmp(arg, "--room") == 0) {
            room = val;
        } else if (strcmp(arg, "--role") == 0) {
            role = val;
        } else if (strcmp(arg, "--seconds") == 0) {
            seconds = atoi(val);
        } else if (strcmp(arg, "--interface") == 0) {
            iface = val;
        } else if (strcmp(arg, "--video-in") == 0) {
            video_in = val;
        } else {
            return usage();
        }
        i++;
    }
    if (server == NULL || room == NULL || role == NULL || seconds <= 0 ||
        (strcmp(role, "answer") != 0 && strcmp(role, "offer") != 0)) {
        return usage();
    }
    ertc_log_set_level(verbose ? ERTC_LOG_DEBUG : ERTC_LOG_INFO);

    app_t *a = &g_app;
    a->offerer = strcmp(role, "offer") == 0;
    a->state = ERTC_PC_STATE_NEW;
    make_frames(a);
    if (video_in != NULL && !load_video_file(a, video_in)) {
        free(a->file);
        free(a->file_aus);
        return 1;
    }
    ertc_timer_init(&a->frame_timer, send_frame, a);
    ertc_timer_init(&a->outbox_timer, outbox_tick, a);
    ertc_timer_init(&a->deadline_timer, deadline, a);

    WEBRTC_STATUS st = ertc_loop_create(&a->loop, 0);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "pc_peer: loop: %s\n", webrtc_status_name(st));
        return 1;
    }
    st = ertc_cert_generate(&a->cert);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "pc_peer: certificate: %s\n", webrtc_status_name(st));
        return 1;
    }
    status_line("certificate %s", ertc_cert_fingerprint(a->cert));

    ertc_pc_config_t cfg;
    ertc_pc_config_init(&cfg);
    cfg.name = a->offerer ? "device-offerer" : "device-answerer";
    cfg.role = a->offerer ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
    cfg.send_video = true;
    cfg.receive_video = false;
    cfg.include_loopback = false;
    if (iface != NULL) {
        st = ertc_addr_parse_ip(iface, &cfg.interfaces[0]);
        if (st != WEBRTC_STATUS_SUCCESS) {
            fprintf(stderr, "pc_peer: bad --interface %s\n", iface);
            return 2;
        }
        cfg.interface_count = 1;
    }
    ertc_pc_callbacks_t cbs = {
        .on_local_description = on_local_description,
        .on_local_candidate = on_local_candidate,
        .on_state = on_state,
        .on_keyframe_request = on_keyframe_request,
    };
    st = ertc_pc_create(a->loop, a->cert, &cfg, &cbs, a, &a->pc);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "pc_peer: ertc_pc_create: %s\n", webrtc_status_name(st));
        return 1;
    }

    apprtc_signaling_config_t scfg;
    memset(&scfg, 0, sizeof(scfg));
    scfg.serverUrl = (char *)server;
    scfg.roomId = (char *)room;
    scfg.autoConnect = true;
    a->sif = apprtc_signaling_client_if_get();
    st = a->sif->init(&scfg, &a->sig);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = a->sif->set_callbacks(a->sig, 0, sig_on_msg, sig_on_state, sig_on_error);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = a->sif->set_role_type(a->sig, a->offerer ? WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER
                                                      : WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = a->sif->connect(a->sig);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "pc_peer: AppRTC backend: %s\n", webrtc_status_name(st));
        return 1;
    }
    status_line("joining room %s on %s as %s (%s)", room, server, a->offerer ? "VIEWER" : "MASTER",
                a->offerer ? "we offer" : "we answer");

    ertc_timer_start(a->loop, &a->outbox_timer, 50, 50);
    ertc_timer_start(a->loop, &a->deadline_timer, (uint32_t)seconds * 1000u, 0);
    struct stat sb;
    if (fstat(0, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
        ertc_io_init(&a->stdin_io, 0, on_stdin, a);
        a->stdin_watched =
            ertc_io_start(a->loop, &a->stdin_io, ERTC_IO_READ) == WEBRTC_STATUS_SUCCESS;
    }

    ertc_loop_run(a->loop);

    ertc_pc_stats_t stats;
    ertc_pc_get_stats(a->pc, &stats);
    status_line(
        "stats: frames sent %llu, dropped %llu, rtp sent %llu, rtcp received %llu, "
        "srtp drops %llu, unknown dropped %llu, keyframe requests %llu (%llu seen here)",
        (unsigned long long)stats.video_frames_sent, (unsigned long long)stats.video_frames_dropped,
        (unsigned long long)stats.rtp_packets_sent, (unsigned long long)stats.rtcp_packets_received,
        (unsigned long long)stats.srtp_drops, (unsigned long long)stats.unknown_dropped,
        (unsigned long long)stats.keyframe_requests_received, (unsigned long long)a->key_requests);
    bool ok = !a->failed && a->connected && a->frames > 0;
    if (ok) {
        status_line("sent %llu frames", (unsigned long long)a->frames);
    } else if (!a->failed) {
        status_line("FAILED: connected %d, frames %llu", a->connected,
                    (unsigned long long)a->frames);
    }

    a->sif->free(a->sig);
    /* free() joined the signaling thread: run what it posted last (its DISCONNECTED state),
     * so every posted call and its argument is released before the loop goes. */
    for (int i = 0; i < 3; i++) {
        ertc_loop_run_once(a->loop, 0);
    }
    ertc_timer_stop(a->loop, &a->frame_timer);
    ertc_timer_stop(a->loop, &a->outbox_timer);
    ertc_timer_stop(a->loop, &a->deadline_timer);
    if (a->stdin_watched) {
        ertc_io_stop(a->loop, &a->stdin_io);
    }
    ertc_pc_free(a->pc);
    ertc_cert_unref(a->cert);
    for (size_t i = 0; i < a->outbox_count; i++) {
        free(a->outbox[i].payload);
    }
    for (size_t i = 0; i < a->pending_count; i++) {
        free(a->pending_cands[i]);
    }
    ertc_loop_destroy(a->loop);
    free(a->file);
    free(a->file_aus);
    status_line("exit %d", ok ? 0 : 1);
    return ok ? 0 : 1;
}
