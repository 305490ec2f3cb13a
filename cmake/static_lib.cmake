# static_lib.cmake — TC_STATIC=ON (included by install.cmake): libtensorc.a
# with LLVM linked in, so a program linking it needs no libLLVM at run time.
#
# An archive cannot carry other archives, and listing LLVM's ~60 archives
# on every consumer's link line would leak tensorc's build into it. So the
# archive's one member is a prelinked object (cmake/prelink.sh): tensorc's
# objects plus the members of LLVM's static archives they need
# (`llvm-config --link-static --libfiles orcjit native passes`, as
# static_llvm.cmake links them into the shared library), garbage-collected
# from the tc_* functions, with every symbol but tc_* made local. What it
# still needs comes from the system: the C++ runtime, zstd, zlib, libm,
# libdl, pthreads — tensorc::tensorc_static and tensorc-static.pc name them.
find_program(TC_LLVM_CONFIG NAMES llvm-config llvm-config-19 HINTS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
if(NOT TC_LLVM_CONFIG)
  find_program(TC_LLVM_CONFIG NAMES llvm-config-19 llvm-config)
endif()
execute_process(COMMAND ${TC_LLVM_CONFIG} --link-static --libfiles orcjit native passes
                OUTPUT_VARIABLE _tc_llvm_archives RESULT_VARIABLE _tc_rc ERROR_VARIABLE _tc_err
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _tc_rc EQUAL 0 OR _tc_llvm_archives STREQUAL "")
  message(FATAL_ERROR "TC_STATIC: ${TC_LLVM_CONFIG} --link-static --libfiles failed: ${_tc_err}\n"
                      "(the static LLVM archives come with llvm-19-dev)")
endif()
separate_arguments(_tc_llvm_archives UNIX_COMMAND "${_tc_llvm_archives}")
find_program(TC_OBJCOPY NAMES objcopy HINTS ${CMAKE_OBJCOPY})
find_program(TC_NM NAMES nm HINTS ${CMAKE_NM})
find_program(TC_LD NAMES ld ld.bfd HINTS ${CMAKE_LINKER})

# zstd: Debian's runtime package has only libzstd.so.1 (no libzstd.so link)
find_library(TC_ZSTD_DEV NAMES zstd)
if(TC_ZSTD_DEV)
  set(_tc_zstd -lzstd)
else()
  set(_tc_zstd -l:libzstd.so.1)
endif()
set(_tc_static_deps -lstdc++ ${_tc_zstd} -lz -lm -ldl)

set(_tc_prelinked ${CMAKE_BINARY_DIR}/tensorc_prelinked.o)
add_custom_command(OUTPUT ${_tc_prelinked}
  COMMAND ${CMAKE_SOURCE_DIR}/cmake/prelink.sh ${_tc_prelinked} ${TC_LD} ${TC_OBJCOPY} ${TC_NM}
          $<TARGET_OBJECTS:tensorc_obj> -- ${_tc_llvm_archives}
  DEPENDS $<TARGET_OBJECTS:tensorc_obj> ${CMAKE_SOURCE_DIR}/cmake/prelink.sh
  COMMENT "Prelinking tensorc with LLVM for libtensorc.a"
  COMMAND_EXPAND_LISTS VERBATIM)
set_source_files_properties(${_tc_prelinked} PROPERTIES EXTERNAL_OBJECT ON GENERATED ON)
add_library(tensorc_static STATIC ${_tc_prelinked})
# the prelink reads tensorc_obj's objects: they are built first (Makefiles
# do not infer that from $<TARGET_OBJECTS> in DEPENDS)
add_dependencies(tensorc_static tensorc_obj)
set_target_properties(tensorc_static PROPERTIES OUTPUT_NAME tensorc LINKER_LANGUAGE C)
target_include_directories(tensorc_static INTERFACE $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
                                                    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(tensorc_static INTERFACE ${_tc_static_deps} Threads::Threads)
install(TARGETS tensorc_static EXPORT tensorcStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(EXPORT tensorcStaticTargets NAMESPACE tensorc:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tensorc COMPONENT dev)

list(JOIN _tc_static_deps " " TC_PC_STATIC_LIBS)
file(RELATIVE_PATH TC_PC_RELPREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" TC_PC_RELPREFIX "${TC_PC_RELPREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/tensorc-static.pc.in ${CMAKE_BINARY_DIR}/tensorc-static.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/tensorc-static.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
