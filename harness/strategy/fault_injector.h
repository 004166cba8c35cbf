// A fault plan in action during one run: counts how often each site was
// asked about and answers per the plan, drawing probabilities from its own
// seeded stream. A pure function of (plan, seed, the questions asked).
#ifndef GORT_HARNESS_STRATEGY_FAULT_INJECTOR_H
#define GORT_HARNESS_STRATEGY_FAULT_INJECTOR_H

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>

#include "strategy/fault_plan.h"
#include "strategy/prng.h"

namespace gort::harness {

// Invariant: asked_[s] is how many times fire(s) was called since the
// last restart; rng_ is seed_'s stream advanced once per probability draw.
class FaultInjector {
 public:
  FaultInjector(FaultPlan plan, uint64_t seed) : plan_(std::move(plan)), seed_(seed), rng_(seed) {}

  const FaultPlan& plan() const { return plan_; }
  bool armed(FaultSite s) const { return plan_.armed(s); }

  bool fire(FaultSite s) {
    auto i = static_cast<size_t>(s);
    uint32_t occurrence = ++asked_[i];  // saturates nowhere: 2^32 questions exceed every step budget
    const FaultRule& r = plan_.rule(s);
    switch (r.mode) {
      case FaultRule::Mode::kOff:
        return false;
      case FaultRule::Mode::kProbability: {
        // The full rate up to the horizon, then horizon/occurrence of it:
        // one draw either way, so the stream advances once per question.
        static_assert(uint64_t{1000} * kFaultHorizon <= UINT32_MAX);
        const uint64_t draw = rng_.below(1000u * kFaultHorizon);
        const uint64_t scale =
            occurrence <= kFaultHorizon ? kFaultHorizon : uint64_t{kFaultHorizon} * kFaultHorizon / occurrence;
        return draw < uint64_t{r.per_mille} * scale;
      }
      case FaultRule::Mode::kOccurrences:
        return std::binary_search(r.occurrences.begin(), r.occurrences.end(), occurrence);
    }
    return false;
  }

  // An option in [0, n) from the fault stream: for the questions that
  // follow a fault's firing (Choice::kAsyncPreemptAt) where a strategy
  // does not enumerate them.
  uint32_t draw(uint32_t n) {
    assert(n >= 1);
    return static_cast<uint32_t>(rng_.below(n));
  }

  // A new run: counts and the probability stream start over.
  void restart() {
    asked_.fill(0);
    rng_ = SplitMix64(seed_);
  }

 private:
  FaultPlan plan_;
  uint64_t seed_;
  SplitMix64 rng_;
  std::array<uint32_t, kFaultSites> asked_{};
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_FAULT_INJECTOR_H
