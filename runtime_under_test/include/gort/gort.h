// gort's public API: what a goroutine program is written against.
//
//   gort::Result r = gort::run(gort::Config{}, [] {
//     gort::go([] { ... });
//     gort::gosched();
//   });
//
// A run is one Go process: main is goroutine 1; the run ends when main
// returns (exit status 0, other goroutines are abandoned as Go's exit does)
// or on a fatal error (exit status 2, Go's message in Result::fatal_error and
// Go-style output in Result::output). A fatal error ends only that run: the
// calling process carries on and may start the next run at once.
#ifndef GORT_GORT_H
#define GORT_GORT_H

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gort/frame.h"
#include "gort/hooks.h"
#include "gort/panic.h"
#include "gort/stack_pool.h"

namespace gort {

struct Config {
  // Usable bytes of each goroutine stack (stacks do not grow; overflow is
  // a fatal "stack overflow"). Rounded up to whole pages.
  size_t stack_size = 64 * 1024;
  // Bytes of PROT_NONE guard below each stack. Rounded up to whole pages.
  size_t guard_size = 16 * 1024;
  // Seeds every random decision (sim: the default chooser; os: fastrand).
  uint64_t seed = 1;
  // sim builds: makes every scheduling decision (nullptr: uniform random
  // from seed). os builds ignore it and follow Go's policy.
  Chooser* chooser = nullptr;
  // Also write the run's output (what Go would print on stderr) to fd 2.
  bool echo_output = false;
  // Where stacks come from and go back to: a pool that outlives this run
  // (nullptr: this run maps its own and unmaps them at its end).
  StackPool* stack_pool = nullptr;
  // Live goroutines at most; creating one more is a fatal error.
  uint32_t max_goroutines = 1u << 20;
  // Steps at most (0: no limit); one more is the fatal error "step budget
  // exceeded": how the harness bounds a livelocked run. A step is one pass
  // of a goroutine through the runtime: every goroutine switch, yield
  // point, channel operation (make, send, receive, close), select, go
  // statement, defer, panic, recover, Goexit, gosched, sleep, after and
  // clock read, and every idle wait of the scheduler for a timer. So a
  // goroutine that spins on a non-blocking operation without ever
  // switching still runs out of budget. Library users may leave it
  // unbounded; every harness entry point sets a finite one.
  uint64_t max_steps = 0;
  // GOMAXPROCS: how many Ps, so how many Ms run goroutines at once (at
  // most kMaxProcs). 0: the platform's default, which is 1 in sim builds
  // (every multi-M schedule is then asked for explicitly) and, in os
  // builds, the number of online CPUs, as Go.
  uint32_t procs = 0;
  // os builds: sysmon asks a goroutine that has run for 10 ms without a
  // new time slice to yield at its next yield point (Go's forcePreemptNS),
  // as Go does. false: no sysmon; goroutines yield only when they block or
  // call gosched (tests that pin Go's policy exactly). Sim builds have no
  // sysmon: the chooser preempts.
  bool sysmon = true;
  // Goroutine dumps print each frame as Go does: the function, then
  // "\tfile:line +0xNN" (the pc's offset in its function). false: no
  // "+0x" offsets, so the text depends on the source, not on the code a
  // compiler made of it (tests that compare dumps across builds). Either
  // way the same binary and seed print the same dump: no address in it
  // depends on where the process was loaded or stacks were mapped.
  bool dump_addresses = true;
  // Go's exit is immediate: when main returns, the other goroutines are
  // abandoned wherever they are. true: main's return starts a drain
  // instead: the other goroutines run on until none can (nothing
  // runnable, no timer pending) or drain_steps more steps have passed;
  // then the run ends with exit status 0 and Result::leftover lists the
  // goroutines still alive, each judged a definite or a possible leak
  // (the leak oracle). A goroutine that fails during the drain (a panic,
  // a fatal error) ends the run as it would before main returned: under
  // another schedule main would have been the slower one.
  bool drain_at_exit = false;
  // Steps the drain may take (0: only max_steps bounds it). A goroutine
  // that never blocks (a ticker's loop) is cut off here.
  uint64_t drain_steps = 10'000;
  // Where a goroutine's floating-point control state (rounding mode,
  // exception masks, flush-to-zero: amd64 MXCSR and the x87 control word,
  // arm64 FPCR, riscv64 frm) lives.
  enum class FpControl : uint8_t {
    // Each goroutine keeps its own across switches, as each C++ function
    // keeps it across calls; a new goroutine starts with the ABI's default.
    kPerGoroutine,
    // Go's policy: it is the thread's, switches leave it alone, and a
    // goroutine that changes it changes it for whatever runs next on its
    // M. Saves a store and a load of it per switch (bench/README).
    kPerThread,
  };
  FpControl fp_control = FpControl::kPerGoroutine;
  // os builds: async preemption (Go's asyncPreempt): a goroutine running
  // code marked GORT_PREEMPTIBLE is stopped by a signal wherever it is,
  // when sysmon's 10 ms rule or the injector below asks, and resumed later
  // with every register as it was. Anywhere else (the runtime, libc,
  // unmarked code) the request waits for the next yield point. false:
  // Go's GODEBUG=asyncpreemptoff=1. Sim builds (amd64): async preemptions
  // come only from the fault site async-preempt, at the instruction the
  // chooser picks; false turns that off too.
  bool async_preempt = true;
  // os builds, fault injection: every this many nanoseconds (at least
  // 50,000), sysmon preempts the goroutine on a running P chosen at random,
  // whatever it is running (0: only Go's 10 ms rule).
  int64_t async_preempt_every_ns = 0;
  uint32_t mutant = 0;  // 0: none. Only builds with GORT_MUTANTS honour it (gort mutants)
};

// Marks a function as preemptible code: async preemption may stop it at
// any instruction (Config::async_preempt). A lambda takes it after its
// parameters: `[&]() GORT_PREEMPTIBLE { for (;;) ... }`. What the function
// calls is not preemptible unless it is marked too, and a marked function
// inlined into an unmarked one loses the mark (hence noinline). Code so
// marked must not rely on staying on one thread between two instructions:
// no thread_local (errno included) and no thread-bound lock held across a
// loop, as Go code has neither. The functions go to the linker section
// gort_preemptible of the executable they are linked into.
#define GORT_PREEMPTIBLE __attribute__((section("gort_preemptible"), noinline))

inline constexpr uint32_t kMaxProcs = 64;

// A goroutine still alive when a drained run ended (Config::drain_at_exit).
struct Leftover {
  enum class Kind : uint8_t {
    // Blocked on something no goroutine outside the blocked set can reach:
    // it can never run again.
    kDefinite,
    // Blocked on something a goroutine that can still run (or a pending
    // timer) may reach, or itself still runnable or asleep when the
    // drain's steps ran out.
    kPossible,
    // It said so itself (gort::expect_leak): not a leak.
    kExpected,
  };
  uint64_t goid = 0;
  Kind kind = Kind::kPossible;
  std::string wait_reason;  // Go's text ("chan receive", "select", ...); "" when runnable
  std::string waits_on;     // what it waits on: "chan 3", "chans 2, 5", "a semaphore", "nil chan", ...
  std::string why;          // why it is judged so, one sentence
  std::string dump;         // its goroutine dump: "goroutine 7 [chan receive]:" and its frames
};

struct Result {
  int exit_status = 0;              // 0: main returned; 2: fatal error or panic
  std::string fatal_error;          // Go's text, e.g. "all goroutines are asleep - deadlock!"
  std::string panic;                // the value of an unrecovered panic, as Go prints it
  std::string output;               // what Go's process would have written to stderr
  uint64_t goroutines_created = 0;  // including main
  uint64_t switches = 0;            // goroutine switches (execute calls)
  uint64_t steps = 0;               // steps (Config::max_steps), switches included
  uint32_t procs = 0;               // the Ps the run had (Config::procs resolved)
  uint32_t ms = 0;                  // the Ms it started, the first included
  // os builds: goroutines async preemption stopped, and preemption signals
  // that found no safe point (their requests waited for a yield point).
  uint64_t async_preemptions = 0;
  uint64_t async_preempt_declined = 0;
  // Config::drain_at_exit: main returned and the drain ended with nothing
  // left that could run (false: its steps ran out, or no drain).
  bool drained = false;
  // Config::drain_at_exit: every goroutine alive at the drain's end, in
  // creation order (empty without a drain, or when all had ended).
  std::vector<Leftover> leftover;
  bool ok() const { return exit_status == 0; }
};

namespace detail {

Result run(const Config& config, const ClosureOps* ops, void* main);
void newproc(const ClosureOps* ops, void* fn);

}  // namespace detail

// Runs main as goroutine 1 of a fresh runtime and returns what the process
// would have. Must not be called from inside a run.
template <class F>
Result run(const Config& config, F&& main) {
  using Fn = std::decay_t<F>;
  Fn fn(std::forward<F>(main));
  return detail::run(config, &detail::kClosureOps<Fn>, &fn);
}

// Go's `go f()`: starts f on a new goroutine of the current run. The
// callable is moved onto the new goroutine's stack (no heap allocation).
// The callable may take a gort::Frame& (its deferred calls run when it
// ends) and may be gort::named. An empty std::function or null function
// pointer is Go's `go nilFunc()`: fatal error "go of nil func value".
template <class F>
void go(F&& f) {
  using Fn = std::decay_t<F>;
  if constexpr (detail::is_named<Fn>::value) {
    go([named = std::forward<F>(f)](Frame& frame) mutable {
      frame.activation_.name = named.name;
      detail::invoke_with_frame(named.fn, &frame);
    });
  } else {
    // It is moved on the scheduler's stack, where an exception has nowhere to go.
    static_assert(std::is_nothrow_move_constructible_v<Fn>, "gort::go needs a nothrow-movable callable");
    Fn fn(std::forward<F>(f));
    if (detail::is_nil_func(fn)) {
      detail::newproc(nullptr, nullptr);
    } else {
      detail::newproc(&detail::kClosureOps<Fn>, &fn);
    }
  }
}

// Go's runtime.Gosched: yields the processor; the goroutine stays runnable.
void gosched();

// A yield point in user code: in sim builds the harness may preempt the
// goroutine here or inject a fault (a panic, a clock jump); elsewhere, and
// in os builds, it does nothing. Every channel operation, select and go
// statement is one already.
void yield_point();

// Declares that the calling goroutine is expected to outlive main, blocked
// (a server's accept loop, a pool's idle worker): the leak oracle lists it
// as Leftover::Kind::kExpected rather than as a leak. It holds until the
// goroutine ends.
void expect_leak();

// The current goroutine's id (main is 1).
uint64_t goid();

// Go's runtime.NumGoroutine: goroutines that exist now (not dead).
int num_goroutine();

// What a goroutine of the current run is doing, from the runtime's own
// state: how a test knows "it has blocked" without sleeping and hoping.
struct GoroutineState {
  bool exists = false;           // false: no such goroutine, or it has exited
  bool waiting = false;          // parked (blocked in a channel op, select, sleep, ...)
  const char* wait_reason = "";  // Go's text while waiting: "chan send", "select", ...
};
GoroutineState goroutine_state(uint64_t goid);

}  // namespace gort

// Channels, select and timers complete the API (included here so that one
// #include "gort/gort.h" is all a program needs).
#include "gort/chan.h"
#include "gort/select.h"
#include "gort/time.h"

#endif  // GORT_GORT_H
