// The gort command line: gort list | run | check | replay | archcheck.
// Each subcommand lives in its own file (commands.h); this one parses.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "arch/arch.h"
#include "archcheck/archcheck.h"
#include "cli/commands.h"
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

// Flags every scheduling subcommand shares.
void add_run_flags(CLI::App* cmd, gort::cli::RunFlags& f, bool with_strategy) {
  if (with_strategy) {
    cmd->add_option("--strategy", f.strategy,
                    "random (seeded random walk), pct (priority change points) or, with run, dfs (every schedule "
                    "up to --depth preemptions)");
    cmd->add_option("--depth", f.depth, "PCT's depth d (d-1 priority change points); dfs's preemption bound")
        ->check(CLI::Range(0u, 64u));
    cmd->add_option("--dfs-runs", f.dfs_runs, "dfs: schedules at most")
        ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
    cmd->add_option("--faults", f.faults,
                    "fault plan, e.g. panic-at-yield:p=0.05,clock-jump:at=3/7 (\"\" for none; default: the "
                    "scenario's own)")
        ->each([&f](const std::string&) { f.faults_given = true; });
  }
  cmd->add_option("--max-steps,--max-switches", f.max_steps,
                  "step budget: steps per run (switches, yield points, channel operations, ...) before it is a "
                  "livelock")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40));
  cmd->add_flag("--verify-determinism", f.verify_determinism, "run everything twice and compare the traces");
  cmd->add_flag("--no-invariants", f.no_invariants, "skip the invariant checks at quiescent points (faster)");
  cmd->add_option("--check-every", f.check_every, "check the invariants at every N-th quiescent point")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--out", f.report.out_dir, "where failure reports go (replay files, timelines)");
  cmd->add_option("--shrink-seconds", f.report.shrink_seconds,
                  "wall-clock limit of one failure's shrink; past it the best schedule so far is reported")
      ->check(CLI::Range(0.001, 1e6));
  cmd->add_flag(
      "--no-shrink", [&f](int64_t) { f.report.shrink = false; }, "report failing schedules unshrunk");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gort: a fault-injection and conformance harness for goroutine runtimes"};
  app.require_subcommand(1);

  app.add_subcommand("list", "list the built-in scenarios with their tags");

  auto* run = app.add_subcommand("run", "run one scenario once, under one seed and strategy");
  std::string run_name;
  uint64_t run_seed = 1;
  gort::cli::RunFlags run_flags;
  run->add_option("scenario", run_name, "scenario name (see gort list)")->required();
  run->add_option("--seed", run_seed, "the seed: in sim mode, with the strategy, the whole schedule");
  add_run_flags(run, run_flags, true);

  auto* check = app.add_subcommand("check", "run every scenario under a budget; non-zero exit on any failure");
  gort::cli::CheckFlags check_flags;
  gort::cli::RunFlags check_run_flags;
  check->add_option("--runs", check_flags.runs, "runs per scenario (default: as many as --seconds allows)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  check->add_option("--seconds", check_flags.seconds, "time budget for the whole check (0: no limit)")
      ->check(CLI::Range(0.0, 1e7));
  check->add_option("--seed", check_flags.first_seed, "first seed; run k uses seed+k (with shards, seed+k*n+i)");
  check->add_option("--shard", check_flags.shard,
                    "i/n: run shard i of n (default: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS)");
  check->add_option("--junit", check_flags.junit, "write a JUnit XML report here");
  check->add_option("--scenarios", check_flags.only, "comma-separated scenario names (default: all)");
  add_run_flags(check, check_run_flags, true);

  auto* replay = app.add_subcommand("replay", "reproduce a recorded run from its replay file");
  std::string replay_path;
  gort::cli::RunFlags replay_flags;
  replay->add_option("file", replay_path, "a replay file written by a failing run or check")->required();
  add_run_flags(replay, replay_flags, false);

  auto* arch = app.add_subcommand("archcheck", "check this CPU's trampolines against the arch contract");
  uint32_t arch_iterations = 5000;
  uint64_t arch_seed = 1;
  arch->add_option("--iterations", arch_iterations, "random register sets per trampoline")
      ->check(CLI::Range(1u, 100000000u));
  arch->add_option("--seed", arch_seed, "seed for the register values");

  auto* mutants = app.add_subcommand("mutants",
                                     "hunt the seeded bugs (gort/mutants.h) with every driver; run from the "
                                     "mutants build (make mutants)");
  gort::harness::MutantsOptions mutant_options;
  bool no_baseline = false;
  mutants->add_option("--mutants", mutant_options.mutants, "names or ids (default: the whole catalogue)");
  mutants->add_option("--runs", mutant_options.runs, "scenario schedules per strategy and mutant")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  mutants->add_option("--seconds", mutant_options.seconds, "scenario seconds per strategy and mutant")
      ->check(CLI::Range(0.1, 1e6));
  mutants->add_option("--binary-seconds", mutant_options.binary_seconds, "time limit of each test binary run")
      ->check(CLI::Range(1.0, 1e6));
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
  if (app.got_subcommand("list")) return gort::cli::cmd_list();
  if (app.got_subcommand(run)) return gort::cli::cmd_run(run_name, run_seed, run_flags);
  if (app.got_subcommand(check)) {
    if (check_flags.runs > 0 && check->count("--seconds") == 0) check_flags.seconds = 0;
    return gort::cli::cmd_check(check_flags, check_run_flags);
  }
  if (app.got_subcommand(replay)) return gort::cli::cmd_replay(replay_path, replay_flags);
  if (app.got_subcommand(arch)) return cmd_archcheck(arch_iterations, arch_seed);
  if (app.got_subcommand(mutants)) {
    mutant_options.baseline = !no_baseline;
    return gort::harness::run_mutants(mutant_options);
  }
  return 2;
}
