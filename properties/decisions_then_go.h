// A strategy for reporting a shrunk schedule: answers a decision list,
// then Go's default (option 0, no fault) once the list ends or the run
// asks a question the list does not hold, so a list reads as "Go's own
// schedule, but for these decisions". (harness::Replay continues with a
// RandomWalk instead, which is what replaying a recording wants.)
#ifndef GORT_PROPERTIES_DECISIONS_THEN_GO_H
#define GORT_PROPERTIES_DECISIONS_THEN_GO_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "strategy/decision.h"
#include "strategy/strategy.h"

namespace gort::properties {

// Invariant: d_[0, pos_) were answered as listed; once gone_, every
// answer is 0. Does not own the list: it must outlive the strategy.
class DecisionsThenGo final : public harness::Strategy {
 public:
  DecisionsThenGo(const std::vector<harness::Decision>& d, harness::FaultPlan plan)
      : Strategy(std::move(plan), 0), d_(d) {}
  uint32_t choose(Choice what, uint32_t n) override { return take(harness::decision_kind(what), n); }
  bool fire(FaultSite site) override { return armed(site) && take(harness::decision_kind(site), 2) == 1; }

 private:
  uint32_t take(harness::DecisionKind kind, uint32_t n) {
    if (gone_ || pos_ == d_.size() || d_[pos_].kind != kind || d_[pos_].n != n) {
      gone_ = true;
      return 0;
    }
    return d_[pos_++].chosen;
  }
  const std::vector<harness::Decision>& d_;
  size_t pos_ = 0;
  bool gone_ = false;
};

}  // namespace gort::properties

#endif  // GORT_PROPERTIES_DECISIONS_THEN_GO_H
