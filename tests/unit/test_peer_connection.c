/*
 * test_peer_connection — two peer connections in one process on one loop, over 127.0.0.1:
 * offer/answer and trickled candidates passed through the loop (as signaling would), ICE,
 * DTLS and SRTP up on both sides, H.264 access units (an SPS+PPS+IDR unit large enough for
 * FU-A, then P-frames) arriving byte-identical, a PLI reaching the sender, and close_notify
 * closing the remote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "peer/cert.h"
#include "peer/peer_connection.h"
#include "port/loop.h"
#include "port/port.h"
#include "port/socket.h"
#include "util/alloc.h"

#define GUARD_MS    60000 /* generous: loaded 2-core CI */
#define MAX_FRAMES  8
#define MAX_AU      16384
#define IDR_LEN     5000 /* > 1200: FU-A fragmented */
#define P_LEN_SMALL 700
#define P_LEN_LARGE 2600
#define FRAME_US    33333

enum { OFFERER = 0, ANSWERER = 1 };

typedef struct world world_t;

typedef struct {
    world_t *w;
    int index;
    ertc_pc_t *pc;
    ertc_pc_state_t state;
    int state_changes;
    int candidates;
    bool end_of_candidates;
    int keyframe_requests;
    int frame_count;
    size_t frame_len[MAX_FRAMES];
    bool frame_key[MAX_FRAMES];
    uint8_t *frames[MAX_FRAMES];
} endpoint_t;

struct world {
    ertc_loop_t *loop;
    endpoint_t ep[2];
    ertc_cert_t *cert[2];
};

/* A signaling message on its way to the other endpoint. */
typedef struct {
    world_t *w;
    int to;
    bool is_description;
    ertc_pc_sdp_type_t type;
    bool end_of_candidates;
    size_t len;
    char text[];
} message_t;

static void deliver(void *arg)
{
    message_t *m = arg;
    endpoint_t *to = &m->w->ep[m->to];
    if (to->pc != NULL) {
        if (m->is_description) {
            assert_int_equal(ertc_pc_set_remote_description(to->pc, m->type, m->text, m->len),
                             WEBRTC_STATUS_SUCCESS);
        } else {
            assert_int_equal(
                ertc_pc_add_remote_candidate(to->pc, m->end_of_candidates ? NULL : m->text),
                WEBRTC_STATUS_SUCCESS);
        }
    }
    ertc_free(m);
}

static void post_message(endpoint_t *from, bool is_description, ertc_pc_sdp_type_t type,
                         const char *text, size_t len)
{
    message_t *m = ertc_calloc(1, sizeof(*m) + len + 1);
    assert_non_null(m);
    m->w = from->w;
    m->to = 1 - from->index;
    m->is_description = is_description;
    m->type = type;
    m->end_of_candidates = text == NULL;
    m->len = len;
    if (text != NULL) {
        memcpy(m->text, text, len);
    }
    assert_int_equal(ertc_loop_post(from->w->loop, deliver, m), WEBRTC_STATUS_SUCCESS);
}

static void on_local_description(ertc_pc_t *pc, const ertc_pc_description_t *desc, void *arg)
{
    (void)pc;
    endpoint_t *ep = arg;
    assert_int_equal(desc->type, ep->index == OFFERER ? ERTC_PC_SDP_OFFER : ERTC_PC_SDP_ANSWER);
    assert_non_null(strstr(desc->sdp, "H264/90000"));
    post_message(ep, true, desc->type, desc->sdp, desc->len);
}

static void on_local_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    endpoint_t *ep = arg;
    assert_false(ep->end_of_candidates);
    if (line == NULL) {
        ep->end_of_candidates = true;
        post_message(ep, false, ERTC_PC_SDP_OFFER, NULL, 0);
    } else {
        assert_non_null(strstr(line, "127.0.0.1"));
        ep->candidates++;
        post_message(ep, false, ERTC_PC_SDP_OFFER, line, strlen(line));
    }
}

static void on_state(ertc_pc_t *pc, ertc_pc_state_t state, const char *detail, void *arg)
{
    (void)pc;
    endpoint_t *ep = arg;
    if (state == ERTC_PC_STATE_FAILED) {
        fail_msg("endpoint %d failed: %s", ep->index, detail != NULL ? detail : "?");
    }
    ep->state = state;
    ep->state_changes++;
}

static void on_video_frame(ertc_pc_t *pc, const uint8_t *annexb, size_t len, uint32_t ts,
                           bool is_keyframe, void *arg)
{
    (void)pc;
    (void)ts;
    endpoint_t *ep = arg;
    assert_true(ep->frame_count < MAX_FRAMES);
    ep->frames[ep->frame_count] = ertc_memdup(annexb, len);
    ep->frame_len[ep->frame_count] = len;
    ep->frame_key[ep->frame_count] = is_keyframe;
    ep->frame_count++;
}

static void on_keyframe_request(ertc_pc_t *pc, void *arg)
{
    (void)pc;
    endpoint_t *ep = arg;
    ep->keyframe_requests++;
}

static const ertc_pc_callbacks_t callbacks = {
    .on_local_description = on_local_description,
    .on_local_candidate = on_local_candidate,
    .on_state = on_state,
    .on_video_frame = on_video_frame,
    .on_keyframe_request = on_keyframe_request,
};

typedef bool (*condition_fn)(const world_t *w);

/* Runs the loop until cond holds; false after GUARD_MS. */
static bool run_until(world_t *w, condition_fn cond)
{
    uint64_t deadline = ertc_time_mono_ms() + GUARD_MS;
    while (!cond(w)) {
        if (ertc_time_mono_ms() > deadline) {
            return false;
        }
        assert_int_equal(ertc_loop_run_once(w->loop, 10), WEBRTC_STATUS_SUCCESS);
    }
    return true;
}

static bool both_connected(const world_t *w)
{
    return w->ep[0].state == ERTC_PC_STATE_CONNECTED && w->ep[1].state == ERTC_PC_STATE_CONNECTED;
}

static bool three_frames(const world_t *w)
{
    return w->ep[ANSWERER].frame_count >= 3;
}

static bool keyframe_requested(const world_t *w)
{
    return w->ep[OFFERER].keyframe_requests >= 1;
}

static bool answerer_closed(const world_t *w)
{
    return w->ep[ANSWERER].state == ERTC_PC_STATE_CLOSED;
}

/* Appends a start code and a NAL unit of `len` bytes (header byte first). Content bytes are
 * never zero, so no start code can appear inside. */
static size_t append_nal(uint8_t *au, size_t pos, uint8_t header, size_t len, uint8_t seed)
{
    static const uint8_t start_code[4] = {0, 0, 0, 1};
    memcpy(au + pos, start_code, sizeof(start_code));
    pos += sizeof(start_code);
    au[pos++] = header;
    for (size_t i = 1; i < len; i++) {
        au[pos++] = (uint8_t)(((i * 31u + seed) % 255u) + 1u);
    }
    return pos;
}

static void setup_endpoint(world_t *w, int index)
{
    endpoint_t *ep = &w->ep[index];
    ep->w = w;
    ep->index = index;
    ertc_pc_config_t cfg;
    ertc_pc_config_init(&cfg);
    cfg.name = index == OFFERER ? "offerer" : "answerer";
    cfg.role = index == OFFERER ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
    cfg.send_video = index == OFFERER;
    cfg.receive_video = index == ANSWERER;
    cfg.include_loopback = true;
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &cfg.interfaces[0]), WEBRTC_STATUS_SUCCESS);
    cfg.interface_count = 1;
    assert_int_equal(ertc_pc_create(w->loop, w->cert[index], &cfg, &callbacks, ep, &ep->pc),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_pc_state(ep->pc), ERTC_PC_STATE_NEW);
}

static void teardown_world(world_t *w)
{
    for (int i = 0; i < 2; i++) {
        ertc_pc_free(w->ep[i].pc);
        w->ep[i].pc = NULL;
        for (int f = 0; f < w->ep[i].frame_count; f++) {
            ertc_free(w->ep[i].frames[f]);
        }
        ertc_cert_unref(w->cert[i]);
    }
    /* Signaling messages still queued are dropped by the loop's destroy. */
    ertc_loop_destroy(w->loop);
}

static void test_video_end_to_end(void **state)
{
    (void)state;
    world_t *w = ertc_calloc(1, sizeof(*w));
    assert_non_null(w);
    assert_int_equal(ertc_loop_create(&w->loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&w->cert[0]), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&w->cert[1]), WEBRTC_STATUS_SUCCESS);
    setup_endpoint(w, OFFERER);
    setup_endpoint(w, ANSWERER);

    /* The answerer cannot offer, and the offerer cannot take an offer. */
    assert_int_equal(ertc_pc_create_offer(w->ep[ANSWERER].pc), WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(ertc_pc_set_remote_description(w->ep[OFFERER].pc, ERTC_PC_SDP_OFFER, "v=0", 3),
                     WEBRTC_STATUS_INVALID_OPERATION);

    assert_int_equal(ertc_pc_create_offer(w->ep[OFFERER].pc), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(w->ep[OFFERER].state, ERTC_PC_STATE_CONNECTING);
    assert_true(w->ep[OFFERER].candidates >= 1); /* host candidate held, then trickled */

    static uint8_t au[3][MAX_AU];
    size_t au_len[3];
    au_len[0] = append_nal(au[0], 0, 0x67, 12, 1);              /* SPS */
    au_len[0] = append_nal(au[0], au_len[0], 0x68, 5, 2);       /* PPS */
    au_len[0] = append_nal(au[0], au_len[0], 0x65, IDR_LEN, 3); /* IDR */
    au_len[1] = append_nal(au[1], 0, 0x41, P_LEN_SMALL, 4);
    au_len[2] = append_nal(au[2], 0, 0x41, P_LEN_LARGE, 5);

    /* Not connected yet: the frame is dropped and counted. */
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au[0], au_len[0], 0),
                     WEBRTC_STATUS_RETRY_LATER);

    assert_true(run_until(w, both_connected));
    assert_true(w->ep[ANSWERER].end_of_candidates);

    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            ertc_pc_send_video_frame(w->ep[OFFERER].pc, au[i], au_len[i], (uint64_t)i * FRAME_US),
            WEBRTC_STATUS_SUCCESS);
    }
    assert_true(run_until(w, three_frames));
    endpoint_t *rx = &w->ep[ANSWERER];
    assert_int_equal(rx->frame_count, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rx->frame_len[i], au_len[i]);
        assert_memory_equal(rx->frames[i], au[i], au_len[i]);
        assert_int_equal(rx->frame_key[i], i == 0);
    }

    assert_int_equal(ertc_pc_request_keyframe(rx->pc), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, keyframe_requested));
    assert_int_equal(w->ep[OFFERER].keyframe_requests, 1);

    ertc_pc_stats_t tx_stats, rx_stats;
    ertc_pc_get_stats(w->ep[OFFERER].pc, &tx_stats);
    ertc_pc_get_stats(rx->pc, &rx_stats);
    assert_int_equal(tx_stats.video_frames_sent, 3);
    assert_int_equal(tx_stats.video_frames_dropped, 1);
    assert_true(tx_stats.rtp_packets_sent > 3 + IDR_LEN / ERTC_PC_VIDEO_MTU); /* FU-A */
    assert_int_equal(rx_stats.rtp_packets_received, tx_stats.rtp_packets_sent);
    assert_int_equal(rx_stats.srtp_drops, 0);
    assert_int_equal(rx_stats.keyframe_requests_sent, 1);
    assert_int_equal(tx_stats.keyframe_requests_received, 1);

    /* Closing one side sends close_notify: the other one closes too. */
    ertc_pc_close(w->ep[OFFERER].pc);
    assert_int_equal(w->ep[OFFERER].state, ERTC_PC_STATE_CLOSED);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au[1], au_len[1], 0),
                     WEBRTC_STATUS_CLOSED);
    assert_true(run_until(w, answerer_closed));

    teardown_world(w);
    ertc_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_video_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
