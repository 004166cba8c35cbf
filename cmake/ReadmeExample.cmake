# The README's examples are built and run as tests, so the first code a
# newcomer reads keeps compiling and keeps doing what the README says:
#  - the first ```cpp block is a GoogleTest test with a planted bug, which
#    must fail with gort's report and the command that replays the run;
#  - the second is a program, wrapped in main(), which must run.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/README.md)
file(READ ${PROJECT_SOURCE_DIR}/README.md gort_readme)

# gort_readme_block(N OUT): the text of README.md's N-th ```cpp block (1-based).
function(gort_readme_block n out)
  set(rest "${gort_readme}")
  foreach(i RANGE 1 ${n})
    string(FIND "${rest}" "```cpp\n" start)
    if(start LESS 0)
      message(FATAL_ERROR "README.md has fewer than ${n} ```cpp example blocks")
    endif()
    math(EXPR start "${start} + 7")
    string(SUBSTRING "${rest}" ${start} -1 rest)
  endforeach()
  string(FIND "${rest}" "```" end)
  string(SUBSTRING "${rest}" 0 ${end} code)
  set(${out} "${code}" PARENT_SCOPE)
endfunction()

if(TARGET gort_check_api)
  gort_readme_block(1 gort_readme_test)
  file(WRITE ${CMAKE_BINARY_DIR}/readme_test.cc "// Generated from README.md by cmake/ReadmeExample.cmake.\n${gort_readme_test}")
  add_executable(readme_test ${CMAKE_BINARY_DIR}/readme_test.cc)
  target_link_libraries(readme_test PRIVATE gort_check_api GTest::gtest_main gort_warnings)
  # The planted bug is found: the test fails, printing the verdict and how
  # to replay the run.
  add_test(NAME readme_test COMMAND readme_test)
  set_tests_properties(readme_test PROPERTIES
    PASS_REGULAR_EXPRESSION "lost update.*reproduce: GORT_REPLAY=[^ ]+\\.replay\\.json [^ ]+readme_test --gtest_filter=Counter\\.TwoAddsMakeTwo")
endif()

gort_readme_block(2 gort_readme_code)
string(REPLACE "#include \"gort/gort.h\"" "" gort_readme_code "${gort_readme_code}")
file(WRITE ${CMAKE_BINARY_DIR}/readme_example.cc
     "// Generated from README.md by cmake/ReadmeExample.cmake.\n#include \"gort/gort.h\"\n\nint main() {\n${gort_readme_code}  return r.exit_status;\n}\n")
add_executable(readme_example ${CMAKE_BINARY_DIR}/readme_example.cc)
target_link_libraries(readme_example PRIVATE gort_rt_sim gort_warnings)
gort_add_test(readme_example readme_example)
