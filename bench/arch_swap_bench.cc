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
//
// BM_ArchSwapSharedFp: the same through gort_arch_swap_shared_fp, the
// switch of Config::FpControl::kPerThread (Go's policy: the FP control
// state is left alone).
//
// BM_MinimalSwitch (amd64): the floor under any switch, measured in the
// same process: push the six callee-saved registers, swap the stack
// pointer, pop, jump to the popped return address
// (gort_arch_bench_minimal_swap). No Gobuf, no FP state. bench/compare-go
// divides BM_ArchSwapSharedFp by it.
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

using SwapFn = void (*)(gort_gobuf*, const gort_gobuf*);

struct PingPong {
  gort_gobuf bench{};  // the benchmark's context, on the OS thread's stack
  gort_gobuf echo{};   // the echo context, on its RawStack
  bool done = false;
  bool echo_sets_inexact = false;
  SwapFn swap = gort_arch_swap;
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
  while (!pp->done) pp->swap(&pp->echo, &pp->bench);
  // Last round trip: hand control back for good, resuming the way the
  // benchmark side saved itself.
  if (pp->swap == gort_arch_swap_shared_fp) gort_arch_gogo_shared_fp(&pp->bench);
  gort_arch_gogo(&pp->bench);
}

[[noreturn]] void echo_exit(void*) {
  // echo_body ends in gogo and never returns into the exit hook.
  abort();
}

// The timed loop calls `Swap` directly (a template argument, not the
// pointer in PingPong), so the benchmark side pays no indirect call.
template <SwapFn Swap>
void ping_pong(benchmark::State& state, bool echo_sets_inexact) {
  std::unique_ptr<RawStack> stack(new RawStack);  // default-init: not zeroed
  PingPong pp;
  pp.echo_sets_inexact = echo_sets_inexact;
  pp.swap = Swap;
  gort_arch_gobuf_init(&pp.echo, stack->top(), echo_body, echo_exit, &pp);
  // Untimed first round trip: the first entry goes through the entry
  // trampoline and touches the echo stack's page; every later one is the
  // steady-state swap we want.
  Swap(&pp.bench, &pp.echo);
  while (state.KeepRunningBatch(2)) {
    Swap(&pp.bench, &pp.echo);
  }
  pp.done = true;
  Swap(&pp.bench, &pp.echo);  // echo leaves its loop and gogo's back
}

void BM_ArchSwap(benchmark::State& state) { ping_pong<gort_arch_swap>(state, /*echo_sets_inexact=*/false); }
BENCHMARK(BM_ArchSwap);

void BM_ArchSwapStatusFlagsDiffer(benchmark::State& state) {
  ping_pong<gort_arch_swap>(state, /*echo_sets_inexact=*/true);
}
BENCHMARK(BM_ArchSwapStatusFlagsDiffer);

void BM_ArchSwapSharedFp(benchmark::State& state) {
  ping_pong<gort_arch_swap_shared_fp>(state, /*echo_sets_inexact=*/false);
}
BENCHMARK(BM_ArchSwapSharedFp);

#if defined(__x86_64__)
// The minimal switch's two stack pointers; the echo side's first resume
// pops six zero registers and "returns" into minimal_echo.
struct MinimalPingPong {
  void* bench_sp = nullptr;
  void* echo_sp = nullptr;
};
MinimalPingPong* g_minimal = nullptr;  // the echo side's only way to its state: it starts with no argument

[[noreturn]] void minimal_echo() {
  for (;;) gort_arch_bench_minimal_swap(&g_minimal->echo_sp, &g_minimal->bench_sp);
}

void BM_MinimalSwitch(benchmark::State& state) {
  std::unique_ptr<RawStack> stack(new RawStack);
  MinimalPingPong mp;
  g_minimal = &mp;
  // The first frame: six registers, then the return address; the slot
  // above keeps rsp at minimal_echo's entry as a call would leave it
  // (16-byte aligned plus 8).
  auto* top = static_cast<uintptr_t*>(stack->top()) - 1;
  uintptr_t* sp = top - 7;
  for (int i = 0; i < 6; i++) sp[i] = 0;
  sp[6] = reinterpret_cast<uintptr_t>(&minimal_echo);
  mp.echo_sp = sp;
  gort_arch_bench_minimal_swap(&mp.bench_sp, &mp.echo_sp);  // untimed first round trip
  while (state.KeepRunningBatch(2)) {
    gort_arch_bench_minimal_swap(&mp.bench_sp, &mp.echo_sp);
  }
  // The echo side stays parked in its loop; its stack goes with `stack`.
  g_minimal = nullptr;
}
BENCHMARK(BM_MinimalSwitch);
#endif

}  // namespace
