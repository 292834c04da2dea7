# Media sources and sinks (src/media): openh264 encodes the live test pattern, libopus the
# tone; both are found through pkg-config (Debian: libopenh264-dev, libopus-dev).
# Included by the top-level CMakeLists.txt after the edgertc target exists.
#
# They are linked PUBLIC so that programs and tests that decode what the sources produce
# (openh264's ISVCDecoder, opus_decode) find the same headers; the public headers of edgertc
# include neither.
if(NOT ERTC_WITH_MEDIA)
    # The top-level glob takes src/media/*.c whatever the option; without the codecs they
    # cannot compile, so they are taken out of the build here.
    file(GLOB ertc_media_sources ${PROJECT_SOURCE_DIR}/src/media/*.c)
    set_source_files_properties(${ertc_media_sources} PROPERTIES HEADER_FILE_ONLY ON)
    return()
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(ERTC_OPENH264 REQUIRED IMPORTED_TARGET openh264)
pkg_check_modules(ERTC_OPUS REQUIRED IMPORTED_TARGET opus)
target_link_libraries(edgertc PUBLIC PkgConfig::ERTC_OPENH264 PkgConfig::ERTC_OPUS)
# libm: the tone's sine.
target_link_libraries(edgertc PUBLIC m)

# edgertc.pc: the codec libraries join Libs.private (the top-level file writes the .pc).
set(ertc_media_libs ${ERTC_OPENH264_LIBRARIES} ${ERTC_OPUS_LIBRARIES} m)
list(TRANSFORM ertc_media_libs PREPEND -l)
string(REPLACE ";" " " ertc_media_libs "${ertc_media_libs}")
string(APPEND ERTC_PC_LIBS_PRIVATE " ${ertc_media_libs}")
