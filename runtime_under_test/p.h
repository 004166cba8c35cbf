// P: a processor, the right to run Go code (Go's runtime2.go p).
#ifndef GORT_P_H
#define GORT_P_H

#include <atomic>
#include <cstdint>

#include "g.h"
#include "platform/platform.h"

namespace gort::rt {

inline constexpr uint32_t kLocalRunqSize = 256;
inline constexpr int kGoidCacheBatch = 16;
// A P's free list spills half to the global list past this many dead Gs.
inline constexpr int kGfreeLocalMax = 64;
// Channel ids a P takes from the run's generator at a time.
inline constexpr uint64_t kChanIdCacheBatch = 64;
// A P keeps dead channels' memory by 64-byte size class (blocks up to
// 512 bytes), at most kChanBlocksPerClass of each.
inline constexpr size_t kChanBlockClasses = 8;
inline constexpr uint32_t kChanBlocksPerClass = 256;

// A P's channel memory (chan.cc), Go's per-P mcache for channels: a
// goroutine makes and frees channels on its own P without a lock shared
// by every M.
// Invariants: live is a list (linked by live_next, live_prev) of the
// channels made on this P and not yet freed, each with live_p == this P;
// blocks[i] is a list (linked through each block's first word) of
// cached[i] <= kChanBlocksPerClass free blocks of (i + 1) * 64 bytes;
// idcache <= idcacheend.
// live belongs to lock: an M freeing a channel made on another P unlinks
// it from that P's list. The rest is the M holding the P's.
struct PChans {
  platform::OsOnlyLock lock{platform::LockRank::kHeap};
  struct hchan* live GORT_GUARDED_BY(lock) = nullptr;
  void* blocks[kChanBlockClasses] = {};
  uint32_t cached[kChanBlockClasses] = {};
  uint64_t idcache = 0;
  uint64_t idcacheend = 0;
};

// A P's status (Go's _Pidle, _Prunning): idle Ps are on sched.pidle.
enum class Pstatus : uint8_t { kIdle, kRunning };

// Invariants:
//   0 <= runqtail - runqhead <= kLocalRunqSize (unsigned arithmetic);
//   runq[i % kLocalRunqSize] for head <= i < tail are kRunnable Gs;
//   runnext, when set, is kRunnable and not also in runq;
//   status == kRunning <=> m != nullptr and m->p == this;
//   status == kIdle    <=> on sched.pidle exactly once (linked by link);
//   gfree holds gfree_count kDead Gs linked by schedlink;
//   goidcache <= goidcacheend.
// Who touches what: runqtail, the slots and runnext's puts belong to the
// M holding the P; thieves on other Ms claim Gs from runqhead and runnext
// by compare-exchange (Go's lock-free run queue), so those are atomics.
// timers is protected by timers_lock (a thief runs a victim's timers).
// Everything else is touched only by the M that holds this P. link and
// status are protected by sched.lock.
struct P {
  int32_t id = 0;
  Pstatus status = Pstatus::kIdle;  // relaxed atomic access: sysmon reads it (p_status)
  M* m = nullptr;                   // the M holding this P
  P* link = nullptr;                // next on sched.pidle
  platform::Atomic<uint32_t> runqhead{0};
  platform::Atomic<uint32_t> runqtail{0};
  platform::Atomic<G*> runq[kLocalRunqSize] = {};
  platform::Atomic<G*> runnext{nullptr};
  // Incremented by every execute that does not inherit a time slice; the
  // global queue is checked first every 61 ticks (fairness). Written only
  // by the owner; sysmon reads it from its own thread (an unchanged tick
  // means one G has run all along), hence relaxed atomic.
  platform::Atomic<uint32_t> schedtick{0};
  // Set by sysmon (a G ran too long) or by the M ending the run; honoured,
  // and cleared, at the next yield point of the G running on this P (os
  // builds; in sim the chooser preempts).
  platform::Atomic<bool> preempt{false};
#if !defined(GORT_PLATFORM_SIM)
  // The OS thread id of the M holding this P (0: none), for the preemption
  // signal (async_preempt.h). Written by that M in acquirep and releasep,
  // read by sysmon and the M ending the run; relaxed: a stale id only
  // sends a signal its handler ignores (the thread is a run's M until the
  // run ends, and sysmon is stopped before any M's thread ends).
  platform::Atomic<int32_t> tid{0};
#endif
  G* gfree = nullptr;
  int32_t gfree_count = 0;
  uint64_t goidcache = 0;
  uint64_t goidcacheend = 0;
  sudog* sudogcache = nullptr;  // free sudogs, linked by waitlink
  platform::Lock timers_lock{platform::LockRank::kTimers};
  TimerHeap timers;                         // GUARDED_BY(timers_lock)
  struct DeferRecord* deferpool = nullptr;  // free defer records, linked by link
  PChans chans;
  // Goroutines created on this P minus those that ended on it; the sum
  // over the Ps is the run's live goroutines (live_goroutines). Written
  // only by the M holding the P, a load and a store (release), no
  // read-modify-write on a line every M shares; read by any M (acquire).
  int64_t goroutine_delta = 0;
};

// A P's status as another thread (sysmon) may read it while its owner
// changes it: relaxed atomic accesses, plain moves on every CPU.
inline Pstatus p_status(const P* pp) {
  return std::atomic_ref<Pstatus>(const_cast<Pstatus&>(pp->status)).load(std::memory_order_relaxed);
}
inline void set_p_status(P* pp, Pstatus s) { std::atomic_ref<Pstatus>(pp->status).store(s, std::memory_order_relaxed); }

}  // namespace gort::rt

#endif  // GORT_P_H
