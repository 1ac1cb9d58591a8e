# The allowed dependencies between our libraries, as docs/architecture.md draws them, checked at
# every configure: a target that links a library it may not, or a source file that includes a
# header from a folder its library may not use, stops the build here with the reason.

# Direct link dependencies each of our targets may have (among our own targets).
set(edgesync_may_link_edgesync_base "")
set(edgesync_may_link_edgesync_limits edgesync_base)
set(edgesync_may_link_edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_transport edgesync_limits edgesync_base)
set(edgesync_may_link_edgesync_objectstore edgesync_base)
set(edgesync_may_link_edgesync_conflict edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_quota edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_replication
    edgesync_transport edgesync_limits edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_remote
    edgesync_objectstore edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_checkout
    edgesync_replication edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_fleet
    edgesync_replication edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_status
    edgesync_replication edgesync_conflict edgesync_transport edgesync_limits edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_control_protocol edgesync_base)
set(edgesync_may_link_edgesync_control
    edgesync_control_protocol edgesync_remote edgesync_objectstore edgesync_checkout edgesync_fleet edgesync_replication
    edgesync_limits
    edgesync_conflict edgesync_catalog edgesync_store edgesync_base)
set(edgesync_may_link_edgesync_daemon_config edgesync_transport edgesync_limits edgesync_base)
set(edgesync_may_link_edgesync_syncd
    edgesync_daemon_config edgesync_control edgesync_control_protocol edgesync_status
    edgesync_quota edgesync_remote edgesync_objectstore
    edgesync_checkout edgesync_fleet edgesync_replication edgesync_conflict edgesync_catalog edgesync_store
    edgesync_transport edgesync_limits edgesync_base)
set(edgesync_may_link_edgesync_cli
    edgesync_control_protocol edgesync_daemon_config edgesync_transport edgesync_limits edgesync_base)
set(edgesync_may_link_edgesyncd edgesync_syncd)
set(edgesync_may_link_edgesync edgesync_cli)

# Folders whose headers each folder's sources may include (besides its own).
set(edgesync_may_include_base "")
set(edgesync_may_include_limits base)
set(edgesync_may_include_store base)
set(edgesync_may_include_catalog store base)
set(edgesync_may_include_transport limits base)
set(edgesync_may_include_objectstore base)
set(edgesync_may_include_conflict catalog store base)
set(edgesync_may_include_quota store base)
set(edgesync_may_include_replication transport limits catalog store base)
set(edgesync_may_include_remote objectstore catalog store base)
set(edgesync_may_include_checkout replication limits catalog store base)
set(edgesync_may_include_fleet replication limits catalog store base)
set(edgesync_may_include_status replication conflict transport limits store base)
set(edgesync_may_include_control remote objectstore checkout fleet replication limits conflict catalog store base)
set(edgesync_may_include_syncd control quota remote objectstore status checkout fleet replication conflict catalog store transport limits base)
set(edgesync_may_include_cli control syncd transport limits base)

function(edgesync_check_layers)
  set(problems "")
  foreach(target IN ITEMS edgesync_base edgesync_limits edgesync_store edgesync_catalog edgesync_transport edgesync_objectstore
                          edgesync_conflict edgesync_quota edgesync_replication edgesync_remote edgesync_checkout edgesync_fleet
                          edgesync_status edgesync_control_protocol edgesync_control edgesync_daemon_config
                          edgesync_syncd edgesync_cli edgesyncd edgesync)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
    else()
      get_target_property(links ${target} LINK_LIBRARIES)
    endif()
    if(NOT links)
      set(links "")
    endif()
    foreach(link IN LISTS links)
      if(link MATCHES "^edgesync" AND NOT link IN_LIST edgesync_may_link_${target})
        string(APPEND problems "\n  ${target} links ${link}")
      endif()
    endforeach()
  endforeach()

  foreach(folder IN ITEMS base limits store catalog transport objectstore conflict quota replication remote checkout fleet status
                          control syncd cli)
    file(GLOB_RECURSE sources RELATIVE ${PROJECT_SOURCE_DIR}
         ${PROJECT_SOURCE_DIR}/${folder}/*.h ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
    foreach(source IN LISTS sources)
      file(STRINGS ${PROJECT_SOURCE_DIR}/${source} includes REGEX "^#include \"[a-z_]+/")
      foreach(line IN LISTS includes)
        string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" used "${line}")
        if(NOT used STREQUAL folder AND NOT used IN_LIST edgesync_may_include_${folder})
          string(APPEND problems "\n  ${source} includes ${used}/")
        endif()
      endforeach()
    endforeach()
  endforeach()

  if(problems)
    message(FATAL_ERROR "library layering (docs/architecture.md, cmake/LibraryLayers.cmake):"
                        "${problems}")
  endif()
endfunction()
