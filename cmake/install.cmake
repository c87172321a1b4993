# Install rules: where every installed file goes (FHS), and the optional
# file capability. Included from the top CMakeLists.txt.
include(GNUInstallDirs)
install(TARGETS mount-guard DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${MG_PRESET_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/mount-guard/presets)
install(FILES ${PROJECT_SOURCE_DIR}/policy/example-policy.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/mount-guard)
install(FILES ${PROJECT_SOURCE_DIR}/docs/mount-guard.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${PROJECT_SOURCE_DIR}/docs/mount-guard.conf.5 ${PROJECT_SOURCE_DIR}/docs/mount-guard-policy.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
if(MG_INSTALL_SETCAP)
  # No setuid bit: the capabilities live on the file. SETPCAP and the two DAC
  # capabilities are reduced or dropped at run time (SECURITY.md says why
  # each is there); an unprivileged caller reaches only `serve`, under the
  # root-owned policy.
  install(CODE "execute_process(COMMAND setcap
      cap_sys_admin,cap_setpcap,cap_dac_read_search,cap_dac_override+ep
      \$ENV{DESTDIR}${CMAKE_INSTALL_FULL_SBINDIR}/mount-guard
      RESULT_VARIABLE mg_setcap_rc)
    if(NOT mg_setcap_rc EQUAL 0)
      message(FATAL_ERROR \"setcap on the installed mount-guard failed\")
    endif()")
endif()

