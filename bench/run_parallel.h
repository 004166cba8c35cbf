// Go's b.RunParallel and the reporting every gort_bench benchmark shares
// (chan_bench.cc, chan_handoff_bench.cc, sync_bench.cc).
//
// run_parallel: GOMAXPROCS x parallelism worker goroutines share the ops
// of one KeepRunningBatch step through Go's pb.Next() (a local countdown,
// an atomic add on a shared count per grain); main waits for all of them,
// so the timer runs from before the first worker starts to after the last
// one is done, as Go's b.N round.
#ifndef GORT_BENCH_RUN_PARALLEL_H
#define GORT_BENCH_RUN_PARALLEL_H

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"

namespace gort_bench {

// Ops per grain of run_parallel (Go's grain is about 100 us of ops, from 1
// to 10,000; 1000 of these 2 to 100 ns ops is within that range).
constexpr int64_t kGrain = 1000;

// Reports a failed run, or a check the benchmark made (err), as an error
// instead of a figure; and the Ps the run had.
inline void finish(benchmark::State& state, const gort::Result& r, const std::string& err = "") {
  report_procs(state, r);
  if (!r.ok()) {
    state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
  } else if (!err.empty()) {
    state.SkipWithError(err.c_str());
  }
}

// Go's testing.PB: n ops handed out grain at a time; next() is pb.Next().
class PB {
 public:
  PB(std::atomic<int64_t>* taken, int64_t n, int64_t grain) : taken_(taken), n_(n), grain_(grain) {}
  bool next() {
    if (cache_ == 0) {
      const int64_t end = taken_->fetch_add(grain_, std::memory_order_relaxed) + grain_;
      if (end <= n_) {
        cache_ = grain_;
      } else if (end < n_ + grain_) {
        cache_ = n_ + grain_ - end;
      } else {
        return false;
      }
    }
    cache_--;
    return true;
  }

 private:
  std::atomic<int64_t>* taken_;
  int64_t n_;
  int64_t grain_;
  int64_t cache_ = 0;
};

// One of RunParallel's goroutines. It holds its own handle to the done
// channel (main may take the last value and drop its handle while this
// send is still finishing on another M) and touches nothing of main's
// frame after the send.
template <class Body>
struct ParallelWorker {
  Body* body;
  std::atomic<int64_t>* taken;
  int64_t n;
  int64_t grain;
  gort::Chan<bool> done;
  void operator()() const {
    PB pb(taken, n, grain);
    (*body)(pb);
    done.send(true);
  }
};

// b.SetParallelism(parallelism); b.RunParallel(body), called by main inside
// a run: parallelism x GOMAXPROCS (procs) workers share
// state.max_iterations ops.
template <class Body>
void run_parallel(benchmark::State& state, Body body, uint32_t parallelism = 1, int64_t grain = kGrain) {
  const int64_t n = state.max_iterations;
  const uint32_t workers = parallelism * procs;
  while (state.KeepRunningBatch(n)) {
    std::atomic<int64_t> taken{0};
    gort::Chan<bool> done = gort::make_chan<bool>(workers);  // wg
    for (uint32_t p = 0; p < workers; p++) gort::go(ParallelWorker<Body>{&body, &taken, n, grain, done});
    for (uint32_t p = 0; p < workers; p++) done.recv();  // wg.Wait()
  }
}

}  // namespace gort_bench

#endif  // GORT_BENCH_RUN_PARALLEL_H
