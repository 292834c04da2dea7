/*
 * peer/pc_if_ice — ICE servers for the peer-connection interface: the app_webrtc_ice_server_t
 * records app_webrtc passes to set_ice_servers, parsed (RFC 7064 stun/stuns URIs, RFC 7065
 * turn/turns URIs) and turned into the STUN and TURN server tables of ertc_pc_config_t.
 *
 *   stun:host[:port]                 -> a STUN server (default port 3478)
 *   turn:host[:port][?transport=udp] -> a TURN server over UDP with the record's username
 *                                       and credential (default port 3478)
 *   turn:...?transport=tcp, turns:, stuns:  -> not supported yet: skipped with a warning
 *
 * Hosts are IPv4 literals, [IPv6] literals or names. Literals go into the table at once;
 * names are resolved (IPv4, like the ICE agent's candidates) by a resolver thread, because
 * getaddrinfo may block for seconds; the peer-connection client collects the result without
 * waiting (ertc_pc_if_resolver_poll) and uses it for the sessions it creates afterwards.
 *
 * Credentials are copied, never logged, and zeroed when a table or resolver is freed.
 * ertc_pc_if_parse_ice_url is fuzzed (tests/fuzz/fuzz_pc_if_ice_url.c): ICE server URLs come
 * from signaling services.
 */
#ifndef ERTC_PEER_PC_IF_ICE_H
#define ERTC_PEER_PC_IF_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app_webrtc_if.h"
#include "peer/ice_agent.h"
#include "port/socket.h"
#include "webrtc_status.h"

#define ERTC_PC_IF_ICE_DEFAULT_PORT     3478 /* RFC 8489 §18.6, RFC 8656 */
#define ERTC_PC_IF_ICE_DEFAULT_TLS_PORT 5349
#define ERTC_PC_IF_ICE_MAX_HOST         255
#define ERTC_PC_IF_ICE_MAX_NAMES        APP_WEBRTC_MAX_ICE_SERVERS_COUNT

typedef enum {
    ERTC_ICE_URL_STUN = 0,
    ERTC_ICE_URL_STUNS,
    ERTC_ICE_URL_TURN,
    ERTC_ICE_URL_TURNS,
} ertc_ice_url_scheme_t;

typedef struct {
    ertc_ice_url_scheme_t scheme;
    char host[ERTC_PC_IF_ICE_MAX_HOST + 1]; /* without brackets */
    bool host_is_literal;                   /* an IPv4 or IPv6 address */
    uint16_t port;
    bool transport_tcp; /* ?transport=tcp */
} ertc_ice_url_t;

/* Parses url[0..len). MALFORMED (reason in err) for anything but the forms above. */
WEBRTC_STATUS ertc_pc_if_parse_ice_url(const char *url, size_t len, ertc_ice_url_t *out, char *err,
                                       size_t err_size);

/* The servers a session's ICE agent gets. */
typedef struct {
    ertc_addr_t stun[ERTC_ICE_MAX_STUN_SERVERS];
    size_t stun_count;
    ertc_ice_turn_server_t turn[ERTC_ICE_MAX_TURN_SERVERS];
    size_t turn_count;
} ertc_pc_if_ice_set_t;

/* A server whose host is a name, waiting for resolution. */
typedef struct {
    bool is_turn;
    char host[ERTC_PC_IF_ICE_MAX_HOST + 1];
    uint16_t port;
    char username[ERTC_ICE_TURN_MAX_CRED + 1];
    char password[ERTC_ICE_TURN_MAX_CRED + 1];
} ertc_pc_if_ice_name_t;

/*
 * Sorts count records into set (literal hosts) and names[] (to resolve; *name_count of
 * ERTC_PC_IF_ICE_MAX_NAMES). TURN records are skipped when !use_turn. Unsupported or
 * malformed records, and records past the table sizes, are skipped with a warning naming
 * the URL's scheme and host (never the credentials). Returns how many records were used.
 */
size_t ertc_pc_if_ice_prepare(const app_webrtc_ice_server_t *servers, uint32_t count, bool use_turn,
                              ertc_pc_if_ice_set_t *set, ertc_pc_if_ice_name_t *names,
                              size_t *name_count);

/* Adds one resolved server to set; LIMIT_EXCEEDED when its table is full. */
WEBRTC_STATUS ertc_pc_if_ice_set_add(ertc_pc_if_ice_set_t *set, const ertc_pc_if_ice_name_t *name,
                                     const ertc_addr_t *addr);
/* Zeroes credentials. */
void ertc_pc_if_ice_set_clear(ertc_pc_if_ice_set_t *set);

typedef struct ertc_pc_if_resolver ertc_pc_if_resolver_t;

/* Resolves names[0..count) on a thread of its own. */
WEBRTC_STATUS ertc_pc_if_resolver_start(const ertc_pc_if_ice_name_t *names, size_t count,
                                        ertc_pc_if_resolver_t **out);
/* True when done: the resolved servers are added to set (once). Never blocks. */
bool ertc_pc_if_resolver_poll(ertc_pc_if_resolver_t *r, ertc_pc_if_ice_set_t *set);
/* Waits for the thread (a lookup in progress finishes first) and frees. NULL is fine. */
void ertc_pc_if_resolver_free(ertc_pc_if_resolver_t *r);

#endif
