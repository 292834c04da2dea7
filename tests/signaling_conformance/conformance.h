/*
 * conformance.h — the signaling conformance kit: one set of checks that every backend of
 * webrtc_signaling_client_if_t must pass, written against the public interface only.
 *
 * A backend joins with a small driver (conf_<backend>.c) that starts its server on loopback,
 * fills a conformance_backend_t and calls conformance_run(). docs/custom-signaling.md
 * ("Testing") lists the checks and how to add a backend.
 */
#ifndef ERTC_CONFORMANCE_H
#define ERTC_CONFORMANCE_H

#include <stdbool.h>

#include "webrtc_signaling_if.h"

typedef struct {
    const char *name;
    webrtc_signaling_client_if_t *(*get_if)(void);
    /* The configuration of client `index` (0 master, 1 viewer, 2 a spare) in `room`; it must
     * stay valid until free_config. */
    void *(*make_config)(const char *room, int index);
    void (*free_config)(void *cfg);
    /* Optional: deliver garbage to client `index` of `room` through the backend's server,
     * as a hostile or broken peer would. NULL: the incoming-garbage check is not run. */
    bool (*inject_malformed)(const char *room, int index);
    /* A one-sided backend (the bridge: always the answering device) is under test only as
     * client 0; clients 1 and 2 are its far peers through another backend. Sender-side checks
     * then send on client 0. false for a backend whose every client is under test. */
    bool one_sided;
} conformance_backend_t;

/* Runs every check as a cmocka group; returns the number of failed checks. */
int conformance_run(const conformance_backend_t *backend);

#endif
