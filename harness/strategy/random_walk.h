// The random walk: every question answered uniformly at random from a
// seeded stream (but time passing early, Choice::kAdvanceClock, one in
// kAdvanceClockOneIn), every armed fault site per the fault plan.
#ifndef GORT_HARNESS_STRATEGY_RANDOM_WALK_H
#define GORT_HARNESS_STRATEGY_RANDOM_WALK_H

#include <cstdint>

#include "strategy/decision.h"
#include "strategy/prng.h"
#include "strategy/strategy.h"

namespace gort::harness {

// Invariant: the i-th answer is a function of (seed, the first i questions).
class RandomWalk final : public Strategy {
 public:
  explicit RandomWalk(uint64_t seed, FaultPlan plan = {}) : Strategy(std::move(plan), seed), rng_(seed) {}
  uint32_t choose(Choice what, uint32_t n) override {
    if (what == Choice::kAdvanceClock) return rng_.below(kAdvanceClockOneIn) == 0 ? 1 : 0;
    return rng_.below(n);
  }
  bool listens() const override { return false; }  // its answers depend on the questions alone

 private:
  SplitMix64 rng_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_RANDOM_WALK_H
