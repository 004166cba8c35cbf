// A random schedule for a random program, as RapidCheck data: which
// strategy (RandomWalk or PCT) with which seed and depth, and a fault plan
// with small probabilities of an injected panic at a yield point, a clock
// jump and a spurious wake-up. Shrinks towards RandomWalk, seed 0, depth
// 1 and no faults.
#ifndef GORT_PROPERTIES_SCHEDULE_GEN_H
#define GORT_PROPERTIES_SCHEDULE_GEN_H

#include <rapidcheck.h>

#include <cstdint>
#include <memory>
#include <ostream>

#include "strategy/fault_plan.h"
#include "strategy/strategy.h"

namespace gort::properties {

// PCT's estimate of a program's yield points (its k): ops, selects and go
// statements of a program of at most 6 x 12 ops.
inline constexpr uint64_t kPctEstimatedSteps = 100;

struct ScheduleParams {
  bool pct = false;
  uint64_t seed = 0;
  uint32_t depth = 1;               // PCT only
  uint32_t panic_per_mille = 0;     // panic-at-yield
  uint32_t jump_per_mille = 0;      // clock-jump
  uint32_t spurious_per_mille = 0;  // spurious-wakeup

  harness::FaultPlan fault_plan() const;
  bool injects_panics() const { return panic_per_mille > 0; }
  // A fresh strategy: the same params give the same answers.
  std::unique_ptr<harness::Strategy> strategy() const;
};

rc::Gen<ScheduleParams> gen_schedule();

// "pct seed=7 depth=2 faults=panic-at-yield:p=0.01" (found by ADL).
void showValue(const ScheduleParams& s, std::ostream& os);

}  // namespace gort::properties

#endif  // GORT_PROPERTIES_SCHEDULE_GEN_H
