/*
 * The conformance kit against the bridge backend (src/signaling/bridge): the streaming side's
 * signaling client, talking over a real bridge link to a real signaling device.
 *
 * What runs: edgertc-signald on 127.0.0.1; for each master (client 0) a fresh
 * "edgertc-device --mode signaling-only --bridge unix:PATH --signaling apprtc" joined to the
 * check's room, and this process's bridge client connected to it over the UNIX socket. The
 * master is the client under test: it is the bridge.
 *
 * webrtc_bridge is process-wide (one bridge client at a time), and the bridge is a one-sided
 * backend: it is always the device that answers, and a TRIGGER_OFFER arriving over the link
 * starts app_webrtc's own offer instead of reaching the client. So the kit's viewer (client 1,
 * the one that must receive TRIGGER_OFFER and offer) and spare are plain AppRTC clients in the
 * same room — the far peer, as a browser would be. The interface handed to the kit dispatches
 * each call to the backend of the client it was made on; it has exactly the bridge's members.
 *
 * Which checks exercise the bridge: required members and init(NULL) (bridge), connect states
 * and reconnect (bridge), offer/answer/candidates both ways (bridge receives the offer and a
 * candidate, sends the answer and a candidate), free with messages in flight (the bridge is
 * freed mid-burst), no callback after free (the bridge sends to a freed peer, then is freed),
 * outgoing garbage (one_sided: sent on the bridge master), ICE members (bridge:
 * get_ice_servers; get_ice_server_by_idx and is_ice_refresh_needed are NULL in the bridge).
 * Incoming garbage has no injection hook here (the far end is a real device that only forwards
 * what its backend parsed); link garbage is fuzzed instead (tests/fuzz/fuzz_bridge_frame.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apprtc_signaling.h"
#include "bridge_signaling.h"
#include "conformance.h"
#include "test_server.h"

#define DEVICE_READY_MS 20000

typedef struct {
    bool bridge;
    apprtc_signaling_config_t apprtc; /* when !bridge */
    bridge_signaling_config_t bc;     /* when bridge */
    pid_t device;                     /* the signaling device of this bridge client */
    char sock[96];
    char endpoint[104]; /* "unix:" + sock */
    char log[96];
} conf_t;

typedef struct {
    bool bridge;
    void *inner;
} client_t;

static test_server_t signald;
static char server_url[64];
static char tmpdir[64];
static unsigned device_seq;

static webrtc_signaling_client_if_t *iface_of(bool bridge)
{
    return bridge ? bridge_signaling_client_if_get() : apprtc_signaling_client_if_get();
}

/* ---- the signaling device ------------------------------------------------------------------ */

static bool file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        found = strstr(line, needle) != NULL;
    }
    fclose(f);
    return found;
}

static void stop_device(conf_t *c)
{
    if (c->device <= 0) {
        return;
    }
    kill(c->device, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(c->device, NULL, WNOHANG) == c->device) {
            c->device = 0;
            break;
        }
        usleep(100 * 1000);
    }
    if (c->device > 0) {
        printf("    [bridge] the signaling device did not stop on SIGTERM: killed\n");
        kill(c->device, SIGKILL);
        waitpid(c->device, NULL, 0);
        c->device = 0;
    }
    unlink(c->sock);
    unlink(c->log);
}

/* Starts the signaling device for `room`, listening on c->sock; returns once it is in the
 * room (so that the kit's viewer joins second and is asked to offer). */
static bool start_device(conf_t *c, const char *room)
{
    unsigned n = ++device_seq;
    snprintf(c->sock, sizeof(c->sock), "%s/link%u.sock", tmpdir, n);
    snprintf(c->log, sizeof(c->log), "%s/device%u.log", tmpdir, n);
    snprintf(c->endpoint, sizeof(c->endpoint), "unix:%s", c->sock);
    char *argv[] = {ERTC_DEVICE_PATH, "--mode",      "signaling-only", "--bridge", c->endpoint,
                    "--signaling",    "apprtc",      "--server",       server_url, "--room",
                    (char *)room,     "--log-level", "info",           NULL};
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return false;
    }
    if (pid == 0) {
        /* a check that fails skips free_config: the device must not outlive this test */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    c->device = pid;
    for (int waited = 0; waited < DEVICE_READY_MS; waited += 50) {
        if (file_has(c->log, "registered as")) {
            return true;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            c->device = 0;
            printf("    [bridge] the signaling device (%s) exited; its log:\n", argv[0]);
            break;
        }
        usleep(50 * 1000);
    }
    printf("    [bridge] the signaling device did not join room %s; log %s\n", room, c->log);
    FILE *f = fopen(c->log, "r");
    char line[512];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        printf("      %s", line);
    }
    if (f != NULL) {
        fclose(f);
    }
    stop_device(c);
    return false;
}

/* ---- the driver ---------------------------------------------------------------------------- */

static void *make_config(const char *room, int index)
{
    conf_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->bridge = index == 0;
    if (!c->bridge) {
        c->apprtc.serverUrl = server_url;
        c->apprtc.roomId = strdup(room);
        c->apprtc.connectionTimeout = 5000;
        if (c->apprtc.roomId == NULL) {
            free(c);
            return NULL;
        }
        return c;
    }
    c->bc.client_id = "conformance-bridge";
    /* The previous bridge client is freed (the kit starts the master first); its link goes. */
    webrtc_bridge_stop();
    if (!start_device(c, room)) {
        free(c);
        return NULL;
    }
    if (webrtc_bridge_configure(c->endpoint, false) != WEBRTC_STATUS_SUCCESS) {
        stop_device(c);
        free(c);
        return NULL;
    }
    return c;
}

static void free_config(void *cfg)
{
    conf_t *c = cfg;
    if (c->bridge) {
        webrtc_bridge_stop(); /* before the far end goes, so no reconnect loop outlives it */
        stop_device(c);
    } else {
        free(c->apprtc.roomId);
    }
    free(c);
}

/* ---- the interface handed to the kit: each call goes to its client's backend --------------- */

static WEBRTC_STATUS d_init(void *cfg, void **out)
{
    conf_t *c = cfg;
    if (c == NULL || out == NULL) {
        return bridge_signaling_client_if_get()->init(cfg, out); /* the bridge's answer */
    }
    client_t *cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    cl->bridge = c->bridge;
    WEBRTC_STATUS st =
        iface_of(c->bridge)->init(c->bridge ? (void *)&c->bc : (void *)&c->apprtc, &cl->inner);
    if (st != WEBRTC_STATUS_SUCCESS) {
        free(cl);
        return st;
    }
    *out = cl;
    return WEBRTC_STATUS_SUCCESS;
}

#define CL(x) ((client_t *)(x))
/* A member missing in the client's backend answers INVALID_OPERATION. */
#define CALL(client, member, ...)                                                                  \
    ((client) == NULL ? WEBRTC_STATUS_NULL_ARG                                                     \
     : iface_of(CL(client)->bridge)->member == NULL                                                \
         ? WEBRTC_STATUS_INVALID_OPERATION                                                         \
         : iface_of(CL(client)->bridge)->member(CL(client)->inner, __VA_ARGS__))

static WEBRTC_STATUS d_connect(void *client)
{
    return client == NULL ? WEBRTC_STATUS_NULL_ARG
                          : iface_of(CL(client)->bridge)->connect(CL(client)->inner);
}

static WEBRTC_STATUS d_disconnect(void *client)
{
    return client == NULL ? WEBRTC_STATUS_NULL_ARG
                          : iface_of(CL(client)->bridge)->disconnect(CL(client)->inner);
}

static WEBRTC_STATUS d_send(void *client, esp_webrtc_signaling_message_t *m)
{
    return CALL(client, send_message, m);
}

static WEBRTC_STATUS d_free(void *client)
{
    if (client == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    WEBRTC_STATUS st = iface_of(CL(client)->bridge)->free(CL(client)->inner);
    free(client);
    return st;
}

static WEBRTC_STATUS
d_set_callbacks(void *client, uint64_t custom,
                WEBRTC_STATUS (*on_msg)(uint64_t, esp_webrtc_signaling_message_t *),
                WEBRTC_STATUS (*on_state)(uint64_t, webrtc_signaling_client_state_t),
                WEBRTC_STATUS (*on_error)(uint64_t, WEBRTC_STATUS, char *, uint32_t))
{
    return CALL(client, set_callbacks, custom, on_msg, on_state, on_error);
}

static WEBRTC_STATUS d_set_role(void *client, webrtc_signaling_channel_role_type_t role)
{
    return CALL(client, set_role_type, role);
}

static WEBRTC_STATUS d_get_ice(void *client, uint32_t *count, void *servers)
{
    return CALL(client, get_ice_servers, count, servers);
}

static WEBRTC_STATUS d_get_ice_by_idx(void *client, int idx, bool use_turn, uint8_t **data,
                                      int *len, bool *more)
{
    return CALL(client, get_ice_server_by_idx, idx, use_turn, data, len, more);
}

static WEBRTC_STATUS d_refresh_needed(void *client, bool *needed)
{
    return CALL(client, is_ice_refresh_needed, needed);
}

/* Exactly the bridge's members: each is present here if and only if the bridge has it, so
 * check_required_members and check_ice_members see the bridge's shape. */
static webrtc_signaling_client_if_t *get_if(void)
{
    static webrtc_signaling_client_if_t iface;
    const webrtc_signaling_client_if_t *b = bridge_signaling_client_if_get();
    iface = (webrtc_signaling_client_if_t){
        .init = b->init != NULL ? d_init : NULL,
        .connect = b->connect != NULL ? d_connect : NULL,
        .disconnect = b->disconnect != NULL ? d_disconnect : NULL,
        .send_message = b->send_message != NULL ? d_send : NULL,
        .free = b->free != NULL ? d_free : NULL,
        .set_callbacks = b->set_callbacks != NULL ? d_set_callbacks : NULL,
        .set_role_type = b->set_role_type != NULL ? d_set_role : NULL,
        .get_ice_servers = b->get_ice_servers != NULL ? d_get_ice : NULL,
        .get_ice_server_by_idx = b->get_ice_server_by_idx != NULL ? d_get_ice_by_idx : NULL,
        .is_ice_refresh_needed = b->is_ice_refresh_needed != NULL ? d_refresh_needed : NULL,
        /* refresh_ice_configuration and set_ice_update_callback: not used by the kit */
    };
    return &iface;
}

/* ---- a bridge-specific check after the kit: ICE servers pulled over the link -------------- */

static pthread_mutex_t ice_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t ice_updates, ice_last;

static WEBRTC_STATUS ice_on_msg(uint64_t custom, esp_webrtc_signaling_message_t *m)
{
    (void)custom;
    (void)m;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS ice_on_state(uint64_t custom, webrtc_signaling_client_state_t s)
{
    (void)custom;
    (void)s;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS ice_on_update(uint64_t custom, uint32_t count)
{
    (void)custom;
    pthread_mutex_lock(&ice_mu);
    ice_updates++;
    ice_last = count;
    pthread_mutex_unlock(&ice_mu);
    return WEBRTC_STATUS_SUCCESS;
}

/* signald hands out one STUN and one TURN URL; the bridge client must pull both by index
 * (STUN announced first, then both), with the TURN credentials filled in. */
static int check_ice_servers_pulled(void)
{
    webrtc_signaling_client_if_t *sig = bridge_signaling_client_if_get();
    conf_t *cfg = make_config("confbridge-ice", 0);
    void *client = NULL;
    int fail = cfg == NULL || sig->init(&cfg->bc, &client) != WEBRTC_STATUS_SUCCESS;
    if (!fail) {
        sig->set_callbacks(client, 1, ice_on_msg, ice_on_state, NULL);
        sig->set_ice_update_callback(client, 1, ice_on_update);
        fail = sig->connect(client) != WEBRTC_STATUS_SUCCESS;
    }
    uint32_t last = 0;
    for (int i = 0; !fail && i < 200 && last < 2; i++) {
        usleep(50 * 1000);
        pthread_mutex_lock(&ice_mu);
        last = ice_last;
        pthread_mutex_unlock(&ice_mu);
    }
    app_webrtc_ice_server_t servers[APP_WEBRTC_MAX_ICE_SERVERS_COUNT];
    uint32_t n = 0;
    if (!fail && (last != 2 || sig->get_ice_servers(client, &n, servers) != 0 || n != 2 ||
                  strncmp(servers[0].urls, "stun:127.0.0.1:3478", 19) != 0 ||
                  strncmp(servers[1].urls, "turn:127.0.0.1:3478", 19) != 0 ||
                  servers[1].username[0] == '\0' || servers[1].credential[0] == '\0')) {
        printf("    ice: expected STUN then TURN with credentials; update said %u, got %u\n",
               (unsigned)last, (unsigned)n); /* never the credentials themselves */
        fail = 1;
    }
    explicit_bzero(servers, sizeof(servers));
    if (client != NULL) {
        sig->free(client);
    }
    if (cfg != NULL) {
        free_config(cfg);
    }
    printf("%s ice: STUN and TURN (with credentials) pulled over the bridge, %u update(s)\n",
           fail ? "[  FAILED  ]" : "[       OK ]", (unsigned)ice_updates);
    return fail;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a far end that went away must not kill the test */
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ertc-confbridge-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    /* No TURN server runs: the URLs are only handed out (the kit never connects media). */
    char secret[40];
    snprintf(secret, sizeof(secret), "conf-%ld-%d", (long)time(NULL), (int)getpid());
    char *argv[] = {ERTC_SIGNALD_PATH,
                    "--listen",
                    "127.0.0.1:0",
                    "--stun",
                    "stun:127.0.0.1:3478",
                    "--turn",
                    "turn:127.0.0.1:3478?transport=udp",
                    "--turn-secret",
                    secret,
                    NULL};
    if (test_server_start_line(&signald, argv, "listening on http://127.0.0.1:") != 0) {
        rmdir(tmpdir);
        return 1;
    }
    snprintf(server_url, sizeof(server_url), "http://127.0.0.1:%u", (unsigned)signald.port);
    const conformance_backend_t bridge = {
        .name = "bridge",
        .get_if = get_if,
        .make_config = make_config,
        .free_config = free_config,
        .inject_malformed = NULL, /* link garbage is fuzzed: tests/fuzz/fuzz_bridge_frame.c */
        .one_sided = true,        /* only client 0 is a bridge client */
    };
    int failed = conformance_run(&bridge);
    failed += check_ice_servers_pulled();
    webrtc_bridge_stop();
    test_server_stop(&signald);
    /* what a failed check left behind (its device dies with us: PR_SET_PDEATHSIG) */
    for (unsigned i = 1; i <= device_seq; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/link%u.sock", tmpdir, i);
        unlink(path);
        snprintf(path, sizeof(path), "%s/device%u.log", tmpdir, i);
        unlink(path);
    }
    rmdir(tmpdir);
    return failed;
}
