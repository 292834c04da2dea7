# Locates edgertc's third-party libraries and exposes each as an imported target ertc::<name>.
# Debian 12 ships mbedTLS 2.28 without a CMake package or a .pc file, so it is found by name.
find_package(Threads REQUIRED)

find_path(MBEDTLS_INCLUDE_DIR mbedtls/ssl.h)
find_library(MBEDTLS_LIB mbedtls)
find_library(MBEDX509_LIB mbedx509)
find_library(MBEDCRYPTO_LIB mbedcrypto)
if(NOT MBEDTLS_INCLUDE_DIR OR NOT MBEDTLS_LIB OR NOT MBEDX509_LIB OR NOT MBEDCRYPTO_LIB)
    message(FATAL_ERROR "mbedTLS not found: run scripts/bootstrap (Debian: libmbedtls-dev)")
endif()
add_library(ertc::mbedtls INTERFACE IMPORTED)
set_target_properties(ertc::mbedtls PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MBEDTLS_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${MBEDTLS_LIB};${MBEDX509_LIB};${MBEDCRYPTO_LIB}")

find_path(CJSON_INCLUDE_DIR cjson/cJSON.h)
find_library(CJSON_LIB cjson)
if(NOT CJSON_INCLUDE_DIR OR NOT CJSON_LIB)
    message(FATAL_ERROR "cJSON not found: run scripts/bootstrap (Debian: libcjson-dev)")
endif()
add_library(ertc::cjson INTERFACE IMPORTED)
set_target_properties(ertc::cjson PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CJSON_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CJSON_LIB}")

# libsrtp2 (SRTP/SRTCP for DTLS-SRTP media, src/peer/srtp.c). Debian ships a .pc file, but it
# is found by name like mbedTLS so that a cross sysroot needs no pkg-config.
find_path(SRTP2_INCLUDE_DIR srtp2/srtp.h)
find_library(SRTP2_LIB srtp2)
if(NOT SRTP2_INCLUDE_DIR OR NOT SRTP2_LIB)
    message(FATAL_ERROR "libsrtp2 not found: run scripts/bootstrap (Debian: libsrtp2-dev)")
endif()
add_library(ertc::srtp2 INTERFACE IMPORTED)
set_target_properties(ertc::srtp2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${SRTP2_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${SRTP2_LIB}")

if(ERTC_BUILD_TESTS)
    find_path(CMOCKA_INCLUDE_DIR cmocka.h)
    find_library(CMOCKA_LIB cmocka)
    if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIB)
        message(FATAL_ERROR "cmocka not found: run scripts/bootstrap (Debian: libcmocka-dev)")
    endif()
    add_library(ertc::cmocka INTERFACE IMPORTED)
    set_target_properties(ertc::cmocka PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${CMOCKA_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "${CMOCKA_LIB}")
endif()
