# gort's own targets link gort_warnings; third-party code built from source
# (googletest in cross builds) does not, so -Werror only judges our code.
add_library(gort_warnings INTERFACE)
target_compile_options(gort_warnings INTERFACE -Wall -Wextra -Werror)
# clang's thread-safety analysis: the runtime's locks are capabilities and
# the fields they guard say so (runtime_under_test/platform/thread_safety.h).
target_compile_options(gort_warnings INTERFACE $<$<CXX_COMPILER_ID:Clang>:-Wthread-safety>)
