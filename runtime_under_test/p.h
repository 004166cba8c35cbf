// P: a processor, the right to run Go code (Go's runtime2.go p).
#ifndef GORT_P_H
#define GORT_P_H

#include <cstdint>

#include "g.h"
#include "platform/platform.h"

namespace gort::rt {

inline constexpr uint32_t kLocalRunqSize = 256;
inline constexpr int kGoidCacheBatch = 16;
// A P's free list spills half to the global list past this many dead Gs.
inline constexpr int kGfreeLocalMax = 64;

// Invariants:
//   0 <= runqtail - runqhead <= kLocalRunqSize (unsigned arithmetic);
//   runq[i % kLocalRunqSize] for head <= i < tail are kRunnable Gs;
//   runnext, when set, is kRunnable and not also in runq;
//   gfree holds gfree_count kDead Gs linked by schedlink;
//   goidcache <= goidcacheend.
// runqhead/runqtail are atomics because a thief on another M reads them
// (work stealing arrives with several Ms); everything else is touched only
// by the M that holds this P.
struct P {
  int32_t id = 0;
  M* m = nullptr;  // the M holding this P
  platform::Atomic<uint32_t> runqhead{0};
  platform::Atomic<uint32_t> runqtail{0};
  G* runq[kLocalRunqSize] = {};
  G* runnext = nullptr;
  // Incremented by every execute that does not inherit a time slice; the
  // global queue is checked first every 61 ticks (fairness).
  uint32_t schedtick = 0;
  G* gfree = nullptr;
  int32_t gfree_count = 0;
  uint64_t goidcache = 0;
  uint64_t goidcacheend = 0;
  sudog* sudogcache = nullptr;  // free sudogs, linked by waitlink
  TimerHeap timers;
  struct DeferRecord* deferpool = nullptr;  // free defer records, linked by link
};

}  // namespace gort::rt

#endif  // GORT_P_H
