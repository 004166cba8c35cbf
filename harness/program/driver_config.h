// The one place where the drivers (properties/, fuzz/) build a gort::Config.
//
// Every run a property or a fuzz target starts goes through
// driver_config(), so a setting that must reach all of them (a seeded bug
// to run against, a stack size) is one line here.
#ifndef GORT_HARNESS_PROGRAM_DRIVER_CONFIG_H
#define GORT_HARNESS_PROGRAM_DRIVER_CONFIG_H

#include <cstdint>

#include "gort/gort.h"

namespace gort::harness {

// Steps a driver's run may take (Config::max_steps).
inline constexpr uint64_t kDriverMaxSteps = 4'000'000;

// A sim run steered by chooser (nullptr: the uniform chooser seeded from
// seed), with stacks from a pool that this thread keeps for all its runs
// (drivers start thousands of runs back to back), a step budget, and the
// seeded bug
// GORT_MUTANT names, if any (gort/mutants.h).
Config driver_config(Chooser* chooser, uint64_t seed = 1);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_DRIVER_CONFIG_H
