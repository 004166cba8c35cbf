# Stack-clash protection for every target, where the compiler implements it
# for the target CPU. Goroutine stacks are fixed (Config::stack_size) with a
# PROT_NONE guard below (Config::guard_size). A function whose frame is
# bigger than the guard can move its stack pointer past the guard without
# touching it, and then writes land in whatever is mapped below: silent
# corruption, or a fault too far away to be told from any other. With
# -fstack-clash-protection the compiler touches every page of a large frame
# in order as it allocates it, so the first touch past the stack's end hits
# the guard and the runtime reports the goroutine's "stack overflow".
#
# Support, checked by hand (README, "Stack overflow"):
#   clang 14: x86-64 only; for aarch64 and riscv64 it ignores the flag
#     ("argument unused during compilation").
#   gcc 12: x86-64 and aarch64; aarch64's probes are 64 KiB apart unless
#     --param stack-clash-protection-guard-size=12 (4 KiB) is given, which
#     gort's 16 KiB default guard needs; riscv64 accepts the flag and
#     emits no probes; ppc64le probes every 4 KiB with stdu, each probe
#     also the frame's back chain, so a fault leaves r1 on a valid chain.
# check_cxx_compiler_flag catches compilers that reject it (clang off
# x86-64, with -Werror); the riscv64 GCC case has to be named.
include(CheckCXXCompilerFlag)
set(GORT_STACK_CLASH_FLAGS "")
if(NOT (CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "riscv"))
  check_cxx_compiler_flag("-fstack-clash-protection -Werror" GORT_HAVE_STACK_CLASH_PROTECTION)
  if(GORT_HAVE_STACK_CLASH_PROTECTION)
    set(GORT_STACK_CLASH_FLAGS -fstack-clash-protection)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
      list(APPEND GORT_STACK_CLASH_FLAGS --param=stack-clash-protection-guard-size=12)
    endif()
  endif()
endif()
set(GORT_STACK_CLASH_PROTECTED 0)
if(GORT_STACK_CLASH_FLAGS)
  set(GORT_STACK_CLASH_PROTECTED 1)
  add_compile_options(${GORT_STACK_CLASH_FLAGS})
  message(STATUS "gort: stack-clash protection: ${GORT_STACK_CLASH_FLAGS}")
else()
  message(STATUS "gort: stack-clash protection: not available for ${CMAKE_CXX_COMPILER_ID} on ${CMAKE_SYSTEM_PROCESSOR}")
endif()
# Tests that need it (a frame bigger than the guard) skip, saying why, without it.
# (A plain 0/1: the flags are a list, which a generator expression would split.)
add_compile_definitions(GORT_STACK_CLASH_PROTECTED=${GORT_STACK_CLASH_PROTECTED})
