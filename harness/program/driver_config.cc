// driver_config (driver_config.h).
#include "program/driver_config.h"

#include "gort/mutants.h"

namespace gort::harness {

Config driver_config(Chooser* chooser, uint64_t seed) {
  // One pool per thread: StackPool is not locked, and runs start on the
  // thread that calls gort::run.
  thread_local StackPool pool;
  Config config;
  config.seed = seed;
  config.chooser = chooser;
  config.stack_pool = &pool;
  // A livelock the runtime falls into ends the run as the fatal error "step
  // budget exceeded" instead of hanging the driver. Far above what any
  // driver's run needs (a random program's main yields 20,000 times at most).
  config.max_steps = kDriverMaxSteps;
  // GORT_MUTANT: run against a seeded bug (builds with GORT_MUTANTS only;
  // elsewhere the runtime ignores it). Read once: it aborts on a typo.
  static const uint32_t mutant = mutant_from_environment();
  config.mutant = mutant;
  return config;
}

}  // namespace gort::harness
