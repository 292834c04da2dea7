/*
 * util/json — bounded parsing and typed, status-returning getters over cJSON (RFC 8259).
 *
 * Signaling messages (AppRTC join responses, KVS SDP/ICE messages, bridge messages) arrive
 * from the network, so ertc_json_parse bounds the input size and the nesting depth before
 * cJSON builds a tree, and requires the whole input to be one JSON value.
 *
 * Getters look up `key` in an object (case-sensitive; with duplicate keys the first wins).
 * When key is NULL they check the item itself, which suits array elements. They return:
 *   SUCCESS, NOT_FOUND (no such key), MALFORMED (wrong type, or a number that is not an
 *   integer), LIMIT_EXCEEDED (an integer outside the range asked for), BUFFER_TOO_SMALL
 *   (a string copy that does not fit), NULL_ARG.
 * On failure *out is left unchanged, so a caller may preset a default and ignore NOT_FOUND.
 */
#ifndef ERTC_UTIL_JSON_H
#define ERTC_UTIL_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webrtc_status.h"

/* Deepest nesting of objects/arrays accepted; signaling messages use 4 or fewer levels. */
#define ERTC_JSON_MAX_DEPTH 32
/* A size limit for callers without a better one (a KVS SDP offer is about 5 KiB). */
#define ERTC_JSON_DEFAULT_MAX_LEN (64 * 1024)
/*
 * cJSON keeps numbers as doubles, which hold integers exactly only up to 2^53. Larger
 * magnitudes are refused (LIMIT_EXCEEDED) rather than returned rounded.
 */
#define ERTC_JSON_MAX_EXACT_INT 9007199254740992LL /* 2^53 */

/*
 * Parses buf[0..len) (no NUL needed) into *out, to be freed with cJSON_Delete.
 * LIMIT_EXCEEDED when len > max_len or nesting is deeper than ERTC_JSON_MAX_DEPTH;
 * MALFORMED for invalid JSON, NUL bytes, or anything but whitespace after the value;
 * NOT_ENOUGH_MEMORY when an allocation failed while parsing (cJSON reports that as a parse
 * failure; it is told apart through ertc_alloc's failure counter, so it is only reported
 * when cJSON is routed through ertc_alloc — see ertc_alloc_route_libraries).
 */
WEBRTC_STATUS ertc_json_parse(const char *buf, size_t len, size_t max_len, cJSON **out);

/* Nesting depth of a tree: 0 for a scalar, 1 for a flat object or array. Stops counting at
 * limit + 1, so it is cheap on hostile trees. */
size_t ertc_json_depth(const cJSON *item, size_t limit);

/* A borrowed pointer into the tree, valid until cJSON_Delete. */
WEBRTC_STATUS ertc_json_get_string(const cJSON *obj, const char *key, const char **out);
/* Copies the string with its NUL into buf[0..size); *out_len (optional) gets strlen. */
WEBRTC_STATUS ertc_json_copy_string(const cJSON *obj, const char *key, char *buf, size_t size,
                                    size_t *out_len);
/* An integer in [-ERTC_JSON_MAX_EXACT_INT, ERTC_JSON_MAX_EXACT_INT]; "1.5" is MALFORMED. */
WEBRTC_STATUS ertc_json_get_int(const cJSON *obj, const char *key, int64_t *out);
/* An integer in [min, max], else LIMIT_EXCEEDED. */
WEBRTC_STATUS ertc_json_get_int_range(const cJSON *obj, const char *key, int64_t min, int64_t max,
                                      int64_t *out);
WEBRTC_STATUS ertc_json_get_uint32(const cJSON *obj, const char *key, uint32_t *out);
/* A JSON boolean, or the strings "true"/"false" (AppRTC sends is_initiator as a string). */
WEBRTC_STATUS ertc_json_get_bool(const cJSON *obj, const char *key, bool *out);
WEBRTC_STATUS ertc_json_get_object(const cJSON *obj, const char *key, cJSON **out);
WEBRTC_STATUS ertc_json_get_array(const cJSON *obj, const char *key, cJSON **out);

/*
 * Serializes item without whitespace into buf[0..size), NUL-terminated; *out_len
 * (optional) gets strlen. BUFFER_TOO_SMALL if it does not fit (cJSON may need a few bytes
 * more than the final length while printing).
 */
WEBRTC_STATUS ertc_json_print(const cJSON *item, char *buf, size_t size, size_t *out_len);

#endif
