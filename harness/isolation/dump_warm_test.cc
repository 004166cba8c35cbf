// Once an isolated run has failed, the next children (a shrink's replays)
// symbolise their goroutine dumps with what the parent read before it
// forked them (IsolatedRunner::run calls gort::introspect::prepare_dumps):
// they never read the executable themselves. The children here are denied
// every new file descriptor (RLIMIT_NOFILE 0), so opening the executable
// for its DWARF fails; a dump has file:line only if the parent had read it.
// A binary of its own, with this one test, because any earlier dump in the
// process would have read it already (the state is process-wide) and the
// test would prove nothing.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "gort/gort.h"
#include "isolation/isolated_run.h"
#include "session/scenario_run.h"

namespace gort::harness {
namespace {

// Main and nobody else, waiting for ever: Go's deadlock, with a dump that
// names this file at the receive's line.
constexpr int kReceiveLine = __LINE__ + 1;
void deadlock() { (void)make_chan<int>(0).recv(); }

// Expected to return: its deadlock is a failing run, as a shrink's are.
const Scenario kDeadlock{"dump-warm-deadlock", "test", "main waits for ever", deadlock, {}};

// Whether this build's dumps have file:line at all (no symboliser in
// sanitizer builds, GORT_SYMBOLIZE=OFF, or without libbacktrace): asked in
// a child of its own, so that this process reads nothing.
bool build_symbolises() {
  const pid_t pid = fork();
  if (pid == 0) {
    Config c;
    c.procs = 1;
    Result r = run(c, deadlock);
    _exit(r.output.find(__FILE__) != std::string::npos ? 0 : 1);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(IsolatedDump, AChildThatCannotOpenTheExecutableStillPrintsFileAndLine) {
  if (!build_symbolises()) {
    GTEST_SKIP() << "this build has no symboliser (sanitizers, GORT_SYMBOLIZE=OFF or no libbacktrace): dumps have no "
                    "file:line";
  }
  IsolatedRunner runner({}, [](const RunSpec& spec) {
    const rlimit none{0, 0};
    // The outcome goes back through a pipe the child already holds.
    if (setrlimit(RLIMIT_NOFILE, &none) != 0) _exit(4);
    return run_scenario_once(spec);
  });
  RunSpec spec;
  spec.scenario = &kDeadlock;
  spec.seed = 1;
  const std::string position = std::string(__FILE__) + ":" + std::to_string(kReceiveLine);
  // The first failing run: nothing was read before its fork, and its child
  // cannot read the executable (which shows the limit bites).
  RunOutcome first = runner.run(spec);
  ASSERT_EQ(first.result.exit_status, 2) << first.dump;
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.result.output.find(position), std::string::npos) << first.result.output;
  // The next: its parent read the symbols before forking it.
  RunOutcome next = runner.run(spec);
  ASSERT_EQ(next.result.exit_status, 2) << next.dump;
  EXPECT_NE(next.result.output.find(position), std::string::npos) << next.result.output;
}

}  // namespace
}  // namespace gort::harness
