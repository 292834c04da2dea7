/*
 * util/base64 — base64 and base64url (RFC 4648 §4 and §5) into caller buffers.
 *
 * Pure functions: no allocation, no I/O. Used for STUN/DTLS fingerprints, the WebSocket
 * handshake key (RFC 6455 §4.1), SigV4 and KVS message payloads, all of which use the
 * canonical encoding, so decoding is strict (RFC 4648 §3.3 and §3.5):
 *
 *  - characters outside the chosen alphabet are rejected, including whitespace and line
 *    breaks (no MIME-style wrapping);
 *  - padding must be exactly right when it is expected (default), and absent when
 *    ERTC_BASE64_NO_PAD is given;
 *  - the unused low bits of the last character must be zero, so every accepted text is the
 *    one the encoder would produce, and decode-then-encode gives back the same text.
 */
#ifndef ERTC_UTIL_BASE64_H
#define ERTC_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Flags, combined with '|'. 0 is standard base64 with '=' padding. */
#define ERTC_BASE64_URL    0x1u /* URL- and filename-safe alphabet: '-' and '_' (§5) */
#define ERTC_BASE64_NO_PAD 0x2u /* encoder writes no '='; decoder rejects '=' (§3.2) */

/*
 * Number of characters ertc_base64_encode writes for bin_len bytes, not counting the
 * terminating NUL. SIZE_MAX when the result would not fit in a size_t.
 */
size_t ertc_base64_encoded_len(size_t bin_len, unsigned flags);

/*
 * Upper bound on the bytes ertc_base64_decode produces from text_len characters. Exact for
 * unpadded text; for padded text it may exceed the result by the one or two padded bytes.
 */
size_t ertc_base64_decoded_max_len(size_t text_len);

/*
 * Encodes bin[0..bin_len) into out and NUL-terminates it, so out_size must be at least
 * ertc_base64_encoded_len() + 1. *out_len (optional) receives the length without the NUL.
 * BUFFER_TOO_SMALL leaves out untouched.
 */
WEBRTC_STATUS ertc_base64_encode(const uint8_t *bin, size_t bin_len, unsigned flags, char *out,
                                 size_t out_size, size_t *out_len);

/*
 * Decodes text[0..text_len) into out. out_size must hold the exact decoded length (which
 * ertc_base64_decoded_max_len bounds); *out_len (optional) receives it. Returns MALFORMED
 * for any text the encoder could not have produced (see the file comment), BUFFER_TOO_SMALL
 * when the result does not fit. On failure the contents of out are unspecified.
 */
WEBRTC_STATUS ertc_base64_decode(const char *text, size_t text_len, unsigned flags, uint8_t *out,
                                 size_t out_size, size_t *out_len);

#endif
