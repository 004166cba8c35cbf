// Switching between execution contexts: the arch trampolines wrapped with
// the sanitizer annotations and the thread-local current G and M.
//
// Every switch in the runtime is one of these. A G reaches g0 by mcall
// (it stops) or systemstack (it comes back); g0 resumes a G by gogo; the
// OS thread enters g0 at the start of a run and is resumed at its end.
#ifndef GORT_CONTEXT_H
#define GORT_CONTEXT_H

#include <cstdint>

#include "g.h"
#include "m.h"

namespace gort::rt {

// The current G (g0 while the scheduler runs) and M of this OS thread;
// null outside a run. The only thread-local state of the runtime.
constinit inline thread_local G* tls_g = nullptr;
constinit inline thread_local M* tls_m = nullptr;
#if defined(__x86_64__)
// x86-64 addresses them through %fs at every access, so an inline read is
// one TLS load, no call, and always this thread's.
inline G* getg() { return tls_g; }
inline M* getm() { return tls_m; }
#else
// On arm64, riscv64 and ppc64le the compiler computes the thread pointer (or,
// on ppc64le, the variable's address from r13) once per
// function and keeps it in a register: a goroutine that parks on one M and
// resumes on another (with several Ms on OS threads) would read the first
// thread's variables after the switch. These read them afresh, out of line
// and opaque to the optimiser (context.cc).
G* getg();
M* getm();
#endif
inline void setg(G* gp) { tls_g = gp; }
inline void setm(M* mp) { tls_m = mp; }

// g0's stack top: where every mcall and systemstack starts afresh.
uintptr_t g0_stack_top(const M* mp);

// Switches from the current G to g0 and runs fn(gp) there; fn must not
// return (it ends in schedule or gogo). Returns when gp is resumed.
// gp_dies: gp will never be resumed (goexit), so its sanitizer state goes.
void mcall(void (*fn)(G*), bool gp_dies = false);

// From g0: resumes gp, whose status is already kRunning. Never returns.
[[noreturn]] void gogo(G* gp);

// Runs fn(arg) on g0's stack (directly if already on g0) and returns its result.
uintptr_t systemstack(uintptr_t (*fn)(void*), void* arg);

template <class F>
void systemstack(F&& f) {
  systemstack(
      [](void* p) -> uintptr_t {
        (*static_cast<F*>(p))();
        return 0;
      },
      &f);
}

// From the OS thread: switches into the M's g0, which starts fn(mp).
// Returns when the run ends (switch_to_native).
void enter_g0(M* mp, void (*fn)(void*));

// From anywhere in a run: abandons the current context and resumes the OS
// thread inside enter_g0. Never returns.
[[noreturn]] void switch_to_native(M* mp);

// Called first thing by code that a fresh context starts with (a new G's
// body, g0's mcall target): completes the sanitizer switch.
void landed_fresh(G* gp, platform::Fiber* prev = nullptr);

}  // namespace gort::rt

#endif  // GORT_CONTEXT_H
