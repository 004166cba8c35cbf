// The Ps (GOMAXPROCS) every gort::run of gort_bench gets: set by
// `--gort_procs=N` (bench/main.cc, default 1), so that bench/compare-go can
// run the same binary at 1 and at 2 Ps next to Go's `-cpu 1` and `-cpu 2`.
//
// Every benchmark builds its Config with config() rather than Config{}:
// Config{}'s procs 0 means "the platform's default", which in os builds is
// the number of online CPUs, and a figure must not change meaning with the
// machine it was taken on.
//
// Benchmarks that run goroutines on several Ms at once must keep
// benchmark::State to one goroutine (main): State is not thread-safe, and
// a goroutine may resume on another M (another OS thread) after it blocks.
// For the same reason they are timed in wall-clock time (UseRealTime()):
// the CPU time Google Benchmark reads by default is that of the calling
// thread, which says nothing about goroutines on other Ms, and with it the
// iteration count would grow until main's own (mostly blocked) thread had
// used --benchmark_min_time of CPU. Go's ns/op is wall-clock time too.
#ifndef GORT_BENCH_BENCH_PROCS_H
#define GORT_BENCH_BENCH_PROCS_H

#include <benchmark/benchmark.h>

#include <cstdint>

#include "gort/gort.h"

namespace gort_bench {

// --gort_procs=N; bench/main.cc sets it before any benchmark runs.
inline uint32_t procs = 1;

// A Config with the Ps asked for and everything else at its default.
inline gort::Config config() {
  gort::Config c;
  c.procs = procs;
  return c;
}

// Reports the Ps the run really had (Result::procs: a build may resolve
// Config::procs to fewer) as the counter "procs", so that a figure taken
// at fewer Ps than asked for shows it (compare-go warns).
inline void report_procs(benchmark::State& state, const gort::Result& r) {
  state.counters["procs"] = static_cast<double>(r.procs);
}

}  // namespace gort_bench

#endif  // GORT_BENCH_BENCH_PROCS_H
