/*
 * device/kvs_backend — --signaling kvs configuration (see kvs_backend.h).
 */
#include "kvs_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The KVS channel-name rule (CreateSignalingChannel): [a-zA-Z0-9_.-]{1,256}. */
static bool check_channel(const char *v, char *err, size_t errlen)
{
    size_t n = strlen(v);
    bool ok = n >= 1 && n <= 256;
    for (const char *c = v; ok && *c != '\0'; c++) {
        ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
             *c == '_' || *c == '.' || *c == '-';
    }
    if (!ok) {
        snprintf(err, errlen, "--channel \"%.80s\": expected 1-256 of [a-zA-Z0-9_.-]", v);
    }
    return ok;
}

/* A region such as "us-west-2" or "cn-north-1": lower-case letters, digits and dashes. */
static bool check_region(const char *v, char *err, size_t errlen)
{
    size_t n = strlen(v);
    bool ok = n >= 1 && n <= 32;
    for (const char *c = v; ok && *c != '\0'; c++) {
        ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || *c == '-';
    }
    if (!ok) {
        snprintf(err, errlen, "--region \"%.40s\": expected a region such as us-west-2", v);
    }
    return ok;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0';
}

bool dev_kvs_backend_available(void)
{
#ifdef ERTC_WITH_KVS
    return true;
#else
    return false;
#endif
}

bool dev_kvs_backend_init(const dev_options_t *o, dev_kvs_backend_t *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof(*b));
    if (o->channel == NULL) {
        snprintf(err, errlen, "--signaling kvs needs --channel NAME");
        return false;
    }
    if (!check_channel(o->channel, err, errlen)) {
        return false;
    }
    const char *region = o->region;
    if (region == NULL) {
        region = env_set("AWS_REGION") ? getenv("AWS_REGION") : KVS_SIGNALING_DEFAULT_REGION;
    }
    if (!check_region(region, err, errlen)) {
        return false;
    }
    if (!env_set("AWS_ACCESS_KEY_ID") || !env_set("AWS_SECRET_ACCESS_KEY")) {
        snprintf(err, errlen,
                 "--signaling kvs needs credentials: set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)");
        return false;
    }
#ifdef ERTC_WITH_KVS
    b->client_if = kvs_signaling_client_if_get();
#else
    snprintf(err, errlen, "--signaling kvs is not available in this build");
    return false;
#endif
    b->cfg.pChannelName = (char *)o->channel;
    b->cfg.awsRegion = (char *)region;
    b->cfg.caCertPath = (char *)o->ca_cert;
    b->cfg.controlPlaneUrl = (char *)o->endpoint;
    /* An --endpoint is an emulator or a test service whose endpoints change from run to run: a
     * cache file would hand the next run stale ones. Against AWS, the default cache file in the
     * working folder saves the control-plane calls on a restart. */
    if (o->endpoint != NULL) {
        b->cfg.cacheFilePath = "";
    }
    b->cfg.logLevel = o->log_level;
    if (o->endpoint != NULL) {
        snprintf(b->what, sizeof(b->what), "channel %.160s in %.32s at %.80s", o->channel, region,
                 o->endpoint);
    } else {
        snprintf(b->what, sizeof(b->what), "channel %.160s in %.32s", o->channel, region);
    }
    return true;
}
