# interop.bridge_chromium: split mode with two edgertc-device processes (signaling-only with the
# AppRTC backend, streaming-only with media) joined by a UNIX-socket bridge, edgertc-signald and
# headless Chromium as the viewer; delayed streaming start, link cut/restore, TURN credentials
# by index. In a private network namespace; a missing Chromium fails it.
if(TARGET edgertc-signald AND TARGET edgertc-device)
    add_test(NAME interop.bridge_chromium
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                ${CMAKE_CURRENT_SOURCE_DIR}/bridge_chromium.mjs $<TARGET_FILE:edgertc-signald>
                $<TARGET_FILE:edgertc-device> ${PROJECT_SOURCE_DIR}/web
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.bridge_chromium PROPERTIES LABELS interop TIMEOUT 150)
endif()
