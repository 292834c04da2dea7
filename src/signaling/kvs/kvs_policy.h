/*
 * signaling/kvs/kvs_policy — the timing decisions of the KVS client as pure functions, so
 * that each is unit-tested without clocks or sockets: reconnect backoff after a drop, when
 * to replace a connection before the service's lifetime limit, when an ICE configuration
 * needs a refresh, when temporary (IoT) credentials are refreshed, and how long a presigned
 * URL is valid. Numbers come from specs/kvs-signaling.md §1.5, §3.4, §4 and Appendix A.
 */
#ifndef ERTC_SIGNALING_KVS_POLICY_H
#define ERTC_SIGNALING_KVS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* Reconnect after a drop: min(cap, base << attempt), half of it fixed, half random ("equal
 * jitter": never 0, so a dead server is not hammered), at most MAX attempts in a row. */
#define ERTC_KVS_RECONNECT_BASE_MS      250u
#define ERTC_KVS_RECONNECT_CAP_MS       10000u
#define ERTC_KVS_RECONNECT_MAX_ATTEMPTS 8u
/* The service closes a connection after 1 h (and after 10 min idle, which pings prevent). */
#define ERTC_KVS_SERVICE_LIFETIME_S 3600u
#define ERTC_KVS_DEFAULT_LIFETIME_S 3300u /* replaced 5 min before the service's cut */
#define ERTC_KVS_PING_INTERVAL_MS   10000u
/* ICE: refresh 30 s before the shortest Ttl ends (the C SDK's grace period). */
#define ERTC_KVS_ICE_GRACE_S 30
/* Presigned WebSocket URLs: valid long enough to connect, never past the credentials. */
#define ERTC_KVS_PRESIGN_EXPIRES_S 300u
/* IoT credentials: the C SDK's 38 s margin plus a 1-20 % jitter of their lifetime. */
#define ERTC_KVS_CRED_GRACE_S 38

/* Delay before reconnect attempt `attempt` (0 = the first after a drop). */
uint32_t ertc_kvs_reconnect_delay_ms(uint32_t attempt, uint32_t random);

/* When (Unix s) an ICE configuration fetched at fetched_at with the shortest Ttl min_ttl_s
 * must be refreshed; fetched_at when min_ttl_s is not above the grace (refresh at once). */
int64_t ertc_kvs_ice_refresh_at(int64_t fetched_at, uint32_t min_ttl_s);
/* True when there is no configuration yet (fetched_at 0) or now has reached the refresh time. */
bool ertc_kvs_ice_refresh_needed(int64_t fetched_at, uint32_t min_ttl_s, int64_t now);

/*
 * When (Unix s) credentials expiring at `expiration`, fetched at `now`, are fetched again:
 * expiration less a jitter of 1-20 % of the remaining lifetime (random picks it, so a fleet
 * does not refresh in lockstep) less ERTC_KVS_CRED_GRACE_S, and never before now.
 * INT64_MAX (no expiry) stays INT64_MAX.
 */
int64_t ertc_kvs_cred_refresh_at(int64_t now, int64_t expiration, uint32_t random);

/* X-Amz-Expires for a presigned URL: ERTC_KVS_PRESIGN_EXPIRES_S, less when the credentials
 * expire sooner, at least 1. */
uint32_t ertc_kvs_presign_expires(int64_t now, int64_t cred_expiration);

/* Milliseconds from now until `at` (Unix s), clamped to [min_ms, max_ms]. */
uint32_t ertc_kvs_ms_until(int64_t at, int64_t now, uint32_t min_ms, uint32_t max_ms);

#endif
