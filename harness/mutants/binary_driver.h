// The test-binary drivers of gort mutants: a GoogleTest (or RapidCheck,
// or libFuzzer) binary of the mutants build, run with GORT_MUTANT set in
// its environment. Its drivers read the variable into Config::mutant, so
// every run it makes runs the mutant. A non-zero exit, a crash or running
// past its budget is a catch; the first failing test names it.
#ifndef GORT_HARNESS_MUTANTS_BINARY_DRIVER_H
#define GORT_HARNESS_MUTANTS_BINARY_DRIVER_H

#include <string>
#include <vector>

#include "mutants/catch.h"

namespace gort::harness {

struct TestBinary {
  std::string label;  // "spec", "spec (os)", "property", "archcheck", "fuzz"
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;  // NAME=VALUE, on top of ours (and GORT_MUTANT)
};

// Runs binary with GORT_MUTANT=mutant_name (mutant_name "none": the
// correct runtime), its output into log_path, for at most seconds. A
// binary that could not start is no catch; why says what happened.
Catch hunt_in_binary(const TestBinary& binary, const std::string& mutant_name, double seconds,
                     const std::string& log_path);

}  // namespace gort::harness

#endif  // GORT_HARNESS_MUTANTS_BINARY_DRIVER_H
