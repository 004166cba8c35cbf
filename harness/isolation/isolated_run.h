// One run in a child process of its own, so that whatever the runtime
// under test does (an assertion, a SIGSEGV, a stack overflow into
// unmapped memory, a loop that never reaches a yield point) the caller
// gets an outcome: the child's own, or a failure of kind "crash" (with the
// signal, the process's last output, and the decisions and trace tail the
// child logged in shared memory before it died) or "timeout" (killed after
// the wall-clock limit). gort run, gort replay and every failure report of
// gort check run through here unless --in-process.
#ifndef GORT_HARNESS_ISOLATION_ISOLATED_RUN_H
#define GORT_HARNESS_ISOLATION_ISOLATED_RUN_H

#include <cstddef>
#include <string>

#include "isolation/child_process.h"
#include "session/run_log.h"
#include "session/scenario_run.h"

namespace gort::harness {

inline constexpr double kDefaultRunTimeoutSeconds = 10;
// The last bytes of a dead child's output kept for its report.
inline constexpr size_t kOutputTailBytes = 4096;

struct IsolationOptions {
  double run_timeout_seconds = kDefaultRunTimeoutSeconds;  // > 0
};

// A lost run's failure kind ("crash" or "timeout") and one-line verdict.
void describe_lost_run(const ChildEnd& end, const std::string& output_tail, double run_timeout_seconds,
                       std::string* kind, std::string* verdict);

// The outcome of a run whose process did not hand one back: kind "crash"
// or "timeout" (end says which), the verdict naming the signal or the
// limit, the log's decisions, faults and trace tail, and the output tail.
RunOutcome lost_run_outcome(const ChildEnd& end, const RunLog& log, const std::string& output_tail,
                            double run_timeout_seconds);

// Invariants: log_ is mapped for the runner's life (or logs nothing, when
// mmap failed: outcomes of dead children then have no decisions).
class IsolatedRunner {
 public:
  // The child runs each spec with child_run (null: run_scenario_once).
  explicit IsolatedRunner(IsolationOptions options = {}, RunFunction child_run = nullptr);
  IsolatedRunner(const IsolatedRunner&) = delete;
  IsolatedRunner& operator=(const IsolatedRunner&) = delete;

  // Forks, runs spec in the child, and returns its outcome. spec.log is
  // the runner's own (any given is ignored).
  RunOutcome run(const RunSpec& spec);
  RunFunction as_function() {
    return [this](const RunSpec& s) { return run(s); };
  }

 private:
  IsolationOptions options_;
  RunFunction child_run_;
  RunLog log_;
  // A child's run has failed: later children get the symbols read before
  // they are forked (run()).
  bool warm_dumps_ = false;
};

// Appends what is readable on fd to *tail, keeping its last max bytes.
// Returns false at end of file (or an error other than EAGAIN/EINTR).
bool drain_into_tail(int fd, std::string* tail, size_t max);

}  // namespace gort::harness

#endif  // GORT_HARNESS_ISOLATION_ISOLATED_RUN_H
