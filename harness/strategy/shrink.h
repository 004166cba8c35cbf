// Shrinking a failing decision list towards Go's default schedule.
//
// The caller's predicate replays a candidate list and judges the run the
// same way the original failure was judged. Entries are set to 0 (Go's
// default, for faults: no fault) rather than removed, so that every later
// entry still answers the same question. In order:
//  (a) delta debugging (ddmin, Zeller and Hildebrandt, TSE 2002), first
//      over the M switches alone (kRunM answered with another M), the rest
//      kept, then over every non-zero entry: which subset must stay
//      non-zero;
//  (b) each remaining non-zero entry set to 0, one by one;
//  (c) each remaining value lowered to the smallest that still fails;
//  (d) trailing entries trimmed (the shortest prefix that still fails;
//      what a replay does past the end is the predicate's business).
// At most max_calls predicate calls are made, the first on the input
// itself, and none once max_seconds of wall-clock time have passed since
// the shrink began (a replay of a livelocked schedule runs its whole step
// budget, so calls alone do not bound the time); when either runs out the
// best list so far is returned.
#ifndef GORT_HARNESS_STRATEGY_SHRINK_H
#define GORT_HARNESS_STRATEGY_SHRINK_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "strategy/decision.h"

namespace gort::harness {

inline constexpr uint32_t kDefaultShrinkCalls = 2000;

using StillFails = std::function<bool(const std::vector<Decision>&)>;

// Seconds on the steady clock (the shrink's default time source).
double steady_seconds();

struct ShrinkLimits {
  uint32_t max_calls = kDefaultShrinkCalls;
  double max_seconds = 0;  // wall-clock limit of the whole shrink (0: none)
  // Where time comes from (tests hand in a clock of their own).
  double (*now_seconds)() = &steady_seconds;
};

struct ShrinkStats {
  uint32_t calls = 0;               // predicate calls made, <= max_calls
  bool input_failed = false;        // false: the input did not fail, and is returned as it was
  bool call_limit_reached = false;  // shrinking stopped for want of calls
  bool time_limit_reached = false;  // shrinking stopped at ShrinkLimits::max_seconds
  double seconds = 0;               // the shrink's duration, by ShrinkLimits::now_seconds
  size_t entries_before = 0, entries_after = 0;
  size_t nonzero_before = 0, nonzero_after = 0;
  size_t preemptions_before = 0, preemptions_after = 0;
  size_t faults_before = 0, faults_after = 0;
};

// Invariant: decisions fails the predicate (unless !stats.input_failed or
// max_calls was 0), and every entry answers the question of the input's
// entry at the same index with an option no greater.
struct ShrinkResult {
  std::vector<Decision> decisions;
  ShrinkStats stats;
};

ShrinkResult shrink(std::vector<Decision> failing, const StillFails& still_fails,
                    uint32_t max_calls = kDefaultShrinkCalls);
ShrinkResult shrink(std::vector<Decision> failing, const StillFails& still_fails, const ShrinkLimits& limits);

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_SHRINK_H
