/*
 * signald/main — edgertc-signald: a local AppRTC-compatible signaling server.
 *
 * One process, one port: the AppRTC room server (room_server.c), the Collider WebSocket
 * relay and its HTTP relay (collider.c, collider_routes.c) and the web pages
 * (static_files.c), all on one event loop (port/loop.h) and one listener (server.c). The
 * protocol is in specs/apprtc.md; docs/signald.md describes the program.
 *
 * SIGINT and SIGTERM stop the loop through a self-pipe watched by the loop (a signal
 * handler may only write(2)); then every connection and room is freed and the exit status
 * is 0. Bad flags exit with 2, a listen failure with 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collider.h"
#include "collider_routes.h"
#include "kvs_emu.h"
#include "net/tls.h"
#include "signald_limits.h"
#include "options.h"
#include "port/loop.h"
#include "room_server.h"
#include "server.h"
#include "static_files.h"
#include "util/log.h"

#define TAG "signald"

#ifndef ERTC_SIGNALD_DEFAULT_WEB_DIR
#define ERTC_SIGNALD_DEFAULT_WEB_DIR NULL
#endif

enum { EXIT_OK = 0, EXIT_CANNOT_SERVE = 1, EXIT_BAD_FLAGS = 2 };

/* Descriptors the loop needs beyond connections: listener, wake-up pipe, signal pipe. */
#define SD_SPARE_DESCRIPTORS 32

static int signal_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t n = write(signal_pipe[1], &b, 1); /* non-blocking; a full pipe already wakes us */
    (void)n;
    errno = saved;
}

static void on_signal_pipe(ertc_loop_t *loop, ertc_io_t *io, int fd, unsigned events, void *arg)
{
    (void)io;
    (void)events;
    (void)arg;
    unsigned char b = 0;
    while (read(fd, &b, 1) == 1) {
        ERTC_LOGI(TAG, "%s received; shutting down", b == SIGINT ? "SIGINT" : "SIGTERM");
    }
    ertc_loop_stop(loop);
}

static bool install_signals(void)
{
    if (pipe(signal_pipe) != 0) {
        return false;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
        return false;
    }
    signal(SIGPIPE, SIG_IGN); /* sockets use MSG_NOSIGNAL; this covers anything else */
    return true;
}

/* SD_MAX_CONNECTIONS needs more descriptors than the usual soft limit of 1024. */
static void raise_descriptor_limit(void)
{
    struct rlimit rl;
    rlim_t want = SD_MAX_CONNECTIONS + SD_SPARE_DESCRIPTORS;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want) {
        return;
    }
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want) {
        ERTC_LOGW(TAG, "only %llu file descriptors allowed: fewer than %d connections fit",
                  (unsigned long long)rl.rlim_cur, SD_MAX_CONNECTIONS);
    }
}

static void log_ice_config(const sd_options_t *o)
{
    ERTC_LOGI(TAG, "ICE: %zu STUN and %zu TURN URLs, TURN credentials %s, user %s, TTL %u s",
              o->ice.n_stun, o->ice.n_turn,
              o->ice.turn_secret != NULL ? "from the shared secret" : "placeholders",
              o->ice.turn_user, (unsigned)o->ice.turn_ttl_s);
    if (o->ice.n_turn > 0 && o->ice.turn_secret == NULL) {
        ERTC_LOGW(TAG, "--turn without --turn-secret: clients get placeholder TURN credentials "
                       "that a TURN server will refuse");
    }
    if (o->ice.n_stun + o->ice.n_turn == 0) {
        ERTC_LOGI(TAG, "no --stun or --turn: clients get an empty ICE server list (ESP "
                       "esp_webrtc needs at least one, see docs/signald.md)");
    }
}

typedef struct {
    ertc_loop_t *loop;
    sd_server_t *server;
    sd_collider_t *collider;
    sd_room_server_t *rooms;
    sd_static_files_t *pages;
    sd_kvs_t *kvs;
    ertc_tls_config_t *kvs_tls;
    ertc_io_t signal_io;
} signald_t;

static void destroy_all(signald_t *d)
{
    if (d->signal_io.slot >= 0 && d->loop != NULL) {
        ertc_io_stop(d->loop, &d->signal_io);
    }
    /* Connections first: their WebSocket handlers still reach the Collider. */
    sd_server_destroy(d->server);
    sd_collider_destroy(d->collider);
    sd_room_server_destroy(d->rooms);
    sd_static_files_destroy(d->pages);
    sd_kvs_destroy(d->kvs);
    if (d->kvs_tls != NULL) {
        ertc_tls_config_unref(d->kvs_tls);
    }
    if (d->loop != NULL) {
        ertc_loop_destroy(d->loop);
    }
    for (int i = 0; i < 2; i++) {
        if (signal_pipe[i] >= 0) {
            close(signal_pipe[i]);
            signal_pipe[i] = -1;
        }
    }
}

/* The KVS emulator on its own listener (--kvs). Prints its URL on stdout. */
static bool start_kvs(signald_t *d, const sd_options_t *o, char *err, size_t errlen)
{
    const sd_kvs_options_t *ko = &o->kvs;
    if (ko->cert_path != NULL) {
        ertc_tls_options_t topts = {
            .role = ERTC_TLS_SERVER, .cert_path = ko->cert_path, .key_path = ko->key_path};
        if (ertc_tls_config_create(&topts, &d->kvs_tls, err, errlen) != WEBRTC_STATUS_SUCCESS) {
            return false;
        }
    }
    sd_kvs_config_t cfg = {
        .access_key_id = ko->access_key_id,
        .secret_access_key = ko->secret_key,
        .region = ko->region,
        .tls = d->kvs_tls != NULL,
        .test_hooks = ko->test_hooks,
        .ice = &o->ice,
    };
    d->kvs = sd_kvs_create(&cfg);
    if (d->kvs == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    const sd_route_t routes[] = {{"kvs", sd_kvs_route, d->kvs}};
    sd_listener_t *l = NULL;
    if (sd_server_listen_tls(d->server, "kvs", &ko->listen, d->kvs_tls, routes, 1, &l, err,
                             errlen) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    sd_kvs_set_authority(d->kvs, sd_listener_authority(l));
    ERTC_LOGI(TAG, "kvs: region %s, %s, test hooks %s", ko->region,
              d->kvs_tls != NULL ? "TLS" : "plain", ko->test_hooks ? "on" : "off");
    printf("edgertc-signald: kvs listening on %s://%s\n", d->kvs_tls != NULL ? "https" : "http",
           sd_listener_authority(l));
    return true;
}

static int serve(const sd_options_t *o)
{
    signald_t d;
    memset(&d, 0, sizeof(d));
    d.signal_io.slot = -1;
    int status = EXIT_CANNOT_SERVE;
    char err[256] = "";
    if (!install_signals()) {
        fprintf(stderr, "edgertc-signald: cannot install signal handlers: %s\n", strerror(errno));
        destroy_all(&d);
        return status;
    }
    raise_descriptor_limit();
    if (ertc_loop_create(&d.loop, 0) != WEBRTC_STATUS_SUCCESS ||
        (d.server = sd_server_create(d.loop)) == NULL) {
        fprintf(stderr, "edgertc-signald: cannot create the event loop (out of memory)\n");
        destroy_all(&d);
        return status;
    }
    d.pages = sd_static_files_create(o->web_dir);
    if (d.pages == NULL) {
        fprintf(stderr, "edgertc-signald: cannot open the web directory %s: %s\n",
                o->web_dir ? o->web_dir : "-", strerror(errno));
        destroy_all(&d);
        return status;
    }
    d.collider = sd_collider_create(d.loop);
    d.rooms = d.collider != NULL ? sd_room_server_create(&o->ice, d.collider) : NULL;
    if (d.rooms == NULL) {
        fprintf(stderr, "edgertc-signald: out of memory\n");
        destroy_all(&d);
        return status;
    }
    /* Collider's POST /bye to the room server (specs/apprtc.md §2.5), in process. */
    sd_collider_hooks_t hooks = {.on_client_removed = sd_room_server_on_collider_removed,
                                 .arg = d.rooms};
    sd_collider_set_hooks(d.collider, &hooks);
    ertc_io_init(&d.signal_io, signal_pipe[0], on_signal_pipe, NULL);
    ertc_io_start(d.loop, &d.signal_io, ERTC_IO_READ);

    /* Tried in order: the room server's names first, so that a relay path never shadows
     * them; the pages last, as the catch-all for GET. */
    const sd_route_t routes[] = {
        {"apprtc", sd_room_server_route, d.rooms},
        {"collider", sd_collider_route, d.collider},
        {"static", sd_static_files_route, d.pages},
    };
    sd_listener_t *listener = NULL;
    if (sd_server_listen(d.server, "apprtc", &o->listen, routes, sizeof(routes) / sizeof(routes[0]),
                         &listener, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "edgertc-signald: %s\n", err);
        destroy_all(&d);
        return status;
    }
    log_ice_config(o);
    ERTC_LOGI(TAG, "web pages from %s", o->web_dir != NULL ? o->web_dir : "(none)");
    printf("edgertc-signald: listening on http://%s\n", sd_listener_authority(listener));
    if (o->kvs.enabled && !start_kvs(&d, o, err, sizeof(err))) {
        fprintf(stderr, "edgertc-signald: kvs: %s\n", err);
        destroy_all(&d);
        return status;
    }
    fflush(stdout);

    ertc_loop_run(d.loop);
    ERTC_LOGI(TAG, "stopped; closing %zu connections", sd_server_connection_count(d.server));
    destroy_all(&d);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    sd_options_t opts;
    char err[320];
    if (!sd_options_parse(argc, argv, ERTC_SIGNALD_DEFAULT_WEB_DIR, &opts, err, sizeof(err))) {
        fprintf(stderr, "edgertc-signald: %s\n", err);
        return EXIT_BAD_FLAGS;
    }
    if (opts.help) {
        sd_options_print_help(stdout, ERTC_SIGNALD_DEFAULT_WEB_DIR);
        return EXIT_OK;
    }
    ertc_log_set_level(opts.log_level);
    return serve(&opts);
}
