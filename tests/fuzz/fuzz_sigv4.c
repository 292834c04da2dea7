/*
 * libFuzzer target for signaling/kvs/sigv4_request (the .req parser) and the SigV4
 * canonicaliser. Input is a request in the AWS test suite's .req format. On every request the
 * parser accepts, checks that its spans lie inside the input (or the fold buffer), then signs
 * it twice with fixed credentials: both runs must agree, the canonical request must start
 * with the method and end with a 64-digit payload hash, and the Authorization must name
 * exactly the signed headers of the canonical request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/sigv4.h"
#include "signaling/kvs/sigv4_request.h"
#include "util/alloc.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

static int inside(const void *p, size_t len, const void *buf, size_t size)
{
    const char *c = p;
    const char *b = buf;
    return c >= b && len <= size && (size_t)(c - b) <= size - len;
}

static void check_spans(const char *text, size_t size, const ertc_sigv4_parsed_request_t *p)
{
    require(p->method_len > 0 && inside(p->method, p->method_len, text, size));
    require(strlen(p->method_z) == p->method_len);
    require(p->path_len > 0 && p->path[0] == '/' && inside(p->path, p->path_len, text, size));
    require(p->query == NULL || inside(p->query, p->query_len, text, size));
    require(p->header_count <= ERTC_SIGV4_MAX_HEADERS);
    require(p->fold_used <= sizeof(p->fold));
    for (size_t i = 0; i < p->header_count; i++) {
        const ertc_sigv4_header_t *h = &p->headers[i];
        require(h->name_len > 0 && inside(h->name, h->name_len, text, size));
        require(h->value_len == 0 || inside(h->value, h->value_len, text, size) ||
                inside(h->value, h->value_len, p->fold, p->fold_used));
    }
    require(p->body == NULL || inside(p->body, p->body_len, text, size));
}

static WEBRTC_STATUS sign(const ertc_sigv4_request_t *req, ertc_strbuf_t *authz,
                          ertc_strbuf_t *creq, ertc_strbuf_t *list)
{
    static const ertc_sigv4_params_t params = {
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "token",       "us-east-1",
        "service",     "20150830T123600Z"};
    ertc_sigv4_debug_t dbg = {creq, NULL, list};
    return ertc_sigv4_sign_headers(&params, req, ERTC_SIGV4_SIGN_TOKEN, authz, &dbg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ertc_log_set_level(ERTC_LOG_SILENT);
    const char *text = (const char *)data;
    ertc_sigv4_parsed_request_t *p = ertc_malloc(sizeof(*p));
    require(p != NULL);
    if (ertc_sigv4_request_parse(text, size, p) != WEBRTC_STATUS_SUCCESS) {
        ertc_free(p);
        return 0;
    }
    check_spans(text, size, p);

    ertc_sigv4_request_t req;
    ertc_sigv4_request_to_signable(p, &req);
    ertc_strbuf_t a1, a2, c1, c2, l1, l2;
    ertc_strbuf_init_heap(&a1, 4096);
    ertc_strbuf_init_heap(&a2, 4096);
    ertc_strbuf_init_heap(&c1, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&c2, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&l1, 4096);
    ertc_strbuf_init_heap(&l2, 4096);
    WEBRTC_STATUS s1 = sign(&req, &a1, &c1, &l1);
    WEBRTC_STATUS s2 = sign(&req, &a2, &c2, &l2);
    require(s1 == s2);
    if (s1 == WEBRTC_STATUS_SUCCESS) {
        require(strcmp(ertc_strbuf_cstr(&a1), ertc_strbuf_cstr(&a2)) == 0);
        require(strcmp(ertc_strbuf_cstr(&c1), ertc_strbuf_cstr(&c2)) == 0);
        const char *creq = ertc_strbuf_cstr(&c1);
        size_t creq_len = ertc_strbuf_len(&c1);
        require(strncmp(creq, p->method_z, p->method_len) == 0 && creq[p->method_len] == '\n');
        require(creq_len > 65 && creq[creq_len - 65] == '\n');
        for (size_t i = creq_len - 64; i < creq_len; i++) {
            require((creq[i] >= '0' && creq[i] <= '9') || (creq[i] >= 'a' && creq[i] <= 'f'));
        }
        /* The canonical request holds "\n<list>\n<hash>" and the Authorization names the list. */
        const char *list = ertc_strbuf_cstr(&l1);
        size_t list_len = ertc_strbuf_len(&l1);
        require(list_len > 0 && creq_len > list_len + 66);
        require(memcmp(creq + creq_len - 65 - list_len, list, list_len) == 0);
        const char *sh = strstr(ertc_strbuf_cstr(&a1), "SignedHeaders=");
        require(sh != NULL && strncmp(sh + 14, list, list_len) == 0 && sh[14 + list_len] == ',');
        require(strstr(list, "x-amz-date") != NULL);
        /* Canonical query and URI are fully encoded: no raw byte outside the allowed set. */
        const char *nl1 = strchr(creq, '\n');
        const char *nl3 = strchr(strchr(nl1 + 1, '\n') + 1, '\n');
        for (const char *c = nl1 + 1; c < nl3; c++) {
            require(*c == '\n' || *c == '/' || *c == '%' || *c == '=' || *c == '&' || *c == '-' ||
                    *c == '.' || *c == '_' || *c == '~' || (*c >= '0' && *c <= '9') ||
                    (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'));
        }
    }
    ertc_strbuf_free(&a1);
    ertc_strbuf_free(&a2);
    ertc_strbuf_free(&c1);
    ertc_strbuf_free(&c2);
    ertc_strbuf_free(&l1);
    ertc_strbuf_free(&l2);
    ertc_free(p);
    return 0;
}
