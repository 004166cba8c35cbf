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

// Sends the preemption signal to thread `tid` of this process. False if
// the thread is gone.
bool preempt_thread(int32_t tid);

// This thread's id, as preempt_thread takes it.
int32_t current_tid();

}  // namespace gort::platform

#endif  // GORT_PLATFORM_PREEMPT_SIGNAL_H
