#include "strategy/bounded_dfs.h"

#include <algorithm>
#include <cassert>

namespace gort::harness {
namespace {

bool is_preemption(const Decision& d) { return can_preempt(d.kind) && d.chosen != 0; }

}  // namespace

BoundedDfs::BoundedDfs(uint32_t max_preemptions, FaultPlan plan, size_t max_depth)
    : Strategy(std::move(plan), 0), max_preemptions_(max_preemptions), max_depth_(max_depth) {
  assert(max_depth_ >= 1);
  path_.reserve(std::min(max_depth_, size_t{4096}));
}

uint32_t BoundedDfs::choose(Choice what, uint32_t n) {
  assert(!exhausted_ && "BoundedDfs: run after the search was exhausted");
  // Where an async preemption lands is part of the fault, as random as the
  // fault plan's draw that fired it, not a branch of the search: the
  // search would otherwise multiply by kAsyncPreemptWindow per firing.
  if (what == Choice::kAsyncPreemptAt) return faults_.draw(n);
  if (pos_ < path_.size()) {
    const Decision& d = path_[pos_];
    if (d.kind == decision_kind(what) && d.n == n) {
      pos_++;
      return d.chosen;
    }
    nondeterministic_ = true;  // the prefix no longer describes this run: continue from here
    path_.resize(pos_);
  }
  if (path_.size() >= max_depth_) {
    truncated_ = true;
    return 0;
  }
  path_.push_back(Decision::choice(what, n, 0));
  pos_++;
  return 0;
}

void BoundedDfs::next() {
  assert(!exhausted_);
  runs_completed_++;
  if (pos_ < path_.size()) {
    nondeterministic_ = true;  // the run ended before the prefix did
    path_.resize(pos_);
  }
  pos_ = 0;
  faults_.restart();
  size_t preemptions = count_preemptions(path_);
  while (!path_.empty()) {
    Decision& d = path_.back();
    bool was_preemption = is_preemption(d);
    size_t before = preemptions - (was_preemption ? 1 : 0);
    bool adds_preemption = can_preempt(d.kind) && d.chosen == 0;
    if (d.chosen + 1 < d.n && (!adds_preemption || before + 1 <= max_preemptions_)) {
      d.chosen++;
      return;
    }
    preemptions = before;
    path_.pop_back();
  }
  exhausted_ = true;
}

}  // namespace gort::harness
