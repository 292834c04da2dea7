/*
 * peer/turn_client — one TURN allocation over UDP (RFC 8656) for the ICE agent.
 *
 * The client owns no socket and no timer: the agent gives it the datagrams that came from the
 * server (ertc_turn_client_handle), calls ertc_turn_client_tick every Ta with the current
 * time, and the client sends through the send callback (the agent's host socket, so the
 * allocation's 5-tuple is that socket and the server). This keeps the protocol testable with
 * crafted messages and no network.
 *
 * What it does:
 *  - Allocate (§7.1) with REQUESTED-TRANSPORT UDP, first without credentials; a 401 with
 *    REALM and NONCE gives the long-term key MD5(username:realm:password) (RFC 8489 §9.2.2)
 *    and an authenticated retry; 438 Stale Nonce retries with the new nonce (at most
 *    TURN_MAX_STALE_RETRIES times in a row); a 401 after credentials, 403, 437, 486, 508,
 *    any other error or a timeout fails the allocation, logged with the server's reason.
 *  - Refresh (§7.2) before the lifetime ends (60 s before, or at half of a lifetime under
 *    two minutes), and Refresh with LIFETIME 0 on close (§7.2: deletes the allocation).
 *  - CreatePermission (§9) per peer IP address, refreshed every 4 minutes (lifetime 5).
 *  - ChannelBind (§11) on request (the agent binds the pair in use), refreshed every 9
 *    minutes (lifetime 10); Send indications (§10) carry data until the channel is bound,
 *    ChannelData (§12) after.
 *  - Data indications and ChannelData from the server come up through on_data.
 *
 * Success responses must carry a MESSAGE-INTEGRITY that verifies with the key; others are
 * ignored (a forged answer must not decide anything). Passwords are never logged.
 */
#ifndef ERTC_PEER_TURN_CLIENT_H
#define ERTC_PEER_TURN_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/stun.h"
#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_TURN_MAX_PERMISSIONS    16 /* peer IP addresses */
#define ERTC_TURN_MAX_CHANNELS       8
#define ERTC_TURN_MAX_TRANSACTIONS   8
#define ERTC_TURN_MAX_TEXT           255  /* REALM and NONCE bytes we keep; longer fails */
#define ERTC_TURN_MAX_CRED           255  /* username or password bytes */
#define ERTC_TURN_MAX_DATA           2048 /* payload of one Send indication or ChannelData */
#define ERTC_TURN_REQUESTED_LIFETIME 600  /* seconds asked for in Allocate and Refresh */

typedef enum {
    ERTC_TURN_STATE_IDLE = 0,
    ERTC_TURN_STATE_ALLOCATING,
    ERTC_TURN_STATE_ALLOCATED,
    ERTC_TURN_STATE_FAILED,
    ERTC_TURN_STATE_CLOSED,
} ertc_turn_state_t;

typedef struct {
    /* A datagram for the server. */
    void (*send)(void *arg, const uint8_t *buf, size_t len);
    /* The allocation exists: the relayed transport address, and our address as the server
     * saw it (XOR-MAPPED-ADDRESS; family 0 when the server sent none). */
    void (*on_allocated)(void *arg, const ertc_addr_t *relayed, const ertc_addr_t *mapped);
    /* The allocation failed or was lost (timeout, error, Refresh refused). */
    void (*on_failed)(void *arg);
    /* A CreatePermission for peer's IP succeeded (granted) or failed; called on the first
     * answer only, not on refreshes. */
    void (*on_permission)(void *arg, const ertc_addr_t *peer, bool granted);
    /* Data relayed from peer (Data indication or ChannelData). */
    void (*on_data)(void *arg, const ertc_addr_t *peer, const uint8_t *data, size_t len);
} ertc_turn_callbacks_t;

typedef struct {
    uint32_t requests_sent; /* retransmissions included */
    uint32_t allocations;   /* successful Allocates */
    uint32_t refreshes;     /* successful Refreshes */
    uint32_t permissions;   /* successful CreatePermissions, refreshes included */
    uint32_t channel_binds; /* successful ChannelBinds, refreshes included */
    uint32_t errors;        /* error responses other than the expected first 401 and 438 */
    uint32_t timeouts;      /* transactions that got no answer */
    uint32_t dropped;       /* unparsable, unauthentic or unexpected datagrams */
} ertc_turn_stats_t;

typedef enum {
    TURN_ENTRY_UNUSED = 0,
    TURN_ENTRY_WANTED,  /* request to send when a transaction slot is free */
    TURN_ENTRY_PENDING, /* request in flight, never granted yet */
    TURN_ENTRY_ACTIVE,  /* granted; may have a refresh in flight */
    TURN_ENTRY_FAILED,
} ertc_turn_entry_state_t;

typedef struct {
    ertc_addr_t peer; /* port ignored for permissions */
    ertc_turn_entry_state_t state;
    bool refreshing;
    uint16_t channel; /* channels only */
    uint64_t refresh_at_us;
} ertc_turn_entry_t;

typedef struct {
    bool used;
    uint8_t kind;  /* turn_tx_kind_t in turn_client.c */
    uint8_t entry; /* permission or channel index */
    bool authenticated;
    uint32_t lifetime; /* Refresh: the LIFETIME asked for */
    uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN];
    uint32_t tries;
    uint32_t rto_ms;
    uint64_t next_retx_us;
} ertc_turn_tx_t;

/* All state inline: no allocation; the agent embeds one per TURN server. */
typedef struct {
    char name[40]; /* for logs: "<agent> turn <server>" */
    ertc_addr_t server;
    char username[ERTC_TURN_MAX_CRED + 1];
    char password[ERTC_TURN_MAX_CRED + 1];
    char realm[ERTC_TURN_MAX_TEXT + 1];
    char nonce[ERTC_TURN_MAX_TEXT + 1];
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    bool have_key;
    uint32_t stale_retries;
    ertc_turn_callbacks_t cb;
    void *arg;
    uint32_t rto_ms;
    uint32_t max_tries;

    ertc_turn_state_t state;
    ertc_addr_t relayed;
    ertc_addr_t mapped;
    uint32_t lifetime_s;
    uint64_t refresh_at_us;
    bool refresh_in_flight;
    ertc_turn_entry_t permissions[ERTC_TURN_MAX_PERMISSIONS];
    ertc_turn_entry_t channels[ERTC_TURN_MAX_CHANNELS];
    uint16_t next_channel;
    ertc_turn_tx_t tx[ERTC_TURN_MAX_TRANSACTIONS];
    ertc_turn_stats_t stats;
    uint8_t out[ERTC_STUN_HEADER_LEN + 64 + ERTC_TURN_MAX_DATA];
} ertc_turn_client_t;

/* Sets up a client (no I/O yet). name is for logs. rto_ms/max_tries: retransmission of
 * requests (RFC 8489 §6.2.1). INVALID_ARG for credentials over ERTC_TURN_MAX_CRED bytes. */
WEBRTC_STATUS ertc_turn_client_init(ertc_turn_client_t *c, const char *name,
                                    const ertc_addr_t *server, const char *username,
                                    const char *password, uint32_t rto_ms, uint32_t max_tries,
                                    const ertc_turn_callbacks_t *cb, void *arg);

/* Sends the first Allocate. */
void ertc_turn_client_start(ertc_turn_client_t *c, uint64_t now_us);

/* Retransmissions, timeouts, refreshes of the allocation, permissions and channels. */
void ertc_turn_client_tick(ertc_turn_client_t *c, uint64_t now_us);

/* A datagram that came from the server's address. Returns true when it was TURN (a response,
 * a Data indication or ChannelData), consumed whether or not it was valid. */
bool ertc_turn_client_handle(ertc_turn_client_t *c, const uint8_t *buf, size_t len,
                             uint64_t now_us);

/* Asks for a permission for peer's IP (idempotent; on_permission reports the answer).
 * LIMIT_EXCEEDED when the table is full, INVALID_OPERATION when not allocated/allocating. */
WEBRTC_STATUS ertc_turn_client_permit(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                      uint64_t now_us);
bool ertc_turn_client_has_permission(const ertc_turn_client_t *c, const ertc_addr_t *peer);

/* Binds a channel to peer (idempotent). Data goes in Send indications until it is bound. */
WEBRTC_STATUS ertc_turn_client_bind_channel(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                            uint64_t now_us);
/* The bound channel number for peer, 0 when none. */
uint16_t ertc_turn_client_channel(const ertc_turn_client_t *c, const ertc_addr_t *peer);

/* Relays data to peer: ChannelData when a channel is bound, else a Send indication.
 * INVALID_OPERATION when not allocated, INVALID_ARG when over ERTC_TURN_MAX_DATA. */
WEBRTC_STATUS ertc_turn_client_send(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                    const uint8_t *data, size_t len);

/* Deletes the allocation (Refresh with LIFETIME 0, sent once, answer not awaited). */
void ertc_turn_client_close(ertc_turn_client_t *c);

const char *ertc_turn_state_name(ertc_turn_state_t state);

#endif
