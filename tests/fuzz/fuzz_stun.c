/*
 * Fuzzes the STUN codec and TURN ChannelData framing (peer/stun) with network input, and the
 * first-byte demultiplexer (peer/demux). For a message that parses, it checks that every
 * recorded attribute lies inside the message, verifies MESSAGE-INTEGRITY with a short-term
 * and a long-term key and FINGERPRINT, decodes every address attribute, reads every decoded
 * value, then rebuilds the message from its attributes with the builder and checks that the
 * result parses to the same attributes and verifies. A ChannelData frame that parses is
 * rebuilt and compared.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/demux.h"
#include "peer/stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t short_term_key[] = "VOkJxbRl1RmTxUk/WvJxBt";

static volatile uint32_t sink; /* keeps the reads below from being optimised away */

static void touch(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += b[i];
    }
    sink += sum;
}

static void check_parsed(const uint8_t *data, size_t size, const ertc_stun_msg_t *m)
{
    if (m->len != size || m->buf != data || m->attr_count > ERTC_STUN_MAX_ATTRIBUTES ||
        m->unknown_required_count > ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES ||
        m->unknown_attributes_count > ERTC_STUN_MAX_UNKNOWN_ATTRIBUTES) {
        abort();
    }
    for (size_t i = 0; i < m->attr_count; i++) {
        const ertc_stun_attr_t *a = &m->attrs[i];
        if ((size_t)a->offset + ERTC_STUN_ATTR_HEADER_LEN + a->length > m->len) {
            abort();
        }
        touch(ertc_stun_attr_value(m, a), a->length);
        ertc_addr_t addr;
        WEBRTC_STATUS st = ertc_stun_attr_address(m, a, &addr);
        if (st == WEBRTC_STATUS_SUCCESS && addr.family != ERTC_AF_INET &&
            addr.family != ERTC_AF_INET6) {
            abort();
        }
        if (ertc_stun_find_attr(m, a->type) == NULL) {
            abort();
        }
    }
    if (m->username_len > ERTC_STUN_MAX_USERNAME_LEN || m->realm_len > ERTC_STUN_MAX_TEXT_LEN ||
        m->nonce_len > ERTC_STUN_MAX_TEXT_LEN || m->software_len > ERTC_STUN_MAX_TEXT_LEN ||
        m->error_reason_len > ERTC_STUN_MAX_TEXT_LEN) {
        abort();
    }
    if (m->username != NULL) {
        touch(m->username, m->username_len);
    }
    if (m->realm != NULL) {
        touch(m->realm, m->realm_len);
    }
    if (m->nonce != NULL) {
        touch(m->nonce, m->nonce_len);
    }
    if (m->software != NULL) {
        touch(m->software, m->software_len);
    }
    if (m->error_reason != NULL) {
        touch(m->error_reason, m->error_reason_len);
        if (m->error_code < 300 || m->error_code > 699) {
            abort();
        }
    }
    if (m->data != NULL) {
        touch(m->data, m->data_len);
    }
    sink += (uint32_t)m->priority + (uint32_t)m->ice_controlling + (uint32_t)m->ice_controlled +
            m->lifetime + m->channel_number + m->requested_transport;
    (void)ertc_stun_method_name(m->method);
    (void)ertc_stun_class_name(m->cls);
}

/* Rebuilds the message from its recorded attributes (MESSAGE-INTEGRITY and FINGERPRINT
 * recomputed) and checks that it parses back to the same attributes and verifies. */
static void check_rebuilt(const ertc_stun_msg_t *m)
{
    static uint8_t out[ERTC_STUN_MAX_MESSAGE_LEN];
    ertc_stun_builder_t b;
    if (ertc_stun_builder_init(&b, out, sizeof(out), m->type, m->transaction_id) !=
        WEBRTC_STATUS_SUCCESS) {
        abort(); /* the type parsed, so it is valid */
    }
    size_t kept = 0;
    for (size_t i = 0; i < m->attr_count; i++) {
        const ertc_stun_attr_t *a = &m->attrs[i];
        if (a->type == ERTC_STUN_ATTR_MESSAGE_INTEGRITY || a->type == ERTC_STUN_ATTR_FINGERPRINT) {
            continue;
        }
        (void)ertc_stun_add_attr(&b, a->type, ertc_stun_attr_value(m, a), a->length);
        kept++;
    }
    size_t len = 0;
    if (ertc_stun_builder_finish(&b, short_term_key, sizeof(short_term_key) - 1, true, &len) !=
        WEBRTC_STATUS_SUCCESS) {
        return; /* grew past 64 KiB with the two attributes added */
    }
    ertc_stun_msg_t again;
    WEBRTC_STATUS st = ertc_stun_parse(out, len, &again);
    if (kept + 2 > ERTC_STUN_MAX_ATTRIBUTES) {
        if (st != WEBRTC_STATUS_SUCCESS && st != WEBRTC_STATUS_LIMIT_EXCEEDED) {
            abort();
        }
        return;
    }
    if (st != WEBRTC_STATUS_SUCCESS || again.attr_count != kept + 2 ||
        again.unknown_required_count != 0 ||
        ertc_stun_verify_integrity(&again, short_term_key, sizeof(short_term_key) - 1) !=
            WEBRTC_STATUS_SUCCESS ||
        ertc_stun_verify_fingerprint(&again) != WEBRTC_STATUS_SUCCESS) {
        abort();
    }
    for (size_t i = 0, j = 0; i < m->attr_count; i++) {
        const ertc_stun_attr_t *a = &m->attrs[i];
        if (a->type == ERTC_STUN_ATTR_MESSAGE_INTEGRITY || a->type == ERTC_STUN_ATTR_FINGERPRINT) {
            continue;
        }
        const ertc_stun_attr_t *r = &again.attrs[j++];
        if (r->type != a->type || r->length != a->length ||
            memcmp(ertc_stun_attr_value(&again, r), ertc_stun_attr_value(m, a), a->length) != 0) {
            abort();
        }
    }
}

static void fuzz_stun(const uint8_t *data, size_t size)
{
    ertc_stun_msg_t m;
    if (ertc_stun_parse(data, size, &m) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    /* What parses passes the quick check. (The demultiplexer need not say STUN: a method
     * above 0x0FF gives a first byte over 3, which RFC 7983 hands to DTLS.) */
    if (!ertc_stun_is_stun(data, size)) {
        abort();
    }
    check_parsed(data, size, &m);

    WEBRTC_STATUS st = ertc_stun_verify_integrity(&m, short_term_key, sizeof(short_term_key) - 1);
    if ((m.integrity_offset == 0) != (st == WEBRTC_STATUS_NOT_FOUND)) {
        abort();
    }
    uint8_t key[ERTC_STUN_LONG_TERM_KEY_LEN];
    if (ertc_stun_long_term_key("user", "realm", "pass", key) == WEBRTC_STATUS_SUCCESS) {
        (void)ertc_stun_verify_integrity(&m, key, sizeof(key));
    }
    st = ertc_stun_verify_fingerprint(&m);
    if ((m.fingerprint_offset == 0) != (st == WEBRTC_STATUS_NOT_FOUND)) {
        abort();
    }
    check_rebuilt(&m);
}

static void fuzz_channeldata(const uint8_t *data, size_t size)
{
    ertc_channeldata_t cd;
    if (ertc_channeldata_parse(data, size, &cd) != WEBRTC_STATUS_SUCCESS) {
        return;
    }
    if (cd.data != data + ERTC_CHANNELDATA_HEADER_LEN ||
        ERTC_CHANNELDATA_HEADER_LEN + cd.len > size ||
        cd.frame_len < ERTC_CHANNELDATA_HEADER_LEN + cd.len ||
        ertc_demux_classify(data[0]) != ERTC_DEMUX_TURN_CHANNEL) {
        abort();
    }
    touch(cd.data, cd.len);
    uint8_t *out = malloc(cd.frame_len);
    if (out == NULL) {
        return;
    }
    size_t len = 0;
    if (ertc_channeldata_build(out, cd.frame_len, cd.channel, cd.data, cd.len, true, &len) !=
            WEBRTC_STATUS_SUCCESS ||
        len != cd.frame_len || memcmp(out, data, ERTC_CHANNELDATA_HEADER_LEN + cd.len) != 0) {
        abort();
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0) {
        (void)ertc_demux_kind_name(ertc_demux_classify(data[0]));
    }
    (void)ertc_stun_is_stun(data, size);
    fuzz_stun(data, size);
    fuzz_channeldata(data, size);
    return 0;
}
