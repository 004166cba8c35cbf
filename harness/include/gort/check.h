// gort's checking API: explore a goroutine program of your own under the
// harness, as `gort check` explores its built-in scenarios.
//
//   gort::check::Options o;
//   o.runs = 2000;
//   gort::check::Report r = gort::check::explore([] { my_program(); }, o);
//   if (!r.ok()) std::cout << r.text();
//
// Each run is a sim run of the program (its main goroutine calls the
// callable once) under a schedule chosen by a strategy from a seed, with
// the fault plan's injected faults, the runtime's invariants checked at
// every quiescent point and the channel and sync oracles judging the trace;
// a run fails when it ends otherwise than expected (by default: main
// returns, no panic, no fatal error), breaks an invariant or an oracle's
// rule, crashes or hangs (each run is in a child process of its own unless
// Options::isolate is false), or runs past its step budget. Every failing
// run is shrunk (its schedule cut down to the decisions that matter) and
// leaves a replay file, from which replay() reruns it exactly.
//
// Runs are a pure function of (program, options, run index): the same
// options find the same failures, on any machine. The program must be
// deterministic apart from what gort decides (no wall clock, no real
// threads, no global state carried from one run to the next).
#ifndef GORT_CHECK_H
#define GORT_CHECK_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gort/scenario.h"

namespace gort::check {

enum class Strategy : uint8_t {
  kRandom,  // a seeded random walk over every decision
  kPct,     // probabilistic concurrency testing: priorities with depth - 1 change points
  kDfs,     // every schedule with at most dfs_preemptions preemptions, depth first (exhaustive if it ends)
};
const char* strategy_name(Strategy s);

// Options::seed's default: the first run's seed, unless the environment's
// GORT_SEED says otherwise.
inline constexpr uint64_t kDefaultSeed = 1;

struct Options {
  // How long to explore: at most `runs` runs and at most `seconds` of
  // wall-clock time (0: no limit of that kind; at least one must be set).
  uint64_t runs = 1000;
  double seconds = 0;
  // Strategies, taken in turn run by run (random and PCT by default). With
  // kDfs, only kDfs: it enumerates until exhausted or `runs`.
  std::vector<Strategy> strategies = {Strategy::kRandom, Strategy::kPct};
  uint32_t pct_depth = 3;        // 1..64
  uint32_t dfs_preemptions = 2;  // DFS's preemption bound
  // The fault plan, in gort check's syntax ("panic-at-yield:p=0.01,
  // spurious-wakeup:p=0.1,clock-jump:p=0.05"); "" injects nothing.
  std::string faults;
  // GOMAXPROCS of the runs, taken in turn (1..64 each).
  std::vector<uint32_t> procs = {1};
  uint64_t seed = kDefaultSeed;  // run k uses seed + k
  // Where failing runs leave their replay files and timelines (created
  // if missing).
  std::string out_dir = "gort-failures";
  bool invariants = true;  // check the runtime's invariants at every quiescent point
  // Each run in a forked child: a program (or runtime) that crashes or
  // hangs is a failing run, and the caller goes on. false: runs in this
  // process (faster; debuggers).
  bool isolate = true;
  double run_timeout_seconds = 10;  // isolate only: a run past this is a failing run of kind timeout
  uint64_t max_steps = 500'000;     // each run's step budget: past it, a failing run (a livelock)
  size_t stack_size = 64 * 1024;    // each goroutine's stack
  // The outcome every run must have (the default: main returns normally).
  int expect_exit_status = 0;
  std::string expect_fatal_error;  // Go's text, when the program must die of it
  std::string expect_panic;        // the unrecovered panic's value, when it must end in one
  // Stop after this many failing runs (each is shrunk and reported).
  size_t max_failures = 1;
  bool shrink = true;
  double shrink_seconds = 30;
  // Names the program in reports and replay files (letters, digits, '-',
  // '_', '.'; the GoogleTest helper uses the test's name).
  std::string name = "program";
  // The command a report tells the user to run to replay a failure, with
  // the replay file's path in place of "{replay}" (or after the command);
  // "": no such line (replay(program, path) from code).
  std::string reproduce;
  // The goroutine-leak oracle: after main returns the other goroutines
  // run on until none can, and a goroutine still blocked on something no
  // runnable goroutine can reach (a definite leak) fails the run. kFailAll
  // fails possible leaks too; kReport and kOff never fail (kOff: Go's exit,
  // no drain). gort::expect_leak() inside a goroutine exempts it.
  LeakPolicy leaks = LeakPolicy::kFailDefinite;
};

struct Failure {
  std::string kind;     // "outcome" | "invariant" | "oracle" | "budget" | "leak" | "crash" | "timeout"
  std::string verdict;  // one line: what went wrong
  uint64_t seed = 0;
  Strategy strategy = Strategy::kRandom;
  uint32_t procs = 1;
  uint64_t run = 0;           // index of the run among the exploration's runs
  std::string replay_file;    // "" if it could not be written (the report says why)
  std::string timeline_file;  // Perfetto JSON of the run's last steps
  std::string schedule;       // the shrunk schedule: non-default decisions, one per line
  std::string dump;           // the goroutine dump where it failed
  std::string report;         // everything above as gort check prints it
};

struct Report {
  uint64_t runs = 0;  // runs made
  double seconds = 0;
  bool exhausted = false;  // kDfs: every schedule within the bound was run
  std::vector<Failure> failures;
  bool ok() const { return failures.empty(); }
  // A summary line, then each failure's report.
  std::string text() const;
};

// Misuse of the API (options out of range, a replay file that cannot be
// read or is for another program): what is wrong and what to do, one line.
class Error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Explores program under options. Throws Error for bad options. If the
// environment's GORT_REPLAY names a replay file, replays it instead (how a
// report's reproduce command reruns the failing run).
Report explore(std::function<void()> program, const Options& options = {});

// Reruns the run recorded in replay_file (written by explore) against
// program: the same schedule, faults and procs. Throws Error if the file
// cannot be read or records another program (by name). The report has one
// run: ok if the failure no longer happens.
Report replay(std::function<void()> program, const std::string& replay_file, const Options& options = {});

}  // namespace gort::check

#endif  // GORT_CHECK_H
