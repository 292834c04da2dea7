/*
 * peer/turn_client — TURN over UDP (RFC 8656): allocation, refresh, permissions, channels.
 * The design is explained in turn_client.h.
 *
 * Every request goes through one transaction table (ERTC_TURN_MAX_TRANSACTIONS). Permissions
 * and channels are entries that want a request (WANTED) and get one when a slot is free
 * (turn_pump), so a burst of remote candidates never overflows anything: the rest wait for the
 * next tick. Retransmissions rebuild the request with the same transaction id; a new nonce
 * (438) starts a new transaction.
 */
#include "peer/turn_client.h"

#include <stdio.h>
#include <string.h>

#include "port/port.h"
#include "util/log.h"

#define TAG "turn"

#define TURN_MAX_STALE_RETRIES  3
#define TURN_PERMISSION_REFRESH 240u /* s; a permission lives 300 s (§9) */
#define TURN_CHANNEL_REFRESH    540u /* s; a channel binding lives 600 s (§11) */
#define TURN_REFRESH_MARGIN     60u  /* s before the allocation's lifetime ends */
#define TURN_RTO_MAX_MS         3000u
#define TURN_REASON_MAX         96 /* bytes of an error reason we log */

typedef enum {
    TURN_TX_ALLOCATE = 0,
    TURN_TX_REFRESH,
    TURN_TX_PERMISSION,
    TURN_TX_CHANNEL_BIND,
} turn_tx_kind_t;

static const char *turn_tx_name(uint8_t kind)
{
    static const char *const names[] = {"Allocate", "Refresh", "CreatePermission", "ChannelBind"};
    return kind < 4 ? names[kind] : "?";
}

const char *ertc_turn_state_name(ertc_turn_state_t state)
{
    switch (state) {
    case ERTC_TURN_STATE_IDLE: return "idle";
    case ERTC_TURN_STATE_ALLOCATING: return "allocating";
    case ERTC_TURN_STATE_ALLOCATED: return "allocated";
    case ERTC_TURN_STATE_FAILED: return "failed";
    case ERTC_TURN_STATE_CLOSED: return "closed";
    }
    return "unknown";
}

static const char *turn_addr_str(const ertc_addr_t *a, char buf[ERTC_ADDR_STRLEN])
{
    if (ertc_addr_format(a, true, buf, ERTC_ADDR_STRLEN) != WEBRTC_STATUS_SUCCESS) {
        snprintf(buf, ERTC_ADDR_STRLEN, "?");
    }
    return buf;
}

static bool turn_same_ip(const ertc_addr_t *a, const ertc_addr_t *b)
{
    ertc_addr_t x = *a, y = *b;
    x.port = 0;
    y.port = 0;
    return ertc_addr_equal(&x, &y);
}

static void turn_set_state(ertc_turn_client_t *c, ertc_turn_state_t state)
{
    if (c->state == state) {
        return;
    }
    ERTC_LOGD(TAG, "%s: %s -> %s", c->name, ertc_turn_state_name(c->state),
              ertc_turn_state_name(state));
    c->state = state;
}

/* ---- building requests ---------------------------------------------------------------- */

static void turn_send_request(ertc_turn_client_t *c, ertc_turn_tx_t *tx)
{
    static const uint16_t methods[] = {ERTC_STUN_METHOD_ALLOCATE, ERTC_STUN_METHOD_REFRESH,
                                       ERTC_STUN_METHOD_CREATE_PERMISSION,
                                       ERTC_STUN_METHOD_CHANNEL_BIND};
    ertc_stun_builder_t b;
    size_t len = 0;
    (void)ertc_stun_builder_init(&b, c->out, sizeof(c->out),
                                 ERTC_STUN_TYPE(methods[tx->kind], ERTC_STUN_CLASS_REQUEST),
                                 tx->tid);
    switch ((turn_tx_kind_t)tx->kind) {
    case TURN_TX_ALLOCATE:
        (void)ertc_stun_add_requested_transport(&b, ERTC_STUN_TRANSPORT_UDP);
        (void)ertc_stun_add_lifetime(&b, ERTC_TURN_REQUESTED_LIFETIME);
        break;
    case TURN_TX_REFRESH: (void)ertc_stun_add_lifetime(&b, tx->lifetime); break;
    case TURN_TX_PERMISSION:
        (void)ertc_stun_add_xor_peer_address(&b, &c->permissions[tx->entry].peer);
        break;
    case TURN_TX_CHANNEL_BIND:
        (void)ertc_stun_add_channel_number(&b, c->channels[tx->entry].channel);
        (void)ertc_stun_add_xor_peer_address(&b, &c->channels[tx->entry].peer);
        break;
    }
    if (tx->authenticated) {
        (void)ertc_stun_add_username(&b, c->username, strlen(c->username));
        (void)ertc_stun_add_realm(&b, c->realm, strlen(c->realm));
        (void)ertc_stun_add_nonce(&b, c->nonce, strlen(c->nonce));
    }
    if (ertc_stun_builder_finish(&b, tx->authenticated ? c->key : NULL,
                                 tx->authenticated ? sizeof(c->key) : 0, true,
                                 &len) != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: cannot build a %s request", c->name, turn_tx_name(tx->kind));
        return;
    }
    c->stats.requests_sent++;
    c->cb.send(c->arg, c->out, len);
}

static ertc_turn_tx_t *turn_tx_new(ertc_turn_client_t *c, turn_tx_kind_t kind, size_t entry,
                                   uint64_t now_us)
{
    for (size_t i = 0; i < ERTC_TURN_MAX_TRANSACTIONS; i++) {
        ertc_turn_tx_t *tx = &c->tx[i];
        if (tx->used) {
            continue;
        }
        memset(tx, 0, sizeof(*tx));
        tx->used = true;
        tx->kind = (uint8_t)kind;
        tx->entry = (uint8_t)entry;
        tx->authenticated = c->have_key;
        tx->tries = 1;
        tx->rto_ms = c->rto_ms;
        tx->next_retx_us = now_us + (uint64_t)tx->rto_ms * 1000u;
        (void)ertc_random_bytes(tx->tid, sizeof(tx->tid));
        return tx;
    }
    return NULL;
}

/* The same request again with a new transaction id (after 401 or 438). */
static void turn_tx_restart(ertc_turn_client_t *c, ertc_turn_tx_t *tx, uint64_t now_us)
{
    tx->authenticated = true;
    tx->tries = 1;
    tx->rto_ms = c->rto_ms;
    tx->next_retx_us = now_us + (uint64_t)tx->rto_ms * 1000u;
    (void)ertc_random_bytes(tx->tid, sizeof(tx->tid));
    turn_send_request(c, tx);
}

static bool turn_send_refresh(ertc_turn_client_t *c, uint32_t lifetime, uint64_t now_us)
{
    ertc_turn_tx_t *tx = turn_tx_new(c, TURN_TX_REFRESH, 0, now_us);
    if (tx == NULL) {
        return false;
    }
    tx->lifetime = lifetime;
    turn_send_request(c, tx);
    return true;
}

/* Sends what is due and fits in the transaction table: the allocation's refresh, wanted and
 * expiring permissions and channels. */
static void turn_pump(ertc_turn_client_t *c, uint64_t now_us)
{
    if (c->state != ERTC_TURN_STATE_ALLOCATED) {
        return;
    }
    if (!c->refresh_in_flight && now_us >= c->refresh_at_us) {
        c->refresh_in_flight = turn_send_refresh(c, ERTC_TURN_REQUESTED_LIFETIME, now_us);
    }
    for (int kind = TURN_TX_PERMISSION; kind <= TURN_TX_CHANNEL_BIND; kind++) {
        ertc_turn_entry_t *table = kind == TURN_TX_PERMISSION ? c->permissions : c->channels;
        size_t n = kind == TURN_TX_PERMISSION ? ERTC_TURN_MAX_PERMISSIONS : ERTC_TURN_MAX_CHANNELS;
        for (size_t i = 0; i < n; i++) {
            ertc_turn_entry_t *e = &table[i];
            bool due =
                e->state == TURN_ENTRY_WANTED ||
                (e->state == TURN_ENTRY_ACTIVE && !e->refreshing && now_us >= e->refresh_at_us);
            if (!due) {
                continue;
            }
            ertc_turn_tx_t *tx = turn_tx_new(c, (turn_tx_kind_t)kind, i, now_us);
            if (tx == NULL) {
                return; /* the next tick tries again */
            }
            if (e->state == TURN_ENTRY_WANTED) {
                e->state = TURN_ENTRY_PENDING;
            } else {
                e->refreshing = true;
            }
            turn_send_request(c, tx);
        }
    }
}

/* ---- outcomes --------------------------------------------------------------------------- */

static void turn_fail(ertc_turn_client_t *c)
{
    if (c->state == ERTC_TURN_STATE_FAILED || c->state == ERTC_TURN_STATE_CLOSED) {
        return;
    }
    turn_set_state(c, ERTC_TURN_STATE_FAILED);
    memset(c->tx, 0, sizeof(c->tx));
    if (c->cb.on_failed != NULL) {
        c->cb.on_failed(c->arg);
    }
}

/* The transaction ended without success (error or timeout): what that means for its kind. */
static void turn_tx_failed(ertc_turn_client_t *c, ertc_turn_tx_t *tx)
{
    turn_tx_kind_t kind = (turn_tx_kind_t)tx->kind;
    size_t entry = tx->entry;
    tx->used = false;
    if (kind == TURN_TX_ALLOCATE || kind == TURN_TX_REFRESH) {
        /* A refused Refresh (437: the allocation is gone) or a silent server loses the
         * allocation too: it would expire anyway. */
        turn_fail(c);
    } else if (kind == TURN_TX_PERMISSION) {
        ertc_turn_entry_t *e = &c->permissions[entry];
        bool first = e->state == TURN_ENTRY_PENDING;
        e->state = TURN_ENTRY_FAILED;
        e->refreshing = false;
        if (first && c->cb.on_permission != NULL) {
            c->cb.on_permission(c->arg, &e->peer, false);
        }
    } else {
        /* Data keeps flowing in Send indications. */
        c->channels[entry].state = TURN_ENTRY_FAILED;
        c->channels[entry].refreshing = false;
    }
}

static void turn_log_error(ertc_turn_client_t *c, const ertc_turn_tx_t *tx,
                           const ertc_stun_msg_t *msg)
{
    /* The reason is the server's text: printable ASCII only, bounded. */
    char reason[TURN_REASON_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < msg->error_reason_len && n < TURN_REASON_MAX; i++) {
        char ch = msg->error_reason[i];
        reason[n++] = (ch >= 0x20 && ch < 0x7F) ? ch : '?';
    }
    reason[n] = '\0';
    ERTC_LOGW(TAG, "%s: %s failed: %d %s", c->name, turn_tx_name(tx->kind), msg->error_code,
              reason);
}

static bool turn_copy_text(char *dst, const char *src, size_t len)
{
    if (len > ERTC_TURN_MAX_TEXT) {
        return false;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* 401 and 438: take REALM and NONCE and retry authenticated. Returns false when the error
 * is final. */
static bool turn_auth_retry(ertc_turn_client_t *c, ertc_turn_tx_t *tx, const ertc_stun_msg_t *msg,
                            uint64_t now_us)
{
    bool stale = msg->error_code == ERTC_STUN_ERROR_STALE_NONCE;
    if (msg->error_code != ERTC_STUN_ERROR_UNAUTHORIZED && !stale) {
        return false;
    }
    if (msg->error_code == ERTC_STUN_ERROR_UNAUTHORIZED && tx->authenticated) {
        return false; /* our credentials were refused */
    }
    if (stale && ++c->stale_retries > TURN_MAX_STALE_RETRIES) {
        return false;
    }
    if (!ertc_stun_has_attr(msg, ERTC_STUN_ATTR_NONCE) ||
        !turn_copy_text(c->nonce, msg->nonce, msg->nonce_len)) {
        return false;
    }
    if (ertc_stun_has_attr(msg, ERTC_STUN_ATTR_REALM)) {
        if (!turn_copy_text(c->realm, msg->realm, msg->realm_len)) {
            return false;
        }
    } else if (!c->have_key) {
        return false; /* a 401 must carry the realm */
    }
    if (ertc_stun_long_term_key(c->username, c->realm, c->password, c->key) !=
        WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    c->have_key = true;
    ERTC_LOGD(TAG, "%s: %s: %d, retrying with %s", c->name, turn_tx_name(tx->kind), msg->error_code,
              stale ? "the new nonce" : "credentials");
    turn_tx_restart(c, tx, now_us);
    return true;
}

static void turn_allocated(ertc_turn_client_t *c, const ertc_stun_msg_t *msg)
{
    if (!ertc_stun_has_attr(msg, ERTC_STUN_ATTR_XOR_RELAYED_ADDRESS)) {
        ERTC_LOGW(TAG, "%s: Allocate success without XOR-RELAYED-ADDRESS", c->name);
        c->stats.errors++;
        turn_fail(c);
        return;
    }
    c->relayed = msg->xor_relayed_address;
    memset(&c->mapped, 0, sizeof(c->mapped));
    if (ertc_stun_has_attr(msg, ERTC_STUN_ATTR_XOR_MAPPED_ADDRESS)) {
        c->mapped = msg->xor_mapped_address;
    }
    c->stats.allocations++;
    turn_set_state(c, ERTC_TURN_STATE_ALLOCATED);
    char a[ERTC_ADDR_STRLEN];
    ERTC_LOGI(TAG, "%s: relayed address %s, lifetime %u s", c->name, turn_addr_str(&c->relayed, a),
              (unsigned)c->lifetime_s);
    if (c->cb.on_allocated != NULL) {
        c->cb.on_allocated(c->arg, &c->relayed, &c->mapped);
    }
}

static void turn_tx_succeeded(ertc_turn_client_t *c, ertc_turn_tx_t *tx, const ertc_stun_msg_t *msg,
                              uint64_t now_us)
{
    turn_tx_kind_t kind = (turn_tx_kind_t)tx->kind;
    size_t entry = tx->entry;
    uint32_t asked = tx->lifetime;
    tx->used = false;
    c->stale_retries = 0;
    if (kind == TURN_TX_ALLOCATE || kind == TURN_TX_REFRESH) {
        if (kind == TURN_TX_REFRESH) {
            c->refresh_in_flight = false;
            c->stats.refreshes++;
            if (asked == 0) {
                return;
            }
        }
        c->lifetime_s = ertc_stun_has_attr(msg, ERTC_STUN_ATTR_LIFETIME)
                            ? msg->lifetime
                            : ERTC_TURN_REQUESTED_LIFETIME;
        uint32_t in = c->lifetime_s > 2 * TURN_REFRESH_MARGIN ? c->lifetime_s - TURN_REFRESH_MARGIN
                                                              : c->lifetime_s / 2;
        c->refresh_at_us = now_us + (uint64_t)(in != 0 ? in : 1) * 1000000u;
        if (kind == TURN_TX_ALLOCATE) {
            turn_allocated(c, msg);
        } else {
            ERTC_LOGD(TAG, "%s: refreshed, lifetime %u s", c->name, (unsigned)c->lifetime_s);
        }
        return;
    }
    bool perm = kind == TURN_TX_PERMISSION;
    ertc_turn_entry_t *e = perm ? &c->permissions[entry] : &c->channels[entry];
    bool first = e->state == TURN_ENTRY_PENDING;
    e->state = TURN_ENTRY_ACTIVE;
    e->refreshing = false;
    e->refresh_at_us =
        now_us + (uint64_t)(perm ? TURN_PERMISSION_REFRESH : TURN_CHANNEL_REFRESH) * 1000000u;
    char a[ERTC_ADDR_STRLEN];
    if (perm) {
        c->stats.permissions++;
        if (first) {
            ERTC_LOGD(TAG, "%s: permission for %s", c->name, turn_addr_str(&e->peer, a));
            if (c->cb.on_permission != NULL) {
                c->cb.on_permission(c->arg, &e->peer, true);
            }
        }
    } else {
        c->stats.channel_binds++;
        if (first) {
            ERTC_LOGD(TAG, "%s: channel 0x%04x bound to %s", c->name, (unsigned)e->channel,
                      turn_addr_str(&e->peer, a));
        }
    }
}

static void turn_handle_response(ertc_turn_client_t *c, const ertc_stun_msg_t *msg, uint64_t now_us)
{
    ertc_turn_tx_t *tx = NULL;
    for (size_t i = 0; i < ERTC_TURN_MAX_TRANSACTIONS && tx == NULL; i++) {
        if (c->tx[i].used &&
            memcmp(c->tx[i].tid, msg->transaction_id, ERTC_STUN_TRANSACTION_ID_LEN) == 0) {
            tx = &c->tx[i];
        }
    }
    static const uint16_t methods[] = {ERTC_STUN_METHOD_ALLOCATE, ERTC_STUN_METHOD_REFRESH,
                                       ERTC_STUN_METHOD_CREATE_PERMISSION,
                                       ERTC_STUN_METHOD_CHANNEL_BIND};
    if (tx == NULL || methods[tx->kind] != msg->method) {
        c->stats.dropped++;
        return;
    }
    if (msg->cls == ERTC_STUN_CLASS_SUCCESS) {
        /* Only an answer keyed with our credentials counts (RFC 8489 §9.2.5). */
        if (!tx->authenticated ||
            ertc_stun_verify_integrity(msg, c->key, sizeof(c->key)) != WEBRTC_STATUS_SUCCESS) {
            c->stats.dropped++;
            return;
        }
        turn_tx_succeeded(c, tx, msg, now_us);
        return;
    }
    if (turn_auth_retry(c, tx, msg, now_us)) {
        return;
    }
    c->stats.errors++;
    turn_log_error(c, tx, msg);
    if (tx->kind == TURN_TX_REFRESH) {
        c->refresh_in_flight = false;
        if (tx->lifetime == 0) {
            tx->used = false;
            return; /* closing anyway */
        }
    }
    turn_tx_failed(c, tx);
}

static void turn_handle_data_indication(ertc_turn_client_t *c, const ertc_stun_msg_t *msg)
{
    if (msg->method != ERTC_STUN_METHOD_DATA ||
        !ertc_stun_has_attr(msg, ERTC_STUN_ATTR_XOR_PEER_ADDRESS) ||
        !ertc_stun_has_attr(msg, ERTC_STUN_ATTR_DATA)) {
        c->stats.dropped++;
        return;
    }
    if (c->cb.on_data != NULL) {
        c->cb.on_data(c->arg, &msg->xor_peer_address, msg->data, msg->data_len);
    }
}

static void turn_handle_channel_data(ertc_turn_client_t *c, const uint8_t *buf, size_t len)
{
    ertc_channeldata_t cd;
    if (ertc_channeldata_parse(buf, len, &cd) != WEBRTC_STATUS_SUCCESS) {
        c->stats.dropped++;
        return;
    }
    for (size_t i = 0; i < ERTC_TURN_MAX_CHANNELS; i++) {
        const ertc_turn_entry_t *e = &c->channels[i];
        if (e->state != TURN_ENTRY_UNUSED && e->channel == cd.channel) {
            if (c->cb.on_data != NULL) {
                c->cb.on_data(c->arg, &e->peer, cd.data, cd.len);
            }
            return;
        }
    }
    c->stats.dropped++;
}

/* ---- API ---------------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_turn_client_init(ertc_turn_client_t *c, const char *name,
                                    const ertc_addr_t *server, const char *username,
                                    const char *password, uint32_t rto_ms, uint32_t max_tries,
                                    const ertc_turn_callbacks_t *cb, void *arg)
{
    if (c == NULL || server == NULL || username == NULL || password == NULL || cb == NULL ||
        cb->send == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (strlen(username) > ERTC_TURN_MAX_CRED || strlen(password) > ERTC_TURN_MAX_CRED) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name != NULL ? name : "turn");
    c->server = *server;
    snprintf(c->username, sizeof(c->username), "%s", username);
    snprintf(c->password, sizeof(c->password), "%s", password);
    c->cb = *cb;
    c->arg = arg;
    c->rto_ms = rto_ms != 0 ? rto_ms : 500;
    c->max_tries = max_tries != 0 ? max_tries : 7;
    c->next_channel = ERTC_TURN_CHANNEL_MIN;
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_turn_client_start(ertc_turn_client_t *c, uint64_t now_us)
{
    if (c->state != ERTC_TURN_STATE_IDLE) {
        return;
    }
    turn_set_state(c, ERTC_TURN_STATE_ALLOCATING);
    ertc_turn_tx_t *tx = turn_tx_new(c, TURN_TX_ALLOCATE, 0, now_us);
    if (tx != NULL) {
        turn_send_request(c, tx);
    }
}

void ertc_turn_client_tick(ertc_turn_client_t *c, uint64_t now_us)
{
    if (c->state != ERTC_TURN_STATE_ALLOCATING && c->state != ERTC_TURN_STATE_ALLOCATED) {
        return;
    }
    for (size_t i = 0; i < ERTC_TURN_MAX_TRANSACTIONS; i++) {
        ertc_turn_tx_t *tx = &c->tx[i];
        if (!tx->used || now_us < tx->next_retx_us) {
            continue;
        }
        if (tx->tries >= c->max_tries) {
            char a[ERTC_ADDR_STRLEN];
            ERTC_LOGW(TAG, "%s: %s: no answer from %s after %u tries", c->name,
                      turn_tx_name(tx->kind), turn_addr_str(&c->server, a), (unsigned)tx->tries);
            c->stats.timeouts++;
            if (tx->kind == TURN_TX_REFRESH) {
                c->refresh_in_flight = false;
            }
            turn_tx_failed(c, tx);
            if (c->state == ERTC_TURN_STATE_FAILED) {
                return;
            }
            continue;
        }
        tx->tries++;
        tx->rto_ms = tx->rto_ms * 2 > TURN_RTO_MAX_MS ? TURN_RTO_MAX_MS : tx->rto_ms * 2;
        tx->next_retx_us = now_us + (uint64_t)tx->rto_ms * 1000u;
        turn_send_request(c, tx);
    }
    turn_pump(c, now_us);
}

bool ertc_turn_client_handle(ertc_turn_client_t *c, const uint8_t *buf, size_t len, uint64_t now_us)
{
    if (len >= ERTC_CHANNELDATA_HEADER_LEN && buf[0] >= 0x40 && buf[0] <= 0x4F) {
        turn_handle_channel_data(c, buf, len);
        return true;
    }
    if (!ertc_stun_is_stun(buf, len)) {
        return false;
    }
    ertc_stun_msg_t msg;
    if (ertc_stun_parse(buf, len, &msg) != WEBRTC_STATUS_SUCCESS ||
        (msg.fingerprint_offset != 0 &&
         ertc_stun_verify_fingerprint(&msg) != WEBRTC_STATUS_SUCCESS)) {
        c->stats.dropped++;
        return true;
    }
    if (msg.method == ERTC_STUN_METHOD_BINDING) {
        return false; /* a Binding (a STUN server answer on the same address): not ours */
    }
    if (c->state != ERTC_TURN_STATE_ALLOCATING && c->state != ERTC_TURN_STATE_ALLOCATED) {
        c->stats.dropped++;
        return true;
    }
    switch (msg.cls) {
    case ERTC_STUN_CLASS_SUCCESS:
    case ERTC_STUN_CLASS_ERROR: turn_handle_response(c, &msg, now_us); break;
    case ERTC_STUN_CLASS_INDICATION: turn_handle_data_indication(c, &msg); break;
    case ERTC_STUN_CLASS_REQUEST:
    default: c->stats.dropped++; break;
    }
    turn_pump(c, now_us);
    return true;
}

static ertc_turn_entry_t *turn_find(ertc_turn_entry_t *table, size_t n, const ertc_addr_t *peer,
                                    bool by_ip)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].state != TURN_ENTRY_UNUSED &&
            (by_ip ? turn_same_ip(&table[i].peer, peer) : ertc_addr_equal(&table[i].peer, peer))) {
            return &table[i];
        }
    }
    return NULL;
}

static ertc_turn_entry_t *turn_find_free(ertc_turn_entry_t *table, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].state == TURN_ENTRY_UNUSED) {
            return &table[i];
        }
    }
    return NULL;
}

WEBRTC_STATUS ertc_turn_client_permit(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                      uint64_t now_us)
{
    if (c->state != ERTC_TURN_STATE_ALLOCATED && c->state != ERTC_TURN_STATE_ALLOCATING) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_turn_entry_t *e = turn_find(c->permissions, ERTC_TURN_MAX_PERMISSIONS, peer, true);
    if (e != NULL) {
        if (e->state == TURN_ENTRY_FAILED) {
            e->state = TURN_ENTRY_WANTED; /* asked again: try again */
        }
    } else {
        e = turn_find_free(c->permissions, ERTC_TURN_MAX_PERMISSIONS);
        if (e == NULL) {
            return WEBRTC_STATUS_LIMIT_EXCEEDED;
        }
        memset(e, 0, sizeof(*e));
        e->peer = *peer;
        e->peer.port = 0;
        e->state = TURN_ENTRY_WANTED;
    }
    turn_pump(c, now_us);
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_turn_client_has_permission(const ertc_turn_client_t *c, const ertc_addr_t *peer)
{
    for (size_t i = 0; i < ERTC_TURN_MAX_PERMISSIONS; i++) {
        if (c->permissions[i].state == TURN_ENTRY_ACTIVE &&
            turn_same_ip(&c->permissions[i].peer, peer)) {
            return true;
        }
    }
    return false;
}

WEBRTC_STATUS ertc_turn_client_bind_channel(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                            uint64_t now_us)
{
    if (c->state != ERTC_TURN_STATE_ALLOCATED) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (turn_find(c->channels, ERTC_TURN_MAX_CHANNELS, peer, false) != NULL) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (c->next_channel > ERTC_TURN_CHANNEL_MAX) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    ertc_turn_entry_t *e = turn_find_free(c->channels, ERTC_TURN_MAX_CHANNELS);
    if (e == NULL) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    memset(e, 0, sizeof(*e));
    e->peer = *peer;
    e->channel = c->next_channel++;
    e->state = TURN_ENTRY_WANTED;
    turn_pump(c, now_us);
    return WEBRTC_STATUS_SUCCESS;
}

uint16_t ertc_turn_client_channel(const ertc_turn_client_t *c, const ertc_addr_t *peer)
{
    for (size_t i = 0; i < ERTC_TURN_MAX_CHANNELS; i++) {
        if (c->channels[i].state == TURN_ENTRY_ACTIVE &&
            ertc_addr_equal(&c->channels[i].peer, peer)) {
            return c->channels[i].channel;
        }
    }
    return 0;
}

WEBRTC_STATUS ertc_turn_client_send(ertc_turn_client_t *c, const ertc_addr_t *peer,
                                    const uint8_t *data, size_t len)
{
    if (c->state != ERTC_TURN_STATE_ALLOCATED) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (len > ERTC_TURN_MAX_DATA) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t out_len = 0;
    WEBRTC_STATUS st;
    uint16_t channel = ertc_turn_client_channel(c, peer);
    if (channel != 0) {
        st = ertc_channeldata_build(c->out, sizeof(c->out), channel, data, len, false, &out_len);
    } else {
        /* Send indication (§10.1): not authenticated, no FINGERPRINT needed. */
        uint8_t tid[ERTC_STUN_TRANSACTION_ID_LEN];
        (void)ertc_random_bytes(tid, sizeof(tid));
        ertc_stun_builder_t b;
        (void)ertc_stun_builder_init(
            &b, c->out, sizeof(c->out),
            ERTC_STUN_TYPE(ERTC_STUN_METHOD_SEND, ERTC_STUN_CLASS_INDICATION), tid);
        (void)ertc_stun_add_xor_peer_address(&b, peer);
        (void)ertc_stun_add_data(&b, data, len);
        st = ertc_stun_builder_finish(&b, NULL, 0, false, &out_len);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    c->cb.send(c->arg, c->out, out_len);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_turn_client_close(ertc_turn_client_t *c)
{
    if (c->state == ERTC_TURN_STATE_ALLOCATED) {
        memset(c->tx, 0, sizeof(c->tx));
        (void)turn_send_refresh(c, 0, ertc_time_mono_us());
        ERTC_LOGD(TAG, "%s: allocation released", c->name);
    }
    turn_set_state(c, ERTC_TURN_STATE_CLOSED);
}
