// The gort command line: gort list | run | check | replay | archcheck |
// mutants, over a list of scenarios (cli_main: gort's own main hands it
// the built-in list; a user's binary may hand its own). Each subcommand
// lives in its own file (commands.h); this one parses.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>

#include "arch/arch.h"
#include "archcheck/archcheck.h"
#include "cli/commands.h"
#include "gort/cli.h"
#include "mutants/mutants.h"

namespace {

int cmd_archcheck(uint32_t iterations, uint64_t seed) {
  gort::archcheck::Options opt;
  opt.iterations = iterations;
  opt.seed = seed;
  int failed = 0;
  printf("arch conformance (%s), %u iterations per trampoline\n", GORT_ARCH_NAME, iterations);
  for (const auto& c : gort::archcheck::all_checks()) {
    gort::archcheck::Outcome o = c.run(opt);
    const char* verdict = o.skipped ? "skip" : o.passed ? "ok" : "FAIL";
    failed += !o.passed && !o.skipped;
    printf("  %-4s %-36s %s\n", verdict, c.name, o.detail.empty() ? c.what : o.detail.c_str());
  }
  printf("%s\n", failed == 0 ? "ok: this port conforms" : "FAILED: see docs/PORTING.md");
  return failed == 0 ? 0 : 1;
}

// Every numeric flag goes through these: CLI11's own conversion wraps a
// negative number into an unsigned one (--seed -1 became seed
// 18446744073709551615), saturates past the type's range, and takes hex.
// Here a whole number is decimal digits alone and a number of seconds a
// finite decimal; either must lie in [lo, hi]. Anything else is a parse
// error naming the flag, the input and the range (one line, exit 2).
template <class T>
CLI::Option* add_whole_number(CLI::App* cmd, const std::string& name, T& var, T lo, T hi, const std::string& help) {
  static_assert(std::is_unsigned_v<T>);
  std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  auto check = [lo, hi, range](std::string& in) -> std::string {
    bool digits = !in.empty() && in.size() <= 20 &&
                  std::all_of(in.begin(), in.end(), [](char c) { return c >= '0' && c <= '9'; });
    errno = 0;
    unsigned long long v = digits ? std::strtoull(in.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE || v < lo || v > hi) return in + " is not a whole number from " + range;
    return {};
  };
  return cmd->add_option(name, var, help)->check(CLI::Validator(check, "[" + range + "]"));
}

CLI::Option* add_seconds(CLI::App* cmd, const std::string& name, double& var, double lo, double hi,
                         const std::string& help) {
  char range[96];
  snprintf(range, sizeof range, "%g to %g", lo, hi);
  std::string text = range;
  auto check = [lo, hi, text](std::string& in) -> std::string {
    char* end = nullptr;
    errno = 0;
    double v = in.empty() ? 0 : std::strtod(in.c_str(), &end);
    bool decimal =
        !in.empty() && end == in.c_str() + in.size() && in.find_first_not_of("0123456789.eE+-") == std::string::npos;
    if (!decimal || errno == ERANGE || !std::isfinite(v) || v < lo || v > hi) {
      return in + " is not a number of seconds from " + text;
    }
    return {};
  };
  return cmd->add_option(name, var, help)->check(CLI::Validator(check, "[" + text + "]"));
}

// Flags every scheduling subcommand shares.
void add_run_flags(CLI::App* cmd, gort::cli::RunFlags& f, bool with_strategy) {
  if (with_strategy) {
    cmd->add_option("--strategy", f.strategy,
                    "random (seeded random walk), pct (priority change points) or, with run, dfs (every schedule "
                    "up to --depth preemptions)");
    add_whole_number(cmd, "--depth", f.depth, 0u, 64u,
                     "PCT's depth d (d-1 priority change points); dfs's preemption bound");
    add_whole_number(cmd, "--dfs-runs", f.dfs_runs, uint64_t{1}, uint64_t{1} << 40, "dfs: schedules at most");
    cmd->add_option("--faults", f.faults,
                    "fault plan, e.g. panic-at-yield:p=0.05,clock-jump:at=3/7 (\"\" for none; default: the "
                    "scenario's own)")
        ->each([&f](const std::string&) { f.faults_given = true; });
    cmd->add_option("--leaks", f.leaks,
                    "after main returns, let the other goroutines run until none can, then: report (the default: "
                    "list the goroutines left blocked, definite and possible leaks), definite (a definite leak fails "
                    "the run), all (any leak fails it) or off (Go's exit: no drain; dfs's default)");
  }
  add_whole_number(cmd, "--max-steps,--max-switches", f.max_steps, uint64_t{1}, uint64_t{1} << 40,
                   "step budget: steps per run (switches, yield points, channel operations, ...) before it is a "
                   "livelock");
  cmd->add_flag("--verify-determinism", f.verify_determinism, "run everything twice and compare the traces");
  cmd->add_flag("--no-invariants", f.no_invariants, "skip the invariant checks at quiescent points (faster)");
  add_whole_number(cmd, "--check-every", f.check_every, 1u, 1000000u,
                   "check the invariants at every N-th quiescent point");
  cmd->add_option("--out", f.report.out_dir, "where failure reports go (replay files, timelines)");
  add_seconds(cmd, "--shrink-seconds", f.report.shrink_seconds, 0.001, 1e6,
              "wall-clock limit of one failure's shrink; past it the best schedule so far is reported");
  cmd->add_flag(
      "--no-shrink", [&f](int64_t) { f.report.shrink = false; }, "report failing schedules unshrunk");
  cmd->add_flag("--in-process", f.in_process,
                "run in this process, not in a child (for debuggers: a crash or hang of the runtime then takes "
                "gort with it)");
  add_seconds(cmd, "--run-timeout", f.run_timeout, 0.001, 1e6,
              "seconds one run may take in its child before it is killed and reported as a timeout");
}

}  // namespace

namespace gort::cli {

int cli_main(int argc, char** argv, const ScenarioList& scenarios) {
  CLI::App app{"gort: a fault-injection and conformance harness for goroutine runtimes"};
  app.require_subcommand(1);

  app.add_subcommand("list", "list the built-in scenarios with their tags");

  auto* run = app.add_subcommand("run", "run one scenario once, under one seed and strategy");
  std::string run_name;
  uint64_t run_seed = 1;
  gort::cli::RunFlags run_flags;
  run->add_option("scenario", run_name, "scenario name (see gort list)")->required();
  add_whole_number(run, "--seed", run_seed, uint64_t{0}, UINT64_MAX,
                   "the seed: in sim mode, with the strategy, the whole schedule");
  add_run_flags(run, run_flags, true);
  add_whole_number(run, "--procs", run_flags.procs, 1u, gort::kMaxProcs,
                   "GOMAXPROCS: Ps, so Ms that run goroutines at once (sim: virtual Ms whose every runtime lock "
                   "and atomic is a scheduling point)");

  auto* check = app.add_subcommand("check", "run every scenario under a budget; non-zero exit on any failure");
  gort::cli::CheckFlags check_flags;
  gort::cli::RunFlags check_run_flags;
  add_whole_number(check, "--runs", check_flags.runs, uint64_t{1}, uint64_t{100000000},
                   "runs per scenario (default: as many as --seconds allows)");
  add_seconds(check, "--seconds", check_flags.seconds, 0.0, 1e7, "time budget for the whole check (0: no limit)");
  add_whole_number(check, "--seed", check_flags.first_seed, uint64_t{0}, UINT64_MAX,
                   "first seed; run k uses seed+k (with shards, seed+k*n+i)");
  check->add_option("--shard", check_flags.shard,
                    "i/n: run shard i of n (default: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS)");
  check->add_option("--junit", check_flags.junit, "write a JUnit XML report here");
  check->add_option("--scenarios", check_flags.only, "comma-separated scenario names (default: all)");
  add_whole_number(check, "-j,--jobs", check_flags.jobs, 0u, 1024u,
                   "worker processes that run the runs (0, the default: one per online CPU); a worker that crashes "
                   "or hangs is replaced and its run reported");
  add_run_flags(check, check_run_flags, true);
  check->add_option("--procs", check_flags.procs,
                    "comma-separated GOMAXPROCS values every scenario runs at, the time budget split over them "
                    "(default: 1,2,4)");

  auto* replay = app.add_subcommand("replay", "reproduce a recorded run from its replay file");
  std::string replay_path;
  gort::cli::RunFlags replay_flags;
  replay->add_option("file", replay_path, "a replay file written by a failing run or check")->required();
  add_run_flags(replay, replay_flags, false);

  auto* arch = app.add_subcommand("archcheck", "check this CPU's trampolines against the arch contract");
  uint32_t arch_iterations = 5000;
  uint64_t arch_seed = 1;
  add_whole_number(arch, "--iterations", arch_iterations, 1u, 100000000u, "random register sets per trampoline");
  add_whole_number(arch, "--seed", arch_seed, uint64_t{0}, UINT64_MAX, "seed for the register values");

  auto* mutants = app.add_subcommand("mutants",
                                     "hunt the seeded bugs (gort/mutants.h) with every driver; run from the "
                                     "mutants build (make mutants)");
  gort::harness::MutantsOptions mutant_options;
  bool no_baseline = false;
  mutants->add_option("--mutants", mutant_options.mutants, "names or ids (default: the whole catalogue)");
  add_whole_number(mutants, "--runs", mutant_options.runs, uint64_t{1}, uint64_t{100000000},
                   "scenario schedules per strategy and mutant");
  add_seconds(mutants, "--seconds", mutant_options.seconds, 0.1, 1e6, "scenario seconds per strategy and mutant");
  add_seconds(mutants, "--binary-seconds", mutant_options.binary_seconds, 1.0, 1e6,
              "time limit of each test binary run");
  mutants->add_option("--build-dir", mutant_options.build_dir, "the mutants build (default: this gort's)");
  mutants->add_flag("--markdown", mutant_options.markdown, "also print the table as Markdown");
  mutants->add_flag("--no-baseline", no_baseline, "skip running the drivers on the correct runtime first");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "gort: %s; see gort --help\n", e.what());
    return 2;
  }
  if (app.got_subcommand("list")) return cmd_list(scenarios);
  if (app.got_subcommand(run)) return cmd_run(scenarios, run_name, run_seed, run_flags);
  if (app.got_subcommand(check)) {
    if (check_flags.runs > 0 && check->count("--seconds") == 0) check_flags.seconds = 0;
    return cmd_check(scenarios, check_flags, check_run_flags);
  }
  if (app.got_subcommand(replay)) return cmd_replay(scenarios, replay_path, replay_flags);
  if (app.got_subcommand(arch)) return cmd_archcheck(arch_iterations, arch_seed);
  if (app.got_subcommand(mutants)) {
    mutant_options.baseline = !no_baseline;
    return gort::harness::run_mutants(mutant_options);
  }
  return 2;
}

}  // namespace gort::cli

// gort/cli.h: the public entry point, for gort's main and users' binaries.
namespace gort {

int cli_main(int argc, char** argv, const std::vector<Scenario>& scenarios) {
  std::set<std::string_view> names;
  for (const Scenario& s : scenarios) {
    if (s.name == nullptr || *s.name == '\0' || !s.program) {
      fprintf(stderr, "gort: a scenario in the list has no name or no program: give each both\n");
      return 2;
    }
    if (!names.insert(s.name).second) {
      fprintf(stderr, "gort: two scenarios are named '%s': names must be unique (replay files name them)\n", s.name);
      return 2;
    }
  }
  return cli::cli_main(argc, argv, scenarios);
}

}  // namespace gort
