/*
 * bench/signald_load — how many Collider WebSocket clients edgertc-signald holds, how fast it
 * relays between them on loopback and what each connection costs it in memory, next to a
 * Collider-style relay written on Debian's python3-websockets (bench/signald_baseline.py).
 *
 * One run, each server in turn (edgertc-signald, then the baseline), started as a child
 * process listening on 127.0.0.1. The load comes from this process, with edgertc's own
 * WebSocket client (net/ws_client) on one event loop:
 *
 *   connect   N clients (default 800; argv[1] changes it) in N/2 rooms, at most
 *             CONNECT_WINDOW handshakes at a time (below both servers' listen backlog, so that
 *             no SYN is dropped and retried a second later). On open, each client registers
 *             (spec §2.2) and sends "hello" to its partner; the phase ends when every client
 *             has heard its partner's hello, which proves that both are registered.
 *   relay     RELAY_SECONDS of symmetric, continuous load: every client keeps RELAY_WINDOW
 *             messages of its own (MESSAGE_SIZE bytes of text) in flight. The partner sends
 *             each one straight back, and when one returns its owner sends a new one. Every
 *             message delivered to a client in the phase is counted, both ways.
 *   drain     no new messages; every message in flight must come back (a relay that loses
 *             one fails the job).
 *   close     every client closes (code 1000); then one new client must still connect and
 *             register, and the server process must still be running.
 *
 * Memory is the server's VmRSS (/proc/<pid>/status) idle, with all clients held, after the
 * relay and after the close; CPU is utime+stime (/proc/<pid>/stat) over the relay phase, and
 * this process's own CPU over the same phase shows when the load generator is the limit.
 * Figures are reported, never judged: the exit status is non-zero only when a server cannot
 * be started or the job cannot be completed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/ws_client.h"
#include "net/ws_frame.h"
#include "port/loop.h"
#include "util/log.h"

#ifndef ERTC_BENCH_SIGNALD
#error "ERTC_BENCH_SIGNALD (the edgertc-signald binary) must be defined by the build"
#endif
#ifndef ERTC_BENCH_REPO_DIR
#error "ERTC_BENCH_REPO_DIR must be defined by the build"
#endif

#define PROGRAM                 "bench_signald_load"
#define PYTHON                  "/usr/bin/python3"
#define DEFAULT_CLIENTS         800
#define CONNECT_WINDOW          64  /* handshakes in progress at once */
#define RELAY_WINDOW            8   /* own messages each client keeps in flight */
#define MESSAGE_SIZE            200 /* bytes of the relayed "msg" string */
#define RELAY_SECONDS           3
#define SERVER_START_TIMEOUT_MS 20000
#define CONNECT_TIMEOUT_MS      60000 /* all N clients; a few hundred ms is normal */
#define DRAIN_TIMEOUT_MS        10000
#define CLOSE_TIMEOUT_MS        10000
#define STOP_TIMEOUT_MS         5000
#define SPARE_DESCRIPTORS       64 /* loop, pipes, the probe client */
#define CLIENT_MAX_MESSAGE      (16 * 1024)
#define CLIENT_SEND_QUEUE       (64 * 1024)
#define ERROR_LEN               320

/* ---- small helpers ------------------------------------------------------------------------- */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* VmRSS of a process in KiB, or -1. */
static long read_rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    long kib = -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
            break;
        }
    }
    fclose(f);
    return kib;
}

/* utime + stime of a process in milliseconds, or -1. */
static double read_cpu_ms(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces and parentheses: fields are counted after the last ')'.
     * Field 3 (state) is the first after it; utime and stime are fields 14 and 15. */
    const char *p = strrchr(text, ')');
    if (p == NULL) {
        return -1;
    }
    unsigned long long utime = 0, stime = 0;
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) !=
        2) {
        return -1;
    }
    return (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

/* The clients and the servers' sockets need a descriptor each; the servers inherit it. */
static bool raise_descriptor_limit(unsigned needed)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return false;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return false;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
        fprintf(stderr, PROGRAM ": %u descriptors needed, the hard limit allows %llu\n", needed,
                (unsigned long long)rl.rlim_cur);
        return false;
    }
    return true;
}

/* ---- the servers --------------------------------------------------------------------------- */

typedef enum { SERVER_SIGNALD, SERVER_PYTHON, SERVER_COUNT } server_kind_t;

static const char *const server_names[SERVER_COUNT] = {"edgertc-signald",
                                                       "python websockets relay"};

typedef struct {
    server_kind_t kind;
    pid_t pid;
    int out_fd; /* its stdout, where it announces the port */
    uint16_t port;
    char about[128]; /* the baseline's "BASELINE ..." line */
} server_t;

/* One line of the server's stdout: the port announcement, or the baseline's versions. */
static bool parse_server_line(server_t *s, const char *line)
{
    unsigned value = 0;
    if (strncmp(line, "BASELINE ", 9) == 0) {
        snprintf(s->about, sizeof(s->about), "%.120s", line + 9);
        return false;
    }
    if (s->kind == SERVER_PYTHON) {
        if (sscanf(line, "PORT %u", &value) != 1) {
            return false;
        }
    } else {
        const char *http = strstr(line, "listening on http://");
        const char *colon = http != NULL ? strrchr(http, ':') : NULL;
        if (colon == NULL || sscanf(colon + 1, "%u", &value) != 1) {
            return false;
        }
    }
    if (value == 0 || value > 65535) {
        return false;
    }
    s->port = (uint16_t)value;
    return true;
}

static bool start_server(server_t *s)
{
    char script[512];
    snprintf(script, sizeof(script), "%s/bench/signald_baseline.py", ERTC_BENCH_REPO_DIR);
    char *signald_argv[] = {ERTC_BENCH_SIGNALD, "--listen", "127.0.0.1:0",
                            "--log-level",      "warn",     NULL};
    char *python_argv[] = {PYTHON, script, NULL};
    char **argv = s->kind == SERVER_SIGNALD ? signald_argv : python_argv;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, PROGRAM ": pipe: %s\n", strerror(errno));
        return false;
    }
    s->pid = fork();
    if (s->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, PROGRAM ": cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    s->out_fd = fds[0];
    if (s->pid < 0) {
        fprintf(stderr, PROGRAM ": fork: %s\n", strerror(errno));
        return false;
    }
    char buf[1024];
    size_t used = 0;
    uint64_t deadline = now_us() + SERVER_START_TIMEOUT_MS * 1000ull;
    while (now_us() < deadline && used < sizeof(buf) - 1) {
        struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = read(s->out_fd, buf + used, sizeof(buf) - 1 - used);
        if (n <= 0) {
            break; /* the server died; its stderr says why */
        }
        used += (size_t)n;
        buf[used] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            if (parse_server_line(s, buf)) {
                return true;
            }
            used -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, used + 1);
        }
    }
    fprintf(stderr, PROGRAM ": %s (%s) did not announce its port\n", server_names[s->kind],
            argv[s->kind == SERVER_SIGNALD ? 0 : 1]);
    return false;
}

static bool server_running(const server_t *s)
{
    return s->pid > 0 && waitpid(s->pid, NULL, WNOHANG) == 0;
}

/* SIGTERM, then SIGKILL if it does not exit in time. */
static void stop_server(server_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        uint64_t deadline = now_us() + STOP_TIMEOUT_MS * 1000ull;
        int status = 0;
        pid_t r;
        while ((r = waitpid(s->pid, &status, WNOHANG)) == 0 && now_us() < deadline) {
            usleep(10000);
        }
        if (r == 0) {
            fprintf(stderr, PROGRAM ": %s did not stop on SIGTERM; killed\n",
                    server_names[s->kind]);
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
        }
        s->pid = -1;
    }
    if (s->out_fd >= 0) {
        close(s->out_fd);
        s->out_fd = -1;
    }
}

/* ---- the load: clients --------------------------------------------------------------------- */

typedef struct bench bench_t;

typedef struct {
    bench_t *b;
    ertc_ws_client_t *ws;
    unsigned index; /* room index / 2; the partner is index ^ 1 */
    bool handshaking;
    bool open;
    bool closing; /* we asked for the close */
    bool heard_partner;
    unsigned in_flight; /* own messages not back yet */
    unsigned seq;
} client_t;

struct bench {
    ertc_loop_t *loop;
    client_t *clients; /* n load clients, then the probe */
    unsigned n;
    char url[64];
    char origin[64];
    unsigned next_connect;
    unsigned handshaking;
    unsigned ready;  /* clients that heard their partner */
    unsigned closed; /* connections that ended */
    bool sending;    /* owners send a new message when one returns */
    bool counting;   /* deliveries are counted */
    uint64_t outstanding;
    uint64_t delivered;
    bool failed;
    char error[ERROR_LEN];
};

static void bench_fail(bench_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bench_fail(bench_t *b, const char *fmt, ...)
{
    if (b->failed) {
        return; /* the first failure is the one worth reading */
    }
    b->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->error, sizeof(b->error), fmt, ap);
    va_end(ap);
}

static void client_send(client_t *c, const char *text, size_t len)
{
    WEBRTC_STATUS st = ertc_ws_send(c->ws, true, text, len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        bench_fail(c->b, "client %u: send: %s", c->index, webrtc_status_name(st));
    }
}

/* {"cmd":"send","msg":"<msg>"}; the messages we make need no JSON escaping. */
static void client_send_msg(client_t *c, const char *msg, size_t len)
{
    char cmd[MESSAGE_SIZE + 64];
    static const char head[] = "{\"cmd\":\"send\",\"msg\":\"";
    static const char tail[] = "\"}";
    if (len > sizeof(cmd) - sizeof(head) - sizeof(tail)) {
        bench_fail(c->b, "client %u: a %zu-byte message does not fit", c->index, len);
        return;
    }
    memcpy(cmd, head, sizeof(head) - 1);
    memcpy(cmd + sizeof(head) - 1, msg, len);
    memcpy(cmd + sizeof(head) - 1 + len, tail, sizeof(tail) - 1);
    client_send(c, cmd, sizeof(head) - 1 + len + sizeof(tail) - 1);
}

/* A new message of this client's own: "m<owner>-<seq>-" padded with 'x' to MESSAGE_SIZE. */
static void client_send_own(client_t *c)
{
    char msg[MESSAGE_SIZE];
    int head = snprintf(msg, sizeof(msg), "m%u-%u-", c->index, c->seq++);
    memset(msg + head, 'x', sizeof(msg) - (size_t)head);
    c->in_flight++;
    c->b->outstanding++;
    client_send_msg(c, msg, sizeof(msg));
}

static void on_open(ertc_ws_client_t *ws, void *arg)
{
    (void)ws;
    client_t *c = arg;
    bench_t *b = c->b;
    c->handshaking = false;
    c->open = true;
    b->handshaking--;
    char text[160];
    int len = snprintf(text, sizeof(text),
                       "{\"cmd\":\"register\",\"roomid\":\"r%u\",\"clientid\":\"c%u\"}",
                       c->index / 2, c->index);
    client_send(c, text, (size_t)len);
    if (c->index < b->n) {
        len = snprintf(text, sizeof(text), "hello-%u", c->index);
        client_send_msg(c, text, (size_t)len);
    }
}

/* A relayed frame is {"msg":"<msg>","error":""} and a newline (spec §2.2). */
static bool parse_frame(client_t *c, const uint8_t *data, size_t len, const char **msg,
                        size_t *msg_len)
{
    static const char head[] = "{\"msg\":\"";
    static const char tail[] = "\",\"error\":\"\"}\n";
    const char *text = (const char *)data;
    const size_t head_len = sizeof(head) - 1;
    const char *end = len > head_len ? memchr(text + head_len, '"', len - head_len) : NULL;
    if (end == NULL || memcmp(text, head, head_len) != 0 ||
        (size_t)(text + len - end) != sizeof(tail) - 1 ||
        memcmp(end, tail, sizeof(tail) - 1) != 0) {
        bench_fail(c->b, "client %u: unexpected frame from the server: %.*s", c->index,
                   (int)(len < 160 ? len : 160), text);
        return false;
    }
    *msg = text + head_len;
    *msg_len = (size_t)(end - *msg);
    return true;
}

static void on_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg)
{
    (void)ws;
    client_t *c = arg;
    bench_t *b = c->b;
    const char *msg;
    size_t msg_len;
    if (!is_text || !parse_frame(c, data, len, &msg, &msg_len)) {
        return;
    }
    char name[24];
    snprintf(name, sizeof(name), "%.*s", (int)(msg_len < 23 ? msg_len : 23), msg);
    unsigned from = 0;
    if (sscanf(name, "hello-%u", &from) == 1 && from == (c->index ^ 1u)) {
        if (!c->heard_partner) {
            c->heard_partner = true;
            b->ready++;
        }
        return;
    }
    if (sscanf(name, "m%u-", &from) != 1 || (from != c->index && from != (c->index ^ 1u))) {
        bench_fail(b, "client %u: a message that is not from its room: %s", c->index, name);
        return;
    }
    if (b->counting) {
        b->delivered++;
    }
    if (from != c->index) {
        client_send_msg(c, msg, msg_len); /* the partner's: straight back */
        return;
    }
    if (c->in_flight == 0) {
        bench_fail(b, "client %u: one of its messages came back twice: %s", c->index, name);
        return;
    }
    c->in_flight--;
    b->outstanding--;
    if (b->sending) {
        client_send_own(c);
    }
}

static void on_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason,
                     void *arg)
{
    (void)ws;
    client_t *c = arg;
    bench_t *b = c->b;
    if (c->handshaking) {
        c->handshaking = false;
        b->handshaking--;
    }
    c->open = false;
    b->closed++;
    if (!c->closing) {
        bench_fail(b, "client %u: the connection ended: %s (%s, code %u)", c->index,
                   reason != NULL && reason[0] != '\0' ? reason : "no reason",
                   webrtc_status_name(status), (unsigned)code);
    }
}

static const ertc_ws_callbacks_t client_callbacks = {
    .on_open = on_open,
    .on_message = on_message,
    .on_close = on_close,
};

static void client_connect(bench_t *b, client_t *c)
{
    ertc_ws_options_t opts = {
        .url = b->url,
        .origin = b->origin,
        .max_message_size = CLIENT_MAX_MESSAGE,
        .send_queue_bytes = CLIENT_SEND_QUEUE,
    };
    c->handshaking = true;
    b->handshaking++;
    WEBRTC_STATUS st = ertc_ws_connect(b->loop, &opts, &client_callbacks, c, &c->ws);
    if (st != WEBRTC_STATUS_SUCCESS) {
        c->handshaking = false;
        b->handshaking--;
        c->ws = NULL;
        bench_fail(b, "client %u: connect: %s", c->index, webrtc_status_name(st));
    }
}

static void client_close(client_t *c)
{
    if (c->ws != NULL && c->open && !c->closing) {
        c->closing = true;
        if (ertc_ws_close(c->ws, ERTC_WS_CLOSE_NORMAL, NULL) != WEBRTC_STATUS_SUCCESS) {
            bench_fail(c->b, "client %u: close refused", c->index);
        }
    }
}

typedef bool (*bench_done_fn)(const bench_t *b);

/* Runs the loop until done(b), a failure, or timeout_ms. between() tops up work between
 * iterations. Returns true when done. */
static bool bench_run_until(bench_t *b, bench_done_fn done, void (*between)(bench_t *b),
                            uint32_t timeout_ms, const char *what)
{
    uint64_t deadline = now_us() + timeout_ms * 1000ull;
    while (!b->failed && !done(b)) {
        if (now_us() >= deadline) {
            bench_fail(b, "%s: not done after %u ms", what, (unsigned)timeout_ms);
            break;
        }
        if (between != NULL) {
            between(b);
        }
        ertc_loop_run_once(b->loop, 20);
    }
    return !b->failed;
}

static void top_up_connects(bench_t *b)
{
    while (!b->failed && b->handshaking < CONNECT_WINDOW && b->next_connect < b->n) {
        client_connect(b, &b->clients[b->next_connect++]);
    }
}

static bool all_ready(const bench_t *b)
{
    return b->ready == b->n;
}

static bool all_back(const bench_t *b)
{
    return b->outstanding == 0;
}

static bool all_closed(const bench_t *b)
{
    for (unsigned i = 0; i <= b->n; i++) {
        if (b->clients[i].ws != NULL && b->clients[i].open) {
            return false;
        }
    }
    return true;
}

static bool probe_open(const bench_t *b)
{
    return b->clients[b->n].open;
}

/* ---- one server ---------------------------------------------------------------------------- */

typedef struct {
    bool ok;
    unsigned clients_held;
    double connect_ms;
    long rss_idle_kib;
    long rss_held_kib;
    long rss_relay_kib;
    long rss_closed_kib;
    double relay_s;
    uint64_t delivered;
    double server_cpu_ms;
    double client_cpu_ms;
    char about[128];
} result_t;

static bool run_load(bench_t *b, const server_t *s, result_t *r)
{
    r->rss_idle_kib = read_rss_kib(s->pid);

    uint64_t t0 = now_us();
    if (!bench_run_until(b, all_ready, top_up_connects, CONNECT_TIMEOUT_MS,
                         "connect and register")) {
        return false;
    }
    r->connect_ms = (double)(now_us() - t0) / 1000.0;
    r->clients_held = b->ready;
    r->rss_held_kib = read_rss_kib(s->pid);

    double server_cpu0 = read_cpu_ms(s->pid);
    double client_cpu0 = self_cpu_ms();
    b->sending = true;
    b->counting = true;
    uint64_t t1 = now_us();
    for (unsigned i = 0; i < b->n && !b->failed; i++) {
        for (unsigned k = 0; k < RELAY_WINDOW; k++) {
            client_send_own(&b->clients[i]);
        }
    }
    uint64_t end = t1 + RELAY_SECONDS * 1000000ull;
    while (!b->failed && now_us() < end) {
        ertc_loop_run_once(b->loop, 20);
    }
    b->counting = false;
    b->sending = false;
    uint64_t t2 = now_us();
    r->server_cpu_ms = read_cpu_ms(s->pid) - server_cpu0;
    r->client_cpu_ms = self_cpu_ms() - client_cpu0;
    r->relay_s = (double)(t2 - t1) / 1e6;
    r->delivered = b->delivered;
    if (b->failed) {
        return false;
    }
    if (!bench_run_until(b, all_back, NULL, DRAIN_TIMEOUT_MS, "drain")) {
        if (strncmp(b->error, "drain:", 6) == 0) { /* the timeout, not another failure */
            snprintf(b->error, sizeof(b->error),
                     "%llu relayed messages never came back (waited %d ms)",
                     (unsigned long long)b->outstanding, DRAIN_TIMEOUT_MS);
        }
        return false;
    }
    r->rss_relay_kib = read_rss_kib(s->pid);

    for (unsigned i = 0; i < b->n; i++) {
        client_close(&b->clients[i]);
    }
    if (!bench_run_until(b, all_closed, NULL, CLOSE_TIMEOUT_MS, "close")) {
        return false;
    }
    /* The server took every close; one more client must still get in and register. */
    client_connect(b, &b->clients[b->n]);
    if (!bench_run_until(b, probe_open, NULL, CLOSE_TIMEOUT_MS, "a new client after the close")) {
        return false;
    }
    client_close(&b->clients[b->n]);
    if (!bench_run_until(b, all_closed, NULL, CLOSE_TIMEOUT_MS, "closing the new client")) {
        return false;
    }
    if (!server_running(s)) {
        bench_fail(b, "the server exited after the load");
        return false;
    }
    r->rss_closed_kib = read_rss_kib(s->pid);
    return true;
}

static bool run_server(server_kind_t kind, unsigned n, result_t *r)
{
    memset(r, 0, sizeof(*r));
    server_t s = {.kind = kind, .pid = -1, .out_fd = -1};
    if (!start_server(&s)) {
        stop_server(&s);
        return false;
    }
    snprintf(r->about, sizeof(r->about), "%.120s", s.about);
    bench_t b;
    memset(&b, 0, sizeof(b));
    b.n = n;
    snprintf(b.url, sizeof(b.url), "ws://127.0.0.1:%u/ws", (unsigned)s.port);
    snprintf(b.origin, sizeof(b.origin), "http://127.0.0.1:%u", (unsigned)s.port);
    b.clients = calloc(n + 1, sizeof(*b.clients));
    if (b.clients == NULL || ertc_loop_create(&b.loop, 0) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        free(b.clients);
        stop_server(&s);
        return false;
    }
    for (unsigned i = 0; i <= n; i++) {
        b.clients[i].b = &b;
        b.clients[i].index = i;
    }
    r->ok = run_load(&b, &s, r);
    if (!r->ok) {
        fprintf(stderr, PROGRAM ": %s: %s\n", server_names[kind], b.error);
    }
    for (unsigned i = 0; i <= n; i++) {
        if (b.clients[i].ws != NULL) {
            ertc_ws_free(b.clients[i].ws);
        }
    }
    ertc_loop_destroy(b.loop);
    free(b.clients);
    stop_server(&s);
    return r->ok;
}

/* ---- the table ----------------------------------------------------------------------------- */

static void print_row(const char *figure, const result_t res[SERVER_COUNT], double a, double b,
                      int decimals)
{
    char cell[SERVER_COUNT][32];
    double v[SERVER_COUNT] = {a, b};
    for (int i = 0; i < SERVER_COUNT; i++) {
        if (res[i].ok && v[i] >= 0) {
            snprintf(cell[i], sizeof(cell[i]), "%.*f", decimals, v[i]);
        } else {
            snprintf(cell[i], sizeof(cell[i]), "-");
        }
    }
    char ratio[16] = "-";
    if (res[0].ok && res[1].ok && a >= 0 && b > 0) {
        snprintf(ratio, sizeof(ratio), "%.2f", a / b);
    }
    printf("| %-44s | %15s | %23s | %5s |\n", figure, cell[0], cell[1], ratio);
}

static double per_connection_kib(const result_t *r)
{
    if (r->rss_idle_kib < 0 || r->rss_held_kib < 0 || r->clients_held == 0) {
        return -1;
    }
    return (double)(r->rss_held_kib - r->rss_idle_kib) / (double)r->clients_held;
}

static void print_table(unsigned n, const result_t res[SERVER_COUNT])
{
    const result_t *s = &res[SERVER_SIGNALD], *p = &res[SERVER_PYTHON];
    char label[64];
    printf("| %-44s | %15s | %23s | %5s |\n", "figure", server_names[0], server_names[1], "ratio");
    printf("|----------------------------------------------|-----------------|"
           "-------------------------|-------|\n");
    print_row("clients held", res, s->clients_held, p->clients_held, 0);
    print_row("connect+register all (ms)", res, s->connect_ms, p->connect_ms, 1);
    print_row("server RSS idle (KiB)", res, (double)s->rss_idle_kib, (double)p->rss_idle_kib, 0);
    snprintf(label, sizeof(label), "server RSS with %u clients (KiB)", n);
    print_row(label, res, (double)s->rss_held_kib, (double)p->rss_held_kib, 0);
    print_row("memory per connection (KiB)", res, per_connection_kib(s), per_connection_kib(p), 2);
    print_row("messages relayed per second", res, (double)s->delivered / s->relay_s,
              (double)p->delivered / p->relay_s, 0);
    print_row("server CPU in the relay phase (ms)", res, s->server_cpu_ms, p->server_cpu_ms, 0);
    print_row("server CPU per relayed message (us)", res,
              s->delivered ? s->server_cpu_ms * 1000.0 / (double)s->delivered : -1,
              p->delivered ? p->server_cpu_ms * 1000.0 / (double)p->delivered : -1, 2);
    print_row("load generator CPU in the relay phase (ms)", res, s->client_cpu_ms, p->client_cpu_ms,
              0);
    print_row("server RSS after the relay (KiB)", res, (double)s->rss_relay_kib,
              (double)p->rss_relay_kib, 0);
    print_row("server RSS after all closed (KiB)", res, (double)s->rss_closed_kib,
              (double)p->rss_closed_kib, 0);
}

int main(int argc, char **argv)
{
    unsigned n = DEFAULT_CLIENTS;
    if (argc > 2 || (argc == 2 && (sscanf(argv[1], "%u", &n) != 1 || n < 2 || n % 2 != 0))) {
        fprintf(stderr, "usage: %s [CLIENTS]   (an even number, default %u)\n", argv[0],
                DEFAULT_CLIENTS);
        return 2;
    }
    ertc_log_set_level(ERTC_LOG_WARN);
    signal(SIGPIPE, SIG_IGN);
    if (!raise_descriptor_limit(n + SPARE_DESCRIPTORS)) {
        return 1;
    }

    result_t res[SERVER_COUNT];
    bool ok = true;
    for (int k = 0; k < SERVER_COUNT; k++) {
        ok = run_server((server_kind_t)k, n, &res[k]) && ok;
    }

    printf("%u WebSocket clients in %u rooms on 127.0.0.1, one event loop in this process; relay "
           "phase %d s, each client keeping %d messages of %d bytes in flight to its partner, "
           "which sends each back.\n\n",
           n, n / 2, RELAY_SECONDS, RELAY_WINDOW, MESSAGE_SIZE);
    print_table(n, res);
    printf("\nmemory per connection = (RSS with the clients - RSS idle) / clients. Messages are "
           "counted as delivered to a client, both directions. ratio = edgertc-signald / "
           "baseline.\n");
    printf("machine: %ld cores online; the servers and this load generator share them. When the "
           "load generator's CPU nears the phase's length, it is the limit of the rate, and server "
           "CPU per message is the fairer comparison.\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    if (res[SERVER_PYTHON].about[0] != '\0') {
        printf("baseline: bench/signald_baseline.py on %s (asyncio).\n", res[SERVER_PYTHON].about);
    }
    if (!ok) {
        printf("\nFAILED: a server could not be started or did not complete the job (see "
               "stderr).\n");
    }
    return ok ? 0 : 1;
}
