/*
 * signald/kvs_dataplane — the KVS emulator's WebSocket side (specs/kvs-signaling.md §3):
 * ConnectAsMaster / ConnectAsViewer on a presigned URL, and the relay between a channel's
 * master and its viewers.
 *
 * Connect: the presigned query is SigV4-checked (403 with the signature error), then
 * X-Amz-ChannelARN must name a channel (404) and X-Amz-ClientId, present only for viewers,
 * must be a valid id (400); a channel takes SD_KVS_MAX_VIEWERS viewers (400
 * ClientLimitExceededException). A new master replaces the old one and a viewer reconnecting
 * with its id replaces its old socket ("the most recent request takes precedence"); the
 * replaced socket is closed with 1000.
 *
 * Relay: a viewer's message goes to the master with senderClientId; a master's goes to the
 * viewer named by recipientClientId, without a sender. While no master is connected, viewers'
 * messages wait for it (bounded, for the channel's MessageTtlSeconds) as the service keeps
 * them. A message that cannot be delivered (an unknown recipient, too many waiting) or is
 * malformed answers the sender with a STATUS_RESPONSE carrying its correlationId; the socket
 * stays open.
 */
#include <stdio.h>
#include <string.h>

#include "kvs_sigv4_verify.h"
#include "kvs_state.h"
#include "port/port.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "kvs-emu"

bool kvs_client_send(kvs_client_t *c, const char *text, size_t len)
{
    if (c->ws == NULL || !sd_ws_is_open(c->ws)) {
        return false;
    }
    /* A failed write closes the socket, and its on_close detaches c (c->ws becomes NULL):
     * name the peer before sending. */
    char peer[64];
    snprintf(peer, sizeof(peer), "%s", sd_conn_peer(c->ws));
    WEBRTC_STATUS st = sd_ws_send_text(c->ws, text, len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(TAG, "ws %s: message dropped: %s", peer, webrtc_status_name(st));
        return false;
    }
    return true;
}

static void send_status(kvs_client_t *c, const char *correlation, const char *type, int code,
                        const char *description)
{
    c->emu->messages_refused++;
    ERTC_LOGD(TAG, "status response to %s: %d %s: %s", c->master ? "master" : c->id, code, type,
              description);
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, 2048);
    if (kvs_status_format(&out, correlation, type, code, description) == WEBRTC_STATUS_SUCCESS) {
        kvs_client_send(c, ertc_strbuf_cstr(&out), ertc_strbuf_len(&out));
    }
    ertc_strbuf_free(&out);
}

static kvs_client_t *viewer_by_id(kvs_channel_t *ch, const char *id)
{
    for (size_t i = 0; i < ch->n_viewers; i++) {
        if (strcmp(ch->viewers[i]->id, id) == 0) {
            return ch->viewers[i];
        }
    }
    return NULL;
}

/* ---- messages waiting for the master -------------------------------------------------------- */

static void drop_expired(kvs_channel_t *ch, uint64_t now_ms)
{
    while (ch->pending != NULL && ch->pending->expires_ms <= now_ms) {
        kvs_pending_t *p = ch->pending;
        ch->pending = p->next;
        ch->n_pending--;
        ch->pending_bytes -= p->len;
        ertc_free(p);
    }
    if (ch->pending == NULL) {
        ch->pending_tail = &ch->pending;
    }
}

bool kvs_pending_add(kvs_channel_t *ch, const char *text, size_t len)
{
    uint64_t now = ertc_time_mono_ms();
    drop_expired(ch, now);
    if (ch->n_pending >= SD_KVS_MAX_PENDING || ch->pending_bytes + len > SD_KVS_MAX_PENDING_BYTES) {
        return false;
    }
    kvs_pending_t *p = ertc_malloc(sizeof(*p) + len);
    if (p == NULL) {
        return false;
    }
    p->next = NULL;
    p->expires_ms = now + (uint64_t)ch->message_ttl_s * 1000u;
    p->len = len;
    memcpy(p->text, text, len);
    *ch->pending_tail = p;
    ch->pending_tail = &p->next;
    ch->n_pending++;
    ch->pending_bytes += len;
    return true;
}

void kvs_pending_clear(kvs_channel_t *ch)
{
    drop_expired(ch, UINT64_MAX);
}

void kvs_pending_flush(kvs_channel_t *ch)
{
    drop_expired(ch, ertc_time_mono_ms());
    size_t n = ch->n_pending;
    while (ch->pending != NULL && ch->master != NULL) {
        kvs_pending_t *p = ch->pending;
        ch->pending = p->next;
        ch->n_pending--;
        ch->pending_bytes -= p->len;
        kvs_client_send(ch->master, p->text, p->len);
        ertc_free(p);
    }
    if (ch->pending == NULL) {
        ch->pending_tail = &ch->pending;
    }
    if (n > 0) {
        ERTC_LOGI(TAG, "%s: %zu waiting messages delivered to the new master", ch->name, n);
    }
}

/* ---- WebSocket handler --------------------------------------------------------------------- */

static void handle_open(kvs_client_t *c, sd_conn_t *ws);
static void handle_message(kvs_client_t *c, const char *data, size_t len);

static void on_open(sd_conn_t *ws, void *arg)
{
    kvs_client_t *c = arg;
    sd_kvs_t *k = c->emu;
    k->busy++;
    handle_open(c, ws);
    kvs_reap(k);
}

static void handle_open(kvs_client_t *c, sd_conn_t *ws)
{
    c->ws = ws;
    ERTC_LOGI(TAG, "%s %s connected to %s from %s", c->master ? "master" : "viewer", c->id,
              c->channel != NULL ? c->channel->name : "-", sd_conn_peer(ws));
    if (c->master && c->channel != NULL && c->channel->master == c) {
        kvs_pending_flush(c->channel);
    }
}

static void on_message(sd_conn_t *ws, const char *data, size_t len, void *arg)
{
    (void)ws;
    kvs_client_t *c = arg;
    sd_kvs_t *k = c->emu;
    k->busy++;
    handle_message(c, data, len);
    kvs_reap(k);
}

static void handle_message(kvs_client_t *c, const char *data, size_t len)
{
    kvs_channel_t *ch = c->channel;
    if (ch == NULL) {
        return;
    }
    kvs_message_t m;
    char why[KVS_MESSAGE_WHY_SIZE];
    if (kvs_message_parse(data, len, &m, why, sizeof(why)) != WEBRTC_STATUS_SUCCESS) {
        send_status(c, m.correlation, "InvalidArgumentException", 400, why);
        return;
    }
    kvs_client_t *to = NULL;
    if (c->master) {
        if (m.recipient[0] == '\0') {
            send_status(c, m.correlation, "InvalidArgumentException", 400,
                        "A master must name the recipientClientId.");
        } else if ((to = viewer_by_id(ch, m.recipient)) == NULL || to->ws == NULL) {
            snprintf(why, sizeof(why), "The recipient client %.64s is not connected.", m.recipient);
            send_status(c, m.correlation, "ResourceNotFoundException", 404, why);
            to = NULL;
        }
    } else {
        to = ch->master != NULL && ch->master->ws != NULL ? ch->master : NULL;
    }
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, KVS_MAX_FRAME_LEN);
    bool formatted = kvs_event_format(&out, kvs_action_name(m.action), m.payload, m.payload_len,
                                      c->master ? NULL : c->id) == WEBRTC_STATUS_SUCCESS;
    if (to != NULL && formatted &&
        kvs_client_send(to, ertc_strbuf_cstr(&out), ertc_strbuf_len(&out))) {
        c->emu->messages_relayed++;
        ERTC_LOGD(TAG, "%s: %s from %s to %s", ch->name, kvs_action_name(m.action),
                  c->master ? "master" : c->id, to->master ? "master" : to->id);
    } else if (!c->master && to == NULL && formatted) {
        if (kvs_pending_add(ch, ertc_strbuf_cstr(&out), ertc_strbuf_len(&out))) {
            ERTC_LOGD(TAG, "%s: %s from %s waits for the master", ch->name,
                      kvs_action_name(m.action), c->id);
        } else {
            send_status(c, m.correlation, "ClientLimitExceededException", 400,
                        "No master is connected and too many messages wait for it.");
        }
    }
    ertc_strbuf_free(&out);
    kvs_message_clear(&m);
}

static void on_close(sd_conn_t *ws, void *arg)
{
    (void)ws;
    kvs_client_t *c = arg;
    ERTC_LOGI(TAG, "%s %s disconnected from %s", c->master ? "master" : "viewer", c->id,
              c->channel != NULL ? c->channel->name : "-");
    c->ws = NULL;
    if (c->channel != NULL) {
        kvs_client_evict(c, 0, NULL); /* detaches and, without a socket, frees */
    } else {
        kvs_client_free(c);
    }
}

static const sd_ws_handler_t HANDLER = {
    .on_open = on_open,
    .on_message = on_message,
    .on_close = on_close,
};

/* ---- connect ------------------------------------------------------------------------------- */

void kvs_dataplane_connect(sd_kvs_t *k, const sd_http_request_t *req, sd_http_response_t *resp)
{
    if (!kvs_check_auth(k, req, resp, true)) {
        resp->close = true;
        return;
    }
    char arn[SD_KVS_MAX_ARN_LEN];
    char id[KVS_MAX_ID_LEN + 1] = "";
    if (kvs_query_get(req->query, "X-Amz-ChannelARN", arn, sizeof(arn)) != WEBRTC_STATUS_SUCCESS) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "X-Amz-ChannelARN is required.");
        resp->close = true;
        return;
    }
    WEBRTC_STATUS st = kvs_query_get(req->query, "X-Amz-ClientId", id, sizeof(id));
    bool master = st == WEBRTC_STATUS_NOT_FOUND;
    kvs_channel_t *ch = kvs_channel_by_arn(k, arn);
    if (!master && (st != WEBRTC_STATUS_SUCCESS || !kvs_id_is_valid(id))) {
        kvs_respond_error(resp, 400, "InvalidArgumentException", false,
                          "X-Amz-ClientId must match [a-zA-Z0-9_.-]+ with 1 to 256 characters.");
    } else if (ch == NULL) {
        kvs_respond_error(resp, 404, "ResourceNotFoundException", false,
                          "The requested channel is not found or not active.");
    } else if (!master && viewer_by_id(ch, id) == NULL && ch->n_viewers >= SD_KVS_MAX_VIEWERS) {
        kvs_respond_error(resp, 400, "ClientLimitExceededException", false,
                          "The channel already has %d viewers.", SD_KVS_MAX_VIEWERS);
    } else {
        kvs_client_t *c = ertc_calloc(1, sizeof(*c));
        if (c == NULL) {
            kvs_respond_error(resp, 500, "ServiceUnavailableException", false, "Out of memory.");
        } else if (!sd_ws_accept_upgrade(req, resp, false, &HANDLER, c)) {
            ertc_free(c);
        } else {
            c->emu = k;
            c->master = master;
            snprintf(c->id, sizeof(c->id), "%s", id);
            kvs_client_t *old = master ? ch->master : viewer_by_id(ch, id);
            if (old != NULL) {
                ERTC_LOGI(TAG, "%s: a new connection replaces %s %s", ch->name,
                          master ? "master" : "viewer", id);
                kvs_client_evict(old, ERTC_WS_CLOSE_NORMAL, "replaced by a new connection");
            }
            c->channel = ch;
            if (master) {
                ch->master = c;
            } else {
                ch->viewers[ch->n_viewers++] = c;
            }
            return;
        }
    }
    resp->close = true;
}
