/*
 * Helpers for integration tests that run a real third-party server as a child process on
 * 127.0.0.1: start it, learn its port from its "PORT <n>" line, stop it. A server that cannot
 * start (a missing Debian package, say) fails the test loudly; it is never skipped.
 */
#ifndef ERTC_TEST_SERVER_H
#define ERTC_TEST_SERVER_H

#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    uint16_t port;
    int out_fd; /* the child's stdout, kept open so a later write cannot kill it (SIGPIPE) */
} test_server_t;

/* argv[0] is run as given (e.g. "/usr/bin/python3"). Waits up to 20 s for "PORT <n>".
 * Returns 0 on success; on failure prints why and returns -1. */
int test_server_start(test_server_t *s, char *const argv[]);
/* The same for a server that prints "<marker><port>" (e.g. "listening on http://127.0.0.1:"). */
int test_server_start_line(test_server_t *s, char *const argv[], const char *marker);
void test_server_stop(test_server_t *s);

/* The folder of this test's scripts (tests/integration in the source tree). */
const char *test_scripts_dir(void);
/* Makes fresh certificates (make_certs.py) in a new temporary folder; returns its path. */
const char *test_make_certs(void);
/* Removes a folder made by test_make_certs. */
void test_remove_dir(const char *dir);
/* path = dir + "/" + name, in a static buffer rotated over 8 slots. */
const char *test_path(const char *dir, const char *name);

#endif
