# interop.bridge_chromium_{unix,tcp,serial}: split mode with two edgertc-device processes
# (signaling-only with the AppRTC backend, streaming-only with media) joined by a bridge over a
# UNIX socket, loopback-namespace TCP or a pty "null-modem cable", edgertc-signald and headless
# Chromium as the viewer: delayed streaming start (queued offer), TURN credentials by index, and
# (unix, tcp) a link cut/restore mid-session. In a private network namespace; a missing
# Chromium or python3 fails it.
if(TARGET edgertc-signald AND TARGET edgertc-device)
    foreach(transport unix tcp serial)
        add_test(NAME interop.bridge_chromium_${transport}
            COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                    ${CMAKE_CURRENT_SOURCE_DIR}/bridge_chromium.mjs $<TARGET_FILE:edgertc-signald>
                    $<TARGET_FILE:edgertc-device> ${PROJECT_SOURCE_DIR}/web ${transport}
            WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
        set_tests_properties(interop.bridge_chromium_${transport} PROPERTIES LABELS interop
            TIMEOUT 150)
    endforeach()
endif()
