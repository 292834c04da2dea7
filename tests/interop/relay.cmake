# interop.relay_chromium: a relay-only edgertc-device streaming to headless Chromium through
# Debian's coturn, with the TURN REST credentials handed out by edgertc-signald (signaling →
# app_webrtc → ICE). In a private network namespace; a missing coturn or Chromium fails it.
if(TARGET edgertc-signald AND TARGET edgertc-device)
    add_test(NAME interop.relay_chromium
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                ${CMAKE_CURRENT_SOURCE_DIR}/relay_chromium.mjs $<TARGET_FILE:edgertc-signald>
                $<TARGET_FILE:edgertc-device> ${PROJECT_SOURCE_DIR}/web /usr/bin/turnserver
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.relay_chromium PROPERTIES LABELS interop TIMEOUT 120)
endif()
