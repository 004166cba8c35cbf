// The random walk: every question answered uniformly at random from a
// seeded stream, every armed fault site per the fault plan.
#ifndef GORT_HARNESS_STRATEGY_RANDOM_WALK_H
#define GORT_HARNESS_STRATEGY_RANDOM_WALK_H

#include <cstdint>

#include "strategy/prng.h"
#include "strategy/strategy.h"

namespace gort::harness {

// Invariant: the i-th answer is a function of (seed, the first i questions).
class RandomWalk final : public Strategy {
 public:
  explicit RandomWalk(uint64_t seed, FaultPlan plan = {}) : Strategy(std::move(plan), seed), rng_(seed) {}
  uint32_t choose(Choice, uint32_t n) override { return rng_.below(n); }
  bool listens() const override { return false; }  // its answers depend on the questions alone

 private:
  SplitMix64 rng_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_RANDOM_WALK_H
