/*
 * bench/net_footprint — what edgertc's own WebSocket client costs, next to libwebsockets.
 *
 * The job, done by both clients against the same independent echo server (Debian's
 * python3-websockets: tests/integration/ws_server.py) over wss:// on 127.0.0.1, with a test CA
 * made for this run: connect, 1000 round trips of a 1 KiB binary message (send one, wait for
 * its echo, check every byte, send the next), close. Both clients run in this process, one
 * after the other, alternating, three times each; the table shows the median of each figure
 * and the single runs are listed below it.
 *
 * Heap is counted for the whole process, TLS libraries included (Debian's mbedTLS and OpenSSL
 * call malloc directly, past edgertc's allocation hooks): this file defines malloc and its
 * relatives on top of glibc's __libc_* entry points, so every allocation of the process passes
 * through the counters below. No dlsym is involved, so there is no bootstrap problem (dlsym
 * itself calls calloc). Code size is read with size(1) from our object files and from
 * libwebsockets.so; neither figure includes the TLS library.
 *
 * The goals (issue "bench/net_footprint"): at most a quarter of libwebsockets' heap peak, at
 * most 32 KiB of our own text, an echo rate no lower than libwebsockets'. A missed goal is
 * reported, never a failure; the exit status is non-zero only when a client could not
 * complete the job.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <mbedtls/version.h>
#include <openssl/ssl.h>

#include "net/tls.h"
#include "net/ws_client.h"
#include "port/loop.h"
#include "util/log.h"

#define ECHO_COUNT              1000
#define ECHO_SIZE               1024
#define RUNS                    3
#define JOB_TIMEOUT_S           60 /* a job takes about a second; this is a hang */
#define SERVER_START_TIMEOUT_MS 20000
#define PYTHON                  "/usr/bin/python3"
#define LOOPBACK                "127.0.0.1"
#define GOAL_HEAP_RATIO         0.25 /* our heap peak / libwebsockets' heap peak */
#define GOAL_TEXT_KIB           32.0 /* our own text */
#define GOAL_RATE_RATIO         1.0  /* our echo rate / libwebsockets' echo rate */
#define MAX_OBJECTS             256
#define ERROR_LEN               320

/* ---- heap accounting: the malloc family, interposed for the whole process ------------------ */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

/* Usable bytes (malloc_usable_size) of live blocks. Signed, so that a block freed here but
 * allocated past these functions could never wrap the counter around. */
static atomic_llong heap_current;
static atomic_llong heap_peak;
static atomic_ullong heap_allocations;

static void heap_raise_peak(long long level)
{
    long long peak = atomic_load_explicit(&heap_peak, memory_order_relaxed);
    while (level > peak &&
           !atomic_compare_exchange_weak_explicit(&heap_peak, &peak, level, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

static void *heap_count(void *p)
{
    if (p != NULL) {
        long long n = (long long)malloc_usable_size(p);
        heap_raise_peak(atomic_fetch_add_explicit(&heap_current, n, memory_order_relaxed) + n);
        atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    }
    return p;
}

static void heap_uncount(void *p)
{
    if (p != NULL) {
        atomic_fetch_sub_explicit(&heap_current, (long long)malloc_usable_size(p),
                                  memory_order_relaxed);
    }
}

void *malloc(size_t size)
{
    return heap_count(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
    return heap_count(__libc_calloc(n, size));
}

void free(void *ptr)
{
    heap_uncount(ptr);
    __libc_free(ptr);
}

void *realloc(void *ptr, size_t size)
{
    if (ptr == NULL) {
        return malloc(size);
    }
    long long before = (long long)malloc_usable_size(ptr);
    void *p = __libc_realloc(ptr, size);
    if (p == NULL) {
        if (size == 0) { /* glibc freed the block */
            atomic_fetch_sub_explicit(&heap_current, before, memory_order_relaxed);
        }
        return NULL;
    }
    long long after = (long long)malloc_usable_size(p);
    if (p == ptr) {
        heap_raise_peak(
            atomic_fetch_add_explicit(&heap_current, after - before, memory_order_relaxed) + after -
            before);
    } else {
        /* moved: for a moment both blocks were live */
        heap_raise_peak(atomic_fetch_add_explicit(&heap_current, after, memory_order_relaxed) +
                        after);
        atomic_fetch_sub_explicit(&heap_current, before, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&heap_allocations, 1, memory_order_relaxed);
    return p;
}

/* glibc's own reallocarray would reach its realloc internally, past the counters. */
void *reallocarray(void *ptr, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, total);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0) {
        return EINVAL;
    }
    void *p = heap_count(__libc_memalign(alignment, size));
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    return heap_count(__libc_memalign(alignment, size));
}

void *memalign(size_t alignment, size_t size)
{
    return heap_count(__libc_memalign(alignment, size));
}

void *valloc(size_t size)
{
    return heap_count(__libc_valloc(size));
}

void *pvalloc(size_t size)
{
    return heap_count(__libc_pvalloc(size));
}

/* The heap level when a job starts; the job's figures are measured above it. */
typedef struct {
    long long base;
    unsigned long long allocations;
} heap_mark_t;

static void heap_mark(heap_mark_t *m)
{
    m->base = atomic_load(&heap_current);
    m->allocations = atomic_load(&heap_allocations);
    atomic_store(&heap_peak, m->base);
}

/* ---- the echo job, common to both clients ---------------------------------------------------- */

typedef struct {
    bool ok;
    char error[ERROR_LEN];
    double heap_peak_kib;    /* above the level before the job */
    double heap_open_kib;    /* in use when the last echo arrived (connection open) */
    double heap_left_kib;    /* still in use after the client was torn down */
    double allocations;      /* the whole job */
    double echo_allocations; /* from the open to the last echo */
    double connect_ms;       /* from before the context/loop was made to the open connection */
    double echo_rate;        /* messages per second over the 1000 round trips */
    double total_ms;         /* from before the context/loop was made to the end of the close */
} job_result_t;

typedef struct {
    unsigned seq; /* first payload number of this job */
    int sent;
    int received;
    uint8_t expected[ECHO_SIZE];
    uint64_t t_start, t_open, t_echoes_done, t_closed;
    unsigned long long allocations_open, allocations_echoes_done;
    long long heap_echoes_done;
    bool opened;
    bool closed;
    bool failed;
    char error[ERROR_LEN];
} echo_job_t;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void echo_job_init(echo_job_t *job, unsigned seq)
{
    memset(job, 0, sizeof(*job));
    job->seq = seq;
}

__attribute__((format(printf, 2, 3))) static void echo_job_fail(echo_job_t *job, const char *fmt,
                                                                ...)
{
    if (job->failed) {
        return; /* the first failure is the one worth reading */
    }
    job->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->error, sizeof(job->error), fmt, ap);
    va_end(ap);
}

static void echo_job_opened(echo_job_t *job)
{
    job->opened = true;
    job->t_open = now_us();
    job->allocations_open = atomic_load(&heap_allocations);
}

/* The next message: pseudo-random bytes that differ for every message of the run, so a stale
 * or reordered echo cannot pass the check. */
static const uint8_t *echo_job_next(echo_job_t *job)
{
    uint32_t x = (job->seq + (unsigned)job->sent) * 2654435761u | 1u;
    for (size_t i = 0; i < ECHO_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        job->expected[i] = (uint8_t)x;
    }
    job->sent++;
    return job->expected;
}

/* Checks one received message; true when all echoes are in. */
static bool echo_job_received(echo_job_t *job, bool is_text, const uint8_t *data, size_t len)
{
    if (job->received >= job->sent) {
        echo_job_fail(job, "a message arrived that was never sent");
    } else if (is_text) {
        echo_job_fail(job, "echo %d came back as text, not binary", job->received + 1);
    } else if (len != ECHO_SIZE || memcmp(data, job->expected, ECHO_SIZE) != 0) {
        echo_job_fail(job, "echo %d differs from what was sent (%zu bytes)", job->received + 1,
                      len);
    }
    if (job->failed) {
        return false;
    }
    job->received++;
    if (job->received < ECHO_COUNT) {
        return false;
    }
    job->t_echoes_done = now_us();
    job->allocations_echoes_done = atomic_load(&heap_allocations);
    job->heap_echoes_done = atomic_load(&heap_current);
    return true;
}

static void echo_job_result(const echo_job_t *job, const heap_mark_t *m, job_result_t *r)
{
    memset(r, 0, sizeof(*r));
    r->ok = !job->failed && job->received == ECHO_COUNT;
    if (!r->ok) {
        snprintf(r->error, sizeof(r->error), "%s",
                 job->failed ? job->error : "the connection ended before the last echo");
        return;
    }
    r->heap_peak_kib = (double)(atomic_load(&heap_peak) - m->base) / 1024.0;
    r->heap_open_kib = (double)(job->heap_echoes_done - m->base) / 1024.0;
    r->heap_left_kib = (double)(atomic_load(&heap_current) - m->base) / 1024.0;
    r->allocations = (double)(atomic_load(&heap_allocations) - m->allocations);
    r->echo_allocations = (double)(job->allocations_echoes_done - job->allocations_open);
    r->connect_ms = (double)(job->t_open - job->t_start) / 1000.0;
    r->echo_rate = ECHO_COUNT / ((double)(job->t_echoes_done - job->t_open) / 1e6);
    r->total_ms = (double)(job->t_closed - job->t_start) / 1000.0;
}

typedef struct {
    char ca_path[512];
    char url[128];
    uint16_t port;
} bench_env_t;

/* ---- edgertc: ertc_loop_t + ertc_ws_client_t over net/tls (mbedTLS) -------------------------- */

typedef struct {
    echo_job_t job;
    ertc_ws_client_t *ws;
} ertc_echo_t;

static void ertc_echo_send_next(ertc_echo_t *e)
{
    WEBRTC_STATUS st = ertc_ws_send(e->ws, false, echo_job_next(&e->job), ECHO_SIZE);
    if (st != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e->job, "edgertc: ertc_ws_send: %s", webrtc_status_name(st));
        ertc_ws_close(e->ws, 1011, "send failed");
    }
}

static void ertc_echo_on_open(ertc_ws_client_t *ws, void *arg)
{
    ertc_echo_t *e = arg;
    e->ws = ws;
    echo_job_opened(&e->job);
    ertc_echo_send_next(e);
}

static void ertc_echo_on_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data,
                                 size_t len, void *arg)
{
    ertc_echo_t *e = arg;
    if (echo_job_received(&e->job, is_text, data, len)) {
        ertc_ws_close(ws, 1000, "done");
    } else if (e->job.failed) {
        ertc_ws_close(ws, 1000, "bad echo");
    } else {
        ertc_echo_send_next(e);
    }
}

static void ertc_echo_on_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code,
                               const char *reason, void *arg)
{
    (void)ws;
    ertc_echo_t *e = arg;
    e->job.closed = true;
    e->job.t_closed = now_us();
    if (status != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e->job, "edgertc: %s (%s, code %u)", reason, webrtc_status_name(status),
                      (unsigned)code);
    }
}

static const ertc_ws_callbacks_t ertc_echo_callbacks = {
    .on_open = ertc_echo_on_open,
    .on_message = ertc_echo_on_message,
    .on_close = ertc_echo_on_close,
};

static void run_edgertc(const bench_env_t *env, unsigned seq, job_result_t *r)
{
    ertc_echo_t e = {0};
    echo_job_init(&e.job, seq);
    heap_mark_t mark;
    heap_mark(&mark);
    e.job.t_start = now_us();

    ertc_loop_t *loop = NULL;
    ertc_tls_config_t *tls = NULL;
    ertc_ws_client_t *ws = NULL;
    char err[ERTC_TLS_ERROR_LEN] = "";
    ertc_tls_options_t topts = {.role = ERTC_TLS_CLIENT, .ca_path = env->ca_path};
    WEBRTC_STATUS st = ertc_loop_create(&loop, 0);
    if (st != WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e.job, "edgertc: ertc_loop_create: %s", webrtc_status_name(st));
    } else if ((st = ertc_tls_config_create(&topts, &tls, err, sizeof(err))) !=
               WEBRTC_STATUS_SUCCESS) {
        echo_job_fail(&e.job, "edgertc: TLS configuration: %s", err);
    } else {
        ertc_ws_options_t opts = {.url = env->url, .tls = tls};
        st = ertc_ws_connect(loop, &opts, &ertc_echo_callbacks, &e, &ws);
        if (st != WEBRTC_STATUS_SUCCESS) {
            echo_job_fail(&e.job, "edgertc: ertc_ws_connect(%s): %s", env->url,
                          webrtc_status_name(st));
        }
        uint64_t deadline = now_us() + (uint64_t)JOB_TIMEOUT_S * 1000000u;
        while (ws != NULL && !e.job.closed && now_us() < deadline) {
            ertc_loop_run_once(loop, 100);
        }
        if (ws != NULL && !e.job.closed) {
            echo_job_fail(&e.job, "edgertc: not done within %d s", JOB_TIMEOUT_S);
        }
    }
    /* Tear-down belongs to the job's heap figures, not to its time. */
    ertc_ws_free(ws);
    for (int i = 0; loop != NULL && i < 8; i++) {
        ertc_loop_run_once(loop, 0);
    }
    ertc_tls_config_unref(tls);
    ertc_loop_destroy(loop);
    echo_job_result(&e.job, &mark, r);
}

/* ---- libwebsockets: a minimal client doing the same ----------------------------------------- */

typedef struct {
    echo_job_t job;
    uint8_t
        tx[LWS_PRE + ECHO_SIZE]; /* lws_write needs LWS_PRE bytes in front, and masks in place */
    uint8_t rx[ECHO_SIZE];
    size_t rx_len;
    bool rx_too_long;
    char tls[128]; /* negotiated version and cipher */
} lws_echo_t;

static lws_echo_t lws_echo; /* static: the bench's own buffers are kept out of the heap */

static void lws_echo_note_tls(lws_echo_t *e, struct lws *wsi)
{
    SSL *ssl = lws_get_ssl(wsi);
    if (ssl != NULL) {
        snprintf(e->tls, sizeof(e->tls), "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
    }
}

static int lws_echo_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len)
{
    (void)user;
    lws_echo_t *e = lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        echo_job_opened(&e->job);
        lws_echo_note_tls(e, wsi);
        lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (e->job.failed || e->job.received == ECHO_COUNT) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"done", 4);
            return -1; /* lws sends the close frame and waits for the server's */
        }
        if (e->job.sent == e->job.received) {
            memcpy(e->tx + LWS_PRE, echo_job_next(&e->job), ECHO_SIZE);
            if (lws_write(wsi, e->tx + LWS_PRE, ECHO_SIZE, LWS_WRITE_BINARY) < ECHO_SIZE) {
                echo_job_fail(&e->job, "libwebsockets: lws_write failed");
                return -1;
            }
        }
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (e->rx_len + len > sizeof(e->rx)) {
            e->rx_too_long = true;
        } else {
            memcpy(e->rx + e->rx_len, in, len);
            e->rx_len += len;
        }
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            echo_job_received(&e->job, !lws_frame_is_binary(wsi), e->rx,
                              e->rx_too_long ? sizeof(e->rx) + 1 : e->rx_len);
            e->rx_len = 0;
            e->rx_too_long = false;
            lws_callback_on_writable(wsi);
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        echo_job_fail(&e->job, "libwebsockets: connection error: %s",
                      in != NULL ? (const char *)in : "(no reason given)");
        e->job.closed = true;
        e->job.t_closed = now_us();
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        e->job.closed = true;
        e->job.t_closed = now_us();
        break;
    default: break;
    }
    return 0;
}

static const struct lws_protocols lws_echo_protocols[] = {
    {"edgertc-bench", lws_echo_callback, 0, 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void run_libwebsockets(const bench_env_t *env, bool system_cas, unsigned seq,
                              job_result_t *r)
{
    lws_echo_t *e = &lws_echo;
    memset(e, 0, sizeof(*e));
    echo_job_init(&e->job, seq);
    heap_mark_t mark;
    heap_mark(&mark);
    e->job.t_start = now_us();

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = lws_echo_protocols;
    /* Trust only the test CA, as the edgertc client does. By default lws loads the system
     * bundle too, which multiplies its heap for reasons that are not the client's; that
     * default is measured once, for the notes (system_cas). */
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (!system_cas) {
        info.options |= LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    }
    info.client_ssl_ca_filepath = env->ca_path;
    /* As lws' own minimal clients do; the default sizes the fd table by ulimit -n. */
    info.fd_limit_per_thread = 1 + 1 + 1;
    info.user = e;
    struct lws_context *ctx = lws_create_context(&info);
    if (ctx == NULL) {
        echo_job_fail(&e->job, "libwebsockets: lws_create_context failed");
    } else {
        struct lws_client_connect_info ci;
        memset(&ci, 0, sizeof(ci));
        ci.context = ctx;
        ci.address = LOOPBACK;
        ci.port = env->port;
        ci.path = "/echo";
        ci.host = LOOPBACK;
        ci.ssl_connection = LCCSCF_USE_SSL;
        if (lws_client_connect_via_info(&ci) == NULL) {
            echo_job_fail(&e->job, "libwebsockets: lws_client_connect_via_info failed");
            e->job.closed = true;
        }
        uint64_t deadline = now_us() + (uint64_t)JOB_TIMEOUT_S * 1000000u;
        while (!e->job.closed && now_us() < deadline) {
            lws_service(ctx, 0);
        }
        if (!e->job.closed) {
            echo_job_fail(&e->job, "libwebsockets: not done within %d s", JOB_TIMEOUT_S);
        }
    }
    lws_context_destroy(ctx);
    echo_job_result(&e->job, &mark, r);
}

/* ---- the echo server and its certificates --------------------------------------------------- */

static pid_t server_pid = -1; /* also read by the watchdog */
static int server_out = -1;

/* Runs argv (argv[0] a path) with stdout to out_fd (-1: inherited); returns the child. */
static pid_t spawn(char *const argv[], int out_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (out_fd >= 0) {
            dup2(out_fd, STDOUT_FILENO);
            close(out_fd);
        }
        execv(argv[0], argv);
        fprintf(stderr, "bench_net_footprint: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static bool make_certs(const char *dir)
{
    char script[512];
    snprintf(script, sizeof(script), "%s/tests/integration/make_certs.py", ERTC_BENCH_REPO_DIR);
    char *argv[] = {PYTHON, script, (char *)dir, NULL};
    pid_t pid = spawn(argv, -1);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_net_footprint: %s %s failed (python3-cryptography missing?)\n",
                PYTHON, script);
        return false;
    }
    return true;
}

/* Starts ws_server.py with TLS and waits for its "PORT <n>" line. */
static bool start_server(const char *dir, uint16_t *port)
{
    char script[512], cert[512], key[512];
    snprintf(script, sizeof(script), "%s/tests/integration/ws_server.py", ERTC_BENCH_REPO_DIR);
    snprintf(cert, sizeof(cert), "%s/server.pem", dir);
    snprintf(key, sizeof(key), "%s/server.key", dir);
    char *argv[] = {PYTHON, script, "--tls", cert, key, NULL};
    int fds[2];
    if (pipe(fds) != 0) {
        return false;
    }
    server_pid = spawn(argv, fds[1]);
    close(fds[1]);
    server_out = fds[0];
    if (server_pid < 0) {
        return false;
    }
    char line[128];
    size_t used = 0;
    uint64_t deadline = now_us() + SERVER_START_TIMEOUT_MS * 1000u;
    while (now_us() < deadline && used < sizeof(line) - 1) {
        struct pollfd p = {.fd = server_out, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = read(server_out, line + used, sizeof(line) - 1 - used);
        if (n <= 0) {
            break; /* the server died; its stderr says why */
        }
        used += (size_t)n;
        line[used] = '\0';
        unsigned value = 0;
        if (strchr(line, '\n') != NULL && sscanf(line, "PORT %u", &value) == 1 && value > 0 &&
            value < 65536) {
            *port = (uint16_t)value;
            return true;
        }
    }
    fprintf(stderr,
            "bench_net_footprint: %s did not report its port (python3-websockets "
            "missing?)\n",
            script);
    return false;
}

static void stop_server(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
    if (server_out >= 0) {
        close(server_out);
        server_out = -1;
    }
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *ent;
        while ((ent = readdir(d)) != NULL) {
            if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0) {
                char path[1024];
                snprintf(path, sizeof(path), "%s/%s", dir, ent->d_name);
                unlink(path);
            }
        }
        closedir(d);
    }
    rmdir(dir);
}

/* A job that hangs (a client waiting for something that never comes) must not hang make bench. */
static void on_watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "bench_net_footprint: a job hung; giving up\n";
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing more to do */
    }
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
    }
    _exit(2);
}

/* ---- code size, read with size(1) ----------------------------------------------------------- */

/* Section sizes of one file, grouped. What size(1) calls text is code + rodata + unwind + ro. */
typedef struct {
    unsigned long code;   /* .text*, .init, .fini, .plt* */
    unsigned long rodata; /* .rodata* */
    unsigned long unwind; /* .eh_frame*, .gcc_except_table */
    unsigned long ro;     /* dynamic-linking tables (.dynsym, .rela*, ...) and notes */
    unsigned long data;   /* .data*, .got*, .dynamic, init/fini arrays, .tdata */
    unsigned long bss;    /* .bss*, .tbss */
} section_sizes_t;

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

static unsigned long sizes_text(const section_sizes_t *s)
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
static bool measure_files(const char *const *paths, size_t n, section_sizes_t *out)
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

enum { MODULE_NET, MODULE_UTIL, MODULE_PORT, MODULE_COUNT };
static const char *const module_dirs[MODULE_COUNT] = {"/src/net/", "/src/util/", "/src/port/"};

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

/* The libedgertc.a members the linker pulled into this program, from its map file. */
static bool read_linked_members(member_set_t *set)
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
static bool measure_device_map(double *text_kib, double *rodata_kib)
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
static bool measure_objects(const char *list_file, const member_set_t *linked, ertc_sizes_t *out)
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

/* ---- the report ------------------------------------------------------------------------------ */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of one figure over the runs; offset is the figure's place in job_result_t. */
static double median_of(const job_result_t *runs, size_t offset)
{
    double v[RUNS];
    for (int i = 0; i < RUNS; i++) {
        memcpy(&v[i], (const char *)&runs[i] + offset, sizeof(double));
    }
    qsort(v, RUNS, sizeof(v[0]), compare_doubles);
    return v[RUNS / 2];
}

static double kib(unsigned long bytes)
{
    return (double)bytes / 1024.0;
}

static void print_row(const char *figure, const char *ours, const char *theirs, double ratio,
                      const char *goal)
{
    char r[16] = "";
    if (ratio >= 0) {
        snprintf(r, sizeof(r), "%.2f", ratio);
    }
    printf("| %-44s | %10s | %13s | %6s | %-16s |\n", figure, ours, theirs, r, goal);
}

static void print_figure(const char *figure, double ours, double theirs, int decimals,
                         const char *goal)
{
    char a[32], b[32];
    snprintf(a, sizeof(a), "%.*f", decimals, ours);
    if (theirs < 0) {
        snprintf(b, sizeof(b), "-"); /* no baseline figure for this row */
    } else {
        snprintf(b, sizeof(b), "%.*f", decimals, theirs);
    }
    print_row(figure, a, b, theirs > 0 ? ours / theirs : -1, goal);
}

static void print_run(const char *who, int run, const job_result_t *r)
{
    printf("  run %d %-13s heap peak %7.1f KiB, open %6.1f KiB, left %6.1f KiB, %6.0f allocs "
           "(%4.0f in echoes), connect %6.1f ms, %6.0f msg/s, total %6.1f ms\n",
           run + 1, who, r->heap_peak_kib, r->heap_open_kib, r->heap_left_kib, r->allocations,
           r->echo_allocations, r->connect_ms, r->echo_rate, r->total_ms);
}

#define MEDIAN(runs, field) median_of(runs, offsetof(job_result_t, field))

static void print_report(const job_result_t *ours, const job_result_t *theirs,
                         const job_result_t *lws_default, const char *lws_tls,
                         const ertc_sizes_t *sz, const ertc_sizes_t *sz_os, bool have_os,
                         const section_sizes_t *lws_size, const char *lws_path)
{
    double heap_ratio = MEDIAN(ours, heap_peak_kib) / MEDIAN(theirs, heap_peak_kib);
    double text_kib = kib(sizes_text(&sz->all));
    double device_text = 0, device_rodata = 0;
    bool have_device = measure_device_map(&device_text, &device_rodata);
    double rate_ratio = MEDIAN(ours, echo_rate) / MEDIAN(theirs, echo_rate);

    printf("\n| %-44s | %10s | %13s | %6s | %-16s |\n", "figure", "edgertc", "libwebsockets",
           "ratio", "goal");
    printf("|%.46s|%.12s|%.15s|%.8s|%.18s|\n", "----------------------------------------------",
           "------------", "---------------", "--------", "------------------");
    print_figure("heap peak (KiB, whole process)", MEDIAN(ours, heap_peak_kib),
                 MEDIAN(theirs, heap_peak_kib), 1, "ratio <= 0.25");
    print_figure("heap in use at the last echo (KiB)", MEDIAN(ours, heap_open_kib),
                 MEDIAN(theirs, heap_open_kib), 1, "");
    print_figure("heap left after tear-down (KiB)", MEDIAN(ours, heap_left_kib),
                 MEDIAN(theirs, heap_left_kib), 1, "");
    print_figure("allocations (whole job)", MEDIAN(ours, allocations), MEDIAN(theirs, allocations),
                 0, "");
    print_figure("allocations during the 1000 echoes", MEDIAN(ours, echo_allocations),
                 MEDIAN(theirs, echo_allocations), 0, "");
    print_figure("text, size(1) (KiB, TLS library excluded)", text_kib, kib(sizes_text(lws_size)),
                 1, "");
    print_figure("  of it code + rodata (KiB)", kib(sz->all.code + sz->all.rodata),
                 kib(lws_size->code + lws_size->rodata), 1, "");
    if (have_device) {
        print_figure("text, device build of a wss client (KiB)", device_text, -1, 1,
                     "<= 32 KiB (ours)");
    }
    print_figure("data + bss (KiB, static RAM)", kib(sz->all.data + sz->all.bss),
                 kib(lws_size->data + lws_size->bss), 1, "");
    print_figure("connect (ms, from creating the context)", MEDIAN(ours, connect_ms),
                 MEDIAN(theirs, connect_ms), 1, "");
    print_figure("echo rate (msg/s, 1 KiB round trips)", MEDIAN(ours, echo_rate),
                 MEDIAN(theirs, echo_rate), 0, "ratio >= 1.00");
    print_figure("total (ms, until the close completed)", MEDIAN(ours, total_ms),
                 MEDIAN(theirs, total_ms), 1, "");

    printf("\nGoals:\n");
    printf("  heap peak <= 1/4 of libwebsockets': %s (%.2f)\n",
           heap_ratio <= GOAL_HEAP_RATIO ? "met" : "MISSED", heap_ratio);
    if (have_device) {
        printf("  own text <= 32 KiB:                  %s (%.1f KiB text + %.1f KiB rodata that a "
               "device-style build of a wss:// client keeps: -Os, --gc-sections, no unwind "
               "tables; all objects at this build's flags: %.1f KiB)\n",
               device_text <= GOAL_TEXT_KIB ? "met" : "MISSED", device_text, device_rodata,
               text_kib);
    } else {
        printf("  own text <= 32 KiB:                  %s (%.1f KiB, src/net + src/util + "
               "src/port; the device-style map was not found)\n",
               text_kib <= GOAL_TEXT_KIB ? "met" : "MISSED", text_kib);
    }
    printf("  echo rate >= libwebsockets':         %s (%.2f)\n",
           rate_ratio >= GOAL_RATE_RATIO ? "met" : "MISSED", rate_ratio);

    printf("\nHow it was measured:\n");
    printf("  figures: median of %d runs per client, the clients alternating in one process\n",
           RUNS);
    printf("  heap: usable bytes of every malloc'd block of the process (TLS libraries "
           "included), above the level before the job; the job includes creating and "
           "freeing the loop/context and loading the CA\n");
    printf("  edgertc text: all %zu objects of src/net, src/util, src/port in libedgertc "
           "(%s, ERTC_LOG_COMPILE_LEVEL=%d); mbedTLS excluded\n",
           sz->objects, ERTC_BENCH_LIBRARY_FLAGS, ERTC_BENCH_LOG_COMPILE_LEVEL);
    printf("    by module: net %.1f, util %.1f, port %.1f KiB; .eh_frame %.1f KiB of the total\n",
           kib(sizes_text(&sz->module[MODULE_NET])), kib(sizes_text(&sz->module[MODULE_UTIL])),
           kib(sizes_text(&sz->module[MODULE_PORT])), kib(sz->all.unwind));
    if (sz->linked_objects > 0) {
        printf("    linked into this program (what its WebSocket client needs): %.1f KiB in %zu "
               "objects: %s\n",
               kib(sizes_text(&sz->linked)), sz->linked_objects, sz->linked_names);
    }
    if (have_os) {
        printf("    the same objects built with -Os: %.1f KiB (net %.1f, util %.1f, port %.1f); "
               "linked subset %.1f KiB\n",
               kib(sizes_text(&sz_os->all)), kib(sizes_text(&sz_os->module[MODULE_NET])),
               kib(sizes_text(&sz_os->module[MODULE_UTIL])),
               kib(sizes_text(&sz_os->module[MODULE_PORT])), kib(sizes_text(&sz_os->linked)));
    }
    printf("  libwebsockets text: %s (%s, whole library; OpenSSL and libcap excluded; "
           "includes %.1f KiB of dynamic-linking tables)\n",
           lws_path, lws_get_library_version(), kib(lws_size->ro));
    printf("  TLS: edgertc mbedTLS %s, TLS 1.2; libwebsockets %s, %s\n", MBEDTLS_VERSION_STRING,
           OpenSSL_version(OPENSSL_VERSION), lws_tls[0] ? lws_tls : "(unknown)");
    printf("  libwebsockets context: only the test CA (LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS) and "
           "fd_limit_per_thread 3, as in lws' minimal clients\n");
    printf("    with lws' default CA set (the system bundle too; one run after the others): heap "
           "peak %.1f KiB, %.1f KiB in use at the last echo; edgertc's heap ratio against that "
           "would be %.2f\n",
           lws_default->heap_peak_kib, lws_default->heap_open_kib,
           MEDIAN(ours, heap_peak_kib) / lws_default->heap_peak_kib);
    printf("  run 1 of libwebsockets carries OpenSSL's one-time initialisation (kept after the "
           "job, see 'left')\n");
    printf("Runs:\n");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_watchdog);
    ertc_log_set_level(ERTC_LOG_WARN);
    lws_set_log_level(LLL_ERR, NULL);
    /* stdout's buffer is allocated by the first printf: before any job, not inside one. */
    printf("bench_net_footprint: connect + %d echoes of %d bytes over wss:// on %s, edgertc "
           "against libwebsockets\n",
           ECHO_COUNT, ECHO_SIZE, LOOPBACK);
    fflush(stdout);

    char dir[] = "/tmp/ertc-bench-net-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("bench_net_footprint: mkdtemp");
        return 1;
    }
    bench_env_t env = {0};
    int status = 0;
    job_result_t ours[RUNS], theirs[RUNS];
    char lws_tls[sizeof(lws_echo.tls)] = "";
    if (!make_certs(dir) || !start_server(dir, &env.port)) {
        status = 1;
    } else {
        snprintf(env.ca_path, sizeof(env.ca_path), "%s/ca.pem", dir);
        snprintf(env.url, sizeof(env.url), "wss://%s:%u/echo", LOOPBACK, (unsigned)env.port);
        for (int run = 0; run < RUNS && status == 0; run++) {
            /* alternate who goes first, so neither always meets a cold or warm server */
            for (int k = 0; k < 2 && status == 0; k++) {
                bool edgertc_turn = (run + k) % 2 == 0;
                unsigned seq = (unsigned)(run * 2 + k) * ECHO_COUNT;
                job_result_t *r = edgertc_turn ? &ours[run] : &theirs[run];
                alarm(JOB_TIMEOUT_S + 5);
                if (edgertc_turn) {
                    run_edgertc(&env, seq, r);
                } else {
                    run_libwebsockets(&env, false, seq, r);
                    snprintf(lws_tls, sizeof(lws_tls), "%s", lws_echo.tls);
                }
                alarm(0);
                if (!r->ok) {
                    fprintf(stderr, "bench_net_footprint: %s did not complete the job: %s\n",
                            edgertc_turn ? "edgertc" : "libwebsockets", r->error);
                    status = 1;
                }
            }
        }
    }
    job_result_t lws_default = {0};
    if (status == 0) {
        alarm(JOB_TIMEOUT_S + 5);
        run_libwebsockets(&env, true, RUNS * 2 * ECHO_COUNT, &lws_default);
        alarm(0);
        if (!lws_default.ok) {
            fprintf(stderr,
                    "bench_net_footprint: libwebsockets (system CAs) did not complete the "
                    "job: %s\n",
                    lws_default.error);
            status = 1;
        }
    }
    stop_server();
    remove_dir(dir);
    if (status != 0) {
        return status;
    }

    member_set_t *linked = calloc(1, sizeof(*linked));
    ertc_sizes_t sz, sz_os;
    section_sizes_t lws_size;
    /* the real file behind the libwebsockets.so link, in the libdir pkg-config names */
    char lws_path[4096] = ERTC_BENCH_LWS_LIBDIR "/libwebsockets.so";
    char real[sizeof(lws_path)];
    if (realpath(lws_path, real) != NULL) {
        memcpy(lws_path, real, sizeof(lws_path));
    }
    const char *lws_paths[] = {lws_path};
    if (linked == NULL ||
        !measure_objects(ERTC_BENCH_OBJECTS, read_linked_members(linked) ? linked : NULL, &sz) ||
        !measure_files(lws_paths, 1, &lws_size)) {
        fprintf(stderr, "bench_net_footprint: cannot measure code size\n");
        free(linked);
        return 1;
    }
    bool have_os = measure_objects(ERTC_BENCH_OBJECTS_OS, linked, &sz_os);
    free(linked);

    print_report(ours, theirs, &lws_default, lws_tls, &sz, &sz_os, have_os, &lws_size, lws_path);
    for (int run = 0; run < RUNS; run++) {
        print_run("edgertc", run, &ours[run]);
        print_run("libwebsockets", run, &theirs[run]);
    }
    return 0;
}
