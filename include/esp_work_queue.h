/*
 * esp_work_queue.h — the seed's work queue: one worker thread that runs short blocking jobs
 * (control-plane HTTPS calls, credential fetches, certificate generation) off the event loop.
 *
 * Bounded: esp_work_queue_add_task never blocks; when the queue is full it returns ESP_FAIL
 * at once and the job is not queued (nothing is dropped silently). The functions keep the ESP
 * port's names and return codes; on other systems esp_err_t comes from compat/esp_err.h.
 */
#ifndef ESP_WORK_QUEUE_H
#define ESP_WORK_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESP_WORKQ_SIZE       48
#define ESP_WORKQ_TASK_STACK (16 * 1024)
#define ESP_WORKQ_TASK_PRIO  8

typedef struct {
    uint32_t size;       /* jobs that may wait at once */
    uint32_t stack_size; /* worker stack in bytes (0 = the system default) */
    uint32_t priority;   /* used by RTOS ports; ignored on POSIX */
    bool prefer_ext_ram; /* used by ESP ports; ignored on POSIX */
} esp_work_queue_config_t;

#define ESP_WORK_QUEUE_CONFIG_DEFAULT()                                                            \
    {                                                                                              \
        .size = ESP_WORKQ_SIZE, .stack_size = ESP_WORKQ_TASK_STACK,                                \
        .priority = ESP_WORKQ_TASK_PRIO, .prefer_ext_ram = true                                    \
    }

typedef void (*esp_work_fn_t)(void *priv_data);

/* Creates the queue with the default configuration. ESP_OK if it already exists. */
esp_err_t esp_work_queue_init(void);
/* ESP_OK if it already exists, and then the configuration given is ignored (not copied). */
esp_err_t esp_work_queue_init_with_config(const esp_work_queue_config_t *config);
/* Starts the worker. ESP_OK if running; ESP_ERR_INVALID_STATE before init. */
esp_err_t esp_work_queue_start(void);
/* Asks the worker to stop after the job it is running and waits for it. Jobs still queued
 * stay queued and run after the next start. */
esp_err_t esp_work_queue_stop(void);
/* Stops the worker if needed and frees the queue; queued jobs that never ran are dropped
 * (their number is logged). */
esp_err_t esp_work_queue_deinit(void);
/* Queues fn(priv_data). ESP_ERR_INVALID_ARG for a NULL fn, ESP_ERR_INVALID_STATE without a
 * queue, ESP_FAIL when the queue is full. Never blocks. May be called from any thread,
 * including from a job. */
esp_err_t esp_work_queue_add_task(esp_work_fn_t fn, void *priv_data);

#ifdef __cplusplus
}
#endif

#endif
