/*
 * bench/peer_heap — heap per peer-connection session: N pairs of edgertc peer connections
 * (peer/peer_connection) in this process, on one loop, over 127.0.0.1, signalled directly,
 * each offerer sending H.264-shaped access units (an SPS+PPS+IDR unit every second, P-frames
 * between) at 30 fps to its answerer for two seconds.
 *
 * Two meters, side by side:
 *   - edgertc's counting allocator (util/alloc): what edgertc itself allocates;
 *   - the whole process: malloc and its relatives are defined in this file on top of glibc's
 *     __libc_* functions, so mbedTLS (Debian's is built without MBEDTLS_PLATFORM_MEMORY and
 *     calls calloc directly) and libsrtp2 are counted too. Usable block sizes.
 * Figures per pair (a send-only session, as on a camera, and the receive-only session that
 * views it): peak while connecting and sending, and steady (live after two seconds of media),
 * each from a baseline taken after the loop and the process's one certificate were made; and
 * what one send-only and one receive-only session hold right after ertc_pc_create (all the
 * offerers are created first, then all the answerers) and after the media (what freeing all
 * the receive-only sessions, then all the send-only ones, gives back). A last column checks
 * that freeing everything returns the meters to their baselines.
 *
 * No pass/fail on figures; exit 1 only if the sessions do not connect.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer/cert.h"
#include "peer/peer_connection.h"
#include "port/loop.h"
#include "port/socket.h"
#include "util/alloc.h"
#include "util/log.h"

#define MAX_PAIRS      32
#define CONNECT_MS     30000
#define MEDIA_MS       2000
#define FRAME_MS       33
#define IDR_BYTES      12000
#define P_BYTES        1500

/* ---- the process meter ----------------------------------------------------------------- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_llong proc_live;
static atomic_llong proc_peak;

static void proc_add(long long n)
{
    long long now = atomic_fetch_add(&proc_live, n) + n;
    long long peak = atomic_load(&proc_peak);
    while (now > peak && !atomic_compare_exchange_weak(&proc_peak, &peak, now)) {
    }
}

static void *proc_track(void *p)
{
    if (p != NULL) {
        proc_add((long long)malloc_usable_size(p));
    }
    return p;
}

void *malloc(size_t size)
{
    return proc_track(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
    return proc_track(__libc_calloc(n, size));
}

void free(void *p)
{
    if (p != NULL) {
        atomic_fetch_sub(&proc_live, (long long)malloc_usable_size(p));
    }
    __libc_free(p);
}

void *realloc(void *p, size_t size)
{
    if (p == NULL) {
        return malloc(size);
    }
    long long old = (long long)malloc_usable_size(p);
    void *q = __libc_realloc(p, size);
    if (q != NULL) {
        /* Counted as if the new block existed before the old one went (true when it moved). */
        proc_add((long long)malloc_usable_size(q));
        atomic_fetch_sub(&proc_live, old);
    } else if (size == 0) {
        atomic_fetch_sub(&proc_live, old); /* glibc freed it */
    }
    return q;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

void *memalign(size_t alignment, size_t size)
{
    return proc_track(__libc_memalign(alignment, size));
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *p = memalign(alignment, size);
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

/* ---- sessions ------------------------------------------------------------------------------ */

typedef struct pair pair_t;

typedef struct {
    pair_t *pair;
    int side; /* 0 offerer, 1 answerer */
    ertc_pc_t *pc;
    bool connected;
    bool failed;
} session_t;

struct pair {
    session_t s[2];
};

typedef struct {
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    pair_t pairs[MAX_PAIRS];
    size_t pair_count;
    size_t connected;
    size_t failed;
    uint64_t frames;
    uint8_t idr[IDR_BYTES];
    uint8_t pframe[P_BYTES];
} bench_t;

static bench_t g;

typedef struct {
    session_t *to;
    int kind; /* 0 description, 1 candidate, 2 end-of-candidates */
    ertc_pc_sdp_type_t type;
    size_t len;
    char text[];
} msg_t;

static void deliver(void *arg)
{
    msg_t *m = arg;
    if (m->to->pc != NULL) {
        if (m->kind == 0) {
            if (ertc_pc_set_remote_description(m->to->pc, m->type, m->text, m->len) !=
                WEBRTC_STATUS_SUCCESS) {
                m->to->failed = true;
            }
        } else {
            (void)ertc_pc_add_remote_candidate(m->to->pc, m->kind == 2 ? NULL : m->text);
        }
    }
    free(m);
}

static void post(session_t *from, int kind, ertc_pc_sdp_type_t type, const char *text,
                 size_t len)
{
    msg_t *m = calloc(1, sizeof(*m) + len + 1);
    if (m == NULL) {
        from->failed = true;
        return;
    }
    m->to = &from->pair->s[1 - from->side];
    m->kind = kind;
    m->type = type;
    m->len = len;
    if (len > 0) {
        memcpy(m->text, text, len);
    }
    if (ertc_loop_post(g.loop, deliver, m) != WEBRTC_STATUS_SUCCESS) {
        free(m);
        from->failed = true;
    }
}

static void on_description(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg)
{
    (void)pc;
    post(arg, 0, desc->type, desc->sdp, desc->len);
}

static void on_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    post(arg, line == NULL ? 2 : 1, ERTC_PC_SDP_OFFER, line, line != NULL ? strlen(line) : 0);
}

static void on_state(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg)
{
    (void)pc;
    session_t *s = arg;
    bool counted = false;
    if (state == ERTC_PC_STATE_CONNECTED && !s->connected) {
        s->connected = true;
        g.connected++;
        counted = true;
    } else if (state == ERTC_PC_STATE_FAILED && !s->failed) {
        s->failed = true;
        g.failed++;
        counted = true;
        fprintf(stderr, "bench_peer_heap: a session failed: %s\n", detail ? detail : "?");
    }
    /* Only here: a stop requested later (CLOSED while freeing) would end the next run early. */
    if (counted && g.connected + g.failed == 2 * g.pair_count) {
        ertc_loop_stop(g.loop);
    }
}

static void on_frame(ertc_pc_t *pc, const uint8_t *au, size_t len, uint32_t ts, bool key,
                     void *arg)
{
    (void)pc;
    (void)au;
    (void)len;
    (void)ts;
    (void)key;
    (void)arg;
}

static void send_frames(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    (void)arg;
    bool key = g.frames % 30 == 0;
    for (size_t i = 0; i < g.pair_count; i++) {
        (void)ertc_pc_send_video_frame(g.pairs[i].s[0].pc, key ? g.idr : g.pframe,
                                       key ? sizeof(g.idr) : sizeof(g.pframe),
                                       g.frames * 1000000u / 30u);
    }
    g.frames++;
}

static void stop_loop(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)t;
    (void)arg;
    ertc_loop_stop(loop);
}

static size_t put_nal(uint8_t *b, size_t off, size_t end, uint8_t header)
{
    b[off++] = 0;
    b[off++] = 0;
    b[off++] = 0;
    b[off++] = 1;
    b[off++] = header;
    for (size_t i = 0; off < end; i++) {
        b[off++] = (uint8_t)(1 + i % 251); /* never 0: no start code inside */
    }
    return off;
}

static void make_frames(void)
{
    static const uint8_t sps_pps[] = {0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x05, 0x07,
                                      0xe8, 0,   0, 0,   1,    0x68, 0xce, 0x0f, 0xc8};
    memcpy(g.idr, sps_pps, sizeof(sps_pps));
    put_nal(g.idr, sizeof(sps_pps), sizeof(g.idr), 0x65);
    put_nal(g.pframe, 0, sizeof(g.pframe), 0x41);
}

typedef struct {
    size_t pairs;
    double connect_ms;
    long long ertc_peak, ertc_steady, proc_peak, proc_steady, proc_after;
    long long proc_sender_created, proc_receiver_created, ertc_after;
    long long proc_sender_steady, proc_receiver_steady;
    uint64_t ertc_allocs;
    bool ok;
} result_t;

static long long ertc_live(void)
{
    ertc_alloc_stats_t st;
    ertc_alloc_get_stats(&st);
    return (long long)st.current;
}

static result_t run(size_t pairs)
{
    result_t r = {.pairs = pairs};
    memset(g.pairs, 0, sizeof(g.pairs));
    g.pair_count = pairs;
    g.connected = g.failed = 0;
    g.frames = 0;

    ertc_alloc_reset_peak();
    long long ertc_base = ertc_live();
    long long proc_base = atomic_load(&proc_live);
    atomic_store(&proc_peak, proc_base);
    uint64_t t0 = ertc_loop_now_us(g.loop);

    ertc_pc_callbacks_t cbs = {
        .on_local_description = on_description,
        .on_local_candidate = on_candidate,
        .on_state = on_state,
        .on_video_frame = on_frame,
    };
    bool created = true;
    long long before_side = proc_base;
    for (int side = 0; side < 2 && created; side++) {
        for (size_t i = 0; i < pairs && created; i++) {
            session_t *s = &g.pairs[i].s[side];
            s->pair = &g.pairs[i];
            s->side = side;
            ertc_pc_config_t cfg;
            ertc_pc_config_init(&cfg);
            cfg.name = side == 0 ? "offerer" : "answerer";
            cfg.role = side == 0 ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
            cfg.send_video = side == 0;
            cfg.receive_video = side == 1;
            cfg.include_loopback = true;
            (void)ertc_addr_parse_ip("127.0.0.1", &cfg.interfaces[0]);
            cfg.interface_count = 1;
            created = ertc_pc_create(g.loop, g.cert, &cfg, &cbs, s, &s->pc) ==
                      WEBRTC_STATUS_SUCCESS;
        }
        long long now = atomic_load(&proc_live);
        *(side == 0 ? &r.proc_sender_created : &r.proc_receiver_created) =
            (now - before_side) / (long long)pairs;
        before_side = now;
    }
    for (size_t i = 0; i < pairs && created; i++) {
        created = ertc_pc_create_offer(g.pairs[i].s[0].pc) == WEBRTC_STATUS_SUCCESS;
    }
    ertc_timer_t guard, frames;
    ertc_timer_init(&guard, stop_loop, NULL);
    ertc_timer_init(&frames, send_frames, NULL);
    if (created) {
        ertc_timer_start(g.loop, &guard, CONNECT_MS, 0);
        ertc_loop_run(g.loop); /* until every session connected or failed, or the guard */
        ertc_timer_stop(g.loop, &guard);
    }
    r.connect_ms = (double)(ertc_loop_now_us(g.loop) - t0) / 1000.0;
    r.ok = created && g.connected == 2 * pairs;
    if (r.ok) {
        ertc_timer_start(g.loop, &frames, 0, FRAME_MS);
        ertc_timer_start(g.loop, &guard, MEDIA_MS, 0);
        ertc_loop_run(g.loop);
        ertc_timer_stop(g.loop, &frames);
        ertc_timer_stop(g.loop, &guard);
    }
    ertc_alloc_stats_t st;
    ertc_alloc_get_stats(&st);
    r.ertc_peak = (long long)st.peak - ertc_base;
    r.ertc_steady = (long long)st.current - ertc_base;
    r.ertc_allocs = st.count;
    r.proc_peak = atomic_load(&proc_peak) - proc_base;
    r.proc_steady = atomic_load(&proc_live) - proc_base;

    /* Receivers first, then senders: what each frees is what each held. */
    for (int side = 1; side >= 0; side--) {
        long long before = atomic_load(&proc_live);
        for (size_t i = 0; i < pairs; i++) {
            ertc_pc_free(g.pairs[i].s[side].pc);
            g.pairs[i].s[side].pc = NULL;
        }
        long long freed = (before - atomic_load(&proc_live)) / (long long)pairs;
        *(side == 0 ? &r.proc_sender_steady : &r.proc_receiver_steady) = freed;
    }
    /* Signaling still posted (a late candidate) is delivered to no one and freed. */
    for (int i = 0; i < 5; i++) {
        ertc_loop_run_once(g.loop, 0);
    }
    r.proc_after = atomic_load(&proc_live) - proc_base;
    r.ertc_after = ertc_live() - ertc_base;
    return r;
}

static void kib(char *out, size_t size, double bytes)
{
    snprintf(out, size, "%.1f", bytes / 1024.0);
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_WARN);
    ertc_alloc_counting_enable();
    ertc_alloc_route_libraries();
    make_frames();
    if (ertc_loop_create(&g.loop, 0) != WEBRTC_STATUS_SUCCESS ||
        ertc_cert_generate(&g.cert) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "bench_peer_heap: loop or certificate failed\n");
        return 1;
    }
    static const size_t sizes[] = {1, 4, 16};
    result_t res[sizeof(sizes) / sizeof(sizes[0])];
    bool ok = true;
    /* One warm-up pair: first-use allocations of libraries (mbedTLS tables, libsrtp's
     * crypto kernel) are process costs, not session costs. */
    (void)run(1);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        res[i] = run(sizes[i]);
        ok = ok && res[i].ok;
    }

    printf("Heap per pair of peer-connection sessions, KiB (a send-only session sending\n"
           "H.264-shaped frames at 30 fps for %d s, and the receive-only session viewing it;\n"
           "127.0.0.1, one loop)\n\n",
           MEDIA_MS / 1000);
    printf("%-5s %-9s | %-24s | %-26s\n", "", "", "edgertc's allocations",
           "whole process (+mbedTLS,");
    printf("%-5s %-9s | %-24s | %-26s\n", "", "", "(counting allocator)", "libsrtp2)");
    printf("%-5s %-9s | %7s %7s %8s | %7s %7s %10s\n", "pairs", "connect", "peak", "steady",
           "allocs", "peak", "steady", "left");
    printf("---------------------------------------------------------------------\n");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const result_t *r = &res[i];
        double n = (double)r->pairs;
        char a[16], b[16], c[16], d[16], e[32];
        kib(a, sizeof(a), (double)r->ertc_peak / n);
        kib(b, sizeof(b), (double)r->ertc_steady / n);
        kib(c, sizeof(c), (double)r->proc_peak / n);
        kib(d, sizeof(d), (double)r->proc_steady / n);
        snprintf(e, sizeof(e), "%lld/%lld", r->ertc_after, r->proc_after);
        printf("%-5zu %6.0f ms | %7s %7s %8.0f | %7s %7s %10s%s\n", r->pairs, r->connect_ms, a,
               b, (double)r->ertc_allocs / n, c, d, e, r->ok ? "" : "  (DID NOT CONNECT)");
    }
    printf("\nPer session, whole process, KiB\n\n");
    printf("%-5s | %-19s | %-19s\n", "", "at create", "steady (freed)");
    printf("%-5s | %9s %9s | %9s %9s\n", "pairs", "send", "receive", "send", "receive");
    printf("-----------------------------------------------\n");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const result_t *r = &res[i];
        printf("%-5zu | %9.1f %9.1f | %9.1f %9.1f\n", r->pairs,
               (double)r->proc_sender_created / 1024.0, (double)r->proc_receiver_created / 1024.0,
               (double)r->proc_sender_steady / 1024.0, (double)r->proc_receiver_steady / 1024.0);
    }
    printf("\npeak, steady and allocs (edgertc allocations during the run) are per pair;\n"
           "left = bytes still live once every session was freed, edgertc/whole process, not per\n"
           "pair (0 = none kept);\n"
           "at create = one session right after ertc_pc_create, before any signaling; steady =\n"
           "what freeing one session after the media gave back (send-only: H.264 packetizer,\n"
           "NACK resend history, DTLS, SRTP; receive-only: H.264 reassembly buffers too).\n");

    ertc_cert_unref(g.cert);
    ertc_loop_destroy(g.loop);
    return ok ? 0 : 1;
}
