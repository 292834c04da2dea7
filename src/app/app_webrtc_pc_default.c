/*
 * app/app_webrtc_pc_default — edgertc's own peer connection as the default
 * (peer_connection_if NULL), and its metrics as app_webrtc's metrics provider.
 *
 * The peer connection lives in src/peer (edgertc_peer_connection.h). When that header is in
 * the tree this file refers to it directly, so a program that leaves peer_connection_if NULL
 * links it; without it (a build of the application layer alone) the default is absent and
 * app_webrtc_init asks for an interface.
 *
 * Its metrics use monotonic microseconds; app_webrtc's are wall-clock, so each time is moved
 * by the current difference between the two clocks.
 */
#include "app/app_webrtc_internal.h"

#if defined(__has_include)
#if __has_include("edgertc_peer_connection.h")
#include "edgertc_peer_connection.h"
#define APP_HAVE_EDGERTC_PC 1
#endif
#endif

static atomic_bool g_forbid_default_stun;

void app_webrtc_test_forbid_default_stun(bool forbid)
{
    atomic_store(&g_forbid_default_stun, forbid);
}

bool app_default_stun_forbidden(void)
{
    return atomic_load(&g_forbid_default_stun);
}

#ifdef APP_HAVE_EDGERTC_PC

webrtc_peer_connection_if_t *app_default_peer_connection(void)
{
    return edgertc_peer_connection_if_get();
}

static uint64_t to_wall(uint64_t mono_us, uint64_t wall_now, uint64_t mono_now)
{
    if (mono_us == 0 || mono_us > mono_now) {
        return mono_us == 0 ? 0 : wall_now;
    }
    return wall_now - (mono_now - mono_us);
}

static WEBRTC_STATUS edgertc_metrics(void *pSession, app_webrtc_session_metrics_t *m)
{
    edgertc_pc_session_metrics_t e;
    WEBRTC_STATUS st = edgertc_peer_connection_get_metrics(pSession, &e);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    uint64_t wall = ertc_time_wall_us(), mono = ertc_time_mono_us();
    m->ice_connected_us = to_wall(e.ice_connected_us, wall, mono);
    m->dtls_connected_us = to_wall(e.dtls_connected_us, wall, mono);
    m->streaming_started_us = to_wall(e.streaming_started_us, wall, mono);
    m->first_video_frame_sent_us = to_wall(e.first_video_frame_sent_us, wall, mono);
    m->first_key_frame_sent_us = to_wall(e.first_key_frame_sent_us, wall, mono);
    m->bytes_sent = e.bytes_sent;
    m->bytes_received = e.bytes_received;
    m->packets_sent = e.rtp_packets_sent + e.rtcp_packets_sent;
    m->packets_received = e.rtp_packets_received + e.rtcp_packets_received;
    m->rtt_ms = e.rtt_ms > 0 ? (uint32_t)e.rtt_ms : 0;
    return WEBRTC_STATUS_SUCCESS;
}

app_webrtc_metrics_provider_t app_default_metrics_provider(const webrtc_peer_connection_if_t *pc)
{
    return pc != NULL && pc == edgertc_peer_connection_if_get() ? edgertc_metrics : NULL;
}

#else

webrtc_peer_connection_if_t *app_default_peer_connection(void)
{
    return NULL;
}

app_webrtc_metrics_provider_t app_default_metrics_provider(const webrtc_peer_connection_if_t *pc)
{
    (void)pc;
    return NULL;
}

#endif
