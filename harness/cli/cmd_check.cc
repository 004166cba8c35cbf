// gort check: every scenario (or those named) under a budget of runs or
// seconds, alternating the random walk and PCT, each scenario under its
// fault plan; a summary table, JUnit XML, shards, a failure report (shrunk
// schedule, replay file, timeline) for each scenario's first failure.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "report/junit.h"
#include "report/progress.h"
#include "report/shard.h"

namespace gort::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The most runs one scenario gets when only a time budget is given.
constexpr uint64_t kMaxRunsPerScenario = 5000;

struct Row {
  const harness::Scenario* scenario = nullptr;
  uint64_t runs = 0, random_runs = 0, pct_runs = 0, faults = 0, failures = 0;
  double seconds = 0;
  std::string first_failure, replay_path;
  uint64_t first_failing_seed = 0;
};

std::string select_scenarios(const std::string& only, std::vector<const harness::Scenario*>* out) {
  if (only.empty()) {
    for (const auto& s : harness::all_scenarios()) out->push_back(&s);
    return "";
  }
  std::stringstream names(only);
  std::string name;
  while (std::getline(names, name, ',')) {
    const harness::Scenario* s = harness::find_scenario(name);
    if (s == nullptr) return "unknown scenario '" + name + "'; `gort list` shows the scenarios";
    out->push_back(s);
  }
  return "";
}

}  // namespace

int cmd_check(const CheckFlags& check, const RunFlags& flags) {
  harness::Shard shard;
  if (!check.shard.empty()) {
    if (std::string err = harness::parse_shard(check.shard, &shard); !err.empty()) return bad_input(err);
  } else if (std::string err = harness::shard_from_environment(&shard); !err.empty()) {
    return bad_input(err);
  }
  std::vector<const harness::Scenario*> scenarios;
  if (std::string err = select_scenarios(check.only, &scenarios); !err.empty()) return bad_input(err);
  if (flags.strategy == "dfs") return bad_input("check runs random and pct; use gort run SCENARIO --strategy dfs");
  // Validate the flags once, on the first scenario, before any run.
  {
    harness::RunSpec probe;
    if (std::string err = make_spec(*scenarios.front(), 1, flags, &probe); !err.empty()) return bad_input(err);
  }
  const double per_scenario = check.seconds > 0 ? check.seconds / static_cast<double>(scenarios.size()) : 0;
  const uint64_t run_cap = check.runs > 0 ? check.runs : kMaxRunsPerScenario;

  gort::StackPool pool;
  harness::RunWorkspace workspace;  // every run's buffers, reused
  std::vector<Row> rows;
  harness::ProgressBar progress(check.runs > 0 ? run_cap * scenarios.size() : 0);
  uint64_t done = 0;
  auto start = Clock::now();
  for (const harness::Scenario* s : scenarios) {
    Row row;
    row.scenario = s;
    auto t = Clock::now();
    for (uint64_t k = 0; k < run_cap; k++) {
      if (check.runs == 0 && per_scenario > 0 && seconds_since(t) >= per_scenario) break;
      RunFlags f = flags;
      // Alternate the strategies unless one was asked for.
      if (f.strategy == "random" && !flags.verify_determinism && k % 2 == 1) f.strategy = "pct";
      harness::RunSpec spec;
      make_spec(*s, shard.seed(check.first_seed, k), f, &spec);
      spec.pool = &pool;
      spec.workspace = &workspace;
      harness::RunOutcome out = run_checked(spec, flags.verify_determinism);
      row.runs++;
      (spec.strategy == harness::StrategyKind::kPct ? row.pct_runs : row.random_runs)++;
      row.faults += out.faults_fired.size();
      if (!out.ok() && row.failures++ == 0) {
        progress.finish();
        row.first_failing_seed = spec.seed;
        row.first_failure = out.verdict;
        row.replay_path = harness::report_failure(spec, out, flags.report);
        printf("\n");
      }
      progress.update(++done, s->name);
    }
    row.seconds = seconds_since(t);
    rows.push_back(row);
  }
  progress.finish();

  printf("%-20s %7s %-11s %7s %9s %12s\n", "scenario", "runs", "strategies", "faults", "failures", "schedules/s");
  uint64_t total_runs = 0, total_failures = 0;
  std::vector<harness::JunitCase> cases;
  for (const Row& r : rows) {
    std::string strategies = r.pct_runs == 0 ? "random" : r.random_runs == 0 ? "pct" : "random+pct";
    printf("%-20s %7" PRIu64 " %-11s %7" PRIu64 " %9" PRIu64 " %12.0f\n", r.scenario->name, r.runs, strategies.c_str(),
           r.faults, r.failures, r.seconds > 0 ? static_cast<double>(r.runs) / r.seconds : 0.0);
    total_runs += r.runs;
    total_failures += r.failures;
    harness::JunitCase c;
    c.name = r.scenario->name;
    c.seconds = r.seconds;
    c.runs = r.runs;
    if (r.failures > 0) {
      c.failure = r.first_failure;
      c.details = "seed " + std::to_string(r.first_failing_seed) + "; " + std::to_string(r.failures) + " of " +
                  std::to_string(r.runs) + " runs failed" +
                  (r.replay_path.empty() ? "" : "; reproduce: gort replay " + r.replay_path);
    }
    cases.push_back(c);
  }
  if (shard.total > 1)
    printf("shard %u of %u (seeds %" PRIu64 " + k*%u + %u)\n", shard.index, shard.total, check.first_seed, shard.total,
           shard.index);
  printf("\n%s: %zu scenarios, %" PRIu64 " runs, %" PRIu64 " failing, %.2f s\n", total_failures == 0 ? "ok" : "FAILED",
         rows.size(), total_runs, total_failures, seconds_since(start));
  if (!check.junit.empty()) {
    if (std::string err = harness::write_junit(check.junit, "gort check", cases); !err.empty()) {
      fprintf(stderr, "gort: %s\n", err.c_str());
      return 2;
    }
    printf("JUnit XML: %s\n", check.junit.c_str());
  }
  return total_failures == 0 ? 0 : 1;
}

}  // namespace gort::cli
