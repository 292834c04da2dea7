/*
 * net/http_client — see http_client.h.
 *
 * A client holds at most one connection and one request. The connection stays open after a
 * response that allows it (ertc_http_parser_keep_alive) and is reused when the next request
 * goes to the same origin.
 */
#include "net/http_client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/conn.h"
#include "net/http_parser.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/url.h"

#define TAG "http"
#define MAX_REQUEST_BYTES (64 * 1024 + 1024 * 1024)

struct ertc_http_client {
    ertc_loop_t *loop;
    ertc_tls_config_t *tls;
    ertc_conn_t *conn;
    char origin[300]; /* "https://host:port" of conn */
    ertc_http_parser_t parser;
    ertc_timer_t timer;
    /* the request in flight */
    bool busy;
    bool retried;
    bool got_bytes;
    ertc_http_done_cb cb;
    void *cb_arg;
    char *request; /* bytes, kept for a retry */
    size_t request_len;
    char host[ERTC_URL_MAX_HOST + 1];
    uint16_t port;
    bool secure;
    uint32_t timeout_ms;
    uint64_t max_body;
    size_t body_cap;
    ertc_http_response_t resp;
    char url_text[160];
};

/* ---- responses ------------------------------------------------------------------------ */

const char *ertc_http_response_header(const ertc_http_response_t *r, const char *name)
{
    const char *p = r->headers;
    const char *end = r->headers ? r->headers + r->headers_len : NULL;
    while (p != NULL && p < end) {
        const char *value = p + strlen(p) + 1;
        if (strcasecmp(p, name) == 0) {
            return value;
        }
        p = value + strlen(value) + 1;
    }
    return NULL;
}

void ertc_http_response_free(ertc_http_response_t *r)
{
    if (r != NULL) {
        ertc_free(r->body);
        ertc_free(r->headers);
        memset(r, 0, sizeof(*r));
    }
}

void ertc_http_response_take(ertc_http_response_t *dst, ertc_http_response_t *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

static WEBRTC_STATUS copy_headers(ertc_http_response_t *r, const ertc_http_parser_t *p)
{
    size_t total = 0;
    const char *name, *value;
    for (size_t i = 0; ertc_http_parser_header_at(p, i, &name, &value); i++) {
        total += strlen(name) + strlen(value) + 2;
    }
    r->headers = ertc_malloc(total ? total : 1);
    if (r->headers == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    char *w = r->headers;
    for (size_t i = 0; ertc_http_parser_header_at(p, i, &name, &value); i++) {
        size_t n = strlen(name) + 1, v = strlen(value) + 1;
        memcpy(w, name, n);
        memcpy(w + n, value, v);
        w += n + v;
    }
    r->headers_len = total;
    r->status = ertc_http_parser_status_code(p);
    snprintf(r->reason, sizeof(r->reason), "%s", ertc_http_parser_reason(p));
    const char *date = ertc_http_parser_header(p, "date");
    if (date == NULL || ertc_http_parse_date(date, &r->server_date) != WEBRTC_STATUS_SUCCESS) {
        r->server_date = 0;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS on_body(const uint8_t *data, size_t len, void *arg)
{
    ertc_http_client_t *c = arg;
    ertc_http_response_t *r = &c->resp;
    if (r->body_len + len + 1 > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 1024;
        while (cap < r->body_len + len + 1) {
            cap *= 2;
        }
        char *b = ertc_realloc(r->body, cap);
        if (b == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        r->body = b;
        c->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- completion -------------------------------------------------------------------------- */

static void drop_connection(ertc_http_client_t *c)
{
    ertc_conn_close(c->conn);
    c->conn = NULL;
    c->origin[0] = '\0';
}

static void finish(ertc_http_client_t *c, WEBRTC_STATUS status, const char *error)
{
    ertc_timer_stop(c->loop, &c->timer);
    if (status != WEBRTC_STATUS_SUCCESS) {
        snprintf(c->resp.error, sizeof(c->resp.error), "%.120s: %.250s", c->url_text, error);
        ERTC_LOGI(TAG, "%s", c->resp.error);
        drop_connection(c);
    } else if (!ertc_http_parser_keep_alive(&c->parser)) {
        drop_connection(c);
    }
    if (c->resp.body == NULL && status == WEBRTC_STATUS_SUCCESS) {
        c->resp.body = ertc_calloc(1, 1);
        if (c->resp.body == NULL) {
            status = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    }
    ertc_free(c->request);
    c->request = NULL;
    c->busy = false;
    ertc_http_done_cb cb = c->cb;
    void *arg = c->cb_arg;
    cb(c, status, &c->resp, arg);
    /* The callback may have started the next request, which owns resp now. */
    if (!c->busy) {
        ertc_http_response_free(&c->resp);
    }
}

static void feed(ertc_http_client_t *c, const uint8_t *data, size_t len)
{
    while (c->busy) {
        size_t used = 0;
        WEBRTC_STATUS st = ertc_http_parser_feed(&c->parser, data, len, &used);
        data += used;
        len -= used;
        if (st != WEBRTC_STATUS_SUCCESS) {
            char why[200];
            snprintf(why, sizeof(why), "bad response: %s", ertc_http_parser_error(&c->parser));
            finish(c, st, why);
            return;
        }
        if (ertc_http_parser_headers_complete(&c->parser) && c->resp.headers == NULL) {
            if (copy_headers(&c->resp, &c->parser) != WEBRTC_STATUS_SUCCESS) {
                finish(c, WEBRTC_STATUS_NOT_ENOUGH_MEMORY, "out of memory");
                return;
            }
        }
        if (ertc_http_parser_is_complete(&c->parser)) {
            if (len > 0) {
                /* bytes after the response on a request/response protocol: never reuse */
                drop_connection(c);
            }
            finish(c, WEBRTC_STATUS_SUCCESS, NULL);
            return;
        }
        if (len == 0) {
            return;
        }
    }
}

static WEBRTC_STATUS open_connection(ertc_http_client_t *c);

static void conn_data(ertc_conn_t *conn, const uint8_t *data, size_t len, void *arg)
{
    (void)conn;
    ertc_http_client_t *c = arg;
    if (!c->busy) {
        ERTC_LOGD(TAG, "%s: %zu unexpected bytes on an idle connection", c->origin, len);
        drop_connection(c);
        return;
    }
    c->got_bytes = true;
    feed(c, data, len);
}

static void conn_closed(ertc_conn_t *conn, WEBRTC_STATUS status, const char *reason, void *arg)
{
    (void)conn;
    ertc_http_client_t *c = arg;
    drop_connection(c);
    if (!c->busy) {
        return; /* an idle kept-alive connection went away */
    }
    if (status == WEBRTC_STATUS_CLOSED && c->got_bytes) {
        /* EOF may end a response that has no length */
        WEBRTC_STATUS st = ertc_http_parser_finish(&c->parser);
        if (st == WEBRTC_STATUS_SUCCESS && ertc_http_parser_is_complete(&c->parser)) {
            finish(c, WEBRTC_STATUS_SUCCESS, NULL);
            return;
        }
        finish(c, WEBRTC_STATUS_NETWORK_ERROR,
               "the connection closed before the response was complete");
        return;
    }
    if (c->resp.reused_connection && !c->got_bytes && !c->retried) {
        /* The server closed the kept-alive connection as we reused it: once more, fresh. */
        c->retried = true;
        c->resp.reused_connection = false;
        ERTC_LOGD(TAG, "%s: kept-alive connection was closed; retrying", c->url_text);
        if (open_connection(c) == WEBRTC_STATUS_SUCCESS &&
            ertc_conn_write(c->conn, c->request, c->request_len) == WEBRTC_STATUS_SUCCESS) {
            return;
        }
    }
    finish(c, status == WEBRTC_STATUS_CLOSED ? WEBRTC_STATUS_NETWORK_ERROR : status,
           status == WEBRTC_STATUS_CLOSED ? "the server closed the connection without answering"
                                          : reason);
}

static void on_timeout(ertc_loop_t *loop, ertc_timer_t *t, void *arg)
{
    (void)loop;
    (void)t;
    ertc_http_client_t *c = arg;
    char why[64];
    snprintf(why, sizeof(why), "no complete response within %u ms", (unsigned)c->timeout_ms);
    finish(c, WEBRTC_STATUS_TIMEOUT, why);
}

static WEBRTC_STATUS open_connection(ertc_http_client_t *c)
{
    ertc_conn_options_t opts = {
        .host = c->host,
        .port = c->port,
        .tls = c->secure ? c->tls : NULL,
        .connect_timeout_ms = c->timeout_ms,
        .max_buffered = MAX_REQUEST_BYTES,
    };
    ertc_conn_callbacks_t cbs = {.on_data = conn_data, .on_close = conn_closed};
    WEBRTC_STATUS st = ertc_conn_connect(c->loop, &opts, &cbs, c, &c->conn);
    if (st != WEBRTC_STATUS_SUCCESS) {
        c->conn = NULL;
        return st;
    }
    snprintf(c->origin, sizeof(c->origin), "%s://%s:%u", c->secure ? "https" : "http", c->host,
             (unsigned)c->port);
    return WEBRTC_STATUS_SUCCESS;
}

/* ---- public -------------------------------------------------------------------------------- */

WEBRTC_STATUS ertc_http_client_create(ertc_loop_t *loop, ertc_tls_config_t *tls,
                                      ertc_http_client_t **out)
{
    if (loop == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_http_client_t *c = ertc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    c->loop = loop;
    c->tls = ertc_tls_config_ref(tls);
    ertc_timer_init(&c->timer, on_timeout, c);
    WEBRTC_STATUS st = ertc_http_parser_init_response(&c->parser, NULL, NULL, 0);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_tls_config_unref(c->tls);
        ertc_free(c);
        return st;
    }
    ertc_http_parser_set_body_callback(&c->parser, on_body, c);
    *out = c;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_http_client_send(ertc_http_client_t *c, const ertc_http_request_t *req,
                                    ertc_http_done_cb cb, void *arg)
{
    if (c == NULL || req == NULL || req->url == NULL || cb == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    if (c->busy) {
        return WEBRTC_STATUS_INVALID_OPERATION;
    }
    ertc_url_t url;
    WEBRTC_STATUS st = ertc_url_parse(req->url, strlen(req->url), &url);
    if (st != WEBRTC_STATUS_SUCCESS ||
        (url.scheme != ERTC_URL_SCHEME_HTTP && url.scheme != ERTC_URL_SCHEME_HTTPS)) {
        ERTC_LOGE(TAG, "not an http:// or https:// URL: %.120s", req->url);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    if (url.secure && c->tls == NULL) {
        ERTC_LOGE(TAG, "%.120s: https:// needs a TLS configuration", req->url);
        return WEBRTC_STATUS_INVALID_ARG;
    }
    const char *method = req->method ? req->method : "GET";
    char host_header[ERTC_URL_HOST_PORT_SIZE];
    size_t n = 0;
    st = ertc_url_format_host_port(&url, host_header, sizeof(host_header), &n);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    char *target = ertc_malloc(url.path_len + (url.query ? url.query_len + 1 : 0) + 1);
    if (target == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    memcpy(target, url.path, url.path_len);
    size_t tl = url.path_len;
    if (url.query != NULL) {
        target[tl++] = '?';
        memcpy(target + tl, url.query, url.query_len);
        tl += url.query_len;
    }
    target[tl] = '\0';
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, MAX_REQUEST_BYTES);
    st = ertc_http_build_request(&sb, method, host_header, target, req->headers,
                                 req->header_count, req->body, req->body_len);
    ertc_free(target);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_strbuf_detach(&sb, &c->request, &c->request_len);
    }
    ertc_strbuf_free(&sb);
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%.120s: cannot build the request (%s)", req->url, webrtc_status_name(st));
        return st;
    }

    ertc_http_response_free(&c->resp);
    c->body_cap = 0;
    ertc_http_parser_reset(&c->parser);
    ertc_http_parser_set_head_response(&c->parser, strcmp(method, "HEAD") == 0);
    ertc_http_parser_set_max_body(&c->parser, req->max_body ? req->max_body
                                                            : ERTC_HTTP_DEFAULT_MAX_BODY_BYTES);
    c->cb = cb;
    c->cb_arg = arg;
    c->retried = false;
    c->got_bytes = false;
    c->timeout_ms = req->timeout_ms ? req->timeout_ms : ERTC_HTTP_DEFAULT_TIMEOUT_MS;
    snprintf(c->host, sizeof(c->host), "%s", url.host);
    c->port = url.port;
    c->secure = url.secure;
    snprintf(c->url_text, sizeof(c->url_text), "%s %s://%s%.80s%s:%u%.*s", method,
             url.secure ? "https" : "http", url.is_ipv6 ? "[" : "", url.host,
             url.is_ipv6 ? "]" : "", (unsigned)url.port,
             (int)(url.path_len < 60 ? url.path_len : 60), url.path);

    char origin[sizeof(c->origin)];
    snprintf(origin, sizeof(origin), "%s://%s:%u", url.secure ? "https" : "http", url.host,
             (unsigned)url.port);
    if (c->conn != NULL && strcmp(origin, c->origin) == 0 && ertc_conn_is_open(c->conn)) {
        c->resp.reused_connection = true;
    } else {
        drop_connection(c);
        st = open_connection(c);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ertc_free(c->request);
            c->request = NULL;
            return st;
        }
    }
    st = ertc_conn_write(c->conn, c->request, c->request_len);
    if (st != WEBRTC_STATUS_SUCCESS) {
        drop_connection(c);
        ertc_free(c->request);
        c->request = NULL;
        return st;
    }
    c->busy = true;
    ertc_timer_start(c->loop, &c->timer, c->timeout_ms, 0);
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_http_client_free(ertc_http_client_t *c)
{
    if (c == NULL) {
        return;
    }
    ertc_timer_stop(c->loop, &c->timer);
    drop_connection(c);
    ertc_http_parser_free(&c->parser);
    ertc_http_response_free(&c->resp);
    ertc_free(c->request);
    ertc_tls_config_unref(c->tls);
    ertc_free(c);
}

/* ---- blocking form ---------------------------------------------------------------------------- */

struct ertc_http_sync {
    ertc_loop_t *loop;
    ertc_http_client_t *client;
};

typedef struct {
    bool done;
    WEBRTC_STATUS status;
    ertc_http_response_t *out;
} sync_wait_t;

static void sync_done(ertc_http_client_t *c, WEBRTC_STATUS status, ertc_http_response_t *resp,
                      void *arg)
{
    (void)c;
    sync_wait_t *w = arg;
    w->done = true;
    w->status = status;
    ertc_http_response_take(w->out, resp);
}

WEBRTC_STATUS ertc_http_sync_create(ertc_tls_config_t *tls, ertc_http_sync_t **out)
{
    if (out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    ertc_http_sync_t *s = ertc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = ertc_loop_create(&s->loop, 16);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_http_client_create(s->loop, tls, &s->client);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_http_sync_free(s);
        return st;
    }
    *out = s;
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS ertc_http_sync_request(ertc_http_sync_t *s, const ertc_http_request_t *req,
                                     ertc_http_response_t *resp)
{
    if (s == NULL || resp == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    memset(resp, 0, sizeof(*resp));
    sync_wait_t w = {.out = resp};
    WEBRTC_STATUS st = ertc_http_client_send(s->client, req, sync_done, &w);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(resp->error, sizeof(resp->error), "cannot send the request (%s)",
                 webrtc_status_name(st));
        return st;
    }
    while (!w.done) {
        ertc_loop_run_once(s->loop, 1000); /* the client's own timer ends a stalled exchange */
    }
    return w.status;
}

void ertc_http_sync_free(ertc_http_sync_t *s)
{
    if (s == NULL) {
        return;
    }
    ertc_http_client_free(s->client);
    if (s->loop != NULL) {
        ertc_loop_destroy(s->loop);
    }
    ertc_free(s);
}
