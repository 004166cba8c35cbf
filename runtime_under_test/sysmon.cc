// sysmon (Go's proc.go sysmon and retake), os builds: a thread beside the
// Ms that asks a goroutine running for longer than kForcePreemptNs to
// yield. Go's sysmon also retakes Ps from system calls and polls the
// network, which gort has neither of. The request is a flag on the P,
// honoured at the goroutine's next yield point (yield.h); a goroutine in a
// loop with no yield point is never preempted until async preemption is
// built. In sim the chooser preempts at yield points instead, and there is
// no sysmon.
#include <cassert>
#include <cstdio>

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

// What sysmon last saw of a P (Go's sysmontick).
struct SysmonTick {
  uint32_t schedtick = 0;
  int64_t since = 0;  // when it first saw that schedtick
};

void sysmon_loop(void* arg) {
  auto& rt = *static_cast<Runtime*>(arg);
  SysmonTick seen[kMaxProcs] = {};
  const size_t nprocs = rt.allp.size();
  assert(nprocs <= kMaxProcs);
  while (rt.sysmon_quit.load(std::memory_order_acquire) == 0) {
    rt.sysmon_note.sleep_until(rt.clock.now() + kSysmonPeriodNs);
    rt.sysmon_note.clear();
    const int64_t now = rt.clock.now();
    for (size_t i = 0; i < nprocs; i++) {
      P* pp = rt.allp[i].get();
      const uint32_t tick = pp->schedtick.load(std::memory_order_relaxed);
      if (p_status(pp) != Pstatus::kRunning || tick != seen[i].schedtick) {
        seen[i] = SysmonTick{tick, now};
        continue;
      }
      // The same goroutine (no new time slice) has run since `since`.
      if (now - seen[i].since >= kForcePreemptNs) {
        pp->preempt.store(true, std::memory_order_relaxed);
        seen[i].since = now;  // ask again only after another full slice
      }
    }
  }
}

}  // namespace

void sysmon_start(Runtime& rt) {
  if (!rt.config.sysmon) return;
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
