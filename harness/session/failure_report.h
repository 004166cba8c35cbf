// What a failing run leaves behind: its schedule shrunk, a replay file, a
// Perfetto timeline, and a report on stdout (verdict, goroutine dump, the
// last steps of the trace, the shrunk schedule, how to reproduce it).
// Files already written stay written whatever happens next.
#ifndef GORT_HARNESS_SESSION_FAILURE_REPORT_H
#define GORT_HARNESS_SESSION_FAILURE_REPORT_H

#include <string>

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
};

// Writes and prints the report of a failed run (spec produced outcome).
// Returns the replay file's path ("" if it could not be written; the
// reason is printed).
std::string report_failure(const RunSpec& spec, const RunOutcome& outcome, const ReportOptions& options);

}  // namespace gort::harness

#endif  // GORT_HARNESS_SESSION_FAILURE_REPORT_H
