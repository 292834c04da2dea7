/*
 * libFuzzer target for the KVS control-plane response parsers, the error mapper, the
 * credential parsers and the channel-info cache codec. The first byte selects the parser;
 * the rest is its input. Accepted cache files must survive a serialize → parse round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/kvs/kvs_api.h"
#include "signaling/kvs/kvs_cache.h"
#include "signaling/kvs/kvs_credentials.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

static ertc_kvs_cache_t g_cache, g_back;

static void fuzz_cache(const char *text, size_t len)
{
    if (ertc_kvs_cache_parse(text, len, &g_cache) != WEBRTC_STATUS_SUCCESS) {
        require(g_cache.count == 0);
        return;
    }
    ertc_strbuf_t sb;
    ertc_strbuf_init_heap(&sb, 4 * ERTC_KVS_CACHE_MAX_FILE_LEN);
    require(ertc_kvs_cache_serialize(&g_cache, &sb) == WEBRTC_STATUS_SUCCESS);
    require(ertc_kvs_cache_parse(ertc_strbuf_cstr(&sb), ertc_strbuf_len(&sb), &g_back) ==
            WEBRTC_STATUS_SUCCESS);
    require(g_back.count == g_cache.count);
    ertc_strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        ertc_log_set_level(ERTC_LOG_SILENT);
        quiet = true;
    }
    if (size == 0) {
        return 0;
    }
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 8) {
    case 0: {
        ertc_kvs_channel_info_t info;
        (void)ertc_kvs_parse_describe(text, len, &info);
        require(strlen(info.arn) <= ERTC_KVS_MAX_ARN_LEN);
        break;
    }
    case 1: {
        char arn[ERTC_KVS_MAX_ARN_LEN + 1];
        (void)ertc_kvs_parse_create(text, len, arn, sizeof(arn));
        break;
    }
    case 2: {
        ertc_kvs_endpoints_t ep;
        if (ertc_kvs_parse_get_endpoint(text, len, &ep) == WEBRTC_STATUS_SUCCESS) {
            require(ep.wss[0] != '\0' && ep.https[0] != '\0');
        }
        break;
    }
    case 3: {
        ertc_kvs_ice_config_t ice;
        if (ertc_kvs_parse_ice_config(text, len, &ice) == WEBRTC_STATUS_SUCCESS) {
            require(ice.count <= APP_WEBRTC_MAX_ICE_SERVERS_COUNT);
            require(ice.count == 0 || ice.min_ttl_s >= ERTC_KVS_MIN_ICE_TTL_S);
        }
        break;
    }
    case 4: {
        char msg[ERTC_KVS_MAX_ERROR_TEXT_LEN];
        int http = len > 0 ? 400 + (uint8_t)text[0] % 200 : 0;
        (void)ertc_kvs_map_error(ERTC_KVS_API_DESCRIBE_CHANNEL, http, NULL, text, len, msg,
                                 sizeof(msg));
        require(strlen(msg) < sizeof(msg));
        break;
    }
    case 5: {
        ertc_kvs_credentials_t c;
        (void)ertc_kvs_credentials_parse_iot(text, len, &c);
        break;
    }
    case 6: {
        ertc_kvs_credentials_t c;
        if (ertc_kvs_credentials_parse_file(text, len, &c) == WEBRTC_STATUS_SUCCESS) {
            require(c.access_key_id[0] != '\0' && c.secret_access_key[0] != '\0');
        }
        int64_t t;
        (void)ertc_kvs_parse_iso8601(text, len, &t);
        break;
    }
    default: fuzz_cache(text, len); break;
    }
    return 0;
}
