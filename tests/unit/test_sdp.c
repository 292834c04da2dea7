/*
 * SDP (peer/sdp, peer/sdp_candidate, peer/sdp_negotiate, peer/sdp_build) against the real
 * offers and answers of Chromium 156, Firefox ESR 153, aiortc 1.4 and GStreamer 1.22
 * webrtcbin in tests/data/sdp (see its README: how each was captured, and which one file is
 * edited rather than captured). Captured values change on every re-capture, so the checks
 * look at shapes (lengths, kinds, relations) and at what the capture scripts fix (mids,
 * directions, codecs, payload types chosen by each peer's code).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer/sdp.h"
#include "peer/sdp_build.h"
#include "peer/sdp_negotiate.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static char *load(const char *name, size_t *len_out)
{
    const char *dir = getenv("ERTC_TEST_DATA");
    char path[1024];
    if (dir != NULL) {
        snprintf(path, sizeof(path), "%s/sdp/%s", dir, name);
    } else {
        /* Run by hand without ctest: the data folder next to this source file. */
        const char *src = __FILE__;
        const char *slash = strrchr(src, '/');
        int dir_len = slash ? (int)(slash - src) : 1;
        snprintf(path, sizeof(path), "%.*s/../data/sdp/%s", dir_len, slash ? src : ".", name);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open %s (set ERTC_TEST_DATA to tests/data)", path);
    }
    char *data = malloc(ERTC_SDP_MAX_SIZE + 1);
    assert_non_null(data);
    size_t len = fread(data, 1, ERTC_SDP_MAX_SIZE, f);
    fclose(f);
    assert_true(len > 0);
    data[len] = '\0';
    if (len_out != NULL) {
        *len_out = len;
    }
    return data;
}

static ertc_sdp_t *new_sdp(void)
{
    ertc_sdp_t *sdp = calloc(1, sizeof(*sdp));
    assert_non_null(sdp);
    return sdp;
}

static ertc_sdp_t *parse_text(const char *text)
{
    ertc_sdp_t *sdp = new_sdp();
    WEBRTC_STATUS st = ertc_sdp_parse(text, strlen(text), sdp);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail_msg("parse failed (%u): %s", (unsigned)st, sdp->error);
    }
    assert_string_equal(sdp->error, "");
    return sdp;
}

static ertc_sdp_t *parse_file(const char *name)
{
    char *text = load(name, NULL);
    ertc_sdp_t *sdp = parse_text(text);
    free(text);
    return sdp;
}

/* Every occurrence of `from` replaced by `to` (malloc'd). */
static char *replace(const char *text, const char *from, const char *to)
{
    size_t n = 0;
    for (const char *p = strstr(text, from); p; p = strstr(p + strlen(from), from)) {
        n++;
    }
    size_t size = strlen(text) + n * strlen(to) + 1;
    char *out = malloc(size);
    assert_non_null(out);
    char *w = out;
    const char *r = text;
    for (const char *p = strstr(r, from); p; p = strstr(r, from)) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, to, strlen(to));
        w += strlen(to);
        r = p + strlen(from);
    }
    strcpy(w, r);
    return out;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        fail_msg("\"%s\" not found in:\n%s", needle, haystack);
    }
}

static size_t count_of(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ICE credentials and a sha-256 fingerprint, as RFC 8839 and RFC 8122 shape them. */
static void check_transport(const ertc_sdp_transport_t *t, ertc_sdp_setup_t setup)
{
    assert_true(ertc_sdp_is_ice_chars(t->ice_ufrag, 4, 256));
    assert_true(ertc_sdp_is_ice_chars(t->ice_pwd, 22, 256));
    assert_string_equal(t->fingerprint_hash, "sha-256");
    assert_int_equal(strlen(t->fingerprint), 32 * 3 - 1);
    for (size_t i = 2; i < strlen(t->fingerprint); i += 3) {
        assert_int_equal(t->fingerprint[i], ':');
    }
    assert_int_equal(t->setup, setup);
}

static const ertc_sdp_codec_t *find_codec(const ertc_sdp_media_t *m, const char *name,
                                          uint32_t plid, int pmode)
{
    for (size_t i = 0; i < m->codec_count; i++) {
        const ertc_sdp_codec_t *c = &m->codecs[i];
        if (strcasecmp(c->name, name) == 0 && (plid == 0 || c->profile_level_id == plid) &&
            (pmode < 0 || c->packetization_mode == pmode)) {
            return c;
        }
    }
    return NULL;
}

/* Every RTX payload type points at a payload type of the same m-line. */
static void check_rtx(const ertc_sdp_media_t *m)
{
    for (size_t i = 0; i < m->codec_count; i++) {
        if (strcmp(m->codecs[i].name, "rtx") == 0) {
            assert_true(m->codecs[i].apt >= 0);
            assert_non_null(ertc_sdp_find_codec(m, (uint8_t)m->codecs[i].apt));
        }
    }
}

static uint16_t mid_extmap(const ertc_sdp_media_t *m)
{
    for (size_t i = 0; i < m->extmap_count; i++) {
        if (strcmp(m->extmaps[i].uri, "urn:ietf:params:rtp-hdrext:sdes:mid") == 0) {
            return m->extmaps[i].id;
        }
    }
    return 0;
}

/* The camera of the device: H.264 video and Opus audio in the given direction. */
static ertc_sdp_local_caps_t caps_of(ertc_sdp_direction_t dir, bool video, bool audio, bool data)
{
    ertc_sdp_local_caps_t caps;
    memset(&caps, 0, sizeof(caps));
    if (video) {
        caps.video.direction = dir;
        caps.video.codecs[caps.video.codec_count++] = APP_WEBRTC_CODEC_H264;
    }
    if (audio) {
        caps.audio.direction = dir;
        caps.audio.codecs[caps.audio.codec_count++] = APP_WEBRTC_CODEC_OPUS;
        caps.audio.codecs[caps.audio.codec_count++] = APP_WEBRTC_CODEC_MULAW;
    }
    caps.datachannel = data;
    return caps;
}

static ertc_sdp_candidate_t test_candidates[2];

static void local_of(ertc_sdp_local_t *local, ertc_sdp_direction_t dir, bool audio, bool data)
{
    memset(local, 0, sizeof(*local));
    local->session_id = 1234567890123456789ull;
    local->session_version = 2;
    strcpy(local->ice_ufrag, "Ab3/");
    strcpy(local->ice_pwd, "0123456789abcdef+/XYZW");
    strcpy(local->fingerprint, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                               "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
    strcpy(local->cname, "cam-1");
    ertc_sdp_local_media_t *v = &local->media[local->media_count++];
    v->kind = ERTC_SDP_KIND_VIDEO;
    v->direction = dir;
    v->codecs[v->codec_count++] = APP_WEBRTC_CODEC_H264;
    v->ssrc = 0xCAFE0001u;
    strcpy(v->msid_stream, "stream-1");
    strcpy(v->msid_track, "video-1");
    if (audio) {
        ertc_sdp_local_media_t *a = &local->media[local->media_count++];
        a->kind = ERTC_SDP_KIND_AUDIO;
        a->direction = dir;
        a->codecs[a->codec_count++] = APP_WEBRTC_CODEC_OPUS;
        a->ssrc = 0xCAFE0002u;
        strcpy(a->msid_stream, "stream-1");
        strcpy(a->msid_track, "audio-1");
    }
    if (data) {
        local->media[local->media_count++].kind = ERTC_SDP_KIND_APPLICATION;
    }
    assert_int_equal(
        ertc_sdp_parse_candidate("candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host",
                                 &test_candidates[0]),
        WEBRTC_STATUS_SUCCESS);
    assert_int_equal(
        ertc_sdp_parse_candidate("candidate:2 1 udp 1694498815 198.51.100.7 50001 typ srflx "
                                 "raddr 192.0.2.10 rport 50000",
                                 &test_candidates[1]),
        WEBRTC_STATUS_SUCCESS);
    local->candidates = test_candidates;
    local->candidate_count = 2;
    local->end_of_candidates = true;
}

static ertc_sdp_answer_plan_t *negotiate_ok(const ertc_sdp_t *offer, ertc_sdp_local_caps_t caps)
{
    ertc_sdp_answer_plan_t *plan = calloc(1, sizeof(*plan));
    assert_non_null(plan);
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
    WEBRTC_STATUS st = ertc_sdp_negotiate(offer, &caps, plan, err, sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        fail_msg("negotiation failed (%u): %s", (unsigned)st, err);
    }
    assert_int_equal(plan->media_count, offer->media_count);
    return plan;
}

/* Builds our answer, checks it re-parses and mirrors the offer's m-lines, returns it. */
static ertc_sdp_t *answer_round_trip(const ertc_sdp_t *offer, const ertc_sdp_answer_plan_t *plan,
                                     ertc_sdp_direction_t dir)
{
    ertc_sdp_local_t local;
    local_of(&local, dir, true, true);
    static char text[ERTC_SDP_BUILD_BUFFER_SIZE];
    size_t len = 0;
    assert_int_equal(ertc_sdp_build_answer(&local, plan, text, sizeof(text), &len),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(text), len);
    ertc_sdp_t *answer = parse_text(text);
    assert_int_equal(answer->media_count, offer->media_count);
    for (size_t i = 0; i < offer->media_count; i++) {
        const ertc_sdp_media_t *a = &answer->media[i];
        assert_string_equal(a->mid, offer->media[i].mid);
        assert_string_equal(a->kind_name, offer->media[i].kind_name);
        if (!plan->media[i].accepted) {
            assert_int_equal(a->port, 0);
            /* What aiortc 1.4 demands of every m-section, rejected or not. */
            check_transport(&a->transport, plan->setup);
            assert_int_equal(a->candidate_count, 0);
            if (a->kind == ERTC_SDP_KIND_AUDIO || a->kind == ERTC_SDP_KIND_VIDEO) {
                assert_true(a->rtcp_mux);
                assert_int_equal(a->direction, ERTC_SDP_DIRECTION_INACTIVE);
                if (plan->media[i].codec_name[0] != '\0') { /* the offer's first codec */
                    assert_int_equal(a->codec_count, 1);
                    assert_string_equal(a->codecs[0].name, plan->media[i].codec_name);
                    assert_int_equal(a->codecs[0].pt, plan->media[i].payload_type);
                }
            }
            continue;
        }
        assert_int_equal(a->port, 9);
        check_transport(&a->transport, plan->setup);
        assert_true(a->transport.ice_trickle);
        assert_int_equal(a->candidate_count, i == plan->transport_index ? 2 : 0);
        if (a->kind == ERTC_SDP_KIND_APPLICATION) {
            assert_true(a->datachannel);
            continue;
        }
        assert_int_equal(a->direction, plan->media[i].direction);
        assert_true(a->rtcp_mux);
        assert_int_equal(a->codec_count, 1);
        assert_int_equal(a->codecs[0].pt, plan->media[i].payload_type);
        assert_int_equal(a->codecs[0].rtcp_fb, plan->media[i].rtcp_fb);
        assert_int_equal(a->ssrc_count, (plan->media[i].direction & 1) ? 1 : 0);
    }
    return answer;
}

/* ---- parsing real SDPs -------------------------------------------------------------------- */

static void test_chromium_offer_recvonly(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = parse_file("chromium_offer_recvonly.sdp");
    assert_true(sdp->has_bundle);
    assert_int_equal(sdp->bundle_count, 3);
    assert_string_equal(sdp->bundle_mids[0], "0");
    assert_string_equal(sdp->bundle_mids[2], "2");
    assert_true(sdp->msid_semantic_wms);
    assert_true(sdp->extmap_allow_mixed);
    assert_false(sdp->ice_lite);
    assert_true(strlen(sdp->session_id) > 0);
    assert_int_equal(sdp->media_count, 3);

    const ertc_sdp_media_t *video = &sdp->media[0];
    assert_int_equal(video->kind, ERTC_SDP_KIND_VIDEO);
    assert_string_equal(video->mid, "0");
    assert_string_equal(video->proto, "UDP/TLS/RTP/SAVPF");
    assert_int_equal(video->direction, ERTC_SDP_DIRECTION_RECVONLY);
    assert_true(video->rtcp_mux && video->rtcp_rsize);
    check_transport(&video->transport, ERTC_SDP_SETUP_ACTPASS);
    assert_true(video->transport.ice_trickle);
    assert_int_equal(video->dropped, 0);
    assert_true(video->codec_count > 20); /* Chromium 156 offers 34 */
    const ertc_sdp_codec_t *vp8 = find_codec(video, "VP8", 0, -1);
    assert_non_null(vp8);
    assert_int_equal(vp8->clock_rate, 90000);
    assert_int_equal(vp8->rtcp_fb, ERTC_SDP_FB_NACK | ERTC_SDP_FB_NACK_PLI | ERTC_SDP_FB_CCM_FIR |
                                       ERTC_SDP_FB_GOOG_REMB | ERTC_SDP_FB_TRANSPORT_CC);
    const ertc_sdp_codec_t *cb = find_codec(video, "H264", 0x42e01f, 1);
    assert_non_null(cb);
    assert_true(cb->level_asymmetry_allowed);
    assert_string_equal(cb->fmtp,
                        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    assert_non_null(find_codec(video, "H264", 0x42e01f, 0));
    assert_non_null(find_codec(video, "H264", 0x4d001f, 1));
    assert_non_null(find_codec(video, "AV1", 0, -1));
    check_rtx(video);
    assert_true(mid_extmap(video) > 0);
    assert_true(video->candidate_count >= 1);
    for (size_t i = 0; i < video->candidate_count; i++) {
        /* No camera permission: Chromium hides host addresses behind mDNS names. */
        assert_true(ends_with(video->candidates[i].address, ".local"));
        assert_int_equal(strlen(video->candidates[i].address), 36 + strlen(".local"));
        assert_int_equal(video->candidates[i].type, ERTC_SDP_CANDIDATE_HOST);
        assert_int_equal(video->candidates[i].component, 1);
    }

    const ertc_sdp_media_t *audio = &sdp->media[1];
    assert_int_equal(audio->kind, ERTC_SDP_KIND_AUDIO);
    assert_int_equal(audio->direction, ERTC_SDP_DIRECTION_RECVONLY);
    const ertc_sdp_codec_t *opus = ertc_sdp_find_codec(audio, 111);
    assert_non_null(opus);
    assert_string_equal(opus->name, "opus");
    assert_int_equal(opus->clock_rate, 48000);
    assert_int_equal(opus->channels, 2);
    assert_string_equal(opus->fmtp, "minptime=10;useinbandfec=1");
    assert_string_equal(ertc_sdp_find_codec(audio, 0)->name, "PCMU");
    assert_string_equal(ertc_sdp_find_codec(audio, 8)->name, "PCMA");
    assert_string_equal(audio->transport.ice_ufrag, video->transport.ice_ufrag);

    const ertc_sdp_media_t *data = ertc_sdp_find_media(sdp, "2");
    assert_ptr_equal(data, &sdp->media[2]);
    assert_int_equal(data->kind, ERTC_SDP_KIND_APPLICATION);
    assert_true(data->datachannel);
    assert_false(data->legacy_sctpmap);
    assert_string_equal(data->proto, "UDP/DTLS/SCTP");
    assert_int_equal(data->sctp_port, 5000);
    assert_true(data->has_max_message_size);
    assert_int_equal(data->max_message_size, 262144);
    assert_int_equal(data->codec_count, 0);
    free(sdp);
}

static void test_chromium_offer_sendrecv(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = parse_file("chromium_offer_sendrecv.sdp");
    assert_int_equal(sdp->media_count, 2);
    assert_int_equal(sdp->bundle_count, 2);
    /* getUserMedia added audio first, then video. */
    const ertc_sdp_media_t *audio = &sdp->media[0];
    const ertc_sdp_media_t *video = &sdp->media[1];
    assert_int_equal(audio->kind, ERTC_SDP_KIND_AUDIO);
    assert_int_equal(video->kind, ERTC_SDP_KIND_VIDEO);
    for (size_t k = 0; k < 2; k++) {
        const ertc_sdp_media_t *m = &sdp->media[k];
        assert_int_equal(m->direction, ERTC_SDP_DIRECTION_SENDRECV);
        check_transport(&m->transport, ERTC_SDP_SETUP_ACTPASS);
        assert_int_equal(strlen(m->msid_stream), 36); /* UUIDs */
        assert_int_equal(strlen(m->msid_track), 36);
        assert_true(m->ssrc_count >= 1);
        assert_true(strlen(m->ssrcs[0].cname) > 0);
        assert_string_equal(m->ssrcs[0].msid_stream, m->msid_stream);
        assert_string_equal(m->ssrcs[0].msid_track, m->msid_track);
        for (size_t i = 0; i < m->candidate_count; i++) {
            /* With camera permission the real (namespace) addresses show. */
            assert_int_equal(strncmp(m->candidates[i].address, "10.77.0.", 8), 0);
            if (m->candidates[i].transport == ERTC_SDP_TRANSPORT_TCP) {
                assert_int_equal(m->candidates[i].tcptype, ERTC_SDP_TCPTYPE_ACTIVE);
                assert_int_equal(m->candidates[i].port, 9);
            }
        }
    }
    assert_string_equal(audio->msid_stream, video->msid_stream);
    assert_string_equal(audio->ssrcs[0].cname, video->ssrcs[0].cname);
    /* Video sends RTX: two SSRCs tied by ssrc-group FID. */
    assert_int_equal(video->ssrc_count, 2);
    assert_int_equal(video->ssrc_group_count, 1);
    assert_string_equal(video->ssrc_groups[0].semantics, "FID");
    assert_int_equal(video->ssrc_groups[0].count, 2);
    assert_int_equal(video->ssrc_groups[0].ssrcs[0], video->ssrcs[0].ssrc);
    assert_int_equal(video->ssrc_groups[0].ssrcs[1], video->ssrcs[1].ssrc);
    free(sdp);
}

static void test_chromium_answer(void **state)
{
    (void)state;
    /* Chromium's answer to edgertc's offer (sdptool offer: H.264 102, Opus 111, data). */
    ertc_sdp_t *sdp = parse_file("chromium_answer.sdp");
    assert_int_equal(sdp->media_count, 3);
    for (size_t i = 0; i < 3; i++) {
        check_transport(&sdp->media[i].transport, ERTC_SDP_SETUP_ACTIVE);
    }
    const ertc_sdp_media_t *video = &sdp->media[0];
    assert_int_equal(video->direction, ERTC_SDP_DIRECTION_RECVONLY);
    assert_int_equal(video->codec_count, 1);
    assert_int_equal(video->codecs[0].pt, ERTC_SDP_PT_H264);
    assert_int_equal(video->codecs[0].profile_level_id, 0x42e01f);
    assert_int_equal(video->codecs[0].packetization_mode, 1);
    assert_int_equal(video->codecs[0].rtcp_fb, ERTC_SDP_VIDEO_RTCP_FB);
    assert_int_equal(mid_extmap(video), ERTC_SDP_MID_EXTMAP_ID);
    assert_true(video->candidate_count > 0); /* candidates on the BUNDLE transport only */
    assert_int_equal(sdp->media[1].candidate_count, 0);
    assert_int_equal(sdp->media[1].codecs[0].pt, ERTC_SDP_PT_OPUS);
    assert_int_equal(sdp->media[1].direction, ERTC_SDP_DIRECTION_RECVONLY);
    assert_true(sdp->media[2].datachannel);
    assert_int_equal(sdp->media[2].max_message_size, 262144);
    free(sdp);
}

static void test_aiortc_offer(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = parse_file("aiortc_offer.sdp");
    assert_int_equal(sdp->media_count, 3);
    assert_int_equal(sdp->bundle_count, 3);
    assert_true(sdp->msid_semantic_wms); /* "a=msid-semantic:WMS *", no space */
    for (size_t i = 0; i < 3; i++) {
        const ertc_sdp_media_t *m = &sdp->media[i];
        check_transport(&m->transport, ERTC_SDP_SETUP_ACTPASS);
        assert_false(m->transport.ice_trickle); /* aiortc 1.4 writes no ice-options */
        assert_true(m->end_of_candidates);
        assert_true(m->candidate_count >= 1);
        assert_int_equal(strlen(m->candidates[0].foundation), 32);
        assert_int_equal(m->dropped, 0);
        /* One transport per m-line in the offer: BUNDLE decides later. */
        if (i > 0) {
            assert_string_not_equal(m->transport.ice_ufrag, sdp->media[0].transport.ice_ufrag);
        }
    }
    const ertc_sdp_media_t *video = &sdp->media[0];
    assert_int_equal(video->direction, ERTC_SDP_DIRECTION_SENDRECV);
    assert_non_null(find_codec(video, "H264", 0x42e01f, 1));
    assert_non_null(find_codec(video, "H264", 0x42001f, 1));
    check_rtx(video);
    assert_int_equal(video->ssrc_group_count, 1);
    assert_int_equal(mid_extmap(video), 1);
    assert_string_equal(ertc_sdp_find_codec(&sdp->media[1], 96)->name, "opus");
    const ertc_sdp_media_t *data = &sdp->media[2];
    assert_true(data->datachannel);
    assert_true(data->legacy_sctpmap);
    assert_string_equal(data->proto, "DTLS/SCTP");
    assert_string_equal(data->first_format, "5000");
    assert_int_equal(data->sctp_port, 5000);
    assert_int_equal(data->max_message_size, 65536);
    free(sdp);

    sdp = parse_file("aiortc_answer.sdp"); /* aiortc's answer to edgertc's offer */
    assert_int_equal(sdp->media_count, 3);
    assert_int_equal(sdp->media[0].transport.setup, ERTC_SDP_SETUP_ACTIVE);
    assert_int_equal(sdp->media[0].codecs[0].pt, ERTC_SDP_PT_H264);
    assert_int_equal(sdp->media[0].direction, ERTC_SDP_DIRECTION_RECVONLY);
    assert_int_equal(sdp->media[1].codecs[0].pt, ERTC_SDP_PT_OPUS);
    assert_true(sdp->media[2].datachannel);
    assert_false(sdp->media[2].legacy_sctpmap);
    free(sdp);
}

static void test_gstreamer_offer(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = parse_file("gstreamer_offer_sendonly.sdp");
    assert_int_equal(sdp->media_count, 2);
    assert_string_equal(sdp->bundle_mids[0], "video0");
    assert_string_equal(sdp->bundle_mids[1], "audio1");
    assert_false(sdp->msid_semantic_wms);
    const ertc_sdp_media_t *video = &sdp->media[0];
    const ertc_sdp_media_t *audio = &sdp->media[1];
    assert_int_equal(video->direction, ERTC_SDP_DIRECTION_SENDONLY);
    assert_true(video->rtcp_mux_only && video->rtcp_mux);
    check_transport(&video->transport, ERTC_SDP_SETUP_ACTPASS);
    assert_int_equal(strlen(video->transport.ice_ufrag), 32);
    assert_true(video->transport.ice_trickle); /* session-level ice-options */
    assert_int_equal(video->codec_count, 1);
    const ertc_sdp_codec_t *h264 = &video->codecs[0];
    assert_int_equal(h264->pt, 96);
    assert_int_equal(h264->packetization_mode, 1);
    assert_int_equal(h264->profile_level_id >> 16, 0x42);
    assert_true(h264->profile_level_id & 0x4000); /* constraint_set1: Constrained Baseline */
    assert_true(h264->level_asymmetry_allowed);
    assert_non_null(strstr(h264->fmtp, "sprop-parameter-sets="));
    assert_int_equal(video->ssrc_count, 1);
    assert_true(strlen(video->ssrcs[0].msid_stream) > 0);
    assert_true(strlen(video->ssrcs[0].cname) > 0);
    bool tcp_passive = false;
    for (size_t i = 0; i < video->candidate_count; i++) {
        tcp_passive |= video->candidates[i].tcptype == ERTC_SDP_TCPTYPE_PASSIVE;
    }
    assert_true(tcp_passive); /* "TCP ... tcptype passive", upper-case transport */
    /* max-bundle: the second m-line is bundle-only with port 0, not rejected. */
    assert_int_equal(audio->port, 0);
    assert_true(audio->bundle_only);
    assert_string_equal(audio->codecs[0].name, "OPUS");
    assert_int_equal(audio->codecs[0].channels, 2);
    free(sdp);

    sdp = parse_file("gstreamer_answer.sdp"); /* webrtcbin's answer to edgertc's offer */
    assert_int_equal(sdp->media_count, 2);
    assert_int_equal(sdp->media[0].codecs[0].pt, ERTC_SDP_PT_H264);
    assert_false(sdp->media[0].codecs[0].has_profile_level_id); /* webrtcbin drops it */
    assert_int_equal(sdp->media[0].direction, ERTC_SDP_DIRECTION_RECVONLY);
    check_transport(&sdp->media[0].transport, ERTC_SDP_SETUP_ACTIVE);
    free(sdp);
}

static void test_firefox_offers(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = parse_file("firefox_offer_recvonly.sdp");
    assert_int_equal(sdp->media_count, 3);
    assert_true(sdp->msid_semantic_wms);
    /* Firefox writes the fingerprint and ice-options at session level only. */
    assert_string_equal(sdp->transport.fingerprint_hash, "sha-256");
    for (size_t i = 0; i < 3; i++) {
        const ertc_sdp_media_t *m = &sdp->media[i];
        check_transport(&m->transport, ERTC_SDP_SETUP_ACTPASS);
        assert_string_equal(m->transport.fingerprint, sdp->transport.fingerprint);
        assert_true(m->transport.ice_trickle);
        assert_true(m->end_of_candidates);
        for (size_t k = 0; k < m->candidate_count; k++) {
            assert_true(ends_with(m->candidates[k].address, ".local"));
        }
    }
    const ertc_sdp_media_t *video = &sdp->media[0];
    assert_int_equal(video->direction, ERTC_SDP_DIRECTION_RECVONLY); /* overrides a=sendrecv */
    assert_null(find_codec(video, "H264", 0, -1)); /* no OpenH264 plugin offline */
    assert_non_null(find_codec(video, "VP8", 0, -1));
    assert_non_null(find_codec(video, "VP9", 0, -1));
    check_rtx(video);
    bool component2 = false;
    for (size_t k = 0; k < video->candidate_count; k++) {
        component2 |= video->candidates[k].component == 2;
    }
    assert_true(component2);
    bool playout_delay = false; /* "a=extmap:6/recvonly <uri>" */
    for (size_t k = 0; k < video->extmap_count; k++) {
        playout_delay |= strstr(video->extmaps[k].uri, "playout-delay") != NULL;
    }
    assert_true(playout_delay);
    const ertc_sdp_media_t *audio = &sdp->media[1];
    const ertc_sdp_codec_t *opus = find_codec(audio, "opus", 0, -1);
    assert_int_equal(opus->pt, 109);
    assert_int_equal(opus->channels, 2);
    char value[8];
    assert_int_equal(ertc_sdp_fmtp_get(opus->fmtp, "stereo", value, sizeof(value)),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(value, "1");
    assert_int_equal(ertc_sdp_find_codec(audio, 9)->channels, 1); /* "G722/8000/1" */
    assert_int_equal(sdp->media[2].direction, ERTC_SDP_DIRECTION_SENDRECV);
    assert_int_equal(sdp->media[2].max_message_size, 1073741823);
    free(sdp);

    sdp = parse_file("firefox_offer_sendrecv.sdp");
    assert_int_equal(sdp->media_count, 2);
    assert_int_equal(sdp->media[0].kind, ERTC_SDP_KIND_AUDIO);
    assert_int_equal(sdp->media[0].direction, ERTC_SDP_DIRECTION_SENDRECV);
    assert_int_equal(sdp->media[0].msid_stream[0], '{');
    free(sdp);

    sdp = parse_file("firefox_answer.sdp"); /* Firefox refuses our H.264 video: no codec */
    assert_int_equal(sdp->media[0].port, 0);
    assert_int_equal(sdp->media[1].codecs[0].pt, ERTC_SDP_PT_OPUS);
    check_transport(&sdp->media[1].transport, ERTC_SDP_SETUP_ACTIVE);
    free(sdp);
}

static void test_every_file_parses_with_lf_only(void **state)
{
    (void)state;
    static const char *const files[] = {
        "chromium_offer_recvonly.sdp",
        "chromium_offer_sendrecv.sdp",
        "chromium_answer.sdp",
        "aiortc_offer.sdp",
        "aiortc_answer.sdp",
        "gstreamer_offer_sendonly.sdp",
        "gstreamer_answer.sdp",
        "firefox_offer_recvonly.sdp",
        "firefox_offer_sendrecv.sdp",
        "firefox_answer.sdp",
        "firefox_offer_h264_edited.sdp",
        "edgertc_offer.sdp",
        "edgertc_answer_to_chromium.sdp",
        "edgertc_answer_to_chromium_no_data.sdp",
        "edgertc_answer_to_aiortc.sdp",
        "edgertc_answer_to_gstreamer.sdp",
        "edgertc_answer_to_firefox.sdp",
    };
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char *crlf = load(files[f], NULL);
        assert_true(count_of(crlf, "\r\n") > 10);
        char *lf = replace(crlf, "\r\n", "\n");
        ertc_sdp_t *a = parse_text(crlf);
        ertc_sdp_t *b = parse_text(lf);
        assert_true(a->media_count >= 1);
        assert_memory_equal(a, b, sizeof(*a));
        for (size_t i = 0; i < a->media_count; i++) {
            assert_int_equal(a->media[i].dropped, 0);
        }
        free(a);
        free(b);
        free(crlf);
        free(lf);
    }
}

/* ---- negotiation -------------------------------------------------------------------------- */

static void test_negotiate_chromium_viewer(void **state)
{
    (void)state;
    ertc_sdp_t *offer = parse_file("chromium_offer_recvonly.sdp");
    ertc_sdp_answer_plan_t *plan =
        negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, true));
    const ertc_sdp_codec_t *cb = find_codec(&offer->media[0], "H264", 0x42e01f, 1);
    const ertc_sdp_plan_media_t *v = &plan->media[0];
    assert_true(v->accepted);
    assert_int_equal(v->codec, APP_WEBRTC_CODEC_H264);
    assert_int_equal(v->payload_type, cb->pt); /* Chromium's number, not ours */
    assert_int_equal(v->direction, ERTC_SDP_DIRECTION_SENDONLY);
    assert_string_equal(v->fmtp,
                        "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    assert_int_equal(v->rtcp_fb, ERTC_SDP_VIDEO_RTCP_FB);
    assert_int_equal(v->mid_extmap_id, mid_extmap(&offer->media[0]));
    assert_true(v->rtcp_rsize);
    assert_int_equal(v->remote_ssrc, 0);
    const ertc_sdp_plan_media_t *a = &plan->media[1];
    assert_true(a->accepted);
    assert_int_equal(a->codec, APP_WEBRTC_CODEC_OPUS);
    assert_int_equal(a->payload_type, 111);
    assert_int_equal(a->channels, 2);
    assert_int_equal(a->rtcp_fb, 0);
    assert_string_equal(a->fmtp, "minptime=10;useinbandfec=1");
    const ertc_sdp_plan_media_t *d = &plan->media[2];
    assert_true(d->accepted);
    assert_false(d->legacy_sctpmap);
    assert_int_equal(d->remote_sctp_port, 5000);
    assert_int_equal(d->remote_max_message_size, 262144);
    assert_int_equal(plan->setup, ERTC_SDP_SETUP_ACTIVE); /* remote actpass */
    assert_true(plan->bundle);
    assert_int_equal(plan->transport_index, 0);
    assert_string_equal(plan->remote_ice_ufrag, offer->media[0].transport.ice_ufrag);
    assert_string_equal(plan->remote_ice_pwd, offer->media[0].transport.ice_pwd);
    assert_string_equal(plan->remote_fingerprint, offer->media[0].transport.fingerprint);
    assert_string_equal(plan->remote_fingerprint_hash, "sha-256");
    assert_true(plan->remote_trickle);
    ertc_sdp_t *answer = answer_round_trip(offer, plan, ERTC_SDP_DIRECTION_SENDONLY);
    assert_int_equal(answer->bundle_count, 3);
    assert_string_equal(answer->media[0].msid_track, "video-1");
    assert_int_equal(answer->media[0].ssrcs[0].ssrc, 0xCAFE0001u);
    assert_string_equal(answer->media[0].ssrcs[0].cname, "cam-1");
    assert_int_equal(mid_extmap(&answer->media[0]), mid_extmap(&offer->media[0]));
    assert_int_equal(answer->media[2].sctp_port, 5000);
    free(answer);
    free(plan);
    free(offer);
}

static void test_negotiate_chromium_directions(void **state)
{
    (void)state;
    ertc_sdp_t *offer = parse_file("chromium_offer_sendrecv.sdp");
    static const struct {
        ertc_sdp_direction_t ours, expected;
    } cases[] = {
        {ERTC_SDP_DIRECTION_SENDRECV, ERTC_SDP_DIRECTION_SENDRECV}, /* two-way */
        {ERTC_SDP_DIRECTION_SENDONLY, ERTC_SDP_DIRECTION_SENDONLY}, /* camera */
        {ERTC_SDP_DIRECTION_RECVONLY, ERTC_SDP_DIRECTION_RECVONLY}, /* viewer */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_sdp_answer_plan_t *plan =
            negotiate_ok(offer, caps_of(cases[i].ours, true, true, false));
        for (size_t k = 0; k < 2; k++) {
            assert_true(plan->media[k].accepted);
            assert_int_equal(plan->media[k].direction, cases[i].expected);
        }
        const ertc_sdp_plan_media_t *v = &plan->media[1];
        assert_int_equal(v->remote_ssrc, offer->media[1].ssrc_groups[0].ssrcs[0]);
        assert_int_equal(v->remote_rtx_ssrc, offer->media[1].ssrc_groups[0].ssrcs[1]);
        assert_string_equal(v->remote_msid_track, offer->media[1].msid_track);
        ertc_sdp_t *answer = answer_round_trip(offer, plan, cases[i].ours);
        free(answer);
        free(plan);
    }
    free(offer);
}

static void test_negotiate_aiortc(void **state)
{
    (void)state;
    ertc_sdp_t *offer = parse_file("aiortc_offer.sdp");
    ertc_sdp_answer_plan_t *plan =
        negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, true));
    assert_int_equal(plan->media[0].payload_type,
                     find_codec(&offer->media[0], "H264", 0x42e01f, 1)->pt);
    assert_int_equal(plan->media[1].payload_type, 96); /* aiortc's Opus */
    assert_true(plan->media[2].accepted);
    assert_true(plan->media[2].legacy_sctpmap);
    assert_int_equal(plan->media[2].remote_max_message_size, 65536);
    /* One ufrag per m-line: the BUNDLE transport is mid 0's. */
    assert_string_equal(plan->remote_ice_ufrag, offer->media[0].transport.ice_ufrag);
    assert_false(plan->remote_trickle);
    ertc_sdp_t *answer = answer_round_trip(offer, plan, ERTC_SDP_DIRECTION_SENDONLY);
    assert_true(answer->media[2].legacy_sctpmap);
    assert_string_equal(answer->media[2].proto, "DTLS/SCTP");
    assert_int_equal(answer->media[2].sctp_port, 5000);
    free(answer);
    free(plan);
    free(offer);
}

static void test_negotiate_gstreamer(void **state)
{
    (void)state;
    ertc_sdp_t *offer = parse_file("gstreamer_offer_sendonly.sdp");
    ertc_sdp_answer_plan_t *plan =
        negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_RECVONLY, true, true, true));
    assert_true(plan->media[0].accepted);
    assert_int_equal(plan->media[0].payload_type, 96);
    assert_int_equal(plan->media[0].direction, ERTC_SDP_DIRECTION_RECVONLY);
    /* Offered profile kept, our level (level-asymmetry-allowed=1 in the offer). */
    char expected[96];
    snprintf(expected, sizeof(expected),
             "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=%04lx1f",
             (unsigned long)(offer->media[0].codecs[0].profile_level_id >> 8));
    assert_string_equal(plan->media[0].fmtp, expected);
    assert_true(plan->media[1].accepted); /* bundle-only, port 0 */
    assert_string_equal(plan->media[1].codec_name, "OPUS");
    assert_int_equal(plan->media[1].payload_type, 111);
    assert_string_equal(plan->media[0].mid, "video0");
    ertc_sdp_t *answer = answer_round_trip(offer, plan, ERTC_SDP_DIRECTION_RECVONLY);
    assert_string_equal(answer->bundle_mids[0], "video0");
    assert_string_equal(answer->bundle_mids[1], "audio1");
    free(answer);
    free(plan);

    /* A sendonly camera meets a sendonly sender: accepted, but nothing flows. */
    plan = negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, false));
    assert_int_equal(plan->media[0].direction, ERTC_SDP_DIRECTION_INACTIVE);
    assert_int_equal(plan->media[1].direction, ERTC_SDP_DIRECTION_INACTIVE);
    free(plan);
    free(offer);
}

/* A kind the device has but does not use in this session (caps INACTIVE with codecs) is
 * answered inactive and bundled, not rejected; without codecs it is rejected (port 0), and a
 * session whose only accepted media is such an inactive m-line is refused. */
static void test_negotiate_unused_kind_inactive(void **state)
{
    (void)state;
    ertc_sdp_t *offer = parse_file("chromium_offer_recvonly.sdp");
    ertc_sdp_local_caps_t caps = caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, false, false);
    caps.audio.direction = ERTC_SDP_DIRECTION_INACTIVE;
    caps.audio.codecs[caps.audio.codec_count++] = APP_WEBRTC_CODEC_OPUS;
    ertc_sdp_answer_plan_t *plan = negotiate_ok(offer, caps);
    assert_true(plan->media[0].accepted);
    assert_true(plan->media[1].accepted);
    assert_int_equal(plan->media[1].direction, ERTC_SDP_DIRECTION_INACTIVE);
    assert_int_equal(plan->media[1].codec, APP_WEBRTC_CODEC_OPUS);
    ertc_sdp_t *answer = answer_round_trip(offer, plan, ERTC_SDP_DIRECTION_SENDONLY);
    assert_int_equal(answer->bundle_count, 2); /* video and the inactive audio */
    assert_int_equal(answer->media[1].port, 9);
    free(answer);
    free(plan);

    /* No video served and audio unused: refused, as before. */
    caps = caps_of(ERTC_SDP_DIRECTION_SENDONLY, false, false, false);
    caps.audio.direction = ERTC_SDP_DIRECTION_INACTIVE;
    caps.audio.codecs[caps.audio.codec_count++] = APP_WEBRTC_CODEC_OPUS;
    ertc_sdp_answer_plan_t refused;
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &refused, err, sizeof(err)),
                     WEBRTC_STATUS_NOT_FOUND);
    free(offer);
}

static void test_negotiate_firefox(void **state)
{
    (void)state;
    /* Live Firefox without OpenH264: video has no common codec, audio and data do. */
    ertc_sdp_t *offer = parse_file("firefox_offer_recvonly.sdp");
    ertc_sdp_answer_plan_t *plan =
        negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, true));
    assert_false(plan->media[0].accepted);
    assert_contains(plan->media[0].note, "video offered VP8/90000, VP9/90000, AV1/90000");
    assert_contains(plan->media[0].note, "(edgertc has H264/90000)");
    assert_string_equal(plan->media[0].codec_name, "VP8"); /* echoed in the rejected m-line */
    assert_int_equal(plan->media[0].clock_rate, 90000);
    assert_true(plan->media[1].accepted);
    assert_int_equal(plan->media[1].payload_type, 109);
    assert_int_equal(plan->media[1].direction, ERTC_SDP_DIRECTION_SENDONLY);
    assert_true(plan->media[2].accepted);
    assert_int_equal(plan->media[2].remote_max_message_size, 1073741823);
    assert_int_equal(plan->transport_index, 1);
    assert_int_equal(plan->setup, ERTC_SDP_SETUP_ACTIVE);
    ertc_sdp_t *answer = answer_round_trip(offer, plan, ERTC_SDP_DIRECTION_SENDONLY);
    assert_int_equal(answer->bundle_count, 2);
    assert_string_equal(answer->bundle_mids[0], "1");
    assert_string_equal(answer->bundle_mids[1], "2");
    free(answer);
    free(plan);
    free(offer);

    /* The same Firefox offer with OpenH264's payload types (edited, see the README). */
    offer = parse_file("firefox_offer_h264_edited.sdp");
    plan = negotiate_ok(offer, caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, true));
    assert_true(plan->media[0].accepted);
    assert_int_equal(plan->media[0].payload_type, 126); /* mode 1, not 97 (mode 0) */
    assert_int_equal(plan->transport_index, 0);
    free(plan);
    free(offer);
}

static void test_negotiate_no_common_codec(void **state)
{
    (void)state;
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
    ertc_sdp_answer_plan_t plan;
    /* A real offer: Firefox's camera and microphone, to a video-only H.264 device. */
    ertc_sdp_t *offer = parse_file("firefox_offer_sendrecv.sdp");
    ertc_sdp_local_caps_t caps = caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, false, false);
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_contains(err, "offer has no codec edgertc can use: ");
    assert_contains(err, "audio is not enabled on this device (offered opus/48000/2");
    assert_contains(err, "video offered VP8/90000, VP9/90000, AV1/90000 (edgertc has H264/90000)");
    free(offer);

    static const char vp_only[] =
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\nc=IN IP4 0.0.0.0\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
        "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\na=mid:0\r\na=rtcp-mux\r\n"
        "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
        "a=rtpmap:98 VP9/90000\r\na=fmtp:98 profile-id=0\r\na=rtpmap:99 VP9/90000\r\n"
        "a=fmtp:99 profile-id=2\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 9 13\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtcp-mux\r\n"
        "a=rtpmap:9 G722/8000\r\na=rtpmap:13 CN/8000\r\n";
    offer = parse_text(vp_only);
    caps = caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, true, true);
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_string_equal(err, "offer has no codec edgertc can use: video offered VP8/90000, "
                             "VP9/90000 (edgertc has H264/90000); audio offered G722/8000 "
                             "(edgertc has opus/48000/2, PCMU/8000)");
    /* A short buffer still gets a terminated message that says it was cut. */
    char small[40];
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, small, sizeof(small)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_true(ends_with(small, "..."));
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, NULL, 0), WEBRTC_STATUS_NOT_FOUND);
    free(offer);
}

/* A one-video-m-line offer around the given rtpmap/fmtp lines. */
static ertc_sdp_t *video_offer(const char *pts, const char *lines, const char *extra_session)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n%s"
             "m=video 9 UDP/TLS/RTP/SAVPF %s\r\nc=IN IP4 0.0.0.0\r\n"
             "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
             "a=fingerprint:sha-256 AA:BB\r\na=mid:v\r\na=rtcp-mux\r\n%s",
             extra_session, pts, lines);
    return parse_text(text);
}

static void test_negotiate_h264_profiles(void **state)
{
    (void)state;
    static const struct {
        const char *pts;
        const char *lines;
        int expected_pt; /* -1: no codec */
        const char *profile;
    } cases[] = {
        /* Constrained Baseline beats Baseline, Main and High whatever the order. */
        {"100 101 102 103",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=640032;packetization-mode=1\r\n"
         "a=rtpmap:101 H264/90000\r\na=fmtp:101 profile-level-id=4d001f;packetization-mode=1\r\n"
         "a=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42001f;packetization-mode=1\r\n"
         "a=rtpmap:103 H264/90000\r\na=fmtp:103 profile-level-id=42e01f;packetization-mode=1\r\n",
         103, "42e01f"},
        {"100 101",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=640c1f;packetization-mode=1\r\n"
         "a=rtpmap:101 H264/90000\r\na=fmtp:101 profile-level-id=4d001f;packetization-mode=1\r\n",
         101, "4d001f"},
        /* Main with constraint_set0 is Constrained Baseline too. */
        {"100 101",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=42001f;packetization-mode=1\r\n"
         "a=rtpmap:101 H264/90000\r\na=fmtp:101 profile-level-id=4d801f;packetization-mode=1\r\n",
         101, "4d801f"},
        /* No level-asymmetry-allowed: level is min(offered, 3.1). */
        {"100",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=42e015;packetization-mode=1\r\n",
         100, "42e015"},
        {"100",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=42e034;packetization-mode=1\r\n",
         100, "42e01f"},
        /* No profile-level-id: read as 42e01f. */
        {"100", "a=rtpmap:100 h264/90000\r\na=fmtp:100 packetization-mode=1\r\n", 100, "42e01f"},
        /* Only packetization-mode 0 (or none), or only High 4:4:4: nothing to use. */
        {"100 101",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=42e01f\r\n"
         "a=rtpmap:101 H264/90000\r\na=fmtp:101 profile-level-id=42e01f;packetization-mode=0\r\n",
         -1, NULL},
        {"100",
         "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=f4001f;packetization-mode=1\r\n",
         -1, NULL},
        /* Wrong clock rate. */
        {"100", "a=rtpmap:100 H264/48000\r\na=fmtp:100 packetization-mode=1\r\n", -1, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_sdp_t *offer = video_offer(cases[i].pts, cases[i].lines, "");
        ertc_sdp_local_caps_t caps = caps_of(ERTC_SDP_DIRECTION_SENDONLY, true, false, false);
        ertc_sdp_answer_plan_t plan;
        char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
        WEBRTC_STATUS st = ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err));
        if (cases[i].expected_pt < 0) {
            assert_int_equal(st, WEBRTC_STATUS_NOT_FOUND);
            assert_contains(err, "video offered H264/");
        } else {
            if (st != WEBRTC_STATUS_SUCCESS) {
                fail_msg("case %zu: %s", i, err);
            }
            assert_int_equal(plan.media[0].payload_type, cases[i].expected_pt);
            assert_contains(plan.media[0].fmtp, cases[i].profile);
            assert_int_equal(plan.setup, ERTC_SDP_SETUP_PASSIVE); /* no a=setup */
            assert_false(plan.bundle);
        }
        free(offer);
    }
}

static void test_negotiate_transport_rules(void **state)
{
    (void)state;
    ertc_sdp_local_caps_t caps = caps_of(ERTC_SDP_DIRECTION_SENDRECV, true, true, true);
    ertc_sdp_answer_plan_t plan;
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
    const char *h264 = "a=rtpmap:100 H264/90000\r\na=fmtp:100 packetization-mode=1\r\n";
    static const struct {
        const char *setup;
        ertc_sdp_setup_t ours;
    } roles[] = {
        {"a=setup:actpass\r\n", ERTC_SDP_SETUP_ACTIVE},
        {"a=setup:active\r\n", ERTC_SDP_SETUP_PASSIVE},
        {"a=setup:passive\r\n", ERTC_SDP_SETUP_ACTIVE},
    };
    for (size_t i = 0; i < 3; i++) {
        char lines[256];
        snprintf(lines, sizeof(lines), "%s%s", h264, roles[i].setup);
        ertc_sdp_t *offer = video_offer("100", lines, "");
        assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err)),
                         WEBRTC_STATUS_SUCCESS);
        assert_int_equal(plan.setup, roles[i].ours);
        assert_int_equal(plan.media[0].direction, ERTC_SDP_DIRECTION_SENDRECV);
        free(offer);
    }
    char lines[256];
    snprintf(lines, sizeof(lines), "%sa=setup:holdconn\r\n", h264);
    ertc_sdp_t *offer = video_offer("100", lines, "");
    assert_int_equal(ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_MALFORMED);
    assert_contains(err, "holdconn");
    free(offer);

    /* Short ice-pwd, and a sha-1 fingerprint: refused with a reason. */
    char *text = load("chromium_offer_sendrecv.sdp", NULL);
    char *bad = replace(text, "a=ice-pwd:", "a=ice-pwd:x");
    ertc_sdp_t *sdp = parse_text(bad);
    strcpy(sdp->media[0].transport.ice_pwd, "short");
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_MALFORMED);
    assert_contains(err, "ice-pwd");
    free(sdp);
    free(bad);
    bad = replace(text, "a=fingerprint:sha-256", "a=fingerprint:sha-1");
    sdp = parse_text(bad);
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_MALFORMED);
    assert_contains(err, "sha-1");
    free(sdp);
    free(bad);

    /* Without BUNDLE one transport carries only the first accepted m-line. */
    bad = replace(text, "a=group:BUNDLE 0 1\r\n", "");
    sdp = parse_text(bad);
    assert_false(sdp->has_bundle);
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_false(plan.bundle);
    assert_true(plan.media[0].accepted);
    assert_false(plan.media[1].accepted);
    assert_contains(plan.media[1].note, "no BUNDLE group");
    free(sdp);
    free(bad);

    /* No a=rtcp-mux: refused m-line. */
    bad = replace(text, "a=rtcp-mux\r\n", "");
    sdp = parse_text(bad);
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_contains(err, "rtcp-mux");
    free(sdp);
    free(bad);
    free(text);

    /* Data channel only, with data channels off: nothing to use. */
    text = load("chromium_offer_recvonly.sdp", NULL);
    sdp = parse_text(text);
    sdp->media[0].port = 0; /* as if the offerer had rejected audio and video */
    sdp->media[1].port = 0;
    caps.datachannel = false;
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_NOT_FOUND);
    assert_contains(err, "offer has nothing edgertc can use: ");
    assert_contains(err, "data channels are not enabled");
    caps.datachannel = true;
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(plan.transport_index, 2);
    free(sdp);
    free(text);

    /* Bad caps. */
    caps.video.codecs[0] = APP_WEBRTC_CODEC_OPUS;
    sdp = video_offer("100", h264, "");
    assert_int_equal(ertc_sdp_negotiate(sdp, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_sdp_negotiate(NULL, &caps, &plan, err, sizeof(err)),
                     WEBRTC_STATUS_NULL_ARG);
    free(sdp);
}

static void test_answer_direction_table(void **state)
{
    (void)state;
    enum {
        I = ERTC_SDP_DIRECTION_INACTIVE,
        S = ERTC_SDP_DIRECTION_SENDONLY,
        R = ERTC_SDP_DIRECTION_RECVONLY,
        B = ERTC_SDP_DIRECTION_SENDRECV
    };
    /* rows: ours; columns: offered I S R B */
    static const int table[4][4] = {
        {I, I, I, I}, /* ours inactive */
        {I, I, S, S}, /* ours sendonly (camera) */
        {I, R, I, R}, /* ours recvonly (viewer) */
        {I, R, S, B}, /* ours sendrecv */
    };
    for (int ours = 0; ours < 4; ours++) {
        for (int offered = 0; offered < 4; offered++) {
            assert_int_equal(ertc_sdp_answer_direction((ertc_sdp_direction_t)ours,
                                                       (ertc_sdp_direction_t)offered),
                             table[ours][offered]);
        }
    }
}

/* ---- building ----------------------------------------------------------------------------- */

static void test_offer_round_trip(void **state)
{
    (void)state;
    ertc_sdp_local_t local;
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    static char text[ERTC_SDP_BUILD_BUFFER_SIZE];
    size_t len = 0;
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), &len), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(strlen(text), len);
    assert_int_equal(count_of(text, "\n"), count_of(text, "\r\n"));
    assert_contains(text, "a=msid-semantic: WMS stream-1\r\n");
    assert_contains(text, "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\n");
    assert_contains(text, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
                          "profile-level-id=42e01f\r\n");
    assert_contains(text, "a=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\n"
                          "a=rtcp-fb:102 ccm fir\r\n");
    assert_contains(text, "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
    assert_contains(text, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n");
    assert_contains(text, "a=candidate:2 1 udp 1694498815 198.51.100.7 50001 typ srflx raddr "
                          "192.0.2.10 rport 50000\r\n");
    ertc_sdp_t *sdp = parse_text(text);
    assert_int_equal(sdp->media_count, 3);
    assert_int_equal(sdp->bundle_count, 3);
    assert_string_equal(sdp->bundle_mids[1], "1");
    assert_string_equal(sdp->session_id, "1234567890123456789");
    assert_int_equal(sdp->session_version, 2);
    for (size_t i = 0; i < 3; i++) {
        const ertc_sdp_media_t *m = &sdp->media[i];
        check_transport(&m->transport, ERTC_SDP_SETUP_ACTPASS);
        assert_string_equal(m->transport.ice_ufrag, "Ab3/");
        assert_true(m->transport.ice_trickle);
        assert_int_equal(m->candidate_count, i == 0 ? 2 : 0);
        assert_int_equal(m->end_of_candidates, i == 0);
    }
    const ertc_sdp_media_t *v = &sdp->media[0];
    assert_int_equal(v->direction, ERTC_SDP_DIRECTION_SENDONLY);
    assert_true(v->rtcp_mux && v->rtcp_rsize);
    assert_int_equal(v->codecs[0].pt, ERTC_SDP_PT_H264);
    assert_int_equal(v->codecs[0].profile_level_id, 0x42e01f);
    assert_int_equal(v->codecs[0].rtcp_fb, ERTC_SDP_VIDEO_RTCP_FB);
    assert_int_equal(mid_extmap(v), ERTC_SDP_MID_EXTMAP_ID);
    assert_string_equal(v->msid_stream, "stream-1");
    assert_string_equal(v->msid_track, "video-1");
    assert_int_equal(v->ssrcs[0].ssrc, 0xCAFE0001u);
    assert_string_equal(v->ssrcs[0].cname, "cam-1");
    assert_string_equal(v->ssrcs[0].msid_track, "video-1");
    assert_int_equal(v->candidates[1].type, ERTC_SDP_CANDIDATE_SRFLX);
    assert_int_equal(sdp->media[1].codecs[0].pt, ERTC_SDP_PT_OPUS);
    assert_int_equal(sdp->media[1].codecs[0].channels, 2);
    assert_true(sdp->media[2].datachannel);
    assert_int_equal(sdp->media[2].sctp_port, ERTC_SDP_DEFAULT_SCTP_PORT);
    assert_int_equal(sdp->media[2].max_message_size, ERTC_SDP_DEFAULT_MAX_MESSAGE_SIZE);

    /* Our offer, answered by ourselves as a viewer. */
    ertc_sdp_answer_plan_t *plan =
        negotiate_ok(sdp, caps_of(ERTC_SDP_DIRECTION_RECVONLY, true, true, true));
    assert_int_equal(plan->media[0].direction, ERTC_SDP_DIRECTION_RECVONLY);
    assert_int_equal(plan->media[0].remote_ssrc, 0xCAFE0001u);
    free(plan);

    /* Every shorter buffer fails cleanly and leaves a terminated string. */
    static char small[ERTC_SDP_BUILD_BUFFER_SIZE];
    for (size_t size = 0; size <= len; size++) {
        memset(small, 'x', sizeof(small));
        assert_int_equal(ertc_sdp_build_offer(&local, small, size, NULL),
                         WEBRTC_STATUS_BUFFER_TOO_SMALL);
        if (size > 0) {
            assert_true(strlen(small) < size);
        }
    }
    free(sdp);
}

static void test_build_refuses_bad_values(void **state)
{
    (void)state;
    static char text[ERTC_SDP_BUILD_BUFFER_SIZE];
    ertc_sdp_local_t local;
    static const struct {
        const char *what;
        size_t offset;
        size_t size;
        const char *value;
    } bad[] = {
        {"ufrag too short", offsetof(ertc_sdp_local_t, ice_ufrag), sizeof(local.ice_ufrag), "abc"},
        {"ufrag not ice-char", offsetof(ertc_sdp_local_t, ice_ufrag), sizeof(local.ice_ufrag),
         "ab cd"},
        {"pwd too short", offsetof(ertc_sdp_local_t, ice_pwd), sizeof(local.ice_pwd),
         "0123456789abcdef+/XYZ"},
        {"fingerprint", offsetof(ertc_sdp_local_t, fingerprint), sizeof(local.fingerprint),
         "00:11:2"},
        {"fingerprint injection", offsetof(ertc_sdp_local_t, fingerprint),
         sizeof(local.fingerprint), "00:11\r\na=x"},
        {"cname with space", offsetof(ertc_sdp_local_t, cname), sizeof(local.cname), "a b"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
        char *field = (char *)&local + bad[i].offset;
        memset(field, 0, bad[i].size);
        strcpy(field, bad[i].value);
        if (ertc_sdp_build_offer(&local, text, sizeof(text), NULL) != WEBRTC_STATUS_INVALID_ARG) {
            fail_msg("accepted: %s", bad[i].what);
        }
        assert_string_equal(text, "");
    }
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    strcpy(local.media[0].msid_track, "x\r\na=inject");
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    strcpy(local.media[1].mid, "0"); /* duplicates the numbered first m-line */
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    local.setup = ERTC_SDP_SETUP_PASSIVE; /* RFC 8842: offers say actpass */
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    local.media[0].codecs[0] = APP_WEBRTC_CODEC_OPUS; /* audio codec on video */
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    strcpy(test_candidates[0].address, "bad address");
    assert_int_equal(ertc_sdp_build_offer(&local, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_sdp_build_offer(NULL, text, sizeof(text), NULL), WEBRTC_STATUS_NULL_ARG);

    ertc_sdp_answer_plan_t plan;
    memset(&plan, 0, sizeof(plan));
    local_of(&local, ERTC_SDP_DIRECTION_SENDONLY, true, true);
    assert_int_equal(ertc_sdp_build_answer(&local, &plan, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG); /* nothing accepted */
}

/* ---- candidates --------------------------------------------------------------------------- */

static void test_candidate_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *out; /* NULL: the same as in (without prefix) */
    } cases[] = {
        {"candidate:842163049 1 udp 1677729535 198.51.100.7 61665 typ srflx raddr 0.0.0.0 rport 0",
         NULL},
        {"a=candidate:1 1 udp 2113937151 75c0e105-127d-45f2-b269-d72e8fdf11af.local 45697 typ "
         "host generation 0 network-cost 999\r\n",
         "candidate:1 1 udp 2113937151 75c0e105-127d-45f2-b269-d72e8fdf11af.local 45697 typ host"},
        {"3 1 TCP 1010827519 10.77.0.2 51827 typ host tcptype passive",
         "candidate:3 1 tcp 1010827519 10.77.0.2 51827 typ host tcptype passive"},
        {"candidate:4 2 udp 16777215 2001:db8::1 3478 typ relay raddr 203.0.113.9 rport 40000 "
         "generation 0 ufrag abcd network-id 3",
         "candidate:4 2 udp 16777215 2001:db8::1 3478 typ relay raddr 203.0.113.9 rport 40000"},
        {"candidate:af27b904e6408300259d80f63323e9c7 1 udp 2130706431 10.77.0.2 42121 typ prflx\n",
         "candidate:af27b904e6408300259d80f63323e9c7 1 udp 2130706431 10.77.0.2 42121 typ prflx"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ertc_sdp_candidate_t c, again;
        assert_int_equal(ertc_sdp_parse_candidate(cases[i].in, &c), WEBRTC_STATUS_SUCCESS);
        char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
        size_t len = 0;
        assert_int_equal(ertc_sdp_format_candidate(&c, text, sizeof(text), &len),
                         WEBRTC_STATUS_SUCCESS);
        assert_string_equal(text, cases[i].out ? cases[i].out : cases[i].in);
        assert_int_equal(strlen(text), len);
        assert_int_equal(ertc_sdp_parse_candidate(text, &again), WEBRTC_STATUS_SUCCESS);
        assert_memory_equal(&c, &again, sizeof(c));
        assert_int_equal(ertc_sdp_format_candidate(&c, text, len, NULL),
                         WEBRTC_STATUS_BUFFER_TOO_SMALL);
        assert_string_equal(text, "");
    }
    ertc_sdp_candidate_t c;
    assert_int_equal(ertc_sdp_parse_candidate(cases[0].in, &c), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(c.foundation, "842163049");
    assert_int_equal(c.component, 1);
    assert_int_equal(c.transport, ERTC_SDP_TRANSPORT_UDP);
    assert_int_equal(c.priority, 1677729535u);
    assert_string_equal(c.address, "198.51.100.7");
    assert_int_equal(c.port, 61665);
    assert_int_equal(c.type, ERTC_SDP_CANDIDATE_SRFLX);
    assert_true(c.has_related);
    assert_string_equal(c.related_address, "0.0.0.0");
    assert_int_equal(c.related_port, 0);
    assert_int_equal(c.tcptype, ERTC_SDP_TCPTYPE_NONE);
    const char *buf = "candidate:1 1 udp 1 192.0.2.1 1 typ hostXXXX";
    assert_int_equal(ertc_sdp_parse_candidate_buf(buf, strlen(buf) - 4, &c), WEBRTC_STATUS_SUCCESS);
}

static void test_candidate_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        WEBRTC_STATUS st;
    } bad[] = {
        {"", WEBRTC_STATUS_MALFORMED},
        {"candidate:", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 1", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 1 typ", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 1 typ local", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 sctp 1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 0 udp 1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 257 udp 1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 4294967296 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 65536 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp -1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 1 typ host raddr", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1 1 typ host rport x", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 tcp 1 192.0.2.1 1 typ host tcptype both", WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 192.0.2.1/24 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:1\x01 1 udp 1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:f*o 1 udp 1 192.0.2.1 1 typ host", WEBRTC_STATUS_MALFORMED},
        {"candidate:123456789012345678901234567890123 1 udp 1 192.0.2.1 1 typ host",
         WEBRTC_STATUS_MALFORMED},
        {"candidate:1 1 udp 1 "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.local 1 typ host",
         WEBRTC_STATUS_LIMIT_EXCEEDED},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ertc_sdp_candidate_t c;
        WEBRTC_STATUS st = ertc_sdp_parse_candidate(bad[i].line, &c);
        if (st != bad[i].st) {
            fail_msg("\"%s\": status %u, expected %u", bad[i].line, (unsigned)st,
                     (unsigned)bad[i].st);
        }
    }
    char *huge = malloc(ERTC_SDP_MAX_LINE + 64);
    assert_non_null(huge);
    memset(huge, '1', ERTC_SDP_MAX_LINE + 63);
    huge[ERTC_SDP_MAX_LINE + 63] = '\0';
    ertc_sdp_candidate_t c;
    assert_int_equal(ertc_sdp_parse_candidate(huge, &c), WEBRTC_STATUS_LIMIT_EXCEEDED);
    free(huge);
    assert_int_equal(ertc_sdp_parse_candidate(NULL, &c), WEBRTC_STATUS_NULL_ARG);

    char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    assert_int_equal(ertc_sdp_parse_candidate("candidate:1 1 udp 1 192.0.2.1 1 typ host", &c),
                     WEBRTC_STATUS_SUCCESS);
    c.foundation[0] = '\0';
    assert_int_equal(ertc_sdp_format_candidate(&c, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    strcpy(c.foundation, "1");
    c.type = (ertc_sdp_candidate_type_t)9;
    assert_int_equal(ertc_sdp_format_candidate(&c, text, sizeof(text), NULL),
                     WEBRTC_STATUS_INVALID_ARG);
}

/* ---- limits and garbage ------------------------------------------------------------------- */

static WEBRTC_STATUS parse_status(const char *text, size_t len, ertc_sdp_t *sdp)
{
    WEBRTC_STATUS st = ertc_sdp_parse(text, len, sdp);
    if (st != WEBRTC_STATUS_SUCCESS) {
        assert_true(strlen(sdp->error) > 0);
        assert_true(strlen(sdp->error) < ERTC_SDP_ERROR_SIZE);
    }
    return st;
}

static void test_limits(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = new_sdp();
    const char *head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    char *text = malloc(2 * ERTC_SDP_MAX_SIZE);
    assert_non_null(text);

    /* 8 m-lines parse, 9 are refused. */
    for (int count = ERTC_SDP_MAX_MEDIA; count <= ERTC_SDP_MAX_MEDIA + 1; count++) {
        strcpy(text, head);
        for (int i = 0; i < count; i++) {
            sprintf(text + strlen(text), "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%d\r\n", i);
        }
        WEBRTC_STATUS st = parse_status(text, strlen(text), sdp);
        if (count == ERTC_SDP_MAX_MEDIA) {
            assert_int_equal(st, WEBRTC_STATUS_SUCCESS);
            assert_int_equal(sdp->media_count, ERTC_SDP_MAX_MEDIA);
        } else {
            assert_int_equal(st, WEBRTC_STATUS_LIMIT_EXCEEDED);
            assert_contains(sdp->error, "m-lines");
            assert_contains(sdp->error, "line 21:"); /* 4 session lines, 8 m-lines of 2 */
        }
    }

    /* A 4096-byte line is fine, 4097 is refused; so is text over 64 KiB. */
    for (size_t n = ERTC_SDP_MAX_LINE; n <= ERTC_SDP_MAX_LINE + 1; n++) {
        strcpy(text, head);
        size_t at = strlen(text);
        memcpy(text + at, "a=x-long:", 9);
        memset(text + at + 9, 'x', n - 9);
        strcpy(text + at + n, "\r\n");
        WEBRTC_STATUS st = parse_status(text, strlen(text), sdp);
        assert_int_equal(st, n == ERTC_SDP_MAX_LINE ? WEBRTC_STATUS_SUCCESS
                                                    : WEBRTC_STATUS_LIMIT_EXCEEDED);
    }
    strcpy(text, head);
    while (strlen(text) <= ERTC_SDP_MAX_SIZE) {
        strcat(text, "a=x-filler:0123456789012345678901234567890123456789\r\n");
    }
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_LIMIT_EXCEEDED);

    /* 60 payload types keep the first 48; 40 candidates keep 32; 20 extmaps keep 16. */
    strcpy(text, head);
    strcat(text, "m=video 9 UDP/TLS/RTP/SAVPF");
    for (int pt = 60; pt < 120; pt++) {
        sprintf(text + strlen(text), " %d", pt);
    }
    strcat(text, "\r\n");
    for (int i = 0; i < 40; i++) {
        sprintf(text + strlen(text), "a=candidate:%d 1 udp %d 192.0.2.%d 5000 typ host\r\n", i,
                1000 + i, i);
    }
    for (int i = 1; i <= 20; i++) {
        sprintf(text + strlen(text), "a=extmap:%d urn:x-%d\r\n", i, i);
    }
    strcat(text, "a=rtpmap:119 VP8/90000\r\na=rtpmap:60 telephone-event-too-long/8000\r\n");
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_SUCCESS);
    const ertc_sdp_media_t *m = &sdp->media[0];
    assert_int_equal(m->codec_count, ERTC_SDP_MAX_FORMATS - 1); /* PT 60's name is too long */
    assert_int_equal(m->codecs[0].pt, 61);
    assert_null(ertc_sdp_find_codec(m, 119));
    assert_int_equal(m->candidate_count, ERTC_SDP_MAX_CANDIDATES);
    assert_int_equal(m->extmap_count, ERTC_SDP_MAX_EXTMAPS);
    assert_int_equal(m->dropped, (60 - 48) + 1 + (40 - 32) + (20 - 16));

    /* Values too long for their field. */
    char ufrag[300];
    memset(ufrag, 'u', 257);
    ufrag[257] = '\0';
    snprintf(text, ERTC_SDP_MAX_SIZE, "%sa=ice-ufrag:%s\r\n", head, ufrag);
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_LIMIT_EXCEEDED);
    ufrag[256] = '\0';
    snprintf(text, ERTC_SDP_MAX_SIZE, "%sa=ice-ufrag:%s\r\n", head, ufrag);
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_SUCCESS);
    snprintf(text, ERTC_SDP_MAX_SIZE, "%sm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%s\r\n", head,
             "0123456789012345678901234567890123");
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_LIMIT_EXCEEDED);
    snprintf(text, ERTC_SDP_MAX_SIZE, "%sa=group:BUNDLE 0 1 2 3 4 5 6 7 8\r\n", head);
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_LIMIT_EXCEEDED);

    /* A long fmtp keeps its values but not its text. */
    snprintf(
        text, ERTC_SDP_MAX_SIZE,
        "%sm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n"
        "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=%0200d\r\n",
        head, 0);
    assert_int_equal(parse_status(text, strlen(text), sdp), WEBRTC_STATUS_SUCCESS);
    assert_true(sdp->media[0].codecs[0].fmtp_too_long);
    assert_string_equal(sdp->media[0].codecs[0].fmtp, "");
    assert_int_equal(sdp->media[0].codecs[0].profile_level_id, 0x42e01f);
    free(text);
    free(sdp);
}

static void test_garbage(void **state)
{
    (void)state;
    ertc_sdp_t *sdp = new_sdp();
    static const char *const bad[] = {
        "",
        "\r\n\r\n",
        "hello",
        "v=1\r\n",
        "o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n",
        "v=0\r\nthis is not sdp\r\n",
        "v=0\r\nA=b\r\n",
        "v=0\r\no=- 1\r\n",
        "v=0\r\no=- x 1 IN IP4 0.0.0.0\r\n",
        "v=0\r\nm=video\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF\r\n",
        "v=0\r\nm=video 70000 UDP/TLS/RTP/SAVPF 96\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 128\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/x\r\n",
        "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 opus/48000/0\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtcp-fb:96\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=extmap:x urn:y\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ssrc:4294967296 cname:x\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ssrc-group:FID 1 x\r\n",
        "v=0\r\na=fingerprint:sha-256 XY:ZZ\r\n",
        "v=0\r\na=fingerprint:sha-256\r\n",
        "v=0\r\na=setup:maybe\r\n",
        "v=0\r\na=ice-ufrag:two words\r\n",
        "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:99999\r\n",
        "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=max-message-size:-1\r\n",
        "v=0\r\ns=a\rb\r\n",
        "v=0\r\ns=a\tb\x7f\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        WEBRTC_STATUS st = parse_status(bad[i], strlen(bad[i]), sdp);
        if (st != WEBRTC_STATUS_MALFORMED) {
            fail_msg("\"%s\": status %u, expected MALFORMED", bad[i], (unsigned)st);
        }
    }
    static const char with_nul[] = "v=0\r\ns=a\0b\r\n";
    assert_int_equal(parse_status(with_nul, sizeof(with_nul) - 1, sdp), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_sdp_parse(NULL, 4, sdp), WEBRTC_STATUS_NULL_ARG);
    assert_int_equal(ertc_sdp_parse("v=0", 3, NULL), WEBRTC_STATUS_NULL_ARG);

    /* Tolerated: no final line end, blank lines, unknown lines and attributes. */
    static const char odd[] =
        "v=0\n\no=- 1 1 IN IP4 0.0.0.0\nx=unknown\na=unknown-attribute:1 2 3\na=recvonly\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 0 96 96\r\na=rtcp-fb:* nack\na=rtpmap:97 VP8/90000\n"
        "a=fmtp:97 x=1\na=rtcp-fb:97 nack\na=candidate:broken\na=msid:s\na=mid:v";
    assert_int_equal(parse_status(odd, sizeof(odd) - 1, sdp), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(sdp->media_count, 1);
    const ertc_sdp_media_t *m = &sdp->media[0];
    assert_string_equal(m->mid, "v");
    assert_int_equal(m->direction, ERTC_SDP_DIRECTION_RECVONLY); /* from session level */
    assert_int_equal(m->codec_count, 2);                         /* duplicate 96 once */
    assert_string_equal(m->codecs[0].name, "PCMU");              /* static type */
    assert_string_equal(m->codecs[1].name, "");                  /* no rtpmap */
    assert_int_equal(m->codecs[1].rtcp_fb, ERTC_SDP_FB_NACK);    /* wildcard */
    assert_int_equal(m->dropped, 1);                             /* the broken candidate */
    assert_string_equal(m->msid_stream, "s");
    assert_string_equal(m->msid_track, "");

    /* Pseudo-random mutations of a real offer never crash and never half-succeed. */
    size_t len = 0;
    char *base = load("chromium_offer_sendrecv.sdp", &len);
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, base, len);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            copy[at] = (char)(seed >> 16);
        }
        seed = seed * 1103515245u + 12345u;
        size_t cut = (seed >> 8) % (len + 1);
        WEBRTC_STATUS st = parse_status(copy, cut, sdp);
        assert_true(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_MALFORMED ||
                    st == WEBRTC_STATUS_LIMIT_EXCEEDED);
        if (st == WEBRTC_STATUS_SUCCESS) {
            assert_true(sdp->media_count <= ERTC_SDP_MAX_MEDIA);
            assert_string_equal(sdp->error, "");
        }
        free(copy);
    }
    free(base);
    free(sdp);
}

static void test_fmtp_get(void **state)
{
    (void)state;
    char v[16];
    const char *fmtp = "minptime=10; useinbandfec=1;Stereo=1;flag";
    assert_int_equal(ertc_sdp_fmtp_get(fmtp, "useinbandfec", v, sizeof(v)), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(v, "1");
    assert_int_equal(ertc_sdp_fmtp_get(fmtp, "stereo", v, sizeof(v)), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_sdp_fmtp_get(fmtp, "flag", v, sizeof(v)), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(v, "");
    assert_int_equal(ertc_sdp_fmtp_get(fmtp, "maxptime", v, sizeof(v)), WEBRTC_STATUS_NOT_FOUND);
    assert_int_equal(ertc_sdp_fmtp_get(fmtp, "minptime", v, 2), WEBRTC_STATUS_BUFFER_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chromium_offer_recvonly),
        cmocka_unit_test(test_chromium_offer_sendrecv),
        cmocka_unit_test(test_chromium_answer),
        cmocka_unit_test(test_aiortc_offer),
        cmocka_unit_test(test_gstreamer_offer),
        cmocka_unit_test(test_firefox_offers),
        cmocka_unit_test(test_every_file_parses_with_lf_only),
        cmocka_unit_test(test_negotiate_chromium_viewer),
        cmocka_unit_test(test_negotiate_chromium_directions),
        cmocka_unit_test(test_negotiate_aiortc),
        cmocka_unit_test(test_negotiate_gstreamer),
        cmocka_unit_test(test_negotiate_firefox),
        cmocka_unit_test(test_negotiate_unused_kind_inactive),
        cmocka_unit_test(test_negotiate_no_common_codec),
        cmocka_unit_test(test_negotiate_h264_profiles),
        cmocka_unit_test(test_negotiate_transport_rules),
        cmocka_unit_test(test_answer_direction_table),
        cmocka_unit_test(test_offer_round_trip),
        cmocka_unit_test(test_build_refuses_bad_values),
        cmocka_unit_test(test_candidate_round_trip),
        cmocka_unit_test(test_candidate_rejects),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_fmtp_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
