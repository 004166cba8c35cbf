// Channel and select benchmarks in which goroutines block and wake each
// other: ports of Go 1.19's runtime/chan_test.go BenchmarkChanSync,
// BenchmarkChanProdCons{0,10,100}, BenchmarkSelectProdCons and
// BenchmarkChanPopular. compare-go runs Go's with -cpu 1 (GOMAXPROCS = 1,
// gort's single M), so every handoff is a goroutine switch on one thread in
// both runtimes.
//
// Shape of the ports. Go's versions start worker goroutines and let main
// wait for them; the work is split into units of CallsPerSched = 1000 ops
// taken with an atomic decrement of N = b.N / 1000. Here gort's main
// goroutine is one of the workers (the one Go runs first) and drives
// Google Benchmark's loop, one KeepRunningBatch step per unit of 1000 ops,
// so the reported time per iteration is ns per Go op. At GOMAXPROCS = 1 a
// goroutine that blocks in Go's main costs nothing per op, so making main a
// worker changes nothing but who waits at the end; that final wait is one
// per run (outside the timed loop here, amortised over b.N in Go).
//
// Work per op is ported instruction for instruction where Go has it
// (model_work, local_work below), so that the ratios compare like with like.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gort/gort.h"

// Go's alwaysFalse / workSink (chan_test.go): globals with external linkage,
// so that the compiler must load the flag at run time, as Go's does.
namespace gort_bench {
bool always_false = false;
int64_t work_sink = 0;
}  // namespace gort_bench

namespace {

using GoInt = int64_t;  // Go's int (amd64, arm64): the element of `chan int`

constexpr int kCallsPerSched = 1000;

void finish(benchmark::State& state, const gort::Result& r, const std::string& err = "") {
  if (!r.ok()) {
    state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
  } else if (!err.empty()) {
    state.SkipWithError(err.c_str());
  }
}

// Go's localWork(w): w dependent divisions `foo /= (foo + 1)`, then a load
// of alwaysFalse. The empty asm keeps foo opaque, so the compiler cannot
// fold the divisions away (foo is always 0): Go's compiler does not fold
// them either. BenchmarkChanSync passes w = 0: only the flag load remains.
inline void local_work(int w) {
  int64_t foo = 0;
  for (int i = 0; i < w; i++) {
    foo /= (foo + 1);
    asm volatile("" : "+r"(foo));
  }
  if (gort_bench::always_false) gort_bench::work_sink += foo;
}

// The ProdCons benchmarks' inline "local work": n rounds of
// `foo *= 2; foo /= 2` on a goroutine-local int. Go compiles each round
// to SHLQ; SHRQ $63; LEAQ; SARQ (a dependent chain of about 4 cycles) and
// never folds the pair. C++ would (the product cannot overflow without UB,
// so it may cancel the pair): the empty asm between the two makes foo
// opaque, leaving the same shift / shift / add / shift chain.
inline void model_work(int64_t& foo, int n) {
  for (int i = 0; i < n; i++) {
    foo *= 2;
    asm volatile("" : "+r"(foo));
    foo /= 2;
  }
}

// --- BenchmarkChanSync -------------------------------------------------------
//
// Two goroutines hand an int back and forth over an unbuffered channel; one
// receives first, the other sends first (Go picks the order by the parity
// of the unit each took; the parities alternate, so the two always pair up
// as here). One op: one message, i.e. one send matched with one receive.
// Go's unit of 1000 rounds per goroutine has each goroutine send 1000 and
// receive 1000 (2000 messages per pair of units, 1000 ops per unit): here
// main does kCallsPerSched rounds of receive + send per step of 2000 ops.
//
// At GOMAXPROCS = 1 every message is one switch: the receiver finds the
// sender parked in the sendq, takes the value and readies it (runnext),
// then its own send finds nobody receiving yet and parks, which runs the
// readied sender.

struct SendFirst {
  gort::Chan<GoInt> myc;
  int work;
  void operator()() const {
    // Runs until main returns; the run then abandons it (as Go's exit does).
    for (;;) {
      myc.send(0);
      local_work(work);
      myc.recv();
      local_work(work);
    }
  }
};

void BM_ChanSync(benchmark::State& state) {
  constexpr int kWork = 0;  // BenchmarkChanSync: benchmarkChanSync(b, 0)
  gort::Result r = gort::run(gort::Config{}, [&state] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(0);
    gort::go(SendFirst{myc, kWork});
    while (state.KeepRunningBatch(2 * kCallsPerSched)) {
      for (int g = 0; g < kCallsPerSched; g++) {
        myc.recv();
        local_work(kWork);
        myc.send(0);
        local_work(kWork);
      }
    }
  });
  finish(state, r);
}
BENCHMARK(BM_ChanSync);

// --- BenchmarkChanProdCons{0,10,100} -------------------------------------------
//
// One producer sends b.N ones on a channel of capacity 0, 10 or 100 (with
// localWork = 0 rounds of model work before each send, as in Go), then a 0;
// one consumer receives until the 0 (model work after each receive) and
// reports on a channel. One op: one value through myc, i.e. a send and its
// receive. Main is the producer (Go's producer runs first, main only waits).
//
// Cost structure at GOMAXPROCS = 1: capacity 0 switches once per value (as
// ChanSync). With a buffer, the producer fills it and parks on the next
// send; the consumer's first receive takes the head, moves the parked
// sender's value into the tail and readies it, then drains the buffer and
// parks: two switches per cap + 1 values.

struct Consumer {
  gort::Chan<GoInt> myc;
  gort::Chan<bool> c;
  int work;
  void operator()() const {
    int64_t foo = 0;
    for (;;) {
      if (myc.recv() == 0) break;
      model_work(foo, work);
    }
    c.send(foo == 42);
  }
};

// BenchmarkChanProdCons{0,10,100}: benchmarkChanProdCons(b, size, 0).
constexpr int kProdConsWork = 0;

void BM_ChanProdCons(benchmark::State& state, int64_t chan_size) {
  std::string err;
  gort::Result r = gort::run(gort::Config{}, [&state, &err, chan_size] {
    gort::Chan<bool> c = gort::make_chan<bool>(2);  // 2 * procs
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(chan_size);
    gort::go(Consumer{myc, c, kProdConsWork});
    int64_t foo = 0;
    while (state.KeepRunningBatch(kCallsPerSched)) {
      for (int g = 0; g < kCallsPerSched; g++) {
        model_work(foo, kProdConsWork);
        myc.send(1);
      }
    }
    myc.send(0);
    c.recv();  // the consumer has seen every value
    benchmark::DoNotOptimize(foo == 42);
    if (myc.len() != 0) err = "values left in the channel";
  });
  finish(state, r, err);
}
BENCHMARK_CAPTURE(BM_ChanProdCons, 0, 0)->Name("BM_ChanProdCons0");
BENCHMARK_CAPTURE(BM_ChanProdCons, 10, 10)->Name("BM_ChanProdCons10");
BENCHMARK_CAPTURE(BM_ChanProdCons, 100, 100)->Name("BM_ChanProdCons100");

// --- BenchmarkSelectProdCons -----------------------------------------------------
//
// ProdCons through select, channel capacity 128, with 100 rounds of model
// work per op on each side. The producer's send and the consumer's receive
// are each a three-case select that also watches a timer channel
// (time.After(1h): never fires during the run, but is a live timer the
// scheduler carries) and a close channel (never closed). One op: one value
// through myc: two selectgo calls (each polling 3 channels; most find the
// buffer ready, one in about 129 parks on all three and is woken) and 200
// rounds of model work (about 800 cycles of the two together).

struct SelectConsumer {
  gort::Chan<GoInt> myc;
  gort::Chan<bool> c;
  gort::Chan<bool> myclose;
  void operator()() const {
    int64_t foo = 0;
    // Intended to not fire during benchmarking (Go's comment).
    gort::Chan<int64_t> mytimer = gort::after(std::chrono::hours(1));
    for (;;) {
      GoInt v = 0;
      int64_t t = 0;
      bool closed = false;
      int i = gort::select({gort::recv_case(myc, v), gort::recv_case(mytimer, t), gort::recv_case(myclose, closed)});
      if (i == 0 && v == 0) break;
      model_work(foo, 100);
    }
    c.send(foo == 42);
  }
};

void BM_SelectProdCons(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort::Config{}, [&state, &err] {
    gort::Chan<bool> c = gort::make_chan<bool>(2);  // 2 * procs
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(128);
    gort::Chan<bool> myclose = gort::make_chan<bool>(0);
    gort::go(SelectConsumer{myc, c, myclose});
    int64_t foo = 0;
    gort::Chan<int64_t> mytimer = gort::after(std::chrono::hours(1));
    while (state.KeepRunningBatch(kCallsPerSched)) {
      for (int g = 0; g < kCallsPerSched; g++) {
        model_work(foo, 100);
        GoInt one = 1;
        int64_t t = 0;
        bool closed = false;
        gort::select({gort::send_case(myc, one), gort::recv_case(mytimer, t), gort::recv_case(myclose, closed)});
      }
    }
    myc.send(0);
    c.recv();
    benchmark::DoNotOptimize(foo == 42);
    if (myc.len() != 0) err = "values left in the channel";
  });
  finish(state, r, err);
}
BENCHMARK(BM_SelectProdCons);

// --- BenchmarkChanPopular --------------------------------------------------------
//
// 1000 goroutines each loop b.N times on a two-case select: a receive from
// one shared channel c that nobody sends on (the "popular" channel: its
// recvq holds up to 1000 select sudogs at once) and a receive from the
// goroutine's own channel d. Main sends once on every d per op, then waits
// for all 1000 to finish. One op: 1000 unbuffered sends, each waking a
// select (which unlinks its sudog from c's long recvq), and the selects
// re-blocking; with the runq overflowing to the global queue on the way.
//
// As in Go, the op count is b.N and everything is timed: making the 1001
// channels, starting the 1000 goroutines, and the final wait. So main
// starts the timer (the first KeepRunning()) before the set-up, runs
// exactly max_iterations iterations (KeepRunning() with batch 1 is exact,
// so the goroutines know b.N in advance as Go's do), and waits inside the
// last iteration.
//
// gort has no sync.WaitGroup yet. The stand-in does what wg.Done/wg.Wait
// do at GOMAXPROCS = 1: a plain counter (one M, so no atomics are needed)
// that each goroutine decrements as it finishes; the last one closes a
// channel on which main is parked in a receive.
//
// Stacks come from a StackPool that outlives runs: Go's process keeps
// freed goroutine stacks in its stack cache from one b.N round to the next,
// so mapping (and page-faulting) 1000 fresh stacks in every round is not
// what Go's figure contains.

constexpr int kPopular = 1000;

struct AllDone {
  int remaining = kPopular;
  gort::Chan<bool> ch;  // closed by the last goroutine to finish
};

struct PopularWaiter {
  gort::Chan<bool> c;
  gort::Chan<bool> d;
  int64_t n;  // b.N
  AllDone* all;
  void operator()() const {
    bool v = false;
    for (int64_t i = 0; i < n; i++) gort::select({gort::recv_case(c, v), gort::recv_case(d, v)});
    if (--all->remaining == 0) all->ch.close();  // wg.Done()
  }
};

void BM_ChanPopular(benchmark::State& state) {
  static gort::StackPool pool;  // main's thread is the only one starting runs
  gort::Config config;
  config.stack_pool = &pool;
  std::string err;
  gort::Result r = gort::run(config, [&state, &err] {
    bool more = state.KeepRunning();  // starts the timer: the set-up is timed, as in Go
    const int64_t n = state.max_iterations;
    gort::Chan<bool> c = gort::make_chan<bool>(0);
    std::vector<gort::Chan<bool>> a;
    AllDone all;
    all.ch = gort::make_chan<bool>(0);
    for (int j = 0; j < kPopular; j++) {
      gort::Chan<bool> d = gort::make_chan<bool>(0);
      a.push_back(d);
      gort::go(PopularWaiter{c, d, n, &all});
    }
    int64_t i = 0;
    while (more) {
      for (const gort::Chan<bool>& d : a) d.send(true);
      if (++i == n) all.ch.recv();  // wg.Wait(), timed as in Go
      more = state.KeepRunning();
    }
    if (i != n || all.remaining != 0) {
      err = "ran " + std::to_string(i) + " of " + std::to_string(n) + " rounds; " + std::to_string(all.remaining) +
            " goroutines unfinished";
    }
  });
  finish(state, r, err);
}
BENCHMARK(BM_ChanPopular);

}  // namespace
