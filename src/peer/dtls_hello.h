/*
 * peer/dtls_hello — reassembles a ClientHello that arrives in fragments (RFC 6347 §4.2.3)
 * before the DTLS server sees it.
 *
 * Browsers that offer DTLS 1.3 with post-quantum key shares (Chromium 156, Firefox 146+) send
 * ClientHellos larger than one datagram, split into handshake fragments. mbedTLS 2.28's
 * server reads the ClientHello from the first record alone and refuses a fragment, but
 * accepts the same message in one record (it skips the unknown extensions and answers with
 * DTLS 1.2). So the fragments of the first handshake message (epoch 0, message_seq of the
 * first fragment, type client_hello) are collected here and handed on as one record holding
 * the whole message, which is what RFC 6347 says the handshake hash covers anyway.
 *
 * Pure: bytes in, bytes out, no I/O. Memory: one buffer of the announced message length
 * (at most ERTC_DTLS_HELLO_MAX_LEN), freed once the message is complete.
 */
#ifndef ERTC_PEER_DTLS_HELLO_H
#define ERTC_PEER_DTLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

#define ERTC_DTLS_RECORD_HEADER_LEN    13
#define ERTC_DTLS_HANDSHAKE_HEADER_LEN 12
/* Largest ClientHello reassembled: a PQC hybrid key share makes ~1.5 KiB; 16 KiB is ample. */
#define ERTC_DTLS_HELLO_MAX_LEN (16 * 1024)

typedef enum {
    ERTC_DTLS_HELLO_PASS,  /* not ClientHello fragments: hand the datagram on unchanged */
    ERTC_DTLS_HELLO_HOLD,  /* fragments kept: nothing to hand on yet */
    ERTC_DTLS_HELLO_READY, /* *out holds one record with the whole ClientHello */
} ertc_dtls_hello_verdict_t;

typedef struct {
    uint8_t *body; /* the message being assembled, msg_len bytes */
    uint8_t *have; /* one bit per body byte received */
    uint8_t *out;  /* the record handed out with READY, valid until the next call */
    size_t msg_len;
    size_t received; /* distinct body bytes received */
    uint16_t message_seq;
    uint8_t record_version[2];
    uint64_t record_seq; /* highest record sequence number among the fragments */
    bool active;
} ertc_dtls_hello_t;

void ertc_dtls_hello_init(ertc_dtls_hello_t *r);
/* Looks at one datagram. MALFORMED for a fragment that contradicts the others or overruns its
 * record (drop the datagram), LIMIT_EXCEEDED for a ClientHello over the limit. */
WEBRTC_STATUS ertc_dtls_hello_feed(ertc_dtls_hello_t *r, const uint8_t *dgram, size_t len,
                                   ertc_dtls_hello_verdict_t *verdict, const uint8_t **out,
                                   size_t *out_len);
void ertc_dtls_hello_free(ertc_dtls_hello_t *r);

#endif
