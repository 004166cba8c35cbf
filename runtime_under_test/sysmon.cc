// sysmon (Go's proc.go sysmon and retake), os builds: a thread beside the
// Ms that asks a goroutine running for longer than kForcePreemptNs to
// yield. Go's sysmon also retakes Ps from system calls and polls the
// network, which gort has neither of. The request is a flag on the P,
// honoured at the goroutine's next yield point (yield.h), and the
// preemption signal, which stops a goroutine in a loop with no yield point
// if the loop is preemptible code (async_preempt.h). With
// Config::async_preempt_every_ns, sysmon is also the fault injector's hand:
// every that many nanoseconds it preempts the goroutine on a running P
// chosen at random, however long it has run. In sim the chooser preempts
// at yield points instead, and there is no sysmon.
#include <cassert>
#include <cstdio>

#include "async_preempt.h"
#include "proc.h"

namespace gort::rt {

#if !defined(GORT_PLATFORM_SIM)
namespace {

// Go's forcePreemptNS: the longest a goroutine runs before it is asked to
// yield.
constexpr int64_t kForcePreemptNs = 10'000'000;
// How often sysmon looks (Go's sysmon sleeps 20 us to 10 ms as it finds
// work or not; a fixed half of the preemption limit keeps the lateness of
// a request under 5 ms at next to no cost).
constexpr int64_t kSysmonPeriodNs = kForcePreemptNs / 2;
// The injector's shortest interval: 20,000 preemptions a second per run.
constexpr int64_t kMinInjectNs = 50'000;

// What sysmon last saw of a P (Go's sysmontick).
struct SysmonTick {
  uint32_t schedtick = 0;
  int64_t since = 0;  // when it first saw that schedtick
};

// Go's rule: a P whose goroutine has run a whole time slice is asked to
// yield, by flag and by signal.
void retake(Runtime& rt, SysmonTick* seen, size_t nprocs, int64_t now) {
  for (size_t i = 0; i < nprocs; i++) {
    P* pp = rt.allp[i].get();
    const uint32_t tick = pp->schedtick.load(std::memory_order_relaxed);
    if (p_status(pp) != Pstatus::kRunning || tick != seen[i].schedtick) {
      seen[i] = SysmonTick{tick, now};
      continue;
    }
    // The same goroutine (no new time slice) has run since `since`.
    if (now - seen[i].since >= kForcePreemptNs) {
      preempt_p(rt, pp);
      seen[i].since = now;  // ask again only after another full slice
    }
  }
}

// The injector: one running P, chosen at random, is preempted.
void inject(Runtime& rt, size_t nprocs, uint64_t* rng) {
  assert(nprocs > 0);
  *rng ^= *rng << 13;
  *rng ^= *rng >> 7;
  *rng ^= *rng << 17;
  const size_t first = static_cast<size_t>(*rng % nprocs);
  for (size_t k = 0; k < nprocs; k++) {
    P* pp = rt.allp[(first + k) % nprocs].get();
    if (p_status(pp) == Pstatus::kRunning) {
      preempt_p(rt, pp);
      return;
    }
  }
}

void sysmon_loop(void* arg) {
  auto& rt = *static_cast<Runtime*>(arg);
  SysmonTick seen[kMaxProcs] = {};
  const size_t nprocs = rt.allp.size();
  assert(nprocs <= kMaxProcs);
  const int64_t every = rt.config.async_preempt_every_ns;
  const int64_t inject_ns = every <= 0 ? 0 : (every < kMinInjectNs ? kMinInjectNs : every);
  const int64_t period = inject_ns > 0 && inject_ns < kSysmonPeriodNs ? inject_ns : kSysmonPeriodNs;
  uint64_t rng = rt.config.seed | 1;  // os runs are not reproducible anyway; any odd seed will do
  int64_t last_retake = rt.clock.now();
  while (rt.sysmon_quit.load(std::memory_order_acquire) == 0) {
    rt.sysmon_note.sleep_until(rt.clock.now() + period);
    rt.sysmon_note.clear();
    const int64_t now = rt.clock.now();
    if (inject_ns > 0) inject(rt, nprocs, &rng);
    if (rt.config.sysmon && now - last_retake >= kSysmonPeriodNs) {
      retake(rt, seen, nprocs, now);
      last_retake = now;
    }
  }
}

}  // namespace

void sysmon_start(Runtime& rt) {
  if (!rt.config.sysmon && rt.config.async_preempt_every_ns <= 0) return;
  // coverage-excluded-next: the OS refused a thread (resource limits): the run goes on unpreempted
  if (!rt.sysmon_thread.start(sysmon_loop, &rt))
    fputs("gort: warning: no sysmon thread: nothing preempts a long-running goroutine\n", stderr);
}

void sysmon_stop(Runtime& rt) {
  rt.sysmon_quit.store(1, std::memory_order_release);
  rt.sysmon_note.wakeup();
  rt.sysmon_thread.join();
}

void preempt_requested(G* gp) {
  M* mp = getm();
  assert(mp->curg == gp && mp->p != nullptr);
  mp->p->preempt.store(false, std::memory_order_relaxed);
  Runtime& rt = *gp->rt;
  stop_if_ending(rt);
  gosched();  // Go's gopreempt_m: to the global queue, as Gosched
}
#endif

}  // namespace gort::rt
