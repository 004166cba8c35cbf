// BM_CreateGoroutines: gort's port of Go's BenchmarkCreateGoroutines
// (runtime/proc_test.go, benchmarkCreateGoroutines with procs=1). A chain of
// goroutines in which each one starts the next and exits; the last one
// tells main. Per op: one goroutine created (newproc: gfget reuses a dead
// G and its stack, the function moved onto it, runqput to runnext) and
// exited (goexit: gfput, schedule picks runnext, gogo).
//
// How it maps onto Go's: Go runs one chain of b.N goroutines and main
// blocks on a channel receive. Here main waits by gosched'ing until a flag
// is set, which keeps this benchmark about goroutine creation alone (no
// channel code on its path) and costs nothing per op: the new G
// goes to runnext, which inherits the time slice (schedtick does not
// advance), so findrunnable never consults the global queue where main
// waits until the chain ends, as in Go. Main runs the benchmark loop in
// batches of kChain goroutines, one chain per batch; the one gosched per
// batch (and per batch, one wakeup of main) is amortised over kChain ops,
// as Go's single channel handoff is over b.N.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "gort/gort.h"

namespace {

constexpr uint32_t kChain = 1000;

struct ChainEnd {
  bool reached = false;
};

// One link of the chain: a small functor (gort::go moves it onto the new
// goroutine's stack, so it must be nothrow-movable; two trivially copyable
// members are). `remaining` goroutines still to start after this one.
struct Link {
  ChainEnd* end;
  uint32_t remaining;
  void operator()() const {
    if (remaining == 0) {
      end->reached = true;
      return;
    }
    gort::go(Link{end, remaining - 1});
  }
};

void BM_CreateGoroutines(benchmark::State& state) {
  ChainEnd end;
  gort::Result r = gort::run(gort::Config{}, [&state, &end] {
    while (state.KeepRunningBatch(kChain)) {
      end.reached = false;
      gort::go(Link{&end, kChain - 1});  // kChain goroutines in all
      // gosched is opaque to the compiler: `reached` is reloaded each time.
      while (!end.reached) gort::gosched();
    }
  });
  if (!r.ok()) {
    state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
  } else if (r.goroutines_created != static_cast<uint64_t>(state.iterations()) + 1) {
    // One goroutine per op, plus main: anything else means the chain is
    // not what the figure claims to measure.
    state.SkipWithError(("created " + std::to_string(r.goroutines_created) + " goroutines for " +
                         std::to_string(state.iterations()) + " ops (+1 for main)")
                            .c_str());
  }
}
BENCHMARK(BM_CreateGoroutines);

}  // namespace
