/*
 * signald/signald_limits.h — every bound edgertc-signald enforces, in one place.
 *
 * The AppRTC room server and Collider (docs/signald.md, specs/apprtc.md §1–§2) set few limits of
 * their own; a server that runs on a developer's machine or beside devices needs them so that one
 * misbehaving client cannot exhaust memory or descriptors and hurt the other rooms. Each
 * limit below says what happens when it is reached.
 */
#ifndef SIGNALD_LIMITS_H
#define SIGNALD_LIMITS_H

/* Room and client names: [A-Za-z0-9_-]+ (AppRTC's pattern), at most this many characters.
 * Browsers use 9-digit rooms and 8-digit clients, KVS-ESP rooms of at most 32 characters. */
#define SD_MAX_NAME_LEN 64

/* A signaling message (a /message body, an HTTP relay body, a WebSocket "msg"): larger
 * ones get HTTP 413 with a reason, or a Collider error frame. An SDP offer is about 5 KiB. */
#define SD_MAX_MESSAGE_BYTES (64 * 1024)

/* A WebSocket frame carries "msg" JSON-escaped inside a command, which can grow it; frames
 * over this are refused with close code 1009 before they are buffered whole. */
#define SD_MAX_WS_FRAME_BYTES (8 * SD_MAX_MESSAGE_BYTES)

/* Rooms, counted separately for the room server and for the Collider: a join or register
 * that would create one more is refused with a reason. */
#define SD_MAX_ROOMS 1000

/* Open TCP connections (HTTP and WebSocket, all listeners): more are answered 503 and
 * closed at once. */
#define SD_MAX_CONNECTIONS 1024

/* Messages waiting for a peer: the Collider's per-sender queue and the room server's
 * per-client store both hold at most this many (the Collider's reference limit) ... */
#define SD_MAX_QUEUED_MESSAGES 1024
/* ... and at most this many bytes, which the reference leaves unbounded (about 50 SDP
 * offers; it keeps a join answer or a queue flush, JSON-escaped, within the output buffer). */
#define SD_MAX_QUEUED_BYTES (256 * 1024)

/* The Collider's register window (specs/apprtc.md §2.5): a client record without a socket (created
 * by an HTTP send, or left by a socket that closed) is removed after this long. */
#define SD_REGISTER_TIMEOUT_MS 10000

/* An HTTP connection must complete each request within this time after it opened or after
 * the previous response; idle keep-alive connections are closed after it, too. */
#define SD_HTTP_REQUEST_TIMEOUT_MS 30000

/* After we decide to close (a WebSocket close frame, or an HTTP error with
 * "Connection: close"), we keep reading and discarding for at most this long, so that
 * unread input does not make the kernel reset the connection before the peer has read
 * our last bytes. */
#define SD_CLOSE_LINGER_MS 2000

/* Static files are read whole into the response, so they are bounded (a viewer page and
 * its scripts are far below). Larger files get 500 with a reason. */
#define SD_MAX_STATIC_FILE_BYTES (1024 * 1024)

/* Bytes that may wait in one connection's output buffer (a join answer, a static file, a
 * queue flush); a peer that does not read is disconnected when a write would pass it. */
#define SD_CONN_MAX_BUFFERED (2 * 1024 * 1024)

/* A request path (without the query) longer than this gets 414. */
#define SD_MAX_PATH_LEN 1024

/* STUN and TURN URLs given on the command line, each. */
#define SD_MAX_ICE_URLS 16

/* Default lifetime of TURN REST credentials, in seconds (coturn's usual 24 h). */
#define SD_DEFAULT_TURN_TTL_S 86400

#endif
