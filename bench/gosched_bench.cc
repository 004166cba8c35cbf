// BM_GoschedRoundTrip: the cost of one goroutine switch through the
// scheduler. Inside one gort::run, two goroutines take turns calling
// gort::gosched(): each call goes G -> g0 (mcall), puts the G on the global
// queue, runs schedule/findrunnable, and resumes the other G (gogo).
//
// Counting: main takes one Google Benchmark step of all n = max_iterations
// goschedes (which starts the timer), then both goroutines take tickets
// from one shared count, one per gosched, until n are taken; the timer
// stops when main has taken its last. So the reported time per iteration
// is wall-clock ns per gosched, exactly, whichever goroutine makes it, even
// when Go's fairness rule (global queue first every 61st schedtick) lets
// one goroutine run twice in a row. Only main touches benchmark::State:
// at more than one P the two goroutines run on two Ms at once, and State
// is not thread-safe. At one P the count is a plain load and store (one M,
// nothing runs in between); at more, an atomic add.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"

namespace {

struct Turns {
  int64_t n;   // goschedes in all
  bool one_m;  // procs == 1: nobody takes a ticket concurrently
  std::atomic<int64_t> taken{0};

  // Takes the next ticket: false when all n are taken.
  bool take() {
    if (one_m) {
      const int64_t t = taken.load(std::memory_order_relaxed);
      taken.store(t + 1, std::memory_order_relaxed);
      return t < n;
    }
    return taken.fetch_add(1, std::memory_order_relaxed) < n;
  }
};

void take_turns(Turns& t) {
  while (t.take()) gort::gosched();
}

// The partner goroutine's function: a small functor, because gort::go
// moves it onto the new goroutine's stack (it must be nothrow-movable).
struct Partner {
  Turns* turns;
  void operator()() const { take_turns(*turns); }
};

void BM_GoschedRoundTrip(benchmark::State& state) {
  Turns turns{state.max_iterations, gort_bench::procs == 1};
  gort::Result r = gort::run(gort_bench::config(), [&state, &turns] {
    while (state.KeepRunningBatch(turns.n)) {
      // Started once the timer runs: at 2 Ps it starts taking turns at once.
      gort::go(Partner{&turns});
      take_turns(turns);
    }
    // Main returning ends the run; if the partner is still in its last
    // gosched, it is abandoned (Go's exit semantics), never resumed.
  });
  gort_bench::report_procs(state, r);
  if (!r.ok()) state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
}
BENCHMARK(BM_GoschedRoundTrip)->UseRealTime();

}  // namespace
