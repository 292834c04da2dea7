/* broker.c — see broker.h. */
#include "broker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MOSQUITTO_PATH "/usr/sbin/mosquitto"

/* A port the kernel just handed out (a small race with other programs is accepted). */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

static int can_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

static int launch(test_broker_t *b);

int test_broker_start(test_broker_t *b)
{
    memset(b, 0, sizeof(*b));
    if (access(MOSQUITTO_PATH, X_OK) != 0) {
        fprintf(stderr, "broker: %s missing (Debian package mosquitto)\n", MOSQUITTO_PATH);
        return -1;
    }
    snprintf(b->dir, sizeof(b->dir), "/tmp/ertc-mosq-XXXXXX");
    if (mkdtemp(b->dir) == NULL) {
        perror("broker: mkdtemp");
        return -1;
    }
    b->port = free_port();
    char conf[128];
    snprintf(conf, sizeof(conf), "%s/mosquitto.conf", b->dir);
    FILE *f = fopen(conf, "w");
    if (f == NULL || b->port == 0) {
        fprintf(stderr, "broker: cannot write %s\n", conf);
        if (f) {
            fclose(f);
        }
        return -1;
    }
    fprintf(f,
            "listener %u 127.0.0.1\nallow_anonymous true\npersistence false\n"
            "log_dest stderr\nlog_type error\nlog_type warning\n",
            (unsigned)b->port);
    fclose(f);
    return launch(b);
}

int test_broker_kill(test_broker_t *b)
{
    if (b->pid > 0) {
        kill(b->pid, SIGKILL); /* as a crash: no goodbye to the clients */
        waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
    return 0;
}

int test_broker_restart(test_broker_t *b)
{
    test_broker_kill(b);
    return launch(b);
}

static int launch(test_broker_t *b)
{
    char conf[128];
    snprintf(conf, sizeof(conf), "%s/mosquitto.conf", b->dir);
    b->pid = fork();
    if (b->pid < 0) {
        perror("broker: fork");
        return -1;
    }
    if (b->pid == 0) {
        execl(MOSQUITTO_PATH, MOSQUITTO_PATH, "-c", conf, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if (can_connect(b->port)) {
            return 0;
        }
        int status;
        if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
            fprintf(stderr, "broker: mosquitto exited early (status %d)\n", status);
            b->pid = 0;
            return -1;
        }
        usleep(50 * 1000);
    }
    fprintf(stderr, "broker: mosquitto not listening on 127.0.0.1:%u after 5 s\n",
            (unsigned)b->port);
    test_broker_stop(b);
    return -1;
}

void test_broker_stop(test_broker_t *b)
{
    if (b->pid > 0) {
        kill(b->pid, SIGTERM);
        waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
    if (b->dir[0] != '\0') {
        char path[128];
        snprintf(path, sizeof(path), "%s/mosquitto.conf", b->dir);
        unlink(path);
        rmdir(b->dir);
        b->dir[0] = '\0';
    }
}
