// gort/check.h on the harness' session layer: the program becomes a
// scenario of its own, each run a RunSpec run by run_scenario_once (in a
// forked child with Options::isolate), each failure reported by
// make_failure_report, so the API finds, shrinks and replays exactly as
// `gort check` and `gort replay` do.
#include "gort/check.h"

#include <cassert>
#include <chrono>
#include <cinttypes>
#include <cstdlib>
#include <memory>

#include "isolation/isolated_run.h"
#include "session/failure_report.h"
#include "session/scenario_run.h"
#include "strategy/bounded_dfs.h"
#include "strategy/replay_file.h"

namespace gort::check {
namespace {

using Clock = std::chrono::steady_clock;

// The most procs a run may have (gort::kMaxProcs).
constexpr uint32_t kMaxProcsOption = 64;
// Options::name: what a replay file and its path may carry.
constexpr size_t kMaxNameLength = 200;

harness::StrategyKind to_kind(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return harness::StrategyKind::kRandom;
    case Strategy::kPct:
      return harness::StrategyKind::kPct;
    case Strategy::kDfs:
      return harness::StrategyKind::kDfs;
  }
  throw Error("gort::check: unknown strategy value: use Strategy::kRandom, kPct or kDfs");
}

Strategy from_kind(harness::StrategyKind k) {
  if (k == harness::StrategyKind::kPct) return Strategy::kPct;
  if (k == harness::StrategyKind::kDfs) return Strategy::kDfs;
  return Strategy::kRandom;
}

bool name_ok(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Throws Error naming the first bad option and what to do.
void validate(const Options& o) {
  if (o.runs == 0 && o.seconds <= 0) throw Error("gort::check: Options::runs and seconds are both 0: set a budget");
  if (o.seconds < 0) throw Error("gort::check: Options::seconds is negative: use 0 for no time limit");
  if (o.strategies.empty()) throw Error("gort::check: Options::strategies is empty: name at least one");
  for (Strategy s : o.strategies) {
    (void)to_kind(s);
    if (s == Strategy::kDfs && o.strategies.size() != 1) {
      throw Error("gort::check: Strategy::kDfs enumerates on its own: make it the only strategy");
    }
  }
  if (o.pct_depth < 1 || o.pct_depth > 64) throw Error("gort::check: Options::pct_depth must be 1..64");
  if (o.procs.empty()) throw Error("gort::check: Options::procs is empty: use {1} for one P");
  for (uint32_t p : o.procs) {
    if (p < 1 || p > kMaxProcsOption) throw Error("gort::check: Options::procs values must be 1..64");
  }
  if (o.max_steps == 0) throw Error("gort::check: Options::max_steps must be at least 1");
  if (o.stack_size < 16 * 1024) throw Error("gort::check: Options::stack_size must be at least 16 KiB");
  if (o.isolate && o.run_timeout_seconds <= 0) {
    throw Error("gort::check: Options::run_timeout_seconds must be positive");
  }
  if (o.max_failures == 0) throw Error("gort::check: Options::max_failures must be at least 1");
  if (!name_ok(o.name)) {
    throw Error("gort::check: Options::name '" + o.name +
                "' must be 1-200 letters, digits, '-', '_' or '.' (it names replay files)");
  }
  if (o.out_dir.empty()) throw Error("gort::check: Options::out_dir is empty: name a directory for replay files");
}

harness::FaultPlan parse_faults(const std::string& text) {
  harness::FaultPlanParse plan = harness::FaultPlan::parse(text);
  if (!plan.ok()) throw Error("gort::check: Options::faults: " + plan.error);
  return plan.plan;
}

// The program as a scenario: the strings it points to live in options.
harness::Scenario as_scenario(std::function<void()> program, const Options& o) {
  harness::Scenario s{};
  s.name = o.name.c_str();
  s.tags = "";
  s.what = "a program explored through gort/check.h";
  s.program = std::move(program);
  s.expect.exit_status = o.expect_exit_status;
  s.expect.fatal_error = o.expect_fatal_error.c_str();
  s.expect.panic = o.expect_panic.c_str();
  s.stack_size = o.stack_size;
  return s;
}

harness::RunSpec base_spec(const harness::Scenario& s, const Options& o) {
  harness::RunSpec spec;
  spec.scenario = &s;
  spec.max_steps = o.max_steps;
  spec.check_invariants = o.invariants;
  spec.depth = o.pct_depth;
  spec.leaks = o.leaks;
  return spec;
}

// How runs are run: forked children, or this process.
class Runs {
 public:
  explicit Runs(const Options& o) {
    if (!o.isolate) return;
    harness::IsolationOptions iso;
    iso.run_timeout_seconds = o.run_timeout_seconds;
    isolated_ = std::make_unique<harness::IsolatedRunner>(iso);
  }
  harness::RunOutcome run(const harness::RunSpec& spec) {
    // DFS's enumeration lives in this process: its runs cannot be forked.
    if (isolated_ == nullptr || spec.strategy == harness::StrategyKind::kDfs) {
      return harness::run_scenario_once(spec);
    }
    return isolated_->run(spec);
  }
  harness::RunFunction runner() {
    if (isolated_ == nullptr) return nullptr;
    return isolated_->as_function();
  }

 private:
  std::unique_ptr<harness::IsolatedRunner> isolated_;
};

Failure make_failure(const harness::RunSpec& spec, const harness::RunOutcome& out, uint64_t run, Runs& runs,
                     const Options& o) {
  harness::ReportOptions ro;
  ro.out_dir = o.out_dir;
  ro.shrink = o.shrink && spec.strategy != harness::StrategyKind::kDfs;
  ro.shrink_seconds = o.shrink_seconds > 0 ? o.shrink_seconds : 1;
  ro.runner = runs.runner();
  ro.print = false;
  ro.reproduce = o.reproduce;
  harness::FailureReport fr = harness::make_failure_report(spec, out, ro);
  Failure f;
  f.kind = out.failure_kind;
  f.verdict = out.verdict;
  f.seed = spec.seed;
  f.strategy = from_kind(spec.strategy);
  f.procs = spec.procs;
  f.run = run;
  f.replay_file = fr.replay_path;
  f.timeline_file = fr.trace_path;
  f.schedule = fr.schedule;
  f.dump = fr.dump.empty() ? out.dump : fr.dump;
  f.report = fr.text;
  return f;
}

uint64_t seed_from_environment(uint64_t seed) {
  const char* env = getenv("GORT_SEED");
  if (env == nullptr || seed != kDefaultSeed) return seed;
  char* end = nullptr;
  const unsigned long long v = strtoull(env, &end, 10);
  if (end == env || *end != '\0') throw Error(std::string("GORT_SEED='") + env + "' is not a whole number");
  return v;
}

Report explore_dfs(const harness::Scenario& s, const harness::FaultPlan& faults, const Options& o, Runs& runs) {
  Report report;
  const Clock::time_point start = Clock::now();
  harness::BoundedDfs dfs(o.dfs_preemptions, faults);
  harness::RunSpec spec = base_spec(s, o);
  spec.strategy = harness::StrategyKind::kDfs;
  spec.dfs = &dfs;
  spec.faults = faults;
  spec.procs = o.procs.front();
  spec.seed = seed_from_environment(o.seed);
  spec.depth = o.dfs_preemptions;
  while (!dfs.exhausted()) {
    if (o.runs != 0 && report.runs >= o.runs) break;
    if (o.seconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() >= o.seconds) break;
    harness::RunOutcome out = runs.run(spec);
    if (!out.ok()) {
      report.failures.push_back(make_failure(spec, out, report.runs, runs, o));
      if (report.failures.size() >= o.max_failures) {
        report.runs++;
        break;
      }
    }
    report.runs++;
    dfs.next();
  }
  report.exhausted = dfs.exhausted();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace

const char* strategy_name(Strategy s) { return harness::strategy_name(to_kind(s)); }

std::string Report::text() const {
  char line[160];
  snprintf(line, sizeof line, "gort: %" PRIu64 " run%s in %.2f s%s, %zu failing\n", runs, runs == 1 ? "" : "s", seconds,
           exhausted ? " (every schedule within the bound)" : "", failures.size());
  std::string out = line;
  for (const Failure& f : failures) out += f.report;
  return out;
}

Report explore(std::function<void()> program, const Options& options) {
  if (!program) throw Error("gort::check::explore: the program is empty: pass a callable");
  validate(options);
  if (const char* path = getenv("GORT_REPLAY"); path != nullptr && *path != '\0') {
    return replay(std::move(program), path, options);
  }
  const harness::FaultPlan faults = parse_faults(options.faults);
  const uint64_t first_seed = seed_from_environment(options.seed);
  harness::Scenario s = as_scenario(std::move(program), options);
  Runs runs(options);
  if (options.strategies.front() == Strategy::kDfs) return explore_dfs(s, faults, options, runs);

  Report report;
  const Clock::time_point start = Clock::now();
  for (uint64_t k = 0;; k++) {
    if (options.runs != 0 && k >= options.runs) break;
    if (options.seconds > 0 && std::chrono::duration<double>(Clock::now() - start).count() >= options.seconds) break;
    harness::RunSpec spec = base_spec(s, options);
    spec.seed = first_seed + k;
    spec.strategy = to_kind(options.strategies[k % options.strategies.size()]);
    spec.procs = options.procs[(k / options.strategies.size()) % options.procs.size()];
    spec.faults = faults;
    harness::RunOutcome out = runs.run(spec);
    report.runs++;
    if (out.ok()) continue;
    report.failures.push_back(make_failure(spec, out, k, runs, options));
    if (report.failures.size() >= options.max_failures) break;
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

Report replay(std::function<void()> program, const std::string& replay_file, const Options& options) {
  if (!program) throw Error("gort::check::replay: the program is empty: pass a callable");
  validate(options);
  harness::ReplayRead read = harness::read_replay(replay_file);
  if (!read.ok()) throw Error("gort::check::replay: " + read.error);
  const harness::ReplayFile& f = read.file;
  if (f.scenario != options.name) {
    throw Error("gort::check::replay: " + replay_file + " records program '" + f.scenario + "', not '" + options.name +
                "': replay it with Options::name = \"" + f.scenario + "\"");
  }
  Options o = options;
  o.stack_size = f.stack_size != 0 ? static_cast<size_t>(f.stack_size) : options.stack_size;
  harness::Scenario s = as_scenario(std::move(program), o);
  harness::RunSpec spec = base_spec(s, o);
  spec.seed = f.seed;
  spec.strategy = harness::StrategyKind::kReplay;
  spec.replay = &f.decisions;
  spec.depth = f.depth;
  spec.faults = f.fault_plan;
  spec.procs = f.procs;
  harness::parse_leak_policy(f.leaks, &spec.leaks);  // the reader accepted only the policies' names
  spec.keep_trace = true;
  Runs runs(o);
  const Clock::time_point start = Clock::now();
  harness::RunOutcome out = runs.run(spec);
  Report report;
  report.runs = 1;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (out.ok()) return report;
  Failure failure;
  failure.kind = out.failure_kind;
  failure.verdict = out.verdict;
  failure.seed = f.seed;
  harness::StrategyKind recorded = harness::StrategyKind::kRandom;
  if (harness::parse_strategy(f.strategy, &recorded)) failure.strategy = from_kind(recorded);
  failure.procs = f.procs;
  failure.replay_file = replay_file;
  failure.dump = out.dump;
  failure.report = "FAIL " + o.name + " (replay of " + replay_file + "): " + out.verdict + "\n";
  if (!out.dump.empty()) failure.report += "goroutine dump:\n" + out.dump + "\n";
  if (out.divergence) failure.report += "the run left the recording: " + out.divergence->describe() + "\n";
  report.failures.push_back(std::move(failure));
  return report;
}

}  // namespace gort::check
