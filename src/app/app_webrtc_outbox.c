/*
 * app/app_webrtc_outbox — outgoing signaling messages that cannot go out yet.
 *
 * A session may produce its answer or candidates while signaling is away (reconnecting), or
 * the backend may answer RETRY_LATER ("not sent now, the caller may try again": the AppRTC
 * backend does when too many sends wait). Such messages are copied here and sent in order
 * once signaling is CONNECTED again, or retried every 100 ms after RETRY_LATER, so a
 * negotiation in progress survives a short signaling drop. Bounded: APP_OUTBOX_MAX_MESSAGES
 * and APP_OUTBOX_MAX_BYTES; past that a message is refused (and the caller raises ERROR).
 * Once anything waits, later messages queue behind it: the order never changes.
 */
#include <string.h>

#include "app/app_webrtc_internal.h"
#include "util/alloc.h"
#include "util/log.h"

static uint32_t retry_ms(void)
{
    uint32_t ms = app_ms_per_s() / 10;
    return ms ? ms : 1;
}

static WEBRTC_STATUS keep(app_ctx_t *ctx, const esp_webrtc_signaling_message_t *msg)
{
    size_t size = sizeof(app_outgoing_t) + msg->payload_len;
    if (ctx->outbox_count >= APP_OUTBOX_MAX_MESSAGES ||
        ctx->outbox_bytes + size > APP_OUTBOX_MAX_BYTES) {
        ERTC_LOGW(APP_TAG, "peer %s: %u messages wait for signaling already: a %s is dropped",
                  msg->peer_client_id, ctx->outbox_count,
                  app_webrtc_message_type_name(msg->message_type));
        return WEBRTC_STATUS_LIMIT_EXCEEDED;
    }
    app_outgoing_t *o = ertc_calloc(1, sizeof(*o));
    if (o == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    o->msg = *msg;
    o->msg.payload = NULL;
    if (msg->payload != NULL) {
        o->msg.payload = ertc_malloc((size_t)msg->payload_len + 1);
        if (o->msg.payload == NULL) {
            ertc_free(o);
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        memcpy(o->msg.payload, msg->payload, msg->payload_len);
        o->msg.payload[msg->payload_len] = '\0';
    }
    if (ctx->outbox_tail != NULL) {
        ctx->outbox_tail->next = o;
    } else {
        ctx->outbox_head = o;
    }
    ctx->outbox_tail = o;
    ctx->outbox_count++;
    ctx->outbox_bytes += size;
    ERTC_LOGD(APP_TAG, "peer %s: %s waits for signaling (%u waiting)", msg->peer_client_id,
              app_webrtc_message_type_name(msg->message_type), ctx->outbox_count);
    return WEBRTC_STATUS_SUCCESS;
}

static void drop_head(app_ctx_t *ctx)
{
    app_outgoing_t *o = ctx->outbox_head;
    ctx->outbox_head = o->next;
    if (ctx->outbox_head == NULL) {
        ctx->outbox_tail = NULL;
    }
    ctx->outbox_count--;
    ctx->outbox_bytes -= sizeof(app_outgoing_t) + o->msg.payload_len;
    ertc_free(o->msg.payload);
    ertc_free(o);
}

void app_outbox_flush(app_ctx_t *ctx)
{
    while (ctx->outbox_head != NULL && ctx->sig_phase == APP_SIG_CONNECTED &&
           ctx->sig_client != NULL) {
        WEBRTC_STATUS st = ctx->sig->send_message(ctx->sig_client, &ctx->outbox_head->msg);
        if (st == WEBRTC_STATUS_RETRY_LATER) {
            ertc_timer_start(ctx->loop, &ctx->outbox_timer, retry_ms(), 0);
            return;
        }
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(APP_TAG, "peer %s: a waiting %s could not be sent: %s",
                      ctx->outbox_head->msg.peer_client_id,
                      app_webrtc_message_type_name(ctx->outbox_head->msg.message_type),
                      webrtc_status_name(st));
        }
        drop_head(ctx);
    }
}

static void retry(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    app_outbox_flush(arg);
}

void app_outbox_init(app_ctx_t *ctx)
{
    ertc_timer_init(&ctx->outbox_timer, retry, ctx);
}

void app_outbox_clear(app_ctx_t *ctx)
{
    if (ctx->outbox_count > 0) {
        ERTC_LOGI(APP_TAG, "%u messages for signaling dropped", ctx->outbox_count);
    }
    while (ctx->outbox_head != NULL) {
        drop_head(ctx);
    }
    if (ctx->loop != NULL) {
        ertc_timer_stop(ctx->loop, &ctx->outbox_timer);
    }
}

WEBRTC_STATUS app_send_to_signaling(app_ctx_t *ctx, esp_webrtc_signaling_message_t *msg)
{
    if (ctx->sig_client == NULL || ctx->sig->send_message == NULL) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    if (ctx->sig_phase != APP_SIG_CONNECTED || ctx->outbox_head != NULL) {
        return keep(ctx, msg); /* sent in order once signaling is back */
    }
    WEBRTC_STATUS st = ctx->sig->send_message(ctx->sig_client, msg);
    if (st == WEBRTC_STATUS_RETRY_LATER) {
        st = keep(ctx, msg);
        if (st == WEBRTC_STATUS_SUCCESS) {
            ertc_timer_start(ctx->loop, &ctx->outbox_timer, retry_ms(), 0);
        }
        return st;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGW(APP_TAG, "peer %s: sending %s failed: %s", msg->peer_client_id,
                  app_webrtc_message_type_name(msg->message_type), webrtc_status_name(st));
    }
    return st;
}
