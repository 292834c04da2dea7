/*
 * bench/kvs_client — what the KVS signaling client costs: connect time with a cold cache
 * (DescribeSignalingChannel + GetSignalingChannelEndpoint + GetIceServerConfig + WebSocket)
 * next to a warm one (the channel-info cache: GetIceServerConfig + WebSocket only), the heap
 * peak of a connect and the heap held while connected, and the code size of the client.
 *
 * The job: a MASTER connects to the KVS stand-in of the integration tests
 * (tests/integration/kvs_server.py, Debian's python3-aiohttp) on 127.0.0.1 over plain http and
 * ws (allowed to loopback only), waits for CONNECTED and the ICE servers, and is freed. Cold and
 * warm runs alternate, RUNS of each; the table shows medians, the runs are listed below it.
 * TLS is excluded by construction (no TLS on loopback), as the issue asks.
 *
 * Heap is edgertc's counting allocator (util/alloc.h), with cJSON routed through it; the
 * client's two thread stacks and the cache file's read buffer (plain malloc, as the storage
 * interface hands it to the caller) are not counted. Code size is size(1) over the library's
 * objects of src/signaling/kvs (this build's flags). A benchmark never fails on figures; it
 * fails only when the job cannot be done.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvs_signaling.h"
#include "port/port.h"
#include "test_server.h"
#include "util/alloc.h"
#include "util/log.h"

#define RUNS               5
#define CONNECT_TIMEOUT_MS 10000
#define MAX_OBJECTS        64

static atomic_int connected_flag, ice_flag, failed_flag;

static WEBRTC_STATUS on_msg(uint64_t c, esp_webrtc_signaling_message_t *m)
{
    (void)c;
    (void)m;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_state(uint64_t c, webrtc_signaling_client_state_t s)
{
    (void)c;
    if (s == WEBRTC_SIGNALING_CLIENT_STATE_CONNECTED) {
        atomic_store(&connected_flag, 1);
    } else if (s == WEBRTC_SIGNALING_CLIENT_STATE_FAILED) {
        atomic_store(&failed_flag, 1);
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_error(uint64_t c, WEBRTC_STATUS st, char *msg, uint32_t len)
{
    (void)c;
    fprintf(stderr, "kvs error %s: %.*s\n", webrtc_status_name(st), (int)len, msg);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_ice(uint64_t c, uint32_t n)
{
    (void)c;
    (void)n;
    atomic_store(&ice_flag, 1);
    return WEBRTC_STATUS_SUCCESS;
}

typedef struct {
    double connect_ms; /* connect() to CONNECTED */
    double ready_ms;   /* connect() to CONNECTED and the ICE servers */
    size_t heap_peak;  /* most bytes live during init + connect */
    size_t heap_held;  /* bytes live while connected */
    uint32_t control_calls;
    uint32_t allocations;
} run_t;

static bool wait_flags(void)
{
    uint64_t end = ertc_time_mono_ms() + CONNECT_TIMEOUT_MS;
    while (ertc_time_mono_ms() < end) {
        if (atomic_load(&failed_flag)) {
            return false;
        }
        if (atomic_load(&connected_flag) && atomic_load(&ice_flag)) {
            return true;
        }
        usleep(100);
    }
    return false;
}

static bool run_once(kvs_signaling_config_t *cfg, run_t *out)
{
    webrtc_signaling_client_if_t *sig = kvs_signaling_client_if_get();
    atomic_store(&connected_flag, 0);
    atomic_store(&ice_flag, 0);
    atomic_store(&failed_flag, 0);
    ertc_alloc_stats_t before, after;
    ertc_alloc_reset_peak();
    ertc_alloc_get_stats(&before);
    void *client = NULL;
    if (sig->init(cfg, &client) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    sig->set_callbacks(client, 0, on_msg, on_state, on_error);
    sig->set_ice_update_callback(client, 0, on_ice);
    sig->set_role_type(client, WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER);
    uint64_t t0 = ertc_time_mono_us();
    uint64_t t_connected = 0;
    sig->connect(client);
    bool ok = false;
    uint64_t end = ertc_time_mono_ms() + CONNECT_TIMEOUT_MS;
    while (ertc_time_mono_ms() < end && !atomic_load(&failed_flag)) {
        if (t_connected == 0 && atomic_load(&connected_flag)) {
            t_connected = ertc_time_mono_us();
        }
        if (t_connected != 0 && atomic_load(&ice_flag)) {
            ok = true;
            break;
        }
        usleep(50);
    }
    uint64_t t_ready = ertc_time_mono_us();
    ok = ok || wait_flags();
    usleep(20000); /* let the loop settle before reading what is held */
    ertc_alloc_get_stats(&after);
    kvs_signaling_stats_t st;
    kvs_signaling_get_stats(client, &st);
    out->connect_ms = (double)(t_connected - t0) / 1000.0;
    out->ready_ms = (double)(t_ready - t0) / 1000.0;
    out->heap_peak = after.peak - before.current;
    out->heap_held = after.current - before.current;
    out->control_calls = st.control_plane_calls;
    out->allocations = (uint32_t)(after.count - before.count);
    sig->free(client);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const run_t *r, size_t n, size_t offset, bool is_size)
{
    double v[RUNS];
    for (size_t i = 0; i < n; i++) {
        const char *base = (const char *)&r[i] + offset;
        v[i] = is_size ? (double)*(const size_t *)base : *(const double *)base;
    }
    qsort(v, n, sizeof(double), cmp_double);
    return v[n / 2];
}

/* text+data of the objects listed in path whose name matches one of the filters. */
static unsigned long code_size(const char *path, const char *const *names, size_t n_names)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[1024];
    unsigned long total = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, "/src/signaling/kvs/") == NULL) {
            continue;
        }
        bool match = n_names == 0;
        for (size_t i = 0; i < n_names && !match; i++) {
            char want[64];
            snprintf(want, sizeof(want), "/%s.c.o", names[i]);
            match = strstr(line, want) != NULL;
        }
        if (!match) {
            continue;
        }
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "size '%s' 2>/dev/null | tail -1", line);
        FILE *p = popen(cmd, "r");
        unsigned long text = 0, data = 0;
        if (p != NULL && fscanf(p, "%lu %lu", &text, &data) == 2) {
            total += text + data;
        }
        if (p != NULL) {
            pclose(p);
        }
    }
    fclose(f);
    return total;
}

int main(void)
{
    ertc_log_set_level(ERTC_LOG_WARN);
    ertc_alloc_counting_enable();
    ertc_alloc_route_libraries();
    char dir[] = "/tmp/ertc-bench-kvs-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        return 1;
    }
    char script[512], cache[256], control[64];
    snprintf(script, sizeof(script), "%s/tests/integration/kvs_server.py", ERTC_BENCH_REPO_DIR);
    snprintf(cache, sizeof(cache), "%s/cache.json", dir);
    test_server_t server;
    char *argv[] = {"/usr/bin/python3", script, NULL};
    if (test_server_start(&server, argv) != 0) {
        fprintf(stderr, "bench_kvs_client: cannot start %s\n", script);
        return 1;
    }
    snprintf(control, sizeof(control), "http://127.0.0.1:%u", (unsigned)server.port);
    kvs_signaling_config_t cfg = {.pChannelName = "bench-channel",
                                  .awsRegion = "us-west-2",
                                  .awsAccessKey = "AKIDEXAMPLE",
                                  .awsSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                  .controlPlaneUrl = control,
                                  .cacheFilePath = cache};
    run_t first, cold[RUNS], warm[RUNS];
    bool ok = run_once(&cfg, &first); /* creates the channel: not measured */
    for (int i = 0; ok && i < RUNS; i++) {
        unlink(cache);
        ok = run_once(&cfg, &cold[i]) && run_once(&cfg, &warm[i]);
    }
    test_server_stop(&server);
    unlink(cache);
    rmdir(dir);
    if (!ok) {
        fprintf(stderr, "bench_kvs_client: a connect did not complete\n");
        return 1;
    }

    printf(
        "KVS signaling client, MASTER on 127.0.0.1 (plain ws/http: TLS excluded), median of %d\n\n",
        RUNS);
    printf("%-40s %12s %12s\n", "", "cold cache", "warm cache");
    printf("%-40s %12.2f %12.2f\n", "connect() to CONNECTED (ms)",
           median(cold, RUNS, offsetof(run_t, connect_ms), false),
           median(warm, RUNS, offsetof(run_t, connect_ms), false));
    printf("%-40s %12.2f %12.2f\n", "connect() to CONNECTED + ICE (ms)",
           median(cold, RUNS, offsetof(run_t, ready_ms), false),
           median(warm, RUNS, offsetof(run_t, ready_ms), false));
    printf("%-40s %12u %12u\n", "control-plane calls", cold[0].control_calls,
           warm[0].control_calls);
    printf("%-40s %12.0f %12.0f\n", "heap peak, init + connect (bytes)",
           median(cold, RUNS, offsetof(run_t, heap_peak), true),
           median(warm, RUNS, offsetof(run_t, heap_peak), true));
    printf("%-40s %12.0f %12.0f\n", "heap held while connected (bytes)",
           median(cold, RUNS, offsetof(run_t, heap_held), true),
           median(warm, RUNS, offsetof(run_t, heap_held), true));
    printf("%-40s %12u %12u\n", "allocations, init + connect", cold[0].allocations,
           warm[0].allocations);
    printf("\nruns (connect ms, heap peak bytes):\n");
    for (int i = 0; i < RUNS; i++) {
        printf("  %d: cold %7.2f ms %8zu B   warm %7.2f ms %8zu B\n", i + 1, cold[i].connect_ms,
               cold[i].heap_peak, warm[i].connect_ms, warm[i].heap_peak);
    }

    static const char *const client[] = {"kvs_client",   "kvs_client_if", "kvs_control",
                                         "kvs_message",  "kvs_outq",      "kvs_policy",
                                         "kvs_provider", "kvs_storage"};
    static const char *const pure[] = {"sigv4", "kvs_api", "kvs_cache", "kvs_credentials"};
    unsigned long c = code_size(ERTC_BENCH_OBJECTS, client, sizeof(client) / sizeof(client[0]));
    unsigned long p = code_size(ERTC_BENCH_OBJECTS, pure, sizeof(pure) / sizeof(pure[0]));
    printf("\ncode size (text+data, this build: %s)\n", ERTC_BENCH_LIBRARY_FLAGS);
    printf("  %-38s %8lu B\n", "client, control and data plane", c);
    printf("  %-38s %8lu B\n", "SigV4, API codecs, cache, credentials", p);
    printf("  %-38s %8lu B\n", "src/signaling/kvs in all", c + p);
    printf("  (src/net, src/util, mbedTLS and cJSON are shared with the rest and not counted)\n");
    return 0;
}
