# Peer-level interop (included by tests/interop/CMakeLists.txt): edgertc's peer connection in
# pc_pipe_peer (signalled through stdin/stdout JSON lines) against aiortc (Debian
# python3-aiortc 1.4 with python3-av) and against itself, two processes each, relayed and
# checked by peers_interop.py. Every test runs in its own network namespace (run-in-netns.sh)
# and makes its H.264 / Opus test media at run time (media_gen.py). Label "interop"; a missing
# aiortc, python3-av or encoder fails the test, never skips it.

add_executable(pc_pipe_peer ${CMAKE_CURRENT_SOURCE_DIR}/pc_pipe_peer.c)
target_link_libraries(pc_pipe_peer PRIVATE edgertc)
target_include_directories(pc_pipe_peer PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(pc_pipe_peer PRIVATE ${ERTC_TEST_WARNINGS})
target_compile_definitions(pc_pipe_peer PRIVATE _GNU_SOURCE)

set(peers_harness ${CMAKE_CURRENT_SOURCE_DIR}/peers_interop.py)
# name | scenario | offerer
set(peers_cases
    "aiortc_receives_edgertc_offers|aiortc-receives|edgertc"
    "aiortc_receives_aiortc_offers|aiortc-receives|aiortc"
    "aiortc_sends_edgertc_offers|aiortc-sends|edgertc"
    "aiortc_sends_aiortc_offers|aiortc-sends|aiortc"
    "edgertc_pair|edgertc-pair|edgertc")
foreach(case ${peers_cases})
    string(REPLACE "|" ";" fields ${case})
    list(GET fields 0 name)
    list(GET fields 1 scenario)
    list(GET fields 2 offerer)
    add_test(NAME interop.peers_${name}
        COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/python3 ${peers_harness}
                ${scenario} --offerer ${offerer} --require-audio
                --pipe-peer $<TARGET_FILE:pc_pipe_peer>
        WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(interop.peers_${name} PROPERTIES LABELS interop TIMEOUT 120)
endforeach()

# edgertc has video only and answers aiortc's audio+video offer: audio is answered inactive
# (bundled), and aiortc must accept the answer and connect.
add_test(NAME interop.peers_aiortc_offers_audio_video_edgertc_video_only
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run-in-netns.sh /usr/bin/python3 ${peers_harness}
            aiortc-receives --offerer aiortc --edgertc-video-only
            --pipe-peer $<TARGET_FILE:pc_pipe_peer>
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(interop.peers_aiortc_offers_audio_video_edgertc_video_only PROPERTIES
    LABELS interop TIMEOUT 120)
