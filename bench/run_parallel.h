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
#include <chrono>
#include <cstdint>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"

namespace gort_bench {

// Ops per step of the benchmarks that are a plain loop in Go, where b.N
// would not fit in one KeepRunningBatch step (chan_bench.cc's MakeChan).
constexpr int64_t kGrain = 1000;

// Go's grain (testing.B.RunParallel): the ops that took about 100 us in
// this benchmark's previous round, at least 1 (the first round, b.N = 1,
// has none before it) and at most 10,000 (Go expects an op and its call to
// take 10 ns or more). A fixed grain would not do: for sub-nanosecond ops
// (Once) workers would meet on the shared count every few hundred ns.
//
// The previous round is the last run_parallel's. Google Benchmark runs one
// benchmark's rounds in a row and starts each benchmark at one op, so the
// only round that sees another benchmark's figure is a first one, where
// the grain cannot matter.
struct Round {
  int64_t n = 0;   // ops
  int64_t ns = 0;  // wall-clock time they took
};
inline Round& previous_round() {
  static Round last;  // main's thread only (benchmarks run one at a time): no lock
  return last;
}
inline int64_t go_grain(const Round& previous) {
  constexpr int64_t kMaxGrain = 10'000;
  if (previous.n <= 0 || previous.ns <= 0) return 1;
  const double grain = 1e5 * static_cast<double>(previous.n) / static_cast<double>(previous.ns);
  return grain < 1 ? 1 : grain > kMaxGrain ? kMaxGrain : static_cast<int64_t>(grain);
}

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
// state.max_iterations ops, a grain at a time (go_grain).
template <class Body>
void run_parallel(benchmark::State& state, Body body, uint32_t parallelism = 1) {
  const int64_t n = state.max_iterations;
  const uint32_t workers = parallelism * procs;
  Round& previous = previous_round();
  const int64_t grain = go_grain(previous);
  while (state.KeepRunningBatch(n)) {
    const auto start = std::chrono::steady_clock::now();
    std::atomic<int64_t> taken{0};
    gort::Chan<bool> done = gort::make_chan<bool>(workers);  // wg
    for (uint32_t p = 0; p < workers; p++) gort::go(ParallelWorker<Body>{&body, &taken, n, grain, done});
    for (uint32_t p = 0; p < workers; p++) done.recv();  // wg.Wait()
    const auto took = std::chrono::steady_clock::now() - start;
    previous = Round{n, std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()};
  }
}

}  // namespace gort_bench

#endif  // GORT_BENCH_RUN_PARALLEL_H
