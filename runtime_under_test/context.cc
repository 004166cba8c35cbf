#include "context.h"

#include <cassert>
#include <cstdlib>

#include "mutant.h"
#include "platform/fiber.h"

namespace gort::rt {
namespace {

// mcall's landing on g0: a fresh g0 activation each time.
void mcall_on_g0(void* arg) {
  auto* gp = static_cast<G*>(arg);
  M* mp = tls_m;
  landed_fresh(mp->g0);
  void (*fn)(G*) = mp->mcall_fn;
  mp->mcall_fn = nullptr;
  fn(gp);
}

// coverage-excluded-begin: a broken runtime: enter_g0's fn returned instead of switching away
[[noreturn]] void g0_body_returned(void*) {
  // enter_g0's fn ends every path in gogo or switch_to_native.
  __builtin_trap();
}
// coverage-excluded-end

struct SystemstackCall {
  uintptr_t (*fn)(void*);
  void* arg;
  G* caller;
};

uintptr_t systemstack_on_g0(void* arg) {
  auto* call = static_cast<SystemstackCall*>(arg);
  M* mp = tls_m;
  landed_fresh(mp->g0);
  uintptr_t r = call->fn(call->arg);
  // g0's frames end here; the next g0 activation starts from the top. The
  // TSan half waits until this function has returned (systemstack below),
  // so that its exit is counted on g0's fiber.
  platform::asan_start_switch(&mp->g0->fiber, &call->caller->fiber, /*from_dies=*/true);
  tls_g = call->caller;
  return r;
}

}  // namespace

#if !defined(__x86_64__)
// Out of line, and never pure: the asm says the value may come from
// anywhere, so no caller may reuse a read from before a switch.
[[gnu::noinline]] G* getg() {
  G* gp = tls_g;
  asm volatile("" : "+r"(gp));
  return gp;
}
[[gnu::noinline]] M* getm() {
  M* mp = tls_m;
  asm volatile("" : "+r"(mp));
  return mp;
}
#endif

uintptr_t g0_stack_top(const M* mp) { return mp->g0->stack.hi & ~uintptr_t{GORT_ARCH_STACK_ALIGN - 1}; }

void landed_fresh(G* gp, platform::Fiber* prev) {
  platform::finish_switch(&gp->fiber, /*fresh=*/true, prev);
  tls_g = gp;
}

void mcall(void (*fn)(G*), bool gp_dies) {
  G* gp = tls_g;
  M* mp = tls_m;
  assert(gp != nullptr && gp != mp->g0 && "mcall called on m->g0 stack");
  check_swallowed_unwinding(gp);
  mp->mcall_fn = fn;
  // gp's C++ exception state leaves with it; g0 runs with none.
  gp->eh = *mp->eh;
  *mp->eh = platform::CxxEhState{};
  platform::start_switch(&gp->fiber, &mp->g0->fiber, gp_dies);
  if (gp->rt->config.fp_control == Config::FpControl::kPerThread) {
    gort_arch_mcall_shared_fp(&gp->sched, g0_stack_top(mp), mcall_on_g0, gp);  // Go's policy (arch.h)
  } else {
    gort_arch_mcall(&gp->sched, g0_stack_top(mp), mcall_on_g0, gp);
  }
  // Resumed by gogo, possibly much later.
  platform::finish_switch(&gp->fiber, /*fresh=*/false, nullptr);
}

void gogo(G* gp) {
  M* mp = tls_m;
  assert(tls_g == mp->g0 && "gogo from a goroutine stack");
  assert(gp->status == Gstatus::kRunning && gp->m == mp);
  // Leaving g0 for good: its next activation starts at the top again.
  platform::start_switch(&mp->g0->fiber, &gp->fiber, /*from_dies=*/true);
  platform::tsan_renew(&mp->g0->fiber);
  *mp->eh = gp->eh;
  tls_g = gp;
#if GORT_MUTANTS_BUILT
  if (mutant_active(*gp->rt, Mutant::kGogoForgetsCalleeSaved)) {
    gort_arch_gogo_mutant_forget_reg(&gp->sched);  // mutant gogo-forgets-callee-saved
  }
#endif
  if (gp->rt->config.fp_control == Config::FpControl::kPerThread) gort_arch_gogo_shared_fp(&gp->sched);
  gort_arch_gogo(&gp->sched);
}

uintptr_t systemstack(uintptr_t (*fn)(void*), void* arg) {
  G* gp = tls_g;
  M* mp = tls_m;
  // coverage-excluded-next: systemstack from g0: the runtime calls it only from goroutines (newproc)
  if (gp == mp->g0) return fn(arg);
  SystemstackCall call{fn, arg, gp};
  platform::start_switch(&gp->fiber, &mp->g0->fiber, /*from_dies=*/false);
  uintptr_t r = gort_arch_systemstack(g0_stack_top(mp), systemstack_on_g0, &call);
  platform::tsan_switch_to(&gp->fiber);
  platform::finish_switch(&gp->fiber, /*fresh=*/false, nullptr);
  return r;
}

void enter_g0(M* mp, void (*fn)(void*)) {
  assert(tls_g == nullptr && "enter_g0 from inside a run");
  G* g0 = mp->g0;
  gort_arch_gobuf_init(&g0->sched, reinterpret_cast<void*>(g0_stack_top(mp)), fn, g0_body_returned, mp);
  platform::fiber_adopt_thread(&mp->native_fiber);
  // The caller may itself be handling an exception: keep its state aside.
  mp->eh = platform::cxx_eh_thread_state();
  mp->native_eh = *mp->eh;
  *mp->eh = platform::CxxEhState{};
  platform::start_switch(&mp->native_fiber, &g0->fiber, /*from_dies=*/false);
  gort_arch_swap(&mp->native, &g0->sched);
  platform::finish_switch(&mp->native_fiber, /*fresh=*/false, nullptr);
  tls_g = nullptr;
  // Whatever the abandoned goroutines were handling is dropped with them.
  *mp->eh = mp->native_eh;
}

void switch_to_native(M* mp) {
  G* gp = tls_g;
  // Whatever runs now is abandoned: a G's frames stay unrun, as in Go's exit.
  platform::start_switch(gp != nullptr ? &gp->fiber : &mp->g0->fiber, &mp->native_fiber,
                         /*from_dies=*/true);
  tls_g = nullptr;
  gort_arch_gogo(&mp->native);
}

}  // namespace gort::rt
