// G: a goroutine (Go's runtime2.go g).
#ifndef GORT_G_H
#define GORT_G_H

#include <atomic>
#include <cstdint>
#include <vector>

#include "arch/arch.h"
#include "defer.h"
#include "gort/gort.h"
#include "gstatus.h"
#include "platform/cxx_eh.h"
#include "platform/fiber.h"
#include "platform/platform.h"
#include "platform/stack_memory.h"
#include "relaxed.h"
#include "sudog.h"
#include "timer.h"
#include "waitreason.h"

namespace gort::rt {

struct M;
class Runtime;

// Invariants (checked by casgstatus and the scheduler's assertions):
//   status == kRunning   <=> m != nullptr and m->curg == this
//   status == kRunnable  =>  in exactly one run queue (runnext, a local
//                            queue, or the global queue via schedlink)
//   status == kWaiting   =>  in no run queue; waitreason says why
//   status == kDead      =>  fn == nullptr; on exactly one gfree list
//   sched is meaningful only while status != kRunning
// status, goid and waitreason are read by other Ms (goroutine_state, the
// dump) through relaxed.h; status is stored with release and read with
// acquire there, so that a G seen dead or parked has done what it did.
// Owned by its Runtime (allgs), never freed before the Runtime; a dead G
// keeps its stack for the next newproc. No lock protects a G: its status
// is the lock (only casgstatus changes it), so that with several Ms the M
// that moves a G out of a status owns it until it sets the next.
// Return addresses a go statement records (G::gopc).
inline constexpr int kGopcFrames = 3;

struct G {
  gort_gobuf sched{};                         // saved context while not running
  platform::StackMapping stack;               // [stack.lo, stack.hi) usable, guard below
  platform::Fiber fiber;                      // sanitizer bookkeeping for this stack
  Gstatus status = Gstatus::kIdle;            // changed only by casgstatus
  WaitReason waitreason = WaitReason::kZero;  // valid while kWaiting
  bool is_g0 = false;                         // an M's scheduler context, never user code
  uint64_t goid = 0;                          // assigned by newproc; 0 for g0
  G* schedlink = nullptr;                     // next on the global run queue or a gfree list
  M* m = nullptr;                             // the M running this G, while kRunning
  Runtime* rt = nullptr;
  // The goroutine's function, moved onto the top of its stack by newproc;
  // null once it has returned (and been destroyed) or while dead.
  const detail::ClosureOps* fn_ops = nullptr;
  void* fn = nullptr;
  // Where the go statement that made this G was (Go's gopc): the return
  // addresses of detail::newproc and of its next callers (gort::go, which
  // may not be inlined, and calls itself for gort::named), for the dump's
  // "created by" line; zero for main.
  uintptr_t gopc[kGopcFrames] = {};
  // The Go name of the function that ran that go statement (its innermost
  // named activation), or null: "created by" prints it when it has one.
  const char* creator_name = nullptr;
  void* param = nullptr;  // handed from a waker to the G it readies

  // Channel waits: the sudogs of the current park (one per select case),
  // linked by waitlink; null when not parked on channels.
  sudog* waiting = nullptr;
  // A select's wake-up race: the first waker to set it 0 -> 1 wins; the
  // other cases' sudogs are dropped by whoever meets them.
  platform::Atomic<uint32_t> select_done{0};
  // Defer, panic and traceback state (defer.h); all null while dead.
  detail::Activation* top_activation = nullptr;  // innermost Go function (Frame) or panic
  struct DeferRecord* defers = nullptr;          // newest deferred call
  struct Panic* panic = nullptr;                 // newest active panic or Goexit
  // The C++ runtime's exception state while this G is switched out (a G
  // may block inside a catch handler or a destructor run by unwinding).
  platform::CxxEhState eh;
  // Set when a user catch handler swallowed the runtime's unwinding
  // (defer.h): what was swallowed, reported as a fatal error.
  const char* swallowed_unwinding = nullptr;
  // While an unrecovered panic turns its chain's values into text (Go's
  // preprintpanics): a panic that nothing recovers now is "panic while
  // printing panic value", not a panic to print.
  bool printing_panics = false;
  // Set when gopark returns (the G was woken); the next completed
  // operation consumes it at the after-wake-up fault site (yield.h).
  bool resumed_from_park = false;
  // Set by run_deferred for a record that takes no injected panic, read
  // and cleared by the call_frame it starts.
  bool defer_no_fault = false;
  // gort::expect_leak: the goroutine may outlive main, blocked; the leak
  // census lists it as expected. Cleared when it ends.
  bool leak_expected = false;
  // Where its last completed channel operation took effect in that
  // channel's order (hchan::ops_done), for the trace; sim builds only.
  uint64_t chan_order = 0;
  Timer sleep_timer;                     // gort::sleep's timer (Go's gp.timer)
  std::vector<uint16_t> select_scratch;  // poll and lock orders of a big select
};

inline void check_swallowed_unwinding(G* gp) {
  // coverage-excluded-next: API misuse: a catch (...) swallowed gort's unwinding (a fatal error)
  if (gp->swallowed_unwinding != nullptr) [[unlikely]]
    report_swallowed_unwinding(gp);
}

}  // namespace gort::rt

#endif  // GORT_G_H
