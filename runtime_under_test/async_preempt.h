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

// The M's OS thread id, recorded where the M starts (os builds); acquirep
// and releasep publish it on the P for preempt_p.
void async_preempt_publish(P* pp, const M* mp);
void async_preempt_unpublish(P* pp);

}  // namespace gort::rt

#endif  // GORT_ASYNC_PREEMPT_H
