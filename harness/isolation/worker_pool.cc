#include "isolation/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "isolation/child_process.h"
#include "isolation/isolated_run.h"
#include "isolation/outcome_wire.h"
#include "scenario/leaks.h"

namespace gort::harness {

// One per worker, in shared memory: the worker bumps started before a run
// and finished after it, with the run's identity stored before started;
// the parent reads them to know which run a dead or stuck worker was in.
// Invariant: finished <= started <= finished + 1.
// A cache line each: workers write their own slot on every run.
struct alignas(64) WorkerPool::Slot {
  std::atomic<uint64_t> started;
  std::atomic<uint64_t> finished;
  std::atomic<uint32_t> scenario;
  std::atomic<uint64_t> k;
};

namespace {

using Clock = std::chrono::steady_clock;

// A worker's records are sent when this many bytes are waiting, or at
// the end of its batch.
constexpr size_t kFlushBytes = 16384;
// A worker that keeps dying outside any run (a harness bug, not the
// runtime's) is given up on after this many deaths in a row: the run it
// was to start next is reported as crashed, so the check still ends.
constexpr uint32_t kMaxDeathsOutsideRuns = 3;

void append_record(const RunRecord& r, std::string* out) {
  std::string payload;
  WireWriter w(&payload);
  w.u32(r.scenario);
  w.u64(r.k);
  w.u8(static_cast<uint8_t>(r.strategy));
  w.u8(r.ok);
  w.u8(r.injected_panic);
  w.u32(r.faults);
  w.str(r.failure_kind);
  w.str(r.verdict);
  w.u32(r.definite_leaks);
  w.u32(r.possible_leaks);
  w.str(r.first_leak);
  w.u64(static_cast<uint64_t>(r.worker_seconds * 1e9));
  w.u32(r.batch_runs);
  WireWriter frame(out);
  frame.u32(static_cast<uint32_t>(payload.size()));
  out->append(payload);
}

// Parses one record from the front of *inbox; false if it is not all there.
bool take_record(std::string* inbox, RunRecord* r, bool* malformed) {
  if (inbox->size() < sizeof(uint32_t)) return false;
  uint32_t len;
  std::memcpy(&len, inbox->data(), sizeof len);
  if (inbox->size() < sizeof len + len) return false;
  WireReader rd(std::string_view(*inbox).substr(sizeof len, len));
  r->scenario = rd.u32();
  r->k = rd.u64();
  r->strategy = static_cast<StrategyKind>(rd.u8());
  r->ok = rd.u8() != 0;
  r->injected_panic = rd.u8() != 0;
  r->faults = rd.u32();
  r->failure_kind = rd.str();
  r->verdict = rd.str();
  r->definite_leaks = rd.u32();
  r->possible_leaks = rd.u32();
  r->first_leak = rd.str();
  r->worker_seconds = static_cast<double>(rd.u64()) / 1e9;
  r->batch_runs = rd.u32();
  *malformed = !rd.ok() || !rd.at_end();
  inbox->erase(0, sizeof len + len);
  return true;
}

void close_fd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

}  // namespace

RunRecord record_of(uint32_t scenario, uint64_t k, const RunSpec& spec, const RunOutcome& out) {
  RunRecord r;
  r.scenario = scenario;
  r.k = k;
  r.strategy = spec.strategy;
  r.ok = out.ok();
  r.injected_panic = out.ok() && ended_in_injected_panic(out.result);
  r.faults = static_cast<uint32_t>(out.faults_fired.size());
  r.failure_kind = out.failure_kind;
  r.verdict = out.verdict;
  const LeakCount leaks = count_leaks(out.result);
  r.definite_leaks = leaks.definite;
  r.possible_leaks = leaks.possible;
  for (const Leftover& l : out.result.leftover) {
    if (l.kind != Leftover::Kind::kExpected) {
      r.first_leak = describe_leak(l);
      break;
    }
  }
  return r;
}

WorkerPool::WorkerPool(unsigned workers, RunSpecFor spec_for, RunFunction run, double run_timeout_seconds)
    : spec_for_(std::move(spec_for)),
      run_(std::move(run)),
      run_timeout_seconds_(run_timeout_seconds),
      workers_(workers) {
  assert(workers >= 1);
  assert(run_timeout_seconds_ > 0);
  signal(SIGPIPE, SIG_IGN);  // a dead worker's task pipe must be an error, not our death
  slots_bytes_ = sizeof(Slot) * workers;
  void* p = mmap(nullptr, slots_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    fprintf(stderr, "gort: cannot map the workers' shared slots: %s\n", strerror(errno));
    abort();
  }
  slots_ = static_cast<Slot*>(p);
  for (unsigned i = 0; i < workers; i++) {
    workers_[i].slot = new (&slots_[i]) Slot{};
    spawn(workers_[i]);
  }
}

WorkerPool::~WorkerPool() {
  for (Worker& w : workers_) close_fd(&w.task_fd);  // each idle worker reads end-of-file and exits
  for (Worker& w : workers_) {
    if (w.pid <= 0) continue;
    if (w.busy) kill(w.pid, SIGKILL);
    int status;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    retire(w);
  }
  munmap(slots_, slots_bytes_);
}

void WorkerPool::spawn(Worker& w) {
  int task[2], result[2], output[2];
  if (pipe(task) != 0 || pipe(result) != 0 || pipe(output) != 0) {
    fprintf(stderr, "gort: cannot make a worker's pipes: %s\n", strerror(errno));
    abort();
  }
  w.slot->started.store(0);
  w.slot->finished.store(0);
  fflush(nullptr);
  // No gort::introspect::prepare_dumps here, unlike IsolatedRunner: a worker
  // serves many runs and reads the symbols at most once, for its first dump,
  // in parallel with the other workers; reading them here first would cost
  // every check, most of which print no dump at all.
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "gort: cannot fork a worker: %s\n", strerror(errno));
    abort();
  }
  if (pid == 0) {
    // The other workers' pipes are theirs: holding a copy of a task pipe
    // would keep its worker from seeing end-of-file.
    for (Worker& other : workers_) {
      close_fd(&other.task_fd);
      close_fd(&other.result_fd);
      close_fd(&other.output_fd);
    }
    close(task[1]);
    close(result[0]);
    close(output[0]);
    dup2(output[1], STDOUT_FILENO);
    dup2(output[1], STDERR_FILENO);
    close(output[1]);
    worker_main(task[0], result[1], w.slot);
  }
  close(task[0]);
  close(result[1]);
  close(output[1]);
  fcntl(result[0], F_SETFL, O_NONBLOCK);
  fcntl(output[0], F_SETFL, O_NONBLOCK);
  w.pid = pid;
  w.task_fd = task[1];
  w.result_fd = result[0];
  w.output_fd = output[0];
  w.busy = false;
  w.killed_for_timeout = false;
  w.reported = 0;
  w.started_seen = 0;
  w.inbox.clear();
  w.output.clear();
}

void WorkerPool::retire(Worker& w) {
  close_fd(&w.task_fd);
  close_fd(&w.result_fd);
  close_fd(&w.output_fd);
  w.pid = -1;
}

void WorkerPool::worker_main(int task_fd, int result_fd, Slot* slot) {
  {
    // Torn down before the worker leaves (not abandoned to _exit): the
    // stack pool's teardown is runtime code that runs under the checks too.
    StackPool pool;
    RunWorkspace workspace;
    std::string out;
    bool parent_there = true;
    RunBatch b;
    while (parent_there && read_exact(task_fd, &b, sizeof b)) {
      const auto batch_start = Clock::now();
      for (uint32_t i = 0; i < b.count && parent_there; i++) {
        const uint64_t k = b.first + i;
        RunSpec spec = spec_for_(b.scenario, k);
        spec.pool = &pool;
        spec.workspace = &workspace;
        slot->scenario.store(b.scenario, std::memory_order_relaxed);
        slot->k.store(k, std::memory_order_relaxed);
        slot->started.fetch_add(1, std::memory_order_release);
        RunOutcome o = run_ ? run_(spec) : run_scenario_once(spec);
        slot->finished.fetch_add(1, std::memory_order_release);
        RunRecord r = record_of(b.scenario, k, spec, o);
        if (i + 1 == b.count) {
          r.worker_seconds = std::chrono::duration<double>(Clock::now() - batch_start).count();
          r.batch_runs = b.count;
        }
        append_record(r, &out);
        if (out.size() >= kFlushBytes || i + 1 == b.count) {
          parent_there = write_all(result_fd, out.data(), out.size());
          out.clear();
        }
      }
    }
  }
  exit_child(0);
}

void WorkerPool::submit(const RunBatch& batch) {
  assert(batch.count > 0);
  queue_.push_back(batch);
  outstanding_ += batch.count;
}

void WorkerPool::dispatch() {
  for (Worker& w : workers_) {
    if (queue_.empty()) return;
    if (w.busy || w.pid <= 0) continue;
    w.batch = queue_.front();
    queue_.pop_front();
    w.busy = true;
    w.reported = 0;
    w.batch_at = Clock::now();
    w.started_at = w.batch_at;
    w.started_seen = w.slot->started.load(std::memory_order_acquire);
    if (!write_all(w.task_fd, &w.batch, sizeof w.batch)) {
      // It died while idle: its end-of-file is handled at the next poll.
      continue;
    }
  }
}

void WorkerPool::read_results(Worker& w, std::vector<RunRecord>* out) {
  char buf[65536];
  for (;;) {
    ssize_t r = read(w.result_fd, buf, sizeof buf);
    if (r > 0) {
      w.inbox.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) break;
    // End of file: parse what came, then the worker is dead.
    RunRecord rec;
    bool malformed = false;
    while (take_record(&w.inbox, &rec, &malformed) && !malformed) {
      out->push_back(rec);
      w.reported++;
      outstanding_--;
    }
    handle_death(w, out);
    return;
  }
  RunRecord rec;
  bool malformed = false;
  while (take_record(&w.inbox, &rec, &malformed)) {
    assert(!malformed && "a worker's record is malformed");
    out->push_back(rec);
    w.reported++;
    outstanding_--;
    assert(w.busy);
    if (w.reported == w.batch.count) w.busy = false;
  }
}

void WorkerPool::handle_death(Worker& w, std::vector<RunRecord>* out) {
  int status = 0;
  while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
  }
  drain_into_tail(w.output_fd, &w.output, kOutputTailBytes);
  const ChildEnd end = child_end_of(status, w.killed_for_timeout, run_timeout_seconds_);
  if (w.busy && w.reported < w.batch.count) {
    const uint64_t started = w.slot->started.load(std::memory_order_acquire);
    const uint64_t finished = w.slot->finished.load(std::memory_order_acquire);
    const uint64_t first_unreported = w.batch.first + w.reported;
    const uint64_t end_k = w.batch.first + w.batch.count;
    uint64_t lost_k = ~uint64_t{0};
    if (started > finished) {
      lost_k = w.slot->k.load(std::memory_order_relaxed);
      deaths_outside_runs_ = 0;
    } else if (++deaths_outside_runs_ >= kMaxDeathsOutsideRuns) {
      lost_k = first_unreported;
      deaths_outside_runs_ = 0;
    }
    if (lost_k != ~uint64_t{0}) {
      assert(lost_k >= first_unreported);
      assert(lost_k < end_k);
      RunRecord r;
      r.scenario = w.batch.scenario;
      r.k = lost_k;
      r.strategy = spec_for_(r.scenario, r.k).strategy;
      r.ok = false;
      describe_lost_run(end, w.output, run_timeout_seconds_, &r.failure_kind, &r.verdict);
      out->push_back(r);
      outstanding_--;
    }
    // Every other unreported run of the batch runs again, first: runs are
    // pure functions of their index, so a re-run gives the lost record.
    if (lost_k != ~uint64_t{0} && lost_k + 1 < end_k)
      queue_.push_front({w.batch.scenario, lost_k + 1, static_cast<uint32_t>(end_k - lost_k - 1)});
    uint64_t before_end = lost_k != ~uint64_t{0} ? lost_k : end_k;
    if (before_end > first_unreported)
      queue_.push_front({w.batch.scenario, first_unreported, static_cast<uint32_t>(before_end - first_unreported)});
  }
  retire(w);
  spawn(w);
  restarts_++;
}

void WorkerPool::poll(std::vector<RunRecord>* out, int timeout_ms) {
  assert(out != nullptr);
  dispatch();
  std::vector<struct pollfd> fds;
  fds.reserve(workers_.size() * 2);
  for (const Worker& w : workers_) {
    fds.push_back({w.result_fd, POLLIN, 0});
    fds.push_back({w.output_fd, POLLIN, 0});
  }
  int wait_ms = timeout_ms;
  // Wake in time to notice a run past its limit.
  const int limit_ms = static_cast<int>(run_timeout_seconds_ * 1000);
  if (wait_ms > limit_ms / 4 + 1) wait_ms = limit_ms / 4 + 1;
  if (::poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) {
    fprintf(stderr, "gort: poll on the workers failed: %s\n", strerror(errno));
    abort();
  }
  const auto now = Clock::now();
  for (size_t i = 0; i < workers_.size(); i++) {
    Worker& w = workers_[i];
    if (fds[2 * i + 1].revents != 0) drain_into_tail(w.output_fd, &w.output, kOutputTailBytes);
    if (fds[2 * i].revents != 0) {
      read_results(w, out);
      continue;
    }
    if (!w.busy) continue;
    const uint64_t started = w.slot->started.load(std::memory_order_acquire);
    if (started != w.started_seen) {
      w.started_seen = started;
      w.started_at = now;
    }
    const bool in_run = started > w.slot->finished.load(std::memory_order_acquire);
    if (in_run && !w.killed_for_timeout &&
        std::chrono::duration<double>(now - w.started_at).count() > run_timeout_seconds_) {
      w.killed_for_timeout = true;
      kill(w.pid, SIGKILL);  // its end-of-file comes at the next poll
    }
  }
  dispatch();
}

}  // namespace gort::harness
