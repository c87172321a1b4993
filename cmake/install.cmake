# Install rules: where every installed file goes (FHS), and the optional
# file capability. Included from the top CMakeLists.txt. `DESTDIR=... cmake
# --install BUILD` stages everything below DESTDIR (tests/install/run.sh).
#
# Paths compiled into files (the helper libmountguard starts, the .pc file)
# come from CMAKE_INSTALL_PREFIX when the build is configured: configure
# with -DCMAKE_INSTALL_PREFIX=/usr for a /usr install, rather than only
# passing --prefix /usr to cmake --install.
include(GNUInstallDirs)

# sbin, not libexec: root runs it by hand and from unit files (apply,
# teardown, exec), and runtimes name it in hooks.
install(TARGETS mount-guard DESTINATION ${CMAKE_INSTALL_SBINDIR})

# For reading only: the binary uses the copies compiled into it.
install(FILES ${MG_PRESET_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/mount-guard/presets)
# An example, not a policy: without /etc/mount-guard/policy.conf, serve
# refuses everyone; the administrator copies and edits this one.
install(FILES ${PROJECT_SOURCE_DIR}/policy/example-policy.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/mount-guard)

install(FILES ${PROJECT_SOURCE_DIR}/docs/mount-guard.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/docs/mount-guard.conf.5 ${PROJECT_SOURCE_DIR}/docs/mount-guard-policy.5
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)

# The example units, their lists and the libmountguard client, as
# documentation only. The units are not put into lib/systemd/system: they
# name a rootfs, a user and a program that exist only once the administrator
# has adapted them, and a unit there would be listed (and could be enabled)
# as if it were ready to run. Copy one to /etc/systemd/system instead.
file(GLOB MG_EXAMPLE_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/docs/examples/*.service
     ${PROJECT_SOURCE_DIR}/docs/examples/*.conf
     ${PROJECT_SOURCE_DIR}/docs/examples/*.c)
list(SORT MG_EXAMPLE_FILES)
install(FILES ${MG_EXAMPLE_FILES} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

if(MG_INSTALL_SETCAP)
  # No setuid bit: the capabilities live on the file. SETPCAP and the two DAC
  # capabilities are reduced or dropped at run time (SECURITY.md says why
  # each is there); an unprivileged caller reaches only `serve`, under the
  # root-owned policy. The path is taken at install time, so that DESTDIR
  # and --prefix are honoured.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_SBINDIR}")
    set(mg_sbin "${CMAKE_INSTALL_SBINDIR}")
  else()
    set(mg_sbin "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}")
  endif()
  install(CODE "set(mg_installed \"\$ENV{DESTDIR}${mg_sbin}/mount-guard\")
    execute_process(COMMAND setcap
      cap_sys_admin,cap_setpcap,cap_dac_read_search,cap_dac_override+ep
      \${mg_installed}
      RESULT_VARIABLE mg_setcap_rc)
    if(NOT mg_setcap_rc EQUAL 0)
      message(FATAL_ERROR \"setcap on \${mg_installed} failed\")
    endif()")
endif()
