/*
 * signald/ice_config — the ICE servers edgertc-signald hands out: STUN URLs, and TURN URLs
 * with time-limited credentials derived from a shared secret.
 *
 * The credential scheme is the "TURN REST API" one that coturn checks with
 * use-auth-secret/static-auth-secret: username = "<unix expiry>:<user>", credential =
 * base64(HMAC-SHA1(secret, username)). The expiry lets a client (ESP esp_webrtc, specs/apprtc.md
 * §4.1) schedule its refresh.
 *
 * ESP clients read iceServers[0] and fail without a username and credential (specs/apprtc.md §1.6),
 * so every entry carries both: STUN entries (and TURN entries when no secret is configured) get a
 * username of the same shape and the placeholder credential SD_ICE_DUMMY_CREDENTIAL. The TURN entry
 * comes first, so a client that takes only the first entry gets a relay.
 */
#ifndef SIGNALD_ICE_CONFIG_H
#define SIGNALD_ICE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "signald_limits.h"
#include "util/strbuf.h"
#include "webrtc_status.h"

#define SD_ICE_DEFAULT_TURN_USER "edgertc"
#define SD_ICE_DUMMY_CREDENTIAL  "unused"
#define SD_ICE_MAX_URL_LEN       256
#define SD_ICE_MAX_USER_LEN      64
#define SD_ICE_CREDENTIAL_SIZE   32 /* base64 of a 20-byte HMAC-SHA1 (28) and a NUL */
#define SD_ICE_MAX_TURN_TTL_S    (10u * 365u * 86400u)

typedef struct {
    const char *stun[SD_MAX_ICE_URLS];
    size_t n_stun;
    const char *turn[SD_MAX_ICE_URLS];
    size_t n_turn;
    const char *turn_secret; /* NULL: TURN entries get the placeholder credential */
    const char *turn_user;
    uint32_t turn_ttl_s;
} sd_ice_config_t;

/* Fills the defaults: no URLs, no secret, user SD_ICE_DEFAULT_TURN_USER, TTL 24 h. */
void sd_ice_config_init(sd_ice_config_t *cfg);

/* Checks a --stun (turn false) or --turn URL: "stun:"/"stuns:" or "turn:"/"turns:", then a
 * host, at most SD_ICE_MAX_URL_LEN printable characters without spaces or quotes. Writes
 * the reason to err on failure (MALFORMED). */
WEBRTC_STATUS sd_ice_check_url(const char *url, int turn, char *err, size_t errlen);

/* base64(HMAC-SHA1(secret, username)) into out (SD_ICE_CREDENTIAL_SIZE bytes). */
WEBRTC_STATUS sd_ice_rest_credential(const char *secret, const char *username,
                                     char out[SD_ICE_CREDENTIAL_SIZE]);

/* Appends the JSON array of ICE servers, [{"urls":[...],"username":...,"credential":...}],
 * with credentials valid from now_s (Unix seconds) for the configured TTL. */
WEBRTC_STATUS sd_ice_append_servers(const sd_ice_config_t *cfg, uint64_t now_s, ertc_strbuf_t *out);

/* Appends the ICE endpoint's answer: {"iceServers":[...],"lifetimeDuration":"<ttl>s"}. */
WEBRTC_STATUS sd_ice_append_response(const sd_ice_config_t *cfg, uint64_t now_s,
                                     ertc_strbuf_t *out);

#endif
