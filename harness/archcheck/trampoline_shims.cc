// The trampoline shims (trampoline_shims.h): each body is one tail call.
#include "archcheck/trampoline_shims.h"

namespace gort::archcheck {

[[gnu::noinline]] void swap_shim(void* swap_args) {
  const auto* a = static_cast<const SwapArgs*>(swap_args);
  gort_arch_swap(a->save, a->to);
}

[[gnu::noinline]] void mcall_shim(void* mcall_args) {
  const auto* a = static_cast<const McallArgs*>(mcall_args);
  gort_arch_mcall(a->save, a->g0_sp, a->fn, a->arg);
}

[[gnu::noinline]] void systemstack_shim(void* systemstack_args) {
  const auto* a = static_cast<const SystemstackArgs*>(systemstack_args);
  gort_arch_systemstack(a->g0_sp, a->fn, a->arg);
}

[[gnu::noinline]] void gogo_shim(void* to) { gort_arch_gogo(static_cast<const gort_gobuf*>(to)); }

}  // namespace gort::archcheck
