/*
 * Links and runs the seed's app_main (app_main.c, the seed's Step 3 text) against
 * app_webrtc: app_main must return, either because app_webrtc_init refuses the configuration
 * (a program without edgertc's own peer connection linked in, where the seed's
 * peer_connection_if NULL cannot be served) or because app_webrtc_terminate, called from
 * another thread as a signal handler's thread would, ends app_webrtc_run.
 *
 * The seed keeps the public default STUN server; a test hook of app_webrtc's keeps it out.
 * The seed's media getters belong to the media module; weak stand-ins returning NULL let
 * this program link without it (the module's definitions win when it is linked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/app_webrtc_internal.h"
#include "app_webrtc.h"
#include "port/port.h"

void app_main(void);

__attribute__((weak)) media_stream_video_capture_t *media_stream_get_video_capture_if(void)
{
    return NULL;
}

__attribute__((weak)) media_stream_audio_capture_t *media_stream_get_audio_capture_if(void)
{
    return NULL;
}

__attribute__((weak)) media_stream_video_player_t *media_stream_get_video_player_if(void)
{
    return NULL;
}

__attribute__((weak)) media_stream_audio_player_t *media_stream_get_audio_player_if(void)
{
    return NULL;
}

static volatile int app_main_returned;

static void run_app_main(void *arg)
{
    (void)arg;
    app_main();
    app_main_returned = 1;
}

static void test_app_main_runs_and_ends(void **state)
{
    (void)state;
    /* The seed configures no ICE server and keeps use_default_stun: this test must not let
     * that public server be resolved or contacted. */
    app_webrtc_test_forbid_default_stun(true);
    ertc_thread_t *t = NULL;
    assert_int_equal(ertc_thread_create(&t, "app_main", 0, run_app_main, NULL),
                     WEBRTC_STATUS_SUCCESS);
    for (int i = 0; i < 5000 && !app_main_returned; i++) {
        ertc_sleep_ms(2);
        app_webrtc_terminate(); /* INVALID_OPERATION until init succeeded */
    }
    assert_int_equal(ertc_thread_join(t), WEBRTC_STATUS_SUCCESS);
    assert_true(app_main_returned);
    /* nothing is left: a later init would be accepted */
    assert_int_equal(app_webrtc_terminate(), WEBRTC_STATUS_INVALID_OPERATION);
    esp_work_queue_deinit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_main_runs_and_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
