# ICE against real servers (included by tests/interop/CMakeLists.txt; label "interop").
#
# interop.ice_turn_coturn: two edgertc ICE agents in one process, one relay-only, connect
# through Debian's coturn (/usr/bin/turnserver), which the test starts itself with a config it
# writes to a temporary folder, inside a private network namespace (run-in-netns.sh): TURN
# REST and static long-term credentials, Refresh, 438 Stale Nonce, ChannelBind, a wrong
# password and a silent server. A missing turnserver fails the test.
add_executable(ice_turn_coturn ${CMAKE_CURRENT_SOURCE_DIR}/ice_turn_coturn.c)
target_link_libraries(ice_turn_coturn PRIVATE edgertc)
target_include_directories(ice_turn_coturn PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(ice_turn_coturn PRIVATE ${ERTC_TEST_WARNINGS})
target_compile_definitions(ice_turn_coturn PRIVATE _GNU_SOURCE)
add_test(NAME interop.ice_turn_coturn
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh $<TARGET_FILE:ice_turn_coturn>
            /usr/bin/turnserver
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(interop.ice_turn_coturn PROPERTIES LABELS interop TIMEOUT 120)

# interop.ice_mdns_resolve: a remote .local candidate resolved by a one-shot mDNS query over
# the namespace's veth (the responder is the test's own: see the file comment), then a
# connection through the resolved address.
add_executable(ice_mdns_resolve ${CMAKE_CURRENT_SOURCE_DIR}/ice_mdns_resolve.c)
target_link_libraries(ice_mdns_resolve PRIVATE edgertc)
target_include_directories(ice_mdns_resolve PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(ice_mdns_resolve PRIVATE ${ERTC_TEST_WARNINGS})
target_compile_definitions(ice_mdns_resolve PRIVATE _GNU_SOURCE)
add_test(NAME interop.ice_mdns_resolve
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh $<TARGET_FILE:ice_mdns_resolve>
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(interop.ice_mdns_resolve PROPERTIES LABELS interop TIMEOUT 60)

# interop.ice_mdns_chromium: headless Chromium with its default mDNS host candidates (no
# --disable-features=WebRtcHideLocalIpsWithMdns) against an ICE agent that must resolve the
# names from Chromium's multicast answers (the shared 5353 listener) and connect through the
# resolved address, not a peer-reflexive one. A missing Chromium fails the test.
add_executable(ice_mdns_chromium ${CMAKE_CURRENT_SOURCE_DIR}/ice_mdns_chromium.c)
target_link_libraries(ice_mdns_chromium PRIVATE edgertc)
target_include_directories(ice_mdns_chromium PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(ice_mdns_chromium PRIVATE ${ERTC_TEST_WARNINGS})
target_compile_definitions(ice_mdns_chromium PRIVATE _GNU_SOURCE)
add_test(NAME interop.ice_mdns_chromium
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
            ${CMAKE_CURRENT_SOURCE_DIR}/ice_mdns_chromium.mjs $<TARGET_FILE:ice_mdns_chromium>
            ${PROJECT_SOURCE_DIR}/web
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(interop.ice_mdns_chromium PROPERTIES LABELS interop TIMEOUT 90)

# interop.ice_mdns_avahi: a remote .local candidate resolved by Debian's avahi-daemon, which
# the test starts itself in the namespace (foreground, no D-Bus, a configuration in a
# temporary folder) and which publishes its host name. A missing avahi-daemon fails the test.
add_executable(ice_mdns_avahi ${CMAKE_CURRENT_SOURCE_DIR}/ice_mdns_avahi.c)
target_link_libraries(ice_mdns_avahi PRIVATE edgertc)
target_include_directories(ice_mdns_avahi PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(ice_mdns_avahi PRIVATE ${ERTC_TEST_WARNINGS})
target_compile_definitions(ice_mdns_avahi PRIVATE _GNU_SOURCE)
add_test(NAME interop.ice_mdns_avahi
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh $<TARGET_FILE:ice_mdns_avahi>
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(interop.ice_mdns_avahi PROPERTIES LABELS interop TIMEOUT 60)
