# Unit tests of helper/oci_state.c: the OCI state an `oci-hook` reads on
# stdin and the rootfs its bundle's config.json names. Included from
# tests/unit/CMakeLists.txt (after PkgConfig::CHECK and mgcore exist); built
# and registered like the tests of MG_UNIT_TESTS there.
add_executable(unit-oci_state ${CMAKE_CURRENT_LIST_DIR}/test_oci_state.c)
target_link_libraries(unit-oci_state PRIVATE mgcore PkgConfig::CHECK)
add_test(NAME unit-oci_state COMMAND unit-oci_state)
set_tests_properties(unit-oci_state PROPERTIES TIMEOUT 120 LABELS unit)
