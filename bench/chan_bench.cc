// Channel and select operations made by ONE goroutine: ports of Go 1.19's
// benchmarks in runtime/chan_test.go that never block (or only make and
// free channels). compare-go runs Go's with -cpu 1, so these are compared
// at GOMAXPROCS = 1, gort's single M.
//
// Most of Go's originals use b.RunParallel. At -cpu 1, RunParallel starts
// GOMAXPROCS * parallelism = 1 goroutine, which runs the whole loop; each
// pb.Next() is a decrement of a local count (an atomic add per grain of 100
// to 10000 ops). So the port is ONE goroutine running the loop: gort's main,
// driving Google Benchmark's loop in batches of kBatch ops
// (KeepRunningBatch), the inner `for` standing in for pb.Next(). The
// reported time per iteration is therefore ns per Go op, with the same
// per-op loop overhead (a decrement and a compare).
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

#include <cstdint>
#include <string>

#include "gort/gort.h"

namespace {

using GoInt = int64_t;

// Ops per KeepRunningBatch step: the loop bookkeeping of Google Benchmark
// (a subtraction and a compare) is shared by kBatch ops, as RunParallel's
// grain shares its atomic add.
constexpr int kBatch = 1000;

// Reports a failed run, or a check the benchmark made (err), as an error
// instead of a figure.
void finish(benchmark::State& state, const gort::Result& r, const std::string& err = "") {
  if (!r.ok()) {
    state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
  } else if (!err.empty()) {
    state.SkipWithError(err.c_str());
  }
}

// BenchmarkChanNonblocking. One op: `select { case <-myc: default: }` on an
// unbuffered channel nobody sends on, i.e. a non-blocking receive that
// finds nothing (Go: selectnbrecv -> chanrecv(block=false), which returns
// before taking the lock: the fast path for "empty and open").
void BM_ChanNonblocking(benchmark::State& state) {
  gort::Result r = gort::run(gort::Config{}, [&state] {
    gort::Chan<GoInt> myc = gort::make_chan<GoInt>(0);
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) myc.try_recv();
    }
  });
  finish(state, r);
}
BENCHMARK(BM_ChanNonblocking);

// BenchmarkSelectUncontended. Two buffered (cap 1) channels, one token. One
// op: a two-case select receiving the token from whichever channel holds
// it, then a buffered send of it to the other: one selectgo (both cases
// polled, one ready) plus one chansend into an empty buffer.
void BM_SelectUncontended(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort::Config{}, [&state, &err] {
    gort::Chan<GoInt> myc1 = gort::make_chan<GoInt>(1);
    gort::Chan<GoInt> myc2 = gort::make_chan<GoInt>(1);
    myc1.send(0);
    GoInt v = 0;
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) {
        switch (gort::select({gort::recv_case(myc1, v), gort::recv_case(myc2, v)})) {
          case 0:
            myc2.send(0);
            break;
          case 1:
            myc1.send(0);
            break;
        }
      }
    }
    // The token must still be in exactly one of them: otherwise the ops
    // were not what this figure claims.
    if (myc1.len() + myc2.len() != 1) err = "the token was lost or duplicated";
  });
  finish(state, r, err);
}
BENCHMARK(BM_SelectUncontended);

// BenchmarkSelectNonblock. One op: four one-case selects with a default,
// none of which can proceed (after the first op):
//   receive from an unbuffered channel with no sender,
//   send on an unbuffered channel with no receiver,
//   receive from an empty buffered (cap 1) channel,
//   send on a full buffered (cap 1) channel (it fills on the first op).
// Each is a non-blocking chanrecv / chansend that gives up; Go answers all
// four on the lock-free fast path.
void BM_SelectNonblock(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort::Config{}, [&state, &err] {
    gort::Chan<GoInt> myc1 = gort::make_chan<GoInt>(0);
    gort::Chan<GoInt> myc2 = gort::make_chan<GoInt>(0);
    gort::Chan<GoInt> myc3 = gort::make_chan<GoInt>(1);
    gort::Chan<GoInt> myc4 = gort::make_chan<GoInt>(1);
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) {
        myc1.try_recv();
        myc2.try_send(0);
        myc3.try_recv();
        myc4.try_send(0);
      }
    }
    if (myc3.len() != 0 || myc4.len() != 1) err = "a non-blocking op went through where it must not";
  });
  finish(state, r, err);
}
BENCHMARK(BM_SelectNonblock);

// BenchmarkChanCreation. One op: make a buffered (cap 1) channel, send one
// value into its buffer, receive it back, drop the channel. In gort the
// last handle's destructor frees it on the spot; in Go the channel is
// garbage (one heap allocation per op, hchan and buffer together), so Go's
// figure includes its share of allocation and GC work.
void BM_ChanCreation(benchmark::State& state) {
  gort::Result r = gort::run(gort::Config{}, [&state] {
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) {
        gort::Chan<GoInt> myc = gort::make_chan<GoInt>(1);
        myc.send(0);
        myc.recv();
      }
    }
  });
  finish(state, r);
}
BENCHMARK(BM_ChanCreation);

// BenchmarkChanSem. A channel of empty structs used as a semaphore with
// GOMAXPROCS = 1 slots. One op: acquire (send into the empty buffer) and
// release (receive it back).
struct Empty {};
void BM_ChanSem(benchmark::State& state) {
  std::string err;
  gort::Result r = gort::run(gort::Config{}, [&state, &err] {
    gort::Chan<Empty> myc = gort::make_chan<Empty>(1);  // runtime.GOMAXPROCS(0) slots
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) {
        myc.send(Empty{});
        myc.recv();
      }
    }
    if (myc.len() != 0) err = "the semaphore was not released";
  });
  finish(state, r, err);
}
BENCHMARK(BM_ChanSem);

// BenchmarkMakeChan/{Byte,Int,Ptr,Struct/0,Struct/32,Struct/40}. One op:
// `x = make(chan T, 8)`. In gort the assignment also releases the previous
// channel, so an op is one makechan and (from the second op on) one free;
// in Go the previous channel becomes garbage, so its figure includes its
// share of allocation and GC work. `close(x)` after the loop, as in Go.
// The element types have Go's sizes: byte, int, *byte, struct{} (1 byte
// here, 0 in Go), struct{ a, b, c, d int64 } and the same with e.
struct Struct0 {};
struct Struct32 {
  int64_t a, b, c, d;
};
struct Struct40 {
  int64_t a, b, c, d, e;
};
template <class T>
void BM_MakeChan(benchmark::State& state) {
  gort::Result r = gort::run(gort::Config{}, [&state] {
    gort::Chan<T> x;
    while (state.KeepRunningBatch(kBatch)) {
      for (int i = 0; i < kBatch; i++) x = gort::make_chan<T>(8);
    }
    x.close();
  });
  finish(state, r);
}
// Named after Go's sub-benchmarks (BenchmarkMakeChan/Byte, ...) so that
// compare-go's rows read the same on both sides.
BENCHMARK_TEMPLATE(BM_MakeChan, uint8_t)->Name("BM_MakeChan/Byte");
BENCHMARK_TEMPLATE(BM_MakeChan, GoInt)->Name("BM_MakeChan/Int");
BENCHMARK_TEMPLATE(BM_MakeChan, uint8_t*)->Name("BM_MakeChan/Ptr");
BENCHMARK_TEMPLATE(BM_MakeChan, Struct0)->Name("BM_MakeChan/Struct/0");
BENCHMARK_TEMPLATE(BM_MakeChan, Struct32)->Name("BM_MakeChan/Struct/32");
BENCHMARK_TEMPLATE(BM_MakeChan, Struct40)->Name("BM_MakeChan/Struct/40");

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
  gort::Result r = gort::run(gort::Config{}, [&state] {
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
BENCHMARK(BM_ReceiveDataFromClosedChan);

}  // namespace
