// M: an OS thread (a virtual thread in sim) running Go code (Go's m).
#ifndef GORT_M_H
#define GORT_M_H

#include <cstdint>

#include "g.h"
#include "platform/cxx_eh.h"
#include "platform/fault.h"
#include "platform/platform.h"

namespace gort::rt {

struct P;

// How many Ms a run may start: with no system calls an M is idle, spinning
// or running on a P, so a correct runtime needs at most GOMAXPROCS plus the
// timer sleeper and the Ms between giving up a P and going idle.
inline constexpr uint32_t kMaxMs = 2 * kMaxProcs + 2;

// Invariants: g0 runs only the scheduler, on its own stack, never user
// code; curg, when set, is kRunning with curg->m == this; p, when set, is
// kRunning with p->m == this (an M runs Go code only while it holds a P);
// an M on sched.midle has no P, is not spinning and sleeps on park;
// spinning Ms hold a P and are counted in sched.nmspinning. mcall_fn and
// the waitunlockf/waitlock pair are set by the G just before it switches
// to g0 and consumed there. nextp is handed over under sched.lock by
// startm, then park is woken. The fields under "virtual thread" are the
// sim's (vthreads.cc) and untouched in os builds.
struct M {
  int64_t id = 0;
  G* g0 = nullptr;
  G* curg = nullptr;
  P* p = nullptr;
  P* nextp = nullptr;      // the P startm handed over, taken when it wakes
  M* schedlink = nullptr;  // next on sched.midle
  bool spinning = false;   // looking for work (counted in sched.nmspinning)
  // The OS thread's own context: run() switches from it to g0 and the run
  // ends by switching back to it (the first M's only).
  gort_gobuf native{};
  platform::Fiber native_fiber;
  // This thread's C++ exception state (cached address), and the OS
  // thread's own while a run uses the thread: each G has its own.
  platform::CxxEhState* eh = nullptr;
  platform::CxxEhState native_eh;
  void (*mcall_fn)(G*) = nullptr;
  bool (*waitunlockf)(G*, void*) = nullptr;
  void* waitlock = nullptr;
  platform::Note park;  // where this M sleeps when idle
  // Set by the fault handler when it claims a fault (the run then ends):
  // a second fault before the run ends is the process's, not the run's.
  bool claimed_fault = false;
  platform::FaultInfo fault;  // the claimed fault, for its report on g0
  // The G that was running when it faulted (g0 when the runtime was, on a
  // goroutine's behalf): its dump walks from fault.pc and fault.fp.
  const G* fault_g = nullptr;
  // Counted by this M alone and summed into the Result when the run ends
  // (no shared counter on the hot path).
  uint64_t switches = 0;            // goroutines it started running (execute)
  uint64_t goroutines_created = 0;  // go statements it ran
  uint64_t async_preemptions = 0;   // goroutines async preemption stopped on it
  // Preemption signals that found its goroutine at no safe point (the
  // request went to the next yield point). Written by the signal handler
  // on this M's own thread only.
  uint64_t async_preempt_declined = 0;

#if !defined(GORT_PLATFORM_SIM)
  // --- OS thread (os) ---
  // Steps this M may take before it draws more from the run's pool
  // (Runtime::steps_pool): the budget without a shared counter per step.
  uint64_t steps_left = 0;
  platform::OsThread thread;  // not started for m0, the caller's thread
  int32_t tid = 0;            // the OS thread's id (preempt_p signals it), set where the M starts
  // This thread's alternate signal stack (a stack overflow is reported on
  // it); m0's is the Runtime's.
  platform::AltStack altstack;
#endif

  // --- virtual thread (sim) ---
  // Invariant: while this M is not the running virtual thread, vctx is its
  // saved context, vg the G (or g0) whose stack it is on and veh its C++
  // exception state; blocked_on is set while it waits for a lock or a
  // Note, with deadline >= 0 for a timed Note sleep.
  gort_gobuf vctx{};
  G* vg = nullptr;
  platform::CxxEhState veh;
  bool vstarted = false;  // has run (else vctx starts it fresh)
  const void* blocked_on = nullptr;
  int64_t deadline = -1;
  bool timed_out = false;          // its last block ended by its deadline
  bool quiescent = true;           // switched out at its safe point, or idle
  platform::HeldLocks held_locks;  // lock ranking (platform/lockrank.h)
};

}  // namespace gort::rt

#endif  // GORT_M_H
