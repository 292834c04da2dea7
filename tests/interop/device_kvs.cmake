# edgertc-device --signaling kvs through the KVS emulator (edgertc-signald --kvs, TLS with a
# test CA) with peers in headless Chromium made of the official SDK's browser build
# (device_kvs.html, device_kvs.mjs). Included by tests/interop/CMakeLists.txt; label
# "interop". Each test runs in a private network namespace (run-in-netns.sh: ICE runs there);
# a missing Chromium, playwright-core or SDK package is a failure, never a skip.
#
# interop.device_kvs_master    the device as MASTER; a JS viewer decodes its video and audio
# interop.device_kvs_viewer    the device --role viewer --receive-dir; a JS master sends a canvas
#                              and a tone; python3-av decodes what the device wrote
# interop.device_kvs_sessions  --max-sessions 2: two JS viewers at once decode, a third is
#                              refused (LIMIT_EXCEEDED), the first two keep decoding, a fourth
#                              is served after the first hangs up
if(NOT (TARGET edgertc-signald AND TARGET edgertc-device))
    return()
endif()

foreach(mode master viewer sessions)
    add_test(NAME interop.device_kvs_${mode}
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                ${CMAKE_CURRENT_SOURCE_DIR}/device_kvs.mjs ${mode} ${PROJECT_SOURCE_DIR}
                $<TARGET_FILE:edgertc-signald> $<TARGET_FILE:edgertc-device>
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.device_kvs_${mode} PROPERTIES LABELS interop TIMEOUT 180
        ENVIRONMENT "NODE_NO_WARNINGS=1")
endforeach()
