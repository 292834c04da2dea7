/*
 * device/options — command-line parsing and help (see options.h).
 */
#include "options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry.h"
#include "bridge_mode.h"
#include "util/log.h"

typedef enum {
    F_SIGNALING,
    F_ROLE,
    F_SERVER,
    F_ROOM,
    F_CA_CERT,
    F_CHANNEL,
    F_REGION,
    F_ENDPOINT,
    F_VIDEO,
    F_AUDIO,
    F_RECEIVE_DIR,
    F_STUN,
    F_TURN,
    F_TURN_USER,
    F_TURN_PASS,
    F_RELAY_ONLY,
    F_MAX_SESSIONS,
    F_DURATION,
    F_EVENTS_JSON,
    F_LOG_LEVEL,
    F_HELP,
    F_SIGNALING_OPT,
    F_MODE,
    F_BRIDGE,
} flag_id_t;

typedef struct {
    const char *name;
    flag_id_t id;
    bool takes_value;
} flag_t;

static const flag_t FLAGS[] = {
    {"--signaling", F_SIGNALING, true},   {"--role", F_ROLE, true},
    {"--server", F_SERVER, true},         {"--room", F_ROOM, true},
    {"--ca-cert", F_CA_CERT, true},       {"--channel", F_CHANNEL, true},
    {"--region", F_REGION, true},         {"--endpoint", F_ENDPOINT, true},
    {"--video", F_VIDEO, true},           {"--audio", F_AUDIO, true},
    {"--receive-dir", F_RECEIVE_DIR, true}, {"--stun", F_STUN, true},
    {"--turn", F_TURN, true},             {"--turn-user", F_TURN_USER, true},
    {"--turn-pass", F_TURN_PASS, true},   {"--relay-only", F_RELAY_ONLY, false},
    {"--max-sessions", F_MAX_SESSIONS, true}, {"--duration", F_DURATION, true},
    {"--events-json", F_EVENTS_JSON, true}, {"--log-level", F_LOG_LEVEL, true},
    {"--signaling-opt", F_SIGNALING_OPT, true},
    {"--help", F_HELP, false},            {"-h", F_HELP, false},
    {"--mode", F_MODE, true},             {"--bridge", F_BRIDGE, true},
};

void dev_options_print_help(FILE *f)
{
    fputs(
        "edgertc-device — a WebRTC camera (or viewer) built on edgertc: signaling through a\n"
        "pluggable backend, live H.264 video and Opus audio to browsers and other peers.\n"
        "\n"
        "usage: edgertc-device [--signaling apprtc|kvs|bridge] [--role master|viewer]\n"
        "                      [backend flags] [media flags] [ICE flags] [--duration SEC]\n"
        "                      [--events-json FILE] [--log-level LEVEL] [--help]\n"
        "\n"
        "Signaling:\n"
        "  --signaling NAME    apprtc (default), kvs or bridge, or a backend registered in\n"
        "                      this build (edgertc-device-mqtt: mqtt); see\n"
        "                      docs/custom-signaling.md.\n"
        "  --signaling-opt K=V an option for a registered backend (repeatable).\n"
        "  --role ROLE         master (default): wait for viewers' offers and answer them;\n"
        "                      viewer: make the offer to the master.\n"
        "  --server URL        AppRTC room server, http[s]://host[:port] (required for apprtc).\n"
        "  --room NAME         AppRTC room (required for apprtc): 1-64 of [0-9A-Za-z_-].\n"
        "  --ca-cert PATH      CA file or folder for https/wss (default: the system bundle).\n"
        "  --channel NAME      KVS signaling channel (required for kvs).\n"
        "  --region R          AWS region for kvs (default: AWS_REGION or us-west-2).\n"
        "  --endpoint URL      KVS control-plane endpoint override (a local emulator);\n"
        "                      credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY\n"
        "                      and AWS_SESSION_TOKEN.\n"
        "\n"
        "Media:\n"
        "  --video SRC         testsrc (a moving test pattern with a frame counter and the\n"
        "                      time, H.264), an H.264 Annex-B FILE, or none (default testsrc).\n"
        "  --audio SRC         testsrc (a 440 Hz tone, Opus), an Ogg/Opus FILE, or none\n"
        "                      (default testsrc).\n"
        "  --receive-dir DIR   receive the peer's media and write it there (received.h264,\n"
        "                      H.264 Annex-B, and received.opus, Ogg/Opus; the first peer\n"
        "                      that sends); without it nothing is received.\n"
        "\n"
        "ICE (no server is used unless given; the device never contacts a public server):\n"
        "  --stun URL          stun:host[:port]; repeat for more (at most 4).\n"
        "  --turn URL          turn:host[:port][?transport=udp]; repeat for more (at most 4).\n"
        "  --turn-user U       TURN username.\n"
        "  --turn-pass P       TURN password (or the EDGERTC_TURN_PASS environment variable;\n"
        "                      never printed).\n"
        "  --relay-only        use relayed (TURN) candidates only; the TURN servers come from\n"
        "                      --turn and from the signaling backend (edgertc-signald\n"
        "                      --turn, KVS GetIceServerConfig).\n"
        "\n"
        "Running:\n"
        "  --max-sessions N    concurrent peers, 1-16 (default 2); more are refused. An\n"
        "                      AppRTC room holds one viewer at a time.\n"
        "  --duration SEC      stop after SEC seconds (default: run until Ctrl-C).\n"
        "  --events-json FILE  append one JSON object per event (with session metrics) per\n"
        "                      line; \"-\" is stdout.\n"
        "  --log-level LEVEL   verbose, debug, info, warn, error or silent (default warn);\n"
        "                      logs go to stderr, the status lines to stdout.\n"
        "  --help, -h          this text.\n"
        "\n"
        "Exit status: 0 after --duration or SIGINT/SIGTERM, 1 when it could not start or\n"
        "signaling failed for good, 2 for bad flags or configuration, 3 when this build lacks\n"
        "the backend asked for.\n",
        f);
    dev_bridge_mode_print_help(f);
}

const char *dev_signaling_name(dev_signaling_t s)
{
    switch (s) {
    case DEV_SIGNALING_APPRTC: return "apprtc";
    case DEV_SIGNALING_KVS: return "kvs";
    case DEV_SIGNALING_BRIDGE: return "bridge";
    case DEV_SIGNALING_REGISTERED: return "(registered)";
    }
    return "?";
}

static bool parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (*s == '\0' || strlen(s) > 9) {
        return false;
    }
    uint32_t v = 0;
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        v = v * 10 + (uint32_t)(*c - '0');
    }
    if (v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool parse_source(const char *flag, const char *v, dev_source_t *out, char *err,
                         size_t errlen)
{
    if (strcmp(v, "testsrc") == 0) {
        out->kind = DEV_SOURCE_TESTSRC;
    } else if (strcmp(v, "none") == 0) {
        out->kind = DEV_SOURCE_NONE;
    } else if (is_regular_file(v)) {
        out->kind = DEV_SOURCE_FILE;
        out->path = v;
    } else {
        snprintf(err, errlen, "%s \"%.200s\": expected testsrc, none or a readable file", flag, v);
        return false;
    }
    return true;
}

static bool check_url(const char *flag, const char *v, const char *const *schemes, char *err,
                      size_t errlen)
{
    for (const char *const *s = schemes; *s != NULL; s++) {
        size_t n = strlen(*s);
        if (strncmp(v, *s, n) == 0 && v[n] != '\0') {
            return true;
        }
    }
    snprintf(err, errlen, "%s \"%.200s\": expected a URL starting with %s%s%s", flag, v,
             schemes[0], schemes[1] != NULL ? " or " : "", schemes[1] != NULL ? schemes[1] : "");
    return false;
}

static bool check_room(const char *v, char *err, size_t errlen)
{
    size_t n = strlen(v);
    bool ok = n >= 1 && n <= 64;
    for (const char *c = v; ok && *c != '\0'; c++) {
        ok = (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
             *c == '_' || *c == '-';
    }
    if (!ok) {
        snprintf(err, errlen, "--room \"%.80s\": expected 1-64 of [0-9A-Za-z_-]", v);
    }
    return ok;
}

static bool apply_flag(const flag_t *flag, const char *v, dev_options_t *o, char *err,
                       size_t errlen)
{
    static const char *const http_schemes[] = {"http://", "https://", NULL};
    static const char *const stun_schemes[] = {"stun:", NULL};
    static const char *const turn_schemes[] = {"turn:", "turns:", NULL};
    switch (flag->id) {
    case F_SIGNALING:
        if (strcmp(v, "apprtc") == 0) {
            o->signaling = DEV_SIGNALING_APPRTC;
        } else if (strcmp(v, "kvs") == 0) {
            o->signaling = DEV_SIGNALING_KVS;
        } else if (strcmp(v, "bridge") == 0) {
            o->signaling = DEV_SIGNALING_BRIDGE;
        } else if (dev_registry_has(v)) {
            o->signaling = DEV_SIGNALING_REGISTERED;
            o->signaling_name = v;
        } else {
            char names[200];
            snprintf(err, errlen,
                     "--signaling \"%.80s\": expected apprtc, kvs, bridge or a registered "
                     "backend (%s)",
                     v, dev_registry_names(names, sizeof(names)));
            return false;
        }
        return true;
    case F_SIGNALING_OPT:
        if (strchr(v, '=') == NULL || o->n_signaling_opt >= DEV_MAX_SIGNALING_OPTS) {
            snprintf(err, errlen, "--signaling-opt \"%.40s\": expected KEY=VALUE (at most %d)",
                     v, DEV_MAX_SIGNALING_OPTS);
            return false;
        }
        o->signaling_opt[o->n_signaling_opt++] = v;
        return true;
    case F_ROLE:
        if (strcmp(v, "master") != 0 && strcmp(v, "viewer") != 0) {
            snprintf(err, errlen, "--role \"%.80s\": expected master or viewer", v);
            return false;
        }
        o->viewer = strcmp(v, "viewer") == 0;
        return true;
    case F_SERVER:
        o->server = v;
        return check_url(flag->name, v, http_schemes, err, errlen);
    case F_ROOM: o->room = v; return check_room(v, err, errlen);
    case F_CA_CERT:
        if (!is_regular_file(v) && !is_directory(v)) {
            snprintf(err, errlen, "--ca-cert \"%.200s\": not a file or folder", v);
            return false;
        }
        o->ca_cert = v;
        return true;
    case F_CHANNEL: o->channel = v; return true;
    case F_REGION: o->region = v; return true;
    case F_ENDPOINT:
        o->endpoint = v;
        return check_url(flag->name, v, http_schemes, err, errlen);
    case F_VIDEO: return parse_source(flag->name, v, &o->video, err, errlen);
    case F_AUDIO: return parse_source(flag->name, v, &o->audio, err, errlen);
    case F_RECEIVE_DIR:
        if (!is_directory(v)) {
            snprintf(err, errlen, "--receive-dir \"%.200s\": not a folder", v);
            return false;
        }
        o->receive_dir = v;
        return true;
    case F_STUN:
    case F_TURN: {
        bool turn = flag->id == F_TURN;
        uint32_t *n = turn ? &o->n_turn : &o->n_stun;
        if (*n >= DEV_MAX_ICE_URLS) {
            snprintf(err, errlen, "%s: at most %d URLs", flag->name, DEV_MAX_ICE_URLS);
            return false;
        }
        if (!check_url(flag->name, v, turn ? turn_schemes : stun_schemes, err, errlen)) {
            return false;
        }
        (turn ? o->turn : o->stun)[(*n)++] = v;
        return true;
    }
    case F_TURN_USER: o->turn_user = v; return true;
    case F_TURN_PASS: o->turn_pass = v; return true;
    case F_RELAY_ONLY: o->relay_only = true; return true;
    case F_MAX_SESSIONS:
        if (!parse_uint(v, 1, 16, &o->max_sessions)) {
            snprintf(err, errlen, "--max-sessions \"%.40s\": expected a number from 1 to 16", v);
            return false;
        }
        return true;
    case F_DURATION:
        if (!parse_uint(v, 1, 31 * 24 * 3600, &o->duration_s)) {
            snprintf(err, errlen, "--duration \"%.40s\": expected seconds, 1 or more", v);
            return false;
        }
        return true;
    case F_EVENTS_JSON: o->events_json = v; return true;
    case F_LOG_LEVEL: {
        int level = ertc_log_level_parse(v);
        if (level < 0) {
            snprintf(err, errlen,
                     "--log-level \"%.40s\": expected verbose, debug, info, warn, error or "
                     "silent",
                     v);
            return false;
        }
        o->log_level = (uint32_t)level;
        return true;
    }
    case F_HELP: return true;
    case F_MODE: o->mode = v; return dev_bridge_mode_parse(v, err, errlen);
    case F_BRIDGE: o->bridge = v; return true;
    }
    return false;
}

/* Cross-flag checks, after every flag was read. */
static int check_combination(dev_options_t *o, char *err, size_t errlen)
{
    int split_rc = dev_bridge_mode_check(o, err, errlen);
    if (split_rc != DEV_EXIT_OK) {
        return split_rc;
    }
    if (o->turn_pass == NULL) {
        o->turn_pass = getenv("EDGERTC_TURN_PASS");
    }
    if (o->n_turn > 0 && (o->turn_user == NULL || o->turn_pass == NULL)) {
        snprintf(err, errlen, "--turn needs --turn-user and --turn-pass (or EDGERTC_TURN_PASS)");
        return DEV_EXIT_USAGE;
    }
    switch (o->signaling) {
    case DEV_SIGNALING_APPRTC:
        if (o->server == NULL) {
            snprintf(err, errlen, "--signaling apprtc needs --server URL");
            return DEV_EXIT_USAGE;
        }
        if (o->room == NULL) {
            snprintf(err, errlen, "--signaling apprtc needs --room NAME");
            return DEV_EXIT_USAGE;
        }
        break;
    case DEV_SIGNALING_KVS:
        if (o->channel == NULL) {
            snprintf(err, errlen, "--signaling kvs needs --channel NAME");
            return DEV_EXIT_USAGE;
        }
        break;
    case DEV_SIGNALING_BRIDGE: break;
    case DEV_SIGNALING_REGISTERED: break; /* its parser checks (registry.c) */
    }
    if (o->video.kind == DEV_SOURCE_NONE && o->audio.kind == DEV_SOURCE_NONE &&
        o->receive_dir == NULL && !o->viewer) {
        snprintf(err, errlen,
                 "nothing to send or receive: --video and --audio are none and no --receive-dir");
        return DEV_EXIT_USAGE;
    }
    return DEV_EXIT_OK;
}

int dev_options_parse(int argc, char **argv, dev_options_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->signaling = DEV_SIGNALING_APPRTC;
    o->video.kind = DEV_SOURCE_TESTSRC;
    o->audio.kind = DEV_SOURCE_TESTSRC;
    o->max_sessions = 2;
    o->log_level = ERTC_LOG_WARN;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const flag_t *flag = NULL;
        for (size_t k = 0; k < sizeof(FLAGS) / sizeof(FLAGS[0]); k++) {
            if (strlen(FLAGS[k].name) == name_len && strncmp(FLAGS[k].name, arg, name_len) == 0) {
                flag = &FLAGS[k];
                break;
            }
        }
        if (flag == NULL) {
            snprintf(err, errlen, "unknown flag \"%.80s\" (see --help)", arg);
            return DEV_EXIT_USAGE;
        }
        if (flag->id == F_HELP) {
            return -1;
        }
        const char *value = NULL;
        if (flag->takes_value) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                snprintf(err, errlen, "%s needs a value", flag->name);
                return DEV_EXIT_USAGE;
            }
        } else if (eq != NULL) {
            snprintf(err, errlen, "%s takes no value", flag->name);
            return DEV_EXIT_USAGE;
        }
        if (!apply_flag(flag, value, o, err, errlen)) {
            return DEV_EXIT_USAGE;
        }
    }
    return check_combination(o, err, errlen);
}
