// What every strategy is: a gort::Chooser whose answers are a pure
// function of its parameters (seed, depth, bytes, recorded decisions) and
// of the questions asked, plus a fault plan that says which fault sites
// are armed. Only armed sites' questions are decisions: the Recorder
// records them, Replay answers them, and an unarmed site never fires.
#ifndef GORT_HARNESS_STRATEGY_STRATEGY_H
#define GORT_HARNESS_STRATEGY_STRATEGY_H

#include <cstdint>

#include "gort/hooks.h"
#include "strategy/fault_injector.h"
#include "strategy/prng.h"

namespace gort::harness {

// Fault draws come from a stream derived from the strategy's seed, apart
// from the schedule stream: arming a site does not shift the schedule up
// to the first question about it.
inline constexpr uint64_t kFaultStream = 0xfa17;

class Strategy : public Chooser {
 public:
  bool armed(FaultSite s) const { return faults_.armed(s); }
  const FaultPlan& fault_plan() const { return faults_.plan(); }
  // Default: the fault plan decides (an unarmed site never fires).
  bool fire(FaultSite s) override { return faults_.armed(s) && faults_.fire(s); }
  uint32_t armed_faults() const override {
    uint32_t mask = 0;
    for (int i = 0; i < kFaultSites; i++) {
      if (faults_.armed(static_cast<FaultSite>(i))) mask |= 1u << i;
    }
    return mask;
  }

 protected:
  Strategy(FaultPlan plan, uint64_t seed) : faults_(std::move(plan), derive_seed(seed, kFaultStream)) {}
  FaultInjector faults_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_STRATEGY_H
