/*
 * ice_turn_coturn — the ICE agent's TURN client against a real coturn (Debian's
 * /usr/bin/turnserver), started by this program on 127.0.0.1 with a config it writes to a
 * temporary folder (run it inside a private namespace: tests/interop/run-in-netns.sh).
 *
 * Two agents in one process: "relay" (controlling, relay_only, one TURN server) and "host"
 * (controlled, a host candidate only). They must connect through coturn, the selected pair
 * must use the relayed candidate, and data must flow both ways, in Send/Data indications
 * first and in ChannelData once the channel is bound. Scenarios:
 *
 *   rest    coturn with use-auth-secret; TURN REST credentials as edgertc-signald hands them
 *           out: username "expiry:user", password base64(HMAC-SHA1(secret, username)).
 *           A short max-allocate-lifetime and stale-nonce make the client Refresh and meet
 *           438 Stale Nonce while connected; data must still flow afterwards.
 *   static  coturn with lt-cred-mech and a static user.
 *   mixed   the same without relay_only: host and relayed candidates, the host pair wins.
 *   badpass the static user with a wrong password: 401 after credentials, counted, and
 *           gathering still ends (end-of-candidates without a relayed candidate).
 *   silent  a TURN server address nobody listens on: timeouts, gathering still ends.
 *
 * Prints the time from start to a relayed connection. Exits 0 when every check passed.
 * Secrets are generated per run and never printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/md.h>

#include "peer/ice_agent.h"
#include "peer/stun.h"
#include "port/loop.h"
#include "port/port.h"
#include "port/socket.h"
#include "util/base64.h"
#include "util/log.h"

#define WAIT_MS       15000
#define LIFETIME_S    8 /* coturn max-allocate-lifetime: the client refreshes after 4 s */
#define STALE_NONCE_S 3
#define REALM         "edgertc.test"
#define MAX_CANDS     8

static const char *g_turnserver = "/usr/bin/turnserver";
static char g_dir[64];
static pid_t g_coturn = -1;
static ertc_loop_t *g_loop;
static int g_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            g_failures++;                                                                          \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

typedef struct peer {
    const char *name;
    ertc_ice_agent_t *agent;
    struct peer *other;
    char lines[MAX_CANDS][ERTC_SDP_CANDIDATE_TEXT_SIZE];
    ertc_sdp_candidate_t cands[MAX_CANDS];
    int count;
    bool forwarding;
    bool end_of_candidates;
    bool connected;
    bool failed;
    int received;
} peer_t;

/* ---- coturn -------------------------------------------------------------------------- */

static void coturn_stop(void)
{
    if (g_coturn > 0) {
        kill(g_coturn, SIGTERM);
        int status;
        (void)waitpid(g_coturn, &status, 0);
        g_coturn = -1;
    }
}

static uint16_t free_udp_port(void)
{
    ertc_addr_t a;
    memset(&a, 0, sizeof(a));
    (void)ertc_addr_parse_ip("127.0.0.1", &a);
    ertc_socket_t s;
    if (ertc_udp_open(&a, &s) != WEBRTC_STATUS_SUCCESS) {
        return 0;
    }
    ertc_addr_t bound;
    (void)ertc_socket_local_addr(s, &bound);
    ertc_socket_close(s);
    return bound.port;
}

/* True once coturn answers a Binding request on port. */
static bool coturn_ready(uint16_t port)
{
    ertc_addr_t any, server;
    memset(&any, 0, sizeof(any));
    (void)ertc_addr_parse_ip("127.0.0.1", &any);
    server = any;
    server.port = port;
    ertc_socket_t s;
    if (ertc_udp_open(&any, &s) != WEBRTC_STATUS_SUCCESS) {
        return false;
    }
    bool ok = false;
    for (int i = 0; i < 100 && !ok; i++) {
        uint8_t buf[512], tid[ERTC_STUN_TRANSACTION_ID_LEN] = {1, 2, 3};
        ertc_stun_builder_t b;
        size_t len = 0;
        (void)ertc_stun_builder_init(&b, buf, sizeof(buf), ERTC_STUN_BINDING_REQUEST, tid);
        (void)ertc_stun_builder_finish(&b, NULL, 0, true, &len);
        (void)ertc_udp_sendto(s, buf, len, &server);
        usleep(50000);
        ertc_addr_t from;
        ok = ertc_udp_recvfrom(s, buf, sizeof(buf), &len, &from) == WEBRTC_STATUS_SUCCESS;
    }
    ertc_socket_close(s);
    return ok;
}

/* Writes the config and starts coturn in the foreground (no daemon), logging into g_dir. */
static bool coturn_start(uint16_t port, bool rest, const char *secret, const char *user,
                         const char *pass)
{
    char conf[128];
    snprintf(conf, sizeof(conf), "%s/turnserver.conf", g_dir);
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL, "cannot write %s", conf);
    unsigned relay_base = 40000u + (unsigned)(ertc_random_u32() % 20000u);
    fprintf(f,
            "listening-ip=127.0.0.1\nrelay-ip=127.0.0.1\nlistening-port=%u\n"
            "min-port=%u\nmax-port=%u\nrealm=%s\nfingerprint\nallow-loopback-peers\n"
            "no-cli\nno-tls\nno-dtls\nno-tcp\nno-tcp-relay\nno-multicast-peers\n"
            "max-allocate-lifetime=%d\nstale-nonce=%d\n"
            "log-file=%s/turnserver.log\nsimple-log\nno-stdout-log\n"
            "pidfile=%s/turnserver.pid\nuserdb=%s/turndb\n",
            port, relay_base, relay_base + 200, REALM, LIFETIME_S, STALE_NONCE_S, g_dir, g_dir,
            g_dir);
    if (rest) {
        fprintf(f, "use-auth-secret\nstatic-auth-secret=%s\n", secret);
    } else {
        fprintf(f, "lt-cred-mech\nuser=%s:%s\n", user, pass);
    }
    fclose(f);
    chmod(conf, 0600);
    g_coturn = fork();
    CHECK(g_coturn >= 0, "fork failed");
    if (g_coturn == 0) {
        execl(g_turnserver, g_turnserver, "-c", conf, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", g_turnserver, strerror(errno));
        _exit(127);
    }
    CHECK(coturn_ready(port), "coturn (%s) does not answer on port %u; see %s/turnserver.log",
          g_turnserver, port, g_dir);
    return true;
}

/* TURN REST credentials (draft-uberti-behave-turn-rest), as edgertc-signald makes them. */
static bool rest_credentials(const char *secret, char *user, size_t user_size, char *pass,
                             size_t pass_size)
{
    snprintf(user, user_size, "%lld:edgertc-test", (long long)time(NULL) + 3600);
    uint8_t mac[20];
    CHECK(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), (const uint8_t *)secret,
                          strlen(secret), (const uint8_t *)user, strlen(user), mac) == 0,
          "HMAC-SHA1");
    CHECK(ertc_base64_encode(mac, sizeof(mac), 0, pass, pass_size, NULL) == WEBRTC_STATUS_SUCCESS,
          "base64");
    return true;
}

/* ---- agents ---------------------------------------------------------------------------- */

static void on_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c, const char *line,
                         void *arg)
{
    (void)agent;
    peer_t *p = arg;
    if (c == NULL) {
        p->end_of_candidates = true;
        if (p->forwarding) {
            (void)ertc_ice_agent_add_remote_candidate(p->other->agent, NULL);
        }
        return;
    }
    if (p->count < MAX_CANDS) {
        snprintf(p->lines[p->count], sizeof(p->lines[0]), "%s", line);
        p->cands[p->count++] = *c;
    }
    if (p->forwarding) {
        (void)ertc_ice_agent_add_remote_candidate(p->other->agent, line);
    }
}

static void on_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    p->connected = state == ERTC_ICE_STATE_CONNECTED || state == ERTC_ICE_STATE_COMPLETED;
    p->failed = p->failed || state == ERTC_ICE_STATE_FAILED;
}

static void on_data(ertc_ice_agent_t *agent, const uint8_t *data, size_t len, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    if (len == 6 && memcmp(data, "\x80ping!", 6) == 0) {
        p->received++;
    }
}

static const ertc_ice_callbacks_t g_callbacks = {on_candidate, on_state, on_data};

typedef bool (*cond_fn)(void *arg);

static bool run_until(cond_fn done, void *arg, uint32_t max_ms)
{
    uint64_t give_up = ertc_time_mono_ms() + max_ms;
    while (!done(arg)) {
        if (ertc_time_mono_ms() > give_up) {
            return false;
        }
        (void)ertc_loop_run_once(g_loop, 10);
    }
    return true;
}

static bool both_connected(void *arg)
{
    peer_t *p = arg;
    return (p->connected && p->other->connected) || p->failed || p->other->failed;
}

static bool gathered(void *arg)
{
    return ((peer_t *)arg)->end_of_candidates;
}

static void agent_config(ertc_ice_config_t *cfg, const char *name, bool controlling)
{
    ertc_ice_config_init(cfg);
    cfg->name = name;
    cfg->controlling = controlling;
    (void)ertc_addr_parse_ip("127.0.0.1", &cfg->interfaces[0]);
    cfg->interface_count = 1;
    cfg->stun_rto_ms = 200;
    cfg->stun_max_tries = 3;
    cfg->consent_interval_ms = 1000;
}

static bool peer_start(peer_t *p, const ertc_ice_config_t *cfg)
{
    CHECK(ertc_ice_agent_create(g_loop, cfg, &g_callbacks, p, &p->agent) == WEBRTC_STATUS_SUCCESS,
          "create %s", p->name);
    CHECK(ertc_ice_agent_start(p->agent) == WEBRTC_STATUS_SUCCESS, "start %s", p->name);
    return true;
}

static void exchange(peer_t *a, peer_t *b)
{
    for (int k = 0; k < 2; k++) {
        peer_t *from = k == 0 ? a : b, *to = k == 0 ? b : a;
        (void)ertc_ice_agent_set_remote_credentials(to->agent,
                                                    ertc_ice_agent_local_ufrag(from->agent),
                                                    ertc_ice_agent_local_pwd(from->agent));
        for (int i = 0; i < from->count; i++) {
            (void)ertc_ice_agent_add_remote_candidate(to->agent, from->lines[i]);
        }
        if (from->end_of_candidates) {
            (void)ertc_ice_agent_add_remote_candidate(to->agent, NULL);
        }
        from->forwarding = true;
    }
}

typedef struct {
    peer_t *p;
    int want;
} count_wait_t;

static bool got_enough(void *arg)
{
    count_wait_t *w = arg;
    return w->p->received >= w->want;
}

/* Sends n pings each way and waits for most of them (UDP: allow one loss each way). */
static bool ping_both_ways(peer_t *a, peer_t *b, int n, const char *when)
{
    int ra = a->received, rb = b->received;
    for (int i = 0; i < n; i++) {
        CHECK(ertc_ice_agent_send(a->agent, (const uint8_t *)"\x80ping!", 6) ==
                  WEBRTC_STATUS_SUCCESS,
              "send relay->host (%s)", when);
        CHECK(ertc_ice_agent_send(b->agent, (const uint8_t *)"\x80ping!", 6) ==
                  WEBRTC_STATUS_SUCCESS,
              "send host->relay (%s)", when);
        (void)ertc_loop_run_once(g_loop, 5);
    }
    count_wait_t wb = {b, rb + n - 1}, wa = {a, ra + n - 1};
    CHECK(run_until(got_enough, &wb, WAIT_MS), "host got %d of %d pings (%s)", b->received - rb, n,
          when);
    CHECK(run_until(got_enough, &wa, WAIT_MS), "relay got %d of %d pings (%s)", a->received - ra, n,
          when);
    return true;
}

typedef struct {
    ertc_ice_agent_t *agent;
    uint32_t refreshes;
    uint32_t channels;
} stats_wait_t;

static bool stats_reached(void *arg)
{
    stats_wait_t *w = arg;
    ertc_ice_stats_t st;
    ertc_ice_agent_get_stats(w->agent, &st);
    return st.turn_refreshes >= w->refreshes && st.turn_channel_binds >= w->channels;
}

/* ---- scenarios --------------------------------------------------------------------------- */

static bool connect_through(const char *label, const ertc_ice_turn_server_t *turn, bool refresh)
{
    peer_t relay = {.name = "relay"}, host = {.name = "host"};
    relay.other = &host;
    host.other = &relay;
    ertc_ice_config_t rc, hc;
    agent_config(&rc, "relay", true);
    rc.relay_only = true;
    rc.turn_servers[0] = *turn;
    rc.turn_server_count = 1;
    agent_config(&hc, "host", false);

    uint64_t t0 = ertc_time_mono_us();
    bool ok = peer_start(&relay, &rc) && peer_start(&host, &hc);
    ok = ok && run_until(gathered, &relay, WAIT_MS);
    uint64_t t_gathered = ertc_time_mono_us();
    if (ok) {
        exchange(&relay, &host);
        ok = run_until(both_connected, &relay, WAIT_MS);
    }
    uint64_t t_connected = ertc_time_mono_us();
    bool pass = false;
    do {
        if (!ok || relay.failed || host.failed) {
            fprintf(stderr, "FAIL %s: no relayed connection (relay %s, host %s)\n", label,
                    relay.agent ? ertc_ice_state_name(ertc_ice_agent_state(relay.agent)) : "-",
                    host.agent ? ertc_ice_state_name(ertc_ice_agent_state(host.agent)) : "-");
            g_failures++;
            break;
        }
        /* relay_only: one candidate, relayed; no host address leaked. */
        if (relay.count != 1 || relay.cands[0].type != ERTC_SDP_CANDIDATE_RELAY) {
            fprintf(stderr, "FAIL %s: relay agent gathered %d candidate(s), first %s\n", label,
                    relay.count, relay.count > 0 ? relay.lines[0] : "-");
            g_failures++;
            break;
        }
        ertc_addr_t relayed, local, remote;
        memset(&relayed, 0, sizeof(relayed));
        (void)ertc_addr_parse_ip(relay.cands[0].address, &relayed);
        relayed.port = relay.cands[0].port;
        if (ertc_ice_agent_selected_pair(relay.agent, &local, NULL) != WEBRTC_STATUS_SUCCESS ||
            !ertc_addr_equal(&local, &relayed) ||
            ertc_ice_agent_selected_pair(host.agent, NULL, &remote) != WEBRTC_STATUS_SUCCESS ||
            !ertc_addr_equal(&remote, &relayed)) {
            fprintf(stderr, "FAIL %s: the selected pairs do not use the relayed candidate %s\n",
                    label, relay.lines[0]);
            g_failures++;
            break;
        }
        if (!ping_both_ways(&relay, &host, 10, "indications or channel")) {
            break;
        }
        stats_wait_t sw = {relay.agent, 0, 1};
        if (!run_until(stats_reached, &sw, WAIT_MS)) {
            fprintf(stderr, "FAIL %s: no ChannelBind for the selected pair\n", label);
            g_failures++;
            break;
        }
        if (!ping_both_ways(&relay, &host, 10, "ChannelData")) {
            break;
        }
        if (refresh) {
            stats_wait_t rw = {relay.agent, 1, 1};
            if (!run_until(stats_reached, &rw, (LIFETIME_S + 5) * 1000)) {
                fprintf(stderr, "FAIL %s: no Refresh within the allocation's lifetime\n", label);
                g_failures++;
                break;
            }
            if (!ping_both_ways(&relay, &host, 10, "after Refresh")) {
                break;
            }
        }
        ertc_ice_stats_t st;
        ertc_ice_agent_get_stats(relay.agent, &st);
        printf("%-8s relayed candidate after %6.1f ms, connected after %6.1f ms; "
               "allocations %u refreshes %u permissions %u channel binds %u errors %u\n",
               label, (double)(t_gathered - t0) / 1000.0, (double)(t_connected - t0) / 1000.0,
               st.turn_allocations, st.turn_refreshes, st.turn_permissions, st.turn_channel_binds,
               st.turn_errors);
        pass = true;
    } while (0);
    ertc_ice_agent_destroy(relay.agent);
    ertc_ice_agent_destroy(host.agent);
    return pass;
}

/* Without relay_only: the host and relayed candidates are both reported, and the pair
 * selected is the host one (higher priority); the relay stays a fallback. */
static bool mixed(const char *label, const ertc_ice_turn_server_t *turn)
{
    peer_t a = {.name = "a"}, b = {.name = "b"};
    a.other = &b;
    b.other = &a;
    ertc_ice_config_t ac, bc;
    agent_config(&ac, "a", true);
    ac.turn_servers[0] = *turn;
    ac.turn_server_count = 1;
    agent_config(&bc, "b", false);
    bool pass = peer_start(&a, &ac) && peer_start(&b, &bc) && run_until(gathered, &a, WAIT_MS);
    if (pass) {
        exchange(&a, &b);
        pass = run_until(both_connected, &a, WAIT_MS) && a.connected && b.connected;
    }
    ertc_addr_t local;
    bool types_ok = a.count == 2 && a.cands[0].type == ERTC_SDP_CANDIDATE_HOST &&
                    a.cands[1].type == ERTC_SDP_CANDIDATE_RELAY;
    if (!pass || !types_ok ||
        ertc_ice_agent_selected_pair(a.agent, &local, NULL) != WEBRTC_STATUS_SUCCESS ||
        local.port != a.cands[0].port) {
        fprintf(stderr, "FAIL %s: connected %d, %d candidate(s), host pair not selected\n", label,
                pass, a.count);
        g_failures++;
        pass = false;
    } else {
        printf("%-8s host and relayed candidates reported, host pair selected\n", label);
    }
    ertc_ice_agent_destroy(a.agent);
    ertc_ice_agent_destroy(b.agent);
    return pass;
}

/* A TURN server that cannot give an allocation: gathering must still end, with no relayed
 * candidate, and the failure counted. */
static bool gather_fails(const char *label, const ertc_ice_turn_server_t *turn, bool timeout)
{
    peer_t relay = {.name = "relay"};
    ertc_ice_config_t rc;
    agent_config(&rc, "relay", true);
    rc.relay_only = true;
    rc.turn_servers[0] = *turn;
    rc.turn_server_count = 1;
    uint64_t t0 = ertc_time_mono_us();
    bool pass = peer_start(&relay, &rc);
    if (pass && !run_until(gathered, &relay, WAIT_MS)) {
        fprintf(stderr, "FAIL %s: gathering never ended\n", label);
        g_failures++;
        pass = false;
    }
    ertc_ice_stats_t st;
    memset(&st, 0, sizeof(st));
    if (relay.agent != NULL) {
        ertc_ice_agent_get_stats(relay.agent, &st);
    }
    if (pass && (relay.count != 0 || (timeout ? st.turn_timeouts : st.turn_errors) == 0)) {
        fprintf(stderr, "FAIL %s: %d candidate(s), %u errors, %u timeouts\n", label, relay.count,
                st.turn_errors, st.turn_timeouts);
        g_failures++;
        pass = false;
    }
    if (pass) {
        printf("%-8s end-of-candidates after %6.1f ms without a relayed candidate "
               "(errors %u, timeouts %u)\n",
               label, (double)(ertc_time_mono_us() - t0) / 1000.0, st.turn_errors,
               st.turn_timeouts);
    }
    ertc_ice_agent_destroy(relay.agent);
    return pass;
}

static void turn_server(ertc_ice_turn_server_t *t, uint16_t port, const char *user,
                        const char *pass)
{
    memset(t, 0, sizeof(*t));
    (void)ertc_addr_parse_ip("127.0.0.1", &t->addr);
    t->addr.port = port;
    snprintf(t->username, sizeof(t->username), "%s", user);
    snprintf(t->password, sizeof(t->password), "%s", pass);
}

static void random_secret(char *out, size_t n)
{
    (void)ertc_random_string(out, n, "abcdefghijklmnopqrstuvwxyz0123456789");
}

static void remove_dir(void)
{
    const char *files[] = {"turnserver.conf", "turnserver.log", "turnserver.pid", "turndb"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", g_dir, files[i]);
        (void)unlink(path);
    }
    (void)rmdir(g_dir);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_turnserver = argv[1];
    }
    if (access(g_turnserver, X_OK) != 0) {
        fprintf(stderr, "FAIL: %s is missing (Debian package coturn; scripts/bootstrap)\n",
                g_turnserver);
        return 1;
    }
    ertc_log_set_level(getenv("ERTC_TEST_VERBOSE") != NULL ? ERTC_LOG_DEBUG : ERTC_LOG_WARN);
    snprintf(g_dir, sizeof(g_dir), "/tmp/ertc-ice-turn-XXXXXX");
    if (mkdtemp(g_dir) == NULL || ertc_loop_create(&g_loop, 64) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "FAIL: setup\n");
        return 1;
    }
    atexit(coturn_stop);

    char secret[33] = {0}, user[64], pass[64], static_pass[25] = {0};
    random_secret(secret, 32);
    random_secret(static_pass, 24);
    ertc_ice_turn_server_t t;

    uint16_t port = free_udp_port();
    if (rest_credentials(secret, user, sizeof(user), pass, sizeof(pass)) &&
        coturn_start(port, true, secret, NULL, NULL)) {
        turn_server(&t, port, user, pass);
        (void)connect_through("rest", &t, true);
        coturn_stop();
    }

    port = free_udp_port();
    if (coturn_start(port, false, NULL, "alice", static_pass)) {
        turn_server(&t, port, "alice", static_pass);
        (void)connect_through("static", &t, false);
        (void)mixed("mixed", &t);
        turn_server(&t, port, "alice", "not-the-password");
        (void)gather_fails("badpass", &t, false);
        coturn_stop();
    }

    turn_server(&t, free_udp_port(), "alice", static_pass);
    (void)gather_fails("silent", &t, true);

    ertc_loop_destroy(g_loop);
    if (g_failures == 0) {
        remove_dir();
        printf("ice_turn_coturn: all passed\n");
        return 0;
    }
    printf("ice_turn_coturn: %d failure(s); coturn's files are in %s\n", g_failures, g_dir);
    return 1;
}
