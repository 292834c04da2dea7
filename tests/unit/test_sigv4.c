/*
 * Unit tests for signaling/kvs/sigv4 and sigv4_request: every case folder of the AWS SigV4
 * test suite (found at run time, counted, none skipped), KVS-style presigned wss URLs, header
 * signing with and without a signed session token, clock skew, limits, the .req parser, and
 * that no log line ever carries the secret key, the session token or a signature.
 *
 * The suite lives in <repo>/../shared/vectors/sigv4 (derived from __FILE__), or wherever
 * the environment variable ERTC_TEST_SIGV4 points.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signaling/kvs/sigv4.h"
#include "signaling/kvs/sigv4_request.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/url.h"

/* Inputs common to every case (vectors/sigv4/README.md). */
#define SUITE_AKID    "AKIDEXAMPLE"
#define SUITE_SECRET  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION  "us-east-1"
#define SUITE_SERVICE "service"
#define SUITE_DATE    "20150830T123600Z"
/* post-sts-token-readme.txt */
#define SUITE_TOKEN                                                                                \
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP" \
    "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYw"  \
    "T7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqK"   \
    "mlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
#define MAX_FILE     (256 * 1024)
#define MAX_PATH_LEN 1024

static const ertc_sigv4_params_t SUITE_PARAMS = {SUITE_AKID,   SUITE_SECRET,  NULL,
                                                 SUITE_REGION, SUITE_SERVICE, SUITE_DATE};

/* ---- files ------------------------------------------------------------------------------- */

static void vectors_dir(char *out, size_t size)
{
    const char *env = getenv("ERTC_TEST_SIGV4");
    if (env != NULL && env[0] != '\0') {
        snprintf(out, size, "%s", env);
        return;
    }
    /* __FILE__ is <repo>/tests/unit/test_sigv4.c: drop three components. */
    char file[MAX_PATH_LEN];
    snprintf(file, sizeof(file), "%s", __FILE__);
    for (int i = 0; i < 3; i++) {
        char *slash = strrchr(file, '/');
        if (slash == NULL) {
            snprintf(file, sizeof(file), ".");
            break;
        }
        *slash = '\0';
    }
    snprintf(out, size, "%s/../shared/vectors/sigv4", file[0] != '\0' ? file : "/");
}

/* Reads a whole file into a heap buffer (NUL-terminated); NULL when it does not exist. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, MAX_FILE, f);
    fclose(f);
    buf[n] = '\0';
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

static char *read_case_file(const char *dir, const char *name, const char *ext, size_t *len)
{
    char path[MAX_PATH_LEN * 4];
    snprintf(path, sizeof(path), "%s/%s/%s.%s", dir, name, name, ext);
    char *text = read_file(path, len);
    if (text == NULL) {
        fail_msg("vector case %s: cannot read %s", name, path);
    }
    return text;
}

/* ---- the AWS suite ----------------------------------------------------------------------- */

static bool same_text(const char *what, const char *name, const char *got, size_t got_len,
                      const char *want, size_t want_len)
{
    if (got_len == want_len && memcmp(got, want, got_len) == 0) {
        return true;
    }
    print_error("%s: %s differs\n--- expected ---\n%.*s\n--- got ---\n%.*s\n", name, what,
                (int)want_len, want, (int)got_len, got);
    return false;
}

/* The x-www-form-urlencoded quirk: .sts/.authz come from another request, so the signature
 * is checked as HMAC(signing key, .sts) against .authz. */
static bool check_signature_from_sts(const char *name, const char *sts, size_t sts_len,
                                     const char *authz, size_t authz_len)
{
    const char *sh = strstr(authz, "SignedHeaders=");
    const char *comma = sh != NULL ? strchr(sh, ',') : NULL;
    if (comma == NULL) {
        print_error("%s: .authz has no SignedHeaders\n", name);
        return false;
    }
    char list[256];
    size_t list_len = (size_t)(comma - sh) - strlen("SignedHeaders=");
    snprintf(list, sizeof(list), "%.*s", (int)list_len, sh + strlen("SignedHeaders="));

    uint8_t key[ERTC_SIGV4_KEY_LEN];
    assert_int_equal(
        ertc_sigv4_derive_signing_key(SUITE_SECRET, SUITE_DATE, SUITE_REGION, SUITE_SERVICE, key),
        WEBRTC_STATUS_SUCCESS);
    char sig[ERTC_SIGV4_HEX_SHA256_SIZE];
    ertc_sigv4_compute_signature(key, sts, sts_len, sig);
    char buf[512];
    ertc_strbuf_t out;
    ertc_strbuf_init_fixed(&out, buf, sizeof(buf));
    assert_int_equal(ertc_sigv4_format_authorization(SUITE_AKID, SUITE_DATE, SUITE_REGION,
                                                     SUITE_SERVICE, list, sig, &out),
                     WEBRTC_STATUS_SUCCESS);
    return same_text("authorization (from .sts)", name, ertc_strbuf_cstr(&out),
                     ertc_strbuf_len(&out), authz, authz_len);
}

static bool run_case(const char *dir, const char *name)
{
    size_t req_len, creq_len, sts_len, authz_len;
    char *req_text = read_case_file(dir, name, "req", &req_len);
    char *creq_want = read_case_file(dir, name, "creq", &creq_len);
    char *sts_want = read_case_file(dir, name, "sts", &sts_len);
    char *authz_want = read_case_file(dir, name, "authz", &authz_len);

    ertc_sigv4_parsed_request_t *parsed = malloc(sizeof(*parsed));
    assert_non_null(parsed);
    bool ok = true;
    WEBRTC_STATUS st = ertc_sigv4_request_parse(req_text, req_len, parsed);
    if (st != WEBRTC_STATUS_SUCCESS) {
        print_error("%s: parsing .req failed with status %u\n", name, (unsigned)st);
        ok = false;
    }
    bool form_quirk = strncmp(name, "post-x-www-form-urlencoded", 26) == 0;
    bool sts_after = strcmp(name, "post-sts-header-after") == 0;

    ertc_strbuf_t creq, sts, authz;
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&sts, 1024);
    ertc_strbuf_init_heap(&authz, 1024);
    if (ok) {
        ertc_sigv4_request_t req;
        ertc_sigv4_request_to_signable(parsed, &req);
        ertc_sigv4_params_t params = SUITE_PARAMS;
        if (strncmp(name, "post-sts-", 9) == 0) {
            /* -after: the token header is added after signing (flag off, not in the .req);
             * -before: the .req carries it, so it is signed as any header. */
            params.session_token = SUITE_TOKEN;
        }
        ertc_sigv4_debug_t dbg = {&creq, &sts, NULL};
        st = ertc_sigv4_sign_headers(&params, &req, 0, &authz, &dbg);
        if (st != WEBRTC_STATUS_SUCCESS) {
            print_error("%s: signing failed with status %u\n", name, (unsigned)st);
            ok = false;
        }
    }
    if (ok) {
        ok = same_text("canonical request", name, ertc_strbuf_cstr(&creq), ertc_strbuf_len(&creq),
                       creq_want, creq_len);
        if (form_quirk) {
            ok = check_signature_from_sts(name, sts_want, sts_len, authz_want, authz_len) && ok;
        } else {
            ok = same_text("string to sign", name, ertc_strbuf_cstr(&sts), ertc_strbuf_len(&sts),
                           sts_want, sts_len) &&
                 ok;
            ok = same_text("authorization", name, ertc_strbuf_cstr(&authz), ertc_strbuf_len(&authz),
                           authz_want, authz_len) &&
                 ok;
        }
        if (sts_after && strstr(ertc_strbuf_cstr(&creq), "x-amz-security-token") != NULL) {
            print_error("%s: the token must not be signed\n", name);
            ok = false;
        }
    }
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&sts);
    ertc_strbuf_free(&authz);
    free(parsed);
    free(req_text);
    free(creq_want);
    free(sts_want);
    free(authz_want);
    return ok;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_aws_suite_every_case(void **state)
{
    (void)state;
    char dir[MAX_PATH_LEN * 2];
    vectors_dir(dir, sizeof(dir));
    DIR *d = opendir(dir);
    if (d == NULL) {
        fail_msg("cannot open the SigV4 vectors at %s (set ERTC_TEST_SIGV4)", dir);
    }
    char *names[256];
    size_t folders = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[MAX_PATH_LEN * 4];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            assert_true(folders < sizeof(names) / sizeof(names[0]));
            names[folders++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, folders, sizeof(names[0]), compare_names);

    size_t run = 0;
    size_t passed = 0;
    for (size_t i = 0; i < folders; i++) {
        run++;
        if (run_case(dir, names[i])) {
            passed++;
        } else {
            print_error("FAILED vector case %s\n", names[i]);
        }
        free(names[i]);
    }
    print_message("SigV4 suite: %zu/%zu cases passed (%zu folders in %s)\n", passed, run, folders,
                  dir);
    /* Every folder is a case; the suite as copied has 21 of them. */
    assert_int_equal(run, folders);
    assert_true(folders >= 21);
    assert_int_equal(passed, folders);
}

/* ---- pieces -------------------------------------------------------------------------------- */

static void canonical(const char *req_text, ertc_strbuf_t *creq)
{
    ertc_sigv4_parsed_request_t *parsed = malloc(sizeof(*parsed));
    assert_non_null(parsed);
    assert_int_equal(ertc_sigv4_request_parse(req_text, strlen(req_text), parsed),
                     WEBRTC_STATUS_SUCCESS);
    ertc_sigv4_request_t req;
    ertc_sigv4_request_to_signable(parsed, &req);
    assert_int_equal(ertc_sigv4_build_canonical_request(&req, creq, NULL), WEBRTC_STATUS_SUCCESS);
    free(parsed);
}

static void test_multiline_header_and_crlf(void **state)
{
    (void)state;
    char buf[2048];
    ertc_strbuf_t creq;
    ertc_strbuf_init_fixed(&creq, buf, sizeof(buf));
    canonical("GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\nMy-Header1:value1\r\n  value2\r\n"
              "     value3\r\nX-Amz-Date:20150830T123600Z\r\n",
              &creq);
    assert_non_null(strstr(buf, "\nmy-header1:value1,value2,value3\n"));
    assert_non_null(strstr(buf, "\nhost;my-header1;x-amz-date\n"));
}

static void test_path_and_query_rules(void **state)
{
    (void)state;
    static const struct {
        const char *target;
        const char *uri;
        const char *query;
    } cases[] = {
        {"/a/b/../c/./d", "/a/c/d", ""},
        {"/a/b/..", "/a/", ""},
        {"//a//b//", "/a/b/", ""},
        {"/../..", "/", ""},
        {"/%20x", "/%2520x", ""}, /* non-S3 paths are encoded once more */
        {"/?b=2&a=1&a", "/", "a=&a=1&b=2"},
        {"/?k=a+b&k=a%20b&&x", "/", "k=a%20b&k=a%2Bb&x="},
        {"/?%E1%88%b4=%7e", "/", "%E1%88%B4=~"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\nHost:h\n", cases[i].target);
        char buf[2048];
        ertc_strbuf_t creq;
        ertc_strbuf_init_fixed(&creq, buf, sizeof(buf));
        canonical(text, &creq);
        char want[512];
        snprintf(want, sizeof(want), "GET\n%s\n%s\nhost:h\n", cases[i].uri, cases[i].query);
        if (strncmp(buf, want, strlen(want)) != 0) {
            fail_msg("%s: got\n%s\nexpected prefix\n%s", cases[i].target, buf, want);
        }
    }
}

static void test_parser_rejects(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "GET\n",
        "GET /\n",
        "GET / FTP/1\n",
        "GET x HTTP/1.1\n",
        "GET / HTTP/1.1\n continuation-first\n",
        "GET / HTTP/1.1\nNoColon\n",
        "GET / HTTP/1.1\nBad Name:v\n",
        "GET / HTTP/1.1\n:v\n",
        "G(T / HTTP/1.1\n",
        "GET /\x01 HTTP/1.1\n",
    };
    ertc_sigv4_parsed_request_t *p = malloc(sizeof(*p));
    assert_non_null(p);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        WEBRTC_STATUS st = ertc_sigv4_request_parse(bad[i], strlen(bad[i]), p);
        if (st != WEBRTC_STATUS_MALFORMED) {
            fail_msg("case %zu: status %u, expected MALFORMED", i, (unsigned)st);
        }
    }
    free(p);
}

static void test_limits(void **state)
{
    (void)state;
    char *big = malloc(ERTC_SIGV4_MAX_PATH + 64);
    assert_non_null(big);
    memset(big, 'a', ERTC_SIGV4_MAX_PATH + 63);
    big[ERTC_SIGV4_MAX_PATH + 63] = '\0';

    ertc_sigv4_header_t h = {"Host", 4, "example.com", 11};
    ertc_sigv4_request_t req = {
        .method = "GET", .path = big, .path_len = strlen(big), .headers = &h, .header_count = 1};
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, 65536);
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_strbuf_len(&out), 0);

    /* An overlong header value. */
    char *value = malloc(ERTC_SIGV4_MAX_HEADER_VALUE + 2);
    assert_non_null(value);
    memset(value, 'v', ERTC_SIGV4_MAX_HEADER_VALUE + 1);
    ertc_sigv4_header_t hv[2] = {{"Host", 4, "h", 1},
                                 {"X-Big", 5, value, ERTC_SIGV4_MAX_HEADER_VALUE + 1}};
    req.path = "/";
    req.path_len = 1;
    req.headers = hv;
    req.header_count = 2;
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);

    /* Too many headers: the added X-Amz-Date would be one too many. */
    ertc_sigv4_header_t many[ERTC_SIGV4_MAX_HEADERS];
    for (size_t i = 0; i < ERTC_SIGV4_MAX_HEADERS; i++) {
        many[i] = (ertc_sigv4_header_t){"X-H", 3, "v", 1};
    }
    req.headers = many;
    req.header_count = ERTC_SIGV4_MAX_HEADERS;
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);

    /* Header injection and a bad name. */
    ertc_sigv4_header_t crlf[1] = {{"X-A", 3, "a\r\nX-B: b", 9}};
    req.headers = crlf;
    req.header_count = 1;
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    ertc_sigv4_header_t spaced[1] = {{"X A", 3, "a", 1}};
    req.headers = spaced;
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_INVALID_ARG);

    /* A fixed output too small: refused whole, never cut short. */
    char small[40];
    ertc_strbuf_t fixed;
    ertc_strbuf_init_fixed(&fixed, small, sizeof(small));
    req.headers = &h;
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &fixed, NULL),
                     WEBRTC_STATUS_BUFFER_TOO_SMALL);

    /* Parser limits. */
    ertc_sigv4_parsed_request_t *p = malloc(sizeof(*p));
    assert_non_null(p);
    char *text = malloc(ERTC_SIGV4_MAX_PATH + 128);
    assert_non_null(text);
    snprintf(text, ERTC_SIGV4_MAX_PATH + 128, "GET /%s HTTP/1.1\n", big);
    assert_int_equal(ertc_sigv4_request_parse(text, strlen(text), p), WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(ertc_sigv4_request_parse(text, ERTC_SIGV4_REQUEST_MAX_LEN + 1, p),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);

    /* Bad parameters. */
    ertc_sigv4_params_t params = SUITE_PARAMS;
    params.amz_date = "20150830 123600Z";
    assert_int_equal(ertc_sigv4_sign_headers(&params, &req, 0, &out, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    params = SUITE_PARAMS;
    params.region = "us/east";
    assert_int_equal(ertc_sigv4_sign_headers(&params, &req, 0, &out, NULL),
                     WEBRTC_STATUS_INVALID_ARG);

    ertc_strbuf_free(&out);
    free(text);
    free(p);
    free(value);
    free(big);
}

/* ---- header signing ---------------------------------------------------------------------- */

static void sign_post(unsigned flags, const char *token, ertc_strbuf_t *authz, ertc_strbuf_t *creq)
{
    static const char body[] = "{\"ChannelName\":\"demo\"}";
    ertc_sigv4_header_t h[] = {
        {"Host", 4, "kinesisvideo.us-west-2.amazonaws.com", 36},
        {"Content-Type", 12, "application/json", 16},
        {"User-Agent", 10, "edgertc/0.1", 11},
    };
    ertc_sigv4_request_t req = {.method = "POST",
                                .path = "/describeSignalingChannel",
                                .path_len = 25,
                                .headers = h,
                                .header_count = 3,
                                .payload = (const uint8_t *)body,
                                .payload_len = sizeof(body) - 1};
    ertc_sigv4_params_t p = {SUITE_AKID,  SUITE_SECRET,   token,
                             "us-west-2", "kinesisvideo", "20230102T030405Z"};
    ertc_sigv4_debug_t dbg = {creq, NULL, NULL};
    assert_int_equal(ertc_sigv4_sign_headers(&p, &req, flags, authz, &dbg), WEBRTC_STATUS_SUCCESS);
}

static void test_sign_headers_token(void **state)
{
    (void)state;
    char a1[512], a2[512], c1[4096], c2[4096];
    ertc_strbuf_t authz1, authz2, creq1, creq2;
    ertc_strbuf_init_fixed(&authz1, a1, sizeof(a1));
    ertc_strbuf_init_fixed(&authz2, a2, sizeof(a2));
    ertc_strbuf_init_fixed(&creq1, c1, sizeof(c1));
    ertc_strbuf_init_fixed(&creq2, c2, sizeof(c2));

    sign_post(ERTC_SIGV4_SIGN_TOKEN, "TOKEN123", &authz1, &creq1);
    assert_non_null(strstr(a1, "SignedHeaders=content-type;host;user-agent;x-amz-date;"
                               "x-amz-security-token, Signature="));
    assert_non_null(strstr(c1, "\nx-amz-security-token:TOKEN123\n"));
    assert_non_null(strstr(c1, "\nx-amz-date:20230102T030405Z\n"));
    assert_non_null(
        strstr(a1, "Credential=AKIDEXAMPLE/20230102/us-west-2/kinesisvideo/aws4_request"));

    sign_post(0, "TOKEN123", &authz2, &creq2);
    assert_non_null(strstr(a2, "SignedHeaders=content-type;host;user-agent;x-amz-date, "));
    assert_null(strstr(c2, "security-token"));
    assert_string_not_equal(a1, a2);

    /* Deterministic for fixed inputs. */
    char a3[512], c3[4096];
    ertc_strbuf_t authz3, creq3;
    ertc_strbuf_init_fixed(&authz3, a3, sizeof(a3));
    ertc_strbuf_init_fixed(&creq3, c3, sizeof(c3));
    sign_post(ERTC_SIGV4_SIGN_TOKEN, "TOKEN123", &authz3, &creq3);
    assert_string_equal(a1, a3);
}

static void test_sign_headers_date_mismatch(void **state)
{
    (void)state;
    ertc_sigv4_header_t h[] = {{"Host", 4, "h", 1}, {"X-Amz-Date", 10, "20150830T123601Z", 16}};
    ertc_sigv4_request_t req = {.method = "GET", .headers = h, .header_count = 2};
    char buf[512];
    ertc_strbuf_t out;
    ertc_strbuf_init_fixed(&out, buf, sizeof(buf));
    assert_int_equal(ertc_sigv4_sign_headers(&SUITE_PARAMS, &req, 0, &out, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
}

/* ---- presigned URLs ---------------------------------------------------------------------- */

#define KVS_HOST  "m-1234abcd.kinesisvideo.us-west-2.amazonaws.com"
#define KVS_ARN   "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo-channel/1234567890123"
#define KVS_TOKEN "FwoGZXIvYXdzEXAMPLE+token/with=chars"
/* Computed with an independent SigV4 implementation (Python hmac/hashlib). */
#define KVS_QUERY                                                                                  \
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-ChannelARN=arn%3Aaws%3Akinesisvideo%3Aus-west-2%"      \
    "3A123456789012%3Achannel%2Fdemo-channel%2F1234567890123&X-Amz-ClientId=viewer-1&X-Amz-"       \
    "Credential=AKIDEXAMPLE%2F20230102%2Fus-west-2%2Fkinesisvideo%2Faws4_request&X-Amz-Date="      \
    "20230102T030405Z&X-Amz-Expires=299&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE%2Btoken%2Fwith%"  \
    "3Dchars&X-Amz-SignedHeaders=host"
#define KVS_SIGNATURE "b1764441ef7d0051f1c80888c28738eb5f51fee41e68b3d6251cd165689c1e2c"

static WEBRTC_STATUS presign(const char *url, const char *date, ertc_strbuf_t *out,
                             ertc_sigv4_debug_t *dbg)
{
    ertc_sigv4_params_t p = {SUITE_AKID,  SUITE_SECRET,   KVS_TOKEN,
                             "us-west-2", "kinesisvideo", date};
    ertc_sigv4_query_param_t extra[] = {{"X-Amz-ClientId", "viewer-1"},
                                        {"X-Amz-ChannelARN", KVS_ARN}};
    return ertc_sigv4_presign_url(&p, url, strlen(url), extra, 2, 299, out, dbg);
}

static void test_presign_kvs_url(void **state)
{
    (void)state;
    ertc_strbuf_t url, creq, sts;
    ertc_strbuf_init_heap(&url, ERTC_URL_MAX_LEN);
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&sts, 1024);
    ertc_sigv4_debug_t dbg = {&creq, &sts, NULL};
    assert_int_equal(presign("wss://" KVS_HOST, "20230102T030405Z", &url, &dbg),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&url),
                        "wss://" KVS_HOST "/?" KVS_QUERY "&X-Amz-Signature=" KVS_SIGNATURE);
    assert_string_equal(ertc_strbuf_cstr(&creq), "GET\n/\n" KVS_QUERY "\nhost:" KVS_HOST
                                                 "\n\nhost\n" ERTC_SIGV4_EMPTY_PAYLOAD_SHA256);

    /* The URL parses and its parameters are sorted. */
    ertc_url_t parsed;
    assert_int_equal(ertc_url_parse(ertc_strbuf_cstr(&url), ertc_strbuf_len(&url), &parsed),
                     WEBRTC_STATUS_SUCCESS);
    const char *prev = NULL;
    size_t prev_len = 0;
    const char *q = parsed.query;
    const char *end = parsed.query + parsed.query_len;
    const char *sig_param = strstr(q, "&X-Amz-Signature=");
    assert_non_null(sig_param);
    while (q < sig_param) {
        const char *eq = memchr(q, '=', (size_t)(end - q));
        assert_non_null(eq);
        if (prev != NULL) {
            size_t n = prev_len < (size_t)(eq - q) ? prev_len : (size_t)(eq - q);
            assert_true(memcmp(prev, q, n) <= 0);
        }
        prev = q;
        prev_len = (size_t)(eq - q);
        const char *amp = memchr(q, '&', (size_t)(end - q));
        q = amp != NULL ? amp + 1 : end;
    }

    /* Deterministic for fixed inputs, different for another time. */
    ertc_strbuf_t again, later;
    ertc_strbuf_init_heap(&again, ERTC_URL_MAX_LEN);
    ertc_strbuf_init_heap(&later, ERTC_URL_MAX_LEN);
    assert_int_equal(presign("wss://" KVS_HOST, "20230102T030405Z", &again, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(presign("wss://" KVS_HOST, "20230102T030406Z", &later, NULL),
                     WEBRTC_STATUS_SUCCESS);
    assert_string_equal(ertc_strbuf_cstr(&url), ertc_strbuf_cstr(&again));
    assert_string_not_equal(ertc_strbuf_cstr(&url), ertc_strbuf_cstr(&later));

    ertc_strbuf_free(&url);
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&sts);
    ertc_strbuf_free(&again);
    ertc_strbuf_free(&later);
}

static void test_presign_errors_and_variants(void **state)
{
    (void)state;
    ertc_strbuf_t url;
    ertc_strbuf_init_heap(&url, ERTC_URL_MAX_LEN);
    assert_int_equal(presign("not a url", "20230102T030405Z", &url, NULL), WEBRTC_STATUS_MALFORMED);
    assert_int_equal(ertc_strbuf_len(&url), 0);

    ertc_sigv4_params_t p = {SUITE_AKID,  SUITE_SECRET,   NULL,
                             "us-west-2", "kinesisvideo", "20230102T030405Z"};
    const char *u = "wss://" KVS_HOST ":8443/path?b=2";
    assert_int_equal(ertc_sigv4_presign_url(&p, u, strlen(u), NULL, 0, 0, &url, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(
        ertc_sigv4_presign_url(&p, u, strlen(u), NULL, 0, ERTC_SIGV4_MAX_EXPIRES + 1, &url, NULL),
        WEBRTC_STATUS_INVALID_ARG);

    /* Without a token, a port and the URL's own query parameter (signed, sorted first). */
    ertc_strbuf_t creq;
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_sigv4_debug_t dbg = {&creq, NULL, NULL};
    assert_int_equal(ertc_sigv4_presign_url(&p, u, strlen(u), NULL, 0, 604800, &url, &dbg),
                     WEBRTC_STATUS_SUCCESS);
    const char *s = ertc_strbuf_cstr(&url);
    static const char prefix[] = "wss://" KVS_HOST ":8443/path?X-Amz-Algorithm=";
    assert_true(strncmp(s, prefix, sizeof(prefix) - 1) == 0);
    assert_non_null(strstr(s, "&b=2&X-Amz-Signature="));
    assert_null(strstr(s, "Security-Token"));
    assert_non_null(strstr(ertc_strbuf_cstr(&creq), "\nhost:" KVS_HOST ":8443\n"));
    assert_non_null(strstr(s, "X-Amz-Expires=604800"));
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&url);
}

/* ---- time -------------------------------------------------------------------------------- */

static void test_amz_date(void **state)
{
    (void)state;
    char d[ERTC_SIGV4_AMZ_DATE_SIZE];
    assert_int_equal(ertc_sigv4_format_amz_date(1440938160, d), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(d, SUITE_DATE);
    assert_int_equal(ertc_sigv4_format_amz_date(0, d), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(d, "19700101T000000Z");
    assert_int_equal(ertc_sigv4_format_amz_date(951782400, d), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(d, "20000229T000000Z");
    assert_int_equal(ertc_sigv4_format_amz_date(INT64_C(253402300799), d), WEBRTC_STATUS_SUCCESS);
    assert_string_equal(d, "99991231T235959Z");
    assert_int_equal(ertc_sigv4_format_amz_date(-1, d), WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(ertc_sigv4_format_amz_date(INT64_C(253402300800), d),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_true(ertc_sigv4_amz_date_valid(SUITE_DATE));
    assert_false(ertc_sigv4_amz_date_valid("20150830T123600"));
    assert_false(ertc_sigv4_amz_date_valid("20151330T123600Z"));
    assert_false(ertc_sigv4_amz_date_valid("20150830T123600Z1"));
    assert_false(ertc_sigv4_amz_date_valid(NULL));
}

static void test_clock_skew(void **state)
{
    (void)state;
    const int64_t t = 1700000000;
    const int64_t th = ERTC_SIGV4_CLOCK_SKEW_THRESHOLD_S;
    assert_int_equal(ertc_sigv4_clock_skew_offset(t, t, th), 0);
    assert_int_equal(ertc_sigv4_clock_skew_offset(t + th, t, th), 0); /* at the threshold */
    assert_int_equal(ertc_sigv4_clock_skew_offset(t - th, t, th), 0);
    assert_int_equal(ertc_sigv4_clock_skew_offset(t + th + 1, t, th), th + 1);
    assert_int_equal(ertc_sigv4_clock_skew_offset(t - 3600, t, th), -3600); /* device ahead */
    assert_int_equal(ertc_sigv4_clock_skew_offset(t, 0, th), t); /* device clock never set */
    assert_int_equal(ertc_sigv4_clock_skew_offset(0, t, th), 0); /* no server Date */
    assert_int_equal(ertc_sigv4_clock_skew_offset(-5, t, th), 0);
    assert_int_equal(ertc_sigv4_clock_skew_offset(INT64_MAX, INT64_MIN, th), 0);
    assert_int_equal(ertc_sigv4_clock_skew_offset(t + 10, t, -1), 10);
}

/* ---- secrets never logged ---------------------------------------------------------------- */

typedef struct {
    char text[65536];
    size_t len;
} log_capture_t;

static void capture_sink(int level, const char *tag, const char *line, void *ctx)
{
    (void)level;
    log_capture_t *c = ctx;
    int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "[%s] %s\n", tag, line);
    if (n > 0 && (size_t)n < sizeof(c->text) - c->len) {
        c->len += (size_t)n;
    }
}

static void test_secrets_never_logged(void **state)
{
    (void)state;
    static log_capture_t cap;
    cap.len = 0;
    cap.text[0] = '\0';
    int old_level = ertc_log_get_level();
    ertc_log_set_level(ERTC_LOG_VERBOSE);
    ertc_log_set_sink(capture_sink, &cap);

    ertc_strbuf_t url;
    ertc_strbuf_init_heap(&url, ERTC_URL_MAX_LEN);
    assert_int_equal(presign("wss://" KVS_HOST, "20230102T030405Z", &url, NULL),
                     WEBRTC_STATUS_SUCCESS);
    char a[512], c[4096];
    ertc_strbuf_t authz, creq;
    ertc_strbuf_init_fixed(&authz, a, sizeof(a));
    ertc_strbuf_init_fixed(&creq, c, sizeof(c));
    sign_post(ERTC_SIGV4_SIGN_TOKEN, KVS_TOKEN, &authz, &creq);
    /* Failures log too. */
    ertc_sigv4_params_t bad = {SUITE_AKID,  SUITE_SECRET,   KVS_TOKEN,
                               "us-west-2", "kinesisvideo", "bad-date"};
    ertc_strbuf_t out;
    ertc_strbuf_init_heap(&out, 1024);
    const char *u = "wss://" KVS_HOST;
    assert_int_not_equal(ertc_sigv4_presign_url(&bad, u, strlen(u), NULL, 0, 299, &out, NULL),
                         WEBRTC_STATUS_SUCCESS);

    ertc_log_set_sink(NULL, NULL);
    ertc_log_set_level(old_level);

    assert_true(cap.len > 0);
    assert_null(strstr(cap.text, SUITE_SECRET));
    assert_null(strstr(cap.text, "wJalrXUtnFEMI"));
    assert_null(strstr(cap.text, KVS_TOKEN));
    assert_null(strstr(cap.text, KVS_SIGNATURE));
    assert_null(strstr(cap.text, SUITE_AKID));
    assert_non_null(strstr(cap.text, "AKID****"));
    const char *sig = strstr(a, "Signature=");
    assert_non_null(sig);
    assert_null(strstr(cap.text, sig + strlen("Signature=")));
    ertc_strbuf_free(&url);
    ertc_strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_suite_every_case),
        cmocka_unit_test(test_multiline_header_and_crlf),
        cmocka_unit_test(test_path_and_query_rules),
        cmocka_unit_test(test_parser_rejects),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_sign_headers_token),
        cmocka_unit_test(test_sign_headers_date_mismatch),
        cmocka_unit_test(test_presign_kvs_url),
        cmocka_unit_test(test_presign_errors_and_variants),
        cmocka_unit_test(test_amz_date),
        cmocka_unit_test(test_clock_skew),
        cmocka_unit_test(test_secrets_never_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
