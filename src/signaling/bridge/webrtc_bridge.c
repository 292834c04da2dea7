/*
 * webrtc_bridge: the process-wide bridge link of split mode (bridge_signaling.h), a thin
 * layer over bridge_link.c with the ESP port's API (spec §1.12).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_signaling.h"
#include "signaling/bridge/bridge_link.h"
#include "util/log.h"

#define TAG "bridge"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static ertc_bridge_endpoint_t g_ep;
static bool g_configured;
static bool g_listen;
static ertc_bridge_link_t *g_link;
static webrtc_bridge_msg_cb_t g_handler;
static void (*g_state_handler)(bool up);

WEBRTC_STATUS webrtc_bridge_configure(const char *endpoint, bool listen)
{
    ertc_bridge_endpoint_t ep;
    WEBRTC_STATUS st = ertc_bridge_endpoint_parse(endpoint, &ep);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    pthread_mutex_lock(&g_mu);
    g_ep = ep;
    g_listen = listen;
    g_configured = true;
    pthread_mutex_unlock(&g_mu);
    return WEBRTC_STATUS_SUCCESS;
}

static void on_link_message(void *user, const uint8_t *msg, size_t len)
{
    (void)user;
    pthread_mutex_lock(&g_mu);
    webrtc_bridge_msg_cb_t h = g_handler;
    pthread_mutex_unlock(&g_mu);
    if (h != NULL) {
        h(msg, (int)len);
    }
}

static void on_link_state(void *user, bool up)
{
    (void)user;
    pthread_mutex_lock(&g_mu);
    void (*h)(bool) = g_state_handler;
    pthread_mutex_unlock(&g_mu);
    if (h != NULL) {
        h(up);
    }
}

void webrtc_bridge_start(void)
{
    pthread_mutex_lock(&g_mu);
    if (g_link == NULL && !g_configured) {
        const char *env = getenv("ERTC_BRIDGE");
        const char *lenv = getenv("ERTC_BRIDGE_LISTEN");
        if (env != NULL && ertc_bridge_endpoint_parse(env, &g_ep) == WEBRTC_STATUS_SUCCESS) {
            g_configured = true;
            g_listen = lenv != NULL && strcmp(lenv, "1") == 0;
        }
    }
    if (g_link == NULL && g_configured) {
        ertc_bridge_link_callbacks_t cb = {on_link_message, on_link_state, NULL};
        if (ertc_bridge_link_start(&g_ep, g_listen, &cb, &g_link) != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGE(TAG, "webrtc_bridge_start: the link could not start");
            g_link = NULL;
        }
    } else if (g_link == NULL) {
        ERTC_LOGE(TAG, "webrtc_bridge_start: no endpoint (webrtc_bridge_configure or "
                       "ERTC_BRIDGE=unix:PATH)");
    }
    pthread_mutex_unlock(&g_mu);
}

void webrtc_bridge_send_message(const char *data, int len)
{
    pthread_mutex_lock(&g_mu);
    ertc_bridge_link_t *link = g_link;
    pthread_mutex_unlock(&g_mu);
    if (link != NULL && data != NULL && len >= 0) {
        WEBRTC_STATUS st = ertc_bridge_link_send(link, (const uint8_t *)data, (size_t)len);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ERTC_LOGW(TAG, "bridge send of %d bytes failed (status %u)", len, (unsigned)st);
        }
    }
    free((void *)data); /* ownership was passed to us */
}

void webrtc_bridge_register_handler(webrtc_bridge_msg_cb_t handler)
{
    pthread_mutex_lock(&g_mu);
    g_handler = handler;
    pthread_mutex_unlock(&g_mu);
}

void webrtc_bridge_register_state_handler(void (*handler)(bool up))
{
    pthread_mutex_lock(&g_mu);
    g_state_handler = handler;
    pthread_mutex_unlock(&g_mu);
}

bool webrtc_bridge_is_up(void)
{
    pthread_mutex_lock(&g_mu);
    bool up = g_link != NULL && ertc_bridge_link_is_up(g_link);
    pthread_mutex_unlock(&g_mu);
    return up;
}

void webrtc_bridge_drop(void)
{
    pthread_mutex_lock(&g_mu);
    if (g_link != NULL) {
        ertc_bridge_link_drop(g_link);
    }
    pthread_mutex_unlock(&g_mu);
}

void webrtc_bridge_stop(void)
{
    pthread_mutex_lock(&g_mu);
    ertc_bridge_link_t *link = g_link;
    g_link = NULL;
    g_configured = false;
    pthread_mutex_unlock(&g_mu);
    ertc_bridge_link_stop(link); /* outside the lock: callbacks take it */
}
