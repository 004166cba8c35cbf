// BM_Schedules: the harness' own speed, in schedules per second (the
// items_per_second column). One schedule is one whole run of a built-in
// scenario on a fresh sim runtime, seed k for the k-th run, no faults
// (every run is the whole program), at three levels of checking:
//
//   runtime    the runtime alone under a seeded random walk: the floor.
//   recorded   run_scenario_once with the invariant checks off: decisions
//              recorded, the trace hashed, the channel oracle judging it.
//   checked    run_scenario_once as `gort check` runs it: the above plus
//              every invariant at every quiescent point.
//
// All three reuse one RunWorkspace and one stack pool, as a `gort check`
// session does. The second argument is the run's Ps (Config::procs): at 2
// every runtime lock, atomic and Note is a scheduling point between two
// virtual Ms, which the chooser decides.
//
// BM_SchedulesInWorkers: level 2 as `gort check -j N` runs it, in N forked
// worker processes (isolation/worker_pool.h) fed batches of 64 runs, 256
// at a time: items_per_second against level 2's is the
// cost of isolation (-j 1) and what a second worker buys (-j 2). Build it with the release preset: a fresh runtime
// per schedule must cost microseconds, not milliseconds (bench/README.md).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gort/gort.h"
#include "isolation/worker_pool.h"
#include "scenario/scenario.h"
#include "session/scenario_run.h"
#include "strategy/random_walk.h"

namespace {

enum Level : int64_t { kRuntime, kRecorded, kChecked };

const gort::harness::Scenario& scenario_named(const char* name) {
  const gort::harness::Scenario* s = gort::harness::find_scenario(name);
  if (s == nullptr) {
    fprintf(stderr, "harness_bench: no scenario '%s'\n", name);
    abort();
  }
  return *s;
}

void BM_Schedules(benchmark::State& state, const char* name) {
  const gort::harness::Scenario& s = scenario_named(name);
  const auto level = static_cast<Level>(state.range(0));
  const auto procs = static_cast<uint32_t>(state.range(1));
  gort::StackPool pool;
  gort::harness::RunWorkspace workspace;
  uint64_t seed = 1;
  for (auto _ : state) {
    bool ok = false;
    if (level == kRuntime) {
      gort::harness::RandomWalk walk(seed);
      gort::Config cfg;
      cfg.seed = seed;
      cfg.procs = procs;
      cfg.chooser = &walk;
      cfg.stack_size = s.stack_size;
      cfg.stack_pool = &pool;
      ok = gort::harness::judge(s, gort::run(cfg, s.program)).empty();
    } else {
      gort::harness::RunSpec spec;
      spec.scenario = &s;
      spec.seed = seed;
      spec.procs = procs;
      spec.check_invariants = level == kChecked;
      spec.pool = &pool;
      spec.workspace = &workspace;
      ok = gort::harness::run_scenario_once(spec).ok();
    }
    if (!ok) {
      state.SkipWithError("a run failed: try `gort run SCENARIO --seed N`");
      break;
    }
    seed++;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SchedulesInWorkers(benchmark::State& state, const char* name) {
  const gort::harness::Scenario& s = scenario_named(name);
  constexpr uint32_t kBatch = 64, kPerIteration = 256;
  gort::harness::WorkerPool pool(
      static_cast<unsigned>(state.range(0)),
      [&s](uint32_t, uint64_t k) {
        gort::harness::RunSpec spec;
        spec.scenario = &s;
        spec.seed = k + 1;
        return spec;
      },
      nullptr, 10);
  uint64_t k = 0;
  std::vector<gort::harness::RunRecord> records;
  // Each batch of kPerIteration counts as that many iterations: the time
  // per iteration is the time per schedule, as in BM_Schedules.
  while (state.KeepRunningBatch(kPerIteration)) {
    for (uint32_t b = 0; b < kPerIteration / kBatch; b++, k += kBatch) pool.submit({0, k, kBatch});
    bool ok = true;
    while (pool.outstanding() > 0) {
      records.clear();
      pool.poll(&records, 100);
      for (const auto& r : records) ok = ok && r.ok;
    }
    if (!ok) {
      state.SkipWithError("a run failed: try `gort run SCENARIO --seed N`");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_Schedules, ping_pong, "ping-pong")
    ->ArgNames({"level", "procs"})
    ->ArgsProduct({{kRuntime, kRecorded, kChecked}, {1, 2}});
BENCHMARK_CAPTURE(BM_Schedules, prime_sieve, "prime-sieve")
    ->ArgNames({"level", "procs"})
    ->ArgsProduct({{kRuntime, kRecorded, kChecked}, {1}});
BENCHMARK_CAPTURE(BM_SchedulesInWorkers, ping_pong, "ping-pong")->ArgName("workers")->DenseRange(1, 2)->UseRealTime();
BENCHMARK_CAPTURE(BM_SchedulesInWorkers, prime_sieve, "prime-sieve")
    ->ArgName("workers")
    ->DenseRange(1, 2)
    ->UseRealTime();

}  // namespace
