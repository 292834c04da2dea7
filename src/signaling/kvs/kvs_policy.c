/*
 * signaling/kvs/kvs_policy — see kvs_policy.h.
 */
#include "signaling/kvs/kvs_policy.h"

uint32_t ertc_kvs_reconnect_delay_ms(uint32_t attempt, uint32_t random)
{
    uint32_t d = ERTC_KVS_RECONNECT_CAP_MS;
    if (attempt < 16 && (ERTC_KVS_RECONNECT_BASE_MS << attempt) < ERTC_KVS_RECONNECT_CAP_MS) {
        d = ERTC_KVS_RECONNECT_BASE_MS << attempt;
    }
    uint32_t half = d / 2;
    return half + random % (d - half + 1);
}

int64_t ertc_kvs_ice_refresh_at(int64_t fetched_at, uint32_t min_ttl_s)
{
    if ((int64_t)min_ttl_s <= ERTC_KVS_ICE_GRACE_S) {
        return fetched_at;
    }
    return fetched_at + (int64_t)min_ttl_s - ERTC_KVS_ICE_GRACE_S;
}

bool ertc_kvs_ice_refresh_needed(int64_t fetched_at, uint32_t min_ttl_s, int64_t now)
{
    return fetched_at <= 0 || now >= ertc_kvs_ice_refresh_at(fetched_at, min_ttl_s);
}

int64_t ertc_kvs_cred_refresh_at(int64_t now, int64_t expiration, uint32_t random)
{
    if (expiration == INT64_MAX) {
        return INT64_MAX;
    }
    int64_t remaining = expiration - now;
    if (remaining <= 0) {
        return now;
    }
    int64_t jitter = remaining * (int64_t)(1 + random % 20) / 100;
    int64_t at = expiration - jitter - ERTC_KVS_CRED_GRACE_S;
    return at < now ? now : at;
}

uint32_t ertc_kvs_presign_expires(int64_t now, int64_t cred_expiration)
{
    if (cred_expiration == INT64_MAX ||
        cred_expiration - now >= (int64_t)ERTC_KVS_PRESIGN_EXPIRES_S) {
        return ERTC_KVS_PRESIGN_EXPIRES_S;
    }
    return cred_expiration - now >= 1 ? (uint32_t)(cred_expiration - now) : 1u;
}

uint32_t ertc_kvs_ms_until(int64_t at, int64_t now, uint32_t min_ms, uint32_t max_ms)
{
    if (at <= now) {
        return min_ms;
    }
    if (at - now > (int64_t)(max_ms / 1000)) {
        return max_ms;
    }
    uint32_t ms = (uint32_t)(at - now) * 1000u;
    if (ms > max_ms) {
        return max_ms;
    }
    return ms < min_ms ? min_ms : ms;
}
