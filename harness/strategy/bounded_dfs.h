// Bounded-preemption depth-first search: stateless model checking (CHESS,
// Musuvathi and Qadeer, PLDI 2007) over gort's decision sequences.
//
// Each run replays the current prefix of decisions, then answers 0 (Go's
// default) to every further question, recording its n. next() then moves
// to the next unexplored sequence like an odometer: the deepest decision
// that still has an untried option is incremented and everything after it
// is dropped (to be rediscovered by the next run). A kPreempt answer of 1
// counts as a preemption, and no sequence with more than max_preemptions
// of them is ever tried; every other kind has all its options explored.
// Faults follow the fault plan (restarted every run), they are not
// enumerated.
//
//   BoundedDfs dfs(2);
//   while (!dfs.exhausted()) { run(program, &dfs); dfs.next(); }
//
// The program must be deterministic given the decisions: a replayed
// prefix asked differently (another kind or n, or fewer questions) sets
// nondeterministic() and the search goes on from what the run asked.
#ifndef GORT_HARNESS_STRATEGY_BOUNDED_DFS_H
#define GORT_HARNESS_STRATEGY_BOUNDED_DFS_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "strategy/decision.h"
#include "strategy/strategy.h"

namespace gort::harness {

inline constexpr size_t kDfsDefaultMaxDepth = 10000;

// Invariants: path_[0, pos_) is what this run has answered so far;
// path_ has at most max_depth_ entries and at most max_preemptions_
// preemptions; once exhausted_ nothing is left to run.
class BoundedDfs final : public Strategy {
 public:
  explicit BoundedDfs(uint32_t max_preemptions, FaultPlan plan = {}, size_t max_depth = kDfsDefaultMaxDepth);

  uint32_t choose(Choice what, uint32_t n) override;

  // Called after each run: the next sequence to try, or exhausted().
  void next();
  bool exhausted() const { return exhausted_; }

  uint64_t runs_completed() const { return runs_completed_; }
  const std::vector<Decision>& path() const { return path_; }
  bool truncated() const { return truncated_; }  // a run asked more than max_depth questions
  bool nondeterministic() const { return nondeterministic_; }

 private:
  uint32_t max_preemptions_;
  size_t max_depth_;
  std::vector<Decision> path_;
  size_t pos_ = 0;
  uint64_t runs_completed_ = 0;
  bool exhausted_ = false;
  bool truncated_ = false;
  bool nondeterministic_ = false;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_BOUNDED_DFS_H
