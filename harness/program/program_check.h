// A program run, checked: what every driver (the random-program property,
// the program fuzz target) asks of a run.
//
// The schedule's Chooser is wrapped in a CheckingChooser, so the runtime's
// invariants are checked at every quiescent point and the channel oracle
// judges the event trace, with the end state captured when main reaches
// quiet (program_run.h). Then the outcome itself is judged: a program may
// end only as Go would let it --
//   - exit 0: main reached quiet and returned, or joined goroutines that
//     had all finished;
//   - Go's "all goroutines are asleep - deadlock!": main blocked in its own
//     ops, or joined with goroutines still parked at quiet;
//   - a panic the program can provoke: "send on closed channel" (it sends
//     and closes), "close of closed channel" (two closes of one channel),
//     "close of nil channel" (it closes nilc); or, when the fault plan may
//     inject panics, "injected panic at SITE".
// Panics its recover blocks stopped must be of those kinds too, and every
// recover block's deferred calls must have run newest first. Anything
// else (another fatal error, a panic no op could provoke, a join that
// returned past a parked goroutine, a main that never saw quiet) fails.
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_CHECK_H
#define GORT_HARNESS_PROGRAM_PROGRAM_CHECK_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "gort/hooks.h"
#include "program/program.h"
#include "program/program_run.h"

namespace gort::harness {

inline constexpr const char* kDeadlock = "all goroutines are asleep - deadlock!";

// Empty when run is an outcome p may have; else one line saying why not.
// injected_panics: whether the run's fault plan may inject panics.
std::string judge_outcome(const Program& p, const ProgramRun& run, bool injected_panics);

struct CheckedRun {
  ProgramRun run;
  std::string failure;  // empty: every check passed; else one line per problem
  uint64_t checks = 0;  // invariant checks made
  size_t events = 0;    // events the oracle judged
};

// Runs p under schedule (the strategy, a Recorder around it, ...) with
// every check above.
CheckedRun run_checked(const Program& p, Chooser& schedule, bool injected_panics);

// What a failure report shows: the failure, how the run ended, which
// trace ids (goids, channel ids, in the checkers' messages) are which of
// the program's goroutines and channels, and the run's output.
std::string describe_run(const Program& p, const CheckedRun& r);
// The program's source, then describe_run.
std::string describe_failure(const Program& p, const CheckedRun& r);

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_CHECK_H
