/*
 * webrtc_status.h — the WEBRTC_STATUS codes every edgertc function returns.
 *
 * Values and ranges follow the ESP port's app_webrtc_if.h (0-127 basic, 128-255 signaling,
 * 256-383 peer connection, 384-511 media, 512+ implementation), plus the two codes the
 * CUSTOM_SIGNALING seed uses (NETWORK_ERROR, RETRY_LATER). WEBRTC_STATUS is a uint32_t so
 * that a backend may pass through codes from another SDK unchanged; test with the macros.
 */
#ifndef WEBRTC_STATUS_H
#define WEBRTC_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t WEBRTC_STATUS;

enum {
    /* 0-127: basic */
    WEBRTC_STATUS_SUCCESS = 0,
    WEBRTC_STATUS_NULL_ARG = 1,           /* a required pointer was NULL */
    WEBRTC_STATUS_INVALID_ARG = 2,        /* an argument has a bad value */
    WEBRTC_STATUS_NOT_ENOUGH_MEMORY = 4,  /* an allocation failed */
    WEBRTC_STATUS_NOT_IMPLEMENTED = 5,    /* an optional interface member is missing */
    WEBRTC_STATUS_INTERNAL_ERROR = 12,    /* generic failure */
    WEBRTC_STATUS_INVALID_OPERATION = 13, /* wrong state or a missing prerequisite */
    WEBRTC_STATUS_NETWORK_ERROR = 14,     /* seed: a network operation failed */
    WEBRTC_STATUS_RETRY_LATER = 15,       /* seed: temporarily unable (e.g. a queue is full) */
    WEBRTC_STATUS_TIMEOUT = 16,           /* a deadline passed */
    WEBRTC_STATUS_BUFFER_TOO_SMALL = 17,  /* the output does not fit the buffer given */
    WEBRTC_STATUS_MALFORMED = 18,         /* input does not parse (network or user input) */
    WEBRTC_STATUS_LIMIT_EXCEEDED = 19,    /* input is larger than a named limit allows */
    WEBRTC_STATUS_NOT_FOUND = 20,         /* no such item (key, peer, file) */
    WEBRTC_STATUS_QUEUE_FULL = 21,        /* a bounded queue refused an item */
    WEBRTC_STATUS_CLOSED = 22,            /* the object or connection is closed */
    WEBRTC_STATUS_TLS_ERROR = 23,         /* TLS/DTLS handshake or record failure */
    WEBRTC_STATUS_CERT_ERROR = 24,        /* certificate verification failed */
    WEBRTC_STATUS_IO_ERROR = 25,          /* a file could not be read or written */

    /* 128-255: signaling */
    WEBRTC_STATUS_SIGNALING_BASE = 128,
    WEBRTC_STATUS_SIGNALING_ICE_REFRESH_FAILED = 129, /* app_webrtc reconnects signaling */
    WEBRTC_STATUS_SIGNALING_RECONNECT_FAILED = 130,   /* app_webrtc reconnects signaling */
    WEBRTC_STATUS_SIGNALING_CONNECTION_LOST = 131,    /* app_webrtc reconnects signaling */
    WEBRTC_STATUS_SIGNALING_AUTH_FAILED = 132,        /* app_webrtc reconnects signaling */
    WEBRTC_STATUS_SIGNALING_TIMEOUT = 133,
    WEBRTC_STATUS_SIGNALING_CHANNEL_NOT_FOUND = 134,
    WEBRTC_STATUS_SIGNALING_INVALID_MESSAGE = 135,
    WEBRTC_STATUS_SIGNALING_RATE_LIMITED = 136,
    WEBRTC_STATUS_SIGNALING_CHANNEL_IN_USE = 137,         /* KVS: the channel exists already */
    WEBRTC_STATUS_SIGNALING_CHANNEL_BEING_DELETED = 138,  /* KVS: the channel is being deleted */

    /* 256-383: peer connection */
    WEBRTC_STATUS_PEER_CONNECTION_BASE = 256,
    WEBRTC_STATUS_SRTP_AUTH_FAILED = 304, /* an SRTP/SRTCP packet failed authentication */
    WEBRTC_STATUS_SRTP_REPLAY = 305,      /* a replayed SRTP/SRTCP packet, or one too old */

    /* 384-511: media */
    WEBRTC_STATUS_MEDIA_BASE = 384,

    /* 512+: implementation-specific */
    WEBRTC_STATUS_IMPLEMENTATION_BASE = 512,
};

#define WEBRTC_STATUS_FAILED(x)    ((WEBRTC_STATUS)(x) != WEBRTC_STATUS_SUCCESS)
#define WEBRTC_STATUS_SUCCEEDED(x) (!WEBRTC_STATUS_FAILED(x))
#define WEBRTC_STATUS_IS_SIGNALING_ERROR(x)                                                        \
    ((WEBRTC_STATUS)(x) >= 128u && (WEBRTC_STATUS)(x) < 256u)
#define WEBRTC_STATUS_IS_PEER_CONNECTION_ERROR(x)                                                  \
    ((WEBRTC_STATUS)(x) >= 256u && (WEBRTC_STATUS)(x) < 384u)
#define WEBRTC_STATUS_IS_MEDIA_ERROR(x) ((WEBRTC_STATUS)(x) >= 384u && (WEBRTC_STATUS)(x) < 512u)

/* A short, stable name for a status ("SIGNALING_AUTH_FAILED"); "UNKNOWN" for others. */
const char *webrtc_status_name(WEBRTC_STATUS status);

#ifdef __cplusplus
}
#endif

#endif
