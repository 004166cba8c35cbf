// BM_BoostContextSwitch: BM_ArchSwap's reference, the same ping-pong
// through Boost.Context's callcc/continuation: its assembly switch
// (jump_fcontext, in the shared library) plus the continuation object's
// bookkeeping (the resumed side gets the context it came from as a new
// continuation). Measured in the same process so that the two figures share
// the machine's state; bench/compare-go prints their ratio.
//
// Counting as in BM_ArchSwap: each resume() from the benchmark side is a
// round trip (two switches) and one KeepRunningBatch(2) step, so the
// reported time per iteration is ns per ONE switch.
#include <benchmark/benchmark.h>

#include <boost/context/continuation.hpp>
#include <utility>

namespace ctx = boost::context;

namespace {

void BM_BoostContextSwitch(benchmark::State& state) {
  bool done = false;
  // callcc enters the echo body at once; the body resumes us straight away,
  // so when callcc returns the first (untimed) round trip is done and
  // `echo` is the body's context, parked in its loop.
  ctx::continuation echo = ctx::callcc([&done](ctx::continuation&& bench) {
    while (!done) bench = bench.resume();
    return std::move(bench);
  });
  while (state.KeepRunningBatch(2)) {
    echo = echo.resume();
  }
  done = true;
  echo = echo.resume();  // the body returns: its context ends, echo is empty
}
BENCHMARK(BM_BoostContextSwitch);

}  // namespace
