/*
 * signald/kvs_state — the KVS emulator's channels and connected clients, shared by its
 * modules (kvs_emu.c, kvs_control.c, kvs_dataplane.c, kvs_hooks.c). Not for other modules.
 *
 * A channel has at most one master and SD_KVS_MAX_VIEWERS viewers, each a kvs_client_t
 * owned by its WebSocket: the client is created when the upgrade is accepted, gets its
 * socket in on_open and is freed in on_close. A client replaced (a newer master, a viewer
 * reconnecting with the same id) or whose channel is deleted is detached (channel NULL)
 * and its socket closed; on_close then frees it.
 */
#ifndef SIGNALD_KVS_STATE_H
#define SIGNALD_KVS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvs_emu.h"
#include "kvs_message.h"
#include "net/ws_frame.h"
#include "server.h"
#include "ws_conn.h"

/* Bounds (the service's own where it has one). */
#define SD_KVS_MAX_CHANNELS  256 /* more: AccountChannelLimitExceededException */
#define SD_KVS_MAX_VIEWERS   10  /* the service's soft limit: ClientLimitExceededException */
#define SD_KVS_MAX_NAME_LEN  256
#define SD_KVS_MAX_ARN_LEN   512
#define SD_KVS_MAX_BODY      (64 * 1024)
#define SD_KVS_ACCOUNT       "111122223333" /* AWS's documentation account id */
#define SD_KVS_DEFAULT_TTL_S 60
#define SD_KVS_ICE_TTL_S     300 /* GetIceServerConfig's Ttl, as the service's */
/* Messages from viewers kept for a master that is not connected (the service keeps them
 * for MessageTtlSeconds): at most this many per channel, and this many bytes. More are
 * refused with a STATUS_RESPONSE. */
#define SD_KVS_MAX_PENDING       32
#define SD_KVS_MAX_PENDING_BYTES (256 * 1024)

typedef struct kvs_channel kvs_channel_t;

/* An event for the master, formatted, waiting until it connects or expires_ms passes. */
typedef struct kvs_pending {
    struct kvs_pending *next;
    uint64_t expires_ms; /* monotonic */
    size_t len;
    char text[]; /* len bytes */
} kvs_pending_t;

typedef struct kvs_client {
    sd_kvs_t *emu;
    kvs_channel_t *channel; /* NULL once detached */
    sd_conn_t *ws;          /* NULL until the WebSocket opened */
    bool master;
    char id[KVS_MAX_ID_LEN + 1]; /* viewers: X-Amz-ClientId; masters: "" */
    struct kvs_client *next_dead; /* on sd_kvs.graveyard while a handler runs */
} kvs_client_t;

struct kvs_channel {
    kvs_channel_t *next;
    char name[SD_KVS_MAX_NAME_LEN + 1];
    char arn[SD_KVS_MAX_ARN_LEN];
    char version[21];
    uint64_t created_ms;
    uint32_t message_ttl_s;
    kvs_client_t *master;
    kvs_client_t *viewers[SD_KVS_MAX_VIEWERS];
    size_t n_viewers;
    kvs_pending_t *pending; /* oldest first */
    kvs_pending_t **pending_tail;
    size_t n_pending;
    size_t pending_bytes;
};

struct sd_kvs {
    sd_kvs_config_t cfg;
    char authority[64]; /* the listener's host:port */
    kvs_channel_t *channels;
    size_t n_channels;
    uint64_t messages_relayed;
    uint64_t messages_refused;
    /* A send inside a handler can fail and close a socket, whose on_close frees a client the
     * handler still holds (the sender or a recipient). While busy > 0 freed clients wait on
     * the graveyard and are freed when the outermost handler returns (kvs_reap). */
    unsigned busy;
    kvs_client_t *graveyard;
};

/* ---- kvs_emu.c: helpers for the route modules ---------------------------------------------- */

/* An AWS error answer: status, x-amzn-ErrorType: type, body {"<key>": message} where key is
 * "Message" for modelled errors and "message" for signature errors (lower_key). */
void kvs_respond_error(sd_http_response_t *resp, int status, const char *type, bool lower_key,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Checks the request's SigV4 signature (the Authorization header, or the presigned query);
 * false with a 403 in resp when it does not verify. */
bool kvs_check_auth(sd_kvs_t *k, const sd_http_request_t *req, sd_http_response_t *resp,
                    bool presigned);

kvs_channel_t *kvs_channel_by_name(sd_kvs_t *k, const char *name);
kvs_channel_t *kvs_channel_by_arn(sd_kvs_t *k, const char *arn);
/* Creates a channel (ACTIVE at once). NULL when out of memory. */
kvs_channel_t *kvs_channel_add(sd_kvs_t *k, const char *name, uint32_t ttl_s);
/* Closes its sockets, unlinks and frees it. */
void kvs_channel_remove(sd_kvs_t *k, kvs_channel_t *ch);

/* Detaches the client from its channel and closes its socket with code (freeing it then),
 * or frees it at once when it has no socket. */
void kvs_client_evict(kvs_client_t *c, uint16_t code, const char *reason);
/* Frees c now, or on the graveyard while a handler runs. */
void kvs_client_free(kvs_client_t *c);
/* Ends a handler (busy--) and frees the graveyard once none runs. */
void kvs_reap(sd_kvs_t *k);

/* ---- kvs_control.c -------------------------------------------------------------------------- */
/* DONE when path is a control-plane API. */
sd_route_result_t kvs_control_route(sd_kvs_t *k, const sd_http_request_t *req,
                                    sd_http_response_t *resp);

/* ---- kvs_dataplane.c ------------------------------------------------------------------------ */
/* The WebSocket connect (GET with Upgrade). */
void kvs_dataplane_connect(sd_kvs_t *k, const sd_http_request_t *req, sd_http_response_t *resp);
/* Sends a text frame to a client; false when it has no open socket or the send failed. */
bool kvs_client_send(kvs_client_t *c, const char *text, size_t len);

/* Keeps text for the channel's master; false when the bounds are reached. */
bool kvs_pending_add(kvs_channel_t *ch, const char *text, size_t len);
/* Sends what waits for the master that just connected, dropping expired messages. */
void kvs_pending_flush(kvs_channel_t *ch);
void kvs_pending_clear(kvs_channel_t *ch);

/* ---- kvs_hooks.c ------------------------------------------------------------------------ */
sd_route_result_t kvs_hooks_route(sd_kvs_t *k, const sd_http_request_t *req,
                                  sd_http_response_t *resp);

#endif
