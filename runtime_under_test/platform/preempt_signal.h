// The preemption signal (Go's SIGURG, signal_unix.go preemptM/doSigPreempt):
// how one thread asks another to stop where it is, and how the signal's
// handler turns a safe interruption into a call of
// gort_arch_async_preempt (arch/arch.h). The runtime decides whether the
// interrupted pc is safe (async_preempt.cc); this file only reads and
// rewrites the kernel's signal context, the per-CPU part outside arch/.
#ifndef GORT_PLATFORM_PREEMPT_SIGNAL_H
#define GORT_PLATFORM_PREEMPT_SIGNAL_H

#include <csignal>
#include <cstdint>

namespace gort::platform {

// Go's choice: SIGURG is delivered to a thread, is ignored by default, and
// almost no program uses it for anything else.
inline constexpr int kPreemptSignal = SIGURG;

// What the runtime decides about one preemption signal.
struct PreemptDecision {
  // Non-zero: inject a call of this code (gort_arch_async_preempt or a
  // mutant of it) at the interrupted pc. Zero: resume as interrupted.
  uintptr_t entry = 0;
  // Leave the interrupted code's red zone (amd64: 128 bytes below sp)
  // alone. false only for the red-zone mutant.
  bool keep_red_zone = true;
};

// Called in the handler, on the thread's alternate signal stack, with the
// interrupted pc and sp. Returns false when the signal is not the
// runtime's (no run on this thread): it goes to whatever handler was
// installed before gort's. The call is injected only when the handler
// does run on an alternate stack (every M installs one): on the
// interrupted stack the kernel's signal frame lies where the injected
// call's return slot goes, so there the signal resumes as interrupted, as
// if entry were 0.
using PreemptHandler = bool (*)(uintptr_t pc, uintptr_t sp, PreemptDecision* d);

// Installs the process-wide handler for kPreemptSignal (and, on CPUs whose
// async_preempt resumes through a trap, for that trap's SIGTRAP), once; the
// runtime passes the same handler every time. Returns false if the CPU
// port has no async preemption (gort_arch_async_preempt_supported).
bool install_preempt_handler(PreemptHandler handler);

// Sim's deterministic async preemption (the runtime's async_preempt.h)
// traces the run's thread through preemptible code only, one instruction
// at a time (arch.h's gort_arch_single_step):
//   - while armed, the pages of the preemptible code ("the watched pages")
//     lose PROT_EXEC, so that entering them faults (SIGSEGV, SEGV_ACCERR);
//     the fault handler gives them PROT_EXEC back and sets the trace flag;
//   - each traced instruction's trap (SIGTRAP, TRAP_TRACE) asks the
//     runtime's StepHandler, with its pc and sp, what next (StepVerdict);
//   - so the runtime's, libc's and every other code's instructions are
//     never traced (a trap costs microseconds) unless they share a page
//     with preemptible code, where one instruction at a time is.
// Process-wide, like the signal table and the page protections it drives:
// one sim run per process traces at a time, on one thread.
enum class StepVerdict : uint8_t {
  kStep,   // trace the next instruction too
  kWatch,  // pc left the preemptible code: stop tracing, watch the pages again
  kStop,   // disarmed (or d->entry set: inject it): no tracing, no watching
};
using StepHandler = StepVerdict (*)(uintptr_t pc, uintptr_t sp, PreemptDecision* d);

// Installs the process-wide SIGTRAP handler and the watch over
// [code_lo, code_hi), once (the same handler and range every time).
// Returns false if the CPU port cannot single-step itself
// (GORT_ARCH_SINGLE_STEP), has no async preemption, or the range is empty.
bool install_step_handler(StepHandler handler, uintptr_t code_lo, uintptr_t code_hi);

// Arms (true: the watched pages lose PROT_EXEC) or disarms (false: they
// get it back, and the trace flag is cleared) the watch. Not from a
// signal handler.
void watch_preemptible_code(bool on);

// fault.cc's SIGSEGV handler asks first: whether the fault is an entry into
// the watched pages; if so it has set the trace flag in uctx and given the
// pages PROT_EXEC back, and the faulting instruction runs again.
bool on_watch_fault(const siginfo_t* info, void* uctx);

// Sends the preemption signal to thread `tid` of this process. False if
// the thread is gone.
bool preempt_thread(int32_t tid);

// This thread's id, as preempt_thread takes it.
int32_t current_tid();

}  // namespace gort::platform

#endif  // GORT_PLATFORM_PREEMPT_SIGNAL_H
