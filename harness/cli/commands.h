// The gort subcommands. Each returns the process exit status: 0 ok, 1 a
// failure found (or a check failed), 2 bad input (one line on stderr).
#ifndef GORT_HARNESS_CLI_COMMANDS_H
#define GORT_HARNESS_CLI_COMMANDS_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "session/failure_report.h"
#include "session/scenario_run.h"

namespace gort::harness {
class IsolatedRunner;
}

namespace gort::cli {

// Flags shared by run and check: how a run is scheduled and judged.
struct RunFlags {
  std::string strategy = "random";
  uint32_t depth = 3;
  std::string faults;  // a fault plan; "" with check: each scenario's own plan
  bool faults_given = false;
  uint64_t max_steps = harness::kDefaultMaxSteps;  // --max-steps (alias --max-switches)
  bool verify_determinism = false;
  bool no_invariants = false;
  uint32_t check_every = 1;     // invariant checks at every N-th quiescent point
  uint64_t dfs_runs = 100'000;  // --strategy dfs: schedules at most
  harness::ReportOptions report;
  // Run in this process instead of a child that may die (debuggers; the
  // runtime's crash or hang then takes gort with it).
  bool in_process = false;
  double run_timeout = 10;  // seconds one run may take in a child before it is a timeout
  uint32_t procs = 1;       // --procs: GOMAXPROCS of gort run (Config::procs)
  // --leaks: the leak oracle's policy (gort/scenario.h LeakPolicy); not
  // given: report, except under dfs, whose enumeration stops at main's
  // return as Go's exit does (the drain's schedules would multiply it).
  std::string leaks;
};

// The scenarios a gort binary knows: gort's built-in list, or the list a
// user's binary hands to cli_main.
using ScenarioList = std::vector<harness::Scenario>;
const harness::Scenario* find_in(const ScenarioList& scenarios, const std::string& name);

// The whole command line over a scenario list; returns the exit status.
int cli_main(int argc, char** argv, const ScenarioList& scenarios);

int cmd_list(const ScenarioList& scenarios);
int cmd_run(const ScenarioList& scenarios, const std::string& scenario, uint64_t seed, const RunFlags& flags);

struct CheckFlags {
  uint64_t runs = 0;    // per scenario; 0: as many as the time budget allows
  double seconds = 40;  // the whole check's time budget (0: none)
  uint64_t first_seed = 1;
  std::string shard;  // "i/n"; else GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX
  std::string junit;  // JUnit XML path
  std::string only;   // comma-separated scenario names ("" all)
  unsigned jobs = 0;  // worker processes (0: one per online CPU)
  // --procs: every scenario runs at each of these GOMAXPROCS values, the
  // time budget split evenly over them.
  std::string procs = "1,2,4";
};

// "1,2,4" -> {1, 2, 4}: distinct whole numbers from 1 to kMaxProcs, in
// the order given; "" or a one-line error.
std::string parse_procs_list(const std::string& text, std::vector<uint32_t>* out);
int cmd_check(const ScenarioList& scenarios, const CheckFlags& check, const RunFlags& flags);

int cmd_replay(const ScenarioList& scenarios, const std::string& path, const RunFlags& flags);

// One line on stderr, exit status 2.
int bad_input(const std::string& what);

// Resolves flags into a RunSpec for scenario s (strategy, faults); "" or a
// one-line error.
std::string make_spec(const harness::Scenario& s, uint64_t seed, const RunFlags& flags, harness::RunSpec* spec);

// Runs spec; with verify_determinism, twice, comparing the traces. A
// mismatch is itself a failure naming the first differing step.
harness::RunOutcome run_checked(const harness::RunSpec& spec, bool verify_determinism);

// gort run's and gort replay's runs: each in a child of its own (a crash
// or a hang is a failing run with its replay file), or in this process
// with --in-process. Shrinking replays go the same way.
class IsolatedRuns {
 public:
  explicit IsolatedRuns(const RunFlags& flags);
  ~IsolatedRuns();
  harness::RunOutcome run_checked(const harness::RunSpec& spec);
  harness::ReportOptions report_options();  // flags.report, with the runner for shrinking

 private:
  RunFlags flags_;
  std::unique_ptr<harness::IsolatedRunner> checked_;  // runs run_checked in the child
  std::unique_ptr<harness::IsolatedRunner> plain_;    // shrink candidates
};

}  // namespace gort::cli

#endif  // GORT_HARNESS_CLI_COMMANDS_H
