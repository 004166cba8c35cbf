#include "async_preempt.h"

#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "arch/arch.h"
#include "context.h"
#include "mutant.h"
#include "platform/fiber.h"
#include "platform/preempt_signal.h"
#include "proc.h"
#include "yield.h"

// The bounds of the gort_preemptible section, which the linker defines
// when some object has one (weak: null when none does).
extern "C" {
extern const char __start_gort_preemptible[] __attribute__((weak));
extern const char __stop_gort_preemptible[] __attribute__((weak));
}

namespace gort::rt {

bool in_preemptible_code(uintptr_t pc) {
  const auto lo = reinterpret_cast<uintptr_t>(__start_gort_preemptible);
  const auto hi = reinterpret_cast<uintptr_t>(__stop_gort_preemptible);
  assert(lo <= hi && "gort_preemptible: the section's bounds are reversed");
  return pc >= lo && pc < hi;
}

namespace {

// Stack a preemption needs below the interrupted sp: the register save
// area, then gort_rt_async_preempted's and mcall's frames (a few hundred
// bytes; twice that and more for sanitizer builds' larger frames).
constexpr uintptr_t kAsyncStackNeed = GORT_ARCH_ASYNC_PREEMPT_FRAME + 4096;

// Whether this M holds a runtime lock, where the runtime knows it.
bool holds_runtime_lock(const M* mp) {
#if defined(GORT_PLATFORM_SIM)
  return mp->held_locks.any();
#elif !defined(NDEBUG)
  (void)mp;
  return platform::this_thread_held_locks().any();
#else
  (void)mp;
  return false;  // unknown: the pc check stands for it (async_preempt.h)
#endif
}

// Why an interruption at pc with stack pointer sp is no safe point, or
// null when it is one (async_preempt.h).
const char* unsafe_reason(const M* mp, const G* gp, uintptr_t pc, uintptr_t sp) {
  assert(mp != nullptr);
  if (gp == nullptr || gp == mp->g0 || mp->curg != gp) return "the M is in the scheduler, not in a goroutine";
  if (load_relaxed(gp->status) != Gstatus::kRunning) return "the goroutine is not running";
  if (!in_preemptible_code(pc)) return "the pc is not in preemptible code";
  if (holds_runtime_lock(mp)) return "the M holds a runtime lock";
  if (sp > gp->stack.hi || sp < gp->stack.lo + kAsyncStackNeed) return "the goroutine's stack has no room for it";
  return nullptr;
}

#if !defined(GORT_TSAN)
// The code the handler injects: gort_arch_async_preempt, or in a mutants
// build, one of its broken variants.
uintptr_t async_entry(const Runtime& rt) {
#if GORT_MUTANTS_BUILT
  if (mutant_active(rt, Mutant::kAsyncPreemptVectorUpper))
    return reinterpret_cast<uintptr_t>(gort_arch_async_preempt_mutant_vector_upper);
  if (mutant_active(rt, Mutant::kAsyncPreemptFlags))
    return reinterpret_cast<uintptr_t>(gort_arch_async_preempt_mutant_flags);
  if (mutant_active(rt, Mutant::kAsyncPreemptFpReg))
    return reinterpret_cast<uintptr_t>(gort_arch_async_preempt_mutant_fp_reg);
  if (mutant_active(rt, Mutant::kAsyncPreemptMisaligned))
    return reinterpret_cast<uintptr_t>(gort_arch_async_preempt_mutant_misaligned);
#else
  (void)rt;
#endif
  return reinterpret_cast<uintptr_t>(gort_arch_async_preempt);
}

#if defined(GORT_PLATFORM_SIM)
// A bound on the instructions one arming traces (each costs a trap, 15 us
// or so in a VM): far past kAsyncPreemptWindow preemptible instructions
// and the few others that share their pages, so a program that reaches it
// runs long stretches of code on those pages between yield points. Past it
// the arming ends, as if a yield point had come.
constexpr uint64_t kAsyncStepLimit = 10'000'000;

// The single-step trap's handler (platform/preempt_signal.h), on the
// alternate signal stack: counts preemptible instructions down, then
// injects at the first safe point.
platform::StepVerdict on_step_trap(uintptr_t pc, uintptr_t sp, platform::PreemptDecision* d) {
  using platform::StepVerdict;
  M* mp = getm();
  if (mp == nullptr) return StepVerdict::kStop;  // a stray trace flag outside a run: off
  Runtime& rt = *mp->g0->rt;
  Runtime::AsyncStep& step = rt.async_step;
  if (!step.armed) return StepVerdict::kStop;
  // coverage-excluded-begin: a program with millions of instructions on pages shared with preemptible code
  if (++step.traced > kAsyncStepLimit) {
    step.armed = false;
    mp->async_preempt_declined++;
    return StepVerdict::kStop;
  }
  // coverage-excluded-end
  if (!in_preemptible_code(pc)) return StepVerdict::kWatch;  // until it enters preemptible code again
  assert(step.countdown >= 1);
  if (step.countdown > 1) {
    step.countdown--;
    return StepVerdict::kStep;
  }
  const bool check = !mutant_active(rt, Mutant::kAsyncPreemptAnywhere);  // mutant async-preempt-anywhere
  if (check && unsafe_reason(mp, getg(), pc, sp) != nullptr) return StepVerdict::kStep;  // the next safe point
  step.armed = false;
  d->entry = async_entry(rt);
  d->keep_red_zone = !mutant_active(rt, Mutant::kAsyncPreemptRedZone);  // mutant async-preempt-red-zone
  return StepVerdict::kStop;
}
#endif
#endif  // !GORT_TSAN

#if !defined(GORT_PLATFORM_SIM) && !defined(GORT_TSAN)
// The preemption signal's handler (platform/preempt_signal.h), on the
// thread's alternate signal stack: only reads, a few stores, no lock.
bool on_preempt_signal(uintptr_t pc, uintptr_t sp, platform::PreemptDecision* d) {
  M* mp = getm();
  if (mp == nullptr) return false;  // not a run's thread: not ours
  const Runtime& rt = *mp->g0->rt;
  P* pp = mp->p;
  // Nothing asked (a late signal for a P this M has since left, or a
  // signal from outside): nothing to do.
  if (pp == nullptr || !pp->preempt.load(std::memory_order_relaxed) || !rt.async_preempt_on) return true;
  G* gp = getg();
  const bool check = !mutant_active(rt, Mutant::kAsyncPreemptAnywhere);  // mutant async-preempt-anywhere
  if (check && unsafe_reason(mp, gp, pc, sp) != nullptr) {
    mp->async_preempt_declined++;  // the next yield point honours the request
    return true;
  }
  pp->preempt.store(false, std::memory_order_relaxed);
  d->entry = async_entry(rt);
  d->keep_red_zone = !mutant_active(rt, Mutant::kAsyncPreemptRedZone);  // mutant async-preempt-red-zone
  return true;
}
#endif

}  // namespace

bool async_preempt_setup(Runtime& rt) {
#if defined(GORT_TSAN)
  (void)rt;
  return false;  // TSan runs handlers after the interrupted context is gone
#elif defined(GORT_PLATFORM_SIM)
  // Sim: only where the fault plan arms the site (else no question is asked
  // and nothing traces), and where the CPU can single-step itself.
  return rt.config.async_preempt && GORT_ARCH_SINGLE_STEP && rt.decider.armed(FaultSite::kAsyncPreempt) &&
         platform::install_step_handler(on_step_trap, reinterpret_cast<uintptr_t>(__start_gort_preemptible),
                                        reinterpret_cast<uintptr_t>(__stop_gort_preemptible));
#else
  return rt.config.async_preempt && platform::install_preempt_handler(on_preempt_signal);
#endif
}

#if defined(GORT_PLATFORM_SIM)
void async_preempt_arm(G* gp) {
  assert(gp != nullptr);
  assert(gp->rt != nullptr);
  Runtime& rt = *gp->rt;
  // One firing in flight per run: with several virtual Ms, another M may
  // have armed one that has not landed; this one supersedes it (each
  // question is asked and answered either way, so replay sees the same).
  async_preempt_disarm(rt);
  if (!rt.async_preempt_on || !rt.decider.fire(FaultSite::kAsyncPreempt)) return;
  const uint32_t at = rt.decider.choose(Choice::kAsyncPreemptAt, kAsyncPreemptWindow);
  rt.async_step = Runtime::AsyncStep{true, at + 1, 0};
  platform::watch_preemptible_code(true);
}

void async_preempt_disarm(Runtime& rt) {
  if (!rt.async_step.armed) return;
  rt.async_step.armed = false;
  M* mp = getm();
  (mp != nullptr ? mp : &rt.m0())->async_preempt_declined++;  // a yield point, the scheduler or the end came first
  platform::watch_preemptible_code(false);
}
#endif

void preempt_p(Runtime& rt, P* pp) {
  assert(pp != nullptr);
  pp->preempt.store(true, std::memory_order_relaxed);
#if !defined(GORT_PLATFORM_SIM)
  if (!rt.async_preempt_on) return;
  const int32_t tid = pp->tid.load(std::memory_order_relaxed);
  if (tid > 0) platform::preempt_thread(tid);
#else
  (void)rt;
#endif
}

void async_preempt_publish(P* pp, const M* mp) {
#if !defined(GORT_PLATFORM_SIM)
  pp->tid.store(mp->tid, std::memory_order_relaxed);
#else
  (void)pp;
  (void)mp;
#endif
}

void async_preempt_unpublish(P* pp) {
#if !defined(GORT_PLATFORM_SIM)
  pp->tid.store(0, std::memory_order_relaxed);
#else
  (void)pp;
#endif
}

}  // namespace gort::rt

// Called by gort_arch_async_preempt with every register saved (arch.h).
// It checks the handler's verdict again, as the runtime's own invariant
// (so a broken handler or trampoline is a fatal error that says what went
// wrong), then yields the goroutine.
extern "C" void gort_rt_async_preempted(uintptr_t pc, uintptr_t sp) {
  using namespace gort::rt;
  M* mp = getm();
  assert(mp != nullptr && "async preemption outside a run");
  Runtime& rt = *mp->g0->rt;
  char why[160];
  if (gort_arch_probe_sp() % GORT_ARCH_STACK_ALIGN != 0) {
    snprintf(why, sizeof why, "async preemption at pc=%#lx: the stack is misaligned at the call\n",
             static_cast<unsigned long>(pc));
    fatal(rt, "async preemption at an unsafe point", why);
  }
  G* gp = getg();
  if (const char* reason = unsafe_reason(mp, gp, pc, sp)) {
    snprintf(why, sizeof why, "async preemption at pc=%#lx sp=%#lx: %s\n", static_cast<unsigned long>(pc),
             static_cast<unsigned long>(sp), reason);
    // coverage-excluded-begin: a broken handler or trampoline (mutant async-preempt-anywhere)
    if (gp == nullptr || gp == mp->g0 || holds_runtime_lock(mp)) {
      // The interrupted runtime code holds what ending the run would take
      // (its locks, g0's stack): Go's throw with the world in pieces.
      fputs("fatal error: async preemption at an unsafe point\n", stderr);
      fputs(why, stderr);
      abort();
    }
    fatal(rt, "async preemption at an unsafe point", why);
    // coverage-excluded-end
  }
  mp->async_preemptions++;
  stop_if_ending(rt);
#if defined(GORT_PLATFORM_SIM)
  trace_event(rt, gort::EventKind::kFault, gp->goid, 0, static_cast<int64_t>(gort::FaultSite::kAsyncPreempt));
  trace_event(rt, gort::EventKind::kGoPreempt, gp->goid, 0, 1);
#endif
  async_preempt_yield();
}
