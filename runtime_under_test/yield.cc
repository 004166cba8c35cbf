// Yield points and fault sites (the harness decides
// whether a goroutine is preempted there and whether a fault fires).
#include "yield.h"

#include "async_preempt.h"
#include "context.h"
#include "defer.h"
#include "proc.h"
#include "timer.h"

namespace gort::rt {
namespace {

constexpr int64_t kClockJumpNs = 1'000'000;  // an injected jump: 1 ms of virtual time
#if defined(GORT_PLATFORM_SIM)
// How slow the runnable goroutines may be made (Choice::kAdvanceClock): a
// minute. A timer further away is reached only when nothing can run, as
// Go's timing has it: programs use hours and years as "never" (a context
// that must not expire during a test, a timer that must lose every race),
// and a goroutine that does not run for that long is a hang, not a race.
constexpr int64_t kMaxAdvanceNs = 60'000'000'000;
#endif

[[noreturn]] void inject_panic(G* gp, FaultSite site) {
  trace_event(*gp->rt, EventKind::kFault, gp->goid, 0, static_cast<int64_t>(site));
  gopanic(gp, PanicValue(InjectedPanic(fault_site_name(site))));
}

}  // namespace

void fault_point_steered(G* gp, FaultSite panic_site) {
  if (gp->rt->decider.fire(panic_site)) inject_panic(gp, panic_site);
}

void preempt_point_steered(G* gp) {
  Runtime& rt = *gp->rt;
#if defined(GORT_PLATFORM_SIM)
  async_preempt_disarm(rt);  // an async preemption that has not landed by now does not
#endif
  if (rt.decider.fire(FaultSite::kClockJump)) {
    trace_event(rt, EventKind::kFault, gp->goid, 0, static_cast<int64_t>(FaultSite::kClockJump));
    rt.clock.jump(kClockJumpNs);
  }
#if defined(GORT_PLATFORM_SIM)
  // Time may pass while gp (and whoever else is runnable) runs: the chooser
  // may move the clock to the next timer, asked only when there is one
  // still to come, at most kMaxAdvanceNs away. gp is then preempted, so
  // that the scheduler runs the timer now due (findrunnable runs due timers
  // first) before it picks again: what a slow goroutine would have seen on
  // hardware.
  const int64_t now = rt.clock.now();
  if (const int64_t next = earliest_pending_timer(rt); next > now && next - now <= kMaxAdvanceNs) {
    if (rt.decider.choose(Choice::kAdvanceClock, 2) == 1) {
      advance_clock_to(rt, next);
      trace_event(rt, EventKind::kGoPreempt, gp->goid);
      gosched();
      return;
    }
  }
#endif
  if (rt.decider.choose(Choice::kPreempt, 2) == 1) {
    trace_event(rt, EventKind::kGoPreempt, gp->goid);
    gosched();  // Go's preemption, like Gosched, puts the G on the global queue
    return;
  }
#if defined(GORT_PLATFORM_SIM)
  async_preempt_arm(gp);  // gp carries on: an async preemption may land in what it runs next
#endif
}

void yield_point_steered(G* gp, FaultSite panic_site) {
  gp->resumed_from_park = false;  // a wake-up before this operation is not its own
#if defined(GORT_PLATFORM_SIM)
  async_preempt_disarm(*gp->rt);  // before an injected panic unwinds through the runtime
#endif
  fault_point_steered(gp, panic_site);
  preempt_point_steered(gp);
}

}  // namespace gort::rt
