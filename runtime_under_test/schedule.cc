// The scheduler: one M's loop (schedule, findrunnable, execute) and the
// ways a running G leaves it (gopark, gosched) and comes back (goready).
#include <cassert>
#include <cstdio>

#include "context.h"
#include "mutant.h"
#include "proc.h"
#include "yield.h"

namespace gort::rt {
namespace {

// Where the next G comes from, in Go's order of preference.
enum class Source : uint8_t { kGlobalFair, kRunnext, kLocal, kGlobal };

G* findrunnable(Runtime& rt, P* pp, bool* inherit_time) {
  Source candidates[4];
  int n = 0;
  bool global = rt.sched.runq.size > 0;
  // Every 61st tick the global queue goes first, so that two Gs that keep
  // each other runnable on the local queue cannot starve it.
  if (pp->schedtick % 61 == 0 && global) candidates[n++] = Source::kGlobalFair;
  // Mutant runnext-ignored: the G in runnext is never a candidate.
  if (pp->runnext != nullptr && !mutant_active(rt, Mutant::kRunnextIgnored)) candidates[n++] = Source::kRunnext;
  if (runqlen(pp) > 0) candidates[n++] = Source::kLocal;
  if (global && (n == 0 || candidates[0] != Source::kGlobalFair)) candidates[n++] = Source::kGlobal;
  if (n == 0) return nullptr;

  *inherit_time = false;
  G* gp = nullptr;
  switch (candidates[rt.decider.choose(Choice::kPickRunnable, static_cast<uint32_t>(n))]) {
    case Source::kGlobalFair:
      rt.sched.lock.lock();
      gp = globrunqget(rt, pp, 1);
      rt.sched.lock.unlock();
      break;
    case Source::kRunnext:
      // runnext inherits the time slice of the G that readied it.
      gp = pp->runnext;
      pp->runnext = nullptr;
      *inherit_time = true;
      break;
    case Source::kLocal:
      gp = runqget_head(pp);
      break;
    case Source::kGlobal:
      rt.sched.lock.lock();
      // With work still local (only when the chooser picks this), take one.
      gp = globrunqget(rt, pp, runqlen(pp) > 0 || pp->runnext != nullptr ? 1 : 0);
      rt.sched.lock.unlock();
      break;
  }
  assert(gp != nullptr);
  return gp;
}

// Nothing can run, no timer is pending and, with one M, nothing else can
// ever wake anything: Go's checkdead verdict.
[[noreturn]] void checkdead(Runtime& rt) {
  if (rt.ngoroutines == 0) fatal(rt, "no goroutines (main called runtime.Goexit) - deadlock!");
  fatal(rt, "all goroutines are asleep - deadlock!");
}

void dropg(M* mp) {
  if (mp->curg == nullptr) return;
  mp->curg->m = nullptr;
  mp->curg = nullptr;
}

void park_m(G* gp) {
  M* mp = getm();
  // The status changes before the unlock function runs: once the lock is
  // released a waker may goready gp, which requires kWaiting.
  casgstatus(gp, Gstatus::kRunning, Gstatus::kWaiting);
  trace_event(*gp->rt, EventKind::kGoPark, gp->goid, 0, static_cast<int64_t>(gp->waitreason));
  dropg(mp);
  if (mp->waitunlockf != nullptr) {
    bool (*unlockf)(G*, void*) = mp->waitunlockf;
    void* lock = mp->waitlock;
    mp->waitunlockf = nullptr;
    mp->waitlock = nullptr;
    // coverage-excluded-next: every park commit of this runtime returns true (Go's can refuse the park)
    if (!unlockf(gp, lock)) {
      casgstatus(gp, Gstatus::kWaiting, Gstatus::kRunnable);
      execute(gp, /*inherit_time=*/true);
    }
  }
  schedule();
}

void gosched_m(G* gp) {
  Runtime& rt = *gp->rt;
  casgstatus(gp, Gstatus::kRunning, Gstatus::kRunnable);
  dropg(getm());
  globrunqput(rt, gp);
  schedule();
}

}  // namespace

void casgstatus(G* gp, Gstatus from, Gstatus to) {
  // coverage-excluded-begin: a broken runtime: an illegal status edge (a fatal error)
  if (gp->status != from || !gstatus_edge_legal(from, to)) {
    char pre[160];
    snprintf(pre, sizeof pre, "runtime: casgstatus: goroutine %llu is %s, wanted %s -> %s\n",
             static_cast<unsigned long long>(gp->goid), gstatus_name(gp->status), gstatus_name(from), gstatus_name(to));
    fatal(*gp->rt, gp->status != from ? "casgstatus: bad incoming values" : "casgstatus: illegal transition", pre);
  }
  // coverage-excluded-end
  gp->status = to;
}

void execute(G* gp, bool inherit_time) {
  M* mp = getm();
  casgstatus(gp, Gstatus::kRunnable, Gstatus::kRunning);
  gp->m = mp;
  mp->curg = gp;
  if (!inherit_time) mp->p->schedtick++;
  Runtime& rt = *gp->rt;
  rt.result.switches++;
  count_step(rt);
  trace_event(rt, EventKind::kGoRun, gp->goid);
  gogo(gp);
}

// coverage-excluded-begin: a run over its step budget: a livelock, which no scenario has on a correct runtime
void step_budget_exceeded(Runtime& rt) {
  char pre[160];
  snprintf(pre, sizeof pre, "runtime: more than %llu steps (Config::max_steps), %llu of them goroutine switches\n",
           static_cast<unsigned long long>(rt.config.max_steps), static_cast<unsigned long long>(rt.result.switches));
  fatal(rt, "step budget exceeded: a livelock or a run too long for its budget", pre);
}
// coverage-excluded-end

void schedule() {
  M* mp = getm();
  assert(getg() == mp->g0 && "schedule: not on g0");
  assert(mp->curg == nullptr && "schedule: M still has a current G");
  Runtime& rt = *mp->g0->rt;
  P* pp = mp->p;
  for (;;) {
    if (!pp->timers.empty()) runtimers(rt, pp, rt.clock.now());
    bool inherit_time = false;
    if (G* gp = findrunnable(rt, pp, &inherit_time)) execute(gp, inherit_time);
    // Mutant checkdead-ignores-timers: a pending timer does not hold off the verdict.
    if (pp->timers.empty() || mutant_active(rt, Mutant::kCheckdeadIgnoresTimers)) checkdead(rt);
    // Only a timer can make progress: sleep until it is due (virtual time
    // jumps there in sim). An injected spurious wake-up returns early: the
    // loop finds nothing due and waits again. Each wait is a step, so
    // that wake-ups which never reach the deadline still end the run.
    count_step(rt);
    bool spurious = rt.decider.fire(FaultSite::kSpuriousWakeup);
    if (spurious) trace_event(rt, EventKind::kFault, 0, 0, static_cast<int64_t>(FaultSite::kSpuriousWakeup));
    rt.clock.wait_until(pp->timers.next_when(), spurious);
  }
}

void gopark(bool (*unlockf)(G*, void*), void* lock, WaitReason reason) {
  G* gp = getg();
  M* mp = getm();
  assert(gp != mp->g0 && gp->status == Gstatus::kRunning);
  mp->waitunlockf = unlockf;
  mp->waitlock = lock;
  gp->waitreason = reason;
  mcall(park_m);
  gp->resumed_from_park = true;  // for the after-wake-up fault site
}

void goready(G* gp) {
  // Go runs ready on the system stack because its goroutine stacks are
  // small and growable; ours are fixed and ready is shallow, so the caller's
  // stack serves and the hot path skips two switches.
  Runtime& rt = *gp->rt;
  casgstatus(gp, Gstatus::kWaiting, Gstatus::kRunnable);
  gp->waitreason = WaitReason::kZero;
  if (rt.decider.tracing()) {
    G* waker = getg();
    trace_event(rt, EventKind::kGoReady, waker != nullptr && !waker->is_g0 ? waker->goid : 0, gp->goid);
  }
  runqput(rt, getm()->p, gp, /*next=*/true);
}

void gosched() { mcall(gosched_m); }

}  // namespace gort::rt
