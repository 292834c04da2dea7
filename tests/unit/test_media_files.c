/*
 * Unit tests for the file sources and sinks of src/media: round trips source → sink → source
 * (test pattern → Annex-B file → file capture, tone → Ogg/Opus file → file capture) give back
 * the same frames; the Ogg file has OpusHead/OpusTags, BOS/EOS and granule positions that
 * count the samples; files made by FFmpeg (libx264 Annex-B, libopus in FFmpeg's Ogg muxer,
 * tests/data/media) play and decode; looping, stop-at-EOF, key-frame skipping, the ESP
 * port's file getters, counting players with their stats, and the errors for missing, empty
 * and malformed files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opus.h>
#include <wels/codec_api.h>

#include "media/ogg.h"
#include "media/ogg_opus.h"
#include "media_stream.h"
#include "util/alloc.h"

#define MAX_FRAMES 32

typedef struct {
    uint8_t *data[MAX_FRAMES];
    uint32_t len[MAX_FRAMES];
    bool key[MAX_FRAMES];
    int count;
} frames_t;

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ertc-media-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void frames_free(frames_t *f)
{
    for (int i = 0; i < f->count; i++) {
        free(f->data[i]);
    }
    f->count = 0;
}

static void frames_add(frames_t *f, const uint8_t *data, uint32_t len, bool key)
{
    assert_true(f->count < MAX_FRAMES);
    f->data[f->count] = malloc(len);
    memcpy(f->data[f->count], data, len);
    f->len[f->count] = len;
    f->key[f->count] = key;
    f->count++;
}

static const char *data_path(const char *name)
{
    static char path[512];
    const char *dir = getenv("ERTC_TEST_DATA");
    snprintf(path, sizeof(path), "%s/media/%s", dir != NULL ? dir : "tests/data", name);
    return path;
}

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* ---- video ---------------------------------------------------------------------------- */

static video_capture_handle_t open_video(media_stream_source_config_t *src, uint8_t fps,
                                         esp_err_t expect)
{
    video_capture_config_t cfg = {.codec = VIDEO_CODEC_H264,
                                  .resolution = {.width = 96, .height = 64, .fps = fps},
                                  .bitrate = 100,
                                  .codec_specific = src};
    video_capture_handle_t h = NULL;
    assert_int_equal(media_stream_get_video_capture_if()->init(&cfg, &h), expect);
    return h;
}

static void read_video(video_capture_handle_t h, frames_t *out, int max)
{
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    video_frame_t *f = NULL;
    esp_err_t err;
    while (out->count < max && (err = cap->get_frame(h, &f, 1000)) == ESP_OK) {
        frames_add(out, f->buffer, f->len, f->type == VIDEO_FRAME_TYPE_I);
        cap->release_frame(h, f);
    }
    if (out->count < max) {
        assert_int_equal(err, ESP_ERR_NOT_FOUND);
    }
}

static int decode_all(const frames_t *fr)
{
    ISVCDecoder *dec = NULL;
    assert_int_equal(WelsCreateDecoder(&dec), 0);
    SDecodingParam p;
    memset(&p, 0, sizeof(p));
    p.eEcActiveIdc = ERROR_CON_DISABLE;
    p.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
    assert_int_equal((*dec)->Initialize(dec, &p), 0);
    int pictures = 0;
    for (int i = 0; i < fr->count; i++) {
        uint8_t *planes[3] = {NULL, NULL, NULL};
        SBufferInfo info;
        memset(&info, 0, sizeof(info));
        assert_int_equal(
            (*dec)->DecodeFrameNoDelay(dec, fr->data[i], (int)fr->len[i], planes, &info),
            dsErrorFree);
        pictures += info.iBufferStatus == 1;
    }
    (*dec)->Uninitialize(dec);
    WelsDestroyDecoder(dec);
    return pictures;
}

static void test_annexb_round_trip(void **state)
{
    (void)state;
    media_stream_video_capture_t *cap = media_stream_get_video_capture_if();
    media_stream_video_player_t *play = media_stream_get_video_player_if();
    /* source: 10 frames of the test pattern, an IDR every 4 frames at 60 fps */
    media_stream_source_config_t live = {.source = MEDIA_STREAM_SOURCE_TESTSRC,
                                         .key_interval_ms = 66};
    video_capture_handle_t h = open_video(&live, 60, ESP_OK);
    cap->start(h);
    frames_t sent = {0};
    read_video(h, &sent, 10);
    cap->deinit(h);

    /* sink: a P frame first is skipped, then everything from the IDR on is written */
    media_stream_sink_config_t sink = {.sink = MEDIA_STREAM_SINK_FILE, .path = tmp_path("rt.h264")};
    video_player_config_t pcfg = {.codec = VIDEO_PLAYER_CODEC_H264, .codec_specific = &sink};
    video_player_handle_t ph = NULL;
    assert_int_equal(play->init(&pcfg, &ph), ESP_OK);
    assert_int_equal(play->play_frame(ph, sent.data[0], sent.len[0], true),
                     ESP_ERR_INVALID_STATE); /* not started */
    play->start(ph);
    assert_int_equal(play->play_frame(ph, sent.data[1], sent.len[1], false), ESP_OK);
    for (int i = 0; i < sent.count; i++) {
        /* the IDR is found in the bytes even when the caller does not flag it */
        assert_int_equal(play->play_frame(ph, sent.data[i], sent.len[i], false), ESP_OK);
    }
    media_stream_player_stats_t st;
    assert_int_equal(media_stream_player_get_stats(ph, &st), ESP_OK);
    assert_int_equal(st.frames, 10);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.key_frames, 3); /* frames 0, 4, 8 */
    play->deinit(ph);

    /* back: the file source gives the same access units, then ends */
    media_stream_source_config_t file = {
        .source = MEDIA_STREAM_SOURCE_FILE, .path = tmp_path("rt.h264"), .stop_at_eof = true};
    h = open_video(&file, 60, ESP_OK);
    cap->start(h);
    frames_t back = {0};
    read_video(h, &back, MAX_FRAMES);
    assert_int_equal(back.count, sent.count);
    for (int i = 0; i < sent.count; i++) {
        assert_int_equal(back.len[i], sent.len[i]);
        assert_memory_equal(back.data[i], sent.data[i], sent.len[i]);
        assert_int_equal(back.key[i], sent.key[i]);
    }
    assert_int_equal(decode_all(&back), 10);
    video_frame_t *f = NULL;
    assert_int_equal(cap->get_frame(h, &f, 0), ESP_ERR_NOT_FOUND);
    cap->deinit(h);

    /* looping: frame 10 is frame 0 again; a key-frame request skips ahead to the next IDR */
    file.stop_at_eof = false;
    h = open_video(&file, 60, ESP_OK);
    cap->start(h);
    frames_t loop = {0};
    read_video(h, &loop, 12);
    assert_int_equal(loop.len[10], sent.len[0]);
    assert_memory_equal(loop.data[10], sent.data[0], sent.len[0]);
    cap->request_key_frame(h); /* next would be frame 2; the next IDR is frame 4 */
    frames_t after = {0};
    read_video(h, &after, 1);
    assert_int_equal(after.len[0], sent.len[4]);
    assert_memory_equal(after.data[0], sent.data[4], sent.len[4]);
    uint32_t kbps = 0;
    assert_int_equal(cap->set_bitrate(h, 500), ESP_ERR_NOT_SUPPORTED);
    assert_int_equal(cap->get_bitrate(h, &kbps), ESP_ERR_NOT_SUPPORTED);
    cap->deinit(h);

    /* a file that starts after its IDR: playback starts at the next IDR (frame 4) */
    FILE *fp = fopen(tmp_path("late.h264"), "wb");
    assert_non_null(fp);
    for (int i = 1; i < sent.count; i++) {
        assert_int_equal(fwrite(sent.data[i], 1, sent.len[i], fp), sent.len[i]);
    }
    fclose(fp);
    file.path = tmp_path("late.h264");
    h = open_video(&file, 60, ESP_OK);
    cap->start(h);
    frames_t late = {0};
    read_video(h, &late, 2);
    assert_true(late.key[0]);
    assert_int_equal(late.len[0], sent.len[4]);
    assert_memory_equal(late.data[0], sent.data[4], sent.len[4]);
    assert_int_equal(late.len[1], sent.len[5]);
    cap->deinit(h);
    frames_free(&late);
    frames_free(&sent);
    frames_free(&back);
    frames_free(&loop);
    frames_free(&after);
}

static void test_x264_file_plays(void **state)
{
    (void)state;
    /* 12 frames from libx264 (Baseline, IDR every 6, SEI in the first access unit) */
    media_stream_source_config_t file = {.source = MEDIA_STREAM_SOURCE_FILE,
                                         .path = data_path("x264_baseline.h264"),
                                         .stop_at_eof = true};
    video_capture_handle_t h = open_video(&file, 60, ESP_OK);
    media_stream_get_video_capture_if()->start(h);
    frames_t fr = {0};
    read_video(h, &fr, MAX_FRAMES);
    assert_int_equal(fr.count, 12);
    assert_true(fr.key[0] && fr.key[6]);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(fr.key[i], i % 6 == 0);
    }
    assert_int_equal(decode_all(&fr), 12);
    media_stream_get_video_capture_if()->deinit(h);
    frames_free(&fr);
}

static void test_esp_file_getters(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", data_path(""));
    media_stream_file_config_t paths = {
        .mount_point = dir, .video_prefix = "x264_baseline", .audio_prefix = "ffmpeg_tone"};
    assert_int_equal(media_stream_configure_file_paths(&paths), ESP_OK);
    video_capture_config_t vcfg = {.codec = VIDEO_CODEC_H264, .resolution = {.fps = 30}};
    video_capture_handle_t vh = NULL;
    media_stream_video_capture_t *vcap = media_stream_get_file_video_capture_if();
    assert_int_equal(vcap->init(&vcfg, &vh), ESP_OK);
    vcap->start(vh);
    video_frame_t *vf = NULL;
    assert_int_equal(vcap->get_frame(vh, &vf, 100), ESP_OK);
    assert_int_equal(vf->type, VIDEO_FRAME_TYPE_I);
    vcap->release_frame(vh, vf);
    vcap->deinit(vh);

    audio_capture_config_t acfg = {.codec = AUDIO_CODEC_OPUS};
    audio_capture_handle_t ah = NULL;
    media_stream_audio_capture_t *acap = media_stream_get_file_audio_capture_if();
    assert_int_equal(acap->init(&acfg, &ah), ESP_OK);
    acap->start(ah);
    audio_frame_t *af = NULL;
    assert_int_equal(acap->get_frame(ah, &af, 100), ESP_OK);
    assert_true(af->len > 0);
    acap->release_frame(ah, af);
    acap->deinit(ah);

    paths = (media_stream_file_config_t){.mount_point = "/nonexistent"};
    assert_int_equal(media_stream_configure_file_paths(&paths), ESP_OK);
    assert_int_equal(vcap->init(&vcfg, &vh), ESP_ERR_NOT_FOUND);
    paths = (media_stream_file_config_t){
        .mount_point = ".", .video_prefix = "samples/frame", .audio_prefix = "samples/sample"};
    assert_int_equal(media_stream_configure_file_paths(&paths), ESP_OK);
}

static void test_bad_video_files(void **state)
{
    (void)state;
    media_stream_source_config_t file = {.source = MEDIA_STREAM_SOURCE_FILE,
                                         .path = tmp_path("missing.h264")};
    assert_null(open_video(&file, 30, ESP_ERR_NOT_FOUND));
    file.path = tmp_path("empty.h264");
    write_file(file.path, "", 0);
    assert_null(open_video(&file, 30, ESP_ERR_INVALID_SIZE));
    file.path = tmp_path("text.h264");
    write_file(file.path, "this is not H.264", 17);
    assert_null(open_video(&file, 30, ESP_ERR_INVALID_ARG));
    file.path = tmpdir; /* a folder */
    assert_null(open_video(&file, 30, ESP_ERR_NOT_FOUND));
}

/* ---- audio ---------------------------------------------------------------------------- */

static audio_capture_handle_t open_audio(media_stream_source_config_t *src, esp_err_t expect)
{
    audio_capture_config_t cfg = {.codec = AUDIO_CODEC_OPUS,
                                  .format = {.sample_rate = 48000, .channels = 1},
                                  .frame_duration_ms = 10,
                                  .codec_specific = src};
    audio_capture_handle_t h = NULL;
    assert_int_equal(media_stream_get_audio_capture_if()->init(&cfg, &h), expect);
    return h;
}

static void read_audio(audio_capture_handle_t h, frames_t *out, int max)
{
    media_stream_audio_capture_t *cap = media_stream_get_audio_capture_if();
    audio_frame_t *f = NULL;
    esp_err_t err;
    while (out->count < max && (err = cap->get_frame(h, &f, 1000)) == ESP_OK) {
        frames_add(out, f->buffer, f->len, false);
        cap->release_frame(h, f);
    }
    if (out->count < max) {
        assert_int_equal(err, ESP_ERR_NOT_FOUND);
    }
}

/* Walks the pages of an Ogg/Opus file: granules must count samples, BOS first, EOS last. */
static void check_ogg_file(const char *path, int packets, uint8_t channels)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t buf[64 * 1024];
    size_t len = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    size_t pos = 0;
    int page_no = 0;
    uint64_t samples = 0;
    ertc_ogg_page_t page;
    const char *why = NULL;
    bool eos = false;
    while (pos < len) {
        assert_int_equal(ertc_ogg_page_parse(buf + pos, len - pos, &page, &why),
                         WEBRTC_STATUS_SUCCESS);
        assert_false(eos);
        assert_int_equal(page.sequence, (uint32_t)page_no);
        assert_int_equal((page.flags & ERTC_OGG_FLAG_BOS) != 0, page_no == 0);
        eos = (page.flags & ERTC_OGG_FLAG_EOS) != 0;
        if (page_no == 0) {
            ertc_opus_head_t head;
            assert_int_equal(ertc_opus_head_parse(page.body, page.body_len, &head, &why),
                             WEBRTC_STATUS_SUCCESS);
            assert_int_equal(head.channels, channels);
            assert_int_equal(page.granule, 0);
        } else if (page_no == 1) {
            assert_int_equal(ertc_opus_tags_check(page.body, page.body_len, &why),
                             WEBRTC_STATUS_SUCCESS);
            assert_int_equal(page.granule, 0);
        } else if (page.body_len == 0) {
            assert_int_equal(page.granule, ERTC_OGG_GRANULE_NONE); /* no packet ends here */
        } else {
            samples +=
                (uint64_t)opus_packet_get_nb_samples(page.body, (opus_int32)page.body_len, 48000);
            assert_int_equal(page.granule, samples);
        }
        pos += page.page_len;
        page_no++;
    }
    assert_true(eos);
    assert_int_equal(page_no, packets > 0 ? packets + 2 : 3); /* or an empty EOS page */
}

static void test_ogg_round_trip(void **state)
{
    (void)state;
    media_stream_audio_capture_t *cap = media_stream_get_audio_capture_if();
    media_stream_audio_player_t *play = media_stream_get_audio_player_if();
    audio_capture_handle_t h = open_audio(NULL, ESP_OK);
    cap->start(h);
    frames_t sent = {0};
    read_audio(h, &sent, 20);
    cap->deinit(h);

    media_stream_sink_config_t sink = {.sink = MEDIA_STREAM_SINK_FILE, .path = tmp_path("rt.opus")};
    audio_player_config_t pcfg = {.codec = AUDIO_PLAYER_CODEC_OPUS,
                                  .format = {.sample_rate = 48000, .channels = 1},
                                  .codec_specific = &sink};
    audio_player_handle_t ph = NULL;
    assert_int_equal(play->init(&pcfg, &ph), ESP_OK);
    play->start(ph);
    for (int i = 0; i < sent.count; i++) {
        assert_int_equal(play->play_frame(ph, sent.data[i], sent.len[i]), ESP_OK);
    }
    /* not Opus: refused and counted, the file stays valid */
    assert_int_equal(play->play_frame(ph, (const uint8_t *)"", 0), ESP_ERR_INVALID_SIZE);
    media_stream_player_stats_t st;
    media_stream_player_get_stats(ph, &st);
    assert_int_equal(st.frames, 20);
    assert_int_equal(st.errors, 1);
    play->deinit(ph);
    check_ogg_file(tmp_path("rt.opus"), 20, 1);

    media_stream_source_config_t file = {
        .source = MEDIA_STREAM_SOURCE_FILE, .path = tmp_path("rt.opus"), .stop_at_eof = true};
    h = open_audio(&file, ESP_OK);
    cap->start(h);
    frames_t back = {0};
    read_audio(h, &back, MAX_FRAMES);
    assert_int_equal(back.count, sent.count);
    for (int i = 0; i < sent.count; i++) {
        assert_int_equal(back.len[i], sent.len[i]);
        assert_memory_equal(back.data[i], sent.data[i], sent.len[i]);
    }
    cap->deinit(h);

    /* a player closed before any audio still writes a valid (empty) file */
    sink.path = tmp_path("empty.opus");
    assert_int_equal(play->init(&pcfg, &ph), ESP_OK);
    play->deinit(ph);
    check_ogg_file(sink.path, 0, 1);
    frames_free(&sent);
    frames_free(&back);
}

static void test_ffmpeg_ogg_plays_and_loops(void **state)
{
    (void)state;
    media_stream_audio_capture_t *cap = media_stream_get_audio_capture_if();
    media_stream_source_config_t file = {.source = MEDIA_STREAM_SOURCE_FILE,
                                         .path = data_path("ffmpeg_tone.opus")};
    audio_capture_handle_t h = open_audio(&file, ESP_OK);
    cap->start(h);
    frames_t fr = {0};
    read_audio(h, &fr, 30); /* the file has 25 or 26 packets: this loops */
    int err = 0;
    OpusDecoder *dec = opus_decoder_create(48000, 2, &err);
    opus_int16 pcm[960 * 2];
    for (int i = 0; i < fr.count; i++) {
        assert_int_equal(opus_decode(dec, fr.data[i], (opus_int32)fr.len[i], pcm, 960, 0), 960);
    }
    opus_decoder_destroy(dec);
    cap->deinit(h);
    frames_free(&fr);
}

static void test_bad_ogg_files(void **state)
{
    (void)state;
    media_stream_source_config_t file = {.source = MEDIA_STREAM_SOURCE_FILE,
                                         .path = tmp_path("missing.opus")};
    assert_null(open_audio(&file, ESP_ERR_NOT_FOUND));
    file.path = tmp_path("text.opus");
    write_file(file.path, "not an ogg file", 15);
    assert_null(open_audio(&file, ESP_ERR_INVALID_ARG));
    /* an Ogg file whose stream is not Opus */
    uint8_t page[128];
    size_t n = 0;
    assert_int_equal(ertc_ogg_page_build(ERTC_OGG_FLAG_BOS, 0, 1, 0, (const uint8_t *)"\x01vorbis",
                                         7, page, sizeof(page), &n),
                     WEBRTC_STATUS_SUCCESS);
    file.path = tmp_path("vorbis.ogg");
    write_file(file.path, page, n);
    assert_null(open_audio(&file, ESP_ERR_INVALID_ARG));
    /* headers only: no audio to play */
    uint8_t buf[256];
    size_t len = 0, total = 0;
    ertc_opus_head_t head = {.version = 1, .channels = 2, .input_rate = 48000};
    uint8_t pkt[64];
    assert_int_equal(ertc_opus_head_build(&head, pkt, sizeof(pkt), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(
        ertc_ogg_page_build(ERTC_OGG_FLAG_BOS, 0, 9, 0, pkt, len, buf, sizeof(buf), &n),
        WEBRTC_STATUS_SUCCESS);
    total = n;
    assert_int_equal(ertc_opus_tags_build("t", pkt, sizeof(pkt), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_ogg_page_build(ERTC_OGG_FLAG_EOS, 0, 9, 1, pkt, len, buf + total,
                                         sizeof(buf) - total, &n),
                     WEBRTC_STATUS_SUCCESS);
    total += n;
    file.path = tmp_path("headers.opus");
    write_file(file.path, buf, total);
    assert_null(open_audio(&file, ESP_ERR_INVALID_ARG));
    /* a corrupted byte in the first page */
    buf[40] ^= 0x55;
    write_file(file.path, buf, total);
    assert_null(open_audio(&file, ESP_ERR_INVALID_ARG));
}

static void test_counting_players(void **state)
{
    (void)state;
    media_stream_video_player_t *vp = media_stream_get_video_player_if();
    media_stream_audio_player_t *ap = media_stream_get_audio_player_if();
    video_player_config_t vcfg = {.codec = VIDEO_PLAYER_CODEC_H264};
    audio_player_config_t acfg = {.codec = AUDIO_PLAYER_CODEC_OPUS};
    video_player_handle_t vh = NULL;
    audio_player_handle_t ah = NULL;
    assert_int_equal(vp->init(&vcfg, &vh), ESP_OK);
    assert_int_equal(ap->init(&acfg, &ah), ESP_OK);
    vp->start(vh);
    ap->start(ah);
    const uint8_t idr[] = {0, 0, 0, 1, 0x65, 0x88, 0x80};
    const uint8_t p[] = {0, 0, 0, 1, 0x41, 0x9a, 0x00};
    assert_int_equal(vp->play_frame(vh, p, sizeof(p), false), ESP_OK); /* counted, not skipped */
    assert_int_equal(vp->play_frame(vh, idr, sizeof(idr), false), ESP_OK);
    const uint8_t opus_pkt[] = {0xf8, 0xff, 0xfe}; /* CELT 20 ms */
    assert_int_equal(ap->play_frame(ah, opus_pkt, sizeof(opus_pkt)), ESP_OK);
    media_stream_player_stats_t st;
    assert_int_equal(media_stream_player_get_stats(vh, &st), ESP_OK);
    assert_int_equal(st.frames, 2);
    assert_int_equal(st.key_frames, 1);
    assert_int_equal(st.bytes, sizeof(p) + sizeof(idr));
    assert_int_equal(st.skipped, 0);
    assert_int_equal(media_stream_player_get_stats(ah, &st), ESP_OK);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.bytes, 3);
    int not_a_player = 0;
    assert_int_equal(media_stream_player_get_stats(&not_a_player, &st), ESP_ERR_INVALID_ARG);
    vp->stop(vh);
    assert_int_equal(vp->play_frame(vh, p, sizeof(p), false), ESP_ERR_INVALID_STATE);
    vp->deinit(vh);
    ap->deinit(ah);

    media_stream_sink_config_t sink = {.sink = MEDIA_STREAM_SINK_FILE, .path = "/nonexistent/x"};
    vcfg.codec_specific = &sink;
    assert_int_equal(vp->init(&vcfg, &vh), ESP_ERR_NOT_FOUND);
    sink.path = NULL;
    assert_int_equal(vp->init(&vcfg, &vh), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annexb_round_trip), cmocka_unit_test(test_x264_file_plays),
        cmocka_unit_test(test_esp_file_getters),  cmocka_unit_test(test_bad_video_files),
        cmocka_unit_test(test_ogg_round_trip),    cmocka_unit_test(test_ffmpeg_ogg_plays_and_loops),
        cmocka_unit_test(test_bad_ogg_files),     cmocka_unit_test(test_counting_players),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
