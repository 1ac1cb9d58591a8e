# The Debian package, made by CPack's DEB generator from this build tree (`make deb`, or
# `cmake --build build --target deb`): edgesync_<version>_<arch>.deb in build/packages/.
# What only the package carries (the conffile, copyright, changelog) is staged in
# build/packaging/debian-root and added with CPACK_INSTALLED_DIRECTORIES; everything else is
# the project's own install rules, run by CPack with the prefix /usr.

# Staged at build time (target debian_root, part of `all`, a few small files).
set(debian_root ${CMAKE_CURRENT_BINARY_DIR}/debian-root)
set(debian_docdir ${debian_root}/usr/share/doc/edgesync)
set(debian_staged ${debian_root}/etc/edgesync/edgesync.toml ${debian_docdir}/copyright
                  ${debian_docdir}/changelog.gz)
add_custom_command(OUTPUT ${debian_staged}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${debian_root}/etc/edgesync ${debian_docdir}
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/systemd/edgesync.toml.example
          ${debian_root}/etc/edgesync/edgesync.toml
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright ${debian_docdir}/copyright
  COMMAND ${GZIP} -9nc ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog > ${debian_docdir}/changelog.gz
  DEPENDS ${PROJECT_SOURCE_DIR}/systemd/edgesync.toml.example ${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright
          ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog
  COMMENT "Staging the Debian package's own files")
add_custom_target(debian_root ALL DEPENDS ${debian_staged})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME edgesync)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
# Install with DESTDIR=<staging> and the prefix /usr (whatever CMAKE_INSTALL_PREFIX the tree has), so the install step configures the unit
# for /usr/bin and puts it in /lib/systemd/system (systemd/SystemdFiles.cmake).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALLED_DIRECTORIES ${debian_root} /)
set(CPACK_STRIP_FILES ON)
set(EDGESYNC_PACKAGE_MAINTAINER "edgesync maintainers <maintainers@users.noreply.r-seed-7e83edb9.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT ${EDGESYNC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "sync ML models, datasets and metadata between edge and cloud nodes")
# The synopsis is the summary above; CPack indents these lines and writes the empty one as " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "edgesyncd stores models, datasets and their metadata once per node as
content-defined chunks, versions them with version vectors and replicates
them between authenticated peers over TLS. Inference processes read
deployments from atomically switched checkout directories.

This package holds the daemon (as a systemd service, not enabled), the
edgesync command-line client, man pages and bash completion.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Library dependencies from dpkg-shlibdeps; the tools the maintainer scripts call by hand
# (the alternatives are the ones debhelper's dh_installsysusers and dh_installtmpfiles name).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd | systemd-standalone-sysusers | systemd-sysusers, systemd | systemd-standalone-tmpfiles | systemd-tmpfiles, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# `deb`: what the package needs built, then CPack (the same as `cpack` in the build directory).
add_custom_target(deb
  COMMAND ${CMAKE_CPACK_COMMAND} --config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  COMMENT "Building the Debian package in ${CPACK_PACKAGE_DIRECTORY}"
  VERBATIM)
add_dependencies(deb edgesyncd edgesync man_pages debian_root)
