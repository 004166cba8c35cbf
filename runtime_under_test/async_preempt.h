// Async preemption (Go's preempt.go and signal_unix.go: preemptM,
// doSigPreempt, wantAsyncPreempt, isAsyncSafePoint, asyncPreempt2), os
// builds: a goroutine in a loop with no yield point is stopped by a
// signal, but only at a safe point, and resumed later, maybe on another
// M, with every register as it was.
//
// Safe points. The preemption signal's handler (async_preempt.cc) lets the
// signal preempt only when
//   - the M runs a goroutine (not g0, not between a G and g0) whose status
//     is Grunning;
//   - the interrupted pc lies in preemptible code: the linker section
//     gort_preemptible, where GORT_PREEMPTIBLE (gort/gort.h) puts
//     functions. The runtime, libc, the dynamic loader, the arch
//     trampolines and signal handlers are never in it;
//   - the M holds no runtime lock (known in builds with assertions and in
//     sim; elsewhere it follows from the pc, since runtime locks are taken
//     only by runtime code);
//   - the goroutine's stack has room for the register save area and the
//     scheduler's frames.
// Otherwise the request stays on the P (P::preempt) and the goroutine's
// next yield point honours it, as cooperative preemption always did.
//
// Once at a safe point, gort_arch_async_preempt saves every register and
// calls gort_rt_async_preempted, which checks the same conditions again
// (so a handler that let an unsafe point through is a fatal error naming
// it, not a silent corruption), then Grunning -> Gpreempted -> Grunnable,
// the global run queue, and the scheduler.
#ifndef GORT_ASYNC_PREEMPT_H
#define GORT_ASYNC_PREEMPT_H

#include <cstdint>

namespace gort::rt {

class Runtime;
struct P;
struct M;
struct G;

// Whether pc lies in code GORT_PREEMPTIBLE marked.
bool in_preemptible_code(uintptr_t pc);

// At run start: whether this run preempts asynchronously
// (Config::async_preempt, an os build, a CPU port that supports it, no
// ThreadSanitizer, which defers signals to its own safe points).
bool async_preempt_setup(Runtime& rt);

// Asks the goroutine on pp to stop: the cooperative flag, and, when the run
// preempts asynchronously, the signal to the thread of the M holding pp.
// Any thread may call it (sysmon, the M ending the run).
void preempt_p(Runtime& rt, P* pp);

#if defined(GORT_PLATFORM_SIM)
// Sim's async preemption, deterministic: the fault site async-preempt.
// Where a goroutine starts or resumes (schedule) and at a yield point where
// it carries on, the chooser may fire the site and pick k in
// [0, kAsyncPreemptWindow) (Choice::kAsyncPreemptAt). The run's thread
// then traces the preemptible code it runs, one instruction at a time
// (platform/preempt_signal.h: the code's pages lose PROT_EXEC, entering
// them sets the trace flag, leaving them clears it), and from the
// (k+1)-th preemptible instruction on, at the first safe point, the trap
// handler injects gort_arch_async_preempt as the preemption signal's
// handler does in os builds. Only preemptible instructions count, and
// those are a pure function of the program and the schedule so far (the
// runtime's, libc's and the sanitizers' instruction counts are not), so
// where the preemption lands is a pure function of the seed: replayed, and
// shrunk like every other decision. The next yield point, the scheduler
// and the run's end disarm it first if it has not landed (counted in
// Result::async_preempt_declined), and so does the next arming: a run has
// one firing in flight at most, whichever virtual M armed it. Cost, on this project's 2-core EPYC VM:
// a trap per preemptible instruction traced (about 15 us in a VM, where
// the debug trap leaves the guest), two mprotect calls per arming and per
// entry into preemptible code; so up to a few milliseconds per firing,
// nothing for an arming that never reaches preemptible code. CPUs that
// cannot single-step from user mode (arm64, riscv64, ppc64le) never arm it.
void async_preempt_arm(G* gp);
void async_preempt_disarm(Runtime& rt);
#endif

// The M's OS thread id, recorded where the M starts (os builds); acquirep
// and releasep publish it on the P for preempt_p.
void async_preempt_publish(P* pp, const M* mp);
void async_preempt_unpublish(P* pp);

}  // namespace gort::rt

#endif  // GORT_ASYNC_PREEMPT_H
