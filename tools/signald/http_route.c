/*
 * signald/http_route — request and response helpers for route modules (see http_route.h).
 */
#include "http_route.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sd_http_request_header(const sd_http_request_t *req, const char *name)
{
    return ertc_http_parser_header(req->parser, name);
}

bool sd_http_response_add_header(sd_http_response_t *resp, const char *name, const char *value)
{
    size_t len = strlen(value) + 1;
    if (resp->n_headers >= SD_HTTP_MAX_EXTRA_HEADERS ||
        len > sizeof(resp->value_store) - resp->value_store_used) {
        return false;
    }
    char *copy = resp->value_store + resp->value_store_used;
    memcpy(copy, value, len);
    resp->value_store_used += len;
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = copy;
    resp->n_headers++;
    return true;
}

void sd_http_respond_text(sd_http_response_t *resp, int status, const char *fmt, ...)
{
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    ertc_strbuf_reset(&resp->body);
    va_list ap;
    va_start(ap, fmt);
    ertc_strbuf_vappendf(&resp->body, fmt, ap);
    va_end(ap);
    ertc_strbuf_append_char(&resp->body, '\n');
}

void sd_http_respond_json(sd_http_response_t *resp, int status)
{
    resp->status = status;
    resp->content_type = "application/json";
    ertc_strbuf_reset(&resp->body);
}

void sd_http_respond_method_not_allowed(sd_http_response_t *resp, const sd_http_request_t *req,
                                        const char *allowed)
{
    sd_http_respond_text(resp, 405, "method %.16s not allowed on %.200s; use %s", req->method,
                         req->path, allowed);
    sd_http_response_add_header(resp, "Allow", allowed);
}
