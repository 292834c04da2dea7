/*
 * The conformance kit against the KVS backend (src/signaling/kvs) through the KVS emulator of
 * the real edgertc-signald (--kvs, plain HTTP on 127.0.0.1; SigV4 checked on every call).
 * Client 0 is the channel's master, clients 1 and 2 are viewers with their own client ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "kvs_signaling.h"
#include "test_server.h"

#define ACCESS_KEY "AKIDCONFORMANCE0001"
#define SECRET_KEY "conformance/secret/key/not/a/real/one00"

static test_server_t signald;
static char control_url[64];

typedef struct {
    kvs_signaling_config_t kvs;
    char channel[80];
    char client_id[32];
} conf_kvs_t;

static void *make_config(const char *room, int index)
{
    conf_kvs_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    snprintf(c->channel, sizeof(c->channel), "conf-%s", room);
    snprintf(c->client_id, sizeof(c->client_id), "viewer-%d", index);
    c->kvs.pChannelName = c->channel;
    c->kvs.awsRegion = "us-west-2";
    c->kvs.awsAccessKey = ACCESS_KEY;
    c->kvs.awsSecretKey = SECRET_KEY;
    c->kvs.controlPlaneUrl = control_url;
    c->kvs.clientId = index == 0 ? NULL : c->client_id;
    c->kvs.cacheFilePath = ""; /* no cache file: every client asks the emulator */
    return &c->kvs;
}

static void free_config(void *cfg)
{
    free(cfg); /* kvs is the first member of conf_kvs_t */
}

int main(void)
{
    char *argv[] = {ERTC_SIGNALD_PATH, "--listen", "127.0.0.1:0", "--kvs", "127.0.0.1:0",
                    "--kvs-access-key", ACCESS_KEY, "--kvs-secret-key", SECRET_KEY, NULL};
    if (test_server_start_line(&signald, argv, "kvs listening on http://127.0.0.1:") != 0) {
        return 1;
    }
    snprintf(control_url, sizeof(control_url), "http://127.0.0.1:%u", (unsigned)signald.port);
    const conformance_backend_t kvs = {
        .name = "kvs",
        .get_if = kvs_signaling_client_if_get,
        .make_config = make_config,
        .free_config = free_config,
        .inject_malformed = NULL, /* garbage from the service is fuzzed: fuzz_kvs_message.c */
    };
    int failed = conformance_run(&kvs);
    test_server_stop(&signald);
    return failed;
}
