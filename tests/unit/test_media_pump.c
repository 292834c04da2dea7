/*
 * test_media_pump — the per-session frame queue on its own (drop policy: video flushed and
 * a key frame awaited on overflow, audio dropped oldest first, nothing ever blocks or
 * grows, references released), the Annex-B scan, and the pump with a scripted capture:
 * SPS/PPS cached and put in front of an IDR that lacks them, a key frame asked for when a
 * sink is added, and a slow sink losing frames while capture goes on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "peer/media_pump.h"
#include "peer/media_pump_queue.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/alloc.h"

static ertc_media_frame_t *frame(ertc_media_kind_t kind, bool key, size_t len)
{
    ertc_media_frame_t *f = ertc_media_frame_new(kind, key, 0, len);
    assert_non_null(f);
    memset(f->data, 0x55, len);
    return f;
}

/* Pushes a new frame and drops the caller's reference. */
static ertc_media_queue_result_t push(ertc_media_queue_t *q, ertc_media_kind_t kind, bool key,
                                      size_t len)
{
    ertc_media_frame_t *f = frame(kind, key, len);
    ertc_media_queue_result_t r = ertc_media_queue_push(q, f);
    ertc_media_frame_unref(f);
    return r;
}

static void test_queue_starts_on_key_frame(void **state)
{
    (void)state;
    ertc_media_queue_t q;
    assert_int_equal(ertc_media_queue_init(&q, 4, 10000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_DROPPED);
    assert_int_equal(push(&q, ERTC_MEDIA_AUDIO, false, 10), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 100), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(q.count, 3);
    assert_int_equal(q.bytes, 210);
    ertc_media_frame_t *f = ertc_media_queue_pop(&q);
    assert_int_equal(f->kind, ERTC_MEDIA_AUDIO); /* order kept */
    ertc_media_frame_unref(f);
    f = ertc_media_queue_pop(&q);
    assert_true(f->key);
    ertc_media_frame_unref(f);
    assert_int_equal(q.stats.video_dropped, 1);
    ertc_media_queue_free(&q); /* releases the P-frame still queued */
}

static void test_queue_overflow_flushes_video_until_key(void **state)
{
    (void)state;
    ertc_media_queue_t q;
    assert_int_equal(ertc_media_queue_init(&q, 4, 100000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 1000), ERTC_MEDIA_QUEUE_QUEUED);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_QUEUED);
    }
    /* Full: a slow peer. The new P-frame and all queued video go; a key frame is needed. */
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY);
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    assert_true(q.video_waiting_key);
    assert_int_equal(q.stats.overflows, 1);
    assert_int_equal(q.stats.video_dropped, 5);
    /* P-frames are refused until the key frame comes; audio still flows. */
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_DROPPED);
    assert_int_equal(push(&q, ERTC_MEDIA_AUDIO, false, 50), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 1000), ERTC_MEDIA_QUEUE_QUEUED);
    assert_false(q.video_waiting_key);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 100), ERTC_MEDIA_QUEUE_QUEUED);
    ertc_media_queue_free(&q);
}

static void test_queue_byte_limit_and_key_frame_overflow(void **state)
{
    (void)state;
    ertc_media_queue_t q;
    assert_int_equal(ertc_media_queue_init(&q, 100, 3000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 2000), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, false, 500), ERTC_MEDIA_QUEUE_QUEUED);
    /* A key frame that does not fit replaces the queued video (it starts a new chain). */
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 2500), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(q.count, 1);
    assert_int_equal(q.bytes, 2500);
    /* Larger than the whole queue: never fits, dropped, video waits for a key frame. */
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 3001), ERTC_MEDIA_QUEUE_DROPPED);
    assert_true(q.video_waiting_key);
    assert_true(q.bytes <= q.max_bytes);
    ertc_media_queue_free(&q);
}

static void test_queue_audio_drops_oldest_audio(void **state)
{
    (void)state;
    ertc_media_queue_t q;
    assert_int_equal(ertc_media_queue_init(&q, 3, 100000), WEBRTC_STATUS_SUCCESS);
    ertc_media_frame_t *a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = frame(ERTC_MEDIA_AUDIO, false, 10);
        a[i]->timestamp_us = (uint64_t)i;
    }
    assert_int_equal(ertc_media_queue_push(&q, a[0]), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(push(&q, ERTC_MEDIA_VIDEO, true, 100), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(ertc_media_queue_push(&q, a[1]), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(ertc_media_queue_push(&q, a[2]), ERTC_MEDIA_QUEUE_QUEUED);
    assert_int_equal(q.count, 3);
    assert_int_equal(q.stats.audio_dropped, 1);
    assert_int_equal(atomic_load(&a[0]->refs), 1); /* the queue let go of it */
    /* The key frame stays; the order is video, a1, a2. */
    ertc_media_frame_t *f = ertc_media_queue_pop(&q);
    assert_int_equal(f->kind, ERTC_MEDIA_VIDEO);
    ertc_media_frame_unref(f);
    f = ertc_media_queue_pop(&q);
    assert_ptr_equal(f, a[1]);
    ertc_media_frame_unref(f);
    ertc_media_queue_free(&q);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(atomic_load(&a[i]->refs), 1);
        ertc_media_frame_unref(a[i]);
    }
}

static void test_queue_never_grows(void **state)
{
    (void)state;
    ertc_media_queue_t q;
    assert_int_equal(ertc_media_queue_init(&q, 8, 20000), WEBRTC_STATUS_SUCCESS);
    for (int i = 0; i < 10000; i++) {
        bool key = i % 30 == 0;
        (void)push(&q, i % 3 == 0 ? ERTC_MEDIA_AUDIO : ERTC_MEDIA_VIDEO, key,
                   key ? 5000 : (size_t)(100 + i % 700));
        assert_true(q.count <= 8);
        assert_true(q.bytes <= 20000);
        if (i % 7 == 0) { /* a consumer slower than the source */
            ertc_media_frame_unref(ertc_media_queue_pop(&q));
        }
    }
    assert_true(q.stats.overflows > 0);
    ertc_media_queue_free(&q);
    assert_int_equal(ertc_media_queue_init(&q, ERTC_MEDIA_QUEUE_MAX_FRAMES + 1, 0),
                     WEBRTC_STATUS_INVALID_ARG);
}

static void test_nal_types(void **state)
{
    (void)state;
    const uint8_t au[] = {0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9, 9, 0, 0};
    assert_int_equal(ertc_media_pump_nal_types(au, sizeof(au)), (1u << 7) | (1u << 8) | (1u << 5));
    const uint8_t p[] = {0, 0, 1, 0x41, 7};
    assert_int_equal(ertc_media_pump_nal_types(p, sizeof(p)), 1u << 1);
    const uint8_t junk[] = {1, 2, 3, 0, 0};
    assert_int_equal(ertc_media_pump_nal_types(junk, sizeof(junk)), 0);
    assert_int_equal(ertc_media_pump_nal_types(NULL, 0), 0);
}

/* ---- the pump with a scripted capture ------------------------------------------------------ */

#define FRAMES_MAX 64

typedef struct {
    int frame_no;
    int key_requests;
    bool next_is_key;
    uint8_t buf[4096];
    video_frame_t vf;
    int init_calls, start_calls, stop_calls, deinit_calls;
} fake_cam_t;

static fake_cam_t cam;

static esp_err_t cam_init(video_capture_config_t *config, video_capture_handle_t *h)
{
    assert_int_equal(config->codec, VIDEO_CODEC_H264);
    cam.init_calls++;
    *h = &cam;
    return ESP_OK;
}
static esp_err_t cam_start(video_capture_handle_t h)
{
    (void)h;
    cam.start_calls++;
    return ESP_OK;
}
static esp_err_t cam_stop(video_capture_handle_t h)
{
    (void)h;
    cam.stop_calls++;
    return ESP_OK;
}
static esp_err_t cam_deinit(video_capture_handle_t h)
{
    (void)h;
    cam.deinit_calls++;
    return ESP_OK;
}

static size_t put_nal(uint8_t *p, uint8_t header, size_t len)
{
    p[0] = 0;
    p[1] = 0;
    p[2] = 0;
    p[3] = 1;
    p[4] = header;
    memset(p + 5, 0x11, len - 1);
    return 4 + len;
}

/* Frame 0: SPS+PPS+IDR. Later key frames: IDR alone (the pump must add SPS/PPS). */
static esp_err_t cam_get_frame(video_capture_handle_t h, video_frame_t **out, uint32_t wait_ms)
{
    (void)h;
    ertc_sleep_ms(wait_ms < 5 ? wait_ms : 5);
    bool key = cam.frame_no == 0 || cam.next_is_key;
    cam.next_is_key = false;
    size_t n = 0;
    if (cam.frame_no == 0) {
        n += put_nal(cam.buf + n, 0x67, 10);
        n += put_nal(cam.buf + n, 0x68, 4);
    }
    n += put_nal(cam.buf + n, key ? 0x65 : 0x41, key ? 1000 : 200);
    cam.vf = (video_frame_t){.buffer = cam.buf,
                             .len = (uint32_t)n,
                             .timestamp = (uint64_t)cam.frame_no * 33333,
                             .type = key ? VIDEO_FRAME_TYPE_I : VIDEO_FRAME_TYPE_P};
    cam.frame_no++;
    *out = &cam.vf;
    return ESP_OK;
}
static esp_err_t cam_release(video_capture_handle_t h, video_frame_t *f)
{
    (void)h;
    assert_ptr_equal(f, &cam.vf);
    return ESP_OK;
}
static esp_err_t cam_request_key(video_capture_handle_t h)
{
    (void)h;
    cam.key_requests++;
    cam.next_is_key = true;
    return ESP_OK;
}

static media_stream_video_capture_t cam_if = {
    .init = cam_init,
    .start = cam_start,
    .stop = cam_stop,
    .get_frame = cam_get_frame,
    .release_frame = cam_release,
    .deinit = cam_deinit,
    .request_key_frame = cam_request_key,
};

typedef struct {
    int frames;
    int keys;
    bool first_is_key;
    bool keys_have_params;
} sink_log_t;

static void deliver(void *sink_arg, const ertc_media_frame_t *f, void *arg)
{
    (void)arg;
    sink_log_t *log = sink_arg;
    if (log->frames == 0) {
        log->first_is_key = f->key;
        log->keys_have_params = true;
    }
    if (f->key) {
        uint32_t t = ertc_media_pump_nal_types(f->data, f->len);
        log->keys_have_params = log->keys_have_params && (t & (1u << 7)) && (t & (1u << 8));
        log->keys++;
    }
    log->frames++;
}

static void test_pump_key_frames_and_param_sets(void **state)
{
    (void)state;
    memset(&cam, 0, sizeof(cam));
    ertc_loop_t *loop = NULL;
    assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
    ertc_media_pump_config_t cfg = {
        .loop = loop, .video = &cam_if, .deliver = deliver, .key_frame_min_interval_ms = 1};
    ertc_media_pump_t *pump = NULL;
    assert_int_equal(ertc_media_pump_create(&cfg, &pump), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_media_pump_start(pump), WEBRTC_STATUS_SUCCESS);
    /* Let the first (SPS+PPS+IDR) frame pass with nobody listening: its params are cached. */
    while (cam.frame_no < 3) {
        (void)ertc_loop_run_once(loop, 5);
    }
    sink_log_t a = {0};
    ertc_media_sink_t *sa = NULL;
    assert_int_equal(ertc_media_pump_add_sink(pump, &a, &sa), WEBRTC_STATUS_SUCCESS);
    uint64_t deadline = ertc_time_mono_ms() + 20000;
    while (a.frames < 10 && ertc_time_mono_ms() < deadline) {
        (void)ertc_loop_run_once(loop, 5);
    }
    assert_true(a.frames >= 10);
    assert_true(a.first_is_key);        /* the sink started on a key frame... */
    assert_true(a.keys_have_params);    /* ...made decodable with the cached SPS/PPS */
    assert_true(cam.key_requests >= 1); /* asked for when the sink was added */
    ertc_media_pump_stats_t st;
    ertc_media_pump_get_stats(pump, &st);
    assert_true(st.param_sets_inserted >= 1);
    /* PLI: another key frame, again with parameter sets. */
    int keys = a.keys;
    ertc_media_pump_request_key_frame(pump);
    while (a.keys == keys && ertc_time_mono_ms() < deadline) {
        (void)ertc_loop_run_once(loop, 5);
    }
    assert_true(a.keys > keys);
    assert_true(a.keys_have_params);
    ertc_media_pump_remove_sink(pump, sa);
    ertc_media_pump_stop(pump);
    assert_int_equal(cam.stop_calls, 1);
    assert_int_equal(cam.deinit_calls, 1);
    ertc_media_pump_destroy(pump);
    (void)ertc_loop_run_once(loop, 0); /* a drain posted before destroy finds nothing */
    ertc_loop_destroy(loop);
}

static void test_pump_slow_sink_drops_capture_never_waits(void **state)
{
    (void)state;
    memset(&cam, 0, sizeof(cam));
    ertc_loop_t *loop = NULL;
    assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
    ertc_media_pump_config_t cfg = {.loop = loop,
                                    .video = &cam_if,
                                    .deliver = deliver,
                                    .queue_frames = 4,
                                    .key_frame_min_interval_ms = 1};
    ertc_media_pump_t *pump = NULL;
    assert_int_equal(ertc_media_pump_create(&cfg, &pump), WEBRTC_STATUS_SUCCESS);
    sink_log_t a = {0};
    ertc_media_sink_t *sa = NULL;
    assert_int_equal(ertc_media_pump_add_sink(pump, &a, &sa), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_media_pump_start(pump), WEBRTC_STATUS_SUCCESS);
    /* The loop does not run for a while (a stalled network path): capture goes on. */
    uint64_t t0 = ertc_time_mono_ms();
    while (cam.frame_no < 40 && ertc_time_mono_ms() - t0 < 20000) {
        ertc_sleep_ms(5);
    }
    assert_true(cam.frame_no >= 40);
    ertc_media_queue_stats_t qs;
    ertc_media_pump_get_sink_stats(pump, sa, &qs);
    assert_true(qs.video_dropped > 0);
    assert_true(qs.overflows > 0);
    /* Then the loop catches up: what arrives starts on a key frame. */
    uint64_t deadline = ertc_time_mono_ms() + 20000;
    while (a.frames < 8 && ertc_time_mono_ms() < deadline) {
        (void)ertc_loop_run_once(loop, 5);
    }
    assert_true(a.frames >= 8);
    assert_true(a.first_is_key);
    ertc_media_pump_destroy(pump); /* with the sink still attached */
    (void)ertc_loop_run_once(loop, 0);
    ertc_loop_destroy(loop);
}

/* Two sessions: each captured frame is copied once and reaches both, each starting on a key
 * frame; a sink added later starts on a key frame of its own. */
static void test_pump_fans_out(void **state)
{
    (void)state;
    memset(&cam, 0, sizeof(cam));
    ertc_loop_t *loop = NULL;
    assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
    ertc_media_pump_config_t cfg = {
        .loop = loop, .video = &cam_if, .deliver = deliver, .key_frame_min_interval_ms = 1};
    ertc_media_pump_t *pump = NULL;
    assert_int_equal(ertc_media_pump_create(&cfg, &pump), WEBRTC_STATUS_SUCCESS);
    sink_log_t a = {0};
    sink_log_t b = {0};
    ertc_media_sink_t *sa = NULL;
    ertc_media_sink_t *sb = NULL;
    assert_int_equal(ertc_media_pump_add_sink(pump, &a, &sa), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_media_pump_start(pump), WEBRTC_STATUS_SUCCESS);
    uint64_t deadline = ertc_time_mono_ms() + 20000;
    while (a.frames < 5 && ertc_time_mono_ms() < deadline) {
        (void)ertc_loop_run_once(loop, 5);
    }
    int keys_before = cam.key_requests;
    assert_int_equal(ertc_media_pump_add_sink(pump, &b, &sb), WEBRTC_STATUS_SUCCESS);
    while ((a.frames < 15 || b.frames < 10) && ertc_time_mono_ms() < deadline) {
        (void)ertc_loop_run_once(loop, 5);
    }
    assert_true(a.frames >= 15 && b.frames >= 10);
    assert_true(a.first_is_key && b.first_is_key);
    assert_true(a.keys_have_params && b.keys_have_params);
    assert_true(cam.key_requests > keys_before); /* the second session asked for its own */
    ertc_media_pump_stats_t st;
    ertc_media_pump_get_stats(pump, &st);
    assert_true(st.video_frames_captured >= (uint64_t)a.frames);
    ertc_media_pump_remove_sink(pump, sa);
    ertc_media_pump_destroy(pump);
    (void)ertc_loop_run_once(loop, 0);
    ertc_loop_destroy(loop);
}

static void must_not_deliver(void *sink_arg, const ertc_media_frame_t *f, void *arg)
{
    (void)sink_arg;
    (void)f;
    (void)arg;
    fail_msg("a drain posted by a destroyed pump reached another pump's sinks");
}

/* A drain still posted when its pump is destroyed: it runs later and does nothing (even
 * when a new pump took the same slot), or is dropped with its loop, and nothing leaks. */
static void test_drain_outlives_pump(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        memset(&cam, 0, sizeof(cam));
        ertc_loop_t *loop = NULL;
        assert_int_equal(ertc_loop_create(&loop, 0), WEBRTC_STATUS_SUCCESS);
        ertc_media_pump_config_t cfg = {.loop = loop, .video = &cam_if, .deliver = deliver};
        ertc_media_pump_t *pump = NULL;
        assert_int_equal(ertc_media_pump_create(&cfg, &pump), WEBRTC_STATUS_SUCCESS);
        sink_log_t a = {0};
        ertc_media_sink_t *sa = NULL;
        assert_int_equal(ertc_media_pump_add_sink(pump, &a, &sa), WEBRTC_STATUS_SUCCESS);
        assert_int_equal(ertc_media_pump_start(pump), WEBRTC_STATUS_SUCCESS);
        while (cam.frame_no < 3) { /* a key frame queued, a drain posted, the loop idle */
            ertc_sleep_ms(2);
        }
        ertc_media_pump_destroy(pump);
        if (round == 0) {
            ertc_media_pump_config_t other = {.loop = loop, .deliver = must_not_deliver};
            ertc_media_pump_t *pump2 = NULL;
            assert_int_equal(ertc_media_pump_create(&other, &pump2), WEBRTC_STATUS_SUCCESS);
            sink_log_t b = {0};
            ertc_media_sink_t *sb = NULL;
            assert_int_equal(ertc_media_pump_add_sink(pump2, &b, &sb), WEBRTC_STATUS_SUCCESS);
            assert_int_equal(ertc_loop_run_once(loop, 0), WEBRTC_STATUS_SUCCESS);
            ertc_media_pump_destroy(pump2);
        }
        ertc_loop_destroy(loop); /* round 1: the drain is dropped unrun */
        assert_int_equal(a.frames, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_starts_on_key_frame),
        cmocka_unit_test(test_queue_overflow_flushes_video_until_key),
        cmocka_unit_test(test_queue_byte_limit_and_key_frame_overflow),
        cmocka_unit_test(test_queue_audio_drops_oldest_audio),
        cmocka_unit_test(test_queue_never_grows),
        cmocka_unit_test(test_nal_types),
        cmocka_unit_test(test_pump_key_frames_and_param_sets),
        cmocka_unit_test(test_pump_slow_sink_drops_capture_never_waits),
        cmocka_unit_test(test_pump_fans_out),
        cmocka_unit_test(test_drain_outlives_pump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
