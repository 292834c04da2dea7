/*
 * edgertc-sigv4 — signs a request file in the AWS SigV4 test suite's ".req" format and
 * prints the canonical request, the string to sign and the Authorization header, or, with
 * --presign, a presigned URL for the request's Host and path. For checking the signer
 * against AWS's vectors and for debugging 403s from KVS by hand.
 *
 * The secret key is never printed, nor is the session token; the access key id appears only
 * redacted (AKID****). The signature is part of the output, which is the point of the tool.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signaling/kvs/sigv4.h"
#include "signaling/kvs/sigv4_request.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/url.h"

#define EXIT_OK        0
#define EXIT_CANNOT    1 /* cannot read, parse or sign */
#define EXIT_BAD_FLAGS 2

#define TOOL_NAME "edgertc-sigv4"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: " TOOL_NAME " [flags] REQUEST_FILE\n"
        "\n"
        "Signs REQUEST_FILE (an HTTP request as text, the AWS SigV4 test suite's .req\n"
        "format: request line, headers, blank line, body) with AWS Signature Version 4 and\n"
        "prints the canonical request, the string to sign and the Authorization header.\n"
        "Every header in the file is signed; X-Amz-Date is added unless present.\n"
        "\n"
        "flags:\n"
        "  --region R          AWS region of the credential scope (required), e.g. us-east-1\n"
        "  --service S         service of the scope (default kinesisvideo)\n"
        "  --date D            signing time YYYYMMDDTHHMMSSZ (default: now, UTC); must match\n"
        "                      the file's X-Amz-Date header if it has one\n"
        "  --access-key ID     access key id (default $AWS_ACCESS_KEY_ID); printed as AKID****\n"
        "  --secret-key KEY    secret access key (default $AWS_SECRET_ACCESS_KEY); never printed\n"
        "  --session-token T   session token (default $AWS_SESSION_TOKEN); never printed\n"
        "  --sign-token        sign X-Amz-Security-Token as a header (default: sent unsigned)\n"
        "  --presign SECONDS   print a presigned https URL for the file's Host and path\n"
        "                      (query kept and signed), valid 1..604800 seconds\n"
        "  --wss               with --presign: a wss:// URL (as for KVS signaling)\n"
        "  -h, --help          this text\n"
        "\n"
        "exit codes: 0 signed, 1 cannot read, parse or sign the request, 2 bad flags\n");
}

typedef struct {
    const char *region;
    const char *service;
    const char *date;
    const char *access_key;
    const char *secret_key;
    const char *session_token;
    const char *file;
    bool sign_token;
    bool wss;
    bool show_token;
    long presign; /* 0 = sign headers */
} options_t;

static int parse_flags(int argc, char **argv, options_t *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(EXIT_OK);
        } else if (strcmp(a, "--sign-token") == 0) {
            o->sign_token = true;
            continue;
        } else if (strcmp(a, "--show-token") == 0) {
            o->show_token = true;
            continue;
        } else if (strcmp(a, "--wss") == 0) {
            o->wss = true;
            continue;
        } else if (strcmp(a, "--region") == 0) {
            target = &o->region;
        } else if (strcmp(a, "--service") == 0) {
            target = &o->service;
        } else if (strcmp(a, "--date") == 0) {
            target = &o->date;
        } else if (strcmp(a, "--access-key") == 0) {
            target = &o->access_key;
        } else if (strcmp(a, "--secret-key") == 0) {
            target = &o->secret_key;
        } else if (strcmp(a, "--session-token") == 0) {
            target = &o->session_token;
        } else if (strcmp(a, "--presign") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, TOOL_NAME ": --presign needs a number of seconds\n");
                return EXIT_BAD_FLAGS;
            }
            char *end = NULL;
            errno = 0;
            o->presign = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || o->presign < 1 ||
                o->presign > ERTC_SIGV4_MAX_EXPIRES) {
                fprintf(stderr, TOOL_NAME ": --presign %s: give 1..%d seconds\n", argv[i],
                        ERTC_SIGV4_MAX_EXPIRES);
                return EXIT_BAD_FLAGS;
            }
            continue;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, TOOL_NAME ": unknown flag %s (see --help)\n", a);
            return EXIT_BAD_FLAGS;
        } else if (o->file == NULL) {
            o->file = a;
            continue;
        } else {
            fprintf(stderr, TOOL_NAME ": one request file only (got %s and %s)\n", o->file, a);
            return EXIT_BAD_FLAGS;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, TOOL_NAME ": %s needs a value\n", a);
            return EXIT_BAD_FLAGS;
        }
        *target = argv[++i];
    }
    if (o->file == NULL) {
        fprintf(stderr, TOOL_NAME ": no request file given (see --help)\n");
        return EXIT_BAD_FLAGS;
    }
    if (o->region == NULL) {
        fprintf(stderr, TOOL_NAME ": --region is required\n");
        return EXIT_BAD_FLAGS;
    }
    if (o->date != NULL && !ertc_sigv4_amz_date_valid(o->date)) {
        fprintf(stderr, TOOL_NAME ": --date %s: use YYYYMMDDTHHMMSSZ, e.g. 20150830T123600Z\n",
                o->date);
        return EXIT_BAD_FLAGS;
    }
    if (o->wss && o->presign == 0) {
        fprintf(stderr, TOOL_NAME ": --wss only goes with --presign\n");
        return EXIT_BAD_FLAGS;
    }
    return EXIT_OK;
}

static char *read_request(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, TOOL_NAME ": cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(ERTC_SIGV4_REQUEST_MAX_LEN + 1);
    size_t n = buf != NULL ? fread(buf, 1, ERTC_SIGV4_REQUEST_MAX_LEN + 1, f) : 0;
    bool failed = buf == NULL || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, TOOL_NAME ": cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    if (n > ERTC_SIGV4_REQUEST_MAX_LEN) {
        fprintf(stderr, TOOL_NAME ": %s is larger than %d bytes\n", path,
                ERTC_SIGV4_REQUEST_MAX_LEN);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Prints text with every occurrence of a secret (raw or %-encoded) written as "****". */
static void print_masked(const char *text, const char *secret)
{
    if (secret == NULL || secret[0] == '\0') {
        fputs(text, stdout);
        return;
    }
    size_t raw_len = strlen(secret);
    char encoded[3 * ERTC_SIGV4_MAX_HEADER_VALUE + 1];
    size_t enc_len = 0;
    if (ertc_url_encode(secret, raw_len, encoded, sizeof(encoded), &enc_len) !=
        WEBRTC_STATUS_SUCCESS) {
        enc_len = 0;
    }
    const char *p = text;
    while (*p != '\0') {
        if (strncmp(p, secret, raw_len) == 0) {
            fputs("****", stdout);
            p += raw_len;
        } else if (enc_len > 0 && strncmp(p, encoded, enc_len) == 0) {
            fputs("****", stdout);
            p += enc_len;
        } else {
            fputc(*p++, stdout);
        }
    }
}

static const ertc_sigv4_header_t *find_host(const ertc_sigv4_parsed_request_t *p)
{
    for (size_t i = 0; i < p->header_count; i++) {
        if (p->headers[i].name_len == 4 && strncasecmp(p->headers[i].name, "host", 4) == 0) {
            return &p->headers[i];
        }
    }
    return NULL;
}

static int presign(const options_t *o, const ertc_sigv4_params_t *params,
                   const ertc_sigv4_parsed_request_t *p, ertc_sigv4_debug_t *dbg,
                   ertc_strbuf_t *out)
{
    const ertc_sigv4_header_t *host = find_host(p);
    if (host == NULL) {
        fprintf(stderr, TOOL_NAME ": --presign needs a Host header in the request\n");
        return EXIT_CANNOT;
    }
    ertc_strbuf_t url;
    ertc_strbuf_init_heap(&url, ERTC_SIGV4_REQUEST_MAX_LEN);
    ertc_strbuf_appendf(&url, "%s://%.*s%.*s", o->wss ? "wss" : "https", (int)host->value_len,
                        host->value, (int)p->path_len, p->path);
    if (p->query != NULL) {
        ertc_strbuf_appendf(&url, "?%.*s", (int)p->query_len, p->query);
    }
    WEBRTC_STATUS st = ertc_strbuf_status(&url);
    if (st == WEBRTC_STATUS_SUCCESS) {
        st = ertc_sigv4_presign_url(params, ertc_strbuf_cstr(&url), ertc_strbuf_len(&url), NULL, 0,
                                    (uint32_t)o->presign, out, dbg);
    }
    ertc_strbuf_free(&url);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, TOOL_NAME ": cannot presign: %s\n", webrtc_status_name(st));
        return EXIT_CANNOT;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    options_t o = {.service = "kinesisvideo"};
    int rc = parse_flags(argc, argv, &o);
    if (rc != EXIT_OK) {
        return rc;
    }
    if (o.access_key == NULL) {
        o.access_key = getenv("AWS_ACCESS_KEY_ID");
    }
    if (o.secret_key == NULL) {
        o.secret_key = getenv("AWS_SECRET_ACCESS_KEY");
    }
    if (o.session_token == NULL) {
        o.session_token = getenv("AWS_SESSION_TOKEN");
    }
    if (o.access_key == NULL || o.access_key[0] == '\0' || o.secret_key == NULL ||
        o.secret_key[0] == '\0') {
        fprintf(stderr, TOOL_NAME ": no credentials: give --access-key and --secret-key or set "
                                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n");
        return EXIT_BAD_FLAGS;
    }
    char now[ERTC_SIGV4_AMZ_DATE_SIZE];
    if (o.date == NULL) {
        if (ertc_sigv4_format_amz_date((int64_t)time(NULL), now) != WEBRTC_STATUS_SUCCESS) {
            fprintf(stderr, TOOL_NAME ": the system clock is outside 1970-9999; give --date\n");
            return EXIT_CANNOT;
        }
        o.date = now;
    }

    size_t len = 0;
    char *text = read_request(o.file, &len);
    if (text == NULL) {
        return EXIT_CANNOT;
    }
    ertc_sigv4_parsed_request_t *parsed = malloc(sizeof(*parsed));
    if (parsed == NULL) {
        free(text);
        return EXIT_CANNOT;
    }
    WEBRTC_STATUS st = ertc_sigv4_request_parse(text, len, parsed);
    if (st != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, TOOL_NAME ": %s is not a request in .req format (%s)\n", o.file,
                webrtc_status_name(st));
        free(parsed);
        free(text);
        return EXIT_CANNOT;
    }

    ertc_sigv4_params_t params = {o.access_key, o.secret_key, o.session_token,
                                  o.region,     o.service,    o.date};
    ertc_strbuf_t creq, sts, out;
    ertc_strbuf_init_heap(&creq, ERTC_SIGV4_MAX_CANONICAL_REQUEST);
    ertc_strbuf_init_heap(&sts, 1024);
    ertc_strbuf_init_heap(&out, ERTC_SIGV4_REQUEST_MAX_LEN);
    ertc_sigv4_debug_t dbg = {&creq, &sts, NULL};
    if (o.presign > 0) {
        rc = presign(&o, &params, parsed, &dbg, &out);
    } else {
        ertc_sigv4_request_t req;
        ertc_sigv4_request_to_signable(parsed, &req);
        st = ertc_sigv4_sign_headers(&params, &req, o.sign_token ? ERTC_SIGV4_SIGN_TOKEN : 0u, &out,
                                     &dbg);
        if (st != WEBRTC_STATUS_SUCCESS) {
            fprintf(stderr, TOOL_NAME ": cannot sign: %s\n", webrtc_status_name(st));
            rc = EXIT_CANNOT;
        }
    }
    if (rc == EXIT_OK) {
        char redacted[16];
        bool token = o.session_token != NULL && o.session_token[0] != '\0';
        printf("# access key id: %s, scope: %.8s/%s/%s/aws4_request%s\n",
               ertc_log_redact(o.access_key, redacted), o.date, o.region, o.service,
               token ? (o.presign > 0 || o.sign_token ? ", session token signed"
                                                      : ", session token not signed")
                     : "");
        const char *mask = o.show_token ? NULL : o.session_token;
        printf("----- canonical request -----\n");
        print_masked(ertc_strbuf_cstr(&creq), mask);
        printf("\n----- string to sign -----\n%s\n", ertc_strbuf_cstr(&sts));
        if (o.presign > 0) {
            printf("----- presigned URL%s -----\n",
                   token && mask != NULL ? " (token shown as ****, see --show-token)" : "");
            print_masked(ertc_strbuf_cstr(&out), mask);
            printf("\n");
        } else {
            printf("----- authorization -----\nAuthorization: %s\n", ertc_strbuf_cstr(&out));
            printf("X-Amz-Date: %s\n", o.date);
            if (token) {
                printf("(send X-Amz-Security-Token with the session token; not printed)\n");
            }
        }
    }
    ertc_strbuf_free(&creq);
    ertc_strbuf_free(&sts);
    ertc_strbuf_free(&out);
    free(parsed);
    free(text);
    return rc;
}
