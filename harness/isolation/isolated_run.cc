#include "isolation/isolated_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "gort/introspect.h"
#include "isolation/outcome_wire.h"

namespace gort::harness {
namespace {

// Decisions a dead child's log keeps (the Recorder's own default step
// budget is larger; a longer crashing run's replay file is truncated and
// says so through the replay's divergence at its end).
constexpr size_t kLogDecisions = size_t{1} << 22;
constexpr size_t kLogRing = 10000;

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t begin = text.rfind('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = text.substr(begin, end + 1 - begin);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

}  // namespace

bool drain_into_tail(int fd, std::string* tail, size_t max) {
  assert(tail != nullptr);
  char buf[8192];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
      tail->append(buf, static_cast<size_t>(r));
      if (tail->size() > max) tail->erase(0, tail->size() - max);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return true;
    return false;
  }
}

void describe_lost_run(const ChildEnd& end, const std::string& output_tail, double run_timeout_seconds,
                       std::string* kind, std::string* verdict) {
  assert(kind != nullptr);
  assert(verdict != nullptr);
  if (end.timed_out) {
    *kind = "timeout";
    char limit[32];
    snprintf(limit, sizeof limit, "%g", run_timeout_seconds);
    *verdict = std::string("timeout: the run was still going after ") + limit +
               " s (--run-timeout) with no verdict: a hang the step budget does not count (a loop inside the "
               "runtime, or a blocking system call)";
    return;
  }
  *kind = "crash";
  *verdict = "crash (" + describe(end) + "): the run's process died";
  std::string said = last_line(output_tail);
  if (!said.empty()) *verdict += "; its last words: " + said;
}

RunOutcome lost_run_outcome(const ChildEnd& end, const RunLog& log, const std::string& output_tail,
                            double run_timeout_seconds) {
  RunOutcome o;
  o.decisions = log.decisions();
  o.faults_fired = log.faults_fired();
  o.trace_tail = log.trace_tail();
  describe_lost_run(end, output_tail, run_timeout_seconds, &o.failure_kind, &o.verdict);
  o.result.exit_status = end.timed_out ? 128 + SIGKILL : end.signal != 0 ? 128 + end.signal : end.exit_code;
  o.dump = output_tail.empty() ? "(the process printed nothing before it ended)"
                               : "the process's last output (no goroutine dump: it died):\n" + output_tail;
  if (log.truncated()) o.dump += "\n(the run's decision log filled up: the replay file holds its first decisions)";
  return o;
}

IsolatedRunner::IsolatedRunner(IsolationOptions options, RunFunction child_run)
    : options_(options), child_run_(std::move(child_run)), log_(kLogDecisions, kLogRing) {
  assert(options_.run_timeout_seconds > 0);
}

RunOutcome IsolatedRunner::run(const RunSpec& spec) {
  assert(spec.scenario != nullptr);
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return run_scenario_once(spec);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return run_scenario_once(spec);
  }
  log_.reset();
  fflush(nullptr);  // the child must not inherit (and later repeat) buffered output
  // Once a child has failed, the runs that follow are mostly its shrink's
  // replays, which fail and print a dump too: read the executable's debug
  // information here, once per process, so that each child inherits it
  // instead of reading it again (README's example, 81 replays: about 1.2 s
  // of CPU in the children without this, 0.4 s with it). Not before the
  // first failure: reading it costs this process a few hundred ms, which
  // runs that all pass (and print no dump) would pay for nothing.
  if (warm_dumps_) introspect::prepare_dumps();
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    dup2(err_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    RunSpec mine = spec;
    mine.log = &log_;
    RunOutcome o = child_run_ ? child_run_(mine) : run_scenario_once(mine);
    std::string bytes;
    encode_outcome(o, &bytes);
    exit_child(write_all(out_pipe[1], bytes.data(), bytes.size()) ? 0 : 3);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return run_scenario_once(spec);
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
  std::string bytes, output;
  bool out_open = true, err_open = true, timed_out = false;
  while (out_open || err_open) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > options_.run_timeout_seconds) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    int wait_ms = static_cast<int>((options_.run_timeout_seconds - elapsed) * 1000) + 1;
    if (poll(fds, 2, wait_ms < 100 ? wait_ms : 100) < 0 && errno != EINTR) break;
    if (out_open && fds[0].revents != 0)
      out_open = drain_into_tail(out_pipe[0], &bytes, SIZE_MAX);  // the whole outcome
    if (err_open && fds[1].revents != 0) err_open = drain_into_tail(err_pipe[0], &output, kOutputTailBytes);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  drain_into_tail(err_pipe[0], &output, kOutputTailBytes);
  close(out_pipe[0]);
  close(err_pipe[0]);
  const ChildEnd end =
      child_end_of(status, timed_out, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  RunOutcome o;
  if (!timed_out && end.exited && end.exit_code == 0 && decode_outcome(bytes, &o)) {
    if (!o.ok()) warm_dumps_ = true;
    return o;
  }
  return lost_run_outcome(end, log_, output, options_.run_timeout_seconds);
}

}  // namespace gort::harness
