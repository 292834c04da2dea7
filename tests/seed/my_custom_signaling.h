/*
 * The header the seed's app_main includes ("my_custom_signaling.h"); the seed does not show
 * it, so it is written from what app_main uses. The seed defines my_custom_signaling_get_if()
 * but calls my_custom_signaling_if_get(); both names work (docs/api.md).
 */
#ifndef MY_CUSTOM_SIGNALING_H
#define MY_CUSTOM_SIGNALING_H

#include <stdint.h>

#include "webrtc_signaling_if.h"

typedef struct {
    char *server_url;
    char *room_id;
    char *client_id;
    uint32_t connection_timeout;
    uint32_t log_level;
} my_custom_signaling_config_t;

webrtc_signaling_client_if_t *my_custom_signaling_get_if(void);
#define my_custom_signaling_if_get my_custom_signaling_get_if

/* Step 2 of the seed: hand one protocol message to the registered callback. */
void myCustomMessageHandler(const char *message);

#endif
