/*
 * net/http_request — build HTTP/1.1 request and response messages (RFC 9112 §3, §4, §5)
 * into a bounded string builder (util/strbuf).
 *
 * The client side writes requests with ertc_http_build_request; edgertc-signald writes
 * responses with ertc_http_build_response. Both add the framing headers themselves (Host,
 * Content-Length) unless the caller supplied them, and both refuse, with INVALID_ARG and
 * before writing anything, a method, target, reason or header that would break the message
 * apart: a name that is not a token, or a CR, LF, NUL or other control character in a value
 * (header injection, RFC 9110 §5.5).
 */
#ifndef ERTC_NET_HTTP_REQUEST_H
#define ERTC_NET_HTTP_REQUEST_H

#include <stddef.h>

#include "util/strbuf.h"
#include "webrtc_status.h"

/* One header field to send; both strings NUL-terminated. */
typedef struct {
    const char *name;
    const char *value;
} ertc_http_header_t;

/*
 * Appends "method SP target SP HTTP/1.1", then Host (host_header, e.g. from
 * ertc_url_format_host_port), the extra headers in order, Content-Length, the blank line
 * and body[0..body_len) to out.
 *
 * Content-Length is added when there is a body, and for POST, PUT and PATCH even without
 * one (RFC 9110 §8.6). A Host or Content-Length among the extra headers (any case) is used
 * instead of the added one: host_header may then be NULL, and a Content-Length must equal
 * body_len. With Transfer-Encoding among them, the body is sent as given (already chunked)
 * and no Content-Length is added. Returns INVALID_ARG for bad input (nothing written), or
 * out's failure status (BUFFER_TOO_SMALL, LIMIT_EXCEEDED, NOT_ENOUGH_MEMORY: out then holds
 * a partial message, as strbuf failures always leave it).
 */
WEBRTC_STATUS ertc_http_build_request(ertc_strbuf_t *out, const char *method,
                                      const char *host_header, const char *target,
                                      const ertc_http_header_t *extra, size_t n_extra,
                                      const void *body, size_t body_len);

/*
 * Appends "HTTP/1.1 status reason", the headers in order, Content-Length, the blank line and
 * the body. reason NULL means the standard phrase (ertc_http_reason_phrase). 1xx, 204 and 304
 * responses get no Content-Length and must have no body (RFC 9110 §8.6, §15.4.5); other
 * statuses get Content-Length: body_len unless the headers hold Content-Length (which must
 * equal body_len) or Transfer-Encoding. status must be 100-599. Failures as for requests.
 */
WEBRTC_STATUS ertc_http_build_response(ertc_strbuf_t *out, int status, const char *reason,
                                       const ertc_http_header_t *headers, size_t n_headers,
                                       const void *body, size_t body_len);

/* The standard reason phrase of a status code ("Switching Protocols"); "" when unknown. */
const char *ertc_http_reason_phrase(int status);

#endif
