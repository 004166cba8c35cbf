// One-argument entries into the trampolines, for the register probe
// (gort_arch_probe_callee_saved calls fn(arg)): each unpacks its arguments
// and tail-calls the trampoline.
//
// Why a file of its own: a C++ function between the probe and a trampoline
// that saved and restored callee-saved registers itself would hide the
// trampoline losing them. These are compiled apart (harness/CMakeLists.txt)
// optimized, uninstrumented (no sanitizer, no coverage: instrumentation
// needs registers), so each is a few loads and a jump, whatever the build.
#ifndef GORT_HARNESS_ARCHCHECK_TRAMPOLINE_SHIMS_H
#define GORT_HARNESS_ARCHCHECK_TRAMPOLINE_SHIMS_H

#include <cstdint>

#include "arch/arch.h"

namespace gort::archcheck {

struct SwapArgs {
  gort_gobuf* save;
  const gort_gobuf* to;
};
// gort_arch_swap(save, to)
void swap_shim(void* swap_args);

struct McallArgs {
  gort_gobuf* save;
  uintptr_t g0_sp;
  void (*fn)(void*);
  void* arg;
};
// gort_arch_mcall(save, g0_sp, fn, arg)
void mcall_shim(void* mcall_args);

struct SystemstackArgs {
  uintptr_t g0_sp;
  uintptr_t (*fn)(void*);
  void* arg;
};
// gort_arch_systemstack(g0_sp, fn, arg), its result dropped
void systemstack_shim(void* systemstack_args);

// gort_arch_gogo(to): to is a const gort_gobuf*
[[noreturn]] void gogo_shim(void* to);

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_TRAMPOLINE_SHIMS_H
