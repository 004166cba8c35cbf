// Channel and select benchmarks in which goroutines block and wake each
// other: ports of Go 1.19's runtime/chan_test.go BenchmarkChanSync,
// BenchmarkChanProdCons{0,10,100}, BenchmarkSelectProdCons and
// BenchmarkChanPopular. compare-go runs Go's with -cpu 1 and -cpu 2 and
// gort_bench with --gort_procs=1 and 2 (bench_procs.h): at 1 P every
// handoff is a goroutine switch on one thread in both runtimes; at 2 Ps the
// partners may run on two Ms at once and wake each other across them.
//
// Shape of the ports. Go's versions start worker goroutines and let main
// wait for them; the work is split into units of CallsPerSched = 1000 ops
// taken with an atomic decrement of a shared count. The ProdCons ports do
// exactly that, with GOMAXPROCS producer / consumer pairs as in Go: main
// takes one Google Benchmark step holding every op (which starts the
// timer), starts the workers and waits for them, so the reported time per
// iteration is wall-clock ns per Go op, the start and the final wait
// included once per run, as in Go. ChanSync has two goroutines whatever
// GOMAXPROCS is, in Go as here; here main is one of them (the one Go runs
// first), stepping Google Benchmark's loop once per unit: main alone
// touches benchmark::State, which is not thread-safe.
//
// Work per op is ported instruction for instruction where Go has it
// (model_work, local_work below), so that the ratios compare like with like.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "bench_procs.h"
#include "gort/gort.h"
#include "run_parallel.h"

// Go's alwaysFalse / workSink (chan_test.go): globals with external linkage,
// so that the compiler must load the flag at run time, as Go's does.
namespace gort_bench {
bool always_false = false;
int64_t work_sink = 0;
}  // namespace gort_bench

namespace {

using GoInt = int64_t;  // Go's int (amd64, arm64): the element of `chan int`

constexpr int kCallsPerSched = 1000;

using gort_bench::finish;

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
// readied sender. At 2 Ps the two may run on two Ms at once: a message
// then finds its partner parked or about to park, and readying it wakes
// the other M (or the partner is taken by this M's runnext).

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
  gort::Result r = gort::run(gort_bench::config(), [&state] {
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
BENCHMARK(BM_ChanSync)->UseRealTime();

// The ops of a run, handed out in units of kCallsPerSched: Go's
// `for atomic.AddInt32(&N, -1) >= 0` with N = b.N / CallsPerSched, except
// that the last unit is the remainder, so that exactly n ops are made
// (Go makes b.N rounded down to a multiple of 1000 and divides by b.N).
class Units {
 public:
  explicit Units(int64_t n) : left_(n) {}
  // The size of the next unit taken, 0 when there are none left.
  int64_t take() {
    const int64_t before = left_.fetch_sub(kCallsPerSched, std::memory_order_relaxed);
    return std::clamp<int64_t>(before, 0, kCallsPerSched);
  }

 private:
  std::atomic<int64_t> left_;
};

// main's part in the ProdCons benchmarks: one Google Benchmark step holding
// all n ops (which starts the timer), GOMAXPROCS pairs started by
// start_pair, then 2 * GOMAXPROCS receives on c (the timer stops when
// KeepRunningBatch is asked again). start_pair(units, c) starts one
// producer and one consumer.
template <class StartPair>
void run_pairs(benchmark::State& state, StartPair start_pair) {
  const int64_t n = state.max_iterations;
  const uint32_t procs = gort_bench::procs;
  while (state.KeepRunningBatch(n)) {
    Units units(n);
    gort::Chan<bool> c = gort::make_chan<bool>(2 * procs);
    for (uint32_t p = 0; p < procs; p++) start_pair(&units, c);
    for (uint32_t p = 0; p < procs; p++) {
      c.recv();
      c.recv();
    }
  }
}

// --- BenchmarkChanProdCons{0,10,100} -------------------------------------------
//
// GOMAXPROCS producers and as many consumers share one channel of capacity
// 0, 10 or 100. A producer takes units of 1000 ops while there are any,
// sending a 1 per op (with localWork = 0 rounds of model work before each
// send, as in Go), then a 0; a consumer receives until a 0 (model work
// after each receive); each reports on c. One op: one value through myc,
// i.e. a send and its receive.
//
// Cost structure at GOMAXPROCS = 1: capacity 0 switches once per value (as
// ChanSync). With a buffer, the producer fills it and parks on the next
// send; the consumer's first receive takes the head, moves the parked
// sender's value into the tail and readies it, then drains the buffer and
// parks: two switches per cap + 1 values. At 2 Ps two producers and two
// consumers run on two Ms and contend for the channel's lock.

struct Producer {
  gort::Chan<GoInt> myc;
  gort::Chan<bool> c;
  Units* units;
  int work;
  void operator()() const {
    int64_t foo = 0;
    for (int64_t unit; (unit = units->take()) > 0;) {
      for (int64_t g = 0; g < unit; g++) {
        model_work(foo, work);
        myc.send(1);
      }
    }
    myc.send(0);
    c.send(foo == 42);
  }
};

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
  gort::Result r = gort::run(gort_bench::config(), [&state, &err, chan_size] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(chan_size);
    run_pairs(state, [&myc](Units* units, const gort::Chan<bool>& c) {
      gort::go(Producer{myc, c, units, kProdConsWork});
      gort::go(Consumer{myc, c, kProdConsWork});
    });
    // Every consumer stops at one 0, and a producer's 0 follows its 1s: the
    // last 0 taken follows every value.
    if (myc.len() != 0) err = "values left in the channel";
  });
  finish(state, r, err);
}
BENCHMARK_CAPTURE(BM_ChanProdCons, 0, 0)->Name("BM_ChanProdCons0")->UseRealTime();
BENCHMARK_CAPTURE(BM_ChanProdCons, 10, 10)->Name("BM_ChanProdCons10")->UseRealTime();
BENCHMARK_CAPTURE(BM_ChanProdCons, 100, 100)->Name("BM_ChanProdCons100")->UseRealTime();

// --- BenchmarkSelectProdCons -----------------------------------------------------
//
// ProdCons through select, channel capacity 128, with 100 rounds of model
// work per op on each side, GOMAXPROCS pairs. Each producer's send and each
// consumer's receive is a three-case select that also watches a timer
// channel of its own (time.After(1h): never fires during the run, but is a
// live timer the scheduler carries) and a close channel (never closed).
// One op: one value through myc: two selectgo calls (each polling 3
// channels; most find the buffer ready, one in about 129 parks on all
// three and is woken) and 200 rounds of model work (about 800 cycles of
// the two together).

struct SelectProducer {
  gort::Chan<GoInt> myc;
  gort::Chan<bool> c;
  gort::Chan<bool> myclose;
  Units* units;
  void operator()() const {
    int64_t foo = 0;
    // Intended to not fire during benchmarking (Go's comment).
    gort::Chan<int64_t> mytimer = gort::after(std::chrono::hours(1));
    for (int64_t unit; (unit = units->take()) > 0;) {
      for (int64_t g = 0; g < unit; g++) {
        model_work(foo, 100);
        GoInt one = 1;
        int64_t t = 0;
        bool closed = false;
        gort::select({gort::send_case(myc, one), gort::recv_case(mytimer, t), gort::recv_case(myclose, closed)});
      }
    }
    myc.send(0);
    c.send(foo == 42);
  }
};

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
  gort::Result r = gort::run(gort_bench::config(), [&state, &err] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(128);
    gort::Chan<bool> myclose = gort::make_chan<bool>(0);
    run_pairs(state, [&myc, &myclose](Units* units, const gort::Chan<bool>& c) {
      gort::go(SelectProducer{myc, c, myclose, units});
      gort::go(SelectConsumer{myc, c, myclose});
    });
    if (myc.len() != 0) err = "values left in the channel";
  });
  finish(state, r, err);
}
BENCHMARK(BM_SelectProdCons)->UseRealTime();

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
// do: an atomic counter (the goroutines may finish on several Ms at once)
// that each goroutine decrements as it finishes; the last one closes a
// channel on which main is parked in a receive.
//
// Stacks come from a StackPool that outlives runs: Go's process keeps
// freed goroutine stacks in its stack cache from one b.N round to the next,
// so mapping (and page-faulting) 1000 fresh stacks in every round is not
// what Go's figure contains.

constexpr int kPopular = 1000;

// Each goroutine holds a handle of its own to the channel the last one
// closes: at 2 Ps main may wake, run on and drop its handle while the close
// is still finishing on the other M, and the channel must not be freed
// under it. The count is not touched after the decrement.
struct PopularWaiter {
  gort::Chan<bool> c;
  gort::Chan<bool> d;
  int64_t n;  // b.N
  std::atomic<int>* remaining;
  gort::Chan<bool> all_done;
  void operator()() const {
    bool v = false;
    for (int64_t i = 0; i < n; i++) gort::select({gort::recv_case(c, v), gort::recv_case(d, v)});
    if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) all_done.close();  // wg.Done()
  }
};

void BM_ChanPopular(benchmark::State& state) {
  static gort::StackPool pool;  // main's thread is the only one starting runs
  gort::Config config = gort_bench::config();
  config.stack_pool = &pool;
  std::string err;
  gort::Result r = gort::run(config, [&state, &err] {
    bool more = state.KeepRunning();  // starts the timer: the set-up is timed, as in Go
    const int64_t n = state.max_iterations;
    gort::Chan<bool> c = gort::make_chan<bool>(0);
    std::vector<gort::Chan<bool>> a;
    std::atomic<int> remaining{kPopular};
    gort::Chan<bool> all_done = gort::make_chan<bool>(0);
    for (int j = 0; j < kPopular; j++) {
      gort::Chan<bool> d = gort::make_chan<bool>(0);
      a.push_back(d);
      gort::go(PopularWaiter{c, d, n, &remaining, all_done});
    }
    int64_t i = 0;
    while (more) {
      for (const gort::Chan<bool>& d : a) d.send(true);
      if (++i == n) all_done.recv();  // wg.Wait(), timed as in Go
      more = state.KeepRunning();
    }
    if (i != n || remaining.load() != 0) {
      err = "ran " + std::to_string(i) + " of " + std::to_string(n) + " rounds; " + std::to_string(remaining.load()) +
            " goroutines unfinished";
    }
  });
  finish(state, r, err);
}
BENCHMARK(BM_ChanPopular)->UseRealTime();

}  // namespace
