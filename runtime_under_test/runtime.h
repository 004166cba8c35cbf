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
#include <vector>

#include "defer.h"
#include "g.h"
#include "gort/gort.h"
#include "m.h"
#include "p.h"
#include "platform/fault.h"
#include "platform/platform.h"
#include "schedt.h"
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
  uint64_t steps_left = UINT64_MAX;
  uint64_t steps_granted = UINT64_MAX;
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
  // Ms are never freed before the Runtime. Grows under sched.lock.
  std::vector<std::unique_ptr<M>> allm;
  M& m0() { return *allm.front(); }
  const M& m0() const { return *allm.front(); }
#if defined(GORT_PLATFORM_SIM)
  // The sim's virtual threads (vthreads.h): one per M.
  std::unique_ptr<VirtualMs> vms;
#endif
  // Every G ever created (never shrinks; dead Gs are reused). Owns them.
  std::vector<std::unique_ptr<G>> allgs;
  G* main_g = nullptr;
  int32_t ngoroutines = 0;  // Gs that are not dead (g0 excluded)
  // Every sudog ever made (reused through the Ps' caches). Owns them.
  std::vector<std::unique_ptr<sudog>> sudogs;
  // Channels not yet freed, in a list the run frees at its end.
  struct hchan* live_chans = nullptr;
  uint64_t next_chan_id = 1;
  // Dead channels' memory, by 64-byte size class, for the next makechan
  // (chan.cc); released when the run ends.
  static constexpr size_t kCachedClasses = 8;
  static constexpr uint32_t kCachedPerClass = 256;
  void* chan_blocks[kCachedClasses] = {};
  uint32_t chan_blocks_cached[kCachedClasses] = {};
  // Timers of after(); freed to free_timers when they fire.
  std::vector<std::unique_ptr<Timer>> timer_pool;
  Timer* free_timers = nullptr;  // linked through arg
  uint64_t next_timer_seq = 1;
  // Defer records, carved into the Ps' pools (defer.cc).
  std::vector<std::unique_ptr<struct DeferRecord[]>> defer_chunks;
  Result result;  // filled as the run ends

 private:
  StackPoolImpl own_stacks_{0};  // used when config.stack_pool is null: keeps nothing
  platform::AltStack altstack_;
  bool ran_ = false;
};

}  // namespace gort::rt

#endif  // GORT_RUNTIME_H
