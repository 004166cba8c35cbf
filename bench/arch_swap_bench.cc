// BM_ArchSwap: the floor under every goroutine switch. Two raw contexts
// ping-pong through gort_arch_swap with nothing else on the path: no
// runtime, no scheduler, no thread-local G, no sanitizer annotations.
//
// Counting: the benchmark side makes one swap per round trip and the echo
// side swaps straight back, so a round trip is two switches. Each round trip
// is one KeepRunningBatch(2) step, which counts it as two iterations: the
// reported time per iteration is ns per ONE switch (the loop's own
// bookkeeping, a decrement and a compare, is shared by the two).
//
// BM_ArchSwapStatusFlagsDiffer: the same, except that the two contexts'
// saved MXCSR differ in a status flag (amd64). It
// shows what a switch costs when one goroutine has done inexact floating
// point and the other has not, as long as the trampolines reload the
// status flags.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdlib>
#include <memory>

#include "arch/arch.h"

namespace {

// The echo context's stack: a plain heap block (nothing on it recurses, so
// no guard page). 64-byte alignment keeps its top 16-aligned as the arch
// contract requires and puts it on a cache-line boundary.
constexpr size_t kStackBytes = 64 * 1024;
struct alignas(64) RawStack {
  std::byte bytes[kStackBytes];
  void* top() { return bytes + kStackBytes; }
};

struct PingPong {
  gort_gobuf bench{};  // the benchmark's context, on the OS thread's stack
  gort_gobuf echo{};   // the echo context, on its RawStack
  bool done = false;
  bool echo_sets_inexact = false;
};

// The echo side: every time it is resumed it resumes the benchmark side at
// once. gort_arch_swap is opaque to the compiler, so `done` is reloaded
// after each switch.
void echo_body(void* arg) {
  auto* pp = static_cast<PingPong*>(arg);
  if (pp->echo_sets_inexact) {
    // 1.0 / 3.0 is inexact: sets MXCSR's precision flag in this context
    // only. volatile keeps the division at run time.
    volatile double third = 1.0;
    third = third / 3.0;
  }
  while (!pp->done) gort_arch_swap(&pp->echo, &pp->bench);
  gort_arch_gogo(&pp->bench);  // last round trip: hand control back for good
}

[[noreturn]] void echo_exit(void*) {
  // echo_body ends in gogo and never returns into the exit hook.
  abort();
}

void ping_pong(benchmark::State& state, bool echo_sets_inexact) {
  std::unique_ptr<RawStack> stack(new RawStack);  // default-init: not zeroed
  PingPong pp;
  pp.echo_sets_inexact = echo_sets_inexact;
  gort_arch_gobuf_init(&pp.echo, stack->top(), echo_body, echo_exit, &pp);
  // Untimed first round trip: the first entry goes through the entry
  // trampoline and touches the echo stack's page; every later one is the
  // steady-state swap we want.
  gort_arch_swap(&pp.bench, &pp.echo);
  while (state.KeepRunningBatch(2)) {
    gort_arch_swap(&pp.bench, &pp.echo);
  }
  pp.done = true;
  gort_arch_swap(&pp.bench, &pp.echo);  // echo leaves its loop and gogo's back
}

void BM_ArchSwap(benchmark::State& state) { ping_pong(state, /*echo_sets_inexact=*/false); }
BENCHMARK(BM_ArchSwap);

void BM_ArchSwapStatusFlagsDiffer(benchmark::State& state) { ping_pong(state, /*echo_sets_inexact=*/true); }
BENCHMARK(BM_ArchSwapStatusFlagsDiffer);

}  // namespace
