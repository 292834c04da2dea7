/*
 * app/app_webrtc_config — checks app_webrtc_config_t before anything starts, and copies it.
 *
 * A configuration error fails app_webrtc_init with one log line that names the field and
 * says what would be right, so a user fixes it without reading code. Secrets (TURN
 * credentials) are never printed.
 */
#include <stdio.h>
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/alloc.h"
#include "util/log.h"

static WEBRTC_STATUS bad(WEBRTC_STATUS st, const char *field, const char *why)
{
    ERTC_LOGE(APP_TAG, "app_webrtc_init: %s: %s", field, why);
    return st;
}

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* stun:host[:port], stuns:, turn:host[:port][?transport=udp|tcp], turns: (RFC 7064, 7065). */
static bool ice_url_ok(const char *url, bool *is_turn)
{
    size_t skip;
    if (strncmp(url, "stun:", 5) == 0) {
        skip = 5, *is_turn = false;
    } else if (strncmp(url, "stuns:", 6) == 0) {
        skip = 6, *is_turn = false;
    } else if (strncmp(url, "turn:", 5) == 0) {
        skip = 5, *is_turn = true;
    } else if (strncmp(url, "turns:", 6) == 0) {
        skip = 6, *is_turn = true;
    } else {
        return false;
    }
    const char *p = url + skip;
    const char *query = strchr(p, '?');
    size_t hostport = query ? (size_t)(query - p) : strlen(p);
    if (hostport == 0) {
        return false;
    }
    const char *end = p + hostport;
    const char *colon = NULL;
    if (*p == '[') { /* IPv6 literal */
        const char *close = memchr(p, ']', hostport);
        if (close == NULL || close == p + 1) {
            return false;
        }
        colon = close + 1 < end ? close + 1 : NULL;
        if (colon != NULL && *colon != ':') {
            return false;
        }
    } else {
        for (const char *q = p; q < end; q++) {
            char c = *q;
            if (c == ':') {
                if (colon != NULL) {
                    return false;
                }
                colon = q;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
                return false;
            }
        }
        if (colon == p) {
            return false;
        }
    }
    if (colon != NULL) {
        unsigned port = 0;
        const char *q = colon + 1;
        if (q == end) {
            return false;
        }
        for (; q < end; q++) {
            if (*q < '0' || *q > '9' || (port = port * 10 + (unsigned)(*q - '0')) > 65535) {
                return false;
            }
        }
        if (port == 0) {
            return false;
        }
    }
    if (query != NULL) {
        if (!*is_turn) {
            return false;
        }
        return strcmp(query, "?transport=udp") == 0 || strcmp(query, "?transport=tcp") == 0;
    }
    return true;
}

static WEBRTC_STATUS check_ice_servers(const app_webrtc_config_t *cfg)
{
    if (cfg->ice_server_count == 0) {
        return WEBRTC_STATUS_SUCCESS;
    }
    if (cfg->ice_servers == NULL) {
        return bad(WEBRTC_STATUS_NULL_ARG, "ice_servers", "NULL while ice_server_count is not 0");
    }
    if (cfg->ice_server_count > APP_WEBRTC_MAX_ICE_SERVERS_COUNT) {
        char why[96];
        snprintf(why, sizeof(why), "%u servers given, at most %u", cfg->ice_server_count,
                 APP_WEBRTC_MAX_ICE_SERVERS_COUNT);
        return bad(WEBRTC_STATUS_INVALID_ARG, "ice_server_count", why);
    }
    for (uint32_t i = 0; i < cfg->ice_server_count; i++) {
        const app_webrtc_ice_server_t *s = &cfg->ice_servers[i];
        char field[48];
        snprintf(field, sizeof(field), "ice_servers[%u].urls", i);
        if (!terminated(s->urls, sizeof(s->urls)) ||
            !terminated(s->username, sizeof(s->username)) ||
            !terminated(s->credential, sizeof(s->credential))) {
            return bad(WEBRTC_STATUS_INVALID_ARG, field, "a string is not NUL-terminated");
        }
        bool is_turn = false;
        if (!ice_url_ok(s->urls, &is_turn)) {
            char why[APP_WEBRTC_MAX_ICE_CONFIG_URI_LEN + 96];
            snprintf(why, sizeof(why),
                     "bad URL \"%s\" (expected stun:host[:port] or "
                     "turn:host[:port][?transport=udp|tcp])",
                     s->urls);
            return bad(WEBRTC_STATUS_INVALID_ARG, field, why);
        }
        if (is_turn && (s->username[0] == '\0' || s->credential[0] == '\0')) {
            snprintf(field, sizeof(field), "ice_servers[%u].username", i);
            return bad(WEBRTC_STATUS_INVALID_ARG, field,
                       "a TURN server needs a username and a credential");
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS check_media(const app_webrtc_config_t *cfg)
{
    if (cfg->video_capture != NULL &&
        (cfg->video_capture->init == NULL || cfg->video_capture->get_frame == NULL ||
         cfg->video_capture->release_frame == NULL)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "video_capture",
                   "init, get_frame and release_frame are required");
    }
    if (cfg->audio_capture != NULL &&
        (cfg->audio_capture->init == NULL || cfg->audio_capture->get_frame == NULL ||
         cfg->audio_capture->release_frame == NULL)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "audio_capture",
                   "init, get_frame and release_frame are required");
    }
    if (cfg->video_player != NULL &&
        (cfg->video_player->init == NULL || cfg->video_player->play_frame == NULL)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "video_player", "init and play_frame are required");
    }
    if (cfg->audio_player != NULL &&
        (cfg->audio_player->init == NULL || cfg->audio_player->play_frame == NULL)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "audio_player", "init and play_frame are required");
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS check_peer_connection(const app_webrtc_config_t *cfg, bool msg_cb)
{
    const webrtc_peer_connection_if_t *pc = cfg->peer_connection_if;
    if (pc == NULL) {
        if (cfg->signaling_only && msg_cb) {
            return WEBRTC_STATUS_SUCCESS; /* messages go to the registered callback */
        }
        if (cfg->signaling_only) {
            return bad(WEBRTC_STATUS_INVALID_ARG, "peer_connection_if",
                       "signaling_only needs a bridge peer-connection interface or "
                       "app_webrtc_register_msg_callback() before init");
        }
        if (app_default_peer_connection() == NULL) {
            return bad(WEBRTC_STATUS_INVALID_ARG, "peer_connection_if",
                       "NULL selects edgertc's own peer connection, which this program does "
                       "not link; pass an interface");
        }
        return WEBRTC_STATUS_SUCCESS;
    }
    if (pc->init == NULL) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "peer_connection_if->init", "is NULL (required)");
    }
    if (pc->send_message == NULL && !(cfg->signaling_only && msg_cb)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "peer_connection_if->send_message",
                   "is NULL (required)");
    }
    if (pc->create_session != NULL && !cfg->signaling_only &&
        (pc->set_callbacks == NULL || pc->destroy_session == NULL)) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "peer_connection_if",
                   "create_session needs set_callbacks and destroy_session");
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS app_config_check(const app_webrtc_config_t *cfg, bool msg_cb_registered)
{
    if (cfg == NULL) {
        return bad(WEBRTC_STATUS_NULL_ARG, "config", "is NULL");
    }
    if (cfg->signaling_client_if == NULL) {
        return bad(WEBRTC_STATUS_NULL_ARG, "signaling_client_if",
                   "is NULL (required: the backend's interface, e.g. "
                   "apprtc_signaling_client_if_get())");
    }
    if (cfg->signaling_client_if->init == NULL) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "signaling_client_if->init", "is NULL (required)");
    }
    if (cfg->signaling_client_if->connect == NULL) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "signaling_client_if->connect", "is NULL (required)");
    }
    if (cfg->signaling_client_if->set_callbacks == NULL) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "signaling_client_if->set_callbacks",
                   "is NULL (required)");
    }
    if (cfg->role_type != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER &&
        cfg->role_type != WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "role_type", "must be MASTER (0) or VIEWER (1)");
    }
    if (cfg->logLevel > ERTC_LOG_SILENT) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "logLevel",
                   "must be 1 (verbose) to 7 (silent), or 0 to keep the current level");
    }
    if (cfg->audioCodec != 0 && cfg->audioCodec != APP_WEBRTC_CODEC_OPUS &&
        cfg->audioCodec != APP_WEBRTC_CODEC_MULAW && cfg->audioCodec != APP_WEBRTC_CODEC_ALAW) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "audioCodec", "must be OPUS, MULAW or ALAW");
    }
    if (cfg->videoCodec != 0 && cfg->videoCodec != APP_WEBRTC_CODEC_H264 &&
        cfg->videoCodec != APP_WEBRTC_CODEC_H265 && cfg->videoCodec != APP_WEBRTC_CODEC_VP8) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "videoCodec", "must be H264, H265 or VP8");
    }
    if (cfg->mediaType != APP_WEBRTC_MEDIA_VIDEO && cfg->mediaType != APP_WEBRTC_MEDIA_AUDIO &&
        cfg->mediaType != APP_WEBRTC_MEDIA_AUDIO_VIDEO) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "mediaType", "must be VIDEO, AUDIO or AUDIO_VIDEO");
    }
    if (cfg->max_sessions > APP_WEBRTC_MAX_SESSIONS_LIMIT) {
        char why[64];
        snprintf(why, sizeof(why), "%u is above the limit of %u", cfg->max_sessions,
                 APP_WEBRTC_MAX_SESSIONS_LIMIT);
        return bad(WEBRTC_STATUS_INVALID_ARG, "max_sessions", why);
    }
    if (cfg->answer_timeout_s > APP_WEBRTC_MAX_ANSWER_TIMEOUT_S) {
        char why[64];
        snprintf(why, sizeof(why), "%u s is above the limit of %u s", cfg->answer_timeout_s,
                 APP_WEBRTC_MAX_ANSWER_TIMEOUT_S);
        return bad(WEBRTC_STATUS_INVALID_ARG, "answer_timeout_s", why);
    }
    if (cfg->relay_only && !cfg->useTurn) {
        return bad(WEBRTC_STATUS_INVALID_ARG, "relay_only",
                   "needs useTurn (relayed candidates "
                   "come from TURN servers)");
    }
    WEBRTC_STATUS st = check_ice_servers(cfg);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = check_media(cfg);
    }
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = check_peer_connection(cfg, msg_cb_registered);
    }
    return st;
}

WEBRTC_STATUS app_config_copy(app_ctx_t *ctx, const app_webrtc_config_t *cfg)
{
    ctx->cfg = *cfg;
    if (ctx->cfg.audioCodec == 0) {
        ctx->cfg.audioCodec = APP_WEBRTC_CODEC_OPUS;
    }
    if (ctx->cfg.videoCodec == 0) {
        ctx->cfg.videoCodec = APP_WEBRTC_CODEC_H264;
    }
    ctx->max_sessions = cfg->max_sessions ? cfg->max_sessions : APP_WEBRTC_DEFAULT_MAX_SESSIONS;
    ctx->answer_timeout_s =
        cfg->answer_timeout_s ? cfg->answer_timeout_s : APP_WEBRTC_DEFAULT_ANSWER_TIMEOUT_S;
    ctx->sig = cfg->signaling_client_if;
    /* NULL selects edgertc's own peer connection, except in signaling-only mode, where the
     * messages go to app_webrtc_register_msg_callback's callback instead. */
    ctx->pc = cfg->peer_connection_if ? cfg->peer_connection_if
              : cfg->signaling_only   ? NULL
                                      : app_default_peer_connection();
    /* A bridge interface (no create_session) implies signaling-only mode (docs/api.md #11). */
    ctx->bridge = cfg->signaling_only || (ctx->pc != NULL && ctx->pc->create_session == NULL);
    if (ctx->bridge && !cfg->signaling_only) {
        ERTC_LOGI(APP_TAG, "peer_connection_if has no create_session: signaling-only mode");
    }
    if (ctx->bridge &&
        (cfg->video_capture || cfg->audio_capture || cfg->video_player || cfg->audio_player)) {
        ERTC_LOGW(APP_TAG, "signaling-only mode: the media interfaces are not used");
    }
    ctx->cfg.signaling_only = ctx->bridge;
    if (cfg->ice_server_count > 0) {
        ctx->user_ice =
            ertc_memdup(cfg->ice_servers, cfg->ice_server_count * sizeof(app_webrtc_ice_server_t));
        if (ctx->user_ice == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    ctx->cfg.ice_servers = ctx->user_ice;
    ctx->metrics_provider = app_default_metrics_provider(ctx->pc);
    if (cfg->data_channel_config != NULL) {
        ctx->dc_cfg = *cfg->data_channel_config;
        ctx->cfg.data_channel_config = &ctx->dc_cfg;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void app_config_pc(const app_ctx_t *ctx, webrtc_peer_connection_config_t *out)
{
    const app_webrtc_config_t *c = &ctx->cfg;
    memset(out, 0, sizeof(*out));
    bool media = !ctx->bridge;
    bool video = media && c->mediaType != APP_WEBRTC_MEDIA_AUDIO;
    bool audio = media && c->mediaType != APP_WEBRTC_MEDIA_VIDEO;
    out->video_capture = video ? (void *)c->video_capture : NULL;
    out->audio_capture = audio ? (void *)c->audio_capture : NULL;
    out->video_player = video && c->receive_media ? (void *)c->video_player : NULL;
    out->audio_player = audio && c->receive_media ? (void *)c->audio_player : NULL;
    out->audio_codec = c->audioCodec;
    out->video_codec = c->videoCodec;
    out->data_channel_config = c->data_channel_config;
    out->peer_connection_cfg = c->implementation_config;
    out->trickle_ice = c->trickleIce;
    out->use_turn = c->useTurn;
    out->relay_only = c->relay_only;
    out->receive_media = media && c->receive_media;
    out->media_type = c->mediaType;
    out->event_loop = ctx->loop;
}
