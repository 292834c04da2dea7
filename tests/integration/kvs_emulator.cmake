# The KVS emulator's SigV4 verifier (tools/signald/kvs_sigv4_verify.c) against edgertc's own
# signer: what the C KVS client signs, the emulator accepts (included by
# tests/integration/CMakeLists.txt; label "integration"). The JS SDK interop tests are in
# tests/interop/kvs.cmake.
ertc_test_program(kvs_emulator_sigv4 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/kvs_emulator_sigv4.c)
add_test(NAME integration.kvs_emulator_sigv4 COMMAND kvs_emulator_sigv4)
set_tests_properties(integration.kvs_emulator_sigv4 PROPERTIES LABELS integration TIMEOUT 60)
