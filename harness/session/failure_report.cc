#include "session/failure_report.h"

#include <sys/stat.h>

#include <cassert>
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
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

// The report as it is made: kept in a string, and printed at once when
// asked, so that a long shrink shows its header first.
class ReportText {
 public:
  explicit ReportText(bool print) : print_(print) {}
  [[gnu::format(printf, 2, 3)]] void add(const char* format, ...) {
    char line[512];
    va_list args;
    va_start(args, format);
    const int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    assert(n >= 0);
    if (static_cast<size_t>(n) < sizeof line) {
      add_text(line);
      return;
    }
    std::string long_line(static_cast<size_t>(n) + 1, '\0');
    va_start(args, format);
    vsnprintf(long_line.data(), long_line.size(), format, args);
    va_end(args);
    long_line.pop_back();
    add_text(long_line);
  }
  void add_text(const std::string& text) {
    text_ += text;
    if (print_) fputs(text.c_str(), stdout);
  }
  std::string take() { return std::move(text_); }

 private:
  bool print_;
  std::string text_;
};

void add_trace_tail(ReportText& out, const std::vector<TraceEntry>& trace, size_t lines) {
  size_t from = trace.size() > lines ? trace.size() - lines : 0;
  out.add("last %zu steps of the trace:\n", trace.size() - from);
  for (size_t i = from; i < trace.size(); i++) out.add_text("  " + render(trace[i]) + "\n");
}

}  // namespace

FailureReport make_failure_report(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options) {
  assert(spec.scenario != nullptr);
  const Scenario& s = *spec.scenario;
  FailureReport report;
  ReportText out(options.print);
  out.add("FAIL %s (seed %" PRIu64 ", strategy %s", s.name, spec.seed, strategy_name(spec.strategy));
  if (spec.strategy == StrategyKind::kPct) out.add(", depth %u", spec.depth);
  if (spec.procs != 1) out.add(", procs %u", spec.procs);
  if (!spec.faults.empty()) out.add(", faults %s", spec.faults.to_string().c_str());
  out.add("): %s\n", outcome.verdict.c_str());
  if (!outcome.faults_fired.empty()) {
    out.add("faults fired:");
    for (const FiredFault& f : outcome.faults_fired) out.add(" %s@%" PRIu64, fault_site_name(f.site), f.step);
    out.add("\n");
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
      out.add(
          "shrunk: %zu -> %zu non-default decisions (%zu -> %zu preemptions, %zu -> %zu faults) in %u replays, "
          "%.1f s\n",
          sr.stats.nonzero_before, sr.stats.nonzero_after, sr.stats.preemptions_before, sr.stats.preemptions_after,
          sr.stats.faults_before, sr.stats.faults_after, sr.stats.calls, sr.stats.seconds);
      if (sr.stats.time_limit_reached) {
        out.add(
            "shrink cut short at its %.1f s limit (--shrink-seconds): the schedule below is the best found so far\n",
            options.shrink_seconds);
      } else if (sr.stats.call_limit_reached) {
        out.add("shrink cut short at its %u-replay limit: the schedule below is the best found so far\n",
                options.shrink_calls);
      }
    } else {
      out.add("shrinking skipped: replaying the recorded schedule did not fail the same way (%s)\n",
              replay_decisions(spec, decisions, options.runner).verdict.c_str());
    }
  }

  if (!shrunk_run.dump.empty()) out.add_text("goroutine dump:\n" + shrunk_run.dump + "\n");
  add_trace_tail(out, shrunk_run.trace_tail, options.trace_lines);
  out.add("shrunk schedule (step: decision, non-default only):\n");
  for (size_t i = 0, shown = 0; i < decisions.size() && shown < 40; i++) {
    if (decisions[i].chosen == 0) continue;
    char line[128];
    snprintf(line, sizeof line, "  #%zu %s %u/%u\n", i, decision_kind_name(decisions[i].kind).c_str(),
             decisions[i].chosen, decisions[i].n);
    report.schedule += line;
    shown++;
  }
  out.add_text(report.schedule);
  report.dump = shrunk_run.dump;
  report.decisions = decisions;

  if (std::string err = ensure_dir(options.out_dir); !err.empty()) {
    out.add("no replay file: %s\n", err.c_str());
    report.text = out.take();
    return report;
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
  file.leaks = leak_policy_name(spec.leaks);
  file.fault_plan = spec.faults;
  file.decisions = decisions;
  file.faults_fired = shrunk_run.faults_fired;
  file.failure = outcome.verdict;
  std::string replay_path = base + ".replay.json";
  if (std::string err = write_replay(replay_path, file); !err.empty()) {
    out.add("no replay file: %s\n", err.c_str());
    replay_path.clear();
  }
  std::string trace_path = base + ".trace.json";
  if (std::string err = write_perfetto(trace_path, shrunk_run.trace_tail); !err.empty()) {
    out.add("no timeline: %s\n", err.c_str());
  } else {
    out.add("timeline (open in https://ui.perfetto.dev): %s\n", trace_path.c_str());
    report.trace_path = trace_path;
  }
  if (!replay_path.empty() && !options.reproduce.empty()) {
    std::string command = options.reproduce;
    if (const size_t at = command.find("{replay}"); at != std::string::npos) {
      command.replace(at, 8, replay_path);
    } else {
      command += " " + replay_path;
    }
    out.add_text("reproduce: " + command + "\n");
  }
  report.replay_path = replay_path;
  report.text = out.take();
  return report;
}

std::string report_failure(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options) {
  return make_failure_report(spec, outcome, options).replay_path;
}

}  // namespace gort::harness
