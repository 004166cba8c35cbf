// gort check: every scenario (or those named) under a budget of runs or
// seconds, alternating the random walk and PCT, each scenario under its
// fault plan (one run in four without injected panics); a summary table,
// JUnit XML, shards, and a failure report (shrunk schedule, replay file,
// timeline) for each scenario's first failing run.
//
// The runs go to forked worker processes (-j, isolation/worker_pool.h), so
// that a run that crashes or hangs is a failing run of kind crash or
// timeout and the check goes on; --in-process runs them here instead.
// Either way run k of a scenario is the same pure function of (scenario,
// k), and a scenario's row and report come out when all its runs are in,
// in scenario order: the output is the same for every -j, timing aside.
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <limits>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "isolation/isolated_run.h"
#include "isolation/worker_pool.h"
#include "report/junit.h"
#include "report/progress.h"
#include "report/shard.h"

namespace gort::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
double seconds_since(Clock::time_point t) { return seconds_between(t, Clock::now()); }

// The most runs one scenario gets when only a time budget is given.
constexpr uint64_t kMaxRunsPerScenario = 5000;
// Of every 8 runs (4 random walks and 4 PCT runs, alternating), the last
// two run without injected panics: a quarter of the budget reaches the
// whole program under the other faults.
constexpr uint64_t kFaultFreeEvery = 8;
// How long a worker's batch should take: long enough that the pipe and
// the scheduling cost nothing next to it, short enough that the last
// batches of a scenario spread over the workers.
constexpr double kBatchSeconds = 0.02;
constexpr uint32_t kMaxBatch = 512;

bool fault_free_run(uint64_t k) { return k % kFaultFreeEvery >= kFaultFreeEvery - 2; }

// One scenario's line of the summary, and what its report needs.
// Invariants: runs == random_runs + pct_runs == records received;
// failures <= runs; first_failing_k is the smallest failing run index
// (max when none failed).
struct Row {
  const harness::Scenario* scenario = nullptr;
  uint32_t procs = 1;
  uint64_t runs = 0, random_runs = 0, pct_runs = 0, faults = 0, failures = 0, injected_panics = 0;
  uint64_t crashes = 0, timeouts = 0;
  // The leak oracle: runs that left definite (or only possible) leaks, and
  // the first such run's first leak.
  uint64_t definite_leak_runs = 0, possible_leak_runs = 0;
  uint64_t first_leak_k = std::numeric_limits<uint64_t>::max();
  std::string first_leak;
  uint64_t first_failing_k = std::numeric_limits<uint64_t>::max();
  std::string first_failure, first_kind, replay_path;
  uint64_t first_failing_seed = 0;
  // Dispatch and timing.
  bool started = false, dispatch_done = false;
  uint64_t dispatched = 0;
  Clock::time_point first_at{}, last_at{};
  double worker_seconds = 0;  // time its batches took in the workers
  uint64_t timed_runs = 0;    // runs of the batches timed so far
  // In-process: the first failing run's outcome (no re-run needed).
  std::unique_ptr<harness::RunOutcome> first_outcome;

  void add(const harness::RunRecord& r) {
    runs++;
    (r.strategy == harness::StrategyKind::kPct ? pct_runs : random_runs)++;
    faults += r.faults;
    injected_panics += r.injected_panic;
    last_at = Clock::now();
    definite_leak_runs += r.definite_leaks > 0;
    possible_leak_runs += r.definite_leaks == 0 && r.possible_leaks > 0;
    if (!r.first_leak.empty() && r.k < first_leak_k) {
      first_leak_k = r.k;
      first_leak = r.first_leak;
    }
    if (r.ok) return;
    failures++;
    crashes += r.failure_kind == "crash";
    timeouts += r.failure_kind == "timeout";
    if (r.k < first_failing_k) {
      first_failing_k = r.k;
      first_failure = r.verdict;
      first_kind = r.failure_kind;
    }
  }
  double seconds() const { return started ? seconds_between(first_at, last_at) : 0; }
};

std::string select_scenarios(const ScenarioList& all, const std::string& only,
                             std::vector<const harness::Scenario*>* out) {
  if (only.empty()) {
    for (const auto& s : all) out->push_back(&s);
    return "";
  }
  std::stringstream names(only);
  std::string name;
  while (std::getline(names, name, ',')) {
    const harness::Scenario* s = find_in(all, name);
    if (s == nullptr) return "unknown scenario '" + name + "'; `gort list` shows the scenarios";
    out->push_back(s);
  }
  if (out->empty()) return "--scenarios names no scenario; `gort list` shows them";
  return "";
}

// Everything about the check that does not change while it runs.
// Invariant: scenarios and procs have one entry per row (a scenario at
// one GOMAXPROCS value), scenario-major: each scenario once per entry of
// procs_list, in its order.
struct Plan {
  std::vector<const harness::Scenario*> scenarios;
  std::vector<uint32_t> procs;
  std::vector<uint32_t> procs_list;  // --procs
  harness::Shard shard;
  CheckFlags check;
  RunFlags flags;
  uint64_t run_cap = 0;
  double per_scenario_seconds = 0;  // 0: runs only

  // Run k of scenario i: a pure function of (i, k).
  harness::RunSpec spec_for(uint32_t i, uint64_t k) const {
    RunFlags f = flags;
    f.procs = procs[i];
    // Alternate the strategies unless one was asked for.
    if (f.strategy == "random" && !flags.verify_determinism && k % 2 == 1) f.strategy = "pct";
    harness::RunSpec spec;
    std::string err = make_spec(*scenarios[i], shard.seed(check.first_seed, k), f, &spec);
    if (!err.empty()) {
      fprintf(stderr, "gort: %s\n", err.c_str());  // validated before the first run: a bug here
      abort();
    }
    if (!flags.faults_given && fault_free_run(k)) spec.faults = spec.faults.without_injected_panics();
    return spec;
  }

  bool time_up(const Row& row) const {
    return check.runs == 0 && per_scenario_seconds > 0 && row.started &&
           seconds_since(row.first_at) >= per_scenario_seconds;
  }
};

// How many runs the next batch of a scenario gets.
uint32_t batch_size(const Row& row, uint64_t remaining, unsigned workers) {
  uint64_t b = 4;  // until the scenario's speed is known
  if (row.timed_runs > 0 && row.worker_seconds > 0) {
    double per_run = row.worker_seconds / static_cast<double>(row.timed_runs);
    b = static_cast<uint64_t>(kBatchSeconds / per_run);
  }
  uint64_t spread = (remaining + 2 * workers - 1) / (2 * workers);  // the tail goes to every worker
  if (b > spread) b = spread;
  if (b > kMaxBatch) b = kMaxBatch;
  if (b < 1) b = 1;
  if (b > remaining) b = remaining;
  return static_cast<uint32_t>(b);
}

class Check {
 public:
  explicit Check(Plan plan) : plan_(std::move(plan)), progress_(progress_total(plan_)) {
    rows_.resize(plan_.scenarios.size());
    for (size_t i = 0; i < rows_.size(); i++) {
      rows_[i].scenario = plan_.scenarios[i];
      rows_[i].procs = plan_.procs[i];
    }
  }

  void run_in_process();
  void run_in_workers(unsigned workers);
  int summarize(double seconds, uint64_t restarts, unsigned workers);
  uint64_t restarts() const { return restarts_; }

 private:
  static uint64_t progress_total(const Plan& p) { return p.check.runs > 0 ? p.run_cap * p.scenarios.size() : 0; }
  void add(const harness::RunRecord& r) {
    rows_[r.scenario].add(r);
    progress_.update(++done_, rows_[r.scenario].scenario->name);
  }
  void report(uint32_t i);
  void print_leaks() const;

  Plan plan_;
  std::vector<Row> rows_;
  harness::ProgressBar progress_;
  uint64_t done_ = 0;
  uint64_t restarts_ = 0;  // workers restarted after a crash or a timeout
};

void Check::run_in_process() {
  gort::StackPool pool;
  harness::RunWorkspace workspace;  // every run's buffers, reused
  for (uint32_t i = 0; i < rows_.size(); i++) {
    Row& row = rows_[i];
    row.started = true;
    row.first_at = row.last_at = Clock::now();
    for (uint64_t k = 0; k < plan_.run_cap && !plan_.time_up(row); k++) {
      harness::RunSpec spec = plan_.spec_for(i, k);
      spec.pool = &pool;
      spec.workspace = &workspace;
      harness::RunOutcome out = run_checked(spec, plan_.flags.verify_determinism);
      if (!out.ok() && row.first_outcome == nullptr) row.first_outcome = std::make_unique<harness::RunOutcome>(out);
      add(harness::record_of(i, k, spec, out));
    }
    row.worker_seconds = row.seconds();
    row.timed_runs = row.runs;
    report(i);
  }
}

void Check::run_in_workers(unsigned workers) {
  const bool verify = plan_.flags.verify_determinism;
  harness::WorkerPool pool(
      workers, [this](uint32_t i, uint64_t k) { return plan_.spec_for(i, k); },
      [verify](const harness::RunSpec& s) { return run_checked(s, verify); }, plan_.flags.run_timeout);
  uint32_t dispatching = 0, reporting = 0;
  uint64_t next_k = 0;
  std::vector<harness::RunRecord> records;
  while (reporting < rows_.size()) {
    // Keep every worker fed, and a batch more queued for each.
    while (dispatching < rows_.size() && pool.queued() < pool.workers()) {
      Row& row = rows_[dispatching];
      if (!row.started) {
        row.started = true;
        row.first_at = row.last_at = Clock::now();
      }
      if (next_k >= plan_.run_cap || plan_.time_up(row)) {
        row.dispatch_done = true;
        dispatching++;
        next_k = 0;
        continue;
      }
      uint32_t n = batch_size(row, plan_.run_cap - next_k, pool.workers());
      pool.submit({dispatching, next_k, n});
      row.dispatched += n;
      next_k += n;
    }
    records.clear();
    pool.poll(&records, 20);
    for (const harness::RunRecord& r : records) {
      if (r.worker_seconds > 0) {
        rows_[r.scenario].worker_seconds += r.worker_seconds;
        rows_[r.scenario].timed_runs += r.batch_runs;
      }
      add(r);
    }
    // Every record of a scenario is in: its row and its report are final.
    while (reporting < rows_.size() && rows_[reporting].dispatch_done &&
           rows_[reporting].runs == rows_[reporting].dispatched) {
      report(reporting++);
    }
  }
  restarts_ = pool.restarts();
}

void Check::report(uint32_t i) {
  Row& row = rows_[i];
  if (row.failures == 0) return;
  progress_.finish();
  harness::RunSpec spec = plan_.spec_for(i, row.first_failing_k);
  row.first_failing_seed = spec.seed;
  harness::ReportOptions options = plan_.flags.report;
  if (row.first_outcome != nullptr) {
    printf("\n");
    row.replay_path = harness::report_failure(spec, *row.first_outcome, options);
    return;
  }
  // From a worker: run the seed again in a fresh process, which gives the
  // whole outcome (decisions, trace, dump) and shows that it reproduces;
  // shrink candidates run in fresh processes too.
  const bool verify = plan_.flags.verify_determinism;
  harness::IsolationOptions isolation;
  isolation.run_timeout_seconds = plan_.flags.run_timeout;
  harness::IsolatedRunner first(isolation, [verify](const harness::RunSpec& s) { return run_checked(s, verify); });
  harness::IsolatedRunner candidates(isolation);
  options.runner = candidates.as_function();
  harness::RunOutcome out = first.run(spec);
  printf("\n");
  if (out.ok()) {
    printf("FAIL %s (seed %" PRIu64 ", strategy %s, procs %u): %s\n", row.scenario->name, spec.seed,
           harness::strategy_name(spec.strategy), spec.procs, row.first_failure.c_str());
    printf(
        "not reproduced: the seed passed when run again in a fresh process, so the failure depends on what earlier "
        "runs left in the worker that ran it (its stack pool, its signal state); run the scenario with --in-process "
        "to reproduce it in order\n");
    return;
  }
  row.replay_path = harness::report_failure(spec, out, options);
}

// The leak oracle's findings, scenario by scenario (failures already count
// in the table when --leaks made them failures).
void Check::print_leaks() const {
  const std::string policy = plan_.flags.leaks.empty() ? "report" : plan_.flags.leaks;
  if (policy == "off") return;
  bool any = false;
  for (const Row& r : rows_) {
    if (r.definite_leak_runs + r.possible_leak_runs == 0) continue;
    if (!any) printf("\ngoroutines left blocked after main returned (--leaks=%s):\n", policy.c_str());
    any = true;
    printf("  %s procs=%u: definite leaks in %" PRIu64 " runs, possible only in %" PRIu64 "; seed %" PRIu64 ": %s\n",
           r.scenario->name, r.procs, r.definite_leak_runs, r.possible_leak_runs,
           plan_.spec_for(static_cast<uint32_t>(&r - rows_.data()), r.first_leak_k).seed, r.first_leak.c_str());
  }
  if (!any) printf("\nno goroutine left blocked after main returned (--leaks=%s)\n", policy.c_str());
}

int Check::summarize(double seconds, uint64_t restarts, unsigned workers) {
  progress_.finish();
  printf("%-20s %5s %7s %-11s %7s %13s %9s %12s\n", "scenario", "procs", "runs", "strategies", "faults", "inj. panics",
         "failures", "schedules/s");
  uint64_t total_runs = 0, total_failures = 0;
  std::vector<harness::JunitCase> cases;
  for (const Row& r : rows_) {
    std::string strategies = r.pct_runs == 0 ? "random" : r.random_runs == 0 ? "pct" : "random+pct";
    char injected[32];
    snprintf(injected, sizeof injected, "%" PRIu64 " (%.0f%%)", r.injected_panics,
             r.runs > 0 ? 100.0 * static_cast<double>(r.injected_panics) / static_cast<double>(r.runs) : 0.0);
    double s = r.seconds();
    // Runs per second of the workers' time, times the workers: the rate the
    // check reaches on this scenario alone (its wall-clock window overlaps
    // its neighbours' when workers run several scenarios at once).
    double rate =
        r.worker_seconds > 0 ? static_cast<double>(r.timed_runs) / r.worker_seconds * (workers ? workers : 1) : 0.0;
    printf("%-20s %5u %7" PRIu64 " %-11s %7" PRIu64 " %13s %9" PRIu64 " %12.0f\n", r.scenario->name, r.procs, r.runs,
           strategies.c_str(), r.faults, injected, r.failures, rate);
    total_runs += r.runs;
    total_failures += r.failures;
    harness::JunitCase c;
    c.name = r.procs == 1 ? std::string(r.scenario->name)
                          : std::string(r.scenario->name) + " procs=" + std::to_string(r.procs);
    c.seconds = s;
    c.runs = r.runs;
    if (r.failures > 0) {
      c.failure = r.first_failure;
      c.details = "seed " + std::to_string(r.first_failing_seed) + " (" + r.first_kind + "); " +
                  std::to_string(r.failures) + " of " + std::to_string(r.runs) + " runs failed";
      if (r.crashes > 0) c.details += ", " + std::to_string(r.crashes) + " of them crashed";
      if (r.timeouts > 0) c.details += ", " + std::to_string(r.timeouts) + " of them timed out";
      if (!r.replay_path.empty()) c.details += "; reproduce: gort replay " + r.replay_path;
    }
    cases.push_back(c);
  }
  print_leaks();
  const harness::Shard& shard = plan_.shard;
  if (shard.total > 1)
    printf("shard %u of %u (seeds %" PRIu64 " + k*%u + %u)\n", shard.index, shard.total, plan_.check.first_seed,
           shard.total, shard.index);
  if (workers == 0) {
    printf("in-process: every run in this process\n");
  } else {
    printf("%u worker process%s", workers, workers == 1 ? "" : "es");
    if (restarts > 0) printf(", %" PRIu64 " restarted after a crash or a timeout", restarts);
    printf("\n");
  }
  std::string procs_text;
  for (uint32_t n : plan_.procs_list) procs_text += (procs_text.empty() ? "" : ",") + std::to_string(n);
  printf("\n%s: %zu scenarios at procs %s, %" PRIu64 " runs, %" PRIu64 " failing, %.2f s\n",
         total_failures == 0 ? "ok" : "FAILED", rows_.size() / plan_.procs_list.size(), procs_text.c_str(), total_runs,
         total_failures, seconds);
  if (!plan_.check.junit.empty()) {
    if (std::string err = harness::write_junit(plan_.check.junit, "gort check", cases); !err.empty()) {
      fprintf(stderr, "gort: %s\n", err.c_str());
      return 2;
    }
    printf("JUnit XML: %s\n", plan_.check.junit.c_str());
  }
  return total_failures == 0 ? 0 : 1;
}

}  // namespace

std::string parse_procs_list(const std::string& text, std::vector<uint32_t>* out) {
  out->clear();
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    bool digits = !item.empty() && item.size() <= 3 && item.find_first_not_of("0123456789") == std::string::npos;
    uint32_t n = digits ? static_cast<uint32_t>(std::stoul(item)) : 0;
    if (n < 1 || n > kMaxProcs) {
      return "--procs: '" + item + "' is not a whole number from 1 to " + std::to_string(kMaxProcs) +
             " (a comma-separated list, e.g. 1,2,4)";
    }
    for (uint32_t seen : *out) {
      if (seen == n) return "--procs: " + item + " is listed twice";
    }
    out->push_back(n);
  }
  if (out->empty() || text.back() == ',') return "--procs: '" + text + "' names no GOMAXPROCS value (e.g. 1,2,4)";
  return "";
}

int cmd_check(const ScenarioList& all, const CheckFlags& check, const RunFlags& flags) {
  Plan plan;
  plan.check = check;
  plan.flags = flags;
  if (!check.shard.empty()) {
    if (std::string err = harness::parse_shard(check.shard, &plan.shard); !err.empty()) return bad_input(err);
  } else if (std::string err = harness::shard_from_environment(&plan.shard); !err.empty()) {
    return bad_input(err);
  }
  std::vector<const harness::Scenario*> selected;
  if (std::string err = select_scenarios(all, check.only, &selected); !err.empty()) return bad_input(err);
  if (selected.empty()) return bad_input("no scenarios to check");
  if (std::string err = parse_procs_list(check.procs, &plan.procs_list); !err.empty()) return bad_input(err);
  for (const harness::Scenario* s : selected) {
    for (uint32_t n : plan.procs_list) {
      plan.scenarios.push_back(s);
      plan.procs.push_back(n);
    }
  }
  if (flags.strategy == "dfs") return bad_input("check runs random and pct; use gort run SCENARIO --strategy dfs");
  // Validate the flags once, on the first scenario, before any run.
  {
    harness::RunSpec probe;
    if (std::string err = make_spec(*plan.scenarios.front(), 1, flags, &probe); !err.empty()) return bad_input(err);
  }
  plan.per_scenario_seconds = check.seconds > 0 ? check.seconds / static_cast<double>(plan.scenarios.size()) : 0;
  plan.run_cap = check.runs > 0 ? check.runs : kMaxRunsPerScenario;
  unsigned workers = check.jobs;
  if (workers == 0) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    workers = online > 0 ? static_cast<unsigned>(online) : 1;
  }

  auto start = Clock::now();
  Check run(std::move(plan));
  if (flags.in_process) {
    run.run_in_process();
    return run.summarize(seconds_since(start), 0, 0);
  }
  run.run_in_workers(workers);
  return run.summarize(seconds_since(start), run.restarts(), workers);
}

}  // namespace gort::cli
