/*
 * peer/dtls — a DTLS 1.2 transport (RFC 6347) with the DTLS-SRTP extension (RFC 5764) for one
 * peer connection, on mbedTLS 2.28, over datagrams handed in and out by the caller.
 *
 * There are no sockets here: the ICE layer classifies an incoming datagram as DTLS (RFC 7983:
 * first byte 20..63) and passes it to ertc_dtls_handle_packet; every datagram DTLS wants to
 * send goes to the send callback. Retransmissions (RFC 6347 §4.2.4) run on the loop's timers,
 * 1 s doubling up to 60 s, so nothing ever blocks.
 *
 * WebRTC profile (RFC 8827 §6.5, browser-interop.md): DTLS 1.2 only, ECDHE-ECDSA with
 * AES-128-GCM (the MUST) or CHACHA20-POLY1305, P-256 or X25519, extended master secret
 * (RFC 7627), use_srtp with SRTP_AES128_CM_HMAC_SHA1_80, records of at most 1200 bytes.
 * Both sides must present a certificate; it is accepted when its hash matches the SDP's
 * a=fingerprint (RFC 8122), never by a CA chain.
 *
 * Every function must be called on the loop's thread. The send callback must not call back
 * into the same ertc_dtls_t (queue the datagram instead); the event callback may call
 * ertc_dtls_send and ertc_dtls_close, but must not destroy the object (use
 * ertc_dtls_destroy later, e.g. from a posted call).
 */
#ifndef ERTC_PEER_DTLS_H
#define ERTC_PEER_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer/cert.h"
#include "port/loop.h"
#include "webrtc_status.h"

#define ERTC_DTLS_MTU                  1200 /* largest datagram we send (browser-interop.md) */
#define ERTC_DTLS_RETRANSMIT_MIN_MS    1000 /* RFC 6347 §4.2.4.1 initial timer */
#define ERTC_DTLS_RETRANSMIT_MAX_MS    60000
#define ERTC_DTLS_ERROR_LEN            256
#define ERTC_DTLS_SRTP_KEY_LEN         16     /* SRTP_AES128_CM_HMAC_SHA1_80 master key */
#define ERTC_DTLS_SRTP_SALT_LEN        14     /* and master salt */
#define ERTC_DTLS_SRTP_PROFILE_SHA1_80 0x0001 /* RFC 5764 §4.1.2 */

typedef enum { ERTC_DTLS_ROLE_CLIENT, ERTC_DTLS_ROLE_SERVER } ertc_dtls_role_t;

/* The state machine: NEW -(start or first packet)-> HANDSHAKING -> CONNECTED -> CLOSED,
 * and FAILED from HANDSHAKING or CONNECTED. CLOSED and FAILED are final. */
typedef enum {
    ERTC_DTLS_STATE_NEW,
    ERTC_DTLS_STATE_HANDSHAKING,
    ERTC_DTLS_STATE_CONNECTED,
    ERTC_DTLS_STATE_FAILED,
    ERTC_DTLS_STATE_CLOSED,
} ertc_dtls_state_t;

typedef enum {
    ERTC_DTLS_EVENT_CONNECTED, /* handshake done; srtp_profile says what was negotiated */
    ERTC_DTLS_EVENT_DATA,      /* application data (SCTP) received: data, len */
    ERTC_DTLS_EVENT_FAILED,    /* detail: a readable reason */
    ERTC_DTLS_EVENT_CLOSED,    /* the peer sent close_notify */
} ertc_dtls_event_type_t;

typedef struct {
    ertc_dtls_event_type_t type;
    const char *detail;    /* FAILED: why; CONNECTED: the cipher suite */
    const uint8_t *data;   /* DATA only; valid during the callback */
    size_t len;            /* DATA only */
    uint16_t srtp_profile; /* CONNECTED: the use_srtp profile (0 if the peer offered none) */
} ertc_dtls_event_t;

typedef struct ertc_dtls ertc_dtls_t;

/* A datagram to send to the peer. Return SUCCESS when it was sent or dropped (UDP: DTLS
 * retransmits), anything else fails the connection. */
typedef WEBRTC_STATUS (*ertc_dtls_send_cb)(void *arg, const uint8_t *data, size_t len);
typedef void (*ertc_dtls_event_cb)(void *arg, const ertc_dtls_event_t *event);

/* The SRTP master keys of both directions (RFC 5764 §4.2), by our role: local protects what
 * we send, remote unprotects what we receive. */
typedef struct {
    uint16_t profile;
    uint8_t local_key[ERTC_DTLS_SRTP_KEY_LEN];
    uint8_t local_salt[ERTC_DTLS_SRTP_SALT_LEN];
    uint8_t remote_key[ERTC_DTLS_SRTP_KEY_LEN];
    uint8_t remote_salt[ERTC_DTLS_SRTP_SALT_LEN];
} ertc_dtls_srtp_keys_t;

/*
 * cert: our certificate (a reference is taken). remote_fingerprint: the SDP's a=fingerprint
 * value ("sha-256 AB:..."); may be NULL when not known yet, then it must be given with
 * ertc_dtls_set_remote_fingerprint before the peer's certificate arrives.
 * The server role does not send HelloVerifyRequest cookies: ICE consent (STUN with the
 * short-term credentials from the SDP) already proves the peer's address, as in libwebrtc.
 */
WEBRTC_STATUS ertc_dtls_create(ertc_loop_t *loop, ertc_cert_t *cert, ertc_dtls_role_t role,
                               const char *remote_fingerprint, ertc_dtls_send_cb send_cb,
                               ertc_dtls_event_cb event_cb, void *arg, ertc_dtls_t **out);
void ertc_dtls_destroy(ertc_dtls_t *d);

WEBRTC_STATUS ertc_dtls_set_remote_fingerprint(ertc_dtls_t *d, const char *remote_fingerprint);
/* Largest datagram to send (default ERTC_DTLS_MTU); handshake messages are fragmented. */
WEBRTC_STATUS ertc_dtls_set_mtu(ertc_dtls_t *d, uint16_t mtu);

/* Starts the handshake: the client sends its ClientHello; the server waits for one (a server
 * also starts by itself on the first packet). */
WEBRTC_STATUS ertc_dtls_start(ertc_dtls_t *d);
/* An incoming DTLS datagram. Errors fail the connection (FAILED event) and are returned;
 * garbage records are dropped silently, as RFC 6347 §4.1.2.7 asks. */
WEBRTC_STATUS ertc_dtls_handle_packet(ertc_dtls_t *d, const uint8_t *buf, size_t len);
/* Application data (one SCTP packet) in one record. INVALID_OPERATION before CONNECTED. */
WEBRTC_STATUS ertc_dtls_send(ertc_dtls_t *d, const uint8_t *data, size_t len);
/* Sends close_notify and stops; no event is raised. */
void ertc_dtls_close(ertc_dtls_t *d);

ertc_dtls_state_t ertc_dtls_state(const ertc_dtls_t *d);
const char *ertc_dtls_state_name(ertc_dtls_state_t state);
const char *ertc_dtls_error(const ertc_dtls_t *d);
/* INVALID_OPERATION before CONNECTED or when no SRTP profile was negotiated. */
WEBRTC_STATUS ertc_dtls_srtp_keys(const ertc_dtls_t *d, ertc_dtls_srtp_keys_t *keys);

#endif
