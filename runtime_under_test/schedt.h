// The global scheduler state (Go's schedt): the global run queue and the
// global free list of dead Gs.
#ifndef GORT_SCHEDT_H
#define GORT_SCHEDT_H

#include <cstdint>

#include "g.h"
#include "platform/platform.h"

namespace gort::rt {

// An intrusive FIFO of Gs linked by schedlink. Invariant: size counts the
// Gs from head to tail; head == nullptr <=> size == 0.
struct GQueue {
  G* head = nullptr;
  G* tail = nullptr;
  int32_t size = 0;

  void push_back(G* gp) {
    gp->schedlink = nullptr;
    if (tail != nullptr)
      tail->schedlink = gp;
    else
      head = gp;
    tail = gp;
    size++;
  }
  G* pop_front() {
    G* gp = head;
    if (gp == nullptr) return nullptr;
    head = gp->schedlink;
    if (head == nullptr) tail = nullptr;
    gp->schedlink = nullptr;
    size--;
    return gp;
  }
};

// lock protects runq and gfree (taken by every M once there are several).
struct Sched {
  platform::Lock lock;
  GQueue runq;   // kRunnable Gs
  GQueue gfree;  // kDead Gs, stacks kept
  platform::Atomic<uint64_t> goidgen{0};
  int32_t gomaxprocs = 1;
};

}  // namespace gort::rt

#endif  // GORT_SCHEDT_H
