// BM_GoschedRoundTrip: the cost of one goroutine switch through the
// scheduler. Inside one gort::run, two goroutines take turns calling
// gort::gosched(): each call goes G -> g0 (mcall), puts the G on the global
// queue, runs schedule/findrunnable, and resumes the other G (gogo).
//
// Counting: both goroutines drive the same benchmark loop, one
// KeepRunning() step per gosched, whichever goroutine makes it (they share
// one OS thread and never run at once, so sharing the State is safe). The
// reported time per iteration is therefore ns per gosched, exactly, even
// when Go's fairness rule (global queue first every 61st schedtick) lets
// one goroutine run twice in a row: that is still one gosched, and counted.
#include <benchmark/benchmark.h>

#include <string>

#include "gort/gort.h"

namespace {

struct Turns {
  benchmark::State* state;
  // Set by whichever goroutine saw KeepRunning() return false: the State
  // must not be asked again after it has finished the loop.
  bool done = false;
};

// One goroutine's side. `more`: what this goroutine's first loop step
// returned (main's starts the timer, see BM_GoschedRoundTrip).
void take_turns(Turns& t, bool more) {
  while (more) {
    gort::gosched();
    more = !t.done && t.state->KeepRunningBatch(1);
  }
  t.done = true;
}

// The partner goroutine's function: a small functor, because gort::go
// moves it onto the new goroutine's stack (it must be nothrow-movable).
struct Partner {
  Turns* turns;
  void operator()() const { take_turns(*turns, !turns->done && turns->state->KeepRunningBatch(1)); }
};

void BM_GoschedRoundTrip(benchmark::State& state) {
  Turns turns{&state};
  gort::Result r = gort::run(gort::Config{}, [&state, &turns] {
    gort::go(Partner{&turns});
    // Main makes the first step, which starts the timer. Main returning
    // ends the run; if main finished the
    // loop, the partner is abandoned (Go's exit semantics), never resumed.
    take_turns(turns, state.KeepRunningBatch(1));
  });
  if (!r.ok()) state.SkipWithError(("gort::run failed: " + r.fatal_error + r.panic).c_str());
}
BENCHMARK(BM_GoschedRoundTrip);

}  // namespace
