// BM_DeferReturn and BM_PanicRecover: a defer run at its function's normal
// return, and a panic recovered by a deferred call one frame up, next to
// bench/go/defer_test.go (the same per-op work in Go; Go has no stock
// benchmarks of these).
//
// What one op costs in gort: gort::func pushes a Frame (two stores), defer
// takes a record from the P's pool and moves the lambda into it, the end
// of the function runs it as a frame of its own and gives the record back.
// A panic additionally boxes its value (one allocation, as Go's panic of a
// non-constant would) and, once recovered, unwinds to the recovering frame
// with a C++ exception (so that destructors run): the unwinder's two
// phases dominate, which is why this costs far more than Go's, whose
// recovery is a jump to a saved PC.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"

namespace {

template <class Body>
void run_in_gort(benchmark::State& state, Body body) {
  gort::Result r = gort::run(gort_bench::config(), [&] { body(); });
  gort_bench::report_procs(state, r);
  if (!r.ok()) state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
}

void BM_DeferReturn(benchmark::State& state) {
  run_in_gort(state, [&] {
    int64_t x = 0;
    for (auto _ : state) {
      gort::func([&](gort::Frame& f) { f.defer([&] { x++; }); });
    }
    if (x != static_cast<int64_t>(state.iterations())) state.SkipWithError("a deferred call did not run");
    benchmark::DoNotOptimize(x);
  });
}
BENCHMARK(BM_DeferReturn)->UseRealTime();

void BM_PanicRecover(benchmark::State& state) {
  run_in_gort(state, [&] {
    int64_t x = 0;
    for (auto _ : state) {
      gort::func([&](gort::Frame& f) {
        f.defer([&] {
          if (gort::recover()) x++;
        });
        gort::panic(42);
      });
    }
    if (x != static_cast<int64_t>(state.iterations())) state.SkipWithError("a panic was not recovered");
    benchmark::DoNotOptimize(x);
  });
}
BENCHMARK(BM_PanicRecover)->UseRealTime();

}  // namespace
