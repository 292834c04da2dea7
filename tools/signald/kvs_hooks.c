/*
 * signald/kvs_hooks — test hooks of the KVS emulator, served only with --kvs-test-hooks and
 * only on the KVS listener. They make the service events a test cannot otherwise provoke:
 *
 *   POST /_test/goaway?channel=NAME[&client=ID|master]        sends {"messageType":"GO_AWAY"}
 *   POST /_test/reconnect-ice?channel=NAME[&client=ID|master] sends RECONNECT_ICE_SERVER
 *   POST /_test/drop?channel=NAME[&client=ID|master]          closes sockets without a close
 *                                                             frame (a network failure)
 *   POST /_test/close?channel=NAME[&client=..][&code=1001]    closes sockets with a close frame
 *                                                             (the service's "1001 Going away"
 *                                                             at its connection lifetime)
 *   GET  /_test/channel?channel=NAME                          {"name","arn","master":bool,
 *                                                              "viewers":[ids]}
 *
 * Without client, every socket of the channel is affected. The answers are JSON:
 * {"clients":N} with the number of sockets reached. No SigV4: these are not AWS APIs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvs_sigv4_verify.h"
#include "kvs_state.h"
#include "util/log.h"

#define TAG "kvs-emu"

typedef enum { HOOK_GOAWAY, HOOK_RECONNECT_ICE, HOOK_DROP, HOOK_CLOSE } hook_t;

static bool selected(const kvs_client_t *c, const char *client)
{
    if (client[0] == '\0') {
        return true;
    }
    return c->master ? strcmp(client, "master") == 0 : strcmp(client, c->id) == 0;
}

static size_t apply(kvs_channel_t *ch, hook_t hook, const char *client, uint16_t code)
{
    /* Collect first: a drop changes the channel's lists while we walk them. */
    kvs_client_t *targets[SD_KVS_MAX_VIEWERS + 1];
    size_t n = 0;
    if (ch->master != NULL && selected(ch->master, client)) {
        targets[n++] = ch->master;
    }
    for (size_t i = 0; i < ch->n_viewers; i++) {
        if (selected(ch->viewers[i], client)) {
            targets[n++] = ch->viewers[i];
        }
    }
    size_t reached = 0;
    for (size_t i = 0; i < n; i++) {
        kvs_client_t *c = targets[i];
        if (hook == HOOK_DROP || hook == HOOK_CLOSE) {
            reached += c->ws != NULL;
            kvs_client_evict(c, hook == HOOK_DROP ? 0 : code, "Going away");
            continue;
        }
        char text[64];
        snprintf(text, sizeof(text), "{\"messageType\":\"%s\"}",
                 hook == HOOK_GOAWAY ? "GO_AWAY" : "RECONNECT_ICE_SERVER");
        reached += kvs_client_send(c, text, strlen(text));
    }
    return reached;
}

static void describe_channel(const kvs_channel_t *ch, sd_http_response_t *resp)
{
    sd_http_respond_json(resp, 200);
    ertc_strbuf_t *b = &resp->body;
    ertc_strbuf_append_str(b, "{\"name\":");
    ertc_strbuf_append_json_string(b, ch->name, strlen(ch->name));
    ertc_strbuf_append_str(b, ",\"arn\":");
    ertc_strbuf_append_json_string(b, ch->arn, strlen(ch->arn));
    ertc_strbuf_appendf(b, ",\"master\":%s,\"viewers\":[",
                        ch->master != NULL && ch->master->ws != NULL ? "true" : "false");
    bool first = true;
    for (size_t i = 0; i < ch->n_viewers; i++) {
        if (ch->viewers[i]->ws != NULL) {
            ertc_strbuf_appendf(b, "%s\"%s\"", first ? "" : ",", ch->viewers[i]->id);
            first = false;
        }
    }
    ertc_strbuf_append_str(b, "]}");
}

sd_route_result_t kvs_hooks_route(sd_kvs_t *k, const sd_http_request_t *req,
                                  sd_http_response_t *resp)
{
    static const struct {
        const char *path;
        hook_t hook;
    } HOOKS[] = {
        {"/_test/goaway", HOOK_GOAWAY},
        {"/_test/reconnect-ice", HOOK_RECONNECT_ICE},
        {"/_test/drop", HOOK_DROP},
        {"/_test/close", HOOK_CLOSE},
    };
    char name[SD_KVS_MAX_NAME_LEN + 1];
    char client[KVS_MAX_ID_LEN + 1] = "";
    if (kvs_query_get(req->query, "channel", name, sizeof(name)) != WEBRTC_STATUS_SUCCESS) {
        sd_http_respond_text(resp, 400, "the query must name the channel: ?channel=NAME");
        return SD_ROUTE_DONE;
    }
    kvs_query_get(req->query, "client", client, sizeof(client));
    char code_text[8] = "1001";
    kvs_query_get(req->query, "code", code_text, sizeof(code_text));
    char *end = NULL;
    long code = strtol(code_text, &end, 10);
    if (*end != '\0' || !ertc_ws_is_valid_close_code((uint16_t)code) || code < 1000 ||
        code > 4999) {
        sd_http_respond_text(resp, 400, "code must be a WebSocket close code a server may send");
        return SD_ROUTE_DONE;
    }
    kvs_channel_t *ch = kvs_channel_by_name(k, name);
    if (ch == NULL) {
        sd_http_respond_text(resp, 404, "no channel %.64s", name);
        return SD_ROUTE_DONE;
    }
    if (strcmp(req->path, "/_test/channel") == 0) {
        if (strcmp(req->method, "GET") != 0) {
            sd_http_respond_method_not_allowed(resp, req, "GET");
        } else {
            describe_channel(ch, resp);
        }
        return SD_ROUTE_DONE;
    }
    for (size_t i = 0; i < sizeof(HOOKS) / sizeof(HOOKS[0]); i++) {
        if (strcmp(req->path, HOOKS[i].path) != 0) {
            continue;
        }
        if (strcmp(req->method, "POST") != 0) {
            sd_http_respond_method_not_allowed(resp, req, "POST");
            return SD_ROUTE_DONE;
        }
        size_t n = apply(ch, HOOKS[i].hook, client, (uint16_t)code);
        ERTC_LOGI(TAG, "test hook %s on %s: %zu sockets", req->path, ch->name, n);
        sd_http_respond_json(resp, 200);
        ertc_strbuf_appendf(&resp->body, "{\"clients\":%zu}", n);
        return SD_ROUTE_DONE;
    }
    sd_http_respond_text(resp, 404, "no test hook %.64s", req->path);
    return SD_ROUTE_DONE;
}
