/*
 * signald/options — command-line parsing and help (see options.h).
 */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/log.h"

typedef enum {
    FLAG_LISTEN,
    FLAG_WEB,
    FLAG_STUN,
    FLAG_TURN,
    FLAG_TURN_SECRET,
    FLAG_TURN_USER,
    FLAG_TURN_TTL,
    FLAG_LOG_LEVEL,
    FLAG_HELP,
    FLAG_KVS,
    FLAG_KVS_CERT,
    FLAG_KVS_KEY,
    FLAG_KVS_REGION,
    FLAG_KVS_ACCESS_KEY,
    FLAG_KVS_SECRET_KEY,
    FLAG_KVS_SECRET_KEY_FILE,
    FLAG_KVS_TEST_HOOKS,
} flag_id_t;

typedef struct {
    const char *name;
    flag_id_t id;
    bool takes_value;
} flag_t;

static const flag_t FLAGS[] = {
    {"--listen", FLAG_LISTEN, true},
    {"--web", FLAG_WEB, true},
    {"--stun", FLAG_STUN, true},
    {"--turn", FLAG_TURN, true},
    {"--turn-secret", FLAG_TURN_SECRET, true},
    {"--turn-user", FLAG_TURN_USER, true},
    {"--turn-ttl", FLAG_TURN_TTL, true},
    {"--log-level", FLAG_LOG_LEVEL, true},
    {"--help", FLAG_HELP, false},
    {"-h", FLAG_HELP, false},
    {"--kvs", FLAG_KVS, true},
    {"--kvs-cert", FLAG_KVS_CERT, true},
    {"--kvs-key", FLAG_KVS_KEY, true},
    {"--kvs-region", FLAG_KVS_REGION, true},
    {"--kvs-access-key", FLAG_KVS_ACCESS_KEY, true},
    {"--kvs-secret-key", FLAG_KVS_SECRET_KEY, true},
    {"--kvs-secret-key-file", FLAG_KVS_SECRET_KEY_FILE, true},
    {"--kvs-test-hooks", FLAG_KVS_TEST_HOOKS, false},
};

void sd_options_print_help(FILE *f, const char *default_web_dir)
{
    fprintf(
        f,
        "edgertc-signald — a local AppRTC-compatible signaling server (room server and\n"
        "Collider WebSocket relay on one port) for edgertc devices, browsers and tests.\n"
        "\n"
        "usage: edgertc-signald [--listen HOST:PORT] [--web DIR] [--stun URL]... [--turn URL]...\n"
        "                       [--turn-secret SECRET] [--turn-user NAME] [--turn-ttl SECONDS]\n"
        "                       [--log-level LEVEL] [--help]\n"
        "                       [--kvs HOST:PORT [--kvs-cert PEM --kvs-key PEM] ...]\n"
        "\n"
        "  --listen HOST:PORT    address to serve on (default " SD_DEFAULT_LISTEN ").\n"
        "                        HOST is an IPv4 address, [IPv6] or localhost; PORT 0\n"
        "                        picks a free port. Once listening, one line goes to\n"
        "                        stdout: \"edgertc-signald: listening on http://HOST:PORT\".\n"
        "  --web DIR             folder served at / (index.html), /r/{room} (index.html)\n"
        "                        and /<file> (default: %s).\n"
        "  --stun URL            a STUN server for clients, stun:host[:port]; repeat for more.\n"
        "  --turn URL            a TURN server for clients, turn:host[:port][?transport=udp|tcp]\n"
        "                        or turns:...; repeat for more.\n"
        "  --turn-secret SECRET  shared secret of the TURN server (coturn use-auth-secret):\n"
        "                        clients get username \"<unix expiry>:<user>\" and credential\n"
        "                        base64(HMAC-SHA1(SECRET, username)). Never logged. Without\n"
        "                        it every ICE entry carries a placeholder credential.\n"
        "  --turn-user NAME      the user part of TURN usernames (default " SD_ICE_DEFAULT_TURN_USER
        ").\n"
        "  --turn-ttl SECONDS    lifetime of TURN credentials (default %d, 1 to %u).\n"
        "  --log-level LEVEL     verbose, debug, info, warn, error or silent (default info);\n"
        "                        logs go to stderr, one line per join, leave and error.\n"
        "  --help, -h            this text.\n"
        "\n"
        "KVS emulator (Amazon Kinesis Video Streams WebRTC signaling, on its own port):\n"
        "  --kvs HOST:PORT       serve the emulator there (control plane, GetIceServerConfig\n"
        "                        and the WebSocket data plane). A second stdout line says\n"
        "                        \"edgertc-signald: kvs listening on https://HOST:PORT\".\n"
        "  --kvs-cert PEM, --kvs-key PEM  serve it over TLS (endpoints wss:// and https://);\n"
        "                        without them it is plain (ws://, http://).\n"
        "  --kvs-region REGION   the region signatures must be scoped to "
        "(default " SD_DEFAULT_KVS_REGION ").\n"
        "  --kvs-access-key ID   the access key id accepted (default $AWS_ACCESS_KEY_ID).\n"
        "  --kvs-secret-key SECRET, --kvs-secret-key-file FILE  its secret (default\n"
        "                        $AWS_SECRET_ACCESS_KEY; the file's first line). Never logged.\n"
        "  --kvs-test-hooks      serve POST /_test/goaway, /_test/reconnect-ice, /_test/drop,\n"
        "                        /_test/close (&code=1001)\n"
        "                        and GET /_test/channel (?channel=NAME[&client=ID|master]).\n"
        "  GetIceServerConfig hands out the --turn URLs with REST credentials from\n"
        "  --turn-secret (Ttl 300 s, or --turn-ttl if shorter).\n"
        "\n"
        "Routes: POST /join/{room}, POST /message/{room}/{client}, POST /leave/{room}/{client},\n"
        "POST /bye/{room}/{client}, GET /params, POST|GET /v1alpha/iceconfig and /iceconfig,\n"
        "GET /ws (WebSocket, Origin required), GET /status, POST|DELETE /{room}/{client}\n"
        "(Collider HTTP relay), GET / and /r/{room} and /<file> (web pages).\n"
        "\n"
        "Exit status: 0 after SIGINT or SIGTERM, 1 when it cannot listen, 2 for bad flags.\n"
        "See docs/signald.md.\n",
        default_web_dir != NULL ? default_web_dir : "none", SD_DEFAULT_TURN_TTL_S,
        SD_ICE_MAX_TURN_TTL_S);
}

static bool parse_port(const char *s, uint16_t *out)
{
    if (*s == '\0' || strlen(s) > 5) {
        return false;
    }
    unsigned long v = 0;
    for (const char *c = s; *c != '\0'; c++) {
        if (*c < '0' || *c > '9') {
            return false;
        }
        v = v * 10 + (unsigned long)(*c - '0');
    }
    if (v > 65535) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

static bool parse_listen(const char *flag, const char *value, ertc_addr_t *out, char *err,
                         size_t errlen)
{
    char host[ERTC_ADDR_STRLEN];
    const char *port_text = NULL;
    if (value[0] == '[') {
        const char *close = strchr(value, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - value - 1) >= sizeof(host)) {
            snprintf(err, errlen, "%s \"%.80s\": expected [IPv6]:PORT", flag, value);
            return false;
        }
        memcpy(host, value + 1, (size_t)(close - value - 1));
        host[close - value - 1] = '\0';
        port_text = close + 2;
    } else {
        const char *colon = strrchr(value, ':');
        if (colon == NULL || colon == value || (size_t)(colon - value) >= sizeof(host) ||
            memchr(value, ':', (size_t)(colon - value)) != NULL) {
            snprintf(err, errlen, "%s \"%.80s\": expected HOST:PORT (for example 127.0.0.1:8080)",
                     flag, value);
            return false;
        }
        memcpy(host, value, (size_t)(colon - value));
        host[colon - value] = '\0';
        port_text = colon + 1;
    }
    uint16_t port = 0;
    if (!parse_port(port_text, &port)) {
        snprintf(err, errlen, "%s \"%.80s\": the port must be a number from 0 to 65535", flag,
                 value);
        return false;
    }
    memset(out, 0, sizeof(*out));
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    if (ertc_addr_parse_ip(host, out) != WEBRTC_STATUS_SUCCESS) {
        snprintf(err, errlen,
                 "%s \"%.80s\": \"%s\" is not an IP address (use an IPv4 address, "
                 "[IPv6] or localhost)",
                 flag, value, host);
        return false;
    }
    out->port = port;
    return true;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool check_user(const char *v, char *err, size_t errlen)
{
    size_t n = strlen(v);
    if (n == 0 || n > SD_ICE_MAX_USER_LEN) {
        snprintf(err, errlen, "--turn-user: expected 1 to %d characters", SD_ICE_MAX_USER_LEN);
        return false;
    }
    for (const char *c = v; *c != '\0'; c++) {
        if (*c <= ' ' || *c >= 0x7f || *c == ':' || *c == '"' || *c == '\\') {
            snprintf(err, errlen,
                     "--turn-user \"%.64s\": no spaces, quotes, ':' or non-ASCII characters", v);
            return false;
        }
    }
    return true;
}

static bool check_region(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= 64) {
        return false;
    }
    for (const char *c = v; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')) {
            return false;
        }
    }
    return true;
}

static bool read_secret_file(const char *path, sd_kvs_options_t *k, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "--kvs-secret-key-file \"%.200s\": %s", path, strerror(errno));
        return false;
    }
    char line[SD_KVS_MAX_KEY_LEN + 2];
    bool ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    size_t n = ok ? strcspn(line, "\r\n") : 0;
    if (n == 0 || n > SD_KVS_MAX_KEY_LEN) {
        snprintf(err, errlen,
                 "--kvs-secret-key-file \"%.200s\": expected the secret (1 to %d "
                 "characters) on the first line",
                 path, SD_KVS_MAX_KEY_LEN);
        return false;
    }
    memcpy(k->secret_from_file, line, n);
    k->secret_from_file[n] = '\0';
    memset(line, 0, sizeof(line));
    k->secret_key = k->secret_from_file;
    return true;
}

/* The KVS flags need --kvs, keys and both or neither of cert and key. */
static bool check_kvs(sd_kvs_options_t *k, char *err, size_t errlen)
{
    bool any = k->cert_path || k->key_path || k->access_key_id || k->secret_key || k->test_hooks ||
               k->region;
    if (!k->enabled) {
        if (any) {
            snprintf(err, errlen, "the --kvs-* flags need --kvs HOST:PORT");
            return false;
        }
        return true;
    }
    if ((k->cert_path == NULL) != (k->key_path == NULL)) {
        snprintf(err, errlen, "--kvs-cert and --kvs-key go together");
        return false;
    }
    if (k->region == NULL) {
        k->region = SD_DEFAULT_KVS_REGION;
    }
    if (k->access_key_id == NULL) {
        k->access_key_id = getenv("AWS_ACCESS_KEY_ID");
    }
    if (k->secret_key == NULL) {
        k->secret_key = getenv("AWS_SECRET_ACCESS_KEY");
    }
    if (k->access_key_id == NULL || k->access_key_id[0] == '\0' ||
        strlen(k->access_key_id) >= SD_KVS_MAX_KEY_LEN || strchr(k->access_key_id, '/') != NULL) {
        snprintf(err, errlen,
                 "--kvs needs an access key id without '/' (--kvs-access-key or "
                 "AWS_ACCESS_KEY_ID)");
        return false;
    }
    if (k->secret_key == NULL || k->secret_key[0] == '\0' ||
        strlen(k->secret_key) > SD_KVS_MAX_KEY_LEN) {
        snprintf(err, errlen,
                 "--kvs needs a secret key (--kvs-secret-key, --kvs-secret-key-file "
                 "or AWS_SECRET_ACCESS_KEY)");
        return false;
    }
    return true;
}

static bool apply_flag(const flag_t *flag, const char *v, sd_options_t *o, char *err, size_t errlen)
{
    char why[160];
    switch (flag->id) {
    case FLAG_LISTEN: return parse_listen("--listen", v, &o->listen, err, errlen);
    case FLAG_WEB:
        if (!is_directory(v)) {
            snprintf(err, errlen, "--web \"%.200s\": not a directory", v);
            return false;
        }
        o->web_dir = v;
        o->web_dir_explicit = true;
        return true;
    case FLAG_STUN:
    case FLAG_TURN: {
        bool turn = flag->id == FLAG_TURN;
        size_t *n = turn ? &o->ice.n_turn : &o->ice.n_stun;
        if (*n >= SD_MAX_ICE_URLS) {
            snprintf(err, errlen, "%s: at most %d URLs", flag->name, SD_MAX_ICE_URLS);
            return false;
        }
        if (sd_ice_check_url(v, turn, why, sizeof(why)) != WEBRTC_STATUS_SUCCESS) {
            snprintf(err, errlen, "%s: %s", flag->name, why);
            return false;
        }
        (turn ? o->ice.turn : o->ice.stun)[(*n)++] = v;
        return true;
    }
    case FLAG_TURN_SECRET:
        if (v[0] == '\0') {
            snprintf(err, errlen, "--turn-secret: the secret must not be empty");
            return false;
        }
        o->ice.turn_secret = v;
        return true;
    case FLAG_TURN_USER:
        if (!check_user(v, err, errlen)) {
            return false;
        }
        o->ice.turn_user = v;
        return true;
    case FLAG_TURN_TTL: {
        char *end = NULL;
        errno = 0;
        unsigned long ttl = strtoul(v, &end, 10);
        if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || ttl == 0 ||
            ttl > SD_ICE_MAX_TURN_TTL_S) {
            snprintf(err, errlen, "--turn-ttl \"%.32s\": expected seconds from 1 to %u", v,
                     SD_ICE_MAX_TURN_TTL_S);
            return false;
        }
        o->ice.turn_ttl_s = (uint32_t)ttl;
        return true;
    }
    case FLAG_LOG_LEVEL: {
        int level = ertc_log_level_parse(v);
        if (level < 0) {
            snprintf(err, errlen,
                     "--log-level \"%.32s\": expected verbose, debug, info, warn, error or silent",
                     v);
            return false;
        }
        o->log_level = level;
        return true;
    }
    case FLAG_HELP: o->help = true; return true;
    case FLAG_KVS:
        o->kvs.enabled = true;
        return parse_listen("--kvs", v, &o->kvs.listen, err, errlen);
    case FLAG_KVS_CERT: o->kvs.cert_path = v; return true;
    case FLAG_KVS_KEY: o->kvs.key_path = v; return true;
    case FLAG_KVS_REGION:
        if (!check_region(v)) {
            snprintf(err, errlen, "--kvs-region \"%.64s\": expected a region like us-west-2", v);
            return false;
        }
        o->kvs.region = v;
        return true;
    case FLAG_KVS_ACCESS_KEY: o->kvs.access_key_id = v; return true;
    case FLAG_KVS_SECRET_KEY: o->kvs.secret_key = v; return true;
    case FLAG_KVS_SECRET_KEY_FILE: return read_secret_file(v, &o->kvs, err, errlen);
    case FLAG_KVS_TEST_HOOKS: o->kvs.test_hooks = true; return true;
    }
    return false;
}

bool sd_options_parse(int argc, char **argv, const char *default_web_dir, sd_options_t *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    sd_ice_config_init(&out->ice);
    out->log_level = ERTC_LOG_INFO;
    if (!parse_listen("--listen", SD_DEFAULT_LISTEN, &out->listen, err, errlen)) {
        return false;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const flag_t *flag = NULL;
        for (size_t f = 0; f < sizeof(FLAGS) / sizeof(FLAGS[0]); f++) {
            if (strlen(FLAGS[f].name) == name_len && strncmp(FLAGS[f].name, arg, name_len) == 0) {
                flag = &FLAGS[f];
                break;
            }
        }
        if (flag == NULL) {
            snprintf(err, errlen, "unknown %s \"%.64s\" (see --help)",
                     arg[0] == '-' ? "flag" : "argument", arg);
            return false;
        }
        const char *value = NULL;
        if (flag->takes_value) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                snprintf(err, errlen, "%s needs a value (see --help)", flag->name);
                return false;
            }
        } else if (eq != NULL) {
            snprintf(err, errlen, "%s takes no value", flag->name);
            return false;
        }
        if (!apply_flag(flag, value, out, err, errlen)) {
            return false;
        }
    }
    if (!check_kvs(&out->kvs, err, errlen)) {
        return false;
    }
    if (!out->web_dir_explicit && default_web_dir != NULL && is_directory(default_web_dir)) {
        out->web_dir = default_web_dir;
    }
    return true;
}
