// A fault plan: which fault sites fire, and when.
//
// Per FaultSite, one rule: off; a probability (per-mille, drawn each time
// the runtime asks about the site, for the first kFaultHorizon questions
// about it; past them the rate falls as horizon/n at the n-th question, so
// that faults in a run grow with the logarithm of its length, not in
// proportion to it, and a long run still has long fault-free stretches);
// or an explicit list of occurrences
// ("the 3rd and 7th time this site is asked in the run", counting from 1).
// Text form, the one the CLI and replay files use:
//
//   panic-at-yield:p=0.05,clock-jump:at=3/7
//
// Sites are named by gort::fault_site_name; each may appear once; p has
// at most three decimals and lies in (0, 1]; occurrences are positive.
// The empty text is the empty plan (no faults).
#ifndef GORT_HARNESS_STRATEGY_FAULT_PLAN_H
#define GORT_HARNESS_STRATEGY_FAULT_PLAN_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gort/hooks.h"

namespace gort::harness {

inline constexpr size_t kMaxFaultOccurrences = 64;  // per site
// Questions about a site answered at the plan's full rate (see above).
inline constexpr uint32_t kFaultHorizon = 1000;
inline constexpr uint32_t kMaxFaultOccurrence = 1000000000;
inline constexpr size_t kMaxFaultPlanText = 4096;

// Invariants: kOff has per_mille == 0 and no occurrences; kProbability has
// per_mille in [1, 1000] and no occurrences; kOccurrences has 1 to
// kMaxFaultOccurrences strictly increasing values in [1, kMaxFaultOccurrence].
struct FaultRule {
  enum class Mode : uint8_t { kOff, kProbability, kOccurrences };
  Mode mode = Mode::kOff;
  uint32_t per_mille = 0;
  std::vector<uint32_t> occurrences;

  static FaultRule off() { return {}; }
  static FaultRule probability(uint32_t per_mille) { return {Mode::kProbability, per_mille, {}}; }
  static FaultRule at(std::vector<uint32_t> occurrences) { return {Mode::kOccurrences, 0, std::move(occurrences)}; }
  bool valid() const;
  bool operator==(const FaultRule&) const = default;
};

struct FaultPlanParse;

// Invariant: every rule is valid.
class FaultPlan {
 public:
  static FaultPlanParse parse(std::string_view text);
  std::string to_string() const;  // parse(to_string()) gives back an equal plan

  const FaultRule& rule(FaultSite s) const { return rules_[static_cast<size_t>(s)]; }
  void set(FaultSite s, FaultRule r);  // asserts r.valid()
  // An armed site's questions are decisions (recorded, replayed, shrunk).
  bool armed(FaultSite s) const { return rule(s).mode != FaultRule::Mode::kOff; }
  bool empty() const;
  // The same plan with every injected-panic site off (wake-ups and clock
  // jumps stay): what gort check runs part of each scenario's budget under,
  // so that the whole program is reached under the other faults too.
  FaultPlan without_injected_panics() const;
  bool operator==(const FaultPlan&) const = default;

 private:
  std::array<FaultRule, kFaultSites> rules_{};
};

// error is empty on success, else one line naming the problem.
struct FaultPlanParse {
  FaultPlan plan;
  std::string error;
  bool ok() const { return error.empty(); }
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_STRATEGY_FAULT_PLAN_H
