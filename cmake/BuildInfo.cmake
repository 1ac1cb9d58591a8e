# The project's one version number and the commit it was built from.
#   edgesync_read_version(<var>)   the first line of VERSION at the top of the tree
#   edgesync_git_commit(<var>)     `git rev-parse --short=12 HEAD`, or "unknown" outside a git
#                                  checkout (a source tarball) or without git
# Both are read at configure time; `make build` configures every time, so a new commit is
# picked up by the next build (only base/build_info.cpp recompiles, the programs relink).

get_filename_component(edgesync_version_file ${CMAKE_CURRENT_LIST_DIR}/../VERSION ABSOLUTE)

function(edgesync_read_version out)
  set(file ${edgesync_version_file})
  file(STRINGS ${file} lines LIMIT_COUNT 1 REGEX "^[0-9]+\\.[0-9]+\\.[0-9]+$")
  if(NOT lines)
    message(FATAL_ERROR "VERSION must hold one MAJOR.MINOR.PATCH line")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  set(${out} ${lines} PARENT_SCOPE)
endfunction()

function(edgesync_git_commit out)
  set(commit unknown)
  find_package(Git QUIET)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                    OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(NOT failed AND head)
      set(commit ${head})
    endif()
  endif()
  set(${out} ${commit} PARENT_SCOPE)
endfunction()
