/*
 * See test_server.h.
 */
#include "test_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int test_server_start(test_server_t *s, char *const argv[])
{
    return test_server_start_line(s, argv, "PORT ");
}

int test_server_start_line(test_server_t *s, char *const argv[], const char *marker)
{
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        perror("pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    char line[256];
    size_t len = 0;
    time_t deadline = time(NULL) + 20;
    int port = -1;
    while (port < 0 && time(NULL) < deadline && len < sizeof(line) - 1) {
        struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
        if (poll(&p, 1, 500) <= 0) {
            continue;
        }
        ssize_t n = read(pipefd[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        line[len] = '\0';
        char *at = strstr(line, marker);
        if (at != NULL && strchr(at, '\n') != NULL) {
            port = atoi(at + strlen(marker));
        }
    }
    if (port <= 0 || port > 65535) {
        close(pipefd[0]);
        fprintf(stderr, "FAIL: test server %s %s did not start (is its Debian package "
                        "installed? run scripts/bootstrap)\n",
                argv[0], argv[1] ? argv[1] : "");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    s->pid = pid;
    s->port = (uint16_t)port;
    s->out_fd = pipefd[0];
    return 0;
}

void test_server_stop(test_server_t *s)
{
    if (s->out_fd > 0) {
        close(s->out_fd);
        s->out_fd = -1;
    }
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        for (int i = 0; i < 50; i++) {
            if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                s->pid = 0;
                return;
            }
            usleep(20000);
        }
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

const char *test_scripts_dir(void)
{
    const char *d = getenv("ERTC_TEST_SCRIPTS");
    return d ? d : ERTC_TEST_SCRIPTS_DEFAULT;
}

const char *test_path(const char *dir, const char *name)
{
    static char slots[8][512];
    static int next;
    char *p = slots[next++ % 8];
    snprintf(p, sizeof(slots[0]), "%s/%s", dir, name);
    return p;
}

const char *test_make_certs(void)
{
    static char dir[] = "/tmp/ertc-certs-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return NULL;
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s/make_certs.py %s",
             test_scripts_dir(), dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "FAIL: make_certs.py failed (python3-cryptography installed?)\n");
        return NULL;
    }
    return dir;
}

void test_remove_dir(const char *dir)
{
    if (dir != NULL && strncmp(dir, "/tmp/ertc-", 10) == 0) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "warning: could not remove %s\n", dir);
        }
    }
}
