/*
 * sdptool — edgertc's SDP offer and answer on the command line, for the capture scripts in
 * this folder (they show real peers our SDP and record what those peers say back).
 *
 *   sdptool offer [options]           prints our offer
 *   sdptool answer [options] < offer  negotiates against the offer on stdin and prints our
 *                                     answer; exit 1 with the reason on stderr if it fails
 * Options: --sendrecv / --recvonly (default: sendonly, a camera), --no-data (no data
 * channel), --no-audio.
 *
 * The device it describes: H.264 video and Opus audio, SSRCs 0x11111111 and 0x22222222,
 * one host candidate 10.77.0.1:50000 (the capture namespace's address), a fixed ICE ufrag
 * and password and a made-up certificate fingerprint (nothing here does DTLS).
 * capture.sh builds it against the edgertc library.
 */
#include <stdio.h>
#include <string.h>

#include "peer/sdp.h"
#include "peer/sdp_build.h"
#include "peer/sdp_negotiate.h"
#include "util/alloc.h"

static void describe_device(ertc_sdp_local_t *local, ertc_sdp_direction_t dir, bool audio,
                            bool data, ertc_sdp_candidate_t *cand)
{
    memset(local, 0, sizeof(*local));
    local->session_id = 4611686018427387904ull;
    local->session_version = 2;
    snprintf(local->ice_ufrag, sizeof(local->ice_ufrag), "EdgeRtcUfrag");
    snprintf(local->ice_pwd, sizeof(local->ice_pwd), "EdgeRtcPassword0123456789");
    snprintf(local->fingerprint, sizeof(local->fingerprint),
             "3A:96:6B:0A:1C:2D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:"
             "82:93:A4:B5:C6:D7");
    snprintf(local->cname, sizeof(local->cname), "edgertc-camera");
    ertc_sdp_local_media_t *v = &local->media[local->media_count++];
    v->kind = ERTC_SDP_KIND_VIDEO;
    v->direction = dir;
    v->codecs[v->codec_count++] = APP_WEBRTC_CODEC_H264;
    v->ssrc = 0x11111111;
    snprintf(v->msid_stream, sizeof(v->msid_stream), "edgertc");
    snprintf(v->msid_track, sizeof(v->msid_track), "camera-video");
    if (audio) {
        ertc_sdp_local_media_t *a = &local->media[local->media_count++];
        a->kind = ERTC_SDP_KIND_AUDIO;
        a->direction = dir;
        a->codecs[a->codec_count++] = APP_WEBRTC_CODEC_OPUS;
        a->ssrc = 0x22222222;
        snprintf(a->msid_stream, sizeof(a->msid_stream), "edgertc");
        snprintf(a->msid_track, sizeof(a->msid_track), "camera-audio");
    }
    if (data) {
        local->media[local->media_count++].kind = ERTC_SDP_KIND_APPLICATION;
    }
    ertc_sdp_parse_candidate("candidate:1 1 udp 2130706431 10.77.0.1 50000 typ host", cand);
    local->candidates = cand;
    local->candidate_count = 1;
    local->end_of_candidates = true;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "offer") != 0 && strcmp(argv[1], "answer") != 0)) {
        fprintf(stderr, "usage: sdptool offer|answer [--sendrecv|--recvonly] [--no-data] "
                        "[--no-audio]\n");
        return 2;
    }
    ertc_sdp_direction_t dir = ERTC_SDP_DIRECTION_SENDONLY;
    bool data = true;
    bool audio = true;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--sendrecv") == 0) {
            dir = ERTC_SDP_DIRECTION_SENDRECV;
        } else if (strcmp(argv[i], "--recvonly") == 0) {
            dir = ERTC_SDP_DIRECTION_RECVONLY;
        } else if (strcmp(argv[i], "--no-data") == 0) {
            data = false;
        } else if (strcmp(argv[i], "--no-audio") == 0) {
            audio = false;
        } else {
            fprintf(stderr, "sdptool: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    ertc_sdp_local_t local;
    ertc_sdp_candidate_t cand;
    describe_device(&local, dir, audio, data, &cand);
    static char out[ERTC_SDP_BUILD_BUFFER_SIZE];
    size_t out_len = 0;
    WEBRTC_STATUS st;
    if (strcmp(argv[1], "offer") == 0) {
        st = ertc_sdp_build_offer(&local, out, sizeof(out), &out_len);
    } else {
        static char in[ERTC_SDP_MAX_SIZE + 1];
        size_t in_len = fread(in, 1, sizeof(in), stdin);
        ertc_sdp_t *offer = ertc_calloc(1, sizeof(*offer));
        ertc_sdp_answer_plan_t plan;
        ertc_sdp_local_caps_t caps;
        char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
        if (offer == NULL) {
            return 1;
        }
        st = ertc_sdp_parse(in, in_len, offer);
        if (st != WEBRTC_STATUS_SUCCESS) {
            fprintf(stderr, "sdptool: offer does not parse: %s\n", offer->error);
            return 1;
        }
        ertc_sdp_local_caps(&local, &caps);
        st = ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err));
        ertc_free(offer);
        if (st != WEBRTC_STATUS_SUCCESS) {
            fprintf(stderr, "sdptool: %s\n", err);
            return 1;
        }
        st = ertc_sdp_build_answer(&local, &plan, out, sizeof(out), &out_len);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "sdptool: building failed: %s\n", webrtc_status_name(st));
        return 1;
    }
    fwrite(out, 1, out_len, stdout);
    return 0;
}
