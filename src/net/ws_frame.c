/*
 * net/ws_frame — WebSocket frame encoding and incremental decoding (RFC 6455 §5, §7.4).
 * See ws_frame.h for the rules the decoder enforces and the close codes it reports.
 *
 * Decoding is a small state machine: HEADER collects the 2..14 header bytes (the first two
 * are checked as soon as they arrive, so a bad frame fails before its length is read),
 * PAYLOAD copies, unmasks and (for text) validates the payload as it arrives, and a finished
 * frame either completes an event or, for a non-final fragment, goes back to HEADER.
 */
#include "net/ws_frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

/* First header byte */
#define FIN_BIT     0x80u
#define RSV_BITS    0x70u
#define OPCODE_BITS 0x0Fu
#define CONTROL_BIT 0x08u /* opcodes 0x8-0xF are control frames (§5.5) */
/* Second header byte */
#define MASK_BIT       0x80u
#define LEN7_BITS      0x7Fu
#define LEN7_MAX       125u /* longest length that fits the 7-bit field */
#define LEN7_16BIT     126u /* a 16-bit length follows */
#define LEN7_64BIT     127u /* a 64-bit length follows */
#define LEN16_MAX      0xFFFFu
#define LEN64_TOP_BIT  (1ull << 63)
#define CLOSE_CODE_LEN 2

#define WORD_BYTES sizeof(uint64_t)

static const uint8_t empty_payload[1];

/* ---- encoding -------------------------------------------------------------------------- */

static bool is_known_opcode(int opcode)
{
    switch (opcode) {
    case ERTC_WS_OPCODE_CONTINUATION:
    case ERTC_WS_OPCODE_TEXT:
    case ERTC_WS_OPCODE_BINARY:
    case ERTC_WS_OPCODE_CLOSE:
    case ERTC_WS_OPCODE_PING:
    case ERTC_WS_OPCODE_PONG: return true;
    default: return false;
    }
}

static bool is_control_opcode(int opcode)
{
    return ((unsigned)opcode & CONTROL_BIT) != 0;
}

static const char *opcode_name(int opcode)
{
    switch (opcode) {
    case ERTC_WS_OPCODE_CONTINUATION: return "continuation";
    case ERTC_WS_OPCODE_TEXT: return "text";
    case ERTC_WS_OPCODE_BINARY: return "binary";
    case ERTC_WS_OPCODE_CLOSE: return "close";
    case ERTC_WS_OPCODE_PING: return "ping";
    case ERTC_WS_OPCODE_PONG: return "pong";
    default: return "unknown";
    }
}

WEBRTC_STATUS ertc_ws_frame_header_encode(uint8_t out[ERTC_WS_MAX_HEADER_LEN], bool fin, int opcode,
                                          bool masked, const uint8_t mask[ERTC_WS_MASK_LEN],
                                          uint64_t payload_len, size_t *header_len)
{
    if (out == NULL || header_len == NULL || (masked && mask == NULL)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (!is_known_opcode(opcode) || (is_control_opcode(opcode) && !fin)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if ((is_control_opcode(opcode) && payload_len > ERTC_WS_MAX_CONTROL_PAYLOAD) ||
        (payload_len & LEN64_TOP_BIT)) {
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    size_t n = 0;
    out[n++] = (uint8_t)((fin ? FIN_BIT : 0) | (unsigned)opcode);
    uint8_t mask_bit = masked ? MASK_BIT : 0;
    if (payload_len <= LEN7_MAX) {
        out[n++] = (uint8_t)(mask_bit | payload_len);
    } else if (payload_len <= LEN16_MAX) {
        out[n++] = (uint8_t)(mask_bit | LEN7_16BIT);
        out[n++] = (uint8_t)(payload_len >> 8);
        out[n++] = (uint8_t)payload_len;
    } else {
        out[n++] = (uint8_t)(mask_bit | LEN7_64BIT);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out[n++] = (uint8_t)(payload_len >> shift);
        }
    }
    if (masked) {
        memcpy(out + n, mask, ERTC_WS_MASK_LEN);
        n += ERTC_WS_MASK_LEN;
    }
    *header_len = n;
    return WEBRTC_STATUS_SUCCESS;
}

/*
 * The echo benchmark masks every byte we send and unmasks every byte signald receives, so
 * this is a hot loop: bytes until data is 8-byte aligned, then whole words XORed with the
 * key repeated to 8 bytes (memcpy keeps that free of aliasing and alignment assumptions and
 * compiles to plain loads and stores), then the tail.
 */
void ertc_ws_mask(uint8_t *data, size_t len, const uint8_t mask[ERTC_WS_MASK_LEN], size_t offset)
{
    uint8_t key[ERTC_WS_MASK_LEN]; /* key[i % 4] masks data[i] */
    for (size_t k = 0; k < ERTC_WS_MASK_LEN; k++) {
        key[k] = mask[(offset + k) % ERTC_WS_MASK_LEN];
    }
    size_t i = 0;
    while (i < len && ((uintptr_t)(data + i) % WORD_BYTES) != 0) {
        data[i] ^= key[i % ERTC_WS_MASK_LEN];
        i++;
    }
    if (len - i >= WORD_BYTES) {
        uint8_t key_bytes[WORD_BYTES];
        for (size_t k = 0; k < WORD_BYTES; k++) {
            key_bytes[k] = key[(i + k) % ERTC_WS_MASK_LEN];
        }
        uint64_t key_word;
        memcpy(&key_word, key_bytes, sizeof(key_word));
        for (; len - i >= WORD_BYTES; i += WORD_BYTES) {
            uint64_t word;
            memcpy(&word, data + i, sizeof(word));
            word ^= key_word;
            memcpy(data + i, &word, sizeof(word));
        }
    }
    for (; i < len; i++) {
        data[i] ^= key[i % ERTC_WS_MASK_LEN];
    }
}

WEBRTC_STATUS ertc_ws_frame_encode(uint8_t *out, size_t out_size, size_t *out_len, bool fin,
                                   int opcode, const uint8_t *mask, const uint8_t *payload,
                                   size_t payload_len)
{
    if (out == NULL || out_len == NULL || (payload == NULL && payload_len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    uint8_t header[ERTC_WS_MAX_HEADER_LEN];
    size_t header_len = 0;
    WEBRTC_STATUS st = ertc_ws_frame_header_encode(header, fin, opcode, mask != NULL, mask,
                                                   payload_len, &header_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    if (out_size < header_len || out_size - header_len < payload_len) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    memcpy(out, header, header_len);
    if (payload_len > 0) {
        memcpy(out + header_len, payload, payload_len);
        if (mask != NULL) {
            ertc_ws_mask(out + header_len, payload_len, mask, 0);
        }
    }
    *out_len = header_len + payload_len;
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_ws_is_valid_close_code(uint16_t code)
{
    /* 1004 is reserved, 1005/1006/1015 are for reporting only, 1012-1014 and the rest of
     * 1000-2999 are unassigned in RFC 6455, 3000-3999 are IANA-registered, 4000-4999 private. */
    return (code >= ERTC_WS_CLOSE_NORMAL && code <= ERTC_WS_CLOSE_UNSUPPORTED_DATA) ||
           (code >= ERTC_WS_CLOSE_INVALID_DATA && code <= ERTC_WS_CLOSE_INTERNAL_ERROR) ||
           (code >= 3000 && code <= 4999);
}

WEBRTC_STATUS ertc_ws_build_close_payload(uint8_t out[ERTC_WS_MAX_CONTROL_PAYLOAD], size_t *len,
                                          uint16_t code, const char *reason)
{
    if (out == NULL || len == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (reason == NULL) {
        reason = "";
    }
    if (code == ERTC_WS_CLOSE_NO_STATUS) {
        if (reason[0] != '\0') {
            return WEBRTC_STATUS_INVALID_ARG; /* a reason needs a code before it */
        }
        *len = 0;
        return WEBRTC_STATUS_SUCCESS;
    }
    if (!ertc_ws_is_valid_close_code(code)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    size_t reason_len = 0;
    while (reason_len <= ERTC_WS_MAX_CLOSE_REASON && reason[reason_len] != '\0') {
        reason_len++;
    }
    if (reason_len > ERTC_WS_MAX_CLOSE_REASON) {
        /* Cut before the character that reason[ERTC_WS_MAX_CLOSE_REASON] belongs to when that
         * byte continues a character (10xxxxxx). */
        reason_len = ERTC_WS_MAX_CLOSE_REASON;
        while (reason_len > 0 && ((uint8_t)reason[reason_len] & 0xC0u) == 0x80u) {
            reason_len--;
        }
    }
    if (!ertc_utf8_valid((const uint8_t *)reason, reason_len)) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    memcpy(out + CLOSE_CODE_LEN, reason, reason_len);
    *len = CLOSE_CODE_LEN + reason_len;
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- decoding -------------------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static WEBRTC_STATUS
fail(ertc_ws_decoder_t *d, WEBRTC_STATUS status, uint16_t close_code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->error, sizeof(d->error), fmt, ap);
    va_end(ap);
    d->state = ERTC_WS_DECODER_FAILED;
    d->error_status = status;
    d->error_close_code = close_code;
    /* The connection is over; give the memory back now rather than at destroy. */
    ertc_free(d->message);
    d->message = NULL;
    d->message_len = 0;
    d->message_cap = 0;
    return status;
}

static void start_header(ertc_ws_decoder_t *d)
{
    d->state = ERTC_WS_DECODER_HEADER;
    d->header_len = 0;
    d->header_need = 2;
}

WEBRTC_STATUS ertc_ws_decoder_init(ertc_ws_decoder_t *d, const ertc_ws_decoder_config_t *config)
{
    if (d == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(d, 0, sizeof(*d));
    if (config != NULL) {
        if (config->role != ERTC_WS_ROLE_CLIENT && config->role != ERTC_WS_ROLE_SERVER) {
            return WEBRTC_STATUS_INVALID_ARG;
        }
        d->config = *config;
    } else {
        d->config.role = ERTC_WS_ROLE_CLIENT;
    }
    if (d->config.max_message_size == 0) {
        d->config.max_message_size = ERTC_WS_DEFAULT_MAX_MESSAGE;
    }
    if (d->config.max_frame_payload == 0) {
        d->config.max_frame_payload = d->config.max_message_size;
    }
    start_header(d);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_ws_decoder_destroy(ertc_ws_decoder_t *d)
{
    if (d == NULL) {
        return;
    }
    ertc_free(d->message);
    d->message = NULL;
    d->message_len = 0;
    d->message_cap = 0;
}

void ertc_ws_decoder_reset(ertc_ws_decoder_t *d)
{
    if (d == NULL) {
        return;
    }
    ertc_ws_decoder_config_t config = d->config;
    ertc_ws_decoder_destroy(d);
    ertc_ws_decoder_init(d, &config);
}

const char *ertc_ws_decoder_error(const ertc_ws_decoder_t *d)
{
    return d != NULL ? d->error : "";
}

uint16_t ertc_ws_decoder_close_code(const ertc_ws_decoder_t *d)
{
    return d != NULL && d->state == ERTC_WS_DECODER_FAILED ? d->error_close_code : 0;
}

/* Checks what the first two header bytes alone decide, and learns the header's length. */
static WEBRTC_STATUS check_header_start(ertc_ws_decoder_t *d)
{
    uint8_t b0 = d->header[0];
    uint8_t b1 = d->header[1];
    d->fin = (b0 & FIN_BIT) != 0;
    d->opcode = b0 & OPCODE_BITS;
    d->masked = (b1 & MASK_BIT) != 0;
    unsigned len7 = b1 & LEN7_BITS;

    if (b0 & RSV_BITS) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "reserved bits 0x%02X set in a frame header, but no extension was negotiated",
                    (unsigned)(b0 & RSV_BITS));
    }
    if (!is_known_opcode(d->opcode)) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR, "unknown opcode 0x%X",
                    (unsigned)d->opcode);
    }
    if (d->config.role == ERTC_WS_ROLE_CLIENT && d->masked) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "server sent a masked %s frame (RFC 6455 5.1 forbids masking by servers)",
                    opcode_name(d->opcode));
    }
    if (d->config.role == ERTC_WS_ROLE_SERVER && !d->masked) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "client sent an unmasked %s frame (RFC 6455 5.1 requires masking)",
                    opcode_name(d->opcode));
    }
    if (is_control_opcode(d->opcode)) {
        if (!d->fin) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "fragmented %s frame (control frames must not be fragmented)",
                        opcode_name(d->opcode));
        }
        if (len7 > ERTC_WS_MAX_CONTROL_PAYLOAD) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "%s frame with a payload over %u bytes", opcode_name(d->opcode),
                        (unsigned)ERTC_WS_MAX_CONTROL_PAYLOAD);
        }
    } else if (d->opcode == ERTC_WS_OPCODE_CONTINUATION) {
        if (d->message_opcode == 0) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "continuation frame without a fragmented message to continue");
        }
    } else if (d->message_opcode != 0) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "new %s frame while a fragmented %s message is still open",
                    opcode_name(d->opcode), opcode_name(d->message_opcode));
    }

    d->header_need = 2;
    if (len7 == LEN7_16BIT) {
        d->header_need += 2;
    } else if (len7 == LEN7_64BIT) {
        d->header_need += 8;
    }
    if (d->masked) {
        d->header_need += ERTC_WS_MASK_LEN;
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Reads the length and mask key of a complete header and checks them against the limits. */
static WEBRTC_STATUS check_header_end(ertc_ws_decoder_t *d)
{
    unsigned len7 = d->header[1] & LEN7_BITS;
    size_t pos = 2;
    uint64_t len = len7;
    if (len7 == LEN7_16BIT) {
        len = (uint64_t)d->header[2] << 8 | d->header[3];
        pos += 2;
        if (len <= LEN7_MAX) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "payload length %llu sent in the 16-bit form (must use the shortest)",
                        (unsigned long long)len);
        }
    } else if (len7 == LEN7_64BIT) {
        len = 0;
        for (size_t i = 0; i < 8; i++) {
            len = len << 8 | d->header[pos + i];
        }
        pos += 8;
        if (len & LEN64_TOP_BIT) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "64-bit payload length has its most significant bit set");
        }
        if (len <= LEN16_MAX) {
            return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                        "payload length %llu sent in the 64-bit form (must use the shortest)",
                        (unsigned long long)len);
        }
    }
    if (d->masked) {
        memcpy(d->mask, d->header + pos, ERTC_WS_MASK_LEN);
    }
    d->payload_len = len;
    d->payload_done = 0;

    if (is_control_opcode(d->opcode)) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (len > d->config.max_frame_payload) {
        return fail(d, WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG,
                    "%s frame of %llu bytes exceeds the limit of %zu bytes", opcode_name(d->opcode),
                    (unsigned long long)len, d->config.max_frame_payload);
    }
    if (len > d->config.max_message_size - d->message_len) {
        return fail(d, WEBRTC_STATUS_LIMIT_EXCEEDED, ERTC_WS_CLOSE_MESSAGE_TOO_BIG,
                    "message of at least %llu bytes exceeds the limit of %zu bytes",
                    (unsigned long long)(d->message_len + len), d->config.max_message_size);
    }
    if (d->opcode != ERTC_WS_OPCODE_CONTINUATION) {
        d->message_opcode = d->opcode;
        d->message_len = 0;
        ertc_utf8_init(&d->utf8);
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Makes room for `more` further message bytes. Doubles, but never past what the message can
 * still need: the end of this frame when it is the last, else the message limit. */
static WEBRTC_STATUS reserve_message(ertc_ws_decoder_t *d, size_t more)
{
    size_t need = d->message_len + more;
    if (need <= d->message_cap) {
        return WEBRTC_STATUS_SUCCESS;
    }
    size_t ceiling = d->config.max_message_size;
    if (d->fin) {
        ceiling = d->message_len + (size_t)(d->payload_len - d->payload_done);
    }
    size_t cap = d->message_cap > 0 ? d->message_cap : ERTC_WS_DECODER_MIN_ALLOC;
    while (cap < need && cap <= ceiling / 2) {
        cap *= 2;
    }
    if (cap < need || cap > ceiling) {
        cap = need > ceiling ? need : ceiling;
    }
    uint8_t *grown = ertc_realloc(d->message, cap);
    if (grown == NULL) {
        return fail(d, WEBRTC_STATUS_NOT_ENOUGH_MEMORY, ERTC_WS_CLOSE_INTERNAL_ERROR,
                    "out of memory reassembling a message of %zu bytes", need);
    }
    d->message = grown;
    d->message_cap = cap;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fail_invalid_text(ertc_ws_decoder_t *d)
{
    return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_INVALID_DATA,
                "text message is not valid UTF-8 (at byte %llu)",
                (unsigned long long)ertc_utf8_error_offset(&d->utf8));
}

/* Copies, unmasks and validates the next n payload bytes of the current frame. */
static WEBRTC_STATUS take_payload(ertc_ws_decoder_t *d, const uint8_t *src, size_t n)
{
    if (n == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    uint8_t *dst;
    if (is_control_opcode(d->opcode)) {
        dst = d->control + d->payload_done;
    } else {
        WEBRTC_STATUS st = reserve_message(d, n);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
        dst = d->message + d->message_len;
    }
    memcpy(dst, src, n);
    if (d->masked) {
        ertc_ws_mask(dst, n, d->mask, (size_t)(d->payload_done % ERTC_WS_MASK_LEN));
    }
    d->payload_done += n;
    if (!is_control_opcode(d->opcode)) {
        d->message_len += n;
        if (d->message_opcode == ERTC_WS_OPCODE_TEXT && !ertc_utf8_feed(&d->utf8, dst, n)) {
            return fail_invalid_text(d);
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

/* Parses a close payload (§5.5.1, §7.4) into ev. */
static WEBRTC_STATUS parse_close(ertc_ws_decoder_t *d, ertc_ws_event_t *ev)
{
    ev->close_code = ERTC_WS_CLOSE_NO_STATUS;
    ev->close_reason = (const char *)ev->data + ev->len; /* empty */
    ev->close_reason_len = 0;
    if (ev->len == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (ev->len < CLOSE_CODE_LEN) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "close frame with a 1-byte payload (a close code takes 2)");
    }
    uint16_t code = (uint16_t)(ev->data[0] << 8 | ev->data[1]);
    if (!ertc_ws_is_valid_close_code(code)) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_PROTOCOL_ERROR,
                    "close frame with code %u, which is not allowed on the wire", code);
    }
    const uint8_t *reason = ev->data + CLOSE_CODE_LEN;
    size_t reason_len = ev->len - CLOSE_CODE_LEN;
    if (!ertc_utf8_valid(reason, reason_len)) {
        return fail(d, WEBRTC_STATUS_MALFORMED, ERTC_WS_CLOSE_INVALID_DATA,
                    "close frame (code %u) with a reason that is not valid UTF-8", code);
    }
    ev->close_code = code;
    ev->close_reason = (const char *)reason;
    ev->close_reason_len = reason_len;
    return WEBRTC_STATUS_SUCCESS;
}

/* A frame's payload is complete: produce its event, or none for a non-final fragment. */
static WEBRTC_STATUS finish_frame(ertc_ws_decoder_t *d, ertc_ws_event_t *ev)
{
    if (is_control_opcode(d->opcode)) {
        ev->type = ERTC_WS_EVENT_CONTROL;
        ev->opcode = d->opcode;
        ev->data = d->control;
        ev->len = (size_t)d->payload_len;
        if (d->opcode == ERTC_WS_OPCODE_CLOSE) {
            return parse_close(d, ev);
        }
        return WEBRTC_STATUS_SUCCESS;
    }
    if (!d->fin) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (d->message_opcode == ERTC_WS_OPCODE_TEXT && !ertc_utf8_finish(&d->utf8)) {
        return fail_invalid_text(d);
    }
    ev->type = ERTC_WS_EVENT_MESSAGE;
    ev->opcode = d->message_opcode;
    ev->data = d->message != NULL ? d->message : empty_payload;
    ev->len = d->message_len;
    d->message_opcode = 0;
    d->message_delivered = true;
    return WEBRTC_STATUS_SUCCESS;
}

/*
 * The common case on the client side: a whole unfragmented, unmasked message in the input.
 * It is validated and handed out where it lies, without copying or allocating.
 */
static bool can_deliver_in_place(const ertc_ws_decoder_t *d, size_t available)
{
    return d->fin && !d->masked && d->payload_done == 0 &&
           (d->opcode == ERTC_WS_OPCODE_TEXT || d->opcode == ERTC_WS_OPCODE_BINARY) &&
           d->payload_len <= available;
}

static WEBRTC_STATUS deliver_in_place(ertc_ws_decoder_t *d, const uint8_t *src, ertc_ws_event_t *ev)
{
    size_t n = (size_t)d->payload_len;
    if (d->opcode == ERTC_WS_OPCODE_TEXT &&
        (!ertc_utf8_feed(&d->utf8, src, n) || !ertc_utf8_finish(&d->utf8))) {
        return fail_invalid_text(d);
    }
    ev->type = ERTC_WS_EVENT_MESSAGE;
    ev->opcode = d->opcode;
    ev->data = n > 0 ? src : empty_payload;
    ev->len = n;
    d->message_opcode = 0;
    return WEBRTC_STATUS_SUCCESS;
}

/* Empties the buffer of the message handed out by the previous call. */
static void release_delivered_message(ertc_ws_decoder_t *d)
{
    if (!d->message_delivered) {
        return;
    }
    d->message_delivered = false;
    d->message_len = 0;
    if (d->message_cap > ERTC_WS_DECODER_RETAIN_BYTES) {
        ertc_free(d->message);
        d->message = NULL;
        d->message_cap = 0;
    }
}

static size_t min_size(size_t a, uint64_t b)
{
    return b < a ? (size_t)b : a;
}

WEBRTC_STATUS ertc_ws_decoder_feed(ertc_ws_decoder_t *d, const uint8_t *data, size_t len,
                                   size_t *consumed, ertc_ws_event_t *ev)
{
    if (d == NULL || consumed == NULL || ev == NULL || (data == NULL && len > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(ev, 0, sizeof(*ev));
    ev->type = ERTC_WS_EVENT_NEED_MORE;
    *consumed = 0;
    if (d->state == ERTC_WS_DECODER_FAILED) {
        return d->error_status;
    }
    release_delivered_message(d);
    if (len == 0) {
        return WEBRTC_STATUS_SUCCESS; /* no frame is ever left complete but undelivered */
    }

    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    size_t pos = 0;
    while (st == WEBRTC_STATUS_SUCCESS && ev->type == ERTC_WS_EVENT_NEED_MORE) {
        if (d->state == ERTC_WS_DECODER_HEADER) {
            size_t take = min_size(len - pos, (uint64_t)(d->header_need - d->header_len));
            memcpy(d->header + d->header_len, data + pos, take);
            d->header_len = (uint8_t)(d->header_len + take);
            pos += take;
            if (d->header_len < d->header_need) {
                break;
            }
            if (d->header_len == 2) {
                st = check_header_start(d);
                if (st != WEBRTC_STATUS_SUCCESS || d->header_need > 2) {
                    continue; /* collect the extended length and mask key */
                }
            }
            st = check_header_end(d);
            if (st == WEBRTC_STATUS_SUCCESS) {
                d->state = ERTC_WS_DECODER_PAYLOAD;
            }
            continue;
        }
        /* ERTC_WS_DECODER_PAYLOAD */
        if (can_deliver_in_place(d, len - pos)) {
            st = deliver_in_place(d, data + pos, ev);
            pos += (size_t)d->payload_len;
        } else {
            size_t take = min_size(len - pos, d->payload_len - d->payload_done);
            st = take_payload(d, data + pos, take);
            pos += take;
            if (st != WEBRTC_STATUS_SUCCESS || d->payload_done < d->payload_len) {
                break;
            }
            st = finish_frame(d, ev);
        }
        if (st == WEBRTC_STATUS_SUCCESS) {
            start_header(d);
        }
    }
    *consumed = pos;
    if (st != WEBRTC_STATUS_SUCCESS) {
        memset(ev, 0, sizeof(*ev));
        ev->type = ERTC_WS_EVENT_NEED_MORE;
    }
    return st;
}
