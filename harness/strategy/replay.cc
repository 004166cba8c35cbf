#include "strategy/replay.h"

#include <cassert>

namespace gort::harness {

std::string Divergence::describe() const {
  std::string asked = decision_kind_name(asked_kind) + " n=" + std::to_string(asked_n);
  if (past_end) return "decision " + std::to_string(index) + ": the recording ended; the run asked " + asked;
  return "decision " + std::to_string(index) + ": recorded " + decision_kind_name(expected.kind) +
         " n=" + std::to_string(expected.n) + ", the run asked " + asked;
}

Replay::Replay(std::vector<Decision> decisions, uint64_t fallback_seed, FaultPlan plan, ReplayFallback fallback)
    : Strategy(plan, fallback_seed),
      decisions_(std::move(decisions)),
      fallback_(fallback_seed, std::move(plan)),
      fallback_mode_(fallback) {}

std::optional<uint32_t> Replay::take(DecisionKind kind, uint32_t n) {
  if (divergence_) return std::nullopt;
  if (pos_ < decisions_.size() && decisions_[pos_].kind == kind && decisions_[pos_].n == n) {
    assert(decisions_[pos_].chosen < n && "Replay: recorded answer out of range");
    return decisions_[pos_++].chosen;
  }
  Divergence d;
  d.index = pos_;
  d.past_end = pos_ == decisions_.size();
  if (!d.past_end) d.expected = decisions_[pos_];
  d.asked_kind = kind;
  d.asked_n = n;
  divergence_ = d;
  return std::nullopt;
}

uint32_t Replay::choose(Choice what, uint32_t n) {
  if (auto v = take(decision_kind(what), n)) return *v;
  return random_fallback() ? fallback_.choose(what, n) : 0;
}

bool Replay::fire(FaultSite site) {
  if (!armed(site)) return false;
  if (auto v = take(decision_kind(site), 2)) return *v != 0;
  return random_fallback() ? fallback_.fire(site) : false;
}

}  // namespace gort::harness
