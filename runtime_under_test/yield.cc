// Yield points and fault sites (the harness decides
// whether a goroutine is preempted there and whether a fault fires).
#include "yield.h"

#include "context.h"
#include "defer.h"
#include "proc.h"

namespace gort::rt {
namespace {

constexpr int64_t kClockJumpNs = 1'000'000;  // an injected jump: 1 ms of virtual time

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
  if (rt.decider.fire(FaultSite::kClockJump)) {
    trace_event(rt, EventKind::kFault, gp->goid, 0, static_cast<int64_t>(FaultSite::kClockJump));
    rt.clock.jump(kClockJumpNs);
  }
  if (rt.decider.choose(Choice::kPreempt, 2) == 1) {
    trace_event(rt, EventKind::kGoPreempt, gp->goid);
    gosched();  // Go's preemption, like Gosched, puts the G on the global queue
  }
}

void yield_point_steered(G* gp, FaultSite panic_site) {
  gp->resumed_from_park = false;  // a wake-up before this operation is not its own
  fault_point_steered(gp, panic_site);
  preempt_point_steered(gp);
}

}  // namespace gort::rt
