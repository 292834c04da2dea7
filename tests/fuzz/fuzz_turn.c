/*
 * Fuzzes the TURN client (peer/turn_client) with what a hostile or broken server could send.
 * The client is brought to ALLOCATED with scripted answers (401, then a signed success), a
 * permission and a channel are asked for, then the input is cut into datagrams (2-byte length
 * prefixes) handed to ertc_turn_client_handle, with ticks in between. Checks that the client
 * stays in a known state and never sends more than its buffer holds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/stun.h"
#include "peer/turn_client.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t g_last[sizeof(((ertc_turn_client_t *)0)->out)];
static size_t g_last_len;

static void cb_send(void *arg, const uint8_t *buf, size_t len)
{
    (void)arg;
    if (len > sizeof(g_last)) {
        abort();
    }
    memcpy(g_last, buf, len);
    g_last_len = len;
}

static void cb_data(void *arg, const ertc_addr_t *peer, const uint8_t *d, size_t len)
{
    (void)arg;
    (void)peer;
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + d[i]);
    }
}

static void answer(ertc_turn_client_t *c, int code, bool sign)
{
    ertc_stun_msg_t req;
    if (ertc_stun_parse(g_last, g_last_len, &req) != WEBRTC_STATUS_SUCCESS) {
        abort();
    }
    uint8_t buf[256];
    ertc_stun_builder_t b;
    size_t len = 0;
    (void)ertc_stun_builder_init(
        &b, buf, sizeof(buf),
        ERTC_STUN_TYPE(req.method, code != 0 ? ERTC_STUN_CLASS_ERROR : ERTC_STUN_CLASS_SUCCESS),
        req.transaction_id);
    if (code != 0) {
        (void)ertc_stun_add_error_code(&b, code, NULL);
        (void)ertc_stun_add_realm(&b, "r", 1);
        (void)ertc_stun_add_nonce(&b, "n", 1);
    } else if (req.method == ERTC_STUN_METHOD_ALLOCATE) {
        ertc_addr_t relayed;
        memset(&relayed, 0, sizeof(relayed));
        (void)ertc_addr_parse_ip("192.0.2.9", &relayed);
        relayed.port = 5000;
        (void)ertc_stun_add_xor_relayed_address(&b, &relayed);
        (void)ertc_stun_add_lifetime(&b, 600);
    }
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    (void)ertc_stun_long_term_key("u", "r", "p", key);
    (void)ertc_stun_builder_finish(&b, sign ? key : NULL, sign ? sizeof(key) : 0, true, &len);
    (void)ertc_turn_client_handle(c, buf, len, 1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        ertc_log_set_level(ERTC_LOG_SILENT);
        quiet = true;
    }
    static const ertc_turn_callbacks_t cb = {cb_send, NULL, NULL, NULL, cb_data};
    static ertc_turn_client_t c;
    ertc_addr_t server, peer;
    memset(&server, 0, sizeof(server));
    (void)ertc_addr_parse_ip("192.0.2.1", &server);
    server.port = 3478;
    peer = server;
    peer.port = 9;
    if (ertc_turn_client_init(&c, "fuzz", &server, "u", "p", 100, 3, &cb, NULL) !=
        WEBRTC_STATUS_SUCCESS) {
        abort();
    }
    ertc_turn_client_start(&c, 0);
    answer(&c, 401, false);
    answer(&c, 0, true);
    if (c.state != ERTC_TURN_STATE_ALLOCATED) {
        abort();
    }
    (void)ertc_turn_client_permit(&c, &peer, 1000);
    (void)ertc_turn_client_bind_channel(&c, &peer, 1000);
    uint64_t now = 2000;
    size_t pos = 0;
    while (pos + 2 <= size) {
        size_t len = (size_t)((data[pos] << 8) | data[pos + 1]);
        pos += 2;
        if (len > size - pos) {
            len = size - pos;
        }
        (void)ertc_turn_client_handle(&c, data + pos, len, now);
        pos += len;
        now += 100000;
        ertc_turn_client_tick(&c, now);
        (void)ertc_turn_client_send(&c, &peer, (const uint8_t *)"x", 1);
        if (c.state > ERTC_TURN_STATE_CLOSED) {
            abort();
        }
    }
    ertc_turn_client_close(&c);
    return 0;
}
