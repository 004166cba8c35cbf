# The README's example program is built and run as a test, so the first
# code a newcomer reads keeps compiling. It is the first ```cpp block of
# README.md, wrapped in main().
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/README.md)
file(READ ${PROJECT_SOURCE_DIR}/README.md gort_readme)
string(FIND "${gort_readme}" "```cpp\n" gort_readme_start)
if(gort_readme_start LESS 0)
  message(FATAL_ERROR "README.md has no ```cpp example block")
endif()
math(EXPR gort_readme_start "${gort_readme_start} + 7")
string(SUBSTRING "${gort_readme}" ${gort_readme_start} -1 gort_readme_rest)
string(FIND "${gort_readme_rest}" "```" gort_readme_end)
string(SUBSTRING "${gort_readme_rest}" 0 ${gort_readme_end} gort_readme_code)
string(REPLACE "#include \"gort/gort.h\"" "" gort_readme_code "${gort_readme_code}")
file(WRITE ${CMAKE_BINARY_DIR}/readme_example.cc
     "// Generated from README.md by cmake/ReadmeExample.cmake.\n#include \"gort/gort.h\"\n\nint main() {\n${gort_readme_code}  return r.exit_status;\n}\n")
add_executable(readme_example ${CMAKE_BINARY_DIR}/readme_example.cc)
target_link_libraries(readme_example PRIVATE gort_rt_sim gort_warnings)
gort_add_test(readme_example readme_example)
