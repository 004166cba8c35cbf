// The built-in scenarios (gort/scenario.h says what a scenario is), and
// how the harness judges and runs one.
#ifndef GORT_HARNESS_SCENARIO_H
#define GORT_HARNESS_SCENARIO_H

#include <cstdint>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "gort/scenario.h"

namespace gort::harness {

const std::vector<Scenario>& all_scenarios();
const Scenario* find_scenario(const std::string& name);

// One run's verdict: empty when the run met the expectation, else why not.
std::string judge(const Scenario& s, const Result& r);

// One run of s under seed (sim platform: the seed is the whole schedule),
// within kDefaultMaxSteps. Stacks come from pool when given (runs back to
// back skip mmap).
Result run_scenario(const Scenario& s, uint64_t seed, StackPool* pool = nullptr);

}  // namespace gort::harness

#endif  // GORT_HARNESS_SCENARIO_H
