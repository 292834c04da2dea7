/*
 * libFuzzer target for peer/pc_if_ice: ICE server URLs (RFC 7064/7065) as signaling services
 * send them, and the sorting of app_webrtc_ice_server_t records into STUN/TURN tables. On
 * every accepted URL: the host is non-empty and terminated, the port is set, a literal host
 * parses as an address; the tables never pass their sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "peer/pc_if_ice.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int condition)
{
    if (!condition) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ertc_log_set_level(7); /* skipped records are logged as warnings */
    ertc_ice_url_t url;
    char err[96];
    if (ertc_pc_if_parse_ice_url((const char *)data, size, &url, err, sizeof(err)) ==
        WEBRTC_STATUS_SUCCESS) {
        size_t n = strlen(url.host);
        require(n >= 1 && n <= ERTC_PC_IF_ICE_MAX_HOST && n <= size);
        require(url.port != 0);
        if (url.host_is_literal) {
            ertc_addr_t a;
            require(ertc_addr_parse_ip(url.host, &a) == WEBRTC_STATUS_SUCCESS);
        }
    }
    /* The same bytes as records: urls, username and credential cut from the input. */
    app_webrtc_ice_server_t servers[3];
    memset(servers, 0, sizeof(servers));
    for (size_t i = 0; i < 3; i++) {
        size_t take = size < sizeof(servers[i].urls) - 1 ? size : sizeof(servers[i].urls) - 1;
        memcpy(servers[i].urls, data, take);
        memcpy(servers[i].username, data, take);
    }
    ertc_pc_if_ice_set_t set;
    memset(&set, 0, sizeof(set));
    ertc_pc_if_ice_name_t names[ERTC_PC_IF_ICE_MAX_NAMES];
    size_t name_count = 0;
    (void)ertc_pc_if_ice_prepare(servers, 3, true, &set, names, &name_count);
    require(set.stun_count <= ERTC_ICE_MAX_STUN_SERVERS);
    require(set.turn_count <= ERTC_ICE_MAX_TURN_SERVERS);
    require(name_count <= ERTC_PC_IF_ICE_MAX_NAMES);
    return 0;
}
