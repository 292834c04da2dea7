/*
 * signald/ice_config — STUN/TURN server lists and TURN REST credentials (see ice_config.h).
 */
#include "ice_config.h"

#include <inttypes.h>
#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>

#include "util/base64.h"

void sd_ice_config_init(sd_ice_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->turn_user = SD_ICE_DEFAULT_TURN_USER;
    cfg->turn_ttl_s = SD_DEFAULT_TURN_TTL_S;
}

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

WEBRTC_STATUS sd_ice_check_url(const char *url, int turn, char *err, size_t errlen)
{
    const char *p1 = turn ? "turn:" : "stun:";
    const char *p2 = turn ? "turns:" : "stuns:";
    const char *rest = NULL;
    if (has_prefix(url, p1)) {
        rest = url + strlen(p1);
    } else if (has_prefix(url, p2)) {
        rest = url + strlen(p2);
    } else {
        snprintf(err, errlen, "\"%.64s\" must start with %s or %s", url, p1, p2);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (*rest == '\0' || *rest == ':' || *rest == '?') {
        snprintf(err, errlen, "\"%.64s\" has no host after the scheme", url);
        return WEBRTC_STATUS_MALFORMED;
    }
    if (strlen(url) > SD_ICE_MAX_URL_LEN) {
        snprintf(err, errlen, "URL longer than %d characters", SD_ICE_MAX_URL_LEN);
        return WEBRTC_STATUS_MALFORMED;
    }
    for (const char *c = url; *c != '\0'; c++) {
        if (*c <= ' ' || *c >= 0x7f || *c == '"' || *c == '\\') {
            snprintf(err, errlen, "\"%.64s\" contains a space, quote or non-ASCII character", url);
            return WEBRTC_STATUS_MALFORMED;
        }
    }
    return WEBRTC_STATUS_SUCCESS;
}

WEBRTC_STATUS sd_ice_rest_credential(const char *secret, const char *username,
                                     char out[SD_ICE_CREDENTIAL_SIZE])
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    if (md == NULL) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    uint8_t mac[20];
    if (mbedtls_md_hmac(md, (const unsigned char *)secret, strlen(secret),
                        (const unsigned char *)username, strlen(username), mac) != 0) {
        return WEBRTC_STATUS_INTERNAL_ERROR;
    }
    WEBRTC_STATUS st = ertc_base64_encode(mac, sizeof(mac), 0, out, SD_ICE_CREDENTIAL_SIZE, NULL);
    memset(mac, 0, sizeof(mac));
    return st;
}

static void append_entry(ertc_strbuf_t *out, const char *const *urls, size_t n,
                         const char *username, const char *credential, int *first)
{
    if (n == 0) {
        return;
    }
    ertc_strbuf_append_str(out, *first ? "{\"urls\":[" : ",{\"urls\":[");
    *first = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            ertc_strbuf_append_char(out, ',');
        }
        ertc_strbuf_append_json_string(out, urls[i], strlen(urls[i]));
    }
    ertc_strbuf_append_str(out, "],\"username\":");
    ertc_strbuf_append_json_string(out, username, strlen(username));
    ertc_strbuf_append_str(out, ",\"credential\":");
    ertc_strbuf_append_json_string(out, credential, strlen(credential));
    ertc_strbuf_append_char(out, '}');
}

WEBRTC_STATUS sd_ice_append_servers(const sd_ice_config_t *cfg, uint64_t now_s, ertc_strbuf_t *out)
{
    char username[32 + SD_ICE_MAX_USER_LEN];
    snprintf(username, sizeof(username), "%" PRIu64 ":%s", now_s + cfg->turn_ttl_s, cfg->turn_user);
    char credential[SD_ICE_CREDENTIAL_SIZE] = SD_ICE_DUMMY_CREDENTIAL;
    if (cfg->turn_secret != NULL && cfg->n_turn > 0) {
        WEBRTC_STATUS st = sd_ice_rest_credential(cfg->turn_secret, username, credential);
        if (st != WEBRTC_STATUS_SUCCESS) {
            return st;
        }
    }
    int first = 1;
    ertc_strbuf_append_char(out, '[');
    append_entry(out, cfg->turn, cfg->n_turn, username, credential, &first);
    append_entry(out, cfg->stun, cfg->n_stun, username, SD_ICE_DUMMY_CREDENTIAL, &first);
    ertc_strbuf_append_char(out, ']');
    memset(credential, 0, sizeof(credential));
    return ertc_strbuf_status(out);
}

WEBRTC_STATUS sd_ice_append_response(const sd_ice_config_t *cfg, uint64_t now_s, ertc_strbuf_t *out)
{
    ertc_strbuf_append_str(out, "{\"iceServers\":");
    WEBRTC_STATUS st = sd_ice_append_servers(cfg, now_s, out);
    if (st != WEBRTC_STATUS_SUCCESS) {
        return st;
    }
    ertc_strbuf_appendf(out, ",\"lifetimeDuration\":\"%" PRIu32 "s\"}", cfg->turn_ttl_s);
    return ertc_strbuf_status(out);
}
