/* device/registry — see registry.h. */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "edgertc_signaling_registry.h"

bool dev_registry_has(const char *name)
{
    return edgertc_signaling_find(name) != NULL;
}

const char *dev_registry_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < edgertc_signaling_count(); i++) {
        int n =
            snprintf(buf + used, len - used, "%s%s", i ? ", " : "", edgertc_signaling_at(i)->name);
        if (n < 0 || (size_t)n >= len - used) {
            break;
        }
        used += (size_t)n;
    }
    if (used == 0) {
        snprintf(buf, len, "none");
    }
    return buf;
}

int dev_registry_open(const dev_options_t *o, const app_webrtc_ice_server_t *ice, uint32_t n_ice,
                      dev_registry_sel_t *sel, char *err, size_t errlen)
{
    memset(sel, 0, sizeof(*sel));
    const edgertc_signaling_backend_t *b = edgertc_signaling_find(o->signaling_name);
    if (b == NULL) {
        char names[200];
        snprintf(err, errlen, "--signaling %.40s is not available in this build (registered: %s)",
                 o->signaling_name ? o->signaling_name : "?",
                 dev_registry_names(names, sizeof(names)));
        return DEV_EXIT_UNAVAILABLE;
    }
    edgertc_signaling_params_t p = {
        .role = o->viewer ? WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_VIEWER
                          : WEBRTC_SIGNALING_CHANNEL_ROLE_TYPE_MASTER,
        .room = o->room,
        .options = o->signaling_opt,
        .option_count = o->n_signaling_opt,
        .ice_servers = ice,
        .ice_server_count = n_ice,
    };
    if (b->parse_config(&p, &sel->sig_cfg, err, errlen) != WEBRTC_STATUS_SUCCESS) {
        return DEV_EXIT_USAGE;
    }
    sel->backend = b;
    sel->sig_if = b->get_if();
    return DEV_EXIT_OK;
}

void dev_registry_close(dev_registry_sel_t *sel)
{
    const edgertc_signaling_backend_t *b = sel->backend;
    if (b != NULL) {
        b->free_config(sel->sig_cfg);
    }
    memset(sel, 0, sizeof(*sel));
}
