/*
 * bench/net_echo_job — the echo job of bench_net_footprint and the process-wide heap
 * accounting it is measured with, shared by the benchmark (edgertc on Debian's mbedTLS, and
 * libwebsockets) and net_device_runner (edgertc on mbedTLS built with a device configuration,
 * in a process of its own).
 *
 * The job: connect, ECHO_COUNT round trips of an ECHO_SIZE-byte binary message (send one,
 * wait for its echo, check every byte, send the next), close. Heap is counted for the whole
 * process, TLS libraries included: net_echo_job.c defines malloc and its relatives on top of
 * glibc's __libc_* entry points, so every allocation of a program linking it passes through
 * its counters.
 */
#ifndef ERTC_BENCH_NET_ECHO_JOB_H
#define ERTC_BENCH_NET_ECHO_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ECHO_COUNT    1000
#define ECHO_SIZE     1024
#define JOB_TIMEOUT_S 60 /* a job takes about a second; this is a hang */
#define ERROR_LEN     320

/* The heap level when a job starts; the job's figures are measured above it. */
typedef struct {
    long long base;
    unsigned long long allocations;
} heap_mark_t;

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

/* Where the echo server is and what the edgertc client is configured with. */
typedef struct {
    char ca_path[512];
    char url[128];
    uint16_t port;
    unsigned max_fragment_len; /* ertc_tls_options_t.max_fragment_len; 0 = TLS' default */
} bench_env_t;

uint64_t now_us(void);
void heap_mark(heap_mark_t *m);

void echo_job_init(echo_job_t *job, unsigned seq);
__attribute__((format(printf, 2, 3))) void echo_job_fail(echo_job_t *job, const char *fmt, ...);
void echo_job_opened(echo_job_t *job);
/* The next message to send (kept in job->expected). */
const uint8_t *echo_job_next(echo_job_t *job);
/* Checks one received message; true when all echoes are in. */
bool echo_job_received(echo_job_t *job, bool is_text, const uint8_t *data, size_t len);
void echo_job_result(const echo_job_t *job, const heap_mark_t *m, job_result_t *r);

/* The job on edgertc's WebSocket client (ertc_loop_t + ertc_ws_client_t over net/tls). */
void run_edgertc(const bench_env_t *env, unsigned seq, job_result_t *r);

/* One result as one line of text, and back: how net_device_runner reports to the benchmark. */
void job_result_write(FILE *f, const job_result_t *r);
bool job_result_read(const char *line, job_result_t *r);

#endif
