/*
 * Unit tests for the built-in tone capture (src/media/audio_capture.c): its packets are valid
 * Opus — decoded here with libopus — of the configured duration and channel count, the
 * decoded tone has roughly the configured frequency (counted from zero crossings), timestamps
 * step by the frame duration, and bad configurations fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <opus.h>

#include "media_stream.h"

static audio_capture_handle_t open_tone(uint32_t hz, uint8_t channels, uint16_t frame_ms)
{
    media_stream_source_config_t src = {.source = MEDIA_STREAM_SOURCE_TESTSRC, .tone_hz = hz};
    audio_capture_config_t cfg = {
        .codec = AUDIO_CODEC_OPUS,
        .format = {.sample_rate = 48000, .channels = channels, .bits_per_sample = 16},
        .frame_duration_ms = frame_ms,
        .codec_specific = &src,
    };
    audio_capture_handle_t h = NULL;
    assert_int_equal(media_stream_get_audio_capture_if()->init(&cfg, &h), ESP_OK);
    return h;
}

/* Decodes `packets` packets and returns the tone's frequency from the zero crossings of the
 * first channel, leaving out the first packets (the codec's start-up). */
static double measure_tone(audio_capture_handle_t h, int channels, int frame_ms, int packets)
{
    media_stream_audio_capture_t *cap = media_stream_get_audio_capture_if();
    int err = 0;
    OpusDecoder *dec = opus_decoder_create(48000, channels, &err);
    assert_non_null(dec);
    int frame = 48 * frame_ms;
    opus_int16 pcm[48 * 60 * 2];
    int crossings = 0, counted = 0;
    opus_int16 prev = 0;
    uint64_t last_ts = 0;
    for (int i = 0; i < packets; i++) {
        audio_frame_t *f = NULL;
        assert_int_equal(cap->get_frame(h, &f, 1000), ESP_OK);
        assert_true(f->len > 0 && f->len <= 1500);
        assert_int_equal(opus_packet_get_nb_samples(f->buffer, (opus_int32)f->len, 48000), frame);
        assert_int_equal(opus_packet_get_nb_channels(f->buffer), channels);
        if (i > 0) {
            assert_int_equal(f->timestamp - last_ts, (uint64_t)frame_ms * 1000u);
        }
        last_ts = f->timestamp;
        int n = opus_decode(dec, f->buffer, (opus_int32)f->len, pcm, frame, 0);
        assert_int_equal(n, frame);
        cap->release_frame(h, f);
        if (i < 5) {
            continue;
        }
        for (int s = 0; s < n; s++) {
            opus_int16 v = pcm[s * channels];
            crossings += (prev < 0) != (v < 0);
            prev = v;
        }
        counted += n;
    }
    opus_decoder_destroy(dec);
    return crossings / 2.0 / (counted / 48000.0);
}

static void test_tone_440_mono(void **state)
{
    (void)state;
    audio_capture_handle_t h = open_tone(0, 1, 0); /* defaults: 440 Hz, mono, 20 ms */
    media_stream_get_audio_capture_if()->start(h);
    double hz = measure_tone(h, 1, 20, 25);
    assert_true(hz > 420.0 && hz < 460.0);
    media_stream_get_audio_capture_if()->deinit(h);
}

static void test_tone_1000_stereo_10ms(void **state)
{
    (void)state;
    audio_capture_handle_t h = open_tone(1000, 2, 10);
    media_stream_get_audio_capture_if()->start(h);
    double hz = measure_tone(h, 2, 10, 40);
    assert_true(hz > 960.0 && hz < 1040.0);
    media_stream_get_audio_capture_if()->deinit(h);
}

static void test_pacing_and_state(void **state)
{
    (void)state;
    media_stream_audio_capture_t *cap = media_stream_get_audio_capture_if();
    audio_capture_handle_t h = open_tone(0, 1, 60);
    audio_frame_t *f = NULL;
    assert_int_equal(cap->get_frame(h, &f, 0), ESP_ERR_INVALID_STATE);
    cap->start(h);
    assert_int_equal(cap->get_frame(h, &f, 100), ESP_OK);
    cap->release_frame(h, f);
    assert_int_equal(cap->get_frame(h, &f, 0), ESP_ERR_TIMEOUT); /* 60 ms until the next */
    cap->stop(h);
    assert_int_equal(cap->get_frame(h, &f, 0), ESP_ERR_INVALID_STATE);
    cap->deinit(h);
}

static esp_err_t init_with(audio_capture_config_t *cfg)
{
    audio_capture_handle_t h = NULL;
    esp_err_t err = media_stream_get_audio_capture_if()->init(cfg, &h);
    if (err == ESP_OK) {
        media_stream_get_audio_capture_if()->deinit(h);
    }
    return err;
}

static void test_bad_configs(void **state)
{
    (void)state;
    audio_capture_config_t cfg = {.codec = AUDIO_CODEC_OPUS, .format = {.sample_rate = 44100}};
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG);
    cfg.format = (audio_format_t){.sample_rate = 48000, .channels = 3};
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG);
    cfg.format.channels = 1;
    cfg.frame_duration_ms = 25;
    assert_int_equal(init_with(&cfg), ESP_ERR_INVALID_ARG);
    cfg.frame_duration_ms = 20;
    cfg.codec = AUDIO_CODEC_AAC;
    assert_int_equal(init_with(&cfg), ESP_ERR_NOT_SUPPORTED);
    cfg.codec = AUDIO_CODEC_OPUS;
    assert_int_equal(init_with(&cfg), ESP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tone_440_mono),
        cmocka_unit_test(test_tone_1000_stereo_10ms),
        cmocka_unit_test(test_pacing_and_state),
        cmocka_unit_test(test_bad_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
