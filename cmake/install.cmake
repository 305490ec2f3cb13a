# install.cmake — `cmake --install BUILD --prefix P` (included at the end
# of CMakeLists.txt, after every target exists):
#   include/tensorc.h                          the public API
#   lib/libtensorc.so.MAJOR.MINOR.PATCH        SONAME libtensorc.so.MAJOR,
#      libtensorc.so.MAJOR, libtensorc.so      and the development link
#   lib/libtensorc.a                           TC_STATIC=ON: LLVM linked in
#   bin/tensorc                                the CLI, with its runner
#   lib/tensorc/libtensorc_run.so              (embedded CPython, found at run
#                                              time; the runner finds the
#                                              library through $ORIGIN/..)
#   lib/pkgconfig/tensorc.pc                   pkg-config --cflags --libs tensorc
#   lib/cmake/tensorc/                         find_package(tensorc CONFIG):
#                                              tensorc::tensorc (shared) and,
#                                              with TC_STATIC, tensorc::tensorc_static
# Nothing of the build leaks into a consumer: the exported targets carry
# the include directory and, for the static library, the system libraries
# it needs; the shared library needs nothing on the consumer's link line
# (libLLVM, pthreads and libdl are its own dependencies).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(TC_STATIC "Also build and install libtensorc.a, with LLVM linked in (cmake/install.cmake)" OFF)

target_include_directories(tensorc INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
install(TARGETS tensorc EXPORT tensorcTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
install(FILES ${CMAKE_SOURCE_DIR}/include/tensorc.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
if(TARGET tensorc_cli)
  # bin/tensorc links no Python nor tensorc: it loads CPython, then the
  # runner, lib/tensorc/libtensorc_run.so (tools/tensorc/load.c looks
  # beside itself, in ../lib and ../lib/tensorc, or where TC_RUNNER_DIR
  # says, relative to bin/), which loads libtensorc.so.MAJOR from lib/
  file(RELATIVE_PATH _tc_runner_rel ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}
       ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/tensorc)
  target_compile_definitions(tensorc_cli PRIVATE TC_RUNNER_DIR="${_tc_runner_rel}")
  install(TARGETS tensorc_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  set_target_properties(tensorc_run PROPERTIES INSTALL_RPATH "$ORIGIN/..")
  install(TARGETS tensorc_run LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/tensorc COMPONENT runtime)
endif()

if(TC_STATIC)
  include(${CMAKE_SOURCE_DIR}/cmake/static_lib.cmake)
endif()

# pkg-config: relocatable (the prefix is found from the .pc file's place)
file(RELATIVE_PATH TC_PC_RELPREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" TC_PC_RELPREFIX "${TC_PC_RELPREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/tensorc.pc.in ${CMAKE_BINARY_DIR}/tensorc.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/tensorc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

set(TC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tensorc)
install(EXPORT tensorcTargets NAMESPACE tensorc:: DESTINATION ${TC_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/tensorcConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/tensorcConfig.cmake INSTALL_DESTINATION ${TC_CMAKE_DIR})
# the promise of README.md's "Installing and linking": a newer minor or
# patch release of the same major version is compatible
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tensorcConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/tensorcConfig.cmake ${CMAKE_BINARY_DIR}/tensorcConfigVersion.cmake
        DESTINATION ${TC_CMAKE_DIR} COMPONENT dev)

# ctest `install`: install into a temporary prefix, check it, and build and
# run examples/ against it through find_package and pkg-config
# (scripts/check-install). Not in sanitized builds (a consumer would need
# the sanitizer's runtime) nor in TC_STATIC_LLVM builds (their library
# exports internals for the tests).
if(TC_TESTS AND NOT TC_SANITIZE AND NOT TC_STATIC_LLVM AND TARGET tensorc_cli)
  add_test(NAME install COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-install ${CMAKE_BINARY_DIR})
  set_tests_properties(install PROPERTIES TIMEOUT 300)
endif()
