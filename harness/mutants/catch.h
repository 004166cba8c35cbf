// What one driver reports for one mutant: whether it caught it, where, why,
// and what it cost.
#ifndef GORT_HARNESS_MUTANTS_CATCH_H
#define GORT_HARNESS_MUTANTS_CATCH_H

#include <cstdint>
#include <string>

namespace gort::harness {

// Invariant: caught => where and why are set. schedules counts the runs the
// driver made, the catching one included (scenario driver only; 0 for test
// binaries, whose runs are not counted one by one).
struct Catch {
  bool caught = false;
  std::string where;  // "scenario pipeline seed 3", "spec ChanContract.X", ...
  std::string why;    // one line: what broke ("oracle chan.fifo: ...", "crash: SIGABRT ...")
  uint64_t schedules = 0;
  double seconds = 0;
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_MUTANTS_CATCH_H
