/*
 * signald/http_conn — HTTP/1.1 on an accepted connection: read requests with net/http_parser
 * (request mode, keep-alive), hand each complete one to the listener's routes, and write
 * the answer with net/http_request. A route that accepts a WebSocket upgrade turns the
 * connection over to ws_conn.c together with any bytes that followed the request.
 *
 * Every answer carries Access-Control-Allow-Origin: * (browser pages on other origins post
 * to us, specs/apprtc.md §6 item 7), Cache-Control: no-store and a Content-Length (never chunked:
 * ESP's HTTP client keeps a body only with a Content-Length, specs/apprtc.md §1.2). Any OPTIONS
 * request is answered as a CORS preflight. Every answer of 400 or more is logged once, here, with
 * its reason, so route modules only write the reason into the answer.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conn_state.h"
#include "server.h"
#include "signald_limits.h"
#include "util/alloc.h"
#include "util/log.h"

#define TAG "signald"

/* Status line and headers we add around a body. */
#define SD_HTTP_MAX_RESPONSE_HEAD 4096
/* The largest answer body: what fits the output buffer with its head. */
#define SD_HTTP_MAX_RESPONSE_BODY (SD_CONN_MAX_BUFFERED - SD_HTTP_MAX_RESPONSE_HEAD)
#define SD_HTTP_MAX_HOST_LEN      255

static WEBRTC_STATUS on_body(const uint8_t *data, size_t len, void *arg)
{
    sd_conn_t *c = arg;
    return ertc_strbuf_append(&c->body, data, len);
}

WEBRTC_STATUS sd_http_conn_start(sd_conn_t *c)
{
    ertc_http_limits_t limits;
    ertc_http_limits_default(&limits);
    limits.max_body_bytes = SD_MAX_MESSAGE_BYTES;
    WEBRTC_STATUS st = ertc_http_parser_init(&c->parser, ERTC_HTTP_PARSE_REQUEST, &limits, NULL, 0);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_http_parser_set_body_callback(&c->parser, on_body, c);
    c->parser_ready = true;
    ertc_strbuf_init_heap(&c->body, SD_MAX_MESSAGE_BYTES);
    ertc_timer_start(sd_conn_loop(c), &c->timer, SD_HTTP_REQUEST_TIMEOUT_MS, 0);
    return WEBRTC_STATUS_SUCCESS;
}

void sd_http_conn_free(sd_conn_t *c)
{
    if (c->parser_ready) {
        ertc_http_parser_free(&c->parser);
        c->parser_ready = false;
    }
    ertc_strbuf_free(&c->body);
}

/* ---- writing answers ---------------------------------------------------------------------- */

static void log_refusal(const sd_conn_t *c, const char *method, const char *path,
                        const sd_http_response_t *resp)
{
    const char *body = ertc_strbuf_cstr(&resp->body);
    size_t n = strcspn(body, "\r\n");
    ERTC_LOGW(TAG, "%s %.16s %.200s -> %d: %.*s", c->peer, method ? method : "-", path ? path : "-",
              resp->status, (int)(n > 300 ? 300 : n), body);
}

/* Queues the answer. head: leave the body out (HEAD), keeping its Content-Length. */
static WEBRTC_STATUS write_response(sd_conn_t *c, const sd_http_response_t *resp, bool head,
                                    bool closing)
{
    ertc_http_header_t headers[SD_HTTP_MAX_EXTRA_HEADERS + 4];
    size_t n = 0;
    if (resp->content_type != NULL) {
        headers[n++] = (ertc_http_header_t){"Content-Type", resp->content_type};
    }
    headers[n++] = (ertc_http_header_t){"Access-Control-Allow-Origin", "*"};
    headers[n++] = (ertc_http_header_t){"Cache-Control", "no-store"};
    for (size_t i = 0; i < resp->n_headers; i++) {
        headers[n++] = resp->headers[i];
    }
    if (closing) {
        headers[n++] = (ertc_http_header_t){"Connection", "close"};
    }
    size_t body_len = ertc_strbuf_len(&resp->body);
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, body_len + SD_HTTP_MAX_RESPONSE_HEAD);
    WEBRTC_STATUS st = ertc_http_build_response(&out, resp->status, NULL, headers, n,
                                                ertc_strbuf_cstr(&resp->body), body_len);
    if (st == WEBRTC_STATUS_SUCCESS) {
        size_t len = ertc_strbuf_len(&out);
        if (head && resp->status >= 200 && resp->status != 204 && resp->status != 304) {
            len -= body_len;
        }
        st = ertc_conn_write(c->conn, ertc_strbuf_cstr(&out), len);
    }
    ertc_strbuf_free(&out);
    return st;
}

/* Answers, then either waits for the next request or closes. */
static void finish_request(sd_conn_t *c, const sd_http_response_t *resp, bool head, bool keep_alive,
                           bool wait_for_peer)
{
    WEBRTC_STATUS st = write_response(c, resp, head, !keep_alive);
    if (st != WEBRTC_STATUS_SUCCESS) {
        if (c->state != SD_CONN_CLOSED) {
            ERTC_LOGW(TAG, "%s: cannot queue a %d answer (%s); closing", c->peer, resp->status,
                      webrtc_status_name(st));
            sd_conn_release(c, "answer not queued");
        }
        return;
    }
    if (!keep_alive) {
        sd_conn_linger(c, wait_for_peer, false);
    }
}

static void response_init(sd_http_response_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    ertc_strbuf_init_heap(&resp->body, SD_HTTP_MAX_RESPONSE_BODY);
}

/* Answers a request we could not parse and closes: the stream cannot be trusted further. */
static void answer_parse_error(sd_conn_t *c, WEBRTC_STATUS st)
{
    sd_http_response_t resp;
    response_init(&resp);
    const char *why = ertc_http_parser_error(&c->parser);
    if (st == WEBRTC_STATUS_LIMIT_EXCEEDED && ertc_http_parser_headers_complete(&c->parser)) {
        sd_http_respond_text(&resp, 413, "request body too large: %s", why);
    } else if (st == WEBRTC_STATUS_LIMIT_EXCEEDED) {
        sd_http_respond_text(&resp, 431, "request header section too large: %s", why);
    } else {
        sd_http_respond_text(&resp, 400, "malformed HTTP request: %s", why);
    }
    log_refusal(c, ertc_http_parser_method(&c->parser), ertc_http_parser_target(&c->parser), &resp);
    finish_request(c, &resp, false, false, true);
    ertc_strbuf_free(&resp.body);
}

void sd_http_conn_on_timeout(sd_conn_t *c)
{
    if (c->request_bytes == 0) {
        sd_conn_release(c, "idle");
        return;
    }
    sd_http_response_t resp;
    response_init(&resp);
    sd_http_respond_text(&resp, 408, "request not complete within %d ms",
                         SD_HTTP_REQUEST_TIMEOUT_MS);
    log_refusal(c, ertc_http_parser_method(&c->parser), ertc_http_parser_target(&c->parser), &resp);
    finish_request(c, &resp, false, false, false);
    ertc_strbuf_free(&resp.body);
}

/* ---- dispatching -------------------------------------------------------------------------- */

static bool host_is_sane(const char *host)
{
    size_t n = 0;
    for (const char *p = host; *p != '\0'; p++, n++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_' || *p == ':' ||
                  *p == '[' || *p == ']';
        if (!ok || n >= SD_HTTP_MAX_HOST_LEN) {
            return false;
        }
    }
    return n > 0;
}

static void answer_preflight(const sd_http_request_t *req, sd_http_response_t *resp)
{
    resp->status = 204;
    sd_http_response_add_header(resp, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    const char *asked = sd_http_request_header(req, "Access-Control-Request-Headers");
    sd_http_response_add_header(resp, "Access-Control-Allow-Headers",
                                asked != NULL && strlen(asked) < 128 ? asked : "Content-Type");
    sd_http_response_add_header(resp, "Access-Control-Max-Age", "86400");
}

static void route_request(sd_conn_t *c, const sd_http_request_t *req, sd_http_response_t *resp)
{
    if (strcmp(req->method, "OPTIONS") == 0) {
        answer_preflight(req, resp);
        return;
    }
    size_t n = 0;
    const sd_route_t *routes = sd_listener_routes(c->listener, &n);
    for (size_t i = 0; i < n; i++) {
        if (routes[i].handle(routes[i].ctx, req, resp) == SD_ROUTE_DONE) {
            return;
        }
    }
    sd_http_respond_text(resp, 404, "no such resource: %.16s %.200s", req->method, req->path);
}

/* Writes the 101 with our CORS header, then hands the connection to ws_conn. */
static void switch_to_websocket(sd_conn_t *c, const sd_http_response_t *resp, const uint8_t *rest,
                                size_t rest_len)
{
    char buf[512];
    size_t len = 0;
    WEBRTC_STATUS st =
        ertc_ws_build_server_response(buf, sizeof(buf) - 64, &len, resp->ws_accept, NULL);
    if (st == WEBRTC_STATUS_SUCCESS) {
        /* Insert our header before the blank line that ends the answer. */
        len -= 2;
        len += (size_t)snprintf(buf + len, sizeof(buf) - len,
                                "Access-Control-Allow-Origin: *\r\n\r\n");
        st = ertc_conn_write(c->conn, buf, len);
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ERTC_LOGE(TAG, "%s: cannot answer the WebSocket upgrade: %s", c->peer,
                  webrtc_status_name(st));
        sd_conn_release(c, "upgrade failed");
        return;
    }
    ertc_timer_stop(sd_conn_loop(c), &c->timer);
    sd_http_conn_free(c); /* the request is done with; WebSocket needs none of it */
    sd_ws_conn_start(c, resp->ws_handler, resp->ws_arg, rest, rest_len);
}

static void handle_request(sd_conn_t *c, const uint8_t *rest, size_t rest_len)
{
    sd_http_request_t req;
    memset(&req, 0, sizeof(req));
    req.method = ertc_http_parser_method(&c->parser);
    req.target = ertc_http_parser_target(&c->parser);
    req.parser = &c->parser;
    req.conn = c;
    req.body = ertc_strbuf_cstr(&c->body);
    req.body_len = ertc_strbuf_len(&c->body);
    const char *host = ertc_http_parser_header(&c->parser, "Host");
    req.host = host != NULL && host_is_sane(host) ? host : sd_listener_authority(c->listener);
    bool head = strcmp(req.method, "HEAD") == 0;
    bool keep_alive = ertc_http_parser_keep_alive(&c->parser);

    sd_http_response_t resp;
    response_init(&resp);
    const char *q = strchr(req.target, '?');
    size_t path_len = q != NULL ? (size_t)(q - req.target) : strlen(req.target);
    char *path = NULL;
    sd_route_path_t *segs = NULL;
    if (req.target[0] != '/') {
        if (strcmp(req.method, "OPTIONS") == 0) {
            answer_preflight(&req, &resp); /* "OPTIONS *" */
        } else {
            sd_http_respond_text(&resp, 400, "request-target must be a path starting with '/'");
        }
    } else if (path_len > SD_MAX_PATH_LEN) {
        sd_http_respond_text(&resp, 414, "path longer than %d bytes", SD_MAX_PATH_LEN);
    } else if ((path = ertc_strndup(req.target, path_len)) == NULL ||
               (segs = sd_route_path_split(path)) == NULL) {
        sd_http_respond_text(&resp, 503, "out of memory");
        keep_alive = false;
    } else {
        req.path = path;
        req.query = q != NULL ? q + 1 : "";
        req.segments = segs;
        ERTC_LOGD(TAG, "%s %s %s (%zu body bytes)", c->peer, req.method, req.target, req.body_len);
        route_request(c, &req, &resp);
    }
    if (resp.status >= 400) {
        log_refusal(c, req.method, req.path ? req.path : req.target, &resp);
    }
    if (resp.ws_handler != NULL && resp.status == 101) {
        switch_to_websocket(c, &resp, rest, rest_len);
    } else {
        finish_request(c, &resp, head, keep_alive && !resp.close, false);
    }
    ertc_strbuf_free(&resp.body);
    ertc_free(segs);
    ertc_free(path);
}

static void maybe_send_continue(sd_conn_t *c)
{
    const char *expect = ertc_http_parser_header(&c->parser, "Expect");
    if (c->continue_sent || expect == NULL || ertc_http_parser_version(&c->parser) < 11) {
        return;
    }
    c->continue_sent = true;
    if (strcasecmp(expect, "100-continue") == 0) {
        static const char CONTINUE[] = "HTTP/1.1 100 Continue\r\n\r\n";
        ertc_conn_write(c->conn, CONTINUE, sizeof(CONTINUE) - 1);
    }
}

void sd_http_conn_on_data(sd_conn_t *c, const uint8_t *data, size_t len)
{
    while (c->state == SD_CONN_HTTP && len > 0) {
        size_t used = 0;
        WEBRTC_STATUS st = ertc_http_parser_feed(&c->parser, data, len, &used);
        data += used;
        len -= used;
        c->request_bytes += used;
        if (st != WEBRTC_STATUS_SUCCESS) {
            answer_parse_error(c, st);
            return;
        }
        if (!ertc_http_parser_is_complete(&c->parser)) {
            if (ertc_http_parser_headers_complete(&c->parser)) {
                maybe_send_continue(c);
            }
            continue;
        }
        handle_request(c, data, len);
        if (c->state != SD_CONN_HTTP) {
            return; /* upgraded (the rest went to the WebSocket), closing or closed */
        }
        ertc_http_parser_reset(&c->parser);
        ertc_strbuf_reset(&c->body);
        c->continue_sent = false;
        c->request_bytes = 0;
        ertc_timer_start(sd_conn_loop(c), &c->timer, SD_HTTP_REQUEST_TIMEOUT_MS, 0);
    }
}
