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

// Invariants: g0 runs only the scheduler, on its own stack, never user
// code; curg, when set, is kRunning with curg->m == this; p is the P this
// M holds (always, with one M). mcall_fn and the waitunlockf/waitlock pair
// are set by the G just before it switches to g0 and consumed there.
struct M {
  int64_t id = 0;
  G* g0 = nullptr;
  G* curg = nullptr;
  P* p = nullptr;
  // The OS thread's own context: run() switches from it to g0 and the run
  // ends by switching back to it.
  gort_gobuf native{};
  platform::Fiber native_fiber;
  // This thread's C++ exception state (cached address), and the OS
  // thread's own while a run uses the thread: each G has its own.
  platform::CxxEhState* eh = nullptr;
  platform::CxxEhState native_eh;
  void (*mcall_fn)(G*) = nullptr;
  bool (*waitunlockf)(G*, void*) = nullptr;
  void* waitlock = nullptr;
  platform::Note park;  // where this M sleeps when idle (several Ms)
  // Set by the fault handler when it claims a fault (the run then ends):
  // a second fault before the run ends is the process's, not the run's.
  bool claimed_fault = false;
  platform::FaultInfo fault;  // the claimed fault, for its report on g0
};

}  // namespace gort::rt

#endif  // GORT_M_H
