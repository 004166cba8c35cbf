// Memory faults (SIGSEGV/SIGBUS) reach the runtime here, on an alternate
// signal stack, so that running off a goroutine stack into its guard page
// becomes a reported "stack overflow", and any other fault during a run a
// fatal error of that run, instead of a crash of the process.
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

// What the kernel says about a fault, as Go's signal line prints it
// (sigcode0, sigcode1, sigpc), plus the interrupted stack and frame
// pointers (the faulting goroutine's traceback starts from them).
struct FaultInfo {
  int sig = 0;         // SIGSEGV or SIGBUS
  int code = 0;        // siginfo's si_code (SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, ...)
  uintptr_t addr = 0;  // si_addr: the address that faulted
  uintptr_t pc = 0;    // the faulting instruction
  uintptr_t sp = 0;    // the stack pointer when it faulted
  uintptr_t fp = 0;    // the frame-pointer register when it faulted (rbp, x29, s0; ppc64le: r1, which
                       // points at the back chain): only a hint, never trusted
};

// Go's name for a fault signal in the "[signal ...]" line.
const char* fault_signal_name(int sig);

// Called on the alternate stack. Returns true and fills *to to claim the
// fault; false declines it, and the disposition that was installed before
// gort's runs.
using FaultHandler = bool (*)(const FaultInfo& fault, FaultRedirect* to);

// Installs the process-wide handler (idempotent; the first handler wins, and
// the runtime passes the same one every time). The signal table is the
// process's, so this is the one piece of process-wide state the platform
// keeps; which runtime a fault belongs to is found from thread-local state.
void install_fault_handler(FaultHandler handler);

// The alternate signal stack of one thread while it runs a runtime's M.
// The stack's memory is the thread's (mapped by its first run, unmapped
// when the thread exits), so that runs in a row cost no mapping. On a
// thread that had no alternate stack, gort's stays installed between runs
// (the next run finds it with one query); a thread that had its own gets
// it back when the run ends.
class AltStack {
 public:
  bool install();    // makes the thread's gort alternate stack current; false if that failed
  void uninstall();  // restores the thread's previous alternate stack, if it had one
  ~AltStack() { uninstall(); }

 private:
  stack_t previous_{};
  bool restore_ = false;  // previous_ was a real stack: put it back
  bool installed_ = false;
};

}  // namespace gort::platform

#endif  // GORT_PLATFORM_FAULT_H
