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

# The command prefix of every test: the cross emulator (cross presets) or
# GORT_TEST_LAUNCHER (valgrind preset), else nothing.
function(gort_test_launcher out)
  set(launcher)
  if(CMAKE_CROSSCOMPILING_EMULATOR)
    set(launcher ${CMAKE_CROSSCOMPILING_EMULATOR})
  elseif(GORT_TEST_LAUNCHER)
    set(launcher ${GORT_TEST_LAUNCHER})
  endif()
  set(${out} "${launcher}" PARENT_SCOPE)
endfunction()

# gort_add_test(NAME target [ARGS...]): one ctest entry running a test
# binary through the launcher.
function(gort_add_test name target)
  gort_test_launcher(launcher)
  add_test(NAME ${name} COMMAND ${launcher} $<TARGET_FILE:${target}> ${ARGN})
endfunction()

# gort_add_test_without_leak_check(NAME target [ARGS...]): as gort_add_test,
# for a binary whose runs end early by design and so abandon goroutine
# frames (docs/CONFORMANCE.md, "Exit abandons goroutine frames"): neither
# LeakSanitizer's exit check nor Valgrind's leak check applies to it; every
# other error they find still fails it.
function(gort_add_test_without_leak_check name target)
  gort_test_launcher(launcher)
  string(REPLACE "--leak-check=full" "--leak-check=no" launcher "${launcher}")
  add_test(NAME ${name} COMMAND ${launcher} $<TARGET_FILE:${target}> ${ARGN})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
endfunction()
