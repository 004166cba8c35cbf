// Channel and select operations that never block (or only make and free
// channels): ports of Go 1.19's benchmarks in runtime/chan_test.go.
// compare-go runs Go's with -cpu 1 and -cpu 2 and gort_bench with
// --gort_procs=1 and 2 (bench_procs.h), so these are compared at equal
// GOMAXPROCS.
//
// Most of Go's originals use b.RunParallel: GOMAXPROCS worker goroutines
// (parallelism 1) share b.N ops, each taking a grain of them at a time
// with an atomic add (pb.Next()), while main waits on a WaitGroup.
// run_parallel below does the same: gort_bench::procs workers, Go's PB
// ported (a decrement and a compare per op, one atomic add per grain),
// main waiting on a channel of procs slots. At 1 P that is one worker
// running the whole loop, as Go's -cpu 1 is. main alone drives
// benchmark::State (one step of all max_iterations ops, which starts the
// timer before the workers start and stops it once they are all done), so
// the reported time per iteration is wall-clock ns per Go op. Starting
// the workers and the final wait are timed, once per run, as in Go.
//
// The grain is Go's: the ops that took about 100 us in the previous round,
// between 1 and 10,000 (run_parallel.h's go_grain).
//
// The benchmarks that are a plain loop in Go (MakeChan,
// ReceiveDataFromClosedChan) are main running the loop, in batches of kGrain
// ops (KeepRunningBatch) where b.N would not fit.
//
// Go's `chan int` holds 8-byte ints (amd64, arm64): GoInt keeps the element
// size the same. Go's struct{} is an empty C++ struct here (1 byte, not 0:
// the runtime buffers sizeof(T) bytes per slot).
//
// Go's compiler turns a select with one case and a default into
// selectnbrecv / selectnbsend (a non-blocking chanrecv / chansend, no
// selectgo): try_recv / try_send are the same calls in gort. A select with
// two or more cases and no default is selectgo: gort::select.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "bench_procs.h"
#include "gort/gort.h"
#include "run_parallel.h"

namespace {

using GoInt = int64_t;
using gort_bench::finish;
using gort_bench::kGrain;
using gort_bench::PB;
using gort_bench::run_parallel;

// BenchmarkChanNonblocking. One op: `select { case <-myc: default: }` on an
// unbuffered channel nobody sends on, i.e. a non-blocking receive that
// finds nothing (Go: selectnbrecv -> chanrecv(block=false), which returns
// before taking the lock: the fast path for "empty and open"). The channel
// is shared by the workers.
void BM_ChanNonblocking(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(0);
    run_parallel(state, [&myc](PB& pb) {
      while (pb.next()) myc.try_recv();
    });
  });
  finish(state, r);
}
BENCHMARK(BM_ChanNonblocking)->UseRealTime();

// BenchmarkSelectUncontended. Each worker has two buffered (cap 1)
// channels of its own and one token. One op: a two-case select receiving
// the token from whichever channel holds it, then a buffered send of it to
// the other: one selectgo (both cases polled, one ready) plus one chansend
// into an empty buffer.
void BM_SelectUncontended(benchmark::State& state) {
  std::atomic<bool> lost{false};
  gort::Result r = gort::run(gort_bench::config(), [&state, &lost] {
    run_parallel(state, [&lost](PB& pb) {
      gort::Chan<GoInt> myc1 = gort::make_chan<GoInt>(1);
      gort::Chan<GoInt> myc2 = gort::make_chan<GoInt>(1);
      myc1.send(0);
      GoInt v = 0;
      while (pb.next()) {
        switch (gort::select({gort::recv_case(myc1, v), gort::recv_case(myc2, v)})) {
          case 0:
            myc2.send(0);
            break;
          case 1:
            myc1.send(0);
            break;
        }
      }
      // The token must still be in exactly one of them: otherwise the ops
      // were not what this figure claims.
      if (myc1.len() + myc2.len() != 1) lost = true;
    });
  });
  finish(state, r, lost ? "the token was lost or duplicated" : "");
}
BENCHMARK(BM_SelectUncontended)->UseRealTime();

// BenchmarkSelectNonblock. One op: four one-case selects with a default,
// none of which can proceed (after the first op), on channels shared by
// the workers:
//   receive from an unbuffered channel with no sender,
//   send on an unbuffered channel with no receiver,
//   receive from an empty buffered (cap 1) channel,
//   send on a full buffered (cap 1) channel (it fills on the first op).
// Each is a non-blocking chanrecv / chansend that gives up; Go answers all
// four on the lock-free fast path.
void BM_SelectNonblock(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort_bench::config(), [&state, &err] {
    gort::Chan<GoInt> myc1 = gort::make_chan<GoInt>(0);
    gort::Chan<GoInt> myc2 = gort::make_chan<GoInt>(0);
    gort::Chan<GoInt> myc3 = gort::make_chan<GoInt>(1);
    gort::Chan<GoInt> myc4 = gort::make_chan<GoInt>(1);
    run_parallel(state, [&](PB& pb) {
      while (pb.next()) {
        myc1.try_recv();
        myc2.try_send(0);
        myc3.try_recv();
        myc4.try_send(0);
      }
    });
    if (myc3.len() != 0 || myc4.len() != 1) err = "a non-blocking op went through where it must not";
  });
  finish(state, r, err);
}
BENCHMARK(BM_SelectNonblock)->UseRealTime();

// BenchmarkChanCreation. One op: make a buffered (cap 1) channel, send one
// value into its buffer, receive it back, drop the channel. In gort the
// last handle's destructor frees it on the spot; in Go the channel is
// garbage (one heap allocation per op, hchan and buffer together), so Go's
// figure includes its share of allocation and GC work.
void BM_ChanCreation(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    run_parallel(state, [](PB& pb) {
      while (pb.next()) {
        gort::Chan<GoInt> myc = gort::make_chan<GoInt>(1);
        myc.send(0);
        myc.recv();
      }
    });
  });
  finish(state, r);
}
BENCHMARK(BM_ChanCreation)->UseRealTime();

// BenchmarkChanSem. A channel of empty structs used as a semaphore with
// GOMAXPROCS slots, shared by the GOMAXPROCS workers. One op: acquire
// (send into the buffer) and release (receive one back). With one worker
// per slot nobody ever blocks; at 2 Ps the two contend for its lock.
struct Empty {};
void BM_ChanSem(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort_bench::config(), [&state, &err] {
    gort::Chan<Empty> myc = gort::make_chan<Empty>(gort_bench::procs);  // runtime.GOMAXPROCS(0) slots
    run_parallel(state, [&myc](PB& pb) {
      while (pb.next()) {
        myc.send(Empty{});
        myc.recv();
      }
    });
    if (myc.len() != 0) err = "the semaphore was not released";
  });
  finish(state, r, err);
}
BENCHMARK(BM_ChanSem)->UseRealTime();

// BenchmarkChanContended. One channel of kContended * GOMAXPROCS slots
// shared by the workers. One op: kContended buffered sends, then
// kContended buffered receives. The buffer holds every worker's sends at
// once, so nobody blocks; at 2 Ps the workers contend for the channel's
// lock (and a receive may take another worker's value, which is fine).
constexpr int kContended = 100;  // Go's C
void BM_ChanContended(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort_bench::config(), [&state, &err] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(int64_t{kContended} * gort_bench::procs);
    run_parallel(state, [&myc](PB& pb) {
      while (pb.next()) {
        for (int i = 0; i < kContended; i++) myc.send(0);
        for (int i = 0; i < kContended; i++) myc.recv();
      }
    });
    if (myc.len() != 0) err = "values left in the channel";
  });
  finish(state, r, err);
}
BENCHMARK(BM_ChanContended)->UseRealTime();

// BenchmarkMakeChan/{Byte,Int,Ptr,Struct/0,Struct/32,Struct/40}. One op:
// `x = make(chan T, 8)`, in a plain loop of main's (no RunParallel). In
// gort the assignment also releases the previous channel, so an op is one
// makechan and (from the second op on) one free; in Go the previous
// channel becomes garbage, so its figure includes its share of allocation
// and GC work (done by every P at -cpu 2). `close(x)` after the loop, as
// in Go. The element types have Go's sizes: byte, int, *byte, struct{}
// (1 byte here, 0 in Go), struct{ a, b, c, d int64 } and the same with e.
struct Struct0 {};
struct Struct32 {
  int64_t a, b, c, d;
};
struct Struct40 {
  int64_t a, b, c, d, e;
};
template <class T>
void BM_MakeChan(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::Chan<T> x;
    while (state.KeepRunningBatch(kGrain)) {
      for (int64_t i = 0; i < kGrain; i++) x = gort::make_chan<T>(8);
    }
    x.close();
  });
  finish(state, r);
}
// Named after Go's sub-benchmarks (BenchmarkMakeChan/Byte, ...) so that
// compare-go's rows read the same on both sides.
BENCHMARK_TEMPLATE(BM_MakeChan, uint8_t)->Name("BM_MakeChan/Byte")->UseRealTime();
BENCHMARK_TEMPLATE(BM_MakeChan, GoInt)->Name("BM_MakeChan/Int")->UseRealTime();
BENCHMARK_TEMPLATE(BM_MakeChan, uint8_t*)->Name("BM_MakeChan/Ptr")->UseRealTime();
BENCHMARK_TEMPLATE(BM_MakeChan, Struct0)->Name("BM_MakeChan/Struct/0")->UseRealTime();
BENCHMARK_TEMPLATE(BM_MakeChan, Struct32)->Name("BM_MakeChan/Struct/32")->UseRealTime();
BENCHMARK_TEMPLATE(BM_MakeChan, Struct40)->Name("BM_MakeChan/Struct/40")->UseRealTime();

// BenchmarkReceiveDataFromClosedChan. Go fills a channel of b.N empty
// structs, closes it, resets the timer and drains it with `for range ch`.
// One op: a receive of a buffered value from a closed channel (a closed
// channel still hands out what it holds; the final receive, which reports
// closed, is one per b.N).
//
// Go's struct{} takes no buffer memory at any b.N; gort's slots take one
// byte each, and Google Benchmark asks for up to 1e9 iterations. So the
// port fills and drains in batches of kFill with the timer paused for the
// filling (PauseTiming/ResumeTiming, about a microsecond a pair, which
// amortises to under 0.01 ns per op), as Go's b.ResetTimer leaves its
// filling out. The one closed-and-empty receive ending each batch is one
// per kFill ops instead of one per b.N: also negligible.
constexpr int64_t kFill = 1 << 18;
void BM_ReceiveDataFromClosedChan(benchmark::State& state) {
  gort::Result r = gort::run(gort_bench::config(), [&state] {
    gort::Chan<Empty> ch;
    while (state.KeepRunningBatch(kFill)) {
      state.PauseTiming();
      ch = gort::make_chan<Empty>(kFill);  // frees the previous batch's, untimed
      for (int64_t i = 0; i < kFill; i++) ch.send(Empty{});
      ch.close();
      state.ResumeTiming();
      while (ch.recv_ok().ok) {
      }
    }
  });
  finish(state, r);
}
BENCHMARK(BM_ReceiveDataFromClosedChan)->UseRealTime();

}  // namespace
