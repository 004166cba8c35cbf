// Memory faults (SIGSEGV/SIGBUS) reach the runtime here, on an alternate
// signal stack, so that running off a goroutine stack into its guard page
// becomes a reported "stack overflow" instead of a silent crash.
#ifndef GORT_PLATFORM_FAULT_H
#define GORT_PLATFORM_FAULT_H

#include <csignal>
#include <cstdint>

#include "platform/stack_memory.h"

namespace gort::platform {

// Where a claimed fault continues: when the signal handler returns, the
// kernel resumes the thread in fn(arg) on the stack whose top is
// stack_top, as if fn had been called there with nothing above it. fn must
// not return. (Go's sighandler injects sigpanic the same way.)
struct FaultRedirect {
  void (*fn)(void*) = nullptr;
  uintptr_t stack_top = 0;
  void* arg = nullptr;
};

// Called on the alternate stack with the faulting address. Returns true and
// fills *to to claim the fault; false declines it, and the disposition that
// was installed before gort's runs.
using FaultHandler = bool (*)(uintptr_t fault_addr, FaultRedirect* to);

// Installs the process-wide handler (idempotent; the first handler wins, and
// the runtime passes the same one every time). The signal table is the
// process's, so this is the one piece of process-wide state the platform
// keeps; which runtime a fault belongs to is found from thread-local state.
void install_fault_handler(FaultHandler handler);

// The alternate signal stack of one thread while it runs a runtime's M.
class AltStack {
 public:
  bool install();    // maps and installs; false if that failed
  void uninstall();  // restores the thread's previous alternate stack
  ~AltStack() { uninstall(); }

 private:
  StackMapping mem_;
  stack_t previous_{};
  bool installed_ = false;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_FAULT_H
