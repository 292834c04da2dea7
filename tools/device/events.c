/*
 * device/events — status lines and the JSON event log (see events.h).
 */
#include "events.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "util/strbuf.h"

#define JSON_LINE_MAX 2048

bool dev_events_open(dev_events_t *ev, const char *path, const char *what)
{
    memset(ev, 0, sizeof(*ev));
    ev->what = what;
    if (path == NULL) {
        return true;
    }
    if (strcmp(path, "-") == 0) {
        ev->json = stdout;
        return true;
    }
    ev->json = fopen(path, "a");
    if (ev->json == NULL) {
        return false;
    }
    ev->json_owned = true;
    return true;
}

void dev_events_close(dev_events_t *ev)
{
    if (ev->json != NULL && ev->json_owned) {
        fclose(ev->json);
    }
    ev->json = NULL;
}

void dev_events_status(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    printf("edgertc-device: %s\n", line);
    fflush(stdout);
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One status line for the events a person wants to see; candidates only reach the JSON log. */
static void status_line(dev_events_t *ev, const app_webrtc_event_data_t *e)
{
    const char *peer = e->peer_id;
    const char *msg = e->message;
    switch (e->event_id) {
    case APP_WEBRTC_EVENT_SIGNALING_CONNECTING:
        dev_events_status("signaling: connecting (%s)", ev->what != NULL ? ev->what : "");
        break;
    case APP_WEBRTC_EVENT_SIGNALING_CONNECTED:
        dev_events_status("signaling: connected; waiting for peers");
        break;
    case APP_WEBRTC_EVENT_SIGNALING_DISCONNECTED:
        dev_events_status("signaling: disconnected%s%s", msg[0] ? ": " : "", msg);
        break;
    case APP_WEBRTC_EVENT_SIGNALING_ERROR:
        dev_events_status("signaling: error %u%s%s", (unsigned)e->status_code, msg[0] ? ": " : "",
                          msg);
        break;
    case APP_WEBRTC_EVENT_PEER_CONNECTION_REQUESTED:
        dev_events_status("peer %s: connection requested", peer);
        break;
    case APP_WEBRTC_EVENT_RECEIVED_OFFER: dev_events_status("peer %s: offer received", peer); break;
    case APP_WEBRTC_EVENT_SENT_ANSWER: dev_events_status("peer %s: answer sent", peer); break;
    case APP_WEBRTC_EVENT_SENT_OFFER: dev_events_status("peer %s: offer sent", peer); break;
    case APP_WEBRTC_EVENT_PEER_CONNECTING:
        dev_events_status("peer %s: connecting (ICE, DTLS)", peer);
        break;
    case APP_WEBRTC_EVENT_PEER_CONNECTED: dev_events_status("peer %s: connected", peer); break;
    case APP_WEBRTC_EVENT_STREAMING_STARTED: dev_events_status("peer %s: streaming", peer); break;
    case APP_WEBRTC_EVENT_STREAMING_STOPPED:
        dev_events_status("peer %s: streaming stopped", peer);
        break;
    case APP_WEBRTC_EVENT_PEER_DISCONNECTED:
        dev_events_status("peer %s: disconnected%s%s", peer, msg[0] ? ": " : "", msg);
        break;
    case APP_WEBRTC_EVENT_PEER_CONNECTION_FAILED:
        dev_events_status("peer %s: connection failed%s%s", peer, msg[0] ? ": " : "", msg);
        break;
    case APP_WEBRTC_EVENT_ERROR:
        if (peer[0] != '\0') {
            dev_events_status("peer %s: error %u%s%s", peer, (unsigned)e->status_code,
                              msg[0] ? ": " : "", msg);
        } else {
            dev_events_status("error %u%s%s", (unsigned)e->status_code, msg[0] ? ": " : "", msg);
        }
        break;
    default: break;
    }
}

static void count(dev_events_t *ev, const app_webrtc_event_data_t *e)
{
    switch (e->event_id) {
    case APP_WEBRTC_EVENT_SIGNALING_CONNECTED: ev->signaling_ever_connected = true; break;
    case APP_WEBRTC_EVENT_SIGNALING_ERROR: ev->signaling_failures++; break;
    case APP_WEBRTC_EVENT_PEER_CONNECTED: ev->peers_connected++; break;
    default: break;
    }
}

/* Times are wall-clock microseconds since 1970 (0 = not yet), written as milliseconds. */
static void json_metrics(ertc_strbuf_t *sb, const app_webrtc_session_metrics_t *m)
{
    const struct {
        const char *name;
        uint64_t us;
    } times[] = {
        {"created", m->created_us},
        {"offer_received", m->offer_received_us},
        {"offer_sent", m->offer_sent_us},
        {"answer_received", m->answer_received_us},
        {"answer_sent", m->answer_sent_us},
        {"first_local_candidate", m->first_local_candidate_us},
        {"first_remote_candidate", m->first_remote_candidate_us},
        {"ice_connected", m->ice_connected_us},
        {"dtls_connected", m->dtls_connected_us},
        {"streaming_started", m->streaming_started_us},
        {"first_video_frame_sent", m->first_video_frame_sent_us},
        {"first_key_frame_sent", m->first_key_frame_sent_us},
        {"closed", m->closed_us},
    };
    ertc_strbuf_append_str(sb, ",\"metrics\":{");
    const char *sep = "";
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        if (times[i].us != 0) {
            ertc_strbuf_appendf(sb, "%s\"%s_ms\":%.3f", sep, times[i].name,
                                (double)times[i].us / 1000.0);
            sep = ",";
        }
    }
    ertc_strbuf_appendf(sb,
                        "%s\"initiator\":%s,\"local_candidates\":%u,\"remote_candidates\":%u,"
                        "\"bytes_sent\":%llu,\"bytes_received\":%llu,\"packets_sent\":%llu,"
                        "\"packets_received\":%llu,\"rtt_ms\":%u}",
                        sep, m->initiator ? "true" : "false", (unsigned)m->local_candidates,
                        (unsigned)m->remote_candidates, (unsigned long long)m->bytes_sent,
                        (unsigned long long)m->bytes_received, (unsigned long long)m->packets_sent,
                        (unsigned long long)m->packets_received, (unsigned)m->rtt_ms);
}

static void json_line(dev_events_t *ev, const app_webrtc_event_data_t *e)
{
    char buf[JSON_LINE_MAX];
    ertc_strbuf_t sb;
    ertc_strbuf_init_fixed(&sb, buf, sizeof(buf));
    uint64_t ms = e->timestamp_us != 0 ? e->timestamp_us / 1000u : wall_ms();
    ertc_strbuf_appendf(&sb, "{\"time_ms\":%llu,\"event\":", (unsigned long long)ms);
    const char *name = app_webrtc_event_name(e->event_id);
    ertc_strbuf_append_json_string(&sb, name, strlen(name));
    ertc_strbuf_appendf(&sb, ",\"event_id\":%d,\"status\":%u,\"peer_id\":", (int)e->event_id,
                        (unsigned)e->status_code);
    ertc_strbuf_append_json_string(&sb, e->peer_id, strnlen(e->peer_id, sizeof(e->peer_id)));
    ertc_strbuf_append_str(&sb, ",\"message\":");
    ertc_strbuf_append_json_string(&sb, e->message, strnlen(e->message, sizeof(e->message)));
    if (e->metrics != NULL) {
        json_metrics(&sb, e->metrics);
    }
    ertc_strbuf_append_char(&sb, '}');
    if (ertc_strbuf_status(&sb) != WEBRTC_STATUS_SUCCESS) {
        return; /* cannot happen with the bounded fields above; never write half a line */
    }
    fprintf(ev->json, "%s\n", ertc_strbuf_cstr(&sb));
    fflush(ev->json);
}

void dev_events_handle(app_webrtc_event_data_t *event, void *user_ctx)
{
    dev_events_t *ev = user_ctx;
    if (event == NULL || ev == NULL) {
        return;
    }
    count(ev, event);
    status_line(ev, event);
    if (ev->json != NULL) {
        json_line(ev, event);
    }
}
