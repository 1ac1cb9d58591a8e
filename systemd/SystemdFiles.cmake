# Where the systemd files go for an install prefix, and the unit configured for it. Included by
# systemd/CMakeLists.txt at configure time (the build tree's copy, read by the tests) and again
# by the install step, where CMAKE_INSTALL_PREFIX is the one given to `cmake --install --prefix`
# or by CPack, so the installed unit always names the installed binary.

# The directory units are installed to: Debian 12 keeps the system's units in /lib/systemd/system
# (pkg-config's systemdsystemunitdir), so a /usr install puts them there; any other prefix keeps
# them below it (systemd also reads /usr/local/lib/systemd/system).
function(edgesync_systemd_unit_dir out prefix)
  if(prefix STREQUAL "/usr")
    set(${out} /lib/systemd/system PARENT_SCOPE)
  else()
    set(${out} ${prefix}/lib/systemd/system PARENT_SCOPE)
  endif()
endfunction()

# Writes edgesyncd.service from `template` to `out` for binaries in <prefix>/<bindir> and the
# documentation in <prefix>/<docdir> (both relative, as GNUInstallDirs gives them).
function(edgesync_configure_unit template out prefix bindir docdir)
  set(EDGESYNC_BINDIR ${prefix}/${bindir})
  set(EDGESYNC_DOCDIR ${prefix}/${docdir})
  configure_file(${template} ${out} @ONLY)
endfunction()

# Install step: configures the unit for the install prefix into `work` and installs it.
function(edgesync_install_unit template work prefix bindir docdir)
  edgesync_configure_unit(${template} ${work}/edgesyncd.service ${prefix} ${bindir} ${docdir})
  edgesync_systemd_unit_dir(unit_dir ${prefix})
  file(INSTALL DESTINATION ${unit_dir} TYPE FILE FILES ${work}/edgesyncd.service)
endfunction()
