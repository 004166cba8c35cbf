// gort list, gort run: one scenario, one seed, one strategy.
#include <cinttypes>
#include <cstdio>

#include "cli/commands.h"
#include "isolation/isolated_run.h"
#include "scenario/leaks.h"
#include "strategy/bounded_dfs.h"
#include "strategy/trace.h"

namespace gort::cli {

int bad_input(const std::string& what) {
  fprintf(stderr, "gort: %s\n", what.c_str());
  return 2;
}

const harness::Scenario* find_in(const ScenarioList& scenarios, const std::string& name) {
  for (const harness::Scenario& s : scenarios) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

int cmd_list(const ScenarioList& scenarios) {
  printf("%-20s %-28s %s\n", "SCENARIO", "TAGS", "WHAT");
  for (const auto& s : scenarios) printf("%-20s %-28s %s\n", s.name, s.tags, s.what);
  return 0;
}

std::string make_spec(const harness::Scenario& s, uint64_t seed, const RunFlags& flags, harness::RunSpec* spec) {
  spec->scenario = &s;
  spec->seed = seed;
  if (!harness::parse_strategy(flags.strategy, &spec->strategy) || spec->strategy == harness::StrategyKind::kReplay) {
    return "unknown strategy '" + flags.strategy + "': use random, pct or dfs (gort replay FILE replays)";
  }
  if (spec->strategy == harness::StrategyKind::kPct && (flags.depth < 1 || flags.depth > 64)) {
    return "--depth " + std::to_string(flags.depth) + ": PCT's depth is 1..64";
  }
  std::string plan_text =
      flags.faults_given ? flags.faults : (s.faults != nullptr ? s.faults : harness::kDefaultScenarioFaults);
  harness::FaultPlanParse plan = harness::FaultPlan::parse(plan_text);
  if (!plan.ok()) return "--faults: " + plan.error;
  spec->faults = plan.plan;
  spec->depth = flags.depth;
  spec->max_steps = flags.max_steps;
  spec->procs = flags.procs;  // 1..kMaxProcs: the flag's parser checked it
  spec->check_invariants = !flags.no_invariants;
  spec->check_every = flags.check_every;
  const std::string leaks =
      !flags.leaks.empty() ? flags.leaks : (spec->strategy == harness::StrategyKind::kDfs ? "off" : "report");
  if (!harness::parse_leak_policy(leaks, &spec->leaks)) {
    return "--leaks '" + flags.leaks + "': use off, report, definite or all";
  }
  return "";
}

harness::RunOutcome run_checked(const harness::RunSpec& spec, bool verify_determinism) {
  if (!verify_determinism) return harness::run_scenario_once(spec);
  harness::RunSpec traced = spec;
  traced.keep_trace = true;  // to name where the two runs part
  harness::RunOutcome first = harness::run_scenario_once(traced);
  harness::RunOutcome second = harness::run_scenario_once(traced);
  if (second.trace_hash == first.trace_hash && second.result.output == first.result.output) return first;
  // Name the first step where the two runs differ (their kept traces).
  std::optional<harness::TraceDifference> d = harness::first_difference(first.trace_tail, second.trace_tail);
  first.failure_kind = "determinism";
  first.verdict = "not deterministic: the same seed gave two different runs";
  if (d) first.verdict += "; first difference at " + d->what;
  return first;
}

namespace {

// --strategy dfs: every schedule with at most --depth preemptions (all
// options of the other decisions), up to --dfs-runs runs; stops at the
// first failure.
int explore(harness::RunSpec spec, const RunFlags& flags) {
  harness::BoundedDfs dfs(spec.depth, spec.faults);
  spec.dfs = &dfs;
  harness::RunWorkspace workspace;
  spec.workspace = &workspace;
  uint64_t runs = 0;
  while (!dfs.exhausted() && runs < flags.dfs_runs) {
    harness::RunOutcome out = harness::run_scenario_once(spec);
    runs++;
    if (!out.ok()) {
      printf("dfs: schedule %" PRIu64 " fails\n", runs);
      IsolatedRuns isolated(flags);  // the shrink's replays may crash where this run did not
      harness::report_failure(spec, out, isolated.report_options());
      return 1;
    }
    dfs.next();
  }
  printf("dfs: %s: %" PRIu64 " schedules with at most %u preemptions, all ok%s\n", spec.scenario->name, runs,
         spec.depth, dfs.exhausted() ? " (exhaustive)" : " (stopped at --dfs-runs; not exhaustive)");
  if (dfs.truncated())
    printf("dfs: some runs asked more than %zu questions; their tails were not enumerated\n",
           harness::kDfsDefaultMaxDepth);
  return 0;
}

// The leak oracle's census of a drained run: each goroutine left, judged,
// with its dump.
void print_leftover(const Result& r) {
  if (r.leftover.empty()) return;
  printf("%zu goroutine%s left after main returned (%s):\n", r.leftover.size(), r.leftover.size() == 1 ? "" : "s",
         r.drained ? "the drain ended with nothing left to run" : "the drain's steps ran out");
  for (const Leftover& l : r.leftover) printf("\n%s\n%s", harness::describe_leak(l).c_str(), l.dump.c_str());
  printf("\n");
}

}  // namespace

int cmd_run(const ScenarioList& scenarios, const std::string& name, uint64_t seed, const RunFlags& flags) {
  const harness::Scenario* s = find_in(scenarios, name);
  if (s == nullptr) return bad_input("unknown scenario '" + name + "'; `gort list` shows the scenarios");
  harness::RunSpec spec;
  if (std::string err = make_spec(*s, seed, flags, &spec); !err.empty()) return bad_input(err);
  if (spec.strategy == harness::StrategyKind::kDfs) return explore(spec, flags);
  IsolatedRuns isolated(flags);
  harness::RunOutcome out = isolated.run_checked(spec);
  if (!out.result.output.empty()) fputs(out.result.output.c_str(), stdout);
  printf("%s seed %" PRIu64 " (%s): exit status %d, %" PRIu64 " goroutines, %" PRIu64 " switches, %" PRIu64
         " steps, %zu decisions, %zu faults fired, %" PRIu64 " invariant checks, trace hash %016" PRIx64 "\n",
         s->name, seed, harness::strategy_name(spec.strategy), out.result.exit_status, out.result.goroutines_created,
         out.result.switches, out.result.steps, out.decisions.size(), out.faults_fired.size(), out.checks,
         out.trace_hash);
  print_leftover(out.result);
  if (out.ok()) {
    printf("ok: as the scenario expects%s\n", out.result.panic.rfind("injected panic at ", 0) == 0
                                                  ? " (ended in the injected panic, which it tolerates)"
                                                  : "");
    return 0;
  }
  harness::report_failure(spec, out, isolated.report_options());
  return 1;
}

IsolatedRuns::IsolatedRuns(const RunFlags& flags) : flags_(flags) {
  if (flags.in_process) return;
  harness::IsolationOptions options;
  options.run_timeout_seconds = flags.run_timeout;
  const bool verify = flags.verify_determinism;
  checked_ = std::make_unique<harness::IsolatedRunner>(
      options, [verify](const harness::RunSpec& s) { return cli::run_checked(s, verify); });
  plain_ = std::make_unique<harness::IsolatedRunner>(options);
}

IsolatedRuns::~IsolatedRuns() = default;

harness::RunOutcome IsolatedRuns::run_checked(const harness::RunSpec& spec) {
  if (checked_ == nullptr) return cli::run_checked(spec, flags_.verify_determinism);
  return checked_->run(spec);
}

harness::ReportOptions IsolatedRuns::report_options() {
  harness::ReportOptions options = flags_.report;
  if (plain_ != nullptr) options.runner = plain_->as_function();
  return options;
}

}  // namespace gort::cli
