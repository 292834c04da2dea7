/*
 * peer/pc_if_message — the payloads of signaling messages between app_webrtc and the peer
 * connection (esp-port-api.md §2.3), parsed and built.
 *
 * Inbound (from any signaling backend, so from the network):
 *   OFFER / ANSWER:  {"type":"offer"|"answer","sdp":"v=0..."} — "type", when present, must
 *                    agree with the message type; a bare SDP text ("v=0...") is accepted too,
 *                    for custom backends that carry the SDP alone.
 *   ICE_CANDIDATE:   {"candidate":"candidate:...","sdpMid":"0","sdpMLineIndex":0} — with
 *                    BUNDLE every candidate belongs to the one transport, so sdpMid and
 *                    sdpMLineIndex are not needed; "candidate":"" is end-of-candidates. A bare
 *                    "candidate:..." or "a=candidate:..." line is accepted too.
 * Outbound: exactly the JSON forms above (sdpMid "0", sdpMLineIndex 0).
 *
 * Parsers are pure functions over the payload bytes (no NUL needed), bounded by
 * APP_WEBRTC_MAX_MESSAGE_PAYLOAD_LEN; errors are MALFORMED / LIMIT_EXCEEDED /
 * INVALID_ARG with a reason written to err. Fuzzed by tests/fuzz/fuzz_pc_if_message.c.
 */
#ifndef ERTC_PEER_PC_IF_MESSAGE_H
#define ERTC_PEER_PC_IF_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "webrtc_status.h"

#define ERTC_PC_IF_MAX_CANDIDATE 1024 /* bytes of a candidate line, NUL included */
#define ERTC_PC_IF_ERROR_SIZE    128
#define ERTC_PC_IF_SDP_MID       "0"

/*
 * The SDP of an offer (is_offer) or answer payload, copied into a new NUL-terminated buffer
 * (*sdp, freed with ertc_free). INVALID_ARG when the JSON "type" names the other kind.
 */
WEBRTC_STATUS ertc_pc_if_parse_sdp(const char *payload, size_t len, bool is_offer, char **sdp,
                                   size_t *sdp_len, char *err, size_t err_size);

/* The candidate line of a candidate payload into line[0..size); "" = end-of-candidates. */
WEBRTC_STATUS ertc_pc_if_parse_candidate(const char *payload, size_t len, char *line, size_t size,
                                         char *err, size_t err_size);

/* {"type":..,"sdp":..} and {"candidate":..,"sdpMid":"0","sdpMLineIndex":0}, in new buffers
 * freed with ertc_free. */
WEBRTC_STATUS ertc_pc_if_build_sdp(bool is_offer, const char *sdp, size_t sdp_len, char **out,
                                   size_t *out_len);
WEBRTC_STATUS ertc_pc_if_build_candidate(const char *line, char **out, size_t *out_len);

/*
 * Non-trickle ICE: sdp with "a=candidate:" lines (lines[i] given as "candidate:..." or
 * "a=candidate:...") and "a=end-of-candidates" added at the end of its first m-section, the
 * BUNDLE transport's. New NUL-terminated buffer, freed with ertc_free. MALFORMED when sdp
 * has no m-section.
 */
WEBRTC_STATUS ertc_pc_if_sdp_with_candidates(const char *sdp, size_t len, char *const *lines,
                                             size_t count, char **out, size_t *out_len);

#endif
