# What `cmake --install` puts on a machine: the binaries (ctrd finds ctrd-daemon and
# ctrd-tar next to itself, ctrctl finds ctrctl-cp), the man pages built from docs/ with
# go-md2man (scripts/man-pages.py), the shell completions (`ctrctl completion SHELL`, generated
# at build time unless cross-compiling) and the systemd unit pointing at the installed ctrd.
include(GNUInstallDirs)

if(CTRD_MULTICALL)
  # ctrctl is a hard link to the multi-call ctrd-daemon (multicall/CMakeLists.txt).
  install(TARGETS ctrd ctrd-daemon ctrd-tar ctrctl-cp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(CODE "set(bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
    file(REMOVE \"\${bin}/ctrctl\")
    file(CREATE_LINK \"\${bin}/ctrd-daemon\" \"\${bin}/ctrctl\")")
else()
  install(TARGETS ctrd ctrd-daemon ctrd-tar ctrctl ctrctl-cp
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

find_program(CTRD_GO_MD2MAN go-md2man)
find_package(Python3 COMPONENTS Interpreter)
if(CTRD_GO_MD2MAN AND Python3_Interpreter_FOUND)
  set(ctrd_man_dir ${CMAKE_BINARY_DIR}/man)
  add_custom_command(OUTPUT ${ctrd_man_dir}/stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${ctrd_man_dir}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/man-pages.py
      ${CMAKE_SOURCE_DIR}/docs ${ctrd_man_dir} --md2man ${CTRD_GO_MD2MAN}
    COMMAND ${CMAKE_COMMAND} -E touch ${ctrd_man_dir}/stamp
    DEPENDS ${CMAKE_SOURCE_DIR}/scripts/man-pages.py ${CMAKE_SOURCE_DIR}/docs/ctrctl.md
      ${CMAKE_SOURCE_DIR}/docs/ctrd.md ${CMAKE_SOURCE_DIR}/docs/service-files.md
    COMMENT "Man pages from docs/ (go-md2man)")
  add_custom_target(man ALL DEPENDS ${ctrd_man_dir}/stamp)
  install(DIRECTORY ${ctrd_man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}
    FILES_MATCHING PATTERN "*.1" PATTERN "*.5" PATTERN "*.8")
else()
  message(STATUS "go-md2man or python3 not found: no man pages (scripts/install-deps.sh)")
endif()

if(NOT CMAKE_CROSSCOMPILING)
  set(ctrd_completion_dir ${CMAKE_BINARY_DIR}/completion)
  add_custom_command(OUTPUT ${ctrd_completion_dir}/ctrctl ${ctrd_completion_dir}/_ctrctl
      ${ctrd_completion_dir}/ctrctl.fish
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ctrd_completion_dir}
    COMMAND sh -c "${CTRD_CTRCTL_FILE} completion bash > ${ctrd_completion_dir}/ctrctl"
    COMMAND sh -c "${CTRD_CTRCTL_FILE} completion zsh > ${ctrd_completion_dir}/_ctrctl"
    COMMAND sh -c "${CTRD_CTRCTL_FILE} completion fish > ${ctrd_completion_dir}/ctrctl.fish"
    DEPENDS ctrctl
    COMMENT "Shell completions (ctrctl completion)"
    VERBATIM)
  add_custom_target(completions ALL DEPENDS ${ctrd_completion_dir}/ctrctl)
  install(FILES ${ctrd_completion_dir}/ctrctl
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${ctrd_completion_dir}/_ctrctl
    DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  install(FILES ${ctrd_completion_dir}/ctrctl.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
endif()

# The unit's ExecStart names the installed ctrd, under the prefix given at install time.
install(CODE "
  file(READ \"${CMAKE_SOURCE_DIR}/config/systemd/ctrd.service\" unit)
  string(REPLACE \"/usr/local/bin/ctrd\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/ctrd\"
    unit \"\${unit}\")
  set(dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  file(MAKE_DIRECTORY \"\${dest}\")
  file(WRITE \"\${dest}/ctrd.service\" \"\${unit}\")
  message(STATUS \"Installing: \${dest}/ctrd.service\")
")
