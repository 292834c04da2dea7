# The KVS emulator in edgertc-signald (--kvs) against the official AWS JavaScript packages in
# tests/js (included by tests/interop/CMakeLists.txt; label "interop"). Everything runs on
# 127.0.0.1 over TLS with a CA made for the run (tests/integration/make_certs.py); no ICE, so
# no network namespace. See docs/signald.md, "KVS emulator".
#
# interop.kvs_js_sdk: @aws-sdk/client-kinesis-video and -signaling for the control plane and
# GetIceServerConfig (their SigV4 signatures verified), signature refusals, and two
# amazon-kinesis-video-streams-webrtc SignalingClients (master and viewer) exchanging SDP and
# ICE candidates; STATUS_RESPONSE, presigned-URL refusals, GO_AWAY / RECONNECT_ICE_SERVER /
# drop through the test hooks.
if(TARGET edgertc-signald)
    add_test(NAME interop.kvs_js_sdk
        COMMAND /usr/bin/node ${CMAKE_CURRENT_SOURCE_DIR}/kvs_js_sdk.mjs
                $<TARGET_FILE:edgertc-signald>
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.kvs_js_sdk PROPERTIES LABELS interop TIMEOUT 120
        ENVIRONMENT "NODE_NO_WARNINGS=1")
endif()

# interop.kvs_turn_coturn: GetIceServerConfig's TURN credentials (--turn, --turn-secret)
# accepted by Debian's coturn started with use-auth-secret, refused when tampered or expired
# (aioice from python3-aiortc as the TURN client); the emulator's plain mode. In a private
# namespace (run-in-netns.sh) so that coturn's ports clash with nothing.
if(TARGET edgertc-signald)
    add_test(NAME interop.kvs_turn_coturn
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/node
                ${CMAKE_CURRENT_SOURCE_DIR}/kvs_turn_coturn.mjs
                $<TARGET_FILE:edgertc-signald> /usr/bin/turnserver
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.kvs_turn_coturn PROPERTIES LABELS interop TIMEOUT 120
        ENVIRONMENT "NODE_NO_WARNINGS=1")
endif()
