// Yield points, injected faults and the event trace (the harness' view of
// a run, hooks.h). In os builds the trace and the faults compile to
// nothing, and a yield point is one load: the P's preempt flag (sysmon's
// request, or the run ending).
#ifndef GORT_YIELD_H
#define GORT_YIELD_H

#include <cstdint>
#include <cstring>

#include "context.h"
#include "g.h"
#include "gort/hooks.h"
#include "runtime.h"

namespace gort::rt {

// Where an event happens: the current M and the P it holds.
inline void stamp_where(Event& e) {
  const M* mp = getm();
  e.m = mp != nullptr ? static_cast<int32_t>(mp->id) : 0;
  e.p = mp != nullptr && mp->p != nullptr ? mp->p->id : -1;
}

// One step for the tracer; cheap when nobody listens.
inline void trace_event(Runtime& rt, EventKind kind, uint64_t goid, uint64_t obj = 0, int64_t aux = 0) {
  if (rt.decider.tracing()) {
    Event e{kind, goid, obj, 0, aux, false};
    stamp_where(e);
    rt.decider.event(e);
  }
}

// A channel element as a trace value: integers and other trivially
// copyable values up to 8 bytes are carried; anything else is not.
// order: the operation's place in the channel's order (Event::order; 0 for
// the API-boundary events).
inline void trace_chan_value(Runtime& rt, EventKind kind, uint64_t goid, uint64_t chan_id, const void* elem,
                             size_t size, bool trivial, int64_t aux, uint64_t order) {
  if (!rt.decider.tracing()) return;
  Event e{kind, goid, chan_id, 0, aux, false};
  e.order = order;
  if (elem != nullptr && trivial && size > 0 && size <= sizeof e.value) {
    std::memcpy(&e.value, elem, size);
    e.has_value = true;
  }
  stamp_where(e);
  rt.decider.event(e);
}

void yield_point_steered(G* gp, FaultSite panic_site);
#if !defined(GORT_PLATFORM_SIM)
void preempt_requested(G* gp);  // sysmon.cc
#endif

// os: honours a request to yield on gp's P.
inline void check_preempt(G* gp) {
#if !defined(GORT_PLATFORM_SIM)
  if (gp->m->p->preempt.load(std::memory_order_relaxed)) [[unlikely]]
    preempt_requested(gp);
#else
  (void)gp;
#endif
}
void preempt_point_steered(G* gp);
void fault_point_steered(G* gp, FaultSite panic_site);

// A yield point on the current G: the chooser may jump the clock, inject a
// panic at panic_site, or preempt the G (Go's gopreempt_m).
inline void yield_point(G* gp, FaultSite panic_site) {
  if constexpr (platform::kSteerable) {
    yield_point_steered(gp, panic_site);
  } else {
    check_preempt(gp);
  }
}
// A yield point where no panic may be injected (a go statement).
inline void preempt_point(G* gp) {
  if constexpr (platform::kSteerable) {
    preempt_point_steered(gp);
  } else {
    check_preempt(gp);
  }
}
// An injected-panic site with no preemption (after an operation completes).
inline void fault_point(G* gp, FaultSite panic_site) {
  if constexpr (platform::kSteerable) fault_point_steered(gp, panic_site);
}

// After an operation completed (and its event was traced): the after-op
// site, and the after-wake-up site if the operation parked.
inline void after_op_fault_points(G* gp) {
  if constexpr (platform::kSteerable) {
    if (gp->resumed_from_park) {
      gp->resumed_from_park = false;
      fault_point_steered(gp, FaultSite::kPanicAfterWakeup);
    }
    fault_point_steered(gp, FaultSite::kPanicAfterChanOp);
  }
}

}  // namespace gort::rt

#endif  // GORT_YIELD_H
