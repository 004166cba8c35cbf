// PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010), adapted to gort's seam.
//
// The paper's scheduler runs, at every step, the enabled thread of highest
// priority; priorities are a random permutation, and at d-1 change points
// chosen uniformly among the first k steps the running thread's priority
// drops below every other. A bug of depth d is then found with
// probability >= 1 / (n k^(d-1)) per run.
//
// gort's runtime does not let a chooser name the goroutine to run
// (kPickRunnable offers candidate *sources*, not goids), so PCT acts
// through preemption instead:
//  - Goroutines are known from events: kGoCreate (obj) and kGoReady (obj)
//    make a goroutine runnable, kGoRun makes goid the running one,
//    kGoPreempt makes it runnable again, kGoPark blocks it, kGoExit
//    forgets it. A goroutine first seen gets a random priority (a uniform
//    64-bit draw: a uniform place among those already known, which is the
//    paper's random permutation, built as goroutines appear).
//  - A PCT step is a yield point: a kPreempt question. k (estimated_steps)
//    estimates the yield points of one run. d-1 change points are drawn
//    uniformly in [1, k]; the j-th drawn gives priority j+1 (below every
//    initial priority) to the goroutine running when that yield point is
//    reached.
//  - At every yield point PCT preempts (answers 1) iff a runnable
//    goroutine it knows has a higher priority than the running one (ties
//    broken by lower goid). After a change point lowered the running
//    goroutine this preempts it whenever anybody else can run; with
//    depth 1 PCT preempts only per the initial priorities.
//  - A preempted goroutine goes to Go's global run queue and the scheduler
//    picks again; PCT answers kPickRunnable, kRunqPut, kSelectOrder and
//    kTimerOrder uniformly at random, so the highest-priority goroutine may
//    take several picks to get the processor: each yield point of a
//    lower-priority one preempts it again.
//  - Voluntary yields (gosched: another goroutine starts running while the
//    previous one neither parked, was preempted nor exited) lower the
//    yielder below every initial priority, above the change points' (the
//    most recent yielder lowest), as the paper does for spin loops: without
//    it a goroutine spinning on gosched would starve the one it waits for.
//  - Several Ms: kRunM (which virtual M runs on at a scheduling point of
//    the runtime's own code) and kStealOrder are answered uniformly at
//    random too. A priority per M with change points over the scheduling
//    points, the paper's scheme with Ms as threads, was measured against
//    this on the nine several-M mutants: it caught them later (runnext-
//    steal-no-cas at schedule 1,220 instead of 51, select-claim-not-atomic
//    at 1,652 instead of 202) and missed timer-sleeper-looks-first within
//    2,000 schedules. These races need a switch inside a window of one or
//    two scheduling points, which a uniform answer opens at every point.
//  - Time passing early (kAdvanceClock) is answered as the random walk
//    answers it (one in kAdvanceClockOneIn): it is not a priority matter.
// Faults: per the fault plan, as every strategy.
#ifndef GORT_HARNESS_STRATEGY_PCT_H
#define GORT_HARNESS_STRATEGY_PCT_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "strategy/decision.h"
#include "strategy/prng.h"
#include "strategy/strategy.h"

namespace gort::harness {

inline constexpr uint32_t kPctMaxDepth = 64;
inline constexpr size_t kPctMaxGoroutines = 4096;  // tracked at once; more are treated as lowest priority

class Pct final : public Strategy {
 public:
  // Preconditions: 1 <= depth <= kPctMaxDepth, estimated_steps >= 1.
  Pct(uint64_t seed, uint32_t depth, uint64_t estimated_steps, FaultPlan plan = {});

  uint32_t choose(Choice what, uint32_t n) override;
  void event(const Event& e) override;

  // For tests and reports.
  std::optional<uint64_t> priority(uint64_t goid) const;
  uint64_t running() const { return running_; }  // 0: none
  uint64_t yield_points() const { return yield_points_; }
  std::vector<uint64_t> change_points() const;  // yield-point numbers, ascending

 private:
  enum class State : uint8_t { kRunnable, kRunning, kBlocked };
  // Invariant: goids are unique in gs_; priority >= kInitialBand unless
  // lowered by a change point (priority <= kPctMaxDepth) or a yield.
  struct Goroutine {
    uint64_t goid;
    uint64_t priority;
    State state;
  };
  // Invariant: sorted by at; priority in [1, depth).
  struct ChangePoint {
    uint64_t at;
    uint64_t priority;
  };

  Goroutine* find(uint64_t goid);
  Goroutine* track(uint64_t goid);  // nullptr when kPctMaxGoroutines are tracked
  bool should_preempt() const;

  SplitMix64 rng_;
  std::vector<ChangePoint> change_points_;
  size_t next_change_ = 0;
  std::vector<Goroutine> gs_;
  uint64_t running_ = 0;
  uint64_t yield_points_ = 0;
  uint64_t yield_floor_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_PCT_H
