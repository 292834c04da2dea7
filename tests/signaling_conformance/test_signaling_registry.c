/*
 * The signaling registry (edgertc_signaling_registry.h): names are checked, a name is taken
 * once, the table is bounded, lookups find what was registered and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "edgertc_signaling_registry.h"

static webrtc_signaling_client_if_t table;

static webrtc_signaling_client_if_t *get_if(void)
{
    return &table;
}

static WEBRTC_STATUS parse(const edgertc_signaling_params_t *p, void **cfg, char *err,
                           size_t errlen)
{
    (void)p;
    (void)err;
    (void)errlen;
    *cfg = NULL;
    return WEBRTC_STATUS_SUCCESS;
}

static void free_cfg(void *cfg)
{
    (void)cfg;
}

static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(edgertc_signaling_count(), 0);
    assert_null(edgertc_signaling_find("mqtt"));
    assert_null(edgertc_signaling_find(NULL));
    /* bad names and missing functions */
    const char *bad[] = {NULL,        "",       "Upper",
                         "has space", "slash/", "0123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(edgertc_signaling_register(bad[i], get_if, parse, free_cfg),
                         WEBRTC_STATUS_INVALID_ARG);
    }
    assert_int_equal(edgertc_signaling_register("x", NULL, parse, free_cfg),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(edgertc_signaling_register("x", get_if, NULL, free_cfg),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(edgertc_signaling_register("x", get_if, parse, NULL),
                     WEBRTC_STATUS_INVALID_ARG);
    assert_int_equal(edgertc_signaling_count(), 0);
    /* one, then the same name again */
    assert_int_equal(edgertc_signaling_register("mqtt", get_if, parse, free_cfg),
                     WEBRTC_STATUS_SUCCESS);
    assert_int_equal(edgertc_signaling_register("mqtt", get_if, parse, free_cfg),
                     WEBRTC_STATUS_INVALID_OPERATION);
    const edgertc_signaling_backend_t *b = edgertc_signaling_find("mqtt");
    assert_non_null(b);
    assert_string_equal(b->name, "mqtt");
    assert_ptr_equal(b->get_if(), &table);
    assert_null(edgertc_signaling_find("mqt"));
    /* fill the table; one more is refused */
    char name[16];
    for (int i = 1; i < EDGERTC_SIGNALING_REGISTRY_MAX; i++) {
        snprintf(name, sizeof(name), "b-%d", i);
        assert_int_equal(edgertc_signaling_register(name, get_if, parse, free_cfg),
                         WEBRTC_STATUS_SUCCESS);
    }
    assert_int_equal(edgertc_signaling_register("one-more", get_if, parse, free_cfg),
                     WEBRTC_STATUS_LIMIT_EXCEEDED);
    assert_int_equal(edgertc_signaling_count(), EDGERTC_SIGNALING_REGISTRY_MAX);
    assert_string_equal(edgertc_signaling_at(0)->name, "mqtt");
    assert_string_equal(edgertc_signaling_at(EDGERTC_SIGNALING_REGISTRY_MAX - 1)->name, "b-7");
    assert_null(edgertc_signaling_at(EDGERTC_SIGNALING_REGISTRY_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_registry)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
