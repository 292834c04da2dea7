/*
 * peer/pc_if — the client of edgertc's webrtc_peer_connection_if_t: the interface table,
 * the event loop (the app's, or one of our own on a thread), the DTLS certificate, the ICE
 * server table, app_webrtc events, and the media pump and players shared by the sessions
 * (pc_if_session.c). docs/peer-interface.md tells the whole story.
 *
 * Every member runs its work on the loop thread through pc_if_run: directly when called
 * there (app_webrtc's case), else posted and waited for (ertc_loop_call_sync).
 */
#include "peer/pc_if.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"

#define TAG "pc_if"

/* ---- running on the loop ----------------------------------------------------------------- */

typedef struct {
    ertc_pc_if_client_t *client;
    ertc_pc_if_session_t *session;
    const void *in;
    const void *in2;
    uint32_t n;
    bool flag;
    uint64_t custom_data;
    WEBRTC_STATUS (*on_message)(uint64_t, esp_webrtc_signaling_message_t *);
    WEBRTC_STATUS (*on_state)(uint64_t, webrtc_peer_state_t);
    void *out;
    WEBRTC_STATUS result;
} pc_if_call_t;

static WEBRTC_STATUS pc_if_run(ertc_loop_t *loop, ertc_post_fn fn, pc_if_call_t *call)
{
    if (ertc_loop_in_loop_thread(loop)) {
        fn(call);
        return call->result;
    }
    WEBRTC_STATUS st = ertc_loop_call_sync(loop, fn, call);
    if (st == WEBRTC_STATUS_CLOSED) {
        fn(call); /* the loop is stopped: nothing else runs on it now */
        return call->result;
    }
    return st == WEBRTC_STATUS_SUCCESS ? call->result : st;
}

static ertc_pc_if_client_t *as_client(void *p)
{
    ertc_pc_if_client_t *c = p;
    return c != NULL && c->magic == ERTC_PC_IF_CLIENT_MAGIC ? c : NULL;
}

static ertc_pc_if_session_t *as_session(void *p)
{
    ertc_pc_if_session_t *s = p;
    return s != NULL && s->magic == ERTC_PC_IF_SESSION_MAGIC && !s->destroyed ? s : NULL;
}

/* ---- events and media -------------------------------------------------------------------- */

void ertc_pc_if_raise(ertc_pc_if_client_t *c, app_webrtc_event_t event, uint32_t status,
                      const char *peer_id, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ERTC_LOGD(TAG, "%s: event %s: %s", peer_id != NULL ? peer_id : "-",
              app_webrtc_event_name(event), msg);
    if (c->event_handler != NULL) {
        char peer[APP_WEBRTC_MAX_SIGNALING_CLIENT_ID_LEN + 1];
        snprintf(peer, sizeof(peer), "%s", peer_id != NULL ? peer_id : "");
        c->event_handler(event, status, peer, msg);
    }
}

static void pc_if_players_start(ertc_pc_if_client_t *c)
{
    if (!c->receive_media) {
        return;
    }
    if (c->video_player != NULL && c->video_player->init != NULL &&
        c->media_type != APP_WEBRTC_MEDIA_AUDIO) {
        esp_err_t e = c->video_player->init(&c->video_player_config, &c->video_player_handle);
        if (e == ESP_OK && c->video_player->start != NULL) {
            e = c->video_player->start(c->video_player_handle);
        }
        c->video_player_on = e == ESP_OK;
        if (e != ESP_OK) {
            ertc_pc_if_raise(c, APP_WEBRTC_EVENT_ERROR, WEBRTC_STATUS_IO_ERROR, NULL,
                             "video player did not start (esp_err 0x%x)", (unsigned)e);
        }
    }
    if (c->audio_player != NULL && c->audio_player->init != NULL &&
        c->media_type != APP_WEBRTC_MEDIA_VIDEO) {
        esp_err_t e = c->audio_player->init(&c->audio_player_config, &c->audio_player_handle);
        if (e == ESP_OK && c->audio_player->start != NULL) {
            e = c->audio_player->start(c->audio_player_handle);
        }
        c->audio_player_on = e == ESP_OK;
        if (e != ESP_OK) {
            ertc_pc_if_raise(c, APP_WEBRTC_EVENT_ERROR, WEBRTC_STATUS_IO_ERROR, NULL,
                             "audio player did not start (esp_err 0x%x)", (unsigned)e);
        }
    }
}

static void pc_if_players_stop(ertc_pc_if_client_t *c)
{
    if (c->video_player_on) {
        if (c->video_player->stop != NULL) {
            (void)c->video_player->stop(c->video_player_handle);
        }
        if (c->video_player->deinit != NULL) {
            (void)c->video_player->deinit(c->video_player_handle);
        }
        c->video_player_on = false;
    }
    if (c->audio_player_on) {
        if (c->audio_player->stop != NULL) {
            (void)c->audio_player->stop(c->audio_player_handle);
        }
        if (c->audio_player->deinit != NULL) {
            (void)c->audio_player->deinit(c->audio_player_handle);
        }
        c->audio_player_on = false;
    }
}

void ertc_pc_if_media_update(ertc_pc_if_client_t *c)
{
    bool want = c->session_count > 0;
    if (want == c->media_running) {
        return;
    }
    c->media_running = want;
    if (want) {
        if (c->pump != NULL) {
            WEBRTC_STATUS st = ertc_media_pump_start(c->pump);
            if (st != WEBRTC_STATUS_SUCCESS) {
                ertc_pc_if_raise(c, APP_WEBRTC_EVENT_ERROR, st, NULL,
                                 "media capture did not start: %s", webrtc_status_name(st));
            }
        }
        pc_if_players_start(c);
    } else {
        if (c->pump != NULL) {
            ertc_media_pump_stop(c->pump);
        }
        pc_if_players_stop(c);
    }
}

/* ---- certificate and ICE servers --------------------------------------------------------- */

static void pc_if_cert_thread(void *arg)
{
    ertc_pc_if_client_t *c = arg;
    c->cert_status = ertc_cert_generate(&c->cert);
}

WEBRTC_STATUS ertc_pc_if_client_ready(ertc_pc_if_client_t *c)
{
    if (c->cert_thread != NULL) {
        (void)ertc_thread_join(c->cert_thread); /* made at init: normally done long ago */
        c->cert_thread = NULL;
    }
    if (c->cert == NULL) {
        ERTC_LOGE(TAG, "no DTLS certificate: %s", webrtc_status_name(c->cert_status));
        return c->cert_status != WEBRTC_STATUS_SUCCESS ? c->cert_status
                                                       : WEBRTC_STATUS_INTERNAL_ERROR;
    }
    if (c->resolver != NULL && ertc_pc_if_resolver_poll(c->resolver, &c->ice)) {
        ertc_pc_if_resolver_free(c->resolver);
        c->resolver = NULL;
    } else if (c->resolver != NULL) {
        ERTC_LOGI(TAG, "ICE server names still resolving: this session starts without them");
    }
    if (c->relay_only && c->ice.turn_count == 0) {
        ERTC_LOGW(TAG, "relay_only with no TURN server: no candidate will be gathered");
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void do_set_ice_servers(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_client_t *c = call->client;
    /* A lookup still running belongs to the servers being replaced. */
    ertc_pc_if_resolver_free(c->resolver);
    c->resolver = NULL;
    ertc_pc_if_ice_set_clear(&c->ice);
    ertc_pc_if_ice_name_t *names = ertc_calloc(ERTC_PC_IF_ICE_MAX_NAMES, sizeof(*names));
    if (names == NULL) {
        call->result = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        return;
    }
    size_t name_count = 0;
    size_t used =
        ertc_pc_if_ice_prepare(call->in, call->n, c->use_turn, &c->ice, names, &name_count);
    call->result = WEBRTC_STATUS_SUCCESS;
    if (name_count > 0) {
        call->result = ertc_pc_if_resolver_start(names, name_count, &c->resolver);
    }
    memset(names, 0, ERTC_PC_IF_ICE_MAX_NAMES * sizeof(*names));
    ertc_free(names);
    ERTC_LOGI(TAG, "ICE servers: %zu of %u used (%zu STUN, %zu TURN now; %zu name(s) resolving)",
              used, (unsigned)call->n, c->ice.stun_count, c->ice.turn_count, name_count);
    if (c->session_count > 0) {
        ERTC_LOGI(TAG, "ICE servers apply to sessions created from now on");
    }
}

static WEBRTC_STATUS pc_if_set_ice_servers(void *pClient, void *ice_servers, uint32_t count)
{
    ertc_pc_if_client_t *c = as_client(pClient);
    if (c == NULL || (ice_servers == NULL && count > 0)) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (count > APP_WEBRTC_MAX_ICE_SERVERS_COUNT * 4) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    pc_if_call_t call = {.client = c, .in = ice_servers, .n = count};
    return pc_if_run(c->loop, do_set_ice_servers, &call);
}

/* ---- init and free ----------------------------------------------------------------------- */

static void pc_if_reap(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    ertc_pc_if_client_t *c = arg;
    while (c->graveyard != NULL) {
        ertc_pc_if_session_t *s = c->graveyard;
        c->graveyard = s->next;
        ertc_pc_if_session_free(s);
    }
}

static void pc_if_loop_thread(void *arg)
{
    (void)ertc_loop_run(arg);
}

static WEBRTC_STATUS pc_if_apply_impl(ertc_pc_if_client_t *c,
                                      const edgertc_peer_connection_config_t *impl,
                                      ertc_media_pump_config_t *pcfg)
{
    if (impl->interface_count > EDGERTC_PC_MAX_INTERFACES) {
        ERTC_LOGE(TAG, "init: interface_count %zu > %d", impl->interface_count,
                  EDGERTC_PC_MAX_INTERFACES);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    for (size_t i = 0; i < impl->interface_count; i++) {
        if (impl->interfaces[i] == NULL ||
            ertc_addr_parse_ip(impl->interfaces[i], &c->interfaces[i]) != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGE(TAG, "init: interfaces[%zu] (\"%s\") is not an IP address", i,
                      impl->interfaces[i] != NULL ? impl->interfaces[i] : "(null)");
            return WEBRTC_STATUS_INVALID_ARG;
        }
        c->interfaces[i].port = 0;
    }
    c->interface_count = impl->interface_count;
    c->include_loopback = impl->include_loopback;
    if (impl->video_player_config != NULL) {
        c->video_player_config = *impl->video_player_config;
    }
    if (impl->audio_player_config != NULL) {
        c->audio_player_config = *impl->audio_player_config;
    }
    pcfg->video_config = impl->video_capture_config;
    pcfg->audio_config = impl->audio_capture_config;
    pcfg->queue_frames = impl->send_queue_frames;
    pcfg->queue_bytes = impl->send_queue_bytes;
    if (impl->send_queue_frames > ERTC_MEDIA_QUEUE_MAX_FRAMES) {
        ERTC_LOGE(TAG, "init: send_queue_frames %u > %d", (unsigned)impl->send_queue_frames,
                  ERTC_MEDIA_QUEUE_MAX_FRAMES);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static void pc_if_free_client(ertc_pc_if_client_t *c);

static WEBRTC_STATUS pc_if_init(void *pc_cfg, void **ppClient)
{
    if (ppClient == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *ppClient = NULL;
    webrtc_peer_connection_config_t empty;
    memset(&empty, 0, sizeof(empty));
    const webrtc_peer_connection_config_t *cfg = pc_cfg != NULL ? pc_cfg : &empty;
    if (cfg->video_codec != 0 && cfg->video_codec != APP_WEBRTC_CODEC_H264) {
        ERTC_LOGE(TAG, "init: video_codec %d is not supported (H264 only)", (int)cfg->video_codec);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (cfg->audio_codec != 0 && cfg->audio_codec != APP_WEBRTC_CODEC_OPUS) {
        ERTC_LOGE(TAG, "init: audio_codec %d is not supported (OPUS only)", (int)cfg->audio_codec);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    ertc_pc_if_client_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    c->magic = ERTC_PC_IF_CLIENT_MAGIC;
    c->video_capture = cfg->video_capture;
    c->audio_capture = cfg->audio_capture;
    c->video_player = cfg->video_player;
    c->audio_player = cfg->audio_player;
    c->media_type = cfg->media_type;
    c->trickle_ice = cfg->trickle_ice;
    c->use_turn = cfg->use_turn;
    c->relay_only = cfg->relay_only;
    c->receive_media = cfg->receive_media;
    c->video_player_config = (video_player_config_t){
        .codec = VIDEO_PLAYER_CODEC_H264,
        .format = {.width = 640, .height = 480, .framerate = 30},
        .buffer_frames = 4,
    };
    c->audio_player_config = (audio_player_config_t){
        .codec = AUDIO_PLAYER_CODEC_OPUS,
        .format = {.sample_rate = 48000, .channels = 2, .bits_per_sample = 16},
        .buffer_ms = 100,
    };
    ertc_timer_init(&c->reap_timer, pc_if_reap, c);
    ertc_media_pump_config_t pcfg = {
        .video = c->media_type != APP_WEBRTC_MEDIA_AUDIO ? c->video_capture : NULL,
        .audio = c->media_type != APP_WEBRTC_MEDIA_VIDEO ? c->audio_capture : NULL,
        .deliver = ertc_pc_if_session_deliver,
        .arg = c,
    };
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (cfg->peer_connection_cfg != NULL) {
        st = pc_if_apply_impl(c, cfg->peer_connection_cfg, &pcfg);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        if (cfg->event_loop != NULL) {
            c->loop = cfg->event_loop;
        } else {
            c->own_loop = true;
            st = ertc_loop_create(&c->loop, 0);
            if (st == WEBRTC_STATUS_SUCCESS) {
                st = ertc_thread_create(&c->loop_thread, "ertc-pc", 0, pc_if_loop_thread, c->loop);
                if (st != WEBRTC_STATUS_SUCCESS) {
                    c->loop_thread = NULL;
                }
            }
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        pcfg.loop = c->loop;
        if (pcfg.video != NULL || pcfg.audio != NULL) {
            st = ertc_media_pump_create(&pcfg, &c->pump);
        }
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* The certificate is made now, off the session's critical path. */
        st = ertc_thread_create(&c->cert_thread, "ertc-cert", 0, pc_if_cert_thread, c);
        if (st != WEBRTC_STATUS_SUCCESS) {
            c->cert_thread = NULL;
        }
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "init failed: %s", webrtc_status_name(st));
        pc_if_free_client(c);
        return st;
    }
    ERTC_LOGI(TAG, "initialised (video capture %s, audio capture %s, receive %s, %s loop)",
              pcfg.video != NULL ? "yes" : "no", pcfg.audio != NULL ? "yes" : "no",
              c->receive_media ? "yes" : "no", c->own_loop ? "own" : "app's");
    *ppClient = c;
    return WEBRTC_STATUS_SUCCESS;
}

/* Everything on the loop thread: sessions, timers, media. */
static void do_free(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_client_t *c = call->client;
    while (c->sessions != NULL) {
        ertc_pc_if_session_destroy(c->sessions);
    }
    ertc_timer_stop(c->loop, &c->reap_timer);
    pc_if_reap(c->loop, &c->reap_timer, c);
    ertc_media_pump_destroy(c->pump);
    c->pump = NULL;
    pc_if_players_stop(c);
    call->result = WEBRTC_STATUS_SUCCESS;
}

static void pc_if_free_client(ertc_pc_if_client_t *c)
{
    pc_if_call_t call = {.client = c};
    if (c->own_loop && c->loop != NULL && c->loop_thread == NULL) {
        do_free(&call); /* init failed before our loop ran: nobody else is on it */
    } else if (c->loop != NULL) {
        (void)pc_if_run(c->loop, do_free, &call);
    }
    if (c->own_loop && c->loop != NULL) {
        if (c->loop_thread != NULL) {
            ertc_loop_stop(c->loop);
            (void)ertc_thread_join(c->loop_thread);
        }
        /* Posted calls that were waiting (a media drain) run now, on this thread. */
        (void)ertc_loop_run_once(c->loop, 0);
        ertc_loop_destroy(c->loop);
    }
    if (c->cert_thread != NULL) {
        (void)ertc_thread_join(c->cert_thread);
    }
    ertc_cert_unref(c->cert);
    ertc_pc_if_resolver_free(c->resolver);
    ertc_pc_if_ice_set_clear(&c->ice);
    c->magic = 0;
    ertc_free(c);
}

static WEBRTC_STATUS pc_if_free(void *pClient)
{
    ertc_pc_if_client_t *c = as_client(pClient);
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pc_if_free_client(c);
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS pc_if_register_event_handler(void *pClient,
                                                  app_webrtc_pc_event_handler_t handler)
{
    ertc_pc_if_client_t *c = as_client(pClient);
    if (c == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    c->event_handler = handler; /* read on the loop thread only after this returns */
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- sessions ---------------------------------------------------------------------------- */

static void do_create_session(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = NULL;
    call->result = ertc_pc_if_session_create(call->client, call->in, call->flag, &s);
    call->out = s;
}

static WEBRTC_STATUS pc_if_create_session(void *pClient, const char *peer_id, bool is_initiator,
                                          webrtc_data_channel_config_t *session_dc_cfg,
                                          void **ppSession)
{
    (void)session_dc_cfg; /* data channels: not yet */
    ertc_pc_if_client_t *c = as_client(pClient);
    if (c == NULL || peer_id == NULL || ppSession == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    *ppSession = NULL;
    pc_if_call_t call = {.client = c, .in = peer_id, .flag = is_initiator};
    WEBRTC_STATUS st = pc_if_run(c->loop, do_create_session, &call);
    if (st == WEBRTC_STATUS_SUCCESS) {
        *ppSession = call.out;
    }
    return st;
}

static void do_send_message(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = as_session(call->session);
    call->result = s != NULL ? ertc_pc_if_session_message(s, call->in) : WEBRTC_STATUS_INVALID_ARG;
}

static WEBRTC_STATUS pc_if_send_message(void *pSession, esp_webrtc_signaling_message_t *pMessage)
{
    ertc_pc_if_session_t *s = as_session(pSession);
    if (s == NULL || pMessage == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pc_if_call_t call = {.session = s, .in = pMessage};
    return pc_if_run(s->client->loop, do_send_message, &call);
}

static void do_destroy_session(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = as_session(call->session);
    if (s == NULL) {
        call->result = WEBRTC_STATUS_INVALID_ARG;
        return;
    }
    ertc_pc_if_session_destroy(s);
    call->result = WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS pc_if_destroy_session(void *pSession)
{
    ertc_pc_if_session_t *s = as_session(pSession);
    if (s == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pc_if_call_t call = {.session = s};
    return pc_if_run(s->client->loop, do_destroy_session, &call);
}

static void do_set_callbacks(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = as_session(call->session);
    call->result = s != NULL ? ertc_pc_if_session_set_callbacks(s, call->custom_data,
                                                                call->on_message, call->on_state)
                             : WEBRTC_STATUS_INVALID_ARG;
}

static WEBRTC_STATUS pc_if_set_callbacks(
    void *pSession, uint64_t custom_data,
    WEBRTC_STATUS (*on_message_received)(uint64_t, esp_webrtc_signaling_message_t *),
    WEBRTC_STATUS (*on_peer_state_changed)(uint64_t, webrtc_peer_state_t))
{
    ertc_pc_if_session_t *s = as_session(pSession);
    if (s == NULL) {
        return WEBRTC_STATUS_NULL_ARG; /* no bridge mode here: a session is required */
    }
    pc_if_call_t call = {.session = s,
                         .custom_data = custom_data,
                         .on_message = on_message_received,
                         .on_state = on_peer_state_changed};
    return pc_if_run(s->client->loop, do_set_callbacks, &call);
}

static void do_trigger_offer(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = as_session(call->session);
    call->result = s != NULL ? ertc_pc_if_session_offer(s) : WEBRTC_STATUS_INVALID_ARG;
}

static WEBRTC_STATUS pc_if_trigger_offer(void *pSession)
{
    ertc_pc_if_session_t *s = as_session(pSession);
    if (s == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pc_if_call_t call = {.session = s};
    return pc_if_run(s->client->loop, do_trigger_offer, &call);
}

/* ---- data channels: not yet ------------------------------------------------------------- */

static WEBRTC_STATUS pc_if_create_data_channel(void *pSession, const char *name, void *pInit,
                                               void **ppDataChannel)
{
    (void)pSession;
    (void)name;
    (void)pInit;
    if (ppDataChannel != NULL) {
        *ppDataChannel = NULL;
    }
    return WEBRTC_STATUS_NOT_IMPLEMENTED;
}

static WEBRTC_STATUS pc_if_set_data_channel_callbacks(void *pSessionOrClient,
                                                      app_webrtc_rtc_on_open_t onOpen,
                                                      app_webrtc_rtc_on_message_t onMessage,
                                                      uint64_t customData)
{
    (void)pSessionOrClient;
    (void)onOpen;
    (void)onMessage;
    (void)customData;
    return WEBRTC_STATUS_NOT_IMPLEMENTED;
}

static WEBRTC_STATUS pc_if_send_data_channel_message(void *pSession, void *pDataChannel,
                                                     bool isBinary, const uint8_t *pMessage,
                                                     uint32_t len)
{
    (void)pSession;
    (void)pDataChannel;
    (void)isBinary;
    if (pMessage == NULL || len == 0) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    return WEBRTC_STATUS_NOT_IMPLEMENTED;
}

/* ---- public ------------------------------------------------------------------------------ */

static webrtc_peer_connection_if_t pc_if_table = {
    .init = pc_if_init,
    .set_ice_servers = pc_if_set_ice_servers,
    .create_session = pc_if_create_session,
    .send_message = pc_if_send_message,
    .destroy_session = pc_if_destroy_session,
    .free = pc_if_free,
    .set_callbacks = pc_if_set_callbacks,
    .trigger_offer = pc_if_trigger_offer,
    .create_data_channel = pc_if_create_data_channel,
    .register_event_handler = pc_if_register_event_handler,
    .set_data_channel_callbacks = pc_if_set_data_channel_callbacks,
    .send_data_channel_message = pc_if_send_data_channel_message,
};

webrtc_peer_connection_if_t *edgertc_peer_connection_if_get(void)
{
    return &pc_if_table;
}

static void do_metrics(void *arg)
{
    pc_if_call_t *call = arg;
    ertc_pc_if_session_t *s = as_session(call->session);
    if (s == NULL) {
        call->result = WEBRTC_STATUS_INVALID_ARG;
        return;
    }
    ertc_pc_if_session_metrics(s, call->out);
    call->result = WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS edgertc_peer_connection_get_metrics(void *pSession, edgertc_pc_session_metrics_t *out)
{
    ertc_pc_if_session_t *s = as_session(pSession);
    if (s == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    pc_if_call_t call = {.session = s, .out = out};
    return pc_if_run(s->client->loop, do_metrics, &call);
}

const char *edgertc_peer_connection_session_peer_id(void *pSession)
{
    ertc_pc_if_session_t *s = as_session(pSession);
    return s != NULL ? s->peer_id : NULL;
}
