// The scenario driver of gort mutants: the built-in scenarios run
// in-process on the sim runtime with a mutant selected, seed after seed,
// under one strategy, with the invariant checker and the channel oracle
// watching every run, until something breaks or the budget is spent.
//
// The runs happen in a forked child: a mutant may crash the process (a
// runtime assertion, a wild pointer) or loop forever inside the runtime,
// and either is a catch, reported with the run that was in progress.
#ifndef GORT_HARNESS_MUTANTS_SCENARIO_DRIVER_H
#define GORT_HARNESS_MUTANTS_SCENARIO_DRIVER_H

#include <cstdint>
#include <string>

#include "mutants/catch.h"

namespace gort::harness {

enum class HuntStrategy : uint8_t { kRandomWalk, kPct };
const char* hunt_strategy_name(HuntStrategy s);  // "random walk" | "PCT"

struct ScenarioBudget {
  uint64_t runs = 2000;             // schedules, over all scenarios (seed-major: seed 1 of each, then seed 2, ...)
  double seconds = 30;              // wall clock for all of them
  double run_timeout_seconds = 10;  // one run without progress this long is a hang
};

// PCT's bug depth (d of the paper), as gort check uses it.
inline constexpr uint32_t kHuntPctDepth = 3;
// The step budget of one run (Config::max_steps): a livelocked run ends
// in the fatal error "step budget exceeded", which is a catch.
inline constexpr uint64_t kHuntMaxSteps = 500'000;

// Runs the scenarios with mutant (0: none) under strategy. The child's
// stdout and stderr (runtime assertion messages, say) go to log_path.
Catch hunt_in_scenarios(uint32_t mutant, HuntStrategy strategy, const ScenarioBudget& budget,
                        const std::string& log_path);

}  // namespace gort::harness

#endif  // GORT_HARNESS_MUTANTS_SCENARIO_DRIVER_H
