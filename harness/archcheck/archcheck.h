// The arch conformance suite: what a CPU port must pass (docs/PORTING.md).
//
// Two levels. The trampoline checks drive arch.h's functions directly, on
// stacks of their own, with no runtime: a port can pass them before the
// scheduler runs on it. The runtime checks run goroutines through the public
// API (exceptions, backtraces, stack overflow) on the same port.
#ifndef GORT_HARNESS_ARCHCHECK_H
#define GORT_HARNESS_ARCHCHECK_H

#include <cstdint>
#include <string>
#include <vector>

namespace gort::archcheck {

struct Outcome {
  bool passed = false;
  bool skipped = false;
  std::string detail;  // why it failed or was skipped; empty on a plain pass
};

struct Options {
  uint32_t iterations = 5000;  // random register sets per trampoline
  uint64_t seed = 1;
};

// One named check. Each returns its outcome; none aborts the process.
struct Check {
  const char* name;
  const char* what;  // one line: the contract the check pins
  Outcome (*run)(const Options&);
};

const std::vector<Check>& all_checks();

}  // namespace gort::archcheck

#endif  // GORT_HARNESS_ARCHCHECK_H
