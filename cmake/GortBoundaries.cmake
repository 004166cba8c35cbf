# The build enforces the layers' boundaries: a target outside the runtime
# (the sync and context packages, the harness, the checking API, the CLI) cannot
# include the runtime's private headers. private_header_probe includes one
# through the include paths of all of them; the test builds it and
# requires the compiler's "not found" (any other failure, or success, fails
# the test).
add_library(private_header_probe OBJECT EXCLUDE_FROM_ALL ${PROJECT_SOURCE_DIR}/cmake/probe/private_header_probe.cc)
foreach(layer gort_sync_sim gort_sync_os gort_context_sim gort_context_os gort_scenarios gort_check_api gort_cli gort_archcheck gort_mutants)
  if(TARGET ${layer})
    target_link_libraries(private_header_probe PRIVATE ${layer})
  endif()
endforeach()
add_test(NAME private_headers_unreachable
         COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target private_header_probe)
set_tests_properties(private_headers_unreachable PROPERTIES
  PASS_REGULAR_EXPRESSION "proc\\.h['\"]? file not found|proc\\.h: No such file or directory")
