// Replay of a recorded decision list.
//
// Answers the recorded decisions in order for as long as the runtime asks
// the same questions (same kind, same n; for armed fault sites, the same
// site). A recording goes stale when the runtime or the program changes:
// at the first question that does not match, or past the end of the list,
// Replay notes where it diverged and answers every further question with a
// RandomWalk(fallback_seed) under the same fault plan, so the run still
// finishes and the report can say "replayed 40 of 52 decisions, then
// random". The fault plan must be the recording's: it says which sites'
// questions are in the list.
#ifndef GORT_HARNESS_STRATEGY_REPLAY_H
#define GORT_HARNESS_STRATEGY_REPLAY_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strategy/decision.h"
#include "strategy/random_walk.h"
#include "strategy/strategy.h"

namespace gort::harness {

// Where a replay left its recording. Invariant: past_end iff index equals
// the recording's length; otherwise expected is recorded[index] and it
// differs from what was asked in kind or n.
struct Divergence {
  size_t index = 0;
  bool past_end = false;
  Decision expected{};
  DecisionKind asked_kind{};
  uint32_t asked_n = 0;
  std::string describe() const;  // one line
};

// What answers once the recording stops matching. Past its end, always
// Go's defaults and no faults: a shrunk schedule drops trailing defaults,
// and a complete one never gets there. After a mismatch (a stale file):
// kRandom goes on with a random walk from the recorded seed; kDefaults
// (the shrinker's candidates) keeps answering defaults.
enum class ReplayFallback : uint8_t { kRandom, kDefaults };

// Invariants: decisions_[0, pos_) were answered as recorded; once
// divergence_ is set every answer comes from the fallback.
class Replay final : public Strategy {
 public:
  Replay(std::vector<Decision> decisions, uint64_t fallback_seed, FaultPlan plan = {},
         ReplayFallback fallback = ReplayFallback::kRandom);

  uint32_t choose(Choice what, uint32_t n) override;
  bool fire(FaultSite site) override;

  bool diverged() const { return divergence_.has_value(); }
  const std::optional<Divergence>& divergence() const { return divergence_; }
  size_t replayed() const { return pos_; }  // decisions answered from the recording

 private:
  bool random_fallback() const {
    return fallback_mode_ == ReplayFallback::kRandom && divergence_.has_value() && !divergence_->past_end;
  }
  // The recorded answer if the next recorded decision is this question.
  std::optional<uint32_t> take(DecisionKind kind, uint32_t n);

  std::vector<Decision> decisions_;
  size_t pos_ = 0;
  std::optional<Divergence> divergence_;
  RandomWalk fallback_;
  ReplayFallback fallback_mode_;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_REPLAY_H
