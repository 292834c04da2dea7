/*
 * bench/net_device_runner — the echo job of bench_net_footprint on edgertc linked with an
 * mbedTLS built with a device configuration (bench/mbedtls_device_config.h, built from
 * Debian's mbedTLS 2.28.3 source by bench/fetch-mbedtls), in a process of its own: a program
 * cannot hold two builds of mbedTLS. bench_net_footprint starts it once per run and reads
 * one line from it (job_result_write). Not meant to be run by hand, though it can be:
 *
 *   net_device_runner URL CA_FILE SEQ
 *
 * The client asks for records no larger than the record buffers this mbedTLS was built with
 * (max_fragment_length), as a device with small buffers must. A first job warms the process
 * up and is not reported: the clients in bench_net_footprint's own process are measured warm
 * too (the median of three runs), with libc's one-time allocations (the time zone read by the
 * first certificate check, for one) behind them.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mbedtls/ssl.h>

#include "net_echo_job.h"
#include "util/log.h"

/* The smaller record buffer bounds the record size the client may ask for. */
#if MBEDTLS_SSL_IN_CONTENT_LEN < MBEDTLS_SSL_OUT_CONTENT_LEN
#define DEVICE_RECORD_LEN MBEDTLS_SSL_IN_CONTENT_LEN
#else
#define DEVICE_RECORD_LEN MBEDTLS_SSL_OUT_CONTENT_LEN
#endif

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL CA_FILE SEQ\n", argv[0]);
        return 2;
    }
    ertc_log_set_level(ERTC_LOG_WARN);
    /* stdout's buffer is allocated by the first output: before the job, not inside it. */
    printf("RECORD %d %d\n", MBEDTLS_SSL_IN_CONTENT_LEN, MBEDTLS_SSL_OUT_CONTENT_LEN);
    bench_env_t env = {.max_fragment_len = DEVICE_RECORD_LEN < 16384 ? DEVICE_RECORD_LEN : 0};
    snprintf(env.url, sizeof(env.url), "%s", argv[1]);
    snprintf(env.ca_path, sizeof(env.ca_path), "%s", argv[2]);
    unsigned seq = (unsigned)strtoul(argv[3], NULL, 10);
    job_result_t r;
    run_edgertc(&env, seq, &r);
    if (r.ok) {
        run_edgertc(&env, seq + ECHO_COUNT / 2, &r);
    }
    job_result_write(stdout, &r);
    return r.ok ? 0 : 1;
}
