# libmountguard: the client library of `mount-guard serve` (common/mountguard.h,
# docs/libmountguard.md), its pkg-config file, and its test tools.
#
# Included by the top CMakeLists.txt, at its end (after add_subdirectory(tests),
# so that the unit test target unit-client exists):
#   include(cmake/libmountguard.cmake)
include(GNUInstallDirs)

set(MG_HELPER_PATH "${CMAKE_INSTALL_FULL_SBINDIR}/mount-guard" CACHE STRING
    "The helper libmountguard starts when the caller names none")

# Only mountguard_* leaves the library: everything is compiled with hidden
# visibility, the header marks the API, and the version script says it again
# (and versions the symbols, so that a later ABI can add MOUNTGUARD_1).
set(MG_LIB_MAP ${PROJECT_BINARY_DIR}/libmountguard.map)
file(WRITE ${MG_LIB_MAP} "MOUNTGUARD_0 {\n  global:\n    mountguard_*;\n  local:\n    *;\n};\n")

# The protocol code is compiled again, position-independent and hidden, rather
# than linked from mgcore: the library must not export mg_* symbols that an
# application (or mount-guard itself) defines too.
add_library(mountguard-wire OBJECT ${PROJECT_SOURCE_DIR}/common/wire.c)
target_include_directories(mountguard-wire PRIVATE ${PROJECT_SOURCE_DIR}/common)
set_target_properties(mountguard-wire PROPERTIES C_VISIBILITY_PRESET hidden
                      POSITION_INDEPENDENT_CODE ON)

add_library(mountguard SHARED
  ${PROJECT_SOURCE_DIR}/common/client.c
  $<TARGET_OBJECTS:mountguard-wire>
  ${PROJECT_SOURCE_DIR}/common/wire_io.c
  ${PROJECT_SOURCE_DIR}/common/plan.c
  ${PROJECT_SOURCE_DIR}/common/mntopts.c
  ${PROJECT_SOURCE_DIR}/common/optstr.c
  ${PROJECT_SOURCE_DIR}/common/optmap.c
  ${PROJECT_SOURCE_DIR}/common/mg_error.c)
target_include_directories(mountguard
  PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/common> $<INSTALL_INTERFACE:include>)
target_compile_definitions(mountguard PRIVATE MG_HELPER_PATH="${MG_HELPER_PATH}")
target_link_options(mountguard PRIVATE -Wl,--version-script=${MG_LIB_MAP}
                    -Wl,-z,relro,-z,now)
if(NOT MG_SANITIZE)
  # Every symbol resolved at link time (the sanitizer runtimes are not).
  target_link_options(mountguard PRIVATE -Wl,-z,defs)
endif()
set_target_properties(mountguard PROPERTIES
  C_VISIBILITY_PRESET hidden
  POSITION_INDEPENDENT_CODE ON
  VERSION 0
  SOVERSION 0
  LINK_DEPENDS ${MG_LIB_MAP})

configure_file(${PROJECT_SOURCE_DIR}/cmake/mountguard.pc.in ${PROJECT_BINARY_DIR}/mountguard.pc
               @ONLY)
install(TARGETS mountguard LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/common/mountguard.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/mountguard.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(MG_BUILD_TESTS)
  # Test tools, next to mg-enosys in ${build}/tests; never installed.
  # mg-client: the library driven from the command line (integration tests).
  add_executable(mg-client ${PROJECT_SOURCE_DIR}/tests/wrap/mg-client.c)
  target_link_libraries(mg-client PRIVATE mountguard)
  # mg-fake-helper: a scripted `serve` for the unit test of the library.
  add_executable(mg-fake-helper ${PROJECT_SOURCE_DIR}/tests/wrap/mg-fake-helper.c)
  target_link_libraries(mg-fake-helper PRIVATE mgcore)
  set_target_properties(mg-client mg-fake-helper PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)

  # unit-client is made by tests/unit/CMakeLists.txt (MG_UNIT_TESTS); it
  # also needs the library and the fake helper.
  if(TARGET unit-client)
    target_link_libraries(unit-client PRIVATE mountguard)
    target_compile_definitions(unit-client PRIVATE
      MG_FAKE_HELPER="$<TARGET_FILE:mg-fake-helper>")
    add_dependencies(unit-client mg-fake-helper)
  else()
    message(STATUS "libmountguard: no unit-client target (add 'client' to MG_UNIT_TESTS "
                   "in tests/unit/CMakeLists.txt, and include this file after add_subdirectory(tests))")
  endif()
endif()
