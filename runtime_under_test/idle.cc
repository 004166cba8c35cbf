// Ps and Ms coming and going (Go's proc.go acquirep/releasep, pidleput/
// pidleget, mput/mget, startm/stopm, wakep, resetspinning, newm,
// checkdead): how an M gets a P, gives it up, goes idle and is woken.
#include <unistd.h>

#include <cassert>
#include <cstdio>
#include <memory>

#include "async_preempt.h"
#include "context.h"
#include "mutant.h"
#include "platform/preempt_signal.h"
#include "proc.h"
#include "vthreads.h"
#include "yield.h"

namespace gort::rt {
namespace {

void mput(Runtime& rt, M* mp) {
  assert(rt.sched.lock.held());
  assert(mp->p == nullptr && !mp->spinning);
  mp->schedlink = rt.sched.midle;
  rt.sched.midle = mp;
  rt.sched.nmidle++;
}

M* mget(Runtime& rt) {
  assert(rt.sched.lock.held());
  M* mp = rt.sched.midle;
  if (mp == nullptr) return nullptr;
  rt.sched.midle = mp->schedlink;
  mp->schedlink = nullptr;
  rt.sched.nmidle--;
  assert(rt.sched.nmidle >= 0);
  return mp;
}

// Where a new M starts: on its g0, with the P startm handed it.
[[noreturn]] void mstart_new(void* arg) {
  auto* mp = static_cast<M*>(arg);
#if defined(GORT_PLATFORM_SIM)
  landed_fresh(mp->g0);
#else
  landed_fresh(mp->g0, &mp->native_fiber);
#endif
  mp->quiescent = false;
  Runtime& rt = *mp->g0->rt;
  stop_if_ending(rt);
  trace_event(rt, EventKind::kMStart, 0, static_cast<uint64_t>(mp->id));
  P* pp = mp->nextp;
  mp->nextp = nullptr;
  acquirep(mp, pp);
  schedule();
}

#if !defined(GORT_PLATFORM_SIM)
// The body of an M's OS thread (Go's mstart on a new thread): the thread's
// own stack enters the M's g0 and comes back here when the M stops.
void mstart_thread(void* arg) {
  auto* mp = static_cast<M*>(arg);
  Runtime& rt = *mp->g0->rt;
  setm(mp);
  mp->tid = platform::current_tid();
  platform::reset_held_locks();
  platform::tls_os.ending = &rt.ending;
  // coverage-excluded-next: sigaltstack or mmap failed
  if (!mp->altstack.install()) fputs("gort: warning: no alternate signal stack on a new M\n", stderr);
  enter_g0(mp, mstart_new);
  mp->altstack.uninstall();
  platform::tls_os = platform::OsThreadState{};
  setm(nullptr);
}
#endif

}  // namespace

void acquirep(M* mp, P* pp) {
  assert(mp->p == nullptr && "acquirep: M already has a P");
  assert(pp->m == nullptr && "acquirep: P already has an M");
  assert(pp->status == Pstatus::kIdle);
  mp->p = pp;
  pp->m = mp;
  set_p_status(pp, Pstatus::kRunning);
  async_preempt_publish(pp, mp);
}

P* releasep(M* mp) {
  P* pp = mp->p;
  assert(pp != nullptr && "releasep: M has no P");
  assert(pp->m == mp && pp->status == Pstatus::kRunning);
  async_preempt_unpublish(pp);
  pp->m = nullptr;
  set_p_status(pp, Pstatus::kIdle);
  mp->p = nullptr;
  return pp;
}

void pidleput(Runtime& rt, P* pp) {
  assert(rt.sched.lock.held());
  assert(pp->m == nullptr && pp->status == Pstatus::kIdle);
  // coverage-excluded-next: a broken runtime: an idle P with runnable work
  if (!runqempty(pp)) fatal(rt, "pidleput: P has non-empty run queue");
  pp->link = rt.sched.pidle;
  rt.sched.pidle = pp;
  rt.sched.npidle.fetch_add(1);
}

P* pidleget(Runtime& rt) {
  assert(rt.sched.lock.held());
  P* pp = rt.sched.pidle;
  if (pp == nullptr) return nullptr;
  rt.sched.pidle = pp->link;
  pp->link = nullptr;
  int32_t left = rt.sched.npidle.fetch_sub(1) - 1;
  assert(left >= 0);
  (void)left;
  return pp;
}

void start_spinning(Runtime& rt, M* mp) {
  assert(!mp->spinning);
  mp->spinning = true;
  rt.sched.nmspinning.fetch_add(1);
  trace_event(rt, EventKind::kMSpin, 0, 0, 1);
}

void stop_spinning(Runtime& rt, M* mp) {
  assert(mp->spinning);
  mp->spinning = false;
  int32_t left = rt.sched.nmspinning.fetch_sub(1) - 1;
  // coverage-excluded-next: a broken runtime: more spinning Ms stopped than started
  if (left < 0) fatal(rt, "findrunnable: negative nmspinning");
  trace_event(rt, EventKind::kMSpin, 0, 0, 0);
}

void startm(Runtime& rt, P* pp, bool spinning) {
  rt.sched.lock.lock();
  if (pp == nullptr) {
    pp = pidleget(rt);
    if (pp == nullptr) {
      rt.sched.lock.unlock();
      // The caller reserved a spinning slot for the M it meant to start.
      if (spinning) rt.sched.nmspinning.fetch_sub(1);
      return;
    }
  }
  M* nmp = mget(rt);
  if (nmp == nullptr) {
    rt.sched.lock.unlock();
    newm(rt, pp, spinning);
    return;
  }
  assert(nmp->nextp == nullptr && !nmp->spinning);
  nmp->spinning = spinning;
  nmp->nextp = pp;
  rt.sched.lock.unlock();
  nmp->park.wakeup();
}

void stopm(Runtime& rt) {
  M* mp = getm();
  assert(mp->p == nullptr && "stopm holding a P");
  assert(!mp->spinning && "stopm spinning");
  rt.sched.lock.lock();
  mput(rt, mp);
  const bool drain_over = checkdead(rt);
  rt.sched.lock.unlock();
  if (drain_over) finish_drain(rt, /*quiescent=*/true);
  trace_event(rt, EventKind::kMIdle, 0, static_cast<uint64_t>(mp->id));
  mp->quiescent = true;
  mp->park.sleep();
  mp->quiescent = false;
  stop_if_ending(rt);
  mp->park.clear();
  P* pp = mp->nextp;
  assert(pp != nullptr && "stopm: woken without a P");
  mp->nextp = nullptr;
  acquirep(mp, pp);
  trace_event(rt, EventKind::kMWake, 0, static_cast<uint64_t>(pp->id));
}

void wakep(Runtime& rt) {
  if (rt.sched.npidle.load() == 0) return;
  // Be conservative about spinning Ms: one at a time is woken; it wakes
  // the next when it finds work (resetspinning).
  int32_t none = 0;
  if (rt.sched.nmspinning.load() != 0 || !rt.sched.nmspinning.compare_exchange_strong(none, 1)) return;
  startm(rt, nullptr, /*spinning=*/true);
}

void resetspinning(Runtime& rt) {
  M* mp = getm();
  stop_spinning(rt, mp);
  wakep(rt);
}

void newm(Runtime& rt, P* pp, bool spinning) {
  assert(pp != nullptr);
  auto owned = std::make_unique<M>();
  M* mp = owned.get();
  mp->g0 = malg_g0(rt);
  mp->nextp = pp;
  mp->spinning = spinning;
  // os: allm grows under sched.lock, in slots reserved up front (see
  // Runtime::allm). sim: no other virtual M runs until this one yields.
  if constexpr (!platform::kSimulated) rt.sched.lock.lock();
  // coverage-excluded-begin: a broken runtime: Ms started and never reused
  if (rt.allm.size() >= kMaxMs) {
    owned.reset();  // the run ends here: the M never existed
    char pre[128];
    snprintf(pre, sizeof pre, "runtime: program exceeds %u-thread limit\n", kMaxMs);
    fatal(rt, "thread exhaustion", pre);
  }
  // coverage-excluded-end
  mp->id = static_cast<int64_t>(rt.allm.size());
  rt.allm.push_back(std::move(owned));
  rt.result.ms++;
  if constexpr (!platform::kSimulated) rt.sched.lock.unlock();
#if defined(GORT_PLATFORM_SIM)
  rt.nms.store(rt.nms.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  mp->eh = rt.m0().eh;  // the one OS thread's exception state
  rt.vms->add(mp, mstart_new);
#else
  // Published once allm holds it: the M ending a run counts and wakes
  // allm[0, nms).
  rt.nms.fetch_add(1, std::memory_order_release);
  // coverage-excluded-next: the OS refused a thread (resource limits)
  if (!mp->thread.start(mstart_thread, mp)) fatal(rt, "newosproc", "runtime: failed to create new OS thread\n");
#endif
}

namespace {

// Whether some P has a pending timer: an M sleeps for it, so the run is not
// dead. can_fire: only a timer that is not at the end of time (a deadline
// that saturated, "never", api.cc) counts. Read under no timers lock: every
// M is idle, nobody changes a heap.
bool any_timer_pending(const Runtime& rt, bool can_fire) {
  assert(rt.sched.lock.held());
  for (const auto& pp : rt.allp) {
    if (!pp->timers.empty() && (!can_fire || pp->timers.next_when() != INT64_MAX)) return true;
  }
  return false;
}

}  // namespace

bool checkdead(Runtime& rt) {
  assert(rt.sched.lock.held());
  // The timer sleeper and Ms on their way to idle count as running.
  const int32_t run = static_cast<int32_t>(rt.allm.size()) - rt.sched.nmidle;
  if (run > 0) return false;
  // coverage-excluded-begin: a broken runtime: its counts of Ms or Gs disagree with its queues
  if (run < 0) fatal(rt, "checkdead: inconsistent counts");
  rt.allglock.lock();
  bool runnable = false;
  for (const auto& g : rt.allgs) {
    runnable = runnable || (!g->is_g0 && (g->status == Gstatus::kRunnable || g->status == Gstatus::kRunning));
  }
  rt.allglock.unlock();
  if (runnable) fatal(rt, "checkdead: runnable g");
  // coverage-excluded-end
  // Go returns while a timer is pending: some M sleeps for it. (If none
  // does, that is a lost timer: in sim the virtual Ms then all block and
  // the runtime deadlock is reported.)
  const bool checks_timers = !mutant_active(rt, Mutant::kCheckdeadIgnoresTimers);
  if (drain_started(rt)) {
    // Main has returned: with no timer left that can fire, nothing can run
    // again and the drain is over; a pending timer may still wake someone.
    return !(checks_timers && any_timer_pending(rt, /*can_fire=*/true));
  }
  const bool timer_pending = checks_timers && any_timer_pending(rt, /*can_fire=*/false);
  if (live_goroutines(rt) == 0) {
    fatal(rt, "no goroutines (main called runtime.Goexit) - deadlock!");
  }
  if (timer_pending) return false;
  fatal(rt, "all goroutines are asleep - deadlock!");
}

void owner_chance() {
#if defined(GORT_PLATFORM_SIM)
  platform::sim_point();
#else
  usleep(3);
#endif
}

}  // namespace gort::rt
