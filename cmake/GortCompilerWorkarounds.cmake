# Compiler bugs gort's code provokes, worked around for every target.
#
# GCC's IPA modref pass (seen with Debian's GCC 12.2 on amd64, arm64 and
# riscv64; later versions are not known to be fixed, so every GCC gets the
# flag) miscompiles exception cleanup: when a callee
# moves from a by-value (or rvalue-reference) argument and then leaves by
# an exception, a caller's landing pad may destroy a stale copy of the
# argument, releasing a shared owner twice. gort's recovery is a C++
# exception that unwinds through exactly such calls (panic(v) hands the
# value down to the panic record), so under GCC a recovered panic value
# died under the goroutine that recovered it (seen on riscv64 as a
# use-after-free; arm64 and amd64 builds with GCC carry the same bug).
# PanicValueOwnership.ARecoveredValueOutlivesThePanicThatCarriedIt
# (runtime_under_test/tests/defer_test.cc) fails without this flag.
# Programs built against gort with GCC want it too (README, "Building
# with GCC").
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fno-ipa-modref>)
endif()
