# static_llvm.cmake — TC_STATIC_LLVM=ON: a self-contained build for machines
# that have no LLVM (the GPU machines: CUDA toolkit, CMake and Python, no
# LLVM, no network, and at most 64 MiB of tree + build folder travels).
#
# Included at the end of CMakeLists.txt, after every target exists, it
# changes those targets rather than defining new ones:
#   - libtensorc.so links the LLVM components tensorc uses (orcjit, native,
#     passes and what they need, from `llvm-config --link-static --libfiles`)
#     and libstdc++ statically, with --gc-sections, --icf=all when lld is
#     there, --exclude-libs,ALL (LLVM's and libstdc++'s symbols stay hidden,
#     so another LLVM in the process does not clash) and --strip-all.
#   - one copy of LLVM: every test links libtensorc.so instead of the static
#     tensorc_internal archive. The white-box tests call internal functions,
#     so in this mode tensorc's own objects keep default visibility and the
#     library exports them too (-Bsymbolic-functions: the library's own calls
#     are never interposed). Only the public API is a promise, as usual.
#   - executables find libtensorc.so next to themselves and a copy of
#     libcmocka (which the GPU machines lack) in deps/ ($ORIGIN rpaths), so
#     the folder can move.
# scripts/gpu-build makes such a build in build-gpu/ and prints its size.

if(NOT TARGET tensorc)
  message(FATAL_ERROR "static_llvm.cmake: include it after the tensorc target")
endif()

find_program(TC_LLVM_CONFIG NAMES llvm-config llvm-config-19
             HINTS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
if(NOT TC_LLVM_CONFIG)
  find_program(TC_LLVM_CONFIG NAMES llvm-config-19 llvm-config)
endif()
execute_process(COMMAND ${TC_LLVM_CONFIG} --link-static --libfiles orcjit native passes
                OUTPUT_VARIABLE _tc_llvm_libs RESULT_VARIABLE _tc_rc
                ERROR_VARIABLE _tc_err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _tc_rc EQUAL 0 OR _tc_llvm_libs STREQUAL "")
  message(FATAL_ERROR "TC_STATIC_LLVM: ${TC_LLVM_CONFIG} --link-static --libfiles failed: ${_tc_err}\n"
                      "(the static LLVM archives come with llvm-19-dev)")
endif()
separate_arguments(_tc_llvm_libs UNIX_COMMAND "${_tc_llvm_libs}")
list(LENGTH _tc_llvm_libs _tc_n)
message(STATUS "TC_STATIC_LLVM: ${_tc_n} static LLVM archives")

# what LLVM itself needs: libstdc++ (static), zlib (static when there), zstd
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libstdc++.a
                OUTPUT_VARIABLE _tc_stdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${_tc_stdcxx}")
  set(_tc_stdcxx stdc++)
endif()
find_library(TC_ZLIB_STATIC NAMES libz.a z)
find_library(TC_ZSTD_LIB NAMES libzstd.a zstd libzstd.so.1)
set(_tc_sys_libs ${_tc_stdcxx} ${TC_ZLIB_STATIC})
if(TC_ZSTD_LIB)
  list(APPEND _tc_sys_libs ${TC_ZSTD_LIB})
endif()

include(CheckLinkerFlag)
check_linker_flag(C "-fuse-ld=lld" TC_HAVE_LLD)
set(_tc_link_opts -static-libgcc -Wl,--gc-sections -Wl,--exclude-libs,ALL
    -Wl,-Bsymbolic-functions -Wl,--no-undefined -Wl,--as-needed -Wl,--strip-all)
if(TC_HAVE_LLD)
  list(APPEND _tc_link_opts -fuse-ld=lld -Wl,--icf=all)
endif()

set_property(TARGET tensorc_obj PROPERTY C_VISIBILITY_PRESET default)
target_compile_options(tensorc_obj PRIVATE -ffunction-sections -fdata-sections)
set_property(TARGET tensorc PROPERTY LINK_LIBRARIES
             -Wl,--start-group ${_tc_llvm_libs} -Wl,--end-group ${_tc_sys_libs} Threads::Threads m dl rt)
target_link_options(tensorc PRIVATE ${_tc_link_opts})
# nothing needs the static archive in this mode (it would want libLLVM)
set_property(TARGET tensorc_internal PROPERTY EXCLUDE_FROM_ALL ON)

# tests: libtensorc.so instead of the archive; libcmocka copied beside them
if(TC_TESTS AND CMOCKA_LIB)
  foreach(src ${TC_TESTS_SRC})
    get_filename_component(name ${src} NAME_WE)
    if(TARGET ${name})
      set_property(TARGET ${name} PROPERTY LINK_LIBRARIES tensorc tensorc_cuda_emu ${CMOCKA_LIB} Threads::Threads m dl)
    endif()
  endforeach()
  if(TARGET tensorc_fuzz_graph)
    set_property(TARGET tensorc_fuzz_graph PROPERTY LINK_LIBRARIES tensorc tensorc_cuda_emu m)
  endif()
  get_filename_component(_tc_cmocka_real ${CMOCKA_LIB} REALPATH)
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${_tc_cmocka_real} OUTPUT_VARIABLE _tc_dyn ERROR_QUIET)
  string(REGEX MATCH "SONAME +([^ \n]+)" _tc_m "${_tc_dyn}")
  if(CMAKE_MATCH_1)
    file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/deps)
    file(COPY_FILE ${_tc_cmocka_real} ${CMAKE_BINARY_DIR}/deps/${CMAKE_MATCH_1} ONLY_IF_DIFFERENT)
  endif()
endif()

# $ORIGIN rpaths and stripped binaries, so build-gpu/ can travel and stays small
get_property(_tc_targets DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY BUILDSYSTEM_TARGETS)
foreach(t ${_tc_targets})
  get_target_property(_tc_type ${t} TYPE)
  if(_tc_type STREQUAL "EXECUTABLE" OR _tc_type STREQUAL "SHARED_LIBRARY")
    set_target_properties(${t} PROPERTIES BUILD_RPATH_USE_ORIGIN ON BUILD_RPATH "$ORIGIN;$ORIGIN/deps")
  endif()
  if(_tc_type STREQUAL "EXECUTABLE")
    target_link_options(${t} PRIVATE -Wl,--strip-all)
  endif()
endforeach()
