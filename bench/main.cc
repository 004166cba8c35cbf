// gort_bench's entry point: Google Benchmark's own main (flags such as
// --benchmark_filter, --benchmark_repetitions, --benchmark_format=json).
// The benchmarks register themselves from their own files.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
