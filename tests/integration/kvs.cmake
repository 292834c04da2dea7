# KVS signaling client against kvs_server.py, a minimal KVS stand-in on 127.0.0.1 (Debian's
# python3-aiohttp), with a test CA for the AWS IoT credentials endpoint (mutual TLS).
if(ERTC_WITH_KVS)
    ertc_test_program(test_kvs_client SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_kvs_client.c
        LIBS ertc_test_server)
    add_test(NAME integration.test_kvs_client COMMAND test_kvs_client)
    set_tests_properties(integration.test_kvs_client PROPERTIES LABELS integration TIMEOUT 300)
endif()
