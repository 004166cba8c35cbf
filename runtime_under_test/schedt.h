// The global scheduler state (Go's schedt): the global run queue and the
// global free list of dead Gs.
#ifndef GORT_SCHEDT_H
#define GORT_SCHEDT_H

#include <cstdint>

#include "g.h"
#include "platform/platform.h"

namespace gort::rt {

// An intrusive FIFO of Gs linked by schedlink. Invariant: size counts the
// Gs from head to tail; head == nullptr <=> size == 0. Changed under its
// owner's lock; size may be read without it (Go's racy glance at
// sched.runqsize before it takes the lock: relaxed atomic accesses).
struct GQueue {
  G* head = nullptr;
  G* tail = nullptr;
  int32_t size = 0;

  int32_t size_unlocked() const { return load_relaxed(size); }

  void push_back(G* gp) {
    gp->schedlink = nullptr;
    if (tail != nullptr)
      tail->schedlink = gp;
    else
      head = gp;
    tail = gp;
    set_relaxed(size, size + 1);
  }
  G* pop_front() {
    G* gp = head;
    if (gp == nullptr) return nullptr;
    head = gp->schedlink;
    if (head == nullptr) tail = nullptr;
    gp->schedlink = nullptr;
    set_relaxed(size, size - 1);
    return gp;
  }
};

// The scheduler's shared state. lock protects runq, gfree, pidle,
// midle, nmidle, mnext and the timer sleeper's fields. npidle and
// nmspinning are atomics read without the lock (Go's heuristics); they
// change under it, except nmspinning, which wakep claims by
// compare-exchange. Invariants (under lock): npidle = length of pidle;
// nmidle = length of midle; nmspinning = Ms with spinning set;
// timer_sleeper, when set, is an M without a P sleeping on its Note until
// sleep_until (Go's M blocked in netpoll with a timeout).
struct Sched {
  platform::Lock lock{platform::LockRank::kSched};
  GQueue runq;   // kRunnable Gs
  GQueue gfree;  // kDead Gs, stacks kept
  platform::Atomic<uint64_t> goidgen{0};
  int32_t gomaxprocs = 1;
  P* pidle = nullptr;  // idle Ps, linked by P::link
  platform::Atomic<int32_t> npidle{0};
  M* midle = nullptr;  // idle Ms, linked by M::schedlink
  int32_t nmidle = 0;
  platform::Atomic<int32_t> nmspinning{0};
  M* timer_sleeper = nullptr;
  int64_t sleep_until = 0;
};

}  // namespace gort::rt

#endif  // GORT_SCHEDT_H
