/*
 * edgertc-device — a WebRTC camera (or viewer) on edgertc: app_webrtc with a signaling backend
 * chosen on the command line, edgertc's peer connection, and the media sources of src/media.
 *
 * Threads: main runs app_webrtc_run(); a signal thread waits for SIGINT/SIGTERM or the end of
 * --duration and calls app_webrtc_terminate(). Every other signal-sensitive thread inherits the
 * blocked mask set here first.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_webrtc.h"
#include "apprtc_signaling.h"
#include "bridge_mode.h"
#include "events.h"
#include "kvs_backend.h"
#include "media.h"
#include "options.h"
#include "registry.h"
#include "util/log.h"

typedef struct {
    pthread_t thread;
    sigset_t set;
    uint32_t duration_s;
    const char *reason; /* why we stopped, for the last status line */
} stopper_t;

/* Waits for SIGINT/SIGTERM, SIGUSR1 (main is done) or the deadline; then terminates. */
static void *stopper_main(void *arg)
{
    stopper_t *st = arg;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)st->duration_s;
    for (;;) {
        int sig;
        if (st->duration_s > 0) {
            struct timespec now, left;
            clock_gettime(CLOCK_MONOTONIC, &now);
            left.tv_sec = deadline.tv_sec - now.tv_sec;
            left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
            if (left.tv_nsec < 0) {
                left.tv_nsec += 1000000000L;
                left.tv_sec--;
            }
            if (left.tv_sec < 0) {
                st->reason = "--duration reached";
                break;
            }
            siginfo_t info;
            sig = sigtimedwait(&st->set, &info, &left);
            if (sig < 0) {
                continue; /* EAGAIN at the deadline (checked above) or EINTR */
            }
        } else if (sigwait(&st->set, &sig) != 0) {
            continue;
        }
        if (sig == SIGUSR1) {
            return NULL; /* app_webrtc_run returned on its own */
        }
        st->reason = sig == SIGINT ? "SIGINT" : "SIGTERM";
        break;
    }
    dev_events_status("stopping (%s)", st->reason);
    app_webrtc_terminate();
    return NULL;
}

/* "stun:..." / "turn:..." flags → app_webrtc's ICE server records. */
static uint32_t build_ice_servers(const dev_options_t *o, app_webrtc_ice_server_t *out,
                                  uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < o->n_stun && n < max; i++, n++) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].urls, sizeof(out[n].urls), "%s", o->stun[i]);
    }
    for (uint32_t i = 0; i < o->n_turn && n < max; i++, n++) {
        memset(&out[n], 0, sizeof(out[n]));
        snprintf(out[n].urls, sizeof(out[n].urls), "%s", o->turn[i]);
        snprintf(out[n].username, sizeof(out[n].username), "%s", o->turn_user);
        snprintf(out[n].credential, sizeof(out[n].credential), "%s", o->turn_pass);
    }
    return n;
}

static int exit_for_init_status(WEBRTC_STATUS status)
{
    switch (status) {
    case WEBRTC_STATUS_NULL_ARG:
    case WEBRTC_STATUS_INVALID_ARG:
    case WEBRTC_STATUS_MALFORMED: return DEV_EXIT_USAGE;
    default: return DEV_EXIT_FAILURE;
    }
}

int main(int argc, char **argv)
{
    dev_options_t o;
    char err[512] = "";
    int rc = dev_options_parse(argc, argv, &o, err, sizeof(err));
    if (rc < 0) {
        dev_options_print_help(stdout);
        return DEV_EXIT_OK;
    }
    if (rc != DEV_EXIT_OK) {
        fprintf(stderr, "edgertc-device: %s\n", err);
        return rc;
    }
    ertc_log_set_level((int)o.log_level);
    app_webrtc_set_log_level(o.log_level);

    if (o.signaling != DEV_SIGNALING_APPRTC && o.signaling != DEV_SIGNALING_REGISTERED &&
        !(o.signaling == DEV_SIGNALING_KVS && dev_kvs_backend_available()) &&
        !dev_bridge_mode_streaming(&o)) {
        fprintf(stderr, "edgertc-device: --signaling %s is not available in this build\n",
                dev_signaling_name(o.signaling));
        return DEV_EXIT_UNAVAILABLE;
    }
    dev_kvs_backend_t kvs = {0};
    if (o.signaling == DEV_SIGNALING_KVS && !dev_kvs_backend_init(&o, &kvs, err, sizeof(err))) {
        fprintf(stderr, "edgertc-device: %s\n", err);
        return DEV_EXIT_USAGE;
    }

    /* Block the stop signals before any thread exists, so only the stopper receives them. */
    stopper_t stopper = {.duration_s = o.duration_s, .reason = ""};
    sigemptyset(&stopper.set);
    sigaddset(&stopper.set, SIGINT);
    sigaddset(&stopper.set, SIGTERM);
    sigaddset(&stopper.set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &stopper.set, NULL);
    signal(SIGPIPE, SIG_IGN);

    dev_media_t media;
    if (!dev_media_open(&o, &media, err, sizeof(err))) {
        fprintf(stderr, "edgertc-device: %s\n", err);
        return DEV_EXIT_USAGE;
    }

    char what[300];
    if (o.signaling == DEV_SIGNALING_KVS) {
        snprintf(what, sizeof(what), "%s", kvs.what);
    } else {
        snprintf(what, sizeof(what), "room %s at %s", o.room ? o.room : "-",
                 o.server ? o.server : (o.signaling_name ? o.signaling_name : "-"));
    }
    dev_events_t events;
    if (!dev_events_open(&events, o.events_json, what)) {
        fprintf(stderr, "edgertc-device: --events-json \"%s\": %s\n", o.events_json,
                strerror(errno));
        dev_media_close(&media);
        return DEV_EXIT_USAGE;
    }

    apprtc_signaling_config_t apprtc = {
        .serverUrl = (char *)o.server,
        .roomId = (char *)o.room,
        .autoConnect = true,
        .caCertPath = (char *)o.ca_cert,
    };
    app_webrtc_ice_server_t ice[2 * DEV_MAX_ICE_URLS];
    uint32_t n_ice = build_ice_servers(&o, ice, 2 * DEV_MAX_ICE_URLS);

    app_webrtc_config_t cfg = WEBRTC_APP_CONFIG_DEFAULT();
    cfg.signaling_client_if = apprtc_signaling_client_if_get();
    cfg.signaling_cfg = &apprtc;
    if (o.signaling == DEV_SIGNALING_KVS) {
        cfg.signaling_client_if = kvs.client_if;
        cfg.signaling_cfg = &kvs.cfg;
    }
    dev_registry_sel_t reg = {0}; /* --signaling NAME of a registered backend (registry.c) */
    if (o.signaling == DEV_SIGNALING_REGISTERED) {
        rc = dev_registry_open(&o, ice, n_ice, &reg, err, sizeof(err));
        if (rc != DEV_EXIT_OK) {
            fprintf(stderr, "edgertc-device: %s\n", err);
            dev_events_close(&events);
            dev_media_close(&media);
            return rc;
        }
        cfg.signaling_client_if = reg.sig_if;
        cfg.signaling_cfg = reg.sig_cfg;
    }
    cfg.role_type = o.viewer ? WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER
                             : WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER;
    cfg.logLevel = o.log_level;
    cfg.max_sessions = o.max_sessions;
    cfg.ice_servers = n_ice > 0 ? ice : NULL;
    cfg.ice_server_count = n_ice;
    cfg.use_default_stun = false; /* the device never contacts a server it was not given */
    cfg.relay_only = o.relay_only;
    cfg.useTurn = o.n_turn > 0 || o.relay_only; /* TURN from --turn or the backend */
    cfg.video_capture = media.video_capture;
    cfg.audio_capture = media.audio_capture;
    cfg.video_player = media.video_player;
    cfg.audio_player = media.audio_player;
    cfg.receive_media = o.receive_dir != NULL;
    cfg.mediaType = media.media_type;
    cfg.implementation_config = dev_media_pc_config(&media);

    app_webrtc_register_event_callback(dev_events_handle, &events);
    WEBRTC_STATUS status = dev_bridge_mode_apply(&o, &cfg); /* --mode, --bridge */
    if (status == WEBRTC_STATUS_SUCCESS) {
        status = app_webrtc_init(&cfg);
    }
    memset(ice, 0, sizeof(ice)); /* app_webrtc keeps its own copy; drop the TURN password */
    if (status != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "edgertc-device: could not start: %s (status %u); see the log above\n",
                webrtc_status_name(status), (unsigned)status);
        dev_events_close(&events);
        dev_media_close(&media);
        dev_registry_close(&reg);
        return exit_for_init_status(status);
    }
    if (!o.viewer && o.signaling == DEV_SIGNALING_APPRTC) {
        dev_events_status("viewer page: %s/r/%s", o.server, o.room);
    }
    if (pthread_create(&stopper.thread, NULL, stopper_main, &stopper) != 0) {
        fprintf(stderr, "edgertc-device: cannot start the signal thread\n");
        app_webrtc_terminate();
        dev_events_close(&events);
        dev_media_close(&media);
        dev_registry_close(&reg);
        return DEV_EXIT_FAILURE;
    }

    status = app_webrtc_run();

    pthread_kill(stopper.thread, SIGUSR1);
    pthread_join(stopper.thread, NULL);
    dev_media_report(&media);
    dev_media_close(&media);
    dev_events_close(&events);
    dev_registry_close(&reg); /* app_webrtc_run has freed the signaling client */
    if (status != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "edgertc-device: stopped with an error: %s (status %u)\n",
                webrtc_status_name(status), (unsigned)status);
        return DEV_EXIT_FAILURE;
    }
    dev_events_status("stopped; %u peer connection(s) made", (unsigned)events.peers_connected);
    return DEV_EXIT_OK;
}
