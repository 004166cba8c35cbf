// Go's sync package and the runtime semaphores under it: ports of Go 1.19's
// benchmarks in src/sync (mutex_test.go, rwmutex_test.go, waitgroup_test.go,
// once_test.go, cond_test.go, runtime_sema_test.go), same names with BM_
// for Benchmark. compare-go runs Go's with -cpu 1 and -cpu 2 and gort_bench
// with --gort_procs=1 and 2 (bench_procs.h), so they are compared at equal
// GOMAXPROCS.
//
// All but the Cond ones use b.RunParallel, ported as in chan_bench.cc:
// GOMAXPROCS x parallelism worker goroutines (parallelism 1 unless Go sets
// it with b.SetParallelism) share b.N ops through Go's pb.Next() (a local
// countdown, an atomic add on a shared count per grain of Go's size),
// while main waits on a channel of one slot per worker. main alone drives
// benchmark::State: one KeepRunningBatch step of all max_iterations ops
// per gort::run, which starts the timer before the workers start and stops
// it once they are all done, so the time per iteration is wall-clock ns
// per Go op, the workers' start and the final wait timed once per run, as
// in Go. Objects Go declares outside RunParallel's body live in main's
// frame, shared by the workers; those it declares inside, each worker has
// on its own stack (Go pads them to keep them off each other's cache
// lines; so does the port).
//
// benchmarkCond is no RunParallel: waiters + 1 goroutines each run b.N
// iterations while main waits for them; the port is the same, main
// stepping Google Benchmark's loop once with all b.N.
//
// The semaphore benchmarks call Go's runtime_Semacquire /
// runtime_Semrelease(addr, handoff=false) through sync's export_test.go,
// i.e. semacquire1(addr, lifo=false) and semrelease1(addr, false): here
// gort::detail::semacquire(addr, false) and semrelease(addr, false), the
// same calls gort's sync package makes.
//
// Work per op is ported as Go compiles it (see empty_work_loop: unlike the
// channel benchmarks' model work, sync's is dead code to Go's compiler).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"
#include "gort/sema.h"
#include "gort/sync.h"
#include "run_parallel.h"

namespace {

using gort_bench::finish;
using gort_bench::PB;
using gort_bench::run_parallel;

// Go's work loop `for i := 0; i < n; i++ { foo *= 2; foo /= 2 }` as Go
// 1.19 compiles it where foo is dead afterwards (benchmarkMutex ends with
// `_ = foo`, which is no use): the arithmetic is dropped and the empty
// loop stays, INCQ; CMPQ $n; JL (go tool objdump of sync.test). The port is
// that loop, written out on amd64 (C++ would drop it, or compile it to four
// instructions per pass); elsewhere an empty asm keeps i opaque.
inline void empty_work_loop(int64_t n) {
#if defined(__x86_64__)
  int64_t i = 0;
  asm volatile(
      "1:\n\t"
      "incq %0\n\t"
      "cmpq %1, %0\n\t"
      "jl 1b"
      : "+r"(i)
      : "r"(n)
      : "cc");
#else
  for (int64_t i = 0; i < n; i++) asm volatile("" : "+r"(i));
#endif
}

// --- mutex_test.go ------------------------------------------------------------

// BenchmarkMutexUncontended. Each worker has a Mutex of its own (padded
// by 128 bytes, as Go's PaddedMutex). One op: Lock + Unlock of it, both on
// the fast path (one CAS, one atomic add).
void BM_MutexUncontended(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    run_parallel(state, [](PB& pb) {
      struct PaddedMutex {
        gort::Mutex mu;
        uint8_t pad[128];
      } mu;
      while (pb.next()) {
        mu.mu.lock();
        mu.mu.unlock();
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_MutexUncontended)->UseRealTime();

// benchmarkMutex(b, slack, work): one Mutex shared by the workers
// (GOMAXPROCS of them; 10 x GOMAXPROCS with slack). One op: Lock + Unlock,
// then, with work, Go's 100 rounds of `foo *= 2; foo /= 2` outside the
// lock, which Go compiles to an empty loop of 100 (empty_work_loop). At 1 P the
// workers take turns on one M (a worker is only switched out at a
// preemption), so the mutex is never contended; at 2 Ps they contend:
// spinning, the waiter count, sleeping on the semaphore and handoffs.
void benchmark_mutex(benchmark::State& state, bool slack, bool work) {
  gort::Result r = gort::run(gort_bench::config(), [&state, slack, work] {
    gort::Mutex mu;
    run_parallel(
        state,
        [&mu, work](PB& pb) {
          while (pb.next()) {
            mu.lock();
            mu.unlock();
            if (work) empty_work_loop(100);
          }
        },
        slack ? 10 : 1);
  });
  finish(state, r);
}

void BM_Mutex(benchmark::State& state) { benchmark_mutex(state, false, false); }
BENCHMARK(BM_Mutex)->UseRealTime();

void BM_MutexSlack(benchmark::State& state) { benchmark_mutex(state, true, false); }
BENCHMARK(BM_MutexSlack)->UseRealTime();

void BM_MutexWork(benchmark::State& state) { benchmark_mutex(state, false, true); }
BENCHMARK(BM_MutexWork)->UseRealTime();

// BenchmarkMutexSpin: a case where spinning in Lock should pay. One Mutex
// shared by GOMAXPROCS workers, each with 16 Ki uint64 (128 KiB) of its
// own. One op: Lock, two updates of shared counters, Unlock, then an
// increment of every fourth word of the worker's data (4096 read-modify-
// writes, a pass over 128 KiB), which a switch to another goroutine would
// evict from the cache. Go's array is on the goroutine's stack (which
// grows); gort's stacks do not grow (64 KiB by default), so the port's is
// on the heap: the same memory traffic. ClobberMemory after each pass
// makes the stores happen, as Go's compiler does (C++ could drop stores
// to an array nobody reads).
void BM_MutexSpin(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::Mutex m;
    uint64_t acc0 = 0;
    uint64_t acc1 = 0;
    run_parallel(
        state,
        [&m, &acc0, &acc1](PB& pb) {
          constexpr int kData = 16 << 10;
          std::unique_ptr<uint64_t[]> data(new uint64_t[kData]());
          uint64_t* d = data.get();
          benchmark::DoNotOptimize(d);
          while (pb.next()) {
            m.lock();
            acc0 -= 100;
            acc1 += 100;
            m.unlock();
            for (int i = 0; i < kData; i += 4) d[i]++;
            benchmark::ClobberMemory();
          }
        },
        1);
    benchmark::DoNotOptimize(acc0);
    benchmark::DoNotOptimize(acc1);
  });
  finish(state, r);
}
BENCHMARK(BM_MutexSpin)->UseRealTime();

// --- rwmutex_test.go ----------------------------------------------------------

// BenchmarkRWMutexUncontended. Each worker has an RWMutex of its own
// (padded, as Go's PaddedRWMutex). One op: RLock, RLock, RUnlock, RUnlock,
// Lock, Unlock: four reader-count adds, and the writer's Mutex lock plus
// its two adds, all on their fast paths.
void BM_RWMutexUncontended(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    run_parallel(state, [](PB& pb) {
      struct PaddedRWMutex {
        gort::RWMutex rwm;
        uint32_t pad[32];
      } rwm;
      while (pb.next()) {
        rwm.rwm.rlock();
        rwm.rwm.rlock();
        rwm.rwm.runlock();
        rwm.rwm.runlock();
        rwm.rwm.lock();
        rwm.rwm.unlock();
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_RWMutexUncontended)->UseRealTime();

// benchmarkRWMutex(b, localWork = 0, writeRatio): one RWMutex shared by
// the workers. One op: foo++, then Lock + Unlock when foo is a multiple of
// writeRatio, else RLock + RUnlock (localWork 0: nothing in between). At 2
// Ps a writer waits for the readers inside and readers queue behind a
// pending writer.
void benchmark_rwmutex(benchmark::State& state, int write_ratio) {
  gort::Result r = gort::run(gort_bench::config(), [&state, write_ratio] {
    gort::RWMutex rwm;
    run_parallel(state, [&rwm, write_ratio](PB& pb) {
      int64_t foo = 0;
      while (pb.next()) {
        foo++;
        if (foo % write_ratio == 0) {
          rwm.lock();
          rwm.unlock();
        } else {
          rwm.rlock();
          rwm.runlock();
        }
      }
      benchmark::DoNotOptimize(foo);
    });
  });
  finish(state, r);
}

void BM_RWMutexWrite100(benchmark::State& state) { benchmark_rwmutex(state, 100); }
BENCHMARK(BM_RWMutexWrite100)->UseRealTime();

void BM_RWMutexWrite10(benchmark::State& state) { benchmark_rwmutex(state, 10); }
BENCHMARK(BM_RWMutexWrite10)->UseRealTime();

// --- waitgroup_test.go --------------------------------------------------------

// BenchmarkWaitGroupUncontended. Each worker has a WaitGroup of its own
// (padded, as Go's PaddedWaitGroup). One op: Add(1), Done(), Wait() with
// the counter back at zero: two atomic adds and a load.
void BM_WaitGroupUncontended(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    run_parallel(state, [](PB& pb) {
      struct PaddedWaitGroup {
        gort::WaitGroup wg;
        uint8_t pad[128];
      } wg;
      while (pb.next()) {
        wg.wg.add(1);
        wg.wg.done();
        wg.wg.wait();
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_WaitGroupUncontended)->UseRealTime();

// benchmarkWaitGroupAddDone(b, localWork = 0): one WaitGroup shared by
// the workers. One op: Add(1), Done() (two atomic adds on one shared word;
// at 2 Ps its cache line moves between the CPUs).
void BM_WaitGroupAddDone(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::WaitGroup wg;
    run_parallel(state, [&wg](PB& pb) {
      while (pb.next()) {
        wg.add(1);
        wg.done();
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_WaitGroupAddDone)->UseRealTime();

// benchmarkWaitGroupWait(b, localWork = 0): one WaitGroup shared by the
// workers, its counter always zero. One op: Wait(), which returns at once
// (one atomic load of a line nobody writes).
void BM_WaitGroupWait(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::WaitGroup wg;
    run_parallel(state, [&wg](PB& pb) {
      while (pb.next()) wg.wait();
    });
  });
  finish(state, r);
}
BENCHMARK(BM_WaitGroupWait)->UseRealTime();

// --- once_test.go -------------------------------------------------------------

// BenchmarkOnce: one Once shared by the workers, f empty. One op:
// once.Do(f); after the very first, the fast path (one atomic load).
void BM_Once(benchmark::State& state) {
  std::atomic<int64_t> ran{0};
  gort::Result r = gort::run(gort_bench::config(), [&state, &ran] {
    gort::Once once;
    // Go's f is made once, outside the workers' loops.
    auto f = [&ran] { ran.fetch_add(1, std::memory_order_relaxed); };
    run_parallel(state, [&once, &f](PB& pb) {
      while (pb.next()) once.call(f);
    });
  });
  finish(state, r, ran.load() != 1 ? "f ran " + std::to_string(ran.load()) + " times, not once" : "");
}
BENCHMARK(BM_Once)->UseRealTime();

// --- cond_test.go -------------------------------------------------------------

// benchmarkCond(b, waiters): a Cond on a Mutex and waiters + 1 goroutines,
// each running b.N iterations of: lock; id++; the one that brings id to
// waiters + 1 resets it and Broadcasts, the others Wait; unlock. So one op
// is a round of waiters + 1 lock / unlock pairs, waiters Waits (each a
// park and, after the Broadcast, a wake-up and a re-lock) and one
// Broadcast. The first goroutine done sets id = -1 and Broadcasts, so the
// others break out; each then tells main (Go's unbuffered `done`).
struct CondShared {
  gort::Mutex mu;
  gort::Cond c{mu};
  int64_t id = 0;
  int64_t waiters;
  int64_t n;
};

struct CondRoutine {
  CondShared* s;
  gort::Chan<bool> done;  // a handle of its own (see ParallelWorker)
  void operator()() const {
    CondShared& sh = *s;
    for (int64_t i = 0; i < sh.n; i++) {
      sh.c.L.lock();
      if (sh.id == -1) {
        sh.c.L.unlock();
        break;
      }
      sh.id++;
      if (sh.id == sh.waiters + 1) {
        sh.id = 0;
        sh.c.broadcast();
      } else {
        sh.c.wait();
      }
      sh.c.L.unlock();
    }
    sh.c.L.lock();
    sh.id = -1;
    sh.c.broadcast();
    sh.c.L.unlock();
    done.send(true);
  }
};

void benchmark_cond(benchmark::State& state, int waiters) {
  gort::Result r = gort::run(gort_bench::config(), [&state, waiters] {
    const int64_t n = state.max_iterations;
    while (state.KeepRunningBatch(n)) {
      CondShared shared;
      shared.waiters = waiters;
      shared.n = n;
      gort::Chan<bool> done = gort::make_chan<bool>(0);
      for (int routine = 0; routine < waiters + 1; routine++) gort::go(CondRoutine{&shared, done});
      for (int routine = 0; routine < waiters + 1; routine++) done.recv();
    }
  });
  finish(state, r);
}

void BM_Cond1(benchmark::State& state) { benchmark_cond(state, 1); }
BENCHMARK(BM_Cond1)->UseRealTime();

void BM_Cond32(benchmark::State& state) { benchmark_cond(state, 32); }
BENCHMARK(BM_Cond32)->UseRealTime();

// --- runtime_sema_test.go ---------------------------------------------------------

// BenchmarkSemaUncontended. Each worker has a semaphore word of its own
// (padded, as Go's PaddedSem, which Go allocates with new). One op: a
// release (increment; no waiters on its root, so no lock) and an acquire
// (the decrement of cansemacquire).
void BM_SemaUncontended(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    run_parallel(state, [](PB& pb) {
      struct PaddedSem {
        uint32_t sem;
        uint32_t pad[32];
      };
      auto sem = std::make_unique<PaddedSem>();
      while (pb.next()) {
        gort::detail::semrelease(&sem->sem, false);
        gort::detail::semacquire(&sem->sem, false);
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_SemaUncontended)->UseRealTime();

// benchmarkSema(b, block, work = false): one semaphore word, initially 0,
// shared by the workers. One op: release, then acquire (which finds the
// count positive unless another worker took it in between: at 2 Ps the
// workers race for it, and one may park until the other's next release).
// Each worker releases once more at its end. With block, a goroutine
// started first acquires GOMAXPROCS / 2 times (none at 1 P; one at 2 Ps),
// so at 2 Ps there is a waiter parked on the word when the workers start
// (unless it wins the first release before parking); main waits for it
// after the workers, as Go's deferred <-done. The port starts it just
// before the timed step (Go inside the timed function): one goroutine
// start per run, nothing per op.
void benchmark_sema(benchmark::State& state, bool block) {
  gort::Result r = gort::run(gort_bench::config(), [&state, block] {
    uint32_t sem = 0;
    gort::Chan<bool> done = gort::make_chan<bool>(0);
    if (block) {
      gort::go([&sem, done] {
        for (uint32_t p = 0; p < gort_bench::procs / 2; p++) gort::detail::semacquire(&sem, false);
        done.send(true);
      });
    }
    run_parallel(state, [&sem](PB& pb) {
      while (pb.next()) {
        gort::detail::semrelease(&sem, false);
        gort::detail::semacquire(&sem, false);
      }
      gort::detail::semrelease(&sem, false);
    });
    if (block) done.recv();
  });
  finish(state, r);
}

void BM_SemaSyntNonblock(benchmark::State& state) { benchmark_sema(state, false); }
BENCHMARK(BM_SemaSyntNonblock)->UseRealTime();

void BM_SemaSyntBlock(benchmark::State& state) { benchmark_sema(state, true); }
BENCHMARK(BM_SemaSyntBlock)->UseRealTime();

}  // namespace
