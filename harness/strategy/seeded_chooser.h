// A plain seeded chooser for tests that want varied schedules without a
// Strategy (no fault plan, no recording): every question answered
// uniformly from a SplitMix64 stream, except preemption and time passing
// early (Choice::kAdvanceClock), each taken at one yield point in
// preempt_one_in. Header-only, so any test links it.
#ifndef GORT_HARNESS_STRATEGY_SEEDED_CHOOSER_H
#define GORT_HARNESS_STRATEGY_SEEDED_CHOOSER_H

#include <cassert>
#include <cstdint>

#include "gort/hooks.h"
#include "strategy/prng.h"

namespace gort::harness {

// Invariant: the i-th answer is a function of (seed, preempt_one_in, the
// first i questions); no fault ever fires.
class SeededChooser final : public Chooser {
 public:
  SeededChooser(uint64_t seed, uint32_t preempt_one_in) : rng_(seed), preempt_one_in_(preempt_one_in) {
    assert(preempt_one_in >= 1);
  }
  uint32_t choose(Choice what, uint32_t n) override {
    const uint64_t r = rng_.next();
    if (what == Choice::kPreempt || what == Choice::kAdvanceClock) return r % preempt_one_in_ == 0 ? 1 : 0;
    return static_cast<uint32_t>(r % n);
  }

 private:
  SplitMix64 rng_;
  uint32_t preempt_one_in_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_SEEDED_CHOOSER_H
