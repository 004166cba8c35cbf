// gort check's forked workers: N processes, each forked once and reused
// for many runs (a fork per run would cost more than most runs), that run
// batches of (scenario, run index) in-process and stream one record per
// run back through a pipe.
//
// A worker that dies (a signal, an assertion of the runtime under test, a
// stack overflow into unmapped memory) or whose current run exceeds the
// wall-clock limit (then it is killed) turns that run into a record of
// kind "crash" or "timeout"; the runs of its batch that had not been
// reported go back to the front of the queue, a fresh worker takes the
// dead one's place, and the check goes on. Which run was in progress is
// read from a slot in shared memory the worker stamps before each run.
//
// Runs are a pure function of (scenario, k) through RunSpecFor, so the
// records are the same whatever the number of workers, the batch sizes,
// or which worker ran what; only the order they arrive in differs, and
// the caller orders them. (A runtime bug that corrupts what a worker
// keeps between runs, its stack pool, can make a later run of that worker
// fail where a fresh process would not: the failure report re-runs the
// seed in a fresh process and says when it does not reproduce.)
#ifndef GORT_HARNESS_ISOLATION_WORKER_POOL_H
#define GORT_HARNESS_ISOLATION_WORKER_POOL_H

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "session/scenario_run.h"

namespace gort::harness {

// The spec of run k of scenario i (pool, workspace and log are the worker's).
using RunSpecFor = std::function<RunSpec(uint32_t scenario, uint64_t k)>;

struct RunBatch {
  uint32_t scenario = 0;
  uint64_t first = 0;  // run indices first .. first + count - 1
  uint32_t count = 0;
};

// What the check keeps of one run.
struct RunRecord {
  uint32_t scenario = 0;
  uint64_t k = 0;
  StrategyKind strategy = StrategyKind::kRandom;
  bool ok = true;
  bool injected_panic = false;  // ended in an injected panic (and was otherwise clean)
  uint32_t faults = 0;          // faults fired
  std::string failure_kind, verdict;
  // The leak oracle (RunSpec::leaks): leftover goroutines of each kind,
  // and the first leak's description (describe_leak) when there is one.
  uint32_t definite_leaks = 0, possible_leaks = 0;
  std::string first_leak;
  // On the last record of a batch: the batch's time in its worker, and its runs.
  double worker_seconds = 0;
  uint32_t batch_runs = 0;
};

// The record of a run that ran in this process.
RunRecord record_of(uint32_t scenario, uint64_t k, const RunSpec& spec, const RunOutcome& out);

class WorkerPool {
 public:
  // Forks `workers` (>= 1) processes, which run each spec with run (null:
  // run_scenario_once). run_timeout_seconds > 0.
  WorkerPool(unsigned workers, RunSpecFor spec_for, RunFunction run, double run_timeout_seconds);
  ~WorkerPool();  // stops every worker and waits for it
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  unsigned workers() const { return static_cast<unsigned>(workers_.size()); }
  // Queues a batch (behind everything queued before it).
  void submit(const RunBatch& batch);
  // Batches queued and not yet handed to a worker.
  size_t queued() const { return queue_.size(); }
  // Runs submitted whose records have not been returned yet.
  uint64_t outstanding() const { return outstanding_; }
  // Hands queued batches to idle workers, waits up to timeout_ms for
  // something to happen, and appends the records that arrived.
  void poll(std::vector<RunRecord>* out, int timeout_ms);
  // Workers restarted after a death or a timeout.
  uint64_t restarts() const { return restarts_; }

 private:
  struct Slot;
  struct Worker {
    pid_t pid = -1;
    int task_fd = -1, result_fd = -1, output_fd = -1;
    Slot* slot = nullptr;
    bool busy = false;
    bool killed_for_timeout = false;
    RunBatch batch;
    uint32_t reported = 0;  // records of the current batch received
    uint64_t started_seen = 0;
    std::chrono::steady_clock::time_point started_at{}, batch_at{};
    std::string inbox;   // bytes of records not yet parsed
    std::string output;  // the worker's last output (a crash report)
  };

  void spawn(Worker& w);
  void retire(Worker& w);  // closes its fds (the process is gone)
  void dispatch();
  void read_results(Worker& w, std::vector<RunRecord>* out);
  void handle_death(Worker& w, std::vector<RunRecord>* out);
  [[noreturn]] void worker_main(int task_fd, int result_fd, Slot* slot);

  RunSpecFor spec_for_;
  RunFunction run_;
  double run_timeout_seconds_;
  std::vector<Worker> workers_;
  Slot* slots_ = nullptr;
  size_t slots_bytes_ = 0;
  std::deque<RunBatch> queue_;
  uint64_t outstanding_ = 0;
  uint64_t restarts_ = 0;
  uint32_t deaths_outside_runs_ = 0;  // in a row: workers that died with no run in progress
};

}  // namespace gort::harness

#endif  // GORT_HARNESS_ISOLATION_WORKER_POOL_H
