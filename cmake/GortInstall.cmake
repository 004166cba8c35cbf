# `cmake --install`: the public headers (include/gort), the libraries a
# program needs to run on gort and to be checked by it, the gort CLI, a
# CMake package (find_package(gort CONFIG): gort::rt_sim, gort::rt_os,
# gort::sync_sim, gort::sync_os, gort::context_sim, gort::context_os,
# gort::check, gort::cli) and pkg-config files (gort,
# gort-os). Only include/gort is installed: the runtime's and the
# harness' internal headers are not, and no installed target names a
# directory that holds them. The harness' internal libraries are installed
# as link dependencies of gort::check (static archives), not as targets to
# program against.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GORT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/gort)

# Public headers: every layer's include/gort.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime_under_test/include/gort ${PROJECT_SOURCE_DIR}/sync/include/gort
                  ${PROJECT_SOURCE_DIR}/context/include/gort
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")

set(gort_public_targets gort_rt_sim gort_rt_os gort_sync_sim gort_sync_os gort_context_sim gort_context_os)
set_target_properties(gort_context_sim PROPERTIES EXPORT_NAME context_sim)
set_target_properties(gort_context_os PROPERTIES EXPORT_NAME context_os)
set_target_properties(gort_rt_sim PROPERTIES EXPORT_NAME rt_sim)
set_target_properties(gort_rt_os PROPERTIES EXPORT_NAME rt_os)
set_target_properties(gort_sync_sim PROPERTIES EXPORT_NAME sync_sim)
set_target_properties(gort_sync_os PROPERTIES EXPORT_NAME sync_os)
# What those link: the switch trampolines, and the warnings target (an
# interface of compile flags, linked privately: nothing reaches users).
set(gort_link_targets gort_arch gort_warnings)
set(gort_package_dependencies "find_dependency(Threads)\n")

if(TARGET gort_check_api)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/include/gort DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          FILES_MATCHING PATTERN "*.h")
  set_target_properties(gort_check_api PROPERTIES EXPORT_NAME check)
  list(APPEND gort_public_targets gort_check_api)
  list(APPEND gort_link_targets gort_isolation gort_session gort_strategy gort_check gort_scenarios)
  string(APPEND gort_package_dependencies "find_dependency(nlohmann_json 3)\n")
endif()
if(TARGET gort_cli)
  # gort/cli.h: the gort command line over a user's own scenarios.
  set_target_properties(gort_cli PROPERTIES EXPORT_NAME cli)
  list(APPEND gort_public_targets gort_cli)
  list(APPEND gort_link_targets gort_archcheck gort_mutants gort_report)
  string(APPEND gort_package_dependencies "find_dependency(CLI11 CONFIG)\n")
endif()

install(TARGETS ${gort_public_targets} ${gort_link_targets} EXPORT gortTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET gort)
  install(TARGETS gort RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT gortTargets NAMESPACE gort:: DESTINATION ${GORT_INSTALL_CMAKEDIR})

file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/gortConfig.cmake.in [=[
# gort's CMake package: find_package(gort CONFIG) gives gort::rt_sim and
# gort::sync_sim (the simulated runtime the harness drives), gort::rt_os
# and gort::sync_os (Go's scheduler on OS threads), gort::context_sim and
# gort::context_os (Go's context package, gort/context.h), gort::check (the
# checking API, gort/check.h and gort/check_gtest.h; link GTest yourself
# for the latter) and gort::cli (gort/cli.h: the gort command line over
# your own scenarios).
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
@gort_package_dependencies@
include("${CMAKE_CURRENT_LIST_DIR}/gortTargets.cmake")
check_required_components(gort)
]=])
configure_package_config_file(${CMAKE_CURRENT_BINARY_DIR}/gortConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/gortConfig.cmake INSTALL_DESTINATION ${GORT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gortConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gortConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/gortConfigVersion.cmake
        DESTINATION ${GORT_INSTALL_CMAKEDIR})

# pkg-config: gort (the sim runtime, sync and, where built, the checking
# API) and gort-os (the OS-thread runtime and sync). Relocatable: the
# prefix is found from the .pc file's own place (lib/pkgconfig), so an
# install with --prefix works.
# What the runtime's archives need on a consumer's link line and compile
# line: gcc's libbacktrace (symbolised dumps) and frame pointers.
set(gort_pc_rt_libs "-lgort_arch")
if(GORT_BACKTRACE_LIB)
  string(APPEND gort_pc_rt_libs " ${GORT_BACKTRACE_LIB}")
endif()
set(gort_pc_cflags "")
if(GORT_FRAME_POINTERS)
  set(gort_pc_cflags " -fno-omit-frame-pointer")
endif()
set(gort_pc_check_libs "")
if(TARGET gort_check_api)
  set(gort_pc_check_libs "-lgort_check_api -lgort_isolation -lgort_session -lgort_strategy -lgort_check -lgort_scenarios")
endif()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/gort.pc.in [=[
prefix=${pcfiledir}/../..
libdir=${prefix}/@CMAKE_INSTALL_LIBDIR@
includedir=${prefix}/@CMAKE_INSTALL_INCLUDEDIR@

Name: gort
Description: gort's simulated goroutine runtime, Go's sync package and the checking API
Version: @PROJECT_VERSION@
Cflags: -I${includedir} -std=c++20 -DGORT_API_EVENTS=1 -DGORT_SIM_RUNTIME=1@gort_pc_cflags@
Libs: -L${libdir} @gort_pc_check_libs@ -lgort_context_sim -lgort_sync_sim -lgort_rt_sim @gort_pc_rt_libs@ -pthread
]=])
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/gort-os.pc.in [=[
prefix=${pcfiledir}/../..
libdir=${prefix}/@CMAKE_INSTALL_LIBDIR@
includedir=${prefix}/@CMAKE_INSTALL_INCLUDEDIR@

Name: gort-os
Description: gort's goroutine runtime on OS threads and Go's sync package
Version: @PROJECT_VERSION@
Cflags: -I${includedir} -std=c++20@gort_pc_cflags@
Libs: -L${libdir} -lgort_context_os -lgort_sync_os -lgort_rt_os @gort_pc_rt_libs@ -pthread
]=])
configure_file(${CMAKE_CURRENT_BINARY_DIR}/gort.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gort.pc @ONLY)
configure_file(${CMAKE_CURRENT_BINARY_DIR}/gort-os.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gort-os.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gort.pc ${CMAKE_CURRENT_BINARY_DIR}/gort-os.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The package cannot rot: install it into a temporary prefix, build
# examples/ against it and run the example's tests. Default builds only
# (a sanitizer's flags are not the package's).
if(TARGET gort_check_api AND GORT_SANITIZE STREQUAL "" AND NOT GORT_MUTANTS)
  add_test(NAME package COMMAND ${PROJECT_SOURCE_DIR}/scripts/test-package ${CMAKE_BINARY_DIR})
endif()
