# bench_kvs_client: the KVS signaling client's connect time with a cold and a warm channel
# cache, its heap peak and held heap, and the code size of src/signaling/kvs, against the
# KVS stand-in of the integration tests (tests/integration/kvs_server.py) on 127.0.0.1.
# Included from bench/CMakeLists.txt (after its sanitizer check).
if(ERTC_WITH_KVS)
    set(kvs_objects_list ${CMAKE_CURRENT_BINARY_DIR}/kvs_objects.txt)
    file(GENERATE OUTPUT ${kvs_objects_list} CONTENT "$<JOIN:$<TARGET_OBJECTS:edgertc>,\n>\n")
    string(TOUPPER "${CMAKE_BUILD_TYPE}" kvs_build_type)
    string(STRIP "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${kvs_build_type}}" kvs_library_flags)
    add_executable(bench_kvs_client ${CMAKE_CURRENT_LIST_DIR}/kvs_client.c
        ${PROJECT_SOURCE_DIR}/tests/integration/test_server.c)
    target_link_libraries(bench_kvs_client PRIVATE edgertc)
    target_include_directories(bench_kvs_client PRIVATE ${PROJECT_SOURCE_DIR}/src
        ${PROJECT_SOURCE_DIR}/tests/integration)
    target_compile_options(bench_kvs_client PRIVATE ${ERTC_TEST_WARNINGS})
    target_compile_definitions(bench_kvs_client PRIVATE _GNU_SOURCE
        ERTC_TEST_SCRIPTS_DEFAULT="${PROJECT_SOURCE_DIR}/tests/integration"
        ERTC_BENCH_REPO_DIR="${PROJECT_SOURCE_DIR}"
        ERTC_BENCH_OBJECTS="${kvs_objects_list}"
        ERTC_BENCH_LIBRARY_FLAGS="${kvs_library_flags}")
endif()
