/*
 * test_peer_connection — two peer connections in one process on one loop, over 127.0.0.1:
 * offer/answer and trickled candidates passed through the loop (as signaling would), ICE,
 * DTLS and SRTP up on both sides, H.264 access units (an SPS+PPS+IDR unit large enough for
 * FU-A, then P-frames) arriving byte-identical, a PLI reaching the sender, and close_notify
 * closing the remote. Then: Opus both ways BUNDLEd with video, SR/RR exchanged and the RTT
 * measured, the offerer applying an answer that narrows directions and rejects audio,
 * audio-only and video-only offers, real offers and answers of Chromium, Firefox, aiortc and
 * GStreamer (tests/data/sdp), an offer without a common codec refused with a detail naming
 * it, NACK repairing induced loss, and a PLI when the loss cannot be repaired.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
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
#define MAX_AUDIO   64
#define OPUS_LEN    80
#define AUDIO_US    20000

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
    bool keep_frames; /* false: count frames only (long runs) */
    bool expect_failure;
    char failure[ERTC_PC_DETAIL_SIZE];
    bool video;        /* our config has video: descriptions carry H264 */
    char *description; /* the last local description, for inspection */
    int audio_count;
    size_t audio_len[MAX_AUDIO];
    uint8_t audio[MAX_AUDIO][OPUS_LEN];
} endpoint_t;

typedef struct {
    bool send_video;
    bool receive_video;
    bool send_audio;
    bool receive_audio;
} media_cfg_t;

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
    if (ep->video) {
        assert_non_null(strstr(desc->sdp, "H264/90000"));
    }
    ertc_free(ep->description);
    ep->description = ertc_memdup(desc->sdp, desc->len + 1);
    if (ep->w == NULL) {
        return; /* a lone endpoint: nobody to send it to */
    }
    post_message(ep, true, desc->type, desc->sdp, desc->len);
}

static void on_local_candidate(ertc_pc_t *pc, const char *line, void *arg)
{
    (void)pc;
    endpoint_t *ep = arg;
    assert_false(ep->end_of_candidates);
    if (ep->w == NULL) {
        ep->end_of_candidates = line == NULL;
        return;
    }
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
        snprintf(ep->failure, sizeof(ep->failure), "%s", detail != NULL ? detail : "");
    }
    if (state == ERTC_PC_STATE_FAILED && !ep->expect_failure) {
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
    if (ep->keep_frames) {
        assert_true(ep->frame_count < MAX_FRAMES);
        ep->frames[ep->frame_count] = ertc_memdup(annexb, len);
        ep->frame_len[ep->frame_count] = len;
        ep->frame_key[ep->frame_count] = is_keyframe;
    }
    ep->frame_count++;
}

static void on_audio_frame(ertc_pc_t *pc, const uint8_t *opus, size_t len, uint32_t ts, void *arg)
{
    (void)pc;
    (void)ts;
    endpoint_t *ep = arg;
    if (ep->audio_count < MAX_AUDIO) {
        assert_true(len <= OPUS_LEN);
        memcpy(ep->audio[ep->audio_count], opus, len);
        ep->audio_len[ep->audio_count] = len;
    }
    ep->audio_count++;
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
    .on_audio_frame = on_audio_frame,
    .on_keyframe_request = on_keyframe_request,
};

typedef bool (*condition_fn)(const world_t *w);
typedef void (*tick_fn)(world_t *w);

/* Runs the loop until cond holds, calling tick (if any) between iterations; false after
 * GUARD_MS. */
static bool run_until_tick(world_t *w, condition_fn cond, tick_fn tick)
{
    uint64_t deadline = ertc_time_mono_ms() + GUARD_MS;
    while (!cond(w)) {
        if (ertc_time_mono_ms() > deadline) {
            return false;
        }
        assert_int_equal(ertc_loop_run_once(w->loop, 10), WEBRTC_STATUS_SUCCESS);
        if (tick != NULL) {
            tick(w);
        }
    }
    return true;
}

static bool run_until(world_t *w, condition_fn cond)
{
    return run_until_tick(w, cond, NULL);
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

static void fill_config(ertc_pc_config_t *cfg, int index, const media_cfg_t *m)
{
    ertc_pc_config_init(cfg);
    cfg->name = index == OFFERER ? "offerer" : "answerer";
    cfg->role = index == OFFERER ? ERTC_PC_ROLE_OFFERER : ERTC_PC_ROLE_ANSWERER;
    cfg->send_video = m->send_video;
    cfg->receive_video = m->receive_video;
    cfg->send_audio = m->send_audio;
    cfg->receive_audio = m->receive_audio;
    cfg->include_loopback = true;
    cfg->rtcp_interval_ms = 200;           /* reports soon enough for the tests */
    cfg->video_history_bytes = 128 * 1024; /* what a small device would keep */
    assert_int_equal(ertc_addr_parse_ip("127.0.0.1", &cfg->interfaces[0]), WEBRTC_STATUS_SUCCESS);
    cfg->interface_count = 1;
}

static void setup_endpoint_media(world_t *w, int index, const media_cfg_t *m)
{
    endpoint_t *ep = &w->ep[index];
    ep->w = w;
    ep->index = index;
    ep->keep_frames = true;
    ep->video = m->send_video || m->receive_video;
    ertc_pc_config_t cfg;
    fill_config(&cfg, index, m);
    assert_int_equal(ertc_pc_create(w->loop, w->cert[index], &cfg, &callbacks, ep, &ep->pc),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_pc_state(ep->pc), ERTC_PC_STATE_NEW);
}

static void setup_endpoint(world_t *w, int index)
{
    media_cfg_t m = {.send_video = index == OFFERER, .receive_video = index == ANSWERER};
    setup_endpoint_media(w, index, &m);
}

static world_t *new_world(void)
{
    world_t *w = ertc_calloc(1, sizeof(*w));
    assert_non_null(w);
    assert_int_equal(ertc_loop_create(&w->loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&w->cert[0]), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&w->cert[1]), WEBRTC_STATUS_SUCCESS);
    return w;
}

static void teardown_world(world_t *w)
{
    for (int i = 0; i < 2; i++) {
        ertc_pc_free(w->ep[i].pc);
        w->ep[i].pc = NULL;
        for (int f = 0; f < w->ep[i].frame_count && f < MAX_FRAMES; f++) {
            ertc_free(w->ep[i].frames[f]);
        }
        ertc_free(w->ep[i].description);
        ertc_cert_unref(w->cert[i]);
    }
    /* Signaling messages still queued are dropped by the loop's destroy. */
    ertc_loop_destroy(w->loop);
    ertc_free(w);
}

static void test_video_end_to_end(void **state)
{
    (void)state;
    world_t *w = new_world();
    setup_endpoint(w, OFFERER);
    setup_endpoint(w, ANSWERER);

    assert_string_equal(ertc_pc_failure_detail(w->ep[OFFERER].pc), "");
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
}

/* ---- audio, BUNDLE, RTCP -------------------------------------------------------------- */

static void connect_world(world_t *w)
{
    assert_int_equal(ertc_pc_create_offer(w->ep[OFFERER].pc), WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, both_connected));
}

/* An Opus packet: TOC 0xf8 (CELT fullband 20 ms, mono, one frame), then bytes from seed. */
static size_t make_opus(uint8_t *buf, int seed)
{
    size_t len = 20 + (size_t)(seed % 40);
    buf[0] = 0xf8;
    for (size_t i = 1; i < len; i++) {
        buf[i] = (uint8_t)(i * 7u + (unsigned)seed);
    }
    return len;
}

static void send_audio(endpoint_t *ep, int count)
{
    uint8_t pkt[OPUS_LEN];
    for (int i = 0; i < count; i++) {
        size_t len = make_opus(pkt, i);
        assert_int_equal(ertc_pc_send_audio_frame(ep->pc, pkt, len, (uint64_t)i * AUDIO_US),
                         WEBRTC_STATUS_SUCCESS);
    }
}

static void check_audio(const endpoint_t *ep, int count)
{
    uint8_t pkt[OPUS_LEN];
    assert_int_equal(ep->audio_count, count);
    for (int i = 0; i < count; i++) {
        size_t len = make_opus(pkt, i);
        assert_int_equal(ep->audio_len[i], len);
        assert_memory_equal(ep->audio[i], pkt, len);
    }
}

static size_t make_idr(uint8_t *au)
{
    size_t len = append_nal(au, 0, 0x67, 12, 1);
    len = append_nal(au, len, 0x68, 5, 2);
    return append_nal(au, len, 0x65, IDR_LEN, 3);
}

static bool one_frame(const world_t *w)
{
    return w->ep[ANSWERER].frame_count >= 1;
}

static bool audio_both_ways(const world_t *w)
{
    return w->ep[0].audio_count >= 10 && w->ep[1].audio_count >= 10 &&
           w->ep[ANSWERER].frame_count >= 1 && w->ep[OFFERER].frame_count >= 1;
}

static bool rtt_both_ways(const world_t *w)
{
    ertc_pc_stats_t a, b;
    ertc_pc_get_stats(w->ep[0].pc, &a);
    ertc_pc_get_stats(w->ep[1].pc, &b);
    return a.has_rtt && b.has_rtt;
}

static void test_audio_video_bundle(void **state)
{
    (void)state;
    world_t *w = new_world();
    media_cfg_t all = {true, true, true, true};
    setup_endpoint_media(w, OFFERER, &all);
    setup_endpoint_media(w, ANSWERER, &all);
    connect_world(w);

    /* One transport for both m-lines: video "0" first, Opus as the issue asks. */
    const char *offer = w->ep[OFFERER].description;
    const char *answer = w->ep[ANSWERER].description;
    assert_non_null(strstr(offer, "a=group:BUNDLE 0 1\r\n"));
    assert_non_null(strstr(offer, "opus/48000/2"));
    assert_non_null(strstr(offer, "minptime=10;useinbandfec=1"));
    assert_true(strstr(offer, "m=video") < strstr(offer, "m=audio"));
    assert_non_null(strstr(answer, "a=group:BUNDLE 0 1\r\n"));
    assert_non_null(strstr(answer, "a=sendrecv"));

    for (int i = 0; i < 2; i++) {
        ertc_pc_media_info_t info;
        ertc_pc_get_media_info(w->ep[i].pc, &info);
        assert_true(info.send_video && info.receive_video && info.send_audio && info.receive_audio);
        assert_int_equal(info.video_pt, 102);
        assert_int_equal(info.audio_pt, 111);
        assert_true(info.video_nack);
        assert_int_equal(info.dtls_client, i == ANSWERER);
    }

    static uint8_t au[MAX_AU];
    size_t au_len = make_idr(au);
    send_audio(&w->ep[OFFERER], 10);
    send_audio(&w->ep[ANSWERER], 10);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[ANSWERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, audio_both_ways));
    check_audio(&w->ep[OFFERER], 10);
    check_audio(&w->ep[ANSWERER], 10);
    assert_memory_equal(w->ep[OFFERER].frames[0], au, au_len);
    assert_memory_equal(w->ep[ANSWERER].frames[0], au, au_len);

    /* Reports both ways: SRs (both send), blocks about each other's SSRCs, then the RTT. */
    assert_true(run_until(w, rtt_both_ways));
    for (int i = 0; i < 2; i++) {
        ertc_pc_stats_t st;
        ertc_pc_get_stats(w->ep[i].pc, &st);
        assert_int_equal(st.audio_frames_sent, 10);
        assert_int_equal(st.audio_frames_received, 10);
        assert_int_equal(st.audio_packets_sent, 10);
        assert_int_equal(st.audio_packets_lost, 0);
        assert_int_equal(st.video_frames_received, 1);
        assert_true(st.sr_sent >= 1);
        assert_true(st.sr_received >= 1);
        assert_true(st.rr_received >= 1);
        assert_true(st.rtt_ms < 1000);
        assert_true(st.bytes_sent > au_len);
        assert_true(st.bytes_received > au_len);
        assert_true(st.connected_us >= st.remote_description_us);
        assert_true(st.ice_connected_us > 0 && st.ice_connected_us <= st.connected_us);
        assert_true(st.ice_connected_us >= st.created_us);
        assert_true(st.remote_description_us >= st.created_us && st.created_us > 0);
        assert_int_equal(st.srtp_drops, 0);
        assert_int_equal(st.nacks_sent, 0);
    }
    teardown_world(w);
}

/* The answerer only receives video: the answer says recvonly, and answers audio inactive
 * (bundled, not rejected: aiortc cannot connect when a BUNDLE answer rejects an m-line); the
 * offerer takes directions, payload types and the DTLS role from it. */
static void test_offerer_applies_answer(void **state)
{
    (void)state;
    world_t *w = new_world();
    media_cfg_t all = {true, true, true, true};
    media_cfg_t viewer = {.receive_video = true};
    setup_endpoint_media(w, OFFERER, &all);
    setup_endpoint_media(w, ANSWERER, &viewer);
    connect_world(w);
    const char *answer = w->ep[ANSWERER].description;
    const char *audio = strstr(answer, "m=audio 9 ");
    assert_non_null(audio);
    assert_non_null(strstr(audio, "a=inactive"));
    assert_non_null(strstr(answer, "a=recvonly"));
    assert_non_null(strstr(answer, "a=setup:active"));

    ertc_pc_media_info_t info;
    ertc_pc_get_media_info(w->ep[OFFERER].pc, &info);
    assert_true(info.send_video);
    assert_false(info.receive_video || info.send_audio || info.receive_audio);
    assert_int_equal(info.video_pt, 102);
    assert_false(info.dtls_client); /* the answerer is active */
    ertc_pc_get_media_info(w->ep[ANSWERER].pc, &info);
    assert_true(info.receive_video && info.dtls_client);
    assert_false(info.send_video || info.send_audio || info.receive_audio);

    uint8_t pkt[OPUS_LEN];
    size_t len = make_opus(pkt, 1);
    assert_int_equal(ertc_pc_send_audio_frame(w->ep[OFFERER].pc, pkt, len, 0),
                     WEBRTC_STATUS_INVALID_OPERATION);
    static uint8_t au[MAX_AU];
    size_t au_len = make_idr(au);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, one_frame));
    assert_int_equal(w->ep[ANSWERER].frame_count, 1);
    teardown_world(w);
}

static bool audio_arrived(const world_t *w)
{
    return w->ep[0].audio_count >= 5 && w->ep[1].audio_count >= 5;
}

/* An audio-only offer (aiortc and Chromium make them) against a device with video too. */
static void test_audio_only_offer(void **state)
{
    (void)state;
    world_t *w = new_world();
    media_cfg_t audio = {.send_audio = true, .receive_audio = true};
    media_cfg_t all = {true, true, true, true};
    setup_endpoint_media(w, OFFERER, &audio);
    setup_endpoint_media(w, ANSWERER, &all);
    w->ep[ANSWERER].video = false; /* its answer has no video */
    connect_world(w);
    assert_null(strstr(w->ep[OFFERER].description, "m=video"));
    assert_null(strstr(w->ep[ANSWERER].description, "m=video"));
    assert_non_null(strstr(w->ep[ANSWERER].description, "a=group:BUNDLE 0\r\n"));
    ertc_pc_media_info_t info;
    ertc_pc_get_media_info(w->ep[ANSWERER].pc, &info);
    assert_true(info.send_audio && info.receive_audio);
    assert_false(info.send_video || info.receive_video);
    static uint8_t au[MAX_AU];
    size_t au_len = make_idr(au);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[ANSWERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_INVALID_OPERATION);
    send_audio(&w->ep[OFFERER], 5);
    send_audio(&w->ep[ANSWERER], 5);
    assert_true(run_until(w, audio_arrived));
    check_audio(&w->ep[OFFERER], 5);
    check_audio(&w->ep[ANSWERER], 5);
    teardown_world(w);
}

static void test_video_only_offer(void **state)
{
    (void)state;
    world_t *w = new_world();
    media_cfg_t camera = {.send_video = true};
    media_cfg_t all = {true, true, true, true};
    setup_endpoint_media(w, OFFERER, &camera);
    setup_endpoint_media(w, ANSWERER, &all);
    connect_world(w);
    assert_null(strstr(w->ep[ANSWERER].description, "m=audio"));
    ertc_pc_media_info_t info;
    ertc_pc_get_media_info(w->ep[ANSWERER].pc, &info);
    assert_true(info.receive_video);
    assert_false(info.send_video || info.send_audio || info.receive_audio);
    uint8_t pkt[OPUS_LEN];
    assert_int_equal(ertc_pc_send_audio_frame(w->ep[ANSWERER].pc, pkt, make_opus(pkt, 0), 0),
                     WEBRTC_STATUS_INVALID_OPERATION);
    static uint8_t au[MAX_AU];
    size_t au_len = make_idr(au);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, one_frame));
    assert_memory_equal(w->ep[ANSWERER].frames[0], au, au_len);
    teardown_world(w);
}

/* Config checks: TURN servers are passed to the ICE agent (within its limit); a connection
 * needs some media. */
static void test_config_limits(void **state)
{
    (void)state;
    ertc_loop_t *loop = NULL;
    ertc_cert_t *cert = NULL;
    assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&cert), WEBRTC_STATUS_SUCCESS);
    endpoint_t ep;
    memset(&ep, 0, sizeof(ep));
    media_cfg_t all = {true, true, true, true};
    ertc_pc_config_t cfg;
    ertc_pc_t *pc = NULL;
    fill_config(&cfg, ANSWERER, &all);
    cfg.turn_server_count = ERTC_ICE_MAX_TURN_SERVERS + 1;
    assert_int_equal(ertc_pc_create(loop, cert, &cfg, &callbacks, &ep, &pc),
                     WEBRTC_STATUS_INVALID_ARG);
    media_cfg_t none = {false, false, false, false};
    fill_config(&cfg, ANSWERER, &none);
    assert_int_equal(ertc_pc_create(loop, cert, &cfg, &callbacks, &ep, &pc),
                     WEBRTC_STATUS_INVALID_ARG);
    media_cfg_t mic = {.send_audio = true};
    fill_config(&cfg, ANSWERER, &mic);
    assert_int_equal(ertc_pc_create(loop, cert, &cfg, &callbacks, &ep, &pc), WEBRTC_STATUS_SUCCESS);
    uint8_t pkt[OPUS_LEN];
    size_t len = make_opus(pkt, 0);
    assert_int_equal(ertc_pc_send_audio_frame(pc, pkt, len, 0), WEBRTC_STATUS_RETRY_LATER);
    assert_int_equal(ertc_pc_send_audio_frame(pc, pkt, 0, 0), WEBRTC_STATUS_INVALID_ARG);
    static uint8_t au[MAX_AU];
    assert_int_equal(ertc_pc_send_video_frame(pc, au, make_idr(au), 0),
                     WEBRTC_STATUS_INVALID_OPERATION);
    ertc_pc_stats_t st;
    ertc_pc_get_stats(pc, &st);
    assert_int_equal(st.audio_frames_dropped, 1);
    ertc_pc_close(pc);
    assert_int_equal(ertc_pc_send_audio_frame(pc, pkt, len, 0), WEBRTC_STATUS_CLOSED);
    ertc_pc_free(pc);
    ertc_cert_unref(cert);
    ertc_loop_destroy(loop);
}

/* ---- real descriptions ------------------------------------------------------------------- */

static char *load_sdp(const char *name)
{
    const char *dir = getenv("ERTC_TEST_DATA");
    char path[512];
    snprintf(path, sizeof(path), "%s/sdp/%s", dir != NULL ? dir : "tests/data", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (set ERTC_TEST_DATA to tests/data)", path);
    }
    char *text = ertc_calloc(1, 65536);
    assert_non_null(text);
    size_t len = fread(text, 1, 65535, f);
    fclose(f);
    assert_true(len > 0);
    return text;
}

/* Cuts the m-section that starts with `mline` (up to the next m= or the end). */
static void cut_section(char *sdp, const char *mline)
{
    char *start = strstr(sdp, mline);
    assert_non_null(start);
    char *end = strstr(start + 2, "\nm=");
    if (end == NULL) {
        *start = '\0';
        return;
    }
    memmove(start, end + 1, strlen(end + 1) + 1);
}

static void replace_in(char *sdp, const char *from, const char *to)
{
    assert_int_equal(strlen(from), strlen(to));
    for (char *p = strstr(sdp, from); p != NULL; p = strstr(p + strlen(to), from)) {
        memcpy(p, to, strlen(to));
    }
}

typedef struct {
    ertc_loop_t *loop;
    ertc_cert_t *cert;
    endpoint_t ep;
} lone_t;

static void lone_create(lone_t *l, int index, const media_cfg_t *m)
{
    memset(&l->ep, 0, sizeof(l->ep));
    l->ep.index = index;
    l->ep.video = m->send_video || m->receive_video;
    ertc_pc_config_t cfg;
    fill_config(&cfg, index, m);
    assert_int_equal(ertc_pc_create(l->loop, l->cert, &cfg, &callbacks, &l->ep, &l->ep.pc),
                     WEBRTC_STATUS_SUCCESS);
}

static void lone_free(lone_t *l)
{
    ertc_pc_free(l->ep.pc);
    ertc_free(l->ep.description);
    l->ep.pc = NULL;
    l->ep.description = NULL;
}

/* Answers `sdp` as a two-way audio+video device; checks what was negotiated. */
static void answer_real_offer(lone_t *l, const char *name, const char *sdp,
                              const ertc_pc_media_info_t *want)
{
    media_cfg_t all = {true, true, true, true};
    lone_create(l, ANSWERER, &all);
    l->ep.video = false; /* the answer has H264 only when the offer had it */
    WEBRTC_STATUS st =
        ertc_pc_set_remote_description(l->ep.pc, ERTC_PC_SDP_OFFER, sdp, strlen(sdp));
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail_msg("%s: %s", name, ertc_pc_failure_detail(l->ep.pc));
    }
    assert_non_null(l->ep.description);
    assert_non_null(strstr(l->ep.description, "a=group:BUNDLE "));
    ertc_pc_media_info_t info;
    ertc_pc_get_media_info(l->ep.pc, &info);
    if (info.send_video != want->send_video || info.receive_video != want->receive_video ||
        info.send_audio != want->send_audio || info.receive_audio != want->receive_audio ||
        (want->video_pt != 0 && info.video_pt != want->video_pt) ||
        (want->audio_pt != 0 && info.audio_pt != want->audio_pt)) {
        fail_msg("%s: negotiated video %d/%d pt %u, audio %d/%d pt %u", name, info.send_video,
                 info.receive_video, info.video_pt, info.send_audio, info.receive_audio,
                 info.audio_pt);
    }
    if (info.send_audio || info.receive_audio) {
        assert_non_null(strcasestr(l->ep.description, "opus/48000/2"));
    }
    lone_free(l);
}

static void test_real_offers(void **state)
{
    (void)state;
    lone_t l;
    assert_int_equal(ertc_loop_create(&l.loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&l.cert), WEBRTC_STATUS_SUCCESS);
    static const struct {
        const char *file;
        ertc_pc_media_info_t want;
    } cases[] = {
        {"chromium_offer_sendrecv.sdp", {true, true, true, true, 0, 111, false, false}},
        {"chromium_offer_recvonly.sdp", {true, false, true, false, 0, 111, false, false}},
        {"aiortc_offer.sdp", {true, true, true, true, 0, 96, false, false}},
        {"firefox_offer_h264_edited.sdp", {true, false, true, false, 0, 109, false, false}},
        {"gstreamer_offer_sendonly.sdp", {false, true, false, true, 96, 111, false, false}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *sdp = load_sdp(cases[i].file);
        answer_real_offer(&l, cases[i].file, sdp, &cases[i].want);
        ertc_free(sdp);
    }

    /* Chromium's two-way offer cut down to audio only (mid 0) and to video only (mid 1). */
    char *sdp = load_sdp("chromium_offer_sendrecv.sdp");
    cut_section(sdp, "m=video");
    replace_in(sdp, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0  ");
    ertc_pc_media_info_t audio_only = {false, false, true, true, 0, 111, false, false};
    answer_real_offer(&l, "chromium audio-only", sdp, &audio_only);
    ertc_free(sdp);
    sdp = load_sdp("chromium_offer_sendrecv.sdp");
    cut_section(sdp, "m=audio");
    replace_in(sdp, "a=group:BUNDLE 0 1", "a=group:BUNDLE 1  ");
    ertc_pc_media_info_t video_only = {true, true, false, false, 0, 0, false, false};
    answer_real_offer(&l, "chromium video-only", sdp, &video_only);
    ertc_free(sdp);

    /* Nothing in common: refused, and the detail names what was offered. */
    sdp = load_sdp("chromium_offer_sendrecv.sdp");
    replace_in(sdp, "H264/90000", "X264/90000");
    replace_in(sdp, "opus/48000/2", "opuz/48000/2");
    media_cfg_t all = {true, true, true, true};
    lone_create(&l, ANSWERER, &all);
    l.ep.expect_failure = true;
    assert_int_equal(ertc_pc_set_remote_description(l.ep.pc, ERTC_PC_SDP_OFFER, sdp, strlen(sdp)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(ertc_pc_state(l.ep.pc), ERTC_PC_STATE_FAILED);
    assert_null(l.ep.description);
    assert_non_null(strstr(l.ep.failure, "VP8/90000"));
    assert_non_null(strstr(l.ep.failure, "X264"));
    assert_string_equal(ertc_pc_failure_detail(l.ep.pc), l.ep.failure);
    lone_free(&l);
    ertc_free(sdp);

    ertc_cert_unref(l.cert);
    ertc_loop_destroy(l.loop);
}

/* Real answers to an offer like ours (video mid 0, audio mid 1, data 2; see the README). */
static void test_real_answers(void **state)
{
    (void)state;
    lone_t l;
    assert_int_equal(ertc_loop_create(&l.loop, 0), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_cert_generate(&l.cert), WEBRTC_STATUS_SUCCESS);
    static const struct {
        const char *file;
        ertc_pc_media_info_t want; /* dtls_client: we are the DTLS client */
    } cases[] = {
        {"chromium_answer.sdp", {true, false, true, false, 102, 111, true, false}},
        {"aiortc_answer.sdp", {true, false, true, false, 102, 111, true, false}},
        {"gstreamer_answer.sdp",
         {true, false, true, false, 102, 111, false, false}}, /* nack pli only */
        {"firefox_answer.sdp", {false, false, true, false, 0, 111, false, false}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        media_cfg_t m = {.send_video = true, .send_audio = true}; /* a camera with a mic */
        lone_create(&l, OFFERER, &m);
        assert_int_equal(ertc_pc_create_offer(l.ep.pc), WEBRTC_STATUS_SUCCESS);
        char *sdp = load_sdp(cases[i].file);
        WEBRTC_STATUS st =
            ertc_pc_set_remote_description(l.ep.pc, ERTC_PC_SDP_ANSWER, sdp, strlen(sdp));
        if (st != WEBRTC_STATUS_SUCCESS) {
            fail_msg("%s: %s", cases[i].file, ertc_pc_failure_detail(l.ep.pc));
        }
        ertc_pc_media_info_t info;
        ertc_pc_get_media_info(l.ep.pc, &info);
        const ertc_pc_media_info_t *want = &cases[i].want;
        assert_true(info.dtls_client == want->dtls_client); /* all answered setup:active */
        if (info.send_video != want->send_video || info.send_audio != want->send_audio ||
            info.receive_video || info.receive_audio ||
            (want->video_pt != 0 && info.video_pt != want->video_pt) ||
            info.audio_pt != want->audio_pt || info.video_nack != want->video_nack) {
            fail_msg("%s: video %d pt %u nack %d, audio %d pt %u, dtls client %d", cases[i].file,
                     info.send_video, info.video_pt, info.video_nack, info.send_audio,
                     info.audio_pt, info.dtls_client);
        }
        ertc_free(sdp);
        lone_free(&l);
    }
    ertc_cert_unref(l.cert);
    ertc_loop_destroy(l.loop);
}

/* ---- loss ---------------------------------------------------------------------------------- */

static void test_nack_recovery(void **state)
{
    (void)state;
    world_t *w = new_world();
    setup_endpoint(w, OFFERER);
    setup_endpoint(w, ANSWERER);
    connect_world(w);

    static uint8_t au[3][MAX_AU];
    size_t au_len[3];
    au_len[0] = make_idr(au[0]);
    au_len[1] = append_nal(au[1], 0, 0x41, P_LEN_LARGE, 4);
    au_len[2] = append_nal(au[2], 0, 0x41, P_LEN_LARGE, 5);
    /* The STAP-A (SPS+PPS) and the first FU-A go; the next three FU-As are lost once. */
    ertc_pc_test_drop_rtp(w->ep[OFFERER].pc, 2, 3, false);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            ertc_pc_send_video_frame(w->ep[OFFERER].pc, au[i], au_len[i], (uint64_t)i * FRAME_US),
            WEBRTC_STATUS_SUCCESS);
    }
    assert_true(run_until(w, three_frames));
    endpoint_t *rx = &w->ep[ANSWERER];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rx->frame_len[i], au_len[i]);
        assert_memory_equal(rx->frames[i], au[i], au_len[i]);
    }
    ertc_pc_stats_t tx_stats, rx_stats;
    ertc_pc_get_stats(w->ep[OFFERER].pc, &tx_stats);
    ertc_pc_get_stats(rx->pc, &rx_stats);
    assert_true(rx_stats.nacks_sent >= 1);
    assert_true(rx_stats.nack_seqs_sent >= 3);
    assert_true(tx_stats.nacks_received >= 1);
    assert_true(tx_stats.packets_resent >= 3);
    assert_int_equal(rx_stats.keyframe_requests_sent, 0);
    assert_int_equal(w->ep[OFFERER].keyframe_requests, 0);
    assert_int_equal(rx_stats.video_packets_received, tx_stats.video_packets_sent);
    teardown_world(w);
}

static int g_frames_pushed;

static void push_delta_frame(world_t *w)
{
    static uint8_t au[MAX_AU];
    static size_t len;
    if (len == 0) {
        len = append_nal(au, 0, 0x41, P_LEN_LARGE, 9);
    }
    if (g_frames_pushed < 400) {
        g_frames_pushed++;
        (void)ertc_pc_send_video_frame(w->ep[OFFERER].pc, au, len,
                                       (uint64_t)g_frames_pushed * FRAME_US);
    }
}

/* Loss NACK cannot repair (the resends are lost too): the receiver asks for a key frame. */
static void test_pli_on_loss(void **state)
{
    (void)state;
    world_t *w = new_world();
    setup_endpoint(w, OFFERER);
    setup_endpoint(w, ANSWERER);
    w->ep[ANSWERER].keep_frames = false;
    connect_world(w);
    static uint8_t au[MAX_AU];
    size_t au_len = make_idr(au);
    assert_int_equal(ertc_pc_send_video_frame(w->ep[OFFERER].pc, au, au_len, 0),
                     WEBRTC_STATUS_SUCCESS);
    assert_true(run_until(w, one_frame));
    ertc_pc_test_drop_rtp(w->ep[OFFERER].pc, 1, 2, true);
    g_frames_pushed = 0;
    assert_true(run_until_tick(w, keyframe_requested, push_delta_frame));
    ertc_pc_stats_t rx_stats, tx_stats;
    ertc_pc_get_stats(w->ep[ANSWERER].pc, &rx_stats);
    ertc_pc_get_stats(w->ep[OFFERER].pc, &tx_stats);
    assert_true(rx_stats.keyframe_requests_sent >= 1);
    assert_true(rx_stats.keyframe_requests_sent <= 2); /* rate limited */
    assert_true(rx_stats.nacks_sent >= 1);
    assert_true(tx_stats.keyframe_requests_received >= 1);
    teardown_world(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_video_end_to_end),
        cmocka_unit_test(test_audio_video_bundle),
        cmocka_unit_test(test_offerer_applies_answer),
        cmocka_unit_test(test_audio_only_offer),
        cmocka_unit_test(test_video_only_offer),
        cmocka_unit_test(test_config_limits),
        cmocka_unit_test(test_real_offers),
        cmocka_unit_test(test_real_answers),
        cmocka_unit_test(test_nack_recovery),
        cmocka_unit_test(test_pli_on_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
