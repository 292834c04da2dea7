# edgertc-device against edgertc-signald and headless Chromium (included by
# tests/interop/CMakeLists.txt). Each test runs in a private network namespace
# (run-in-netns.sh: root and iproute2); Node is Debian's /usr/bin/node, playwright-core comes
# from tests/js; a missing Chromium is a failure, never a skip. Label "interop".
#
# interop.device_cli        --help, bad flags (exit 2), --signaling bridge without --mode (exit 3), --duration,
#                           --events-json, --receive-dir as MASTER and as VIEWER (python3-av
#                           decodes what the device wrote: device_decode.py)
# interop.device_reconnect  signald SIGKILLed under a live session: media keeps flowing,
#                           signald restarted on the same port, the device reconnects and a
#                           new page is served
# interop.device_sessions   --max-sessions 1: a second viewer after the first hung up is
#                           served, and nothing is refused
if(NOT (TARGET edgertc-signald AND TARGET edgertc-device))
    return()
endif()

foreach(name cli reconnect sessions)
    add_test(NAME interop.device_${name}
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                ${CMAKE_CURRENT_SOURCE_DIR}/device_${name}.mjs ${PROJECT_SOURCE_DIR}
                $<TARGET_FILE:edgertc-signald> $<TARGET_FILE:edgertc-device>
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.device_${name} PROPERTIES LABELS interop TIMEOUT 180)
endforeach()
