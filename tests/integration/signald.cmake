# edgertc-signald protocol test: an independent Python client (stdlib http.client and
# Debian's python3-websockets) starts the real binary on 127.0.0.1 and checks the AppRTC
# room-server and Collider protocol (spec §1, §2, §6). About 13 s: two checks wait out the
# Collider's 10 s register window in the background.
if(TARGET edgertc-signald)
    add_test(NAME integration.signald_protocol
        COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/signald_protocol.py
                $<TARGET_FILE:edgertc-signald>)
    set_tests_properties(integration.signald_protocol PROPERTIES LABELS integration TIMEOUT 120)
endif()
