# Helpers shared by every folder's CMakeLists.txt.

# edgesync_unit_test(NAME SOURCES... LIBS...) builds one gtest executable and registers its tests.
function(edgesync_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest_main GTest::gmock)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()

# edgesync_fuzz_target(NAME SOURCES... LIBS... CORPUS dir)
# In a fuzz build (clang, EDGESYNC_FUZZ=ON) this builds a libFuzzer executable.
# In the ordinary build, when EDGESYNC_FUZZ_BIN_DIR points at a fuzz build, it registers a short
# smoke run of that executable as a ctest test (EDGESYNC_FUZZ_SECONDS each, default 5).
set(EDGESYNC_FUZZ_BIN_DIR "" CACHE PATH "Directory holding libFuzzer executables for smoke runs")
set(EDGESYNC_FUZZ_SECONDS 5 CACHE STRING "Seconds per fuzz smoke run in ctest")
function(edgesync_fuzz_target name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(EDGESYNC_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz-bin)
    add_dependencies(fuzz_targets ${name})
  elseif(EDGESYNC_FUZZ_BIN_DIR)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
    add_test(NAME fuzz_smoke_${name}
      COMMAND ${CMAKE_COMMAND} -DFUZZER=${EDGESYNC_FUZZ_BIN_DIR}/${name} -DSEED=${ARG_CORPUS}
              -DWORK=${work} -DSECONDS=${EDGESYNC_FUZZ_SECONDS}
              -P ${PROJECT_SOURCE_DIR}/cmake/RunFuzzer.cmake)
    set_tests_properties(fuzz_smoke_${name} PROPERTIES TIMEOUT 600 LABELS fuzz)
  endif()
endfunction()
