// Deferred calls and active panics (Go's runtime2.go _defer and _panic).
#ifndef GORT_DEFER_H
#define GORT_DEFER_H

#include <cstddef>
#include <cstdint>

#include "gort/frame.h"
#include "gort/panic.h"

namespace gort::rt {

struct G;
struct P;
class Runtime;

// One deferred call (Go's _defer). Records of a G form one LIFO chain
// (G::defers, linked by link) across all of its frames; a frame's records
// are contiguous at the top of the chain while the frame is the innermost
// one that has deferred.
//
// Invariants:
//   on G::defers            => frame is live (on the G's activation chain)
//   started                 <=> its call has begun (by deferreturn, a panic or Goexit)
//   panic != null           => started, and that panic (or Goexit) is running it
//   off the chain, in use   => its call is still on the stack (a newer panic
//                              discarded it); its runner frees it when that
//                              call's frame returns or unwinds
// Owned by the Runtime (defer_chunks); free records wait on a P's pool.
struct DeferRecord {
  DeferRecord* link = nullptr;              // next older record (chain) or next free one (pool)
  Frame* frame = nullptr;                   // the frame whose end runs it
  const detail::ClosureOps* ops = nullptr;  // null: a nil func, which panics when due
  struct Panic* panic = nullptr;
  bool started = false;
  // The sync package's own deferred calls (gort/sema.h defer_sync_call):
  // no panic is injected into them, as Go's never panic.
  bool no_fault = false;
  alignas(detail::kMaxDeferredCallableAlign) unsigned char fn[detail::kMaxDeferredCallableSize];
};

// One active panic, or a Goexit in progress (Go's _panic). Lives in the
// stack frame of gopanic / goexit, which never returns normally.
//
// Invariants:
//   on G::panic (linked by link, newest first) while its deferred calls run
//   recovered  => a deferred call it ran called recover; it leaves the chain
//                 when that call returns
//   aborted    => a newer panic (or Goexit) found the deferred call this one
//                 was running and discarded it; printed, not resumed
//   goexit     => never recovered, never printed
struct Panic {
  Panic* link = nullptr;
  PanicValue value;
  // The frame of the deferred call this panic is running: the one place
  // from which recover() stops it (Go's argp check).
  Frame* running = nullptr;
  detail::Activation activation;  // "panic(...)" / "runtime.Goexit()" in tracebacks
  bool recovered = false;
  bool aborted = false;
  bool goexit = false;
};

// Thrown to unwind from a recovered panic to the frame that resumes
// (the recovering call's frame, or a Goexit's loop). Caught only there.
// Destroyed undelivered means a user `catch (...)` swallowed it: the
// destructor makes that a fatal error instead of a silently lost panic.
struct RecoveryUnwind {
  explicit RecoveryUnwind(const void* at) : resume_at(at) {}
  RecoveryUnwind(const RecoveryUnwind&) = delete;
  ~RecoveryUnwind();
  const void* resume_at;  // a Frame* or, for Goexit, its Panic*
  bool delivered = false;
};
// Thrown by Goexit after its deferred calls: unwinds to the goroutine's start.
struct GoexitUnwind {
  GoexitUnwind() = default;
  GoexitUnwind(const GoexitUnwind&) = delete;
  ~GoexitUnwind();
  bool delivered = false;
};

// Frames (defer.cc).
// Runs body as a Go function on the current G: pushes a frame, calls
// ops->invoke(fn, frame), runs the frame's deferred calls at its end
// (deferreturn), catches a recovery aimed at it. runner: the panic that
// runs this call as a deferred call (recover checks it), else null.
// Returns whether a recovery ended the body.
bool call_frame(G* gp, detail::ActivationKind kind, const char* name, const detail::ClosureOps* ops, void* fn,
                Panic* runner);
// Runs d, the top record of gp, for p (null: the frame's normal end).
// Returns normally only if the call returned; then d is freed.
void run_deferred(G* gp, DeferRecord* d, Panic* p);

// Go's loop over the deferred calls for a panic or Goexit p: runs them
// newest first; discards a started one (a call the newer p interrupted),
// marking the panic that ran it aborted. Returns when the chain is empty;
// throws RecoveryUnwind when a call recovered p.
void run_panic_defers(G* gp, Panic* p);

#if defined(GORT_MUTANTS) && GORT_MUTANTS
// Mutant goexit-skips-defers (gort/mutants.h), mutants builds only: takes
// every record off gp's chain without running it.
void drop_deferred_calls(G* gp);
#endif

// Panics (panic.cc).
[[noreturn]] void gopanic(G* gp, PanicValue v);
[[noreturn]] void goexit_with_defers(G* gp);
// A user catch handler swallowed the runtime's unwinding on gp: a fatal
// error (checked wherever the runtime regains control of a G).
[[noreturn]] void report_swallowed_unwinding(G* gp);
inline void check_swallowed_unwinding(G* gp);

// Frees what a goroutine abandoned by the run's end still holds (panic values).
void release_abandoned(G* gp);

}  // namespace gort::rt

#endif  // GORT_DEFER_H
