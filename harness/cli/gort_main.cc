// The gort command line: gort list | run | check | archcheck.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "arch/arch.h"
#include "archcheck/archcheck.h"
#include "scenario/scenario.h"

namespace {

using gort::harness::Scenario;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int cmd_list() {
  printf("%-18s %-28s %s\n", "SCENARIO", "TAGS", "WHAT");
  for (const auto& s : gort::harness::all_scenarios()) printf("%-18s %-28s %s\n", s.name, s.tags, s.what);
  return 0;
}

const Scenario* scenario_or_error(const std::string& name) {
  const Scenario* s = gort::harness::find_scenario(name);
  if (s == nullptr) fprintf(stderr, "gort: unknown scenario '%s'; `gort list` shows the scenarios\n", name.c_str());
  return s;
}

int cmd_run(const std::string& name, uint64_t seed) {
  const Scenario* s = scenario_or_error(name);
  if (s == nullptr) return 2;
  gort::Result r = gort::harness::run_scenario(*s, seed);
  std::string verdict = gort::harness::judge(*s, r);
  if (!r.output.empty()) fputs(r.output.c_str(), stdout);
  printf("%s seed %" PRIu64 ": %s (exit status %d, %" PRIu64 " goroutines, %" PRIu64 " switches)\n", s->name, seed,
         verdict.empty() ? "as expected" : verdict.c_str(), r.exit_status, r.goroutines_created, r.switches);
  return verdict.empty() ? 0 : 1;
}

struct CheckRow {
  const Scenario* scenario = nullptr;
  uint64_t runs = 0;
  uint64_t failures = 0;
  uint64_t first_failing_seed = 0;
  std::string first_failure;
  double seconds = 0;
};

int cmd_check(uint64_t runs, uint64_t first_seed) {
  std::vector<CheckRow> rows;
  gort::StackPool pool;
  auto start = Clock::now();
  for (const auto& s : gort::harness::all_scenarios()) {
    CheckRow row;
    row.scenario = &s;
    auto t = Clock::now();
    for (uint64_t i = 0; i < runs; i++) {
      uint64_t seed = first_seed + i;
      std::string verdict = gort::harness::judge(s, gort::harness::run_scenario(s, seed, &pool));
      row.runs++;
      if (!verdict.empty() && row.failures++ == 0) {
        row.first_failing_seed = seed;
        row.first_failure = verdict;
      }
    }
    row.seconds = seconds_since(t);
    rows.push_back(row);
  }
  printf("%-18s %8s %9s %13s\n", "scenario", "runs", "failures", "schedules/s");
  uint64_t total_runs = 0, total_failures = 0;
  for (const auto& r : rows) {
    printf("%-18s %8" PRIu64 " %9" PRIu64 " %13.0f\n", r.scenario->name, r.runs, r.failures,
           r.seconds > 0 ? static_cast<double>(r.runs) / r.seconds : 0.0);
    total_runs += r.runs;
    total_failures += r.failures;
  }
  for (const auto& r : rows) {
    if (r.failures == 0) continue;
    printf("\nFAIL %s: %s\n  reproduce: gort run %s --seed %" PRIu64 "\n", r.scenario->name, r.first_failure.c_str(),
           r.scenario->name, r.first_failing_seed);
  }
  printf("\n%s: %zu scenarios, %" PRIu64 " runs, %" PRIu64 " failing, %.2f s\n", total_failures == 0 ? "ok" : "FAILED",
         rows.size(), total_runs, total_failures, seconds_since(start));
  return total_failures == 0 ? 0 : 1;
}

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gort: a fault-injection and conformance harness for goroutine runtimes"};
  app.require_subcommand(1);

  app.add_subcommand("list", "list the built-in scenarios");

  auto* run = app.add_subcommand("run", "run one scenario once, under one seed");
  std::string run_name;
  uint64_t run_seed = 1;
  run->add_option("scenario", run_name, "scenario name (see gort list)")->required();
  run->add_option("--seed", run_seed, "the seed: in sim mode, the whole schedule");

  auto* check = app.add_subcommand("check", "run every scenario under many seeds; non-zero exit on any failure");
  uint64_t check_runs = 500, check_seed = 1;
  check->add_option("--runs", check_runs, "runs per scenario")->check(CLI::Range(uint64_t{1}, uint64_t{100000000}));
  check->add_option("--seed", check_seed, "first seed; run i uses seed+i");

  auto* arch = app.add_subcommand("archcheck", "check this CPU's trampolines against the arch contract");
  uint32_t arch_iterations = 5000;
  uint64_t arch_seed = 1;
  arch->add_option("--iterations", arch_iterations, "random register sets per trampoline")
      ->check(CLI::Range(1u, 100000000u));
  arch->add_option("--seed", arch_seed, "seed for the register values");

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
  if (app.got_subcommand("list")) return cmd_list();
  if (app.got_subcommand(run)) return cmd_run(run_name, run_seed);
  if (app.got_subcommand(check)) return cmd_check(check_runs, check_seed);
  if (app.got_subcommand(arch)) return cmd_archcheck(arch_iterations, arch_seed);
  return 2;
}
