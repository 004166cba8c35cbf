# GoogleTest: the host's libgtest for native builds; for cross builds, the
# sources Debian's googletest package installs, built with the cross compiler.
if(CMAKE_CROSSCOMPILING)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/_googletest EXCLUDE_FROM_ALL)
  # googletest >= 1.11 defines the namespaced names itself.
  if(NOT TARGET GTest::gtest)
    add_library(GTest::gtest ALIAS gtest)
    add_library(GTest::gtest_main ALIAS gtest_main)
  endif()
else()
  find_package(GTest REQUIRED)
endif()

# gort_add_test(NAME target [ARGS...]): one ctest entry running a test
# binary, through the cross emulator (cross presets) or GORT_TEST_LAUNCHER
# (valgrind preset).
function(gort_add_test name target)
  set(launcher)
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    set(launcher ${CMAKE_CROSSCOMPILING_EMULATOR})
  elseif(GORT_TEST_LAUNCHER)
    set(launcher ${GORT_TEST_LAUNCHER})
  endif()
  add_test(NAME ${name} COMMAND ${launcher} $<TARGET_FILE:${target}> ${ARGN})
endfunction()
