// Runtime: owns everything one run of a goroutine program touches.
//
// No runtime state is global: a process creates, runs and destroys
// runtimes one after another (the harness does thousands per second), and
// a fatal error in one never reaches the next. The only thread-local state
// is the current G and M (context.h).
#ifndef GORT_RUNTIME_H
#define GORT_RUNTIME_H

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "defer.h"
#include "g.h"
#include "gort/gort.h"
#include "m.h"
#include "p.h"
#include "platform/fault.h"
#include "platform/platform.h"
#include "schedt.h"
#include "sema.h"
#include "stack_pool.h"
#include "sudog.h"
#include "timer.h"

namespace gort::rt {

class VirtualMs;  // vthreads.h (sim builds)

class Runtime {
 public:
  explicit Runtime(const Config& config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Runs main as goroutine 1 until it returns or the run dies; once only.
  Result run(const detail::ClosureOps* ops, void* main);

  // Everything below is the scheduler's (proc.h); public so that the
  // runtime's free functions, Go-style, can reach it.
  // Steps the run may still take, counting the one that exceeds the
  // budget: count_step (proc.h) ends the run when it reaches 0, so the hot
  // path is one decrement and a branch. config.max_steps + 1, or, with no
  // limit, more than any run takes. Invariant: steps taken so far =
  // steps_granted - steps_left (Result::steps at the end).
  uint64_t steps_left = UINT64_MAX;  // sim: the one counter
  uint64_t steps_granted = UINT64_MAX;
#if !defined(GORT_PLATFORM_SIM)
  // os: the steps no M has drawn yet; each M draws a batch into its own
  // M::steps_left (count_step), so the steps taken are steps_granted -
  // steps_pool - the Ms' undrawn allowances.
  platform::Atomic<uint64_t> steps_pool{UINT64_MAX};
#endif
  Config config;
  // This run's id, unique within the process (never 0): what a channel
  // handle is checked against before its channel is read (gort/chan.h).
  const uint64_t run_id;
  // Stacks come from and return here: the caller's pool, or this run's own.
  StackPoolImpl* stacks = nullptr;
  platform::Decider decider;
  platform::Clock clock;
  Sched sched;
  // GOMAXPROCS Ps, by id; fixed for the run.
  std::vector<std::unique_ptr<P>> allp;
  // Every M started, by id; m0 (allm[0]) is the OS thread that called run().
  // Ms are never freed before the Runtime. Grows under sched.lock, within
  // its reserved kMaxMs slots (never reallocated), and nms is published
  // after the new M is in place: any thread may read allm[0, nms).
  std::vector<std::unique_ptr<M>> allm;
  platform::Atomic<int32_t> nms{1};
  M& m0() { return *allm.front(); }
  const M& m0() const { return *allm.front(); }
#if defined(GORT_PLATFORM_SIM)
  // The sim's virtual threads (vthreads.h): one per M.
  std::unique_ptr<VirtualMs> vms;
#endif
  // Every G ever created (never shrinks; dead Gs are reused). Owns them.
  // allglock guards the vector (not the Gs: each G's status is its lock).
  platform::OsOnlyLock allglock{platform::LockRank::kAllg};
  std::vector<std::unique_ptr<G>> allgs GORT_GUARDED_BY(allglock);
  G* main_g = nullptr;
  // User goroutines ever allocated (g0s excluded): never fewer than the
  // live ones, so newproc1 sums the Ps' counts only when this reaches
  // Config::max_goroutines. Written under allglock, read relaxed.
  uint32_t user_gs_made = 0;
  // The run's own allocations, shared by every M: heaplock guards them
  // (Go's mheap lock). The Ps' caches in front keep it off the hot paths.
  platform::OsOnlyLock heaplock{platform::LockRank::kHeap};
  // Every sudog ever made (reused through the Ps' caches). Owns them.
  std::vector<std::unique_ptr<sudog>> sudogs GORT_GUARDED_BY(heaplock);
  // Channel ids, handed to the Ps kChanIdCacheBatch at a time (the
  // channels themselves are on their Ps' live lists, P::chans).
  platform::Atomic<uint64_t> chanidgen{0};
  // Timers of after(); freed to free_timers when they fire.
  std::vector<std::unique_ptr<Timer>> timer_pool GORT_GUARDED_BY(heaplock);
  Timer* free_timers GORT_GUARDED_BY(heaplock) = nullptr;  // linked through arg
  // Timers of gort/time.h's Timer and Ticker: kept until the run ends.
  std::vector<std::unique_ptr<ApiTimer>> api_timers GORT_GUARDED_BY(heaplock);
  platform::Atomic<uint64_t> next_timer_seq{1};  // relaxed: only its uniqueness matters
  // Defer records, carved into the Ps' pools (defer.cc).
  std::vector<std::unique_ptr<struct DeferRecord[]>> defer_chunks GORT_GUARDED_BY(heaplock);
  // Go's ncpu: the machine's CPUs in os builds; Config::procs in sim (so
  // that a schedule does not depend on the machine). Mutex spinning needs
  // more than one.
  int32_t ncpu = 1;
  // The semaphores' and notify lists' waiters (sema.cc).
  SemTable semtable;
#if defined(GORT_PLATFORM_SIM)
  // The trace's numbers for sync objects and semaphores, by address, in
  // order of first appearance (filled only while somebody listens).
  std::unordered_map<const void*, uint64_t> sync_ids;
#endif
  // Config::drain_at_exit (leak.cc): main has returned and the others run
  // on. Set once by main's M (release in os: drain_start_step before it),
  // read by any M (checkdead, the step budget); never cleared in the run.
  platform::Atomic<bool> draining{false};
  uint64_t drain_start_step = 0;  // steps taken when main returned (os: drawn from the pool)
  // This run preempts asynchronously (async_preempt_setup, at run start;
  // read-only afterwards, by the signal handler too). Sim: the fault site
  // async-preempt is armed and the CPU can single-step.
  bool async_preempt_on = false;
#if defined(GORT_PLATFORM_SIM)
  // Sim's async preemption in flight (async_preempt.h): armed at a yield
  // point, the run's one thread single-steps, and the trap handler counts
  // preemptible instructions down. Invariant: the thread's trace flag is
  // set iff armed (the handler clears both when it injects or gives up).
  struct AsyncStep {
    bool armed = false;
    uint32_t countdown = 0;  // preemptible instructions still to go (>= 1 while armed)
    uint64_t traced = 0;     // instructions traced since armed: bounded by kAsyncStepLimit
  } async_step;
#endif
  // Filled as the run ends. Written by the M that claimed the end (fatal.cc:
  // only one M ever writes its output), the counters summed from the Ms.
  Result result;

#if !defined(GORT_PLATFORM_SIM)
  // --- the end of a run with Ms on OS threads (fatal.cc) ---
  // 0 while the run goes on; 1 once an M claimed its end (claim_run_end). Every
  // other M stops at its next check (schedule, an idle or timer sleep, a
  // lock's slow path, a yield point) and counts itself in nstopped; m0,
  // which must return from run(), then waits for end_ready, set once the
  // ender has written the Result.
  platform::Atomic<uint32_t> ending{0};
  platform::Atomic<M*> ender{nullptr};
  platform::Atomic<uint32_t> nstopped{0};
  platform::Atomic<uint32_t> end_ready{0};
  // sysmon (sysmon.cc): a thread beside the Ms that asks a G running for
  // too long to yield; stopped and joined by run() before it returns.
  platform::OsThread sysmon_thread;
  platform::Note sysmon_note;
  platform::Atomic<uint32_t> sysmon_quit{0};
#endif

 private:
  StackPoolImpl own_stacks_{0};  // used when config.stack_pool is null: keeps nothing
  platform::AltStack altstack_;
  bool ran_ = false;
};

}  // namespace gort::rt

#endif  // GORT_RUNTIME_H
