// The benchmarks' entry point: Google Benchmark's own main (flags such as
// --benchmark_filter, --benchmark_repetitions, --benchmark_format=json).
// The benchmarks register themselves from their own files.
//
// gort_bench (built with GORT_BENCH_PROCS_FLAG) takes one flag of its own,
// --gort_procs=N: the Ps (GOMAXPROCS) of every gort::run it makes
// (bench_procs.h; default 1). It is taken out of argv before Google
// Benchmark parses the rest, which rejects flags it does not know; it is
// recorded in the run's context (the console header and the JSON's
// "context"), so that a saved result says which Ps it was taken at.
// gort_harness_bench shares this file without the flag (its benchmarks
// take their Ps as an argument), so there --gort_procs is an unknown flag.
#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#ifdef GORT_BENCH_PROCS_FLAG
#include "bench_procs.h"

namespace {

// Removes every --gort_procs=N from argv (the last one wins, as with
// Google Benchmark's flags) and sets gort_bench::procs. False, with a
// message, when N is not a whole number from 1 to gort::kMaxProcs.
bool take_procs_flag(int* argc, char** argv) {
  static constexpr char kFlag[] = "--gort_procs=";
  int kept = 1;
  for (int i = 1; i < *argc; i++) {
    if (strncmp(argv[i], kFlag, sizeof kFlag - 1) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const char* value = argv[i] + sizeof kFlag - 1;
    char* end = nullptr;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 || n < 1 || n > gort::kMaxProcs) {
      fprintf(stderr, "%s: --gort_procs wants a whole number of Ps from 1 to %u, not '%s'\n", argv[0], gort::kMaxProcs,
              value);
      return false;
    }
    gort_bench::procs = static_cast<uint32_t>(n);
  }
  argv[kept] = nullptr;
  *argc = kept;
  return true;
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef GORT_BENCH_PROCS_FLAG
  if (!take_procs_flag(&argc, argv)) return 1;
  benchmark::AddCustomContext("gort_procs", std::to_string(gort_bench::procs));
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
