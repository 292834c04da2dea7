/*
 * kvs_signaling.h — the Amazon Kinesis Video Streams (KVS) WebRTC signaling backend.
 *
 *     kvs_signaling_config_t cfg = {.pChannelName = "front-door", .awsRegion = "eu-west-1",
 *                                   .useIotCredentials = true, ...};
 *     app_cfg.signaling_client_if = kvs_signaling_client_if_get();
 *     app_cfg.signaling_cfg = &cfg;
 *
 * connect() finds the channel (DescribeSignalingChannel, CreateSignalingChannel when it is
 * missing), its endpoints for the role (GetSignalingChannelEndpoint) and the TURN servers
 * (GetIceServerConfig), then opens the SigV4-presigned WebSocket as MASTER or VIEWER. The
 * ARN and endpoints are cached (a file, or your storage) for 10 h, so a restart connects
 * without control-plane calls. The connection is kept up: a ping every 10 s, a fresh
 * connection before the service's 1-hour limit, reconnect with backoff after a drop or a
 * GO_AWAY, outgoing messages queued meanwhile. docs/kvs.md tells the whole story.
 *
 * Credentials, first match wins: useIotCredentials (the AWS IoT credentials provider over
 * mutual TLS); credentialsFilePath; awsAccessKey/awsSecretKey[/awsSessionToken]; the
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN environment variables.
 * Secrets are copied at init, wiped when freed and never logged.
 */
#ifndef KVS_SIGNALING_H
#define KVS_SIGNALING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_signaling_if.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KVS_SIGNALING_DEFAULT_REGION "us-west-2"
/* The cache file used when cacheFilePath is NULL (in the working folder, as the KVS SDK). */
#define KVS_SIGNALING_DEFAULT_CACHE_FILE ".edgertc_kvs_cache_v1.json"
/* A VIEWER receives the master's messages under this peer id, and sends to it. */
#define KVS_SIGNALING_MASTER_PEER_ID "MASTER"

/*
 * Where the channel-info cache lives. load gives a copy of the whole text (*data from
 * malloc, freed by the caller with free) or NOT_FOUND when there is none; save replaces it
 * atomically. The file implementation is kvs_signaling_file_storage(); on ESP an NVS blob.
 */
typedef struct {
    WEBRTC_STATUS (*load)(void *ctx, char **data, size_t *len);
    WEBRTC_STATUS (*save)(void *ctx, const char *data, size_t len);
    void *ctx;
} kvs_signaling_storage_t;

/* A storage over the file at path (written to a temporary file, fsynced, renamed). path is
 * copied; free the storage with kvs_signaling_file_storage_free. NULL on failure. */
kvs_signaling_storage_t *kvs_signaling_file_storage(const char *path);
void kvs_signaling_file_storage_free(kvs_signaling_storage_t *storage);

typedef struct {
    /* the seed's fields */
    char *pChannelName; /* [a-zA-Z0-9_.-]{1,256}; required */
    char *awsRegion;    /* NULL = KVS_SIGNALING_DEFAULT_REGION */
    char *caCertPath;   /* CA file or folder for https/wss; NULL = the system bundle */
    bool useIotCredentials;
    char *iotCoreCredentialEndpoint; /* "<id>.credentials.iot.<region>.amazonaws.com[:port]"
                                        or a full "https://host[:port]" */
    char *iotCoreCert;               /* PEM file of the device certificate */
    char *iotCorePrivateKey;         /* PEM file of its key */
    char *iotCoreRoleAlias;
    char *iotCoreThingName;
    char *awsAccessKey;
    char *awsSecretKey;
    char *awsSessionToken;

    /* edgertc additions */
    /* The control plane, "https://host[:port]"; NULL = https://kinesisvideo.<region>.amazonaws.com
     * (".com.cn" for cn- regions). Plain http:// (and ws:// endpoints it returns) only to a
     * loopback address. With an override no public STUN server is added. */
    char *controlPlaneUrl;
    char *credentialsFilePath; /* "CREDENTIALS <akid> [<expiration>] <secret> [<token>]" */
    char *clientId;            /* VIEWER's client id; NULL = a random one */
    char *cacheFilePath;       /* NULL = KVS_SIGNALING_DEFAULT_CACHE_FILE, "" = no file */
    kvs_signaling_storage_t *cacheStorage; /* replaces cacheFilePath when set */
    uint32_t messageTtlSeconds;            /* for CreateSignalingChannel: 0 = 60, else 5..120 */
    uint32_t
        connectionTimeout; /* ms for the whole connect (control plane + WebSocket); 0 = 15000 */
    uint32_t
        connectionLifetimeS; /* reconnect after this long; 0 = 3300 (the service cuts at 1 h) */
    uint32_t logLevel;       /* 0 = leave the log level alone */
} kvs_signaling_config_t;

webrtc_signaling_client_if_t *kvs_signaling_client_if_get(void);

/* Counters for diagnostics and tests; any of them may be read at any time. */
typedef struct {
    uint32_t control_plane_calls; /* Describe, Create, GetEndpoint (not GetIceServerConfig) */
    uint32_t ice_config_calls;
    uint32_t cache_hits;         /* connects that skipped Describe and GetEndpoint */
    uint32_t credential_fetches; /* IoT or file provider reads */
    uint32_t connects;           /* WebSocket connections opened */
    uint32_t reconnects;
    uint32_t messages_sent;
    uint32_t messages_received;
    uint32_t messages_dropped; /* bad incoming frames: bad JSON, base64, size, unknown type */
    uint32_t status_responses;
    uint32_t queued; /* outgoing messages waiting now */
} kvs_signaling_stats_t;

WEBRTC_STATUS kvs_signaling_get_stats(void *pSignalingClient, kvs_signaling_stats_t *out);

/*
 * Deletes the channel (DeleteSignalingChannel; one that is already gone counts as deleted)
 * and its cache entry. Blocks until done (at most connectionTimeout); call it while
 * disconnected, not from a signaling callback. On failure msg (optional) gets the reason.
 */
WEBRTC_STATUS kvs_signaling_delete_channel(void *pSignalingClient, char *msg, size_t msg_size);

#ifdef __cplusplus
}
#endif

#endif
