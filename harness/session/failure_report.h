// What a failing run leaves behind: its schedule shrunk, a replay file, a
// Perfetto timeline, and a report on stdout (verdict, goroutine dump, the
// last steps of the trace, the shrunk schedule, how to reproduce it).
// Files already written stay written whatever happens next.
#ifndef GORT_HARNESS_SESSION_FAILURE_REPORT_H
#define GORT_HARNESS_SESSION_FAILURE_REPORT_H

#include <string>
#include <vector>

#include "session/scenario_run.h"

namespace gort::harness {

struct ReportOptions {
  std::string out_dir = "gort-failures";  // created if missing
  bool shrink = true;
  uint32_t shrink_calls = 500;  // replays the shrinker may spend
  // Wall-clock seconds the whole shrink may take (each replay runs within
  // the run's step budget, a livelock's for all of it); past them the best
  // schedule found so far is reported. > 0.
  double shrink_seconds = 30;
  size_t trace_lines = 20;  // trace steps printed
  // How each shrink candidate is replayed (null: in this process). A run
  // that crashed or hung is shrunk through an isolated runner, each
  // candidate in a child of its own.
  RunFunction runner;
  // Print the report on stdout as it is made (gort's CLI), or only return
  // it (the checking API, gort/check.h).
  bool print = true;
  // The report's last line is this command with the replay file's path in
  // place of "{replay}" (or after it, if it has none); "" leaves the line
  // out.
  std::string reproduce = "gort replay";
};

// A failed run's report: what report_failure printed, and its parts.
struct FailureReport {
  std::string replay_path;          // "" if it could not be written (text says why)
  std::string trace_path;           // the Perfetto timeline; "" if not written
  std::string text;                 // the whole report
  std::string dump;                 // the goroutine dump of the shrunk run (or the original)
  std::string schedule;             // the shrunk schedule's non-default decisions, one per line
  std::vector<Decision> decisions;  // the shrunk schedule
};

// Shrinks, writes the replay file and the timeline, and makes (and with
// options.print, prints) the report of a failed run (spec produced
// outcome).
FailureReport make_failure_report(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options);

// make_failure_report for the CLI: returns the replay file's path ("" if
// it could not be written; the reason is in the report).
std::string report_failure(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options);

}  // namespace gort::harness

#endif  // GORT_HARNESS_SESSION_FAILURE_REPORT_H
