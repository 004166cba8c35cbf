#include "session/failure_report.h"

#include <sys/stat.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "strategy/perfetto.h"
#include "strategy/replay_file.h"
#include "strategy/shrink.h"

namespace gort::harness {
namespace {

std::string ensure_dir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return "";
  return "cannot create " + dir + ": " + strerror(errno);
}

// "The same way": the same kind of failure; for checker failures the
// same broken rule (the text before its first colon); for a crash the
// same signal (the verdict's first word, "crash (SIGSEGV)").
bool same_failure(const RunOutcome& a, const RunOutcome& b) {
  if (a.failure_kind != b.failure_kind) return false;
  if (a.failure_kind == "outcome" || a.failure_kind == "budget" || a.failure_kind == "timeout") return true;
  if (a.failure_kind == "crash")
    return a.verdict.substr(0, a.verdict.find(':')) == b.verdict.substr(0, b.verdict.find(':'));
  return a.verdict.substr(0, a.verdict.find(" at step")) == b.verdict.substr(0, b.verdict.find(" at step"));
}

RunOutcome replay_decisions(const RunSpec& spec, const std::vector<Decision>& decisions, const RunFunction& runner) {
  RunSpec again = spec;
  again.strategy = StrategyKind::kReplay;
  again.replay = &decisions;
  again.replay_fallback = ReplayFallback::kDefaults;
  return runner ? runner(again) : run_scenario_once(again);
}

void print_trace_tail(const std::vector<TraceEntry>& trace, size_t lines) {
  size_t from = trace.size() > lines ? trace.size() - lines : 0;
  printf("last %zu steps of the trace:\n", trace.size() - from);
  for (size_t i = from; i < trace.size(); i++) printf("  %s\n", render(trace[i]).c_str());
}

}  // namespace

std::string report_failure(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options) {
  const Scenario& s = *spec.scenario;
  printf("FAIL %s (seed %" PRIu64 ", strategy %s", s.name, spec.seed, strategy_name(spec.strategy));
  if (spec.strategy == StrategyKind::kPct) printf(", depth %u", spec.depth);
  if (spec.procs != 1) printf(", procs %u", spec.procs);
  if (!spec.faults.empty()) printf(", faults %s", spec.faults.to_string().c_str());
  printf("): %s\n", outcome.verdict.c_str());
  if (!outcome.faults_fired.empty()) {
    printf("faults fired:");
    for (const FiredFault& f : outcome.faults_fired) printf(" %s@%" PRIu64, fault_site_name(f.site), f.step);
    printf("\n");
  }

  // Shrink the schedule while it still fails the same way.
  std::vector<Decision> decisions = outcome.decisions;
  RunOutcome shrunk_run = outcome;
  if (options.shrink && !decisions.empty()) {
    ShrinkLimits limits;
    limits.max_calls = options.shrink_calls;
    limits.max_seconds = options.shrink_seconds;
    ShrinkResult sr = shrink(
        decisions,
        [&](const std::vector<Decision>& candidate) {
          return same_failure(outcome, replay_decisions(spec, candidate, options.runner));
        },
        limits);
    if (sr.stats.input_failed) {
      decisions = sr.decisions;
      shrunk_run = replay_decisions(spec, decisions, options.runner);
      printf(
          "shrunk: %zu -> %zu non-default decisions (%zu -> %zu preemptions, %zu -> %zu faults) in %u replays, "
          "%.1f s\n",
          sr.stats.nonzero_before, sr.stats.nonzero_after, sr.stats.preemptions_before, sr.stats.preemptions_after,
          sr.stats.faults_before, sr.stats.faults_after, sr.stats.calls, sr.stats.seconds);
      if (sr.stats.time_limit_reached) {
        printf("shrink cut short at its %.1f s limit (--shrink-seconds): the schedule below is the best found so far\n",
               options.shrink_seconds);
      } else if (sr.stats.call_limit_reached) {
        printf("shrink cut short at its %u-replay limit: the schedule below is the best found so far\n",
               options.shrink_calls);
      }
    } else {
      printf("shrinking skipped: replaying the recorded schedule did not fail the same way (%s)\n",
             replay_decisions(spec, decisions, options.runner).verdict.c_str());
    }
  }

  if (!shrunk_run.dump.empty()) printf("goroutine dump:\n%s\n", shrunk_run.dump.c_str());
  print_trace_tail(shrunk_run.trace_tail, options.trace_lines);
  printf("shrunk schedule (step: decision, non-default only):\n");
  for (size_t i = 0, shown = 0; i < decisions.size() && shown < 40; i++) {
    if (decisions[i].chosen == 0) continue;
    printf("  #%zu %s %u/%u\n", i, decision_kind_name(decisions[i].kind).c_str(), decisions[i].chosen, decisions[i].n);
    shown++;
  }

  if (std::string err = ensure_dir(options.out_dir); !err.empty()) {
    printf("no replay file: %s\n", err.c_str());
    return "";
  }
  std::string base = options.out_dir + "/" + s.name + "-seed" + std::to_string(spec.seed) +
                     (spec.procs != 1 ? "-procs" + std::to_string(spec.procs) : std::string());
  ReplayFile file;
  file.scenario = s.name;
  file.scenario_fingerprint = scenario_fingerprint(s);
  file.seed = spec.seed;
  file.strategy = strategy_name(spec.strategy);
  file.depth = spec.depth;
  file.stack_size = s.stack_size;
  file.procs = spec.procs;
  file.fault_plan = spec.faults;
  file.decisions = decisions;
  file.faults_fired = shrunk_run.faults_fired;
  file.failure = outcome.verdict;
  std::string replay_path = base + ".replay.json";
  if (std::string err = write_replay(replay_path, file); !err.empty()) {
    printf("no replay file: %s\n", err.c_str());
    replay_path.clear();
  }
  std::string trace_path = base + ".trace.json";
  if (std::string err = write_perfetto(trace_path, shrunk_run.trace_tail); !err.empty()) {
    printf("no timeline: %s\n", err.c_str());
  } else {
    printf("timeline (open in https://ui.perfetto.dev): %s\n", trace_path.c_str());
  }
  if (!replay_path.empty()) printf("reproduce: gort replay %s\n", replay_path.c_str());
  return replay_path;
}

}  // namespace gort::harness
