/*
 * port/esp_work_queue — the seed's process-wide work queue (esp_work_queue.h), a thin wrapper
 * over one ertc_workq_t instance.
 *
 * Unlike the ESP port, a second init with another configuration leaves the first one in
 * force (the ESP port copied the new configuration before checking, see
 * specs/esp-port-api.md §3 item 39).
 */
#include "esp_work_queue.h"

#include <stdatomic.h>

#include "port/work_queue.h"
#include "util/log.h"

#define TAG "workq"

/* Guards `queue` across init/deinit; add_task only reads the pointer under it. */
static atomic_flag guard = ATOMIC_FLAG_INIT;
static ertc_workq_t *queue;

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&guard, memory_order_acquire)) {
    }
}

static void unlock(void)
{
    atomic_flag_clear_explicit(&guard, memory_order_release);
}

esp_err_t esp_work_queue_init(void)
{
    esp_work_queue_config_t config = ESP_WORK_QUEUE_CONFIG_DEFAULT();
    return esp_work_queue_init_with_config(&config);
}

esp_err_t esp_work_queue_init_with_config(const esp_work_queue_config_t *config)
{
    if (config == NULL || config->size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    lock();
    if (queue != NULL) {
        unlock();
        return ESP_OK;
    }
    /* Creating allocates; that is fine under a spin guard because init is rare and short. */
    WEBRTC_STATUS st = ertc_workq_create(&queue, config->size, config->stack_size, "esp_workq");
    unlock();
    return st == WEBRTC_STATUS_SUCCESS ? ESP_OK : ESP_ERR_NO_MEM;
}

esp_err_t esp_work_queue_start(void)
{
    lock();
    ertc_workq_t *q = queue;
    unlock();
    if (q == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    return ertc_workq_start(q) == WEBRTC_STATUS_SUCCESS ? ESP_OK : ESP_FAIL;
}

esp_err_t esp_work_queue_stop(void)
{
    lock();
    ertc_workq_t *q = queue;
    unlock();
    if (q == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    return ertc_workq_stop(q) == WEBRTC_STATUS_SUCCESS ? ESP_OK : ESP_ERR_INVALID_STATE;
}

esp_err_t esp_work_queue_deinit(void)
{
    lock();
    ertc_workq_t *q = queue;
    queue = NULL;
    unlock();
    if (q == NULL) {
        return ESP_OK;
    }
    if (ertc_workq_stop(q) != WEBRTC_STATUS_SUCCESS) {
        /* Called from a job: put the queue back, it cannot be freed under its own worker. */
        lock();
        queue = q;
        unlock();
        ERTC_LOGE(TAG, "esp_work_queue_deinit called from a job; the queue stays");
        return ESP_ERR_INVALID_STATE;
    }
    ertc_workq_destroy(q);
    return ESP_OK;
}

esp_err_t esp_work_queue_add_task(esp_work_fn_t fn, void *priv_data)
{
    if (fn == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    lock();
    ertc_workq_t *q = queue;
    WEBRTC_STATUS st = q ? ertc_workq_add(q, fn, priv_data) : WEBRTC_STATUS_INVALID_OPERATION;
    unlock();
    if (q == NULL) {
        return ESP_ERR_INVALID_STATE;
    }
    if (st == WEBRTC_STATUS_QUEUE_FULL) {
        ERTC_LOGW(TAG, "work queue full: job refused");
        return ESP_FAIL;
    }
    return st == WEBRTC_STATUS_SUCCESS ? ESP_OK : ESP_FAIL;
}
