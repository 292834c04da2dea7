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

# interop.bridge_protobuf_c: the bridge's SignalingMessage bytes against protobuf-c, with C code
# generated at build time by protoc-c (Debian protobuf-c-compiler, libprotobuf-c-dev). A missing
# protoc-c or library fails the test instead of skipping it.
find_program(ERTC_PROTOC_C protoc-c)
find_library(ERTC_PROTOBUF_C_LIB protobuf-c)
find_path(ERTC_PROTOBUF_C_INCLUDE protobuf-c/protobuf-c.h)
if(ERTC_PROTOC_C AND ERTC_PROTOBUF_C_LIB AND ERTC_PROTOBUF_C_INCLUDE)
    set(pb_dir ${CMAKE_CURRENT_BINARY_DIR}/bridge_pb)
    set(pb_proto ${PROJECT_SOURCE_DIR}/src/signaling/bridge/signaling.proto)
    add_custom_command(OUTPUT ${pb_dir}/signaling.pb-c.c ${pb_dir}/signaling.pb-c.h
        COMMAND ${CMAKE_COMMAND} -E make_directory ${pb_dir}
        COMMAND ${ERTC_PROTOC_C} --proto_path=${PROJECT_SOURCE_DIR}/src/signaling/bridge
                --c_out=${pb_dir} ${pb_proto}
        DEPENDS ${pb_proto}
        COMMENT "protoc-c signaling.proto")
    add_executable(bridge_protobuf_check ${CMAKE_CURRENT_SOURCE_DIR}/bridge_protobuf_check.c
        ${pb_dir}/signaling.pb-c.c)
    target_include_directories(bridge_protobuf_check PRIVATE ${pb_dir} ${PROJECT_SOURCE_DIR}/src
        ${ERTC_PROTOBUF_C_INCLUDE})
    target_link_libraries(bridge_protobuf_check PRIVATE edgertc ${ERTC_PROTOBUF_C_LIB})
    add_test(NAME interop.bridge_protobuf_c COMMAND bridge_protobuf_check)
else()
    add_test(NAME interop.bridge_protobuf_c COMMAND sh -c
        "echo 'protoc-c or libprotobuf-c is missing: install protobuf-c-compiler and libprotobuf-c-dev (this test never skips)'; exit 1")
endif()
set_tests_properties(interop.bridge_protobuf_c PROPERTIES LABELS interop TIMEOUT 60)
