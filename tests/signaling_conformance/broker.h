/*
 * broker.h — a real mosquitto broker for tests: started on 127.0.0.1 on a free port with its
 * configuration in a fresh temporary folder, stopped and cleaned up afterwards. A missing
 * /usr/sbin/mosquitto fails the test loudly.
 */
#ifndef ERTC_TEST_BROKER_H
#define ERTC_TEST_BROKER_H

#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    uint16_t port;
    char dir[64];
} test_broker_t;

/* 0 on success; prints why and returns -1 otherwise. */
int test_broker_start(test_broker_t *b);
void test_broker_stop(test_broker_t *b);
/* Stops the broker process only (configuration kept), then starts it again on the same port. */
int test_broker_kill(test_broker_t *b);
int test_broker_restart(test_broker_t *b);

#endif
