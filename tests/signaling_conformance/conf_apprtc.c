/*
 * The conformance kit against the AppRTC backend (src/signaling/apprtc) through the real
 * edgertc-signald started on 127.0.0.1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apprtc_signaling.h"
#include "conformance.h"
#include "test_server.h"

static test_server_t signald;
static char server_url[64];

static void *make_config(const char *room, int index)
{
    (void)index; /* AppRTC gives each client its own id */
    apprtc_signaling_config_t *c = calloc(1, sizeof(*c));
    if (c != NULL) {
        c->serverUrl = server_url;
        c->roomId = strdup(room);
        c->connectionTimeout = 5000;
    }
    return c;
}

static void free_config(void *cfg)
{
    apprtc_signaling_config_t *c = cfg;
    free(c->roomId);
    free(c);
}

int main(void)
{
    char *argv[] = {ERTC_SIGNALD_PATH, "--listen", "127.0.0.1:0", NULL};
    if (test_server_start_line(&signald, argv, "listening on http://127.0.0.1:") != 0) {
        return 1;
    }
    snprintf(server_url, sizeof(server_url), "http://127.0.0.1:%u", (unsigned)signald.port);
    const conformance_backend_t apprtc = {
        .name = "apprtc",
        .get_if = apprtc_signaling_client_if_get,
        .make_config = make_config,
        .free_config = free_config,
        .inject_malformed = NULL, /* garbage from the server is fuzzed: tests/fuzz/fuzz_apprtc.c */
    };
    int failed = conformance_run(&apprtc);
    test_server_stop(&signald);
    return failed;
}
