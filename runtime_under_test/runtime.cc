#include "runtime.h"

#include <cstdio>
#include <cstdlib>

#include "context.h"
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

[[noreturn]] void report_overflow_on_g0(void* arg) {
  auto* gp = static_cast<G*>(arg);
  M* mp = getm();
  landed_fresh(mp->g0);
  char pre[128];
  if (gp->is_g0) {
    fatal(*gp->rt, "morestack on g0", "runtime: g0 stack overflow\n");
  }
  snprintf(pre, sizeof pre, "runtime: goroutine stack exceeds %zu-byte limit\n", gp->stack.usable());
  fatal(*gp->rt, "stack overflow", pre);
}

// Runs on the alternate signal stack. Claims faults in the guard page of
// the stack this thread is running on; declines everything else.
void on_fault(uintptr_t addr) {
  M* mp = getm();
  G* gp = getg();
  if (mp == nullptr || gp == nullptr || !gp->stack.guard_contains(addr)) return;
  // Leave the signal frame for g0's stack for good (SA_NODEFER keeps the
  // signal unblocked); the overflowing frames are abandoned.
  platform::Fiber signal_fiber;
  platform::start_switch(&signal_fiber, &mp->g0->fiber, /*from_dies=*/true);
  gort_gobuf discarded;
  gort_arch_mcall(&discarded, g0_stack_top(mp), report_overflow_on_g0, gp);
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
  return std::move(result);
}

}  // namespace gort::rt
