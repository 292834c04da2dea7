/*
 * libFuzzer target for peer/sdp, peer/sdp_candidate, peer/sdp_negotiate and peer/sdp_build.
 * Every input is parsed as an SDP; a description that parses must respect every limit and
 * keep every string terminated inside its field. It is then negotiated against a fixed
 * camera (H.264 + Opus/PCMU sendonly, data channel); a plan that succeeds must be coherent,
 * must build into an answer, and that answer must parse again with the same m-lines, mids and
 * payload types. Each parsed candidate goes through format and parse again unchanged. The
 * input's first line is also tried as a trickled candidate and its text as an fmtp list.
 * Seeds: tests/fuzz/corpus/sdp: the real SDPs of tests/data/sdp (copied there by
 * tests/data/sdp/capture/capture.sh) and cand_*.txt, single candidate lines in the trickled,
 * attribute and bare forms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/sdp.h"
#include "peer/sdp_build.h"
#include "peer/sdp_negotiate.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

static void require_terminated(const char *s, size_t field_size)
{
    require(memchr(s, '\0', field_size) != NULL);
}

static void check_candidate(const ertc_sdp_candidate_t *c)
{
    require_terminated(c->foundation, sizeof(c->foundation));
    require_terminated(c->address, sizeof(c->address));
    require_terminated(c->related_address, sizeof(c->related_address));
    char text[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    size_t len = 0;
    require(ertc_sdp_format_candidate(c, text, sizeof(text), &len) == WEBRTC_STATUS_SUCCESS);
    require(strlen(text) == len);
    ertc_sdp_candidate_t again;
    require(ertc_sdp_parse_candidate(text, &again) == WEBRTC_STATUS_SUCCESS);
    require(memcmp(c, &again, sizeof(again)) == 0);
}

static void check_description(const ertc_sdp_t *sdp)
{
    require(sdp->error[0] == '\0');
    require(sdp->media_count <= ERTC_SDP_MAX_MEDIA);
    require(sdp->bundle_count <= ERTC_SDP_MAX_MEDIA);
    require_terminated(sdp->session_id, sizeof(sdp->session_id));
    for (size_t i = 0; i < sdp->bundle_count; i++) {
        require_terminated(sdp->bundle_mids[i], sizeof(sdp->bundle_mids[i]));
    }
    for (size_t i = 0; i < sdp->media_count; i++) {
        const ertc_sdp_media_t *m = &sdp->media[i];
        require(m->codec_count <= ERTC_SDP_MAX_FORMATS);
        require(m->candidate_count <= ERTC_SDP_MAX_CANDIDATES);
        require(m->extmap_count <= ERTC_SDP_MAX_EXTMAPS);
        require(m->ssrc_count <= ERTC_SDP_MAX_SSRCS);
        require(m->ssrc_group_count <= ERTC_SDP_MAX_SSRC_GROUPS);
        require((unsigned)m->direction <= ERTC_SDP_DIRECTION_SENDRECV);
        require_terminated(m->mid, sizeof(m->mid));
        require_terminated(m->proto, sizeof(m->proto));
        require_terminated(m->transport.ice_ufrag, sizeof(m->transport.ice_ufrag));
        require_terminated(m->transport.ice_pwd, sizeof(m->transport.ice_pwd));
        require_terminated(m->transport.fingerprint, sizeof(m->transport.fingerprint));
        require(!m->rtp || m->codec_count > 0 || m->dropped > 0);
        for (size_t k = 0; k < m->codec_count; k++) {
            const ertc_sdp_codec_t *c = &m->codecs[k];
            require(c->pt <= 127);
            require(ertc_sdp_find_codec(m, c->pt) == c); /* no duplicates */
            require_terminated(c->name, sizeof(c->name));
            require_terminated(c->fmtp, sizeof(c->fmtp));
            require(c->profile_level_id <= 0xFFFFFF);
        }
        for (size_t k = 0; k < m->extmap_count; k++) {
            require(m->extmaps[k].id >= 1 && m->extmaps[k].id <= 255);
            require_terminated(m->extmaps[k].uri, sizeof(m->extmaps[k].uri));
        }
        for (size_t k = 0; k < m->ssrc_count; k++) {
            require_terminated(m->ssrcs[k].cname, sizeof(m->ssrcs[k].cname));
            require_terminated(m->ssrcs[k].msid_track, sizeof(m->ssrcs[k].msid_track));
        }
        for (size_t k = 0; k < m->ssrc_group_count; k++) {
            require(m->ssrc_groups[k].count <= ERTC_SDP_MAX_GROUP_SSRCS);
        }
        for (size_t k = 0; k < m->candidate_count; k++) {
            check_candidate(&m->candidates[k]);
        }
        require(!m->datachannel || m->kind == ERTC_SDP_KIND_APPLICATION);
    }
}

static void describe_camera(ertc_sdp_local_t *local, ertc_sdp_local_caps_t *caps)
{
    memset(local, 0, sizeof(*local));
    local->session_id = 42;
    local->session_version = 1;
    memcpy(local->ice_ufrag, "fuzz", 5);
    memcpy(local->ice_pwd, "fuzzfuzzfuzzfuzzfuzzfu", 23);
    memcpy(local->fingerprint, "AB:CD:EF", 9);
    memcpy(local->cname, "fuzz", 5);
    ertc_sdp_local_media_t *v = &local->media[local->media_count++];
    v->kind = ERTC_SDP_KIND_VIDEO;
    v->direction = ERTC_SDP_DIRECTION_SENDONLY;
    v->codecs[v->codec_count++] = APP_WEBRTC_CODEC_H264;
    v->ssrc = 1;
    memcpy(v->msid_stream, "s", 2);
    memcpy(v->msid_track, "v", 2);
    ertc_sdp_local_media_t *a = &local->media[local->media_count++];
    a->kind = ERTC_SDP_KIND_AUDIO;
    a->direction = ERTC_SDP_DIRECTION_SENDONLY;
    a->codecs[a->codec_count++] = APP_WEBRTC_CODEC_OPUS;
    a->codecs[a->codec_count++] = APP_WEBRTC_CODEC_MULAW;
    a->ssrc = 2;
    local->media[local->media_count++].kind = ERTC_SDP_KIND_APPLICATION;
    ertc_sdp_local_caps(local, caps);
}

static void check_answer(const ertc_sdp_t *offer)
{
    ertc_sdp_local_t local;
    ertc_sdp_local_caps_t caps;
    describe_camera(&local, &caps);
    ertc_sdp_answer_plan_t plan;
    char err[ERTC_SDP_NEGOTIATE_ERROR_SIZE];
    WEBRTC_STATUS st = ertc_sdp_negotiate(offer, &caps, &plan, err, sizeof(err));
    require(strlen(err) < sizeof(err));
    if (st != WEBRTC_STATUS_SUCCESS) {
        require(st == WEBRTC_STATUS_NOT_FOUND || st == WEBRTC_STATUS_MALFORMED);
        require(err[0] != '\0');
        return;
    }
    require(plan.media_count == offer->media_count);
    require(plan.transport_index < plan.media_count);
    require(plan.media[plan.transport_index].accepted);
    require(plan.setup == ERTC_SDP_SETUP_ACTIVE || plan.setup == ERTC_SDP_SETUP_PASSIVE);
    for (size_t i = 0; i < plan.media_count; i++) {
        const ertc_sdp_plan_media_t *pm = &plan.media[i];
        require(pm->accepted || pm->note[0] != '\0');
        if (pm->accepted && pm->kind != ERTC_SDP_KIND_APPLICATION) {
            require(ertc_sdp_find_codec(&offer->media[i], pm->payload_type) != NULL);
        }
    }
    char *text = ertc_malloc(ERTC_SDP_BUILD_BUFFER_SIZE);
    require(text != NULL);
    size_t len = 0;
    st = ertc_sdp_build_answer(&local, &plan, text, ERTC_SDP_BUILD_BUFFER_SIZE, &len);
    /* INVALID_ARG: the offer's names are not plain ASCII tokens, which we never echo. */
    require(st == WEBRTC_STATUS_SUCCESS || st == WEBRTC_STATUS_INVALID_ARG);
    if (st == WEBRTC_STATUS_SUCCESS) {
        ertc_sdp_t *answer = ertc_calloc(1, sizeof(*answer));
        require(answer != NULL);
        require(ertc_sdp_parse(text, len, answer) == WEBRTC_STATUS_SUCCESS);
        require(answer->media_count == offer->media_count);
        for (size_t i = 0; i < answer->media_count; i++) {
            const ertc_sdp_media_t *m = &answer->media[i];
            require(strcmp(m->mid, offer->media[i].mid) == 0);
            require((m->port != 0) == plan.media[i].accepted);
            if (plan.media[i].accepted && m->rtp) {
                require(m->codec_count == 1 && m->codecs[0].pt == plan.media[i].payload_type);
                require(m->direction == plan.media[i].direction);
            }
        }
        ertc_free(answer);
    }
    ertc_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    ertc_sdp_t *sdp = ertc_calloc(1, sizeof(*sdp));
    require(sdp != NULL);
    WEBRTC_STATUS st = ertc_sdp_parse(s, size, sdp);
    if (st == WEBRTC_STATUS_SUCCESS) {
        check_description(sdp);
        check_answer(sdp);
    } else {
        require(st == WEBRTC_STATUS_MALFORMED || st == WEBRTC_STATUS_LIMIT_EXCEEDED);
        require(sdp->error[0] != '\0' && strlen(sdp->error) < sizeof(sdp->error));
    }
    ertc_free(sdp);

    const char *nl = memchr(s, '\n', size);
    size_t line_len = nl ? (size_t)(nl - s) : size;
    ertc_sdp_candidate_t c;
    if (ertc_sdp_parse_candidate_buf(s, line_len, &c) == WEBRTC_STATUS_SUCCESS) {
        check_candidate(&c);
    }
    if (line_len < 1024) {
        char fmtp[1024];
        char value[64];
        memcpy(fmtp, s, line_len);
        fmtp[line_len] = '\0';
        if (ertc_sdp_fmtp_get(fmtp, "profile-level-id", value, sizeof(value)) ==
            WEBRTC_STATUS_SUCCESS) {
            require(strlen(value) < sizeof(value));
        }
    }
    return 0;
}
