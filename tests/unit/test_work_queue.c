/*
 * Tests of the work queue: the seed's esp_work_queue_* singleton and the ertc_workq instance
 * API behind it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esp_work_queue.h"
#include "port/port.h"
#include "port/work_queue.h"

#define ORDER_JOBS 40

static int order[ORDER_JOBS];
static atomic_int order_len;

static void record_job(void *arg)
{
    int i = atomic_fetch_add(&order_len, 1);
    if (i < ORDER_JOBS) {
        order[i] = (int)(intptr_t)arg;
    }
}

static void test_seed_api_runs_jobs_in_order(void **state)
{
    (void)state;
    atomic_store(&order_len, 0);
    assert_int_equal(esp_work_queue_add_task(record_job, NULL), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_work_queue_start(), ESP_ERR_INVALID_STATE);
    assert_int_equal(esp_work_queue_init(), ESP_OK);
    assert_int_equal(esp_work_queue_init(), ESP_OK); /* idempotent */
    assert_int_equal(esp_work_queue_start(), ESP_OK);
    assert_int_equal(esp_work_queue_start(), ESP_OK);
    assert_int_equal(esp_work_queue_add_task(NULL, NULL), ESP_ERR_INVALID_ARG);
    for (int i = 0; i < ORDER_JOBS; i++) {
        /* The default queue holds 48, so ORDER_JOBS always fits even if the worker is slow. */
        assert_int_equal(esp_work_queue_add_task(record_job, (void *)(intptr_t)i), ESP_OK);
    }
    for (int tries = 0; atomic_load(&order_len) < ORDER_JOBS && tries < 1000; tries++) {
        ertc_sleep_ms(5);
    }
    assert_int_equal(atomic_load(&order_len), ORDER_JOBS);
    for (int i = 0; i < ORDER_JOBS; i++) {
        assert_int_equal(order[i], i);
    }
    assert_int_equal(esp_work_queue_stop(), ESP_OK);
    assert_int_equal(esp_work_queue_deinit(), ESP_OK);
    assert_int_equal(esp_work_queue_add_task(record_job, NULL), ESP_ERR_INVALID_STATE);
}

/* A job that blocks until released, so the test controls when the worker is busy. */
static ertc_mutex_t *gate_lock;
static ertc_cond_t *gate_cond;
static bool gate_open;
static atomic_int gate_entered;

static void gated_job(void *arg)
{
    (void)arg;
    atomic_fetch_add(&gate_entered, 1);
    ertc_mutex_lock(gate_lock);
    while (!gate_open) {
        ertc_cond_wait(gate_cond, gate_lock);
    }
    ertc_mutex_unlock(gate_lock);
}

static void open_gate(void)
{
    ertc_mutex_lock(gate_lock);
    gate_open = true;
    ertc_cond_broadcast(gate_cond);
    ertc_mutex_unlock(gate_lock);
}

static int gate_setup(void **state)
{
    (void)state;
    gate_open = false;
    atomic_store(&gate_entered, 0);
    if (ertc_mutex_create(&gate_lock) != WEBRTC_STATUS_SUCCESS ||
        ertc_cond_create(&gate_cond) != WEBRTC_STATUS_SUCCESS) {
        return -1;
    }
    return 0;
}

static int gate_teardown(void **state)
{
    (void)state;
    ertc_cond_destroy(gate_cond);
    ertc_mutex_destroy(gate_lock);
    return 0;
}

static void wait_entered(int n)
{
    for (int tries = 0; atomic_load(&gate_entered) < n && tries < 2000; tries++) {
        ertc_sleep_ms(5);
    }
    assert_int_equal(atomic_load(&gate_entered), n);
}

static void test_full_queue_refuses_without_blocking(void **state)
{
    (void)state;
    esp_work_queue_config_t cfg = ESP_WORK_QUEUE_CONFIG_DEFAULT();
    cfg.size = 3;
    assert_int_equal(esp_work_queue_init_with_config(&cfg), ESP_OK);
    /* A second init with another size is ignored: the first configuration stays. */
    esp_work_queue_config_t bigger = ESP_WORK_QUEUE_CONFIG_DEFAULT();
    bigger.size = 100;
    assert_int_equal(esp_work_queue_init_with_config(&bigger), ESP_OK);
    assert_int_equal(esp_work_queue_start(), ESP_OK);

    assert_int_equal(esp_work_queue_add_task(gated_job, NULL), ESP_OK);
    wait_entered(1); /* the worker is now stuck in the first job; the queue is empty */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(esp_work_queue_add_task(gated_job, NULL), ESP_OK);
    }
    uint64_t t0 = ertc_time_mono_ms();
    assert_int_equal(esp_work_queue_add_task(gated_job, NULL), ESP_FAIL);
    assert_true(ertc_time_mono_ms() - t0 < 1000); /* refused at once, not after a wait */

    open_gate();
    wait_entered(4);
    assert_int_equal(esp_work_queue_deinit(), ESP_OK);
}

static atomic_int nested_ran;

static void nested_child(void *arg)
{
    (void)arg;
    atomic_fetch_add(&nested_ran, 1);
}

static WEBRTC_STATUS nested_add_status, nested_stop_status;

static void nested_parent(void *arg)
{
    ertc_workq_t *q = arg;
    /* cmocka asserts only on the main thread: record, check there. */
    nested_add_status = ertc_workq_add(q, nested_child, NULL);
    nested_stop_status = ertc_workq_stop(q);
    atomic_fetch_add(&nested_ran, 1);
}

static void test_jobs_add_jobs_and_cannot_stop_their_queue(void **state)
{
    (void)state;
    ertc_workq_t *q = NULL;
    atomic_store(&nested_ran, 0);
    assert_int_equal(ertc_workq_create(&q, 4, 0, "nested"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_start(q), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, nested_parent, q), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_drain(q, 10000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(atomic_load(&nested_ran), 2);
    /* Adding from a job is allowed; stopping the queue from its own job is refused. */
    assert_int_equal(nested_add_status, WEBRTC_STATUS_SUCCESS);
    assert_int_equal(nested_stop_status, WEBRTC_STATUS_INVALID_OPERATION);
    assert_int_equal(ertc_workq_destroy(q), 0);
}

static void test_stop_keeps_queued_jobs_and_destroy_reports_them(void **state)
{
    (void)state;
    ertc_workq_t *q = NULL;
    assert_int_equal(ertc_workq_create(&q, 8, 0, "keep"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, NULL, NULL), WEBRTC_STATUS_INVALID_ARG);
    /* Not started: jobs wait. */
    atomic_store(&nested_ran, 0);
    assert_int_equal(ertc_workq_add(q, nested_child, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, nested_child, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_pending(q), 2);
    assert_int_equal(ertc_workq_drain(q, 50), WEBRTC_STATUS_TIMEOUT);
    assert_int_equal(ertc_workq_start(q), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_drain(q, 10000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(atomic_load(&nested_ran), 2);
    assert_int_equal(ertc_workq_stop(q), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, nested_child, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, nested_child, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_add(q, nested_child, NULL), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_destroy(q), 3);
    assert_int_equal(atomic_load(&nested_ran), 2);
}

static void add_many(void *arg)
{
    ertc_workq_t *q = arg;
    for (int i = 0; i < 1000; i++) {
        while (ertc_workq_add(q, nested_child, NULL) == WEBRTC_STATUS_QUEUE_FULL) {
            ertc_sleep_ms(1);
        }
    }
}

static void test_many_producers(void **state)
{
    (void)state;
    ertc_workq_t *q = NULL;
    atomic_store(&nested_ran, 0);
    assert_int_equal(ertc_workq_create(&q, 16, 0, "many"), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(ertc_workq_start(q), WEBRTC_STATUS_SUCCESS);
    ertc_thread_t *t[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ertc_thread_create(&t[i], "producer", 0, add_many, q),
                         WEBRTC_STATUS_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ertc_thread_join(t[i]), WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(ertc_workq_drain(q, 30000), WEBRTC_STATUS_SUCCESS);
    assert_int_equal(atomic_load(&nested_ran), 4000);
    assert_int_equal(ertc_workq_destroy(q), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_api_runs_jobs_in_order),
        cmocka_unit_test_setup_teardown(test_full_queue_refuses_without_blocking, gate_setup,
                                        gate_teardown),
        cmocka_unit_test(test_jobs_add_jobs_and_cannot_stop_their_queue),
        cmocka_unit_test(test_stop_keeps_queued_jobs_and_destroy_reports_them),
        cmocka_unit_test(test_many_producers),
    };
    return cmocka_run_group_tests_name("work_queue", tests, NULL, NULL);
}
