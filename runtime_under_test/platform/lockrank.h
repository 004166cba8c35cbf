// Lock ranking (Go's lockrank.go): a static order of the runtime's locks.
// An M may take a lock only if every lock it holds ranks below it (channel
// locks excepted among themselves: select takes several, always in one
// global order). Taking one out of order is a fatal error that names both
// locks, so a lock-order inversion is caught the first time either order
// runs, not only when two Ms happen to deadlock on it. Checked in sim
// builds, where each virtual M keeps its held locks, and in os builds with
// assertions on (each OS thread keeps its own).
#ifndef GORT_PLATFORM_LOCKRANK_H
#define GORT_PLATFORM_LOCKRANK_H

#include <cassert>
#include <cstdint>

namespace gort::platform {

// Lowest first: a lock may be taken while holding only lower ones.
enum class LockRank : uint8_t {
  kHchan = 1,     // a channel's lock (several at once: select, in channel order)
  kSemaRoot = 2,  // a semaphore root: its waiters' tree, and the notify lists hashed to it
  kTimers = 3,    // a P's timer heap
  kSched = 4,     // the scheduler: global run queue, idle Ps and Ms, dead Gs
  kAllg = 5,      // the list of every G (os builds only; a leaf)
  kHeap = 6,      // channel memory, sudogs, timers, defer records (os builds only; a leaf)
};

// coverage-excluded-begin: a broken runtime: only a lock taken out of rank order is named
inline const char* lock_rank_name(LockRank r) {
  switch (r) {
    case LockRank::kHchan:
      return "hchan";
    case LockRank::kSemaRoot:
      return "semaroot";
    case LockRank::kTimers:
      return "timers";
    case LockRank::kSched:
      return "sched";
    case LockRank::kAllg:
      return "allg";
    case LockRank::kHeap:
      return "heap";
  }
  return "?";  // a value outside the enum: only a corrupted lock has one
}
// coverage-excluded-end

inline constexpr int kLockRanks = 7;  // ranks are 1..kLockRanks-1

// How many locks of each rank one M holds (a select holds one per channel,
// so counts, not a list). Invariant: held[r] >= 0.
struct HeldLocks {
  int32_t held[kLockRanks] = {};
  // Whether any runtime lock is held (async preemption's safe point).
  bool any() const {
    for (int r = 1; r < kLockRanks; r++) {
      if (held[r] != 0) return true;
    }
    return false;
  }
};

// Ends the run: "fatal error: lock ordering problem" (defined by the
// runtime, fatal.cc, which owns how a run ends).
[[noreturn]] void lock_rank_violation(LockRank held, LockRank taking);

inline void lock_rank_acquire(HeldLocks& h, LockRank rank) {
  const int r = static_cast<int>(rank);
  assert(r >= 1 && r < kLockRanks);
  for (int above = r; above < kLockRanks; above++) {
    if (h.held[above] == 0) continue;
    // Channel locks among themselves: select's one global order.
    if (above == r && rank == LockRank::kHchan) continue;
    lock_rank_violation(static_cast<LockRank>(above), rank);  // coverage-excluded: a broken runtime: out of rank order
  }
  h.held[r]++;
}

inline void lock_rank_release(HeldLocks& h, LockRank rank) {
  const int r = static_cast<int>(rank);
  assert(r >= 1 && r < kLockRanks);
  assert(h.held[r] > 0 && "lockrank: released a lock this M does not hold");
  h.held[r]--;
}

}  // namespace gort::platform

#endif  // GORT_PLATFORM_LOCKRANK_H
