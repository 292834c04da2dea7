/*
 * peer/media_pump — capture threads, shared frames, per-session queues and the drain onto
 * the event loop (see media_pump.h).
 *
 * The hand-over to the loop: a capture thread posts a drain call when it queued something
 * and none is pending. A posted call may run after the pump is gone, or never (a loop
 * destroyed with calls still queued drops them), so its argument is no pointer to memory
 * that must be freed: it names a slot of a small process-wide table (the pumps alive, like
 * the allocation hooks a process-wide registry) and the slot's generation. Destroy moves the
 * generation on before the slot is reused, so a late call finds a stale generation and does
 * nothing. Drains and destroy both run on the pump's loop thread; the capture threads only
 * set the slot's pending flag, and they are joined before destroy.
 */
#include "peer/media_pump.h"

#include <stdatomic.h>
#include <string.h>

#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "media"

#define PUMP_DRAIN_BATCH 64
#define NAL_BIT(t)       (1u << (t))
#define NAL_IDR          5
#define NAL_SPS          7
#define NAL_PPS          8

typedef struct {
    _Atomic(ertc_media_pump_t *) pump; /* NULL = free */
    atomic_uint gen;                   /* moved on by destroy */
    atomic_bool pending;               /* a drain call is posted and has not run */
} pump_slot_t;

static pump_slot_t pump_slots[ERTC_MEDIA_PUMP_MAX_PUMPS];

struct ertc_media_sink {
    ertc_media_queue_t queue;
    void *arg;
};

struct ertc_media_pump {
    ertc_media_pump_config_t cfg;
    video_capture_config_t video_config;
    audio_capture_config_t audio_config;
    ertc_mutex_t *lock; /* sinks, their queues, stats */
    ertc_media_sink_t *sinks[ERTC_MEDIA_PUMP_MAX_SINKS];
    size_t slot;
    unsigned slot_gen;
    ertc_media_pump_stats_t stats;

    atomic_bool running;
    atomic_bool key_wanted;
    ertc_thread_t *video_thread;
    ertc_thread_t *audio_thread;
    video_capture_handle_t video_handle;
    audio_capture_handle_t audio_handle;
    bool video_started;
    bool audio_started;

    /* Video thread only. */
    uint64_t last_key_request_ms;
    bool key_requested_once;
    uint8_t sps[ERTC_MEDIA_PUMP_MAX_PARAM_SET];
    size_t sps_len;
    uint8_t pps[ERTC_MEDIA_PUMP_MAX_PARAM_SET];
    size_t pps_len;
};

/* ---- Annex-B scanning -------------------------------------------------------------------- */

/* Index of the next 00 00 01 at or after from, or len. */
static size_t nal_find_start(const uint8_t *p, size_t len, size_t from)
{
    for (size_t i = from; i + 3 <= len; i++) {
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
            return i;
        }
    }
    return len;
}

/* The next non-empty NAL unit from *pos on; zero bytes before a start code belong to none. */
static bool nal_next(const uint8_t *au, size_t len, size_t *pos, const uint8_t **nal,
                     size_t *nal_len)
{
    for (;;) {
        size_t s = nal_find_start(au, len, *pos);
        if (s >= len) {
            return false;
        }
        size_t start = s + 3;
        size_t end = nal_find_start(au, len, start);
        *pos = end;
        size_t stop = end;
        while (stop > start && au[stop - 1] == 0) {
            stop--;
        }
        if (stop > start) {
            *nal = au + start;
            *nal_len = stop - start;
            return true;
        }
    }
}

uint32_t ertc_media_pump_nal_types(const uint8_t *au, size_t len)
{
    uint32_t types = 0;
    size_t pos = 0;
    const uint8_t *nal;
    size_t nal_len;
    while (au != NULL && nal_next(au, len, &pos, &nal, &nal_len)) {
        types |= NAL_BIT(nal[0] & 0x1Fu);
    }
    return types;
}

/* Remembers the access unit's SPS and PPS (the last of each that fits the cache). */
static void pump_cache_param_sets(ertc_media_pump_t *pump, const uint8_t *au, size_t len)
{
    size_t pos = 0;
    const uint8_t *nal;
    size_t nal_len;
    while (nal_next(au, len, &pos, &nal, &nal_len)) {
        unsigned type = nal[0] & 0x1Fu;
        if (nal_len > ERTC_MEDIA_PUMP_MAX_PARAM_SET) {
            continue;
        }
        if (type == NAL_SPS) {
            memcpy(pump->sps, nal, nal_len);
            pump->sps_len = nal_len;
        } else if (type == NAL_PPS) {
            memcpy(pump->pps, nal, nal_len);
            pump->pps_len = nal_len;
        }
    }
}

static const uint8_t start_code[4] = {0, 0, 0, 1};

/* The frame to send for one captured access unit, with cached SPS/PPS in front of an IDR
 * that lacks them. */
static ertc_media_frame_t *pump_make_video_frame(ertc_media_pump_t *pump, const video_frame_t *vf)
{
    uint32_t types = ertc_media_pump_nal_types(vf->buffer, vf->len);
    bool key = (types & NAL_BIT(NAL_IDR)) != 0 || (types == 0 && vf->type == VIDEO_FRAME_TYPE_I);
    pump_cache_param_sets(pump, vf->buffer, vf->len);
    size_t prefix = 0;
    bool add_sps = key && !(types & NAL_BIT(NAL_SPS)) && pump->sps_len > 0;
    bool add_pps = key && !(types & NAL_BIT(NAL_PPS)) && pump->pps_len > 0;
    if (add_sps) {
        prefix += sizeof(start_code) + pump->sps_len;
    }
    if (add_pps) {
        prefix += sizeof(start_code) + pump->pps_len;
    }
    ertc_media_frame_t *f =
        ertc_media_frame_new(ERTC_MEDIA_VIDEO, key, vf->timestamp, prefix + vf->len);
    if (f == NULL) {
        return NULL;
    }
    size_t off = 0;
    if (add_sps) {
        memcpy(f->data + off, start_code, sizeof(start_code));
        memcpy(f->data + off + sizeof(start_code), pump->sps, pump->sps_len);
        off += sizeof(start_code) + pump->sps_len;
    }
    if (add_pps) {
        memcpy(f->data + off, start_code, sizeof(start_code));
        memcpy(f->data + off + sizeof(start_code), pump->pps, pump->pps_len);
        off += sizeof(start_code) + pump->pps_len;
    }
    memcpy(f->data + off, vf->buffer, vf->len);
    if (prefix > 0) {
        ertc_mutex_lock(pump->lock);
        pump->stats.param_sets_inserted++;
        ertc_mutex_unlock(pump->lock);
    }
    return f;
}

/* ---- hand-over to the loop --------------------------------------------------------------- */

static void pump_drain(ertc_media_pump_t *pump)
{
    ertc_media_frame_t *batch[PUMP_DRAIN_BATCH];
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_SINKS; i++) {
        for (;;) {
            size_t n = 0;
            void *arg = NULL;
            ertc_mutex_lock(pump->lock);
            ertc_media_sink_t *sink = pump->sinks[i];
            if (sink != NULL) {
                arg = sink->arg;
                while (n < PUMP_DRAIN_BATCH &&
                       (batch[n] = ertc_media_queue_pop(&sink->queue)) != NULL) {
                    n++;
                }
            }
            ertc_mutex_unlock(pump->lock);
            for (size_t k = 0; k < n; k++) {
                pump->cfg.deliver(arg, batch[k], pump->cfg.arg);
                ertc_media_frame_unref(batch[k]);
            }
            if (n < PUMP_DRAIN_BATCH) {
                break;
            }
        }
    }
}

/* The posted call's argument: slot index and generation, no pointer. */
#define SLOT_BITS 6
static void *slot_token(size_t slot, unsigned gen)
{
    return (void *)(uintptr_t)(((uintptr_t)gen << SLOT_BITS) | slot);
}

static void pump_drain_posted(void *arg)
{
    uintptr_t token = (uintptr_t)arg;
    pump_slot_t *slot = &pump_slots[token & ((1u << SLOT_BITS) - 1)];
    unsigned gen = (unsigned)(token >> SLOT_BITS);
    unsigned current = atomic_load(&slot->gen) & (unsigned)(UINTPTR_MAX >> SLOT_BITS);
    if (gen != current) {
        return; /* the pump that posted it is gone */
    }
    ertc_media_pump_t *pump = atomic_load(&slot->pump);
    atomic_store(&slot->pending, false);
    if (pump != NULL) {
        pump_drain(pump);
    }
}

static void pump_schedule_drain(ertc_media_pump_t *pump)
{
    pump_slot_t *slot = &pump_slots[pump->slot];
    if (atomic_exchange(&slot->pending, true)) {
        return;
    }
    if (ertc_loop_post(pump->cfg.loop, pump_drain_posted, slot_token(pump->slot, pump->slot_gen)) !=
        WEBRTC_STATUS_SUCCESS) {
        /* The frames stay queued (bounded); the next frame tries again. */
        atomic_store(&slot->pending, false);
        ertc_mutex_lock(pump->lock);
        pump->stats.drains_refused++;
        ertc_mutex_unlock(pump->lock);
    }
}

/* Queues frame on every sink (media thread). */
static void pump_dispatch(ertc_media_pump_t *pump, ertc_media_frame_t *frame)
{
    bool need_key = false;
    bool queued = false;
    ertc_mutex_lock(pump->lock);
    if (frame->kind == ERTC_MEDIA_VIDEO) {
        pump->stats.video_frames_captured++;
    } else {
        pump->stats.audio_frames_captured++;
    }
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_SINKS; i++) {
        ertc_media_sink_t *sink = pump->sinks[i];
        if (sink == NULL) {
            continue;
        }
        ertc_media_queue_result_t r = ertc_media_queue_push(&sink->queue, frame);
        need_key = need_key || r == ERTC_MEDIA_QUEUE_DROPPED_NEED_KEY;
        queued = queued || sink->queue.count > 0;
    }
    ertc_mutex_unlock(pump->lock);
    if (need_key) {
        ertc_media_pump_request_key_frame(pump);
    }
    if (queued) {
        pump_schedule_drain(pump);
    }
}

/* ---- capture threads ----------------------------------------------------------------------- */

static void pump_maybe_request_key(ertc_media_pump_t *pump)
{
    if (!atomic_exchange(&pump->key_wanted, false)) {
        return;
    }
    if (pump->cfg.video->request_key_frame == NULL) {
        return; /* the next natural IDR will do */
    }
    uint64_t now = ertc_time_mono_ms();
    uint32_t gap = pump->cfg.key_frame_min_interval_ms;
    if (pump->key_requested_once && now - pump->last_key_request_ms < gap) {
        atomic_store(&pump->key_wanted, true); /* later, not never */
        return;
    }
    pump->key_requested_once = true;
    pump->last_key_request_ms = now;
    (void)pump->cfg.video->request_key_frame(pump->video_handle);
    ertc_mutex_lock(pump->lock);
    pump->stats.key_frames_requested++;
    ertc_mutex_unlock(pump->lock);
}

static void pump_count_capture_error(ertc_media_pump_t *pump)
{
    ertc_mutex_lock(pump->lock);
    pump->stats.capture_errors++;
    ertc_mutex_unlock(pump->lock);
    ertc_sleep_ms(ERTC_MEDIA_PUMP_WAIT_MS); /* a failing source must not spin */
}

static void pump_video_thread(void *arg)
{
    ertc_media_pump_t *pump = arg;
    media_stream_video_capture_t *src = pump->cfg.video;
    while (atomic_load(&pump->running)) {
        pump_maybe_request_key(pump);
        video_frame_t *vf = NULL;
        esp_err_t e = src->get_frame(pump->video_handle, &vf, ERTC_MEDIA_PUMP_WAIT_MS);
        if (e == ESP_ERR_TIMEOUT || (e == ESP_OK && vf == NULL)) {
            continue;
        }
        if (e != ESP_OK) {
            pump_count_capture_error(pump);
            continue;
        }
        ertc_media_frame_t *f = NULL;
        if (vf->buffer != NULL && vf->len > 0 && vf->len <= ERTC_MEDIA_PUMP_MAX_FRAME) {
            f = pump_make_video_frame(pump, vf);
        }
        (void)src->release_frame(pump->video_handle, vf);
        if (f != NULL) {
            pump_dispatch(pump, f);
            ertc_media_frame_unref(f);
        }
    }
}

static void pump_audio_thread(void *arg)
{
    ertc_media_pump_t *pump = arg;
    media_stream_audio_capture_t *src = pump->cfg.audio;
    while (atomic_load(&pump->running)) {
        audio_frame_t *af = NULL;
        esp_err_t e = src->get_frame(pump->audio_handle, &af, ERTC_MEDIA_PUMP_WAIT_MS);
        if (e == ESP_ERR_TIMEOUT || (e == ESP_OK && af == NULL)) {
            continue;
        }
        if (e != ESP_OK) {
            pump_count_capture_error(pump);
            continue;
        }
        ertc_media_frame_t *f = NULL;
        if (af->buffer != NULL && af->len > 0 && af->len <= ERTC_MEDIA_PUMP_MAX_FRAME) {
            f = ertc_media_frame_new(ERTC_MEDIA_AUDIO, false, af->timestamp, af->len);
            if (f != NULL) {
                memcpy(f->data, af->buffer, af->len);
            }
        }
        (void)src->release_frame(pump->audio_handle, af);
        if (f != NULL) {
            pump_dispatch(pump, f);
            ertc_media_frame_unref(f);
        }
    }
}

/* ---- lifetime ----------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_media_pump_create(const ertc_media_pump_config_t *config,
                                     ertc_media_pump_t **out)
{
    if (config == NULL || out == NULL || config->loop == NULL || config->deliver == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (config->queue_frames > ERTC_MEDIA_QUEUE_MAX_FRAMES) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    *out = NULL;
    ertc_media_pump_t *pump = ertc_calloc(1, sizeof(*pump));
    if (pump == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = ertc_mutex_create(&pump->lock);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(pump);
        return st;
    }
    st = WEBRTC_STATUS_LIMIT_EXCEEDED;
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_PUMPS && st != WEBRTC_STATUS_SUCCESS; i++) {
        ertc_media_pump_t *expected = NULL;
        if (atomic_compare_exchange_strong(&pump_slots[i].pump, &expected, pump)) {
            pump->slot = i;
            pump->slot_gen = atomic_load(&pump_slots[i].gen) & (unsigned)(UINTPTR_MAX >> SLOT_BITS);
            atomic_store(&pump_slots[i].pending, false);
            st = WEBRTC_STATUS_SUCCESS;
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_mutex_destroy(pump->lock);
        ertc_free(pump);
        return st;
    }
    pump->cfg = *config;
    if (pump->cfg.key_frame_min_interval_ms == 0) {
        pump->cfg.key_frame_min_interval_ms = ERTC_MEDIA_PUMP_KEY_INTERVAL_MS;
    }
    if (config->video_config != NULL) {
        pump->video_config = *config->video_config;
    } else {
        pump->video_config.codec = VIDEO_CODEC_H264;
        pump->video_config.resolution =
            (video_resolution_t){.width = 640, .height = 480, .fps = 30};
        pump->video_config.quality = 80;
        pump->video_config.bitrate = 1000;
    }
    if (config->audio_config != NULL) {
        pump->audio_config = *config->audio_config;
    } else {
        pump->audio_config.codec = AUDIO_CODEC_OPUS;
        pump->audio_config.format =
            (audio_format_t){.sample_rate = 48000, .channels = 2, .bits_per_sample = 16};
        pump->audio_config.bitrate = 64;
        pump->audio_config.frame_duration_ms = 20;
    }
    pump->cfg.video_config = NULL;
    pump->cfg.audio_config = NULL;
    atomic_init(&pump->running, false);
    atomic_init(&pump->key_wanted, false);
    *out = pump;
    return WEBRTC_STATUS_SUCCESS;
}

bool ertc_media_pump_running(const ertc_media_pump_t *pump)
{
    return pump->video_started || pump->audio_started;
}

static WEBRTC_STATUS pump_start_video(ertc_media_pump_t *pump)
{
    media_stream_video_capture_t *src = pump->cfg.video;
    if (src->init == NULL || src->get_frame == NULL || src->release_frame == NULL) {
        ERTC_LOGE(TAG, "video capture interface lacks init/get_frame/release_frame");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    esp_err_t e = src->init(&pump->video_config, &pump->video_handle);
    if (e == ESP_OK && src->start != NULL) {
        e = src->start(pump->video_handle);
        if (e != ESP_OK && src->deinit != NULL) {
            (void)src->deinit(pump->video_handle);
        }
    }
    if (e != ESP_OK) {
        ERTC_LOGE(TAG, "video capture did not start (esp_err 0x%x)", (unsigned)e);
        return WEBRTC_STATUS_IO_ERROR;
    }
    pump->video_started = true;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS pump_start_audio(ertc_media_pump_t *pump)
{
    media_stream_audio_capture_t *src = pump->cfg.audio;
    if (src->init == NULL || src->get_frame == NULL || src->release_frame == NULL) {
        ERTC_LOGE(TAG, "audio capture interface lacks init/get_frame/release_frame");
        return WEBRTC_STATUS_INVALID_ARG;
    }
    esp_err_t e = src->init(&pump->audio_config, &pump->audio_handle);
    if (e == ESP_OK && src->start != NULL) {
        e = src->start(pump->audio_handle);
        if (e != ESP_OK && src->deinit != NULL) {
            (void)src->deinit(pump->audio_handle);
        }
    }
    if (e != ESP_OK) {
        ERTC_LOGE(TAG, "audio capture did not start (esp_err 0x%x)", (unsigned)e);
        return WEBRTC_STATUS_IO_ERROR;
    }
    pump->audio_started = true;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_media_pump_start(ertc_media_pump_t *pump)
{
    if (ertc_media_pump_running(pump)) {
        return WEBRTC_STATUS_SUCCESS;
    }
    WEBRTC_STATUS result = WEBRTC_STATUS_SUCCESS;
    if (pump->cfg.video != NULL) {
        result = pump_start_video(pump);
    }
    if (pump->cfg.audio != NULL) {
        WEBRTC_STATUS st = pump_start_audio(pump);
        if (result == WEBRTC_STATUS_SUCCESS) {
            result = st;
        }
    }
    atomic_store(&pump->running, true);
    if (pump->video_started &&
        ertc_thread_create(&pump->video_thread, "ertc-video", 0, pump_video_thread, pump) !=
            WEBRTC_STATUS_SUCCESS) {
        pump->video_thread = NULL;
        result = WEBRTC_STATUS_INTERNAL_ERROR;
    }
    if (pump->audio_started &&
        ertc_thread_create(&pump->audio_thread, "ertc-audio", 0, pump_audio_thread, pump) !=
            WEBRTC_STATUS_SUCCESS) {
        pump->audio_thread = NULL;
        result = WEBRTC_STATUS_INTERNAL_ERROR;
    }
    if (pump->video_started || pump->audio_started) {
        ERTC_LOGD(TAG, "capture started (video %s, audio %s)", pump->video_started ? "on" : "off",
                  pump->audio_started ? "on" : "off");
    }
    return result;
}

void ertc_media_pump_stop(ertc_media_pump_t *pump)
{
    atomic_store(&pump->running, false);
    if (pump->video_thread != NULL) {
        (void)ertc_thread_join(pump->video_thread);
        pump->video_thread = NULL;
    }
    if (pump->audio_thread != NULL) {
        (void)ertc_thread_join(pump->audio_thread);
        pump->audio_thread = NULL;
    }
    if (pump->video_started) {
        if (pump->cfg.video->stop != NULL) {
            (void)pump->cfg.video->stop(pump->video_handle);
        }
        if (pump->cfg.video->deinit != NULL) {
            (void)pump->cfg.video->deinit(pump->video_handle);
        }
        pump->video_started = false;
    }
    if (pump->audio_started) {
        if (pump->cfg.audio->stop != NULL) {
            (void)pump->cfg.audio->stop(pump->audio_handle);
        }
        if (pump->cfg.audio->deinit != NULL) {
            (void)pump->cfg.audio->deinit(pump->audio_handle);
        }
        pump->audio_started = false;
    }
    atomic_store(&pump->key_wanted, false);
    pump->sps_len = 0;
    pump->pps_len = 0;
}

void ertc_media_pump_destroy(ertc_media_pump_t *pump)
{
    if (pump == NULL) {
        return;
    }
    ertc_media_pump_stop(pump);
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_SINKS; i++) {
        ertc_media_pump_remove_sink(pump, pump->sinks[i]);
    }
    /* A drain still posted (or dropped unrun with its loop) finds a stale generation. */
    pump_slot_t *slot = &pump_slots[pump->slot];
    atomic_fetch_add(&slot->gen, 1);
    atomic_store(&slot->pending, false);
    atomic_store(&slot->pump, NULL);
    ertc_mutex_destroy(pump->lock);
    ertc_free(pump);
}

/* ---- sinks ------------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_media_pump_add_sink(ertc_media_pump_t *pump, void *sink_arg,
                                       ertc_media_sink_t **out)
{
    if (pump == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_media_sink_t *sink = ertc_calloc(1, sizeof(*sink));
    if (sink == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st =
        ertc_media_queue_init(&sink->queue, pump->cfg.queue_frames, pump->cfg.queue_bytes);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_free(sink);
        return st;
    }
    sink->arg = sink_arg;
    st = WEBRTC_STATUS_LIMIT_EXCEEDED;
    ertc_mutex_lock(pump->lock);
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_SINKS; i++) {
        if (pump->sinks[i] == NULL) {
            pump->sinks[i] = sink;
            st = WEBRTC_STATUS_SUCCESS;
            break;
        }
    }
    ertc_mutex_unlock(pump->lock);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_media_queue_free(&sink->queue);
        ertc_free(sink);
        return st;
    }
    *out = sink;
    ertc_media_pump_request_key_frame(pump); /* the session starts on a key frame */
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_media_pump_remove_sink(ertc_media_pump_t *pump, ertc_media_sink_t *sink)
{
    if (pump == NULL || sink == NULL) {
        return;
    }
    ertc_mutex_lock(pump->lock);
    for (size_t i = 0; i < ERTC_MEDIA_PUMP_MAX_SINKS; i++) {
        if (pump->sinks[i] == sink) {
            pump->sinks[i] = NULL;
        }
    }
    ertc_mutex_unlock(pump->lock);
    ertc_media_queue_free(&sink->queue);
    ertc_free(sink);
}

void ertc_media_pump_restart_sink_video(ertc_media_pump_t *pump, ertc_media_sink_t *sink)
{
    ertc_mutex_lock(pump->lock);
    ertc_media_queue_restart_video(&sink->queue);
    ertc_mutex_unlock(pump->lock);
    ertc_media_pump_request_key_frame(pump);
}

void ertc_media_pump_request_key_frame(ertc_media_pump_t *pump)
{
    if (pump != NULL && pump->cfg.video != NULL) {
        atomic_store(&pump->key_wanted, true);
    }
}

void ertc_media_pump_get_stats(ertc_media_pump_t *pump, ertc_media_pump_stats_t *out)
{
    ertc_mutex_lock(pump->lock);
    *out = pump->stats;
    ertc_mutex_unlock(pump->lock);
}

void ertc_media_pump_get_sink_stats(ertc_media_pump_t *pump, const ertc_media_sink_t *sink,
                                    ertc_media_queue_stats_t *out)
{
    ertc_mutex_lock(pump->lock);
    *out = sink->queue.stats;
    ertc_mutex_unlock(pump->lock);
}
