/*
 * signaling/kvs/kvs_provider — see kvs_provider.h. Specs/kvs-signaling.md §4.
 */
#include "signaling/kvs/kvs_provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "net/tls.h"
#include "port/port.h"
#include "signaling/kvs/kvs_policy.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/url.h"

#define TAG "kvs"

struct ertc_kvs_provider {
    ertc_kvs_provider_kind_t kind;
    ertc_kvs_credentials_t *creds; /* the held credentials; expiration 0 = none yet */
    int64_t refresh_at;
    uint32_t fetches;
    char *file_path;
    char iot_url[ERTC_KVS_IOT_MAX_URL_LEN];
    char *thing_name;
    ertc_tls_config_t *iot_tls;
};

static const char *const kind_names[] = {"static", "environment", "file", "AWS IoT"};

const char *ertc_kvs_provider_kind_name(ertc_kvs_provider_kind_t kind)
{
    return (unsigned)kind < 4 ? kind_names[kind] : "unknown";
}

ertc_kvs_provider_kind_t ertc_kvs_provider_kind(const ertc_kvs_provider_t *p)
{
    return p->kind;
}

int64_t ertc_kvs_provider_refresh_at(const ertc_kvs_provider_t *p)
{
    return p ? p->refresh_at : INT64_MAX;
}

uint32_t ertc_kvs_provider_fetches(const ertc_kvs_provider_t *p)
{
    return p ? p->fetches : 0;
}

WEBRTC_STATUS ertc_kvs_iot_url(const char *endpoint, const char *role_alias, char *out,
                               size_t out_size)
{
    if (endpoint == NULL || role_alias == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    size_t elen = strlen(endpoint);
    while (elen > 0 && endpoint[elen - 1] == '/') {
        elen--;
    }
    if (elen == 0 || role_alias[0] == '\0') {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    bool has_scheme = strstr(endpoint, "://") != NULL;
    if (has_scheme && strncmp(endpoint, "https://", 8) != 0) {
        return WEBRTC_STATUS_INVALID_ARG; /* mutual TLS: https only */
    }
    char alias[256 * 3 + 1];
    if (ertc_url_encode(role_alias, strlen(role_alias), alias, sizeof(alias), NULL) !=
        WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    int n = snprintf(out, out_size, "%s%.*s/role-aliases/%s/credentials",
                     has_scheme ? "" : "https://", (int)elen, endpoint, alias);
    if (n < 0 || (size_t)n >= out_size) {
        return WEBRTC_STATUS_BUFFER_TOO_SMALL;
    }
    ertc_url_t u;
    if (ertc_url_parse(out, (size_t)n, &u) != WEBRTC_STATUS_SUCCESS) {
        return WEBRTC_STATUS_INVALID_ARG;
    }
    return WEBRTC_STATUS_SUCCESS;
}

void ertc_kvs_provider_free(ertc_kvs_provider_t *p)
{
    if (p == NULL) {
        return;
    }
    ertc_kvs_credentials_free(p->creds);
    ertc_free(p->file_path);
    ertc_free(p->thing_name);
    ertc_tls_config_unref(p->iot_tls);
    ertc_free(p);
}

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

WEBRTC_STATUS ertc_kvs_provider_create(const kvs_signaling_config_t *cfg, ertc_kvs_provider_t **out,
                                       char *err, size_t err_size)
{
    if (cfg == NULL || out == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    snprintf(err, err_size, "%s", "");
    ertc_kvs_provider_t *p = ertc_calloc(1, sizeof(*p));
    if (p == NULL || (p->creds = ertc_kvs_credentials_new()) == NULL) {
        ertc_free(p);
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    p->refresh_at = 0; /* fetch on the first get */
    WEBRTC_STATUS st = WEBRTC_STATUS_SUCCESS;
    if (cfg->useIotCredentials) {
        p->kind = ERTC_KVS_PROVIDER_IOT;
        if (empty(cfg->iotCoreCredentialEndpoint) || empty(cfg->iotCoreRoleAlias) ||
            empty(cfg->iotCoreThingName) || empty(cfg->iotCoreCert) ||
            empty(cfg->iotCorePrivateKey)) {
            snprintf(err, err_size,
                     "useIotCredentials needs iotCoreCredentialEndpoint, "
                     "iotCoreRoleAlias, iotCoreThingName, iotCoreCert and "
                     "iotCorePrivateKey");
            st = WEBRTC_STATUS_INVALID_ARG;
        } else if (ertc_kvs_iot_url(cfg->iotCoreCredentialEndpoint, cfg->iotCoreRoleAlias,
                                    p->iot_url, sizeof(p->iot_url)) != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size,
                     "iotCoreCredentialEndpoint/iotCoreRoleAlias do not make an "
                     "https:// URL: %.200s",
                     cfg->iotCoreCredentialEndpoint);
            st = WEBRTC_STATUS_INVALID_ARG;
        } else if ((p->thing_name = ertc_strdup(cfg->iotCoreThingName)) == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        } else {
            char terr[ERTC_TLS_ERROR_LEN];
            ertc_tls_options_t o = {.role = ERTC_TLS_CLIENT,
                                    .ca_path = cfg->caCertPath,
                                    .cert_path = cfg->iotCoreCert,
                                    .key_path = cfg->iotCorePrivateKey};
            st = ertc_tls_config_create(&o, &p->iot_tls, terr, sizeof(terr));
            if (st != WEBRTC_STATUS_SUCCESS) {
                snprintf(err, err_size, "IoT certificate/key: %s", terr);
            }
        }
    } else if (!empty(cfg->credentialsFilePath)) {
        p->kind = ERTC_KVS_PROVIDER_FILE;
        if ((p->file_path = ertc_strdup(cfg->credentialsFilePath)) == NULL) {
            st = WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
    } else if (!empty(cfg->awsAccessKey) || !empty(cfg->awsSecretKey)) {
        p->kind = ERTC_KVS_PROVIDER_STATIC;
        st = ertc_kvs_credentials_from_env(cfg->awsAccessKey, cfg->awsSecretKey,
                                           cfg->awsSessionToken, NULL, p->creds);
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size,
                     "awsAccessKey/awsSecretKey: both are needed, within %d "
                     "and %d characters",
                     ERTC_KVS_MAX_ACCESS_KEY_ID_LEN, ERTC_KVS_MAX_SECRET_KEY_LEN);
            st = WEBRTC_STATUS_INVALID_ARG;
        }
        p->refresh_at = INT64_MAX;
    } else {
        p->kind = ERTC_KVS_PROVIDER_ENV;
        st = ertc_kvs_credentials_from_env(getenv("AWS_ACCESS_KEY_ID"),
                                           getenv("AWS_SECRET_ACCESS_KEY"),
                                           getenv("AWS_SESSION_TOKEN"), NULL, p->creds);
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size,
                     "no credentials: set awsAccessKey/awsSecretKey, "
                     "credentialsFilePath, useIotCredentials, or "
                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            st = WEBRTC_STATUS_INVALID_ARG;
        }
        p->refresh_at = INT64_MAX;
    }
    if (st != WEBRTC_STATUS_SUCCESS) {
        ertc_kvs_provider_free(p);
        return st;
    }
    *out = p;
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS read_file(ertc_kvs_provider_t *p, ertc_kvs_credentials_t *into, char *err,
                               size_t err_size)
{
    FILE *f = fopen(p->file_path, "rb");
    if (f == NULL) {
        snprintf(err, err_size, "credentials file %.200s: cannot open", p->file_path);
        return WEBRTC_STATUS_IO_ERROR;
    }
    char *buf = ertc_malloc(ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN + 1);
    size_t n = buf ? fread(buf, 1, ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN + 1, f) : 0;
    fclose(f);
    if (buf == NULL) {
        return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
    }
    WEBRTC_STATUS st = n > ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN
                           ? WEBRTC_STATUS_LIMIT_EXCEEDED
                           : ertc_kvs_credentials_parse_file(buf, n, into);
    ertc_kvs_secure_zero(buf, ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN + 1);
    ertc_free(buf);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, err_size,
                 "credentials file %.200s: not \"CREDENTIALS <key> "
                 "[<expiration>] <secret> [<token>]\" (%s)",
                 p->file_path, webrtc_status_name(st));
        return WEBRTC_STATUS_IO_ERROR;
    }
    return WEBRTC_STATUS_SUCCESS;
}

static WEBRTC_STATUS fetch_iot(ertc_kvs_provider_t *p, ertc_kvs_credentials_t *into, char *err,
                               size_t err_size)
{
    ertc_http_sync_t *s = NULL;
    WEBRTC_STATUS st = ertc_http_sync_create(p->iot_tls, &s);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_http_header_t h[] = {{"x-amzn-iot-thingname", p->thing_name},
                              {"User-Agent", "edgertc-kvs"},
                              {"Accept", "application/json"}};
    ertc_http_request_t req = {.method = "GET",
                               .url = p->iot_url,
                               .headers = h,
                               .header_count = sizeof(h) / sizeof(h[0]),
                               .timeout_ms = ERTC_KVS_IOT_TIMEOUT_MS,
                               .max_body = ERTC_KVS_MAX_CREDENTIALS_INPUT_LEN};
    ertc_http_response_t r;
    memset(&r, 0, sizeof(r));
    st = ertc_http_sync_request(s, &req, &r);
    if (st != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, err_size, "IoT credentials from %.300s: %s", p->iot_url, r.error);
        st = st == WEBRTC_STATUS_TIMEOUT ? WEBRTC_STATUS_TIMEOUT : WEBRTC_STATUS_NETWORK_ERROR;
    } else if (r.status != 200) {
        /* The provider's error bodies are {"message":"..."}; no secret in them. */
        snprintf(err, err_size, "IoT credentials from %.300s: HTTP %d %.200s", p->iot_url, r.status,
                 r.body ? r.body : "");
        st = r.status >= 500 ? WEBRTC_STATUS_RETRY_LATER : WEBRTC_STATUS_SIGNALING_AUTH_FAILED;
    } else {
        st = ertc_kvs_credentials_parse_iot(r.body, r.body_len, into);
        if (st != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, err_size,
                     "IoT credentials from %.300s: the answer is not "
                     "{\"credentials\":{...}} (%s)",
                     p->iot_url, webrtc_status_name(st));
            st = WEBRTC_STATUS_SIGNALING_AUTH_FAILED;
        }
    }
    if (r.body != NULL) {
        ertc_kvs_secure_zero(r.body, r.body_len);
    }
    ertc_http_response_free(&r);
    ertc_http_sync_free(s);
    return st;
}

WEBRTC_STATUS ertc_kvs_provider_get(ertc_kvs_provider_t *p, int64_t now, bool force,
                                    const ertc_kvs_credentials_t **creds, char *err,
                                    size_t err_size)
{
    if (p == NULL || creds == NULL) {
        return WEBRTC_STATUS_NULL_ARG;
    }
    bool due = now >= p->refresh_at ||
               (force && (p->kind == ERTC_KVS_PROVIDER_FILE || p->kind == ERTC_KVS_PROVIDER_IOT));
    if (due && (p->kind == ERTC_KVS_PROVIDER_FILE || p->kind == ERTC_KVS_PROVIDER_IOT)) {
        ertc_kvs_credentials_t *fresh = ertc_kvs_credentials_new();
        if (fresh == NULL) {
            return WEBRTC_STATUS_NOT_ENOUGH_MEMORY;
        }
        WEBRTC_STATUS st = p->kind == ERTC_KVS_PROVIDER_FILE ? read_file(p, fresh, err, err_size)
                                                             : fetch_iot(p, fresh, err, err_size);
        if (st != WEBRTC_STATUS_SUCCESS) {
            ertc_kvs_credentials_free(fresh);
            /* Still-valid old credentials keep working until they expire. */
            if (p->creds->access_key_id[0] != '\0' && now < p->creds->expiration) {
                ERTC_LOGW(TAG, "credential refresh failed, keeping the current ones: %s", err);
                p->refresh_at = now + 5;
                *creds = p->creds;
                return WEBRTC_STATUS_SUCCESS;
            }
            return st;
        }
        p->fetches++;
        ertc_kvs_credentials_free(p->creds);
        p->creds = fresh;
        p->refresh_at = ertc_kvs_cred_refresh_at(now, fresh->expiration, ertc_random_u32());
        char desc[96];
        ERTC_LOGI(TAG, "%s credentials: %s", kind_names[p->kind],
                  ertc_kvs_credentials_describe(fresh, now, desc, sizeof(desc)));
    }
    *creds = p->creds;
    return WEBRTC_STATUS_SUCCESS;
}
