// The scheduler: an M's loop (schedule, findrunnable, execute) and the
// ways a running G leaves it (gopark, gosched) and comes back (goready).
#include <cassert>
#include <cstdio>

#include "async_preempt.h"
#include "context.h"
#include "mutant.h"
#include "proc.h"
#include "vthreads.h"
#include "yield.h"

namespace gort::rt {
namespace {

// Where the next G comes from, in Go's order of preference.
enum class Source : uint8_t { kGlobalFair, kRunnext, kLocal, kGlobal };

// The current P's own work and the global queue, with the chooser picking
// the source (option 0: Go's order). Null when there is none. A thief on
// another M may empty a source between the look and the take: look again.
G* pick_own(Runtime& rt, P* pp, bool* inherit_time) {
  for (;;) {
    Source candidates[4];
    int n = 0;
    bool global = rt.sched.runq.size_unlocked() > 0;
    // Every 61st tick the global queue goes first, so that two Gs that keep
    // each other runnable on the local queue cannot starve it.
    if (pp->schedtick.load(std::memory_order_relaxed) % 61 == 0 && global) candidates[n++] = Source::kGlobalFair;
    // Mutant runnext-ignored: the G in runnext is never a candidate.
    if (pp->runnext.load(std::memory_order_relaxed) != nullptr && !mutant_active(rt, Mutant::kRunnextIgnored)) {
      candidates[n++] = Source::kRunnext;
    }
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
        gp = runqget_next(pp);
        *inherit_time = true;
        break;
      case Source::kLocal:
        gp = runqget_head(rt, pp);
        break;
      case Source::kGlobal:
        rt.sched.lock.lock();
        // With work still local (only when the chooser picks this), take one.
        gp = globrunqget(rt, pp, runqlen(pp) > 0 || pp->runnext.load(std::memory_order_relaxed) != nullptr ? 1 : 0);
        rt.sched.lock.unlock();
        break;
    }
    if (gp != nullptr) return gp;
  }
}

// The earliest pending timer of any P (INT64_MAX: none).
int64_t earliest_timer(Runtime& rt) {
  int64_t when = INT64_MAX;
  for (const auto& pp : rt.allp) {
    pp->timers_lock.lock();
    if (!pp->timers.empty() && pp->timers.next_when() < when) when = pp->timers.next_when();
    pp->timers_lock.unlock();
  }
  return when;
}

// The sleeper's seat (sched.timer_sleeper): the M that sleeps until the
// earliest timer. Takes it for mp and returns the time to sleep until, or
// INT64_MAX with the seat left again (no timer is pending), or -1 when
// another M has it.
//
// mp takes the seat before it looks for the earliest timer: an addtimer
// after the look finds the sleeper and lowers sleep_until (and wakes it),
// one before it is seen by the look. Looking first loses a wake-up with
// several Ms: a timer added between the look and the seat finds no
// sleeper, and the sleeper waits for a later one.
int64_t take_sleeper_seat(Runtime& rt, M* mp) {
  // Mutant timer-sleeper-looks-first: the look comes before the seat.
  const bool look_first = mutant_active(rt, Mutant::kTimerSleeperLooksFirst);
  // coverage-excluded-next: the mutants build only: mutant timer-sleeper-looks-first
  int64_t earliest = look_first ? earliest_timer(rt) : INT64_MAX;
  rt.sched.lock.lock();
  if (rt.sched.timer_sleeper != nullptr) {
    rt.sched.lock.unlock();
    return -1;
  }
  rt.sched.timer_sleeper = mp;
  rt.sched.sleep_until = earliest;
  rt.sched.lock.unlock();
  if (!look_first) earliest = earliest_timer(rt);
  rt.sched.lock.lock();
  if (earliest < rt.sched.sleep_until) rt.sched.sleep_until = earliest;
  const int64_t when = rt.sched.sleep_until;
  // No timer: off the seat again, so that no addtimer counts on this M
  // (with nobody on the seat they wakep instead).
  if (when == INT64_MAX) rt.sched.timer_sleeper = nullptr;
  rt.sched.lock.unlock();
  return when;
}

// The current M, without a P and with nothing to run, sleeps until the
// earliest timer is due, unless another M already does (Go's M blocked in
// netpoll with a timeout; addtimer wakes it for an earlier timer). Returns
// whether it holds a P again, to look for work; false: it has none (it
// should go idle) or it is not the sleeper.
bool sleep_for_timer(Runtime& rt, M* mp) {
  assert(mp->p == nullptr);
  // Mutant checkdead-ignores-timers: a pending timer does not hold off the verdict.
  if (mutant_active(rt, Mutant::kCheckdeadIgnoresTimers)) return false;
  const int64_t when = take_sleeper_seat(rt, mp);
  if (when < 0 || when == INT64_MAX) return false;
  // Each wait is a step, so that wake-ups which never reach the deadline
  // still end the run. An injected spurious wake-up returns halfway there:
  // the loop finds nothing due and waits again.
  count_step(rt);
  bool spurious = rt.decider.fire(FaultSite::kSpuriousWakeup);
  if (spurious) trace_event(rt, EventKind::kFault, 0, 0, static_cast<int64_t>(FaultSite::kSpuriousWakeup));
  int64_t now = rt.clock.now();
  int64_t deadline = when <= now ? now : spurious ? now + (when - now) / 2 : when;
  mp->quiescent = true;
  mp->park.sleep_until(deadline);
  mp->quiescent = false;
  stop_if_ending(rt);
  rt.sched.lock.lock();
  rt.sched.timer_sleeper = nullptr;
  P* pp = pidleget(rt);
  rt.sched.lock.unlock();
  // Off the seat: nobody wakes it for a timer any more, so a wake-up that
  // came after the sleep ended is dropped here, not at its next sleep.
  mp->park.clear();
  if (pp == nullptr) return false;
  acquirep(mp, pp);
  return true;
}

// Go's findrunnable: the P's timers and queues, the global queue, then
// stealing; with nothing anywhere the M gives up its P and sleeps (for a
// timer, or idle until handed a P). Returns with the M holding a P and a
// runnable G.
G* findrunnable(Runtime& rt, bool* inherit_time) {
  M* mp = getm();
  for (;;) {
    stop_if_ending(rt);
    P* pp = mp->p;
    assert(pp != nullptr && pp->m == mp);
    runtimers(rt, pp, rt.clock.now());
    if (G* gp = pick_own(rt, pp, inherit_time)) return gp;
    // Steal, unless enough Ms spin already: at most half of the busy Ps'
    // worth (Go's limit, which keeps spinning from burning every CPU).
    const int32_t procs = rt.sched.gomaxprocs;
    if (procs > 1 && (mp->spinning || 2 * rt.sched.nmspinning.load() < procs - rt.sched.npidle.load())) {
      if (!mp->spinning) start_spinning(rt, mp);
      bool ran_timers = false;
      if (G* gp = steal_work(rt, pp, &ran_timers)) {
        *inherit_time = false;
        return gp;
      }
      if (ran_timers) continue;
    }
    // Nothing: give up the P, unless the global queue got work meanwhile.
    rt.sched.lock.lock();
    if (rt.sched.runq.size != 0) {
      G* gp = globrunqget(rt, pp, 0);
      rt.sched.lock.unlock();
      *inherit_time = false;
      return gp;
    }
    pidleput(rt, releasep(mp));
    rt.sched.lock.unlock();
    if (mp->spinning) {
      // Go's delicate dance: stop spinning, then look at every P again. An
      // M that queued work since our look and saw us spinning woke nobody;
      // if this M did not look again that work could sit with every M idle.
      // Mutant nmspinning-not-decremented: the flag goes, the count stays.
      if (mutant_active(rt, Mutant::kNmspinningLeak)) {
        // coverage-excluded-next: the mutants build only: mutant nmspinning-not-decremented
        mp->spinning = false;
      } else {
        stop_spinning(rt, mp);
      }
      bool rearmed = false;
      for (const auto& p2 : rt.allp) {
        if (runqempty(p2.get())) continue;
        rt.sched.lock.lock();
        P* got = pidleget(rt);
        rt.sched.lock.unlock();
        if (got != nullptr) {
          acquirep(mp, got);
          start_spinning(rt, mp);
          rearmed = true;
        }
        break;
      }
      if (rearmed) continue;
    }
    if (sleep_for_timer(rt, mp)) continue;
    stopm(rt);
  }
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
  Runtime& rt = *gp->rt;
  // Mutant park-unlock-before-status: the lock goes before the status changes.
  const bool unlock_first = mutant_active(rt, Mutant::kParkUnlockBeforeStatus);
  // coverage-excluded-next: the mutants build only: mutant park-unlock-before-status
  if (unlock_first && mp->waitunlockf != nullptr) mp->waitunlockf(gp, mp->waitlock);
  casgstatus(gp, Gstatus::kRunning, Gstatus::kWaiting);
  trace_event(rt, EventKind::kGoPark, gp->goid, 0, static_cast<int64_t>(gp->waitreason));
  dropg(mp);
  // coverage-excluded-next: the mutants build only: mutant park-unlock-before-status
  if (unlock_first) mp->waitunlockf = nullptr;
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

// coverage-excluded-begin: the mutants build only: mutant park-commits-on-g-stack
// The rest of park_m once gopark has committed the park itself.
static void park_committed_m(G* gp) {
  assert(getm()->curg == gp);
  (void)gp;  // release builds: the assert is gone
  dropg(getm());
  schedule();
}
// coverage-excluded-end

void gosched_m(G* gp) {
  Runtime& rt = *gp->rt;
  // Mutant gosched-queues-before-status: queued while still running.
  const bool queue_first = mutant_active(rt, Mutant::kGoschedQueuesBeforeStatus);
  // coverage-excluded-next: the mutants build only: mutant gosched-queues-before-status
  if (queue_first) globrunqput(rt, gp);
  casgstatus(gp, Gstatus::kRunning, Gstatus::kRunnable);
  dropg(getm());
  if (!queue_first) globrunqput(rt, gp);
  schedule();
}

// Go's gopreempt_m after an async preemption, through Gpreempted as
// preemptPark goes (async_preempt.h): to the global run queue.
void async_preempt_m(G* gp) {
  Runtime& rt = *gp->rt;
  casgstatus(gp, Gstatus::kRunning, Gstatus::kPreempted);
  dropg(getm());
  casgstatus(gp, Gstatus::kPreempted, Gstatus::kRunnable);
  globrunqput(rt, gp);
  schedule();
}

// Go's goyield_m: like gosched_m, to the local queue's tail.
void goyield_m(G* gp) {
  Runtime& rt = *gp->rt;
  M* mp = getm();
  casgstatus(gp, Gstatus::kRunning, Gstatus::kRunnable);
  dropg(mp);
  runqput(rt, mp->p, gp, /*next=*/false);
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
  set_release(gp->status, to);  // goroutine_state reads it from other Ms (g.h)
}

void execute(G* gp, bool inherit_time) {
  M* mp = getm();
  casgstatus(gp, Gstatus::kRunnable, Gstatus::kRunning);
  gp->m = mp;
  mp->curg = gp;
  if (!inherit_time)
    mp->p->schedtick.store(mp->p->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  Runtime& rt = *gp->rt;
  mp->switches++;
  count_step(rt);
  trace_event(rt, EventKind::kGoRun, gp->goid);
#if defined(GORT_PLATFORM_SIM)
  // The M's safe point: nothing half done, no runtime lock held.
  rt.vms->safe_point();
#endif
  gogo(gp);
}

// coverage-excluded-begin: a run over its step budget: a livelock, which no scenario has on a correct runtime
void step_budget_exceeded(Runtime& rt) {
  // After main's return the budget is the drain's (leak.cc): its end is
  // not a failure.
  if (drain_started(rt)) finish_drain(rt, /*quiescent=*/false);
  char pre[160];
  snprintf(pre, sizeof pre, "runtime: more than %llu steps (Config::max_steps), %llu of them goroutine switches\n",
           static_cast<unsigned long long>(rt.config.max_steps), static_cast<unsigned long long>(total_switches(rt)));
  fatal(rt, "step budget exceeded: a livelock or a run too long for its budget", pre);
}
// coverage-excluded-end

void schedule() {
  M* mp = getm();
  assert(getg() == mp->g0 && "schedule: not on g0");
  assert(mp->curg == nullptr && "schedule: M still has a current G");
  Runtime& rt = *mp->g0->rt;
#if defined(GORT_PLATFORM_SIM)
  async_preempt_disarm(rt);  // a scheduling pass ends the firing in flight (async_preempt.h)
#endif
  stop_if_ending(rt);
  bool inherit_time = false;
  G* gp = findrunnable(rt, &inherit_time);
  // This M runs a goroutine now: if it was the spinning one, another may
  // have to start spinning in its place.
  if (mp->spinning) resetspinning(rt);
#if defined(GORT_PLATFORM_SIM)
  async_preempt_arm(gp);  // gp starts or resumes: an async preemption may land in what it runs first
#endif
  execute(gp, inherit_time);
}

void gopark(bool (*unlockf)(G*, void*), void* lock, WaitReason reason) {
  G* gp = getg();
  M* mp = getm();
  assert(gp != mp->g0 && gp->status == Gstatus::kRunning);
  set_relaxed(gp->waitreason, reason);  // goroutine_state reads it from other Ms
  // Mutant park-commits-on-g-stack: park_m's commit, on gp's own stack.
  if (mutant_active(*gp->rt, Mutant::kParkCommitsOnGStack) && unlockf != nullptr) {
    // coverage-excluded-begin: the mutants build only: mutant park-commits-on-g-stack
    casgstatus(gp, Gstatus::kRunning, Gstatus::kWaiting);
    trace_event(*gp->rt, EventKind::kGoPark, gp->goid, 0, static_cast<int64_t>(reason));
    unlockf(gp, lock);
    mcall(park_committed_m);
    gp->resumed_from_park = true;
    return;
    // coverage-excluded-end
  }
  mp->waitunlockf = unlockf;
  mp->waitlock = lock;
  mcall(park_m);
  gp->resumed_from_park = true;  // for the after-wake-up fault site
}

void goready(G* gp, uint64_t by_chan) {
  // Go runs ready on the system stack because its goroutine stacks are
  // small and growable; ours are fixed and ready is shallow, so the caller's
  // stack serves and the hot path skips two switches.
  Runtime& rt = *gp->rt;
  casgstatus(gp, Gstatus::kWaiting, Gstatus::kRunnable);
  set_relaxed(gp->waitreason, WaitReason::kZero);
  if (rt.decider.tracing()) {
    G* waker = getg();
    trace_event(rt, EventKind::kGoReady, waker != nullptr && !waker->is_g0 ? waker->goid : 0, gp->goid,
                static_cast<int64_t>(by_chan));
  }
  runqput(rt, getm()->p, gp, /*next=*/true);
  wakep(rt);
}

void gosched() { mcall(gosched_m); }

void goyield() { mcall(goyield_m); }

void async_preempt_yield() { mcall(async_preempt_m); }

}  // namespace gort::rt
