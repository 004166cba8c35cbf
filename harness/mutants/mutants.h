// gort mutants: runs every seeded bug of gort/mutants.h against the
// harness' drivers and reports which one caught it, after how many
// schedules and how long.
//
// Per mutant, the drivers run in order until one catches it:
//   1. the built-in scenarios in-process (in a child process, so that a
//      crash or a hang is a catch, not the runner's end), under a random
//      walk and under PCT, each with the invariant checker and the channel
//      oracle watching; schedules are counted per strategy;
//   2. the spec tests (spec_sim_test, then spec_os_test) with GORT_MUTANT set;
//   3. any property test binaries the build has (properties/);
//   4. the arch conformance suite (archcheck_test) with GORT_MUTANT set.
// Before the mutants, the same drivers run without one: a driver that fails
// on the correct runtime would "catch" everything.
#ifndef GORT_HARNESS_MUTANTS_MUTANTS_H
#define GORT_HARNESS_MUTANTS_MUTANTS_H

#include <cstdint>
#include <string>
#include <vector>

namespace gort::harness {

struct MutantsOptions {
  // Names or ids (gort/mutants.h); empty: the whole catalogue.
  std::vector<std::string> mutants;
  // Budget of each strategy of the scenario driver: schedules, and seconds.
  uint64_t runs = 2000;
  double seconds = 30;
  // Budget of each test binary (spec, property, archcheck) per mutant; one
  // that runs longer under a mutant than this has changed behaviour: a catch.
  double binary_seconds = 120;
  // A scenario run that makes no progress for this long is a hang: a catch.
  double run_timeout_seconds = 10;
  // The mutants build (its spec_tests/, harness/ ...); empty: the build
  // directory this runner was compiled in.
  std::string build_dir;
  // Run the drivers on the correct runtime first (and fail if they fail).
  bool baseline = true;
  // Also print the table as Markdown, for the README.
  bool markdown = false;
};

// Prints one line per mutant as it is hunted, then the table. Returns 0
// when every mutant was caught, 1 when one survived or the baseline failed,
// 2 when this build has no mutants (GORT_MUTANTS off) or the options are bad.
int run_mutants(const MutantsOptions& options);

}  // namespace gort::harness

#endif  // GORT_HARNESS_MUTANTS_MUTANTS_H
