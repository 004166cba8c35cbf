// Runs a Program (program.h) on the sim runtime, as a gort goroutine
// program, under a Chooser.
//
// main makes the channels (ids 1..M in the trace, in order), then a `done`
// channel (id M+1, capacity K-1), starts goroutines 1..K-1, and runs its
// own ops. Each other goroutine first defers sending its done token -g on
// `done` (Go's `defer wg.Done()`; it never blocks: there is room for every
// token), then runs its ops. A recover block defers two calls: a marker,
// then the recover; Go runs them newest first, and the marker checks that
// the recover call ran before it.
//
// Then main waits until the run is quiet: every other goroutine has sent
// its token or is parked. Nothing can change after that but by main's
// hand (only main is runnable, and a program sets no timers), so this is
// where the run's end state is whole: main calls at_quiescence there
// (CheckingChooser::capture_end_state, typically). Then, per
// Program::ending, main returns, or receives every token, which is Go's
// deadlock fatal error if a goroutine is still parked.
//
// Waiting is done by gosched and gort::goroutine_state, never by sleeping:
// main stays runnable, so a run where main waits is not a deadlock.
#ifndef GORT_HARNESS_PROGRAM_PROGRAM_RUN_H
#define GORT_HARNESS_PROGRAM_PROGRAM_RUN_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gort/gort.h"
#include "program/program.h"

namespace gort::harness {

// main's gosched calls while waiting for quiet, at most (a runtime that
// never runs the others again must fail the run, not hang it).
inline constexpr long kMaxQuietYields = 20000;

// A panic one of the program's recover blocks stopped.
struct RecoveredPanic {
  size_t goroutine = 0;
  std::string value;           // as Go prints it
  bool runtime_error = false;  // a runtime.Error (send on closed channel, ...)
  bool injected = false;       // a panic the harness injected at a fault site
};

struct ProgramRun {
  Result result;
  bool quiesced = false;         // main reached quiet (and called at_quiescence)
  size_t parked_when_quiet = 0;  // goroutines other than main still parked then
  bool starved = false;          // main gave up waiting: the others never became quiet
  std::vector<RecoveredPanic> recovered;
  std::vector<uint64_t> goids;    // goroutine g's goid (0: it never ran); main is [0]
  size_t vanished = 0;            // goroutines gone at quiet without their deferred done
  size_t defer_order_broken = 0;  // recover blocks whose deferred calls ran oldest first
};

// Precondition: valid(p). The run's Config comes from driver_config(chooser).
ProgramRun run_program(const Program& p, Chooser* chooser, const std::function<void()>& at_quiescence = {});

}  // namespace gort::harness

#endif  // GORT_HARNESS_PROGRAM_PROGRAM_RUN_H
