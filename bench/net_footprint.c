/*
 * bench/net_footprint — what edgertc's own WebSocket client costs, next to libwebsockets.
 *
 * The job (net_echo_job.h), done by every client against the same independent echo server
 * (Debian's python3-websockets: tests/integration/ws_server.py) over wss:// on 127.0.0.1, with
 * a test CA made for this run: connect, 1000 round trips of a 1 KiB binary message, close.
 * Three clients take turns, three runs each; the table shows the median of each figure and
 * the single runs are listed below it:
 *  - edgertc on Debian's mbedTLS (libmbedtls-dev: two 16 KiB record buffers per connection),
 *    in this process;
 *  - edgertc on mbedTLS built with a device configuration (bench/mbedtls_device_config.h:
 *    4 KiB record buffers and max_fragment_length, as a device build has), in a process of
 *    its own (net_device_runner; bench/fetch-mbedtls builds it from Debian's source package
 *    when the benchmark is built). When that build failed, the benchmark says why and
 *    measures the other two;
 *  - a minimal client on libwebsockets (libwebsockets-dev, on OpenSSL 3), in this process.
 *
 * Heap is counted for the whole process, TLS libraries included (Debian's mbedTLS and OpenSSL
 * call malloc directly, past edgertc's allocation hooks; see net_echo_job.c). Code size is
 * read with size(1) from our object files and from libwebsockets.so (net_code_size.c);
 * neither figure includes the TLS library.
 *
 * The goals (issue "bench/net_footprint"): at most a quarter of libwebsockets' heap peak, at
 * most 32 KiB of our own text, an echo rate no lower than libwebsockets'. A missed goal is
 * reported, never a failure; the exit status is non-zero only when a client could not
 * complete the job.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <mbedtls/version.h>
#include <openssl/ssl.h>

#include "net_code_size.h"
#include "net_echo_job.h"
#include "util/log.h"

#define RUNS                    3
#define SERVER_START_TIMEOUT_MS 20000
#define PYTHON                  "/usr/bin/python3"
#define LOOPBACK                "127.0.0.1"
#define GOAL_HEAP_RATIO         0.25 /* our heap peak / libwebsockets' heap peak */
#define GOAL_TEXT_KIB           32.0 /* our own text */
#define GOAL_RATE_RATIO         1.0  /* our echo rate / libwebsockets' echo rate */

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

/* ---- edgertc on the device mbedTLS build: net_device_runner, a process of its own --------- */

static pid_t device_pid = -1; /* also read by the watchdog */

typedef struct {
    bool built;          /* net_device_runner exists */
    bool ok;             /* every run completed the job */
    char why[ERROR_LEN]; /* why there is no device column */
    int in_len, out_len; /* the record buffers (plaintext bytes) it was built with */
} device_t;

/* Whether bench/fetch-mbedtls built the device mbedTLS, and if not, what it said. */
static void device_probe(device_t *d)
{
    memset(d, 0, sizeof(*d));
#ifdef ERTC_BENCH_DEVICE_RUNNER
    d->built = access(ERTC_BENCH_DEVICE_RUNNER, X_OK) == 0;
    d->ok = d->built;
    if (!d->built) {
        snprintf(d->why, sizeof(d->why), "%s was not built", ERTC_BENCH_DEVICE_RUNNER);
    }
#elif defined(ERTC_BENCH_DEVICE_STATUS)
    FILE *f = fopen(ERTC_BENCH_DEVICE_STATUS, "r");
    char line[ERROR_LEN - 64] = "bench/fetch-mbedtls left no status";
    if (f != NULL) {
        if (fgets(line, sizeof(line), f) != NULL) {
            line[strcspn(line, "\n")] = '\0';
        }
        fclose(f);
    }
    snprintf(d->why, sizeof(d->why), "the device mbedTLS could not be built: %s", line);
#else
    snprintf(d->why, sizeof(d->why),
             "not configured (ERTC_BENCH_DEVICE_MBEDTLS=OFF; make bench turns it on)");
#endif
}

/* One run of the job in net_device_runner; its single result line comes through a pipe. */
static void run_device(const bench_env_t *env, unsigned seq, device_t *d, job_result_t *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->error, sizeof(r->error), "net_device_runner gave no result");
#ifdef ERTC_BENCH_DEVICE_RUNNER
    char seq_text[16];
    snprintf(seq_text, sizeof(seq_text), "%u", seq);
    char *argv[] = {ERTC_BENCH_DEVICE_RUNNER, (char *)env->url, (char *)env->ca_path, seq_text,
                    NULL};
    int fds[2];
    if (pipe(fds) != 0) {
        return;
    }
    device_pid = spawn(argv, fds[1]);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[ERROR_LEN + 64];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "RECORD %d %d", &d->in_len, &d->out_len) != 2) {
            job_result_read(line, r);
        }
    }
    if (f != NULL) {
        fclose(f);
    } else {
        close(fds[0]);
    }
    if (device_pid > 0) {
        waitpid(device_pid, NULL, 0);
        device_pid = -1;
    }
#else
    (void)env;
    (void)seq;
    (void)d;
#endif
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
    if (device_pid > 0) {
        kill(device_pid, SIGKILL);
    }
    _exit(2);
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

/* Column widths of the table, and the device column's figures (NULL: no device column). */
#define COLUMNS "| %-42s | %9s | %11s | %13s | %5s | %6s | %-16s |\n"

static const job_result_t *device_runs;

static void format_value(char *out, size_t size, double v, int decimals)
{
    if (v < 0) {
        snprintf(out, size, "-"); /* no figure for this column */
    } else {
        snprintf(out, size, "%.*f", decimals, v);
    }
}

static void format_ratio(char *out, size_t size, double a, double b)
{
    if (a >= 0 && b > 0) {
        snprintf(out, size, "%.2f", a / b);
    } else {
        out[0] = '\0';
    }
}

/* ours: edgertc on Debian's mbedTLS; device: on the device build; theirs: libwebsockets. */
static void print_figure3(const char *figure, double ours, double device, double theirs,
                          int decimals, const char *goal)
{
    char a[32], d[32], t[32], ra[16], rd[16];
    format_value(a, sizeof(a), ours, decimals);
    format_value(d, sizeof(d), device_runs != NULL ? device : -1, decimals);
    format_value(t, sizeof(t), theirs, decimals);
    format_ratio(ra, sizeof(ra), ours, theirs);
    format_ratio(rd, sizeof(rd), device_runs != NULL ? device : -1, theirs);
    printf(COLUMNS, figure, a, d, t, ra, rd, goal);
}

static void print_figure(const char *figure, double ours, double theirs, int decimals,
                         const char *goal)
{
    print_figure3(figure, ours, -1, theirs, decimals, goal);
}

static void print_run(const char *who, int run, const job_result_t *r)
{
    printf("  run %d %-13s heap peak %7.1f KiB, open %6.1f KiB, left %6.1f KiB, %6.0f allocs "
           "(%4.0f in echoes), connect %6.1f ms, %6.0f msg/s, total %6.1f ms\n",
           run + 1, who, r->heap_peak_kib, r->heap_open_kib, r->heap_left_kib, r->allocations,
           r->echo_allocations, r->connect_ms, r->echo_rate, r->total_ms);
}

#define MEDIAN(runs, field) median_of(runs, offsetof(job_result_t, field))
#define JOB_ROW(figure, field, decimals, goal)                                                     \
    print_figure3(figure, MEDIAN(ours, field), device_runs ? MEDIAN(device_runs, field) : -1,      \
                  MEDIAN(theirs, field), decimals, goal)

static void print_report(const job_result_t *ours, const job_result_t *theirs, const device_t *dev,
                         const job_result_t *lws_default, const char *lws_tls,
                         const ertc_sizes_t *sz, const ertc_sizes_t *sz_os, bool have_os,
                         const section_sizes_t *lws_size, const char *lws_path)
{
    double heap_ratio = MEDIAN(ours, heap_peak_kib) / MEDIAN(theirs, heap_peak_kib);
    double text_kib = kib(sizes_text(&sz->all));
    double device_text = 0, device_rodata = 0;
    bool have_device = measure_device_map(&device_text, &device_rodata);
    double rate_ratio = MEDIAN(ours, echo_rate) / MEDIAN(theirs, echo_rate);

    printf("\n" COLUMNS, "figure", "edgertc", "edgertc,", "libwebsockets", "ratio", "ratio",
           "goal");
    printf(COLUMNS, "", "(Debian", "device", "", "", "device", "");
    printf(COLUMNS, "", "mbedTLS)", "mbedTLS", "", "", "", "");
    printf(COLUMNS, "", "", "config", "", "", "", "");
    printf("|%.44s|%.11s|%.13s|%.15s|%.7s|%.8s|%.18s|\n",
           "--------------------------------------------", "-----------", "-------------",
           "---------------", "-------", "--------", "------------------");
    JOB_ROW("heap peak (KiB, whole process)", heap_peak_kib, 1, "ratio <= 0.25");
    JOB_ROW("heap in use at the last echo (KiB)", heap_open_kib, 1, "");
    JOB_ROW("heap left after tear-down (KiB)", heap_left_kib, 1, "");
    JOB_ROW("allocations (whole job)", allocations, 0, "");
    JOB_ROW("allocations during the 1000 echoes", echo_allocations, 0, "");
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
    JOB_ROW("connect (ms, from creating the context)", connect_ms, 1, "");
    JOB_ROW("echo rate (msg/s, 1 KiB round trips)", echo_rate, 0, "ratio >= 1.00");
    JOB_ROW("total (ms, until the close completed)", total_ms, 1, "");

    printf("\nGoals:\n");
    printf("  heap peak <= 1/4 of libwebsockets': %s (%.2f) on Debian's mbedTLS (16 KiB record "
           "buffers)\n",
           heap_ratio <= GOAL_HEAP_RATIO ? "met" : "MISSED", heap_ratio);
    if (device_runs != NULL) {
        double r = MEDIAN(device_runs, heap_peak_kib) / MEDIAN(theirs, heap_peak_kib);
        printf("                                       %s (%.2f) on the device mbedTLS config "
               "(%d/%d KiB record buffers)\n",
               r <= GOAL_HEAP_RATIO ? "met" : "MISSED", r, dev->in_len / 1024, dev->out_len / 1024);
    } else {
        printf("                                       no device mbedTLS figures: %s\n", dev->why);
    }
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
    printf("  echo rate >= libwebsockets':         %s (%.2f)",
           rate_ratio >= GOAL_RATE_RATIO ? "met" : "MISSED", rate_ratio);
    if (device_runs != NULL) {
        double r = MEDIAN(device_runs, echo_rate) / MEDIAN(theirs, echo_rate);
        printf("; device mbedTLS config: %s (%.2f)", r >= GOAL_RATE_RATIO ? "met" : "MISSED", r);
    }
    printf("\n");

    printf("\nHow it was measured:\n");
    printf("  figures: median of %d runs per client, the clients taking turns (edgertc on Debian's "
           "mbedTLS and libwebsockets in this process, the device column in net_device_runner)\n",
           RUNS);
    if (dev->built) {
        printf("  device mbedTLS config: Debian's mbedTLS 2.28.3 source (orig tarball, SHA-256 "
               "from the .dsc) built by bench/fetch-mbedtls with bench/mbedtls_device_config.h: "
               "record buffers of %d (in) and %d (out) bytes, ECP window 2 without the "
               "fixed-point tables, peer certificate not kept; the client asks for "
               "max_fragment_length %d\n",
               dev->in_len, dev->out_len, dev->in_len < dev->out_len ? dev->in_len : dev->out_len);
    }
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
           "(on Debian's and on a device mbedTLS build) against libwebsockets\n",
           ECHO_COUNT, ECHO_SIZE, LOOPBACK);
    fflush(stdout);

    char dir[] = "/tmp/ertc-bench-net-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("bench_net_footprint: mkdtemp");
        return 1;
    }
    bench_env_t env = {0};
    int status = 0;
    job_result_t ours[RUNS], theirs[RUNS], device[RUNS];
    device_t dev;
    device_probe(&dev);
    char lws_tls[sizeof(lws_echo.tls)] = "";
    if (!make_certs(dir) || !start_server(dir, &env.port)) {
        status = 1;
    } else {
        snprintf(env.ca_path, sizeof(env.ca_path), "%s/ca.pem", dir);
        snprintf(env.url, sizeof(env.url), "wss://%s:%u/echo", LOOPBACK, (unsigned)env.port);
        static const char *const names[] = {"edgertc", "edgertc (device mbedTLS)", "libwebsockets"};
        for (int run = 0; run < RUNS && status == 0; run++) {
            /* take turns in a rotating order, so no client always meets a cold or warm server */
            for (int k = 0; k < 3 && status == 0; k++) {
                int who = (run + k) % 3;
                unsigned seq = (unsigned)(run * 3 + k) * ECHO_COUNT;
                job_result_t *r = who == 0 ? &ours[run] : who == 1 ? &device[run] : &theirs[run];
                if (who == 1 && !dev.ok) {
                    continue;
                }
                alarm(JOB_TIMEOUT_S + 5);
                if (who == 0) {
                    run_edgertc(&env, seq, r);
                } else if (who == 1) {
                    run_device(&env, seq, &dev, r);
                } else {
                    run_libwebsockets(&env, false, seq, r);
                    snprintf(lws_tls, sizeof(lws_tls), "%s", lws_echo.tls);
                }
                alarm(0);
                if (!r->ok) {
                    fprintf(stderr, "bench_net_footprint: %s did not complete the job: %s\n",
                            names[who], r->error);
                    if (who == 1) {
                        /* the other clients are still measured; the exit status reports it */
                        dev.ok = false;
                        snprintf(dev.why, sizeof(dev.why), "it did not complete the job: %.200s",
                                 r->error);
                    } else {
                        status = 1;
                    }
                }
            }
        }
    }
    job_result_t lws_default = {0};
    if (status == 0) {
        alarm(JOB_TIMEOUT_S + 5);
        run_libwebsockets(&env, true, RUNS * 3 * ECHO_COUNT, &lws_default);
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

    device_runs = dev.ok ? device : NULL;
    print_report(ours, theirs, &dev, &lws_default, lws_tls, &sz, &sz_os, have_os, &lws_size,
                 lws_path);
    for (int run = 0; run < RUNS; run++) {
        print_run("edgertc", run, &ours[run]);
        if (device_runs != NULL) {
            print_run("edgertc, dev", run, &device[run]);
        }
        print_run("libwebsockets", run, &theirs[run]);
    }
    /* A device runner that was built but could not do the job is a failure; one that could
     * not be built (no network for the download) is reported above, not a failure. */
    return dev.built && !dev.ok ? 1 : 0;
}
