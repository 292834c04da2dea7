/*
 * signald/kvs_emu — a local emulator of Amazon Kinesis Video Streams WebRTC signaling, served
 * by edgertc-signald on its own listener (--kvs HOST:PORT), for tests and development without
 * an AWS account. The wire behaviour follows specs/kvs-signaling.md; docs/signald.md (the KVS
 * section) describes what is emulated and how it differs.
 *
 *  - control plane (rest-json POSTs): DescribeSignalingChannel, CreateSignalingChannel,
 *    GetSignalingChannelEndpoint, DeleteSignalingChannel, and GetIceServerConfig on
 *    /v1/get-ice-server-config, with the service's errors and error shapes (kvs_control.c);
 *  - data plane: the presigned WebSocket connect (ConnectAsMaster / ConnectAsViewer) and the
 *    relay between a channel's master and its viewers (kvs_dataplane.c);
 *  - SigV4 checked on every call and connect against one configured key pair
 *    (kvs_sigv4_verify.c);
 *  - optional test hooks under /_test/ to send GO_AWAY or RECONNECT_ICE_SERVER, drop
 *    connections and read the channel state (kvs_hooks.c).
 */
#ifndef SIGNALD_KVS_EMU_H
#define SIGNALD_KVS_EMU_H

#include <stdbool.h>

#include "http_route.h"
#include "ice_config.h"

typedef struct sd_kvs sd_kvs_t;

typedef struct {
    const char *access_key_id;     /* the only key accepted */
    const char *secret_access_key; /* never logged */
    const char *region;            /* "us-west-2" */
    bool tls;                      /* endpoints handed out as wss:// and https:// */
    bool test_hooks;               /* serve /_test/... */
    const sd_ice_config_t *ice;    /* TURN URLs and secret for GetIceServerConfig */
} sd_kvs_config_t;

/* The strings in cfg (and *cfg->ice) must outlive the emulator. NULL when out of memory. */
sd_kvs_t *sd_kvs_create(const sd_kvs_config_t *cfg);

/* The listener's "host:port", for endpoints when a request's Host has no port. */
void sd_kvs_set_authority(sd_kvs_t *k, const char *authority);

/* The listener's only route. */
sd_route_result_t sd_kvs_route(void *ctx, const sd_http_request_t *req, sd_http_response_t *resp);

/* Frees channels and clients. Destroy the server first (its connections reach us). */
void sd_kvs_destroy(sd_kvs_t *k);

#endif
