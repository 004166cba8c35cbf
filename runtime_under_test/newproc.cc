// The goroutine lifecycle: creation (newproc1, malg), the body every
// goroutine runs, and its end (goexit1, goexit0).
#include <algorithm>
#include <cassert>
#include <cstdio>
#include <exception>

#include "context.h"
#include "defer.h"
#include "proc.h"
#include "yield.h"

namespace gort::rt {
namespace {

G* malg(Runtime& rt, size_t stack_size, bool is_g0) {
  auto owned = std::make_unique<G>();
  G* gp = owned.get();
  gp->rt = &rt;
  gp->is_g0 = is_g0;  // before allgs publishes it
  // The stack pool is the run's, shared by its Ms: allglock guards it too.
  rt.allglock.lock();
  const bool mapped = rt.stacks->get(stack_size, rt.config.guard_size, &gp->stack);
  if (mapped) rt.allgs.push_back(std::move(owned));
  if (mapped && !is_g0) set_relaxed(rt.user_gs_made, rt.user_gs_made + 1);
  rt.allglock.unlock();
  // coverage-excluded-next: mmap failed: the machine is out of memory
  if (!mapped) fatal(rt, "out of memory", "runtime: cannot map a goroutine stack (mmap failed)\n");
  // A pooled stack may carry the tools' verdicts on frames a previous run
  // abandoned (a virtual M switched out mid-call when its run ended).
  platform::unpoison_stack(gp->stack.lo, gp->stack.usable());
  platform::fiber_create(&gp->fiber, gp->stack.lo, gp->stack.usable());
  casgstatus(gp, Gstatus::kIdle, Gstatus::kDead);
  return gp;
}

void assign_goid(Runtime& rt, P* pp, G* gp) {
  if (pp->goidcache == pp->goidcacheend) {
    // Batches keep the shared counter off the fast path once there are
    // several Ps; main gets goid 1, as in Go.
    pp->goidcache = rt.sched.goidgen.fetch_add(kGoidCacheBatch) + 1;
    pp->goidcacheend = pp->goidcache + kGoidCacheBatch;
  }
  set_relaxed(gp->goid, pp->goidcache++);  // goroutine_state reads it from other Ms
}

void goroutine_body(void* arg) {
  auto* gp = static_cast<G*>(arg);
  landed_fresh(gp);
  Runtime& rt = *gp->rt;
  bool goexited = false;
  try {
    // The goroutine's function is a Go function: its deferred calls run at
    // its end, and a C++ exception leaving it is a panic there.
    call_frame(gp, detail::ActivationKind::kGoroutine, gp == rt.main_g ? "main.main" : nullptr, gp->fn_ops, gp->fn,
               nullptr);
  } catch (GoexitUnwind& u) {
    u.delivered = true;
    goexited = true;
  }
  assert(gp->defers == nullptr && gp->panic == nullptr && gp->top_activation == nullptr);
  gp->fn_ops->destroy(gp->fn);
  gp->fn = nullptr;
  gp->fn_ops = nullptr;
  // Go's main returning is exit(0): the other goroutines are abandoned.
  // Main ending by Goexit is not: the others run on (checkdead decides).
  // With a drain (Config::drain_at_exit) main ends as by Goexit, and
  // checkdead ends the run once nothing can run (leak.cc).
  if (gp == rt.main_g && !goexited) {
    if (!rt.config.drain_at_exit) exit_run(rt, 0);
    start_drain(rt);
  }
}

void goroutine_exit(void*) { goexit1(); }

void goexit0(G* gp) {
  Runtime& rt = *gp->rt;
  M* mp = getm();
  casgstatus(gp, Gstatus::kRunning, Gstatus::kDead);
  trace_event(rt, EventKind::kGoExit, gp->goid);
  gp->resumed_from_park = false;
  gp->m = nullptr;
  mp->curg = nullptr;
  set_relaxed(gp->waitreason, WaitReason::kZero);
  gp->param = nullptr;
  gp->leak_expected = false;
  assert(gp->eh.caught == nullptr && "a goroutine ended inside a catch handler");
  gp->eh = platform::CxxEhState{};
  platform::tsan_renew(&gp->fiber);  // its frames were abandoned at goexit
  // Release: whoever sees it counted out (num_goroutine) sees all it did.
  set_release(mp->p->goroutine_delta, mp->p->goroutine_delta - 1);
  gfput(rt, mp->p, gp);
  schedule();
}

}  // namespace

G* malg_g0(Runtime& rt) {
  // g0 runs only the scheduler, but ASan and debug builds have big frames.
  return malg(rt, std::max<size_t>(rt.config.stack_size, 256 * 1024), /*is_g0=*/true);
}

int32_t live_goroutines(const Runtime& rt) {
  int64_t n = 0;
  for (const auto& pp : rt.allp) n += load_acquire(pp->goroutine_delta);
  assert(n >= 0 && "live_goroutines: more goroutines ended than were created");
  return static_cast<int32_t>(n);
}

G* newproc1(Runtime& rt, const detail::ClosureOps* ops, void* fn) {
  if (ops == nullptr || fn == nullptr) fatal(rt, "go of nil func value");
  if (load_relaxed(rt.user_gs_made) >= rt.config.max_goroutines &&
      static_cast<uint32_t>(live_goroutines(rt)) >= rt.config.max_goroutines) {
    char pre[128];
    snprintf(pre, sizeof pre, "runtime: more than %u goroutines (raise Config::max_goroutines)\n",
             rt.config.max_goroutines);
    fatal(rt, "too many goroutines", pre);
  }
  P* pp = getm()->p;
  assert(pp != nullptr && "newproc1: an M without a P creates no goroutine");
  G* gp = gfget(rt, pp);
  if (gp == nullptr) gp = malg(rt, rt.config.stack_size, /*is_g0=*/false);
  assert(gp->status == Gstatus::kDead && gp->fn == nullptr);

  // The function lives at the top of the new stack, as Go copies a go
  // statement's arguments into the new goroutine's first frame.
  if (ops->size > gp->stack.usable() / 4) fatal(rt, "newproc: function arguments too large for new goroutine");
  size_t align = std::max<size_t>(ops->align, GORT_ARCH_STACK_ALIGN);
  uintptr_t at = (gp->stack.hi - ops->size) & ~(align - 1);
  platform::unpoison_stack(gp->stack.lo, gp->stack.usable());
  ops->move_to(reinterpret_cast<void*>(at), fn);
  gp->fn_ops = ops;
  gp->fn = reinterpret_cast<void*>(at);
  gort_arch_gobuf_init(&gp->sched, reinterpret_cast<void*>(at), goroutine_body, goroutine_exit, gp);

  assign_goid(rt, pp, gp);
  casgstatus(gp, Gstatus::kDead, Gstatus::kRunnable);
  set_release(pp->goroutine_delta, pp->goroutine_delta + 1);
  getm()->goroutines_created++;
  return gp;
}

void goexit1() {
  mcall(goexit0, /*gp_dies=*/true);
  __builtin_unreachable();
}

}  // namespace gort::rt
