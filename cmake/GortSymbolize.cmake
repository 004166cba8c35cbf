# Goroutine dumps with file:line (runtime_under_test/platform/symbolize.h).
#
# Frames: the runtime walks a goroutine's frame-pointer chain from its saved
# context (or from the caller, for the goroutine printing the dump), so every
# target keeps its frame pointers: user code too, since its frames are the
# ones a dump shows. (gcc and clang omit them by default at -O2 on x86-64;
# the cost is one register and a push/pop per non-leaf call: measured in
# bench/README, "Frame pointers".) GORT_FRAME_POINTERS=OFF builds without
# them, and so without symbolised dumps: a walk through frames that use the
# frame-pointer register for data would stop early or name the wrong code.
option(GORT_FRAME_POINTERS "Keep frame pointers (goroutine dumps walk them)" ON)
if(GORT_FRAME_POINTERS)
  add_compile_options(-fno-omit-frame-pointer)
endif()

# Symbols: gcc's libbacktrace (libbacktrace.a and backtrace.h ship in
# Debian's libgcc-12-dev, and in libgcc-12-dev-<arch>-cross for the cross
# toolchains, so every preset has it with no extra package). It reads the
# DWARF of the running executable, needs no malloc (BACKTRACE_USES_MALLOC is
# 0 on Linux: it maps its own memory), and so may run in the fault handler.
# The library is found through the compiler's own search path (gcc's
# private directory, which clang searches too). GORT_SYMBOLIZE=OFF, or a toolchain
# without it, builds the runtime without symbols: dumps then print the Go
# function names of gort::func frames only, as before.
option(GORT_SYMBOLIZE "Symbolise goroutine dumps (file:line) with gcc's libbacktrace" ON)
set(GORT_BACKTRACE_LIB "")
set(GORT_BACKTRACE_INCLUDE "")
if(GORT_SYMBOLIZE AND NOT GORT_FRAME_POINTERS)
  message(STATUS "gort: GORT_FRAME_POINTERS=OFF: goroutine dumps print function names only")
elseif(GORT_SYMBOLIZE AND NOT GORT_SANITIZE STREQUAL "")
  # libbacktrace is not built with the sanitizers: under ASan its memcpy of
  # memory it mmaps where a goroutine stack was unmapped reads that stack's
  # stale redzones and is reported as a stack-buffer-underflow (the asan
  # preset's gort archcheck). Sanitizer builds print names only.
  message(STATUS "gort: GORT_SANITIZE=${GORT_SANITIZE}: goroutine dumps print function names only")
elseif(GORT_SYMBOLIZE)
  execute_process(COMMAND ${CMAKE_C_COMPILER} ${CMAKE_C_COMPILER_ARG1} -print-file-name=libbacktrace.a
                  OUTPUT_VARIABLE _gort_bt_lib OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_gort_bt_lib AND IS_ABSOLUTE "${_gort_bt_lib}" AND EXISTS "${_gort_bt_lib}")
    get_filename_component(_gort_bt_dir "${_gort_bt_lib}" DIRECTORY)
    if(EXISTS "${_gort_bt_dir}/include/backtrace.h")
      set(GORT_BACKTRACE_LIB "${_gort_bt_lib}")
      set(GORT_BACKTRACE_INCLUDE "${_gort_bt_dir}/include")
    endif()
  endif()
  if(GORT_BACKTRACE_LIB)
    message(STATUS "gort: goroutine dumps symbolised with ${GORT_BACKTRACE_LIB}")
  else()
    message(STATUS "gort: no libbacktrace for this toolchain (libgcc-12-dev): goroutine dumps print function names only")
  endif()
endif()
