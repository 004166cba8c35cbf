// BM_CreateGoroutines and BM_CreateGoroutinesParallel: gort's ports of Go's
// BenchmarkCreateGoroutines and BenchmarkCreateGoroutinesParallel
// (runtime/proc_test.go, benchmarkCreateGoroutines with procs = 1 and with
// procs = GOMAXPROCS). Each is made of chains of goroutines in which each
// one starts the next and exits; the last one of a chain tells main on an
// unbuffered channel. Per op: one goroutine created (newproc: gfget reuses
// a dead G and its stack, the function moved onto it, runqput to runnext)
// and exited (goexit: gfput, schedule picks runnext, gogo).
//
// How it maps onto Go's: Go starts `procs` chains of b.N / procs
// goroutines each (one more each, the one that sends) and main receives
// once per chain. Here main takes one Google Benchmark step of all
// n = max_iterations ops (which starts the timer), starts the chains and
// receives once per chain; the chains are sized so that exactly n
// goroutines are created in all. A new G goes to runnext, which inherits
// the time slice, so a chain runs on its P without a look at the global
// queue until it ends, as in Go. With GOMAXPROCS chains (the Parallel one
// at 2 Ps) each P runs one chain, and each P's gfree list feeds its own
// chain; one chain at 2 Ps leaves the other P idle (its M may steal the
// chain's runnext now and then, as Go's does).
//
// main alone touches benchmark::State; the start of the chains and the
// final receives are timed once per run, as in Go.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>

#include "bench_procs.h"
#include "gort/gort.h"

namespace {

// One link of a chain: a small functor (gort::go moves it onto the new
// goroutine's stack, so it must be nothrow-movable: a channel handle and an
// integer are). The handle to main's channel moves down the chain, so no
// reference is counted per goroutine, and the last link holds one of its
// own while it sends: at 2 Ps main may run on and drop its handle while
// the send is still finishing on the other M, and the channel must not be
// freed under it (Go's garbage collector keeps it for the same reason).
// `remaining` goroutines still to start after this one.
struct Link {
  gort::Chan<bool> c;
  int64_t remaining;
  void operator()() {
    if (remaining == 0) {
      c.send(true);
      return;
    }
    gort::go(Link{std::move(c), remaining - 1});
  }
};

// chains chains sharing n goroutines (the first n % chains one longer).
void create_goroutines(benchmark::State& state, uint32_t chains) {
  const int64_t n = state.max_iterations;
  gort::Result r = gort::run(gort_bench::config(), [&state, n, chains] {
    gort::Chan<bool> c = gort::make_chan<bool>(0);
    while (state.KeepRunningBatch(n)) {
      uint32_t started = 0;
      for (uint32_t i = 0; i < chains; i++) {
        const int64_t length = n / chains + (i < n % chains ? 1 : 0);
        if (length == 0) continue;
        gort::go(Link{c, length - 1});  // a reference per chain
        started++;
      }
      for (uint32_t i = 0; i < started; i++) c.recv();
    }
  });
  gort_bench::report_procs(state, r);
  if (!r.ok()) {
    state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
  } else if (r.goroutines_created != static_cast<uint64_t>(state.iterations()) + 1) {
    // One goroutine per op, plus main: anything else means the chains are
    // not what the figure claims to measure.
    state.SkipWithError(("created " + std::to_string(r.goroutines_created) + " goroutines for " +
                         std::to_string(state.iterations()) + " ops (+1 for main)")
                            .c_str());
  }
}

void BM_CreateGoroutines(benchmark::State& state) { create_goroutines(state, 1); }
BENCHMARK(BM_CreateGoroutines)->UseRealTime();

void BM_CreateGoroutinesParallel(benchmark::State& state) { create_goroutines(state, gort_bench::procs); }
BENCHMARK(BM_CreateGoroutinesParallel)->UseRealTime();

}  // namespace
