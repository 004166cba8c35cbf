#include "runtime.h"

#include <cstdio>
#include <cstdlib>

#include "context.h"
#include "hchan.h"
#include "proc.h"

namespace gort::rt {
namespace {

// The arguments of the run being started, handed from the OS thread to g0.
struct MainStart {
  Runtime* rt;
  const detail::ClosureOps* ops;
  void* fn;
};
thread_local MainStart* starting = nullptr;

// Where a thread resumes after its G ran into its guard page: on g0's
// fresh stack, entered by sigreturn (platform/fault.cc), not by a switch.
[[noreturn]] void report_overflow(void* arg) {
  auto* gp = static_cast<G*>(arg);
  M* mp = getm();
  // The TSan half of the switch waits until here: the signal handler had to
  // return on the G's fiber to keep TSan's own bookkeeping balanced.
  platform::tsan_switch_to(&mp->g0->fiber);
  landed_fresh(mp->g0);
  if (gp->is_g0) fatal(*gp->rt, "morestack on g0", "runtime: g0 stack overflow\n");
  char pre[128];
  snprintf(pre, sizeof pre, "runtime: goroutine stack exceeds %zu-byte limit\n", gp->stack.usable());
  fatal(*gp->rt, "stack overflow", pre);
}

// Runs on the alternate signal stack. Claims faults in the guard page of
// the stack this thread is running on; declines everything else.
bool on_fault(uintptr_t addr, platform::FaultRedirect* to) {
  M* mp = getm();
  G* gp = getg();
  if (mp == nullptr || gp == nullptr || !gp->stack.guard_contains(addr)) return false;
  // The overflowing frames are abandoned: gp's context dies here, and g0's
  // stack starts afresh (the redirect writes to it from this handler).
  platform::unpoison_stack(mp->g0->stack.lo, mp->g0->stack.usable());
  platform::Fiber dying;
  platform::asan_start_switch(&dying, &mp->g0->fiber, /*from_dies=*/true);
  *to = platform::FaultRedirect{report_overflow, g0_stack_top(mp), gp};
  return true;
}

void mstart(void* arg) {
  auto* mp = static_cast<M*>(arg);
  landed_fresh(mp->g0, &mp->native_fiber);
  MainStart* start = starting;
  Runtime& rt = *start->rt;
  rt.main_g = newproc1(rt, start->ops, start->fn);
  // Main starts with a time slice of its own (not runnext's inherited one):
  // Go's main goroutine runs runtime.main's setup, which switches several
  // times, before user code, so user code never starts on schedtick 0.
  runqput(rt, mp->p, rt.main_g, /*next=*/false);
  schedule();
}

}  // namespace

Runtime::Runtime(const Config& cfg) : config(cfg), decider(cfg.chooser, cfg.seed) {
  if (cfg.max_steps != 0 && cfg.max_steps < UINT64_MAX) steps_left = steps_granted = cfg.max_steps + 1;
  stacks = cfg.stack_pool != nullptr ? &cfg.stack_pool->impl() : &own_stacks_;
  m0.p = &p0;
  p0.m = &m0;
}

Runtime::~Runtime() {
  for (auto& g : allgs) {
    // A G that never ran, or was abandoned mid-run when the run ended,
    // still owns its function object: destroy it, as the G would have.
    if (g->fn != nullptr) g->fn_ops->destroy(g->fn);
    platform::fiber_destroy(&g->fiber);
    stacks->put(&g->stack);
  }
  // Channels still referenced when the run ended (by abandoned goroutines,
  // pending timers, or handles outside the run): their buffered values are
  // destroyed once, here, and handles left outside do nothing later.
  while (live_chans != nullptr) chan_free(live_chans);
  release_chan_blocks(*this);
}

Result Runtime::run(const detail::ClosureOps* ops, void* main) {
  if (ran_ || getm() != nullptr) {
    fputs("gort: run() called inside a run (or twice on one Runtime); runs do not nest\n", stderr);
    abort();
  }
  ran_ = true;
  platform::install_fault_handler(on_fault);
  if (!altstack_.install()) {
    fputs("gort: warning: no alternate signal stack; a stack overflow will crash the process\n", stderr);
  }
  setm(&m0);
  m0.g0 = malg_g0(*this);
  MainStart start{this, ops, main};
  starting = &start;
  enter_g0(&m0, mstart);
  starting = nullptr;
  setm(nullptr);
  setg(nullptr);
  altstack_.uninstall();
  result.steps = steps_granted - steps_left;
  return std::move(result);
}

}  // namespace gort::rt
