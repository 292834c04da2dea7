/*
 * ice_mdns_avahi — a remote .local candidate resolved by Debian's avahi-daemon, inside the
 * private namespace of run-in-netns.sh (veth va 10.77.0.1, vb 10.77.0.2).
 *
 * The test starts /usr/sbin/avahi-daemon itself, in the foreground, as root without chroot
 * (--no-drop-root --no-chroot), with a configuration it writes to a temporary folder: host
 * name "ertc-avahi-<pid>", IPv4 only, interface va only, no D-Bus (enable-dbus=no: no system
 * bus is needed), no wide-area, no reflector. Avahi publishes the A record of that host name
 * (10.77.0.1). Agent "a" (controlling) is given agent "b"'s host candidate (also on
 * 10.77.0.1) with its address replaced by that name; "b" gets no candidate. Avahi answers the
 * QU query from our port as a legacy unicast query (RFC 6762 §6.7: unicast, id echoed); the
 * agents must connect through the resolved address with no peer-reflexive candidate.
 *
 * avahi-daemon runs in a mount namespace of its own with an empty /run (its PID file lives
 * there; a system avahi's would stop it). Only va is given to avahi: a query leaving va reaches the
 * other end of the veth with a source address of this namespace, which the kernel drops as martian,
 * so avahi hears the query through the multicast loopback on va. A missing avahi-daemon fails the
 * test.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer/ice_agent.h"
#include "port/loop.h"
#include "port/port.h"
#include "util/log.h"

#define AVAHI      "/usr/sbin/avahi-daemon"
#define IFACE      "10.77.0.1"
#define STARTUP_MS 10000
#define WAIT_MS    10000

typedef struct {
    ertc_sdp_candidate_t cand;
    bool have;
    bool connected;
    bool failed;
} peer_t;

static void on_candidate(ertc_ice_agent_t *agent, const ertc_sdp_candidate_t *c, const char *line,
                         void *arg)
{
    (void)agent;
    (void)line;
    peer_t *p = arg;
    if (c != NULL && !p->have) {
        p->cand = *c;
        p->have = true;
    }
}

static void on_state(ertc_ice_agent_t *agent, ertc_ice_state_t state, void *arg)
{
    (void)agent;
    peer_t *p = arg;
    p->connected = state == ERTC_ICE_STATE_CONNECTED || state == ERTC_ICE_STATE_COMPLETED;
    p->failed = p->failed || state == ERTC_ICE_STATE_FAILED;
}

static const ertc_ice_callbacks_t callbacks = {on_candidate, on_state, NULL};

typedef struct {
    char dir[64];
    char conf[96];
    pid_t pid;
    int err; /* read end of its stderr */
    char log[4096];
    size_t log_len;
} avahi_t;

static bool write_conf(avahi_t *av, const char *host)
{
    snprintf(av->dir, sizeof(av->dir), "/tmp/ertc-avahi-XXXXXX");
    if (mkdtemp(av->dir) == NULL) {
        return false;
    }
    snprintf(av->conf, sizeof(av->conf), "%s/avahi-daemon.conf", av->dir);
    FILE *f = fopen(av->conf, "w");
    if (f == NULL) {
        return false;
    }
    fprintf(f,
            "[server]\nhost-name=%s\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=no\n"
            "allow-interfaces=va\nenable-dbus=no\n"
            "[wide-area]\nenable-wide-area=no\n"
            "[publish]\npublish-addresses=yes\npublish-hinfo=no\npublish-workstation=no\n"
            "publish-domain=no\npublish-aaaa-on-ipv4=no\n"
            "[reflector]\nenable-reflector=no\n[rlimits]\n",
            host);
    return fclose(f) == 0;
}

/* Starts avahi-daemon and waits for "Server startup complete". */
static bool avahi_start(avahi_t *av, const char *host)
{
    if (access(AVAHI, X_OK) != 0) {
        fprintf(stderr,
                "FAIL: %s is missing: install the Debian package avahi-daemon "
                "(this test never skips)\n",
                AVAHI);
        return false;
    }
    if (!write_conf(av, host)) {
        fprintf(stderr, "FAIL: cannot write the avahi configuration: %s\n", strerror(errno));
        return false;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        return false;
    }
    char *argv[] = {(char *)AVAHI,
                    (char *)"--no-drop-root",
                    (char *)"--no-chroot",
                    (char *)"--no-rlimits",
                    (char *)"-f",
                    av->conf,
                    NULL};
    av->pid = fork();
    if (av->pid == 0) {
        /* avahi-daemon keeps its PID file in /run/avahi-daemon and refuses to start while
         * the one there names a live process (a system avahi): give it a private, empty /run
         * in a mount namespace of its own. Only system calls between fork and exec. */
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
            mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
            static const char msg[] = "cannot make a private /run for avahi-daemon\n";
            (void)write(fds[1], msg, sizeof(msg) - 1);
            _exit(127);
        }
        (void)dup2(fds[1], 1);
        (void)dup2(fds[1], 2);
        close(fds[0]);
        execv(AVAHI, argv);
        _exit(127);
    }
    int err = errno;
    close(fds[1]);
    av->err = fds[0];
    if (av->pid < 0) {
        av->pid = 0;
        fprintf(stderr, "FAIL: cannot start %s: %s\n", AVAHI, strerror(err));
        return false;
    }
    uint64_t give_up = ertc_time_mono_ms() + STARTUP_MS;
    while (ertc_time_mono_ms() < give_up) {
        struct pollfd p = {.fd = av->err, .events = POLLIN};
        if (poll(&p, 1, 100) != 1) {
            continue;
        }
        ssize_t n = read(av->err, av->log + av->log_len, sizeof(av->log) - 1 - av->log_len);
        if (n <= 0) {
            break; /* it exited */
        }
        av->log_len += (size_t)n;
        av->log[av->log_len] = '\0';
        if (strstr(av->log, "Server startup complete") != NULL) {
            return true;
        }
        if (av->log_len == sizeof(av->log) - 1) {
            break;
        }
    }
    fprintf(stderr, "FAIL: avahi-daemon did not start within %d ms; it said:\n%s\n", STARTUP_MS,
            av->log);
    return false;
}

static void avahi_stop(avahi_t *av)
{
    if (av->pid > 0) {
        (void)kill(av->pid, SIGTERM);
        (void)waitpid(av->pid, NULL, 0);
    }
    if (av->err > 0) {
        close(av->err);
    }
    if (av->conf[0] != '\0') {
        (void)unlink(av->conf);
    }
    if (av->dir[0] != '\0') {
        (void)rmdir(av->dir);
    }
}

static int run(ertc_loop_t *loop, const char *host)
{
    char name[80];
    snprintf(name, sizeof(name), "%s.local", host);
    peer_t a = {0}, b = {0};
    ertc_ice_config_t ca, cb;
    ertc_ice_config_init(&ca);
    ca.name = "a";
    ca.controlling = true;
    (void)ertc_addr_parse_ip(IFACE, &ca.interfaces[0]);
    ca.interface_count = 1;
    cb = ca;
    cb.name = "b";
    cb.controlling = false;
    ertc_ice_agent_t *aa = NULL, *ab = NULL;
    if (ertc_ice_agent_create(loop, &ca, &callbacks, &a, &aa) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_create(loop, &cb, &callbacks, &b, &ab) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_start(aa) != WEBRTC_STATUS_SUCCESS ||
        ertc_ice_agent_start(ab) != WEBRTC_STATUS_SUCCESS || !b.have) {
        fprintf(stderr, "FAIL: agents (run inside run-in-netns.sh)\n");
        ertc_ice_agent_destroy(aa);
        ertc_ice_agent_destroy(ab);
        return 1;
    }
    (void)ertc_ice_agent_set_remote_credentials(aa, ertc_ice_agent_local_ufrag(ab),
                                                ertc_ice_agent_local_pwd(ab));
    (void)ertc_ice_agent_set_remote_credentials(ab, ertc_ice_agent_local_ufrag(aa),
                                                ertc_ice_agent_local_pwd(aa));
    char line[ERTC_SDP_CANDIDATE_TEXT_SIZE];
    snprintf(line, sizeof(line), "candidate:%s 1 udp %u %s %u typ host", b.cand.foundation,
             (unsigned)b.cand.priority, name, (unsigned)b.cand.port);
    uint64_t t0 = ertc_time_mono_us(), resolved_us = 0;
    int rc = 0;
    if (ertc_ice_agent_add_remote_candidate(aa, line) != WEBRTC_STATUS_SUCCESS) {
        fprintf(stderr, "FAIL: %s refused\n", line);
        rc = 1;
    }
    (void)ertc_ice_agent_add_remote_candidate(aa, NULL);
    ertc_ice_stats_t st;
    uint64_t give_up = ertc_time_mono_ms() + WAIT_MS;
    while (rc == 0 && !(a.connected && b.connected) && !a.failed && ertc_time_mono_ms() < give_up) {
        (void)ertc_loop_run_once(loop, 5);
        ertc_ice_agent_get_stats(aa, &st);
        if (resolved_us == 0 && st.mdns_resolved > 0) {
            resolved_us = ertc_time_mono_us();
        }
    }
    ertc_ice_agent_get_stats(aa, &st);
    ertc_addr_t remote;
    ertc_addr_t expect;
    memset(&expect, 0, sizeof(expect));
    (void)ertc_addr_parse_ip(IFACE, &expect);
    expect.port = b.cand.port;
    if (rc != 0) {
        /* reported */
    } else if (st.mdns_resolved != 1) {
        fprintf(stderr, "FAIL: %s not resolved by avahi (queries %u, timeouts %u)\n", name,
                st.mdns_queries, st.mdns_timeouts);
        rc = 1;
    } else if (!a.connected || !b.connected) {
        fprintf(stderr, "FAIL: no connection (a %s, b %s)\n",
                ertc_ice_state_name(ertc_ice_agent_state(aa)),
                ertc_ice_state_name(ertc_ice_agent_state(ab)));
        rc = 1;
    } else if (st.prflx_learned != 0 ||
               ertc_ice_agent_selected_pair(aa, NULL, &remote) != WEBRTC_STATUS_SUCCESS ||
               !ertc_addr_equal(&remote, &expect)) {
        fprintf(stderr, "FAIL: peer-reflexive %u, or the selected pair is not the resolved one\n",
                st.prflx_learned);
        rc = 1;
    } else {
        printf("ice_mdns_avahi: %s resolved by avahi after %.1f ms, connected after %.1f ms\n",
               name, (double)(resolved_us - t0) / 1000.0,
               (double)(ertc_time_mono_us() - t0) / 1000.0);
    }
    ertc_ice_agent_destroy(aa);
    ertc_ice_agent_destroy(ab);
    return rc;
}

int main(void)
{
    ertc_log_set_level(getenv("ERTC_TEST_VERBOSE") != NULL ? ERTC_LOG_DEBUG : ERTC_LOG_WARN);
    signal(SIGPIPE, SIG_IGN);
    char host[40];
    snprintf(host, sizeof(host), "ertc-avahi-%ld", (long)getpid());
    avahi_t av;
    memset(&av, 0, sizeof(av));
    int rc = 1;
    ertc_loop_t *loop = NULL;
    if (avahi_start(&av, host) && ertc_loop_create(&loop, 16) == WEBRTC_STATUS_SUCCESS) {
        rc = run(loop, host);
    }
    if (loop != NULL) {
        ertc_loop_destroy(loop);
    }
    avahi_stop(&av);
    return rc;
}
