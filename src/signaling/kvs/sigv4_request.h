/*
 * signaling/kvs/sigv4_request — parser for the AWS SigV4 test suite's ".req" request files,
 * used by the edgertc-sigv4 tool, the unit tests and the fuzzer.
 *
 * The format is an HTTP/1.1 request as text (RFC 9112 §3 and §5, loosely):
 *
 *   METHOD SP request-target SP HTTP-version LF
 *   Name:value LF            (any number; "Name: value" alike)
 *   SP continuation LF       (obsolete line folding: appended to the previous value with ',',
 *                             as the suite's get-header-value-multiline case expects)
 *   LF
 *   body                     (every byte to the end, as it is)
 *
 * Lines end in LF; a CR before the LF is dropped. The request target may hold raw spaces and
 * UTF-8 (the suite's get-space and get-utf8 cases), so the method ends at the first space and
 * the version starts after the last one. The parser is pure: method, path, query, names,
 * values and body point into the caller's text (which must outlive the result), except
 * folded values, which are built in the result's own fold buffer.
 */
#ifndef ERTC_SIGNALING_KVS_SIGV4_REQUEST_H
#define ERTC_SIGNALING_KVS_SIGV4_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "signaling/kvs/sigv4.h"
#include "webrtc_status.h"

#define ERTC_SIGV4_REQUEST_MAX_LEN   65536 /* longest request text accepted */
#define ERTC_SIGV4_REQUEST_FOLD_SIZE 4096  /* room for values built from continuation lines */

typedef struct {
    const char *method;
    size_t method_len;
    const char *path; /* request target before '?' */
    size_t path_len;
    const char *query; /* after '?'; NULL without '?' */
    size_t query_len;
    const char *version; /* "HTTP/1.1" */
    size_t version_len;
    ertc_sigv4_header_t headers[ERTC_SIGV4_MAX_HEADERS];
    size_t header_count;
    const uint8_t *body; /* NULL when the text has no blank line */
    size_t body_len;
    char method_z[ERTC_SIGV4_MAX_HEADER_NAME + 1]; /* the method, NUL-terminated */
    char fold[ERTC_SIGV4_REQUEST_FOLD_SIZE];
    size_t fold_used;
    size_t fold_header; /* 1 + index of the header whose value is in fold; 0 for none */
} ertc_sigv4_parsed_request_t;

/*
 * Parses text[0..len). MALFORMED for a bad request line, a header line without ':' or with a
 * name that is not an HTTP token, a continuation line before the first header, or a control
 * byte where none may be; LIMIT_EXCEEDED for input over ERTC_SIGV4_REQUEST_MAX_LEN, more than
 * ERTC_SIGV4_MAX_HEADERS headers, names/values/paths over the sigv4.h limits, or folded values
 * over ERTC_SIGV4_REQUEST_FOLD_SIZE. On failure *out is unspecified.
 */
WEBRTC_STATUS ertc_sigv4_request_parse(const char *text, size_t len,
                                       ertc_sigv4_parsed_request_t *out);

/* Fills a signer request (all headers signed, body as payload) from a parsed request. */
void ertc_sigv4_request_to_signable(const ertc_sigv4_parsed_request_t *parsed,
                                    ertc_sigv4_request_t *req);

#endif
