#include "strategy/decision.h"

#include <algorithm>

namespace gort::harness {

std::string decision_kind_name(DecisionKind k) {
  if (!is_valid(k)) return "?";
  if (is_fault(k)) return std::string("fault:") + fault_site_name(as_fault_site(k));
  return choice_name(as_choice(k));
}

size_t count_nonzero(std::span<const Decision> d) {
  return static_cast<size_t>(std::count_if(d.begin(), d.end(), [](const Decision& x) { return x.chosen != 0; }));
}

size_t count_preemptions(std::span<const Decision> d) {
  return static_cast<size_t>(
      std::count_if(d.begin(), d.end(), [](const Decision& x) { return can_preempt(x.kind) && x.chosen != 0; }));
}

size_t count_faults(std::span<const Decision> d) {
  return static_cast<size_t>(
      std::count_if(d.begin(), d.end(), [](const Decision& x) { return is_fault(x.kind) && x.chosen != 0; }));
}

}  // namespace gort::harness
