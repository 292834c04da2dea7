/*
 * A minimal WebSocket client program, built only so that bench_net_footprint can report what
 * our code weighs in a device-style build (-Os, function sections, --gc-sections, no unwind
 * tables): what the linker keeps of src/net, src/util and src/port for a wss:// client.
 * It is never run by the benchmarks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/ws_client.h"
#include "port/loop.h"

static void on_open(ertc_ws_client_t *ws, void *arg)
{
    (void)arg;
    ertc_ws_send_text(ws, "hello");
}

static void on_message(ertc_ws_client_t *ws, bool is_text, const uint8_t *data, size_t len,
                       void *arg)
{
    (void)is_text;
    (void)data;
    (void)len;
    (void)arg;
    ertc_ws_close(ws, 1000, NULL);
}

static void on_close(ertc_ws_client_t *ws, WEBRTC_STATUS status, uint16_t code, const char *reason,
                     void *arg)
{
    (void)ws;
    (void)status;
    (void)code;
    (void)reason;
    ertc_loop_stop(arg);
}

int main(int argc, char **argv)
{
    ertc_loop_t *loop = NULL;
    ertc_tls_config_t *tls = NULL;
    char err[ERTC_TLS_ERROR_LEN];
    ertc_tls_options_t topts = {.role = ERTC_TLS_CLIENT, .ca_path = argc > 2 ? argv[2] : NULL};
    if (ertc_loop_create(&loop, 0) != WEBRTC_STATUS_SUCCESS ||
        ertc_tls_config_create(&topts, &tls, err, sizeof(err)) != WEBRTC_STATUS_SUCCESS) {
        return 1;
    }
    ertc_ws_callbacks_t cbs = {.on_open = on_open, .on_message = on_message, .on_close = on_close};
    ertc_ws_options_t opts = {.url = argc > 1 ? argv[1] : "wss://127.0.0.1:1/", .tls = tls};
    ertc_ws_client_t *ws = NULL;
    if (ertc_ws_connect(loop, &opts, &cbs, loop, &ws) == WEBRTC_STATUS_SUCCESS) {
        ertc_loop_run(loop);
        ertc_ws_free(ws);
    }
    ertc_tls_config_unref(tls);
    ertc_loop_destroy(loop);
    return 0;
}
